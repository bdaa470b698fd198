//! CKL: the STIG Viewer 2.x XML checklist, written exactly as STIG Viewer writes it and read
//! back without losing anything.
//!
//! [`write()`] produces STIG Viewer's layout byte for byte: the XML declaration, a viewer-version
//! comment, tab indentation, LF line ends, no trailing newline, `<X></X>` for empty elements,
//! ASSET in XSD order, SI_DATA in STIG Viewer's order (an SI_DATA without value has no
//! `SID_DATA`), STIG_DATA in model order, then the five review elements, always present. Only
//! `&`, `<` and `>` are escaped in text, all in [`push_escaped`], which also drops characters XML
//! 1.0 forbids. FINDING_DETAILS and COMMENTS are never cut, however long: text people wrote is
//! kept whole (exstig's own text is capped where it is made, by [`super::clean_text`], and the
//! commands warn about longer human text with [`super::overlong_texts`]).
//!
//! [`read`] accepts what STIG Viewer, Evaluate-STIG and STIG Manager write (BOM, CRLF, `<X/>`,
//! entity and character references, XML comments at document, CHECKLIST, iSTIG and VULN level)
//! and keeps what the writer needs to reproduce the document: the comments with their places
//! and the ASSET children as the file had them. DTDs are refused, so entities are never expanded.

use super::{
    Asset, AttributeName, Checklist, ChecklistStig, ROLES, Status, Vuln, XmlComment, attribute_name,
};
use crate::error::{Error, Position, Result};
use crate::xml::is_xml_char;

// Slices the input at markup bytes it found (ASCII), on character boundaries by construction;
// proven against quick-xml and xmllint in tests/ckl_lexer.rs (see the note in lib.rs).
#[allow(clippy::string_slice)]
pub mod lexer;
use lexer::{Lexer, Token};
use std::borrow::Cow;
use std::path::Path;

/// The first comment STIG Viewer 2.x writes; consumers expect a viewer-version comment there.
pub const VIEWER_COMMENT: &str = "DISA STIG Viewer :: 2.18";

/// The `TECH_AREA` values the DISA CKL schema allows (`""` included), in its order.
pub const TECH_AREAS: [&str; 19] = [
    "",
    "Application Review",
    "Boundary Security",
    "CDS Admin Review",
    "CDS Technical Review",
    "Database Review",
    "Domain Name System (DNS)",
    "Exchange Server",
    "Host Based System Security (HBSS)",
    "Internal Network",
    "Mobility",
    "Releasable Networks (REL)",
    "Releaseable Networks (REL)",
    "Traditional Security",
    "UNIX OS",
    "VVOIP Review",
    "Web Review",
    "Windows OS",
    "Other Review",
];

/// The ASSET children in the order of the DISA XSD (HOST_GUID and STIG_GUID are optional and
/// not written by STIG Viewer 2.17).
const ASSET_XSD_ORDER: [&str; 15] = [
    "ROLE",
    "ASSET_TYPE",
    "MARKING",
    "HOST_NAME",
    "HOST_IP",
    "HOST_MAC",
    "HOST_GUID",
    "HOST_FQDN",
    "TARGET_COMMENT",
    "TECH_AREA",
    "TARGET_KEY",
    "STIG_GUID",
    "WEB_OR_DATABASE",
    "WEB_DB_SITE",
    "WEB_DB_INSTANCE",
];

/// The ASSET children STIG Viewer 2.17 writes for a new checklist, in its order.
const ASSET_STIG_VIEWER: [&str; 13] = [
    "ROLE",
    "ASSET_TYPE",
    "MARKING",
    "HOST_NAME",
    "HOST_IP",
    "HOST_MAC",
    "HOST_FQDN",
    "TARGET_COMMENT",
    "TECH_AREA",
    "TARGET_KEY",
    "WEB_OR_DATABASE",
    "WEB_DB_SITE",
    "WEB_DB_INSTANCE",
];

/// Writes `checklist` as STIG Viewer 2.x writes a CKL (UTF-8 without BOM).
pub fn write(checklist: &Checklist) -> String {
    let mut out = Out::with_capacity(estimated_size(checklist));
    out.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    match &checklist.header_comments {
        Some(comments) => {
            for text in comments {
                out.comment(0, text);
            }
        }
        None => {
            out.comment(0, VIEWER_COMMENT);
            out.comment(0, &format!("exstig {}", crate::VERSION));
        }
    }
    out.open(0, "CHECKLIST");
    out.comments_at(1, &checklist.xml_comments, 0);
    write_asset(&mut out, checklist);
    out.comments_at(1, &checklist.xml_comments, 1);
    out.open(1, "STIGS");
    for stig in &checklist.stigs {
        write_istig(&mut out, stig);
    }
    out.close(1, "STIGS");
    out.comments_after(1, &checklist.xml_comments, 2);
    out.raw("</CHECKLIST>");
    for text in &checklist.trailing_comments {
        out.raw("\n");
        out.comment_markup(text);
    }
    out.buf
}

