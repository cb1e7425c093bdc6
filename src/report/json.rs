//! The JSON report: the whole batch as one object, laid out by `docs/report.schema.json`
//! (`schema_version` [`SCHEMA_VERSION`]).
//!
//! The layout is spelled out here as its own serde structs instead of serialising the library
//! types directly, so that a field added to `Finding` or `Document` for another consumer does not
//! silently change a published format. `jsonl` reuses `document` for its lines.

use serde::Serialize;

use crate::finding::{Finding, Position};
use crate::review::{Decision, Status};

use super::{DocumentReport, Report, SCHEMA_VERSION};

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    tool: Tool<'a>,
    generated_at: Option<&'a str>,
    rulesets: Vec<Ruleset<'a>>,
    summary: Summary,
    documents: Vec<JsonDocument<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct Ruleset<'a> {
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct Summary {
    documents: usize,
    unreadable: usize,
    findings: usize,
    by_category: serde_json::Map<String, serde_json::Value>,
    by_severity: serde_json::Map<String, serde_json::Value>,
    by_status: serde_json::Map<String, serde_json::Value>,
}

/// One document, as in `documents[]` and as one JSON-lines record.
#[derive(Serialize)]
pub(crate) struct JsonDocument<'a> {
    path: &'a str,
    format: Option<&'static str>,
    language: Option<&'static str>,
    pages: Option<u32>,
    title: Option<&'a str>,
    error: Option<JsonError>,
    warnings: Vec<&'a str>,
    findings: Vec<JsonFinding<'a>>,
    topics: Vec<JsonTopic<'a>>,
    orphaned_decisions: Vec<JsonOrphan<'a>>,
}

#[derive(Serialize)]
struct JsonError {
    kind: &'static str,
    message: String,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    category: &'static str,
    severity: &'static str,
    title: &'a str,
    message: &'a str,
    explanation: &'a str,
    excerpt: Option<&'a str>,
    context: Option<&'a str>,
    location: JsonLocation<'a>,
    suggestions: Vec<JsonSuggestion<'a>>,
    references: Vec<JsonReference<'a>>,
    needs_legal_review: bool,
    language: Option<&'static str>,
    fingerprint: &'a str,
    decision: JsonDecision<'a>,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    page: Option<u32>,
    clause: Option<&'a str>,
    heading: Option<&'a str>,
    block: Option<usize>,
    start: Option<usize>,
    end: Option<usize>,
}

#[derive(Serialize)]
struct JsonSuggestion<'a> {
    text: &'a str,
    position: &'static str,
    replaces: Option<JsonSpan>,
}

#[derive(Serialize)]
struct JsonSpan {
    block: usize,
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct JsonReference<'a> {
    title: &'a str,
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonDecision<'a> {
    status: &'static str,
    reason: Option<&'a str>,
    note: Option<&'a str>,
    replacement: Option<&'a str>,
    decided_at: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonTopic<'a> {
    topic: &'a str,
    block: usize,
    clause: Option<&'a str>,
    page: Option<u32>,
}

#[derive(Serialize)]
struct JsonOrphan<'a> {
    fingerprint: &'a str,
    rule_id: &'a str,
    excerpt: Option<&'a str>,
    decision: JsonDecision<'a>,
}

pub(crate) fn position_id(p: Position) -> &'static str {
    match p {
        Position::Preferred => "preferred",
        Position::Fallback => "fallback",
        Position::Alternative => "alternative",
    }
}

fn decision(d: Option<&Decision>) -> JsonDecision<'_> {
    match d {
        Some(d) => JsonDecision {
            status: d.status.id(),
            reason: d.reason.as_deref(),
            note: d.note.as_deref(),
            replacement: d.replacement.as_deref(),
            decided_at: Some(&d.decided_at),
        },
        None => JsonDecision {
            status: Status::Open.id(),
            reason: None,
            note: None,
            replacement: None,
            decided_at: None,
        },
    }
}

fn finding<'a>(d: &'a DocumentReport, f: &'a Finding) -> JsonFinding<'a> {
    JsonFinding {
        rule_id: &f.rule_id,
        category: f.category.id(),
        severity: f.severity.id(),
        title: &f.title,
        message: &f.message,
        explanation: &f.explanation,
        excerpt: f.excerpt.as_deref(),
        context: f.context.as_deref(),
        location: JsonLocation {
            page: f.location.page,
            clause: f.location.clause.as_deref(),
            heading: f.location.heading.as_deref(),
            block: f.location.block,
            start: f.location.start,
            end: f.location.end,
        },
        suggestions: f
            .suggestions
            .iter()
            .map(|s| JsonSuggestion {
                text: &s.text,
                position: position_id(s.position),
                replaces: s.replaces.map(|r| JsonSpan {
                    block: r.block,
                    start: r.start,
                    end: r.end,
                }),
            })
            .collect(),
        references: f
            .references
            .iter()
            .map(|r| JsonReference {
                title: &r.title,
                url: r.url.as_deref(),
            })
            .collect(),
        needs_legal_review: f.needs_legal_review,
        language: f.language.map(|l| l.code()),
        fingerprint: &f.fingerprint,
        decision: decision(d.decision(f)),
    }
}

