//! `exstig upgrade` and batch `--merge-dir --upgrade` against DISA's real releases in
//! ../shared/benchmarks (skipped when absent): a review moves to the new release only when the
//! STIG ID and the check text are unchanged; both directions of that rule are shown on the
//! 2016 Edge V2R5 -> V2R6 and 2019 Edge V2R1 -> V2R2 releases.

mod common;

use common::{exstig, shared, temp_dir};
use exstig::benchmark::{self, Benchmark};
use exstig::checklist::{Checklist, ChecklistStig, Status, ckl, cklb};
use exstig::upgrade::{KEPT_BEGIN, check_content_digest};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const PAIRS: [(&str, &str); 2] = [
    (
        "U_MS_Exchange_2016_Edge_Transport_Server_STIG_V2R5_Manual-xccdf.xml",
        "U_MS_Exchange_2016_Edge_Transport_Server_STIG_V2R6_Manual-xccdf.xml",
    ),
    (
        "U_MS_Exchange_2019_Edge_Server_STIG_V2R1_Manual-xccdf.xml",
        "U_MS_Exchange_2019_Edge_Server_STIG_V2R2_Manual-xccdf.xml",
    ),
];

fn benchmarks(test: &str) -> Option<PathBuf> {
    let dir = shared(test)?.join("benchmarks");
    if !dir.join(PAIRS[0].0).is_file() {
        eprintln!("skipping {test}: ../shared/benchmarks has no Exchange Edge releases");
        return None;
    }
    Some(dir)
}

/// A checklist of `old` where a person reviewed every rule (texts with XML-special characters,
/// CR LF, a severity override on every fifth rule).
fn reviewed(old: &Benchmark) -> Checklist {
    let mut stig = ChecklistStig::from_benchmark(old);
    let statuses = [Status::NotAFinding, Status::Open, Status::NotApplicable];
    for (i, vuln) in stig.vulns.iter_mut().enumerate() {
        vuln.status = statuses[i % 3];
        vuln.finding_details = format!(
            "Checked {} by hand <ok> & \"fine\"\r\nline 2",
            vuln.stig_id()
        );
        vuln.comments = format!("ISSO review of {}; EDSP §{i}", vuln.stig_id());
        if i % 5 == 0 {
            vuln.severity_override = "low".into();
            vuln.severity_justification = format!("mitigated by gateway ({i})");
        }
    }
    Checklist {
        asset: exstig::checklist::Asset {
            host_name: "EDGE01".into(),
            ..Default::default()
        },
        stigs: vec![stig],
        ..Checklist::default()
    }
}

fn read(path: &Path) -> Checklist {
    exstig::merge::read_checklist(path).expect("read checklist")
}

/// Checks the upgraded checklist rule by rule against the digest rule; returns (carried, changed).
fn assert_digest_rule(
    old: &Benchmark,
    new: &Benchmark,
    before: &Checklist,
    after: &Checklist,
) -> (usize, usize) {
    let old_rules: HashMap<&str, &benchmark::Rule> =
        old.rules.iter().map(|r| (r.stig_id.as_str(), r)).collect();
    let before_vulns: HashMap<&str, &exstig::checklist::Vuln> = before.stigs[0]
        .vulns
        .iter()
        .map(|v| (v.stig_id(), v))
        .collect();
    let stig = &after.stigs[0];
    assert_eq!(stig.vulns.len(), new.rules.len());
    let (mut carried, mut changed) = (0, 0);
    for (vuln, rule) in stig.vulns.iter().zip(&new.rules) {
        assert_eq!(vuln.rule_id(), rule.rule_id, "the new release's STIG data");
        let Some(old_rule) = old_rules.get(rule.stig_id.as_str()) else {
            assert_eq!(vuln.status, Status::NotReviewed);
            continue;
        };
        let was = before_vulns[rule.stig_id.as_str()];
        if check_content_digest(&old_rule.check_content)
            == check_content_digest(&rule.check_content)
        {
            carried += 1;
            assert_eq!(vuln.status, was.status, "{}", rule.stig_id);
            assert_eq!(
                vuln.finding_details, was.finding_details,
                "{}",
                rule.stig_id
            );
            assert_eq!(vuln.comments, was.comments, "{}", rule.stig_id);
            assert_eq!(vuln.severity_override, was.severity_override);
            assert_eq!(vuln.severity_justification, was.severity_justification);
        } else {
            changed += 1;
            assert_eq!(vuln.status, Status::NotReviewed, "{} changed", rule.stig_id);
            assert!(vuln.comments.starts_with(KEPT_BEGIN), "{}", vuln.comments);
            for text in [&was.comments, &was.finding_details] {
                assert!(
                    vuln.comments.contains(text.as_str()),
                    "{} keeps {text}",
                    rule.stig_id
                );
            }
        }
    }
    (carried, changed)
}

