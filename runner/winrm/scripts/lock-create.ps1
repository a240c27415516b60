# Take the run lock for this coordinator if no lock exists (create-if-absent; lock.ps1).
# Answers Created, or the current holder with its heartbeat age when the lock exists.
$created = $false
try {
    $group = Add-ClusterGroup -Name 'pycau-run-lock'
    $created = $true
} catch {
    $group = Get-PycauGroup -Name 'pycau-run-lock'
    if ($null -eq $group) {
        throw
    }
}
if ($created) {
    Set-PycauLockHolder -Group $group -Holder $PycauArgs.Holder
    Write-PycauResult -Document ([ordered]@{
        Created = $true
        Holder = $null
    })
} else {
    Write-PycauResult -Document ([ordered]@{
        Created = $false
        Holder = (Get-PycauLockHolder -Group $group)
    })
}
