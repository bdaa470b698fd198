//! CKL writer and reader: STIG Viewer's exact layout, the DISA XSD, STIG Manager's parser, the
//! structure of real STIG Viewer files, lossless round trips over every good sample, and clear
//! errors on the broken ones.

mod common;

use exstig::benchmark::{Benchmark, Rule, RuleDescription, Severity};
use exstig::checklist::{
    Asset, Checklist, ChecklistStig, MAX_TEXT_CHARS, Status, TRUNCATION_MARKER, ckl,
};
use exstig::error::Error;
use quick_xml::Reader;
use quick_xml::events::Event;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A small benchmark built in code, with the awkward cases: a rule without legacy ids, a rule
/// with three CCIs, markup characters and a forbidden control character in its texts.
fn sample_benchmark() -> Benchmark {
    let rule = |n: u32, ccis: &[&str], legacy: &[&str]| Rule {
        group_id: format!("V-{n}"),
        group_title: "SRG-APP-000001".into(),
        rule_id: format!("SV-{n}r1_rule"),
        severity: Some(Severity::Medium),
        weight: "10.0".into(),
        stig_id: format!("EX19-ED-{n:06}"),
        title: format!("Rule {n} must use <TLS> & \"quotes\"."),
        description: RuleDescription {
            vuln_discussion: "Line one.\nLine two > one.\u{1}".into(),
            documentable: "false".into(),
            ..RuleDescription::default()
        },
        ccis: ccis.iter().map(|s| s.to_string()).collect(),
        legacy_ids: legacy.iter().map(|s| s.to_string()).collect(),
        check_content: "Get-ReceiveConnector | fl".into(),
        check_content_ref_name: "M".into(),
        target_key: "5579".into(),
        ..Rule::default()
    };
    Benchmark {
        id: "MS_Exchange_2019_Edge_Server_STIG".into(),
        title: "Microsoft Exchange 2019 Edge Server Security Technical Implementation Guide".into(),
        version: "2".into(),
        release_info: "Release: 3 Benchmark Date: 30 Jan 2025".into(),
        description: "Test description".into(),
        notice: "terms-of-use".into(),
        source: "STIG.DOD.MIL".into(),
        filename: "U_MS_Exchange_2019_Edge_Server_STIG_V2R3_Manual-xccdf.xml".into(),
        rules: vec![
            rule(1, &["CCI-000001"], &["V-1", "SV-1"]),
            rule(2, &["CCI-000002", "CCI-000003", "CCI-000004"], &[]),
        ],
        ..Benchmark::default()
    }
}

fn checklist_for(benchmark: &Benchmark, host: &str) -> Checklist {
    Checklist {
        asset: Asset {
            host_name: host.into(),
            target_key: benchmark.target_key().into(),
            ..Asset::default()
        },
        stigs: vec![ChecklistStig::from_benchmark(benchmark)],
        ..Checklist::default()
    }
}

fn write_temp(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write temp file");
    path
}

