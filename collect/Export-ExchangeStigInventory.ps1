<#
.SYNOPSIS
    Writes one exstig inventory bundle per Exchange server: the Exchange settings, host facts
    (services, registry, volumes, paths, ACLs, IIS) and organization settings the DISA Exchange
    STIGs examine.

.DESCRIPTION
    Run in the Exchange Management Shell (Windows PowerShell 5.1; nothing to install). For each
    server it writes <Path>\<SERVER>.exstig-inventory.json (UTF-8 without BOM), in the format of
    schemas/inventory.schema.json: one section per kind of object (docs/INVENTORY.md lists them
    with the cmdlet that reads each, per role). Every value that is not a string, integer or
    boolean is written as its text (flags "Tls, BasicAuth", sizes "10 MB (10,485,760 bytes)",
    time spans "00:05:00", dates in ISO 8601, lists as arrays of text), so nothing is lost the
    way plain ConvertTo-Json loses sizes.

    The script only reads; it changes nothing. What it cannot read (no permission, a cmdlet
    absent on this role or Exchange version, a host fact of another computer) goes to the
    bundle's "not_collected" block with the reason, and exstig then says "not collected: ..."
    in the checklist instead of guessing.

    Host facts (services, registry values, volumes, paths, ACLs, execution policy, network
    adapters, transport agents, IP Allow and Block list entries, IIS settings) are read only for
    the computer the script runs on: run it on each server (an Edge server's shell sees only
    itself anyway).

    Carry the files to the workstation that runs exstig:
        exstig evaluate MBX01.exstig-inventory.json --stig exchange-2019-mailbox --ckl MBX01.ckl

.PARAMETER Server
    The Exchange servers to describe (names as Get-ExchangeServer shows them). Default: this
    computer.

.PARAMETER Path
    The folder to write the bundles to (created if missing). Default: the current folder.

.PARAMETER RoleGroup
    The role groups whose members are listed (the STIG names Records Management).

.EXAMPLE
    .\Export-ExchangeStigInventory.ps1 -Path D:\stig\inventory      # on each server

.EXAMPLE
    .\Export-ExchangeStigInventory.ps1 -Server MBX01, MBX02 -Path D:\stig\inventory
