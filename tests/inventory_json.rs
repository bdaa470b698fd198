//! JSON and bundle inventory reading: the fixtures in every shape, recognition, host facts and
//! bad input.

mod common;

use exstig::inventory::values::{
    self, AUTH_MECHANISM, Limit, PERMISSION_GROUPS, Size, TLS_AUTH_LEVEL, TRANSPORT_ROLE, TimeSpan,
};
use exstig::inventory::{
    InputFormat, Inventory, InventoryObject, ObjectKind, ServerRole, read_files, read_files_as,
};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    common::root().join("fixtures/inventory").join(name)
}

fn read(names: &[&str]) -> Inventory {
    let paths: Vec<PathBuf> = names.iter().map(|n| fixture(n)).collect();
    read_files(&paths).unwrap_or_else(|e| panic!("{names:?}: {e}"))
}

fn find<'a>(inv: &'a Inventory, kind: ObjectKind, name: &str) -> &'a InventoryObject {
    inv.of_kind(kind)
        .find(|o| o.name() == name)
        .unwrap_or_else(|| panic!("no {kind:?} named {name}"))
}

fn auth(o: &InventoryObject) -> String {
    AUTH_MECHANISM.display(&values::flags(o, "AuthMechanism", &AUTH_MECHANISM).unwrap())
}

fn perms(o: &InventoryObject) -> String {
    PERMISSION_GROUPS.display(&values::flags(o, "PermissionGroups", &PERMISSION_GROUPS).unwrap())
}

