//! The server family: Exchange and Windows settings of the server itself, on both roles —
//! SchUseStrongCrypto (both registry views), DoD certificates, accepted domains, diagnostic
//! event log levels, the script execution policy, customer experience and error reports to
//! Microsoft, the installed Exchange build, and Edge redundancy. The host family ([`super::host`])
//! has the partitions, ACLs and services.

use super::fix::{caution, quote};
use super::judge::{Context, Judgement, Verdict, decided, needs_site_value, undecided, unknown};
use super::spec::{CheckSpec, Expected, Family, StigValue, ValueType as V};
use super::{Binding, RuleText};
use crate::inventory::ObjectKind::{
    AcceptedDomain, EdgeSubscription, EventLogLevel, ExchangeCertificate, ExchangeServer,
    ExecutionPolicy, OrganizationConfig, RegistryValue,
};
use crate::inventory::values;
use crate::inventory::{InventoryObject, ServerRole};
use windows::{execution_policy, strong_crypto};

mod windows;

/// The family.
pub static FAMILY: Family = Family {
    name: "server",
    specs: SPECS,
    refine: Some(refine),
};

static SPECS: &[CheckSpec] = &[
    CheckSpec::property(
        "server.strong-crypto",
        "-",
        RegistryValue,
        &["SchUseStrongCrypto"],
        V::Other,
    )
    .titled(&[&["schusestrongcrypto"]])
    .judged_as_set(
        strong_crypto,
        "SchUseStrongCrypto = 1 in the 64-bit and the 32-bit (Wow6432Node) registry view; 0 or absent is a finding",
    )
    .fix_cmdlet("Set-ItemProperty"),
    CheckSpec::property(
        "server.dod-certificates",
        "-",
        ExchangeCertificate,
        &["Issuer", "CertificateDomains"],
        V::Other,
    )
    .site_key("approved_certificate_issuers")
    .titled(&[&["dod certificates"]])
    .judged_by(
        dod_certificate,
        "each certificate's Issuer is one of [values] approved_certificate_issuers (default reading: an issuer under OU=DoD, O=U.S. Government)",
    )
    .fix_cmdlet("Remove-ExchangeCertificate"),
    CheckSpec::property(
        "server.accepted-domains",
        "-",
        AcceptedDomain,
        &["Default", "DomainName"],
        V::Other,
    )
    .titled(&[&["accepted domains", "configured"]])
    .judged_as_set(
        accepted_domains,
        "at least one accepted domain, one of them Default True (several domains are fine; none is a finding)",
    ),
    CheckSpec::property(
        "server.event-log-level",
        "-",
        EventLogLevel,
        &["EventLevel", "EventLogLevel"],
        V::Text,
    )
    .default(StigValue::Text("Lowest"))
    .titled(&[&["diagnostic log level"]])
    .judged_by(event_log_level, "every event log category's EventLevel = Lowest"),
    CheckSpec::property(
        "server.execution-policy",
        "-",
        ExecutionPolicy,
        &["ExecutionPolicy"],
        V::Text,
    )
    .default(StigValue::Text("RemoteSigned"))
    .titled(&[&["signed scripts"]])
    .judged_as_set(
        execution_policy,
        "the server's effective execution policy (MachinePolicy > UserPolicy > CurrentUser > LocalMachine; not the exporting session's Process scope), or the scope the check text names, = RemoteSigned",
    )
    .fix_cmdlet("Set-ExecutionPolicy"),
    CheckSpec::property(
        "server.customer-feedback",
        "-",
        OrganizationConfig,
        &["CustomerFeedbackEnabled"],
        V::Bool,
    )
    .default(StigValue::Bool(false)),
    CheckSpec::property(
        "server.error-reporting",
        "-",
        ExchangeServer,
        &["ErrorReportingEnabled"],
        V::Bool,
    )
    .default(StigValue::Bool(false)),
    CheckSpec::property(
        "server.current-build",
        "-",
        ExchangeServer,
        &["AdminDisplayVersion"],
        V::Other,
    )
    .site_key("approved_exchange_build")
    .titled(&[&["current", "approved"]])
    .judged_by(
        current_build,
        "AdminDisplayVersion = the approved build ([values] approved_exchange_build, or the build the check text names)",
    ),
    CheckSpec::property(
        "server.edge-redundancy",
        "-",
        EdgeSubscription,
        &["EdgeSubscription"],
        V::Other,
    )
    .titled(&[&["more than one edge server"], &["provide redundancy"]])
    .judged_as_set(
        edge_redundancy,
        "at least two Edge servers among the Edge subscriptions",
    ),
];

