# The cluster service's startup type on this node (the offline update's steps 5 and 8):
# Disabled, so it cannot start while the node is updated and restarted; Automatic again
# after. It neither starts nor stops the service.
Assert-PycauFence -Fence $PycauArgs.Fence
Assert-PycauNode -Name ([string]$PycauArgs.Node)
Set-Service -Name 'ClusSvc' -StartupType ([string]$PycauArgs.StartupType)
$service = Get-Service -Name 'ClusSvc'
Write-PycauResult -Document ([ordered]@{
    Node = [string]$PycauArgs.Node
    ServiceStatus = [int]$service.Status
    ServiceStartType = [int]$service.StartType
})
