# Update-StoragePool of the cluster's S2D pool (the guide's post-installation step 2, after the
# functional level; irreversible). Refused when the cluster has no S2D pool. The runner
# observes the pool's version afterwards.
Assert-PycauFence -Fence $PycauArgs.Fence
$pool = Get-StoragePool -IsPrimordial $false -ErrorAction SilentlyContinue | Where-Object { [string]$_.FriendlyName -like 'S2D*' } | Select-Object -First 1
if ($null -eq $pool) {
    throw (New-PycauError -Kind 'RemoteCommandFailed' -Message 'the cluster has no S2D pool')
}
$null = Update-StoragePool -InputObject $pool -Confirm:$false
Write-PycauResult -Document ([ordered]@{
    Done = $true
})
