//! Batch mode (`exstig evaluate --inventory-dir DIR --out-dir OUT`): a whole fleet in one run.
//!
//! 1. **Grouping.** Every inventory file under `DIR` (recursively; `.json`, `.xml`, `.clixml`,
//!    `.csv`, `.txt`; hidden files and the output folders are skipped) is read on its own to learn
//!    the server it describes (`HostFacts::host_name`, case-insensitive). A file that names no
//!    server (a `Get-TransportConfig` or `Get-SendConnector` export) belongs to the server whose
//!    name is a folder on its path (`DIR/MBX01/send.json`) or starts its file name followed by a
//!    non-alphanumeric character (`MBX01-send.json`, `mbx01.transport-config.json`); when none
//!    does, it is organization-wide and is read with every server.
//! 2. **Benchmark per server.** `--benchmark FILE` or an exact `--stig NAME`: that one for all.
//!    `--benchmark-dir DIR` (every DISA `.xml`/`.zip`/derived `.json` in it) or a catalog prefix
//!    (`--stig exchange-2019` selects exchange-2019-edge and exchange-2019-mailbox): the newest
//!    release of each STIG, then the one written for the server's role (Edge or Mailbox). A server
//!    whose role is unknown, or with several STIGs for its role (two Exchange versions), fails
//!    with a message saying how to choose.
//! 3. **Per server**, in parallel on all cores (rayon; `--jobs N` to bound it): read its files,
//!    evaluate, merge into its previous checklist from `--merge-dir` when there is one, write the
//!    files, keep only a small [`ServerSummary`]. At most one checklist per worker thread is in
//!    memory, never the fleet's.
//!
//! # Output names
//!
//! `OUT/<host>_<benchmark id>_V<version>R<release>.<ext>` with `ext` = `ckl`, `cklb`, or `xml`
//! (XCCDF results), e.g. `EDGE01_MS_Exchange_2019_Edge_Server_STIG_V2R1.ckl`. Characters other
//! than letters, digits, `-` and `.` in the host name become `_`. `--merge-dir PREV` looks for the
//! previous checklist of a server under the same name (same release first, else the newest
//! release of that host and STIG; `.ckl` before `.cklb`); `PREV` may be `OUT` itself. Merged into
//! an older release, the checklist keeps that release (and its name): rules are matched as
//! `exstig merge` matches them, and the server's notes say so. A CKLB beside the previous CKL
//! lends its document to the new CKLB (same `id` and rule UUIDs).
//!
//! # Exit codes
//!
//! [`EXIT_OK`] 0: every server written (and no Open rule at the `--fail-on` level);
//! [`EXIT_FINDINGS`] 1: every server written, some with Open rules at the `--fail-on` level;
//! [`EXIT_PARTIAL`] 3: some servers failed, the others were written;
//! [`EXIT_ERROR`] 2: no server could be processed, or a usage error (nothing written).
//!
//! # Isolation
//!
//! Whatever goes wrong with one server is that server's failure in the report and the
//! summaries, never the run's: an unreadable file, a bad previous checklist, a write that
//! fails, and (as the last line of defence against a bug) a panic while reading its files or
//! evaluating and writing them, which is caught and reported as the server's failure.
//! `--out-dir` may not be the inventory folder (the next run would read its own outputs);
//! inside it, it is skipped.

use crate::benchmark::Benchmark;
use crate::checklist::{Asset, Checklist, ckl, cklb};
use crate::error::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, Error, Result};
use crate::evaluate::{AssetArgs, FailOn};
use crate::inventory::ServerRole;
use crate::merge::{MergePolicy, merge_into, stig_key};
use crate::site::Site;
use crate::summary::{Counts, Fleet, OpenRule, ServerFailure, ServerSummary, Waiting};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Exit code of a batch run where some servers failed and the others were written.
pub const EXIT_PARTIAL: i32 = 3;

/// File extensions read from the inventory folder (any case).
pub const INVENTORY_EXTENSIONS: [&str; 5] = ["json", "xml", "clixml", "csv", "txt"];

/// The files a batch writes per server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum OutputFormat {
    /// STIG Viewer 2.x checklist (`.ckl`).
    Ckl,
    /// STIG Viewer 3 checklist (`.cklb`).
    Cklb,
    /// XCCDF 1.2 results (`.xml`).
    Xccdf,
}

impl OutputFormat {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Ckl => "ckl",
            OutputFormat::Cklb => "cklb",
            OutputFormat::Xccdf => "xml",
        }
    }
}

/// Where the benchmarks come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BenchmarkChoice {
    /// One DISA file for every server.
    File(PathBuf),
    /// A catalog name (one for all) or a catalog name prefix (one per role).
    Catalog(String),
    /// A folder of DISA files: the newest release per STIG, one per role.
    Dir(PathBuf),
}

