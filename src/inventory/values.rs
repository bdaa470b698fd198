//! Typed access to exported property values.
//!
//! Exchange values reach exstig in many shapes (see `docs/INVENTORY.md`): flags as integers or
//! as names, TimeSpans as text or as objects with `Ticks`, sizes as `"36 MB (37,748,736 bytes)"`,
//! lists as arrays, `{"value": [...]}` or joined strings, booleans as JSON or `"True"`. Every
//! accessor here takes an [`InventoryObject`] and a property name and returns the normalized
//! value, or a [`ValueProblem`] that says in words why the value cannot be read. Nothing is
//! guessed: an unknown enum name, undefined bits or an empty size object are problems.

use super::InventoryObject;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::fmt;

/// Why a property value could not be read; `Display` gives a sentence for a reviewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueProblem {
    /// The property concerned, as the caller named it.
    pub property: String,
    /// The full reason, naming the property.
    pub reason: String,
}

impl ValueProblem {
    /// A problem with `property`, explained by `reason` (a full sentence naming the property).
    pub fn new(property: &str, reason: impl Into<String>) -> ValueProblem {
        ValueProblem {
            property: property.to_string(),
            reason: reason.into(),
        }
    }

    /// The property is absent from the export.
    pub fn missing(property: &str) -> ValueProblem {
        ValueProblem::new(property, format!("{property} is missing from the export"))
    }
}

impl fmt::Display for ValueProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for ValueProblem {}

/// The advice given when a value was exported in a shape that lost it.
pub const REEXPORT_ADVICE: &str = "re-export with Export-Clixml, or with collect/Export-ExchangeStigInventory.ps1 which writes such values as text (see docs/INVENTORY.md)";

// ---------------------------------------------------------------------------------------------
// Flags

/// A .NET `[Flags]` enumeration (or a plain enumeration of distinct bits): names and bit values.
#[derive(Debug)]
pub struct FlagTable {
    /// The .NET type name, for messages.
    pub type_name: &'static str,
    /// Name of the zero value (`None`), when the enumeration has one.
    pub zero: Option<&'static str>,
    /// Names and bit values, in ascending bit order.
    pub flags: &'static [(&'static str, u64)],
    /// Whether `null` is a legal value (a nullable enum: null reads as the empty set).
    pub nullable: bool,
}

/// `AuthMechanism` of Receive connectors (`AuthMechanisms`).
pub static AUTH_MECHANISM: FlagTable = FlagTable {
    type_name: "AuthMechanisms",
    zero: Some("None"),
    flags: &[
        ("Tls", 1),
        ("Integrated", 2),
        ("BasicAuth", 4),
        ("BasicAuthRequireTLS", 8),
        ("ExchangeServer", 16),
        ("ExternalAuthoritative", 32),
    ],
    nullable: false,
};

/// `PermissionGroups` of Receive connectors.
pub static PERMISSION_GROUPS: FlagTable = FlagTable {
    type_name: "PermissionGroups",
    zero: Some("None"),
    flags: &[
        ("AnonymousUsers", 1),
        ("ExchangeUsers", 2),
        ("ExchangeServers", 4),
        ("ExchangeLegacyServers", 8),
        ("Partners", 16),
        ("Custom", 32),
    ],
    nullable: false,
};

/// `TlsAuthLevel` of Send connectors (nullable; null = not set, read as the empty set).
pub static TLS_AUTH_LEVEL: FlagTable = FlagTable {
    type_name: "TlsAuthLevel",
    zero: None,
    flags: &[
        ("EncryptionOnly", 1),
        ("CertificateValidation", 2),
        ("DomainValidation", 4),
    ],
    nullable: true,
};

/// `TransportRole` of Receive connectors (`ServerRole`; only the documented bits).
pub static TRANSPORT_ROLE: FlagTable = FlagTable {
    type_name: "ServerRole",
    zero: Some("None"),
    flags: &[
        ("Cafe", 1),
        ("Mailbox", 2),
        ("ClientAccess", 4),
        ("UnifiedMessaging", 16),
        ("HubTransport", 32),
        ("Edge", 64),
        ("Monitoring", 128),
        ("FrontendTransport", 16384),
    ],
    nullable: false,
};

