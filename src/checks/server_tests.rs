//! Tests of the server family: binding by title and cmdlet, and each judge's passing, failing
//! and undecided cases, including where Evaluate-STIG disagrees with the check text. The check
//! texts are short phrasings written for these tests.

use super::*;
use crate::checks::bind;
use crate::checks::judge::{Context, judge};
use crate::checks::tests::{benchmark, object, rule};
use crate::inventory::ObjectKind;
use crate::site::Site;
use serde_json::{Value, json};
use std::path::Path;

const EDGE: &str = "MS Exchange 2019 Edge Server STIG";
const MAILBOX: &str = "MS Exchange 2019 Mailbox Server STIG";

fn bound(role: &str, title: &str, check: &str) -> Binding {
    bind(&benchmark(role), &rule(title, check)).expect("bound")
}

fn site(values: &str) -> Site {
    Site::parse(Path::new("site.toml"), &format!("[values]\n{values}\n")).expect("site")
}

/// The judgement of a set rule over `objects`.
fn judge_set(binding: &Binding, objects: &[InventoryObject], site: &Site) -> Judgement {
    let refs: Vec<&InventoryObject> = objects.iter().collect();
    let judge = binding.spec.judge_set.expect("a set judge");
    judge(
        binding,
        &refs,
        &Context {
            site,
            transport_config: None,
            inventory: None,
        },
    )
}

fn judge_one(binding: &Binding, obj: &InventoryObject, site: &Site) -> Judgement {
    judge(
        binding,
        obj,
        &Context {
            site,
            transport_config: None,
            inventory: None,
        },
    )
}

fn objects(kind: ObjectKind, items: &[Value]) -> Vec<InventoryObject> {
    items.iter().map(|p| object(kind, p.clone())).collect()
}

fn crypto(view: &str, kind: &str, value: Value) -> Value {
    let path = if view == "Registry32" {
        "HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319"
    } else {
        "HKLM\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319"
    };
    json!({"Identity": format!("{path}\\SchUseStrongCrypto"), "Path": path, "Name": "SchUseStrongCrypto", "View": view, "ValueKind": kind, "Value": value})
}

#[test]
fn strong_crypto_needs_1_in_both_views_and_0_or_absent_is_a_finding() {
    let b = bound(
        EDGE,
        "SchUseStrongCrypto must be enabled.",
        "Run Get-ItemProperty HKLM:\\SOFTWARE\\Microsoft\\.NetFramework\\v4.0.30319 and look at SchUseStrongCrypto.",
    );
    assert_eq!(b.spec.id, "server.strong-crypto");
    let none = Site::default();
    let both = objects(
        ObjectKind::RegistryValue,
        &[
            crypto("Registry64", "DWord", json!(1)),
            crypto("Registry32", "DWord", json!(1)),
        ],
    );
    assert_eq!(judge_set(&b, &both, &none).verdict, Verdict::Pass);
    // Evaluate-STIG passes a REG_DWORD 0; the text does not.
    let zero = objects(
        ObjectKind::RegistryValue,
        &[
            crypto("Registry64", "DWord", json!(1)),
            crypto("Registry32", "DWord", json!(0)),
        ],
    );
    let j = judge_set(&b, &zero, &none);
    assert_eq!(j.verdict, Verdict::Fail);
    assert!(j.actual.contains("32-bit 0"), "{}", j.actual);
    let fix = j.fix.expect("fix");
    assert!(
        fix.contains("Wow6432Node") && fix.contains("-Value 1 -Type DWord"),
        "{fix}"
    );
    assert!(
        !fix.contains("SOFTWARE\\Microsoft\\.NETFramework"),
        "only the failing view: {fix}"
    );
    let absent = objects(
        ObjectKind::RegistryValue,
        &[
            crypto("Registry64", "Absent", Value::Null),
            crypto("Registry32", "DWord", json!(1)),
        ],
    );
    let j = judge_set(&b, &absent, &none);
    assert_eq!(j.verdict, Verdict::Fail);
    assert!(j.actual.contains("64-bit absent"), "{}", j.actual);
    let one_view = objects(
        ObjectKind::RegistryValue,
        &[crypto("Registry64", "DWord", json!(1))],
    );
    assert!(
        matches!(judge_set(&b, &one_view, &none).verdict, Verdict::Unknown(why) if why.contains("32-bit"))
    );
}

