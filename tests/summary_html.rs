//! The `--summary FILE.html` report in a real browser: headless Chromium loads it offline and
//! the DOM it builds must hold the server table (one row per server, the fleet total), the
//! failed servers, the Open rules with their details (escaped: no markup from finding details
//! gets through), the inline SVG chart, and nothing loaded from elsewhere. A screenshot is left
//! in `target/summary-html.png` for CI artifacts.

mod common;

use exstig::benchmark::Severity;
use exstig::summary::{Counts, Fleet, OpenRule, ServerFailure, ServerSummary};
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
    let profile = common::temp_dir("summary-html-profile");
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
