//! Unit tests of rule binding and of every check, including the edge of each comparison. The
//! check texts here are short phrasings of the patterns DISA uses, written for these tests.

use super::judge::{Context, Verdict, judge};
use super::scope::connector_scope;
use super::*;
use crate::benchmark::{Benchmark, Rule};
use crate::inventory::{Fidelity, InventoryObject, ObjectKind};
use crate::site::{Scope, Site};
use serde_json::{Value, json};
use std::path::PathBuf;

pub(super) fn benchmark(title: &str) -> Benchmark {
    Benchmark {
        id: title.replace(' ', "_"),
        title: title.into(),
        ..Benchmark::default()
    }
}

pub(super) fn rule(title: &str, check: &str) -> Rule {
    Rule {
        rule_id: "SV-1r1_rule".into(),
        stig_id: "TEST-000010".into(),
        title: title.into(),
        check_content: check.into(),
        ..Rule::default()
    }
}

pub(super) fn object(kind: ObjectKind, props: Value) -> InventoryObject {
    InventoryObject {
        kind,
        source: PathBuf::from("test.json"),
        index: 0,
        fidelity: Fidelity::Exact,
        properties: props.as_object().cloned().unwrap_or_default(),
    }
}

fn receive(props: Value) -> InventoryObject {
    let mut obj = object(ObjectKind::ReceiveConnector, props);
    obj.properties
        .entry("Identity")
        .or_insert(json!("EDGE01\\Test"));
    obj
}

fn bound(role_title: &str, title: &str, check: &str) -> Binding {
    bind(&benchmark(role_title), &rule(title, check)).expect("bound")
}

fn verdict_with(
    binding: &Binding,
    obj: &InventoryObject,
    site: &Site,
    config: Option<&InventoryObject>,
) -> Verdict {
    judge(
        binding,
        obj,
        &Context {
            site,
            transport_config: config,
            inventory: None,
        },
    )
    .verdict
}

fn verdict(binding: &Binding, obj: &InventoryObject) -> Verdict {
    verdict_with(binding, obj, &Site::default(), None)
}

const EDGE: &str = "MS Exchange 2019 Edge Server STIG";
const MAILBOX: &str = "MS Exchange 2019 Mailbox Server STIG";

#[test]
fn connection_timeout_is_an_exact_match_at_the_edge() {
    let b = bound(
        EDGE,
        "Exchange must limit the Receive connector timeout.",
        "Get-ReceiveConnector | Select Name, Identity, ConnectionTimeout\nIf ConnectionTimeout is not set to \"00:05:00\", this is a finding.\nOther values with signoff and risk acceptance in the EDSP are not a finding.",
    );
    assert_eq!(b.spec.id, "receive.connection-timeout");
    assert!(b.edsp_allowed);
    assert_eq!(
        verdict(&b, &receive(json!({"ConnectionTimeout": "00:05:00"}))),
        Verdict::Pass
    );
    assert_eq!(
        verdict(&b, &receive(json!({"ConnectionTimeout": "00:05:01"}))),
        Verdict::Fail
    );
    assert_eq!(
        verdict(&b, &receive(json!({"ConnectionTimeout": "00:04:59"}))),
        Verdict::Fail
    );
    assert_eq!(
        verdict(
            &b,
            &receive(json!({"ConnectionTimeout": {"Ticks": 3_000_000_000_i64}}))
        ),
        Verdict::Pass
    );
    assert!(
        matches!(verdict(&b, &receive(json!({}))), Verdict::Unknown(why) if why.contains("missing"))
    );
}

#[test]
fn edsp_value_replaces_the_stig_value_only_where_the_text_allows() {
    let text = "Get-ReceiveConnector | Select Name, Identity, MaxRecipientsPerMessage\nIf MaxRecipientsPerMessage is not set to 5000, this is a finding.";
    let site = Site::parse(
        std::path::Path::new("site.toml"),
        "[values]\nmax_recipients_per_message = 4000\n",
    )
    .unwrap();
    let obj = receive(json!({"MaxRecipientsPerMessage": 4000}));
    let strict = bound(EDGE, "Receive connectors must control recipients.", text);
    assert!(!strict.edsp_allowed);
    assert_eq!(verdict_with(&strict, &obj, &site, None), Verdict::Fail);
    let lenient = bound(
        EDGE,
        "Receive connectors must control recipients.",
        &format!("{text}\nAnother value with signoff and risk acceptance is not a finding."),
    );
    assert!(lenient.edsp_allowed);
    let j = judge(
        &lenient,
        &obj,
        &Context {
            site: &site,
            transport_config: None,
            inventory: None,
        },
    );
    assert_eq!(j.verdict, Verdict::Pass);
    assert!(
        j.expected.contains("EDSP value") && j.expected.contains("not the STIG default 5000"),
        "{}",
        j.expected
    );
    assert_eq!(
        verdict_with(
            &lenient,
            &receive(json!({"MaxRecipientsPerMessage": 5000})),
            &site,
            None
        ),
        Verdict::Fail
    );
}

#[test]
fn tarpit_interval_is_a_minimum() {
    let b = bound(
        EDGE,
        "The Exchange tarpitting interval must be set.",
        "Get-ReceiveConnector | Select Name, Identity, TarpitInterval\nIf TarpitInterval is not set to \"00:00:05\" or greater, this is a finding.",
    );
    assert_eq!(b.comparison, Comparison::AtLeast);
    assert_eq!(
        verdict(&b, &receive(json!({"TarpitInterval": "00:00:05"}))),
        Verdict::Pass
    );
    assert_eq!(
        verdict(&b, &receive(json!({"TarpitInterval": "00:00:06"}))),
        Verdict::Pass
    );
    assert_eq!(
        verdict(&b, &receive(json!({"TarpitInterval": "00:00:04"}))),
        Verdict::Fail
    );
    assert_eq!(
        verdict(&b, &receive(json!({"TarpitInterval": "00:00:00"}))),
        Verdict::Fail
    );
}

