//! The "derived" rules JSON (`*-rules-from-cklb.json`): the rule data of a benchmark recovered
//! from a STIG Viewer 3 checklist when the XCCDF itself is not at hand. Only what the file
//! carries is filled in; weight, target key, notice and source stay empty when absent.

use super::{Benchmark, Rule, RuleDescription, Severity};
use crate::error::{Error, Position, Result};
use serde::Deserialize;
use std::path::Path;

/// Suffix of derived files; the XCCDF they came from ends in `-xccdf.xml` instead.
const DERIVED_SUFFIX: &str = "-rules-from-cklb.json";

/// The file as written by the extraction (unknown keys such as `_provenance` are ignored).
#[derive(Deserialize)]
struct DerivedFile {
    stig_id: String,
    #[serde(default)]
    stig_name: String,
    #[serde(default)]
    release_info: String,
    #[serde(default)]
    version: String,
    rules: Vec<DerivedRule>,
}

/// One rule, with CKLB field names.
#[derive(Deserialize)]
struct DerivedRule {
    group_id: String,
    #[serde(default)]
    group_title: String,
    rule_id_src: String,
    #[serde(default)]
    rule_version: String,
    #[serde(default)]
    rule_title: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    weight: Option<String>,
    #[serde(default)]
    discussion: String,
    #[serde(default)]
    check_content: String,
    #[serde(default)]
    check_content_ref: Option<ContentRef>,
    #[serde(default)]
    fix_text: String,
    #[serde(default)]
    ccis: Vec<String>,
    #[serde(default)]
    legacy_ids: Vec<String>,
    #[serde(default)]
    target_key: Option<String>,
}

/// `check_content_ref` as CKLB writes it.
#[derive(Deserialize)]
struct ContentRef {
    #[serde(default)]
    href: String,
    #[serde(default)]
    name: String,
}

/// Parses derived JSON `text`; `filename` is the derived file's name, from which the original
/// XCCDF name is restored (`...-rules-from-cklb.json` becomes `...-xccdf.xml`).
pub fn parse(path: &Path, text: &str, filename: &str) -> Result<Benchmark> {
    let file: DerivedFile = serde_json::from_str(text).map_err(|e| {
        let position = Position {
            line: e.line(),
            column: e.column(),
        };
        Error::input_at(
            path,
            position,
            format!("not a derived benchmark JSON (stig_id, rules[] with group_id, rule_id_src ...): {e}"),
        )
    })?;
    if file.rules.is_empty() {
        return Err(Error::input(path, "derived benchmark JSON without rules"));
    }
    let filename = match filename.strip_suffix(DERIVED_SUFFIX) {
        Some(stem) => format!("{stem}-xccdf.xml"),
        None => filename.to_string(),
    };
    let rules = file.rules.into_iter().map(rule).collect();
    Ok(Benchmark {
        id: file.stig_id,
        title: file.stig_name,
        version: file.version,
        release_info: file.release_info,
        filename,
        rules,
        ..Benchmark::default()
    })
}

fn rule(derived: DerivedRule) -> Rule {
    let (href, name) = derived
        .check_content_ref
        .map(|r| (r.href, r.name))
        .unwrap_or_default();
    let mut legacy_ids = derived.legacy_ids;
    legacy_ids.sort_by_key(|id| !id.starts_with("V-"));
    Rule {
        group_id: derived.group_id,
        group_title: derived.group_title,
        rule_id: derived.rule_id_src,
        severity: Severity::parse(&derived.severity),
        weight: derived.weight.unwrap_or_default(),
        stig_id: derived.rule_version,
        title: derived.rule_title,
        description: RuleDescription {
            vuln_discussion: derived.discussion,
            ..RuleDescription::default()
        },
        ccis: derived.ccis,
        legacy_ids,
        fix_text: derived.fix_text,
        check_digest: super::check_digest(&derived.check_content),
        check_content: derived.check_content,
        check_content_ref_name: name,
        check_content_ref_href: href,
        target_key: derived.target_key.unwrap_or_default(),
        check_terms: Vec::new(),
    }
}
