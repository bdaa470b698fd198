//! `exstig catalog`: lists the embedded benchmarks, or regenerates the catalog files from DISA's
//! benchmark files (`exstig catalog build --from DIR --out catalog/`).

use crate::catalog;
use crate::error::{EXIT_OK, Error, Result};
use std::path::{Path, PathBuf};

/// Arguments of `exstig catalog`.
#[derive(Debug, clap::Args)]
pub struct CatalogArgs {
    /// What to do; without one, the embedded benchmarks are listed.
    #[command(subcommand)]
    action: Option<Action>,
    /// List as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// List the embedded benchmarks (the default).
    List {
        /// List as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Regenerate the catalog files from a folder of DISA benchmarks (XCCDF, zip, derived JSON);
    /// the newest release of each Exchange 2013/2016/2019 Edge and Mailbox STIG is kept.
    Build {
        /// Folder with DISA's files (subfolders one level deep are read too).
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
        /// Folder to write `<name>.json` into (the crate's `catalog/` to update the binary).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// Runs `exstig catalog`.
pub fn run(args: &CatalogArgs) -> Result<i32> {
    match &args.action {
        None => list(args.json),
        Some(Action::List { json }) => list(*json || args.json),
        Some(Action::Build { from, out }) => build(from, out),
    }
}

fn list(json: bool) -> Result<i32> {
    let entries = catalog::entries();
    if json {
        let rows: Vec<serde_json::Value> = entries
            .iter()
            .map(|e| {
                serde_json::json!({
                    "name": e.name,
                    "benchmark_id": e.benchmark.id,
                    "title": e.benchmark.title,
                    "revision": e.benchmark.revision(),
                    "release_date": e.benchmark.release_date(),
                    "rules": e.benchmark.rules.len(),
                    "built_from": e.built_from,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        );
        return Ok(EXIT_OK);
    }
    let rows: Vec<[String; 5]> = entries
        .iter()
        .map(|e| {
            [
                e.name.clone(),
                e.benchmark.id.clone(),
                e.benchmark.revision(),
                e.benchmark.release_date().to_string(),
                e.benchmark.rules.len().to_string(),
            ]
        })
        .collect();
    super::rules::print_stdout(&super::rules::table(
        &["NAME", "BENCHMARK ID", "REVISION", "RELEASED", "RULES"],
        &rows,
    ))?;
    Ok(EXIT_OK)
}

fn build(from: &Path, out: &Path) -> Result<i32> {
    if !from.is_dir() {
        return Err(Error::Usage(format!(
            "--from {}: not a folder",
            from.display()
        )));
    }
    let built = catalog::build(from)?;
    for note in &built.skipped {
        eprintln!("skipped: {note}");
    }
    if built.entries.is_empty() {
        return Err(Error::Usage(format!(
            "no Exchange 2013/2016/2019 Edge or Mailbox benchmark under {}",
            from.display()
        )));
    }
    catalog::write(out, &built.entries)?;
    for entry in &built.entries {
        let completed = if entry.completed_from.is_empty() {
            String::new()
        } else {
            format!(" ({})", entry.completed_from)
        };
        println!(
            "{}: {} {} from {}{completed}",
            entry.name,
            entry.benchmark.id,
            entry.benchmark.revision(),
            entry.built_from
        );
    }
    let missing: Vec<&str> = catalog::names()
        .into_iter()
        .filter(|n| !built.entries.iter().any(|e| e.name == *n))
        .collect();
    if !missing.is_empty() {
        eprintln!("not found (left as they were): {}", missing.join(", "));
    }
    Ok(EXIT_OK)
}
