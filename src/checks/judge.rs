//! Judging one inventory object against a bound rule: the actual value, the value expected
//! (the STIG's, or the EDSP value of the site file where the STIG allows one), pass or fail,
//! and the `Set-...` arguments that fix a failure.

use super::{Binding, Comparison, Expected, ValueType};
use crate::inventory::values::{self, Limit, Size, TLS_AUTH_LEVEL, ValueProblem};
use crate::inventory::{InventoryObject, ObjectKind};
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
}

/// What a check may need besides the object: the site file and the TransportConfig object.
pub struct Context<'a> {
    /// The site file (empty when none was given).
    pub site: &'a Site,
    /// `Get-TransportConfig` from the inventory, when present.
    pub transport_config: Option<&'a InventoryObject>,
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

fn unknown(property: &str, problem: impl ToString) -> Judgement {
    Judgement {
        verdict: Verdict::Unknown(problem.to_string()),
        property: property.to_string(),
        actual: "(unreadable)".into(),
        expected: String::new(),
        fix: None,
    }
}

fn decided(pass: bool, property: &str, actual: String, expected: String, fix: String) -> Judgement {
    Judgement {
        verdict: if pass { Verdict::Pass } else { Verdict::Fail },
        property: property.to_string(),
        actual,
        expected,
        fix: (!pass).then_some(fix),
    }
}

/// A value in `Set-` syntax.
fn arg(expected: &Expected, value: ValueType) -> String {
    match expected {
        Expected::Bool(b) => if *b { "$true" } else { "$false" }.into(),
        Expected::Size(Size::Bytes(b)) if b % (1 << 20) == 0 && *b > 0 => format!("{}MB", b >> 20),
        Expected::Size(Size::Bytes(b)) if b % (1 << 10) == 0 && *b > 0 => format!("{}KB", b >> 10),
        Expected::Size(Size::Bytes(b)) => b.to_string(),
        Expected::Text(t) => format!("\"{t}\""),
        other => {
            let text = other.display(value);
            if text.contains([',', ' ']) {
                format!("\"{text}\"")
            } else {
                text
            }
        }
    }
}

/// Judges `obj` against `binding`.
pub fn judge(binding: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    let property = binding.spec.property;
    match binding.comparison {
        Comparison::Naming => Judgement {
            verdict: Verdict::Unknown(
                "human judgement: is the name clear about purpose and direction?".into(),
            ),
            property: "Name".into(),
            actual: obj.name(),
            expected: "a name that states purpose and direction".into(),
            fix: None,
        },
        Comparison::SameAsGlobal => same_as_global(binding, obj, ctx),
        Comparison::SmartHost => smart_host(binding, obj, ctx),
        Comparison::SendDomainSecurity => send_domain_security(binding, obj),
        Comparison::TlsDomain => tls_domain(binding, obj, ctx),
        Comparison::InternalSmtpServers => internal_smtp_servers(obj, ctx),
        Comparison::DnsServers => dns_servers(obj, ctx),
        Comparison::Equal
        | Comparison::AtLeast
        | Comparison::AtMost
        | Comparison::Includes
        | Comparison::Excludes => {
            let Some((expected, words)) = effective_expected(binding, ctx) else {
                return unknown(property, "exstig found no expected value in the rule");
            };
            match compare(binding, obj, &expected) {
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
    }
}

/// Simple comparisons: (pass, actual as shown, fix value).
fn compare(
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
    let fix = arg(expected, binding.spec.value);
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
                format!("\"{fix_text}\"")
            } else {
                fix_text
            };
            Ok((pass, shown, fix))
        }
        ValueType::Other => Err(mismatch()),
    }
}

