<#
.SYNOPSIS
    Writes one exstig inventory bundle per Exchange server: the Receive connectors, Send
    connectors, transport configuration and transport service settings the DISA Exchange STIGs
    examine, with host facts.

.DESCRIPTION
    Run in the Exchange Management Shell (Windows PowerShell 5.1; nothing to install). For each
    server it writes <Path>\<SERVER>.exstig-inventory.json (UTF-8 without BOM), in the format of
    schemas/inventory.schema.json. Every value that is not a string, integer or boolean is
    written as its text (flags "Tls, BasicAuth", sizes "10 MB (10,485,760 bytes)", time spans
    "00:05:00", lists as arrays of text), so nothing is lost the way plain ConvertTo-Json loses
    sizes. The script only reads configuration; it changes nothing.

    Carry the files to the workstation that runs exstig:
        exstig evaluate MBX01.exstig-inventory.json --stig exchange-2019-mailbox --ckl MBX01.ckl

.PARAMETER Server
    The Exchange servers to describe (names as Get-ExchangeServer shows them). Default: this
    computer, which is what an Edge server's shell can see.

.PARAMETER Path
    The folder to write the bundles to (created if missing). Default: the current folder.

.EXAMPLE
    .\Export-ExchangeStigInventory.ps1 -Server MBX01, MBX02 -Path D:\stig\inventory

.EXAMPLE
    .\Export-ExchangeStigInventory.ps1            # on an Edge server
#>
[CmdletBinding()]
param(
    [string[]] $Server = @($env:COMPUTERNAME),
    [string] $Path = (Get-Location).Path
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

foreach ($cmdlet in 'Get-ExchangeServer', 'Get-ReceiveConnector', 'Get-SendConnector', 'Get-TransportConfig') {
    if (-not (Get-Command $cmdlet -ErrorAction SilentlyContinue)) {
        throw "$cmdlet is not available: run this script in the Exchange Management Shell."
    }
}

# A value as text: primitives kept, collections as arrays of their items' text, anything else
# as its ToString (what Exchange itself displays).
function ConvertTo-ExstigValue {
    param($Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [bool] -or $Value -is [int] -or $Value -is [long] -or $Value -is [string]) {
        return $Value
    }
    if ($Value -is [datetime]) { return $Value.ToUniversalTime().ToString('o') }
    if ($Value -is [System.Collections.IEnumerable]) {
        $items = @(foreach ($item in $Value) { if ($null -eq $item) { $null } else { $item.ToString() } })
        return , $items
    }
    return $Value.ToString()
}

# An Exchange object as an ordered table of property texts (SerializationData left out).
function ConvertTo-ExstigObject {
    param($InputObject)
    $table = [ordered]@{}
    foreach ($property in $InputObject.PSObject.Properties) {
        if ($property.Name -eq 'SerializationData') { continue }
        try { $value = $property.Value } catch { $value = $null }
        $table[$property.Name] = ConvertTo-ExstigValue $value
    }
    return $table
}

function ConvertTo-ExstigList {
    param($Objects)
    $list = @(foreach ($o in @($Objects)) { if ($null -ne $o) { ConvertTo-ExstigObject $o } })
    return , $list
}

# Host facts: FQDN and role from Get-ExchangeServer, IP from DNS, MAC from WMI when reachable.
function Get-ExstigHost {
    param($ExchangeServer)
    $fqdn = [string]$ExchangeServer.Fqdn
    $version = [string]$ExchangeServer.AdminDisplayVersion
    $build = $null
    if ($version -match 'Version (\d+)\.(\d+) \(Build (\d+)\.(\d+)\)') {
        $build = '{0}.{1}.{2}.{3}' -f $Matches[1], $Matches[2], $Matches[3], $Matches[4]
    }
    $role = $null
    if ($ExchangeServer.IsEdgeServer) { $role = 'Edge' }
    elseif ($version -match 'Version 14\.' -and $ExchangeServer.IsHubTransportServer) { $role = 'Hub' }
    elseif ($ExchangeServer.IsMailboxServer) { $role = 'Mailbox' }
    $ip = $null
    $mac = $null
    try {
        $ip = [System.Net.Dns]::GetHostAddresses($fqdn) |
            Where-Object { $_.AddressFamily -eq [System.Net.Sockets.AddressFamily]::InterNetwork } |
            Select-Object -First 1 | ForEach-Object { $_.IPAddressToString }
    } catch { Write-Warning "${fqdn}: no IPv4 address from DNS ($($_.Exception.Message))" }
    try {
        $query = @{ Class = 'Win32_NetworkAdapterConfiguration'; Filter = 'IPEnabled = True' }
        if ([string]$ExchangeServer.Name -ne $env:COMPUTERNAME) { $query.ComputerName = $fqdn }
        $adapters = Get-WmiObject @query
        $adapter = $adapters | Where-Object { $ip -and ($_.IPAddress -contains $ip) } | Select-Object -First 1
        if (-not $adapter) { $adapter = $adapters | Select-Object -First 1 }
        if ($adapter) { $mac = [string]$adapter.MACAddress }
    } catch { Write-Warning "${fqdn}: MAC address not read ($($_.Exception.Message)); add it to the checklist by hand" }
    return [ordered]@{
        host_name        = [string]$ExchangeServer.Name
        fqdn             = $fqdn
        ip               = $ip
        mac              = $mac
        role             = $role
        exchange_version = $build
    }
}

if (-not (Test-Path -LiteralPath $Path)) { New-Item -ItemType Directory -Path $Path | Out-Null }
$folder = (Resolve-Path -LiteralPath $Path).Path
$utf8NoBom = New-Object System.Text.UTF8Encoding($false)
$hasTransportService = [bool](Get-Command Get-TransportService -ErrorAction SilentlyContinue)

foreach ($name in $Server) {
    try {
        $exchangeServer = Get-ExchangeServer -Identity $name
        $short = [string]$exchangeServer.Name
        Write-Verbose "Collecting $short"
        $receive = Get-ReceiveConnector -Server $short
        $send = Get-SendConnector
        $config = Get-TransportConfig
        if ($hasTransportService) { $service = Get-TransportService -Identity $short }
        else { $service = Get-TransportServer -Identity $short }

        $bundle = [ordered]@{
            exstig_inventory   = 1
            collected          = [ordered]@{
                by         = 'Export-ExchangeStigInventory.ps1'
                at         = (Get-Date).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")
                powershell = $PSVersionTable.PSVersion.ToString()
                ran_on     = $env:COMPUTERNAME
            }
            host               = Get-ExstigHost $exchangeServer
            receive_connectors = ConvertTo-ExstigList $receive
            send_connectors    = ConvertTo-ExstigList $send
            transport_config   = ConvertTo-ExstigObject $config
            transport_service  = ConvertTo-ExstigObject $service
        }
        $file = Join-Path $folder ("{0}.exstig-inventory.json" -f $short)
        $json = $bundle | ConvertTo-Json -Depth 6
        [System.IO.File]::WriteAllText($file, $json, $utf8NoBom)
        Get-Item -LiteralPath $file
    } catch {
        Write-Error "${name}: $($_.Exception.Message)" -ErrorAction Continue
    }
}
