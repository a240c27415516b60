# Observe: the whole cluster in ONE round trip — nodes (state, drain status, votes, boot id,
# OS build, management reachability), witness, groups and owners, virtual disks and storage
# jobs, the nodes whose drives are in storage maintenance mode, the product the nodes run
# (this node's ProductName stands for the cluster: Azure Stack HCI and Windows Server nodes
# never share a cluster), the cluster functional level, the S2D pool's version and the
# cluster's CauEnableSoftReboot property. Enums are cast to their numeric codes and CIM
# status values are read raw (UInt16, arrays for OperationalStatus), exactly as
# runner/winrm/parse.py expects from PS 5.1.
# Boot ids of other nodes come from the boot beacon each node writes into the cluster
# database (install-beacon.ps1), so no second hop is needed.
try {
    $cluster = Get-Cluster
} catch {
    throw (New-PycauError -Kind 'ClusterUnreachable' -Message ('the cluster does not answer: ' + $_.Exception.Message))
}
$beacons = @{}
$softReboot = $false
foreach ($parameter in @(Get-ClusterParameter -InputObject $cluster)) {
    if ($parameter.Name -like 'PycauNode.*') {
        $beacons[$parameter.Name.Substring(10)] = [string]$parameter.Value
    }
    # Kernel Soft Reboot for every CAU run: CauEnableSoftReboot = 1 (any other value or no
    # property: full restarts); reboot_mode cluster-property and orchestrator-default read it.
    if ($parameter.Name -eq 'CauEnableSoftReboot') {
        $softReboot = ([string]$parameter.Value -eq '1')
    }
}
$os = Get-CimInstance -ClassName Win32_OperatingSystem
$currentVersion = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
$ubr = $currentVersion.UBR
$beacons[$env:COMPUTERNAME] = [string]$os.LastBootUpTime.ToUniversalTime().ToFileTimeUtc() + ';' + [string]$os.BuildNumber + '.' + [string]$ubr

function Test-PycauPort {
    param($HostName, $Port)
    $client = New-Object -TypeName System.Net.Sockets.TcpClient
    try {
        $pending = $client.ConnectAsync($HostName, $Port)
        return ($pending.Wait(1000) -and $client.Connected)
    } catch {
        return $false
    } finally {
        $client.Dispose()
    }
}

$port = [int]$PycauArgs.WinRMPort
$nodes = @(Get-ClusterNode | ForEach-Object {
    $beacon = [string]$beacons[[string]$_.Name]
    $bootTime = $null
    $build = [string]$_.BuildNumber
    if ($beacon -ne '') {
        $parts = $beacon.Split(';')
        $bootTime = [DateTime]::FromFileTimeUtc([long]$parts[0])
        $build = [string]$parts[1]
    }
    $state = [int]$_.State
    [ordered]@{
        Name = [string]$_.Name
        State = $state
        DrainStatus = [int]$_.DrainStatus
        NodeWeight = [int]$_.NodeWeight
        DynamicWeight = [int]$_.DynamicWeight
        StatusInformation = [int]$_.StatusInformation
        BuildNumber = $build
        LastBootUpTime = $bootTime
        Reachable = (($state -ne 1) -and (Test-PycauPort -HostName ([string]$_.Name) -Port $port))
    }
})

$witness = [ordered]@{
    ResourceType = ''
    State = -1
    DynamicWeight = [int]$cluster.WitnessDynamicWeight
}
$quorum = Get-ClusterQuorum
if ($null -ne $quorum.QuorumResource) {
    $witness.ResourceType = [string]$quorum.QuorumResource.ResourceType.Name
    $witness.State = [int]$quorum.QuorumResource.State
}

$memory = @{}
if ($PycauArgs.VmMemory) {
    $hosts = @($nodes | Where-Object { $_.State -ne 1 } | ForEach-Object { $_.Name })
    foreach ($vm in @(Get-VM -ComputerName $hosts -ErrorAction SilentlyContinue)) {
        $memory[[string]$vm.VMName] = [long]($vm.MemoryAssigned / 1048576)
    }
}
# Core groups (Cluster Group 1, Available Storage 2, CSVs 4, storage pools 5) are not roles,
# and neither are pycau's own empty run-lock groups (lock.ps1).
$groups = @(Get-ClusterGroup | Where-Object { (@(1, 2, 4, 5) -notcontains [int]$_.GroupType) -and (@('pycau-run-lock', 'pycau-run-lock-mutex') -notcontains [string]$_.Name) } | ForEach-Object {
    [ordered]@{
        Name = [string]$_.Name
        OwnerNode = [string]$_.OwnerNode.Name
        State = [int]$_.State
        GroupType = [int]$_.GroupType
        MemoryAssignedMB = [long]$memory[[string]$_.Name]
    }
})

