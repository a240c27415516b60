# Observe this node on its own endpoint, no cluster cmdlet (the offline update: while the
# cluster is stopped the cluster endpoint answers nothing): its boot time and OS build, and
# its cluster service's status (Stopped 1, Running 4) and startup type (Automatic 2,
# Manual 3, Disabled 4), as the numbers runner/winrm/parse_offline.py reads.
Assert-PycauNode -Name ([string]$PycauArgs.Node)
$os = Get-CimInstance -ClassName Win32_OperatingSystem
$ubr = (Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion').UBR
$service = Get-Service -Name 'ClusSvc'
Write-PycauResult -Document ([ordered]@{
    Node = [string]$PycauArgs.Node
    LastBootUpTime = $os.LastBootUpTime
    BuildNumber = [string]$os.BuildNumber + '.' + [string]$ubr
    ServiceStatus = [int]$service.Status
    ServiceStartType = [int]$service.StartType
})