impl FlagTable {
    /// Renders a set as .NET does: names joined by `", "` in ascending bit order; the zero name
    /// (or `(not set)`) for the empty set.
    pub fn display(&self, set: &BTreeSet<&'static str>) -> String {
        if set.is_empty() {
            return self.zero.unwrap_or("(not set)").to_string();
        }
        self.flags
            .iter()
            .filter(|(name, _)| set.contains(name))
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The canonical name for `name` (case-insensitive); the zero name maps to `Some(None)`.
    fn lookup(&self, name: &str) -> Option<Option<&'static str>> {
        if self.zero.is_some_and(|z| z.eq_ignore_ascii_case(name)) {
            return Some(None);
        }
        self.flags
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(n, _)| Some(*n))
    }

    /// The names of the bits of `bits`, or the bits the table does not define.
    fn names_of_bits(&self, bits: u64) -> Result<BTreeSet<&'static str>, u64> {
        let known: u64 = self.flags.iter().map(|(_, b)| b).fold(0, |a, b| a | b);
        if bits & !known != 0 {
            return Err(bits & !known);
        }
        Ok(self
            .flags
            .iter()
            .filter(|(_, b)| bits & b != 0)
            .map(|(n, _)| *n)
            .collect())
    }

    /// Parses the names of a `,`-separated string (any case and order; braces of Format-List
    /// lists tolerated). Numbers are read as bits. The error is a sentence about the type.
    pub fn parse(&self, text: &str) -> Result<BTreeSet<&'static str>, String> {
        self.parse_as(self.type_name, text)
    }

    /// As [`FlagTable::parse`], with errors that name `subject` (the property).
    fn parse_as(&self, subject: &str, text: &str) -> Result<BTreeSet<&'static str>, String> {
        let text = text.trim();
        let text = text
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(text)
            .trim();
        if text.is_empty() {
            return Err(format!("{subject} is an empty string"));
        }
        if let Ok(bits) = text.parse::<i64>() {
            return self.bits_as(subject, bits);
        }
        let mut set = BTreeSet::new();
        for part in text.split([',', ';', '|']) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            match self.lookup(part) {
                Some(Some(name)) => {
                    set.insert(name);
                }
                Some(None) => {}
                None => {
                    return Err(format!(
                        "unknown {subject} name '{part}' (known: {})",
                        self.known_names()
                    ));
                }
            }
        }
        Ok(set)
    }

    /// The names of the bits of `bits`; errors name `subject`.
    fn bits_as(&self, subject: &str, bits: i64) -> Result<BTreeSet<&'static str>, String> {
        let unsigned =
            u64::try_from(bits).map_err(|_| format!("{subject} is the negative number {bits}"))?;
        if unsigned == 0 && self.zero.is_none() {
            return Err(format!(
                "{subject} is 0, which {} does not define",
                self.type_name
            ));
        }
        self.names_of_bits(unsigned).map_err(|unknown| {
            format!(
                "{subject} is {bits}, which has bits not defined for {} ({unknown}; known: {})",
                self.type_name,
                self.known_bits()
            )
        })
    }

    fn known_names(&self) -> String {
        self.zero
            .into_iter()
            .chain(self.flags.iter().map(|(n, _)| *n))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn known_bits(&self) -> String {
        self.flags
            .iter()
            .map(|(n, b)| format!("{n} {b}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A flags property as the set of its canonical names (see [`FlagTable`]). Accepts integers,
/// numeric strings, name strings (`"Tls, BasicAuth"`, any case/order, `,` or `, `), arrays of
/// names, and `{"value": ...}` / `{"ToString": ...}` wrappers.
pub fn flags(
    obj: &InventoryObject,
    prop: &str,
    table: &FlagTable,
) -> Result<BTreeSet<&'static str>, ValueProblem> {
    let value = present(obj, prop)?;
    flags_of(prop, value, table)
}

fn flags_of(
    prop: &str,
    value: &Value,
    table: &FlagTable,
) -> Result<BTreeSet<&'static str>, ValueProblem> {
    let problem = |why: String| ValueProblem::new(prop, format!("{prop} {why}"));
    match value {
        Value::Null if table.nullable => Ok(BTreeSet::new()),
        Value::Null => Err(problem("is null in the export".into())),
        Value::Number(n) => match n.as_i64() {
            Some(bits) => table
                .bits_as(prop, bits)
                .map_err(|why| ValueProblem::new(prop, why)),
            None => Err(problem(format!("is {n}, not a whole number"))),
        },
        Value::String(s) => table
            .parse_as(prop, s)
            .map_err(|why| ValueProblem::new(prop, why)),
        Value::Array(items) => {
            let mut set = BTreeSet::new();
            for item in items {
                set.extend(flags_of(prop, item, table)?);
            }
            Ok(set)
        }
        Value::Object(map) => match wrapped(map) {
            Some(inner) => flags_of(prop, inner, table),
            None => Err(problem(format!(
                "is an object ({}) that holds no enumeration value",
                keys(map)
            ))),
        },
        Value::Bool(b) => Err(problem(format!(
            "is the boolean {b}, not a {}",
            table.type_name
        ))),
    }
}

// ---------------------------------------------------------------------------------------------
// TimeSpan

/// A duration in ticks of 100 ns, as .NET `TimeSpan`; displays as `[-][d.]hh:mm:ss[.fffffff]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeSpan(pub i64);

const TICKS_PER_SECOND: i64 = 10_000_000;
const TICKS_PER_MINUTE: i64 = 60 * TICKS_PER_SECOND;
const TICKS_PER_HOUR: i64 = 60 * TICKS_PER_MINUTE;
const TICKS_PER_DAY: i64 = 24 * TICKS_PER_HOUR;

impl TimeSpan {
    /// A span of whole seconds.
    pub fn from_seconds(seconds: i64) -> TimeSpan {
        TimeSpan(seconds.saturating_mul(TICKS_PER_SECOND))
    }

    /// Parses `[-][d.]hh:mm:ss[.fffffff]`, `[-]d:hh:mm:ss[.f]`, `hh:mm` and xs:duration
    /// (`PT10M`, `-P1DT2H`, `PT9.0269026S`).
    pub fn parse(text: &str) -> Option<TimeSpan> {
        let text = text.trim();
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let ticks = if body.starts_with('P') || body.starts_with('p') {
            parse_duration(&body[1..])?
        } else {
            parse_clock(body)?
        };
        Some(TimeSpan(if negative { -ticks } else { ticks }))
    }

    /// Whole seconds (truncated toward zero).
    pub fn seconds(self) -> i64 {
        self.0 / TICKS_PER_SECOND
    }
}

/// `[d.]hh:mm:ss[.fffffff]`, `d:hh:mm:ss[.f]` or `hh:mm`.
fn parse_clock(body: &str) -> Option<i64> {
    let parts: Vec<&str> = body.split(':').collect();
    let (days, hours, minutes, seconds) = match parts.as_slice() {
        [h, m] => ("0", *h, *m, "0"),
        [first, m, s] => match first.split_once('.') {
            Some((d, h)) => (d, h, *m, *s),
            None => ("0", *first, *m, *s),
        },
        [d, h, m, s] => (*d, *h, *m, *s),
        _ => return None,
    };
    let days = digits(days)?;
    let hours = digits(hours)?;
    let minutes = digits(minutes)?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    let (whole, fraction) = match seconds.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (seconds, None),
    };
    let whole = digits(whole)?;
    if whole > 59 {
        return None;
    }
    let fraction_ticks = match fraction {
        Some(f) => fraction_to_ticks(f)?,
        None => 0,
    };
    days.checked_mul(TICKS_PER_DAY)?
        .checked_add(hours * TICKS_PER_HOUR)?
        .checked_add(minutes * TICKS_PER_MINUTE)?
        .checked_add(whole * TICKS_PER_SECOND)?
        .checked_add(fraction_ticks)
}

/// xs:duration after the `P`: `[nD][T[nH][nM][n[.f]S]]` (years and months are refused: their
/// length is not fixed).
fn parse_duration(rest: &str) -> Option<i64> {
    let (date, time) = match rest.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    if rest.is_empty() || time == Some("") {
        return None;
    }
    let mut ticks: i64 = 0;
    let mut number = String::new();
    for c in date.chars() {
        match c {
            '0'..='9' => number.push(c),
            'D' | 'd' => {
                ticks = ticks.checked_add(digits(&number)?.checked_mul(TICKS_PER_DAY)?)?;
                number.clear();
            }
            _ => return None,
        }
    }
    if !number.is_empty() {
        return None;
    }
    for c in time.unwrap_or("").chars() {
        match c {
            '0'..='9' | '.' => number.push(c),
            'H' | 'h' | 'M' | 'm' if !number.contains('.') => {
                let unit = if c.eq_ignore_ascii_case(&'H') {
                    TICKS_PER_HOUR
                } else {
                    TICKS_PER_MINUTE
                };
                ticks = ticks.checked_add(digits(&number)?.checked_mul(unit)?)?;
                number.clear();
            }
            'S' | 's' => {
                let (whole, fraction) = match number.split_once('.') {
                    Some((w, f)) => (w, fraction_to_ticks(f)?),
                    None => (number.as_str(), 0),
                };
                let seconds = digits(whole)?.checked_mul(TICKS_PER_SECOND)?;
                ticks = ticks.checked_add(seconds)?.checked_add(fraction)?;
                number.clear();
            }
            _ => return None,
        }
    }
    number.is_empty().then_some(ticks)
}

/// A non-empty run of ASCII digits.
fn digits(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Up to 7 fraction digits of a second as ticks (more digits are refused rather than rounded).
fn fraction_to_ticks(fraction: &str) -> Option<i64> {
    if fraction.is_empty() || fraction.len() > 7 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let padded = format!("{fraction:0<7}");
    padded.parse().ok()
}

impl fmt::Display for TimeSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let ticks = self.0.unsigned_abs();
        let day = TICKS_PER_DAY as u64;
        let (days, rest) = (ticks / day, ticks % day);
        let hours = rest / TICKS_PER_HOUR as u64;
        let minutes = rest % TICKS_PER_HOUR as u64 / TICKS_PER_MINUTE as u64;
        let seconds = rest % TICKS_PER_MINUTE as u64 / TICKS_PER_SECOND as u64;
        let fraction = rest % TICKS_PER_SECOND as u64;
        write!(f, "{sign}")?;
        if days > 0 {
            write!(f, "{days}.")?;
        }
        write!(f, "{hours:02}:{minutes:02}:{seconds:02}")?;
        if fraction > 0 {
            write!(f, ".{fraction:07}")?;
        }
        Ok(())
    }
}

