//! exstig's checks and the binding of benchmark rules to them.
//!
//! A rule is bound by what it examines, never by its Rule ID or STIG ID: the cmdlet its check
//! runs (`Get-ReceiveConnector`, `Get-SendConnector`, `Get-TransportService` / `Get-TransportServer`,
//! `Get-TransportConfig`), the first property it selects that one of the checks knows, the value it
//! compares against (taken from the check text, or from the catalog's check terms when the
//! benchmark carries no prose) and the scope words of its title ("external", "Internet-facing",
//! "internal", "non-Internet"). So every DISA release, and the next one, works without a code
//! change. [`judge`] decides one object against a bound rule; [`scope`] classifies connectors.

pub mod judge;
pub mod scope;
mod text;

use crate::benchmark::{Benchmark, Rule};
use crate::inventory::values::{AUTH_MECHANISM, FlagTable, Size, TLS_AUTH_LEVEL, TimeSpan};
use crate::inventory::{ObjectKind, ServerRole};
use std::collections::BTreeSet;

/// The shape of the value a check reads.
#[derive(Debug, Clone, Copy)]
pub enum ValueType {
    /// A time span (`00:05:00`).
    Time,
    /// A whole number or `Unlimited` (`Unlimited<int>` or int).
    Limit,
    /// A byte size (`10MB`).
    Size,
    /// `True` / `False`.
    Bool,
    /// An exact string.
    Text,
    /// A flags enumeration.
    Flags(&'static FlagTable),
    /// No single value (lists, names, several properties).
    Other,
}

impl PartialEq for ValueType {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ValueType::Flags(a), ValueType::Flags(b)) => std::ptr::eq(*a, *b),
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

impl Eq for ValueType {}

/// How the actual value is compared with the expected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Equal (flags: the same set).
    Equal,
    /// At least the expected value.
    AtLeast,
    /// At most the expected value.
    AtMost,
    /// The flag set includes the expected flags (other flags allowed).
    Includes,
    /// The flag set lacks the expected flag.
    Excludes,
    /// Equal to an organization-wide value (TransportConfig, or the site value).
    SameAsGlobal,
    /// Human judgement of the connector names.
    Naming,
    /// Send connector smart host (and DNS routing) rule.
    SmartHost,
    /// Send connector domain security (with the smart-host branch of some releases).
    SendDomainSecurity,
    /// Send connector TlsDomain against the internal SMTP domain.
    TlsDomain,
    /// TransportConfig InternalSMTPServers against the accepted list.
    InternalSmtpServers,
    /// Edge DNS adapter / server settings against the trusted list.
    DnsServers,
}

/// One of exstig's checks: what it reads and how it judges.
#[derive(Debug)]
pub struct CheckSpec {
    /// Stable check name, shown in `exstig rules` and results (`receive.connection-timeout`).
    pub id: &'static str,
    /// The research concept key (`RC-01`), for documentation.
    pub concept: &'static str,
    /// The kind of object the check reads.
    pub kind: ObjectKind,
    /// The property the check reads (the first of `keys`).
    pub property: &'static str,
    /// Property names that identify the check in a rule's check text.
    pub keys: &'static [&'static str],
    /// The value shape.
    pub value: ValueType,
    /// The comparison.
    pub comparison: Comparison,
    /// The `[values]` key of the site file that may replace the STIG value (EDSP).
    pub site_key: Option<&'static str>,
}

const fn spec(
    id: &'static str,
    concept: &'static str,
    kind: ObjectKind,
    keys: &'static [&'static str],
    value: ValueType,
    comparison: Comparison,
    site_key: Option<&'static str>,
) -> CheckSpec {
    CheckSpec {
        id,
        concept,
        kind,
        property: keys[0],
        keys,
        value,
        comparison,
        site_key,
    }
}

use Comparison as C;
use ObjectKind as K;
use ValueType as V;

