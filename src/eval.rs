//! Measures how well the rules find what a careful reviewer would flag: loads a labelled corpus
//! (`labels.jsonl` beside the documents, format in `fixtures/README.md`), runs an analysis over
//! every rendering of every document, matches findings to labels and computes precision and
//! recall per category, per language and per format, with the misses and false alarms listed.
//!
//! It owns the matching and the metrics, not the analysis: [`evaluate`] takes the analysis as a
//! function, so the metrics are tested with hand-made findings and the caller decides which
//! rule set runs (the CLI and the floor test use the built-in one).
//!
//! Matching, after Unicode NFKC, case folding, quote/dash unification and whitespace collapsing:
//! a finding matches a labelled clause when the text of its block contains the label text, or
//! the label text contains the finding's excerpt. A `flag` label counts as found when a finding
//! of its category matches it. A finding of category C that matches a `clean` label of C and no
//! `flag` label of C is a false alarm; a finding that matches no label at all is an unlabelled
//! finding, reported and counted as a false alarm of its category. A finding that only matches
//! labels of other categories is neither (the clause is labelled, just not for that concern).
//! A finding in a table cell is matched against its whole row. Document-level labels
//! (`text: null`) match findings of their category whose rule is the labelled rule (see
//! [`rule_matches`]), wherever the finding is anchored.
//!
//! Counting: true positives are found `flag` labels; false alarms are distinct (block, category)
//! pairs, so a rule firing three times on one clause is one false alarm, as a reviewer sees it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::analysis::Analysis;
use crate::document::{BlockKind, Document, Format};
use crate::error::ReadError;
use crate::finding::Category;
use crate::limits::Limits;

/// What a label expects of the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    Flag,
    Clean,
}

/// One line of `labels.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// Base name of the document, without extension; applies to every rendering.
    pub document: String,
    /// The clause text as it appears in the document; `None` for a document-level label.
    pub text: Option<String>,
    pub category: Category,
    pub expect: Expect,
    /// For document-level labels: the rule whose finding is expected (or not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Language of the labelled clause ("en", "fr", ...); defaults to the document name's prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

impl Label {
    /// The label's language: its `lang`, else the document name's prefix ("fr-01-..." -> "fr").
    pub fn language(&self) -> String {
        self.lang
            .clone()
            .unwrap_or_else(|| lang_of_name(&self.document))
    }
}

fn lang_of_name(document: &str) -> String {
    document.split('-').next().unwrap_or("").to_string()
}

/// Errors of the evaluation itself (not of the rules being measured).
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{path}:{line}: {message}")]
    Label {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{0}")]
    Read(#[from] ReadError),
    #[error("{path}: no labelled document found (looked for NAME.pdf, NAME.docx, NAME.odt)")]
    Empty { path: PathBuf },
}

/// Reads `labels.jsonl`: one JSON object per line, blank lines and `#` lines ignored.
pub fn load_labels(path: &Path) -> Result<Vec<Label>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|e| EvalError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    parse_labels(&text, path)
}

/// Parses label lines; `path` names the file in errors.
pub fn parse_labels(text: &str, path: &Path) -> Result<Vec<Label>, EvalError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let label: Label = serde_json::from_str(line).map_err(|e| EvalError::Label {
            path: path.to_path_buf(),
            line: i + 1,
            message: e.to_string(),
        })?;
        if label.text.is_none() && label.rule.is_none() {
            return Err(EvalError::Label {
                path: path.to_path_buf(),
                line: i + 1,
                message: "a document-level label (text: null) needs a rule".into(),
            });
        }
        out.push(label);
    }
    Ok(out)
}

/// Text normalised for matching: NFKC, lower case, curly quotes and dashes unified, soft hyphens
/// dropped, runs of whitespace collapsed to one space.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfkc().flat_map(char::to_lowercase) {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{02bc}' | '\u{2032}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '«' | '»' => '"',
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' => '-',
            '\u{ad}' | '\u{200b}' => continue,
            c => c,
        };
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// Whether a finding's rule id answers a document-level label's rule: equal ids, or the same
/// concern word. Rule ids are written by the rule authors in parallel with the labels, so the
/// label names the concern ("lock-in.no-exit-plan") and any rule id that contains its key word
/// ("exit") in its last segment matches.
pub fn rule_matches(label_rule: &str, finding_rule: &str) -> bool {
    if label_rule == finding_rule {
        return true;
    }
    let last = |s: &str| s.rsplit('.').next().unwrap_or(s).to_string();
    let key = last(label_rule)
        .split('-')
        .find(|w| !matches!(*w, "no" | "missing" | "without" | "lack" | "absent"))
        .map(str::to_string);
    match key {
        Some(key) => last(finding_rule)
            .split('-')
            .any(|w| w == key || (key.len() >= 5 && w.starts_with(&key[..5]))),
        None => false,
    }
}