#[test]
fn writes_stig_viewer_layout_exactly() {
    let ckl = ckl::write(&checklist_for(&sample_benchmark(), "EDGE01"));
    let head = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!--DISA STIG Viewer :: 2.18-->\n<!--exstig {}-->\n<CHECKLIST>\n\t<ASSET>\n\t\t<ROLE>Member Server</ROLE>\n\t\t<ASSET_TYPE>Computing</ASSET_TYPE>\n\t\t<MARKING>CUI</MARKING>\n\t\t<HOST_NAME>EDGE01</HOST_NAME>\n\t\t<HOST_IP></HOST_IP>\n\t\t<HOST_MAC></HOST_MAC>\n\t\t<HOST_FQDN></HOST_FQDN>\n\t\t<TARGET_COMMENT></TARGET_COMMENT>\n\t\t<TECH_AREA>Exchange Server</TECH_AREA>\n\t\t<TARGET_KEY>5579</TARGET_KEY>\n\t\t<WEB_OR_DATABASE>false</WEB_OR_DATABASE>\n\t\t<WEB_DB_SITE></WEB_DB_SITE>\n\t\t<WEB_DB_INSTANCE></WEB_DB_INSTANCE>\n\t</ASSET>\n\t<STIGS>\n\t\t<iSTIG>\n\t\t\t<STIG_INFO>\n\t\t\t\t<SI_DATA>\n\t\t\t\t\t<SID_NAME>version</SID_NAME>\n\t\t\t\t\t<SID_DATA>2</SID_DATA>\n\t\t\t\t</SI_DATA>\n\t\t\t\t<SI_DATA>\n\t\t\t\t\t<SID_NAME>classification</SID_NAME>\n\t\t\t\t\t<SID_DATA>UNCLASSIFIED</SID_DATA>\n\t\t\t\t</SI_DATA>\n\t\t\t\t<SI_DATA>\n\t\t\t\t\t<SID_NAME>customname</SID_NAME>\n\t\t\t\t</SI_DATA>\n",
        exstig::VERSION
    );
    assert!(
        ckl.starts_with(&head),
        "got:\n{}",
        &ckl[..head.len().min(ckl.len())]
    );
    assert!(ckl.ends_with(
        "\t\t\t\t<STATUS>Not_Reviewed</STATUS>\n\t\t\t\t<FINDING_DETAILS></FINDING_DETAILS>\n\t\t\t\t<COMMENTS></COMMENTS>\n\t\t\t\t<SEVERITY_OVERRIDE></SEVERITY_OVERRIDE>\n\t\t\t\t<SEVERITY_JUSTIFICATION></SEVERITY_JUSTIFICATION>\n\t\t\t</VULN>\n\t\t</iSTIG>\n\t</STIGS>\n</CHECKLIST>"
    ));
    assert!(ckl.contains(
        "\t\t\t\t<STIG_DATA>\n\t\t\t\t\t<VULN_ATTRIBUTE>Vuln_Num</VULN_ATTRIBUTE>\n\t\t\t\t\t<ATTRIBUTE_DATA>V-1</ATTRIBUTE_DATA>\n\t\t\t\t</STIG_DATA>\n"
    ));
    assert!(!ckl.starts_with('\u{FEFF}') && !ckl.contains('\r'));
}

#[test]
fn escapes_only_markup_characters_and_drops_forbidden_ones() {
    let ckl = ckl::write(&checklist_for(&sample_benchmark(), "EDGE01"));
    assert!(ckl.contains(
        "<ATTRIBUTE_DATA>Rule 1 must use &lt;TLS&gt; &amp; \"quotes\".</ATTRIBUTE_DATA>"
    ));
    assert!(ckl.contains("<ATTRIBUTE_DATA>Line one.\nLine two &gt; one.</ATTRIBUTE_DATA>"));
    assert!(!ckl.contains('\u{1}'));
    assert!(!ckl.contains("&quot;") && !ckl.contains("&apos;"));
}

#[test]
fn every_vuln_has_two_legacy_ids_and_one_cci_ref_per_cci() {
    let benchmark = sample_benchmark();
    let ckl = ckl::write(&checklist_for(&benchmark, "EDGE01"));
    let read = ckl::read(Path::new("mem.ckl"), &ckl).expect("own output reads back");
    let vulns = &read.stigs[0].vulns;
    assert_eq!(vulns.len(), 2);
    for (vuln, rule) in vulns.iter().zip(&benchmark.rules) {
        assert_eq!(vuln.attrs("LEGACY_ID").count(), 2);
        assert_eq!(vuln.attrs("CCI_REF").collect::<Vec<_>>(), rule.ccis);
        assert_eq!(vuln.rule_id(), rule.rule_id);
    }
    assert_eq!(vulns[1].attrs("LEGACY_ID").collect::<Vec<_>>(), ["", ""]);
}

#[test]
fn long_texts_are_written_whole_and_read_back_intact() {
    let mut checklist = checklist_for(&sample_benchmark(), "EDGE01");
    let long: String = "x<&".repeat(20_000);
    checklist.stigs[0].vulns[0].finding_details = long.clone();
    checklist.stigs[0].vulns[0].comments = "bad\u{0}\u{B}\u{FFFE}chars ok".to_string();
    checklist.stigs[0].vulns[0].status = Status::Open;
    let read = ckl::read(Path::new("mem.ckl"), &ckl::write(&checklist)).expect("reads back");
    let vuln = &read.stigs[0].vulns[0];
    assert!(vuln.finding_details.chars().count() > MAX_TEXT_CHARS);
    assert_eq!(
        vuln.finding_details, long,
        "text over the limit is never cut"
    );
    assert!(!vuln.finding_details.contains(TRUNCATION_MARKER));
    assert_eq!(vuln.comments, "badchars ok");
    assert_eq!(vuln.status, Status::Open);
}

