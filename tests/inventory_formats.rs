//! CliXML, CSV and Format-List reading: the real Exchange samples in ../shared, round-trip
//! equality of the same connectors across every format, format detection and bad input.

mod common;

use exstig::inventory::values::{
    self, AUTH_MECHANISM, PERMISSION_GROUPS, TLS_AUTH_LEVEL, TRANSPORT_ROLE,
};
use exstig::inventory::{
    Fidelity, InputFormat, Inventory, InventoryObject, ObjectKind, ServerRole, read_files,
    read_files_as, read_texts_as,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    common::root().join("fixtures/inventory").join(name)
}

fn read(paths: &[PathBuf]) -> Inventory {
    read_files(paths).unwrap_or_else(|e| panic!("{paths:?}: {e}"))
}

fn find<'a>(inv: &'a Inventory, kind: ObjectKind, name: &str) -> &'a InventoryObject {
    inv.of_kind(kind)
        .find(|o| o.name() == name)
        .unwrap_or_else(|| panic!("no {kind:?} named {name}"))
}

/// The normalized values the checks use, one line per property (problems included, so a
/// format that loses a value shows up as a difference).
fn normalized(o: &InventoryObject) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    let show =
        |r: Result<String, values::ValueProblem>| r.unwrap_or_else(|p| format!("PROBLEM: {p}"));
    let flags = |prop, table: &values::FlagTable| {
        show(values::flags(o, prop, table).map(|s| table.display(&s)))
    };
    let text = |prop| show(values::text(o, prop).map(|t| t.unwrap_or_default()));
    match o.kind {
        ObjectKind::ReceiveConnector => {
            out.insert("AuthMechanism", flags("AuthMechanism", &AUTH_MECHANISM));
            out.insert(
                "PermissionGroups",
                flags("PermissionGroups", &PERMISSION_GROUPS),
            );
            out.insert("TransportRole", flags("TransportRole", &TRANSPORT_ROLE));
            for prop in [
                "ConnectionTimeout",
                "ConnectionInactivityTimeout",
                "TarpitInterval",
                "AuthTarpitInterval",
            ] {
                out.insert(prop, show(values::timespan(o, prop).map(|t| t.to_string())));
            }
            for prop in ["MaxMessageSize", "MaxHeaderSize"] {
                out.insert(prop, show(values::size(o, prop).map(|s| s.to_string())));
            }
            for prop in [
                "MaxInboundConnection",
                "MessageRateLimit",
                "MaxInboundConnectionPerSource",
                "MaxProtocolErrors",
            ] {
                out.insert(prop, show(values::limit(o, prop).map(|l| l.to_string())));
            }
            for prop in ["MaxHopCount", "MaxRecipientsPerMessage", "MaxLocalHopCount"] {
                out.insert(prop, show(values::integer(o, prop).map(|n| n.to_string())));
            }
            for prop in [
                "DomainSecureEnabled",
                "ChunkingEnabled",
                "RequireTLS",
                "Enabled",
            ] {
                out.insert(prop, show(values::boolean(o, prop).map(|b| b.to_string())));
            }
            for prop in ["Bindings", "RemoteIPRanges"] {
                out.insert(prop, show(values::list(o, prop).map(|l| l.join(" | "))));
            }
            for prop in [
                "Banner",
                "Fqdn",
                "TlsCertificateName",
                "DistinguishedName",
                "Comment",
            ] {
                out.insert(prop, text(prop));
            }
        }
        ObjectKind::SendConnector => {
            out.insert("TlsAuthLevel", flags("TlsAuthLevel", &TLS_AUTH_LEVEL));
            out.insert(
                "ConnectionInactivityTimeOut",
                show(values::timespan(o, "ConnectionInactivityTimeOut").map(|t| t.to_string())),
            );
            out.insert(
                "MaxMessageSize",
                show(values::size(o, "MaxMessageSize").map(|s| s.to_string())),
            );
            for prop in ["AddressSpaces", "SmartHosts", "SourceTransportServers"] {
                out.insert(prop, show(values::list(o, prop).map(|l| l.join(" | "))));
            }
            for prop in [
                "DNSRoutingEnabled",
                "DomainSecureEnabled",
                "RequireTLS",
                "Enabled",
            ] {
                out.insert(prop, show(values::boolean(o, prop).map(|b| b.to_string())));
            }
            for prop in ["TlsDomain", "Fqdn", "TlsCertificateName"] {
                out.insert(prop, text(prop));
            }
        }
        _ => {}
    }
    out
}

