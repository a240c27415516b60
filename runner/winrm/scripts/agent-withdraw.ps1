# Remove one agent's entry (Host and Pid) from the registry of agents (cluster parameter
# PycauAgents, see agent-publish.ps1) when the agent ends. No entry: nothing changes.
Enter-PycauLockMutex
try {
    $cluster = Get-Cluster
    $agents = @()
    foreach ($parameter in @(Get-ClusterParameter -InputObject $cluster)) {
        if (($parameter.Name -eq 'PycauAgents') -and ([string]$parameter.Value -ne '')) {
            $agents = @(ConvertFrom-Json -InputObject ([string]$parameter.Value))
        }
    }
    $kept = @($agents | Where-Object { -not (([string]$_.Host -eq [string]$PycauArgs.Host) -and ([int]$_.Pid -eq [int]$PycauArgs.Pid)) })
    $text = ConvertTo-Json -InputObject @($kept) -Depth 4 -Compress
    Set-ClusterParameter -InputObject $cluster -Name 'PycauAgents' -Value $text -Create
} finally {
    Exit-PycauLockMutex
}
Write-PycauResult -Document ([ordered]@{
    Withdrawn = $true
})
