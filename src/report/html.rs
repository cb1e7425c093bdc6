//! HTML for people: one self-contained file (inline CSS, an inline SVG chart, no scripts, no
//! external assets) that reads well on screen and prints well (`@media print`).
//!
//! Same content as the Markdown report: a summary with a bar chart of findings per category
//! (stacked by severity) and a table, then per document each finding with clause, page,
//! excerpt, explanation, suggested replacement, references and review decision. All text from
//! documents, rules and sidecars goes through `escape`.

use std::fmt::Write;

use crate::finding::{Category, Severity};

use super::{Report, STATUSES, category_severity, count, json::position_id, place};

/// Removes escape sequences and control characters (keeping line breaks) and escapes HTML.
pub(crate) fn escape(s: &str) -> String {
    let s = crate::sanitize::for_terminal(s, true);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --blocker: #b3261e; --warning: #a15c00; --info: #2b5797; --muted: #5f6368; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f1f1f;
  max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2.5rem;
  overflow-wrap: anywhere; }
h3 { font-size: 1.05rem; margin: 0 0 .4rem; }
.meta, .where { color: var(--muted); font-size: .9rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ddd; padding: .25rem .6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.finding { border: 1px solid #ddd; border-left: 6px solid var(--info); border-radius: 4px;
  padding: .8rem 1rem; margin: 1rem 0; break-inside: avoid; }
.finding.blocker { border-left-color: var(--blocker); }
.finding.warning { border-left-color: var(--warning); }
.badge { display: inline-block; font-size: .75rem; font-weight: 600; text-transform: uppercase;
  color: #fff; background: var(--info); border-radius: 3px; padding: 0 .4rem; margin-right: .4rem; }
.badge.blocker { background: var(--blocker); }
.badge.warning { background: var(--warning); }
.status { font-weight: 600; }
blockquote { margin: .5rem 0; padding: .3rem .8rem; background: #f6f6f6; border-left: 3px solid #bbb;
  white-space: pre-wrap; overflow-wrap: anywhere; }
blockquote.suggestion { background: #eef6ee; border-left-color: #2e7d32; }
.error { color: var(--blocker); font-weight: 600; }
svg text { font: 12px system-ui, sans-serif; fill: #1f1f1f; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-before: page; }
  h2:first-of-type { break-before: auto; }
  .finding { border-left-width: 4px; }
  a { color: inherit; text-decoration: none; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: .8em; color: var(--muted); }
  .badge { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

fn severity_class(s: Severity) -> &'static str {
    s.id()
}

/// The same colours as the CSS variables; SVG presentation attributes cannot use `var()`.
fn color(s: Severity) -> &'static str {
    match s {
        Severity::Blocker => "#b3261e",
        Severity::Warning => "#a15c00",
        Severity::Info => "#2b5797",
    }
}

fn chart(report: &Report) -> String {
    let cs = category_severity(report);
    let max = Category::ALL
        .iter()
        .map(|c| Severity::ALL.iter().map(|s| cs[&(*c, *s)]).sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_w, bar_w, row_h) = (170.0, 360.0, 26.0);
    let height = row_h * Category::ALL.len() as f64 + 30.0;
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="600" height="{height}" viewBox="0 0 600 {height}" role="img" aria-label="Findings per category">"#
    );
    for (i, c) in Category::ALL.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let _ = write!(
            o,
            r#"<text x="0" y="{:.1}">{}</text>"#,
            y + 15.0,
            escape(c.label())
        );
        let mut x = label_w;
        let mut total = 0;
        for s in [Severity::Blocker, Severity::Warning, Severity::Info] {
            let n = cs[&(*c, s)];
            total += n;
            if n == 0 {
                continue;
            }
            let w = bar_w * n as f64 / max as f64;
            let _ = write!(
                o,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="18" fill="{}"><title>{} {}</title></rect>"#,
                color(s),
                n,
                s.id()
            );
            x += w;
        }
        let _ = write!(
            o,
            r#"<text x="{:.1}" y="{:.1}">{total}</text>"#,
            x + 6.0,
            y + 15.0
        );
    }
    let ly = height - 8.0;
    for (i, s) in [Severity::Blocker, Severity::Warning, Severity::Info]
        .iter()
        .enumerate()
    {
        let lx = label_w + i as f64 * 100.0;
        let _ = write!(
            o,
            r#"<rect x="{lx:.1}" y="{:.1}" width="10" height="10" fill="{}"/><text x="{:.1}" y="{ly:.1}">{}</text>"#,
            ly - 9.0,
            color(*s),
            lx + 14.0,
            s.id()
        );
    }
    o.push_str("</svg>");
    o
}

pub fn render(report: &Report) -> String {
    let s = report.summary();
    let mut o = String::new();
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    o.push_str("<title>tenderlint report</title>\n<style>");
    o.push_str(CSS);
    o.push_str("</style>\n</head>\n<body>\n<h1>tenderlint report</h1>\n");
    let rulesets: Vec<String> = report
        .rulesets
        .iter()
        .map(|r| format!("{} {}", r.name, r.version))
        .collect();
    let _ = write!(
        o,
        "<p class=\"meta\">{} {}",
        escape(&report.tool_name),
        escape(&report.tool_version)
    );
    if !rulesets.is_empty() {
        let _ = write!(o, " with rule sets {}", escape(&rulesets.join(", ")));
    }
    if let Some(t) = &report.generated_at {
        let _ = write!(o, ", <time>{}</time>", escape(t));
    }
    o.push_str(".</p>\n<section>\n<h2>Summary</h2>\n");
    let _ = writeln!(
        o,
        "<p>{} ({} unreadable), {}.</p>",
        count(s.documents, "document"),
        s.unreadable,
        count(s.findings, "finding")
    );
    o.push_str(&chart(report));
    o.push_str("\n<table>\n<thead><tr><th>Category</th><th>Blocker</th><th>Warning</th><th>Info</th><th>Total</th></tr></thead>\n<tbody>\n");
    let cs = category_severity(report);
    for c in Category::ALL {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            c.label(),
            cs[&(c, Severity::Blocker)],
            cs[&(c, Severity::Warning)],
            cs[&(c, Severity::Info)],
            s.by_category.get(&c).copied().unwrap_or(0)
        );
    }
    let sev = |x| s.by_severity.get(&x).copied().unwrap_or(0);
    let _ = writeln!(
        o,
        "<tr><th>Total</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n</tbody>\n</table>",
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
    let _ = writeln!(o, "<p>Review: {}.</p>\n</section>", statuses.join(", "));

    for d in &report.documents {
        let _ = writeln!(o, "<section>\n<h2>{}</h2>", escape(&d.path));
        let a = match &d.result {
            Err(e) => {
                let _ = writeln!(
                    o,
                    "<p class=\"error\">Could not be read: {}</p>\n</section>",
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
        let _ = writeln!(o, "<p class=\"meta\">{}.</p>", facts.join(", "));
        for w in doc.warnings.iter().chain(&d.notes) {
            let _ = writeln!(o, "<p class=\"meta\">Note: {}</p>", escape(w));
        }
        for f in &a.findings {
            let class = severity_class(f.severity);
            let _ = writeln!(o, "<article class=\"finding {class}\">");
            let _ = writeln!(
                o,
                "<h3><span class=\"badge {class}\">{}</span>{}: {}</h3>",
                f.severity.id(),
                f.category.label(),
                escape(&f.title)
            );
            let mut where_ = escape(&place(f));
            if let Some(h) = &f.location.heading {
                where_.push_str(&format!(" · under “{}”", escape(h)));
            }
            let _ = writeln!(
                o,
                "<p class=\"where\">{where_} · rule <code>{}</code></p>",
                escape(&f.rule_id)
            );
            if f.message.trim() != f.title.trim() {
                let _ = writeln!(o, "<p>{}</p>", escape(&f.message));
            }
            if let Some(x) = &f.excerpt {
                let _ = writeln!(o, "<blockquote>{}</blockquote>", escape(x));
            }
            let _ = writeln!(
                o,
                "<p><strong>Why it matters.</strong> {}</p>",
                escape(&f.explanation)
            );
            for sug in &f.suggestions {
                let _ = writeln!(
                    o,
                    "<p><strong>Suggested text ({}).</strong></p>\n<blockquote class=\"suggestion\">{}</blockquote>",
                    position_id(sug.position),
                    escape(&sug.text)
                );
            }
            let decision = d.decision(f);
            if let Some(r) = decision.and_then(|d| d.replacement.as_deref()) {
                let _ = writeln!(
                    o,
                    "<p><strong>Replacement chosen in review.</strong></p>\n<blockquote class=\"suggestion\">{}</blockquote>",
                    escape(r)
                );
            }
            if !f.references.is_empty() {
                let refs: Vec<String> = f
                    .references
                    .iter()
                    .map(|r| match &r.url {
                        Some(u) if u.starts_with("https://") || u.starts_with("http://") => {
                            format!("<a href=\"{}\">{}</a>", escape(u), escape(&r.title))
                        }
                        _ => escape(&r.title),
                    })
                    .collect();
                let _ = writeln!(o, "<p><strong>References:</strong> {}</p>", refs.join("; "));
            }
            let mut review = format!(
                "<p>Review: <span class=\"status\">{}</span>",
                d.status(f).id()
            );
            if let Some(r) = decision.and_then(|d| d.reason.as_deref()) {
                review.push_str(&format!(": {}", escape(r)));
            }
            if let Some(n) = decision.and_then(|d| d.note.as_deref()) {
                review.push_str(&format!(" (note: {})", escape(n)));
            }
            if f.needs_legal_review {
                review.push_str(" · needs legal review");
            }
            let _ = writeln!(o, "{review}</p>\n</article>");
        }
        let orphans = d.orphans();
        if !orphans.is_empty() {
            o.push_str("<h3>Review decisions whose finding is gone</h3>\n<ul>\n");
            for x in orphans {
                let mut line =
                    format!("<li><code>{}</code>: {}", escape(&x.rule_id), x.status.id());
                if let Some(r) = &x.reason {
                    line.push_str(&format!(" ({})", escape(r)));
                }
                if let Some(e) = &x.excerpt {
                    line.push_str(&format!(", about “{}”", escape(e)));
                }
                let _ = writeln!(o, "{line}</li>");
            }
            o.push_str("</ul>\n");
        }
        o.push_str("</section>\n");
    }
    o.push_str("</body>\n</html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::super::testdata;
    use super::*;

    #[test]
    fn document_text_is_escaped_and_the_file_is_self_contained() {
        let out = render(&testdata::report());
        assert!(out.contains("SharePoint &lt;2019&gt; &amp; &quot;Teams&quot;"));
        assert!(!out.contains("<2019>"));
        assert!(!out.contains("<script"));
        assert!(!out.contains("src="));
        assert!(!out.contains("<link"));
        assert!(out.contains("@media print"));
        assert!(out.contains("<svg"));
        assert!(!out.contains('\u{1b}'));
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render(&testdata::report()));
    }
}