#>
[CmdletBinding()]
param(
    [string[]] $Server = @($env:COMPUTERNAME),
    [string] $Path = (Get-Location).Path,
    [string[]] $RoleGroup = @('Records Management')
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

foreach ($cmdlet in 'Get-ExchangeServer', 'Get-ReceiveConnector', 'Get-SendConnector', 'Get-TransportConfig') {
    if (-not (Get-Command $cmdlet -ErrorAction SilentlyContinue)) {
        throw "$cmdlet is not available: run this script in the Exchange Management Shell."
    }
}

$invariant = [System.Globalization.CultureInfo]::InvariantCulture

# A value as text: strings, booleans and integers kept, dates in ISO 8601 (UTC), time spans
# in the constant format, collections as arrays of their items' text, anything else (enums,
# sizes, Unlimited values, identities) as its ToString, which is what Exchange displays.
function ConvertTo-ExstigValue {
    param($Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [bool] -or $Value -is [string]) { return $Value }
    if ($Value -is [int] -or $Value -is [long] -or $Value -is [int16] -or $Value -is [byte] -or
        $Value -is [uint16] -or $Value -is [uint32] -or $Value -is [uint64]) {
        return $Value
    }
    if ($Value -is [datetime]) { return $Value.ToUniversalTime().ToString('o', $invariant) }
    if ($Value -is [timespan]) { return $Value.ToString('c', $invariant) }
    if ($Value -is [double] -or $Value -is [single] -or $Value -is [decimal]) {
        return $Value.ToString($invariant)
    }
    if ($Value -is [System.Collections.IDictionary]) { return $Value }
    if ($Value -is [System.Collections.IEnumerable]) {
        $items = @(foreach ($item in $Value) {
                if ($null -eq $item -or $item -is [System.Collections.IDictionary]) { $item } else { $item.ToString() }
            })
        return , $items
    }
    return $Value.ToString()
}

# An object as an ordered table of property texts: every property, or only the ones named
# (SerializationData, the BinaryFormatter blob, is always left out).
function ConvertTo-ExstigObject {
    param($InputObject, [string[]] $Property)
    $table = [ordered]@{}
    if ($InputObject -is [System.Collections.IDictionary]) {
        foreach ($key in $InputObject.Keys) { $table[[string]$key] = ConvertTo-ExstigValue $InputObject[$key] }
        return $table
    }
    foreach ($p in $InputObject.PSObject.Properties) {
        if ($p.Name -eq 'SerializationData') { continue }
        if ($Property -and ($Property -notcontains $p.Name)) { continue }
        try { $value = $p.Value } catch { $value = $null }
        $table[$p.Name] = ConvertTo-ExstigValue $value
    }
    return $table
}

# Runs one read. Returns the objects, or the reason they could not be read: the cmdlet is
# absent (role or version), access was denied, or the cmdlet failed.
function Invoke-ExstigRead {
    param([string] $Cmdlet, [string] $Section, [scriptblock] $Read, [string[]] $Property)
    if ($Cmdlet -and -not (Get-Command $Cmdlet -ErrorAction SilentlyContinue)) {
        return @{ Reason = "$Cmdlet is not available in this shell (not on this role or Exchange version)" }
    }
    if (-not $Cmdlet) { $Cmdlet = $Section }
    try {
        $objects = @(& $Read | Where-Object { $null -ne $_ } |
            ForEach-Object { ConvertTo-ExstigObject $_ -Property $Property })
        return @{ Objects = $objects }
    } catch [System.UnauthorizedAccessException] {
        return @{ Reason = "${Cmdlet}: access denied ($($_.Exception.Message))" }
    } catch {
        $message = $_.Exception.Message
        if ($message -match 'access.*denied|not authorized|permission') {
            return @{ Reason = "${Cmdlet}: no permission ($message)" }
        }
        return @{ Reason = "${Cmdlet}: $message" }
    }
}

# The volume a path lives on: the longest volume root (drive or mount point) that starts it.
function Get-ExstigVolumeOf {
    param([string] $Target, [string[]] $Roots)
    $best = $null
    foreach ($root in $Roots) {
        if ($Target.StartsWith($root, [System.StringComparison]::OrdinalIgnoreCase) -and
            ($null -eq $best -or $root.Length -gt $best.Length)) { $best = $root }
    }
    if ($null -eq $best) {
        try { $best = [System.IO.Path]::GetPathRoot($Target) } catch { $best = $null }
    }
    return $best
}

# The queue database paths from EdgeTransport.exe.config, each with where it came from (the
# default location when the file does not set it or cannot be read).
function Get-ExstigQueuePath {
    param([string] $InstallPath)
    $config = Join-Path $InstallPath 'Bin\EdgeTransport.exe.config'
    $default = Join-Path $InstallPath 'TransportRoles\data\Queue'
    $paths = [ordered]@{}
    foreach ($key in 'QueueDatabasePath', 'QueueDatabaseLoggingPath') {
        $paths[$key] = @($default, 'default (not set in EdgeTransport.exe.config)')
    }
    try {
        $xml = New-Object System.Xml.XmlDocument
        $xml.XmlResolver = $null
        $xml.Load($config)
        foreach ($key in @($paths.Keys)) {
            $node = $xml.SelectSingleNode("/configuration/appSettings/add[@key='$key']")
            if ($node -and $node.GetAttribute('value')) { $paths[$key] = @($node.GetAttribute('value'), 'EdgeTransport.exe.config') }
        }
    } catch {
        foreach ($key in @($paths.Keys)) {
            $paths[$key] = @($default, "default ($config not read: $($_.Exception.Message))")
        }
    }
    return $paths
}

# Host facts: FQDN and role from Get-ExchangeServer, IP from DNS, MAC from WMI when reachable.
function Get-ExstigHost {
    param($ExchangeServer, [string] $Role)
    $fqdn = [string]$ExchangeServer.Fqdn
    $version = [string]$ExchangeServer.AdminDisplayVersion
    $build = $null
    if ($version -match 'Version (\d+)\.(\d+) \(Build (\d+)\.(\d+)\)') {
        $build = '{0}.{1}.{2}.{3}' -f $Matches[1], $Matches[2], $Matches[3], $Matches[4]
    }
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
        role             = $Role
        exchange_version = $build
    }
}

