//! A small XML tree with byte offsets, for validating checklists and results files.
//!
//! Validation needs to see the whole document (order of children, missing elements) and to say
//! where each problem sits, so the file is read into [`Element`]s that keep the byte offset of
//! their start tag. Text is decoded (predefined entities and character references); comments,
//! processing instructions and DOCTYPE declarations are skipped, and no entity is ever expanded.

use quick_xml::Reader;
use quick_xml::events::Event;

/// One element: qualified name as written, attributes, decoded text, children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// The name as written, with its prefix (`cdf:Rule`).
    pub name: String,
    /// Attributes in document order, values decoded.
    pub attributes: Vec<(String, String)>,
    /// The element's own text (children's text excluded), decoded.
    pub text: String,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// Byte offset of the start tag in the document.
    pub offset: usize,
}

impl Element {
    /// The name without its namespace prefix.
    pub fn local_name(&self) -> &str {
        self.name.rsplit(':').next().unwrap_or(&self.name)
    }

    /// The value of attribute `name` (matched on the local name, so `xml:lang` is `lang`).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name || k.rsplit(':').next() == Some(name))
            .map(|(_, v)| v.as_str())
    }

    /// The namespace URI the element's own prefix is bound to on this element (the root's
    /// declarations are all a checklist or XCCDF file has).
    pub fn declared_namespace(&self) -> Option<&str> {
        let key = match self.name.split_once(':') {
            Some((prefix, _)) => format!("xmlns:{prefix}"),
            None => "xmlns".to_string(),
        };
        self.attributes
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Children with local name `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.local_name() == name)
    }

    /// The first child with local name `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.local_name() == name)
    }

    /// The text of the first child named `name`, or `None` when there is no such child.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// Every descendant (depth first, document order) with local name `name`.
    pub fn descendants_named<'a>(&'a self, name: &'a str) -> Vec<&'a Element> {
        let mut found = Vec::new();
        let mut stack: Vec<&Element> = self.children.iter().rev().collect();
        while let Some(e) = stack.pop() {
            if e.local_name() == name {
                found.push(e);
            }
            stack.extend(e.children.iter().rev());
        }
        found
    }
}

/// Why a document is not well-formed XML, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    /// Byte offset of the problem.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// Deepest element nesting accepted: checklists and results files nest about ten levels; a
/// bound keeps the tree (and the stack that drops it) small whatever the input.
pub const MAX_DEPTH: usize = 256;

