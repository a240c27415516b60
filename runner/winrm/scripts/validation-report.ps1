# The newest cluster validation report (Test-Cluster writes "Validation Report <date>.htm"
# and .xml under C:\Windows\Cluster\Reports). The readiness check may never complete (known
# issue readiness-check-never-completes) although Test-Cluster finished: the file decides.
$directory = Join-Path -Path $env:windir -ChildPath 'Cluster\Reports'
$files = @(Get-ChildItem -LiteralPath $directory -Filter 'Validation Report *' -File -ErrorAction SilentlyContinue | Where-Object { @('.xml', '.htm', '.mht') -contains $_.Extension } | Sort-Object -Property LastWriteTimeUtc -Descending)
$report = $null
if ($files.Count -gt 0) {
    $newest = $files[0]
    $text = Get-Content -LiteralPath $newest.FullName -Raw
    # A failed test is reported as "Failed" in the summary; warnings alone still pass.
    $failed = $text -match '(?i)>\s*Failed\s*<|Result="Failed"|Status="Failed"'
    $summary = 'no test failed'
    if ($failed) {
        $summary = 'at least one test failed'
    }
    $report = [ordered]@{
        Passed = (-not $failed)
        Path = [string]$newest.FullName
        Summary = $summary
    }
}
Write-PycauResult -Document ([ordered]@{ Report = $report })
