//! XCCDF 1.2 results in the shape the SCAP Compliance Checker (SCC) writes.
//!
//! One `Benchmark` in the XCCDF 1.2 namespace holds the benchmark's Groups and Rules (ids
//! converted to `xccdf_mil.disa.stig_benchmark_…`, `…_group_…`, `…_rule_…` as DISA's SCAP
//! content names them) and one `TestResult`: `test-system` (a CPE naming exstig), start and
//! end time, `target`, `target-address`, `target-facts` (SCC's fact names, plus STIG
//! Manager's for FQDN and MAC, which it reads into the asset), a `rule-result` per rule and a
//! `score`. Consumers need the Rules in the document: MITRE's converters take their controls
//! from them and `oscap`'s schematron requires every `rule-result/@idref` to name one.
//!
//! Each `rule-result` carries the rule's CCIs as `ident`, the finding details as its one
//! `message` (STIG Manager imports it as the review detail) and, when there are comments, a
//! `check` whose `check-content` holds `<exstig:comment>` (STIG Manager imports an element
//! named `comment` there as the review comment; the XCCDF schema allows foreign elements).

use crate::benchmark::{Benchmark, Rule, rule_id_base};
use crate::checklist::{Checklist, ChecklistStig, Status, Vuln};
use crate::xml::is_xml_char;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::fmt::Write as _;

/// The XCCDF 1.2 namespace.
pub const XCCDF12_NS: &str = "http://checklists.nist.gov/xccdf/1.2";
/// The XCCDF 1.1 namespace (DISA's manual benchmarks).
pub const XCCDF11_NS: &str = "http://checklists.nist.gov/xccdf/1.1";
/// DISA's id prefix for benchmarks in SCAP content.
pub const BENCHMARK_PREFIX: &str = "xccdf_mil.disa.stig_benchmark_";
/// DISA's id prefix for groups.
pub const GROUP_PREFIX: &str = "xccdf_mil.disa.stig_group_";
/// DISA's id prefix for rules.
pub const RULE_PREFIX: &str = "xccdf_mil.disa.stig_rule_";
/// The namespace of exstig's own elements inside `check-content`.
pub const EXSTIG_NS: &str = "urn:exstig:review";
/// The `check/@system` of every Rule and rule-result: the check is exstig's reading of the
/// exports (the Rule's `check-content` is DISA's manual check text, when the benchmark has it).
pub const CHECK_SYSTEM: &str = "urn:exstig:check";
/// The `ident` system of CCIs.
pub const CCI_SYSTEM: &str = "http://cyber.mil/cci";
/// The `ident` system of legacy ids.
pub const LEGACY_SYSTEM: &str = "http://cyber.mil/legacy";
/// The scoring model of the score we write.
pub const SCORE_SYSTEM: &str = "urn:xccdf:scoring:default";

/// SCC's target fact names.
const FACT: &str = "urn:scap:fact:asset:identifier:";
/// STIG Manager's target fact names (it reads these into the asset's fqdn and mac).
const STIG_MANAGER_FACT: &str = "tag:stig-manager@users.noreply.github.com,2020:asset:";

/// When the evaluation ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunInfo {
    /// When the evaluation started.
    pub start: DateTime<Utc>,
    /// When it ended (XCCDF requires it; rule results are stamped with it).
    pub end: DateTime<Utc>,
}

/// The CPE naming this exstig as the test system: `cpe:/a:exstig:exstig:<version>`.
pub fn test_system() -> String {
    format!("cpe:/a:exstig:exstig:{}", crate::VERSION)
}

/// `id` with DISA's benchmark prefix (unchanged when it has an `xccdf_` prefix already).
pub fn benchmark_xccdf_id(id: &str) -> String {
    prefixed(BENCHMARK_PREFIX, id)
}

/// `V-221202` gives `xccdf_mil.disa.stig_group_V-221202`.
pub fn group_xccdf_id(id: &str) -> String {
    prefixed(GROUP_PREFIX, id)
}

/// `SV-221202r960735_rule` gives `xccdf_mil.disa.stig_rule_SV-221202r960735_rule`.
pub fn rule_xccdf_id(id: &str) -> String {
    prefixed(RULE_PREFIX, id)
}

