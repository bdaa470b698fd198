//! The anti-spam and anti-malware family, both roles: the Sender filter (`Get-SenderFilterConfig`:
//! enabled, blank senders, blocked domains), the content filter (enabled, quarantine mailbox,
//! anti-spam filtering installed and enabled), the Recipient filter, Sender reputation, Sender
//! ID, the IP Allow list (entries and filter), Block List providers (`Get-IPBlockListProvider`),
//! attachment filtering (`Get-AttachmentFilterEntry` against the EDSP's types), the transport
//! agents (`Get-TransportAgent`: the Malware Agent enabled or disabled, the custom hyperlink
//! agent) and malware engine updates (`Get-MalwareFilteringServer`).
//!
//! Several rules share a cmdlet and a property (`Enabled`); the family's [`refine`] tells them
//! apart by their titles and the cmdlets their texts run ("installed", the four filters of
//! "filtering enabled", "disabled", hyperlinks) and switches the binding to the matching check.

use super::fix::{caution, quote as ps_quote, quote_list};
use super::judge::{
    Context, Judgement, decided, needs_site_value, not_applicable, undecided, unknown,
};
use super::spec::{CheckSpec, Family, StigValue, ValueType as V};
use super::{Binding, RuleText};
use crate::inventory::values;
use crate::inventory::{Collection, InventoryObject, ObjectKind as K};
use serde_json::Value;

/// The family.
pub static FAMILY: Family = Family {
    name: "antispam",
    specs: SPECS,
    refine: Some(refine),
};

