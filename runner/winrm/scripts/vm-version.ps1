# One VM's part of the configuration-version upgrade (the guide's optional step 3), on the
# VM's owner node: Action Stop (Stop-VM, a guest shutdown), Update (Update-VMVersion -Force of
# the stopped VM) or Start (Start-VM). Answers whether the VM runs afterwards, and after an
# Update its configuration version.
Assert-PycauFence -Fence $PycauArgs.Fence
$name = [string]$PycauArgs.Vm
$group = Get-ClusterGroup -Name $name -ErrorAction SilentlyContinue
if ($null -eq $group) {
    throw (New-PycauError -Kind 'RemoteCommandFailed' -Message ('no clustered VM named ' + $name))
}
$owner = [string]$group.OwnerNode.Name
$action = [string]$PycauArgs.Action
if ($action -eq 'Stop') {
    Stop-VM -ComputerName $owner -Name $name -Force -ErrorAction Stop
} elseif ($action -eq 'Update') {
    Update-VMVersion -ComputerName $owner -Name $name -Force -ErrorAction Stop
} elseif ($action -eq 'Start') {
    Start-VM -ComputerName $owner -Name $name -ErrorAction Stop
} else {
    throw (New-PycauError -Kind 'RemoteCommandFailed' -Message ('unknown action ' + $action))
}
$vm = Get-VM -ComputerName $owner -Name $name
$document = [ordered]@{
    Name = $name
    Running = ([string]$vm.State -eq 'Running')
}
if ($action -eq 'Update') {
    $document.Version = [string]$vm.Version
}
Write-PycauResult -Document $document
