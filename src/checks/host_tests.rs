//! Tests of the host family: binding by title words (rules whose check runs no cmdlet), the
//! partitions, the ACL readings in every export shape, and the services. The check texts are
//! short phrasings written for these tests.

use super::acl::{Right, grants};
use super::*;
use crate::checks::bind;
use crate::checks::tests::{benchmark, object, rule};
use crate::inventory::ObjectKind;
use crate::site::Site;
use serde_json::json;
use std::path::Path;

const EDGE: &str = "MS Exchange 2019 Edge Server STIG";
const MAILBOX: &str = "MS Exchange 2019 Mailbox Server STIG";

fn bound(role: &str, title: &str, check: &str) -> Binding {
    bind(&benchmark(role), &rule(title, check)).expect("bound")
}

fn site(values: &str) -> Site {
    Site::parse(Path::new("site.toml"), &format!("[values]\n{values}\n")).expect("site")
}

fn judge_set(binding: &Binding, objects: &[InventoryObject], site: &Site) -> Judgement {
    let refs: Vec<&InventoryObject> = objects.iter().collect();
    (binding.spec.judge_set.expect("a set judge"))(
        binding,
        &refs,
        &Context {
            site,
            transport_config: None,
            inventory: None,
        },
    )
}

fn path(purpose: &str, path: &str) -> InventoryObject {
    object(
        ObjectKind::ServerPath,
        json!({"Purpose": purpose, "Path": path, "Volume": format!("{}\\", &path[..2]), "Exists": true}),
    )
}

fn edge_paths(queue: &str, logs: &str) -> Vec<InventoryObject> {
    vec![
        path("InstallPath", "E:\\Exchange\\V15"),
        path("QueueDatabasePath", &format!("{queue}\\Queue")),
        path("QueueDatabaseLoggingPath", &format!("{queue}\\Queue")),
        path(
            "MessageTrackingLogPath",
            &format!("{logs}\\MessageTracking"),
        ),
        path("LoggingPath", &format!("{logs}\\Logging")),
        path("EventLogPath", "C:\\Windows\\System32\\winevt\\Logs"),
    ]
}

#[test]
fn rules_without_a_cmdlet_bind_by_title_words_even_from_the_catalog() {
    for (title, id) in [
        (
            "Exchange audit data must be on separate partitions.",
            "host.audit-partition",
        ),
        (
            "Exchange queue database must reside on a dedicated partition.",
            "host.queue-partition",
        ),
        (
            "Exchange software must be installed on a separate partition from the OS.",
            "host.os-partition",
        ),
        (
            "The Exchange email application must not share a partition with another application.",
            "host.os-partition",
        ),
        (
            "Exchange Mailbox databases must reside on a dedicated partition.",
            "host.database-partition",
        ),
        (
            "Exchange audit data must be protected against unauthorized access (read access).",
            "host.audit-acl-read",
        ),
        (
            "Exchange must have Audit data protected against unauthorized modification.",
            "host.audit-acl-modify",
        ),
        (
            "Exchange must protect audit data against unauthorized deletion.",
            "host.audit-acl-delete",
        ),
        (
            "Audit data must be protected against unauthorized access.",
            "host.audit-acl",
        ),
        (
            "The Exchange application directory must be protected from unauthorized access.",
            "host.application-directory-acl",
        ),
        (
            "Services must be documented and unnecessary services must be removed or disabled.",
            "host.services",
        ),
        (
            "The Exchange IMAP4 service must be disabled.",
            "host.imap4-disabled",
        ),
        (
            "The Exchange Post Office Protocol 3 (POP3) service must be disabled.",
            "host.pop3-disabled",
        ),
    ] {
        assert_eq!(bound(MAILBOX, title, "").spec.id, id, "{title}");
    }
    // The 2016 wording reads the service's registry Start value: the same rule.
    let b = bound(
        "MS Exchange 2016 Mailbox Server STIG",
        "The Exchange IMAP4 service must be disabled.",
        "Run Get-ItemProperty 'hklm:\\system\\currentcontrolset\\services\\MSExchangeIMAP4' | Select Start. If Start is not 4, this is a finding.",
    );
    assert_eq!(b.spec.id, "host.imap4-disabled");
    // A generic audit title reads the permission its text names.
    let b = bound(
        MAILBOX,
        "Exchange must protect audit data against unauthorized access.",
        "Find the groups allowed to modify the audit data in the EDSP; anyone else with modify permissions is a finding.",
    );
    assert_eq!(b.spec.id, "host.audit-acl-modify");
}

