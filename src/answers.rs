//! Answers (`[[answer]]` in the site file): the site's standing answers to the rules no export
//! decides (documentation in the EDSP, procedures, approved products), written once and applied
//! at every evaluation. [`apply`] is the one place they act; `exstig answer add` and
//! `exstig answer import` write them ([`entry_text`], [`import`]).
//!
//! # Precedence (exceptions, answers, automatic results)
//!
//! 1. **An `[[exception]]` decides.** A rule named by any exception of the site file is decided
//!    by the exception (applied, refused or lapsed, as `evaluate` says); no answer is applied to
//!    it, and the answers that name it say so in COMMENTS.
//! 2. **An answer never hides a result exstig computed** unless it names that result: it applies
//!    only when the rule's automatic status equals its `when_automatic` (default
//!    `not_reviewed`). An answer written for an undecided rule therefore stops applying the day
//!    exstig finds the rule Open, and says so.
//! 3. **The most specific answer wins**: among the answers for the rule whose `when_automatic`
//!    matches, one whose `hosts` names the server beats one for every server; between equals,
//!    the first in the file. Only one answer applies to a rule.
//! 4. **A lapsed answer is not applied**: past its `expires` date, or written for another check
//!    text (`check_digest`). The comment says why, and the automatic result stands.
//!
//! An applied answer sets the status, puts its comment in COMMENTS (the automatic comment moves
//! to FINDING_DETAILS) and adds to FINDING_DETAILS "answered in site.toml line N".

use crate::benchmark::{Benchmark, Rule};
use crate::checklist::Status;
use crate::evaluate::{DETAILS_MARKER, RuleResult};
use crate::site::{Answer, AnswerStatus, Site, glob_matches, one_line, toml_string};
use chrono::NaiveDate;

/// Applies the site's answers to the evaluated `results` (one per rule of `benchmark`, in its
/// order) for the server `host` as of `today`, following the precedence of the module doc; adds
/// to `warnings` the answers that name no rule of the benchmark.
pub fn apply(
    site: &Site,
    benchmark: &Benchmark,
    host: Option<&str>,
    today: NaiveDate,
    results: &mut [RuleResult],
    warnings: &mut Vec<String>,
) {
    if site.answer.is_empty() {
        return;
    }
    // Each answer's and exception's rule, looked up once (not once per rule of the benchmark).
    let answered: Vec<Option<&str>> = site
        .answer
        .iter()
        .map(|a| benchmark.find_rule(&a.rule).map(|r| r.rule_id.as_str()))
        .collect();
    let excepted: Vec<(&str, usize)> = site
        .exception
        .iter()
        .filter_map(|e| Some((benchmark.find_rule(&e.rule)?.rule_id.as_str(), e.line)))
        .collect();
    for (answer, found) in site.answer.iter().zip(&answered) {
        if found.is_none() && may_belong(&answer.rule, benchmark) {
            warnings.push(format!(
                "{} line {}: [[answer]] rule \"{}\" is not a STIG ID, Vuln ID or Rule ID of {} ({}); the answer is ignored",
                site.display_name(),
                answer.line,
                answer.rule,
                benchmark.title,
                benchmark.revision()
            ));
        }
    }
    for (rule, result) in benchmark.rules.iter().zip(results.iter_mut()) {
        let answers: Vec<&Answer> = site
            .answer
            .iter()
            .zip(&answered)
            .filter(|(a, id)| *id == &Some(rule.rule_id.as_str()) && names_host(a, host))
            .map(|(a, _)| a)
            .collect();
        if answers.is_empty() {
            continue;
        }
        let exception = excepted
            .iter()
            .find(|(id, _)| *id == rule.rule_id)
            .map(|(_, line)| *line);
        apply_to_rule(site, rule, &answers, exception, today, result);
    }
}

