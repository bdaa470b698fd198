//! The checklist model shared by the CKL and CKLB readers and writers.
//!
//! A [`Vuln`] keeps its STIG_DATA as an ordered list of (attribute, value) pairs, exactly as
//! the file holds them, so that a checklist read and written back loses nothing.

pub mod ckl;
pub mod cklb;

use crate::benchmark::{Benchmark, Rule};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Review status of a rule, with the CKL spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Status {
    /// `Open`: a finding.
    Open,
    /// `NotAFinding`.
    NotAFinding,
    /// `Not_Applicable`.
    NotApplicable,
    /// `Not_Reviewed`.
    #[default]
    NotReviewed,
}

impl Status {
    /// The CKL spelling.
    pub fn ckl(self) -> &'static str {
        match self {
            Status::Open => "Open",
            Status::NotAFinding => "NotAFinding",
            Status::NotApplicable => "Not_Applicable",
            Status::NotReviewed => "Not_Reviewed",
        }
    }

    /// The CKLB spelling.
    pub fn cklb(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::NotAFinding => "not_a_finding",
            Status::NotApplicable => "not_applicable",
            Status::NotReviewed => "not_reviewed",
        }
    }

    /// The XCCDF `result` value.
    pub fn xccdf(self) -> &'static str {
        match self {
            Status::Open => "fail",
            Status::NotAFinding => "pass",
            Status::NotApplicable => "notapplicable",
            Status::NotReviewed => "notchecked",
        }
    }

    /// Parses any of the CKL or CKLB spellings.
    pub fn parse(text: &str) -> Option<Status> {
        match text.trim() {
            "Open" | "open" => Some(Status::Open),
            "NotAFinding" | "not_a_finding" => Some(Status::NotAFinding),
            "Not_Applicable" | "not_applicable" => Some(Status::NotApplicable),
            "Not_Reviewed" | "not_reviewed" => Some(Status::NotReviewed),
            _ => None,
        }
    }
}

/// Valid ASSET `ROLE` values (CKL XSD enum).
pub const ROLES: [&str; 4] = ["None", "Workstation", "Member Server", "Domain Controller"];

/// The checklist ASSET block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Asset {
    /// `ROLE`: one of [`ROLES`].
    pub role: String,
    /// `ASSET_TYPE`: `Computing` or `Non-Computing`.
    pub asset_type: String,
    /// `MARKING`: `CUI` by default, as STIG Viewer writes.
    pub marking: String,
    /// `HOST_NAME` (STIG Manager requires it).
    pub host_name: String,
    /// `HOST_IP`.
    pub host_ip: String,
    /// `HOST_MAC`.
    pub host_mac: String,
    /// `HOST_FQDN`.
    pub host_fqdn: String,
    /// `TARGET_COMMENT`.
    pub target_comment: String,
    /// `TECH_AREA`: `Exchange Server` for our checklists.
    pub tech_area: String,
    /// `TARGET_KEY`: the DPMS target id of the first STIG.
    pub target_key: String,
    /// `WEB_OR_DATABASE`.
    pub web_or_database: bool,
    /// `WEB_DB_SITE`.
    pub web_db_site: String,
    /// `WEB_DB_INSTANCE`.
    pub web_db_instance: String,
}

impl Default for Asset {
    fn default() -> Self {
        Asset {
            role: "Member Server".into(),
            asset_type: "Computing".into(),
            marking: "CUI".into(),
            host_name: String::new(),
            host_ip: String::new(),
            host_mac: String::new(),
            host_fqdn: String::new(),
            target_comment: String::new(),
            tech_area: "Exchange Server".into(),
            target_key: String::new(),
            web_or_database: false,
            web_db_site: String::new(),
            web_db_instance: String::new(),
        }
    }
}