/// A TimeSpan property. Accepts `"00:10:00"`, `"1.00:00:00"`, `"-00:00:01"`, xs:duration, and
/// objects with `Ticks` (preferred) or `Days`/`Hours`/`Minutes`/`Seconds`/`Milliseconds`.
pub fn timespan(obj: &InventoryObject, prop: &str) -> Result<TimeSpan, ValueProblem> {
    timespan_of(prop, present(obj, prop)?)
}

fn timespan_of(prop: &str, value: &Value) -> Result<TimeSpan, ValueProblem> {
    let problem = |why: String| ValueProblem::new(prop, format!("{prop} {why}"));
    match value {
        Value::String(s) => TimeSpan::parse(s).ok_or_else(|| {
            problem(format!(
                "is '{s}', not a time span (expected hh:mm:ss, d.hh:mm:ss or PT...)"
            ))
        }),
        Value::Object(map) => {
            if let Some(ticks) = field(map, "Ticks") {
                return match number(ticks) {
                    Some(t) => Ok(TimeSpan(t)),
                    None => Err(problem(format!("has Ticks {ticks}, not a whole number"))),
                };
            }
            let parts = [
                ("Days", TICKS_PER_DAY),
                ("Hours", TICKS_PER_HOUR),
                ("Minutes", TICKS_PER_MINUTE),
                ("Seconds", TICKS_PER_SECOND),
                ("Milliseconds", 10_000),
            ];
            if parts.iter().any(|(k, _)| field(map, k).is_some()) {
                let mut ticks: i64 = 0;
                for (key, unit) in parts {
                    if let Some(v) = field(map, key) {
                        let n = number(v)
                            .ok_or_else(|| problem(format!("has {key} {v}, not a whole number")))?;
                        ticks = n
                            .checked_mul(unit)
                            .and_then(|t| t.checked_add(ticks))
                            .ok_or_else(|| problem("is out of range".into()))?;
                    }
                }
                return Ok(TimeSpan(ticks));
            }
            match wrapped(map) {
                Some(inner) => timespan_of(prop, inner),
                None => Err(problem(format!(
                    "is an object ({}) without Ticks or Days/Hours/Minutes/Seconds",
                    keys(map)
                ))),
            }
        }
        Value::Null => Err(problem("is null in the export".into())),
        other => Err(problem(format!(
            "is {other}, not a time span (a bare number has no unit; expected hh:mm:ss)"
        ))),
    }
}

// ---------------------------------------------------------------------------------------------
// Size

/// A byte size (`ByteQuantifiedSize`), possibly `Unlimited` (`Unlimited<ByteQuantifiedSize>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Size {
    /// A number of bytes.
    Bytes(u64),
    /// No limit.
    Unlimited,
}

const UNITS: [(&str, u64); 5] = [
    ("TB", 1 << 40),
    ("GB", 1 << 30),
    ("MB", 1 << 20),
    ("KB", 1 << 10),
    ("B", 1),
];

impl Size {
    /// Parses `"10MB"`, `"10 MB"`, `"1.5 GB"`, `"10485760"` (bytes), `"36 MB (37,748,736 bytes)"`
    /// (the byte count in parentheses wins) and `"Unlimited"`. Units are binary (KB = 1024).
    pub fn parse(text: &str) -> Option<Size> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("unlimited") {
            return Some(Size::Unlimited);
        }
        if let Some(open) = text.find('(') {
            let inner = text[open + 1..].strip_suffix(')')?.trim();
            let count = inner
                .strip_suffix("bytes")
                .or_else(|| inner.strip_suffix("byte"))?
                .trim();
            let cleaned: String = count
                .chars()
                .filter(|c| !matches!(c, ',' | '.' | ' ' | '\u{a0}' | '\u{202f}' | '\''))
                .collect();
            return digits(&cleaned).map(|n| Size::Bytes(n as u64));
        }
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (amount, unit) = (text[..split].trim(), text[split..].trim());
        let multiplier = if unit.is_empty() {
            1
        } else {
            let unit = unit.to_ascii_uppercase();
            let unit = match unit.as_str() {
                "BYTES" | "BYTE" => "B",
                other => other,
            };
            UNITS.iter().find(|(u, _)| *u == unit)?.1
        };
        match amount.split_once('.') {
            None => digits(amount)
                .and_then(|n| (n as u64).checked_mul(multiplier))
                .map(Size::Bytes),
            Some((whole, fraction)) => {
                let whole = digits(whole)? as u64;
                if fraction.is_empty() || fraction.len() > 6 {
                    return None;
                }
                let scale = 10u64.pow(fraction.len() as u32);
                let fraction = digits(fraction)? as u64;
                let bytes = whole
                    .checked_mul(multiplier)?
                    .checked_add(fraction.checked_mul(multiplier)? / scale)?;
                Some(Size::Bytes(bytes))
            }
        }
    }
}

impl fmt::Display for Size {
    /// As `ByteQuantifiedSize.ToString()`: `10 MB (10,485,760 bytes)`, `Unlimited`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = match self {
            Size::Unlimited => return f.write_str("Unlimited"),
            Size::Bytes(b) => *b,
        };
        let (unit, size) = UNITS
            .iter()
            .find(|(_, s)| bytes >= *s)
            .copied()
            .unwrap_or(("B", 1));
        let amount = significant4(bytes as f64 / size as f64);
        write!(f, "{amount} {unit} ({} bytes)", thousands(bytes))
    }
}

