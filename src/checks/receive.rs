//! The Receive connector family (`Get-ReceiveConnector`): timeouts, limits, authentication,
//! anonymous access, chunking, tarpitting, banner and naming. Every check is a generic property
//! comparison; the family's own reading of rule texts tells the two AuthMechanism rules apart and
//! widens the anonymous rule to every connector where its text says so, and its judges add a
//! caution with the scoped alternative where the STIG's literal fix would stop mail flow
//! (removing AnonymousUsers, dropping ExchangeServer).

use super::fix::{caution, quote};
use super::judge::{Context, Judgement, Verdict, compare};
use super::spec::{CheckSpec, Expected, Family, StigValue, ValueType as V};
use super::{Binding, RuleScope, RuleText, scope};
use crate::inventory::ObjectKind::ReceiveConnector as K;
use crate::inventory::values::{self, AUTH_MECHANISM, PERMISSION_GROUPS, TRANSPORT_ROLE};
use crate::inventory::{InventoryObject, ServerRole};

/// The family.
pub static FAMILY: Family = Family {
    name: "receive",
    specs: SPECS,
    refine: Some(refine),
};

static SPECS: &[CheckSpec] = &[
    CheckSpec::naming("receive.naming", "RC-09", K),
    CheckSpec::property(
        "receive.connection-timeout",
        "RC-01",
        K,
        &["ConnectionTimeout"],
        V::Time,
    )
    .site_key("connection_timeout")
    .default(StigValue::SecondsByRole {
        edge: 300,
        other: 600,
    }),
    CheckSpec::property(
        "receive.domain-secure",
        "RC-02/RC-03",
        K,
        &["DomainSecureEnabled"],
        V::Bool,
    )
    .default(StigValue::Bool(true)),
    CheckSpec::property(
        "receive.auth-tls-basic",
        "RC-04",
        K,
        &["AuthMechanism"],
        V::Flags(&AUTH_MECHANISM),
    )
    .with_judge(auth_mechanism),
    CheckSpec::property(
        "receive.auth-tls",
        "RC-05",
        K,
        &["AuthMechanism"],
        V::Flags(&AUTH_MECHANISM),
    )
    .with_judge(auth_mechanism),
    CheckSpec::property(
        "receive.no-anonymous",
        "RC-06",
        K,
        &["PermissionGroups"],
        V::Flags(&PERMISSION_GROUPS),
    )
    .excludes(&["AnonymousUsers"])
    .with_judge(no_anonymous),
    CheckSpec::property(
        "receive.max-recipients",
        "RC-07",
        K,
        &["MaxRecipientsPerMessage"],
        V::Limit,
    )
    .site_key("max_recipients_per_message")
    .default(StigValue::Number(5000)),
    CheckSpec::property(
        "receive.chunking",
        "RC-08",
        K,
        &["ChunkingEnabled"],
        V::Bool,
    )
    .default(StigValue::Bool(true)),
    CheckSpec::property(
        "receive.tarpit-interval",
        "RC-10",
        K,
        &["TarpitInterval"],
        V::Time,
    )
    .at_least()
    .default(StigValue::Seconds(5)),
    CheckSpec::property(
        "receive.max-hop-count",
        "RC-11",
        K,
        &["MaxHopCount"],
        V::Limit,
    )
    .site_key("max_hop_count")
    .default(StigValue::Number(60)),
    CheckSpec::property(
        "receive.max-inbound-connection",
        "RC-12",
        K,
        &["MaxInboundConnection"],
        V::Limit,
    )
    .site_key("max_inbound_connection")
    .default(StigValue::Number(5000)),
    CheckSpec::property(
        "receive.max-message-size",
        "RC-13",
        K,
        &["MaxMessageSize"],
        V::Size,
    )
    .site_key("max_receive_size")
    .same_as_global("MaxReceiveSize")
    .finite(),
    CheckSpec::property("receive.banner", "RC-14", K, &["Banner"], V::Text)
        .default(StigValue::Text("220 SMTP Server Ready")),
];

/// The family's reading of a rule text.
fn refine(binding: &mut Binding, text: &RuleText) {
    if binding.spec.property == "AuthMechanism" {
        split_auth(binding, text.title);
    }
    if binding.spec.id == "receive.no-anonymous" {
        anonymous_scope(binding, text);
    }
    if text.lower.contains("applies to imap4") {
        binding.notes.push("The check text's note about IMAP4 does not concern Receive connectors; exstig checks every Receive connector as the check's command does.".into());
    }
}

