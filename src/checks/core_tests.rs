//! Unit tests of the shared core: the family registry, the kinds table, and a new family made
//! of one declarative simple-property entry, bound and judged by the core alone.

use super::judge::{Context, Verdict, judge};
use super::spec::{CheckSpec, Family, StigValue, ValueType};
use super::{Expected, FAMILIES, RuleScope, bind_in, checks, fix, kinds};
use crate::benchmark::{Benchmark, Rule};
use crate::inventory::{Fidelity, InventoryObject, ObjectKind};
use crate::site::Site;
use serde_json::json;
use std::collections::BTreeSet;

#[test]
fn check_ids_are_unique_and_every_kind_has_its_facts() {
    let mut ids = BTreeSet::new();
    for spec in checks() {
        assert!(ids.insert(spec.id), "{} declared twice", spec.id);
        let facts = kinds::facts(spec.kind);
        assert!(
            facts
                .cmdlets
                .iter()
                .all(|c| kinds::of_cmdlet(c) == Some((c, spec.kind))),
            "{}",
            spec.id
        );
        assert_eq!(spec.property, spec.keys[0]);
    }
    let mut names = BTreeSet::new();
    for family in FAMILIES {
        assert!(
            names.insert(family.name),
            "family {} registered twice",
            family.name
        );
        assert!(
            !family.specs.is_empty(),
            "family {} has no checks",
            family.name
        );
    }
    assert_eq!(
        kinds::of_cmdlet("get-transportserver").map(|(c, _)| c),
        Some("Get-TransportServer")
    );
    assert_eq!(kinds::of_cmdlet("Get-MailContact"), None);
}

/// A new family: one declarative entry, nothing else.
static DEMO: Family = Family {
    name: "demo",
    specs: &[CheckSpec::property(
        "demo.client-auth-disabled",
        "-",
        ObjectKind::TransportConfig,
        &["SmtpClientAuthenticationDisabled"],
        ValueType::Bool,
    )
    .default(StigValue::Bool(true))],
    refine: None,
};

fn org(value: bool) -> InventoryObject {
    InventoryObject {
        kind: ObjectKind::TransportConfig,
        source: "config.json".into(),
        index: 0,
        fidelity: Fidelity::Exact,
        properties:
            json!({"Identity": "Transport Settings", "SmtpClientAuthenticationDisabled": value})
                .as_object()
                .cloned()
                .unwrap(),
    }
}

#[test]
fn one_declarative_entry_is_bound_by_meaning_and_judged_by_the_core() {
    let benchmark = Benchmark {
        id: "MS_Exchange_2019_Mailbox_Server_STIG".into(),
        ..Benchmark::default()
    };
    let rule = |check: &str| Rule {
        rule_id: "SV-9r1_rule".into(),
        title: "Exchange must disable SMTP client authentication.".into(),
        check_content: check.into(),
        ..Rule::default()
    };
    let stated = rule(
        "Open the Exchange Management Shell and enter:\nGet-TransportConfig | Select SmtpClientAuthenticationDisabled\nIf the value is not set to False, this is a finding.",
    );
    let b = bind_in(&[&DEMO], &benchmark, &stated).expect("bound");
    assert_eq!(b.spec.id, "demo.client-auth-disabled");
    assert_eq!(b.expected, Some(Expected::Bool(false)));
    assert_eq!(b.scope, RuleScope::All);
    // Without a stated value, the declared default.
    let unstated = bind_in(
        &[&DEMO],
        &benchmark,
        &rule("Get-TransportConfig | fl SmtpClientAuthenticationDisabled"),
    )
    .unwrap();
    assert_eq!(unstated.expected, Some(Expected::Bool(true)));
    // Another cmdlet or property is not this rule.
    assert!(
        bind_in(
            &[&DEMO],
            &benchmark,
            &rule("Get-TransportConfig | Select MaxSendSize")
        )
        .is_none()
    );
    assert!(
        bind_in(
            &[&DEMO],
            &benchmark,
            &rule("Get-SendConnector | Select SmtpClientAuthenticationDisabled")
        )
        .is_none()
    );

    let site = Site::default();
    let ctx = Context {
        site: &site,
        transport_config: None,
        inventory: None,
    };
    assert_eq!(judge(&b, &org(false), &ctx).verdict, Verdict::Pass);
    let failed = judge(&b, &org(true), &ctx);
    assert_eq!(failed.verdict, Verdict::Fail);
    let target = fix::target(&org(true));
    assert_eq!(
        fix::command(&b, &target, failed.fix.as_deref().unwrap()),
        "Set-TransportConfig -SmtpClientAuthenticationDisabled $false"
    );
}

