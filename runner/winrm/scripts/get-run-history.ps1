# Read the run history pycau keeps in the cluster database (cluster parameter
# PycauRunHistory: a JSON array of finished runs' summaries, oldest first, the last 50), so
# `pycau history` works from any machine that reaches the cluster.
$value = ''
foreach ($parameter in @(Get-ClusterParameter -InputObject (Get-Cluster))) {
    if ($parameter.Name -eq 'PycauRunHistory') {
        $value = [string]$parameter.Value
    }
}
Write-PycauResult -Document ([ordered]@{
    History = $value
})
