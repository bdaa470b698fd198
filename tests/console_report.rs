//! The console report after `exstig evaluate`: what the Not_Reviewed rules wait for, guessed
//! connector scopes, exceptions that did not apply and site patterns that matched nothing,
//! grouped and counted on stderr; `--quiet` silences it.

mod common;

use exstig::evaluate::{ExceptionEventKind, Need};
use std::path::Path;

const EDGE01: &str = "fixtures/inventory/EDGE01.bundle.json";

const SITE: &str = r#"
[[connector]]
match = "EDGE01\\Nothing here*"
scope = "internet"

[[exception]]
rule = "EX19-ED-000098"
status = "not_a_finding"
justification = "refused: the STIG allows no deviation"

[[exception]]
rule = "EX19-ED-000159"
status = "not_a_finding"
justification = "written for an older check"
check_digest = "0000000000000000"

[[exception]]
rule = "EX19-ED-000110"
status = "not_a_finding"
justification = "expired"
expires = 2020-01-01
"#;

fn evaluate(dir: &Path, extra: &[&str]) -> (i32, String) {
    let site = dir.join("site.toml");
    std::fs::write(&site, SITE).unwrap();
    let ckl = dir.join("o.ckl");
    let mut args = vec![
        "evaluate",
        EDGE01,
        "--stig",
        "exchange-2019-edge",
        "--site",
        site.to_str().unwrap(),
        "--ckl",
        ckl.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = common::exstig(&common::root(), &args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The library's evaluation of the same input, for the counts.
fn library_results(dir: &Path) -> exstig::evaluate::Evaluation {
    let site_path = dir.join("site.toml");
    std::fs::write(&site_path, SITE).unwrap();
    let site = exstig::site::Site::load(&site_path).unwrap();
    let benchmark = exstig::catalog::get("exchange-2019-edge").unwrap();
    let inventory =
        exstig::inventory::read_files(&[common::root().join(EDGE01)]).expect("fixture reads");
    let asset = exstig::evaluate::asset_from(&benchmark, &inventory, &site);
    exstig::evaluate::evaluate(&benchmark, &inventory, &site, asset)
}

#[test]
fn the_report_groups_and_counts_what_is_missing() {
    let dir = common::temp_dir("console-report");
    let (code, stderr) = evaluate(&dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    let evaluation = library_results(&dir);
    let count = |need: &Need| {
        evaluation
            .results
            .iter()
            .filter(|r| r.needs.contains(need))
            .count()
    };
    let reviewer = count(&Need::Reviewer);
    assert!(reviewer >= 1);
    assert!(
        stderr.contains(&format!(
            "{reviewer} rule{} a person (exstig reads no data for {}): ",
            if reviewer == 1 { " needs" } else { "s need" },
            if reviewer == 1 { "it" } else { "them" }
        )),
        "{stderr}"
    );
    let smart_hosts = count(&Need::SiteValue("smart_hosts".into()));
    assert!(smart_hosts >= 1);
    assert!(
        stderr.contains(&format!(
            "{smart_hosts} rule{} [values] smart_hosts in site.toml",
            if smart_hosts == 1 { " needs" } else { "s need" }
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("connector scopes were inferred, not declared: EDGE01\\Default internal receive connector EDGE01 (internal)")
            && stderr.contains("declare them with [[connector]] in site.toml"),
        "{stderr}"
    );
    for expected in [
        "1 exception in site.toml refused (the STIG allows no deviation for the rule): line 6 (EX19-ED-000098)",
        "1 exception in site.toml lapsed (expired): line 17 (EX19-ED-000110)",
        "1 exception in site.toml lapsed (the rule's check text changed: check_digest differs): line 11 (EX19-ED-000159)",
        "1 [[connector]] pattern in site.toml matched no connector of the inventory: \"EDGE01\\Nothing here*\"",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    let events: Vec<ExceptionEventKind> = evaluation
        .results
        .iter()
        .flat_map(|r| r.exception_events.iter().map(|e| e.kind))
        .collect();
    assert!(events.contains(&ExceptionEventKind::Refused));
    assert!(events.contains(&ExceptionEventKind::Expired));
    assert!(events.contains(&ExceptionEventKind::CheckChanged));
    // needs are only given for Not_Reviewed rules
    assert!(
        evaluation
            .results
            .iter()
            .all(|r| r.needs.is_empty() || r.status == exstig::checklist::Status::NotReviewed)
    );
}

#[test]
fn quiet_silences_the_table_and_the_report() {
    let dir = common::temp_dir("console-quiet");
    let (code, stderr) = evaluate(&dir, &["--quiet"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !stderr.contains("What needs attention")
            && !stderr.contains("Not_Reviewed")
            && !stderr.contains("rules need"),
        "{stderr}"
    );
    assert!(stderr.contains("wrote "), "{stderr}");
}

#[test]
fn missing_exports_get_one_re_export_advice_never_convertto_json() {
    let dir = common::temp_dir("console-missing");
    let ckl = dir.join("o.ckl");
    let out = common::exstig(
        &common::root(),
        &[
            "evaluate",
            "fixtures/inventory/MBX01-receive-connectors.ps51.json",
            "--stig",
            "exchange-2019-mailbox",
            "--ckl",
            ckl.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("rules need Get-TransportService: none in the inventory. Export it with collect/Export-ExchangeStigInventory.ps1 (the inventory bundle), or with Get-TransportService | Export-Clixml TransportService.xml"),
        "{stderr}"
    );
    let written = std::fs::read_to_string(&ckl).unwrap();
    assert!(written.contains("Get-TransportService | Export-Clixml TransportService.xml"));
    assert!(
        !stderr.contains("ConvertTo-Json") && !written.contains("ConvertTo-Json -Depth"),
        "no lossy re-export advice"
    );
}

#[test]
fn an_empty_inventory_file_is_called_empty() {
    let dir = common::temp_dir("console-empty");
    let empty = dir.join("empty.json");
    std::fs::write(&empty, "\u{feff}  \n").unwrap();
    let ckl = dir.join("o.ckl");
    let out = common::exstig(
        &common::root(),
        &[
            "evaluate",
            empty.to_str().unwrap(),
            "--stig",
            "exchange-2019-edge",
            "--ckl",
            ckl.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("empty.json") && stderr.contains("empty file") && !stderr.contains("tried"),
        "{stderr}"
    );
    assert!(!ckl.exists());
}

#[test]
fn control_characters_from_the_input_are_escaped_on_the_console() {
    let dir = common::temp_dir("console-escape");
    let text = std::fs::read_to_string(common::root().join(EDGE01)).unwrap();
    let evil = text.replace(
        "Internet Inbound EDGE01",
        "Internet\\u001b[2J Inbound EDGE01",
    );
    assert_ne!(evil, text);
    let inventory = dir.join("evil.json");
    std::fs::write(&inventory, evil).unwrap();
    let ckl = dir.join("o.ckl");
    let out = common::exstig(
        &common::root(),
        &[
            "evaluate",
            inventory.to_str().unwrap(),
            "--stig",
            "exchange-2019-edge",
            "--ckl",
            ckl.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("EDGE01\\Internet\\u{1b}[2J Inbound EDGE01 (internet)")
            && !stderr.contains('\u{1b}'),
        "{stderr}"
    );
}

#[test]
fn an_export_the_collector_could_not_read_says_why() {
    let dir = common::temp_dir("console-not-collected");
    let text = std::fs::read_to_string(common::root().join(EDGE01)).unwrap();
    let mut bundle: serde_json::Value = serde_json::from_str(&text).unwrap();
    let object = bundle.as_object_mut().unwrap();
    assert!(object.remove("transport_service").is_some());
    object.insert(
        "not_collected".into(),
        serde_json::json!({"transport_service": "Get-TransportService: access denied"}),
    );
    let inventory = dir.join("EDGE01.json");
    std::fs::write(&inventory, bundle.to_string()).unwrap();
    let ckl = dir.join("o.ckl");
    let out = common::exstig(
        &common::root(),
        &[
            "evaluate",
            inventory.to_str().unwrap(),
            "--stig",
            "exchange-2019-edge",
            "--ckl",
            ckl.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("need Get-TransportService: the collector could not read it (Get-TransportService: access denied). Export it with collect/Export-ExchangeStigInventory.ps1"),
        "{stderr}"
    );
}
