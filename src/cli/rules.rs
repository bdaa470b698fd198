//! `exstig rules`: the rules of a benchmark (DISA file or embedded catalog) as a table or JSON.

use super::BenchmarkSource;
use crate::benchmark::{Benchmark, Rule};
use crate::error::{EXIT_OK, Error, Result};

/// Arguments of `exstig rules`.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// The benchmark.
    #[command(flatten)]
    pub source: BenchmarkSource,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs `exstig rules`.
pub fn run(args: &RulesArgs) -> Result<i32> {
    let benchmark = args.source.load()?;
    if args.json {
        let json = serde_json::to_string_pretty(&to_json(&benchmark)).unwrap_or_default();
        print_stdout(&format!("{json}\n"))?;
    } else {
        let rows: Vec<[String; 6]> = benchmark.rules.iter().map(|r| row(&benchmark, r)).collect();
        print_stdout(&format!(
            "{} ({}, {}): {} rules\n{}",
            benchmark.title,
            benchmark.id,
            benchmark.revision(),
            benchmark.rules.len(),
            table(
                &["VULN ID", "RULE ID", "STIG ID", "CAT", "AUTOMATED", "TITLE"],
                &rows
            )
        ))?;
    }
    Ok(EXIT_OK)
}

/// Writes `text` to standard output; a reader that stops early (`exstig rules | head`) is not an
/// error, any other write failure is.
pub fn print_stdout(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    // Titles come from the benchmark: control characters are escaped (crate::term).
    match out
        .write_all(crate::term::text(text).as_bytes())
        .and_then(|()| out.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::io(std::path::Path::new("<stdout>"), e))
        }
        _ => Ok(()),
    }
}

/// The AUTOMATED cell: the check's name, the part of [`crate::checks::describe`]'s line before
/// `": "` (the whole line is in `--json`), or `-` when a reviewer must look.
fn check_name(description: Option<String>) -> String {
    match description {
        Some(line) => match line.split_once(": ") {
            Some((name, _)) => name.to_string(),
            None => line,
        },
        None => "-".to_string(),
    }
}

/// One table row.
fn row(benchmark: &Benchmark, rule: &Rule) -> [String; 6] {
    [
        rule.group_id.clone(),
        rule.rule_id.clone(),
        rule.stig_id.clone(),
        rule.severity.map_or("?", |s| s.category()).to_string(),
        check_name(crate::checks::describe(benchmark, rule)),
        rule.title.clone(),
    ]
}

/// The JSON form: benchmark facts and one object per rule.
fn to_json(benchmark: &Benchmark) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = benchmark
        .rules
        .iter()
        .map(|r| {
            serde_json::json!({
                "vuln_id": r.group_id,
                "rule_id": r.rule_id,
                "stig_id": r.stig_id,
                "severity": r.severity.map(|s| s.as_str()),
                "category": r.severity.map(|s| s.category()),
                "group_title": r.group_title,
                "title": r.title,
                "ccis": r.ccis,
                "legacy_ids": r.legacy_ids,
                "check_digest": r.check_digest,
                "automated": crate::checks::describe(benchmark, r),
            })
        })
        .collect();
    serde_json::json!({
        "benchmark_id": benchmark.id,
        "title": benchmark.title,
        "revision": benchmark.revision(),
        "release_info": benchmark.release_info,
        "filename": benchmark.filename,
        "target_key": benchmark.target_key(),
        "rules": rules,
    })
}

/// A plain-text table: a header line, then one line per row, columns padded to their widest
/// cell (the last column is not padded). Ends with a newline.
pub fn table<const N: usize>(headers: &[&str; N], rows: &[[String; N]]) -> String {
    let mut widths = headers.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == N {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        text.trim_end().to_string() + "\n"
    };
    let mut out = line(headers.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_pads_all_but_the_last_column() {
        let rows = [
            ["a".to_string(), "long title".to_string()],
            ["bbb".to_string(), "t".to_string()],
        ];
        assert_eq!(
            table(&["X", "TITLE"], &rows),
            "X    TITLE\na    long title\nbbb  t\n"
        );
    }
}
