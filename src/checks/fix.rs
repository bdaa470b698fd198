//! Fix commands: the `Set-` cmdlet of a bound rule, the target of one object, and values in
//! `Set-` argument syntax. Every family's judge returns only the arguments (`-ConnectionTimeout
//! 00:05:00`); the command line around them is built here.
//!
//! Commands must be safe to paste: every identity and free-text value is a PowerShell verbatim
//! (single-quoted) string ([`quote`]), in which nothing expands (`$env:X`, `$(...)`, backticks
//! and double quotes are literal); a command that still holds a `<placeholder>` is written as a
//! comment, so pasting it runs nothing.

use super::{Binding, Expected, ValueType, kinds};
use crate::inventory::InventoryObject;
use crate::inventory::values::Size;

/// The `Set-` cmdlet that fixes what `binding` reads (`Get-ReceiveConnector` -> `Set-ReceiveConnector`).
/// A check's own fix cmdlet ([`super::CheckSpec::fix_cmdlet`]) comes first.
pub fn cmdlet(binding: &Binding) -> String {
    if let Some(own) = binding.spec.fix_cmdlet {
        return own.to_string();
    }
    match binding.cmdlet.split_once('-') {
        Some((_, noun)) => format!("Set-{noun}"),
        None => "Set-".to_string(),
    }
}

/// ` -Identity '...'` for the `Set-` command of `obj` (nothing for an organization-wide one).
pub fn target(obj: &InventoryObject) -> String {
    if kinds::facts(obj.kind).singleton {
        String::new()
    } else {
        format!(" -Identity {}", quote(&obj.identity()))
    }
}

/// The whole command, on one line: cmdlet, target (from [`target`]) and the judge's arguments;
/// commented out when the arguments hold a `<placeholder>` the reader must fill in first, or
/// are themselves a comment (`# ...`, a note instead of a fix).
pub fn command(binding: &Binding, target: &str, args: &str) -> String {
    let args = args.replace(['\r', '\n'], " ");
    // A check whose fix cmdlet is empty (`.fix_cmdlet("")`) has judges that write whole commands.
    let line = format!("{}{target} {args}", cmdlet(binding))
        .trim_start()
        .to_string();
    if args.starts_with('#') {
        format!("# {line}")
    } else if has_placeholder(&args) {
        format!("# {line}   # fill in the <...> value(s) and remove the leading # before running")
    } else {
        line
    }
}

/// Whether `args` holds a `<...>` placeholder outside quoted strings.
fn has_placeholder(args: &str) -> bool {
    let mut quoted = false;
    let mut chars = args.chars().peekable();
    while let Some(c) = chars.next() {
        if is_single_quote(c) {
            if quoted && chars.peek().is_some_and(|n| is_single_quote(*n)) {
                chars.next();
            } else {
                quoted = !quoted;
            }
        } else if c == '<' && !quoted {
            return true;
        }
    }
    false
}

/// The characters PowerShell reads as a single quote: `'` and the typographic ones
/// (U+2018 to U+201B), per the language specification's *single-quote-character*.
pub fn is_single_quote(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}')
}

/// `text` as a PowerShell verbatim string: in single quotes, each single-quote character
/// doubled; nothing inside expands.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        if is_single_quote(c) {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// A PowerShell array of verbatim strings: `'a','b'`.
pub fn quote_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|i| quote(i.as_ref()))
        .collect::<Vec<_>>()
        .join(",")
}

/// A comment line that warns about what a fix would break (`# Caution: ...`).
pub fn caution(text: &str) -> String {
    format!("# Caution: {text}")
}

/// A value in `Set-` argument syntax.
pub fn value_arg(expected: &Expected, value: ValueType) -> String {
    match expected {
        Expected::Bool(b) => if *b { "$true" } else { "$false" }.into(),
        Expected::Size(Size::Bytes(b)) if b % (1 << 20) == 0 && *b > 0 => format!("{}MB", b >> 20),
        Expected::Size(Size::Bytes(b)) if b % (1 << 10) == 0 && *b > 0 => format!("{}KB", b >> 10),
        Expected::Size(Size::Bytes(b)) => b.to_string(),
        Expected::Text(t) => quote(t),
        other => {
            let text = other.display(value);
            if text.contains([',', ' ']) {
                quote(&text)
            } else {
                text
            }
        }
    }
}
