//! XCCDF 1.2 results: the document `exstig::xccdf::write_results` writes is schema- and
//! schematron-valid (`oscap xccdf validate`), and STIG Manager's `reviewsFromXccdf` and MITRE's
//! `XCCDFResultsMapper` read the same result, detail and comment for every rule.

mod common;
mod reviewed;

use exstig::benchmark::Benchmark;
use exstig::checklist::Status;
use exstig::xccdf::write_results;
use reviewed::{STATUSES, catalog_like_benchmark, reviewed_checklist, run_info};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// The rule-results of a written document: idref → (result, message, comment, idents).
fn rule_results(xml: &str) -> BTreeMap<String, (String, String, String, Vec<String>)> {
    let root = exstig::validate::xml::parse(xml).expect("well-formed XML");
    root.descendants_named("rule-result")
        .into_iter()
        .map(|r| {
            let comment = r
                .descendants_named("comment")
                .first()
                .map(|c| c.text.clone())
                .unwrap_or_default();
            let idents = r.children_named("ident").map(|i| i.text.clone()).collect();
            (
                r.attr("idref").expect("idref").to_string(),
                (
                    r.child_text("result").unwrap_or("").to_string(),
                    r.child_text("message").unwrap_or("").to_string(),
                    comment,
                    idents,
                ),
            )
        })
        .collect()
}

#[test]
fn every_rule_gets_one_result_with_its_ccis_details_and_comments() {
    let benchmark = catalog_like_benchmark();
    let checklist = reviewed_checklist(&benchmark);
    let xml = write_results(&benchmark, &checklist, &run_info());
    let results = rule_results(&xml);
    assert_eq!(results.len(), benchmark.rules.len());
    for (i, (rule, vuln)) in benchmark
        .rules
        .iter()
        .zip(&checklist.stigs[0].vulns)
        .enumerate()
    {
        let id = format!("xccdf_mil.disa.stig_rule_{}", rule.rule_id);
        let (result, message, comment, idents) = &results[&id];
        assert_eq!(result, STATUSES[i % 4].xccdf(), "{id}");
        assert_eq!(message, &vuln.finding_details, "{id}");
        assert_eq!(comment, &vuln.comments, "{id}");
        assert_eq!(idents, &rule.ccis, "{id}");
    }
    assert!(xml.contains("test-system=\"cpe:/a:exstig:exstig:"));
    assert!(xml.contains(
        "<cdf:Benchmark id=\"xccdf_mil.disa.stig_benchmark_MS_Exchange_2019_Edge_Server_STIG\""
    ));
    assert!(xml.contains("<cdf:Group id=\"xccdf_mil.disa.stig_group_V-90001\">"));
    assert!(xml.contains("end-time=\"2025-03-01T10:00:07Z\""));
    assert!(xml.contains("<cdf:target>EDGE01</cdf:target>"));
    assert!(xml.contains("<cdf:target-address>2001:db8::10</cdf:target-address>"));
    assert!(xml.contains(
        "<cdf:fact name=\"urn:scap:fact:asset:identifier:fqdn\" type=\"string\">edge01.example.mil</cdf:fact>"
    ));
    // rule 2 (Open) carries the override severity; the score is 1 pass of 1 pass + 2 fails
    // (rules 1, 2 and 5 are pass, fail, pass: statuses cycle pass, fail, n/a, n/r, pass).
    assert!(xml.contains("idref=\"xccdf_mil.disa.stig_rule_SV-90002r102_rule\" version=\"EX19-ED-000002\" time=\"2025-03-01T10:00:07Z\" weight=\"10.0\" severity=\"low\""));
    assert!(
        xml.contains(">66.67</cdf:score>"),
        "score of 2 passes, 1 fail"
    );
}

#[test]
fn rules_missing_from_the_checklist_are_notchecked() {
    let benchmark = catalog_like_benchmark();
    let mut checklist = reviewed_checklist(&benchmark);
    checklist.stigs[0].vulns.truncate(1);
    let results = rule_results(&write_results(&benchmark, &checklist, &run_info()));
    assert_eq!(results.len(), 5);
    let notchecked = results.values().filter(|r| r.0 == "notchecked").count();
    assert_eq!(notchecked, 4);
}

