//! The eMASS hand-off offline: the CCI table (`catalog build --cci-list/--ap-map`, run-time
//! `--cci-list`, `rules --json`), `exstig poam` read back with calamine (an independent xlsx
//! reader) and the workbook XML, and `exstig emass test-results`; bad input exits 2 and writes
//! nothing.

mod common;

use calamine::{Data, DataType, Reader, SheetVisible, Xlsx, open_workbook};
use exstig::checklist::{Checklist, ChecklistStig, Status, ckl, cklb};
use std::path::{Path, PathBuf};
use std::process::Output;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn run(dir: &Path, args: &[&str]) -> Output {
    common::exstig(dir, args)
}

/// The rule the tests make Open: the first rule of the 2019 Edge STIG whose CCIs all have a
/// rev 5 AP.
fn open_rule(stig: &ChecklistStig) -> usize {
    let table = exstig::cci::embedded();
    stig.vulns
        .iter()
        .position(|v| {
            let ccis: Vec<&str> = v.attrs("CCI_REF").collect();
            !ccis.is_empty()
                && ccis
                    .iter()
                    .all(|c| table.get(c).is_some_and(|r| !r.rev5.ap.is_empty()))
        })
        .expect("a rule with rev 5 APs")
}

/// Three hosts of the 2019 Edge STIG: HOST-A (CKL) and HOST-B (CKLB) have rule `open` Open
/// (B with a severity override to low), rule `open + 1` NotAFinding, `open + 2`
/// Not_Applicable; HOST-C (XCCDF results) has them NotAFinding, Open and Not_Applicable.
/// Every other rule is Not_Reviewed. Returns the files and the Open rule's Rule ID.
fn fleet(dir: &Path) -> (Vec<PathBuf>, String, String) {
    let benchmark = exstig::catalog::get("exchange-2019-edge").expect("catalog");
    let mut stig = ChecklistStig::from_benchmark(&benchmark);
    let open = open_rule(&stig);
    let rule_id = stig.vulns[open].rule_id().to_string();
    let second = stig.vulns[open + 1].rule_id().to_string();
    let make = |host: &str, statuses: [Status; 3]| {
        let mut s = stig.clone();
        for (i, status) in statuses.into_iter().enumerate() {
            s.vulns[open + i].status = status;
            s.vulns[open + i].finding_details = format!("{host}: value found was 42\nmore");
        }
        let mut c = Checklist {
            stigs: vec![s],
            ..Checklist::default()
        };
        c.asset.host_name = host.to_string();
        c
    };
    let a = make(
        "HOST-A",
        [Status::Open, Status::NotAFinding, Status::NotApplicable],
    );
    let mut b = make(
        "HOST-B",
        [Status::Open, Status::NotAFinding, Status::NotApplicable],
    );
    b.stigs[0].vulns[open].severity_override = "low".into();
    b.stigs[0].vulns[open].severity_justification = "Internal relay only".into();
    b.stigs[0].vulns[open].comments =
        "Fix (Exchange Management Shell):\nSet-ReceiveConnector -Identity 'X' -Banner '220 ok'\n"
            .into();
    let c = make(
        "HOST-C",
        [Status::NotAFinding, Status::Open, Status::NotApplicable],
    );
    stig.vulns.clear();
    let paths = vec![
        dir.join("HOST-A.ckl"),
        dir.join("HOST-B.cklb"),
        dir.join("HOST-C.xml"),
    ];
    std::fs::write(&paths[0], ckl::write(&a)).unwrap();
    std::fs::write(&paths[1], cklb::write(&b).unwrap()).unwrap();
    let now = chrono::Utc::now();
    let xccdf = exstig::xccdf::write_results(
        &benchmark,
        &c,
        &exstig::xccdf::RunInfo {
            start: now,
            end: now,
        },
    );
    std::fs::write(&paths[2], xccdf).unwrap();
    (paths, rule_id, second)
}

fn strs(paths: &[PathBuf]) -> Vec<&str> {
    paths.iter().map(|p| p.to_str().unwrap()).collect()
}

