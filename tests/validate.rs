//! `exstig validate`: every file in ../shared/samples gets the verdict listed here (the
//! known-broken ones flagged for the reason given, the good ones clean), it agrees with DISA's
//! XSD (xmllint) and `oscap` on every sample they reject, it names file and line:column, and
//! every file exstig writes (CKL, CKLB, XCCDF results, for every shared benchmark and every
//! catalog benchmark) passes it.

mod common;
mod reviewed;

use exstig::benchmark::Benchmark;
use exstig::checklist::{ckl, cklb};
use exstig::validate::{Format, validate_bytes, validate_file};
use exstig::xccdf::write_results;
use reviewed::{catalog_like_benchmark, reviewed_checklist, run_info};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Every file under ../shared/samples with the problems `exstig validate` must report: an
/// empty list means the file must be clean; otherwise each text must appear in some problem.
const EXPECTED: &[(&str, &[&str])] = &[
    // Real exports that consumers accept.
    ("Asset_a-VPN_TRUNCATED-V2R5.ckl", &[]),
    ("Asset_a-VPN_TRUNCATED-V2R5.cklb", &[]),
    ("scc_scan-xccdf.xml", &[]),
    ("xccdf-results-scc-rhel8.xml", &[]),
    // STIG Manager's XCCDF export: `check` without @system fails the XCCDF schema.
    (
        "Asset_a-VPN_TRUNCATED-V2R5-xccdf.xml",
        &["check without system"],
    ),
    // Evaluate-STIG: BOM (hdf-converters fail), placeholder IPs, no per-STIG CKLB version.
    (
        "CA1294WK16078_Chrome_V2R8_20231211-125631.ckl",
        &["byte order mark", "HOST_IP '130.163.x.x'"],
    ),
    (
        "CA1294WK16078_Chrome_V2R8_20231211-125633Trimmed.cklb",
        &["no \"version\""],
    ),
    ("eval-stig-w-sm-resultEngine.xml", &["holds no Rule"]),
    // STIG Viewer files with an empty HOST_NAME (STIG Manager refuses them).
    ("RHEL8V1R3.ckl", &["HOST_NAME is empty"]),
    ("small_ckl_overrides.ckl", &["HOST_NAME is empty"]),
    // Not results files at all.
    ("SOURCES.md", &["neither XML nor JSON"]),
    ("SV3_CKLB_1_0_JSON_SCHEMA.json", &["no \"stigs\" array"]),
    ("U_Checklist_Schema_V2.xsd", &["root element <xs:schema>"]),
    ("xccdf.xsd", &["root element <xsd:schema>"]),
    ("exchange/SOURCES.md", &["neither XML nor JSON"]),
    (
        "exchange/clixml/css-exchange_GetReceiveConnector_E2019.xml",
        &["root element <Objs>"],
    ),
    (
        "exchange/clixml/css-exchange_GetReceiveConnector_E2019_EmptyTlsCertificateName.xml",
        &["root element <Objs>"],
    ),
    (
        "exchange/clixml/css-exchange_GetSendConnector_E2019.xml",
        &["root element <Objs>"],
    ),
    (
        "exchange/clixml/css-exchange_GetSendConnector_E2019_RelayToM365.xml",
        &["root element <Objs>"],
    ),
    (
        "exchange/csv/sammykrosoft_Sample_Export_ReceiveConnector_E2016.csv",
        &["neither XML nor JSON"],
    ),
    (
        "stig-manager-test-files/SOURCES.md",
        &["neither XML nor JSON"],
    ),
    // STIG Manager's parser test files, CKL.
    (
        "stig-manager-test-files/ckl/Asset_a-RHEL_9_TRUNCATED-V1R1-no-reviews.ckl",
        &[],
    ),
    (
        "stig-manager-test-files/ckl/Asset_a-VPN_TRUNCATED-V2R5.ckl",
        &[],
    ),
    (
        "stig-manager-test-files/ckl/Asset_a-VPN_TRUNCATED-V2R5.cklb",
        &[],
    ),
    ("stig-manager-test-files/ckl/Asset_a-multi-stig.ckl", &[]),
    (
        "stig-manager-test-files/ckl/Asset_b-VPN_TRUNCATED-V2R5.ckl",
        &[],
    ),
    ("stig-manager-test-files/ckl/Asset_b-multi-stig.ckl", &[]),
    (
        "stig-manager-test-files/ckl/CA1294WK16078_COMBINED_20231211-125650-trimmed.ckl",
        &["byte order mark", "HOST_IP"],
    ),
    (
        "stig-manager-test-files/ckl/CA1294WK16078_Chrome_V2R8_20231211-125631.ckl",
        &["byte order mark", "HOST_IP"],
    ),
    (
        "stig-manager-test-files/ckl/GoodStatistics.ckl",
        &["appears twice"],
    ),
    (
        "stig-manager-test-files/ckl/MultiStig-Simple.ckl",
        &["'SV-5_rule' lacks the revision"],
    ),
    (
        "stig-manager-test-files/ckl/No-Asset-xml-element.ckl",
        &["no ASSET element"],
    ),
    (
        "stig-manager-test-files/ckl/No-RuleId-Value.ckl",
        &["no Rule ID"],
    ),
    (
        "stig-manager-test-files/ckl/ResultEngineRootNoVersion.ckl",
        &["WEB_OR_DATABASE ''"],
    ),
    (
        "stig-manager-test-files/ckl/ResultEngineWithEvalStigModuleAndOverride.ckl",
        &[],
    ),
    (
        "stig-manager-test-files/ckl/Root-ES-comment-with-only-version.ckl",
        &["WEB_OR_DATABASE ''"],
    ),
    (
        "stig-manager-test-files/ckl/Single-Vuln-Long-CommentDetail.ckl",
        &[
            "FINDING_DETAILS has 32769 UTF-16 units",
            "COMMENTS has 32769",
        ],
    ),
    (
        "stig-manager-test-files/ckl/Single-Vuln-Pass-Empty-CommentDetail.ckl",
        &[],
    ),
    (
        "stig-manager-test-files/ckl/Single-Vuln-Pass-With-Comment.ckl",
        &[],
    ),
    (
        "stig-manager-test-files/ckl/Single-Vuln-Pass-With-Detail.ckl",
        &[],
    ),
    (
        "stig-manager-test-files/ckl/Single-Vuln-fail-Empty-CommentDetail.ckl",
        &[],
    ),
    (
        "stig-manager-test-files/ckl/Single-Vuln-fail-WEBORDATABASE-true.ckl",
        &[],
    ),
    (
        "stig-manager-test-files/ckl/Single-Vuln-fail-With-Detail.ckl",
        &[],
    ),
    (
        "stig-manager-test-files/ckl/Single-Vuln-fail-with-Comment.ckl",
        &[],
    ),
    (
        "stig-manager-test-files/ckl/Single-Vuln-notReviewed-Commented-Detailed.ckl",
        &[],
    ),
    (
        "stig-manager-test-files/ckl/Single-Vuln-notReviewed-Empty-CommentDetail.ckl",
        &[],
    ),
    (
        "stig-manager-test-files/ckl/SingleResultEngineModule.ckl",
        &["WEB_OR_DATABASE ''"],
    ),
    (
        "stig-manager-test-files/ckl/Target-Object-Long-Properties",
        &["ROLE 'MyRole'", "HOST_MAC", "HOST_FQDN"],
    ),
    (
        "stig-manager-test-files/ckl/TargetObjectBasic.ckl",
        &["ROLE 'MyRole'"],
    ),
    (
        "stig-manager-test-files/ckl/TargetObjectMetaData.ckl",
        &["ROLE 'MyRole'", "TECH_AREA 'CyberSec'"],
    ),
    (
        "stig-manager-test-files/ckl/TargetObjectMinimal.ckl",
        &["ROLE ''", "ASSET_TYPE ''"],
    ),
    (
        "stig-manager-test-files/ckl/all-possible-results.ckl",
        &["not well-formed XML"],
    ),
    (
        "stig-manager-test-files/ckl/empty-stigid-SID_DATA-element.ckl",
        &["no stigid"],
    ),
    ("stig-manager-test-files/ckl/html-decode.ckl", &[]),
    (
        "stig-manager-test-files/ckl/no-Host_Name-xml-element.ckl",
        &["HOST_NAME is empty"],
    ),
    (
        "stig-manager-test-files/ckl/no-SID_DATA-element.ckl",
        &["no stigid"],
    ),
    (
        "stig-manager-test-files/ckl/no-Status-xml-element.ckl",
        &["STATUS ''"],
    ),
    (
        "stig-manager-test-files/ckl/no-Stigs-xml-element.ckl",
        &["no STIGS element"],
    ),
    (
        "stig-manager-test-files/ckl/no-checklist-xml-element.ckl",
        &["root element <NOTYACHECKLIST>"],
    ),
    (
        "stig-manager-test-files/ckl/no-releaseinfo-SID_DATA-element.ckl",
        &["releaseinfo ''"],
    ),
    (
        "stig-manager-test-files/ckl/no-root-ES-comment-with-ISTIG-comment.ckl",
        &["WEB_OR_DATABASE ''"],
    ),
    (
        "stig-manager-test-files/ckl/result-engine-data-root.ckl",
        &[],
    ),
    (
        "stig-manager-test-files/ckl/result-engine-invalid-comment.ckl",
        &[],
    ),
    (
        "stig-manager-test-files/ckl/resultEngine-In-ISTIG-multi-stig.ckl",
        &["WEB_OR_DATABASE ''"],
    ),
    // CKLB.
    (
        "stig-manager-test-files/cklb/Asset_a-VPN_TRUNCATED-V2R5.cklb",
        &[],
    ),
    ("stig-manager-test-files/cklb/Asset_a-multi-stig.cklb", &[]),
    (
        "stig-manager-test-files/cklb/Asset_aaaaaaaaaa-RHEL_9_TRUNCATED-V1R1-no-reviews.cklb",
        &[],
    ),
    ("stig-manager-test-files/cklb/Asset_b-multi-stig.cklb", &[]),
    (
        "stig-manager-test-files/cklb/Asset_bbbbbbbbb-VPN_TRUNCATED-V2R5.cklb",
        &[],
    ),
    (
        "stig-manager-test-files/cklb/CA1294WK16078_COMBINED_20231211-125654.cklb",
        &["stigs[1]: no \"version\""],
    ),
    (
        "stig-manager-test-files/cklb/CA1294WK16078_Chrome_V2R8_20231211-125633Trimmed.cklb",
        &["no \"version\""],
    ),
    (
        "stig-manager-test-files/cklb/GoodStatistics.cklb",
        &["'SV-1' lacks the revision"],
    ),
    (
        "stig-manager-test-files/cklb/NoStigsArray.cklb",
        &["no \"stigs\" array"],
    ),
    (
        "stig-manager-test-files/cklb/NoTargetHostName.cklb",
        &["target_data.host_name: empty or missing"],
    ),
    (
        "stig-manager-test-files/cklb/OnlyRootResultEngine.cklb",
        &["no \"version\""],
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-Long-CommentDetail.cklb",
        &["finding_details has 32768 UTF-16 units"],
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-Pass-Empty-CommentDetail.cklb",
        &[],
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-Pass-With-Comment.cklb",
        &[],
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-Pass-With-Detail.cklb",
        &[],
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-fail-Empty-CommentDetail.cklb",
        &[],
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-fail-With-Detail.cklb",
        &[],
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-fail-with-Comment.cklb",
        &[],
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-notReviewed-Commented-Detailed.cklb",
        &[],
    ),
    (
        "stig-manager-test-files/cklb/Single-Vuln-notReviewed-Empty-CommentDetail.cklb",
        &[],
    ),
    (
        "stig-manager-test-files/cklb/SingleResultEngineModule.cklb",
        &["no \"version\""],
    ),
    ("stig-manager-test-files/cklb/TargetObjectBasic.cklb", &[]),
    (
        "stig-manager-test-files/cklb/TargetObjectMetaData.cklb",
        &["target_data.role: 'TestRole'"],
    ),
    ("stig-manager-test-files/cklb/TargetObjectMinimal.cklb", &[]),
    ("stig-manager-test-files/cklb/Truncate-Tests.cklb", &[]),
    (
        "stig-manager-test-files/cklb/TwoResultEngineModules.cklb",
        &["no \"version\""],
    ),
    (
        "stig-manager-test-files/cklb/all-possible-results.cklb",
        &["appears twice"],
    ),
    (
        "stig-manager-test-files/cklb/no-root-result-engine-object.cklb",
        &["no \"version\""],
    ),
    // XCCDF: STIG Manager's own exports and test files (test ids without the DISA patterns).
    (
        "stig-manager-test-files/xccdf/Asset_a-RHEL_9_TRUNCATED-V1R1-xccdf-no-reviews.xml",
        &["check without system"],
    ),
    (
        "stig-manager-test-files/xccdf/Asset_a-VPN_TRUNCATED-V2R5-xccdf.xml",
        &["check without system"],
    ),
    (
        "stig-manager-test-files/xccdf/Asset_b-RHEL_8_TRUNCATED-V1R12-xccdf.xml",
        &["check without system"],
    ),
    (
        "stig-manager-test-files/xccdf/Asset_b-RHEL_9_TRUNCATED-V1R1-xccdf.xml",
        &["check without system"],
    ),
    (
        "stig-manager-test-files/xccdf/Asset_b-VPN_TRUNCATED-V2R5-xccdf.xml",
        &["check without system"],
    ),
    (
        "stig-manager-test-files/xccdf/GoodStatistics-xccdf.xml",
        &[
            "Benchmark id 'xccdf_mil.disa.test' does not match",
            "'xccdf_mil.disa.stig_rule_SV-1' lacks the Rule ID revision",
        ],
    ),
    (
        "stig-manager-test-files/xccdf/NoBenchMarkElement.xml",
        &["root element <NotBenchmark>"],
    ),
    (
        "stig-manager-test-files/xccdf/NoRuleResultElement-xccdf..xml",
        &["has no rule-result"],
    ),
    (
        "stig-manager-test-files/xccdf/NoTargetElement-xccdf.xml",
        &["has no target"],
    ),
    (
        "stig-manager-test-files/xccdf/NoTestResult-xccdf.xml",
        &["no TestResult"],
    ),
    (
        "stig-manager-test-files/xccdf/ReviewOverrides-xccdf.xml",
        &["lacks the Rule ID revision"],
    ),
    (
        "stig-manager-test-files/xccdf/Single-Vuln-Pass-With-Comment-xccdf.xml",
        &["lacks the Rule ID revision"],
    ),
    (
        "stig-manager-test-files/xccdf/Single-Vuln-Pass-With-Detail-xccdf.xml",
        &["lacks the Rule ID revision"],
    ),
    (
        "stig-manager-test-files/xccdf/Single-Vuln-fail-Empty-CommentDetail-xccdf.xml",
        &["lacks the Rule ID revision"],
    ),
    (
        "stig-manager-test-files/xccdf/Single-Vuln-fail-With-Detail-xccdf.xml",
        &["lacks the Rule ID revision"],
    ),
    (
        "stig-manager-test-files/xccdf/Single-Vuln-fail-with-Comment-xccdf.xml",
        &["lacks the Rule ID revision"],
    ),
    (
        "stig-manager-test-files/xccdf/Single-Vuln-notReviewed-Commented-Detailed-xccdf.xml",
        &["check without system"],
    ),
    (
        "stig-manager-test-files/xccdf/Single-Vuln-notReviewed-Empty-CommentDetail-xccdf.xml",
        &["lacks the Rule ID revision"],
    ),
    (
        "stig-manager-test-files/xccdf/Target-Object-Long-Properties-xccdf.xml",
        &["has no test-system", "names no Rule of this Benchmark"],
    ),
    (
        "stig-manager-test-files/xccdf/TargetObjectBasic-xccdf.xml",
        &["lacks the Rule ID revision"],
    ),
    (
        "stig-manager-test-files/xccdf/TargetObjectMetaData-xccdf.xml",
        &["lacks the Rule ID revision"],
    ),
    (
        "stig-manager-test-files/xccdf/TargetObjectMinimal-xccdf.xml",
        &["lacks the Rule ID revision"],
    ),
    (
        "stig-manager-test-files/xccdf/all-possible-results-xccdf.xml",
        &["lacks the Rule ID revision"],
    ),
    (
        "stig-manager-test-files/xccdf/eval-stig-w-sm-resultEngine.xml",
        &["holds no Rule"],
    ),
    ("stig-manager-test-files/xccdf/scc_scan-xccdf.xml", &[]),
];

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
    files.sort();
    files
}

