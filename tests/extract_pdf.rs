//! The PDF reader against the shared corpus (`../shared/corpus/pdf`, when present): every file
//! yields a document or a typed error, never a panic, within 10 s; and the words pdftotext finds
//! are found by us too (mean recall over files where pdftotext reads more than 50 words).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tenderlint::Limits;
use tenderlint::extract::read_path;

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/pdf");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("SKIPPED: no corpus at {}", dir.display());
        None
    }
}

fn corpus_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn every_corpus_pdf_reads_or_fails_with_a_typed_error() {
    let Some(dir) = corpus() else { return };
    let limits = Limits::default();
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    let mut panics = Vec::new();
    let mut slow = Vec::new();
    for path in corpus_files(&dir) {
        let t = Instant::now();
        let outcome = match read_path(&path, &limits) {
            Ok(doc) => {
                assert!(!doc.blocks.is_empty(), "{}: empty document", path.display());
                "ok".to_string()
            }
            Err(e) => {
                println!("{e}");
                if e.kind.id() == "panic" {
                    panics.push(format!("{e}"));
                }
                e.kind.id().to_string()
            }
        };
        if t.elapsed() > Duration::from_secs(10) {
            slow.push(format!("{} took {:?}", path.display(), t.elapsed()));
        }
        *outcomes.entry(outcome).or_default() += 1;
    }
    println!("corpus outcomes: {outcomes:?}");
    assert!(panics.is_empty(), "reader panics: {panics:#?}");
    assert!(slow.is_empty(), "slow files: {slow:#?}");
    assert!(outcomes.get("ok").copied().unwrap_or(0) > 0);
}

#[test]
fn encrypted_corpus_files_open_with_the_empty_password_or_say_so() {
    let Some(dir) = corpus() else { return };
    let limits = Limits::default();
    // Empty user password: readable.
    let open = dir.join("qpdf__V4-aes.pdf");
    if open.exists() {
        let doc = read_path(&open, &limits).expect("empty user password decrypts");
        assert!(doc.plain_text().contains("Potato"));
    }
    // A user password is required.
    for name in [
        "qpdf__enc-XI-R6_V5_U=view_O=master.pdf",
        "pypdfsamples__libreoffice-writer-password.pdf",
    ] {
        let p = dir.join(name);
        if p.exists() {
            let e = read_path(&p, &limits).unwrap_err();
            assert_eq!(e.kind.id(), "encrypted", "{name}: {e}");
        }
    }
}

fn words(text: &str) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        *m.entry(w.to_lowercase()).or_insert(0) += 1;
    }
    m
}

fn pdftotext(path: &Path) -> Option<String> {
    let out = Command::new("pdftotext").arg(path).arg("-").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn word_recall_against_pdftotext() {
    let Some(dir) = corpus() else { return };
    if Command::new("pdftotext").arg("-v").output().is_err() {
        println!("SKIPPED: pdftotext not installed");
        return;
    }
    let limits = Limits::default();
    let mut recalls = Vec::new();
    for path in corpus_files(&dir) {
        let Some(reference) = pdftotext(&path) else {
            continue;
        };
        let reference = words(&reference);
        let total: usize = reference.values().sum();
        if total <= 50 {
            continue;
        }
        let ours = match read_path(&path, &limits) {
            Ok(doc) => doc
                .blocks
                .iter()
                .map(|b| b.text.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            Err(_) => String::new(),
        };
        let ours = words(&ours);
        let hit: usize = reference
            .iter()
            .map(|(w, n)| (*n).min(ours.get(w).copied().unwrap_or(0)))
            .sum();
        let recall = hit as f64 / total as f64;
        println!(
            "recall {recall:.4} over {total:>6} words: {}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        recalls.push(recall);
    }
    if recalls.is_empty() {
        println!("SKIPPED: no corpus file with pdftotext output");
        return;
    }
    let mean = recalls.iter().sum::<f64>() / recalls.len() as f64;
    println!("mean word recall {mean:.4} over {} files", recalls.len());
    assert!(mean >= 0.95, "mean recall {mean:.4}");
}
