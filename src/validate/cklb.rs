//! CKLB checks: DISA's STIG Viewer 3 schema (required keys, enums) and what STIG Manager
//! refuses or silently drops (no host name, no `rule_id_src`, no per-STIG `version`).

use super::{Findings, MAX_HOST_NAME_CHARS, Problem, rule_id_problem, text_length_problem};
use crate::checklist::ROLES;
use crate::error::Position;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Keys the schema requires on each STIG.
const STIG_REQUIRED: [&str; 6] = [
    "stig_name",
    "display_name",
    "stig_id",
    "release_info",
    "uuid",
    "size",
];

/// Checks CKLB `text`.
pub fn check(text: &str, options: super::Options) -> Vec<Problem> {
    let mut findings = Findings::new(text, options);
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let document: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => {
            findings.problems.push(Problem {
                place: super::Place::At(Position {
                    line: e.line(),
                    column: e.column(),
                }),
                severity: super::Severity::Error,
                message: format!("not valid JSON: {e}"),
            });
            return findings.problems;
        }
    };
    let Some(root) = document.as_object() else {
        findings.file("the document is not a JSON object: not a CKLB");
        return findings.problems;
    };
    for key in ["title", "id"] {
        if !root.get(key).is_some_and(Value::is_string) {
            findings.file(format!(
                "no \"{key}\" string: DISA's CKLB schema requires it"
            ));
        }
    }
    check_target(root.get("target_data"), &mut findings);
    let Some(stigs) = root.get("stigs").and_then(Value::as_array) else {
        findings.file(
            "no \"stigs\" array: STIG Manager refuses the file and STIG Viewer shows no STIG",
        );
        return findings.problems;
    };
    if stigs.is_empty() {
        findings.file("\"stigs\" is empty: the checklist has no STIG");
    }
    for (index, stig) in stigs.iter().enumerate() {
        let place = format!("stigs[{index}]");
        match stig.as_object() {
            Some(stig) => check_stig(&place, stig, &mut findings),
            None => findings.item(place, "not a JSON object"),
        }
    }
    findings.problems
}

fn text<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

fn check_target(target: Option<&Value>, findings: &mut Findings) {
    let Some(target) = target.and_then(Value::as_object) else {
        findings.file("no \"target_data\" object: STIG Manager refuses the file (no host name)");
        return;
    };
    match text(target, "host_name").map(str::trim) {
        None | Some("") => findings.item(
            "target_data.host_name",
            "empty or missing: STIG Manager refuses the file (\"No target_data.host_name found\") and eMASS cannot match the asset",
        ),
        Some(name) if name.chars().count() > MAX_HOST_NAME_CHARS => findings.item(
            "target_data.host_name",
            format!("longer than {MAX_HOST_NAME_CHARS} characters: STIG Manager refuses it"),
        ),
        _ => {}
    }
    if let Some(role) = text(target, "role")
        && !ROLES.contains(&role)
    {
        findings.warn_item(
            "target_data.role",
            format!(
                "'{role}' is not one of {}: a CKL exported from it fails STIG Viewer's schema",
                ROLES.join(", ")
            ),
        );
    }
}

fn check_stig(place: &str, stig: &Map<String, Value>, findings: &mut Findings) {
    for key in STIG_REQUIRED {
        if !stig.contains_key(key) {
            findings.item(
                place,
                format!("no \"{key}\": DISA's CKLB schema requires it"),
            );
        }
    }
    if text(stig, "stig_id").is_none_or(|s| s.trim().is_empty()) {
        findings.item(
            place,
            "empty stig_id: STIG Manager cannot tell which STIG this is",
        );
    }
    match stig.get("version") {
        Some(Value::String(v)) if v.chars().any(|c| c.is_ascii_digit()) => {}
        Some(Value::Number(_)) => {}
        _ => findings.warn_item(
            place,
            "no \"version\": STIG Manager imports the revision as V0R… (STIG Viewer 3 writes it)",
        ),
    }
    let release = text(stig, "release_info").unwrap_or("");
    if crate::checklist::cklb::release_number(release).is_none() {
        findings.warn_item(
            place,
            format!("release_info '{release}' does not read 'Release: N Benchmark Date: ...': STIG Manager cannot work out the revision"),
        );
    }
    let rules = match stig.get("rules") {
        Some(Value::Array(rules)) => rules,
        _ => {
            findings.item(place, "no \"rules\" array: the STIG has no rules");
            return;
        }
    };
    let mut seen = HashSet::new();
    for (index, rule) in rules.iter().enumerate() {
        let rule_place = format!("{place}.rules[{index}]");
        let Some(rule) = rule.as_object() else {
            findings.item(rule_place, "not a JSON object");
            continue;
        };
        let rule_id = text(rule, "rule_id_src").unwrap_or("");
        let place = if rule_id.is_empty() {
            rule_place
        } else {
            format!("{rule_place} ({rule_id})")
        };
        if let Some(problem) = rule_id_problem(rule_id) {
            let problem = if rule_id.is_empty() {
                "no rule_id_src: STIG Manager reads the Rule ID only from it and skips the rule"
                    .to_string()
            } else {
                problem
            };
            if rule_id.is_empty() {
                findings.item(&place, problem);
            } else {
                findings.warn_item(&place, problem);
            }
        } else if !seen.insert(rule_id) {
            findings.warn_item(
                &place,
                "Rule ID appears twice in this STIG: consumers keep only one review",
            );
        }
        check_rule(&place, rule, findings);
    }
}

fn check_rule(place: &str, rule: &Map<String, Value>, findings: &mut Findings) {
    match rule.get("status") {
        Some(Value::String(s))
            if ["not_a_finding", "open", "not_applicable", "not_reviewed"].contains(&s.as_str()) => {}
        Some(Value::String(s)) => findings.item(
            place,
            format!("status '{s}' is not not_a_finding, open, not_applicable or not_reviewed: STIG Manager skips the rule"),
        ),
        _ => findings.item(place, "no status: STIG Manager skips the rule"),
    }
    if let Some(severity) = text(rule, "severity")
        && !["unknown", "low", "medium", "high"].contains(&severity)
    {
        findings.item(
            place,
            format!("severity '{severity}' is not low, medium, high or unknown"),
        );
    }
    if let Some(overrides) = rule.get("overrides").and_then(Value::as_object)
        && let Some(severity) = overrides.get("severity")
    {
        let value = severity
            .as_object()
            .and_then(|o| o.get("severity"))
            .and_then(Value::as_str);
        if !matches!(value, Some("low" | "medium" | "high")) {
            findings.item(
                place,
                "overrides.severity has no severity of low, medium or high",
            );
        }
    }
    for key in ["finding_details", "comments"] {
        if let Some(problem) = text(rule, key).and_then(|t| text_length_problem(key, t)) {
            findings.warn_item(place, problem);
        }
    }
    if findings.options.submittable {
        let status = text(rule, "status").unwrap_or("");
        let evaluated = ["not_a_finding", "open", "not_applicable"].contains(&status);
        let detail = text(rule, "finding_details").unwrap_or("");
        let comment = text(rule, "comments").unwrap_or("");
        for problem in super::submittable_problems(evaluated, status == "open", detail, comment) {
            findings.warn_item(place, problem);
        }
    }
}
