//! The fleet report through the binary and on real evaluations: `--previous DIR` (and
//! `--merge-dir`) give the change since the previous cycle, and every Not_Reviewed rule is
//! sorted by what it waits for (a person, a site value, an export).

mod common;

use common::{exstig, root, temp_dir};
use exstig::checklist::{Checklist, Status, ckl};
use exstig::summary::{Waiting, WaitingFor};
use std::path::Path;

fn inventory(dir: &Path) -> std::path::PathBuf {
    let inv = dir.join("inventory");
    std::fs::create_dir_all(&inv).unwrap();
    for name in ["EDGE01.bundle.json", "MBX01.bundle.json"] {
        std::fs::copy(root().join("fixtures/inventory").join(name), inv.join(name)).unwrap();
    }
    inv
}

fn batch(dir: &Path, inv: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "evaluate",
        "--inventory-dir",
        inv.to_str().unwrap(),
        "--stig",
        "exchange-2019",
        "--out-dir",
        out,
        "--quiet",
    ];
    args.extend_from_slice(extra);
    let output = exstig(dir, &args);
    assert!(
        output.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn set_status(checklist: &mut Checklist, stig_id: &str, status: Status) {
    let vuln = checklist.stigs[0]
        .vulns
        .iter_mut()
        .find(|v| v.stig_id() == stig_id)
        .unwrap();
    vuln.status = status;
}

#[test]
fn previous_dir_gives_newly_open_fixed_and_still_open() {
    let dir = temp_dir("fleet-previous");
    let inv = inventory(&dir);
    batch(&dir, &inv, "prev", &[]);
    let edge = dir.join("prev/EDGE01_MS_Exchange_2019_Edge_Server_STIG_V2R2.ckl");
    let mut before = exstig::merge::read_checklist(&edge).unwrap();
    // Last cycle EX19-ED-000159 was fine and EX19-ED-000231 was Open.
    set_status(&mut before, "EX19-ED-000159", Status::NotAFinding);
    set_status(&mut before, "EX19-ED-000231", Status::Open);
    std::fs::write(&edge, ckl::write(&before)).unwrap();

    for (out, flag) in [("cur", "--previous"), ("merged", "--merge-dir")] {
        batch(
            &dir,
            &inv,
            out,
            &[
                flag,
                "prev",
                "--summary",
                "fleet.csv",
                "--summary",
                "fleet.html",
            ],
        );
        let csv = std::fs::read_to_string(dir.join("fleet.csv")).unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header = reader.headers().unwrap().clone();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        let edge01 = rows.iter().find(|r| &r[0] == "EDGE01").unwrap();
        assert_eq!(&edge01[col("newly_open")], "EX19-ED-000159", "{flag}");
        assert_eq!(&edge01[col("fixed")], "EX19-ED-000231", "{flag}");
        assert!(edge01[col("still_open")].contains("EX19-ED-000235"));
        let mbx01 = rows.iter().find(|r| &r[0] == "MBX01").unwrap();
        assert_eq!(&mbx01[col("newly_open")], "");
        assert_eq!(&mbx01[col("fixed")], "");
        let fleet = rows.last().unwrap();
        assert_eq!(&fleet[col("result")], "fleet");
        assert_eq!(&fleet[col("newly_open")], "1");
        assert_eq!(&fleet[col("fixed")], "1");
        let html = std::fs::read_to_string(dir.join("fleet.html")).unwrap();
        assert!(
            html.contains("<b>1</b> newly Open, <b>1</b> fixed"),
            "{flag}"
        );
    }
    // Without a previous cycle there is no change section and the columns are empty.
    batch(
        &dir,
        &inv,
        "fresh",
        &["--summary", "fresh.csv", "--summary", "fresh.html"],
    );
    let html = std::fs::read_to_string(dir.join("fresh.html")).unwrap();
    assert!(!html.contains("id=\"changes\""));
    // The table on stderr ends with the Not_Reviewed split.
    let out = exstig(
        &dir,
        &[
            "evaluate",
            "--inventory-dir",
            inv.to_str().unwrap(),
            "--stig",
            "exchange-2019",
            "--out-dir",
            "table",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.starts_with("Not_Reviewed: "))
        .expect("split line");
    assert!(
        line.contains("needs a person") && line.contains("input not collected"),
        "{line}"
    );
    // A --previous folder that does not exist is a usage error.
    let out = exstig(
        &dir,
        &[
            "evaluate",
            "--inventory-dir",
            inv.to_str().unwrap(),
            "--stig",
            "exchange-2019",
            "--out-dir",
            "x",
            "--previous",
            "nowhere",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}

/// Evaluates `files` with the catalog STIG `stig` and the site text; the Not_Reviewed split.
fn waiting(files: &[&str], stig: &str, site: &str) -> (Waiting, usize) {
    let site = exstig::site::Site::parse(Path::new("site.toml"), site).unwrap();
    let benchmark = exstig::catalog::get(stig).unwrap();
    let paths: Vec<_> = files
        .iter()
        .map(|f| root().join("fixtures/inventory").join(f))
        .collect();
    let inventory = exstig::inventory::read_files(&paths).unwrap();
    let asset = exstig::evaluate::asset_from(&benchmark, &inventory, &site);
    let evaluation = exstig::evaluate::evaluate(&benchmark, &inventory, &site, asset);
    let stig = &evaluation.checklist.stigs[0];
    let not_reviewed = stig
        .vulns
        .iter()
        .filter(|v| v.status == Status::NotReviewed)
        .count();
    (Waiting::of(stig, &evaluation.results), not_reviewed)
}

#[test]
fn every_not_reviewed_rule_says_what_it_waits_for() {
    // Only the Receive connectors exported: the other exports are missing.
    let (split, nr) = waiting(
        &["MBX01-receive-connectors.csv"],
        "exchange-2019-mailbox",
        "",
    );
    assert_eq!(
        split.person.len() + split.site_value.len() + split.input.len(),
        nr
    );
    for id in ["EX19-MB-000129", "EX19-MB-000031"] {
        assert!(split.input.contains(&id.to_string()), "{id}: {split:?}");
    }
    // The message size rule needs the global size: the TransportConfig export or the site's
    // [values] max_receive_size, whichever the reader gives.
    let id = "EX19-MB-000124".to_string();
    assert!(
        split.input.contains(&id) || split.site_value.contains(&id),
        "{split:?}"
    );
    assert!(
        !split.person.is_empty(),
        "rules exstig does not evaluate wait for a person"
    );

    // The Edge inventory with the server's own exports (EDGE02) and the site file, plus answers
    // for the documentation rules: those rules leave the Not_Reviewed list, and every rule still
    // there says what it waits for.
    let site = std::fs::read_to_string(root().join("fixtures/site/EDGE01.site.toml")).unwrap();
    let (before, nr_before) = waiting(&["EDGE02.bundle.json"], "exchange-2019-edge", &site);
    assert!(
        before.person.contains(&"EX19-ED-000174".to_string()),
        "{before:?}"
    );
    // RBAC documented, baseline copy, queue monitoring, anti-spam configuration reviewed.
    let answered = [
        "EX19-ED-000174",
        "EX19-ED-000197",
        "EX19-ED-000040",
        "EX19-ED-000142",
    ];
    let mut with_answers = site.clone();
    for rule in answered {
        with_answers.push_str(&format!(
            "\n[[answer]]\nrule = \"{rule}\"\nstatus = \"not_a_finding\"\ncomment = \"Documented in the EDSP.\"\n"
        ));
    }
    let (after, nr_after) = waiting(&["EDGE02.bundle.json"], "exchange-2019-edge", &with_answers);
    assert_eq!(nr_after, nr_before - answered.len());
    assert_eq!(
        after.person.len() + after.site_value.len() + after.input.len(),
        nr_after
    );
    // Done when: with the documentation rules answered, nothing waits for a person; what is
    // left waits for a site value or an export, and says which.
    assert!(after.person.is_empty(), "{after:?}");
    assert!(!after.site_value.is_empty() || !after.input.is_empty());
    for rule in answered {
        let rule = rule.to_string();
        assert!(
            !after.person.contains(&rule)
                && !after.site_value.contains(&rule)
                && !after.input.contains(&rule)
        );
    }

    // A site value left out: the rule waits for the site file.
    let without_smart_hosts = site.replace("smart_hosts = [\"192.0.2.25\"]", "");
    let (split, _) = waiting(
        &["EDGE01.bundle.json"],
        "exchange-2019-edge",
        &without_smart_hosts,
    );
    assert_eq!(
        split.site_value,
        ["EX19-ED-000095".to_string()],
        "{split:?}"
    );
    assert_eq!(WaitingFor::SiteValue.label(), "needs a site value");
}