/// Where the execution policy rule's binding says the check text reads the LocalMachine scope.
const LOCAL_MACHINE_BASIS: &str = "the check text reads the LocalMachine scope";

/// The family's reading of a rule text.
fn refine(binding: &mut Binding, text: &RuleText) {
    match binding.spec.id {
        "server.event-log-level" => {
            let lower = text.lower.replace(['\u{201c}', '\u{201d}', '"', '\''], "");
            let low_too = text.title.contains("low or lowest") || lower.contains("low or lowest");
            binding.expected = Some(Expected::Text(
                if low_too { "Low or Lowest" } else { "Lowest" }.into(),
            ));
            binding.expected_source = if text.prose.is_empty() {
                "the rule title".into()
            } else {
                "the check text".into()
            };
        }
        "server.execution-policy" => {
            let policy = if text.lower.contains("allsigned")
                || text
                    .terms
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case("AllSigned"))
            {
                "AllSigned"
            } else {
                "RemoteSigned"
            };
            binding.expected = Some(Expected::Text(policy.into()));
            binding.expected_source = if text.prose.is_empty() {
                "the check terms of the embedded catalog".into()
            } else {
                "the check text".into()
            };
            if text.lower.contains("localmachine") {
                binding.scope_basis = LOCAL_MACHINE_BASIS.into();
            } else {
                binding.scope_basis =
                    "the check text runs Get-ExecutionPolicy: the effective policy".into();
            }
        }
        "server.current-build" => {
            if let Some(build) = build_in(text.prose) {
                binding.expected = Some(Expected::Text(build.to_string()));
                binding.expected_source = "the check text".into();
            }
        }
        _ => {}
    }
}

/// The text of `prop`, empty when null or missing.
fn text_of(obj: &InventoryObject, prop: &str) -> String {
    values::text(obj, prop).ok().flatten().unwrap_or_default()
}

/// The name of a plain .NET enumeration value: `prop`'s text, or, when an export wrote the
/// number (`ConvertTo-Json` of Windows PowerShell, some CliXML), the name `names` gives it.
pub(super) fn enum_name(obj: &InventoryObject, prop: &str, names: &[(&str, i64)]) -> String {
    let text = text_of(obj, prop);
    match text.trim().parse::<i64>() {
        Ok(n) => names
            .iter()
            .find(|(_, v)| *v == n)
            .map_or(text.clone(), |(name, _)| name.to_string()),
        Err(_) => text,
    }
}

/// `Microsoft.Exchange.Configuration...EventLevel` (Get-EventLogLevel).
const EVENT_LEVEL: &[(&str, i64)] = &[
    ("Lowest", 0),
    ("Low", 1),
    ("Medium", 3),
    ("High", 5),
    ("Expert", 7),
];

/// Normalized distinguished name: lowercase, no spaces around commas and equal signs.
fn normal_dn(dn: &str) -> String {
    dn.split(',')
        .map(|part| part.split('=').map(str::trim).collect::<Vec<_>>().join("="))
        .collect::<Vec<_>>()
        .join(",")
        .to_ascii_lowercase()
}

/// The CN of a distinguished name.
fn common_name(dn: &str) -> Option<String> {
    normal_dn(dn)
        .split(',')
        .find_map(|p| p.strip_prefix("cn=").map(str::to_string))
}