fn prefixed(prefix: &str, id: &str) -> String {
    if id.starts_with("xccdf_") {
        id.to_string()
    } else {
        format!("{prefix}{id}")
    }
}

/// Writes the XCCDF 1.2 results document for `checklist` evaluated against `benchmark`.
///
/// Every benchmark rule gets a `rule-result`: the status of the checklist rule with the same
/// Rule ID (revision ignored, then Vuln ID), `notchecked` when the checklist lacks it. The
/// checklist STIG used is the one whose `stigid` is the benchmark id, else the first.
pub fn write_results(benchmark: &Benchmark, checklist: &Checklist, run: &RunInfo) -> String {
    let stig = checklist
        .stigs
        .iter()
        .find(|s| s.info("stigid").trim_start_matches(BENCHMARK_PREFIX) == benchmark.id)
        .or_else(|| checklist.stigs.first());
    let reviews = ReviewIndex::new(stig);
    let mut out = String::with_capacity(4096 + benchmark.rules.len() * 2048);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<cdf:Benchmark id=\"{}\" xml:lang=\"en\" resolved=\"1\" xmlns:cdf=\"{XCCDF12_NS}\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:exstig=\"{EXSTIG_NS}\">",
        attr(&benchmark_xccdf_id(&benchmark.id))
    );
    write_benchmark_header(&mut out, benchmark);
    for rule in &benchmark.rules {
        write_group(&mut out, rule);
    }
    write_test_result(&mut out, benchmark, checklist, &reviews, run);
    out.push_str("</cdf:Benchmark>\n");
    out
}

/// The checklist's reviews, found by Rule ID without revision or by Vuln ID.
struct ReviewIndex<'a> {
    by_rule: HashMap<&'a str, &'a Vuln>,
    by_group: HashMap<&'a str, &'a Vuln>,
}

impl<'a> ReviewIndex<'a> {
    fn new(stig: Option<&'a ChecklistStig>) -> Self {
        let mut index = ReviewIndex {
            by_rule: HashMap::new(),
            by_group: HashMap::new(),
        };
        for vuln in stig.map(|s| s.vulns.as_slice()).unwrap_or_default() {
            index.by_rule.insert(rule_id_base(vuln.rule_id()), vuln);
            index.by_group.insert(vuln.vuln_num(), vuln);
        }
        index
    }

    fn find(&self, rule: &Rule) -> Option<&'a Vuln> {
        self.by_rule
            .get(rule.rule_id_base())
            .or_else(|| self.by_group.get(rule.group_id.as_str()))
            .copied()
    }
}

fn write_benchmark_header(out: &mut String, benchmark: &Benchmark) {
    if benchmark.status_date.is_empty() {
        out.push_str("  <cdf:status>accepted</cdf:status>\n");
    } else {
        let _ = writeln!(
            out,
            "  <cdf:status date=\"{}\">accepted</cdf:status>",
            attr(&benchmark.status_date)
        );
    }
    element(out, 2, "cdf:title", &benchmark.title);
    if !benchmark.description.is_empty() {
        element(out, 2, "cdf:description", &benchmark.description);
    }
    if !benchmark.notice.is_empty() {
        let _ = writeln!(
            out,
            "  <cdf:notice id=\"{}\"></cdf:notice>",
            attr(&benchmark.notice)
        );
    }
    if !benchmark.source.is_empty() {
        out.push_str("  <cdf:reference href=\"https://cyber.mil\">\n");
        element(out, 4, "dc:publisher", "DISA");
        element(out, 4, "dc:source", &benchmark.source);
        out.push_str("  </cdf:reference>\n");
    }
    if !benchmark.release_info.is_empty() {
        let _ = writeln!(
            out,
            "  <cdf:plain-text id=\"release-info\">{}</cdf:plain-text>",
            text(&benchmark.release_info)
        );
    }
    let _ = writeln!(
        out,
        "  <cdf:plain-text id=\"generator\">exstig {}</cdf:plain-text>",
        crate::VERSION
    );
    element(out, 2, "cdf:version", &benchmark.version);
    // Dublin Core metadata as SCC writes it: DISA creates and publishes the STIG benchmarks.
    out.push_str("  <cdf:metadata>\n");
    element(out, 4, "dc:creator", "DISA");
    element(out, 4, "dc:publisher", "DISA");
    if !benchmark.source.is_empty() {
        element(out, 4, "dc:source", &benchmark.source);
    }
    out.push_str("  </cdf:metadata>\n");
}

