//! The benchmark reader: every DISA file in ../shared/benchmarks against counts taken from the
//! file text independently, numbers from the research notes, and the hand-written fixtures
//! (XCCDF, zip in a folder, zip in a zip, zip bombs and broken zips).

mod common;

use exstig::benchmark::{self, Benchmark, Severity};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    common::root().join("fixtures/benchmarks").join(name)
}

fn load(path: &Path) -> Benchmark {
    benchmark::load(path).unwrap_or_else(|e| panic!("{} does not load: {e}", path.display()))
}

/// The XCCDF files in ../shared/benchmarks, or None (with a skip message).
fn shared_benchmarks(test: &str) -> Option<Vec<PathBuf>> {
    let dir = common::shared(test)?.join("benchmarks");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read ../shared/benchmarks")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    Some(files)
}

/// Every `attr="..."` value of every `<tag ` start tag in `xml`, in order, by plain string search.
fn start_tag_attrs(xml: &str, tag: &str, attr: &str) -> Vec<String> {
    xml.split(&format!("<{tag} "))
        .skip(1)
        .map(|rest| {
            let head = &rest[..rest.find('>').expect("tag end")];
            let key = format!("{attr}=\"");
            let at = head.find(&key).expect("attribute present") + key.len();
            head[at..at + head[at..].find('"').expect("quote")].to_string()
        })
        .collect()
}

/// Text of every `<ident system="SYSTEM">` in `xml`, in order.
fn idents(xml: &str, system: &str) -> Vec<String> {
    let open = format!("<ident system=\"{system}\">");
    xml.split(&open)
        .skip(1)
        .map(|rest| rest[..rest.find("</ident>").expect("ident end")].to_string())
        .collect()
}

fn element_text(xml: &str, open: &str, close: &str) -> String {
    let start = xml.find(open).expect("element present") + open.len();
    xml[start..start + xml[start..].find(close).expect("element end")].to_string()
}

#[test]
fn every_shared_benchmark_matches_its_file() {
    let Some(files) = shared_benchmarks("every_shared_benchmark_matches_its_file") else {
        return;
    };
    assert_eq!(files.len(), 31, "the 31 DISA XCCDF files");
    for path in &files {
        let xml = String::from_utf8(std::fs::read(path).unwrap()).unwrap();
        let b = load(path);
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(b.filename, name);
        assert_eq!(
            b.rules.len(),
            xml.matches("<Rule ").count(),
            "{name}: rule count"
        );
        let rule_ids = start_tag_attrs(&xml, "Rule", "id");
        let group_ids = start_tag_attrs(&xml, "Group", "id");
        assert_eq!(
            b.rules.iter().map(|r| &r.rule_id).collect::<Vec<_>>(),
            rule_ids.iter().collect::<Vec<_>>(),
            "{name}"
        );
        assert_eq!(
            b.rules.iter().map(|r| &r.group_id).collect::<Vec<_>>(),
            group_ids.iter().collect::<Vec<_>>(),
            "{name}"
        );
        let mut ccis = idents(&xml, "http://cyber.mil/cci");
        ccis.extend(idents(&xml, "http://iase.disa.mil/cci"));
        let mut ours: Vec<String> = b.rules.iter().flat_map(|r| r.ccis.clone()).collect();
        ccis.sort();
        ours.sort();
        assert_eq!(ours, ccis, "{name}: CCIs");
        let legacy = idents(&xml, "http://cyber.mil/legacy");
        assert_eq!(
            b.rules.iter().map(|r| r.legacy_ids.len()).sum::<usize>(),
            legacy.len(),
            "{name}"
        );
        assert_eq!(
            b.release_info,
            element_text(&xml, "<plain-text id=\"release-info\">", "</plain-text>"),
            "{name}"
        );
        assert_eq!(
            b.version,
            element_text(&xml, "<version>", "</version>"),
            "{name}"
        );
        assert!(
            name.contains(&b.revision()),
            "{name} names revision {}",
            b.revision()
        );
        assert_eq!(b.notice, "terms-of-use");
        assert_eq!(b.source, "STIG.DOD.MIL");
        for rule in &b.rules {
            assert!(rule.severity.is_some(), "{name} {}", rule.rule_id);
            assert_eq!(rule.weight, "10.0");
            assert!(
                !rule.stig_id.is_empty() && !rule.title.is_empty() && !rule.target_key.is_empty()
            );
            assert_eq!(rule.check_content_ref_name, "M");
            assert!(!rule.check_content.is_empty() && !rule.fix_text.is_empty());
            assert!(
                !rule.check_content.contains('\r'),
                "line ends are normalized"
            );
            assert_eq!(
                rule.check_digest,
                benchmark::check_digest(&rule.check_content)
            );
            assert_eq!(rule.check_digest.len(), 16);
            assert_eq!(
                rule.description.documentable, "false",
                "{name} {}",
                rule.rule_id
            );
            assert!(
                !rule.description.vuln_discussion.is_empty(),
                "{name} {}",
                rule.rule_id
            );
            if let Some(first) = rule.legacy_ids.first() {
                assert!(first.starts_with("V-"), "{name}: V- legacy id first");
            }
        }
    }
}

