//! Reading input files in the encodings Windows produces, and writing outputs atomically
//! without harming the files the user keeps.
//!
//! Inputs are regular files only: a device (`/dev/zero`), a pipe or a socket is refused before
//! a byte is read, so no input can be read without end.
//!
//! Outputs are written whole or not at all. Each file is first written to an anonymous
//! temporary file in the target's folder (Linux `O_TMPFILE`: nothing under any name while it
//! is written, so a killed run leaves nothing behind), then linked under a temporary name and
//! renamed over the target. Where the OS has no anonymous files, the temporary file is named
//! `.NAME.<uuid>.tmp`; such leftovers of a killed run older than an hour are removed the next
//! time exstig writes into that folder. An existing target keeps its mode (and its owner where
//! permitted); a symbolic link is written through to its target and stays a link; a read-only
//! target is refused unless the command's `--force` is given ([`WriteOptions`]).

use crate::error::{Error, Result};
use std::fs::{File, Metadata};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Reads a whole regular file as bytes, naming the file on error; anything else (a folder, a
/// device, a pipe, a socket) is refused before it is read.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::input(path, "is a folder, not a file"));
    }
    if !meta.is_file() {
        return Err(Error::input(
            path,
            "is not a regular file (a device, pipe or socket): exstig reads only regular files",
        ));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    Ok(bytes)
}

/// Decodes text as written by PowerShell and Windows tools: UTF-8 with or without BOM, or
/// UTF-16LE/BE with BOM. UTF-16 without a BOM (NUL bytes in the first characters) and invalid
/// UTF-8 are errors that name the byte offset.
pub fn decode_text(path: &Path, bytes: &[u8]) -> Result<String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(path, rest, 3);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(path, rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(path, rest, u16::from_be_bytes);
    }
    let head = &bytes[..bytes.len().min(64)];
    if head.len() >= 2 && head.contains(&0) {
        return Err(Error::input(
            path,
            "looks like UTF-16 without a byte order mark; save it as UTF-8 (PowerShell: Out-File -Encoding utf8) or as UTF-16 with BOM",
        ));
    }
    utf8(path, bytes, 0)
}

/// Reads and decodes a text file (see [`decode_text`]).
pub fn read_text(path: &Path) -> Result<String> {
    decode_text(path, &read_bytes(path)?)
}

fn utf8(path: &Path, bytes: &[u8], skipped: usize) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&bytes[..at]);
        let pos = crate::error::Position::of_offset(&text, at);
        Error::input(
            path,
            format!("not valid UTF-8 at byte {} ({pos})", at + skipped),
        )
    })
}

fn utf16(path: &Path, bytes: &[u8], word: fn([u8; 2]) -> u16) -> Result<String> {
    if !bytes.len().is_multiple_of(2) {
        return Err(Error::input(
            path,
            "UTF-16 file with an odd number of bytes (truncated?)",
        ));
    }
    let units = bytes.chunks_exact(2).map(|c| word([c[0], c[1]]));
    char::decode_utf16(units)
        .enumerate()
        .map(|(i, c)| {
            c.map_err(|_| Error::input(path, format!("invalid UTF-16 at byte {}", 2 + 2 * i)))
        })
        .collect()
}

/// How outputs may treat the files already there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Replace read-only targets too (`--force`); they keep their mode.
    pub force: bool,
}

/// The file a write to `path` lands in: `path` itself, or for a symbolic link (a chain of
/// them) the file it finally points to, which need not exist yet.
pub fn write_target(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current).map_err(|e| Error::io(path, e))?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(Error::io(
        path,
        std::io::Error::other("too many levels of symbolic links"),
    ))
}

/// Checks, before any work, that `path` can be written as an output: it is not a folder or a
/// device, a read-only file is refused unless `options.force`, and its folder exists (or can
/// be created, `create_parent`) and is writable.
pub fn check_output(path: &Path, options: WriteOptions, create_parent: bool) -> Result<()> {
    let target = write_target(path)?;
    if let Ok(meta) = std::fs::metadata(&target) {
        if meta.is_dir() {
            return Err(Error::io(
                path,
                std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory"),
            ));
        }
        if !meta.is_file() {
            return Err(Error::Usage(format!(
                "{}: is not a regular file (a device, pipe or socket); exstig does not write to it",
                path.display()
            )));
        }
        if meta.permissions().readonly() && !options.force {
            return Err(read_only(path));
        }
    }
    let parent = folder_of(&target);
    let mut existing = parent;
    loop {
        match std::fs::metadata(existing) {
            Ok(meta) if meta.is_dir() => break,
            Ok(_) => {
                return Err(Error::Usage(format!(
                    "{}: {} is not a folder",
                    path.display(),
                    existing.display()
                )));
            }
            Err(_) => match existing.parent() {
                Some(up) if create_parent => {
                    existing = if up.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        up
                    }
                }
                _ => {
                    return Err(Error::Usage(format!(
                        "{}: the folder {} does not exist",
                        path.display(),
                        parent.display()
                    )));
                }
            },
        }
    }
    if !writable_folder(existing) {
        return Err(Error::Usage(format!(
            "{}: the folder {} is not writable",
            path.display(),
            existing.display()
        )));
    }
    Ok(())
}

