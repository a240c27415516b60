# Resume-ClusterNode -Failback Immediate|Policy|NoFailback; a node that is already Up is left alone.
Assert-PycauFence -Fence $PycauArgs.Fence
$name = [string]$PycauArgs.Node
$node = Get-ClusterNode -Name $name
if ([int]$node.State -eq 1) {
    throw (New-PycauError -Kind 'NodeUnreachable' -Message ('node ' + $name + ' is down'))
}
if ([int]$node.State -eq 2) {
    $null = Resume-ClusterNode -Name $name -Failback ([string]$PycauArgs.Failback)
}
$node = Get-ClusterNode -Name $name
Write-PycauResult -Document ([ordered]@{
    Node = $name
    State = [int]$node.State
    DrainStatus = [int]$node.DrainStatus
})