/// Approved DoD certificates: each certificate's issuer is approved.
fn dod_certificate(_: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    let property = "Issuer";
    let issuer = match values::text(obj, property) {
        Ok(Some(i)) if !i.trim().is_empty() => i,
        Ok(_) => return unknown(property, "the certificate's Issuer is empty"),
        Err(p) => return unknown(property, p),
    };
    let services = text_of(obj, "Services");
    let thumbprint = text_of(obj, "Thumbprint");
    let domains = values::list(obj, "CertificateDomains")
        .map(|d| d.join(", "))
        .unwrap_or_default();
    let actual = format!(
        "\"{issuer}\" (CertificateDomains {}; Services {})",
        if domains.is_empty() {
            "(none)"
        } else {
            &domains
        },
        if services.is_empty() {
            "None"
        } else {
            &services
        }
    );
    let normal = normal_dn(&issuer);
    let (pass, expected) = match &ctx.site.values.approved_certificate_issuers {
        Some(approved) => (
            approved.iter().any(|a| {
                let a = normal_dn(a);
                if a.contains(',') {
                    a == normal
                } else {
                    common_name(&issuer).as_deref() == Some(a.strip_prefix("cn=").unwrap_or(&a))
                }
            }),
            format!(
                "an issuer of [values] approved_certificate_issuers in {}: {}",
                ctx.site.display_name(),
                approved.join("; ")
            ),
        ),
        None => (
            normal.contains("ou=dod") && normal.contains("o=u.s. government"),
            "issued by the DoD: exstig's default reading is an issuer under OU=DoD, O=U.S. Government (set [values] approved_certificate_issuers to name the approved CAs)".into(),
        ),
    };
    let services_arg = if services.is_empty() || services.eq_ignore_ascii_case("none") {
        "SMTP".to_string()
    } else {
        services
    };
    let mut judgement = decided(
        pass,
        property,
        actual,
        expected,
        format!(
            "# after a DoD-issued replacement serves {services_arg}: Enable-ExchangeCertificate -Thumbprint <replacement thumbprint> -Services {}",
            quote(&services_arg)
        ),
    );
    if !pass {
        judgement.advice.push(caution(&format!(
            "removing certificate {thumbprint} before the replacement serves {services_arg} stops those services (SMTP: mail flow)"
        )));
    }
    judgement
}

/// Accepted domains: at least one, one of them the default.
fn accepted_domains(_: &Binding, objects: &[&InventoryObject], _: &Context) -> Judgement {
    let property = "Default";
    if objects.is_empty() {
        return Judgement {
            verdict: Verdict::Fail,
            property: property.into(),
            actual: "no accepted domain".into(),
            expected: "at least one accepted domain, the default one Default True: New-AcceptedDomain -Name \"<domain>\" -DomainName <domain> -DomainType Authoritative".into(),
            fix: None,
            advice: Vec::new(),
        };
    }
    let mut shown = Vec::new();
    let mut default = None;
    for obj in objects {
        let name = obj.name();
        match values::boolean(obj, property) {
            Ok(is_default) => {
                shown.push(format!(
                    "{name} ({}, Default {})",
                    text_of(obj, "DomainType"),
                    if is_default { "True" } else { "False" }
                ));
                if is_default {
                    default = Some(name);
                }
            }
            Err(p) => return unknown(property, p),
        }
    }
    let first = objects[0].identity();
    decided(
        default.is_some(),
        property,
        shown.join("; "),
        "at least one accepted domain, one of them Default True (only one can be; several domains are fine)".into(),
        format!("-Identity {} -MakeDefault $true", quote(&first)),
    )
}

/// Diagnostic logging: each category at the lowest level (or Low where the text allows it).
fn event_log_level(binding: &Binding, obj: &InventoryObject, _: &Context) -> Judgement {
    let property = "EventLevel";
    let level = match values::text(obj, property) {
        Ok(Some(l)) if !l.trim().is_empty() => enum_name(obj, property, EVENT_LEVEL),
        Ok(_) => return unknown(property, "EventLevel is empty"),
        Err(p) => return unknown(property, p),
    };
    let low_too = matches!(&binding.expected, Some(Expected::Text(t)) if t.starts_with("Low or"));
    let pass =
        level.eq_ignore_ascii_case("Lowest") || (low_too && level.eq_ignore_ascii_case("Low"));
    decided(
        pass,
        property,
        level,
        if low_too { "Low or Lowest" } else { "Lowest" }.to_string(),
        "-Level Lowest".into(),
    )
}

