//! The inventory: Exchange objects (Receive and Send connectors, TransportConfig,
//! TransportService) read from PowerShell exports, kept as property bags whose values are
//! normalized on access by [`values`].
//!
//! Every reader (JSON here; CliXML, CSV and Format-List later) turns its input into
//! [`InventoryObject`]s with `serde_json::Value` properties, so the checks see one shape.

use serde_json::Value;
use std::path::PathBuf;

pub mod values;

/// The kinds of Exchange object exstig understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum ObjectKind {
    /// `Get-ReceiveConnector`.
    ReceiveConnector,
    /// `Get-SendConnector`.
    SendConnector,
    /// `Get-TransportConfig` (organization-wide).
    TransportConfig,
    /// `Get-TransportService` (Exchange 2010: `Get-TransportServer`).
    TransportService,
}

impl ObjectKind {
    /// The cmdlet that exports this kind.
    pub fn cmdlet(self) -> &'static str {
        match self {
            ObjectKind::ReceiveConnector => "Get-ReceiveConnector",
            ObjectKind::SendConnector => "Get-SendConnector",
            ObjectKind::TransportConfig => "Get-TransportConfig",
            ObjectKind::TransportService => "Get-TransportService",
        }
    }
}

/// How faithfully the values were exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Fidelity {
    /// Typed export (JSON, CliXML, CSV of ToString values).
    Exact,
    /// Text pasted from `Format-List`: values may be truncated or wrapped.
    Text,
}

/// One Exchange object from an export.
#[derive(Debug, Clone, PartialEq)]
pub struct InventoryObject {
    /// What it is, recognized by its properties.
    pub kind: ObjectKind,
    /// The file it came from.
    pub source: PathBuf,
    /// 0-based position among the objects of that file.
    pub index: usize,
    /// How faithful its values are.
    pub fidelity: Fidelity,
    /// Property name (as exported) to value.
    pub properties: serde_json::Map<String, Value>,
}

impl InventoryObject {
    /// A property by name, case-insensitively; `None` when absent.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.properties.get(name).or_else(|| {
            self.properties
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
    }
}

impl InventoryObject {
    /// The object's name: `Name`, else the part of `Identity` after the last `\`.
    pub fn name(&self) -> String {
        if let Ok(Some(name)) = values::text(self, "Name")
            && !name.is_empty()
        {
            return name;
        }
        match values::text(self, "Identity") {
            Ok(Some(identity)) if !identity.is_empty() => identity
                .rsplit('\\')
                .next()
                .unwrap_or(&identity)
                .to_string(),
            _ => format!(
                "(unnamed object {} of {})",
                self.index + 1,
                self.source.display()
            ),
        }
    }

    /// The Exchange server the object belongs to: `Server` (text or object), else the
    /// `SERVER\` prefix of `Identity`, else the server in `DistinguishedName`; for a
    /// TransportService object its own name. `None` for organization-wide objects.
    pub fn server(&self) -> Option<String> {
        if self.kind == ObjectKind::TransportService {
            return Some(self.name());
        }
        if let Ok(Some(server)) = values::text(self, "Server")
            && !server.is_empty()
        {
            return Some(server);
        }
        if let Ok(Some(identity)) = values::text(self, "Identity")
            && let Some((server, _)) = identity.split_once('\\')
            && !server.is_empty()
        {
            return Some(server.to_string());
        }
        values::text(self, "DistinguishedName")
            .ok()
            .flatten()
            .and_then(|dn| values::server_of_dn(&dn))
    }

    /// How a reviewer names the object: `SERVER\Name` for Receive connectors (when the server
    /// is known), the name otherwise.
    pub fn identity(&self) -> String {
        let name = self.name();
        match (self.kind, self.server()) {
            (ObjectKind::ReceiveConnector, Some(server)) => format!("{server}\\{name}"),
            _ => name,
        }
    }
}

/// The Exchange server role of the assessed host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ServerRole {
    /// Edge Transport.
    Edge,
    /// Mailbox (Exchange 2013 and later; includes the front-end transport service).
    Mailbox,
    /// Hub Transport (Exchange 2010).
    Hub,
}

impl ServerRole {
    /// Parses `Edge`, `Mailbox` or `Hub` (any case; `HubTransport` and `EdgeTransport` too).
    pub fn parse(text: &str) -> Option<ServerRole> {
        match text.trim().to_ascii_lowercase().as_str() {
            "edge" | "edgetransport" | "edge transport" => Some(ServerRole::Edge),
            "mailbox" => Some(ServerRole::Mailbox),
            "hub" | "hubtransport" | "hub transport" => Some(ServerRole::Hub),
            _ => None,
        }
    }

    /// The name used in the bundle format and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ServerRole::Edge => "Edge",
            ServerRole::Mailbox => "Mailbox",
            ServerRole::Hub => "Hub",
        }
    }
}

/// What is known about the assessed host (for the checklist ASSET).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostFacts {
    /// Short host name (e.g. `EDGE01`).
    pub host_name: Option<String>,
    /// Fully qualified domain name.
    pub fqdn: Option<String>,
    /// IP address.
    pub ip: Option<String>,
    /// MAC address.
    pub mac: Option<String>,
    /// Exchange role, declared or inferred.
    pub role: Option<ServerRole>,
}

/// Everything read from the inventory files.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// The recognized objects, in file order.
    pub objects: Vec<InventoryObject>,
    /// Host facts from a bundle's host block or inferred from the objects.
    pub host: HostFacts,
    /// One sentence per object that was not recognized (file, index, why).
    pub skipped: Vec<String>,
}

impl Inventory {
    /// The objects of one kind, in file order.
    pub fn of_kind(&self, kind: ObjectKind) -> impl Iterator<Item = &InventoryObject> {
        self.objects.iter().filter(move |o| o.kind == kind)
    }
}