#[test]
fn retry_count_is_a_maximum_and_reads_2010_cmdlets() {
    let b = bound(
        EDGE,
        "Exchange Send connectors delivery retries must be controlled.",
        "Get-TransportServer -Identity <server> | Select Name, Identity, TransientFailureRetryCount\nA TransientFailureRetryCount set to 10 or less passes; more fails.",
    );
    assert_eq!(b.spec.id, "transport.retry-count");
    assert_eq!(b.fix_cmdlet(), "Set-TransportServer");
    let ts = |n: i64| {
        object(
            ObjectKind::TransportService,
            json!({"Name": "EDGE01", "TransientFailureRetryCount": n}),
        )
    };
    assert_eq!(verdict(&b, &ts(10)), Verdict::Pass);
    assert_eq!(verdict(&b, &ts(9)), Verdict::Pass);
    assert_eq!(verdict(&b, &ts(11)), Verdict::Fail);
}

#[test]
fn unlimited_inbound_connections_fail_unless_documented() {
    let b = bound(
        EDGE,
        "The Exchange Internet Receive connector connections count must be set to default.",
        "Get-ReceiveConnector | Select Name, Identity, MaxInboundConnection\nIf MaxInboundConnection is not set to 5000, this is a finding.\nUnlimited with signoff and risk acceptance in the EDSP is not a finding.",
    );
    assert_eq!(b.scope, RuleScope::Internet);
    assert_eq!(
        verdict(&b, &receive(json!({"MaxInboundConnection": 5000}))),
        Verdict::Pass
    );
    assert_eq!(
        verdict(&b, &receive(json!({"MaxInboundConnection": 5001}))),
        Verdict::Fail
    );
    let unlimited = receive(json!({"MaxInboundConnection": {"IsUnlimited": true, "Value": null}}));
    assert_eq!(verdict(&b, &unlimited), Verdict::Fail);
    let site = Site::parse(
        std::path::Path::new("s.toml"),
        "[values]\nmax_inbound_connection = \"Unlimited\"\n",
    )
    .unwrap();
    assert_eq!(verdict_with(&b, &unlimited, &site, None), Verdict::Pass);
}

#[test]
fn auth_mechanism_exact_on_edge_and_includes_on_mailbox() {
    let exact = bound(
        EDGE,
        "Exchange internal Receive connectors must require encryption.",
        "Get-ReceiveConnector | Select Name, Identity, AuthMechanism\nFor each Receive connector, if the value of AuthMechanism is not set to Tls, this is a finding.",
    );
    assert_eq!(
        (exact.spec.id, exact.comparison, exact.scope),
        ("receive.auth-tls", Comparison::Equal, RuleScope::Internal)
    );
    assert_eq!(
        verdict(&exact, &receive(json!({"AuthMechanism": "Tls"}))),
        Verdict::Pass
    );
    assert_eq!(
        verdict(&exact, &receive(json!({"AuthMechanism": 1}))),
        Verdict::Pass
    );
    assert_eq!(
        verdict(&exact, &receive(json!({"AuthMechanism": 17}))),
        Verdict::Fail
    );
    assert_eq!(
        verdict(
            &exact,
            &receive(json!({"AuthMechanism": "tls, exchangeserver"}))
        ),
        Verdict::Fail
    );
    assert!(
        matches!(verdict(&exact, &receive(json!({"AuthMechanism": "Tlss"}))), Verdict::Unknown(why) if why.contains("Tlss"))
    );
    let includes = bound(
        MAILBOX,
        "Exchange internal Receive connectors must require encryption.",
        "Remark: the connector may include other mechanisms as long as the Tls one is there.\nGet-ReceiveConnector | Select Name, Identity, AuthMechanism\nWhen AuthMechanism is not set to \"Tls\", this is a finding.",
    );
    assert_eq!(includes.comparison, Comparison::Includes);
    assert_eq!(
        verdict(&includes, &receive(json!({"AuthMechanism": 31}))),
        Verdict::Pass
    );
    assert_eq!(
        verdict(
            &includes,
            &receive(json!({"AuthMechanism": "BasicAuth, Integrated"}))
        ),
        Verdict::Fail
    );
    let basic = bound(
        EDGE,
        "Exchange Internet-facing Receive connectors must offer Transport Layer Security (TLS) before using basic authentication.",
        "Get-ReceiveConnector | Select Name, Identity, AuthMechanism\nWhen AuthMechanism is not set to 'Tls, BasicAuth, BasicAuthRequireTLS', this is a finding.",
    );
    assert_eq!(
        (basic.spec.id, basic.scope),
        ("receive.auth-tls-basic", RuleScope::Internet)
    );
    assert_eq!(
        verdict(
            &basic,
            &receive(json!({"AuthMechanism": "BasicAuthRequireTLS, Tls, BasicAuth"}))
        ),
        Verdict::Pass
    );
    assert_eq!(
        verdict(&basic, &receive(json!({"AuthMechanism": 13}))),
        Verdict::Pass
    );
    assert_eq!(
        verdict(&basic, &receive(json!({"AuthMechanism": 5}))),
        Verdict::Fail
    );
}

