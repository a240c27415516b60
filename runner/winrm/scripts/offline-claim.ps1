# The run lock's claim on this node while the cluster is stopped (the offline update):
# Stop-Cluster takes the cluster database, and the run-lock group in it, offline; until
# Start-Cluster each node's claim (registry HKLM:\SOFTWARE\pycau, value OfflineClaim) names
# the coordinator that holds the run, with a heartbeat in this node's UTC ticks, and fences
# the commands sent to the node (lock.ps1's Assert-PycauFence). Action: Read; Write (not over
# another coordinator's claim); TakeOver (only from Previous); Renew (only an existing claim
# of Holder); Clear (only Holder's). Answers the claim the node keeps afterwards.
Assert-PycauNode -Name ([string]$PycauArgs.Node)
$action = [string]$PycauArgs.Action
$holder = $PycauArgs.Holder
$current = Get-PycauClaim
$allowed = @(@($holder, $PycauArgs.Previous) | Where-Object { $null -ne $_ })
$mine = @($allowed | Where-Object { Test-PycauSameHolder -Holder $current -Expected $_ }).Count -gt 0
$changed = $false
if ($action -eq 'Clear') {
    if (($null -ne $current) -and (Test-PycauSameHolder -Holder $current -Expected $holder)) {
        Remove-ItemProperty -Path 'HKLM:\SOFTWARE\pycau' -Name 'OfflineClaim'
        $changed = $true
    }
} elseif (($action -ne 'Read') -and (($null -eq $current) -or $mine)) {
    if (($action -ne 'Renew') -or ($null -ne $current)) {
        Set-PycauClaim -Holder $holder
        $changed = $true
    }
}
Write-PycauResult -Document ([ordered]@{
    Node = [string]$PycauArgs.Node
    Holder = (Get-PycauClaim)
    Changed = $changed
})
