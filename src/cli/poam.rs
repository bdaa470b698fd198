//! `exstig poam`: the eMASS POA&M spreadsheet of a fleet's checklists (CKL, CKLB, XCCDF
//! results in any mix).

use super::emass::ReviewArgs;
use crate::emass::poam::{self, Layout, PoamOptions};
use crate::error::{EXIT_FINDINGS, EXIT_OK, Error, Result};
use crate::site::Site;
use std::path::{Path, PathBuf};

/// Arguments of `exstig poam`.
#[derive(Debug, clap::Args)]
pub struct PoamArgs {
    /// The checklists and what they map to.
    #[command(flatten)]
    pub review: ReviewArgs,
    /// The POA&M workbook to write (.xlsx).
    #[arg(short, long, value_name = "POAM.xlsx")]
    pub output: PathBuf,
    /// The eMASS template layout: 2025 (26 columns, Devices Affected) or 2018 (22 columns).
    #[arg(long, value_enum, default_value = "2025")]
    pub layout: Layout,
    /// Site file: the [poam] table (header block, Office/Org, risk and milestone defaults) and
    /// the [[exception]] entries (an approved open exception makes an item Risk Accepted).
    #[arg(long, value_name = "site.toml")]
    pub site: Option<PathBuf>,
    /// Also write Not_Applicable rules, as items with status Not Applicable.
    #[arg(long)]
    pub include_na: bool,
    /// One item per host instead of one per weakness.
    #[arg(long)]
    pub per_host: bool,
}

/// Runs `exstig poam`.
pub fn run(args: &PoamArgs) -> Result<i32> {
    let site = match &args.site {
        Some(path) => Site::load(path)?,
        None => Site::default(),
    };
    let code = write_poam(
        &args.review,
        &args.output,
        args.layout,
        &site,
        args.include_na,
        args.per_host,
    )?;
    Ok(code)
}

/// Reads the checklists, builds the POA&M and writes it atomically to `output`; warnings go
/// to stderr. Returns EXIT_FINDINGS when a warning made the POA&M partial (CCIs without AP).
pub fn write_poam(
    review: &ReviewArgs,
    output: &Path,
    layout: Layout,
    site: &Site,
    include_na: bool,
    per_host: bool,
) -> Result<i32> {
    check_xlsx_path(output)?;
    let inputs: Vec<&Path> = review
        .checklists
        .iter()
        .map(PathBuf::as_path)
        .chain(review.cci_list.as_deref())
        .chain(site.path.as_deref())
        .collect();
    crate::fsio::check_outputs(
        &[output],
        &inputs,
        crate::fsio::WriteOptions::default(),
        false,
    )?;
    let (table, notes) = review.table()?;
    let fleet = review.fleet()?;
    let date = review.date()?;
    let options = PoamOptions {
        table: &table,
        revision: review.nist_rev,
        settings: site.poam.clone(),
        exceptions: site.exception.clone(),
        site_name: site.display_name(),
        date,
        include_na,
        per_host,
    };
    let built = poam::build(&fleet, &options)?;
    let bytes = poam::to_xlsx(&built, layout, &site.poam, &fleet.markings, date)?;
    crate::fsio::write_atomic(output, &bytes)?;
    for note in notes.iter().chain(&built.warnings) {
        eprintln!("warning: {note}");
    }
    eprintln!(
        "{}: {} POA&M item{} from {} host{}",
        output.display(),
        built.items.len(),
        if built.items.len() == 1 { "" } else { "s" },
        fleet.hosts.len(),
        if fleet.hosts.len() == 1 { "" } else { "s" }
    );
    Ok(if built.partial {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// `evaluate --poam FILE` and batch `--poam FILE`: the POA&M (2025 layout, rev 5, embedded CCI
/// table, today) of the checklists just written, with the evaluation's site file. Warnings go
/// to stderr; the evaluation's exit code stands.
pub fn after_evaluate(checklists: Vec<PathBuf>, output: &Path, site: Option<&Path>) -> Result<()> {
    let site = match site {
        Some(path) => Site::load(path)?,
        None => Site::default(),
    };
    let review = ReviewArgs {
        checklists,
        nist_rev: crate::cci::Revision::default(),
        cci_list: None,
        date: None,
    };
    write_poam(&review, output, Layout::default(), &site, false, false)?;
    Ok(())
}

/// Refuses an output that is not `.xlsx`, is a folder, or sits in a folder that does not exist
/// (checked before anything is read or written, so nothing is half-written).
pub fn check_xlsx_path(output: &Path) -> Result<()> {
    let is_xlsx = output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if !is_xlsx {
        return Err(Error::Usage(format!(
            "{}: the POA&M is an Excel workbook; name it .xlsx",
            output.display()
        )));
    }
    crate::fsio::check_output(output, crate::fsio::WriteOptions::default(), false)?;
    Ok(())
}
