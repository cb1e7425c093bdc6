//! The JSON Schema of a rule file (`tenderlint rules schema`), for editors with TOML schema
//! support (Taplo, Even Better TOML). It mirrors `raw.rs`; a test checks both agree on the
//! fixtures.

use serde_json::{Value, json};

/// JSON Schema (draft 2020-12) of one `NN-topic.toml` rule file.
pub fn json_schema() -> Value {
    let string_list = json!({ "type": "array", "items": { "type": "string" } });
    let topics: Vec<&str> = crate::rules::TOPICS.to_vec();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "tenderlint rule file",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "rule": {
                "type": "array",
                "items": rule_item(&string_list, &topics)
            },
            "lexicon": {
                "type": "object",
                "additionalProperties": string_list
            },
            "brand": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["name"],
                    "properties": {
                        "name": { "type": "string" },
                        "vendor": { "type": "string" },
                        "kind": { "type": "string" },
                        "aliases": string_list,
                        "alternatives": string_list
                    }
                }
            }
        }
    })
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({ "type": "object", "additionalProperties": false, "required": required, "properties": properties })
}

fn rule_item(string_list: &Value, topics: &[&str]) -> Value {
    let text = json!({ "type": "string" });
    let mut props = json!({
        "id": { "type": "string", "pattern": "^[a-z0-9._-]+$" },
        "lang": { "enum": ["en", "fr", "de", "nl", "da", "sv", "cs"] },
        "kind": { "enum": ["flag", "require", "conditional", "substitute", "topic"] },
        "category": { "enum": ["open-licensing", "vendor-lock-in", "copyright-ownership", "reuse-rights"] },
        "severity": { "enum": ["info", "warning", "blocker"] },
        "scope": { "enum": ["sentence", "block", "clause", "document"] },
        "title": text,
        "explanation": text,
        "message": text,
        "needs_legal_review": { "type": "boolean" },
        "negation": { "enum": ["cancels", "ignore"] },
        "topic": { "enum": topics },
        "topics": { "type": "array", "items": { "enum": topics } },
        "applies_to": { "type": "array", "items": { "enum": ["contract", "specification", "tender"] } }
    });
    let more = [
        ("patterns", string_list.clone()),
        ("regex", string_list.clone()),
        ("unless", string_list.clone()),
        ("if", string_list.clone()),
        ("then", string_list.clone()),
        (
            "references",
            json!({ "type": "array", "items": object(&["title"], json!({ "title": text, "url": text })) }),
        ),
        (
            "suggestions",
            json!({ "type": "array", "items": object(&["text"], json!({
                "position": { "enum": ["preferred", "fallback", "alternative"] },
                "text": text
            })) }),
        ),
        (
            "near",
            json!({ "type": "array", "items": object(&["a", "b"], json!({
                "a": text, "b": text, "words": { "type": "integer", "minimum": 1, "maximum": 200 }
            })) }),
        ),
        (
            "replace",
            json!({ "type": "array", "items": object(&["pattern", "with"], json!({ "pattern": text, "with": text })) }),
        ),
        (
            "tests",
            object(
                &[],
                json!({
                    "flag": string_list,
                    "clean": string_list,
                    "fix": { "type": "array", "items": object(&["text", "expect"], json!({ "text": text, "expect": text })) }
                }),
            ),
        ),
    ];
    if let Some(map) = props.as_object_mut() {
        for (k, v) in more {
            map.insert(k.to_string(), v);
        }
    }
    object(&["id"], props)
}
