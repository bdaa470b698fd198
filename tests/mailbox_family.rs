//! The Mailbox family through the binary: the complete MBX02 inventory (bundle and
//! Export-Clixml) against the built-in 2019 Mailbox STIG, with and without the site values the
//! EDSP rules need.

mod common;

use exstig::checklist::Status;
use std::collections::BTreeMap;

/// Evaluates `inventory` with `site` (TOML text); status and details of each rule bound to a
/// Mailbox-family check, by STIG ID.
fn mailbox_rules(name: &str, inventory: &str, site: &str) -> BTreeMap<String, (Status, String)> {
    let dir = common::temp_dir(name);
    std::fs::write(dir.join("site.toml"), site).unwrap();
    let inventory = common::root().join("fixtures/inventory").join(inventory);
    let checklist = common::exstig_ckl(
        &dir,
        &[
            "evaluate",
            "--stig",
            "exchange-2019-mailbox",
            inventory.to_str().unwrap(),
            "--site",
            "site.toml",
            "--ckl",
            "out.ckl",
        ],
        "out.ckl",
    );
    checklist.stigs[0]
        .vulns
        .iter()
        .filter(|v| v.finding_details.contains("Check: mailbox."))
        .map(|v| {
            (
                v.stig_id().to_string(),
                (v.status, v.finding_details.clone()),
            )
        })
        .collect()
}

const EDSP: &str = r#"[values]
prohibit_send_quota = "2GB"
forwarding_mailboxes = ["example.mil/Users/John Doe"]
forwarding_domains = ["example.gov"]
records_management_members = ["Jane Records"]
"#;

#[test]
fn mbx02_is_decided_rule_by_rule_in_every_format() {
    use Status::*;
    let expected: &[(&str, Status)] = &[
        ("EX19-MB-000006", NotAFinding), // RPC encryption required
        ("EX19-MB-000007", NotAFinding), // OWA https, Require SSL, DoD certificate on IIS
        ("EX19-MB-000008", Open),        // FormsAuthentication True (the check wants False)
        ("EX19-MB-000016", NotAFinding), // admin audit log on
        ("EX19-MB-000020", Open),        // WindowsAuthentication False
        ("EX19-MB-000021", NotAFinding), // AutoForwardEnabled False on the default domain
        ("EX19-MB-000033", NotAFinding), // AdminAuditLogParameters *
        ("EX19-MB-000034", NotAFinding), // Records Management holds only the EDSP's member
        ("EX19-MB-000042", Open),        // circular logging on
        ("EX19-MB-000115", NotAFinding), // retained until backup
        ("EX19-MB-000116", NotAFinding), // the one forwarder is documented
        ("EX19-MB-000117", Open),        // it forwards to example.com, not documented
        ("EX19-MB-000121", NotAFinding), // mounts at startup
        ("EX19-MB-000122", Open),        // ProhibitSendReceiveQuota 2.3 GB, not Unlimited
        ("EX19-MB-000123", NotAFinding), // ProhibitSendQuota = the site's 2 GB
        ("EX19-MB-000136", Open),        // AllowedOOFType External
        ("EX19-MB-000140", NotAFinding), // AutoReplyEnabled False
        ("EX19-MB-000203", Open),        // External client authentication Negotiate
        ("EX19-MB-000230", NotAFinding), // DeliveryReportEnabled False
        ("EX19-MB-000231", Open),        // NDREnabled True on the default domain
        ("EX19-MB-000234", NotAFinding), // DAG01 with two servers holds DB02
        ("EX19-MB-000283", NotAFinding), // 80/443 and the back end's 81/444
    ];
    for file in ["MBX02.bundle.json", "MBX02.clixml.xml"] {
        let got = mailbox_rules(&format!("mbx02-{file}"), file, EDSP);
        for (id, status) in expected {
            let (actual, details) = got
                .get(*id)
                .unwrap_or_else(|| panic!("{file}: {id} is not bound to a Mailbox check"));
            assert_eq!(actual, status, "{file} {id}:\n{details}");
        }
        assert_eq!(got.len(), expected.len(), "{file}: {:?}", got.keys());
    }
}

#[test]
fn edsp_rules_wait_for_their_site_values_and_say_which() {
    let got = mailbox_rules("mbx02-no-site", "MBX02.bundle.json", "");
    for (id, key) in [
        ("EX19-MB-000034", "records_management_members"),
        ("EX19-MB-000116", "forwarding_mailboxes"),
        ("EX19-MB-000117", "forwarding_domains"),
        ("EX19-MB-000123", "prohibit_send_quota"),
    ] {
        let (status, details) = &got[id];
        assert_eq!(*status, Status::NotReviewed, "{id}");
        assert!(
            details.contains(key),
            "{id} names [values] {key}:\n{details}"
        );
    }
}
