//! SARIF 2.1.0 for code-scanning dashboards, checked with Microsoft's SARIF Multitool.
//!
//! Decisions made here, since tender documents are not source code:
//! - Rule descriptors come from the findings (title, explanation, first suggestion), sorted by
//!   rule id; `helpUri` points at the rule's section of `docs/rules.md`.
//! - Every input document is an artifact with a relative, percent-encoded URI (`<stdin>` too).
//! - A region's `startLine` is the real line for text and Markdown (the reader records each
//!   block's first line and one piece per line); PDF, DOCX and ODT have no lines, so there it is
//!   the block number (1-based) as `tenderlint extract` lists blocks, with `properties.lineKind`
//!   saying which. Page, clause, heading and the byte span are in the result's `properties`; the
//!   excerpt is the region's snippet. Document-level findings point at line 1 (`lineKind`
//!   `document`).
//! - Findings dismissed in review become `suppressions` (kind `external`), so dashboards hide
//!   them; the review status is in `properties.reviewStatus` for all.
//! - Unreadable documents are `toolExecutionNotifications` and make `executionSuccessful` false.

use serde_json::{Map, Value, json};

use crate::document::Format;
use crate::finding::{Finding, Severity};
use crate::review::Status;

use super::{DocumentReport, RULES_DOC_URL, Report};

