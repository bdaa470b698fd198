//! `exstig validate FILE...`: checks CKL, CKLB and XCCDF results files against what STIG
//! Viewer, STIG Manager, MITRE's converters and eMASS need; one line per problem.

use crate::error::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, Error, Result};
use crate::validate::{Options, validate_file_with};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `exstig validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// CKL, CKLB or XCCDF results files (the format is recognized from the content); a folder
    /// stands for every .ckl, .cklb and .xml file in it and its subfolders.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Print nothing for files without problems (by default each is confirmed with "ok").
    #[arg(long, short)]
    pub quiet: bool,
    /// Also report reviews STIG Manager cannot submit under its default collection settings:
    /// evaluated rules without finding details, open rules without comments.
    #[arg(long)]
    pub submittable: bool,
    /// Exit 1 for warnings too (a consumer mis-reads part of the file), not only for errors
    /// (a consumer rejects the file).
    #[arg(long)]
    pub strict: bool,
}

/// Runs `exstig validate`: problems go to stdout, one per line with its severity; exit 1 when
/// any file has an error (with `--strict`, also a warning), 2 when a file cannot be read (the
/// other files are still checked). A closed stdout (`| head`) ends the run quietly.
pub fn run(args: &ValidateArgs) -> Result<i32> {
    let mut unreadable = false;
    let mut failing = false;
    let mut stdout = std::io::stdout().lock();
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    for path in &args.files {
        if let Err(e) = expand(path, &mut files, &mut seen) {
            eprintln!("exstig: error: {e}");
            unreadable = true;
        }
    }
    let options = Options {
        submittable: args.submittable,
    };
    for path in &files {
        let report = match validate_file_with(path, options) {
            Ok(report) => report,
            Err(e) => {
                eprintln!("exstig: error: {e}");
                unreadable = true;
                continue;
            }
        };
        let mut lines = report.lines();
        if lines.is_empty() && !args.quiet {
            let format = report.format.map(|f| f.to_string()).unwrap_or_default();
            lines.push(format!("{}: ok ({format})", path.display()));
        }
        failing |= report.has_errors() || (args.strict && !report.problems.is_empty());
        for line in lines {
            if let Err(e) = writeln!(stdout, "{}", crate::term::text(&line)) {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    return Ok(if failing { EXIT_FINDINGS } else { EXIT_OK });
                }
                return Err(Error::io(std::path::Path::new("<stdout>"), e));
            }
        }
    }
    Ok(if unreadable {
        EXIT_ERROR
    } else if failing {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// Adds `path` to `files`, or for a folder every checklist-like file below it, sorted. Each
/// real file and folder is visited once (`seen` holds their canonical paths), so symbolic
/// links that loop or point twice at one file do not repeat or hang the run.
fn expand(path: &Path, files: &mut Vec<PathBuf>, seen: &mut HashSet<PathBuf>) -> Result<()> {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if !seen.insert(canonical) {
        return Ok(());
    }
    if !path.is_dir() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| Error::io(path, e))?
        .map(|entry| entry.map(|e| e.path()).map_err(|e| Error::io(path, e)))
        .collect::<Result<_>>()?;
    entries.sort();
    for entry in entries {
        let checklist_like = entry.extension().is_some_and(|e| {
            ["ckl", "cklb", "xml"].contains(&e.to_string_lossy().to_ascii_lowercase().as_str())
        });
        if entry.is_dir() || checklist_like {
            expand(&entry, files, seen)?;
        }
    }
    Ok(())
}