/// Whether an id the benchmark lacks may still be meant for it: any Vuln or Rule ID, and a STIG
/// ID with the prefix of the benchmark's (`EX19-ED-`). A fleet's site file answers rules of
/// several STIGs; an Edge rule's answer is not a mistake in a Mailbox server's evaluation.
fn may_belong(id: &str, benchmark: &Benchmark) -> bool {
    let id = id.trim();
    let prefix = |s: &str| s.rsplit_once('-').map(|(p, _)| p.to_ascii_uppercase());
    if id.starts_with("V-") || id.starts_with("SV-") {
        return true;
    }
    let Some(wanted) = prefix(id) else {
        return true;
    };
    benchmark
        .rules
        .iter()
        .any(|r| prefix(&r.stig_id).is_some_and(|p| p == wanted))
}

/// Whether `answer` names the server `host` (by its `hosts` globs, on the full or the short
/// name); an answer without `hosts` names every server.
fn names_host(answer: &Answer, host: Option<&str>) -> bool {
    if answer.hosts.is_empty() {
        return true;
    }
    let Some(host) = host else {
        return false;
    };
    let short = host.split('.').next().unwrap_or(host);
    answer
        .hosts
        .iter()
        .any(|p| glob_matches(p, host) || glob_matches(p, short))
}

/// Applies the answers naming `rule` and the server (none empty); `exception` is the line of an
/// exception naming the rule, which then decides.
fn apply_to_rule(
    site: &Site,
    rule: &Rule,
    answers: &[&Answer],
    exception: Option<usize>,
    today: NaiveDate,
    result: &mut RuleResult,
) {
    let file = site.display_name();
    let mut notes = Vec::new();
    if let Some(exception_line) = exception {
        for a in answers {
            notes.push(format!(
                "The answer in {file} line {} is not used: the [[exception]] in line {} names this rule, and an exception decides.",
                a.line, exception_line
            ));
        }
        prepend_notes(result, &notes);
        return;
    }
    let automatic = result.status;
    let matching = answers
        .iter()
        .filter(|a| a.expected().status() == automatic)
        .min_by_key(|a| (a.hosts.is_empty(), a.line));
    let Some(answer) = matching else {
        for a in answers {
            notes.push(format!(
                "The answer in {file} line {} is written for automatic status {}; exstig found {}, so the answer is not used (add when_automatic = \"{}\" only if the answer holds for that result too).",
                a.line,
                a.expected().status().ckl(),
                automatic.ckl(),
                AnswerStatus::of(automatic).as_str()
            ));
        }
        prepend_notes(result, &notes);
        return;
    };
    if let Some(expires) = answer.expires
        && expires < today
    {
        notes.push(format!(
            "The answer in {file} line {} expired on {expires}; the automatic result stands. Review the answer and renew it.",
            answer.line
        ));
        prepend_notes(result, &notes);
        return;
    }
    if let Some(digest) = &answer.check_digest
        && !rule.check_digest.is_empty()
        && !digest.eq_ignore_ascii_case(&rule.check_digest)
    {
        notes.push(format!(
            "The answer in {file} line {} lapsed: the rule's check text changed since it was written (check_digest {digest}, now {}); review the rule and update the answer. The automatic result stands.",
            answer.line, rule.check_digest
        ));
        prepend_notes(result, &notes);
        return;
    }
    result.status = answer.status.status();
    // The answer is what the rule waited for (a person's word).
    if result.status != Status::NotReviewed {
        result.needs.clear();
    }
    if result.finding_details.is_empty() {
        result.finding_details = format!("{DETAILS_MARKER}\n");
    }
    if !result.finding_details.ends_with('\n') {
        result.finding_details.push('\n');
    }
    let mut said = format!(
        "Status {}: answered in {file} line {}",
        result.status.ckl(),
        answer.line
    );
    if let Some(by) = &answer.answered_by {
        said.push_str(&format!(" by {}", by.trim()));
    }
    if let Some(expires) = answer.expires {
        said.push_str(&format!("; expires {expires}"));
    }
    said.push_str(&format!(" (automatic status: {}).\n", automatic.ckl()));
    if answer.check_digest.is_none() && !rule.check_digest.is_empty() {
        said.push_str(&format!(
            "The answer records no check_digest: add check_digest = \"{}\" so that exstig notices when DISA changes this rule's check.\n",
            rule.check_digest
        ));
    }
    result.finding_details.push_str(&said);
    if !result.comments.trim().is_empty() {
        result.finding_details.push_str(&format!(
            "Automatic comment before the answer: {}\n",
            result.comments
        ));
    }
    result.comments = answer.comment.clone();
}

