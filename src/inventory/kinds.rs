//! The one table of object kinds exstig reads: for each kind the cmdlet(s) that export it, the
//! .NET type names an export may carry, the properties that identify a bare property bag, whether
//! it belongs to one server or to the organization, and its section in the inventory bundle.
//!
//! Recognition ([`super::recognize`]), the bundle reader ([`super::bundle`]), the bundle schema
//! (`schemas/inventory.schema.json`, checked against this table in tests) and the collector
//! (`collect/Export-ExchangeStigInventory.ps1`) all follow this table.

use super::ServerRole;

/// The kinds of object exstig understands (one per row of [`KINDS`], in the same order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum ObjectKind {
    /// `Get-ReceiveConnector`.
    ReceiveConnector,
    /// `Get-SendConnector`.
    SendConnector,
    /// `Get-TransportConfig` (organization-wide).
    TransportConfig,
    /// `Get-TransportService` (Exchange 2010: `Get-TransportServer`).
    TransportService,
    /// `Get-ExchangeServer -Status`.
    ExchangeServer,
    /// `Get-AcceptedDomain`.
    AcceptedDomain,
    /// `Get-EventLogLevel`.
    EventLogLevel,
    /// `Get-OrganizationConfig`.
    OrganizationConfig,
    /// `Get-ExchangeCertificate`.
    ExchangeCertificate,
    /// `Get-TransportAgent`.
    TransportAgent,
    /// `Get-ExecutionPolicy -List`.
    ExecutionPolicy,
    /// A registry value (e.g. `SchUseStrongCrypto`, 64- and 32-bit views), as the collector
    /// writes it.
    RegistryValue,
    /// `Get-Service`.
    Service,
    /// `Get-Volume` (or `Win32_Volume`).
    Volume,
    /// A directory that matters to the STIG (install path, queue database, log and database
    /// paths) with the volume it lives on, as the collector writes it.
    ServerPath,
    /// `Get-Acl` of a directory: owner and access rules.
    Acl,
    /// `Get-NetAdapter` (or `Win32_NetworkAdapterConfiguration`).
    NetworkAdapter,
    /// `Get-SenderFilterConfig`.
    SenderFilterConfig,
    /// `Get-ContentFilterConfig`.
    ContentFilterConfig,
    /// `Get-RecipientFilterConfig`.
    RecipientFilterConfig,
    /// `Get-SenderReputationConfig`.
    SenderReputationConfig,
    /// `Get-SenderIdConfig`.
    SenderIdConfig,
    /// `Get-AttachmentFilterEntry`.
    AttachmentFilterEntry,
    /// `Get-AttachmentFilterListConfig`.
    AttachmentFilterConfig,
    /// `Get-IPAllowListEntry`.
    IPAllowListEntry,
    /// `Get-IPBlockListEntry` (same properties as allow-list entries: only a type name or a
    /// bundle section tells them apart).
    IPBlockListEntry,
    /// `Get-IPAllowListConfig`.
    IPAllowListConfig,
    /// `Get-IPBlockListProvider`.
    IPBlockListProvider,
    /// `Get-IPBlockListProvidersConfig`.
    IPBlockListProvidersConfig,
    /// `Get-EdgeSubscription`.
    EdgeSubscription,
    /// `Get-AdminAuditLogConfig`.
    AdminAuditLogConfig,
    /// `Get-MailboxDatabase -Status`.
    MailboxDatabase,
    /// `Get-RemoteDomain`.
    RemoteDomain,
    /// `Get-OutlookAnywhere`.
    OutlookAnywhere,
    /// `Get-RpcClientAccess`.
    RpcClientAccess,
    /// `Get-OwaVirtualDirectory`.
    OwaVirtualDirectory,
    /// `Get-EcpVirtualDirectory`.
    EcpVirtualDirectory,
    /// `Get-ActiveSyncVirtualDirectory`.
    ActiveSyncVirtualDirectory,
    /// `Get-WebServicesVirtualDirectory`.
    WebServicesVirtualDirectory,
    /// `Get-MalwareFilteringServer`.
    MalwareFilteringServer,
    /// `Get-DatabaseAvailabilityGroup`.
    DatabaseAvailabilityGroup,
    /// `Get-RoleGroupMember` of a role group the STIG names (with the group in `RoleGroup`).
    RoleGroupMember,
    /// `Get-Mailbox` of mailboxes that forward mail (identity, `ForwardingSmtpAddress`,
    /// `ForwardingAddress`).
    Mailbox,
    /// One IIS configuration attribute (`Get-WebConfigurationProperty`, e.g. the OWA
    /// `sslFlags`), as the collector writes it.
    IisSetting,
    /// `Get-Website`: an IIS site with its bindings.
    WebSite,
}

