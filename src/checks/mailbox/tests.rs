//! Unit tests of the Mailbox family: binding by meaning from check texts written in the
//! releases' own shapes (the texts here are exstig's paraphrases, not DISA's prose) and every
//! judge's passing, failing and undecided cases.

use super::*;
use crate::benchmark::{Benchmark, Rule};
use crate::checks::bind_in;
use crate::checks::judge::Verdict;
use crate::inventory::{Fidelity, Inventory};
use crate::site::Site;
use serde_json::{Value, json};

fn object(kind: ObjectKind, properties: Value) -> InventoryObject {
    InventoryObject {
        kind,
        source: "test.json".into(),
        index: 0,
        fidelity: Fidelity::Exact,
        properties: properties.as_object().cloned().unwrap(),
    }
}

fn mailbox_benchmark() -> Benchmark {
    Benchmark {
        id: "MS_Exchange_2019_Mailbox_Server_STIG".into(),
        ..Benchmark::default()
    }
}

fn bound(title: &str, check: &str) -> Binding {
    let rule = Rule {
        rule_id: "SV-1r1_rule".into(),
        title: title.into(),
        check_content: check.into(),
        ..Rule::default()
    };
    bind_in(&[&FAMILY], &mailbox_benchmark(), &rule).expect("bound")
}

fn bound_from_terms(title: &str, terms: &[&str]) -> Option<Binding> {
    let rule = Rule {
        rule_id: "SV-1r1_rule".into(),
        title: title.into(),
        check_terms: terms.iter().map(|t| t.to_string()).collect(),
        ..Rule::default()
    };
    bind_in(&[&FAMILY], &mailbox_benchmark(), &rule)
}

fn site(toml: &str) -> Site {
    Site::parse(std::path::Path::new("site.toml"), toml).unwrap()
}

fn verdict(binding: &Binding, obj: &InventoryObject, site: &Site) -> Verdict {
    let ctx = Context {
        site,
        transport_config: None,
        inventory: None,
    };
    super::super::judge::judge(binding, obj, &ctx).verdict
}

fn remote(domain: &str, property: &str, value: bool) -> InventoryObject {
    object(
        REMOTE,
        json!({"Name": domain, "Identity": domain, "DomainName": domain, property: value}),
    )
}

#[test]
fn simple_properties_bind_by_cmdlet_and_property_and_take_the_texts_value() {
    let b = bound(
        "Exchange must have forms-based authentication enabled.",
        "Run Get-OwaVirtualDirectory | Select-Object -Property ServerName, Name, Identity, *Authentication\nIf the value of \"FormsAuthentication\" is not set to \"False\", this is a finding.",
    );
    assert_eq!(b.spec.id, "mailbox.owa-forms-auth");
    assert_eq!(b.expected, Some(Expected::Bool(false)));
    assert!(
        b.notes.iter().any(|n| n.contains("follows the check text")),
        "the title contradicts the check: said in the notes"
    );
    let windows = bound(
        "Exchange must have authenticated access set to integrated Windows authentication only.",
        "Get-OwaVirtualDirectory | Select ServerName, Name, Identity,*Authentication\nIf the value of \"WindowsAuthentication\" is not set to \"True\", this is a finding.",
    );
    assert_eq!(windows.spec.id, "mailbox.owa-windows-auth");
    let oof = bound(
        "Exchange external/Internet-bound automated response messages must be disabled.",
        "Get-RemoteDomain | Select Name, DomainName, Identity, AllowedOOFType\nIf the value of AllowedOOFType is not set to InternalLegacy, this is a finding.",
    );
    assert_eq!(oof.spec.id, "mailbox.remote-oof-type");
    assert_eq!(oof.expected, Some(Expected::Text("InternalLegacy".into())));
    let s = Site::default();
    let default = remote("*", "AllowedOOFType", true);
    let mut external = default.clone();
    external
        .properties
        .insert("AllowedOOFType".into(), json!("External"));
    assert_eq!(verdict(&oof, &external, &s), Verdict::Fail);
    let mut legacy = default;
    legacy
        .properties
        .insert("AllowedOOFType".into(), json!("InternalLegacy"));
    assert_eq!(verdict(&oof, &legacy, &s), Verdict::Pass);
}

