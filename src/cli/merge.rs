//! `exstig merge` (placeholder until its issue lands).

use crate::error::{Error, Result};

/// Arguments of `exstig merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {}

/// Runs `exstig merge`.
pub fn run(_args: &MergeArgs) -> Result<i32> {
    Err(Error::Usage("exstig merge is not implemented yet".into()))
}