/// The `<description>` DISA writes for a rule: the sub-fields as escaped pseudo-XML.
fn rule_description(rule: &Rule) -> String {
    let d = &rule.description;
    [
        ("VulnDiscussion", &d.vuln_discussion),
        ("FalsePositives", &d.false_positives),
        ("FalseNegatives", &d.false_negatives),
        ("Documentable", &d.documentable),
        ("Mitigations", &d.mitigations),
        ("SeverityOverrideGuidance", &d.severity_override_guidance),
        ("PotentialImpacts", &d.potential_impacts),
        ("ThirdPartyTools", &d.third_party_tools),
        ("MitigationControl", &d.mitigation_control),
        ("Responsibility", &d.responsibility),
        ("IAControls", &d.ia_controls),
    ]
    .iter()
    .map(|(tag, value)| format!("<{tag}>{value}</{tag}>"))
    .collect()
}

fn write_group(out: &mut String, rule: &Rule) {
    let _ = writeln!(
        out,
        "  <cdf:Group id=\"{}\">",
        attr(&group_xccdf_id(&rule.group_id))
    );
    element(out, 4, "cdf:title", &rule.group_title);
    element(
        out,
        4,
        "cdf:description",
        "<GroupDescription></GroupDescription>",
    );
    let mut attrs = format!(" id=\"{}\"", attr(&rule_xccdf_id(&rule.rule_id)));
    if is_decimal(&rule.weight) {
        let _ = write!(attrs, " weight=\"{}\"", attr(&rule.weight));
    }
    if let Some(severity) = rule.severity {
        let _ = write!(attrs, " severity=\"{}\"", severity.as_str());
    }
    let _ = writeln!(out, "    <cdf:Rule{attrs}>");
    element(out, 6, "cdf:version", &rule.stig_id);
    element(out, 6, "cdf:title", &rule.title);
    element(out, 6, "cdf:description", &rule_description(rule));
    // MITRE hdf-converters 2.12.6 read a rule's NIST tags from `ident`, else from `reference`,
    // and fail on a reference without text; old (2010) benchmarks have rules with no ident.
    let has_ident = !rule.ccis.is_empty() || !rule.legacy_ids.is_empty();
    if !rule.target_key.is_empty() && has_ident {
        out.push_str("      <cdf:reference>\n");
        element(out, 8, "dc:publisher", "DISA");
        element(out, 8, "dc:type", "DPMS Target");
        element(out, 8, "dc:identifier", &rule.target_key);
        out.push_str("      </cdf:reference>\n");
    }
    for legacy in &rule.legacy_ids {
        ident(out, 6, LEGACY_SYSTEM, legacy);
    }
    for cci in &rule.ccis {
        ident(out, 6, CCI_SYSTEM, cci);
    }
    if !rule.fix_text.is_empty() {
        element(out, 6, "cdf:fixtext", &rule.fix_text);
    }
    // One check per Rule and per rule-result, with the same system, as XCCDF recommends.
    if rule.check_content.is_empty() {
        let _ = writeln!(out, "      <cdf:check system=\"{CHECK_SYSTEM}\"/>");
    } else {
        let _ = writeln!(out, "      <cdf:check system=\"{CHECK_SYSTEM}\">");
        element(out, 8, "cdf:check-content", &rule.check_content);
        out.push_str("      </cdf:check>\n");
    }
    out.push_str("    </cdf:Rule>\n  </cdf:Group>\n");
}