fn assert_same_objects(a: &Inventory, b: &Inventory, kind: ObjectKind, what: &str) {
    let names: Vec<String> = a.of_kind(kind).map(|o| o.name()).collect();
    assert!(!names.is_empty());
    assert_eq!(
        names,
        b.of_kind(kind).map(|o| o.name()).collect::<Vec<_>>(),
        "{what}"
    );
    for x in a.of_kind(kind) {
        let y = find(b, kind, &x.name());
        assert_eq!(x.identity(), y.identity(), "{what}");
        assert_eq!(normalized(x), normalized(y), "{what}: {}", x.name());
    }
}

/// The MBX01 Receive connectors give the same normalized values as a bundle, CliXML, CSV and
/// Format-List text.
#[test]
fn same_receive_connectors_in_every_format() {
    let bundle = read(&[fixture("MBX01.bundle.json")]);
    for file in [
        "MBX01-receive-connectors.clixml.xml",
        "MBX01-receive-connectors.csv",
        "MBX01-receive-connectors.fl.txt",
    ] {
        let other = read(&[fixture(file)]);
        assert!(other.skipped.is_empty(), "{file}: {:?}", other.skipped);
        assert_eq!(other.host.host_name.as_deref(), Some("MBX01"), "{file}");
        assert_eq!(other.host.role, Some(ServerRole::Mailbox), "{file}");
        assert_same_objects(&bundle, &other, ObjectKind::ReceiveConnector, file);
    }
    let text = read(&[fixture("MBX01-receive-connectors.fl.txt")]);
    assert!(text.objects.iter().all(|o| o.fidelity == Fidelity::Text));
    // the same text pasted through an editor that drops trailing spaces reads the same
    let path = fixture("MBX01-receive-connectors.fl.txt");
    let trimmed: String = exstig::fsio::read_text(&path)
        .unwrap()
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect();
    let pasted = read_texts_as(&[(path, trimmed)], None).unwrap();
    assert_same_objects(
        &bundle,
        &pasted,
        ObjectKind::ReceiveConnector,
        "trimmed Format-List",
    );
    let clixml = read(&[fixture("MBX01-receive-connectors.clixml.xml")]);
    assert!(clixml.objects.iter().all(|o| o.fidelity == Fidelity::Exact));
    // the values themselves, not only their agreement
    let relay = find(&clixml, ObjectKind::ReceiveConnector, "App Relay MBX01");
    let n = normalized(relay);
    assert_eq!(n["PermissionGroups"], "AnonymousUsers");
    assert_eq!(n["TarpitInterval"], "00:00:00");
    assert_eq!(n["MaxMessageSize"], "10 MB (10,485,760 bytes)");
    assert_eq!(n["RemoteIPRanges"], "192.0.2.50 | 192.0.2.51");
    assert_eq!(
        n["Comment"],
        "Anonymous relay for the HR and ticketing application servers (CR 2025-114)"
    );
}

#[test]
fn same_send_connectors_in_every_format() {
    let bundle = read(&[fixture("MBX01.bundle.json")]);
    for file in [
        "MBX01-send-connectors.clixml.xml",
        "MBX01-send-connectors.csv",
        "MBX01-send-connectors.fl.txt",
    ] {
        let other = read(&[fixture(file)]);
        assert!(other.skipped.is_empty(), "{file}: {:?}", other.skipped);
        assert_same_objects(&bundle, &other, ObjectKind::SendConnector, file);
    }
    let csv = read(&[fixture("MBX01-send-connectors.csv")]);
    let internet = find(
        &csv,
        ObjectKind::SendConnector,
        "EdgeSync - Default-First-Site-Name to Internet",
    );
    assert_eq!(normalized(internet)["AddressSpaces"], "smtp:*;100");
    assert_eq!(normalized(internet)["SmartHosts"], "[192.0.2.25]");
    let ps51 = read(&[fixture("MBX01-send-connectors.ps51.json")]);
    let internet = find(
        &ps51,
        ObjectKind::SendConnector,
        "EdgeSync - Default-First-Site-Name to Internet",
    );
    // 5.1 JSON shows the Unlimited<ByteQuantifiedSize> value as {}: a problem, not a guess
    assert!(
        normalized(internet)["MaxMessageSize"]
            .starts_with("PROBLEM: MaxMessageSize is an empty object {}")
    );
}

