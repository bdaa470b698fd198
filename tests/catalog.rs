//! The embedded catalog: regenerating it from ../shared gives the committed files, it carries
//! the facts of its DISA sources and none of their prose, and `exstig catalog` lists it.

mod common;

use exstig::benchmark;
use exstig::catalog;
use std::path::Path;

const NAMES: [&str; 6] = [
    "exchange-2013-edge",
    "exchange-2013-mailbox",
    "exchange-2016-edge",
    "exchange-2016-mailbox",
    "exchange-2019-edge",
    "exchange-2019-mailbox",
];

/// Runs `exstig catalog build --from FROM --out OUT` in `cwd`.
fn build_catalog(cwd: &Path, from: &Path, out: &Path) -> std::process::Output {
    common::exstig(
        cwd,
        &[
            "catalog",
            "build",
            "--from",
            from.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    )
}

#[test]
fn regenerating_gives_the_committed_catalog() {
    let Some(shared) = common::shared("regenerating_gives_the_committed_catalog") else {
        return;
    };
    let out = common::temp_dir("catalog-build");
    let from = shared.join("benchmarks");
    let run = build_catalog(&common::root(), &from, &out);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for name in NAMES {
        let built = std::fs::read_to_string(out.join(format!("{name}.json"))).unwrap();
        let committed =
            std::fs::read_to_string(common::root().join(format!("catalog/{name}.json"))).unwrap();
        assert!(
            built == committed,
            "catalog/{name}.json differs from a fresh build: rerun `exstig catalog build --from ../shared/benchmarks --out catalog/`"
        );
    }
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), NAMES.len());
}

#[test]
fn catalog_has_the_newest_releases() {
    assert_eq!(catalog::names(), NAMES);
    let expected = [
        (
            "exchange-2013-edge",
            "MS_Exchange_2013_Edge_STIG",
            "V1R6",
            63,
            "5272",
        ),
        (
            "exchange-2013-mailbox",
            "MS_Exchange_2013_Mailbox_STIG",
            "V2R3",
            70,
            "2923",
        ),
        (
            "exchange-2016-edge",
            "MS_Exchange_2016_Edge_Transport_Server_STIG",
            "V2R6",
            68,
            "4079",
        ),
        (
            "exchange-2016-mailbox",
            "MS_Exchange_2016_Mailbox_Server_STIG",
            "V2R6",
            64,
            "4223",
        ),
        (
            "exchange-2019-edge",
            "MS_Exchange_2019_Edge_Server_STIG",
            "V2R2",
            68,
            "5579",
        ),
        (
            "exchange-2019-mailbox",
            "MS_Exchange_2019_Mailbox_Server_STIG",
            "V2R3",
            66,
            "5580",
        ),
    ];
    for (name, id, revision, rules, key) in expected {
        let b = catalog::get(name).unwrap();
        assert_eq!(
            (b.id.as_str(), b.revision(), b.rules.len(), b.target_key()),
            (id, revision.to_string(), rules, key),
            "{name}"
        );
        assert!(b.filename.ends_with("-xccdf.xml") || b.filename.ends_with("-xccdf..xml"));
    }
    assert!(
        catalog::get("EXCHANGE-2019-EDGE").is_some(),
        "names are case-insensitive"
    );
    assert!(catalog::get("exchange-2010-edge").is_none());
    let derived = catalog::entry("exchange-2019-mailbox").unwrap();
    assert!(
        derived.completed_from.contains("V1R1"),
        "{}",
        derived.completed_from
    );
}

/// Facts equal the DISA source; prose is absent, from the struct and from the file text.
#[test]
fn catalog_keeps_facts_and_drops_prose() {
    let Some(shared) = common::shared("catalog_keeps_facts_and_drops_prose") else {
        return;
    };
    for entry in catalog::entries() {
        let source = benchmark::load(&shared.join("benchmarks").join(&entry.built_from)).unwrap();
        let ours = &entry.benchmark;
        let file_text =
            std::fs::read_to_string(common::root().join(format!("catalog/{}.json", entry.name)))
                .unwrap();
        assert_eq!(
            (&ours.id, &ours.title, &ours.version, &ours.release_info),
            (
                &source.id,
                &source.title,
                &source.version,
                &source.release_info
            )
        );
        assert!(ours.description.is_empty());
        assert_eq!(ours.rules.len(), source.rules.len());
        let mut with_terms = 0;
        for (r, s) in ours.rules.iter().zip(&source.rules) {
            assert_eq!(
                (
                    &r.group_id,
                    &r.group_title,
                    &r.rule_id,
                    &r.stig_id,
                    r.severity,
                    &r.title
                ),
                (
                    &s.group_id,
                    &s.group_title,
                    &s.rule_id,
                    &s.stig_id,
                    s.severity,
                    &s.title
                )
            );
            assert_eq!(
                (&r.ccis, &r.legacy_ids, &r.check_digest),
                (&s.ccis, &s.legacy_ids, &s.check_digest)
            );
            assert_eq!(r.check_digest, benchmark::check_digest(&s.check_content));
            assert!(r.check_content.is_empty() && r.fix_text.is_empty());
            assert!(r.description.vuln_discussion.is_empty());
            assert_eq!(r.weight, "10.0");
            assert!(!r.target_key.is_empty());
            for term in &r.check_terms {
                assert!(
                    term.chars().count() <= 40 && term.split_whitespace().count() <= 3,
                    "{term}"
                );
                assert!(
                    s.check_content.contains(term.as_str()),
                    "{term} comes from the check text"
                );
            }
            with_terms += usize::from(!r.check_terms.is_empty());
            for prose in [
                &s.description.vuln_discussion,
                &s.check_content,
                &s.fix_text,
            ] {
                let head: String = prose.chars().take(60).collect();
                if head.chars().count() >= 60 {
                    assert!(
                        !file_text.contains(&head),
                        "{}: prose of {} in the catalog",
                        entry.name,
                        r.rule_id
                    );
                }
            }
        }
        assert!(
            with_terms * 2 > ours.rules.len(),
            "{}: most rules have check terms",
            entry.name
        );
    }
}

