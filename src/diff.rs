//! What changed between two cycles of a checklist, for reviewers: status changes, new and
//! removed rules, and reviews whose texts changed, grouped by CAT.
//!
//! STIGs are paired by `stigid`; rules by Rule ID, then Rule ID without revision, then STIG ID
//! when the two checklists are from different releases (the same matching as `exstig merge`).
//! The CAT of a rule is its effective severity in the newer checklist (the severity override
//! when one is set), or in the older one for removed rules.

use crate::checklist::{Checklist, ChecklistStig, Status, Vuln};
use crate::merge::{RuleIndex, other_release, stig_key};
use serde::Serialize;

/// The kind of a difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The status differs.
    StatusChanged,
    /// The rule is only in the newer checklist.
    Added,
    /// The rule is only in the older checklist.
    Removed,
    /// Same status; details, comments or the severity override differ.
    TextChanged,
}

/// One rule that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleDiff {
    /// What differs.
    pub change: Change,
    /// `CAT I`, `CAT II`, `CAT III`, or `CAT ?` when the severity is unknown.
    pub cat: &'static str,
    /// The STIG (`stigid`).
    pub stig: String,
    /// `Vuln_Num`.
    pub vuln_id: String,
    /// Rule ID (the newer one when both exist).
    pub rule_id: String,
    /// The older Rule ID when the revision changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_rule_id: Option<String>,
    /// STIG ID (`Rule_Ver`).
    pub stig_id: String,
    /// Rule title.
    pub title: String,
    /// Status in the older checklist (CKL spelling); `None` when added.
    pub before: Option<&'static str>,
    /// Status in the newer checklist; `None` when removed.
    pub after: Option<&'static str>,
    /// For text changes: which fields changed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<&'static str>,
}

/// Status counts of one checklist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    /// Open rules.
    pub open: usize,
    /// NotAFinding rules.
    pub not_a_finding: usize,
    /// Not_Applicable rules.
    pub not_applicable: usize,
    /// Not_Reviewed rules.
    pub not_reviewed: usize,
}

impl StatusCounts {
    fn of(checklist: &Checklist) -> StatusCounts {
        let mut counts = StatusCounts::default();
        for v in checklist.stigs.iter().flat_map(|s| &s.vulns) {
            match v.status {
                Status::Open => counts.open += 1,
                Status::NotAFinding => counts.not_a_finding += 1,
                Status::NotApplicable => counts.not_applicable += 1,
                Status::NotReviewed => counts.not_reviewed += 1,
            }
        }
        counts
    }
}

/// The whole comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChecklistDiff {
    /// Status counts of the older checklist.
    pub before: StatusCounts,
    /// Status counts of the newer checklist.
    pub after: StatusCounts,
    /// STIG-level notes (STIGs only on one side, releases that differ, host names that differ).
    pub notes: Vec<String>,
    /// Every rule that differs, by CAT, then kind, then STIG and position.
    pub rules: Vec<RuleDiff>,
}

/// The CAT of a severity word.
pub fn cat_of(severity: &str) -> &'static str {
    match severity.trim().to_ascii_lowercase().as_str() {
        "high" => "CAT I",
        "medium" => "CAT II",
        "low" => "CAT III",
        _ => "CAT ?",
    }
}

fn effective_cat(v: &Vuln) -> &'static str {
    match v.severity_override.trim() {
        "" => cat_of(v.attr("Severity")),
        over => cat_of(over),
    }
}

/// The diff line of one rule; `main` is the newer side when present, else the older.
fn entry(
    change: Change,
    stig: &str,
    old: Option<&Vuln>,
    new: Option<&Vuln>,
    main: &Vuln,
) -> RuleDiff {
    let old_rule_id = match (old, new) {
        (Some(o), Some(n)) if o.rule_id() != n.rule_id() => Some(o.rule_id().to_string()),
        _ => None,
    };
    let mut fields = Vec::new();
    if let (Some(o), Some(n), Change::TextChanged) = (old, new, change) {
        if o.finding_details != n.finding_details {
            fields.push("FINDING_DETAILS");
        }
        if o.comments != n.comments {
            fields.push("COMMENTS");
        }
        if o.severity_override != n.severity_override
            || o.severity_justification != n.severity_justification
        {
            fields.push("SEVERITY_OVERRIDE");
        }
    }
    RuleDiff {
        change,
        cat: effective_cat(main),
        stig: stig.to_string(),
        vuln_id: main.vuln_num().to_string(),
        rule_id: main.rule_id().to_string(),
        old_rule_id,
        stig_id: main.stig_id().to_string(),
        title: main.attr("Rule_Title").to_string(),
        before: old.map(|v| v.status.ckl()),
        after: new.map(|v| v.status.ckl()),
        fields,
    }
}