/// One rule of a checklist: its STIG data in file order and the review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vuln {
    /// `(VULN_ATTRIBUTE, ATTRIBUTE_DATA)` pairs in file order, repeats included (LEGACY_ID, CCI_REF).
    pub stig_data: Vec<(AttributeName, String)>,
    /// `STATUS`.
    pub status: Status,
    /// `FINDING_DETAILS`.
    pub finding_details: String,
    /// `COMMENTS`.
    pub comments: String,
    /// `SEVERITY_OVERRIDE` (empty when none).
    pub severity_override: String,
    /// `SEVERITY_JUSTIFICATION`.
    pub severity_justification: String,
    /// XML comments inside the `VULN` (Evaluate-STIG writes some), placed among its children.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub xml_comments: Vec<XmlComment>,
}

/// An XML comment kept from a read file so that writing it back loses nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct XmlComment {
    /// How many child elements of the parent come before the comment.
    pub position: usize,
    /// The text between `<!--` and `-->`.
    pub text: String,
}

impl Vuln {
    /// The first value of a STIG_DATA attribute, or `""`.
    pub fn attr(&self, name: &str) -> &str {
        self.stig_data
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of a repeated attribute (`CCI_REF`, `LEGACY_ID`).
    pub fn attrs<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.stig_data
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `Rule_ID` (with revision).
    pub fn rule_id(&self) -> &str {
        self.attr("Rule_ID")
    }

    /// `Vuln_Num`.
    pub fn vuln_num(&self) -> &str {
        self.attr("Vuln_Num")
    }

    /// `Rule_Ver` (the STIG ID).
    pub fn stig_id(&self) -> &str {
        self.attr("Rule_Ver")
    }

    /// The STIG_DATA STIG Viewer 2.x writes for `rule`, in its order: 25 singletons, exactly two
    /// LEGACY_ID, one CCI_REF per CCI.
    pub fn from_rule(benchmark: &Benchmark, rule: &Rule, stig_uuid: &str) -> Vuln {
        let d = &rule.description;
        let mut data: Vec<(AttributeName, String)> = [
            ("Vuln_Num", rule.group_id.as_str()),
            ("Severity", rule.severity.map_or("", |s| s.as_str())),
            ("Group_Title", &rule.group_title),
            ("Rule_ID", &rule.rule_id),
            ("Rule_Ver", &rule.stig_id),
            ("Rule_Title", &rule.title),
            ("Vuln_Discuss", &d.vuln_discussion),
            ("IA_Controls", &d.ia_controls),
            ("Check_Content", &rule.check_content),
            ("Fix_Text", &rule.fix_text),
            ("False_Positives", &d.false_positives),
            ("False_Negatives", &d.false_negatives),
            ("Documentable", &d.documentable),
            ("Mitigations", &d.mitigations),
            ("Potential_Impact", &d.potential_impacts),
            ("Third_Party_Tools", &d.third_party_tools),
            ("Mitigation_Control", &d.mitigation_control),
            ("Responsibility", &d.responsibility),
            ("Security_Override_Guidance", &d.severity_override_guidance),
            ("Check_Content_Ref", &rule.check_content_ref_name),
            ("Weight", &rule.weight),
            ("Class", "Unclass"),
        ]
        .iter()
        .map(|&(n, v)| (AttributeName::Borrowed(n), v.to_string()))
        .collect();
        data.push(("STIGRef".into(), benchmark.stig_ref()));
        data.push(("TargetKey".into(), rule.target_key.clone()));
        data.push(("STIG_UUID".into(), stig_uuid.to_string()));
        for i in 0..2 {
            data.push((
                "LEGACY_ID".into(),
                rule.legacy_ids.get(i).cloned().unwrap_or_default(),
            ));
        }
        for cci in &rule.ccis {
            data.push(("CCI_REF".into(), cci.clone()));
        }
        Vuln {
            stig_data: data,
            ..Vuln::default()
        }
    }
}

/// A `VULN_ATTRIBUTE` name: borrowed from [`VULN_ATTRIBUTES`] for the standard names (so that
/// reading a checklist allocates no name), owned for any other.
pub type AttributeName = Cow<'static, str>;

/// `name` as an [`AttributeName`]. `hint` is where the name usually stands in
/// [`VULN_ATTRIBUTES`] (a STIG_DATA's position in its VULN), tried before the whole list.
pub fn attribute_name(name: &str, hint: usize) -> AttributeName {
    let at_hint = VULN_ATTRIBUTES[hint.min(VULN_ATTRIBUTES.len() - 1)];
    if at_hint == name {
        return Cow::Borrowed(at_hint);
    }
    match VULN_ATTRIBUTES.iter().find(|a| **a == name) {
        Some(standard) => Cow::Borrowed(standard),
        None => Cow::Owned(name.to_string()),
    }
}

/// The `VULN_ATTRIBUTE` names the CKL schema allows, in the order STIG Viewer 2.x writes them
/// (25 singletons, then `LEGACY_ID` twice and one `CCI_REF` per CCI).
pub const VULN_ATTRIBUTES: [&str; 27] = [
    "Vuln_Num",
    "Severity",
    "Group_Title",
    "Rule_ID",
    "Rule_Ver",
    "Rule_Title",
    "Vuln_Discuss",
    "IA_Controls",
    "Check_Content",
    "Fix_Text",
    "False_Positives",
    "False_Negatives",
    "Documentable",
    "Mitigations",
    "Potential_Impact",
    "Third_Party_Tools",
    "Mitigation_Control",
    "Responsibility",
    "Security_Override_Guidance",
    "Check_Content_Ref",
    "Weight",
    "Class",
    "STIGRef",
    "TargetKey",
    "STIG_UUID",
    "LEGACY_ID",
    "CCI_REF",
];

/// The STIG_INFO names in STIG Viewer's order.
pub const SI_DATA_NAMES: [&str; 11] = [
    "version",
    "classification",
    "customname",
    "stigid",
    "description",
    "filename",
    "releaseinfo",
    "title",
    "uuid",
    "notice",
    "source",
];

/// One STIG of a checklist (a CKL `iSTIG`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistStig {
    /// `(SID_NAME, SID_DATA)` in file order; `None` when the file has no SID_DATA element.
    pub info: Vec<(String, Option<String>)>,
    /// The rules in file order.
    pub vulns: Vec<Vuln>,
    /// XML comments inside the `iSTIG` (Evaluate-STIG module data), placed among its children
    /// (`STIG_INFO` is child 0, the first `VULN` child 1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub xml_comments: Vec<XmlComment>,
}

