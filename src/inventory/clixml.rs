//! `Export-Clixml` files (PowerShell serialization, [MS-PSRP] §2.2.5): `Objs` holding one `Obj`
//! per pipeline object.
//!
//! Each `Obj` becomes a property bag: `Props` (adapted) and `MS` (extended) properties, with
//! Exchange's `SerializationData` blobs dropped. Nested objects become: the primitive for enums
//! (`<I32>31</I32>`), an array for `LST`/`IE`/`STK`/`QUE`, an object for `DCT`, an object of
//! their properties plus a `ToString` key when they have `Props`/`MS`, and their `ToString`
//! text otherwise (`ByteQuantifiedSize`). `Ref` back-references are resolved, `TNRef` type
//! names too; `_xHHHH_` escapes are decoded; `Deserialized.` prefixes are dropped from type
//! names. Depth and expansion are bounded; a reference cycle or a `Ref` to an unknown `RefId`
//! is an error, never a stack overflow.

use super::{Fidelity, ParsedFile, RawObject};
use crate::error::{Error, Position, Result};
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use serde_json::{Map, Number, Value};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Deepest element nesting accepted (real Exchange exports nest about 12 levels).
const MAX_DEPTH: usize = 100;

/// Most JSON values the resolved objects may hold (guards against reference bombs).
const MAX_VALUES: usize = 5_000_000;

/// Whether the text looks like CliXML (used by format detection).
pub fn looks_like(text: &str) -> bool {
    let start = skip_preamble(text).trim_start();
    // The first 4 KiB, cut on a character boundary.
    let head = start
        .get(..start.floor_char_boundary(4096))
        .unwrap_or(start);
    start.starts_with('<') && head.contains("<Objs")
}

/// Skips a BOM and the `#< CLIXML` line PowerShell writes before serialized error streams.
fn skip_preamble(text: &str) -> &str {
    let text = text.trim_start_matches('\u{feff}');
    let trimmed = text.trim_start();
    match trimmed.strip_prefix("#< CLIXML") {
        Some(rest) => rest,
        None => text,
    }
}

/// An element of the document.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Node>,
    text: String,
    offset: usize,
}

impl Node {
    fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The property name (`N`), decoded.
    fn property_name(&self) -> Option<String> {
        self.attribute("N").map(decode_escapes)
    }
}

/// Parses the decoded text of an `Export-Clixml` file.
pub fn parse(path: &Path, text: &str) -> Result<ParsedFile> {
    let body = skip_preamble(text);
    let base = text.len() - body.len();
    let root = build_tree(path, text, body, base)?;
    if root.name != "Objs" {
        return Err(Error::input_at(
            path,
            Position::of_offset(text, root.offset),
            format!(
                "the root element is <{}>, not <Objs>: not an Export-Clixml file",
                root.name
            ),
        ));
    }
    let mut converter = Converter {
        path,
        text,
        objects: HashMap::new(),
        referenced: referenced_ids(&root),
        in_progress: Vec::new(),
        type_names: HashMap::new(),
        budget: MAX_VALUES,
    };
    let lines = LineIndex::new(text);
    let mut objects = Vec::new();
    for node in &root.children {
        let position = Some(lines.position(text, node.offset));
        if node.name != "Obj" {
            let value = converter.value(node)?;
            let text = super::values::to_text(&value).unwrap_or_default();
            objects.push(RawObject {
                not_an_object: Some(format!("a plain <{}> value '{text}'", node.name)),
                position,
                ..RawObject::default()
            });
            continue;
        }
        let (properties, type_names) = converter.top_object(node)?;
        objects.push(RawObject {
            properties,
            type_names,
            position,
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

/// Byte offsets of line starts, so that the positions of many objects cost one pass.
pub(crate) struct LineIndex(Vec<usize>);

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub(crate) fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex(starts)
    }

    /// Line and column of byte `offset` (same result as [`Position::of_offset`]).
    pub(crate) fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.0.partition_point(|&start| start <= offset).max(1);
        let start = self.0[line - 1];
        let column = text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        Position { line, column }
    }
}

/// Builds the element tree, bounded in depth; errors carry line and column.
fn build_tree(path: &Path, text: &str, body: &str, base: usize) -> Result<Node> {
    let error = |offset: usize, message: String| {
        Error::input_at(path, Position::of_offset(text, base + offset), message)
    };
    let mut reader = Reader::from_str(body);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(0);
        let event = reader.read_event().map_err(|e| {
            let at = usize::try_from(reader.error_position()).unwrap_or(0);
            error(at, format!("not well-formed XML: {e}"))
        })?;
        match event {
            Event::Start(_) if stack.len() >= MAX_DEPTH => {
                return Err(error(
                    at,
                    format!("elements are nested more than {MAX_DEPTH} levels deep"),
                ));
            }
            Event::Start(start) => {
                stack.push(node_of(&start, base + at).map_err(|m| error(at, m))?)
            }
            Event::Empty(start) => {
                let node = node_of(&start, base + at).map_err(|m| error(at, m))?;
                attach(&mut stack, &mut root, node).map_err(|m| error(at, m))?;
            }
            Event::End(_) => {
                if let Some(node) = stack.pop() {
                    attach(&mut stack, &mut root, node).map_err(|m| error(at, m))?;
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                } else if !t.xml10_content().trim().is_empty() {
                    return Err(error(at, "text outside the <Objs> element".into()));
                }
            }
            Event::CData(data) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&data.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                let c = crate::xml::resolve_entity(&reference).map_err(|m| error(at, m))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push(c);
                }
            }
            Event::DocType(_) => {
                return Err(error(
                    at,
                    "the file has a DOCTYPE declaration; Export-Clixml writes none".into(),
                ));
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(error(
            body.len(),
            format!(
                "the document ends inside <{}> opened at {}: the file is truncated",
                open.name,
                Position::of_offset(text, open.offset)
            ),
        ));
    }
    root.ok_or_else(|| Error::input(path, "the XML document has no element"))
}