/// A capacity guess that avoids regrowing the output buffer.
fn estimated_size(checklist: &Checklist) -> usize {
    let vulns: usize = checklist
        .stigs
        .iter()
        .flat_map(|s| s.vulns.iter())
        .map(|v| {
            400 + v.finding_details.len()
                + v.comments.len()
                + v.stig_data
                    .iter()
                    .map(|(n, d)| 90 + n.len() + d.len() + d.len() / 16)
                    .sum::<usize>()
        })
        .sum();
    4096 + vulns
}

fn write_asset(out: &mut Out, checklist: &Checklist) {
    let asset = &checklist.asset;
    out.open(1, "ASSET");
    if checklist.asset_layout.is_empty() {
        for name in ASSET_STIG_VIEWER {
            let value = match name {
                "ROLE" => schema_value(&asset.role, &ROLES, "None"),
                "ASSET_TYPE" => schema_value(&asset.asset_type, &ASSET_TYPES, "Computing"),
                "TECH_AREA" => schema_value(&asset.tech_area, &TECH_AREAS, ""),
                _ => asset_value(asset, name).unwrap_or_default(),
            };
            out.leaf(2, name, value);
        }
    } else {
        for (name, raw) in asset_elements(checklist) {
            let value = match name {
                "WEB_OR_DATABASE" if (parse_bool(raw) == Some(true)) == asset.web_or_database => {
                    raw
                }
                _ => asset_value(asset, name).unwrap_or(raw),
            };
            out.leaf(2, name, value);
        }
    }
    out.close(1, "ASSET");
}

/// The ASSET children to write for a read checklist: the file's own elements in its order, plus
/// any standard element the file lacked but the model now has a value for, at its XSD place.
fn asset_elements(checklist: &Checklist) -> Vec<(&str, &str)> {
    let rank = |name: &str| ASSET_XSD_ORDER.iter().position(|n| *n == name);
    let mut elements: Vec<(&str, &str)> = checklist
        .asset_layout
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    for (index, name) in ASSET_XSD_ORDER.iter().enumerate() {
        if elements.iter().any(|(n, _)| n == name) {
            continue;
        }
        let needed = match *name {
            "WEB_OR_DATABASE" => checklist.asset.web_or_database,
            _ => asset_value(&checklist.asset, name).is_some_and(|v| !v.is_empty()),
        };
        if needed {
            let at = elements
                .iter()
                .position(|(n, _)| rank(n).is_some_and(|r| r > index))
                .unwrap_or(elements.len());
            elements.insert(at, (name, ""));
        }
    }
    elements
}

/// The `ASSET_TYPE` values of the CKL schema.
const ASSET_TYPES: [&str; 2] = ["Computing", "Non-Computing"];

/// `value` in the spelling of the schema enumeration `allowed` (case-insensitive), or `fallback`
/// when it is none of them (CKLB's `None` technology area, free text): a new or converted
/// checklist must pass STIG Viewer's schema validation. Read CKLs keep their own values.
fn schema_value<'a>(value: &str, allowed: &[&'a str], fallback: &'a str) -> &'a str {
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(value.trim()))
        .copied()
        .unwrap_or(fallback)
}

/// The model value of a standard ASSET element; `None` for HOST_GUID, STIG_GUID and unknown
/// elements, which only the layout holds.
fn asset_value<'a>(asset: &'a Asset, name: &str) -> Option<&'a str> {
    let text = match name {
        "ROLE" => &asset.role,
        "ASSET_TYPE" => &asset.asset_type,
        "MARKING" => &asset.marking,
        "HOST_NAME" => &asset.host_name,
        "HOST_IP" => &asset.host_ip,
        "HOST_MAC" => &asset.host_mac,
        "HOST_FQDN" => &asset.host_fqdn,
        "TARGET_COMMENT" => &asset.target_comment,
        "TECH_AREA" => &asset.tech_area,
        "TARGET_KEY" => &asset.target_key,
        "WEB_OR_DATABASE" => {
            return Some(if asset.web_or_database {
                "true"
            } else {
                "false"
            });
        }
        "WEB_DB_SITE" => &asset.web_db_site,
        "WEB_DB_INSTANCE" => &asset.web_db_instance,
        _ => return None,
    };
    Some(text)
}

