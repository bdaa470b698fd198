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
    /// the newest release of each Exchange 2013/2016/2019 Edge and Mailbox STIG is kept. With
    /// --cci-list and --ap-map, also the CCI table `cci.csv`.
    Build {
        /// Folder with DISA's files (subfolders one level deep are read too).
        #[arg(long, value_name = "DIR", required_unless_present = "cci_list")]
        from: Option<PathBuf>,
        /// DISA's CCI list (U_CCI_List.xml, or DISA's U_CCI_List.zip holding it).
        #[arg(long, value_name = "FILE", requires = "ap_map")]
        cci_list: Option<PathBuf>,
        /// The CCI to eMASS assessment procedure map (CSV with columns cci, rev4_ap, rev5_ap).
        #[arg(long, value_name = "FILE", requires = "cci_list")]
        ap_map: Option<PathBuf>,
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
        Some(Action::Build {
            from,
            out,
            cci_list,
            ap_map,
        }) => {
            if let (Some(list), Some(map)) = (cci_list, ap_map) {
                build_cci(list, map, out)?;
            }
            match from {
                Some(from) => build(from, out),
                None => Ok(EXIT_OK),
            }
        }
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

/// Writes `out/cci.csv` from DISA's CCI list and the AP map, and says what it covers.
fn build_cci(list: &Path, map: &Path, out: &Path) -> Result<()> {
    let cci_list = crate::cci::read_list(list)?;
    let aps = crate::cci::read_ap_map(map)?;
    let map_name = map
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let table = crate::cci::build(&cci_list, &aps, &map_name);
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let path = out.join("cci.csv");
    crate::fsio::write_atomic(&path, table.to_csv().as_bytes())?;
    let without_ap = |rev: crate::cci::Revision| {
        table
            .rows
            .values()
            .filter(|r| !r.of(rev).index.is_empty() && r.of(rev).ap.is_empty())
            .count()
    };
    println!(
        "cci.csv: {} CCIs from {} ({} rev 4 and {} rev 5 references without an AP)",
        table.rows.len(),
        cci_list.source,
        without_ap(crate::cci::Revision::Rev4),
        without_ap(crate::cci::Revision::Rev5)
    );
    Ok(())
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
