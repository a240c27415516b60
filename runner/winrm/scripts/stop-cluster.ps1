# Stop-Cluster (the offline update's step 4): the cluster service stops on every node and the
# storage pool goes offline. The run lock's claims were left on the nodes before
# (offline-claim.ps1), so the run stays fenced while the cluster database is offline.
Assert-PycauFence -Fence $PycauArgs.Fence
$cluster = Get-Cluster
$null = Stop-Cluster -Cluster ([string]$cluster.Name) -Force
Write-PycauResult -Document ([ordered]@{
    Cluster = [string]$cluster.Name
    Stopped = $true
})