/// `xs:boolean` as the XSD reads it.
fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// One `iSTIG`: STIG_INFO (an SI_DATA without value has no SID_DATA), then the VULNs.
fn write_istig(out: &mut Out, stig: &ChecklistStig) {
    out.open(2, "iSTIG");
    out.comments_at(3, &stig.xml_comments, 0);
    out.open(3, "STIG_INFO");
    for (name, value) in &stig.info {
        out.open(4, "SI_DATA");
        out.leaf(5, "SID_NAME", name);
        if let Some(value) = value {
            out.leaf(5, "SID_DATA", value);
        }
        out.close(4, "SI_DATA");
    }
    out.close(3, "STIG_INFO");
    for (index, vuln) in stig.vulns.iter().enumerate() {
        out.comments_at(3, &stig.xml_comments, index + 1);
        write_vuln(out, vuln);
    }
    out.comments_after(3, &stig.xml_comments, stig.vulns.len() + 1);
    out.close(2, "iSTIG");
}

/// One `VULN`: its STIG_DATA in model order, then the five review elements, always present.
fn write_vuln(out: &mut Out, vuln: &Vuln) {
    out.open(3, "VULN");
    let mut position = 0;
    for (name, value) in &vuln.stig_data {
        out.comments_at(4, &vuln.xml_comments, position);
        out.open(4, "STIG_DATA");
        out.leaf(5, "VULN_ATTRIBUTE", name);
        out.leaf(5, "ATTRIBUTE_DATA", value);
        out.close(4, "STIG_DATA");
        position += 1;
    }
    let review = [
        ("STATUS", vuln.status.ckl()),
        ("FINDING_DETAILS", vuln.finding_details.as_str()),
        ("COMMENTS", vuln.comments.as_str()),
        ("SEVERITY_OVERRIDE", vuln.severity_override.as_str()),
        (
            "SEVERITY_JUSTIFICATION",
            vuln.severity_justification.as_str(),
        ),
    ];
    for (name, value) in &review {
        out.comments_at(4, &vuln.xml_comments, position);
        out.leaf(4, name, value);
        position += 1;
    }
    out.comments_after(4, &vuln.xml_comments, position);
    out.close(3, "VULN");
}

/// Comment text without the characters XML 1.0 forbids (borrowed when already clean).
fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_xml_char) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| is_xml_char(c)).collect())
    }
}

/// Appends `text` with `&`, `<`, `>` escaped (and `"` when `in_attribute`) and the characters
/// XML 1.0 forbids dropped: the only escaping the CKL writer does. For text longer than 32
/// bytes, one vectorized pass tells whether anything must be dropped; when not (almost always),
/// memchr jumps from one markup character to the next. Otherwise the text is checked 32 bytes
/// at a time and only a block that holds something to change is walked byte by byte.
// Every cut is at a byte of `text` that starts a character (an ASCII `&`, `<`, `>`, `"`, or the
// first byte of a character walked whole), so on a boundary; this is the writer's hot loop.
#[allow(clippy::string_slice)]
pub fn push_escaped(out: &mut String, text: &str, in_attribute: bool) {
    const BLOCK: usize = 32;
    let bytes = text.as_bytes();
    // Longer text with nothing to drop: only `&`, `<`, `>` to replace, found with memchr. (A
    // short text is a single block below, where one test usually finds nothing to do.)
    let nothing_to_drop = || {
        !bytes
            .iter()
            .fold(false, |any, &b| any | may_need_dropping(b))
    };
    if bytes.len() > BLOCK && !in_attribute && nothing_to_drop() {
        let mut start = 0;
        for i in memchr::memchr3_iter(b'&', b'<', b'>', bytes) {
            out.push_str(&text[start..i]);
            out.push_str(match bytes[i] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                _ => "&gt;",
            });
            start = i + 1;
        }
        out.push_str(&text[start..]);
        return;
    }
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let block_end = (i + BLOCK).min(bytes.len());
        let special = bytes[i..block_end]
            .iter()
            .fold(false, |any, &b| any | may_need_escape(b, in_attribute));
        if !special {
            i = block_end;
            continue;
        }
        while i < block_end {
            let byte = bytes[i];
            if !may_need_escape(byte, in_attribute) {
                i += 1;
                continue;
            }
            let (replacement, width) = match byte {
                b'&' => ("&amp;", 1),
                b'<' => ("&lt;", 1),
                b'>' => ("&gt;", 1),
                b'"' => ("&quot;", 1),
                // U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML characters.
                0xEF if bytes.get(i + 1) == Some(&0xBF)
                    && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) =>
                {
                    ("", 3)
                }
                0xEF => {
                    i += 1;
                    continue;
                }
                _ => ("", 1),
            };
            out.push_str(&text[start..i]);
            out.push_str(replacement);
            i += width;
            start = i;
        }
    }
    out.push_str(&text[start..]);
}

