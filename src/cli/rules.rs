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
    /// DISA's CCI list (U_CCI_List.xml or .zip) for the JSON's controls instead of the
    /// embedded table.
    #[arg(long, value_name = "FILE")]
    pub cci_list: Option<std::path::PathBuf>,
}

/// Runs `exstig rules`.
pub fn run(args: &RulesArgs) -> Result<i32> {
    let benchmark = args.source.load()?;
    if args.json {
        let (table, notes) = crate::cci::table_for(args.cci_list.as_deref())?;
        for note in notes {
            eprintln!("warning: {note}");
        }
        let json = serde_json::to_string_pretty(&to_json(&benchmark, &table)).unwrap_or_default();
        print_stdout(&format!("{json}\n"))?;
    } else {
        let rows: Vec<[String; 6]> = benchmark.rules.iter().map(|r| row(&benchmark, r)).collect();
        let automated = rows.iter().filter(|r| r[4] != "-").count();
        print_stdout(&format!(
            "{} ({}, {}): {} rules\n{}{}\n",
            benchmark.title,
            benchmark.id,
            benchmark.revision(),
            benchmark.rules.len(),
            table(
                &["VULN ID", "RULE ID", "STIG ID", "CAT", "AUTOMATED", "TITLE"],
                &rows
            ),
            total_line(automated, rows.len())
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

/// The closing line of the table: `20 of 64 rules automated`.
pub fn total_line(automated: usize, total: usize) -> String {
    format!("{automated} of {total} rules automated")
}

/// The rev 4 and rev 5 controls and eMASS APs of a rule's CCIs (without repeats), and the
/// CCIs the table does not know.
fn mappings(rule: &Rule, table: &crate::cci::CciTable) -> serde_json::Value {
    use crate::cci::Revision;
    let collect = |revision: Revision, ap: bool| {
        let mut out: Vec<String> = Vec::new();
        for row in rule.ccis.iter().filter_map(|c| table.get(c)) {
            let m = row.of(revision);
            let value = if ap { &m.ap } else { &m.control };
            for v in value.split("; ").filter(|v| !v.is_empty()) {
                if !out.iter().any(|o| o == v) {
                    out.push(v.to_string());
                }
            }
        }
        out
    };
    let unknown: Vec<&String> = rule
        .ccis
        .iter()
        .filter(|c| table.get(c).is_none())
        .collect();
    serde_json::json!({
        "controls": { "rev4": collect(Revision::Rev4, false), "rev5": collect(Revision::Rev5, false) },
        "aps": { "rev4": collect(Revision::Rev4, true), "rev5": collect(Revision::Rev5, true) },
        "unknown_ccis": unknown,
    })
}

/// The JSON form: benchmark facts and one object per rule.
fn to_json(benchmark: &Benchmark, table: &crate::cci::CciTable) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = benchmark
        .rules
        .iter()
        .map(|r| {
            let mapped = mappings(r, table);
            serde_json::json!({
                "vuln_id": r.group_id,
                "rule_id": r.rule_id,
                "stig_id": r.stig_id,
                "severity": r.severity.map(|s| s.as_str()),
                "category": r.severity.map(|s| s.category()),
                "group_title": r.group_title,
                "title": r.title,
                "ccis": r.ccis,
                "controls": mapped["controls"],
                "aps": mapped["aps"],
                "unknown_ccis": mapped["unknown_ccis"],
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
    fn total_line_counts_automated_rules() {
        assert_eq!(total_line(20, 64), "20 of 64 rules automated");
    }

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
