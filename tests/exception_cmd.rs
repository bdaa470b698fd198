//! `exstig exception add`: appends a checked [[exception]] with the rule's check digest, keeps
//! the rest of the site file as written, and the new entry is applied by `exstig evaluate`.

mod common;

#[test]
fn add_appends_an_entry_that_evaluate_applies() {
    let dir = common::temp_dir("exception-add");
    let site = dir.join("site.toml");
    let original =
        std::fs::read_to_string(common::root().join("fixtures/site/EDGE01.site.toml")).unwrap();
    std::fs::write(&site, &original).unwrap();
    let root = common::root();
    let out = common::exstig(
        &root,
        &[
            "exception",
            "add",
            "--site",
            site.to_str().unwrap(),
            "--stig",
            "exchange-2019-edge",
            "--rule",
            "EX19-ED-000116",
            "--status",
            "not_applicable",
            "--justification",
            "Retries \"documented\" in EDSP v3 §5",
            "--approved-by",
            "ISSM",
            "--expires",
            "2099-12-31",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&site).unwrap();
    assert!(
        text.starts_with(&original),
        "the existing text is kept as written"
    );
    let catalog = exstig::catalog::get("exchange-2019-edge").unwrap();
    let rule = catalog.find_rule("EX19-ED-000116").unwrap();
    assert!(text.contains(&format!("check_digest = \"{}\"", rule.check_digest)));
    let parsed = exstig::site::Site::parse(&site, &text).unwrap();
    let added = parsed.exception.last().unwrap();
    assert_eq!(added.rule, "EX19-ED-000116");
    assert_eq!(added.justification, "Retries \"documented\" in EDSP v3 §5");

    let ckl = dir.join("out.ckl");
    let out = common::exstig(
        &root,
        &[
            "evaluate",
            "fixtures/inventory/EDGE01.bundle.json",
            "--stig",
            "exchange-2019-edge",
            "--site",
            site.to_str().unwrap(),
            "--ckl",
            ckl.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&ckl).unwrap();
    let at = written.find(">EX19-ED-000116<").unwrap();
    let vuln = &written[at..at + written[at..].find("</VULN>").unwrap()];
    assert!(
        vuln.contains("Retries \"documented\" in EDSP v3 §5"),
        "{vuln}"
    );
}

#[test]
fn add_refuses_unknown_rules_and_broken_site_files_without_writing() {
    let dir = common::temp_dir("exception-bad");
    let site = dir.join("site.toml");
    std::fs::write(&site, "[values]\nconnection_timeout = \"00:05:00\"\n").unwrap();
    let root = common::root();
    let add = |site: &str, rule: &str| {
        common::exstig(
            &root,
            &[
                "exception",
                "add",
                "--site",
                site,
                "--stig",
                "exchange-2019-edge",
                "--rule",
                rule,
                "--status",
                "open",
                "--justification",
                "x",
            ],
        )
    };
    let out = add(site.to_str().unwrap(), "EX19-ED-999999");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("EX19-ED-999999"));
    let broken = dir.join("broken.toml");
    std::fs::write(&broken, "[values]\nconection_timeout = 5\n").unwrap();
    let out = add(broken.to_str().unwrap(), "EX19-ED-000116");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("conection_timeout"));
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "[values]\nconection_timeout = 5\n"
    );
    assert_eq!(
        std::fs::read_to_string(&site).unwrap(),
        "[values]\nconnection_timeout = \"00:05:00\"\n"
    );
}

#[test]
fn add_refuses_what_evaluate_always_refuses_with_the_same_reason() {
    let dir = common::temp_dir("exception-add-refused");
    let site = dir.join("site.toml");
    let root = common::root();
    let out = common::exstig(
        &root,
        &[
            "exception",
            "add",
            "--site",
            site.to_str().unwrap(),
            "--stig",
            "exchange-2019-edge",
            "--rule",
            "EX19-ED-000098",
            "--status",
            "not_a_finding",
            "--justification",
            "x",
        ],
    );
    let add_stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{add_stderr}");
    assert!(!site.exists(), "nothing written");
    // evaluate gives the same reason when the same exception is in the site file
    std::fs::write(
        &site,
        "[[exception]]\nrule = \"EX19-ED-000098\"\nstatus = \"not_a_finding\"\njustification = \"x\"\n",
    )
    .unwrap();
    let ckl = dir.join("out.ckl");
    let out = common::exstig(
        &root,
        &[
            "evaluate",
            "fixtures/inventory/EDGE01.bundle.json",
            "--stig",
            "exchange-2019-edge",
            "--site",
            site.to_str().unwrap(),
            "--ckl",
            ckl.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&ckl).unwrap();
    let at = written.find(">EX19-ED-000098<").unwrap();
    let vuln = &written[at..at + written[at..].find("</VULN>").unwrap()];
    let reason = vuln
        .split("exception refused: ")
        .nth(1)
        .and_then(|r| r.lines().next())
        .expect("evaluate refuses the exception");
    assert!(
        reason.contains("allows no documented deviation") && add_stderr.contains(reason),
        "same reason: {reason} / {add_stderr}"
    );
}
