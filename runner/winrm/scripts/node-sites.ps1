# The site fault domain of every node (site_aware_updating_order): Get-ClusterFaultDomain
# lists sites, racks, chassis and nodes with their ParentName; a node's site is the first
# ancestor of type Site (a node may sit in a rack of a site). '' when it has none.
$domains = @(Get-ClusterFaultDomain)
$byName = @{}
foreach ($domain in $domains) {
    $byName[[string]$domain.Name] = $domain
}
$sites = New-Object -TypeName System.Collections.ArrayList
foreach ($domain in $domains) {
    if ([string]$domain.Type -ne 'Node') {
        continue
    }
    $site = ''
    $parent = [string]$domain.ParentName
    $hops = 0
    while (($parent -ne '') -and ($hops -lt 8)) {
        $above = $byName[$parent]
        if ($null -eq $above) {
            break
        }
        if ([string]$above.Type -eq 'Site') {
            $site = [string]$above.Name
            break
        }
        $parent = [string]$above.ParentName
        $hops = $hops + 1
    }
    $null = $sites.Add([ordered]@{
        Node = [string]$domain.Name
        Site = $site
    })
}
Write-PycauResult -Document ([ordered]@{
    Sites = $sites
})
