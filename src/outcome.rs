//! The console report after an evaluation: what is missing, grouped and counted, so that a
//! user learns from stderr (not only from the checklist) which export, site value or person the
//! Not_Reviewed rules wait for, which connector scopes were guessed, which exceptions did not
//! apply and which `[[connector]]` patterns of the site file matched nothing.
//!
//! Built from the data the evaluation returns ([`RuleResult::needs`],
//! [`RuleResult::exception_events`]), the inventory and the site file; text that comes from the
//! input goes through [`shown`] before it reaches the terminal.
//!
//! [`RuleResult::needs`]: crate::evaluate::RuleResult::needs
//! [`RuleResult::exception_events`]: crate::evaluate::RuleResult::exception_events

use crate::checks::scope::connector_scope;
use crate::evaluate::{Evaluation, ExceptionEventKind, Need};
use crate::inventory::{Collection, Inventory, InventoryObject, ObjectKind, ServerRole};
use crate::site::{ConnectorKind, Site, glob_matches};
use std::collections::BTreeMap;

/// The one recommendation for an export the inventory lacks: the collector script, or
/// Export-Clixml (never ConvertTo-Json, which loses sizes and flags).
pub fn export_advice(kind: ObjectKind) -> String {
    let cmdlet = kind.cmdlet();
    format!(
        "Export it with collect/Export-ExchangeStigInventory.ps1 (the inventory bundle), or with {cmdlet} | Export-Clixml {}.xml",
        cmdlet.trim_start_matches("Get-")
    )
}

/// Text from the input (names, paths, patterns) as it may be shown on a terminal: control
/// characters other than tab and line feed are written as `\u{..}` escapes, so an export cannot
/// move the cursor or recolour the console. Everything exstig prints that carries input text
/// goes through this one function.
pub fn shown(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\t' && c != '\n' {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The report's input: the evaluation and what it was made of.
pub struct Outcome<'a> {
    /// The evaluation.
    pub evaluation: &'a Evaluation,
    /// The inventory it read.
    pub inventory: &'a Inventory,
    /// The site file (default when none was given).
    pub site: &'a Site,
    /// The checklist's host name (other servers' connectors are left out).
    pub host: &'a str,
    /// The server role the connector scopes are inferred for (the inventory's, else the STIG's).
    pub role: Option<ServerRole>,
}

