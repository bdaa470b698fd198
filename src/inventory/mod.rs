//! The inventory: Exchange objects (Receive and Send connectors, TransportConfig,
//! TransportService) read from PowerShell exports, kept as property bags whose values are
//! normalized on access by [`values`].
//!
//! Every reader ([`json`] with [`bundle`]s, `clixml`, `csv`, `formatlist`) turns its input into
//! property bags with `serde_json::Value` properties; [`read_files`] recognizes what each bag is
//! by its properties and makes [`InventoryObject`]s of them, so the checks see one shape.

use crate::error::{Error, Position, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub mod bundle;
pub mod clixml;
pub mod csv;
pub mod formatlist;
pub mod json;
pub mod kinds;
mod recognize;
pub(crate) use recognize::is_adam_dn;
// Slices only at offsets of ASCII text it searched for (see the note in lib.rs).
#[allow(clippy::string_slice)]
pub mod values;

pub use kinds::{KINDS, KindSpec, ObjectKind, Scope};

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
    /// The object's name: the first non-empty naming property of its kind (e.g. `Thumbprint`
    /// for certificates, `Path` for ACLs; see [`KindSpec::naming`]), else `Name`, else the part of
    /// `Identity` after the last `\`.
    pub fn name(&self) -> String {
        let nonempty = |prop: &str| {
            values::text(self, prop)
                .ok()
                .flatten()
                .filter(|t| !t.is_empty())
        };
        if let Some(name) = self.kind.spec().naming.iter().find_map(|p| nonempty(p)) {
            return name;
        }
        if let Some(name) = nonempty("Name") {
            return name;
        }
        match nonempty("Identity") {
            Some(identity) => identity
                .rsplit('\\')
                .next()
                .unwrap_or(&identity)
                .to_string(),
            None => format!(
                "(unnamed object {} of {})",
                self.index + 1,
                self.source.display()
            ),
        }
    }

    /// The Exchange server the object belongs to, by its kind's [`Scope`]: `None` for
    /// organization-wide objects and for host facts (which describe the host the export ran
    /// on); for a server object (TransportService, ExchangeServer, MalwareFilteringServer) its
    /// own name; otherwise `Server` (text or object), else the `SERVER\` prefix of `Identity`
    /// (for event log categories only a three-part `SERVER\Service\Category`), else the server
    /// in `DistinguishedName`.
    pub fn server(&self) -> Option<String> {
        match self.kind.scope() {
            Scope::Organization | Scope::Host => return None,
            Scope::ServerItself => return Some(self.name()),
            Scope::Server => {}
        }
        if let Ok(Some(server)) = values::text(self, "Server")
            && !server.is_empty()
        {
            return Some(server);
        }
        if let Ok(Some(identity)) = values::text(self, "Identity")
            && let Some((server, rest)) = identity.split_once('\\')
            && !server.is_empty()
            && (self.kind != ObjectKind::EventLogLevel || rest.contains('\\'))
        {
            return Some(server.to_string());
        }
        values::text(self, "DistinguishedName")
            .ok()
            .flatten()
            .and_then(|dn| values::server_of_dn(&dn))
    }

    /// How a reviewer names the object: `SERVER\Name` for Receive connectors (when the server
    /// is known), `Role group\Name` for role group members, the name otherwise.
    pub fn identity(&self) -> String {
        let name = self.name();
        match (self.kind, self.server()) {
            (ObjectKind::ReceiveConnector, Some(server)) => format!("{server}\\{name}"),
            (ObjectKind::RoleGroupMember, _) => match values::text(self, "RoleGroup") {
                Ok(Some(group)) if !group.is_empty() => format!("{group}\\{name}"),
                _ => name,
            },
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
    /// Exchange build as exported (`15.2.1544.4`, `Version 15.1 (Build 2507.6)`), when known.
    pub exchange_version: Option<String>,
}

/// One statement an input makes about the assessed server's role or Exchange version, with
/// where it was read (for the guard that compares them with the chosen STIG).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEvidence {
    /// Where: "bundle host block of X.json", "Get-ExchangeServer object EX01 in Y.xml" ...
    pub source: String,
    /// The role it shows.
    pub role: Option<ServerRole>,
    /// The Exchange version it shows, as written (`15.2.1544.4`, `Version 15.1 (Build ...)`,
    /// or `15` when only the major version is known).
    pub version: Option<String>,
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
    /// What the files' host blocks, server objects and CliXML type names say about the host's
    /// role and version (the objects themselves are read by [`crate::guard`]).
    pub evidence: Vec<HostEvidence>,
    /// What is known about the collection of each kind: collected (a bundle section, even
    /// empty, or a recognized object) or not collected and why (a bundle's `not_collected`).
    pub collection: std::collections::BTreeMap<ObjectKind, Collection>,
}

/// Whether a kind of object was collected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Collection {
    /// Collected: the objects of that kind in the inventory are all there are (none is a
    /// real answer, e.g. no mailbox forwards mail).
    Collected,
    /// The collector could not read it; the reason (no permission, cmdlet absent on this role
    /// or version, ...) for "not collected: ..." in the checklist.
    NotCollected(String),
    /// Nothing in the input says: the files hold no object of that kind and no bundle
    /// section for it.
    Unknown,
}

