//! The embedded benchmark catalog: the facts (ids, titles, severities, CCIs, legacy ids, target
//! key, check terms and digest; no DISA prose) of the newest Exchange 2013/2016/2019 Edge and
//! Mailbox STIGs, so exstig works with no DISA file at hand.
//!
//! The JSON files in `catalog/` are generated from DISA's files by this module
//! (`exstig catalog build --from DIR --out catalog/`) and compiled into the binary.

use crate::benchmark::{self, Benchmark, Rule, RuleDescription};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The embedded catalog files, by name.
const EMBEDDED: [(&str, &str); 6] = [
    (
        "exchange-2013-edge",
        include_str!("../catalog/exchange-2013-edge.json"),
    ),
    (
        "exchange-2013-mailbox",
        include_str!("../catalog/exchange-2013-mailbox.json"),
    ),
    (
        "exchange-2016-edge",
        include_str!("../catalog/exchange-2016-edge.json"),
    ),
    (
        "exchange-2016-mailbox",
        include_str!("../catalog/exchange-2016-mailbox.json"),
    ),
    (
        "exchange-2019-edge",
        include_str!("../catalog/exchange-2019-edge.json"),
    ),
    (
        "exchange-2019-mailbox",
        include_str!("../catalog/exchange-2019-mailbox.json"),
    ),
];

/// One catalog file: a benchmark without prose, and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Catalog name, `exchange-2019-edge`.
    pub name: String,
    /// The DISA file it was built from.
    pub built_from: String,
    /// Facts the source lacked and were taken from an older release of the same benchmark
    /// (the derived JSON has no target key, weight, notice or source); empty when none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub completed_from: String,
    /// The benchmark, prose removed (empty fields are left out of the file).
    pub benchmark: Benchmark,
}

/// The names of the embedded benchmarks.
pub fn names() -> Vec<&'static str> {
    EMBEDDED.iter().map(|(name, _)| *name).collect()
}

/// An embedded benchmark by name (case-insensitive).
pub fn get(name: &str) -> Option<Benchmark> {
    entry(name).map(|e| e.benchmark)
}

/// An embedded catalog entry by name (case-insensitive).
pub fn entry(name: &str) -> Option<Entry> {
    EMBEDDED
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
        .and_then(|(_, json)| serde_json::from_str(json).ok())
}

/// Every embedded entry, in name order.
pub fn entries() -> Vec<Entry> {
    names().into_iter().filter_map(entry).collect()
}

/// The catalog name of a benchmark id: `MS_Exchange_2016_Edge_Transport_Server_STIG` gives
/// `exchange-2016-edge`; None for benchmarks the catalog does not carry (2010, Client Access).
pub fn name_for(benchmark_id: &str) -> Option<String> {
    let id = benchmark_id.to_ascii_lowercase();
    let year = ["2013", "2016", "2019"]
        .into_iter()
        .find(|y| id.contains(&format!("exchange_{y}_")))?;
    let role = ["edge", "mailbox"]
        .into_iter()
        .find(|r| id.contains(&format!("_{r}_")))?;
    Some(format!("exchange-{year}-{role}"))
}

/// The benchmark with DISA's prose removed: no benchmark description, no discussion, check or
/// fix text (only `Documentable` and `IAControls` of the description sub-fields stay); the check
/// text is replaced by its [`benchmark::terms::check_terms`] and kept as `check_digest`.
pub fn facts_only(benchmark: &Benchmark) -> Benchmark {
    let rules = benchmark
        .rules
        .iter()
        .map(|rule| Rule {
            description: RuleDescription {
                documentable: rule.description.documentable.clone(),
                ia_controls: rule.description.ia_controls.clone(),
                ..RuleDescription::default()
            },
            fix_text: String::new(),
            check_content: String::new(),
            check_terms: benchmark::terms::check_terms(&rule.check_content),
            ..rule.clone()
        })
        .collect();
    Benchmark {
        description: String::new(),
        rules,
        ..benchmark.clone()
    }
}

/// What [`build`] made and what it passed over.
#[derive(Debug, Default)]
pub struct Build {
    /// One entry per catalog name found, in name order.
    pub entries: Vec<Entry>,
    /// Files that were not read as benchmarks, with the reason.
    pub skipped: Vec<String>,
}

/// Builds the catalog from the DISA files under `from` (XCCDF, zip or derived JSON, subfolders
/// included): for each catalog name the newest release (by version, then release number;
/// an XCCDF wins over a derived file of the same release).
pub fn build(from: &Path) -> Result<Build> {
    let mut found: BTreeMap<String, Vec<(Benchmark, String)>> = BTreeMap::new();
    let mut skipped = Vec::new();
    for path in benchmark_files(from)? {
        let file = path
            .strip_prefix(from)
            .unwrap_or(&path)
            .display()
            .to_string();
        match benchmark::load(&path) {
            Ok(b) => match name_for(&b.id) {
                Some(name) => found.entry(name).or_default().push((b, file)),
                None => skipped.push(format!(
                    "{file}: {} is not an Exchange 2013/2016/2019 Edge or Mailbox STIG",
                    b.id
                )),
            },
            Err(e) => skipped.push(format!("{e}")),
        }
    }
    let mut entries = Vec::new();
    for (name, mut releases) in found {
        releases.sort_by_key(|(b, _)| release_order(b));
        let Some((newest, built_from)) = releases.pop() else {
            continue;
        };
        let (benchmark, completed_from) = complete(newest, &releases);
        entries.push(Entry {
            name,
            built_from,
            completed_from,
            benchmark: facts_only(&benchmark),
        });
    }
    Ok(Build { entries, skipped })
}

