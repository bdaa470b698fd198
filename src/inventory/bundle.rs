//! The exstig inventory bundle: one JSON file describing one server (host facts and one section
//! per object kind of [`super::KINDS`], plus `not_collected`: the kinds the collector could not
//! read, with the reason). Schema: `schemas/inventory.schema.json`; documentation:
//! `docs/INVENTORY.md`.
//!
//! ```json
//! {"exstig_inventory": 1,
//!  "host": {"host_name": "EDGE01", "fqdn": "edge01.example.mil", "ip": "192.0.2.20",
//!           "mac": "00-15-5D-00-00-20", "role": "Edge", "exchange_version": "15.2.1544.4"},
//!  "receive_connectors": [ ... ], "send_connectors": [ ... ],
//!  "transport_config": { ... }, "transport_service": { ... },
//!  "not_collected": {"sender_filter_config": "Get-SenderFilterConfig: not available on this role"}}
//! ```
//! Objects keep the shapes `ConvertTo-Json` gives (or stringified values); the section says
//! what each object is.

use super::{Collection, Fidelity, HostFacts, KINDS, ObjectKind, ParsedFile, ServerRole, json};
use crate::error::{Error, Result};
use serde_json::{Map, Value};
use std::path::Path;

/// The key that marks a bundle; its value is the format version.
pub const VERSION_KEY: &str = "exstig_inventory";

/// The bundle format version this exstig reads and writes.
pub const VERSION: u64 = 1;

/// The object sections and the kind of their objects (from [`KINDS`], in its order).
pub const SECTIONS: [(&str, ObjectKind); KINDS.len()] = {
    let mut sections = [("", ObjectKind::ReceiveConnector); KINDS.len()];
    let mut i = 0;
    while i < KINDS.len() {
        sections[i] = (KINDS[i].section, KINDS[i].kind);
        i += 1;
    }
    sections
};

/// The key of the block that lists the kinds not collected, each section with the reason.
pub const NOT_COLLECTED_KEY: &str = "not_collected";

/// Keys allowed at the top level besides the sections.
pub const OTHER_KEYS: [&str; 4] = [VERSION_KEY, "host", "collected", NOT_COLLECTED_KEY];

/// Keys of the host block.
pub const HOST_KEYS: [&str; 6] = ["host_name", "fqdn", "ip", "mac", "role", "exchange_version"];

/// Reads a bundle document (already parsed as JSON, with the version key present).
pub fn from_value(path: &Path, value: Value) -> Result<ParsedFile> {
    let Value::Object(mut map) = value else {
        return Err(Error::input(
            path,
            "an inventory bundle must be a JSON object",
        ));
    };
    match map.get(VERSION_KEY).and_then(Value::as_u64) {
        Some(VERSION) => {}
        _ => {
            return Err(Error::input(
                path,
                format!(
                    "{VERSION_KEY} is {}; this exstig reads bundle version {VERSION}",
                    map.get(VERSION_KEY)
                        .map(Value::to_string)
                        .unwrap_or_default()
                ),
            ));
        }
    }
    for key in map.keys() {
        if !OTHER_KEYS.contains(&key.as_str()) && !SECTIONS.iter().any(|(s, _)| s == key) {
            return Err(Error::input(
                path,
                format!(
                    "unknown bundle key '{key}'; allowed: {}, {}",
                    OTHER_KEYS.join(", "),
                    SECTIONS.map(|(s, _)| s).join(", ")
                ),
            ));
        }
    }
    if let Some(collected) = map.get("collected")
        && !collected.is_object()
    {
        return Err(Error::input(
            path,
            "bundle key 'collected' must be an object",
        ));
    }
    let host = match map.remove("host") {
        None | Some(Value::Null) => None,
        Some(Value::Object(block)) => Some(host_of(path, &block)?),
        Some(_) => return Err(Error::input(path, "bundle key 'host' must be an object")),
    };
    let mut collection = not_collected(path, map.remove(NOT_COLLECTED_KEY))?;
    let mut objects = Vec::new();
    for (section, kind) in SECTIONS {
        let value = match map.remove(section) {
            None | Some(Value::Null) => continue,
            Some(v) => v,
        };
        if collection.iter().any(|(k, _)| *k == kind) {
            return Err(Error::input(
                path,
                format!(
                    "bundle section '{section}' is present and also listed in '{NOT_COLLECTED_KEY}'; keep one"
                ),
            ));
        }
        collection.push((kind, Collection::Collected));
        let single_allowed = kind.spec().single;
        if !(value.is_array() || (single_allowed && value.is_object())) {
            let shape = if single_allowed {
                "an object or an array of objects"
            } else {
                "an array of objects"
            };
            return Err(Error::input(
                path,
                format!("bundle section '{section}' must be {shape}"),
            ));
        }
        for (i, mut raw) in json::objects_of(path, value)?.into_iter().enumerate() {
            if raw.not_an_object.is_some() {
                return Err(Error::input(
                    path,
                    format!(
                        "item {} of bundle section '{section}' is not an object",
                        i + 1
                    ),
                ));
            }
            raw.declared = Some(kind);
            objects.push(raw);
        }
    }
    Ok(ParsedFile {
        objects,
        fidelity: Fidelity::Exact,
        host,
        collection,
    })
}

