//! The XML tokenizer of the CKL reader: just the XML a checklist uses, at the speed of a byte
//! search.
//!
//! A CKL is tens of thousands of small elements around mostly plain text, so the reader's time
//! goes into tokenizing. This lexer finds markup with `memchr` and 8-byte-word scans (no branch
//! per byte for the short runs between elements), hands out element names and text
//! as slices of the input (allocating only where a reference or a CR must be replaced), and
//! checks what makes a document well-formed: names, matching end tags, quoted attribute values,
//! terminated comments, CDATA and references. References resolve through
//! [`crate::xml::resolve_entity`], so only XML's five entities and character references exist;
//! a DOCTYPE or a processing instruction is refused before anything in it is read. Line ends are
//! normalized as XML 1.0 says (CR LF and lone CR become LF). Attributes are checked and skipped:
//! no CKL element has any.

use std::borrow::Cow;
use std::collections::HashSet;

/// One token of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token<'a> {
    /// A start tag, or an empty-element tag (which is followed by an [`Token::End`]).
    Start(&'a str),
    /// The end tag of the innermost open element.
    End,
    /// Character data or a CDATA section, references resolved and line ends normalized.
    Text(Cow<'a, str>),
    /// The text of a comment, line ends normalized.
    Comment(Cow<'a, str>),
    /// The end of the input (open elements are for the caller to report).
    Eof,
}

/// Why the input is not well-formed: the byte offset and a message for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    /// Byte offset in the input where the problem starts.
    pub offset: usize,
    /// What is wrong, in words.
    pub message: String,
}

/// The tokenizer: a position in the input and the names of the open elements.
pub struct Lexer<'a> {
    text: &'a str,
    position: usize,
    open: Vec<&'a str>,
    /// Set after an empty-element tag: the next token is its end.
    close_empty: bool,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `text`.
    pub fn new(text: &'a str) -> Lexer<'a> {
        Lexer {
            text,
            position: 0,
            open: Vec::with_capacity(8),
            close_empty: false,
        }
    }

    /// The byte offset of the next token.
    pub fn position(&self) -> usize {
        self.position
    }

    /// The next token, or why the input is not well-formed there.
    pub fn next_token(&mut self) -> Result<Token<'a>, LexError> {
        if self.close_empty {
            self.close_empty = false;
            self.open.pop();
            return Ok(Token::End);
        }
        let bytes = self.text.as_bytes();
        let start = self.position;
        if start >= bytes.len() {
            return Ok(Token::Eof);
        }
        if bytes[start] != b'<' {
            let (end, plain) = text_end(bytes, start);
            self.position = end;
            if plain {
                return Ok(Token::Text(Cow::Borrowed(&self.text[start..end])));
            }
            return self.character_data(start, end).map(Token::Text);
        }
        match bytes.get(start + 1) {
            Some(b'/') => self.end_tag(start),
            Some(b'!') => self.declaration(start),
            Some(b'?') => self.processing_instruction(start),
            _ => self.start_tag(start),
        }
    }

    /// A refusal at `offset`, in `message`'s words.
    fn error<T>(&self, offset: usize, message: impl Into<String>) -> Result<T, LexError> {
        Err(LexError {
            offset,
            message: message.into(),
        })
    }

    /// A well-formedness error at `offset`.
    fn malformed<T>(&self, offset: usize, message: &str) -> Result<T, LexError> {
        self.error(offset, format!("not well-formed XML: {message}"))
    }

    /// `<name attributes>` or `<name attributes/>` starting at `start`.
    fn start_tag(&mut self, start: usize) -> Result<Token<'a>, LexError> {
        let bytes = self.text.as_bytes();
        // The common case, `<name>`: the `>` found a word at a time, the name checked whole.
        let window = bytes.len().min(start + 48);
        if let Some(close) = find_in_words(bytes, start + 1, window, [b'>']) {
            let name = &bytes[start + 1..close];
            let all_name_bytes = name.iter().fold(true, |ok, &b| ok & is_name_byte(b));
            if all_name_bytes && starts_name(name.first()) {
                let name = &self.text[start + 1..close];
                self.position = close + 1;
                self.open.push(name);
                return Ok(Token::Start(name));
            }
        }
        let name_end = name_end(bytes, start + 1);
        let name = &self.text[start + 1..name_end];
        if !starts_name(bytes.get(start + 1)) {
            return self.malformed(start, &format!("'<{name}' does not start an element"));
        }
        let mut at = name_end;
        let mut empty = false;
        // A set (allocated only if there are attributes): a tag with very many attributes must
        // not cost quadratic time.
        let mut attributes: HashSet<&str> = HashSet::new();
        loop {
            at = skip_whitespace(bytes, at);
            match bytes.get(at) {
                Some(b'>') => break,
                Some(b'/') if bytes.get(at + 1) == Some(&b'>') => {
                    empty = true;
                    at += 1;
                    break;
                }
                Some(_) if at > name_end && is_whitespace(bytes[at - 1]) => {
                    let (attribute, next) = self.attribute(at, name)?;
                    if !attributes.insert(attribute) {
                        return self.malformed(
                            at,
                            &format!("attribute {attribute} appears twice in <{name}>"),
                        );
                    }
                    at = next;
                }
                Some(_) => {
                    return self
                        .malformed(at, &format!("unexpected character in the tag <{name}>"));
                }
                None => return self.malformed(start, &format!("the tag <{name} is not closed")),
            }
        }
        self.position = at + 1;
        self.open.push(name);
        self.close_empty = empty;
        Ok(Token::Start(name))
    }

    /// Checks `name = "value"` at `at` in the tag of `element`; returns the name and the offset
    /// after the value.
    fn attribute(&self, at: usize, element: &str) -> Result<(&'a str, usize), LexError> {
        let bytes = self.text.as_bytes();
        let name_end = name_end(bytes, at);
        let name = &self.text[at..name_end];
        if !starts_name(bytes.get(at)) {
            return self.malformed(at, &format!("a malformed attribute in the tag <{element}>"));
        }
        let equals = skip_whitespace(bytes, name_end);
        if bytes.get(equals) != Some(&b'=') {
            return self.malformed(at, &format!("attribute {name} of <{element}> has no value"));
        }
        let quote_at = skip_whitespace(bytes, equals + 1);
        let quote = match bytes.get(quote_at) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => {
                return self.malformed(
                    quote_at,
                    &format!("the value of attribute {name} of <{element}> is not quoted"),
                );
            }
        };
        let value_start = quote_at + 1;
        let Some(length) = memchr::memchr(quote, &bytes[value_start..]) else {
            return self.malformed(
                quote_at,
                &format!("the value of attribute {name} of <{element}> is not closed"),
            );
        };
        let value = &self.text[value_start..value_start + length];
        if let Some(i) = value.find('<') {
            return self.malformed(value_start + i, "'<' inside an attribute value");
        }
        self.references(value_start, value_start + length)?;
        Ok((name, value_start + length + 1))
    }

    /// `</name>` starting at `start`: must close the innermost open element.
    fn end_tag(&mut self, start: usize) -> Result<Token<'a>, LexError> {
        let bytes = self.text.as_bytes();
        // The common case, `</name>` right after the name of the innermost open element.
        if let Some(open) = self.open.last() {
            let after = start + 2 + open.len();
            let name = bytes.get(start + 2..after);
            if name.is_some_and(|name| same_name(name, open.as_bytes()))
                && bytes.get(after) == Some(&b'>')
            {
                self.open.pop();
                self.position = after + 1;
                return Ok(Token::End);
            }
        }
        let name_end = name_end(bytes, start + 2);
        let name = &self.text[start + 2..name_end];
        let close = skip_whitespace(bytes, name_end);
        match self.open.pop() {
            Some(open) if open == name && bytes.get(close) == Some(&b'>') => {
                self.position = close + 1;
                Ok(Token::End)
            }
            _ if bytes.get(close) != Some(&b'>') || !starts_name(bytes.get(start + 2)) => {
                self.malformed(start, &format!("a malformed end tag '</{name}'"))
            }
            Some(open) => self.malformed(
                start,
                &format!("expected </{open}>, but </{name}> was found"),
            ),
            None => self.malformed(start, &format!("</{name}> closes no open element")),
        }
    }

    /// `<!--comment-->`, `<![CDATA[text]]>`, or a refused `<!DOCTYPE`.
    fn declaration(&mut self, start: usize) -> Result<Token<'a>, LexError> {
        let rest = &self.text[start..];
        if rest.starts_with("<!--") {
            let body = start + 4;
            let Some(length) = memchr::memmem::find(&self.text.as_bytes()[body..], b"-->") else {
                return self.malformed(start, "a comment that is never closed (no '-->')");
            };
            self.position = body + length + 3;
            return Ok(Token::Comment(normalize_line_ends(
                &self.text[body..body + length],
            )));
        }
        if rest.starts_with("<![CDATA[") {
            let body = start + 9;
            let Some(length) = memchr::memmem::find(&self.text.as_bytes()[body..], b"]]>") else {
                return self.malformed(start, "a CDATA section that is never closed (no ']]>')");
            };
            if self.open.is_empty() {
                return self.malformed(start, "a CDATA section outside the root element");
            }
            self.position = body + length + 3;
            return Ok(Token::Text(normalize_line_ends(
                &self.text[body..body + length],
            )));
        }
        if rest.starts_with("<!DOCTYPE") {
            return self.error(
                start,
                "a DOCTYPE declaration: CKL files have none, and exstig never expands DTD entities",
            );
        }
        self.malformed(start, "'<!' that starts no comment or CDATA section")
    }

    /// `<?xml ...?>` (skipped) or any other processing instruction (refused).
    fn processing_instruction(&mut self, start: usize) -> Result<Token<'a>, LexError> {
        let bytes = self.text.as_bytes();
        let declaration = bytes[start..].starts_with(b"<?xml")
            && bytes.get(start + 5).is_some_and(|&b| is_whitespace(b));
        if !declaration {
            return self.error(start, "a processing instruction: CKL files have none");
        }
        let Some(length) = memchr::memmem::find(&bytes[start..], b"?>") else {
            return self.malformed(start, "an XML declaration that is never closed (no '?>')");
        };
        self.position = start + length + 2;
        self.next_token()
    }

    /// The text between `start` and `end` with references resolved and line ends normalized.
    fn character_data(&self, start: usize, end: usize) -> Result<Cow<'a, str>, LexError> {
        if let Some(indentation) = crlf_indentation(&self.text[start..end]) {
            return Ok(Cow::Borrowed(indentation));
        }
        let mut out = String::with_capacity(end - start);
        let mut rest = start;
        while let Some(i) = memchr::memchr2(b'&', b'\r', &self.text.as_bytes()[rest..end]) {
            let at = rest + i;
            out.push_str(&self.text[rest..at]);
            if self.text.as_bytes()[at] == b'\r' {
                out.push('\n');
                rest = at + 1;
                if self.text.as_bytes().get(rest) == Some(&b'\n') {
                    rest += 1;
                }
            } else {
                let (c, next) = self.reference(at, end)?;
                out.push(c);
                rest = next;
            }
        }
        out.push_str(&self.text[rest..end]);
        Ok(Cow::Owned(out))
    }

    /// Checks every reference between `start` and `end` (an attribute value).
    fn references(&self, start: usize, end: usize) -> Result<(), LexError> {
        let mut rest = start;
        while let Some(i) = memchr::memchr(b'&', &self.text.as_bytes()[rest..end]) {
            rest = self.reference(rest + i, end)?.1;
        }
        Ok(())
    }

    /// The character of the reference at `at` (its `&`) and the offset after its `;`.
    fn reference(&self, at: usize, end: usize) -> Result<(char, usize), LexError> {
        let body = &self.text.as_bytes()[at + 1..end];
        let stop = body
            .iter()
            .take(64)
            .position(|&b| b == b';' || b == b'&' || is_whitespace(b));
        let Some(length) = stop.filter(|&i| body[i] == b';') else {
            return self.malformed(
                at,
                "an '&' that starts no reference (write '&amp;' for the character itself)",
            );
        };
        let name = &self.text[at + 1..at + 1 + length];
        match crate::xml::resolve_entity(name) {
            Ok(c) => Ok((c, at + length + 2)),
            Err(message) => self.error(at, message),
        }
    }
}