fn certificate(issuer: &str) -> InventoryObject {
    object(
        ObjectKind::ExchangeCertificate,
        json!({"Thumbprint": "AB12", "Issuer": issuer, "Subject": "CN=mail.example.mil", "CertificateDomains": ["mail.example.mil"], "Services": "IIS, SMTP", "Identity": "EDGE01\\AB12"}),
    )
}

#[test]
fn certificates_read_the_issuer_by_default_or_against_the_approved_issuers() {
    let b = bound(
        EDGE,
        "Exchange servers must use approved DOD certificates.",
        "Run Get-ExchangeCertificate | Select-Object -Property CertificateDomains, issuer and check that each is issued by the DOD.",
    );
    assert_eq!(b.spec.id, "server.dod-certificates");
    let dod = certificate("CN=DOD SW CA-75, OU=PKI, OU=DoD, O=U.S. Government, C=US");
    let own = certificate("CN=EDGE01");
    let none = Site::default();
    let j = judge_one(&b, &dod, &none);
    assert_eq!(j.verdict, Verdict::Pass);
    assert!(j.expected.contains("default reading"), "{}", j.expected);
    let j = judge_one(&b, &own, &none);
    assert_eq!(j.verdict, Verdict::Fail);
    assert_eq!(
        j.fix.as_deref(),
        Some(
            "# after a DoD-issued replacement serves IIS, SMTP: Enable-ExchangeCertificate -Thumbprint <replacement thumbprint> -Services 'IIS, SMTP'"
        )
    );
    assert!(j.advice[0].starts_with("# Caution:"));
    assert!(j.advice[0].contains("removing certificate AB12"));
    let listed = site("approved_certificate_issuers = [\"DOD SW CA-75\"]");
    assert_eq!(judge_one(&b, &dod, &listed).verdict, Verdict::Pass);
    let other = site(
        "approved_certificate_issuers = [\"CN=DOD SW CA-76,OU=PKI,OU=DoD,O=U.S. Government,C=US\"]",
    );
    assert_eq!(judge_one(&b, &dod, &other).verdict, Verdict::Fail);
    let dn = site(
        "approved_certificate_issuers = [\"cn=dod sw ca-75,ou=pki,ou=dod,o=u.s. government,c=us\"]",
    );
    assert_eq!(judge_one(&b, &dod, &dn).verdict, Verdict::Pass);
}

fn domain(name: &str, default: bool) -> Value {
    json!({"Name": name, "DomainName": name, "DomainType": "Authoritative", "Default": default, "Identity": name})
}

#[test]
fn accepted_domains_none_is_a_finding_and_several_are_fine() {
    let b = bound(
        EDGE,
        "Exchange must have accepted domains configured.",
        "Run Get-AcceptedDomain | Select-Object -Property Name, DomainName, Identity, Default. If Default is not set to True, this is a finding.",
    );
    assert_eq!(b.spec.id, "server.accepted-domains");
    let none = Site::default();
    // Evaluate-STIG passes an empty list.
    let j = judge_set(&b, &[], &none);
    assert_eq!(j.verdict, Verdict::Fail);
    assert!(j.expected.contains("New-AcceptedDomain"), "{}", j.expected);
    // Evaluate-STIG wants every domain to be the default; only one can be.
    let several = objects(
        ObjectKind::AcceptedDomain,
        &[
            domain("example.mil", true),
            domain("mail.example.mil", false),
        ],
    );
    assert_eq!(judge_set(&b, &several, &none).verdict, Verdict::Pass);
    let no_default = objects(ObjectKind::AcceptedDomain, &[domain("example.mil", false)]);
    let j = judge_set(&b, &no_default, &none);
    assert_eq!(j.verdict, Verdict::Fail);
    assert_eq!(
        j.fix.as_deref(),
        Some("-Identity 'example.mil' -MakeDefault $true")
    );
}

