//! `tenderlint rules test`: runs every language section's own examples (`tests.flag`,
//! `tests.clean`, `tests.fix`) against the compiled rules.
//!
//! Each example runs with only its rule (plus the topic rules, which `require` rules build on),
//! in the section's language, as if the text were contract terms, so a failure names exactly one
//! rule, one language and one text.

use serde::Serialize;

use super::RuleSet;
use crate::check::{Options, run, text_document};
use crate::document::{Block, BlockKind, Document, Format};
use crate::finding::Finding;
use crate::lang::Lang;
use crate::rules::{DocKind, Rule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TestKind {
    Flag,
    Clean,
    Fix,
}

/// One example that did not behave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestFailure {
    pub rule_id: String,
    pub lang: Lang,
    /// Where the language section is written.
    pub origin: String,
    pub kind: TestKind,
    pub text: String,
    pub detail: String,
}

impl std::fmt::Display for TestFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.kind {
            TestKind::Flag => "tests.flag",
            TestKind::Clean => "tests.clean",
            TestKind::Fix => "tests.fix",
        };
        write!(
            f,
            "{}: rule \"{}\" ({}): {what}: {}: {:?}",
            self.origin, self.rule_id, self.lang, self.detail, self.text
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TestReport {
    pub passed: usize,
    pub failures: Vec<TestFailure>,
}

impl TestReport {
    pub fn is_ok(&self) -> bool {
        self.failures.is_empty()
    }
}

fn single_block(text: &str, lang: Lang) -> Document {
    let mut doc = Document::new("text", Format::Text);
    doc.blocks.push(Block::new(BlockKind::Paragraph, text));
    doc.language = Some(lang);
    doc
}

/// Applies the replacement suggestions of `findings` (block 0 only) to `text`, right to left.
pub fn apply_fixes(text: &str, findings: &[Finding]) -> String {
    let mut spans: Vec<(usize, usize, String)> = findings
        .iter()
        .flat_map(|f| f.suggestions.first())
        .filter_map(|s| s.replaces.map(|r| (r.start, r.end, s.text.clone())))
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    let mut limit = usize::MAX;
    for (s, e, with) in spans {
        if e > limit || e > out.len() || !out.is_char_boundary(s) || !out.is_char_boundary(e) {
            continue;
        }
        out.replace_range(s..e, &with);
        limit = s;
    }
    out
}

/// Runs all examples of all rules in `set`.
pub fn run_tests(set: &RuleSet) -> TestReport {
    let mut report = TestReport::default();
    for rule in set.rules() {
        let needs_topics = matches!(rule, Rule::Require(_));
        let subset =
            set.filtered(|r| r.id() == rule.id() || (needs_topics && matches!(r, Rule::Topic(_))));
        let id = rule.id();
        let opts = |lang| Options {
            lang: Some(lang),
            kind: Some(DocKind::Contract),
        };
        let fired = |doc: &Document, lang: Lang| -> (bool, Vec<Finding>) {
            let (findings, topics) = run(doc, &subset, opts(lang));
            let hit = match rule {
                Rule::Topic(t) => topics.iter().any(|h| h.topic == t.topic),
                _ => findings.iter().any(|f| f.rule_id == id),
            };
            (hit, findings)
        };
        for t in &rule.header().tests {
            let fail = |kind, text: &str, detail: String| TestFailure {
                rule_id: id.to_string(),
                lang: t.lang,
                origin: t.origin.clone(),
                kind,
                text: text.to_string(),
                detail,
            };
            for text in &t.flag {
                if fired(&text_document(text, t.lang), t.lang).0 {
                    report.passed += 1;
                } else {
                    report
                        .failures
                        .push(fail(TestKind::Flag, text, "not flagged".into()));
                }
            }
            for text in &t.clean {
                let (hit, findings) = fired(&text_document(text, t.lang), t.lang);
                if hit {
                    let what = findings
                        .iter()
                        .find(|f| f.rule_id == id)
                        .and_then(|f| f.excerpt.clone())
                        .map_or_else(|| "flagged".to_string(), |e| format!("flagged {e:?}"));
                    report.failures.push(fail(TestKind::Clean, text, what));
                } else {
                    report.passed += 1;
                }
            }
            for (text, expect) in &t.fix {
                let (_, findings) = fired(&single_block(text, t.lang), t.lang);
                let mine: Vec<Finding> = findings.into_iter().filter(|f| f.rule_id == id).collect();
                let got = apply_fixes(text, &mine);
                if &got == expect {
                    report.passed += 1;
                } else {
                    report.failures.push(fail(
                        TestKind::Fix,
                        text,
                        format!("got {got:?}, expected {expect:?}"),
                    ));
                }
            }
        }
    }
    report
}
