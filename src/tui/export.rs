//! The review exported as a report (Markdown or HTML) through the library's report module, so
//! the exported file matches what `tenderlint scan` writes, with this session's decisions in it
//! (saved or not).
//!
//! A pure function of the state: the event loop writes the bytes. Documents that were not read
//! (still loading, or failed) are left out and counted, so the caller can say so.

use tenderlint::report::{self, DocumentReport, RenderOptions, Report, ReportFormat};

use super::action::ExportFormat;
use super::app::App;

/// The report of every read document with its current decisions, and how many were left out.
pub fn report(app: &App) -> (Report, usize) {
    let documents: Vec<DocumentReport> = app
        .docs
        .iter()
        .filter_map(|d| {
            Some(DocumentReport {
                path: d.path.display().to_string(),
                result: Ok(d.analysis.clone()?),
                review: (!d.review.decisions.is_empty()).then(|| d.review.clone()),
                notes: Vec::new(),
            })
        })
        .collect();
    let left_out = app.docs.len() - documents.len();
    let report = Report {
        tool_name: env!("CARGO_PKG_NAME").into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        generated_at: Some(app.clock.now()),
        rulesets: app.rulesets.clone(),
        documents,
    };
    (report, left_out)
}

pub fn render(app: &App, format: ExportFormat) -> (String, usize) {
    let (report, left_out) = report(app);
    let format = match format {
        ExportFormat::Markdown => ReportFormat::Markdown,
        ExportFormat::Html => ReportFormat::Html,
    };
    let bytes = report::render(&report, format, RenderOptions { color: false });
    (String::from_utf8_lossy(&bytes).into_owned(), left_out)
}