/// How one label or finding counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// A `flag` label found by a finding of its category.
    Hit,
    /// A `flag` label no finding of its category matched.
    Miss,
    /// A finding on a clause labelled `clean` for its category.
    FalseAlarm,
    /// A finding on text no label covers.
    Unlabelled,
}

/// One counted event, with everything needed to slice the figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub document: String,
    pub format: Format,
    pub category: Category,
    pub lang: String,
    pub outcome: Outcome,
    /// The label text, or the finding's excerpt/block text for unlabelled findings.
    pub text: Option<String>,
    /// The rule of the finding behind a hit or false alarm.
    pub rule: Option<String>,
}

/// Precision and recall of one slice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub hits: usize,
    pub misses: usize,
    pub false_alarms: usize,
}

impl Score {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Hit => self.hits += 1,
            Outcome::Miss => self.misses += 1,
            Outcome::FalseAlarm | Outcome::Unlabelled => self.false_alarms += 1,
        }
    }

    /// hits / (hits + false alarms); `None` when nothing was flagged.
    pub fn precision(&self) -> Option<f64> {
        let flagged = self.hits + self.false_alarms;
        (flagged > 0).then(|| self.hits as f64 / flagged as f64)
    }

    /// hits / flag labels; `None` when the slice has no flag label.
    pub fn recall(&self) -> Option<f64> {
        let labelled = self.hits + self.misses;
        (labelled > 0).then(|| self.hits as f64 / labelled as f64)
    }

    /// Whether both figures reach their floors. A slice with flag labels and no flagged text
    /// fails precision (nothing was found); a slice without flag labels passes recall.
    pub fn meets(&self, min_precision: f64, min_recall: f64) -> bool {
        let precision_ok = match self.precision() {
            Some(p) => p >= min_precision,
            None => self.hits + self.misses == 0,
        };
        let recall_ok = self.recall().is_none_or(|r| r >= min_recall);
        precision_ok && recall_ok
    }
}

/// A document that could not be evaluated in one format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub document: String,
    pub format: Format,
    pub error: String,
}

/// The evaluation of a corpus: every event, and the slices computed from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub documents: usize,
    pub labels: usize,
    pub events: Vec<Event>,
    pub failures: Vec<Failure>,
    pub overall: Score,
    pub by_category: BTreeMap<String, Score>,
    pub by_language: BTreeMap<String, Score>,
    pub by_format: BTreeMap<String, Score>,
    pub by_category_language: BTreeMap<String, Score>,
}

impl Report {
    fn from_events(
        documents: usize,
        labels: usize,
        events: Vec<Event>,
        failures: Vec<Failure>,
    ) -> Self {
        let mut overall = Score::default();
        let mut by_category = BTreeMap::new();
        let mut by_language = BTreeMap::new();
        let mut by_format = BTreeMap::new();
        let mut by_category_language = BTreeMap::new();
        for category in Category::ALL {
            by_category.insert(category.id().to_string(), Score::default());
        }
        for e in &events {
            overall.add(e.outcome);
            let slot = |m: &mut BTreeMap<String, Score>, k: String| {
                m.entry(k).or_default().add(e.outcome);
            };
            slot(&mut by_category, e.category.id().to_string());
            slot(&mut by_language, e.lang.clone());
            slot(&mut by_format, e.format.as_str().to_string());
            slot(
                &mut by_category_language,
                format!("{} {}", e.category.id(), e.lang),
            );
        }
        Report {
            documents,
            labels,
            events,
            failures,
            overall,
            by_category,
            by_language,
            by_format,
            by_category_language,
        }
    }

