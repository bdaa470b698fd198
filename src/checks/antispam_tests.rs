//! Unit tests of the antispam family: binding (which of the checks sharing a cmdlet a rule is,
//! from the text and from catalog terms alone), applicability notes, and every judge with its
//! passing, failing and undecided cases. The rule texts are short phrasings written for these
//! tests.

use super::judge::{Context, Judgement, Verdict, judge};
use super::*;
use crate::benchmark::{Benchmark, Rule};
use crate::inventory::{Collection, Fidelity, Inventory, InventoryObject, ObjectKind as K};
use crate::site::Site;
use serde_json::{Value, json};

fn benchmark(role: &str) -> Benchmark {
    Benchmark {
        id: format!("MS_Exchange_2019_{role}_STIG"),
        title: format!("Exchange 2019 {role}"),
        ..Benchmark::default()
    }
}

fn bound(role: &str, title: &str, check: &str) -> Binding {
    let rule = Rule {
        rule_id: "SV-1r1_rule".into(),
        title: title.into(),
        check_content: check.into(),
        ..Rule::default()
    };
    bind(&benchmark(role), &rule).unwrap_or_else(|| panic!("{title} is bound"))
}

/// A catalog rule: title and check terms, no text.
fn bound_terms(role: &str, title: &str, terms: &[&str]) -> Binding {
    let rule = Rule {
        rule_id: "SV-1r1_rule".into(),
        title: title.into(),
        check_terms: terms.iter().map(|t| t.to_string()).collect(),
        ..Rule::default()
    };
    bind(&benchmark(role), &rule).unwrap_or_else(|| panic!("{title} is bound"))
}

fn object(kind: K, props: Value) -> InventoryObject {
    InventoryObject {
        kind,
        source: "test.json".into(),
        index: 0,
        fidelity: Fidelity::Exact,
        properties: props.as_object().cloned().unwrap(),
    }
}

fn site(values: &str) -> Site {
    Site::parse(std::path::Path::new("site.toml"), values).expect("site file")
}

fn judged(binding: &Binding, objects: &[&InventoryObject], site: &Site) -> Judgement {
    judged_in(binding, objects, site, None)
}

fn judged_in(
    binding: &Binding,
    objects: &[&InventoryObject],
    site: &Site,
    inventory: Option<&Inventory>,
) -> Judgement {
    let ctx = Context {
        site,
        transport_config: None,
        inventory,
    };
    match binding.spec.judge_set {
        Some(set) => set(binding, objects, &ctx),
        None => judge(binding, objects[0], &ctx),
    }
}

fn agent(name: &str, enabled: bool) -> InventoryObject {
    let factory = if name == "Link Sanitizer" {
        "Contoso.Mail.LinkSanitizerFactory".to_string()
    } else {
        format!(
            "Microsoft.Exchange.Transport.Agent.{}Factory",
            name.replace(' ', "")
        )
    };
    object(
        K::TransportAgent,
        json!({"Identity": name, "Enabled": enabled, "Priority": 1,
               "TransportAgentFactory": factory, "AssemblyPath": "C:\\agents\\a.dll"}),
    )
}

