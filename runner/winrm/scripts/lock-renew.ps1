# Refresh the heartbeat of the run lock this coordinator holds; refused (RunLocked) when
# another coordinator holds it now. Under the lock mutex, so a renewal never overwrites a
# take-over.
Enter-PycauLockMutex
try {
    $group = Get-PycauGroup -Name 'pycau-run-lock'
    $current = Get-PycauLockHolder -Group $group
    if (-not (Test-PycauSameHolder -Holder $current -Expected $PycauArgs.Holder)) {
        throw (New-PycauError -Kind 'RunLocked' -Message ('the run lock is not held by run ' + [string]$PycauArgs.Holder.RunId + ' any more'))
    }
    Set-PycauLockHolder -Group $group -Holder $PycauArgs.Holder
} finally {
    Exit-PycauLockMutex
}
Write-PycauResult -Document ([ordered]@{
    Renewed = $true
})
