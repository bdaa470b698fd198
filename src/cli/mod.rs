//! The command line: argument parsing and dispatch to one module per subcommand.

use crate::benchmark::Benchmark;
use crate::error::{EXIT_ERROR, Error, Result};
use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

// Every subcommand prints through these: text from the inputs (host names, rule IDs, titles,
// file names) reaches the terminal with its control characters escaped (see `crate::term`).
// Defined before the `mod` items, they replace the standard macros in every subcommand file.
macro_rules! eprintln {
    () => { $crate::term::eprint_text("\n") };
    ($($arg:tt)*) => { $crate::term::eprint_text(&format!("{}\n", format_args!($($arg)*))) };
}
macro_rules! eprint {
    ($($arg:tt)*) => { $crate::term::eprint_text(&format!($($arg)*)) };
}
macro_rules! println {
    () => { $crate::term::print_text("\n") };
    ($($arg:tt)*) => { $crate::term::print_text(&format!("{}\n", format_args!($($arg)*))) };
}

pub mod answer;
pub mod batch_args;
pub mod catalog;
pub mod checklist;
pub mod convert;
pub mod diff;
pub mod emass;
pub mod evaluate;
pub mod exception;
pub mod merge;
pub mod poam;
pub mod rules;
pub mod upgrade;
pub mod validate;

pub use crate::evaluate::AssetArgs;

/// exstig: DISA Exchange STIG checklists from Exchange connector exports, offline.
#[derive(Debug, Parser)]
#[command(name = "exstig", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write an empty checklist (every rule Not_Reviewed) for a benchmark, as STIG Viewer's
    /// "create checklist from STIG" does.
    Checklist(checklist::ChecklistArgs),
    /// List the rules of a benchmark with ids, severity, title and how exstig evaluates them.
    Rules(rules::RulesArgs),
    /// Evaluate Exchange exports against a benchmark and write the checklist with findings.
    Evaluate(evaluate::EvaluateArgs),
    /// List or regenerate the embedded benchmark catalog.
    Catalog(catalog::CatalogArgs),
    /// Check CKL, CKLB or XCCDF results files against what STIG Viewer, STIG Manager and eMASS need.
    Validate(validate::ValidateArgs),
    /// Combine checklists of the same asset.
    Merge(merge::MergeArgs),
    /// Convert a checklist between CKL and CKLB.
    Convert(convert::ConvertArgs),
    /// Show what changed between two cycles of a checklist.
    Diff(diff::DiffArgs),
    /// Record documented, approved deviations in the site file.
    Exception(exception::ExceptionArgs),
    /// Write the eMASS POA&M spreadsheet of a fleet's checklists.
    Poam(poam::PoamArgs),
    /// eMASS test results per assessment procedure, and upload through the eMASS REST API.
    Emass(emass::EmassArgs),
    /// Record the site's answers to the rules no export decides (or import Evaluate-STIG's).
    Answer(answer::AnswerArgs),
    /// Carry a checklist's reviews to a new release of its STIG (only where the check text is unchanged).
    Upgrade(upgrade::UpgradeArgs),
}

/// Where the benchmark comes from: a DISA file or the embedded catalog.
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false)]
pub struct BenchmarkSource {
    /// DISA benchmark: the Manual XCCDF (.xml) or DISA's .zip download.
    #[arg(long, value_name = "FILE")]
    pub benchmark: Option<PathBuf>,
    /// A benchmark of the embedded catalog (see `exstig catalog`), e.g. exchange-2019-edge.
    #[arg(long, value_name = "NAME")]
    pub stig: Option<String>,
}

impl BenchmarkSource {
    /// Loads the chosen benchmark.
    pub fn load(&self) -> Result<Benchmark> {
        match (&self.benchmark, &self.stig) {
            (Some(path), _) => crate::benchmark::load(path),
            (None, Some(name)) => crate::catalog::get(name).ok_or_else(|| {
                Error::Usage(format!(
                    "unknown STIG name '{name}'; the catalog has: {}",
                    crate::catalog::names().join(", ")
                ))
            }),
            (None, None) => Err(Error::Usage("give --benchmark FILE or --stig NAME".into())),
        }
    }
}

/// Parses `args` and runs the subcommand; returns the process exit code.
pub fn run<I: IntoIterator<Item = OsString>>(args: I) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Checklist(args) => checklist::run(&args),
        Command::Rules(args) => rules::run(&args),
        Command::Evaluate(args) => evaluate::run(&args),
        Command::Catalog(args) => catalog::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Merge(args) => merge::run(&args),
        Command::Convert(args) => convert::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Exception(args) => exception::run(&args),
        Command::Poam(args) => poam::run(&args),
        Command::Emass(args) => emass::run(&args),
        Command::Upgrade(args) => upgrade::run(&args),
        Command::Answer(args) => answer::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("exstig: error: {}", crate::outcome::shown(&e.to_string()));
            EXIT_ERROR
        }
    }
}
