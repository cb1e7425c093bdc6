//! The review exported as a report: every finding with its decision, the suggested or accepted
//! replacement as a word diff, and the orphaned decisions, in Markdown or HTML.
//!
//! This is the review interface's own minimal export; it renders from the [`App`] so decisions
//! made in the session are included before they are saved. A pure function of the state: the
//! event loop writes the bytes.

use std::fmt::Write;

use tenderlint::review::{Decision, Status};
use tenderlint::{Finding, Severity};

use super::app::App;
use super::diff;

fn finding_original(f: &Finding) -> String {
    f.suggestions
        .first()
        .and_then(|s| {
            if s.replaces.is_some() {
                f.excerpt.clone()
            } else {
                f.context.clone()
            }
        })
        .or_else(|| f.excerpt.clone())
        .unwrap_or_default()
}

fn replacement(f: &Finding, d: Option<&Decision>) -> Option<String> {
    d.and_then(|d| d.replacement.clone())
        .or_else(|| f.suggestions.first().map(|s| s.text.clone()))
}

fn location(f: &Finding) -> String {
    let mut parts = Vec::new();
    if let Some(p) = f.location.page {
        parts.push(format!("page {p}"));
    }
    if let Some(c) = &f.location.clause {
        parts.push(format!("clause {c}"));
    }
    if f.is_document_level() {
        parts.push("whole document".into());
    }
    parts.join(", ")
}

/// Markdown has no escape for every construct; this neutralises the characters that would
/// start markup inside a line.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        if c == '\n' || c == '\r' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

pub fn markdown(app: &App) -> String {
    let mut out = String::from("# tenderlint review\n");
    for doc in &app.docs {
        let _ = write!(out, "\n## {}\n\n", md(&doc.name()));
        let Some(analysis) = &doc.analysis else {
            out.push_str("Not analysed.\n");
            continue;
        };
        let count = |s: Severity| analysis.findings.iter().filter(|f| f.severity == s).count();
        let _ = writeln!(
            out,
            "{} findings: {} blocker, {} warning, {} info.",
            analysis.findings.len(),
            count(Severity::Blocker),
            count(Severity::Warning),
            count(Severity::Info)
        );
        for f in &analysis.findings {
            let d = doc.review.decision(&f.fingerprint);
            let status = d.map_or(Status::Open, |d| d.status);
            let _ = write!(
                out,
                "\n### [{}] {}\n\n- rule: `{}` ({})\n- where: {}\n- decision: {}\n",
                f.severity.id(),
                md(&f.title),
                f.rule_id,
                f.category.id(),
                location(f),
                status.id()
            );
            if let Some(d) = d {
                if let Some(r) = &d.reason {
                    let _ = writeln!(out, "- reason: {}", md(r));
                }
                if let Some(n) = &d.note {
                    let _ = writeln!(out, "- note: {}", md(n));
                }
            }
            if let Some(x) = &f.excerpt {
                let _ = writeln!(out, "- text: \"{}\"", md(x));
            }
            if !f.explanation.is_empty() {
                let _ = write!(out, "\n{}\n", md(&f.explanation));
            }
            if let Some(rep) = replacement(f, d) {
                let ops = diff::words(&finding_original(f), &rep);
                let _ = write!(out, "\nReplacement: {}\n", md(&diff::to_marked(&ops)));
            }
        }
        let orphans = doc.orphan_indexes();
        if !orphans.is_empty() {
            out.push_str("\n### Orphaned decisions\n\nTheir finding no longer appears.\n\n");
            for d in orphans.iter().filter_map(|i| doc.review.decisions.get(*i)) {
                let _ = writeln!(
                    out,
                    "- `{}` {}: {}",
                    d.rule_id,
                    d.status.id(),
                    md(d.excerpt.as_deref().unwrap_or(""))
                );
            }
        }
    }
    out
}

fn h(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn html(app: &App) -> String {
    let mut out = String::from(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>tenderlint review</title>\
         <style>del{color:#a00}ins{color:#070}</style></head><body>\n<h1>tenderlint review</h1>\n",
    );
    for doc in &app.docs {
        let _ = writeln!(out, "<h2>{}</h2>", h(&doc.name()));
        let Some(analysis) = &doc.analysis else {
            out.push_str("<p>Not analysed.</p>\n");
            continue;
        };
        for f in &analysis.findings {
            let d = doc.review.decision(&f.fingerprint);
            let status = d.map_or(Status::Open, |d| d.status);
            let _ = writeln!(
                out,
                "<section><h3>[{}] {}</h3>\n<p><code>{}</code> ({}) · {} · decision: <b>{}</b></p>",
                f.severity.id(),
                h(&f.title),
                h(&f.rule_id),
                f.category.id(),
                h(&location(f)),
                status.id()
            );
            if let Some(r) = d.and_then(|d| d.reason.as_deref()) {
                let _ = writeln!(out, "<p>Reason: {}</p>", h(r));
            }
            if let Some(n) = d.and_then(|d| d.note.as_deref()) {
                let _ = writeln!(out, "<p>Note: {}</p>", h(n));
            }
            if !f.explanation.is_empty() {
                let _ = writeln!(out, "<p>{}</p>", h(&f.explanation));
            }
            if let Some(rep) = replacement(f, d) {
                out.push_str("<p>");
                for op in diff::words(&finding_original(f), &rep) {
                    match op {
                        diff::Op::Same(s) => out.push_str(&h(&s)),
                        diff::Op::Delete(s) => {
                            let _ = write!(out, "<del>{}</del>", h(&s));
                        }
                        diff::Op::Insert(s) => {
                            let _ = write!(out, "<ins>{}</ins>", h(&s));
                        }
                    }
                    out.push(' ');
                }
                out.push_str("</p>\n");
            }
            out.push_str("</section>\n");
        }
        let orphans = doc.orphan_indexes();
        if !orphans.is_empty() {
            out.push_str("<h3>Orphaned decisions</h3>\n<ul>\n");
            for d in orphans.iter().filter_map(|i| doc.review.decisions.get(*i)) {
                let _ = writeln!(
                    out,
                    "<li><code>{}</code> {}: {}</li>",
                    h(&d.rule_id),
                    d.status.id(),
                    h(d.excerpt.as_deref().unwrap_or(""))
                );
            }
            out.push_str("</ul>\n");
        }
    }
    out.push_str("</body></html>\n");
    out
}