/// Every check, in binding priority order within each object kind.
pub static CHECKS: &[CheckSpec] = &[
    spec(
        "receive.naming",
        "RC-09",
        K::ReceiveConnector,
        &["Name"],
        V::Other,
        C::Naming,
        None,
    ),
    spec(
        "receive.connection-timeout",
        "RC-01",
        K::ReceiveConnector,
        &["ConnectionTimeout"],
        V::Time,
        C::Equal,
        Some("connection_timeout"),
    ),
    spec(
        "receive.domain-secure",
        "RC-02/RC-03",
        K::ReceiveConnector,
        &["DomainSecureEnabled"],
        V::Bool,
        C::Equal,
        None,
    ),
    spec(
        "receive.auth-tls-basic",
        "RC-04",
        K::ReceiveConnector,
        &["AuthMechanism"],
        V::Flags(&AUTH_MECHANISM),
        C::Equal,
        None,
    ),
    spec(
        "receive.auth-tls",
        "RC-05",
        K::ReceiveConnector,
        &["AuthMechanism"],
        V::Flags(&AUTH_MECHANISM),
        C::Equal,
        None,
    ),
    spec(
        "receive.no-anonymous",
        "RC-06",
        K::ReceiveConnector,
        &["PermissionGroups"],
        V::Flags(&crate::inventory::values::PERMISSION_GROUPS),
        C::Excludes,
        None,
    ),
    spec(
        "receive.max-recipients",
        "RC-07",
        K::ReceiveConnector,
        &["MaxRecipientsPerMessage"],
        V::Limit,
        C::Equal,
        Some("max_recipients_per_message"),
    ),
    spec(
        "receive.chunking",
        "RC-08",
        K::ReceiveConnector,
        &["ChunkingEnabled"],
        V::Bool,
        C::Equal,
        None,
    ),
    spec(
        "receive.tarpit-interval",
        "RC-10",
        K::ReceiveConnector,
        &["TarpitInterval"],
        V::Time,
        C::AtLeast,
        None,
    ),
    spec(
        "receive.max-hop-count",
        "RC-11",
        K::ReceiveConnector,
        &["MaxHopCount"],
        V::Limit,
        C::Equal,
        Some("max_hop_count"),
    ),
    spec(
        "receive.max-inbound-connection",
        "RC-12",
        K::ReceiveConnector,
        &["MaxInboundConnection"],
        V::Limit,
        C::Equal,
        Some("max_inbound_connection"),
    ),
    spec(
        "receive.max-message-size",
        "RC-13",
        K::ReceiveConnector,
        &["MaxMessageSize"],
        V::Size,
        C::SameAsGlobal,
        Some("max_receive_size"),
    ),
    spec(
        "receive.banner",
        "RC-14",
        K::ReceiveConnector,
        &["Banner"],
        V::Text,
        C::Equal,
        None,
    ),
    spec(
        "send.naming",
        "SC-07",
        K::SendConnector,
        &["Name"],
        V::Other,
        C::Naming,
        None,
    ),
    spec(
        "send.smart-host",
        "SC-01",
        K::SendConnector,
        &["SmartHosts"],
        V::Other,
        C::SmartHost,
        Some("smart_hosts"),
    ),
    spec(
        "send.tls-domain",
        "SC-03",
        K::SendConnector,
        &["TlsDomain"],
        V::Other,
        C::TlsDomain,
        Some("internal_smtp_domain"),
    ),
    spec(
        "send.domain-secure",
        "SC-02",
        K::SendConnector,
        &["DomainSecureEnabled"],
        V::Bool,
        C::SendDomainSecurity,
        None,
    ),
    spec(
        "send.tls-auth-level",
        "SC-04",
        K::SendConnector,
        &["TlsAuthLevel"],
        V::Flags(&TLS_AUTH_LEVEL),
        C::Equal,
        None,
    ),
    spec(
        "send.inactivity-timeout",
        "SC-05",
        K::SendConnector,
        &["ConnectionInactivityTimeOut"],
        V::Time,
        C::Equal,
        Some("connection_inactivity_timeout"),
    ),
    spec(
        "send.max-message-size",
        "SC-06",
        K::SendConnector,
        &["MaxMessageSize"],
        V::Size,
        C::SameAsGlobal,
        Some("max_send_size"),
    ),
    spec(
        "transport.max-outbound-connections",
        "TS-01",
        K::TransportService,
        &["MaxOutboundConnections"],
        V::Limit,
        C::Equal,
        Some("max_outbound_connections"),
    ),
    spec(
        "transport.retry-count",
        "TS-02",
        K::TransportService,
        &["TransientFailureRetryCount"],
        V::Limit,
        C::AtMost,
        Some("transient_failure_retry_count"),
    ),
    spec(
        "transport.max-per-domain-outbound",
        "ADJ-01",
        K::TransportService,
        &["MaxPerDomainOutboundConnections"],
        V::Limit,
        C::Equal,
        Some("max_per_domain_outbound_connections"),
    ),
    spec(
        "transport.connectivity-log",
        "ADJ-05",
        K::TransportService,
        &["ConnectivityLogEnabled"],
        V::Bool,
        C::Equal,
        None,
    ),
    spec(
        "transport.message-tracking-log",
        "-",
        K::TransportService,
        &["MessageTrackingLogEnabled"],
        V::Bool,
        C::Equal,
        None,
    ),
    spec(
        "transport.subject-logging",
        "-",
        K::TransportService,
        &["MessageTrackingLogSubjectLoggingEnabled"],
        V::Bool,
        C::Equal,
        None,
    ),
    spec(
        "transport.dns-servers",
        "ADJ-07",
        K::TransportService,
        &[
            "ExternalDNSServers",
            "ExternalDNSAdapterEnabled",
            "InternalDNSServers",
            "InternalDNSAdapterEnabled",
        ],
        V::Other,
        C::DnsServers,
        Some("dns_servers"),
    ),
    spec(
        "org.max-receive-size",
        "ADJ-02",
        K::TransportConfig,
        &["MaxReceiveSize"],
        V::Size,
        C::Equal,
        Some("max_receive_size"),
    ),
    spec(
        "org.max-send-size",
        "ADJ-03",
        K::TransportConfig,
        &["MaxSendSize"],
        V::Size,
        C::Equal,
        Some("max_send_size"),
    ),
    spec(
        "org.max-recipient-envelope",
        "ADJ-04",
        K::TransportConfig,
        &["MaxRecipientEnvelopeLimit"],
        V::Limit,
        C::Equal,
        Some("max_recipient_envelope_limit"),
    ),
    spec(
        "org.internal-smtp-servers",
        "ADJ-06",
        K::TransportConfig,
        &["InternalSMTPServers"],
        V::Other,
        C::InternalSmtpServers,
        Some("internal_smtp_servers"),
    ),
];