/// What a batch run does.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// The folder of inventory files.
    pub inventory_dir: PathBuf,
    /// The benchmark(s).
    pub benchmarks: BenchmarkChoice,
    /// Where the files go (created when missing).
    pub out_dir: PathBuf,
    /// Which files to write per server (at least one).
    pub formats: Vec<OutputFormat>,
    /// The previous run's output to merge into.
    pub merge_dir: Option<PathBuf>,
    /// The previous cycle's output folder to compare with (`--previous`), for the summary's
    /// "since the previous cycle" (without it, `merge_dir` serves).
    pub previous_dir: Option<PathBuf>,
    /// Upgrade a previous checklist of an older release to the benchmark's before merging
    /// (see [`crate::upgrade`]); without it the checklist keeps its release.
    pub upgrade: bool,
    /// Site file.
    pub site: Option<PathBuf>,
    /// ROLE, MARKING, TECH_AREA for every checklist (host facts come from each inventory).
    pub asset: AssetArgs,
    /// How results merge into previous checklists.
    pub policy: MergePolicy,
    /// Worker threads; `None` = all cores.
    pub jobs: Option<usize>,
    /// Show a progress bar on stderr when it is a terminal.
    pub progress: bool,
    /// Keep the Open rules' finding details in the report (for an HTML summary); without them
    /// the report holds a few hundred bytes per server.
    pub open_details: bool,
    /// How existing output files are treated (`--force`: read-only ones replaced too); with
    /// `force`, a server whose inventory contradicts the benchmark is evaluated anyway.
    pub write: crate::fsio::WriteOptions,
}

/// What a batch run made.
#[derive(Debug, Clone)]
pub struct BatchReport {
    /// Servers written, in host name order.
    pub servers: Vec<ServerSummary>,
    /// Servers (or files) that failed, in name order.
    pub failures: Vec<ServerFailure>,
    /// Run-level warnings: benchmarks or files passed over, site asset fields ignored.
    pub warnings: Vec<String>,
    /// When the run started.
    pub started: chrono::DateTime<chrono::Utc>,
}

impl BatchReport {
    /// The summaries' view of the report.
    pub fn fleet(&self) -> Fleet<'_> {
        Fleet {
            servers: &self.servers,
            failures: &self.failures,
            started: self.started,
            warnings: &self.warnings,
        }
    }

    /// The documented exit code (see the module doc); `fail_on` tells which Open rules count.
    pub fn exit_code(&self, fail_on: Option<FailOn>) -> i32 {
        if self.servers.is_empty() {
            return EXIT_ERROR;
        }
        if !self.failures.is_empty() {
            return EXIT_PARTIAL;
        }
        let failing = fail_on.is_some_and(|level| {
            self.servers
                .iter()
                .flat_map(|s| &s.open)
                .any(|r| level.matches(r.severity))
        });
        if failing { EXIT_FINDINGS } else { EXIT_OK }
    }
}

/// Runs a batch: see the module doc. Errors only for problems of the whole run (no inventory
/// files, no benchmark, unreadable site file, output folder not writable); a server's problem
/// is a [`ServerFailure`] in the report.
pub fn run(opts: &BatchOptions) -> Result<BatchReport> {
    match opts.jobs {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| Error::Usage(format!("--jobs {n}: {e}")))?
            .install(|| run_in_pool(opts)),
        None => run_in_pool(opts),
    }
}

fn run_in_pool(opts: &BatchOptions) -> Result<BatchReport> {
    let started = chrono::Utc::now();
    if opts.formats.is_empty() {
        return Err(Error::Usage(
            "--format needs at least one of ckl, cklb, xccdf".into(),
        ));
    }
    for (flag, value) in [
        ("--host-name", &opts.asset.host_name),
        ("--fqdn", &opts.asset.fqdn),
        ("--ip", &opts.asset.ip),
        ("--mac", &opts.asset.mac),
    ] {
        if value.is_some() {
            return Err(Error::Usage(format!(
                "{flag} names one host; in batch mode each checklist takes its host facts from its own inventory"
            )));
        }
    }
    let mut warnings = Vec::new();
    let site = match &opts.site {
        Some(path) => Site::load(path)?,
        None => Site::default(),
    };
    let a = &site.asset;
    if a.host_name.is_some() || a.fqdn.is_some() || a.ip.is_some() || a.mac.is_some() {
        warnings.push(format!(
            "{}: [asset] host_name, fqdn, ip and mac are ignored in batch mode (each checklist takes them from its inventory)",
            site.display_name()
        ));
    }
    if same_folder(&opts.out_dir, &opts.inventory_dir) {
        return Err(Error::Usage(format!(
            "--out-dir {} is the inventory folder: the next run would read its own outputs as inventories; give another folder (a subfolder is fine: it is skipped)",
            opts.out_dir.display()
        )));
    }
    let benchmarks = Benchmarks::load(&opts.benchmarks, &mut warnings)?;
    let files = inventory_files(opts, &mut warnings)?;
    if files.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no inventory files ({}) found",
            opts.inventory_dir.display(),
            INVENTORY_EXTENSIONS.join(", ")
        )));
    }
    let out_dir_was_missing = !opts.out_dir.exists();
    std::fs::create_dir_all(&opts.out_dir).map_err(|e| Error::io(&opts.out_dir, e))?;
    let previous = match &opts.merge_dir {
        Some(dir) => PreviousIndex::scan(dir)?,
        None => PreviousIndex::default(),
    };
    let compare_with =
        match &opts.previous_dir {
            Some(dir) => Some(PreviousIndex::scan(dir).map_err(|_| {
                Error::Usage(format!("--previous {}: no such folder", dir.display()))
            })?),
            None => None,
        };
    let (groups, mut failures) = group_files(&opts.inventory_dir, files);
    let groups = without_name_clashes(groups, &mut failures);
    let bar = progress_bar(opts.progress, groups.len() as u64);
    let job = Job {
        opts,
        site: &site,
        benchmarks: &benchmarks,
        previous: &previous,
        compare_with: compare_with.as_ref(),
    };
    let outcomes: Vec<std::result::Result<ServerSummary, ServerFailure>> = groups
        .par_iter()
        .map(|group| {
            let outcome = job.isolated_server(group);
            bar.inc(1);
            outcome
        })
        .collect();
    bar.finish_and_clear();
    let mut servers = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(summary) => servers.push(summary),
            Err(failure) => failures.push(failure),
        }
    }
    if out_dir_was_missing && servers.is_empty() {
        // Nothing was processed: leave no empty --out-dir behind (remove_dir keeps a non-empty one).
        let _ = std::fs::remove_dir(&opts.out_dir);
    }
    servers.sort_by(|a, b| a.host.cmp(&b.host));
    failures.sort_by(|a, b| a.server.cmp(&b.server));
    Ok(BatchReport {
        servers,
        failures,
        warnings,
        started,
    })
}

