//! The Mailbox server family: client access (RPC encryption, OWA authentication and HTTPS,
//! Outlook Anywhere, the IIS web bindings), the admin audit log and the Records Management role
//! group, mailbox databases (circular logging, retention, mounting, restores, quotas), remote
//! domains (automatic forwarding, replies, out-of-office, delivery and non-delivery reports),
//! mailboxes that forward mail, and database availability groups.
//!
//! Most rules are one declarative property entry; the rules whose text allows DoD domains, an
//! EDSP list or several properties at once are judged here.

use super::fix::{quote, quote_list};
use super::judge::{Context, Judgement, decided, needs_site_value, not_applicable, unknown};
use super::spec::{CheckSpec, Family, StigValue, ValueType as V};
use super::{Binding, Expected, RuleText};
use crate::inventory::ObjectKind::{
    AdminAuditLogConfig as AUDIT, DatabaseAvailabilityGroup as DAG, ExchangeCertificate,
    IisSetting, Mailbox as MAILBOX, MailboxDatabase as DATABASE, OutlookAnywhere as OA,
    OwaVirtualDirectory as OWA, RemoteDomain as REMOTE, RoleGroupMember as MEMBER,
    RpcClientAccess as RPC, WebSite as SITE,
};
use crate::inventory::values::{self, Size};
use crate::inventory::{InventoryObject, ObjectKind};

/// The family.
pub static FAMILY: Family = Family {
    name: "mailbox",
    specs: SPECS,
    refine: Some(refine),
};

