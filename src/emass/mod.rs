//! Handing a review on to eMASS: the fleet's checklists rolled up per rule ([`FleetReview`]),
//! the POA&M spreadsheet ([`poam`]), test results per assessment procedure ([`test_results`])
//! and the eMASS REST API client ([`api`]).

pub mod api;
pub mod poam;
pub mod test_results;

use crate::cci::{CciTable, Revision};
use crate::checklist::{Checklist, Status, Vuln};
use crate::error::{Error, Result};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// One host's review of one rule.
#[derive(Debug, Clone)]
pub struct HostReview {
    /// The host (HOST_NAME, else the file name).
    pub host: String,
    /// The checklist file it came from.
    pub file: PathBuf,
    /// The status.
    pub status: Status,
    /// The first line of FINDING_DETAILS that says something (empty when none).
    pub finding: String,
    /// SEVERITY_OVERRIDE (empty when none).
    pub severity_override: String,
    /// SEVERITY_JUSTIFICATION.
    pub severity_justification: String,
    /// exstig's fix commands from COMMENTS (the lines after "Fix (Exchange Management Shell):").
    pub fix_commands: Vec<String>,
}

/// One rule of one STIG across the fleet.
#[derive(Debug, Clone)]
pub struct RuleReview {
    /// STIG title (SI_DATA `title`).
    pub stig_title: String,
    /// STIG id (`stigid`).
    pub stig_id: String,
    /// `version`.
    pub stig_version: String,
    /// `releaseinfo` (`Release: 3 Benchmark Date: ...`).
    pub release_info: String,
    /// Rule ID with revision.
    pub rule_id: String,
    /// Vuln ID.
    pub vuln_id: String,
    /// STIG ID (`Rule_Ver`).
    pub rule_ver: String,
    /// Rule title.
    pub title: String,
    /// DISA's severity (`high`, `medium`, `low`).
    pub severity: String,
    /// CCIs in checklist order.
    pub ccis: Vec<String>,
    /// The discussion (`Vuln_Discuss`), when the checklist has it.
    pub discussion: String,
    /// The fix text, when the checklist has it.
    pub fix_text: String,
    /// One review per host, in input order.
    pub hosts: Vec<HostReview>,
}

impl RuleReview {
    /// The CAT of a severity word: 1, 2, 3; 2 when unknown (eMASS needs a value; said in
    /// the comments).
    pub fn cat_of(severity: &str) -> u8 {
        match severity.trim().to_ascii_lowercase().as_str() {
            "high" | "critical" => 1,
            "low" => 3,
            _ => 2,
        }
    }

    /// DISA's CAT.
    pub fn raw_cat(&self) -> u8 {
        Self::cat_of(&self.severity)
    }

    /// The CAT of the item: the most severe of the open hosts' CATs, each host's being its
    /// severity override when it has one, else DISA's.
    pub fn effective_cat(&self) -> u8 {
        self.hosts
            .iter()
            .filter(|h| h.status == Status::Open)
            .map(|h| match h.severity_override.trim() {
                "" => self.raw_cat(),
                over => Self::cat_of(over),
            })
            .min()
            .unwrap_or_else(|| self.raw_cat())
    }

    /// The hosts with `status`.
    pub fn hosts_with(&self, status: Status) -> Vec<&HostReview> {
        self.hosts.iter().filter(|h| h.status == status).collect()
    }

    /// Whether any host has `status`.
    pub fn any(&self, status: Status) -> bool {
        self.hosts.iter().any(|h| h.status == status)
    }
}

/// The fleet's reviews, one entry per (STIG, rule), and what the inputs lacked.
#[derive(Debug, Clone, Default)]
pub struct FleetReview {
    /// Rules in first-seen order.
    pub rules: Vec<RuleReview>,
    /// MARKING values of the inputs, without repeats, in input order.
    pub markings: Vec<String>,
    /// The hosts, in input order.
    pub hosts: Vec<String>,
}

