//! `Export-Csv` files: an optional `#TYPE` line, a header of property names (any order), one
//! row per object. Cells are the values' ToString text, so every value is a string here
//! (empty = null) and [`super::values`] parses it; multi-valued properties are usable only when
//! the exporting script joined them (`;`, `|`, `,` or spaces).
//!
//! The RFC 4180 reader is local (quoted fields, `""` escapes, line breaks inside quotes,
//! delimiter `,`, `;` or tab taken from the header) because it is small and reports the line
//! and column PowerShell users need; a row whose field count differs from the header is an
//! error naming its line.

use super::{Fidelity, ParsedFile, RawObject};
use crate::error::{Error, Position, Result};
use serde_json::{Map, Value};
use std::path::Path;

/// Whether the text looks like `Export-Csv` output (used by format detection).
pub fn looks_like(text: &str) -> bool {
    let Some(first) = text
        .trim_start_matches('\u{feff}')
        .lines()
        .find(|l| !l.trim().is_empty())
    else {
        return false;
    };
    let first = first.trim();
    if first.starts_with("#TYPE") {
        return true;
    }
    if first.starts_with('"') {
        return [",", ";", "\t"]
            .iter()
            .any(|d| first.contains(&format!("\"{d}\"")));
    }
    let delimiter = delimiter_of(first);
    let names: Vec<&str> = first.split(delimiter).collect();
    names.len() >= 3
        && names.iter().all(|n| {
            let n = n.trim();
            !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// The delimiter of a header line: the character after the first quoted name, else the most
/// frequent of `,`, `;` and tab.
fn delimiter_of(header: &str) -> char {
    if let Some(rest) = header.strip_prefix('"')
        && let Some(end) = rest.find('"')
        && let Some(c) = rest.get(end + 1..).and_then(|r| r.chars().next())
        && matches!(c, ',' | ';' | '\t')
    {
        return c;
    }
    [',', ';', '\t']
        .into_iter()
        .max_by_key(|d| header.matches(*d).count())
        .unwrap_or(',')
}

/// One parsed row: the line it starts on and its fields.
struct Row {
    line: usize,
    fields: Vec<String>,
}

/// Splits CSV text into rows (blank lines skipped).
fn rows(path: &Path, text: &str, first_line: usize, delimiter: char) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = first_line;
    let mut column = 1;
    loop {
        // Skip blank lines between rows.
        while let Some(&c) = chars.peek() {
            if c == '\n' {
                chars.next();
                line += 1;
                column = 1;
            } else if c == '\r' {
                chars.next();
                column += 1;
            } else {
                break;
            }
        }
        if chars.peek().is_none() {
            break;
        }
        let start_line = line;
        let mut fields = Vec::new();
        loop {
            let mut field = String::new();
            if chars.peek() == Some(&'"') {
                let (open_line, open_column) = (line, column);
                chars.next();
                column += 1;
                loop {
                    match chars.next() {
                        None => {
                            return Err(Error::input_at(
                                path,
                                Position {
                                    line: open_line,
                                    column: open_column,
                                },
                                "a quoted field opened here never closes (is the file truncated?)",
                            ));
                        }
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            column += 2;
                            field.push('"');
                        }
                        Some('"') => {
                            column += 1;
                            break;
                        }
                        Some('\n') => {
                            line += 1;
                            column = 1;
                            field.push('\n');
                        }
                        Some(c) => {
                            column += 1;
                            field.push(c);
                        }
                    }
                }
                match chars.peek() {
                    None | Some('\n') | Some('\r') => {}
                    Some(&c) if c == delimiter => {}
                    Some(&c) => {
                        return Err(Error::input_at(
                            path,
                            Position { line, column },
                            format!("unexpected '{c}' after a closing quote"),
                        ));
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == delimiter || c == '\n' || c == '\r' {
                        break;
                    }
                    field.push(c);
                    chars.next();
                    column += 1;
                }
            }
            fields.push(field);
            match chars.next() {
                Some(c) if c == delimiter => column += 1,
                Some('\r') => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    line += 1;
                    column = 1;
                    break;
                }
                Some('\n') => {
                    line += 1;
                    column = 1;
                    break;
                }
                _ => break,
            }
        }
        rows.push(Row {
            line: start_line,
            fields,
        });
    }
    Ok(rows)
}

/// Parses the decoded text of an `Export-Csv` file.
pub fn parse(path: &Path, text: &str) -> Result<ParsedFile> {
    let text = text.trim_start_matches('\u{feff}');
    let mut body = text;
    let mut first_line = 1;
    let mut type_names = Vec::new();
    // Leading blank lines and the #TYPE line.
    while let Some((line, rest)) = body.split_once('\n') {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            body = rest;
            first_line += 1;
        } else if let Some(type_name) = trimmed.strip_prefix("#TYPE") {
            let type_name = type_name.trim();
            if !type_name.is_empty() {
                type_names.push(
                    type_name
                        .trim_start_matches("Deserialized.")
                        .trim_start_matches("Selected.")
                        .to_string(),
                );
            }
            body = rest;
            first_line += 1;
        } else {
            break;
        }
    }
    let header_line = body.lines().next().unwrap_or_default();
    let delimiter = delimiter_of(header_line.trim());
    let mut rows = rows(path, body, first_line, delimiter)?.into_iter();
    let Some(header) = rows.next() else {
        return Err(Error::input(path, "the CSV file has no header line"));
    };
    let names: Vec<String> = header.fields.iter().map(|n| n.trim().to_string()).collect();
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            return Err(Error::input_at(
                path,
                Position {
                    line: header.line,
                    column: 1,
                },
                format!("column {} of the header has no name", i + 1),
            ));
        }
        if names[..i].iter().any(|n| n.eq_ignore_ascii_case(name)) {
            return Err(Error::input_at(
                path,
                Position {
                    line: header.line,
                    column: 1,
                },
                format!("the header names column '{name}' twice"),
            ));
        }
    }
    let mut objects = Vec::new();
    for row in rows {
        if row.fields.len() != names.len() {
            return Err(Error::input_at(
                path,
                Position {
                    line: row.line,
                    column: 1,
                },
                format!(
                    "this row has {} fields but the header has {} columns (a ragged row: the file is damaged or was edited by hand)",
                    row.fields.len(),
                    names.len()
                ),
            ));
        }
        let properties: Map<String, Value> = names
            .iter()
            .zip(row.fields)
            .map(|(name, cell)| {
                let value = if cell.is_empty() {
                    Value::Null
                } else {
                    Value::String(cell)
                };
                (name.clone(), value)
            })
            .collect();
        objects.push(RawObject {
            properties,
            type_names: type_names.clone(),
            position: Some(Position {
                line: row.line,
                column: 1,
            }),
            ..RawObject::default()
        });
    }
    Ok(ParsedFile {
        objects,
        fidelity: Fidelity::Exact,
        host: None,
        collection: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<ParsedFile> {
        parse(Path::new("t.csv"), text)
    }

    #[test]
    fn quoted_fields_escapes_and_line_breaks() {
        let text = "#TYPE Selected.Microsoft.Exchange.Data.Directory.SystemConfiguration.ReceiveConnector\r\n\"Name\",\"AuthMechanism\",\"Banner\",\"Comment\"\r\n\"Relay\",\"Tls, BasicAuth\",\"\",\"two\r\nlines \"\"quoted\"\"\"\r\n";
        let parsed = parse_str(text).unwrap();
        assert_eq!(parsed.objects.len(), 1);
        let o = &parsed.objects[0];
        assert_eq!(
            o.type_names,
            ["Microsoft.Exchange.Data.Directory.SystemConfiguration.ReceiveConnector"]
        );
        assert_eq!(o.properties["AuthMechanism"], "Tls, BasicAuth");
        assert!(o.properties["Banner"].is_null());
        assert_eq!(o.properties["Comment"], "two\r\nlines \"quoted\"");
        assert_eq!(o.position.unwrap().line, 3);
    }

    #[test]
    fn semicolon_delimiter_and_unquoted() {
        let parsed = parse_str("\"Name\";\"MaxHopCount\"\n\"a\";\"60\"\n").unwrap();
        assert_eq!(parsed.objects[0].properties["MaxHopCount"], "60");
        let parsed = parse_str("Name,MaxHopCount,Enabled\na,60,True\n\nb,30,False").unwrap();
        assert_eq!(parsed.objects.len(), 2);
        assert_eq!(parsed.objects[1].properties["Enabled"], "False");
        assert_eq!(parsed.objects[1].position.unwrap().line, 4);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse_str("\"Name\",\"A\"\n\"x\",\"1\"\n\"y\",\"2\",\"3\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("ragged"), "{e}");
        let e = parse_str("\"Name\",\"A\"\n\"x\",\"1\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 2, column 5") && e.contains("never closes"),
            "{e}"
        );
        let e = parse_str("\"Name\",\"A\"\n\"x\"y,\"1\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("after a closing quote"), "{e}");
        let e = parse_str("\"Name\",\"name\"\n").unwrap_err().to_string();
        assert!(e.contains("twice"), "{e}");
    }

    #[test]
    fn detection() {
        assert!(looks_like("#TYPE X\n\"a\",\"b\""));
        assert!(looks_like("\"Name\",\"Bindings\"\n"));
        assert!(looks_like("Name,Bindings,Enabled\n"));
        assert!(!looks_like("Name : x\nBindings : {a}"));
        assert!(!looks_like("{\"a\": 1}"));
    }
}
