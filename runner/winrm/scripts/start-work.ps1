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
# The worker travels gzip-compressed and base64-encoded (runner/winrm/scripts.py), which
# keeps this command line well under CreateProcess' 32 K characters.
$packed = [System.IO.MemoryStream]::new([System.Convert]::FromBase64String([string]$PycauArgs.Worker))
$unpacked = [System.IO.Compression.GZipStream]::new($packed, [System.IO.Compression.CompressionMode]::Decompress)
$reader = [System.IO.StreamReader]::new($unpacked, [System.Text.Encoding]::UTF8)
Set-Content -LiteralPath $worker -Value $reader.ReadToEnd() -Encoding UTF8
$reader.Dispose()
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
