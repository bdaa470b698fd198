//! CKL checks: DISA's checklist schema (element order, enums, required elements) and what
//! STIG Manager and MITRE's converters refuse or silently drop.

use super::xml::Element;
use super::{Findings, MAX_HOST_NAME_CHARS, rule_id_problem, text_length_problem};
use crate::checklist::ROLES;
use std::collections::HashSet;

/// ASSET children in schema order, with whether the schema requires them.
const ASSET_ELEMENTS: [(&str, bool); 15] = [
    ("ROLE", true),
    ("ASSET_TYPE", true),
    ("MARKING", false),
    ("HOST_NAME", true),
    ("HOST_IP", true),
    ("HOST_MAC", true),
    ("HOST_GUID", false),
    ("HOST_FQDN", true),
    ("TARGET_COMMENT", false),
    ("TECH_AREA", true),
    ("TARGET_KEY", true),
    ("STIG_GUID", false),
    ("WEB_OR_DATABASE", true),
    ("WEB_DB_SITE", true),
    ("WEB_DB_INSTANCE", true),
];

/// `TECH_AREA` values the schema allows.
pub use crate::checklist::ckl::TECH_AREAS;

/// `VULN_ATTRIBUTE` names the schema allows.
pub use crate::checklist::VULN_ATTRIBUTES;

/// `STATUS` values the schema allows.
const CKL_STATUSES: [&str; 4] = ["NotAFinding", "Open", "Not_Applicable", "Not_Reviewed"];

/// The review elements that follow the STIG_DATA of a VULN, in schema order.
const REVIEW_ELEMENTS: [&str; 5] = [
    "STATUS",
    "FINDING_DETAILS",
    "COMMENTS",
    "SEVERITY_OVERRIDE",
    "SEVERITY_JUSTIFICATION",
];

/// Checks a parsed CKL whose root is `CHECKLIST`.
pub fn check(root: &Element, findings: &mut Findings) {
    if let Some(ns) = root.declared_namespace() {
        findings.at(
            root.offset,
            format!(
                "<CHECKLIST> is in namespace '{ns}': STIG Viewer's schema and MITRE hdf-converters need it without namespace"
            ),
        );
    }
    match root.child("ASSET") {
        Some(asset) => check_asset(asset, findings),
        None => findings.at(
            root.offset,
            "no ASSET element: STIG Viewer's schema requires it and STIG Manager refuses the file",
        ),
    }
    let Some(stigs) = root.child("STIGS") else {
        findings.at(
            root.offset,
            "no STIGS element: STIG Viewer's schema requires it and STIG Manager refuses the file",
        );
        return;
    };
    let istigs: Vec<&Element> = stigs.children_named("iSTIG").collect();
    if istigs.is_empty() {
        findings.at(
            stigs.offset,
            "STIGS holds no iSTIG: the checklist has no STIG",
        );
    }
    for istig in istigs {
        check_istig(istig, findings);
    }
}

fn check_asset(asset: &Element, findings: &mut Findings) {
    check_order(asset, &ASSET_ELEMENTS, findings);
    let value = |name: &str| asset.child(name).map(|e| (e.text.trim(), e.offset));
    if let Some((role, at)) = value("ROLE")
        && !ROLES.contains(&role)
    {
        findings.at(
            at,
            format!(
                "ROLE '{role}' is not one of {}: STIG Viewer rejects the checklist and hdf-converters fail",
                ROLES.join(", ")
            ),
        );
    }
    if let Some((kind, at)) = value("ASSET_TYPE")
        && !["Computing", "Non-Computing"].contains(&kind)
    {
        findings.at(
            at,
            format!("ASSET_TYPE '{kind}' is not Computing or Non-Computing"),
        );
    }
    if let Some((area, at)) = value("TECH_AREA")
        && !TECH_AREAS.contains(&area)
    {
        findings.at(
            at,
            format!("TECH_AREA '{area}' is not a value of STIG Viewer's schema"),
        );
    }
    if let Some((flag, at)) = value("WEB_OR_DATABASE")
        && !["true", "false"].contains(&flag)
    {
        findings.at(at, format!("WEB_OR_DATABASE '{flag}' is not true or false"));
    }
    match value("HOST_NAME") {
        Some(("", at)) => findings.at(
            at,
            "HOST_NAME is empty: STIG Manager refuses the file (\"No host_name in ASSET\") and eMASS cannot match the asset",
        ),
        Some((name, at)) if name.chars().count() > MAX_HOST_NAME_CHARS => findings.at(
            at,
            format!("HOST_NAME is longer than {MAX_HOST_NAME_CHARS} characters: STIG Manager refuses it"),
        ),
        _ => {}
    }
    if let Some((ips, at)) = value("HOST_IP") {
        for ip in super::split_list(ips) {
            if ip.parse::<std::net::IpAddr>().is_err() {
                findings.at(
                    at,
                    format!(
                        "HOST_IP '{ip}' is not an IP address: hdf-converters reject the checklist"
                    ),
                );
            }
        }
    }
    if let Some((macs, at)) = value("HOST_MAC") {
        for mac in super::split_list(macs) {
            if !super::is_mac(mac) {
                findings.at(
                    at,
                    format!(
                        "HOST_MAC '{mac}' is not a MAC address: hdf-converters reject the checklist"
                    ),
                );
            }
        }
    }
    if let Some((fqdn, at)) = value("HOST_FQDN")
        && !fqdn.is_empty()
        && !super::is_fqdn_or_ip(fqdn)
    {
        findings.at(
            at,
            format!("HOST_FQDN '{fqdn}' is neither a domain name nor an IP address: hdf-converters reject the checklist"),
        );
    }
}