#[test]
fn each_rule_binds_to_its_check_by_property_and_title() {
    let cases = [
        (
            "Blank senders must be rejected.",
            "Get-SenderFilterConfig | Select Name, Action\nIf Action is not set to Reject, this is a finding.",
            "antispam.blank-sender-action",
        ),
        (
            "Blank senders must be filtered.",
            "Get-SenderFilterConfig | Select Name, BlankSenderBlockingEnabled\nIf it is not set to True, this is a finding.",
            "antispam.blank-sender-blocking",
        ),
        (
            "The Sender filter must block unaccepted domains.",
            "Get-SenderFilterConfig | Select Name, BlockedDomains, BlockedDomainsAndSubdomains",
            "antispam.blocked-domains",
        ),
        (
            "The SMTP Sender filter must be enabled.",
            "Get-SenderFilterConfig | Select Name, Enabled\nIf Enabled is not set to True, this is a finding.",
            "antispam.sender-filter",
        ),
        (
            "Filtered messages must be archived.",
            "Get-ContentFilterConfig | Select Name, QuarantineMailbox",
            "antispam.quarantine-mailbox",
        ),
        (
            "The Spam Evaluation filter must be enabled.",
            "Get-ContentFilterConfig | Select Name, Identity, Enabled\nIf Enabled is not set to True, this is a finding.",
            "antispam.content-filter",
        ),
        (
            "Exchange must have anti-spam filtering installed.",
            "Get-ContentFilterConfig | Format-Table Name, Enabled\nIf nothing is returned, this is a finding.",
            "antispam.installed",
        ),
        (
            "Exchange must have anti-spam filtering enabled.",
            "Get-ContentFilterConfig | Format-Table Name, Enabled; Get-SenderFilterConfig | Format-Table Name, Enabled; Get-SenderIDConfig | Format-Table Name, Enabled; Get-SenderReputationConfig | Format-Table Name, Enabled",
            "antispam.filtering-enabled",
        ),
        (
            "Nonexistent recipients must not be blocked.",
            "Get-RecipientFilterConfig | Select Name, RecipientValidationEnabled\nIf it is not set to False, this is a finding.",
            "antispam.recipient-validation",
        ),
        (
            "The Recipient filter must be enabled.",
            "Get-RecipientFilterConfig | Select Name, Enabled",
            "antispam.recipient-filter",
        ),
        (
            "Sender Reputation must identify the spam block level.",
            "Get-SenderReputationConfig | Select Name, SrlBlockThreshold\nIf it is not set to 6, this is a finding, unless it carries signoff and risk acceptance recorded in the EDSP.",
            "antispam.srl-block-threshold",
        ),
        (
            "Sender Reputation must be enabled.",
            "Get-SenderReputationConfig | Select Name, Enabled",
            "antispam.sender-reputation",
        ),
        (
            "Malformed From addresses must be rejected.",
            "Get-SenderIdConfig | Select Name, Identity, SpoofedDomainAction\nIf it is not set to Reject, this is a finding.",
            "antispam.spoofed-domain-action",
        ),
        (
            "Sender ID must be enabled.",
            "Get-SenderIdConfig | Select Name, Identity, Enabled",
            "antispam.sender-id",
        ),
        (
            "IP Allow List entries must be empty.",
            "Get-IPAllowListEntry | Format-List\nIf anything is returned, this is a finding.",
            "antispam.ip-allow-list-empty",
        ),
        (
            "The IP Allow List filter must be enabled.",
            "Get-IPAllowListConfig | Select Name, Enabled",
            "antispam.ip-allow-list-filter",
        ),
        (
            "The Block List provider must be identified.",
            "Get-IPBlockListProvider | Select Name, Identity, LookupDomain",
            "antispam.block-list-provider",
        ),
        (
            "Attachment filtering must remove attachments by type.",
            "Get-AttachmentFilterEntry\nIf they differ from the EDSP's types, this is a finding.",
            "antispam.attachment-types",
        ),
        (
            "Hyperlinks from non-.mil domains must be unclickable.",
            "Get-TransportAgent -Name 'customAgent' | Format-List",
            "antispam.hyperlink-agent",
        ),
        (
            "The anti-malware agent must be enabled and configured.",
            "Get-TransportAgent \"Malware Agent\"\nIf \"Malware Agent\" is not set to \"Enabled\", this is a finding.",
            "antispam.malware-agent-enabled",
        ),
        (
            "The built-in malware agent must be disabled.",
            "Get-TransportAgent \"Malware Agent\"\nIf Enabled is set to \"True\", this is a finding.",
            "antispam.malware-agent-disabled",
        ),
        (
            "Malicious code must be quarantined.",
            "Get-TransportAgent \"Malware Agent\"\nIf Enabled is set to True, this is a finding.",
            "antispam.malware-agent-disabled",
        ),
        (
            "The malware agent must update automatically.",
            "Get-MalwareFilteringServer | Select Name, *Update*\nIf the update frequency is not set, this is a finding.",
            "antispam.malware-updates",
        ),
    ];
    for (title, check, id) in cases {
        let role = if id.contains("malware") {
            "Mailbox"
        } else {
            "Edge"
        };
        assert_eq!(bound(role, title, check).spec.id, id, "{title}");
    }
}

