# Refresh the heartbeat of the run lock this coordinator holds; refused (RunLocked) when
# another coordinator holds it now. Under the lock mutex, so a renewal never overwrites a
# take-over. A stop request written next to the holder (stop-request.ps1) is kept and
# answered, so the coordinator sees pycau stop at its next renewal.
function Get-PycauStopOrder {
    param($Group)
    # The stop request (pycau stop) written next to the holder, or $null.
    if (($null -eq $Group) -or ([string]$Group.Description -eq '')) {
        return $null
    }
    $document = ConvertFrom-Json -InputObject ([string]$Group.Description)
    if ($null -eq $document.Stop) {
        return $null
    }
    [ordered]@{
        RunId = [string]$document.Stop.RunId
        RequestedBy = [string]$document.Stop.RequestedBy
        RequestedAt = [string]$document.Stop.RequestedAt
    }
}

Enter-PycauLockMutex
try {
    $group = Get-PycauGroup -Name 'pycau-run-lock'
    $current = Get-PycauLockHolder -Group $group
    if (-not (Test-PycauSameHolder -Holder $current -Expected $PycauArgs.Holder)) {
        throw (New-PycauError -Kind 'RunLocked' -Message ('the run lock is not held by run ' + [string]$PycauArgs.Holder.RunId + ' any more'))
    }
    $stop = Get-PycauStopOrder -Group $group
    Set-PycauLockHolder -Group $group -Holder $PycauArgs.Holder -Stop $stop
} finally {
    Exit-PycauLockMutex
}
Write-PycauResult -Document ([ordered]@{
    Renewed = $true
    Stop = $stop
})