impl Inventory {
    /// The objects of one kind, in file order.
    pub fn of_kind(&self, kind: ObjectKind) -> impl Iterator<Item = &InventoryObject> {
        self.objects.iter().filter(move |o| o.kind == kind)
    }

    /// Whether `kind` was collected, and if not, why.
    pub fn collection(&self, kind: ObjectKind) -> Collection {
        self.collection
            .get(&kind)
            .cloned()
            .unwrap_or(Collection::Unknown)
    }

    /// What a finding says when `kind` may be incomplete: `None` when it was collected;
    /// `not collected: <reason>` when a bundle says why; `no <cmdlet> output in the inventory`
    /// when nothing says.
    pub fn missing(&self, kind: ObjectKind) -> Option<String> {
        match self.collection(kind) {
            Collection::Collected => None,
            Collection::NotCollected(reason) => Some(format!("not collected: {reason}")),
            Collection::Unknown => Some(format!("no {} output in the inventory", kind.cmdlet())),
        }
    }

    /// The servers the per-server objects (Receive connectors, TransportService) belong to,
    /// upper-cased and sorted; more than one means the files describe several servers.
    pub fn servers(&self) -> Vec<String> {
        let servers: std::collections::BTreeSet<String> = self
            .objects
            .iter()
            .filter(|o| {
                matches!(
                    o.kind,
                    ObjectKind::ReceiveConnector | ObjectKind::TransportService
                )
            })
            .filter_map(InventoryObject::server)
            .map(|s| s.to_ascii_uppercase())
            .collect();
        servers.into_iter().collect()
    }
}

/// The export formats exstig reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// `ConvertTo-Json` output, or an exstig inventory bundle.
    Json,
    /// `Export-Clixml` output.
    Clixml,
    /// `Export-Csv` output.
    Csv,
    /// `Format-List` text.
    #[value(name = "format-list")]
    FormatList,
}

impl InputFormat {
    /// Every format, in the order detection tries them.
    pub const ALL: [InputFormat; 4] = [
        InputFormat::Json,
        InputFormat::Clixml,
        InputFormat::Csv,
        InputFormat::FormatList,
    ];

    /// The name used on the command line and in messages.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Json => "json",
            InputFormat::Clixml => "clixml",
            InputFormat::Csv => "csv",
            InputFormat::FormatList => "format-list",
        }
    }

    /// What the format is, for messages.
    pub fn description(self) -> &'static str {
        match self {
            InputFormat::Json => "JSON (ConvertTo-Json or exstig bundle)",
            InputFormat::Clixml => "CliXML (Export-Clixml)",
            InputFormat::Csv => "CSV (Export-Csv)",
            InputFormat::FormatList => "Format-List text",
        }
    }

    /// Detects the format from the decoded text (not the file name).
    pub fn detect(text: &str) -> Option<InputFormat> {
        let start = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if start.starts_with('{') || start.starts_with('[') {
            return Some(InputFormat::Json);
        }
        if clixml::looks_like(text) {
            return Some(InputFormat::Clixml);
        }
        if csv::looks_like(text) {
            return Some(InputFormat::Csv);
        }
        if formatlist::looks_like(text) {
            return Some(InputFormat::FormatList);
        }
        None
    }

    /// Reads the text of one file in this format.
    fn parse(self, path: &Path, text: &str) -> Result<ParsedFile> {
        match self {
            InputFormat::Json => json::parse(path, text),
            InputFormat::Clixml => clixml::parse(path, text),
            InputFormat::Csv => csv::parse(path, text),
            InputFormat::FormatList => formatlist::parse(path, text),
        }
    }
}

/// One object as a reader produced it, before recognition.
#[derive(Debug, Clone, Default)]
pub struct RawObject {
    /// Property name to value.
    pub properties: serde_json::Map<String, Value>,
    /// .NET type names the export carried (CliXML `TN`, CSV `#TYPE`), most specific first.
    pub type_names: Vec<String>,
    /// The kind declared by the container (a bundle section), if any.
    pub declared: Option<ObjectKind>,
    /// Where the object starts in the file, when the format tells.
    pub position: Option<Position>,
    /// Set when the item is not an object at all (a bare number or string in the file): what
    /// it is, for the skipped list.
    pub not_an_object: Option<String>,
}

/// What a reader got out of one file.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    /// The objects, in file order.
    pub objects: Vec<RawObject>,
    /// How faithful the values are.
    pub fidelity: Fidelity,
    /// Host facts declared by the file (a bundle's host block).
    pub host: Option<HostFacts>,
    /// Kinds the file declares collected (bundle sections, even empty) or not collected with
    /// the reason (a bundle's `not_collected`).
    pub collection: Vec<(ObjectKind, Collection)>,
}

