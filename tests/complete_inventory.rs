//! Issue 14's completeness goal through the binary: the complete Edge and Mailbox inventories
//! (EDGE02, MBX02, in bundle and Export-Clixml form) leave no rule Not_Reviewed for want of
//! data; what stays undecided waits for a site value (`[values]`), a person, or (Edge
//! redundancy) an export only the Mailbox side can give. With a site file that gives every
//! EDSP value, only the rules for a person (and that export) remain.

mod common;

use exstig::checklist::Status;
use std::path::Path;

/// Why each Not_Reviewed rule waits, from its comments; `None` for a reason this test does not
/// accept.
fn waits_for(comments: &str) -> Option<&'static str> {
    if comments.is_empty() {
        Some("a person (no check reads data for it)")
    } else if comments.contains("[values]") {
        Some("a site value")
    } else if comments.contains("needs human judgement") {
        Some("a person")
    } else if comments.contains("Get-EdgeSubscription exported on a") {
        Some("the Mailbox side's Get-EdgeSubscription")
    } else {
        None
    }
}

/// A site file with every EDSP value the rules of these STIGs ask for.
const EVERY_VALUE: &str = r#"[values]
smart_hosts = ["smarthost.example.mil"]
internal_smtp_domain = "example.mil"
internal_smtp_servers = ["192.0.2.10"]
multi_homed = false
blocked_domains = ["spam.example"]
attachment_types = ["*.exe"]
approved_exchange_build = "15.2.1544.4"
allowed_services = ["MSExchangeTransport"]
audit_log_readers = ["BUILTIN\\Administrators"]
audit_log_modifiers = ["BUILTIN\\Administrators"]
audit_log_deleters = ["BUILTIN\\Administrators"]
application_directory_access = ["BUILTIN\\Administrators"]
exchange_only_volumes = ["D:", "E:", "F:"]
records_management_members = ["Jane Records"]
forwarding_mailboxes = ["example.mil/Users/John Doe"]
forwarding_domains = ["example.gov"]
prohibit_send_quota = "2GB"
"#;

/// Evaluates `file` against `stig` with `site`; the checklist's rules.
fn evaluate(file: &str, stig: &str, site: &str) -> Vec<exstig::checklist::Vuln> {
    let dir = common::temp_dir(&format!("complete-{file}-{}", site.len()));
    std::fs::write(dir.join("site.toml"), site).unwrap();
    let inventory = common::root().join("fixtures/inventory").join(file);
    let out = common::exstig(
        &dir,
        &[
            "evaluate",
            "--stig",
            stig,
            inventory.to_str().unwrap(),
            "--site",
            "site.toml",
            "--ckl",
            "out.ckl",
            "--quiet",
            // EDGE02 and MBX02 are Exchange 2019 servers; the 2016 rules read the same objects.
            "--force",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.join("out.ckl");
    let text = std::fs::read_to_string(&path).unwrap();
    let checklist = exstig::checklist::ckl::read(Path::new(&path), &text).unwrap();
    checklist.stigs.into_iter().next().unwrap().vulns
}

const SERVERS: [(&str, &str); 4] = [
    ("EDGE02.bundle.json", "exchange-2019-edge"),
    ("EDGE02.clixml.xml", "exchange-2016-edge"),
    ("MBX02.bundle.json", "exchange-2019-mailbox"),
    ("MBX02.clixml.xml", "exchange-2016-mailbox"),
];

#[test]
fn with_every_site_value_only_the_rules_for_a_person_remain() {
    for (file, stig) in SERVERS {
        for v in evaluate(file, stig, EVERY_VALUE)
            .iter()
            .filter(|v| v.status == Status::NotReviewed)
        {
            let why = waits_for(&v.comments);
            assert!(
                matches!(why, Some(w) if w != "a site value"),
                "{file} {stig} {} is Not_Reviewed though every site value is given:\n{}",
                v.stig_id(),
                v.comments
            );
        }
    }
}

#[test]
fn complete_inventories_leave_nothing_undecided_for_want_of_data() {
    for (file, stig) in SERVERS {
        let vulns = evaluate(file, stig, "");
        for v in vulns.iter().filter(|v| v.status == Status::NotReviewed) {
            assert!(
                waits_for(&v.comments).is_some(),
                "{file} {stig} {} is Not_Reviewed for another reason:\n{}",
                v.stig_id(),
                v.comments
            );
        }
    }
}
