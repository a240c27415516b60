# Free the run lock if this coordinator holds it; anyone else's lock is left alone.
Enter-PycauLockMutex
try {
    $group = Get-PycauGroup -Name 'pycau-run-lock'
    $current = Get-PycauLockHolder -Group $group
    $released = Test-PycauSameHolder -Holder $current -Expected $PycauArgs.Holder
    if ($released) {
        Remove-ClusterGroup -Name 'pycau-run-lock' -Force -RemoveResources
    }
} finally {
    Exit-PycauLockMutex
}
Write-PycauResult -Document ([ordered]@{
    Released = $released
})
