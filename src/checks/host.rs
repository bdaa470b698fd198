//! The host family: facts of the Windows host an Exchange server runs on — the partitions of
//! the Exchange software, queue database, audit logs and mailbox databases (from the paths the
//! collector records with their volume), the ACLs of the audit logs and of the application
//! directory against the EDSP's principals, and the services (documented, IMAP4 and POP3
//! disabled). Settings of Exchange itself are in [`super::server`].

use super::fix::caution;
use super::judge::{Context, Judgement, Verdict, decided, needs_site_value};
use super::server::enum_name;
use super::spec::{CheckSpec, Family, ValueType as V};
use super::{Binding, RuleText};
use crate::inventory::InventoryObject;
use crate::inventory::ObjectKind::{Acl, ServerPath, Service};
use crate::inventory::values::{self, ValueProblem};
use serde_json::Value;

/// The family.
pub static FAMILY: Family = Family {
    name: "host",
    specs: SPECS,
    refine: Some(refine),
};

static SPECS: &[CheckSpec] = &[
    CheckSpec::property("host.os-partition", "-", ServerPath, &["InstallPath"], V::Other)
        .site_key("exchange_only_volumes")
        .titled(&[&["separate partition from the os"], &["not share a partition"]])
        .judged_as_set(
            os_partition,
            "the install path's volume differs from the OS volume and holds no other application ([values] exchange_only_volumes)",
        ),
    CheckSpec::property(
        "host.queue-partition",
        "-",
        ServerPath,
        &["QueueDatabasePath"],
        V::Other,
    )
    .site_key("exchange_only_volumes")
    .titled(&[&["queue database", "partition"]])
    .judged_as_set(
        queue_partition,
        "the queue database's volume holds neither the OS, the Exchange installation nor other directories ([values] exchange_only_volumes)",
    ),
    CheckSpec::property("host.audit-partition", "-", ServerPath, &["LoggingPath"], V::Other)
        .titled(&[&["audit data", "partition"]])
        .judged_as_set(
            audit_partition,
            "every log directory (Logging, message tracking, connectivity, protocol logs) on another volume than the Exchange installation",
        ),
    CheckSpec::property(
        "host.database-partition",
        "-",
        ServerPath,
        &["EdbFilePath"],
        V::Other,
    )
    .site_key("exchange_only_volumes")
    .titled(&[&["mailbox databases", "dedicated partition"]])
    .judged_as_set(
        database_partition,
        "each mailbox database's volume holds only mailbox databases and their logs ([values] exchange_only_volumes)",
    ),
    CheckSpec::property("host.audit-acl-read", "-", Acl, &["Access"], V::Other)
        .site_key("audit_log_readers")
        .titled(&[&["audit data", "read access"]])
        .judged_as_set(
            audit_acl,
            "principals with read access to the log directories within [values] audit_log_readers",
        )
        .fix_cmdlet("icacls"),
    CheckSpec::property("host.audit-acl-modify", "-", Acl, &["Access"], V::Other)
        .site_key("audit_log_modifiers")
        .titled(&[
            &["audit data", "modif"],
            // The 2013-2019 Mailbox title of the modification rule (read and deletion have
            // their own), so the catalog, which has no check text, binds it too.
            &["protect audit data against unauthorized access."],
        ])
        .judged_as_set(
            audit_acl,
            "principals with modify rights on the log directories within [values] audit_log_modifiers",
        )
        .fix_cmdlet("icacls"),
    CheckSpec::property("host.audit-acl-delete", "-", Acl, &["Access"], V::Other)
        .site_key("audit_log_deleters")
        .titled(&[&["audit data", "delet"]])
        .judged_as_set(
            audit_acl,
            "principals with delete rights on the log directories within [values] audit_log_deleters",
        )
        .fix_cmdlet("icacls"),
    CheckSpec::property("host.audit-acl", "-", Acl, &["Access"], V::Other)
        .site_key("audit_log_readers")
        .titled(&[&["audit data", "unauthorized"]])
        .judged_as_set(
            audit_acl,
            "principals with read, modify or delete rights on the log directories within [values] audit_log_readers / audit_log_modifiers / audit_log_deleters",
        )
        .fix_cmdlet("icacls"),
    CheckSpec::property(
        "host.application-directory-acl",
        "-",
        Acl,
        &["Owner"],
        V::Other,
    )
    .site_key("application_directory_access")
    .titled(&[&["application directory"]])
    .judged_as_set(
        application_directory,
        "the install directory's access rules are those of [values] application_directory_access",
    )
    .fix_cmdlet("icacls"),
    CheckSpec::property("host.imap4-disabled", "-", Service, &["StartType"], V::Other)
        .titled(&[&["imap4"]])
        .judged_as_set(imap4, "every MSExchangeIMAP4* service StartType Disabled")
        .fix_cmdlet("Set-Service"),
    CheckSpec::property("host.pop3-disabled", "-", Service, &["StartType"], V::Other)
        .titled(&[&["pop3"]])
        .judged_as_set(pop3, "every MSExchangePOP3* service StartType Disabled")
        .fix_cmdlet("Set-Service"),
    CheckSpec::property("host.services", "-", Service, &["Status"], V::Other)
        .site_key("allowed_services")
        .titled(&[&["services must be documented"]])
        .judged_as_set(
            documented_services,
            "every running service is one of [values] allowed_services",
        )
        .fix_cmdlet("Set-Service"),
];