fn node_of(start: &BytesStart, offset: usize) -> std::result::Result<Node, String> {
    let name = start.local_name().as_ref().to_string();
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| format!("bad attribute: {e}"))?;
        let key = attribute.key.local_name().as_ref().to_string();
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("bad attribute value: {e}"))?
            .into_owned();
        attributes.push((key, value));
    }
    Ok(Node {
        name,
        attributes,
        offset,
        ..Node::default()
    })
}

fn attach(
    stack: &mut [Node],
    root: &mut Option<Node>,
    node: Node,
) -> std::result::Result<(), String> {
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(node);
            Ok(())
        }
        None if root.is_none() => {
            *root = Some(node);
            Ok(())
        }
        None => Err("a second root element".into()),
    }
}

/// Decodes PowerShell's `_xHHHH_` escapes (UTF-16 code units; surrogate pairs combined).
pub fn decode_escapes(text: &str) -> String {
    if !text.contains("_x") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut units: Vec<u16> = Vec::new();
    let mut rest = text;
    loop {
        let escape = rest
            .get(..7)
            .filter(|s| s.starts_with("_x") && s.ends_with('_'))
            .and_then(|s| s.get(2..6))
            .and_then(|hex| u16::from_str_radix(hex, 16).ok());
        match escape {
            Some(unit) => {
                units.push(unit);
                rest = rest.get(7..).unwrap_or("");
            }
            None => {
                if !units.is_empty() {
                    out.extend(
                        char::decode_utf16(units.drain(..))
                            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)),
                    );
                }
                let mut chars = rest.chars();
                match chars.next() {
                    Some(c) => out.push(c),
                    None => break,
                }
                rest = chars.as_str();
            }
        }
    }
    out
}

/// Primitive element names and how their text becomes JSON.
fn primitive(node: &Node) -> Option<std::result::Result<Value, String>> {
    let text = node.text.as_str();
    let number = |t: &str| -> std::result::Result<Value, String> {
        t.trim()
            .parse::<i64>()
            .map(|n| Value::Number(n.into()))
            .or_else(|_| t.trim().parse::<u64>().map(|n| Value::Number(n.into())))
            .map_err(|_| format!("<{}> holds '{t}', not a whole number", node.name))
    };
    let value = match node.name.as_str() {
        "Nil" => Ok(Value::Null),
        "S" | "URI" | "Version" | "G" | "DT" | "TS" | "XD" | "SBK" | "BA" => {
            Ok(Value::String(decode_escapes(text)))
        }
        "C" => number(text).map(|v| {
            let c = v
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .and_then(char::from_u32)
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            Value::String(c.to_string())
        }),
        "B" => match text.trim() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            other => Err(format!("<B> holds '{other}', not true or false")),
        },
        "By" | "SB" | "I16" | "U16" | "I32" | "U32" | "I64" | "U64" => number(text),
        "Sg" | "Db" | "D" => match text.trim().parse::<f64>().ok().and_then(Number::from_f64) {
            Some(n) => Ok(Value::Number(n)),
            None => Ok(Value::String(text.trim().to_string())),
        },
        "SS" => Ok(Value::Null),
        _ => return None,
    };
    Some(value)
}

