//! Fleet summaries of a batch run (`exstig evaluate --inventory-dir`): the per-server table by
//! status and CAT printed at the end, and the `--summary` files: a self-contained HTML report
//! (inline CSS and SVG, no script, no external asset) and a CSV with one row per server.
//!
//! Everything here reads the small per-server records [`ServerSummary`] and [`ServerFailure`]
//! that the batch keeps, never the checklists, so a summary of 10,000 servers stays small.

use crate::benchmark::Severity;
use crate::checklist::ckl::push_escaped;
use crate::checklist::{ChecklistStig, Status};
use crate::error::{Error, Result};
use crate::inventory::ServerRole;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The statuses in table order.
pub const STATUSES: [Status; 4] = [
    Status::Open,
    Status::NotAFinding,
    Status::NotApplicable,
    Status::NotReviewed,
];

/// The CAT names in table order (CAT I is high).
pub const CATS: [&str; 3] = ["CAT I", "CAT II", "CAT III"];

/// Longest finding details kept per Open rule for the HTML summary (the checklist has all).
pub const MAX_SUMMARY_DETAILS: usize = 4_000;

/// Most servers listed in the terminal table; `--summary` files list every server.
pub const MAX_TABLE_ROWS: usize = 200;

/// Rule counts by status and CAT: `0[status][cat]` in [`STATUSES`] and [`CATS`] order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts(pub [[usize; 3]; 4]);

impl Counts {
    /// Counts the rules of one checklist STIG (CAT from the rule's `Severity`; a rule without
    /// one counts as CAT II, as STIG Viewer shows it).
    pub fn of_stig(stig: &ChecklistStig) -> Counts {
        let mut counts = Counts::default();
        for vuln in &stig.vulns {
            counts.0[status_index(vuln.status)]
                [cat_index(Severity::parse(vuln.attr("Severity")))] += 1;
        }
        counts
    }

    /// Adds `other` to these counts.
    pub fn add(&mut self, other: &Counts) {
        for (row, other_row) in self.0.iter_mut().zip(other.0) {
            for (cell, value) in row.iter_mut().zip(other_row) {
                *cell += value;
            }
        }
    }

    /// The count of one status and CAT.
    pub fn get(&self, status: Status, cat: usize) -> usize {
        self.0[status_index(status)][cat]
    }

    /// All rules of one status.
    pub fn total(&self, status: Status) -> usize {
        self.0[status_index(status)].iter().sum()
    }
}

/// The row of a status in [`Counts`].
pub fn status_index(status: Status) -> usize {
    match status {
        Status::Open => 0,
        Status::NotAFinding => 1,
        Status::NotApplicable => 2,
        Status::NotReviewed => 3,
    }
}

/// The column of a severity in [`Counts`] (none counts as CAT II).
pub fn cat_index(severity: Option<Severity>) -> usize {
    match severity {
        Some(Severity::High) => 0,
        Some(Severity::Medium) | None => 1,
        Some(Severity::Low) => 2,
    }
}

/// One Open rule of a server, for the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenRule {
    /// Rule ID with revision.
    pub rule_id: String,
    /// STIG ID.
    pub stig_id: String,
    /// Severity (CAT).
    pub severity: Option<Severity>,
    /// Rule title.
    pub title: String,
    /// FINDING_DETAILS, cut to [`MAX_SUMMARY_DETAILS`] characters.
    pub finding_details: String,
}

impl OpenRule {
    /// The Open rules of a checklist STIG, CAT I first, with their details cut for the summary
    /// when `details` (else without details).
    pub fn of_stig(stig: &ChecklistStig, details: bool) -> Vec<OpenRule> {
        let mut open: Vec<OpenRule> = stig
            .vulns
            .iter()
            .filter(|v| v.status == Status::Open)
            .map(|v| OpenRule {
                rule_id: v.rule_id().to_string(),
                stig_id: v.stig_id().to_string(),
                severity: Severity::parse(v.attr("Severity")),
                title: v.attr("Rule_Title").to_string(),
                finding_details: if details {
                    cut(&v.finding_details, MAX_SUMMARY_DETAILS)
                } else {
                    String::new()
                },
            })
            .collect();
        open.sort_by_key(|r| cat_index(r.severity));
        open
    }
}