#[test]
fn our_checklist_is_schema_valid_and_stig_manager_reads_it() {
    let dir = common::temp_dir("ckl-valid");
    let benchmark = sample_benchmark();
    let path = write_temp(
        &dir,
        "ours.ckl",
        &ckl::write(&checklist_for(&benchmark, "EDGE01")),
    );
    common::assert_ckl_valid(&path);
    if let Some(parsed) = common::stig_manager_parse("ckl", &path) {
        assert_stig_manager_sees(&parsed, "EDGE01", &benchmark);
    }
}

/// STIG Manager's reading of a checklist we wrote for `benchmark`: host, benchmark id,
/// revision and one review per rule, with the right Rule IDs.
fn assert_stig_manager_sees(parsed: &serde_json::Value, host: &str, benchmark: &Benchmark) {
    assert_eq!(parsed["target"]["name"], host);
    let checklists = parsed["checklists"].as_array().expect("checklists");
    assert_eq!(checklists.len(), 1);
    assert_eq!(checklists[0]["benchmarkId"], benchmark.id.as_str());
    assert_eq!(checklists[0]["revisionStr"], benchmark.revision().as_str());
    let reviews = checklists[0]["reviews"].as_array().expect("reviews");
    assert_eq!(reviews.len(), benchmark.rules.len());
    let ids: BTreeSet<&str> = reviews
        .iter()
        .filter_map(|r| r["ruleId"].as_str())
        .collect();
    let expected: BTreeSet<&str> = benchmark.rules.iter().map(|r| r.rule_id.as_str()).collect();
    assert_eq!(ids, expected);
}

#[test]
fn checklists_of_every_shared_benchmark_validate_and_parse() {
    let Some(shared) = common::shared("checklists_of_every_shared_benchmark") else {
        return;
    };
    let dir = common::temp_dir("ckl-benchmarks");
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared.join("benchmarks"))
        .expect("benchmarks dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "xml" || e == "zip"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for (index, file) in files.iter().enumerate() {
        let benchmark = exstig::benchmark::load(file).expect("benchmark loads");
        let checklist = checklist_for(&benchmark, "EXCH01");
        let text = ckl::write(&checklist);
        let path = write_temp(&dir, &format!("{index}.ckl"), &text);
        assert!(common::assert_ckl_valid(&path) || std::env::var("CI").is_err());
        if let Some(parsed) = common::stig_manager_parse("ckl", &path) {
            assert_stig_manager_sees(&parsed, "EXCH01", &benchmark);
        }
        let back = ckl::read(&path, &text).expect("reads back");
        assert_eq!(
            back.stigs[0].vulns,
            checklist.stigs[0].vulns,
            "{}",
            file.display()
        );
        assert_eq!(back.asset, checklist.asset);
    }
}

/// The shape of a CKL: ASSET child names, SI_DATA names, the VULN_ATTRIBUTE sequence of every
/// VULN with repeats collapsed to their counts' pattern, and the names after the STIG_DATA.
#[derive(Debug, Default)]
struct Shape {
    asset: Vec<String>,
    si_names: Vec<String>,
    vuln_patterns: BTreeSet<Vec<String>>,
    attribute_names: BTreeSet<String>,
}

fn shape_of(text: &str) -> Shape {
    let checklist = ckl::read(Path::new("shape.ckl"), text).expect("reads");
    let mut shape = Shape {
        asset: checklist
            .asset_layout
            .iter()
            .map(|(n, _)| n.clone())
            .collect(),
        ..Shape::default()
    };
    for stig in &checklist.stigs {
        shape.si_names = stig.info.iter().map(|(n, _)| n.clone()).collect();
        for vuln in &stig.vulns {
            let mut pattern: Vec<String> = Vec::new();
            for (name, _) in &vuln.stig_data {
                shape.attribute_names.insert(name.to_string());
                let collapsed = if name == "CCI_REF" {
                    "CCI_REF+"
                } else {
                    name.as_ref()
                };
                if name != "CCI_REF" || pattern.last().is_none_or(|p| p != collapsed) {
                    pattern.push(collapsed.to_string());
                }
            }
            shape.vuln_patterns.insert(pattern);
        }
    }
    shape
}