/// Resolves nodes to JSON values, with RefId and TN tables.
/// The RefIds that some `<Ref>` points to (only those objects are kept for resolution).
fn referenced_ids(root: &Node) -> HashSet<String> {
    let mut ids = HashSet::new();
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        if node.name == "Ref"
            && let Some(id) = node.attribute("RefId")
        {
            ids.insert(id.to_string());
        }
        pending.extend(node.children.iter());
    }
    ids
}

struct Converter<'a> {
    path: &'a Path,
    text: &'a str,
    objects: HashMap<String, (Value, usize)>,
    referenced: HashSet<String>,
    in_progress: Vec<String>,
    type_names: HashMap<String, Vec<String>>,
    budget: usize,
}

impl Converter<'_> {
    fn error(&self, node: &Node, message: impl Into<String>) -> Error {
        Error::input_at(
            self.path,
            Position::of_offset(self.text, node.offset),
            message,
        )
    }

    /// Counts `n` more values against the expansion budget.
    fn spend(&mut self, node: &Node, n: usize) -> Result<()> {
        self.budget = self.budget.checked_sub(n).ok_or_else(|| {
            self.error(
                node,
                format!("the references expand to more than {MAX_VALUES} values"),
            )
        })?;
        Ok(())
    }

    /// A top-level object: its properties and type names.
    fn top_object(&mut self, node: &Node) -> Result<(Map<String, Value>, Vec<String>)> {
        let ref_id = node.attribute("RefId").map(str::to_string);
        if let Some(id) = &ref_id {
            self.in_progress.push(id.clone());
        }
        let parts = self.object_parts(node)?;
        if ref_id.is_some() {
            self.in_progress.pop();
        }
        if let Some(id) = ref_id.filter(|id| self.referenced.contains(id)) {
            let value = Value::Object(parts.properties.clone());
            let size = size_of(&value);
            self.objects.insert(id, (value, size));
        }
        Ok((parts.properties, parts.type_names))
    }

    /// The JSON value of any element.
    fn value(&mut self, node: &Node) -> Result<Value> {
        if let Some(result) = primitive(node) {
            self.spend(node, 1)?;
            return result.map_err(|m| self.error(node, m));
        }
        match node.name.as_str() {
            "Ref" => {
                let id = node
                    .attribute("RefId")
                    .ok_or_else(|| self.error(node, "<Ref> without a RefId"))?;
                if self.in_progress.iter().any(|p| p == id) {
                    return Err(self.error(
                        node,
                        format!("reference cycle: <Ref RefId=\"{id}\"> points to an object that contains it"),
                    ));
                }
                let (value, size) = self.objects.get(id).cloned().ok_or_else(|| {
                    self.error(
                        node,
                        format!("<Ref RefId=\"{id}\"> points to no earlier <Obj RefId=\"{id}\">"),
                    )
                })?;
                self.spend(node, size)?;
                Ok(value)
            }
            "Obj" => {
                let ref_id = node.attribute("RefId").map(str::to_string);
                if let Some(id) = &ref_id {
                    self.in_progress.push(id.clone());
                }
                let value = self.object_value(node)?;
                if let Some(id) = ref_id {
                    self.in_progress.pop();
                    if self.referenced.contains(&id) {
                        let size = size_of(&value);
                        self.objects.insert(id, (value.clone(), size));
                    }
                }
                Ok(value)
            }
            "LST" | "IE" | "STK" | "QUE" => self.list(node),
            "DCT" => self.dictionary(node),
            other => Err(self.error(
                node,
                format!("unexpected element <{other}> in a CliXML value"),
            )),
        }
    }

    fn list(&mut self, node: &Node) -> Result<Value> {
        self.spend(node, 1)?;
        node.children
            .iter()
            .map(|child| self.value(child))
            .collect::<Result<Vec<_>>>()
            .map(Value::Array)
    }

    fn dictionary(&mut self, node: &Node) -> Result<Value> {
        self.spend(node, 1)?;
        let mut map = Map::new();
        for entry in &node.children {
            let key = entry
                .children
                .iter()
                .find(|c| c.attribute("N") == Some("Key"));
            let value = entry
                .children
                .iter()
                .find(|c| c.attribute("N") == Some("Value"));
            let (Some(key), Some(value)) = (key, value) else {
                return Err(self.error(entry, "a <DCT> entry without Key and Value"));
            };
            let key = self.value(key)?;
            let key = super::values::to_text(&key).unwrap_or_default();
            let value = self.value(value)?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }

    /// A nested object as one JSON value (see the module documentation).
    fn object_value(&mut self, node: &Node) -> Result<Value> {
        let parts = self.object_parts(node)?;
        if let Some(value) = parts.primitive {
            // An enumeration keeps its name beside its number (`Reject` and 1): the checks compare
            // plain enumerations by name, flags by bits (`values::text` / `values::flags`).
            let is_enum = parts.type_names.iter().any(|t| t == "System.Enum");
            return Ok(match parts.to_string {
                Some(name)
                    if is_enum
                        && value.is_number()
                        && !name.trim().chars().all(|c| c.is_ascii_digit()) =>
                {
                    let mut map = Map::new();
                    map.insert("value".into(), value);
                    map.insert("ToString".into(), Value::String(name));
                    Value::Object(map)
                }
                _ => value,
            });
        }
        if let Some(value) = parts.container {
            return Ok(value);
        }
        if !parts.properties.is_empty() {
            let mut properties = parts.properties;
            if let Some(text) = parts.to_string {
                properties
                    .entry("ToString".to_string())
                    .or_insert(Value::String(text));
            }
            return Ok(Value::Object(properties));
        }
        Ok(match parts.to_string {
            Some(text) => Value::String(text),
            None => Value::Object(Map::new()),
        })
    }

    fn object_parts(&mut self, node: &Node) -> Result<ObjectParts> {
        self.spend(node, 1)?;
        let mut parts = ObjectParts::default();
        for child in &node.children {
            match child.name.as_str() {
                "TN" => {
                    let names: Vec<String> = child
                        .children
                        .iter()
                        .filter(|t| t.name == "T")
                        .map(|t| type_name(&t.text))
                        .collect();
                    if let Some(id) = child.attribute("RefId") {
                        self.type_names.insert(id.to_string(), names.clone());
                    }
                    parts.type_names = names;
                }
                "TNRef" => {
                    let id = child.attribute("RefId").unwrap_or_default();
                    parts.type_names = self.type_names.get(id).cloned().ok_or_else(|| {
                        self.error(
                            child,
                            format!(
                                "<TNRef RefId=\"{id}\"> points to no earlier <TN RefId=\"{id}\">"
                            ),
                        )
                    })?;
                }
                "ToString" => parts.to_string = Some(decode_escapes(&child.text)),
                "Props" | "MS" => self.properties(child, &mut parts.properties)?,
                "LST" | "IE" | "STK" | "QUE" => parts.container = Some(self.list(child)?),
                "DCT" => parts.container = Some(self.dictionary(child)?),
                _ if child.attribute("N").is_none() => {
                    if let Some(result) = primitive(child) {
                        parts.primitive = Some(result.map_err(|m| self.error(child, m))?);
                    } else {
                        return Err(self.error(
                            child,
                            format!("unexpected element <{}> in <Obj>", child.name),
                        ));
                    }
                }
                _ => {
                    return Err(self.error(
                        child,
                        format!(
                            "unexpected named element <{}> directly in <Obj>",
                            child.name
                        ),
                    ));
                }
            }
        }
        Ok(parts)
    }

    /// The named children of `Props` or `MS` (nested `MS` groups flattened), without
    /// `SerializationData`.
    fn properties(&mut self, node: &Node, into: &mut Map<String, Value>) -> Result<()> {
        for child in &node.children {
            let Some(name) = child.property_name() else {
                if child.name == "MS" {
                    self.properties(child, into)?;
                    continue;
                }
                return Err(self.error(
                    child,
                    format!(
                        "<{}> in <{}> has no N (property name)",
                        child.name, node.name
                    ),
                ));
            };
            if name == "SerializationData" {
                continue;
            }
            let value = self.value(child)?;
            into.insert(name, value);
        }
        Ok(())
    }
}