impl FleetReview {
    /// Reads every checklist (CKL, CKLB, XCCDF results) and rolls them up: read in parallel a
    /// chunk at a time, so that a fleet of full-text checklists never sits in memory whole. A
    /// file whose rules carry no CCI at all is refused: nothing could be mapped to a control.
    pub fn read(paths: &[PathBuf]) -> Result<FleetReview> {
        use rayon::prelude::*;
        const CHUNK: usize = 64;
        let mut fleet = FleetReview::default();
        let mut index: HashMap<(String, String), usize> = HashMap::new();
        for chunk in paths.chunks(CHUNK) {
            let checklists: Vec<Result<Checklist>> =
                chunk.par_iter().map(|p| crate::reviews::read(p)).collect();
            for (path, checklist) in chunk.iter().zip(checklists) {
                fleet.add(path, &checklist?, &mut index)?;
            }
        }
        Ok(fleet)
    }

    /// Adds one checklist.
    fn add(
        &mut self,
        path: &Path,
        checklist: &Checklist,
        index: &mut HashMap<(String, String), usize>,
    ) -> Result<()> {
        let host = crate::reviews::host_of(checklist, path);
        let marking = checklist.asset.marking.trim();
        if !marking.is_empty() && !self.markings.iter().any(|m| m == marking) {
            self.markings.push(marking.to_string());
        }
        if !self.hosts.contains(&host) {
            self.hosts.push(host.clone());
        }
        let vulns = checklist.stigs.iter().flat_map(|s| s.vulns.iter());
        if vulns.clone().count() > 0 && vulns.clone().all(|v| v.attrs("CCI_REF").next().is_none()) {
            return Err(Error::input(
                path,
                "no rule of this checklist carries a CCI (CCI_REF): nothing can be mapped to a control or assessment procedure; recreate the checklist from the DISA benchmark",
            ));
        }
        for stig in &checklist.stigs {
            for vuln in &stig.vulns {
                let key = (
                    stig.info("stigid").to_string(),
                    crate::benchmark::rule_id_base(vuln.rule_id()).to_string(),
                );
                let review = host_review(&host, path, vuln);
                match index.get(&key) {
                    // The same host's review read twice (its CKL and its XCCDF): the first counts.
                    Some(&i) if self.rules[i].hosts.iter().any(|h| h.host == host) => {}
                    Some(&i) => self.rules[i].hosts.push(review),
                    None => {
                        index.insert(key, self.rules.len());
                        self.rules.push(RuleReview {
                            stig_title: stig.info("title").to_string(),
                            stig_id: stig.info("stigid").to_string(),
                            stig_version: stig.info("version").to_string(),
                            release_info: stig.info("releaseinfo").to_string(),
                            rule_id: vuln.rule_id().to_string(),
                            vuln_id: vuln.vuln_num().to_string(),
                            rule_ver: vuln.stig_id().to_string(),
                            title: vuln.attr("Rule_Title").to_string(),
                            severity: vuln.attr("Severity").to_string(),
                            ccis: vuln
                                .attrs("CCI_REF")
                                .map(|c| c.trim().to_string())
                                .filter(|c| !c.is_empty())
                                .collect(),
                            discussion: vuln.attr("Vuln_Discuss").to_string(),
                            fix_text: vuln.attr("Fix_Text").to_string(),
                            hosts: vec![review],
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// "41 rules not reviewed on 3 hosts", or None when every rule was reviewed.
    pub fn not_reviewed_warning(&self) -> Option<String> {
        let rules = self
            .rules
            .iter()
            .filter(|r| r.any(Status::NotReviewed))
            .count();
        if rules == 0 {
            return None;
        }
        let hosts: BTreeSet<&str> = self
            .rules
            .iter()
            .flat_map(|r| r.hosts_with(Status::NotReviewed))
            .map(|h| h.host.as_str())
            .collect();
        Some(format!(
            "{rules} rule{} not reviewed on {} host{}",
            plural(rules),
            hosts.len(),
            plural(hosts.len())
        ))
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn host_review(host: &str, path: &Path, vuln: &Vuln) -> HostReview {
    let finding = vuln
        .finding_details
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .to_string();
    HostReview {
        host: host.to_string(),
        file: path.to_path_buf(),
        status: vuln.status,
        finding,
        severity_override: vuln.severity_override.clone(),
        severity_justification: vuln.severity_justification.clone(),
        fix_commands: fix_commands(&vuln.comments),
    }
}

/// The command lines exstig writes after "Fix (Exchange Management Shell):" in COMMENTS.
fn fix_commands(comments: &str) -> Vec<String> {
    let mut lines = comments.lines().map(str::trim);
    if !lines.any(|l| l == "Fix (Exchange Management Shell):") {
        return Vec::new();
    }
    lines
        .take_while(|l| is_cmdlet_line(l))
        .map(str::to_string)
        .collect()
}

/// Whether a line starts with a `Verb-Noun` cmdlet name.
fn is_cmdlet_line(line: &str) -> bool {
    let word = line.split_whitespace().next().unwrap_or("");
    match word.split_once('-') {
        Some((verb, noun)) => {
            !verb.is_empty()
                && !noun.is_empty()
                && verb.chars().all(|c| c.is_ascii_alphabetic())
                && verb.starts_with(|c: char| c.is_ascii_uppercase())
        }
        None => false,
    }
}

/// The assessment procedures of a rule's CCIs for `revision`, without repeats. An unknown CCI
/// is an error naming the file and rule. The second list names the CCIs left without an AP:
/// those the revision maps to a control but no AP, and, when the rule gets no AP at all, those
/// the revision does not map (DISA pairs a rev 4 CCI with its rev 5 successor in one rule, so
/// a CCI missing from one revision is normal while another CCI of the rule maps).
pub fn aps_of(
    rule: &RuleReview,
    table: &CciTable,
    revision: Revision,
) -> Result<(Vec<String>, Vec<String>)> {
    let mut aps: Vec<String> = Vec::new();
    let mut without: Vec<String> = Vec::new();
    let mut unmapped: Vec<String> = Vec::new();
    for cci in &rule.ccis {
        let Some(row) = table.get(cci) else {
            let file = rule
                .hosts
                .first()
                .map(|h| h.file.clone())
                .unwrap_or_default();
            return Err(Error::input(
                &file,
                format!(
                    "rule {} ({}) cites {cci}, which the CCI table ({}) does not know; give DISA's current list with --cci-list U_CCI_List.xml",
                    rule.rule_id, rule.rule_ver, table.source
                ),
            ));
        };
        let mapping = row.of(revision);
        if mapping.index.is_empty() {
            unmapped.push(cci.clone());
        } else if mapping.ap.is_empty() {
            without.push(cci.clone());
        } else if !aps.contains(&mapping.ap) {
            aps.push(mapping.ap.clone());
        }
    }
    if aps.is_empty() {
        without.extend(unmapped);
    }
    Ok((aps, without))
}

/// A date as eMASS's spreadsheets write it in text: `M/D/YYYY` with two-digit month and day.
pub fn us_date(date: chrono::NaiveDate) -> String {
    date.format("%m/%d/%Y").to_string()
}

/// Cuts `text` to at most `max` characters, ending with `...` when cut.
pub fn cap(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(3)).collect();
    out.push_str("...");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_commands_are_the_cmdlet_lines_after_the_header() {
        let comments = "Open: 1 of 2 connectors fail.\nFix (Exchange Management Shell):\nSet-ReceiveConnector -Identity 'A' -X 1\nIf the EDSP documents another value";
        assert_eq!(
            fix_commands(comments),
            vec!["Set-ReceiveConnector -Identity 'A' -X 1"]
        );
        assert!(fix_commands("no fix here").is_empty());
    }

    #[test]
    fn cap_keeps_short_text_and_marks_a_cut() {
        assert_eq!(cap("abc", 5), "abc");
        assert_eq!(cap("abcdefgh", 6), "abc...");
    }
}
