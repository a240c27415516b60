# Start detached work on this node: a scheduled task running as SYSTEM executes worker.ps1
# (the Windows Update API refuses plain network logons, as ansible's win_updates found), so
# the work survives a dropped management connection. Answers the handle at once.
# Cluster validation names no node: it runs on whichever node holds the cluster endpoint.
Assert-PycauFence -Fence $PycauArgs.Fence
$node = [string]$PycauArgs.Node
if ($node) {
    Assert-PycauNode -Name $node
} else {
    $node = $env:COMPUTERNAME
}
$id = [guid]::NewGuid().ToString()
$directory = Get-PycauWorkDirectory -Id $id
$null = New-Item -ItemType Directory -Path $directory -Force
$worker = Join-Path -Path $directory -ChildPath 'worker.ps1'
# The worker was installed by install-worker (runner/winrm/transport.py) under its hash.
$installed = Join-Path -Path $env:ProgramData -ChildPath ('pycau\worker-' + [string]$PycauArgs.WorkerHash + '.ps1')
if (-not (Test-Path -LiteralPath $installed)) {
    throw (New-PycauError -Kind 'RemoteCommandFailed' -Message ('the pycau worker ' + [string]$PycauArgs.WorkerHash + ' is not installed on ' + $node))
}
Copy-Item -LiteralPath $installed -Destination $worker
$job = [ordered]@{
    Id = $id
    Node = $node
    Kind = [string]$PycauArgs.Kind
    Criteria = [string]$PycauArgs.Criteria
    UpdateIds = @($PycauArgs.UpdateIds)
    Script = [string]$PycauArgs.Script
    Plugins = @($PycauArgs.Plugins)
    Serially = [bool]$PycauArgs.Serially
    StopOnFailure = [bool]$PycauArgs.StopOnFailure
}
Set-Content -LiteralPath (Join-Path -Path $directory -ChildPath 'job.json') -Value (ConvertTo-Json -InputObject $job -Depth 6 -Compress) -Encoding UTF8
$status = [ordered]@{
    Id = $id
    Node = $job.Node
    Kind = $job.Kind
    State = 'Running'
    Percent = 0
}
Set-Content -LiteralPath (Join-Path -Path $directory -ChildPath 'status.json') -Value (ConvertTo-Json -InputObject $status -Depth 4 -Compress) -Encoding UTF8
$argument = '-NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "' + $worker + '"'
$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $argument
$principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest
$settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -ExecutionTimeLimit (New-TimeSpan -Hours 12)
$null = Register-ScheduledTask -TaskName ('pycau-' + $id) -TaskPath '\pycau\' -Action $action -Principal $principal -Settings $settings -Force
Start-ScheduledTask -TaskName ('pycau-' + $id) -TaskPath '\pycau\'
Write-PycauResult -Document ([ordered]@{
    Id = $id
    Node = $job.Node
    Kind = $job.Kind
})