impl ChecklistStig {
    /// The value of an SI_DATA entry, or `""`.
    pub fn info(&self, name: &str) -> &str {
        self.info
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
            .unwrap_or("")
    }

    /// A fresh, all-Not_Reviewed STIG built from `benchmark` as STIG Viewer's "create checklist
    /// from STIG" makes it, with new UUIDs.
    pub fn from_benchmark(benchmark: &Benchmark) -> ChecklistStig {
        let info_uuid = uuid::Uuid::new_v4().to_string();
        let stig_uuid = uuid::Uuid::new_v4().to_string();
        let value = |name: &str| -> Option<String> {
            let v = match name {
                "version" => benchmark.version.clone(),
                "classification" => "UNCLASSIFIED".into(),
                "customname" => return None,
                "stigid" => benchmark.id.clone(),
                "description" => benchmark.description.clone(),
                "filename" => benchmark.filename.clone(),
                "releaseinfo" => benchmark.release_info.clone(),
                "title" => benchmark.title.clone(),
                "uuid" => info_uuid.clone(),
                "notice" => benchmark.notice.clone(),
                "source" => benchmark.source.clone(),
                _ => return None,
            };
            (!v.is_empty()).then_some(v)
        };
        ChecklistStig {
            info: SI_DATA_NAMES
                .iter()
                .map(|n| (n.to_string(), value(n)))
                .collect(),
            vulns: benchmark
                .rules
                .iter()
                .map(|r| Vuln::from_rule(benchmark, r, &stig_uuid))
                .collect(),
            xml_comments: Vec::new(),
        }
    }
}