#[test]
fn the_catalog_terms_bind_the_same_checks() {
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "Exchange must use encryption for RPC client access.",
            &[
                "Get-RpcClientAccess",
                "Server",
                "Name",
                "EncryptionRequired",
                "True",
            ],
            "mailbox.rpc-encryption",
        ),
        (
            "Exchange email forwarding must be restricted.",
            &["Get-Mailbox", "Name", "Identity"],
            "mailbox.forwarding",
        ),
        (
            "Exchange email-forwarding SMTP domains must be restricted.",
            &[
                "Get-RemoteDomain",
                "Name",
                "Identity",
                "DomainName",
                "AutoForwardEnabled",
            ],
            "mailbox.forwarding-domains",
        ),
        (
            "Exchange auto-forwarding email to remote domains must be disabled or restricted.",
            &[
                "Get-RemoteDomain",
                "Identity",
                "AutoForwardEnabled",
                "False",
            ],
            "mailbox.remote-auto-forward",
        ),
        (
            "Exchange must provide mailbox databases in a highly available and redundant configuration.",
            &[
                "servers",
                "Get-DatabaseAvailabilityGroup",
                "databases",
                "SERVERS WITH COPIES",
            ],
            "mailbox.dag-redundancy",
        ),
        (
            "Exchange must be configured in accordance with the security configuration settings.",
            &["Get-Website", "Name", "Get-WebBinding"],
            "mailbox.web-bindings",
        ),
        (
            "Exchange must use encryption for Outlook Web App (OWA) access.",
            &[
                "Get-ExchangeCertificate",
                "Subject",
                "Services",
                "Get-OwaVirtualDirectory",
                "internalurl",
                "externalurl",
            ],
            "mailbox.owa-https",
        ),
        (
            "The RBAC role for audit log management must be defined and restricted.",
            &[
                "Audit Log",
                "Get-RoleGroup",
                "Get-RoleGroupMember",
                "Records Management",
            ],
            "mailbox.records-management-group",
        ),
    ];
    for (title, terms, id) in cases {
        let b = bound_from_terms(title, terms).unwrap_or_else(|| panic!("{title} not bound"));
        assert_eq!(b.spec.id, *id, "{title}");
    }
    // A selection of another property of a cmdlet with one check is not that check.
    assert!(bound_from_terms("x", &["Get-Mailbox", "Name", "IssueWarningQuota"]).is_none());
}

#[test]
fn replies_reports_and_forwarding_allow_only_dod_domains() {
    let s = Site::default();
    let reply = bound(
        "Exchange must not send automated replies to remote domains.",
        "Get-RemoteDomain | Select Name, Identity, AutoReplyEnabled\nIf AutoReplyEnabled is set to True and only replies to .mil or .gov sites, this is not a finding.\nIf AutoReplyEnabled is not set to False, this is a finding.",
    );
    assert_eq!(reply.spec.id, "mailbox.remote-auto-reply");
    assert_eq!(
        verdict(&reply, &remote("*", "AutoReplyEnabled", true), &s),
        Verdict::Fail
    );
    assert_eq!(
        verdict(&reply, &remote("army.mil", "AutoReplyEnabled", true), &s),
        Verdict::Pass
    );
    assert_eq!(
        verdict(&reply, &remote("*.gov", "AutoReplyEnabled", true), &s),
        Verdict::Pass
    );
    assert_eq!(
        verdict(
            &reply,
            &remote("example.com", "AutoReplyEnabled", false),
            &s
        ),
        Verdict::Pass
    );
    assert_eq!(
        verdict(&reply, &remote("evilmil", "AutoReplyEnabled", true), &s),
        Verdict::Fail,
        "a name that merely ends in 'mil' is not a .mil domain"
    );

    let ndr = bound(
        "Exchange must not send nondelivery reports to remote domains.",
        "Get-RemoteDomain | Select Name, Identity, NDREnabled\nIf NDREnabled is not set to False, this is a finding.",
    );
    assert_eq!(
        verdict(&ndr, &remote("navy.mil", "NDREnabled", true), &s),
        Verdict::Pass
    );
    assert_eq!(
        verdict(&ndr, &remote("agency.gov", "NDREnabled", true), &s),
        Verdict::Fail,
        ".gov is outside the DODIN"
    );

    let forward = bound(
        "Exchange auto-forwarding email to remote domains must be disabled or restricted.",
        "Note: not applicable on classified or completely closed networks.\nGet-RemoteDomain | Select Identity, AutoForwardEnabled\nIf AutoForwardEnabled is not set to False, this is a finding.",
    );
    assert!(forward.not_applicable_on_sipr);
    assert_eq!(
        verdict(&forward, &remote("*", "AutoForwardEnabled", true), &s),
        Verdict::Fail
    );
    assert!(matches!(
        verdict(&forward, &remote("army.mil", "AutoForwardEnabled", true), &s),
        Verdict::Unknown(why) if why.contains("enterprise_mail")
    ));
    let enterprise = site("[values]\nenterprise_mail = true\n");
    assert_eq!(
        verdict(
            &forward,
            &remote("army.mil", "AutoForwardEnabled", true),
            &enterprise
        ),
        Verdict::Pass
    );
    assert_eq!(
        verdict(
            &forward,
            &remote("*", "AutoForwardEnabled", true),
            &enterprise
        ),
        Verdict::Fail,
        "Enterprise Mail never allows forwarding to every domain"
    );
}

