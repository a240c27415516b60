# Install the Hotfix plug-in's library on this node (ProgramData\pycau\hotfix.ps1), which
# the detached worker dot-sources for hotfix scans and installs. It travels gzip-compressed
# and base64-encoded, as the worker does, and is written again before each run's first
# hotfix work on the node (so it is always this pycau's).
Assert-PycauNode -Name ([string]$PycauArgs.Node)
$directory = Join-Path -Path $env:ProgramData -ChildPath 'pycau'
$null = New-Item -ItemType Directory -Path $directory -Force
$packed = [System.IO.MemoryStream]::new([System.Convert]::FromBase64String([string]$PycauArgs.Library))
$unpacked = [System.IO.Compression.GZipStream]::new($packed, [System.IO.Compression.CompressionMode]::Decompress)
$reader = [System.IO.StreamReader]::new($unpacked, [System.Text.Encoding]::UTF8)
Set-Content -LiteralPath (Join-Path -Path $directory -ChildPath 'hotfix.ps1') -Value $reader.ReadToEnd() -Encoding UTF8
$reader.Dispose()
Write-PycauResult -Document ([ordered]@{
    Node = [string]$PycauArgs.Node
    Installed = $true
})
