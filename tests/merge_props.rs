//! Property tests of `merge::merge_into`: for any checklist and any evaluation, every field of
//! every rule not evaluated, every human comment and detail, every override and justification,
//! the ASSET and the other STIGs survive byte for byte, and merging twice equals merging once.

use exstig::benchmark::rule_id_base;
use exstig::checklist::{Asset, Checklist, ChecklistStig, Status, Vuln};
use exstig::merge::{
    BLOCK_BEGIN, BLOCK_END, MergePolicy, Precedence, is_automatic, is_own_text, merge_into,
};
use proptest::prelude::*;
use proptest::sample::select;

const HUMAN: [&str; 8] = [
    "",
    "ok",
    "ISSO accepted on 2026-01-20 ",
    "  leading space",
    "line one\nline two",
    "<&> \"quoted\"",
    "ü€ 漢字",
    "exstig is mentioned here but not first",
];

fn human_text() -> impl Strategy<Value = String> {
    prop::collection::vec(select(HUMAN.to_vec()), 0..3).prop_map(|parts| parts.join(" "))
}

fn auto_text() -> impl Strategy<Value = String> {
    (select(vec!["0.0.9", "0.1.0"]), human_text())
        .prop_map(|(v, body)| format!("exstig {v} automated result\n{body}"))
}

/// Details as found in checklists: empty, human, exstig's own, or human with an attached block.
fn details() -> impl Strategy<Value = String> {
    prop_oneof![
        human_text(),
        auto_text(),
        (human_text(), auto_text(), human_text())
            .prop_map(|(a, b, c)| format!("{a}\n\n{BLOCK_BEGIN}\n{b}\n{BLOCK_END}{c}")),
    ]
}

fn status() -> impl Strategy<Value = Status> {
    select(vec![
        Status::Open,
        Status::NotAFinding,
        Status::NotApplicable,
        Status::NotReviewed,
    ])
}

fn vuln(number: u32, revision: u32, review: (Status, String, String, String, String)) -> Vuln {
    let (status, finding_details, comments, severity_override, severity_justification) = review;
    Vuln {
        stig_data: vec![
            ("Vuln_Num".into(), format!("V-{number}")),
            ("Severity".into(), "medium".into()),
            ("Rule_ID".into(), format!("SV-{number}r{revision}_rule")),
            ("Rule_Ver".into(), format!("EX-{number}")),
            ("Rule_Title".into(), format!("rule {number} <&>")),
            ("LEGACY_ID".into(), String::new()),
            ("LEGACY_ID".into(), String::new()),
            ("CCI_REF".into(), "CCI-000366".into()),
        ],
        status,
        finding_details,
        comments,
        severity_override,
        severity_justification,
        ..Vuln::default()
    }
}

fn review() -> impl Strategy<Value = (Status, String, String, String, String)> {
    (
        status(),
        details(),
        human_text(),
        select(vec!["", "low", "high"]),
        human_text(),
    )
        .prop_map(|(s, d, c, o, j)| (s, d, c, o.to_string(), j))
}

fn stig(id: &str, vulns: Vec<Vuln>) -> ChecklistStig {
    ChecklistStig {
        info: vec![
            ("version".into(), Some("1".into())),
            ("stigid".into(), Some(id.into())),
            (
                "releaseinfo".into(),
                Some("Release: 1 Benchmark Date: 1 Jan 2026".into()),
            ),
        ],
        vulns,
        ..ChecklistStig::default()
    }
}

/// A reviewed checklist: rules 1..=n of STIG "EX" (unique numbers, any revision), plus another STIG.
fn existing() -> impl Strategy<Value = Checklist> {
    (
        prop::collection::vec((1u32..4, review()), 1..7),
        review(),
        human_text(),
    )
        .prop_map(|(rules, other, host)| Checklist {
            asset: Asset {
                host_name: host,
                marking: "CUI".into(),
                ..Asset::default()
            },
            stigs: vec![
                stig(
                    "EX",
                    rules
                        .into_iter()
                        .enumerate()
                        .map(|(i, (rev, r))| vuln(i as u32 + 1, rev, r))
                        .collect(),
                ),
                stig("OTHER", vec![vuln(99, 1, other)]),
            ],
            ..Checklist::default()
        })
}

/// An evaluation: rules of "EX" with automatic results or left Not_Reviewed without marker.
fn evaluation() -> impl Strategy<Value = Checklist> {
    let rule = (
        1u32..9,
        1u32..4,
        status(),
        auto_text(),
        human_text(),
        any::<bool>(),
    )
        .prop_map(|(n, rev, s, d, c, evaluated)| {
            if evaluated {
                vuln(n, rev, (s, d, c, String::new(), String::new()))
            } else {
                vuln(
                    n,
                    rev,
                    (
                        Status::NotReviewed,
                        String::new(),
                        c,
                        String::new(),
                        String::new(),
                    ),
                )
            }
        });
    prop::collection::vec(rule, 0..8).prop_map(|vulns| Checklist {
        asset: Asset {
            host_name: "EVALUATED".into(),
            ..Asset::default()
        },
        stigs: vec![stig("EX", vulns)],
        ..Checklist::default()
    })
}

/// Another reviewer's checklist of the same STIG (human results).
fn human_checklist() -> impl Strategy<Value = Checklist> {
    prop::collection::vec((1u32..9, 1u32..4, review()), 0..8).prop_map(|rules| Checklist {
        stigs: vec![stig(
            "EX",
            rules
                .into_iter()
                .map(|(n, rev, r)| vuln(n, rev, r))
                .collect(),
        )],
        ..Checklist::default()
    })
}

