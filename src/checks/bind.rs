//! Binding a benchmark rule to one of exstig's checks by meaning: the cmdlet its check runs, the
//! first property it selects that a check of that kind knows, the expected value of its text
//! (`text`), the scope words of its title, and the allowances of its text (EDSP values,
//! documented deviations, applicability notes). The rule's family adds its own reading
//! ([`super::Family::refine`]).

use super::spec::{CheckSpec, Comparison, Expected, Family, ValueType};
use super::{kinds, text};
use crate::benchmark::{Benchmark, Rule};
use crate::inventory::{ObjectKind, ServerRole};

/// Which connectors a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleScope {
    /// Every object of the kind.
    All,
    /// Internet-facing connectors only.
    Internet,
    /// Internal connectors only.
    Internal,
}

/// A rule bound to a check, with everything the check needs from the rule's text.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The check.
    pub spec: &'static CheckSpec,
    /// The comparison (a rule's text can turn `Equal` into `Includes`).
    pub comparison: Comparison,
    /// The STIG value, when the check compares with one.
    pub expected: Option<Expected>,
    /// Where `expected` came from ("the check text", "the catalog's check terms", ...).
    pub expected_source: String,
    /// The connectors the rule applies to.
    pub scope: RuleScope,
    /// Why (title words, check text).
    pub scope_basis: String,
    /// The STIG lets the EDSP document another value (signoff and risk acceptance).
    pub edsp_allowed: bool,
    /// The STIG allows a documented deviation (EDSP value or an accepted risk note), so an
    /// exception may turn an Open rule into NotAFinding.
    pub deviation_allowed: bool,
    /// The STIG says the rule is not applicable in some setting (SIPR, another anti-spam product).
    pub not_applicable_note: Option<String>,
    /// The check text makes the rule not applicable on SIPR enclaves (`[values] sipr = true`).
    pub not_applicable_on_sipr: bool,
    /// The check text makes the rule not applicable when another DoD-approved anti-spam
    /// product or email gateway such as EEMSG is used (`[values] antispam_product`).
    pub not_applicable_with_antispam: bool,
    /// The check text says a third-party anti-spam product in use must meet the rule itself, so
    /// with `[values] antispam_product` Exchange's own settings cannot show a finding.
    pub antispam_product_must_comply: bool,
    /// The check text declares the rule not a finding on this server type (Edge smart host).
    pub not_a_finding_note: Option<String>,
    /// Send family: 2016 Edge style smart-host branch for Send connector domain security.
    pub smart_host_branch: bool,
    /// Send family, 2019 Edge style: each Send connector uses either DomainValidation with the
    /// internal TlsDomain or DomainSecureEnabled.
    pub validation_method: bool,
    /// Send family: the smart host rule also requires DNSRoutingEnabled False (Edge STIGs).
    pub dns_routing_off: bool,
    /// Send family, 2016 Edge V2R2 style: the TlsDomain rule also requires DomainSecureEnabled
    /// True (its check text selects both, with no smart-host or validation-method branch).
    pub domain_secure_too: bool,
    /// How the family reads this rule's text, when it differs from the check's summary (shown
    /// by `exstig rules`).
    pub reading: Option<String>,
    /// The cmdlet the check runs (`Get-TransportServer` on Exchange 2010).
    pub cmdlet: String,
    /// The rule carried its check text (false for the embedded catalog, which has none).
    pub has_check_text: bool,
    /// How exstig reads defects of the literal text (said in the comments).
    pub notes: Vec<String>,
    /// The check text says "Unlimited" is always a finding (Exchange 2010 global sizes), so an
    /// EDSP value of Unlimited is not accepted.
    pub unlimited_forbidden: bool,
    /// The server role the benchmark is written for.
    pub role: Option<ServerRole>,
}

impl Binding {
    /// The `Set-` cmdlet that fixes what the check reads.
    pub fn fix_cmdlet(&self) -> String {
        super::fix::cmdlet(self)
    }
}

/// The words of a rule a family reads when it refines a binding.
#[derive(Debug)]
pub struct RuleText<'a> {
    /// The rule title, lowercase.
    pub title: &'a str,
    /// The check text, trimmed (empty for the embedded catalog).
    pub prose: &'a str,
    /// The check text, lowercase.
    pub lower: &'a str,
    /// The check terms (from the text, or the catalog's).
    pub terms: &'a [String],
    /// The position in `terms` of the cmdlet the rule was bound by (terms before it come from
    /// a note ahead of the command).
    pub cmdlet_at: usize,
}

impl RuleText<'_> {
    /// Whether the check terms name `term` (case-insensitively).
    pub fn has_term(&self, term: &str) -> bool {
        self.terms.iter().any(|t| t.eq_ignore_ascii_case(term))
    }
}

