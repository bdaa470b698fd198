//! CKLB: what `exstig::checklist::cklb::write` produces passes DISA's STIG Viewer 3 schema (only
//! the per-STIG `version` added), is read by STIG Manager's `reviewsFromCklb` with the same
//! result, detail and comment per rule, and reads back into the same checklist. The reader
//! accepts every real CKLB in ../shared/samples and refuses the broken ones with clear errors.

mod common;
mod reviewed;

use exstig::checklist::cklb;
use exstig::checklist::{Checklist, Status};
use reviewed::{catalog_like_benchmark, reviewed_checklist};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs tests/cklb_schema.py (python jsonschema) on `files`: `Some(stderr)` when they fail
/// DISA's schema, `Some("")` when they pass, `None` (after saying why) when python3 or jsonschema
/// is missing outside CI; in CI a missing validator fails the test.
fn schema_problems(files: &[PathBuf]) -> Option<String> {
    let shared = common::shared("CKLB schema validation")?;
    if !common::have_tool("python3") {
        return None;
    }
    let out = Command::new("python3")
        .arg(common::root().join("tests/cklb_schema.py"))
        .arg(shared.join("samples/SV3_CKLB_1_0_JSON_SCHEMA.json"))
        .args(files)
        .output()
        .expect("run python3");
    match out.status.code() {
        Some(3) => {
            assert!(
                std::env::var("CI").is_err(),
                "python jsonschema is required in CI (pip install jsonschema)"
            );
            common::skip("CKLB schema validation: python3 -m pip install jsonschema");
            None
        }
        Some(0) => Some(String::new()),
        Some(1) => Some(String::from_utf8_lossy(&out.stderr).into_owned()),
        other => panic!(
            "cklb_schema.py failed ({other:?}): {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

fn assert_schema_valid(files: &[PathBuf]) {
    if let Some(problems) = schema_problems(files) {
        assert!(problems.is_empty(), "CKLB fails DISA's schema:\n{problems}");
    }
}

#[test]
fn the_schema_check_catches_what_disa_forbids() {
    let checklist = reviewed_checklist(&catalog_like_benchmark());
    let text = cklb::write(&checklist)
        .unwrap()
        .replacen("\"status\": \"open\"", "\"status\": \"No_Data\"", 1)
        .replacen(
            "\"cklb_version\": \"1.0\"",
            "\"cklb_version\": \"1.0\", \"extra\": 1",
            1,
        );
    let file = write_temp("cklb-broken-schema", &text);
    if let Some(problems) = schema_problems(&[file]) {
        assert!(problems.contains("'No_Data' is not one of"), "{problems}");
        assert!(problems.contains("'extra' was unexpected"), "{problems}");
    }
}

fn write_temp(name: &str, text: &str) -> PathBuf {
    let dir = common::temp_dir(name);
    let file = dir.join(format!("{name}.cklb"));
    std::fs::write(&file, text).unwrap();
    file
}

/// The parts of a checklist a CKLB carries: everything but MARKING and the STIG_INFO entries
/// CKLB has no key for (classification, customname, description, filename, notice, source).
fn carried(checklist: &Checklist) -> Checklist {
    let mut c = checklist.clone();
    c.asset.marking.clear();
    c.cklb_document = None; // where the model came from, not what it says
    for stig in &mut c.stigs {
        for (name, value) in &mut stig.info {
            if !["version", "stigid", "releaseinfo", "title", "uuid"].contains(&name.as_str()) {
                *value = None;
            }
        }
    }
    c
}

#[test]
fn written_cklb_reads_back_to_the_same_checklist() {
    let checklist = reviewed_checklist(&catalog_like_benchmark());
    let text = cklb::write(&checklist).unwrap();
    let back = cklb::read(Path::new("t.cklb"), &text).unwrap();
    assert_eq!(carried(&back), carried(&checklist));
    // and once more: a second write/read changes nothing the model holds
    let again = cklb::read(Path::new("t.cklb"), &cklb::write(&back).unwrap()).unwrap();
    assert_eq!(again, back);
}

#[test]
fn written_cklb_has_the_fields_stig_viewer_3_writes() {
    let checklist = reviewed_checklist(&catalog_like_benchmark());
    let doc: serde_json::Value = serde_json::from_str(&cklb::write(&checklist).unwrap()).unwrap();
    assert_eq!(doc["cklb_version"], "1.0");
    assert_eq!(doc["target_data"]["host_name"], "EDGE01");
    assert_eq!(doc["target_data"]["role"], "Member Server");
    assert_eq!(doc["target_data"]["technology_area"], "Exchange Server");
    let stig = &doc["stigs"][0];
    assert_eq!(stig["stig_id"], "MS_Exchange_2019_Edge_Server_STIG");
    assert_eq!(stig["display_name"], "Microsoft Exchange 2019 Edge Server");
    assert_eq!(stig["version"], "2");
    assert_eq!(stig["size"], 5);
    assert_eq!(stig["reference_identifier"], "5579");
    let rule = &stig["rules"][1];
    assert_eq!(rule["rule_id_src"], "SV-90002r102_rule");
    assert_eq!(rule["rule_id"], "SV-90002r102");
    assert_eq!(rule["group_id"], "V-90002");
    assert_eq!(rule["group_tree"][0]["title"], "SRG-APP-000002");
    assert_eq!(rule["rule_version"], "EX19-ED-000002");
    assert_eq!(rule["severity"], "medium");
    assert_eq!(rule["weight"], "10.0");
    assert_eq!(rule["classification"], "Unclassified");
    assert_eq!(
        rule["ccis"],
        serde_json::json!(["CCI-000054", "CCI-001362"])
    );
    assert_eq!(rule["legacy_ids"], serde_json::json!([]));
    assert_eq!(rule["status"], "open");
    assert_eq!(rule["overrides"]["severity"]["severity"], "low");
    assert_eq!(
        rule["overrides"]["severity"]["reason"],
        "Mitigated by the perimeter relay"
    );
    assert_eq!(rule["stig_uuid"].as_str().unwrap().len(), 36);
    let statuses: Vec<&str> = stig["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "not_a_finding",
            "open",
            "not_applicable",
            "not_reviewed",
            "not_a_finding"
        ]
    );
}

/// Schema, STIG Manager and read-back checks on the CKLB written for `checklist`.
fn check_with_consumers(name: &str, checklist: &Checklist, revision: &str) {
    let file = write_temp(name, &cklb::write(checklist).unwrap());
    assert_schema_valid(std::slice::from_ref(&file));
    let report = exstig::validate::validate_file(&file).unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.lines());
    let vulns = &checklist.stigs[0].vulns;
    if let Some(parsed) = common::stig_manager_parse("cklb", &file) {
        assert_eq!(parsed["target"]["name"], "EDGE01");
        assert_eq!(parsed["target"]["fqdn"], "edge01.example.mil");
        let list = &parsed["checklists"][0];
        assert_eq!(list["benchmarkId"], checklist.stigs[0].info("stigid"));
        assert_eq!(list["revisionStr"], revision);
        let reviews = list["reviews"].as_array().expect("reviews");
        reviewed::assert_reviews_match(reviews, vulns);
    }
}

#[test]
fn catalog_like_cklb_passes_schema_and_stig_manager() {
    let checklist = reviewed_checklist(&catalog_like_benchmark());
    check_with_consumers("cklb-catalog-like", &checklist, "V2R2");
}

#[test]
fn disa_benchmark_cklb_passes_schema_stig_manager_and_round_trip() {
    let Some(shared) = common::shared("disa_benchmark_cklb") else {
        return;
    };
    let path = shared
        .join("benchmarks/U_MS_Exchange_2016_Edge_Transport_Server_STIG_V2R6_Manual-xccdf.xml");
    let benchmark = exstig::benchmark::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let checklist = reviewed_checklist(&benchmark);
    check_with_consumers("cklb-2016-edge", &checklist, "V2R6");
    let text = cklb::write(&checklist).unwrap();
    let back = cklb::read(Path::new("x.cklb"), &text).unwrap();
    assert_eq!(carried(&back), carried(&checklist));
}

/// Every sample CKLB: (file under ../shared/samples, Some(rules per STIG) when it must read,
/// None when it must be refused).
const SAMPLES: [(&str, Option<&[usize]>); 31] = [
    (
        "stig-manager-test-files/ckl/Asset_a-VPN_TRUNCATED-V2R5.cklb",
        Some(&[10]),
    ),
    ("Asset_a-VPN_TRUNCATED-V2R5.cklb", Some(&[10])),
    (
        "CA1294WK16078_Chrome_V2R8_20231211-125633Trimmed.cklb",
        Some(&[2]),
    ),
    (
        "stig-manager-test-files/cklb/Asset_a-VPN_TRUNCATED-V2R5.cklb",
        Some(&[10]),
    ),
    (
        "stig-manager-test-files/cklb/Asset_a-multi-stig.cklb",
        Some(&[10, 10, 10]),
    ),
    (
        "stig-manager-test-files/cklb/Asset_aaaaaaaaaa-RHEL_9_TRUNCATED-V1R1-no-reviews.cklb",
        Some(&[10]),
    ),
    (
        "stig-manager-test-files/cklb/Asset_b-multi-stig.cklb",
        Some(&[10, 10, 10]),
    ),
    (
        "stig-manager-test-files/cklb/Asset_bbbbbbbbb-VPN_TRUNCATED-V2R5.cklb",
        Some(&[10]),
    ),
    (
        "stig-manager-test-files/cklb/CA1294WK16078_COMBINED_20231211-125654.cklb",
        Some(&[1, 1]),
    ),
    (
        "stig-manager-test-files/cklb/CA1294WK16078_Chrome_V2R8_20231211-125633Trimmed.cklb",
        Some(&[2]),
    ),
    (
        "stig-manager-test-files/cklb/GoodStatistics.cklb",
        Some(&[8]),
    ),
    ("stig-manager-test-files/cklb/NoStigsArray.cklb", None),
    (
        "stig-manager-test-files/cklb/NoTargetHostName.cklb",
        Some(&[1]),
    ),
    (
        "stig-manager-test-files/cklb/OnlyRootResultEngine.cklb",
        Some(&[1]),
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-Long-CommentDetail.cklb",
        Some(&[1]),
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-Pass-Empty-CommentDetail.cklb",
        Some(&[1]),
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-Pass-With-Comment.cklb",
        Some(&[1]),
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-Pass-With-Detail.cklb",
        Some(&[1]),
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-fail-Empty-CommentDetail.cklb",
        Some(&[1]),
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-fail-With-Detail.cklb",
        Some(&[1]),
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-fail-with-Comment.cklb",
        Some(&[1]),
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-notReviewed-Commented-Detailed.cklb",
        Some(&[1]),
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-notReviewed-Empty-CommentDetail.cklb",
        Some(&[1]),
    ),
    (
        "stig-manager-test-files/cklb/SingleResultEngineModule.cklb",
        Some(&[1, 1]),
    ),
    (
        "stig-manager-test-files/cklb/TargetObjectBasic.cklb",
        Some(&[1]),
    ),
    (
        "stig-manager-test-files/cklb/TargetObjectMetaData.cklb",
        Some(&[1]),
    ),
    (
        "stig-manager-test-files/cklb/TargetObjectMinimal.cklb",
        Some(&[1]),
    ),
    (
        "stig-manager-test-files/cklb/Truncate-Tests.cklb",
        Some(&[1]),
    ),
    (
        "stig-manager-test-files/cklb/TwoResultEngineModules.cklb",
        Some(&[1, 1]),
    ),
    (
        "stig-manager-test-files/cklb/all-possible-results.cklb",
        Some(&[4]),
    ),
    (
        "stig-manager-test-files/cklb/no-root-result-engine-object.cklb",
        Some(&[1]),
    ),
];

#[test]
fn reads_every_sample_cklb_and_refuses_the_broken_one() {
    let Some(shared) = common::shared("sample CKLBs") else {
        return;
    };
    let samples = shared.join("samples");
    let mut found: Vec<PathBuf> = walk(&samples)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "cklb"))
        .collect();
    found.sort();
    let mut listed: Vec<PathBuf> = SAMPLES.iter().map(|(f, _)| samples.join(f)).collect();
    listed.sort();
    assert_eq!(found, listed, "every sample CKLB has an expectation");
    for (file, expected) in SAMPLES {
        let path = samples.join(file);
        let text = exstig::fsio::read_text(&path).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        match (cklb::read(&path, &text), expected) {
            (Ok(checklist), Some(sizes)) => {
                let got: Vec<usize> = checklist.stigs.iter().map(|s| s.vulns.len()).collect();
                assert_eq!(got, sizes, "{file}");
                for (s, stig) in checklist.stigs.iter().enumerate() {
                    assert_eq!(stig.info("stigid"), json["stigs"][s]["stig_id"], "{file}");
                    for (r, vuln) in stig.vulns.iter().enumerate() {
                        let rule = &json["stigs"][s]["rules"][r];
                        let status = Status::parse(rule["status"].as_str().unwrap()).unwrap();
                        assert_eq!(vuln.status, status, "{file} rule {r}");
                        assert_eq!(vuln.rule_id(), rule["rule_id_src"], "{file} rule {r}");
                        assert_eq!(
                            vuln.finding_details,
                            rule["finding_details"].as_str().unwrap_or(""),
                            "{file} rule {r}"
                        );
                        assert_eq!(
                            vuln.comments,
                            rule["comments"].as_str().unwrap_or(""),
                            "{file} rule {r}"
                        );
                        assert!(
                            vuln.attrs("LEGACY_ID").count() >= 2,
                            "{file}: STIG Viewer writes two LEGACY_ID"
                        );
                    }
                }
                assert_eq!(
                    checklist.asset.host_name,
                    json["target_data"]["host_name"].as_str().unwrap_or(""),
                    "{file}"
                );
            }
            (Err(e), None) => {
                let message = e.to_string();
                assert!(
                    message.contains(file.rsplit('/').next().unwrap()),
                    "{message}"
                );
                assert!(message.contains("no \"stigs\" array"), "{message}");
            }
            (Ok(_), None) => panic!("{file} must be refused"),
            (Err(e), Some(_)) => panic!("{file} must be read: {e}"),
        }
    }
}