fn shared_clixml(name: &str) -> Option<PathBuf> {
    let dir = common::shared(&format!("CliXML sample {name}"))?;
    Some(dir.join("samples/exchange/clixml").join(name))
}

/// The real Exchange 2019 `Export-Clixml` of the five default Mailbox Receive connectors.
#[test]
fn real_clixml_default_receive_connectors() {
    let Some(path) = shared_clixml("css-exchange_GetReceiveConnector_E2019.xml") else {
        return;
    };
    let inv = read(&[path]);
    assert!(inv.skipped.is_empty(), "{:?}", inv.skipped);
    assert_eq!(inv.of_kind(ObjectKind::ReceiveConnector).count(), 5);
    assert_eq!(inv.host.host_name.as_deref(), Some("WIN-CTD3L0RGEN4"));
    assert_eq!(inv.host.fqdn.as_deref(), Some("win-ctd3l0rgen4.exlab.dom"));
    assert_eq!(inv.host.role, Some(ServerRole::Mailbox));
    let all = "Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer";
    // name, AuthMechanism, PermissionGroups, TransportRole, Bindings, DomainSecure, Tarpit,
    // MessageRateLimit, MaxRecipientsPerMessage
    let expected = [
        (
            "Default",
            all,
            "ExchangeUsers, ExchangeServers, ExchangeLegacyServers",
            "HubTransport",
            "0.0.0.0:2525 | [::]:2525",
            "false",
            "00:00:05",
            "Unlimited",
            "5000",
        ),
        (
            "Client Proxy",
            all,
            "ExchangeUsers, ExchangeServers",
            "HubTransport",
            "[::]:465 | 0.0.0.0:465",
            "false",
            "00:00:05",
            "5",
            "200",
        ),
        (
            "Default Frontend",
            all,
            "AnonymousUsers, ExchangeServers, ExchangeLegacyServers",
            "FrontendTransport",
            "[::]:25 | 0.0.0.0:25",
            "true",
            "00:00:05",
            "Unlimited",
            "200",
        ),
        (
            "Outbound Proxy Frontend",
            all,
            "ExchangeServers",
            "FrontendTransport",
            "[::]:717 | 0.0.0.0:717",
            "true",
            "00:00:00",
            "Unlimited",
            "200",
        ),
        (
            "Client Frontend",
            "Tls, Integrated, BasicAuth, BasicAuthRequireTLS",
            "ExchangeUsers",
            "FrontendTransport",
            "[::]:587 | 0.0.0.0:587",
            "false",
            "00:00:05",
            "5",
            "200",
        ),
    ];
    for (name, auth, perms, role, bindings, secure, tarpit, rate, recipients) in expected {
        let name = format!("{name} WIN-CTD3L0RGEN4");
        let o = find(&inv, ObjectKind::ReceiveConnector, &name);
        assert_eq!(o.identity(), format!("WIN-CTD3L0RGEN4\\{name}"));
        let n = normalized(o);
        assert_eq!(n["AuthMechanism"], auth, "{name}");
        assert_eq!(n["PermissionGroups"], perms, "{name}");
        assert_eq!(n["TransportRole"], role, "{name}");
        assert_eq!(n["Bindings"], bindings, "{name}");
        assert_eq!(n["DomainSecureEnabled"], secure, "{name}");
        assert_eq!(n["TarpitInterval"], tarpit, "{name}");
        assert_eq!(n["MessageRateLimit"], rate, "{name}");
        assert_eq!(n["MaxRecipientsPerMessage"], recipients, "{name}");
        assert_eq!(n["ConnectionTimeout"], "00:10:00", "{name}");
        assert_eq!(n["ConnectionInactivityTimeout"], "00:05:00", "{name}");
        assert_eq!(n["MaxMessageSize"], "36 MB (37,748,736 bytes)", "{name}");
        assert_eq!(n["MaxHeaderSize"], "256 KB (262,144 bytes)", "{name}");
        assert_eq!(n["MaxInboundConnection"], "5000", "{name}");
        assert_eq!(n["MaxHopCount"], "60", "{name}");
        assert_eq!(
            n["RemoteIPRanges"],
            "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | 0.0.0.0-255.255.255.255",
            "{name}"
        );
        assert_eq!(n["Banner"], "", "{name}");
        assert_eq!(n["RequireTLS"], "false", "{name}");
        assert_eq!(n["Fqdn"], "WIN-CTD3L0RGEN4.exlab.dom", "{name}");
        let cert = if name.starts_with("Default Frontend") {
            "<I>CN=WIN-CTD3L0RGEN4<S>CN=WIN-CTD3L0RGEN4"
        } else {
            ""
        };
        assert_eq!(n["TlsCertificateName"], cert, "{name}");
    }
    // `Id` is a <Ref> to the Identity object: resolved
    let o = find(
        &inv,
        ObjectKind::ReceiveConnector,
        "Default WIN-CTD3L0RGEN4",
    );
    assert_eq!(
        values::text(o, "Id").unwrap().as_deref(),
        Some("WIN-CTD3L0RGEN4\\Default WIN-CTD3L0RGEN4")
    );
    assert!(o.get("SerializationData").is_none());

    let Some(variant) =
        shared_clixml("css-exchange_GetReceiveConnector_E2019_EmptyTlsCertificateName.xml")
    else {
        return;
    };
    let inv = read(&[variant]);
    let frontend = find(
        &inv,
        ObjectKind::ReceiveConnector,
        "Default Frontend WIN-CTD3L0RGEN4",
    );
    assert_eq!(values::text(frontend, "TlsCertificateName").unwrap(), None);
    assert_eq!(
        values::list(frontend, "TlsDomainCapabilities").unwrap(),
        ["fabrikam.com:AcceptCloudServicesMail"]
    );
}