/// True for the bytes [`push_escaped`] may change: markup characters, C0 controls other than
/// tab, LF and CR, and 0xEF (which starts U+FFFE and U+FFFF). Bitwise operators keep it free
/// of branches so that a block test vectorizes.
fn may_need_escape(byte: u8, in_attribute: bool) -> bool {
    (byte == b'&')
        | (byte == b'<')
        | (byte == b'>')
        | (in_attribute & (byte == b'"'))
        | may_need_dropping(byte)
}

/// True for C0 controls other than tab, LF and CR, and for 0xEF (which starts U+FFFE and
/// U+FFFF): the bytes of characters XML 1.0 forbids. Branch-free, like [`may_need_escape`].
fn may_need_dropping(byte: u8) -> bool {
    (byte == 0xEF) | ((byte < 0x20) & (byte != b'\t') & (byte != b'\n') & (byte != b'\r'))
}

/// The output buffer with STIG Viewer's indentation (tabs) and line ends (LF).
struct Out {
    buf: String,
}

impl Out {
    fn with_capacity(capacity: usize) -> Out {
        Out {
            buf: String::with_capacity(capacity),
        }
    }

    fn raw(&mut self, text: &str) {
        self.buf.push_str(text);
    }

    fn indent(&mut self, depth: usize) {
        const TABS: &str = "\t\t\t\t\t\t\t\t";
        self.buf
            .push_str(TABS.get(..depth.min(TABS.len())).unwrap_or(TABS));
    }

    fn open(&mut self, depth: usize, name: &str) {
        self.indent(depth);
        self.buf.push('<');
        self.buf.push_str(name);
        self.buf.push_str(">\n");
    }

    fn close(&mut self, depth: usize, name: &str) {
        self.indent(depth);
        self.buf.push_str("</");
        self.buf.push_str(name);
        self.buf.push_str(">\n");
    }

    /// `<name>text</name>` on one line, `<name></name>` when empty.
    fn leaf(&mut self, depth: usize, name: &str, text: &str) {
        self.indent(depth);
        self.buf.push('<');
        self.buf.push_str(name);
        self.buf.push('>');
        push_escaped(&mut self.buf, text, false);
        self.buf.push_str("</");
        self.buf.push_str(name);
        self.buf.push_str(">\n");
    }

    /// `<!--text-->` on its own line.
    fn comment(&mut self, depth: usize, text: &str) {
        self.indent(depth);
        self.comment_markup(text);
        self.buf.push('\n');
    }

    /// `<!--text-->`; a `--` or a final `-` (which XML forbids in comments) gets a space.
    fn comment_markup(&mut self, text: &str) {
        self.buf.push_str("<!--");
        let text = clean(text);
        if text.contains("--") || text.ends_with('-') {
            let mut safe = text.replace("--", "- -").replace("--", "- -");
            if safe.ends_with('-') {
                safe.push(' ');
            }
            self.buf.push_str(&safe);
        } else {
            self.buf.push_str(&text);
        }
        self.buf.push_str("-->");
    }

    /// The comments whose position is exactly `position`.
    fn comments_at(&mut self, depth: usize, comments: &[XmlComment], position: usize) {
        for c in comments.iter().filter(|c| c.position == position) {
            self.comment(depth, &c.text);
        }
    }

    /// The comments at `position` or beyond (after the last child element).
    fn comments_after(&mut self, depth: usize, comments: &[XmlComment], position: usize) {
        for c in comments.iter().filter(|c| c.position >= position) {
            self.comment(depth, &c.text);
        }
    }
}

/// Reads and decodes the CKL file at `path` (UTF-8 with or without BOM, UTF-16 with BOM), then
/// [`read`]s it.
pub fn read_file(path: &Path) -> Result<Checklist> {
    read(path, &crate::fsio::read_text(path)?)
}

