//! The site file (`--site FILE`, TOML): what the STIG leaves to the organization's Email Domain
//! Security Plan (EDSP). Connector scopes (`[[connector]]`), checklist asset defaults
//! (`[asset]`), organization-defined values (`[values]`), documented exceptions
//! (`[[exception]]`) and answers for the rules no export decides (`[[answer]]`, applied by
//! [`crate::answers`]). Unknown keys and wrong types are errors that name the key and the line.

use crate::error::{Error, Position, Result};
use crate::inventory::values::{Size, TimeSpan};
use serde::{Deserialize, Deserializer};
use std::path::{Path, PathBuf};

/// Whether a connector faces the Internet or the organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Internet-facing ("external").
    Internet,
    /// Internal ("non-Internet").
    Internal,
}

impl Scope {
    /// `internet` or `internal`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Internet => "internet",
            Scope::Internal => "internal",
        }
    }
}

/// Which connectors a `[[connector]]` entry may match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorKind {
    /// Receive connectors only.
    Receive,
    /// Send connectors only.
    Send,
}

/// One `[[connector]]` entry: a glob on Identity (`SERVER\Name`) or Name, and its scope.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorDecl {
    /// Glob (`*`, `?`, `[...]`), case-insensitive, matched against Identity and Name.
    #[serde(rename = "match")]
    pub pattern: String,
    /// The declared scope.
    pub scope: Scope,
    /// Restrict the entry to Receive or Send connectors (default: both).
    #[serde(default)]
    pub kind: Option<ConnectorKind>,
    /// Free text for the reader of the site file.
    #[serde(default)]
    pub comment: Option<String>,
}

/// `[asset]`: defaults for the checklist ASSET block (the command line wins).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteAsset {
    /// HOST_NAME.
    pub host_name: Option<String>,
    /// HOST_FQDN.
    pub fqdn: Option<String>,
    /// HOST_IP.
    pub ip: Option<String>,
    /// HOST_MAC.
    pub mac: Option<String>,
    /// ROLE (None, Workstation, Member Server, Domain Controller).
    pub role: Option<String>,
    /// MARKING.
    pub marking: Option<String>,
    /// TECH_AREA.
    pub tech_area: Option<String>,
    /// TARGET_COMMENT.
    pub target_comment: Option<String>,
}

/// A whole number or `"Unlimited"`, as Exchange's `Unlimited<int>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitValue {
    /// A number.
    Value(i64),
    /// `Unlimited`.
    Unlimited,
}

impl std::fmt::Display for LimitValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LimitValue::Value(n) => write!(f, "{n}"),
            LimitValue::Unlimited => f.write_str("Unlimited"),
        }
    }
}

