//! `exstig validate`: checks CKL, CKLB and XCCDF results files, ours or anyone's, against what
//! STIG Viewer, STIG Manager, MITRE's converters and eMASS need (research/formats.md §8).
//!
//! Each problem names its place: line and column for XML and broken JSON, the JSON path and
//! Rule ID for CKLB rules, and its [`Severity`]: an error when a consumer rejects the file, a
//! warning when one consumer mis-reads or drops part of it. A file that cannot be read at all
//! is an error of the run, not a problem.
//!
//! Nothing is accepted that exstig's own readers or `xmllint` refuse: the XML tree checks
//! well-formedness in full (names, attributes, characters, namespaces, nesting depth), and a
//! CKL or CKLB is also read with exstig's own reader.

pub mod ckl;
pub mod cklb;
pub mod xccdf;
pub mod xml;

use crate::error::{Error, Position, Result};
use std::fmt;
use std::path::{Path, PathBuf};

/// The kinds of file `exstig validate` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// STIG Viewer 2 XML checklist.
    Ckl,
    /// STIG Viewer 3 JSON checklist.
    Cklb,
    /// XCCDF 1.1 or 1.2 results.
    Xccdf,
    /// A DISA STIG benchmark (XCCDF without results): an input of `evaluate`, not an output.
    Benchmark,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Ckl => "CKL",
            Format::Cklb => "CKLB",
            Format::Xccdf => "XCCDF results",
            Format::Benchmark => "DISA benchmark",
        })
    }
}

/// Where in a file a problem sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The file as a whole.
    File,
    /// A line and column.
    At(Position),
    /// A named item: a JSON path, a Rule ID.
    Item(String),
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// One consumer mis-reads the file or drops part of it; the others take it.
    Warning,
    /// A consumer (STIG Viewer, STIG Manager, eMASS, MITRE's converters, oscap, exstig)
    /// rejects the file.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where it is.
    pub place: Place,
    /// Whether a consumer rejects the file or only mis-reads it.
    pub severity: Severity,
    /// What is wrong and which consumer it breaks.
    pub message: String,
}

/// The outcome of validating one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The file.
    pub path: PathBuf,
    /// What the file was recognized as (`None` when it is none of the three).
    pub format: Option<Format>,
    /// Problems in document order (per check family).
    pub problems: Vec<Problem>,
}

impl Report {
    /// One line per problem: `FILE:LINE:COLUMN: error: message`, `FILE: warning: ITEM: message`
    /// or `FILE: error: message`.
    pub fn lines(&self) -> Vec<String> {
        let file = self.path.display();
        self.problems
            .iter()
            .map(|p| {
                let (severity, message) = (p.severity, &p.message);
                match &p.place {
                    Place::File => format!("{file}: {severity}: {message}"),
                    Place::At(pos) => {
                        format!("{file}:{}:{}: {severity}: {message}", pos.line, pos.column)
                    }
                    Place::Item(item) => format!("{file}: {severity}: {item}: {message}"),
                }
            })
            .collect()
    }

    /// Whether any problem is an error (a consumer rejects the file).
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

/// What to check beyond what breaks a consumer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Also report reviews STIG Manager cannot submit under its default collection settings:
    /// an evaluated rule (pass, fail, not applicable) without finding details, an open rule
    /// without comments. They import, but only as "saved".
    pub submittable: bool,
}

/// Collects problems for one file, turning byte offsets into line and column.
pub struct Findings<'a> {
    text: &'a str,
    /// What to check.
    pub options: Options,
    /// The problems so far.
    pub problems: Vec<Problem>,
}

impl<'a> Findings<'a> {
    /// Findings about `text`.
    pub fn new(text: &'a str, options: Options) -> Self {
        Findings {
            text,
            options,
            problems: Vec::new(),
        }
    }

    /// An error at byte `offset` of the text.
    pub fn at(&mut self, offset: usize, message: impl Into<String>) {
        self.push(self.place_at(offset), Severity::Error, message);
    }

    /// A warning at byte `offset` of the text.
    pub fn warn_at(&mut self, offset: usize, message: impl Into<String>) {
        self.push(self.place_at(offset), Severity::Warning, message);
    }

