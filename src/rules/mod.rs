//! Compiled rules: one small file per kind (`flag`, `require`, `conditional`, `substitute`,
//! `topic`), all sharing one [`RuleHeader`], and the closed enum [`Rule`] over them.
//!
//! This module owns the compiled form only: patterns are compiled once, when a ruleset is loaded
//! (`crate::ruleset`), and the one loop in `crate::check` runs them. Nothing downstream of
//! `check` sees these types; findings carry everything consumers need.
//!
//! Design decision: a rule keeps one matcher per language it has a section for; a block in a
//! language without a section is simply not looked at by that rule.

pub mod conditional;
pub mod flag;
pub mod pattern;
pub mod require;
pub mod substitute;
pub mod topic;

use std::collections::BTreeMap;

use crate::finding::{Category, Position, Reference, Severity};
use crate::lang::Lang;

pub use conditional::ConditionalRule;
pub use flag::FlagRule;
pub use pattern::{Pattern, PatternError};
pub use require::RequireRule;
pub use substitute::SubstituteRule;
pub use topic::TopicRule;

/// Where a rule looks: `unless`, negation, `near` and `then` work inside the scope of a match.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Sentence,
    Block,
    Clause,
    Document,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::Sentence,
        Scope::Block,
        Scope::Clause,
        Scope::Document,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Scope::Sentence => "sentence",
            Scope::Block => "block",
            Scope::Clause => "clause",
            Scope::Document => "document",
        }
    }

    pub fn from_id(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.id() == s)
    }
}

/// What kind of document a file is, for `applies_to`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum DocKind {
    Contract,
    Specification,
    Tender,
    PriceSchedule,
    CoverLetter,
    Form,
    Other,
}

impl DocKind {
    /// The kinds a rule file may name in `applies_to`.
    pub const APPLICABLE: [DocKind; 3] =
        [DocKind::Contract, DocKind::Specification, DocKind::Tender];

    pub fn id(self) -> &'static str {
        match self {
            DocKind::Contract => "contract",
            DocKind::Specification => "specification",
            DocKind::Tender => "tender",
            DocKind::PriceSchedule => "price-schedule",
            DocKind::CoverLetter => "cover-letter",
            DocKind::Form => "form",
            DocKind::Other => "other",
        }
    }

    pub fn from_applicable_id(s: &str) -> Option<DocKind> {
        DocKind::APPLICABLE.into_iter().find(|k| k.id() == s)
    }
}

/// Topic ids a `topic` rule may mark and a `require` rule may ask for.
pub const TOPICS: &[&str] = &[
    "ip-ownership",
    "licence-grant",
    "licence-transfer",
    "source-code",
    "escrow",
    "exclusivity",
    "exit",
    "data-return",
    "confidentiality",
    "termination",
    "documentation",
    "publication",
    "sbom",
    "bespoke-development",
    "open-formats",
];

/// Placeholders titles, messages and suggestions may use.
pub const PLACEHOLDERS: &[&str] = &[
    "authority",
    "licence",
    "product",
    "alternatives",
    "match",
    "equivalent",
];

/// `negation = "cancels"` (default) drops a match the sentence negates; `ignore` keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Negation {
    #[default]
    Cancels,
    Ignore,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SuggestionTemplate {
    pub position: Position,
    pub text: String,
}

/// Texts a language section may override.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Texts {
    pub title: Option<String>,
    pub explanation: Option<std::sync::Arc<str>>,
    pub message: Option<String>,
    pub suggestions: Option<Vec<SuggestionTemplate>>,
}

/// The examples a language section carries; `tenderlint rules test` runs them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RuleTests {
    pub lang: Lang,
    /// Where the section was written ("rulesets/en/20-ipr.toml:14:1").
    pub origin: String,
    pub flag: Vec<String>,
    pub clean: Vec<String>,
    pub fix: Vec<(String, String)>,
}

/// What every rule kind shares.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RuleHeader {
    pub id: String,
    pub category: Category,
    pub severity: Severity,
    pub scope: Scope,
    pub title: String,
    pub explanation: std::sync::Arc<str>,
    /// Template for `Finding::message`; default: the title and the matched text.
    pub message: Option<String>,
    pub references: std::sync::Arc<[Reference]>,
    pub suggestions: Vec<SuggestionTemplate>,
    pub needs_legal_review: bool,
    /// Per-language overrides of the texts above.
    pub localised: BTreeMap<Lang, Texts>,
    pub tests: Vec<RuleTests>,
    /// Where the definition was written.
    pub origin: String,
}

impl RuleHeader {
    pub fn title(&self, lang: Option<Lang>) -> &str {
        self.local(lang)
            .and_then(|t| t.title.as_deref())
            .unwrap_or(&self.title)
    }