fn same_as_global(binding: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    let property = binding.spec.property;
    let actual = match values::size(obj, property) {
        Ok(size) => size,
        Err(problem) => return unknown(property, problem),
    };
    let global = if binding.spec.kind == ObjectKind::SendConnector {
        "MaxSendSize"
    } else {
        "MaxReceiveSize"
    };
    let key = binding.spec.site_key.unwrap_or_default();
    let reference = match ctx.transport_config {
        Some(config) => match values::size(config, global) {
            Ok(size) => (size, format!("{size}: TransportConfig {global}")),
            Err(problem) => {
                return unknown(
                    property,
                    format!("the global value cannot be read: {problem}"),
                );
            }
        },
        None => match ctx.site.values_size(key) {
            Some(size) => (
                size,
                format!(
                    "{size}: [values] {key} in {} (no TransportConfig in the inventory)",
                    ctx.site.display_name()
                ),
            ),
            None => {
                return Judgement {
                    verdict: Verdict::Unknown(format!(
                        "the global {global} is needed: add the Get-TransportConfig export to the inventory, or add [values] {key} = \"10MB\" (your EDSP value) to {}",
                        ctx.site.display_name()
                    )),
                    property: property.to_string(),
                    actual: actual.to_string(),
                    expected: format!("the global {global}"),
                    fix: None,
                };
            }
        },
    };
    // Send connectors: the check also compares with the EDSP's documented maximum send size.
    let documented = ctx.site.values_size(key).filter(|size| {
        ctx.transport_config.is_some()
            && binding.spec.kind == ObjectKind::SendConnector
            && *size != reference.0
    });
    if let Some(size) = documented {
        return decided(
            false,
            property,
            actual.to_string(),
            format!(
                "{} and {size}: [values] {key} in {} (they differ, so no value meets both)",
                reference.1,
                ctx.site.display_name()
            ),
            format!(
                "-{property} {}  # after aligning TransportConfig MaxSendSize with the EDSP",
                arg(&Expected::Size(size), ValueType::Size)
            ),
        );
    }
    decided(
        actual == reference.0,
        property,
        actual.to_string(),
        reference.1,
        format!(
            "-{property} {}",
            arg(&Expected::Size(reference.0), ValueType::Size)
        ),
    )
}

fn smart_host(binding: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    let hosts = match values::list(obj, "SmartHosts") {
        Ok(h) => h,
        Err(p) => return unknown("SmartHosts", p),
    };
    let mut property = "SmartHosts".to_string();
    let mut actual = if hosts.is_empty() {
        "(none)".to_string()
    } else {
        hosts.join(", ")
    };
    let approved = ctx.site.values.smart_hosts.clone().unwrap_or_default();
    let wanted = if approved.is_empty() {
        "<approved smart host>".to_string()
    } else {
        approved.join(",")
    };
    let mut fix = format!("-SmartHosts {wanted}");
    let mut dns_ok = true;
    if binding.dns_routing_off {
        match values::boolean(obj, "DNSRoutingEnabled") {
            Ok(dns) => {
                dns_ok = !dns;
                property.push_str(", DNSRoutingEnabled");
                actual.push_str(&format!(
                    "; DNSRoutingEnabled {}",
                    if dns { "True" } else { "False" }
                ));
                fix.push_str(" -DNSRoutingEnabled $false");
            }
            Err(p) => return unknown(&property, p),
        }
    }
    let expected_dns = if binding.dns_routing_off {
        "; DNSRoutingEnabled False"
    } else {
        ""
    };
    if hosts.is_empty() || !dns_ok {
        return decided(
            false,
            &property,
            actual,
            format!("a smart host{expected_dns}"),
            fix,
        );
    }
    if approved.is_empty() {
        return Judgement {
            verdict: Verdict::Unknown(format!(
                "the approved smart host addresses are needed: add [values] smart_hosts = [\"...\"] (from the EDSP) to {}",
                ctx.site.display_name()
            )),
            property,
            actual,
            expected: format!("the EDSP's smart host{expected_dns}"),
            fix: None,
        };
    }
    let bare = |h: &str| {
        h.trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase()
    };
    let unapproved: Vec<&String> = hosts
        .iter()
        .filter(|h| !approved.iter().any(|a| bare(a) == bare(h)))
        .collect();
    decided(
        unapproved.is_empty(),
        &property,
        actual,
        format!(
            "{} ([values] smart_hosts){expected_dns}",
            approved.join(", ")
        ),
        fix,
    )
}

/// `(uses a smart host, DomainSecureEnabled)` and the smart-host branch settings.
fn smart_host_branch(obj: &InventoryObject) -> Result<(bool, bool, String, bool), ValueProblem> {
    let hosts = values::list(obj, "SmartHosts")?;
    let uses_smart_host = !hosts.is_empty();
    let secure = values::boolean(obj, "DomainSecureEnabled")?;
    if !uses_smart_host {
        return Ok((
            false,
            secure,
            format!("no smart host; DomainSecureEnabled {secure}"),
            secure,
        ));
    }
    let dns = values::boolean(obj, "DNSRoutingEnabled")?;
    let tls = values::boolean(obj, "RequireTLS")?;
    let level = values::flags(obj, "TlsAuthLevel", &TLS_AUTH_LEVEL)?;
    let pass = !dns && tls && level.len() == 1 && level.contains("DomainValidation");
    Ok((
        true,
        secure,
        format!(
            "smart host {}; DNSRoutingEnabled {dns}; RequireTLS {tls}; TlsAuthLevel {}",
            hosts.join(", "),
            TLS_AUTH_LEVEL.display(&level)
        ),
        pass,
    ))
}

