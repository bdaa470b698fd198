//! Reading input files in the encodings Windows produces, and writing outputs atomically.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Reads a whole file as bytes, naming the file on error.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
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

/// Writes `contents` to `path` atomically: a temporary file in the same folder, flushed and
/// synced, then renamed over the target. On error the target is untouched and the temporary
/// file removed.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let tmp = stage(path, contents)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Writes `contents` to a new, synced temporary sibling of `path` and returns its path; on
/// error nothing is left behind.
fn stage(path: &Path, contents: &[u8]) -> Result<std::path::PathBuf> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(contents)?;
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

/// Writes several files so that either all of them land or, on an error before the renames,
/// none does: every file is first written to a temporary sibling, then all are renamed. A
/// rename that fails (e.g. the target is a directory) removes the temporary files not yet
/// renamed; files renamed before it stay complete.
pub fn write_all_atomic(files: &[(&Path, Vec<u8>)]) -> Result<()> {
    let mut staged = Vec::new();
    for (path, contents) in files {
        match stage(path, contents) {
            Ok(tmp) => staged.push((*path, tmp)),
            Err(e) => {
                for (_, t) in &staged {
                    let _ = std::fs::remove_file(t);
                }
                return Err(e);
            }
        }
    }
    for (i, (path, tmp)) in staged.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, path) {
            for (_, t) in &staged[i..] {
                let _ = std::fs::remove_file(t);
            }
            return Err(Error::io(path, e));
        }
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