/// Checks the outputs of a command before any work: each can be written ([`check_output`]), no
/// two name the same file, and none is one of the `inputs` (compared as files: a symbolic link
/// or another spelling of an input is that input). A report path is an output like the others.
pub fn check_outputs(
    outputs: &[&Path],
    inputs: &[&Path],
    options: WriteOptions,
    create_parent: bool,
) -> Result<()> {
    for (i, out) in outputs.iter().enumerate() {
        check_output(out, options, create_parent)?;
        if outputs[..i].iter().any(|other| same_file(other, out)) {
            return Err(Error::Usage(format!(
                "{} is given as two outputs",
                out.display()
            )));
        }
        if inputs.iter().any(|input| same_file(input, out)) {
            return Err(Error::Usage(format!(
                "{} is both an input and an output: exstig never writes over its inputs; give another output path",
                out.display()
            )));
        }
    }
    Ok(())
}

/// Whether `a` and `b` name the same file (after symbolic links and `..`), whether or not it
/// exists yet.
pub fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((resolved(a), resolved(b)), (Some(a), Some(b)) if a == b)
}

/// The absolute, link-free path `path` writes to (its folder canonicalized when the file does
/// not exist yet).
fn resolved(path: &Path) -> Option<PathBuf> {
    let target = write_target(path).ok()?;
    if let Ok(canonical) = target.canonicalize() {
        return Some(canonical);
    }
    let name = target.file_name()?;
    Some(folder_of(&target).canonicalize().ok()?.join(name))
}

fn read_only(path: &Path) -> Error {
    Error::Usage(format!(
        "{} is read-only: exstig does not replace it; make it writable or give --force (it stays read-only)",
        path.display()
    ))
}