#[test]
fn numbers_from_the_research_notes() {
    let Some(shared) = common::shared("numbers_from_the_research_notes") else {
        return;
    };
    let dir = shared.join("benchmarks");
    // exchange-rules.md §1: file, revision, release-info, status date, rules.
    let table: [(&str, &str, &str, &str, usize); 8] = [
        (
            "U_Exchange_2010_Edge_V1R12_Manual-xccdf.xml",
            "V1R12",
            "Release: 12 Benchmark Date: 27 Jan 2017",
            "2017-01-03",
            63,
        ),
        (
            "U_MS_Exchange_2013_Edge_Transport_Server_ STIG_V1R6_Manual-xccdf.xml",
            "V1R6",
            "Release: 6 Benchmark Date: 24 Jul 2024",
            "2024-06-10",
            63,
        ),
        (
            "U_MS_Exchange_2013_Mailbox_STIG_V2R3_Manual-xccdf.xml",
            "V2R3",
            "Release: 3 Benchmark Date: 24 Jul 2024",
            "2024-06-10",
            70,
        ),
        (
            "U_MS_Exchange_2016_Edge_Transport_Server_STIG_V2R6_Manual-xccdf.xml",
            "V2R6",
            "Release: 6 Benchmark Date: 30 Jan 2025",
            "2024-12-06",
            68,
        ),
        (
            "U_MS_Exchange_2016_Mailbox_Server_STIG_V2R6_Manual-xccdf.xml",
            "V2R6",
            "Release: 6 Benchmark Date: 24 Jan 2024",
            "2023-12-18",
            64,
        ),
        (
            "U_MS_Exchange_2019_Edge_Server_STIG_V2R2_Manual-xccdf.xml",
            "V2R2",
            "Release: 2 Benchmark Date: 30 Jan 2025",
            "2024-12-06",
            68,
        ),
        (
            "U_MS_Exchange_2019_Mailbox_Server_STIG_V1R1_Manual-xccdf..xml",
            "V1R1",
            "Release: 1 Benchmark Date: 17 Jan 2024",
            "2024-01-10",
            68,
        ),
        (
            "U_MS_Exchange_2013_CAS_STIG_V1R1_Manual-xccdf.xml",
            "V1R1",
            "Release: 1 Benchmark Date: 25 Jul 2016",
            "2016-07-19",
            33,
        ),
    ];
    for (file, revision, release, date, rules) in table {
        let b = load(&dir.join(file));
        assert_eq!(
            (
                b.revision().as_str(),
                b.release_info.as_str(),
                b.status_date.as_str(),
                b.rules.len()
            ),
            (revision, release, date, rules),
            "{file}"
        );
    }

    // formats.md §3.1: 2016 Edge V2R6 has 4 high, 56 medium, 8 low, one CCI each; key 4079.
    let edge16 =
        load(&dir.join("U_MS_Exchange_2016_Edge_Transport_Server_STIG_V2R6_Manual-xccdf.xml"));
    let count = |s| {
        edge16
            .rules
            .iter()
            .filter(|r| r.severity == Some(s))
            .count()
    };
    assert_eq!(
        (
            count(Severity::High),
            count(Severity::Medium),
            count(Severity::Low)
        ),
        (4, 56, 8)
    );
    assert!(edge16.rules.iter().all(|r| r.ccis.len() == 1));
    assert_eq!(edge16.id, "MS_Exchange_2016_Edge_Transport_Server_STIG");
    assert_eq!(edge16.target_key(), "4079");
    let first = &edge16.rules[0];
    assert_eq!(
        (
            first.group_id.as_str(),
            first.group_title.as_str(),
            first.rule_id.as_str(),
            first.stig_id.as_str()
        ),
        (
            "V-221202",
            "SRG-APP-000001",
            "SV-221202r960735_rule",
            "EX16-ED-000010"
        )
    );
    assert_eq!(first.legacy_ids, ["V-80485", "SV-95195"]);
    assert_eq!(first.ccis, ["CCI-000054"]);
    assert_eq!(
        first.title,
        "Exchange must limit the Receive connector timeout."
    );
    assert_eq!(
        edge16.stig_ref(),
        "Microsoft Exchange 2016 Edge Transport Server Security Technical Implementation Guide :: Version 2, Release: 6 Benchmark Date: 30 Jan 2025"
    );

    // formats.md §3.1: 2019 Edge V2R2, 3 rules with two CCIs, V-259589 has CCI-003992, CCI-001749.
    let edge19 = load(&dir.join("U_MS_Exchange_2019_Edge_Server_STIG_V2R2_Manual-xccdf.xml"));
    assert_eq!(edge19.rules.iter().filter(|r| r.ccis.len() == 2).count(), 3);
    assert_eq!(
        edge19.find_rule("V-259589").unwrap().ccis,
        ["CCI-003992", "CCI-001749"]
    );
    assert_eq!(edge19.target_key(), "5579");

    // exchange-rules.md §5: 2013 Edge V1R6 and 2013 Mailbox V2R3 rows.
    let edge13 =
        load(&dir.join("U_MS_Exchange_2013_Edge_Transport_Server_ STIG_V1R6_Manual-xccdf.xml"));
    assert_eq!(edge13.id, "MS_Exchange_2013_Edge_STIG");
    let rc05 = edge13.find_rule("EX13-EG-000340").unwrap();
    assert_eq!(
        (
            rc05.group_id.as_str(),
            rc05.rule_id.as_str(),
            rc05.severity,
            rc05.group_title.as_str()
        ),
        (
            "V-234760",
            "SV-234760r961632_rule",
            Some(Severity::High),
            "SRG-APP-000439"
        )
    );
    assert_eq!(rc05.legacy_ids, ["V-69931", "SV-84553"]);
    assert_eq!(rc05.ccis, ["CCI-002418"]);
    let mb13 = load(&dir.join("U_MS_Exchange_2013_Mailbox_STIG_V2R3_Manual-xccdf.xml"));
    let rc01 = mb13.find_rule("V-207321").unwrap();
    assert_eq!(
        (
            rc01.rule_id.as_str(),
            rc01.stig_id.as_str(),
            rc01.severity,
            rc01.ccis.as_slice()
        ),
        (
            "SV-207321r961221_rule",
            "EX13-MB-000275",
            Some(Severity::Low),
            &["CCI-002361".to_string()][..]
        )
    );

    // The 2013 CAS V1R1 file uses the older iase.disa.mil CCI system.
    let cas = load(&dir.join("U_MS_Exchange_2013_CAS_STIG_V1R1_Manual-xccdf.xml"));
    assert_eq!(cas.rules[0].ccis, ["CCI-000068"]);
}