#[test]
fn catalog_terms_alone_bind_the_same_checks() {
    // The property named only in a note ahead of the command ("Enabled" deduplicated).
    let b = bound_terms(
        "Edge",
        "The Exchange Sender Reputation filter must be enabled.",
        &[
            "Sender Reputation",
            "True",
            "Enabled",
            "Get-SenderReputationConfig",
            "Name",
        ],
    );
    assert_eq!(b.spec.id, "antispam.sender-reputation");
    assert_eq!(b.expected, Some(Expected::Bool(true)));
    // Four filters, no property after the first cmdlet.
    let b = bound_terms(
        "Edge",
        "Exchange must have anti-spam filtering enabled.",
        &[
            "Get-ContentFilterConfig",
            "Name",
            "Get-SenderFilterConfig",
            "Get-SenderIDConfig",
            "Get-SenderReputationConfig",
            "True",
        ],
    );
    assert_eq!(b.spec.id, "antispam.filtering-enabled");
    // The catalog carries no text: the notes every release has come from the family.
    assert!(b.not_applicable_with_antispam);
    let b = bound_terms(
        "Mailbox",
        "Exchange antimalware agent must be enabled and configured.",
        &["Get-TransportAgent", "Malware Agent", "Enabled"],
    );
    assert_eq!(b.spec.id, "antispam.malware-agent-enabled");
    let b = bound_terms(
        "Mailbox",
        "The applications built-in Malware Agent must be disabled.",
        &["Get-TransportAgent", "Malware Agent"],
    );
    assert_eq!(b.spec.id, "antispam.malware-agent-disabled");
    let b = bound_terms(
        "Mailbox",
        "The Exchange malware scanning agent must be configured for automatic updates.",
        &["Get-MalwareFilteringServer", "Name"],
    );
    assert_eq!(b.spec.id, "antispam.malware-updates");
    let b = bound_terms(
        "Edge",
        "Exchange messages with a blank sender field must be rejected.",
        &["Get-SenderFilterConfig", "Name", "Action"],
    );
    assert_eq!(b.expected, Some(Expected::Text("Reject".into())));
    assert!(b.not_applicable_on_sipr && b.not_applicable_with_antispam);
}

#[test]
fn applicability_notes_are_read_line_by_line() {
    let b = bound(
        "Edge",
        "Blank senders must be filtered.",
        "This requirement is N/A for SIPR enclaves.\nThis requirement is N/A if the organization subscribes to EEMSG or other similar enterprise protections.\nGet-SenderFilterConfig | Select Name, BlankSenderBlockingEnabled",
    );
    assert!(b.not_applicable_on_sipr);
    assert!(b.not_applicable_with_antispam);
    assert!(!b.antispam_product_must_comply);
    // "A third-party product must meet the requirement" is no not-applicable note.
    let b = bound(
        "Edge",
        "Malformed From addresses must be rejected.",
        "Note: If a third-party anti-spam product is used, the anti-spam product must be configured to meet the requirement.\nGet-SenderIdConfig | Select Name, SpoofedDomainAction\nIf it is not set to Reject, this is a finding.",
    );
    assert!(!b.not_applicable_with_antispam);
    assert!(b.not_applicable_note.is_none());
    assert!(b.antispam_product_must_comply);
}

#[test]
fn enumerations_are_compared_by_name_never_guessed_from_numbers() {
    let b = bound(
        "Edge",
        "Malformed From addresses must be rejected.",
        "Get-SenderIdConfig | Select Name, SpoofedDomainAction\nIf it is not set to \"Reject\", this is a finding.",
    );
    let none = Site::default();
    let with = |v: Value| {
        object(
            K::SenderIdConfig,
            json!({"Identity": "SenderIdConfig", "SpoofedDomainAction": v}),
        )
    };
    assert_eq!(
        judged(&b, &[&with(json!("Reject"))], &none).verdict,
        Verdict::Pass
    );
    let open = judged(&b, &[&with(json!("StampStatus"))], &none);
    assert_eq!(open.verdict, Verdict::Fail);
    assert_eq!(open.fix.as_deref(), Some("-SpoofedDomainAction 'Reject'"));
    assert!(
        open.advice[0].starts_with("# Caution: with Reject"),
        "{:?}",
        open.advice
    );
    let number = judged(&b, &[&with(json!(0))], &none);
    assert!(
        matches!(&number.verdict, Verdict::Unknown(why) if why.contains("Export-Clixml")),
        "{number:?}"
    );
}

