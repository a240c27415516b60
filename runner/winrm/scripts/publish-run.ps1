# Publish the run record (cluster parameter PycauRun, compact JSON). The record is also the
# run lock: a record of another run still in progress is not overwritten unless forced
# (pycau run --force-recovery, as Invoke-CauRun -ForceRecovery).
$cluster = Get-Cluster
$current = ''
foreach ($parameter in @(Get-ClusterParameter -InputObject $cluster)) {
    if ($parameter.Name -eq 'PycauRun') {
        $current = [string]$parameter.Value
    }
}
if (($current -ne '') -and (-not $PycauArgs.Force)) {
    $existing = ConvertFrom-Json -InputObject $current
    if (($existing.RunState -eq 'RunInProgress') -and ([string]$existing.RunId -ne [string]$PycauArgs.Run.RunId)) {
        throw (New-PycauError -Kind 'RunLocked' -Message ('run ' + [string]$existing.RunId + ' by ' + [string]$existing.Coordinator + ' is in progress'))
    }
}
$record = ConvertTo-Json -InputObject $PycauArgs.Run -Depth 6 -Compress
Set-ClusterParameter -InputObject $cluster -Name 'PycauRun' -Value $record -Create
Write-PycauResult -Document ([ordered]@{
    RunId = [string]$PycauArgs.Run.RunId
    Published = $true
})
