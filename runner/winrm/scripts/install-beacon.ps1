# Install the boot beacon on this node: a startup task (SYSTEM) that writes the node's boot
# time and OS build into the cluster database (cluster parameter PycauNode.<name>), run once
# now. observe.ps1 reads every node's boot id from there in one round trip.
Assert-PycauNode -Name ([string]$PycauArgs.Node)
$directory = Join-Path -Path $env:ProgramData -ChildPath 'pycau'
$null = New-Item -ItemType Directory -Path $directory -Force
$beacon = Join-Path -Path $directory -ChildPath 'beacon.ps1'
Set-Content -LiteralPath $beacon -Value ([string]$PycauArgs.Beacon) -Encoding UTF8
$argument = '-NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "' + $beacon + '"'
$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $argument
$trigger = New-ScheduledTaskTrigger -AtStartup
$principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest
$null = Register-ScheduledTask -TaskName 'pycau-boot-beacon' -TaskPath '\pycau\' -Action $action -Trigger $trigger -Principal $principal -Force
Start-ScheduledTask -TaskName 'pycau-boot-beacon' -TaskPath '\pycau\'
Write-PycauResult -Document ([ordered]@{
    Node = [string]$PycauArgs.Node
    Installed = $true
})