/// The family's reading of a rule text: the generic audit data rule reads the permission the
/// check text names ("read access", "modify", "delete").
fn refine(binding: &mut Binding, text: &RuleText) {
    if binding.spec.id != "host.audit-acl" || text.prose.is_empty() {
        return;
    }
    let named: Vec<&str> = [
        ("read access", "host.audit-acl-read"),
        ("modif", "host.audit-acl-modify"),
        ("delet", "host.audit-acl-delete"),
    ]
    .iter()
    .filter(|(word, _)| text.lower.contains(word))
    .map(|(_, id)| *id)
    .collect();
    if let [id] = named.as_slice()
        && let Some(spec) = SPECS.iter().find(|s| s.id == *id)
    {
        binding.spec = spec;
    }
}

/// The paths of the audit (log) data: exstig's default reading of "audit data" is the Exchange
/// log directories the collector records.
const AUDIT_PURPOSES: &[&str] = &[
    "LoggingPath",
    "MessageTrackingLogPath",
    "ConnectivityLogPath",
    "ReceiveProtocolLogPath",
    "SendProtocolLogPath",
];

/// The text of `prop`, empty when null or missing.
fn text_of(obj: &InventoryObject, prop: &str) -> String {
    values::text(obj, prop).ok().flatten().unwrap_or_default()
}

/// A volume as `C:` (drive roots) or the volume path, upper-cased.
fn normal_volume(volume: &str) -> String {
    volume.trim().trim_end_matches('\\').to_ascii_uppercase()
}

/// One recorded path: purpose, path, volume.
struct PathFact {
    purpose: String,
    path: String,
    volume: String,
}

/// The recorded paths with their volume (from `Volume`, else the path's drive letter).
fn paths(objects: &[&InventoryObject]) -> Vec<PathFact> {
    objects
        .iter()
        .map(|o| {
            let path = text_of(o, "Path");
            let mut volume = normal_volume(&text_of(o, "Volume"));
            if volume.is_empty() && path.chars().nth(1) == Some(':') {
                volume = path[..2].to_ascii_uppercase();
            }
            PathFact {
                purpose: text_of(o, "Purpose"),
                path,
                volume,
            }
        })
        .collect()
}

/// The path of one purpose.
fn purpose<'a>(paths: &'a [PathFact], name: &str) -> Option<&'a PathFact> {
    paths.iter().find(|p| p.purpose.eq_ignore_ascii_case(name))
}

/// The OS volume: the volume of %SystemRoot% (the collector's EventLogPath lives under it).
fn os_volume(paths: &[PathFact]) -> Option<&PathFact> {
    purpose(paths, "SystemRoot").or_else(|| purpose(paths, "EventLogPath"))
}

/// "Purpose (path) on VOLUME" lines.
fn show(paths: &[&PathFact]) -> String {
    paths
        .iter()
        .map(|p| format!("{} {} on {}", p.purpose, p.path, p.volume))
        .collect::<Vec<_>>()
        .join("; ")
}

/// An undecided judgement.
fn undecided(property: &str, why: impl Into<String>, actual: String, expected: &str) -> Judgement {
    Judgement {
        verdict: Verdict::Unknown(why.into()),
        property: property.into(),
        actual,
        expected: expected.into(),
        fix: None,
        advice: Vec::new(),
    }
}