/// Whether two paths name the same existing folder.
fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Runs `work`, turning a panic into an error message: the last line of defence that keeps one
/// server's bug from ending the run for the others.
fn isolated<T>(
    work: impl FnOnce() -> std::result::Result<T, String>,
) -> std::result::Result<T, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(format!(
                "exstig failed on this server's files (an internal error, please report it: {what}); nothing was written for it, the other servers were processed"
            ))
        }
    }
}

/// A progress bar on stderr when asked for and stderr is a terminal; hidden otherwise.
fn progress_bar(wanted: bool, len: u64) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !wanted || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} servers ({eta} left)",
    ) {
        bar.set_style(style);
    }
    bar
}

/// The benchmarks a run chooses from.
#[derive(Debug)]
pub struct Benchmarks {
    /// The candidates, newest release of each STIG.
    list: Vec<Benchmark>,
    /// One benchmark for every server, whatever its role.
    fixed: bool,
}

impl Benchmarks {
    /// Loads the benchmarks of `choice`; files of a benchmark folder that are not benchmarks are
    /// passed over with a warning.
    pub fn load(choice: &BenchmarkChoice, warnings: &mut Vec<String>) -> Result<Benchmarks> {
        let (list, fixed) = match choice {
            BenchmarkChoice::File(path) => (vec![crate::benchmark::load(path)?], true),
            BenchmarkChoice::Catalog(name) => {
                if let Some(b) = crate::catalog::get(name) {
                    (vec![b], true)
                } else {
                    let prefix = name.trim().to_ascii_lowercase();
                    let list: Vec<Benchmark> = crate::catalog::names()
                        .into_iter()
                        .filter(|n| !prefix.is_empty() && n.starts_with(&prefix))
                        .filter_map(crate::catalog::get)
                        .collect();
                    if list.is_empty() {
                        return Err(Error::Usage(format!(
                            "unknown STIG name '{name}'; the catalog has: {} (a prefix such as exchange-2019 picks the Edge or Mailbox STIG by each server's role)",
                            crate::catalog::names().join(", ")
                        )));
                    }
                    (list, false)
                }
            }
            BenchmarkChoice::Dir(dir) => (load_dir(dir, warnings)?, false),
        };
        for b in &list {
            if b.rules.is_empty() {
                return Err(Error::Usage(format!("benchmark {} has no rules", b.id)));
            }
        }
        Ok(Benchmarks { list, fixed })
    }

    /// Every candidate.
    pub fn list(&self) -> &[Benchmark] {
        &self.list
    }