#[test]
fn blocked_domains_match_the_edsp_list_exactly() {
    let b = bound(
        "Edge",
        "The Sender filter must block unaccepted domains.",
        "Get-SenderFilterConfig | Select Name, BlockedDomains, BlockedDomainsAndSubdomains\nIf they do not reflect the list of accepted domains, this is a finding.",
    );
    assert!(b.notes.iter().any(|n| n.contains("unaccepted")));
    let filter = object(
        K::SenderFilterConfig,
        json!({"Identity": "SenderFilterConfig", "BlockedDomains": ["spam.example.net"],
               "BlockedDomainsAndSubdomains": ["bad.example"]}),
    );
    let missing = judged(&b, &[&filter], &Site::default());
    assert!(
        matches!(&missing.verdict, Verdict::Unknown(why) if why.contains("blocked_domains")),
        "{missing:?}"
    );
    let exact = site("[values]\nblocked_domains = [\"SPAM.example.net\", \"bad.example\"]\n");
    assert_eq!(judged(&b, &[&filter], &exact).verdict, Verdict::Pass);
    let other = site("[values]\nblocked_domains = [\"spam.example.net\", \"junk.example\"]\n");
    let fail = judged(&b, &[&filter], &other);
    assert_eq!(fail.verdict, Verdict::Fail);
    assert_eq!(
        fail.fix.as_deref(),
        Some(
            "-BlockedDomains @{Add='junk.example'} -BlockedDomainsAndSubdomains @{Remove='bad.example'}"
        )
    );
}

#[test]
fn quarantine_mailbox_needs_an_smtp_address() {
    let b = bound(
        "Edge",
        "Filtered messages must be archived.",
        "Get-ContentFilterConfig | Select Name, QuarantineMailbox",
    );
    let with = |v: Value| {
        object(
            K::ContentFilterConfig,
            json!({"Identity": "ContentFilterConfig", "QuarantineMailbox": v}),
        )
    };
    let none = Site::default();
    assert_eq!(
        judged(&b, &[&with(json!("spam@example.mil"))], &none).verdict,
        Verdict::Pass
    );
    for bad in [json!(null), json!(""), json!("quarantine")] {
        assert_eq!(judged(&b, &[&with(bad)], &none).verdict, Verdict::Fail);
    }
}

fn inventory(objects: Vec<InventoryObject>, collected: &[(K, Collection)]) -> Inventory {
    Inventory {
        objects,
        collection: collected.iter().cloned().collect(),
        ..Inventory::default()
    }
}

fn config(kind: K, enabled: bool) -> InventoryObject {
    object(
        kind,
        json!({"Identity": format!("{kind:?}"), "Name": format!("{kind:?}"), "Enabled": enabled}),
    )
}

#[test]
fn filtering_enabled_reads_all_four_filters() {
    let b = bound(
        "Mailbox",
        "Exchange must have anti-spam filtering enabled.",
        "Get-ContentFilterConfig | Format-Table Name, Enabled; Get-SenderFilterConfig | Format-Table Name, Enabled; Get-SenderIDConfig | Format-Table Name, Enabled; Get-SenderReputationConfig | Format-Table Name, Enabled",
    );
    let content = config(K::ContentFilterConfig, true);
    let all = inventory(
        vec![
            content.clone(),
            config(K::SenderFilterConfig, true),
            config(K::SenderIdConfig, false),
            config(K::SenderReputationConfig, true),
        ],
        &[],
    );
    let none = Site::default();
    let fail = judged_in(&b, &[&content], &none, Some(&all));
    assert_eq!(fail.verdict, Verdict::Fail, "{fail:?}");
    assert!(
        fail.actual.contains("SenderIdConfig Enabled False"),
        "{}",
        fail.actual
    );
    assert_eq!(
        fail.fix.as_deref(),
        Some("Set-SenderIdConfig -Enabled $true")
    );
    // A filter that was not collected leaves the rule undecided, with the reason.
    let partial = inventory(
        vec![
            content.clone(),
            config(K::SenderFilterConfig, true),
            config(K::SenderReputationConfig, true),
        ],
        &[(
            K::SenderIdConfig,
            Collection::NotCollected("access denied".into()),
        )],
    );
    let unknown = judged_in(&b, &[&content], &none, Some(&partial));
    assert!(
        matches!(&unknown.verdict, Verdict::Unknown(why) if why.contains("access denied")),
        "{unknown:?}"
    );
    // Collected and empty: nothing returned is a finding.
    let empty = inventory(
        vec![
            content.clone(),
            config(K::SenderFilterConfig, true),
            config(K::SenderReputationConfig, true),
        ],
        &[(K::SenderIdConfig, Collection::Collected)],
    );
    assert_eq!(
        judged_in(&b, &[&content], &none, Some(&empty)).verdict,
        Verdict::Fail
    );
    let good = inventory(
        vec![
            content.clone(),
            config(K::SenderFilterConfig, true),
            config(K::SenderIdConfig, true),
            config(K::SenderReputationConfig, true),
        ],
        &[],
    );
    assert_eq!(
        judged_in(&b, &[&content], &none, Some(&good)).verdict,
        Verdict::Pass
    );
}