/// `text` cut to `max` characters, with a note when cut.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => format!(
            "{}\n[... cut in the summary; the checklist has the full text]",
            text.get(..end).unwrap_or(text)
        ),
    }
}

/// What a batch run made for one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSummary {
    /// HOST_NAME.
    pub host: String,
    /// Exchange role, declared or inferred.
    pub role: Option<ServerRole>,
    /// Benchmark id of the checklist.
    pub benchmark_id: String,
    /// Release of the checklist, `V2R6`.
    pub revision: String,
    /// Rules by status and CAT, as written.
    pub counts: Counts,
    /// The Open rules, CAT I first.
    pub open: Vec<OpenRule>,
    /// The inventory files evaluated.
    pub inputs: Vec<PathBuf>,
    /// The files written.
    pub outputs: Vec<PathBuf>,
    /// The previous checklist merged into, when `--merge-dir` had one.
    pub merged_from: Option<PathBuf>,
    /// Things a reviewer should know (skipped objects, merge notes, conflicts).
    pub notes: Vec<String>,
}

/// A server (or an inventory file that names none) the batch could not process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerFailure {
    /// The host name, or the file name when the file could not be tied to a server.
    pub server: String,
    /// The inventory files of the server.
    pub inputs: Vec<PathBuf>,
    /// Why, naming the file (and line) when known.
    pub message: String,
}

/// Everything a summary shows.
#[derive(Debug, Clone, Copy)]
pub struct Fleet<'a> {
    /// Servers written, in host name order.
    pub servers: &'a [ServerSummary],
    /// Servers that failed.
    pub failures: &'a [ServerFailure],
    /// When the run started.
    pub started: chrono::DateTime<chrono::Utc>,
    /// Run-level warnings (benchmarks skipped, files ignored).
    pub warnings: &'a [String],
}

impl Fleet<'_> {
    /// Counts over every server written.
    pub fn totals(&self) -> Counts {
        let mut totals = Counts::default();
        for s in self.servers {
            totals.add(&s.counts);
        }
        totals
    }
}

/// `a/b/c` for the three CATs of one status.
fn cats(counts: &Counts, status: Status) -> String {
    let row = counts.0[status_index(status)];
    format!("{}/{}/{}", row[0], row[1], row[2])
}

/// How bad a server is, for ordering: Open CAT I, then II, then III, most first.
fn worst_first(s: &ServerSummary) -> std::cmp::Reverse<[usize; 3]> {
    std::cmp::Reverse(s.counts.0[0])
}

