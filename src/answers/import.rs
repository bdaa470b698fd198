//! Converting an Evaluate-STIG answer file into `[[answer]]` entries
//! (`exstig answer import ANSWERFILE.xml --site site.toml`).
//!
//! The answer file: `<STIGComments Name="...">` holding `<Vuln ID="V-...">` (or a Rule ID), each
//! with `<AnswerKey Name="DEFAULT|...">`, each with `<Answer Index ExpectedStatus Hostname
//! Instance Database Site ResultHash>` (or, in the older layout, the answer's elements directly
//! in the key) and the elements `ValidationCode`, `ValidTrueStatus`, `ValidTrueComment`,
//! `ValidFalseStatus`, `ValidFalseComment`.
//!
//! Conversion, per answer: `ExpectedStatus` becomes `when_automatic`, `ValidTrueStatus` the
//! status (empty: the expected status is kept), `ValidTrueComment` the comment, `Hostname` the
//! `hosts`. What exstig cannot honour is said per entry: `ValidationCode` is PowerShell that
//! exstig never runs or keeps (the entry is imported with its ValidTrue outcome and a note to
//! confirm it by hand; its ValidFalse outcome is dropped); answers pinned to a `ResultHash`, an
//! `Instance`, `Database` or `Site`, answers without a comment, answers of other keys than the
//! chosen ones, and rules the benchmark does not have are not imported.

use super::{NewAnswer, entry_text, parse_status};
use crate::benchmark::Benchmark;
use crate::error::{Error, Position, Result};
use crate::site::AnswerStatus;
use crate::validate::xml::Element;
use std::path::Path;

/// What happened to one answer of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedEntry {
    /// The rule as the answer file names it (`V-259580`).
    pub vuln: String,
    /// The AnswerKey name.
    pub key: String,
    /// The Answer index (empty in the older layout).
    pub index: String,
    /// The converted entry, when it could be converted.
    pub answer: Option<NewAnswer>,
    /// Why it was not imported, or what was left out.
    pub notes: Vec<String>,
}

/// The result of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The answer file's STIG name (`STIGComments/@Name`).
    pub stig_name: String,
    /// One entry per answer found.
    pub entries: Vec<ImportedEntry>,
}

impl ImportReport {
    /// The TOML text of every converted entry.
    pub fn toml(&self) -> String {
        self.entries
            .iter()
            .filter_map(|e| e.answer.as_ref())
            .map(entry_text)
            .collect()
    }

    /// How many answers were converted.
    pub fn imported(&self) -> usize {
        self.entries.iter().filter(|e| e.answer.is_some()).count()
    }

    /// One line per answer: imported (with notes) or not, and why.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{} of {} answers of '{}' imported\n",
            self.imported(),
            self.entries.len(),
            self.stig_name
        );
        for e in &self.entries {
            let index = if e.index.is_empty() {
                String::new()
            } else {
                format!(" answer {}", e.index)
            };
            let what = match &e.answer {
                Some(a) => format!("imported as {} {}", a.rule, a.status.as_str()),
                None => "NOT imported".into(),
            };
            out.push_str(&format!("{} key '{}'{index}: {what}\n", e.vuln, e.key));
            for note in &e.notes {
                out.push_str(&format!("    {note}\n"));
            }
        }
        out
    }
}

