//! Review decisions: what a person decided about each finding (accept, dismiss with a reason,
//! escalate), saved beside the document as `<document>.tenderlint.json` and reattached to findings
//! through their fingerprint on the next run.
//!
//! This module is plain data plus load/save; the review interface changes decisions, reports
//! print them, the redline export applies accepted ones. Decisions whose finding no longer
//! appears are kept and listed as orphans, never dropped.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::finding::Finding;

pub const SIDECAR_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Open,
    Accepted,
    Dismissed,
    Escalated,
}

impl Status {
    pub fn id(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Accepted => "accepted",
            Status::Dismissed => "dismissed",
            Status::Escalated => "escalated",
        }
    }
}

/// One decision about one finding. `replacement` is the text to put in (the suggestion, possibly
/// edited); `rule_id` and `excerpt` are kept so an orphaned decision still says what it was about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub fingerprint: String,
    pub rule_id: String,
    pub excerpt: Option<String>,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// RFC 3339 time of the decision, injected by the caller (tests pass a fixed clock).
    pub decided_at: String,
}

/// The sidecar file's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub schema_version: u32,
    pub document: String,
    pub decisions: Vec<Decision>,
}

impl Review {
    pub fn new(document: &Path) -> Self {
        Review {
            schema_version: SIDECAR_SCHEMA_VERSION,
            document: document
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            decisions: Vec::new(),
        }
    }

    pub fn decision(&self, fingerprint: &str) -> Option<&Decision> {
        self.decisions.iter().find(|d| d.fingerprint == fingerprint)
    }

    /// Inserts or replaces the decision with the same fingerprint.
    pub fn set(&mut self, decision: Decision) {
        match self
            .decisions
            .iter_mut()
            .find(|d| d.fingerprint == decision.fingerprint)
        {
            Some(d) => *d = decision,
            None => self.decisions.push(decision),
        }
    }

    /// Decisions whose fingerprint matches none of `findings`.
    pub fn orphans<'a>(&'a self, findings: &[Finding]) -> Vec<&'a Decision> {
        self.decisions
            .iter()
            .filter(|d| !findings.iter().any(|f| f.fingerprint == d.fingerprint))
            .collect()
    }
}

/// `<document>.tenderlint.json` beside the document.
pub fn sidecar_path(document: &Path) -> PathBuf {
    let mut name = document.file_name().unwrap_or_default().to_os_string();
    name.push(".tenderlint.json");
    document.with_file_name(name)
}

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a tenderlint review file: {source}", path.display())]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// Loads the sidecar of `document`; `Ok(None)` when there is none.
pub fn load(document: &Path) -> Result<Option<Review>, ReviewError> {
    let path = sidecar_path(document);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| ReviewError::Parse { path, source }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ReviewError::Io { path, source }),
    }
}

/// Saves the review beside `document`, atomically.
pub fn save(document: &Path, review: &Review) -> Result<PathBuf, ReviewError> {
    let path = sidecar_path(document);
    let mut bytes = serde_json::to_vec_pretty(review).expect("review serialises");
    bytes.push(b'\n');
    crate::fsutil::write_atomic(&path, &bytes).map_err(|source| ReviewError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(fp: &str, status: Status) -> Decision {
        Decision {
            fingerprint: fp.into(),
            rule_id: "r".into(),
            excerpt: None,
            status,
            reason: None,
            note: None,
            replacement: None,
            decided_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn save_and_load_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("tender.docx");
        assert_eq!(
            sidecar_path(&doc),
            dir.path().join("tender.docx.tenderlint.json")
        );
        assert!(load(&doc).unwrap().is_none());
        let mut r = Review::new(&doc);
        r.set(decision("a", Status::Accepted));
        r.set(decision("a", Status::Dismissed));
        r.set(decision("b", Status::Escalated));
        save(&doc, &r).unwrap();
        let back = load(&doc).unwrap().unwrap();
        assert_eq!(back, r);
        assert_eq!(back.decisions.len(), 2);
        assert_eq!(back.decision("a").unwrap().status, Status::Dismissed);
        assert!(back.orphans(&[]).len() == 2);
    }
}
