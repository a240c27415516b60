# Take the run lock over from the one holder the coordinator named (--force-recovery, after
# runner/lease.py judged that holder gone): a compare-and-swap under the lock mutex, so of two
# coordinators taking over the same holder, one wins and the other is answered the winner.
Enter-PycauLockMutex
try {
    $group = Get-PycauGroup -Name 'pycau-run-lock'
    if ($null -eq $group) {
        # Freed meanwhile: taking it is creating it.
        $group = Add-ClusterGroup -Name 'pycau-run-lock'
        Set-PycauLockHolder -Group $group -Holder $PycauArgs.Holder
        $answer = [ordered]@{
            TakenOver = $true
            Holder = $null
        }
    } else {
        $current = Get-PycauLockHolder -Group $group
        if (Test-PycauSameHolder -Holder $current -Expected $PycauArgs.Previous) {
            Set-PycauLockHolder -Group $group -Holder $PycauArgs.Holder
            $answer = [ordered]@{
                TakenOver = $true
                Holder = $null
            }
        } else {
            $answer = [ordered]@{
                TakenOver = $false
                Holder = $current
            }
        }
    }
} finally {
    Exit-PycauLockMutex
}
Write-PycauResult -Document $answer