impl Outcome<'_> {
    /// The report, one line per group with its count; empty when nothing needs attention.
    pub fn report(&self) -> String {
        let mut lines = Vec::new();
        self.needs(&mut lines);
        self.scopes(&mut lines);
        self.exceptions(&mut lines);
        self.unmatched_patterns(&mut lines);
        if lines.is_empty() {
            return String::new();
        }
        let mut out = String::from("What needs attention:\n");
        for line in lines {
            out.push_str("  ");
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    fn needs(&self, lines: &mut Vec<String>) {
        let mut by_need: BTreeMap<&Need, Vec<&str>> = BTreeMap::new();
        for r in &self.evaluation.results {
            for need in &r.needs {
                by_need.entry(need).or_default().push(&r.stig_id);
            }
        }
        let site = self.site_name();
        for (need, ids) in by_need {
            let n = ids.len();
            let rules = rules(n);
            let needs = if n == 1 { "needs" } else { "need" };
            let wait = if n == 1 { "waits" } else { "wait" };
            lines.push(match need {
                Need::Export(kind) => format!(
                    "{rules} {needs} {}: {}. {}, and evaluate again.",
                    kind.cmdlet(),
                    match self.inventory.collection(*kind) {
                        Collection::NotCollected(why) => {
                            format!("the collector could not read it ({})", shown(&why))
                        }
                        _ => "none in the inventory".to_string(),
                    },
                    export_advice(*kind)
                ),
                Need::SiteValue(key) => format!(
                    "{rules} {needs} [values] {key} in {site} (the EDSP value; see docs/SITE.md)"
                ),
                Need::Reviewer => format!(
                    "{rules} {needs} a person (exstig reads no data for {}): {}",
                    if n == 1 { "it" } else { "them" },
                    shown(&ids.join(", "))
                ),
                Need::Judgement => format!(
                    "{rules} {needs} a person to judge what exstig read (see their COMMENTS)"
                ),
                Need::Scope => format!(
                    "{rules} {wait} for a connector whose scope is unknown: declare it with [[connector]] in {site}"
                ),
                Need::Other => {
                    format!("{rules} could not be decided from the values read (see their COMMENTS)")
                }
            });
        }
    }

    /// Connectors of this host whose scope no `[[connector]]` declares.
    fn scopes(&self, lines: &mut Vec<String>) {
        let role = self.role;
        let mut inferred = Vec::new();
        for obj in self.connectors() {
            let kind = connector_kind(obj);
            if self
                .site
                .declared_scope(kind, &obj.identity(), &obj.name())
                .is_some()
            {
                continue;
            }
            let scope = connector_scope(obj, self.site, role);
            inferred.push(format!(
                "{} ({})",
                shown(&obj.identity()),
                match scope.scope {
                    Some(s) => s.as_str(),
                    None => "unknown",
                }
            ));
        }
        if inferred.is_empty() {
            return;
        }
        lines.push(format!(
            "{} connector scope{} inferred, not declared: {}; declare them with [[connector]] in {} (--site FILE, docs/SITE.md) so that no guess decides a verdict",
            inferred.len(),
            if inferred.len() == 1 { " was" } else { "s were" },
            inferred.join(", "),
            self.site_name()
        ));
    }

    fn exceptions(&self, lines: &mut Vec<String>) {
        let mut by_kind: BTreeMap<ExceptionEventKind, Vec<String>> = BTreeMap::new();
        for r in &self.evaluation.results {
            for e in &r.exception_events {
                let entry = by_kind.entry(e.kind).or_default();
                let at = format!("line {} ({})", e.line, r.stig_id);
                if !entry.contains(&at) {
                    entry.push(at);
                }
            }
        }
        let site = self.site_name();
        for (kind, at) in by_kind {
            let (what, advice) = match kind {
                ExceptionEventKind::Refused => (
                    "refused (the STIG allows no deviation for the rule)",
                    "fix the configuration",
                ),
                ExceptionEventKind::Expired => ("lapsed (expired)", "renew or remove each"),
                ExceptionEventKind::CheckChanged => (
                    "lapsed (the rule's check text changed: check_digest differs)",
                    "review each rule and update its check_digest",
                ),
            };
            lines.push(format!(
                "{} exception{} in {site} {what}: {}; {advice}",
                at.len(),
                if at.len() == 1 { "" } else { "s" },
                at.join(", ")
            ));
        }
    }

    fn unmatched_patterns(&self, lines: &mut Vec<String>) {
        let connectors: Vec<&InventoryObject> = self
            .inventory
            .objects
            .iter()
            .filter(|o| {
                matches!(
                    o.kind,
                    ObjectKind::ReceiveConnector | ObjectKind::SendConnector
                )
            })
            .collect();
        let unmatched: Vec<String> = self
            .site
            .connector
            .iter()
            .filter(|d| {
                !connectors.iter().any(|o| {
                    d.kind.is_none_or(|k| k == connector_kind(o))
                        && (glob_matches(&d.pattern, &o.identity())
                            || glob_matches(&d.pattern, &o.name()))
                })
            })
            .map(|d| format!("\"{}\"", shown(&d.pattern)))
            .collect();
        if unmatched.is_empty() {
            return;
        }
        lines.push(format!(
            "{} [[connector]] pattern{} in {} matched no connector of the inventory: {} (a typo, or a connector that is gone?)",
            unmatched.len(),
            if unmatched.len() == 1 { "" } else { "s" },
            self.site_name(),
            unmatched.join(", ")
        ));
    }

    /// The Receive connectors of this host and every Send connector.
    fn connectors(&self) -> impl Iterator<Item = &InventoryObject> {
        let short = |name: &str| name.split('.').next().unwrap_or(name).to_ascii_lowercase();
        let host = short(self.host);
        self.inventory.objects.iter().filter(move |o| match o.kind {
            ObjectKind::SendConnector => true,
            ObjectKind::ReceiveConnector => o
                .server()
                .is_none_or(|s| host.is_empty() || short(&s) == host),
            _ => false,
        })
    }

    fn site_name(&self) -> String {
        if self.site.path.is_some() {
            shown(&self.site.display_name())
        } else {
            "a site file".into()
        }
    }
}

fn connector_kind(obj: &InventoryObject) -> ConnectorKind {
    match obj.kind {
        ObjectKind::SendConnector => ConnectorKind::Send,
        _ => ConnectorKind::Receive,
    }
}

/// "1 rule", "3 rules".
fn rules(n: usize) -> String {
    format!("{n} rule{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(shown("a\u{1b}[31mb\tc\n"), "a\\u{1b}[31mb\tc\n");
        assert_eq!(shown("x\ry\u{9b}"), "x\\u{d}y\\u{9b}");
        assert_eq!(shown("EDGE01\\Default"), "EDGE01\\Default");
    }

    #[test]
    fn export_advice_never_suggests_convertto_json() {
        let advice = export_advice(ObjectKind::TransportService);
        assert!(advice.contains("Get-TransportService | Export-Clixml TransportService.xml"));
        assert!(advice.contains("Export-ExchangeStigInventory.ps1"));
        assert!(!advice.contains("ConvertTo-Json"));
    }
}
