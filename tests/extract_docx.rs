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
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("docx" | "odt" | "fodt")
            )
        })
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

#[test]
fn odt_spot_checks() {
    if let Some(doc) = read("odfdo__tracked_changes.odt") {
        assert_eq!(
            doc.warnings,
            vec!["document carries 3 unaccepted tracked changes"]
        );
        let body = doc.plain_text();
        assert!(body.contains("los bonitos amigos"), "{body}");
        assert!(!body.contains("amis,"), "deleted text is not shown: {body}");
    }
    if let Some(doc) = read("odfdo__note.odt") {
        assert_eq!(texts(&doc, "footnote").len(), 1);
        assert_eq!(texts(&doc, "endnote").len(), 1);
        assert_eq!(texts(&doc, "comment"), vec!["Sauf qu'il est commenté !"]);
        assert_eq!(
            texts(&doc, "paragraph"),
            vec!["Un paragraphe d'apparence banale."]
        );
    }
    if let Some(doc) = read("odfdo__list.odt") {
        let numbered: Vec<Option<&str>> = doc
            .blocks
            .iter()
            .filter(|b| matches!(b.kind, BlockKind::ListItem { .. }))
            .map(|b| b.clause.as_deref())
            .collect();
        assert_eq!(numbered, vec![None, None, Some("1"), Some("2")]);
    }
    if let Some(doc) = read("odfdo__doc_with_toc.odt") {
        let headings: Vec<(Option<&str>, &str)> = doc
            .blocks
            .iter()
            .filter(|b| matches!(b.kind, BlockKind::Heading { .. }))
            .map(|b| (b.clause.as_deref(), b.text.as_str()))
            .collect();
        assert_eq!(headings[0], (Some("1"), "Lorem 1"));
        assert_eq!(headings[1], (Some("1.1"), "Lorem 1A"));
    }
    if let Some(doc) = read("odfdo__user_fields.odt") {
        assert!(doc.plain_text().contains("Paris"));
    }
    if let Some(doc) = read("odfdo__images.fodt") {
        assert_eq!(texts(&doc, "paragraph"), vec!["aaa", "bbb", "ccc"]);
    }
}

fn have(tool: &str) -> bool {
    std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// About 100 pages (50,000 words) of tender-like markdown: 20 chapters of 5 sections, each with
/// four long paragraphs, a numbered list and a small table.
fn long_markdown() -> String {
    let words = [
        "the",
        "supplier",
        "shall",
        "deliver",
        "source",
        "code",
        "licence",
        "open",
        "standard",
        "buyer",
        "contract",
        "rights",
        "reuse",
        "software",
        "documentation",
        "interoperability",
        "vendor",
        "data",
        "export",
        "format",
        "escrow",
        "maintenance",
        "acceptance",
        "services",
    ];
    let mut seed = 7u32;
    let mut word = || {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        words[(seed >> 16) as usize % words.len()]
    };
    let mut md = String::new();
    for ch in 1..=20 {
        md.push_str(&format!("# Chapter {ch}\n\n"));
        for sec in 1..=5 {
            md.push_str(&format!("## Section {ch}.{sec}\n\n"));
            for _ in 0..4 {
                let para: Vec<&str> = (0..110).map(|_| word()).collect();
                md.push_str(&para.join(" "));
                md.push_str(".\n\n");
            }
            md.push_str("1. first item\n2. second item\n3. third item\n\n");
            md.push_str("| a | b | c |\n|---|---|---|\n| x | y | z |\n\n");
        }
    }
    md
}

/// A long generated DOCX is read completely. The speed against `pandoc -t plain` is printed for
/// information only: timing is measured by `bench/run.sh`, never asserted in a test.
#[test]
fn a_hundred_page_docx_reads_every_word() {
    if !have("pandoc") {
        println!("SKIPPED: pandoc not installed");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let md = dir.path().join("long.md");
    let docx = dir.path().join("long.docx");
    std::fs::write(&md, long_markdown()).expect("write markdown");
    let status = std::process::Command::new("pandoc")
        .arg(&md)
        .arg("-o")
        .arg(&docx)
        .status()
        .expect("pandoc runs");
    assert!(status.success());
    let start = Instant::now();
    let out = std::process::Command::new("pandoc")
        .args(["-t", "plain"])
        .arg(&docx)
        .output()
        .expect("pandoc runs");
    let pandoc = start.elapsed();
    assert!(out.status.success());
    let mut ours = Duration::MAX;
    let mut doc = None;
    for _ in 0..3 {
        let start = Instant::now();
        doc = Some(read_path(&docx, &Limits::default()).expect("reads"));
        ours = ours.min(start.elapsed());
    }
    let doc = doc.expect("read once");
    let words = doc.plain_text().split_whitespace().count();
    let ratio = pandoc.as_secs_f64() / ours.as_secs_f64().max(1e-9);
    println!(
        "100-page DOCX ({words} words, {} blocks): pandoc -t plain {:?}, tenderlint {:?}, {ratio:.0}x",
        doc.blocks.len(),
        pandoc,
        ours
    );
    assert!(words > 45_000, "{words} words read");
}

fn word_set(text: &str) -> std::collections::BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 1)
        .map(str::to_lowercase)
        .collect()
}

