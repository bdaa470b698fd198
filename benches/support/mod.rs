//! Inputs the benchmarks generate themselves (no DISA file, no real export): a synthetic
//! benchmark with long texts whose CKL is about 2 MB (the size of a Windows Server checklist),
//! the automatic results to merge into it, and a fleet of complete inventory bundles made from
//! the repository's EDGE02 / MBX02 fixtures with the object counts of a large server.
#![allow(dead_code)]

use exstig::benchmark::{Benchmark, Rule, RuleDescription, Severity};
use exstig::checklist::{Asset, Checklist, ChecklistStig, Status, ckl};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Rules of the synthetic benchmark (as many as the Windows Server 2019 STIG has).
pub const RULES: usize = 286;

/// Deterministic filler text of `len` bytes with line breaks and, about one word in 40, a
/// character XML escapes (`&`, `<`, `>`), as DISA's texts have them now and then.
pub fn text(seed: usize, len: usize) -> String {
    const WORDS: [&str; 16] = [
        "connector",
        "setting",
        "value",
        "must",
        "be",
        "configured",
        "with",
        "the",
        "server",
        "policy",
        "\"quoted\"",
        "organization",
        "audit",
        "record",
        "message",
        "transport",
    ];
    const ESCAPED: [&str; 2] = ["&", "<Exchange Server>"];
    let mut out = String::with_capacity(len + 24);
    let mut i = seed;
    while out.len() < len {
        let word = if i.is_multiple_of(41) {
            ESCAPED[(i / 41) % 2]
        } else {
            WORDS[i % WORDS.len()]
        };
        out.push_str(word);
        i = i.wrapping_mul(31).wrapping_add(7);
        out.push(if i.is_multiple_of(23) { '\n' } else { ' ' });
    }
    out.truncate(len);
    out
}

/// A benchmark of [`RULES`] rules with long discussion, check and fix texts.
pub fn benchmark() -> Benchmark {
    let rules = (0..RULES)
        .map(|i| Rule {
            group_id: format!("V-{}", 200_000 + i),
            group_title: format!("SRG-APP-{:06}", i),
            rule_id: format!("SV-{}r{}_rule", 200_000 + i, 900_000 + i),
            severity: Some(match i % 10 {
                0 => Severity::High,
                1..=7 => Severity::Medium,
                _ => Severity::Low,
            }),
            weight: "10.0".into(),
            stig_id: format!("SYN-00-{:06}", i * 10),
            title: text(i, 100),
            description: RuleDescription {
                vuln_discussion: text(i + 1, 1_300),
                documentable: "false".into(),
                ..RuleDescription::default()
            },
            ccis: vec![format!("CCI-{:06}", i), format!("CCI-{:06}", i + 1000)],
            legacy_ids: vec![
                format!("V-{}", 70_000 + i),
                format!("SV-{}r1_rule", 80_000 + i),
            ],
            fix_text: text(i + 2, 750),
            check_content: text(i + 3, 1_100),
            check_content_ref_name: "M".into(),
            check_content_ref_href: "Synthetic_STIG.xml".into(),
            target_key: "9999".into(),
            ..Rule::default()
        })
        .collect();
    Benchmark {
        id: "Synthetic_Large_STIG".into(),
        title: "Synthetic Large Security Technical Implementation Guide".into(),
        version: "3".into(),
        release_info: "Release: 1 Benchmark Date: 01 Jan 2026".into(),
        description: text(7, 400),
        notice: "terms-of-use".into(),
        source: "STIG.DOD.MIL".into(),
        filename: "Synthetic_Large_STIG_V3R1_Manual-xccdf.xml".into(),
        rules,
        ..Benchmark::default()
    }
}

/// A reviewed checklist of the benchmark: every third rule has a human review.
pub fn reviewed_checklist(benchmark: &Benchmark) -> Checklist {
    let mut stig = ChecklistStig::from_benchmark(benchmark);
    for (i, v) in stig.vulns.iter_mut().enumerate() {
        if i.is_multiple_of(3) {
            v.status = Status::NotAFinding;
            v.finding_details = text(i + 11, 300);
            v.comments = text(i + 12, 120);
        }
    }
    Checklist {
        asset: Asset {
            host_name: "BIGHOST".into(),
            ..Asset::default()
        },
        stigs: vec![stig],
        ..Checklist::default()
    }
}

/// Automatic results for every rule, as an evaluation writes them.
pub fn results(benchmark: &Benchmark) -> Checklist {
    let mut stig = ChecklistStig::from_benchmark(benchmark);
    for (i, v) in stig.vulns.iter_mut().enumerate() {
        v.status = if i.is_multiple_of(4) {
            Status::Open
        } else {
            Status::NotAFinding
        };
        v.finding_details = format!(
            "{}\n{}",
            exstig::evaluate::DETAILS_MARKER,
            text(i + 21, 400)
        );
        if v.status == Status::Open {
            v.comments = text(i + 22, 100);
        }
    }
    Checklist {
        asset: Asset {
            host_name: "BIGHOST".into(),
            ..Asset::default()
        },
        stigs: vec![stig],
        ..Checklist::default()
    }
}