/// A decided judgement with no `Set-` command (moving data is no one-liner); `how` says what to
/// do when it fails.
fn decided_no_fix(pass: bool, property: &str, actual: String, expected: String) -> Judgement {
    Judgement {
        verdict: if pass { Verdict::Pass } else { Verdict::Fail },
        property: property.into(),
        actual,
        expected,
        fix: None,
        advice: Vec::new(),
    }
}

/// Whether the site declares `volume` to hold Exchange only.
fn exchange_only(ctx: &Context, volume: &str) -> Option<bool> {
    ctx.site
        .values
        .exchange_only_volumes
        .as_ref()
        .map(|list| list.iter().any(|v| normal_volume(v) == volume))
}

/// The last step of the partition rules whose text also forbids other applications: a volume
/// exstig found apart is decided by `[values] exchange_only_volumes`.
fn other_applications(
    ctx: &Context,
    property: &str,
    volume: &str,
    actual: String,
    expected: &str,
) -> Judgement {
    match exchange_only(ctx, volume) {
        Some(true) => decided_no_fix(
            true,
            property,
            actual,
            format!(
                "{expected}; {volume} holds only Exchange ([values] exchange_only_volumes in {})",
                ctx.site.display_name()
            ),
        ),
        _ => needs_site_value(
            ctx,
            &format!(
                "{volume} holds no other Exchange directory, but whether other applications are installed there is not in the inventory: the ISSO's confirmation"
            ),
            "exchange_only_volumes",
            &format!("[\"{volume}\"]"),
            property,
            actual,
            expected,
        ),
    }
}

/// Exchange software on a partition of its own, apart from the OS (and other applications).
fn os_partition(_: &Binding, objects: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "InstallPath";
    let facts = paths(objects);
    let expected = "a volume apart from the OS volume, without other applications";
    let Some(install) = purpose(&facts, "InstallPath") else {
        return undecided(
            property,
            "the inventory has no InstallPath: run the collector on the server",
            "(not collected)".into(),
            expected,
        );
    };
    let Some(os) = os_volume(&facts) else {
        return undecided(
            property,
            "the OS volume is not in the inventory (no EventLogPath under %SystemRoot%)",
            show(&[install]),
            expected,
        );
    };
    let actual = format!(
        "{}; OS volume {} ({})",
        show(&[install]),
        os.volume,
        os.path
    );
    if install.volume == os.volume {
        return decided_no_fix(
            false,
            property,
            actual,
            format!("{expected}: Exchange must be reinstalled on another volume"),
        );
    }
    other_applications(ctx, property, &install.volume, actual, expected)
}

/// The queue database on a dedicated partition: not with the installation, the OS or other
/// directories.
fn queue_partition(_: &Binding, objects: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "QueueDatabasePath";
    let facts = paths(objects);
    let expected = "a volume of its own: not the Exchange installation's, not the OS volume, no other application";
    let Some(queue) = purpose(&facts, "QueueDatabasePath") else {
        return undecided(
            property,
            "the inventory has no QueueDatabasePath (the collector reads it from EdgeTransport.exe.config)",
            "(not collected)".into(),
            expected,
        );
    };
    let sharing: Vec<&PathFact> = facts
        .iter()
        .filter(|p| !p.purpose.to_ascii_lowercase().starts_with("queuedatabase"))
        .filter(|p| p.volume == queue.volume)
        .collect();
    let mut actual = show(&[queue]);
    if sharing.is_empty() {
        return other_applications(ctx, property, &queue.volume, actual, expected);
    }
    actual.push_str(&format!("; also on {}: {}", queue.volume, show(&sharing)));
    decided_no_fix(
        false,
        property,
        actual,
        format!(
            "{expected}: set QueueDatabasePath and QueueDatabaseLoggingPath in EdgeTransport.exe.config to a dedicated volume (the Transport service restarts and mail queues while it moves)"
        ),
    )
}

