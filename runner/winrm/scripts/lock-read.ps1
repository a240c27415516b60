# Who holds the run lock, with the heartbeat's age in the cluster's own time (pycau status,
# and the refusal of a second coordinator). Holder is null when the cluster is not locked.
Write-PycauResult -Document ([ordered]@{
    Holder = (Get-PycauLockHolder -Group (Get-PycauGroup -Name 'pycau-run-lock'))
})