#[test]
fn broken_json_is_refused_with_line_and_column() {
    let checklist = reviewed_checklist(&catalog_like_benchmark());
    let text = cklb::write(&checklist).unwrap();
    let cut = &text[..text.len() / 2];
    let err = cklb::read(Path::new("half.cklb"), cut)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("half.cklb (line "), "{err}");
    assert!(err.contains("not valid JSON"), "{err}");
    let err = cklb::read(Path::new("a.cklb"), "[1, 2]")
        .unwrap_err()
        .to_string();
    assert!(err.contains("must be a JSON object"), "{err}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The STIG_DATA of `vuln` with a value, limited to the attributes named in `names`, sorted:
/// the CKLB reader writes STIG Viewer's order, other tools' CKLs have their own.
fn filled<'a>(vuln: &'a exstig::checklist::Vuln, names: &[&str]) -> Vec<(&'a str, &'a str)> {
    vuln.stig_data
        .iter()
        .filter(|(n, v)| !v.is_empty() && names.contains(&n.as_ref()))
        .map(|(n, v)| (n.as_ref(), v.as_str()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[test]
fn ckl_to_cklb_to_ckl_keeps_every_review_and_rule_field() {
    let Some(shared) = common::shared("CKL -> CKLB -> CKL") else {
        return;
    };
    let samples = shared.join("samples");
    let mut checked = 0;
    for path in walk(&samples) {
        if path.extension().is_none_or(|e| e != "ckl") {
            continue;
        }
        let text = exstig::fsio::read_text(&path).unwrap();
        let Ok(original) = exstig::checklist::ckl::read(&path, &text) else {
            continue; // the broken samples; the CKL reader's tests cover them
        };
        let cklb_text = cklb::write(&original).unwrap();
        let back = cklb::read(&path, &cklb_text).unwrap();
        // and on to CKL again: the CKL writer takes what the CKLB reader gives
        let ckl_again = exstig::checklist::ckl::read(&path, &exstig::checklist::ckl::write(&back))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file = path.display();
        // the CKL writer drops characters XML 1.0 forbids (and never cuts a text); CKLB keeps them
        let capped = |text: &str, through_ckl: bool| {
            if through_ckl {
                text.chars()
                    .filter(|c| exstig::xml::is_xml_char(*c))
                    .collect()
            } else {
                text.to_string()
            }
        };
        for (round, through_ckl) in [(&back, false), (&ckl_again, true)] {
            let (a, b) = (&original.asset, &round.asset);
            assert_eq!(
                (&a.host_name, &a.host_ip, &a.host_mac, &a.host_fqdn),
                (&b.host_name, &b.host_ip, &b.host_mac, &b.host_fqdn),
                "{file}"
            );
            // the CKL writer fits ROLE and TECH_AREA to the schema; CKLB keeps any value
            let role_valid = exstig::checklist::ROLES.contains(&a.role.as_str());
            if !through_ckl || role_valid {
                assert_eq!(a.role, b.role, "{file}");
            }
            let area_valid = exstig::validate::ckl::TECH_AREAS.contains(&a.tech_area.as_str());
            if !through_ckl || area_valid {
                assert_eq!(a.tech_area, b.tech_area, "{file}");
            }
            assert_eq!(original.stigs.len(), round.stigs.len(), "{file}");
            for (s, t) in original.stigs.iter().zip(&round.stigs) {
                for name in ["stigid", "version", "releaseinfo", "title"] {
                    assert_eq!(s.info(name), t.info(name), "{file} {name}");
                }
                assert_eq!(s.vulns.len(), t.vulns.len(), "{file}");
                for (v, w) in s.vulns.iter().zip(&t.vulns) {
                    // attributes the original fills (an empty STIG_UUID gets the STIG's uuid in CKLB)
                    let names: Vec<&str> = v
                        .stig_data
                        .iter()
                        .filter(|(_, value)| !value.is_empty())
                        .map(|(n, _)| n.as_ref())
                        .collect();
                    assert_eq!(
                        filled(v, &names),
                        filled(w, &names),
                        "{file} {}",
                        v.rule_id()
                    );
                    assert_eq!(v.status, w.status, "{file} {}", v.rule_id());
                    assert_eq!(
                        capped(&v.finding_details, through_ckl),
                        w.finding_details,
                        "{file}"
                    );
                    assert_eq!(capped(&v.comments, through_ckl), w.comments, "{file}");
                    assert_eq!(v.severity_override, w.severity_override, "{file}");
                    assert_eq!(v.severity_justification, w.severity_justification, "{file}");
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} sample CKLs read");
}
