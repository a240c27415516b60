# The fast policy's capacity facts (read-only, on the cluster endpoint): every node's memory
# for VMs (Get-VMHost -ComputerName: MemoryCapacity in bytes; 0 when a host does not answer,
# which the runner reads as not known) and the rack or chassis fault domain it sits in (the
# first Rack or Chassis ancestor of its node fault domain, Get-ClusterFaultDomain; "" when
# none), and each clustered role's placement rules: its
# AntiAffinityClassNames and its possible owners (Get-ClusterOwnerNode; empty = every node).
# Core groups (Cluster Group 1, Available Storage 2, CSVs 4, storage pools 5) and pycau's
# own run-lock groups are not roles.
$hosts = New-Object -TypeName System.Collections.ArrayList
$faultDomains = @(Get-ClusterFaultDomain -ErrorAction SilentlyContinue)
foreach ($node in @(Get-ClusterNode)) {
    $domain = ''
    $parent = [string](@($faultDomains | Where-Object { [string]$_.Name -eq [string]$node.Name }) | Select-Object -First 1).ParentName
    while ($parent -ne '') {
        $fd = @($faultDomains | Where-Object { [string]$_.Name -eq $parent }) | Select-Object -First 1
        if ($null -eq $fd) {
            break
        }
        if (@('Rack', 'Chassis') -contains [string]$fd.Type) {
            $domain = [string]$fd.Name
            break
        }
        $parent = [string]$fd.ParentName
    }
    $memory = [long]0
    if ([int]$node.State -ne 1) {
        $vmHost = Get-VMHost -ComputerName ([string]$node.Name) -ErrorAction SilentlyContinue
        if ($null -ne $vmHost) {
            $memory = [long]$vmHost.MemoryCapacity
        }
    }
    $null = $hosts.Add([ordered]@{
        Node = [string]$node.Name
        MemoryCapacity = $memory
        Domain = $domain
    })
}
$roles = New-Object -TypeName System.Collections.ArrayList
$groups = @(Get-ClusterGroup | Where-Object { (@(1, 2, 4, 5) -notcontains [int]$_.GroupType) -and (@('pycau-run-lock', 'pycau-run-lock-mutex') -notcontains [string]$_.Name) })
foreach ($group in $groups) {
    $classes = @($group.AntiAffinityClassNames | Where-Object { [string]$_ -ne '' } | ForEach-Object { [string]$_ })
    $owners = @((Get-ClusterOwnerNode -Group $group).OwnerNodes | ForEach-Object { [string]$_.Name })
    if (($classes.Count -eq 0) -and ($owners.Count -eq 0)) {
        continue
    }
    $null = $roles.Add([ordered]@{
        Name = [string]$group.Name
        AntiAffinityClassNames = $classes
        PossibleOwners = $owners
    })
}
Write-PycauResult -Document ([ordered]@{
    Hosts = $hosts
    Roles = $roles
})