/// `[values]`: organization-defined values from the EDSP, each replacing the STIG default where
/// the STIG text allows it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteValues {
    /// Receive connector ConnectionTimeout.
    #[serde(default, deserialize_with = "de_timespan")]
    pub connection_timeout: Option<TimeSpan>,
    /// Send connector ConnectionInactivityTimeOut.
    #[serde(default, deserialize_with = "de_timespan")]
    pub connection_inactivity_timeout: Option<TimeSpan>,
    /// Receive connector MaxRecipientsPerMessage.
    #[serde(default)]
    pub max_recipients_per_message: Option<i64>,
    /// Receive connector MaxHopCount.
    #[serde(default)]
    pub max_hop_count: Option<i64>,
    /// Receive connector MaxInboundConnection (number or "Unlimited").
    #[serde(default, deserialize_with = "de_limit")]
    pub max_inbound_connection: Option<LimitValue>,
    /// Global MaxReceiveSize (used when TransportConfig is not in the inventory).
    #[serde(default, deserialize_with = "de_size")]
    pub max_receive_size: Option<Size>,
    /// Global MaxSendSize (used when TransportConfig is not in the inventory).
    #[serde(default, deserialize_with = "de_size")]
    pub max_send_size: Option<Size>,
    /// TransportConfig MaxRecipientEnvelopeLimit.
    #[serde(default, deserialize_with = "de_limit")]
    pub max_recipient_envelope_limit: Option<LimitValue>,
    /// TransportService MaxOutboundConnections.
    #[serde(default, deserialize_with = "de_limit")]
    pub max_outbound_connections: Option<LimitValue>,
    /// TransportService MaxPerDomainOutboundConnections.
    #[serde(default, deserialize_with = "de_limit")]
    pub max_per_domain_outbound_connections: Option<LimitValue>,
    /// TransportService TransientFailureRetryCount.
    #[serde(default)]
    pub transient_failure_retry_count: Option<i64>,
    /// Approved smart host addresses for Internet-facing Send connectors.
    #[serde(default)]
    pub smart_hosts: Option<Vec<String>>,
    /// The internal SMTP domain (Send connector TlsDomain).
    #[serde(default)]
    pub internal_smtp_domain: Option<String>,
    /// The accepted internal SMTP server addresses (TransportConfig InternalSMTPServers).
    #[serde(default)]
    pub internal_smtp_servers: Option<Vec<String>>,
    /// Trusted DNS servers, for both external and internal resolution (Edge).
    #[serde(default)]
    pub dns_servers: Option<Vec<String>>,
    /// Trusted DNS servers for external resolution (overrides `dns_servers`).
    #[serde(default)]
    pub external_dns_servers: Option<Vec<String>>,
    /// Trusted DNS servers for internal resolution (overrides `dns_servers`).
    #[serde(default)]
    pub internal_dns_servers: Option<Vec<String>>,
    /// Whether the Edge server is multi-homed (the DNS rule applies only then).
    #[serde(default)]
    pub multi_homed: Option<bool>,
    /// The server is in a SIPR enclave (rules the STIG makes not applicable there are).
    #[serde(default)]
    pub sipr: Option<bool>,
    /// Another DoD-approved anti-spam product or gateway (e.g. "EEMSG") in use: the rules whose
    /// check text says so are then not applicable, and those that say the product must meet
    /// them are left for a person.
    #[serde(default)]
    pub antispam_product: Option<String>,
    /// The unaccepted domains the EDSP says the Sender filter blocks (BlockedDomains and
    /// BlockedDomainsAndSubdomains together).
    #[serde(default)]
    pub blocked_domains: Option<Vec<String>>,
    /// The attachment types the EDSP says attachment filtering removes (entry names such as
    /// `*.exe` or `application/x-msdownload`, or identities such as `FileName:*.exe`).
    #[serde(default)]
    pub attachment_types: Option<Vec<String>>,
    /// IP Allow list entries (IP ranges) with signoff and risk acceptance in the EDSP.
    #[serde(default)]
    pub ip_allow_list_entries: Option<Vec<String>>,
    /// The Block List providers (lookup domains or names) the EDSP names.
    #[serde(default)]
    pub block_list_providers: Option<Vec<String>>,
    /// Sender reputation SrlBlockThreshold with signoff and risk acceptance in the EDSP.
    #[serde(default)]
    pub srl_block_threshold: Option<i64>,
    /// The email anti-malware scanner the EDSP names: `"Malware Agent"` for Exchange's built-in
    /// agent, or another DoD-approved product's name.
    #[serde(default)]
    pub malware_scanner: Option<String>,
    /// The name of the custom transport agent that renders hyperlinks from non-.mil domains
    /// unclickable (the EDSP's).
    #[serde(default)]
    pub hyperlink_agent: Option<String>,
    /// Mailbox database ProhibitSendReceiveQuota the EDSP documents (the STIG value is
    /// Unlimited).
    #[serde(default, deserialize_with = "de_size")]
    pub prohibit_send_receive_quota: Option<Size>,
    /// The site's Prohibit Send Quota limit (mailbox database ProhibitSendQuota).
    #[serde(default, deserialize_with = "de_size")]
    pub prohibit_send_quota: Option<Size>,
    /// The site's Issue Warning Quota (mailbox database IssueWarningQuota, Exchange 2013).
    #[serde(default, deserialize_with = "de_size")]
    pub issue_warning_quota: Option<Size>,
    /// The mailboxes the EDSP authorizes to forward mail (identity or name).
    #[serde(default)]
    pub forwarding_mailboxes: Option<Vec<String>>,
    /// The domains the EDSP documents for forwarding SMTP addresses.
    #[serde(default)]
    pub forwarding_domains: Option<Vec<String>>,
    /// The organization uses Enterprise Mail (automatic forwarding to .mil/.gov remote domains
    /// is then allowed).
    #[serde(default)]
    pub enterprise_mail: Option<bool>,
    /// The members the EDSP allows in the Records Management role group (audit log
    /// management).
    #[serde(default)]
    pub records_management_members: Option<Vec<String>>,
    /// Issuers (distinguished names, or their CN) of the approved DoD certificate authorities;
    /// without it exstig reads "issued by the DoD" as an issuer under `OU=DoD, O=U.S. Government`.
    #[serde(default)]
    pub approved_certificate_issuers: Option<Vec<String>>,
    /// The most current approved Exchange build (`15.2.1544.4` or `Version 15.2 (Build 1544.4)`).
    #[serde(default)]
    pub approved_exchange_build: Option<String>,
    /// The services the EDSP documents (names or display names): any other running service is
    /// a finding.
    #[serde(default)]
    pub allowed_services: Option<Vec<String>>,
    /// The principals the EDSP lets read the audit (log) data.
    #[serde(default)]
    pub audit_log_readers: Option<Vec<String>>,
    /// The principals the EDSP lets modify the audit (log) data.
    #[serde(default)]
    pub audit_log_modifiers: Option<Vec<String>>,
    /// The principals the EDSP lets delete the audit (log) data.
    #[serde(default)]
    pub audit_log_deleters: Option<Vec<String>>,
    /// The access the EDSP lists for the Exchange application directory: `"PRINCIPAL"` (any
    /// rights) or `"PRINCIPAL=Rights"` (exactly these FileSystemRights).
    #[serde(default)]
    pub application_directory_access: Option<Vec<String>>,
    /// Volumes (`"D:"`) the EDSP or ISSO documents as holding no application but Exchange.
    #[serde(default)]
    pub exchange_only_volumes: Option<Vec<String>>,
}