/// Where an object of a kind belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Scope {
    /// One set for the whole organization (on an Edge server: for that server).
    Organization,
    /// Each object names its server (`Server`, a `SERVER\` prefix of `Identity`, or the
    /// distinguished name).
    Server,
    /// Each object is a server (its name is the server's).
    ServerItself,
    /// A fact of the host the export ran on; the object does not name the server.
    Host,
}

/// One row of the kind table.
#[derive(Debug)]
pub struct KindSpec {
    /// The kind.
    pub kind: ObjectKind,
    /// What one object is called in messages (e.g. "Receive connector").
    pub title: &'static str,
    /// The cmdlets that export it: the current name first, then older names (Exchange 2010)
    /// and alternatives.
    pub cmdlets: &'static [&'static str],
    /// The last part of the .NET type names an export carries (`Deserialized.` and the
    /// namespace stripped; for CIM/WMI classes the class name after `#` or `\`).
    pub type_names: &'static [&'static str],
    /// How a bare property bag is recognized: the bag is of this kind when it satisfies every
    /// term of any one set. A term is `Prop` (present), `!Prop` (absent), `Prop=a|b` (present
    /// with one of these texts) or `Prop^=a|b` (its text starts with one of these); names and
    /// texts match case-insensitively.
    pub identify: &'static [&'static [&'static str]],
    /// When a bag matches several kinds, the highest priority wins (a tie is an error).
    pub priority: u8,
    /// Per server or organization-wide.
    pub scope: Scope,
    /// Whether there is one object per server or organization (a bundle section may then hold
    /// a single object rather than an array).
    pub single: bool,
    /// The key of its section in the inventory bundle.
    pub section: &'static str,
    /// The roles on which the STIGs read it (and the collector collects it).
    pub roles: &'static [ServerRole],
    /// The properties that name an object, tried in order before `Name` and `Identity`.
    pub naming: &'static [&'static str],
}

const EDGE: &[ServerRole] = &[ServerRole::Edge];
const MAILBOX: &[ServerRole] = &[ServerRole::Mailbox, ServerRole::Hub];
const BOTH: &[ServerRole] = &[ServerRole::Edge, ServerRole::Mailbox, ServerRole::Hub];

/// Builds a row with the common defaults (priority 1, several objects, no naming properties).
#[allow(clippy::too_many_arguments)] // one argument per column of the table
const fn row(
    kind: ObjectKind,
    title: &'static str,
    cmdlets: &'static [&'static str],
    type_names: &'static [&'static str],
    identify: &'static [&'static [&'static str]],
    scope: Scope,
    section: &'static str,
    roles: &'static [ServerRole],
) -> KindSpec {
    KindSpec {
        kind,
        title,
        cmdlets,
        type_names,
        identify,
        priority: 1,
        scope,
        single: false,
        section,
        roles,
        naming: &[],
    }
}

impl KindSpec {
    /// The same row with another priority.
    const fn priority(mut self, priority: u8) -> KindSpec {
        self.priority = priority;
        self
    }

    /// The same row, marked as one object per server or organization.
    const fn single(mut self) -> KindSpec {
        self.single = true;
        self
    }

    /// The same row with naming properties.
    const fn naming(mut self, naming: &'static [&'static str]) -> KindSpec {
        self.naming = naming;
        self
    }
}

use ObjectKind as K;
use Scope::{Host, Organization, Server, ServerItself};

