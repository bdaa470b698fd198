//! The host family: facts of the Windows host an Exchange server runs on — the partitions of
//! the Exchange software, queue database, audit logs and mailbox databases (from the paths the
//! collector records with their volume), the ACLs of the audit logs and of the application
//! directory against the EDSP's principals, and the services (documented, IMAP4 and POP3
//! disabled). Settings of Exchange itself are in [`super::server`].

use super::judge::{Context, Judgement, Verdict, needs_site_value, undecided};
use super::spec::{CheckSpec, Family, ValueType as V};
use super::{Binding, RuleText};
use crate::inventory::InventoryObject;
use crate::inventory::ObjectKind::{Acl, ServerPath, Service};
use crate::inventory::values;
use acl::{application_directory, audit_acl};
use services::{documented_services, imap4, pop3};

mod acl;
mod services;

pub use acl::{AccessRule, access_rules};

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

/// An undecided judgement because the inventory lacks what the rule reads: `why` says what.
fn not_collected(property: &str, why: &str, expected: &str) -> Judgement {
    undecided(property, why, "(not collected)".into(), expected)
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
        return not_collected(
            property,
            "the inventory has no InstallPath: run the collector on the server",
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
        return not_collected(
            property,
            "the inventory has no QueueDatabasePath (the collector reads it from EdgeTransport.exe.config)",
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
        return not_collected(
            property,
            "the inventory has no InstallPath: run the collector on the server",
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
        return not_collected(
            property,
            "the inventory records no mailbox database path (Get-MailboxDatabase EdbFilePath)",
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

#[cfg(test)]
#[path = "host_tests.rs"]
mod tests;
