//! Putting a review back into the tender: comments and tracked changes in a copy of the original
//! DOCX or ODT (annotations for PDF, which cannot take tracked changes).
//!
//! This module owns the plan ([`plan`]: which findings get a comment, which get a tracked change
//! and with what text) and the format writers. Writers patch only the XML part that holds the
//! text and copy every other part of the container byte for byte; nothing is round-tripped through
//! a document model, so fields, footnotes and unknown parts survive. Inputs are never modified.

pub mod docx;
pub mod odt;
pub mod pdf;

use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;
use crate::document::Document;
use crate::finding::{Finding, Severity};
use crate::review::{Review, Status};

/// Which findings become tracked changes; every finding not dismissed becomes a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Mode {
    /// Only findings whose suggestion was accepted in the review.
    #[default]
    Accepted,
    /// Every finding that has a suggestion (the preferred one).
    All,
}

/// Author and date written on comments and changes; injected so output is reproducible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub author: String,
    /// ISO 8601 without fractional seconds, e.g. "2026-11-29T10:00:00Z".
    pub date: String,
}

impl Default for Stamp {
    fn default() -> Self {
        Stamp {
            author: "tenderlint".into(),
            date: now_iso8601(),
        }
    }
}

/// The current UTC time, or `SOURCE_DATE_EPOCH` when set (reproducible builds convention).
pub fn now_iso8601() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        });
    let t =
        time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&fmt)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// One finding as it goes into the document: always a comment; a tracked change when
/// `replacement` is set, replacing `block`'s bytes `start..end` (the whole block for a clause-level
/// suggestion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// `None` for a document-level finding: the comment goes at the start of the document.
    pub block: Option<usize>,
    pub start: usize,
    pub end: usize,
    pub comment: String,
    pub replacement: Option<String>,
}

/// Works out the edits for an analysis and its review. Dismissed findings are left out.
pub fn plan(analysis: &Analysis, review: Option<&Review>, mode: Mode) -> Vec<Edit> {
    let mut edits = Vec::new();
    for f in &analysis.findings {
        let decision = review.and_then(|r| r.decision(&f.fingerprint));
        let status = decision.map_or(Status::Open, |d| d.status);
        if status == Status::Dismissed {
            continue;
        }
        let wants_change = match mode {
            Mode::All => true,
            Mode::Accepted => status == Status::Accepted,
        };
        let suggestion = f.suggestions.first();
        let replacement = if wants_change {
            decision
                .and_then(|d| d.replacement.clone())
                .or_else(|| suggestion.map(|s| s.text.clone()))
        } else {
            None
        };
        let (block, start, end) = match (f.location.block, suggestion.and_then(|s| s.replaces)) {
            (Some(b), Some(span)) if span.block == b && replacement.is_some() => {
                (Some(b), span.start, span.end)
            }
            (Some(b), _) if replacement.is_some() => {
                let len = analysis
                    .document
                    .blocks
                    .get(b)
                    .map_or(0, |bl| bl.text.len());
                (Some(b), 0, len)
            }
            (Some(b), _) => (
                Some(b),
                f.location.start.unwrap_or(0),
                f.location.end.unwrap_or(0),
            ),
            (None, _) => (None, 0, 0),
        };
        edits.push(Edit {
            block,
            start,
            end,
            comment: comment_text(f, decision.and_then(|d| d.note.as_deref())),
            replacement,
        });
    }
    resolve_overlaps(&mut edits);
    edits
}

/// Two tracked changes cannot overlap: a later change that overlaps an earlier one in the same
/// block keeps its comment but loses its replacement.
fn resolve_overlaps(edits: &mut [Edit]) {
    let mut taken: Vec<(usize, usize, usize)> = Vec::new();
    for e in edits.iter_mut() {
        let (Some(b), Some(_)) = (e.block, &e.replacement) else {
            continue;
        };
        if taken
            .iter()
            .any(|&(tb, ts, te)| tb == b && e.start < te && ts < e.end)
        {
            e.replacement = None;
        } else {
            taken.push((b, e.start, e.end));
        }
    }
}