#[test]
fn quotas_audit_parameters_and_outlook_anywhere() {
    let quota = bound(
        "Exchange mail quota settings must not restrict receiving mail.",
        "Get-MailboxDatabase | Select Name, Identity, ProhibitSendReceiveQuota\nIf the value of ProhibitSendReceiveQuota is not set to Unlimited, this is a finding.\nor\nIf it is set to an alternate value and carries signoff and risk acceptance recorded in the EDSP, this is not a finding.",
    );
    assert!(quota.edsp_allowed);
    let db = |q: &str| {
        object(
            DATABASE,
            json!({"Name": "DB1", "ProhibitSendReceiveQuota": q, "ProhibitSendQuota": q}),
        )
    };
    let s = Site::default();
    assert_eq!(verdict(&quota, &db("Unlimited"), &s), Verdict::Pass);
    assert_eq!(
        verdict(&quota, &db("2 GB (2,147,483,648 bytes)"), &s),
        Verdict::Fail
    );
    let edsp =
        site("[values]\nprohibit_send_receive_quota = \"2GB\"\nprohibit_send_quota = \"1GB\"\n");
    assert_eq!(
        verdict(&quota, &db("2 GB (2,147,483,648 bytes)"), &edsp),
        Verdict::Pass
    );

    let send = bound(
        "Exchange mail quota settings must not restrict sending mail.",
        "Get-MailboxDatabase | Select Name, Identity, ProhibitSendQuota\nIf the value of ProhibitSendQuota is not set to the site's Prohibit Send Quota limit, this is a finding.",
    );
    assert_eq!(send.spec.id, "mailbox.send-quota");
    assert!(matches!(
        verdict(&send, &db("1 GB (1,073,741,824 bytes)"), &s),
        Verdict::Unknown(why) if why.contains("prohibit_send_quota")
    ));
    assert_eq!(
        verdict(&send, &db("1 GB (1,073,741,824 bytes)"), &edsp),
        Verdict::Pass
    );
    assert_eq!(verdict(&send, &db("Unlimited"), &edsp), Verdict::Fail);

    let params = bound(
        "Exchange audit record parameters must be set.",
        "Get-AdminAuditLogConfig | Select AdminAuditLogParameters\nIf the value of AdminAuditLogParameters is not set to {*}, this is a finding.",
    );
    let audit = |p: Value| {
        object(
            AUDIT,
            json!({"Name": "Admin Audit Log Settings", "AdminAuditLogParameters": p}),
        )
    };
    assert_eq!(verdict(&params, &audit(json!(["*"])), &s), Verdict::Pass);
    assert_eq!(verdict(&params, &audit(json!("{*}")), &s), Verdict::Pass);
    assert_eq!(
        verdict(&params, &audit(json!(["Identity", "Name"])), &s),
        Verdict::Fail
    );
    assert_eq!(verdict(&params, &audit(json!([])), &s), Verdict::Fail);

    let oa = bound(
        "Exchange Outlook Anywhere clients must use NTLM authentication to access email.",
        "Get-OutlookAnywhere | Select Name, Identity, InternalClientAuthenticationMethod, ExternalClientAuthenticationMethod\nIf both are not set to NTLM, this is a finding.",
    );
    let vdir = |i: &str, e: &str| {
        object(
            OA,
            json!({"Name": "Rpc", "InternalClientAuthenticationMethod": i, "ExternalClientAuthenticationMethod": e}),
        )
    };
    assert_eq!(verdict(&oa, &vdir("Ntlm", "Ntlm"), &s), Verdict::Pass);
    assert_eq!(verdict(&oa, &vdir("Ntlm", "Negotiate"), &s), Verdict::Fail);
    assert_eq!(verdict(&oa, &vdir("Basic", "Ntlm"), &s), Verdict::Fail);
}

fn inventory(objects: Vec<InventoryObject>) -> Inventory {
    let mut inventory = Inventory::default();
    for o in objects {
        inventory
            .collection
            .insert(o.kind, crate::inventory::Collection::Collected);
        inventory.objects.push(o);
    }
    inventory
}

