//! `exstig diff` (placeholder until its issue lands).

use crate::error::{Error, Result};

/// Arguments of `exstig diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {}

/// Runs `exstig diff`.
pub fn run(_args: &DiffArgs) -> Result<i32> {
    Err(Error::Usage("exstig diff is not implemented yet".into()))
}