/// Issue 12: a Receive connector that grants Partners, or whose RemoteIPRanges hold public
/// (globally routable) addresses, is Internet-facing, and the basis says why.
#[test]
fn partners_or_public_remote_ranges_make_a_receive_connector_internet_facing() {
    use super::scope::{connector_scope, is_public_range};
    use crate::site::Scope;
    let connector = |groups: &str, ranges: serde_json::Value| {
        InventoryObject {
        kind: ObjectKind::ReceiveConnector,
        source: "r.json".into(),
        index: 0,
        fidelity: Fidelity::Exact,
        properties: json!({"Identity": "MBX01\\Partner", "PermissionGroups": groups,
            "Bindings": ["0.0.0.0:2525"], "RemoteIPRanges": ranges, "TransportRole": "HubTransport"})
        .as_object()
        .cloned()
        .unwrap(),
    }
    };
    let site = Site::default();
    let partners = connector_scope(
        &connector("Partners, ExchangeServers", json!(["10.1.2.3"])),
        &site,
        None,
    );
    assert_eq!(partners.scope, Some(Scope::Internet));
    assert!(partners.basis.contains("Partners"), "{}", partners.basis);
    let public = connector_scope(
        &connector("AnonymousUsers", json!(["10.0.0.0/8", "20.30.40.0/24"])),
        &site,
        None,
    );
    assert_eq!(public.scope, Some(Scope::Internet));
    assert!(
        public.basis.contains("public") && public.basis.contains("20.30.40.0/24"),
        "{}",
        public.basis
    );
    let private = connector_scope(
        &connector(
            "AnonymousUsers",
            json!([
                "10.0.0.0/8",
                "172.16.0.1-172.31.255.255",
                "192.168.1.5",
                "fe80::1",
                "fd00::/8",
                "127.0.0.1"
            ]),
        ),
        &site,
        None,
    );
    assert_eq!(private.scope, Some(Scope::Internal));
    assert!(private.basis.contains("none public"), "{}", private.basis);
    for public in [
        "8.8.8.8",
        "2001:4860::/32",
        "172.15.0.0/16",
        "10.0.0.0-11.0.0.0",
        "11.0.0.0/7",
    ] {
        assert!(is_public_range(public), "{public}");
    }
    for not_public in [
        "10.0.0.0/8",
        "192.0.2.50",
        "100.64.0.1",
        "::1",
        "fc00::/7",
        "bogus",
        "10.0.0.0/33",
    ] {
        assert!(!is_public_range(not_public), "{not_public}");
    }
}

