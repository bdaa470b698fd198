//! The `--summary FILE.html` report in a real browser: headless Chromium loads it offline and
//! the DOM it builds must hold the server table (one row per server, the fleet total), the
//! failed servers, the Open rules with their details (escaped: no markup from finding details
//! gets through), the inline SVG chart, and nothing loaded from elsewhere. A screenshot is left
//! in `target/summary-html.png` for CI artifacts.

mod common;

use exstig::benchmark::Severity;
use exstig::summary::{Counts, Fleet, OpenRule, ServerFailure, ServerSummary, Waiting};
use std::path::{Path, PathBuf};
use std::process::Command;

fn server(host: &str, open: Vec<OpenRule>, counts: [[usize; 3]; 4]) -> ServerSummary {
    ServerSummary {
        host: host.into(),
        role: Some(exstig::inventory::ServerRole::Edge),
        benchmark_id: "MS_Exchange_2019_Edge_Server_STIG".into(),
        revision: "V2R2".into(),
        counts: Counts(counts),
        open,
        waiting: Waiting::default(),
        previous_open: None,
        inputs: vec![PathBuf::from(format!("inventory/{host}.json"))],
        outputs: vec![PathBuf::from(format!("out/{host}.ckl"))],
        merged_from: None,
        notes: Vec::new(),
    }
}

fn open_rule(stig_id: &str, severity: Severity, details: &str) -> OpenRule {
    OpenRule {
        rule_id: format!("SV-{stig_id}r1_rule"),
        stig_id: stig_id.into(),
        severity: Some(severity),
        title: format!("Rule {stig_id} & <friends>"),
        finding_details: details.into(),
    }
}

/// Runs headless Chromium on `file` with `extra` arguments; `None` when it is not installed
/// outside CI.
fn chromium(file: &Path, extra: &[&str]) -> Option<std::process::Output> {
    let browser = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|b| which(b))
        .or_else(|| common::have_tool("chromium").then_some("chromium"))?;
    // One profile per report folder: tests running at once must not share a Chromium profile.
    let folder = file
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let profile = common::temp_dir(&format!("profile-{folder}"));
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed on {}:\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(out)
}

fn which(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn html_summary_loads_in_chromium_with_every_table_row() {
    let dir = common::temp_dir("summary-html");
    let mut servers = vec![
        server(
            "EDGE01",
            vec![
                open_rule(
                    "EX19-ED-000001",
                    Severity::High,
                    "exstig automated result\n<script>document.title='pwned'</script></pre><b>x</b>",
                ),
                open_rule("EX19-ED-000002", Severity::Medium, "connector A: fail"),
            ],
            [[1, 1, 0], [0, 20, 3], [0, 2, 0], [1, 40, 5]],
        ),
        server(
            "EDGE02",
            Vec::new(),
            [[0, 0, 0], [2, 22, 3], [0, 2, 0], [0, 40, 5]],
        ),
        server(
            "MBX-\"quoted\"",
            vec![open_rule("EX19-MB-000003", Severity::Low, "size: 25 MB")],
            [[0, 0, 1], [1, 10, 2], [0, 0, 0], [1, 30, 5]],
        ),
    ];
    servers[1].notes = vec!["skipped object 3 of EDGE02.json: <not a connector>".into()];
    let failures = vec![ServerFailure {
        server: "MBX02".into(),
        inputs: vec![PathBuf::from("inventory/MBX02-extra.json")],
        message: "inventory/MBX02-extra.json (line 1, column 21): invalid JSON".into(),
    }];
    let fleet = Fleet {
        servers: &servers,
        failures: &failures,
        started: chrono::Utc::now(),
        warnings: &[],
    };
    let html = exstig::summary::html(&fleet);
    for forbidden in [
        "<script", "<link", "src=", "http://", "https://", "@import", "url(",
    ] {
        assert!(
            !html.contains(forbidden),
            "the report must be self-contained and script-free: found {forbidden}"
        );
    }
    let file = dir.join("fleet.html");
    exstig::summary::write(&fleet, &file, Default::default()).unwrap();

    let Some(out) = chromium(&file, &["--dump-dom", "--virtual-time-budget=2000"]) else {
        return;
    };
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("<table id=\"servers\">"), "{dom}");
    let rows = dom.matches("<tr class=\"server\"").count();
    assert_eq!(rows, servers.len(), "one row per server:\n{dom}");
    for s in &servers {
        let cell = format!("<td class=\"host\">{}</td>", s.host);
        assert!(dom.contains(&cell), "{} row missing", s.host);
    }
    assert!(dom.contains("<tr class=\"total\">"));
    assert!(dom.contains("<table id=\"failures\">") && dom.contains("MBX02-extra.json"));
    assert!(dom.contains("<svg id=\"fleet-chart\""));
    assert!(dom.contains("<table id=\"notes\">"));
    assert!(dom.contains("skipped object 3 of EDGE02.json: &lt;not a connector&gt;"));
    assert_eq!(dom.matches("<details class=\"server-open\"").count(), 2);
    assert!(dom.contains("EX19-ED-000001") && dom.contains("EX19-MB-000003"));
    // The details' markup is text, not elements: no script ran, no <b> element was made.
    assert!(dom.contains("&lt;script&gt;document.title="), "{dom}");
    assert!(!dom.contains("<script"), "a script element got through");
    assert!(!dom.contains("<b>x</b>"));
    assert!(dom.contains("<title>exstig fleet summary</title>"));
    assert!(!dom.contains("pwned</title>"));

    let shot = common::root().join("target/summary-html.png");
    let shot_arg = format!("--screenshot={}", shot.display());
    chromium(&file, &["--window-size=1280,1200", &shot_arg]);
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
}

