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
use crate::evaluate::{Need, RuleResult};
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

/// What a Not_Reviewed rule waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitingFor {
    /// A person: a rule exstig does not evaluate (documentation, procedures), a judgement
    /// (connector names), or an answer or exception that lapsed.
    Person,
    /// A value of the site file (`[values]`, a connector's scope).
    SiteValue,
    /// An export the inventory lacks, or a value it holds that cannot be read.
    Input,
}

impl WaitingFor {
    /// The kind of waiting of an evaluation's `needs` (no need recorded: a person).
    pub fn of(needs: &[Need]) -> WaitingFor {
        match needs.first() {
            Some(Need::SiteValue(_) | Need::Scope) => WaitingFor::SiteValue,
            Some(Need::Export(_) | Need::Other) => WaitingFor::Input,
            Some(Need::Reviewer | Need::Judgement) | None => WaitingFor::Person,
        }
    }

    /// How the report names it.
    pub fn label(self) -> &'static str {
        match self {
            WaitingFor::Person => "needs a person",
            WaitingFor::SiteValue => "needs a site value",
            WaitingFor::Input => "input not collected",
        }
    }
}

/// The kinds of waiting in report order (the order of [`Waiting::kinds`]).
pub const WAITING_KINDS: [WaitingFor; 3] =
    [WaitingFor::Person, WaitingFor::SiteValue, WaitingFor::Input];

/// The Not_Reviewed rules of a server (STIG IDs) by what they wait for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Waiting {
    /// Waiting for a person.
    pub person: Vec<String>,
    /// Waiting for a site-file value.
    pub site_value: Vec<String>,
    /// Waiting for an export.
    pub input: Vec<String>,
}

impl Waiting {
    /// Sorts the Not_Reviewed rules of a checklist STIG by what the evaluation said each waits
    /// for ([`RuleResult::needs`]); a rule the evaluation has no result for waits for a person.
    pub fn of(stig: &ChecklistStig, results: &[RuleResult]) -> Waiting {
        let needs: std::collections::HashMap<&str, &[Need]> = results
            .iter()
            .map(|r| (r.stig_id.as_str(), r.needs.as_slice()))
            .collect();
        let mut waiting = Waiting::default();
        for vuln in stig
            .vulns
            .iter()
            .filter(|v| v.status == Status::NotReviewed)
        {
            let id = vuln.stig_id().to_string();
            match WaitingFor::of(needs.get(id.as_str()).copied().unwrap_or_default()) {
                WaitingFor::Person => waiting.person.push(id),
                WaitingFor::SiteValue => waiting.site_value.push(id),
                WaitingFor::Input => waiting.input.push(id),
            }
        }
        waiting
    }

    /// One line per kind with rules, naming them (for the end of a single evaluation).
    pub fn to_text(&self) -> String {
        self.kinds()
            .iter()
            .filter(|(_, ids)| !ids.is_empty())
            .map(|(kind, ids)| {
                format!(
                    "Not_Reviewed, {} ({}): {}\n",
                    kind.label(),
                    ids.len(),
                    ids.join(", ")
                )
            })
            .collect()
    }

    /// The three lists with what they wait for.
    pub fn kinds(&self) -> [(WaitingFor, &[String]); 3] {
        [
            (WaitingFor::Person, &self.person),
            (WaitingFor::SiteValue, &self.site_value),
            (WaitingFor::Input, &self.input),
        ]
    }
}

/// Compliance as the report shows it: NotAFinding + Not_Applicable over the decided rules
/// (Open + NotAFinding + Not_Applicable), and the decided share of all rules, in percent;
/// `None` when nothing is decided (or there are no rules).
pub fn compliance(counts: &Counts) -> (Option<f64>, Option<f64>) {
    let good = counts.total(Status::NotAFinding) + counts.total(Status::NotApplicable);
    let decided = good + counts.total(Status::Open);
    let all = decided + counts.total(Status::NotReviewed);
    let percent =
        |part: usize, whole: usize| (whole > 0).then(|| 100.0 * part as f64 / whole as f64);
    (percent(good, decided), percent(decided, all))
}

/// What changed on a server since the previous cycle, by STIG ID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// Open now, not Open before.
    pub newly_open: Vec<String>,
    /// Open before, not Open now.
    pub fixed: Vec<String>,
    /// Open both times.
    pub still_open: Vec<String>,
}