/// Converts the answer file `text` (read from `path`) for `benchmark`, importing the answers of
/// the AnswerKeys named in `keys` (case-insensitive); see the module doc.
pub fn import(
    path: &Path,
    text: &str,
    benchmark: &Benchmark,
    keys: &[String],
) -> Result<ImportReport> {
    let root = crate::validate::xml::parse(text)
        .map_err(|e| Error::input_at(path, Position::of_offset(text, e.offset), e.message))?;
    if root.local_name() != "STIGComments" {
        return Err(Error::input_at(
            path,
            Position::of_offset(text, root.offset),
            format!(
                "<{}> is not an Evaluate-STIG answer file (its root element is <STIGComments>)",
                root.name
            ),
        ));
    }
    let mut report = ImportReport {
        stig_name: root.attr("Name").unwrap_or("").to_string(),
        entries: Vec::new(),
    };
    for vuln in root.children_named("Vuln") {
        let id = vuln.attr("ID").unwrap_or("").trim().to_string();
        let at = Position::of_offset(text, vuln.offset);
        if id.is_empty() {
            return Err(Error::input_at(path, at, "<Vuln> without an ID attribute"));
        }
        for key in vuln.children_named("AnswerKey") {
            let key_name = key.attr("Name").unwrap_or("").trim().to_string();
            let answers: Vec<&Element> = key.children_named("Answer").collect();
            let answers = if answers.is_empty() {
                vec![key]
            } else {
                answers
            };
            for answer in answers {
                let mut entry = ImportedEntry {
                    vuln: id.clone(),
                    key: key_name.clone(),
                    index: answer.attr("Index").unwrap_or("").to_string(),
                    answer: None,
                    notes: Vec::new(),
                };
                if !keys.iter().any(|k| k.eq_ignore_ascii_case(&key_name)) {
                    entry.notes.push(format!(
                        "AnswerKey '{key_name}' is not among the keys imported ({}); give --key '{key_name}' to import it",
                        keys.join(", ")
                    ));
                } else {
                    entry.answer = convert(path, text, answer, &id, benchmark, &mut entry.notes)?;
                }
                report.entries.push(entry);
            }
        }
    }
    Ok(report)
}

/// The value of an Answer attribute or, in the older layout, child element.
fn field<'a>(answer: &'a Element, name: &str) -> &'a str {
    answer
        .attr(name)
        .or_else(|| answer.child_text(name))
        .unwrap_or("")
        .trim()
}

fn convert(
    path: &Path,
    text: &str,
    answer: &Element,
    vuln: &str,
    benchmark: &Benchmark,
    notes: &mut Vec<String>,
) -> Result<Option<NewAnswer>> {
    let at = Position::of_offset(text, answer.offset);
    let status_of = |name: &str| -> Result<Option<AnswerStatus>> {
        match field(answer, name) {
            "" => Ok(None),
            value => parse_status(value).map(Some).ok_or_else(|| {
                Error::input_at(
                    path,
                    at,
                    format!(
                        "{name} '{value}' is not a status (NR, NF, O, NA or a checklist spelling)"
                    ),
                )
            }),
        }
    };
    let expected = status_of("ExpectedStatus")?.unwrap_or(AnswerStatus::NotReviewed);
    let valid_true = status_of("ValidTrueStatus")?;
    let Some(rule) = benchmark.find_rule(vuln) else {
        notes.push(format!(
            "{vuln} is not a rule of {} ({}); not imported",
            benchmark.title,
            benchmark.revision()
        ));
        return Ok(None);
    };
    for pinned in ["ResultHash", "Instance", "Database", "Site"] {
        let value = field(answer, pinned);
        if !value.is_empty() {
            notes.push(format!(
                "the answer is pinned to {pinned} '{value}', which exstig has no equivalent for; not imported (write an [[answer]] by hand if it holds for the whole server)"
            ));
            return Ok(None);
        }
    }
    let comment = field(answer, "ValidTrueComment");
    if comment.is_empty() {
        notes.push(
            "the answer has no ValidTrueComment; an exstig answer needs a comment; not imported"
                .into(),
        );
        return Ok(None);
    }
    let mut kept = Vec::new();
    let code = answer.child_text("ValidationCode").unwrap_or("").trim();
    if !code.is_empty() {
        let note = "ValidationCode is PowerShell, which exstig neither runs nor keeps: imported with the ValidTrue outcome; confirm by hand that it holds";
        notes.push(note.into());
        kept.push(format!("Evaluate-STIG {note}."));
        let false_status = field(answer, "ValidFalseStatus");
        let false_comment = field(answer, "ValidFalseComment");
        if !false_status.is_empty() || !false_comment.is_empty() {
            notes.push(format!(
                "the ValidFalse outcome (status '{false_status}') applies only when the ValidationCode returns false; dropped"
            ));
        }
    }
    let hosts: Vec<String> = field(answer, "Hostname")
        .split([',', ';', ' '])
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(String::from)
        .collect();
    Ok(Some(NewAnswer {
        rule: rule.stig_id.clone(),
        title: rule.title.clone(),
        hosts,
        status: valid_true.unwrap_or(expected),
        comment: comment.to_string(),
        answered_by: Some(format!(
            "Evaluate-STIG answer file {}",
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        )),
        expires: None,
        check_digest: rule.check_digest.clone(),
        when_automatic: Some(expected),
        notes: kept,
    }))
}