static SPECS: &[CheckSpec] = &[
    // Sender filter.
    CheckSpec::property(
        "antispam.blank-sender-action",
        "-",
        K::SenderFilterConfig,
        &["Action"],
        V::Text,
    )
    .default(StigValue::Text("Reject"))
    .with_judge(enumeration),
    CheckSpec::property(
        "antispam.blank-sender-blocking",
        "-",
        K::SenderFilterConfig,
        &["BlankSenderBlockingEnabled"],
        V::Bool,
    )
    .default(StigValue::Bool(true)),
    CheckSpec::property(
        "antispam.blocked-domains",
        "-",
        K::SenderFilterConfig,
        &["BlockedDomains", "BlockedDomainsAndSubdomains"],
        V::Other,
    )
    .site_key("blocked_domains")
    .judged_by(
        blocked_domains,
        "BlockedDomains and BlockedDomainsAndSubdomains list exactly [values] blocked_domains",
    ),
    CheckSpec::property(
        "antispam.sender-filter",
        "-",
        K::SenderFilterConfig,
        &["Enabled"],
        V::Bool,
    )
    .default(StigValue::Bool(true)),
    // Content filter.
    CheckSpec::property(
        "antispam.quarantine-mailbox",
        "-",
        K::ContentFilterConfig,
        &["QuarantineMailbox"],
        V::Other,
    )
    .judged_by(quarantine_mailbox, "QuarantineMailbox holds an SMTP address"),
    CheckSpec::property(
        "antispam.content-filter",
        "-",
        K::ContentFilterConfig,
        &["Enabled"],
        V::Bool,
    )
    .default(StigValue::Bool(true)),
    CheckSpec::property(
        "antispam.filtering-enabled",
        "-",
        K::ContentFilterConfig,
        &[
            "Enabled",
            "Get-SenderFilterConfig",
            "Get-SenderIdConfig",
            "Get-SenderReputationConfig",
        ],
        V::Other,
    )
    .judged_as_set(
        filtering_enabled,
        "Enabled True on ContentFilterConfig, SenderFilterConfig, SenderIdConfig and SenderReputationConfig",
    )
    .fix_cmdlet(""),
    CheckSpec::property(
        "antispam.installed",
        "-",
        K::ContentFilterConfig,
        &["Enabled"],
        V::Other,
    )
    .judged_as_set(installed, "Get-ContentFilterConfig returns a configuration")
    .fix_cmdlet(""),
    // Recipient filter.
    CheckSpec::property(
        "antispam.recipient-validation",
        "-",
        K::RecipientFilterConfig,
        &["RecipientValidationEnabled"],
        V::Bool,
    )
    .default(StigValue::Bool(false)),
    CheckSpec::property(
        "antispam.recipient-filter",
        "-",
        K::RecipientFilterConfig,
        &["Enabled"],
        V::Bool,
    )
    .default(StigValue::Bool(true)),
    // Sender reputation.
    CheckSpec::property(
        "antispam.srl-block-threshold",
        "-",
        K::SenderReputationConfig,
        &["SrlBlockThreshold"],
        V::Limit,
    )
    .site_key("srl_block_threshold")
    .default(StigValue::Number(6)),
    CheckSpec::property(
        "antispam.sender-reputation",
        "-",
        K::SenderReputationConfig,
        &["Enabled"],
        V::Bool,
    )
    .default(StigValue::Bool(true)),
    // Sender ID.
    CheckSpec::property(
        "antispam.spoofed-domain-action",
        "-",
        K::SenderIdConfig,
        &["SpoofedDomainAction"],
        V::Text,
    )
    .default(StigValue::Text("Reject"))
    .with_judge(enumeration),
    CheckSpec::property("antispam.sender-id", "-", K::SenderIdConfig, &["Enabled"], V::Bool)
        .default(StigValue::Bool(true)),
    // IP Allow list.
    CheckSpec::property(
        "antispam.ip-allow-list-empty",
        "-",
        K::IPAllowListEntry,
        &["IPRange"],
        V::Other,
    )
    .site_key("ip_allow_list_entries")
    .judged_as_set(
        ip_allow_list_empty,
        "no IP Allow list entry but those of [values] ip_allow_list_entries (EDSP signoff)",
    )
    .fix_cmdlet(""),
    CheckSpec::property(
        "antispam.ip-allow-list-filter",
        "-",
        K::IPAllowListConfig,
        &["Enabled"],
        V::Bool,
    )
    .default(StigValue::Bool(true)),
    // Block List providers.
    CheckSpec::property(
        "antispam.block-list-provider",
        "-",
        K::IPBlockListProvider,
        &["LookupDomain", "Name", "Identity"],
        V::Other,
    )
    .site_key("block_list_providers")
    .judged_as_set(
        block_list_provider,
        "each provider has Name, Guid and LookupDomain (and [values] block_list_providers are there); none: not applicable",
    )
    .fix_cmdlet(""),
    // Attachment filtering.
    CheckSpec::property(
        "antispam.attachment-types",
        "-",
        K::AttachmentFilterEntry,
        &["Name", "Type"],
        V::Other,
    )
    .site_key("attachment_types")
    .judged_as_set(
        attachment_types,
        "the attachment filter entries are exactly [values] attachment_types",
    )
    .fix_cmdlet(""),
    // Transport agents: [`refine`] picks among these three by title and text.
    CheckSpec::property(
        "antispam.malware-agent-enabled",
        "-",
        K::TransportAgent,
        &["Enabled", "Malware Agent"],
        V::Other,
    )
    .site_key("malware_scanner")
    .judged_as_set(
        malware_agent_enabled,
        "the Malware Agent is installed and Enabled (not applicable where [values] malware_scanner names another product)",
    )
    .fix_cmdlet(""),
    CheckSpec::property(
        "antispam.malware-agent-disabled",
        "-",
        K::TransportAgent,
        &["Enabled", "Malware Agent"],
        V::Other,
    )
    .site_key("malware_scanner")
    .judged_as_set(
        malware_agent_disabled,
        "the Malware Agent is absent or not Enabled (a person decides where [values] malware_scanner names the built-in agent)",
    )
    .fix_cmdlet(""),
    CheckSpec::property(
        "antispam.hyperlink-agent",
        "-",
        K::TransportAgent,
        &["customAgent"],
        V::Other,
    )
    .site_key("hyperlink_agent")
    .judged_as_set(
        hyperlink_agent,
        "the custom agent of [values] hyperlink_agent is installed and Enabled (no custom agent at all: a finding)",
    )
    .fix_cmdlet(""),
    // Malware engine updates.
    CheckSpec::property(
        "antispam.malware-updates",
        "-",
        K::MalwareFilteringServer,
        &["UpdateFrequency", "PrimaryUpdatePath", "SecondaryUpdatePath"],
        V::Other,
    )
    .judged_by(
        malware_updates,
        "UpdateFrequency set (not applicable without the Malware Agent)",
    ),
];

/// Rules of these checks carry, in every release of the embedded catalog (2013-2019), the note
/// that they are not applicable with another DoD-approved anti-spam product or EEMSG.
const CATALOG_NA_WITH_ANTISPAM: &[&str] = &[
    "antispam.installed",
    "antispam.filtering-enabled",
    "antispam.hyperlink-agent",
    "antispam.blank-sender-action",
    "antispam.blank-sender-blocking",
    "antispam.sender-filter",
];

/// Rules of these checks carry, in every release of the embedded catalog, the note that they are
/// not applicable on SIPR.
const CATALOG_NA_ON_SIPR: &[&str] = &[
    "antispam.hyperlink-agent",
    "antispam.blank-sender-action",
    "antispam.blank-sender-blocking",
    "antispam.sender-filter",
];

