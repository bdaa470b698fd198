//! CKLB: the JSON checklist of DISA STIG Viewer 3.
//!
//! [`write`] follows DISA's `SV3_CKLB_1_0_JSON_SCHEMA.json` with the key order of real STIG
//! Viewer 3 files, plus the per-STIG `version` key that STIG Viewer 3 itself writes and STIG
//! Manager needs for the revision (the 1.0 schema does not list it). [`read`] accepts CKLBs of
//! STIG Viewer 3, STIG Manager and Evaluate-STIG and maps them to the shared [`Checklist`]
//! model with the STIG_DATA pairs in STIG Viewer's CKL order, so CKL → CKLB → CKL keeps every
//! status, detail, comment and severity override. The read document stays with the model, so a
//! CKLB written back (after a merge, say) is that document with only what the model changed.
//!
//! Field mapping (CKL `STIG_DATA` ↔ CKLB rule key) is [`TEXT_FIELDS`] plus the few fields with
//! their own shape: `Rule_ID` ↔ `rule_id_src` (and `rule_id` without `_rule`), `Group_Title` ↔
//! `group_tree[0].title` (STIG Viewer 3 puts the rule title in `group_title`), `Class` ↔
//! `classification` (`Unclass` ↔ `Unclassified`), `Check_Content_Ref` ↔ `check_content_ref.name`,
//! `LEGACY_ID`/`CCI_REF` ↔ `legacy_ids`/`ccis`, the severity override ↔ `overrides.severity`.

use crate::checklist::{
    Asset, AttributeName, Checklist, ChecklistStig, SI_DATA_NAMES, Status, Vuln,
};
use crate::error::{Error, Position, Result};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// CKL STIG_DATA attributes that map one-to-one to a CKLB rule string (CKL name, CKLB key).
pub const TEXT_FIELDS: [(&str, &str); 18] = [
    ("Vuln_Num", "group_id_src"),
    ("Rule_Ver", "rule_version"),
    ("Rule_Title", "rule_title"),
    ("Vuln_Discuss", "discussion"),
    ("IA_Controls", "ia_controls"),
    ("Check_Content", "check_content"),
    ("Fix_Text", "fix_text"),
    ("False_Positives", "false_positives"),
    ("False_Negatives", "false_negatives"),
    ("Documentable", "documentable"),
    ("Mitigations", "mitigations"),
    ("Potential_Impact", "potential_impacts"),
    ("Third_Party_Tools", "third_party_tools"),
    ("Mitigation_Control", "mitigation_control"),
    ("Responsibility", "responsibility"),
    ("Security_Override_Guidance", "security_override_guidance"),
    ("Weight", "weight"),
    ("STIGRef", "stig_ref"),
];

/// The whole CKLB document, keys in STIG Viewer 3's order.
#[derive(Serialize)]
struct CklbDocument<'a> {
    title: String,
    id: String,
    stigs: Vec<CklbStig<'a>>,
    active: bool,
    mode: u8,
    has_path: bool,
    target_data: TargetData<'a>,
    cklb_version: &'static str,
}

#[derive(Serialize)]
struct TargetData<'a> {
    target_type: &'a str,
    host_name: &'a str,
    ip_address: &'a str,
    mac_address: &'a str,
    fqdn: &'a str,
    comments: &'a str,
    role: &'a str,
    is_web_database: bool,
    technology_area: &'a str,
    web_db_site: &'a str,
    web_db_instance: &'a str,
}

#[derive(Serialize)]
struct CklbStig<'a> {
    stig_name: &'a str,
    display_name: String,
    stig_id: &'a str,
    release_info: &'a str,
    version: &'a str,
    uuid: String,
    reference_identifier: &'a str,
    size: usize,
    rules: Vec<CklbRule<'a>>,
}

#[derive(Serialize)]
struct GroupTreeEntry<'a> {
    id: &'a str,
    title: &'a str,
    description: &'static str,
}

#[derive(Serialize)]
struct CheckContentRef<'a> {
    href: &'static str,
    name: &'a str,
}