/// Sort key: version, release number, then XCCDF (has a target key) over derived.
fn release_order(benchmark: &Benchmark) -> (u32, u32, bool) {
    (
        benchmark.version.trim().parse().unwrap_or(0),
        benchmark.release_number().unwrap_or(0),
        !benchmark.target_key().is_empty(),
    )
}

/// Fills the target key, weight, notice and source a derived file lacks from the newest older
/// release that has them (DISA keeps them across releases of one benchmark). Returns the
/// benchmark and a note of what was taken from where ("" when nothing was).
fn complete(mut newest: Benchmark, older: &[(Benchmark, String)]) -> (Benchmark, String) {
    let lacks = |b: &Benchmark| {
        b.notice.is_empty()
            || b.source.is_empty()
            || b.rules
                .iter()
                .any(|r| r.target_key.is_empty() || r.weight.is_empty())
    };
    if !lacks(&newest) {
        return (newest, String::new());
    }
    let Some((donor, donor_file)) = older.iter().rev().find(|(b, _)| !lacks(b)) else {
        return (newest, String::new());
    };
    let mut taken = Vec::new();
    let mut fill = |field: &mut String, value: &str, what: &'static str| {
        if field.is_empty() && !value.is_empty() {
            *field = value.to_string();
            if !taken.contains(&what) {
                taken.push(what);
            }
        }
    };
    fill(&mut newest.notice, &donor.notice, "notice");
    fill(&mut newest.source, &donor.source, "source");
    let donor_weight = donor.rules.first().map_or("", |r| r.weight.as_str());
    for rule in &mut newest.rules {
        fill(&mut rule.target_key, donor.target_key(), "target key");
        fill(&mut rule.weight, donor_weight, "weight");
    }
    if taken.is_empty() {
        return (newest, String::new());
    }
    let note = format!("{} taken from {donor_file}", taken.join(", "));
    (newest, note)
}

/// The files under `dir` (one level of subfolders) that may hold a benchmark.
fn benchmark_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut folders = vec![(dir.to_path_buf(), 0)];
    while let Some((folder, depth)) = folders.pop() {
        let listing = std::fs::read_dir(&folder).map_err(|e| Error::io(&folder, e))?;
        for item in listing {
            let path = item.map_err(|e| Error::io(&folder, e))?.path();
            if path.is_dir() {
                if depth < 1 {
                    folders.push((path, depth + 1));
                }
            } else if path
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| ["xml", "zip", "json"].contains(&x.to_ascii_lowercase().as_str()))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The catalog file text of `entry`: pretty JSON with empty values left out and keys in
/// alphabetical order (stable whatever the field order), ending in a newline.
pub fn to_json(entry: &Entry) -> String {
    let mut value = serde_json::to_value(entry).unwrap_or_default();
    prune_empty(&mut value);
    value.sort_all_objects();
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes each entry to `<out>/<name>.json`, all or none.
pub fn write(out: &Path, entries: &[Entry]) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let files: Vec<(PathBuf, Vec<u8>)> = entries
        .iter()
        .map(|e| {
            (
                out.join(format!("{}.json", e.name)),
                to_json(e).into_bytes(),
            )
        })
        .collect();
    let refs: Vec<(&Path, Vec<u8>)> = files
        .iter()
        .map(|(p, b)| (p.as_path(), b.clone()))
        .collect();
    crate::fsio::write_all_atomic(&refs)
}

/// Removes empty strings, empty arrays, nulls and objects left empty, recursively.
fn prune_empty(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            map.values_mut().for_each(prune_empty);
            map.retain(|_, v| !is_empty(v));
        }
        Value::Array(items) => items.iter_mut().for_each(prune_empty),
        _ => {}
    }
}

fn is_empty(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_benchmark_ids() {
        assert_eq!(
            name_for("MS_Exchange_2013_Edge_STIG").as_deref(),
            Some("exchange-2013-edge")
        );
        assert_eq!(
            name_for("MS_Exchange_2016_Edge_Transport_Server_STIG").as_deref(),
            Some("exchange-2016-edge")
        );
        assert_eq!(
            name_for("MS_Exchange_2019_Mailbox_Server_STIG").as_deref(),
            Some("exchange-2019-mailbox")
        );
        assert_eq!(name_for("MS_Exchange_2013_CAS_STIG"), None);
        assert_eq!(name_for("Exchange_2010_Edge_Transport_Server_STIG"), None);
    }

    #[test]
    fn every_embedded_entry_parses() {
        for name in names() {
            let b = get(name).unwrap_or_else(|| panic!("{name} parses"));
            assert_eq!(name_for(&b.id).as_deref(), Some(name));
            assert!(!b.rules.is_empty());
        }
    }
}