/// A check by id.
pub fn check(id: &str) -> Option<&'static CheckSpec> {
    CHECKS.iter().find(|c| c.id == id)
}

/// The expected value of a bound rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// A time span.
    Time(TimeSpan),
    /// A whole number.
    Number(i64),
    /// `Unlimited` (an EDSP value of an `Unlimited<int>` setting).
    Unlimited,
    /// A byte size.
    Size(Size),
    /// A boolean.
    Bool(bool),
    /// A string.
    Text(String),
    /// A set of flags.
    Flags(BTreeSet<&'static str>),
}

impl Expected {
    /// The value as the STIG writes it.
    pub fn display(&self, value: ValueType) -> String {
        match self {
            Expected::Time(t) => t.to_string(),
            Expected::Number(n) => n.to_string(),
            Expected::Unlimited => "Unlimited".to_string(),
            Expected::Size(s) => s.to_string(),
            Expected::Bool(b) => if *b { "True" } else { "False" }.to_string(),
            Expected::Text(t) => format!("\"{t}\""),
            Expected::Flags(set) => match value {
                ValueType::Flags(table) => table.display(set),
                _ => set.iter().copied().collect::<Vec<_>>().join(", "),
            },
        }
    }
}

/// Which connectors a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleScope {
    /// Every object of the kind.
    All,
    /// Internet-facing connectors only.
    Internet,
    /// Internal connectors only.
    Internal,
}

/// A rule bound to a check, with everything the check needs from the rule's text.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The check.
    pub spec: &'static CheckSpec,
    /// The comparison (a rule's text can turn `Equal` into `Includes`).
    pub comparison: Comparison,
    /// The STIG value, when the check compares with one.
    pub expected: Option<Expected>,
    /// Where `expected` came from ("the check text", "the catalog's check terms", ...).
    pub expected_source: String,
    /// The connectors the rule applies to.
    pub scope: RuleScope,
    /// Why (title words, check text).
    pub scope_basis: String,
    /// The STIG lets the EDSP document another value (signoff and risk acceptance).
    pub edsp_allowed: bool,
    /// The STIG allows a documented deviation (EDSP value or an accepted risk note), so an
    /// exception may turn an Open rule into NotAFinding.
    pub deviation_allowed: bool,
    /// The STIG says the rule is not applicable in some setting (SIPR, another anti-spam product).
    pub not_applicable_note: Option<String>,
    /// The check text makes the rule not applicable on SIPR enclaves (`[values] sipr = true`).
    pub not_applicable_on_sipr: bool,
    /// The check text declares the rule not a finding on this server type (Edge smart host).
    pub not_a_finding_note: Option<String>,
    /// 2016 Edge style smart-host branch for Send connector domain security.
    pub smart_host_branch: bool,
    /// 2019 Edge style: each Send connector uses either DomainValidation with the internal
    /// TlsDomain or DomainSecureEnabled.
    pub validation_method: bool,
    /// The smart host rule also requires DNSRoutingEnabled False (Edge STIGs).
    pub dns_routing_off: bool,
    /// The cmdlet the check runs (`Get-TransportServer` on Exchange 2010).
    pub cmdlet: String,
    /// The rule carried its check text (false for the embedded catalog, which has none).
    pub has_check_text: bool,
    /// How exstig reads defects of the literal text (said in the comments).
    pub notes: Vec<String>,
    /// The check text says "Unlimited" is always a finding (Exchange 2010 global sizes), so an
    /// EDSP value of Unlimited is not accepted.
    pub unlimited_forbidden: bool,
    /// The server role the benchmark is written for.
    pub role: Option<ServerRole>,
}

