//! Rule packs: loading, validating and compiling the rule files described in
//! `rulesets/README.md` into a [`RuleSet`].
//!
//! The shipped packs under `rulesets/` are embedded in the binary at build time (`build.rs` writes
//! an `include_str!` list), `--rules DIR` and `tenderlint.toml`'s `rules.paths` add packs from
//! disk, and the config disables rules, changes severities and fills placeholder values.
//!
//! Design decision: loading never stops at the first problem. Every file is parsed, every rule is
//! compiled, and all problems come back as [`Diagnostic`]s that point at `file:line:col` in the
//! user's rule file (as Vale does), so `tenderlint rules check` lists them all at once.

pub mod compile;
mod lazy;
pub mod raw;
pub mod schema;
pub(crate) mod shared;
pub(crate) mod snapshot;
mod sources;
pub mod testing;

use std::path::PathBuf;

use serde::Serialize;

use crate::config::Config;
use crate::rules::Rule;
use crate::rules::pattern::PhraseSet;
use crate::segment::floor_char_boundary;

pub use lazy::LazyRuleSet;
pub use schema::json_schema;
pub use sources::{PackSource, SourceFile};
pub use testing::{TestFailure, TestReport, run_tests};

/// How bad a diagnostic is: errors make a ruleset unusable, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

/// A problem in a rule file, printed as `path:line:col: message` (warnings as
/// `path:line:col: warning: message`). Line and column are 1-based; the column counts chars.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub level: Level,
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.level {
            Level::Error => write!(
                f,
                "{}:{}:{}: {}",
                self.path, self.line, self.col, self.message
            ),
            Level::Warning => write!(
                f,
                "{}:{}:{}: warning: {}",
                self.path, self.line, self.col, self.message
            ),
        }
    }
}

impl Diagnostic {
    /// A diagnostic at byte `offset` of `text` (the file's content).
    pub fn at(
        path: &str,
        text: &str,
        offset: usize,
        level: Level,
        message: impl Into<String>,
    ) -> Self {
        let (line, col) = line_col(text, offset);
        Diagnostic {
            path: path.to_string(),
            line,
            col,
            level,
            message: message.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

/// The starts of a file's lines, for many look-ups in one file: each is a binary search instead
/// of [`line_col`]'s scan from the start of the file.
#[derive(Debug, Clone)]
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> LineIndex<'t> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { text, starts }
    }

    /// Like [`line_col`] over the indexed text.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset);
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let line_start = self.starts.get(line - 1).copied().unwrap_or(0).min(offset);
        (line, column(self.text, line_start, offset))
    }

    /// `path:line:col` of byte `offset`, the form rule origins and duplicate notes use.
    pub fn place(&self, path: &str, offset: usize) -> String {
        let (l, c) = self.line_col(offset);
        format!("{path}:{l}:{c}")
    }
}

/// 1-based column (in chars) of byte `offset` in the line of `text` that starts at `line_start`.
fn column(text: &str, line_start: usize, offset: usize) -> usize {
    text.get(line_start..offset)
        .map_or(0, |t| t.chars().count())
        + 1
}

/// 1-based line and column (in chars) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    (line, column(text, line_start, offset))
}

/// Why a ruleset could not be built.
#[derive(Debug, thiserror::Error)]
pub enum RulesetError {
    #[error("{} error(s) in rule files:\n{}", .0.iter().filter(|d| d.is_error()).count(), .0.iter().filter(|d| d.is_error()).map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
}

/// A loaded pack, for `tenderlint rules list` and reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PackInfo {
    pub name: String,
    pub version: String,
    pub languages: Vec<String>,
    pub jurisdiction: Option<String>,
    pub description: Option<String>,
    /// Where it was loaded from: `rulesets/core` (embedded) or a directory.
    pub source: String,
}

/// A product or vendor of the brand catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Brand {
    pub name: String,
    pub vendor: Option<String>,
    pub kind: Option<String>,
    pub aliases: Vec<String>,
    pub alternatives: Vec<String>,
}

/// Values for placeholders, from `tenderlint.toml` `[values]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Values {
    pub authority: Option<String>,
    pub licence: Option<String>,
}

/// Compiled rules from all loaded packs, with the config applied. Cheap to share by reference;
/// build once per run.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct RuleSet {
    pub(crate) rules: Vec<Rule>,
    pub(crate) packs: Vec<PackInfo>,
    pub(crate) brands: Vec<Brand>,
    /// Per-language `negation` lexicons (cue words the pack adds to the built-in ones).
    #[serde(with = "shared::map")]
    pub(crate) negation: std::collections::HashMap<crate::lang::Lang, std::sync::Arc<PhraseSet>>,
    pub(crate) values: Values,
    /// Normalised names of allowed products (`[allow] products`).
    pub(crate) allowed_products: Vec<String>,
    pub(crate) warnings: Vec<Diagnostic>,
    pub(crate) prefilter: crate::check::Prefilter,
}

impl RuleSet {
    /// The packs embedded in the binary, with no config.
    pub fn builtin() -> Result<RuleSet, RulesetError> {
        RuleSet::load(&[], &Config::default())
    }

    /// Embedded packs plus the packs in `extra_dirs` and in `config.paths`, with the config
    /// applied (disabled rules dropped, severities overridden, values and allowed products set).
    pub fn load(extra_dirs: &[PathBuf], config: &Config) -> Result<RuleSet, RulesetError> {
        let mut dirs: Vec<PathBuf> = extra_dirs.to_vec();
        dirs.extend(config.paths.iter().cloned());
        let packs = sources::embedded_and(&dirs);
        let (set, diags) = compile::build(&packs.packs, config, packs.diagnostics);
        checked(set, diags)
    }