/// .NET `G4`: up to four significant digits, no trailing zeros.
fn significant4(x: f64) -> String {
    let integer_digits = if x >= 1.0 {
        (x.log10().floor() as i32 + 1).max(1)
    } else {
        1
    };
    let decimals = (4 - integer_digits).max(0) as usize;
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// `37748736` → `37,748,736`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A size property: `ByteQuantifiedSize` or `Unlimited<ByteQuantifiedSize>` in any exported
/// shape. An empty object `{}` (what `ConvertTo-Json` makes of a size) is a problem asking for a
/// re-export, never a guess.
pub fn size(obj: &InventoryObject, prop: &str) -> Result<Size, ValueProblem> {
    size_of(prop, present(obj, prop)?)
}

fn size_of(prop: &str, value: &Value) -> Result<Size, ValueProblem> {
    let problem = |why: String| ValueProblem::new(prop, format!("{prop} {why}"));
    match value {
        Value::Number(n) => match n.as_u64() {
            Some(bytes) => bare_bytes(prop, bytes),
            None => Err(problem(format!("is {n}, not a whole number of bytes"))),
        },
        Value::String(s) => match Size::parse(s) {
            Some(Size::Bytes(bytes)) if s.trim().bytes().all(|b| b.is_ascii_digit()) => {
                bare_bytes(prop, bytes)
            }
            Some(size) => Ok(size),
            None => Err(problem(format!(
                "is '{s}', not a size (expected e.g. 10MB, 10 MB (10,485,760 bytes), bytes or Unlimited)"
            ))),
        },
        Value::Object(map) => {
            if let Some(unlimited) = field(map, "IsUnlimited") {
                return match bool_of(unlimited) {
                    Some(true) => Ok(Size::Unlimited),
                    Some(false) => match field(map, "Value") {
                        Some(v) => size_of(prop, v),
                        None => Err(problem("is limited but its Value is missing".into())),
                    },
                    None => Err(problem(format!(
                        "has IsUnlimited {unlimited}, not true or false"
                    ))),
                };
            }
            if map.is_empty() || only_serialization_data(map) {
                return Err(problem(format!(
                    "is an empty object {{}}: ConvertTo-Json cannot show sizes (ByteQuantifiedSize has no public properties); {REEXPORT_ADVICE}"
                )));
            }
            match wrapped(map) {
                Some(inner) => size_of(prop, inner),
                None => Err(problem(format!(
                    "is an object ({}) that holds no size",
                    keys(map)
                ))),
            }
        }
        Value::Null => Err(problem("is null in the export".into())),
        Value::Bool(b) => Err(problem(format!("is the boolean {b}, not a size"))),
        Value::Array(_) => Err(problem("is a list, not a size".into())),
    }
}

/// A size given as a bare number is bytes, but below 1 KB it is implausible for any Exchange
/// size limit: scripts often export sizes converted to MB ("36"), so it is not guessed.
fn bare_bytes(prop: &str, bytes: u64) -> Result<Size, ValueProblem> {
    if bytes < 1024 {
        return Err(ValueProblem::new(
            prop,
            format!(
                "{prop} is the bare number {bytes} without a unit: as bytes it is implausibly small, and exporting scripts often convert sizes to MB or KB; give the unit (e.g. {bytes}MB) or {REEXPORT_ADVICE}"
            ),
        ));
    }
    Ok(Size::Bytes(bytes))
}

// ---------------------------------------------------------------------------------------------
// Limit

/// An `Unlimited<int>` value (or a plain integer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Limit {
    /// A number.
    Value(i64),
    /// No limit.
    Unlimited,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Value(n) => write!(f, "{n}"),
            Limit::Unlimited => f.write_str("Unlimited"),
        }
    }
}

/// An `Unlimited<int>` property: integers, numeric strings, `"Unlimited"`, or objects with
/// `IsUnlimited`/`Value`.
pub fn limit(obj: &InventoryObject, prop: &str) -> Result<Limit, ValueProblem> {
    limit_of(prop, present(obj, prop)?)
}

fn limit_of(prop: &str, value: &Value) -> Result<Limit, ValueProblem> {
    let problem = |why: String| ValueProblem::new(prop, format!("{prop} {why}"));
    match value {
        Value::String(s) if s.trim().eq_ignore_ascii_case("unlimited") => Ok(Limit::Unlimited),
        Value::Object(map) if field(map, "IsUnlimited").is_some() => {
            match field(map, "IsUnlimited").and_then(bool_of) {
                Some(true) => Ok(Limit::Unlimited),
                Some(false) => match field(map, "Value") {
                    Some(v) => limit_of(prop, v),
                    None => Err(problem("is limited but its Value is missing".into())),
                },
                None => Err(problem(
                    "has an IsUnlimited that is not true or false".into(),
                )),
            }
        }
        Value::Object(map) => match wrapped(map) {
            Some(inner) => limit_of(prop, inner),
            None => Err(problem(format!(
                "is an object ({}) without IsUnlimited/Value",
                keys(map)
            ))),
        },
        other => integer_of(prop, other).map(Limit::Value),
    }
}

// ---------------------------------------------------------------------------------------------
// Scalars

/// A boolean property: JSON `true`/`false` or the strings `"True"`/`"False"` (any case).
pub fn boolean(obj: &InventoryObject, prop: &str) -> Result<bool, ValueProblem> {
    let value = present(obj, prop)?;
    match value {
        Value::Object(map) => wrapped(map).and_then(bool_of),
        other => bool_of(other),
    }
    .ok_or_else(|| ValueProblem::new(prop, format!("{prop} is {value}, not True or False")))
}

fn bool_of(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// An integer property: JSON integers, numeric strings, or `Unlimited<int>` objects that are
/// limited (an unlimited value is a problem: a number was expected).
pub fn integer(obj: &InventoryObject, prop: &str) -> Result<i64, ValueProblem> {
    integer_of(prop, present(obj, prop)?)
}

fn integer_of(prop: &str, value: &Value) -> Result<i64, ValueProblem> {
    let problem = |why: String| ValueProblem::new(prop, format!("{prop} {why}"));
    match value {
        Value::Object(map) if field(map, "IsUnlimited").is_some() => match limit_of(prop, value)? {
            Limit::Value(n) => Ok(n),
            Limit::Unlimited => Err(problem("is Unlimited, where a number is expected".into())),
        },
        Value::Object(map) => match wrapped(map) {
            Some(inner) => integer_of(prop, inner),
            None => Err(problem(format!(
                "is an object ({}), not a number",
                keys(map)
            ))),
        },
        Value::String(s) if s.trim().eq_ignore_ascii_case("unlimited") => {
            Err(problem("is Unlimited, where a number is expected".into()))
        }
        Value::Null => Err(problem("is null in the export".into())),
        other => number(other).ok_or_else(|| problem(format!("is {other}, not a whole number"))),
    }
}

/// A whole number from a JSON number or a numeric string.
fn number(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9e18)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A text property: `Ok(None)` for null, the string otherwise. Objects are rendered as their
/// .NET ToString where the shape is known (Identity `SERVER\Name`, IP ranges and bindings,
/// address spaces, smart hosts, certificate names, time spans, Unlimited values).
pub fn text(obj: &InventoryObject, prop: &str) -> Result<Option<String>, ValueProblem> {
    let value = present(obj, prop)?;
    if value.is_null() {
        return Ok(None);
    }
    to_text(value).map(Some).ok_or_else(|| {
        ValueProblem::new(
            prop,
            format!(
                "{prop} is {}, which exstig cannot read as text",
                describe(value)
            ),
        )
    })
}

/// A list property: arrays, `{"value": [...]}`, joined strings (`;`, `|`, `,` or spaces; a
/// Format-List `{a, b}`), with object items rendered as their ToString (`"0.0.0.0:25"`,
/// `"192.0.2.0/24"`, `"SMTP:*;1"`). Null reads as the empty list.
pub fn list(obj: &InventoryObject, prop: &str) -> Result<Vec<String>, ValueProblem> {
    list_of(prop, present(obj, prop)?)
}

fn list_of(prop: &str, value: &Value) -> Result<Vec<String>, ValueProblem> {
    let problem = |why: String| ValueProblem::new(prop, format!("{prop} {why}"));
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                to_text(item).ok_or_else(|| {
                    problem(format!(
                        "item {} is {}, which exstig cannot read as text",
                        i + 1,
                        describe(item)
                    ))
                })
            })
            .collect(),
        Value::String(s) => split_joined(s).map_err(problem),
        Value::Object(map) => {
            if let Some(inner) = field(map, "value").filter(|v| v.is_array()) {
                return list_of(prop, inner);
            }
            match to_text(value) {
                Some(single) => Ok(vec![single]),
                None => Err(problem(format!("is {}, not a list", describe(value)))),
            }
        }
        other => Ok(vec![other.to_string()]),
    }
}

