//! `exstig checklist` (placeholder until its issue lands).

use crate::error::{Error, Result};

/// Arguments of `exstig checklist`.
#[derive(Debug, clap::Args)]
pub struct ChecklistArgs {}

/// Runs `exstig checklist`.
pub fn run(_args: &ChecklistArgs) -> Result<i32> {
    Err(Error::Usage(
        "exstig checklist is not implemented yet".into(),
    ))
}