#[test]
fn real_releases_carry_unchanged_checks_and_flag_changed_ones() {
    let Some(dir) = benchmarks("upgrade real releases") else {
        return;
    };
    let tmp = temp_dir("upgrade-real");
    for (old_name, new_name) in PAIRS {
        let old = benchmark::load(&dir.join(old_name)).unwrap();
        let new_path = dir.join(new_name);
        let new = benchmark::load(&new_path).unwrap();
        let before = reviewed(&old);
        for (ext, text) in [
            ("ckl", ckl::write(&before)),
            ("cklb", cklb::write(&before).unwrap()),
        ] {
            let input = tmp.join(format!("old.{ext}"));
            std::fs::write(&input, text).unwrap();
            let output = tmp.join(format!("new.{ext}"));
            let report = tmp.join("report.json");
            let out = exstig(
                &tmp,
                &[
                    "upgrade",
                    input.to_str().unwrap(),
                    "--benchmark",
                    new_path.to_str().unwrap(),
                    "-o",
                    output.to_str().unwrap(),
                    "--report",
                    report.to_str().unwrap(),
                ],
            );
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let read_before = read(&input);
            let after = read(&output);
            let (carried, changed) = assert_digest_rule(&old, &new, &read_before, &after);
            assert!(carried > 60, "{new_name}: {carried} carried");
            assert!(changed >= 1, "{new_name}: no changed check found");
            let json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
            let flagged: Vec<&str> = json["rules"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["outcome"] == "check_changed")
                .map(|r| r["stig_id"].as_str().unwrap())
                .collect();
            assert_eq!(flagged.len(), changed, "{flagged:?}");
            assert_eq!(json["from"], old.revision());
            assert_eq!(json["to"], new.revision());
            assert_eq!(after.asset.host_name, "EDGE01");
            // Upgrading the result again changes nothing.
            let again = tmp.join(format!("again.{ext}"));
            let out = exstig(
                &tmp,
                &[
                    "upgrade",
                    output.to_str().unwrap(),
                    "--benchmark",
                    new_path.to_str().unwrap(),
                    "-o",
                    again.to_str().unwrap(),
                ],
            );
            assert!(out.status.success());
            assert_eq!(read(&again), after);
        }
    }
}

#[test]
fn the_digest_rule_holds_in_both_directions_through_the_library() {
    let Some(dir) = benchmarks("upgrade digest rule") else {
        return;
    };
    for (old_name, new_name) in PAIRS {
        let old = benchmark::load(&dir.join(old_name)).unwrap();
        let new = benchmark::load(&dir.join(new_name)).unwrap();
        let before = reviewed(&old);
        let (after, report) = exstig::upgrade::upgrade(&before, &new).unwrap();
        let (carried, changed) = assert_digest_rule(&old, &new, &before, &after);
        assert_eq!(report.count(exstig::upgrade::Outcome::Carried), carried);
        assert_eq!(
            report.count(exstig::upgrade::Outcome::CheckChanged),
            changed
        );
        // And backwards (a newer checklist taken to the older release) the same rule holds.
        let newer = reviewed(&new);
        let (back, _) = exstig::upgrade::upgrade(&newer, &old).unwrap();
        assert_digest_rule(&new, &old, &newer, &back);
    }
}

