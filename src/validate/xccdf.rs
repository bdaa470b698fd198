//! XCCDF results checks: the XCCDF 1.2 id patterns and required parts, the DISA id prefixes
//! STIG Manager strips, and the parts without which STIG Manager, `oscap` or MITRE's converters
//! fail (test-system, target, rule-results, Rules in the document).

use super::xml::Element;
use super::{Findings, has_revision};
use crate::xccdf::{BENCHMARK_PREFIX, RULE_PREFIX, XCCDF11_NS, XCCDF12_NS};
use std::collections::HashSet;

/// `result` values XCCDF allows.
const RESULTS: [&str; 9] = [
    "pass",
    "fail",
    "error",
    "unknown",
    "notapplicable",
    "notchecked",
    "notselected",
    "informational",
    "fixed",
];

/// Whether `id` matches XCCDF 1.2's `xccdf_<namespace>_<kind>_<name>` pattern.
fn xccdf12_id(id: &str, kind: &str) -> bool {
    let Some(rest) = id.strip_prefix("xccdf_") else {
        return false;
    };
    let Some((namespace, tail)) = rest.split_once('_') else {
        return false;
    };
    !namespace.is_empty()
        && tail
            .strip_prefix(kind)
            .and_then(|t| t.strip_prefix('_'))
            .is_some_and(|name| !name.is_empty())
}

/// Checks parsed XCCDF results whose root is `Benchmark` or `TestResult`.
pub fn check(root: &Element, findings: &mut Findings) {
    let namespace = root.declared_namespace().unwrap_or("");
    let v12 = namespace == XCCDF12_NS;
    if !v12 && namespace != XCCDF11_NS {
        findings.at(
            root.offset,
            format!(
                "<{}> is not in the XCCDF 1.1 or 1.2 namespace ('{namespace}')",
                root.name
            ),
        );
    }
    let mut rule_ids = HashSet::new();
    let test_results: Vec<&Element> = if root.local_name() == "Benchmark" {
        check_benchmark(root, v12, &mut rule_ids, findings);
        root.children_named("TestResult").collect()
    } else {
        check_test_result_root(root, findings);
        vec![root]
    };
    if test_results.is_empty() {
        findings.at(
            root.offset,
            "no TestResult: the file holds no results (STIG Manager: \"No Benchmark.TestResult element\")",
        );
    }
    for test_result in test_results {
        check_test_result(test_result, v12, &rule_ids, findings);
    }
}

fn check_benchmark(
    root: &Element,
    v12: bool,
    rule_ids: &mut HashSet<String>,
    findings: &mut Findings,
) {
    let id = root.attr("id").unwrap_or("");
    if id.is_empty() {
        findings.at(
            root.offset,
            "Benchmark has no id: consumers cannot tell which STIG this is",
        );
    } else if v12 && !id.starts_with(BENCHMARK_PREFIX) {
        let message = if xccdf12_id(id, "benchmark") {
            format!(
                "Benchmark id '{id}' lacks DISA's prefix {BENCHMARK_PREFIX}: STIG Manager keeps the id whole and finds no such STIG"
            )
        } else {
            format!(
                "Benchmark id '{id}' does not match XCCDF 1.2's xccdf_<namespace>_benchmark_<name>"
            )
        };
        findings.at(root.offset, message);
    }
    if root.child("status").is_none() {
        findings.at(
            root.offset,
            "Benchmark has no status: the XCCDF schema requires it",
        );
    }
    if root.child("version").is_none() {
        findings.at(
            root.offset,
            "Benchmark has no version: the XCCDF schema requires it",
        );
    }
    let groups = root.descendants_named("Group");
    for group in &groups {
        let id = group.attr("id").unwrap_or("");
        if v12 && !xccdf12_id(id, "group") {
            findings.at(
                group.offset,
                format!(
                    "Group id '{id}' does not match XCCDF 1.2's xccdf_<namespace>_group_<name>"
                ),
            );
        }
    }
    let rules = root.descendants_named("Rule");
    if rules.is_empty() {
        findings.at(
            root.offset,
            "the Benchmark holds no Rule: MITRE hdf-converters (Heimdall) find 0 controls and oscap's schematron rejects every rule-result",
        );
    }
    for rule in rules {
        let id = rule.attr("id").unwrap_or("");
        if v12 && !xccdf12_id(id, "rule") {
            findings.at(
                rule.offset,
                format!("Rule id '{id}' does not match XCCDF 1.2's xccdf_<namespace>_rule_<name>"),
            );
        }
        rule_ids.insert(id.to_string());
    }
}

fn check_test_result_root(root: &Element, findings: &mut Findings) {
    let benchmark = root.child("benchmark");
    let names_stig = benchmark.is_some_and(|b| {
        [b.attr("id"), b.attr("href")]
            .into_iter()
            .flatten()
            .any(|v| v.starts_with(BENCHMARK_PREFIX))
    });
    if !names_stig {
        findings.at(
            root.offset,
            format!("a TestResult document needs <benchmark id=\"{BENCHMARK_PREFIX}...\">: STIG Manager refuses it otherwise; MITRE hdf-converters find 0 controls without the Benchmark"),
        );
    }
}