#[derive(Serialize)]
struct SeverityOverride<'a> {
    severity: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct CklbRule<'a> {
    group_id_src: &'a str,
    group_tree: [GroupTreeEntry<'a>; 1],
    group_id: &'a str,
    severity: &'a str,
    group_title: &'a str,
    rule_id_src: &'a str,
    rule_id: &'a str,
    rule_version: &'a str,
    rule_title: &'a str,
    fix_text: &'a str,
    weight: &'a str,
    check_content: &'a str,
    check_content_ref: CheckContentRef<'a>,
    classification: &'a str,
    discussion: &'a str,
    false_positives: &'a str,
    false_negatives: &'a str,
    documentable: &'a str,
    security_override_guidance: &'a str,
    potential_impacts: &'a str,
    third_party_tools: &'a str,
    ia_controls: &'a str,
    responsibility: &'a str,
    mitigations: &'a str,
    mitigation_control: &'a str,
    legacy_ids: Vec<&'a str>,
    ccis: Vec<&'a str>,
    reference_identifier: &'a str,
    target_key: &'a str,
    stig_ref: &'a str,
    uuid: String,
    stig_uuid: String,
    status: &'static str,
    overrides: BTreeMap<&'static str, SeverityOverride<'a>>,
    comments: &'a str,
    finding_details: &'a str,
}

/// The group description STIG Viewer writes for every DISA group (DISA's are all empty).
const EMPTY_GROUP_DESCRIPTION: &str = "<GroupDescription></GroupDescription>";

/// Serializes `checklist` as a CKLB document (pretty JSON, LF line ends, trailing newline).
///
/// A checklist read from a CKLB is written as that document with only what the model changed
/// set anew: the checklist `id`, rule `uuid`s, key order and keys the model has
/// no place for survive. A new or converted checklist gets STIG Viewer 3's layout; UUIDs the
/// model lacks (or holds in a form that is not a UUID) are generated fresh.
pub fn write(checklist: &Checklist) -> Result<String> {
    let serialize_error =
        |e: serde_json::Error| Error::Usage(format!("cannot serialize the CKLB: {e}"));
    let mut text = match checklist
        .cklb_document
        .as_deref()
        .and_then(|d| patched(d, checklist))
    {
        Some(document) => serde_json::to_string_pretty(&document),
        None => serde_json::to_string_pretty(&document(checklist)),
    }
    .map_err(serialize_error)?;
    text.push('\n');
    Ok(text)
}

/// `original` (a read CKLB) updated to `checklist`: the model read from `original` and
/// `checklist` are both laid out as fresh documents, and where the two differ, `original` takes
/// the new value. `None` when `original` no longer reads (the caller writes a fresh document).
fn patched(original: &Value, checklist: &Checklist) -> Option<Value> {
    let baseline = from_document(Path::new(""), original).ok()?;
    let base = serde_json::to_value(document(&baseline)).ok()?;
    let fresh = serde_json::to_value(document(checklist)).ok()?;
    let mut out = original.clone();
    patch(&mut out, &base, &fresh);
    Some(out)
}

/// Keys that hold generated identifiers: a UUID the read document has there is never replaced.
const GENERATED_KEYS: [&str; 3] = ["id", "uuid", "stig_uuid"];