    /// An error about a named item.
    pub fn item(&mut self, item: impl Into<String>, message: impl Into<String>) {
        self.push(Place::Item(item.into()), Severity::Error, message);
    }

    /// A warning about a named item.
    pub fn warn_item(&mut self, item: impl Into<String>, message: impl Into<String>) {
        self.push(Place::Item(item.into()), Severity::Warning, message);
    }

    /// An error about the whole file.
    pub fn file(&mut self, message: impl Into<String>) {
        self.push(Place::File, Severity::Error, message);
    }

    /// A warning about the whole file.
    pub fn warn_file(&mut self, message: impl Into<String>) {
        self.push(Place::File, Severity::Warning, message);
    }

    fn place_at(&self, offset: usize) -> Place {
        Place::At(Position::of_offset(self.text, offset))
    }

    fn push(&mut self, place: Place, severity: Severity, message: impl Into<String>) {
        self.problems.push(Problem {
            place,
            severity,
            message: message.into(),
        });
    }
}

/// Longest FINDING_DETAILS / COMMENTS STIG Viewer and STIG Manager keep.
pub const MAX_TEXT_CHARS: usize = crate::checklist::MAX_TEXT_CHARS;
/// Longest host name STIG Manager accepts.
pub const MAX_HOST_NAME_CHARS: usize = 255;

/// Reads and validates `path`. Errors only when the file cannot be read at all.
pub fn validate_file(path: &Path) -> Result<Report> {
    validate_file_with(path, Options::default())
}

/// [`validate_file`] with `options`.
pub fn validate_file_with(path: &Path, options: Options) -> Result<Report> {
    let bytes = crate::fsio::read_bytes(path)?;
    Ok(validate_bytes_with(path, &bytes, options))
}

/// Validates the contents of a file (`path` is used for the report and the extension).
pub fn validate_bytes(path: &Path, bytes: &[u8]) -> Report {
    validate_bytes_with(path, bytes, Options::default())
}

/// [`validate_bytes`] with `options`.
pub fn validate_bytes_with(path: &Path, bytes: &[u8], options: Options) -> Report {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let mut encoding_problems = Vec::new();
    let mut note = |message: &str| encoding_problems.push(file_problem(message));
    if bytes.starts_with(b"PK\x03\x04") {
        // A zip: DISA's benchmark download, or nothing validate reads.
        let (format, problem) = match crate::benchmark::parse_bytes(path, bytes, "") {
            Ok(benchmark) => (
                Some(Format::Benchmark),
                Problem {
                    severity: Severity::Warning,
                    ..file_problem(&format!(
                        "a DISA benchmark download ('{}' {}), not a checklist or results file: validate checks CKL, CKLB and XCCDF results; a benchmark is the input of `exstig evaluate --benchmark`",
                        benchmark.id,
                        benchmark.revision()
                    ))
                },
            ),
            Err(_) => (
                None,
                file_problem("a zip archive, not a CKL, CKLB or XCCDF results file"),
            ),
        };
        return Report {
            path: path.to_path_buf(),
            format,
            problems: vec![problem],
        };
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        note(
            "UTF-16 encoded: STIG Manager and MITRE hdf-converters read UTF-8 only; save it as UTF-8 without BOM",
        );
    }
    let text = match crate::fsio::decode_text(path, bytes) {
        Ok(text) => text,
        Err(e) => {
            note(&match e {
                Error::Input { message, .. } => message,
                other => other.to_string(),
            });
            return Report {
                path: path.to_path_buf(),
                format: None,
                problems: encoding_problems,
            };
        }
    };
    let has_utf8_bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    let trimmed = text.trim_start();
    let (format, mut problems) = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if has_utf8_bom {
            note(
                "starts with a UTF-8 byte order mark: JSON must not have one (RFC 8259); JavaScript's JSON.parse and Python's json reject it",
            );
        }
        (Some(Format::Cklb), cklb::check(&text, options))
    } else if trimmed.starts_with('<') {
        if has_utf8_bom {
            note(
                "starts with a UTF-8 byte order mark: MITRE hdf-converters (Heimdall, SAF CLI) fail on it (\"processing instruction at position 1 is an xml declaration\"); save without BOM",
            );
        }
        check_xml(&text, &extension, options)
    } else if text.trim().is_empty() {
        (None, vec![file_problem("the file is empty")])
    } else {
        (
            None,
            vec![file_problem(
                "neither XML nor JSON: not a CKL, CKLB or XCCDF results file",
            )],
        )
    };
    // Only when nothing else rejects the file: the reader's refusal would repeat it.
    let rejected = problems.iter().any(|p| p.severity == Severity::Error);
    if !rejected && let Some(problem) = reader_problem(path, &text, format) {
        problems.push(problem);
    }
    encoding_problems.append(&mut problems);
    Report {
        path: path.to_path_buf(),
        format,
        problems: encoding_problems,
    }
}