/// The family's reading of a rule text: which of the checks sharing a cmdlet the rule is, and
/// the notes the embedded catalog (which carries no text) cannot show.
fn refine(binding: &mut Binding, text: &RuleText) {
    let term = |word: &str| text.terms.iter().any(|t| t.eq_ignore_ascii_case(word));
    match binding.spec.kind {
        K::ContentFilterConfig => {
            let filters = [
                "Get-SenderFilterConfig",
                "Get-SenderIdConfig",
                "Get-SenderReputationConfig",
            ]
            .iter()
            .filter(|c| term(c))
            .count();
            if text.title.contains("installed") {
                switch(binding, "antispam.installed");
            } else if filters >= 2 {
                switch(binding, "antispam.filtering-enabled");
            }
        }
        K::TransportAgent => {
            let disabled = text.title.contains("disabled")
                || term("True")
                || ["set to \"true\", this", "set to true, this"]
                    .iter()
                    .any(|w| text.lower.contains(w));
            let id = if text.title.contains("hyperlink") || term("customAgent") {
                "antispam.hyperlink-agent"
            } else if disabled {
                "antispam.malware-agent-disabled"
            } else {
                "antispam.malware-agent-enabled"
            };
            switch(binding, id);
        }
        K::SenderFilterConfig
            if binding.spec.id == "antispam.blocked-domains"
                && text.lower.contains("reflect the list of accepted domains") =>
        {
            binding.notes.push("The check text says the blocked lists must reflect \"the list of accepted domains\", while its title and its EDSP step speak of the unaccepted domains to block; exstig compares them with the EDSP's domains to block ([values] blocked_domains).".into());
        }
        _ => {}
    }
    if !binding.has_check_text {
        binding.not_applicable_with_antispam |= CATALOG_NA_WITH_ANTISPAM.contains(&binding.spec.id);
        binding.not_applicable_on_sipr |= CATALOG_NA_ON_SIPR.contains(&binding.spec.id);
    }
}

/// Binds the rule to the family's check `id` instead of the one its property chose.
fn switch(binding: &mut Binding, id: &str) {
    if let Some(spec) = SPECS.iter().find(|s| s.id == id)
        && binding.spec.id != id
    {
        binding.spec = spec;
        binding.comparison = spec.comparison;
        if spec.value == V::Other {
            binding.expected = None;
            binding.expected_source.clear();
        }
    }
}

/// An enumeration compared by name (`Reject`). ConvertTo-Json writes enumerations as numbers,
/// whose names exstig does not guess: such a value stays undecided.
fn enumeration(binding: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    let property = binding.spec.property;
    if let Ok(Some(shown)) = values::text(obj, property)
        && !shown.trim().is_empty()
        && shown.trim().chars().all(|c| c.is_ascii_digit())
    {
        return undecided(
            property,
            format!(
                "{property} was exported as the number {shown} (ConvertTo-Json writes enumerations as numbers) and exstig does not guess which name it stands for: export it with Export-Clixml or Format-List"
            ),
            shown,
            binding
                .expected
                .as_ref()
                .map(|e| e.display(binding.spec.value))
                .unwrap_or_default(),
        );
    }
    cautioned(
        super::judge::compare(binding, obj, ctx),
        "with Reject, Exchange refuses the messages this filter flags instead of stamping them; review what it stamps today before the change",
    )
}

/// A list shown as Exchange shows it, `(none)` when empty.
fn shown(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".into()
    } else {
        items.join(", ")
    }
}

/// Case-insensitive membership.
fn contains(list: &[String], item: &str) -> bool {
    list.iter()
        .any(|i| i.trim().eq_ignore_ascii_case(item.trim()))
}

/// `-Property @{Add=...; Remove=...}`, the multivalued-property edit syntax of Exchange.
fn add_remove(property: &str, add: &[String], remove: &[String]) -> Option<String> {
    let mut parts = Vec::new();
    if !add.is_empty() {
        parts.push(format!("Add={}", quote_list(add)));
    }
    if !remove.is_empty() {
        parts.push(format!("Remove={}", quote_list(remove)));
    }
    (!parts.is_empty()).then(|| format!("-{property} @{{{}}}", parts.join("; ")))
}

