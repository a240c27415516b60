# Read the run record pycau publishes in the cluster database (cluster parameter PycauRun,
# compact JSON), so `pycau status` works from any machine that reaches the cluster.
$value = ''
foreach ($parameter in @(Get-ClusterParameter -InputObject (Get-Cluster))) {
    if ($parameter.Name -eq 'PycauRun') {
        $value = [string]$parameter.Value
    }
}
Write-PycauResult -Document ([ordered]@{
    Run = $value
})
