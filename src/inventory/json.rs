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
    let mut objects = objects_of(path, value)?;
    let starts = item_offsets(text);
    if starts.len() == objects.len() {
        let lines = crate::inventory::clixml::LineIndex::new(text);
        for (object, start) in objects.iter_mut().zip(starts) {
            object.position = Some(lines.position(text, start));
        }
    }
    Ok(ParsedFile {
        objects,
        fidelity: Fidelity::Exact,
        host: None,
        collection: Vec::new(),
    })
}

/// Byte offsets where the items of a top-level array start (one offset for a single top-level
/// object), found by a scan that tracks strings and nesting; used for object positions.
fn item_offsets(text: &str) -> Vec<usize> {
    let mut offsets = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut expect_item = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if c.is_whitespace() || c == '\u{feff}' {
            continue;
        }
        if depth == 0 && c == '{' {
            offsets.push(i);
        }
        if depth == 1 && expect_item && c != ']' {
            offsets.push(i);
            expect_item = false;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                expect_item = depth == 1 && c == '[';
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 1 => expect_item = true,
            _ => {}
        }
    }
    if text
        .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
        .starts_with('{')
    {
        offsets.truncate(1);
    }
    offsets
}

/// serde_json's message without its trailing " at line L column C" (the position is reported
/// separately).
fn message_of(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rsplit_once(" at line ") {
        Some((message, _)) => message.to_string(),
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

/// JSON's name for the kind of a value, for messages.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_offsets_skip_strings_and_nesting() {
        let text = "[\n  {\"a\": \"x, [y] {\\\"z\\\"}\", \"b\": [1, 2]},\n  42,\n  {}\n]";
        let offsets = item_offsets(text);
        assert_eq!(offsets.len(), 3, "{offsets:?}");
        assert_eq!(text.get(offsets[0]..offsets[0] + 1), Some("{"));
        assert_eq!(text.get(offsets[1]..offsets[1] + 2), Some("42"));
        assert_eq!(text.get(offsets[2]..offsets[2] + 2), Some("{}"));
        assert_eq!(item_offsets("\u{feff} {\"a\": [1, {}]}"), vec![4]);
        assert!(item_offsets("[]").is_empty());
    }

    #[test]
    fn objects_get_their_line() {
        let parsed = parse(
            Path::new("t.json"),
            "[\n {\"Name\": \"a\"},\n\n {\"Name\": \"b\"}\n]",
        )
        .unwrap();
        assert_eq!(parsed.objects[0].position.map(|p| p.line), Some(2));
        assert_eq!(
            parsed.objects[1].position.map(|p| (p.line, p.column)),
            Some((4, 2))
        );
    }
}
