//! The declaration of a check ([`CheckSpec`]) and of a rule family ([`Family`]): what a check
//! reads, how the generic core compares it, the STIG value it falls back on, and, for a rule the
//! generic comparisons cannot judge, the family's own judge function.
//!
//! A simple property rule is one declarative entry:
//! `CheckSpec::property("antispam.blank-sender", "-", K::SenderFilterConfig,
//! &["BlankSenderBlockingEnabled"], V::Bool).default(StigValue::Bool(true))` binds any rule whose
//! check runs the kind's cmdlet and selects that property, reads the expected value from the
//! check text (or the catalog's check terms, or the default), and judges every object of the kind.

use super::judge::{self, Context, Judgement};
use super::{Binding, RuleText};
use crate::inventory::values::{FlagTable, Size, TimeSpan};
use crate::inventory::{InventoryObject, ObjectKind, ServerRole};
use std::collections::BTreeSet;

/// The shape of the value a check reads.
#[derive(Debug, Clone, Copy)]
pub enum ValueType {
    /// A time span (`00:05:00`).
    Time,
    /// A whole number or `Unlimited` (`Unlimited<int>` or int).
    Limit,
    /// A byte size (`10MB`).
    Size,
    /// `True` / `False`.
    Bool,
    /// An exact string.
    Text,
    /// A flags enumeration.
    Flags(&'static FlagTable),
    /// No single value (lists, names, several properties).
    Other,
}

impl PartialEq for ValueType {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ValueType::Flags(a), ValueType::Flags(b)) => std::ptr::eq(*a, *b),
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

impl Eq for ValueType {}

/// How the actual value is compared with the expected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Equal (flags: the same set).
    Equal,
    /// At least the expected value.
    AtLeast,
    /// At most the expected value.
    AtMost,
    /// The flag set includes the expected flags (other flags allowed).
    Includes,
    /// The flag set lacks the expected flags.
    Excludes,
    /// Equal to an organization-wide TransportConfig value (or the site value).
    SameAsGlobal,
    /// Human judgement of the object names.
    Naming,
    /// The family judges the rule itself ([`CheckSpec::judge`]); [`CheckSpec::summary`] says how.
    Custom,
}

/// A STIG value as a check declaration writes it (a constant form of [`Expected`]).
#[derive(Debug, Clone, Copy)]
pub enum StigValue {
    /// A time span in seconds.
    Seconds(i64),
    /// A time span in seconds that differs on Edge servers.
    SecondsByRole {
        /// On Edge servers.
        edge: i64,
        /// On every other role.
        other: i64,
    },
    /// A whole number.
    Number(i64),
    /// A boolean.
    Bool(bool),
    /// A string.
    Text(&'static str),
    /// A set of flag names.
    Flags(&'static [&'static str]),
    /// A size in megabytes.
    Megabytes(u64),
    /// An unlimited size (`Unlimited<ByteQuantifiedSize>`).
    UnlimitedSize,
}

impl StigValue {
    /// The value as an [`Expected`] for a server of `role`.
    pub fn expected(self, role: Option<ServerRole>) -> Expected {
        match self {
            StigValue::Seconds(s) => Expected::Time(TimeSpan::from_seconds(s)),
            StigValue::SecondsByRole { edge, other } => {
                Expected::Time(TimeSpan::from_seconds(if role == Some(ServerRole::Edge) {
                    edge
                } else {
                    other
                }))
            }
            StigValue::Number(n) => Expected::Number(n),
            StigValue::Bool(b) => Expected::Bool(b),
            StigValue::Text(t) => Expected::Text(t.to_string()),
            StigValue::Flags(names) => Expected::Flags(names.iter().copied().collect()),
            StigValue::Megabytes(mb) => Expected::Size(Size::Bytes(mb << 20)),
            StigValue::UnlimitedSize => Expected::Size(Size::Unlimited),
        }
    }
}

