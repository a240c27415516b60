# Snapshot, the cluster's part (read-only; `pycau snapshot`): for each virtual machine role,
# its possible owners — the nodes its "Virtual Machine" resource may run on
# (Get-ClusterOwnerNode -Resource; every node unless an administrator restricted it). A VM
# whose only possible owner is its current node cannot be live-migrated, so draining that
# node fails. Nodes, witness, roles, owners and virtual disks come from observe.ps1.
$cluster = Get-Cluster
$vms = @(Get-ClusterGroup | Where-Object { [int]$_.GroupType -eq 111 } | ForEach-Object {
    $group = $_
    $owners = @()
    foreach ($resource in @(Get-ClusterResource -InputObject $group | Where-Object { [string]$_.ResourceType.Name -eq 'Virtual Machine' })) {
        $owners = @((Get-ClusterOwnerNode -InputObject $resource).OwnerNodes | ForEach-Object { [string]$_.Name })
    }
    [ordered]@{
        Name = [string]$group.Name
        OwnerNode = [string]$group.OwnerNode.Name
        PossibleOwners = $owners
    }
})
Write-PycauResult -Document ([ordered]@{
    Cluster = [string]$cluster.Name
    VirtualMachines = $vms
})