/// The status a documented exception gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionStatus {
    /// Not a finding.
    NotAFinding,
    /// Not applicable.
    NotApplicable,
    /// Open.
    Open,
}

impl ExceptionStatus {
    /// The checklist status.
    pub fn status(self) -> crate::checklist::Status {
        match self {
            ExceptionStatus::NotAFinding => crate::checklist::Status::NotAFinding,
            ExceptionStatus::NotApplicable => crate::checklist::Status::NotApplicable,
            ExceptionStatus::Open => crate::checklist::Status::Open,
        }
    }
}

/// One `[[exception]]`: a documented, approved deviation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// STIG ID, Vuln ID (V-...) or Rule ID (SV-..., revision optional).
    pub rule: String,
    /// Optional glob: only these connectors.
    #[serde(default)]
    pub connector: Option<String>,
    /// The status the exception gives.
    pub status: ExceptionStatus,
    /// Why (the EDSP reference).
    pub justification: String,
    /// Who approved it.
    #[serde(default)]
    pub approved_by: Option<String>,
    /// Last day the exception holds (`2027-06-30`, quoted or as a TOML date).
    #[serde(default, deserialize_with = "de_date")]
    pub expires: Option<chrono::NaiveDate>,
    /// `check_digest` of the rule when the exception was written; a different digest means
    /// DISA changed the check and the exception lapses.
    #[serde(default)]
    pub check_digest: Option<String>,
    /// 1-based line of the entry in the site file (for messages).
    #[serde(skip)]
    pub line: usize,
}

/// The status an `[[answer]]` gives (or, as `when_automatic`, the automatic status it may replace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerStatus {
    /// Not a finding.
    NotAFinding,
    /// Not applicable.
    NotApplicable,
    /// Open.
    Open,
    /// Not reviewed (an answer may keep the status and only give the comment).
    NotReviewed,
}

impl AnswerStatus {
    /// The checklist status.
    pub fn status(self) -> crate::checklist::Status {
        match self {
            AnswerStatus::NotAFinding => crate::checklist::Status::NotAFinding,
            AnswerStatus::NotApplicable => crate::checklist::Status::NotApplicable,
            AnswerStatus::Open => crate::checklist::Status::Open,
            AnswerStatus::NotReviewed => crate::checklist::Status::NotReviewed,
        }
    }

