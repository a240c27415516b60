# Update-ClusterFunctionalLevel (the guide's post-installation step 1; irreversible). Refused
# with no effect while a node is down or the nodes run different OS builds (mixed mode: the
# cmdlet itself refuses then). The runner observes the level afterwards.
Assert-PycauFence -Fence $PycauArgs.Fence
$nodes = @(Get-ClusterNode)
$down = @($nodes | Where-Object { [int]$_.State -eq 1 } | ForEach-Object { [string]$_.Name })
if ($down.Count -gt 0) {
    throw (New-PycauError -Kind 'RemoteCommandFailed' -Message ('not up: ' + ($down -join ', ')))
}
$builds = @($nodes | ForEach-Object { [string]$_.BuildNumber } | Sort-Object -Unique)
if ($builds.Count -gt 1) {
    throw (New-PycauError -Kind 'RemoteCommandFailed' -Message ('the nodes run builds ' + ($builds -join ' and ') + ' (mixed mode)'))
}
$null = Update-ClusterFunctionalLevel -Force
Write-PycauResult -Document ([ordered]@{
    Done = $true
})
