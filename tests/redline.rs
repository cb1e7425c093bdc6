//! Redline export over every DOCX, ODT and flat-ODT fixture: the copy re-reads with tenderlint's
//! own reader, which reports the tracked changes made; with all changes accepted (what the reader
//! analyses) the text holds every replacement and no longer the text it replaced; there is one new
//! comment per finding; every zip part but the patched ones is byte-identical; LibreOffice converts
//! every copy without error.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use tenderlint::analysis::Analysis;
use tenderlint::document::{BlockKind, ChangeKind, Document, Format};
use tenderlint::finding::{Category, Finding, Location, Position, Severity, Span, Suggestion};
use tenderlint::limits::Limits;
use tenderlint::redline::{self, Mode, Stamp};

fn fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["fixtures/eval", "fixtures/tenders", "fixtures/example"] {
        let Ok(rd) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("docx" | "odt" | "fodt")
            ) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn finding(n: usize, block: usize, start: usize, end: usize, excerpt: &str) -> Finding {
    Finding {
        rule_id: format!("test.rule-{n}"),
        category: Category::ALL[n % 4],
        severity: Severity::Warning,
        title: format!("Test finding {n}"),
        message: "m".into(),
        explanation: "Why it matters.".into(),
        excerpt: Some(excerpt.into()),
        context: None,
        location: Location {
            block: Some(block),
            start: Some(start),
            end: Some(end),
            ..Location::default()
        },
        suggestions: vec![Suggestion {
            text: format!("TLREPL{n}"),
            position: Position::Preferred,
            replaces: Some(Span { block, start, end }),
        }],
        references: vec![],
        needs_legal_review: false,
        language: None,
        fingerprint: format!("fp{n}"),
    }
}

/// Up to six findings on distinct body blocks: each replaces the first word of 4+ letters that
/// lies inside one piece; plus one document-level finding.
/// Block index -> (start, end, replacement) of the word each finding replaces.
type Replaced = HashMap<usize, (usize, usize, String)>;

fn plan_findings(doc: &Document) -> (Vec<Finding>, Replaced) {
    let mut findings = Vec::new();
    let mut replaced = HashMap::new();
    for (i, b) in doc.blocks.iter().enumerate() {
        if findings.len() >= 6
            || b.kind.is_furniture()
            || !matches!(
                b.anchor.part.as_str(),
                "word/document.xml" | "content.xml" | ""
            )
        {
            continue;
        }
        let Some(p) = b.pieces.first() else { continue };
        let text = &b.text[p.range.clone()];
        let mut at = 0;
        for word in text.split(' ') {
            if word.len() >= 4 && word.chars().all(|c| c.is_ascii_alphabetic()) {
                let start = p.range.start + at;
                let end = start + word.len();
                let n = findings.len();
                findings.push(finding(n, i, start, end, word));
                replaced.insert(i, (start, end, format!("TLREPL{n}")));
                break;
            }
            at += word.len() + 1;
        }
    }
    let mut doc_level = finding(99, 0, 0, 0, "");
    doc_level.location = Location::default();
    doc_level.excerpt = None;
    doc_level.suggestions.clear();
    findings.push(doc_level);
    (findings, replaced)
}

fn zip_parts(bytes: &[u8]) -> HashMap<String, Vec<u8>> {
    let mut a = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut out = HashMap::new();
    for i in 0..a.len() {
        let mut f = a.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut v = Vec::new();
        f.read_to_end(&mut v).unwrap();
        out.insert(name, v);
    }
    out
}

fn body_texts(doc: &Document) -> Vec<String> {
    doc.blocks
        .iter()
        .filter(|b| !b.kind.is_furniture())
        .map(|b| b.text.clone())
        .collect()
}

fn comments(doc: &Document) -> usize {
    doc.blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Comment)
        .count()
}

