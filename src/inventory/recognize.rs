//! Recognizing what an exported object is (by its properties or its .NET type name), and
//! inferring host facts from the recognized objects.

use super::values::{self, TRANSPORT_ROLE};
use super::{HostFacts, Inventory, InventoryObject, ObjectKind, ParsedFile, RawObject, ServerRole};
use crate::error::{Error, Result};
use std::collections::BTreeSet;
use std::collections::hash_map::{Entry, HashMap};
use std::path::{Path, PathBuf};

/// Properties that only objects of one kind have (matched case-insensitively).
const MARKERS: [(ObjectKind, &[&str]); 4] = [
    (
        ObjectKind::ReceiveConnector,
        &[
            "Bindings",
            "PermissionGroups",
            "AuthMechanism",
            "RemoteIPRanges",
            "MaxInboundConnection",
            "TarpitInterval",
        ],
    ),
    (
        ObjectKind::SendConnector,
        &[
            "AddressSpaces",
            "SmartHosts",
            "SmartHostsString",
            "DNSRoutingEnabled",
            "SourceTransportServers",
            "SmartHostAuthMechanism",
        ],
    ),
    (
        ObjectKind::TransportConfig,
        &[
            "MaxReceiveSize",
            "MaxSendSize",
            "MaxRecipientEnvelopeLimit",
            "TLSReceiveDomainSecureList",
            "TLSSendDomainSecureList",
            "InternalSMTPServers",
        ],
    ),
    (
        ObjectKind::TransportService,
        &[
            "MaxOutboundConnections",
            "MaxPerDomainOutboundConnections",
            "TransientFailureRetryCount",
            "MessageTrackingLogEnabled",
            "ConnectivityLogEnabled",
            "ExternalDNSServers",
        ],
    ),
];

/// The kind named by a .NET type name (with or without `Deserialized.` / `Selected.`).
fn kind_of_type(type_name: &str) -> Option<ObjectKind> {
    let name = type_name
        .trim_start_matches("Deserialized.")
        .trim_start_matches("Selected.");
    let last = name.rsplit('.').next().unwrap_or(name);
    match last {
        "ReceiveConnector" => Some(ObjectKind::ReceiveConnector),
        "SmtpSendConnectorConfig" | "SendConnector" => Some(ObjectKind::SendConnector),
        "TransportConfigContainer" => Some(ObjectKind::TransportConfig),
        "TransportServer" | "TransportService" | "TransportServerPresentationObject" => {
            Some(ObjectKind::TransportService)
        }
        _ => None,
    }
}

/// What the object is, or why it is not recognized.
fn classify(raw: &RawObject) -> std::result::Result<ObjectKind, String> {
    if let Some(what) = &raw.not_an_object {
        return Err(format!("it is {what}, not an object"));
    }
    if let Some(kind) = raw.declared {
        return Ok(kind);
    }
    if let Some(kind) = raw.type_names.iter().find_map(|t| kind_of_type(t)) {
        return Ok(kind);
    }
    let has = |name: &&&str| raw.properties.keys().any(|k| k.eq_ignore_ascii_case(name));
    let matched: Vec<(ObjectKind, Vec<&str>)> = MARKERS
        .iter()
        .map(|(kind, names)| (*kind, names.iter().filter(has).copied().collect::<Vec<_>>()))
        .filter(|(_, found)| !found.is_empty())
        .collect();
    let kinds: BTreeSet<ObjectKind> = matched.iter().map(|(k, _)| *k).collect();
    let connectors: Vec<ObjectKind> = kinds
        .iter()
        .copied()
        .filter(|k| matches!(k, ObjectKind::ReceiveConnector | ObjectKind::SendConnector))
        .collect();
    match (connectors.as_slice(), kinds.len()) {
        ([one], _) => Ok(*one),
        ([], 1) if !matched.is_empty() => Ok(matched[0].0),
        ([], _) if matched.is_empty() => {
            let type_note = raw
                .type_names
                .first()
                .map(|t| format!(" (type {t})"))
                .unwrap_or_default();
            Err(format!(
                "not a Receive connector, Send connector, TransportConfig or TransportService{type_note}: it has none of their properties"
            ))
        }
        _ => Err(format!(
            "has properties of several kinds ({}), so exstig cannot tell what it is",
            matched
                .iter()
                .map(|(k, found)| format!("{}: {}", k.cmdlet(), found.join(", ")))
                .collect::<Vec<_>>()
                .join("; ")
        )),
    }
}