    /// The benchmark for a server of `role` (see the module doc), or why there is none.
    pub fn select(&self, role: Option<ServerRole>) -> std::result::Result<&Benchmark, String> {
        if self.fixed || self.list.len() == 1 {
            return self.list.first().ok_or_else(|| "no benchmark".to_string());
        }
        let names = |list: &[&Benchmark]| {
            list.iter()
                .map(|b| format!("{} {}", b.id, b.revision()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some(role) = role else {
            return Err(format!(
                "the inventory does not show the server's role (Edge or Mailbox), so exstig cannot choose among {}; add the host block's \"role\" to the bundle, or give --stig NAME or --benchmark FILE",
                names(&self.list.iter().collect::<Vec<_>>())
            ));
        };
        let matching: Vec<&Benchmark> = self
            .list
            .iter()
            .filter(|b| crate::checks::benchmark_role(b) == Some(role))
            .collect();
        match matching.as_slice() {
            [one] => Ok(one),
            [] => Err(format!(
                "no benchmark for an {} server among {}",
                role.as_str(),
                names(&self.list.iter().collect::<Vec<_>>())
            )),
            several => Err(format!(
                "several benchmarks for an {} server: {}; exstig cannot tell the Exchange version from the inventory — give --stig NAME, or a --benchmark-dir with one Exchange version",
                role.as_str(),
                names(several)
            )),
        }
    }
}

/// The newest release of every benchmark in `dir` (`.xml`, `.zip`, `.json`).
fn load_dir(dir: &Path, warnings: &mut Vec<String>) -> Result<Vec<Benchmark>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && has_extension(p, &["xml", "zip", "json"]))
        .collect();
    paths.sort();
    let loaded: Vec<(PathBuf, Result<Benchmark>)> = paths
        .into_par_iter()
        .map(|p| {
            let b = crate::benchmark::load(&p);
            (p, b)
        })
        .collect();
    let mut newest: BTreeMap<String, Benchmark> = BTreeMap::new();
    for (path, result) in loaded {
        match result {
            Ok(b) => {
                let key = b.id.clone();
                let replace = newest
                    .get(&key)
                    .is_none_or(|old| release_key(&b) > release_key(old));
                if replace {
                    newest.insert(key, b);
                }
            }
            Err(e) => warnings.push(format!(
                "{} is passed over: not a benchmark exstig can read ({e})",
                path.display()
            )),
        }
    }
    if newest.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no DISA benchmark (.xml, .zip or derived .json) found",
            dir.display()
        )));
    }
    Ok(newest.into_values().collect())
}

/// Orders releases of one STIG: version, release number, then benchmark date text.
fn release_key(b: &Benchmark) -> (u32, u32, chrono::NaiveDate) {
    let date = chrono::NaiveDate::parse_from_str(b.release_date(), "%d %b %Y").unwrap_or_default();
    (
        b.version.trim().parse().unwrap_or(0),
        b.release_number().unwrap_or(0),
        date,
    )
}

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| extensions.contains(&e.as_str()))
}

/// The inventory files under the inventory folder, sorted; the output and merge folders and
/// hidden entries are skipped.
fn inventory_files(opts: &BatchOptions, warnings: &mut Vec<String>) -> Result<Vec<PathBuf>> {
    let skip: Vec<PathBuf> = [Some(&opts.out_dir), opts.merge_dir.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    let mut files = Vec::new();
    let mut ignored = 0usize;
    let mut stack = vec![opts.inventory_dir.clone()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
            if kind.is_dir() {
                let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
                if !skip.contains(&canonical) {
                    stack.push(path);
                }
            } else if has_extension(&path, &INVENTORY_EXTENSIONS) {
                files.push(path);
            } else {
                ignored += 1;
            }
        }
    }
    if ignored > 0 {
        warnings.push(format!(
            "{ignored} files under {} are not inventory files ({}) and were ignored",
            opts.inventory_dir.display(),
            INVENTORY_EXTENSIONS.join(", ")
        ));
    }
    files.sort();
    Ok(files)
}

/// The files of one server.
#[derive(Debug, Clone, Default)]
struct ServerGroup {
    /// Host name as the first file spells it.
    host: String,
    /// Its own files, then the organization-wide ones.
    files: Vec<PathBuf>,
    /// Its files that could not be read, with why.
    broken: Vec<String>,
}

/// What reading one file alone told.
enum FileHost {
    /// The file names this server.
    Named(String),
    /// The file names no server.
    Unnamed,
    /// The file cannot be read.
    Broken(String),
}

/// Groups the files by server (see the module doc); files that cannot be read and cannot be tied
/// to a server are failures of their own.
fn group_files(root: &Path, files: Vec<PathBuf>) -> (Vec<ServerGroup>, Vec<ServerFailure>) {
    let hosts: Vec<FileHost> = files
        .par_iter()
        .map(|path| {
            let read = isolated(|| {
                crate::inventory::read_files(std::slice::from_ref(path)).map_err(|e| e.to_string())
            });
            match read {
                Ok(inventory) => match inventory.host.host_name {
                    Some(name) if !name.trim().is_empty() => {
                        FileHost::Named(name.trim().to_string())
                    }
                    _ => FileHost::Unnamed,
                },
                Err(message) => FileHost::Broken(message),
            }
        })
        .collect();
    let mut groups: BTreeMap<String, ServerGroup> = BTreeMap::new();
    for (path, host) in files.iter().zip(&hosts) {
        if let FileHost::Named(name) = host {
            let group = groups.entry(name.to_ascii_uppercase()).or_default();
            if group.host.is_empty() {
                group.host = name.clone();
            }
            group.files.push(path.clone());
        }
    }
    let mut shared = Vec::new();
    let mut failures = Vec::new();
    for (path, host) in files.iter().zip(hosts) {
        let owner = || owner_by_name(root, path, &groups);
        match host {
            FileHost::Named(_) => {}
            FileHost::Unnamed => match owner() {
                Some(key) => {
                    if let Some(g) = groups.get_mut(&key) {
                        g.files.push(path.clone());
                    }
                }
                None => shared.push(path.clone()),
            },
            FileHost::Broken(message) => match owner() {
                Some(key) => {
                    if let Some(g) = groups.get_mut(&key) {
                        g.files.push(path.clone());
                        g.broken.push(message);
                    }
                }
                None => failures.push(ServerFailure {
                    server: path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    inputs: vec![path.clone()],
                    message: format!(
                        "{message} (the file could not be read, so its server is unknown; no checklist was written for it)"
                    ),
                }),
            },
        }
    }
    let groups = groups
        .into_values()
        .map(|mut g| {
            g.files.extend(shared.iter().cloned());
            g
        })
        .collect();
    (groups, failures)
}

