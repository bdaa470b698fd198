//! The CKL lexer against two independent XML parsers.
//!
//! - Every CKL we have (fixtures, DISA and STIG Manager samples) tokenizes exactly as quick-xml
//!   tokenizes it.
//! - Thousands of mutated checklists: whatever the lexer accepts, quick-xml accepts with the
//!   same tokens; whatever it calls not well-formed, xmllint refuses too. So the lexer is never
//!   more lenient than quick-xml, and never stricter than the XML specification.

mod common;

use exstig::checklist::ckl::lexer::{Lexer, Token};
use proptest::prelude::*;
use proptest::sample::select;
use quick_xml::events::Event;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Tokens with adjacent text joined, as comparable strings; `Err` when the lexer refuses.
fn lexer_tokens(text: &str) -> Result<Vec<String>, String> {
    let mut lexer = Lexer::new(text);
    let mut out = Vec::new();
    loop {
        match lexer.next_token().map_err(|e| e.message)? {
            Token::Eof => return Ok(out),
            Token::Start(name) => out.push(format!("<{name}>")),
            Token::End => out.push("</>".into()),
            Token::Comment(c) => out.push(format!("<!--{c}-->")),
            Token::Text(t) => push_text(&mut out, &t),
        }
    }
}

/// The same token strings from quick-xml, configured as a strict reader would be.
fn quick_xml_tokens(text: &str) -> Result<Vec<String>, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let config = reader.config_mut();
    config.expand_empty_elements = true;
    config.check_end_names = true;
    config.trim_text(false);
    let mut out = Vec::new();
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Eof => return Ok(out),
            Event::Start(s) => {
                for attribute in s.attributes() {
                    let attribute = attribute.map_err(|e| e.to_string())?;
                    attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| e.to_string())?;
                }
                out.push(format!("<{}>", s.name().as_ref()));
            }
            Event::Empty(_) => unreachable!("empty elements are expanded"),
            Event::End(_) => out.push("</>".into()),
            Event::Comment(c) => out.push(format!("<!--{}-->", c.xml10_content())),
            Event::Text(t) => push_text(&mut out, &t.xml10_content()),
            Event::CData(c) => push_text(&mut out, &c.xml10_content()),
            Event::GeneralRef(r) => {
                let c = exstig::xml::resolve_entity(&r)?;
                push_text(&mut out, &c.to_string());
            }
            Event::Decl(_) => {}
            Event::PI(_) => return Err("processing instruction".into()),
            Event::DocType(_) => return Err("DOCTYPE".into()),
        }
    }
}

fn push_text(out: &mut Vec<String>, text: &str) {
    match out.last_mut() {
        Some(last) if last.starts_with('"') => last.insert_str(last.len() - 1, text),
        _ => out.push(format!("\"{text}\"")),
    }
}

/// Every checklist file we have: our fixtures and, when present, ../shared's samples.
fn checklist_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("fixtures/ckl"), root.join("fixtures/merge")];
    if let Some(shared) = common::shared("lexer vs quick-xml on the samples") {
        dirs.push(shared.join("samples"));
        dirs.push(shared.join("samples/stig-manager-test-files/ckl"));
    }
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(d).expect("dir"))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ckl"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_checklist_tokenizes_as_quick_xml_tokenizes_it() {
    let mut compared = 0;
    for path in checklist_files() {
        let Ok(text) = exstig::fsio::read_text(&path) else {
            continue;
        };
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
        let ours = lexer_tokens(text);
        let theirs = quick_xml_tokens(text);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => assert!(a == b, "{} tokenizes differently", path.display()),
            (Err(_), Err(_)) => {}
            _ => panic!(
                "{}: lexer {:?} but quick-xml {:?}",
                path.display(),
                ours.err(),
                theirs.err()
            ),
        }
        compared += 1;
    }
    assert!(compared >= 3, "only {compared} checklists compared");
}

/// A small checklist with every construct the lexer handles.
const SEED: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<!--DISA STIG Viewer :: 2.18-->\n<CHECKLIST>\n\t<ASSET a=\"1\" b='x&amp;y'>\n\t\t<ROLE>None</ROLE>\n\t\t<HOST_NAME/>\n\t</ASSET>\n\t<STIGS>\n\t\t<iSTIG>\n\t\t\t<!-- note -->\n\t\t\t<VULN>\n\t\t\t\t<STIG_DATA>\n\t\t\t\t\t<VULN_ATTRIBUTE>Rule_Title</VULN_ATTRIBUTE>\n\t\t\t\t\t<ATTRIBUTE_DATA>A &lt;b&gt; &#x2014; &#169; é\r\nline</ATTRIBUTE_DATA>\n\t\t\t\t</STIG_DATA>\n\t\t\t\t<FINDING_DETAILS><![CDATA[x < y & z]]>after</FINDING_DETAILS>\n\t\t\t</VULN>\n\t\t</iSTIG>\n\t</STIGS>\n</CHECKLIST>\n<!--end-->";

/// Pieces that make or break XML when dropped anywhere.
const PIECES: [&str; 24] = [
    "<",
    ">",
    "/",
    "&",
    ";",
    "\"",
    "'",
    "=",
    "!",
    "?",
    "-",
    "--",
    "]]>",
    "<![CDATA[",
    "<!--",
    "-->",
    "&amp;",
    "&#",
    "x",
    " ",
    "\r",
    "</A>",
    "<A>",
    "é",
];

/// One edit of a document: insert a piece, delete a span, or repeat a span.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, &'static str),
    Delete(usize, usize),
    Repeat(usize, usize),
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut text = text.to_string();
    let boundary = |text: &str, at: usize| {
        let mut at = at % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    for edit in edits {
        match *edit {
            Edit::Insert(at, piece) => {
                let at = boundary(&text, at);
                text.insert_str(at, piece);
            }
            Edit::Delete(at, length) | Edit::Repeat(at, length) => {
                let start = boundary(&text, at);
                let end = boundary(&text, (start + length).min(text.len()));
                if matches!(edit, Edit::Delete(..)) {
                    text.replace_range(start..end, "");
                } else {
                    let span = text[start..end].to_string();
                    text.insert_str(end, &span);
                }
            }
        }
    }
    text
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..2000usize, select(&PIECES[..])).prop_map(|(at, p)| Edit::Insert(at, p)),
        (0..2000usize, 1..12usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        (0..2000usize, 1..40usize).prop_map(|(at, n)| Edit::Repeat(at, n)),
    ]
}

/// True when xmllint calls `text` well-formed.
fn xmllint_accepts(text: &str) -> bool {
    let mut child = Command::new("xmllint")
        .args(["--noout", "--nonet", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run xmllint");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("feed xmllint");
    child.wait().expect("xmllint ends").success()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn mutated_checklists_agree_with_quick_xml_and_xmllint(
        edits in proptest::collection::vec(edit(), 1..4)
    ) {
        let text = apply(SEED, &edits);
        match lexer_tokens(&text) {
            Ok(ours) => {
                let theirs = quick_xml_tokens(&text);
                prop_assert_eq!(Ok(ours), theirs, "{:?}", text);
            }
            Err(message) if message.starts_with("not well-formed") => {
                if common::have_tool("xmllint") {
                    prop_assert!(!xmllint_accepts(&text), "xmllint accepts {:?}; lexer: {}", text, message);
                }
            }
            Err(_) => {}
        }
    }
}
