# The endpoint's monotonic clock: wait Seconds; the answer's Now (stamped by the prelude)
# is the endpoint's clock afterwards. Against pycau's simulated twin this is how the
# runner's waits advance the simulated world; against real nodes the system clock is used.
$seconds = [double]$PycauArgs.Seconds
if ($seconds -gt 0) {
    Start-Sleep -Milliseconds ([int][math]::Ceiling($seconds * 1000))
}
Write-PycauResult -Document ([ordered]@{
    Slept = $seconds
})
