//! Judging one inventory object against a bound rule: the actual value, the value expected
//! (the STIG's, or the EDSP value of the site file where the STIG allows one), pass or fail,
//! and the `Set-...` arguments that fix a failure. [`judge`] calls the check's judge function;
//! the generic ones live here ([`compare`], [`same_as_global`], [`naming`]) with the helpers
//! every family's judge uses ([`decided`], [`unknown`], [`needs_site_value`]).

use super::fix::value_arg;
use super::{Binding, Comparison, Expected, ValueType};
use crate::inventory::values::{self, Limit, Size, ValueProblem};
use crate::inventory::{Inventory, InventoryObject};
use crate::site::{LimitValue, Site, SiteValues};
use std::collections::BTreeSet;

/// The outcome for one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Meets the rule.
    Pass,
    /// Does not meet the rule.
    Fail,
    /// Cannot be decided: a value is missing or unreadable, a site value is needed, or a
    /// human must judge. The reason says which.
    Unknown(String),
    /// The rule does not apply (the reason says why).
    NotApplicable(String),
}

/// One object judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// The verdict.
    pub verdict: Verdict,
    /// The property (or properties) read.
    pub property: String,
    /// The actual value, as Exchange shows it.
    pub actual: String,
    /// The expected value and its source.
    pub expected: String,
    /// The arguments of the `Set-` command that fixes a failure (`-ConnectionTimeout 00:05:00`).
    pub fix: Option<String>,
    /// Lines printed after the fix command: what it would break (mail flow, a service) and the
    /// scoped alternative, as PowerShell comments or commands (see [`super::fix::caution`]).
    pub advice: Vec<String>,
}

/// What a check may need besides the object: the site file and the TransportConfig object.
pub struct Context<'a> {
    /// The site file (empty when none was given).
    pub site: &'a Site,
    /// `Get-TransportConfig` from the inventory, when present.
    pub transport_config: Option<&'a InventoryObject>,
    /// The whole inventory, for a rule that reads other kinds of object than its own (the
    /// IIS settings of an OWA rule); `None` in unit tests of a single object.
    pub inventory: Option<&'a Inventory>,
}

/// The EDSP value of `[values] key`, as an expected value.
pub fn site_value(values: &SiteValues, key: &str) -> Option<Expected> {
    let limit = |v: Option<LimitValue>| {
        v.map(|l| match l {
            LimitValue::Value(n) => Expected::Number(n),
            LimitValue::Unlimited => Expected::Unlimited,
        })
    };
    match key {
        "connection_timeout" => values.connection_timeout.map(Expected::Time),
        "connection_inactivity_timeout" => values.connection_inactivity_timeout.map(Expected::Time),
        "max_recipients_per_message" => values.max_recipients_per_message.map(Expected::Number),
        "max_hop_count" => values.max_hop_count.map(Expected::Number),
        "transient_failure_retry_count" => {
            values.transient_failure_retry_count.map(Expected::Number)
        }
        "max_inbound_connection" => limit(values.max_inbound_connection),
        "max_recipient_envelope_limit" => limit(values.max_recipient_envelope_limit),
        "max_outbound_connections" => limit(values.max_outbound_connections),
        "max_per_domain_outbound_connections" => limit(values.max_per_domain_outbound_connections),
        "max_receive_size" => values.max_receive_size.map(Expected::Size),
        "max_send_size" => values.max_send_size.map(Expected::Size),
        "srl_block_threshold" => values.srl_block_threshold.map(Expected::Number),
        "prohibit_send_receive_quota" => values.prohibit_send_receive_quota.map(Expected::Size),
        _ => None,
    }
}

/// The expected value for a simple comparison and the words that say where it comes from.
fn effective_expected(binding: &Binding, ctx: &Context) -> Option<(Expected, String)> {
    let stig = binding.expected.clone();
    if binding.edsp_allowed
        && let Some(key) = binding.spec.site_key
        && let Some(site) = site_value(&ctx.site.values, key)
        && !(binding.unlimited_forbidden
            && matches!(site, Expected::Unlimited | Expected::Size(Size::Unlimited)))
    {
        let value = site.display(binding.spec.value);
        let words = match &stig {
            Some(s) if *s != site => format!(
                "{value}: the EDSP value in {} ([values] {key}), not the STIG default {}",
                ctx.site.display_name(),
                s.display(binding.spec.value)
            ),
            _ => format!(
                "{value}: the EDSP value in {} ([values] {key})",
                ctx.site.display_name()
            ),
        };
        return Some((site, words));
    }
    stig.map(|s| {
        let value = s.display(binding.spec.value);
        (s, format!("{value} (STIG value)"))
    })
}

/// An undecided judgement: `problem` says why (a value missing or unreadable).
pub fn unknown(property: &str, problem: impl ToString) -> Judgement {
    Judgement {
        verdict: Verdict::Unknown(problem.to_string()),
        property: property.to_string(),
        actual: "(unreadable)".into(),
        expected: String::new(),
        fix: None,
        advice: Vec::new(),
    }
}