#[test]
fn structure_matches_files_written_by_stig_viewer() {
    let Some(shared) = common::shared("structure_matches_stig_viewer") else {
        return;
    };
    let ours = shape_of(&ckl::write(&checklist_for(&sample_benchmark(), "EDGE01")));
    for sample in ["small_ckl_overrides.ckl", "RHEL8V1R3.ckl"] {
        let text = std::fs::read_to_string(shared.join("samples").join(sample)).expect("sample");
        let theirs = shape_of(&text);
        assert_eq!(ours.asset, theirs.asset, "ASSET children vs {sample}");
        assert_eq!(ours.si_names, theirs.si_names, "SI_DATA order vs {sample}");
        assert_eq!(
            ours.vuln_patterns, theirs.vuln_patterns,
            "STIG_DATA order vs {sample}"
        );
        assert_eq!(
            ours.attribute_names, theirs.attribute_names,
            "VULN_ATTRIBUTEs vs {sample}"
        );
        let own_lines: Vec<&str> = text.lines().take(2).collect();
        assert_eq!(own_lines[0], "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        assert!(own_lines[1].starts_with("<!--DISA STIG Viewer :: 2."));
    }
}

/// A document as a list of significant items: element starts and ends, the text of leaf
/// elements (even whitespace), other non-blank text, and comments. `<X/>` equals `<X></X>`,
/// references are resolved and line ends normalized as XML 1.0 says; indentation is ignored.
fn normalized(text: &str) -> Vec<String> {
    let mut reader = Reader::from_str(text.strip_prefix('\u{FEFF}').unwrap_or(text));
    reader.config_mut().expand_empty_elements = true;
    let mut items = Vec::new();
    let mut pending = String::new();
    let mut last_was_start = false;
    loop {
        let event = reader.read_event().expect("well-formed");
        match event {
            Event::Text(t) => {
                pending.push_str(&t.xml10_content());
                continue;
            }
            Event::GeneralRef(r) => {
                match r.resolve_char_ref().expect("char ref") {
                    Some(c) => pending.push(c),
                    None => pending.push_str(
                        quick_xml::escape::resolve_predefined_entity(&r).expect("entity"),
                    ),
                }
                continue;
            }
            _ => {}
        }
        let is_end = matches!(event, Event::End(_));
        if (last_was_start && is_end) || !pending.trim().is_empty() {
            items.push(format!("T {pending}"));
        }
        pending.clear();
        last_was_start = false;
        match event {
            Event::Start(s) => {
                items.push(format!("S {}", s.name().as_ref()));
                last_was_start = true;
            }
            Event::End(e) => items.push(format!("E {}", e.name().as_ref())),
            Event::Comment(c) => items.push(format!("C {}", c.xml10_content())),
            Event::Eof => break,
            _ => {}
        }
    }
    items
}

/// Fails at the first item where two normalized documents differ.
fn assert_same_document(original: &[String], written: &[String], path: &Path) {
    let first_difference = original
        .iter()
        .zip(written)
        .position(|(a, b)| a != b)
        .unwrap_or(original.len().min(written.len()));
    assert!(
        original.len() == written.len() && first_difference == original.len(),
        "{} changed in the round trip at item {first_difference}: {:.300?} became {:.300?}",
        path.display(),
        original.get(first_difference),
        written.get(first_difference)
    );
}

/// Whether STIG Manager imports `checklist` (it refuses an empty HOST_NAME or stigid) and sees
/// exactly its texts (it cuts texts over 32,767 characters without our marker).
fn stig_manager_reads(checklist: &Checklist) -> bool {
    !checklist.asset.host_name.is_empty()
        && checklist.stigs.iter().all(|s| !s.info("stigid").is_empty())
        && checklist
            .stigs
            .iter()
            .flat_map(|s| s.vulns.iter())
            .all(|v| {
                v.finding_details.len() <= MAX_TEXT_CHARS && v.comments.len() <= MAX_TEXT_CHARS
            })
}

/// STIG Manager's import of the original and of our rewrite are identical (target, benchmarks,
/// revisions, every review with its Evaluate-STIG result engine), apart from the file name.
/// False when STIG Manager's parser is not installed (outside CI).
fn stig_manager_reads_the_same(original: &Path, rewritten: &Path) -> bool {
    fn without_source_ref(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.remove("sourceRef");
                map.values_mut().for_each(without_source_ref);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(without_source_ref),
            _ => {}
        }
    }
    let (Some(mut before), Some(mut after)) = (
        common::stig_manager_parse("ckl", original),
        common::stig_manager_parse("ckl", rewritten),
    ) else {
        return false;
    };
    without_source_ref(&mut before);
    without_source_ref(&mut after);
    assert!(
        before == after,
        "STIG Manager reads {} differently after the round trip",
        original.display()
    );
    true
}