/// Sets in `target` what changed from `base` to `fresh` (two layouts of one document shape):
/// objects key by key and arrays item by item, recursively; what is equal in both stays as
/// `target` has it (or lacks it); a key or item only `fresh` has is added, one only `base` has
/// is removed; any other changed value is replaced whole.
/// [`GENERATED_KEYS`] keep the target's value when it is a UUID.
fn patch(target: &mut Value, base: &Value, fresh: &Value) {
    match (target, base, fresh) {
        (Value::Object(target), Value::Object(base), Value::Object(fresh)) => {
            for (key, new) in fresh {
                let kept_identifier = GENERATED_KEYS.contains(&key.as_str())
                    && target
                        .get(key)
                        .and_then(Value::as_str)
                        .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok());
                if kept_identifier {
                    continue;
                }
                match (target.get_mut(key), base.get(key)) {
                    (_, Some(old)) if old == new => {}
                    (Some(t), Some(old)) => patch(t, old, new),
                    (None, _) => {
                        target.insert(key.clone(), new.clone());
                    }
                    (Some(t), None) => *t = new.clone(),
                }
            }
            for key in base.keys().filter(|k| !fresh.contains_key(*k)) {
                target.shift_remove(key);
            }
        }
        (Value::Array(target), Value::Array(base), Value::Array(fresh))
            if target.len() == base.len() =>
        {
            target.truncate(fresh.len());
            for (i, new) in fresh.iter().enumerate() {
                match target.get_mut(i) {
                    Some(t) => patch(t, &base[i], new),
                    None => target.push(new.clone()),
                }
            }
        }
        (target, base, fresh) => {
            if base != fresh {
                *target = fresh.clone();
            }
        }
    }
}

/// The fresh CKLB layout of `checklist`, keys in STIG Viewer 3's order.
fn document(checklist: &Checklist) -> CklbDocument<'_> {
    let asset = &checklist.asset;
    let stigs: Vec<CklbStig> = checklist.stigs.iter().map(stig_json).collect();
    CklbDocument {
        title: document_title(checklist),
        id: fresh_uuid(),
        stigs,
        active: false,
        mode: 2,
        has_path: true,
        target_data: TargetData {
            target_type: &asset.asset_type,
            host_name: &asset.host_name,
            ip_address: &asset.host_ip,
            mac_address: &asset.host_mac,
            fqdn: &asset.host_fqdn,
            comments: &asset.target_comment,
            role: &asset.role,
            is_web_database: asset.web_or_database,
            technology_area: &asset.tech_area,
            web_db_site: &asset.web_db_site,
            web_db_instance: &asset.web_db_instance,
        },
        cklb_version: "1.0",
    }
}

/// `HOST-STIGID-V2R6` like STIG Manager names its exports (title is "the file name when saved").
fn document_title(checklist: &Checklist) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !checklist.asset.host_name.is_empty() {
        parts.push(checklist.asset.host_name.clone());
    }
    if let Some(stig) = checklist.stigs.first() {
        parts.push(stig.info("stigid").to_string());
        let release = release_number(stig.info("releaseinfo")).unwrap_or("0");
        parts.push(format!("V{}R{release}", stig.info("version")));
    }
    let title = parts.join("-");
    if title.is_empty() {
        "checklist".into()
    } else {
        title
    }
}

/// The release number as STIG Manager reads it: `/Release:\s*(.+?)\s/`.
pub fn release_number(release_info: &str) -> Option<&str> {
    let rest = release_info.split_once("Release:")?.1.trim_start();
    let end = rest.find(char::is_whitespace)?;
    rest.get(..end).filter(|number| !number.is_empty())
}

/// The display name STIG Viewer 3 shows: the title without "Security Technical Implementation Guide".
fn display_name(title: &str) -> String {
    let short = title
        .replace("Security Technical Implementation Guide", "")
        .trim()
        .to_string();
    if short.is_empty() {
        title.to_string()
    } else {
        short
    }
}

fn fresh_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `text` when it is a UUID, else `fallback`.
fn uuid_or(text: &str, fallback: &str) -> String {
    match uuid::Uuid::parse_str(text.trim()) {
        Ok(u) => u.hyphenated().to_string(),
        Err(_) => fallback.to_string(),
    }
}

fn stig_json(stig: &ChecklistStig) -> CklbStig<'_> {
    let stig_uuid = uuid_or(stig.info("uuid"), &fresh_uuid());
    let reference = stig
        .vulns
        .iter()
        .map(|v| v.attr("TargetKey"))
        .find(|k| !k.is_empty())
        .unwrap_or("");
    CklbStig {
        stig_name: stig.info("title"),
        display_name: display_name(stig.info("title")),
        stig_id: stig.info("stigid"),
        release_info: stig.info("releaseinfo"),
        version: stig.info("version"),
        uuid: stig_uuid.clone(),
        reference_identifier: reference,
        size: stig.vulns.len(),
        rules: stig
            .vulns
            .iter()
            .map(|v| rule_json(v, &stig_uuid))
            .collect(),
    }
}