/// The server role a benchmark is written for, from its id and title.
pub fn benchmark_role(benchmark: &Benchmark) -> Option<ServerRole> {
    let words = format!("{} {}", benchmark.id, benchmark.title).to_ascii_lowercase();
    if words.contains("edge") {
        Some(ServerRole::Edge)
    } else if words.contains("mailbox") {
        Some(ServerRole::Mailbox)
    } else if words.contains("hub") {
        Some(ServerRole::Hub)
    } else {
        None
    }
}

/// Binds `rule` of `benchmark` to one of exstig's checks, or `None` when exstig does not
/// evaluate it.
pub fn bind(benchmark: &Benchmark, rule: &Rule) -> Option<Binding> {
    bind_in(super::FAMILIES, benchmark, rule)
}

/// [`bind`] among the checks of `families` only.
pub fn bind_in(
    families: &[&'static Family],
    benchmark: &Benchmark,
    rule: &Rule,
) -> Option<Binding> {
    let prose = rule.check_content.trim();
    let terms: Vec<String> = if prose.is_empty() {
        rule.check_terms.clone()
    } else {
        crate::benchmark::terms::check_terms(prose)
    };
    let title = rule.title.to_ascii_lowercase();
    let lower = prose.to_ascii_lowercase();
    let role = benchmark_role(benchmark);
    let (cmdlet_at, cmdlet, (family, spec)) = if let Some((family, spec)) =
        by_title(families, &title)
    {
        // The check's own cmdlet when the text runs it, else its kind's.
        let found = terms.iter().enumerate().find_map(|(i, t)| {
            kinds::of_cmdlet(t)
                .filter(|(_, kind)| *kind == spec.kind)
                .map(|(c, _)| (i, c))
        });
        let (at, cmdlet) = found.unwrap_or((0, kinds::facts(spec.kind).cmdlets[0]));
        (at, cmdlet, (family, spec))
    } else {
        // The cmdlets the text runs, in order, with the kind each returns.
        let cmdlets: Vec<(usize, &'static str, ObjectKind)> = terms
            .iter()
            .enumerate()
            .filter_map(|(i, t)| kinds::of_cmdlet(t).map(|(c, k)| (i, c, k)))
            .collect();
        let has_checks = |kind: ObjectKind| {
            families
                .iter()
                .any(|f| f.specs.iter().any(|c| c.kind == kind))
        };
        // First the cmdlet whose own selection names a property a check knows (a check text may
        // list a certificate before the virtual directory it is about); else the first cmdlet with
        // checks, judged by everything the text names after it.
        let selected = cmdlets
            .iter()
            .enumerate()
            .find_map(|(n, &(at, cmdlet, kind))| {
                let end = cmdlets.get(n + 1).map_or(terms.len(), |next| next.0);
                let found = choose_by_selection(families, kind, &title, &terms[at..end])?;
                Some((at, cmdlet, found))
            });
        match selected {
            Some(found) => found,
            None => {
                let &(at, cmdlet, kind) = cmdlets.iter().find(|(_, _, kind)| has_checks(*kind))?;
                let only_cmdlet = cmdlets
                    .iter()
                    .all(|(_, c, _)| c.eq_ignore_ascii_case(cmdlet));
                let found = choose_spec(
                    families,
                    kind,
                    &title,
                    (&terms[..at], &terms[at..]),
                    &lower,
                    only_cmdlet,
                )?;
                (at, cmdlet, found)
            }
        }
    };
    let mut binding = Binding {
        spec,
        comparison: spec.comparison,
        expected: None,
        expected_source: String::new(),
        scope: RuleScope::All,
        scope_basis: String::new(),
        edsp_allowed: false,
        deviation_allowed: false,
        not_applicable_note: None,
        not_applicable_on_sipr: false,
        not_applicable_with_antispam: false,
        antispam_product_must_comply: false,
        not_a_finding_note: None,
        smart_host_branch: false,
        validation_method: false,
        dns_routing_off: false,
        domain_secure_too: false,
        reading: None,
        cmdlet: cmdlet.to_string(),
        has_check_text: !prose.is_empty(),
        notes: Vec::new(),
        unlimited_forbidden: false,
        role,
    };
    text::fill_expected(&mut binding, prose, &terms, cmdlet_at);
    set_scope(&mut binding, &title);
    if let Some(refine) = family.refine {
        refine(
            &mut binding,
            &RuleText {
                title: &title,
                prose,
                lower: &lower,
                terms: &terms,
                cmdlet_at,
            },
        );
    }
    set_allowances(&mut binding, &title, &lower);
    Some(binding)
}

/// The check whose title words ([`CheckSpec::titles`]) the rule's lowercase title holds.
fn by_title(
    families: &[&'static Family],
    title: &str,
) -> Option<(&'static Family, &'static CheckSpec)> {
    families.iter().find_map(|f| {
        f.specs
            .iter()
            .find(|c| c.title_matches(title))
            .map(|c| (*f, c))
    })
}

/// Properties a check text selects only to name the objects it lists.
const IDENTIFYING: [&str; 7] = [
    "Name",
    "Identity",
    "Server",
    "ServerName",
    "Filter",
    "Forward",
    "DistinguishedName",
];

/// The checks of `kind` among `families`, with their family.
fn checks_of<'a>(
    families: &'a [&'static Family],
    kind: ObjectKind,
) -> impl Iterator<Item = (&'static Family, &'static CheckSpec)> + 'a {
    families.iter().flat_map(move |f| {
        f.specs
            .iter()
            .filter(move |c| c.kind == kind)
            .map(move |c| (*f, c))
    })
}