/// Every CKL sample, with `None` for a good one or the words its error must contain.
fn samples(shared: &Path) -> Vec<(PathBuf, Option<&'static str>)> {
    // Decisions on the STIG Manager test files (stig-manager-test-files/ckl):
    // broken = not a checklist or not XML; everything a STIG Viewer user could have on disk
    // (empty HOST_NAME, empty stigid, no releaseinfo, no Rule_ID value, empty ROLE) is read
    // as it is, because readers must not lose or refuse a user's data.
    let broken: [(&str, &str); 5] = [
        ("No-Asset-xml-element.ckl", "unexpected <NOTANASSET>"),
        ("no-Stigs-xml-element.ckl", "unexpected <NOTSTIGS>"),
        ("no-checklist-xml-element.ckl", "no CHECKLIST element"),
        ("all-possible-results.ckl", "not well-formed XML"),
        ("no-Status-xml-element.ckl", "STATUS '' is not one of"),
    ];
    let mut files = Vec::new();
    for name in [
        "small_ckl_overrides.ckl",
        "RHEL8V1R3.ckl",
        "CA1294WK16078_Chrome_V2R8_20231211-125631.ckl",
        "Asset_a-VPN_TRUNCATED-V2R5.ckl",
    ] {
        files.push((shared.join("samples").join(name), None));
    }
    let dir = shared.join("samples/stig-manager-test-files/ckl");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("test files")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| !n.ends_with(".cklb"))
        .collect();
    names.sort();
    for name in names {
        let expected = broken.iter().find(|(b, _)| *b == name).map(|(_, why)| *why);
        files.push((dir.join(name), expected));
    }
    assert!(
        broken
            .iter()
            .all(|(b, _)| files.iter().any(|(f, _)| f.ends_with(b)))
    );
    files
}

#[test]
fn every_good_sample_round_trips_and_broken_ones_are_refused() {
    let Some(shared) = common::shared("round_trip") else {
        return;
    };
    let dir = common::temp_dir("ckl-roundtrip");
    let (mut good, mut compared) = (0, 0);
    for (path, broken) in samples(&shared) {
        let text = exstig::fsio::read_text(&path).expect("sample reads");
        let result = ckl::read(&path, &text);
        match (broken, result) {
            (None, Ok(checklist)) => {
                let written = ckl::write(&checklist);
                assert_same_document(&normalized(&text), &normalized(&written), &path);
                let again = ckl::read(&path, &written).expect("own output reads");
                assert!(
                    ckl::write(&again) == written,
                    "{}: second write differs",
                    path.display()
                );
                let out = write_temp(&dir, "rt.ckl", &written);
                if text.contains("DISA STIG Viewer") {
                    common::assert_ckl_valid(&out);
                }
                if stig_manager_reads(&checklist) && stig_manager_reads_the_same(&path, &out) {
                    compared += 1;
                }
                good += 1;
            }
            (None, Err(e)) => panic!("{} is good but was refused: {e}", path.display()),
            (Some(why), Ok(_)) => panic!("{} is broken ({why}) but was read", path.display()),
            (Some(why), Err(e)) => {
                let message = e.to_string();
                assert!(message.contains(why), "{}: {message}", path.display());
                let Error::Input { position, .. } = e else {
                    panic!("not an input error")
                };
                assert!(position.is_some(), "{message} has no line/column");
            }
        }
    }
    assert!(good >= 35, "only {good} good samples");
    let have_parser =
        common::stig_manager_parse("ckl", &fixture("evaluate-stig-style.ckl")).is_some();
    assert!(
        !have_parser || compared >= 25,
        "STIG Manager compared only {compared} samples"
    );
}

