//! Carrying a checklist's reviews to a new release of its STIG (`exstig upgrade`, and batch
//! `--merge-dir ... --upgrade`).
//!
//! # The rule (STIG Manager's)
//!
//! A review is carried to the new release only when the rule's **STIG ID** (`Rule_Ver`) is the
//! same and its **check text** is unchanged: the SHA-256 of the normalized check content
//! ([`check_content_digest`]: line ends as LF, surrounding white space trimmed, as STIG Manager
//! hashes the check text it reads with `trimValues`) is equal in the old checklist and the new
//! benchmark. A carried review keeps STATUS, FINDING_DETAILS, COMMENTS, SEVERITY_OVERRIDE and
//! SEVERITY_JUSTIFICATION byte for byte.
//!
//! * **Check changed** (or the old checklist holds no check text to compare, or the rule is only
//!   found by Rule ID without revision or Vuln ID because its STIG ID changed): the rule is
//!   Not_Reviewed, and its old review is kept in COMMENTS between [`KEPT_BEGIN`] and
//!   [`KEPT_END`] (when that would exceed STIG Viewer's 32,767 characters, the old finding
//!   details go to FINDING_DETAILS under the same marker). The report lists it.
//! * **Added** rules are Not_Reviewed with the new STIG data; **removed** rules are listed in the
//!   report with their full old review (the report is where that text survives).
//! * The ASSET, the checklist's other STIGs and the STIG's UUIDs (`uuid`, `STIG_UUID`) are kept,
//!   so that the result does not depend on when it was made: upgrading twice equals upgrading
//!   once, and `evaluate --merge-dir --upgrade` gives the file `upgrade` then `evaluate` gives.
//! * A checklist already at the benchmark's release is left as it is.
//!
//! When the new benchmark comes from the embedded catalog (no check text, only the
//! `check_digest`), the first 16 hex digits of the old check text's SHA-256 are compared with it.

use crate::benchmark::{Benchmark, Rule, rule_id_base};
use crate::checklist::{Checklist, ChecklistStig, MAX_TEXT_CHARS, Status, Vuln};
use crate::error::{Error, Result};
use crate::merge::{release_of, stig_key};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// First line of an old review kept in a rule whose check text changed.
pub const KEPT_BEGIN: &str =
    "[exstig upgrade: review from the previous release, check text changed; re-review this rule]";
/// Last line of a kept old review.
pub const KEPT_END: &str = "[exstig upgrade: end of the previous review]";

/// The SHA-256 (64 hex digits) of a rule's check text, normalized as STIG Manager does before
/// hashing: CR LF and lone CR become LF, and leading and trailing white space is trimmed.
pub fn check_content_digest(check_content: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(normalize(check_content).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_string()
}

/// Why a rule's review was or was not carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Same STIG ID and check text: the review was carried.
    Carried,
    /// Same STIG ID, different check text: Not_Reviewed, old review kept under the marker.
    CheckChanged,
    /// The old checklist holds no check text for the rule, so an unchanged check cannot be
    /// shown: treated as changed.
    CheckUnknown,
    /// Found only by Rule ID without revision or Vuln ID (the STIG ID changed): treated as changed.
    StigIdChanged,
    /// New in this release.
    Added,
    /// Gone from this release (its review is in this report).
    Removed,
}

/// One rule of the upgrade report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleLine {
    /// What happened.
    pub outcome: Outcome,
    /// The STIG ID (the new one; the old one for removed rules).
    pub stig_id: String,
    /// The new Rule ID (empty for removed rules).
    pub rule_id: String,
    /// The old Rule ID (empty for added rules).
    pub old_rule_id: String,
    /// The old status (CKL spelling; empty for added rules).
    pub old_status: String,
    /// The status in the new checklist (empty for removed rules).
    pub new_status: String,
    /// The old review's human text (details, comments, override justification), for rules whose
    /// review was not carried; empty otherwise.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub old_review: String,
}

/// What an upgrade did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpgradeReport {
    /// The STIG (`stigid`).
    pub stig: String,
    /// The release of the old checklist (`V2R5`).
    pub from: String,
    /// The release of the benchmark (`V2R6`).
    pub to: String,
    /// One line per rule of either release (carried ones included).
    pub rules: Vec<RuleLine>,
    /// Checklist-level notes.
    pub notes: Vec<String>,
}

