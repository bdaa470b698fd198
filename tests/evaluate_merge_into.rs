//! `exstig evaluate --merge-into`: automatic results brought into a checklist people keep.

mod common;

use std::path::Path;

const INVENTORY: &str = "fixtures/inventory/EDGE01.bundle.json";
const SITE: &str = "fixtures/site/EDGE01.site.toml";

fn evaluate(extra: &[&str]) -> std::process::Output {
    let root = common::root();
    let mut args = vec![
        "evaluate",
        INVENTORY,
        "--stig",
        "exchange-2019-edge",
        "--site",
        SITE,
    ];
    args.extend_from_slice(extra);
    common::exstig(&root, &args)
}

/// Replaces the review of the rule with `stig_id` by a human's NotAFinding with a comment and
/// a severity override.
fn human_review(ckl: &Path, stig_id: &str) {
    let text = std::fs::read_to_string(ckl).unwrap();
    let at = text
        .find(&format!(">{stig_id}<"))
        .expect("rule in checklist");
    let start = at + text[at..].find("<STATUS>").unwrap();
    let end_tag = "</SEVERITY_JUSTIFICATION>";
    let end = at + text[at..].find(end_tag).unwrap() + end_tag.len();
    let review = "<STATUS>NotAFinding</STATUS>\n\t\t\t\t<FINDING_DETAILS>Checked by hand on the console.</FINDING_DETAILS>\n\t\t\t\t<COMMENTS>EDSP section 4.2 documents 10 minutes &amp; the ISSM accepted it.</COMMENTS>\n\t\t\t\t<SEVERITY_OVERRIDE>low</SEVERITY_OVERRIDE>\n\t\t\t\t<SEVERITY_JUSTIFICATION>Risk accepted by the AO.</SEVERITY_JUSTIFICATION>";
    std::fs::write(ckl, format!("{}{review}{}", &text[..start], &text[end..])).unwrap();
}

fn review_of<'a>(text: &'a str, stig_id: &str) -> &'a str {
    let at = text
        .find(&format!(">{stig_id}<"))
        .expect("rule in checklist");
    let end = at + text[at..].find("</VULN>").unwrap();
    &text[at..end]
}

#[test]
fn merge_into_in_place_keeps_human_review_backup_and_is_idempotent() {
    let dir = common::temp_dir("merge-into");
    let ckl = dir.join("EDGE01.ckl");
    let out = evaluate(&["--ckl", ckl.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // EX19-ED-000159 (receive connection timeout) is Open automatically in this inventory.
    assert!(
        review_of(&std::fs::read_to_string(&ckl).unwrap(), "EX19-ED-000159")
            .contains("<STATUS>Open</STATUS>")
    );
    human_review(&ckl, "EX19-ED-000159");
    let original = std::fs::read(&ckl).unwrap();

    let report = dir.join("report.json");
    let args = [
        "--merge-into",
        ckl.to_str().unwrap(),
        "--in-place",
        "--report",
        report.to_str().unwrap(),
    ];
    let out = evaluate(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("CONFLICT"));
    assert_eq!(
        std::fs::read(dir.join("EDGE01.ckl.bak")).unwrap(),
        original,
        "backup is the original"
    );

    let merged = std::fs::read_to_string(&ckl).unwrap();
    let rule = review_of(&merged, "EX19-ED-000159");
    assert!(rule.contains("<STATUS>NotAFinding</STATUS>"), "{rule}");
    assert!(rule.contains("EDSP section 4.2 documents 10 minutes &amp; the ISSM accepted it."));
    assert!(rule.contains("Checked by hand on the console."));
    assert!(rule.contains("<SEVERITY_OVERRIDE>low</SEVERITY_OVERRIDE>"));
    assert!(
        rule.contains("<SEVERITY_JUSTIFICATION>Risk accepted by the AO.</SEVERITY_JUSTIFICATION>")
    );

    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let conflict = json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["stig_id"] == "EX19-ED-000159")
        .expect("rule in report");
    assert_eq!(conflict["conflict"], true);
    assert_eq!(conflict["incoming"], "Open");
    assert_eq!(conflict["after"], "NotAFinding");

    // The same merge again changes nothing.
    let out = evaluate(&["--merge-into", ckl.to_str().unwrap(), "--in-place"]);
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(&ckl).unwrap(), merged);

    // --overwrite-manual lets the automatic Open replace the human status, keeping the words.
    let out2 = dir.join("overwritten.ckl");
    let out = evaluate(&[
        "--merge-into",
        ckl.to_str().unwrap(),
        "--overwrite-manual",
        "--ckl",
        out2.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let text = std::fs::read_to_string(&out2).unwrap();
    let rule = review_of(&text, "EX19-ED-000159");
    assert!(rule.contains("<STATUS>Open</STATUS>"), "{rule}");
    assert!(rule.contains("EDSP section 4.2 documents 10 minutes"));

    for file in [&ckl, &out2] {
        common::assert_ckl_valid(file);
        if let Some(parsed) = common::stig_manager_parse("ckl", file) {
            assert_eq!(parsed["target"]["name"], "EDGE01");
        }
    }
}

#[test]
fn merge_into_refuses_bad_combinations_and_writes_nothing() {
    let dir = common::temp_dir("merge-into-bad");
    let ckl = dir.join("EDGE01.ckl");
    assert!(evaluate(&["--ckl", ckl.to_str().unwrap()]).status.success());
    let before = std::fs::read(&ckl).unwrap();
    // The existing checklist as an output without --in-place.
    let out = evaluate(&[
        "--merge-into",
        ckl.to_str().unwrap(),
        "--ckl",
        ckl.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    // --in-place without --merge-into.
    let out = evaluate(&["--in-place", "--ckl", dir.join("x.ckl").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    // A broken existing checklist: error naming it, nothing written.
    let broken = dir.join("broken.ckl");
    std::fs::write(&broken, "<CHECKLIST><ASSET>").unwrap();
    let out = evaluate(&["--merge-into", broken.to_str().unwrap(), "--in-place"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.ckl"));
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "<CHECKLIST><ASSET>"
    );
    assert!(!dir.join("broken.ckl.bak").exists());
    assert!(!dir.join("x.ckl").exists());
    assert_eq!(std::fs::read(&ckl).unwrap(), before);
}