    /// Slices (per category, per language, per format) below the floors, as "kind name: figures";
    /// unreadable documents count as failures too.
    pub fn below(&self, min_precision: f64, min_recall: f64) -> Vec<String> {
        let mut out = Vec::new();
        for (kind, map) in [
            ("category", &self.by_category),
            ("language", &self.by_language),
            ("format", &self.by_format),
        ] {
            for (name, score) in map {
                if !score.meets(min_precision, min_recall) {
                    out.push(format!("{kind} {name}: {}", figures(score)));
                }
            }
        }
        for f in &self.failures {
            out.push(format!("document {}.{}: {}", f.document, f.format, f.error));
        }
        out
    }

    /// The tables and lists `tenderlint eval` prints.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "{} documents, {} labels, {} events\n",
            self.documents,
            self.labels,
            self.events.len()
        ));
        for (title, map) in [
            ("category", &self.by_category),
            ("language", &self.by_language),
            ("format", &self.by_format),
            ("category x language", &self.by_category_language),
        ] {
            s.push_str(&format!(
                "\n{title:<32} {:>5} {:>6} {:>6} {:>9} {:>7}\n",
                "hits", "misses", "false", "precision", "recall"
            ));
            for (name, score) in map {
                s.push_str(&format!("{name:<32} {}\n", row(score)));
            }
        }
        s.push_str(&format!("\n{:<32} {}\n", "overall", row(&self.overall)));
        for (title, wanted) in [
            ("misses", &[Outcome::Miss][..]),
            (
                "false alarms",
                &[Outcome::FalseAlarm, Outcome::Unlabelled][..],
            ),
        ] {
            let list: Vec<&Event> = self
                .events
                .iter()
                .filter(|e| wanted.contains(&e.outcome))
                .collect();
            s.push_str(&format!("\n{title} ({})\n", list.len()));
            for e in list {
                let text: String = e
                    .text
                    .as_deref()
                    .unwrap_or("(document)")
                    .chars()
                    .take(110)
                    .collect();
                s.push_str(&format!(
                    "  {}.{} [{}]{}{} {}\n",
                    e.document,
                    e.format,
                    e.category,
                    if e.outcome == Outcome::Unlabelled {
                        " unlabelled"
                    } else {
                        ""
                    },
                    e.rule
                        .as_deref()
                        .map(|r| format!(" {r}"))
                        .unwrap_or_default(),
                    text
                ));
            }
        }
        for f in &self.failures {
            s.push_str(&format!(
                "\nunreadable: {}.{}: {}\n",
                f.document, f.format, f.error
            ));
        }
        s
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.3}"))
}

fn figures(score: &Score) -> String {
    format!(
        "precision {} recall {} (hits {}, misses {}, false alarms {})",
        pct(score.precision()),
        pct(score.recall()),
        score.hits,
        score.misses,
        score.false_alarms
    )
}

fn row(score: &Score) -> String {
    format!(
        "{:>5} {:>6} {:>6} {:>9} {:>7}",
        score.hits,
        score.misses,
        score.false_alarms,
        pct(score.precision()),
        pct(score.recall())
    )
}

/// The renderings of labelled documents found in `dir`: `NAME.pdf`, `NAME.docx`, `NAME.odt` for
/// every document name that has a label, sorted by name then format.
pub fn corpus_files(dir: &Path, labels: &[Label]) -> Vec<(String, Format, PathBuf)> {
    let names: BTreeSet<&str> = labels.iter().map(|l| l.document.as_str()).collect();
    let mut out = Vec::new();
    for name in names {
        for format in [Format::Pdf, Format::Docx, Format::Odt] {
            let path = dir.join(format!("{name}.{}", format.as_str()));
            if path.is_file() {
                out.push((name.to_string(), format, path));
            }
        }
    }
    out
}

/// Reads every labelled document of `dir` in every format and evaluates `analyse` on it.
pub fn evaluate_dir(
    dir: &Path,
    labels: &[Label],
    limits: &Limits,
    analyse: impl Fn(Document) -> Analysis,
) -> Result<Report, EvalError> {
    let files = corpus_files(dir, labels);
    if files.is_empty() {
        return Err(EvalError::Empty {
            path: dir.to_path_buf(),
        });
    }
    let mut analyses = Vec::new();
    let mut failures = Vec::new();
    for (name, format, path) in files {
        match crate::extract::read_path(&path, limits) {
            Ok(doc) => analyses.push((name, format, analyse(doc))),
            Err(e) => failures.push(Failure {
                document: name,
                format,
                error: e.to_string(),
            }),
        }
    }
    Ok(evaluate(labels, &analyses, failures))
}