#[test]
fn catalog_terms_bind_without_prose() {
    let mut r = rule(
        "Exchange internal Receive connectors must require encryption.",
        "",
    );
    r.check_terms = vec![
        "Tls".into(),
        "Get-ReceiveConnector".into(),
        "Name".into(),
        "Identity".into(),
        "AuthMechanism".into(),
    ];
    let b = bind(&benchmark(MAILBOX), &r).unwrap();
    assert_eq!(
        (b.spec.id, b.comparison),
        ("receive.auth-tls", Comparison::Includes)
    );
    r.check_terms.rotate_left(1);
    let b = bind(&benchmark(MAILBOX), &r).unwrap();
    assert_eq!(b.comparison, Comparison::Equal);
    assert!(
        b.expected_source.contains("title") || b.expected_source.contains("catalog"),
        "{}",
        b.expected_source
    );
    // No value at all: the role decides the timeout.
    let mut t = rule("Exchange must limit the Receive connector timeout.", "");
    t.check_terms = vec!["Get-ReceiveConnector".into(), "ConnectionTimeout".into()];
    let edge = bind(&benchmark(EDGE), &t).unwrap();
    let mailbox = bind(&benchmark(MAILBOX), &t).unwrap();
    assert_eq!(
        edge.expected,
        Some(Expected::Time(TimeSpan::from_seconds(300)))
    );
    assert_eq!(
        mailbox.expected,
        Some(Expected::Time(TimeSpan::from_seconds(600)))
    );
    assert!(edge.expected_source.contains("default"));
}

#[test]
fn unrelated_rules_are_not_bound() {
    // Runs Get-TransportService but is no transport setting: the server family's title binding.
    assert_eq!(
        bind(
            &benchmark(EDGE),
            &rule(
                "Exchange must provide redundancy.",
                "Get-TransportService | FL\nReview the output."
            )
        )
        .map(|b| b.spec.id),
        Some("server.edge-redundancy")
    );
    // The Malware Agent rules are the antispam family's (checks::antispam_tests).
    assert!(
        bind(
            &benchmark(EDGE),
            &rule("Malware agent", "Get-TransportAgent \"Malware Agent\"")
        )
        .is_some_and(|b| b.spec.id.starts_with("antispam."))
    );
    assert!(
        bind(
            &benchmark(EDGE),
            &rule("Contacts", "Get-MailContact | Select ExternalEmailAddress")
        )
        .is_none()
    );
}

#[test]
fn anonymous_rule_scope_follows_the_check_text() {
    let title = "Exchange internal Receive connectors must not allow anonymous connections.";
    let any = bound(
        MAILBOX,
        title,
        "Get-ReceiveConnector | Select Name, Identity, PermissionGroups\nIf PermissionGroups is \"AnonymousUsers\" for any receive connector, this is a finding.",
    );
    assert_eq!(any.scope, RuleScope::All);
    let internal = bound(
        EDGE,
        title,
        "Get-ReceiveConnector | Select Name, Identity, PermissionGroups\nIf PermissionGroups is AnonymousUsers for any non-Internet connector, this is a finding.",
    );
    assert_eq!(internal.scope, RuleScope::Internal);
    assert_eq!(
        verdict(&any, &receive(json!({"PermissionGroups": 13}))),
        Verdict::Fail
    );
    assert_eq!(
        verdict(
            &any,
            &receive(json!({"PermissionGroups": "ExchangeUsers, ExchangeServers"}))
        ),
        Verdict::Pass
    );
    assert_eq!(
        verdict(&any, &receive(json!({"PermissionGroups": 0}))),
        Verdict::Pass
    );
    let j = judge(
        &any,
        &receive(json!({"PermissionGroups": 13})),
        &Context {
            site: &Site::default(),
            transport_config: None,
            inventory: None,
        },
    );
    assert_eq!(
        j.fix.as_deref(),
        Some("-PermissionGroups 'ExchangeServers, ExchangeLegacyServers'")
    );
}

#[test]
fn banner_is_an_exact_string() {
    let b = bound(
        MAILBOX,
        "The Exchange SMTP automated banner response must not reveal server details.",
        "Get-ReceiveConnector | Select Name, Identity, Banner\nIf the value of Banner is not set to 220 SMTP Server Ready, this is a finding.",
    );
    assert_eq!(
        b.expected,
        Some(Expected::Text("220 SMTP Server Ready".into()))
    );
    assert_eq!(
        verdict(&b, &receive(json!({"Banner": "220 SMTP Server Ready"}))),
        Verdict::Pass
    );
    assert_eq!(verdict(&b, &receive(json!({"Banner": ""}))), Verdict::Fail);
    assert_eq!(
        verdict(&b, &receive(json!({"Banner": null}))),
        Verdict::Fail
    );
    assert_eq!(
        verdict(
            &b,
            &receive(json!({"Banner": "220 mail.example.mil Microsoft ESMTP"}))
        ),
        Verdict::Fail
    );
}

#[test]
fn message_size_compares_with_the_global_value() {
    let b = bound(
        MAILBOX,
        "Exchange Message size restrictions must be controlled on Receive connectors.",
        "Get-ReceiveConnector | Select Name, Identity, MaxMessageSize\nIf MaxMessageSize is not the same as the global value, this is a finding.",
    );
    assert_eq!(b.comparison, Comparison::SameAsGlobal);
    let config = object(
        ObjectKind::TransportConfig,
        json!({"MaxReceiveSize": {"IsUnlimited": false, "Value": "10 MB (10,485,760 bytes)"}}),
    );
    let site = Site::default();
    assert_eq!(
        verdict_with(
            &b,
            &receive(json!({"MaxMessageSize": "10 MB (10,485,760 bytes)"})),
            &site,
            Some(&config)
        ),
        Verdict::Pass
    );
    assert_eq!(
        verdict_with(
            &b,
            &receive(json!({"MaxMessageSize": 10_485_761})),
            &site,
            Some(&config)
        ),
        Verdict::Fail
    );
    assert!(
        matches!(verdict_with(&b, &receive(json!({"MaxMessageSize": {}})), &site, Some(&config)), Verdict::Unknown(why) if why.contains("re-export"))
    );
    assert!(
        matches!(verdict(&b, &receive(json!({"MaxMessageSize": "10MB"}))), Verdict::Unknown(why) if why.contains("[values] max_receive_size"))
    );
    let with_value = Site::parse(
        std::path::Path::new("site.toml"),
        "[values]\nmax_receive_size = \"10MB\"\n",
    )
    .unwrap();
    assert_eq!(
        verdict_with(
            &b,
            &receive(json!({"MaxMessageSize": "10MB"})),
            &with_value,
            None
        ),
        Verdict::Pass
    );
}

