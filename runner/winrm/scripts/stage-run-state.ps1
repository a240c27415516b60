# Stage one part of the next run state (runner/winrm/run_state_ops.py) in a cluster
# parameter; publish-run-state.ps1 then checks the staged parts and publishes them. Not
# fenced (it carries no lock library, so a part fits one command line): a staged part is
# nothing until the fenced publication checks its hash. The head, cluster parameter
# PycauRunState, names the published generation: {Generation, Count, Sha256}. A
# generation's parts are PycauRunState<Generation mod 2>-<Index>: part 0 opens generation
# head+1 in the slot the head does not name and answers its number, so a reader of the
# head's slot never sees a part of another state (get-run-state.ps1 checks the hash).
$cluster = Get-Cluster
$generation = $PycauArgs.Generation
if ($null -eq $generation) {
    $generation = 1
    foreach ($parameter in @(Get-ClusterParameter -InputObject $cluster)) {
        if (($parameter.Name -eq 'PycauRunState') -and ([string]$parameter.Value -ne '')) {
            $head = ConvertFrom-Json -InputObject ([string]$parameter.Value)
            $generation = [int64]$head.Generation + 1
        }
    }
}
$generation = [int64]$generation
$name = 'PycauRunState' + [string]($generation % 2) + '-' + [string]([int]$PycauArgs.Index)
Set-ClusterParameter -InputObject $cluster -Name $name -Value ([string]$PycauArgs.Part) -Create
Write-PycauResult -Document ([ordered]@{
    Generation = $generation
    Staged = [int]$PycauArgs.Index
})