fn send_domain_security(binding: &Binding, obj: &InventoryObject) -> Judgement {
    if binding.smart_host_branch {
        return match smart_host_branch(obj) {
            Ok((true, _, actual, pass)) => decided(
                pass,
                "DNSRoutingEnabled, RequireTLS, TlsAuthLevel",
                actual,
                "with a smart host: DNSRoutingEnabled False, RequireTLS True, TlsAuthLevel DomainValidation".into(),
                "-DNSRoutingEnabled $false -RequireTLS $true -TlsAuthLevel DomainValidation".into(),
            ),
            Ok((false, _, actual, pass)) => decided(
                pass,
                "DomainSecureEnabled",
                actual,
                "without a smart host: DomainSecureEnabled True".into(),
                "-DomainSecureEnabled $true".into(),
            ),
            Err(p) => unknown("DomainSecureEnabled", p),
        };
    }
    match values::boolean(obj, "DomainSecureEnabled") {
        Ok(secure) => decided(
            secure,
            "DomainSecureEnabled",
            if secure { "True" } else { "False" }.into(),
            "True (STIG value)".into(),
            "-DomainSecureEnabled $true".into(),
        ),
        Err(p) => unknown("DomainSecureEnabled", p),
    }
}

fn tls_domain(binding: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    let domain = match values::text(obj, "TlsDomain") {
        Ok(d) => d.unwrap_or_default(),
        Err(p) => return unknown("TlsDomain", p),
    };
    let shown = if domain.is_empty() {
        "(not set)".to_string()
    } else {
        domain.clone()
    };
    let Some(internal) = ctx.site.values.internal_smtp_domain.clone() else {
        return Judgement {
            verdict: Verdict::Unknown(format!(
                "the internal SMTP domain is needed: add [values] internal_smtp_domain = \"...\" (from the EDSP) to {}",
                ctx.site.display_name()
            )),
            property: "TlsDomain".into(),
            actual: shown,
            expected: "the internal SMTP domain".into(),
            fix: None,
        };
    };
    let domain_ok = domain.trim().eq_ignore_ascii_case(internal.trim());
    if binding.validation_method {
        let secure = match values::boolean(obj, "DomainSecureEnabled") {
            Ok(b) => b,
            Err(p) => return unknown("TlsDomain, DomainSecureEnabled", p),
        };
        return decided(
            domain_ok || secure,
            "TlsDomain, DomainSecureEnabled",
            format!("TlsDomain {shown}; DomainSecureEnabled {secure}"),
            format!(
                "DomainValidation with TlsDomain {internal} ([values] internal_smtp_domain), or DomainSecureEnabled True"
            ),
            format!("-TlsDomain {internal} -TlsAuthLevel DomainValidation"),
        );
    }
    if binding.smart_host_branch {
        return match smart_host_branch(obj) {
            Ok((uses, secure, actual, branch_ok)) => {
                let pass = domain_ok && if uses { branch_ok } else { secure };
                decided(
                    pass,
                    "TlsDomain, DomainSecureEnabled, RequireTLS, TlsAuthLevel",
                    format!("TlsDomain {shown}; {actual}"),
                    format!(
                        "TlsDomain {internal} ([values] internal_smtp_domain); without a smart host DomainSecureEnabled True, with one RequireTLS True and TlsAuthLevel DomainValidation"
                    ),
                    if uses {
                        format!(
                            "-TlsDomain {internal} -RequireTLS $true -TlsAuthLevel DomainValidation"
                        )
                    } else {
                        format!("-TlsDomain {internal} -DomainSecureEnabled $true")
                    },
                )
            }
            Err(p) => unknown("TlsDomain", p),
        };
    }
    decided(
        domain_ok,
        "TlsDomain",
        shown,
        format!("{internal} ([values] internal_smtp_domain)"),
        format!("-TlsDomain {internal}"),
    )
}

