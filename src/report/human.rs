//! Compact terminal output: one line per finding anchored `path:p<page>:§<clause>` (parts that
//! do not apply are left out; `b<n>` names the block when there is neither page nor clause), the
//! excerpt and first suggestion indented below, then one summary line.
//!
//! Every string that comes from a document, a rule file or a sidecar passes through
//! [`crate::sanitize::for_terminal`], so a document cannot send escape sequences to the
//! terminal. Colour is the caller's choice (a terminal, `NO_COLOR` unset).

use std::fmt::Write;

use crate::finding::{Finding, Severity};
use crate::sanitize::for_terminal;

use super::{Report, STATUSES, count};

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\u{1b}[{code}m{s}\u{1b}[0m")
        } else {
            s.to_string()
        }
    }
    fn severity(&self, s: Severity) -> String {
        let code = match s {
            Severity::Blocker => "1;31",
            Severity::Warning => "33",
            Severity::Info => "36",
        };
        self.wrap(code, s.id())
    }
}

fn clean(s: &str) -> String {
    for_terminal(s, false)
}

/// `tenders/a.pdf:p3:§7.3`, `notes.txt:b4`, or just the path for a document-level finding.
pub fn anchor(path: &str, f: &Finding) -> String {
    let mut a = clean(path);
    if let Some(p) = f.location.page {
        let _ = write!(a, ":p{p}");
    }
    if let Some(c) = &f.location.clause {
        let _ = write!(a, ":§{}", clean(c));
    }
    if f.location.page.is_none()
        && f.location.clause.is_none()
        && let Some(b) = f.location.block
    {
        let _ = write!(a, ":b{}", b + 1);
    }
    a
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

pub fn render(report: &Report, color: bool) -> String {
    let p = Paint { on: color };
    let mut o = String::new();
    for d in &report.documents {
        let a = match &d.result {
            Err(e) => {
                let _ = writeln!(
                    o,
                    "{}: {} {}",
                    p.wrap("1", &clean(&d.path)),
                    p.wrap("1;31", "error:"),
                    clean(&e.kind.to_string())
                );
                continue;
            }
            Ok(a) => a,
        };
        for w in a.document.warnings.iter().chain(&d.notes) {
            let _ = writeln!(
                o,
                "{}: {} {}",
                p.wrap("1", &clean(&d.path)),
                p.wrap("33", "note:"),
                clean(w)
            );
        }
        for f in &a.findings {
            let mut line = format!(
                "{}: {} {}: {} {}",
                p.wrap("1", &anchor(&d.path, f)),
                p.severity(f.severity),
                f.category.id(),
                clean(&f.title),
                p.wrap("2", &format!("[{}]", clean(&f.rule_id)))
            );
            if let Some(dec) = d.decision(f) {
                let mut status = dec.status.id().to_string();
                if let Some(r) = &dec.reason {
                    let _ = write!(status, ": {}", clean(r));
                }
                let _ = write!(line, " ({status})");
            }
            let _ = writeln!(o, "{line}");
            if let Some(x) = &f.excerpt {
                let _ = writeln!(o, "    > {}", shorten(&clean(x), 160));
            } else if f.message.trim() != f.title.trim() {
                let _ = writeln!(o, "    {}", shorten(&clean(&f.message), 160));
            } else {
                let _ = writeln!(o, "    {}", shorten(&clean(&f.explanation), 160));
            }
            if let Some(s) = f.suggestions.first() {
                let _ = writeln!(
                    o,
                    "    {} {}",
                    p.wrap("32", "suggest:"),
                    shorten(&clean(&s.text), 160)
                );
            }
        }
        for x in d.orphans() {
            let _ = writeln!(
                o,
                "{}: {} decision for a finding that is gone: {} ({})",
                p.wrap("1", &clean(&d.path)),
                p.wrap("2", "note:"),
                clean(&x.rule_id),
                x.status.id()
            );
        }
    }
    let s = report.summary();
    if !o.is_empty() {
        o.push('\n');
    }
    let _ = write!(
        o,
        "{} ({} unreadable), {}",
        count(s.documents, "document"),
        s.unreadable,
        count(s.findings, "finding"),
    );
    if s.findings > 0 {
        let sev: Vec<String> = [Severity::Blocker, Severity::Warning, Severity::Info]
            .iter()
            .map(|x| format!("{} {}", s.by_severity.get(x).copied().unwrap_or(0), x.id()))
            .collect();
        let st: Vec<String> = STATUSES
            .iter()
            .filter_map(|x| {
                let n = s.by_status.get(x.id()).copied().unwrap_or(0);
                (n > 0).then(|| format!("{n} {}", x.id()))
            })
            .collect();
        let _ = write!(o, ": {}; {}", sev.join(", "), st.join(", "));
    }
    o.push_str(".\n");
    o
}

#[cfg(test)]
mod tests {
    use super::super::testdata;
    use super::*;

    #[test]
    fn no_escape_sequences_from_documents_without_colour() {
        let out = render(&testdata::report(), false);
        assert!(!out.contains('\u{1b}'), "{out}");
        assert!(out.contains("tenders/a.txt:§7.3: blocker copyright-ownership"));
        assert!(out.contains("tenders/a.txt:b3: warning"));
    }

    #[test]
    fn colour_only_wraps_our_own_text() {
        let out = render(&testdata::report(), true);
        assert!(out.contains("\u{1b}[1;31mblocker\u{1b}[0m"));
        // The excerpt's own "\x1b[2J" is stripped even with colour on.
        assert!(out.contains("nothing"));
        assert!(!out.contains("\u{1b}[2J"));
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render(&testdata::report(), false));
    }
}
