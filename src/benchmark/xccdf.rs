//! Streaming reader for DISA "Manual" XCCDF 1.1 benchmarks.
//!
//! Reads what STIG Viewer copies into a checklist: header facts and, per Group/Rule, ids,
//! severity, titles, the sub-fields DISA escapes inside `<description>`, CCIs, legacy ids, fix
//! and check text. Text is XML-decoded with line ends normalized as every XML parser does, and
//! never trimmed. A DOCTYPE is rejected and entities other than XML's five predefined ones are
//! errors: nothing is ever expanded, so "billion laughs" files cost nothing.

use super::{Benchmark, Rule, RuleDescription, Severity};
use crate::error::{Error, Position, Result};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use std::path::Path;

/// Prefixes XCCDF 1.2 (SCAP) benchmarks put before DISA's bare ids.
const ID_PREFIXES: [&str; 3] = [
    "xccdf_mil.disa.stig_benchmark_",
    "xccdf_mil.disa.stig_group_",
    "xccdf_mil.disa.stig_rule_",
];

/// Ident systems that carry CCIs (current and pre-2018 spelling).
const CCI_SYSTEMS: [&str; 2] = ["http://cyber.mil/cci", "http://iase.disa.mil/cci"];

/// Ident system of legacy (pre-DPMS) ids.
const LEGACY_SYSTEM: &str = "http://cyber.mil/legacy";

/// Parses the XCCDF document `text`; `path` names the input in errors and `filename` is the
/// benchmark file name as DISA ships it (SI_DATA `filename`).
pub fn parse(path: &Path, text: &str, filename: &str) -> Result<Benchmark> {
    let mut parser = Parser {
        path,
        text,
        stack: Vec::new(),
        buffer: String::new(),
        benchmark: Benchmark {
            filename: filename.to_string(),
            ..Benchmark::default()
        },
        group: None,
        rule: None,
        ident_system: String::new(),
        plain_text_id: String::new(),
    };
    parser.run()?;
    parser.finish()
}

/// The Group being read: its id and title.
struct Group {
    id: String,
    title: String,
}

/// Parser state while streaming through the document.
struct Parser<'a> {
    path: &'a Path,
    text: &'a str,
    /// Local names of the open elements, root first.
    stack: Vec<String>,
    /// Decoded text of the innermost open element.
    buffer: String,
    benchmark: Benchmark,
    group: Option<Group>,
    rule: Option<Rule>,
    /// `system` of the open `<ident>`.
    ident_system: String,
    /// `id` of the open `<plain-text>`.
    plain_text_id: String,
}

