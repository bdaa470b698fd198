//! exstig's checks and the binding of benchmark rules to them.
//!
//! A rule is bound by what it examines, never by its Rule ID or STIG ID: the cmdlet its check
//! runs (`Get-ReceiveConnector`, `Get-SendConnector`, `Get-TransportService` / `Get-TransportServer`,
//! `Get-TransportConfig`), the first property it selects that one of the checks knows, the value it
//! compares against (taken from the check text, or from the catalog's check terms when the
//! benchmark carries no prose) and the scope words of its title ("external", "Internet-facing",
//! "internal", "non-Internet"). So every DISA release, and the next one, works without a code
//! change.
//!
//! One rule family lives in one file and declares its checks ([`CheckSpec`]) and, where the
//! generic comparisons do not fit, its own judging and reading of rule texts: [`receive`],
//! [`send`], [`transport`], [`server`], [`host`], [`mailbox`], [`antispam`]. The shared core:
//! [`bind`](mod@bind) (binding by meaning, scope words, allowances), `text` (expected values
//! from the check text), [`kinds`] (cmdlet, nouns and
//! per-server / organization-wide of each kind of object), [`scope`] (which connectors face
//! the Internet), [`judge`] (the generic comparisons, site values, verdict helpers) and [`fix`]
//! (fix commands). A new family is one file and one line in [`FAMILIES`].

pub mod antispam;
pub mod bind;
pub mod fix;
pub mod host;
pub mod judge;
pub mod kinds;
pub mod mailbox;
pub mod receive;
pub mod scope;
pub mod send;
pub mod server;
pub mod spec;
mod text;
pub mod transport;

pub use bind::{Binding, RuleScope, RuleText, benchmark_role, bind, bind_in, describe};
pub use spec::{CheckSpec, Comparison, Expected, Family, JudgeFn, RefineFn, StigValue, ValueType};

// Names the unit tests use through `use super::*`.
#[cfg(test)]
use crate::inventory::values::{Size, TimeSpan};

/// Every rule family, in binding priority order: one line per family.
pub static FAMILIES: &[&Family] = &[
    &receive::FAMILY,
    &send::FAMILY,
    &transport::FAMILY,
    &mailbox::FAMILY,
    &server::FAMILY,
    &host::FAMILY,
    &antispam::FAMILY,
];

/// Every check of every family, in binding priority order.
pub fn checks() -> impl Iterator<Item = &'static CheckSpec> {
    FAMILIES.iter().flat_map(|f| f.specs.iter())
}

/// A check by id.
pub fn check(id: &str) -> Option<&'static CheckSpec> {
    checks().find(|c| c.id == id)
}

#[cfg(test)]
mod antispam_tests;
#[cfg(test)]
mod core_tests;
#[cfg(test)]
mod tests;