fn policy() -> impl Strategy<Value = MergePolicy> {
    (
        select(vec![
            Precedence::Newest,
            Precedence::OpenWins,
            Precedence::ManualWins,
        ]),
        any::<bool>(),
    )
        .prop_map(|(precedence, overwrite_manual)| MergePolicy {
            precedence,
            overwrite_manual,
        })
}

fn has_marker(text: &str) -> bool {
    is_automatic(text) || text.contains(BLOCK_BEGIN) || text.contains(BLOCK_END)
}

fn has_result(v: &Vuln) -> bool {
    v.status != Status::NotReviewed || is_own_text(&v.finding_details)
}

fn evaluated(rule: &Vuln, incoming: &Checklist) -> bool {
    incoming.stigs[0]
        .vulns
        .iter()
        .filter(|v| has_result(v))
        .any(|v| rule_id_base(v.rule_id()) == rule_id_base(rule.rule_id()))
}

/// The review fields of the first STIG, for readable failure messages.
fn reviews(c: &Checklist) -> Vec<(String, Status, String, String)> {
    c.stigs[0]
        .vulns
        .iter()
        .map(|v| {
            (
                v.rule_id().to_string(),
                v.status,
                v.finding_details.clone(),
                v.comments.clone(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn evaluation_merge_keeps_every_human_word(
        existing in existing(), incoming in evaluation(), policy in policy()
    ) {
        let mut merged = existing.clone();
        merge_into(&mut merged, &incoming, &policy);
        prop_assert_eq!(&merged.asset, &existing.asset);
        prop_assert_eq!(&merged.stigs[1], &existing.stigs[1]);
        prop_assert_eq!(merged.stigs.len(), 2);
        for (before, after) in existing.stigs[0].vulns.iter().zip(&merged.stigs[0].vulns) {
            if !evaluated(before, &incoming) {
                prop_assert_eq!(before, after);
                continue;
            }
            prop_assert_eq!(&before.stig_data, &after.stig_data);
            prop_assert_eq!(&before.severity_override, &after.severity_override);
            prop_assert_eq!(&before.severity_justification, &after.severity_justification);
            if !has_marker(&before.comments) && !before.comments.trim().is_empty() {
                prop_assert!(after.comments.contains(&before.comments),
                    "comment lost: {:?} -> {:?}", before.comments, after.comments);
            }
            if !has_marker(&before.finding_details) && !before.finding_details.trim().is_empty() {
                prop_assert!(after.finding_details.contains(&before.finding_details),
                    "details lost: {:?} -> {:?}", before.finding_details, after.finding_details);
            }
            let same_comment_incoming = incoming.stigs[0].vulns.iter().any(|v| {
                rule_id_base(v.rule_id()) == rule_id_base(before.rule_id()) && v.comments == before.comments
            });
            let protected = matches!(before.status, Status::NotAFinding | Status::NotApplicable)
                && !before.comments.trim().is_empty()
                && !has_marker(&before.comments)
                && !same_comment_incoming;
            if protected && !policy.overwrite_manual && policy.precedence != Precedence::OpenWins {
                prop_assert_eq!(before, after);
            }
        }
    }

    #[test]
    fn diff_of_a_merge_lists_exactly_the_updated_rules(
        existing in existing(), incoming in evaluation(), policy in policy()
    ) {
        let mut merged = existing.clone();
        let report = merge_into(&mut merged, &incoming, &policy);
        let diff = exstig::diff::diff(&existing, &merged);
        let mut updated: Vec<&str> = report
            .rules
            .iter()
            .filter(|r| r.action == exstig::merge::Action::Updated)
            .map(|r| r.rule_id.as_str())
            .collect();
        let mut changed: Vec<&str> = diff.rules.iter().map(|r| r.rule_id.as_str()).collect();
        updated.sort();
        changed.sort();
        prop_assert_eq!(changed, updated);
        prop_assert!(exstig::diff::diff(&merged, &merged).is_empty());
    }

    #[test]
    fn merging_twice_equals_merging_once(
        existing in existing(), incoming in evaluation(), policy in policy()
    ) {
        let mut once = existing.clone();
        merge_into(&mut once, &incoming, &policy);
        let mut twice = once.clone();
        let report = merge_into(&mut twice, &incoming, &policy);
        prop_assert_eq!(reviews(&twice), reviews(&once), "input {:?} policy {:?}", reviews(&existing), policy);
        prop_assert_eq!(&twice, &once);
        prop_assert_eq!(report.updated(), 0);
    }

    #[test]
    fn human_file_merge_keeps_words_and_is_idempotent(
        existing in existing(), incoming in human_checklist(), policy in policy()
    ) {
        let mut once = existing.clone();
        merge_into(&mut once, &incoming, &policy);
        prop_assert_eq!(&once.asset, &existing.asset);
        prop_assert_eq!(&once.stigs[1], &existing.stigs[1]);
        for (before, after) in existing.stigs[0].vulns.iter().zip(&once.stigs[0].vulns) {
            prop_assert_eq!(&before.stig_data, &after.stig_data);
            if !before.severity_override.is_empty() || !before.severity_justification.is_empty() {
                prop_assert_eq!(&before.severity_override, &after.severity_override);
                prop_assert_eq!(&before.severity_justification, &after.severity_justification);
            }
            if !has_marker(&before.comments) && !before.comments.trim().is_empty() {
                prop_assert!(after.comments.contains(&before.comments), "{:?} -> {:?}", before.comments, after.comments);
            }
            if !evaluated(before, &incoming) {
                prop_assert_eq!(before, after);
            }
        }
        let mut twice = once.clone();
        merge_into(&mut twice, &incoming, &policy);
        prop_assert_eq!(reviews(&twice), reviews(&once), "input {:?} incoming {:?} policy {:?}", reviews(&existing), reviews(&incoming), policy);
        prop_assert_eq!(&twice, &once);
    }
}
