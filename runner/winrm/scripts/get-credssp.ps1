# Whether the CredSSP server role of this node is enabled, read from the WSMan configuration
# (known issue credssp-already-enabled: the state is read, never assumed).
Assert-PycauNode -Name ([string]$PycauArgs.Node)
$value = [string](Get-Item -Path 'WSMan:\localhost\Service\Auth\CredSSP').Value
Write-PycauResult -Document ([ordered]@{
    Node = [string]$PycauArgs.Node
    Enabled = ($value -eq 'true')
})
