//! The Send connector family (`Get-SendConnector`): smart hosts, domain security, TLS domain
//! and authentication level, inactivity timeout, message size and naming. The smart host,
//! domain security and TLS domain rules differ between releases (the 2016 Edge smart-host
//! branch, the 2019 Edge "which secure validation method"): this family reads those texts and
//! judges those rules itself.

use super::fix::{quote, quote_list, value_arg};
use super::judge::{Context, Judgement, decided, global_size, needs_site_value, unknown};
use super::spec::{CheckSpec, Family, StigValue, ValueType as V};
use super::{Binding, RuleText};
use crate::inventory::InventoryObject;
use crate::inventory::ObjectKind::SendConnector as K;
use crate::inventory::values::{self, TLS_AUTH_LEVEL, ValueProblem};

/// The family.
pub static FAMILY: Family = Family {
    name: "send",
    specs: SPECS,
    refine: Some(refine),
};

static SPECS: &[CheckSpec] = &[
    CheckSpec::naming("send.naming", "SC-07", K),
    CheckSpec::property("send.smart-host", "SC-01", K, &["SmartHosts"], V::Other)
        .site_key("smart_hosts")
        .judged_by(smart_host, "SmartHosts holds the [values] smart_hosts"),
    CheckSpec::property("send.tls-domain", "SC-03", K, &["TlsDomain"], V::Other)
        .site_key("internal_smtp_domain")
        .judged_by(tls_domain, "TlsDomain = [values] internal_smtp_domain"),
    CheckSpec::property(
        "send.domain-secure",
        "SC-02",
        K,
        &["DomainSecureEnabled"],
        V::Bool,
    )
    .default(StigValue::Bool(true))
    .judged_by(domain_security, "DomainSecureEnabled = True"),
    CheckSpec::property(
        "send.tls-auth-level",
        "SC-04",
        K,
        &["TlsAuthLevel"],
        V::Flags(&TLS_AUTH_LEVEL),
    )
    .default(StigValue::Flags(&["DomainValidation"])),
    CheckSpec::property(
        "send.inactivity-timeout",
        "SC-05",
        K,
        &["ConnectionInactivityTimeOut"],
        V::Time,
    )
    .site_key("connection_inactivity_timeout")
    .default(StigValue::Seconds(600)),
    CheckSpec::property(
        "send.max-message-size",
        "SC-06",
        K,
        &["MaxMessageSize"],
        V::Size,
    )
    .site_key("max_send_size")
    .same_as_global("MaxSendSize")
    .with_judge(max_message_size),
];

/// The family's reading of a rule text. Without check text (the embedded catalog) the same
/// readings come from the check terms: the smart-host branch names RequireTLS and TlsAuthLevel,
/// the validation-method wording names DomainValidation ahead of the command.
fn refine(binding: &mut Binding, text: &RuleText) {
    let id = binding.spec.id;
    let catalog = text.prose.is_empty();
    if id == "send.smart-host"
        && text
            .lower
            .contains("smart host does not need to be configured")
    {
        binding.not_a_finding_note = Some(
            "the check text says a Smart Host does not need to be configured when using an Edge server, so this is not a finding"
                .into(),
        );
    }
    binding.smart_host_branch = matches!(id, "send.domain-secure" | "send.tls-domain")
        && if catalog {
            text.has_term("RequireTLS") && text.has_term("TlsAuthLevel")
        } else {
            text.lower.contains("does not use a smarthost")
                || text.lower.contains("not using a smarthost")
        };
    binding.validation_method = id == "send.tls-domain"
        && if catalog {
            text.has_term("DomainSecureEnabled")
                && text.terms[..text.cmdlet_at]
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case("DomainValidation"))
        } else {
            text.lower.contains("which secure validation method")
        };
    binding.domain_secure_too = id == "send.tls-domain"
        && !binding.smart_host_branch
        && !binding.validation_method
        && text.has_term("DomainSecureEnabled");
    binding.dns_routing_off = id == "send.smart-host" && text.has_term("DNSRoutingEnabled");
    binding.reading = match id {
        "send.tls-domain" if binding.validation_method => Some(
            "DomainSecureEnabled = True, or TlsAuthLevel = DomainValidation with TlsDomain = [values] internal_smtp_domain".into(),
        ),
        "send.tls-domain" if binding.smart_host_branch => Some(
            "TlsDomain = [values] internal_smtp_domain; without a smart host DomainSecureEnabled = True, with one RequireTLS = True and TlsAuthLevel = DomainValidation".into(),
        ),
        "send.tls-domain" if binding.domain_secure_too => Some(
            "TlsDomain = [values] internal_smtp_domain and DomainSecureEnabled = True".into(),
        ),
        "send.domain-secure" if binding.smart_host_branch => Some(
            "without a smart host DomainSecureEnabled = True; with one DNSRoutingEnabled = False, RequireTLS = True, TlsAuthLevel = DomainValidation".into(),
        ),
        "send.smart-host" if binding.dns_routing_off => Some(
            "SmartHosts holds the [values] smart_hosts and DNSRoutingEnabled = False".into(),
        ),
        _ => None,
    };
}