const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Blocker => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `copyright.supplier-keeps-ip` -> `CopyrightSupplierKeepsIp`.
fn rule_name(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut cs = p.chars();
            match cs.next() {
                Some(c) => c.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Percent-encodes a relative path for a URI reference, keeping `/` and unreserved characters.
pub(crate) fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn mime(f: Format) -> &'static str {
    match f {
        Format::Pdf => "application/pdf",
        Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Format::Odt => "application/vnd.oasis.opendocument.text",
        Format::Fodt => "application/vnd.oasis.opendocument.text-flat-xml",
        Format::Text => "text/plain",
        Format::Markdown => "text/markdown",
    }
}

fn sentence(s: &str) -> String {
    let t = s.trim();
    if t.ends_with(['.', '!', '?']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

fn rule_descriptor(f: &Finding) -> Value {
    let mut help = sentence(&f.explanation);
    let mut help_md = help.clone();
    if let Some(s) = f.suggestions.first() {
        help.push_str("\n\nSuggested text: ");
        help.push_str(&s.text);
        help_md.push_str("\n\n**Suggested text:** ");
        help_md.push_str(&s.text);
    }
    json!({
        "id": f.rule_id,
        "name": rule_name(&f.rule_id),
        "shortDescription": { "text": sentence(&f.title) },
        "fullDescription": { "text": sentence(&f.explanation) },
        "help": { "text": help, "markdown": help_md },
        "helpUri": format!("{RULES_DOC_URL}#{}", f.rule_id),
        "defaultConfiguration": { "level": level(f.severity) },
        "properties": {
            "category": f.category.id(),
            "tags": [f.category.id()],
        },
    })
}

/// (line, kind) for a finding's region; a document-level finding points at line 1.
fn start_line(d: &DocumentReport, f: &Finding) -> Option<(usize, &'static str)> {
    let Some(block_idx) = f.location.block else {
        return Some((1, "document"));
    };
    let a = d.result.as_ref().ok()?;
    if matches!(a.document.format, Format::Text | Format::Markdown)
        && let Some(b) = a.document.blocks.get(block_idx)
    {
        // The pieces are one per source line, in order.
        let start = f.location.start.unwrap_or(0);
        let piece = b
            .pieces
            .iter()
            .rposition(|p| p.range.start <= start)
            .unwrap_or(0);
        return Some((b.anchor.index + piece + 1, "line"));
    }
    Some((block_idx + 1, "block"))
}

fn result(d: &DocumentReport, f: &Finding, rule_index: usize, artifact_index: usize) -> Value {
    let mut physical = Map::new();
    physical.insert(
        "artifactLocation".into(),
        json!({ "uri": uri(&d.path), "index": artifact_index }),
    );
    let mut props = Map::new();
    props.insert("category".into(), json!(f.category.id()));
    props.insert("severity".into(), json!(f.severity.id()));
    if let Some((line, kind)) = start_line(d, f) {
        let mut region = Map::new();
        region.insert("startLine".into(), json!(line));
        if let Some(x) = &f.excerpt {
            region.insert("snippet".into(), json!({ "text": x }));
        }
        physical.insert("region".into(), Value::Object(region));
        props.insert("lineKind".into(), json!(kind));
    }
    let loc = &f.location;
    for (k, v) in [
        ("page", json!(loc.page)),
        ("clause", json!(loc.clause)),
        ("heading", json!(loc.heading)),
        ("block", json!(loc.block)),
        ("start", json!(loc.start)),
        ("end", json!(loc.end)),
    ] {
        if !v.is_null() {
            props.insert(k.into(), v);
        }
    }
    let decision = d.decision(f);
    let status = decision.map_or(Status::Open, |d| d.status);
    props.insert("reviewStatus".into(), json!(status.id()));
    if let Some(r) = decision.and_then(|d| d.reason.as_deref()) {
        props.insert("reviewReason".into(), json!(r));
    }
    if let Some(n) = decision.and_then(|d| d.note.as_deref()) {
        props.insert("reviewNote".into(), json!(n));
    }
    props.insert("needsLegalReview".into(), json!(f.needs_legal_review));
    if !f.suggestions.is_empty() {
        props.insert(
            "suggestions".into(),
            json!(f.suggestions.iter().map(|s| &s.text).collect::<Vec<_>>()),
        );
    }
    let message = sentence(&format!(
        "{} ({})",
        f.message.trim().trim_end_matches('.'),
        super::place(f)
    ));
    let mut r = json!({
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": message },
        "locations": [ { "physicalLocation": Value::Object(physical) } ],
        "partialFingerprints": { "tenderlintFingerprint/v1": f.fingerprint },
        "properties": Value::Object(props),
    });
    if status == Status::Dismissed {
        let mut s = json!({ "kind": "external", "status": "accepted" });
        if let Some(reason) = decision.and_then(|d| d.reason.as_deref()) {
            s["justification"] = json!(reason);
        }
        r["suppressions"] = json!([s]);
    }
    r
}

pub fn render(report: &Report) -> Vec<u8> {
    // Rule descriptors: one per rule id, sorted, taken from its first finding.
    let mut rules: Vec<&Finding> = Vec::new();
    for (_, f) in report.all_findings() {
        if !rules.iter().any(|r| r.rule_id == f.rule_id) {
            rules.push(f);
        }
    }
    rules.sort_by(|a, b| a.rule_id.cmp(&b.rule_id));
    let rule_index = |id: &str| rules.iter().position(|r| r.rule_id == id).unwrap_or(0);

    let mut artifacts = Vec::new();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for (i, d) in report.documents.iter().enumerate() {
        let mut artifact = json!({ "location": { "uri": uri(&d.path) } });
        match &d.result {
            Ok(a) => {
                let doc = &a.document;
                artifact["mimeType"] = json!(mime(doc.format));
                let mut props = json!({ "format": doc.format.as_str() });
                if let Some(p) = doc.pages {
                    props["pages"] = json!(p);
                }
                if let Some(l) = doc.language {
                    props["language"] = json!(l.code());
                }
                artifact["properties"] = props;
                for f in &a.findings {
                    results.push(result(d, f, rule_index(&f.rule_id), i));
                }
            }
            Err(e) => {
                notifications.push(json!({
                    "level": "error",
                    "message": { "text": sentence(&format!("{}: {}", d.path, e.kind)) },
                    "locations": [ { "physicalLocation": {
                        "artifactLocation": { "uri": uri(&d.path), "index": i }
                    } } ],
                    "properties": { "errorKind": e.kind.id() },
                }));
            }
        }
        artifacts.push(artifact);
    }
    let mut invocation = json!({
        "executionSuccessful": notifications.is_empty(),
        "toolExecutionNotifications": notifications,
    });
    if let Some(t) = &report.generated_at {
        invocation["startTimeUtc"] = json!(t);
    }
    let rulesets: Vec<Value> = report
        .rulesets
        .iter()
        .map(|r| json!({ "name": r.name, "version": r.version }))
        .collect();
    let sarif = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [ {
            "tool": { "driver": {
                "name": report.tool_name,
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "informationUri": "https://github.com/tenderlint/tenderlint",
                "rules": rules.iter().map(|f| rule_descriptor(f)).collect::<Vec<_>>(),
                "properties": { "rulesets": rulesets },
            } },
            "invocations": [ invocation ],
            "artifacts": artifacts,
            "results": results,
        } ],
    });
    let mut bytes = serde_json::to_vec_pretty(&sarif).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::super::testdata;
    use super::*;

    #[test]
    fn names_levels_and_uris() {
        assert_eq!(
            rule_name("copyright.supplier-keeps-ip"),
            "CopyrightSupplierKeepsIp"
        );
        assert_eq!(level(Severity::Info), "note");
        assert_eq!(uri("a b/<stdin>.txt"), "a%20b/%3Cstdin%3E.txt");
        assert_eq!(uri("dir\\é.pdf"), "dir/%C3%A9.pdf");
    }

    #[test]
    fn results_reference_rules_artifacts_and_fingerprints() {
        let out = render(&testdata::report());
        let v: Value = serde_json::from_slice(&out).unwrap();
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 3);
        for r in run["results"].as_array().unwrap() {
            let idx = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[idx]["id"], r["ruleId"]);
            assert!(r["partialFingerprints"]["tenderlintFingerprint/v1"].is_string());
        }
        let first = &run["results"][0];
        // Block 1 of the text fixture starts on line 3 (anchor index 2).
        assert_eq!(
            first["locations"][0]["physicalLocation"]["region"]["startLine"],
            3
        );
        assert_eq!(run["results"][1]["suppressions"][0]["kind"], "external");
        assert_eq!(run["invocations"][0]["executionSuccessful"], false);
        assert_eq!(
            run["invocations"][0]["toolExecutionNotifications"][0]["properties"]["errorKind"],
            "no-text-layer"
        );
        assert_eq!(run["artifacts"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(String::from_utf8(render(&testdata::report())).unwrap());
    }
}
