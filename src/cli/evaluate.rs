//! `exstig evaluate` (placeholder until its issue lands).

use crate::error::{Error, Result};

/// Arguments of `exstig evaluate`.
#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {}

/// Runs `exstig evaluate`.
pub fn run(_args: &EvaluateArgs) -> Result<i32> {
    Err(Error::Usage(
        "exstig evaluate is not implemented yet".into(),
    ))
}