#[test]
fn receive_scope_inferred_or_declared() {
    let internet = receive(
        json!({"Identity": "MBX01\\Default Frontend MBX01", "PermissionGroups": 13, "Bindings": ["[::]:25", "0.0.0.0:25"],
        "RemoteIPRanges": ["::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "0.0.0.0-255.255.255.255"], "TransportRole": 16384}),
    );
    let s = connector_scope(
        &internet,
        &Site::default(),
        Some(crate::inventory::ServerRole::Mailbox),
    );
    assert_eq!(s.scope, Some(Scope::Internet));
    assert_eq!(
        s.basis,
        "inferred: port 25, AnonymousUsers, all remote addresses, FrontendTransport"
    );
    let relay = receive(
        json!({"Identity": "MBX01\\Relay", "PermissionGroups": "AnonymousUsers", "Bindings": ["0.0.0.0:25"],
        "RemoteIPRanges": ["192.0.2.50"], "TransportRole": "FrontendTransport"}),
    );
    assert_eq!(
        connector_scope(&relay, &Site::default(), None).scope,
        Some(Scope::Internal)
    );
    let hub = receive(
        json!({"PermissionGroups": 13, "Bindings": ["0.0.0.0:25"], "RemoteIPRanges": ["0.0.0.0-255.255.255.255"], "TransportRole": "HubTransport"}),
    );
    assert_eq!(
        connector_scope(&hub, &Site::default(), None).scope,
        Some(Scope::Internal)
    );
    assert_eq!(
        connector_scope(
            &hub,
            &Site::default(),
            Some(crate::inventory::ServerRole::Edge)
        )
        .scope,
        Some(Scope::Internet)
    );
    let site = Site::parse(
        std::path::Path::new("site.toml"),
        "[[connector]]\nmatch = \"MBX01\\\\Relay\"\nscope = \"internet\"\n",
    )
    .unwrap();
    let declared = connector_scope(&relay, &site, None);
    assert_eq!(declared.scope, Some(Scope::Internet));
    assert!(declared.basis.starts_with("declared in site.toml"));
    let unreadable = receive(json!({"PermissionGroups": "Everyone"}));
    let unknown = connector_scope(&unreadable, &Site::default(), None);
    assert_eq!(unknown.scope, None);
    assert!(unknown.basis.contains("[[connector]]"), "{}", unknown.basis);
}

#[test]
fn send_scope_and_smart_host() {
    let internet = object(
        ObjectKind::SendConnector,
        json!({"Name": "To Internet", "AddressSpaces": ["SMTP:*;1"], "SmartHosts": ["[192.0.2.25]"], "DNSRoutingEnabled": false}),
    );
    assert_eq!(
        connector_scope(&internet, &Site::default(), None).scope,
        Some(Scope::Internet)
    );
    let partner = object(
        ObjectKind::SendConnector,
        json!({"Name": "Partner", "AddressSpaces": "smtp:partner.example;1", "SmartHosts": [], "DNSRoutingEnabled": true}),
    );
    assert_eq!(
        connector_scope(&partner, &Site::default(), None).scope,
        Some(Scope::Internal)
    );
    let b = bound(
        EDGE,
        "Exchange Internet-facing Send connectors must specify a Smart Host.",
        "Get-SendConnector | Select Name, Identity, SmartHosts, DNSRoutingEnabled\nA finding when SmartHosts lacks the smart host address and DNSRoutingEnabled is not set to False.",
    );
    assert!(b.dns_routing_off);
    assert!(matches!(verdict(&b, &internet), Verdict::Unknown(why) if why.contains("smart_hosts")));
    assert_eq!(verdict(&b, &partner), Verdict::Fail);
    let approved = Site::parse(
        std::path::Path::new("site.toml"),
        "[values]\nsmart_hosts = [\"192.0.2.25\"]\n",
    )
    .unwrap();
    assert_eq!(verdict_with(&b, &internet, &approved, None), Verdict::Pass);
    let other = Site::parse(
        std::path::Path::new("site.toml"),
        "[values]\nsmart_hosts = [\"192.0.2.26\"]\n",
    )
    .unwrap();
    assert_eq!(verdict_with(&b, &internet, &other, None), Verdict::Fail);
}

#[test]
fn send_domain_security_and_tls_checks() {
    let plain = bound(
        EDGE,
        "Exchange internal Send connectors must use domain security.",
        "Get-SendConnector | Select Name, Identity, DomainSecureEnabled\nIf DomainSecureEnabled is not set to True, this is a finding.",
    );
    let branch = bound(
        EDGE,
        "Exchange internal Send connectors must use domain security.",
        "Get-SendConnector | Select Name, Identity, DomainSecureEnabled, DNSRoutingEnabled, RequireTLS, TlsAuthLevel\nWhen the send connector does not use a smarthost, DomainSecureEnabled must be True.",
    );
    assert!(!plain.smart_host_branch && branch.smart_host_branch);
    let smart = object(
        ObjectKind::SendConnector,
        json!({"Name": "S", "SmartHosts": ["relay.example.mil"], "DomainSecureEnabled": false,
        "DNSRoutingEnabled": false, "RequireTLS": true, "TlsAuthLevel": 4, "TlsDomain": null}),
    );
    assert_eq!(verdict(&plain, &smart), Verdict::Fail);
    assert_eq!(verdict(&branch, &smart), Verdict::Pass);
    let weak = object(
        ObjectKind::SendConnector,
        json!({"Name": "S", "SmartHosts": ["relay.example.mil"], "DomainSecureEnabled": false,
        "DNSRoutingEnabled": false, "RequireTLS": true, "TlsAuthLevel": "CertificateValidation"}),
    );
    assert_eq!(verdict(&branch, &weak), Verdict::Fail);
    let level = bound(
        EDGE,
        "Exchange internal Send connectors must use an authentication level.",
        "Get-SendConnector | Select Name, Identity, TlsAuthLevel\nWhen TlsAuthLevel is not set to 'DomainValidation, this is a finding.",
    );
    assert_eq!(
        level.expected,
        Some(Expected::Flags(["DomainValidation"].into_iter().collect()))
    );
    assert_eq!(verdict(&level, &smart), Verdict::Pass);
    assert_eq!(verdict(&level, &weak), Verdict::Fail);
    assert_eq!(
        verdict(
            &level,
            &object(ObjectKind::SendConnector, json!({"TlsAuthLevel": null}))
        ),
        Verdict::Fail
    );
    let domain = bound(
        MAILBOX,
        "Exchange internal Send connectors must require encryption.",
        "Get-SendConnector | Select Name, Identity, TlsDomain\nIf TlsDomain is not set to the value of the internal <SMTP Domain>, this is a finding.",
    );
    // An unset TlsDomain is "not set to the value of the internal SMTP domain", whatever
    // that domain is: Open without the site value (issue 12).
    assert_eq!(verdict(&domain, &smart), Verdict::Fail);
    let j = judge(
        &domain,
        &smart,
        &Context {
            site: &Site::default(),
            transport_config: None,
            inventory: None,
        },
    );
    assert_eq!(j.actual, "(not set)");
    assert_eq!(
        j.fix.as_deref(),
        Some("-TlsDomain <internal SMTP domain>"),
        "a placeholder, which the fix command comments out"
    );
    let site = Site::parse(
        std::path::Path::new("site.toml"),
        "[values]\ninternal_smtp_domain = \"mail.example.mil\"\n",
    )
    .unwrap();
    let with = |d: &str| object(ObjectKind::SendConnector, json!({"TlsDomain": d}));
    // A set TlsDomain needs the internal domain to be compared.
    assert!(
        matches!(verdict(&domain, &with("mail.example.mil")), Verdict::Unknown(why) if why.contains("internal_smtp_domain"))
    );
    assert_eq!(verdict_with(&domain, &smart, &site, None), Verdict::Fail);
    assert_eq!(
        verdict_with(&domain, &with("MAIL.example.mil"), &site, None),
        Verdict::Pass
    );
    assert_eq!(
        verdict_with(&domain, &with("example.mil"), &site, None),
        Verdict::Fail
    );
}

#[test]
fn transport_config_and_service_checks() {
    let size = bound(
        MAILBOX,
        "The Exchange global inbound message size must be controlled.",
        "Get-TransportConfig | Select Name, Identity, MaxReceiveSize\nIf the value of \"MaxReceiveSize\" is not set to \"10MB\", this is a finding.\nAn alternate value with signoff and risk acceptance in the EDSP is not a finding.",
    );
    assert_eq!(size.expected, Some(Expected::Size(Size::Bytes(10 << 20))));
    let tc = |v: Value| object(ObjectKind::TransportConfig, json!({"MaxReceiveSize": v}));
    assert_eq!(
        verdict(&size, &tc(json!("10 MB (10,485,760 bytes)"))),
        Verdict::Pass
    );
    assert_eq!(
        verdict(&size, &tc(json!({"IsUnlimited": true}))),
        Verdict::Fail
    );
    assert_eq!(verdict(&size, &tc(json!(10_485_759))), Verdict::Fail);
    let servers = bound(
        MAILBOX,
        "Exchange must have anti-spam filtering configured.",
        "Remark: with another DoD-approved antispam product in use the rule is not applicable.\nGet-TransportConfig | Format-List InternalSMTPServers\nEvery address listed must be an accepted SMTP server.",
    );
    assert_eq!(servers.spec.id, "org.internal-smtp-servers");
    assert!(servers.not_applicable_note.is_some());
    let obj = object(
        ObjectKind::TransportConfig,
        json!({"InternalSMTPServers": ["192.0.2.10", "192.0.2.11"]}),
    );
    let accepted = Site::parse(
        std::path::Path::new("s.toml"),
        "[values]\ninternal_smtp_servers = [\"192.0.2.10\", \"192.0.2.11\"]\n",
    )
    .unwrap();
    assert_eq!(verdict_with(&servers, &obj, &accepted, None), Verdict::Pass);
    let fewer = Site::parse(
        std::path::Path::new("s.toml"),
        "[values]\ninternal_smtp_servers = [\"192.0.2.10\"]\n",
    )
    .unwrap();
    assert_eq!(verdict_with(&servers, &obj, &fewer, None), Verdict::Fail);
    let eemsg = Site::parse(
        std::path::Path::new("s.toml"),
        "[values]\nantispam_product = \"EEMSG\"\n",
    )
    .unwrap();
    assert!(matches!(
        verdict_with(&servers, &obj, &eemsg, None),
        Verdict::NotApplicable(_)
    ));
    let dns = bound(
        EDGE,
        "The Exchange Edge server must point to a trusted list of DNS servers.",
        "Only multi-homed servers are concerned.\nGet-TransportService |Format-List *dns*\nWhen ExternalDNSAdapterEnabled is True the adapter needs a GUID.",
    );
    assert_eq!(dns.spec.id, "transport.dns-servers");
    let ts = object(
        ObjectKind::TransportService,
        json!({"Name": "EDGE01", "ExternalDNSAdapterEnabled": false, "ExternalDNSServers": ["192.0.2.53"],
        "InternalDNSAdapterEnabled": true, "InternalDNSAdapterGuid": "7b1c1d5e-0000-4000-8000-000000000001"}),
    );
    assert!(matches!(verdict(&dns, &ts), Verdict::Unknown(why) if why.contains("multi_homed")));
    let site = Site::parse(
        std::path::Path::new("s.toml"),
        "[values]\nmulti_homed = true\ndns_servers = [\"192.0.2.53\"]\n",
    )
    .unwrap();
    assert_eq!(verdict_with(&dns, &ts, &site, None), Verdict::Pass);
    let single = Site::parse(
        std::path::Path::new("s.toml"),
        "[values]\nmulti_homed = false\n",
    )
    .unwrap();
    assert!(matches!(
        verdict_with(&dns, &ts, &single, None),
        Verdict::NotApplicable(_)
    ));
    let untrusted = Site::parse(
        std::path::Path::new("s.toml"),
        "[values]\nmulti_homed = true\ndns_servers = [\"192.0.2.54\"]\n",
    )
    .unwrap();
    assert_eq!(verdict_with(&dns, &ts, &untrusted, None), Verdict::Fail);
    let log = bound(
        EDGE,
        "Exchange Connectivity logging must be enabled.",
        "Get-TransportService | Select Name, Identity, ConnectivityLogEnabled\nIf the value of ConnectivityLogEnabled is not set to True, this is a finding.",
    );
    assert_eq!(
        verdict(
            &log,
            &object(
                ObjectKind::TransportService,
                json!({"ConnectivityLogEnabled": "True"})
            )
        ),
        Verdict::Pass
    );
    assert_eq!(
        verdict(
            &log,
            &object(
                ObjectKind::TransportService,
                json!({"ConnectivityLogEnabled": false})
            )
        ),
        Verdict::Fail
    );
}

#[test]
fn naming_needs_a_human() {
    let b = bound(
        EDGE,
        "Exchange Receive connectors must be clearly named.",
        "Get-ReceiveConnector | Select Name, Identity\nReview the naming for connectors.",
    );
    assert_eq!(b.spec.id, "receive.naming");
    assert!(
        matches!(verdict(&b, &receive(json!({"Name": "Test"}))), Verdict::Unknown(why) if why.contains("human"))
    );
    assert!(
        describe(
            &benchmark(EDGE),
            &rule(
                "Exchange Receive connectors must be clearly named.",
                "Get-ReceiveConnector | Select Name, Identity"
            )
        )
        .unwrap()
        .starts_with("receive.naming")
    );
}

#[test]
fn equality_checks_have_no_tolerance() {
    let hop = bound(
        MAILBOX,
        "The Exchange Receive Connector Maximum Hop Count must be 60.",
        "Get-ReceiveConnector | Select Name, MaxHopCount\nIf the value of \"MaxHopCount\" is not set to \"60\", this is a finding.",
    );
    for (n, want) in [
        (59, Verdict::Fail),
        (60, Verdict::Pass),
        (61, Verdict::Fail),
    ] {
        assert_eq!(
            verdict(&hop, &receive(json!({"MaxHopCount": n}))),
            want,
            "{n}"
        );
    }
    let idle = bound(
        MAILBOX,
        "The Exchange Outbound Connection Timeout must be 10 minutes or less.",
        "Get-SendConnector | Select Name, Identity, ConnectionInactivityTimeOut\nIf ConnectionInactivityTimeOut is not set to 00:10:00, this is a finding.",
    );
    let send = |t: &str| {
        object(
            ObjectKind::SendConnector,
            json!({"ConnectionInactivityTimeOut": t}),
        )
    };
    assert_eq!(verdict(&idle, &send("00:10:00")), Verdict::Pass);
    assert_eq!(
        verdict(&idle, &send("00:09:59")),
        Verdict::Fail,
        "the check tests equality although the title says 'or less'"
    );
    assert_eq!(verdict(&idle, &send("1.00:10:00")), Verdict::Fail);
    let outbound = bound(
        EDGE,
        "Exchange Send connector connections count must be limited.",
        "Get-TransportService | Select Name, Identity, MaxOutboundConnections\nIf the value of MaxOutboundConnections is not set to 1000, this is a finding.",
    );
    let ts = |v: Value| {
        object(
            ObjectKind::TransportService,
            json!({"Name": "EDGE01", "MaxOutboundConnections": v}),
        )
    };
    assert_eq!(verdict(&outbound, &ts(json!("1000"))), Verdict::Pass);
    assert_eq!(verdict(&outbound, &ts(json!(999))), Verdict::Fail);
    assert_eq!(verdict(&outbound, &ts(json!("Unlimited"))), Verdict::Fail);
    let subject = bound(
        MAILBOX,
        "Exchange Email Subject Line logging must be disabled.",
        "Get-TransportService | Select Name, Identity, MessageTrackingLogSubjectLoggingEnabled\nIf the value of MessageTrackingLogSubjectLoggingEnabled is not set to False, this is a finding.",
    );
    assert_eq!(subject.expected, Some(Expected::Bool(false)));
    let flag = |b: bool| {
        object(
            ObjectKind::TransportService,
            json!({"MessageTrackingLogSubjectLoggingEnabled": b}),
        )
    };
    assert_eq!(verdict(&subject, &flag(false)), Verdict::Pass);
    assert_eq!(verdict(&subject, &flag(true)), Verdict::Fail);
    let chunking = bound(
        EDGE,
        "Exchange Receive connectors must control the number of recipients chunked on a single message.",
        "Get-ReceiveConnector | Select Name, Identity, ChunkingEnabled\nIf the value of 'ChunkingEnabled' is set to 'True', this is not a finding.",
    );
    assert_eq!(
        verdict(&chunking, &receive(json!({"ChunkingEnabled": "False"}))),
        Verdict::Fail
    );
    assert!(matches!(
        verdict(&chunking, &receive(json!({"ChunkingEnabled": "yes"}))),
        Verdict::Unknown(_)
    ));
}

#[test]
fn unlimited_global_size_is_never_accepted_where_the_text_says_so() {
    let text = "Get-TransportConfig | Select Identity, MaxSendSize\nIf the value of 'MaxSendSize' is set to 10MB, this is not a finding.\nIf set to an alternate value with signoff and risk acceptance in the EDSP, this is not a finding.\nIf the value of 'MaxSendSize' is set to \u{201c}Unlimited\u{201d}, this is a finding.";
    let b = bound(
        "Exchange 2010 Hub Transport Server STIG",
        "Global outbound message size must be controlled.",
        text,
    );
    assert!(b.unlimited_forbidden && b.edsp_allowed);
    let unlimited = object(
        ObjectKind::TransportConfig,
        json!({"MaxSendSize": "Unlimited"}),
    );
    let site = Site::parse(
        std::path::Path::new("s.toml"),
        "[values]\nmax_send_size = \"Unlimited\"\n",
    )
    .unwrap();
    assert_eq!(verdict_with(&b, &unlimited, &site, None), Verdict::Fail);
    let twenty = Site::parse(
        std::path::Path::new("s.toml"),
        "[values]\nmax_send_size = \"20MB\"\n",
    )
    .unwrap();
    assert_eq!(
        verdict_with(
            &b,
            &object(
                ObjectKind::TransportConfig,
                json!({"MaxSendSize": "20 MB (20,971,520 bytes)"})
            ),
            &twenty,
            None
        ),
        Verdict::Pass
    );
}

#[test]
fn send_tls_domain_validation_method_branch() {
    let b = bound(
        EDGE,
        "Exchange internal Send connectors must require encryption.",
        "Find in the EDSP which secure validation method each send connector uses.\nGet-SendConnector | Select-Object -Property Name, Identity, TlsDomain\nWhen TlsDomain is not set to the internal SMTP domain, this is a finding.\nGet-SendConnector | Select-Object -Property Name, Identity, DomainSecureEnabled",
    );
    assert_eq!(b.spec.id, "send.tls-domain");
    assert!(b.validation_method);
    let site = Site::parse(
        std::path::Path::new("s.toml"),
        "[values]\ninternal_smtp_domain = \"mail.example.mil\"\n",
    )
    .unwrap();
    let send = |d: Value, secure: bool| {
        object(
            ObjectKind::SendConnector,
            json!({"TlsDomain": d, "DomainSecureEnabled": secure, "TlsAuthLevel": "DomainValidation"}),
        )
    };
    assert_eq!(
        verdict_with(&b, &send(json!("mail.example.mil"), false), &site, None),
        Verdict::Pass
    );
    // DomainValidation means TlsAuthLevel DomainValidation with the TlsDomain: the domain alone
    // does not pass (issue 12), with or without the site value.
    let weak = object(
        ObjectKind::SendConnector,
        json!({"TlsDomain": "mail.example.mil", "DomainSecureEnabled": false, "TlsAuthLevel": "EncryptionOnly"}),
    );
    assert_eq!(verdict_with(&b, &weak, &site, None), Verdict::Fail);
    assert_eq!(verdict(&b, &weak), Verdict::Fail);
    assert!(matches!(
        verdict(&b, &send(json!("mail.example.mil"), false)),
        Verdict::Unknown(why) if why.contains("internal_smtp_domain")
    ));
    assert_eq!(verdict(&b, &send(json!(null), false)), Verdict::Fail);
    let secure_only = object(
        ObjectKind::SendConnector,
        json!({"TlsDomain": null, "DomainSecureEnabled": true}),
    );
    assert_eq!(verdict(&b, &secure_only), Verdict::Pass);
    assert_eq!(
        verdict_with(&b, &send(json!(null), true), &site, None),
        Verdict::Pass
    );
    assert_eq!(
        verdict_with(&b, &send(json!(null), false), &site, None),
        Verdict::Fail
    );
}

#[test]
fn literal_text_defects_are_read_by_intent_and_said() {
    let retry = bound(
        EDGE,
        "Exchange Send connectors delivery retries must be controlled.",
        "Get-TransportService | Select Name, Identity, TransientFailureRetryCount\nWhen TransientFailureRetryCount is not set to 10 or less, this is a finding.\nThe text goes on: a count of more than 10 or has signoff (sic) passes.",
    );
    assert_eq!(
        (retry.comparison, retry.expected.clone()),
        (Comparison::AtMost, Some(Expected::Number(10)))
    );
    assert!(
        retry.notes.iter().any(|n| n.contains("\"and\"")),
        "{:?}",
        retry.notes
    );
    let ts = object(
        ObjectKind::TransportService,
        json!({"TransientFailureRetryCount": 11}),
    );
    assert_eq!(
        verdict(&retry, &ts),
        Verdict::Fail,
        "more than 10 without an EDSP value is a finding"
    );
    let timeout = bound(
        EDGE,
        "Exchange must limit the Receive connector timeout.",
        "Get-ReceiveConnector | Select Name, Identity, ConnectionTimeout\nIf ConnectionTimeout is not set to 00:05:00, this is a finding.",
    );
    assert!(timeout.notes.iter().any(|n| n.contains("exactly")));
    let hop = bound(
        EDGE,
        "Receive connector Maximum Hop Count must be 60.",
        "Get-ReceiveConnector | Select Name, MaxHopCount\nIf MaxHopCount is not set to 60, this is a finding.",
    );
    assert!(hop.notes.is_empty());
}

#[test]
fn send_message_size_also_meets_the_documented_value() {
    let b = bound(
        MAILBOX,
        "Exchange message size restrictions must be controlled on Send connectors.",
        "Get-SendConnector | Select Name, Identity, MaxMessageSize\nIf MaxMessageSize is not the same as the global value, this is a finding.\nIf MaxMessageSize differs from the maximum message send size value documented in the EDSP, this is a finding.",
    );
    let config = object(
        ObjectKind::TransportConfig,
        json!({"MaxSendSize": "10 MB (10,485,760 bytes)"}),
    );
    let send = object(
        ObjectKind::SendConnector,
        json!({"MaxMessageSize": {"IsUnlimited": false, "Value": "10 MB (10,485,760 bytes)"}}),
    );
    assert_eq!(
        verdict_with(&b, &send, &Site::default(), Some(&config)),
        Verdict::Pass
    );
    let same = Site::parse(
        std::path::Path::new("s.toml"),
        "[values]\nmax_send_size = \"10MB\"\n",
    )
    .unwrap();
    assert_eq!(verdict_with(&b, &send, &same, Some(&config)), Verdict::Pass);
    let other = Site::parse(
        std::path::Path::new("s.toml"),
        "[values]\nmax_send_size = \"20MB\"\n",
    )
    .unwrap();
    assert_eq!(
        verdict_with(&b, &send, &other, Some(&config)),
        Verdict::Fail
    );
    assert_eq!(
        verdict_with(&b, &send, &other, None),
        Verdict::Fail,
        "20MB documented, 10MB set"
    );
}

#[test]
fn remaining_checks_at_their_edges() {
    let secure = bound(
        EDGE,
        "Exchange external Receive connectors must be domain secure-enabled.",
        "Get-ReceiveConnector | Select Name, Identity, DomainSecureEnabled\nWhen DomainSecureEnabled is not set to True, this is a finding.",
    );
    assert_eq!(
        (secure.spec.id, secure.scope),
        ("receive.domain-secure", RuleScope::Internet)
    );
    assert_eq!(
        verdict(&secure, &receive(json!({"DomainSecureEnabled": true}))),
        Verdict::Pass
    );
    assert_eq!(
        verdict(&secure, &receive(json!({"DomainSecureEnabled": "False"}))),
        Verdict::Fail
    );
    assert!(matches!(
        verdict(&secure, &receive(json!({"DomainSecureEnabled": null}))),
        Verdict::Unknown(_)
    ));
    let per_domain = bound(
        EDGE,
        "Exchange Outbound Connection Limit per Domain Count must be controlled.",
        "Get-TransportService | Select Name, Identity, MaxPerDomainOutboundConnections\nWhen MaxPerDomainOutboundConnections is not set to 20, this is a finding.\nAnother value with signoff and risk acceptance in the EDSP passes.",
    );
    let ts = |v: Value| {
        object(
            ObjectKind::TransportService,
            json!({"MaxPerDomainOutboundConnections": v}),
        )
    };
    assert_eq!(verdict(&per_domain, &ts(json!(20))), Verdict::Pass);
    assert_eq!(
        verdict(&per_domain, &ts(json!({"IsUnlimited": false, "Value": 21}))),
        Verdict::Fail
    );
    assert_eq!(verdict(&per_domain, &ts(json!(19))), Verdict::Fail);
    let envelope = bound(
        MAILBOX,
        "The Exchange Global Recipient Count Limit must be set.",
        "Get-TransportConfig | Select Name, Identity, MaxRecipientEnvelopeLimit\nWhen MaxRecipientEnvelopeLimit is not set to 5000, this is a finding.",
    );
    let tc = |v: Value| {
        object(
            ObjectKind::TransportConfig,
            json!({"MaxRecipientEnvelopeLimit": v}),
        )
    };
    assert_eq!(verdict(&envelope, &tc(json!("5000"))), Verdict::Pass);
    assert_eq!(verdict(&envelope, &tc(json!("Unlimited"))), Verdict::Fail);
    assert_eq!(verdict(&envelope, &tc(json!(4999))), Verdict::Fail);
    let mut tracking = rule("Exchange message tracking logging must be enabled.", "");
    tracking.check_terms = vec![
        "Get-Transportservice".into(),
        "Name".into(),
        "MessageTrackingLogEnabled".into(),
    ];
    let tracking = bind(&benchmark(EDGE), &tracking).unwrap();
    assert_eq!(
        tracking.expected,
        Some(Expected::Bool(true)),
        "default when the catalog names no value"
    );
    let svc = |b: bool| {
        object(
            ObjectKind::TransportService,
            json!({"MessageTrackingLogEnabled": b}),
        )
    };
    assert_eq!(verdict(&tracking, &svc(true)), Verdict::Pass);
    assert_eq!(verdict(&tracking, &svc(false)), Verdict::Fail);
}
