//! Evaluation: every rule of a benchmark bound to a check, each in-scope object judged, one
//! verdict per rule with finding details and comments a reviewer can act on, documented
//! exceptions applied (or refused, or lapsed), and the checklist filled.
//!
//! Verdicts: Open if any in-scope object fails; NotAFinding if all pass; Not_Applicable if none
//! is in scope; Not_Reviewed if a value is missing or unreadable, a site value is needed, or a
//! human must judge. Rules exstig does not evaluate stay Not_Reviewed with all their STIG data.

use crate::benchmark::{Benchmark, Rule, Severity};
use crate::checklist::{Asset, Checklist, ChecklistStig, ROLES, Status, clean_text};
use crate::checks::judge::{self, Context, Judgement, Verdict};
use crate::checks::kinds::{self, noun};
use crate::checks::scope::connector_scope;
use crate::checks::{self, Binding, RuleScope, fix};
use crate::error::{Error, Result};
use crate::inventory::{Collection, Fidelity, Inventory, InventoryObject, ObjectKind};
use crate::site::{Exception, ExceptionStatus, Site, glob_matches};
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// First line of the finding details of exstig's own results (the merge code recognizes them).
pub const DETAILS_MARKER: &str = concat!("exstig ", env!("CARGO_PKG_VERSION"), " automated result");

/// What makes `exstig evaluate` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any Open rule.
    Open,
    /// An Open CAT I (high) rule.
    Cat1,
    /// An Open CAT I or CAT II rule.
    Cat2,
    /// An Open rule of any CAT.
    Cat3,
}

impl FailOn {
    /// Whether an Open rule of `severity` triggers the failure.
    pub fn matches(self, severity: Option<Severity>) -> bool {
        let floor = match self {
            FailOn::Open | FailOn::Cat3 => Severity::Low,
            FailOn::Cat2 => Severity::Medium,
            FailOn::Cat1 => Severity::High,
        };
        severity.unwrap_or(Severity::Medium) >= floor
    }
}

/// The checklist ASSET facts a user can give on the command line.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AssetArgs {
    /// HOST_NAME of the checklist (STIG Manager requires one).
    #[arg(long, value_name = "NAME")]
    pub host_name: Option<String>,
    /// HOST_FQDN.
    #[arg(long, value_name = "FQDN")]
    pub fqdn: Option<String>,
    /// HOST_IP (one address or a comma-separated list).
    #[arg(long, value_name = "ADDRESS")]
    pub ip: Option<String>,
    /// HOST_MAC.
    #[arg(long, value_name = "MAC")]
    pub mac: Option<String>,
    /// ROLE: None, Workstation, Member Server (default) or Domain Controller.
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// MARKING (default CUI).
    #[arg(long, value_name = "MARKING")]
    pub marking: Option<String>,
    /// TECH_AREA (default Exchange Server).
    #[arg(long, value_name = "AREA")]
    pub tech_area: Option<String>,
}

impl AssetArgs {
    /// Applies the given options over `asset`, checking ROLE against the CKL schema.
    pub fn apply(&self, asset: &mut Asset) -> Result<()> {
        let set = |field: &mut String, value: &Option<String>| {
            if let Some(v) = value {
                *field = v.trim().to_string();
            }
        };
        set(&mut asset.host_name, &self.host_name);
        set(&mut asset.host_fqdn, &self.fqdn);
        set(&mut asset.host_ip, &self.ip);
        set(&mut asset.host_mac, &self.mac);
        set(&mut asset.marking, &self.marking);
        set(&mut asset.tech_area, &self.tech_area);
        if let Some(role) = &self.role {
            asset.role = ROLES
                .iter()
                .find(|r| r.eq_ignore_ascii_case(role.trim()))
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--role '{role}' is not one of: {}",
                        ROLES.join(", ")
                    ))
                })?
                .to_string();
        }
        Ok(())
    }
}

/// The verdict on one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleResult {
    /// Rule ID with revision.
    pub rule_id: String,
    /// STIG ID.
    pub stig_id: String,
    /// Severity.
    pub severity: Option<Severity>,
    /// The status.
    pub status: Status,
    /// The check the rule is bound to, `None` when exstig does not evaluate it.
    pub check: Option<&'static str>,
    /// FINDING_DETAILS.
    pub finding_details: String,
    /// COMMENTS.
    pub comments: String,
    /// What a Not_Reviewed rule waits for (empty for other statuses); read by
    /// [`crate::outcome`] for the console report.
    pub needs: Vec<Need>,
    /// What became of the site file's exceptions for this rule (refused, lapsed).
    pub exception_events: Vec<ExceptionEvent>,
}

/// What a Not_Reviewed rule waits for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Need {
    /// An export the inventory lacks (no object of this kind).
    Export(ObjectKind),
    /// A `[values]` key of the site file (the EDSP value).
    SiteValue(String),
    /// A person: exstig does not evaluate the rule.
    Reviewer,
    /// A person must judge what exstig read (connector names).
    Judgement,
    /// A connector whose scope (Internet-facing or internal) is unknown.
    Scope,
    /// A value exstig could not read or decide (said in the comments).
    Other,
}

/// What became of one `[[exception]]` for a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionEvent {
    /// The exception's line in the site file.
    pub line: usize,
    /// What happened.
    pub kind: ExceptionEventKind,
}

/// The ways an exception does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExceptionEventKind {
    /// The STIG allows no deviation for the rule and the configuration fails.
    Refused,
    /// Its `expires` date has passed.
    Expired,
    /// The rule's check text changed since the exception was written (`check_digest`).
    CheckChanged,
}

/// The result of an evaluation.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The filled checklist.
    pub checklist: Checklist,
    /// One result per rule, in benchmark order.
    pub results: Vec<RuleResult>,
    /// Problems with the site file a user must hear about (unknown rule ids in exceptions).
    pub warnings: Vec<String>,
}

