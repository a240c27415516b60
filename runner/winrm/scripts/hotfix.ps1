# The Hotfix plug-in (CAU's Microsoft.HotfixPlugin) for the detached worker: dot-sourced by
# worker.ps1 from ProgramData\pycau\hotfix.ps1, where install-hotfix-library.ps1 writes it.
# CAU's checks (SMB signing or encryption, RequireSmbEncryption, the root folder's and the
# configuration file's permissions unless DisableAclChecks), its folder structure
# (CAUHotfix_All\ and <Node>\, subfolders named by <Folder> rules), each file's rule, the
# installer its <Template> names, bounded by HotfixInstallerTimeoutMinutes, and the exit
# code read through the rule's <ExitConditions> (listed nowhere: failed, no restart).
# runner/hotfix_config.py reads the same configuration for rehearsals.
$PycauAllNodes = 'CAUHotfix_All'
$PycauLedger = Join-Path -Path $env:ProgramData -ChildPath 'pycau\hotfixes.json'
$PycauConditions = @('Success', 'Success_RebootRequired', 'Fail_RebootRequired', 'AlreadyInstalled', 'NotApplicable')

function Get-PycauSid {
    param($Identity)
    try {
        return [string]$Identity.Translate([System.Security.Principal.SecurityIdentifier]).Value
    } catch {
        return [string]$Identity
    }
}

# Users read; only Administrators, SYSTEM, CREATOR OWNER and TrustedInstaller may write.
function Assert-PycauHotfixAcl {
    param([string]$Path)
    $writers = @('S-1-5-32-544', 'S-1-5-18', 'S-1-3-0', 'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464')
    $write = 0x116 -bor 0x10000 -bor 0x40000 -bor 0x80000
    $readable = $false
    foreach ($rule in @((Get-Acl -LiteralPath $Path).Access)) {
        if ([string]$rule.AccessControlType -ne 'Allow') {
            continue
        }
        $sid = Get-PycauSid -Identity $rule.IdentityReference
        $rights = [int]$rule.FileSystemRights
        if ((($rights -band $write) -ne 0) -and ($writers -notcontains $sid)) {
            throw ([string]$rule.IdentityReference + ' may write to ' + $Path + ': only Administrators, SYSTEM, CREATOR OWNER and TrustedInstaller may (DisableAclChecks skips this check)')
        }
        if (($sid -eq 'S-1-5-32-545') -and (($rights -band 0x1) -ne 0)) {
            $readable = $true
        }
    }
    if (-not $readable) {
        throw ('Users cannot read ' + $Path + ' (DisableAclChecks skips this check)')
    }
}