/// The table printed at the end of a batch run: one row per server with each status as
/// `CAT I/CAT II/CAT III` counts, a fleet total, then the failed servers.
pub fn text(fleet: &Fleet) -> String {
    let mut rows: Vec<&ServerSummary> = fleet.servers.iter().collect();
    let omitted = rows.len().saturating_sub(MAX_TABLE_ROWS);
    if omitted > 0 {
        rows.sort_by_key(|s| worst_first(s));
        rows.truncate(MAX_TABLE_ROWS);
        rows.sort_by(|a, b| a.host.cmp(&b.host));
    }
    let fleet_label = format!("FLEET ({})", fleet.servers.len());
    let width = rows
        .iter()
        .map(|s| s.host.chars().count())
        .chain([6, fleet_label.chars().count()])
        .max()
        .unwrap_or(6);
    let mut out = format!(
        "{:<width$}  {:<8} {:<8} {:>14} {:>14} {:>14} {:>14}\n",
        "SERVER", "ROLE", "RELEASE", "OPEN", "NOTAFINDING", "NOT_APPLIC.", "NOT_REVIEWED"
    );
    let _ = writeln!(
        out,
        "{:<width$}  {:<8} {:<8} {:>14} {:>14} {:>14} {:>14}",
        "", "", "", "CAT I/II/III", "CAT I/II/III", "CAT I/II/III", "CAT I/II/III"
    );
    let row = |out: &mut String, host: &str, role: &str, revision: &str, counts: &Counts| {
        let _ = writeln!(
            out,
            "{host:<width$}  {role:<8} {revision:<8} {:>14} {:>14} {:>14} {:>14}",
            cats(counts, Status::Open),
            cats(counts, Status::NotAFinding),
            cats(counts, Status::NotApplicable),
            cats(counts, Status::NotReviewed),
        );
    };
    for s in &rows {
        row(
            &mut out,
            &s.host,
            s.role.map_or("-", ServerRole::as_str),
            &s.revision,
            &s.counts,
        );
    }
    if omitted > 0 {
        let _ = writeln!(
            out,
            "... and {omitted} more servers with fewer Open rules (--summary FILE.html lists them all)"
        );
    }
    row(&mut out, &fleet_label, "", "", &fleet.totals());
    for f in fleet.failures {
        let _ = writeln!(out, "FAILED {}: {}", f.server, f.message);
    }
    let _ = writeln!(
        out,
        "{} servers written, {} failed",
        fleet.servers.len(),
        fleet.failures.len()
    );
    out
}

/// A CSV cell that a spreadsheet shows as text, never runs as a formula (the OWASP rule): a
/// cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`. Host names
/// and file names come from the inputs, so every CSV exstig writes passes every cell here.
pub fn csv_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Writes one CSV record with every cell passed through [`csv_cell`].
fn write_csv_record<W: std::io::Write>(
    writer: &mut ::csv::Writer<W>,
    record: &[String],
) -> Result<()> {
    writer
        .write_record(record.iter().map(|cell| csv_cell(cell).into_owned()))
        .map_err(|e| Error::Usage(format!("CSV summary: {e}")))
}