#[test]
fn comments_and_asset_layout_survive_edits() {
    let Some(shared) = common::shared("comments_survive") else {
        return;
    };
    let path = shared.join(
        "samples/stig-manager-test-files/ckl/CA1294WK16078_COMBINED_20231211-125650-trimmed.ckl",
    );
    let text = exstig::fsio::read_text(&path).expect("sample");
    let mut checklist = ckl::read(&path, &text).expect("reads");
    assert_eq!(checklist.stigs.len(), 2);
    assert!(checklist.stigs.iter().all(|s| s.xml_comments.len() == 1));
    let header = checklist
        .header_comments
        .clone()
        .expect("header comments kept");
    assert!(header[0].starts_with("<Evaluate-STIG>"));
    checklist.asset.host_name = "RENAMED".into();
    checklist.stigs[0].vulns[0].status = Status::Open;
    let written = ckl::write(&checklist);
    assert!(written.contains("<HOST_NAME>RENAMED</HOST_NAME>"));
    let before = normalized(&text);
    let after = normalized(&written);
    assert_eq!(
        before
            .iter()
            .filter(|i| i.starts_with("C "))
            .collect::<Vec<_>>(),
        after
            .iter()
            .filter(|i| i.starts_with("C "))
            .collect::<Vec<_>>()
    );
}

#[test]
fn bad_input_gives_input_errors_with_positions() {
    let cases = [
        ("not xml at all", "no CHECKLIST element"),
        ("<CHECKLIST><ASSET><ROLE>None</ROLE>", "ends inside"),
        (
            "<CHECKLIST><ASSET></ASSET><STIGS><iSTIG></STIGS></CHECKLIST>",
            "not well-formed",
        ),
        (
            "<?xml version=\"1.0\"?>\n<!DOCTYPE CHECKLIST [<!ENTITY x \"boom\">]>\n<CHECKLIST>&x;</CHECKLIST>",
            "DOCTYPE",
        ),
        (
            "<CHECKLIST><ASSET/><STIGS><iSTIG><STIG_INFO/></iSTIG></STIGS></CHECKLIST>",
            "",
        ),
        ("<CHECKLIST><ASSET/></CHECKLIST>", "no STIGS element"),
        (
            "<CHECKLIST><ASSET>&nbsp;</ASSET></CHECKLIST>",
            "undefined entity '&nbsp;'",
        ),
        (
            "<CHECKLIST><ASSET/><STIGS><iSTIG><STIG_INFO/><VULN><STATUS>Fixed</STATUS></VULN></iSTIG></STIGS></CHECKLIST>",
            "STATUS 'Fixed'",
        ),
    ];
    for (text, why) in cases {
        let result = ckl::read(Path::new("bad.ckl"), text);
        if why.is_empty() {
            assert!(result.is_ok(), "{text}: {:?}", result.err());
            continue;
        }
        let err = result.expect_err(text);
        let message = err.to_string();
        assert!(message.contains(why), "{text}: {message}");
        assert!(message.starts_with("bad.ckl (line "), "{message}");
    }
}

#[test]
fn writing_is_fast() {
    let Some(shared) = common::shared("writing_is_fast") else {
        return;
    };
    let path = shared.join("samples/RHEL8V1R3.ckl");
    let text = exstig::fsio::read_text(&path).expect("sample");
    let start = std::time::Instant::now();
    let checklist = ckl::read(&path, &text).expect("reads");
    let read_time = start.elapsed();
    let start = std::time::Instant::now();
    let mut written = String::new();
    for _ in 0..10 {
        written = ckl::write(&checklist);
    }
    let write_time = start.elapsed() / 10;
    eprintln!(
        "RHEL8V1R3.ckl ({} bytes, {} rules): read {read_time:?}, write {write_time:?}",
        written.len(),
        checklist.stigs[0].vulns.len()
    );
    // Generous for debug builds on a loaded machine; release writes it in about a millisecond.
    assert!(write_time.as_millis() < 500, "write took {write_time:?}");
}

fn fixture(name: &str) -> PathBuf {
    common::root().join("fixtures/ckl").join(name)
}

