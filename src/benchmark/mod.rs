//! The DISA benchmark model: everything STIG Viewer copies from a "Manual" XCCDF 1.1 benchmark
//! into a checklist. Readers for the XCCDF file, DISA's zip download and the derived JSON live
//! in the submodules; [`crate::catalog`] holds the embedded copies (facts only, no prose).

use serde::{Deserialize, Serialize};
use std::path::Path;

pub mod archive;

/// Largest benchmark file or zip download `load` reads (DISA's biggest downloads are far smaller).
const MAX_FILE_BYTES: u64 = 1 << 30;
mod derived;
pub mod terms;
mod xccdf;

/// Severity of a rule; DISA's CAT I/II/III are high/medium/low.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// CAT III.
    Low,
    /// CAT II.
    Medium,
    /// CAT I.
    High,
}

impl Severity {
    /// The XCCDF/CKL spelling: `high`, `medium`, `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    /// DISA's category name: `CAT I`, `CAT II`, `CAT III`.
    pub fn category(self) -> &'static str {
        match self {
            Severity::High => "CAT I",
            Severity::Medium => "CAT II",
            Severity::Low => "CAT III",
        }
    }

    /// Parses `high`/`medium`/`low` (any case).
    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "high" => Some(Severity::High),
            "medium" => Some(Severity::Medium),
            "low" => Some(Severity::Low),
            _ => None,
        }
    }
}

/// The sub-fields DISA escapes inside a rule's `<description>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleDescription {
    /// `<VulnDiscussion>` (CKL `Vuln_Discuss`).
    pub vuln_discussion: String,
    /// `<FalsePositives>`.
    pub false_positives: String,
    /// `<FalseNegatives>`.
    pub false_negatives: String,
    /// `<Documentable>` (`false` in every DISA file).
    pub documentable: String,
    /// `<Mitigations>`.
    pub mitigations: String,
    /// `<SeverityOverrideGuidance>` (CKL `Security_Override_Guidance`).
    pub severity_override_guidance: String,
    /// `<PotentialImpacts>` (CKL `Potential_Impact`).
    pub potential_impacts: String,
    /// `<ThirdPartyTools>`.
    pub third_party_tools: String,
    /// `<MitigationControl>`.
    pub mitigation_control: String,
    /// `<Responsibility>`.
    pub responsibility: String,
    /// `<IAControls>`.
    pub ia_controls: String,
}

/// One Group/Rule pair of a benchmark (DISA puts exactly one Rule in each Group).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rule {
    /// `Group/@id`: the Vuln ID, `V-221202`.
    pub group_id: String,
    /// `Group/title`: the SRG id, `SRG-APP-000001`.
    pub group_title: String,
    /// `Rule/@id` with its revision: `SV-221202r960735_rule`.
    pub rule_id: String,
    /// `Rule/@severity`.
    pub severity: Option<Severity>,
    /// `Rule/@weight`, as written (`10.0`).
    pub weight: String,
    /// `Rule/version`: the STIG ID, `EX16-ED-000010`.
    pub stig_id: String,
    /// `Rule/title`.
    pub title: String,
    /// The decoded sub-fields of `Rule/description`.
    pub description: RuleDescription,
    /// CCIs in benchmark order (`http://cyber.mil/cci` or `http://iase.disa.mil/cci`).
    pub ccis: Vec<String>,
    /// Legacy ids (`http://cyber.mil/legacy`), `V-` ids first as STIG Viewer writes them.
    pub legacy_ids: Vec<String>,
    /// `Rule/fixtext`.
    pub fix_text: String,
    /// `Rule/check/check-content`.
    pub check_content: String,
    /// `Rule/check/check-content-ref/@name` (`M`).
    pub check_content_ref_name: String,
    /// `Rule/check/check-content-ref/@href`.
    pub check_content_ref_href: String,
    /// `Rule/reference/dc:identifier`: the DPMS target key (`4079`).
    pub target_key: String,
    /// Facts taken from the check text (cmdlet names, property names, quoted values), as the
    /// embedded catalog carries them in place of DISA's prose; empty when read from a DISA file.
    pub check_terms: Vec<String>,
    /// Short SHA-256 (16 hex digits) of the check text, set by every reader and kept by the
    /// catalog, so a documented exception can tell when the rule's check has changed.
    pub check_digest: String,
}

impl Rule {
    /// The Rule ID without its revision: `SV-221202r960735_rule` gives `SV-221202`.
    pub fn rule_id_base(&self) -> &str {
        rule_id_base(&self.rule_id)
    }
}