impl Binding {
    /// The `Set-` cmdlet that fixes what the check reads.
    pub fn fix_cmdlet(&self) -> String {
        match self.cmdlet.split_once('-') {
            Some((_, noun)) => format!("Set-{noun}"),
            None => "Set-".to_string(),
        }
    }
}

/// The server role a benchmark is written for, from its id and title.
pub fn benchmark_role(benchmark: &Benchmark) -> Option<ServerRole> {
    let words = format!("{} {}", benchmark.id, benchmark.title).to_ascii_lowercase();
    if words.contains("edge") {
        Some(ServerRole::Edge)
    } else if words.contains("mailbox") {
        Some(ServerRole::Mailbox)
    } else if words.contains("hub") {
        Some(ServerRole::Hub)
    } else {
        None
    }
}

/// The cmdlets exstig reads, with the kind of object each returns.
const CMDLETS: [(&str, ObjectKind); 5] = [
    ("Get-ReceiveConnector", ObjectKind::ReceiveConnector),
    ("Get-SendConnector", ObjectKind::SendConnector),
    ("Get-TransportService", ObjectKind::TransportService),
    ("Get-TransportServer", ObjectKind::TransportService),
    ("Get-TransportConfig", ObjectKind::TransportConfig),
];

/// Binds `rule` of `benchmark` to one of exstig's checks, or `None` when exstig does not
/// evaluate it.
pub fn bind(benchmark: &Benchmark, rule: &Rule) -> Option<Binding> {
    let prose = rule.check_content.trim();
    let terms: Vec<String> = if prose.is_empty() {
        rule.check_terms.clone()
    } else {
        crate::benchmark::terms::check_terms(prose)
    };
    let (cmdlet_at, cmdlet, kind) = terms.iter().enumerate().find_map(|(i, t)| {
        CMDLETS
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(t))
            .map(|(c, k)| (i, *c, *k))
    })?;
    let title = rule.title.to_ascii_lowercase();
    let role = benchmark_role(benchmark);
    let spec = choose_spec(kind, &title, &terms[cmdlet_at..], prose)?;
    let mut binding = Binding {
        spec,
        comparison: spec.comparison,
        expected: None,
        expected_source: String::new(),
        scope: RuleScope::All,
        scope_basis: String::new(),
        edsp_allowed: false,
        deviation_allowed: false,
        not_applicable_note: None,
        not_applicable_on_sipr: false,
        not_a_finding_note: None,
        smart_host_branch: false,
        validation_method: false,
        dns_routing_off: false,
        cmdlet: cmdlet.to_string(),
        has_check_text: !prose.is_empty(),
        notes: Vec::new(),
        unlimited_forbidden: false,
        role,
    };
    text::fill_expected(&mut binding, prose, &terms, cmdlet_at);
    // RC-04 and RC-05 read the same property: the expected value (or the title) tells them apart.
    if spec.property == "AuthMechanism" {
        let basic = match &binding.expected {
            Some(Expected::Flags(set)) => set.contains("BasicAuth"),
            _ => title.contains("basic auth"),
        };
        binding.spec = check(if basic {
            "receive.auth-tls-basic"
        } else {
            "receive.auth-tls"
        })?;
        if binding.expected.is_none() {
            let names: &[&str] = if basic {
                &["Tls", "BasicAuth", "BasicAuthRequireTLS"]
            } else {
                &["Tls"]
            };
            binding.expected = Some(Expected::Flags(names.iter().copied().collect()));
            binding.expected_source =
                "exstig's reading of the rule title (the benchmark carries no value)".into();
        }
    }
    set_scope(&mut binding, &title, prose);
    set_allowances(&mut binding, &title, prose);
    binding.dns_routing_off = binding.spec.id == "send.smart-host"
        && terms
            .iter()
            .any(|t| t.eq_ignore_ascii_case("DNSRoutingEnabled"));
    Some(binding)
}

