//! `exstig rules` through the binary: the table and JSON for DISA files, zips and the catalog,
//! and the input errors (exit 2, the file named, line and column for XML).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

fn fixture(name: &str) -> PathBuf {
    common::root().join("fixtures/benchmarks").join(name)
}

fn rules(args: &[&str]) -> Output {
    let mut all = vec!["rules"];
    all.extend_from_slice(args);
    common::exstig(&common::root(), &all)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `exstig rules --benchmark path`, expects exit 2 with nothing on stdout, and returns
/// the message, which must name the file.
fn input_error(path: &Path) -> String {
    let out = rules(&["--benchmark", path.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit 2 for {}: {}",
        path.display(),
        stderr(&out)
    );
    assert!(out.stdout.is_empty(), "nothing printed on error");
    let message = stderr(&out);
    let name = path.file_name().unwrap().to_str().unwrap();
    assert!(
        message.contains(name),
        "the message names {name}: {message}"
    );
    message
}

fn write(dir: &Path, name: &str, contents: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn table_lists_every_rule() {
    let out = rules(&[
        "--benchmark",
        fixture("U_Example_Mail_Relay_STIG_V3R4_Manual-xccdf.xml")
            .to_str()
            .unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains("Example_Mail_Relay_STIG")
            && lines[0].contains("V3R4")
            && lines[0].contains("2 rules"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("VULN ID")
            && lines[1].contains("RULE ID")
            && lines[1].contains("STIG ID")
            && lines[1].contains("CAT")
            && lines[1].contains("AUTOMATED")
    );
    let first: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(
        &first[..6],
        [
            "V-900001",
            "SV-900001r100001_rule",
            "EXMR-00-000010",
            "CAT",
            "I",
            "-"
        ],
        "a made-up relay rule is not automated"
    );
    assert!(lines[2].ends_with("The relay must say hello politely."));
    assert!(
        lines[3].contains("CAT III") && lines[3].ends_with("Relay logs must <never> be empty.")
    );
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[4], "0 of 2 rules automated");
}

#[test]
fn table_ends_with_the_automated_total() {
    let out = rules(&["--stig", "exchange-2016-edge"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<&str> = text.lines().skip(2).collect();
    let (last, rows) = rows.split_last().unwrap();
    let automated = rows
        .iter()
        .filter(|l| l.split_whitespace().nth(5) != Some("-"))
        .count();
    assert!(automated > 0);
    assert_eq!(
        *last,
        format!("{automated} of {} rules automated", rows.len())
    );
}

#[test]
fn json_output() {
    let out = rules(&[
        "--benchmark",
        fixture("U_Example_Mail_Relay_Y26M01_STIG.zip")
            .to_str()
            .unwrap(),
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["benchmark_id"], "Example_Mail_Relay_STIG");
    assert_eq!(json["revision"], "V3R4");
    assert_eq!(
        json["filename"],
        "U_Example_Mail_Relay_STIG_V3R4_Manual-xccdf.xml"
    );
    assert_eq!(json["target_key"], "9001");
    let rules = json["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0]["vuln_id"], "V-900001");
    assert_eq!(rules[0]["severity"], "high");
    assert_eq!(rules[0]["category"], "CAT I");
    assert_eq!(
        rules[0]["ccis"],
        serde_json::json!(["CCI-000054", "CCI-001184"])
    );
    assert_eq!(
        rules[0]["legacy_ids"],
        serde_json::json!(["V-2222", "SV-1111"])
    );
    assert_eq!(rules[1]["title"], "Relay logs must <never> be empty.");
}

#[test]
fn catalog_stig_and_unknown_name() {
    let out = rules(&["--stig", "exchange-2016-edge", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["revision"], "V2R6");
    assert_eq!(json["rules"].as_array().unwrap().len(), 68);

    let out = rules(&["--stig", "exchange-2099-edge"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("exchange-2099-edge") && stderr(&out).contains("exchange-2019-edge")
    );
}

/// The AUTOMATED column and the `automated` JSON field show what the checks module says.
#[test]
fn automated_column_shows_the_check() {
    let b = exstig::catalog::get("exchange-2016-edge").unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&rules(&["--stig", "exchange-2016-edge", "--json"]).stdout).unwrap();
    let table = stdout(&rules(&["--stig", "exchange-2016-edge"]));
    let mut automated = 0;
    for (rule, row) in b.rules.iter().zip(json["rules"].as_array().unwrap()) {
        let described = exstig::checks::describe(&b, rule);
        assert_eq!(
            row["automated"].as_str(),
            described.as_deref(),
            "{}",
            rule.rule_id
        );
        let line = table
            .lines()
            .find(|l| l.starts_with(&rule.group_id))
            .unwrap();
        let cell = line.split_whitespace().nth(5).unwrap();
        match &described {
            Some(text) => {
                assert!(text.starts_with(cell) && cell != "-", "{line}");
                automated += 1;
            }
            None => assert_eq!(cell, "-", "{line}"),
        }
    }
    assert!(automated > 0, "some Exchange 2016 Edge rules are automated");
}

#[test]
fn shared_file_with_a_space_in_its_name() {
    let Some(shared) = common::shared("shared_file_with_a_space_in_its_name") else {
        return;
    };
    let path = shared
        .join("benchmarks/U_MS_Exchange_2013_Edge_Transport_Server_ STIG_V1R6_Manual-xccdf.xml");
    let out = rules(&["--benchmark", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.lines().next().unwrap().contains("63 rules"));
    assert!(
        text.contains("V-234760  SV-234760r961632_rule  EX13-EG-000340  CAT I    "),
        "{text}"
    );
}

#[test]
fn utf16_benchmark_with_bom_loads() {
    let dir = common::temp_dir("utf16-benchmark");
    let text = std::fs::read_to_string(fixture("U_Example_Mail_Relay_STIG_V3R4_Manual-xccdf.xml"))
        .unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let path = write(&dir, "utf16-xccdf.xml", &bytes);
    let out = rules(&["--benchmark", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("SV-900002r100002_rule"));
}

#[test]
fn not_xml() {
    let dir = common::temp_dir("not-xml");
    let path = write(&dir, "notes.xml", b"These are notes, not a benchmark.\n");
    let message = input_error(&path);
    assert!(
        message.contains("line 1, column 1") && message.contains("not an XML document"),
        "{message}"
    );

    let path = write(
        &dir,
        "garbage.xml",
        b"<?xml version=\"1.0\"?>\n<Benchmark id=\"a\">\n  <title>x</titel>\n</Benchmark>\n",
    );
    let message = input_error(&path);
    assert!(
        message.contains("line 3") && message.contains("not well-formed XML"),
        "{message}"
    );
}

#[test]
fn truncated_xml() {
    let dir = common::temp_dir("truncated");
    let text = std::fs::read(fixture("U_Example_Mail_Relay_STIG_V3R4_Manual-xccdf.xml")).unwrap();
    let path = write(&dir, "cut-xccdf.xml", &text[..text.len() * 2 / 3]);
    let message = input_error(&path);
    assert!(
        message.contains("truncated") && message.contains("(line 8, column "),
        "{message}"
    );
}

#[test]
fn doctype_entities_are_never_expanded() {
    let dir = common::temp_dir("billion-laughs");
    let mut doc =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE Benchmark [\n <!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        doc.push_str(&format!(
            " <!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    doc.push_str("]>\n<Benchmark id=\"x\"><title>&lol9;</title><Group id=\"V-1\"><Rule id=\"SV-1r1_rule\"/></Group></Benchmark>\n");
    let path = write(&dir, "laughs-xccdf.xml", doc.as_bytes());
    let started = Instant::now();
    let message = input_error(&path);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "rejected quickly"
    );
    assert!(
        message.contains("DOCTYPE") && message.contains("line 2, column "),
        "{message}"
    );

    // An entity reference with no DOCTYPE at all is an error too, not an expansion.
    let path = write(
        &dir,
        "entity-xccdf.xml",
        b"<Benchmark id=\"x\">\n<title>&ext;</title></Benchmark>",
    );
    let message = input_error(&path);
    assert!(
        message.contains("&ext;") && message.contains("line 2"),
        "{message}"
    );
}

#[test]
fn zip_without_xccdf() {
    let message = input_error(&fixture("no-xccdf.zip"));
    assert!(message.contains("no XCCDF"), "{message}");
}

#[test]
fn xccdf_that_is_not_a_disa_benchmark() {
    let dir = common::temp_dir("not-disa");
    let path = write(
        &dir,
        "empty-xccdf.xml",
        b"<?xml version=\"1.0\"?>\n<Benchmark xmlns=\"http://checklists.nist.gov/xccdf/1.1\" id=\"Mine\"><title>Mine</title><version>1</version></Benchmark>\n",
    );
    let message = input_error(&path);
    assert!(message.contains("without any Group/Rule"), "{message}");

    let path = write(
        &dir,
        "checklist.ckl",
        b"<?xml version=\"1.0\"?>\n<CHECKLIST><ASSET/></CHECKLIST>\n",
    );
    let message = input_error(&path);
    assert!(
        message.contains("<CHECKLIST>") && message.contains("line 2, column 1"),
        "{message}"
    );

    let path = write(
        &dir,
        "rules.json",
        b"{\n  \"stig_id\": \"x\",\n  \"rules\": 5\n}\n",
    );
    let message = input_error(&path);
    assert!(message.contains("line 3"), "{message}");
}

#[test]
fn missing_file() {
    let out = rules(&["--benchmark", "no/such/U_Nothing-xccdf.xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("U_Nothing-xccdf.xml"));
}

/// `exstig rules` says how each release's Send connector wording is read (issue 12): the 2019
/// Edge encryption rule accepts either secure validation method, the 2016 Edge one has the
/// smart-host branch.
#[test]
fn rules_show_the_send_rule_readings() {
    let automated = |stig: &str, stig_id: &str| {
        let json: serde_json::Value =
            serde_json::from_slice(&rules(&["--stig", stig, "--json"]).stdout).unwrap();
        json["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["stig_id"] == stig_id)
            .and_then(|r| r["automated"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        automated("exchange-2019-edge", "EX19-ED-000236"),
        "send.tls-domain: Get-SendConnector DomainSecureEnabled = True, or TlsAuthLevel = DomainValidation with TlsDomain = [values] internal_smtp_domain on internal connectors"
    );
    assert!(
        automated("exchange-2016-edge", "EX16-ED-000690")
            .contains("with one RequireTLS = True and TlsAuthLevel = DomainValidation"),
    );
    assert!(
        automated("exchange-2013-mailbox", "EX13-MB-000120")
            .ends_with("TlsDomain = [values] internal_smtp_domain on internal connectors")
    );
}