/// The indentation between elements of a file with Windows line ends (CR LF, then only tabs
/// or only spaces) as its normalized text, borrowed from a constant instead of allocated.
fn crlf_indentation(text: &str) -> Option<&'static str> {
    const TABS: &str = "\n\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
    const SPACES: &str = "\n                                                                ";
    let indent = text.strip_prefix("\r\n")?;
    let constant = match indent.as_bytes().first() {
        None | Some(b'\t') => TABS,
        Some(b' ') => SPACES,
        Some(_) => return None,
    };
    let same = indent.bytes().all(|b| b == constant.as_bytes()[1]);
    (same && indent.len() < constant.len()).then(|| &constant[..1 + indent.len()])
}

/// `text` with CR LF and lone CR replaced by LF (borrowed when it has no CR).
fn normalize_line_ends(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// XML's whitespace: space, tab, LF, CR.
pub fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// The offset of the first byte at or after `at` that is not XML whitespace.
fn skip_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|&b| is_whitespace(b)) {
        at += 1;
    }
    at
}

/// Where the text starting at `from` ends (the next `<` or the end of the input), and whether
/// it is plain: free of references and CRs, so usable as it is. The first 32 bytes (the short
/// runs of indentation between elements) are searched 8 at a time, longer text with memchr.
fn text_end(bytes: &[u8], from: usize) -> (usize, bool) {
    const NEEDLES: [u8; 3] = [b'<', b'&', b'\r'];
    let short = bytes.len().min(from + 32);
    let first = match find_in_words(bytes, from, short, NEEDLES) {
        Some(at) => Some(at),
        None => memchr::memchr3(b'<', b'&', b'\r', &bytes[short..]).map(|i| short + i),
    };
    match first {
        None => (bytes.len(), true),
        Some(at) if bytes[at] == b'<' => (at, true),
        Some(at) => (
            memchr::memchr(b'<', &bytes[at..]).map_or(bytes.len(), |i| at + i),
            false,
        ),
    }
}

