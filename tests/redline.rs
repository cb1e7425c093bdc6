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

/// Converts `files` with LibreOffice, one process at a time (two first starts of a fresh
/// installation at once can fail while it registers its bundled extensions), retrying once.
fn soffice(to: &str, outdir: &Path, files: &[PathBuf], home: &Path) {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut last = String::new();
    for _ in 0..2 {
        let o = std::process::Command::new("soffice")
            .args(["--headless", "--convert-to", to, "--outdir"])
            .arg(outdir)
            .args(files)
            .env("HOME", home)
            .output()
            .unwrap();
        if o.status.success() {
            return;
        }
        last = String::from_utf8_lossy(&o.stderr).into_owned();
    }
    panic!("LibreOffice failed: {last}");
}

/// Converts every file of `written` to `to` with LibreOffice and checks each result is a real
/// file; says SKIPPED when LibreOffice is not installed.
fn convert_all(to: &str, written: &[PathBuf], home: &Path) {
    if std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("SKIPPED: LibreOffice (soffice) is not installed: conversion check not run");
        return;
    }
    let conv = home.join(to);
    soffice(to, &conv, written, home);
    for w in written {
        let out = conv.join(Path::new(w.file_name().unwrap()).with_extension(to));
        let len = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
        assert!(len > 1000, "LibreOffice did not convert {}", w.display());
    }
}

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
        references: Vec::new().into(),
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

/// The author and date every redline in these tests is stamped with.
fn test_stamp() -> Stamp {
    Stamp {
        author: "tenderlint".into(),
        date: "2026-01-01T00:00:00Z".into(),
    }
}

#[test]
fn redline_every_docx_and_odt_fixture() {
    let files = fixtures();
    assert!(
        !files.is_empty(),
        "no DOCX/ODT fixtures found under fixtures/"
    );
    let limits = Limits::default();
    let stamp = test_stamp();
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
    convert_all("pdf", &written, out_dir.path());
}

#[test]
fn redline_command_writes_changes_and_refuses_to_overwrite_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("tender.docx");
    std::fs::copy("fixtures/example/tender.docx", &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let out = dir.path().join("tender.redline.docx");
    let run = assert_cmd::Command::cargo_bin("tenderlint")
        .unwrap()
        .args(["redline", "--all", "-o"])
        .arg(&out)
        .arg(&input)
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(std::fs::read(&input).unwrap(), before, "input untouched");
    let doc = tenderlint::extract::read_path(&out, &Limits::default()).unwrap();
    let ours = doc
        .tracked_changes
        .iter()
        .filter(|c| c.author.as_deref() == Some("tenderlint"))
        .count();
    assert!(ours >= 2, "tracked changes made: {ours}");
    assert!(doc.tracked_changes.iter().all(|c| {
        c.date
            .as_deref()
            .is_none_or(|d| d.starts_with("2026-01-01"))
    }));
    let comments = doc
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Comment)
        .count();
    assert!(comments >= 5, "comments: {comments}");

    let refused = assert_cmd::Command::cargo_bin("tenderlint")
        .unwrap()
        .args(["redline", "-o"])
        .arg(&input)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("refusing to overwrite the input"));
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

/// PDF fixtures: a PDF cannot take tracked changes, so each finding becomes a note (Text
/// annotation), located ones also a Highlight; the copy re-reads to the same text with our reader
/// and with pdftotext, and LibreOffice opens it.
#[test]
fn annotate_every_pdf_fixture() {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["fixtures/eval", "fixtures/tenders"] {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.path().extension().and_then(|x| x.to_str()) == Some("pdf") {
                files.push(e.path());
            }
        }
    }
    files.sort();
    assert!(files.len() >= 10, "PDF fixtures: {}", files.len());
    let limits = Limits::default();
    let stamp = test_stamp();
    let out_dir = tempfile::tempdir().unwrap();
    let mut written = Vec::new();
    for path in &files {
        let input = std::fs::read(path).unwrap();
        let doc = tenderlint::extract::read_bytes(path, &input, &limits).unwrap();
        let (findings, _) = plan_findings(&doc);
        let analysis = Analysis {
            document: doc.clone(),
            findings: findings.clone(),
            topics: vec![],
        };
        let out = redline::apply(&input, &analysis, None, Mode::All, &stamp, &limits)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let pdf = lopdf::Document::load_mem(&out).unwrap();
        let mut notes = 0;
        let mut highlights = 0;
        for o in pdf.objects.values() {
            if let Ok(d) = o.as_dict()
                && d.get(b"Type")
                    .is_ok_and(|t| t.as_name().ok() == Some(b"Annot"))
            {
                match d.get(b"Subtype").ok().and_then(|s| s.as_name().ok()) {
                    Some(b"Text") => notes += 1,
                    Some(b"Highlight") => highlights += 1,
                    _ => {}
                }
            }
        }
        assert_eq!(
            notes,
            findings.len(),
            "{}: one note per finding",
            path.display()
        );
        assert_eq!(
            highlights,
            findings.len() - 1,
            "{}: a highlight per located finding",
            path.display()
        );
        let out_path = out_dir.path().join(path.file_name().unwrap());
        std::fs::write(&out_path, &out).unwrap();
        let again = tenderlint::extract::read_path(&out_path, &limits).unwrap();
        assert_eq!(
            body_texts(&again),
            body_texts(&doc),
            "{}: same text",
            path.display()
        );
        written.push(out_path);
    }
    if std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok()
    {
        for w in &written {
            let o = std::process::Command::new("pdftotext")
                .arg(w)
                .arg("-")
                .output()
                .unwrap();
            assert!(
                o.status.success() && o.stdout.len() > 500,
                "pdftotext on {}",
                w.display()
            );
        }
    } else {
        println!("SKIPPED: pdftotext not installed");
    }
    convert_all("png", &written, out_dir.path());
}
