# House prelude of every pycau script (composed by runner/winrm/scripts.py).
# Errors stop the script; no progress records pollute the streams; output is UTF-8 and is
# exactly one JSON document, written by Write-PycauResult, which stamps it with the
# endpoint's monotonic clock (Now, seconds). Comments and blank lines are stripped before
# sending.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
try {
    [Console]::OutputEncoding = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
} catch {
    $null = $_
}

function Write-PycauResult {
    param($Document)
    $now = [double][System.Diagnostics.Stopwatch]::GetTimestamp() / [double][System.Diagnostics.Stopwatch]::Frequency
    if ($Document -is [System.Collections.IDictionary]) {
        $Document['Now'] = $now
    } else {
        $Document | Add-Member -NotePropertyName Now -NotePropertyValue $now -Force
    }
    [Console]::Out.Write((ConvertTo-Json -InputObject $Document -Depth 6 -Compress))
}

function New-PycauError {
    param($Kind, $Message)
    $exception = New-Object -TypeName System.InvalidOperationException -ArgumentList $Message
    $exception.Data['PycauKind'] = $Kind
    $exception
}

function Get-PycauErrorDocument {
    param($ErrorRecord)
    $kind = 'RemoteCommandFailed'
    $win32 = 0
    $cursor = $ErrorRecord.Exception
    while ($null -ne $cursor) {
        if ($cursor.Data.Contains('PycauKind')) {
            $kind = [string]$cursor.Data['PycauKind']
        }
        if ($cursor -is [System.ComponentModel.Win32Exception]) {
            $win32 = [int]$cursor.NativeErrorCode
        }
        $cursor = $cursor.InnerException
    }
    [ordered]@{
        Error = [ordered]@{
            Kind = $kind
            Command = [string]$ErrorRecord.InvocationInfo.MyCommand.Name
            Message = [string]$ErrorRecord.Exception.Message
            Category = [string]$ErrorRecord.CategoryInfo.Category
            FullyQualifiedErrorId = [string]$ErrorRecord.FullyQualifiedErrorId
            HResult = [int]$ErrorRecord.Exception.HResult
            Win32Code = $win32
        }
    }
}

function Assert-PycauNode {
    param($Name)
    if ($env:COMPUTERNAME -ne $Name) {
        throw (New-PycauError -Kind 'WrongNode' -Message ('this script is for node ' + $Name + ' but runs on ' + $env:COMPUTERNAME))
    }
}

function Get-PycauWorkDirectory {
    param($Id)
    Join-Path -Path (Join-Path -Path $env:ProgramData -ChildPath 'pycau\work') -ChildPath $Id
}
