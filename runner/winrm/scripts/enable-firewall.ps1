# EnableFirewallRules: enable the Remote Shutdown firewall rule group on this node for the
# Domain profile (as CAU's documentation does it), then read back what is in effect: a Group
# Policy that disables the group wins over the local setting, and then Enabled stays false.
Assert-PycauFence -Fence $PycauArgs.Fence
Assert-PycauNode -Name ([string]$PycauArgs.Node)
$group = '@firewallapi.dll,-36751'
$null = Set-NetFirewallRule -Group $group -Profile 'Domain' -Enabled 'True'
$active = @(Get-NetFirewallRule -Group $group -PolicyStore 'ActiveStore' -ErrorAction SilentlyContinue)
$open = @($active | Where-Object { [string]$_.Enabled -eq 'True' }).Count
Write-PycauResult -Document ([ordered]@{
    Node = [string]$PycauArgs.Node
    Rules = $active.Count
    RulesEnabled = $open
    Enabled = ($open -gt 0)
})
