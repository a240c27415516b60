# Poll detached work on this node: its status.json, cross-checked with the scheduled task
# (a worker killed by a restart leaves "Running" behind: the task is no longer running).
# Cluster validation is polled on the cluster endpoint, which names no node.
if ([string]$PycauArgs.Node) {
    Assert-PycauNode -Name ([string]$PycauArgs.Node)
}
$id = [string]$PycauArgs.Id
$path = Join-Path -Path (Get-PycauWorkDirectory -Id $id) -ChildPath 'status.json'
if (-not (Test-Path -LiteralPath $path)) {
    throw (New-PycauError -Kind 'RemoteCommandFailed' -Message ('there is no work ' + $id + ' on this node'))
}
$status = ConvertFrom-Json -InputObject (Get-Content -LiteralPath $path -Raw)
$task = Get-ScheduledTask -TaskName ('pycau-' + $id) -TaskPath '\pycau\' -ErrorAction SilentlyContinue
if ($status.State -eq 'Running') {
    # Task states: Queued 2 and Running 4 mean the worker is alive.
    if (($null -eq $task) -or (@(2, 4) -notcontains [int]$task.State)) {
        $result = 0
        if ($null -ne $task) {
            $result = [int](Get-ScheduledTaskInfo -InputObject $task).LastTaskResult
        }
        $status.State = 'Failed'
        $status | Add-Member -NotePropertyName Error -NotePropertyValue 'the worker stopped before it finished' -Force
        $status | Add-Member -NotePropertyName HResult -NotePropertyValue ('0x{0:X8}' -f $result) -Force
    }
} elseif ($null -ne $task) {
    Unregister-ScheduledTask -InputObject $task -Confirm:$false
}
Write-PycauResult -Document $status
