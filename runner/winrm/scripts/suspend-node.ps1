# Suspend-ClusterNode -Drain without -Wait: the node goes Paused and its roles drain; the
# drain is followed through DrainStatus in later observations. A refusal because a clustered
# space is degraded (ERROR_CLUSTER_SPACE_DEGRADED 5987) surfaces as Win32Code/HResult.
Assert-PycauFence -Fence $PycauArgs.Fence
$name = [string]$PycauArgs.Node
$node = Get-ClusterNode -Name $name
if ([int]$node.State -eq 1) {
    throw (New-PycauError -Kind 'NodeUnreachable' -Message ('node ' + $name + ' is down'))
}
# Asked again after an unknown outcome: a node already paused and draining is left alone.
if (([int]$node.State -ne 2) -or (@(1, 2) -notcontains [int]$node.DrainStatus)) {
    $null = Suspend-ClusterNode -Name $name -Drain
}
$node = Get-ClusterNode -Name $name
if ([int]$node.DrainStatus -eq 3) {
    throw (New-PycauError -Kind 'DrainFailed' -Message ('the drain of node ' + $name + ' failed; the node is left paused'))
}
Write-PycauResult -Document ([ordered]@{
    Node = $name
    State = [int]$node.State
    DrainStatus = [int]$node.DrainStatus
})