/// Matches the findings of each analysed rendering `(document name, format, analysis)` to the
/// labels and builds the report. Labels of documents that failed to read count as misses of
/// nothing: the failure is reported instead.
pub fn evaluate(
    labels: &[Label],
    analyses: &[(String, Format, Analysis)],
    failures: Vec<Failure>,
) -> Report {
    let mut events = Vec::new();
    let documents: BTreeSet<&str> = analyses.iter().map(|(n, _, _)| n.as_str()).collect();
    for (name, format, analysis) in analyses {
        let doc_labels: Vec<(&Label, Option<String>)> = labels
            .iter()
            .filter(|l| &l.document == name)
            .map(|l| (l, l.text.as_deref().map(normalise)))
            .collect();
        let doc_lang = majority_lang(&doc_labels).unwrap_or_else(|| lang_of_name(name));
        let mut found: BTreeMap<usize, String> = BTreeMap::new();
        let mut alarmed_clean: BTreeMap<usize, String> = BTreeMap::new();
        let mut unlabelled: BTreeMap<(Option<usize>, Category), (String, String)> = BTreeMap::new();
        for finding in &analysis.findings {
            let block = finding.location.block;
            // Document-level labels: matched by rule, wherever the finding is anchored (a
            // conditional rule anchors a missing clause at the clause that triggered it).
            let mut matched: Vec<usize> = doc_labels
                .iter()
                .enumerate()
                .filter(|(_, (l, _))| {
                    l.text.is_none()
                        && l.category == finding.category
                        && l.rule
                            .as_deref()
                            .is_some_and(|r| rule_matches(r, &finding.rule_id))
                })
                .map(|(i, _)| i)
                .collect();
            if let Some(b) = block {
                let block_text = match_text(&analysis.document, b);
                let excerpt = finding
                    .excerpt
                    .as_deref()
                    .map(normalise)
                    .unwrap_or_default();
                matched.extend(
                    doc_labels
                        .iter()
                        .enumerate()
                        .filter(|(_, (_, text))| {
                            text.as_deref().is_some_and(|t| {
                                !t.is_empty()
                                    && (block_text.contains(t)
                                        || (!excerpt.is_empty() && t.contains(&excerpt)))
                            })
                        })
                        .map(|(i, _)| i),
                );
            }
            if matched.is_empty() {
                let text = match block {
                    Some(b) => finding
                        .excerpt
                        .clone()
                        .or_else(|| analysis.document.blocks.get(b).map(|b| b.text.clone())),
                    None => None,
                }
                .unwrap_or_else(|| finding.title.clone());
                unlabelled
                    .entry((block, finding.category))
                    .or_insert((text, finding.rule_id.clone()));
                continue;
            }
            let same: Vec<usize> = matched
                .into_iter()
                .filter(|&i| doc_labels[i].0.category == finding.category)
                .collect();
            let flags: Vec<usize> = same
                .iter()
                .copied()
                .filter(|&i| doc_labels[i].0.expect == Expect::Flag)
                .collect();
            if flags.is_empty() {
                for i in same {
                    alarmed_clean.entry(i).or_insert(finding.rule_id.clone());
                }
            } else {
                for i in flags {
                    found.entry(i).or_insert(finding.rule_id.clone());
                }
            }
        }
        for (i, (label, _)) in doc_labels.iter().enumerate() {
            let outcome = match label.expect {
                Expect::Flag if found.contains_key(&i) => Outcome::Hit,
                Expect::Flag => Outcome::Miss,
                Expect::Clean if alarmed_clean.contains_key(&i) => Outcome::FalseAlarm,
                Expect::Clean => continue,
            };
            events.push(Event {
                document: name.clone(),
                format: *format,
                category: label.category,
                lang: label.language(),
                outcome,
                text: label.text.clone(),
                rule: found
                    .get(&i)
                    .or_else(|| alarmed_clean.get(&i))
                    .cloned()
                    .or_else(|| label.rule.clone()),
            });
        }
        for ((block, category), (text, rule)) in unlabelled {
            let lang = block
                .and_then(|b| analysis.document.blocks.get(b))
                .and_then(|b| {
                    doc_labels
                        .iter()
                        .filter(|(_, t)| {
                            t.as_deref().is_some_and(|t| normalise(&b.text).contains(t))
                        })
                        .map(|(l, _)| l.language())
                        .next()
                })
                .unwrap_or_else(|| doc_lang.clone());
            events.push(Event {
                document: name.clone(),
                format: *format,
                category,
                lang,
                outcome: Outcome::Unlabelled,
                text: Some(text),
                rule: Some(rule),
            });
        }
    }
    let labelled = labels
        .iter()
        .filter(|l| documents.contains(l.document.as_str()))
        .count();
    Report::from_events(documents.len(), labelled, events, failures)
}