/// A whole checklist: asset and one or more STIGs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checklist {
    /// The ASSET block.
    pub asset: Asset,
    /// The STIGs in file order.
    pub stigs: Vec<ChecklistStig>,
    /// The comments before the root element of a read CKL, in order. `None` (a new checklist):
    /// the CKL writer writes STIG Viewer's viewer-version comment and its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_comments: Option<Vec<String>>,
    /// XML comments inside `CHECKLIST`, placed among its children (`ASSET` 0, `STIGS` 1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub xml_comments: Vec<XmlComment>,
    /// Comments after the root element of a read CKL.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trailing_comments: Vec<String>,
    /// The `ASSET` children of a read CKL as the file had them, `(element, text)` in file order
    /// (keeps `HOST_GUID`, `STIG_GUID`, unknown elements, omitted optional ones and the exact
    /// `WEB_OR_DATABASE` text). Empty for a new checklist: STIG Viewer's layout is written. The
    /// writer takes the values of the standard elements from `asset`, not from here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub asset_layout: Vec<(String, String)>,
    /// The JSON document of a read CKLB, so that writing the checklist back as CKLB changes
    /// only what the model changed (the checklist `id`, rule `uuid`s and keys the model has no
    /// place for survive; see [`cklb::write`]). `None` for a checklist read from CKL or new.
    #[serde(skip)]
    pub cklb_document: Option<std::sync::Arc<serde_json::Value>>,
}

/// Longest FINDING_DETAILS / COMMENTS text STIG Viewer and STIG Manager keep, in UTF-16 code
/// units (STIG Viewer is Java: a character beyond U+FFFF counts two), see [`text_length`].
pub const MAX_TEXT_CHARS: usize = 32_767;

/// The marker appended when exstig's own text is cut to [`MAX_TEXT_CHARS`].
pub const TRUNCATION_MARKER: &str = "\n[... truncated by exstig: text exceeded 32,767 characters]";

/// The length of `text` as STIG Viewer and STIG Manager count it against [`MAX_TEXT_CHARS`]:
/// UTF-16 code units.
pub fn text_length(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// For exstig's own text only (finding details and comments it wrote): removes characters
/// XML 1.0 forbids and caps the text at [`MAX_TEXT_CHARS`] UTF-16 units, ending it with
/// [`TRUNCATION_MARKER`] when cut. Human text is never cut: the writers keep it whole and
/// [`overlong_texts`] names it for a warning.
pub fn clean_text(text: &str) -> String {
    // Most texts are printable ASCII: checked a byte at a time (vectorized), copied at once.
    let plain = text
        .bytes()
        .all(|b| matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7F));
    let cleaned: String = if plain {
        text.to_string()
    } else {
        text.chars()
            .filter(|&c| crate::xml::is_xml_char(c))
            .collect()
    };
    // UTF-8 never takes fewer bytes than UTF-16 units: short texts need no count.
    if cleaned.len() <= MAX_TEXT_CHARS || text_length(&cleaned) <= MAX_TEXT_CHARS {
        return cleaned;
    }
    let room = MAX_TEXT_CHARS - text_length(TRUNCATION_MARKER);
    let mut out = prefix_within(&cleaned, room);
    out.push_str(TRUNCATION_MARKER);
    out
}

/// The longest start of `text` whose [`text_length`] is at most `room` UTF-16 units (never
/// splitting a character).
pub fn prefix_within(text: &str, room: usize) -> String {
    let mut used = 0;
    text.chars()
        .take_while(|c| {
            used += c.len_utf16();
            used <= room
        })
        .collect()
}

/// A review text longer than STIG Viewer and STIG Manager keep: they cut it on import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlongText {
    /// The rule's Rule ID (or Vuln ID when it has none).
    pub rule: String,
    /// `FINDING_DETAILS` or `COMMENTS`.
    pub field: &'static str,
    /// Its length in UTF-16 code units.
    pub length: usize,
}

impl std::fmt::Display for OverlongText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} is {} UTF-16 units long (kept whole); STIG Viewer and STIG Manager cut it to {MAX_TEXT_CHARS} on import",
            self.rule, self.field, self.length
        )
    }
}