/// Drops servers whose output names would be those of an earlier server (host names that
/// differ only in characters [`file_name_part`] replaces), as failures.
fn without_name_clashes(
    groups: Vec<ServerGroup>,
    failures: &mut Vec<ServerFailure>,
) -> Vec<ServerGroup> {
    let mut taken: HashMap<String, String> = HashMap::new();
    groups
        .into_iter()
        .filter(|g| {
            let name = file_name_part(&g.host).to_ascii_uppercase();
            match taken.get(&name) {
                Some(first) => {
                    failures.push(ServerFailure {
                        server: g.host.clone(),
                        inputs: g.files.clone(),
                        message: format!(
                            "its checklists would have the same file names as those of {first} ({name}_...); rename one host in its inventory"
                        ),
                    });
                    false
                }
                None => {
                    taken.insert(name, g.host.clone());
                    true
                }
            }
        })
        .collect()
}

/// The server (group key) a file belongs to by its folder or file name, the longest match.
fn owner_by_name(
    root: &Path,
    path: &Path,
    groups: &BTreeMap<String, ServerGroup>,
) -> Option<String> {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let mut components: Vec<String> = relative
        .parent()
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().to_ascii_uppercase())
                .collect()
        })
        .unwrap_or_default();
    components.reverse();
    if let Some(dir) = components.iter().find(|c| groups.contains_key(*c)) {
        return Some(dir.clone());
    }
    let name = path.file_name()?.to_string_lossy().to_ascii_uppercase();
    groups
        .keys()
        .filter(|key| {
            name.strip_prefix(key.as_str())
                .and_then(|rest| rest.chars().next())
                .is_some_and(|c| !c.is_ascii_alphanumeric())
        })
        .max_by_key(|key| key.len())
        .cloned()
}

/// `name` with characters other than letters, digits, `-`, `.` replaced by `_`.
pub fn file_name_part(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The output file name of a server's checklist: `<host>_<benchmark id>_V<v>R<r>.<ext>`.
pub fn output_name(host: &str, benchmark_id: &str, revision: &str, format: OutputFormat) -> String {
    format!(
        "{}_{}_{}.{}",
        file_name_part(host),
        file_name_part(benchmark_id),
        revision,
        format.extension()
    )
}

/// The previous checklists of `--merge-dir`, by host and benchmark id.
#[derive(Debug, Default)]
struct PreviousIndex {
    /// `lowercase "<host>_<benchmark id>"` to (version, release, format, path).
    by_key: HashMap<String, Vec<(u32, u32, OutputFormat, PathBuf)>>,
}

impl PreviousIndex {
    fn scan(dir: &Path) -> Result<PreviousIndex> {
        let mut index = PreviousIndex::default();
        if !dir.exists() {
            return Err(Error::Usage(format!(
                "--merge-dir {}: no such folder",
                dir.display()
            )));
        }
        for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let path = entry.map_err(|e| Error::io(dir, e))?.path();
            let Some((key, version, release, format)) = parse_output_name(&path) else {
                continue;
            };
            index
                .by_key
                .entry(key)
                .or_default()
                .push((version, release, format, path));
        }
        Ok(index)
    }

    /// The previous checklist of `host` for `benchmark`: the same release first, else the newest;
    /// CKL before CKLB.
    fn find(&self, host: &str, benchmark: &Benchmark) -> Option<&Path> {
        let key = format!("{}_{}", file_name_part(host), file_name_part(&benchmark.id))
            .to_ascii_lowercase();
        let candidates = self.by_key.get(&key)?;
        let wanted = (
            benchmark.version.trim().parse::<u32>().unwrap_or(0),
            benchmark.release_number().unwrap_or(0),
        );
        candidates
            .iter()
            .max_by_key(|(v, r, f, _)| ((*v, *r) == wanted, (*v, *r), *f == OutputFormat::Ckl))
            .map(|(_, _, _, p)| p.as_path())
    }
}

