//! `[[answer]]` entries: their precedence in evaluation (exceptions decide, an answer never hides
//! a computed result it does not name, the host-specific answer wins, lapsed answers say why),
//! `exstig answer add`, and `exstig answer import` of an Evaluate-STIG answer file
//! (fixtures/answers/), through the binary and the library.

mod common;

use common::{exstig, root, temp_dir};
use exstig::checklist::{Status, Vuln};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn base_site() -> String {
    std::fs::read_to_string(root().join("fixtures/site/EDGE01.site.toml")).unwrap()
}

const ANSWERS: &str = r#"
[[answer]]
rule = "EX19-ED-000174"
status = "not_a_finding"
comment = "RBAC role groups are documented in EDSP appendix B."
answered_by = "ISSO J. Doe"

[[answer]]
rule = "V-259633"
status = "not_a_finding"
comment = "Baseline copy on the backup share (all servers)."

[[answer]]
rule = "EX19-ED-000197"
hosts = ["EDGE0[1]", "other"]
status = "open"
comment = "EDGE01's baseline copy is missing (POA&M 42)."

[[answer]]
rule = "EX19-ED-000197"
hosts = "EDGE02"
status = "not_applicable"
comment = "Not this server."

[[answer]]
rule = "EX19-ED-000159"
status = "not_a_finding"
comment = "Timeouts are fine."

[[answer]]
rule = "EX19-ED-000098"
status = "open"
when_automatic = "open"
comment = "Accepted risk RA-2026-07 until the partner gateway is replaced."

[[answer]]
rule = "EX19-ED-000040"
status = "not_a_finding"
comment = "SCOM watches the queues."
expires = "2020-01-01"

[[answer]]
rule = "EX19-ED-000199"
status = "not_a_finding"
comment = "Services documented."
check_digest = "0000000000000000"

[[answer]]
rule = "EX19-ED-000117"
status = "not_applicable"
comment = "Names are fine."

[[answer]]
rule = "EX19-ED-999999"
status = "not_a_finding"
comment = "No such rule."
"#;

