//! `exstig convert`: CKL to CKLB and back, keeping everything both formats can hold and naming
//! in a warning what the output format cannot hold.
//!
//! What is lost is found two ways: the CKLB keys exstig does not map (read from the input JSON),
//! and a round trip of the checklist model through the output format (written, read back, and
//! compared field by field with the input), which also catches XML comments, `HOST_GUID` and
//! other ASSET elements, SI_DATA and STIG_DATA a CKLB has no place for.

use crate::checklist::{Asset, Checklist, cklb};
use crate::error::{EXIT_OK, Error, Result};
use crate::merge::{Format, read_checklist, render_checklist};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Arguments of `exstig convert`.
#[derive(Debug, clap::Args)]
pub struct ConvertArgs {
    /// The checklist to convert (.ckl or .cklb; the format is recognized from the content).
    #[arg(value_name = "CHECKLIST")]
    pub input: PathBuf,
    /// The converted checklist; .ckl or .cklb chooses the format.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Replace a read-only output file too (it stays read-only); without it it is refused.
    #[arg(long)]
    pub force: bool,
}

/// Runs `exstig convert`: reads, writes atomically, and warns on stderr about what the output
/// format cannot hold.
pub fn run(args: &ConvertArgs) -> Result<i32> {
    let format = Format::of_path(&args.output)?;
    let write = crate::fsio::WriteOptions { force: args.force };
    crate::fsio::check_outputs(&[&args.output], &[&args.input], write, false)?;
    let checklist = read_checklist(&args.input)?;
    let bytes = render_checklist(&args.output, &checklist)?;
    let mut losses = Losses::default();
    if format == Format::Ckl {
        let text = crate::fsio::read_text(&args.input)?;
        if Format::of_text(&text) == Some(Format::Cklb) {
            unmapped_cklb_keys(&text, &mut losses);
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    let back = read_back(&args.output, format, &text)?;
    model_losses(&checklist, &back, &mut losses);
    if checklist.asset.host_name.trim().is_empty() {
        eprintln!(
            "exstig: warning: HOST_NAME is empty (as in the input); STIG Manager refuses checklists without one"
        );
    }
    crate::fsio::write_all_atomic_with(&[(&args.output, bytes)], write)?;
    for long in crate::checklist::overlong_texts(&checklist) {
        eprintln!("exstig: warning: {long}");
    }
    for (what, count) in &losses.0 {
        let times = if *count > 1 {
            format!(" ({count} times)")
        } else {
            String::new()
        };
        eprintln!(
            "exstig: warning: {} cannot hold {what}{times}; it is not in the output",
            format_name(format)
        );
    }
    eprintln!("wrote {}", args.output.display());
    Ok(EXIT_OK)
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Ckl => "CKL",
        Format::Cklb => "CKLB",
    }
}

/// Parses what was just rendered, as the output format.
fn read_back(path: &Path, format: Format, text: &str) -> Result<Checklist> {
    match format {
        Format::Cklb => cklb::read(path, text),
        Format::Ckl => crate::merge::read_ckl(path, text),
    }
    .map_err(|e| {
        Error::Usage(format!(
            "internal error: the converted checklist does not read back: {e}"
        ))
    })
}

/// What the output cannot hold, with how often it occurs.
#[derive(Debug, Default)]
pub struct Losses(pub BTreeMap<String, usize>);

impl Losses {
    fn add(&mut self, what: String) {
        *self.0.entry(what).or_default() += 1;
    }
}

/// Reads one ASSET field as text.
type AssetField = fn(&Asset) -> String;

/// The ASSET fields with their CKL element names.
const ASSET_FIELDS: [(&str, AssetField); 13] = [
    ("ROLE", |a| a.role.clone()),
    ("ASSET_TYPE", |a| a.asset_type.clone()),
    ("MARKING", |a| a.marking.clone()),
    ("HOST_NAME", |a| a.host_name.clone()),
    ("HOST_IP", |a| a.host_ip.clone()),
    ("HOST_MAC", |a| a.host_mac.clone()),
    ("HOST_FQDN", |a| a.host_fqdn.clone()),
    ("TARGET_COMMENT", |a| a.target_comment.clone()),
    ("TECH_AREA", |a| a.tech_area.clone()),
    ("TARGET_KEY", |a| a.target_key.clone()),
    ("WEB_OR_DATABASE", |a| a.web_or_database.to_string()),
    ("WEB_DB_SITE", |a| a.web_db_site.clone()),
    ("WEB_DB_INSTANCE", |a| a.web_db_instance.clone()),
];

/// Compares the input model with the one read back from the output and records every
/// non-empty input value the output lost or changed.
pub fn model_losses(input: &Checklist, back: &Checklist, losses: &mut Losses) {
    for (name, get) in ASSET_FIELDS {
        let value = get(&input.asset);
        if !value.is_empty() && value != get(&back.asset) {
            losses.add(format!("ASSET {name} '{value}'"));
        }
    }
    for (name, value) in &input.asset_layout {
        let standard = ASSET_FIELDS.iter().any(|(n, _)| n == name);
        let kept = back
            .asset_layout
            .iter()
            .any(|(n, v)| n == name && v == value);
        if !standard && !value.is_empty() && !kept {
            losses.add(format!("ASSET {name} '{value}'"));
        }
    }
    let (comments, comments_back) = (xml_comment_count(input), xml_comment_count(back));
    if comments > comments_back {
        losses.add(format!(
            "XML comments ({} of {comments})",
            comments - comments_back
        ));
    }
    if input.stigs.len() != back.stigs.len() {
        losses.add(format!(
            "{} of {} STIGs",
            input.stigs.len().saturating_sub(back.stigs.len()),
            input.stigs.len()
        ));
    }
    for (stig, stig_back) in input.stigs.iter().zip(&back.stigs) {
        for (name, value) in &stig.info {
            let Some(value) = value.as_deref().filter(|v| !v.is_empty()) else {
                continue;
            };
            if stig_back.info(name) != value {
                losses.add(format!("STIG_INFO {name}"));
            }
        }
        if stig.vulns.len() != stig_back.vulns.len() {
            losses.add(format!("rules of {}", stig.info("stigid")));
            continue;
        }
        for (v, w) in stig.vulns.iter().zip(&stig_back.vulns) {
            let mut names: Vec<&str> = v.stig_data.iter().map(|(n, _)| n.as_ref()).collect();
            names.dedup();
            for name in names {
                let ours: Vec<&str> = v.attrs(name).filter(|x| !x.is_empty()).collect();
                let theirs: Vec<&str> = w.attrs(name).filter(|x| !x.is_empty()).collect();
                if ours != theirs {
                    losses.add(format!("STIG_DATA {name}"));
                }
            }
            let review = [
                ("STATUS", v.status.ckl() != w.status.ckl()),
                ("FINDING_DETAILS", v.finding_details != w.finding_details),
                ("COMMENTS", v.comments != w.comments),
                (
                    "SEVERITY_OVERRIDE",
                    v.severity_override != w.severity_override,
                ),
                (
                    "SEVERITY_JUSTIFICATION",
                    v.severity_justification != w.severity_justification,
                ),
            ];
            for (name, differs) in review {
                if differs {
                    losses.add(format!("{name} as written (text changed)"));
                }
            }
        }
    }
}

/// How many XML comments a checklist read from a CKL carries, at every level. The header is
/// viewer-version and exstig comments, which every CKL writer adds, are not counted.
fn xml_comment_count(checklist: &Checklist) -> usize {
    let standard = |c: &&String| {
        let c = c.trim();
        c.starts_with("DISA STIG Viewer ::") || c.starts_with("exstig ")
    };
    let header = checklist
        .header_comments
        .as_ref()
        .map_or(0, |h| h.iter().filter(|c| !standard(c)).count());
    header
        + checklist.trailing_comments.len()
        + checklist.xml_comments.len()
        + checklist
            .stigs
            .iter()
            .map(|s| {
                s.xml_comments.len() + s.vulns.iter().map(|v| v.xml_comments.len()).sum::<usize>()
            })
            .sum::<usize>()
}

/// Known keys of a CKLB document, per level.
const TOP_KEYS: [&str; 8] = [
    "title",
    "id",
    "stigs",
    "active",
    "mode",
    "has_path",
    "target_data",
    "cklb_version",
];
const TARGET_KEYS: [&str; 11] = [
    "target_type",
    "host_name",
    "ip_address",
    "mac_address",
    "fqdn",
    "comments",
    "role",
    "is_web_database",
    "technology_area",
    "web_db_site",
    "web_db_instance",
];
const STIG_KEYS: [&str; 9] = [
    "stig_name",
    "display_name",
    "stig_id",
    "release_info",
    "version",
    "uuid",
    "reference_identifier",
    "size",
    "rules",
];
const RULE_KEYS: [&str; 20] = [
    "group_id_src",
    "group_tree",
    "group_id",
    "severity",
    "group_title",
    "rule_id_src",
    "rule_id",
    "check_content_ref",
    "classification",
    "legacy_ids",
    "ccis",
    "reference_identifier",
    "target_key",
    "stig_ref",
    "uuid",
    "stig_uuid",
    "status",
    "overrides",
    "comments",
    "finding_details",
];

/// Whether a JSON value carries information (not null, not an empty string, array or object).
fn has_content(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

fn unknown_keys(
    map: &serde_json::Map<String, Value>,
    known: &[&str],
    place: &str,
    losses: &mut Losses,
) {
    for (key, value) in map {
        if !known.contains(&key.as_str()) && has_content(value) {
            losses.add(format!("CKLB key {place}{key}"));
        }
    }
}

/// Records the CKLB keys and values a CKL has no place for: keys exstig does not map, overrides
/// other than severity, `check_content_ref.href`, group descriptions, a `group_title` that is
/// neither the rule title nor the SRG id, and the document and rule UUIDs.
pub fn unmapped_cklb_keys(text: &str, losses: &mut Losses) {
    let Ok(Value::Object(root)) =
        serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}'))
    else {
        return;
    };
    unknown_keys(&root, &TOP_KEYS, "", losses);
    if root.get("id").is_some_and(has_content) {
        losses.add("the CKLB document id (a new one is made when converting back)".into());
    }
    if let Some(Value::Object(target)) = root.get("target_data") {
        unknown_keys(target, &TARGET_KEYS, "target_data.", losses);
    }
    let stigs = root
        .get("stigs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for stig in stigs.iter().filter_map(Value::as_object) {
        unknown_keys(stig, &STIG_KEYS, "stigs[].", losses);
        let rules = stig
            .get("rules")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for rule in rules.iter().filter_map(Value::as_object) {
            rule_losses(rule, losses);
        }
    }
}

fn rule_losses(rule: &serde_json::Map<String, Value>, losses: &mut Losses) {
    let mapped: Vec<&str> = cklb::TEXT_FIELDS.iter().map(|(_, key)| *key).collect();
    let known: Vec<&str> = RULE_KEYS.iter().copied().chain(mapped).collect();
    unknown_keys(rule, &known, "rules[].", losses);
    if rule.get("uuid").is_some_and(has_content) {
        losses.add("rule uuids (new ones are made when converting back)".into());
    }
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
    if let Some(Value::Object(overrides)) = rule.get("overrides") {
        for (kind, value) in overrides {
            if kind != "severity" {
                losses.add(format!("CKLB override '{kind}'"));
            } else if let Value::Object(o) = value {
                for key in o.keys().filter(|k| *k != "severity" && *k != "reason") {
                    losses.add(format!("CKLB overrides.severity.{key}"));
                }
            }
        }
    }
    if let Some(Value::Object(r)) = rule.get("check_content_ref")
        && r.get("href").is_some_and(has_content)
    {
        losses.add("CKLB check_content_ref.href".into());
    }
    let tree = rule
        .get("group_tree")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if tree.len() > 1 {
        losses.add("CKLB group_tree entries after the first".into());
    }
    if let Some(first) = tree.first().and_then(Value::as_object) {
        let description = text(first.get("description"));
        if !description.is_empty() && description != "<GroupDescription></GroupDescription>" {
            losses.add("CKLB group_tree description".into());
        }
    }
    let group_title = text(rule.get("group_title"));
    let tree_title = tree
        .first()
        .and_then(Value::as_object)
        .map(|t| text(t.get("title")))
        .unwrap_or_default();
    if !group_title.is_empty()
        && !tree_title.is_empty()
        && group_title != tree_title
        && group_title != text(rule.get("rule_title"))
    {
        losses.add("CKLB group_title (differs from the rule title and the SRG id)".into());
    }
}