/// Issue 12: an empty list the check text requires to hold the EDSP's values is a finding
/// even when the site file does not give those values.
#[test]
fn empty_required_lists_are_findings_without_the_site_values() {
    let benchmark = Benchmark {
        id: "MS_Exchange_2019_Edge_Server_STIG".into(),
        ..Benchmark::default()
    };
    let rule = |title: &str, check: &str| Rule {
        title: title.into(),
        check_content: check.into(),
        ..Rule::default()
    };
    let object = |kind, props: serde_json::Value| InventoryObject {
        kind,
        source: "x.json".into(),
        index: 0,
        fidelity: Fidelity::Exact,
        properties: props.as_object().cloned().unwrap(),
    };
    let smtp = super::bind(
        &benchmark,
        &rule(
            "Exchange must have antispam filtering configured.",
            "Get-TransportConfig | Format-List InternalSMTPServers\nIf any internal SMTP server IP address returned does not reflect the list of accepted SMTP server IPs, this is a finding.",
        ),
    )
    .unwrap();
    assert_eq!(smtp.spec.id, "org.internal-smtp-servers");
    let site = Site::default();
    let ctx = Context {
        site: &site,
        transport_config: None,
        inventory: None,
    };
    let empty = judge(
        &smtp,
        &object(
            ObjectKind::TransportConfig,
            json!({"InternalSMTPServers": []}),
        ),
        &ctx,
    );
    assert_eq!(empty.verdict, Verdict::Fail);
    assert!(empty.expected.contains("empty list"), "{}", empty.expected);
    assert!(matches!(
        judge(&smtp, &object(ObjectKind::TransportConfig, json!({"InternalSMTPServers": ["10.0.0.5"]})), &ctx).verdict,
        Verdict::Unknown(why) if why.contains("internal_smtp_servers")
    ));
    let dns = super::bind(
        &benchmark,
        &rule(
            "The Exchange Edge server must point to a trusted list of DNS servers.",
            "Get-TransportService |Format-List *dns*\nIf \"ExternalDNSAdapterEnabled : False\", and the property \"ExternalDNSServers\" is not populated with the documented trusted DNS servers, this is a finding.",
        ),
    )
    .unwrap();
    assert_eq!(dns.spec.id, "transport.dns-servers");
    let multi_homed = Site::parse(
        std::path::Path::new("site.toml"),
        "[values]\nmulti_homed = true\n",
    )
    .unwrap();
    let service = object(
        ObjectKind::TransportService,
        json!({"Name": "EDGE01", "ExternalDNSAdapterEnabled": false, "ExternalDNSServers": [],
            "InternalDNSAdapterEnabled": true, "InternalDNSAdapterGuid": "1b2c3d4e-0000-0000-0000-000000000001"}),
    );
    let judged = judge(
        &dns,
        &service,
        &Context {
            site: &multi_homed,
            transport_config: None,
            inventory: None,
        },
    );
    assert_eq!(judged.verdict, Verdict::Fail, "{judged:?}");
    assert_eq!(
        judged.fix.as_deref(),
        Some("-ExternalDNSServers <trusted DNS servers>"),
        "only the failing side is changed"
    );
}

/// 2016 Edge V2R2 wording: the TlsDomain rule also selects DomainSecureEnabled and requires it.
#[test]
fn tls_domain_rule_that_also_selects_domain_secure_requires_both() {
    let benchmark = Benchmark {
        id: "MS_Exchange_2016_Edge_Transport_Server_STIG".into(),
        ..Benchmark::default()
    };
    let rule = Rule {
        title: "Exchange internal Send connectors must require encryption.".into(),
        check_content: "Get-SendConnector | Select Name, Identity, TlsDomain\nIf TlsDomain is not set to the internal SMTP domain, this is a finding.\nGet-SendConnector | Select Name, Identity, DomainSecureEnabled\nIf DomainSecureEnabled is not set to True, this is a finding.".into(),
        ..Rule::default()
    };
    let b = super::bind(&benchmark, &rule).unwrap();
    assert!(b.domain_secure_too && !b.smart_host_branch && !b.validation_method);
    let site = Site::parse(
        std::path::Path::new("site.toml"),
        "[values]\ninternal_smtp_domain = \"mail.example.mil\"\n",
    )
    .unwrap();
    let ctx = Context {
        site: &site,
        transport_config: None,
        inventory: None,
    };
    let send = |secure: bool| {
        InventoryObject {
        kind: ObjectKind::SendConnector,
        source: "s.json".into(),
        index: 0,
        fidelity: Fidelity::Exact,
        properties: json!({"Name": "To Mailbox", "TlsDomain": "mail.example.mil", "DomainSecureEnabled": secure})
            .as_object()
            .cloned()
            .unwrap(),
    }
    };
    assert_eq!(judge(&b, &send(true), &ctx).verdict, Verdict::Pass);
    let failed = judge(&b, &send(false), &ctx);
    assert_eq!(failed.verdict, Verdict::Fail);
    assert_eq!(
        failed.fix.as_deref(),
        Some("-TlsDomain 'mail.example.mil' -DomainSecureEnabled $true")
    );
}