/// The real Exchange 2019 `Export-Clixml` of Send connectors (Exchange Online smart hosts).
#[test]
fn real_clixml_send_connectors() {
    let (Some(plain), Some(relay)) = (
        shared_clixml("css-exchange_GetSendConnector_E2019.xml"),
        shared_clixml("css-exchange_GetSendConnector_E2019_RelayToM365.xml"),
    ) else {
        return;
    };
    let inv = read(&[plain]);
    assert_eq!(inv.objects.len(), 1);
    let o = find(&inv, ObjectKind::SendConnector, "Mail to O365");
    assert_eq!(o.identity(), "Mail to O365");
    assert_eq!(o.server(), None);
    let n = normalized(o);
    assert_eq!(n["TlsAuthLevel"], "(not set)");
    assert_eq!(n["SmartHosts"], "microsoft-com.mail.protection.outlook.com");
    assert_eq!(n["AddressSpaces"], "SMTP:*;1");
    assert_eq!(n["SourceTransportServers"], "WIN-CTD3L0RGEN4");
    assert_eq!(n["ConnectionInactivityTimeOut"], "00:10:00");
    assert_eq!(n["MaxMessageSize"], "35 MB (36,700,160 bytes)");
    assert_eq!(n["DNSRoutingEnabled"], "false");
    assert_eq!(n["RequireTLS"], "false");
    assert_eq!(n["TlsCertificateName"], "<I>CN=localhost<S>CN=localhost");
    assert_eq!(n["TlsDomain"], "");
    assert_eq!(values::integer(o, "Port").unwrap(), 25);
    // SourceIPAddress is a <Ref> to the IPAddress inside SmartHosts
    assert_eq!(
        values::text(o, "SourceIPAddress").unwrap().as_deref(),
        Some("0.0.0.0")
    );

    let inv = read(&[relay]);
    let o = find(&inv, ObjectKind::SendConnector, "My company to Office 365");
    let n = normalized(o);
    assert_eq!(n["TlsAuthLevel"], "CertificateValidation");
    assert_eq!(n["RequireTLS"], "true");
    assert_eq!(n["AddressSpaces"], "smtp:*;1");
    assert_eq!(n["Fqdn"], "mail.contoso.com");
    assert_eq!(
        n["SmartHosts"],
        "ThisTenantDoesntExists-com.mail.protection.outlook.com"
    );
}