    /// The site-file spelling: `not_a_finding`, `not_applicable`, `open`, `not_reviewed`.
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerStatus::NotAFinding => "not_a_finding",
            AnswerStatus::NotApplicable => "not_applicable",
            AnswerStatus::Open => "open",
            AnswerStatus::NotReviewed => "not_reviewed",
        }
    }

    /// The answer status of a checklist status.
    pub fn of(status: crate::checklist::Status) -> AnswerStatus {
        match status {
            crate::checklist::Status::NotAFinding => AnswerStatus::NotAFinding,
            crate::checklist::Status::NotApplicable => AnswerStatus::NotApplicable,
            crate::checklist::Status::Open => AnswerStatus::Open,
            crate::checklist::Status::NotReviewed => AnswerStatus::NotReviewed,
        }
    }
}

/// One `[[answer]]`: the site's standing answer to a rule no export decides (documentation,
/// procedures, products), written once and applied to every server it names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// STIG ID, Vuln ID (V-...) or Rule ID (SV-..., revision optional).
    pub rule: String,
    /// Host-name globs (one or a list, case-insensitive); none = every server.
    #[serde(default, deserialize_with = "de_one_or_many")]
    pub hosts: Vec<String>,
    /// The status the answer gives.
    pub status: AnswerStatus,
    /// The answer's text; it becomes the rule's COMMENTS.
    pub comment: String,
    /// Who answered (name, role).
    #[serde(default)]
    pub answered_by: Option<String>,
    /// Last day the answer holds (`2027-06-30`).
    #[serde(default, deserialize_with = "de_date")]
    pub expires: Option<chrono::NaiveDate>,
    /// `check_digest` of the rule when the answer was written; a different digest means DISA
    /// changed the check and the answer is not applied.
    #[serde(default)]
    pub check_digest: Option<String>,
    /// The automatic status the answer may replace (default `not_reviewed`): an answer never
    /// hides a result exstig computed unless it names that status here.
    #[serde(default)]
    pub when_automatic: Option<AnswerStatus>,
    /// 1-based line of the entry in the site file (for messages).
    #[serde(skip)]
    pub line: usize,
}

impl Answer {
    /// The automatic status the answer may replace (`not_reviewed` when not given).
    pub fn expected(&self) -> AnswerStatus {
        self.when_automatic.unwrap_or(AnswerStatus::NotReviewed)
    }
}

/// The whole site file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// `[[connector]]` scope declarations, first match wins.
    #[serde(default)]
    pub connector: Vec<ConnectorDecl>,
    /// `[asset]` defaults.
    #[serde(default)]
    pub asset: SiteAsset,
    /// `[values]` from the EDSP.
    #[serde(default)]
    pub values: SiteValues,
    /// `[[exception]]` entries.
    #[serde(default)]
    pub exception: Vec<Exception>,
    /// `[poam]`: the POA&M header block, Office/Org, risk and milestone defaults per CAT.
    #[serde(default)]
    pub poam: crate::emass::poam::PoamSettings,
    /// `[[answer]]` entries.
    #[serde(default)]
    pub answer: Vec<Answer>,
    /// The file it was read from (`site.toml` in messages when none).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

impl Site {
    /// Reads and checks a site file.
    pub fn load(path: &Path) -> Result<Site> {
        let text = crate::fsio::read_text(path)?;
        Site::parse(path, &text)
    }

