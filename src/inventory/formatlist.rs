//! `Format-List` text (what `Get-ReceiveConnector | Format-List *` prints, pasted or saved with
//! `Out-File`): objects separated by blank lines, one `Name : value` line per property, long
//! values wrapped onto continuation lines indented to the value column (see [`parse`] for how
//! they are rejoined), collections shown as `{a, b}`. Values are ToString text, possibly cut by the console width or
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
    let (name, value) = line.split_once(':')?;
    let name = name.trim_end();
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !valid {
        return None;
    }
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

/// The object being read: its properties, the property that continuation lines extend, the
/// value column and the length of the last physical line.
struct Current {
    object: RawObject,
    last: Option<String>,
    value_column: usize,
    last_line_length: usize,
}

impl Current {
    /// The finished object: values trimmed, empty values null.
    fn finish(mut self) -> RawObject {
        for value in self.object.properties.values_mut() {
            if let Value::String(text) = value {
                let trimmed = text.trim_end();
                *value = if trimmed.is_empty() {
                    Value::Null
                } else {
                    Value::String(trimmed.to_string())
                };
            }
        }
        self.object
    }
}

/// Parses the decoded text of `Format-List` output.
///
/// Wrapped values are rejoined as PowerShell split them: in English, French, German, Italian,
/// Portuguese and Spanish cultures Format-List wraps at spaces and keeps the space at the end
/// of the line, elsewhere it cuts at the width. Pieces are joined as they are; when the
/// trailing space was lost (text pasted through an editor) a line shorter than the file's
/// widest line is taken to end at a word break and rejoined with one space.
pub fn parse(path: &Path, text: &str) -> Result<ParsedFile> {
    let text = text.trim_start_matches('\u{feff}');
    let width = text
        .lines()
        .map(|l| l.trim_end().chars().count())
        .max()
        .unwrap_or(0);
    let at = |line: usize| Position { line, column: 1 };
    let mut objects = Vec::new();
    let mut current: Option<Current> = None;
    for (index, raw_line) in text.lines().enumerate() {
        let line_number = index + 1;
        let line = raw_line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if let Some(done) = current.take() {
                objects.push(done.finish());
            }
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            let Some(Current {
                object,
                last: Some(last),
                value_column,
                last_line_length,
            }) = current.as_mut()
            else {
                return Err(Error::input_at(
                    path,
                    at(line_number),
                    "an indented line that continues no property",
                ));
            };
            let indent = line.len() - line.trim_start_matches(' ').len();
            let piece = line.get(indent.min(*value_column)..).unwrap_or("");
            let broke_at_word = *last_line_length < width;
            *last_line_length = line.trim_end().chars().count();
            match object.properties.get_mut(last.as_str()) {
                Some(Value::String(value)) => {
                    if !value.ends_with(char::is_whitespace) && broke_at_word {
                        value.push(' ');
                    }
                    value.push_str(piece);
                }
                _ => {
                    object
                        .properties
                        .insert(last.clone(), Value::String(piece.trim_start().to_string()));
                }
            }
            continue;
        }
        let Some((name, value)) = property_line(line) else {
            return Err(Error::input_at(
                path,
                at(line_number),
                format!("not a 'Name : value' line of Format-List output: '{line}'"),
            ));
        };
        let state = current.get_or_insert_with(|| Current {
            object: RawObject {
                position: Some(at(line_number)),
                ..RawObject::default()
            },
            last: None,
            value_column: 0,
            last_line_length: 0,
        });
        if state.object.properties.contains_key(name) {
            return Err(Error::input_at(
                path,
                at(line_number),
                format!(
                    "property {name} appears twice in one object; separate objects with a blank line"
                ),
            ));
        }
        state.value_column = line.len() - value.len();
        state.last_line_length = line.trim_end().chars().count();
        state
            .object
            .properties
            .insert(name.to_string(), Value::String(value.to_string()));
        state.last = Some(name.to_string());
    }
    if let Some(done) = current.take() {
        objects.push(done.finish());
    }
    Ok(ParsedFile {
        objects,
        fidelity: Fidelity::Text,
        host: None,
        collection: Vec::new(),
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
        // the widest line of the file was cut at the width: joined without a space
        assert_eq!(
            p["DistinguishedName"],
            "CN=Relay,CN=SMTP Receive Connectors,CN=Protocols,CN=EX1"
        );
        assert!(p["Banner"].is_null());
        assert_eq!(parsed.objects[0].position.unwrap().line, 3);
        assert_eq!(parsed.objects[1].properties["Name"], "Second");
    }

    #[test]
    fn word_wrapped_values_keep_their_spaces() {
        // English culture: wrapped at a space that stays at the end of the line
        let kept = "Name    : R\nComment : Anonymous relay for the \n          application servers\nEnabled : True\n";
        let parsed = parse(Path::new("t.txt"), kept).unwrap();
        assert_eq!(
            parsed.objects[0].properties["Comment"],
            "Anonymous relay for the application servers"
        );
        // the same text pasted through an editor that dropped trailing spaces
        let lost = "Name    : R\nComment : Anonymous relay for the\n          application servers\nEnabled : True\nDN      : CN=Relay,CN=SMTP Receive Connectors,CN=Protoc\n          ols,CN=EX1\n";
        let parsed = parse(Path::new("t.txt"), lost).unwrap();
        let p = &parsed.objects[0].properties;
        assert_eq!(p["Comment"], "Anonymous relay for the application servers");
        assert_eq!(
            p["DN"],
            "CN=Relay,CN=SMTP Receive Connectors,CN=Protocols,CN=EX1"
        );
        // a hard cut that leaves a space at the start of the next line keeps it
        let cut = "Name    : R\nBanner  : 220 SMTP Server\n           Ready\n";
        let parsed = parse(Path::new("t.txt"), cut).unwrap();
        assert_eq!(
            parsed.objects[0].properties["Banner"],
            "220 SMTP Server Ready"
        );
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