#[test]
fn installed_means_a_content_filter_configuration_is_returned() {
    let b = bound(
        "Mailbox",
        "Exchange must have anti-spam filtering installed.",
        "Get-ContentFilterConfig | Format-Table Name, Enabled\nIf no value is returned, this is a finding.",
    );
    let none = Site::default();
    let content = config(K::ContentFilterConfig, false);
    assert_eq!(judged(&b, &[&content], &none).verdict, Verdict::Pass);
    let missing = judged(&b, &[], &none);
    assert_eq!(missing.verdict, Verdict::Fail);
    assert!(missing.fix.unwrap().contains("Install-AntiSpamAgents.ps1"));
    assert!(missing.advice[0].contains("mail flow"));
}

#[test]
fn ip_allow_list_entries_must_be_empty_or_signed_off() {
    let b = bound(
        "Edge",
        "IP Allow List entries must be empty.",
        "Get-IPAllowListEntry | Format-List\nIf anything is returned, this is a finding, unless it carries signoff and risk acceptance recorded in the EDSP.",
    );
    let none = Site::default();
    assert_eq!(judged(&b, &[], &none).verdict, Verdict::Pass);
    let entry = object(
        K::IPAllowListEntry,
        json!({"Identity": 1, "IPRange": "192.0.2.10", "IsMachineGenerated": false}),
    );
    let fail = judged(&b, &[&entry], &none);
    assert_eq!(fail.verdict, Verdict::Fail);
    assert_eq!(
        fail.fix.as_deref(),
        Some("Remove-IPAllowListEntry -Identity '1'")
    );
    assert!(
        fail.advice[0].contains("ip_allow_list_entries"),
        "{:?}",
        fail.advice
    );
    let signed = site("[values]\nip_allow_list_entries = [\"192.0.2.10\"]\n");
    assert_eq!(judged(&b, &[&entry], &signed).verdict, Verdict::Pass);
}

#[test]
fn block_list_provider_reads_the_providers_not_the_receive_connectors() {
    let b = bound(
        "Edge",
        "The Block List provider must be identified.",
        "If no service provider is used, this is not applicable.\nGet-IPBlockListProvider | Select Name, Identity, LookupDomain\nIf Name, GUID and LookupDomain are not configured, this is a finding.",
    );
    assert_eq!(b.spec.kind, K::IPBlockListProvider);
    let none = Site::default();
    assert!(matches!(
        judged(&b, &[], &none).verdict,
        Verdict::NotApplicable(_)
    ));
    let named = site("[values]\nblock_list_providers = [\"bl.example.org\"]\n");
    assert_eq!(judged(&b, &[], &named).verdict, Verdict::Fail);
    let provider = |lookup: &str| {
        object(
            K::IPBlockListProvider,
            json!({"Name": "bl.example.org", "Identity": "bl.example.org",
                   "Guid": "b63fc61f-2fc0-5d93-8f5b-c81d5a3e6301", "LookupDomain": lookup,
                   "RejectionResponse": "blocked"}),
        )
    };
    assert_eq!(
        judged(&b, &[&provider("bl.example.org")], &none).verdict,
        Verdict::Pass
    );
    assert_eq!(
        judged(&b, &[&provider("bl.example.org")], &named).verdict,
        Verdict::Pass
    );
    assert_eq!(judged(&b, &[&provider("")], &none).verdict, Verdict::Fail);
    let other = site("[values]\nblock_list_providers = [\"zen.example.net\"]\n");
    let fail = judged(&b, &[&provider("bl.example.org")], &other);
    assert_eq!(fail.verdict, Verdict::Fail);
    assert!(
        fail.fix
            .unwrap()
            .starts_with("Add-IPBlockListProvider -Name 'zen.example.net'")
    );
}