fn category(level: &str) -> InventoryObject {
    object(
        ObjectKind::EventLogLevel,
        json!({"Identity": "EDGE01\\MSExchangeTransport\\Categorizer", "EventLevel": level}),
    )
}

#[test]
fn event_log_level_is_lowest_or_low_where_the_text_allows_it() {
    let b = bound(
        EDGE,
        "The Exchange email diagnostic log level must be set to the lowest level.",
        "Run Get-EventLogLevel. If any EventLevel is not set to \"Lowest\", this is a finding.",
    );
    assert_eq!(b.spec.id, "server.event-log-level");
    let none = Site::default();
    assert_eq!(
        judge_one(&b, &category("Lowest"), &none).verdict,
        Verdict::Pass
    );
    assert_eq!(
        judge_one(&b, &category("Low"), &none).verdict,
        Verdict::Fail
    );
    let j = judge_one(&b, &category("Medium"), &none);
    assert_eq!(j.verdict, Verdict::Fail);
    assert_eq!(j.fix.as_deref(), Some("-Level Lowest"));
    let old = bound(
        "Exchange 2010 Edge",
        "Email Diagnostic log level must be set to low or lowest level.",
        "Run Get-EventLogLevel. If any EventLevel is not set to \u{201c}Low\u{201d} or \u{201c}Lowest\u{201d}, this is a finding.",
    );
    assert_eq!(
        judge_one(&old, &category("Low"), &none).verdict,
        Verdict::Pass
    );
    assert_eq!(
        judge_one(&old, &category("Medium"), &none).verdict,
        Verdict::Fail
    );
    assert!(matches!(
        judge_one(
            &b,
            &object(ObjectKind::EventLogLevel, json!({"Identity": "X\\Y\\Z"})),
            &none
        )
        .verdict,
        Verdict::Unknown(_)
    ));
}

fn policies(list: &[(&str, &str)]) -> Vec<InventoryObject> {
    list.iter()
        .map(|(scope, policy)| {
            object(
                ObjectKind::ExecutionPolicy,
                json!({"Scope": scope, "ExecutionPolicy": policy}),
            )
        })
        .collect()
}