/// The comment text for a finding: "\[blocker\] title", the explanation, the references.
pub fn comment_text(f: &Finding, note: Option<&str>) -> String {
    let sev = match f.severity {
        Severity::Blocker => "blocker",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    let mut s = format!(
        "[{sev}] {} ({})\n{}",
        f.title,
        f.rule_id,
        f.explanation.trim()
    );
    if !f.references.is_empty() {
        let refs: Vec<String> = f
            .references
            .iter()
            .map(|r| match &r.url {
                Some(u) => format!("{} <{u}>", r.title),
                None => r.title.clone(),
            })
            .collect();
        s.push_str("\nReferences: ");
        s.push_str(&refs.join("; "));
    }
    if let Some(sugg) = f.suggestions.first() {
        s.push_str("\nSuggested text: ");
        s.push_str(&sugg.text);
    }
    if let Some(n) = note {
        s.push_str("\nReviewer's note: ");
        s.push_str(n);
    }
    s
}

/// For each piece of `doc.blocks[block]` that overlaps `start..end`: (run, from, to) as byte
/// offsets in that run's own text.
pub(crate) fn run_ranges(
    doc: &Document,
    block: usize,
    start: usize,
    end: usize,
) -> Vec<(usize, usize, usize)> {
    let Some(b) = doc.blocks.get(block) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in &b.pieces {
        let s = start.max(p.range.start);
        let e = end.min(p.range.end);
        if s < e || (start == end && s == e && p.range.contains(&start)) {
            out.push((
                p.run,
                p.offset + (s - p.range.start),
                p.offset + (e - p.range.start),
            ));
        }
    }
    out
}

/// Redlines `input` (the bytes the analysis was made from) in its own format: DOCX and ODT get
/// comments and tracked changes, PDF gets highlight and note annotations.
pub fn apply(
    input: &[u8],
    analysis: &Analysis,
    review: Option<&Review>,
    mode: Mode,
    stamp: &Stamp,
    limits: &crate::limits::Limits,
) -> Result<Vec<u8>, RedlineError> {
    let edits = plan(analysis, review, mode);
    let doc = &analysis.document;
    match doc.format {
        crate::document::Format::Docx => docx::redline(input, doc, &edits, stamp, limits),
        crate::document::Format::Odt | crate::document::Format::Fodt => {
            odt::redline(input, doc, &edits, stamp, limits)
        }
        crate::document::Format::Pdf => {
            // A PDF cannot take tracked changes: every finding not dismissed gets a highlight
            // and a note.
            let kept: Vec<Finding> = analysis
                .findings
                .iter()
                .filter(|f| {
                    review
                        .and_then(|r| r.decision(&f.fingerprint))
                        .is_none_or(|d| d.status != Status::Dismissed)
                })
                .cloned()
                .collect();
            pdf::annotate(input, &kept, doc).map_err(|e| RedlineError::Corrupt(e.to_string()))
        }
        other => Err(RedlineError::Unsupported(other.to_string())),
    }
}

/// A point in a run's (DOCX) or text node's (ODT) text where the writer opens or closes a
/// comment range or a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Marker {
    DelEnd { ins: String },
    CommentEnd(u32),
    CommentStart(u32),
    DelStart,
}

impl Marker {
    /// At one offset, ends come before starts, and a change sits inside its comment's range.
    pub(crate) fn rank(&self) -> u8 {
        match self {
            Marker::DelEnd { .. } => 0,
            Marker::CommentEnd(_) => 1,
            Marker::CommentStart(_) => 2,
            Marker::DelStart => 3,
        }
    }
}

pub(crate) use crate::segment::floor_char_boundary;

/// XML-escapes text for element content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

#[derive(Debug, thiserror::Error)]
pub enum RedlineError {
    #[error("cannot redline a {0} document: only DOCX, ODT and PDF are supported")]
    Unsupported(String),
    #[error("corrupt input: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Read(#[from] crate::error::ReadError),
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
}

