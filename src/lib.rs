//! exstig: evaluates Microsoft Exchange SMTP connector exports against DISA Exchange STIGs
//! and writes STIG Viewer checklists (CKL, CKLB) and XCCDF results.

pub mod answers;
pub mod batch;
pub mod benchmark;
pub mod catalog;
pub mod checklist;
pub mod checks;
pub mod cli;
pub mod diff;
pub mod error;
pub mod evaluate;
pub mod fsio;
pub mod inventory;
pub mod merge;
pub mod site;
pub mod summary;
pub mod upgrade;
pub mod validate;
pub mod xccdf;
pub mod xml;

pub use error::{Error, Result};

/// The exstig version, as written into checklists and finding details.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