/// The manager's view: compliance per server and for the fleet, the rules Open on the most
/// servers (CAT I first), the change since the previous cycle, Not_Reviewed by what it waits
/// for, bars on one scale. Checked in the DOM Chromium builds; a screenshot is left in
/// `target/fleet-report.png` (docs/fleet-report.png is one of these).
#[test]
fn fleet_report_shows_compliance_open_rules_change_and_waiting() {
    let dir = common::temp_dir("summary-fleet-report");
    let ids = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut servers = vec![
        server(
            "EDGE01",
            vec![
                open_rule("EX19-ED-000235", Severity::High, "connector A: fail"),
                open_rule("EX19-ED-000159", Severity::Medium, "timeout"),
                open_rule("EX19-ED-000098", Severity::Medium, "domain secure"),
            ],
            [[1, 2, 0], [0, 30, 0], [0, 2, 0], [0, 33, 0]],
        ),
        server(
            "EDGE02",
            vec![open_rule("EX19-ED-000159", Severity::Medium, "timeout")],
            [[0, 1, 0], [1, 40, 0], [0, 2, 0], [0, 24, 0]],
        ),
        server(
            "EDGE03",
            vec![
                open_rule("EX19-ED-000159", Severity::Medium, "timeout"),
                open_rule("EX19-ED-000098", Severity::Medium, "domain secure"),
            ],
            [[0, 2, 0], [1, 30, 0], [0, 1, 0], [0, 0, 0]],
        ),
    ];
    servers[0].waiting = Waiting {
        person: ids(&["EX19-ED-000174", "EX19-ED-000197"]),
        site_value: ids(&["EX19-ED-000095"]),
        input: ids(&["EX19-ED-000129"]),
    };
    servers[1].waiting = Waiting {
        person: ids(&["EX19-ED-000174"]),
        ..Waiting::default()
    };
    servers[0].previous_open = Some(ids(&["EX19-ED-000159", "EX19-ED-000231"]));
    servers[1].previous_open = Some(Vec::new());
    let fleet = Fleet {
        servers: &servers,
        failures: &[],
        started: chrono::Utc::now(),
        warnings: &[],
    };
    let rules = fleet.open_rules();
    let order: Vec<(&str, usize)> = rules
        .iter()
        .map(|r| (r.stig_id.as_str(), r.servers.len()))
        .collect();
    assert_eq!(
        order,
        [
            ("EX19-ED-000235", 1),
            ("EX19-ED-000159", 3),
            ("EX19-ED-000098", 2)
        ],
        "CAT I first, then by how many servers"
    );
    assert_eq!(fleet.change(), Some((2, 3, 1, 1)));
    let (compliant, decided) = exstig::summary::compliance(&servers[0].counts);
    assert!((compliant.unwrap() - 100.0 * 32.0 / 35.0).abs() < 1e-9);
    assert!((decided.unwrap() - 100.0 * 35.0 / 68.0).abs() < 1e-9);

    let csv = exstig::summary::csv(&fleet).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(&rows[0][column("compliance_percent")], "91.4");
    assert_eq!(&rows[0][column("not_reviewed_needs_person")], "2");
    assert_eq!(
        &rows[0][column("newly_open")],
        "EX19-ED-000235; EX19-ED-000098"
    );
    assert_eq!(&rows[0][column("fixed")], "EX19-ED-000231");
    assert_eq!(
        &rows[2][column("newly_open")],
        "",
        "EDGE03 had no previous checklist"
    );
    assert_eq!(&rows[3][column("result")], "fleet");
    assert_eq!(&rows[3][column("not_reviewed_needs_person")], "3");

    let html = exstig::summary::html(&fleet);
    for forbidden in [
        "<script", "<link", "src=", "http://", "https://", "@import", "url(",
    ] {
        assert!(
            !html.contains(forbidden),
            "self-contained and offline: found {forbidden}"
        );
    }
    let file = dir.join("fleet.html");
    exstig::summary::write(&fleet, &file, Default::default()).unwrap();
    let Some(out) = chromium(&file, &["--dump-dom", "--virtual-time-budget=2000"]) else {
        return;
    };
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("id=\"fleet-compliance\""), "{dom}");
    assert_eq!(dom.matches("<tr class=\"compliance\"").count(), 3);
    let open_rows: Vec<&str> = dom
        .split("<tr class=\"open-rule\" data-stig-id=\"")
        .skip(1)
        .map(|r| &r[..14])
        .collect();
    assert_eq!(
        open_rows,
        ["EX19-ED-000235", "EX19-ED-000159", "EX19-ED-000098"]
    );
    assert!(dom.contains("3 of 3"));
    assert!(
        dom.contains("<b>3</b> newly Open, <b>1</b> fixed, <b>1</b> still Open"),
        "{dom}"
    );
    assert_eq!(dom.matches("<tr class=\"change\"").count(), 2);
    assert_eq!(dom.matches("<tr class=\"waiting\"").count(), 3);
    assert!(dom.contains("EX19-ED-000174 (2)"));
    // One scale: the widest server's status bar is full, the others proportionally shorter.
    assert!(
        dom.contains("width:45.59%"),
        "EDGE03's 31 NotAFinding of the widest 68: {dom}"
    );
    let shot = common::root().join("target/fleet-report.png");
    let shot_arg = format!("--screenshot={}", shot.display());
    chromium(&file, &["--window-size=1280,1600", &shot_arg]);
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
}