impl From<zip::result::ZipError> for RedlineError {
    fn from(e: zip::result::ZipError) -> Self {
        RedlineError::Corrupt(e.to_string())
    }
}

impl From<quick_xml::Error> for RedlineError {
    fn from(e: quick_xml::Error) -> Self {
        RedlineError::Corrupt(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Block, BlockKind, Format};
    use crate::finding::{Category, Location, Position, Span, Suggestion};
    use crate::review::Decision;

    fn finding(fp: &str, start: usize, end: usize, replaces: bool) -> Finding {
        Finding {
            rule_id: "r".into(),
            category: Category::VendorLockIn,
            severity: Severity::Blocker,
            title: "T".into(),
            message: "m".into(),
            explanation: "E".into(),
            excerpt: Some("x".into()),
            context: None,
            location: Location {
                block: Some(0),
                start: Some(start),
                end: Some(end),
                ..Location::default()
            },
            suggestions: vec![Suggestion {
                text: "NEW".into(),
                position: Position::Preferred,
                replaces: replaces.then_some(Span {
                    block: 0,
                    start,
                    end,
                }),
            }],
            references: Vec::new().into(),
            needs_legal_review: false,
            language: None,
            fingerprint: fp.into(),
        }
    }

    fn analysis(findings: Vec<Finding>) -> Analysis {
        let mut document = Document::new("t.docx", Format::Docx);
        document
            .blocks
            .push(Block::new(BlockKind::Paragraph, "0123456789 abcdefghij"));
        Analysis {
            document,
            findings,
            topics: vec![],
        }
    }

    fn decide(fp: &str, status: Status, replacement: Option<&str>) -> Decision {
        Decision {
            fingerprint: fp.into(),
            rule_id: "r".into(),
            excerpt: None,
            status,
            reason: None,
            note: Some("checked".into()),
            replacement: replacement.map(str::to_string),
            decided_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn plan_follows_decisions_and_mode() {
        let a = analysis(vec![
            finding("a", 0, 4, true),
            finding("b", 5, 9, false),
            finding("c", 11, 15, true),
        ]);
        let mut review = Review::new(std::path::Path::new("t.docx"));
        review.set(decide("a", Status::Accepted, Some("EDITED")));
        review.set(decide("c", Status::Dismissed, None));
        let edits = plan(&a, Some(&review), Mode::Accepted);
        assert_eq!(edits.len(), 2, "dismissed findings get no comment");
        assert_eq!(edits[0].replacement.as_deref(), Some("EDITED"));
        assert_eq!((edits[0].start, edits[0].end), (0, 4));
        assert!(edits[0].comment.contains("Reviewer's note: checked"));
        assert_eq!(
            edits[1].replacement, None,
            "open finding in accepted mode: comment only"
        );
        assert_eq!((edits[1].start, edits[1].end), (5, 9));

        let all = plan(&a, None, Mode::All);
        assert_eq!(all.len(), 3);
        // A clause-level suggestion replaces the whole block.
        assert_eq!((all[1].start, all[1].end), (0, 21));
        // ... which overlaps the first change, so it stays a comment.
        assert_eq!(all[1].replacement, None);
        assert_eq!(all[2].replacement.as_deref(), Some("NEW"));
    }

    #[test]
    fn run_ranges_map_block_offsets_to_runs() {
        let mut doc = Document::new("t.docx", Format::Docx);
        let mut b = Block::new(BlockKind::Paragraph, "abc def");
        b.pieces = vec![
            crate::document::Piece {
                range: 0..3,
                run: 4,
                offset: 2,
            },
            crate::document::Piece {
                range: 4..7,
                run: 6,
                offset: 0,
            },
        ];
        doc.blocks.push(b);
        assert_eq!(run_ranges(&doc, 0, 1, 6), vec![(4, 3, 5), (6, 0, 2)]);
        assert_eq!(run_ranges(&doc, 0, 3, 4), vec![]);
        assert_eq!(run_ranges(&doc, 9, 0, 1), vec![]);
    }
}