fn write_temp(dir: &std::path::Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn error_of(path: PathBuf) -> String {
    match read_files(&[path]) {
        Ok(inv) => panic!("expected an error, got {} objects", inv.objects.len()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn edge01_bundle_reads_with_host_facts() {
    let inv = read(&["EDGE01.bundle.json"]);
    assert_eq!(inv.of_kind(ObjectKind::ReceiveConnector).count(), 2);
    assert_eq!(inv.of_kind(ObjectKind::SendConnector).count(), 2);
    assert_eq!(inv.of_kind(ObjectKind::TransportConfig).count(), 1);
    assert_eq!(inv.of_kind(ObjectKind::TransportService).count(), 1);
    assert!(inv.skipped.is_empty(), "{:?}", inv.skipped);
    assert_eq!(inv.host.host_name.as_deref(), Some("EDGE01"));
    assert_eq!(inv.host.fqdn.as_deref(), Some("edge01.example.mil"));
    assert_eq!(inv.host.ip.as_deref(), Some("192.0.2.20"));
    assert_eq!(inv.host.mac.as_deref(), Some("00-15-5D-0A-02-14"));
    assert_eq!(inv.host.role, Some(ServerRole::Edge));

    let internal = find(
        &inv,
        ObjectKind::ReceiveConnector,
        "Default internal receive connector EDGE01",
    );
    assert_eq!(
        internal.identity(),
        "EDGE01\\Default internal receive connector EDGE01"
    );
    assert_eq!(internal.server().as_deref(), Some("EDGE01"));
    assert_eq!(auth(internal), "Tls, ExchangeServer");
    assert_eq!(perms(internal), "ExchangeServers");
    assert_eq!(
        values::timespan(internal, "ConnectionTimeout").unwrap(),
        TimeSpan::from_seconds(600)
    );
    assert_eq!(
        values::list(internal, "RemoteIPRanges").unwrap(),
        ["192.0.2.10", "192.0.2.11"]
    );

    let internet = find(
        &inv,
        ObjectKind::ReceiveConnector,
        "Internet Inbound EDGE01",
    );
    assert_eq!(auth(internet), "Tls, BasicAuth, BasicAuthRequireTLS");
    assert_eq!(perms(internet), "AnonymousUsers, Partners");
    assert!(values::boolean(internet, "DomainSecureEnabled").unwrap());
    assert_eq!(
        values::size(internet, "MaxMessageSize").unwrap(),
        Size::Bytes(10 * 1024 * 1024)
    );
    assert_eq!(
        values::limit(internet, "MaxInboundConnection").unwrap(),
        Limit::Value(5000)
    );
    assert_eq!(
        values::text(internet, "Banner").unwrap().as_deref(),
        Some("220 SMTP Server Ready")
    );
    assert_eq!(
        values::list(internet, "Bindings").unwrap(),
        ["192.0.2.21:25"]
    );

    let send = find(
        &inv,
        ObjectKind::SendConnector,
        "EdgeSync - Default-First-Site-Name to Internet",
    );
    assert_eq!(
        send.identity(),
        "EdgeSync - Default-First-Site-Name to Internet"
    );
    assert_eq!(send.server(), None);
    assert_eq!(values::list(send, "AddressSpaces").unwrap(), ["smtp:*;100"]);
    assert_eq!(values::list(send, "SmartHosts").unwrap(), ["[192.0.2.25]"]);
    let level = values::flags(send, "TlsAuthLevel", &TLS_AUTH_LEVEL).unwrap();
    assert_eq!(TLS_AUTH_LEVEL.display(&level), "DomainValidation");
    let inbound = find(
        &inv,
        ObjectKind::SendConnector,
        "EdgeSync - Inbound to Default-First-Site-Name",
    );
    assert!(
        values::flags(inbound, "TlsAuthLevel", &TLS_AUTH_LEVEL)
            .unwrap()
            .is_empty()
    );

    let config = inv.of_kind(ObjectKind::TransportConfig).next().unwrap();
    assert_eq!(
        values::size(config, "MaxReceiveSize").unwrap(),
        Size::Bytes(10_485_760)
    );
    assert_eq!(
        values::limit(config, "MaxRecipientEnvelopeLimit").unwrap(),
        Limit::Value(5000)
    );
    let service = inv.of_kind(ObjectKind::TransportService).next().unwrap();
    assert_eq!(service.server().as_deref(), Some("EDGE01"));
    assert_eq!(
        values::limit(service, "MaxOutboundConnections").unwrap(),
        Limit::Value(1000)
    );
    assert_eq!(
        values::integer(service, "MaxPerDomainOutboundConnections").unwrap(),
        20
    );
    assert_eq!(
        values::integer(service, "TransientFailureRetryCount").unwrap(),
        6
    );
}

/// The same MBX01 objects as a stringified bundle and as Windows PowerShell 5.1 exports
/// (UTF-16LE, integer enums, objects) normalize to the same values, except sizes, which 5.1
/// JSON cannot show.
#[test]
fn ps51_exports_and_bundle_agree() {
    let bundle = read(&["MBX01.bundle.json"]);
    let ps51 = read(&[
        "MBX01-receive-connectors.ps51.json",
        "MBX01-send-connectors.ps51.json",
        "MBX01-transport-config.ps51.json",
        "MBX01-transport-service.ps51.json",
    ]);
    assert!(ps51.skipped.is_empty(), "{:?}", ps51.skipped);
    assert_eq!(bundle.objects.len(), 6 + 2 + 1 + 1);
    assert_eq!(ps51.objects.len(), bundle.objects.len());
    assert_eq!(ps51.host.host_name.as_deref(), Some("MBX01"));
    assert_eq!(
        ps51.host.fqdn.as_deref(),
        Some("mbx01.example.mil"),
        "from PSComputerName"
    );
    assert_eq!(
        ps51.host.role,
        Some(ServerRole::Mailbox),
        "inferred from FrontendTransport"
    );
    assert_eq!(bundle.host.role, Some(ServerRole::Mailbox));

    for a in bundle.of_kind(ObjectKind::ReceiveConnector) {
        let b = find(&ps51, ObjectKind::ReceiveConnector, &a.name());
        assert_eq!(a.identity(), b.identity());
        assert_eq!(auth(a), auth(b), "{}", a.name());
        assert_eq!(perms(a), perms(b), "{}", a.name());
        let role = |o| values::flags(o, "TransportRole", &TRANSPORT_ROLE).unwrap();
        assert_eq!(role(a), role(b));
        for prop in [
            "ConnectionTimeout",
            "ConnectionInactivityTimeout",
            "TarpitInterval",
        ] {
            assert_eq!(
                values::timespan(a, prop).unwrap(),
                values::timespan(b, prop).unwrap(),
                "{prop}"
            );
        }
        for prop in [
            "MaxInboundConnection",
            "MessageRateLimit",
            "MaxInboundConnectionPerSource",
        ] {
            assert_eq!(
                values::limit(a, prop).unwrap(),
                values::limit(b, prop).unwrap(),
                "{prop}"
            );
        }
        for prop in ["MaxHopCount", "MaxRecipientsPerMessage"] {
            assert_eq!(
                values::integer(a, prop).unwrap(),
                values::integer(b, prop).unwrap(),
                "{prop}"
            );
        }
        for prop in ["Bindings", "RemoteIPRanges"] {
            assert_eq!(
                values::list(a, prop).unwrap(),
                values::list(b, prop).unwrap(),
                "{prop}"
            );
        }
        for prop in ["DomainSecureEnabled", "ChunkingEnabled", "RequireTLS"] {
            assert_eq!(
                values::boolean(a, prop).unwrap(),
                values::boolean(b, prop).unwrap(),
                "{prop}"
            );
        }
        assert_eq!(
            values::text(a, "Banner").unwrap(),
            values::text(b, "Banner").unwrap()
        );
        assert_eq!(
            values::text(a, "Fqdn").unwrap(),
            values::text(b, "Fqdn").unwrap()
        );
        assert_eq!(
            values::size(a, "MaxMessageSize").unwrap(),
            Size::Bytes(10_485_760)
        );
        let problem = values::size(b, "MaxMessageSize").unwrap_err().to_string();
        assert!(
            problem.contains("empty object {}") && problem.contains("re-export"),
            "{problem}"
        );
    }
    for a in bundle.of_kind(ObjectKind::SendConnector) {
        let b = find(&ps51, ObjectKind::SendConnector, &a.name());
        for prop in ["AddressSpaces", "SmartHosts", "SourceTransportServers"] {
            assert_eq!(
                values::list(a, prop).unwrap(),
                values::list(b, prop).unwrap(),
                "{prop}"
            );
        }
        assert_eq!(
            values::flags(a, "TlsAuthLevel", &TLS_AUTH_LEVEL).unwrap(),
            values::flags(b, "TlsAuthLevel", &TLS_AUTH_LEVEL).unwrap()
        );
        assert_eq!(
            values::timespan(a, "ConnectionInactivityTimeOut").unwrap(),
            values::timespan(b, "ConnectionInactivityTimeOut").unwrap()
        );
        assert_eq!(
            values::text(a, "TlsDomain").unwrap(),
            values::text(b, "TlsDomain").unwrap()
        );
        assert_eq!(
            values::boolean(a, "DNSRoutingEnabled").unwrap(),
            values::boolean(b, "DNSRoutingEnabled").unwrap()
        );
    }
    let relay = find(&ps51, ObjectKind::ReceiveConnector, "App Relay MBX01");
    assert_eq!(relay.identity(), "MBX01\\App Relay MBX01");
    assert_eq!(perms(relay), "AnonymousUsers");
    assert_eq!(
        values::timespan(relay, "TarpitInterval").unwrap(),
        TimeSpan(0)
    );
    assert_eq!(values::list(relay, "Bindings").unwrap(), ["0.0.0.0:25"]);
    let frontend = find(
        &ps51,
        ObjectKind::ReceiveConnector,
        "Default Frontend MBX01",
    );
    assert_eq!(
        values::list(frontend, "Bindings").unwrap(),
        ["[::]:25", "0.0.0.0:25"]
    );
    let config = ps51.of_kind(ObjectKind::TransportConfig).next().unwrap();
    assert!(
        values::size(config, "MaxReceiveSize")
            .unwrap_err()
            .to_string()
            .contains("re-export")
    );
    assert_eq!(
        values::limit(config, "MaxRecipientEnvelopeLimit").unwrap(),
        Limit::Value(5000)
    );
}

#[test]
fn stringified_json_matches_the_bundle() {
    let bundle = read(&["EDGE01.bundle.json"]);
    let plain = read(&["EDGE01-receive-connectors.json"]);
    assert_eq!(plain.objects.len(), 2);
    assert_eq!(plain.host.host_name.as_deref(), Some("EDGE01"));
    assert_eq!(
        plain.host.role,
        Some(ServerRole::Edge),
        "inferred from the AD LDS DN"
    );
    for a in plain.of_kind(ObjectKind::ReceiveConnector) {
        let b = find(&bundle, ObjectKind::ReceiveConnector, &a.name());
        assert_eq!(a.properties, b.properties);
    }
}

#[test]
fn single_object_and_windows_array_wrapper() {
    let dir = common::temp_dir("inv-json-shapes");
    let one = write_temp(
        &dir,
        "one.json",
        br#"{"Identity": "EX1\\Relay", "AuthMechanism": "Tls", "PermissionGroups": 1}"#,
    );
    let inv = read_files(&[one]).unwrap();
    assert_eq!(inv.objects.len(), 1);
    assert_eq!(inv.objects[0].identity(), "EX1\\Relay");
    assert_eq!(inv.objects[0].name(), "Relay");
    assert_eq!(inv.host.host_name.as_deref(), Some("EX1"));
    let wrapped = write_temp(
        &dir,
        "wrapped.json",
        br#"{"value": [{"AddressSpaces": ["SMTP:*;1"], "Name": "Out"}], "Count": 1}"#,
    );
    let inv = read_files(&[wrapped]).unwrap();
    assert_eq!(inv.objects[0].kind, ObjectKind::SendConnector);
    // UTF-8 with BOM
    let bom = write_temp(
        &dir,
        "bom.json",
        b"\xEF\xBB\xBF[{\"MaxOutboundConnections\": 1000, \"Name\": \"EX1\"}]",
    );
    let inv = read_files(&[bom]).unwrap();
    assert_eq!(inv.objects[0].kind, ObjectKind::TransportService);
    // UTF-16BE with BOM
    let mut be = vec![0xFE, 0xFF];
    for unit in r#"{"MaxReceiveSize": "10MB"}"#.encode_utf16() {
        be.extend(unit.to_be_bytes());
    }
    let inv = read_files(&[write_temp(&dir, "be.json", &be)]).unwrap();
    assert_eq!(inv.objects[0].kind, ObjectKind::TransportConfig);
}

#[test]
fn unrecognized_objects_are_reported_not_dropped() {
    let dir = common::temp_dir("inv-json-skipped");
    let mixed = write_temp(
        &dir,
        "mixed.json",
        br#"[{"Name": "Relay", "Bindings": ["0.0.0.0:25"]}, {"Name": "Contoso Mailbox", "DisplayName": "x"}, 42]"#,
    );
    let inv = read_files(&[mixed]).unwrap();
    assert_eq!(inv.objects.len(), 1);
    assert_eq!(inv.skipped.len(), 2, "{:?}", inv.skipped);
    assert!(
        inv.skipped[0].contains("object 2 'Contoso Mailbox'"),
        "{}",
        inv.skipped[0]
    );
    assert!(inv.skipped[0].contains("mixed.json"));
    assert!(inv.skipped[1].contains("object 3"), "{}", inv.skipped[1]);
    assert_eq!(inv.objects[0].index, 0);
}

#[test]
fn bad_input_errors() {
    let dir = common::temp_dir("inv-json-bad");
    let e = error_of(write_temp(
        &dir,
        "bad.json",
        b"[\n  {\"Name\": \"x\",\n   \"Bindings\": [}\n]",
    ));
    assert!(
        e.contains("bad.json (line 3, column") && e.contains("invalid JSON"),
        "{e}"
    );
    let mut utf16 = Vec::new();
    for unit in "[{\"Name\": \"x\"}]".encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let e = error_of(write_temp(&dir, "nobom.json", &utf16));
    assert!(e.contains("UTF-16 without a byte order mark"), "{e}");
    let e = error_of(write_temp(
        &dir,
        "mailboxes.json",
        br#"[{"Name": "a", "PrimarySmtpAddress": "a@example.mil"}]"#,
    ));
    assert!(
        e.contains("none of the 1 object(s)") && e.contains("Get-ReceiveConnector"),
        "{e}"
    );
    let string = write_temp(&dir, "string.json", br#""hello""#);
    let e = read_files_as(&[string], Some(InputFormat::Json))
        .unwrap_err()
        .to_string();
    assert!(e.contains("not an object or an array"), "{e}");
    let e = error_of(write_temp(&dir, "text.txt", b"hello world"));
    assert!(e.contains("tried") && e.contains("JSON"), "{e}");
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let e = error_of(write_temp(&dir, "deep.json", deep.as_bytes()));
    assert!(e.contains("recursion limit"), "{e}");
}

#[test]
fn empty_array_gives_no_objects() {
    let dir = common::temp_dir("inv-json-empty");
    let inv = read_files(&[write_temp(&dir, "empty.json", b"[]\r\n")]).unwrap();
    assert!(inv.objects.is_empty() && inv.skipped.is_empty());
    assert_eq!(inv.host, Default::default());
}

#[test]
fn unknown_enum_names_are_value_problems() {
    let dir = common::temp_dir("inv-json-enum");
    let path = write_temp(&dir, "rc.json", br#"{"Identity": "EX1\\Relay", "AuthMechanism": "Tlss, BasicAuth", "PermissionGroups": 64}"#);
    let inv = read_files(&[path]).unwrap();
    let o = &inv.objects[0];
    let e = values::flags(o, "AuthMechanism", &AUTH_MECHANISM)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("unknown AuthMechanism name 'Tlss'"), "{e}");
    let e = values::flags(o, "PermissionGroups", &PERMISSION_GROUPS)
        .unwrap_err()
        .to_string();
    assert!(e.contains("bits not defined"), "{e}");
    assert_eq!(
        values::timespan(o, "ConnectionTimeout")
            .unwrap_err()
            .to_string(),
        "ConnectionTimeout is missing from the export"
    );
}

#[test]
fn bundle_errors_name_the_key() {
    let dir = common::temp_dir("inv-bundle-bad");
    let cases: [(&str, &str); 6] = [
        (r#"{"exstig_inventory": 2}"#, "bundle version 1"),
        (
            r#"{"exstig_inventory": 1, "hosts": {}}"#,
            "unknown bundle key 'hosts'",
        ),
        (
            r#"{"exstig_inventory": 1, "host": {"role": "Edgy"}}"#,
            "host.role",
        ),
        (
            r#"{"exstig_inventory": 1, "host": {"hostname": "x"}}"#,
            "host.hostname",
        ),
        (
            r#"{"exstig_inventory": 1, "receive_connectors": {}}"#,
            "receive_connectors",
        ),
        (
            r#"{"exstig_inventory": 1, "send_connectors": [1]}"#,
            "item 1 of bundle section 'send_connectors'",
        ),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let e = error_of(write_temp(&dir, &format!("b{i}.json"), text.as_bytes()));
        assert!(e.contains(expected), "{text}: {e}");
    }
    // a bundle with only a host block is fine and declares the host
    let only_host = write_temp(
        &dir,
        "host.json",
        br#"{"exstig_inventory": 1, "host": {"host_name": "EX1", "role": "hub"}}"#,
    );
    let inv = read_files(&[only_host]).unwrap();
    assert_eq!(inv.host.role, Some(ServerRole::Hub));
    // two bundles of different hosts cannot be combined
    let e = read_files(&[fixture("EDGE01.bundle.json"), fixture("MBX01.bundle.json")])
        .unwrap_err()
        .to_string();
    assert!(e.contains("MBX01") && e.contains("EDGE01"), "{e}");
}

/// The schema and the reader agree on the keys, and the bundled fixtures validate against the
/// schema (with Python's jsonschema when it is installed).
#[test]
fn schema_matches_reader_and_fixtures() {
    use exstig::inventory::bundle::{HOST_KEYS, OTHER_KEYS, SECTIONS};
    let schema_path = common::root().join("schemas/inventory.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap()).unwrap();
    let mut top: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected: Vec<&str> = OTHER_KEYS
        .iter()
        .copied()
        .chain(SECTIONS.iter().map(|(s, _)| *s))
        .collect();
    top.sort();
    expected.sort();
    assert_eq!(top, expected);
    let mut host: Vec<&str> = schema["properties"]["host"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected_host = HOST_KEYS.to_vec();
    host.sort();
    expected_host.sort();
    assert_eq!(host, expected_host);
    assert_eq!(schema["additionalProperties"], false);
    // single-object sections allow an object; the others only arrays
    for spec in &exstig::inventory::KINDS {
        let section = &schema["properties"][spec.section];
        assert_eq!(
            section.get("oneOf").is_some(),
            spec.single,
            "{}: {section}",
            spec.section
        );
        assert!(
            section["description"]
                .as_str()
                .unwrap()
                .contains(spec.cmdlets[0]),
            "{}: the description names {}",
            spec.section,
            spec.cmdlets[0]
        );
    }
    let mut not_collected: Vec<&str> =
        schema["properties"]["not_collected"]["propertyNames"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
    let mut sections: Vec<&str> = SECTIONS.iter().map(|(s, _)| *s).collect();
    not_collected.sort();
    sections.sort();
    assert_eq!(not_collected, sections);

    let probe = std::process::Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output();
    if !probe.map(|o| o.status.success()).unwrap_or(false) {
        common::skip("JSON Schema validation: python3 with jsonschema not installed");
        return;
    }
    let script = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    v.validate(json.load(open(path, encoding="utf-8")))
bad = {"exstig_inventory": 1, "host": {"role": "Edgy"}, "receive_connectors": {}}
errors = list(v.iter_errors(bad))
assert len(errors) == 2, errors
print("valid")
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&schema_path)
        .arg(fixture("EDGE01.bundle.json"))
        .arg(fixture("MBX01.bundle.json"))
        .arg(fixture("EDGE02.bundle.json"))
        .arg(fixture("MBX02.bundle.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "valid");
}

#[test]
fn the_same_object_twice_is_used_once() {
    let inv = read(&[
        "MBX01.bundle.json",
        "MBX01-receive-connectors.ps51.json",
        "MBX01-send-connectors.ps51.json",
    ]);
    assert_eq!(inv.objects.len(), 10);
    assert_eq!(inv.skipped.len(), 8, "{:?}", inv.skipped);
    assert!(
        inv.skipped[0]
            .contains("MBX01-receive-connectors.ps51.json: object 1 'MBX01\\Default MBX01'"),
        "{}",
        inv.skipped[0]
    );
    assert!(
        inv.skipped[0].contains("the same Get-ReceiveConnector as object 1 of"),
        "{}",
        inv.skipped[0]
    );
    assert!(
        inv.objects
            .iter()
            .all(|o| o.source.ends_with("MBX01.bundle.json"))
    );
}

#[test]
fn several_servers_are_listed_and_name_no_host() {
    let inv = read(&[
        "EDGE01-receive-connectors.json",
        "MBX01-receive-connectors.ps51.json",
    ]);
    assert_eq!(inv.servers(), ["EDGE01", "MBX01"]);
    assert_eq!(inv.host.host_name, None);
    let one = read(&["EDGE01-receive-connectors.json"]);
    assert_eq!(one.servers(), ["EDGE01"]);
}

#[test]
fn values_that_are_not_objects_are_named_in_skipped() {
    let dir = common::temp_dir("inv-json-notobj");
    let path = write_temp(
        &dir,
        "x.json",
        br#"[{"Bindings": ["0.0.0.0:25"], "Name": "R"}, "EX1\\Relay"]"#,
    );
    let inv = read_files(&[path]).unwrap();
    assert!(
        inv.skipped[0]
            .contains("object 2 at line 1, column 45 skipped: it is a string (\"EX1\\\\Relay\"), not an object"),
        "{}",
        inv.skipped[0]
    );
}

/// The collector script writes the keys the reader expects (PowerShell cannot run here, so
/// this checks the script's text against the reader's constants).
#[test]
fn collector_script_writes_the_bundle_keys() {
    use exstig::inventory::bundle::{HOST_KEYS, OTHER_KEYS, SECTIONS, VERSION};
    let script =
        std::fs::read_to_string(common::root().join("collect/Export-ExchangeStigInventory.ps1"))
            .unwrap();
    assert!(
        script.is_ascii(),
        "Windows PowerShell 5.1 reads BOM-less scripts as ANSI: keep it ASCII"
    );
    for key in OTHER_KEYS
        .iter()
        .chain(SECTIONS.iter().map(|(s, _)| s))
        .chain(HOST_KEYS.iter())
    {
        assert!(
            script.contains(&format!("{key} "))
                || script.contains(&format!("{key}="))
                || script.contains(&format!("'{key}'")),
            "the script does not write '{key}'"
        );
    }
    // the sections that hold one object are the table's
    let singles = script
        .split("$singleSections = ")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("the script lists its single-object sections");
    for spec in &exstig::inventory::KINDS {
        assert_eq!(
            singles.contains(&format!("'{}'", spec.section)),
            spec.single,
            "{} in $singleSections",
            spec.section
        );
    }
    assert!(script.contains(&format!("exstig_inventory   = {VERSION}")));
    assert!(script.contains("[string[]] $Server"));
    assert!(script.contains("[string] $Path"));
    assert!(
        script.contains("New-Object System.Text.UTF8Encoding($false)"),
        "UTF-8 without BOM"
    );
    assert!(
        script.contains("'SerializationData'"),
        "the BinaryFormatter blobs are left out"
    );
}

/// Each read of the collector follows the kind table: one read per section, on the table's
/// roles, host facts among the host reads (read only on the server itself).
#[test]
fn collector_reads_follow_the_kind_table() {
    use exstig::inventory::{KINDS, ObjectKind, Scope};
    let script =
        std::fs::read_to_string(common::root().join("collect/Export-ExchangeStigInventory.ps1"))
            .unwrap();
    let exchange_at = script.find("$exchangeReads = @(").expect("exchange reads");
    let host_at = script.find("$hostReads = @(").expect("host reads");
    let mut seen = Vec::new();
    for (at, _) in script.match_indices("@{ Section = '") {
        let rest = &script[at + "@{ Section = '".len()..];
        let section = &rest[..rest.find('\'').unwrap()];
        let roles = rest
            .split("Roles = ")
            .nth(1)
            .and_then(|r| r.split(';').next())
            .unwrap();
        let kind = ObjectKind::from_section(section)
            .unwrap_or_else(|| panic!("the script reads an unknown section '{section}'"));
        let spec = kind.spec();
        for (role, name) in [
            (exstig::inventory::ServerRole::Edge, "'Edge'"),
            (exstig::inventory::ServerRole::Mailbox, "'Mailbox'"),
        ] {
            assert_eq!(
                roles.contains(name),
                spec.roles.contains(&role),
                "{section}: roles {roles}"
            );
        }
        let among_host_reads = at > host_at;
        assert!(at > exchange_at);
        assert_eq!(
            among_host_reads,
            spec.scope == Scope::Host,
            "{section}: host reads hold exactly the host facts"
        );
        seen.push(section.to_string());
    }
    // paths and ACLs are resolved together after the reads
    for section in ["paths", "acls"] {
        assert!(
            script.contains(&format!("$bundle['{section}']")),
            "{section}"
        );
        seen.push(section.to_string());
    }
    // the objects the collector builds carry the properties they are recognized by
    // every `Name = ` of the script (hashtable keys, among others)
    let keys: std::collections::HashSet<&str> = script
        .match_indices(" = ")
        .map(|(at, _)| {
            let before = script[..at].trim_end();
            let start = before
                .rfind(|c: char| !c.is_ascii_alphanumeric())
                .map_or(0, |p| p + 1);
            &before[start..]
        })
        .collect();
    for spec in KINDS.iter().filter(|s| s.type_names.is_empty()) {
        for term in spec.identify[0].iter().filter(|t| !t.starts_with('!')) {
            assert!(
                keys.contains(term),
                "{}: the collector does not write {term}",
                spec.section
            );
        }
    }
    seen.sort();
    let mut sections: Vec<String> = KINDS.iter().map(|s| s.section.to_string()).collect();
    sections.sort();
    assert_eq!(seen, sections, "one read per section");
}

/// `Get-ExchangeServer` output in the inventory gives the host's FQDN and role (here an
/// Exchange 2010 Hub Transport server, which the connectors alone cannot tell from a Mailbox).
#[test]
fn get_exchange_server_output_gives_host_facts() {
    let dir = common::temp_dir("inv-json-exserver");
    let server = write_temp(
        &dir,
        "server.json",
        br#"[{"Name": "HUB01", "Fqdn": "hub01.example.mil", "AdminDisplayVersion": "Version 14.3 (Build 123.4)",
              "IsEdgeServer": false, "IsHubTransportServer": true, "IsMailboxServer": false},
             {"Name": "HUB02", "Fqdn": "hub02.example.mil", "AdminDisplayVersion": "Version 14.3 (Build 123.4)",
              "IsEdgeServer": false, "IsHubTransportServer": true, "IsMailboxServer": true}]"#,
    );
    let connectors = write_temp(
        &dir,
        "rc.json",
        br#"[{"Identity": "HUB01\\Default HUB01", "Bindings": ["0.0.0.0:25"], "TransportRole": "HubTransport"}]"#,
    );
    let inv = read_files(&[server.clone(), connectors]).unwrap();
    assert!(inv.skipped.is_empty(), "{:?}", inv.skipped);
    assert_eq!(inv.of_kind(ObjectKind::ReceiveConnector).count(), 1);
    assert_eq!(inv.of_kind(ObjectKind::ExchangeServer).count(), 2);
    assert_eq!(inv.objects.len(), 3);
    assert_eq!(inv.host.host_name.as_deref(), Some("HUB01"));
    assert_eq!(inv.host.fqdn.as_deref(), Some("hub01.example.mil"));
    assert_eq!(inv.host.role, Some(ServerRole::Hub));
    // a file of Get-ExchangeServer output alone is not an error; with two servers nothing is guessed
    let alone = read_files(&[server]).unwrap();
    assert!(
        alone
            .objects
            .iter()
            .all(|o| o.kind == ObjectKind::ExchangeServer)
    );
    assert_eq!(alone.host.host_name, None);
    let edge = write_temp(&dir, "edge.json", br#"{"Name": "EDGE01", "Fqdn": "edge01.example.mil", "ServerRole": "Edge", "IsEdgeServer": "True"}"#);
    let inv = read_files(&[edge]).unwrap();
    assert_eq!(inv.host.role, Some(ServerRole::Edge));
    assert_eq!(inv.host.host_name.as_deref(), Some("EDGE01"));
}

/// A bundle says which kinds were collected (a section, even empty) and which were not, with
/// the reason; files without a bundle say nothing about kinds they do not hold.
#[test]
fn bundles_tell_collected_and_not_collected_kinds() {
    use exstig::inventory::Collection;
    let dir = common::temp_dir("inv-json-collection");
    let path = write_temp(
        &dir,
        "b.json",
        br#"{"exstig_inventory": 1, "forwarding_mailboxes": [], "accepted_domains": [{"DomainName": "example.mil", "DomainType": "Authoritative", "Default": true}],
             "not_collected": {"admin_audit_log_config": "Get-AdminAuditLogConfig: no permission (access denied)"}}"#,
    );
    let inv = read_files(&[path]).unwrap();
    assert_eq!(inv.objects.len(), 1);
    assert_eq!(inv.collection(ObjectKind::Mailbox), Collection::Collected);
    assert_eq!(
        inv.collection(ObjectKind::AcceptedDomain),
        Collection::Collected
    );
    assert_eq!(
        inv.collection(ObjectKind::AdminAuditLogConfig),
        Collection::NotCollected("Get-AdminAuditLogConfig: no permission (access denied)".into())
    );
    assert_eq!(
        inv.collection(ObjectKind::RemoteDomain),
        Collection::Unknown
    );
    // a plain export of one kind says it was collected
    let rc = read(&["MBX01-receive-connectors.ps51.json"]);
    assert_eq!(
        rc.collection(ObjectKind::ReceiveConnector),
        Collection::Collected
    );
    assert_eq!(
        rc.collection(ObjectKind::SendConnector),
        Collection::Unknown
    );
    // bad not_collected blocks name the key
    for (body, expected) in [
        (
            r#"{"exstig_inventory": 1, "not_collected": {"nope": "x"}}"#,
            "unknown section 'not_collected.nope'",
        ),
        (
            r#"{"exstig_inventory": 1, "not_collected": {"services": ""}}"#,
            "'not_collected.services' must be a non-empty string",
        ),
        (
            r#"{"exstig_inventory": 1, "not_collected": []}"#,
            "'not_collected' must be an object",
        ),
        (
            r#"{"exstig_inventory": 1, "services": [], "not_collected": {"services": "x"}}"#,
            "'services' is present and also listed",
        ),
    ] {
        let bad = write_temp(&dir, "bad.json", body.as_bytes());
        let e = read_files(&[bad]).unwrap_err().to_string();
        assert!(e.contains(expected), "{e}");
    }
}
