//! `exstig merge`: combine checklists of the same asset (a re-review into last quarter's file,
//! several STIGs into one multi-STIG checklist) under an explicit policy, with a report.

use crate::error::{EXIT_OK, Error, Result};
use crate::merge::{MergePolicy, MergeReport, Precedence, merge_into, read_checklist};
use std::path::{Path, PathBuf};

/// Arguments of `exstig merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Checklists (.ckl or .cklb), oldest first: each later file is merged into the first.
    #[arg(required = true, num_args = 2.., value_name = "CHECKLIST")]
    pub inputs: Vec<PathBuf>,
    /// The merged checklist; .ckl or .cklb chooses the format. When it is one of the inputs,
    /// the original is kept as FILE.bak (FILE.1.bak ... when that exists).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Which result wins when both files have one.
    #[arg(long, value_enum, default_value_t = Precedence::Newest)]
    pub policy: Precedence,
    /// Let automatic (exstig) results replace a human's NotAFinding / Not_Applicable with a comment.
    #[arg(long)]
    pub overwrite_manual: bool,
    /// Also write the merge report to FILE (never one of the inputs or the output): as text when
    /// it ends in .txt, else as JSON.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Merge even when the checklists name different hosts (HOST_NAME), and replace a
    /// read-only output (it stays read-only).
    #[arg(long)]
    pub force: bool,
}

/// Runs `exstig merge`: reads every input, checks they describe one host, merges them in order
/// and writes the output (and the JSON report) atomically; prints the report on stderr.
pub fn run(args: &MergeArgs) -> Result<i32> {
    crate::merge::Format::of_path(&args.output)?;
    let write = crate::fsio::WriteOptions { force: args.force };
    crate::fsio::check_output(&args.output, write, false)?;
    if let Some(report) = &args.report {
        // The report may be neither an input nor the output (the output may be an input).
        let mut taken: Vec<&Path> = args.inputs.iter().map(PathBuf::as_path).collect();
        taken.push(&args.output);
        crate::fsio::check_outputs(&[report], &taken, write, false)?;
    }
    let mut checklists = Vec::with_capacity(args.inputs.len());
    for path in &args.inputs {
        checklists.push((path, read_checklist(path)?));
    }
    if !args.force {
        same_host(&checklists)?;
    }
    let policy = MergePolicy {
        precedence: args.policy,
        overwrite_manual: args.overwrite_manual,
    };
    let mut iter = checklists.into_iter();
    let Some((_, mut merged)) = iter.next() else {
        return Err(Error::Usage("give at least two checklists".into()));
    };
    let mut report = MergeReport::default();
    for (path, incoming) in iter {
        let mut part = merge_into(&mut merged, &incoming, &policy);
        let name = path.display().to_string();
        part.set_source(&name);
        for note in &mut part.notes {
            *note = format!("{name}: {note}");
        }
        report.extend(part);
    }
    let bytes = crate::merge::render_checklist(&args.output, &merged)?;
    let mut files: Vec<(&Path, Vec<u8>)> = vec![(&args.output, bytes)];
    if let Some(path) = &args.report {
        files.push((path, report.render_for(path).into_bytes()));
    }
    let overwrites_input = args
        .inputs
        .iter()
        .any(|input| crate::fsio::same_file(input, &args.output));
    // Merging into one of the inputs: keep the original beside it, as --in-place does.
    let backup = match overwrites_input {
        true => Some(crate::merge::write_backup(&args.output)?),
        false => None,
    };
    crate::fsio::write_all_atomic_with(&files, write)?;
    eprint!("{}", report.to_text());
    for long in crate::checklist::overlong_texts(&merged) {
        eprintln!("exstig: warning: {long}");
    }
    if let Some(backup) = backup {
        eprintln!("kept the original as {}", backup.display());
    }
    eprintln!("wrote {}", args.output.display());
    Ok(EXIT_OK)
}

/// Errors unless every checklist has the HOST_NAME of the first (case-insensitive).
fn same_host(checklists: &[(&PathBuf, crate::checklist::Checklist)]) -> Result<()> {
    let Some((first_path, first)) = checklists.first() else {
        return Ok(());
    };
    let host = first.asset.host_name.trim();
    for (path, c) in &checklists[1..] {
        let other = c.asset.host_name.trim();
        if !other.eq_ignore_ascii_case(host) {
            return Err(Error::Usage(crate::guard::other_host_message(
                path, other, first_path, host,
            )));
        }
    }
    Ok(())
}
