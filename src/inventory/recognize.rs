//! Recognizing what an exported object is (by its properties or its .NET type name), and
//! inferring host facts from the recognized objects.

use super::values::{self, TRANSPORT_ROLE};
use super::{
    Collection, HostFacts, Inventory, InventoryObject, KINDS, KindSpec, ObjectKind, ParsedFile,
    RawObject, ServerRole,
};
use crate::error::{Error, Result};
use std::collections::HashSet;
use std::collections::hash_map::{Entry, HashMap};
use std::path::{Path, PathBuf};

/// Whether a bag satisfies one term of an identifying set (see [`super::KindSpec::identify`]):
/// `Prop`, `!Prop`, `Prop=a|b` or `Prop^=a|b`. `keys` are the bag's property names, lower-cased.
fn satisfies(raw: &RawObject, keys: &HashSet<String>, term: &str) -> bool {
    if let Some(absent) = term.strip_prefix('!') {
        return !keys.contains(&absent.to_ascii_lowercase());
    }
    let Some((name, texts)) = term.split_once('=') else {
        return keys.contains(&term.to_ascii_lowercase());
    };
    let (name, prefix) = match name.strip_suffix('^') {
        Some(name) => (name, true),
        None => (name, false),
    };
    let Some(text) = raw
        .properties
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| values::to_text(v))
    else {
        return false;
    };
    let text = text.trim().to_ascii_lowercase();
    texts.split('|').any(|t| {
        let t = t.to_ascii_lowercase();
        if prefix {
            text.starts_with(&t)
        } else {
            text == t
        }
    })
}

/// The kinds whose identifying sets the bag satisfies, each with the properties that matched.
fn matching_kinds(raw: &RawObject) -> Vec<(&'static KindSpec, Vec<&'static str>)> {
    let keys: HashSet<String> = raw
        .properties
        .keys()
        .map(|k| k.to_ascii_lowercase())
        .collect();
    KINDS
        .iter()
        .filter_map(|spec| {
            let mut found: Vec<&'static str> = Vec::new();
            for set in spec.identify {
                if set.iter().all(|term| satisfies(raw, &keys, term)) {
                    for term in set.iter().filter(|t| !t.starts_with('!')) {
                        let name = term.split(['=', '^']).next().unwrap_or(term);
                        if !found.contains(&name) {
                            found.push(name);
                        }
                    }
                }
            }
            (!found.is_empty()).then_some((spec, found))
        })
        .collect()
}

/// What the object is, or why it is not recognized: the declared kind (a bundle section), else
/// the kind its .NET type name names, else the one kind of the highest priority whose
/// identifying properties it has.
fn classify(raw: &RawObject) -> std::result::Result<ObjectKind, String> {
    if let Some(what) = &raw.not_an_object {
        return Err(format!("it is {what}, not an object"));
    }
    if let Some(kind) = raw.declared {
        return Ok(kind);
    }
    if let Some(kind) = raw
        .type_names
        .iter()
        .find_map(|t| ObjectKind::from_type_name(t))
    {
        return Ok(kind);
    }
    let matched = matching_kinds(raw);
    let Some(top) = matched.iter().map(|(spec, _)| spec.priority).max() else {
        let type_note = raw
            .type_names
            .first()
            .map(|t| format!(" (type {t})"))
            .unwrap_or_default();
        return Err(format!(
            "not an object of a kind exstig reads{type_note}: it has none of their properties"
        ));
    };
    let best: Vec<&(&KindSpec, Vec<&str>)> = matched
        .iter()
        .filter(|(spec, _)| spec.priority == top)
        .collect();
    match best.as_slice() {
        [(spec, _)] => Ok(spec.kind),
        _ => Err(format!(
            "has properties of several kinds ({}), so exstig cannot tell what it is; export it with Export-Clixml (which keeps the type name) or in a bundle section",
            best.iter()
                .map(|(spec, found)| format!("{}: {}", spec.kind.cmdlet(), found.join(", ")))
                .collect::<Vec<_>>()
                .join("; ")
        )),
    }
}

