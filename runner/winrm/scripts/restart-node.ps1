# Restart this node in a few seconds, so the answer gets out first. Completion is confirmed
# only by a changed boot id in a later observation, never by the dropped connection.
# Kernel Soft Reboot has no documented remote trigger: a soft request restarts fully and
# says so (Soft = false in the answer).
Assert-PycauFence -Fence $PycauArgs.Fence
Assert-PycauNode -Name ([string]$PycauArgs.Node)
$os = Get-CimInstance -ClassName Win32_OperatingSystem
$null = shutdown.exe /r /t 5 /d p:2:17 /c 'pycau rolling update'
if ($LASTEXITCODE -ne 0) {
    throw (New-PycauError -Kind 'RemoteCommandFailed' -Message ('shutdown.exe refused the restart with exit code ' + [string]$LASTEXITCODE))
}
Write-PycauResult -Document ([ordered]@{
    Node = [string]$PycauArgs.Node
    LastBootUpTime = $os.LastBootUpTime
    Soft = $false
    DelaySeconds = 5
})