#[test]
fn execution_policy_is_the_effective_one_by_precedence_unless_the_text_names_localmachine() {
    let b = bound(
        EDGE,
        "Exchange local machine policy must require signed scripts.",
        "Run Get-ExecutionPolicy. If the value returned is not \"RemoteSigned\", this is a finding.",
    );
    assert_eq!(b.spec.id, "server.execution-policy");
    let none = Site::default();
    let good = policies(&[
        ("MachinePolicy", "Undefined"),
        ("UserPolicy", "Undefined"),
        ("Process", "Undefined"),
        ("CurrentUser", "Undefined"),
        ("LocalMachine", "RemoteSigned"),
    ]);
    assert_eq!(judge_set(&b, &good, &none).verdict, Verdict::Pass);
    // The Process scope is the exporting session's (the collector may run with Bypass), not a
    // setting of the server (Evaluate-STIG reads its own process' policy).
    let bypass = policies(&[
        ("MachinePolicy", "Undefined"),
        ("UserPolicy", "Undefined"),
        ("Process", "Bypass"),
        ("CurrentUser", "Undefined"),
        ("LocalMachine", "RemoteSigned"),
    ]);
    let j = judge_set(&b, &bypass, &none);
    assert_eq!(j.verdict, Verdict::Pass);
    assert!(j.actual.contains("Process scope"), "{}", j.actual);
    // A CurrentUser policy does override the machine's.
    let user = policies(&[
        ("MachinePolicy", "Undefined"),
        ("UserPolicy", "Undefined"),
        ("Process", "Undefined"),
        ("CurrentUser", "Unrestricted"),
        ("LocalMachine", "RemoteSigned"),
    ]);
    let j = judge_set(&b, &user, &none);
    assert_eq!(j.verdict, Verdict::Fail);
    assert!(
        j.fix
            .unwrap()
            .starts_with("-ExecutionPolicy Undefined -Scope CurrentUser")
    );
    // Group Policy wins over everything.
    let gpo = policies(&[
        ("MachinePolicy", "Unrestricted"),
        ("UserPolicy", "Undefined"),
        ("Process", "Undefined"),
        ("CurrentUser", "Undefined"),
        ("LocalMachine", "RemoteSigned"),
    ]);
    let j = judge_set(&b, &gpo, &none);
    assert_eq!(j.verdict, Verdict::Fail);
    assert!(
        j.advice.iter().any(|a| a.contains("Group Policy")),
        "{:?}",
        j.advice
    );
    let undefined = policies(&[
        ("MachinePolicy", "Undefined"),
        ("UserPolicy", "Undefined"),
        ("Process", "Undefined"),
        ("CurrentUser", "Undefined"),
        ("LocalMachine", "Undefined"),
    ]);
    let j = judge_set(&b, &undefined, &none);
    assert_eq!(j.verdict, Verdict::Pass);
    assert!(j.actual.contains("Windows Server default"), "{}", j.actual);
    // The 2010 wording reads the LocalMachine scope itself.
    let local = bound(
        "Exchange 2010 Edge",
        "Local machine policy must require signed scripts.",
        "Run Get-ExecutionPolicy. If the value of 'LocalMachine' does not return a value of 'RemoteSigned', this is a finding.",
    );
    assert_eq!(judge_set(&local, &bypass, &none).verdict, Verdict::Pass);
    assert_eq!(
        judge_set(
            &local,
            &policies(&[("LocalMachine", "Unrestricted")]),
            &none
        )
        .verdict,
        Verdict::Fail
    );
    assert!(matches!(
        judge_set(&b, &[], &none).verdict,
        Verdict::Unknown(_)
    ));
}

fn exchange_server(props: Value) -> InventoryObject {
    object(ObjectKind::ExchangeServer, props)
}

#[test]
fn reports_to_microsoft_bind_by_cmdlet_and_property() {
    let feedback = bound(
        MAILBOX,
        "Exchange must not send customer experience reports to Microsoft.",
        "Run Get-OrganizationConfig | Select-Object -Property Name, Identity, CustomerFeedbackEnabled. If CustomerFeedbackEnabled is not set to \"False\", this is a finding.",
    );
    assert_eq!(feedback.spec.id, "server.customer-feedback");
    let org = object(
        ObjectKind::OrganizationConfig,
        json!({"Name": "Example", "CustomerFeedbackEnabled": true}),
    );
    let j = judge_one(&feedback, &org, &Site::default());
    assert_eq!(j.verdict, Verdict::Fail);
    assert_eq!(j.fix.as_deref(), Some("-CustomerFeedbackEnabled $false"));
    let errors = bound(
        MAILBOX,
        "Exchange Send Fatal Errors to Microsoft must be disabled.",
        "Run Get-ExchangeServer -status | Select-Object -Property Name, Identity, ErrorReportingEnabled. If ErrorReportingEnabled is not set to \"False\", this is a finding.",
    );
    assert_eq!(errors.spec.id, "server.error-reporting");
    let server = exchange_server(
        json!({"Name": "MBX01", "IsEdgeServer": false, "ErrorReportingEnabled": false, "AdminDisplayVersion": "Version 15.2 (Build 1544.4)"}),
    );
    assert_eq!(
        judge_one(&errors, &server, &Site::default()).verdict,
        Verdict::Pass
    );
}