pub(crate) fn document(d: &DocumentReport) -> JsonDocument<'_> {
    let orphaned_decisions = d
        .orphans()
        .into_iter()
        .map(|o| JsonOrphan {
            fingerprint: &o.fingerprint,
            rule_id: &o.rule_id,
            excerpt: o.excerpt.as_deref(),
            decision: decision(Some(o)),
        })
        .collect();
    match &d.result {
        Ok(a) => {
            let doc = &a.document;
            JsonDocument {
                path: &d.path,
                format: Some(doc.format.as_str()),
                language: doc.language.map(|l| l.code()),
                pages: doc.pages,
                title: doc.title.as_deref(),
                error: None,
                warnings: doc
                    .warnings
                    .iter()
                    .chain(&d.notes)
                    .map(String::as_str)
                    .collect(),
                findings: a.findings.iter().map(|f| finding(d, f)).collect(),
                topics: a
                    .topics
                    .iter()
                    .map(|t| JsonTopic {
                        topic: &t.topic,
                        block: t.block,
                        clause: t.clause.as_deref(),
                        page: t.page,
                    })
                    .collect(),
                orphaned_decisions,
            }
        }
        Err(e) => JsonDocument {
            path: &d.path,
            format: None,
            language: None,
            pages: None,
            title: None,
            error: Some(JsonError {
                kind: e.kind.id(),
                message: e.kind.to_string(),
            }),
            warnings: d.notes.iter().map(String::as_str).collect(),
            findings: Vec::new(),
            topics: Vec::new(),
            orphaned_decisions,
        },
    }
}

fn counts<K: std::fmt::Display>(
    map: impl IntoIterator<Item = (K, usize)>,
) -> serde_json::Map<String, serde_json::Value> {
    map.into_iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::from(v)))
        .collect()
}

/// The report as pretty-printed JSON with a final newline.
pub fn render(report: &Report) -> Vec<u8> {
    let s = report.summary();
    let out = JsonReport {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: &report.tool_name,
            version: &report.tool_version,
        },
        generated_at: report.generated_at.as_deref(),
        rulesets: report
            .rulesets
            .iter()
            .map(|r| Ruleset {
                name: &r.name,
                version: &r.version,
            })
            .collect(),
        summary: Summary {
            documents: s.documents,
            unreadable: s.unreadable,
            findings: s.findings,
            by_category: counts(s.by_category),
            by_severity: counts(s.by_severity),
            by_status: counts(s.by_status),
        },
        documents: report.documents.iter().map(document).collect(),
    };
    // Reserved from the texts the findings carry (most of the output), so that the buffer
    // does not grow by doubling: every copy on the way touches fresh pages, and the report is
    // written at the end, when nothing else is left to run beside it.
    let mut bytes = Vec::with_capacity(estimate(report));
    if serde_json::to_writer_pretty(&mut bytes, &out).is_err() {
        bytes.clear();
    }
    bytes.push(b'\n');
    bytes
}

/// Bytes the pretty-printed report is unlikely to exceed: the findings' texts, with room for
/// keys, indentation and escapes.
fn estimate(report: &Report) -> usize {
    let texts: usize = report
        .documents
        .iter()
        .filter_map(|d| d.result.as_ref().ok())
        .flat_map(|a| &a.findings)
        .map(|f| {
            f.title.len()
                + f.message.len()
                + f.explanation.len()
                + f.excerpt.as_ref().map_or(0, String::len)
                + f.context.as_ref().map_or(0, String::len)
                + f.location.heading.as_ref().map_or(0, String::len)
                + f.suggestions.iter().map(|s| s.text.len()).sum::<usize>()
                + f.references
                    .iter()
                    .map(|r| r.title.len() + r.url.as_ref().map_or(0, String::len))
                    .sum::<usize>()
                + 2048
        })
        .sum();
    (texts + report.documents.len() * 4096 + 8192).saturating_mul(5) / 4
}

#[cfg(test)]
mod tests {
    use super::super::testdata;
    use super::*;

    pub(crate) fn schema() -> serde_json::Value {
        let text = include_str!("../../docs/report.schema.json");
        serde_json::from_str(text).expect("schema is JSON")
    }

    #[test]
    fn validates_against_the_published_schema() {
        let out = render(&testdata::report());
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let validator = jsonschema::draft202012::new(&schema()).expect("schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }

    #[test]
    fn schema_rejects_a_report_missing_a_required_field() {
        let out = render(&testdata::report());
        let mut value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        value["documents"][0]["findings"][0]
            .as_object_mut()
            .unwrap()
            .remove("fingerprint");
        let validator = jsonschema::draft202012::new(&schema()).unwrap();
        assert!(!validator.is_valid(&value));
    }

    #[test]
    fn decisions_and_orphans_are_reported() {
        let out = render(&testdata::report());
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let doc = &v["documents"][0];
        assert_eq!(doc["findings"][0]["decision"]["status"], "open");
        assert_eq!(doc["findings"][1]["decision"]["status"], "dismissed");
        assert_eq!(
            doc["findings"][1]["decision"]["reason"],
            "installed base justified"
        );
        assert_eq!(
            doc["orphaned_decisions"][0]["rule_id"],
            "reuse-rights.no-publication"
        );
        assert_eq!(v["documents"][2]["error"]["kind"], "no-text-layer");
        assert_eq!(v["summary"]["by_status"]["escalated"], 0);
    }

    #[test]
    fn the_buffer_is_reserved_once_for_the_whole_report() {
        let report = testdata::report();
        let out = render(&report);
        let reserved = estimate(&report);
        assert!(out.len() <= reserved, "{} > {reserved}", out.len());
        assert!(
            reserved < 8 * out.len() + 65_536,
            "{reserved} for {}",
            out.len()
        );
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(String::from_utf8(render(&testdata::report())).unwrap());
    }
}
