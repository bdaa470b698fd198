//! `exstig answer add` and `exstig answer import`: write `[[answer]]` entries into the site file
//! (appended as text, the rest of the file kept as written, the whole file parsed again before
//! the atomic write), each with the digest of the rule's current check text so the answer
//! lapses when DISA changes the check. See [`crate::answers`] for how answers apply.

use super::BenchmarkSource;
use crate::answers::{NewAnswer, entry_text, parse_status};
use crate::error::{EXIT_OK, Error, Result};
use crate::site::AnswerStatus;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Arguments of `exstig answer`.
#[derive(Debug, Args)]
pub struct AnswerArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Append an [[answer]] to the site file (created when missing).
    Add(AddArgs),
    /// Convert an Evaluate-STIG answer file into [[answer]] entries of the site file.
    Import(ImportArgs),
}

/// The statuses an answer may give or expect.
const STATUSES: [&str; 4] = ["not_a_finding", "not_applicable", "open", "not_reviewed"];

/// Arguments of `exstig answer add`.
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
    /// The status the answer gives.
    #[arg(long, value_parser = STATUSES)]
    pub status: String,
    /// The answer's text (becomes the rule's COMMENTS).
    #[arg(long, value_name = "TEXT")]
    pub comment: String,
    /// Only these servers (host-name glob, case-insensitive; repeatable).
    #[arg(long = "host", value_name = "GLOB")]
    pub hosts: Vec<String>,
    /// Who answered.
    #[arg(long, value_name = "WHO")]
    pub answered_by: Option<String>,
    /// Last day the answer holds (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub expires: Option<chrono::NaiveDate>,
    /// The automatic status the answer may replace (default not_reviewed: it never hides a
    /// result exstig computed).
    #[arg(long, value_parser = STATUSES, value_name = "STATUS")]
    pub when_automatic: Option<String>,
    /// Rewrite a read-only site file too (it stays read-only); without it it is refused.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `exstig answer import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The Evaluate-STIG answer file (XML, <STIGComments>).
    #[arg(value_name = "ANSWERFILE")]
    pub answer_file: PathBuf,
    /// The site file (TOML) to append to.
    #[arg(long, value_name = "FILE")]
    pub site: PathBuf,
    /// The benchmark the answers are for (rule ids are checked, check digests recorded).
    #[command(flatten)]
    pub source: BenchmarkSource,
    /// The AnswerKey(s) to import (default DEFAULT; repeatable).
    #[arg(long = "key", value_name = "NAME", default_value = "DEFAULT")]
    pub keys: Vec<String>,
    /// Rewrite a read-only site file too (it stays read-only); without it it is refused.
    #[arg(long)]
    pub force: bool,
}

/// Runs `exstig answer`.
pub fn run(args: &AnswerArgs) -> Result<i32> {
    match &args.action {
        Action::Add(add) => run_add(add),
        Action::Import(import) => run_import(import),
    }
}

fn status_arg(text: &str) -> Result<AnswerStatus> {
    parse_status(text).ok_or_else(|| Error::Usage(format!("'{text}' is not a status")))
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
    if args.comment.trim().is_empty() {
        return Err(Error::Usage("--comment must not be empty".into()));
    }
    let answer = NewAnswer {
        rule: rule.stig_id.clone(),
        title: rule.title.clone(),
        hosts: args.hosts.clone(),
        status: status_arg(&args.status)?,
        comment: args.comment.clone(),
        answered_by: args.answered_by.clone(),
        expires: args.expires,
        check_digest: rule.check_digest.clone(),
        when_automatic: args.when_automatic.as_deref().map(status_arg).transpose()?,
        notes: Vec::new(),
    };
    crate::site::append_entries(&args.site, &entry_text(&answer), write)?;
    eprintln!(
        "exstig: added an answer for {} ({}) to {}; it applies when exstig's own status is {} and lapses if the check text changes (check_digest {}){}",
        rule.stig_id,
        rule.rule_id,
        args.site.display(),
        answer
            .when_automatic
            .unwrap_or(AnswerStatus::NotReviewed)
            .status()
            .ckl(),
        rule.check_digest,
        args.expires
            .map(|d| format!(" or after {d}"))
            .unwrap_or_default()
    );
    Ok(EXIT_OK)
}

fn run_import(args: &ImportArgs) -> Result<i32> {
    let write = crate::fsio::WriteOptions { force: args.force };
    crate::fsio::check_outputs(&[&args.site], &[&args.answer_file], write, false)?;
    let benchmark = args.source.load()?;
    let text = crate::fsio::read_text(&args.answer_file)?;
    let report = crate::answers::import(&args.answer_file, &text, &benchmark, &args.keys)?;
    let entries = report.toml();
    if !entries.is_empty() {
        let header = format!(
            "\n# Imported by exstig {} from the Evaluate-STIG answer file {} ({})\n",
            crate::VERSION,
            args.answer_file.display(),
            report.stig_name
        );
        crate::site::append_entries(&args.site, &format!("{header}{entries}"), write)?;
    }
    eprint!("{}", report.to_text());
    if report.imported() > 0 {
        eprintln!("wrote {}", args.site.display());
    } else {
        eprintln!("nothing imported; {} unchanged", args.site.display());
    }
    Ok(EXIT_OK)
}