fn check_test_result(
    test_result: &Element,
    v12: bool,
    rule_ids: &HashSet<String>,
    findings: &mut Findings,
) {
    let at = test_result.offset;
    let id = test_result.attr("id").unwrap_or("");
    if v12 && !xccdf12_id(id, "testresult") {
        findings.at(at, format!("TestResult id '{id}' does not match XCCDF 1.2's xccdf_<namespace>_testresult_<name>"));
    }
    if test_result.attr("test-system").is_none_or(str::is_empty) {
        findings.at(at, "TestResult has no test-system: STIG Manager's parser fails (\"reading 'match'\"); name the tool as a CPE");
    }
    if test_result.attr("end-time").is_none_or(str::is_empty) {
        findings.at(
            at,
            "TestResult has no end-time: the XCCDF schema requires it",
        );
    }
    match test_result.child("target") {
        None => findings.at(at, "TestResult has no target: the XCCDF schema requires it and STIG Manager refuses the file"),
        Some(t) if t.text.trim().is_empty() => findings.at(
            t.offset,
            "target is empty: STIG Manager refuses the file (\"No value for <target>\") and eMASS cannot match the asset",
        ),
        Some(t) if t.text.trim().chars().count() > super::MAX_HOST_NAME_CHARS => findings.at(
            t.offset,
            "target is longer than 255 characters: STIG Manager refuses it",
        ),
        _ => {}
    }
    if v12 && test_result.child("score").is_none() {
        findings.at(
            at,
            "TestResult has no score: the XCCDF 1.2 schema requires one",
        );
    }
    let results: Vec<&Element> = test_result.children_named("rule-result").collect();
    if results.is_empty() {
        findings.warn_at(
            at,
            "TestResult has no rule-result: there are no results to import",
        );
    }
    for result in results {
        check_rule_result(result, v12, rule_ids, findings);
    }
}

fn check_rule_result(
    result: &Element,
    v12: bool,
    rule_ids: &HashSet<String>,
    findings: &mut Findings,
) {
    let at = result.offset;
    let idref = result.attr("idref").unwrap_or("");
    let bare = idref.strip_prefix(RULE_PREFIX).unwrap_or(idref);
    if idref.is_empty() {
        findings.at(at, "rule-result without idref");
        return;
    }
    if v12 && !idref.starts_with(RULE_PREFIX) {
        findings.warn_at(at, format!("rule-result idref '{idref}' lacks DISA's prefix {RULE_PREFIX}: STIG Manager and STIG Viewer cannot match it to a STIG rule"));
    } else if !has_revision(bare) {
        findings.warn_at(at, format!("rule-result idref '{idref}' lacks the Rule ID revision (SV-…r…_rule): STIG Manager and STIG Viewer match on it"));
    }
    if !rule_ids.is_empty() && !rule_ids.contains(idref) {
        findings.at(at, format!("rule-result idref '{idref}' names no Rule of this Benchmark: oscap's schematron rejects it and hdf-converters drop it"));
    }
    match result.child_text("result").map(str::trim) {
        None => findings.at(at, format!("{bare}: rule-result has no result")),
        Some(r) if !RESULTS.contains(&r) => findings.at(
            at,
            format!("{bare}: result '{r}' is not an XCCDF result value"),
        ),
        _ => {}
    }
    let messages: Vec<&Element> = result.children_named("message").collect();
    for message in &messages {
        if message.attr("severity").is_none() {
            findings.at(message.offset, format!("{bare}: message without severity: the XCCDF schema requires error, warning or info"));
        }
    }
    if messages.len() > 1 {
        findings.warn_at(messages[1].offset, format!("{bare}: {} message elements: STIG Manager imports none of them as the detail (it reads a single message)", messages.len()));
    }
    if findings.options.submittable {
        let outcome = result.child_text("result").unwrap_or("").trim();
        let content = result.child("check").and_then(|c| c.child("check-content"));
        let detail = content
            .and_then(|c| c.child_text("detail"))
            .or_else(|| messages.first().map(|m| m.text.as_str()))
            .unwrap_or("");
        let comment = content
            .and_then(|c| c.child_text("comment"))
            .or_else(|| {
                result
                    .child("override")
                    .and_then(|o| o.child_text("remark"))
            })
            .unwrap_or("");
        let evaluated = ["pass", "fail", "notapplicable"].contains(&outcome);
        for problem in super::submittable_problems(evaluated, outcome == "fail", detail, comment) {
            findings.warn_at(at, format!("{bare}: {problem}"));
        }
    }
    for check in result.children_named("check") {
        if check.attr("system").is_none() {
            findings.at(check.offset, format!("{bare}: check without system: the XCCDF schema requires it (oscap rejects the file)"));
        }
    }
}
