//! `exstig evaluate` end to end: known inventories (written here, in the JSON shapes of
//! ConvertTo-Json) against DISA's 2013/2016/2019 Edge and Mailbox benchmarks from ../shared and
//! the embedded catalog. Each rule gets the status a careful reviewer would give; every CKL
//! validates against DISA's XSD and STIG Manager reads back the same status for every rule;
//! exceptions apply, scope, lapse and are refused as documented; bad input exits 2 with nothing
//! written.

mod common;

use exstig::checklist::Status;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Receive connectors of an Edge server: one Internet-facing, one internal (from the Hub) that
/// fails the Edge timeout and the exact-Tls rule.
const EDGE_RECEIVE: &str = r#"[
 {"Name": "Internet Inbound", "Identity": "EDGE01\\Internet Inbound", "Server": "EDGE01",
  "AuthMechanism": "Tls, BasicAuth, BasicAuthRequireTLS", "PermissionGroups": "AnonymousUsers, Partners",
  "Bindings": ["0.0.0.0:25"], "RemoteIPRanges": ["0.0.0.0-255.255.255.255"], "DomainSecureEnabled": true,
  "ConnectionTimeout": "00:05:00", "TarpitInterval": "00:00:05", "MaxHopCount": 60, "MaxRecipientsPerMessage": 5000,
  "MaxInboundConnection": "5000", "ChunkingEnabled": true, "Banner": "220 SMTP Server Ready",
  "MaxMessageSize": "10 MB (10,485,760 bytes)"},
 {"Name": "From Organization", "Identity": "EDGE01\\From Organization", "Server": "EDGE01",
  "AuthMechanism": 17, "PermissionGroups": 4,
  "Bindings": ["192.0.2.20:25"], "RemoteIPRanges": ["192.0.2.10", "192.0.2.11"], "DomainSecureEnabled": false,
  "ConnectionTimeout": "00:10:00", "TarpitInterval": {"Ticks": 50000000}, "MaxHopCount": 60, "MaxRecipientsPerMessage": 5000,
  "MaxInboundConnection": 5000, "ChunkingEnabled": "True", "Banner": "220 SMTP Server Ready",
  "MaxMessageSize": 10485760}
]"#;

/// The Edge server's transport service: the retry count is too high.
const EDGE_SERVICE: &str = r#"{"Name": "EDGE01", "MaxOutboundConnections": 1000, "MaxPerDomainOutboundConnections": "20",
 "TransientFailureRetryCount": 12, "ConnectivityLogEnabled": true, "MessageTrackingLogEnabled": true,
 "MessageTrackingLogSubjectLoggingEnabled": false,
 "ExternalDNSAdapterEnabled": true, "ExternalDNSAdapterGuid": "00000000-0000-0000-0000-000000000000", "ExternalDNSServers": [],
 "InternalDNSAdapterEnabled": true, "InternalDNSAdapterGuid": "00000000-0000-0000-0000-000000000000", "InternalDNSServers": []}"#;

/// A Mailbox server: default connectors (empty banner, 36 MB) plus an anonymous relay.
const MAILBOX_RECEIVE: &str = r#"[
 {"Name": "Default Frontend MBX01", "Identity": "MBX01\\Default Frontend MBX01", "Server": "MBX01", "TransportRole": 16384,
  "AuthMechanism": 31, "PermissionGroups": 13, "Bindings": ["[::]:25", "0.0.0.0:25"],
  "RemoteIPRanges": ["::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "0.0.0.0-255.255.255.255"], "DomainSecureEnabled": true,
  "ConnectionTimeout": "00:10:00", "MaxHopCount": 60, "MaxRecipientsPerMessage": 5000, "Banner": "",
  "MaxMessageSize": "36 MB (37,748,736 bytes)"},
 {"Name": "Default MBX01", "Identity": "MBX01\\Default MBX01", "Server": "MBX01", "TransportRole": "HubTransport",
  "AuthMechanism": "Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer", "PermissionGroups": 14,
  "Bindings": ["0.0.0.0:2525"], "RemoteIPRanges": ["0.0.0.0-255.255.255.255"], "DomainSecureEnabled": false,
  "ConnectionTimeout": "00:10:00", "MaxHopCount": 60, "MaxRecipientsPerMessage": 5000, "Banner": "",
  "MaxMessageSize": "36 MB (37,748,736 bytes)"},
 {"Name": "Client Frontend MBX01", "Identity": "MBX01\\Client Frontend MBX01", "Server": "MBX01", "TransportRole": 16384,
  "AuthMechanism": 15, "PermissionGroups": "ExchangeUsers", "Bindings": ["[::]:587", "0.0.0.0:587"],
  "RemoteIPRanges": ["0.0.0.0-255.255.255.255"], "DomainSecureEnabled": false,
  "ConnectionTimeout": "00:10:00", "MaxHopCount": 60, "MaxRecipientsPerMessage": 200, "Banner": "",
  "MaxMessageSize": "36 MB (37,748,736 bytes)"},
 {"Name": "App Relay", "Identity": "MBX01\\App Relay", "Server": "MBX01", "TransportRole": 16384,
  "AuthMechanism": "Tls", "PermissionGroups": "AnonymousUsers", "Bindings": ["0.0.0.0:25"],
  "RemoteIPRanges": ["192.0.2.50"], "DomainSecureEnabled": false,
  "ConnectionTimeout": "00:10:00", "MaxHopCount": 60, "MaxRecipientsPerMessage": 5000, "Banner": "",
  "MaxMessageSize": "36 MB (37,748,736 bytes)"}
]"#;

