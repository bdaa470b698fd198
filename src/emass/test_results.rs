//! eMASS test results: one per assessment procedure of the fleet's rules, rolled up across
//! rules and hosts (any Open: Non-Compliant; else any NotAFinding: Compliant; else all
//! Not_Applicable: Not Applicable; Not_Reviewed only: no result). The JSON is exactly the body
//! of `POST /api/systems/{systemId}/test-results`; the CSV is for people.

use super::{FleetReview, aps_of, cap};
use crate::cci::{CciTable, Revision};
use crate::checklist::Status;
use crate::error::Result;
use serde::Serialize;
use std::collections::BTreeMap;

/// Longest description eMASS takes.
pub const MAX_DESCRIPTION: usize = 4000;

/// Longest `testedBy` eMASS takes.
pub const MAX_TESTED_BY: usize = 100;

/// One test result, as the API's request body item (field names and order of the API).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestResult {
    /// "Last, First".
    pub tested_by: String,
    /// Unix time of the test date (midnight UTC).
    pub test_date: i64,
    /// The rules and hosts behind the result (at most 4,000 characters).
    pub description: String,
    /// `Compliant`, `Non-Compliant` or `Not Applicable`.
    pub compliance_status: String,
    /// The AP acronym.
    pub assessment_procedure: String,
}

/// The results and what was left out.
#[derive(Debug, Clone, Default)]
pub struct TestResults {
    /// One per AP, in AP order.
    pub results: Vec<TestResult>,
    /// APs whose rules were all Not_Reviewed (no result).
    pub not_reviewed: Vec<String>,
    /// Warnings (CCIs without AP).
    pub warnings: Vec<String>,
}

/// What each AP gathers: per status, `rule id -> hosts`.
#[derive(Default)]
struct ApRollup {
    by_status: BTreeMap<u8, BTreeMap<String, Vec<String>>>,
}

fn status_rank(status: Status) -> u8 {
    match status {
        Status::Open => 0,
        Status::NotAFinding => 1,
        Status::NotApplicable => 2,
        Status::NotReviewed => 3,
    }
}

/// Rolls the fleet up per AP. `test_date` is Unix time.
pub fn build(
    fleet: &FleetReview,
    table: &CciTable,
    revision: Revision,
    tested_by: &str,
    test_date: i64,
) -> Result<TestResults> {
    let mut out = TestResults::default();
    let mut per_ap: BTreeMap<String, ApRollup> = BTreeMap::new();
    for rule in &fleet.rules {
        let (aps, without) = aps_of(rule, table, revision)?;
        if !without.is_empty() {
            out.warnings.push(format!(
                "rule {} cites {} with no rev {} assessment procedure: no test result for {}",
                rule.rule_id,
                without.join(", "),
                revision.number(),
                if without.len() == 1 { "it" } else { "them" }
            ));
        }
        for ap in aps {
            let rollup = per_ap.entry(ap).or_default();
            for h in &rule.hosts {
                rollup
                    .by_status
                    .entry(status_rank(h.status))
                    .or_default()
                    .entry(rule.rule_id.clone())
                    .or_default()
                    .push(h.host.clone());
            }
        }
    }
    for (ap, rollup) in per_ap {
        let (compliance, rank, verb) = if rollup.by_status.contains_key(&0) {
            ("Non-Compliant", 0, "Open")
        } else if rollup.by_status.contains_key(&1) {
            ("Compliant", 1, "Not a finding")
        } else if rollup.by_status.contains_key(&2) {
            ("Not Applicable", 2, "Not applicable")
        } else {
            out.not_reviewed.push(ap);
            continue;
        };
        let mut lines = Vec::new();
        for (rule, hosts) in &rollup.by_status[&rank] {
            lines.push(format!("{verb}: {rule} on {}", hosts.join(", ")));
        }
        if rank == 1
            && let Some(other) = rollup.by_status.get(&2)
        {
            for (rule, hosts) in other {
                lines.push(format!("Not applicable: {rule} on {}", hosts.join(", ")));
            }
        }
        if let Some(nr) = rollup.by_status.get(&3) {
            lines.push(format!(
                "Not reviewed: {}",
                nr.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        out.results.push(TestResult {
            tested_by: tested_by.to_string(),
            test_date,
            description: cap(
                &format!("exstig STIG review. {}", lines.join("; ")),
                MAX_DESCRIPTION,
            ),
            compliance_status: compliance.to_string(),
            assessment_procedure: ap,
        });
    }
    Ok(out)
}

/// The API request body (a JSON array), pretty-printed.
pub fn to_json(results: &[TestResult]) -> String {
    serde_json::to_string_pretty(results).unwrap_or_default() + "\n"
}

/// The CSV for people: AP, status, test date (YYYY-MM-DD), tested by, description.
pub fn to_csv(results: &[TestResult]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "Assessment Procedure",
        "Compliance Status",
        "Test Date",
        "Tested By",
        "Description",
    ]);
    for r in results {
        let date = chrono::DateTime::from_timestamp(r.test_date, 0)
            .map(|d| d.date_naive().to_string())
            .unwrap_or_default();
        let _ = writer.write_record([
            r.assessment_procedure.as_str(),
            &r.compliance_status,
            &date,
            &r.tested_by,
            &r.description,
        ]);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}