static SPECS: &[CheckSpec] = &[
    CheckSpec::property(
        "mailbox.rpc-encryption",
        "-",
        RPC,
        &["EncryptionRequired"],
        V::Bool,
    )
    .default(StigValue::Bool(true)),
    CheckSpec::property(
        "mailbox.owa-forms-auth",
        "-",
        OWA,
        &["FormsAuthentication"],
        V::Bool,
    )
    .default(StigValue::Bool(false)),
    CheckSpec::property(
        "mailbox.owa-windows-auth",
        "-",
        OWA,
        &["WindowsAuthentication"],
        V::Bool,
    )
    .default(StigValue::Bool(true)),
    CheckSpec::property(
        "mailbox.owa-https",
        "-",
        OWA,
        &["InternalUrl", "ExternalUrl"],
        V::Other,
    )
    .judged_by(
        owa_https,
        "InternalUrl and ExternalUrl are https://, IIS requires SSL on /owa, and the IIS certificate is not self-signed",
    ),
    CheckSpec::property(
        "mailbox.admin-audit-log",
        "-",
        AUDIT,
        &["AdminAuditLogEnabled"],
        V::Bool,
    )
    .default(StigValue::Bool(true)),
    CheckSpec::property(
        "mailbox.admin-audit-parameters",
        "-",
        AUDIT,
        &["AdminAuditLogParameters"],
        V::Other,
    )
    .judged_by(audit_parameters, "AdminAuditLogParameters = * (every parameter)"),
    CheckSpec::property(
        "mailbox.records-management-group",
        "-",
        MEMBER,
        &["RoleGroup", "Records Management"],
        V::Other,
    )
    .site_key("records_management_members")
    .judged_as_set(
        records_management,
        "the Records Management role group is not empty and holds only [values] records_management_members",
    ),
    CheckSpec::property(
        "mailbox.circular-logging",
        "-",
        DATABASE,
        &["CircularLoggingEnabled"],
        V::Bool,
    )
    .default(StigValue::Bool(false)),
    CheckSpec::property(
        "mailbox.retain-until-backup",
        "-",
        DATABASE,
        &["RetainDeletedItemsUntilBackup"],
        V::Bool,
    )
    .default(StigValue::Bool(true)),
    CheckSpec::property(
        "mailbox.mount-at-startup",
        "-",
        DATABASE,
        &["MountAtStartup"],
        V::Bool,
    )
    .default(StigValue::Bool(true)),
    CheckSpec::property(
        "mailbox.allow-file-restore",
        "-",
        DATABASE,
        &["AllowFileRestore"],
        V::Bool,
    )
    .default(StigValue::Bool(false)),
    CheckSpec::property(
        "mailbox.send-receive-quota",
        "-",
        DATABASE,
        &["ProhibitSendReceiveQuota"],
        V::Size,
    )
    .site_key("prohibit_send_receive_quota")
    .default(StigValue::UnlimitedSize),
    CheckSpec::property(
        "mailbox.send-quota",
        "-",
        DATABASE,
        &["ProhibitSendQuota"],
        V::Other,
    )
    .site_key("prohibit_send_quota")
    .judged_by(site_quota, "ProhibitSendQuota = [values] prohibit_send_quota"),
    CheckSpec::property(
        "mailbox.warning-quota",
        "-",
        DATABASE,
        &["IssueWarningQuota"],
        V::Other,
    )
    .site_key("issue_warning_quota")
    .judged_by(site_quota, "IssueWarningQuota = [values] issue_warning_quota"),
    CheckSpec::property(
        "mailbox.remote-auto-forward",
        "-",
        REMOTE,
        &["AutoForwardEnabled"],
        V::Bool,
    )
    .default(StigValue::Bool(false))
    .judged_by(
        auto_forward,
        "AutoForwardEnabled False; True only on .mil/.gov remote domains with Enterprise Mail ([values] enterprise_mail)",
    ),
    CheckSpec::property(
        "mailbox.remote-oof-type",
        "-",
        REMOTE,
        &["AllowedOOFType"],
        V::Text,
    )
    .default(StigValue::Text("InternalLegacy")),
    CheckSpec::property(
        "mailbox.remote-auto-reply",
        "-",
        REMOTE,
        &["AutoReplyEnabled"],
        V::Bool,
    )
    .default(StigValue::Bool(false))
    .judged_by(
        auto_reply,
        "AutoReplyEnabled False; True only on remote domains that are .mil or .gov",
    ),
    CheckSpec::property(
        "mailbox.remote-delivery-reports",
        "-",
        REMOTE,
        &["DeliveryReportEnabled"],
        V::Bool,
    )
    .default(StigValue::Bool(false)),
    CheckSpec::property("mailbox.remote-ndr", "-", REMOTE, &["NDREnabled"], V::Bool)
        .default(StigValue::Bool(false))
        .judged_by(
        non_delivery_reports,
        "NDREnabled False; True only on remote domains inside the DODIN (.mil)",
    ),
    CheckSpec::property(
        "mailbox.forwarding",
        "-",
        MAILBOX,
        &["ForwardingSmtpAddress", "ForwardingAddress"],
        V::Other,
    )
    .site_key("forwarding_mailboxes")
    .judged_as_set(
        forwarding_mailboxes,
        "every mailbox that forwards is documented in [values] forwarding_mailboxes (none forwarding: not applicable)",
    ),
    // Bound by the family's reading of the title (its check selects AutoForwardEnabled like
    // the auto-forward rule); judged from the forwarding mailboxes of the inventory.
    CheckSpec::property(
        "mailbox.forwarding-domains",
        "-",
        REMOTE,
        &["ForwardingSmtpAddress"],
        V::Other,
    )
    .site_key("forwarding_domains")
    .judged_as_set(
        forwarding_domains,
        "the domain of every forwarding SMTP address is documented in [values] forwarding_domains (none forwarding: not applicable)",
    ),
    CheckSpec::property(
        "mailbox.outlook-anywhere-ntlm",
        "-",
        OA,
        &[
            "InternalClientAuthenticationMethod",
            "ExternalClientAuthenticationMethod",
        ],
        V::Other,
    )
    .judged_by(
        outlook_anywhere_ntlm,
        "InternalClientAuthenticationMethod and ExternalClientAuthenticationMethod = Ntlm",
    ),
    CheckSpec::property(
        "mailbox.dag-redundancy",
        "-",
        DAG,
        &["Servers", "SERVERS WITH COPIES"],
        V::Other,
    )
    .judged_as_set(
        dag_redundancy,
        "a database availability group with two or more member servers holds every mailbox database",
    ),
    CheckSpec::property("mailbox.web-bindings", "-", SITE, &["Bindings"], V::Other).judged_by(
        web_bindings,
        "every HTTP binding on port 80 and HTTPS binding on 443 (Exchange Back End: 81 and 444)",
    ),
];

