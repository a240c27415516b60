# The Storage Spaces Direct pool and the cluster shared volumes, on the cluster endpoint:
# "give it a few minutes, make sure the storage pool is healthy" and "monitor the status of
# the virtual disks with Get-Volume and Get-VirtualDisk" (the offline update's step 10).
# Health is read raw (Healthy 0, Warning 1, Unhealthy 2, Unknown 5). A cluster without S2D
# has no pool: Pool is null.
$pool = $null
$found = @(Get-StoragePool -IsPrimordial $false -ErrorAction SilentlyContinue)
if ($found.Count -gt 0) {
    $raw = $found[0].psBase.CimInstanceProperties
    $pool = [ordered]@{
        FriendlyName = [string]$found[0].FriendlyName
        HealthStatus = $raw['HealthStatus'].Value
        IsReadOnly = [bool]$found[0].IsReadOnly
    }
}
$volumes = @(Get-Volume | Where-Object { [string]$_.FileSystem -eq 'CSVFS' } | ForEach-Object {
    [ordered]@{
        FileSystemLabel = [string]$_.FileSystemLabel
        HealthStatus = $_.psBase.CimInstanceProperties['HealthStatus'].Value
    }
})
Write-PycauResult -Document ([ordered]@{
    Pool = $pool
    Volumes = $volumes
})