fn rule_json<'a>(vuln: &'a Vuln, stig_uuid: &str) -> CklbRule<'a> {
    let rule_id_src = vuln.rule_id();
    let severity = match vuln.attr("Severity") {
        s @ ("low" | "medium" | "high") => s,
        _ => "unknown",
    };
    let mut overrides = BTreeMap::new();
    if !vuln.severity_override.is_empty() {
        overrides.insert(
            "severity",
            SeverityOverride {
                severity: &vuln.severity_override,
                reason: &vuln.severity_justification,
            },
        );
    }
    let class = match vuln.attr("Class") {
        "Unclass" => "Unclassified",
        other => other,
    };
    CklbRule {
        group_id_src: vuln.vuln_num(),
        group_tree: [GroupTreeEntry {
            id: vuln.vuln_num(),
            title: vuln.attr("Group_Title"),
            description: EMPTY_GROUP_DESCRIPTION,
        }],
        group_id: vuln.vuln_num(),
        severity,
        group_title: vuln.attr("Rule_Title"),
        rule_id_src,
        rule_id: rule_id_src.strip_suffix("_rule").unwrap_or(rule_id_src),
        rule_version: vuln.stig_id(),
        rule_title: vuln.attr("Rule_Title"),
        fix_text: vuln.attr("Fix_Text"),
        weight: vuln.attr("Weight"),
        check_content: vuln.attr("Check_Content"),
        check_content_ref: CheckContentRef {
            href: "",
            name: vuln.attr("Check_Content_Ref"),
        },
        classification: class,
        discussion: vuln.attr("Vuln_Discuss"),
        false_positives: vuln.attr("False_Positives"),
        false_negatives: vuln.attr("False_Negatives"),
        documentable: vuln.attr("Documentable"),
        security_override_guidance: vuln.attr("Security_Override_Guidance"),
        potential_impacts: vuln.attr("Potential_Impact"),
        third_party_tools: vuln.attr("Third_Party_Tools"),
        ia_controls: vuln.attr("IA_Controls"),
        responsibility: vuln.attr("Responsibility"),
        mitigations: vuln.attr("Mitigations"),
        mitigation_control: vuln.attr("Mitigation_Control"),
        legacy_ids: vuln.attrs("LEGACY_ID").filter(|v| !v.is_empty()).collect(),
        ccis: vuln.attrs("CCI_REF").filter(|v| !v.is_empty()).collect(),
        reference_identifier: vuln.attr("TargetKey"),
        target_key: vuln.attr("TargetKey"),
        stig_ref: vuln.attr("STIGRef"),
        uuid: fresh_uuid(),
        stig_uuid: uuid_or(vuln.attr("STIG_UUID"), stig_uuid),
        status: vuln.status.cklb(),
        overrides,
        comments: &vuln.comments,
        finding_details: &vuln.finding_details,
    }
}

/// Parses CKLB `text` (read from `path`, named in errors) into the checklist model.
///
/// Invalid JSON is reported with its line and column; a document without a `stigs` array, a
/// STIG or rule that is not an object, or a rule status outside the four CKLB values is an
/// error naming the STIG and rule. Missing optional keys and `null` values read as empty. The
/// document is kept in the checklist for [`write`].
pub fn read(path: &Path, text: &str) -> Result<Checklist> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let document: Value = serde_json::from_str(text).map_err(|e| {
        let position = Position {
            line: e.line(),
            column: e.column(),
        };
        Error::input_at(path, position, format!("not valid JSON: {e}"))
    })?;
    let mut checklist = from_document(path, &document)?;
    checklist.cklb_document = Some(Arc::new(document));
    Ok(checklist)
}