/// Parses `text` into its root element. Well-formedness is checked in full, at least as
/// strictly as `xmllint` and exstig's own readers: characters XML 1.0 forbids, element and
/// attribute names, attributes (separated by whitespace, quoted, no `<`, no duplicates, only
/// known references), `]]>` in text, the XML declaration only at the start, namespace prefixes
/// declared, nesting at most [`MAX_DEPTH`] deep.
pub fn parse(text: &str) -> Result<Element, XmlError> {
    let fail = |offset: usize, message: String| Err(XmlError { offset, message });
    if let Some((at, c)) = text
        .char_indices()
        .find(|(_, c)| !crate::xml::is_xml_char(*c))
    {
        return fail(
            at,
            format!(
                "not well-formed XML: character U+{:04X} is not allowed in XML 1.0",
                c as u32
            ),
        );
    }
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut scopes: Vec<Vec<String>> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        // Where the next event starts: for a tag, its `<` (text between tags is its own event).
        let at = usize::try_from(reader.buffer_position()).unwrap_or(0);
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(0);
                return fail(at, format!("not well-formed XML: {e}"));
            }
        };
        let end = usize::try_from(reader.buffer_position()).unwrap_or(0);
        match event {
            Event::Start(_) | Event::Empty(_) => {
                let empty = matches!(event, Event::Empty(_));
                if stack.len() >= MAX_DEPTH {
                    return fail(
                        at,
                        format!("elements are nested more than {MAX_DEPTH} levels deep"),
                    );
                }
                if stack.is_empty() && root.is_some() {
                    return fail(at, "not well-formed XML: a second root element".into());
                }
                let tag = text
                    .get(at + 1..end.saturating_sub(if empty { 2 } else { 1 }))
                    .unwrap_or("");
                let (element, declared) = open(tag, at, &scopes)?;
                if empty {
                    attach(&mut stack, &mut root, element);
                } else {
                    stack.push(element);
                    scopes.push(declared);
                }
            }
            Event::End(_) => {
                scopes.pop();
                if let Some(element) = stack.pop() {
                    attach(&mut stack, &mut root, element);
                }
            }
            Event::Text(t) => {
                let raw = text.get(at..end).unwrap_or("");
                if let Some(i) = raw.find("]]>") {
                    return fail(
                        at + i,
                        "not well-formed XML: ']]>' is not allowed in text".into(),
                    );
                }
                let content = t.xml10_content();
                match stack.last_mut() {
                    Some(open) => open.text.push_str(&content),
                    None if !content.trim().is_empty() => {
                        return fail(at, "text outside the root element".into());
                    }
                    None => {}
                }
            }
            Event::CData(data) => match stack.last_mut() {
                Some(open) => open.text.push_str(&data.xml10_content()),
                None => {
                    return fail(
                        at,
                        "not well-formed XML: CDATA outside the root element".into(),
                    );
                }
            },
            Event::GeneralRef(reference) => {
                let resolved = match crate::xml::resolve_entity(&reference) {
                    Ok(c) => c,
                    Err(message) => return fail(at, message),
                };
                match stack.last_mut() {
                    Some(open) => open.text.push(resolved),
                    None => {
                        return fail(
                            at,
                            "not well-formed XML: a reference outside the root element".into(),
                        );
                    }
                }
            }
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return fail(
                        text.len(),
                        format!("the document ends inside <{}>: truncated?", open.name),
                    );
                }
                return root.ok_or(XmlError {
                    offset: 0,
                    message: "no root element: the file holds no XML document".into(),
                });
            }
            Event::Decl(_) if at != 0 => {
                return fail(
                    at,
                    "not well-formed XML: the XML declaration is allowed only at the very start"
                        .into(),
                );
            }
            Event::PI(pi) => {
                let target = pi.target();
                if target.eq_ignore_ascii_case("xml") {
                    return fail(at, "not well-formed XML: the XML declaration is allowed only at the very start".into());
                }
                if !is_name(target) {
                    return fail(
                        at,
                        "not well-formed XML: bad processing instruction target".into(),
                    );
                }
            }
            Event::DocType(_) if root.is_some() || !stack.is_empty() => {
                return fail(
                    at,
                    "not well-formed XML: DOCTYPE after the root element".into(),
                );
            }
            Event::Decl(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
}

/// Whether `name` is an XML name (letters, `_` or `:` first; then also digits, `-`, `.`).
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '-' | '.' | '\u{B7}'))
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The element of the start tag whose text between `<` and `>` (or `/>`) is `tag`, at byte
/// `offset`, checked in full; also the namespace prefixes it declares. `scopes`: the prefixes
/// declared by the open elements.
fn open(
    tag: &str,
    offset: usize,
    scopes: &[Vec<String>],
) -> Result<(Element, Vec<String>), XmlError> {
    let fail = |at: usize, message: String| XmlError {
        offset: offset + 1 + at,
        message: format!("not well-formed XML: {message}"),
    };
    let bytes = tag.as_bytes();
    let name_end = bytes
        .iter()
        .position(|&b| is_space(b))
        .unwrap_or(bytes.len());
    let name = tag.get(..name_end).unwrap_or("");
    if !is_name(name) {
        return Err(fail(0, format!("bad element name '{name}'")));
    }
    let mut attributes: Vec<(String, String)> = Vec::new();
    let mut i = name_end;
    loop {
        let space_start = i;
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        if i == space_start {
            return Err(fail(i, "attributes must be separated by whitespace".into()));
        }
        let key_start = i;
        while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'=' {
            i += 1;
        }
        let key = tag.get(key_start..i).unwrap_or("");
        if !is_name(key) {
            return Err(fail(key_start, format!("bad attribute name '{key}'")));
        }
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            return Err(fail(key_start, format!("attribute '{key}' has no value")));
        }
        i += 1;
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        let quote = match bytes.get(i) {
            Some(&q) if q == b'"' || q == b'\'' => q,
            _ => {
                return Err(fail(
                    i,
                    format!("the value of attribute '{key}' is not quoted"),
                ));
            }
        };
        let value_start = i + 1;
        let Some(length) = bytes[value_start..].iter().position(|&b| b == quote) else {
            return Err(fail(
                i,
                format!("the value of attribute '{key}' is not closed"),
            ));
        };
        i = value_start + length + 1;
        let raw = tag.get(value_start..value_start + length).unwrap_or("");
        if let Some(lt) = raw.find('<') {
            return Err(fail(
                value_start + lt,
                format!("'<' in the value of attribute '{key}'"),
            ));
        }
        let value =
            attribute_value(raw).map_err(|(at, message)| fail(value_start + at, message))?;
        if attributes.iter().any(|(k, _)| k == key) {
            return Err(fail(key_start, format!("attribute '{key}' appears twice")));
        }
        attributes.push((key.to_string(), value));
    }
    let mut declared = Vec::new();
    for (key, value) in &attributes {
        if let Some(prefix) = key.strip_prefix("xmlns:") {
            if value.is_empty() {
                return Err(fail(
                    0,
                    format!("namespace prefix '{prefix}' is declared empty"),
                ));
            }
            declared.push(prefix.to_string());
        }
    }
    let bound = |prefix: &str| {
        prefix == "xml"
            || declared.iter().any(|p| p == prefix)
            || scopes.iter().flatten().any(|p| p == prefix)
    };
    let unbound = std::iter::once(name)
        .chain(
            attributes
                .iter()
                .map(|(k, _)| k.as_str())
                .filter(|k| !k.starts_with("xmlns")),
        )
        .filter_map(|n| n.split_once(':').map(|(prefix, _)| prefix))
        .find(|prefix| !bound(prefix));
    if let Some(prefix) = unbound {
        return Err(fail(
            0,
            format!("namespace prefix '{prefix}' is not declared"),
        ));
    }
    let element = Element {
        name: name.to_string(),
        attributes,
        offset,
        ..Element::default()
    };
    Ok((element, declared))
}