/// Evaluates the example Edge server with `site` through the binary; the rules by STIG ID and stderr.
fn evaluate(dir: &Path, site: &str) -> (HashMap<String, Vuln>, String) {
    let site_path = dir.join("site.toml");
    std::fs::write(&site_path, site).unwrap();
    let ckl = dir.join("out.ckl");
    let out = exstig(
        dir,
        &[
            "evaluate",
            root()
                .join("fixtures/inventory/EDGE01.bundle.json")
                .to_str()
                .unwrap(),
            "--stig",
            "exchange-2019-edge",
            "--site",
            site_path.to_str().unwrap(),
            "--ckl",
            ckl.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{stderr}");
    let checklist = exstig::merge::read_checklist(&ckl).unwrap();
    let vulns = checklist.stigs[0]
        .vulns
        .iter()
        .map(|v| (v.stig_id().to_string(), v.clone()))
        .collect();
    (vulns, stderr)
}

fn line_of(site: &str, needle: &str) -> usize {
    let at = site.find(needle).unwrap();
    let header = site[..at].rfind("[[answer]]").unwrap();
    site[..header].lines().count() + 1
}

#[test]
fn answers_follow_the_documented_precedence() {
    let dir = temp_dir("answers-precedence");
    let site = format!("{}{ANSWERS}", base_site());
    let (rules, stderr) = evaluate(&dir, &site);

    let rbac = &rules["EX19-ED-000174"];
    assert_eq!(rbac.status, Status::NotAFinding);
    assert_eq!(
        rbac.comments,
        "RBAC role groups are documented in EDSP appendix B."
    );
    let line = line_of(&site, "EX19-ED-000174");
    assert!(
        rbac.finding_details
            .contains(&format!("answered in site.toml line {line} by ISSO J. Doe")),
        "{}",
        rbac.finding_details
    );
    assert!(rbac.finding_details.contains("records no check_digest"));

    // The answer naming the host beats the one for every server, wherever it stands.
    let baseline = &rules["EX19-ED-000197"];
    assert_eq!(baseline.status, Status::Open);
    assert_eq!(
        baseline.comments,
        "EDGE01's baseline copy is missing (POA&M 42)."
    );

    // An answer for an undecided rule does not hide a finding exstig computed.
    let timeout = &rules["EX19-ED-000159"];
    assert_eq!(timeout.status, Status::Open);
    assert!(
        timeout
            .comments
            .contains("written for automatic status Not_Reviewed; exstig found Open"),
        "{}",
        timeout.comments
    );
    assert!(
        timeout.comments.contains("Open: "),
        "the automatic comment stays"
    );

    // ... unless it names that result.
    let domain_secure = &rules["EX19-ED-000098"];
    assert_eq!(domain_secure.status, Status::Open);
    assert_eq!(
        domain_secure.comments,
        "Accepted risk RA-2026-07 until the partner gateway is replaced."
    );
    assert!(
        domain_secure
            .finding_details
            .contains("Automatic comment before the answer: Open: ")
    );

    let queues = &rules["EX19-ED-000040"];
    assert_eq!(queues.status, Status::NotReviewed);
    assert!(
        queues.comments.contains("expired on 2020-01-01"),
        "{}",
        queues.comments
    );

    let services = &rules["EX19-ED-000199"];
    assert_eq!(services.status, Status::NotReviewed);
    assert!(
        services.comments.contains("check text changed"),
        "{}",
        services.comments
    );

    // The exception decides.
    let naming = &rules["EX19-ED-000117"];
    assert_eq!(naming.status, Status::NotAFinding);
    assert!(
        naming.comments.contains("an exception decides"),
        "{}",
        naming.comments
    );

    assert!(stderr.contains("EX19-ED-999999"), "{stderr}");
    // The console report names the rules that still wait for a person (answered ones do not).
    let person = stderr
        .lines()
        .find(|l| l.contains("a person (exstig reads no data for"))
        .expect("the rules that need a person");
    assert!(
        person.contains("EX19-ED-000040") && !person.contains("EX19-ED-000174"),
        "{person}"
    );
}

#[test]
fn the_library_applies_answers_as_the_binary_does() {
    let site_text = format!("{}{ANSWERS}", base_site());
    let site = exstig::site::Site::parse(Path::new("site.toml"), &site_text).unwrap();
    let benchmark = exstig::catalog::get("exchange-2019-edge").unwrap();
    let inventory =
        exstig::inventory::read_files(&[root().join("fixtures/inventory/EDGE01.bundle.json")])
            .unwrap();
    let asset = exstig::evaluate::asset_from(&benchmark, &inventory, &site);
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let status = |today| {
        let evaluation =
            exstig::evaluate::evaluate_on(&benchmark, &inventory, &site, asset.clone(), today);
        let result = |id: &str| {
            evaluation
                .results
                .iter()
                .find(|r| r.stig_id == id)
                .unwrap()
                .clone()
        };
        (
            result("EX19-ED-000040").status,
            result("EX19-ED-000174").status,
            evaluation.warnings,
        )
    };
    // Before its expiry date the queue answer applies; after, it does not.
    let site_with_future = site_text.replace("2020-01-01", "2030-01-01");
    let future = exstig::site::Site::parse(Path::new("site.toml"), &site_with_future).unwrap();
    let evaluation = exstig::evaluate::evaluate_on(
        &benchmark,
        &inventory,
        &future,
        asset.clone(),
        day(2029, 12, 31),
    );
    let queues = evaluation
        .results
        .iter()
        .find(|r| r.stig_id == "EX19-ED-000040")
        .unwrap();
    assert_eq!(queues.status, Status::NotAFinding);
    let evaluation = exstig::evaluate::evaluate_on(
        &benchmark,
        &inventory,
        &future,
        asset.clone(),
        day(2030, 1, 2),
    );
    let queues = evaluation
        .results
        .iter()
        .find(|r| r.stig_id == "EX19-ED-000040")
        .unwrap();
    assert_eq!(queues.status, Status::NotReviewed);
    let (queues, rbac, warnings) = status(day(2026, 6, 1));
    assert_eq!((queues, rbac), (Status::NotReviewed, Status::NotAFinding));
    assert!(warnings.iter().any(|w| w.contains("EX19-ED-999999")));
}

#[test]
fn answer_add_appends_an_entry_that_evaluation_applies() {
    let dir = temp_dir("answers-add");
    let site = dir.join("site.toml");
    std::fs::write(&site, base_site()).unwrap();
    let add = |extra: &[&str]| {
        let mut args = vec![
            "answer",
            "add",
            "--site",
            site.to_str().unwrap(),
            "--stig",
            "exchange-2019-edge",
        ];
        args.extend_from_slice(extra);
        exstig(&dir, &args)
    };
    let out = add(&[
        "--rule",
        "V-259631",
        "--status",
        "not_a_finding",
        "--comment",
        "RBAC documented in \"EDSP\" appendix B.",
        "--answered-by",
        "ISSO",
        "--expires",
        "2030-06-30",
        "--host",
        "EDGE*",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&site).unwrap();
    assert!(
        text.starts_with(&base_site()),
        "the rest of the file stays as written"
    );
    assert!(
        text.contains(
            "[[answer]]\nrule = \"EX19-ED-000174\"\nhosts = \"EDGE*\"\nstatus = \"not_a_finding\""
        ),
        "{text}"
    );
    let digest = exstig::catalog::get("exchange-2019-edge")
        .unwrap()
        .find_rule("V-259631")
        .unwrap()
        .check_digest
        .clone();
    assert!(text.contains(&format!("check_digest = \"{digest}\"")));
    let (rules, _) = evaluate(&dir, &text);
    assert_eq!(rules["EX19-ED-000174"].status, Status::NotAFinding);
    assert_eq!(
        rules["EX19-ED-000174"].comments,
        "RBAC documented in \"EDSP\" appendix B."
    );
    assert!(
        !rules["EX19-ED-000174"]
            .finding_details
            .contains("records no check_digest")
    );

    // Bad input: exit 2, the file untouched.
    let before = std::fs::read(&site).unwrap();
    let out = add(&[
        "--rule",
        "EX19-ED-999999",
        "--status",
        "open",
        "--comment",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = add(&[
        "--rule",
        "EX19-ED-000174",
        "--status",
        "open",
        "--comment",
        "x",
        "--host",
        "[bad",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("hosts"));
    assert_eq!(std::fs::read(&site).unwrap(), before);
}

fn answer_file() -> PathBuf {
    root().join("fixtures/answers/MS_Exchange_2019_Edge_AnswerFile.xml")
}

#[test]
fn evaluate_stig_answer_files_import_with_a_word_on_each_entry() {
    let dir = temp_dir("answers-import");
    let site = dir.join("site.toml");
    std::fs::write(&site, base_site()).unwrap();
    let out = exstig(
        &dir,
        &[
            "answer",
            "import",
            answer_file().to_str().unwrap(),
            "--site",
            site.to_str().unwrap(),
            "--stig",
            "exchange-2019-edge",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("6 of 10 answers"), "{stderr}");
    let said = |vuln: &str, words: &str| {
        let block: String = stderr
            .split('\n')
            .skip_while(|l| !l.starts_with(vuln))
            .take(4)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(block.contains(words), "{vuln}: {words} in\n{block}");
    };
    said("V-259631", "ValidationCode is PowerShell");
    said("V-259631", "ValidFalse outcome");
    said("V-259596", "ResultHash");
    said("V-259596", "NOT imported");
    said("V-259635", "--key 'Edge'");
    said("V-221202", "is not a rule");
    said("V-259644", "no ValidTrueComment");
    let text = std::fs::read_to_string(&site).unwrap();
    assert!(
        !text.contains("Get-RoleGroup"),
        "no PowerShell in the site file"
    );
    assert!(text.contains("# Evaluate-STIG ValidationCode is PowerShell"));
    assert!(text.contains("hosts = \"EDGE02\""));
    assert!(text.contains("when_automatic = \"open\""));

    let (rules, _) = evaluate(&dir, &text);
    assert_eq!(rules["EX19-ED-000040"].status, Status::NotAFinding);
    assert!(
        rules["EX19-ED-000040"]
            .comments
            .contains("200 messages (warning) & 500")
    );
    assert_eq!(rules["EX19-ED-000174"].status, Status::NotAFinding);
    assert_eq!(
        rules["EX19-ED-000197"].status,
        Status::NotAFinding,
        "EDGE02's answer is not EDGE01's"
    );
    assert_eq!(rules["EX19-ED-000159"].status, Status::Open);
    assert!(
        rules["EX19-ED-000159"]
            .comments
            .starts_with("Longer timeout accepted")
    );
    assert_eq!(rules["EX19-ED-000234"].status, Status::NotAFinding);
    assert_eq!(rules["EX19-ED-000109"].status, Status::NotReviewed);

    // Through the library: the same conversion.
    let benchmark = exstig::catalog::get("exchange-2019-edge").unwrap();
    let xml = std::fs::read_to_string(answer_file()).unwrap();
    let report = exstig::answers::import(
        &answer_file(),
        &xml,
        &benchmark,
        &["DEFAULT".into(), "Edge".into()],
    )
    .unwrap();
    assert_eq!(report.imported(), 7);
    assert_eq!(report.stig_name, "MS_Exchange_2019_Edge");
}

#[test]
fn a_broken_answer_file_is_an_error_naming_file_and_line() {
    let dir = temp_dir("answers-broken");
    let site = dir.join("site.toml");
    std::fs::write(&site, base_site()).unwrap();
    let broken = dir.join("broken.xml");
    let xml = std::fs::read_to_string(answer_file()).unwrap();
    std::fs::write(
        &broken,
        xml.replace(
            "</ValidTrueComment>\n        <ValidFalseStatus>O",
            "\n        <ValidFalseStatus>O",
        ),
    )
    .unwrap();
    let args = |file: &Path| {
        exstig(
            &dir,
            &[
                "answer",
                "import",
                file.to_str().unwrap(),
                "--site",
                site.to_str().unwrap(),
                "--stig",
                "exchange-2019-edge",
            ],
        )
    };
    let out = args(&broken);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("broken.xml") && stderr.contains("line"),
        "{stderr}"
    );
    let other = dir.join("other.xml");
    std::fs::write(&other, "<CHECKLIST/>").unwrap();
    let out = args(&other);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("STIGComments"));
    assert_eq!(std::fs::read_to_string(&site).unwrap(), base_site());
}

#[test]
fn a_read_only_site_file_is_refused_unless_forced() {
    let dir = temp_dir("answers-read-only");
    let site = dir.join("site.toml");
    std::fs::write(&site, base_site()).unwrap();
    let mut permissions = std::fs::metadata(&site).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&site, permissions).unwrap();
    let add = |force: bool| {
        let mut args = vec![
            "answer",
            "add",
            "--site",
            site.to_str().unwrap(),
            "--stig",
            "exchange-2019-edge",
            "--rule",
            "EX19-ED-000174",
            "--status",
            "not_a_finding",
            "--comment",
            "Documented.",
        ];
        if force {
            args.push("--force");
        }
        exstig(&dir, &args)
    };
    let out = add(false);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&site).unwrap(), base_site());
    let out = add(true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::read_to_string(&site)
            .unwrap()
            .contains("rule = \"EX19-ED-000174\"")
    );
    assert!(
        std::fs::metadata(&site).unwrap().permissions().readonly(),
        "stays read-only"
    );
}
