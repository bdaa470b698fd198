//! Reviews in any of the formats exstig writes or reads (CKL, CKLB, XCCDF 1.1/1.2 results),
//! read as checklists, for the outputs that hand a review on (POA&M, eMASS test results).
//!
//! CKL and CKLB go through the checklist readers. An XCCDF results file is read twice: its
//! Benchmark part by the benchmark reader (ids, titles, severities, CCIs), its `TestResult` by a
//! small scan here (`target`, each `rule-result`'s `idref` and `result`).

use crate::checklist::{Checklist, ChecklistStig, Status};
use crate::error::{Error, Position, Result};
use quick_xml::events::Event;
use std::collections::HashMap;
use std::path::Path;

/// Reads a CKL, CKLB or XCCDF results file (told by content) as a checklist.
pub fn read(path: &Path) -> Result<Checklist> {
    let bytes = crate::fsio::read_bytes(path)?;
    let text = crate::fsio::decode_text(path, &bytes)?;
    if is_xccdf_results(&text) {
        return read_xccdf_results(path, &text);
    }
    match crate::merge::Format::of_text(&text) {
        Some(crate::merge::Format::Cklb) => crate::checklist::cklb::read(path, &text),
        Some(crate::merge::Format::Ckl) => crate::merge::read_ckl(path, &text),
        None => Err(Error::input(
            path,
            "neither a CKL (XML), a CKLB (JSON) nor XCCDF results",
        )),
    }
}

/// Whether a text is XML whose root element is an XCCDF `Benchmark` or `TestResult`.
pub fn is_xccdf_results(text: &str) -> bool {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if !head.starts_with('<') {
        return false;
    }
    let mut reader = quick_xml::Reader::from_str(head);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = e.local_name();
                return matches!(name.as_ref(), "Benchmark" | "TestResult");
            }
            Ok(Event::Eof) | Err(_) => return false,
            _ => {}
        }
    }
}

/// What the `TestResult` of an XCCDF results file says.
#[derive(Debug, Default)]
struct TestResult {
    /// `target` (the host name).
    target: String,
    /// `(rule idref without prefix, result)` in file order.
    results: Vec<(String, String)>,
}

/// Reads an XCCDF results document: every benchmark rule with the status of its `rule-result`
/// (`pass` NotAFinding, `fail` Open, `notapplicable` Not_Applicable, anything else Not_Reviewed).
pub fn read_xccdf_results(path: &Path, text: &str) -> Result<Checklist> {
    let filename = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let benchmark = crate::benchmark::parse_bytes(path, text.as_bytes(), &filename)?;
    let found = scan_test_result(path, text)?;
    if found.results.is_empty() {
        return Err(Error::input(
            path,
            "an XCCDF file without rule-result elements: it is a benchmark, not results",
        ));
    }
    let mut stig = ChecklistStig::from_benchmark(&benchmark);
    let by_rule: HashMap<&str, &str> = found
        .results
        .iter()
        .map(|(id, result)| (crate::benchmark::rule_id_base(id), result.as_str()))
        .collect();
    for vuln in &mut stig.vulns {
        let base = crate::benchmark::rule_id_base(vuln.rule_id());
        vuln.status = match by_rule.get(base).copied() {
            Some("pass") => Status::NotAFinding,
            Some("fail") => Status::Open,
            Some("notapplicable") => Status::NotApplicable,
            _ => Status::NotReviewed,
        };
    }
    let mut checklist = Checklist {
        stigs: vec![stig],
        ..Checklist::default()
    };
    checklist.asset.host_name = found.target;
    Ok(checklist)
}

/// Scans the `TestResult`: its `target` and `rule-result`s.
fn scan_test_result(path: &Path, text: &str) -> Result<TestResult> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut found = TestResult::default();
    let mut in_test_result = false;
    let mut open = String::new();
    let mut rule: Option<String> = None;
    loop {
        let at = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            Error::input_at(
                path,
                Position::of_offset(text, at),
                format!("not well-formed XML: {e}"),
            )
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name().as_ref().to_string();
                match name.as_str() {
                    "TestResult" => in_test_result = true,
                    "rule-result" if in_test_result => {
                        let idref = e
                            .attributes()
                            .flatten()
                            .find(|a| a.key.local_name().as_ref() == "idref")
                            .map(|a| a.value.to_string())
                            .unwrap_or_default();
                        let id = idref
                            .strip_prefix("xccdf_mil.disa.stig_rule_")
                            .unwrap_or(&idref)
                            .to_string();
                        rule = Some(id);
                    }
                    _ => {}
                }
                open = name;
            }
            Event::Text(t) if in_test_result => {
                let value = t.xml10_content().trim().to_string();
                match open.as_str() {
                    "target" if found.target.is_empty() => found.target = value,
                    "result" => {
                        if let Some(id) = rule.take() {
                            found.results.push((id, value));
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => {
                if e.local_name().as_ref() == "TestResult" {
                    in_test_result = false;
                }
                open.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(found)
}

/// The host a checklist is about: HOST_NAME, else the FQDN's first label, else the file stem.
pub fn host_of(checklist: &Checklist, path: &Path) -> String {
    let asset = &checklist.asset;
    let name = asset.host_name.trim();
    if !name.is_empty() {
        return name.to_string();
    }
    if let Some(first) = asset
        .host_fqdn
        .split('.')
        .next()
        .filter(|s| !s.trim().is_empty())
    {
        return first.trim().to_string();
    }
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}
