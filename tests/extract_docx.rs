//! DOCX, ODT and flat ODT readers over the shared corpus (`../shared/corpus/docx`): every file
//! reads to a document or a typed error, without panicking, within 10 s, and known content is
//! found. Set `TENDERLINT_DUMP=name-fragment` to print the blocks of matching files.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tenderlint::extract::read_path;
use tenderlint::{BlockKind, Document, Limits};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/docx");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("SKIPPED: corpus not found at {}", dir.display());
        None
    }
}

fn read(name: &str) -> Option<Document> {
    let path = corpus()?.join(name);
    if !path.exists() {
        println!("SKIPPED: {name} not in corpus");
        return None;
    }
    Some(read_path(&path, &Limits::default()).unwrap_or_else(|e| panic!("{e}")))
}

fn dump(doc: &Document) {
    for b in &doc.blocks {
        println!(
            "  [{}] {:?} clause={:?} @{}#{} {:?}",
            b.kind.name(),
            b.kind,
            b.clause,
            b.anchor.part,
            b.anchor.index,
            b.text
        );
    }
    for c in &doc.tracked_changes {
        println!("  change {:?} {:?}", c.kind, c.text);
    }
    println!("  warnings {:?} title {:?}", doc.warnings, doc.title);
}

#[test]
fn every_corpus_file_reads_or_fails_typed_and_fast() {
    let Some(dir) = corpus() else { return };
    let dump_filter = std::env::var("TENDERLINT_DUMP").ok();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("docx")))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no documents in {}", dir.display());
    let (mut ok, mut failed) = (0, 0);
    for path in &names {
        let start = Instant::now();
        let result = read_path(path, &Limits::default());
        let took = start.elapsed();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        assert!(took < Duration::from_secs(10), "{name} took {took:?}");
        match &result {
            Ok(doc) => {
                ok += 1;
                println!(
                    "{name}: {} blocks, {} changes, {} ms",
                    doc.blocks.len(),
                    doc.tracked_changes.len(),
                    took.as_millis()
                );
                if dump_filter.as_deref().is_some_and(|f| name.contains(f)) {
                    dump(doc);
                }
            }
            Err(e) => {
                failed += 1;
                assert_ne!(e.kind.id(), "panic", "{e}");
                println!("{name}: error {e}");
            }
        }
    }
    println!("{ok} read, {failed} typed errors, of {}", names.len());
    assert!(ok * 10 >= names.len() * 9, "too many failures: {failed}");
}

fn texts(doc: &Document, kind: &str) -> Vec<String> {
    doc.blocks
        .iter()
        .filter(|b| b.kind.name() == kind)
        .map(|b| b.text.clone())
        .collect()
}

#[test]
fn docx_spot_checks() {
    if let Some(doc) = read("docxrs__footnotes.docx") {
        assert_eq!(texts(&doc, "footnote"), vec!["World"]);
        assert_eq!(texts(&doc, "paragraph"), vec!["Hello"]);
    }
    if let Some(doc) = read("mammoth__footnotes.docx") {
        assert!(texts(&doc, "footnote").len() >= 2, "{:?}", doc.blocks);
    }
    if let Some(doc) = read("mammoth__endnotes.docx") {
        assert!(!texts(&doc, "endnote").is_empty(), "{:?}", doc.blocks);
    }
    if let Some(doc) = read("docxrs__numbering.docx") {
        let clauses: Vec<Option<&str>> = doc.blocks.iter().map(|b| b.clause.as_deref()).collect();
        assert_eq!(
            clauses,
            vec![
                Some("Section 1"),
                Some("1"),
                Some("2"),
                Some("i"),
                Some("ii")
            ]
        );
        assert!(doc.blocks.iter().all(|b| !b.text.contains("Section")));
    }
    if let Some(doc) = read("docxrs__override.docx") {
        let clauses: Vec<Option<&str>> = doc.blocks.iter().map(|b| b.clause.as_deref()).collect();
        assert_eq!(clauses, vec![Some("1"), Some("2"), Some("override 10")]);
    }
    if let Some(doc) = read("mammoth__strict-format.docx") {
        assert!(!doc.blocks.is_empty());
    }
    if let Some(doc) = read("docxrs__textbox.docx") {
        assert_eq!(
            texts(&doc, "paragraph"),
            vec!["Hello"],
            "text box read once"
        );
    }
    if let Some(doc) = read("docxrs__hidden.docx") {
        assert!(doc.blocks.iter().all(|b| !b.text.contains("Hidden")));
    }
    if let Some(doc) = read("docxrs__del_in_ins.docx") {
        assert!(!doc.tracked_changes.is_empty());
        assert!(doc.warnings[0].starts_with("document carries"));
        assert!(doc.blocks.iter().all(|b| !b.text.contains("DelText")));
    }
    if let Some(doc) = read("pydocx__tbl-cell-access.docx") {
        let cells = doc
            .blocks
            .iter()
            .filter(|b| matches!(b.kind, BlockKind::TableCell { .. }))
            .count();
        assert_eq!(cells, 31, "merged continuation cells are not repeated");
    }
    if let Some(doc) = read("pydocx__hdr-header-footer.docx") {
        assert!(!texts(&doc, "header").is_empty());
    }
    if let Some(doc) = read("mammoth__comments.docx") {
        assert!(!texts(&doc, "comment").is_empty());
    }
    let Some(dir) = corpus() else { return };
    let start = Instant::now();
    let result = read_path(&dir.join("docxrs__read_hang.docx"), &Limits::default());
    assert!(start.elapsed() < Duration::from_secs(2));
    assert!(result.is_ok(), "{result:?}");
}