/// The real CSV export of one custom Receive connector (sizes were converted to MB by the
/// exporting script: a bare "36" is reported, not read as 36 bytes).
#[test]
fn real_csv_receive_connector() {
    let Some(dir) = common::shared("CSV sample") else {
        return;
    };
    let path =
        dir.join("samples/exchange/csv/sammykrosoft_Sample_Export_ReceiveConnector_E2016.csv");
    let inv = read(&[path]);
    assert_eq!(inv.objects.len(), 1);
    let o = &inv.objects[0];
    assert_eq!(o.kind, ObjectKind::ReceiveConnector);
    assert_eq!(o.identity(), "E2016-02\\Anonymous Known Hosts 2");
    assert_eq!(inv.host.host_name.as_deref(), Some("E2016-02"));
    let n = normalized(o);
    assert_eq!(n["AuthMechanism"], "Tls");
    assert_eq!(n["PermissionGroups"], "AnonymousUsers, Custom");
    assert_eq!(n["TransportRole"], "FrontendTransport");
    assert_eq!(n["Bindings"], "0.0.0.0:25");
    assert_eq!(n["RemoteIPRanges"], "157.52.5.66");
    assert_eq!(n["ConnectionTimeout"], "00:10:00");
    assert_eq!(n["TarpitInterval"], "00:00:05");
    assert_eq!(n["MaxInboundConnection"], "5000");
    assert_eq!(n["MessageRateLimit"], "Unlimited");
    assert_eq!(n["MaxRecipientsPerMessage"], "200");
    assert_eq!(n["MaxHopCount"], "60");
    assert_eq!(n["Banner"], "");
    assert!(
        n["MaxMessageSize"].contains("bare number 36"),
        "{}",
        n["MaxMessageSize"]
    );
}