/// SC-06: MaxMessageSize equals TransportConfig MaxSendSize, and the check also compares it
/// with the EDSP's documented maximum send size.
fn max_message_size(binding: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    let property = binding.spec.property;
    let key = binding.spec.site_key.unwrap_or_default();
    let (actual, reference, words) = match global_size(binding, obj, ctx) {
        Ok(found) => found,
        Err(judgement) => return *judgement,
    };
    let documented = ctx
        .site
        .values_size(key)
        .filter(|size| ctx.transport_config.is_some() && *size != reference);
    if let Some(size) = documented {
        return decided(
            false,
            property,
            actual.to_string(),
            format!(
                "{words} and {size}: [values] {key} in {} (they differ, so no value meets both)",
                ctx.site.display_name()
            ),
            format!(
                "-{property} {}  # after aligning TransportConfig MaxSendSize with the EDSP",
                value_arg(&super::Expected::Size(size), V::Size)
            ),
        );
    }
    super::judge::same_as_global(binding, obj, ctx)
}

/// SC-01: a smart host, the EDSP's (and DNSRoutingEnabled False where the text says so).
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
        quote_list(&approved)
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
        return needs_site_value(
            ctx,
            "the approved smart host addresses are",
            "smart_hosts",
            "[\"...\"]",
            &property,
            actual,
            &format!("the EDSP's smart host{expected_dns}"),
        );
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