/// Audit logs on another partition than the application.
fn audit_partition(_: &Binding, objects: &[&InventoryObject], _: &Context) -> Judgement {
    let property = "LoggingPath";
    let facts = paths(objects);
    let expected = "each log directory on another volume than the Exchange installation";
    let Some(install) = purpose(&facts, "InstallPath") else {
        return undecided(
            property,
            "the inventory has no InstallPath: run the collector on the server",
            "(not collected)".into(),
            expected,
        );
    };
    let logs: Vec<&PathFact> = facts
        .iter()
        .filter(|p| {
            AUDIT_PURPOSES
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&p.purpose))
        })
        .collect();
    if logs.is_empty() {
        return undecided(
            property,
            "the inventory records no log directory",
            show(&[install]),
            expected,
        );
    }
    let on_install: Vec<&PathFact> = logs
        .iter()
        .copied()
        .filter(|p| p.volume == install.volume)
        .collect();
    let actual = format!("{}; {}", show(&[install]), show(&logs));
    decided_no_fix(
        on_install.is_empty(),
        property,
        actual,
        if on_install.is_empty() {
            expected.to_string()
        } else {
            format!(
                "{expected}: move {} (e.g. Set-TransportService -MessageTrackingLogPath, -ConnectivityLogPath, -ReceiveProtocolLogPath, -SendProtocolLogPath to another volume)",
                on_install
                    .iter()
                    .map(|p| p.purpose.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    )
}

/// Mailbox databases on a dedicated partition.
fn database_partition(_: &Binding, objects: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "EdbFilePath";
    let facts = paths(objects);
    let expected = "a volume holding only mailbox databases and their logs";
    let databases: Vec<&PathFact> = facts
        .iter()
        .filter(|p| p.purpose.to_ascii_lowercase().starts_with("edbfilepath"))
        .collect();
    if databases.is_empty() {
        return undecided(
            property,
            "the inventory records no mailbox database path (Get-MailboxDatabase EdbFilePath)",
            "(not collected)".into(),
            expected,
        );
    }
    let mut sharing: Vec<&PathFact> = Vec::new();
    for db in &databases {
        for p in &facts {
            let lower = p.purpose.to_ascii_lowercase();
            if p.volume == db.volume
                && !lower.starts_with("edbfilepath")
                && !lower.starts_with("logfolderpath")
                && !sharing.iter().any(|s| std::ptr::eq(*s, p))
            {
                sharing.push(p);
            }
        }
    }
    let mut actual = show(&databases);
    if !sharing.is_empty() {
        actual.push_str(&format!("; on the same volume: {}", show(&sharing)));
        return decided_no_fix(
            false,
            property,
            actual,
            format!(
                "{expected}: move the databases (Move-DatabasePath; the database is dismounted while it moves)"
            ),
        );
    }
    let mut volumes: Vec<&str> = databases.iter().map(|d| d.volume.as_str()).collect();
    volumes.sort();
    volumes.dedup();
    let mut last = None;
    for volume in volumes {
        let judgement = other_applications(ctx, property, volume, actual.clone(), expected);
        if judgement.verdict != Verdict::Pass {
            return judgement;
        }
        last = Some(judgement);
    }
    last.unwrap_or_else(|| undecided(property, "no database volume", actual, expected))
}

/// One access rule of an ACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRule {
    /// The principal (`BUILTIN\Users`).
    pub principal: String,
    /// Allow or Deny.
    pub allow: bool,
    /// FileSystemRights as written (`ReadAndExecute, Synchronize`, or a number).
    pub rights: String,
    /// Inherited from the parent directory.
    pub inherited: bool,
}

/// The keys of one access rule in PowerShell's text of it.
const ACE_KEYS: &[&str] = &[
    "IdentityReference",
    "AccessControlType",
    "FileSystemRights",
    "IsInherited",
    "InheritanceFlags",
    "PropagationFlags",
];

/// The value of `key` in `{IdentityReference=..., AccessControlType=..., ...}` text.
fn ace_field(text: &str, key: &str) -> Option<String> {
    let start = text.find(&format!("{key}="))? + key.len() + 1;
    let rest = &text[start..];
    let end = ACE_KEYS
        .iter()
        .filter_map(|k| rest.find(&format!(", {k}=")))
        .chain(rest.find('}'))
        .min()
        .unwrap_or(rest.len());
    Some(rest[..end].trim().to_string())
}

/// Access rules from a text (CSV, Format-List): `{IdentityReference=..., ...}` blocks, or
/// `AccessToString` lines (`BUILTIN\Users Allow  ReadAndExecute, Synchronize`).
fn rules_from_text(text: &str) -> Vec<AccessRule> {
    if text.contains("IdentityReference=") {
        return text
            .split("IdentityReference=")
            .skip(1)
            .map(|chunk| {
                let block = format!("IdentityReference={chunk}");
                AccessRule {
                    principal: ace_field(&block, "IdentityReference").unwrap_or_default(),
                    allow: !ace_field(&block, "AccessControlType")
                        .unwrap_or_default()
                        .eq_ignore_ascii_case("Deny"),
                    rights: ace_field(&block, "FileSystemRights").unwrap_or_default(),
                    inherited: ace_field(&block, "IsInherited")
                        .is_some_and(|v| v.eq_ignore_ascii_case("True")),
                }
            })
            .collect();
    }
    text.lines()
        .filter_map(|line| {
            let (at, allow, word) = [(" Allow ", true), (" Deny ", false)]
                .iter()
                .find_map(|(w, a)| line.find(w).map(|at| (at, *a, *w)))?;
            Some(AccessRule {
                principal: line[..at].trim().to_string(),
                allow,
                rights: line[at + word.len()..].trim().to_string(),
                inherited: false,
            })
        })
        .collect()
}

/// The access rules of an ACL object (`Access` as objects or text, or `AccessToString`).
pub fn access_rules(obj: &InventoryObject) -> Result<Vec<AccessRule>, ValueProblem> {
    let value = obj
        .get("Access")
        .or_else(|| obj.get("AccessToString"))
        .ok_or_else(|| ValueProblem::missing("Access"))?;
    let field = |map: &serde_json::Map<String, Value>, key: &str| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .and_then(|(_, v)| values::to_text(v))
            .unwrap_or_default()
    };
    let mut rules = Vec::new();
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    for item in items {
        match item {
            Value::Object(map)
                if map
                    .keys()
                    .any(|k| k.eq_ignore_ascii_case("IdentityReference")) =>
            {
                rules.push(AccessRule {
                    principal: field(map, "IdentityReference"),
                    allow: !field(map, "AccessControlType").eq_ignore_ascii_case("Deny")
                        && field(map, "AccessControlType") != "1",
                    rights: field(map, "FileSystemRights"),
                    inherited: field(map, "IsInherited").eq_ignore_ascii_case("True"),
                });
            }
            other => match values::to_text(other) {
                Some(text) => rules.extend(rules_from_text(&text)),
                None => {
                    return Err(ValueProblem::new(
                        "Access",
                        "the access rules cannot be read: export Get-Acl with the inventory bundle or as Access objects",
                    ));
                }
            },
        }
    }
    if rules.iter().any(|r| r.principal.is_empty()) {
        return Err(ValueProblem::new(
            "Access",
            "an access rule names no principal",
        ));
    }
    Ok(rules)
}