impl Evaluation {
    /// Counts per status and CAT: `[status][cat]` with statuses Open, NotAFinding,
    /// Not_Applicable, Not_Reviewed and CATs I, II, III.
    pub fn counts(&self) -> [[usize; 3]; 4] {
        let mut counts = [[0; 3]; 4];
        for r in &self.results {
            let row = match r.status {
                Status::Open => 0,
                Status::NotAFinding => 1,
                Status::NotApplicable => 2,
                Status::NotReviewed => 3,
            };
            let col = match r.severity {
                Some(Severity::High) => 0,
                Some(Severity::Medium) | None => 1,
                Some(Severity::Low) => 2,
            };
            counts[row][col] += 1;
        }
        counts
    }

    /// The short summary for stderr: statuses by CAT.
    pub fn summary(&self) -> String {
        let counts = self.counts();
        let automated = self.results.iter().filter(|r| r.check.is_some()).count();
        let mut out = format!(
            "{} rules, {automated} evaluated by exstig\n{:<15}{:>7}{:>8}{:>9}{:>7}\n",
            self.results.len(),
            "",
            "CAT I",
            "CAT II",
            "CAT III",
            "total"
        );
        for (name, row) in ["Open", "NotAFinding", "Not_Applicable", "Not_Reviewed"]
            .iter()
            .zip(counts)
        {
            out.push_str(&format!(
                "{name:<15}{:>7}{:>8}{:>9}{:>7}\n",
                row[0],
                row[1],
                row[2],
                row.iter().sum::<usize>()
            ));
        }
        for warning in &self.warnings {
            out.push_str(&format!("warning: {warning}\n"));
        }
        out
    }
}

/// The checklist ASSET from the inventory's host facts and the site file's `[asset]` (the site
/// wins); the command line applies its options over this.
pub fn asset_from(benchmark: &Benchmark, inventory: &Inventory, site: &Site) -> Asset {
    let mut asset = Asset::default();
    let host = &inventory.host;
    let fill = |field: &mut String, value: &Option<String>| {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            *field = v.to_string();
        }
    };
    fill(&mut asset.host_name, &host.host_name);
    fill(&mut asset.host_fqdn, &host.fqdn);
    fill(&mut asset.host_ip, &host.ip);
    fill(&mut asset.host_mac, &host.mac);
    let s = &site.asset;
    fill(&mut asset.host_name, &s.host_name);
    fill(&mut asset.host_fqdn, &s.fqdn);
    fill(&mut asset.host_ip, &s.ip);
    fill(&mut asset.host_mac, &s.mac);
    fill(&mut asset.marking, &s.marking);
    fill(&mut asset.tech_area, &s.tech_area);
    fill(&mut asset.target_comment, &s.target_comment);
    if let Some(role) = &s.role
        && let Some(r) = ROLES.iter().find(|r| r.eq_ignore_ascii_case(role.trim()))
    {
        asset.role = r.to_string();
    }
    asset.target_key = benchmark.target_key().to_string();
    asset
}

/// Evaluates `inventory` against `benchmark` today.
pub fn evaluate(
    benchmark: &Benchmark,
    inventory: &Inventory,
    site: &Site,
    asset: Asset,
) -> Evaluation {
    evaluate_on(
        benchmark,
        inventory,
        site,
        asset,
        chrono::Local::now().date_naive(),
    )
}

/// Evaluates as of `today` (exception expiry dates are compared with it).
pub fn evaluate_on(
    benchmark: &Benchmark,
    inventory: &Inventory,
    site: &Site,
    mut asset: Asset,
    today: NaiveDate,
) -> Evaluation {
    let mut warnings = Vec::new();
    for e in &site.exception {
        if benchmark.find_rule(&e.rule).is_none() {
            warnings.push(format!(
                "{} line {}: [[exception]] rule \"{}\" is not a STIG ID, Vuln ID or Rule ID of {} ({}); the exception is ignored",
                site.display_name(),
                e.line,
                e.rule,
                benchmark.title,
                benchmark.revision()
            ));
        }
    }
    if let (Some(host), Some(stig)) = (inventory.host.role, checks::benchmark_role(benchmark))
        && host != stig
    {
        warnings.push(format!(
            "the inventory describes a{} {} server but {} is written for {} servers; check that you picked the right STIG",
            if host == crate::inventory::ServerRole::Edge { "n" } else { "" },
            host.as_str(),
            benchmark.title,
            stig.as_str()
        ));
    }
    let evaluator = Evaluator {
        host: Some(asset.host_name.trim().to_string()).filter(|h| !h.is_empty()),
        benchmark,
        inventory,
        site,
        today,
        role: inventory
            .host
            .role
            .or_else(|| checks::benchmark_role(benchmark)),
        events: Default::default(),
    };
    let mut results: Vec<RuleResult> = benchmark.rules.iter().map(|r| evaluator.rule(r)).collect();
    let host = evaluator.host.as_deref();
    crate::answers::apply(site, benchmark, host, today, &mut results, &mut warnings);
    let mut stig = ChecklistStig::from_benchmark(benchmark);
    for (vuln, result) in stig.vulns.iter_mut().zip(&results) {
        vuln.status = result.status;
        vuln.finding_details = clean_text(&result.finding_details);
        vuln.comments = clean_text(&result.comments);
    }
    if asset.target_key.is_empty() {
        asset.target_key = benchmark.target_key().to_string();
    }
    Evaluation {
        checklist: Checklist {
            asset,
            stigs: vec![stig],
            ..Checklist::default()
        },
        results,
        warnings,
    }
}

/// One object's line of the details and its verdict after exceptions.
struct Line {
    identity: String,
    scope: String,
    judgement: Judgement,
    exception_note: Option<String>,
    fix_target: String,
    /// The connector's scope is unknown (its verdict is Unknown for that reason).
    scope_unknown: bool,
}

