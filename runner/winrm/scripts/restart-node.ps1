# Restart this node in a few seconds, so the answer gets out first. Completion is confirmed
# only by a changed boot id in a later observation, never by the dropped connection.
# Kernel Soft Reboot has no documented remote trigger: a soft request restarts fully and
# says so (Soft = false in the answer).
Assert-PycauFence -Fence $PycauArgs.Fence
Assert-PycauNode -Name ([string]$PycauArgs.Node)
# CAU restarts a node remotely (Remote Shutdown, through wininit): with Windows Firewall on
# for the Domain profile and that rule group disabled, its restart fails. pycau keeps CAU's
# requirement rather than working around it, so a run that fails under CAU fails here too
# (enable_firewall_rules enables the group first).
$domain = Get-NetFirewallProfile -Name 'Domain' -PolicyStore 'ActiveStore'
$shutdownRules = @(Get-NetFirewallRule -Group '@firewallapi.dll,-36751' -PolicyStore 'ActiveStore' -ErrorAction SilentlyContinue)
$open = @($shutdownRules | Where-Object { [string]$_.Enabled -eq 'True' }).Count
if (([string]$domain.Enabled -eq 'True') -and ($open -eq 0)) {
    throw (New-PycauError -Kind 'RemoteCommandFailed' -Message ('the Remote Shutdown firewall rule group is disabled on ' + [string]$PycauArgs.Node + ': Windows Firewall blocks the remote restart (enable the group, or set enable_firewall_rules)'))
}
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
