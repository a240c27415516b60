# Detached work of one pycau handle, run by a scheduled task as SYSTEM (start-work.ps1):
# a Windows Update scan (and whether a restart is pending), an install of chosen updates,
# a pre/post-update script, or cluster validation (Test-Cluster).
# Progress and results go to status.json next to this file, replaced atomically.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$directory = $PSScriptRoot
$job = ConvertFrom-Json -InputObject (Get-Content -LiteralPath (Join-Path -Path $directory -ChildPath 'job.json') -Raw)
$status = [ordered]@{
    Id = [string]$job.Id
    Node = [string]$job.Node
    Kind = [string]$job.Kind
    State = 'Running'
    Percent = 0
    Offered = @()
    Results = @()
    RestartRequired = $false
    ExitCode = $null
    Error = ''
    HResult = ''
    ChannelRestartPending = $false
}

function Save-PycauStatus {
    $path = Join-Path -Path $directory -ChildPath 'status.json'
    $temporary = $path + '.tmp'
    Set-Content -LiteralPath $temporary -Value (ConvertTo-Json -InputObject $status -Depth 6 -Compress) -Encoding UTF8
    Move-Item -LiteralPath $temporary -Destination $path -Force
}

function Get-PycauUpdateId {
    param($Update)
    $articles = @($Update.KBArticleIDs)
    if ($articles.Count -gt 0) {
        return 'KB' + [string]$articles[0]
    }
    return [string]$Update.Identity.UpdateID
}

function Get-PycauUpdateKind {
    param($Update)
    foreach ($category in @($Update.Categories)) {
        if ($category.Name -eq 'Upgrades') {
            return 'feature'
        }
        if ($category.Name -eq 'Drivers') {
            return 'driver'
        }
    }
    return 'quality'
}

function Test-PycauRestartPending {
    $pending = @(
        'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired',
        'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
    )
    foreach ($key in $pending) {
        if (Test-Path -LiteralPath $key) {
            return $true
        }
    }
    return $false
}

# The Windows Update search of a plug-in: its QueryString (the profile's, or CAU's default).
function Get-PycauCriteria {
    param($Plugin)
    $query = [string]$Plugin.Arguments.QueryString
    if ($query) {
        return $query
    }
    return [string]$job.Criteria
}

# Windows Update offers, told apart by plug-in: RollingUpgrade takes the Upgrades category (the
# feature update) and nothing else, Windows Update everything but it. By default only
# important updates (AutoSelectOnWebSites); IncludeRecommendedUpdates adds recommended ones.
function Find-PycauWindowsUpdates {
    param($Plugin)
    $name = [string]$Plugin.Name
    if (($name -eq 'rolling-upgrade') -and ($Plugin.Arguments.WuConnected -eq $false)) {
        throw 'feature updates from setup media (WuConnected false) are not supported by pycau yet'
    }
    $searcher = $session.CreateUpdateSearcher()
    $found = $searcher.Search((Get-PycauCriteria -Plugin $Plugin))
    $recommended = [bool]$Plugin.Arguments.IncludeRecommendedUpdates
    foreach ($update in @($found.Updates)) {
        $kind = Get-PycauUpdateKind -Update $update
        if (($name -eq 'rolling-upgrade') -and ($kind -ne 'feature')) {
            continue
        }
        if (($name -eq 'windows-update') -and ($kind -eq 'feature')) {
            continue
        }
        if (($name -eq 'windows-update') -and (-not $recommended) -and (-not $update.AutoSelectOnWebSites)) {
            continue
        }
        [ordered]@{
            Id = Get-PycauUpdateId -Update $update
            Title = [string]$update.Title
            Kind = $kind
            RestartRequired = ([int]$update.InstallationBehavior.RebootBehavior -ne 0)
            Firmware = ([string]$update.DriverClass -eq 'Firmware')
            Plugin = $name
        }
    }
}

function Install-PycauWindowsUpdates {
    param($Plugin)
    $found = $session.CreateUpdateSearcher().Search((Get-PycauCriteria -Plugin $Plugin))
    $wanted = @($job.UpdateIds)
    $chosen = New-Object -ComObject Microsoft.Update.UpdateColl
    foreach ($update in @($found.Updates)) {
        if ($wanted -contains (Get-PycauUpdateId -Update $update)) {
            if (-not $update.EulaAccepted) {
                $update.AcceptEula()
            }
            $null = $chosen.Add($update)
        }
    }
    $results = New-Object -TypeName System.Collections.ArrayList
    $status.State = 'Succeeded'
    if ($chosen.Count -gt 0) {
        $downloader = $session.CreateUpdateDownloader()
        $downloader.Updates = $chosen
        $null = $downloader.Download()
        $status.Percent = 50
        Save-PycauStatus
        $installer = $session.CreateUpdateInstaller()
        $installer.Updates = $chosen
        $outcome = $installer.Install()
        for ($index = 0; $index -lt $chosen.Count; $index++) {
            $update = $chosen.Item($index)
            $one = $outcome.GetUpdateResult($index)
            # OperationResultCode: 2 Succeeded, 3 SucceededWithErrors, 4 Failed, 5 Aborted.
            if (@(2, 3) -notcontains [int]$one.ResultCode) {
                $status.State = 'Failed'
            }
            $null = $results.Add([ordered]@{
                Id = Get-PycauUpdateId -Update $update
                Title = [string]$update.Title
                ResultCode = [int]$one.ResultCode
                HResult = '0x{0:X8}' -f [int]$one.HResult
                RestartRequired = [bool]$one.RebootRequired
                Plugin = [string]$Plugin.Name
            })
        }
        $status.RestartRequired = [bool]$outcome.RebootRequired
    }
    $status.Results = $results
}