/// Puts notes about answers not used before the automatic comment.
fn prepend_notes(result: &mut RuleResult, notes: &[String]) {
    let mut comments = notes.join("\n");
    if !result.comments.is_empty() {
        comments = format!("{comments}\n{}", result.comments);
    }
    result.comments = comments;
}

/// A new `[[answer]]` entry, as `answer add` and `answer import` write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnswer {
    /// The rule's STIG ID.
    pub rule: String,
    /// The rule's title (written as a TOML comment above the entry).
    pub title: String,
    /// Host-name globs (empty: every server).
    pub hosts: Vec<String>,
    /// The status.
    pub status: AnswerStatus,
    /// The comment.
    pub comment: String,
    /// Who answered.
    pub answered_by: Option<String>,
    /// Last day the answer holds.
    pub expires: Option<NaiveDate>,
    /// The rule's current check digest.
    pub check_digest: String,
    /// The automatic status the answer may replace, when not `not_reviewed`.
    pub when_automatic: Option<AnswerStatus>,
    /// Lines written as TOML comments above the entry (what an import could not keep).
    pub notes: Vec<String>,
}

/// The TOML text of `answer`, starting with a blank line and a comment naming the rule.
pub fn entry_text(answer: &NewAnswer) -> String {
    let mut out = format!("\n# {}: {}\n", answer.rule, one_line(&answer.title));
    for note in &answer.notes {
        out.push_str(&format!("# {}\n", one_line(note)));
    }
    out.push_str("[[answer]]\n");
    out.push_str(&format!("rule = {}\n", toml_string(&answer.rule)));
    match answer.hosts.as_slice() {
        [] => {}
        [one] => out.push_str(&format!("hosts = {}\n", toml_string(one))),
        many => out.push_str(&format!(
            "hosts = [{}]\n",
            many.iter()
                .map(|h| toml_string(h))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    out.push_str(&format!("status = \"{}\"\n", answer.status.as_str()));
    if let Some(when) = answer
        .when_automatic
        .filter(|w| *w != AnswerStatus::NotReviewed)
    {
        out.push_str(&format!("when_automatic = \"{}\"\n", when.as_str()));
    }
    out.push_str(&format!("comment = {}\n", toml_string(&answer.comment)));
    if let Some(by) = &answer.answered_by {
        out.push_str(&format!("answered_by = {}\n", toml_string(by)));
    }
    if let Some(date) = answer.expires {
        out.push_str(&format!("expires = \"{date}\"\n"));
    }
    if !answer.check_digest.is_empty() {
        out.push_str(&format!("check_digest = \"{}\"\n", answer.check_digest));
    }
    out
}

mod import;
pub use import::{ImportReport, ImportedEntry, import};

/// Parses a status as Evaluate-STIG answer files and the checklists spell it: `NR`, `NF`, `O`,
/// `NA`, the CKL and CKLB spellings, and XCCDF's `pass`/`fail`/`notapplicable`/`notchecked`.
pub fn parse_status(text: &str) -> Option<AnswerStatus> {
    if let Some(status) = Status::parse(text) {
        return Some(AnswerStatus::of(status));
    }
    match text.trim().to_ascii_lowercase().as_str() {
        "nr" | "notchecked" | "not reviewed" => Some(AnswerStatus::NotReviewed),
        "nf" | "pass" | "notafinding" | "not a finding" => Some(AnswerStatus::NotAFinding),
        "o" | "fail" => Some(AnswerStatus::Open),
        "na" | "notapplicable" | "not applicable" => Some(AnswerStatus::NotApplicable),
        _ => None,
    }
}
