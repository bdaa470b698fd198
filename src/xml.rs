//! What every XML reader of exstig shares: how a reference (`&amp;`, `&#x2014;`) is resolved.
//! Only character references and XML's five predefined entities are resolved; any other entity
//! is an error, never an expansion (no DTD is ever read), so entity tricks cannot bite.

use quick_xml::events::BytesRef;

/// The character a reference stands for, or a message saying why it is refused.
pub fn resolve_reference(reference: &BytesRef) -> Result<char, String> {
    match reference.resolve_char_ref() {
        Ok(Some(c)) => Ok(c),
        Ok(None) => {
            let name: &str = reference;
            quick_xml::escape::resolve_predefined_entity(name)
                .and_then(|value| value.chars().next())
                .ok_or_else(|| {
                    format!(
                        "undefined entity '&{name};' (exstig never expands entities beyond XML's predefined five)"
                    )
                })
        }
        Err(e) => Err(format!("bad character reference: {e}")),
    }
}