#[test]
fn reads_an_evaluate_stig_style_file_exactly() {
    let path = fixture("evaluate-stig-style.ckl");
    let bytes = std::fs::read(&path).expect("fixture");
    assert!(
        bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "fixture keeps its BOM"
    );
    let raw = String::from_utf8(bytes).expect("utf-8");
    let checklist = ckl::read(&path, &raw).expect("reads with BOM and CRLF");
    assert_eq!(
        checklist.header_comments,
        Some(vec![
            "<Evaluate-STIG><version>9.9.9</version></Evaluate-STIG>".to_string()
        ])
    );
    let asset = &checklist.asset;
    assert_eq!(asset.host_name, "RELAY01");
    assert_eq!(asset.host_ip, "192.0.2.1, 198.51.100.7");
    assert_eq!(asset.marking, "");
    assert!(!asset.web_or_database);
    let layout: Vec<&str> = checklist
        .asset_layout
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert!(layout.contains(&"HOST_GUID") && !layout.contains(&"TARGET_COMMENT"));
    assert_eq!(checklist.stigs.len(), 2);
    let first = &checklist.stigs[0];
    assert_eq!(first.xml_comments.len(), 1);
    assert_eq!(first.xml_comments[0].position, 0);
    assert_eq!(first.info("stigid"), "Example_Mail_Relay_STIG");
    assert!(first.info.contains(&("customname".to_string(), None)));
    assert!(
        first
            .info
            .contains(&("source".to_string(), Some(String::new())))
    );
    let open = &first.vulns[0];
    assert_eq!(open.status, Status::Open);
    assert_eq!(open.xml_comments.len(), 1);
    assert_eq!(open.xml_comments[0].position, 0);
    assert_eq!(
        open.finding_details,
        "Line 1 of the details.\nLine 2: MaxSize = 10 MB > 5 MB\n"
    );
    assert_eq!(
        open.comments,
        "Reviewer: keep this comment. It's important."
    );
    assert_eq!(
        open.attr("Rule_Title"),
        "Example rule \"EMR-00-000010\" & more"
    );
    assert!(
        open.attr("Vuln_Discuss")
            .ends_with("Line two with <tags> and & <.")
    );
    assert_eq!(open.severity_override, "low");
    assert_eq!(
        open.attrs("CCI_REF").collect::<Vec<_>>(),
        ["CCI-000001", "CCI-000002"]
    );
    let closing = &first.vulns[1];
    assert_eq!(
        closing.xml_comments[0].position,
        closing.stig_data.len() + 5
    );
    let second = &checklist.stigs[1];
    assert!(second.xml_comments.is_empty());
    assert_eq!(second.vulns[0].status, Status::NotApplicable);
    assert_eq!(
        second.vulns[0].finding_details,
        "  leading and trailing spaces  "
    );
    assert_eq!(second.vulns[1].attrs("CCI_REF").count(), 0);
}

#[test]
fn an_evaluate_stig_style_file_round_trips() {
    let path = fixture("evaluate-stig-style.ckl");
    let text = exstig::fsio::read_text(&path).expect("fixture");
    let checklist = ckl::read_file(&path).expect("reads");
    let written = ckl::write(&checklist);
    assert!(!written.starts_with('\u{FEFF}') && !written.contains('\r'));
    assert_same_document(&normalized(&text), &normalized(&written), &path);
    assert!(written.contains("\t\t<HOST_GUID>4f1c2b7e-0000-4000-8000-00000000abcd</HOST_GUID>\n"));
    assert!(written.contains("<MARKING></MARKING>") && !written.contains("TARGET_COMMENT"));
    let dir = common::temp_dir("ckl-fixture");
    let out = write_temp(&dir, "rt.ckl", &written);
    common::assert_ckl_valid(&out);
    if let Some(parsed) = common::stig_manager_parse("ckl", &out) {
        assert_eq!(parsed["target"]["name"], "RELAY01");
        let ids: Vec<&str> = parsed["checklists"]
            .as_array()
            .expect("checklists")
            .iter()
            .filter_map(|c| c["benchmarkId"].as_str())
            .collect();
        assert_eq!(ids, ["Example_Mail_Relay_STIG", "Example_Second_STIG"]);
    }
}