/// The summary as CSV: one row per server (written or failed) with the counts by status and
/// CAT, the STIG IDs of the Open rules, the files read and written, and the error of a failure.
pub fn csv(fleet: &Fleet) -> Result<String> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = ["host", "result", "role", "benchmark", "release"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for status in STATUSES {
        for cat in ["cat_i", "cat_ii", "cat_iii"] {
            header.push(format!("{}_{cat}", status.ckl().to_ascii_lowercase()));
        }
    }
    header.extend(
        ["open_rules", "inputs", "outputs", "merged_from", "error"]
            .iter()
            .map(|s| s.to_string()),
    );
    write_csv_record(&mut writer, &header)?;
    let join = |paths: &[PathBuf]| {
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join("; ")
    };
    for s in fleet.servers {
        let mut record = vec![
            s.host.clone(),
            "written".to_string(),
            s.role.map_or("", ServerRole::as_str).to_string(),
            s.benchmark_id.clone(),
            s.revision.clone(),
        ];
        for row in s.counts.0 {
            record.extend(row.iter().map(usize::to_string));
        }
        record.push(
            s.open
                .iter()
                .map(|r| r.stig_id.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        );
        record.push(join(&s.inputs));
        record.push(join(&s.outputs));
        record.push(
            s.merged_from
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        );
        record.push(String::new());
        write_csv_record(&mut writer, &record)?;
    }
    for f in fleet.failures {
        // host, result, role, benchmark, release, 12 counts, open_rules: empty but the first two.
        let mut record = vec![f.server.clone(), "failed".to_string()];
        record.resize(header.len() - 4, String::new());
        record.push(join(&f.inputs));
        record.push(String::new());
        record.push(String::new());
        record.push(f.message.clone());
        write_csv_record(&mut writer, &record)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::Usage(format!("CSV summary: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::Usage(format!("CSV summary: {e}")))
}

/// HTML-escaped text (the CKL writer's escaping: `&`, `<`, `>`, `"`).
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text, true);
    out
}

/// Colors of the statuses in the chart and the table, in [`STATUSES`] order.
const COLORS: [&str; 4] = ["#c62828", "#2e7d32", "#757575", "#f9a825"];

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em;color:#222}\
h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:.5em 0;font-size:.92em}th,td{border:1px solid #bbb;padding:.25em .5em;text-align:right;vertical-align:top}\
th{background:#eee}td.host,td.text,th.text{text-align:left}\
td.open{color:#c62828;font-weight:bold}tr.failed td{background:#fff3f3}\
pre{white-space:pre-wrap;margin:0;font-size:.85em;max-width:70em}\
.meta{color:#555}details{margin:.3em 0}summary{cursor:pointer;font-weight:bold}";

/// The self-contained HTML report: fleet chart (inline SVG), the table per server and CAT,
/// the failed servers, and the Open rules of each server with their finding details.
pub fn html(fleet: &Fleet) -> String {
    let totals = fleet.totals();
    let mut out = String::with_capacity(16_384 + fleet.servers.len() * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<title>exstig fleet summary</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<h1>exstig fleet summary</h1>\n");
    let _ = writeln!(
        out,
        "<p class=\"meta\">exstig {} &middot; run started {} &middot; <span id=\"server-count\">{}</span> servers written, <span id=\"failure-count\">{}</span> failed &middot; {} Open rules</p>",
        crate::VERSION,
        fleet.started.format("%Y-%m-%d %H:%M:%S UTC"),
        fleet.servers.len(),
        fleet.failures.len(),
        totals.total(Status::Open)
    );
    for w in fleet.warnings {
        let _ = writeln!(out, "<p class=\"meta\">warning: {}</p>", esc(w));
    }
    out.push_str("<h2>Fleet</h2>\n");
    out.push_str(&chart(fleet, &totals));
    html_table(&mut out, fleet, &totals);
    if !fleet.failures.is_empty() {
        out.push_str("<h2>Failed servers</h2>\n<table id=\"failures\">\n<thead><tr><th class=\"text\">Server</th><th class=\"text\">Inventory files</th><th class=\"text\">Problem</th></tr></thead>\n<tbody>\n");
        for f in fleet.failures {
            let files: Vec<String> = f
                .inputs
                .iter()
                .map(|p| esc(&p.display().to_string()))
                .collect();
            let _ = writeln!(
                out,
                "<tr class=\"failed\"><td class=\"host\">{}</td><td class=\"text\">{}</td><td class=\"text\"><pre>{}</pre></td></tr>",
                esc(&f.server),
                files.join("<br>"),
                esc(&f.message)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    let noted: Vec<&ServerSummary> = fleet
        .servers
        .iter()
        .filter(|s| !s.notes.is_empty())
        .collect();
    if !noted.is_empty() {
        out.push_str("<h2>Notes</h2>\n<table id=\"notes\">\n<thead><tr><th class=\"text\">Server</th><th class=\"text\">Note (skipped objects, merge notes, site file warnings)</th></tr></thead>\n<tbody>\n");
        for s in noted {
            for note in &s.notes {
                let _ = writeln!(
                    out,
                    "<tr><td class=\"host\">{}</td><td class=\"text\">{}</td></tr>",
                    esc(&s.host),
                    esc(note)
                );
            }
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("<h2>Open rules per server</h2>\n");
    let open_servers: Vec<&ServerSummary> = fleet
        .servers
        .iter()
        .filter(|s| !s.open.is_empty())
        .collect();
    if open_servers.is_empty() {
        out.push_str("<p>No Open rules.</p>\n");
    }
    for s in open_servers {
        let _ = writeln!(
            out,
            "<details class=\"server-open\" id=\"open-{}\"><summary>{} &mdash; {} Open ({} CAT I, {} CAT II, {} CAT III)</summary>",
            esc(&s.host),
            esc(&s.host),
            s.open.len(),
            s.counts.get(Status::Open, 0),
            s.counts.get(Status::Open, 1),
            s.counts.get(Status::Open, 2),
        );
        out.push_str("<table class=\"open-rules\">\n<thead><tr><th class=\"text\">CAT</th><th class=\"text\">STIG ID</th><th class=\"text\">Rule ID</th><th class=\"text\">Title</th><th class=\"text\">Finding details</th></tr></thead>\n<tbody>\n");
        for r in &s.open {
            let _ = writeln!(
                out,
                "<tr><td class=\"text\">{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td><td class=\"text\"><pre>{}</pre></td></tr>",
                r.severity.map_or("CAT II", Severity::category),
                esc(&r.stig_id),
                esc(&r.rule_id),
                esc(&r.title),
                esc(&r.finding_details)
            );
        }
        out.push_str("</tbody>\n</table>\n</details>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// The table per server and CAT.
fn html_table(out: &mut String, fleet: &Fleet, totals: &Counts) {
    out.push_str("<h2>Servers</h2>\n<table id=\"servers\">\n<thead>\n<tr><th class=\"text\" rowspan=\"2\">Server</th><th class=\"text\" rowspan=\"2\">Role</th><th class=\"text\" rowspan=\"2\">STIG</th><th class=\"text\" rowspan=\"2\">Release</th>");
    for status in STATUSES {
        let _ = write!(out, "<th colspan=\"3\">{}</th>", status.ckl());
    }
    out.push_str("</tr>\n<tr>");
    for _ in STATUSES {
        for cat in ["I", "II", "III"] {
            let _ = write!(out, "<th title=\"CAT {cat}\">{cat}</th>");
        }
    }
    out.push_str("</tr>\n</thead>\n<tbody>\n");
    let cells = |out: &mut String, counts: &Counts| {
        for (i, row) in counts.0.iter().enumerate() {
            for value in row {
                let class = if i == 0 && *value > 0 {
                    " class=\"open\""
                } else {
                    ""
                };
                let _ = write!(out, "<td{class}>{value}</td>");
            }
        }
    };
    for s in fleet.servers {
        let _ = write!(
            out,
            "<tr class=\"server\" data-host=\"{}\"><td class=\"host\">{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td>",
            esc(&s.host),
            esc(&s.host),
            s.role.map_or("", ServerRole::as_str),
            esc(&s.benchmark_id),
            esc(&s.revision)
        );
        cells(out, &s.counts);
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n<tfoot><tr class=\"total\"><td class=\"host\"><b>Fleet</b></td><td></td><td></td><td></td>");
    cells(out, totals);
    out.push_str("</tr></tfoot>\n</table>\n");
}

/// The fleet chart (inline SVG): for each CAT a bar of the fleet's rules by status, and a bar
/// of the servers by their worst Open finding.
fn chart(fleet: &Fleet, totals: &Counts) -> String {
    const LEFT: usize = 170;
    const BAR: usize = 600;
    const ROW: usize = 34;
    let mut svg = String::new();
    let rows = 3 + 1;
    let height = 40 + rows * ROW + 60;
    let _ = writeln!(
        svg,
        "<svg id=\"fleet-chart\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"Fleet results by CAT and status\" font-family=\"sans-serif\" font-size=\"13\">",
        LEFT + BAR + 200
    );
    let bar = |svg: &mut String, y: usize, label: &str, parts: &[(usize, &str, String)]| {
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LEFT - 8,
            y + 17,
            esc(label)
        );
        let total: usize = parts.iter().map(|p| p.0).sum();
        let mut x = LEFT as f64;
        for (value, color, title) in parts {
            if total == 0 || *value == 0 {
                continue;
            }
            let w = BAR as f64 * *value as f64 / total as f64;
            let _ = writeln!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"24\" fill=\"{color}\"><title>{}</title></rect>",
                esc(title)
            );
            if w > 28.0 {
                let _ = writeln!(
                    svg,
                    "<text x=\"{:.1}\" y=\"{}\" fill=\"#fff\" text-anchor=\"middle\">{value}</text>",
                    x + w / 2.0,
                    y + 17
                );
            }
            x += w;
        }
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\">{total}</text>",
            LEFT + BAR + 6,
            y + 17
        );
    };
    let _ = writeln!(
        svg,
        "<text x=\"0\" y=\"20\" font-weight=\"bold\">Rules of all servers by CAT and status</text>"
    );
    for (cat, name) in CATS.iter().enumerate() {
        let parts: Vec<(usize, &str, String)> = STATUSES
            .iter()
            .zip(COLORS)
            .map(|(status, color)| {
                let n = totals.get(*status, cat);
                (n, color, format!("{name} {}: {n}", status.ckl()))
            })
            .collect();
        bar(&mut svg, 32 + cat * ROW, name, &parts);
    }
    let mut worst = [0usize; 5];
    for s in fleet.servers {
        let open = s.counts.0[0];
        let i = open.iter().position(|n| *n > 0).unwrap_or(3);
        worst[i] += 1;
    }
    worst[4] = fleet.failures.len();
    let labels = [
        "Open CAT I",
        "worst Open CAT II",
        "worst Open CAT III",
        "no Open",
        "failed",
    ];
    let colors = ["#8e0000", "#c62828", "#ef6c00", "#2e7d32", "#424242"];
    let parts: Vec<(usize, &str, String)> = worst
        .iter()
        .zip(colors)
        .zip(labels)
        .map(|((n, color), label)| (*n, color, format!("servers {label}: {n}")))
        .collect();
    bar(&mut svg, 32 + 3 * ROW + 8, "Servers", &parts);
    let legend_y = 32 + 4 * ROW + 20;
    let legend: Vec<(&str, &str)> = STATUSES
        .iter()
        .map(|s| s.ckl())
        .zip(COLORS)
        .chain(labels.into_iter().zip(colors))
        .collect();
    for (i, (label, color)) in legend.into_iter().enumerate() {
        let (column, line) = if i < 4 { (i, 0) } else { (i - 4, 1) };
        let (x, y) = (column * 190, legend_y + line * 20);
        let _ = writeln!(
            svg,
            "<rect x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            x + 16,
            y + 11,
            if i < 4 {
                label.to_string()
            } else {
                format!("servers: {label}")
            }
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// The kinds of `--summary` file, told by the extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryFormat {
    /// `.html` / `.htm`.
    Html,
    /// `.csv`.
    Csv,
}

impl SummaryFormat {
    /// The format `path`'s extension names, or a usage error.
    pub fn of_path(path: &Path) -> Result<SummaryFormat> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "html" | "htm" => Ok(SummaryFormat::Html),
            "csv" => Ok(SummaryFormat::Csv),
            _ => Err(Error::Usage(format!(
                "--summary {}: the file must end in .html or .csv",
                path.display()
            ))),
        }
    }
}

/// Writes the summary to `path` (HTML or CSV by extension), atomically.
pub fn write(fleet: &Fleet, path: &Path, options: crate::fsio::WriteOptions) -> Result<()> {
    let text = match SummaryFormat::of_path(path)? {
        SummaryFormat::Html => html(fleet),
        SummaryFormat::Csv => csv(fleet)?,
    };
    crate::fsio::write_all_atomic_with(&[(path, text.into_bytes())], options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_start_a_formula_are_quoted() {
        for cell in [
            "=cmd|' /C calc'!A0",
            "+SRV",
            "-SRV",
            "@SRV",
            "\tSRV",
            "\rSRV",
        ] {
            assert_eq!(csv_cell(cell), format!("'{cell}"));
        }
        for cell in ["SRV", "", "12", "a=b", "'x"] {
            assert_eq!(csv_cell(cell), cell);
        }
    }
}
