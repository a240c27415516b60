# Snapshot, one node's part (read-only, on the node's own endpoint; `pycau snapshot`):
# - memory for VMs and simultaneous live migrations (Get-VMHost), and the VMs it runs with
#   their memory (Get-VM: assigned while running, else the startup memory);
# - the write rate of each CSV volume from this node: '\Cluster CSVFS(*)\Write Bytes/sec'
#   sampled Samples times a second apart (the parser sums the nodes' means per volume);
# - its own history: Windows Update Client installs (System log, event 43 "installation
#   started" and 19 "installation successful") and restarts (event 1074, a restart
#   initiated — its fifth property is the shutdown type, "power off" for a shutdown — and
#   6005, the event log service started at the next boot), as FILETIMEs; the parser pairs
#   them into durations.
# Whatever cannot be read is named in Unread, never guessed.
Assert-PycauNode -Name ([string]$PycauArgs.Node)
$unread = New-Object -TypeName System.Collections.ArrayList
$memory = [long]0
$migrations = 0
try {
    $vmHost = Get-VMHost
    $memory = [long]$vmHost.MemoryCapacity
    $migrations = [int]$vmHost.MaximumVirtualMachineMigrations
} catch {
    $null = $unread.Add('Get-VMHost: ' + $_.Exception.Message)
}
$vms = @()
try {
    $vms = @(Get-VM | ForEach-Object {
        [ordered]@{
            Name = [string]$_.VMName
            State = [int]$_.State
            MemoryAssigned = [long]$_.MemoryAssigned
            MemoryStartup = [long]$_.MemoryStartup
        }
    })
} catch {
    $null = $unread.Add('Get-VM: ' + $_.Exception.Message)
}
$rates = @()
try {
    $sampled = Get-Counter -Counter '\Cluster CSVFS(*)\Write Bytes/sec' -SampleInterval 1 -MaxSamples ([int]$PycauArgs.Samples)
    $sums = @{}
    $counts = @{}
    foreach ($set in @($sampled)) {
        foreach ($sample in @($set.CounterSamples)) {
            $instance = [string]$sample.InstanceName
            if ($instance -ne '_total') {
                $sums[$instance] = [double]$sums[$instance] + [double]$sample.CookedValue
                $counts[$instance] = [int]$counts[$instance] + 1
            }
        }
    }
    $rates = @($sums.Keys | ForEach-Object {
        [ordered]@{
            Instance = [string]$_
            BytesPerSecond = [double]$sums[$_] / [double]$counts[$_]
            Samples = [int]$counts[$_]
        }
    })
} catch {
    $null = $unread.Add('Get-Counter Cluster CSVFS Write Bytes/sec: ' + $_.Exception.Message)
}
$updates = @()
try {
    $updates = @(Get-WinEvent -FilterHashtable @{ LogName = 'System'; ProviderName = 'Microsoft-Windows-WindowsUpdateClient'; Id = @(19, 43) } -MaxEvents ([int]$PycauArgs.MaxEvents) -ErrorAction Stop | ForEach-Object {
        [ordered]@{
            Id = [int]$_.Id
            Time = [long]$_.TimeCreated.ToUniversalTime().ToFileTimeUtc()
            Title = [string]$_.Properties[0].Value
            UpdateGuid = [string]$_.Properties[1].Value
        }
    })
} catch {
    if ([string]$_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') {
        $null = $unread.Add('Get-WinEvent WindowsUpdateClient: ' + $_.Exception.Message)
    }
}
$restarts = @()
try {
    $restarts = @(Get-WinEvent -FilterHashtable @{ LogName = 'System'; Id = @(1074, 6005) } -MaxEvents ([int]$PycauArgs.MaxEvents) -ErrorAction Stop | ForEach-Object {
        $kind = ''
        if ([int]$_.Id -eq 1074 -and $_.Properties.Count -gt 4) {
            $kind = [string]$_.Properties[4].Value
        }
        [ordered]@{
            Id = [int]$_.Id
            Time = [long]$_.TimeCreated.ToUniversalTime().ToFileTimeUtc()
            Kind = $kind
        }
    })
} catch {
    if ([string]$_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') {
        $null = $unread.Add('Get-WinEvent restarts: ' + $_.Exception.Message)
    }
}
Write-PycauResult -Document ([ordered]@{
    Node = [string]$PycauArgs.Node
    MemoryCapacity = $memory
    MaximumVirtualMachineMigrations = $migrations
    VirtualMachines = $vms
    WriteRates = $rates
    UpdateEvents = $updates
    RestartEvents = $restarts
    Unread = $unread
})
