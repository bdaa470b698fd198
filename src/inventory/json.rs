//! `ConvertTo-Json` output (Windows PowerShell 5.1 and PowerShell 7): a single object, an array
//! of objects, or Windows PowerShell's `{"value": [...], "Count": n}` array wrapper. A JSON
//! object with the key `exstig_inventory` is an inventory bundle (see [`super::bundle`]).

use super::{Fidelity, ParsedFile, RawObject, bundle};
use crate::error::{Error, Position, Result};
use serde_json::Value;
use std::path::Path;

/// Parses the decoded text of a JSON export or bundle.
pub fn parse(path: &Path, text: &str) -> Result<ParsedFile> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let position = Position {
            line: e.line(),
            column: e.column(),
        };
        Error::input_at(path, position, format!("invalid JSON: {}", message_of(&e)))
    })?;
    if let Value::Object(map) = &value
        && map.contains_key(bundle::VERSION_KEY)
    {
        return bundle::from_value(path, value);
    }
    Ok(ParsedFile {
        objects: objects_of(path, value)?,
        fidelity: Fidelity::Exact,
        host: None,
    })
}

/// serde_json's message without its trailing " at line L column C" (the position is reported
/// separately).
fn message_of(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// The objects of a parsed JSON document (also used for bundle sections).
pub(super) fn objects_of(path: &Path, value: Value) -> Result<Vec<RawObject>> {
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut map) if is_array_wrapper(&map) => match map.remove("value") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        },
        Value::Object(map) => vec![Value::Object(map)],
        other => {
            return Err(Error::input(
                path,
                format!(
                    "the JSON document is {}, not an object or an array of objects (expected ConvertTo-Json output of Exchange objects)",
                    kind_name(&other)
                ),
            ));
        }
    };
    Ok(items
        .into_iter()
        .map(|item| match item {
            Value::Object(properties) => RawObject {
                properties,
                ..RawObject::default()
            },
            // Kept (with no properties) so that the skipped list names it by index.
            other => RawObject {
                not_an_object: Some(format!("{} ({other})", kind_name(&other))),
                ..RawObject::default()
            },
        })
        .collect())
}

/// Windows PowerShell 5.1 serializes some arrays as `{"value": [...], "Count": n}`.
fn is_array_wrapper(map: &serde_json::Map<String, Value>) -> bool {
    matches!(map.get("value"), Some(Value::Array(_)))
        && map.keys().all(|k| k == "value" || k == "Count")
}

fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