fn diff_stig(old: &ChecklistStig, new: &ChecklistStig, out: &mut ChecklistDiff) {
    let stig = stig_key(new);
    let across = other_release(old, new);
    if across {
        out.notes.push(format!(
            "STIG {stig}: {} -> {}",
            crate::merge::release_of(old),
            crate::merge::release_of(new)
        ));
    }
    let index = RuleIndex::new(old);
    let mut seen = vec![false; old.vulns.len()];
    for v in &new.vulns {
        match index.find(v, across) {
            Some((i, _)) if !seen[i] => {
                seen[i] = true;
                let o = &old.vulns[i];
                let change = if o.status != v.status {
                    Some(Change::StatusChanged)
                } else if o.finding_details != v.finding_details
                    || o.comments != v.comments
                    || o.severity_override != v.severity_override
                    || o.severity_justification != v.severity_justification
                {
                    Some(Change::TextChanged)
                } else {
                    None
                };
                if let Some(c) = change {
                    out.rules.push(entry(c, stig, Some(o), Some(v), v));
                }
            }
            _ => out.rules.push(entry(Change::Added, stig, None, Some(v), v)),
        }
    }
    for (o, _) in old.vulns.iter().zip(&seen).filter(|(_, s)| !**s) {
        out.rules
            .push(entry(Change::Removed, stig, Some(o), None, o));
    }
}

/// Compares an older checklist with a newer one.
pub fn diff(older: &Checklist, newer: &Checklist) -> ChecklistDiff {
    let mut out = ChecklistDiff {
        before: StatusCounts::of(older),
        after: StatusCounts::of(newer),
        ..ChecklistDiff::default()
    };
    let (a, b) = (older.asset.host_name.trim(), newer.asset.host_name.trim());
    if !a.eq_ignore_ascii_case(b) {
        out.notes.push(format!("HOST_NAME differs: '{a}' -> '{b}'"));
    }
    for new in &newer.stigs {
        match older.stigs.iter().find(|s| stig_key(s) == stig_key(new)) {
            Some(old) => diff_stig(old, new, &mut out),
            None => {
                out.notes.push(format!("STIG {} is new", stig_key(new)));
                for v in &new.vulns {
                    out.rules
                        .push(entry(Change::Added, stig_key(new), None, Some(v), v));
                }
            }
        }
    }
    for old in &older.stigs {
        if !newer.stigs.iter().any(|s| stig_key(s) == stig_key(old)) {
            out.notes
                .push(format!("STIG {} was removed", stig_key(old)));
            for v in &old.vulns {
                out.rules
                    .push(entry(Change::Removed, stig_key(old), Some(v), None, v));
            }
        }
    }
    // Stable sort keeps file order within a CAT and kind.
    out.rules.sort_by_key(|r| (cat_rank(r.cat), r.change));
    out
}

fn cat_rank(cat: &str) -> u8 {
    match cat {
        "CAT I" => 0,
        "CAT II" => 1,
        "CAT III" => 2,
        _ => 3,
    }
}

impl ChecklistDiff {
    /// Whether the two checklists hold the same reviews for the same rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The comparison for a terminal: counts, notes, then per CAT the status changes, new,
    /// removed and text-changed rules.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let counts = |c: &StatusCounts| {
            format!(
                "Open {}, NotAFinding {}, Not_Applicable {}, Not_Reviewed {}",
                c.open, c.not_a_finding, c.not_applicable, c.not_reviewed
            )
        };
        out.push_str(&format!("before: {}\n", counts(&self.before)));
        out.push_str(&format!("after:  {}\n", counts(&self.after)));
        for note in &self.notes {
            out.push_str(&format!("note: {note}\n"));
        }
        if self.rules.is_empty() {
            out.push_str("no differences in reviews\n");
            return out;
        }
        let mut current: Option<(&str, Change)> = None;
        for r in &self.rules {
            if current.map(|(c, _)| c) != Some(r.cat) {
                out.push_str(&format!("\n{}\n", r.cat));
            }
            if current != Some((r.cat, r.change)) {
                let n = self
                    .rules
                    .iter()
                    .filter(|x| x.cat == r.cat && x.change == r.change)
                    .count();
                let label = match r.change {
                    Change::StatusChanged => "status changed",
                    Change::Added => "new rules",
                    Change::Removed => "removed rules",
                    Change::TextChanged => "details or comments changed",
                };
                out.push_str(&format!("  {label} ({n})\n"));
            }
            current = Some((r.cat, r.change));
            let revised = r
                .old_rule_id
                .as_deref()
                .map(|o| format!(" (was {o})"))
                .unwrap_or_default();
            let what = match (r.change, r.before, r.after) {
                (Change::StatusChanged, Some(b), Some(a)) => format!("{b} -> {a}"),
                (Change::TextChanged, _, Some(a)) => format!("{a}; {}", r.fields.join(", ")),
                (_, _, Some(a)) => a.to_string(),
                (_, Some(b), None) => b.to_string(),
                _ => String::new(),
            };
            out.push_str(&format!(
                "    {} {} {}{revised} {}: {what}  {}\n",
                r.stig, r.vuln_id, r.rule_id, r.stig_id, r.title
            ));
        }
        out
    }
}