/// The normalised text a finding in block `b` is matched against: the block's text, or for a
/// table cell the whole row (a rule may point at the row's first cell while the labelled text
/// is in the next one; a reviewer reads the row).
fn match_text(document: &Document, b: usize) -> String {
    let Some(block) = document.blocks.get(b) else {
        return String::new();
    };
    match block.kind {
        BlockKind::TableCell { table, row, .. } => {
            let cells: Vec<&str> = document
                .blocks
                .iter()
                .filter(|c| {
                    matches!(c.kind, BlockKind::TableCell { table: t, row: r, .. } if t == table && r == row)
                })
                .map(|c| c.text.as_str())
                .collect();
            normalise(&cells.join(" "))
        }
        _ => normalise(&block.text),
    }
}

fn majority_lang(labels: &[(&Label, Option<String>)]) -> Option<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (l, _) in labels {
        *counts.entry(l.language()).or_default() += 1;
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(l, _)| l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Block;
    use crate::finding::{Finding, Location, Severity};

    fn label(doc: &str, text: Option<&str>, cat: Category, expect: Expect) -> Label {
        Label {
            document: doc.into(),
            text: text.map(str::to_string),
            category: cat,
            expect,
            rule: text.is_none().then(|| "lock-in.no-exit-plan".to_string()),
            lang: None,
        }
    }

    fn finding(rule: &str, cat: Category, block: Option<usize>, excerpt: Option<&str>) -> Finding {
        Finding {
            rule_id: rule.into(),
            category: cat,
            severity: Severity::Warning,
            title: "t".into(),
            message: "m".into(),
            explanation: "".into(),
            excerpt: excerpt.map(str::to_string),
            context: None,
            location: Location {
                block,
                ..Location::default()
            },
            suggestions: vec![],
            references: Vec::new().into(),
            needs_legal_review: false,
            language: None,
            fingerprint: String::new(),
        }
    }

    fn analysis(blocks: &[&str], findings: Vec<Finding>) -> Analysis {
        let mut document = Document::new("x.pdf", Format::Pdf);
        document.blocks = blocks
            .iter()
            .map(|t| Block::new(BlockKind::Paragraph, *t))
            .collect();
        Analysis {
            document,
            findings,
            topics: vec![],
        }
    }

    #[test]
    fn normalises_case_space_quotes_and_ligatures() {
        let cases = [
            ("  The  Contractor\n shall ", "the contractor shall"),
            (
                "l’autorité «\u{a0}ouverte\u{a0}»",
                "l'autorité \" ouverte \"",
            ),
            ("ﬁle ﬂow", "file flow"),
            ("Open\u{ad}Source – ODF", "opensource - odf"),
            ("GRÖSSE", "grösse"),
        ];
        for (input, want) in cases {
            assert_eq!(normalise(input), want, "{input}");
        }
    }

    #[test]
    fn rule_ids_match_by_concern_word() {
        let cases = [
            ("lock-in.no-exit-plan", "lock-in.no-exit-plan", true),
            ("lock-in.no-exit-plan", "vendor-lock-in.missing-exit", true),
            ("lock-in.no-exit-plan", "lock-in.no-documentation", false),
            ("lock-in.no-documentation", "lock-in.missing-docs", false),
            (
                "lock-in.no-documentation",
                "lock-in.no-documentation-duty",
                true,
            ),
            (
                "reuse.no-publication-right",
                "reuse.no-publish-clause",
                true,
            ),
            ("reuse.no-publication-right", "reuse.no-upstream", false),
            (
                "reuse.no-publication-right",
                "reuse.publication-missing",
                true,
            ),
        ];
        for (label, rule, want) in cases {
            assert_eq!(rule_matches(label, rule), want, "{label} vs {rule}");
        }
    }

    #[test]
    fn parses_labels_and_rejects_bad_lines() {
        let text = r#"{"document": "en-01", "text": "All rights remain with the Contractor.", "category": "copyright-ownership", "expect": "flag"}

# comment
{"document": "en-01", "text": null, "category": "vendor-lock-in", "rule": "lock-in.no-exit-plan", "expect": "clean", "lang": "en"}"#;
        let labels = parse_labels(text, Path::new("l.jsonl")).expect("parses");
        assert_eq!(labels.len(), 2);
        assert_eq!(labels[0].language(), "en");
        assert_eq!(labels[1].expect, Expect::Clean);
        let bad = r#"{"document": "x", "text": "t", "category": "nope", "expect": "flag"}"#;
        let err = parse_labels(bad, Path::new("l.jsonl")).expect_err("unknown category");
        assert!(err.to_string().starts_with("l.jsonl:1:"), "{err}");
        let no_rule =
            r#"{"document": "x", "text": null, "category": "reuse-rights", "expect": "flag"}"#;
        assert!(parse_labels(no_rule, Path::new("l.jsonl")).is_err());
    }

    #[test]
    fn counts_hits_misses_false_alarms_and_unlabelled() {
        use Category::*;
        let labels = vec![
            label(
                "en-01",
                Some("IP shall remain with the Contractor."),
                CopyrightOwnership,
                Expect::Flag,
            ),
            label(
                "en-01",
                Some("Deliverables in Word format."),
                VendorLockIn,
                Expect::Flag,
            ),
            label(
                "en-01",
                Some("The Contractor shall not retain any rights."),
                CopyrightOwnership,
                Expect::Clean,
            ),
            label(
                "en-01",
                Some("Licensed under EUPL-1.2."),
                OpenLicensing,
                Expect::Clean,
            ),
            label("en-01", None, VendorLockIn, Expect::Flag),
        ];
        let blocks = [
            "7.1 All IP shall  remain with the contractor. The Authority gets a licence.",
            "Deliverables in Word format.",
            "The Contractor shall not retain any rights.",
            "Licensed under EUPL-1.2.",
            "Payment within thirty days.",
        ];
        let findings = vec![
            // hit, found through the block text
            finding(
                "c.keeps",
                CopyrightOwnership,
                Some(0),
                Some("remain with the Contractor"),
            ),
            // second finding on the same clause: still one hit
            finding("c.keeps2", CopyrightOwnership, Some(0), None),
            // other category on a labelled clause: neither hit nor false alarm
            finding("r.own-use", ReuseRights, Some(0), None),
            // false alarm on a clean label of the same category
            finding(
                "c.keeps",
                CopyrightOwnership,
                Some(2),
                Some("retain any rights"),
            ),
            // unlabelled, counted once per block and category
            finding("l.x", OpenLicensing, Some(4), Some("Payment")),
            finding("l.y", OpenLicensing, Some(4), Some("thirty days")),
            // document-level finding matching the document label by concern word
            finding("vendor-lock-in.missing-exit", VendorLockIn, None, None),
        ];
        let report = evaluate(
            &labels,
            &[("en-01".into(), Format::Pdf, analysis(&blocks, findings))],
            vec![],
        );
        let cat = |c: Category| report.by_category[c.id()];
        assert_eq!(
            cat(CopyrightOwnership),
            Score {
                hits: 1,
                misses: 0,
                false_alarms: 1
            }
        );
        // Word-format label missed; document-level exit label hit.
        assert_eq!(
            cat(VendorLockIn),
            Score {
                hits: 1,
                misses: 1,
                false_alarms: 0
            }
        );
        assert_eq!(
            cat(OpenLicensing),
            Score {
                hits: 0,
                misses: 0,
                false_alarms: 1
            }
        );
        assert_eq!(cat(ReuseRights), Score::default());
        assert_eq!(
            report.overall,
            Score {
                hits: 2,
                misses: 1,
                false_alarms: 2
            }
        );
        assert_eq!(report.overall.precision(), Some(0.5));
        assert_eq!(report.by_format["pdf"].recall(), Some(2.0 / 3.0));
        assert_eq!(report.by_language["en"], report.overall);
        let unlabelled: Vec<_> = report
            .events
            .iter()
            .filter(|e| e.outcome == Outcome::Unlabelled)
            .collect();
        assert_eq!(unlabelled.len(), 1);
        assert_eq!(unlabelled[0].text.as_deref(), Some("Payment"));
        assert!(report.to_text().contains("misses (1)"));
    }

    #[test]
    fn excerpt_inside_label_matches_when_the_block_is_split() {
        // A PDF page break cut the labelled clause into two blocks.
        let labels = vec![label(
            "de-01",
            Some(
                "Alle Rechte verbleiben beim Auftragnehmer. Der Auftraggeber erhält ein einfaches Nutzungsrecht.",
            ),
            Category::CopyrightOwnership,
            Expect::Flag,
        )];
        let blocks = [
            "Alle Rechte verbleiben beim Auftragnehmer.",
            "Der Auftraggeber erhält",
        ];
        let findings = vec![finding(
            "c.keeps",
            Category::CopyrightOwnership,
            Some(0),
            Some("Rechte verbleiben beim Auftragnehmer"),
        )];
        let report = evaluate(
            &labels,
            &[("de-01".into(), Format::Pdf, analysis(&blocks, findings))],
            vec![],
        );
        assert_eq!(
            report.overall,
            Score {
                hits: 1,
                misses: 0,
                false_alarms: 0
            }
        );
    }

    #[test]
    fn table_rows_and_anchored_missing_clauses_match() {
        let labels = vec![
            label(
                "de-02",
                Some("Lizenzgebühr je benanntem Benutzer"),
                Category::OpenLicensing,
                Expect::Flag,
            ),
            label("de-02", None, Category::VendorLockIn, Expect::Flag),
        ];
        let mut a = analysis(
            &[
                "Nutzerlizenzen",
                "Lizenzgebühr je benanntem Benutzer",
                "Speicher",
                "pauschal",
            ],
            vec![
                finding(
                    "l.per-user",
                    Category::OpenLicensing,
                    Some(0),
                    Some("Nutzerlizenzen"),
                ),
                // a conditional rule anchoring "no exit plan" at the clause that triggered it
                finding(
                    "lock-in.no-exit-plan",
                    Category::VendorLockIn,
                    Some(2),
                    None,
                ),
            ],
        );
        for (i, b) in a.document.blocks.iter_mut().enumerate() {
            b.kind = BlockKind::TableCell {
                table: 0,
                row: (i / 2) as u32,
                col: (i % 2) as u32,
            };
        }
        let report = evaluate(&labels, &[("de-02".into(), Format::Docx, a)], vec![]);
        assert_eq!(
            report.overall,
            Score {
                hits: 2,
                misses: 0,
                false_alarms: 0
            }
        );
    }

    #[test]
    fn floors_apply_per_slice() {
        let s = |hits, misses, false_alarms| Score {
            hits,
            misses,
            false_alarms,
        };
        let cases = [
            (s(9, 1, 1), true),
            (s(8, 2, 0), false),
            (s(9, 0, 2), false),
            (s(0, 0, 0), true),
            (s(0, 3, 0), false),
            (s(0, 0, 1), false),
        ];
        for (score, want) in cases {
            assert_eq!(score.meets(0.9, 0.9), want, "{score:?}");
        }
        let report = Report::from_events(
            1,
            1,
            vec![Event {
                document: "d".into(),
                format: Format::Odt,
                category: Category::ReuseRights,
                lang: "nl".into(),
                outcome: Outcome::Miss,
                text: Some("x".into()),
                rule: None,
            }],
            vec![Failure {
                document: "d".into(),
                format: Format::Pdf,
                error: "unsupported".into(),
            }],
        );
        let below = report.below(0.9, 0.9);
        assert!(below.iter().any(|b| b.starts_with("category reuse-rights")));
        assert!(below.iter().any(|b| b.starts_with("language nl")));
        assert!(below.iter().any(|b| b.starts_with("format odt")));
        assert!(below.iter().any(|b| b.starts_with("document d.pdf")));
    }
}