#[test]
fn partitions_are_decided_from_the_recorded_volumes() {
    let none = Site::default();
    let os = bound(
        EDGE,
        "Exchange software must be installed on a separate partition from the OS.",
        "",
    );
    let mut on_c = edge_paths("D:", "F:");
    on_c[0] = path(
        "InstallPath",
        "C:\\Program Files\\Microsoft\\Exchange Server\\V15",
    );
    assert_eq!(judge_set(&os, &on_c, &none).verdict, Verdict::Fail);
    let apart = edge_paths("D:", "F:");
    let j = judge_set(&os, &apart, &none);
    assert!(
        matches!(&j.verdict, Verdict::Unknown(why) if why.contains("exchange_only_volumes")),
        "{j:?}"
    );
    assert_eq!(
        judge_set(&os, &apart, &site("exchange_only_volumes = [\"E:\"]")).verdict,
        Verdict::Pass
    );
    assert!(
        matches!(judge_set(&os, &apart[..1], &none).verdict, Verdict::Unknown(why) if why.contains("OS volume"))
    );

    let queue = bound(
        EDGE,
        "Exchange queue database must reside on a dedicated partition.",
        "",
    );
    let shared = edge_paths("E:", "F:");
    let j = judge_set(&queue, &shared, &none);
    assert_eq!(j.verdict, Verdict::Fail);
    assert!(j.actual.contains("InstallPath"), "{}", j.actual);
    assert_eq!(
        judge_set(
            &queue,
            &apart,
            &site("exchange_only_volumes = [\"d:\\\\\"]")
        )
        .verdict,
        Verdict::Pass
    );
    assert!(matches!(
        judge_set(&queue, &apart[..1], &none).verdict,
        Verdict::Unknown(_)
    ));

    let audit = bound(
        EDGE,
        "Exchange audit data must be on separate partitions.",
        "",
    );
    assert_eq!(judge_set(&audit, &apart, &none).verdict, Verdict::Pass);
    let j = judge_set(&audit, &edge_paths("D:", "E:"), &none);
    assert_eq!(j.verdict, Verdict::Fail);
    assert!(
        j.expected.contains("MessageTrackingLogPath, LoggingPath"),
        "{}",
        j.expected
    );

    let db = bound(
        MAILBOX,
        "Exchange Mailbox databases must reside on a dedicated partition.",
        "",
    );
    let mut mailbox = edge_paths("D:", "F:");
    mailbox.push(path("EdbFilePath DB01", "G:\\DB01\\DB01.edb"));
    mailbox.push(path("LogFolderPath DB01", "G:\\DB01\\Logs"));
    assert_eq!(
        judge_set(&db, &mailbox, &site("exchange_only_volumes = [\"G:\"]")).verdict,
        Verdict::Pass
    );
    assert!(matches!(
        judge_set(&db, &mailbox, &none).verdict,
        Verdict::Unknown(_)
    ));
    mailbox.push(path("EdbFilePath DB02", "F:\\DB02\\DB02.edb"));
    let j = judge_set(
        &db,
        &mailbox,
        &site("exchange_only_volumes = [\"G:\", \"F:\"]"),
    );
    assert_eq!(j.verdict, Verdict::Fail, "DB02 shares F: with the logs");
    assert!(matches!(
        judge_set(&db, &apart, &none).verdict,
        Verdict::Unknown(_)
    ));
}

fn acl(purpose: &str, access: serde_json::Value) -> InventoryObject {
    object(
        ObjectKind::Acl,
        json!({"Purpose": purpose, "Path": format!("C:\\Logs\\{purpose}"), "Owner": "BUILTIN\\Administrators", "Access": access}),
    )
}

fn ace(who: &str, rights: &str, inherited: bool) -> serde_json::Value {
    json!({"IdentityReference": who, "AccessControlType": "Allow", "FileSystemRights": rights, "IsInherited": inherited, "InheritanceFlags": "ContainerInherit, ObjectInherit", "PropagationFlags": "None"})
}

