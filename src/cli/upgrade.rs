//! `exstig upgrade`: carries the reviews of a checklist to a new release of its STIG (reviews
//! move only where the STIG ID and the check text are unchanged; see [`crate::upgrade`]).

use super::BenchmarkSource;
use crate::error::{EXIT_OK, Result};
use std::path::{Path, PathBuf};

/// Arguments of `exstig upgrade`.
#[derive(Debug, clap::Args)]
pub struct UpgradeArgs {
    /// The checklist of the older release (.ckl or .cklb).
    #[arg(value_name = "CHECKLIST")]
    pub input: PathBuf,
    /// The new release: DISA's benchmark file or a catalog name.
    #[command(flatten)]
    pub source: BenchmarkSource,
    /// The upgraded checklist; .ckl or .cklb chooses the format. When it is the input, the
    /// original is kept as FILE.bak.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// The old release's DISA benchmark: gives the check text of a checklist made without it
    /// (from the catalog), so its reviews can be carried; without it such rules are re-reviewed.
    #[arg(long, value_name = "OLD.xml")]
    pub from_benchmark: Option<PathBuf>,
    /// Also write the report: JSON when FILE ends in .json, else text.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Replace a read-only output (it stays read-only).
    #[arg(long)]
    pub force: bool,
}

/// Runs `exstig upgrade`: reads, upgrades, writes the checklist (and report) together.
pub fn run(args: &UpgradeArgs) -> Result<i32> {
    crate::merge::Format::of_path(&args.output)?;
    let write = crate::fsio::WriteOptions { force: args.force };
    crate::fsio::check_output(&args.output, write, false)?;
    if let Some(report) = &args.report {
        // The report may be neither the input nor the output (the output may be the input).
        crate::fsio::check_outputs(&[report], &[&args.input, &args.output], write, false)?;
    }
    let benchmark = args.source.load()?;
    let old = crate::merge::read_checklist(&args.input)?;
    let old_release = args
        .from_benchmark
        .as_deref()
        .map(crate::benchmark::load)
        .transpose()?;
    let (upgraded, report) = crate::upgrade::upgrade_from(&old, &benchmark, old_release.as_ref())?;
    let bytes = crate::merge::render_checklist(&args.output, &upgraded)?;
    let mut files: Vec<(&Path, Vec<u8>)> = vec![(&args.output, bytes)];
    if let Some(path) = &args.report {
        let text = if has_json_extension(path) {
            report.to_json()
        } else {
            report.to_text()
        };
        files.push((path, text.into_bytes()));
    }
    // Upgrading in place: keep the original beside it, as merge does.
    let backup = match crate::fsio::same_file(&args.input, &args.output) {
        true => Some(crate::merge::write_backup(&args.output)?),
        false => None,
    };
    crate::fsio::write_all_atomic_with(&files, write)?;
    eprint!("{}", report.to_text());
    if let Some(backup) = backup {
        eprintln!("kept the original as {}", backup.display());
    }
    eprintln!("wrote {}", args.output.display());
    Ok(EXIT_OK)
}

fn has_json_extension(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}