impl Parser<'_> {
    fn run(&mut self) -> Result<()> {
        let mut reader = Reader::from_str(self.text);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        loop {
            // Events are reported at their first byte.
            let at = offset(reader.buffer_position());
            let event = match reader.read_event() {
                Ok(event) => event,
                Err(e) => {
                    let at = offset(reader.error_position());
                    return Err(self.error_at(at, format!("not well-formed XML: {e}{}", hint(&e))));
                }
            };
            match event {
                Event::DocType(_) => {
                    return Err(self.error_at(
                        at,
                        "the file has a DOCTYPE declaration; DISA benchmarks have none, and exstig \
                         refuses document type definitions so that no entity is ever expanded",
                    ));
                }
                Event::Start(start) => self.open(&start, at)?,
                Event::Empty(start) => {
                    self.open(&start, at)?;
                    self.close();
                }
                Event::End(_) => self.close(),
                Event::Text(text) => {
                    let content = text.xml10_content();
                    if self.stack.is_empty() && !content.trim().is_empty() {
                        return Err(
                            self.error_at(at, "not an XML document: text outside any element")
                        );
                    }
                    self.buffer.push_str(&content);
                }
                Event::CData(data) => self.buffer.push_str(&data.xml10_content()),
                Event::GeneralRef(reference) => {
                    let resolved = crate::xml::resolve_entity(&reference)
                        .map_err(|message| self.error_at(at, message))?;
                    self.buffer.push(resolved);
                }
                Event::Eof => {
                    return match self.stack.last() {
                        Some(open) => Err(self.error_at(
                            self.text.len(),
                            format!("the document ends inside <{open}>: the file is truncated"),
                        )),
                        None => Ok(()),
                    };
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            }
        }
    }

    /// Handles a start (or empty) tag at byte offset `at`.
    fn open(&mut self, start: &BytesStart, at: usize) -> Result<()> {
        let name = start.local_name().as_ref().to_string();
        let attr = |key: &str| attribute(start, key);
        match (self.stack.len(), name.as_str()) {
            (0, "Benchmark") => self.benchmark.id = strip_id_prefix(&attr("id")).to_string(),
            (0, other) => {
                return Err(self.error_at(
                    at,
                    format!(
                        "not an XCCDF benchmark: the root element is <{other}>, a DISA STIG \
                         benchmark has <Benchmark>"
                    ),
                ));
            }
            (1, "status") => self.benchmark.status_date = attr("date"),
            (1, "notice") => self.benchmark.notice = attr("id"),
            (_, "plain-text") => self.plain_text_id = attr("id"),
            (_, "Group") => {
                self.group = Some(Group {
                    id: strip_id_prefix(&attr("id")).to_string(),
                    title: String::new(),
                })
            }
            (_, "Rule") => {
                let group = self.group.as_ref();
                self.rule = Some(Rule {
                    group_id: group.map(|g| g.id.clone()).unwrap_or_default(),
                    group_title: group.map(|g| g.title.clone()).unwrap_or_default(),
                    rule_id: strip_id_prefix(&attr("id")).to_string(),
                    severity: Severity::parse(&attr("severity")),
                    weight: attr("weight"),
                    ..Rule::default()
                })
            }
            (_, "ident") => self.ident_system = attr("system"),
            (_, "check-content-ref") => {
                if let Some(rule) = self
                    .rule
                    .as_mut()
                    .filter(|r| r.check_content_ref_name.is_empty())
                {
                    rule.check_content_ref_name = attr("name");
                    rule.check_content_ref_href = attr("href");
                }
            }
            _ => {}
        }
        self.stack.push(name);
        self.buffer.clear();
        Ok(())
    }

    /// Handles the end of the innermost element: stores its text where it belongs.
    fn close(&mut self) {
        let text = std::mem::take(&mut self.buffer);
        let depth = self.stack.len();
        let name = self.stack.last().map(String::as_str).unwrap_or("");
        let parent = depth
            .checked_sub(2)
            .and_then(|i| self.stack.get(i))
            .map(String::as_str)
            .unwrap_or("");
        if let Some(rule) = self.rule.as_mut() {
            match (parent, name) {
                ("Rule", "title") => rule.title = text,
                ("Rule", "version") => rule.stig_id = text,
                ("Rule", "description") => rule.description = RuleDescription::from_escaped(&text),
                ("Rule", "fixtext") if rule.fix_text.is_empty() => rule.fix_text = text,
                ("Rule", "ident") if CCI_SYSTEMS.contains(&self.ident_system.as_str()) => {
                    rule.ccis.push(text)
                }
                ("Rule", "ident") if self.ident_system == LEGACY_SYSTEM => {
                    rule.legacy_ids.push(text)
                }
                ("check", "check-content") if rule.check_content.is_empty() => {
                    rule.check_content = text
                }
                ("reference", "identifier") if rule.target_key.is_empty() => rule.target_key = text,
                (_, "Rule") => {
                    if let Some(mut rule) = self.rule.take() {
                        // STIG Viewer writes the V- legacy id before the SV- one.
                        rule.legacy_ids.sort_by_key(|id| !id.starts_with("V-"));
                        rule.check_digest = super::check_digest(&rule.check_content);
                        self.benchmark.rules.push(rule);
                    }
                }
                _ => {}
            }
        } else {
            let benchmark = &mut self.benchmark;
            match (depth, parent, name) {
                (_, "Group", "title") => {
                    if let Some(group) = self.group.as_mut() {
                        group.title = text;
                    }
                }
                (_, _, "Group") => self.group = None,
                (2, _, "title") => benchmark.title = text,
                (2, _, "version") => benchmark.version = text,
                (2, _, "description") => benchmark.description = text,
                (2, _, "plain-text") if self.plain_text_id == "release-info" => {
                    benchmark.release_info = text
                }
                (3, "reference", "source") => benchmark.source = text,
                _ => {}
            }
        }
        self.stack.pop();
    }

    /// Checks that what was read is a DISA benchmark.
    fn finish(self) -> Result<Benchmark> {
        let benchmark = self.benchmark;
        let problem = if benchmark.id.is_empty() && benchmark.rules.is_empty() {
            Some("not an XCCDF benchmark: no <Benchmark id=...> with Group/Rule elements")
        } else if benchmark.rules.is_empty() {
            Some("XCCDF benchmark without any Group/Rule: not a DISA STIG benchmark")
        } else if benchmark.id.is_empty() {
            Some("the <Benchmark> element has no id: not a DISA STIG benchmark")
        } else if benchmark
            .rules
            .iter()
            .any(|r| r.rule_id.is_empty() || r.group_id.is_empty())
        {
            Some("a Rule without an id or outside a Group: not a DISA STIG benchmark")
        } else {
            None
        };
        match problem {
            Some(message) => Err(Error::input(self.path, message)),
            None => Ok(benchmark),
        }
    }

    fn error_at(&self, offset: usize, message: impl Into<String>) -> Error {
        Error::input_at(self.path, Position::of_offset(self.text, offset), message)
    }
}

