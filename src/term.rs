//! Terminal-safe printing: everything exstig prints may hold text from its inputs (host names,
//! rule IDs, titles, file names), and a control character in it (ESC starting an OSC title or
//! clipboard sequence, a clear-screen, a carriage return that overwrites a line) must not reach
//! the user's terminal. Control characters are shown escaped instead: `\x1B`, `\u{9B}`.
//!
//! The commands print through [`eprint_text`] and [`print_text`]; `src/cli/mod.rs` routes the
//! `eprintln!`, `eprint!`, `println!` and `print!` of every subcommand through them.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write as _;

/// Whether `c` must not be printed raw: C0 controls and DEL (`keep_lines`: except line feed
/// and tab), C1 controls, and the Unicode bidirectional overrides that reorder what is shown.
fn is_unsafe(c: char, keep_lines: bool) -> bool {
    match c {
        '\n' | '\t' => !keep_lines,
        '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}' => true,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

fn escape(text: &str, keep_lines: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c, keep_lines)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !is_unsafe(c, keep_lines) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            let _ = write!(out, "\\x{:02X}", c as u32);
        } else {
            let _ = write!(out, "\\u{{{:X}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

/// One value from an input (a host name, a path) made safe to print on one line: every control
/// character escaped, line feeds and tabs included.
pub fn value(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// Text of several lines made safe to print: control characters escaped, line feeds and tabs
/// kept.
pub fn text(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// Prints `message` on stderr with control characters escaped ([`text`]); a closed stderr is
/// ignored.
pub fn eprint_text(message: &str) {
    let _ = std::io::stderr().lock().write_all(text(message).as_bytes());
}

/// Prints `message` on stdout with control characters escaped ([`text`]); a closed stdout
/// (`| head`) is ignored.
pub fn print_text(message: &str) {
    let _ = std::io::stdout().lock().write_all(text(message).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(value("EDGE01"), "EDGE01");
        assert!(matches!(value("EDGE01"), Cow::Borrowed(_)));
        assert_eq!(value("a\u{1b}]0;owned\u{7}b"), "a\\x1B]0;owned\\x07b");
        assert_eq!(value("x\u{9b}2J\r\n"), "x\\u{9B}2J\\x0D\\x0A");
        assert_eq!(value("a\u{202e}b"), "a\\u{202E}b");
        assert_eq!(
            text("line 1\n\tline 2\u{1b}[2J"),
            "line 1\n\tline 2\\x1B[2J"
        );
        assert_eq!(text("é ü 中"), "é ü 中");
    }
}
