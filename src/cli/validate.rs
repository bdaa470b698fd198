//! `exstig validate` (placeholder until its issue lands).

use crate::error::{Error, Result};

/// Arguments of `exstig validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {}

/// Runs `exstig validate`.
pub fn run(_args: &ValidateArgs) -> Result<i32> {
    Err(Error::Usage(
        "exstig validate is not implemented yet".into(),
    ))
}
