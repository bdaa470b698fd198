//! The Receive connector family (`Get-ReceiveConnector`): timeouts, limits, authentication,
//! anonymous access, chunking, tarpitting, banner and naming. Every check is a generic property
//! comparison; the family's own reading of rule texts tells the two AuthMechanism rules apart and
//! widens the anonymous rule to every connector where its text says so.

use super::spec::{CheckSpec, Expected, Family, StigValue, ValueType as V};
use super::{Binding, RuleScope, RuleText};
use crate::inventory::ObjectKind::ReceiveConnector as K;
use crate::inventory::ServerRole;
use crate::inventory::values::{AUTH_MECHANISM, PERMISSION_GROUPS};

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
    ),
    CheckSpec::property(
        "receive.auth-tls",
        "RC-05",
        K,
        &["AuthMechanism"],
        V::Flags(&AUTH_MECHANISM),
    ),
    CheckSpec::property(
        "receive.no-anonymous",
        "RC-06",
        K,
        &["PermissionGroups"],
        V::Flags(&PERMISSION_GROUPS),
    )
    .excludes(&["AnonymousUsers"]),
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
    .same_as_global("MaxReceiveSize"),
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
