//! End to end: `exstig evaluate` results merged into checklists a human has reviewed, through
//! the CLI, with the embedded catalog and the inventory fixtures.

mod common;

use exstig::checklist::{Checklist, Status};
use exstig::merge::{self, is_automatic};
use std::path::Path;

fn run(dir: &Path, args: &[&str]) {
    let out = common::exstig(dir, args);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "exstig {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read(path: &Path) -> Checklist {
    merge::read_checklist(path).unwrap()
}

#[test]
fn evaluation_results_merge_into_a_reviewed_checklist() {
    let dir = common::temp_dir("merge-evaluate");
    let inventory = common::root().join("fixtures/inventory");
    let bundle = inventory.join("EDGE01.bundle.json");
    let receive_only = inventory.join("EDGE01-receive-connectors.json");
    run(
        &dir,
        &[
            "checklist",
            "--stig",
            "exchange-2019-edge",
            "--ckl",
            "empty.ckl",
            "--host-name",
            "EDGE01",
        ],
    );
    run(
        &dir,
        &[
            "evaluate",
            "--stig",
            "exchange-2019-edge",
            "--ckl",
            "run1.ckl",
            bundle.to_str().unwrap(),
        ],
    );
    run(
        &dir,
        &["merge", "empty.ckl", "run1.ckl", "-o", "merged.ckl"],
    );
    let run1 = read(&dir.join("run1.ckl"));
    let merged = read(&dir.join("merged.ckl"));
    for (a, b) in run1.stigs[0].vulns.iter().zip(&merged.stigs[0].vulns) {
        assert_eq!(a.status, b.status, "{}", a.rule_id());
        assert_eq!(a.comments, b.comments, "{}", a.rule_id());
    }
    common::assert_ckl_valid(&dir.join("merged.ckl"));

    // A reviewer accepts one NotAFinding with a comment and overrides a severity elsewhere.
    let mut reviewed = merged.clone();
    let accepted = reviewed.stigs[0]
        .vulns
        .iter()
        .position(|v| v.status == Status::NotAFinding)
        .expect("a NotAFinding rule");
    reviewed.stigs[0].vulns[accepted].comments = "ISSO: verified on the console.".into();
    let untouched = reviewed.stigs[0]
        .vulns
        .iter()
        .position(|v| !is_automatic(&v.finding_details))
        .expect("a rule exstig does not evaluate");
    reviewed.stigs[0].vulns[untouched].status = Status::NotApplicable;
    reviewed.stigs[0].vulns[untouched].comments = "Handled by the mail gateway.".into();
    reviewed.stigs[0].vulns[untouched].severity_override = "low".into();
    reviewed.stigs[0].vulns[untouched].severity_justification = "Compensating control.".into();
    let reviewed_path = dir.join("reviewed.ckl");
    merge::write_checklist(&reviewed_path, &reviewed).unwrap();

    // Next quarter only the receive connectors were exported.
    run(
        &dir,
        &[
            "evaluate",
            "--stig",
            "exchange-2019-edge",
            "--ckl",
            "run2.ckl",
            receive_only.to_str().unwrap(),
        ],
    );
    let run2 = read(&dir.join("run2.ckl"));
    let evaluated = run2.clone();
    let (result, report) =
        merge::merge_file(&reviewed_path, &evaluated, &merge::MergePolicy::default()).unwrap();
    let before = &reviewed.stigs[0].vulns;
    let after = &result.stigs[0].vulns;
    assert_eq!(
        after[accepted], before[accepted],
        "the human review is kept"
    );
    assert_eq!(
        after[untouched], before[untouched],
        "unevaluated rules stay"
    );
    assert_eq!(result.asset, reviewed.asset);
    for (i, (b, a)) in before.iter().zip(after).enumerate() {
        let incoming = &run2.stigs[0].vulns[i];
        if incoming.status == Status::NotReviewed && !is_automatic(&incoming.finding_details) {
            assert_eq!(a, b, "{} was not evaluated", b.rule_id());
        }
        assert_eq!(a.stig_data, b.stig_data);
    }
    // Evaluate's own earlier comments are recognized: no conflict but the kept review.
    assert!(report.conflicts() <= 1, "{}", report.to_text());
    merge::write_in_place(&reviewed_path, &result).unwrap();
    common::assert_ckl_valid(&reviewed_path);
    if let Some(parsed) = common::stig_manager_parse("ckl", &reviewed_path) {
        assert!(parsed.to_string().contains("EDGE01"));
    }
    // Once more: nothing changes.
    let (again, report) =
        merge::merge_file(&reviewed_path, &evaluated, &merge::MergePolicy::default()).unwrap();
    assert_eq!(again, read(&reviewed_path));
    assert_eq!(report.updated(), 0, "{}", report.to_text());
}
