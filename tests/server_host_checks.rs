//! The server and host rule families through the binary: every decision on the complete EDGE02
//! and MBX02 inventories in every export format, the same servers with the EDSP's values in a
//! site file, and test-only inventories for the cases Evaluate-STIG gets wrong (SchUseStrongCrypto
//! 0, no accepted domain) and for data that was not collected.

mod common;

use exstig::checklist::Status;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    common::root().join("fixtures/inventory").join(name)
}

/// Evaluates `inputs` against the catalog STIG and returns status, details and comments per STIG
/// ID of the rules the server and host families decide.
fn evaluate(
    dir: &Path,
    stig: &str,
    inputs: &[PathBuf],
    site: Option<&Path>,
) -> HashMap<String, (Status, String, String)> {
    let ckl = dir.join(format!("{stig}.ckl"));
    let mut args: Vec<String> = vec!["evaluate".into()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend([
        "--stig".into(),
        stig.into(),
        "--ckl".into(),
        ckl.display().to_string(),
    ]);
    if let Some(site) = site {
        args.extend(["--site".into(), site.display().to_string()]);
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::exstig(dir, &refs);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&ckl).expect("ckl written");
    let checklist = exstig::checklist::ckl::read(&ckl, &text).expect("ckl reads back");
    checklist.stigs[0]
        .vulns
        .iter()
        .filter(|v| {
            v.finding_details.contains("Check: server.")
                || v.finding_details.contains("Check: host.")
        })
        .map(|v| {
            (
                v.stig_id().to_string(),
                (v.status, v.finding_details.clone(), v.comments.clone()),
            )
        })
        .collect()
}

fn assert_statuses(
    results: &HashMap<String, (Status, String, String)>,
    want: &[(&str, Status)],
    label: &str,
) {
    for (id, status) in want {
        let (got, details, comments) = results
            .get(*id)
            .unwrap_or_else(|| panic!("{label}: {id} is not decided by the server/host families"));
        assert_eq!(got, status, "{label} {id}\n{details}\n{comments}");
    }
    assert_eq!(results.len(), want.len(), "{label}: {:?}", results.keys());
}

use Status::{NotAFinding as NAF, NotReviewed as NR, Open};

const EDGE02: &[(&str, Status)] = &[
    ("EX19-ED-000006", NAF),  // SchUseStrongCrypto 1 in both views
    ("EX19-ED-000016", Open), // the self-signed certificate bound to SMTP
    ("EX19-ED-000017", NAF),  // one accepted domain, the default
    ("EX19-ED-000026", Open), // Categorizer at Medium
    ("EX19-ED-000044", NR),   // audit_log_readers needed
    ("EX19-ED-000045", NR),
    ("EX19-ED-000046", NR),
    ("EX19-ED-000050", Open), // logs on the installation's volume
    ("EX19-ED-000053", NAF),  // LocalMachine RemoteSigned, nothing above it
    ("EX19-ED-000055", NAF),
    ("EX19-ED-000056", Open), // ErrorReportingEnabled True
    ("EX19-ED-000094", NR),   // queue alone on D:, other applications unknown
    ("EX19-ED-000109", NR),   // an Edge server sees only its own subscription
    ("EX19-ED-000195", NR),
    ("EX19-ED-000198", NAF),
    ("EX19-ED-000199", NR),
    ("EX19-ED-000230", Open), // installed on the OS volume
    ("EX19-ED-000234", NR),
    ("EX19-ED-000244", NR), // approved_exchange_build needed
];

const MBX02: &[(&str, Status)] = &[
    ("EX19-MB-000019", Open),
    ("EX19-MB-000032", NAF),
    ("EX19-MB-000052", NR),
    ("EX19-MB-000053", NR),
    ("EX19-MB-000054", NR),
    ("EX19-MB-000058", Open),
    ("EX19-MB-000061", Open), // LocalMachine Unrestricted
    ("EX19-MB-000063", NAF),
    ("EX19-MB-000064", NAF),
    ("EX19-MB-000065", NAF),  // IMAP4 services disabled
    ("EX19-MB-000066", Open), // POP3 services running
    ("EX19-MB-000105", NR),   // DB02 alone on D:, other applications unknown
    ("EX19-MB-000194", NR),
    ("EX19-MB-000198", NR),
    ("EX19-MB-000229", Open),
    ("EX19-MB-000244", NR),
];

#[test]
fn edge02_and_mbx02_in_every_format() {
    let dir = common::temp_dir("server-host-fixtures");
    for (server, stig, want) in [
        ("EDGE02", "exchange-2019-edge", EDGE02),
        ("MBX02", "exchange-2019-mailbox", MBX02),
    ] {
        for format in ["bundle.json", "clixml.xml", "ps51.json", "fl.txt"] {
            let results = evaluate(&dir, stig, &[fixture(&format!("{server}.{format}"))], None);
            assert_statuses(&results, want, &format!("{server}.{format}"));
        }
        let mut csv: Vec<PathBuf> = std::fs::read_dir(fixture("csv"))
            .expect("csv fixtures")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(server))
            .collect();
        csv.sort();
        let results = evaluate(&dir, stig, &csv, None);
        assert_statuses(&results, want, &format!("{server} csv"));
    }
    let results = evaluate(
        &dir,
        "exchange-2019-mailbox",
        &[fixture("MBX02.bundle.json")],
        None,
    );
    let (_, details, comments) = &results["EX19-MB-000066"];
    assert!(
        details.contains("MSExchangePOP3 Automatic (Running)"),
        "{details}"
    );
    assert!(
        comments
            .contains("Set-Service -Name 'MSExchangePOP3' -StartupType Disabled -Status Stopped"),
        "{comments}"
    );
    let (_, details, comments) = &results["EX19-MB-000061"];
    assert!(
        details.contains("Unrestricted (the effective policy"),
        "{details}"
    );
    assert!(
        comments.contains("Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope LocalMachine"),
        "{comments}"
    );
    // A fix that needs a value exstig does not have (the replacement certificate) is a comment.
    let (_, _, comments) = &results["EX19-MB-000019"];
    assert!(
        comments.contains("# Remove-ExchangeCertificate -Identity '9F8E7D6C5B4A39281706F5E4D3C2B1A09F8E7D6C' # after a DoD-issued replacement serves SMTP"),
        "{comments}"
    );
    assert!(
        comments.contains("# Caution: removing certificate"),
        "{comments}"
    );
    let (_, _, comments) = &results["EX19-MB-000244"];
    assert!(
        comments.contains("[values] approved_exchange_build"),
        "{comments}"
    );
}