#[test]
fn derived_json_loads() {
    let Some(shared) = common::shared("derived_json_loads") else {
        return;
    };
    let path = shared.join("benchmarks/derived/U_MS_Exchange_2019_Mailbox_Server_STIG_V2R3_Manual-rules-from-cklb.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let b = load(&path);
    assert_eq!(b.id, "MS_Exchange_2019_Mailbox_Server_STIG");
    assert_eq!(b.revision(), "V2R3");
    assert_eq!(b.release_info, "Release: 3 Benchmark Date: 02 Jul 2025");
    assert_eq!(
        b.filename,
        "U_MS_Exchange_2019_Mailbox_Server_STIG_V2R3_Manual-xccdf.xml"
    );
    let rules = json["rules"].as_array().unwrap();
    assert_eq!(b.rules.len(), 66);
    assert_eq!(b.rules.len(), rules.len());
    for (ours, theirs) in b.rules.iter().zip(rules) {
        assert_eq!(ours.rule_id, theirs["rule_id_src"]);
        assert_eq!(ours.stig_id, theirs["rule_version"]);
        assert_eq!(ours.check_content, theirs["check_content"]);
        assert_eq!(ours.description.vuln_discussion, theirs["discussion"]);
        assert_eq!(
            ours.ccis,
            theirs["ccis"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect::<Vec<_>>()
        );
        assert_eq!(ours.check_content_ref_name, "M");
        assert_eq!(
            ours.check_digest,
            benchmark::check_digest(&ours.check_content)
        );
        assert!(ours.severity.is_some());
    }
}

#[test]
fn fixture_fields_are_read_exactly() {
    let b = load(&fixture("U_Example_Mail_Relay_STIG_V3R4_Manual-xccdf.xml"));
    assert_eq!(b.id, "Example_Mail_Relay_STIG");
    assert_eq!(
        b.title,
        "Example Mail Relay Security Technical Implementation Guide"
    );
    assert_eq!(b.version, "3");
    assert_eq!(b.release_info, "Release: 4 Benchmark Date: 15 Jan 2026");
    assert_eq!(b.revision(), "V3R4");
    assert_eq!(b.description, "A made-up benchmark for exstig tests.");
    assert_eq!(b.notice, "terms-of-use");
    assert_eq!(b.source, "EXAMPLE.SOURCE");
    assert_eq!(b.status_date, "2026-01-15");
    assert_eq!(
        b.filename,
        "U_Example_Mail_Relay_STIG_V3R4_Manual-xccdf.xml"
    );
    assert_eq!(b.rules.len(), 2);

    let r = &b.rules[0];
    assert_eq!(r.group_id, "V-900001");
    assert_eq!(r.group_title, "SRG-APP-000001");
    assert_eq!(r.rule_id, "SV-900001r100001_rule");
    assert_eq!(r.rule_id_base(), "SV-900001");
    assert_eq!(r.severity, Some(Severity::High));
    assert_eq!(r.weight, "10.0");
    assert_eq!(r.stig_id, "EXMR-00-000010");
    assert_eq!(r.title, "The relay must say hello politely.");
    // Escaped sub-fields: decoded once, CRLF normalized, not trimmed.
    assert_eq!(
        r.description.vuln_discussion,
        "Greeting lines tell a lot.\nKeep them &lt;short&gt; &amp; dull. "
    );
    assert_eq!(r.description.documentable, "false");
    assert_eq!(r.description.ia_controls, "ECSC-1");
    assert_eq!(r.description.mitigations, "");
    assert_eq!(r.ccis, ["CCI-000054", "CCI-001184"]);
    assert_eq!(r.legacy_ids, ["V-2222", "SV-1111"]);
    assert_eq!(r.fix_text, "Run:\n\nSet-RelayGreeting -Text \"Hi\"");
    assert_eq!(
        r.check_content,
        "Run:\n\nGet-RelayGreeting | Select Name, GreetingText\n\nIf \"GreetingText\" is not \"Hi\", this is a finding."
    );
    assert_eq!(r.check_content_ref_name, "M");
    assert_eq!(r.check_content_ref_href, "Example_Mail_Relay_STIG.xml");
    assert_eq!(r.target_key, "9001");
    assert_eq!(r.check_digest, benchmark::check_digest(&r.check_content));
    assert!(r.check_terms.is_empty(), "check terms are a catalog thing");

    let r2 = &b.rules[1];
    assert_eq!(r2.title, "Relay logs must <never> be empty.");
    assert_eq!(
        r2.description.vuln_discussion,
        "Logs matter \u{2014} really."
    );
    assert_eq!(
        r2.check_content, "Get-RelayLog | fl Enabled",
        "CDATA is read"
    );
    assert!(r2.legacy_ids.is_empty());
    assert_eq!(r2.severity.map(Severity::category), Some("CAT III"));
}

#[test]
fn check_digest_is_sha256_prefix() {
    // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
    assert_eq!(benchmark::check_digest("abc"), "ba7816bf8f01cfea");
}

#[test]
fn zip_with_folder_and_zip_in_zip() {
    let direct = load(&fixture("U_Example_Mail_Relay_STIG_V3R4_Manual-xccdf.xml"));
    for zip in [
        "U_Example_Mail_Relay_V3R4_STIG.zip",
        "U_Example_Mail_Relay_Y26M01_STIG.zip",
        "U_Example_Mail_Relay_V3R4_STIG_macos.zip",
    ] {
        let b = load(&fixture(zip));
        assert_eq!(
            b, direct,
            "{zip} gives the same benchmark, file name included"
        );
    }
    // Detected by content: a zip saved under a .xml name still opens.
    let dir = common::temp_dir("zip-named-xml");
    let renamed = dir.join("download.xml");
    std::fs::copy(fixture("U_Example_Mail_Relay_V3R4_STIG.zip"), &renamed).unwrap();
    assert_eq!(load(&renamed), direct);
}

fn load_error(path: &Path) -> String {
    match benchmark::load(path) {
        Ok(_) => panic!("{} should not load", path.display()),
        Err(e) => {
            assert!(
                matches!(e, exstig::Error::Input { .. }),
                "input error, got {e:?}"
            );
            e.to_string()
        }
    }
}

#[test]
fn broken_zips_are_clear_errors() {
    let message = load_error(&fixture("no-xccdf.zip"));
    assert!(
        message.contains("no-xccdf.zip")
            && message.contains("no XCCDF")
            && message.contains("Readme.txt"),
        "{message}"
    );

    let message = load_error(&fixture("two-benchmarks.zip"));
    assert!(message.contains("several benchmarks"), "{message}");
    assert!(
        message.contains("a/U_Example_A_V1R1_Manual-xccdf.xml")
            && message.contains("b/U_Example_B_V1R1_Manual-xccdf.xml"),
        "{message}"
    );

    let message = load_error(&fixture("too-deep.zip"));
    assert!(
        message.contains("no XCCDF"),
        "zips nested deeper than 2 are not opened: {message}"
    );

    let started = std::time::Instant::now();
    let message = load_error(&fixture("bomb.zip"));
    assert!(message.contains("larger than 32 MB"), "{message}");
    assert!(started.elapsed().as_secs() < 20, "bounded read is quick");

    let dir = common::temp_dir("truncated-zip");
    let cut = dir.join("cut.zip");
    let bytes = std::fs::read(fixture("U_Example_Mail_Relay_V3R4_STIG.zip")).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let message = load_error(&cut);
    assert!(
        message.contains("cut.zip") && message.contains("zip"),
        "{message}"
    );
}

/// Every prefix of the fixture XCCDF and of the fixture zip is either a benchmark or an input
/// error; none panics (the reader never unwraps input-derived data).
#[test]
fn every_truncation_is_an_input_error_not_a_panic() {
    for name in [
        "U_Example_Mail_Relay_STIG_V3R4_Manual-xccdf.xml",
        "U_Example_Mail_Relay_Y26M01_STIG.zip",
    ] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let path = Path::new(name);
        for cut in 0..bytes.len() {
            match benchmark::parse_bytes(path, &bytes[..cut], name) {
                Ok(b) => assert_eq!(b.rules.len(), 2, "{name} cut at {cut}"),
                Err(exstig::Error::Input { .. }) => {}
                Err(e) => panic!("{name} cut at {cut}: unexpected {e:?}"),
            }
        }
    }
}