#[test]
fn access_rules_read_from_objects_csv_text_format_list_and_access_to_string() {
    let from_objects = access_rules(&acl(
        "LoggingPath",
        json!([
            ace("NT AUTHORITY\\SYSTEM", "FullControl", true),
            ace("BUILTIN\\Users", "ReadAndExecute, Synchronize", false)
        ]),
    ))
    .unwrap();
    let csv = "{IdentityReference=NT AUTHORITY\\SYSTEM, AccessControlType=Allow, FileSystemRights=FullControl, IsInherited=True, InheritanceFlags=ContainerInherit, ObjectInherit, PropagationFlags=None};{IdentityReference=BUILTIN\\Users, AccessControlType=Allow, FileSystemRights=ReadAndExecute, Synchronize, IsInherited=False, InheritanceFlags=ContainerInherit, ObjectInherit, PropagationFlags=None}";
    let from_csv = access_rules(&acl("LoggingPath", json!(csv))).unwrap();
    let fl = format!("{{{}}}", csv.replace("};{", "}, {"));
    let from_fl = access_rules(&acl("LoggingPath", json!(fl))).unwrap();
    assert_eq!(from_objects, from_csv);
    assert_eq!(from_objects, from_fl);
    assert_eq!(from_objects[1].rights, "ReadAndExecute, Synchronize");
    assert!(!from_objects[1].inherited);
    let text = object(
        ObjectKind::Acl,
        json!({"Purpose": "LoggingPath", "Owner": "BUILTIN\\Administrators", "AccessToString": "NT AUTHORITY\\SYSTEM Allow  FullControl\nBUILTIN\\Users Deny  Delete"}),
    );
    let rules = access_rules(&text).unwrap();
    assert_eq!(rules.len(), 2);
    assert!(!rules[1].allow);
    assert_eq!(rules[1].principal, "BUILTIN\\Users");
    assert!(access_rules(&object(ObjectKind::Acl, json!({"Owner": "x"}))).is_err());
    // Rights by name and by number (GENERIC_ALL, GENERIC_READ | GENERIC_EXECUTE).
    assert!(grants("268435456", Right::Delete));
    assert!(grants("-1610612736", Right::Read) && !grants("-1610612736", Right::Modify));
    assert!(grants("Modify, Synchronize", Right::Delete));
    assert!(!grants("ReadAndExecute, Synchronize", Right::Modify));
    assert!(grants("Write", Right::Modify) && !grants("Write", Right::Read));
}

#[test]
fn audit_acls_allow_only_the_edsp_principals_per_right() {
    let logs = vec![
        acl(
            "MessageTrackingLogPath",
            json!([
                ace("NT AUTHORITY\\SYSTEM", "FullControl", true),
                ace("BUILTIN\\Administrators", "FullControl", true),
                ace("BUILTIN\\Users", "ReadAndExecute, Synchronize", false)
            ]),
        ),
        acl(
            "InstallPath",
            json!([ace("Everyone", "FullControl", false)]),
        ),
    ];
    let read = bound(
        EDGE,
        "Exchange audit data must be protected against unauthorized access (read access).",
        "",
    );
    let j = judge_set(&read, &logs, &Site::default());
    assert!(
        matches!(&j.verdict, Verdict::Unknown(why) if why.contains("audit_log_readers")),
        "{j:?}"
    );
    assert!(j.actual.contains("BUILTIN\\Users"), "{}", j.actual);
    let admins = site(
        "audit_log_readers = [\"SYSTEM\", \"BUILTIN\\\\Administrators\"]\naudit_log_modifiers = [\"NT AUTHORITY\\\\SYSTEM\", \"Administrators\"]\naudit_log_deleters = [\"NT AUTHORITY\\\\SYSTEM\"]",
    );
    let j = judge_set(&read, &logs, &admins);
    assert_eq!(j.verdict, Verdict::Fail);
    assert!(
        j.expected.contains("not listed: BUILTIN\\Users (read"),
        "{}",
        j.expected
    );
    assert!(j.fix.unwrap().contains("/remove:g 'BUILTIN\\Users'"));
    // Users only read: the modify rule passes, Everyone on the install path is not audit data.
    let modify = bound(
        EDGE,
        "Exchange audit data must be protected against unauthorized access for modification.",
        "",
    );
    assert_eq!(judge_set(&modify, &logs, &admins).verdict, Verdict::Pass);
    let delete = bound(
        EDGE,
        "Exchange audit data must be protected against unauthorized access for deletion.",
        "",
    );
    let j = judge_set(&delete, &logs, &admins);
    assert_eq!(
        j.verdict,
        Verdict::Fail,
        "Administrators may not delete: {j:?}"
    );
    assert!(
        j.advice.iter().any(|a| a.contains("/inheritance:d")),
        "{:?}",
        j.advice
    );
    let any = bound(
        "Exchange 2010 Edge",
        "Audit data must be protected against unauthorized access.",
        "",
    );
    let j = judge_set(
        &any,
        &logs,
        &site("audit_log_readers = [\"SYSTEM\", \"Administrators\", \"Users\"]"),
    );
    assert!(
        matches!(&j.verdict, Verdict::Unknown(why) if why.contains("audit_log_modifiers / audit_log_deleters")),
        "{j:?}"
    );
    assert!(matches!(
        judge_set(&read, &logs[1..], &admins).verdict,
        Verdict::Unknown(_)
    ));
}