/// Every kind, in the order of [`ObjectKind`].
pub const KINDS: [KindSpec; 45] = [
    row(
        K::ReceiveConnector,
        "Receive connector",
        &["Get-ReceiveConnector"],
        &["ReceiveConnector"],
        &[
            &["Bindings", "!PhysicalPath"],
            &["PermissionGroups"],
            &["AuthMechanism"],
            &["RemoteIPRanges"],
            &["MaxInboundConnection"],
            &["TarpitInterval"],
        ],
        Server,
        "receive_connectors",
        BOTH,
    )
    .priority(2),
    row(
        K::SendConnector,
        "Send connector",
        &["Get-SendConnector"],
        &["SmtpSendConnectorConfig", "SendConnector"],
        &[
            &["AddressSpaces"],
            &["SmartHosts"],
            &["SmartHostsString"],
            &["DNSRoutingEnabled"],
            &["SourceTransportServers"],
            &["SmartHostAuthMechanism"],
        ],
        Organization,
        "send_connectors",
        BOTH,
    )
    .priority(2),
    row(
        K::TransportConfig,
        "transport configuration",
        &["Get-TransportConfig"],
        &["TransportConfigContainer"],
        &[
            &["MaxReceiveSize"],
            &["MaxSendSize"],
            &["MaxRecipientEnvelopeLimit"],
            &["TLSReceiveDomainSecureList"],
            &["TLSSendDomainSecureList"],
            &["InternalSMTPServers"],
        ],
        Organization,
        "transport_config",
        BOTH,
    )
    .priority(0)
    .single(),
    row(
        K::TransportService,
        "transport service",
        &["Get-TransportService", "Get-TransportServer"],
        &[
            "TransportServer",
            "TransportService",
            "TransportServerPresentationObject",
        ],
        &[
            &["MaxOutboundConnections"],
            &["MaxPerDomainOutboundConnections"],
            &["TransientFailureRetryCount"],
            &["MessageTrackingLogEnabled"],
            &["ConnectivityLogEnabled"],
            &["ExternalDNSServers"],
        ],
        ServerItself,
        "transport_service",
        BOTH,
    )
    .priority(0)
    .single(),
    row(
        K::ExchangeServer,
        "Exchange server",
        &["Get-ExchangeServer"],
        &["ExchangeServer"],
        &[
            &["IsEdgeServer", "AdminDisplayVersion"],
            &["IsEdgeServer", "ServerRole"],
        ],
        ServerItself,
        "exchange_server",
        BOTH,
    )
    .priority(3)
    .single(),
    row(
        K::AcceptedDomain,
        "accepted domain",
        &["Get-AcceptedDomain"],
        &["AcceptedDomain"],
        &[&["DomainType"], &["DomainName", "AddressBookEnabled"]],
        Organization,
        "accepted_domains",
        BOTH,
    ),
    row(
        K::EventLogLevel,
        "event log category",
        &["Get-EventLogLevel"],
        &["EventCategoryObject"],
        &[&["EventLevel"]],
        Server,
        "event_log_levels",
        BOTH,
    )
    .naming(&["Identity"]),
    row(
        K::OrganizationConfig,
        "organization configuration",
        &["Get-OrganizationConfig"],
        &["OrganizationConfig"],
        &[
            &["CustomerFeedbackEnabled", "!IsEdgeServer"],
            &["MailTipsAllTipsEnabled"],
            &["ActivityBasedAuthenticationTimeoutEnabled"],
        ],
        Organization,
        "organization_config",
        BOTH,
    )
    .single(),
    row(
        K::ExchangeCertificate,
        "Exchange certificate",
        &["Get-ExchangeCertificate"],
        &["ExchangeCertificate"],
        &[
            &["Thumbprint", "CertificateDomains"],
            &["Thumbprint", "RootCAType"],
            &["Thumbprint", "Services", "NotAfter"],
        ],
        Server,
        "exchange_certificates",
        BOTH,
    )
    .naming(&["Thumbprint"]),
    row(
        K::TransportAgent,
        "transport agent",
        &["Get-TransportAgent"],
        &["TransportAgent", "TransportAgentObject"],
        &[&["TransportAgentFactory"], &["AssemblyPath", "Priority"]],
        Host,
        "transport_agents",
        BOTH,
    ),
    row(
        K::ExecutionPolicy,
        "execution policy scope",
        &["Get-ExecutionPolicy"],
        &[],
        &[&["Scope", "ExecutionPolicy"]],
        Host,
        "execution_policies",
        BOTH,
    )
    .naming(&["Scope"]),
    row(
        K::RegistryValue,
        "registry value",
        &["Get-ItemProperty"],
        &[],
        &[&["ValueKind", "View"], &["ValueKind", "Path", "Value"]],
        Host,
        "registry_values",
        BOTH,
    )
    .naming(&["Identity"]),
    row(
        K::Service,
        "Windows service",
        &["Get-Service"],
        &["ServiceController", "Win32_Service"],
        &[
            &["ServiceName", "StartType"],
            &["ServiceName", "ServiceType"],
            &["StartMode", "State", "PathName"],
        ],
        Host,
        "services",
        BOTH,
    )
    .naming(&["Name", "ServiceName"]),
    row(
        K::Volume,
        "volume",
        &["Get-Volume"],
        &["MSFT_Volume", "Win32_Volume"],
        &[
            &["DriveLetter", "FileSystemLabel"],
            &["DriveLetter", "SizeRemaining"],
            &["DriveLetter", "Capacity", "FreeSpace"],
        ],
        Host,
        "volumes",
        BOTH,
    )
    .naming(&["DriveLetter", "Path", "UniqueId", "DeviceID"]),
    row(
        K::ServerPath,
        "server path",
        &["Export-ExchangeStigInventory.ps1"],
        &[],
        &[&["Path", "Volume", "Purpose"]],
        Host,
        "paths",
        BOTH,
    )
    .naming(&["Purpose"]),
    row(
        K::Acl,
        "access control list",
        &["Get-Acl"],
        &["DirectorySecurity", "FileSecurity"],
        &[
            &["Owner", "Access"],
            &["Owner", "Sddl"],
            &["AccessToString"],
        ],
        Host,
        "acls",
        BOTH,
    )
    .naming(&["Purpose", "Path"]),
    row(
        K::NetworkAdapter,
        "network adapter",
        &["Get-NetAdapter"],
        &[
            "MSFT_NetAdapter",
            "Win32_NetworkAdapterConfiguration",
            "Win32_NetworkAdapter",
        ],
        &[
            &["InterfaceDescription", "MacAddress"],
            &["IPEnabled", "MacAddress"],
            &["NetConnectionID", "MacAddress"],
        ],
        Host,
        "network_adapters",
        EDGE,
    )
    .naming(&["Name", "Description", "InterfaceDescription"]),
    row(
        K::SenderFilterConfig,
        "sender filter configuration",
        &["Get-SenderFilterConfig"],
        &["SenderFilterConfig"],
        &[
            &["BlankSenderBlockingEnabled"],
            &["BlockedDomainsAndSubdomains"],
            &["RecipientBlockedSenderAction"],
        ],
        Organization,
        "sender_filter_config",
        BOTH,
    )
    .single(),
    row(
        K::ContentFilterConfig,
        "content filter configuration",
        &["Get-ContentFilterConfig"],
        &["ContentFilterConfig"],
        &[
            &["SCLRejectThreshold"],
            &["SCLDeleteThreshold"],
            &["QuarantineMailbox"],
        ],
        Organization,
        "content_filter_config",
        BOTH,
    )
    .single(),
    row(
        K::RecipientFilterConfig,
        "recipient filter configuration",
        &["Get-RecipientFilterConfig"],
        &["RecipientFilterConfig"],
        &[&["RecipientValidationEnabled"], &["BlockedRecipients"]],
        Organization,
        "recipient_filter_config",
        EDGE,
    )
    .single(),
    row(
        K::SenderReputationConfig,
        "sender reputation configuration",
        &["Get-SenderReputationConfig"],
        &["SenderReputationConfig"],
        &[
            &["SrlBlockThreshold"],
            &["OpenProxyDetectionEnabled"],
            &["SenderBlockingPeriod"],
        ],
        Organization,
        "sender_reputation_config",
        BOTH,
    )
    .single(),
    row(
        K::SenderIdConfig,
        "Sender ID configuration",
        &["Get-SenderIdConfig"],
        &["SenderIdConfig"],
        &[&["SpoofedDomainAction"], &["TempErrorAction"]],
        Organization,
        "sender_id_config",
        BOTH,
    )
    .single(),
    row(
        K::AttachmentFilterEntry,
        "attachment filter entry",
        &["Get-AttachmentFilterEntry"],
        &[
            "AttachmentFilterEntrySpecification",
            "AttachmentFilterEntry",
        ],
        &[
            &["Type=ContentType|FileName", "Name"],
            &["Identity^=ContentType:|FileName:", "Name", "Type"],
        ],
        Organization,
        "attachment_filter_entries",
        EDGE,
    )
    .naming(&["Identity"]),
    row(
        K::AttachmentFilterConfig,
        "attachment filter configuration",
        &["Get-AttachmentFilterListConfig"],
        &["AttachmentFilteringConfig", "AttachmentFilterListConfig"],
        &[
            &["AdminMessage", "RejectResponse"],
            &["ExceptionConnectors"],
        ],
        Organization,
        "attachment_filter_config",
        EDGE,
    )
    .single(),
    row(
        K::IPAllowListEntry,
        "IP Allow list entry",
        &["Get-IPAllowListEntry"],
        &["IPAllowListEntry"],
        &[
            &["IPRange", "ExpirationTime"],
            &["IPRange", "IsMachineGenerated"],
        ],
        Host,
        "ip_allow_list_entries",
        EDGE,
    )
    .naming(&["IPRange", "Identity"]),
    row(
        K::IPBlockListEntry,
        "IP Block list entry",
        &["Get-IPBlockListEntry"],
        &["IPBlockListEntry"],
        &[
            &["IPRange", "ExpirationTime"],
            &["IPRange", "IsMachineGenerated"],
        ],
        Host,
        "ip_block_list_entries",
        EDGE,
    )
    .naming(&["IPRange", "Identity"]),
    row(
        K::IPAllowListConfig,
        "IP Allow list configuration",
        &["Get-IPAllowListConfig"],
        &["IPAllowListConfig"],
        &[
            &["Enabled", "Name=IPAllowListConfig"],
            &["Enabled", "Identity=IPAllowListConfig"],
        ],
        Organization,
        "ip_allow_list_config",
        EDGE,
    )
    .single(),
    row(
        K::IPBlockListProvider,
        "IP Block list provider",
        &["Get-IPBlockListProvider"],
        &["IPBlockListProvider"],
        &[&["LookupDomain", "RejectionResponse"]],
        Organization,
        "ip_block_list_providers",
        EDGE,
    ),
    row(
        K::IPBlockListProvidersConfig,
        "IP Block list providers configuration",
        &["Get-IPBlockListProvidersConfig"],
        &["IPBlockListProviderConfig", "IPBlockListProvidersConfig"],
        &[
            &["Enabled", "Name=IPBlockListProviderConfig"],
            &["Enabled", "Identity=IPBlockListProviderConfig"],
            &[
                "BypassedRecipients",
                "Enabled",
                "!BypassedSenders",
                "!SCLRejectThreshold",
                "!SpoofedDomainAction",
            ],
        ],
        Organization,
        "ip_block_list_providers_config",
        EDGE,
    )
    .single(),
    row(
        K::EdgeSubscription,
        "Edge subscription",
        &["Get-EdgeSubscription"],
        &["EdgeSubscription"],
        &[&["Site", "Domain", "!IsEdgeServer", "!ServiceName"]],
        Organization,
        "edge_subscriptions",
        EDGE,
    ),
    row(
        K::AdminAuditLogConfig,
        "admin audit log configuration",
        &["Get-AdminAuditLogConfig"],
        &["AdminAuditLogConfig"],
        &[&["AdminAuditLogEnabled"], &["AdminAuditLogParameters"]],
        Organization,
        "admin_audit_log_config",
        MAILBOX,
    )
    .single(),
    row(
        K::MailboxDatabase,
        "mailbox database",
        &["Get-MailboxDatabase"],
        &["MailboxDatabase"],
        &[
            &["EdbFilePath"],
            &["CircularLoggingEnabled", "LogFolderPath"],
        ],
        Server,
        "mailbox_databases",
        MAILBOX,
    ),
    row(
        K::RemoteDomain,
        "remote domain",
        &["Get-RemoteDomain"],
        &["RemoteDomain", "DomainContentConfig"],
        &[
            &["AutoForwardEnabled"],
            &["AllowedOOFType"],
            &["NDREnabled"],
        ],
        Organization,
        "remote_domains",
        MAILBOX,
    ),
    row(
        K::OutlookAnywhere,
        "Outlook Anywhere virtual directory",
        &["Get-OutlookAnywhere"],
        &["ADRpcHttpVirtualDirectory"],
        &[
            &["InternalClientAuthenticationMethod"],
            &["ExternalClientAuthenticationMethod"],
            &["IISAuthenticationMethods", "SSLOffloading"],
        ],
        Server,
        "outlook_anywhere",
        MAILBOX,
    ),
    row(
        K::RpcClientAccess,
        "RPC Client Access setting",
        &["Get-RpcClientAccess"],
        &["ExchangeRpcClientAccess"],
        &[
            &["EncryptionRequired", "BlockedClientVersions"],
            &["EncryptionRequired", "MaximumConnections"],
        ],
        Server,
        "rpc_client_access",
        MAILBOX,
    ),
    row(
        K::OwaVirtualDirectory,
        "OWA virtual directory",
        &["Get-OwaVirtualDirectory"],
        &["ADOwaVirtualDirectory"],
        &[
            &["LogonFormat"],
            &["InstantMessagingType"],
            &["DirectFileAccessOnPublicComputersEnabled"],
        ],
        Server,
        "owa_virtual_directories",
        MAILBOX,
    ),
    row(
        K::EcpVirtualDirectory,
        "ECP virtual directory",
        &["Get-EcpVirtualDirectory"],
        &["ADEcpVirtualDirectory"],
        &[&["AdminEnabled", "OwaOptionsEnabled"]],
        Server,
        "ecp_virtual_directories",
        MAILBOX,
    ),
    row(
        K::ActiveSyncVirtualDirectory,
        "ActiveSync virtual directory",
        &["Get-ActiveSyncVirtualDirectory"],
        &["ADMobileVirtualDirectory"],
        &[
            &["ActiveSyncServer"],
            &["ClientCertAuth"],
            &["BadItemReportingEnabled"],
        ],
        Server,
        "activesync_virtual_directories",
        MAILBOX,
    ),
    row(
        K::WebServicesVirtualDirectory,
        "EWS virtual directory",
        &["Get-WebServicesVirtualDirectory"],
        &["ADWebServicesVirtualDirectory"],
        &[&["MRSProxyEnabled"], &["InternalNLBBypassUrl"]],
        Server,
        "web_services_virtual_directories",
        MAILBOX,
    ),
    row(
        K::MalwareFilteringServer,
        "malware filtering server",
        &["Get-MalwareFilteringServer"],
        &["MalwareFilteringServer"],
        &[
            &["PrimaryUpdatePath"],
            &["MinimumSuccessfulEngineScans"],
            &["DeferWaitTime"],
        ],
        ServerItself,
        "malware_filtering_server",
        MAILBOX,
    )
    .single(),
    row(
        K::DatabaseAvailabilityGroup,
        "database availability group",
        &["Get-DatabaseAvailabilityGroup"],
        &["DatabaseAvailabilityGroup"],
        &[&["WitnessServer"], &["DatacenterActivationMode"]],
        Organization,
        "database_availability_groups",
        MAILBOX,
    ),
    row(
        K::RoleGroupMember,
        "role group member",
        &["Get-RoleGroupMember"],
        &[],
        &[&["RoleGroup"]],
        Organization,
        "role_group_members",
        MAILBOX,
    ),
    row(
        K::Mailbox,
        "mailbox",
        &["Get-Mailbox"],
        &["Mailbox"],
        &[
            &["ForwardingSmtpAddress"],
            &["ForwardingAddress"],
            &["DeliverToMailboxAndForward"],
        ],
        Organization,
        "forwarding_mailboxes",
        MAILBOX,
    )
    .priority(2)
    .naming(&["Identity"]),
    row(
        K::IisSetting,
        "IIS setting",
        &["Get-WebConfigurationProperty"],
        &[],
        &[&["Location", "Filter", "Value"]],
        Host,
        "iis_settings",
        MAILBOX,
    )
    .naming(&["Identity"]),
    row(
        K::WebSite,
        "IIS web site",
        &["Get-Website"],
        &[],
        &[
            &["PhysicalPath", "Bindings"],
            &["PhysicalPath", "ServerAutoStart"],
        ],
        Host,
        "web_sites",
        MAILBOX,
    ),
];