/// An undecided judgement that still shows what was read (`actual`) and what is expected;
/// `why` says what the rule waits for.
pub fn undecided(
    property: &str,
    why: impl Into<String>,
    actual: String,
    expected: impl Into<String>,
) -> Judgement {
    Judgement {
        verdict: Verdict::Unknown(why.into()),
        property: property.into(),
        actual,
        expected: expected.into(),
        fix: None,
        advice: Vec::new(),
    }
}

/// A decided judgement; `fix` (the `Set-` arguments) is kept only when it fails.
pub fn decided(
    pass: bool,
    property: &str,
    actual: String,
    expected: String,
    fix: String,
) -> Judgement {
    Judgement {
        verdict: if pass { Verdict::Pass } else { Verdict::Fail },
        property: property.to_string(),
        actual,
        expected,
        fix: (!pass).then_some(fix),
        advice: Vec::new(),
    }
}

/// Judges `obj` against `binding` with the check's judge function (a set judge sees `obj` alone).
pub fn judge(binding: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    match binding.spec.judge_set {
        Some(judge_set) => judge_set(binding, &[obj], ctx),
        None => (binding.spec.judge)(binding, obj, ctx),
    }
}

/// Undecided until the site file gives `[values] key`: "`needed` is needed: add [values] key =
/// `example` (from the EDSP) to site.toml".
pub fn needs_site_value(
    ctx: &Context,
    needed: &str,
    key: &str,
    example: &str,
    property: &str,
    actual: String,
    expected: &str,
) -> Judgement {
    Judgement {
        verdict: Verdict::Unknown(format!(
            "{needed} needed: add [values] {key} = {example} (from the EDSP) to {}",
            ctx.site.display_name()
        )),
        property: property.into(),
        actual,
        expected: expected.into(),
        fix: None,
        advice: Vec::new(),
    }
}

/// A rule that does not apply; `why` says so.
pub fn not_applicable(property: &str, why: String) -> Judgement {
    Judgement {
        verdict: Verdict::NotApplicable(why),
        property: property.into(),
        actual: String::new(),
        expected: String::new(),
        fix: None,
        advice: Vec::new(),
    }
}

/// [`Comparison::Naming`]: a person judges the name.
pub fn naming(_: &Binding, obj: &InventoryObject, _: &Context) -> Judgement {
    Judgement {
        verdict: Verdict::Unknown(
            "human judgement: is the name clear about purpose and direction?".into(),
        ),
        property: "Name".into(),
        actual: obj.name(),
        expected: "a name that states purpose and direction".into(),
        fix: None,
        advice: Vec::new(),
    }
}

/// The generic simple-property check: the property against the expected value (the STIG's or
/// the EDSP's) with the binding's comparison (equal, at least, at most, includes, excludes).
pub fn compare(binding: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    let property = binding.spec.property;
    let Some((expected, words)) = effective_expected(binding, ctx) else {
        return unknown(property, "exstig found no expected value in the rule");
    };
    match compare_values(binding, obj, &expected) {
        Ok((pass, actual, fix_value)) => {
            let words = match binding.comparison {
                Comparison::AtLeast => format!("{words} or more"),
                Comparison::AtMost => format!("{words} or less"),
                Comparison::Includes => format!("includes {words}"),
                Comparison::Excludes => format!("without {words}"),
                _ => words,
            };
            decided(
                pass,
                property,
                actual,
                words,
                format!("-{property} {fix_value}"),
            )
        }
        Err(problem) => unknown(property, problem),
    }
}

