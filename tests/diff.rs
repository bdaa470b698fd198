//! `exstig diff`: status changes, new and removed rules and edited reviews by CAT, across
//! releases and formats; always exit 0.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    common::root().join("fixtures/merge").join(name)
}

fn diff(dir: &Path, a: &Path, b: &Path, json: bool) -> String {
    let mut args = vec!["diff", a.to_str().unwrap(), b.to_str().unwrap()];
    if json {
        args.push("--json");
    }
    let out = common::exstig(dir, &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn rule<'a>(json: &'a Value, rule_id: &str) -> &'a Value {
    json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule_id"].as_str().unwrap().starts_with(rule_id))
        .unwrap_or_else(|| panic!("{rule_id} not in the diff: {json}"))
}

#[test]
fn next_release_shows_changes_new_rules_and_revisions_by_cat() {
    let dir = common::temp_dir("diff-release");
    let text = diff(
        &dir,
        &fixture("last-quarter.ckl"),
        &fixture("auto-v3r5.ckl"),
        false,
    );
    let cat1 = text.find("\nCAT I\n").expect("CAT I section");
    let cat2 = text.find("\nCAT II\n").expect("CAT II section");
    assert!(cat1 < cat2, "{text}");
    assert!(text.contains("V3R4 -> V3R5"), "{text}");
    let json: Value = serde_json::from_str(&diff(
        &dir,
        &fixture("last-quarter.ckl"),
        &fixture("auto-v3r5.ckl"),
        true,
    ))
    .unwrap();
    let new_rule = rule(&json, "SV-900007");
    assert_eq!(new_rule["change"], "added");
    assert_eq!(new_rule["cat"], "CAT I");
    assert_eq!(new_rule["after"], "NotAFinding");
    let revised = rule(&json, "SV-900013");
    assert_eq!(revised["old_rule_id"], "SV-900003r100003_rule");
    assert_eq!(revised["change"], "status_changed");
    assert_eq!(
        (revised["before"].as_str(), revised["after"].as_str()),
        (Some("Not_Reviewed"), Some("Open"))
    );
    // The human NotAFinding and the automatic Open differ: a status change, CAT I.
    let human = rule(&json, "SV-900001");
    assert_eq!(human["cat"], "CAT I");
    assert_eq!(human["change"], "status_changed");
    // The CAT comes from the newer checklist, which has no severity override here.
    assert_eq!(rule(&json, "SV-900005")["cat"], "CAT II");
    assert_eq!(json["before"]["open"], 2);
    assert_eq!(json["after"]["open"], 2);
}

#[test]
fn removed_rules_and_host_change_are_reported() {
    let dir = common::temp_dir("diff-removed");
    let json: Value = serde_json::from_str(&diff(
        &dir,
        &fixture("last-quarter.ckl"),
        &fixture("other-host.ckl"),
        true,
    ))
    .unwrap();
    let removed: Vec<&str> = json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["change"] == "removed")
        .map(|r| r["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(removed.len(), 4, "{json}");
    assert!(
        json["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("MAIL02"))
    );
}

#[test]
fn the_same_checklist_in_both_formats_has_no_differences() {
    let dir = common::temp_dir("diff-same");
    let text = diff(
        &dir,
        &fixture("last-quarter.ckl"),
        &fixture("last-quarter.cklb"),
        false,
    );
    assert!(text.contains("no differences in reviews"), "{text}");
}

#[test]
fn edited_comments_are_text_changes() {
    let dir = common::temp_dir("diff-text");
    let original = std::fs::read_to_string(fixture("last-quarter.ckl")).unwrap();
    let edited = original.replacen(
        "POA&amp;M item 12, due 2026-06-30.",
        "POA&amp;M item 12, due 2026-09-30.",
        1,
    );
    assert_ne!(edited, original);
    let path = dir.join("edited.ckl");
    std::fs::write(&path, edited).unwrap();
    let json: Value =
        serde_json::from_str(&diff(&dir, &fixture("last-quarter.ckl"), &path, true)).unwrap();
    let changed = rule(&json, "SV-900005");
    assert_eq!(changed["change"], "text_changed");
    assert_eq!(changed["fields"], serde_json::json!(["COMMENTS"]));
    // A medium rule with severity override high counts as CAT I.
    assert_eq!(changed["cat"], "CAT I");
    assert_eq!(json["rules"].as_array().unwrap().len(), 1);
}

#[test]
fn unreadable_input_is_exit_2() {
    let dir = common::temp_dir("diff-bad");
    let out = common::exstig(
        &dir,
        &[
            "diff",
            fixture("last-quarter.ckl").to_str().unwrap(),
            dir.join("missing.ckl").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.ckl"));
}