/// What a right lets a principal do to audit data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Right {
    Read,
    Modify,
    Delete,
}

impl Right {
    fn word(self) -> &'static str {
        match self {
            Right::Read => "read",
            Right::Modify => "modify",
            Right::Delete => "delete",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Right::Read => "audit_log_readers",
            Right::Modify => "audit_log_modifiers",
            Right::Delete => "audit_log_deleters",
        }
    }
}

/// Whether FileSystemRights (names or a number) grant `right`.
fn grants(rights: &str, right: Right) -> bool {
    let number = rights.trim().parse::<i64>().ok().map(|n| n as u32);
    if let Some(bits) = number {
        let generic_all = bits & 0x1000_0000 != 0;
        return generic_all
            || match right {
                Right::Read => bits & (0x8000_0000 | 0x1) != 0,
                Right::Modify => bits & (0x4000_0000 | 0x2 | 0x4 | 0x4_0000 | 0x8_0000) != 0,
                Right::Delete => bits & (0x1_0000 | 0x40) != 0,
            };
    }
    let names: Vec<String> = rights
        .split(',')
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    let any = |list: &[&str]| names.iter().any(|n| list.contains(&n.as_str()));
    match right {
        Right::Read => any(&[
            "fullcontrol",
            "modify",
            "readandexecute",
            "read",
            "readdata",
            "listdirectory",
        ]),
        Right::Modify => any(&[
            "fullcontrol",
            "modify",
            "write",
            "writedata",
            "createfiles",
            "appenddata",
            "createdirectories",
            "changepermissions",
            "takeownership",
        ]),
        Right::Delete => any(&[
            "fullcontrol",
            "modify",
            "delete",
            "deletesubdirectoriesandfiles",
        ]),
    }
}

/// Whether `principal` is one of `allowed` (full name, or the name after the backslash when the
/// entry has none), case-insensitively.
fn listed(allowed: &[String], principal: &str) -> bool {
    let short = principal.rsplit('\\').next().unwrap_or(principal);
    allowed.iter().any(|a| {
        let a = a.trim();
        a.eq_ignore_ascii_case(principal) || (!a.contains('\\') && a.eq_ignore_ascii_case(short))
    })
}

