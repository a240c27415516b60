# Facts for the Test-CauSetup-like readiness rules that can be checked remotely on this node
# (runner/winrm/readiness.py judges them): versions, cluster service, Automatic Updates
# policy, update source, Remote Shutdown firewall rules, WinHTTP proxy, free space, pending
# restart, the pre/post-update scripts and the boot beacon.
Assert-PycauNode -Name ([string]$PycauArgs.Node)
$framework = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full' -ErrorAction SilentlyContinue
$service = Get-Service -Name 'ClusSvc' -ErrorAction SilentlyContinue
$policy = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate' -ErrorAction SilentlyContinue
$automatic = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU' -ErrorAction SilentlyContinue
$shutdownRules = @(Get-NetFirewallRule -Group '@firewallapi.dll,-36751' -ErrorAction SilentlyContinue)
$proxy = (netsh.exe winhttp show proxy) -join ' '
$drive = Get-PSDrive -Name $env:SystemDrive.TrimEnd(':')
$pending = Test-Path -Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
$scripts = New-Object -TypeName System.Collections.ArrayList
foreach ($script in @($PycauArgs.Scripts)) {
    $hash = ''
    $exists = Test-Path -LiteralPath ([string]$script)
    if ($exists) {
        $hash = [string](Get-FileHash -LiteralPath ([string]$script) -Algorithm SHA256).Hash
    }
    $null = $scripts.Add([ordered]@{
        Path = [string]$script
        Exists = $exists
        Sha256 = $hash
    })
}
$beacon = Get-ScheduledTask -TaskName 'pycau-boot-beacon' -TaskPath '\pycau\' -ErrorAction SilentlyContinue
Write-PycauResult -Document ([ordered]@{
    Node = [string]$PycauArgs.Node
    PSVersion = [string]$PSVersionTable.PSVersion
    DotNetRelease = [int]$framework.Release
    ClusterServiceStatus = [int]$service.Status
    AUOptions = [int]$automatic.AUOptions
    NoAutoUpdate = [int]$automatic.NoAutoUpdate
    UseWUServer = [int]$automatic.UseWUServer
    WUServer = [string]$policy.WUServer
    RemoteShutdownRules = $shutdownRules.Count
    RemoteShutdownRulesEnabled = @($shutdownRules | Where-Object { [string]$_.Enabled -eq 'True' }).Count
    WinHttpProxy = $proxy
    SystemDriveFreeGB = [math]::Round($drive.Free / 1073741824, 1)
    RestartPending = $pending
    Scripts = $scripts
    BeaconInstalled = ($null -ne $beacon)
})