    pub fn packs(&self) -> Vec<PackInfo> {
        self.packs.clone()
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id() == id)
    }

    pub fn brands(&self) -> &[Brand] {
        &self.brands
    }

    /// Warnings found while loading (too few tests, rules that never match, ...).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// A copy that keeps only the rules for which `keep` is true (the prefilter is rebuilt).
    pub fn filtered(&self, keep: impl Fn(&Rule) -> bool) -> RuleSet {
        let mut out = self.clone();
        out.rules.retain(|r| keep(r));
        out.prefilter = crate::check::Prefilter::build(&out.rules);
        out
    }
}

/// The set when the build had no error, else all its diagnostics.
fn checked(set: Option<RuleSet>, diags: Vec<Diagnostic>) -> Result<RuleSet, RulesetError> {
    match set {
        Some(set) if !diags.iter().any(Diagnostic::is_error) => Ok(set),
        _ => Err(RulesetError::Invalid(diags)),
    }
}

/// Validates the embedded packs plus the packs in `dirs`; all errors and warnings, sorted by file,
/// line and column. Empty means clean.
pub fn validate(dirs: &[PathBuf]) -> Vec<Diagnostic> {
    let packs = sources::embedded_and(dirs);
    let (_, diags) = compile::build(&packs.packs, &Config::default(), packs.diagnostics);
    diags
}

/// Validates exactly the given packs (no embedded ones): for tests and fixtures.
pub fn validate_packs(packs: &[PackSource]) -> Vec<Diagnostic> {
    compile::build(packs, &Config::default(), Vec::new()).1
}

/// Builds a ruleset from exactly the given packs (no embedded ones).
pub fn from_packs(packs: &[PackSource], config: &Config) -> Result<RuleSet, RulesetError> {
    let (set, diags) = compile::build(packs, config, Vec::new());
    checked(set, diags)
}

/// Reads packs from directories (a pack directory, or a directory of packs).
pub fn read_dirs(dirs: &[PathBuf]) -> (Vec<PackSource>, Vec<Diagnostic>) {
    let s = sources::from_dirs(dirs);
    (s.packs, s.diagnostics)
}

/// One line per rule for `tenderlint rules list`: id, kind, category, severity, languages, title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleSummary {
    pub id: String,
    pub kind: String,
    pub category: String,
    pub severity: String,
    pub languages: Vec<String>,
    pub title: String,
}

/// Rules matching the filters, in load order.
pub fn list(
    set: &RuleSet,
    category: Option<crate::finding::Category>,
    lang: Option<crate::lang::Lang>,
) -> Vec<RuleSummary> {
    set.rules
        .iter()
        .filter(|r| category.is_none_or(|c| r.header().category == c))
        .filter(|r| lang.is_none_or(|l| r.languages().contains(&l)))
        .map(|r| RuleSummary {
            id: r.id().to_string(),
            kind: r.kind().to_string(),
            category: r.header().category.id().to_string(),
            severity: r.header().severity.id().to_string(),
            languages: r.languages().iter().map(|l| l.code().to_string()).collect(),
            title: crate::check::fill_static(r.header().title(lang), set, lang),
        })
        .collect()
}

/// A plain-text explanation of one rule for `tenderlint rules explain ID`.
pub fn explain(set: &RuleSet, id: &str, lang: Option<crate::lang::Lang>) -> Option<String> {
    use std::fmt::Write;
    let rule = set.rule(id)?;
    let h = rule.header();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  ({}, {}, {})",
        h.id,
        rule.kind(),
        h.category.id(),
        h.severity.id()
    );
    let _ = writeln!(out, "{}", h.title(lang));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", h.explanation(lang).trim_end());
    let langs: Vec<&str> = rule.languages().iter().map(|l| l.code()).collect();
    let _ = writeln!(out);
    let _ = writeln!(out, "scope: {}", h.scope.id());
    let _ = writeln!(
        out,
        "languages: {}",
        if langs.is_empty() {
            "-".to_string()
        } else {
            langs.join(", ")
        }
    );
    if h.needs_legal_review {
        let _ = writeln!(out, "needs legal review: yes");
    }
    let sugg = h.suggestions(lang);
    if !sugg.is_empty() {
        let _ = writeln!(out, "\nsuggestions:");
        for s in sugg {
            let pos = match s.position {
                crate::finding::Position::Preferred => "preferred",
                crate::finding::Position::Fallback => "fallback",
                crate::finding::Position::Alternative => "alternative",
            };
            let text = crate::check::fill_static(&s.text, set, lang);
            let _ = writeln!(out, "  [{pos}] {}", text.trim_end());
        }
    }
    if !h.references.is_empty() {
        let _ = writeln!(out, "\nreferences:");
        for r in h.references.iter() {
            match &r.url {
                Some(u) => {
                    let _ = writeln!(out, "  - {} <{u}>", r.title);
                }
                None => {
                    let _ = writeln!(out, "  - {}", r.title);
                }
            }
        }
    }
    let _ = writeln!(out, "\ndefined at {}", h.origin);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_agrees_with_line_col_at_every_offset() {
        for text in [
            "",
            "\n",
            "a",
            "id = \"x\"\r\ntitle = \"Œuvre ß\"\n\n[[rule]]\nlang = \"fr\" # ü\n",
            "no newline at the end",
        ] {
            let index = LineIndex::new(text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(
                    index.line_col(offset),
                    line_col(text, offset),
                    "{text:?} at {offset}"
                );
            }
        }
    }

    #[test]
    fn line_col_counts_chars() {
        let t = "ab\ncdé f\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 8), (2, 5));
        assert_eq!(line_col(t, 100), (3, 1));
    }
}
