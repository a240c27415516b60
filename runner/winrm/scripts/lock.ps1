# House library of the scripts that read, take or are fenced by the run lock (composed by
# runner/winrm/scripts.py after the prelude; see runner/lease.py for the policy).
# The run lock is the cluster group 'pycau-run-lock'. Add-ClusterGroup fails when a group of
# that name exists and the cluster database serializes group creation, so of two
# coordinators racing for the lock exactly one creates it. The group's Description holds the
# holder document: RunId, Coordinator (host), Pid, StartedAt, and Heartbeat in UTC ticks of
# the cluster's own clock. Writes to an existing lock's Description (take-over, renewal) are
# serialized by a second group, 'pycau-run-lock-mutex', created and removed the same way.
# The lock group holds no resource, and observe.ps1 does not count it as a role.

function Get-PycauWin32Codes {
    param($ErrorRecord)
    $codes = @()
    $cursor = $ErrorRecord.Exception
    while ($null -ne $cursor) {
        if ($cursor -is [System.ComponentModel.Win32Exception]) {
            $codes += [int]$cursor.NativeErrorCode
        }
        $codes += ([int]$cursor.HResult -band 0xFFFF)
        $cursor = $cursor.InnerException
    }
    $codes
}

function Get-PycauGroup {
    param($Name)
    # The cluster stopped (the offline update): its database, and this group, are offline.
    $service = Get-Service -Name 'ClusSvc' -ErrorAction SilentlyContinue
    if (($null -ne $service) -and ([string]$service.Status -ne 'Running')) {
        throw (New-PycauError -Kind 'ClusterUnreachable' -Message 'the cluster service is not running on this node: the cluster is stopped and the run lock is in the nodes claims')
    }
    # ERROR_GROUP_NOT_FOUND (5013): no such group. Any other failure is a real error.
    try {
        Get-ClusterGroup -Name $Name
    } catch {
        if (@(Get-PycauWin32Codes -ErrorRecord $_) -notcontains 5013) {
            throw
        }
        $null
    }
}

function Get-PycauLockHolder {
    param($Group)
    if ($null -eq $Group) {
        return $null
    }
    $text = [string]$Group.Description
    if ($text -eq '') {
        # Created an instant ago; its creator is writing the holder now.
        return [ordered]@{
            RunId = ''
            Coordinator = ''
            Pid = 0
            StartedAt = ''
            AgeSeconds = 0
        }
    }
    $holder = ConvertFrom-Json -InputObject $text
    $age = ([double]([DateTime]::UtcNow.Ticks) - [double]$holder.Heartbeat) / 10000000.0
    [ordered]@{
        RunId = [string]$holder.RunId
        Coordinator = [string]$holder.Coordinator
        Pid = [int]$holder.Pid
        StartedAt = [string]$holder.StartedAt
        AgeSeconds = [Math]::Max($age, 0.0)
    }
}

function Test-PycauSameHolder {
    param($Holder, $Expected)
    ($null -ne $Holder) -and ([string]$Holder.RunId -eq [string]$Expected.RunId) -and ([string]$Holder.Coordinator -eq [string]$Expected.Coordinator) -and ([int]$Holder.Pid -eq [int]$Expected.Pid)
}

function Set-PycauLockHolder {
    param($Group, $Holder)
    $document = [ordered]@{
        RunId = [string]$Holder.RunId
        Coordinator = [string]$Holder.Coordinator
        Pid = [int]$Holder.Pid
        StartedAt = [string]$Holder.StartedAt
        Heartbeat = [DateTime]::UtcNow.Ticks
    }
    $Group.Description = ConvertTo-Json -InputObject $document -Compress
}

function Enter-PycauLockMutex {
    for ($try = 0; $try -lt 40; $try++) {
        try {
            $mutex = Add-ClusterGroup -Name 'pycau-run-lock-mutex'
            $mutex.Description = [string][DateTime]::UtcNow.Ticks
            return
        } catch {
            $mutex = Get-PycauGroup -Name 'pycau-run-lock-mutex'
            if ($null -eq $mutex) {
                throw
            }
        }
        Start-Sleep -Milliseconds 250
    }
    throw (New-PycauError -Kind 'RemoteCommandFailed' -Message 'the run lock is busy: the cluster group pycau-run-lock-mutex exists for more than 10 s; if no pycau run is taking or renewing the lock, a coordinator died while writing it: remove that group (Remove-ClusterGroup -Name pycau-run-lock-mutex) and try again')
}

function Exit-PycauLockMutex {
    Remove-ClusterGroup -Name 'pycau-run-lock-mutex' -Force -RemoveResources
}

function Get-PycauClaim {
    # The run lock's claim on this node (offline-claim.ps1), with its heartbeat's age; or $null.
    $value = Get-ItemProperty -Path 'HKLM:\SOFTWARE\pycau' -Name 'OfflineClaim' -ErrorAction SilentlyContinue
    if ($null -eq $value) {
        return $null
    }
    $claim = ConvertFrom-Json -InputObject ([string]$value.OfflineClaim)
    $age = ([double]([DateTime]::UtcNow.Ticks) - [double]$claim.Heartbeat) / 10000000.0
    [ordered]@{
        RunId = [string]$claim.RunId
        Coordinator = [string]$claim.Coordinator
        Pid = [int]$claim.Pid
        StartedAt = [string]$claim.StartedAt
        AgeSeconds = [Math]::Max($age, 0.0)
    }
}

function Set-PycauClaim {
    param($Holder)
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\pycau')) {
        $null = New-Item -Path 'HKLM:\SOFTWARE\pycau'
    }
    $document = [ordered]@{
        RunId = [string]$Holder.RunId
        Coordinator = [string]$Holder.Coordinator
        Pid = [int]$Holder.Pid
        StartedAt = [string]$Holder.StartedAt
        Heartbeat = [DateTime]::UtcNow.Ticks
    }
    Set-ItemProperty -Path 'HKLM:\SOFTWARE\pycau' -Name 'OfflineClaim' -Value (ConvertTo-Json -InputObject $document -Compress)
}

function Assert-PycauFence {
    param($Fence)
    # A fenced command acts only while the coordinator that sends it holds the run lock.
    if ($null -eq $Fence) {
        return
    }
    # While the cluster is stopped (the offline update) this node's claim stands in for the
    # lock, which is in the offline cluster database.
    $service = Get-Service -Name 'ClusSvc' -ErrorAction SilentlyContinue
    $claim = Get-PycauClaim
    if (($null -ne $claim) -and ($null -ne $service) -and ([string]$service.Status -ne 'Running')) {
        # A claim of the coordinator this one took the run over from (while this node was
        # away) is this one's now.
        $supersedes = $PycauArgs.Supersedes
        if (($null -ne $supersedes) -and (Test-PycauSameHolder -Holder $claim -Expected $supersedes)) {
            Set-PycauClaim -Holder $Fence
        } elseif (-not (Test-PycauSameHolder -Holder $claim -Expected $Fence)) {
            throw (New-PycauError -Kind 'RunLocked' -Message ('this node is claimed by run ' + [string]$claim.RunId + ', not run ' + [string]$Fence.RunId + '; the command was refused'))
        }
        return
    }
    $holder = Get-PycauLockHolder -Group (Get-PycauGroup -Name 'pycau-run-lock')
    if (-not (Test-PycauSameHolder -Holder $holder -Expected $Fence)) {
        throw (New-PycauError -Kind 'RunLocked' -Message ('the run lock is not held by run ' + [string]$Fence.RunId + ' any more; the command was refused'))
    }
}