/// An Exchange build `major.minor.build.revision` read from `Version 15.2 (Build 1544.4)` or
/// `15.2.1544.4`.
fn parse_build(text: &str) -> Option<[u32; 4]> {
    let numbers: Vec<u32> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .filter_map(|w| w.parse().ok())
        .collect();
    match numbers.as_slice() {
        [a, b, c, d, ..] => Some([*a, *b, *c, *d]),
        [a, b, c] => Some([*a, *b, *c, 0]),
        _ => None,
    }
}

/// The build a check text names ("Version 14.2 (Build 247.5) or greater").
fn build_in(prose: &str) -> Option<&str> {
    let at = prose.find("Version ")?;
    let rest = &prose[at..];
    let end = rest.find(')')? + 1;
    let found = &rest[..end];
    parse_build(found).map(|_| found)
}

/// The most current approved CU: AdminDisplayVersion is the approved build.
fn current_build(binding: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    let property = "AdminDisplayVersion";
    let shown = match values::text(obj, property) {
        Ok(Some(v)) if !v.trim().is_empty() => v,
        Ok(_) => return unknown(property, "AdminDisplayVersion is empty"),
        Err(p) => return unknown(property, p),
    };
    let Some(actual) = parse_build(&shown) else {
        return unknown(property, format!("\"{shown}\" is not a build number"));
    };
    let (wanted, source, or_greater) =
        match (&ctx.site.values.approved_exchange_build, &binding.expected) {
            (Some(site), _) => (
                site.clone(),
                format!(
                    "[values] approved_exchange_build in {}",
                    ctx.site.display_name()
                ),
                false,
            ),
            (None, Some(Expected::Text(text))) => (
                text.clone(),
                "the check text (\"or greater\")".to_string(),
                true,
            ),
            (None, _) => {
                return needs_site_value(
                    ctx,
                    "the most current approved Exchange build is",
                    "approved_exchange_build",
                    "\"15.2.1544.4\"",
                    property,
                    shown,
                    "the most current, approved CU",
                );
            }
        };
    let Some(approved) = parse_build(&wanted) else {
        return unknown(
            property,
            format!("the approved build \"{wanted}\" ({source}) is not a build number"),
        );
    };
    let dotted = |b: [u32; 4]| format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3]);
    let expected = format!(
        "{}{} ({source})",
        dotted(approved),
        if or_greater { " or greater" } else { "" }
    );
    if actual > approved && !or_greater {
        return undecided(
            property,
            format!(
                "build {} is newer than the approved {}: if it is approved, update [values] approved_exchange_build in {}",
                dotted(actual),
                dotted(approved),
                ctx.site.display_name()
            ),
            shown,
            expected,
        );
    }
    let pass = actual >= approved;
    Judgement {
        verdict: if pass { Verdict::Pass } else { Verdict::Fail },
        property: property.into(),
        actual: format!("{shown} ({})", dotted(actual)),
        expected: if pass {
            expected
        } else {
            format!(
                "{expected}: install the approved Cumulative Update (Setup.exe /Mode:Upgrade; the server's services restart)"
            )
        },
        fix: None,
        advice: Vec::new(),
    }
}

/// More than one Edge server: the Edge subscriptions name at least two Edge servers.
fn edge_redundancy(binding: &Binding, objects: &[&InventoryObject], _: &Context) -> Judgement {
    let property = "EdgeSubscription";
    let mut names: Vec<String> = objects
        .iter()
        .map(|o| o.name().to_ascii_uppercase())
        .collect();
    names.sort();
    names.dedup();
    let actual = if names.is_empty() {
        "no Edge subscription".to_string()
    } else {
        format!("{} Edge server(s): {}", names.len(), names.join(", "))
    };
    let expected = "at least two Edge servers subscribed".to_string();
    if names.len() >= 2 {
        return decided(true, property, actual, expected, String::new());
    }
    if binding.role == Some(ServerRole::Edge) {
        return undecided(
            property,
            "an Edge server's Get-EdgeSubscription lists only its own subscription: add Get-EdgeSubscription exported on a Mailbox server of the subscribed site to the inventory",
            actual,
            expected,
        );
    }
    Judgement {
        verdict: Verdict::Fail,
        property: property.into(),
        actual,
        expected: format!(
            "{expected}: deploy another Edge server and subscribe it (New-EdgeSubscription)"
        ),
        fix: None,
        advice: Vec::new(),
    }
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