/// Word recall against `pandoc -t plain` over the corpus: the share of pandoc's distinct words
/// that the reader also finds (hidden text is the known, intended difference), and the words the
/// reader shows in body blocks that pandoc does not (field instructions, deleted text would show
/// up here).
#[test]
fn word_recall_against_pandoc() {
    if !have("pandoc") {
        println!("SKIPPED: pandoc not installed");
        return;
    }
    let Some(dir) = corpus() else { return };
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("docx" | "odt")))
        .collect();
    names.sort();
    let (mut sum, mut n) = (0.0, 0);
    for path in &names {
        let Ok(out) = std::process::Command::new("pandoc")
            .args(["-t", "plain", "--wrap=none"])
            .arg(path)
            .output()
        else {
            continue;
        };
        if !out.status.success() {
            continue;
        }
        let theirs = word_set(&String::from_utf8_lossy(&out.stdout));
        if theirs.is_empty() {
            continue;
        }
        let doc = read_path(path, &Limits::default()).expect("reads");
        let mut all = String::new();
        for b in &doc.blocks {
            all.push_str(b.clause.as_deref().unwrap_or(""));
            all.push(' ');
            all.push_str(&b.text);
            all.push('\n');
        }
        let ours = word_set(&all);
        let body: String = doc.body().map(|(_, b)| format!("{}\n", b.text)).collect();
        let extra: Vec<String> = word_set(&body)
            .difference(&theirs)
            .take(8)
            .cloned()
            .collect();
        let recall = theirs.intersection(&ours).count() as f64 / theirs.len() as f64;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        if recall < 0.95 || !extra.is_empty() {
            let missing: Vec<&String> = theirs.difference(&ours).take(12).collect();
            println!("{name}: recall {recall:.2}, missing {missing:?}, extra {extra:?}");
        }
        sum += recall;
        n += 1;
    }
    let mean = sum / f64::from(n.max(1));
    println!("mean word recall against pandoc over {n} files: {mean:.3}");
    assert!(mean >= 0.95, "mean recall {mean:.3}");
}

/// The source text of every run (DOCX: the `w:t` text of the n-th `w:r`) or text node (ODF: the
/// n-th stretch of character data inside a `text:p`/`text:h`) of one XML part, read with a plain
/// quick-xml pass that shares no code with the readers.
fn source_runs(xml: &str, odf: bool) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut runs: Vec<String> = Vec::new();
    let (mut in_t, mut p_depth, mut open) = (false, 0usize, false);
    let is_p = |n: &str| n == "text:p" || n == "text:h";
    while let Ok(ev) = reader.read_event() {
        let text: Option<String> = match &ev {
            Event::Text(t) => Some(t.xml10_content().into_owned()),
            Event::CData(t) => Some(t.xml10_content().into_owned()),
            Event::GeneralRef(r) => Some(
                match r.clone().into_inner().as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                }
                .to_string(),
            ),
            _ => None,
        };
        if let Some(t) = text {
            if odf && p_depth > 0 {
                if !open {
                    runs.push(String::new());
                    open = true;
                }
                if let Some(r) = runs.last_mut() {
                    r.push_str(&t);
                }
            } else if !odf
                && in_t
                && let Some(r) = runs.last_mut()
            {
                r.push_str(&t);
            }
            continue;
        }
        match ev {
            Event::Start(e) => {
                open = false;
                let name = e.name();
                let name = name.as_ref();
                if odf && (is_p(name) || p_depth > 0) {
                    p_depth += 1;
                } else if name == "w:r" {
                    runs.push(String::new());
                } else if name == "w:t" {
                    in_t = true;
                }
            }
            Event::Empty(e) => {
                open = false;
                if !odf && e.name().as_ref() == "w:r" {
                    runs.push(String::new());
                }
            }
            Event::End(e) => {
                open = false;
                if odf && p_depth > 0 {
                    p_depth -= 1;
                } else if e.name().as_ref() == "w:t" {
                    in_t = false;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    runs
}

/// Every piece of every corpus document points at the same text in its source part.
#[test]
fn pieces_point_into_the_source_parts_of_every_corpus_file() {
    let Some(dir) = corpus() else { return };
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("docx" | "odt" | "fodt")
            )
        })
        .collect();
    names.sort();
    let (mut checked, mut files) = (0usize, 0usize);
    for path in &names {
        let Ok(doc) = read_path(path, &Limits::default()) else {
            continue;
        };
        let bytes = std::fs::read(path).expect("read");
        let odf = path.extension().is_none_or(|e| e != "docx");
        let mut cache: std::collections::HashMap<String, Vec<String>> = Default::default();
        for b in &doc.blocks {
            if b.pieces.is_empty() {
                continue;
            }
            let runs = cache.entry(b.anchor.part.clone()).or_insert_with(|| {
                let xml = if b.anchor.part.is_empty() {
                    String::from_utf8_lossy(&bytes).into_owned()
                } else {
                    let mut archive =
                        zip::ZipArchive::new(std::io::Cursor::new(bytes.as_slice())).unwrap();
                    let mut entry = archive.by_name(&b.anchor.part).unwrap();
                    let mut raw = Vec::new();
                    std::io::Read::read_to_end(&mut entry, &mut raw).unwrap();
                    let raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&raw).to_vec();
                    String::from_utf8_lossy(&raw).into_owned()
                };
                source_runs(&xml, odf)
            });
            for piece in &b.pieces {
                let want = &b.text[piece.range.clone()];
                let got = runs
                    .get(piece.run)
                    .and_then(|r| r.get(piece.offset..piece.offset + want.len()));
                assert_eq!(
                    got,
                    Some(want),
                    "{}: {} piece {piece:?} of {:?}",
                    path.display(),
                    b.anchor.part,
                    b.text
                );
                checked += 1;
            }
        }
        files += 1;
    }
    println!("{checked} pieces checked in {files} files");
    assert!(checked > 1000, "only {checked} pieces checked");
}
