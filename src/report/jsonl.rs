//! JSON lines: one document per line, each the same object as in the JSON report's
//! `documents[]` with `schema_version` added, in input order. Suits pipelines that process one
//! document at a time (`jq -c`, log shippers); the batch summary is left to the consumer.

use serde::Serialize;

use super::{Report, SCHEMA_VERSION, json};

#[derive(Serialize)]
struct Line<'a> {
    schema_version: u32,
    #[serde(flatten)]
    document: json::JsonDocument<'a>,
}

pub fn render(report: &Report) -> Vec<u8> {
    let mut out = Vec::new();
    for d in &report.documents {
        let line = Line {
            schema_version: SCHEMA_VERSION,
            document: json::document(d),
        };
        if serde_json::to_writer(&mut out, &line).is_ok() {
            out.push(b'\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testdata;
    use super::*;

    #[test]
    fn one_valid_document_per_line() {
        let out = String::from_utf8(render(&testdata::report())).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        // Validate each line against the schema's `document` definition.
        let mut schema: serde_json::Value =
            serde_json::from_str(include_str!("../../docs/report.schema.json")).unwrap();
        let defs = schema["$defs"].take();
        let line_schema = serde_json::json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": "#/$defs/document",
            "required": ["schema_version"],
            "$defs": defs,
        });
        let validator = jsonschema::draft202012::new(&line_schema).unwrap();
        for line in &lines {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{errors:#?}");
        }
        assert!(lines[2].contains("\"kind\":\"no-text-layer\""));
    }
}
