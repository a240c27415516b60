# Write one agent's presence (pycau agent) into the registry of agents pycau keeps in the
# cluster database: the cluster parameter PycauAgents, a JSON array with one entry per agent
# process (Host and Pid), each stamped with the cluster's own time (SeenAt, UTC ticks) so a
# reader measures its age without comparing two clocks. Under the run lock's write mutex:
# two agents writing at once both keep their entry.
Enter-PycauLockMutex
try {
    $cluster = Get-Cluster
    $agents = @()
    foreach ($parameter in @(Get-ClusterParameter -InputObject $cluster)) {
        if (($parameter.Name -eq 'PycauAgents') -and ([string]$parameter.Value -ne '')) {
            $agents = @(ConvertFrom-Json -InputObject ([string]$parameter.Value))
        }
    }
    $agent = $PycauArgs.Agent
    $kept = @($agents | Where-Object { -not (([string]$_.Host -eq [string]$agent.Host) -and ([int]$_.Pid -eq [int]$agent.Pid)) })
    $kept += [ordered]@{
        Host = [string]$agent.Host
        Pid = [int]$agent.Pid
        StartedAt = [string]$agent.StartedAt
        State = [string]$agent.State
        NextFiring = [string]$agent.NextFiring
        RunId = [string]$agent.RunId
        SeenAt = [DateTime]::UtcNow.Ticks
    }
    $text = ConvertTo-Json -InputObject @($kept) -Depth 4 -Compress
    Set-ClusterParameter -InputObject $cluster -Name 'PycauAgents' -Value $text -Create
} finally {
    Exit-PycauLockMutex
}
Write-PycauResult -Document ([ordered]@{
    Published = $true
})