/// What exstig's own reader refuses in a CKL or CKLB the checks above let through (text or
/// elements where only text belongs, a bad reference), as an error.
fn reader_problem(path: &Path, text: &str, format: Option<Format>) -> Option<Problem> {
    let result = match format? {
        Format::Ckl => crate::checklist::ckl::read(path, text).map(drop),
        Format::Cklb => crate::checklist::cklb::read(path, text).map(drop),
        Format::Xccdf | Format::Benchmark => return None,
    };
    let Err(Error::Input {
        position, message, ..
    }) = result
    else {
        return None;
    };
    Some(Problem {
        place: position.map_or(Place::File, Place::At),
        severity: Severity::Error,
        message: format!("exstig's reader refuses the file: {message}"),
    })
}

fn file_problem(message: &str) -> Problem {
    Problem {
        place: Place::File,
        severity: Severity::Error,
        message: message.to_string(),
    }
}

/// Parses an XML file and dispatches on its root element.
fn check_xml(text: &str, extension: &str, options: Options) -> (Option<Format>, Vec<Problem>) {
    let mut findings = Findings::new(text, options);
    if let Some(at) = doctype_offset(text) {
        findings.at(
            at,
            "DOCTYPE declaration: checklists and results have none; its entity definitions are an XML external entity risk and readers that refuse them (exstig among them) reject the file",
        );
    }
    let root = match xml::parse(text) {
        Ok(root) => root,
        Err(e) => {
            findings.at(e.offset, e.message);
            let format = match extension {
                "ckl" => Some(Format::Ckl),
                "xml" => Some(Format::Xccdf),
                _ => None,
            };
            return (format, findings.problems);
        }
    };
    match root.local_name() {
        "CHECKLIST" => {
            ckl::check(&root, &mut findings);
            (Some(Format::Ckl), findings.problems)
        }
        "Benchmark"
            if root.descendants_named("TestResult").is_empty()
                && root.descendants_named("rule-result").is_empty() =>
        {
            let title = root.child_text("title").unwrap_or("").trim();
            findings.warn_at(
                root.offset,
                format!(
                    "a DISA benchmark ('{}'{}), not a checklist or results file: validate checks CKL, CKLB and XCCDF results; a benchmark is the input of `exstig evaluate --benchmark`",
                    root.attr("id").unwrap_or(""),
                    if title.is_empty() { String::new() } else { format!(", {title}") }
                ),
            );
            (Some(Format::Benchmark), findings.problems)
        }
        "Benchmark" | "TestResult" => {
            xccdf::check(&root, &mut findings);
            (Some(Format::Xccdf), findings.problems)
        }
        _ => {
            findings.at(
                root.offset,
                format!(
                    "root element <{}>: a CKL has <CHECKLIST>, XCCDF results have <Benchmark> or <TestResult>",
                    root.name
                ),
            );
            (None, findings.problems)
        }
    }
}

/// Byte offset of a `<!DOCTYPE` in the prolog (before the first element), if any.
fn doctype_offset(text: &str) -> Option<usize> {
    let prolog_end = text
        .match_indices('<')
        .find(|(i, _)| {
            text.get(i + 1..)
                .and_then(|rest| rest.chars().next())
                .is_some_and(|c| c.is_alphabetic() || c == '_')
        })
        .map_or(text.len(), |(i, _)| i);
    text.get(..prolog_end)?.find("<!DOCTYPE")
}

/// Whether `rule_id` is a DISA Rule ID with its revision: `SV-221202r960735_rule`.
pub fn has_revision(rule_id: &str) -> bool {
    let Some(body) = rule_id.strip_suffix("_rule") else {
        return false;
    };
    match body.rfind('r') {
        Some(i) if i > 0 => body.get(i + 1..).is_some_and(|revision| {
            !revision.is_empty() && revision.chars().all(|c| c.is_ascii_digit())
        }),
        _ => false,
    }
}

