# Probe: who answers on this endpoint — computer, PowerShell and OS versions, cluster name.
$os = Get-CimInstance -ClassName Win32_OperatingSystem
$clusterName = ''
try {
    $clusterName = [string](Get-Cluster).Name
} catch {
    $clusterName = ''
}
Write-PycauResult -Document ([ordered]@{
    ComputerName = [string]$env:COMPUTERNAME
    PSVersion = [string]$PSVersionTable.PSVersion
    OSCaption = [string]$os.Caption
    OSBuild = [string]$os.BuildNumber
    Cluster = $clusterName
})
