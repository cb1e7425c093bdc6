//! Typed errors for reading documents. Every error names the file and says what went wrong in one
//! lower-case line, so a batch report can list it and a person can act on it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Why a document could not be read. `kind()` gives the stable machine id used in JSON reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "kebab-case")]
pub enum ErrorKind {
    #[error("cannot read file: {0}")]
    Io(String),
    #[error("unknown or unsupported format ({0})")]
    UnsupportedFormat(String),
    #[error("encrypted: {0}")]
    Encrypted(String),
    #[error("no text layer (scanned?)")]
    NoTextLayer,
    #[error("corrupt {format}: {detail}")]
    Corrupt { format: String, detail: String },
    #[error("limit exceeded: {limit} (limit {max}, found {found})")]
    Limit { limit: String, max: u64, found: u64 },
    #[error("reader crashed: {0}")]
    Panic(String),
    #[error("timed out after {0} s")]
    Timeout(u64),
    /// The rules for the document's language could not be compiled.
    #[error("rules unusable: {0}")]
    Rules(String),
}

impl ErrorKind {
    /// Stable id for reports: "io", "unsupported-format", "encrypted", "no-text-layer", ...
    pub fn id(&self) -> &'static str {
        match self {
            ErrorKind::Io(_) => "io",
            ErrorKind::UnsupportedFormat(_) => "unsupported-format",
            ErrorKind::Encrypted(_) => "encrypted",
            ErrorKind::NoTextLayer => "no-text-layer",
            ErrorKind::Corrupt { .. } => "corrupt",
            ErrorKind::Limit { .. } => "limit",
            ErrorKind::Panic(_) => "panic",
            ErrorKind::Timeout(_) => "timeout",
            ErrorKind::Rules(_) => "rules",
        }
    }

    pub fn corrupt(format: &str, detail: impl std::fmt::Display) -> Self {
        ErrorKind::Corrupt {
            format: format.to_string(),
            detail: detail.to_string(),
        }
    }

    pub fn limit(limit: &str, max: u64, found: u64) -> Self {
        ErrorKind::Limit {
            limit: limit.to_string(),
            max,
            found,
        }
    }
}

/// An [`ErrorKind`] with the file it happened to: `tender.pdf: no text layer (scanned?)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {kind}", path.display())]
pub struct ReadError {
    pub path: PathBuf,
    pub kind: ErrorKind,
}

impl ReadError {
    pub fn new(path: &Path, kind: ErrorKind) -> Self {
        ReadError {
            path: path.to_path_buf(),
            kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_and_fit_one_line() {
        let e = ReadError::new(Path::new("in/t.pdf"), ErrorKind::NoTextLayer);
        assert_eq!(e.to_string(), "in/t.pdf: no text layer (scanned?)");
        let e = ReadError::new(
            Path::new("b.docx"),
            ErrorKind::limit("decompressed bytes per zip entry", 10, 20),
        );
        assert_eq!(
            e.to_string(),
            "b.docx: limit exceeded: decompressed bytes per zip entry (limit 10, found 20)"
        );
        assert!(!e.to_string().contains('\n'));
    }
}
