//! What every XML reader of exstig shares: how a reference (`&amp;`, `&#x2014;`) is resolved.
//! Only character references and XML's five predefined entities are resolved; any other entity
//! is an error, never an expansion (no DTD is ever read), so entity tricks cannot bite. And
//! which characters XML 1.0 allows at all ([`is_xml_char`]).

/// Whether XML 1.0 allows `c` in a document.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// The character the reference `&name;` stands for (`name` without `&` and `;`): `#N` and
/// `#xH` character references to characters XML 1.0 allows, and `amp`, `lt`, `gt`, `quot`,
/// `apos`. Anything else gives a message saying why it is refused.
pub fn resolve_entity(name: &str) -> Result<char, String> {
    let Some(number) = name.strip_prefix('#') else {
        return quick_xml::escape::resolve_predefined_entity(name)
            .and_then(|value| value.chars().next())
            .ok_or_else(|| {
                format!(
                    "undefined entity '&{name};' (exstig never expands entities beyond XML's predefined five)"
                )
            });
    };
    let (digits, radix) = match number.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    let code = if digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        u32::from_str_radix(digits, radix).ok()
    } else {
        None
    }
    .ok_or_else(|| format!("bad character reference '&{name};': not a number"))?;
    match char::from_u32(code) {
        Some(c) if is_xml_char(c) => Ok(c),
        Some(_) => Err(format!(
            "bad character reference '&{name};': U+{code:04X} is not allowed in XML 1.0"
        )),
        None => Err(format!(
            "bad character reference '&{name};': {code:#X} is not a character"
        )),
    }
}