/// Splits a joined list string.
fn split_joined(text: &str) -> Result<Vec<String>, String> {
    let trimmed = text.trim();
    if trimmed.starts_with("Microsoft.Exchange.Data.MultiValuedProperty")
        || trimmed.starts_with("Microsoft.Exchange.Data.Directory.ADMultiValuedProperty")
        || trimmed.starts_with("System.Collections.")
        || trimmed.starts_with("System.Object[]")
    {
        return Err(format!(
            "holds the type name '{trimmed}' instead of the values (Export-Csv of a multi-valued property); {REEXPORT_ADVICE}"
        ));
    }
    let (inner, braced) = match trimmed.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        Some(inner) => (inner.trim(), true),
        None => (trimmed, false),
    };
    if braced && (inner.ends_with("...") || inner.ends_with('…')) {
        return Err(format!(
            "was cut short by Format-List ('{trimmed}' ends with ...); set $FormatEnumerationLimit = -1 before exporting, or {REEXPORT_ADVICE}"
        ));
    }
    if inner.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(spaces) = address_spaces(inner) {
        return Ok(spaces);
    }
    // Format-List joins with ", "; scripts join with ';', '|' or ','; remoting with spaces.
    let separator: &[char] = if braced {
        &[',']
    } else if inner.contains(';') {
        &[';']
    } else if inner.contains('|') {
        &['|']
    } else if inner.contains(',') {
        &[',']
    } else {
        &[' ', '\t', '\r', '\n']
    };
    Ok(inner
        .split(separator)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect())
}

/// Address spaces (`SMTP:*;1`, whose `;` is part of each item) joined by any separator, or
/// `None` when the text is not only address spaces.
fn address_spaces(text: &str) -> Option<Vec<String>> {
    if !text.contains(';') || !text.contains(':') {
        return None;
    }
    let mut items: Vec<String> = Vec::new();
    for chunk in text.split([',', '|', ' ', '\t', '\r', '\n']) {
        for piece in chunk.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match items.last_mut() {
                Some(last) if piece.bytes().all(|b| b.is_ascii_digit()) && !last.contains(';') => {
                    last.push(';');
                    last.push_str(piece);
                }
                _ => items.push(piece.to_string()),
            }
        }
    }
    let is_space = |item: &String| {
        let Some((kind, rest)) = item.split_once(':') else {
            return false;
        };
        let Some((address, cost)) = rest.rsplit_once(';') else {
            return false;
        };
        !kind.is_empty()
            && kind.bytes().all(|b| b.is_ascii_alphanumeric())
            && !address.is_empty()
            && !cost.is_empty()
            && cost.bytes().all(|b| b.is_ascii_digit())
    };
    (!items.is_empty() && items.iter().all(is_space)).then_some(items)
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// The property, or the "missing from the export" problem.
fn present<'a>(obj: &'a InventoryObject, prop: &str) -> Result<&'a Value, ValueProblem> {
    obj.get(prop).ok_or_else(|| ValueProblem::missing(prop))
}

/// A key of a JSON object, case-insensitively.
fn field<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// The scalar inside a PowerShell wrapper object: `{"value": x, ...}` (Windows PowerShell 5.1
/// for PSObject-wrapped values) or `{"ToString": "..."}` (exstig's CliXML reading).
fn wrapped(map: &Map<String, Value>) -> Option<&Value> {
    field(map, "value")
        .filter(|v| !v.is_object())
        .or_else(|| field(map, "ToString"))
}

/// Whether the object only carries Exchange's `SerializationData` blob.
fn only_serialization_data(map: &Map<String, Value>) -> bool {
    map.keys()
        .all(|k| k.eq_ignore_ascii_case("SerializationData"))
}

/// The property names of an object, for messages.
fn keys(map: &Map<String, Value>) -> String {
    if map.is_empty() {
        return "no properties".to_string();
    }
    let mut names: Vec<&str> = map.keys().map(String::as_str).take(6).collect();
    if map.len() > 6 {
        names.push("...");
    }
    format!("properties {}", names.join(", "))
}

/// A short description of a value, for messages.
fn describe(value: &Value) -> String {
    match value {
        Value::Object(map) if map.is_empty() => "an empty object {}".to_string(),
        Value::Object(map) => format!("an object with {}", keys(map)),
        Value::Array(items) => format!("a list of {} items", items.len()),
        other => other.to_string(),
    }
}

/// The .NET ToString of a value where its shape is known; `None` otherwise.
pub fn to_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some(String::new()),
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(if *b { "True" } else { "False" }.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => items
            .iter()
            .map(to_text)
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join(", ")),
        Value::Object(map) => object_text(map),
    }
}

/// ToString of the Exchange object shapes that `ConvertTo-Json` turns into property objects.
fn object_text(map: &Map<String, Value>) -> Option<String> {
    let get = |k: &str| field(map, k);
    let string = |k: &str| get(k).and_then(to_text).filter(|s| !s.is_empty());
    if let Some(s) = get("ToString").and_then(Value::as_str) {
        return Some(s.to_string());
    }
    if let Some(v) = get("value").filter(|v| !v.is_object()) {
        return to_text(v);
    }
    // Unlimited<T>
    if let Some(unlimited) = get("IsUnlimited").and_then(bool_of) {
        return if unlimited {
            Some("Unlimited".to_string())
        } else {
            get("Value").and_then(to_text)
        };
    }
    // IPRange
    if let Some(expression) = string("Expression") {
        return Some(expression);
    }
    // IPAddress
    if let Some(address) = string("IPAddressToString") {
        return Some(address);
    }
    // AddressSpace: Type:Address;Cost
    if let (Some(kind), Some(address), Some(cost)) =
        (string("Type"), string("Address"), string("Cost"))
    {
        return Some(format!("{kind}:{address};{cost}"));
    }
    // IPBinding / IPEndPoint
    if let (Some(address), Some(port)) = (string("Address"), get("Port").and_then(number)) {
        return Some(if address.contains(':') {
            format!("[{address}]:{port}")
        } else {
            format!("{address}:{port}")
        });
    }
    // SmartHost
    if let Some(is_ip) = get("IsIPAddress").and_then(bool_of) {
        return if is_ip {
            string("Address").map(|a| {
                if a.starts_with('[') {
                    a
                } else {
                    format!("[{a}]")
                }
            })
        } else {
            string("Domain").or_else(|| string("Address"))
        };
    }
    // SmtpX509Identifier: <I>issuer<S>subject
    if let Some(subject) = string("CertificateSubject") {
        let issuer = string("CertificateIssuer")
            .map(|i| format!("<I>{i}"))
            .unwrap_or_default();
        return Some(format!("{issuer}<S>{subject}"));
    }
    // SmtpReceiveDomainCapabilities: domain:capabilities
    if let (Some(domain), Some(capabilities)) = (
        string("Domain"),
        get("Capabilities").and_then(Value::as_str),
    ) {
        return Some(format!("{domain}:{capabilities}"));
    }
    // Fqdn / SmtpDomain
    if let Some(domain) = string("Domain") {
        return Some(domain);
    }
    // EnhancedTimeSpan
    if get("Ticks").is_some() {
        return get("Ticks")
            .and_then(number)
            .map(|t| TimeSpan(t).to_string());
    }
    // ADObjectId: SERVER\Name for objects under CN=Protocols,CN=<server>, the name otherwise
    if let Some(name) = string("Name") {
        if let Some(server) = string("DistinguishedName")
            .as_deref()
            .and_then(server_of_dn)
        {
            return Some(format!("{server}\\{name}"));
        }
        return Some(name);
    }
    None
}