/// The check for a rule: naming by title; otherwise the first property the check selects
/// (in the order the check text names them) that a check of `kind` knows.
fn choose_spec(
    kind: ObjectKind,
    title: &str,
    terms: &[String],
    prose: &str,
) -> Option<&'static CheckSpec> {
    let of_kind = || CHECKS.iter().filter(move |c| c.kind == kind);
    if title.contains("named") {
        return of_kind().find(|c| c.comparison == Comparison::Naming);
    }
    let by_key = |word: &str| {
        of_kind().find(|c| {
            c.comparison != Comparison::Naming
                && c.keys.iter().any(|k| k.eq_ignore_ascii_case(word))
        })
    };
    if let Some(found) = terms.iter().find_map(|t| by_key(t)) {
        return Some(found);
    }
    // No selected property (e.g. `Format-List *dns*`): the earliest property named anywhere.
    let lower = prose.to_ascii_lowercase();
    of_kind()
        .filter(|c| c.comparison != Comparison::Naming)
        .filter_map(|c| {
            c.keys
                .iter()
                .filter_map(|k| text::find_word(&lower, &k.to_ascii_lowercase()))
                .min()
                .map(|at| (at, c))
        })
        .min_by_key(|(at, _)| *at)
        .map(|(_, c)| c)
}

/// The connectors a rule applies to, from its title (and, for the anonymous rule, its check
/// text, which on Mailbox STIGs says "any receive connector").
fn set_scope(binding: &mut Binding, title: &str, prose: &str) {
    if !matches!(
        binding.spec.kind,
        ObjectKind::ReceiveConnector | ObjectKind::SendConnector
    ) || binding.comparison == Comparison::Naming
    {
        binding.scope = RuleScope::All;
        binding.scope_basis = "every object".into();
        return;
    }
    let (scope, basis) = title_scope(title);
    binding.scope = scope;
    binding.scope_basis = basis;
    if binding.spec.id == "receive.no-anonymous" {
        let lower = prose.to_ascii_lowercase();
        if lower.contains("for any receive connector") {
            binding.scope = RuleScope::All;
            binding.scope_basis = "the check text says \"for any receive connector\"".into();
        } else if lower.contains("non-internet") || lower.contains("noninternet") {
            binding.scope = RuleScope::Internal;
            binding.scope_basis = "the check text says \"non-Internet connector\"".into();
        } else if prose.is_empty() && binding.role == Some(ServerRole::Mailbox) {
            binding.scope = RuleScope::All;
            binding.scope_basis =
                "Mailbox STIGs check every Receive connector for AnonymousUsers".into();
        }
    }
}

/// Scope words of a title.
fn title_scope(title: &str) -> (RuleScope, String) {
    if title.contains("non-internet") || title.contains("internal") {
        let word = if title.contains("non-internet") {
            "non-Internet"
        } else {
            "internal"
        };
        (
            RuleScope::Internal,
            format!("the rule title says \"{word}\""),
        )
    } else if title.contains("internet") || title.contains("external") {
        let word = if title.contains("external") {
            "external"
        } else if title.contains("internet-facing") {
            "Internet-facing"
        } else {
            "Internet"
        };
        (
            RuleScope::Internet,
            format!("the rule title says \"{word}\""),
        )
    } else {
        (
            RuleScope::All,
            "the rule title names no scope: every connector".into(),
        )
    }
}

