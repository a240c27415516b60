# Boot beacon (run at startup by the pycau-boot-beacon task, as SYSTEM): publish this node's
# boot time (FILETIME, UTC) and OS build as cluster parameter PycauNode.<name>. The cluster
# service may still be starting, so keep trying for ten minutes.
$ErrorActionPreference = 'Stop'
$os = Get-CimInstance -ClassName Win32_OperatingSystem
$ubr = (Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion').UBR
$value = [string]$os.LastBootUpTime.ToUniversalTime().ToFileTimeUtc() + ';' + [string]$os.BuildNumber + '.' + [string]$ubr
$name = 'PycauNode.' + $env:COMPUTERNAME
for ($attempt = 0; $attempt -lt 60; $attempt++) {
    try {
        Set-ClusterParameter -InputObject (Get-Cluster) -Name $name -Value $value -Create
        break
    } catch {
        Start-Sleep -Seconds 10
    }
}