/// The address of a smart host as Exchange shows it: `[192.0.2.25]` for IP addresses (the
/// brackets removed here), the host name otherwise. For comparing with site values.
pub fn smart_host_address(shown: &str) -> &str {
    let shown = shown.trim();
    shown
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(shown)
}

/// The server of a distinguished name under `CN=Protocols,CN=<server>,CN=Servers`.
pub fn server_of_dn(dn: &str) -> Option<String> {
    let lower = dn.to_ascii_lowercase();
    let at = lower.find(",cn=protocols,cn=")? + ",cn=protocols,cn=".len();
    let rest = &dn[at..];
    let end = rest.find(',').unwrap_or(rest.len());
    let server = rest[..end].trim();
    (!server.is_empty()).then(|| server.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Fidelity, ObjectKind};
    use serde_json::json;
    use std::path::PathBuf;

    fn obj(value: Value) -> InventoryObject {
        let mut properties = Map::new();
        properties.insert("P".to_string(), value);
        InventoryObject {
            kind: ObjectKind::ReceiveConnector,
            source: PathBuf::from("t.json"),
            index: 0,
            fidelity: Fidelity::Exact,
            properties,
        }
    }

    fn auth(value: Value) -> Result<String, String> {
        flags(&obj(value), "P", &AUTH_MECHANISM)
            .map(|s| AUTH_MECHANISM.display(&s))
            .map_err(|p| p.to_string())
    }

    #[test]
    fn flags_from_integers() {
        assert_eq!(
            auth(json!(31)).unwrap(),
            "Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer"
        );
        assert_eq!(auth(json!(1)).unwrap(), "Tls");
        assert_eq!(auth(json!(0)).unwrap(), "None");
        assert_eq!(auth(json!("17")).unwrap(), "Tls, ExchangeServer");
        let e = auth(json!(64)).unwrap_err();
        assert!(e.contains("bits not defined") && e.contains("64"), "{e}");
        assert!(auth(json!(-1)).unwrap_err().contains("negative"));
        assert!(auth(json!(1.5)).unwrap_err().contains("not a whole number"));
    }

    #[test]
    fn flags_from_names_any_case_order_separator() {
        assert_eq!(auth(json!("Tls, BasicAuth")).unwrap(), "Tls, BasicAuth");
        assert_eq!(auth(json!("basicauth,TLS")).unwrap(), "Tls, BasicAuth");
        assert_eq!(
            auth(json!("  ExchangeServer ,Tls ")).unwrap(),
            "Tls, ExchangeServer"
        );
        assert_eq!(auth(json!("None")).unwrap(), "None");
        assert_eq!(auth(json!("{Tls, Integrated}")).unwrap(), "Tls, Integrated");
        assert_eq!(auth(json!(["Tls", "BasicAuth"])).unwrap(), "Tls, BasicAuth");
        assert_eq!(
            auth(json!({"value": 5, "Count": 1})).unwrap(),
            "Tls, BasicAuth"
        );
        assert_eq!(auth(json!({"ToString": "Tls"})).unwrap(), "Tls");
        let e = auth(json!("Tlss, BasicAuth")).unwrap_err();
        assert!(e.starts_with("unknown P name 'Tlss'"), "{e}");
        assert!(auth(json!("")).unwrap_err().contains("empty"));
        assert!(auth(Value::Null).unwrap_err().contains("null"));
        assert!(auth(json!(true)).unwrap_err().contains("boolean"));
    }

    #[test]
    fn flags_tables() {
        let pg = |v| flags(&obj(v), "P", &PERMISSION_GROUPS).map(|s| PERMISSION_GROUPS.display(&s));
        assert_eq!(
            pg(json!(13)).unwrap(),
            "AnonymousUsers, ExchangeServers, ExchangeLegacyServers"
        );
        assert_eq!(
            pg(json!("AnonymousUsers, Custom")).unwrap(),
            "AnonymousUsers, Custom"
        );
        assert!(pg(json!(64)).is_err());
        let role = |v| flags(&obj(v), "P", &TRANSPORT_ROLE).map(|s| TRANSPORT_ROLE.display(&s));
        assert_eq!(role(json!(16384)).unwrap(), "FrontendTransport");
        assert_eq!(role(json!(32)).unwrap(), "HubTransport");
        assert_eq!(role(json!("hubtransport")).unwrap(), "HubTransport");
        assert!(role(json!(8)).is_err());
        let tls = |v| flags(&obj(v), "P", &TLS_AUTH_LEVEL);
        assert!(tls(Value::Null).unwrap().is_empty());
        assert_eq!(TLS_AUTH_LEVEL.display(&BTreeSet::new()), "(not set)");
        assert_eq!(tls(json!(4)).unwrap(), BTreeSet::from(["DomainValidation"]));
        assert_eq!(
            tls(json!("certificatevalidation")).unwrap(),
            BTreeSet::from(["CertificateValidation"])
        );
        assert!(tls(json!(0)).is_err());
        assert!(tls(json!(8)).is_err());
    }

    #[test]
    fn missing_property_is_a_problem() {
        let o = obj(json!(1));
        let e = flags(&o, "AuthMechanism", &AUTH_MECHANISM).unwrap_err();
        assert_eq!(e.to_string(), "AuthMechanism is missing from the export");
        assert_eq!(e.property, "AuthMechanism");
        assert!(timespan(&o, "X").is_err() && size(&o, "X").is_err() && limit(&o, "X").is_err());
        assert!(boolean(&o, "X").is_err() && integer(&o, "X").is_err());
        assert!(text(&o, "X").is_err() && list(&o, "X").is_err());
        // property lookup is case-insensitive
        assert_eq!(integer(&o, "p").unwrap(), 1);
    }

    fn ts(v: Value) -> Result<TimeSpan, ValueProblem> {
        timespan(&obj(v), "P")
    }

    #[test]
    fn timespans_from_text() {
        assert_eq!(ts(json!("00:10:00")).unwrap(), TimeSpan::from_seconds(600));
        assert_eq!(
            ts(json!("1.00:00:00")).unwrap(),
            TimeSpan::from_seconds(86_400)
        );
        assert_eq!(ts(json!("-00:00:01")).unwrap(), TimeSpan::from_seconds(-1));
        assert_eq!(
            ts(json!("1:02:03:04")).unwrap(),
            TimeSpan::from_seconds(93_784)
        );
        assert_eq!(ts(json!("00:00:00.5")).unwrap(), TimeSpan(5_000_000));
        assert_eq!(ts(json!("00:00:00.0000001")).unwrap(), TimeSpan(1));
        assert_eq!(ts(json!("PT10M")).unwrap(), TimeSpan::from_seconds(600));
        assert_eq!(ts(json!("PT9.0269026S")).unwrap(), TimeSpan(90_269_026));
        assert_eq!(
            ts(json!("-P1DT2H")).unwrap(),
            TimeSpan::from_seconds(-(86_400 + 7_200))
        );
        assert_eq!(ts(json!("P2D")).unwrap(), TimeSpan::from_seconds(172_800));
        for bad in [
            "",
            "10",
            "00:60:00",
            "24:00:00",
            "ab:cd:ef",
            "P",
            "PT",
            "P1Y",
            "PT1.5M",
            "00:00:00.12345678",
            "1.2.3",
        ] {
            assert!(ts(json!(bad)).is_err(), "{bad} must not parse");
        }
        assert!(ts(json!(600)).unwrap_err().to_string().contains("no unit"));
        assert!(ts(Value::Null).is_err());
    }

    #[test]
    fn timespans_from_objects() {
        let full = json!({"Days":0,"Hours":0,"Milliseconds":0,"Minutes":10,"Seconds":0,"Ticks":6000000000i64,"TotalDays":0.0069,"Sign":1});
        assert_eq!(ts(full).unwrap(), TimeSpan::from_seconds(600));
        assert_eq!(
            ts(json!({"Ticks": "50000000"})).unwrap(),
            TimeSpan::from_seconds(5)
        );
        assert_eq!(
            ts(json!({"Days": 1, "Hours": 2, "Minutes": 3, "Seconds": 4, "Milliseconds": 5}))
                .unwrap(),
            TimeSpan(937_840_050_000)
        );
        assert_eq!(
            ts(json!({"ToString": "00:00:05"})).unwrap(),
            TimeSpan::from_seconds(5)
        );
        assert!(ts(json!({})).is_err());
        assert!(ts(json!({"Ticks": "x"})).is_err());
    }

    #[test]
    fn timespan_display_and_order() {
        assert_eq!(TimeSpan::from_seconds(600).to_string(), "00:10:00");
        assert_eq!(TimeSpan::from_seconds(86_400).to_string(), "1.00:00:00");
        assert_eq!(TimeSpan::from_seconds(-1).to_string(), "-00:00:01");
        assert_eq!(TimeSpan(90_269_026).to_string(), "00:00:09.0269026");
        assert!(TimeSpan::parse("00:00:05").unwrap() >= TimeSpan::from_seconds(5));
        assert!(TimeSpan::parse("00:00:04.9999999").unwrap() < TimeSpan::from_seconds(5));
        assert_eq!(TimeSpan::parse("1.00:00:00").unwrap().seconds(), 86_400);
    }

    fn sz(v: Value) -> Result<Size, ValueProblem> {
        size(&obj(v), "P")
    }

    #[test]
    fn sizes_in_every_shape() {
        let mb36 = Size::Bytes(37_748_736);
        assert_eq!(sz(json!("36 MB (37,748,736 bytes)")).unwrap(), mb36);
        assert_eq!(sz(json!("36MB")).unwrap(), mb36);
        assert_eq!(sz(json!("36 mb")).unwrap(), mb36);
        assert_eq!(sz(json!(37_748_736)).unwrap(), mb36);
        assert_eq!(sz(json!("37748736")).unwrap(), mb36);
        assert_eq!(sz(json!("1.5GB")).unwrap(), Size::Bytes(1_610_612_736));
        assert_eq!(sz(json!("256KB")).unwrap(), Size::Bytes(262_144));
        assert_eq!(sz(json!("512 B (512 bytes)")).unwrap(), Size::Bytes(512));
        assert_eq!(
            sz(json!("10 MB (10.485.760 bytes)")).unwrap(),
            Size::Bytes(10_485_760)
        );
        assert_eq!(sz(json!("Unlimited")).unwrap(), Size::Unlimited);
        assert_eq!(
            sz(json!({"IsUnlimited": true, "Value": null})).unwrap(),
            Size::Unlimited
        );
        assert_eq!(
            sz(json!({"IsUnlimited": false, "Value": "35 MB (36,700,160 bytes)"})).unwrap(),
            Size::Bytes(36_700_160)
        );
        assert_eq!(
            sz(json!({"IsUnlimited": "False", "Value": 10485760})).unwrap(),
            Size::Bytes(10_485_760)
        );
        assert_eq!(
            sz(json!({"ToString": "36 MB (37,748,736 bytes)"})).unwrap(),
            mb36
        );
        let e = sz(json!({})).unwrap_err().to_string();
        assert!(
            e.starts_with("P is an empty object {}: ConvertTo-Json cannot show sizes"),
            "{e}"
        );
        assert!(e.contains("re-export"), "{e}");
        assert!(
            sz(json!({"IsUnlimited": false, "Value": {}}))
                .unwrap_err()
                .to_string()
                .contains("re-export")
        );
        assert!(
            sz(json!({"SerializationData": [1, 2]}))
                .unwrap_err()
                .to_string()
                .contains("re-export")
        );
        for bad in ["", "36 XB", "MB", "1.2.3 MB", "36 MB (lots)", "-5"] {
            assert!(sz(json!(bad)).is_err(), "{bad} must not parse");
        }
        assert!(sz(json!(-5)).is_err());
        let e = sz(json!("36")).unwrap_err().to_string();
        assert!(e.contains("bare number 36") && e.contains("MB"), "{e}");
        assert!(sz(json!(36)).is_err());
        assert_eq!(sz(json!(1024)).unwrap(), Size::Bytes(1024));
        assert!(sz(json!({"IsUnlimited": false})).is_err());
    }

    #[test]
    fn size_display_as_exchange() {
        assert_eq!(
            Size::Bytes(10_485_760).to_string(),
            "10 MB (10,485,760 bytes)"
        );
        assert_eq!(Size::Bytes(262_144).to_string(), "256 KB (262,144 bytes)");
        assert_eq!(
            Size::Bytes(1_610_612_736).to_string(),
            "1.5 GB (1,610,612,736 bytes)"
        );
        assert_eq!(Size::Bytes(512).to_string(), "512 B (512 bytes)");
        assert_eq!(Size::Bytes(0).to_string(), "0 B (0 bytes)");
        assert_eq!(Size::Unlimited.to_string(), "Unlimited");
        assert!(Size::Bytes(u64::MAX) < Size::Unlimited);
        for s in [
            Size::Bytes(37_748_736),
            Size::Bytes(1_234_567),
            Size::Unlimited,
        ] {
            assert_eq!(Size::parse(&s.to_string()), Some(s));
        }
    }

    #[test]
    fn limits() {
        let l = |v| limit(&obj(v), "P");
        assert_eq!(l(json!(5000)).unwrap(), Limit::Value(5000));
        assert_eq!(l(json!("5000")).unwrap(), Limit::Value(5000));
        assert_eq!(l(json!("unlimited")).unwrap(), Limit::Unlimited);
        assert_eq!(
            l(json!({"IsUnlimited": true, "Value": null})).unwrap(),
            Limit::Unlimited
        );
        assert_eq!(
            l(json!({"IsUnlimited": false, "Value": 20})).unwrap(),
            Limit::Value(20)
        );
        assert_eq!(Limit::Unlimited.to_string(), "Unlimited");
        assert!(l(json!("lots")).is_err());
        assert!(l(json!({"IsUnlimited": false})).is_err());
        assert!(l(json!({})).is_err());
    }

    #[test]
    fn booleans_and_integers() {
        let b = |v| boolean(&obj(v), "P");
        assert!(b(json!(true)).unwrap());
        assert!(b(json!("True")).unwrap());
        assert!(!b(json!("false")).unwrap());
        assert!(b(json!("yes")).is_err());
        assert!(b(json!(1)).is_err());
        assert!(b(Value::Null).is_err());
        let i = |v| integer(&obj(v), "P");
        assert_eq!(i(json!(60)).unwrap(), 60);
        assert_eq!(i(json!("60")).unwrap(), 60);
        assert_eq!(i(json!(60.0)).unwrap(), 60);
        assert_eq!(
            i(json!({"IsUnlimited": false, "Value": 1000})).unwrap(),
            1000
        );
        assert!(
            i(json!({"IsUnlimited": true}))
                .unwrap_err()
                .to_string()
                .contains("Unlimited")
        );
        assert!(i(json!("Unlimited")).is_err());
        assert!(i(json!(6.5)).is_err());
        assert!(i(json!("sixty")).is_err());
        assert!(i(Value::Null).is_err());
    }

    #[test]
    fn text_values_and_object_tostrings() {
        let t = |v| text(&obj(v), "P");
        assert_eq!(
            t(json!("220 SMTP Server Ready")).unwrap().as_deref(),
            Some("220 SMTP Server Ready")
        );
        assert_eq!(t(json!("")).unwrap().as_deref(), Some(""));
        assert_eq!(t(Value::Null).unwrap(), None);
        assert_eq!(t(json!(25)).unwrap().as_deref(), Some("25"));
        let identity = json!({"Name": "Default Frontend MBX01", "DistinguishedName": "CN=Default Frontend MBX01,CN=SMTP Receive Connectors,CN=Protocols,CN=MBX01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Example,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=example,DC=mil"});
        assert_eq!(
            t(identity).unwrap().as_deref(),
            Some("MBX01\\Default Frontend MBX01")
        );
        let send = json!({"Name": "Internet", "DistinguishedName": "CN=Internet,CN=Connections,CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups"});
        assert_eq!(t(send).unwrap().as_deref(), Some("Internet"));
        assert_eq!(
            t(json!({"CertificateIssuer": "CN=CA", "CertificateSubject": "CN=mail"}))
                .unwrap()
                .as_deref(),
            Some("<I>CN=CA<S>CN=mail")
        );
        assert_eq!(
            t(json!({"Domain": "mail.example.mil", "IsLocal": false}))
                .unwrap()
                .as_deref(),
            Some("mail.example.mil")
        );
        assert_eq!(
            t(json!({"Ticks": 50000000})).unwrap().as_deref(),
            Some("00:00:05")
        );
        let e = t(json!({"Foo": 1})).unwrap_err().to_string();
        assert!(e.contains("cannot read as text"), "{e}");
        assert!(t(json!({})).is_err());
    }

    #[test]
    fn lists_in_every_shape() {
        let l = |v| list(&obj(v), "P");
        assert_eq!(
            l(json!(["[::]:25", "0.0.0.0:25"])).unwrap(),
            ["[::]:25", "0.0.0.0:25"]
        );
        assert_eq!(
            l(json!({"value": ["a", "b"], "Count": 2})).unwrap(),
            ["a", "b"]
        );
        assert_eq!(
            l(json!("192.0.2.10;192.0.2.11")).unwrap(),
            ["192.0.2.10", "192.0.2.11"]
        );
        assert_eq!(l(json!("a|b")).unwrap(), ["a", "b"]);
        assert_eq!(l(json!("a, b")).unwrap(), ["a", "b"]);
        assert_eq!(
            l(json!("[::]:25 0.0.0.0:25")).unwrap(),
            ["[::]:25", "0.0.0.0:25"]
        );
        assert_eq!(l(json!("{0.0.0.0:587}")).unwrap(), ["0.0.0.0:587"]);
        assert_eq!(
            l(json!("{[::]:25, 0.0.0.0:25}")).unwrap(),
            ["[::]:25", "0.0.0.0:25"]
        );
        assert_eq!(l(json!("{}")).unwrap(), Vec::<String>::new());
        assert_eq!(l(json!("")).unwrap(), Vec::<String>::new());
        assert_eq!(l(json!([])).unwrap(), Vec::<String>::new());
        assert_eq!(l(Value::Null).unwrap(), Vec::<String>::new());
        assert_eq!(l(json!("single")).unwrap(), ["single"]);
        let bindings = json!([{"Port": 25, "AddressFamily": 23, "Address": "::"}, {"Port": 25, "AddressFamily": 2, "Address": "0.0.0.0"}]);
        assert_eq!(l(bindings).unwrap(), ["[::]:25", "0.0.0.0:25"]);
        let ranges = json!([{"LowerBound": "192.0.2.0", "UpperBound": "192.0.2.255", "RangeFormat": 1, "Expression": "192.0.2.0/24"}]);
        assert_eq!(l(ranges).unwrap(), ["192.0.2.0/24"]);
        let spaces =
            json!([{"Address": "*", "Type": "SMTP", "Cost": 1, "IncludeSubDomains": false}]);
        assert_eq!(l(spaces).unwrap(), ["SMTP:*;1"]);
        let hosts = json!([{"Address": null, "IsIPAddress": false, "Domain": {"Domain": "relay.example.mil"}}, {"Address": "192.0.2.25", "IsIPAddress": true, "Domain": null}]);
        assert_eq!(l(hosts).unwrap(), ["relay.example.mil", "[192.0.2.25]"]);
        let e = l(json!("{a, b, c, d...}")).unwrap_err().to_string();
        assert!(e.contains("cut short"), "{e}");
        let e = l(json!(
            "Microsoft.Exchange.Data.MultiValuedProperty`1[Microsoft.Exchange.Data.IPRange]"
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("type name"), "{e}");
        assert!(
            l(json!([{"Foo": 1}]))
                .unwrap_err()
                .to_string()
                .contains("item 1")
        );
        // address spaces carry their own ';'
        assert_eq!(l(json!("SMTP:*;1")).unwrap(), ["SMTP:*;1"]);
        assert_eq!(
            l(json!("SMTP:*;1;smtp:example.mil;10")).unwrap(),
            ["SMTP:*;1", "smtp:example.mil;10"]
        );
        assert_eq!(
            l(json!("SMTP:*;1 smtp:example.mil;10")).unwrap(),
            ["SMTP:*;1", "smtp:example.mil;10"]
        );
        assert_eq!(
            l(json!("{SMTP:*;1, smtp:--;100}")).unwrap(),
            ["SMTP:*;1", "smtp:--;100"]
        );
        assert_eq!(
            l(json!("SMTP:*;1|smtp:a.example.mil;5")).unwrap(),
            ["SMTP:*;1", "smtp:a.example.mil;5"]
        );
        // other ';'-joined lists are not taken for address spaces
        assert_eq!(
            l(json!("0.0.0.0:25;[::]:25")).unwrap(),
            ["0.0.0.0:25", "[::]:25"]
        );
        assert_eq!(l(json!("{CN=a, b}")).unwrap(), ["CN=a", "b"]);
    }

    #[test]
    fn smart_host_addresses() {
        assert_eq!(smart_host_address("[192.0.2.25]"), "192.0.2.25");
        assert_eq!(
            smart_host_address(" relay.example.mil "),
            "relay.example.mil"
        );
    }

    #[test]
    fn server_from_distinguished_name() {
        assert_eq!(
            server_of_dn("CN=Relay,CN=SMTP Receive Connectors,CN=Protocols,CN=EDGE01,CN=Servers")
                .as_deref(),
            Some("EDGE01")
        );
        assert_eq!(server_of_dn("CN=Internet,CN=Connections"), None);
    }
}