/// Splits `<host>_<id>_V<v>R<r>.ckl|.cklb` into its lowercase key, version, release and format.
fn parse_output_name(path: &Path) -> Option<(String, u32, u32, OutputFormat)> {
    let format = match path
        .extension()?
        .to_string_lossy()
        .to_ascii_lowercase()
        .as_str()
    {
        "ckl" => OutputFormat::Ckl,
        "cklb" => OutputFormat::Cklb,
        _ => return None,
    };
    let stem = path.file_stem()?.to_string_lossy().into_owned();
    let (key, revision) = stem.rsplit_once('_')?;
    let (version, release) = revision.strip_prefix(['V', 'v'])?.split_once(['R', 'r'])?;
    Some((
        key.to_ascii_lowercase(),
        version.parse().ok()?,
        release.parse().ok()?,
        format,
    ))
}

/// What every server's work shares.
struct Job<'a> {
    opts: &'a BatchOptions,
    site: &'a Site,
    benchmarks: &'a Benchmarks,
    previous: &'a PreviousIndex,
    /// `--previous DIR`, when given.
    compare_with: Option<&'a PreviousIndex>,
}

impl Job<'_> {
    /// [`Job::server`], with a panic caught as the server's failure.
    fn isolated_server(
        &self,
        group: &ServerGroup,
    ) -> std::result::Result<ServerSummary, ServerFailure> {
        match isolated(|| Ok(self.server(group))) {
            Ok(outcome) => outcome,
            Err(message) => Err(ServerFailure {
                server: group.host.clone(),
                inputs: group.files.clone(),
                message,
            }),
        }
    }

    /// Evaluates and writes one server; everything that goes wrong is its failure.
    fn server(&self, group: &ServerGroup) -> std::result::Result<ServerSummary, ServerFailure> {
        let fail = |message: String| ServerFailure {
            server: group.host.clone(),
            inputs: group.files.clone(),
            message,
        };
        if !group.broken.is_empty() {
            return Err(fail(group.broken.join("\n")));
        }
        self.evaluate_and_write(group).map_err(fail)
    }

    fn evaluate_and_write(
        &self,
        group: &ServerGroup,
    ) -> std::result::Result<ServerSummary, String> {
        let start = chrono::Utc::now();
        let inventory = crate::inventory::read_files(&group.files).map_err(|e| e.to_string())?;
        if inventory.objects.is_empty() {
            return Err("the inventory holds no Exchange objects (empty export?)".into());
        }
        let role = inventory.host.role;
        let benchmark = self.benchmarks.select(role)?;
        let asset = self.asset(benchmark, &inventory, &group.host)?;
        if !self.opts.write.force {
            crate::guard::check_stig_fits(benchmark, &inventory, Some(&asset.host_name))
                .map_err(|e| e.to_string())?;
        }
        let evaluation = crate::evaluate::evaluate(benchmark, &inventory, self.site, asset);
        let mut notes: Vec<String> = inventory
            .skipped
            .iter()
            .map(|s| format!("skipped {s}"))
            .collect();
        notes.extend(evaluation.warnings.iter().cloned());
        let previous = self.previous.find(&group.host, benchmark);
        let mut previous_open = match self.compare_with {
            Some(index) => match index.find(&group.host, benchmark) {
                Some(path) => Some(
                    read_previous(path)
                        .map(|c| open_stig_ids(&c, &benchmark.id))
                        .map_err(|e| format!("{e} (the previous checklist from --previous)"))?,
                ),
                None => {
                    notes.push("no checklist of this server in --previous".into());
                    None
                }
            },
            None => None,
        };
        let checklist = match previous {
            Some(path) => {
                let mut existing = read_previous(path).map_err(|e| {
                    format!("{e} (the previous checklist from --merge-dir; fix or move it so it is not overwritten unread)")
                })?;
                if self.compare_with.is_none() {
                    previous_open = Some(open_stig_ids(&existing, &benchmark.id));
                }
                let upgraded =
                    self.opts.upgrade && upgrade_previous(&mut existing, benchmark, &mut notes)?;
                let report = merge_into(&mut existing, &evaluation.checklist, &self.opts.policy);
                notes.extend(report.notes.iter().cloned());
                if !upgraded
                    && self.opts.formats.contains(&OutputFormat::Cklb)
                    && let Some(note) = keep_cklb_identity(&mut existing, path)
                {
                    notes.push(note);
                }
                if report.conflicts() > 0 {
                    notes.push(format!(
                        "{} rules where a human review and the automatic result disagree (kept the review; see exstig merge --report)",
                        report.conflicts()
                    ));
                }
                existing
            }
            None => evaluation.checklist,
        };
        notes.extend(
            crate::checklist::overlong_texts(&checklist)
                .iter()
                .map(ToString::to_string),
        );
        let end = chrono::Utc::now();
        let stig = checklist
            .stigs
            .iter()
            .find(|s| stig_key(s) == benchmark.id)
            .or_else(|| checklist.stigs.first())
            .ok_or("the checklist has no STIG")?;
        let revision = match crate::merge::release_of(stig) {
            r if r.starts_with('V') => r,
            _ => benchmark.revision(),
        };
        let outputs = self.write(&group.host, benchmark, &revision, &checklist, start, end)?;
        Ok(ServerSummary {
            host: checklist.asset.host_name.clone(),
            role,
            benchmark_id: benchmark.id.clone(),
            revision,
            counts: Counts::of_stig(stig),
            open: OpenRule::of_stig(stig, self.opts.open_details),
            waiting: Waiting::of(stig, &evaluation.results),
            previous_open,
            inputs: group.files.clone(),
            outputs,
            merged_from: previous.map(Path::to_path_buf),
            notes,
        })
    }

    /// The ASSET: host facts from this server's inventory only, the site's other `[asset]`
    /// fields, then the command line's ROLE / MARKING / TECH_AREA.
    fn asset(
        &self,
        benchmark: &Benchmark,
        inventory: &crate::inventory::Inventory,
        host: &str,
    ) -> std::result::Result<Asset, String> {
        let mut asset = crate::evaluate::asset_from(benchmark, inventory, self.site);
        let facts = &inventory.host;
        let fact = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_string();
        asset.host_name = facts
            .host_name
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .unwrap_or(host)
            .to_string();
        asset.host_fqdn = fact(&facts.fqdn);
        asset.host_ip = fact(&facts.ip);
        asset.host_mac = fact(&facts.mac);
        self.opts
            .asset
            .apply(&mut asset)
            .map_err(|e| e.to_string())?;
        Ok(asset)
    }

    /// Renders and writes the server's files together (all or none).
    fn write(
        &self,
        host: &str,
        benchmark: &Benchmark,
        revision: &str,
        checklist: &Checklist,
        start: chrono::DateTime<chrono::Utc>,
        end: chrono::DateTime<chrono::Utc>,
    ) -> std::result::Result<Vec<PathBuf>, String> {
        let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        for &format in &self.opts.formats {
            let bytes = match format {
                OutputFormat::Ckl => ckl::write(checklist).into_bytes(),
                OutputFormat::Cklb => cklb::write(checklist)
                    .map_err(|e| e.to_string())?
                    .into_bytes(),
                OutputFormat::Xccdf => crate::xccdf::write_results(
                    benchmark,
                    checklist,
                    &crate::xccdf::RunInfo { start, end },
                )
                .into_bytes(),
            };
            let path = self
                .opts
                .out_dir
                .join(output_name(host, &benchmark.id, revision, format));
            files.push((path, bytes));
        }
        let refs: Vec<(&Path, Vec<u8>)> = files
            .iter_mut()
            .map(|(p, b)| (p.as_path(), std::mem::take(b)))
            .collect();
        crate::fsio::write_all_atomic_with(&refs, self.opts.write).map_err(|e| e.to_string())?;
        Ok(files.into_iter().map(|(p, _)| p).collect())
    }
}