const SITE: &str = r#"[values]
approved_exchange_build = "15.2.1544.4"
approved_certificate_issuers = ["CN=DOD SW CA-75, OU=PKI, OU=DoD, O=U.S. Government, C=US"]
allowed_services = ["MSExchangeTransport", "MSExchangeEdgeCredential", "ADAM_MSExchange", "W32Time"]
audit_log_readers = ["NT AUTHORITY\\SYSTEM", "BUILTIN\\Administrators", "NT AUTHORITY\\NETWORK SERVICE"]
audit_log_modifiers = ["NT AUTHORITY\\SYSTEM", "BUILTIN\\Administrators"]
audit_log_deleters = ["NT AUTHORITY\\SYSTEM"]
application_directory_access = ["NT AUTHORITY\\SYSTEM=FullControl", "BUILTIN\\Administrators=FullControl", "NT AUTHORITY\\NETWORK SERVICE=ReadAndExecute, Synchronize"]
exchange_only_volumes = ["D:"]
"#;

#[test]
fn the_edsp_values_decide_the_rules_that_need_them() {
    let dir = common::temp_dir("server-host-site");
    let site = dir.join("site.toml");
    std::fs::write(&site, SITE).unwrap();
    let results = evaluate(
        &dir,
        "exchange-2019-edge",
        &[fixture("EDGE02.bundle.json")],
        Some(&site),
    );
    let status = |id: &str| results[id].0;
    assert_eq!(status("EX19-ED-000244"), NAF);
    assert_eq!(status("EX19-ED-000044"), NAF);
    assert_eq!(status("EX19-ED-000045"), NAF);
    // Administrators may delete the logs, the EDSP (here) lets only SYSTEM.
    assert_eq!(status("EX19-ED-000046"), Open);
    assert!(
        results["EX19-ED-000046"].2.contains("icacls '"),
        "{}",
        results["EX19-ED-000046"].2
    );
    assert_eq!(status("EX19-ED-000195"), NAF);
    assert_eq!(status("EX19-ED-000199"), NAF);
    assert_eq!(status("EX19-ED-000094"), NAF);
    assert_eq!(
        status("EX19-ED-000016"),
        Open,
        "the self-signed certificate is still not DoD's"
    );
}

fn bundle(dir: &Path, body: &str) -> PathBuf {
    let path = dir.join("TEST01.bundle.json");
    std::fs::write(
        &path,
        format!(
            r#"{{"exstig_inventory": 1,
  "host": {{"host_name": "TEST01", "fqdn": "test01.example.mil", "role": "Edge"}},
  {body}}}"#
        ),
    )
    .unwrap();
    path
}

#[test]
fn evaluate_stig_disagreements_and_data_not_collected() {
    let dir = common::temp_dir("server-host-cases");
    let input = bundle(
        &dir,
        r#""registry_values": [
    {"Identity": "HKLM\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319\\SchUseStrongCrypto", "Path": "HKLM\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319", "Name": "SchUseStrongCrypto", "View": "Registry64", "ValueKind": "DWord", "Value": 1},
    {"Identity": "HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319\\SchUseStrongCrypto", "Path": "HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319", "Name": "SchUseStrongCrypto", "View": "Registry32", "ValueKind": "DWord", "Value": 0}],
  "accepted_domains": [],
  "not_collected": {"acls": "Get-Acl failed: access denied", "exchange_certificates": "Get-ExchangeCertificate is not available on this server"}"#,
    );
    let results = evaluate(&dir, "exchange-2019-edge", &[input], None);
    // SchUseStrongCrypto 0 in the 32-bit view is a finding (Evaluate-STIG passes a REG_DWORD 0).
    let (status, details, comments) = &results["EX19-ED-000006"];
    assert_eq!(*status, Open, "{details}");
    assert!(details.contains("32-bit 0 (DWord)"), "{details}");
    assert!(
        comments.contains("Set-ItemProperty -Path 'HKLM:\\SOFTWARE\\Wow6432Node"),
        "{comments}"
    );
    // No accepted domain is a finding (Evaluate-STIG passes it).
    let (status, details, _) = &results["EX19-ED-000017"];
    assert_eq!(*status, Open, "{details}");
    assert!(details.contains("no accepted domain"), "{details}");
    // Not collected: the reason, Not_Reviewed.
    for id in ["EX19-ED-000044", "EX19-ED-000195", "EX19-ED-000016"] {
        let (status, details, comments) = &results[id];
        assert_eq!(*status, NR, "{id}");
        assert!(comments.contains("not collected:"), "{id}: {comments}");
        assert!(
            details.to_ascii_lowercase().contains("not collected"),
            "{id}: {details}"
        );
    }
    assert!(results["EX19-ED-000044"].2.contains("access denied"));
}
