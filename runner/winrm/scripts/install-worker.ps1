# Install the detached worker on this node (ProgramData\pycau\worker-<hash>.ps1), which
# start-work copies into each work item's directory. It travels gzip-compressed and
# base64-encoded; it is its own command because start-work carrying it came close to
# CreateProcess' 32 K characters. The hash names this pycau's worker, so two pycau versions
# never run each other's.
$node = [string]$PycauArgs.Node
if ($node) {
    Assert-PycauNode -Name $node
} else {
    $node = $env:COMPUTERNAME
}
$directory = Join-Path -Path $env:ProgramData -ChildPath 'pycau'
$null = New-Item -ItemType Directory -Path $directory -Force
$packed = [System.IO.MemoryStream]::new([System.Convert]::FromBase64String([string]$PycauArgs.Worker))
$unpacked = [System.IO.Compression.GZipStream]::new($packed, [System.IO.Compression.CompressionMode]::Decompress)
$reader = [System.IO.StreamReader]::new($unpacked, [System.Text.Encoding]::UTF8)
Set-Content -LiteralPath (Join-Path -Path $directory -ChildPath ('worker-' + [string]$PycauArgs.Hash + '.ps1')) -Value $reader.ReadToEnd() -Encoding UTF8
$reader.Dispose()
Write-PycauResult -Document ([ordered]@{
    Node = $node
    Installed = $true
})