/// Whether the process may create files in `dir`.
#[cfg(unix)]
fn writable_folder(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c_path` is a valid NUL-terminated string that outlives the call.
    unsafe { libc::access(c_path.as_ptr(), libc::W_OK | libc::X_OK) == 0 }
}

#[cfg(not(unix))]
fn writable_folder(dir: &Path) -> bool {
    std::fs::metadata(dir).is_ok_and(|m| !m.permissions().readonly())
}

/// The folder a file is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Writes `contents` to `path` atomically (see the module doc): the target is untouched on
/// error and no temporary file is left. A read-only target is refused.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    write_all_atomic_with(&[(path, contents.to_vec())], WriteOptions::default())
}

/// Writes a copy of `original` to the new file `copy`, with the original's mode (and owner
/// where permitted); for backups.
pub fn write_copy(original: &Path, copy: &Path) -> Result<()> {
    let contents = read_bytes(original)?;
    let like = std::fs::metadata(original).ok();
    let staged = stage(copy, copy.to_path_buf(), &contents, like.as_ref())?;
    staged.commit(&contents)
}

/// A file written and synced but not yet under its final name.
struct Staged {
    /// The name the user gave (for messages).
    path: PathBuf,
    /// The file it lands in (a symlink's target).
    target: PathBuf,
    /// The anonymous file, when the OS has them.
    anonymous: Option<File>,
    /// The named temporary file otherwise.
    named: Option<PathBuf>,
}

impl Staged {
    /// Puts the file under its final name (replacing the target).
    fn commit(mut self, contents: &[u8]) -> Result<()> {
        let tmp = match self.named.take() {
            Some(tmp) => tmp,
            None => {
                let file = self.anonymous.take();
                let linked = file.as_ref().and_then(|f| link_anonymous(f, &self.target));
                match linked {
                    Some(tmp) => tmp,
                    // No /proc to link through: write it again under a temporary name.
                    None => named_temp(&self.path, &self.target, contents, None)?,
                }
            }
        };
        std::fs::rename(&tmp, &self.target).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(&self.path, e)
        })
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(tmp) = self.named.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// A fresh temporary name beside `target`: `.NAME.<uuid>.tmp`.
fn temp_name(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    folder_of(target).join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()))
}

/// Whether `name` is one of exstig's temporary names (`.NAME.<32 hex>.tmp`).
fn is_temp_name(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|n| n.strip_suffix(".tmp"))
        .and_then(|n| n.rsplit_once('.'))
        .is_some_and(|(file, id)| {
            !file.is_empty() && id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

/// Removes exstig's temporary files older than an hour from `dir` (leftovers of a killed run),
/// once per folder and process.
pub fn remove_stale_temporaries(dir: &Path) {
    static CLEANED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    let key = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    {
        let Ok(mut cleaned) = CLEANED.lock() else {
            return;
        };
        if cleaned.contains(&key) {
            return;
        }
        cleaned.push(key);
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let hour = std::time::Duration::from_secs(3600);
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .ok()
            .filter(Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > hour);
        if stale && is_temp_name(&entry.file_name().to_string_lossy()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Gives `file` the mode (and owner, where permitted) of `like`.
fn copy_mode(file: &File, like: &Metadata) -> std::io::Result<()> {
    file.set_permissions(like.permissions())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Keeping the owner needs privileges; without them the file is the user's own.
        let _ = std::os::unix::fs::fchown(file, Some(like.uid()), Some(like.gid()));
        file.set_permissions(like.permissions())?;
    }
    Ok(())
}

/// Writes `contents` to a new named temporary sibling of `target`, synced; on error nothing is
/// left behind.
fn named_temp(
    path: &Path,
    target: &Path,
    contents: &[u8],
    like: Option<&Metadata>,
) -> Result<PathBuf> {
    let tmp = temp_name(target);
    let result = (|| {
        let mut file = File::options().write(true).create_new(true).open(&tmp)?;
        file.write_all(contents)?;
        if let Some(like) = like {
            copy_mode(&file, like)?;
        }
        file.sync_all()
    })();
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(Error::io(path, e))
        }
    }
}

/// An anonymous file in `dir` (Linux `O_TMPFILE`), or `None` where the OS or file system has
/// none.
#[cfg(target_os = "linux")]
fn anonymous_file(dir: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    File::options()
        .write(true)
        .custom_flags(libc::O_TMPFILE)
        .mode(0o666)
        .open(dir)
        .ok()
}

#[cfg(not(target_os = "linux"))]
fn anonymous_file(_dir: &Path) -> Option<File> {
    None
}

/// Links the anonymous `file` under a fresh temporary name beside `target`.
#[cfg(target_os = "linux")]
fn link_anonymous(file: &File, target: &Path) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::io::AsRawFd;
    let tmp = temp_name(target);
    let from = std::ffi::CString::new(format!("/proc/self/fd/{}", file.as_raw_fd())).ok()?;
    let to = std::ffi::CString::new(tmp.as_os_str().as_bytes()).ok()?;
    // SAFETY: both are valid NUL-terminated strings that outlive the call.
    let status = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    (status == 0).then_some(tmp)
}

#[cfg(not(target_os = "linux"))]
fn link_anonymous(_file: &File, _target: &Path) -> Option<PathBuf> {
    None
}

/// Writes `contents` for `path` (landing in `target`) to a synced temporary file: anonymous
/// where possible, else named. `like`: the metadata whose mode the file takes.
fn stage(path: &Path, target: PathBuf, contents: &[u8], like: Option<&Metadata>) -> Result<Staged> {
    let dir = folder_of(&target).to_path_buf();
    remove_stale_temporaries(&dir);
    if let Some(mut file) = anonymous_file(&dir) {
        let result = (|| {
            file.write_all(contents)?;
            if let Some(like) = like {
                copy_mode(&file, like)?;
            }
            file.sync_all()
        })();
        return match result {
            Ok(()) => Ok(Staged {
                path: path.to_path_buf(),
                target,
                anonymous: Some(file),
                named: None,
            }),
            Err(e) => Err(Error::io(path, e)),
        };
    }
    let tmp = named_temp(path, &target, contents, like)?;
    Ok(Staged {
        path: path.to_path_buf(),
        target,
        anonymous: None,
        named: Some(tmp),
    })
}

/// Writes several files so that either all of them land or, on an error before the renames,
/// none does: every file is first written to a temporary file, then all are renamed. A
/// rename that fails (e.g. the target is a directory) removes the temporary files not yet
/// renamed; files renamed before it stay complete. Read-only targets are refused.
pub fn write_all_atomic(files: &[(&Path, Vec<u8>)]) -> Result<()> {
    write_all_atomic_with(files, WriteOptions::default())
}

/// [`write_all_atomic`] with `options` (`force`: replace read-only targets too).
pub fn write_all_atomic_with(files: &[(&Path, Vec<u8>)], options: WriteOptions) -> Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, contents) in files {
        let target = write_target(path)?;
        let like = std::fs::metadata(&target).ok().filter(Metadata::is_file);
        if like
            .as_ref()
            .is_some_and(|m| m.permissions().readonly() && !options.force)
        {
            return Err(read_only(path));
        }
        staged.push((stage(path, target, contents, like.as_ref())?, contents));
    }
    for (file, contents) in staged {
        file.commit(contents)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf16_with_bom_and_refuses_it_without() {
        let p = Path::new("x.json");
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("{\"a\":1}".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode_text(p, &le).unwrap(), "{\"a\":1}");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("é".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode_text(p, &be).unwrap(), "é");
        let bare: Vec<u8> = "{}".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert!(
            decode_text(p, &bare)
                .unwrap_err()
                .to_string()
                .contains("UTF-16 without a byte order mark")
        );
        assert_eq!(decode_text(p, b"\xEF\xBB\xBFok").unwrap(), "ok");
        assert!(
            decode_text(p, b"ok\xFF")
                .unwrap_err()
                .to_string()
                .contains("byte 2")
        );
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("exstig-fsio-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_staged_file_has_no_name_until_it_lands() {
        let dir = temp_dir("anonymous");
        let target = dir.join("out.ckl");
        let staged = stage(&target, target.clone(), b"whole", None).unwrap();
        assert!(staged.anonymous.is_some(), "O_TMPFILE is used on Linux");
        assert!(
            names(&dir).is_empty(),
            "nothing named while staged: {:?}",
            names(&dir)
        );
        staged.commit(b"whole").unwrap();
        assert_eq!(names(&dir), ["out.ckl"]);
        assert_eq!(std::fs::read(&target).unwrap(), b"whole");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn stale_temporary_files_of_a_killed_run_are_removed() {
        let dir = temp_dir("stale");
        let stale = dir.join(format!(
            ".out.ckl.{}.tmp",
            "0123456789abcdef0123456789abcdef"
        ));
        let fresh = dir.join(format!(
            ".out.ckl.{}.tmp",
            "fedcba9876543210fedcba9876543210"
        ));
        let foreign = dir.join(".out.ckl.keep.tmp");
        for file in [&stale, &fresh, &foreign] {
            std::fs::write(file, b"half a checklist").unwrap();
        }
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        for file in [&stale, &foreign] {
            std::fs::File::options()
                .write(true)
                .open(file)
                .unwrap()
                .set_modified(old)
                .unwrap();
        }
        write_atomic(&dir.join("out.ckl"), b"x").unwrap();
        assert!(
            !stale.exists(),
            "an hour-old temporary file of ours is removed"
        );
        assert!(fresh.exists(), "a running write's file is left alone");
        assert!(foreign.exists(), "a file not of our naming is left alone");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn non_regular_inputs_are_refused() {
        let err = read_bytes(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
        let err = read_bytes(&std::env::temp_dir()).unwrap_err().to_string();
        assert!(err.contains("folder"), "{err}");
    }

    #[test]
    fn outputs_are_compared_as_files() {
        let dir = temp_dir("same");
        std::fs::write(dir.join("a.ckl"), b"a").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.join("a.ckl"), dir.join("link.ckl")).unwrap();
        assert!(same_file(&dir.join("a.ckl"), &dir.join("./a.ckl")));
        #[cfg(unix)]
        assert!(same_file(&dir.join("link.ckl"), &dir.join("a.ckl")));
        assert!(same_file(&dir.join("new.ckl"), &dir.join("./new.ckl")));
        assert!(!same_file(&dir.join("a.ckl"), &dir.join("b.ckl")));
        let err = check_outputs(
            &[&dir.join("./a.ckl")],
            &[&dir.join("a.ckl")],
            WriteOptions::default(),
            false,
        );
        assert!(
            err.unwrap_err()
                .to_string()
                .contains("both an input and an output")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn failed_rename_leaves_no_temporary_files() {
        let dir = std::env::temp_dir().join(format!("exstig-fsio-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("blocked")).unwrap();
        let good = dir.join("good.txt");
        let blocked = dir.join("blocked");
        let err = write_all_atomic(&[(&good, b"a".to_vec()), (&blocked, b"b".to_vec())]);
        assert!(err.is_err());
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
        assert!(blocked.is_dir());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