fn write_test_result(
    out: &mut String,
    benchmark: &Benchmark,
    checklist: &Checklist,
    reviews: &ReviewIndex,
    run: &RunInfo,
) {
    let asset = &checklist.asset;
    let end = timestamp(&run.end);
    let _ = writeln!(
        out,
        "  <cdf:TestResult id=\"xccdf_exstig_testresult_{}\" version=\"{}\" start-time=\"{}\" end-time=\"{end}\" test-system=\"{}\">",
        attr(benchmark.id.trim_start_matches(BENCHMARK_PREFIX)),
        attr(&benchmark.version),
        timestamp(&run.start),
        attr(&test_system()),
    );
    let _ = writeln!(
        out,
        "    <cdf:title>exstig {} evaluation of {}</cdf:title>",
        crate::VERSION,
        text(&benchmark.title)
    );
    let target = if asset.host_name.is_empty() {
        &asset.host_fqdn
    } else {
        &asset.host_name
    };
    element(out, 4, "cdf:target", target);
    let addresses = split_list(&asset.host_ip);
    for address in &addresses {
        element(out, 4, "cdf:target-address", address);
    }
    write_target_facts(out, checklist, &addresses);
    let mut score = Score::default();
    for rule in &benchmark.rules {
        let review = reviews.find(rule);
        score.add(rule, review.map_or(Status::NotReviewed, |v| v.status));
        write_rule_result(out, rule, review, &end);
    }
    let _ = writeln!(
        out,
        "    <cdf:score system=\"{SCORE_SYSTEM}\" maximum=\"100\">{:.2}</cdf:score>",
        score.value()
    );
    out.push_str("  </cdf:TestResult>\n");
}

fn write_target_facts(out: &mut String, checklist: &Checklist, addresses: &[&str]) {
    let asset = &checklist.asset;
    let macs = split_list(&asset.host_mac);
    let mut facts: Vec<(String, &str)> = Vec::new();
    if !asset.host_name.is_empty() {
        facts.push((format!("{FACT}host_name"), &asset.host_name));
    }
    if !asset.host_fqdn.is_empty() {
        facts.push((format!("{FACT}fqdn"), &asset.host_fqdn));
    }
    for address in addresses {
        let kind = if address.contains(':') {
            "ipv6"
        } else {
            "ipv4"
        };
        facts.push((format!("{FACT}{kind}"), address));
    }
    for mac in &macs {
        facts.push((format!("{FACT}mac"), mac));
    }
    if !asset.host_fqdn.is_empty() {
        facts.push((format!("{STIG_MANAGER_FACT}fqdn"), &asset.host_fqdn));
    }
    if !asset.host_mac.is_empty() {
        facts.push((format!("{STIG_MANAGER_FACT}mac"), &asset.host_mac));
    }
    if facts.is_empty() {
        return;
    }
    out.push_str("    <cdf:target-facts>\n");
    for (name, value) in facts {
        let _ = writeln!(
            out,
            "      <cdf:fact name=\"{}\" type=\"string\">{}</cdf:fact>",
            attr(&name),
            text(value)
        );
    }
    out.push_str("    </cdf:target-facts>\n");
}

fn write_rule_result(out: &mut String, rule: &Rule, review: Option<&Vuln>, time: &str) {
    let status = review.map_or(Status::NotReviewed, |v| v.status);
    let mut attrs = format!(
        " idref=\"{}\" version=\"{}\" time=\"{time}\"",
        attr(&rule_xccdf_id(&rule.rule_id)),
        attr(&rule.stig_id)
    );
    if is_decimal(&rule.weight) {
        let _ = write!(attrs, " weight=\"{}\"", attr(&rule.weight));
    }
    let severity = review
        .and_then(|v| crate::benchmark::Severity::parse(&v.severity_override))
        .or(rule.severity);
    if let Some(severity) = severity {
        let _ = write!(attrs, " severity=\"{}\"", severity.as_str());
    }
    let _ = writeln!(out, "    <cdf:rule-result{attrs}>");
    element(out, 6, "cdf:result", status.xccdf());
    for cci in &rule.ccis {
        ident(out, 6, CCI_SYSTEM, cci);
    }
    if let Some(vuln) = review.filter(|v| !v.finding_details.is_empty()) {
        let _ = writeln!(
            out,
            "      <cdf:message severity=\"info\">{}</cdf:message>",
            text(&vuln.finding_details)
        );
    }
    match review.filter(|v| !v.comments.is_empty()) {
        Some(vuln) => {
            let _ = writeln!(out, "      <cdf:check system=\"{CHECK_SYSTEM}\">");
            out.push_str("        <cdf:check-content>\n");
            element(out, 10, "exstig:comment", &vuln.comments);
            out.push_str("        </cdf:check-content>\n      </cdf:check>\n");
        }
        None => {
            let _ = writeln!(out, "      <cdf:check system=\"{CHECK_SYSTEM}\"/>");
        }
    }
    out.push_str("    </cdf:rule-result>\n");
}

