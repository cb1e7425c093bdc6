//! Reports: a batch's results -> bytes, one file per output format (human, json, jsonl, sarif,
//! csv, markdown, html).
//!
//! Every format renders the same plain [`Report`]: the per-document results in input order (an
//! [`Analysis`] with the document's review decisions, or the [`ReadError`] that stopped it), the
//! rule sets used and the tool version. Nothing here reads files, looks at the clock or asks
//! whether stdout is a terminal: the caller injects the display paths, the generation time and the
//! colour choice, so the same report renders to the same bytes on every machine and thread count.
//! Rule metadata in SARIF comes from the findings themselves, so reports never look at rule
//! internals.

pub mod csv;
pub mod html;
pub mod human;
pub mod json;
pub mod jsonl;
pub mod markdown;
pub mod sarif;

use std::collections::BTreeMap;

use crate::analysis::Analysis;
use crate::error::ReadError;
use crate::finding::{Category, Finding, Severity};
use crate::review::{Decision, Review, Status};

/// The version of the JSON and JSON-lines report layout (`docs/report.schema.json`).
pub const SCHEMA_VERSION: u32 = 1;

/// Where the per-rule documentation lives; SARIF `helpUri` appends `#<rule id>`.
pub const RULES_DOC_URL: &str = "https://github.com/tenderlint/tenderlint/blob/main/docs/rules.md";

/// A rule set (pack) that took part in the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesetInfo {
    pub name: String,
    pub version: String,
}

/// One input document's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentReport {
    /// The path as reports show it (relative to where the run started when possible, `/`
    /// separators, `<stdin>` for standard input).
    pub path: String,
    pub result: Result<Analysis, ReadError>,
    /// Review decisions from the document's sidecar, if it has one.
    pub review: Option<Review>,
    /// Problems beside the reading itself, such as an unreadable review sidecar.
    pub notes: Vec<String>,
}

impl DocumentReport {
    pub fn findings(&self) -> &[Finding] {
        match &self.result {
            Ok(a) => &a.findings,
            Err(_) => &[],
        }
    }

    pub fn decision(&self, finding: &Finding) -> Option<&Decision> {
        self.review.as_ref()?.decision(&finding.fingerprint)
    }

    /// `Open` when nobody has decided yet.
    pub fn status(&self, finding: &Finding) -> Status {
        self.decision(finding).map_or(Status::Open, |d| d.status)
    }

    /// Decisions in the sidecar whose finding no longer appears (kept, listed, never dropped).
    pub fn orphans(&self) -> Vec<&Decision> {
        match (&self.review, &self.result) {
            (Some(r), Ok(a)) => r.orphans(&a.findings),
            (Some(r), Err(_)) => r.decisions.iter().collect(),
            (None, _) => Vec::new(),
        }
    }
}

/// Everything a report shows. Build it, then call [`render`].
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub tool_name: String,
    pub tool_version: String,
    /// RFC 3339 UTC time of the run, injected (`SOURCE_DATE_EPOCH` in tests); `None` leaves it out.
    pub generated_at: Option<String>,
    pub rulesets: Vec<RulesetInfo>,
    pub documents: Vec<DocumentReport>,
}

/// Counts over the whole report. Every category, severity and status is present, zero or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub documents: usize,
    pub unreadable: usize,
    pub findings: usize,
    pub by_category: BTreeMap<Category, usize>,
    pub by_severity: BTreeMap<Severity, usize>,
    pub by_status: BTreeMap<&'static str, usize>,
}

pub const STATUSES: [Status; 4] = [
    Status::Open,
    Status::Accepted,
    Status::Dismissed,
    Status::Escalated,
];

impl Report {
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            documents: self.documents.len(),
            unreadable: 0,
            findings: 0,
            by_category: Category::ALL.iter().map(|c| (*c, 0)).collect(),
            by_severity: Severity::ALL.iter().map(|c| (*c, 0)).collect(),
            by_status: STATUSES.iter().map(|c| (c.id(), 0)).collect(),
        };
        for d in &self.documents {
            if d.result.is_err() {
                s.unreadable += 1;
            }
            for f in d.findings() {
                s.findings += 1;
                *s.by_category.entry(f.category).or_default() += 1;
                *s.by_severity.entry(f.severity).or_default() += 1;
                *s.by_status.entry(d.status(f).id()).or_default() += 1;
            }
        }
        s
    }

    /// True when some finding not dismissed in review is at or above `threshold`.
    pub fn has_finding_at_or_above(&self, threshold: Severity) -> bool {
        self.documents.iter().any(|d| {
            d.findings()
                .iter()
                .any(|f| f.severity >= threshold && d.status(f) != Status::Dismissed)
        })
    }

    /// Every finding with its document, in report order.
    pub fn all_findings(&self) -> impl Iterator<Item = (&DocumentReport, &Finding)> {
        self.documents
            .iter()
            .flat_map(|d| d.findings().iter().map(move |f| (d, f)))
    }
}