impl RuleDescription {
    /// Splits a decoded rule `<description>` (DISA's escaped pseudo-XML) into its sub-fields: for
    /// each, the text between the opening tag and the next closing tag, untrimmed, as STIG Viewer
    /// copies it. A missing tag gives an empty field.
    pub fn from_escaped(description: &str) -> RuleDescription {
        let field = |tag: &str| between(description, tag).to_string();
        RuleDescription {
            vuln_discussion: field("VulnDiscussion"),
            false_positives: field("FalsePositives"),
            false_negatives: field("FalseNegatives"),
            documentable: field("Documentable"),
            mitigations: field("Mitigations"),
            severity_override_guidance: field("SeverityOverrideGuidance"),
            potential_impacts: field("PotentialImpacts"),
            third_party_tools: field("ThirdPartyTools"),
            mitigation_control: field("MitigationControl"),
            responsibility: field("Responsibility"),
            ia_controls: field("IAControls"),
        }
    }
}

/// The text between `<tag>` and the next `</tag>` (non-greedy), or "" when absent.
fn between<'a>(text: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    text.split_once(open.as_str())
        .and_then(|(_, rest)| rest.split_once(close.as_str()))
        .map_or("", |(inner, _)| inner)
}

/// The decoded value of attribute `key` (local name), or "" when absent or undecodable.
fn attribute(start: &BytesStart, key: &str) -> String {
    start
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key)
        .and_then(|a| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
        .unwrap_or_default()
}

/// Removes the XCCDF 1.2 `xccdf_mil.disa.stig_<kind>_` prefix DISA's SCAP files carry.
fn strip_id_prefix(id: &str) -> &str {
    ID_PREFIXES
        .iter()
        .find_map(|p| id.strip_prefix(p))
        .unwrap_or(id)
}

/// A hint for errors that quick-xml raises only at the end of the input.
fn hint(error: &quick_xml::Error) -> &'static str {
    match error {
        quick_xml::Error::Syntax(e) if *e != quick_xml::errors::SyntaxError::InvalidBangMarkup => {
            " (the file ends in the middle of markup: truncated?)"
        }
        _ => "",
    }
}

fn offset(position: u64) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_fields_are_untrimmed_and_non_greedy() {
        let d = RuleDescription::from_escaped(
            "<VulnDiscussion> a\nb </VulnDiscussion><Documentable>false</Documentable><IAControls></IAControls>",
        );
        assert_eq!(d.vuln_discussion, " a\nb ");
        assert_eq!(d.documentable, "false");
        assert_eq!(d.mitigations, "");
    }

    #[test]
    fn prefixed_ids_are_stripped() {
        assert_eq!(
            strip_id_prefix("xccdf_mil.disa.stig_rule_SV-1r2_rule"),
            "SV-1r2_rule"
        );
        assert_eq!(strip_id_prefix("V-5"), "V-5");
    }
}
