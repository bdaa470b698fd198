//! The transport family: each server's transport service (`Get-TransportService`, Exchange 2010
//! `Get-TransportServer`: outbound connections, retries, logs, DNS) and the organization's
//! `Get-TransportConfig` (message sizes, recipient limit, internal SMTP servers). The DNS and
//! internal SMTP server rules need the EDSP's lists and are judged here.

use super::fix::quote_list;
use super::judge::{
    Context, Judgement, decided, needs_site_value, not_applicable, undecided, unknown,
};
use super::spec::{CheckSpec, Family, StigValue, ValueType as V};
use super::{Binding, RuleText};
use crate::inventory::InventoryObject;
use crate::inventory::ObjectKind::{TransportConfig as ORG, TransportService as SERVICE};
use crate::inventory::values;

/// The family.
pub static FAMILY: Family = Family {
    name: "transport",
    specs: SPECS,
    refine: Some(refine),
};

static SPECS: &[CheckSpec] = &[
    CheckSpec::property(
        "transport.max-outbound-connections",
        "TS-01",
        SERVICE,
        &["MaxOutboundConnections"],
        V::Limit,
    )
    .site_key("max_outbound_connections")
    .default(StigValue::Number(1000)),
    CheckSpec::property(
        "transport.retry-count",
        "TS-02",
        SERVICE,
        &["TransientFailureRetryCount"],
        V::Limit,
    )
    .at_most()
    .site_key("transient_failure_retry_count")
    .default(StigValue::Number(10)),
    CheckSpec::property(
        "transport.max-per-domain-outbound",
        "ADJ-01",
        SERVICE,
        &["MaxPerDomainOutboundConnections"],
        V::Limit,
    )
    .site_key("max_per_domain_outbound_connections")
    .default(StigValue::Number(20)),
    CheckSpec::property(
        "transport.connectivity-log",
        "ADJ-05",
        SERVICE,
        &["ConnectivityLogEnabled"],
        V::Bool,
    )
    .default(StigValue::Bool(true)),
    CheckSpec::property(
        "transport.message-tracking-log",
        "-",
        SERVICE,
        &["MessageTrackingLogEnabled"],
        V::Bool,
    )
    .default(StigValue::Bool(true)),
    CheckSpec::property(
        "transport.subject-logging",
        "-",
        SERVICE,
        &["MessageTrackingLogSubjectLoggingEnabled"],
        V::Bool,
    )
    .default(StigValue::Bool(false)),
    CheckSpec::property(
        "transport.dns-servers",
        "ADJ-07",
        SERVICE,
        &[
            "ExternalDNSServers",
            "ExternalDNSAdapterEnabled",
            "InternalDNSServers",
            "InternalDNSAdapterEnabled",
        ],
        V::Other,
    )
    .site_key("dns_servers")
    .judged_by(
        dns_servers,
        "DNS adapters / servers against [values] dns_servers",
    ),
    CheckSpec::property(
        "org.max-receive-size",
        "ADJ-02",
        ORG,
        &["MaxReceiveSize"],
        V::Size,
    )
    .site_key("max_receive_size")
    .default(StigValue::Megabytes(10)),
    CheckSpec::property(
        "org.max-send-size",
        "ADJ-03",
        ORG,
        &["MaxSendSize"],
        V::Size,
    )
    .site_key("max_send_size")
    .default(StigValue::Megabytes(10)),
    CheckSpec::property(
        "org.max-recipient-envelope",
        "ADJ-04",
        ORG,
        &["MaxRecipientEnvelopeLimit"],
        V::Limit,
    )
    .site_key("max_recipient_envelope_limit")
    .default(StigValue::Number(5000)),
    CheckSpec::property(
        "org.internal-smtp-servers",
        "ADJ-06",
        ORG,
        &["InternalSMTPServers"],
        V::Other,
    )
    .site_key("internal_smtp_servers")
    .judged_by(
        internal_smtp_servers,
        "InternalSMTPServers within [values] internal_smtp_servers",
    ),
];

/// The family's reading of a rule text.
fn refine(binding: &mut Binding, text: &RuleText) {
    if text.lower.contains("more than 10 or has signoff")
        || text.lower.contains("more than \"10\" or has signoff")
    {
        binding.notes.push("The check text says a value \"set to more than 10 or has signoff and risk acceptance\" is not a finding; exstig reads the evident intent, \"and\": more than 10 needs an EDSP value ([values] transient_failure_retry_count).".into());
    }
}