/// Reports missing required children, children out of schema order and unknown children.
fn check_order(parent: &Element, expected: &[(&str, bool)], findings: &mut Findings) {
    let position = |name: &str| expected.iter().position(|(n, _)| *n == name);
    let mut last: Option<usize> = None;
    for child in &parent.children {
        match position(child.local_name()) {
            None => findings.at(
                child.offset,
                format!(
                    "<{}> is not allowed in <{}> by STIG Viewer's schema",
                    child.name, parent.name
                ),
            ),
            Some(i) => {
                if let Some(previous) = last
                    && i <= previous
                {
                    findings.at(
                        child.offset,
                        format!(
                            "<{}> is out of order or repeated: STIG Viewer's schema wants {} in this order",
                            child.name,
                            expected.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                        ),
                    );
                }
                last = Some(i);
            }
        }
    }
    for (name, required) in expected {
        if *required && parent.child(name).is_none() {
            findings.at(
                parent.offset,
                format!(
                    "<{}> has no {name}: STIG Viewer's schema requires it",
                    parent.name
                ),
            );
        }
    }
}

fn check_istig(istig: &Element, findings: &mut Findings) {
    let Some(info) = istig.child("STIG_INFO") else {
        findings.at(
            istig.offset,
            "iSTIG without STIG_INFO: STIG Viewer's schema requires it",
        );
        return;
    };
    let mut values = std::collections::HashMap::new();
    for si in info.children_named("SI_DATA") {
        let name = si.child_text("SID_NAME").unwrap_or("").trim();
        if !crate::checklist::SI_DATA_NAMES.contains(&name) {
            findings.at(
                si.offset,
                format!("SID_NAME '{name}' is not a name STIG Viewer's schema allows"),
            );
        }
        values.insert(
            name.to_string(),
            si.child_text("SID_DATA").unwrap_or("").trim(),
        );
    }
    let stig_id = values.get("stigid").copied().unwrap_or("");
    if stig_id.is_empty() {
        findings.at(
            info.offset,
            "no stigid in STIG_INFO: STIG Manager cannot tell which STIG this is",
        );
    }
    let version = values.get("version").copied().unwrap_or("");
    if !version.chars().any(|c| c.is_ascii_digit()) {
        findings.warn_at(
            info.offset,
            format!("STIG_INFO version '{version}' has no number: STIG Manager cannot work out the revision"),
        );
    }
    let release = values.get("releaseinfo").copied().unwrap_or("");
    if crate::checklist::cklb::release_number(release).is_none() {
        findings.warn_at(
            info.offset,
            format!(
                "releaseinfo '{release}' does not read 'Release: N Benchmark Date: ...': STIG Manager cannot work out the revision"
            ),
        );
    }
    let vulns: Vec<&Element> = istig.children_named("VULN").collect();
    if vulns.is_empty() {
        findings.at(
            istig.offset,
            "iSTIG without VULN: STIG Viewer's schema requires at least one rule",
        );
    }
    let mut seen = HashSet::new();
    for vuln in vulns {
        check_vuln(vuln, &mut seen, findings);
    }
}