/// RC-04 and RC-05 read the same property: the expected value (or the title) tells them apart.
fn split_auth(binding: &mut Binding, title: &str) {
    let basic = match &binding.expected {
        Some(Expected::Flags(set)) => set.contains("BasicAuth"),
        _ => title.contains("basic auth"),
    };
    let id = if basic {
        "receive.auth-tls-basic"
    } else {
        "receive.auth-tls"
    };
    if let Some(spec) = SPECS.iter().find(|s| s.id == id) {
        binding.spec = spec;
    }
    if binding.expected.is_none() {
        let names: &[&str] = if basic {
            &["Tls", "BasicAuth", "BasicAuthRequireTLS"]
        } else {
            &["Tls"]
        };
        binding.expected = Some(Expected::Flags(names.iter().copied().collect()));
        binding.expected_source =
            "exstig's reading of the rule title (the benchmark carries no value)".into();
    }
}

/// The anonymous rule's scope: on Mailbox STIGs its check text says "any receive connector".
fn anonymous_scope(binding: &mut Binding, text: &RuleText) {
    if text.lower.contains("for any receive connector") {
        binding.scope = RuleScope::All;
        binding.scope_basis = "the check text says \"for any receive connector\"".into();
    } else if text.lower.contains("non-internet") || text.lower.contains("noninternet") {
        binding.scope = RuleScope::Internal;
        binding.scope_basis = "the check text says \"non-Internet connector\"".into();
    } else if text.prose.is_empty() && binding.role == Some(ServerRole::Mailbox) {
        binding.scope = RuleScope::All;
        binding.scope_basis =
            "Mailbox STIGs check every Receive connector for AnonymousUsers".into();
    }
}

/// RC-04 / RC-05, judged generically; where the exact value would drop ExchangeServer (an Edge
/// server's internal connector, which the Mailbox servers' Edge subscription authenticates to
/// with it), the fix says so and gives the scoped alternative.
fn auth_mechanism(binding: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    let mut judgement = compare(binding, obj, ctx);
    let Some(Expected::Flags(wanted)) = &binding.expected else {
        return judgement;
    };
    let drops_exchange_server = judgement.verdict == Verdict::Fail
        && !wanted.contains("ExchangeServer")
        && values::flags(obj, "AuthMechanism", &AUTH_MECHANISM)
            .is_ok_and(|actual| actual.contains("ExchangeServer"));
    if drops_exchange_server {
        let mut kept: std::collections::BTreeSet<&'static str> = wanted.clone();
        kept.insert("ExchangeServer");
        judgement.advice = vec![
            caution(
                "this drops ExchangeServer, with which Exchange servers (on an Edge server: the Mailbox servers of its Edge subscription) authenticate to this connector; mail they send through it stops.",
            ),
            format!(
                "# Scoped alternative: Set-ReceiveConnector -Identity {} -AuthMechanism {} keeps Exchange server authentication over TLS; record that deviation from the STIG value in the EDSP.",
                quote(&obj.identity()),
                quote(&AUTH_MECHANISM.display(&kept))
            ),
        ];
    }
    judgement
}

/// RC-06, judged generically; where removing AnonymousUsers would stop mail flow (a connector
/// that admits only anonymous senders, or a Mailbox server's front-end connector on port 25),
/// the fix says so and gives the scoped alternative.
fn no_anonymous(binding: &Binding, obj: &InventoryObject, ctx: &Context) -> Judgement {
    let mut judgement = compare(binding, obj, ctx);
    if judgement.verdict != Verdict::Fail {
        return judgement;
    }
    let Ok(groups) = values::flags(obj, "PermissionGroups", &PERMISSION_GROUPS) else {
        return judgement;
    };
    let identity = quote(&obj.identity());
    if groups.iter().all(|g| *g == "AnonymousUsers") {
        judgement.advice = vec![
            caution(
                "this connector admits only anonymous senders (an application relay, or a connector receiving mail from outside): with no permission group left, it accepts no mail at all.",
            ),
            format!(
                "# Scoped alternative: let its senders authenticate (Set-ReceiveConnector -Identity {identity} -PermissionGroups ExchangeUsers, with an authentication mechanism they support), or keep it anonymous only for the hosts that need it (-RemoteIPRanges limited to their addresses) and record that in the EDSP."
            ),
        ];
        return judgement;
    }
    let port_25 = values::list(obj, "Bindings").is_ok_and(|b| scope::ports(&b).contains(&25));
    let front_end = values::flags(obj, "TransportRole", &TRANSPORT_ROLE)
        .map_or(true, |role| role.contains("FrontendTransport"));
    if binding.role != Some(ServerRole::Edge) && port_25 && front_end {
        judgement.advice = vec![
            caution(
                "on a Mailbox server that receives Internet mail directly (no Edge server or other gateway in front of it), removing AnonymousUsers from this front-end connector stops inbound Internet mail.",
            ),
            "# Scoped alternative: receive Internet mail through an Edge server (its Edge subscription authenticates as ExchangeServers) or a gateway first; until then keep AnonymousUsers only on a connector whose -RemoteIPRanges is limited to the gateway's addresses, and record that deviation in the EDSP.".to_string(),
        ];
    }
    judgement
}