/// ADJ-06: InternalSMTPServers lists only the EDSP's accepted addresses.
fn internal_smtp_servers(_: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    if let Some(product) = &ctx.site.values.antispam_product {
        return not_applicable(
            "InternalSMTPServers",
            format!(
                "{} declares another DoD-approved anti-spam product ([values] antispam_product = \"{product}\"); the check text makes the rule not applicable then",
                ctx.site.display_name()
            ),
        );
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
    if servers.is_empty() {
        return decided(
            false,
            "InternalSMTPServers",
            shown,
            "the EDSP's accepted SMTP server addresses (the check text speaks of the addresses returned; an empty list reflects none of the accepted ones, and anti-spam filtering cannot tell internal senders, so exstig reads it as a finding)".into(),
            format!(
                "-InternalSMTPServers {}",
                ctx.site
                    .values
                    .internal_smtp_servers
                    .as_deref()
                    .filter(|a| !a.is_empty())
                    .map_or_else(|| "<accepted SMTP server addresses>".to_string(), quote_list)
            ),
        );
    }
    let Some(accepted) = ctx.site.values.internal_smtp_servers.clone() else {
        return needs_site_value(
            ctx,
            "the accepted SMTP server addresses are",
            "internal_smtp_servers",
            "[\"...\"]",
            "InternalSMTPServers",
            shown,
            "the EDSP's accepted SMTP server addresses",
        );
    };
    let extra: Vec<&String> = servers
        .iter()
        .filter(|s| !accepted.iter().any(|a| a.eq_ignore_ascii_case(s.trim())))
        .collect();
    decided(
        extra.is_empty(),
        "InternalSMTPServers",
        shown,
        format!(
            "only {} ([values] internal_smtp_servers)",
            accepted.join(", ")
        ),
        format!("-InternalSMTPServers {}", quote_list(&accepted)),
    )
}

/// ADJ-07: on a multi-homed server, each DNS side uses its adapter or only trusted servers.
fn dns_servers(_: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
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
            return not_applicable(
                property,
                format!(
                    "{} says the server is not multi-homed ([values] multi_homed = false); the check text says the rule does not apply then",
                    ctx.site.display_name()
                ),
            );
        }
        Some(true) => {}
    }
    let mut actual = Vec::new();
    let mut pass = true;
    let mut missing_site = Vec::new();
    let mut fixes = Vec::new();
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
            if !has_guid {
                fixes.push(format!(
                    "-{side}DNSAdapterEnabled $false -{side}DNSServers {}",
                    trusted_list(trusted)
                ));
            }
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
            // "Not populated with the documented trusted DNS servers": an empty list is a
            // finding whatever the trusted servers are.
            let side_ok = match trusted {
                _ if servers.is_empty() => Some(false),
                Some(list) => Some(
                    servers
                        .iter()
                        .all(|s| list.iter().any(|t| t.eq_ignore_ascii_case(s.trim()))),
                ),
                None => None,
            };
            match side_ok {
                Some(true) => {}
                Some(false) => {
                    pass = false;
                    fixes.push(format!("-{side}DNSServers {}", trusted_list(trusted)));
                }
                None => missing_site.push(side.to_ascii_lowercase()),
            }
        }
    }
    if pass && !missing_site.is_empty() {
        return undecided(
            property,
            format!(
                "the trusted DNS servers are needed: add [values] dns_servers = [\"...\"] (or {}_dns_servers) to {}",
                missing_site.join("_dns_servers / "),
                ctx.site.display_name()
            ),
            actual.join("; "),
            "adapter GUID when the adapter is used, else the EDSP's trusted DNS servers",
        );
    }
    decided(
        pass,
        property,
        actual.join("; "),
        "adapter GUID when the adapter is used, else only the trusted DNS servers of [values] dns_servers".into(),
        fixes.join(" "),
    )
}

/// The trusted DNS servers as a `Set-` argument, or a placeholder when the site gives none.
fn trusted_list(trusted: Option<&Vec<String>>) -> String {
    trusted
        .filter(|l| !l.is_empty())
        .map_or_else(|| "<trusted DNS servers>".to_string(), |l| quote_list(l))
}
