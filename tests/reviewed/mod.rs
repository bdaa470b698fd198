//! A reviewed checklist shared by the CKLB, XCCDF and validate tests: a small benchmark built
//! in code (no DISA prose, like the embedded catalog) and a checklist with every status,
//! details, comments with markup characters, a severity override and full host facts.
#![allow(dead_code)]

use chrono::{TimeZone, Utc};
use exstig::benchmark::{Benchmark, Rule, RuleDescription, Severity};
use exstig::checklist::{Checklist, ChecklistStig, Status};
use exstig::xccdf::RunInfo;

/// The statuses the reviewed checklist cycles through, rule by rule.
pub const STATUSES: [Status; 4] = [
    Status::NotAFinding,
    Status::Open,
    Status::NotApplicable,
    Status::NotReviewed,
];

/// A checklist for `benchmark` with every status, details on evaluated rules, comments on
/// open ones, one severity override, and full host facts.
pub fn reviewed_checklist(benchmark: &Benchmark) -> Checklist {
    let mut stig = ChecklistStig::from_benchmark(benchmark);
    for (i, vuln) in stig.vulns.iter_mut().enumerate() {
        vuln.status = STATUSES[i % 4];
        if vuln.status != Status::NotReviewed {
            vuln.finding_details = format!(
                "exstig automated result\nConnector EDGE01\\Default <{i}> & \"quoted\": value {i}"
            );
        }
        if vuln.status == Status::Open {
            vuln.comments = format!("Ticket {i}: fix scheduled");
        }
    }
    if let Some(vuln) = stig.vulns.get_mut(1) {
        vuln.severity_override = "low".into();
        vuln.severity_justification = "Mitigated by the perimeter relay".into();
    }
    let mut checklist = Checklist {
        stigs: vec![stig],
        ..Checklist::default()
    };
    checklist.asset.target_key = benchmark.target_key().to_string();
    checklist.asset.host_name = "EDGE01".into();
    checklist.asset.host_fqdn = "edge01.example.mil".into();
    checklist.asset.host_ip = "192.0.2.10, 2001:db8::10".into();
    checklist.asset.host_mac = "00:15:5D:0E:92:0C".into();
    checklist
}

/// A fixed run time.
pub fn run_info() -> RunInfo {
    RunInfo {
        start: Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 7).unwrap(),
    }
}

/// A small benchmark built in code, without DISA prose (like the embedded catalog's).
pub fn catalog_like_benchmark() -> Benchmark {
    let rule = |n: usize, severity| Rule {
        group_id: format!("V-9000{n}"),
        group_title: format!("SRG-APP-00000{n}"),
        rule_id: format!("SV-9000{n}r10{n}_rule"),
        severity: Some(severity),
        weight: "10.0".into(),
        stig_id: format!("EX19-ED-00000{n}"),
        title: format!("Test rule {n} title."),
        description: RuleDescription {
            documentable: "false".into(),
            ..RuleDescription::default()
        },
        ccis: vec!["CCI-000054".into(), format!("CCI-00136{n}")],
        legacy_ids: vec![],
        target_key: "5579".into(),
        ..Rule::default()
    };
    Benchmark {
        id: "MS_Exchange_2019_Edge_Server_STIG".into(),
        title: "Microsoft Exchange 2019 Edge Server Security Technical Implementation Guide".into(),
        version: "2".into(),
        release_info: "Release: 2 Benchmark Date: 30 Jan 2025".into(),
        rules: vec![
            rule(1, Severity::High),
            rule(2, Severity::Medium),
            rule(3, Severity::Low),
            rule(4, Severity::Medium),
            rule(5, Severity::Medium),
        ],
        ..Benchmark::default()
    }
}

/// Asserts that STIG Manager's reviews (`checklists[i].reviews` of its parser output) say what
/// the checklist's vulns say: one review per vuln, same rule, result, detail and comment.
pub fn assert_reviews_match(reviews: &[serde_json::Value], vulns: &[exstig::checklist::Vuln]) {
    assert_eq!(reviews.len(), vulns.len());
    for (review, vuln) in reviews.iter().zip(vulns) {
        assert_eq!(review["ruleId"], vuln.rule_id());
        assert_eq!(review["result"], vuln.status.xccdf(), "{}", vuln.rule_id());
        if !vuln.finding_details.is_empty() {
            assert_eq!(review["detail"], vuln.finding_details.as_str());
        }
        if !vuln.comments.is_empty() {
            assert_eq!(review["comment"], vuln.comments.as_str());
        }
    }
}