# The Hotfix plug-in's functions (Find-PycauHotfixes, Install-PycauHotfixes) live in the
# library install-hotfix-library.ps1 writes on the node before its first hotfix work.
$PycauHotfixLibrary = Join-Path -Path $env:ProgramData -ChildPath 'pycau\hotfix.ps1'

try {
    if ($job.Kind -eq 'script') {
        $global:LASTEXITCODE = 0
        $failed = $false
        try {
            $null = & ([string]$job.Script)
        } catch {
            $failed = $true
            $status.Error = [string]$_.Exception.Message
        }
        $code = [int]$global:LASTEXITCODE
        if ($failed -and ($code -eq 0)) {
            $code = 1
        }
        $status.ExitCode = $code
        $status.State = 'Succeeded'
        if ($code -ne 0) {
            $status.State = 'Failed'
        }
    } elseif ($job.Kind -eq 'validation') {
        # Test-Cluster throws when a test fails; it writes its report under
        # C:\Windows\Cluster\Reports either way (validation-report.ps1 reads it).
        $null = Test-Cluster -ErrorAction Stop
        $status.ExitCode = 0
        $status.State = 'Succeeded'
    } else {
        # Each plug-in scans (serially or not: the worker scans one after another either
        # way, and with StopOnFailure skips the later plug-ins after a failed scan) or the
        # one plug-in installs. No plug-in named: the Windows Update plug-in.
        $session = New-Object -ComObject Microsoft.Update.Session
        $session.ClientApplicationID = 'pycau'
        $plugins = @($job.Plugins | Where-Object { $null -ne $_ })
        if ($plugins.Count -eq 0) {
            $plugins = @([pscustomobject]@{ Name = 'windows-update'; Arguments = [pscustomobject]@{} })
        }
        if (@($plugins | Where-Object { [string]$_.Name -eq 'hotfix' }).Count -gt 0) {
            if (-not (Test-Path -LiteralPath $PycauHotfixLibrary)) {
                throw 'the hotfix plug-in library is not installed on this node'
            }
            . $PycauHotfixLibrary
        }
        if ($job.Kind -eq 'scan') {
            $offered = New-Object -TypeName System.Collections.ArrayList
            $seen = @{}
            $failures = New-Object -TypeName System.Collections.ArrayList
            foreach ($plugin in $plugins) {
                try {
                    if ([string]$plugin.Name -eq 'hotfix') {
                        $found = @(Find-PycauHotfixes -Plugin $plugin)
                    } else {
                        $found = @(Find-PycauWindowsUpdates -Plugin $plugin)
                    }
                } catch {
                    $null = $failures.Add(([string]$plugin.Name + ': ' + [string]$_.Exception.Message))
                    if ($job.Serially -and $job.StopOnFailure) {
                        break
                    }
                    continue
                }
                foreach ($one in $found) {
                    if (-not $seen.ContainsKey([string]$one.Id)) {
                        $seen[[string]$one.Id] = $true
                        $null = $offered.Add([ordered]@{
                            Id = [string]$one.Id
                            Title = [string]$one.Title
                            Kind = [string]$one.Kind
                            RestartRequired = [bool]$one.RestartRequired
                            Firmware = [bool]$one.Firmware
                            Plugin = [string]$one.Plugin
                        })
                    }
                }
            }
            $status.Offered = $offered
            # Still pending after a restart (Storage Replica, 21H2): the runner restarts again.
            $status.RestartRequired = Test-PycauRestartPending
            # Set-PreviewChannel turns flight signing on in the boot configuration; until the
            # node restarts, the options it booted with lack it and the channel's feature
            # update is not offered.
            $boot = (bcdedit.exe /enum '{current}') -join ' '
            $control = Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control' -ErrorAction SilentlyContinue
            $started = [string]$control.SystemStartOptions
            $status.ChannelRestartPending = ($boot -match 'flightsigning\s+Yes') -and ($started -notmatch 'FLIGHTSIGNING')
            $status.State = 'Succeeded'
            if ($failures.Count -gt 0) {
                $status.State = 'Failed'
                $status.Error = ($failures -join '; ')
            }
        } elseif ([string]$plugins[0].Name -eq 'hotfix') {
            Install-PycauHotfixes -Plugin $plugins[0]
        } else {
            Install-PycauWindowsUpdates -Plugin $plugins[0]
        }
    }
} catch {
    $status.State = 'Failed'
    $status.Error = [string]$_.Exception.Message
    $status.HResult = '0x{0:X8}' -f [int]$_.Exception.HResult
}
$status.Percent = 100
Save-PycauStatus