#[test]
fn current_build_needs_the_approved_build_and_2010_reads_its_own() {
    let b = bound(
        MAILBOX,
        "Exchange must have the most current, approved Cumulative Update (CU) installed.",
        "Run Get-ExchangeServer | Format-List Name, AdminDisplayVersion and compare AdminDisplayVersion with the most current, approved CU.",
    );
    assert_eq!(b.spec.id, "server.current-build");
    let server = exchange_server(
        json!({"Name": "MBX01", "IsEdgeServer": false, "AdminDisplayVersion": "Version 15.2 (Build 1544.4)"}),
    );
    let j = judge_one(&b, &server, &Site::default());
    assert!(matches!(&j.verdict, Verdict::Unknown(why) if why.contains("approved_exchange_build")));
    assert_eq!(
        judge_one(
            &b,
            &server,
            &site("approved_exchange_build = \"15.2.1544.4\"")
        )
        .verdict,
        Verdict::Pass
    );
    let j = judge_one(
        &b,
        &server,
        &site("approved_exchange_build = \"Version 15.2 (Build 1748.10)\""),
    );
    assert_eq!(j.verdict, Verdict::Fail);
    assert!(j.expected.contains("15.2.1748.10"), "{}", j.expected);
    assert!(matches!(
        judge_one(&b, &server, &site("approved_exchange_build = \"15.2.1258.12\"")).verdict,
        Verdict::Unknown(why) if why.contains("newer")
    ));
    let old = bound(
        "Exchange 2010 Hub",
        "The current, approved service pack must be installed.",
        "Run Get-ExchangeServer | fl name, AdminDisplayVersion. If AdminDisplayVersion does not return Version 14.2 (Build 247.5) or greater, this is a finding.",
    );
    let newer = exchange_server(
        json!({"Name": "HUB1", "IsEdgeServer": false, "AdminDisplayVersion": "Version 14.3 (Build 123.4)"}),
    );
    let older = exchange_server(
        json!({"Name": "HUB1", "IsEdgeServer": false, "AdminDisplayVersion": "Version 14.1 (Build 438.0)"}),
    );
    assert_eq!(
        judge_one(&old, &newer, &Site::default()).verdict,
        Verdict::Pass
    );
    assert_eq!(
        judge_one(&old, &older, &Site::default()).verdict,
        Verdict::Fail
    );
}

fn subscription(name: &str) -> Value {
    json!({"Name": name, "Site": "example.mil/Configuration/Sites/Default-First-Site-Name", "Domain": "example.mil", "Identity": name})
}

#[test]
fn edge_redundancy_counts_edge_servers_where_the_export_can_show_them() {
    let b = bound(
        EDGE,
        "More than one Edge server must be deployed.",
        "On the mailbox server run Get-EdgeSubscription. If there is only one subscription, this is a finding.",
    );
    assert_eq!(b.spec.id, "server.edge-redundancy");
    let none = Site::default();
    let two = objects(
        ObjectKind::EdgeSubscription,
        &[subscription("EDGE01"), subscription("EDGE02")],
    );
    assert_eq!(judge_set(&b, &two, &none).verdict, Verdict::Pass);
    let one = objects(ObjectKind::EdgeSubscription, &[subscription("EDGE01")]);
    assert!(
        matches!(judge_set(&b, &one, &none).verdict, Verdict::Unknown(why) if why.contains("Mailbox server"))
    );
    // The 2016 wording runs Get-TransportService: still the redundancy check, not transport's.
    let old = bound(
        "MS Exchange 2016 Edge Transport Server STIG",
        "Exchange must provide redundancy.",
        "Run Get-TransportService | select FL. If the value returned is not at least two Edge servers, this is a finding.",
    );
    assert_eq!(old.spec.id, "server.edge-redundancy");
    let other_role = bound(
        "MS Exchange 2013 CAS STIG",
        "Exchange must provide redundancy.",
        "",
    );
    assert_eq!(judge_set(&other_role, &one, &none).verdict, Verdict::Fail);
}
