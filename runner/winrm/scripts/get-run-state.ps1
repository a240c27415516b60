# The run state last published (publish-run-state.ps1): the head's generation, count and
# hash, and its parts in order; State is null when no run ever published one.
$values = @{}
foreach ($parameter in @(Get-ClusterParameter -InputObject (Get-Cluster))) {
    if ([string]$parameter.Name -like 'PycauRunState*') {
        $values[[string]$parameter.Name] = [string]$parameter.Value
    }
}
$state = $null
if ($values.ContainsKey('PycauRunState') -and ($values['PycauRunState'] -ne '')) {
    $head = ConvertFrom-Json -InputObject $values['PycauRunState']
    $slot = [int64]$head.Generation % 2
    $parts = @()
    for ($index = 0; $index -lt [int]$head.Count; $index++) {
        $parts += [string]$values['PycauRunState' + [string]$slot + '-' + [string]$index]
    }
    $state = [ordered]@{
        Generation = [int64]$head.Generation
        Count = [int]$head.Count
        Sha256 = [string]$head.Sha256
        Parts = $parts
    }
}
Write-PycauResult -Document ([ordered]@{
    State = $state
})