/// SC-02: DomainSecureEnabled True (with the smart-host branch of some releases).
fn domain_security(binding: &Binding, obj: &InventoryObject, _: &Context) -> Judgement {
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

/// SC-03: TlsDomain is the internal SMTP domain (with the branches of some releases). An
/// unset TlsDomain is a finding whatever the internal domain is ("not set to the value of the
/// internal SMTP domain"); a set one needs `[values] internal_smtp_domain` to be compared.
fn tls_domain(binding: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    let domain = match values::text(obj, "TlsDomain") {
        Ok(d) => d.unwrap_or_default(),
        Err(p) => return unknown("TlsDomain", p),
    };
    let shown = if domain.trim().is_empty() {
        "(not set)".to_string()
    } else {
        domain.clone()
    };
    let internal = ctx.site.values.internal_smtp_domain.clone();
    // Some(ok) when decided, None when the internal domain is needed to decide.
    let domain_ok = if domain.trim().is_empty() {
        Some(false)
    } else {
        internal
            .as_deref()
            .map(|i| domain.trim().eq_ignore_ascii_case(i.trim()))
    };
    let wanted = internal
        .as_deref()
        .map_or_else(|| "<internal SMTP domain>".to_string(), quote);
    let wanted_words = match &internal {
        Some(i) => format!("{i} ([values] internal_smtp_domain)"),
        None => "the internal SMTP domain".to_string(),
    };
    let needs = |property: &str, actual: String, expected: &str| {
        needs_site_value(
            ctx,
            "the internal SMTP domain is",
            "internal_smtp_domain",
            "\"...\"",
            property,
            actual,
            expected,
        )
    };
    if binding.validation_method {
        return validation_method(obj, &shown, domain_ok, &wanted, &wanted_words, needs);
    }
    if binding.smart_host_branch {
        let property = "TlsDomain, DomainSecureEnabled, RequireTLS, TlsAuthLevel";
        return match smart_host_branch(obj) {
            Ok((uses, secure, actual, branch_ok)) => {
                let actual = format!("TlsDomain {shown}; {actual}");
                let expected = format!(
                    "TlsDomain {wanted_words}; without a smart host DomainSecureEnabled True, with one RequireTLS True and TlsAuthLevel DomainValidation"
                );
                let rest_ok = if uses { branch_ok } else { secure };
                match domain_ok {
                    None if rest_ok => needs(property, actual, &expected),
                    _ => decided(
                        domain_ok == Some(true) && rest_ok,
                        property,
                        actual,
                        expected,
                        if uses {
                            format!(
                                "-TlsDomain {wanted} -RequireTLS $true -TlsAuthLevel DomainValidation"
                            )
                        } else {
                            format!("-TlsDomain {wanted} -DomainSecureEnabled $true")
                        },
                    ),
                }
            }
            Err(p) => unknown("TlsDomain", p),
        };
    }
    if binding.domain_secure_too {
        let property = "TlsDomain, DomainSecureEnabled";
        let secure = match values::boolean(obj, "DomainSecureEnabled") {
            Ok(b) => b,
            Err(p) => return unknown(property, p),
        };
        let actual = format!(
            "TlsDomain {shown}; DomainSecureEnabled {}",
            if secure { "True" } else { "False" }
        );
        let expected = format!("TlsDomain {wanted_words} and DomainSecureEnabled True");
        return match domain_ok {
            None if secure => needs(property, actual, &expected),
            _ => decided(
                domain_ok == Some(true) && secure,
                property,
                actual,
                expected,
                format!("-TlsDomain {wanted} -DomainSecureEnabled $true"),
            ),
        };
    }
    match domain_ok {
        None => needs("TlsDomain", shown, "the internal SMTP domain"),
        Some(ok) => decided(
            ok,
            "TlsDomain",
            shown,
            wanted_words,
            format!("-TlsDomain {wanted}"),
        ),
    }
}

/// The 2019 Edge reading: each connector uses one secure validation method, either
/// DomainValidation (TlsAuthLevel DomainValidation with TlsDomain the internal SMTP domain) or
/// DomainSecureEnabled True; neither configured is a finding.
fn validation_method(
    obj: &InventoryObject,
    shown: &str,
    domain_ok: Option<bool>,
    wanted: &str,
    wanted_words: &str,
    needs: impl Fn(&str, String, &str) -> Judgement,
) -> Judgement {
    let property = "DomainSecureEnabled, TlsAuthLevel, TlsDomain";
    let expected = format!(
        "DomainSecureEnabled True, or TlsAuthLevel DomainValidation with TlsDomain {wanted_words}"
    );
    let secure = match values::boolean(obj, "DomainSecureEnabled") {
        Ok(b) => b,
        Err(p) => return unknown(property, p),
    };
    if secure {
        return decided(
            true,
            property,
            format!("DomainSecureEnabled True; TlsDomain {shown}"),
            expected,
            String::new(),
        );
    }
    let level = match values::flags(obj, "TlsAuthLevel", &TLS_AUTH_LEVEL) {
        Ok(level) => level,
        Err(p) => return unknown(property, p),
    };
    let actual = format!(
        "DomainSecureEnabled False; TlsAuthLevel {}; TlsDomain {shown}",
        TLS_AUTH_LEVEL.display(&level)
    );
    let validation = level.len() == 1 && level.contains("DomainValidation");
    match domain_ok {
        None if validation => needs(property, actual, &expected),
        _ => decided(
            validation && domain_ok == Some(true),
            property,
            actual,
            expected,
            format!("-RequireTLS $true -TlsAuthLevel DomainValidation -TlsDomain {wanted}"),
        ),
    }
}
