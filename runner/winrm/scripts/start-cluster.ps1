# Start the cluster from this node (the offline update's step 9): Start-Cluster when the
# cluster is stopped — the cluster service starts on every node whose service is not
# Disabled — or Start-ClusterNode when it runs (a node that came back late joins). Then the
# run lock is back in the cluster database: the claims' holder (this fence) holds the
# run-lock group again.
Assert-PycauFence -Fence $PycauArgs.Fence
Assert-PycauNode -Name ([string]$PycauArgs.Node)
$service = Get-Service -Name 'ClusSvc'
if ([int]$service.StartType -eq 4) {
    throw (New-PycauError -Kind 'RemoteCommandFailed' -Message ('the cluster service of ' + [string]$PycauArgs.Node + ' is Disabled'))
}
$running = $true
try {
    $null = Get-Cluster
} catch {
    $running = $false
}
if ($running) {
    $null = Start-ClusterNode -Name $env:COMPUTERNAME
} else {
    $null = Start-Cluster
}
if ($null -ne $PycauArgs.Fence) {
    $group = $null
    for ($try = 0; $try -lt 60; $try++) {
        try {
            $group = Get-ClusterGroup -Name 'pycau-run-lock'
            break
        } catch {
            Start-Sleep -Seconds 2
        }
    }
    $holder = Get-PycauLockHolder -Group $group
    if (($null -ne $group) -and -not (Test-PycauSameHolder -Holder $holder -Expected $PycauArgs.Fence)) {
        Enter-PycauLockMutex
        try {
            Set-PycauLockHolder -Group $group -Holder $PycauArgs.Fence
        } finally {
            Exit-PycauLockMutex
        }
    }
}
Write-PycauResult -Document ([ordered]@{
    Node = [string]$PycauArgs.Node
    Started = (-not $running)
})
