//! Markdown for people: a summary table (categories by severity) and review counts, then per
//! document each finding with its place (clause, page, heading), excerpt, explanation, suggested
//! replacement text, references and review decision, then orphaned decisions.
//!
//! Document text is untrusted and may contain Markdown or HTML: it is escaped so that it renders
//! as the literal text (`escape`), and quoted text stays on its block-quote lines.

use std::fmt::Write;

use crate::finding::{Category, Severity};

use super::{Report, STATUSES, category_severity, count, json::position_id, place};

/// Removes terminal escape sequences and control characters, backslash-escapes Markdown and HTML
/// metacharacters and folds line breaks into spaces.
pub(crate) fn escape(s: &str) -> String {
    let s = crate::sanitize::for_terminal(s, false);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Blocker => "Blocker",
        Severity::Warning => "Warning",
        Severity::Info => "Info",
    }
}

pub fn render(report: &Report) -> String {
    let mut o = String::new();
    let s = report.summary();
    let _ = writeln!(o, "# tenderlint report\n");
    let rulesets: Vec<String> = report
        .rulesets
        .iter()
        .map(|r| format!("{} {}", r.name, r.version))
        .collect();
    let _ = write!(o, "{} {}", report.tool_name, report.tool_version);
    if !rulesets.is_empty() {
        let _ = write!(o, " with rule sets {}", escape(&rulesets.join(", ")));
    }
    if let Some(t) = &report.generated_at {
        let _ = write!(o, ", {t}");
    }
    let _ = writeln!(o, ".\n");
    let _ = writeln!(o, "## Summary\n");
    let _ = writeln!(
        o,
        "{} ({} unreadable), {}.\n",
        count(s.documents, "document"),
        s.unreadable,
        count(s.findings, "finding")
    );
    let cs = category_severity(report);
    let _ = writeln!(o, "| Category | Blocker | Warning | Info | Total |");
    let _ = writeln!(o, "|---|---:|---:|---:|---:|");
    for c in Category::ALL {
        let n = |sev| cs.get(&(c, sev)).copied().unwrap_or(0);
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            c.label(),
            n(Severity::Blocker),
            n(Severity::Warning),
            n(Severity::Info),
            s.by_category.get(&c).copied().unwrap_or(0)
        );
    }
    let sev = |x| s.by_severity.get(&x).copied().unwrap_or(0);
    let _ = writeln!(
        o,
        "| **Total** | {} | {} | {} | {} |\n",
        sev(Severity::Blocker),
        sev(Severity::Warning),
        sev(Severity::Info),
        s.findings
    );
    let statuses: Vec<String> = STATUSES
        .iter()
        .map(|st| {
            format!(
                "{} {}",
                s.by_status.get(st.id()).copied().unwrap_or(0),
                st.id()
            )
        })
        .collect();
    let _ = writeln!(o, "Review: {}.\n", statuses.join(", "));

    for d in &report.documents {
        let _ = writeln!(o, "## {}\n", escape(&d.path));
        let a = match &d.result {
            Err(e) => {
                let _ = writeln!(
                    o,
                    "**Could not be read:** {}\n",
                    escape(&e.kind.to_string())
                );
                continue;
            }
            Ok(a) => a,
        };
        let doc = &a.document;
        let mut facts = vec![format!("Format {}", doc.format)];
        if let Some(l) = doc.language {
            facts.push(format!("language {l}"));
        }
        if let Some(p) = doc.pages {
            facts.push(format!("{p} pages"));
        }
        facts.push(count(a.findings.len(), "finding"));
        let _ = writeln!(o, "{}.\n", facts.join(", "));
        for w in doc.warnings.iter().chain(&d.notes) {
            let _ = writeln!(o, "- Note: {}", escape(w));
        }
        if !doc.warnings.is_empty() || !d.notes.is_empty() {
            o.push('\n');
        }
        for (i, f) in a.findings.iter().enumerate() {
            let _ = writeln!(
                o,
                "### {}. {} · {}: {}\n",
                i + 1,
                severity_label(f.severity),
                f.category.label(),
                escape(&f.title)
            );
            let mut where_ = place(f);
            if let Some(h) = &f.location.heading {
                where_.push_str(&format!(" (under “{}”)", escape(h)));
            }
            let _ = writeln!(o, "- **Where:** {where_}");
            let _ = writeln!(o, "- **Rule:** `{}`", f.rule_id.replace('`', ""));
            let decision = d.decision(f);
            let mut review = d.status(f).id().to_string();
            if let Some(r) = decision.and_then(|d| d.reason.as_deref()) {
                review.push_str(&format!(": {}", escape(r)));
            }
            if let Some(n) = decision.and_then(|d| d.note.as_deref()) {
                review.push_str(&format!(" (note: {})", escape(n)));
            }
            let _ = writeln!(o, "- **Review:** {review}");
            if f.needs_legal_review {
                let _ = writeln!(o, "- **Needs legal review**");
            }
            o.push('\n');
            if f.message.trim() != f.title.trim() {
                let _ = writeln!(o, "{}\n", escape(&f.message));
            }
            if let Some(x) = &f.excerpt {
                let _ = writeln!(o, "> {}\n", escape(x));
            }
            let _ = writeln!(o, "**Why it matters.** {}\n", escape(&f.explanation));
            for sug in &f.suggestions {
                let _ = writeln!(
                    o,
                    "**Suggested text ({}).**\n\n> {}\n",
                    position_id(sug.position),
                    escape(&sug.text)
                );
            }
            if let Some(r) = decision.and_then(|d| d.replacement.as_deref()) {
                let _ = writeln!(o, "**Replacement chosen in review.**\n\n> {}\n", escape(r));
            }
            if !f.references.is_empty() {
                let refs: Vec<String> = f
                    .references
                    .iter()
                    .map(|r| match &r.url {
                        Some(u) => format!("[{}](<{}>)", escape(&r.title), u.replace('>', "%3E")),
                        None => escape(&r.title),
                    })
                    .collect();
                let _ = writeln!(o, "**References:** {}\n", refs.join("; "));
            }
        }
        let orphans = d.orphans();
        if !orphans.is_empty() {
            let _ = writeln!(o, "### Review decisions whose finding is gone\n");
            for x in orphans {
                let mut line = format!("- `{}`: {}", x.rule_id.replace('`', ""), x.status.id());
                if let Some(r) = &x.reason {
                    line.push_str(&format!(" ({})", escape(r)));
                }
                if let Some(e) = &x.excerpt {
                    line.push_str(&format!(", about “{}”", escape(e)));
                }
                let _ = writeln!(o, "{line}");
            }
            o.push('\n');
        }
    }
    while o.ends_with("\n\n") {
        o.pop();
    }
    o
}

#[cfg(test)]
mod tests {
    use super::super::testdata;
    use super::*;

    #[test]
    fn escapes_markup_in_document_text() {
        assert_eq!(escape("<b>*x*</b>\nnext"), "\\<b\\>\\*x\\*\\</b\\> next");
        assert_eq!(escape("a | b"), "a \\| b");
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render(&testdata::report()));
    }
}
