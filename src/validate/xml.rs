//! A small XML tree with byte offsets, for validating checklists and results files.
//!
//! Validation needs to see the whole document (order of children, missing elements) and to say
//! where each problem sits, so the file is read into [`Element`]s that keep the byte offset of
//! their start tag. Text is decoded (predefined entities and character references); comments,
//! processing instructions and DOCTYPE declarations are skipped, and no entity is ever expanded.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

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

/// Parses `text` into its root element.
pub fn parse(text: &str) -> Result<Element, XmlError> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let fail = |offset: usize, message: String| Err(XmlError { offset, message });
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
        match event {
            Event::Start(start) => stack.push(open(&start, at)),
            Event::Empty(start) => {
                let element = open(&start, at);
                if let Err(message) = attach(&mut stack, &mut root, element) {
                    return fail(at, message);
                }
            }
            Event::End(_) => {
                if let Some(element) = stack.pop()
                    && let Err(message) = attach(&mut stack, &mut root, element)
                {
                    return fail(at, message);
                }
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                match stack.last_mut() {
                    Some(open) => open.text.push_str(&content),
                    None if !content.trim().is_empty() => {
                        return fail(at, "text outside the root element".into());
                    }
                    None => {}
                }
            }
            Event::CData(data) => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&data.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match crate::xml::resolve_entity(&reference) {
                    Ok(c) => c,
                    Err(message) => return fail(at, message),
                };
                if let Some(open) = stack.last_mut() {
                    open.text.push(resolved);
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
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
}

fn open(start: &BytesStart, offset: usize) -> Element {
    let attributes = start
        .attributes()
        .flatten()
        .map(|a| {
            let key = a.key.as_ref().to_string();
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_default();
            (key, value)
        })
        .collect();
    Element {
        name: start.name().as_ref().to_string(),
        attributes,
        offset,
        ..Element::default()
    }
}

fn attach(
    stack: &mut [Element],
    root: &mut Option<Element>,
    element: Element,
) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None if root.is_none() => *root = Some(element),
        None => return Err(format!("a second root element <{}>", element.name)),
    }
    Ok(())
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
        assert_eq!(&doc[root.child("c").unwrap().offset..][..4], "<c/>");
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