/// Reads a CKL. `path` names the file in errors; `text` is its decoded content (a leading BOM
/// is ignored). Broken files give [`Error::Input`] with the line and column.
pub fn read(path: &Path, text: &str) -> Result<Checklist> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut parser = Parser::new(path, text);
    let mut checklist = Checklist::default();
    let mut header = Vec::new();
    loop {
        match parser.next()? {
            Token::Comment(comment) => header.push(comment.into_owned()),
            Token::Start("CHECKLIST") => break,
            Token::Start(name) => {
                return Err(parser.error(format!(
                    "no CHECKLIST element: the root element is <{name}>, so this is not a STIG Viewer checklist (CKL)"
                )));
            }
            Token::Text(text) if is_whitespace(&text) => {}
            Token::Text(_) => {
                return Err(
                    parser.error("no CHECKLIST element: the file starts with text, not XML markup")
                );
            }
            Token::End => return Err(parser.error("unexpected closing tag")),
            Token::Eof => {
                return Err(parser.error("no CHECKLIST element: the file has no root element"));
            }
        }
    }
    checklist.header_comments = Some(header);
    read_checklist(&mut parser, &mut checklist)?;
    loop {
        match parser.next()? {
            Token::Comment(comment) => checklist.trailing_comments.push(comment.into_owned()),
            Token::Text(text) if is_whitespace(&text) => {}
            Token::Eof => break,
            _ => return Err(parser.error("content after the closing </CHECKLIST>")),
        }
    }
    Ok(checklist)
}

fn read_checklist(parser: &mut Parser, checklist: &mut Checklist) -> Result<()> {
    let (mut asset, mut stigs) = (false, false);
    let mut children = 0;
    while let Some(child) = parser.child("CHECKLIST", children, &mut checklist.xml_comments)? {
        match child {
            "ASSET" if !asset => {
                asset = true;
                read_asset(parser, checklist)?;
            }
            "STIGS" if !stigs => {
                stigs = true;
                read_stigs(parser, checklist)?;
            }
            _ => {
                return Err(parser.error(format!(
                    "unexpected <{child}> in <CHECKLIST>, which holds one ASSET and one STIGS"
                )));
            }
        }
        children += 1;
    }
    if !asset {
        return Err(parser.error("no ASSET element in CHECKLIST"));
    }
    if !stigs {
        return Err(parser.error("no STIGS element in CHECKLIST"));
    }
    Ok(())
}

fn read_asset(parser: &mut Parser, checklist: &mut Checklist) -> Result<()> {
    let asset = &mut checklist.asset;
    *asset = Asset {
        role: String::new(),
        asset_type: String::new(),
        marking: String::new(),
        tech_area: String::new(),
        ..Asset::default()
    };
    while let Some(name) = parser.child("ASSET", 0, &mut NoComments)? {
        let value = parser.leaf_text(name)?.into_owned();
        let name = name.to_string();
        let field = match name.as_str() {
            "ROLE" => &mut asset.role,
            "ASSET_TYPE" => &mut asset.asset_type,
            "MARKING" => &mut asset.marking,
            "HOST_NAME" => &mut asset.host_name,
            "HOST_IP" => &mut asset.host_ip,
            "HOST_MAC" => &mut asset.host_mac,
            "HOST_FQDN" => &mut asset.host_fqdn,
            "TARGET_COMMENT" => &mut asset.target_comment,
            "TECH_AREA" => &mut asset.tech_area,
            "TARGET_KEY" => &mut asset.target_key,
            "WEB_DB_SITE" => &mut asset.web_db_site,
            "WEB_DB_INSTANCE" => &mut asset.web_db_instance,
            "WEB_OR_DATABASE" => {
                asset.web_or_database = parse_bool(&value) == Some(true);
                checklist.asset_layout.push((name, value));
                continue;
            }
            _ => {
                checklist.asset_layout.push((name, value));
                continue;
            }
        };
        field.clone_from(&value);
        checklist.asset_layout.push((name, value));
    }
    Ok(())
}

fn read_stigs(parser: &mut Parser, checklist: &mut Checklist) -> Result<()> {
    while let Some(name) = parser.child("STIGS", 0, &mut NoComments)? {
        if name != "iSTIG" {
            return Err(parser.unexpected(name, "STIGS"));
        }
        checklist.stigs.push(read_istig(parser)?);
    }
    if checklist.stigs.is_empty() {
        return Err(parser.error("STIGS holds no iSTIG: the checklist has no STIG"));
    }
    Ok(())
}

