//! Property tests of `upgrade::upgrade`, as `merge_props.rs` does for merging: for any reviewed
//! checklist and any new release (rules kept, renumbered, changed, added, removed), no human word
//! is lost (each old review is carried byte for byte, kept under the marker in the rule, or, for
//! removed rules, in the report), and upgrading twice equals upgrading once.

use exstig::benchmark::{Benchmark, Rule, check_digest};
use exstig::checklist::{Checklist, ChecklistStig, Status};
use exstig::upgrade::{Outcome, upgrade};
use proptest::prelude::*;
use proptest::sample::select;

const HUMAN: [&str; 7] = [
    "",
    "ok",
    "ISSO accepted on 2026-01-20 ",
    "line one\nline two",
    "<&> \"quoted\"",
    "ü€ 漢字",
    "  leading and trailing  ",
];

fn human_text() -> impl Strategy<Value = String> {
    prop::collection::vec(select(HUMAN.to_vec()), 0..3).prop_map(|parts| parts.join(" "))
}

fn status() -> impl Strategy<Value = Status> {
    select(vec![
        Status::Open,
        Status::NotAFinding,
        Status::NotApplicable,
        Status::NotReviewed,
    ])
}

/// What a rule becomes in the new release.
#[derive(Debug, Clone, Copy)]
enum Fate {
    Same,
    NewRevision,
    CheckChanged,
    WhitespaceOnly,
    Removed,
}

fn fate() -> impl Strategy<Value = Fate> {
    select(vec![
        Fate::Same,
        Fate::NewRevision,
        Fate::CheckChanged,
        Fate::WhitespaceOnly,
        Fate::Removed,
    ])
}

type Review = (Status, String, String, String, String);

fn review() -> impl Strategy<Value = Review> {
    (
        status(),
        human_text(),
        human_text(),
        select(vec!["", "low", "high"]).prop_map(String::from),
        human_text(),
    )
}

fn rule(n: usize, revision: usize, check: &str) -> Rule {
    Rule {
        group_id: format!("V-{n}"),
        rule_id: format!("SV-{n}r{revision}_rule"),
        stig_id: format!("EX-{n:03}"),
        title: format!("rule {n}"),
        check_content: check.to_string(),
        check_digest: check_digest(check),
        ..Rule::default()
    }
}

fn benchmark(release: u32, rules: Vec<Rule>) -> Benchmark {
    Benchmark {
        id: "EX_PROP".into(),
        title: "Property".into(),
        version: "1".into(),
        release_info: format!("Release: {release} Benchmark Date: 1 Jan 2026"),
        rules,
        ..Benchmark::default()
    }
}

fn case() -> impl Strategy<Value = (Benchmark, Benchmark, Checklist)> {
    (prop::collection::vec((review(), fate()), 1..12), 0..3usize).prop_map(|(rules, added)| {
        let old_rules: Vec<Rule> = (0..rules.len())
            .map(|n| rule(n, 1, &format!("Check {n}.")))
            .collect();
        let mut new_rules = Vec::new();
        for (n, (_, fate)) in rules.iter().enumerate() {
            match fate {
                Fate::Same => new_rules.push(rule(n, 1, &format!("Check {n}."))),
                Fate::NewRevision => new_rules.push(rule(n, 2, &format!("Check {n}."))),
                Fate::CheckChanged => new_rules.push(rule(n, 2, &format!("Check {n} anew."))),
                Fate::WhitespaceOnly => new_rules.push(rule(n, 2, &format!("\n Check {n}.\r\n"))),
                Fate::Removed => {}
            }
        }
        for a in 0..added {
            new_rules.push(rule(100 + a, 1, "Added."));
        }
        let old = benchmark(1, old_rules);
        let new = benchmark(2, new_rules);
        let mut stig = ChecklistStig::from_benchmark(&old);
        for (vuln, ((status, details, comments, sev, just), _)) in stig.vulns.iter_mut().zip(&rules)
        {
            vuln.status = *status;
            vuln.finding_details = details.clone();
            vuln.comments = comments.clone();
            vuln.severity_override = sev.clone();
            vuln.severity_justification = just.clone();
        }
        let checklist = Checklist {
            stigs: vec![stig],
            ..Checklist::default()
        };
        (old, new, checklist)
    })
}

proptest! {
    #[test]
    fn no_human_text_is_lost((_old, new, before) in case()) {
        let (after, report) = upgrade(&before, &new).unwrap();
        let report_text = report.to_text();
        let report_json = report.to_json();
        for was in &before.stigs[0].vulns {
            let now = after.stigs[0].vulns.iter().find(|v| v.stig_id() == was.stig_id());
            // White space alone carries no word; every text with one must survive whole.
            let texts: Vec<&String> = [&was.finding_details, &was.comments, &was.severity_justification]
                .into_iter()
                .filter(|t| !t.trim().is_empty())
                .collect();
            let outcome = report.rules.iter().find(|r| r.stig_id == was.stig_id()).map(|r| r.outcome);
            match now {
                Some(now) if outcome == Some(Outcome::Carried) => {
                    prop_assert_eq!(now.status, was.status);
                    prop_assert_eq!(&now.finding_details, &was.finding_details);
                    prop_assert_eq!(&now.comments, &was.comments);
                    prop_assert_eq!(&now.severity_override, &was.severity_override);
                    prop_assert_eq!(&now.severity_justification, &was.severity_justification);
                }
                Some(now) => {
                    prop_assert_eq!(now.status, Status::NotReviewed);
                    let kept = format!("{}\n{}", now.finding_details, now.comments);
                    for text in &texts {
                        prop_assert!(kept.contains(text.as_str()), "{:?} lost from {:?}", text, kept);
                    }
                }
                None => {
                    let line = report.rules.iter().find(|r| r.stig_id == was.stig_id()).unwrap();
                    prop_assert_eq!(line.outcome, Outcome::Removed);
                    for text in &texts {
                        prop_assert!(line.old_review.contains(text.as_str()));
                        let json = serde_json::to_string(text).unwrap();
                        prop_assert!(report_json.contains(&json[1..json.len() - 1]));
                        for part in text.lines() {
                            prop_assert!(report_text.contains(part));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn only_unchanged_checks_carry((old, new, before) in case()) {
        let (after, _) = upgrade(&before, &new).unwrap();
        for (vuln, rule) in after.stigs[0].vulns.iter().zip(&new.rules) {
            let Some(old_rule) = old.rules.iter().find(|r| r.stig_id == rule.stig_id) else {
                prop_assert_eq!(vuln.status, Status::NotReviewed);
                prop_assert_eq!(&vuln.comments, "");
                continue;
            };
            let was = before.stigs[0].vulns.iter().find(|v| v.stig_id() == rule.stig_id).unwrap();
            let unchanged = old_rule.check_content.trim() == rule.check_content.trim();
            if unchanged {
                prop_assert_eq!(vuln.status, was.status);
                prop_assert_eq!(&vuln.comments, &was.comments);
            } else if was.status != Status::NotReviewed {
                prop_assert_eq!(vuln.status, Status::NotReviewed);
            }
        }
    }

    #[test]
    fn upgrading_twice_equals_once((_old, new, before) in case()) {
        let (once, _) = upgrade(&before, &new).unwrap();
        let (twice, report) = upgrade(&once, &new).unwrap();
        prop_assert_eq!(twice, once);
        prop_assert_eq!(report.from, report.to);
    }
}