/// Reads inventory files, detecting each file's format from its content.
pub fn read_files(paths: &[PathBuf]) -> Result<Inventory> {
    read_files_as(paths, None)
}

/// Reads inventory files in the given format, or detecting each file's format when `None`.
/// A file where no object is recognized is an error; objects that are not recognized in a file
/// that has recognized ones are listed in [`Inventory::skipped`]. A file with no objects at
/// all (an empty JSON array) adds nothing.
pub fn read_files_as(paths: &[PathBuf], format: Option<InputFormat>) -> Result<Inventory> {
    let mut texts = Vec::with_capacity(paths.len());
    for path in paths {
        texts.push((path.clone(), crate::fsio::read_text(path)?));
    }
    read_texts_as(&texts, format)
}

/// Reads already decoded inventory texts (each with the path used in messages), as
/// [`read_files_as`] does with files: for input that does not come from a file (standard input,
/// an archive member) and for tests.
pub fn read_texts_as(
    texts: &[(PathBuf, String)],
    format: Option<InputFormat>,
) -> Result<Inventory> {
    let mut inventory = Inventory::default();
    let mut declared_host: Option<HostFacts> = None;
    let mut server_facts = Vec::new();
    let mut server_sources = Vec::new();
    for (path, text) in texts {
        if text.trim_start_matches('\u{feff}').trim().is_empty() {
            return Err(Error::input(path, "empty file: it holds no export"));
        }
        let format = match format.or_else(|| InputFormat::detect(text)) {
            Some(f) => f,
            None => {
                let tried: Vec<&str> = InputFormat::ALL.iter().map(|f| f.description()).collect();
                return Err(Error::input(
                    path,
                    format!(
                        "not an export exstig can read; tried {} (see docs/INVENTORY.md)",
                        tried.join(", ")
                    ),
                ));
            }
        };
        let parsed = format.parse(path, text)?;
        if let Some(host) = parsed.host.clone() {
            if host.role.is_some() || host.exchange_version.is_some() {
                inventory.evidence.push(HostEvidence {
                    source: format!("the bundle host block of {}", path.display()),
                    role: host.role,
                    version: host.exchange_version.clone(),
                });
            }
            declared_host = Some(merge_declared_host(declared_host, host, path)?);
        }
        if format == InputFormat::Clixml
            && let Some(major) = clixml_exchange_major(text)
        {
            inventory.evidence.push(HostEvidence {
                source: format!(
                    "the CliXML type names of {} (Microsoft.Exchange.Data, Version={major}.0.0.0)",
                    path.display()
                ),
                role: None,
                version: Some(major.to_string()),
            });
        }
        let facts = recognize::add_file(&mut inventory, path, parsed)?;
        server_sources.extend(facts.iter().map(|_| path.clone()));
        server_facts.extend(facts);
    }
    inventory.host = recognize::infer_host(&inventory, declared_host, &server_facts);
    let host = inventory.host.host_name.clone();
    for (facts, path) in server_facts.iter().zip(&server_sources) {
        let name = facts.host_name.clone().unwrap_or_default();
        let this_host = match &host {
            Some(h) => h.eq_ignore_ascii_case(&name),
            None => server_facts.len() == 1,
        };
        if this_host && (facts.role.is_some() || facts.exchange_version.is_some()) {
            inventory.evidence.push(HostEvidence {
                source: format!("Get-ExchangeServer object {name} in {}", path.display()),
                role: facts.role,
                version: facts.exchange_version.clone(),
            });
        }
    }
    Ok(inventory)
}

/// The major Exchange version (14 or 15) named by the assembly versions in a CliXML file's type
/// names (`Microsoft.Exchange.Data, Version=15.0.0.0`): 2013, 2016 and 2019 all carry 15.
fn clixml_exchange_major(text: &str) -> Option<u32> {
    const NEEDLE: &str = "Microsoft.Exchange.Data, Version=";
    let (_, after) = text.split_once(NEEDLE)?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|m| (8..=16).contains(m))
}

/// Combines the host blocks of several bundles: they must describe the same host.
fn merge_declared_host(
    current: Option<HostFacts>,
    new: HostFacts,
    path: &Path,
) -> Result<HostFacts> {
    let Some(current) = current else {
        return Ok(new);
    };
    if let (Some(a), Some(b)) = (&current.host_name, &new.host_name)
        && !a.eq_ignore_ascii_case(b)
    {
        return Err(Error::input(
            path,
            format!(
                "this bundle describes host {b} but an earlier file describes {a}; evaluate one server at a time"
            ),
        ));
    }
    Ok(HostFacts {
        host_name: current.host_name.or(new.host_name),
        fqdn: current.fqdn.or(new.fqdn),
        ip: current.ip.or(new.ip),
        mac: current.mac.or(new.mac),
        role: current.role.or(new.role),
        exchange_version: current.exchange_version.or(new.exchange_version),
    })
}
