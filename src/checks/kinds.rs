//! What the checks need to know about each kind of object, in one table: the cmdlets that
//! export it (how a rule's check text names it), how a reviewer calls it, whether each server
//! has its own or the organization shares them, and how a `Set-` command targets one.
//! A new kind of object gets one row here.

use crate::inventory::ObjectKind;

/// Facts about one kind of object.
#[derive(Debug)]
pub struct KindFacts {
    /// The kind.
    pub kind: ObjectKind,
    /// The cmdlets whose output it is (`Get-TransportServer` on Exchange 2010).
    pub cmdlets: &'static [&'static str],
    /// The noun for one object ("Receive connector").
    pub one: &'static str,
    /// The noun for several ("Receive connectors").
    pub many: &'static str,
    /// Each server has its own (judged only on the checklist's host when the inventory also
    /// holds other servers').
    pub per_server: bool,
    /// One object for the whole organization: its `Set-` command takes no `-Identity` and its
    /// details line says "organization".
    pub singleton: bool,
    /// A connector: rules may apply to Internet-facing or internal ones only.
    pub connector: bool,
}

/// Every kind a check reads.
pub static KINDS: &[KindFacts] = &[
    KindFacts {
        kind: ObjectKind::ReceiveConnector,
        cmdlets: &["Get-ReceiveConnector"],
        one: "Receive connector",
        many: "Receive connectors",
        per_server: true,
        singleton: false,
        connector: true,
    },
    KindFacts {
        kind: ObjectKind::SendConnector,
        cmdlets: &["Get-SendConnector"],
        one: "Send connector",
        many: "Send connectors",
        per_server: false,
        singleton: false,
        connector: true,
    },
    KindFacts {
        kind: ObjectKind::TransportService,
        cmdlets: &["Get-TransportService", "Get-TransportServer"],
        one: "transport server",
        many: "transport servers",
        per_server: true,
        singleton: false,
        connector: false,
    },
    KindFacts {
        kind: ObjectKind::TransportConfig,
        cmdlets: &["Get-TransportConfig"],
        one: "TransportConfig",
        many: "TransportConfig",
        per_server: false,
        singleton: true,
        connector: false,
    },
];

/// The facts of `kind`.
///
/// # Panics
/// When `kind` has no row in [`KINDS`] (a programming error caught by the unit tests).
pub fn facts(kind: ObjectKind) -> &'static KindFacts {
    KINDS
        .iter()
        .find(|k| k.kind == kind)
        .unwrap_or_else(|| panic!("checks::kinds::KINDS has no row for {kind:?}"))
}

/// The kind a cmdlet returns, with the cmdlet's own spelling.
pub fn of_cmdlet(cmdlet: &str) -> Option<(&'static str, ObjectKind)> {
    KINDS.iter().find_map(|k| {
        k.cmdlets
            .iter()
            .find(|c| c.eq_ignore_ascii_case(cmdlet))
            .map(|c| (*c, k.kind))
    })
}

/// "Receive connector" for one, "Receive connectors" for any other count.
pub fn noun(kind: ObjectKind, count: usize) -> &'static str {
    let f = facts(kind);
    if count == 1 { f.one } else { f.many }
}