#[test]
fn attachment_types_are_the_edsp_types_exactly() {
    let b = bound(
        "Edge",
        "Attachment filtering must remove attachments by type.",
        "Get-AttachmentFilterEntry\nIf the values differ from the EDSP's attachment types, this is a finding.",
    );
    let entry = |name: &str, kind: &str| {
        object(
            K::AttachmentFilterEntry,
            json!({"Identity": format!("{kind}:{name}"), "Name": name, "Type": kind}),
        )
    };
    let exe = entry("*.exe", "FileName");
    let msdl = entry("application/x-msdownload", "ContentType");
    let none = Site::default();
    let undecided = judged(&b, &[&exe, &msdl], &none);
    assert!(
        matches!(&undecided.verdict, Verdict::Unknown(why) if why.contains("attachment_types")),
        "{undecided:?}"
    );
    let same =
        site("[values]\nattachment_types = [\"FileName:*.EXE\", \"application/x-msdownload\"]\n");
    assert_eq!(judged(&b, &[&exe, &msdl], &same).verdict, Verdict::Pass);
    let other = site("[values]\nattachment_types = [\"*.exe\", \"*.js\"]\n");
    let fail = judged(&b, &[&exe, &msdl], &other);
    assert_eq!(fail.verdict, Verdict::Fail);
    assert_eq!(
        fail.fix.as_deref(),
        Some(
            "Add-AttachmentFilterEntry -Name '*.js' -Type FileName; Remove-AttachmentFilterEntry -Identity 'ContentType:application/x-msdownload' -Confirm:$false"
        )
    );
}

#[test]
fn no_malware_agent_is_a_finding_where_the_rule_wants_it_enabled() {
    let b = bound(
        "Mailbox",
        "The anti-malware agent must be enabled and configured.",
        "Get-TransportAgent \"Malware Agent\"\nIf \"Malware Agent\" is not set to \"Enabled\", this is a finding.",
    );
    let none = Site::default();
    let rules = agent("Transport Rule Agent", true);
    let absent = judged(&b, &[&rules], &none);
    assert_eq!(
        absent.verdict,
        Verdict::Fail,
        "Evaluate-STIG passes this; the text does not"
    );
    assert!(absent.actual.contains("no Malware Agent"));
    assert!(
        absent
            .fix
            .unwrap()
            .contains("Enable-AntimalwareScanning.ps1")
    );
    assert_eq!(
        judged(&b, &[&rules, &agent("Malware Agent", false)], &none).verdict,
        Verdict::Fail
    );
    assert_eq!(
        judged(&b, &[&rules, &agent("Malware Agent", true)], &none).verdict,
        Verdict::Pass
    );
    // The EDSP names another scanner: the "built-in agent disabled" rule applies instead.
    let other = site("[values]\nmalware_scanner = \"Trellix Email Security\"\n");
    assert!(matches!(
        judged(&b, &[&rules, &agent("Malware Agent", false)], &other).verdict,
        Verdict::NotApplicable(_)
    ));
}

#[test]
fn built_in_malware_agent_disabled_and_its_contradiction() {
    let b = bound(
        "Mailbox",
        "The built-in malware agent must be disabled.",
        "Get-TransportAgent \"Malware Agent\"\nIf Enabled is set to \"True\", this is a finding.",
    );
    let none = Site::default();
    let rules = agent("Transport Rule Agent", true);
    assert_eq!(judged(&b, &[&rules], &none).verdict, Verdict::Pass);
    assert_eq!(
        judged(&b, &[&rules, &agent("Malware Agent", false)], &none).verdict,
        Verdict::Pass
    );
    let enabled = agent("Malware Agent", true);
    let open = judged(&b, &[&rules, &enabled], &none);
    assert_eq!(open.verdict, Verdict::Fail);
    assert!(
        open.expected.contains("malware_scanner"),
        "{}",
        open.expected
    );
    assert!(
        open.fix
            .unwrap()
            .contains("Disable-AntimalwareScanning.ps1")
    );
    let other = site("[values]\nmalware_scanner = \"Trellix Email Security\"\n");
    assert_eq!(
        judged(&b, &[&rules, &enabled], &other).verdict,
        Verdict::Fail
    );
    let builtin = site("[values]\nmalware_scanner = \"Malware Agent\"\n");
    assert!(matches!(
        judged(&b, &[&rules, &enabled], &builtin).verdict,
        Verdict::Unknown(why) if why.contains("reconciles")
    ));
}

