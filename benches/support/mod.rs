//! Inputs the benchmarks generate themselves (no DISA file, no real export): a synthetic
//! benchmark with long texts whose CKL is about 2 MB (the size of a Windows Server checklist),
//! the automatic results to merge into it, and a fleet of inventory bundles made from the
//! repository's EDGE01 / MBX01 fixtures with 5-10 connectors per server.
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

/// Writes `servers` inventory bundles to `dir`: one in three an Edge server (from EDGE01),
/// the others Mailbox servers (from MBX01), each with 5-10 connectors. Returns the files.
pub fn write_fleet(dir: &Path, servers: usize) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).expect("create the fleet folder");
    let templates = [
        ("EDGE01", fixture("EDGE01.bundle.json")),
        ("MBX01", fixture("MBX01.bundle.json")),
    ];
    (0..servers)
        .map(|i| {
            let (template_host, template) = &templates[usize::from(i % 3 != 0)];
            let host = format!("SRV{i:05}");
            let text = template.replace(template_host, &host).replace(
                &template_host.to_ascii_lowercase(),
                &host.to_ascii_lowercase(),
            );
            let mut bundle: Value = serde_json::from_str(&text).expect("fixture bundle is JSON");
            let connectors = 5 + i % 6;
            let send = bundle["send_connectors"].as_array().map_or(0, Vec::len);
            let base: Vec<Value> = bundle["receive_connectors"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let receive: Vec<Value> = (0..connectors.saturating_sub(send).max(1))
                .map(|j| {
                    let mut c = base[j % base.len()].clone();
                    if j >= base.len() {
                        let name = format!("{} {j}", c["Name"].as_str().unwrap_or("Receive"));
                        c["Identity"] = Value::String(format!("{host}\\{name}"));
                        c["Name"] = Value::String(name);
                    }
                    c
                })
                .collect();
            bundle["receive_connectors"] = Value::Array(receive);
            let path = dir.join(format!("{host}.bundle.json"));
            std::fs::write(&path, serde_json::to_string_pretty(&bundle).expect("JSON"))
                .expect("write a bundle");
            path
        })
        .collect()
}