struct Evaluator<'a> {
    /// The checklist's host name, when known.
    host: Option<String>,
    benchmark: &'a Benchmark,
    inventory: &'a Inventory,
    site: &'a Site,
    today: NaiveDate,
    role: Option<crate::inventory::ServerRole>,
    /// The exception events of the rule being evaluated (taken by [`Evaluator::rule`]).
    events: std::cell::RefCell<Vec<ExceptionEvent>>,
}

/// An exception's standing on a given day.
enum Standing {
    Valid,
    Lapsed(String),
}

impl<'a> Evaluator<'a> {
    /// The objects of `kind` the checklist's host is judged on: Receive connectors and transport
    /// services of that server when the inventory also holds other servers' (those are listed
    /// apart); Send connectors and TransportConfig are organization-wide.
    fn objects(&self, kind: ObjectKind) -> (Vec<&'a InventoryObject>, Vec<String>) {
        let all: Vec<&InventoryObject> = self.inventory.of_kind(kind).collect();
        let per_server = kind.is_per_server();
        let Some(host) = self.host.as_deref().filter(|_| per_server) else {
            return (all, Vec::new());
        };
        let short = |name: &str| name.split('.').next().unwrap_or(name).to_ascii_lowercase();
        let (mine, others): (Vec<&InventoryObject>, Vec<&InventoryObject>) = all
            .iter()
            .partition(|o| o.server().is_none_or(|s| short(&s) == short(host)));
        if mine.is_empty() {
            return (all, Vec::new());
        }
        (mine, others.iter().map(|o| o.identity()).collect())
    }

    fn exceptions_for(&self, rule: &Rule) -> Vec<&Exception> {
        self.site
            .exception
            .iter()
            .filter(|e| {
                self.benchmark
                    .find_rule(&e.rule)
                    .is_some_and(|r| r.rule_id == rule.rule_id)
            })
            .collect()
    }

    fn standing(&self, e: &Exception, rule: &Rule) -> Standing {
        let at = format!(
            "the exception in {} line {}",
            self.site.display_name(),
            e.line
        );
        if let Some(expires) = e.expires
            && expires < self.today
        {
            self.record(e, ExceptionEventKind::Expired);
            return Standing::Lapsed(format!(
                "{at} expired on {expires}; the automatic verdict stands"
            ));
        }
        if let Some(digest) = &e.check_digest
            && !rule.check_digest.is_empty()
            && !digest.eq_ignore_ascii_case(&rule.check_digest)
        {
            self.record(e, ExceptionEventKind::CheckChanged);
            return Standing::Lapsed(format!(
                "{at} lapsed: the rule's check text changed since it was written (check_digest {digest}, now {}); review the rule and update the exception; the automatic verdict stands",
                rule.check_digest
            ));
        }
        Standing::Valid
    }

    /// Notes what became of exception `e` for the rule being evaluated.
    fn record(&self, e: &Exception, kind: ExceptionEventKind) {
        self.events
            .borrow_mut()
            .push(ExceptionEvent { line: e.line, kind });
    }

    /// Advice for an applied exception that records no `check_digest`.
    fn digest_hint(&self, e: &Exception, rule: &Rule) -> Option<String> {
        (e.check_digest.is_none() && !rule.check_digest.is_empty()).then(|| {
            format!(
                "The exception in {} line {} records no check_digest: add check_digest = \"{}\" so that exstig notices when DISA changes this rule's check.",
                self.site.display_name(),
                e.line,
                rule.check_digest
            )
        })
    }

    fn describe_exception(&self, e: &Exception) -> String {
        let mut text = format!(
            "exception in {} line {} ({}): {}",
            self.site.display_name(),
            e.line,
            match e.status {
                ExceptionStatus::NotAFinding => "not_a_finding",
                ExceptionStatus::NotApplicable => "not_applicable",
                ExceptionStatus::Open => "open",
            },
            e.justification.trim()
        );
        if let Some(by) = &e.approved_by {
            text.push_str(&format!("; approved by {by}"));
        }
        if let Some(expires) = e.expires {
            text.push_str(&format!("; expires {expires}"));
        }
        text
    }