/// What each kind is recognized by, for the "nothing recognized" error.
fn expected() -> String {
    MARKERS
        .iter()
        .map(|(kind, names)| format!("{} ({})", kind.cmdlet(), names[..3].join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Adds the objects of one parsed file to the inventory. A file with objects of which none is
/// recognized is an error; unrecognized objects of other files are listed as skipped.
pub(super) fn add_file(
    inventory: &mut Inventory,
    path: &Path,
    parsed: ParsedFile,
) -> Result<Vec<HostFacts>> {
    let total = parsed.objects.len();
    let mut recognized: Vec<InventoryObject> = Vec::new();
    let mut duplicates = 0;
    let mut skipped = Vec::new();
    let mut server_facts = Vec::new();
    // (kind, identity) of every object kept so far -> its file and index
    let mut seen: HashMap<(ObjectKind, String), (PathBuf, usize)> = inventory
        .objects
        .iter()
        .map(|o| {
            (
                (o.kind, o.identity().to_lowercase()),
                (o.source.clone(), o.index),
            )
        })
        .collect();
    for (index, raw) in parsed.objects.into_iter().enumerate() {
        let at = raw.position.map(|p| format!(" at {p}")).unwrap_or_default();
        if let Some(facts) = exchange_server_facts(&raw, path, index) {
            server_facts.push(facts);
            continue;
        }
        match classify(&raw) {
            Ok(kind) => {
                let object = InventoryObject {
                    kind,
                    source: path.to_path_buf(),
                    index,
                    fidelity: parsed.fidelity,
                    properties: raw.properties,
                };
                let identity = object.identity();
                match seen.entry((kind, identity.to_lowercase())) {
                    Entry::Occupied(first) => {
                        let (source, first_index) = first.get();
                        duplicates += 1;
                        skipped.push(format!(
                            "{}: object {} '{identity}'{at} skipped: the same {} as object {} of {}, which is used",
                            path.display(),
                            index + 1,
                            kind.cmdlet(),
                            first_index + 1,
                            source.display()
                        ));
                    }
                    Entry::Vacant(slot) => {
                        slot.insert((path.to_path_buf(), index));
                        recognized.push(object);
                    }
                }
            }
            Err(why) => {
                let name = raw
                    .properties
                    .iter()
                    .find(|(k, _)| {
                        k.eq_ignore_ascii_case("Name") || k.eq_ignore_ascii_case("Identity")
                    })
                    .and_then(|(_, v)| values::to_text(v))
                    .map(|n| format!(" '{n}'"))
                    .unwrap_or_default();
                skipped.push(format!(
                    "{}: object {}{name}{at} skipped: {why}",
                    path.display(),
                    index + 1
                ));
            }
        }
    }
    if total > 0 && recognized.is_empty() && duplicates == 0 && server_facts.is_empty() {
        let first = skipped
            .first()
            .map(|s| format!(" (first: {s})"))
            .unwrap_or_default();
        return Err(Error::input(
            path,
            format!(
                "none of the {total} object(s) is an Exchange object exstig reads{first}; expected the output of {}",
                expected()
            ),
        ));
    }
    inventory.objects.extend(recognized);
    inventory.skipped.extend(skipped);
    Ok(server_facts)
}

/// Host facts: the declared ones first, the rest inferred from the objects (the one server the
/// Receive connectors and TransportService objects name; the role from Edge-only traits or
/// FrontendTransport connectors).
pub(super) fn infer_host(
    inventory: &Inventory,
    declared: Option<HostFacts>,
    server_facts: &[HostFacts],
) -> HostFacts {
    let objects = &inventory.objects;
    let mut host = declared.unwrap_or_default();
    if host.host_name.is_none()
        && let [only] = inventory.servers().as_slice()
    {
        host.host_name = Some(only.clone());
    }
    // Get-ExchangeServer output: the entry of this host (or the only one)
    let facts = match &host.host_name {
        Some(name) => server_facts.iter().find(|f| {
            f.host_name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        }),
        None if server_facts.len() == 1 => server_facts.first(),
        None => None,
    };
    if let Some(facts) = facts {
        host.host_name = host.host_name.or_else(|| facts.host_name.clone());
        host.fqdn = host.fqdn.or_else(|| facts.fqdn.clone());
        host.role = host.role.or(facts.role);
    }
    if host.fqdn.is_none()
        && let Some(name) = &host.host_name
    {
        host.fqdn = objects
            .iter()
            .filter_map(|o| values::text(o, "PSComputerName").ok().flatten())
            .find(|fqdn| {
                fqdn.split('.')
                    .next()
                    .is_some_and(|first| first.eq_ignore_ascii_case(name))
                    && fqdn.contains('.')
            });
    }
    if host.role.is_none() {
        host.role = infer_role(objects);
    }
    host
}

/// Host facts from a `Get-ExchangeServer` object (recognized by `IsEdgeServer` with
/// `AdminDisplayVersion` or `ServerRole`): name, FQDN and role (Hub only for Exchange 2010).
fn exchange_server_facts(raw: &RawObject, path: &Path, index: usize) -> Option<HostFacts> {
    let has = |name: &str| raw.properties.keys().any(|k| k.eq_ignore_ascii_case(name));
    if raw.declared.is_some()
        || !has("IsEdgeServer")
        || !(has("AdminDisplayVersion") || has("ServerRole"))
    {
        return None;
    }
    let object = InventoryObject {
        kind: ObjectKind::TransportService,
        source: path.to_path_buf(),
        index,
        fidelity: super::Fidelity::Exact,
        properties: raw.properties.clone(),
    };
    let flag = |name: &str| values::boolean(&object, name).unwrap_or(false);
    let version = values::text(&object, "AdminDisplayVersion")
        .ok()
        .flatten()
        .unwrap_or_default();
    let role = if flag("IsEdgeServer") {
        Some(ServerRole::Edge)
    } else if version.starts_with("Version 14") && flag("IsHubTransportServer") {
        Some(ServerRole::Hub)
    } else if flag("IsMailboxServer") {
        Some(ServerRole::Mailbox)
    } else {
        None
    };
    let text = |name: &str| {
        values::text(&object, name)
            .ok()
            .flatten()
            .filter(|t| !t.is_empty())
    };
    Some(HostFacts {
        host_name: text("Name"),
        fqdn: text("Fqdn"),
        role,
        exchange_version: Some(version).filter(|v| !v.is_empty()),
        ..HostFacts::default()
    })
}

/// The role shown by the objects, when they show one.
fn infer_role(objects: &[InventoryObject]) -> Option<ServerRole> {
    let edge = objects.iter().any(|o| {
        values::boolean(o, "IsEdgeServer").unwrap_or(false)
            || (o.kind == ObjectKind::ReceiveConnector
                && o.name()
                    .to_ascii_lowercase()
                    .starts_with("default internal receive connector"))
            || values::text(o, "DistinguishedName")
                .ok()
                .flatten()
                .is_some_and(|dn| is_adam_dn(&dn))
    });
    if edge {
        return Some(ServerRole::Edge);
    }
    let frontend = objects.iter().any(|o| {
        o.kind == ObjectKind::ReceiveConnector
            && values::flags(o, "TransportRole", &TRANSPORT_ROLE)
                .is_ok_and(|roles| roles.contains("FrontendTransport"))
    });
    frontend.then_some(ServerRole::Mailbox)
}

/// Whether a distinguished name lives in an Edge server's AD LDS configuration partition
/// (`...,CN=Configuration,CN={GUID}` rather than `...,DC=domain`).
fn is_adam_dn(dn: &str) -> bool {
    let lower = dn.to_ascii_lowercase();
    lower
        .rfind(",cn=configuration,cn={")
        .is_some_and(|at| !lower[at..].contains(",dc="))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn raw(value: serde_json::Value) -> RawObject {
        RawObject {
            properties: value.as_object().cloned().unwrap_or_default(),
            ..RawObject::default()
        }
    }

    #[test]
    fn recognizes_each_kind_by_properties() {
        let k = |v| classify(&raw(v));
        assert_eq!(
            k(json!({"Name": "x", "Bindings": []})),
            Ok(ObjectKind::ReceiveConnector)
        );
        assert_eq!(
            k(json!({"authmechanism": 1})),
            Ok(ObjectKind::ReceiveConnector)
        );
        assert_eq!(
            k(json!({"AddressSpaces": [], "MaxMessageSize": "x"})),
            Ok(ObjectKind::SendConnector)
        );
        assert_eq!(
            k(json!({"MaxReceiveSize": "10MB", "MaxSendSize": "10MB"})),
            Ok(ObjectKind::TransportConfig)
        );
        assert_eq!(
            k(json!({"MaxOutboundConnections": 1000})),
            Ok(ObjectKind::TransportService)
        );
        // a connector that also has a TransportConfig-like property stays a connector
        assert_eq!(
            k(json!({"Bindings": [], "MaxSendSize": 1})),
            Ok(ObjectKind::ReceiveConnector)
        );
        assert!(
            k(json!({"Bindings": [], "SmartHosts": []}))
                .unwrap_err()
                .contains("several kinds")
        );
        assert!(k(json!({"MaxSendSize": 1, "MaxOutboundConnections": 1})).is_err());
        assert!(
            k(json!({"DisplayName": "Mailbox"}))
                .unwrap_err()
                .contains("none of their properties")
        );
    }

    #[test]
    fn type_names_and_declared_kinds_win() {
        let mut r = raw(json!({"Name": "x"}));
        r.type_names = vec!["Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig".into()];
        assert_eq!(classify(&r), Ok(ObjectKind::SendConnector));
        r.declared = Some(ObjectKind::TransportService);
        assert_eq!(classify(&r), Ok(ObjectKind::TransportService));
        assert_eq!(
            kind_of_type(
                "Selected.Microsoft.Exchange.Data.Directory.SystemConfiguration.ReceiveConnector"
            ),
            Some(ObjectKind::ReceiveConnector)
        );
        assert_eq!(kind_of_type("System.Object"), None);
    }

    #[test]
    fn adam_distinguished_names() {
        assert!(is_adam_dn(
            "CN=Default internal receive connector EDGE01,CN=SMTP Receive Connectors,CN=Protocols,CN=EDGE01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=First Organization,CN=Microsoft Exchange,CN=Services,CN=Configuration,CN={6C3F2F5B-2B0A-4B5C-9D4E-1A2B3C4D5E6F}"
        ));
        assert!(!is_adam_dn(
            "CN=Default MBX01,CN=SMTP Receive Connectors,CN=Protocols,CN=MBX01,CN=Servers,CN=Configuration,DC=example,DC=mil"
        ));
    }
}