/// The expected value of a bound rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// A time span.
    Time(TimeSpan),
    /// A whole number.
    Number(i64),
    /// `Unlimited` (an EDSP value of an `Unlimited<int>` setting).
    Unlimited,
    /// A byte size.
    Size(Size),
    /// A boolean.
    Bool(bool),
    /// A string.
    Text(String),
    /// A set of flags.
    Flags(BTreeSet<&'static str>),
}

impl Expected {
    /// The value as the STIG writes it.
    pub fn display(&self, value: ValueType) -> String {
        match self {
            Expected::Time(t) => t.to_string(),
            Expected::Number(n) => n.to_string(),
            Expected::Unlimited => "Unlimited".to_string(),
            Expected::Size(s) => s.to_string(),
            Expected::Bool(b) => if *b { "True" } else { "False" }.to_string(),
            Expected::Text(t) => format!("\"{t}\""),
            Expected::Flags(set) => match value {
                ValueType::Flags(table) => table.display(set),
                _ => set.iter().copied().collect::<Vec<_>>().join(", "),
            },
        }
    }
}

/// Judges one object against a bound rule.
pub type JudgeFn = fn(&Binding, &InventoryObject, &Context) -> Judgement;

/// Judges all objects of the kind together: a rule about the set ("an enabled Malware Agent
/// exists"), one details line for the whole set.
pub type JudgeSetFn = fn(&Binding, &[&InventoryObject], &Context) -> Judgement;

/// A family's own reading of a rule's text, run after the core bound it (expected value and
/// title scope) and before the core reads allowances (EDSP, deviations, applicability notes).
pub type RefineFn = fn(&mut Binding, &RuleText);

/// One of exstig's checks: what it reads and how it judges.
#[derive(Debug)]
pub struct CheckSpec {
    /// Stable check name, shown in `exstig rules` and results (`receive.connection-timeout`).
    pub id: &'static str,
    /// The research concept key (`RC-01`), for documentation.
    pub concept: &'static str,
    /// The kind of object the check reads.
    pub kind: ObjectKind,
    /// The property the check reads (the first of `keys`).
    pub property: &'static str,
    /// Property names that identify the check in a rule's check text.
    pub keys: &'static [&'static str],
    /// The value shape.
    pub value: ValueType,
    /// The comparison.
    pub comparison: Comparison,
    /// The `[values]` key of the site file that may replace the STIG value (EDSP), or the
    /// organization's value a family judge needs.
    pub site_key: Option<&'static str>,
    /// The STIG value when the benchmark names none (catalog rules without check terms).
    pub default: Option<StigValue>,
    /// `default` is the rule's value whatever the text says (the check text names it as the
    /// thing to look for, not after "set to").
    pub fixed: bool,
    /// The property takes no `Unlimited` (a Receive connector's MaxMessageSize): a fix never
    /// suggests it.
    pub finite: bool,
    /// [`Comparison::SameAsGlobal`]: the TransportConfig property compared with.
    pub global: Option<&'static str>,
    /// Judges one object.
    pub judge: JudgeFn,
    /// Judges the whole set instead (then `judge` is not used).
    pub judge_set: Option<JudgeSetFn>,
    /// The cmdlet of the fix when it is not `Set-` and the noun of the check's cmdlet
    /// (`Enable-TransportAgent`).
    pub fix_cmdlet: Option<&'static str>,
    /// How a [`Comparison::Custom`] check decides, for `exstig rules`.
    pub summary: Option<&'static str>,
    /// Title words that bind a rule to this check before any cmdlet does (rules whose check
    /// is no cmdlet: partitions, ACLs, services): the rule binds when its lowercase title
    /// holds every phrase of any one set.
    pub titles: &'static [&'static [&'static str]],
}