    pub fn explanation(&self, lang: Option<Lang>) -> &str {
        self.explanation_shared(lang)
    }

    /// [`RuleHeader::explanation`] as the shared text, which findings keep without a copy.
    pub fn explanation_shared(&self, lang: Option<Lang>) -> &std::sync::Arc<str> {
        self.local(lang)
            .and_then(|t| t.explanation.as_ref())
            .unwrap_or(&self.explanation)
    }

    pub fn message(&self, lang: Option<Lang>) -> Option<&str> {
        self.local(lang)
            .and_then(|t| t.message.as_deref())
            .or(self.message.as_deref())
    }

    pub fn suggestions(&self, lang: Option<Lang>) -> &[SuggestionTemplate] {
        self.local(lang)
            .and_then(|t| t.suggestions.as_deref())
            .unwrap_or(&self.suggestions)
    }

    fn local(&self, lang: Option<Lang>) -> Option<&Texts> {
        lang.and_then(|l| self.localised.get(&l))
    }
}

/// A compiled rule.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Rule {
    Flag(FlagRule),
    Require(RequireRule),
    Conditional(ConditionalRule),
    Substitute(SubstituteRule),
    Topic(TopicRule),
}

impl Rule {
    pub fn header(&self) -> &RuleHeader {
        match self {
            Rule::Flag(r) => &r.header,
            Rule::Require(r) => &r.header,
            Rule::Conditional(r) => &r.header,
            Rule::Substitute(r) => &r.header,
            Rule::Topic(r) => &r.header,
        }
    }

    pub fn header_mut(&mut self) -> &mut RuleHeader {
        match self {
            Rule::Flag(r) => &mut r.header,
            Rule::Require(r) => &mut r.header,
            Rule::Conditional(r) => &mut r.header,
            Rule::Substitute(r) => &mut r.header,
            Rule::Topic(r) => &mut r.header,
        }
    }

    pub fn id(&self) -> &str {
        &self.header().id
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Rule::Flag(_) => "flag",
            Rule::Require(_) => "require",
            Rule::Conditional(_) => "conditional",
            Rule::Substitute(_) => "substitute",
            Rule::Topic(_) => "topic",
        }
    }

    /// Languages this rule has matching for.
    pub fn languages(&self) -> Vec<Lang> {
        match self {
            Rule::Flag(r) => r.langs.keys().copied().collect(),
            Rule::Require(r) => r.langs.keys().copied().collect(),
            Rule::Conditional(r) => r.langs.keys().copied().collect(),
            Rule::Substitute(r) => r.langs.keys().copied().collect(),
            Rule::Topic(r) => r.langs.keys().copied().collect(),
        }
    }

    /// The patterns whose matches start a finding (or a topic hit) in `lang`: the prefilter
    /// looks for their anchors, and a block without any is never looked at by this rule.
    pub fn trigger_patterns(&self, lang: Lang) -> Vec<&Pattern> {
        match self {
            Rule::Flag(r) => r.langs.get(&lang).map_or(Vec::new(), |s| {
                s.patterns
                    .iter()
                    .chain(s.near.iter().map(|n| &n.a))
                    .collect()
            }),
            Rule::Require(r) => r
                .langs
                .get(&lang)
                .map_or(Vec::new(), |s| s.iter().collect()),
            Rule::Conditional(r) => r
                .langs
                .get(&lang)
                .map_or(Vec::new(), |s| s.when.iter().collect()),
            Rule::Substitute(r) => r.langs.get(&lang).map_or(Vec::new(), |s| {
                s.replace.iter().map(|x| &x.pattern).collect()
            }),
            Rule::Topic(r) => r
                .langs
                .get(&lang)
                .map_or(Vec::new(), |s| s.iter().collect()),
        }
    }
}

/// Fills `{placeholders}` from `values`; unknown names are left as written.
pub fn fill(template: &str, values: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if after[..close]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                let name = &after[..close];
                match values(name) {
                    Some(v) => out.push_str(&v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Placeholder names used in `text`, with their byte offsets.
pub fn placeholders(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('{') {
        let at = from + open;
        let after = &text[at + 1..];
        if let Some(close) = after.find('}') {
            let name = &after[..close];
            if !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                out.push((at, name));
            }
        }
        from = at + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_placeholders() {
        let v = |n: &str| match n {
            "authority" => Some("the City".to_string()),
            _ => None,
        };
        assert_eq!(fill("to {authority}.", &v), "to the City.");
        assert_eq!(fill("{nope} {authority}", &v), "{nope} the City");
        assert_eq!(fill("a { b", &v), "a { b");
        assert_eq!(placeholders("x {a} {b_c} {}"), vec![(2, "a"), (6, "b_c")]);
    }
}