#[derive(Default)]
struct ObjectParts {
    type_names: Vec<String>,
    to_string: Option<String>,
    primitive: Option<Value>,
    container: Option<Value>,
    properties: Map<String, Value>,
}

/// A type name without the `Deserialized.` prefix.
fn type_name(text: &str) -> String {
    let text = text.trim();
    text.strip_prefix("Deserialized.")
        .unwrap_or(text)
        .to_string()
}

/// How many JSON values a value holds (for the expansion budget).
fn size_of(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(size_of).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(size_of).sum::<usize>(),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objs(body: &str) -> String {
        format!(
            "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">{body}</Objs>"
        )
    }

    fn parse_str(text: &str) -> Result<ParsedFile> {
        parse(Path::new("t.xml"), text)
    }

    #[test]
    fn line_index_matches_of_offset() {
        let text = "ab\ncdé\n\nxyz";
        let index = LineIndex::new(text);
        for offset in [0, 1, 3, 5, 6, 8, 9, 11] {
            assert_eq!(
                index.position(text, offset),
                Position::of_offset(text, offset),
                "{offset}"
            );
        }
    }

    #[test]
    fn escapes_are_decoded() {
        assert_eq!(decode_escapes("a_x000D__x000A_b"), "a\r\nb");
        assert_eq!(decode_escapes("_x005F_x0041_"), "_x0041_");
        assert_eq!(decode_escapes("_xD83D__xDE00_"), "\u{1F600}");
        assert_eq!(decode_escapes("no_escape_x12"), "no_escape_x12");
        assert_eq!(decode_escapes("_xZZZZ_"), "_xZZZZ_");
    }

    #[test]
    fn objects_refs_and_type_names() {
        let text = objs(
            r#"<Obj RefId="0"><TN RefId="0"><T>Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.ReceiveConnector</T><T>Deserialized.System.Object</T></TN><ToString>EX1\R</ToString>
            <Props>
              <Obj N="AuthMechanism" RefId="1"><TN RefId="1"><T>AuthMechanisms</T></TN><ToString>Tls, BasicAuth</ToString><I32>5</I32></Obj>
              <S N="Banner">220_x0020_Ready</S>
              <Obj N="Bindings" RefId="2"><TNRef RefId="1" /><LST><S>0.0.0.0:25</S><Obj RefId="3"><ToString>[::]:25</ToString><Props><I32 N="Port">25</I32></Props></Obj></LST></Obj>
              <Obj N="MaxMessageSize" RefId="4"><ToString>36 MB (37,748,736 bytes)</ToString><MS><BA N="SerializationData">AAEA</BA></MS></Obj>
              <Ref N="Id" RefId="3" />
              <Nil N="TlsCertificateName" />
              <Obj N="Tags" RefId="5"><DCT><En><S N="Key">a</S><I32 N="Value">1</I32></En></DCT></Obj>
            </Props>
            <MS><S N="PSComputerName">ex1.example.mil</S><BA N="SerializationData">AAEA</BA></MS></Obj>"#,
        );
        let parsed = parse_str(&text).unwrap();
        let o = &parsed.objects[0];
        assert_eq!(
            o.type_names[0],
            "Microsoft.Exchange.Data.Directory.SystemConfiguration.ReceiveConnector"
        );
        let p = &o.properties;
        assert_eq!(p["AuthMechanism"], 5);
        assert_eq!(p["Banner"], "220 Ready");
        assert_eq!(p["Bindings"][0], "0.0.0.0:25");
        assert_eq!(p["Bindings"][1]["ToString"], "[::]:25");
        assert_eq!(p["MaxMessageSize"], "36 MB (37,748,736 bytes)");
        assert_eq!(p["Id"]["Port"], 25);
        assert!(p["TlsCertificateName"].is_null());
        assert_eq!(p["Tags"]["a"], 1);
        assert_eq!(p["PSComputerName"], "ex1.example.mil");
        assert!(!p.contains_key("SerializationData"));
    }

    #[test]
    fn enumerations_keep_their_name_beside_their_number() {
        let text = objs(
            r#"<Obj RefId="0"><TN RefId="0"><T>Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.SenderIdConfig</T></TN>
            <Props>
              <Obj N="SpoofedDomainAction" RefId="1"><TN RefId="1"><T>Microsoft.Exchange.Data.SpoofedDomainAction</T><T>System.Enum</T><T>System.ValueType</T><T>System.Object</T></TN><ToString>Reject</ToString><I32>1</I32></Obj>
              <Obj N="TempErrorAction" RefId="2"><TNRef RefId="1" /><ToString>StampStatus</ToString><I32>0</I32></Obj>
            </Props></Obj>"#,
        );
        let parsed = parse_str(&text).unwrap();
        let p = &parsed.objects[0].properties;
        assert_eq!(p["SpoofedDomainAction"]["ToString"], "Reject");
        assert_eq!(p["SpoofedDomainAction"]["value"], 1);
        assert_eq!(p["TempErrorAction"]["ToString"], "StampStatus");
    }

    #[test]
    fn bad_documents_are_errors_with_positions() {
        let cycle = objs(
            r#"<Obj RefId="0"><Props><Obj N="A" RefId="1"><Props><Ref N="B" RefId="1" /></Props></Obj></Props></Obj>"#,
        );
        let e = parse_str(&cycle).unwrap_err().to_string();
        assert!(e.contains("reference cycle") && e.contains("line 1"), "{e}");
        let missing = objs(r#"<Obj RefId="0"><Props><Ref N="B" RefId="7" /></Props></Obj>"#);
        let e = parse_str(&missing).unwrap_err().to_string();
        assert!(e.contains("RefId=\"7\"") && e.contains("no earlier"), "{e}");
        let forward = objs(
            r#"<Obj RefId="0"><Props><Ref N="B" RefId="1" /><Obj N="C" RefId="1"><ToString>x</ToString></Obj></Props></Obj>"#,
        );
        assert!(parse_str(&forward).is_err());
        let tn = objs(r#"<Obj RefId="0"><TNRef RefId="3" /><Props /></Obj>"#);
        assert!(parse_str(&tn).unwrap_err().to_string().contains("TNRef"));
        let whole = objs(r#"<Obj RefId="0"><Props><S N="a">x</S>"#);
        let truncated = whole.get(..90).unwrap_or(&whole);
        let e = parse_str(truncated).unwrap_err().to_string();
        assert!(
            e.contains("truncated") || e.contains("not well-formed"),
            "{e}"
        );
        let deep = objs(&format!(
            "{}{}",
            "<Obj RefId=\"0\"><Props>".repeat(200),
            "</Props></Obj>".repeat(200)
        ));
        let e = parse_str(&deep).unwrap_err().to_string();
        assert!(e.contains("nested more than"), "{e}");
        let bad_int = objs(r#"<Obj RefId="0"><Props><I32 N="x">abc</I32></Props></Obj>"#);
        assert!(
            parse_str(&bad_int)
                .unwrap_err()
                .to_string()
                .contains("not a whole number")
        );
        let not_objs = "<Foo/>";
        assert!(
            parse_str(not_objs)
                .unwrap_err()
                .to_string()
                .contains("not <Objs>")
        );
    }

    #[test]
    fn reference_bombs_are_bounded() {
        let mut body = String::from(r#"<Obj RefId="0"><Props><Obj N="l0" RefId="1"><LST>"#);
        body.push_str(&"<S>x</S>".repeat(10));
        body.push_str("</LST></Obj>");
        for level in 1..12 {
            body.push_str(&format!(r#"<Obj N="l{level}" RefId="{}"><LST>"#, level + 1));
            body.push_str(&format!(r#"<Ref RefId="{level}" />"#).repeat(10));
            body.push_str("</LST></Obj>");
        }
        body.push_str("</Props></Obj>");
        let e = parse_str(&objs(&body)).unwrap_err().to_string();
        assert!(e.contains("expand to more than"), "{e}");
    }
}
