//! The one error type of the library, and the exit codes the binary maps it to.

use std::path::{Path, PathBuf};

/// Where in an input file a problem sits: line and column are 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
}

impl Position {
    /// The line and column of byte `offset` in `text`.
    pub fn of_offset(text: &str, offset: usize) -> Position {
        let before = text.get(..text.floor_char_boundary(offset)).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let last_line = before.rsplit('\n').next().unwrap_or(before);
        let column = last_line.chars().count() + 1;
        Position { line, column }
    }
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Everything that can go wrong in exstig.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// An input file is not what it should be; `position` is given when known.
    #[error("{}{}: {message}", path.display(), position.map(|p| format!(" ({p})")).unwrap_or_default())]
    Input {
        /// The file concerned.
        path: PathBuf,
        /// Line and column, when the format has them.
        position: Option<Position>,
        /// What is wrong, in words a user understands.
        message: String,
    },
    /// The command line asks for something that cannot be done.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// An input error at a known position.
    pub fn input_at(path: &Path, position: Position, message: impl Into<String>) -> Error {
        Error::Input {
            path: path.to_path_buf(),
            position: Some(position),
            message: message.into(),
        }
    }

    /// An input error about a whole file.
    pub fn input(path: &Path, message: impl Into<String>) -> Error {
        Error::Input {
            path: path.to_path_buf(),
            position: None,
            message: message.into(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Result with the exstig [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Exit code for success.
pub const EXIT_OK: i32 = 0;
/// Exit code when the run worked but found what the user asked to fail on (or a validation problem).
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code for usage and input errors; nothing was written.
pub const EXIT_ERROR: i32 = 2;