/// The check a rule's title or its cmdlet's selection (`terms`, from the cmdlet to the next
/// one) names: naming by title; otherwise the first selected property (in the order the text
/// names them) that a check of `kind` knows.
fn choose_by_selection(
    families: &[&'static Family],
    kind: ObjectKind,
    title: &str,
    terms: &[String],
) -> Option<(&'static Family, &'static CheckSpec)> {
    if title.contains("named") {
        return checks_of(families, kind).find(|(_, c)| c.comparison == Comparison::Naming);
    }
    terms.iter().find_map(|word| {
        checks_of(families, kind).find(|(_, c)| {
            c.comparison != Comparison::Naming
                && c.keys.iter().any(|k| k.eq_ignore_ascii_case(word))
        })
    })
}

/// The check for a rule, with its family: [`choose_by_selection`] over everything the text
/// names after the cmdlet (`terms.1`), then before it (`terms.0`: a note ahead of the command,
/// "the default value for Sender Reputation is True for Enabled", whose property the catalog's
/// deduplicated terms name only there), else the earliest property a check of `kind` knows
/// anywhere in the text, else (when the text runs no other cmdlet: `only_cmdlet`) the kind's one
/// check.
fn choose_spec(
    families: &[&'static Family],
    kind: ObjectKind,
    title: &str,
    (before, terms): (&[String], &[String]),
    lower: &str,
    only_cmdlet: bool,
) -> Option<(&'static Family, &'static CheckSpec)> {
    let of_kind = || checks_of(families, kind);
    if let Some(found) = choose_by_selection(families, kind, title, terms) {
        return Some(found);
    }
    if title.contains("named") {
        return None;
    }
    if let Some(found) = choose_by_selection(families, kind, title, before) {
        return Some(found);
    }
    // No selected property (e.g. `Format-List *dns*`): the earliest property named anywhere.
    of_kind()
        .filter(|(_, c)| c.comparison != Comparison::Naming)
        .filter_map(|(f, c)| {
            c.keys
                .iter()
                .filter_map(|k| text::find_word(lower, &k.to_ascii_lowercase()))
                .min()
                .map(|at| (at, (f, c)))
        })
        .min_by_key(|(at, _)| *at)
        .map(|(_, found)| found)
        .or_else(|| {
            // The text runs no other cmdlet exstig reads, selects nothing but names, and the
            // cmdlet has only one check (`Get-Mailbox | Select Name, Identity, Forward*`).
            let names_only = terms.iter().skip(1).all(|t| {
                t.get(..4)
                    .is_some_and(|verb| verb.eq_ignore_ascii_case("get-"))
                    || IDENTIFYING
                        .iter()
                        .any(|name| name.eq_ignore_ascii_case(t.trim_end_matches('*')))
            });
            let mut checks = of_kind().filter(|(_, c)| c.comparison != Comparison::Naming);
            match (only_cmdlet && names_only, checks.next(), checks.next()) {
                (true, Some(only), None) => Some(only),
                _ => None,
            }
        })
}

/// The connectors a rule applies to, from its title (a family may read more of its text).
fn set_scope(binding: &mut Binding, title: &str) {
    if !kinds::facts(binding.spec.kind).connector || binding.comparison == Comparison::Naming {
        binding.scope = RuleScope::All;
        binding.scope_basis = "every object".into();
        return;
    }
    let (scope, basis) = title_scope(title);
    binding.scope = scope;
    binding.scope_basis = basis;
}

/// Scope words of a title.
fn title_scope(title: &str) -> (RuleScope, String) {
    if title.contains("non-internet") || title.contains("internal") {
        let word = if title.contains("non-internet") {
            "non-Internet"
        } else {
            "internal"
        };
        (
            RuleScope::Internal,
            format!("the rule title says \"{word}\""),
        )
    } else if title.contains("internet") || title.contains("external") {
        let word = if title.contains("external") {
            "external"
        } else if title.contains("internet-facing") {
            "Internet-facing"
        } else {
            "Internet"
        };
        (
            RuleScope::Internet,
            format!("the rule title says \"{word}\""),
        )
    } else {
        (
            RuleScope::All,
            "the rule title names no scope: every connector".into(),
        )
    }
}

/// EDSP values, documented deviations and applicability notes of the check text (`lower`).
fn set_allowances(binding: &mut Binding, title: &str, lower: &str) {
    // Values that replace the STIG's (not reference values such as smart hosts or domains).
    let replaceable = binding.spec.site_key.is_some()
        && matches!(
            binding.comparison,
            Comparison::Equal | Comparison::AtLeast | Comparison::AtMost | Comparison::SameAsGlobal
        );
    binding.edsp_allowed = if !binding.has_check_text {
        replaceable
    } else {
        replaceable
            && (lower.contains("risk acceptance")
                || lower.contains("signoff")
                || lower.contains("documented in the edsp"))
    };
    if binding.comparison == Comparison::Equal
        && binding.spec.value == ValueType::Time
        && (title.contains("limit") || title.contains("or less"))
    {
        binding.notes.push("The title speaks of a limit, but the check text tests for exactly this value; exstig follows the check text (a shorter value is a finding unless the EDSP documents it).".into());
    }
    binding.unlimited_forbidden = lower.match_indices("unlimited").any(|(at, word)| {
        lower[at + word.len()..]
            .trim_start_matches(['\'', '"', '\u{201d}', '\u{2019}'])
            .starts_with(", this is a finding")
    });
    binding.deviation_allowed = binding.edsp_allowed
        || lower.contains("risk must be documented and accepted")
        || lower.contains("risk acceptance");
    // Applicability notes are one line each ("This requirement is N/A for SIPR enclaves.");
    // a family may already have set them for the embedded catalog, which carries no text.
    let says_na = |line: &str| {
        line.contains("not applicable")
            || line.contains("n/a")
            || line.contains(" na ")
            || line.contains("(na)")
    };
    binding.not_applicable_on_sipr |= lower
        .lines()
        .any(|line| line.contains("sipr") && says_na(line));
    binding.not_applicable_with_antispam |= lower.lines().any(|line| {
        ["antispam product", "anti-spam product", "eemsg"]
            .iter()
            .any(|w| line.contains(w))
            && says_na(line)
    });
    binding.antispam_product_must_comply |= ["antispam product", "anti-spam product"]
        .iter()
        .any(|w| lower.contains(&format!("{w} must be configured to meet")));
    if binding.not_applicable_note.is_none() {
        binding.not_applicable_note = if binding.not_applicable_on_sipr {
            Some("the check text says the rule is not applicable for SIPR enclaves".into())
        } else if binding.not_applicable_with_antispam {
            Some(
                "the check text says the rule is not applicable when another DoD-approved anti-spam product or email gateway (such as EEMSG) is used"
                    .into(),
            )
        } else {
            None
        };
    }
}

/// One line saying how exstig evaluates `rule` (for `exstig rules`), `None` when it does not.
pub fn describe(benchmark: &Benchmark, rule: &Rule) -> Option<String> {
    let b = bind(benchmark, rule)?;
    let scope = match b.scope {
        RuleScope::All => "",
        RuleScope::Internet => " on Internet-facing connectors",
        RuleScope::Internal => " on internal connectors",
    };
    let expected = b
        .expected
        .as_ref()
        .map(|e| e.display(b.spec.value))
        .unwrap_or_default();
    let property = b.spec.property;
    let what = match b.comparison {
        Comparison::Equal => format!("{property} = {expected}"),
        Comparison::AtLeast => format!("{property} >= {expected}"),
        Comparison::AtMost => format!("{property} <= {expected}"),
        Comparison::Includes => format!("{property} includes {expected}"),
        Comparison::Excludes => format!("{property} lacks {expected}"),
        Comparison::SameAsGlobal => format!(
            "{property} = TransportConfig {} (or [values] {})",
            b.spec.global.unwrap_or_default(),
            b.spec.site_key.unwrap_or_default()
        ),
        Comparison::Naming => "lists the connector names for human review (Not_Reviewed)".into(),
        Comparison::Custom => b
            .reading
            .clone()
            .unwrap_or_else(|| b.spec.summary.unwrap_or_default().to_string()),
    };
    let edsp = if b.edsp_allowed {
        format!(
            "; EDSP value from [values] {}",
            b.spec.site_key.unwrap_or_default()
        )
    } else {
        String::new()
    };
    Some(format!("{}: {} {what}{scope}{edsp}", b.spec.id, b.cmdlet))
}