impl UpgradeReport {
    /// How many rules had the outcome.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.rules.iter().filter(|r| r.outcome == outcome).count()
    }

    /// Rules whose review was not carried although they exist in both releases.
    pub fn needs_review(&self) -> usize {
        self.rules
            .iter()
            .filter(|r| {
                matches!(
                    r.outcome,
                    Outcome::CheckChanged | Outcome::CheckUnknown | Outcome::StigIdChanged
                )
            })
            .count()
    }

    /// One line for stderr and batch notes.
    pub fn summary(&self) -> String {
        if self.from == self.to {
            return format!(
                "STIG {} is already {}; nothing to upgrade",
                self.stig, self.to
            );
        }
        let rules = |n: usize| format!("{n} rule{}", if n == 1 { "" } else { "s" });
        format!(
            "STIG {} upgraded from {} to {}: {} carried with their reviews, {} to re-review (check text changed), {} added, {} removed",
            self.stig,
            self.from,
            self.to,
            rules(self.count(Outcome::Carried)),
            rules(self.needs_review()),
            self.count(Outcome::Added),
            self.count(Outcome::Removed)
        )
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The report as text: the summary, then the rules that were not simply carried.
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n", self.summary());
        for note in &self.notes {
            out.push_str(&format!("note: {note}\n"));
        }
        let sections = [
            (
                Outcome::CheckChanged,
                "Check text changed (now Not_Reviewed; old review kept in COMMENTS)",
            ),
            (
                Outcome::CheckUnknown,
                "No old check text to compare (now Not_Reviewed; old review kept in COMMENTS)",
            ),
            (
                Outcome::StigIdChanged,
                "STIG ID changed (now Not_Reviewed; old review kept in COMMENTS)",
            ),
            (Outcome::Added, "Added in the new release"),
            (Outcome::Removed, "Removed from the new release"),
        ];
        for (outcome, title) in sections {
            let lines: Vec<&RuleLine> =
                self.rules.iter().filter(|r| r.outcome == outcome).collect();
            if lines.is_empty() {
                continue;
            }
            out.push_str(&format!("\n{title}: {}\n", lines.len()));
            for r in lines {
                let ids = match outcome {
                    Outcome::Added => format!("{} {}", r.stig_id, r.rule_id),
                    Outcome::Removed => format!("{} {}", r.stig_id, r.old_rule_id),
                    _ => format!("{} {} (was {})", r.stig_id, r.rule_id, r.old_rule_id),
                };
                let status = if r.old_status.is_empty() {
                    String::new()
                } else {
                    format!(" old status {}", r.old_status)
                };
                out.push_str(&format!("  {ids}{status}\n"));
                for line in r.old_review.lines() {
                    out.push_str(&format!("      | {line}\n"));
                }
            }
        }
        out
    }
}

/// Upgrades the STIG of `old` whose `stigid` is `benchmark.id` to `benchmark`'s release (see
/// the module doc). Errors when the checklist has no such STIG.
pub fn upgrade(old: &Checklist, benchmark: &Benchmark) -> Result<(Checklist, UpgradeReport)> {
    upgrade_from(old, benchmark, None)
}

