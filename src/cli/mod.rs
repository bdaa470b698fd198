//! The command line: argument parsing and dispatch to one module per subcommand.

use crate::benchmark::Benchmark;
use crate::checklist::{Asset, ROLES};
use crate::error::{EXIT_ERROR, Error, Result};
use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

pub mod answer;
pub mod batch_args;
pub mod catalog;
pub mod checklist;
pub mod convert;
pub mod diff;
pub mod evaluate;
pub mod exception;
pub mod merge;
pub mod rules;
pub mod upgrade;
pub mod validate;

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

/// The checklist ASSET facts a user can give on the command line.
#[derive(Debug, Clone, Default, Args)]
pub struct AssetArgs {
    /// HOST_NAME of the checklist (STIG Manager requires one).
    #[arg(long, value_name = "NAME")]
    pub host_name: Option<String>,
    /// HOST_FQDN.
    #[arg(long, value_name = "FQDN")]
    pub fqdn: Option<String>,
    /// HOST_IP (one address or a comma-separated list).
    #[arg(long, value_name = "ADDRESS")]
    pub ip: Option<String>,
    /// HOST_MAC.
    #[arg(long, value_name = "MAC")]
    pub mac: Option<String>,
    /// ROLE: None, Workstation, Member Server (default) or Domain Controller.
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// MARKING (default CUI).
    #[arg(long, value_name = "MARKING")]
    pub marking: Option<String>,
    /// TECH_AREA (default Exchange Server).
    #[arg(long, value_name = "AREA")]
    pub tech_area: Option<String>,
}

impl AssetArgs {
    /// Applies the given options over `asset`, checking ROLE against the CKL schema.
    pub fn apply(&self, asset: &mut Asset) -> Result<()> {
        let set = |field: &mut String, value: &Option<String>| {
            if let Some(v) = value {
                *field = v.trim().to_string();
            }
        };
        set(&mut asset.host_name, &self.host_name);
        set(&mut asset.host_fqdn, &self.fqdn);
        set(&mut asset.host_ip, &self.ip);
        set(&mut asset.host_mac, &self.mac);
        set(&mut asset.marking, &self.marking);
        set(&mut asset.tech_area, &self.tech_area);
        if let Some(role) = &self.role {
            asset.role = ROLES
                .iter()
                .find(|r| r.eq_ignore_ascii_case(role.trim()))
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--role '{role}' is not one of: {}",
                        ROLES.join(", ")
                    ))
                })?
                .to_string();
        }
        Ok(())
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
        Command::Upgrade(args) => upgrade::run(&args),
        Command::Answer(args) => answer::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("exstig: error: {e}");
            EXIT_ERROR
        }
    }
}