/// The checklist model of a parsed CKLB document (see [`read`]); `path` names the file in
/// errors.
// The model grows fields CKLB has no place for (CKL layout, XML comments): start from the
// defaults and set what CKLB carries.
#[allow(clippy::field_reassign_with_default)]
fn from_document(path: &Path, document: &Value) -> Result<Checklist> {
    let Some(root) = document.as_object() else {
        return Err(Error::input(path, "a CKLB must be a JSON object"));
    };
    let Some(stigs) = root.get("stigs").and_then(Value::as_array) else {
        return Err(Error::input(
            path,
            "no \"stigs\" array: this is not a STIG Viewer 3 checklist",
        ));
    };
    let empty = Map::new();
    let target = root
        .get("target_data")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut checklist = Checklist::default();
    checklist.asset = asset_from(target);
    for (index, stig) in stigs.iter().enumerate() {
        let Some(stig) = stig.as_object() else {
            return Err(Error::input(
                path,
                format!("stigs[{index}] is not a JSON object"),
            ));
        };
        checklist.stigs.push(stig_from(path, index, stig)?);
    }
    checklist.asset.target_key = checklist
        .stigs
        .iter()
        .flat_map(|s| s.vulns.iter())
        .map(|v| v.attr("TargetKey"))
        .find(|k| !k.is_empty())
        .unwrap_or("")
        .to_string();
    Ok(checklist)
}

