//! `exstig merge` and the merge API on real files: a re-review from the next release merged
//! into last quarter's reviewed checklist, several STIGs combined, the host check, in-place
//! writes with a backup, and crash safety.

mod common;

use exstig::checklist::{Checklist, Status, Vuln};
use exstig::merge::{self, MergePolicy};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    common::root().join("fixtures/merge").join(name)
}

fn vuln<'a>(c: &'a Checklist, rule_base: &str) -> &'a Vuln {
    c.stigs
        .iter()
        .flat_map(|s| &s.vulns)
        .find(|v| v.rule_id().starts_with(rule_base))
        .unwrap_or_else(|| panic!("{rule_base} not in the checklist"))
}

fn run_ok(dir: &Path, args: &[&str]) -> String {
    let out = common::exstig(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "exstig {args:?} failed:\n{stderr}");
    stderr
}

#[test]
fn re_review_from_next_release_keeps_every_human_word() {
    let dir = common::temp_dir("merge-rereview");
    let old = fixture("last-quarter.ckl");
    let new = fixture("auto-v3r5.ckl");
    let out = dir.join("merged.ckl");
    let report = dir.join("report.json");
    let stderr = run_ok(
        &dir,
        &[
            "merge",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert!(stderr.contains("CONFLICT"), "{stderr}");
    assert!(
        stderr.contains("V3R4") && stderr.contains("V3R5"),
        "{stderr}"
    );

    let before = merge::read_checklist(&old).unwrap();
    let after = merge::read_checklist(&out).unwrap();
    // ASSET (incl. HOST_GUID and the file's layout) and header comments are untouched.
    assert_eq!(after.asset, before.asset);
    assert_eq!(after.asset_layout, before.asset_layout);
    assert_eq!(after.header_comments, before.header_comments);
    // The human NotAFinding with a comment is kept word for word (conflict reported).
    assert_eq!(vuln(&after, "SV-900001"), vuln(&before, "SV-900001"));
    // Not evaluated: untouched, override and justification included.
    assert_eq!(vuln(&after, "SV-900004"), vuln(&before, "SV-900004"));
    // Revised rule matched by Rule ID without revision; exstig's old comment refreshed.
    let v2 = vuln(&after, "SV-900002");
    assert_eq!(v2.rule_id(), "SV-900002r100002_rule");
    assert_eq!(v2.status, Status::NotAFinding);
    assert!(
        v2.finding_details
            .contains("matched by Rule ID without revision")
    );
    // New Rule ID, same STIG ID, other release: matched by STIG ID and said so.
    let v3 = vuln(&after, "SV-900003");
    assert_eq!(v3.status, Status::Open);
    assert!(
        v3.finding_details
            .contains("matched by STIG ID EXMR-00-000030")
    );
    // A human Open without a protecting comment takes the automatic result; human texts stay.
    let v5_before = vuln(&before, "SV-900005");
    let v5 = vuln(&after, "SV-900005");
    assert_eq!(v5.status, Status::NotAFinding);
    assert!(v5.finding_details.starts_with(&v5_before.finding_details));
    assert_eq!(v5.comments, v5_before.comments);
    assert_eq!(v5.severity_override, "high");
    assert_eq!(v5.severity_justification, v5_before.severity_justification);
    // XML comments inside VULNs survive.
    for (b, a) in before.stigs[0].vulns.iter().zip(&after.stigs[0].vulns) {
        assert_eq!(a.xml_comments, b.xml_comments);
        assert_eq!(a.stig_data, b.stig_data);
    }

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let rules = json["rules"].as_array().unwrap();
    let entry = |id: &str| {
        rules
            .iter()
            .find(|r| r["rule_id"].as_str().unwrap().starts_with(id))
            .unwrap()
    };
    assert_eq!(entry("SV-900001")["conflict"], true);
    assert_eq!(entry("SV-900001")["action"], "kept");
    assert_eq!(entry("SV-900001")["incoming"], "Open");
    assert_eq!(entry("SV-900003")["matched_by"], "stig_id");
    assert_eq!(entry("SV-900007")["action"], "unmatched");
    assert!(
        entry("SV-900002")["replaced_comments"]
            .as_str()
            .unwrap()
            .starts_with("Open: 1 of 1")
    );

    common::assert_ckl_valid(&out);
    if let Some(parsed) = common::stig_manager_parse("ckl", &out) {
        assert!(parsed.to_string().contains("SV-900002r100002_rule"));
    }

    // Merging the same results again changes nothing.
    let again = dir.join("again.ckl");
    run_ok(
        &dir,
        &[
            "merge",
            out.to_str().unwrap(),
            new.to_str().unwrap(),
            "-o",
            again.to_str().unwrap(),
        ],
    );
    assert_eq!(
        std::fs::read_to_string(&again).unwrap(),
        std::fs::read_to_string(&out).unwrap()
    );
}

#[test]
fn overwrite_manual_and_open_wins_change_the_outcome() {
    let dir = common::temp_dir("merge-policies");
    let old = fixture("last-quarter.ckl");
    let new = fixture("auto-v3r5.ckl");
    let run = |name: &str, extra: &[&str]| {
        let out = dir.join(name);
        let mut args = vec![
            "merge",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        run_ok(&dir, &args);
        merge::read_checklist(&out).unwrap()
    };
    let overwritten = run("overwrite.ckl", &["--overwrite-manual"]);
    let v1 = vuln(&overwritten, "SV-900001");
    assert_eq!(v1.status, Status::Open);
    assert!(
        v1.comments
            .starts_with("Accepted by the ISSO on 2026-01-20 (ticket 4411).")
    );
    let open_wins = run("open-wins.ckl", &["--policy", "open-wins"]);
    assert_eq!(vuln(&open_wins, "SV-900005").status, Status::Open);
    assert_eq!(vuln(&open_wins, "SV-900001").status, Status::Open);
    let manual = run("manual.ckl", &["--policy", "manual-wins"]);
    assert_eq!(vuln(&manual, "SV-900005").status, Status::Open);
    assert_eq!(vuln(&manual, "SV-900002").status, Status::NotAFinding);
}

#[test]
fn several_stigs_combine_into_one_multi_stig_checklist() {
    let dir = common::temp_dir("merge-multi");
    for out_name in ["combined.ckl", "combined.cklb"] {
        let out = dir.join(out_name);
        let stderr = run_ok(
            &dir,
            &[
                "merge",
                fixture("last-quarter.ckl").to_str().unwrap(),
                fixture("gateway.cklb").to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ],
        );
        assert!(stderr.contains("Example_Gateway_STIG"), "{stderr}");
        let combined = merge::read_checklist(&out).unwrap();
        assert_eq!(combined.stigs.len(), 2);
        let gateway = merge::read_checklist(&fixture("gateway.cklb")).unwrap();
        for (a, b) in combined.stigs[1].vulns.iter().zip(&gateway.stigs[0].vulns) {
            assert_eq!(
                (a.status, &a.finding_details, &a.comments),
                (b.status, &b.finding_details, &b.comments)
            );
        }
        if out_name.ends_with(".ckl") {
            common::assert_ckl_valid(&out);
            if let Some(parsed) = common::stig_manager_parse("ckl", &out) {
                let text = parsed.to_string();
                assert!(text.contains("Example_Gateway_STIG") && text.contains("SV-910001"));
            }
        } else {
            let report = exstig::validate::validate_file(&out).unwrap();
            assert!(report.problems.is_empty(), "{:?}", report.lines());
            if let Some(parsed) = common::stig_manager_parse("cklb", &out) {
                assert!(parsed.to_string().contains("SV-910002r200002_rule"));
            }
        }
    }
}

#[test]
fn another_host_is_refused_unless_forced() {
    let dir = common::temp_dir("merge-host");
    let out = dir.join("out.ckl");
    let (a, b) = (fixture("last-quarter.ckl"), fixture("other-host.ckl"));
    let args = [
        "merge",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    let refused = common::exstig(&dir, &args);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("MAIL02") && stderr.contains("--force"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing may be written on error");
    let mut forced = args.to_vec();
    forced.push("--force");
    run_ok(&dir, &forced);
    assert!(out.exists());
}

#[test]
fn broken_input_writes_nothing() {
    let dir = common::temp_dir("merge-broken");
    let broken = dir.join("broken.ckl");
    std::fs::write(&broken, "<CHECKLIST><ASSET>").unwrap();
    let out = dir.join("out.ckl");
    let result = common::exstig(
        &dir,
        &[
            "merge",
            fixture("last-quarter.ckl").to_str().unwrap(),
            broken.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(result.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&result.stderr).contains("broken.ckl"));
    assert!(!out.exists());
}

#[test]
fn merge_file_and_in_place_write_keep_a_backup() {
    let dir = common::temp_dir("merge-in-place");
    let existing = dir.join("MAIL01.ckl");
    std::fs::copy(fixture("last-quarter.ckl"), &existing).unwrap();
    let original = std::fs::read(&existing).unwrap();
    let evaluated = merge::read_checklist(&fixture("auto-v3r5.ckl")).unwrap();
    let (merged, report) =
        merge::merge_file(&existing, &evaluated, &MergePolicy::default()).unwrap();
    assert_eq!(report.conflicts(), 2);
    let backup = merge::write_in_place(&existing, &merged).unwrap();
    assert_eq!(backup, dir.join("MAIL01.ckl.bak"));
    assert_eq!(std::fs::read(&backup).unwrap(), original);
    assert_eq!(merge::backup_path(&existing), dir.join("MAIL01.ckl.1.bak"));
    let written = merge::read_checklist(&existing).unwrap();
    assert_eq!(vuln(&written, "SV-900003").status, Status::Open);
    common::assert_ckl_valid(&existing);
}

#[test]
fn a_failed_write_leaves_the_original_untouched() {
    let dir = common::temp_dir("merge-crash");
    let existing = dir.join("MAIL01.ckl");
    std::fs::copy(fixture("last-quarter.ckl"), &existing).unwrap();
    let original = std::fs::read(&existing).unwrap();
    let evaluated = merge::read_checklist(&fixture("auto-v3r5.ckl")).unwrap();
    let (merged, _) = merge::merge_file(&existing, &evaluated, &MergePolicy::default()).unwrap();

    // The backup path is taken (by a directory): the backup goes to the next free name and
    // nothing already there is overwritten.
    let taken = merge::backup_path(&existing);
    std::fs::create_dir(&taken).unwrap();
    let backup = merge::write_in_place(&existing, &merged).unwrap();
    assert_eq!(backup, dir.join("MAIL01.ckl.1.bak"));
    assert!(taken.is_dir());
    assert_eq!(std::fs::read(&backup).unwrap(), original);
    std::fs::write(&existing, &original).unwrap();

    // The output path is a directory: the error names it, the original is untouched.
    let target = dir.join("out.ckl");
    std::fs::create_dir(&target).unwrap();
    let err = merge::write_checklist(&target, &merged).unwrap_err();
    assert!(err.to_string().contains("out.ckl"), "{err}");
    let cli = common::exstig(
        &dir,
        &[
            "merge",
            existing.to_str().unwrap(),
            fixture("auto-v3r5.ckl").to_str().unwrap(),
            "-o",
            target.to_str().unwrap(),
        ],
    );
    assert_eq!(cli.status.code(), Some(2));
    assert!(target.is_dir());
    assert_eq!(std::fs::read(&existing).unwrap(), original);

    // The output folder does not exist: same.
    let missing = dir.join("no-such-folder/out.ckl");
    assert!(merge::write_checklist(&missing, &merged).is_err());
    assert_eq!(std::fs::read(&existing).unwrap(), original);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn output_extension_must_name_a_checklist_format() {
    let dir = common::temp_dir("merge-ext");
    let out = common::exstig(
        &dir,
        &[
            "merge",
            fixture("last-quarter.ckl").to_str().unwrap(),
            fixture("auto-v3r5.ckl").to_str().unwrap(),
            "-o",
            dir.join("out.xml").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".ckl or .cklb"));
}

#[test]
fn merging_into_an_input_keeps_a_backup() {
    let dir = common::temp_dir("merge-into-input");
    let target = dir.join("MAIL01.ckl");
    std::fs::copy(fixture("last-quarter.ckl"), &target).unwrap();
    let original = std::fs::read(&target).unwrap();
    run_ok(
        &dir,
        &[
            "merge",
            "MAIL01.ckl",
            fixture("auto-v3r5.ckl").to_str().unwrap(),
            "-o",
            "MAIL01.ckl",
        ],
    );
    assert_eq!(std::fs::read(dir.join("MAIL01.ckl.bak")).unwrap(), original);
    assert_ne!(std::fs::read(&target).unwrap(), original);
}

#[test]
fn a_read_only_folder_leaves_the_original_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let dir = common::temp_dir("merge-read-only");
    let folder = dir.join("locked");
    std::fs::create_dir(&folder).unwrap();
    let existing = folder.join("MAIL01.ckl");
    std::fs::copy(fixture("last-quarter.ckl"), &existing).unwrap();
    let original = std::fs::read(&existing).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    let probe = folder.join("probe");
    if std::fs::write(&probe, b"x").is_ok() {
        // Root ignores permissions; the directory-path cases above cover this user.
        let _ = std::fs::remove_file(&probe);
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
        common::skip("read-only folder test: running with permissions that ignore modes");
        return;
    }
    let evaluated = merge::read_checklist(&fixture("auto-v3r5.ckl")).unwrap();
    let (merged, _) = merge::merge_file(&existing, &evaluated, &MergePolicy::default()).unwrap();
    let result = merge::write_in_place(&existing, &merged);
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(result.is_err());
    assert_eq!(std::fs::read(&existing).unwrap(), original);
    assert!(!merge::backup_path(&existing).exists());
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn keys(value: &serde_json::Value) -> Vec<&str> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn merging_into_a_cklb_changes_only_the_reviews_it_merges() {
    // Last quarter's CKLB with keys a STIG Viewer 3 or Evaluate-STIG file may hold and the
    // checklist model has no place for.
    let dir = common::temp_dir("merge-cklb-keeps");
    let mut original = json(&fixture("last-quarter.cklb"));
    original["evaluate-stig"] = serde_json::json!({ "version": "1.2507.0" });
    original["target_data"]["x_site"] = serde_json::json!("HQ");
    original["stigs"][0]["x_note"] = serde_json::json!(["kept"]);
    original["stigs"][0]["rules"][0]["createdAt"] = serde_json::json!("2025-10-01T08:00:00Z");
    let path = dir.join("MAIL01.cklb");
    std::fs::write(&path, serde_json::to_string(&original).unwrap()).unwrap();
    let auto = fixture("auto-v3r5.ckl");
    run_ok(
        &dir,
        &[
            "merge",
            "MAIL01.cklb",
            auto.to_str().unwrap(),
            "-o",
            "MAIL01.cklb",
        ],
    );

    // Expected: the original document with each rule's review taken from the merged model,
    // and nothing else changed: ids, UUIDs, unknown keys, key order.
    let merged = json(&path);
    let model = merge::read_checklist(&path).unwrap();
    let mut expected = original.clone();
    let rules = expected["stigs"][0]["rules"].as_array_mut().unwrap();
    for (rule, vuln) in rules.iter_mut().zip(&model.stigs[0].vulns) {
        rule["status"] = vuln.status.cklb().into();
        rule["finding_details"] = vuln.finding_details.as_str().into();
        rule["comments"] = vuln.comments.as_str().into();
    }
    assert!(merged == expected, "{merged:#}");
    assert_ne!(merged, original, "the merge changed no review");
    assert_eq!(keys(&merged), keys(&original));
    assert_eq!(
        keys(&merged["stigs"][0]["rules"][0]),
        keys(&original["stigs"][0]["rules"][0])
    );
    // The result is still a checklist STIG Manager reads.
    if let Some(parsed) = common::stig_manager_parse("cklb", &path) {
        assert!(parsed.to_string().contains("SV-900003"), "{parsed}");
    }
}

#[test]
fn every_sample_cklb_is_written_back_unchanged() {
    let Some(shared) = common::shared("every_sample_cklb_is_written_back_unchanged") else {
        return;
    };
    let mut files = vec![fixture("last-quarter.cklb"), fixture("gateway.cklb")];
    for dir in ["samples", "samples/stig-manager-test-files/ckl"] {
        for entry in std::fs::read_dir(shared.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "cklb") {
                files.push(path);
            }
        }
    }
    let mut compared = 0;
    for path in files {
        let Ok(checklist) = merge::read_checklist(&path) else {
            continue; // the samples that must be refused (tests/cklb.rs)
        };
        let text = exstig::checklist::cklb::write(&checklist).unwrap();
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        let original: serde_json::Value = serde_json::from_str(
            exstig::fsio::read_text(&path)
                .unwrap()
                .trim_start_matches('\u{feff}'),
        )
        .unwrap();
        assert!(
            back == original,
            "{} changed when written back",
            path.display()
        );
        assert_eq!(keys(&back), keys(&original), "{}", path.display());
        compared += 1;
    }
    assert!(compared >= 4, "only {compared} CKLBs compared");
}
