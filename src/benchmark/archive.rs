//! DISA's `.zip` download: finds the Manual XCCDF in it (in a folder, or in a zip inside the zip)
//! and reads it. Reading is bounded (nesting depth, bytes per entry, total bytes, entry count)
//! so that a zip bomb cannot exhaust memory.

use super::Benchmark;
use crate::error::{Error, Result};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

/// How deep zips inside zips are opened (the download itself is depth 0).
const MAX_DEPTH: usize = 2;
/// Largest XCCDF file read from an archive (DISA's largest are a few MB).
const MAX_XCCDF_BYTES: u64 = 32 << 20;
/// Largest inner zip read into memory.
const MAX_INNER_ZIP_BYTES: u64 = 128 << 20;
/// Total bytes decompressed from one download, inner zips included.
const MAX_TOTAL_BYTES: u64 = 256 << 20;
/// Most entries looked at in one archive.
const MAX_ENTRIES: usize = 20_000;

/// Whether `bytes` start like a zip archive (local file header or empty-archive record).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// macOS resource-fork copies (`__MACOSX/`, `._name`) that re-zipped downloads carry.
fn is_metadata(name: &str) -> bool {
    name.starts_with("__MACOSX/") || name.rsplit('/').next().is_some_and(|f| f.starts_with("._"))
}

/// An XCCDF file found in the archive.
struct Candidate {
    /// Path inside the archive(s), inner zips joined with `!`.
    inner_path: String,
    /// Its file name (last path component).
    file_name: String,
    bytes: Vec<u8>,
}

/// What one scan of the archive found.
#[derive(Default)]
struct Scan {
    candidates: Vec<Candidate>,
    /// Every file name seen, to tell the user what the zip holds when no XCCDF is in it.
    seen: Vec<String>,
    /// Bytes decompressed so far.
    total: u64,
}

/// Reads the benchmark in DISA zip `bytes`; `path` names the download in errors.
pub fn load(path: &Path, bytes: &[u8]) -> Result<Benchmark> {
    let mut scan = Scan::default();
    scan_zip(path, bytes, "", 0, &mut scan)?;
    let chosen = choose(path, &mut scan)?;
    let inner = PathBuf::from(format!("{}!{}", path.display(), chosen.inner_path));
    super::parse_document(&inner, &chosen.bytes, &chosen.file_name)
}

/// Picks the benchmark: the one `*Manual-xccdf*.xml`, else the one `*xccdf*.xml`.
fn choose(path: &Path, scan: &mut Scan) -> Result<Candidate> {
    let is_manual = |c: &Candidate| c.file_name.to_ascii_lowercase().contains("manual-xccdf");
    let manual = scan.candidates.iter().filter(|c| is_manual(c)).count();
    if manual > 0 {
        scan.candidates.retain(is_manual);
    }
    match scan.candidates.len() {
        1 => Ok(scan.candidates.remove(0)),
        0 => {
            let mut shown: Vec<&str> = scan.seen.iter().map(String::as_str).take(12).collect();
            if scan.seen.len() > shown.len() {
                shown.push("...");
            }
            Err(Error::input(
                path,
                format!(
                    "no XCCDF benchmark (*-xccdf.xml) in this zip; it holds: {}",
                    if shown.is_empty() {
                        "nothing".to_string()
                    } else {
                        shown.join(", ")
                    }
                ),
            ))
        }
        _ => Err(Error::input(
            path,
            format!(
                "this zip holds several benchmarks; extract the one you want and pass it with \
                 --benchmark: {}",
                scan.candidates
                    .iter()
                    .map(|c| c.inner_path.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// Looks through one zip (at nesting `depth`, reached via `prefix`) for XCCDF files.
fn scan_zip(path: &Path, bytes: &[u8], prefix: &str, depth: usize, scan: &mut Scan) -> Result<()> {
    let where_ = |inner: &str| {
        if prefix.is_empty() {
            inner.to_string()
        } else {
            format!("{prefix}!{inner}")
        }
    };
    let bad_zip = |e: zip::result::ZipError| {
        let what = if prefix.is_empty() {
            "not a readable zip archive".to_string()
        } else {
            format!("the inner zip {prefix} is not readable")
        };
        Error::input(path, format!("{what}: {e}"))
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(bad_zip)?;
    if archive.len() > MAX_ENTRIES {
        return Err(Error::input(
            path,
            format!(
                "{} entries in {}: more than exstig reads ({MAX_ENTRIES})",
                archive.len(),
                where_("")
            ),
        ));
    }
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(bad_zip)?;
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        if entry.is_dir() || is_metadata(&name) {
            continue;
        }
        let lower = name.to_ascii_lowercase();
        let file_name = name.rsplit(['/', '\\']).next().unwrap_or(&name).to_string();
        scan.seen.push(where_(&name));
        let is_xccdf = lower.ends_with(".xml") && file_name.to_ascii_lowercase().contains("xccdf");
        let is_inner_zip = lower.ends_with(".zip") && depth < MAX_DEPTH;
        if !is_xccdf && !is_inner_zip {
            continue;
        }
        if entry.encrypted() {
            return Err(Error::input(
                path,
                format!("{} is encrypted", where_(&name)),
            ));
        }
        let limit = if is_xccdf {
            MAX_XCCDF_BYTES
        } else {
            MAX_INNER_ZIP_BYTES
        };
        let mut content = Vec::new();
        (&mut entry)
            .take(limit + 1)
            .read_to_end(&mut content)
            .map_err(|e| Error::input(path, format!("cannot decompress {}: {e}", where_(&name))))?;
        let read = content.len() as u64;
        if read > limit {
            return Err(Error::input(
                path,
                format!(
                    "{} is larger than {} MB: refusing to read it",
                    where_(&name),
                    limit >> 20
                ),
            ));
        }
        scan.total += read;
        if scan.total > MAX_TOTAL_BYTES {
            return Err(Error::input(
                path,
                format!(
                    "the zip decompresses to more than {} MB: refusing to read it",
                    MAX_TOTAL_BYTES >> 20
                ),
            ));
        }
        if is_xccdf {
            scan.candidates.push(Candidate {
                inner_path: where_(&name),
                file_name,
                bytes: content,
            });
        } else if is_zip(&content) {
            scan_zip(path, &content, &where_(&name), depth + 1, scan)?;
        }
    }
    Ok(())
}