#[test]
fn a_new_standard_element_goes_to_its_schema_place() {
    let path = fixture("evaluate-stig-style.ckl");
    let text = exstig::fsio::read_text(&path).expect("fixture");
    let mut checklist = ckl::read(&path, &text).expect("reads");
    checklist.asset.target_comment = "added later".into();
    checklist.asset.web_or_database = true;
    let written = ckl::write(&checklist);
    assert!(written.contains(
        "<HOST_FQDN>relay01.example.test</HOST_FQDN>\n\t\t<TARGET_COMMENT>added later</TARGET_COMMENT>\n\t\t<TECH_AREA>"
    ));
    assert!(written.contains("<WEB_OR_DATABASE>true</WEB_OR_DATABASE>"));
    let dir = common::temp_dir("ckl-fixture-edit");
    common::assert_ckl_valid(&write_temp(&dir, "edited.ckl", &written));
}

#[test]
fn broken_fixtures_are_refused_with_positions() {
    for (name, expected, line) in [
        ("doctype-entities.ckl", "DOCTYPE", 2),
        ("truncated.ckl", "ends inside", 0),
    ] {
        let path = fixture(name);
        let text = exstig::fsio::read_text(&path).expect("fixture");
        let err = ckl::read(&path, &text).expect_err(name);
        let message = err.to_string();
        assert!(message.contains(expected), "{name}: {message}");
        assert!(
            !message.contains("aaaaaaaaaa"),
            "entities must not be expanded"
        );
        let Error::Input {
            position: Some(position),
            ..
        } = err
        else {
            panic!("{name}: no position in {message}")
        };
        if line > 0 {
            assert_eq!(position.line, line, "{message}");
        }
    }
}

#[test]
fn a_utf16_checklist_reads_like_its_utf8_twin() {
    let path = fixture("evaluate-stig-style.ckl");
    let utf8 = ckl::read_file(&path).expect("reads");
    let text = exstig::fsio::read_text(&path).expect("fixture");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let dir = common::temp_dir("ckl-utf16");
    let utf16 = dir.join("utf16.ckl");
    std::fs::write(&utf16, bytes).expect("write");
    assert_eq!(ckl::read_file(&utf16).expect("UTF-16 reads"), utf8);
}

#[test]
fn checklists_converted_from_every_cklb_sample_are_schema_valid() {
    let Some(shared) = common::shared("CKLB to CKL") else {
        return;
    };
    let dir = common::temp_dir("ckl-from-cklb");
    let mut files: Vec<PathBuf> = [
        shared.join("samples"),
        shared.join("samples/stig-manager-test-files/cklb"),
    ]
    .iter()
    .flat_map(|d| {
        std::fs::read_dir(d)
            .expect("dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
    })
    .filter(|p| p.extension().is_some_and(|e| e == "cklb"))
    .collect();
    files.sort();
    let mut converted = 0;
    for (index, path) in files.iter().enumerate() {
        let text = exstig::fsio::read_text(path).expect("sample");
        let Ok(checklist) = exstig::checklist::cklb::read(path, &text) else {
            continue;
        };
        let out = write_temp(&dir, &format!("{index}.ckl"), &ckl::write(&checklist));
        common::assert_ckl_valid(&out);
        let back = ckl::read_file(&out).expect("reads back");
        assert_eq!(
            back.stigs.len(),
            checklist.stigs.len(),
            "{}",
            path.display()
        );
        for (ours, theirs) in back.stigs.iter().zip(&checklist.stigs) {
            assert_eq!(ours.vulns.len(), theirs.vulns.len());
            for (a, b) in ours.vulns.iter().zip(&theirs.vulns) {
                assert_eq!((a.status, a.rule_id()), (b.status, b.rule_id()));
            }
        }
        converted += 1;
    }
    assert!(converted >= 20, "only {converted} CKLB samples converted");
}

#[test]
fn stig_viewer_files_are_rewritten_byte_for_byte() {
    let Some(shared) = common::shared("byte-for-byte STIG Viewer") else {
        return;
    };
    for sample in ["small_ckl_overrides.ckl", "RHEL8V1R3.ckl"] {
        let path = shared.join("samples").join(sample);
        let original = std::fs::read_to_string(&path).expect("sample");
        let written = ckl::write(&ckl::read(&path, &original).expect("reads"));
        if written != original {
            let line = original
                .lines()
                .zip(written.lines())
                .position(|(a, b)| a != b)
                .map_or(0, |i| i + 1);
            panic!("{sample}: our writer differs from STIG Viewer's at line {line}");
        }
    }
}