#[test]
fn check_terms_of_a_connector_rule() {
    let b = catalog::get("exchange-2016-edge").unwrap();
    let rule = b.find_rule("EX16-ED-000010").unwrap();
    for term in ["Get-ReceiveConnector", "ConnectionTimeout", "00:05:00"] {
        assert!(
            rule.check_terms.iter().any(|t| t == term),
            "{term} in {:?}",
            rule.check_terms
        );
    }
}

#[test]
fn catalog_list_command() {
    let out = common::exstig(&common::root(), &["catalog"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for entry in catalog::entries() {
        let line = text
            .lines()
            .find(|l| l.starts_with(&entry.name))
            .unwrap_or_else(|| panic!("{} listed", entry.name));
        assert!(
            line.contains(&entry.benchmark.id) && line.contains(&entry.benchmark.revision()),
            "{line}"
        );
        assert!(
            line.trim_end()
                .ends_with(&entry.benchmark.rules.len().to_string()),
            "{line}"
        );
        assert!(line.contains(entry.benchmark.release_date()), "{line}");
    }
    let out = common::exstig(&common::root(), &["catalog", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 6);
    assert_eq!(rows[4]["name"], "exchange-2019-edge");
    assert_eq!(rows[4]["rules"], 68);
    assert_eq!(rows[4]["revision"], "V2R2");
}

/// A made-up Exchange 2019 Edge benchmark from the fixture, at version 3 and `release`.
fn fake_release(dir: &Path, release: u32) {
    let fixture = std::fs::read_to_string(
        common::root().join("fixtures/benchmarks/U_Example_Mail_Relay_STIG_V3R4_Manual-xccdf.xml"),
    )
    .unwrap();
    let text = fixture
        .replace(
            "id=\"Example_Mail_Relay_STIG\"",
            "id=\"MS_Exchange_2019_Edge_Server_STIG\"",
        )
        .replace(
            "Release: 4 Benchmark",
            &format!("Release: {release} Benchmark"),
        );
    std::fs::write(
        dir.join(format!("U_Fake_Edge_V3R{release}_Manual-xccdf.xml")),
        text,
    )
    .unwrap();
}

#[test]
fn build_picks_the_newest_release_numerically() {
    let from = common::temp_dir("catalog-from");
    let out = common::temp_dir("catalog-out");
    fake_release(&from, 4);
    fake_release(&from, 10);
    fake_release(&from, 9);
    std::fs::write(from.join("notes.xml"), "<html/>").unwrap();
    let run = build_catalog(&from, Path::new("."), &out);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("notes.xml"),
        "skipped files are named"
    );
    let written: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(written, ["exchange-2019-edge.json"]);
    let entry: catalog::Entry = serde_json::from_str(
        &std::fs::read_to_string(out.join("exchange-2019-edge.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(entry.benchmark.revision(), "V3R10");
    assert_eq!(entry.built_from, "U_Fake_Edge_V3R10_Manual-xccdf.xml");
    assert!(entry.benchmark.rules[0].check_content.is_empty());
    assert_eq!(
        entry.benchmark.rules[0].check_terms,
        ["Get-RelayGreeting", "Name", "GreetingText", "Hi"]
    );
}

#[test]
fn build_without_benchmarks_fails() {
    let from = common::temp_dir("catalog-empty");
    let out = from.join("out");
    let run = build_catalog(&from, Path::new("."), &out);
    assert_eq!(run.status.code(), Some(2));
    assert!(!out.exists(), "nothing written on error");
    let run = common::exstig(
        &from,
        &["catalog", "build", "--from", "missing", "--out", "x"],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("missing"));
}