#[test]
fn hyperlink_agent_is_decided_where_the_data_allows() {
    let b = bound(
        "Edge",
        "Hyperlinks from non-.mil domains must be unclickable.",
        "Note: If using another DoD-approved anti-spam product such as EEMSG, this is not applicable.\nNote: If system is on SIPRNet, this is not applicable.\nGet-TransportAgent -Name 'customAgent' | Format-List",
    );
    assert!(b.not_applicable_on_sipr && b.not_applicable_with_antispam);
    let none = Site::default();
    let exchange_only = [
        agent("Content Filter Agent", true),
        agent("Sender Id Agent", true),
    ];
    let refs: Vec<&InventoryObject> = exchange_only.iter().collect();
    let fail = judged(&b, &refs, &none);
    assert_eq!(fail.verdict, Verdict::Fail, "no custom agent at all");
    let custom = agent("Link Sanitizer", true);
    let mut with_custom = refs.clone();
    with_custom.push(&custom);
    let person = judged(&b, &with_custom, &none);
    assert!(
        matches!(&person.verdict, Verdict::Unknown(why) if why.contains("hyperlink_agent")),
        "{person:?}"
    );
    assert!(person.actual.contains("Link Sanitizer"));
    let named = site("[values]\nhyperlink_agent = \"Link Sanitizer\"\n");
    assert_eq!(judged(&b, &with_custom, &named).verdict, Verdict::Pass);
    assert_eq!(judged(&b, &refs, &named).verdict, Verdict::Fail);
    let off = agent("Link Sanitizer", false);
    let disabled = judged(&b, &[&off], &named);
    assert_eq!(disabled.verdict, Verdict::Fail);
    assert_eq!(
        disabled.fix.as_deref(),
        Some("Enable-TransportAgent -Identity 'Link Sanitizer'")
    );
}

#[test]
fn malware_updates_need_a_frequency_unless_the_agent_is_absent() {
    let b = bound(
        "Mailbox",
        "The malware agent must update automatically.",
        "Get-MalwareFilteringServer | Select Name, *Update*\nIf the update frequency is not set, this is a finding.\nIf the Malware agent is not installed, this is not applicable.",
    );
    let server = |v: Value| {
        object(
            K::MalwareFilteringServer,
            json!({"Name": "MBX02", "Identity": "MBX02", "UpdateFrequency": v,
                   "PrimaryUpdatePath": "http://forefrontdl.microsoft.com/server/scanengineupdate"}),
        )
    };
    let none = Site::default();
    let pass = judged(&b, &[&server(json!(60))], &none);
    assert_eq!(pass.verdict, Verdict::Pass);
    assert!(pass.actual.starts_with("60 minutes; PrimaryUpdatePath"));
    assert_eq!(
        judged(&b, &[&server(json!(null))], &none).verdict,
        Verdict::Fail
    );
    assert_eq!(
        judged(&b, &[&server(json!(0))], &none).verdict,
        Verdict::Fail
    );
    let no_agent = inventory(
        vec![agent("Transport Rule Agent", true)],
        &[(K::TransportAgent, Collection::Collected)],
    );
    assert!(matches!(
        judged_in(&b, &[&server(json!(null))], &none, Some(&no_agent)).verdict,
        Verdict::NotApplicable(_)
    ));
}

#[test]
fn srl_block_threshold_takes_the_edsp_value_with_signoff() {
    let b = bound(
        "Edge",
        "Sender Reputation must identify the spam block level.",
        "Get-SenderReputationConfig | Select Name, SrlBlockThreshold\nIf it is not set to 6, this is a finding.\nIf it is set to another value and carries signoff and risk acceptance recorded in the EDSP, this is not a finding.",
    );
    assert_eq!(b.expected, Some(Expected::Number(6)));
    assert!(b.edsp_allowed);
    let srl = object(
        K::SenderReputationConfig,
        json!({"Identity": "SenderReputationConfig", "SrlBlockThreshold": 7}),
    );
    let open = judged(&b, &[&srl], &Site::default());
    assert_eq!(open.verdict, Verdict::Fail);
    assert_eq!(open.fix.as_deref(), Some("-SrlBlockThreshold 6"));
    let signed = site("[values]\nsrl_block_threshold = 7\n");
    assert_eq!(judged(&b, &[&srl], &signed).verdict, Verdict::Pass);
}
