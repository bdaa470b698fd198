//! The batch-mode options of `exstig evaluate` (`--inventory-dir DIR --out-dir OUT ...`) and
//! their runner: evaluates a whole fleet with [`crate::batch`], prints failures and the table
//! per server and CAT on stderr, and writes the `--summary` files.
//!
//! `EvaluateArgs` flattens [`BatchArgs`] and calls [`run_batch`] when `--inventory-dir` is given.

use super::{AssetArgs, BenchmarkSource};
use crate::batch::{BatchOptions, BenchmarkChoice, OutputFormat};
use crate::cli::evaluate::FailOn;
use crate::error::{Error, Result};
use crate::merge::MergePolicy;
use crate::summary::SummaryFormat;
use std::path::{Path, PathBuf};

/// Batch mode: one set of checklists per server of a folder of inventories.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BatchArgs {
    /// Batch mode: evaluate every server whose exports are in DIR (files grouped by host name;
    /// files naming no server go to the server that starts their file name or folder, else to
    /// every server). Writes OUT/<host>_<benchmark id>_V<v>R<r>.ckl|.cklb|.xml per server.
    /// Exit 0 all written, 1 --fail-on matched, 3 some servers failed (others written), 2 none.
    #[arg(long, value_name = "DIR", requires = "out_dir")]
    pub inventory_dir: Option<PathBuf>,
    /// Batch mode: a folder of DISA benchmarks (.xml, .zip); each server gets the newest release
    /// written for its role (Edge or Mailbox). `--stig exchange-2019` does the same with the catalog.
    #[arg(
        long,
        value_name = "DIR",
        group = "BenchmarkSource",
        requires = "inventory_dir"
    )]
    pub benchmark_dir: Option<PathBuf>,
    /// Batch mode: the folder the checklists go to (created when missing).
    #[arg(long, value_name = "OUT", requires = "inventory_dir")]
    pub out_dir: Option<PathBuf>,
    /// Batch mode: files to write per server, comma-separated (default ckl).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        value_name = "ckl,cklb,xccdf",
        requires = "inventory_dir"
    )]
    pub format: Vec<OutputFormat>,
    /// Batch mode: the previous run's output folder; each server's results are merged into its
    /// previous checklist there (human reviews kept), which may be OUT itself.
    #[arg(long, value_name = "PREVIOUS", requires = "inventory_dir")]
    pub merge_dir: Option<PathBuf>,
    /// Batch mode: the previous cycle's output folder, for the summary's "since the previous
    /// cycle" (newly Open, fixed, still Open); without it --merge-dir serves.
    #[arg(long, value_name = "DIR", requires = "inventory_dir")]
    pub previous: Option<PathBuf>,
    /// Batch mode: with --merge-dir, upgrade a previous checklist of an older STIG release to
    /// the benchmark's first (reviews carried only where the check text is unchanged, as
    /// `exstig upgrade` does); without it the merged checklist keeps its older release.
    #[arg(long, requires = "merge_dir")]
    pub upgrade: bool,
    /// Batch mode: also write a summary, HTML (self-contained) or CSV by extension; repeatable.
    #[arg(long, value_name = "FILE.html|FILE.csv", requires = "inventory_dir")]
    pub summary: Vec<PathBuf>,
    /// Batch mode: worker threads (default: all cores); each holds one checklist at a time.
    #[arg(long, value_name = "N", requires = "inventory_dir")]
    pub jobs: Option<usize>,
    /// No progress bar, no table and no report of what is missing on stderr (failures, warnings
    /// and the files written are still reported); applies to a single evaluation too.
    #[arg(long)]
    pub quiet: bool,
}

impl BatchArgs {
    /// Whether batch mode was asked for.
    pub fn is_batch(&self) -> bool {
        self.inventory_dir.is_some()
    }