/// EDSP values, documented deviations and applicability notes of the check text.
fn set_allowances(binding: &mut Binding, title: &str, prose: &str) {
    let lower = prose.to_ascii_lowercase();
    // Values that replace the STIG's (not reference values such as smart hosts or domains).
    let replaceable = binding.spec.site_key.is_some()
        && matches!(
            binding.comparison,
            Comparison::Equal | Comparison::AtLeast | Comparison::AtMost | Comparison::SameAsGlobal
        );
    binding.edsp_allowed = if prose.is_empty() {
        replaceable
    } else {
        replaceable
            && (lower.contains("risk acceptance")
                || lower.contains("signoff")
                || lower.contains("documented in the edsp"))
    };
    if lower.contains("more than 10 or has signoff")
        || lower.contains("more than \"10\" or has signoff")
    {
        binding.notes.push("The check text says a value \"set to more than 10 or has signoff and risk acceptance\" is not a finding; exstig reads the evident intent, \"and\": more than 10 needs an EDSP value ([values] transient_failure_retry_count).".into());
    }
    if lower.contains("applies to imap4") {
        binding.notes.push("The check text's note about IMAP4 does not concern Receive connectors; exstig checks every Receive connector as the check's command does.".into());
    }
    if binding.comparison == Comparison::Equal
        && binding.spec.value == ValueType::Time
        && (title.contains("limit") || title.contains("or less"))
    {
        binding.notes.push("The title speaks of a limit, but the check text tests for exactly this value; exstig follows the check text (a shorter value is a finding unless the EDSP documents it).".into());
    }
    binding.unlimited_forbidden = lower.match_indices("unlimited").any(|(at, word)| {
        lower[at + word.len()..]
            .trim_start_matches(['\'', '"', '\u{201d}', '\u{2019}'])
            .starts_with(", this is a finding")
    });
    binding.deviation_allowed = binding.edsp_allowed
        || lower.contains("risk must be documented and accepted")
        || lower.contains("risk acceptance");
    binding.not_applicable_on_sipr = lower.contains("not applicable for sipr");
    if binding.not_applicable_on_sipr {
        binding.not_applicable_note =
            Some("the check text says the rule is not applicable for SIPR enclaves".into());
    } else if lower.contains("antispam product") || lower.contains("anti-spam product") {
        binding.not_applicable_note = Some(
            "the check text says the rule is not applicable when another DoD-approved anti-spam product or email gateway (such as EEMSG) is used"
                .into(),
        );
    }
    if binding.spec.id == "send.smart-host"
        && lower.contains("smart host does not need to be configured")
    {
        binding.not_a_finding_note = Some(
            "the check text says a Smart Host does not need to be configured when using an Edge server, so this is not a finding"
                .into(),
        );
    }
    binding.smart_host_branch = matches!(binding.spec.id, "send.domain-secure" | "send.tls-domain")
        && (lower.contains("does not use a smarthost") || lower.contains("not using a smarthost"));
    binding.validation_method =
        binding.spec.id == "send.tls-domain" && lower.contains("which secure validation method");
}

/// One line saying how exstig evaluates `rule` (for `exstig rules`), `None` when it does not.
pub fn describe(benchmark: &Benchmark, rule: &Rule) -> Option<String> {
    let b = bind(benchmark, rule)?;
    let scope = match b.scope {
        RuleScope::All => "",
        RuleScope::Internet => " on Internet-facing connectors",
        RuleScope::Internal => " on internal connectors",
    };
    let expected = b
        .expected
        .as_ref()
        .map(|e| e.display(b.spec.value))
        .unwrap_or_default();
    let property = b.spec.property;
    let what = match b.comparison {
        Comparison::Equal => format!("{property} = {expected}"),
        Comparison::AtLeast => format!("{property} >= {expected}"),
        Comparison::AtMost => format!("{property} <= {expected}"),
        Comparison::Includes => format!("{property} includes {expected}"),
        Comparison::Excludes => format!("{property} lacks {expected}"),
        Comparison::SameAsGlobal => format!(
            "{property} = TransportConfig {} (or [values] {})",
            if b.spec.kind == ObjectKind::SendConnector {
                "MaxSendSize"
            } else {
                "MaxReceiveSize"
            },
            b.spec.site_key.unwrap_or_default()
        ),
        Comparison::Naming => "lists the connector names for human review (Not_Reviewed)".into(),
        Comparison::SmartHost => "SmartHosts holds the [values] smart_hosts".into(),
        Comparison::SendDomainSecurity => "DomainSecureEnabled = True".into(),
        Comparison::TlsDomain => "TlsDomain = [values] internal_smtp_domain".into(),
        Comparison::InternalSmtpServers => {
            "InternalSMTPServers within [values] internal_smtp_servers".into()
        }
        Comparison::DnsServers => "DNS adapters / servers against [values] dns_servers".into(),
    };
    let edsp = if b.edsp_allowed {
        format!(
            "; EDSP value from [values] {}",
            b.spec.site_key.unwrap_or_default()
        )
    } else {
        String::new()
    };
    Some(format!("{}: {} {what}{scope}{edsp}", b.spec.id, b.cmdlet))
}

#[cfg(test)]
mod tests;
