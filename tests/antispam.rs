//! The antispam family through the binary: every decision on the complete EDGE02 and MBX02
//! inventories, the site values that settle the rules needing the EDSP, the notes that make rules
//! not applicable (another anti-spam product), collected-but-empty and not-collected kinds, and
//! the cases where Evaluate-STIG disagrees with the check text (no Malware Agent is a finding; the
//! block-list rule reads Get-IPBlockListProvider; the two contradicting Malware Agent rules).

mod common;

use exstig::checklist::Status;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

type Results = HashMap<String, (Status, String, String)>;

fn fixture(name: &str) -> PathBuf {
    common::root().join("fixtures/inventory").join(name)
}

/// Evaluates `input` against `stig` (a catalog name, or a benchmark file with `--benchmark`)
/// with `site`; status, details and comments per STIG ID.
fn run(name: &str, input: &Path, stig: &[&str], site: &str) -> Results {
    let dir = common::temp_dir(name);
    std::fs::write(dir.join("site.toml"), site).unwrap();
    let mut args = vec!["evaluate", input.to_str().unwrap()];
    args.extend_from_slice(stig);
    // The fixtures are Exchange 2019 servers; `--force` lets the guard pass them to the 2016
    // rules, whose anti-spam checks read the same objects.
    args.extend_from_slice(&["--site", "site.toml", "--ckl", "out.ckl", "--force"]);
    let out = common::exstig(&dir, &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.join("out.ckl");
    let text = std::fs::read_to_string(&path).unwrap();
    let checklist = exstig::checklist::ckl::read(&path, &text).unwrap();
    checklist.stigs[0]
        .vulns
        .iter()
        .map(|v| {
            (
                v.stig_id().to_string(),
                (v.status, v.finding_details.clone(), v.comments.clone()),
            )
        })
        .collect()
}

/// A copy of a fixture bundle with sections replaced (`Value::Null` removes one).
fn bundle(name: &str, from: &str, changes: &[(&str, Value)]) -> PathBuf {
    let text = std::fs::read_to_string(fixture(from)).unwrap();
    let mut json: Value = serde_json::from_str(&text).unwrap();
    let map = json.as_object_mut().unwrap();
    for (section, value) in changes {
        if value.is_null() {
            map.remove(*section);
        } else {
            map.insert(section.to_string(), value.clone());
        }
    }
    let dir = common::temp_dir(&format!("{name}-input"));
    let path = dir.join(from);
    std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    path
}

fn status(results: &Results, id: &str) -> Status {
    results
        .get(id)
        .unwrap_or_else(|| panic!("{id} in the checklist"))
        .0
}

fn check(results: &Results, expected: &[(&str, Status)]) {
    for (id, want) in expected {
        let (got, details, comments) = &results[*id];
        assert_eq!(got, want, "{id}\n{details}\n{comments}");
    }
}

const EDGE_2019: &[&str] = &["--stig", "exchange-2019-edge"];

#[test]
fn edge02_every_antispam_rule_decided_from_the_bundle_and_clixml() {
    use Status::*;
    for format in ["bundle.json", "clixml.xml"] {
        let results = run(
            &format!("antispam-edge02-{format}"),
            &fixture(&format!("EDGE02.{format}")),
            EDGE_2019,
            "",
        );
        check(
            &results,
            &[
                ("EX19-ED-000122", Open),        // no custom agent at all
                ("EX19-ED-000123", NotAFinding), // Action Reject
                ("EX19-ED-000124", Open),        // BlankSenderBlockingEnabled False
                ("EX19-ED-000125", NotAFinding), // quarantine mailbox set
                ("EX19-ED-000126", NotReviewed), // needs [values] blocked_domains
                ("EX19-ED-000127", NotAFinding), // RecipientValidationEnabled False
                ("EX19-ED-000128", NotAFinding), // Sender reputation enabled
                ("EX19-ED-000129", Open),        // SrlBlockThreshold 7
                ("EX19-ED-000130", NotReviewed), // needs [values] attachment_types
                ("EX19-ED-000131", NotAFinding), // content filter enabled
                ("EX19-ED-000132", NotAFinding), // a configured Block List provider
                ("EX19-ED-000133", Open),        // SpoofedDomainAction StampStatus
                ("EX19-ED-000134", NotAFinding), // Recipient filter enabled
                ("EX19-ED-000137", Open),        // one IP Allow list entry
                ("EX19-ED-000138", NotAFinding), // IP Allow list filter enabled
                ("EX19-ED-000139", NotAFinding), // Sender filter enabled
                ("EX19-ED-000140", NotAFinding), // content filter returned
                ("EX19-ED-000141", NotAFinding), // all four filters enabled
                ("EX19-ED-000143", NotAFinding), // Sender ID enabled
                ("EX19-ED-000238", Open),
            ],
        );
        let (_, details, comments) = &results["EX19-ED-000126"];
        assert!(comments.contains("[values] blocked_domains"), "{comments}");
        assert!(details.contains("spam.example.net"), "{details}");
        let (_, details, comments) = &results["EX19-ED-000133"];
        assert!(
            details.contains("SpoofedDomainAction") && details.contains("\"StampStatus\""),
            "{details}"
        );
        assert!(
            comments.contains("Set-SenderIdConfig -SpoofedDomainAction 'Reject'"),
            "{comments}"
        );
        let (_, _, comments) = &results["EX19-ED-000137"];
        assert!(
            comments.contains("Remove-IPAllowListEntry -Identity '1'"),
            "{comments}"
        );
        let (_, details, _) = &results["EX19-ED-000132"];
        assert!(
            details.contains("LookupDomain bl.spamcop.example"),
            "the rule reads Get-IPBlockListProvider: {details}"
        );
        let (_, _, comments) = &results["EX19-ED-000140"];
        assert!(comments.contains("[values] antispam_product"), "{comments}");
    }
}

#[test]
fn enumerations_exported_as_numbers_are_not_guessed() {
    let results = run(
        "antispam-edge02-ps51",
        &fixture("EDGE02.ps51.json"),
        EDGE_2019,
        "",
    );
    for id in ["EX19-ED-000123", "EX19-ED-000133"] {
        let (status, _, comments) = &results[id];
        assert_eq!(*status, Status::NotReviewed, "{id}: {comments}");
        assert!(comments.contains("Export-Clixml"), "{id}: {comments}");
    }
    // The Boolean rules decide alike in every format.
    assert_eq!(status(&results, "EX19-ED-000124"), Status::Open);
    assert_eq!(status(&results, "EX19-ED-000141"), Status::NotAFinding);
}

#[test]
fn edge02_with_the_edsp_values() {
    use Status::*;
    let site = "[values]\nblocked_domains = [\"spam.example.net\"]\nattachment_types = [\"*.exe\", \"*.vbs\", \"*.js\", \"*.ps1\", \"application/x-msdownload\", \"message/partial\"]\nip_allow_list_entries = [\"192.0.2.10\"]\nsrl_block_threshold = 7\nblock_list_providers = [\"bl.spamcop.example\"]\nhyperlink_agent = \"Link Sanitizer\"\n";
    let results = run(
        "antispam-edge02-site",
        &fixture("EDGE02.bundle.json"),
        EDGE_2019,
        site,
    );
    check(
        &results,
        &[
            ("EX19-ED-000126", NotAFinding),
            ("EX19-ED-000129", NotAFinding),
            ("EX19-ED-000130", NotAFinding),
            ("EX19-ED-000132", NotAFinding),
            ("EX19-ED-000137", NotAFinding),
            ("EX19-ED-000122", Open), // the EDSP's agent is not installed
        ],
    );
    let (_, details, _) = &results["EX19-ED-000130"];
    assert!(
        details.contains("Action Reject (the check text does not judge it)"),
        "{details}"
    );
    // One attachment type short, one domain more: findings with the commands that fix them.
    let site = "[values]\nblocked_domains = [\"spam.example.net\", \"junk.example\"]\nattachment_types = [\"*.exe\", \"*.vbs\", \"*.js\", \"*.ps1\", \"*.hta\", \"application/x-msdownload\"]\n";
    let results = run(
        "antispam-edge02-site2",
        &fixture("EDGE02.bundle.json"),
        EDGE_2019,
        site,
    );
    let (status, _, comments) = &results["EX19-ED-000126"];
    assert_eq!(*status, Open);
    assert!(
        comments.contains("Set-SenderFilterConfig -BlockedDomains @{Add='junk.example'}"),
        "{comments}"
    );
    let (status, _, comments) = &results["EX19-ED-000130"];
    assert_eq!(*status, Open);
    assert!(
        comments.contains("Add-AttachmentFilterEntry -Name '*.hta' -Type FileName")
            && comments.contains(
                "Remove-AttachmentFilterEntry -Identity 'ContentType:message/partial' -Confirm:$false"
            ),
        "{comments}"
    );
}

#[test]
fn another_antispam_product_makes_the_rules_that_say_so_not_applicable() {
    use Status::*;
    let results = run(
        "antispam-edge02-eemsg",
        &fixture("EDGE02.bundle.json"),
        EDGE_2019,
        "[values]\nantispam_product = \"EEMSG\"\n",
    );
    check(
        &results,
        &[
            ("EX19-ED-000122", NotApplicable),
            ("EX19-ED-000124", NotApplicable),
            ("EX19-ED-000139", NotApplicable),
            ("EX19-ED-000140", NotApplicable),
            ("EX19-ED-000141", NotApplicable),
            ("EX19-ED-000238", NotApplicable),
            // No such note: still decided.
            ("EX19-ED-000137", Open),
            ("EX19-ED-000134", NotAFinding),
        ],
    );
    let (_, _, comments) = &results["EX19-ED-000140"];
    assert!(
        comments.contains("antispam_product = \"EEMSG\""),
        "{comments}"
    );
}

#[test]
fn a_third_party_product_that_must_meet_the_rule_leaves_it_for_a_person() {
    let Some(shared) = common::shared("third-party anti-spam notes") else {
        return;
    };
    let benchmark =
        shared.join("benchmarks/U_MS_Exchange_2019_Edge_Server_STIG_V2R2_Manual-xccdf.xml");
    let args = ["--benchmark", benchmark.to_str().unwrap()];
    let without = run(
        "antispam-edge02-disa",
        &fixture("EDGE02.bundle.json"),
        &args,
        "",
    );
    // The text of the Sender Reputation level and malformed From rules: "a third-party product
    // must be configured to meet the requirement".
    assert_eq!(status(&without, "EX19-ED-000129"), Status::Open);
    assert_eq!(status(&without, "EX19-ED-000133"), Status::Open);
    let with = run(
        "antispam-edge02-disa-product",
        &fixture("EDGE02.bundle.json"),
        &args,
        "[values]\nantispam_product = \"Contoso Mail Shield\"\n",
    );
    for id in ["EX19-ED-000129", "EX19-ED-000133"] {
        let (status, _, comments) = &with[id];
        assert_eq!(*status, Status::NotReviewed, "{id}: {comments}");
        assert!(
            comments.contains("Contoso Mail Shield") && comments.contains("verify it there"),
            "{comments}"
        );
    }
    // The DISA text's notes: not applicable with EEMSG and on SIPR.
    let sipr = run(
        "antispam-edge02-disa-sipr",
        &fixture("EDGE02.bundle.json"),
        &args,
        "[values]\nsipr = true\n",
    );
    assert_eq!(status(&sipr, "EX19-ED-000124"), Status::NotApplicable);
    assert_eq!(status(&sipr, "EX19-ED-000133"), Status::NotApplicable);
    assert_eq!(status(&sipr, "EX19-ED-000131"), Status::NotAFinding);
}

#[test]
fn empty_and_uncollected_sets() {
    use Status::*;
    // Collected and empty: no IP Allow list entry passes, no Block List provider is not
    // applicable, no content filter configuration is a finding.
    let edge = bundle(
        "antispam-edge-empty",
        "EDGE02.bundle.json",
        &[
            ("ip_allow_list_entries", Value::Array(vec![])),
            ("ip_block_list_providers", Value::Array(vec![])),
            ("content_filter_config", Value::Array(vec![])),
        ],
    );
    let results = run("antispam-edge-empty", &edge, EDGE_2019, "");
    check(
        &results,
        &[
            ("EX19-ED-000137", NotAFinding),
            ("EX19-ED-000132", NotApplicable),
            ("EX19-ED-000140", Open),
            ("EX19-ED-000141", Open),
        ],
    );
    let (_, _, comments) = &results["EX19-ED-000140"];
    assert!(
        comments.contains("Install-AntiSpamAgents.ps1"),
        "{comments}"
    );
    // Not collected: said with the reason, never guessed.
    let edge = bundle(
        "antispam-edge-uncollected",
        "EDGE02.bundle.json",
        &[
            ("sender_id_config", Value::Null),
            (
                "not_collected",
                serde_json::json!({"sender_id_config": "Get-SenderIdConfig: access denied"}),
            ),
        ],
    );
    let results = run("antispam-edge-uncollected", &edge, EDGE_2019, "");
    for id in ["EX19-ED-000133", "EX19-ED-000141"] {
        let (status, details, comments) = &results[id];
        assert_eq!(*status, NotReviewed, "{id}");
        assert!(
            format!("{details}{comments}").contains("access denied"),
            "{id}: {details}{comments}"
        );
    }
}

#[test]
fn mbx02_anti_spam_and_malware_rules() {
    use Status::*;
    let results = run(
        "antispam-mbx02",
        &fixture("MBX02.bundle.json"),
        &["--stig", "exchange-2019-mailbox"],
        "",
    );
    check(
        &results,
        &[
            ("EX19-MB-000137", NotAFinding),
            ("EX19-MB-000138", NotAFinding),
            ("EX19-MB-000146", NotAFinding),
            ("EX19-MB-000147", NotAFinding),
        ],
    );
    let (_, details, _) = &results["EX19-MB-000147"];
    assert!(details.contains("60 minutes"), "{details}");
    // 2016: the built-in agent must be disabled; MBX02 runs it.
    let results = run(
        "antispam-mbx02-2016",
        &fixture("MBX02.bundle.json"),
        &["--stig", "exchange-2016-mailbox"],
        "",
    );
    let (status, _, comments) = &results["EX16-MB-002880"];
    assert_eq!(*status, Open);
    assert!(
        comments.contains("Disable-AntimalwareScanning.ps1")
            && comments.contains("# Caution: restarting MSExchangeTransport"),
        "{comments}"
    );
    let (_, details, _) = &results["EX16-MB-002880"];
    assert!(details.contains("malware_scanner"), "{details}");
}

#[test]
fn no_malware_agent_is_a_finding_and_updates_are_then_not_applicable() {
    use Status::*;
    let text = std::fs::read_to_string(fixture("MBX02.bundle.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    let agents: Vec<Value> = json["transport_agents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["Identity"] != "Malware Agent")
        .cloned()
        .collect();
    let mbx = bundle(
        "antispam-no-malware-agent",
        "MBX02.bundle.json",
        &[("transport_agents", Value::Array(agents))],
    );
    let results = run(
        "antispam-no-malware-agent",
        &mbx,
        &["--stig", "exchange-2019-mailbox"],
        "",
    );
    check(
        &results,
        &[("EX19-MB-000146", Open), ("EX19-MB-000147", NotApplicable)],
    );
    let (_, details, comments) = &results["EX19-MB-000146"];
    assert!(details.contains("no Malware Agent"), "{details}");
    assert!(
        comments.contains("Enable-AntimalwareScanning.ps1"),
        "{comments}"
    );
    // The EDSP names another scanner: the enable rule gives way to the disable rule.
    let results = run(
        "antispam-no-malware-agent-other",
        &mbx,
        &["--stig", "exchange-2019-mailbox"],
        "[values]\nmalware_scanner = \"Trellix Email Security\"\n",
    );
    assert_eq!(status(&results, "EX19-MB-000146"), NotApplicable);
}

#[test]
fn the_two_malware_agent_rules_of_the_2019_mailbox_stig() {
    use Status::*;
    let Some(shared) = common::shared("2019 Mailbox V1R1 malware rules") else {
        return;
    };
    let benchmark =
        shared.join("benchmarks/U_MS_Exchange_2019_Mailbox_Server_STIG_V1R1_Manual-xccdf..xml");
    let args = ["--benchmark", benchmark.to_str().unwrap()];
    // Without the EDSP's scanner each rule reads literally: the enabled agent fails "disabled".
    let results = run(
        "antispam-mbx-v1r1",
        &fixture("MBX02.bundle.json"),
        &args,
        "",
    );
    check(
        &results,
        &[("EX19-MB-000146", NotAFinding), ("EX19-MB-000151", Open)],
    );
    // The built-in agent is the EDSP's scanner: a person reconciles the disable rule.
    let results = run(
        "antispam-mbx-v1r1-builtin",
        &fixture("MBX02.bundle.json"),
        &args,
        "[values]\nmalware_scanner = \"Malware Agent\"\n",
    );
    check(
        &results,
        &[
            ("EX19-MB-000146", NotAFinding),
            ("EX19-MB-000151", NotReviewed),
        ],
    );
    // Another scanner: the agent must be off, and the enable rule does not apply.
    let results = run(
        "antispam-mbx-v1r1-other",
        &fixture("MBX02.bundle.json"),
        &args,
        "[values]\nmalware_scanner = \"Trellix Email Security\"\n",
    );
    check(&results, &[("EX19-MB-000151", Open)]);
}