/// The CKL text of the reviewed checklist (about 2 MB).
pub fn large_ckl() -> String {
    ckl::write(&reviewed_checklist(&benchmark()))
}

/// The repository's inventory fixture `name`.
fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/inventory")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// How many objects of each list section a generated server holds: `(section, least, most)`;
/// server `i` gets `least + i % (most - least + 1)`. The counts are those of a large production
/// server (Get-EventLogLevel lists ~150 categories, the default attachment filter ~60 entries,
/// Get-Service ~200 services of which the collector keeps the ones that matter, one
/// Get-Mailbox row per forwarding mailbox). Sections a template lacks stay absent.
pub const FLEET_COUNTS: &[(&str, usize, usize)] = &[
    ("receive_connectors", 5, 10),
    ("send_connectors", 2, 6),
    ("accepted_domains", 3, 12),
    ("event_log_levels", 120, 160),
    ("exchange_certificates", 4, 12),
    ("transport_agents", 9, 16),
    ("registry_values", 4, 4),
    ("execution_policies", 5, 5),
    ("services", 40, 80),
    ("volumes", 2, 6),
    ("paths", 15, 40),
    ("acls", 15, 40),
    ("network_adapters", 2, 4),
    ("attachment_filter_entries", 40, 70),
    ("ip_allow_list_entries", 5, 40),
    ("ip_block_list_entries", 10, 60),
    ("ip_block_list_providers", 1, 4),
    ("edge_subscriptions", 1, 1),
    ("mailbox_databases", 8, 30),
    ("remote_domains", 10, 50),
    ("outlook_anywhere", 1, 1),
    ("rpc_client_access", 1, 1),
    ("owa_virtual_directories", 1, 2),
    ("ecp_virtual_directories", 1, 2),
    ("activesync_virtual_directories", 1, 2),
    ("web_services_virtual_directories", 1, 2),
    ("database_availability_groups", 1, 1),
    ("role_group_members", 10, 40),
    ("forwarding_mailboxes", 20, 200),
    ("iis_settings", 3, 20),
    ("web_sites", 2, 3),
];

/// The properties that name an object; copies beyond the template's get a distinct value.
const NAMING: &[&str] = &[
    "Name",
    "Identity",
    "DomainName",
    "Thumbprint",
    "Path",
    "ServiceName",
    "DisplayName",
    "LookupDomain",
    "EdbFilePath",
    "LogFolderPath",
    "PrimarySmtpAddress",
    "DriveLetter",
];

/// Copy `j` (0-based) of a list section: the template's object `j % len`, with its naming
/// properties made unique once the template's objects are used up.
fn copy_of(items: &[Value], j: usize) -> Value {
    let mut item = items[j % items.len()].clone();
    if j >= items.len()
        && let Some(map) = item.as_object_mut()
    {
        for prop in NAMING {
            match map.get_mut(*prop) {
                Some(Value::String(s)) if !s.is_empty() => {
                    if *prop == "Thumbprint" {
                        *s = format!("{:040X}", j + 1);
                    } else if *prop == "DriveLetter" {
                        *s = char::from(b'D' + (j % 22) as u8).to_string();
                    } else {
                        s.push_str(&format!("-{j}"));
                    }
                }
                Some(Value::Number(_)) => map[*prop] = Value::from(j + 1),
                _ => {}
            }
        }
    }
    item
}

/// Writes `servers` complete inventory bundles to `dir`, alternating an Edge server (from the
/// EDGE02 fixture) and a Mailbox server (from MBX02), each with every section its template has
/// and the object counts of [`FLEET_COUNTS`]. Returns the files.
pub fn write_fleet(dir: &Path, servers: usize) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).expect("create the fleet folder");
    let templates = [
        ("EDGE02", fixture("EDGE02.bundle.json")),
        ("MBX02", fixture("MBX02.bundle.json")),
    ];
    (0..servers)
        .map(|i| {
            let (template_host, template) = &templates[i % 2];
            let host = format!("SRV{i:05}");
            let text = template.replace(template_host, &host).replace(
                &template_host.to_ascii_lowercase(),
                &host.to_ascii_lowercase(),
            );
            let mut bundle: Value = serde_json::from_str(&text).expect("fixture bundle is JSON");
            for &(section, least, most) in FLEET_COUNTS {
                let Some(items) = bundle[section].as_array().filter(|a| !a.is_empty()) else {
                    continue;
                };
                let count = least + i % (most - least + 1);
                let copies: Vec<Value> = (0..count).map(|j| copy_of(items, j)).collect();
                bundle[section] = Value::Array(copies);
            }
            let path = dir.join(format!("{host}.bundle.json"));
            std::fs::write(&path, serde_json::to_string_pretty(&bundle).expect("JSON"))
                .expect("write a bundle");
            path
        })
        .collect()
}
