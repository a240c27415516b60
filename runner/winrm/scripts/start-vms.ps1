# Start the VM roles named (the end of the offline update): a saved VM resumes from its saved
# state. Without waiting; followed through the groups' state. A role already Online is left
# alone.
Assert-PycauFence -Fence $PycauArgs.Fence
$started = New-Object -TypeName System.Collections.ArrayList
foreach ($name in @($PycauArgs.Vms)) {
    $group = Get-ClusterGroup -Name ([string]$name)
    if ([int]$group.State -eq 0) {
        continue
    }
    $null = Start-ClusterGroup -Name ([string]$name) -Wait 0
    $null = $started.Add([string]$name)
}
Write-PycauResult -Document ([ordered]@{
    Started = $started
})
