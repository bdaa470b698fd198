//! `exstig rules` (placeholder until its issue lands).

use crate::error::{Error, Result};

/// Arguments of `exstig rules`.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {}

/// Runs `exstig rules`.
pub fn run(_args: &RulesArgs) -> Result<i32> {
    Err(Error::Usage("exstig rules is not implemented yet".into()))
}