#[test]
fn every_sample_file_gets_its_expected_verdict() {
    let Some(shared) = common::shared("validate samples") else {
        return;
    };
    let samples = shared.join("samples");
    let found: Vec<String> = walk(&samples)
        .iter()
        .map(|p| {
            p.strip_prefix(&samples)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut listed: Vec<String> = EXPECTED.iter().map(|(f, _)| f.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed, "every sample has an expectation");
    for (file, expected) in EXPECTED {
        let report = validate_file(&samples.join(file)).unwrap();
        let lines = report.lines();
        if expected.is_empty() {
            assert!(
                lines.is_empty(),
                "{file} must be clean:\n{}",
                lines.join("\n")
            );
        }
        for text in *expected {
            assert!(
                lines.iter().any(|l| l.contains(text)),
                "{file} must be flagged with '{text}'; got:\n{}",
                lines.join("\n")
            );
        }
        for line in &lines {
            assert!(line.contains(file), "{line} names the file");
        }
    }
}

/// Whether `tool args FILE` accepts the file.
fn tool_accepts(tool: &str, args: &[&str], file: &Path) -> bool {
    Command::new(tool)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("run {tool}: {e}"))
        .status
        .success()
}

#[test]
fn flags_every_sample_the_xsd_or_oscap_rejects() {
    let Some(shared) = common::shared("validate vs xmllint/oscap") else {
        return;
    };
    let samples = shared.join("samples");
    let xsd = samples.join("U_Checklist_Schema_V2.xsd");
    let xsd = xsd.to_str().unwrap();
    let (xmllint, oscap) = (common::have_tool("xmllint"), common::have_tool("oscap"));
    let mut compared = 0;
    for path in walk(&samples) {
        let report = validate_file(&path).unwrap();
        let accepted = match report.format {
            Some(Format::Ckl) if xmllint => {
                tool_accepts("xmllint", &["--noout", "--schema", xsd], &path)
            }
            Some(Format::Xccdf) if oscap => tool_accepts("oscap", &["xccdf", "validate"], &path),
            _ => continue,
        };
        compared += 1;
        if !accepted {
            assert!(
                !report.problems.is_empty(),
                "{} fails the schema but exstig validate finds nothing",
                path.display()
            );
        }
    }
    assert!(compared > 50 || !(xmllint && oscap), "compared {compared}");
}

/// The three files exstig writes for `benchmark`, validated: none may have a problem.
fn assert_outputs_pass(benchmark: &Benchmark) {
    let checklist = reviewed_checklist(benchmark);
    let outputs = [
        ("out.ckl", ckl::write(&checklist)),
        ("out.cklb", cklb::write(&checklist).unwrap()),
        (
            "out-xccdf.xml",
            write_results(benchmark, &checklist, &run_info()),
        ),
    ];
    for (name, text) in outputs {
        let report = validate_bytes(Path::new(name), text.as_bytes());
        assert!(report.format.is_some(), "{name} recognized");
        assert!(
            report.problems.is_empty(),
            "{} {name}:\n{}",
            benchmark.id,
            report.lines().join("\n")
        );
    }
}

#[test]
fn every_file_exstig_writes_passes() {
    assert_outputs_pass(&catalog_like_benchmark());
    for name in exstig::catalog::names() {
        assert_outputs_pass(&exstig::catalog::get(name).unwrap());
    }
    let Some(shared) = common::shared("validate outputs for DISA benchmarks") else {
        return;
    };
    let mut count = 0;
    for path in walk(&shared.join("benchmarks")) {
        if path.extension().is_some_and(|e| e == "xml") {
            assert_outputs_pass(&exstig::benchmark::load(&path).unwrap());
            count += 1;
        }
    }
    assert!(count >= 31, "{count} benchmarks");
}

#[test]
fn problems_name_line_and_column() {
    let benchmark = catalog_like_benchmark();
    let mut checklist = reviewed_checklist(&benchmark);
    checklist.asset.host_name.clear();
    // the CKL writer never writes an empty ROLE or a bad STATUS: break them by hand
    let text = ckl::write(&checklist)
        .replacen("<ROLE>Member Server</ROLE>", "<ROLE></ROLE>", 1)
        .replacen("<STATUS>Open</STATUS>", "<STATUS>No_Data</STATUS>", 1);
    // line and column (1-based, in characters) of the `<` of `needle`
    let place_of = |needle: &str| {
        let before = &text[..text.find(needle).unwrap()];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (
            before.matches('\n').count() + 1,
            before[line_start..].chars().count() + 1,
        )
    };
    let report = validate_bytes(Path::new("x.ckl"), text.as_bytes());
    let lines = report.lines();
    let expect = |(line, column): (usize, usize), text: &str| {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("x.ckl:{line}:{column}: ")) && l.contains(text)),
            "no '{text}' at {line}:{column}:\n{}",
            lines.join("\n")
        );
    };
    expect(place_of("<ROLE>"), "ROLE ''");
    expect(place_of("<HOST_NAME>"), "HOST_NAME is empty");
    expect(place_of("<STATUS>No_Data"), "STATUS 'No_Data'");
    assert_eq!(lines.len(), 3, "{}", lines.join("\n"));
}

