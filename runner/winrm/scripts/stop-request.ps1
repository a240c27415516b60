# Ask the run that holds the run lock to stop (pycau stop, CAU's Stop-CauRun): the stop
# request is written into the lock group's holder document, under the lock mutex, so it is
# atomic against renewals and take-overs; the holder's next renewal answers it. Written only
# when the request names the holder's run (or none). Holder is null when no run holds the
# lock (nothing written); Requested says whether the request was written (or was already).
Enter-PycauLockMutex
$requested = $false
try {
    $group = Get-PycauGroup -Name 'pycau-run-lock'
    $current = Get-PycauLockHolder -Group $group
    $wanted = [string]$PycauArgs.Stop.RunId
    if (($null -ne $current) -and ([string]$current.RunId -ne '') -and (($wanted -eq '') -or ($wanted -eq [string]$current.RunId))) {
        $document = ConvertFrom-Json -InputObject ([string]$group.Description)
        if ($null -eq $document.Stop) {
            $stop = [ordered]@{
                RunId = [string]$current.RunId
                RequestedBy = [string]$PycauArgs.Stop.RequestedBy
                RequestedAt = [string]$PycauArgs.Stop.RequestedAt
            }
            $document | Add-Member -NotePropertyName 'Stop' -NotePropertyValue $stop -Force
            $group.Description = ConvertTo-Json -InputObject $document -Compress
        }
        $requested = $true
    }
} finally {
    Exit-PycauLockMutex
}
Write-PycauResult -Document ([ordered]@{
    Holder = $current
    Requested = $requested
})