const MAILBOX_SEND: &str = r#"[{"Name": "Outbound to Internet", "Identity": "Outbound to Internet", "AddressSpaces": ["SMTP:*;1"],
  "SmartHosts": [], "DNSRoutingEnabled": true, "TlsAuthLevel": null, "TlsDomain": null, "RequireTLS": false,
  "DomainSecureEnabled": false, "ConnectionInactivityTimeOut": "00:10:00",
  "MaxMessageSize": {"IsUnlimited": false, "Value": "10 MB (10,485,760 bytes)"}, "SourceTransportServers": ["MBX01"]}]"#;

const MAILBOX_CONFIG: &str = r#"{"Identity": "Transport Settings", "MaxReceiveSize": {"IsUnlimited": false, "Value": "10 MB (10,485,760 bytes)"},
  "MaxSendSize": "10 MB (10,485,760 bytes)", "MaxRecipientEnvelopeLimit": "5000", "InternalSMTPServers": ["192.0.2.10"],
  "TLSReceiveDomainSecureList": [], "TLSSendDomainSecureList": []}"#;

const MAILBOX_SERVICE: &str = r#"{"Name": "MBX01", "MaxOutboundConnections": 1000, "MaxPerDomainOutboundConnections": 20,
 "TransientFailureRetryCount": 10, "ConnectivityLogEnabled": true, "MessageTrackingLogEnabled": true,
 "MessageTrackingLogSubjectLoggingEnabled": false}"#;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write test input");
    path
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Runs evaluate and returns (exit code, stderr).
fn evaluate(dir: &Path, args: &[&str]) -> (i32, String) {
    let mut all = vec!["evaluate"];
    all.extend_from_slice(args);
    let out = common::exstig(dir, &all);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Status, details and comments per STIG ID of a written CKL; also validates it against the
/// XSD and checks that STIG Manager reads the same status for every Rule_ID.
fn read_ckl(path: &Path) -> HashMap<String, (Status, String, String)> {
    let text = std::fs::read_to_string(path).expect("read ckl");
    let checklist = exstig::checklist::ckl::read(path, &text).expect("our own CKL reads back");
    common::assert_ckl_valid(path);
    let vulns = &checklist.stigs[0].vulns;
    if let Some(parsed) = common::stig_manager_parse("ckl", path) {
        let reviews = parsed["checklists"][0]["reviews"]
            .as_array()
            .expect("reviews")
            .clone();
        assert_eq!(reviews.len(), vulns.len(), "STIG Manager sees every rule");
        for review in &reviews {
            let rule_id = review["ruleId"].as_str().unwrap_or_default();
            let vuln = vulns
                .iter()
                .find(|v| v.rule_id() == rule_id)
                .expect("same rule ids");
            // STIG Manager's default import setting (unreviewedCommented = informational) turns a
            // Not_Reviewed rule that carries details or comments into "informational".
            let want = match vuln.status {
                Status::NotReviewed
                    if !vuln.finding_details.is_empty() || !vuln.comments.is_empty() =>
                {
                    "informational"
                }
                other => other.xccdf(),
            };
            assert_eq!(
                review["result"].as_str(),
                Some(want),
                "STIG Manager status of {rule_id}"
            );
        }
    }
    vulns
        .iter()
        .map(|v| {
            (
                v.stig_id().to_string(),
                (v.status, v.finding_details.clone(), v.comments.clone()),
            )
        })
        .collect()
}

/// The benchmark file in ../shared/benchmarks, or None (skipping) when ../shared is absent.
fn benchmark(test: &str, file: &str) -> Option<PathBuf> {
    let shared = common::shared(test)?;
    let path = shared.join("benchmarks").join(file);
    assert!(path.is_file(), "{} exists", path.display());
    Some(path)
}

/// Status per check id, from the library (one table for every release).
fn by_check(
    bench: &Path,
    inventory: &[PathBuf],
    site: Option<&Path>,
) -> HashMap<&'static str, Vec<(String, Status)>> {
    let benchmark = exstig::benchmark::load(bench).expect("benchmark");
    let inventory = exstig::inventory::read_files(inventory).expect("inventory");
    let site = site
        .map(|p| exstig::site::Site::load(p).expect("site"))
        .unwrap_or_default();
    let asset = exstig::evaluate::asset_from(&benchmark, &inventory, &site);
    let evaluation = exstig::evaluate::evaluate(&benchmark, &inventory, &site, asset);
    let mut map: HashMap<&'static str, Vec<(String, Status)>> = HashMap::new();
    for r in &evaluation.results {
        if let Some(check) = r.check {
            map.entry(check)
                .or_default()
                .push((r.stig_id.clone(), r.status));
        }
        if r.check.is_none() {
            assert_eq!(
                r.status,
                Status::NotReviewed,
                "{} is not evaluated",
                r.stig_id
            );
            assert!(
                r.finding_details.is_empty(),
                "{} keeps empty details",
                r.stig_id
            );
        } else {
            assert!(
                r.finding_details
                    .starts_with(exstig::evaluate::DETAILS_MARKER),
                "{}",
                r.stig_id
            );
        }
    }
    map
}

fn assert_checks(
    name: &str,
    got: &HashMap<&'static str, Vec<(String, Status)>>,
    want: &[(&str, Status)],
) {
    for (check, status) in want {
        if let Some(rules) = got.get(check) {
            for (stig_id, got_status) in rules {
                assert_eq!(got_status, status, "{name}: {stig_id} ({check})");
            }
        }
    }
}