#[test]
fn application_directory_matches_the_edsp_access_list() {
    let dir = vec![acl(
        "InstallPath",
        json!([
            ace("NT AUTHORITY\\SYSTEM", "FullControl", true),
            ace("BUILTIN\\Administrators", "FullControl", true),
            ace(
                "NT AUTHORITY\\NETWORK SERVICE",
                "ReadAndExecute, Synchronize",
                true
            )
        ]),
    )];
    let b = bound(
        MAILBOX,
        "The Exchange application directory must be protected from unauthorized access.",
        "",
    );
    assert!(
        matches!(judge_set(&b, &dir, &Site::default()).verdict, Verdict::Unknown(why) if why.contains("application_directory_access"))
    );
    let exact = site(
        "application_directory_access = [\"NT AUTHORITY\\\\SYSTEM=FullControl\", \"BUILTIN\\\\Administrators=FullControl\", \"NETWORK SERVICE\"]",
    );
    assert_eq!(judge_set(&b, &dir, &exact).verdict, Verdict::Pass);
    let narrower = site(
        "application_directory_access = [\"NT AUTHORITY\\\\SYSTEM=FullControl\", \"BUILTIN\\\\Administrators=ReadAndExecute, Synchronize\", \"NETWORK SERVICE\"]",
    );
    let j = judge_set(&b, &dir, &narrower);
    assert_eq!(j.verdict, Verdict::Fail);
    assert!(
        j.expected
            .contains("BUILTIN\\Administrators has FullControl"),
        "{}",
        j.expected
    );
    let missing = site(
        "application_directory_access = [\"NT AUTHORITY\\\\SYSTEM=FullControl\", \"BUILTIN\\\\Administrators=FullControl\"]",
    );
    let j = judge_set(&b, &dir, &missing);
    assert_eq!(j.verdict, Verdict::Fail);
    assert!(
        j.fix
            .unwrap()
            .contains("/remove:g 'NT AUTHORITY\\NETWORK SERVICE'")
    );
}

fn service(name: &str, start: &str, status: &str) -> InventoryObject {
    object(
        ObjectKind::Service,
        json!({"Name": name, "DisplayName": format!("Display {name}"), "Status": status, "StartType": start}),
    )
}

#[test]
fn imap4_and_pop3_services_must_be_disabled() {
    let imap = bound(MAILBOX, "The Exchange IMAP4 service must be disabled.", "");
    let pop = bound(MAILBOX, "The Exchange POP3 service must be disabled.", "");
    let none = Site::default();
    let services = vec![
        service("MSExchangeIMAP4", "Disabled", "Stopped"),
        service("MSExchangeIMAP4BE", "Disabled", "Stopped"),
        service("MSExchangePOP3", "Automatic", "Running"),
        service("MSExchangePOP3BE", "Disabled", "Stopped"),
        service("W32Time", "Automatic", "Running"),
    ];
    assert_eq!(judge_set(&imap, &services, &none).verdict, Verdict::Pass);
    let j = judge_set(&pop, &services, &none);
    assert_eq!(j.verdict, Verdict::Fail);
    assert_eq!(
        j.fix.as_deref(),
        Some("-Name 'MSExchangePOP3' -StartupType Disabled -Status Stopped")
    );
    assert_eq!(
        j.advice,
        vec!["# Caution: POP3 clients lose access to their mailboxes".to_string()]
    );
    // Not installed: a whole export without the service passes; a filtered one cannot tell.
    assert_eq!(
        judge_set(&imap, &services[2..], &none).verdict,
        Verdict::Pass
    );
    assert!(matches!(
        judge_set(&imap, &services[2..4], &none).verdict,
        Verdict::Unknown(_)
    ));
}

#[test]
fn running_services_must_be_documented() {
    let b = bound(
        EDGE,
        "Exchange services must be documented, and unnecessary services must be removed or disabled.",
        "",
    );
    let services = vec![
        service("MSExchangeTransport", "Automatic", "Running"),
        service("Spooler", "Automatic", "Running"),
        service("Fax", "Manual", "Stopped"),
    ];
    assert!(
        matches!(judge_set(&b, &services, &Site::default()).verdict, Verdict::Unknown(why) if why.contains("allowed_services"))
    );
    let listed = site("allowed_services = [\"MSExchangeTransport\", \"Display Spooler\"]");
    assert_eq!(judge_set(&b, &services, &listed).verdict, Verdict::Pass);
    let j = judge_set(
        &b,
        &services,
        &site("allowed_services = [\"MSExchangeTransport\"]"),
    );
    assert_eq!(j.verdict, Verdict::Fail);
    assert!(
        j.expected.contains("undocumented: Spooler"),
        "{}",
        j.expected
    );
    assert_eq!(
        j.fix.as_deref(),
        Some("-Name 'Spooler' -StartupType Disabled -Status Stopped")
    );
}
