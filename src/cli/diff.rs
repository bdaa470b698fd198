//! `exstig diff`: what changed between two cycles of a checklist (status changes, new and
//! removed rules, edited reviews), grouped by CAT, for reviewers. Always exits 0 when both files
//! read.

use crate::error::{EXIT_OK, Error, Result};
use crate::merge::read_checklist;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `exstig diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The older checklist (.ckl or .cklb).
    #[arg(value_name = "OLDER")]
    pub older: PathBuf,
    /// The newer checklist (.ckl or .cklb).
    #[arg(value_name = "NEWER")]
    pub newer: PathBuf,
    /// Print the differences as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `exstig diff`, printing to stdout.
pub fn run(args: &DiffArgs) -> Result<i32> {
    let older = read_checklist(&args.older)?;
    let newer = read_checklist(&args.newer)?;
    let diff = crate::diff::diff(&older, &newer);
    let text = if args.json {
        let mut json = serde_json::to_string_pretty(&diff).unwrap_or_else(|_| "{}".into());
        json.push('\n');
        json
    } else {
        diff.to_text()
    };
    // A reader that stops early (`| head`) is not an error.
    // Texts come from the checklists: control characters are escaped (crate::term).
    match std::io::stdout()
        .lock()
        .write_all(crate::term::text(&text).as_bytes())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::io(Path::new("<stdout>"), e))
        }
        _ => Ok(EXIT_OK),
    }
}
