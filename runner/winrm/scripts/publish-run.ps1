# Publish the run record (cluster parameter PycauRun, compact JSON) that pycau status reads.
# Only the run that holds the run lock may publish while the cluster is locked (lock.ps1):
# a coordinator that lost the lock cannot overwrite the record of the run that took it.
$holder = Get-PycauLockHolder -Group (Get-PycauGroup -Name 'pycau-run-lock')
if (($null -ne $holder) -and ([string]$holder.RunId -ne [string]$PycauArgs.Run.RunId)) {
    throw (New-PycauError -Kind 'RunLocked' -Message ('the cluster is locked by run ' + [string]$holder.RunId + ' (coordinator ' + [string]$holder.Coordinator + ')'))
}
$cluster = Get-Cluster
$record = ConvertTo-Json -InputObject $PycauArgs.Run -Depth 6 -Compress
Set-ClusterParameter -InputObject $cluster -Name 'PycauRun' -Value $record -Create
Write-PycauResult -Document ([ordered]@{
    RunId = [string]$PycauArgs.Run.RunId
    Published = $true
})