/// [`upgrade`], with the old release's benchmark giving the check text of rules the old
/// checklist holds none for (a checklist made from the catalog): its rule of the same Rule ID,
/// revision included, is taken.
pub fn upgrade_from(
    old: &Checklist,
    benchmark: &Benchmark,
    old_release: Option<&Benchmark>,
) -> Result<(Checklist, UpgradeReport)> {
    let position = old
        .stigs
        .iter()
        .position(|s| stig_key(s) == benchmark.id)
        .ok_or_else(|| {
            Error::Usage(format!(
                "the checklist has no STIG {} to upgrade (it holds: {})",
                benchmark.id,
                old.stigs
                    .iter()
                    .map(|s| format!("{} {}", stig_key(s), release_of(s)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let old_stig = &old.stigs[position];
    let mut report = UpgradeReport {
        stig: benchmark.id.clone(),
        from: release_of(old_stig),
        to: benchmark.revision(),
        ..UpgradeReport::default()
    };
    if report.from == report.to {
        return Ok((old.clone(), report));
    }
    let mut new_stig = ChecklistStig::from_benchmark(benchmark);
    keep_uuids(old_stig, &mut new_stig);
    let index = OldIndex::new(old_stig);
    let mut used = HashSet::new();
    for (vuln, rule) in new_stig.vulns.iter_mut().zip(&benchmark.rules) {
        let Some((i, by_stig_id)) = index.find(rule).filter(|(i, _)| !used.contains(i)) else {
            report.rules.push(RuleLine {
                outcome: Outcome::Added,
                stig_id: rule.stig_id.clone(),
                rule_id: rule.rule_id.clone(),
                old_rule_id: String::new(),
                old_status: String::new(),
                new_status: Status::NotReviewed.ckl().into(),
                old_review: String::new(),
            });
            continue;
        };
        used.insert(i);
        let before = &old_stig.vulns[i];
        let outcome = if !by_stig_id {
            Outcome::StigIdChanged
        } else {
            match same_check(before, rule, old_release) {
                Some(true) => Outcome::Carried,
                Some(false) => Outcome::CheckChanged,
                None => Outcome::CheckUnknown,
            }
        };
        let old_review = if outcome == Outcome::Carried {
            carry(before, vuln);
            String::new()
        } else {
            keep_old_review(before, vuln, &report.from)
        };
        report.rules.push(RuleLine {
            outcome,
            stig_id: rule.stig_id.clone(),
            rule_id: rule.rule_id.clone(),
            old_rule_id: before.rule_id().to_string(),
            old_status: before.status.ckl().into(),
            new_status: vuln.status.ckl().into(),
            old_review,
        });
    }
    for (i, before) in old_stig.vulns.iter().enumerate() {
        if !used.contains(&i) {
            report.rules.push(RuleLine {
                outcome: Outcome::Removed,
                stig_id: before.stig_id().to_string(),
                rule_id: String::new(),
                old_rule_id: before.rule_id().to_string(),
                old_status: before.status.ckl().into(),
                new_status: String::new(),
                old_review: review_text(before),
            });
        }
    }
    if old.cklb_document.is_some() {
        report.notes.push(
            "the CKLB is written anew (rule UUIDs follow the new release); the ASSET and other STIGs are kept".into(),
        );
    }
    let mut upgraded = old.clone();
    upgraded.stigs[position] = new_stig;
    upgraded.cklb_document = None;
    Ok((upgraded, report))
}

/// Reuses the old STIG's `uuid` and `STIG_UUID`, so that the upgrade is deterministic.
fn keep_uuids(old: &ChecklistStig, new: &mut ChecklistStig) {
    if let Some(uuid) = old
        .info
        .iter()
        .find(|(n, _)| n == "uuid")
        .map(|(_, v)| v.clone())
        && let Some(slot) = new.info.iter_mut().find(|(n, _)| n == "uuid")
    {
        slot.1 = uuid;
    }
    let stig_uuid = old
        .vulns
        .iter()
        .map(|v| v.attr("STIG_UUID"))
        .find(|u| !u.is_empty());
    if let Some(stig_uuid) = stig_uuid {
        for vuln in &mut new.vulns {
            for (name, value) in &mut vuln.stig_data {
                if name == "STIG_UUID" {
                    *value = stig_uuid.to_string();
                }
            }
        }
    }
}

/// The old rules by STIG ID, Rule ID without revision and Vuln ID.
struct OldIndex {
    by_stig_id: HashMap<String, usize>,
    by_base: HashMap<String, usize>,
    by_vuln: HashMap<String, usize>,
}

impl OldIndex {
    fn new(stig: &ChecklistStig) -> OldIndex {
        let mut index = OldIndex {
            by_stig_id: HashMap::new(),
            by_base: HashMap::new(),
            by_vuln: HashMap::new(),
        };
        for (i, v) in stig.vulns.iter().enumerate() {
            if !v.stig_id().is_empty() {
                index.by_stig_id.entry(v.stig_id().to_string()).or_insert(i);
            }
            if !v.rule_id().is_empty() {
                index
                    .by_base
                    .entry(rule_id_base(v.rule_id()).to_string())
                    .or_insert(i);
            }
            if !v.vuln_num().is_empty() {
                index.by_vuln.entry(v.vuln_num().to_string()).or_insert(i);
            }
        }
        index
    }

    /// The old rule for `rule`, and whether it was found by STIG ID.
    fn find(&self, rule: &Rule) -> Option<(usize, bool)> {
        if let Some(&i) = self.by_stig_id.get(&rule.stig_id) {
            return Some((i, true));
        }
        self.by_base
            .get(rule.rule_id_base())
            .or_else(|| self.by_vuln.get(&rule.group_id))
            .map(|&i| (i, false))
    }
}

/// Whether the old rule's check text equals the new rule's; `None` when neither the old
/// checklist nor `old_release` holds it, or the new rule has neither text nor digest.
fn same_check(old: &Vuln, rule: &Rule, old_release: Option<&Benchmark>) -> Option<bool> {
    let mut old_text = old.attr("Check_Content");
    if old_text.trim().is_empty() {
        let from_release = old_release?
            .rules
            .iter()
            .find(|r| !old.rule_id().is_empty() && r.rule_id == old.rule_id())?;
        old_text = &from_release.check_content;
        if old_text.trim().is_empty() {
            // Both from the catalog: the digests of the raw check texts still compare.
            let (a, b) = (&from_release.check_digest, &rule.check_digest);
            return (!a.is_empty() && !b.is_empty()).then(|| a.eq_ignore_ascii_case(b));
        }
    }
    if !rule.check_content.trim().is_empty() {
        return Some(check_content_digest(old_text) == check_content_digest(&rule.check_content));
    }
    if rule.check_digest.is_empty() {
        return None;
    }
    let digest = &rule.check_digest;
    Some(
        crate::benchmark::check_digest(old_text).eq_ignore_ascii_case(digest)
            || check_content_digest(old_text)
                .get(..digest.len())
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case(digest)),
    )
}

/// Copies the review fields byte for byte.
fn carry(old: &Vuln, new: &mut Vuln) {
    new.status = old.status;
    new.finding_details = old.finding_details.clone();
    new.comments = old.comments.clone();
    new.severity_override = old.severity_override.clone();
    new.severity_justification = old.severity_justification.clone();
}

/// The old review in words: status, details, comments, severity override.
fn review_text(old: &Vuln) -> String {
    let mut out = String::new();
    let has_review = old.status != Status::NotReviewed
        || !old.finding_details.trim().is_empty()
        || !old.comments.trim().is_empty()
        || !old.severity_override.trim().is_empty()
        || !old.severity_justification.trim().is_empty();
    if !has_review {
        return out;
    }
    out.push_str(&format!("Status: {}\n", old.status.ckl()));
    if !old.severity_override.trim().is_empty() || !old.severity_justification.trim().is_empty() {
        out.push_str(&format!(
            "Severity override: {}\nSeverity justification:\n{}\n",
            old.severity_override, old.severity_justification
        ));
    }
    if !old.finding_details.trim().is_empty() {
        out.push_str(&format!("Finding details:\n{}\n", old.finding_details));
    }
    if !old.comments.trim().is_empty() {
        out.push_str(&format!("Comments:\n{}\n", old.comments));
    }
    out
}

/// Leaves `new` Not_Reviewed and puts the old review under the marker; returns its text.
fn keep_old_review(old: &Vuln, new: &mut Vuln, from: &str) -> String {
    let review = review_text(old);
    if review.is_empty() {
        return review;
    }
    let begin = format!("{KEPT_BEGIN}\nRelease: {from}, Rule ID {}", old.rule_id());
    let block = format!("{begin}\n{review}{KEPT_END}");
    if block.chars().count() <= MAX_TEXT_CHARS {
        new.comments = block;
    } else {
        let mut rest = old.clone();
        rest.finding_details.clear();
        new.comments = format!("{begin}\n{}{KEPT_END}", review_text(&rest));
        new.finding_details = format!(
            "{begin}\nFinding details:\n{}\n{KEPT_END}",
            old.finding_details
        );
    }
    review
}

#[cfg(test)]
mod tests {
    use super::*;

    fn benchmark(release: &str, rules: &[(&str, &str, &str)]) -> Benchmark {
        Benchmark {
            id: "EX_TEST".into(),
            title: "Test".into(),
            version: "2".into(),
            release_info: format!("Release: {release} Benchmark Date: 1 Jan 2026"),
            rules: rules
                .iter()
                .map(|(stig_id, rule_id, check)| Rule {
                    group_id: format!("V-{}", stig_id.rsplit('-').next().unwrap_or("")),
                    rule_id: rule_id.to_string(),
                    stig_id: stig_id.to_string(),
                    check_content: check.to_string(),
                    check_digest: crate::benchmark::check_digest(check),
                    ..Rule::default()
                })
                .collect(),
            ..Benchmark::default()
        }
    }

    fn reviewed(b: &Benchmark) -> Checklist {
        let mut stig = ChecklistStig::from_benchmark(b);
        for v in &mut stig.vulns {
            v.status = Status::NotAFinding;
            v.comments = format!("reviewed {}", v.stig_id());
            v.finding_details = "seen by a person".into();
        }
        Checklist {
            stigs: vec![stig],
            ..Checklist::default()
        }
    }

    #[test]
    fn carries_unchanged_and_flags_changed_added_removed() {
        let old = benchmark(
            "5",
            &[
                ("EX-001", "SV-1r1_rule", "Run Get-X.\r\n"),
                ("EX-002", "SV-2r1_rule", "Run Get-Y."),
                ("EX-003", "SV-3r1_rule", "Gone."),
            ],
        );
        let new = benchmark(
            "6",
            &[
                ("EX-001", "SV-1r2_rule", "  Run Get-X.\n"),
                ("EX-002", "SV-2r2_rule", "Run Get-Y with Z."),
                ("EX-004", "SV-4r1_rule", "New."),
            ],
        );
        let (up, report) = upgrade(&reviewed(&old), &new).unwrap();
        let v = &up.stigs[0].vulns;
        assert_eq!(v[0].status, Status::NotAFinding);
        assert_eq!(v[0].comments, "reviewed EX-001");
        assert_eq!(v[0].rule_id(), "SV-1r2_rule");
        assert_eq!(v[1].status, Status::NotReviewed);
        assert!(v[1].comments.starts_with(KEPT_BEGIN), "{}", v[1].comments);
        assert!(v[1].comments.contains("reviewed EX-002"));
        assert_eq!(v[2].status, Status::NotReviewed);
        assert_eq!(report.count(Outcome::Carried), 1);
        assert_eq!(report.count(Outcome::CheckChanged), 1);
        assert_eq!(report.count(Outcome::Added), 1);
        assert_eq!(report.count(Outcome::Removed), 1);
        assert!(report.to_text().contains("reviewed EX-003"));
        let (again, report2) = upgrade(&up, &new).unwrap();
        assert_eq!(again, up);
        assert_eq!(report2.from, report2.to);
    }

    #[test]
    fn catalog_benchmark_compares_the_short_digest() {
        let old = benchmark(
            "5",
            &[
                ("EX-001", "SV-1r1_rule", "Same."),
                ("EX-002", "SV-2r1_rule", "Old."),
            ],
        );
        let mut new = benchmark(
            "6",
            &[
                ("EX-001", "SV-1r2_rule", "Same."),
                ("EX-002", "SV-2r2_rule", "New."),
            ],
        );
        for r in &mut new.rules {
            r.check_content.clear();
        }
        let (_, report) = upgrade(&reviewed(&old), &new).unwrap();
        assert_eq!(report.rules[0].outcome, Outcome::Carried);
        assert_eq!(report.rules[1].outcome, Outcome::CheckChanged);
    }

    #[test]
    fn digest_is_sha256_of_trimmed_lf_text() {
        assert_eq!(
            check_content_digest(" a\r\nb \n"),
            check_content_digest("a\nb")
        );
        assert_eq!(
            check_content_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