    /// The library options for these arguments.
    pub fn options(
        &self,
        source: &BenchmarkSource,
        site: Option<&Path>,
        asset: &AssetArgs,
    ) -> Result<BatchOptions> {
        let inventory_dir = self
            .inventory_dir
            .clone()
            .ok_or_else(|| Error::Usage("batch mode needs --inventory-dir DIR".into()))?;
        let out_dir = self
            .out_dir
            .clone()
            .ok_or_else(|| Error::Usage("batch mode needs --out-dir OUT".into()))?;
        let benchmarks = match (&self.benchmark_dir, &source.benchmark, &source.stig) {
            (Some(dir), None, None) => BenchmarkChoice::Dir(dir.clone()),
            (None, Some(file), None) => BenchmarkChoice::File(file.clone()),
            (None, None, Some(name)) => BenchmarkChoice::Catalog(name.clone()),
            _ => {
                return Err(Error::Usage(
                    "give exactly one of --benchmark FILE, --stig NAME, --benchmark-dir DIR".into(),
                ));
            }
        };
        for path in &self.summary {
            SummaryFormat::of_path(path)?;
        }
        let mut formats = self.format.clone();
        formats.sort();
        formats.dedup();
        if formats.is_empty() {
            formats.push(OutputFormat::Ckl);
        }
        Ok(BatchOptions {
            inventory_dir,
            benchmarks,
            out_dir,
            formats,
            merge_dir: self.merge_dir.clone(),
            upgrade: self.upgrade,
            previous_dir: self.previous.clone(),
            site: site.map(Path::to_path_buf),
            asset: asset.clone(),
            policy: MergePolicy::default(),
            jobs: self.jobs,
            progress: !self.quiet,
            open_details: self
                .summary
                .iter()
                .any(|p| SummaryFormat::of_path(p).ok() == Some(SummaryFormat::Html)),
            write: crate::fsio::WriteOptions::default(),
        })
    }
}

/// Runs batch mode and returns the exit code (see [`crate::batch`]): prints failures, warnings
/// and per-server notes on stderr, the table per server and CAT unless `--quiet`, and writes
/// the `--summary` files.
pub fn run_batch(
    args: &BatchArgs,
    source: &BenchmarkSource,
    site: Option<&Path>,
    asset: &AssetArgs,
    fail_on: Option<FailOn>,
) -> Result<i32> {
    run_batch_with(args, source, site, asset, fail_on, Default::default())
}

/// [`run_batch`] with `write` (`--force`: read-only outputs replaced too).
pub fn run_batch_with(
    args: &BatchArgs,
    source: &BenchmarkSource,
    site: Option<&Path>,
    asset: &AssetArgs,
    fail_on: Option<FailOn>,
    write: crate::fsio::WriteOptions,
) -> Result<i32> {
    run_batch_with_poam(args, source, site, asset, fail_on, write, None)
}

/// [`run_batch_with`], then (with `poam`) one eMASS POA&M of the whole fleet's checklists.
pub fn run_batch_with_poam(
    args: &BatchArgs,
    source: &BenchmarkSource,
    site: Option<&Path>,
    asset: &AssetArgs,
    fail_on: Option<FailOn>,
    write: crate::fsio::WriteOptions,
    poam: Option<&Path>,
) -> Result<i32> {
    let mut opts = args.options(source, site, asset)?;
    opts.write = write;
    // Every output path is checked before the work starts: a bad --summary must not end the
    // run with exit 2 after the checklists were written.
    for (i, path) in args.summary.iter().enumerate() {
        crate::fsio::check_output(path, write, false)?;
        if inside(path, &opts.inventory_dir) && !inside(path, &opts.out_dir) {
            return Err(Error::Usage(format!(
                "--summary {} is inside the inventory folder {}: it could replace an export and the next run would read it as one; put it elsewhere (the --out-dir is fine)",
                path.display(),
                opts.inventory_dir.display()
            )));
        }
        if args.summary[..i].iter().any(|p| p == path) {
            return Err(Error::Usage(format!(
                "--summary {} is given twice",
                path.display()
            )));
        }
    }
    let report = crate::batch::run(&opts)?;
    for warning in &report.warnings {
        eprintln!("exstig: warning: {warning}");
    }
    if !args.quiet {
        for server in &report.servers {
            for note in &server.notes {
                eprintln!("exstig: {}: {note}", server.host);
            }
        }
    }
    for failure in &report.failures {
        eprintln!("exstig: FAILED {}: {}", failure.server, failure.message);
    }
    let fleet = report.fleet();
    if !args.quiet {
        eprint!("{}", crate::summary::text(&fleet));
    }
    for path in &args.summary {
        crate::summary::write(&fleet, path, write)?;
        if !args.quiet {
            eprintln!("exstig: wrote {}", path.display());
        }
    }
    if let Some(poam) = poam {
        // One checklist per server: its CKL, else CKLB, else XCCDF results.
        let checklists: Vec<PathBuf> = report
            .servers
            .iter()
            .filter_map(|s| {
                ["ckl", "cklb", "xml"].iter().find_map(|ext| {
                    s.outputs
                        .iter()
                        .find(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext)))
                        .cloned()
                })
            })
            .collect();
        if !checklists.is_empty() {
            super::poam::after_evaluate(checklists, poam, site)?;
        }
    }
    Ok(report.exit_code(fail_on))
}

