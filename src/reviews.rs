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

/// One `rule-result`: what it says about its rule.
#[derive(Debug, Default)]
struct RuleResult {
    /// `idref` without DISA's prefix.
    id: String,
    /// `result` (`pass`, `fail`, ...).
    result: String,
    /// `@severity`.
    severity: String,
    /// `@version` (the STIG ID, as Evaluate-STIG writes it).
    version: String,
    /// The CCIs of its `ident`s.
    ccis: Vec<String>,
}

/// What an XCCDF results file says outside the benchmark's rules.
#[derive(Debug, Default)]
struct TestResult {
    /// `target` (the host name).
    target: String,
    /// The rule results in file order.
    results: Vec<RuleResult>,
    /// The Benchmark's `id`, `title`, `version` and release-info plain text.
    benchmark: [String; 4],
}

fn status_of(result: &str) -> Status {
    match result {
        "pass" => Status::NotAFinding,
        "fail" => Status::Open,
        "notapplicable" => Status::NotApplicable,
        _ => Status::NotReviewed,
    }
}

/// Reads an XCCDF results document: every benchmark rule with the status of its `rule-result`
/// (`pass` NotAFinding, `fail` Open, `notapplicable` Not_Applicable, anything else Not_Reviewed).
/// A document whose Benchmark has no rules (Evaluate-STIG's results, which carry the rule's
/// severity, STIG ID and CCIs on each `rule-result`) is read from its rule results alone.
pub fn read_xccdf_results(path: &Path, text: &str) -> Result<Checklist> {
    let filename = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let found = scan_test_result(path, text)?;
    if found.results.is_empty() {
        return Err(Error::input(
            path,
            "an XCCDF file without rule-result elements: it is a benchmark, not results",
        ));
    }
    let stig = match crate::benchmark::parse_bytes(path, text.as_bytes(), &filename) {
        Ok(benchmark) if !benchmark.rules.is_empty() => {
            let mut stig = ChecklistStig::from_benchmark(&benchmark);
            let by_rule: HashMap<&str, &str> = found
                .results
                .iter()
                .map(|r| (crate::benchmark::rule_id_base(&r.id), r.result.as_str()))
                .collect();
            for vuln in &mut stig.vulns {
                let base = crate::benchmark::rule_id_base(vuln.rule_id());
                vuln.status = status_of(by_rule.get(base).copied().unwrap_or(""));
            }
            stig
        }
        _ if found.results.iter().any(|r| !r.ccis.is_empty()) => from_rule_results(&found),
        Ok(_) => {
            return Err(Error::input(
                path,
                "the XCCDF results hold no rules and their rule-results name no CCI",
            ));
        }
        Err(e) => return Err(e),
    };
    let mut checklist = Checklist {
        stigs: vec![stig],
        ..Checklist::default()
    };
    checklist.asset.host_name = found.target;
    Ok(checklist)
}

/// A checklist STIG made from the rule results alone (ids, severity, STIG ID, CCIs).
fn from_rule_results(found: &TestResult) -> ChecklistStig {
    let [id, title, version, release] = &found.benchmark;
    let id = id
        .strip_prefix("xccdf_mil.disa.stig_benchmark_")
        .unwrap_or(id);
    let version_number = version
        .trim_start_matches('V')
        .split('R')
        .next()
        .unwrap_or("")
        .to_string();
    let info = [
        ("version", version_number),
        ("stigid", id.to_string()),
        ("releaseinfo", release.clone()),
        ("title", title.clone()),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_string(), Some(v)))
    .collect();
    let vulns = found
        .results
        .iter()
        .map(|r| {
            let mut data: Vec<(crate::checklist::AttributeName, String)> = vec![
                ("Vuln_Num".into(), String::new()),
                ("Severity".into(), r.severity.clone()),
                ("Rule_ID".into(), r.id.clone()),
                ("Rule_Ver".into(), r.version.clone()),
                ("Rule_Title".into(), r.version.clone()),
            ];
            data.extend(r.ccis.iter().map(|c| ("CCI_REF".into(), c.clone())));
            crate::checklist::Vuln {
                stig_data: data,
                status: status_of(&r.result),
                ..crate::checklist::Vuln::default()
            }
        })
        .collect();
    ChecklistStig {
        info,
        vulns,
        xml_comments: Vec::new(),
    }
}

/// Scans the document: the Benchmark's id, title, version and release info, and the
/// `TestResult`'s `target` and `rule-result`s.
fn scan_test_result(path: &Path, text: &str) -> Result<TestResult> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut found = TestResult::default();
    let mut in_test_result = false;
    let mut depth = 0usize;
    let mut open = String::new();
    let mut plain_text_id = String::new();
    let mut ident_system = String::new();
    let mut rule: Option<RuleResult> = None;
    let attr = |e: &quick_xml::events::BytesStart, key: &str| -> String {
        e.attributes()
            .flatten()
            .find(|a| a.key.local_name().as_ref() == key)
            .map(|a| a.value.to_string())
            .unwrap_or_default()
    };
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
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = e.local_name().as_ref().to_string();
                if depth == 0 && name == "Benchmark" {
                    found.benchmark[0] = attr(e, "id");
                }
                match name.as_str() {
                    "TestResult" => in_test_result = true,
                    "rule-result" if in_test_result => {
                        let idref = attr(e, "idref");
                        rule = Some(RuleResult {
                            id: idref
                                .strip_prefix("xccdf_mil.disa.stig_rule_")
                                .unwrap_or(&idref)
                                .to_string(),
                            severity: attr(e, "severity"),
                            version: attr(e, "version"),
                            ..RuleResult::default()
                        });
                    }
                    "plain-text" => plain_text_id = attr(e, "id"),
                    "ident" => ident_system = attr(e, "system"),
                    _ => {}
                }
                if matches!(event, Event::Start(_)) {
                    depth += 1;
                }
                open = name;
            }
            Event::Text(t) => {
                let value = t.xml10_content().trim().to_string();
                match open.as_str() {
                    "target" if in_test_result && found.target.is_empty() => found.target = value,
                    "result" => {
                        if let Some(r) = rule.as_mut() {
                            r.result = value;
                        }
                    }
                    "ident" if ident_system.ends_with("/cci") && value.starts_with("CCI-") => {
                        if let Some(r) = rule.as_mut() {
                            r.ccis.push(value);
                        }
                    }
                    "title" if depth == 2 && found.benchmark[1].is_empty() => {
                        found.benchmark[1] = value
                    }
                    "version" if depth == 2 && found.benchmark[2].is_empty() => {
                        found.benchmark[2] = value
                    }
                    "plain-text" if plain_text_id == "release-info" => found.benchmark[3] = value,
                    _ => {}
                }
            }
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                match e.local_name().as_ref() {
                    "TestResult" => in_test_result = false,
                    "rule-result" => {
                        if let Some(r) = rule.take() {
                            found.results.push(r);
                        }
                    }
                    _ => {}
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