fn write_temp(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn error_of(paths: &[PathBuf], format: Option<InputFormat>) -> String {
    match read_files_as(paths, format) {
        Ok(inv) => panic!("expected an error, got {} objects", inv.objects.len()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn format_override_and_detection_errors() {
    let csv = fixture("MBX01-receive-connectors.csv");
    assert_eq!(
        read_files_as(&[csv], Some(InputFormat::Csv))
            .unwrap()
            .objects
            .len(),
        6
    );
    let e = error_of(
        &[fixture("MBX01-receive-connectors.clixml.xml")],
        Some(InputFormat::Json),
    );
    assert!(
        e.contains("invalid JSON") && e.contains("line 1, column"),
        "{e}"
    );
    let dir = common::temp_dir("inv-formats-detect");
    let prose = write_temp(
        &dir,
        "notes.txt",
        b"Please find the connector settings attached.\n",
    );
    let e = error_of(&[prose], None);
    for name in ["JSON", "CliXML", "CSV", "Format-List"] {
        assert!(e.contains(name), "{e}");
    }
}

#[test]
fn bad_clixml_and_csv_are_errors_with_positions() {
    let dir = common::temp_dir("inv-formats-bad");
    // truncated: the first half of a real-shaped export
    let full = exstig::fsio::read_text(&fixture("MBX01-receive-connectors.clixml.xml")).unwrap();
    let cut = &full[..full.len() / 2];
    let e = error_of(&[write_temp(&dir, "cut.xml", cut.as_bytes())], None);
    assert!(
        e.contains("cut.xml (line") && (e.contains("truncated") || e.contains("not well-formed")),
        "{e}"
    );
    let head =
        r#"<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">"#;
    let missing = format!(
        "{head}\n<Obj RefId=\"0\"><Props><S N=\"Name\">R</S>\n<Ref N=\"Bindings\" RefId=\"9\" /></Props></Obj></Objs>"
    );
    let e = error_of(&[write_temp(&dir, "missing.xml", missing.as_bytes())], None);
    assert!(
        e.contains("(line 3, column 1)") && e.contains("RefId=\"9\""),
        "{e}"
    );
    let cycle = format!(
        "{head}<Obj RefId=\"0\"><Props><Obj N=\"Bindings\" RefId=\"1\"><LST><Ref RefId=\"1\" /></LST></Obj></Props></Obj></Objs>"
    );
    let e = error_of(&[write_temp(&dir, "cycle.xml", cycle.as_bytes())], None);
    assert!(e.contains("reference cycle"), "{e}");
    let deep = format!(
        "{head}{}{}</Objs>",
        "<Obj RefId=\"0\"><LST>".repeat(50_000),
        "</LST></Obj>".repeat(50_000)
    );
    let e = error_of(&[write_temp(&dir, "deep.xml", deep.as_bytes())], None);
    assert!(e.contains("nested more than"), "{e}");
    let ragged = "\"Name\",\"AuthMechanism\",\"Bindings\"\r\n\"A\",\"Tls\",\"0.0.0.0:25\"\r\n\"B\",\"Tls\"\r\n";
    let e = error_of(&[write_temp(&dir, "ragged.csv", ragged.as_bytes())], None);
    assert!(
        e.contains("ragged.csv (line 3, column 1)") && e.contains("2 fields"),
        "{e}"
    );
    // UTF-16LE CliXML without BOM
    let mut units = Vec::new();
    for u in format!("{head}</Objs>").encode_utf16() {
        units.extend(u.to_le_bytes());
    }
    let e = error_of(&[write_temp(&dir, "nobom.xml", &units)], None);
    assert!(e.contains("without a byte order mark"), "{e}");
    // Format-List with prose in the middle
    let fl = "Name          : Relay\r\nAuthMechanism : Tls\r\nthis line is not a property\r\n";
    let e = error_of(&[write_temp(&dir, "fl.txt", fl.as_bytes())], None);
    assert!(e.contains("fl.txt (line 3, column 1)"), "{e}");
}

#[test]
fn truncated_format_list_lists_are_problems() {
    let dir = common::temp_dir("inv-formats-fl");
    let fl = "\r\nName           : Relay EX1\r\nIdentity       : EX1\\Relay EX1\r\nRemoteIPRanges : {192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4...}\r\nAuthMechanism  : Tls\r\n";
    let inv = read(&[write_temp(&dir, "fl.txt", fl.as_bytes())]);
    let o = &inv.objects[0];
    assert_eq!(o.fidelity, Fidelity::Text);
    assert_eq!(o.identity(), "EX1\\Relay EX1");
    let e = values::list(o, "RemoteIPRanges").unwrap_err().to_string();
    assert!(
        e.contains("cut short") && e.contains("FormatEnumerationLimit"),
        "{e}"
    );
}

/// Rule_ID -> STATUS of a CKL (plain string scanning is enough for exstig's own output).
fn statuses(ckl: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for vuln in ckl.split("<VULN>").skip(1) {
        let rule = vuln
            .split("<VULN_ATTRIBUTE>Rule_ID</VULN_ATTRIBUTE>")
            .nth(1)
            .and_then(|rest| rest.split("<ATTRIBUTE_DATA>").nth(1))
            .and_then(|rest| rest.split("</ATTRIBUTE_DATA>").next())
            .unwrap_or_default();
        let status = vuln
            .split("<STATUS>")
            .nth(1)
            .and_then(|rest| rest.split("</STATUS>").next())
            .unwrap_or_default();
        out.insert(rule.to_string(), status.to_string());
    }
    out
}

/// The same connectors as CliXML, CSV and Format-List text give the same verdicts.
#[test]
fn same_verdicts_from_every_format() {
    let dir = common::temp_dir("inv-formats-verdicts");
    let send = fixture("MBX01-send-connectors.clixml.xml");
    let mut results = Vec::new();
    for file in [
        "MBX01-receive-connectors.clixml.xml",
        "MBX01-receive-connectors.csv",
        "MBX01-receive-connectors.fl.txt",
    ] {
        let out = dir.join(format!("{file}.ckl"));
        let run = common::exstig(
            &common::root(),
            &[
                "evaluate",
                fixture(file).to_str().unwrap(),
                send.to_str().unwrap(),
                "--stig",
                "exchange-2019-mailbox",
                "--ckl",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(
            run.status.code(),
            Some(0),
            "{file}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let statuses = statuses(&std::fs::read_to_string(&out).unwrap());
        assert!(statuses.len() > 50, "{file}: {} rules", statuses.len());
        assert!(
            statuses.values().any(|s| s == "Open"),
            "{file}: the relay's findings"
        );
        assert!(statuses.values().any(|s| s == "NotAFinding"), "{file}");
        results.push((file, statuses));
    }
    for (file, statuses) in &results[1..] {
        assert_eq!(statuses, &results[0].1, "{file} vs {}", results[0].0);
    }
}
