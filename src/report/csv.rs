//! CSV: one finding per row under a header row, RFC 4180 quoting, CRLF line ends, for
//! spreadsheets. An unreadable document gets one row of its own with `error` filled and the
//! finding columns empty, so a spreadsheet shows it too.
//!
//! Cells holding document text are untrusted: a cell that would start with `=`, `+`, `-`, `@`,
//! tab or carriage return gets a leading `'` so spreadsheet programs do not run it as a formula.

use super::{Report, json::position_id};

const HEADER: [&str; 23] = [
    "path",
    "format",
    "language",
    "error",
    "rule_id",
    "category",
    "severity",
    "title",
    "message",
    "page",
    "clause",
    "heading",
    "block",
    "start",
    "end",
    "excerpt",
    "suggestion",
    "suggestion_position",
    "status",
    "reason",
    "note",
    "needs_legal_review",
    "fingerprint",
];

fn cell(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

fn row(out: &mut String, cells: &[String]) {
    let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    row(
        &mut out,
        &HEADER.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    );
    for d in &report.documents {
        match &d.result {
            Err(e) => {
                let mut cells = vec![String::new(); HEADER.len()];
                cells[0] = d.path.clone();
                cells[3] = e.kind.to_string();
                row(&mut out, &cells);
            }
            Ok(a) => {
                for f in &a.findings {
                    let decision = d.decision(f);
                    let suggestion = f.suggestions.first();
                    row(
                        &mut out,
                        &[
                            d.path.clone(),
                            a.document.format.as_str().to_string(),
                            opt(a.document.language.map(|l| l.code())),
                            String::new(),
                            f.rule_id.clone(),
                            f.category.id().to_string(),
                            f.severity.id().to_string(),
                            f.title.clone(),
                            f.message.clone(),
                            opt(f.location.page),
                            opt(f.location.clause.as_deref()),
                            opt(f.location.heading.as_deref()),
                            opt(f.location.block),
                            opt(f.location.start),
                            opt(f.location.end),
                            opt(f.excerpt.as_deref()),
                            opt(suggestion.map(|s| s.text.as_str())),
                            opt(suggestion.map(|s| position_id(s.position))),
                            d.status(f).id().to_string(),
                            opt(decision.and_then(|d| d.reason.as_deref())),
                            opt(decision.and_then(|d| d.note.as_deref())),
                            f.needs_legal_review.to_string(),
                            f.fingerprint.clone(),
                        ],
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testdata;
    use super::*;

    #[test]
    fn quotes_and_guards_cells() {
        let cases = [
            ("plain", "plain"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("-1", "'-1"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(cell(input), want, "{input:?}");
        }
    }

    #[test]
    fn one_row_per_finding_plus_error_rows() {
        let out = render(&testdata::report());
        // Header + 3 findings + 1 unreadable document; the excerpt with a newline is quoted, so
        // count records by their CRLF terminators.
        assert_eq!(out.matches("\r\n").count(), 5);
        assert!(out.starts_with("path,format,language,error,rule_id,"));
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render(&testdata::report()));
    }
}