fn internal_smtp_servers(obj: &InventoryObject, ctx: &Context) -> Judgement {
    if let Some(product) = &ctx.site.values.antispam_product {
        return Judgement {
            verdict: Verdict::NotApplicable(format!(
                "{} declares another DoD-approved anti-spam product ([values] antispam_product = \"{product}\"); the check text makes the rule not applicable then",
                ctx.site.display_name()
            )),
            property: "InternalSMTPServers".into(),
            actual: String::new(),
            expected: String::new(),
            fix: None,
        };
    }
    let servers = match values::list(obj, "InternalSMTPServers") {
        Ok(s) => s,
        Err(p) => return unknown("InternalSMTPServers", p),
    };
    let shown = if servers.is_empty() {
        "(none)".to_string()
    } else {
        servers.join(", ")
    };
    let Some(accepted) = ctx.site.values.internal_smtp_servers.clone() else {
        return Judgement {
            verdict: Verdict::Unknown(format!(
                "the accepted SMTP server addresses are needed: add [values] internal_smtp_servers = [\"...\"] (from the EDSP) to {}",
                ctx.site.display_name()
            )),
            property: "InternalSMTPServers".into(),
            actual: shown,
            expected: "the EDSP's accepted SMTP server addresses".into(),
            fix: None,
        };
    };
    let extra: Vec<&String> = servers
        .iter()
        .filter(|s| !accepted.iter().any(|a| a.eq_ignore_ascii_case(s.trim())))
        .collect();
    decided(
        extra.is_empty() && !servers.is_empty(),
        "InternalSMTPServers",
        shown,
        format!(
            "only {} ([values] internal_smtp_servers)",
            accepted.join(", ")
        ),
        format!("-InternalSMTPServers {}", accepted.join(",")),
    )
}

fn dns_servers(obj: &InventoryObject, ctx: &Context) -> Judgement {
    let values_ = &ctx.site.values;
    let property = "ExternalDNSAdapterEnabled, ExternalDNSServers, InternalDNSAdapterEnabled, InternalDNSServers";
    match values_.multi_homed {
        None => {
            return unknown(
                property,
                format!(
                    "the rule applies only to a multi-homed server: add [values] multi_homed = true or false to {}",
                    ctx.site.display_name()
                ),
            );
        }
        Some(false) => {
            return Judgement {
                verdict: Verdict::NotApplicable(format!(
                    "{} says the server is not multi-homed ([values] multi_homed = false); the check text says the rule does not apply then",
                    ctx.site.display_name()
                )),
                property: property.into(),
                actual: String::new(),
                expected: String::new(),
                fix: None,
            };
        }
        Some(true) => {}
    }
    let mut actual = Vec::new();
    let mut pass = true;
    let mut missing_site = Vec::new();
    for (side, trusted) in [
        (
            "External",
            values_
                .external_dns_servers
                .as_ref()
                .or(values_.dns_servers.as_ref()),
        ),
        (
            "Internal",
            values_
                .internal_dns_servers
                .as_ref()
                .or(values_.dns_servers.as_ref()),
        ),
    ] {
        let enabled = match values::boolean(obj, &format!("{side}DNSAdapterEnabled")) {
            Ok(e) => e,
            Err(p) => return unknown(property, p),
        };
        if enabled {
            let guid = values::text(obj, &format!("{side}DNSAdapterGuid"))
                .ok()
                .flatten()
                .unwrap_or_default();
            let has_guid =
                !guid.trim().is_empty() && guid.chars().any(|c| c.is_ascii_hexdigit() && c != '0');
            actual.push(format!(
                "{side}DNSAdapterEnabled True, adapter GUID {}",
                if has_guid { guid.as_str() } else { "(none)" }
            ));
            pass &= has_guid;
        } else {
            let servers = match values::list(obj, &format!("{side}DNSServers")) {
                Ok(s) => s,
                Err(p) => return unknown(property, p),
            };
            actual.push(format!(
                "{side}DNSAdapterEnabled False, {side}DNSServers {}",
                if servers.is_empty() {
                    "(none)".into()
                } else {
                    servers.join(", ")
                }
            ));
            match trusted {
                Some(list) => {
                    pass &= !servers.is_empty()
                        && servers
                            .iter()
                            .all(|s| list.iter().any(|t| t.eq_ignore_ascii_case(s.trim())));
                }
                None => missing_site.push(side.to_ascii_lowercase()),
            }
        }
    }
    if pass && !missing_site.is_empty() {
        return Judgement {
            verdict: Verdict::Unknown(format!(
                "the trusted DNS servers are needed: add [values] dns_servers = [\"...\"] (or {}_dns_servers) to {}",
                missing_site.join("_dns_servers / "),
                ctx.site.display_name()
            )),
            property: property.into(),
            actual: actual.join("; "),
            expected: "adapter GUID when the adapter is used, else the EDSP's trusted DNS servers"
                .into(),
            fix: None,
        };
    }
    decided(
        pass,
        property,
        actual.join("; "),
        "adapter GUID when the adapter is used, else only the trusted DNS servers of [values] dns_servers".into(),
        "-ExternalDNSServers <trusted> -InternalDNSServers <trusted>".into(),
    )
}
