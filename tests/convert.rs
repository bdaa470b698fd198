//! `exstig convert` on every good sample in ../shared/samples: CKL → CKLB → CKL and
//! CKLB → CKL → CKLB keep every status, detail, comment and severity override; outputs validate
//! and read back with STIG Manager's parsers; what a format cannot hold is named; broken files
//! give exit 2 and no output.

mod common;

use exstig::checklist::{Checklist, ckl, cklb, clean_text};
use std::path::{Path, PathBuf};

/// Files STIG Manager's own tests use as broken input; they must be refused.
const BROKEN: [&str; 6] = [
    "No-Asset-xml-element.ckl",
    "all-possible-results.ckl",
    "no-Status-xml-element.ckl",
    "no-Stigs-xml-element.ckl",
    "no-checklist-xml-element.ckl",
    "NoStigsArray.cklb",
];

fn samples(shared: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in [
        shared.join("samples"),
        shared.join("samples/stig-manager-test-files/ckl"),
        shared.join("samples/stig-manager-test-files/cklb"),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if path.is_file() && (ext == "ckl" || ext == "cklb") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn is_broken(path: &Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy();
    BROKEN.contains(&name.as_ref())
}

/// The review of every rule, with texts as a writer stores them (cleaned and capped).
fn reviews(c: &Checklist) -> Vec<(String, String, String, String, String, String)> {
    c.stigs
        .iter()
        .flat_map(|s| &s.vulns)
        .map(|v| {
            (
                v.rule_id().to_string(),
                v.status.ckl().to_string(),
                clean_text(&v.finding_details),
                clean_text(&v.comments),
                v.severity_override.clone(),
                v.severity_justification.clone(),
            )
        })
        .collect()
}

/// CKL text as the tool writes it (the TECH_AREA fitted to the schema).
fn render_ckl(path: &Path, checklist: &Checklist) -> String {
    String::from_utf8(exstig::merge::render_checklist(path, checklist).unwrap()).unwrap()
}

fn read(path: &Path) -> Checklist {
    exstig::merge::read_checklist(path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_good_sample_round_trips_through_the_other_format() {
    let Some(shared) = common::shared("convert round trips") else {
        return;
    };
    let files = samples(&shared);
    let dir = common::temp_dir("convert-samples");
    let mut checked = 0;
    for path in files.iter().filter(|p| !is_broken(p)) {
        let original = read(path);
        let is_ckl = path.extension().is_some_and(|e| e == "ckl");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (there, back) = if is_ckl {
            let cklb_text = cklb::write(&original).unwrap();
            let middle = cklb::read(Path::new("middle.cklb"), &cklb_text).unwrap();
            let out = dir.join(format!("{name}.back.ckl"));
            let ckl_text = render_ckl(&out, &middle);
            std::fs::write(&out, &ckl_text).unwrap();
            common::assert_ckl_valid(&out);
            (middle, ckl::read(&out, &ckl_text).unwrap())
        } else {
            let middle_path = dir.join(format!("{name}.ckl"));
            let ckl_text = render_ckl(&middle_path, &original);
            std::fs::write(&middle_path, &ckl_text).unwrap();
            common::assert_ckl_valid(&middle_path);
            let middle = ckl::read(&middle_path, &ckl_text).unwrap();
            let cklb_text = cklb::write(&middle).unwrap();
            (
                middle,
                cklb::read(Path::new("back.cklb"), &cklb_text).unwrap(),
            )
        };
        assert_eq!(reviews(&there), reviews(&original), "{name}: first hop");
        assert_eq!(reviews(&back), reviews(&original), "{name}: round trip");
        assert_eq!(back.asset.host_name, original.asset.host_name, "{name}");
        assert_eq!(back.stigs.len(), original.stigs.len(), "{name}");
        for (a, b) in original.stigs.iter().zip(&back.stigs) {
            assert_eq!(a.info("stigid"), b.info("stigid"), "{name}");
            assert_eq!(a.info("releaseinfo"), b.info("releaseinfo"), "{name}");
            for (v, w) in a.vulns.iter().zip(&b.vulns) {
                for name_ in ["Vuln_Num", "Rule_Ver", "Severity", "Rule_Title"] {
                    assert_eq!(v.attr(name_), w.attr(name_), "{name}: {name_}");
                }
                let ccis = |x: &exstig::checklist::Vuln| -> Vec<String> {
                    x.attrs("CCI_REF")
                        .filter(|c| !c.is_empty())
                        .map(str::to_string)
                        .collect()
                };
                assert_eq!(ccis(v), ccis(w), "{name}: CCI_REF");
            }
        }
        checked += 1;
    }
    assert!(checked >= 60, "only {checked} samples round-tripped");
}

#[test]
fn cli_outputs_validate_and_read_back_with_stig_manager() {
    let Some(shared) = common::shared("convert CLI") else {
        return;
    };
    let dir = common::temp_dir("convert-cli");
    let picks = [
        "samples/small_ckl_overrides.ckl",
        "samples/CA1294WK16078_Chrome_V2R8_20231211-125631.ckl",
        "samples/stig-manager-test-files/ckl/Asset_a-multi-stig.ckl",
        "samples/stig-manager-test-files/ckl/html-decode.ckl",
        "samples/Asset_a-VPN_TRUNCATED-V2R5.cklb",
        "samples/stig-manager-test-files/cklb/Asset_a-multi-stig.cklb",
        "samples/stig-manager-test-files/cklb/Single-Vuln-Long-CommentDetail.cklb",
    ];
    for pick in picks {
        let input = shared.join(pick);
        let is_ckl = pick.ends_with(".ckl");
        let out = dir.join(if is_ckl { "out.cklb" } else { "out.ckl" });
        let result = common::exstig(
            &dir,
            &[
                "convert",
                input.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ],
        );
        assert!(
            result.status.success(),
            "{pick}: {}",
            String::from_utf8_lossy(&result.stderr)
        );
        let original = read(&input);
        let converted = read(&out);
        assert_eq!(reviews(&converted), reviews(&original), "{pick}");
        let kind = if is_ckl { "cklb" } else { "ckl" };
        if is_ckl {
            // exstig's own CKLB checks (DISA schema keys and enums, STIG Manager's needs).
            let report = exstig::validate::validate_file(&out).unwrap();
            let schema: Vec<String> = report
                .lines()
                .into_iter()
                .filter(|l| !l.contains("HOST_NAME") && !l.contains("host_name"))
                .collect();
            assert!(schema.is_empty(), "{pick}: {schema:?}");
        } else {
            common::assert_ckl_valid(&out);
        }
        if original.asset.host_name.trim().is_empty() {
            // STIG Manager refuses the input already; convert says so.
            let stderr = String::from_utf8_lossy(&result.stderr);
            assert!(stderr.contains("HOST_NAME is empty"), "{pick}: {stderr}");
            continue;
        }
        if let Some(parsed) = common::stig_manager_parse(kind, &out) {
            let text = parsed.to_string();
            let first = original.stigs[0]
                .vulns
                .iter()
                .map(|v| v.rule_id())
                .find(|r| !r.is_empty())
                .unwrap_or_default();
            assert!(text.contains(first), "{pick}: STIG Manager lost {first}");
        }
    }
}

#[test]
fn what_the_other_format_cannot_hold_is_named() {
    let dir = common::temp_dir("convert-warnings");
    let fixtures = common::root().join("fixtures/merge");
    let to_cklb = common::exstig(
        &dir,
        &[
            "convert",
            fixtures.join("last-quarter.ckl").to_str().unwrap(),
            "-o",
            dir.join("q.cklb").to_str().unwrap(),
        ],
    );
    assert!(to_cklb.status.success());
    let warnings = String::from_utf8_lossy(&to_cklb.stderr);
    for expected in [
        "HOST_GUID",
        "XML comments (4 of 4)",
        "MARKING",
        "STIG_INFO filename",
    ] {
        assert!(warnings.contains(expected), "no {expected} in:\n{warnings}");
    }
    let to_ckl = common::exstig(
        &dir,
        &[
            "convert",
            fixtures.join("last-quarter.cklb").to_str().unwrap(),
            "-o",
            dir.join("q.ckl").to_str().unwrap(),
        ],
    );
    assert!(to_ckl.status.success());
    let warnings = String::from_utf8_lossy(&to_ckl.stderr);
    for expected in ["rules[].createdAt", "override 'result'", "rule uuids"] {
        assert!(warnings.contains(expected), "no {expected} in:\n{warnings}");
    }
    assert!(
        !warnings.contains("finding_details") && !warnings.contains("STIG_DATA"),
        "false alarm in:\n{warnings}"
    );
    common::assert_ckl_valid(&dir.join("q.ckl"));
}

#[test]
fn broken_samples_are_refused_and_nothing_is_written() {
    let Some(shared) = common::shared("convert broken samples") else {
        return;
    };
    let dir = common::temp_dir("convert-broken");
    let broken: Vec<PathBuf> = samples(&shared)
        .into_iter()
        .filter(|p| is_broken(p))
        .collect();
    assert_eq!(broken.len(), BROKEN.len());
    for path in broken {
        let out = dir.join("out.cklb");
        let result = common::exstig(
            &dir,
            &[
                "convert",
                path.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(result.status.code(), Some(2), "{}", path.display());
        let stderr = String::from_utf8_lossy(&result.stderr);
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(stderr.contains(name.as_ref()), "{stderr}");
        assert!(!out.exists());
    }
}