/// A string field: strings as they are, numbers and booleans as their JSON text, else `""`.
fn text_of(map: &Map<String, Value>, key: &str) -> String {
    match map.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// The first non-empty of several string fields.
fn first_text(map: &Map<String, Value>, keys: &[&str]) -> String {
    keys.iter()
        .map(|k| text_of(map, k))
        .find(|v| !v.is_empty())
        .unwrap_or_default()
}

fn strings_of(map: &Map<String, Value>, key: &str) -> Vec<String> {
    map.get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .filter(|v| !v.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

// The model grows fields CKLB has no place for (CKL layout, XML comments): start from the
// defaults and set what CKLB carries.
#[allow(clippy::field_reassign_with_default)]
fn asset_from(target: &Map<String, Value>) -> Asset {
    let asset_type = text_of(target, "target_type");
    let mut asset = Asset::default();
    asset.role = text_of(target, "role");
    asset.asset_type = if asset_type.is_empty() {
        "Computing".into()
    } else {
        asset_type
    };
    asset.marking = String::new();
    asset.host_name = text_of(target, "host_name");
    asset.host_ip = text_of(target, "ip_address");
    asset.host_mac = text_of(target, "mac_address");
    asset.host_fqdn = text_of(target, "fqdn");
    asset.target_comment = text_of(target, "comments");
    asset.tech_area = text_of(target, "technology_area");
    asset.target_key = String::new();
    asset.web_or_database = target.get("is_web_database").and_then(Value::as_bool) == Some(true);
    asset.web_db_site = text_of(target, "web_db_site");
    asset.web_db_instance = text_of(target, "web_db_instance");
    asset
}

// The model grows fields CKLB has no place for (CKL layout, XML comments): start from the
// defaults and set what CKLB carries.
#[allow(clippy::field_reassign_with_default)]
fn stig_from(path: &Path, index: usize, stig: &Map<String, Value>) -> Result<ChecklistStig> {
    let title = text_of(stig, "stig_name");
    let version = text_of(stig, "version");
    let release_info = text_of(stig, "release_info");
    let uuid = text_of(stig, "uuid");
    let info_value = |name: &str| -> Option<String> {
        let value = match name {
            "version" => version.clone(),
            "classification" => "UNCLASSIFIED".into(),
            "stigid" => text_of(stig, "stig_id"),
            "releaseinfo" => release_info.clone(),
            "title" => title.clone(),
            "uuid" => uuid.clone(),
            _ => String::new(),
        };
        (!value.is_empty()).then_some(value)
    };
    let info = SI_DATA_NAMES
        .iter()
        .map(|n| (n.to_string(), info_value(n)))
        .collect();
    let defaults = StigDefaults {
        stig_ref: format!("{title} :: Version {version}, {release_info}"),
        target_key: text_of(stig, "reference_identifier"),
        stig_uuid: uuid.clone(),
    };
    let rules = match stig.get("rules") {
        None | Some(Value::Null) => &Vec::new(),
        Some(Value::Array(rules)) => rules,
        Some(_) => {
            return Err(Error::input(
                path,
                format!("stigs[{index}].rules is not an array"),
            ));
        }
    };
    let mut vulns = Vec::with_capacity(rules.len());
    for (rule_index, rule) in rules.iter().enumerate() {
        let place = format!("stigs[{index}].rules[{rule_index}]");
        let Some(rule) = rule.as_object() else {
            return Err(Error::input(path, format!("{place} is not a JSON object")));
        };
        vulns.push(vuln_from(path, &place, rule, &defaults)?);
    }
    let mut result = ChecklistStig::default();
    result.info = info;
    result.vulns = vulns;
    Ok(result)
}

/// Per-STIG values a rule falls back on when it does not carry its own.
struct StigDefaults {
    stig_ref: String,
    target_key: String,
    stig_uuid: String,
}

// The model grows fields CKLB has no place for (CKL layout, XML comments): start from the
// defaults and set what CKLB carries.
#[allow(clippy::field_reassign_with_default)]
fn vuln_from(
    path: &Path,
    place: &str,
    rule: &Map<String, Value>,
    defaults: &StigDefaults,
) -> Result<Vuln> {
    let get = |ckl_name: &str| -> String {
        TEXT_FIELDS
            .iter()
            .find(|(c, _)| *c == ckl_name)
            .map(|(_, key)| text_of(rule, key))
            .unwrap_or_default()
    };
    let mut rule_id = text_of(rule, "rule_id_src");
    if rule_id.is_empty() {
        rule_id = text_of(rule, "rule_id");
        if !rule_id.is_empty() && !rule_id.ends_with("_rule") {
            rule_id.push_str("_rule");
        }
    }
    let status_text = text_of(rule, "status");
    let status = if status_text.is_empty() {
        Status::NotReviewed
    } else {
        Status::parse(&status_text).ok_or_else(|| {
            Error::input(
                path,
                format!(
                    "{place} ({rule_id}): status '{status_text}' is not one of not_a_finding, open, not_applicable, not_reviewed"
                ),
            )
        })?
    };
    let group_tree_title = rule
        .get("group_tree")
        .and_then(Value::as_array)
        .and_then(|tree| tree.first())
        .and_then(Value::as_object)
        .map(|entry| text_of(entry, "title"))
        .unwrap_or_default();
    let group_title = if group_tree_title.is_empty() {
        text_of(rule, "group_title")
    } else {
        group_tree_title
    };
    let severity = match text_of(rule, "severity").as_str() {
        "unknown" => String::new(),
        other => other.to_string(),
    };
    let class = match text_of(rule, "classification").as_str() {
        "Unclassified" => "Unclass".to_string(),
        other => other.to_string(),
    };
    let check_content_ref = rule
        .get("check_content_ref")
        .and_then(Value::as_object)
        .map(|r| text_of(r, "name"))
        .unwrap_or_default();
    let or_default = |value: String, default: &str| {
        if value.is_empty() {
            default.to_string()
        } else {
            value
        }
    };
    let vuln_num = or_default(get("Vuln_Num"), &text_of(rule, "group_id"));
    let target_key = or_default(
        first_text(rule, &["target_key", "reference_identifier"]),
        &defaults.target_key,
    );
    let stig_uuid = or_default(text_of(rule, "stig_uuid"), &defaults.stig_uuid);
    let mut data: Vec<(AttributeName, String)> = Vec::with_capacity(32);
    let mut push = |name: &'static str, value: String| data.push((name.into(), value));
    push("Vuln_Num", vuln_num);
    push("Severity", severity);
    push("Group_Title", group_title);
    push("Rule_ID", rule_id);
    // Rule_Ver .. Security_Override_Guidance: the texts CKLB keeps under their own keys.
    for name in &super::VULN_ATTRIBUTES[4..19] {
        push(name, get(name));
    }
    push("Check_Content_Ref", check_content_ref);
    push("Weight", get("Weight"));
    push("Class", class);
    push("STIGRef", or_default(get("STIGRef"), &defaults.stig_ref));
    push("TargetKey", target_key);
    push("STIG_UUID", stig_uuid);
    let legacy = strings_of(rule, "legacy_ids");
    for i in 0..legacy.len().max(2) {
        push("LEGACY_ID", legacy.get(i).cloned().unwrap_or_default());
    }
    for cci in strings_of(rule, "ccis") {
        push("CCI_REF", cci);
    }
    let (severity_override, severity_justification) = rule
        .get("overrides")
        .and_then(Value::as_object)
        .and_then(|o| o.get("severity"))
        .and_then(Value::as_object)
        .map(|o| (text_of(o, "severity"), text_of(o, "reason")))
        .unwrap_or_default();
    let mut vuln = Vuln::default();
    vuln.stig_data = data;
    vuln.status = status;
    vuln.finding_details = text_of(rule, "finding_details");
    vuln.comments = text_of(rule, "comments");
    vuln.severity_override = severity_override;
    vuln.severity_justification = severity_justification;
    Ok(vuln)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_changes_only_what_differs_between_the_two_layouts() {
        use serde_json::json;
        let target = json!({"id": "5d2f7a9e-1c3b-4e8d-a6f0-2b4c6d8e0f12", "x": 1, "rules": [{"s": "a", "o": {"sev": 1, "keep": true}}, {"s": "b"}], "t": "same"});
        let base =
            json!({"id": "gen-1", "rules": [{"s": "a", "o": {"sev": 1}}, {"s": "b"}], "t": "same"});
        let fresh = json!({"id": "gen-2", "rules": [{"s": "A", "o": {}}, {"s": "b"}, {"s": "new"}], "t": "same"});
        let mut out = target.clone();
        patch(&mut out, &base, &fresh);
        assert_eq!(
            out,
            json!({"id": "5d2f7a9e-1c3b-4e8d-a6f0-2b4c6d8e0f12", "x": 1, "rules": [{"s": "A", "o": {"keep": true}}, {"s": "b"}, {"s": "new"}], "t": "same"})
        );
        // `id` outside the generated places (a group's V- number) follows the model.
        let mut group = json!({"group_tree": [{"id": "V-1"}]});
        patch(
            &mut group,
            &json!({"group_tree": [{"id": "V-1"}]}),
            &json!({"group_tree": [{"id": "V-2"}]}),
        );
        assert_eq!(group, json!({"group_tree": [{"id": "V-2"}]}));
        let mut unchanged = target.clone();
        patch(&mut unchanged, &base, &base);
        assert_eq!(unchanged, target);
    }

    #[test]
    fn release_number_follows_stig_manager() {
        assert_eq!(
            release_number("Release: 6 Benchmark Date: 30 Jan 2025"),
            Some("6")
        );
        assert_eq!(release_number("Release: 1.2 Benchmark"), Some("1.2"));
        assert_eq!(release_number("releaseinfo"), None);
        assert_eq!(release_number("Release: 6"), None);
    }

    #[test]
    fn display_name_drops_the_long_suffix() {
        assert_eq!(
            display_name("Active Directory Domain Security Technical Implementation Guide"),
            "Active Directory Domain"
        );
        assert_eq!(display_name("Odd"), "Odd");
    }

    #[test]
    fn invalid_json_names_line_and_column() {
        let err = read(Path::new("x.cklb"), "{\n  \"title\": ,\n}").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("line 2, column 12"), "{text}");
    }

    #[test]
    fn unknown_status_is_an_error_naming_the_rule() {
        let doc = r#"{"title":"t","id":"x","stigs":[{"rules":[{"rule_id_src":"SV-1r2_rule","status":"No_Data"}]}]}"#;
        let text = read(Path::new("x.cklb"), doc).unwrap_err().to_string();
        assert!(text.contains("stigs[0].rules[0] (SV-1r2_rule)"), "{text}");
        assert!(text.contains("No_Data"), "{text}");
    }
}