/// When the previous checklist is a CKL with a CKLB of the same name beside it, gives
/// `checklist` that CKLB's document, so the CKLB written next keeps its `id`, rule UUIDs and
/// foreign keys (see `cklb::write`). A note when that CKLB cannot be read (a new one is written).
fn keep_cklb_identity(checklist: &mut Checklist, previous: &Path) -> Option<String> {
    let sibling = previous.with_extension("cklb");
    if checklist.cklb_document.is_some() || !sibling.is_file() {
        return None;
    }
    match read_previous(&sibling) {
        Ok(read) => {
            checklist.cklb_document = read.cklb_document;
            None
        }
        Err(e) => Some(format!("{e} (the previous CKLB; a new one is written)")),
    }
}

/// The STIG IDs of the Open rules of `benchmark_id`'s STIG in a checklist (any release).
fn open_stig_ids(checklist: &Checklist, benchmark_id: &str) -> Vec<String> {
    checklist
        .stigs
        .iter()
        .filter(|s| stig_key(s) == benchmark_id)
        .flat_map(|s| &s.vulns)
        .filter(|v| v.status == crate::checklist::Status::Open)
        .map(|v| v.stig_id().to_string())
        .collect()
}

/// With `--upgrade`: brings a previous checklist of an older release of `benchmark`'s STIG to
/// that release (reviews carried only where the check text is unchanged) and notes what it did.
/// Returns whether it upgraded.
fn upgrade_previous(
    existing: &mut Checklist,
    benchmark: &Benchmark,
    notes: &mut Vec<String>,
) -> std::result::Result<bool, String> {
    let wanted = (
        benchmark.version.trim().parse::<u32>().unwrap_or(0),
        benchmark.release_number().unwrap_or(0),
    );
    let Some(stig) = existing.stigs.iter().find(|s| stig_key(s) == benchmark.id) else {
        return Ok(false);
    };
    if crate::merge::release_of(stig) == benchmark.revision() {
        return Ok(false);
    }
    let release = crate::checklist::cklb::release_number(stig.info("releaseinfo"))
        .and_then(|r| r.parse::<u32>().ok());
    if let (Ok(version), Some(release)) = (stig.info("version").trim().parse::<u32>(), release)
        && (version, release) > wanted
    {
        notes.push(format!(
            "the previous checklist is {}, newer than the benchmark's {}; not upgraded (merged as it is)",
            crate::merge::release_of(stig),
            benchmark.revision()
        ));
        return Ok(false);
    }
    let (upgraded, report) =
        crate::upgrade::upgrade(existing, benchmark).map_err(|e| e.to_string())?;
    notes.push(report.summary());
    *existing = upgraded;
    Ok(true)
}

