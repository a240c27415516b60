# Take every cluster shared volume's disk offline (the offline update's step 3), or bring it
# online again (step 10), without waiting: Get-VirtualDisk then shows it Detached, or
# attached again. Starting one the storage pool cannot bring online fails, with no effect on
# that disk.
Assert-PycauFence -Fence $PycauArgs.Fence
$online = [bool]$PycauArgs.Online
$disks = New-Object -TypeName System.Collections.ArrayList
foreach ($volume in @(Get-ClusterSharedVolume)) {
    if ($online) {
        $null = Start-ClusterResource -Name ([string]$volume.Name) -Wait 0
    } else {
        $null = Stop-ClusterResource -Name ([string]$volume.Name) -Wait 0
    }
    $null = $disks.Add([string]$volume.Name)
}
Write-PycauResult -Document ([ordered]@{
    Online = $online
    Disks = $disks
})