/// The `not_collected` block: section name to the reason (a non-empty string).
fn not_collected(path: &Path, block: Option<Value>) -> Result<Vec<(ObjectKind, Collection)>> {
    let block = match block {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(block)) => block,
        Some(_) => {
            return Err(Error::input(
                path,
                format!("bundle key '{NOT_COLLECTED_KEY}' must be an object"),
            ));
        }
    };
    let mut out = Vec::with_capacity(block.len());
    for (section, reason) in block {
        let Some(kind) = ObjectKind::from_section(&section) else {
            return Err(Error::input(
                path,
                format!(
                    "unknown section '{NOT_COLLECTED_KEY}.{section}' in the bundle; allowed: {}",
                    SECTIONS.map(|(s, _)| s).join(", ")
                ),
            ));
        };
        let reason = match reason {
            Value::String(s) if !s.trim().is_empty() => s.trim().to_string(),
            other => {
                return Err(Error::input(
                    path,
                    format!(
                        "bundle key '{NOT_COLLECTED_KEY}.{section}' must be a non-empty string (why it was not collected), not {other}"
                    ),
                ));
            }
        };
        out.push((kind, Collection::NotCollected(reason)));
    }
    Ok(out)
}

/// The host block: every key optional, strings only, role one of Edge, Mailbox, Hub.
fn host_of(path: &Path, block: &Map<String, Value>) -> Result<HostFacts> {
    let mut host = HostFacts::default();
    for (key, value) in block {
        if !HOST_KEYS.contains(&key.as_str()) {
            return Err(Error::input(
                path,
                format!(
                    "unknown key 'host.{key}' in the bundle; allowed: {}",
                    HOST_KEYS.join(", ")
                ),
            ));
        }
        let text = match value {
            Value::Null => continue,
            Value::String(s) if s.trim().is_empty() => continue,
            Value::String(s) => s.trim().to_string(),
            other => {
                return Err(Error::input(
                    path,
                    format!("bundle key 'host.{key}' must be a string, not {other}"),
                ));
            }
        };
        match key.as_str() {
            "host_name" => host.host_name = Some(text),
            "fqdn" => host.fqdn = Some(text),
            "ip" => host.ip = Some(text),
            "mac" => host.mac = Some(text),
            "role" => {
                host.role = Some(ServerRole::parse(&text).ok_or_else(|| {
                    Error::input(
                        path,
                        format!(
                            "bundle key 'host.role' is '{text}'; expected Edge, Mailbox or Hub"
                        ),
                    )
                })?)
            }
            _ => host.exchange_version = Some(text),
        }
    }
    Ok(host)
}