/// XCCDF's default scoring model for a flat benchmark (one rule per group): the weighted share
/// of passed rules among the passed and failed ones, 0 to 100.
#[derive(Default)]
struct Score {
    passed: f64,
    scored: f64,
}

impl Score {
    fn add(&mut self, rule: &Rule, status: Status) {
        let weight = rule.weight.trim().parse::<f64>().unwrap_or(1.0);
        match status {
            Status::NotAFinding => {
                self.passed += weight;
                self.scored += weight;
            }
            Status::Open => self.scored += weight,
            Status::NotApplicable | Status::NotReviewed => {}
        }
    }

    fn value(&self) -> f64 {
        if self.scored > 0.0 {
            100.0 * self.passed / self.scored
        } else {
            0.0
        }
    }
}

/// `2025-01-30T10:24:33Z`.
fn timestamp(time: &DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Items of a comma, semicolon or whitespace separated list.
fn split_list(list: &str) -> Vec<&str> {
    list.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether `text` is an XML Schema decimal (the type of `@weight`).
fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    !digits.is_empty()
        && digits.chars().any(|c| c.is_ascii_digit())
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1
}

fn element(out: &mut String, indent: usize, name: &str, value: &str) {
    let _ = writeln!(
        out,
        "{:indent$}<{name}>{}</{name}>",
        "",
        text(value),
        indent = indent
    );
}

fn ident(out: &mut String, indent: usize, system: &str, value: &str) {
    let _ = writeln!(
        out,
        "{:indent$}<cdf:ident system=\"{system}\">{}</cdf:ident>",
        "",
        text(value),
        indent = indent
    );
}

/// Escapes element text (`&`, `<`, `>`) and drops characters XML 1.0 forbids.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 16);
    let bytes = value.as_bytes();
    // Runs of characters kept as they are are copied at once, not char by char.
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let (replacement, len) = match bytes[i] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'\r' => ("&#13;", 1),
            b'\t' | b'\n' | 0x20..=0x7F => {
                i += 1;
                continue;
            }
            0x80.. => {
                let c = value
                    .get(i..)
                    .and_then(|rest| rest.chars().next())
                    .unwrap_or_default();
                if is_xml_char(c) {
                    i += c.len_utf8();
                    continue;
                }
                ("", c.len_utf8())
            }
            _ => ("", 1),
        };
        out.push_str(value.get(start..i).unwrap_or_default());
        out.push_str(replacement);
        i += len;
        start = i;
    }
    out.push_str(value.get(start..).unwrap_or_default());
    out
}

/// Escapes an attribute value (also `"`, and whitespace that attribute normalization would eat).
fn attr(value: &str) -> String {
    text(value)
        .replace('"', "&quot;")
        .replace('\n', "&#10;")
        .replace('\t', "&#9;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_get_disa_prefixes_once() {
        assert_eq!(
            rule_xccdf_id("SV-1r2_rule"),
            "xccdf_mil.disa.stig_rule_SV-1r2_rule"
        );
        assert_eq!(
            rule_xccdf_id("xccdf_mil.disa.stig_rule_SV-1r2_rule"),
            "xccdf_mil.disa.stig_rule_SV-1r2_rule"
        );
        assert_eq!(group_xccdf_id("V-1"), "xccdf_mil.disa.stig_group_V-1");
        assert_eq!(
            benchmark_xccdf_id("X_STIG"),
            "xccdf_mil.disa.stig_benchmark_X_STIG"
        );
    }

    #[test]
    fn escaping_keeps_text_and_drops_forbidden_characters() {
        assert_eq!(text("a<b & c>\u{1}"), "a&lt;b &amp; c&gt;");
        assert_eq!(
            text("\u{1}é\r\n\u{FFFE}x\u{1F600}\u{7}<"),
            "é&#13;\nx\u{1F600}&lt;"
        );
        assert_eq!(attr("say \"x\"\n"), "say &quot;x&quot;&#10;");
    }

    #[test]
    fn decimals() {
        assert!(is_decimal("10.0"));
        assert!(!is_decimal(""));
        assert!(!is_decimal("ten"));
        assert!(!is_decimal("1.0.0"));
    }
}