#[test]
fn upgrade_keeps_other_stigs_and_refuses_a_checklist_without_the_stig() {
    let Some(dir) = benchmarks("upgrade other STIGs") else {
        return;
    };
    let old = benchmark::load(&dir.join(PAIRS[0].0)).unwrap();
    let other = benchmark::load(&dir.join(PAIRS[1].0)).unwrap();
    let new = benchmark::load(&dir.join(PAIRS[0].1)).unwrap();
    let mut before = reviewed(&old);
    before.stigs.push(reviewed(&other).stigs.remove(0));
    let (after, _) = exstig::upgrade::upgrade(&before, &new).unwrap();
    assert_eq!(after.stigs[1], before.stigs[1]);
    assert_eq!(after.asset, before.asset);
    let tmp = temp_dir("upgrade-refuse");
    let input = tmp.join("only-2019.ckl");
    std::fs::write(&input, ckl::write(&reviewed(&other))).unwrap();
    let output = tmp.join("out.ckl");
    let out = exstig(
        &tmp,
        &[
            "upgrade",
            input.to_str().unwrap(),
            "--benchmark",
            dir.join(PAIRS[0].1).to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no STIG"));
    assert!(!output.exists());
}

/// `evaluate --merge-dir PREV --upgrade` in one run writes the file that `exstig upgrade` then
/// `evaluate --merge-dir` writes.
#[test]
fn batch_upgrade_equals_upgrade_then_evaluate() {
    let Some(dir) = benchmarks("batch --upgrade") else {
        return;
    };
    let (old_path, new_path) = (dir.join(PAIRS[1].0), dir.join(PAIRS[1].1));
    let tmp = temp_dir("upgrade-batch");
    let inventory = tmp.join("inventory");
    std::fs::create_dir_all(&inventory).unwrap();
    std::fs::copy(
        common::root().join("fixtures/inventory/EDGE01.bundle.json"),
        inventory.join("EDGE01.bundle.json"),
    )
    .unwrap();
    let batch = |benchmark: &Path, out: &Path, extra: &[&str]| {
        let mut args = vec![
            "evaluate",
            "--inventory-dir",
            inventory.to_str().unwrap(),
            "--benchmark",
            benchmark.to_str().unwrap(),
            "--out-dir",
            out.to_str().unwrap(),
            "--quiet",
        ];
        args.extend_from_slice(extra);
        let out = exstig(&tmp, &args);
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let prev = tmp.join("prev");
    batch(&old_path, &prev, &[]);
    let old_file = std::fs::read_dir(&prev)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    // A person reviews a rule the tool leaves to people.
    let mut reviewed = read(&old_file);
    for vuln in &mut reviewed.stigs[0].vulns {
        if vuln.status == Status::NotReviewed {
            vuln.status = Status::NotAFinding;
            vuln.comments = "Reviewed by the ISSO: documented in the EDSP.".into();
        }
    }
    std::fs::write(&old_file, ckl::write(&reviewed)).unwrap();

    let one_run = tmp.join("one-run");
    batch(
        &new_path,
        &one_run,
        &["--merge-dir", prev.to_str().unwrap(), "--upgrade"],
    );

    let upgraded_dir = tmp.join("upgraded");
    std::fs::create_dir_all(&upgraded_dir).unwrap();
    let new_name = old_file
        .file_name()
        .unwrap()
        .to_string_lossy()
        .replace("V2R1", "V2R2");
    let out = exstig(
        &tmp,
        &[
            "upgrade",
            old_file.to_str().unwrap(),
            "--benchmark",
            new_path.to_str().unwrap(),
            "-o",
            upgraded_dir.join(&new_name).to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let two_steps = tmp.join("two-steps");
    batch(
        &new_path,
        &two_steps,
        &["--merge-dir", upgraded_dir.to_str().unwrap()],
    );

    let a = std::fs::read(one_run.join(&new_name)).expect("one run wrote the new release");
    let b = std::fs::read(two_steps.join(&new_name)).unwrap();
    assert!(a == b, "one run and two steps differ");
    let text = String::from_utf8(a).unwrap();
    assert!(
        text.contains("Reviewed by the ISSO"),
        "the human review was carried"
    );

    // A previous checklist of a newer release is never taken back to an older one.
    let out = exstig(
        &tmp,
        &[
            "evaluate",
            "--inventory-dir",
            inventory.to_str().unwrap(),
            "--benchmark",
            old_path.to_str().unwrap(),
            "--out-dir",
            tmp.join("back").to_str().unwrap(),
            "--merge-dir",
            one_run.to_str().unwrap(),
            "--upgrade",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("newer than the benchmark's V2R1; not upgraded"),
        "{stderr}"
    );
    assert!(
        tmp.join("back").join(&new_name).is_file(),
        "kept its release"
    );
}

/// A checklist made without check text (from the catalog) cannot show an unchanged check: every
/// review is kept under the marker, unless `--from-benchmark` gives the old release's text. The
/// catalog as the new release (digests only) decides as DISA's file does.
#[test]
fn checklists_without_check_text_and_the_catalog_follow_the_same_rule() {
    let Some(dir) = benchmarks("upgrade without check text") else {
        return;
    };
    let (old_path, new_path) = (dir.join(PAIRS[1].0), dir.join(PAIRS[1].1));
    let old = benchmark::load(&old_path).unwrap();
    let new = benchmark::load(&new_path).unwrap();
    let tmp = temp_dir("upgrade-no-text");
    let mut bare = reviewed(&old);
    for vuln in &mut bare.stigs[0].vulns {
        for (name, value) in &mut vuln.stig_data {
            if name == "Check_Content" {
                value.clear();
            }
        }
    }
    let input = tmp.join("bare.ckl");
    std::fs::write(&input, ckl::write(&bare)).unwrap();
    let run = |extra: &[&str], output: &Path| {
        let mut args = vec![
            "upgrade",
            input.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let out = exstig(&tmp, &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        read(output)
    };
    let blind = run(
        &["--benchmark", new_path.to_str().unwrap()],
        &tmp.join("blind.ckl"),
    );
    assert!(
        blind.stigs[0]
            .vulns
            .iter()
            .all(|v| v.status == Status::NotReviewed && v.comments.starts_with(KEPT_BEGIN))
    );
    let told = run(
        &[
            "--benchmark",
            new_path.to_str().unwrap(),
            "--from-benchmark",
            old_path.to_str().unwrap(),
        ],
        &tmp.join("told.ckl"),
    );
    let (carried, changed) = assert_digest_rule(&old, &new, &read(&input), &told);
    assert_eq!((carried, changed), (67, 1));

    // The catalog's copy of the new release (no text, only digests) against a checklist with text.
    let with_text = tmp.join("with-text.ckl");
    std::fs::write(&with_text, ckl::write(&reviewed(&old))).unwrap();
    let from_catalog = tmp.join("catalog.ckl");
    let out = exstig(
        &tmp,
        &[
            "upgrade",
            with_text.to_str().unwrap(),
            "--stig",
            "exchange-2019-edge",
            "-o",
            from_catalog.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let catalog = exstig::catalog::get("exchange-2019-edge").unwrap();
    if catalog.revision() == new.revision() {
        let statuses = |c: &Checklist| {
            c.stigs[0]
                .vulns
                .iter()
                .map(|v| v.status)
                .collect::<Vec<_>>()
        };
        let from_file = exstig::upgrade::upgrade(&reviewed(&old), &new).unwrap().0;
        assert_eq!(statuses(&read(&from_catalog)), statuses(&from_file));
    }
}

#[test]
fn upgrade_in_place_keeps_a_backup_and_bad_input_changes_nothing() {
    let Some(dir) = benchmarks("upgrade in place") else {
        return;
    };
    let tmp = temp_dir("upgrade-in-place");
    let old = benchmark::load(&dir.join(PAIRS[0].0)).unwrap();
    let file = tmp.join("EDGE01.cklb");
    let original = cklb::write(&reviewed(&old)).unwrap();
    std::fs::write(&file, &original).unwrap();
    let new_path = dir.join(PAIRS[0].1);
    let report = tmp.join("report.txt");
    let out = exstig(
        &tmp,
        &[
            "upgrade",
            file.to_str().unwrap(),
            "--benchmark",
            new_path.to_str().unwrap(),
            "-o",
            file.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(tmp.join("EDGE01.cklb.bak")).unwrap(),
        original
    );
    assert!(
        read(&file).stigs[0]
            .info("releaseinfo")
            .starts_with("Release: 6")
    );
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        text.contains("EX16-ED-000430") && text.contains("| ISSO review of EX16-ED-000430"),
        "{text}"
    );

    let broken = tmp.join("broken.ckl");
    std::fs::write(&broken, "<CHECKLIST><ASSET>").unwrap();
    let target = tmp.join("target.ckl");
    let out = exstig(
        &tmp,
        &[
            "upgrade",
            broken.to_str().unwrap(),
            "--benchmark",
            new_path.to_str().unwrap(),
            "-o",
            target.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.ckl"));
    assert!(!target.exists());
}