/// Reads a previous checklist (CKL or CKLB by its extension).
fn read_previous(path: &Path) -> Result<Checklist> {
    let text = crate::fsio::read_text(path)?;
    if has_extension(path, &["cklb"]) {
        cklb::read(path, &text)
    } else {
        ckl::read(path, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_an_error_message_not_the_end_of_the_run() {
        let outcome: std::result::Result<(), String> = isolated(|| panic!("boom in a reader"));
        let message = outcome.unwrap_err();
        assert!(message.contains("boom in a reader"), "{message}");
        assert!(
            message.contains("the other servers were processed"),
            "{message}"
        );
        assert_eq!(isolated(|| Ok::<_, String>(7)), Ok(7));
    }

    #[test]
    fn output_names_follow_the_pattern_and_parse_back() {
        let name = output_name(
            "EDGE 01",
            "MS_Exchange_2019_Edge_Server_STIG",
            "V2R1",
            OutputFormat::Ckl,
        );
        assert_eq!(name, "EDGE_01_MS_Exchange_2019_Edge_Server_STIG_V2R1.ckl");
        let parsed = parse_output_name(Path::new(&name)).unwrap();
        assert_eq!(
            parsed,
            (
                "edge_01_ms_exchange_2019_edge_server_stig".to_string(),
                2,
                1,
                OutputFormat::Ckl
            )
        );
        assert!(parse_output_name(Path::new("x_V2R1.xml")).is_none());
        assert!(parse_output_name(Path::new("notes.ckl")).is_none());
    }

    #[test]
    fn files_without_a_host_go_to_the_server_their_name_or_folder_names() {
        let mut groups = BTreeMap::new();
        for key in ["MBX01", "MBX011", "EDGE01"] {
            groups.insert(key.to_string(), ServerGroup::default());
        }
        let root = Path::new("/inv");
        let owner = |p: &str| owner_by_name(root, Path::new(p), &groups);
        assert_eq!(owner("/inv/mbx01-send.json").as_deref(), Some("MBX01"));
        assert_eq!(owner("/inv/MBX011.config.json").as_deref(), Some("MBX011"));
        assert_eq!(owner("/inv/edge01/config.json").as_deref(), Some("EDGE01"));
        assert_eq!(owner("/inv/mbx01x.json"), None);
        assert_eq!(owner("/inv/transport-config.json"), None);
    }

    #[test]
    fn hosts_whose_file_names_clash_fail_instead_of_overwriting() {
        let group = |host: &str| ServerGroup {
            host: host.into(),
            files: vec![PathBuf::from(format!("{host}.json"))],
            broken: Vec::new(),
        };
        let mut failures = Vec::new();
        let kept = without_name_clashes(
            vec![group("MAIL 1"), group("MAIL_1"), group("MAIL2")],
            &mut failures,
        );
        let hosts: Vec<&str> = kept.iter().map(|g| g.host.as_str()).collect();
        assert_eq!(hosts, ["MAIL 1", "MAIL2"]);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].server, "MAIL_1");
        assert!(failures[0].message.contains("MAIL 1"));
    }

    #[test]
    fn catalog_prefix_selects_by_role() {
        let mut warnings = Vec::new();
        let set = Benchmarks::load(
            &BenchmarkChoice::Catalog("exchange-2019".into()),
            &mut warnings,
        )
        .unwrap();
        assert_eq!(set.list().len(), 2);
        let edge = set.select(Some(ServerRole::Edge)).unwrap();
        assert_eq!(crate::checks::benchmark_role(edge), Some(ServerRole::Edge));
        let mailbox = set.select(Some(ServerRole::Mailbox)).unwrap();
        assert_eq!(
            crate::checks::benchmark_role(mailbox),
            Some(ServerRole::Mailbox)
        );
        assert!(set.select(None).unwrap_err().contains("role"));
        let all =
            Benchmarks::load(&BenchmarkChoice::Catalog("exchange".into()), &mut warnings).unwrap();
        assert!(
            all.select(Some(ServerRole::Edge))
                .unwrap_err()
                .contains("several")
        );
        let one = Benchmarks::load(
            &BenchmarkChoice::Catalog("exchange-2016-edge".into()),
            &mut warnings,
        )
        .unwrap();
        assert!(one.select(Some(ServerRole::Mailbox)).is_ok());
        assert!(Benchmarks::load(&BenchmarkChoice::Catalog("nope".into()), &mut warnings).is_err());
    }
}
