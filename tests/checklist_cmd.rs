//! `exstig checklist`: the empty checklist from DISA files and from the embedded catalog is
//! schema-valid, reads in STIG Manager, carries every rule of the benchmark Not_Reviewed with
//! the ASSET options given, has STIG Viewer's structure; errors exit 2 and write nothing.

mod common;

use exstig::checklist::{Checklist, Status, ckl};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Runs `exstig checklist` in `dir` and returns (exit code, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let mut all = vec!["checklist"];
    all.extend_from_slice(args);
    let out = common::exstig(dir, &all);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn read_ckl(path: &Path) -> Checklist {
    let text = std::fs::read_to_string(path).expect("CKL written");
    assert!(!text.starts_with('\u{FEFF}'), "no BOM");
    ckl::read(path, &text).expect("our CKL reads back")
}

/// What every checklist made from `benchmark` must satisfy, here and in STIG Manager.
fn assert_empty_checklist_of(path: &Path, benchmark: &exstig::benchmark::Benchmark, host: &str) {
    let checklist = read_ckl(path);
    assert_eq!(checklist.asset.host_name, host);
    assert_eq!(checklist.asset.target_key, benchmark.target_key());
    assert_eq!(checklist.stigs.len(), 1);
    let stig = &checklist.stigs[0];
    assert_eq!(stig.info("stigid"), benchmark.id);
    assert_eq!(stig.info("version"), benchmark.version);
    assert_eq!(stig.info("releaseinfo"), benchmark.release_info);
    assert_eq!(stig.vulns.len(), benchmark.rules.len());
    for (vuln, rule) in stig.vulns.iter().zip(&benchmark.rules) {
        assert_eq!(vuln.status, Status::NotReviewed);
        assert_eq!(vuln.rule_id(), rule.rule_id);
        assert_eq!(vuln.vuln_num(), rule.group_id);
        assert_eq!(vuln.stig_id(), rule.stig_id);
        assert_eq!(vuln.attrs("CCI_REF").collect::<Vec<_>>(), rule.ccis);
        assert_eq!(vuln.attrs("LEGACY_ID").count(), 2);
        assert!(vuln.finding_details.is_empty() && vuln.comments.is_empty());
    }
    assert!(common::assert_ckl_valid(path) || std::env::var("CI").is_err());
    if let Some(parsed) = common::stig_manager_parse("ckl", path) {
        assert_eq!(parsed["target"]["name"], host);
        let checklists = parsed["checklists"].as_array().expect("checklists");
        assert_eq!(checklists.len(), 1);
        assert_eq!(checklists[0]["benchmarkId"], benchmark.id.as_str());
        assert_eq!(checklists[0]["revisionStr"], benchmark.revision().as_str());
        let reviews = checklists[0]["reviews"].as_array().expect("reviews");
        assert_eq!(reviews.len(), benchmark.rules.len(), "one review per rule");
        let ids: BTreeSet<&str> = reviews
            .iter()
            .filter_map(|r| r["ruleId"].as_str())
            .collect();
        let expected: BTreeSet<&str> = benchmark.rules.iter().map(|r| r.rule_id.as_str()).collect();
        assert_eq!(ids, expected);
        assert!(reviews.iter().all(|r| r["result"] == "notchecked"));
    }
}

#[test]
fn from_disa_files_with_asset_options() {
    let Some(shared) = common::shared("checklist from DISA files") else {
        return;
    };
    let dir = common::temp_dir("checklist-disa");
    let files = [
        "U_MS_Exchange_2016_Edge_Transport_Server_STIG_V2R6_Manual-xccdf.xml",
        "U_MS_Exchange_2013_Edge_Transport_Server_ STIG_V1R6_Manual-xccdf.xml",
        "U_MS_Exchange_2019_Mailbox_Server_STIG_V1R1_Manual-xccdf..xml",
        "derived/U_MS_Exchange_2019_Mailbox_Server_STIG_V2R3_Manual-rules-from-cklb.json",
    ];
    for (index, name) in files.iter().enumerate() {
        let benchmark_path = shared.join("benchmarks").join(name);
        let out = dir.join(format!("out {index}.ckl"));
        let (code, stderr) = run(
            &dir,
            &[
                "--benchmark",
                benchmark_path.to_str().expect("utf-8 path"),
                "--host-name",
                "EXCH01",
                "--fqdn",
                "exch01.example.mil",
                "--ip",
                "192.0.2.10",
                "--mac",
                "00:11:22:33:44:55",
                "--role",
                "member server",
                "--marking",
                "CUI//SP-PRVCY",
                "--tech-area",
                "exchange server",
                "--ckl",
                out.to_str().expect("utf-8 path"),
            ],
        );
        assert_eq!(code, 0, "{name}: {stderr}");
        let benchmark = exstig::benchmark::load(&benchmark_path).expect("benchmark loads");
        assert_empty_checklist_of(&out, &benchmark, "EXCH01");
        let asset = read_ckl(&out).asset;
        assert_eq!(asset.host_fqdn, "exch01.example.mil");
        assert_eq!(asset.host_ip, "192.0.2.10");
        assert_eq!(asset.host_mac, "00:11:22:33:44:55");
        assert_eq!(asset.role, "Member Server");
        assert_eq!(asset.marking, "CUI//SP-PRVCY");
        assert_eq!(asset.tech_area, "Exchange Server");
    }
}

#[test]
fn from_a_disa_zip_in_the_repository() {
    let dir = common::temp_dir("checklist-zip");
    let zip = common::root().join("fixtures/benchmarks/U_Example_Mail_Relay_V3R4_STIG.zip");
    let (code, stderr) = run(
        &dir,
        &[
            "--benchmark",
            zip.to_str().expect("path"),
            "--host-name",
            "RELAY1",
            "--ckl",
            "r.ckl",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let benchmark = exstig::benchmark::load(&zip).expect("fixture loads");
    assert_empty_checklist_of(&dir.join("r.ckl"), &benchmark, "RELAY1");
}

#[test]
fn from_every_catalog_name() {
    let dir = common::temp_dir("checklist-catalog");
    for name in exstig::catalog::names() {
        let out = format!("{name}.ckl");
        let (code, stderr) = run(
            &dir,
            &["--stig", name, "--host-name", "MBX01", "--ckl", &out],
        );
        assert_eq!(code, 0, "{name}: {stderr}");
        let benchmark = exstig::catalog::get(name).expect("catalog entry");
        assert_empty_checklist_of(&dir.join(&out), &benchmark, "MBX01");
        let asset = read_ckl(&dir.join(&out)).asset;
        assert_eq!(
            (asset.role.as_str(), asset.tech_area.as_str()),
            ("Member Server", "Exchange Server")
        );
    }
}

/// Element names of a CKL in document order, with `VULN` bodies reduced to one pattern each.
fn element_sequence(text: &str) -> (Vec<String>, Vec<String>, BTreeSet<String>) {
    let checklist = ckl::read(Path::new("x.ckl"), text).expect("reads");
    let asset = checklist
        .asset_layout
        .iter()
        .map(|(n, _)| n.clone())
        .collect();
    let info = checklist.stigs[0]
        .info
        .iter()
        .map(|(n, _)| n.clone())
        .collect();
    let attributes = checklist
        .stigs
        .iter()
        .flat_map(|s| s.vulns.iter())
        .flat_map(|v| v.stig_data.iter().map(|(n, _)| n.to_string()))
        .collect();
    (asset, info, attributes)
}

#[test]
fn same_structure_as_stig_viewer_files() {
    let Some(shared) = common::shared("structure vs STIG Viewer") else {
        return;
    };
    let dir = common::temp_dir("checklist-structure");
    let benchmark = shared
        .join("benchmarks/U_MS_Exchange_2016_Edge_Transport_Server_STIG_V2R6_Manual-xccdf.xml");
    let (code, stderr) = run(
        &dir,
        &[
            "--benchmark",
            benchmark.to_str().expect("path"),
            "--host-name",
            "E",
            "--ckl",
            "e.ckl",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let ours = std::fs::read_to_string(dir.join("e.ckl")).expect("written");
    for sample in ["small_ckl_overrides.ckl", "RHEL8V1R3.ckl"] {
        let theirs = std::fs::read_to_string(shared.join("samples").join(sample)).expect("sample");
        assert_eq!(
            element_sequence(&ours),
            element_sequence(&theirs),
            "vs {sample}"
        );
        let header = |t: &str| t.lines().next().map(str::to_string);
        assert_eq!(header(&ours), header(&theirs));
    }
}

#[test]
fn errors_exit_2_and_write_nothing() {
    let dir = common::temp_dir("checklist-errors");
    let existing = dir.join("keep.ckl");
    std::fs::write(&existing, "old content").expect("seed");
    let not_xml = dir.join("not-xml.xml");
    std::fs::write(&not_xml, "this is not XML").expect("write");
    let truncated = dir.join("truncated.xml");
    std::fs::write(&truncated, "<?xml version=\"1.0\"?>\n<Benchmark xmlns=\"http://checklists.nist.gov/xccdf/1.1\" id=\"X\">\n  <title>T").expect("write");
    let doctype = dir.join("doctype.xml");
    std::fs::write(
        &doctype,
        "<?xml version=\"1.0\"?>\n<!DOCTYPE Benchmark [<!ENTITY e \"ENTITY-BODY-42\">]>\n<Benchmark id=\"&e;\"/>",
    )
    .expect("write");
    let no_xccdf = common::root().join("fixtures/benchmarks/no-xccdf.zip");
    let not_disa = dir.join("not-disa.xml");
    std::fs::write(
        &not_disa,
        "<?xml version=\"1.0\"?>\n<Benchmark xmlns=\"http://checklists.nist.gov/xccdf/1.1\" id=\"x\"><title>t</title></Benchmark>\n",
    )
    .expect("write");
    let html = dir.join("page.xml");
    std::fs::write(&html, "<?xml version=\"1.0\"?>\n<html><body/></html>\n").expect("write");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--stig".into(), "exchange-2019-edge".into()],
            "--host-name",
        ),
        (
            vec![
                "--stig".into(),
                "exchange-2019-edge".into(),
                "--host-name".into(),
                " ".into(),
            ],
            "--host-name",
        ),
        (
            vec![
                "--stig".into(),
                "exchange-2019-edge".into(),
                "--host-name".into(),
                "H".into(),
                "--role".into(),
                "Mailbox".into(),
            ],
            "--role",
        ),
        (
            vec![
                "--stig".into(),
                "exchange-2019-edge".into(),
                "--host-name".into(),
                "H".into(),
                "--tech-area".into(),
                "Mail".into(),
            ],
            "--tech-area 'Mail'",
        ),
        (
            vec![
                "--stig".into(),
                "exchange-2099".into(),
                "--host-name".into(),
                "H".into(),
            ],
            "unknown STIG",
        ),
        (
            vec![
                "--benchmark".into(),
                path(&not_xml),
                "--host-name".into(),
                "H".into(),
            ],
            "not-xml.xml",
        ),
        (
            vec![
                "--benchmark".into(),
                path(&truncated),
                "--host-name".into(),
                "H".into(),
            ],
            "line",
        ),
        (
            vec![
                "--benchmark".into(),
                path(&doctype),
                "--host-name".into(),
                "H".into(),
            ],
            "doctype.xml",
        ),
        (
            vec![
                "--benchmark".into(),
                path(&no_xccdf),
                "--host-name".into(),
                "H".into(),
            ],
            "no-xccdf.zip",
        ),
        (
            vec![
                "--benchmark".into(),
                path(&not_disa),
                "--host-name".into(),
                "H".into(),
            ],
            "not-disa.xml",
        ),
        (
            vec![
                "--benchmark".into(),
                path(&html),
                "--host-name".into(),
                "H".into(),
            ],
            "page.xml (line 2, column 1)",
        ),
        (
            vec![
                "--benchmark".into(),
                path(&dir.join("missing.xml")),
                "--host-name".into(),
                "H".into(),
            ],
            "missing.xml",
        ),
    ];
    for (mut args, expected) in cases {
        args.extend(["--ckl".to_string(), path(&existing)]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stderr) = run(&dir, &refs);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: expected '{expected}' in: {stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(&existing).expect("kept"),
            "old content"
        );
    }
    let doctype_err = run(
        &dir,
        &[
            "--benchmark",
            &path(&doctype),
            "--host-name",
            "H",
            "--ckl",
            "d.ckl",
        ],
    )
    .1;
    assert!(
        !doctype_err.contains("ENTITY-BODY-42"),
        "entity must not be expanded: {doctype_err}"
    );
    let (code, stderr) = run(
        &dir,
        &[
            "--stig",
            "exchange-2019-edge",
            "--host-name",
            "H",
            "--ckl",
            &path(&dir.join("no/such/dir/x.ckl")),
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    let leftovers: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tmp" || e == "ckl") && p != &existing)
        .collect();
    assert!(leftovers.is_empty(), "files left behind: {leftovers:?}");
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Converts a CKL to MITRE HDF with `@mitre/hdf-converters` (tests/node/hdf.mjs); `None` when the
/// converter is not installed outside CI.
fn hdf_of(ckl: &Path) -> Option<serde_json::Value> {
    let node_dir = common::root().join("tests/node");
    if !node_dir.join("node_modules/@mitre/hdf-converters").is_dir() {
        assert!(
            std::env::var("CI").is_err(),
            "hdf-converters is required in CI (npm ci in tests/node)"
        );
        common::skip("HDF conversion: run `npm ci` in tests/node (bash .ci/run does)");
        return None;
    }
    if !common::have_tool("node") {
        return None;
    }
    let out = std::process::Command::new("node")
        .arg(node_dir.join("hdf.mjs"))
        .arg("ckl")
        .arg(ckl)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "hdf-converters rejects {}:\n{}",
        ckl.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("HDF is JSON"))
}

#[test]
fn mitre_hdf_converters_read_it_with_every_rule_and_the_asset() {
    let dir = common::temp_dir("checklist-hdf");
    let (code, stderr) = run(
        &dir,
        &[
            "--stig",
            "exchange-2019-edge",
            "--host-name",
            "EDGE01",
            "--ip",
            "192.0.2.5",
            "--fqdn",
            "edge01.example.mil",
            "--mac",
            "00:00:5E:00:53:01",
            "--ckl",
            "edge.ckl",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let Some(hdf) = hdf_of(&dir.join("edge.ckl")) else {
        return;
    };
    let benchmark = exstig::catalog::get("exchange-2019-edge").expect("catalog");
    let profiles = hdf["profiles"].as_array().expect("profiles");
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0]["name"], benchmark.id.as_str());
    let controls = profiles[0]["controls"].as_array().expect("controls");
    assert_eq!(controls.len(), benchmark.rules.len());
    let asset = &hdf["passthrough"]["checklist"]["asset"];
    assert_eq!(asset["hostname"], "EDGE01");
    assert_eq!(asset["hostip"], "192.0.2.5");
    assert_eq!(asset["targetkey"], benchmark.target_key());
}