impl ObjectKind {
    /// Every kind, in table order.
    pub fn all() -> impl Iterator<Item = ObjectKind> {
        KINDS.iter().map(|s| s.kind)
    }

    /// This kind's row of [`KINDS`].
    pub fn spec(self) -> &'static KindSpec {
        &KINDS[self as usize]
    }

    /// The cmdlet that exports this kind (its current name).
    pub fn cmdlet(self) -> &'static str {
        self.spec().cmdlets[0]
    }

    /// What one object of this kind is called in messages.
    pub fn title(self) -> &'static str {
        self.spec().title
    }

    /// Its section in the inventory bundle.
    pub fn section(self) -> &'static str {
        self.spec().section
    }

    /// Per server or organization-wide.
    pub fn scope(self) -> Scope {
        self.spec().scope
    }

    /// Whether its objects belong to one server (anything but [`Scope::Organization`]).
    pub fn is_per_server(self) -> bool {
        self.scope() != Scope::Organization
    }

    /// The kind a cmdlet exports (any of its names, case-insensitively; `Get-TransportServer`
    /// gives [`ObjectKind::TransportService`]).
    pub fn from_cmdlet(cmdlet: &str) -> Option<ObjectKind> {
        let cmdlet = cmdlet.trim();
        KINDS
            .iter()
            .find(|s| s.cmdlets.iter().any(|c| c.eq_ignore_ascii_case(cmdlet)))
            .map(|s| s.kind)
    }

    /// The kind whose bundle section this is.
    pub fn from_section(section: &str) -> Option<ObjectKind> {
        KINDS.iter().find(|s| s.section == section).map(|s| s.kind)
    }

    /// The kind named by a .NET type name (with or without `Deserialized.` / `Selected.`;
    /// CIM and WMI class names after `#` or `\`).
    pub fn from_type_name(type_name: &str) -> Option<ObjectKind> {
        let name = type_name
            .trim_start_matches("Deserialized.")
            .trim_start_matches("Selected.");
        let last = name.rsplit(['.', '#', '\\', '/']).next().unwrap_or(name);
        KINDS
            .iter()
            .find(|s| s.type_names.iter().any(|t| t.eq_ignore_ascii_case(last)))
            .map(|s| s.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_table_is_in_enum_order_and_its_keys_are_unique() {
        for (i, spec) in KINDS.iter().enumerate() {
            assert_eq!(spec.kind as usize, i, "{:?} out of order", spec.kind);
            assert!(!spec.cmdlets.is_empty() && !spec.identify.is_empty());
            assert!(
                spec.identify
                    .iter()
                    .all(|set| { set.iter().any(|t| !t.starts_with('!')) })
            );
        }
        let sections: HashSet<&str> = KINDS.iter().map(|s| s.section).collect();
        assert_eq!(sections.len(), KINDS.len());
        let cmdlets: Vec<&str> = KINDS
            .iter()
            .flat_map(|s| s.cmdlets.iter().copied())
            .collect();
        let unique: HashSet<String> = cmdlets.iter().map(|c| c.to_ascii_lowercase()).collect();
        assert_eq!(unique.len(), cmdlets.len());
    }

    #[test]
    fn cmdlets_sections_and_type_names_lead_to_their_kind() {
        for spec in &KINDS {
            for cmdlet in spec.cmdlets {
                assert_eq!(ObjectKind::from_cmdlet(cmdlet), Some(spec.kind));
            }
            assert_eq!(ObjectKind::from_section(spec.section), Some(spec.kind));
            for t in spec.type_names {
                assert_eq!(ObjectKind::from_type_name(t), Some(spec.kind), "{t}");
            }
        }
        assert_eq!(
            ObjectKind::from_cmdlet("get-transportserver"),
            Some(ObjectKind::TransportService)
        );
        assert_eq!(
            ObjectKind::from_type_name(
                "Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.ADOwaVirtualDirectory"
            ),
            Some(ObjectKind::OwaVirtualDirectory)
        );
        assert_eq!(
            ObjectKind::from_type_name(
                "Microsoft.Management.Infrastructure.CimInstance#ROOT/Microsoft/Windows/Storage/MSFT_Volume"
            ),
            Some(ObjectKind::Volume)
        );
        assert_eq!(
            ObjectKind::from_type_name(
                "System.Management.ManagementObject#root\\cimv2\\Win32_Service"
            ),
            Some(ObjectKind::Service)
        );
        assert_eq!(ObjectKind::from_type_name("System.Object"), None);
        assert_eq!(ObjectKind::from_cmdlet("Get-Nothing"), None);
    }

    #[test]
    fn scopes() {
        assert!(ObjectKind::ReceiveConnector.is_per_server());
        assert!(ObjectKind::Service.is_per_server());
        assert!(!ObjectKind::SendConnector.is_per_server());
        assert!(!ObjectKind::AcceptedDomain.is_per_server());
        assert_eq!(
            ObjectKind::TransportService.cmdlet(),
            "Get-TransportService"
        );
    }
}