/// The offset of the first byte in `bytes[from..to]` equal to one of `needles`. Whole 8-byte
/// words are tested at once without a branch per byte (a byte equal to the needle makes
/// `word ^ needle` have a zero byte, which the classic has-zero-byte test finds); the tail of
/// fewer than 8 bytes goes byte by byte.
fn find_in_words<const N: usize>(
    bytes: &[u8],
    mut from: usize,
    to: usize,
    needles: [u8; N],
) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while from + 8 <= to {
        let word = word_at(bytes, from);
        let mut found = 0;
        for needle in needles {
            let x = word ^ (LOW * u64::from(needle));
            found |= x.wrapping_sub(LOW) & !x & HIGH;
        }
        if found != 0 {
            // The lowest flagged byte is always a true match (false flags only follow one).
            return Some(from + found.trailing_zeros() as usize / 8);
        }
        from += 8;
    }
    bytes[from..to]
        .iter()
        .position(|b| needles.contains(b))
        .map(|i| from + i)
}

/// The 8 bytes at `at` as a little-endian word (the first byte is the lowest).
fn word_at(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

/// Whether two element names are the same bytes: names of 8 to 16 bytes (most of a CKL's) as
/// two overlapping word compares, inline, instead of a call to `memcmp`.
pub fn same_name(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if (8..=16).contains(&n) {
        return word_at(a, 0) == word_at(b, 0) && word_at(a, n - 8) == word_at(b, n - 8);
    }
    a == b
}

/// Where a name starting at `at` ends: at the first byte that cannot be part of an XML name
/// (letters, digits, `_`, `:`, `-`, `.`, any non-ASCII character).
fn name_end(bytes: &[u8], at: usize) -> usize {
    let from = at.min(bytes.len());
    bytes[from..]
        .iter()
        .position(|&b| !is_name_byte(b))
        .map_or(bytes.len(), |i| from + i)
}

/// True for the bytes of an XML name, from a table: one load per byte.
fn is_name_byte(byte: u8) -> bool {
    NAME_BYTES[usize::from(byte)]
}

/// [`is_name_byte`]'s table: letters, digits, `_`, `:`, `-`, `.` and every non-ASCII byte.
static NAME_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] =
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'-' | b'.') || b >= 0x80;
        byte += 1;
    }
    table
};