    fn header(&self, objects: &[&InventoryObject]) -> String {
        let mut files: Vec<String> = objects
            .iter()
            .map(|o| o.source.display().to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if files.is_empty() {
            files = self
                .inventory
                .objects
                .iter()
                .map(|o| o.source.display().to_string())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
        }
        let site = self
            .site
            .path
            .as_ref()
            .map(|p| format!("Site file: {}\n", p.display()))
            .unwrap_or_default();
        let text_files: BTreeSet<String> = objects
            .iter()
            .filter(|o| o.fidelity == Fidelity::Text)
            .map(|o| o.source.display().to_string())
            .collect();
        let fidelity = if text_files.is_empty() {
            String::new()
        } else {
            format!(
                "Values from {} were read from Format-List text (lower fidelity: long values may be wrapped or cut); confirm them or {}\n",
                text_files.into_iter().collect::<Vec<_>>().join(", "),
                crate::inventory::values::REEXPORT_ADVICE
            )
        };
        format!(
            "{DETAILS_MARKER}\nInventory: {}\n{site}{fidelity}",
            if files.is_empty() {
                "(no objects)".to_string()
            } else {
                files.join(", ")
            }
        )
    }

    /// The verdict on one rule, with what it waits for and the exception events.
    fn rule(&self, rule: &Rule) -> RuleResult {
        let mut result = self.judge_rule(rule);
        result.exception_events = std::mem::take(&mut *self.events.borrow_mut());
        if result.status != Status::NotReviewed {
            result.needs.clear();
        }
        result
    }

    fn judge_rule(&self, rule: &Rule) -> RuleResult {
        let mut result = RuleResult {
            rule_id: rule.rule_id.clone(),
            stig_id: rule.stig_id.clone(),
            severity: rule.severity,
            status: Status::NotReviewed,
            check: None,
            finding_details: String::new(),
            comments: String::new(),
            needs: Vec::new(),
            exception_events: Vec::new(),
        };
        let exceptions = self.exceptions_for(rule);
        let Some(binding) = checks::bind(self.benchmark, rule) else {
            result.needs.push(Need::Reviewer);
            self.apply_rule_exceptions(rule, None, &exceptions, &mut result, &mut Vec::new());
            return result;
        };
        result.check = Some(binding.spec.id);
        let (objects, elsewhere) = self.objects(binding.spec.kind);
        let mut details = self.header(&objects);
        details.push_str(&format!(
            "Check: {} ({} {}); applies to {}\n",
            binding.spec.id,
            binding.cmdlet,
            binding.spec.property,
            match binding.scope {
                RuleScope::All => format!("every object ({})", binding.scope_basis),
                RuleScope::Internet =>
                    format!("Internet-facing connectors ({})", binding.scope_basis),
                RuleScope::Internal => format!("internal connectors ({})", binding.scope_basis),
            }
        ));
        let mut notes: Vec<String> = Vec::new();
        if let Some(note) = &binding.not_a_finding_note {
            result.status = Status::NotAFinding;
            details.push_str(&format!("Not a finding: {note}.\n"));
            result.comments = format!("NotAFinding: {note}.");
            result.finding_details = details;
            self.apply_rule_exceptions(rule, Some(&binding), &exceptions, &mut result, &mut notes);
            return result;
        }
        // A rule about the whole set judges an empty set when the export says there is none
        // (no accepted domain, no IP Allow list entry, no forwarding mailbox).
        let collection = self.inventory.collection(binding.spec.kind);
        let empty_set_is_an_answer =
            binding.spec.judge_set.is_some() && collection == Collection::Collected;
        if objects.is_empty() && !empty_set_is_an_answer {
            let export = binding.spec.kind.cmdlet();
            let (said, detail) = match &collection {
                Collection::NotCollected(reason) => (
                    format!("{export} was not collected: {reason}"),
                    format!("Not collected: {export}: {reason}"),
                ),
                _ => (
                    format!("the inventory holds no {export} objects"),
                    format!("No {export} objects in the inventory."),
                ),
            };
            result.needs.push(Need::Export(binding.spec.kind));
            result.comments = format!(
                "Not reviewed: {said}. {} and evaluate again.",
                crate::outcome::export_advice(binding.spec.kind)
            );
            details.push_str(&format!("{detail}\n"));
            result.finding_details = details;
            self.apply_rule_exceptions(rule, Some(&binding), &exceptions, &mut result, &mut notes);
            return result;
        }
        let not_applicable = if binding.not_applicable_on_sipr
            && self.site.values.sipr == Some(true)
        {
            Some(format!(
                "{} declares a SIPR enclave ([values] sipr = true) and the check text says the rule is not applicable for SIPR enclaves",
                self.site.display_name()
            ))
        } else if binding.not_applicable_with_antispam
            && let Some(product) = &self.site.values.antispam_product
        {
            Some(format!(
                "{} declares another DoD-approved anti-spam product or gateway ([values] antispam_product = \"{product}\") and the check text says the rule is not applicable then",
                self.site.display_name()
            ))
        } else {
            None
        };
        if let Some(why) = not_applicable {
            result.status = Status::NotApplicable;
            details.push_str(&format!("Not applicable: {why}.\n"));
            result.comments = format!("Not applicable: {why}.");
            result.finding_details = details;
            self.apply_rule_exceptions(rule, Some(&binding), &exceptions, &mut result, &mut notes);
            return result;
        }
        let (lines, out_of_scope) =
            self.judge_objects(rule, &binding, &objects, &exceptions, &mut notes);
        let judged = verdict_of(&lines);
        result.status = judged;
        result.needs = needs_of(&binding, &lines);
        // "If a third-party anti-spam product is used, it must meet the requirement": Exchange's
        // own failing setting is then not the finding; a person checks that product.
        let third_party = self
            .site
            .values
            .antispam_product
            .as_ref()
            .filter(|_| binding.antispam_product_must_comply && judged == Status::Open)
            .map(|product| {
                result.status = Status::NotReviewed;
                format!(
                    "Not reviewed: Exchange's own setting fails, but {} declares the anti-spam product \"{product}\" ([values] antispam_product) and the check text says that product must be configured to meet the requirement: verify it there (Exchange's result follows).",
                    self.site.display_name()
                )
            });
        details.push_str(&details_table(&binding, &lines, &out_of_scope));
        if !elsewhere.is_empty() {
            details.push_str(&format!(
                "Not evaluated (they belong to other servers than {}): {}\n",
                self.host.as_deref().unwrap_or_default(),
                elsewhere.join(", ")
            ));
        }
        let mut comments = self.comments_for(&binding, judged, &lines, objects.len());
        comments.splice(0..0, third_party);
        result.finding_details = details;
        result.comments = comments.join("\n");
        self.apply_rule_exceptions(rule, Some(&binding), &exceptions, &mut result, &mut notes);
        result
    }

    /// Judges every object of the rule's kind: in-scope ones get a line (after connector
    /// exceptions), out-of-scope connectors are listed with their scope and its basis.
    fn judge_objects(
        &self,
        rule: &Rule,
        binding: &Binding,
        objects: &[&InventoryObject],
        exceptions: &[&Exception],
        notes: &mut Vec<String>,
    ) -> (Vec<Line>, Vec<String>) {
        let ctx = Context {
            site: self.site,
            transport_config: self.inventory.of_kind(ObjectKind::TransportConfig).next(),
            inventory: Some(self.inventory),
        };
        if let Some(judge_set) = binding.spec.judge_set {
            let facts = kinds::facts(binding.spec.kind);
            let line = Line {
                identity: if facts.singleton {
                    facts.one.to_string()
                } else {
                    format!(
                        "all {} {}",
                        objects.len(),
                        noun(binding.spec.kind, objects.len())
                    )
                },
                scope: if facts.per_server {
                    "server"
                } else {
                    "organization"
                }
                .into(),
                judgement: judge_set(binding, objects, &ctx),
                exception_note: None,
                fix_target: String::new(),
                scope_unknown: false,
            };
            return (vec![line], Vec::new());
        }
        let connector_exceptions: Vec<&Exception> = exceptions
            .iter()
            .copied()
            .filter(|e| e.connector.is_some())
            .collect();
        let mut lines = Vec::new();
        let mut out_of_scope = Vec::new();
        for obj in objects {
            let mut identity = obj.identity();
            if crate::inventory::values::boolean(obj, "Enabled") == Ok(false) {
                identity.push_str(" (disabled)");
            }
            let facts = kinds::facts(obj.kind);
            let is_connector = facts.connector;
            let scope = if is_connector && binding.scope != RuleScope::All {
                let cs = connector_scope(obj, self.site, self.role);
                let wanted = match binding.scope {
                    RuleScope::Internet => crate::site::Scope::Internet,
                    _ => crate::site::Scope::Internal,
                };
                match cs.scope {
                    Some(s) if s != wanted => {
                        out_of_scope.push(format!("{identity} | {} | not in scope", cs.label()));
                        continue;
                    }
                    None => {
                        lines.push(Line {
                            identity: identity.clone(),
                            scope: cs.label(),
                            judgement: Judgement {
                                verdict: Verdict::Unknown(format!(
                                    "the scope of {identity} is unknown: {}",
                                    cs.basis
                                )),
                                property: binding.spec.property.into(),
                                actual: "(not read)".into(),
                                expected: String::new(),
                                fix: None,
                                advice: Vec::new(),
                            },
                            exception_note: None,
                            fix_target: fix::target(obj),
                            scope_unknown: true,
                        });
                        continue;
                    }
                    Some(_) => cs.label(),
                }
            } else if is_connector {
                "any scope".into()
            } else if facts.singleton || !facts.per_server {
                "organization".into()
            } else {
                "server".into()
            };
            let mut line = Line {
                identity,
                scope,
                judgement: judge::judge(binding, obj, &ctx),
                exception_note: None,
                fix_target: fix::target(obj),
                scope_unknown: false,
            };
            self.apply_connector_exceptions(
                rule,
                binding,
                obj,
                &connector_exceptions,
                &mut line,
                notes,
            );
            lines.push(line);
        }
        (lines, out_of_scope)
    }

    /// COMMENTS for the automatic verdict: the fix commands of an Open rule, what is missing for
    /// a Not_Reviewed one, why a rule is Not_Applicable, and how the text was read.
    fn comments_for(
        &self,
        binding: &Binding,
        status: Status,
        lines: &[Line],
        examined: usize,
    ) -> Vec<String> {
        let in_scope = lines.len();
        let kind = binding.spec.kind;
        let mut comments: Vec<String> = Vec::new();
        match status {
            Status::Open => {
                let failing: Vec<&Line> = lines
                    .iter()
                    .filter(|l| l.judgement.verdict == Verdict::Fail)
                    .collect();
                comments.push(format!(
                    "Open: {} of {in_scope} {} fail{}.",
                    failing.len(),
                    noun(kind, in_scope),
                    if failing.len() == 1 { "s" } else { "" }
                ));
                let fixes: Vec<String> = failing
                    .iter()
                    .filter_map(|l| {
                        l.judgement.fix.as_ref().map(|args| {
                            let mut lines = vec![fix::command(binding, &l.fix_target, args)];
                            lines.extend(l.judgement.advice.iter().cloned());
                            lines.join("\n")
                        })
                    })
                    .collect();
                if fixes.is_empty() {
                    comments.push(
                        "No single command fixes this: the expected value in the details says what to change."
                            .into(),
                    );
                } else {
                    comments.push("Fix (Exchange Management Shell):".into());
                    comments.extend(fixes);
                }
                if binding.edsp_allowed {
                    comments.push(format!(
                        "If the EDSP documents another value with signoff and risk acceptance, record it in {} as [values] {} and evaluate again.",
                        self.site.display_name(),
                        binding.spec.site_key.unwrap_or_default()
                    ));
                }
            }
            Status::NotReviewed if binding.comparison == checks::Comparison::Naming => {
                let names: Vec<String> = lines
                    .iter()
                    .map(|l| format!("\"{}\"", l.judgement.actual))
                    .collect();
                comments.push(format!(
                    "Not reviewed: needs human judgement. Decide whether these names state purpose and direction: {}.",
                    names.join(", ")
                ));
            }
            Status::NotReviewed => {
                let reasons: BTreeSet<String> = lines
                    .iter()
                    .filter_map(|l| match &l.judgement.verdict {
                        Verdict::Unknown(why) => Some(why.clone()),
                        _ => None,
                    })
                    .collect();
                let undecided = lines
                    .iter()
                    .filter(|l| matches!(l.judgement.verdict, Verdict::Unknown(_)))
                    .count();
                comments.push(format!(
                    "Not reviewed: {undecided} of {in_scope} {} could not be decided.",
                    noun(kind, in_scope)
                ));
                comments.extend(reasons);
            }
            Status::NotApplicable => {
                let stated = lines.iter().find_map(|l| match &l.judgement.verdict {
                    Verdict::NotApplicable(why) => Some(why.clone()),
                    _ => None,
                });
                comments.push(match stated {
                    Some(why) => format!("Not applicable: {why}."),
                    None => {
                        let which = match binding.scope {
                            RuleScope::Internet => "Internet-facing",
                            RuleScope::Internal => "internal",
                            RuleScope::All => "matching",
                        };
                        format!(
                            "Not applicable: the inventory holds no {which} {} ({examined} {} examined, all out of scope; see the details for each one's scope and its basis).",
                            noun(kind, 2),
                            noun(kind, examined)
                        )
                    }
                });
            }
            Status::NotAFinding if in_scope == 1 => comments.push(format!(
                "NotAFinding: the one in-scope {} meets the rule.",
                noun(kind, 1)
            )),
            Status::NotAFinding => comments.push(format!(
                "NotAFinding: all {in_scope} in-scope {} meet the rule.",
                noun(kind, in_scope)
            )),
        }
        comments.extend(binding.notes.iter().cloned());
        match &binding.not_applicable_note {
            Some(note) if binding.not_applicable_on_sipr && self.site.values.sipr.is_none() => {
                comments.push(format!(
                    "Note: {note}; if this server is on SIPR, set [values] sipr = true in {}.",
                    self.site.display_name()
                ));
            }
            Some(_) if binding.not_applicable_on_sipr || binding.not_applicable_with_antispam => {}
            Some(note) => comments.push(format!(
                "Note: {note}; if that is the case here, record an [[exception]] with status = \"not_applicable\"."
            )),
            None => {}
        }
        if binding.not_applicable_with_antispam && self.site.values.antispam_product.is_none() {
            comments.push(format!(
                "Note: the check text says the rule is not applicable when another DoD-approved anti-spam product or email gateway (such as EEMSG) is used; if so, name it in {} as [values] antispam_product = \"EEMSG\" (the product the EDSP names).",
                self.site.display_name()
            ));
        }
        comments
    }

    /// Connector-scoped exceptions: change the verdict of matching connectors (or refuse).
    fn apply_connector_exceptions(
        &self,
        rule: &Rule,
        binding: &Binding,
        obj: &InventoryObject,
        exceptions: &[&Exception],
        line: &mut Line,
        notes: &mut Vec<String>,
    ) {
        let identity = obj.identity();
        let name = obj.name();
        for e in exceptions {
            let Some(pattern) = &e.connector else {
                continue;
            };
            if !glob_matches(pattern, &identity) && !glob_matches(pattern, &name) {
                continue;
            }
            match self.standing(e, rule) {
                Standing::Lapsed(why) => {
                    line.exception_note = Some(why.clone());
                    notes.push(why);
                }
                Standing::Valid => {
                    if let Some(refusal) =
                        refusal(binding, e.status, line.judgement.verdict == Verdict::Fail)
                    {
                        self.record(e, ExceptionEventKind::Refused);
                        let text = format!(
                            "{} line {}: exception refused: {refusal}",
                            self.site.display_name(),
                            e.line
                        );
                        line.exception_note = Some(text.clone());
                        notes.push(text);
                    } else {
                        line.judgement.verdict = match e.status {
                            ExceptionStatus::NotAFinding => Verdict::Pass,
                            ExceptionStatus::Open => Verdict::Fail,
                            ExceptionStatus::NotApplicable => {
                                Verdict::NotApplicable(self.describe_exception(e))
                            }
                        };
                        if line.judgement.verdict == Verdict::Fail && line.judgement.fix.is_none() {
                            line.judgement.fix = Some(format!("# {}", e.justification.trim()));
                        }
                        line.exception_note = Some(self.describe_exception(e));
                        notes.extend(self.digest_hint(e, rule));
                    }
                }
            }
            return;
        }
    }

    /// Rule-wide exceptions (no connector glob): set the rule's status (or refuse), and add
    /// the notes of connector exceptions to the comments.
    fn apply_rule_exceptions(
        &self,
        rule: &Rule,
        binding: Option<&Binding>,
        exceptions: &[&Exception],
        result: &mut RuleResult,
        notes: &mut Vec<String>,
    ) {
        let mut applied = false;
        if let Some(e) = exceptions.iter().find(|e| e.connector.is_none()) {
            match self.standing(e, rule) {
                Standing::Lapsed(why) => notes.push(why),
                Standing::Valid => {
                    let refused =
                        binding.and_then(|b| refusal(b, e.status, result.status == Status::Open));
                    match refused {
                        Some(why) => {
                            self.record(e, ExceptionEventKind::Refused);
                            notes.push(format!(
                                "{} line {}: exception refused: {why}",
                                self.site.display_name(),
                                e.line
                            ))
                        }
                        None => {
                            applied = true;
                            let automatic = result.status;
                            result.status = e.status.status();
                            if result.finding_details.is_empty() {
                                result.finding_details = format!("{DETAILS_MARKER}\n");
                            }
                            result.finding_details.push_str(&format!(
                                "Status {} set by the {} (automatic verdict: {}).\n",
                                result.status.ckl(),
                                self.describe_exception(e),
                                automatic.ckl()
                            ));
                            notes.push(format!(
                                "{}: status set by the {}",
                                result.status.ckl(),
                                self.describe_exception(e)
                            ));
                            notes.extend(self.digest_hint(e, rule));
                        }
                    }
                }
            }
        }
        if binding.is_none() && exceptions.iter().any(|e| e.connector.is_some()) {
            notes.push("a connector-scoped exception names this rule, which exstig does not evaluate per connector; it is ignored".into());
        }
        if !notes.is_empty() {
            let mut comments = notes.join("\n");
            if !result.comments.is_empty() {
                let label = if applied {
                    "Automatic result before the exception: "
                } else {
                    ""
                };
                comments = format!("{comments}\n{label}{}", result.comments);
            }
            result.comments = comments;
        }
    }
}

/// The rule's status from its lines: Open if any fails; Not_Reviewed if any is undecided;
/// Not_Applicable if none passes (nothing in scope, or all not applicable); else NotAFinding.
fn verdict_of(lines: &[Line]) -> Status {
    let has = |f: fn(&Verdict) -> bool| lines.iter().any(|l| f(&l.judgement.verdict));
    if has(|v| *v == Verdict::Fail) {
        Status::Open
    } else if has(|v| matches!(v, Verdict::Unknown(_))) {
        Status::NotReviewed
    } else if has(|v| *v == Verdict::Pass) {
        Status::NotAFinding
    } else {
        Status::NotApplicable
    }
}

/// What an undecided rule waits for, from its undecided lines: a person for names, the scope of
/// a connector, the `[values]` keys the judgement names, or another reason.
fn needs_of(binding: &Binding, lines: &[Line]) -> Vec<Need> {
    if binding.comparison == checks::Comparison::Naming {
        return vec![Need::Judgement];
    }
    let mut needs = BTreeSet::new();
    for l in lines {
        let Verdict::Unknown(why) = &l.judgement.verdict else {
            continue;
        };
        if l.scope_unknown {
            needs.insert(Need::Scope);
            continue;
        }
        let keys = site_keys_named(why);
        if keys.is_empty() {
            needs.insert(Need::Other);
        }
        needs.extend(keys.into_iter().map(Need::SiteValue));
    }
    needs.into_iter().collect()
}

/// The site file keys a judgement asks for with "add [values] KEY": the judge states its need
/// only in words, so the key is taken from them here, in this one place.
fn site_keys_named(why: &str) -> Vec<String> {
    why.split("add [values] ")
        .skip(1)
        .filter_map(|after| {
            let key: String = after
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            (!key.is_empty()).then_some(key)
        })
        .collect()
}

/// The STIG value line and one line per object: identity | scope (basis) | property | actual |
/// expected | result, then the connectors out of scope.
fn details_table(binding: &Binding, lines: &[Line], out_of_scope: &[String]) -> String {
    let mut details = String::new();
    if let Some(expected) = binding
        .expected
        .as_ref()
        .filter(|_| binding.spec.value != checks::ValueType::Other)
    {
        details.push_str(&format!(
            "STIG value: {} (from {}){}\n",
            expected.display(binding.spec.value),
            binding.expected_source,
            if binding.edsp_allowed {
                format!(
                    "; the STIG lets the EDSP document another value ([values] {})",
                    binding.spec.site_key.unwrap_or_default()
                )
            } else {
                String::new()
            }
        ));
    }
    details.push_str("Identity | scope (basis) | property | actual | expected | result\n");
    for l in lines {
        let verdict = match &l.judgement.verdict {
            Verdict::Pass => "pass".to_string(),
            Verdict::Fail => "FAIL".to_string(),
            Verdict::Unknown(why) => format!("not reviewed: {why}"),
            Verdict::NotApplicable(why) => format!("not applicable: {why}"),
        };
        details.push_str(&format!(
            "{} | {} | {} | actual {} | expected {} | {verdict}",
            l.identity, l.scope, l.judgement.property, l.judgement.actual, l.judgement.expected
        ));
        if let Some(note) = &l.exception_note {
            details.push_str(&format!(" | {note}"));
        }
        details.push('\n');
    }
    for line in out_of_scope {
        details.push_str(line);
        details.push('\n');
    }
    details
}

/// Why an exception with `status` for a rule bound as `binding` would be refused whenever the
/// configuration fails (the only time it would matter): `exstig exception add` refuses it with
/// the same reason `evaluate` gives.
pub fn exception_refusal(binding: &Binding, status: ExceptionStatus) -> Option<String> {
    refusal(binding, status, true)
}

/// Why an exception may not change a verdict: the automatic verdict is Open and the STIG allows
/// no documented deviation for the rule.
fn refusal(binding: &Binding, status: ExceptionStatus, open: bool) -> Option<String> {
    if !open || status == ExceptionStatus::Open || binding.deviation_allowed {
        return None;
    }
    if status == ExceptionStatus::NotApplicable && binding.not_applicable_note.is_some() {
        return None;
    }
    let catalog = if binding.has_check_text {
        ""
    } else {
        " (the embedded catalog carries no check text: give --benchmark with DISA's file if its check text allows a documented deviation)"
    };
    Some(format!(
        "the STIG allows no documented deviation for this rule ({}), so an exception cannot make a failing configuration {}; fix the configuration instead{catalog}",
        binding.spec.id,
        if status == ExceptionStatus::NotAFinding {
            "Not a Finding"
        } else {
            "Not Applicable"
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::HostFacts;

    fn line(verdict: Verdict) -> Line {
        Line {
            identity: "S\\C".into(),
            scope: "any scope".into(),
            judgement: Judgement {
                verdict,
                property: "P".into(),
                actual: String::new(),
                expected: String::new(),
                fix: None,
                advice: Vec::new(),
            },
            exception_note: None,
            fix_target: String::new(),
            scope_unknown: false,
        }
    }

    #[test]
    fn fail_on_levels() {
        assert!(FailOn::Cat1.matches(Some(Severity::High)));
        assert!(!FailOn::Cat1.matches(Some(Severity::Medium)));
        assert!(FailOn::Cat2.matches(Some(Severity::Medium)));
        assert!(!FailOn::Cat2.matches(Some(Severity::Low)));
        assert!(FailOn::Cat3.matches(Some(Severity::Low)));
        assert!(FailOn::Open.matches(Some(Severity::Low)));
    }

    /// A family rule about the whole set: any enabled "Malware Agent" among the objects.
    fn malware_agent(_: &Binding, objects: &[&InventoryObject], _: &Context) -> Judgement {
        let names: Vec<String> = objects.iter().map(|o| o.name()).collect();
        let pass = names.iter().any(|n| n == "Malware Agent");
        crate::checks::judge::decided(
            pass,
            "Identity",
            names.join(", "),
            "an enabled Malware Agent".into(),
            "-Identity 'Malware Agent'".into(),
        )
    }

    static SET_FAMILY: checks::Family = checks::Family {
        name: "demo",
        specs: &[checks::CheckSpec::property(
            "demo.malware-agent",
            "-",
            ObjectKind::SendConnector,
            &["Identity"],
            checks::ValueType::Other,
        )
        .judged_as_set(malware_agent, "an enabled Malware Agent exists")
        .fix_cmdlet("Enable-TransportAgent")],
        refine: None,
    };

    #[test]
    fn a_set_judge_gives_one_line_for_all_objects_and_its_own_fix_cmdlet() {
        let object = |name: &str| InventoryObject {
            kind: ObjectKind::SendConnector,
            source: "agents.json".into(),
            index: 0,
            fidelity: Fidelity::Exact,
            properties: serde_json::json!({ "Name": name })
                .as_object()
                .cloned()
                .unwrap(),
        };
        let inventory = Inventory {
            objects: vec![
                object("Content Filter Agent"),
                object("Recipient Filter Agent"),
            ],
            ..Inventory::default()
        };
        let benchmark = Benchmark::default();
        let rule = Rule {
            check_content: "Get-SendConnector | Select Identity".into(),
            ..Rule::default()
        };
        let binding = checks::bind_in(&[&SET_FAMILY], &benchmark, &rule).unwrap();
        let site = Site::default();
        let evaluator = Evaluator {
            host: None,
            benchmark: &benchmark,
            inventory: &inventory,
            site: &site,
            today: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            role: None,
            events: Default::default(),
        };
        let objects: Vec<&InventoryObject> = inventory.objects.iter().collect();
        let (lines, out) = evaluator.judge_objects(&rule, &binding, &objects, &[], &mut Vec::new());
        assert!(out.is_empty());
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].identity, "all 2 Send connectors");
        assert_eq!(lines[0].judgement.verdict, Verdict::Fail);
        assert_eq!(verdict_of(&lines), Status::Open);
        let comments = evaluator.comments_for(&binding, Status::Open, &lines, 2);
        assert!(
            comments.contains(&"Enable-TransportAgent -Identity 'Malware Agent'".to_string()),
            "{comments:?}"
        );
    }

    #[test]
    fn needs_name_the_site_keys_the_judgement_asks_for() {
        assert_eq!(
            site_keys_named(
                "the internal SMTP domain is needed: add [values] internal_smtp_domain = \"...\" (from the EDSP) to site.toml"
            ),
            ["internal_smtp_domain"]
        );
        assert_eq!(
            site_keys_named(
                "add the Get-TransportConfig export to the inventory, or add [values] max_receive_size = \"10MB\""
            ),
            ["max_receive_size"]
        );
        assert!(site_keys_named("the value 'x' cannot be read").is_empty());
        let unknown = |why: &str| {
            let mut l = line(Verdict::Unknown(why.into()));
            l.scope_unknown = why.contains("scope");
            l
        };
        let binding = checks::bind(
            &Benchmark::default(),
            &Rule {
                title: "Send connectors must use a smart host".into(),
                check_content: "Get-SendConnector | Select Name, Identity, SmartHosts".into(),
                ..Rule::default()
            },
        )
        .expect("a smart host rule binds");
        let needs = needs_of(
            &binding,
            &[
                unknown("the scope of X is unknown"),
                unknown("add [values] smart_hosts = [] to site.toml"),
                unknown("unreadable"),
                line(Verdict::Pass),
            ],
        );
        assert_eq!(
            needs,
            [
                Need::SiteValue("smart_hosts".into()),
                Need::Scope,
                Need::Other
            ]
        );
    }

    #[test]
    fn verdict_order_fail_then_unknown_then_pass() {
        let unknown = || Verdict::Unknown("x".into());
        assert_eq!(
            verdict_of(&[line(Verdict::Pass), line(unknown()), line(Verdict::Fail)]),
            Status::Open
        );
        assert_eq!(
            verdict_of(&[line(Verdict::Pass), line(unknown())]),
            Status::NotReviewed
        );
        assert_eq!(
            verdict_of(&[
                line(Verdict::Pass),
                line(Verdict::NotApplicable("y".into()))
            ]),
            Status::NotAFinding
        );
        assert_eq!(
            verdict_of(&[line(Verdict::NotApplicable("y".into()))]),
            Status::NotApplicable
        );
        assert_eq!(verdict_of(&[]), Status::NotApplicable);
    }

    #[test]
    fn asset_precedence_inventory_then_site() {
        let inventory = Inventory {
            host: HostFacts {
                host_name: Some("EDGE01".into()),
                fqdn: Some("edge01.inventory.mil".into()),
                ip: Some("192.0.2.20".into()),
                ..HostFacts::default()
            },
            ..Inventory::default()
        };
        let site = Site::parse(
            std::path::Path::new("site.toml"),
            "[asset]\nfqdn = \"edge01.site.mil\"\nrole = \"domain controller\"\nmarking = \"CUI//SP-PRVCY\"\n",
        )
        .unwrap();
        let asset = asset_from(&Benchmark::default(), &inventory, &site);
        assert_eq!(asset.host_name, "EDGE01");
        assert_eq!(asset.host_fqdn, "edge01.site.mil");
        assert_eq!(asset.host_ip, "192.0.2.20");
        assert_eq!(asset.role, "Domain Controller");
        assert_eq!(asset.marking, "CUI//SP-PRVCY");
    }

    #[test]
    fn unbound_rules_stay_not_reviewed_with_empty_review() {
        let benchmark = Benchmark {
            id: "X".into(),
            rules: vec![Rule {
                rule_id: "SV-1r1_rule".into(),
                stig_id: "X-1".into(),
                title: "Contacts".into(),
                check_content: "Get-MailContact | Select ExternalEmailAddress".into(),
                ..Rule::default()
            }],
            ..Benchmark::default()
        };
        let evaluation = evaluate(
            &benchmark,
            &Inventory::default(),
            &Site::default(),
            Asset::default(),
        );
        let r = &evaluation.results[0];
        assert_eq!((r.status, r.check), (Status::NotReviewed, None));
        assert!(r.finding_details.is_empty() && r.comments.is_empty());
        assert_eq!(
            evaluation.checklist.stigs[0].vulns[0].status,
            Status::NotReviewed
        );
        assert!(evaluation.summary().contains("1 rules, 0 evaluated"));
    }
}
