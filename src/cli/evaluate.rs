//! `exstig evaluate`: read the inventory exports, evaluate them against a benchmark (DISA file
//! or embedded catalog) with the site file's scopes, values and exceptions, and write the CKL
//! (and optionally CKLB and XCCDF results) together, atomically, only when everything succeeded.

use super::{AssetArgs, BenchmarkSource};
use crate::checklist::{Status, cklb};
use crate::error::{EXIT_FINDINGS, EXIT_OK, Error, Result};
pub use crate::evaluate::FailOn;
use crate::evaluate::{Evaluation, asset_from, evaluate};
use crate::merge::{MergePolicy, Precedence};
use crate::outcome::shown;
use crate::site::Site;
use std::path::{Path, PathBuf};

/// Arguments of `exstig evaluate`.
#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    /// Inventory files: ConvertTo-Json, Export-Clixml, Export-Csv or Format-List exports, or
    /// inventory bundles (the format is detected from the content).
    #[arg(required_unless_present = "inventory_dir", value_name = "INVENTORY")]
    pub inventory: Vec<PathBuf>,
    /// The benchmark.
    #[command(flatten)]
    pub source: BenchmarkSource,
    /// Read every INVENTORY file as this format instead of detecting it from the content.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<crate::inventory::InputFormat>,
    /// Site file (TOML): connector scopes, EDSP values, exceptions, asset defaults.
    #[arg(long, value_name = "FILE")]
    pub site: Option<PathBuf>,
    /// Where to write the CKL checklist.
    #[arg(
        long,
        value_name = "OUT.ckl",
        required_unless_present_any = ["inventory_dir", "in_place"]
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
    /// Merging into a checklist people already keep.
    #[command(flatten)]
    pub merge: MergeIntoArgs,
    /// Also write the eMASS POA&M of the result (2025 layout; `exstig poam` has every option);
    /// in batch mode one POA&M for the whole fleet.
    #[arg(long, value_name = "POAM.xlsx")]
    pub poam: Option<PathBuf>,
    /// Batch mode (a folder of inventories, one set of checklists per server).
    #[command(flatten)]
    pub batch: Box<super::batch_args::BatchArgs>,
    /// Write even when the inventory contradicts the STIG (another Exchange role or release; in
    /// batch mode that server fails otherwise) or --merge-into names a checklist of another host
    /// (or of no host and no STIG of this product); and replace read-only output files too (they
    /// stay read-only; without --force they are refused).
    #[arg(long)]
    pub force: bool,
}

/// `--merge-into`: bring the results into an existing checklist instead of a fresh one.
#[derive(Debug, Clone, clap::Args)]
pub struct MergeIntoArgs {
    /// An existing checklist (.ckl or .cklb) to merge the results into: rules are matched by
    /// Rule ID (then STIG ID across releases), only evaluated rules are touched, and human
    /// reviews, comments, overrides and other STIGs are kept. Written to --ckl/--cklb, or back
    /// to itself with --in-place.
    #[arg(long, value_name = "EXISTING")]
    pub merge_into: Option<PathBuf>,
    /// With --merge-into: write the merged checklist back to EXISTING (the original is kept as
    /// EXISTING.bak, or EXISTING.1.bak ... when that exists: a backup is never overwritten).
    #[arg(long, requires = "merge_into")]
    pub in_place: bool,
    /// With --merge-into: let automatic results replace a human's NotAFinding / Not_Applicable
    /// that carries a comment (otherwise such a disagreement is reported and the human wins).
    #[arg(long, requires = "merge_into")]
    pub overwrite_manual: bool,
    /// With --merge-into: which result wins when both have one.
    #[arg(long, value_enum, requires = "merge_into", default_value_t = Precedence::Newest)]
    pub policy: Precedence,
    /// With --merge-into: also write the merge report (before, after, why per rule): as text when
    /// FILE ends in .txt, else as JSON.
    #[arg(long, value_name = "FILE", requires = "merge_into")]
    pub report: Option<PathBuf>,
}