fn read_istig(parser: &mut Parser) -> Result<ChecklistStig> {
    let mut stig = ChecklistStig::default();
    let mut info = false;
    let mut children = 0;
    while let Some(name) = parser.child("iSTIG", children, &mut stig.xml_comments)? {
        match name {
            "STIG_INFO" if !info && stig.vulns.is_empty() => {
                info = true;
                read_stig_info(parser, &mut stig)?;
            }
            "VULN" if info => stig.vulns.push(read_vuln(parser)?),
            _ => return Err(parser.unexpected(name, "iSTIG")),
        }
        children += 1;
    }
    if !info {
        return Err(parser.error("iSTIG without STIG_INFO"));
    }
    Ok(stig)
}

fn read_stig_info(parser: &mut Parser, stig: &mut ChecklistStig) -> Result<()> {
    while let Some(name) = parser.child("STIG_INFO", 0, &mut NoComments)? {
        if name != "SI_DATA" {
            return Err(parser.unexpected(name, "STIG_INFO"));
        }
        let (sid_name, sid_data) = read_pair(parser, "SI_DATA", "SID_NAME", "SID_DATA")?;
        stig.info
            .push((sid_name.into_owned(), sid_data.map(Cow::into_owned)));
    }
    Ok(())
}

/// The review elements that close a VULN, in XSD order.
const REVIEW_ELEMENTS: [&str; 5] = [
    "STATUS",
    "FINDING_DETAILS",
    "COMMENTS",
    "SEVERITY_OVERRIDE",
    "SEVERITY_JUSTIFICATION",
];

fn read_vuln(parser: &mut Parser) -> Result<Vuln> {
    let mut vuln = Vuln {
        stig_data: Vec::with_capacity(super::VULN_ATTRIBUTES.len() + 4),
        ..Vuln::default()
    };
    let mut children = 0;
    let mut next_review = 0;
    let mut status = None;
    while let Some(name) = parser.child("VULN", children, &mut vuln.xml_comments)? {
        children += 1;
        if name == "STIG_DATA" && next_review == 0 {
            let position = vuln.stig_data.len();
            vuln.stig_data.push(read_stig_data(parser, position)?);
            continue;
        }
        let Some(index) = REVIEW_ELEMENTS.iter().position(|n| *n == name) else {
            return Err(parser.unexpected(name, "VULN"));
        };
        if index < next_review {
            return Err(parser.unexpected(name, "VULN"));
        }
        next_review = index + 1;
        let at = parser.position();
        let value = parser.leaf_text(name)?;
        match index {
            0 => {
                status = Some(Status::parse(&value).ok_or_else(|| {
                    parser.error_at(
                        at,
                        format!(
                            "STATUS '{value}' is not one of NotAFinding, Open, Not_Applicable, Not_Reviewed"
                        ),
                    )
                })?);
            }
            1 => vuln.finding_details = value.into_owned(),
            2 => vuln.comments = value.into_owned(),
            3 => vuln.severity_override = value.into_owned(),
            _ => vuln.severity_justification = value.into_owned(),
        }
    }
    match status {
        Some(status) => vuln.status = status,
        None => {
            let rule = vuln.rule_id().to_string();
            return Err(parser.error(format!("VULN {rule} has no STATUS element")));
        }
    }
    Ok(vuln)
}

fn read_stig_data(parser: &mut Parser, position: usize) -> Result<(AttributeName, String)> {
    let (attribute, data) = read_pair(parser, "STIG_DATA", "VULN_ATTRIBUTE", "ATTRIBUTE_DATA")?;
    Ok((
        attribute_name(&attribute, position),
        data.map(Cow::into_owned).unwrap_or_default(),
    ))
}

/// The children of a name/value element (`SI_DATA`, `STIG_DATA`): `name_tag` once, then
/// `value_tag` at most once; anything else, or a missing name, is an error.
fn read_pair<'a>(
    parser: &mut Parser<'a>,
    parent: &str,
    name_tag: &str,
    value_tag: &str,
) -> Result<(Cow<'a, str>, Option<Cow<'a, str>>)> {
    let (mut name, mut value) = (None, None);
    while let Some(child) = parser.child(parent, 0, &mut NoComments)? {
        let text = parser.leaf_text(child)?;
        let (expected, slot) = match name {
            None => (name_tag, &mut name),
            Some(_) if value.is_none() => (value_tag, &mut value),
            Some(_) => return Err(parser.unexpected(child, parent)),
        };
        if !lexer::same_name(child.as_bytes(), expected.as_bytes()) {
            return Err(parser.unexpected(child, parent));
        }
        *slot = Some(text);
    }
    match name {
        Some(name) => Ok((name, value)),
        None => Err(parser.error(format!("{parent} without {name_tag}"))),
    }
}