const EDGE_EXPECTED: &[(&str, Status)] = &[
    ("receive.connection-timeout", Status::Open),
    ("receive.domain-secure", Status::NotAFinding),
    ("receive.auth-tls-basic", Status::NotAFinding),
    ("receive.auth-tls", Status::Open),
    ("receive.no-anonymous", Status::NotAFinding),
    ("receive.max-recipients", Status::NotAFinding),
    ("receive.chunking", Status::NotAFinding),
    ("receive.naming", Status::NotReviewed),
    ("receive.tarpit-interval", Status::NotAFinding),
    ("receive.max-hop-count", Status::NotAFinding),
    ("receive.max-inbound-connection", Status::NotAFinding),
    ("receive.max-message-size", Status::NotReviewed),
    ("receive.banner", Status::NotAFinding),
    ("send.domain-secure", Status::NotReviewed),
    ("transport.connectivity-log", Status::NotAFinding),
    ("transport.max-outbound-connections", Status::NotAFinding),
    ("transport.max-per-domain-outbound", Status::NotAFinding),
    ("transport.retry-count", Status::Open),
    ("transport.dns-servers", Status::NotReviewed),
    ("org.max-send-size", Status::NotReviewed),
];

fn edge_inventory(dir: &Path) -> Vec<PathBuf> {
    vec![
        write(dir, "edge01-receive.json", EDGE_RECEIVE),
        write(dir, "edge01-service.json", EDGE_SERVICE),
    ]
}

fn mailbox_inventory(dir: &Path) -> Vec<PathBuf> {
    vec![
        write(dir, "mbx01-receive.json", MAILBOX_RECEIVE),
        write(dir, "mbx01-send.json", MAILBOX_SEND),
        write(dir, "mbx01-config.json", MAILBOX_CONFIG),
        write(dir, "mbx01-service.json", MAILBOX_SERVICE),
    ]
}

#[test]
fn edge_releases_get_a_careful_reviewers_statuses() {
    let dir = common::temp_dir("evaluate-edge");
    let inventory = edge_inventory(&dir);
    for (file, stig_ids) in [
        (
            "U_MS_Exchange_2013_Edge_Transport_Server_ STIG_V1R6_Manual-xccdf.xml",
            ["EX13-EG-000025", "EX13-EG-000340", "EX13-EG-000005"],
        ),
        (
            "U_MS_Exchange_2013_Edge_STIG_V1R2_Manual-xccdf.xml",
            ["EX13-EG-000025", "EX13-EG-000340", "EX13-EG-000005"],
        ),
        (
            "U_MS_Exchange_2010_Edge_STIG_V1R15_Manual-xccdf.xml",
            ["Exch-2-721", "Exch-2-718", "Exch-2-710"],
        ),
        (
            "U_MS_Exchange_2016_Edge_Transport_Server_STIG_V2R6_Manual-xccdf.xml",
            ["EX16-ED-000050", "EX16-ED-000680", "EX16-ED-000010"],
        ),
        (
            "U_MS_Exchange_2019_Edge_Server_STIG_V2R2_Manual-xccdf.xml",
            ["EX19-ED-000019", "EX19-ED-000235", "EX19-ED-000159"],
        ),
    ] {
        let Some(bench) = benchmark("edge releases", file) else {
            return;
        };
        assert_checks(file, &by_check(&bench, &inventory, None), EDGE_EXPECTED);
        let ckl = dir.join("edge.ckl");
        let (code, stderr) = evaluate(
            &dir,
            &[
                s(&inventory[0]),
                s(&inventory[1]),
                "--benchmark",
                s(&bench),
                "--ckl",
                s(&ckl),
            ],
        );
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stderr.contains("Open") && stderr.contains("CAT II"),
            "summary on stderr: {stderr}"
        );
        let statuses = read_ckl(&ckl);
        // Smart host: 2013 Edge V1R5+ says an Edge server needs none (not a finding); the other
        // releases need the Send connectors, which this inventory lacks.
        let b = exstig::benchmark::load(&bench).unwrap();
        let smart_host = statuses
            .iter()
            .find(|(id, _)| {
                b.find_rule(id)
                    .and_then(|r| exstig::checks::bind(&b, r))
                    .is_some_and(|x| x.spec.id == "send.smart-host")
            })
            .map(|(_, v)| v.0);
        let edge_note = file.contains("2013_Edge_Transport_Server");
        assert_eq!(
            smart_host,
            Some(if edge_note {
                Status::NotAFinding
            } else {
                Status::NotReviewed
            }),
            "{file}: smart host rule"
        );
        let [secure, tls, timeout] = stig_ids.map(|id| statuses[id].clone());
        assert_eq!(
            secure.0,
            Status::NotAFinding,
            "{file}: external connectors domain secure"
        );
        assert!(
            secure
                .1
                .contains("EDGE01\\Internet Inbound | internet (inferred: port 25"),
            "{}",
            secure.1
        );
        assert!(
            secure.1.contains("EDGE01\\From Organization | internal")
                && secure.1.contains("not in scope"),
            "{}",
            secure.1
        );
        assert_eq!(
            tls.0,
            Status::Open,
            "{file}: internal connectors require exactly Tls"
        );
        assert!(tls.1.contains("actual Tls, ExchangeServer"), "{}", tls.1);
        assert!(
            tls.2.contains(
                "Set-ReceiveConnector -Identity 'EDGE01\\From Organization' -AuthMechanism Tls\n# Caution: this drops ExchangeServer"
            ) && tls.2.contains("-AuthMechanism 'Tls, ExchangeServer' keeps Exchange server authentication"),
            "{}",
            tls.2
        );
        assert_eq!(timeout.0, Status::Open);
        assert!(
            timeout.2.contains("-ConnectionTimeout 00:05:00"),
            "{}",
            timeout.2
        );
        assert!(secure.1.starts_with(exstig::evaluate::DETAILS_MARKER));
        assert!(
            secure.1.contains("edge01-receive.json"),
            "details name the inventory file"
        );
    }
    // The 2013 V1R2 rule we started from, by its Rule ID.
    if let Some(bench) = benchmark(
        "SV-84553r1_rule",
        "U_MS_Exchange_2013_Edge_STIG_V1R2_Manual-xccdf.xml",
    ) {
        let benchmark = exstig::benchmark::load(&bench).unwrap();
        let rule = benchmark.find_rule("SV-84553r1_rule").expect("rule");
        assert_eq!(
            exstig::checks::bind(&benchmark, rule).unwrap().spec.id,
            "receive.auth-tls"
        );
    }
}