/// `SV-221202r960735_rule` or `SV-221202` gives `SV-221202`.
pub fn rule_id_base(rule_id: &str) -> &str {
    let without_suffix = rule_id.strip_suffix("_rule").unwrap_or(rule_id);
    match without_suffix.rsplit_once('r') {
        Some((base, revision))
            if base.len() > 3 && revision.chars().all(|c| c.is_ascii_digit()) =>
        {
            base
        }
        _ => without_suffix,
    }
}

/// A whole benchmark: header facts and rules in document order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Benchmark {
    /// `Benchmark/@id`: `MS_Exchange_2016_Edge_Transport_Server_STIG`.
    pub id: String,
    /// `Benchmark/title`.
    pub title: String,
    /// `Benchmark/version`: `2`.
    pub version: String,
    /// `plain-text[@id='release-info']`: `Release: 6 Benchmark Date: 30 Jan 2025`.
    pub release_info: String,
    /// `Benchmark/description`.
    pub description: String,
    /// `Benchmark/notice/@id`: `terms-of-use`.
    pub notice: String,
    /// `Benchmark/reference/dc:source`: `STIG.DOD.MIL`.
    pub source: String,
    /// The benchmark file name as DISA ships it (SI_DATA `filename`).
    pub filename: String,
    /// `Benchmark/status/@date`, when present.
    pub status_date: String,
    /// Rules in document order.
    pub rules: Vec<Rule>,
}

impl Benchmark {
    /// The revision as STIG Manager shows it: `V2R6` from version `2` and `Release: 6 ...`.
    pub fn revision(&self) -> String {
        let release = self
            .release_info
            .strip_prefix("Release:")
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or("0");
        format!("V{}R{}", self.version.trim(), release)
    }

    /// The release number from `release_info` (`Release: 6 Benchmark Date: ...` gives 6).
    pub fn release_number(&self) -> Option<u32> {
        self.release_info
            .strip_prefix("Release:")
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
    }

    /// The benchmark date from `release_info` (`30 Jan 2025`), or "" when absent.
    pub fn release_date(&self) -> &str {
        self.release_info
            .split_once("Benchmark Date:")
            .map_or("", |(_, date)| date.trim())
    }

    /// The DPMS target key: that of the first rule that carries one.
    pub fn target_key(&self) -> &str {
        self.rules
            .iter()
            .map(|r| r.target_key.as_str())
            .find(|k| !k.is_empty())
            .unwrap_or("")
    }

    /// `STIGRef` as STIG Viewer writes it: `<title> :: Version <version>, <release-info>`.
    pub fn stig_ref(&self) -> String {
        format!(
            "{} :: Version {}, {}",
            self.title, self.version, self.release_info
        )
    }

    /// Finds a rule by Rule ID (with or without revision), Vuln ID or STIG ID.
    pub fn find_rule(&self, id: &str) -> Option<&Rule> {
        let id = id.trim();
        self.rules.iter().find(|r| {
            r.rule_id == id
                || r.group_id == id
                || r.stig_id.eq_ignore_ascii_case(id)
                || r.rule_id_base() == rule_id_base(id)
        })
    }
}

/// Reads a DISA benchmark: the Manual XCCDF (`.xml`), DISA's `.zip` download (the XCCDF in a
/// folder or in a zip inside the zip) or the derived rules JSON (`*-rules-from-cklb.json`). The
/// format is told by content (zip magic, `{`), not by the file extension.
pub fn load(path: &Path) -> crate::Result<Benchmark> {
    let size = std::fs::metadata(path)
        .map_err(|e| crate::Error::io(path, e))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(crate::Error::input(
            path,
            format!(
                "{} MB is more than a DISA benchmark or download ({} MB at most)",
                size >> 20,
                MAX_FILE_BYTES >> 20
            ),
        ));
    }
    let bytes = crate::fsio::read_bytes(path)?;
    let filename = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse_bytes(path, &bytes, &filename)
}

/// Reads a benchmark from bytes already in memory; `path` names the input in errors and
/// `filename` is the benchmark file name to record.
pub fn parse_bytes(path: &Path, bytes: &[u8], filename: &str) -> crate::Result<Benchmark> {
    if archive::is_zip(bytes) {
        return archive::load(path, bytes);
    }
    parse_document(path, bytes, filename)
}

/// Reads an XCCDF or derived JSON document (never a zip: archives are opened only at the top).
fn parse_document(path: &Path, bytes: &[u8], filename: &str) -> crate::Result<Benchmark> {
    let text = crate::fsio::decode_text(path, bytes)?;
    if text.trim_start().starts_with('{') {
        derived::parse(path, &text, filename)
    } else {
        xccdf::parse(path, &text, filename)
    }
}

/// The first 16 hex digits of the SHA-256 of a rule's check text: changes when DISA changes
/// the check, so documented exceptions can notice.
pub fn check_digest(check_content: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(check_content.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