/// Where comments of a container go; containers that cannot keep comments refuse them.
trait CommentSink {
    /// Keeps `text` found after `position` child elements; false when comments are not kept here.
    fn keep(&mut self, position: usize, text: String) -> bool;
}

impl CommentSink for Vec<XmlComment> {
    fn keep(&mut self, position: usize, text: String) -> bool {
        self.push(XmlComment { position, text });
        true
    }
}

/// The sink of containers whose comments the model cannot place (ASSET, STIGS, STIG_INFO ...).
struct NoComments;

impl CommentSink for NoComments {
    fn keep(&mut self, _: usize, _: String) -> bool {
        false
    }
}

/// A pull parser over the [`Lexer`]'s tokens, with the file's path and text for errors.
struct Parser<'a> {
    lexer: Lexer<'a>,
    path: &'a Path,
    text: &'a str,
}

impl<'a> Parser<'a> {
    fn new(path: &'a Path, text: &'a str) -> Parser<'a> {
        Parser {
            lexer: Lexer::new(text),
            path,
            text,
        }
    }

    /// The byte offset of the parser.
    fn position(&self) -> usize {
        self.lexer.position()
    }

    fn error_at(&self, offset: usize, message: impl Into<String>) -> Error {
        Error::input_at(self.path, Position::of_offset(self.text, offset), message)
    }

    fn error(&self, message: impl Into<String>) -> Error {
        self.error_at(self.position(), message)
    }

    fn unexpected(&self, name: &str, parent: &str) -> Error {
        self.error(format!(
            "unexpected <{name}> in <{parent}> (not allowed there by the CKL schema)"
        ))
    }

    /// The next token.
    fn next(&mut self) -> Result<Token<'a>> {
        self.lexer
            .next_token()
            .map_err(|e| self.error_at(e.offset, e.message))
    }

    /// The next child element of `parent` (its name), or `None` at `</parent>`. Whitespace
    /// between elements is skipped; comments go to `comments` at `position`.
    fn child(
        &mut self,
        parent: &str,
        position: usize,
        comments: &mut dyn CommentSink,
    ) -> Result<Option<&'a str>> {
        loop {
            let at = self.position();
            match self.next()? {
                Token::Start(name) => return Ok(Some(name)),
                Token::End => return Ok(None),
                Token::Text(text) if is_whitespace(&text) => {}
                Token::Text(_) => {
                    return Err(self.error_at(at, format!("unexpected text in <{parent}>")));
                }
                Token::Comment(text) => {
                    if !comments.keep(position, text.into_owned()) {
                        return Err(self.error_at(
                            at,
                            format!(
                                "an XML comment inside <{parent}>, where exstig cannot keep it"
                            ),
                        ));
                    }
                }
                Token::Eof => {
                    return Err(self.error(format!("the file ends inside <{parent}> (truncated?)")));
                }
            }
        }
    }

    /// The text of the element `name` just opened, up to its end tag (borrowed from the input
    /// when it is one piece that needed no decoding).
    fn leaf_text(&mut self, name: &str) -> Result<Cow<'a, str>> {
        let mut value = Cow::Borrowed("");
        loop {
            let at = self.position();
            match self.next()? {
                Token::Text(text) if value.is_empty() => value = text,
                Token::Text(text) => value.to_mut().push_str(&text),
                Token::End => return Ok(value),
                Token::Start(child) => {
                    return Err(self.error_at(
                        at,
                        format!("unexpected <{child}> inside <{name}>, which holds text only"),
                    ));
                }
                Token::Comment(_) => {
                    return Err(self.error_at(
                        at,
                        format!("an XML comment inside <{name}>, where exstig cannot keep it"),
                    ));
                }
                Token::Eof => {
                    return Err(self.error(format!("the file ends inside <{name}> (truncated?)")));
                }
            }
        }
    }
}

