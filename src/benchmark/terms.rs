//! Short facts taken from a rule's check text for the embedded catalog, which carries no DISA
//! prose: the cmdlet names, the property names the check selects, and the short double-quoted
//! values it compares against. Never sentences.

/// PowerShell verbs whose `Verb-Noun` words are kept as cmdlet names.
const VERBS: [&str; 8] = [
    "Get", "Set", "New", "Remove", "Enable", "Disable", "Test", "Add",
];

/// Longest quoted value kept, in characters; longer ones are prose.
const MAX_VALUE_CHARS: usize = 40;

/// Most words in a kept quoted value.
const MAX_VALUE_WORDS: usize = 3;

/// The cmdlets, selected property names and short quoted values of `check_text`, in order of
/// first appearance, without duplicates.
pub fn check_terms(check_text: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    let mut keep = |term: &str| {
        if !term.is_empty() && !terms.iter().any(|t| t == term) {
            terms.push(term.to_string());
        }
    };
    for line in check_text.lines() {
        for (i, word) in words(line).iter().enumerate() {
            if is_cmdlet(word) {
                keep(word);
            }
            if is_select(word) {
                for property in selected_properties(line, i) {
                    keep(&property);
                }
            }
        }
        for value in quoted_values(line) {
            keep(value);
        }
    }
    terms
}

/// The words of a line: runs of letters, digits, `-`, `_`, `$`.
fn words(line: &str) -> Vec<&str> {
    line.split(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '$')))
        .filter(|w| !w.is_empty())
        .collect()
}

/// `Get-ReceiveConnector` and friends.
fn is_cmdlet(word: &str) -> bool {
    let Some((verb, noun)) = word.split_once('-') else {
        return false;
    };
    VERBS.contains(&verb)
        && noun.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && noun.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `Select`, `Select-Object`, `fl`, `Format-List`, `ft`, `Format-Table`.
fn is_select(word: &str) -> bool {
    [
        "select",
        "select-object",
        "fl",
        "format-list",
        "ft",
        "format-table",
    ]
    .contains(&word.to_ascii_lowercase().as_str())
}

/// The comma-separated property names after the `index`-th word of `line` (a select), up to the
/// next pipe or the end of the line.
fn selected_properties(line: &str, index: usize) -> Vec<String> {
    let word = words(line)[index];
    let Some(start) = line.find(word) else {
        return Vec::new();
    };
    let rest = line.get(start + word.len()..).unwrap_or("");
    let rest = rest.split('|').next().unwrap_or("");
    rest.split(',')
        .map(|p| p.trim().trim_start_matches("-Property").trim())
        .filter(|p| {
            !p.is_empty()
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && p.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        })
        .map(str::to_string)
        .collect()
}

/// Short `"..."` values in `line` (straight or typographic quotes).
fn quoted_values(line: &str) -> Vec<&str> {
    let mut values = Vec::new();
    let mut rest = line;
    while let Some((_, after)) = rest.split_once(['"', '\u{201c}']) {
        let Some((value, next)) = after.split_once(['"', '\u{201d}']) else {
            break;
        };
        let value = value.trim();
        if is_short_value(value) {
            values.push(value);
        }
        rest = next;
    }
    values
}

/// A value, not prose: short, few words, no full stop, and when it has several words each
/// starts with a capital, digit or sign (`SSL Settings`, `Tls, BasicAuth`).
fn is_short_value(value: &str) -> bool {
    let words: Vec<&str> = value.split_whitespace().collect();
    !value.is_empty()
        && value.chars().count() <= MAX_VALUE_CHARS
        && words.len() <= MAX_VALUE_WORDS
        && !value.ends_with('.')
        && (words.len() == 1
            || words
                .iter()
                .all(|w| w.chars().next().is_some_and(|c| !c.is_lowercase())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_cmdlets_properties_and_short_values() {
        let text = "Enter the command:\n\nGet-ReceiveConnector | Select Name, Identity, ConnectionTimeout\n\n\
                    If \"ConnectionTimeout\" is not \"00:05:00\", this is a finding. \"This quoted text is far too long to keep.\" \"a phrase here\"";
        assert_eq!(
            check_terms(text),
            [
                "Get-ReceiveConnector",
                "Name",
                "Identity",
                "ConnectionTimeout",
                "00:05:00"
            ]
        );
    }

    #[test]
    fn select_object_property_list() {
        let text = "Get-RpcClientAccess | Select-Object -Property Server, Name, EncryptionRequired";
        assert_eq!(
            check_terms(text),
            [
                "Get-RpcClientAccess",
                "Server",
                "Name",
                "EncryptionRequired"
            ]
        );
    }
}