$transportCmdlet = 'Get-TransportService'
if (-not (Get-Command Get-TransportService -ErrorAction SilentlyContinue)) { $transportCmdlet = 'Get-TransportServer' }

# The reads, one per bundle section: the roles that need it (Edge, Mailbox; Mailbox covers the
# Exchange 2010 Hub), the cmdlet, the read (given $short, the server's name) and, for kinds with
# large objects, the properties kept. Organization = the same answer for every server.
$cert = 'Thumbprint', 'Subject', 'Issuer', 'FriendlyName', 'CertificateDomains', 'Services', 'NotBefore',
    'NotAfter', 'RootCAType', 'Status', 'IsSelfSigned', 'HasPrivateKey', 'SerialNumber', 'Identity'
$exchangeReads = @(
    @{ Section = 'receive_connectors'; Roles = 'Edge', 'Mailbox'; Cmdlet = 'Get-ReceiveConnector'; Read = { Get-ReceiveConnector -Server $short } }
    @{ Section = 'send_connectors'; Roles = 'Edge', 'Mailbox'; Cmdlet = 'Get-SendConnector'; Organization = $true; Read = { Get-SendConnector } }
    @{ Section = 'transport_config'; Roles = 'Edge', 'Mailbox'; Cmdlet = 'Get-TransportConfig'; Organization = $true; Read = { Get-TransportConfig } }
    @{ Section = 'transport_service'; Roles = 'Edge', 'Mailbox'; Cmdlet = $transportCmdlet; Read = { & $transportCmdlet -Identity $short } }
    @{ Section = 'exchange_server'; Roles = 'Edge', 'Mailbox'; Cmdlet = 'Get-ExchangeServer'; Read = { Get-ExchangeServer -Identity $short -Status } }
    @{ Section = 'accepted_domains'; Roles = 'Edge', 'Mailbox'; Cmdlet = 'Get-AcceptedDomain'; Organization = $true; Read = { Get-AcceptedDomain } }
    @{ Section = 'event_log_levels'; Roles = 'Edge', 'Mailbox'; Cmdlet = 'Get-EventLogLevel'; Read = { Get-EventLogLevel -Server $short } }
    @{ Section = 'organization_config'; Roles = 'Edge', 'Mailbox'; Cmdlet = 'Get-OrganizationConfig'; Organization = $true; Read = { Get-OrganizationConfig } }
    @{ Section = 'exchange_certificates'; Roles = 'Edge', 'Mailbox'; Cmdlet = 'Get-ExchangeCertificate'; Property = $cert; Read = { Get-ExchangeCertificate -Server $short } }
    @{ Section = 'sender_filter_config'; Roles = 'Edge', 'Mailbox'; Cmdlet = 'Get-SenderFilterConfig'; Organization = $true; Read = { Get-SenderFilterConfig } }
    @{ Section = 'content_filter_config'; Roles = 'Edge', 'Mailbox'; Cmdlet = 'Get-ContentFilterConfig'; Organization = $true; Read = { Get-ContentFilterConfig } }
    @{ Section = 'sender_reputation_config'; Roles = 'Edge', 'Mailbox'; Cmdlet = 'Get-SenderReputationConfig'; Organization = $true; Read = { Get-SenderReputationConfig } }
    @{ Section = 'sender_id_config'; Roles = 'Edge', 'Mailbox'; Cmdlet = 'Get-SenderIdConfig'; Organization = $true; Read = { Get-SenderIdConfig } }
    @{ Section = 'recipient_filter_config'; Roles = 'Edge'; Cmdlet = 'Get-RecipientFilterConfig'; Organization = $true; Read = { Get-RecipientFilterConfig } }
    @{ Section = 'attachment_filter_entries'; Roles = 'Edge'; Cmdlet = 'Get-AttachmentFilterEntry'; Organization = $true; Read = { Get-AttachmentFilterEntry } }
    @{ Section = 'attachment_filter_config'; Roles = 'Edge'; Cmdlet = 'Get-AttachmentFilterListConfig'; Organization = $true; Read = { Get-AttachmentFilterListConfig } }
    @{ Section = 'ip_allow_list_config'; Roles = 'Edge'; Cmdlet = 'Get-IPAllowListConfig'; Organization = $true; Read = { Get-IPAllowListConfig } }
    @{ Section = 'ip_block_list_providers'; Roles = 'Edge'; Cmdlet = 'Get-IPBlockListProvider'; Organization = $true; Read = { Get-IPBlockListProvider } }
    @{ Section = 'ip_block_list_providers_config'; Roles = 'Edge'; Cmdlet = 'Get-IPBlockListProvidersConfig'; Organization = $true; Read = { Get-IPBlockListProvidersConfig } }
    @{ Section = 'edge_subscriptions'; Roles = 'Edge'; Cmdlet = 'Get-EdgeSubscription'; Organization = $true; Read = { Get-EdgeSubscription } }
    @{ Section = 'admin_audit_log_config'; Roles = 'Mailbox'; Cmdlet = 'Get-AdminAuditLogConfig'; Organization = $true; Read = { Get-AdminAuditLogConfig } }
    @{ Section = 'mailbox_databases'; Roles = 'Mailbox'; Cmdlet = 'Get-MailboxDatabase'; Read = { Get-MailboxDatabase -Server $short -Status } }
    @{ Section = 'remote_domains'; Roles = 'Mailbox'; Cmdlet = 'Get-RemoteDomain'; Organization = $true; Read = { Get-RemoteDomain } }
    @{ Section = 'outlook_anywhere'; Roles = 'Mailbox'; Cmdlet = 'Get-OutlookAnywhere'; Read = { Get-OutlookAnywhere -Server $short } }
    @{ Section = 'rpc_client_access'; Roles = 'Mailbox'; Cmdlet = 'Get-RpcClientAccess'; Read = { Get-RpcClientAccess -Server $short } }
    @{ Section = 'owa_virtual_directories'; Roles = 'Mailbox'; Cmdlet = 'Get-OwaVirtualDirectory'; Read = { Get-OwaVirtualDirectory -Server $short } }
    @{ Section = 'ecp_virtual_directories'; Roles = 'Mailbox'; Cmdlet = 'Get-EcpVirtualDirectory'; Read = { Get-EcpVirtualDirectory -Server $short } }
    @{ Section = 'activesync_virtual_directories'; Roles = 'Mailbox'; Cmdlet = 'Get-ActiveSyncVirtualDirectory'; Read = { Get-ActiveSyncVirtualDirectory -Server $short } }
    @{ Section = 'web_services_virtual_directories'; Roles = 'Mailbox'; Cmdlet = 'Get-WebServicesVirtualDirectory'; Read = { Get-WebServicesVirtualDirectory -Server $short } }
    @{ Section = 'malware_filtering_server'; Roles = 'Mailbox'; Cmdlet = 'Get-MalwareFilteringServer'; Read = { Get-MalwareFilteringServer -Identity $short } }
    @{ Section = 'database_availability_groups'; Roles = 'Mailbox'; Cmdlet = 'Get-DatabaseAvailabilityGroup'; Organization = $true; Read = { Get-DatabaseAvailabilityGroup } }
    @{ Section = 'role_group_members'; Roles = 'Mailbox'; Cmdlet = 'Get-RoleGroupMember'; Organization = $true; Read = {
            foreach ($group in $RoleGroup) {
                foreach ($member in @(Get-RoleGroupMember -Identity $group -ResultSize Unlimited)) {
                    [ordered]@{
                        RoleGroup          = $group
                        Name               = [string]$member.Name
                        Identity           = [string]$member.Identity
                        RecipientType      = [string]$member.RecipientType
                        PrimarySmtpAddress = [string]$member.PrimarySmtpAddress
                    }
                }
            }
        }
    }
    # filtered on the server: only forwarding mailboxes come back, with the three properties
    @{ Section = 'forwarding_mailboxes'; Roles = 'Mailbox'; Cmdlet = 'Get-Mailbox'; Organization = $true
        Property = 'Identity', 'ForwardingSmtpAddress', 'ForwardingAddress', 'DeliverToMailboxAndForward'
        Read = {
            Get-Mailbox -ResultSize Unlimited -Filter 'ForwardingSmtpAddress -ne $null -or ForwardingAddress -ne $null' |
                Select-Object -Property @('Identity', 'ForwardingSmtpAddress', 'ForwardingAddress', 'DeliverToMailboxAndForward')
        }
    }
)