#[test]
fn mailbox_releases_get_a_careful_reviewers_statuses() {
    let dir = common::temp_dir("evaluate-mailbox");
    let inventory = mailbox_inventory(&dir);
    let common_expected = [
        ("receive.no-anonymous", Status::Open),
        ("receive.connection-timeout", Status::NotAFinding),
        ("receive.banner", Status::Open),
        ("receive.max-recipients", Status::Open),
        ("receive.max-hop-count", Status::NotAFinding),
        ("receive.max-message-size", Status::Open),
        ("send.smart-host", Status::Open),
        ("send.tls-auth-level", Status::NotApplicable),
        ("send.tls-domain", Status::NotApplicable),
        ("send.inactivity-timeout", Status::NotAFinding),
        ("send.max-message-size", Status::NotAFinding),
        ("transport.max-outbound-connections", Status::NotAFinding),
        ("transport.retry-count", Status::NotAFinding),
        ("org.max-receive-size", Status::NotAFinding),
        ("org.max-send-size", Status::NotAFinding),
        ("org.max-recipient-envelope", Status::NotAFinding),
        ("org.internal-smtp-servers", Status::NotReviewed),
    ];
    for (file, exact_tls) in [
        (
            "U_MS_Exchange_2013_Mailbox_STIG_V2R3_Manual-xccdf.xml",
            true,
        ),
        ("U_Exchange_2010_Hub_V1R12_Manual-xccdf.xml", true),
        (
            "U_MS_Exchange_2016_Mailbox_Server_STIG_V2R6_Manual-xccdf.xml",
            false,
        ),
        (
            "U_MS_Exchange_2019_Mailbox_Server_STIG_V1R1_Manual-xccdf..xml",
            false,
        ),
        (
            "derived/U_MS_Exchange_2019_Mailbox_Server_STIG_V2R3_Manual-rules-from-cklb.json",
            false,
        ),
    ] {
        let Some(bench) = benchmark("mailbox releases", file) else {
            return;
        };
        let got = by_check(&bench, &inventory, None);
        assert_checks(file, &got, &common_expected);
        // 2013 Mailbox: AuthMechanism exactly Tls; 2016/2019: includes Tls.
        let tls = if exact_tls {
            Status::Open
        } else {
            Status::NotAFinding
        };
        assert_checks(
            file,
            &got,
            &[
                ("receive.auth-tls", tls),
                ("receive.domain-secure", Status::Open),
            ],
        );
        assert!(
            got.contains_key("receive.auth-tls"),
            "{file} has the encryption rule"
        );
    }
    let Some(bench) = benchmark(
        "EX16-MB-000470",
        "U_MS_Exchange_2016_Mailbox_Server_STIG_V2R6_Manual-xccdf.xml",
    ) else {
        return;
    };
    let ckl = dir.join("mbx.ckl");
    let mut args: Vec<&str> = inventory.iter().map(|p| s(p)).collect();
    args.extend([
        "--benchmark",
        s(&bench),
        "--ckl",
        s(&ckl),
        "--host-name",
        "MBX01",
        "--fail-on",
        "cat2",
    ]);
    let (code, stderr) = evaluate(&dir, &args);
    assert_eq!(code, 1, "Open CAT II rules with --fail-on cat2: {stderr}");
    let statuses = read_ckl(&ckl);
    let (status, details, comments) = &statuses["EX16-MB-000470"];
    assert_eq!(*status, Status::Open);
    assert!(details.contains("MBX01\\Default Frontend MBX01 | any scope | PermissionGroups | actual AnonymousUsers, ExchangeServers, ExchangeLegacyServers"), "{details}");
    assert!(
        details.contains("MBX01\\App Relay | any scope | PermissionGroups | actual AnonymousUsers"),
        "{details}"
    );
    assert!(comments.contains("Set-ReceiveConnector -Identity 'MBX01\\Default Frontend MBX01' -PermissionGroups 'ExchangeServers, ExchangeLegacyServers'\n# Caution: on a Mailbox server that receives Internet mail directly"), "{comments}");
    assert!(
        comments.contains("Set-ReceiveConnector -Identity 'MBX01\\App Relay' -PermissionGroups None\n# Caution: this connector admits only anonymous senders")
            && comments.contains("-PermissionGroups ExchangeUsers"),
        "{comments}"
    );
    let (code, _) = evaluate(&dir, &[&args[..args.len() - 1], &["cat1"]].concat());
    assert_eq!(code, 0, "no Open CAT I rule on this Mailbox server");
}