    /// Parses site-file text; `path` names the file in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Site> {
        let mut site: Site = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        site.path = Some(path.to_path_buf());
        for (i, decl) in site.connector.iter().enumerate() {
            glob_pattern(&decl.pattern).map_err(|why| {
                Error::input(path, format!("[[connector]] entry {}: match {why}", i + 1))
            })?;
        }
        let lines = table_lines(text, "[[exception]]");
        for (i, exception) in site.exception.iter_mut().enumerate() {
            exception.line = lines.get(i).copied().unwrap_or(0);
            let at = Position {
                line: exception.line.max(1),
                column: 1,
            };
            if exception.justification.trim().is_empty() {
                return Err(Error::input_at(
                    path,
                    at,
                    "[[exception]] needs a non-empty justification",
                ));
            }
            check_digest_field(path, at, "[[exception]]", exception.check_digest.as_deref())?;
            if let Some(pattern) = &exception.connector {
                glob_pattern(pattern).map_err(|why| {
                    Error::input_at(path, at, format!("[[exception]] connector {why}"))
                })?;
            }
        }
        site.poam.check(path)?;
        let lines = table_lines(text, "[[answer]]");
        for (i, answer) in site.answer.iter_mut().enumerate() {
            answer.line = lines.get(i).copied().unwrap_or(0);
            let at = Position {
                line: answer.line.max(1),
                column: 1,
            };
            if answer.comment.trim().is_empty() {
                return Err(Error::input_at(
                    path,
                    at,
                    "[[answer]] needs a non-empty comment (it becomes the rule's COMMENTS)",
                ));
            }
            check_digest_field(path, at, "[[answer]]", answer.check_digest.as_deref())?;
            for pattern in &answer.hosts {
                glob_pattern(pattern)
                    .map_err(|why| Error::input_at(path, at, format!("[[answer]] hosts {why}")))?;
            }
        }
        if let Some(role) = &site.asset.role
            && !crate::checklist::ROLES
                .iter()
                .any(|r| r.eq_ignore_ascii_case(role.trim()))
        {
            return Err(Error::input(
                path,
                format!(
                    "[asset] role '{role}' is not one of: {}",
                    crate::checklist::ROLES.join(", ")
                ),
            ));
        }
        Ok(site)
    }

    /// A size of `[values]` by key (`max_receive_size`, `max_send_size`).
    pub fn values_size(&self, key: &str) -> Option<Size> {
        match key {
            "max_receive_size" => self.values.max_receive_size,
            "max_send_size" => self.values.max_send_size,
            _ => None,
        }
    }

    /// How the site file is named in finding details: its file name, or `site.toml`.
    pub fn display_name(&self) -> String {
        self.path
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or("site.toml".to_string(), |n| {
                n.to_string_lossy().into_owned()
            })
    }

    /// The declared scope of a connector, by the first `[[connector]]` whose glob matches its
    /// identity or name (case-insensitive).
    pub fn declared_scope(
        &self,
        kind: ConnectorKind,
        identity: &str,
        name: &str,
    ) -> Option<&ConnectorDecl> {
        self.connector.iter().find(|d| {
            d.kind.is_none_or(|k| k == kind)
                && (glob_matches(&d.pattern, identity) || glob_matches(&d.pattern, name))
        })
    }
}

/// Checks a `check_digest` value: 16 hex digits, as `exstig rules --json` shows it.
fn check_digest_field(path: &Path, at: Position, table: &str, digest: Option<&str>) -> Result<()> {
    match digest {
        Some(digest) if digest.len() != 16 || !digest.chars().all(|c| c.is_ascii_hexdigit()) => {
            Err(Error::input_at(
                path,
                at,
                format!(
                    "{table} check_digest \"{digest}\" is not 16 hex digits (exstig rules --json shows each rule's check_digest)"
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// Appends the TOML text of entries to the site file (created when missing): the rest of the
/// file, comments included, stays as written; the whole file is parsed before and after, and
/// written atomically only when both parse. A symlinked site file is written through to its
/// target, and keeps its mode (`options` as every output).
pub fn append_entries(
    path: &Path,
    entries: &str,
    options: crate::fsio::WriteOptions,
) -> Result<()> {
    let existing = if path.exists() {
        crate::fsio::read_text(path)?
    } else {
        String::new()
    };
    Site::parse(path, &existing)?;
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(entries);
    Site::parse(path, &text)?;
    crate::fsio::write_all_atomic_with(&[(path, text.into_bytes())], options)
}

/// A TOML basic string (quoted and escaped).
pub fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// `text` on one line (runs of white space become one space), for a TOML comment.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `pattern` (a glob, case-insensitive; `\` is literal) matches `text`.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let options = glob::MatchOptions {
        case_sensitive: false,
        require_literal_separator: false,
        require_literal_leading_dot: false,
    };
    glob_pattern(pattern).is_ok_and(|p| p.matches_with(text, options))
}

/// Compiles a glob; `\` separates server and name in identities, so it is taken literally.
fn glob_pattern(pattern: &str) -> std::result::Result<glob::Pattern, String> {
    let escaped = pattern.replace('\\', "[\\]");
    glob::Pattern::new(&escaped).map_err(|e| format!("'{pattern}' is not a valid glob: {e}"))
}

/// The 1-based lines where each `header` table starts.
fn table_lines(text: &str, header: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with(header))
        .map(|(i, _)| i + 1)
        .collect()
}

/// A TOML error as an input error with line, column and the key on that line.
fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    let message = e.message().trim().to_string();
    match e.span() {
        Some(span) => {
            let position = Position::of_offset(text, span.start);
            let key = text
                .lines()
                .nth(position.line - 1)
                .and_then(|l| l.split_once('='))
                .map(|(k, _)| k.trim().to_string())
                .filter(|k| !k.is_empty() && !k.starts_with('['));
            let message = match key {
                Some(key) if !message.contains(&format!("`{key}`")) => {
                    format!("key `{key}`: {message}")
                }
                _ => message,
            };
            Error::input_at(path, position, message)
        }
        None => Error::input(path, message),
    }
}

fn de_timespan<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<TimeSpan>, D::Error> {
    let text = String::deserialize(d)?;
    TimeSpan::parse(&text).map(Some).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "'{text}' is not a time span (write \"00:05:00\" or \"1.00:00:00\")"
        ))
    })
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Number(i64),
    Text(String),
}