/// True when `text` is only XML whitespace (space, tab, LF, CR).
fn is_whitespace(text: &str) -> bool {
    text.bytes().all(lexer::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str, in_attribute: bool) -> String {
        let mut out = String::new();
        push_escaped(&mut out, text, in_attribute);
        out
    }

    #[test]
    fn escapes_markup_and_drops_only_forbidden_characters() {
        assert_eq!(
            escaped("a<b>&c \"q\" 'a'", false),
            "a&lt;b&gt;&amp;c \"q\" 'a'"
        );
        assert_eq!(escaped("\"", true), "&quot;");
        let kept = "tab\tlf\ncr\r é \u{FFFD} \u{E000} \u{10FFFF} 😀 \u{D7FF}";
        assert_eq!(escaped(kept, false), kept);
        assert_eq!(
            escaped("x\u{0}\u{1}\u{8}\u{B}\u{C}\u{1F}y\u{FFFE}\u{FFFF}z", false),
            "xyz"
        );
        // Every path of push_escaped (short and long text, with and without characters to
        // drop, in and out of attributes) against a plain character-by-character version.
        let reference = |text: &str, in_attribute: bool| -> String {
            text.chars()
                .filter(|&c| is_xml_char(c))
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' if in_attribute => "&quot;".to_string(),
                    c => c.to_string(),
                })
                .collect()
        };
        let all_chars: String = (0..0x11000u32).filter_map(char::from_u32).collect();
        let markup =
            "Get-ReceiveConnector | ? {$_.Bindings -like \"*:25\"} > x.txt & more <b>é".repeat(5);
        let ef_sequences = "\u{F000}\u{FFFD}\u{FFFE}ab\u{FFFF}".repeat(10);
        let markup_head = markup.get(..20).unwrap_or(&markup);
        for text in [all_chars.as_str(), &markup, markup_head, &ef_sequences] {
            for in_attribute in [false, true] {
                assert_eq!(
                    escaped(text, in_attribute),
                    reference(text, in_attribute),
                    "{in_attribute}: {:?}",
                    text.get(..text.floor_char_boundary(40)).unwrap_or(text)
                );
            }
        }
    }

    #[test]
    fn comments_at_every_level_keep_their_places() {
        let comment = |position: usize, text: &str| XmlComment {
            position,
            text: text.into(),
        };
        let vuln = Vuln {
            stig_data: vec![("Rule_ID".into(), "SV-1r1_rule".into())],
            xml_comments: vec![comment(0, "v0"), comment(1, "v1"), comment(6, "v-end")],
            ..Vuln::default()
        };
        let checklist = Checklist {
            asset: Asset {
                host_name: "H".into(),
                ..Asset::default()
            },
            stigs: vec![ChecklistStig {
                info: vec![("stigid".into(), Some("X".into()))],
                vulns: vec![vuln.clone(), vuln],
                xml_comments: vec![comment(0, "s0"), comment(2, "s2"), comment(3, "s-end")],
            }],
            header_comments: Some(vec!["h1".into(), "h2".into()]),
            xml_comments: vec![comment(0, "c0"), comment(1, "c1"), comment(2, "c-end")],
            trailing_comments: vec!["t1".into()],
            ..Checklist::default()
        };
        let written = write(&checklist);
        assert!(written.ends_with("</CHECKLIST>\n<!--t1-->"), "{written}");
        let mut back = read(Path::new("c.ckl"), &written).expect("reads");
        assert!(!back.asset_layout.is_empty());
        back.asset_layout.clear();
        assert_eq!(back, checklist);
    }

    #[test]
    fn a_new_checklist_always_has_schema_valid_asset_enumerations() {
        let mut checklist = Checklist::default();
        checklist.asset.tech_area = "exchange SERVER".into();
        assert!(write(&checklist).contains("<TECH_AREA>Exchange Server</TECH_AREA>"));
        for (role, asset_type, expected) in [
            (
                "",
                "",
                "<ROLE>None</ROLE>\n\t\t<ASSET_TYPE>Computing</ASSET_TYPE>",
            ),
            (
                "domain controller",
                "non-computing",
                "<ROLE>Domain Controller</ROLE>\n\t\t<ASSET_TYPE>Non-Computing</ASSET_TYPE>",
            ),
            (
                "Mailbox",
                "Server",
                "<ROLE>None</ROLE>\n\t\t<ASSET_TYPE>Computing</ASSET_TYPE>",
            ),
        ] {
            checklist.asset.role = role.into();
            checklist.asset.asset_type = asset_type.into();
            checklist.asset.tech_area = role.into();
            let written = write(&checklist);
            assert!(written.contains(expected), "{role}/{asset_type}");
            assert!(written.contains("<TECH_AREA></TECH_AREA>"), "{role}");
        }
    }

    #[test]
    fn comments_never_contain_a_double_hyphen() {
        let mut out = Out::with_capacity(64);
        out.comment(0, "a--b---c-");
        assert_eq!(out.buf, "<!--a- -b- - -c- -->\n");
    }
}