#[test]
fn catalog_and_site_file_with_values_scopes_and_exceptions() {
    let dir = common::temp_dir("evaluate-site");
    let inventory = edge_inventory(&dir);
    let site = write(
        &dir,
        "EDGE01.site.toml",
        r#"
[asset]
host_name = "EDGE01"
fqdn = "edge01.example.mil"

[[connector]]
match = "EDGE01\\From*"
scope = "internet"

[values]
max_receive_size = "10MB"
transient_failure_retry_count = 12

[[exception]]
rule = "EX16-ED-000050"
status = "not_a_finding"
justification = "would hide a finding the STIG allows no deviation for"
approved_by = "ISSM"
expires = "2099-12-31"

[[exception]]
rule = "EX16-ED-999999"
status = "not_applicable"
justification = "typo"
"#,
    );
    let ckl = dir.join("site.ckl");
    let (code, stderr) = evaluate(
        &dir,
        &[
            s(&inventory[0]),
            s(&inventory[1]),
            "--stig",
            "exchange-2016-edge",
            "--site",
            s(&site),
            "--ckl",
            s(&ckl),
            "--fail-on",
            "cat1",
        ],
    );
    assert!(
        stderr.contains("EX16-ED-999999"),
        "unknown rule id named: {stderr}"
    );
    let statuses = read_ckl(&ckl);
    // Declared Internet-facing: the internal-only rule has nothing left to judge.
    let (status, details, _) = &statuses["EX16-ED-000680"];
    assert_eq!(*status, Status::NotApplicable, "{details}");
    assert!(
        details.contains("declared in EDGE01.site.toml"),
        "{details}"
    );
    assert_eq!(code, 0, "no Open CAT I: {stderr}");
    // Domain secure now applies to both, and the declared one fails.
    let (status, _, comments) = &statuses["EX16-ED-000050"];
    assert_eq!(*status, Status::Open, "the exception is refused");
    assert!(
        comments.contains("EDGE01.site.toml line 14: exception refused"),
        "{comments}"
    );
    // EDSP values: global size from the site file, documented retry count.
    let (status, details, _) = &statuses["EX16-ED-000320"];
    assert_eq!(*status, Status::NotAFinding, "{details}");
    assert!(
        details.contains("[values] max_receive_size in EDGE01.site.toml"),
        "{details}"
    );
    let (status, details, _) = &statuses["EX16-ED-000250"];
    assert_eq!(*status, Status::NotAFinding, "{details}");
    assert!(details.contains("the EDSP value in EDGE01.site.toml ([values] transient_failure_retry_count), not the STIG default 10"), "{details}");
    // The asset comes from the site file.
    let text = std::fs::read_to_string(&ckl).unwrap();
    assert!(text.contains("<HOST_FQDN>edge01.example.mil</HOST_FQDN>"));
}

fn mailbox_exception_run(
    name: &str,
    bench_file: &str,
    exceptions: &str,
) -> Option<(Status, String, String)> {
    let bench = benchmark(name, bench_file)?;
    let dir = common::temp_dir(name);
    let inventory = mailbox_inventory(&dir);
    let site = write(&dir, "site.toml", exceptions);
    let ckl = dir.join("out.ckl");
    let mut args: Vec<&str> = inventory.iter().map(|p| s(p)).collect();
    args.extend([
        "--benchmark",
        s(&bench),
        "--site",
        s(&site),
        "--ckl",
        s(&ckl),
    ]);
    let (code, stderr) = evaluate(&dir, &args);
    assert_eq!(code, 0, "{stderr}");
    let statuses = read_ckl(&ckl);
    let id = if bench_file.contains("2013") {
        "EX13-MB-000235"
    } else {
        "EX16-MB-000470"
    };
    Some(statuses[id].clone())
}

const MB16: &str = "U_MS_Exchange_2016_Mailbox_Server_STIG_V2R6_Manual-xccdf.xml";

#[test]
fn exception_applies_to_the_named_connectors_only() {
    let one = "[[exception]]\nrule = \"EX16-MB-000470\"\nconnector = \"*Default Frontend*\"\nstatus = \"not_a_finding\"\njustification = \"Internet mail\"\napproved_by = \"ISSM\"\nexpires = \"2099-06-30\"\n";
    let Some((status, details, comments)) = mailbox_exception_run("exception-one", MB16, one)
    else {
        return;
    };
    assert_eq!(status, Status::Open, "App Relay still fails");
    assert!(
        comments.contains("records no check_digest: add check_digest = \""),
        "{comments}"
    );
    assert!(details.contains("exception in site.toml line 1 (not_a_finding): Internet mail; approved by ISSM; expires 2099-06-30"), "{details}");
    assert!(
        comments.contains("'MBX01\\App Relay'")
            && !comments.contains("-Identity 'MBX01\\Default Frontend"),
        "{comments}"
    );
    let both = format!(
        "{one}\n[[exception]]\nrule = \"V-228391\"\nconnector = \"MBX01\\\\App Relay\"\nstatus = \"not_a_finding\"\njustification = \"Relay limited to 192.0.2.50\"\n"
    );
    let (status, _, _) = mailbox_exception_run("exception-both", MB16, &both).unwrap();
    assert_eq!(status, Status::NotAFinding);
}

#[test]
fn exception_lapses_when_expired_or_rule_changed() {
    let expired = "[[exception]]\nrule = \"SV-228391\"\nstatus = \"not_a_finding\"\njustification = \"x\"\nexpires = 2020-01-01\n";
    let Some((status, _, comments)) = mailbox_exception_run("exception-expired", MB16, expired)
    else {
        return;
    };
    assert_eq!(status, Status::Open);
    assert!(comments.contains("expired on 2020-01-01"), "{comments}");
    let changed = "[[exception]]\nrule = \"EX16-MB-000470\"\nstatus = \"not_a_finding\"\njustification = \"x\"\ncheck_digest = \"0000000000000000\"\n";
    let (status, _, comments) = mailbox_exception_run("exception-changed", MB16, changed).unwrap();
    assert_eq!(status, Status::Open);
    assert!(comments.contains("check text changed"), "{comments}");
    let benchmark = exstig::benchmark::load(&benchmark("digest", MB16).unwrap()).unwrap();
    let digest = &benchmark.find_rule("EX16-MB-000470").unwrap().check_digest;
    let current = format!(
        "[[exception]]\nrule = \"EX16-MB-000470\"\nstatus = \"not_a_finding\"\njustification = \"x\"\ncheck_digest = \"{digest}\"\n"
    );
    let (status, details, _) = mailbox_exception_run("exception-current", MB16, &current).unwrap();
    assert_eq!(status, Status::NotAFinding, "{details}");
    assert!(details.contains("automatic verdict: Open"), "{details}");
}