/// The problem with a Rule ID, if any: missing, or without the revision consumers match on.
pub fn rule_id_problem(rule_id: &str) -> Option<String> {
    if rule_id.trim().is_empty() {
        Some("no Rule ID: STIG Manager skips the rule and STIG Viewer cannot match it".into())
    } else if !has_revision(rule_id) {
        Some(format!(
            "Rule ID '{rule_id}' lacks the revision (like SV-221202r960735_rule): STIG Manager and STIG Viewer match rules on the full id"
        ))
    } else {
        None
    }
}

/// What keeps a review from being submitted in STIG Manager's default collection, one reason
/// per missing text (`evaluated`: pass, fail or not applicable; `open`: fail).
pub fn submittable_problems(
    evaluated: bool,
    open: bool,
    detail: &str,
    comment: &str,
) -> Vec<&'static str> {
    let mut problems = Vec::new();
    if evaluated && detail.trim().is_empty() {
        problems.push(
            "no finding details: STIG Manager (default settings) imports the review as saved, not submittable",
        );
    }
    if open && comment.trim().is_empty() {
        problems.push(
            "open without comments: STIG Manager (default settings) imports the review as saved, not submittable",
        );
    }
    problems
}

/// The problem with a review text (finding details, comments), if it is too long (counted in
/// UTF-16 units, as STIG Viewer counts): a warning, the consumers cut it on import.
pub fn text_length_problem(field: &str, text: &str) -> Option<String> {
    let count = crate::checklist::text_length(text);
    (count > MAX_TEXT_CHARS).then(|| {
        format!(
            "{field} has {count} UTF-16 units; STIG Viewer and STIG Manager keep at most {MAX_TEXT_CHARS} and cut the rest on import"
        )
    })
}

/// Items of a comma, semicolon or whitespace separated list (HOST_IP, HOST_MAC).
pub fn split_list(list: &str) -> Vec<&str> {
    list.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether `text` is a MAC address: six hex pairs separated by `:` or `-`.
pub fn is_mac(text: &str) -> bool {
    let parts: Vec<&str> = text.split([':', '-']).collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Whether `text` is a domain name (letters, digits, hyphens, dots; a final dot allowed) or an
/// IP address.
pub fn is_fqdn_or_ip(text: &str) -> bool {
    if text.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let name = text.strip_suffix('.').unwrap_or(text);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions() {
        assert!(has_revision("SV-221202r960735_rule"));
        assert!(!has_revision("SV-221202_rule"));
        assert!(!has_revision("SV-221202r960735"));
        assert!(!has_revision("V-221202"));
        assert!(rule_id_problem("").is_some());
        assert!(rule_id_problem("SV-1r2_rule").is_none());
    }

    #[test]
    fn lines_name_file_and_place() {
        let report = Report {
            path: PathBuf::from("a.ckl"),
            format: Some(Format::Ckl),
            problems: vec![
                Problem {
                    place: Place::At(Position { line: 3, column: 7 }),
                    severity: Severity::Error,
                    message: "m1".into(),
                },
                Problem {
                    place: Place::Item("SV-1r2_rule".into()),
                    severity: Severity::Warning,
                    message: "m2".into(),
                },
            ],
        };
        assert_eq!(
            report.lines(),
            ["a.ckl:3:7: error: m1", "a.ckl: warning: SV-1r2_rule: m2"]
        );
        assert!(report.has_errors());
    }

    #[test]
    fn unknown_and_empty_files_are_problems() {
        let r = validate_bytes(Path::new("x.txt"), b"hello");
        assert_eq!(r.format, None);
        assert_eq!(r.problems.len(), 1);
        let r = validate_bytes(Path::new("x.ckl"), b"");
        assert!(r.problems[0].message.contains("empty"));
        let r = validate_bytes(Path::new("x.ckl"), b"<CHECKLIST><ASSET>");
        assert_eq!(r.format, Some(Format::Ckl));
        assert!(matches!(r.problems[0].place, Place::At(_)));
    }
}
