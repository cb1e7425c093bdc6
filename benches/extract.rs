//! Reading throughput per format: the extraction stage alone, on the committed fixtures (the
//! same tenders rendered as PDF, DOCX and ODT), and the whole pipeline (read + rules) per format.
//!
//! `cargo bench --bench extract`. Side-by-side figures against pdftotext and pandoc on a
//! 300-page PDF and a 100-page DOCX come from `bench/run.sh`.

use std::path::{Path, PathBuf};

use divan::counter::BytesCount;
use tenderlint::limits::Limits;
use tenderlint::ruleset::RuleSet;

/// The binary's allocator, so the figures are the tool's.
#[global_allocator]
static ALLOCATOR: tenderlint_alloc::Allocator = tenderlint_alloc::Allocator;

fn main() {
    divan::main();
}

fn fixtures(ext: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir("fixtures/tenders")
        .expect("fixtures/tenders")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|x| x.to_str()) == Some(ext))
        .map(|p| {
            let bytes = std::fs::read(&p).expect("fixture");
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

fn total(files: &[(PathBuf, Vec<u8>)]) -> usize {
    files.iter().map(|(_, b)| b.len()).sum()
}

#[divan::bench(args = ["pdf", "docx", "odt"])]
fn read(bencher: divan::Bencher, ext: &str) {
    let files = fixtures(ext);
    let limits = Limits::default();
    bencher.counter(BytesCount::new(total(&files))).bench(|| {
        for (p, b) in &files {
            divan::black_box(tenderlint::extract::read_bytes(Path::new(p), b, &limits).ok());
        }
    });
}

#[divan::bench(args = ["pdf", "docx", "odt"])]
fn read_and_check(bencher: divan::Bencher, ext: &str) {
    let files = fixtures(ext);
    let limits = Limits::default();
    let rules = RuleSet::builtin().expect("shipped rules");
    bencher.counter(BytesCount::new(total(&files))).bench(|| {
        for (p, b) in &files {
            if let Ok(doc) = tenderlint::extract::read_bytes(Path::new(p), b, &limits) {
                divan::black_box(tenderlint::check::analyse(doc, &rules));
            }
        }
    });
}
