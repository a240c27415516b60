# Save the running VMs named (the offline update's step 2): each VM role's resource gets the
# offline action Save (OfflineAction 1), then its group goes offline without waiting, so the
# VM's memory state goes to disk and Start-ClusterGroup resumes it where it was. A role not
# Online (already saved, or off) is left alone. Followed through the groups' state.
Assert-PycauFence -Fence $PycauArgs.Fence
$resources = @(Get-ClusterResource | Where-Object { [string]$_.ResourceType.Name -eq 'Virtual Machine' })
$saved = New-Object -TypeName System.Collections.ArrayList
foreach ($name in @($PycauArgs.Vms)) {
    $group = Get-ClusterGroup -Name ([string]$name)
    if ([int]$group.State -ne 0) {
        continue
    }
    foreach ($resource in @($resources | Where-Object { [string]$_.OwnerGroup.Name -eq [string]$name })) {
        $resource | Set-ClusterParameter -Name 'OfflineAction' -Value 1
    }
    $null = Stop-ClusterGroup -Name ([string]$name) -Wait 0
    $null = $saved.Add([string]$name)
}
Write-PycauResult -Document ([ordered]@{
    Saved = $saved
})