# Host facts of this computer, read only when the server is the computer the script runs on.
$hostReads = @(
    @{ Section = 'transport_agents'; Roles = 'Edge', 'Mailbox'; Cmdlet = 'Get-TransportAgent'; Read = { Get-TransportAgent } }
    @{ Section = 'ip_allow_list_entries'; Roles = 'Edge'; Cmdlet = 'Get-IPAllowListEntry'; Read = { Get-IPAllowListEntry } }
    @{ Section = 'ip_block_list_entries'; Roles = 'Edge'; Cmdlet = 'Get-IPBlockListEntry'; Read = { Get-IPBlockListEntry } }
    @{ Section = 'execution_policies'; Roles = 'Edge', 'Mailbox'; Cmdlet = 'Get-ExecutionPolicy'; Read = {
            foreach ($entry in Get-ExecutionPolicy -List) {
                [ordered]@{ Scope = [string]$entry.Scope; ExecutionPolicy = [string]$entry.ExecutionPolicy }
            }
        }
    }
    @{ Section = 'registry_values'; Roles = 'Edge', 'Mailbox'; Cmdlet = $null; Read = {
            $key = 'SOFTWARE\Microsoft\.NETFramework\v4.0.30319'
            foreach ($view in 'Registry64', 'Registry32') {
                $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey('LocalMachine', [Microsoft.Win32.RegistryView]$view)
                $shown = $key
                if ($view -eq 'Registry32') { $shown = 'SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v4.0.30319' }
                foreach ($name in 'SchUseStrongCrypto', 'SystemDefaultTlsVersions') {
                    $sub = $base.OpenSubKey($key)
                    $value = $null
                    $kind = 'Absent'
                    if ($sub -and ($sub.GetValueNames() -contains $name)) {
                        $value = $sub.GetValue($name)
                        $kind = [string]$sub.GetValueKind($name)
                        # a REG_DWORD comes back as a signed Int32: write it unsigned, as regedit shows it
                        if ($value -is [int]) { $value = [System.BitConverter]::ToUInt32([System.BitConverter]::GetBytes($value), 0) }
                    }
                    if ($sub) { $sub.Close() }
                    [ordered]@{
                        Identity  = "HKLM\$shown\$name"
                        Path      = "HKLM\$shown"
                        Name      = $name
                        View      = $view
                        ValueKind = $kind
                        Value     = $value
                    }
                }
                $base.Close()
            }
        }
    }
    @{ Section = 'services'; Roles = 'Edge', 'Mailbox'; Cmdlet = 'Get-Service'; Read = {
            foreach ($service in Get-Service) {
                [ordered]@{
                    Name        = [string]$service.Name
                    DisplayName = [string]$service.DisplayName
                    Status      = [string]$service.Status
                    StartType   = [string]$service.StartType
                }
            }
        }
    }
    @{ Section = 'volumes'; Roles = 'Edge', 'Mailbox'; Cmdlet = 'Get-Volume'
        Property = 'DriveLetter', 'FileSystemLabel', 'FileSystem', 'DriveType', 'Size', 'SizeRemaining', 'Path', 'UniqueId'
        Read = { Get-Volume }
    }
    @{ Section = 'network_adapters'; Roles = 'Edge'; Cmdlet = 'Get-NetAdapter'; Read = {
            foreach ($adapter in Get-NetAdapter) {
                $addresses = @(Get-NetIPAddress -InterfaceIndex $adapter.ifIndex -ErrorAction SilentlyContinue |
                        ForEach-Object { '{0}/{1}' -f $_.IPAddress, $_.PrefixLength })
                [ordered]@{
                    Name                 = [string]$adapter.Name
                    InterfaceDescription = [string]$adapter.InterfaceDescription
                    Status               = [string]$adapter.Status
                    MacAddress           = [string]$adapter.MacAddress
                    IPAddresses          = $addresses
                }
            }
        }
    }
    @{ Section = 'iis_settings'; Roles = 'Mailbox'; Cmdlet = $null; Read = {
            Import-Module WebAdministration
            $filter = 'system.webServer/security/access'
            foreach ($location in 'Default Web Site', 'Default Web Site/owa', 'Default Web Site/ecp') {
                $value = Get-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location $location -Filter $filter -Name 'sslFlags'
                if ($value -isnot [string] -and $null -ne $value -and $value.PSObject.Properties['Value']) { $value = $value.Value }
                [ordered]@{
                    Identity = "$location $filter sslFlags"
                    Location = $location
                    Filter   = $filter
                    Name     = 'sslFlags'
                    Value    = [string]$value
                }
            }
        }
    }
    @{ Section = 'web_sites'; Roles = 'Mailbox'; Cmdlet = $null; Read = {
            Import-Module WebAdministration
            foreach ($site in Get-Website) {
                [ordered]@{
                    Name         = [string]$site.Name
                    Id           = [long]$site.Id
                    State        = [string]$site.State
                    PhysicalPath = [string]$site.PhysicalPath
                    Bindings     = @($site.Bindings.Collection | ForEach-Object {
                            '{0} {1} sslFlags={2}' -f $_.protocol, $_.bindingInformation, $_.sslFlags })
                }
            }
        }
    }
)

