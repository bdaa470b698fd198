//! What the checks need to know about each kind of object, derived from the one table of object
//! kinds ([`crate::inventory::KINDS`]): the cmdlets that export it (how a rule's check text names
//! it), how a reviewer calls it, whether each server has its own or the organization shares
//! them, and how a `Set-` command targets one. A new kind of object gets its row there, not here.

use crate::inventory::{KINDS, ObjectKind, Scope};
use std::sync::LazyLock;

/// Facts about one kind of object.
#[derive(Debug)]
pub struct KindFacts {
    /// The kind.
    pub kind: ObjectKind,
    /// The cmdlets whose output it is (`Get-TransportServer` on Exchange 2010).
    pub cmdlets: &'static [&'static str],
    /// The noun for one object ("Receive connector").
    pub one: String,
    /// The noun for several ("Receive connectors").
    pub many: String,
    /// Each server has its own (judged only on the checklist's host when the inventory also
    /// holds other servers').
    pub per_server: bool,
    /// One object for the whole organization: its `Set-` command takes no `-Identity` and its
    /// details line names the object, not a count.
    pub singleton: bool,
    /// A connector: rules may apply to Internet-facing or internal ones only.
    pub connector: bool,
}

/// The checks' view of every kind, in the order of [`KINDS`].
static FACTS: LazyLock<Vec<KindFacts>> = LazyLock::new(|| {
    KINDS
        .iter()
        .map(|spec| {
            let (one, many) = match spec.kind {
                // The words reviewers already read in these kinds' finding details.
                ObjectKind::TransportService => {
                    ("transport server".into(), "transport servers".into())
                }
                ObjectKind::TransportConfig => ("TransportConfig".into(), "TransportConfig".into()),
                _ => (spec.title.to_string(), plural(spec.title)),
            };
            KindFacts {
                kind: spec.kind,
                cmdlets: spec.cmdlets,
                one,
                many,
                per_server: spec.kind.is_per_server(),
                singleton: spec.single && spec.scope == Scope::Organization,
                connector: matches!(
                    spec.kind,
                    ObjectKind::ReceiveConnector | ObjectKind::SendConnector
                ),
            }
        })
        .collect()
});

/// The English plural of a noun phrase ("attachment filter entry" -> "... entries").
fn plural(title: &str) -> String {
    if let Some(stem) = title.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'o', 'u'])
    {
        format!("{stem}ies")
    } else if title.ends_with('x') || title.ends_with('s') {
        format!("{title}es")
    } else {
        format!("{title}s")
    }
}

/// The facts of `kind`.
pub fn facts(kind: ObjectKind) -> &'static KindFacts {
    &FACTS[kind as usize]
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
    if count == 1 { &f.one } else { &f.many }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_follow_the_inventory_table_row_by_row() {
        for spec in KINDS.iter() {
            assert_eq!(facts(spec.kind).kind, spec.kind);
        }
        assert_eq!(
            noun(ObjectKind::AttachmentFilterEntry, 2),
            "attachment filter entries"
        );
        assert_eq!(noun(ObjectKind::Mailbox, 3), "mailboxes");
        assert_eq!(noun(ObjectKind::ReceiveConnector, 1), "Receive connector");
        assert!(facts(ObjectKind::TransportConfig).singleton);
        assert!(!facts(ObjectKind::TransportService).singleton);
    }
}