/// An attribute value with its references resolved and whitespace normalized (XML 1.0 §3.3.3);
/// on error the byte offset in `raw` and a message.
fn attribute_value(raw: &str) -> Result<String, (usize, String)> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.extend(rest.get(..amp).unwrap_or("").chars().map(normalized_space));
        let after = rest.get(amp + 1..).unwrap_or("");
        let at = raw.len() - rest.len() + amp;
        let Some(semicolon) = after.find(';') else {
            return Err((at, "'&' that starts no reference (write &amp;)".into()));
        };
        let resolved = crate::xml::resolve_entity(after.get(..semicolon).unwrap_or(""))
            .map_err(|message| (at, message))?;
        out.push(resolved);
        rest = after.get(semicolon + 1..).unwrap_or("");
    }
    out.extend(rest.chars().map(normalized_space));
    Ok(out)
}

fn normalized_space(c: char) -> char {
    if matches!(c, '\t' | '\n' | '\r') {
        ' '
    } else {
        c
    }
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_tree_with_offsets_and_decoded_text() {
        let doc = "<?xml version=\"1.0\"?>\n<a xmlns=\"urn:x\"><b k=\"1 &amp; 2\">x &lt; y&#33;</b><!-- c --><c/></a>";
        let root = parse(doc).unwrap();
        assert_eq!(root.local_name(), "a");
        assert_eq!(root.declared_namespace(), Some("urn:x"));
        assert_eq!(root.children.len(), 2);
        assert_eq!(root.child_text("b"), Some("x < y!"));
        assert_eq!(root.child("b").unwrap().attr("k"), Some("1 & 2"));
        let at = root.child("c").unwrap().offset;
        assert_eq!(doc.get(at..at + 4), Some("<c/>"));
    }

    #[test]
    fn attributes_are_read_as_xml_defines_them() {
        let root =
            parse("<a b=\"x>y\" c = '1&#x41;\t2' xmlns:p=\"urn:p\"><p:d p:e=\"\"/></a>").unwrap();
        assert_eq!(root.attr("b"), Some("x>y"));
        assert_eq!(root.attr("c"), Some("1A 2"));
        assert_eq!(root.children[0].attr("e"), Some(""));
        for bad in [
            "<a b=\"1\" b=\"2\"/>",
            "<a b=\"<\"/>",
            "<a b/>",
            "<a b=1/>",
            "<a b=\"1\"c=\"2\"/>",
            "<a b=\"&x;\"/>",
            "<a b=\"&\"/>",
            "<p:a/>",
            "<1a/>",
            "<a>]]></a>",
            "<a>\u{1}</a>",
            "<a/><?xml version=\"1.0\"?>",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} is not well-formed");
        }
    }

    #[test]
    fn reports_where_the_document_breaks() {
        let err = parse("<a>\n<b></a>").unwrap_err();
        assert!(err.message.contains("not well-formed"), "{}", err.message);
        assert!(parse("<a><b>").unwrap_err().message.contains("truncated"));
        assert!(parse("").is_err());
        assert!(parse("<a/><b/>").is_err());
    }
}
