//! The rule files as written: serde structs that mirror `rulesets/README.md` key for key, with
//! spans kept (`toml::Spanned`) so every semantic error can point at `file:line:col`.
//!
//! Unknown keys are refused here (`deny_unknown_fields`); meaning is checked in
//! `ruleset::compile`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

pub type S = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPack {
    pub name: S,
    pub version: S,
    #[serde(default)]
    pub languages: Vec<S>,
    #[serde(default)]
    pub jurisdiction: Option<S>,
    #[serde(default)]
    pub description: Option<S>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    #[serde(default)]
    pub rule: Vec<RawRule>,
    #[serde(default)]
    pub lexicon: BTreeMap<S, Vec<S>>,
    #[serde(default)]
    pub brand: Vec<RawBrand>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBrand {
    pub name: S,
    #[serde(default)]
    pub vendor: Option<S>,
    #[serde(default)]
    pub kind: Option<S>,
    #[serde(default)]
    pub aliases: Vec<S>,
    #[serde(default)]
    pub alternatives: Vec<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReference {
    pub title: S,
    #[serde(default)]
    pub url: Option<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSuggestion {
    #[serde(default)]
    pub position: Option<S>,
    pub text: S,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNear {
    pub a: S,
    pub b: S,
    #[serde(default)]
    pub words: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReplace {
    pub pattern: S,
    pub with: S,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFix {
    pub text: String,
    pub expect: String,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawTests {
    #[serde(default)]
    pub flag: Vec<String>,
    #[serde(default)]
    pub clean: Vec<String>,
    #[serde(default)]
    pub fix: Vec<RawFix>,
}

/// A `[[rule]]` table: a definition (no `lang`) or a language section (with `lang`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: S,
    #[serde(default)]
    pub lang: Option<S>,
    #[serde(default)]
    pub kind: Option<S>,
    #[serde(default)]
    pub category: Option<S>,
    #[serde(default)]
    pub severity: Option<S>,
    #[serde(default)]
    pub scope: Option<S>,
    #[serde(default)]
    pub title: Option<S>,
    #[serde(default)]
    pub explanation: Option<S>,
    #[serde(default)]
    pub message: Option<S>,
    #[serde(default)]
    pub needs_legal_review: Option<Spanned<bool>>,
    #[serde(default)]
    pub references: Option<Spanned<Vec<RawReference>>>,
    #[serde(default)]
    pub suggestions: Option<Spanned<Vec<RawSuggestion>>>,
    #[serde(default)]
    pub patterns: Option<Spanned<Vec<S>>>,
    #[serde(default)]
    pub regex: Option<Spanned<Vec<S>>>,
    #[serde(default)]
    pub near: Option<Spanned<Vec<RawNear>>>,
    #[serde(default)]
    pub unless: Option<Spanned<Vec<S>>>,
    #[serde(default)]
    pub negation: Option<S>,
    #[serde(default, rename = "if")]
    pub when: Option<Spanned<Vec<S>>>,
    #[serde(default)]
    pub then: Option<Spanned<Vec<S>>>,
    #[serde(default)]
    pub replace: Option<Spanned<Vec<RawReplace>>>,
    #[serde(default)]
    pub topic: Option<S>,
    #[serde(default)]
    pub topics: Option<Spanned<Vec<S>>>,
    #[serde(default)]
    pub applies_to: Option<Spanned<Vec<S>>>,
    #[serde(default)]
    pub tests: Option<Spanned<RawTests>>,
}

impl RawRule {
    /// Keys that are set, with their spans, in file order of the struct (for "key X is not used
    /// by kind Y" errors).
    pub fn matching_keys(&self) -> Vec<(&'static str, std::ops::Range<usize>)> {
        let mut out = Vec::new();
        if let Some(x) = &self.patterns {
            out.push(("patterns", x.span()));
        }
        if let Some(x) = &self.regex {
            out.push(("regex", x.span()));
        }
        if let Some(x) = &self.near {
            out.push(("near", x.span()));
        }
        if let Some(x) = &self.unless {
            out.push(("unless", x.span()));
        }
        if let Some(x) = &self.negation {
            out.push(("negation", x.span()));
        }
        if let Some(x) = &self.when {
            out.push(("if", x.span()));
        }
        if let Some(x) = &self.then {
            out.push(("then", x.span()));
        }
        if let Some(x) = &self.replace {
            out.push(("replace", x.span()));
        }
        if let Some(x) = &self.tests {
            out.push(("tests", x.span()));
        }
        out
    }

    /// Keys that only a definition may set.
    pub fn definition_keys(&self) -> Vec<(&'static str, std::ops::Range<usize>)> {
        let mut out = Vec::new();
        if let Some(x) = &self.kind {
            out.push(("kind", x.span()));
        }
        if let Some(x) = &self.category {
            out.push(("category", x.span()));
        }
        if let Some(x) = &self.severity {
            out.push(("severity", x.span()));
        }
        if let Some(x) = &self.scope {
            out.push(("scope", x.span()));
        }
        if let Some(x) = &self.needs_legal_review {
            out.push(("needs_legal_review", x.span()));
        }
        if let Some(x) = &self.references {
            out.push(("references", x.span()));
        }
        if let Some(x) = &self.topic {
            out.push(("topic", x.span()));
        }
        if let Some(x) = &self.topics {
            out.push(("topics", x.span()));
        }
        if let Some(x) = &self.applies_to {
            out.push(("applies_to", x.span()));
        }
        out
    }
}