$disks = @()
$jobs = @()
$maintenance = @()
$poolVersion = 0
if ([int]$cluster.S2DEnabled -eq 1) {
    foreach ($pool in @(Get-StoragePool -IsPrimordial $false -ErrorAction SilentlyContinue)) {
        $poolVersion = [int]$pool.psBase.CimInstanceProperties['Version'].Value
    }
    $disks = @(Get-VirtualDisk | ForEach-Object {
        $raw = $_.psBase.CimInstanceProperties
        [ordered]@{
            FriendlyName = [string]$_.FriendlyName
            ResiliencySettingName = [string]$_.ResiliencySettingName
            PhysicalDiskRedundancy = [int]$_.PhysicalDiskRedundancy
            HealthStatus = $raw['HealthStatus'].Value
            OperationalStatus = $raw['OperationalStatus'].Value
            Size = [long]$_.Size
        }
    })
    # Finished jobs (Completed 7, Terminated 8, Killed 9) linger a while; they are not resync.
    $jobs = @(Get-StorageJob | Where-Object { @(7, 8, 9) -notcontains [int]$_.psBase.CimInstanceProperties['JobState'].Value } | ForEach-Object {
        $raw = $_.psBase.CimInstanceProperties
        $volume = ''
        try {
            $volume = [string](@(Get-VirtualDisk -StorageJob $_)[0].FriendlyName)
        } catch {
            $volume = ''
        }
        [ordered]@{
            Name = [string]$_.Name
            VirtualDisk = $volume
            JobState = $raw['JobState'].Value
            PercentComplete = $raw['PercentComplete'].Value
            BytesProcessed = $raw['BytesProcessed'].Value
            BytesTotal = $raw['BytesTotal'].Value
        }
    })
    # Storage maintenance mode (WS2022 / HCI 21H2+: entered at pause, left at resume): the
    # storage scale unit of each node, named after it, by its formatted OperationalStatus.
    $maintenance = @(Get-StorageFaultDomain -Type 'StorageScaleUnit' -ErrorAction SilentlyContinue | Where-Object { @($_.OperationalStatus) -contains 'In Maintenance Mode' } | ForEach-Object {
        [string]$_.FriendlyName
    })
}

# Virtual Machine Manager: its agent runs on every node it manages (known issue
# vmm-2019-managed: VMM 2019 must not see the 21H2 feature update). Agent 10.19.* is VMM 2019,
# 10.22.* is System Center 2022; this node stands for the cluster.
$managedBy = ''
$vmmAgent = Get-Service -Name 'SCVMMAgent' -ErrorAction SilentlyContinue
if ($null -ne $vmmAgent) {
    $managedBy = 'Virtual Machine Manager'
    $vmmSetup = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Microsoft System Center Virtual Machine Manager Agent\Setup' -ErrorAction SilentlyContinue
    if ($null -ne $vmmSetup) {
        $vmmVersion = [string]$vmmSetup.ProductVersion
        if ($vmmVersion.StartsWith('10.19.')) {
            $managedBy = 'Virtual Machine Manager 2019'
        } elseif ($vmmVersion.StartsWith('10.22.')) {
            $managedBy = 'Virtual Machine Manager 2022'
        } else {
            $managedBy = 'Virtual Machine Manager ' + $vmmVersion
        }
    }
}

Write-PycauResult -Document ([ordered]@{
    Cluster = [string]$cluster.Name
    ManagedBy = $managedBy
    ProductName = [string]$currentVersion.ProductName
    ClusterFunctionalLevel = [int]$cluster.ClusterFunctionalLevel
    StoragePoolVersion = $poolVersion
    SoftRebootProperty = $softReboot
    S2DEnabled = [int]$cluster.S2DEnabled
    HasQuorum = $true
    Witness = $witness
    Nodes = $nodes
    Groups = $groups
    VirtualDisks = $disks
    StorageJobs = $jobs
    StorageMaintenance = $maintenance
})
