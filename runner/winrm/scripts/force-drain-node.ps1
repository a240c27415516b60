# Suspend-ClusterNode -Drain -ForceDrain without -Wait (profile force_pause_and_drain): roles
# that live-migrate move as in suspend-node.ps1; a role that cannot move safely is stopped
# and moved to another node as a failed role, then the pause is forced, so the drain ends
# Completed. A refusal because a clustered space is degraded (5987) surfaces as
# Win32Code/HResult, as for suspend-node.ps1.
Assert-PycauFence -Fence $PycauArgs.Fence
$name = [string]$PycauArgs.Node
$node = Get-ClusterNode -Name $name
if ([int]$node.State -eq 1) {
    throw (New-PycauError -Kind 'NodeUnreachable' -Message ('node ' + $name + ' is down'))
}
# Asked again after an unknown outcome: a node already paused and draining is left alone.
if (([int]$node.State -ne 2) -or (@(1, 2) -notcontains [int]$node.DrainStatus)) {
    $null = Suspend-ClusterNode -Name $name -Drain -ForceDrain
}
$node = Get-ClusterNode -Name $name
if ([int]$node.DrainStatus -eq 3) {
    throw (New-PycauError -Kind 'DrainFailed' -Message ('the forced drain of node ' + $name + ' failed; the node is left paused'))
}
Write-PycauResult -Document ([ordered]@{
    Node = $name
    State = [int]$node.State
    DrainStatus = [int]$node.DrainStatus
})