impl ServerSummary {
    /// The change since the previous cycle, when the batch had a previous checklist.
    pub fn change(&self) -> Option<Change> {
        let before = self.previous_open.as_ref()?;
        let now: Vec<&str> = self.open.iter().map(|r| r.stig_id.as_str()).collect();
        let mut change = Change::default();
        for id in &now {
            if before.iter().any(|b| b == id) {
                change.still_open.push(id.to_string());
            } else {
                change.newly_open.push(id.to_string());
            }
        }
        change.fixed = before
            .iter()
            .filter(|b| !now.contains(&b.as_str()))
            .cloned()
            .collect();
        Some(change)
    }
}

/// A rule Open on one or more servers of the fleet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetRule {
    /// STIG ID.
    pub stig_id: String,
    /// Severity.
    pub severity: Option<Severity>,
    /// Title.
    pub title: String,
    /// The servers where it is Open.
    pub servers: Vec<String>,
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
    /// The Not_Reviewed rules by what they wait for.
    pub waiting: Waiting,
    /// STIG IDs Open in the previous cycle's checklist (`--previous`, else `--merge-dir`);
    /// `None` when there was none.
    pub previous_open: Option<Vec<String>>,
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

    /// The rules Open on at least one server: CAT I first, then by how many servers, then by
    /// STIG ID.
    pub fn open_rules(&self) -> Vec<FleetRule> {
        let mut rules: Vec<FleetRule> = Vec::new();
        for s in self.servers {
            for r in &s.open {
                match rules.iter_mut().find(|f| f.stig_id == r.stig_id) {
                    Some(f) => f.servers.push(s.host.clone()),
                    None => rules.push(FleetRule {
                        stig_id: r.stig_id.clone(),
                        severity: r.severity,
                        title: r.title.clone(),
                        servers: vec![s.host.clone()],
                    }),
                }
            }
        }
        rules.sort_by(|a, b| {
            (
                cat_index(a.severity),
                std::cmp::Reverse(a.servers.len()),
                &a.stig_id,
            )
                .cmp(&(
                    cat_index(b.severity),
                    std::cmp::Reverse(b.servers.len()),
                    &b.stig_id,
                ))
        });
        rules
    }

    /// The fleet's change since the previous cycle, summed over the servers that had a
    /// previous checklist; `None` when none had.
    pub fn change(&self) -> Option<(usize, usize, usize, usize)> {
        let changes: Vec<Change> = self
            .servers
            .iter()
            .filter_map(ServerSummary::change)
            .collect();
        (!changes.is_empty()).then(|| {
            (
                changes.len(),
                changes.iter().map(|c| c.newly_open.len()).sum(),
                changes.iter().map(|c| c.fixed.len()).sum(),
                changes.iter().map(|c| c.still_open.len()).sum(),
            )
        })
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
    let _ = writeln!(out, "Not_Reviewed: {}", waiting_line(fleet));
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

/// The fleet's Not_Reviewed rules by what they wait for, in words: `3 needs a person, ...`.
fn waiting_line(fleet: &Fleet) -> String {
    WAITING_KINDS
        .iter()
        .enumerate()
        .map(|(kind, w)| {
            let n: usize = fleet
                .servers
                .iter()
                .map(|s| s.waiting.kinds()[kind].1.len())
                .sum();
            format!("{n} {}", w.label())
        })
        .collect::<Vec<_>>()
        .join(", ")
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
/// CAT, compliance, the Not_Reviewed rules by what they wait for, the change since the previous
/// cycle, the STIG IDs of the Open rules, the files read and written, and the error of a
/// failure; then one `fleet` row with the totals. Every row goes through [`write_csv_record`].
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
        [
            "compliance_percent",
            "decided_percent",
            "not_reviewed_needs_person",
            "not_reviewed_needs_site_value",
            "not_reviewed_input_not_collected",
            "newly_open",
            "fixed",
            "still_open",
            "open_rules",
            "inputs",
            "outputs",
            "merged_from",
            "error",
        ]
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
    let percent = |p: Option<f64>| p.map(|p| format!("{p:.1}")).unwrap_or_default();
    let counts_and_rates = |record: &mut Vec<String>, counts: &Counts| {
        for row in counts.0 {
            record.extend(row.iter().map(usize::to_string));
        }
        let (compliant, decided) = compliance(counts);
        record.push(percent(compliant));
        record.push(percent(decided));
    };
    for s in fleet.servers {
        let mut record = vec![
            s.host.clone(),
            "written".to_string(),
            s.role.map_or("", ServerRole::as_str).to_string(),
            s.benchmark_id.clone(),
            s.revision.clone(),
        ];
        counts_and_rates(&mut record, &s.counts);
        for (_, ids) in s.waiting.kinds() {
            record.push(ids.len().to_string());
        }
        match s.change() {
            Some(c) => {
                record.extend([c.newly_open, c.fixed, c.still_open].map(|ids| ids.join("; ")))
            }
            None => record.extend([String::new(), String::new(), String::new()]),
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
        // host and result, then empty cells up to inputs; outputs and merged_from empty; error.
        let mut record = vec![f.server.clone(), "failed".to_string()];
        record.resize(header.len() - 4, String::new());
        record.push(join(&f.inputs));
        record.push(String::new());
        record.push(String::new());
        record.push(f.message.clone());
        write_csv_record(&mut writer, &record)?;
    }
    let mut record = vec![
        "FLEET".to_string(),
        "fleet".to_string(),
        String::new(),
        String::new(),
        String::new(),
    ];
    counts_and_rates(&mut record, &fleet.totals());
    for kind in 0..3 {
        let n: usize = fleet
            .servers
            .iter()
            .map(|s| s.waiting.kinds()[kind].1.len())
            .sum();
        record.push(n.to_string());
    }
    match fleet.change() {
        Some((_, newly, fixed, still)) => {
            record.extend([newly, fixed, still].map(|n| n.to_string()))
        }
        None => record.extend([String::new(), String::new(), String::new()]),
    }
    record.resize(header.len(), String::new());
    write_csv_record(&mut writer, &record)?;
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
.meta{color:#555}details{margin:.3em 0}summary{cursor:pointer;font-weight:bold}\
.bar{display:inline-block;width:14em;height:.95em;background:#eee;vertical-align:middle;margin-right:.4em;white-space:nowrap;overflow:hidden}\
.bar span{display:inline-block;height:100%}.ids{font-size:.85em;text-align:left;max-width:40em}\
.headline{font-size:1.15em}td.nowrap{white-space:nowrap}";

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
    html_headline(&mut out, fleet, &totals);
    out.push_str(&chart(fleet, &totals));
    html_compliance(&mut out, fleet);
    html_open_rules(&mut out, fleet);
    html_change(&mut out, fleet);
    html_waiting(&mut out, fleet);
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

/// A bar of `parts` (value, color, label) on a scale of `scale` (the full width): every bar of
/// a table uses the same scale, so lengths compare across rows.
fn html_bar(parts: &[(f64, &str, String)], scale: f64) -> String {
    let mut out = String::from("<span class=\"bar\">");
    for (value, color, label) in parts {
        if *value <= 0.0 || scale <= 0.0 {
            continue;
        }
        let _ = write!(
            out,
            "<span style=\"width:{:.2}%;background:{color}\" title=\"{}\"></span>",
            100.0 * value / scale,
            esc(label)
        );
    }
    out.push_str("</span>");
    out
}

fn percent_text(p: Option<f64>) -> String {
    p.map_or("&ndash;".to_string(), |p| format!("{p:.1}%"))
}

/// The fleet's compliance and decided share, in words and bars.
fn html_headline(out: &mut String, fleet: &Fleet, totals: &Counts) {
    let (compliant, decided) = compliance(totals);
    let _ = writeln!(
        out,
        "<p class=\"headline\" id=\"fleet-compliance\">Fleet compliance: {} {} of the decided rules are NotAFinding or Not_Applicable.<br>Decided: {} {} of all rules have a status other than Not_Reviewed.</p>",
        html_bar(
            &[(compliant.unwrap_or(0.0), COLORS[1], "compliance".into())],
            100.0
        ),
        percent_text(compliant),
        html_bar(
            &[(decided.unwrap_or(0.0), "#1565c0", "decided".into())],
            100.0
        ),
        percent_text(decided)
    );
    let _ = writeln!(
        out,
        "<p>Not_Reviewed: {} ({}).</p>",
        totals.total(Status::NotReviewed),
        waiting_line(fleet)
    );
}

/// Compliance per server: one row each, bars on one scale.
fn html_compliance(out: &mut String, fleet: &Fleet) {
    let widest = fleet
        .servers
        .iter()
        .map(|s| STATUSES.iter().map(|st| s.counts.total(*st)).sum::<usize>())
        .max()
        .unwrap_or(0) as f64;
    out.push_str("<h2>Compliance per server</h2>\n<p class=\"meta\">Compliance = (NotAFinding + Not_Applicable) / (Open + NotAFinding + Not_Applicable); decided = rules with a status other than Not_Reviewed. The rules bar shows every status on one scale for all servers.</p>\n<table id=\"compliance\">\n<thead><tr><th class=\"text\">Server</th><th class=\"text\">Compliance</th><th class=\"text\">Decided</th><th class=\"text\">Rules by status</th><th>Open</th><th title=\"Not_Reviewed waiting for a person\">needs a person</th><th title=\"Not_Reviewed waiting for a site file value\">needs a site value</th><th title=\"Not_Reviewed waiting for an export\">input not collected</th></tr></thead>\n<tbody>\n");
    for s in fleet.servers {
        let (compliant, decided) = compliance(&s.counts);
        let parts: Vec<(f64, &str, String)> = STATUSES
            .iter()
            .zip(COLORS)
            .map(|(st, color)| {
                let n = s.counts.total(*st);
                (n as f64, color, format!("{}: {n}", st.ckl()))
            })
            .collect();
        let _ = writeln!(
            out,
            "<tr class=\"compliance\" data-host=\"{}\"><td class=\"host\">{}</td><td class=\"text nowrap\">{}{}</td><td class=\"text nowrap\">{}{}</td><td class=\"text nowrap\">{}</td><td{}>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&s.host),
            esc(&s.host),
            html_bar(
                &[(compliant.unwrap_or(0.0), COLORS[1], "compliance".into())],
                100.0
            ),
            percent_text(compliant),
            html_bar(
                &[(decided.unwrap_or(0.0), "#1565c0", "decided".into())],
                100.0
            ),
            percent_text(decided),
            html_bar(&parts, widest),
            if s.counts.total(Status::Open) > 0 {
                " class=\"open\""
            } else {
                ""
            },
            s.counts.total(Status::Open),
            s.waiting.person.len(),
            s.waiting.site_value.len(),
            s.waiting.input.len()
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The rules Open on the most servers, CAT I first.
fn html_open_rules(out: &mut String, fleet: &Fleet) {
    let rules = fleet.open_rules();
    out.push_str("<h2>Rules Open across the fleet</h2>\n");
    if rules.is_empty() {
        out.push_str("<p>No rule is Open on any server.</p>\n");
        return;
    }
    let servers = fleet.servers.len() as f64;
    out.push_str("<p class=\"meta\">CAT I first, then the rules Open on the most servers: fixing one rule here fixes it on every server listed.</p>\n<table id=\"open-rules\">\n<thead><tr><th class=\"text\">CAT</th><th class=\"text\">STIG ID</th><th class=\"text\">Title</th><th class=\"text\">Servers Open</th><th class=\"text\">Servers</th></tr></thead>\n<tbody>\n");
    for r in rules {
        let n = r.servers.len();
        let _ = writeln!(
            out,
            "<tr class=\"open-rule\" data-stig-id=\"{}\"><td class=\"text nowrap\">{}</td><td class=\"text nowrap\">{}</td><td class=\"text\">{}</td><td class=\"text nowrap\">{}{n} of {}</td><td class=\"ids\">{}</td></tr>",
            esc(&r.stig_id),
            r.severity.map_or("CAT II", Severity::category),
            esc(&r.stig_id),
            esc(&r.title),
            html_bar(&[(n as f64, COLORS[0], format!("{n} servers"))], servers),
            fleet.servers.len(),
            esc(&r.servers.join(", "))
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Newly Open, fixed and still Open since the previous cycle, when there was one.
fn html_change(out: &mut String, fleet: &Fleet) {
    let Some((compared, newly, fixed, still)) = fleet.change() else {
        return;
    };
    let _ = writeln!(
        out,
        "<h2>Since the previous cycle</h2>\n<p id=\"change\">{compared} of {} servers compared with their previous checklist: <b>{newly}</b> newly Open, <b>{fixed}</b> fixed, <b>{still}</b> still Open.</p>",
        fleet.servers.len()
    );
    let scale = fleet
        .servers
        .iter()
        .filter_map(ServerSummary::change)
        .map(|c| c.newly_open.len() + c.fixed.len() + c.still_open.len())
        .max()
        .unwrap_or(0) as f64;
    out.push_str("<table id=\"changes\">\n<thead><tr><th class=\"text\">Server</th><th class=\"text\">Change</th><th class=\"text\">Newly Open</th><th class=\"text\">Fixed</th><th class=\"text\">Still Open</th></tr></thead>\n<tbody>\n");
    for s in fleet.servers {
        let Some(c) = s.change() else {
            continue;
        };
        let parts = [
            (
                c.newly_open.len() as f64,
                COLORS[0],
                format!("newly Open: {}", c.newly_open.len()),
            ),
            (
                c.still_open.len() as f64,
                "#ef9a9a",
                format!("still Open: {}", c.still_open.len()),
            ),
            (
                c.fixed.len() as f64,
                COLORS[1],
                format!("fixed: {}", c.fixed.len()),
            ),
        ];
        let _ = writeln!(
            out,
            "<tr class=\"change\" data-host=\"{}\"><td class=\"host\">{}</td><td class=\"text nowrap\">{}</td><td class=\"ids\">{}</td><td class=\"ids\">{}</td><td class=\"ids\">{}</td></tr>",
            esc(&s.host),
            esc(&s.host),
            html_bar(&parts, scale),
            esc(&c.newly_open.join(", ")),
            esc(&c.fixed.join(", ")),
            esc(&c.still_open.join(", "))
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The Not_Reviewed rules of the fleet by what they wait for, with how many servers each.
fn html_waiting(out: &mut String, fleet: &Fleet) {
    out.push_str("<h2>Not_Reviewed: what each rule waits for</h2>\n<p class=\"meta\">needs a person: rules exstig does not evaluate (documentation, procedures; an [[answer]] in the site file records them once for every server), judgements, lapsed answers or exceptions. needs a site value: a [values] entry or connector scope in the site file. input not collected: an export the inventory lacks.</p>\n<table id=\"waiting\">\n<thead><tr><th class=\"text\">Waiting for</th><th>Rules</th><th class=\"text\">Rules (servers)</th></tr></thead>\n<tbody>\n");
    for (kind, waiting_for) in WAITING_KINDS.iter().enumerate() {
        let mut rules: Vec<(String, usize)> = Vec::new();
        for s in fleet.servers {
            for id in s.waiting.kinds()[kind].1 {
                match rules.iter_mut().find(|(r, _)| r == id) {
                    Some((_, n)) => *n += 1,
                    None => rules.push((id.clone(), 1)),
                }
            }
        }
        rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let label = waiting_for.label();
        let list: Vec<String> = rules.iter().map(|(id, n)| format!("{id} ({n})")).collect();
        let _ = writeln!(
            out,
            "<tr class=\"waiting\"><td class=\"text\">{label}</td><td>{}</td><td class=\"ids\">{}</td></tr>",
            rules.len(),
            esc(&list.join(", "))
        );
    }
    out.push_str("</tbody>\n</table>\n");
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
    // Every bar of a kind shares one scale (the longest), so lengths compare.
    let bar = |svg: &mut String,
               y: usize,
               label: &str,
               parts: &[(usize, &str, String)],
               scale: usize| {
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
            let w = BAR as f64 * *value as f64 / scale.max(1) as f64;
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
    let cat_scale = (0..3)
        .map(|cat| {
            STATUSES
                .iter()
                .map(|st| totals.get(*st, cat))
                .sum::<usize>()
        })
        .max()
        .unwrap_or(0);
    for (cat, name) in CATS.iter().enumerate() {
        let parts: Vec<(usize, &str, String)> = STATUSES
            .iter()
            .zip(COLORS)
            .map(|(status, color)| {
                let n = totals.get(*status, cat);
                (n, color, format!("{name} {}: {n}", status.ckl()))
            })
            .collect();
        bar(&mut svg, 32 + cat * ROW, name, &parts, cat_scale);
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
        "worst CAT II",
        "worst CAT III",
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
    let server_scale = fleet.servers.len() + fleet.failures.len();
    bar(&mut svg, 32 + 3 * ROW + 8, "Servers", &parts, server_scale);
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