#[test]
fn the_command_exits_0_1_or_2() {
    let dir = common::temp_dir("validate-cli");
    let benchmark = catalog_like_benchmark();
    let good = dir.join("good.cklb");
    std::fs::write(&good, cklb::write(&reviewed_checklist(&benchmark)).unwrap()).unwrap();
    let mut unnamed = reviewed_checklist(&benchmark);
    unnamed.asset.host_name.clear();
    let bad = dir.join("bad.ckl");
    std::fs::write(&bad, ckl::write(&unnamed)).unwrap();

    let out = common::exstig(&dir, &["validate", "good.cklb"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "good.cklb: ok (CKLB)\n"
    );

    let out = common::exstig(&dir, &["validate", "--quiet", "good.cklb", "bad.ckl"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("bad.ckl:"), "{stdout}");
    assert!(stdout.contains("HOST_NAME is empty"), "{stdout}");

    let out = common::exstig(&dir, &["validate", "missing.ckl", "bad.ckl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.ckl"));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("bad.ckl:"),
        "other files still checked"
    );
    // a folder stands for the checklists in it
    std::fs::write(dir.join("notes.txt"), "not a checklist").unwrap();
    let out = common::exstig(&dir, &["validate", "."]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("./bad.ckl:"), "{stdout}");
    assert!(stdout.contains("./good.cklb: ok (CKLB)"), "{stdout}");
    assert!(!stdout.contains("notes.txt"), "{stdout}");
}

#[test]
fn a_doctype_is_flagged_even_when_its_entities_break_the_file() {
    let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE CHECKLIST [\n<!ENTITY x SYSTEM \"file:///etc/passwd\">\n]>\n<CHECKLIST><ASSET>&x;</ASSET></CHECKLIST>";
    let report = validate_bytes(Path::new("x.ckl"), text.as_bytes());
    let lines = report.lines();
    assert!(
        lines[0].starts_with("x.ckl:2:1: error: DOCTYPE declaration"),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("undefined entity '&x;'")),
        "{lines:?}"
    );
}

#[test]
fn damaged_files_give_problems_not_panics() {
    let benchmark = catalog_like_benchmark();
    let checklist = reviewed_checklist(&benchmark);
    let outputs = [
        ("d.ckl", ckl::write(&checklist)),
        ("d.cklb", cklb::write(&checklist).unwrap()),
        ("d.xml", write_results(&benchmark, &checklist, &run_info())),
    ];
    for (name, text) in outputs {
        let bytes = text.as_bytes();
        let mut damaged = 0;
        // cut the file at 97 places and flip one byte at 97 others: every damaged copy gets a
        // report (the cut ones at least one problem), and the CKLB reader gives an error or a
        // checklist, never a panic
        for step in 1..98 {
            let at = bytes.len() * step / 98;
            let cut = &bytes[..at];
            let report = validate_bytes(Path::new(name), cut);
            assert!(!report.problems.is_empty(), "{name} cut at {at} passes");
            let mut flipped = bytes.to_vec();
            flipped[at] ^= 0x5A;
            let _ = validate_bytes(Path::new(name), &flipped);
            if name.ends_with(".cklb") {
                let _ = cklb::read(Path::new(name), &String::from_utf8_lossy(&flipped));
                assert!(cklb::read(Path::new(name), &String::from_utf8_lossy(cut)).is_err());
            }
            damaged += 1;
        }
        assert_eq!(damaged, 97);
    }
}

#[test]
fn submittable_reports_reviews_stig_manager_would_only_save() {
    use exstig::validate::{Options, validate_bytes_with};
    let benchmark = catalog_like_benchmark();
    let strict = Options { submittable: true };
    let outputs = |checklist: &exstig::checklist::Checklist| {
        [
            ("s.ckl", ckl::write(checklist)),
            ("s.cklb", cklb::write(checklist).unwrap()),
            ("s.xml", write_results(&benchmark, checklist, &run_info())),
        ]
    };
    // every evaluated rule has details and the open one a comment
    let complete = reviewed_checklist(&benchmark);
    for (name, text) in outputs(&complete) {
        let report = validate_bytes_with(Path::new(name), text.as_bytes(), strict);
        assert!(report.problems.is_empty(), "{:?}", report.lines());
    }
    // rule 1 passes without details, rule 2 is open without comments
    let mut incomplete = complete.clone();
    incomplete.stigs[0].vulns[0].finding_details.clear();
    incomplete.stigs[0].vulns[1].comments.clear();
    for (name, text) in outputs(&incomplete) {
        let lines = validate_bytes_with(Path::new(name), text.as_bytes(), strict).lines();
        assert_eq!(lines.len(), 2, "{name}: {lines:?}");
        assert!(lines[0].contains("SV-90001r101_rule") && lines[0].contains("no finding details"));
        assert!(
            lines[1].contains("SV-90002r102_rule") && lines[1].contains("open without comments")
        );
        let default = validate_bytes(Path::new(name), text.as_bytes());
        assert!(default.problems.is_empty(), "only reported when asked");
    }
}

#[test]
fn flags_every_sample_stig_manager_refuses() {
    let Some(shared) = common::shared("validate vs STIG Manager") else {
        return;
    };
    let node_dir = common::root().join("tests/node");
    if !node_dir
        .join("node_modules/@nuwcdivnpt/stig-manager-client-modules")
        .is_dir()
    {
        assert!(
            std::env::var("CI").is_err(),
            "STIG Manager parsers are required in CI"
        );
        common::skip("node parsers: run `npm ci` in tests/node");
        return;
    }
    if !common::have_tool("node") {
        return;
    }
    let mut refused = 0;
    for path in walk(&shared.join("samples")) {
        let report = validate_file(&path).unwrap();
        let kind = match report.format {
            Some(Format::Ckl) => "ckl",
            Some(Format::Cklb) => "cklb",
            Some(Format::Xccdf) => "xccdf",
            Some(Format::Benchmark) | None => continue,
        };
        let out = Command::new("node")
            .arg(node_dir.join("parse.mjs"))
            .arg(kind)
            .arg(&path)
            .output()
            .expect("run node");
        if !out.status.success() {
            refused += 1;
            assert!(
                report.has_errors(),
                "STIG Manager refuses {} ({}) but exstig validate finds no error",
                path.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
    }
    assert!(
        refused >= 5,
        "only {refused} samples refused: is the parser running?"
    );
}