/// Every FINDING_DETAILS and COMMENTS of `checklist` longer than [`MAX_TEXT_CHARS`], in
/// document order, for a warning on the console.
pub fn overlong_texts(checklist: &Checklist) -> Vec<OverlongText> {
    let mut found = Vec::new();
    for vuln in checklist.stigs.iter().flat_map(|s| &s.vulns) {
        for (field, text) in [
            ("FINDING_DETAILS", &vuln.finding_details),
            ("COMMENTS", &vuln.comments),
        ] {
            // A UTF-8 text has at least as many bytes as UTF-16 units: most need no count.
            if text.len() > MAX_TEXT_CHARS && text_length(text) > MAX_TEXT_CHARS {
                let rule = match vuln.rule_id() {
                    "" => vuln.attr("Vuln_Num").to_string(),
                    id => id.to_string(),
                };
                found.push(OverlongText {
                    rule,
                    field,
                    length: text_length(text),
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod order_tests {
    use super::*;

    #[test]
    fn clean_text_drops_forbidden_characters_and_caps_the_length_in_characters() {
        assert_eq!(clean_text("a\tb\r\n<&>\u{7f}"), "a\tb\r\n<&>\u{7f}");
        assert_eq!(clean_text("\u{1}é\u{FFFE}x\u{0}"), "éx");
        let ascii = "a".repeat(MAX_TEXT_CHARS);
        assert_eq!(clean_text(&ascii), ascii);
        let wide = "é".repeat(MAX_TEXT_CHARS);
        assert_eq!(
            clean_text(&wide),
            wide,
            "bytes over the cap, characters not"
        );
        let long = format!("{ascii}b");
        let cut = clean_text(&long);
        assert_eq!(text_length(&cut), MAX_TEXT_CHARS);
        assert!(cut.ends_with(TRUNCATION_MARKER));
        let long_wide = format!("{wide}\u{1}é");
        let cut = clean_text(&long_wide);
        assert_eq!(text_length(&cut), MAX_TEXT_CHARS);
        assert!(cut.starts_with("éé") && cut.ends_with(TRUNCATION_MARKER));
    }

    #[test]
    fn own_text_is_capped_in_utf16_units_and_human_text_is_only_named() {
        let wide = "😀".repeat(20_000);
        assert_eq!(text_length(&wide), 40_000);
        let capped = clean_text(&wide);
        assert!(text_length(&capped) <= MAX_TEXT_CHARS);
        assert!(capped.ends_with(TRUNCATION_MARKER));
        assert_eq!(clean_text("short"), "short");
        let mut vuln = Vuln::from_rule(&Benchmark::default(), &Rule::default(), "u");
        vuln.comments = wide;
        vuln.finding_details = "d".repeat(MAX_TEXT_CHARS);
        let checklist = Checklist {
            stigs: vec![ChecklistStig {
                vulns: vec![vuln],
                ..ChecklistStig::default()
            }],
            ..Checklist::default()
        };
        let long = overlong_texts(&checklist);
        assert_eq!(long.len(), 1, "{long:?}");
        assert_eq!((long[0].field, long[0].length), ("COMMENTS", 40_000));
        assert!(long[0].to_string().contains("kept whole"));
    }

    #[test]
    fn from_rule_writes_stig_data_in_the_schema_order() {
        let rule = Rule {
            ccis: vec!["CCI-000001".into(), "CCI-000002".into()],
            legacy_ids: vec!["V-1".into()],
            ..Rule::default()
        };
        let vuln = Vuln::from_rule(&Benchmark::default(), &rule, "u");
        let names: Vec<&str> = vuln.stig_data.iter().map(|(n, _)| n.as_ref()).collect();
        let mut expected: Vec<&str> = VULN_ATTRIBUTES[..25].to_vec();
        expected.extend(["LEGACY_ID", "LEGACY_ID", "CCI_REF", "CCI_REF"]);
        assert_eq!(names, expected);
    }
}