/// Sender filter: BlockedDomains and BlockedDomainsAndSubdomains together list exactly the EDSP's
/// domains to block.
fn blocked_domains(_: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    let property = "BlockedDomains, BlockedDomainsAndSubdomains";
    let (domains, subdomains) = match (
        values::list(obj, "BlockedDomains"),
        values::list(obj, "BlockedDomainsAndSubdomains"),
    ) {
        (Ok(d), Ok(s)) => (d, s),
        (Err(p), _) | (_, Err(p)) => return unknown(property, p),
    };
    let actual = format!(
        "BlockedDomains {}; BlockedDomainsAndSubdomains {}",
        shown(&domains),
        shown(&subdomains)
    );
    let Some(wanted) = ctx.site.values.blocked_domains.clone() else {
        return needs_site_value(
            ctx,
            "the unaccepted domains the EDSP says to block are",
            "blocked_domains",
            "[\"...\"]",
            property,
            actual,
            "the EDSP's domains to block",
        );
    };
    let missing: Vec<String> = wanted
        .iter()
        .filter(|w| !contains(&domains, w) && !contains(&subdomains, w))
        .cloned()
        .collect();
    let extra_domains: Vec<String> = domains
        .iter()
        .filter(|d| !contains(&wanted, d))
        .cloned()
        .collect();
    let extra_subdomains: Vec<String> = subdomains
        .iter()
        .filter(|d| !contains(&wanted, d))
        .cloned()
        .collect();
    let fix = [
        add_remove("BlockedDomains", &missing, &extra_domains),
        add_remove("BlockedDomainsAndSubdomains", &[], &extra_subdomains),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    decided(
        missing.is_empty() && extra_domains.is_empty() && extra_subdomains.is_empty(),
        property,
        actual,
        format!(
            "exactly {} ([values] blocked_domains in {}; the check text asks the lists to reflect the EDSP's list)",
            wanted.join(", "),
            ctx.site.display_name()
        ),
        fix,
    )
}

/// Content filter: an SMTP address in QuarantineMailbox.
fn quarantine_mailbox(_: &Binding, obj: &InventoryObject, _: &Context) -> Judgement {
    let property = "QuarantineMailbox";
    let address = match values::text(obj, property) {
        Ok(a) => a.unwrap_or_default(),
        Err(p) => return unknown(property, p),
    };
    let address = address.trim();
    let smtp = match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !address.contains(char::is_whitespace)
        }
        None => false,
    };
    decided(
        smtp,
        property,
        if address.is_empty() {
            "(none)".into()
        } else {
            format!("\"{address}\"")
        },
        "an SMTP address (the mailbox that receives filtered messages)".into(),
        "-QuarantineMailbox <SMTP address of the quarantine mailbox>".into(),
    )
}

/// The objects of `kind` in the whole inventory: `Ok` (maybe none, when the export says there
/// are none) or why they cannot be had.
fn collected<'a>(ctx: &Context<'a>, kind: K) -> Result<Vec<&'a InventoryObject>, String> {
    let cmdlet = kind.cmdlet();
    let Some(inventory) = ctx.inventory else {
        return Err(format!("no {cmdlet} objects were given"));
    };
    let found: Vec<&InventoryObject> = inventory.of_kind(kind).collect();
    if !found.is_empty() {
        return Ok(found);
    }
    match inventory.collection(kind) {
        Collection::Collected => Ok(found),
        Collection::NotCollected(reason) => Err(format!("{cmdlet} was not collected: {reason}")),
        Collection::Unknown => Err(format!(
            "the inventory holds no {cmdlet} objects: export them and evaluate again"
        )),
    }
}

/// Anti-spam filtering enabled: `Enabled` True on the content filter, Sender filter, Sender ID
/// and Sender reputation configurations.
fn filtering_enabled(_: &Binding, content: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "Enabled";
    let mut actual = Vec::new();
    let mut failing = Vec::new();
    let mut unknown_reasons = Vec::new();
    for kind in [
        K::ContentFilterConfig,
        K::SenderFilterConfig,
        K::SenderIdConfig,
        K::SenderReputationConfig,
    ] {
        let name = kind.cmdlet().trim_start_matches("Get-").to_string();
        let objects = if kind == K::ContentFilterConfig {
            Ok(content.to_vec())
        } else {
            collected(ctx, kind)
        };
        match objects {
            Err(why) => {
                actual.push(format!("{name} (unread)"));
                unknown_reasons.push(why);
            }
            Ok(objects) if objects.is_empty() => {
                actual.push(format!("{name}: none returned"));
                failing.push(name);
            }
            Ok(objects) => {
                for obj in objects {
                    match values::boolean(obj, property) {
                        Ok(enabled) => {
                            actual.push(format!(
                                "{name} Enabled {}",
                                if enabled { "True" } else { "False" }
                            ));
                            if !enabled {
                                failing.push(name.clone());
                            }
                        }
                        Err(p) => {
                            actual.push(format!("{name} Enabled (unreadable)"));
                            unknown_reasons.push(p.to_string());
                        }
                    }
                }
            }
        }
    }
    let expected = "Enabled True on all four configurations".to_string();
    if failing.is_empty() && !unknown_reasons.is_empty() {
        return undecided(
            property,
            unknown_reasons.join("; "),
            actual.join("; "),
            expected,
        );
    }
    failing.dedup();
    let fix = failing
        .iter()
        .map(|name| format!("Set-{name} -Enabled $true"))
        .collect::<Vec<_>>()
        .join("; ");
    decided(
        failing.is_empty(),
        property,
        actual.join("; "),
        expected,
        fix,
    )
}