#[test]
fn redline_every_docx_and_odt_fixture() {
    let files = fixtures();
    assert!(
        !files.is_empty(),
        "no DOCX/ODT fixtures found under fixtures/"
    );
    let limits = Limits::default();
    let stamp = Stamp {
        author: "tenderlint".into(),
        date: "2026-01-01T00:00:00Z".into(),
    };
    let out_dir = tempfile::tempdir().unwrap();
    let mut written = Vec::new();
    for path in &files {
        let input = std::fs::read(path).unwrap();
        let doc = tenderlint::extract::read_bytes(path, &input, &limits).unwrap();
        let (findings, replaced) = plan_findings(&doc);
        assert!(
            !replaced.is_empty(),
            "{}: no block to redline",
            path.display()
        );
        let analysis = Analysis {
            document: doc.clone(),
            findings: findings.clone(),
            topics: vec![],
        };
        let out = redline::apply(&input, &analysis, None, Mode::All, &stamp, &limits)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(std::fs::read(path).unwrap(), input, "input untouched");

        let name = path.file_name().unwrap();
        let out_path = out_dir.path().join(name);
        std::fs::write(&out_path, &out).unwrap();
        let again = tenderlint::extract::read_path(&out_path, &limits)
            .unwrap_or_else(|e| panic!("re-reading the redlined {}: {e}", path.display()));

        // The reader reports the tracked changes made (one insertion and at least one deletion each).
        let ours: Vec<_> = again
            .tracked_changes
            .iter()
            .filter(|c| c.author.as_deref() == Some("tenderlint"))
            .collect();
        let ins = ours
            .iter()
            .filter(|c| c.kind == ChangeKind::Insertion)
            .count();
        let del = ours
            .iter()
            .filter(|c| c.kind == ChangeKind::Deletion)
            .count();
        assert_eq!(
            ins,
            replaced.len(),
            "{}: insertions reported",
            path.display()
        );
        assert!(
            del >= replaced.len(),
            "{}: deletions reported",
            path.display()
        );

        // All changes accepted (the reader's view): replacements in, replaced words out.
        let mut want = Vec::new();
        for (i, b) in doc.blocks.iter().enumerate() {
            if b.kind.is_furniture() {
                continue;
            }
            match replaced.get(&i) {
                Some((s, e, r)) => want.push(format!("{}{}{}", &b.text[..*s], r, &b.text[*e..])),
                None => want.push(b.text.clone()),
            }
        }
        assert_eq!(
            body_texts(&again),
            want,
            "{}: accepted text",
            path.display()
        );

        // One comment per finding.
        assert_eq!(
            comments(&again) - comments(&doc),
            findings.len(),
            "{}: comments",
            path.display()
        );

        // Every part but the patched ones is byte-identical.
        if doc.format != Format::Fodt {
            let before = zip_parts(&input);
            let after = zip_parts(&out);
            let patched = [
                "word/document.xml",
                "word/comments.xml",
                "word/_rels/document.xml.rels",
                "[Content_Types].xml",
                "content.xml",
            ];
            for (name, bytes) in &before {
                if !patched.contains(&name.as_str()) {
                    assert_eq!(
                        after.get(name),
                        Some(bytes),
                        "{}: part {name} changed",
                        path.display()
                    );
                }
            }
        }
        written.push(out_path);
    }
    println!("redlined {} fixtures", written.len());

    // LibreOffice converts every redlined copy without error (one process for all of them).
    if std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("SKIPPED: LibreOffice (soffice) is not installed: conversion check not run");
        return;
    }
    let conv = out_dir.path().join("pdf");
    let o = std::process::Command::new("soffice")
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&conv)
        .args(&written)
        .env("HOME", out_dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for w in &written {
        let pdf = conv.join(Path::new(w.file_name().unwrap()).with_extension("pdf"));
        let len = std::fs::metadata(&pdf).map(|m| m.len()).unwrap_or(0);
        assert!(len > 1000, "LibreOffice did not convert {}", w.display());
    }
}