/// True when `byte` may start an XML name: a letter, `_`, `:` or a non-ASCII character.
fn starts_name(byte: Option<&u8>) -> bool {
    byte.is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Result<Vec<Token<'_>>, LexError> {
        let mut lexer = Lexer::new(text);
        let mut out = Vec::new();
        loop {
            match lexer.next_token()? {
                Token::Eof => return Ok(out),
                token => out.push(token),
            }
        }
    }

    fn error(text: &str) -> String {
        tokens(text).expect_err(text).message
    }

    #[test]
    fn tokenizes_what_a_checklist_holds() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!--c-->\n<A x='1&amp;>' y = \"2\"><B/>a&lt;b&#x41;&#66;\r\nc<![CDATA[<&>\r]]></A>";
        assert_eq!(
            tokens(text).expect("well-formed"),
            vec![
                Token::Text("\n".into()),
                Token::Comment("c".into()),
                Token::Text("\n".into()),
                Token::Start("A"),
                Token::Start("B"),
                Token::End,
                Token::Text("a<bAB\nc".into()),
                Token::Text("<&>\n".into()),
                Token::End,
            ]
        );
    }

    #[test]
    fn windows_indentation_is_normalized_without_allocating() {
        let tokens = tokens("<A>\r\n\t\t<B/>\r\n    <C/>\r\n \t<D/>\r\n</A>").expect("well-formed");
        let texts: Vec<&Cow<str>> = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Text(text) => Some(text),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["\n\t\t", "\n    ", "\n \t", "\n"]);
        assert!(matches!(texts[0], Cow::Borrowed(_)));
        assert!(matches!(texts[1], Cow::Borrowed(_)));
        assert!(
            matches!(texts[2], Cow::Owned(_)),
            "mixed indentation takes the general path"
        );
    }

    #[test]
    fn plain_text_and_names_are_borrowed() {
        let tokens = tokens("<A>plain</A>").expect("well-formed");
        assert!(matches!(tokens[1], Token::Text(Cow::Borrowed("plain"))));
    }

    #[test]
    fn refuses_what_is_not_well_formed() {
        for (text, expected) in [
            ("<A></B>", "expected </A>, but </B> was found"),
            ("</A>", "closes no open element"),
            ("<A", "is not closed"),
            ("<1A/>", "does not start an element"),
            ("< A/>", "does not start an element"),
            ("<A x/>", "has no value"),
            ("<A x=1/>", "is not quoted"),
            ("<A x='1/>", "is not closed"),
            ("<A x='<'/>", "'<' inside an attribute value"),
            ("<A x='&bad;'/>", "undefined entity '&bad;'"),
            ("<A x='1'y='2'/>", "unexpected character"),
            ("<A x='1' x='2'/>", "appears twice"),
            ("<A>a & b</A>", "starts no reference"),
            ("<A>&nbsp;</A>", "undefined entity '&nbsp;'"),
            ("<A>&#0;</A>", "U+0000"),
            ("<A>&#xD800;</A>", "not a character"),
            ("<A>&#-1;</A>", "bad character reference"),
            ("<A><!-- x</A>", "never closed"),
            ("<A><![CDATA[x</A>", "never closed"),
            ("<![CDATA[x]]>", "outside the root element"),
            ("<!DOCTYPE A [<!ENTITY x 'y'>]><A>&x;</A>", "DOCTYPE"),
            ("<?php x?><A/>", "processing instruction"),
            ("<?xml=?><A/>", "processing instruction"),
            ("<?xml version='1.0'", "never closed"),
            ("<A><!ELEMENT x></A>", "starts no comment"),
            ("<A></A >", ""),
        ] {
            if expected.is_empty() {
                assert!(tokens(text).is_ok(), "{text}");
            } else {
                let message = error(text);
                assert!(message.contains(expected), "{text}: {message}");
            }
        }
    }

    #[test]
    fn a_tag_with_very_many_attributes_is_read_in_linear_time() {
        let attributes: String = (0..200_000).map(|i| format!(" a{i}=''")).collect();
        let tag = format!("<A{attributes}/>");
        assert_eq!(tokens(&tag).expect("well-formed").len(), 2);
        let duplicate = format!("<A{attributes} a7=''/>");
        assert!(error(&duplicate).contains("a7 appears twice"));
    }

    #[test]
    fn errors_point_at_the_offending_markup() {
        let err = tokens("<A>\n  <B></C>").expect_err("mismatch");
        assert_eq!(err.offset, 9);
        let err = tokens("<A>ok &nope;</A>").expect_err("entity");
        assert_eq!(err.offset, 6);
    }
}