# The checks CAU makes before it lists the share, then its configuration file.
function Get-PycauHotfixConfig {
    param($Plugin)
    $root = [string]$Plugin.Arguments.HotfixRootFolderPath
    if (-not (Test-Path -LiteralPath $root)) {
        throw ('the hotfix root folder ' + $root + ' does not exist or cannot be reached')
    }
    if ($root.StartsWith('\\')) {
        $server = @($root.TrimStart('\').Split('\'))[0]
        $connection = @(Get-SmbConnection -ServerName $server -ErrorAction SilentlyContinue | Where-Object { $null -ne $_ })
        $signed = @($connection | Where-Object { $_.Signed }).Count -gt 0
        $encrypted = @($connection | Where-Object { $_.Encrypted }).Count -gt 0
        if ((-not $signed) -and (-not $encrypted)) {
            throw ('the share of ' + $root + ' requires neither SMB signing nor SMB encryption; the hotfix plug-in needs one of them')
        }
        if ([bool]$Plugin.Arguments.RequireSmbEncryption -and (-not $encrypted)) {
            throw ('require_smb_encryption is set and the share of ' + $root + ' is not SMB-encrypted')
        }
    }
    $name = [string]$Plugin.Arguments.HotfixConfigFileName
    $path = Join-Path -Path $root -ChildPath $name
    if (-not (Test-Path -LiteralPath $path)) {
        throw ('the hotfix configuration file ' + $name + ' is not in ' + $root)
    }
    if (-not [bool]$Plugin.Arguments.DisableAclChecks) {
        Assert-PycauHotfixAcl -Path $root
        Assert-PycauHotfixAcl -Path $path
    }
    try {
        $config = New-Object -TypeName System.Xml.XmlDocument
        $config.XmlResolver = $null
        $config.LoadXml((Get-Content -LiteralPath $path -Raw))
    } catch {
        throw ('the hotfix configuration ' + $name + ' is not XML: ' + [string]$_.Exception.Message)
    }
    return $config
}

# The rule of a file inside CAUHotfix_All\ or <Node>\: its extension's, or its subfolder's.
function Get-PycauHotfixRule {
    param($Config, [string]$Relative)
    $parts = @($Relative.Split('\') | Where-Object { $_ })
    if ($parts.Count -eq 1) {
        $extension = [System.IO.Path]::GetExtension($parts[0]).TrimStart('.')
        foreach ($rule in @($Config.SelectNodes("//*[local-name()='ExtensionRules']/*[local-name()='Extension']"))) {
            if ([string]$rule.GetAttribute('name') -eq $extension) {
                return $rule
            }
        }
    } elseif ($parts.Count -eq 2) {
        foreach ($rule in @($Config.SelectNodes("//*[local-name()='FolderRules']/*[local-name()='Folder']"))) {
            if ([string]$rule.GetAttribute('name') -eq $parts[0]) {
                return $rule
            }
        }
    }
    return $null
}

function ConvertTo-PycauExitCode {
    param([string]$Text)
    $trimmed = $Text.Trim()
    if ($trimmed -match '^0[xX]([0-9A-Fa-f]+)$') {
        $value = [System.Convert]::ToInt64($Matches[1], 16)
    } else {
        $value = [long]$trimmed
    }
    return ($value -band [long]4294967295)
}

# An exit code's meaning under a rule; listed nowhere: Failed (no restart).
function Get-PycauExitCondition {
    param($Rule, [long]$Code)
    $unsigned = $Code -band [long]4294967295
    foreach ($name in $PycauConditions) {
        $holder = $Rule.SelectSingleNode("*[local-name()='ExitConditions']/*[local-name()='" + $name + "']")
        if ($null -eq $holder) {
            continue
        }
        foreach ($exit in @($holder.SelectNodes("*[local-name()='ExitCode']"))) {
            if ((ConvertTo-PycauExitCode -Text ([string]$exit.GetAttribute('code'))) -eq $unsigned) {
                if (($name -eq 'Success') -and ($Rule.LocalName -eq 'Folder') -and (@('true', '1') -contains ([string]$Rule.GetAttribute('alwaysReboot')).ToLowerInvariant())) {
                    return 'Success_RebootRequired'
                }
                return $name
            }
        }
    }
    return 'Failed'
}

# Hotfix files this worker installed (or found already installed / not applicable), by id
# and SHA-256, so that the re-scan after a restart does not offer them again.
function Get-PycauHotfixLedger {
    $ledger = @{}
    if (Test-Path -LiteralPath $PycauLedger) {
        $saved = ConvertFrom-Json -InputObject (Get-Content -LiteralPath $PycauLedger -Raw)
        foreach ($entry in @($saved)) {
            $ledger[[string]$entry.Key] = [string]$entry.Condition
        }
    }
    return $ledger
}

function Find-PycauHotfixes {
    param($Plugin)
    $config = Get-PycauHotfixConfig -Plugin $Plugin
    $ledger = Get-PycauHotfixLedger
    $root = [string]$Plugin.Arguments.HotfixRootFolderPath
    foreach ($folder in @($PycauAllNodes, $env:COMPUTERNAME)) {
        $base = Join-Path -Path $root -ChildPath $folder
        if (-not (Test-Path -LiteralPath $base)) {
            continue
        }
        foreach ($file in @(Get-ChildItem -LiteralPath $base -File -Recurse -Depth 1 | Sort-Object -Property 'FullName')) {
            $relative = $file.FullName.Substring($base.Length).TrimStart('\')
            $rule = Get-PycauHotfixRule -Config $config -Relative $relative
            if ($null -eq $rule) {
                continue
            }
            $id = $folder + '\' + $relative
            if ($file.Name -match '(KB\d+)') {
                $id = $Matches[1].ToUpperInvariant()
            }
            $key = $id + '|' + (Get-FileHash -LiteralPath $file.FullName -Algorithm SHA256).Hash
            if ($ledger.ContainsKey($key)) {
                continue
            }
            [pscustomobject]@{
                Id = $id
                Title = $file.Name
                Kind = 'hotfix'
                RestartRequired = $false
                Firmware = $false
                Plugin = 'hotfix'
                Path = $file.FullName
                Key = $key
                Rule = $rule
            }
        }
    }
}

# Each chosen hotfix's installer, from its rule's template, bounded by the plug-in's timeout.
function Install-PycauHotfixes {
    param($Plugin)
    $wanted = @($job.UpdateIds)
    $minutes = [int]$Plugin.Arguments.HotfixInstallerTimeoutMinutes
    $ledger = Get-PycauHotfixLedger
    $results = New-Object -TypeName System.Collections.ArrayList
    $status.State = 'Succeeded'
    foreach ($hotfix in @(Find-PycauHotfixes -Plugin $Plugin)) {
        if ($wanted -notcontains $hotfix.Id) {
            continue
        }
        $template = $hotfix.Rule.SelectSingleNode("*[local-name()='Template']")
        $quoted = '"' + $hotfix.Path + '"'
        $program = [System.Environment]::ExpandEnvironmentVariables([string]$template.GetAttribute('path')).Replace('$update$', $hotfix.Path)
        $parameters = ([string]$template.GetAttribute('parameters')).Replace('$update$', $quoted)
        $process = Start-Process -FilePath $program -ArgumentList $parameters -PassThru -WindowStyle Hidden
        $code = [long]0x800705B4
        $condition = 'Failed'
        if ($process.WaitForExit($minutes * 60000)) {
            $code = [long]$process.ExitCode
            $condition = Get-PycauExitCondition -Rule $hotfix.Rule -Code $code
        } else {
            Stop-Process -InputObject $process -Force
        }
        $succeeded = @('Success', 'Success_RebootRequired', 'AlreadyInstalled', 'NotApplicable') -contains $condition
        $restart = @('Success_RebootRequired', 'Fail_RebootRequired') -contains $condition
        if ($succeeded) {
            $ledger[$hotfix.Key] = $condition
        } else {
            $status.State = 'Failed'
        }
        if ($restart) {
            $status.RestartRequired = $true
        }
        $resultCode = 4
        if ($succeeded) {
            $resultCode = 2
        }
        $null = $results.Add([ordered]@{
            Id = $hotfix.Id
            Title = $hotfix.Title
            ResultCode = $resultCode
            HResult = '0x{0:X8}' -f ($code -band [long]4294967295)
            RestartRequired = $restart
            Plugin = 'hotfix'
            ExitCode = $code
            Condition = $condition
        })
    }
    $entries = @($ledger.Keys | Sort-Object | ForEach-Object { [ordered]@{ Key = $_; Condition = $ledger[$_] } })
    $null = New-Item -ItemType Directory -Path (Split-Path -Path $PycauLedger -Parent) -Force
    Set-Content -LiteralPath $PycauLedger -Value (ConvertTo-Json -InputObject $entries -Depth 3 -Compress) -Encoding UTF8
    $status.Results = $results
}
