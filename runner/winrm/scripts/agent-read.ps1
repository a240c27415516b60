# Read the registry of agents (cluster parameter PycauAgents, see agent-publish.ps1): each
# entry with its age in seconds, measured here in the cluster's own time. Stale entries are
# returned too; the reader judges them.
$now = [DateTime]::UtcNow.Ticks
$agents = @()
foreach ($parameter in @(Get-ClusterParameter -InputObject (Get-Cluster))) {
    if (($parameter.Name -eq 'PycauAgents') -and ([string]$parameter.Value -ne '')) {
        $agents = @(ConvertFrom-Json -InputObject ([string]$parameter.Value))
    }
}
$listed = @()
foreach ($agent in $agents) {
    $listed += [ordered]@{
        Host = [string]$agent.Host
        Pid = [int]$agent.Pid
        StartedAt = [string]$agent.StartedAt
        State = [string]$agent.State
        NextFiring = [string]$agent.NextFiring
        RunId = [string]$agent.RunId
        AgeSeconds = [double](($now - [long]$agent.SeenAt) / 10000000.0)
    }
}
Write-PycauResult -Document ([ordered]@{
    Agents = @($listed)
})