/// Writes the results for `benchmark` and checks them with every external consumer available.
fn check_with_consumers(name: &str, benchmark: &Benchmark) {
    let checklist = reviewed_checklist(benchmark);
    let xml = write_results(benchmark, &checklist, &run_info());
    let dir = common::temp_dir(name);
    let file = dir.join(format!("{name}-xccdf.xml"));
    std::fs::write(&file, &xml).unwrap();

    if common::have_tool("oscap") {
        let out = Command::new("oscap")
            .args(["xccdf", "validate"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "oscap xccdf validate fails {}:\n{}{}",
            file.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let vulns = &checklist.stigs[0].vulns;
    if let Some(parsed) = common::stig_manager_parse("xccdf", &file) {
        assert_eq!(parsed["target"]["name"], "EDGE01");
        assert_eq!(parsed["target"]["fqdn"], "edge01.example.mil");
        assert_eq!(parsed["target"]["ip"], "192.0.2.10 2001:db8::10");
        let list = &parsed["checklists"][0];
        assert_eq!(list["benchmarkId"], benchmark.id.as_str());
        let reviews = list["reviews"].as_array().expect("reviews");
        reviewed::assert_reviews_match(reviews, vulns);
        for review in reviews {
            assert_eq!(review["resultEngine"]["product"], "exstig");
            assert_eq!(review["resultEngine"]["version"], exstig::VERSION);
        }
    }

    if let Some(hdf) = hdf_convert(&file) {
        let controls = hdf["profiles"][0]["controls"]
            .as_array()
            .expect("HDF controls");
        assert_eq!(controls.len(), vulns.len(), "one HDF control per rule");
        for vuln in vulns {
            let control = controls
                .iter()
                .find(|c| c["id"] == format!("xccdf_mil.disa.stig_rule_{}", vuln.rule_id()))
                .unwrap_or_else(|| panic!("no HDF control for {}", vuln.rule_id()));
            let expected = match vuln.status {
                Status::NotAFinding => "passed",
                Status::Open => "failed",
                Status::NotApplicable | Status::NotReviewed => "skipped",
            };
            assert_eq!(
                control["results"][0]["status"],
                expected,
                "{}",
                vuln.rule_id()
            );
        }
    }
}

/// Converts an XCCDF results file to HDF with `@mitre/hdf-converters` (tests/node/hdf.mjs);
/// panics with the converter's message when it throws. `None` when it is not installed
/// outside CI.
fn hdf_convert(file: &Path) -> Option<serde_json::Value> {
    let node_dir = common::root().join("tests/node");
    if !node_dir.join("node_modules/@mitre/hdf-converters").is_dir() {
        assert!(
            std::env::var("CI").is_err(),
            "@mitre/hdf-converters is required in CI (npm ci in tests/node)"
        );
        common::skip("HDF conversion: run `npm ci` in tests/node (bash .ci/run does)");
        return None;
    }
    if !common::have_tool("node") {
        return None;
    }
    let out = Command::new("node")
        .arg(node_dir.join("hdf.mjs"))
        .arg("xccdf")
        .arg(file)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "hdf-converters rejects {}:\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("HDF is JSON"))
}

#[test]
fn catalog_like_results_pass_oscap_stig_manager_and_hdf() {
    check_with_consumers("xccdf-catalog-like", &catalog_like_benchmark());
}

#[test]
fn disa_benchmark_results_pass_oscap_stig_manager_and_hdf() {
    let Some(shared) = common::shared("disa_benchmark_results") else {
        return;
    };
    for file in [
        "U_MS_Exchange_2016_Edge_Transport_Server_STIG_V2R6_Manual-xccdf.xml",
        "U_MS_Exchange_2019_Edge_Server_STIG_V2R2_Manual-xccdf.xml",
        "U_Exchange_2010_Hub_V1R12_Manual-xccdf.xml",
    ] {
        let benchmark = exstig::benchmark::load(&shared.join("benchmarks").join(file))
            .unwrap_or_else(|e| panic!("{e}"));
        let name = Path::new(file).file_stem().unwrap().to_string_lossy();
        check_with_consumers(&name, &benchmark);
    }
}

#[test]
fn ckl_cklb_and_xccdf_of_one_evaluation_agree_rule_by_rule() {
    use exstig::checklist::{ckl, cklb};
    let benchmark = catalog_like_benchmark();
    let checklist = reviewed_checklist(&benchmark);
    let path = Path::new("same");
    let from_ckl = ckl::read(path, &ckl::write(&checklist)).unwrap();
    let from_cklb = cklb::read(path, &cklb::write(&checklist).unwrap()).unwrap();
    let from_xccdf = rule_results(&write_results(&benchmark, &checklist, &run_info()));
    let (ckl_vulns, cklb_vulns) = (&from_ckl.stigs[0].vulns, &from_cklb.stigs[0].vulns);
    assert_eq!(ckl_vulns.len(), benchmark.rules.len());
    assert_eq!(cklb_vulns.len(), benchmark.rules.len());
    assert_eq!(from_xccdf.len(), benchmark.rules.len());
    for (a, b) in ckl_vulns.iter().zip(cklb_vulns) {
        let id = a.rule_id();
        assert_eq!(id, b.rule_id());
        let (result, message, comment, ccis) =
            &from_xccdf[&format!("xccdf_mil.disa.stig_rule_{id}")];
        assert_eq!(
            (a.status, &a.finding_details, &a.comments),
            (b.status, &b.finding_details, &b.comments),
            "{id}"
        );
        assert_eq!(a.status.xccdf(), result, "{id}");
        assert_eq!(&a.finding_details, message, "{id}");
        assert_eq!(&a.comments, comment, "{id}");
        assert_eq!(a.attrs("CCI_REF").collect::<Vec<_>>(), *ccis, "{id}");
        assert_eq!(
            (&a.severity_override, &a.severity_justification),
            (&b.severity_override, &b.severity_justification),
            "{id}"
        );
    }
}