/// The state of a transport agent named `name` (case-insensitive): `None` when absent.
fn agent<'a>(agents: &[&'a InventoryObject], name: &str) -> Option<&'a InventoryObject> {
    agents.iter().copied().find(|a| {
        a.name().eq_ignore_ascii_case(name)
            || values::text(a, "Identity")
                .ok()
                .flatten()
                .is_some_and(|i| i.trim().eq_ignore_ascii_case(name))
    })
}

/// Anti-spam filtering installed: Get-ContentFilterConfig returns a configuration.
fn installed(_: &Binding, content: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "Get-ContentFilterConfig";
    let agent_state = collected(ctx, K::TransportAgent)
        .ok()
        .map(|agents| match agent(&agents, "Content Filter Agent") {
            Some(a) => format!(
                "; Content Filter Agent installed, Enabled {}",
                values::boolean(a, "Enabled").map_or("(unreadable)", |e| if e {
                    "True"
                } else {
                    "False"
                })
            ),
            None => "; no Content Filter Agent among the transport agents".into(),
        })
        .unwrap_or_default();
    let actual = match content {
        [] => format!("no configuration returned{agent_state}"),
        found => format!(
            "{} returned{agent_state}",
            found
                .iter()
                .map(|o| {
                    let enabled = values::boolean(o, "Enabled")
                        .map_or("(unreadable)", |e| if e { "True" } else { "False" });
                    format!("{} (Enabled {enabled})", o.name())
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let judgement = decided(
        !content.is_empty(),
        property,
        actual,
        "a content filter configuration (the check text: no value returned is a finding)".into(),
        "& $env:ExchangeInstallPath\\Scripts\\Install-AntiSpamAgents.ps1; Restart-Service MSExchangeTransport".into(),
    );
    cautioned(judgement, RESTART)
}

/// IP Allow list entries: none, or only those the EDSP signs off.
fn ip_allow_list_empty(_: &Binding, entries: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "IPRange";
    let mut shown_entries = Vec::new();
    let mut undocumented = Vec::new();
    let documented = ctx.site.values.ip_allow_list_entries.clone();
    for entry in entries {
        let range = match values::text(entry, "IPRange") {
            Ok(r) => r.unwrap_or_default(),
            Err(p) => return unknown(property, p),
        };
        let identity = values::text(entry, "Identity")
            .ok()
            .flatten()
            .unwrap_or_else(|| range.clone());
        shown_entries.push(format!("{range} (Identity {identity})"));
        if !documented
            .as_deref()
            .is_some_and(|list| contains(list, &range))
        {
            undocumented.push(identity);
        }
    }
    let expected = match &documented {
        Some(list) => format!(
            "no entries, or only {} (signoff and risk acceptance in the EDSP: [values] ip_allow_list_entries)",
            shown(list)
        ),
        None => "no entries (entries with EDSP signoff and risk acceptance go in [values] ip_allow_list_entries)".into(),
    };
    let fix = undocumented
        .iter()
        .map(|id| format!("Remove-IPAllowListEntry -Identity {}", ps_quote(id)))
        .collect::<Vec<_>>()
        .join("; ");
    let judgement = decided(
        undocumented.is_empty(),
        property,
        if shown_entries.is_empty() {
            "(no entries)".into()
        } else {
            shown_entries.join(", ")
        },
        expected,
        fix,
    );
    cautioned(
        judgement,
        "mail from a removed address goes through the anti-spam filters again and may be refused; if the EDSP signs the entry off, list it in [values] ip_allow_list_entries instead",
    )
}

/// Block List providers: each has Name, Guid and LookupDomain; the EDSP's are there. None
/// configured: the rule is not applicable (no provider is used) unless the EDSP names one.
fn block_list_provider(_: &Binding, providers: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "Name, Guid, LookupDomain";
    let named = ctx
        .site
        .values
        .block_list_providers
        .clone()
        .unwrap_or_default();
    let add = |missing: &[String]| {
        missing
            .iter()
            .map(|p| {
                format!(
                    "Add-IPBlockListProvider -Name {} -LookupDomain {}",
                    ps_quote(p),
                    ps_quote(p)
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    if providers.is_empty() {
        if named.is_empty() {
            return not_applicable(
                property,
                "Get-IPBlockListProvider returns no provider, so the server uses no Block List service provider, and the check text makes the rule not applicable then (if the EDSP names one, add [values] block_list_providers)".into(),
            );
        }
        return decided(
            false,
            property,
            "(no provider)".into(),
            format!(
                "the EDSP's providers {} ([values] block_list_providers)",
                named.join(", ")
            ),
            add(&named),
        );
    }
    let mut actual = Vec::new();
    let mut incomplete = false;
    let mut seen = Vec::new();
    for p in providers {
        let mut fields = Vec::new();
        for field in ["Name", "Guid", "LookupDomain"] {
            match values::text(p, field) {
                Ok(value) => {
                    let value = value.unwrap_or_default();
                    incomplete |= value.trim().is_empty();
                    fields.push(format!(
                        "{field} {}",
                        if value.trim().is_empty() {
                            "(not configured)"
                        } else {
                            value.trim()
                        }
                    ));
                    if field != "Guid" {
                        seen.push(value.trim().to_string());
                    }
                }
                Err(problem) => return unknown(property, problem),
            }
        }
        actual.push(fields.join(", "));
    }
    let missing: Vec<String> = named
        .iter()
        .filter(|n| !contains(&seen, n))
        .cloned()
        .collect();
    let expected = if named.is_empty() {
        "Name, Guid and LookupDomain configured (exstig compares with the EDSP's providers when [values] block_list_providers names them)".to_string()
    } else {
        format!(
            "Name, Guid and LookupDomain configured, and the EDSP's providers {} ([values] block_list_providers)",
            named.join(", ")
        )
    };
    let fix = if missing.is_empty() {
        "Set-IPBlockListProvider -Identity <provider> -LookupDomain <the provider's lookup domain>"
            .to_string()
    } else {
        add(&missing)
    };
    decided(
        !incomplete && missing.is_empty(),
        property,
        actual.join("; "),
        expected,
        fix,
    )
}

/// An attachment type as compared: the entry's name without a `FileName:` / `ContentType:`
/// prefix, lowercase.
fn attachment_key(text: &str) -> String {
    let text = text.trim();
    let bare = ["filename:", "contenttype:"]
        .iter()
        .find_map(|p| {
            text.get(..p.len())
                .filter(|head| head.eq_ignore_ascii_case(p))
                .map(|_| &text[p.len()..])
        })
        .unwrap_or(text);
    bare.trim().to_ascii_lowercase()
}

/// Attachment filtering: the entries are exactly the EDSP's attachment types.
fn attachment_types(_: &Binding, entries: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "Name, Type";
    let mut found = Vec::new();
    for entry in entries {
        let name = match values::text(entry, "Name") {
            Ok(Some(n)) if !n.trim().is_empty() => n,
            _ => match values::text(entry, "Identity") {
                Ok(Some(i)) => i,
                Ok(None) => return unknown(property, "an entry has neither Name nor Identity"),
                Err(p) => return unknown(property, p),
            },
        };
        let kind = values::text(entry, "Type")
            .ok()
            .flatten()
            .unwrap_or_default();
        found.push((attachment_key(&name), name, kind));
    }
    let action = collected(ctx, K::AttachmentFilterConfig)
        .ok()
        .and_then(|c| {
            c.first()
                .and_then(|c| values::text(c, "Action").ok().flatten())
        })
        .map(|a| {
            format!(
                "; Get-AttachmentFilterListConfig Action {a} (the check text does not judge it)"
            )
        })
        .unwrap_or_default();
    let actual = format!(
        "{}{action}",
        if found.is_empty() {
            "(no entries)".to_string()
        } else {
            found
                .iter()
                .map(|(_, name, kind)| {
                    if kind.is_empty() {
                        name.clone()
                    } else {
                        format!("{kind}:{name}")
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let Some(wanted) = ctx.site.values.attachment_types.clone() else {
        return needs_site_value(
            ctx,
            "the attachment types the EDSP says to remove are",
            "attachment_types",
            "[\"*.exe\", \"...\"]",
            property,
            actual,
            "the EDSP's attachment types",
        );
    };
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|w| !found.iter().any(|(key, _, _)| *key == attachment_key(w)))
        .collect();
    let extra: Vec<&(String, String, String)> = found
        .iter()
        .filter(|(key, _, _)| !wanted.iter().any(|w| attachment_key(w) == *key))
        .collect();
    let mut fix: Vec<String> = missing
        .iter()
        .map(|w| {
            let name = attachment_key(w);
            let kind = if name.contains('/') {
                "ContentType"
            } else {
                "FileName"
            };
            format!(
                "Add-AttachmentFilterEntry -Name {} -Type {kind}",
                ps_quote(&name)
            )
        })
        .collect();
    fix.extend(extra.iter().map(|(_, name, kind)| {
        let kind = if kind.is_empty() { "FileName" } else { kind };
        format!(
            "Remove-AttachmentFilterEntry -Identity {} -Confirm:$false",
            ps_quote(&format!("{kind}:{name}"))
        )
    }));
    decided(
        missing.is_empty() && extra.is_empty(),
        property,
        actual,
        format!(
            "exactly {} ([values] attachment_types in {})",
            wanted.join(", "),
            ctx.site.display_name()
        ),
        fix.join("; "),
    )
}

/// Whether `[values] malware_scanner` names Exchange's built-in Malware Agent.
fn scanner_is_builtin(scanner: &str) -> bool {
    let s = scanner.trim().to_ascii_lowercase();
    s.contains("malware agent")
        || ["built-in", "builtin", "exchange", "microsoft exchange"].contains(&s.as_str())
}

/// The Malware Agent's state among the transport agents: `Ok(None)` when it is absent.
fn malware_agent(agents: &[&InventoryObject]) -> Result<Option<bool>, Box<Judgement>> {
    match agent(agents, "Malware Agent") {
        None => Ok(None),
        Some(a) => values::boolean(a, "Enabled")
            .map(Some)
            .map_err(|p| Box::new(unknown("Enabled", p))),
    }
}

/// How the Malware Agent is shown.
fn malware_shown(state: Option<bool>) -> String {
    match state {
        None => "no Malware Agent among the transport agents".into(),
        Some(true) => "Malware Agent Enabled True".into(),
        Some(false) => "Malware Agent Enabled False".into(),
    }
}

const ENABLE_MALWARE: &str = "& $env:ExchangeInstallPath\\Scripts\\Enable-AntimalwareScanning.ps1; Restart-Service MSExchangeTransport";
const DISABLE_MALWARE: &str = "& $env:ExchangeInstallPath\\Scripts\\Disable-AntimalwareScanning.ps1; Restart-Service MSExchangeTransport";
/// What restarting the transport service does.
const RESTART: &str = "restarting MSExchangeTransport briefly stops mail flow through this server";

/// `judgement` with a caution line after its fix command, when it fails.
fn cautioned(mut judgement: Judgement, text: &str) -> Judgement {
    if judgement.fix.is_some() {
        judgement.advice.push(caution(text));
    }
    judgement
}

/// The anti-malware agent enabled (and so configured): absent or disabled is a finding, unless
/// the EDSP names another scanner, where the STIG's "built-in agent disabled" rule applies.
fn malware_agent_enabled(_: &Binding, agents: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "Malware Agent Enabled";
    let state = match malware_agent(agents) {
        Ok(s) => s,
        Err(j) => return *j,
    };
    if state == Some(true) {
        return decided(
            true,
            property,
            malware_shown(state),
            "the Malware Agent installed and Enabled True".into(),
            String::new(),
        );
    }
    if let Some(scanner) = &ctx.site.values.malware_scanner
        && !scanner_is_builtin(scanner)
    {
        return not_applicable(
            property,
            format!(
                "{} names another scanner ([values] malware_scanner = \"{scanner}\"), so the STIG's rule that the built-in Malware Agent be disabled applies instead ({})",
                ctx.site.display_name(),
                malware_shown(state)
            ),
        );
    }
    let judgement = decided(
        false,
        property,
        malware_shown(state),
        format!(
            "the Malware Agent installed and Enabled True (where the EDSP names another DoD-approved scanner, set [values] malware_scanner in {})",
            ctx.site.display_name()
        ),
        ENABLE_MALWARE.into(),
    );
    cautioned(judgement, RESTART)
}

/// The built-in Malware Agent disabled: Enabled True is a finding, but where the EDSP names the
/// built-in agent as the scanner (which the 2019 Mailbox STIG's "enabled and configured" rule
/// requires), the two rules contradict and a person decides.
fn malware_agent_disabled(_: &Binding, agents: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "Malware Agent Enabled";
    let state = match malware_agent(agents) {
        Ok(s) => s,
        Err(j) => return *j,
    };
    let expected = "no Malware Agent, or Enabled False (an approved DoD scanner is used instead)";
    if state != Some(true) {
        return decided(
            true,
            property,
            malware_shown(state),
            expected.into(),
            String::new(),
        );
    }
    if let Some(scanner) = &ctx.site.values.malware_scanner
        && scanner_is_builtin(scanner)
    {
        return undecided(
            property,
            format!(
                "human judgement: {} names the built-in agent as the scanner ([values] malware_scanner = \"{scanner}\"); this rule requires it disabled where an approved DoD scanner is used, while the STIG's \"anti-malware agent enabled and configured\" rule requires it enabled: the ISSO reconciles the two",
                ctx.site.display_name()
            ),
            malware_shown(state),
            expected,
        );
    }
    let unnamed = if ctx.site.values.malware_scanner.is_none() {
        format!(
            " (if the EDSP names the built-in agent as the scanner, set [values] malware_scanner = \"Malware Agent\" in {})",
            ctx.site.display_name()
        )
    } else {
        String::new()
    };
    let judgement = decided(
        false,
        property,
        malware_shown(state),
        format!("{expected}{unnamed}"),
        DISABLE_MALWARE.into(),
    );
    cautioned(judgement, RESTART)
}

/// Whether a transport agent is one of Exchange's own (its factory is Microsoft.Exchange's).
fn exchange_agent(a: &InventoryObject) -> Option<bool> {
    values::text(a, "TransportAgentFactory")
        .ok()
        .flatten()
        .filter(|f| !f.trim().is_empty())
        .map(|f| {
            f.trim()
                .to_ascii_lowercase()
                .starts_with("microsoft.exchange.")
        })
}

/// The custom agent that renders hyperlinks from non-.mil domains unclickable: the EDSP's agent
/// installed and enabled. Without its name, no custom agent at all is still a finding.
fn hyperlink_agent(_: &Binding, agents: &[&InventoryObject], ctx: &Context) -> Judgement {
    let property = "Identity, Enabled";
    let install = |name: &str| {
        format!(
            "Install-TransportAgent -Name {} -TransportAgentFactory <factory> -AssemblyPath <path of the agent's DLL>; Enable-TransportAgent -Identity {}",
            ps_quote(name),
            ps_quote(name)
        )
    };
    let Some(name) = ctx.site.values.hyperlink_agent.clone() else {
        let mut custom = Vec::new();
        for a in agents {
            match exchange_agent(a) {
                Some(true) => {}
                Some(false) => custom.push(a.name()),
                None => {
                    return unknown(
                        property,
                        format!(
                            "the TransportAgentFactory of {} is not in the export, so exstig cannot tell Exchange's agents from custom ones",
                            a.name()
                        ),
                    );
                }
            }
        }
        if custom.is_empty() {
            return decided(
                false,
                property,
                format!(
                    "no custom transport agent ({} agents, all Exchange's own)",
                    agents.len()
                ),
                "the custom agent that renders hyperlinks from non-.mil domains unclickable".into(),
                install("<agent named in the EDSP>"),
            );
        }
        return needs_site_value(
            ctx,
            "the name of the hyperlink agent is",
            "hyperlink_agent",
            "\"...\"",
            property,
            format!("custom transport agents: {}", custom.join(", ")),
            "the EDSP's hyperlink agent, installed and Enabled",
        );
    };
    match agent(agents, &name) {
        None => decided(
            false,
            property,
            format!("no agent named \"{name}\""),
            format!("\"{name}\" installed and Enabled ([values] hyperlink_agent)"),
            install(&name),
        ),
        Some(a) => match values::boolean(a, "Enabled") {
            Ok(enabled) => decided(
                enabled,
                property,
                format!(
                    "\"{name}\" Enabled {}",
                    if enabled { "True" } else { "False" }
                ),
                format!("\"{name}\" installed and Enabled ([values] hyperlink_agent)"),
                format!("Enable-TransportAgent -Identity {}", ps_quote(&name)),
            ),
            Err(p) => unknown(property, p),
        },
    }
}

/// Malware engine updates: UpdateFrequency set; not applicable when the Malware Agent is not
/// installed.
fn malware_updates(_: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    let property = "UpdateFrequency";
    if let Ok(agents) = collected(ctx, K::TransportAgent)
        && agent(&agents, "Malware Agent").is_none()
    {
        return not_applicable(
            property,
            "no Malware Agent among this server's transport agents, and the check text makes the rule not applicable when the Malware agent is not installed".into(),
        );
    }
    let frequency = match obj.get(property) {
        None => return unknown(property, format!("{property} is not in the export")),
        Some(Value::Null) => None,
        Some(_) => match values::integer(obj, property) {
            Ok(n) => Some(n),
            Err(p) => return unknown(property, p),
        },
    };
    let paths = ["PrimaryUpdatePath", "SecondaryUpdatePath"]
        .iter()
        .filter_map(|p| {
            values::text(obj, p)
                .ok()
                .flatten()
                .filter(|v| !v.trim().is_empty())
                .map(|v| format!("; {p} {v}"))
        })
        .collect::<String>();
    decided(
        frequency.is_some_and(|n| n > 0),
        property,
        format!(
            "{}{paths}",
            frequency.map_or("(not set)".into(), |n| format!("{n} minutes"))
        ),
        "an update frequency (minutes, the EDSP's cadence)".into(),
        "-UpdateFrequency <minutes: the EDSP's update cadence>".into(),
    )
}