fn de_size<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Size>, D::Error> {
    match NumberOrText::deserialize(d)? {
        NumberOrText::Number(n) => u64::try_from(n)
            .map(|b| Some(Size::Bytes(b)))
            .map_err(|_| serde::de::Error::custom(format!("{n} is not a size in bytes"))),
        NumberOrText::Text(t) => Size::parse(&t).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "'{t}' is not a size (write \"10MB\", \"10 MB\", a number of bytes or \"Unlimited\")"
            ))
        }),
    }
}

fn de_limit<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<LimitValue>, D::Error> {
    match NumberOrText::deserialize(d)? {
        NumberOrText::Number(n) => Ok(Some(LimitValue::Value(n))),
        NumberOrText::Text(t) if t.trim().eq_ignore_ascii_case("unlimited") => {
            Ok(Some(LimitValue::Unlimited))
        }
        NumberOrText::Text(t) => t
            .trim()
            .parse()
            .map(|n| Some(LimitValue::Value(n)))
            .map_err(|_| {
                serde::de::Error::custom(format!("'{t}' is not a whole number or \"Unlimited\""))
            }),
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

fn de_one_or_many<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DateOrText {
    Date(toml::value::Datetime),
    Text(String),
}

fn de_date<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<chrono::NaiveDate>, D::Error> {
    let text = match DateOrText::deserialize(d)? {
        DateOrText::Date(dt) => dt.to_string(),
        DateOrText::Text(t) => t,
    };
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("'{text}' is not a date (write 2027-06-30)")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Site> {
        Site::parse(Path::new("site.toml"), text)
    }

    #[test]
    fn minimal_connector_form_works_as_written() {
        let site = parse(
            "[[connector]]\nmatch = \"EDGE01\\\\Internet*\"   # glob\nscope = \"internet\"\n",
        )
        .unwrap();
        let decl = site
            .declared_scope(
                ConnectorKind::Receive,
                "EDGE01\\Internet Inbound",
                "Internet Inbound",
            )
            .expect("matches");
        assert_eq!(decl.scope, Scope::Internet);
        assert!(
            site.declared_scope(
                ConnectorKind::Receive,
                "EDGE02\\Internet Inbound",
                "Internet Inbound"
            )
            .is_none()
        );
        assert!(
            site.declared_scope(ConnectorKind::Receive, "edge01\\INTERNET in", "INTERNET in")
                .is_some()
        );
    }

    #[test]
    fn glob_matches_name_or_identity() {
        assert!(glob_matches(
            "*Default Frontend*",
            "MBX01\\Default Frontend MBX01"
        ));
        assert!(glob_matches("Relay?", "relay1"));
        assert!(!glob_matches("Relay?", "relay12"));
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let e = parse("[values]\nmax_hop_count = 60\nmax_hops = 5\n").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("max_hops"), "{text}");
        assert!(text.contains("line 3"), "{text}");
    }

    #[test]
    fn wrong_type_names_key_and_line() {
        let e = parse("[values]\n\nmax_hop_count = \"sixty\"\n").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("max_hop_count"), "{text}");
        assert!(text.contains("line 3"), "{text}");
        let e = parse("[[connector]]\nmatch = \"x\"\nscope = \"outside\"\n").unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        let e = parse("[values]\nconnection_timeout = \"five minutes\"\n").unwrap_err();
        assert!(e.to_string().contains("connection_timeout"), "{e}");
    }

    #[test]
    fn values_and_exceptions_parse() {
        let site = parse(
            r#"
[asset]
host_name = "EDGE01"
role = "member server"

[values]
connection_timeout = "00:05:00"
max_recipients_per_message = 5000
max_receive_size = "10MB"
max_inbound_connection = "Unlimited"
smart_hosts = ["192.0.2.25"]

[[exception]]
rule = "EX16-MB-000470"
connector = "*Default Frontend*"
status = "not_a_finding"
justification = "EDSP v3 2.1"
approved_by = "ISSM"
expires = "2027-06-30"

[[exception]]
rule = "V-228391"
status = "open"
justification = "x"
expires = 2026-01-31
"#,
        )
        .unwrap();
        assert_eq!(
            site.values.connection_timeout,
            Some(TimeSpan::from_seconds(300))
        );
        assert_eq!(
            site.values.max_receive_size,
            Some(Size::Bytes(10 * 1024 * 1024))
        );
        assert_eq!(
            site.values.max_inbound_connection,
            Some(LimitValue::Unlimited)
        );
        assert_eq!(site.exception.len(), 2);
        assert_eq!(site.exception[0].line, 13);
        assert_eq!(site.exception[0].status, ExceptionStatus::NotAFinding);
        assert_eq!(
            site.exception[1].expires,
            chrono::NaiveDate::from_ymd_opt(2026, 1, 31)
        );
    }

    #[test]
    fn answers_parse_with_lines_and_defaults() {
        let site = parse(
            r#"
[[answer]]
rule = "EX19-ED-000001"
status = "not_a_finding"
comment = "RBAC is documented in EDSP 4.2."
answered_by = "ISSO"

[[answer]]
rule = "V-259581"
hosts = "EDGE0*"
status = "open"
comment = "x"
when_automatic = "open"
expires = 2027-01-01
"#,
        )
        .unwrap();
        assert_eq!(site.answer.len(), 2);
        assert_eq!(site.answer[0].line, 2);
        assert_eq!(site.answer[0].expected(), AnswerStatus::NotReviewed);
        assert!(site.answer[0].hosts.is_empty());
        assert_eq!(site.answer[1].hosts, vec!["EDGE0*".to_string()]);
        assert_eq!(site.answer[1].expected(), AnswerStatus::Open);
        let e = parse("[[answer]]\nrule=\"x\"\nstatus=\"open\"\ncomment=\"  \"\n").unwrap_err();
        assert!(
            e.to_string().contains("line 1") && e.to_string().contains("comment"),
            "{e}"
        );
        let e = parse(
            "\n\n[[answer]]\nrule=\"x\"\nstatus=\"open\"\ncomment=\"c\"\ncheck_digest=\"zz\"\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        assert!(parse("[[answer]]\nrule=\"x\"\nstatus=\"maybe\"\ncomment=\"c\"\n").is_err());
        assert!(
            parse("[[answer]]\nrule=\"x\"\nstatus=\"open\"\ncomment=\"c\"\nhosts=[\"[a\"]\n")
                .is_err()
        );
    }

    #[test]
    fn bad_dates_roles_and_globs_are_errors() {
        assert!(parse("[[exception]]\nrule=\"x\"\nstatus=\"open\"\njustification=\"j\"\nexpires=\"30/06/2027\"\n").is_err());
        assert!(parse("[asset]\nrole = \"Mail Server\"\n").is_err());
        assert!(parse("[[connector]]\nmatch = \"[abc\"\nscope = \"internal\"\n").is_err());
        assert!(
            parse("[[exception]]\nrule=\"x\"\nstatus=\"open\"\njustification=\" \"\n").is_err()
        );
        let e = parse("\n[[exception]]\nrule=\"x\"\nstatus=\"open\"\njustification=\"j\"\ncheck_digest=\"abc\"\n").unwrap_err();
        assert!(
            e.to_string().contains("line 2") && e.to_string().contains("check_digest"),
            "{e}"
        );
    }
}
