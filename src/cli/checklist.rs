//! `exstig checklist`: an empty checklist (every rule Not_Reviewed) for a benchmark, as STIG
//! Viewer's "create checklist from STIG" makes it, written as CKL.

use super::{AssetArgs, BenchmarkSource};
use crate::checklist::{Asset, Checklist, ChecklistStig, ckl};
use crate::error::{EXIT_OK, Error, Result};
use std::path::PathBuf;

/// Arguments of `exstig checklist`.
#[derive(Debug, clap::Args)]
pub struct ChecklistArgs {
    /// The benchmark.
    #[command(flatten)]
    pub source: BenchmarkSource,
    /// The checklist ASSET (`--host-name` is required).
    #[command(flatten)]
    pub asset: AssetArgs,
    /// Where to write the CKL (written atomically; nothing is written on error).
    #[arg(long, value_name = "OUT.ckl")]
    pub ckl: PathBuf,
    /// Replace a read-only output file too (it stays read-only); without it it is refused.
    #[arg(long)]
    pub force: bool,
}

/// Runs `exstig checklist`.
pub fn run(args: &ChecklistArgs) -> Result<i32> {
    if args
        .asset
        .host_name
        .as_deref()
        .is_none_or(|h| h.trim().is_empty())
    {
        return Err(Error::Usage(
            "give --host-name NAME: STIG Manager and eMASS refuse checklists without a host name"
                .into(),
        ));
    }
    let write = crate::fsio::WriteOptions { force: args.force };
    let inputs: Vec<&std::path::Path> =
        args.source.benchmark.iter().map(PathBuf::as_path).collect();
    crate::fsio::check_outputs(&[&args.ckl], &inputs, write, false)?;
    let benchmark = args.source.load()?;
    if benchmark.rules.is_empty() {
        return Err(Error::Usage(format!(
            "benchmark {} has no rules: nothing to put in a checklist",
            benchmark.id
        )));
    }
    let mut asset = Asset {
        target_key: benchmark.target_key().to_string(),
        ..Asset::default()
    };
    args.asset.apply(&mut asset)?;
    asset.tech_area = ckl::TECH_AREAS
        .iter()
        .find(|t| t.eq_ignore_ascii_case(&asset.tech_area))
        .ok_or_else(|| {
            Error::Usage(format!(
                "--tech-area '{}' is not one of the CKL schema's values: {}",
                asset.tech_area,
                ckl::TECH_AREAS[1..].join(", ")
            ))
        })?
        .to_string();
    let checklist = Checklist {
        asset,
        stigs: vec![ChecklistStig::from_benchmark(&benchmark)],
        ..Checklist::default()
    };
    crate::fsio::write_all_atomic_with(&[(&args.ckl, ckl::write(&checklist).into_bytes())], write)?;
    eprintln!(
        "exstig: wrote {} ({} {}, {} rules, all Not_Reviewed)",
        args.ckl.display(),
        benchmark.id,
        benchmark.revision(),
        benchmark.rules.len()
    );
    Ok(EXIT_OK)
}
