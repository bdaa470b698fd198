//! `exstig convert` (placeholder until its issue lands).

use crate::error::{Error, Result};

/// Arguments of `exstig convert`.
#[derive(Debug, clap::Args)]
pub struct ConvertArgs {}

/// Runs `exstig convert`.
pub fn run(_args: &ConvertArgs) -> Result<i32> {
    Err(Error::Usage("exstig convert is not implemented yet".into()))
}
