//! `exstig exception add`: records a documented, approved deviation in the site file, with the
//! digest of the rule's current check text so the exception lapses when DISA changes the check.
//!
//! The entry is appended as text (the rest of the file, comments included, stays as written),
//! the whole file is parsed again before anything is written, and the write is atomic.

use super::BenchmarkSource;
use crate::error::{EXIT_OK, Error, Result};
use crate::site::ExceptionStatus;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Arguments of `exstig exception`.
#[derive(Debug, Args)]
pub struct ExceptionArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Append an [[exception]] to the site file (created when missing).
    Add(AddArgs),
}

/// Arguments of `exstig exception add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The site file (TOML) to append to.
    #[arg(long, value_name = "FILE")]
    pub site: PathBuf,
    /// The benchmark the rule comes from (its check text is hashed into the entry).
    #[command(flatten)]
    pub source: BenchmarkSource,
    /// STIG ID, Vuln ID (V-...) or Rule ID (SV-..., revision optional).
    #[arg(long, value_name = "ID")]
    pub rule: String,
    /// The status the exception gives.
    #[arg(long, value_parser = ["not_a_finding", "not_applicable", "open"])]
    pub status: String,
    /// Why (the EDSP reference and the approval).
    #[arg(long, value_name = "TEXT")]
    pub justification: String,
    /// Only these connectors (glob on Identity or Name, case-insensitive).
    #[arg(long, value_name = "GLOB")]
    pub connector: Option<String>,
    /// Who approved it (ISSM, AO ...).
    #[arg(long, value_name = "WHO")]
    pub approved_by: Option<String>,
    /// Last day the exception holds (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub expires: Option<chrono::NaiveDate>,
    /// Rewrite a read-only site file too (it stays read-only); without it it is refused.
    #[arg(long)]
    pub force: bool,
}

/// Runs `exstig exception`.
pub fn run(args: &ExceptionArgs) -> Result<i32> {
    match &args.action {
        Action::Add(add) => run_add(add),
    }
}

fn run_add(args: &AddArgs) -> Result<i32> {
    let write = crate::fsio::WriteOptions { force: args.force };
    crate::fsio::check_output(&args.site, write, false)?;
    let benchmark = args.source.load()?;
    let rule = benchmark.find_rule(&args.rule).ok_or_else(|| {
        Error::Usage(format!(
            "rule '{}' is not in {} {} (give a STIG ID, V- or SV- id; `exstig rules` lists them)",
            args.rule,
            benchmark.id,
            benchmark.revision()
        ))
    })?;
    let status = match args.status.as_str() {
        "not_a_finding" => ExceptionStatus::NotAFinding,
        "not_applicable" => ExceptionStatus::NotApplicable,
        _ => ExceptionStatus::Open,
    };
    if let Some(why) = crate::checks::bind(&benchmark, rule)
        .and_then(|binding| crate::evaluate::exception_refusal(&binding, status))
    {
        return Err(Error::Usage(format!(
            "{} ({}): exception refused: {why}",
            rule.stig_id, rule.rule_id
        )));
    }
    if args.justification.trim().is_empty() {
        return Err(Error::Usage("--justification must not be empty".into()));
    }
    let entry = entry_text(args, &rule.stig_id, &rule.title, &rule.check_digest);
    crate::site::append_entries(&args.site, &entry, write)?;
    eprintln!(
        "exstig: added an exception for {} ({}) to {}; it lapses if the check text changes (check_digest {}){}",
        rule.stig_id,
        rule.rule_id,
        args.site.display(),
        rule.check_digest,
        args.expires
            .map(|d| format!(" or after {d}"))
            .unwrap_or_default()
    );
    Ok(EXIT_OK)
}

/// The TOML text of the new entry.
fn entry_text(args: &AddArgs, stig_id: &str, title: &str, digest: &str) -> String {
    let mut out = format!("\n# {stig_id}: {}\n[[exception]]\n", one_line(title));
    out.push_str(&format!("rule = {}\n", quote(stig_id)));
    if let Some(glob) = &args.connector {
        out.push_str(&format!("connector = {}\n", quote(glob)));
    }
    out.push_str(&format!("status = {}\n", quote(&args.status)));
    out.push_str(&format!("justification = {}\n", quote(&args.justification)));
    if let Some(who) = &args.approved_by {
        out.push_str(&format!("approved_by = {}\n", quote(who)));
    }
    if let Some(date) = args.expires {
        out.push_str(&format!("expires = \"{date}\"\n"));
    }
    if !digest.is_empty() {
        out.push_str(&format!("check_digest = \"{digest}\"\n"));
    }
    out
}

use crate::site::{one_line, toml_string as quote};