#[test]
fn sets_forwarding_dag_and_records_management() {
    let ctx_of = |inventory: &'static Inventory, site: &'static Site| Context {
        site,
        transport_config: None,
        inventory: Some(inventory),
    };
    let leak = |objects: Vec<InventoryObject>| -> &'static Inventory {
        Box::leak(Box::new(inventory(objects)))
    };
    let nobody: &'static Site = Box::leak(Box::default());
    let documented: &'static Site = Box::leak(Box::new(site(
        "[values]\nforwarding_mailboxes = [\"example.mil/Users/John Doe\"]\nforwarding_domains = [\"example.gov\"]\nrecords_management_members = [\"Jane Records\"]\n",
    )));
    let john = object(
        MAILBOX,
        json!({"Identity": "example.mil/Users/John Doe", "ForwardingSmtpAddress": "smtp:john@example.com", "ForwardingAddress": null}),
    );
    let b = bound_from_terms(
        "Exchange email forwarding must be restricted.",
        &["Get-Mailbox", "Name", "Identity"],
    )
    .unwrap();
    let none = leak(vec![]);
    let j = forwarding_mailboxes(&b, &[], &ctx_of(none, nobody));
    assert!(
        matches!(j.verdict, Verdict::NotApplicable(_)),
        "nobody forwards"
    );
    let with_john = leak(vec![john.clone()]);
    assert!(matches!(
        forwarding_mailboxes(&b, &[&john], &ctx_of(with_john, nobody)).verdict,
        Verdict::Unknown(_)
    ));
    assert_eq!(
        forwarding_mailboxes(&b, &[&john], &ctx_of(with_john, documented)).verdict,
        Verdict::Pass
    );
    let jane = object(
        MAILBOX,
        json!({"Identity": "example.mil/Users/Jane", "ForwardingSmtpAddress": null, "ForwardingAddress": "example.mil/Users/Boss"}),
    );
    let failed = forwarding_mailboxes(&b, &[&john, &jane], &ctx_of(with_john, documented));
    assert_eq!(failed.verdict, Verdict::Fail);
    assert!(failed.fix.unwrap().contains("'example.mil/Users/Jane'"));

    // Domains: example.com is not documented (only example.gov is).
    let domains = bound_from_terms(
        "Exchange email-forwarding SMTP domains must be restricted.",
        &["Get-RemoteDomain", "DomainName", "AutoForwardEnabled"],
    )
    .unwrap();
    assert_eq!(
        forwarding_domains(&domains, &[], &ctx_of(with_john, documented)).verdict,
        Verdict::Fail
    );
    let to_gov = object(
        MAILBOX,
        json!({"Identity": "u", "ForwardingSmtpAddress": "SMTP:u@example.gov"}),
    );
    assert_eq!(
        forwarding_domains(&domains, &[], &ctx_of(leak(vec![to_gov]), documented)).verdict,
        Verdict::Pass
    );
    assert!(matches!(
        forwarding_domains(&domains, &[], &ctx_of(Box::leak(Box::default()), documented)).verdict,
        Verdict::Unknown(why) if why.contains("Get-Mailbox")
    ));

    // DAG: none is a finding; one with two servers holding the database passes.
    let dag = |servers: Value| object(DAG, json!({"Name": "DAG01", "Servers": servers}));
    let db = object(
        DATABASE,
        json!({"Name": "DB1", "MasterServerOrAvailabilityGroup": "DAG01"}),
    );
    let lone = object(
        DATABASE,
        json!({"Name": "DB9", "MasterServerOrAvailabilityGroup": "MBX09"}),
    );
    let dags = bound_from_terms(
        "Exchange must provide redundancy.",
        &["Get-DatabaseAvailabilityGroup", "SERVERS WITH COPIES"],
    )
    .unwrap();
    let with_db = leak(vec![db.clone()]);
    assert_eq!(
        dag_redundancy(&dags, &[], &ctx_of(with_db, nobody)).verdict,
        Verdict::Fail
    );
    let two = dag(json!(["MBX01", "MBX02"]));
    assert_eq!(
        dag_redundancy(&dags, &[&two], &ctx_of(with_db, nobody)).verdict,
        Verdict::Pass
    );
    let one = dag(json!(["MBX01"]));
    assert_eq!(
        dag_redundancy(&dags, &[&one], &ctx_of(with_db, nobody)).verdict,
        Verdict::Fail
    );
    let with_lone = leak(vec![db, lone]);
    assert_eq!(
        dag_redundancy(&dags, &[&two], &ctx_of(with_lone, nobody)).verdict,
        Verdict::Fail
    );

    // Records Management: empty is a finding; members must be the EDSP's.
    let member = |name: &str| {
        object(
            MEMBER,
            json!({"RoleGroup": "Records Management", "Name": name}),
        )
    };
    let rm = bound_from_terms(
        "The RBAC role for audit log management must be defined.",
        &["Get-RoleGroupMember", "Records Management"],
    )
    .unwrap();
    assert_eq!(
        records_management(&rm, &[], &ctx_of(none, nobody)).verdict,
        Verdict::Fail
    );
    let jr = member("Jane Records");
    assert!(matches!(
        records_management(&rm, &[&jr], &ctx_of(none, nobody)).verdict,
        Verdict::Unknown(_)
    ));
    assert_eq!(
        records_management(&rm, &[&jr], &ctx_of(none, documented)).verdict,
        Verdict::Pass
    );
    let mallory = member("Mallory");
    assert_eq!(
        records_management(&rm, &[&jr, &mallory], &ctx_of(none, documented)).verdict,
        Verdict::Fail
    );
}