/// The cmdlets exstig reads, for the "nothing recognized" error.
fn expected() -> String {
    KINDS
        .iter()
        .map(|spec| spec.kind.cmdlet())
        .filter(|c| c.starts_with("Get-"))
        .collect::<Vec<_>>()
        .join(", ")
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
        match classify(&raw) {
            Ok(kind) => {
                let object = InventoryObject {
                    kind,
                    source: path.to_path_buf(),
                    index,
                    fidelity: parsed.fidelity,
                    properties: raw.properties,
                };
                if kind == ObjectKind::ExchangeServer {
                    server_facts.push(exchange_server_facts(&object));
                }
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
                "none of the {total} object(s) is an Exchange object exstig reads{first}; expected the output of {} (docs/INVENTORY.md lists what each is recognized by)",
                expected()
            ),
        ));
    }
    let found = recognized.iter().map(|o| (o.kind, Collection::Collected));
    for (kind, collection) in parsed.collection.into_iter().chain(found) {
        let slot = inventory
            .collection
            .entry(kind)
            .or_insert(Collection::Unknown);
        // objects found outweigh a "not collected" of another file
        if *slot != Collection::Collected {
            *slot = collection;
        }
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

/// Host facts from a `Get-ExchangeServer` object: name, FQDN and role (Hub only for Exchange
/// 2010).
fn exchange_server_facts(object: &InventoryObject) -> HostFacts {
    let flag = |name: &str| values::boolean(object, name).unwrap_or(false);
    let version = values::text(object, "AdminDisplayVersion")
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
        values::text(object, name)
            .ok()
            .flatten()
            .filter(|t| !t.is_empty())
    };
    HostFacts {
        host_name: text("Name"),
        fqdn: text("Fqdn"),
        role,
        exchange_version: Some(version).filter(|v| !v.is_empty()),
        ..HostFacts::default()
    }
}

/// The role shown by the objects, when they show one.
fn infer_role(objects: &[InventoryObject]) -> Option<ServerRole> {
    // Get-ExchangeServer objects list every server of the organization: their facts are
    // matched to the host by name in infer_host, not here
    let edge = objects.iter().any(|o| {
        (o.kind != ObjectKind::ExchangeServer
            && values::boolean(o, "IsEdgeServer").unwrap_or(false))
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
pub(crate) fn is_adam_dn(dn: &str) -> bool {
    let lower = dn.to_ascii_lowercase();
    lower
        .rsplit_once(",cn=configuration,cn={")
        .is_some_and(|(_, after)| !after.contains(",dc="))
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
        // a higher priority kind wins; look-alikes of equal priority are not guessed
        assert_eq!(
            k(
                json!({"Identity": "a/b", "ForwardingSmtpAddress": "smtp:x@example.com", "MaxSendSize": "Unlimited"})
            ),
            Ok(ObjectKind::Mailbox)
        );
        assert!(
            k(json!({"IPRange": "192.0.2.0/24", "ExpirationTime": null}))
                .unwrap_err()
                .contains("Get-IPAllowListEntry: IPRange, ExpirationTime; Get-IPBlockListEntry")
        );
        // an IIS site's bindings do not make it a Receive connector
        assert_eq!(
            k(
                json!({"Name": "Default Web Site", "PhysicalPath": "C:\\inetpub", "Bindings": ["https *:443:"]})
            ),
            Ok(ObjectKind::WebSite)
        );
        // values in identifying sets
        assert_eq!(
            k(json!({"Name": "*.exe", "Type": "FileName", "Identity": "FileName:*.exe"})),
            Ok(ObjectKind::AttachmentFilterEntry)
        );
        assert!(k(json!({"Name": "x", "Type": "Other"})).is_err());
        // Windows PowerShell 5.1 JSON writes the enum as its number: the identity tells
        assert_eq!(
            k(json!({"Name": "*.exe", "Type": 1, "Identity": "FileName:*.exe"})),
            Ok(ObjectKind::AttachmentFilterEntry)
        );
        assert_eq!(
            k(json!({"CustomerFeedbackEnabled": false, "Name": "First Organization"})),
            Ok(ObjectKind::OrganizationConfig)
        );
        assert_eq!(
            k(
                json!({"CustomerFeedbackEnabled": false, "IsEdgeServer": false, "ServerRole": "Mailbox"})
            ),
            Ok(ObjectKind::ExchangeServer)
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
            ObjectKind::from_type_name(
                "Selected.Microsoft.Exchange.Data.Directory.SystemConfiguration.ReceiveConnector"
            ),
            Some(ObjectKind::ReceiveConnector)
        );
        assert_eq!(ObjectKind::from_type_name("System.Object"), None);
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