/// Whether the file `path` (existing or not) lies in `folder` or below it.
fn inside(path: &Path, folder: &Path) -> bool {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (parent.canonicalize(), folder.canonicalize()) {
        (Ok(parent), Ok(folder)) => parent.starts_with(folder),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// The shape `exstig evaluate` has once it flattens the batch options.
    #[derive(Debug, Parser)]
    struct Evaluate {
        #[command(flatten)]
        source: BenchmarkSource,
        #[command(flatten)]
        batch: BatchArgs,
    }

    fn parse(args: &[&str]) -> std::result::Result<Evaluate, clap::Error> {
        Evaluate::try_parse_from(std::iter::once("evaluate").chain(args.iter().copied()))
    }

    #[test]
    fn benchmark_dir_is_a_benchmark_source() {
        let e = parse(&[
            "--inventory-dir",
            "i",
            "--out-dir",
            "o",
            "--benchmark-dir",
            "b",
        ])
        .unwrap();
        let opts = e
            .batch
            .options(&e.source, None, &AssetArgs::default())
            .unwrap();
        assert_eq!(opts.benchmarks, BenchmarkChoice::Dir("b".into()));
        assert_eq!(opts.formats, [OutputFormat::Ckl]);
        assert!(parse(&["--inventory-dir", "i", "--out-dir", "o"]).is_err());
        assert!(
            parse(&[
                "--inventory-dir",
                "i",
                "--out-dir",
                "o",
                "--benchmark-dir",
                "b",
                "--stig",
                "x"
            ])
            .is_err()
        );
    }

    #[test]
    fn batch_options_need_the_inventory_dir_and_out_dir() {
        assert!(parse(&["--stig", "x", "--out-dir", "o"]).is_err());
        assert!(parse(&["--stig", "x", "--inventory-dir", "i"]).is_err());
        let e = parse(&[
            "--stig",
            "exchange-2019",
            "--inventory-dir",
            "i",
            "--out-dir",
            "o",
            "--format",
            "xccdf,ckl,cklb,ckl",
            "--summary",
            "s.html",
            "--summary",
            "s.csv",
        ])
        .unwrap();
        let opts = e
            .batch
            .options(&e.source, None, &AssetArgs::default())
            .unwrap();
        assert_eq!(
            opts.formats,
            [OutputFormat::Ckl, OutputFormat::Cklb, OutputFormat::Xccdf]
        );
        assert_eq!(
            opts.benchmarks,
            BenchmarkChoice::Catalog("exchange-2019".into())
        );
        let bad = parse(&[
            "--stig",
            "x",
            "--inventory-dir",
            "i",
            "--out-dir",
            "o",
            "--summary",
            "s.pdf",
        ])
        .unwrap();
        assert!(
            bad.batch
                .options(&bad.source, None, &AssetArgs::default())
                .is_err()
        );
    }
}