/// The site's principals for `right`.
fn allowed_for<'a>(ctx: &'a Context, right: Right) -> Option<&'a Vec<String>> {
    let v = &ctx.site.values;
    match right {
        Right::Read => v.audit_log_readers.as_ref(),
        Right::Modify => v.audit_log_modifiers.as_ref(),
        Right::Delete => v.audit_log_deleters.as_ref(),
    }
}

/// Audit data ACLs: every principal with the rule's right on the log directories is listed.
fn audit_acl(binding: &Binding, objects: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "Access";
    let rights: &[Right] = match binding.spec.id {
        "host.audit-acl-read" => &[Right::Read],
        "host.audit-acl-modify" => &[Right::Modify],
        "host.audit-acl-delete" => &[Right::Delete],
        _ => &[Right::Read, Right::Modify, Right::Delete],
    };
    let logs: Vec<&&InventoryObject> = objects
        .iter()
        .filter(|o| {
            AUDIT_PURPOSES
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&text_of(o, "Purpose")))
        })
        .collect();
    let words: Vec<&str> = rights.iter().map(|r| r.word()).collect();
    let expected_base = format!(
        "only the EDSP's principals have {} rights (audit data read as the Exchange log directories: {})",
        words.join(" / "),
        AUDIT_PURPOSES.join(", ")
    );
    if logs.is_empty() {
        return undecided(
            property,
            "the inventory holds no ACL of a log directory: run the collector on the server (it reads Get-Acl of each)",
            "(not collected)".into(),
            &expected_base,
        );
    }
    let mut actual = Vec::new();
    let mut unlisted = Vec::new();
    let mut fixes = Vec::new();
    let mut missing_keys = Vec::new();
    let mut inherited: Vec<String> = Vec::new();
    for obj in &logs {
        let path = text_of(obj, "Path");
        let rules = match access_rules(obj) {
            Ok(r) => r,
            Err(p) => return super::judge::unknown(property, p),
        };
        for right in rights {
            let mut holders: Vec<&AccessRule> = rules
                .iter()
                .filter(|r| r.allow && grants(&r.rights, *right))
                .collect();
            holders.dedup_by(|a, b| a.principal.eq_ignore_ascii_case(&b.principal));
            actual.push(format!(
                "{} {path}: {} {}",
                text_of(obj, "Purpose"),
                right.word(),
                holders
                    .iter()
                    .map(|r| r.principal.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            match allowed_for(ctx, *right) {
                Some(allowed) => {
                    for r in holders.iter().filter(|r| !listed(allowed, &r.principal)) {
                        unlisted.push(format!("{} ({} on {path})", r.principal, right.word()));
                        let fix = format!("\"{path}\" /remove:g \"{}\"", r.principal);
                        if !fixes.contains(&fix) {
                            fixes.push(fix);
                        }
                        if r.inherited && !inherited.contains(&path) {
                            inherited.push(path.clone());
                        }
                    }
                }
                None => {
                    if !missing_keys.contains(&right.key()) {
                        missing_keys.push(right.key());
                    }
                }
            }
        }
    }
    if !unlisted.is_empty() {
        let mut judgement = decided(
            false,
            property,
            actual.join("; "),
            format!("{expected_base}; not listed: {}", unlisted.join(", ")),
            fixes.join("; icacls "),
        );
        for path in inherited {
            judgement.advice.push(caution(&format!(
                "the rule on {path} is inherited: icacls /remove leaves it until inheritance is turned off there (icacls \"{path}\" /inheritance:d) or the parent's rule is removed"
            )));
        }
        return judgement;
    }
    if !missing_keys.is_empty() {
        return needs_site_value(
            ctx,
            "the EDSP's authorized principals are",
            &missing_keys.join(" / "),
            "[\"BUILTIN\\\\Administrators\", \"NT AUTHORITY\\\\SYSTEM\"]",
            property,
            actual.join("; "),
            &expected_base,
        );
    }
    decided(
        true,
        property,
        actual.join("; "),
        expected_base,
        String::new(),
    )
}

/// The rights of one `[values] application_directory_access` entry (`None`: any rights).
fn entry_rights(entry: &str) -> (&str, Option<Vec<String>>) {
    match entry.split_once('=') {
        Some((principal, rights)) => (principal.trim(), Some(rights_set(rights))),
        None => (entry.trim(), None),
    }
}

/// FileSystemRights as a sorted set of lowercase names.
fn rights_set(rights: &str) -> Vec<String> {
    let mut set: Vec<String> = rights
        .split(',')
        .map(|r| r.trim().to_ascii_lowercase())
        .filter(|r| !r.is_empty())
        .collect();
    set.sort();
    set.dedup();
    set
}

/// The application directory's access rules match the EDSP's.
fn application_directory(_: &Binding, objects: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "Access";
    let expected = "the access rules the EDSP lists for the Exchange application directory";
    let Some(dir) = objects
        .iter()
        .find(|o| text_of(o, "Purpose").eq_ignore_ascii_case("InstallPath"))
    else {
        return undecided(
            property,
            "the inventory holds no ACL of the Exchange install directory: run the collector on the server",
            "(not collected)".into(),
            expected,
        );
    };
    let path = text_of(dir, "Path");
    let rules = match access_rules(dir) {
        Ok(r) => r,
        Err(p) => return super::judge::unknown(property, p),
    };
    let shown = format!(
        "{path}: {}",
        rules
            .iter()
            .map(|r| format!(
                "{} {} {}",
                r.principal,
                if r.allow { "Allow" } else { "Deny" },
                r.rights
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let Some(entries) = &ctx.site.values.application_directory_access else {
        return needs_site_value(
            ctx,
            "the EDSP's access list of the application directory is",
            "application_directory_access",
            "[\"BUILTIN\\\\Administrators=FullControl\", \"NT AUTHORITY\\\\SYSTEM=FullControl\"]",
            property,
            shown,
            expected,
        );
    };
    let mut differences = Vec::new();
    let mut fixes = Vec::new();
    for rule in rules.iter().filter(|r| r.allow) {
        let entry = entries
            .iter()
            .map(|e| entry_rights(e))
            .find(|(p, _)| listed(&[p.to_string()], &rule.principal));
        match entry {
            None => {
                differences.push(format!("{} is not listed", rule.principal));
                fixes.push(format!("\"{path}\" /remove:g \"{}\"", rule.principal));
            }
            Some((_, Some(want))) if want != rights_set(&rule.rights) => {
                differences.push(format!(
                    "{} has {} (listed: {})",
                    rule.principal,
                    rule.rights,
                    want.join(", ")
                ));
            }
            _ => {}
        }
    }
    for (principal, want) in entries.iter().map(|e| entry_rights(e)) {
        if want.is_some()
            && !rules
                .iter()
                .any(|r| r.allow && listed(&[principal.to_string()], &r.principal))
        {
            differences.push(format!("{principal} (listed) has no access rule"));
        }
    }
    decided(
        differences.is_empty(),
        property,
        shown,
        if differences.is_empty() {
            format!("{expected} ([values] application_directory_access)")
        } else {
            format!(
                "{expected} ([values] application_directory_access); differences: {}",
                differences.join("; ")
            )
        },
        if fixes.is_empty() {
            format!("\"{path}\" /grant \"<principal>:<rights the EDSP lists>\"")
        } else {
            fixes.join("; icacls ")
        },
    )
}

/// `System.ServiceProcess.ServiceStartMode`.
const START_MODE: &[(&str, i64)] = &[
    ("Boot", 0),
    ("System", 1),
    ("Automatic", 2),
    ("Manual", 3),
    ("Disabled", 4),
];

/// `System.ServiceProcess.ServiceControllerStatus`.
const SERVICE_STATUS: &[(&str, i64)] = &[
    ("Stopped", 1),
    ("StartPending", 2),
    ("StopPending", 3),
    ("Running", 4),
    ("ContinuePending", 5),
    ("PausePending", 6),
    ("Paused", 7),
];

/// A service's StartType (`Get-Service`) or StartMode (`Win32_Service`, where `Auto` is
/// Automatic).
fn start_type(obj: &InventoryObject) -> String {
    let t = enum_name(obj, "StartType", START_MODE);
    if t.is_empty() {
        text_of(obj, "StartMode")
    } else {
        t
    }
}

/// A service's Status (`Get-Service`) or State (`Win32_Service`).
fn status(obj: &InventoryObject) -> String {
    let s = enum_name(obj, "Status", SERVICE_STATUS);
    if s.is_empty() {
        text_of(obj, "State")
    } else {
        s
    }
}

/// The service's name (`Name`, `ServiceName`).
fn service_name(obj: &InventoryObject) -> String {
    let n = text_of(obj, "Name");
    if n.is_empty() {
        text_of(obj, "ServiceName")
    } else {
        n
    }
}

/// Every service whose name starts with `prefix` is disabled.
fn protocol_disabled(objects: &[&InventoryObject], prefix: &str, protocol: &str) -> Judgement {
    let property = "StartType";
    let expected = format!("every {prefix}* service StartType Disabled (registry Start = 4)");
    let matching: Vec<&&InventoryObject> = objects
        .iter()
        .filter(|o| {
            service_name(o)
                .to_ascii_lowercase()
                .starts_with(&prefix.to_ascii_lowercase())
        })
        .collect();
    if matching.is_empty() {
        // Only a whole Get-Service export shows that the service is not installed.
        let whole = objects.iter().any(|o| {
            let name = service_name(o).to_ascii_lowercase();
            !name.starts_with("msexchangeimap") && !name.starts_with("msexchangepop")
        });
        if whole {
            return decided(
                true,
                property,
                format!(
                    "no {prefix}* service among the {} services exported (not installed)",
                    objects.len()
                ),
                expected,
                String::new(),
            );
        }
        return undecided(
            property,
            format!(
                "the export has no {prefix}* service and no other service: export every service (Get-Service)"
            ),
            "(not exported)".into(),
            &expected,
        );
    }
    let mut actual = Vec::new();
    let mut fixes = Vec::new();
    for obj in &matching {
        let name = service_name(obj);
        let start = start_type(obj);
        actual.push(format!(
            "{name} {} ({})",
            if start.is_empty() {
                "(no StartType)"
            } else {
                &start
            },
            status(obj)
        ));
        if start.is_empty() {
            return undecided(
                property,
                format!("{name} has no StartType in the export"),
                actual.join("; "),
                &expected,
            );
        }
        if !start.eq_ignore_ascii_case("Disabled") {
            fixes.push(format!(
                "-Name {name} -StartupType Disabled -Status Stopped"
            ));
        }
    }
    let mut judgement = decided(
        fixes.is_empty(),
        property,
        actual.join("; "),
        expected,
        fixes.join("; Set-Service "),
    );
    if !fixes.is_empty() {
        judgement.advice.push(caution(&format!(
            "{protocol} clients lose access to their mailboxes"
        )));
    }
    judgement
}

/// IMAP4 services disabled.
fn imap4(_: &Binding, objects: &[&InventoryObject], _: &Context) -> Judgement {
    protocol_disabled(objects, "MSExchangeIMAP4", "IMAP4")
}

/// POP3 services disabled.
fn pop3(_: &Binding, objects: &[&InventoryObject], _: &Context) -> Judgement {
    protocol_disabled(objects, "MSExchangePOP3", "POP3")
}

/// Services documented: every running service is one the EDSP documents.
fn documented_services(_: &Binding, objects: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "Status";
    let running: Vec<&&InventoryObject> = objects
        .iter()
        .filter(|o| status(o).eq_ignore_ascii_case("Running"))
        .collect();
    let names: Vec<String> = running.iter().map(|o| service_name(o)).collect();
    let shown = format!("{} running: {}", names.len(), names.join(", "));
    let expected = "every running service documented in the EDSP";
    let Some(allowed) = &ctx.site.values.allowed_services else {
        return needs_site_value(
            ctx,
            "the EDSP's list of services is",
            "allowed_services",
            "[\"MSExchangeTransport\", \"W32Time\", ...]",
            property,
            shown,
            expected,
        );
    };
    let undocumented: Vec<String> = running
        .iter()
        .filter(|o| {
            let name = service_name(o);
            let display = text_of(o, "DisplayName");
            !allowed.iter().any(|a| {
                a.trim().eq_ignore_ascii_case(&name) || a.trim().eq_ignore_ascii_case(&display)
            })
        })
        .map(|o| service_name(o))
        .collect();
    decided(
        undocumented.is_empty(),
        property,
        shown,
        if undocumented.is_empty() {
            format!("{expected} ([values] allowed_services)")
        } else {
            format!(
                "{expected} ([values] allowed_services); undocumented: {} (document them, or disable them once they are known to be unnecessary)",
                undocumented.join(", ")
            )
        },
        undocumented
            .iter()
            .map(|n| format!("-Name {n} -StartupType Disabled -Status Stopped"))
            .collect::<Vec<_>>()
            .join("; Set-Service "),
    )
}

#[cfg(test)]
#[path = "host_tests.rs"]
mod tests;
