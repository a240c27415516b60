# The CredSSP server role of this node for the run (profile enable_credssp): while enabled,
# WinRM accepts delegated credentials, so the runner disables it again at the end of every
# run, failure or not (known issue credssp-left-enabled). Each node is set through its own
# endpoint: a fan-out with Invoke-Command from one node would itself need the second hop.
Assert-PycauFence -Fence $PycauArgs.Fence
Assert-PycauNode -Name ([string]$PycauArgs.Node)
$enabled = [bool]$PycauArgs.Enabled
if ($enabled) {
    $null = Enable-WSManCredSSP -Role Server -Force
} else {
    $null = Disable-WSManCredSSP -Role Server
}
Write-PycauResult -Document ([ordered]@{
    Node = [string]$PycauArgs.Node
    Enabled = $enabled
})
