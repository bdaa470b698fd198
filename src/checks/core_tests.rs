//! Unit tests of the shared core: the family registry, the kinds table, and a new family made
//! of one declarative simple-property entry, bound and judged by the core alone.

use super::judge::{Context, Verdict, judge};
use super::spec::{CheckSpec, Family, StigValue, ValueType};
use super::{Expected, FAMILIES, RuleScope, bind_in, checks, fix, kinds};
use crate::benchmark::{Benchmark, Rule};
use crate::inventory::{Fidelity, InventoryObject, ObjectKind};
use crate::site::Site;
use serde_json::json;
use std::collections::BTreeSet;

#[test]
fn check_ids_are_unique_and_every_kind_has_its_facts() {
    let mut ids = BTreeSet::new();
    for spec in checks() {
        assert!(ids.insert(spec.id), "{} declared twice", spec.id);
        let facts = kinds::facts(spec.kind);
        assert!(
            facts
                .cmdlets
                .iter()
                .all(|c| kinds::of_cmdlet(c) == Some((c, spec.kind))),
            "{}",
            spec.id
        );
        assert_eq!(spec.property, spec.keys[0]);
    }
    assert_eq!(FAMILIES.len(), 3);
    assert_eq!(
        kinds::of_cmdlet("get-transportserver").map(|(c, _)| c),
        Some("Get-TransportServer")
    );
    assert_eq!(kinds::of_cmdlet("Get-Mailbox"), None);
}

/// A new family: one declarative entry, nothing else.
static DEMO: Family = Family {
    name: "demo",
    specs: &[CheckSpec::property(
        "demo.client-auth-disabled",
        "-",
        ObjectKind::TransportConfig,
        &["SmtpClientAuthenticationDisabled"],
        ValueType::Bool,
    )
    .default(StigValue::Bool(true))],
    refine: None,
};

fn org(value: bool) -> InventoryObject {
    InventoryObject {
        kind: ObjectKind::TransportConfig,
        source: "config.json".into(),
        index: 0,
        fidelity: Fidelity::Exact,
        properties:
            json!({"Identity": "Transport Settings", "SmtpClientAuthenticationDisabled": value})
                .as_object()
                .cloned()
                .unwrap(),
    }
}

#[test]
fn one_declarative_entry_is_bound_by_meaning_and_judged_by_the_core() {
    let benchmark = Benchmark {
        id: "MS_Exchange_2019_Mailbox_Server_STIG".into(),
        ..Benchmark::default()
    };
    let rule = |check: &str| Rule {
        rule_id: "SV-9r1_rule".into(),
        title: "Exchange must disable SMTP client authentication.".into(),
        check_content: check.into(),
        ..Rule::default()
    };
    let stated = rule(
        "Open the Exchange Management Shell and enter:\nGet-TransportConfig | Select SmtpClientAuthenticationDisabled\nIf the value is not set to False, this is a finding.",
    );
    let b = bind_in(&[&DEMO], &benchmark, &stated).expect("bound");
    assert_eq!(b.spec.id, "demo.client-auth-disabled");
    assert_eq!(b.expected, Some(Expected::Bool(false)));
    assert_eq!(b.scope, RuleScope::All);
    // Without a stated value, the declared default.
    let unstated = bind_in(
        &[&DEMO],
        &benchmark,
        &rule("Get-TransportConfig | fl SmtpClientAuthenticationDisabled"),
    )
    .unwrap();
    assert_eq!(unstated.expected, Some(Expected::Bool(true)));
    // Another cmdlet or property is not this rule.
    assert!(
        bind_in(
            &[&DEMO],
            &benchmark,
            &rule("Get-TransportConfig | Select MaxSendSize")
        )
        .is_none()
    );
    assert!(
        bind_in(
            &[&DEMO],
            &benchmark,
            &rule("Get-SendConnector | Select SmtpClientAuthenticationDisabled")
        )
        .is_none()
    );

    let site = Site::default();
    let ctx = Context {
        site: &site,
        transport_config: None,
    };
    assert_eq!(judge(&b, &org(false), &ctx).verdict, Verdict::Pass);
    let failed = judge(&b, &org(true), &ctx);
    assert_eq!(failed.verdict, Verdict::Fail);
    let target = fix::target(&org(true));
    assert_eq!(
        fix::command(&b, &target, failed.fix.as_deref().unwrap()),
        "Set-TransportConfig -SmtpClientAuthenticationDisabled $false"
    );
}
