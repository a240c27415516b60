# Publish the staged run state (stage-run-state.ps1): fenced by the run lock, so only the
# coordinator holding it publishes. The staged parts of the generation must hash to Sha256
# (a part staged by anyone else, or missing, refuses the publication: nothing changes);
# then the head, cluster parameter PycauRunState, names the generation: readers see the new
# state from now on, and the old one until now.
Assert-PycauFence -Fence $PycauArgs.Fence
$cluster = Get-Cluster
$values = @{}
foreach ($parameter in @(Get-ClusterParameter -InputObject $cluster)) {
    if ([string]$parameter.Name -like 'PycauRunState*') {
        $values[[string]$parameter.Name] = [string]$parameter.Value
    }
}
$generation = [int64]$PycauArgs.Generation
$packed = ''
for ($index = 0; $index -lt [int]$PycauArgs.Count; $index++) {
    $packed += [string]$values['PycauRunState' + [string]($generation % 2) + '-' + [string]$index]
}
$sha = [System.Security.Cryptography.SHA256]::Create()
$digest = -join ($sha.ComputeHash([System.Text.Encoding]::ASCII.GetBytes($packed)) | ForEach-Object { $_.ToString('x2') })
if ($digest -ne [string]$PycauArgs.Sha256) {
    throw (New-PycauError -Kind 'RemoteCommandFailed' -Message ('the staged parts of run state generation ' + [string]$generation + ' do not match their hash: not published'))
}
$head = [ordered]@{
    Generation = $generation
    Count = [int]$PycauArgs.Count
    Sha256 = [string]$PycauArgs.Sha256
}
Set-ClusterParameter -InputObject $cluster -Name 'PycauRunState' -Value (ConvertTo-Json -InputObject $head -Compress) -Create
Write-PycauResult -Document ([ordered]@{
    Generation = $generation
    Published = $true
})