/// The output formats of `scan --format` and `--report FORMAT=FILE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    Human,
    Json,
    Jsonl,
    Sarif,
    Csv,
    Markdown,
    Html,
}

impl ReportFormat {
    pub const ALL: [ReportFormat; 7] = [
        ReportFormat::Human,
        ReportFormat::Json,
        ReportFormat::Jsonl,
        ReportFormat::Sarif,
        ReportFormat::Csv,
        ReportFormat::Markdown,
        ReportFormat::Html,
    ];

    pub fn id(self) -> &'static str {
        match self {
            ReportFormat::Human => "human",
            ReportFormat::Json => "json",
            ReportFormat::Jsonl => "jsonl",
            ReportFormat::Sarif => "sarif",
            ReportFormat::Csv => "csv",
            ReportFormat::Markdown => "markdown",
            ReportFormat::Html => "html",
        }
    }

    pub fn from_id(id: &str) -> Option<ReportFormat> {
        let id = id.to_ascii_lowercase();
        let id = match id.as_str() {
            "md" => "markdown",
            "text" => "human",
            other => other,
        };
        ReportFormat::ALL.into_iter().find(|f| f.id() == id)
    }
}

impl std::fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// Presentation choices that are not part of the report's content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// ANSI colour in human output; the caller decides (terminal, `NO_COLOR`).
    pub color: bool,
}

/// Renders `report` in `format`. Output is a pure function of the arguments.
pub fn render(report: &Report, format: ReportFormat, options: RenderOptions) -> Vec<u8> {
    match format {
        ReportFormat::Human => human::render(report, options.color).into_bytes(),
        ReportFormat::Json => json::render(report),
        ReportFormat::Jsonl => jsonl::render(report),
        ReportFormat::Sarif => sarif::render(report),
        ReportFormat::Csv => csv::render(report).into_bytes(),
        ReportFormat::Markdown => markdown::render(report).into_bytes(),
        ReportFormat::Html => html::render(report).into_bytes(),
    }
}

/// Findings per (category, severity), every pair present.
pub(crate) fn category_severity(report: &Report) -> BTreeMap<(Category, Severity), usize> {
    let mut m: BTreeMap<(Category, Severity), usize> = Category::ALL
        .iter()
        .flat_map(|c| Severity::ALL.iter().map(move |s| ((*c, *s), 0)))
        .collect();
    for (_, f) in report.all_findings() {
        *m.entry((f.category, f.severity)).or_default() += 1;
    }
    m
}

/// "p3 · §7.3 · 7 Intellectual property": where a finding is, in words, for people.
pub(crate) fn place(f: &Finding) -> String {
    let mut parts = Vec::new();
    if let Some(p) = f.location.page {
        parts.push(format!("page {p}"));
    }
    if let Some(c) = &f.location.clause {
        parts.push(format!("clause {c}"));
    }
    if parts.is_empty() {
        match f.location.block {
            Some(b) => parts.push(format!("block {}", b + 1)),
            None => parts.push("whole document".to_string()),
        }
    }
    parts.join(", ")
}

#[cfg(test)]
pub(crate) mod testdata;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_every_category_severity_and_status() {
        let r = testdata::report();
        let s = r.summary();
        assert_eq!(s.documents, 3);
        assert_eq!(s.unreadable, 1);
        assert_eq!(s.findings, 3);
        assert_eq!(s.by_category.len(), 4);
        assert_eq!(s.by_category[&Category::CopyrightOwnership], 1);
        assert_eq!(s.by_category[&Category::ReuseRights], 0);
        assert_eq!(s.by_severity[&Severity::Blocker], 1);
        assert_eq!(s.by_status["dismissed"], 1);
        assert_eq!(s.by_status["open"], 1);
        assert_eq!(s.by_status["accepted"], 1);
    }

    #[test]
    fn fail_on_ignores_dismissed_findings() {
        let r = testdata::report();
        assert!(r.has_finding_at_or_above(Severity::Info));
        assert!(r.has_finding_at_or_above(Severity::Blocker));
        let mut only_dismissed = r.clone();
        only_dismissed.documents[0]
            .result
            .as_mut()
            .unwrap()
            .findings
            .remove(0);
        // The remaining warning finding is dismissed, the info one accepted.
        assert!(!only_dismissed.has_finding_at_or_above(Severity::Warning));
        assert!(only_dismissed.has_finding_at_or_above(Severity::Info));
    }

    #[test]
    fn formats_parse_from_ids_and_aliases() {
        for f in ReportFormat::ALL {
            assert_eq!(ReportFormat::from_id(f.id()), Some(f));
        }
        assert_eq!(ReportFormat::from_id("MD"), Some(ReportFormat::Markdown));
        assert_eq!(ReportFormat::from_id("docx"), None);
    }
}
