# Publish the run record (cluster parameter PycauRun, compact JSON) that pycau status reads,
# and, when the run finished, its summary in the run history that pycau history reads.
# Only the run that holds the run lock may publish while the cluster is locked (lock.ps1):
# a coordinator that lost the lock cannot overwrite the record of the run that took it.
$holder = Get-PycauLockHolder -Group (Get-PycauGroup -Name 'pycau-run-lock')
if (($null -ne $holder) -and ([string]$holder.RunId -ne [string]$PycauArgs.Run.RunId)) {
    throw (New-PycauError -Kind 'RunLocked' -Message ('the cluster is locked by run ' + [string]$holder.RunId + ' (coordinator ' + [string]$holder.Coordinator + ')'))
}
$cluster = Get-Cluster
$record = ConvertTo-Json -InputObject $PycauArgs.Run -Depth 6 -Compress
Set-ClusterParameter -InputObject $cluster -Name 'PycauRun' -Value $record -Create
# A finished run's summary joins the run history (cluster parameter PycauRunHistory, a JSON
# array, oldest first): an entry of the same RunId is replaced, and only the last Keep stay.
if ($null -ne $PycauArgs.Finished) {
    $history = @()
    foreach ($parameter in @(Get-ClusterParameter -InputObject $cluster)) {
        if (($parameter.Name -eq 'PycauRunHistory') -and ([string]$parameter.Value -ne '')) {
            $history = @(ConvertFrom-Json -InputObject ([string]$parameter.Value))
        }
    }
    $kept = @($history | Where-Object { [string]$_.RunId -ne [string]$PycauArgs.Finished.RunId })
    $kept += $PycauArgs.Finished
    $keep = [int]$PycauArgs.Keep
    if ($kept.Count -gt $keep) {
        $kept = @($kept[($kept.Count - $keep)..($kept.Count - 1)])
    }
    $text = ConvertTo-Json -InputObject @($kept) -Depth 4 -Compress
    Set-ClusterParameter -InputObject $cluster -Name 'PycauRunHistory' -Value $text -Create
}
Write-PycauResult -Document ([ordered]@{
    RunId = [string]$PycauArgs.Run.RunId
    Published = $true
})