/// Runs `exstig evaluate`.
pub fn run(args: &EvaluateArgs) -> Result<i32> {
    if args.batch.is_batch() {
        if !args.inventory.is_empty()
            || args.merge.merge_into.is_some()
            || args.ckl.is_some()
            || args.cklb.is_some()
            || args.xccdf.is_some()
        {
            return Err(Error::Usage(
                "batch mode (--inventory-dir) reads its folder and writes to --out-dir: drop the INVENTORY files and --ckl/--cklb/--xccdf".into(),
            ));
        }
        if let Some(poam) = &args.poam {
            super::poam::check_xlsx_path(poam)?;
        }
        return super::batch_args::run_batch_with_poam(
            &args.batch,
            &args.source,
            args.site.as_deref(),
            &args.asset,
            args.fail_on,
            write_options(args),
            args.poam.as_deref(),
        );
    }
    if args.inventory.is_empty() || (args.ckl.is_none() && !args.merge.in_place) {
        return Err(Error::Usage(
            "give the INVENTORY files and --ckl OUT.ckl".into(),
        ));
    }
    check_outputs(args)?;
    if let Some(poam) = &args.poam {
        super::poam::check_xlsx_path(poam)?;
    }
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
    let inventory = crate::inventory::read_files_as(&args.inventory, args.input_format)?;
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
    if !args.force {
        crate::guard::check_stig_fits(&benchmark, &inventory, Some(&asset.host_name))?;
    }
    let evaluation = evaluate(&benchmark, &inventory, &site, asset);
    let end = chrono::Utc::now();
    let merged = match &args.merge.merge_into {
        Some(existing) => {
            let policy = MergePolicy {
                precedence: args.merge.policy,
                overwrite_manual: args.merge.overwrite_manual,
            };
            let mut checklist = crate::merge::read_checklist(existing)?;
            if !args.force {
                crate::guard::check_merge_target(
                    existing,
                    &checklist,
                    &evaluation.checklist,
                    &args.inventory[0],
                )?;
            }
            let report = crate::merge::merge_into(&mut checklist, &evaluation.checklist, &policy);
            Some((checklist, report))
        }
        None => None,
    };
    let checklist = merged.as_ref().map_or(&evaluation.checklist, |(c, _)| c);
    let mut files: Vec<(&Path, Vec<u8>)> = Vec::new();
    if let Some(path) = &args.ckl {
        files.push((path, crate::merge::render_checklist(path, checklist)?));
    }
    if let Some(path) = &args.cklb {
        files.push((path, cklb::write(checklist)?.into_bytes()));
    }
    if let Some(path) = &args.xccdf {
        let run = crate::xccdf::RunInfo { start, end };
        files.push((
            path.as_path(),
            crate::xccdf::write_results(&benchmark, checklist, &run).into_bytes(),
        ));
    }
    if let (Some(existing), true) = (&args.merge.merge_into, args.merge.in_place) {
        files.push((
            existing,
            crate::merge::render_checklist(existing, checklist)?,
        ));
    }
    if let (Some(path), Some((_, report))) = (&args.merge.report, &merged) {
        files.push((path, report.render_for(path).into_bytes()));
    }
    for (path, _) in &files {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
    }
    let backup = match (&args.merge.merge_into, args.merge.in_place) {
        (Some(existing), true) => Some(crate::merge::write_backup(existing)?),
        _ => None,
    };
    crate::fsio::write_all_atomic_with(&files, write_options(args))?;
    for long in crate::checklist::overlong_texts(checklist) {
        eprintln!("exstig: warning: {long}");
    }
    for skipped in &inventory.skipped {
        eprintln!("exstig: skipped {}", shown(skipped));
    }
    eprintln!(
        "exstig: {} {} against {} ({})",
        shown(&benchmark.id),
        shown(&benchmark.revision()),
        shown(&evaluation.checklist.asset.host_name),
        shown(
            &args
                .inventory
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    );
    if !args.batch.quiet {
        eprint!("{}", shown(&evaluation.summary()));
        let outcome = crate::outcome::Outcome {
            evaluation: &evaluation,
            inventory: &inventory,
            site: &site,
            host: &evaluation.checklist.asset.host_name,
            role: inventory
                .host
                .role
                .or_else(|| crate::checks::benchmark_role(&benchmark)),
        };
        eprint!("{}", outcome.report());
    } else {
        for warning in &evaluation.warnings {
            eprintln!("exstig: warning: {}", shown(warning));
        }
    }
    if let Some((_, report)) = &merged
        && !args.batch.quiet
    {
        eprint!("{}", shown(&report.to_text()));
    }
    if let Some(backup) = &backup {
        eprintln!("exstig: kept the original as {}", backup.display());
    }
    for (path, _) in &files {
        eprintln!("exstig: wrote {}", shown(&path.display().to_string()));
    }
    if let Some(poam) = &args.poam {
        let written = args.ckl.clone().or_else(|| {
            args.merge
                .merge_into
                .clone()
                .filter(|_| args.merge.in_place)
        });
        super::poam::after_evaluate(written.into_iter().collect(), poam, args.site.as_deref())?;
    }
    Ok(exit_code(&evaluation, args.fail_on))
}

/// `--force`: read-only outputs are replaced too.
fn write_options(args: &EvaluateArgs) -> crate::fsio::WriteOptions {
    crate::fsio::WriteOptions { force: args.force }
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

/// Output paths must be writable, differ from each other and from the inputs (as files: a
/// symbolic link to an input is that input); with `--in-place` the existing checklist is an
/// output too (and only there may it be one).
fn check_outputs(args: &EvaluateArgs) -> Result<()> {
    let outputs: Vec<&Path> = args
        .ckl
        .iter()
        .chain(args.cklb.iter())
        .chain(args.xccdf.iter())
        .chain(args.merge.report.iter())
        .map(PathBuf::as_path)
        .collect();
    let inputs: Vec<&Path> = args
        .inventory
        .iter()
        .chain(args.site.iter())
        .chain(args.source.benchmark.iter())
        .chain(args.merge.merge_into.iter())
        .map(PathBuf::as_path)
        .collect();
    crate::fsio::check_outputs(&outputs, &inputs, write_options(args), true)?;
    if let (Some(existing), true) = (&args.merge.merge_into, args.merge.in_place) {
        crate::fsio::check_output(existing, write_options(args), false)?;
    }
    for (option, path) in [
        ("--ckl", &args.ckl),
        ("--cklb", &args.cklb),
        ("--xccdf", &args.xccdf),
    ] {
        if let Some(path) = path {
            crate::guard::check_extension(option, path)?;
        }
    }
    Ok(())
}
