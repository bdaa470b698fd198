//! Reading the expected value of a rule from its check text ("is not set to "00:05:00"",
//! "set to 10 or less", "'Tls, BasicAuth, BasicAuthRequireTLS'"), or from the catalog's check
//! terms when the benchmark carries no prose, with the check's declared default as the last
//! resort.

use super::{Binding, Comparison, Expected, ValueType};
use crate::inventory::values::{Size, TimeSpan};

/// Quote characters DISA uses around values (straight and typographic).
const QUOTES: &[char] = &['"', '\'', '\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}'];

/// Byte position of `word` in `haystack` as a whole word (both already lowercase).
pub fn find_word(haystack: &str, word: &str) -> Option<usize> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(found) = haystack[from..].find(word) {
        let at = from + found;
        let end = at + word.len();
        let before_ok = haystack[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !is_word(c));
        let after_ok = haystack[end..].chars().next().is_none_or(|c| !is_word(c));
        if before_ok && after_ok {
            return Some(at);
        }
        from = at + word.len().max(1);
    }
    None
}

/// Sets `binding.expected`, its source and (for flags) exact or "includes" matching.
pub fn fill_expected(binding: &mut Binding, prose: &str, terms: &[String], cmdlet_at: usize) {
    let value = binding.spec.value;
    if matches!(value, ValueType::Other)
        || matches!(
            binding.comparison,
            Comparison::SameAsGlobal | Comparison::Naming
        )
    {
        return;
    }
    if binding.spec.fixed
        && let Some(value) = binding.spec.default
    {
        binding.expected = Some(value.expected(binding.role));
        binding.expected_source = "the check text".into();
        return;
    }
    if !prose.is_empty() {
        if let Some(expected) = from_prose(value, prose) {
            binding.expected = Some(expected);
            binding.expected_source = "the check text".into();
            let lower = prose.to_ascii_lowercase();
            if matches!(value, ValueType::Flags(_))
                && (lower.contains("may include other") || lower.contains("as long as the"))
            {
                binding.comparison = Comparison::Includes;
                binding.expected_source =
                    "the check text (its note allows other mechanisms as long as this one is present)".into();
            }
            return;
        }
    } else if let Some((at, expected)) = terms
        .iter()
        .enumerate()
        .find_map(|(i, t)| from_term(value, t).map(|e| (i, e)))
    {
        binding.expected = Some(expected);
        binding.expected_source = "the check terms of the embedded catalog".into();
        // A value named before the command comes from a note ahead of it: on the Mailbox
        // STIGs that is "AuthMechanism may include other mechanisms as long as Tls is identified".
        if matches!(value, ValueType::Flags(_)) && at < cmdlet_at {
            binding.comparison = Comparison::Includes;
            binding.expected_source = "the check terms of the embedded catalog (a note ahead of the command names the value: it must be included)".into();
        }
        return;
    }
    if let Some(value) = binding.spec.default {
        binding.expected = Some(value.expected(binding.role));
        binding.expected_source = format!(
            "exstig's STIG default{} (the benchmark names no value for this rule)",
            binding
                .role
                .map(|r| format!(" for {} servers", r.as_str()))
                .unwrap_or_default()
        );
    }
}

/// The value after the first "set to" that reads as `value`, or (time spans) the first time
/// span of the text.
fn from_prose(value: ValueType, prose: &str) -> Option<Expected> {
    if value == ValueType::Time {
        return prose
            .split(|c: char| c.is_whitespace() || QUOTES.contains(&c))
            .map(|w| w.trim_end_matches([',', '.', ';']))
            .filter(|w| w.contains(':') && w.starts_with(|c: char| c.is_ascii_digit()))
            .find_map(TimeSpan::parse)
            .map(Expected::Time);
    }
    let lower = prose.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("set to") {
        let start = from + found + "set to".len();
        from = start;
        let rest = prose[start..].trim_start().trim_start_matches(QUOTES);
        if let Some(expected) = read_value(value, rest) {
            return Some(expected);
        }
    }
    None
}

/// Reads a value of shape `value` at the start of `rest`.
fn read_value(value: ValueType, rest: &str) -> Option<Expected> {
    match value {
        ValueType::Limit => {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok().map(Expected::Number)
        }
        ValueType::Bool => {
            let word: String = rest.chars().take_while(char::is_ascii_alphabetic).collect();
            match word.to_ascii_lowercase().as_str() {
                "true" => Some(Expected::Bool(true)),
                "false" => Some(Expected::Bool(false)),
                _ => None,
            }
        }
        ValueType::Size => {
            let token: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
                .collect();
            let token = token.trim_end_matches('.');
            if token.eq_ignore_ascii_case("unlimited") {
                return Some(Expected::Size(Size::Unlimited));
            }
            if !token.starts_with(|c: char| c.is_ascii_digit())
                || !token.chars().any(|c| c.is_ascii_alphabetic())
            {
                return None;
            }
            Size::parse(token).map(Expected::Size)
        }
        ValueType::Text | ValueType::Flags(_) => {
            let line = rest.lines().next().unwrap_or("");
            let end = [", this is", ",this is", " this is"]
                .iter()
                .filter_map(|m| line.to_ascii_lowercase().find(m))
                .min()
                .unwrap_or(line.len());
            let phrase = line[..end].trim().trim_matches(QUOTES).trim();
            if phrase.is_empty() {
                return None;
            }
            match value {
                ValueType::Flags(table) => table.parse(phrase).ok().map(Expected::Flags),
                _ => Some(Expected::Text(phrase.to_string())),
            }
        }
        ValueType::Time | ValueType::Other => None,
    }
}

/// A catalog check term read as `value`.
fn from_term(value: ValueType, term: &str) -> Option<Expected> {
    let term = term.trim();
    match value {
        ValueType::Time if term.contains(':') => TimeSpan::parse(term).map(Expected::Time),
        ValueType::Limit if !term.is_empty() && term.chars().all(|c| c.is_ascii_digit()) => {
            term.parse().ok().map(Expected::Number)
        }
        ValueType::Size if term.chars().any(|c| c.is_ascii_alphabetic()) => {
            Size::parse(term).map(Expected::Size)
        }
        ValueType::Bool => match term.to_ascii_lowercase().as_str() {
            "true" | "$true" => Some(Expected::Bool(true)),
            "false" | "$false" => Some(Expected::Bool(false)),
            _ => None,
        },
        ValueType::Flags(table) if !term.contains('-') => table
            .parse(term)
            .ok()
            .filter(|s| !s.is_empty())
            .map(Expected::Flags),
        ValueType::Text if term.starts_with(|c: char| c.is_ascii_digit()) => {
            Some(Expected::Text(term.to_string()))
        }
        _ => None,
    }
}