#[test]
fn web_bindings_and_owa_https() {
    let s = Site::default();
    let b = bound(
        "Exchange must be configured in accordance with the security configuration settings.",
        "Get-Website | Select Name\nGet-WebBinding -Name <'WebSiteName'> | Format-List\nIf bindings are not on port 80 for HTTP or 443 for HTTPS, this is a finding.\nNote: This is excluding the Exchange Back End website which uses 81/444.",
    );
    assert_eq!(b.spec.id, "mailbox.web-bindings");
    let site_obj = |name: &str, bindings: Value| {
        object(
            SITE,
            json!({"Name": name, "Bindings": bindings, "PhysicalPath": "C:\\x"}),
        )
    };
    assert_eq!(
        verdict(
            &b,
            &site_obj(
                "Default Web Site",
                json!(["http *:80:", "https *:443: sslFlags=0", "net.pipe *"])
            ),
            &s
        ),
        Verdict::Pass
    );
    assert_eq!(
        verdict(
            &b,
            &site_obj("Default Web Site", json!(["http *:8080:"])),
            &s
        ),
        Verdict::Fail
    );
    assert_eq!(
        verdict(
            &b,
            &site_obj("Exchange Back End", json!(["http *:81:", "https *:444:"])),
            &s
        ),
        Verdict::Pass
    );
    assert_eq!(
        verdict(
            &b,
            &site_obj("Exchange Back End", json!(["https *:443:"])),
            &s
        ),
        Verdict::Fail
    );

    let owa = bound_from_terms(
        "Exchange must use encryption for OWA access.",
        &["Get-OwaVirtualDirectory", "internalurl", "externalurl"],
    )
    .unwrap();
    let vdir = |url: &str| {
        object(
            OWA,
            json!({"Name": "owa (Default Web Site)", "InternalUrl": url, "ExternalUrl": url}),
        )
    };
    let flags = |v: &str| {
        object(
            IisSetting,
            json!({"Identity": "x", "Location": "Default Web Site/owa", "Filter": "system.webServer/security/access", "Name": "sslFlags", "Value": v}),
        )
    };
    let cert = |issuer: &str| {
        object(
            ExchangeCertificate,
            json!({"Thumbprint": "AB", "Services": "IMAP, POP, IIS, SMTP", "Issuer": issuer, "Subject": "CN=mail.example.mil"}),
        )
    };
    let judge_with = |objects: Vec<InventoryObject>, url: &str| {
        let inventory = inventory(objects);
        let ctx = Context {
            site: &s,
            transport_config: None,
            inventory: Some(&inventory),
        };
        owa_https(&owa, &vdir(url), &ctx).verdict
    };
    let good = || {
        vec![
            flags("Ssl,Ssl128"),
            cert("CN=DOD SW CA-75, OU=PKI, OU=DoD, O=U.S. Government, C=US"),
        ]
    };
    assert_eq!(
        judge_with(good(), "https://mail.example.mil/owa"),
        Verdict::Pass
    );
    assert_eq!(
        judge_with(good(), "http://mail.example.mil/owa"),
        Verdict::Fail
    );
    assert_eq!(
        judge_with(
            vec![flags("None"), cert("CN=DOD SW CA-75")],
            "https://m/owa"
        ),
        Verdict::Fail
    );
    assert_eq!(
        judge_with(
            vec![flags("Ssl"), cert("CN=mail.example.mil")],
            "https://m/owa"
        ),
        Verdict::Fail,
        "a self-signed IIS certificate is not a trusted one"
    );
    assert!(matches!(
        judge_with(vec![cert("CN=DOD SW CA-75")], "https://m/owa"),
        Verdict::Unknown(_)
    ));
}
