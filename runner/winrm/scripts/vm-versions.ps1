# Every clustered VM with its configuration version (Get-VM's Version) and whether it runs,
# and the version Update-VMVersion gives a VM here (Get-VMHostSupportedVersion -Default of
# the node that answers; the cmdlet itself refuses a version the functional level does not
# allow yet).
$vms = New-Object -TypeName System.Collections.ArrayList
$groups = @(Get-ClusterGroup | Where-Object { [int]$_.GroupType -eq 111 } | Sort-Object -Property Name)
foreach ($group in $groups) {
    $owner = [string]$group.OwnerNode.Name
    $vm = Get-VM -ComputerName $owner -Name ([string]$group.Name) -ErrorAction SilentlyContinue
    if ($null -eq $vm) {
        continue
    }
    $null = $vms.Add([ordered]@{
        Name = [string]$vm.Name
        Owner = $owner
        Version = [string]$vm.Version
        Running = ([string]$vm.State -eq 'Running')
    })
}
$default = Get-VMHostSupportedVersion -Default -ErrorAction SilentlyContinue
Write-PycauResult -Document ([ordered]@{
    Vms = $vms
    Supported = [string]$default.Version
})
