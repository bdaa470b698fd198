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
