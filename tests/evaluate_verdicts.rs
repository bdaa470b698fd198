//! Issue 12 section 2 through the binary: verdicts decided by the check text where a value is
//! absent, the 2019 Edge encryption rule's two methods, and Receive connector scope inferred from
//! the Partners group or public remote addresses, with the basis said in the details.

mod common;

use exstig::checklist::Status;
use serde_json::json;
use std::collections::HashMap;

/// Evaluates `inventory` (written as JSON) against catalog `stig` with `site`; status, details
/// and comments per STIG ID.
fn run(
    name: &str,
    stig: &str,
    inventory: serde_json::Value,
    site: &str,
) -> HashMap<String, (Status, String, String)> {
    let dir = common::temp_dir(name);
    std::fs::write(dir.join("inv.json"), inventory.to_string()).unwrap();
    std::fs::write(dir.join("site.toml"), site).unwrap();
    let checklist = common::exstig_ckl(
        &dir,
        &[
            "evaluate",
            "--stig",
            stig,
            "inv.json",
            "--site",
            "site.toml",
            "--ckl",
            "out.ckl",
            "--host-name",
            "EX01",
        ],
        "out.ckl",
    );
    checklist.stigs[0]
        .vulns
        .iter()
        .map(|v| {
            (
                v.stig_id().to_string(),
                (v.status, v.finding_details.clone(), v.comments.clone()),
            )
        })
        .collect()
}

fn send(name: &str, tls_domain: Option<&str>, level: &str, secure: bool) -> serde_json::Value {
    json!({"Name": name, "Identity": name, "AddressSpaces": ["SMTP:example.mil;1"], "SmartHosts": [],
        "DNSRoutingEnabled": true, "TlsDomain": tls_domain, "TlsAuthLevel": level, "RequireTLS": true,
        "DomainSecureEnabled": secure, "Enabled": true, "ConnectionInactivityTimeOut": "00:10:00",
        "MaxMessageSize": "10 MB (10,485,760 bytes)"})
}

#[test]
fn unset_tls_domain_is_open_without_the_site_value() {
    let results = run(
        "verdict-tlsdomain",
        "exchange-2013-mailbox",
        json!([send("To Hub", None, "DomainValidation", true)]),
        "",
    );
    let (status, details, comments) = &results["EX13-MB-000120"];
    assert_eq!(*status, Status::Open, "{details}");
    assert!(
        details.contains("To Hub | internal") && details.contains("actual (not set)"),
        "{details}"
    );
    // The fix needs the domain: written as a comment with a placeholder, never run as is.
    assert!(
        comments
            .contains("# Set-SendConnector -Identity 'To Hub' -TlsDomain <internal SMTP domain>"),
        "{comments}"
    );
}

#[test]
fn edge_2019_encryption_needs_domain_validation_with_the_domain_or_domain_security() {
    let site = "[values]\ninternal_smtp_domain = \"example.mil\"\n";
    let results = run(
        "verdict-validation",
        "exchange-2019-edge",
        json!([
            send("Weak", Some("example.mil"), "EncryptionOnly", false),
            send("Validated", Some("example.mil"), "DomainValidation", false),
            send("Secure", None, "EncryptionOnly", true),
        ]),
        site,
    );
    let (status, details, comments) = &results["EX19-ED-000236"];
    assert_eq!(*status, Status::Open, "{details}");
    let line = |name: &str| {
        details
            .lines()
            .find(|l| l.starts_with(&format!("{name} |")))
            .unwrap_or_else(|| panic!("{name} in {details}"))
            .to_string()
    };
    assert!(line("Weak").ends_with("FAIL"), "{details}");
    assert!(line("Validated").ends_with("pass"), "{details}");
    assert!(line("Secure").ends_with("pass"), "{details}");
    assert!(
        comments.contains("Set-SendConnector -Identity 'Weak' -RequireTLS $true -TlsAuthLevel DomainValidation -TlsDomain 'example.mil'"),
        "{comments}"
    );
}

#[test]
fn partners_and_public_ranges_make_receive_connectors_internet_facing() {
    let receive = |name: &str, groups: &str, ranges: serde_json::Value| {
        json!({"Name": name, "Identity": format!("EX01\\{name}"), "Server": "EX01", "PermissionGroups": groups,
            "Bindings": ["0.0.0.0:2525"], "RemoteIPRanges": ranges, "TransportRole": "HubTransport",
            "AuthMechanism": "Tls", "DomainSecureEnabled": false, "Enabled": true})
    };
    let results = run(
        "verdict-scope",
        "exchange-2019-edge",
        json!([
            receive("Partner", "Partners", json!(["10.0.0.9"])),
            receive("Public relay", "ExchangeUsers", json!(["20.30.40.50"])),
            receive("Private relay", "ExchangeUsers", json!(["10.1.1.1"])),
        ]),
        "",
    );
    // EX19-ED-000019: Internet-facing Receive connectors must use domain security.
    let (status, details, _) = &results["EX19-ED-000019"];
    assert_eq!(*status, Status::Open, "{details}");
    assert!(
        details
            .contains("EX01\\Partner | internet (inferred: grants the Partners permission group"),
        "{details}"
    );
    assert!(
        details.contains("EX01\\Public relay | internet (inferred: RemoteIPRanges include public (globally routable) addresses: 20.30.40.50)"),
        "{details}"
    );
    assert!(
        details.contains("EX01\\Private relay | internal (inferred:")
            && details.contains("(private or reserved, none public)"),
        "{details}"
    );
}

/// Issue 14: each Send connector is judged on its own ConnectionInactivityTimeOut (Evaluate-STIG
/// compares the whole list), with one details line and one fix per connector.
#[test]
fn each_send_connector_is_judged_on_its_own_inactivity_timeout() {
    let timeout = |name: &str, value: &str| {
        let mut connector = send(name, Some("example.mil"), "DomainValidation", true);
        connector["ConnectionInactivityTimeOut"] = json!(value);
        connector
    };
    let results = run(
        "verdict-inactivity",
        "exchange-2019-mailbox",
        json!([
            timeout("Ten", "00:10:00"),
            timeout("Fifteen", "00:15:00"),
            timeout("Also ten", "00:10:00")
        ]),
        "",
    );
    let (status, details, comments) = &results["EX19-MB-000132"];
    assert_eq!(*status, Status::Open, "{details}");
    assert!(
        comments.starts_with("Open: 1 of 3 Send connectors fails."),
        "{comments}"
    );
    assert!(details.contains("Fifteen | any scope | ConnectionInactivityTimeOut | actual 00:15:00 | expected 00:10:00 (STIG value) | FAIL"), "{details}");
    assert!(details.contains("Ten | any scope | ConnectionInactivityTimeOut | actual 00:10:00 | expected 00:10:00 (STIG value) | pass"), "{details}");
    assert!(
        comments.contains(
            "Set-SendConnector -Identity 'Fifteen' -ConnectionInactivityTimeOut 00:10:00"
        ) && !comments.contains("-Identity 'Ten'"),
        "{comments}"
    );
    let all_good = run(
        "verdict-inactivity-pass",
        "exchange-2019-mailbox",
        json!([timeout("Ten", "00:10:00"), timeout("Also ten", "00:10:00")]),
        "",
    );
    assert_eq!(all_good["EX19-MB-000132"].0, Status::NotAFinding);
}