/// Simple comparisons: (pass, actual as shown, fix value).
fn compare_values(
    binding: &Binding,
    obj: &InventoryObject,
    expected: &Expected,
) -> Result<(bool, String, String), ValueProblem> {
    let property = binding.spec.property;
    let cmp = binding.comparison;
    let order = |o: std::cmp::Ordering| match cmp {
        Comparison::AtLeast => o.is_ge(),
        Comparison::AtMost => o.is_le(),
        _ => o.is_eq(),
    };
    let fix = value_arg(expected, binding.spec.value);
    let mismatch = || {
        ValueProblem::new(
            property,
            format!("exstig cannot compare {property} with {expected:?}"),
        )
    };
    match binding.spec.value {
        ValueType::Time => {
            let actual = values::timespan(obj, property)?;
            let Expected::Time(want) = expected else {
                return Err(mismatch());
            };
            Ok((order(actual.cmp(want)), actual.to_string(), fix))
        }
        ValueType::Limit => {
            let actual = values::limit(obj, property)?;
            let pass = match (actual, expected) {
                (Limit::Value(a), Expected::Number(w)) => order(a.cmp(w)),
                (Limit::Unlimited, Expected::Unlimited) => true,
                (Limit::Unlimited, _) => cmp == Comparison::AtLeast,
                (Limit::Value(_), Expected::Unlimited) => cmp == Comparison::AtMost,
                _ => return Err(mismatch()),
            };
            Ok((pass, actual.to_string(), fix))
        }
        ValueType::Size => {
            let actual = values::size(obj, property)?;
            let Expected::Size(want) = expected else {
                return Err(mismatch());
            };
            Ok((order(actual.cmp(want)), actual.to_string(), fix))
        }
        ValueType::Bool => {
            let actual = values::boolean(obj, property)?;
            let Expected::Bool(want) = expected else {
                return Err(mismatch());
            };
            Ok((
                actual == *want,
                if actual { "True" } else { "False" }.into(),
                fix,
            ))
        }
        ValueType::Text => {
            let actual = values::text(obj, property)?.unwrap_or_default();
            let Expected::Text(want) = expected else {
                return Err(mismatch());
            };
            let shown = if actual.is_empty() {
                "(empty)".to_string()
            } else {
                format!("\"{actual}\"")
            };
            Ok((actual.trim() == want.trim(), shown, fix))
        }
        ValueType::Flags(table) => {
            let actual = values::flags(obj, property, table)?;
            let Expected::Flags(want) = expected else {
                return Err(mismatch());
            };
            let shown = table.display(&actual);
            let (pass, target): (bool, BTreeSet<&'static str>) = match cmp {
                Comparison::Includes => (
                    want.is_subset(&actual),
                    actual.union(want).copied().collect(),
                ),
                Comparison::Excludes => (
                    actual.is_disjoint(want),
                    actual.difference(want).copied().collect(),
                ),
                _ => (actual == *want, want.clone()),
            };
            let fix_text = table.display(&target);
            let fix = if fix_text.contains(',') {
                super::fix::quote(&fix_text)
            } else {
                fix_text
            };
            Ok((pass, shown, fix))
        }
        ValueType::Other => Err(mismatch()),
    }
}

/// The size of `binding`'s property and the organization's value it must equal: TransportConfig's
/// [`CheckSpec::global`](super::CheckSpec::global) property, else the site's `[values]` key.
/// `Err` is the judgement when either cannot be had.
pub fn global_size(
    binding: &Binding,
    obj: &InventoryObject,
    ctx: &Context,
) -> Result<(Size, Size, String), Box<Judgement>> {
    let property = binding.spec.property;
    let actual =
        values::size(obj, property).map_err(|problem| Box::new(unknown(property, problem)))?;
    let global = binding.spec.global.unwrap_or_default();
    let key = binding.spec.site_key.unwrap_or_default();
    match ctx.transport_config {
        Some(config) => match values::size(config, global) {
            Ok(size) => Ok((actual, size, format!("{size}: TransportConfig {global}"))),
            Err(problem) => Err(Box::new(unknown(
                property,
                format!("the global value cannot be read: {problem}"),
            ))),
        },
        None => match ctx.site.values_size(key) {
            Some(size) => Ok((
                actual,
                size,
                format!(
                    "{size}: [values] {key} in {} (no TransportConfig in the inventory)",
                    ctx.site.display_name()
                ),
            )),
            None => Err(Box::new(Judgement {
                verdict: Verdict::Unknown(format!(
                    "the global {global} is needed: add the Get-TransportConfig export to the inventory, or add [values] {key} = \"10MB\" (your EDSP value) to {}",
                    ctx.site.display_name()
                )),
                property: property.to_string(),
                actual: actual.to_string(),
                expected: format!("the global {global}"),
                fix: None,
                advice: Vec::new(),
            })),
        },
    }
}

/// [`Comparison::SameAsGlobal`]: the size equals the organization's value ([`global_size`]).
/// When that value is Unlimited and the property takes no Unlimited
/// ([`CheckSpec::finite`](super::CheckSpec::finite)), the fix is a finite size for both.
pub fn same_as_global(binding: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    let property = binding.spec.property;
    match global_size(binding, obj, ctx) {
        Ok((actual, Size::Unlimited, words)) if binding.spec.finite => {
            let global = binding.spec.global.unwrap_or_default();
            let key = binding.spec.site_key.unwrap_or_default();
            let size = ctx
                .site
                .values_size(key)
                .filter(|s| *s != Size::Unlimited)
                .map_or_else(
                    || "<finite size from the EDSP>".to_string(),
                    |s| value_arg(&Expected::Size(s), ValueType::Size),
                );
            let mut judgement = decided(
                false,
                property,
                actual.to_string(),
                words,
                format!("-{property} {size}"),
            );
            judgement.advice = vec![super::fix::caution(&format!(
                "{property} cannot be Unlimited here, so it can equal the global {global} only once that is finite: run Set-TransportConfig -{global} {size} as well (the same size on both)."
            ))];
            judgement
        }
        Ok((actual, reference, words)) => decided(
            actual == reference,
            property,
            actual.to_string(),
            words,
            format!(
                "-{property} {}",
                value_arg(&Expected::Size(reference), ValueType::Size)
            ),
        ),
        Err(judgement) => *judgement,
    }
}
