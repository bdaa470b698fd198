//! `exstig evaluate`: read the inventory exports, evaluate them against a benchmark (DISA file
//! or embedded catalog) with the site file's scopes, values and exceptions, and write the CKL
//! (and optionally CKLB and XCCDF results) together, atomically, only when everything succeeded.

use super::{AssetArgs, BenchmarkSource};
use crate::benchmark::Severity;
use crate::checklist::{Status, ckl, cklb};
use crate::error::{EXIT_FINDINGS, EXIT_OK, Error, Result};
use crate::evaluate::{Evaluation, asset_from, evaluate};
use crate::site::Site;
use std::path::{Path, PathBuf};

/// What makes `exstig evaluate` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any Open rule.
    Open,
    /// An Open CAT I (high) rule.
    Cat1,
    /// An Open CAT I or CAT II rule.
    Cat2,
    /// An Open rule of any CAT.
    Cat3,
}

impl FailOn {
    /// Whether an Open rule of `severity` triggers the failure.
    pub fn matches(self, severity: Option<Severity>) -> bool {
        let floor = match self {
            FailOn::Open | FailOn::Cat3 => Severity::Low,
            FailOn::Cat2 => Severity::Medium,
            FailOn::Cat1 => Severity::High,
        };
        severity.unwrap_or(Severity::Medium) >= floor
    }
}

/// Arguments of `exstig evaluate`.
#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    /// Inventory files: ConvertTo-Json or Export-Clixml exports, or inventory bundles.
    #[arg(required_unless_present = "inventory_dir", value_name = "INVENTORY")]
    pub inventory: Vec<PathBuf>,
    /// The benchmark.
    #[command(flatten)]
    pub source: BenchmarkSource,
    /// Site file (TOML): connector scopes, EDSP values, exceptions, asset defaults.
    #[arg(long, value_name = "FILE")]
    pub site: Option<PathBuf>,
    /// Where to write the CKL checklist.
    #[arg(
        long,
        value_name = "OUT.ckl",
        required_unless_present = "inventory_dir"
    )]
    pub ckl: Option<PathBuf>,
    /// Also write a CKLB checklist (STIG Viewer 3).
    #[arg(long, value_name = "OUT.cklb")]
    pub cklb: Option<PathBuf>,
    /// Also write XCCDF 1.2 results.
    #[arg(long, value_name = "OUT.xml")]
    pub xccdf: Option<PathBuf>,
    /// The checklist ASSET (overrides the inventory and the site file).
    #[command(flatten)]
    pub asset: AssetArgs,
    /// Exit 1 when an Open rule is at or above this severity (open = any).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Batch mode (a folder of inventories, one set of checklists per server).
    #[command(flatten)]
    pub batch: Box<super::batch_args::BatchArgs>,
}

/// Runs `exstig evaluate`.
pub fn run(args: &EvaluateArgs) -> Result<i32> {
    if args.batch.is_batch() {
        if !args.inventory.is_empty()
            || args.ckl.is_some()
            || args.cklb.is_some()
            || args.xccdf.is_some()
        {
            return Err(Error::Usage(
                "batch mode (--inventory-dir) reads its folder and writes to --out-dir: drop the INVENTORY files and --ckl/--cklb/--xccdf".into(),
            ));
        }
        return super::batch_args::run_batch(
            &args.batch,
            &args.source,
            args.site.as_deref(),
            &args.asset,
            args.fail_on,
        );
    }
    let (Some(ckl_path), false) = (args.ckl.as_deref(), args.inventory.is_empty()) else {
        return Err(Error::Usage(
            "give the INVENTORY files and --ckl OUT.ckl".into(),
        ));
    };
    check_outputs(args)?;
    let start = chrono::Utc::now();
    let benchmark = args.source.load()?;
    if benchmark.rules.is_empty() {
        return Err(Error::Usage(format!(
            "benchmark {} has no rules",
            benchmark.id
        )));
    }
    let site = match &args.site {
        Some(path) => Site::load(path)?,
        None => Site::default(),
    };
    let inventory = crate::inventory::read_files(&args.inventory)?;
    if inventory.objects.is_empty() {
        return Err(Error::input(
            &args.inventory[0],
            "the inventory holds no Exchange objects (empty export?); nothing to evaluate",
        ));
    }
    let mut asset = asset_from(&benchmark, &inventory, &site);
    args.asset.apply(&mut asset)?;
    if asset.host_name.trim().is_empty() {
        return Err(Error::Usage(
            "no host name: the inventory does not name the server; give --host-name NAME (or [asset] host_name in the site file)".into(),
        ));
    }
    let evaluation = evaluate(&benchmark, &inventory, &site, asset);
    let end = chrono::Utc::now();
    let mut files: Vec<(&Path, Vec<u8>)> =
        vec![(ckl_path, ckl::write(&evaluation.checklist).into_bytes())];
    if let Some(path) = &args.cklb {
        files.push((
            path.as_path(),
            cklb::write(&evaluation.checklist)?.into_bytes(),
        ));
    }
    if let Some(path) = &args.xccdf {
        let run = crate::xccdf::RunInfo { start, end };
        files.push((
            path.as_path(),
            crate::xccdf::write_results(&benchmark, &evaluation.checklist, &run).into_bytes(),
        ));
    }
    for (path, _) in &files {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
    }
    crate::fsio::write_all_atomic(&files)?;
    for skipped in &inventory.skipped {
        eprintln!("exstig: skipped {skipped}");
    }
    eprintln!(
        "exstig: {} {} against {} ({})",
        benchmark.id,
        benchmark.revision(),
        evaluation.checklist.asset.host_name,
        args.inventory
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    eprint!("{}", evaluation.summary());
    for (path, _) in &files {
        eprintln!("exstig: wrote {}", path.display());
    }
    Ok(exit_code(&evaluation, args.fail_on))
}

/// 1 when `fail_on` matches an Open rule, else 0.
pub fn exit_code(evaluation: &Evaluation, fail_on: Option<FailOn>) -> i32 {
    let Some(level) = fail_on else {
        return EXIT_OK;
    };
    let failing = evaluation
        .results
        .iter()
        .any(|r| r.status == Status::Open && level.matches(r.severity));
    if failing { EXIT_FINDINGS } else { EXIT_OK }
}

/// Output paths must differ from each other and from the inputs.
fn check_outputs(args: &EvaluateArgs) -> Result<()> {
    let outputs: Vec<&PathBuf> = args
        .ckl
        .iter()
        .chain(args.cklb.iter())
        .chain(args.xccdf.iter())
        .collect();
    for (i, out) in outputs.iter().enumerate() {
        if outputs[..i].contains(out) {
            return Err(Error::Usage(format!(
                "{} is given as two outputs",
                out.display()
            )));
        }
        let inputs = args
            .inventory
            .iter()
            .chain(args.site.iter())
            .chain(args.source.benchmark.iter());
        if inputs.into_iter().any(|p| p == *out) {
            return Err(Error::Usage(format!(
                "{} is both an input and an output",
                out.display()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_levels() {
        assert!(FailOn::Cat1.matches(Some(Severity::High)));
        assert!(!FailOn::Cat1.matches(Some(Severity::Medium)));
        assert!(FailOn::Cat2.matches(Some(Severity::Medium)));
        assert!(!FailOn::Cat2.matches(Some(Severity::Low)));
        assert!(FailOn::Cat3.matches(Some(Severity::Low)));
        assert!(FailOn::Open.matches(Some(Severity::Low)));
    }
}
