//! `Format-List` text (what `Get-ReceiveConnector | Format-List *` prints, pasted or saved with
//! `Out-File`): objects separated by blank lines, one `Name : value` line per property, long
//! values wrapped onto continuation lines indented to the value column, collections shown as
//! `{a, b}`. Values are ToString text, possibly cut by the console width or
//! `$FormatEnumerationLimit`, so these objects get [`Fidelity::Text`]. Empty values read as null.

use super::{Fidelity, ParsedFile, RawObject};
use crate::error::{Error, Position, Result};
use serde_json::Value;
use std::path::Path;

/// A `Name : value` line split into name and value; `None` when the line is not one.
fn property_line(line: &str) -> Option<(&str, &str)> {
    if line.starts_with(char::is_whitespace) {
        return None;
    }
    let colon = line.find(':')?;
    let name = line[..colon].trim_end();
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !valid {
        return None;
    }
    let value = &line[colon + 1..];
    if !(value.is_empty() || value.starts_with(' ')) {
        return None;
    }
    Some((name, value.strip_prefix(' ').unwrap_or(value)))
}

/// Whether the text looks like `Format-List` output (used by format detection): its first
/// non-blank line and at least one more of the first five are `Name : value` lines (a later
/// line that is not one is reported by [`parse`] with its line number).
pub fn looks_like(text: &str) -> bool {
    let lines: Vec<&str> = text
        .trim_start_matches('\u{feff}')
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(5)
        .collect();
    !lines.is_empty()
        && property_line(lines[0]).is_some()
        && lines.iter().filter(|l| property_line(l).is_some()).count() >= 2.min(lines.len())
}

/// Parses the decoded text of `Format-List` output.
pub fn parse(path: &Path, text: &str) -> Result<ParsedFile> {
    let text = text.trim_start_matches('\u{feff}');
    let mut objects = Vec::new();
    let mut current: Option<(RawObject, Option<String>)> = None;
    for (index, raw_line) in text.lines().enumerate() {
        let line_number = index + 1;
        let line = raw_line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if let Some((object, _)) = current.take() {
                objects.push(object);
            }
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            // A continuation of the previous value: Format-List wraps at the console width
            // without regard to words, so the pieces are joined without a separator.
            let Some((object, Some(last))) = current.as_mut() else {
                return Err(Error::input_at(
                    path,
                    Position {
                        line: line_number,
                        column: 1,
                    },
                    "an indented line that continues no property",
                ));
            };
            if let Some(Value::String(value)) = object.properties.get_mut(last.as_str()) {
                value.push_str(line.trim_start());
            } else {
                object
                    .properties
                    .insert(last.clone(), Value::String(line.trim_start().to_string()));
            }
            continue;
        }
        let Some((name, value)) = property_line(line) else {
            return Err(Error::input_at(
                path,
                Position {
                    line: line_number,
                    column: 1,
                },
                format!("not a 'Name : value' line of Format-List output: '{line}'"),
            ));
        };
        let (object, last) = current.get_or_insert_with(|| {
            (
                RawObject {
                    position: Some(Position {
                        line: line_number,
                        column: 1,
                    }),
                    ..RawObject::default()
                },
                None,
            )
        });
        let value = value.trim_end();
        let value = if value.is_empty() {
            Value::Null
        } else {
            Value::String(value.to_string())
        };
        if object.properties.contains_key(name) {
            return Err(Error::input_at(
                path,
                Position {
                    line: line_number,
                    column: 1,
                },
                format!(
                    "property {name} appears twice in one object; separate objects with a blank line"
                ),
            ));
        }
        object.properties.insert(name.to_string(), value);
        *last = Some(name.to_string());
    }
    if let Some((object, _)) = current.take() {
        objects.push(object);
    }
    Ok(ParsedFile {
        objects,
        fidelity: Fidelity::Text,
        host: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_wrapped_values_and_lists() {
        let text = "\r\n\r\nName              : Relay\r\nAuthMechanism     : Tls, BasicAuth\r\nBindings          : {[::]:25, 0.0.0.0:25}\r\nDistinguishedName : CN=Relay,CN=SMTP Receive Connectors,CN=Pro\r\n                    tocols,CN=EX1\r\nBanner            :\r\n\r\nName : Second\r\n";
        let parsed = parse(Path::new("t.txt"), text).unwrap();
        assert_eq!(parsed.fidelity, Fidelity::Text);
        assert_eq!(parsed.objects.len(), 2);
        let p = &parsed.objects[0].properties;
        assert_eq!(p["AuthMechanism"], "Tls, BasicAuth");
        assert_eq!(p["Bindings"], "{[::]:25, 0.0.0.0:25}");
        assert_eq!(
            p["DistinguishedName"],
            "CN=Relay,CN=SMTP Receive Connectors,CN=Protocols,CN=EX1"
        );
        assert!(p["Banner"].is_null());
        assert_eq!(parsed.objects[0].position.unwrap().line, 3);
        assert_eq!(parsed.objects[1].properties["Name"], "Second");
    }

    #[test]
    fn bad_lines_are_errors() {
        let e = parse(Path::new("t.txt"), "Name : a\nthis is prose\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
        let e = parse(Path::new("t.txt"), "   indented first\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("continues no property"), "{e}");
        let e = parse(Path::new("t.txt"), "Name : a\nName : b\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("twice"), "{e}");
    }

    #[test]
    fn detection() {
        assert!(looks_like("\nName : a\nBindings : {x}\n"));
        assert!(!looks_like("\"Name\",\"x\"\n"));
        assert!(!looks_like("hello world\n"));
    }
}
