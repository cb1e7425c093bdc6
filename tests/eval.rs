//! The labelled evaluation corpus (`fixtures/eval/`): its labels are well formed, every labelled
//! text occurs in its document, every category x language cell has enough labels, and the
//! extracted text of every rendering contains the labelled clauses.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tenderlint::eval::{Expect, Label, load_labels, normalise};
use tenderlint::extract::read_path;
use tenderlint::finding::Category;
use tenderlint::limits::Limits;

fn eval_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/eval")
}

fn labels() -> Vec<Label> {
    load_labels(&eval_dir().join("labels.jsonl")).expect("labels.jsonl loads")
}

/// The words a reader sees in a `.tdoc` source: label markers replaced by their text.
fn source_text(name: &str) -> String {
    let path = eval_dir().join(format!("{name}.tdoc"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("[[") {
        out.push_str(&rest[..at]);
        let inner = &rest[at + 2..];
        let end = inner.find("]]").expect("closed label marker");
        out.push_str(inner[..end].splitn(3, ':').nth(2).unwrap_or(""));
        rest = &inner[end + 2..];
    }
    out.push_str(rest);
    // Table cells and markers are separated by " | " and prefixes; joining lines is enough for
    // containment of clause texts, which never span lines.
    normalise(&out)
}

#[test]
fn corpus_is_complete_and_labels_occur_in_their_documents() {
    let labels = labels();
    assert!(
        labels.len() >= 150,
        "at least 150 labels, found {}",
        labels.len()
    );
    let mut documents: Vec<&str> = labels.iter().map(|l| l.document.as_str()).collect();
    documents.sort();
    documents.dedup();
    assert!(documents.len() >= 12, "{documents:?}");
    for doc in &documents {
        for ext in ["pdf", "docx", "odt", "tdoc"] {
            let path = eval_dir().join(format!("{doc}.{ext}"));
            assert!(path.is_file(), "missing {path:?}");
        }
        let source = source_text(doc);
        for label in labels.iter().filter(|l| &l.document == doc) {
            if let Some(text) = &label.text {
                assert!(
                    source.contains(&normalise(text)),
                    "{doc}: label text not in source: {text}"
                );
            }
        }
    }
    let doc_level = labels.iter().filter(|l| l.text.is_none()).count();
    assert!(doc_level >= 10, "document-level labels: {doc_level}");
}

#[test]
fn every_category_language_cell_has_flag_and_clean_labels() {
    let mut cells: BTreeMap<(String, Category), (usize, usize)> = BTreeMap::new();
    for label in labels().iter().filter(|l| l.text.is_some()) {
        let cell = cells.entry((label.language(), label.category)).or_default();
        match label.expect {
            Expect::Flag => cell.0 += 1,
            Expect::Clean => cell.1 += 1,
        }
    }
    println!(
        "{:<4} {:<20} {:>5} {:>5}",
        "lang", "category", "flag", "clean"
    );
    let mut thin = Vec::new();
    for lang in ["en", "fr", "de", "nl"] {
        for category in Category::ALL {
            let (flag, clean) = cells
                .get(&(lang.to_string(), category))
                .copied()
                .unwrap_or_default();
            println!("{lang:<4} {:<20} {flag:>5} {clean:>5}", category.id());
            if flag < 6 || clean < 4 {
                thin.push(format!("{lang} {category}: {flag} flag, {clean} clean"));
            }
        }
    }
    assert!(thin.is_empty(), "cells below 6 flag / 4 clean: {thin:?}");
}

/// Every labelled clause can be found in one block of the extracted text of every rendering in
/// `ext`, so a miss in the evaluation is the rules' and not the reader's. Figures are printed.
fn labelled_clauses_survive(ext: &str) {
    let labels = labels();
    let mut names: Vec<&str> = labels.iter().map(|l| l.document.as_str()).collect();
    names.sort();
    names.dedup();
    let mut failures = Vec::new();
    println!("{:<36} {:<5} {:>8}", "document", "fmt", "found");
    for name in names {
        let texts: Vec<String> = labels
            .iter()
            .filter(|l| l.document == name)
            .filter_map(|l| l.text.as_deref().map(normalise))
            .collect();
        let path = eval_dir().join(format!("{name}.{ext}"));
        let doc = match read_path(&path, &Limits::default()) {
            Ok(doc) => doc,
            Err(e) => {
                failures.push(format!("{name}.{ext}: {e}"));
                continue;
            }
        };
        let blocks: Vec<String> = doc.blocks.iter().map(|b| normalise(&b.text)).collect();
        let missing: Vec<&String> = texts
            .iter()
            .filter(|t| !blocks.iter().any(|b| b.contains(t.as_str())))
            .collect();
        println!(
            "{name:<36} {ext:<5} {:>4}/{:<4}",
            texts.len() - missing.len(),
            texts.len()
        );
        for m in missing {
            failures.push(format!("{name}.{ext}: not in one block: {m}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

#[test]
fn labelled_clauses_survive_pdf_extraction() {
    labelled_clauses_survive("pdf");
}

#[test]
fn labelled_clauses_survive_docx_extraction() {
    labelled_clauses_survive("docx");
}

#[test]
fn labelled_clauses_survive_odt_extraction() {
    labelled_clauses_survive("odt");
}

/// The floor: the built-in rules reach 0.90 precision and recall in every category, every
/// language and every format of the corpus. Prints the full table with misses and false alarms.
#[test]
fn builtin_rules_meet_the_floor() {
    let labels = labels();
    let rules = tenderlint::ruleset::RuleSet::builtin().expect("built-in rules load");
    let report = tenderlint::eval::evaluate_dir(&eval_dir(), &labels, &Limits::default(), |doc| {
        tenderlint::check::analyse(doc, &rules)
    })
    .expect("corpus evaluates");
    println!("{}", report.to_text());
    let below = report.below(0.90, 0.90);
    assert!(
        below.is_empty(),
        "below the 0.90 floor:\n  {}",
        below.join("\n  ")
    );
}

#[test]
fn cli_prints_json_and_maps_the_floor_to_the_exit_code() {
    let out = assert_cmd::Command::cargo_bin("tenderlint")
        .expect("binary builds")
        .args(["eval", "--format", "json"])
        .arg(eval_dir())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert!(
        report["documents"].as_u64().is_some_and(|n| n >= 12),
        "{}",
        report["documents"]
    );
    assert!(report["by_category"]["vendor-lock-in"]["hits"].is_u64());
    // No slice can reach a recall above 1: the floor must fail with exit code 1.
    assert_cmd::Command::cargo_bin("tenderlint")
        .expect("binary builds")
        .args(["eval", "--min-recall", "1.01"])
        .arg(eval_dir())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("below the floor"));
}
