//! `exstig catalog` (placeholder until its issue lands).

use crate::error::{Error, Result};

/// Arguments of `exstig catalog`.
#[derive(Debug, clap::Args)]
pub struct CatalogArgs {}

/// Runs `exstig catalog`.
pub fn run(_args: &CatalogArgs) -> Result<i32> {
    Err(Error::Usage("exstig catalog is not implemented yet".into()))
}