/// The family's reading of a rule text: the forwarding-domain rule (its check selects
/// AutoForwardEnabled like the auto-forward rule, its title names SMTP domains), the classified
/// network note, and the OWA forms title that contradicts its check.
fn refine(binding: &mut Binding, text: &RuleText) {
    if binding.spec.kind == REMOTE
        && text.title.contains("forwarding")
        && text.title.contains("domains")
        && !text.title.contains("remote domains")
        && let Some(spec) = super::check("mailbox.forwarding-domains")
    {
        binding.spec = spec;
        binding.comparison = spec.comparison;
        binding.expected = None;
    }
    if text.lower.contains("not applicable on classified") {
        binding.not_applicable_on_sipr = true;
        binding.not_applicable_note = Some(
            "the check text says the rule is not applicable on classified or completely closed networks"
                .into(),
        );
    }
    if binding.spec.id == "mailbox.owa-forms-auth"
        && text.title.contains("enabled")
        && binding.expected == Some(Expected::Bool(false))
    {
        binding.notes.push("The title says forms-based authentication must be enabled, but the check text makes any value other than False a finding; exstig follows the check text.".into());
    }
}

/// The domain part of a remote domain's DomainName, lowercase (`*` for the default domain).
fn domain_name(obj: &InventoryObject) -> String {
    values::text(obj, "DomainName")
        .ok()
        .flatten()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether a remote domain covers only domains ending in one of `suffixes` (`*` covers all).
fn only_under(domain: &str, suffixes: &[&str]) -> bool {
    let bare = domain.trim_start_matches("*.");
    !bare.is_empty()
        && bare != "*"
        && suffixes
            .iter()
            .any(|s| bare == s.trim_start_matches('.') || bare.ends_with(s))
}

/// A boolean that must be False unless the remote domain is under `suffixes` (`allowed` says
/// which, in the expected value).
fn false_unless_under(
    binding: &Binding,
    obj: &InventoryObject,
    suffixes: &[&str],
    allowed: &str,
) -> Judgement {
    let property = binding.spec.property;
    let on = match values::boolean(obj, property) {
        Ok(on) => on,
        Err(problem) => return unknown(property, problem),
    };
    let domain = domain_name(obj);
    let pass = !on || only_under(&domain, suffixes);
    decided(
        pass,
        property,
        format!(
            "{} (DomainName {})",
            if on { "True" } else { "False" },
            if domain.is_empty() { "(none)" } else { &domain }
        ),
        format!("False (True is allowed only for {allowed})"),
        format!("-{property} $false"),
    )
}

/// Automatic replies: False, or True only to .mil and .gov domains.
fn auto_reply(binding: &Binding, obj: &InventoryObject, _: &Context) -> Judgement {
    false_unless_under(
        binding,
        obj,
        &[".mil", ".gov"],
        ".mil and .gov remote domains",
    )
}

/// Non-delivery reports: False, or True between DODIN networks (.mil).
fn non_delivery_reports(binding: &Binding, obj: &InventoryObject, _: &Context) -> Judgement {
    false_unless_under(
        binding,
        obj,
        &[".mil"],
        "remote domains inside the DODIN (.mil)",
    )
}

/// Automatic forwarding: False (Non-Enterprise Mail); with Enterprise Mail True is allowed on
/// remote domains that are .mil or .gov. Forwarding to any other domain is a finding either way.
fn auto_forward(binding: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    let property = binding.spec.property;
    let on = match values::boolean(obj, property) {
        Ok(on) => on,
        Err(problem) => return unknown(property, problem),
    };
    let domain = domain_name(obj);
    let actual = format!(
        "{} (DomainName {})",
        if on { "True" } else { "False" },
        if domain.is_empty() { "(none)" } else { &domain }
    );
    let expected = "False; with Enterprise Mail, True on .mil/.gov remote domains";
    if on && only_under(&domain, &[".mil", ".gov"]) {
        return match ctx.site.values.enterprise_mail {
            Some(enterprise) => decided(
                enterprise,
                property,
                actual,
                format!(
                    "{expected} ([values] enterprise_mail = {enterprise} in {})",
                    ctx.site.display_name()
                ),
                format!("-{property} $false"),
            ),
            None => needs_site_value(
                ctx,
                "whether this is Enterprise Mail",
                "enterprise_mail",
                "true",
                property,
                actual,
                expected,
            ),
        };
    }
    decided(
        !on,
        property,
        actual,
        expected.into(),
        format!("-{property} $false"),
    )
}

/// AdminAuditLogParameters: `*` (every parameter is audited).
fn audit_parameters(binding: &Binding, obj: &InventoryObject, _: &Context) -> Judgement {
    let property = binding.spec.property;
    match values::list(obj, property) {
        Ok(list) => {
            let all = list
                .iter()
                .any(|p| p.trim().trim_matches(['{', '}']) == "*");
            decided(
                all,
                property,
                if list.is_empty() {
                    "(empty)".into()
                } else {
                    list.join(", ")
                },
                "* (every parameter)".into(),
                format!("-{property} *"),
            )
        }
        Err(problem) => unknown(property, problem),
    }
}

/// Outlook Anywhere: both client authentication methods NTLM.
fn outlook_anywhere_ntlm(_: &Binding, obj: &InventoryObject, _: &Context) -> Judgement {
    let mut shown = Vec::new();
    let mut pass = true;
    for property in [
        "InternalClientAuthenticationMethod",
        "ExternalClientAuthenticationMethod",
    ] {
        match values::text(obj, property) {
            Ok(value) => {
                let value = value.unwrap_or_default();
                pass &= value.trim().eq_ignore_ascii_case("ntlm");
                shown.push(format!(
                    "{property} {}",
                    if value.is_empty() { "(empty)" } else { &value }
                ));
            }
            Err(problem) => return unknown(property, problem),
        }
    }
    decided(
        pass,
        "InternalClientAuthenticationMethod, ExternalClientAuthenticationMethod",
        shown.join(", "),
        "Ntlm for both".into(),
        "-InternalClientAuthenticationMethod Ntlm -ExternalClientAuthenticationMethod Ntlm".into(),
    )
}

/// A quota the check compares with the site's own limit (`[values]` key of the check).
fn site_quota(binding: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    let property = binding.spec.property;
    let key = binding.spec.site_key.unwrap_or_default();
    let actual = match values::size(obj, property) {
        Ok(size) => size,
        Err(problem) => return unknown(property, problem),
    };
    let site = match key {
        "prohibit_send_quota" => ctx.site.values.prohibit_send_quota,
        _ => ctx.site.values.issue_warning_quota,
    };
    match site {
        Some(want) => decided(
            actual == want,
            property,
            actual.to_string(),
            format!(
                "{want}: the site's limit in {} ([values] {key})",
                ctx.site.display_name()
            ),
            format!("-{property} {}", size_arg(want)),
        ),
        None => needs_site_value(
            ctx,
            &format!("the site's {property} limit"),
            key,
            "\"2GB\"",
            property,
            actual.to_string(),
            "the site's limit (EDSP)",
        ),
    }
}

/// A size in `Set-` argument syntax.
fn size_arg(size: Size) -> String {
    super::fix::value_arg(&Expected::Size(size), V::Size)
}

/// The Records Management role group (audit log management): empty is a finding; its members
/// must be the ones the EDSP names.
fn records_management(_: &Binding, members: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "Records Management members";
    let names: Vec<String> = members
        .iter()
        .filter(|m| {
            values::text(m, "RoleGroup")
                .ok()
                .flatten()
                .is_some_and(|g| g.trim().eq_ignore_ascii_case("Records Management"))
        })
        .map(|m| m.name())
        .collect();
    if names.is_empty() {
        return decided(
            false,
            property,
            "(empty)".into(),
            "the members the EDSP names (an empty group is a finding unless the EDSP names a custom role group)".into(),
            "# Add-RoleGroupMember 'Records Management' -Member <member named in the EDSP>".into(),
        );
    }
    let Some(allowed) = &ctx.site.values.records_management_members else {
        return needs_site_value(
            ctx,
            "the members the EDSP allows in Records Management",
            "records_management_members",
            "[\"Jane Records\"]",
            property,
            names.join(", "),
            "the members the EDSP names",
        );
    };
    let extra: Vec<&String> = names
        .iter()
        .filter(|n| !allowed.iter().any(|a| a.eq_ignore_ascii_case(n)))
        .collect();
    let fix = extra
        .iter()
        .map(|n| {
            format!(
                "Remove-RoleGroupMember 'Records Management' -Member {}",
                quote(n)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    decided(
        extra.is_empty(),
        property,
        names.join(", "),
        format!(
            "only {} ([values] records_management_members)",
            quote_list(allowed)
        ),
        format!("# {fix}"),
    )
}

/// The mailboxes whose ForwardingSmtpAddress or ForwardingAddress is set, with the address.
fn forwarders<'a>(mailboxes: &[&'a InventoryObject]) -> Vec<(&'a InventoryObject, String)> {
    mailboxes
        .iter()
        .filter_map(|m| {
            ["ForwardingSmtpAddress", "ForwardingAddress"]
                .iter()
                .find_map(|p| values::text(m, p).ok().flatten().filter(|v| !v.is_empty()))
                .map(|address| (*m, address))
        })
        .collect()
}

/// Not applicable when no mailbox forwards (the check text says so).
fn nobody_forwards(property: &str) -> Judgement {
    not_applicable(
        property,
        "no mailbox has a forwarding address in the export, and the check text says the rule is not applicable when email auto-forwarding is not used".into(),
    )
}

/// Mailboxes that forward must be documented in the EDSP.
fn forwarding_mailboxes(_: &Binding, mailboxes: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "ForwardingSmtpAddress, ForwardingAddress";
    let found = forwarders(mailboxes);
    if found.is_empty() {
        return nobody_forwards(property);
    }
    let shown = found
        .iter()
        .map(|(m, a)| format!("{} -> {a}", m.identity()))
        .collect::<Vec<_>>()
        .join("; ");
    let Some(documented) = &ctx.site.values.forwarding_mailboxes else {
        return needs_site_value(
            ctx,
            "the mailboxes the EDSP authorizes to forward",
            "forwarding_mailboxes",
            "[\"example.mil/Users/John Doe\"]",
            property,
            shown,
            "only mailboxes documented in the EDSP",
        );
    };
    let undocumented: Vec<&InventoryObject> = found
        .iter()
        .filter(|(m, _)| {
            !documented
                .iter()
                .any(|d| d.eq_ignore_ascii_case(&m.identity()) || d.eq_ignore_ascii_case(&m.name()))
        })
        .map(|(m, _)| *m)
        .collect();
    let fix = undocumented
        .iter()
        .map(|m| {
            format!(
                "Set-Mailbox -Identity {} -ForwardingSmtpAddress $null -ForwardingAddress $null",
                quote(&m.identity())
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    decided(
        undocumented.is_empty(),
        property,
        shown,
        format!(
            "only the mailboxes of [values] forwarding_mailboxes in {}",
            ctx.site.display_name()
        ),
        format!("# {fix}   # or document them in the EDSP"),
    )
}

/// The domain of an address (`smtp:john@example.com` -> `example.com`).
fn address_domain(address: &str) -> Option<String> {
    address
        .rsplit_once('@')
        .map(|(_, domain)| domain.trim().trim_end_matches('>').to_ascii_lowercase())
}

/// The domains forwarding SMTP addresses send to must be documented in the EDSP (read from
/// the forwarding mailboxes of the inventory; the rule's own cmdlet lists remote domains).
fn forwarding_domains(_: &Binding, _: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "ForwardingSmtpAddress domains";
    let Some(inventory) = ctx
        .inventory
        .filter(|i| i.collection(MAILBOX) == crate::inventory::Collection::Collected)
    else {
        return unknown(
            property,
            not_collected(ctx, MAILBOX, "the list of mailboxes that forward"),
        );
    };
    let mailboxes: Vec<&InventoryObject> = inventory.of_kind(MAILBOX).collect();
    let found = forwarders(&mailboxes);
    if found.is_empty() {
        return nobody_forwards(property);
    }
    let mut domains: Vec<String> = found
        .iter()
        .filter_map(|(_, a)| address_domain(a))
        .collect();
    domains.sort();
    domains.dedup();
    let shown = if domains.is_empty() {
        "(forwarding to recipients inside the organization only)".to_string()
    } else {
        domains.join(", ")
    };
    let Some(documented) = &ctx.site.values.forwarding_domains else {
        return needs_site_value(
            ctx,
            "the forwarding domains the EDSP documents",
            "forwarding_domains",
            "[\"example.gov\"]",
            property,
            shown,
            "only domains documented in the EDSP",
        );
    };
    let undocumented: Vec<&String> = domains
        .iter()
        .filter(|d| {
            !documented
                .iter()
                .any(|a| a.trim_start_matches('.').eq_ignore_ascii_case(d))
        })
        .collect();
    decided(
        undocumented.is_empty(),
        property,
        shown,
        format!(
            "only {} ([values] forwarding_domains)",
            quote_list(documented)
        ),
        "# remove the forwarding addresses to undocumented domains (Set-Mailbox -ForwardingSmtpAddress $null), or document the domains in the EDSP".into(),
    )
}

/// Database availability: a DAG with two or more member servers, holding every database.
fn dag_redundancy(_: &Binding, dags: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "DatabaseAvailabilityGroup Servers";
    let mut shown = Vec::new();
    let mut redundant: Vec<String> = Vec::new();
    for dag in dags {
        let servers = match values::list(dag, "Servers") {
            Ok(list) => list,
            Err(problem) => return unknown(property, problem),
        };
        shown.push(format!(
            "{}: {} member server(s)",
            dag.name(),
            servers.len()
        ));
        if servers.len() >= 2 {
            redundant.push(dag.name().to_ascii_lowercase());
        }
    }
    let fix = "# New-DatabaseAvailabilityGroup / Add-DatabaseAvailabilityGroupServer with two or more Mailbox servers, then Add-MailboxDatabaseCopy";
    if redundant.is_empty() {
        return decided(
            false,
            property,
            if shown.is_empty() {
                "no database availability group".into()
            } else {
                shown.join("; ")
            },
            "a DAG with two or more member servers".into(),
            fix.into(),
        );
    }
    // Every mailbox database of the inventory must live in one of those DAGs.
    let databases: Vec<&InventoryObject> = ctx
        .inventory
        .map(|inv| inv.of_kind(DATABASE).collect())
        .unwrap_or_default();
    let outside: Vec<String> = databases
        .iter()
        .filter(|db| {
            let home = values::text(db, "MasterServerOrAvailabilityGroup")
                .ok()
                .flatten()
                .unwrap_or_default()
                .to_ascii_lowercase();
            !redundant.contains(&home)
        })
        .map(|db| db.name())
        .collect();
    if !outside.is_empty() {
        shown.push(format!("databases outside them: {}", outside.join(", ")));
    }
    decided(
        outside.is_empty(),
        property,
        shown.join("; "),
        "a DAG with two or more member servers holding every mailbox database".into(),
        fix.into(),
    )
}

/// The ports a web site's bindings may use: 80 and 443, the Exchange Back End site 81 and 444.
fn web_bindings(_: &Binding, site: &InventoryObject, _: &Context) -> Judgement {
    let property = "Bindings";
    let bindings = match values::list(site, property) {
        Ok(list) => list,
        Err(problem) => return unknown(property, problem),
    };
    let back_end = site.name().eq_ignore_ascii_case("Exchange Back End");
    let (http, https) = if back_end {
        ("81", "444")
    } else {
        ("80", "443")
    };
    let mut wrong = Vec::new();
    for binding in &bindings {
        // "https *:443: sslFlags=0" or "http *:80:host" (protocol, then IP:port:host).
        let mut words = binding.split_whitespace();
        let protocol = words.next().unwrap_or_default().to_ascii_lowercase();
        let port = words
            .next()
            .and_then(|info| info.split(':').nth(1))
            .unwrap_or_default();
        let allowed = match protocol.as_str() {
            "http" => http,
            "https" => https,
            _ => continue,
        };
        if port != allowed {
            wrong.push(binding.clone());
        }
    }
    decided(
        wrong.is_empty(),
        property,
        if bindings.is_empty() {
            "(none)".into()
        } else {
            bindings.join("; ")
        },
        format!("http on port {http}, https on port {https}"),
        format!(
            "# Remove-WebBinding -Name {} for: {}",
            quote(&site.name()),
            wrong.join("; ")
        ),
    )
}

/// OWA encryption: both URLs https://, IIS requires SSL on the OWA application, and the
/// certificate bound to IIS is not self-signed.
fn owa_https(_: &Binding, vdir: &InventoryObject, ctx: &Context) -> Judgement {
    let property = "InternalUrl, ExternalUrl";
    let mut problems = Vec::new();
    let mut shown = Vec::new();
    for url in ["InternalUrl", "ExternalUrl"] {
        match values::text(vdir, url) {
            Ok(Some(value)) if !value.is_empty() => {
                if !value.to_ascii_lowercase().starts_with("https://") {
                    problems.push(format!("{url} is not https://"));
                }
                shown.push(format!("{url} {value}"));
            }
            Ok(_) => shown.push(format!("{url} (not set)")),
            Err(problem) => return unknown(url, problem),
        }
    }
    let Some(inventory) = ctx.inventory else {
        return unknown(property, "the IIS settings and certificates are needed");
    };
    // IIS "Require SSL" on /owa: the sslFlags of the OWA location include Ssl.
    let owa_flags = inventory
        .of_kind(IisSetting)
        .filter(|s| {
            let location = values::text(s, "Location")
                .ok()
                .flatten()
                .unwrap_or_default();
            let name = values::text(s, "Name").ok().flatten().unwrap_or_default();
            location.to_ascii_lowercase().ends_with("/owa") && name.eq_ignore_ascii_case("sslFlags")
        })
        .find_map(|s| values::text(s, "Value").ok().flatten());
    match &owa_flags {
        Some(flags) => {
            let requires = flags
                .split([',', ' '])
                .any(|f| f.trim().eq_ignore_ascii_case("Ssl"));
            if !requires {
                problems.push("IIS does not require SSL on /owa".into());
            }
            shown.push(format!("IIS /owa sslFlags {flags}"));
        }
        None => {
            return unknown(
                property,
                not_collected(ctx, IisSetting, "the IIS sslFlags of /owa"),
            );
        }
    }
    // The certificate IIS uses must be a trusted one, not self-signed.
    let iis_certificates: Vec<&InventoryObject> = inventory
        .of_kind(ExchangeCertificate)
        .filter(|c| {
            values::text(c, "Services")
                .ok()
                .flatten()
                .is_some_and(|s| s.to_ascii_lowercase().contains("iis"))
        })
        .collect();
    if iis_certificates.is_empty() {
        return unknown(
            property,
            not_collected(ctx, ExchangeCertificate, "the certificate bound to IIS"),
        );
    }
    for cert in iis_certificates {
        let self_signed = values::boolean(cert, "IsSelfSigned").unwrap_or_else(|_| {
            let issuer = values::text(cert, "Issuer").ok().flatten();
            issuer.is_some() && issuer == values::text(cert, "Subject").ok().flatten()
        });
        if self_signed {
            problems.push(format!(
                "the IIS certificate {} is self-signed",
                cert.name()
            ));
        }
        shown.push(format!(
            "IIS certificate {} issued by {}",
            cert.name(),
            values::text(cert, "Issuer")
                .ok()
                .flatten()
                .unwrap_or_default()
        ));
    }
    let expected =
        "https:// URLs, Require SSL on /owa, a trusted (not self-signed) IIS certificate";
    decided(
        problems.is_empty(),
        property,
        shown.join("; "),
        if problems.is_empty() {
            expected.to_string()
        } else {
            format!("{expected}; found: {}", problems.join("; "))
        },
        "# set https:// URLs (Set-OwaVirtualDirectory -InternalUrl/-ExternalUrl), check \"Require SSL\" on /owa in IIS Manager, and bind a DoD-issued certificate (Enable-ExchangeCertificate -Services IIS)".into(),
    )
}

/// Why a kind's data is missing ([`Inventory::missing`](crate::inventory::Inventory::missing):
/// "not collected: reason" or "no ... output"), with the one re-export advice.
fn not_collected(ctx: &Context, kind: ObjectKind, what: &str) -> String {
    let why = ctx
        .inventory
        .and_then(|i| i.missing(kind))
        .unwrap_or_else(|| format!("none in the {} output", kind.cmdlet()));
    format!(
        "{what} is needed ({why}). {}",
        crate::outcome::export_advice(kind)
    )
}

#[cfg(test)]
mod tests;