fn check_vuln<'a>(vuln: &'a Element, seen: &mut HashSet<&'a str>, findings: &mut Findings) {
    let mut rule_id = None;
    let mut severity = None;
    let mut review_started = false;
    let mut last_review: Option<usize> = None;
    for child in &vuln.children {
        let name = child.local_name();
        if name == "STIG_DATA" {
            if review_started {
                findings.at(
                    child.offset,
                    "STIG_DATA after STATUS: STIG Viewer's schema puts every STIG_DATA first",
                );
            }
            let attribute = child.child_text("VULN_ATTRIBUTE").unwrap_or("").trim();
            let data = child.child_text("ATTRIBUTE_DATA");
            if !VULN_ATTRIBUTES.contains(&attribute) {
                findings.at(
                    child.offset,
                    format!(
                        "VULN_ATTRIBUTE '{attribute}' is not a name STIG Viewer's schema allows"
                    ),
                );
            }
            if data.is_none() {
                findings.at(child.offset, format!("STIG_DATA {attribute} has no ATTRIBUTE_DATA: STIG Viewer's schema requires it"));
            }
            match attribute {
                "Rule_ID" if rule_id.is_none() => {
                    rule_id = Some((data.unwrap_or("").trim(), child.offset))
                }
                "Severity" => severity = Some((data.unwrap_or("").trim(), child.offset)),
                _ => {}
            }
            continue;
        }
        match REVIEW_ELEMENTS.iter().position(|n| *n == name) {
            Some(i) => {
                review_started = true;
                if last_review.is_some_and(|previous| i <= previous) {
                    findings.at(
                        child.offset,
                        format!(
                            "<{name}> is out of order or repeated: STIG Viewer's schema wants {}",
                            REVIEW_ELEMENTS.join(", ")
                        ),
                    );
                }
                last_review = Some(i);
            }
            None => findings.at(
                child.offset,
                format!(
                    "<{}> is not allowed in <VULN> by STIG Viewer's schema",
                    child.name
                ),
            ),
        }
    }
    let id = rule_id.map_or("", |(id, _)| id);
    let at = rule_id.map_or(vuln.offset, |(_, at)| at);
    if let Some(problem) = rule_id_problem(id) {
        if id.trim().is_empty() {
            findings.at(at, problem);
        } else {
            findings.warn_at(at, problem);
        }
    } else if !seen.insert(id) {
        findings.warn_at(
            at,
            format!("Rule ID {id} appears twice in this STIG: consumers keep only one review"),
        );
    }
    let label = if id.is_empty() { "this VULN" } else { id };
    let status = vuln.child_text("STATUS").map(str::trim);
    match status {
        None => findings.at(vuln.offset, format!("{label} has no STATUS: STIG Viewer's schema requires it and STIG Manager skips the rule")),
        Some(s) if !CKL_STATUSES.contains(&s) => {
            findings.at(
                vuln.child("STATUS").map_or(vuln.offset, |e| e.offset),
                format!("{label}: STATUS '{s}' is not NotAFinding, Open, Not_Applicable or Not_Reviewed: STIG Viewer rejects it and STIG Manager skips the rule"),
            );
        }
        _ => {}
    }
    for name in &REVIEW_ELEMENTS[1..] {
        if vuln.child(name).is_none() {
            findings.at(
                vuln.offset,
                format!("{label} has no {name}: STIG Viewer's schema requires it (STIG Manager's parser fails on a reviewed rule without FINDING_DETAILS or COMMENTS)"),
            );
        }
    }
    if let Some(e) = vuln.child("SEVERITY_OVERRIDE") {
        let value = e.text.trim();
        if !["", "low", "medium", "high"].contains(&value) {
            findings.at(
                e.offset,
                format!("{label}: SEVERITY_OVERRIDE '{value}' is not low, medium, high or empty"),
            );
        }
    }
    if let Some((value, at)) = severity
        && !["low", "medium", "high"].contains(&value)
        && status != Some("Not_Applicable")
    {
        findings.at(
            at,
            format!(
                "{label}: Severity '{value}' is not low, medium or high: hdf-converters fail on it"
            ),
        );
    }
    for name in ["FINDING_DETAILS", "COMMENTS"] {
        if let Some(e) = vuln.child(name)
            && let Some(problem) = text_length_problem(name, &e.text)
        {
            findings.warn_at(e.offset, format!("{label}: {problem}"));
        }
    }
    if findings.options.submittable
        && let Some(status) = status
    {
        let evaluated = ["NotAFinding", "Open", "Not_Applicable"].contains(&status);
        let detail = vuln.child_text("FINDING_DETAILS").unwrap_or("");
        let comment = vuln.child_text("COMMENTS").unwrap_or("");
        for problem in super::submittable_problems(evaluated, status == "Open", detail, comment) {
            findings.warn_at(vuln.offset, format!("{label}: {problem}"));
        }
    }
}