#[test]
fn exception_refused_where_the_stig_allows_no_deviation() {
    // 2013 Mailbox has no note allowing anonymous access: the exception is refused.
    let text = "[[exception]]\nrule = \"EX13-MB-000235\"\nstatus = \"not_a_finding\"\njustification = \"x\"\n";
    let Some((status, _, comments)) = mailbox_exception_run(
        "exception-refused",
        "U_MS_Exchange_2013_Mailbox_STIG_V2R3_Manual-xccdf.xml",
        text,
    ) else {
        return;
    };
    assert_eq!(status, Status::Open);
    assert!(
        comments.contains("exception refused")
            && comments.contains("allows no documented deviation"),
        "{comments}"
    );
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = common::temp_dir("evaluate-bad");
    let ckl = dir.join("out.ckl");
    let run = |inventory: &Path, extra: &[&str]| {
        let mut args = vec![
            s(inventory),
            "--stig",
            "exchange-2019-edge",
            "--ckl",
            s(&ckl),
            "--host-name",
            "EDGE01",
        ];
        args.extend_from_slice(extra);
        evaluate(&dir, &args)
    };
    let invalid = write(
        &dir,
        "invalid.json",
        "[\n  {\"Name\": \"x\",\n   \"AuthMechanism\": }\n]",
    );
    let (code, stderr) = run(&invalid, &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("line 3") && stderr.contains("column"),
        "{stderr}"
    );
    assert!(!ckl.exists());
    let utf16 = dir.join("utf16.json");
    let bytes: Vec<u8> = EDGE_RECEIVE
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(&utf16, bytes).unwrap();
    let (code, stderr) = run(&utf16, &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("UTF-16"), "{stderr}");
    let empty = write(&dir, "empty.json", "[]");
    let (code, stderr) = run(&empty, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(!ckl.exists());
    let bad_site = write(
        &dir,
        "bad.toml",
        "[values]\nmax_hop_count = 60\nconection_timeout = \"00:05:00\"\n",
    );
    let good = write(&dir, "good.json", EDGE_RECEIVE);
    let (code, stderr) = run(&good, &["--site", s(&bad_site)]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("conection_timeout") && stderr.contains("line 3"),
        "{stderr}"
    );
    assert!(!ckl.exists());
    let (code, _) = evaluate(&dir, &[s(&good), "--stig", "exchange-2019-edge"]);
    assert_eq!(code, 2, "--ckl is required");
    let (code, _) = evaluate(
        &dir,
        &[s(&good), "--stig", "no-such-stig", "--ckl", s(&ckl)],
    );
    assert_eq!(code, 2);
    assert!(!ckl.exists());
}

#[test]
fn unreadable_values_and_wrong_objects_are_not_reviewed_with_the_reason() {
    let dir = common::temp_dir("evaluate-values");
    let ckl = dir.join("out.ckl");
    let odd = EDGE_RECEIVE
        .replace("\"AuthMechanism\": 17", "\"AuthMechanism\": \"Tlss\"")
        .replace("\"MaxMessageSize\": 10485760", "\"MaxMessageSize\": {}");
    let inventory = write(&dir, "odd.json", &odd);
    let send_only = write(&dir, "send.json", MAILBOX_SEND);
    let (code, stderr) = evaluate(
        &dir,
        &[
            s(&inventory),
            s(&send_only),
            "--stig",
            "exchange-2019-edge",
            "--ckl",
            s(&ckl),
            "--host-name",
            "EDGE01",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let statuses = read_ckl(&ckl);
    let (status, details, comments) = &statuses["EX19-ED-000235"];
    assert_eq!(*status, Status::NotReviewed);
    assert!(
        details.contains("unknown AuthMechanism name 'Tlss'") && comments.contains("Tlss"),
        "{details}\n{comments}"
    );
    // A Send-connector-only inventory leaves the Receive rules for review, saying why.
    let (code, _) = evaluate(
        &dir,
        &[
            s(&send_only),
            "--stig",
            "exchange-2019-edge",
            "--ckl",
            s(&ckl),
            "--host-name",
            "EDGE01",
        ],
    );
    assert_eq!(code, 0);
    let statuses = read_ckl(&ckl);
    let (status, _, comments) = &statuses["EX19-ED-000159"];
    assert_eq!(*status, Status::NotReviewed);
    assert!(
        comments.contains("no Get-ReceiveConnector objects"),
        "{comments}"
    );
    assert_eq!(
        statuses["EX19-ED-000095"].0,
        Status::Open,
        "no smart host on the Internet send connector"
    );
}

#[test]
fn all_outputs_written_together() {
    let dir = common::temp_dir("evaluate-outputs");
    let inventory = edge_inventory(&dir);
    let (ckl, cklb, xccdf) = (dir.join("o.ckl"), dir.join("o.cklb"), dir.join("o.xml"));
    let (code, stderr) = evaluate(
        &dir,
        &[
            s(&inventory[0]),
            s(&inventory[1]),
            "--stig",
            "exchange-2019-edge",
            "--ckl",
            s(&ckl),
            "--cklb",
            s(&cklb),
            "--xccdf",
            s(&xccdf),
            "--fail-on",
            "cat1",
        ],
    );
    assert_eq!(
        code, 1,
        "the CAT I internal-encryption rule is Open: {stderr}"
    );
    assert!(ckl.exists() && cklb.exists() && xccdf.exists());
    read_ckl(&ckl);
    // The CKLB says the same as the CKL, rule by rule, to STIG Manager.
    if let (Some(from_ckl), Some(from_cklb)) = (
        common::stig_manager_parse("ckl", &ckl),
        common::stig_manager_parse("cklb", &cklb),
    ) {
        let results = |parsed: &serde_json::Value| -> HashMap<String, String> {
            parsed["checklists"][0]["reviews"]
                .as_array()
                .expect("reviews")
                .iter()
                .map(|r| {
                    (
                        r["ruleId"].as_str().unwrap_or_default().to_string(),
                        r["result"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        };
        let (a, b) = (results(&from_ckl), results(&from_cklb));
        assert_eq!(a.len(), 68);
        assert_eq!(a, b);
        assert!(a.values().any(|r| r == "fail") && a.values().any(|r| r == "pass"));
    }
    let out = common::exstig(
        &dir,
        &["validate", "--submittable", s(&ckl), s(&cklb), s(&xccdf)],
    );
    assert!(
        out.status.success(),
        "exstig validate accepts all three outputs: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let xml = std::fs::read_to_string(&xccdf).unwrap();
    assert!(
        xml.contains("result>fail<") || xml.contains(">fail</"),
        "XCCDF carries the findings"
    );
    let (code, _) = evaluate(
        &dir,
        &[
            s(&inventory[0]),
            "--stig",
            "exchange-2019-edge",
            "--ckl",
            s(&ckl),
            "--cklb",
            s(&ckl),
        ],
    );
    assert_eq!(code, 2, "the same file twice as output");
}

#[test]
fn readme_main_job_works_with_the_bundled_example() {
    let root = common::root();
    let dir = common::temp_dir("evaluate-readme");
    let out = dir.join("out");
    let (ckl, cklb, xccdf) = (
        out.join("EDGE01.ckl"),
        out.join("EDGE01.cklb"),
        out.join("EDGE01-xccdf.xml"),
    );
    let (code, stderr) = evaluate(
        &root,
        &[
            "fixtures/inventory/EDGE01.bundle.json",
            "--stig",
            "exchange-2019-edge",
            "--site",
            "fixtures/site/EDGE01.site.toml",
            "--ckl",
            s(&ckl),
            "--cklb",
            s(&cklb),
            "--xccdf",
            s(&xccdf),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(cklb.exists() && xccdf.exists());
    let statuses = read_ckl(&ckl);
    assert_eq!(
        statuses["EX19-ED-000117"].0,
        Status::NotAFinding,
        "naming decided by the documented exception"
    );
    assert!(
        statuses["EX19-ED-000117"]
            .1
            .contains("automatic verdict: Not_Reviewed")
    );
    assert_eq!(
        statuses["EX19-ED-000224"].0,
        Status::NotApplicable,
        "not multi-homed"
    );
    assert_eq!(statuses["EX19-ED-000019"].0, Status::NotAFinding);
    assert!(
        statuses["EX19-ED-000019"]
            .1
            .contains("declared in EDGE01.site.toml")
    );
    let text = std::fs::read_to_string(&ckl).unwrap();
    assert!(text.contains("<HOST_NAME>EDGE01</HOST_NAME>"));
}

#[test]
fn connectors_of_other_servers_are_listed_not_judged() {
    let dir = common::temp_dir("evaluate-servers");
    let other = EDGE_RECEIVE
        .replace("EDGE01\\\\From Organization", "EDGE02\\\\From Organization")
        .replace(
            "\"Server\": \"EDGE01\",\n  \"AuthMechanism\": 17",
            "\"Server\": \"EDGE02\",\n  \"AuthMechanism\": 17",
        );
    assert!(other.contains("EDGE02"), "test input has a second server");
    let inventory = write(&dir, "org.json", &other);
    let ckl = dir.join("o.ckl");
    let (code, stderr) = evaluate(
        &dir,
        &[
            s(&inventory),
            "--stig",
            "exchange-2016-edge",
            "--ckl",
            s(&ckl),
            "--host-name",
            "edge01.example.mil",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let statuses = read_ckl(&ckl);
    let (status, details, _) = &statuses["EX16-ED-000010"];
    assert_eq!(
        *status,
        Status::NotAFinding,
        "EDGE02's 10-minute timeout is not EDGE01's finding: {details}"
    );
    assert!(details.contains("Not evaluated (they belong to other servers than edge01.example.mil): EDGE02\\From Organization"), "{details}");
}

#[test]
fn wrong_stig_for_the_server_role_is_refused_unless_forced() {
    let dir = common::temp_dir("evaluate-role");
    let inventory = mailbox_inventory(&dir);
    let bundle_free: Vec<&str> = inventory.iter().map(|p| s(p)).collect();
    let ckl = dir.join("o.ckl");
    let mut args = bundle_free.clone();
    args.extend(["--stig", "exchange-2019-edge", "--ckl", s(&ckl)]);
    let (code, stderr) = evaluate(&dir, &args);
    assert_eq!(code, 2, "{stderr}");
    assert!(!ckl.exists(), "nothing written");
    assert!(
        stderr.contains("contradicts the chosen STIG")
            && stderr.contains("Default Frontend MBX01")
            && stderr.contains("use --stig exchange-2019-mailbox")
            && stderr.contains("--force"),
        "{stderr}"
    );
    args.push("--force");
    let (code, stderr) = evaluate(&dir, &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("describes a Mailbox server") && stderr.contains("right STIG"),
        "{stderr}"
    );
    let mut args = bundle_free;
    args.extend(["--stig", "exchange-2019-mailbox", "--ckl", s(&ckl)]);
    let (_, stderr) = evaluate(&dir, &args);
    assert!(!stderr.contains("right STIG"), "{stderr}");
}

#[test]
fn real_clixml_exports_of_an_exchange_2019_lab() {
    let Some(shared) = common::shared("real CliXML samples") else {
        return;
    };
    let samples = shared.join("samples/exchange/clixml");
    let Some(bench) = benchmark(
        "real CliXML samples",
        "U_MS_Exchange_2019_Mailbox_Server_STIG_V1R1_Manual-xccdf..xml",
    ) else {
        return;
    };
    let dir = common::temp_dir("evaluate-clixml");
    let site = write(
        &dir,
        "lab.toml",
        "[values]\nsmart_hosts = [\"microsoft-com.mail.protection.outlook.com\"]\n",
    );
    let ckl = dir.join("lab.ckl");
    let receive = samples.join("css-exchange_GetReceiveConnector_E2019.xml");
    let send = samples.join("css-exchange_GetSendConnector_E2019.xml");
    let (code, stderr) = evaluate(
        &dir,
        &[
            s(&receive),
            s(&send),
            "--benchmark",
            s(&bench),
            "--ckl",
            s(&ckl),
            "--site",
            s(&site),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let statuses = read_ckl(&ckl);
    // The default front end accepts anonymous mail: Open on a Mailbox STIG.
    assert_eq!(statuses["EX19-MB-000135"].0, Status::Open);
    assert!(statuses["EX19-MB-000135"].1.contains(
        "Default Frontend WIN-CTD3L0RGEN4 | any scope | PermissionGroups | actual AnonymousUsers"
    ));
    // Every default connector offers Tls among others: the CAT I rule passes.
    assert_eq!(statuses["EX19-MB-000236"].0, Status::NotAFinding);
    assert_eq!(statuses["EX19-MB-000232"].0, Status::Open, "empty banners");
    assert_eq!(statuses["EX19-MB-000158"].0, Status::NotAFinding);
    assert_eq!(
        statuses["EX19-MB-000106"].0,
        Status::NotAFinding,
        "{}",
        statuses["EX19-MB-000106"].1
    );
    // The send connector has no TlsAuthLevel but it is the Internet one: the internal rule has nothing to judge.
    assert_eq!(statuses["EX19-MB-000233"].0, Status::NotApplicable);
    let (status, details, _) = &statuses["EX19-MB-000124"];
    assert_eq!(*status, Status::NotReviewed);
    assert!(
        details.contains("actual 36 MB (37,748,736 bytes)")
            && details.contains("[values] max_receive_size"),
        "{details}"
    );
}

#[test]
fn sipr_enclave_makes_the_internet_rules_not_applicable() {
    let Some(bench) = benchmark(
        "SIPR",
        "U_MS_Exchange_2019_Edge_Server_STIG_V2R2_Manual-xccdf.xml",
    ) else {
        return;
    };
    let dir = common::temp_dir("evaluate-sipr");
    let inventory = edge_inventory(&dir);
    let ckl = dir.join("sipr.ckl");
    let run = |site: &Path| {
        let (code, stderr) = evaluate(
            &dir,
            &[
                s(&inventory[0]),
                s(&inventory[1]),
                "--benchmark",
                s(&bench),
                "--site",
                s(site),
                "--ckl",
                s(&ckl),
            ],
        );
        assert_eq!(code, 0, "{stderr}");
        read_ckl(&ckl)
    };
    let sipr = run(&write(&dir, "sipr.toml", "[values]\nsipr = true\n"));
    assert_eq!(
        sipr["EX19-ED-000099"].0,
        Status::NotApplicable,
        "{}",
        sipr["EX19-ED-000099"].2
    );
    assert!(sipr["EX19-ED-000099"].2.contains("SIPR"));
    assert_eq!(
        sipr["EX19-ED-000019"].0,
        Status::NotAFinding,
        "rules without the SIPR note are evaluated"
    );
    let nipr = run(&write(&dir, "nipr.toml", "[values]\nsipr = false\n"));
    assert_eq!(nipr["EX19-ED-000099"].0, Status::NotAFinding);
    let silent = run(&write(&dir, "silent.toml", ""));
    assert!(
        silent["EX19-ED-000099"]
            .2
            .contains("set [values] sipr = true"),
        "{}",
        silent["EX19-ED-000099"].2
    );
}

#[test]
fn mailbox_example_site_file_with_disa_text_and_with_the_catalog() {
    let Some(bench) = benchmark("MBX01 example", MB16) else {
        return;
    };
    let root = common::root();
    let dir = common::temp_dir("evaluate-mbx01");
    let ckl = dir.join("MBX01.ckl");
    let site = "fixtures/site/MBX01.site.toml";
    let inventory = "fixtures/inventory/MBX01.bundle.json";
    // The example bundle says Exchange 15.2 (2019); this test is about the site file with the
    // 2016 text, so the release check is overridden.
    let (code, stderr) = evaluate(
        &root,
        &[
            inventory,
            "--benchmark",
            s(&bench),
            "--site",
            site,
            "--ckl",
            s(&ckl),
            "--force",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let (_, details, comments) = read_ckl(&ckl)["EX16-MB-000470"].clone();
    assert!(
        details.contains("App Relay") && details.contains("exception in MBX01.site.toml"),
        "{details}"
    );
    assert!(
        !comments.contains("exception refused") && !comments.contains("records no check_digest"),
        "{comments}"
    );
    let (code, stderr) = evaluate(
        &root,
        &[
            inventory,
            "--stig",
            "exchange-2016-mailbox",
            "--site",
            site,
            "--ckl",
            s(&ckl),
            "--force",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let (status, _, comments) = read_ckl(&ckl)["EX16-MB-000470"].clone();
    assert_eq!(status, Status::Open);
    assert!(
        comments.contains("exception refused")
            && comments.contains("embedded catalog carries no check text"),
        "{comments}"
    );
}