fn cell(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn header_row(range: &calamine::Range<Data>, row: u32, cols: u32) -> Vec<String> {
    (0..cols).map(|c| cell(range, row, c)).collect()
}

fn sheet_xml(xlsx: &Path, name: &str) -> String {
    use std::io::Read;
    let file = std::fs::File::open(xlsx).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn the_committed_cci_table_is_what_catalog_build_makes_from_disa_list_and_the_ap_map() {
    let Some(shared) = common::shared("CCI table rebuild") else {
        return;
    };
    let dir = common::temp_dir("cci-build");
    let list = shared.join("reference/cci/U_CCI_List-rev4-rev5.derived.xml");
    let map = shared.join("research/cci-map.csv");
    let out = run(
        &dir,
        &[
            "catalog",
            "build",
            "--cci-list",
            list.to_str().unwrap(),
            "--ap-map",
            map.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let built = std::fs::read_to_string(dir.join("cci.csv")).unwrap();
    let committed = std::fs::read_to_string(common::root().join("catalog/cci.csv")).unwrap();
    assert_eq!(built, committed, "catalog/cci.csv is stale: rebuild it");

    // The 2014 list has no rev 5 references; read from a zip as DISA ships it.
    let zip_path = dir.join("U_CCI_List.zip");
    {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        zip.start_file("U_CCI_List.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(
            &std::fs::read(shared.join("reference/cci/U_CCI_List-2014-05-14.xml")).unwrap(),
        )
        .unwrap();
        zip.finish().unwrap();
    }
    let old = dir.join("old");
    let out = run(
        &dir,
        &[
            "catalog",
            "build",
            "--cci-list",
            zip_path.to_str().unwrap(),
            "--ap-map",
            map.to_str().unwrap(),
            "--out",
            old.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(old.join("cci.csv")).unwrap();
    let table = exstig::cci::parse_table(Path::new("cci.csv"), &text).unwrap();
    assert_eq!(table.rows.len(), 3550);
    let cm6 = table.get("CCI-000366").unwrap();
    assert_eq!(
        (cm6.rev4.control.as_str(), cm6.rev5.index.as_str()),
        ("CM-6", "")
    );
}

#[test]
fn the_embedded_table_covers_every_cci_any_exchange_benchmark_cites() {
    let Some(shared) = common::shared("CCI coverage") else {
        return;
    };
    let table = exstig::cci::embedded();
    let mut seen = 0;
    let mut benchmarks = 0;
    let dirs = [shared.join("benchmarks"), shared.join("benchmarks/derived")];
    let paths: Vec<PathBuf> = dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flat_map(|entries| entries.flatten().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    for path in paths {
        let Ok(benchmark) = exstig::benchmark::load(&path) else {
            continue;
        };
        benchmarks += 1;
        for rule in &benchmark.rules {
            for cci in &rule.ccis {
                seen += 1;
                let row = table
                    .get(cci)
                    .unwrap_or_else(|| panic!("{cci} of {} missing", path.display()));
                assert!(
                    !row.rev4.ap.is_empty() || !row.rev5.ap.is_empty(),
                    "{cci} has no AP at all"
                );
            }
        }
    }
    assert!(benchmarks >= 31, "read DISA's benchmarks ({benchmarks})");
    assert!(seen > 1000, "read the benchmarks ({seen} CCIs)");
}

#[test]
fn rules_json_names_controls_and_aps_of_both_revisions() {
    let out = run(
        &common::root(),
        &["rules", "--stig", "exchange-2019-edge", "--json"],
    );
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = json["rules"].as_array().unwrap();
    let mut checked = 0;
    for rule in rules {
        let cci = rule["ccis"][0].as_str().unwrap();
        let row = exstig::cci::embedded().get(cci).unwrap();
        if row.rev5.ap.is_empty() || rule["ccis"].as_array().unwrap().len() != 1 {
            continue;
        }
        assert_eq!(rule["controls"]["rev4"][0], row.rev4.control.as_str());
        assert_eq!(rule["controls"]["rev5"][0], row.rev5.control.as_str());
        assert_eq!(rule["aps"]["rev4"][0], row.rev4.ap.as_str());
        assert_eq!(rule["aps"]["rev5"][0], row.rev5.ap.as_str());
        assert_eq!(rule["unknown_ccis"], serde_json::json!([]));
        checked += 1;
    }
    assert!(checked > 20, "{checked}");
}

#[test]
fn a_user_cci_list_replaces_the_table_and_a_cci_it_lacks_is_an_error() {
    let dir = common::temp_dir("cci-user-list");
    let (files, _, _) = fleet(&dir);
    // A list that knows only CCI-000366: every other CCI of the fleet is unknown.
    let list = dir.join("U_CCI_List.xml");
    std::fs::write(
        &list,
        r#"<?xml version="1.0"?><cci_list xmlns="http://iase.disa.mil/cci"><metadata><version>x</version><publishdate>2030-01-01</publishdate></metadata><cci_items>
<cci_item id="CCI-000366"><references><reference title="NIST SP 800-53 Revision 5" version="5" index="CM-6 b"/></references></cci_item></cci_items></cci_list>"#,
    )
    .unwrap();
    let mut args = vec!["poam", "-o", "p.xlsx", "--cci-list", "U_CCI_List.xml"];
    args.extend(strs(&files));
    let out = run(&dir, &args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains("HOST-A.ckl") && message.contains("does not know"),
        "{message}"
    );
    assert!(!dir.join("p.xlsx").exists(), "nothing written");
}

#[test]
fn poam_2025_reads_back_with_headers_rows_dates_validations_and_the_open_rule() {
    let dir = common::temp_dir("poam-2025");
    let (files, rule_id, second) = fleet(&dir);
    let site = dir.join("site.toml");
    std::fs::write(
        &site,
        "[poam]\nsystem_name = \"Mail Relay\"\noffice_org = \"J6, Jane Smith, 555-0100, jane@example.mil\"\n[poam.cat2]\ndays = 60\nlikelihood = \"High\"\nmilestones = [{ text = \"Test the change\", days = 20 }, { text = \"Apply the change\", days = 60 }]\n",
    )
    .unwrap();
    let mut args = vec![
        "poam",
        "-o",
        "p.xlsx",
        "--site",
        "site.toml",
        "--date",
        "2026-03-01",
    ];
    args.extend(strs(&files));
    let out = run(&dir, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("a POA&M from an incomplete review:")
            && stderr(&out).contains("not reviewed on 3 hosts"),
        "{}",
        stderr(&out)
    );
    let path = dir.join("p.xlsx");
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let sheets = book.sheets_metadata().to_vec();
    assert_eq!(sheets[0].name, "POA&M", "eMASS reads the first sheet");
    assert_eq!(sheets[0].visible, SheetVisible::Visible);
    assert_eq!(sheets[1].visible, SheetVisible::Hidden);
    let range = book.worksheet_range("POA&M").unwrap();
    assert_eq!(cell(&range, 0, 0), "***** CUI *****");
    assert_eq!(cell(&range, 4, 0), "System / Project Name:");
    assert_eq!(cell(&range, 4, 3), "Mail Relay");
    assert!(matches!(range.get_value((1, 3)), Some(Data::DateTime(_))));
    let headers = header_row(&range, 6, 26);
    assert_eq!(headers, exstig::emass::poam::HEADERS_2025.map(String::from));
    // Item 1 (row 8): the Open rule on HOST-A and HOST-B; two milestones, rows 8 and 9.
    assert_eq!(
        cell(&range, 7, 4),
        format!("{rule_id}; {}", {
            let b = exstig::catalog::get("exchange-2019-edge").unwrap();
            b.rules
                .iter()
                .find(|r| r.rule_id == rule_id)
                .unwrap()
                .group_id
                .clone()
        })
    );
    assert!(cell(&range, 7, 1).contains("Open on 2 of 3 hosts reviewed (HOST-A, HOST-B)"));
    assert!(cell(&range, 7, 1).contains("HOST-A: HOST-A: value found was 42"));
    assert_eq!(cell(&range, 7, 14), "HOST-A, HOST-B");
    assert_eq!(cell(&range, 7, 11), "Ongoing");
    assert_eq!(
        cell(&range, 7, 3),
        "J6, Jane Smith, 555-0100, jane@example.mil"
    );
    assert_eq!(cell(&range, 7, 13), "II", "raw severity is DISA's CAT");
    assert_eq!(
        cell(&range, 7, 17),
        "Moderate",
        "the override to low on one host does not lower the item below the other host's CAT II"
    );
    assert_eq!(cell(&range, 7, 20), "High", "likelihood from [poam.cat2]");
    let scheduled = range.get_value((7, 6)).unwrap();
    assert!(scheduled.is_datetime(), "a real date: {scheduled:?}");
    let Data::DateTime(serial) = scheduled else {
        panic!("{scheduled:?}")
    };
    let expected = chrono::NaiveDate::from_ymd_opt(2026, 4, 30).unwrap()
        - chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
    assert_eq!(serial.as_f64(), expected.num_days() as f64);
    assert_eq!(cell(&range, 7, 8), "Test the change 03/21/2026");
    assert_eq!(cell(&range, 8, 8), "Apply the change 04/30/2026");
    assert_eq!(cell(&range, 8, 7), "2");
    assert!(
        cell(&range, 8, 1).is_empty(),
        "a milestone row holds only the milestone"
    );
    let aps = cell(&range, 7, 2);
    let first_cci = {
        let b = exstig::catalog::get("exchange-2019-edge").unwrap();
        b.rules.iter().find(|r| r.rule_id == rule_id).unwrap().ccis[0].clone()
    };
    assert!(aps.contains(&exstig::cci::embedded().get(&first_cci).unwrap().rev5.ap));
    assert!(
        cell(&range, 7, 12).contains("Severity overridden to low on HOST-B: Internal relay only")
    );
    assert!(cell(&range, 7, 24).contains("Set-ReceiveConnector -Identity 'X'"));
    assert!(
        cell(&range, 7, 10).starts_with("Microsoft Exchange 2019 Edge"),
        "{}",
        cell(&range, 7, 10)
    );
    // Item 2 (row 10): the second rule, Open only on HOST-C (from the XCCDF results).
    assert!(cell(&range, 9, 4).starts_with(&second));
    assert_eq!(cell(&range, 9, 14), "HOST-C");
    assert_eq!(cell(&range, 11, 1), "", "two items, nothing after");
    // The template's validation lists on the hidden Sheet1.
    let xml = sheet_xml(&path, "xl/worksheets/sheet1.xml");
    for (sqref, formula) in [
        ("R8:R1048576", "Sheet1!$B$1:$B$6"),
        ("X8:X1048576", "Sheet1!$B$1:$B$6"),
        ("N8:N1048576", "Sheet1!$F$1:$F$4"),
        ("L8:L1048576", "Sheet1!$D$1:$D$6"),
    ] {
        let at = xml
            .find(&format!("sqref=\"{sqref}\""))
            .unwrap_or_else(|| panic!("{sqref}: {xml}"));
        let rest = &xml[at..];
        assert!(
            rest[..rest.find("</dataValidation>").unwrap()].contains(formula),
            "{sqref}"
        );
    }
    assert!(xml.contains("type=\"date\"") && xml.contains("sqref=\"G8:G1048576\""));
    let lists = book.worksheet_range("Sheet1").unwrap();
    assert_eq!(cell(&lists, 5, 1), "Very High");
    assert_eq!(cell(&lists, 5, 3), "Risk Accepted");
    assert_eq!(cell(&lists, 3, 5), "III");
}

#[test]
fn poam_2018_layout_per_host_na_and_risk_accepted() {
    let dir = common::temp_dir("poam-2018");
    let (files, rule_id, _) = fleet(&dir);
    let site = dir.join("site.toml");
    std::fs::write(
        &site,
        format!("[[exception]]\nrule = \"{rule_id}\"\nstatus = \"open\"\njustification = \"EDSP 4.2\"\napproved_by = \"AO Jones\"\n"),
    )
    .unwrap();
    let mut args = vec![
        "poam",
        "-o",
        "p.xlsx",
        "--layout",
        "2018",
        "--per-host",
        "--include-na",
        "--site",
        "site.toml",
        "--nist-rev",
        "4",
    ];
    args.extend(strs(&files));
    let out = run(&dir, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut book: Xlsx<_> = open_workbook(dir.join("p.xlsx")).unwrap();
    let range = book.worksheet_range("POA&M").unwrap();
    assert_eq!(
        header_row(&range, 6, 22),
        exstig::emass::poam::HEADERS_2018.map(String::from)
    );
    // Per host: HOST-A and HOST-B items for the accepted rule (no milestones: one row each).
    assert_eq!(cell(&range, 7, 11), "Risk Accepted");
    assert!(cell(&range, 7, 12).contains("Risk accepted by AO Jones"));
    assert!(
        range.get_value((7, 7)).is_none_or(|v| *v == Data::Empty),
        "no completion date"
    );
    assert_eq!(cell(&range, 8, 11), "Risk Accepted");
    assert!(cell(&range, 8, 2).contains("(HOST-B)"));
    let rev4 = {
        let b = exstig::catalog::get("exchange-2019-edge").unwrap();
        let cci = b.rules.iter().find(|r| r.rule_id == rule_id).unwrap().ccis[0].clone();
        exstig::cci::embedded().get(&cci).unwrap().rev4.ap.clone()
    };
    assert!(cell(&range, 7, 3).contains(&rev4), "rev 4 AP in D");
    // The Not_Applicable rule: three items with status Not Applicable.
    let statuses: Vec<String> = (7..20).map(|r| cell(&range, r, 11)).collect();
    assert_eq!(
        statuses.iter().filter(|s| *s == "Not Applicable").count(),
        3,
        "{statuses:?}"
    );
}

#[test]
fn test_results_roll_up_per_ap_as_the_api_body() {
    let dir = common::temp_dir("test-results");
    let (files, rule_id, second) = fleet(&dir);
    let mut args = vec![
        "emass",
        "test-results",
        "-o",
        "r.json",
        "--tested-by",
        "Smith, Jane",
        "--date",
        "2026-03-01",
    ];
    args.extend(strs(&files));
    let out = run(&dir, &args);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert!(stderr(&out).contains("whose rules were all Not_Reviewed"));
    let body: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("r.json")).unwrap()).unwrap();
    let results = body.as_array().unwrap();
    let benchmark = exstig::catalog::get("exchange-2019-edge").unwrap();
    let ap_of = |rule: &str| {
        let cci = &benchmark
            .rules
            .iter()
            .find(|r| r.rule_id == rule)
            .unwrap()
            .ccis[0];
        exstig::cci::embedded().get(cci).unwrap().rev5.ap.clone()
    };
    for r in results {
        let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "testedBy",
                "testDate",
                "description",
                "complianceStatus",
                "assessmentProcedure"
            ]
        );
        assert_eq!(r["testDate"], 1_772_323_200i64, "2026-03-01 00:00 UTC");
        assert!(r["description"].as_str().unwrap().chars().count() <= 4000);
    }
    let find = |ap: &str| {
        results
            .iter()
            .find(|r| r["assessmentProcedure"] == ap)
            .unwrap()
    };
    let open = find(&ap_of(&rule_id));
    assert_eq!(open["complianceStatus"], "Non-Compliant");
    assert!(
        open["description"]
            .as_str()
            .unwrap()
            .contains("HOST-A, HOST-B")
    );
    assert_eq!(find(&ap_of(&second))["complianceStatus"], "Non-Compliant");
    // CSV for people.
    let mut args = vec![
        "emass",
        "test-results",
        "-o",
        "r.csv",
        "--tested-by",
        "Smith, Jane",
    ];
    args.extend(strs(&files));
    assert!(matches!(run(&dir, &args).status.code(), Some(0 | 1)));
    let csv = std::fs::read_to_string(dir.join("r.csv")).unwrap();
    assert!(
        csv.starts_with("Assessment Procedure,Compliance Status,Test Date,Tested By,Description\n")
    );
    assert!(csv.contains("Non-Compliant"));
}

#[test]
fn not_applicable_only_and_compliant_roll_ups() {
    use exstig::emass::FleetReview;
    let dir = common::temp_dir("rollup");
    let benchmark = exstig::catalog::get("exchange-2019-edge").unwrap();
    let mut stig = ChecklistStig::from_benchmark(&benchmark);
    let i = open_rule(&stig);
    stig.vulns.truncate(i + 1);
    stig.vulns.drain(..i);
    let write = |name: &str, status: Status| {
        let mut s = stig.clone();
        s.vulns[0].status = status;
        let mut c = Checklist {
            stigs: vec![s],
            ..Checklist::default()
        };
        c.asset.host_name = name.into();
        let p = dir.join(format!("{name}.ckl"));
        std::fs::write(&p, ckl::write(&c)).unwrap();
        p
    };
    let na = write("NA1", Status::NotApplicable);
    let nf = write("NF1", Status::NotAFinding);
    let table = exstig::cci::embedded();
    let rev = exstig::cci::Revision::Rev5;
    let status_of = |files: Vec<PathBuf>| {
        let fleet = FleetReview::read(&files).unwrap();
        let r = exstig::emass::test_results::build(&fleet, table, rev, "A, B", 0).unwrap();
        r.results
            .iter()
            .map(|r| r.compliance_status.clone())
            .collect::<Vec<_>>()
    };
    assert!(
        status_of(vec![na.clone()])
            .iter()
            .all(|s| s == "Not Applicable")
    );
    assert!(status_of(vec![na, nf]).iter().all(|s| s == "Compliant"));
}

#[test]
fn bad_input_exits_2_names_the_file_and_writes_nothing() {
    let dir = common::temp_dir("poam-bad");
    let (files, _, _) = fleet(&dir);
    // A checklist with no CCI at all.
    let mut checklist = exstig::merge::read_checklist(&files[0]).unwrap();
    for v in &mut checklist.stigs[0].vulns {
        v.stig_data.retain(|(name, _)| name != "CCI_REF");
    }
    std::fs::write(dir.join("no-cci.ckl"), ckl::write(&checklist)).unwrap();
    let before = b"previous".to_vec();
    std::fs::write(dir.join("p.xlsx"), &before).unwrap();
    let out = run(&dir, &["poam", "-o", "p.xlsx", "no-cci.ckl"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no-cci.ckl") && stderr(&out).contains("CCI"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(dir.join("p.xlsx")).unwrap(),
        before,
        "untouched"
    );

    // An unknown CCI.
    let mut unknown = exstig::merge::read_checklist(&files[0]).unwrap();
    for (name, value) in &mut unknown.stigs[0].vulns[0].stig_data {
        if name == "CCI_REF" {
            *value = "CCI-999999".into();
        }
    }
    unknown.stigs[0].vulns[0].status = Status::Open;
    std::fs::write(dir.join("unknown.ckl"), ckl::write(&unknown)).unwrap();
    let out = run(&dir, &["poam", "-o", "p.xlsx", "unknown.ckl"]);
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{message}");
    assert!(
        message.contains("unknown.ckl") && message.contains("CCI-999999"),
        "{message}"
    );
    assert_eq!(std::fs::read(dir.join("p.xlsx")).unwrap(), before);

    // A broken xlsx path.
    for bad in ["missing-dir/p.xlsx", "p.csv", "."] {
        let mut args = vec!["poam", "-o", bad];
        args.extend(strs(&files));
        let out = run(&dir, &args);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(bad.trim_end_matches("/p.xlsx")),
            "{}",
            stderr(&out)
        );
    }
    // A bad [poam] value names the site file.
    std::fs::write(dir.join("site.toml"), "[poam.cat1]\nimpact = \"Severe\"\n").unwrap();
    let mut args = vec!["poam", "-o", "p.xlsx", "--site", "site.toml"];
    args.extend(strs(&files));
    let out = run(&dir, &args);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("site.toml") && stderr(&out).contains("Severe"));
    // Test results: "Last, First" and a date not in the future.
    let out = run(
        &dir,
        &[
            "emass",
            "test-results",
            "-o",
            "r.json",
            "--tested-by",
            "Jane",
            "HOST-A.ckl",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Last, First"));
    let out = run(
        &dir,
        &[
            "emass",
            "test-results",
            "-o",
            "r.json",
            "--tested-by",
            "S, J",
            "--date",
            "2999-01-01",
            "HOST-A.ckl",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.join("r.json").exists());
}

#[test]
fn a_cci_without_ap_is_named_and_the_run_is_partial() {
    let dir = common::temp_dir("poam-no-ap");
    let benchmark = exstig::catalog::get("exchange-2019-edge").unwrap();
    let table = exstig::cci::embedded();
    let mut stig = ChecklistStig::from_benchmark(&benchmark);
    // A rule citing only a CCI that rev 5 does not map (DISA withdrew it).
    let withdrawn = table
        .rows
        .iter()
        .find(|(_, r)| r.rev5.index.is_empty() && !r.rev4.ap.is_empty())
        .map(|(id, _)| id.clone())
        .unwrap();
    let i = 0;
    stig.vulns[i].stig_data.retain(|(n, _)| n != "CCI_REF");
    stig.vulns[i]
        .stig_data
        .push(("CCI_REF".into(), withdrawn.clone()));
    stig.vulns[i].status = Status::Open;
    let mut c = Checklist {
        stigs: vec![stig],
        ..Checklist::default()
    };
    c.asset.host_name = "H".into();
    std::fs::write(dir.join("h.ckl"), ckl::write(&c)).unwrap();
    let out = run(&dir, &["poam", "-o", "p.xlsx", "h.ckl"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no rev 5 assessment procedure") && stderr(&out).contains(&withdrawn),
        "{}",
        stderr(&out)
    );
    assert!(
        dir.join("p.xlsx").exists(),
        "written, the warning says what is missing"
    );
}

#[test]
fn header_strings_equal_emass_templates_byte_for_byte() {
    let Some(shared) = common::shared("POA&M template headers") else {
        return;
    };
    let mut old: Xlsx<_> =
        open_workbook(shared.join("reference/emass/eMASS_POAM_Template_RMF_2018.xlsm")).unwrap();
    let range = old.worksheet_range("POA&M").unwrap();
    assert_eq!(
        header_row(&range, 6, 22),
        exstig::emass::poam::HEADERS_2018.map(String::from)
    );
    let labels: Vec<String> = (1..6).map(|r| cell(&range, r, 0)).collect();
    assert_eq!(
        labels,
        [
            "Date Exported:",
            "Exported By:",
            "DoD Component:",
            "System / Project Name:",
            "DoD IT Registration No:"
        ]
    );
    let mut new: Xlsx<_> =
        open_workbook(shared.join("reference/emass/POAM_columns_2025.xlsx")).unwrap();
    let name = new.sheet_names()[0].clone();
    let range = new.worksheet_range(&name).unwrap();
    assert_eq!(
        header_row(&range, 0, 26),
        exstig::emass::poam::HEADERS_2025.map(String::from)
    );
}

#[test]
fn evaluate_and_batch_write_a_poam_beside_the_checklists() {
    let dir = common::temp_dir("evaluate-poam");
    let inventory = common::root().join("fixtures/inventory");
    let edge = inventory.join("EDGE01.bundle.json");
    let out = run(
        &dir,
        &[
            "evaluate",
            "--stig",
            "exchange-2019-edge",
            edge.to_str().unwrap(),
            "--ckl",
            "e.ckl",
            "--poam",
            "e.xlsx",
        ],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let mut book: Xlsx<_> = open_workbook(dir.join("e.xlsx")).unwrap();
    let range = book.worksheet_range("POA&M").unwrap();
    assert_eq!(cell(&range, 6, 14), "Devices Affected");
    assert_eq!(
        cell(&range, 7, 14),
        "EDGE01",
        "the evaluated host's Open rules"
    );
    // A bad --poam path is refused before anything is written.
    let out = run(
        &dir,
        &[
            "evaluate",
            "--stig",
            "exchange-2019-edge",
            edge.to_str().unwrap(),
            "--ckl",
            "f.ckl",
            "--poam",
            "f.txt",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.join("f.ckl").exists());

    // Batch: one POA&M for the fleet.
    let inv = dir.join("inv");
    std::fs::create_dir_all(&inv).unwrap();
    for name in ["EDGE01.bundle.json", "MBX01.bundle.json"] {
        std::fs::copy(inventory.join(name), inv.join(name)).unwrap();
    }
    let out = run(
        &dir,
        &[
            "evaluate",
            "--inventory-dir",
            "inv",
            "--stig",
            "exchange-2019",
            "--out-dir",
            "out",
            "--quiet",
            "--poam",
            "fleet.xlsx",
        ],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert!(stderr(&out).contains("from 2 hosts"), "{}", stderr(&out));
    let mut book: Xlsx<_> = open_workbook(dir.join("fleet.xlsx")).unwrap();
    let range = book.worksheet_range("POA&M").unwrap();
    let devices: Vec<String> = (7..40).map(|r| cell(&range, r, 14)).collect();
    assert!(devices.iter().any(|d| d.contains("EDGE01")), "{devices:?}");
    assert!(devices.iter().any(|d| d.contains("MBX01")), "{devices:?}");
}

#[test]
fn a_newer_disa_list_at_run_time_gives_the_same_aps_for_unchanged_indices() {
    let Some(shared) = common::shared("run-time --cci-list") else {
        return;
    };
    let dir = common::temp_dir("cci-run-time");
    let (files, _, _) = fleet(&dir);
    let list = shared.join("reference/cci/U_CCI_List-rev4-rev5.derived.xml");
    let mut args = vec![
        "emass",
        "test-results",
        "-o",
        "user.json",
        "--tested-by",
        "S, J",
        "--date",
        "2026-03-01",
        "--cci-list",
        list.to_str().unwrap(),
    ];
    args.extend(strs(&files));
    let out = run(&dir, &args);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let mut args = vec![
        "emass",
        "test-results",
        "-o",
        "embedded.json",
        "--tested-by",
        "S, J",
        "--date",
        "2026-03-01",
    ];
    args.extend(strs(&files));
    assert!(matches!(run(&dir, &args).status.code(), Some(0 | 1)));
    assert_eq!(
        std::fs::read_to_string(dir.join("user.json")).unwrap(),
        std::fs::read_to_string(dir.join("embedded.json")).unwrap(),
        "the list the table was built from changes nothing"
    );
}

#[test]
fn xccdf_results_without_benchmark_rules_are_read_from_their_rule_results() {
    let dir = common::temp_dir("xccdf-rule-results");
    let table = exstig::cci::embedded();
    let (cci, row) = table
        .rows
        .iter()
        .find(|(_, r)| !r.rev5.ap.is_empty())
        .unwrap();
    // The shape Evaluate-STIG writes: a Benchmark without Rules, each rule-result carrying the
    // rule's severity, STIG ID and CCI.
    let xml = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<cdf:Benchmark xmlns:cdf="http://checklists.nist.gov/xccdf/1.2" id="xccdf_mil.disa.stig_benchmark_Example_STIG">
  <cdf:status>accepted</cdf:status>
  <cdf:title>Example STIG</cdf:title>
  <cdf:plain-text id="release-info">Release: 9 Benchmark Date: 24 Jan 2024</cdf:plain-text>
  <cdf:version>V2R9</cdf:version>
  <cdf:TestResult id="xccdf_x_testresult_1">
    <cdf:target>WS01</cdf:target>
    <cdf:rule-result idref="xccdf_mil.disa.stig_rule_SV-1r2_rule" severity="high" version="EX-0001">
      <cdf:result>fail</cdf:result>
      <cdf:ident system="http://cyber.mil/cci">{cci}</cdf:ident>
    </cdf:rule-result>
    <cdf:rule-result idref="xccdf_mil.disa.stig_rule_SV-2r1_rule" severity="low" version="EX-0002">
      <cdf:result>pass</cdf:result>
      <cdf:ident system="http://cyber.mil/cci">{cci}</cdf:ident>
    </cdf:rule-result>
  </cdf:TestResult>
</cdf:Benchmark>
"#
    );
    std::fs::write(dir.join("ws01.xml"), xml).unwrap();
    let out = run(
        &dir,
        &["poam", "ws01.xml", "-o", "p.xlsx", "--date", "2026-03-01"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut book: Xlsx<_> = open_workbook(dir.join("p.xlsx")).unwrap();
    let range = book.worksheet_range("POA&M").unwrap();
    assert_eq!(cell(&range, 7, 4), "SV-1r2_rule");
    assert_eq!(cell(&range, 7, 14), "WS01");
    assert_eq!(cell(&range, 7, 13), "I");
    assert_eq!(cell(&range, 7, 2), row.rev5.ap);
    assert!(cell(&range, 7, 10).starts_with("Example STIG :: Version 2, Release: 9"));
    assert_eq!(cell(&range, 8, 4), "", "the passing rule is no item");
    let out = run(
        &dir,
        &[
            "emass",
            "test-results",
            "ws01.xml",
            "-o",
            "r.json",
            "--tested-by",
            "A, B",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let body: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("r.json")).unwrap()).unwrap();
    assert_eq!(body[0]["complianceStatus"], "Non-Compliant");
    assert_eq!(body[0]["assessmentProcedure"], row.rev5.ap.as_str());
    // DISA's and the peers' real results files read too.
    if let Some(shared) = common::shared("real XCCDF results") {
        let samples = shared.join("samples");
        for name in ["eval-stig-w-sm-resultEngine.xml", "scc_scan-xccdf.xml"] {
            let path = samples.join(name);
            let out = run(
                &dir,
                &[
                    "poam",
                    path.to_str().unwrap(),
                    "-o",
                    "real.xlsx",
                    "--include-na",
                ],
            );
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{name}: {}",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains("from 1 host"),
                "{name}: {}",
                stderr(&out)
            );
        }
    }
}