# The directories the STIGs name, each with its volume (paths) and its ACL (acls).
function Get-ExstigPathReads {
    param($Bundle)
    $install = $env:ExchangeInstallPath
    if (-not $install) { throw 'ExchangeInstallPath is not set: this computer has no Exchange installation' }
    $install = $install.TrimEnd('\')
    $named = New-Object System.Collections.Generic.List[object]
    $named.Add(@('InstallPath', $install, 'ExchangeInstallPath'))
    $queue = Get-ExstigQueuePath $install
    foreach ($key in $queue.Keys) { $named.Add(@($key, $queue[$key][0], $queue[$key][1])) }
    foreach ($service in @($Bundle['transport_service'])) {
        if ($service -isnot [System.Collections.IDictionary]) { continue }
        foreach ($key in 'MessageTrackingLogPath', 'ConnectivityLogPath', 'ReceiveProtocolLogPath', 'SendProtocolLogPath', 'PipelineTracingPath') {
            if ($service.Contains($key) -and $service[$key]) { $named.Add(@($key, [string]$service[$key], 'Get-TransportService')) }
        }
    }
    $named.Add(@('LoggingPath', (Join-Path $install 'Logging'), 'ExchangeInstallPath'))
    $named.Add(@('EventLogPath', (Join-Path $env:SystemRoot 'System32\winevt\Logs'), 'SystemRoot'))
    if ($Bundle.Contains('mailbox_databases')) {
        foreach ($database in @($Bundle['mailbox_databases'])) {
            if ($database -isnot [System.Collections.IDictionary]) { continue }
            $name = [string]$database['Name']
            if ($database['EdbFilePath']) { $named.Add(@("EdbFilePath $name", [string]$database['EdbFilePath'], 'Get-MailboxDatabase')) }
            if ($database['LogFolderPath']) { $named.Add(@("LogFolderPath $name", [string]$database['LogFolderPath'], 'Get-MailboxDatabase')) }
        }
    }
    $roots = @()
    try { $roots = @(Get-CimInstance Win32_Volume | Where-Object { $_.Name -like '?:\*' } | ForEach-Object { [string]$_.Name }) }
    catch { Write-Warning "volume roots not read ($($_.Exception.Message)); using drive letters" }
    $paths = foreach ($item in $named) {
        [ordered]@{
            Purpose = $item[0]
            Path    = $item[1]
            Volume  = Get-ExstigVolumeOf $item[1] $roots
            Exists  = [bool](Test-Path -LiteralPath $item[1])
            Source  = $item[2]
        }
    }
    $acls = foreach ($p in $paths) {
        $target = $p.Path
        if ($p.Purpose -like 'EdbFilePath*') { $target = Split-Path -Parent $target }
        if (-not (Test-Path -LiteralPath $target -PathType Container)) { continue }
        $acl = Get-Acl -LiteralPath $target
        [ordered]@{
            Purpose = $p.Purpose
            Path    = $target
            Owner   = [string]$acl.Owner
            Access  = @(foreach ($rule in $acl.Access) {
                    [ordered]@{
                        IdentityReference = [string]$rule.IdentityReference
                        AccessControlType = [string]$rule.AccessControlType
                        FileSystemRights  = [string]$rule.FileSystemRights
                        IsInherited       = [bool]$rule.IsInherited
                        InheritanceFlags  = [string]$rule.InheritanceFlags
                        PropagationFlags  = [string]$rule.PropagationFlags
                    }
                })
            Sddl    = [string]$acl.Sddl
        }
    }
    return @{ Paths = @($paths); Acls = @($acls) }
}

if (-not (Test-Path -LiteralPath $Path)) { New-Item -ItemType Directory -Path $Path | Out-Null }
$folder = (Resolve-Path -LiteralPath $Path).Path
$utf8NoBom = New-Object System.Text.UTF8Encoding($false)
$organizationCache = @{}
$singleSections = 'transport_config', 'transport_service', 'exchange_server', 'organization_config', 'sender_filter_config',
    'content_filter_config', 'recipient_filter_config', 'sender_reputation_config', 'sender_id_config',
    'attachment_filter_config', 'ip_allow_list_config', 'ip_block_list_providers_config', 'admin_audit_log_config',
    'malware_filtering_server'

foreach ($name in $Server) {
    try {
        $exchangeServer = Get-ExchangeServer -Identity $name
        $short = [string]$exchangeServer.Name
        $version = [string]$exchangeServer.AdminDisplayVersion
        $role = $null
        if ($exchangeServer.IsEdgeServer) { $role = 'Edge' }
        elseif ($version -match 'Version 14\.' -and $exchangeServer.IsHubTransportServer) { $role = 'Hub' }
        elseif ($exchangeServer.IsMailboxServer) { $role = 'Mailbox' }
        $readRole = $role
        if ($role -eq 'Hub') { $readRole = 'Mailbox' }
        $isLocal = $short -eq $env:COMPUTERNAME
        Write-Verbose "Collecting $short ($role)"

        $bundle = [ordered]@{
            exstig_inventory   = 1
            collected          = [ordered]@{
                by         = 'Export-ExchangeStigInventory.ps1'
                at         = (Get-Date).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")
                powershell = $PSVersionTable.PSVersion.ToString()
                ran_on     = $env:COMPUTERNAME
            }
            host               = Get-ExstigHost $exchangeServer $role
        }
        $notCollected = [ordered]@{}
        $reads = @($exchangeReads) + @($hostReads)
        foreach ($read in $reads) {
            if ($readRole -and ($read.Roles -notcontains $readRole)) { continue }
            $section = $read.Section
            $isHostRead = $hostReads -contains $read
            if ($isHostRead -and -not $isLocal) {
                $notCollected[$section] = "host facts are read on the server itself: run the script on $short"
                continue
            }
            if ($read.Contains('Organization') -and $organizationCache.ContainsKey($section)) {
                $result = $organizationCache[$section]
            } else {
                $property = $null
                if ($read.Contains('Property')) { $property = $read.Property }
                $result = Invoke-ExstigRead -Cmdlet $read.Cmdlet -Section $section -Read $read.Read -Property $property
                if ($read.Contains('Organization')) { $organizationCache[$section] = $result }
            }
            if ($result.Contains('Reason')) {
                $notCollected[$section] = $result.Reason
                Write-Warning "${short}: $section not collected: $($result.Reason)"
            } elseif ($singleSections -contains $section -and $result.Objects.Count -eq 1) {
                $bundle[$section] = $result.Objects[0]
            } else {
                $bundle[$section] = $result.Objects
            }
        }
        if ($isLocal) {
            try {
                $found = Get-ExstigPathReads $bundle
                $bundle['paths'] = $found.Paths
                $bundle['acls'] = $found.Acls
            } catch {
                $notCollected['paths'] = "paths: $($_.Exception.Message)"
                $notCollected['acls'] = "acls: $($_.Exception.Message)"
            }
        } else {
            $notCollected['paths'] = "host facts are read on the server itself: run the script on $short"
            $notCollected['acls'] = "host facts are read on the server itself: run the script on $short"
        }
        $bundle['not_collected'] = $notCollected

        $file = Join-Path $folder ("{0}.exstig-inventory.json" -f $short)
        $json = $bundle | ConvertTo-Json -Depth 8
        [System.IO.File]::WriteAllText($file, $json, $utf8NoBom)
        Get-Item -LiteralPath $file
    } catch {
        Write-Error "${name}: $($_.Exception.Message)" -ErrorAction Continue
    }
}