impl CheckSpec {
    /// The generic simple-property check: `keys[0]` of each object of `kind`, equal to the value
    /// the check text states (chain [`Self::at_least`] and the like for other comparisons).
    pub const fn property(
        id: &'static str,
        concept: &'static str,
        kind: ObjectKind,
        keys: &'static [&'static str],
        value: ValueType,
    ) -> Self {
        CheckSpec {
            id,
            concept,
            kind,
            property: keys[0],
            keys,
            value,
            comparison: Comparison::Equal,
            site_key: None,
            default: None,
            fixed: false,
            finite: false,
            global: None,
            judge: judge::compare,
            judge_set: None,
            fix_cmdlet: None,
            summary: None,
            titles: &[],
        }
    }

    /// A rule that asks a person to judge the objects' names (Not_Reviewed with the names).
    pub const fn naming(id: &'static str, concept: &'static str, kind: ObjectKind) -> Self {
        let mut spec = Self::property(id, concept, kind, &["Name"], ValueType::Other);
        spec.comparison = Comparison::Naming;
        spec.judge = judge::naming;
        spec
    }

    /// The value must be at least the expected one.
    pub const fn at_least(mut self) -> Self {
        self.comparison = Comparison::AtLeast;
        self
    }

    /// The value must be at most the expected one.
    pub const fn at_most(mut self) -> Self {
        self.comparison = Comparison::AtMost;
        self
    }

    /// The flag set must lack `flags` (the rule's value whatever the text says).
    pub const fn excludes(mut self, flags: &'static [&'static str]) -> Self {
        self.comparison = Comparison::Excludes;
        self.default = Some(StigValue::Flags(flags));
        self.fixed = true;
        self
    }

    /// The size must equal TransportConfig `global` (or the site's `[values]` key when the
    /// inventory holds no TransportConfig).
    pub const fn same_as_global(mut self, global: &'static str) -> Self {
        self.comparison = Comparison::SameAsGlobal;
        self.global = Some(global);
        self.judge = judge::same_as_global;
        self
    }

    /// The property takes no `Unlimited`, so no fix may suggest it.
    pub const fn finite(mut self) -> Self {
        self.finite = true;
        self
    }

    /// The site file's `[values]` key for this check.
    pub const fn site_key(mut self, key: &'static str) -> Self {
        self.site_key = Some(key);
        self
    }

    /// The STIG value when the benchmark names none.
    pub const fn default(mut self, value: StigValue) -> Self {
        self.default = Some(value);
        self
    }

    /// The family judges the rule itself; `summary` says how, for `exstig rules`.
    pub const fn judged_by(mut self, judge: JudgeFn, summary: &'static str) -> Self {
        self.comparison = Comparison::Custom;
        self.judge = judge;
        self.summary = Some(summary);
        self
    }

    /// The family judges the set of all objects of the kind at once (one details line);
    /// `summary` says how, for `exstig rules`.
    pub const fn judged_as_set(mut self, judge: JudgeSetFn, summary: &'static str) -> Self {
        self.comparison = Comparison::Custom;
        self.judge_set = Some(judge);
        self.summary = Some(summary);
        self
    }

    /// The fix uses `cmdlet` instead of `Set-` and the noun of the check's cmdlet.
    pub const fn fix_cmdlet(mut self, cmdlet: &'static str) -> Self {
        self.fix_cmdlet = Some(cmdlet);
        self
    }

    /// Binds rules by title words first: any one set of phrases, all in the lowercase title.
    pub const fn titled(mut self, titles: &'static [&'static [&'static str]]) -> Self {
        self.titles = titles;
        self
    }

    /// Whether the lowercase `title` holds every phrase of one of [`Self::titles`].
    pub fn title_matches(&self, title: &str) -> bool {
        self.titles
            .iter()
            .any(|set| set.iter().all(|phrase| title.contains(phrase)))
    }

    /// Keeps the comparison (and its description) but judges with the family's function.
    pub const fn with_judge(mut self, judge: JudgeFn) -> Self {
        self.judge = judge;
        self
    }
}

/// A rule family: the checks of one area (`receive`, `send`, `transport` ...) and its own
/// reading of rule texts. Registered once in [`super::FAMILIES`].
#[derive(Debug)]
pub struct Family {
    /// The family's name (the prefix of its check ids).
    pub name: &'static str,
    /// Its checks, in binding priority order within each object kind.
    pub specs: &'static [CheckSpec],
    /// Its reading of rule texts beyond the core's, if any.
    pub refine: Option<RefineFn>,
}
