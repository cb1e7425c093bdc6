//! Extraction quality on the reader fixtures (`fixtures/tenders/`): for every fixture in every
//! rendering, how much of the source text a reader recovers, in order; whether the clause numbers
//! of headings, numbered paragraphs and numbered items come out as a reader cites them; and for
//! PDF, agreement with `pdftotext`, no hyphenation left at line ends and no page furniture inside
//! body blocks.
//!
//! The source words come from the `.tdoc` source itself (markup stripped, tracked deletions,
//! comments and footnotes left out), never from a rendering, so a reader cannot pass by agreeing
//! with another tool's mistakes. Thresholds are fixed; each test prints its measured figures.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tenderlint::document::{BlockKind, Document};
use tenderlint::extract::read_path;
use tenderlint::limits::Limits;
use unicode_normalization::UnicodeNormalization;

const MIN_RECALL: f64 = 0.99;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tenders")
}

/// A fixture's source, reduced to what a reader must find.
struct Source {
    name: String,
    /// Body words in reading order (footnotes excluded).
    words: Vec<String>,
    /// Each footnote's words.
    footnotes: Vec<Vec<String>>,
    /// Every body word, for telling a hyphenation split from a real compound.
    vocabulary: std::collections::HashSet<String>,
    clauses: Vec<String>,
    header: String,
    footer: String,
}

/// NFKC, lower case, split at every character that is not a letter or digit.
fn words(text: &str) -> Vec<String> {
    let folded: String = text.nfkc().collect::<String>().to_lowercase();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Removes inline markup: labels keep their text, insertions are accepted, deletions and comments
/// dropped, footnotes collected into `notes`.
fn strip_inline(line: &str, notes: &mut Vec<String>) -> String {
    let mut out = String::new();
    let mut rest = line;
    loop {
        let candidates = [
            ("[[", "]]"),
            ("[^", "]"),
            ("{+", "+}"),
            ("{-", "-}"),
            ("{!", "!}"),
        ];
        let next = candidates
            .iter()
            .filter_map(|(open, close)| rest.find(open).map(|at| (at, *open, *close)))
            .min_by_key(|(at, _, _)| *at);
        let Some((at, open, close)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..at]);
        let inner_start = at + open.len();
        let Some(len) = rest[inner_start..].find(close) else {
            out.push_str(&rest[at..]);
            return out;
        };
        let inner = &rest[inner_start..inner_start + len];
        match open {
            "[[" => {
                // [[F:category:text]]
                let text = inner.splitn(3, ':').nth(2).unwrap_or(inner);
                out.push_str(&strip_inline(text, notes));
            }
            "[^" => notes.push(inner.to_string()),
            "{+" => out.push_str(inner),
            _ => {}
        }
        rest = &rest[inner_start + len + close.len()..];
    }
}

/// The reader-visible text of each line of a `.tdoc` source (see fixtures/README.md).
fn source_text(tdoc: &str) -> (String, Vec<String>) {
    let mut body = String::new();
    let mut notes = Vec::new();
    for line in tdoc.lines() {
        let line = line.trim_end();
        if line.starts_with('%')
            || line.starts_with("//")
            || line.starts_with(":::")
            || line == "---page"
            || line.trim().is_empty()
        {
            continue;
        }
        let content = if let Some(row) = line.strip_prefix('|') {
            let row = row.strip_prefix('=').unwrap_or(row);
            row.split(" | ")
                .map(|cell| {
                    let cell = cell.trim();
                    match (cell.starts_with('<'), cell.find('>')) {
                        (true, Some(end)) if end <= 3 => cell[end + 1..].to_string(),
                        _ => cell.to_string(),
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            let markers = [
                "= ", "== ", "#! ", "### ", "## ", "# ", "*a ", "*1 ", "** ", "* ",
            ];
            match markers.iter().find(|m| line.starts_with(**m)) {
                Some(m) => line[m.len()..].to_string(),
                None => line.to_string(),
            }
        };
        body.push_str(&strip_inline(&content, &mut notes));
        body.push('\n');
    }
    (body, notes)
}

fn load_sources() -> Vec<Source> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures/tenders exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tdoc"))
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name")
            .to_string();
        let tdoc = std::fs::read_to_string(&path).expect("read source");
        let (body, notes) = source_text(&tdoc);
        let expected_path = path.with_extension("expected.json");
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&expected_path).expect("expected.json beside the source"),
        )
        .expect("expected.json parses");
        let clauses = expected["clauses"]
            .as_array()
            .expect("clauses array")
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let words = words(&body);
        let vocabulary = words.iter().cloned().collect();
        out.push(Source {
            name,
            footnotes: notes.iter().map(|n| self::words(n)).collect(),
            words,
            vocabulary,
            clauses,
            header: expected["header"].as_str().unwrap_or_default().to_string(),
            footer: expected["footer"].as_str().unwrap_or_default().to_string(),
        });
    }
    assert!(
        out.len() >= 8,
        "expected at least 8 fixtures, found {}",
        out.len()
    );
    out
}

/// Length of the longest common subsequence of two word sequences.
fn lcs(a: &[String], b: &[String]) -> usize {
    let mut prev = vec![0u32; b.len() + 1];
    let mut cur = vec![0u32; b.len() + 1];
    for x in a {
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                cur[j].max(prev[j + 1])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] as usize
}

fn ratio(found: usize, total: usize) -> f64 {
    if total == 0 {
        1.0
    } else {
        found as f64 / total as f64
    }
}

fn read(source: &Source, ext: &str) -> Result<Document, String> {
    let path = fixtures_dir().join(format!("{}.{ext}", source.name));
    read_path(&path, &Limits::default()).map_err(|e| e.to_string())
}

/// Word-order recall of the body and of the footnotes (footnotes may sit anywhere).
fn word_recall(source: &Source, doc: &Document) -> (f64, f64) {
    let got = words(&doc.plain_text());
    let body = ratio(lcs(&source.words, &got), source.words.len());
    let all_notes: usize = source.footnotes.iter().map(Vec::len).sum();
    let found: usize = source.footnotes.iter().map(|n| lcs(n, &got)).sum();
    (body, ratio(found, all_notes))
}

/// Clause numbers of headings, paragraphs and list items, in reading order.
fn clauses(doc: &Document) -> Vec<String> {
    doc.body()
        .filter(|(_, b)| {
            matches!(
                b.kind,
                BlockKind::Heading { .. } | BlockKind::Paragraph | BlockKind::ListItem { .. }
            )
        })
        .filter_map(|(_, b)| b.clause.clone())
        .collect()
}

fn clause_report(source: &Source, doc: &Document) -> (f64, String) {
    let got = clauses(doc);
    let matched = lcs(&source.clauses, &got);
    let score = if got == source.clauses {
        1.0
    } else {
        ratio(matched, source.clauses.len().max(got.len()))
    };
    let detail = if got == source.clauses {
        String::new()
    } else {
        format!("want {:?}\n      got  {:?}", source.clauses, got)
    };
    (score, detail)
}

/// Runs `check` on every fixture in `formats`, prints a table, and fails listing every fixture
/// below `min` (figures are in 0..=1).
fn run(
    title: &str,
    formats: &[&str],
    min: f64,
    check: impl Fn(&Source, &Document) -> Result<(f64, String), String>,
) {
    let sources = load_sources();
    let mut failures = Vec::new();
    println!("\n{title} (minimum {min:.3})");
    println!("{:<32} {:<5} {:>8}", "fixture", "fmt", "figure");
    for source in &sources {
        for ext in formats {
            let outcome = read(source, ext).and_then(|doc| check(source, &doc));
            match outcome {
                Ok((figure, detail)) => {
                    println!("{:<32} {:<5} {:>8.4}", source.name, ext, figure);
                    if figure < min {
                        failures.push(format!("{}.{ext}: {figure:.4} {detail}", source.name));
                    }
                }
                Err(e) => {
                    println!("{:<32} {:<5} {:>8}", source.name, ext, "error");
                    failures.push(format!("{}.{ext}: {e}", source.name));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{title}: {} below {min}:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

fn word_order(ext: &str) {
    run(
        &format!("{ext}: source words recovered in order (LCS / source words)"),
        &[ext],
        MIN_RECALL,
        |source, doc| {
            let (body, notes) = word_recall(source, doc);
            Ok((
                body.min(notes),
                format!("(body {body:.4}, footnotes {notes:.4})"),
            ))
        },
    );
}

#[test]
fn pdf_word_order() {
    word_order("pdf");
}

#[test]
fn docx_word_order() {
    word_order("docx");
}

#[test]
fn odt_word_order() {
    word_order("odt");
}

#[test]
fn fodt_word_order() {
    word_order("fodt");
}

fn clause_numbers(ext: &str) {
    run(
        &format!("{ext}: clause numbers (1.0 = identical list)"),
        &[ext],
        1.0,
        |source, doc| Ok(clause_report(source, doc)),
    );
}

#[test]
fn pdf_clause_numbers() {
    clause_numbers("pdf");
}

#[test]
fn docx_clause_numbers() {
    clause_numbers("docx");
}

#[test]
fn odt_clause_numbers() {
    clause_numbers("odt");
}

#[test]
fn fodt_clause_numbers() {
    clause_numbers("fodt");
}

fn pdftotext(path: &Path) -> Option<String> {
    let out = std::process::Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(path)
        .arg("-")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn counts(words: &[String]) -> HashMap<&str, usize> {
    let mut m = HashMap::new();
    for w in words {
        *m.entry(w.as_str()).or_insert(0) += 1;
    }
    m
}

/// Share of the words `pdftotext` finds (as a multiset) that the reader also finds, counting
/// page furniture on both sides.
#[test]
fn pdf_agrees_with_pdftotext() {
    if std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_err()
    {
        println!("SKIPPED: pdftotext not installed");
        return;
    }
    run(
        "pdf: words of pdftotext found by the reader (multiset recall)",
        &["pdf"],
        MIN_RECALL,
        |source, doc| {
            let path = fixtures_dir().join(format!("{}.pdf", source.name));
            let reference = words(&pdftotext(&path).ok_or("pdftotext failed")?);
            let all: String = doc
                .blocks
                .iter()
                .map(|b| format!("{} {}\n", b.clause.as_deref().unwrap_or(""), b.text))
                .collect();
            let our_words = words(&all);
            let mut ours = counts(&our_words);
            let mut found = 0;
            let mut missing = Vec::new();
            for w in &reference {
                match ours.get_mut(w.as_str()) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        found += 1;
                    }
                    _ => missing.push(w.clone()),
                }
            }
            missing.truncate(20);
            Ok((
                ratio(found, reference.len()),
                format!("missing e.g. {missing:?}"),
            ))
        },
    );
}

/// Tokens ending in "-" followed by a lower-case token that together form a source word:
/// line-end hyphenation the reader failed to undo.
fn hyphenation_splits(source: &Source, text: &str) -> Vec<String> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    tokens
        .windows(2)
        .filter_map(|pair| {
            let (a, b) = (pair[0], pair[1]);
            let stem = a.strip_suffix('-').or_else(|| a.strip_suffix('\u{ad}'))?;
            if stem.is_empty() || !b.chars().next().is_some_and(char::is_lowercase) {
                return None;
            }
            let joined = words(&format!("{stem}{b}"));
            let first = joined.first()?;
            let split_head = words(stem);
            // The joined word must be a source word the stem alone is not.
            (source.vocabulary.contains(first) && split_head.last() != Some(first))
                .then(|| format!("{a} {b}"))
        })
        .collect()
}

#[test]
fn pdf_no_hyphenation_splits() {
    run(
        "pdf: hyphenation splits left (1.0 = none)",
        &["pdf"],
        1.0,
        |source, doc| {
            let splits = hyphenation_splits(source, &doc.plain_text());
            let soft = doc.plain_text().matches('\u{ad}').count();
            let bad = splits.len() + soft;
            Ok((
                if bad == 0 {
                    1.0
                } else {
                    1.0 - ratio(bad, source.words.len())
                },
                format!("{} splits {:?}, {soft} soft hyphens", splits.len(), splits),
            ))
        },
    );
}

/// A regex-free matcher for the footer template "Page {page} of {pages}".
fn is_footer_line(template: &str, text: &str) -> bool {
    let pattern: Vec<String> = words(&template.replace("{page}", "0").replace("{pages}", "0"));
    let got = words(text);
    got.windows(pattern.len().max(1)).any(|w| {
        w.iter().zip(&pattern).all(|(g, p)| {
            if p == "0" {
                g.chars().all(|c| c.is_ascii_digit())
            } else {
                g == p
            }
        })
    })
}

#[test]
fn pdf_no_furniture_in_body() {
    run(
        "pdf: body blocks free of header/footer text (1.0 = none)",
        &["pdf"],
        1.0,
        |source, doc| {
            let header = words(&source.header).join(" ");
            let mut leaks = Vec::new();
            for (_, b) in doc.body() {
                let text = words(&b.text).join(" ");
                if (!header.is_empty() && text.contains(&header))
                    || is_footer_line(&source.footer, &b.text)
                {
                    leaks.push(b.text.chars().take(80).collect::<String>());
                }
            }
            let blocks = doc.body().count();
            Ok((
                1.0 - ratio(leaks.len(), blocks.max(1)),
                format!("{} leaking blocks: {leaks:?}", leaks.len()),
            ))
        },
    );
}

#[test]
fn source_reduction_follows_markup() {
    let tdoc = "%lang en\n= Title line\n# Scope [^A note.] of {+new+}{-old-} work{!comment!}\n\
                | <2>merged | cell\n*a [[F:vendor-lock-in:Word format]] only\n";
    let (body, notes) = source_text(tdoc);
    assert_eq!(
        words(&body),
        [
            "title", "line", "scope", "of", "new", "work", "merged", "cell", "word", "format",
            "only"
        ]
    );
    assert_eq!(notes, ["A note."]);
    assert_eq!(
        words("Eﬃcient ﬁle-sharing, l'autorité"),
        ["efficient", "file", "sharing", "l", "autorité"]
    );
}

#[test]
fn lcs_and_split_detection() {
    let w = |s: &str| words(s);
    assert_eq!(lcs(&w("a b c d"), &w("a x c d y")), 3);
    assert_eq!(lcs(&w("a b"), &w("")), 0);
    let source = Source {
        name: "t".into(),
        words: w("Dokumentenmanagementsystem machine readable"),
        footnotes: vec![],
        vocabulary: w("Dokumentenmanagementsystem machine readable")
            .into_iter()
            .collect(),
        clauses: vec![],
        header: String::new(),
        footer: String::new(),
    };
    assert_eq!(
        hyphenation_splits(
            &source,
            "ein Dokumenten- managementsystem und machine- readable"
        ),
        ["Dokumenten- managementsystem"]
    );
    assert!(is_footer_line("Page {page} of {pages}", "Page 3 of 12"));
    assert!(!is_footer_line(
        "Page {page} of {pages}",
        "Page three of the plan"
    ));
}

/// The fixtures themselves: the rendered PDFs carry the source's words in order, measured on
/// `pdftotext` output. The floor is lower than the readers' because `pdftotext` itself reorders
/// table rows and column text across page breaks; it guards against a source/rendering mismatch.
const FIXTURE_SANITY: f64 = 0.95;

#[test]
fn rendered_pdfs_carry_their_source() {
    if std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_err()
    {
        println!("SKIPPED: pdftotext not installed");
        return;
    }
    let mut failures = Vec::new();
    println!("\npdftotext on the rendered PDFs: source words in order");
    for source in load_sources() {
        let path = fixtures_dir().join(format!("{}.pdf", source.name));
        let text = pdftotext(&path).unwrap_or_default();
        let got = words(&text);
        let body = ratio(lcs(&source.words, &got), source.words.len());
        println!("{:<32} {:>8.4}", source.name, body);
        if body < FIXTURE_SANITY {
            failures.push(format!("{}: {body:.4}", source.name));
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}

/// Inline markup spans of one kind ("{-", "-}") in a source.
fn spans(tdoc: &str, open: &str, close: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = tdoc;
    while let Some(at) = rest.find(open) {
        let inner = &rest[at + open.len()..];
        let Some(end) = inner.find(close) else { break };
        out.push(inner[..end].to_string());
        rest = &inner[end + close.len()..];
    }
    out
}

/// DOCX and ODT keep tracked changes and comments: deletions are recorded and absent from the
/// text, insertions are recorded and present, comments are comment blocks (furniture).
#[test]
fn docx_and_odt_tracked_changes_and_comments() {
    use tenderlint::document::ChangeKind;
    let mut checked = 0;
    let mut failures = Vec::new();
    for source in load_sources() {
        let tdoc = std::fs::read_to_string(fixtures_dir().join(format!("{}.tdoc", source.name)))
            .expect("source");
        let deleted = spans(&tdoc, "{-", "-}");
        let inserted = spans(&tdoc, "{+", "+}");
        let comments = spans(&tdoc, "{!", "!}");
        if deleted.is_empty() && inserted.is_empty() && comments.is_empty() {
            continue;
        }
        for ext in ["docx", "odt"] {
            checked += 1;
            let doc = match read(&source, ext) {
                Ok(doc) => doc,
                Err(e) => {
                    failures.push(format!("{}.{ext}: {e}", source.name));
                    continue;
                }
            };
            let text = words(&doc.plain_text()).join(" ");
            let recorded = |kind: ChangeKind, t: &str| {
                doc.tracked_changes.iter().any(|c| {
                    c.kind == kind && words(&c.text).join(" ").contains(&words(t).join(" "))
                })
            };
            for d in &deleted {
                if text.contains(&words(d).join(" ")) {
                    failures.push(format!("{}.{ext}: deleted text in body: {d}", source.name));
                }
                if !recorded(ChangeKind::Deletion, d) {
                    failures.push(format!("{}.{ext}: deletion not recorded: {d}", source.name));
                }
            }
            for i in &inserted {
                if !text.contains(&words(i).join(" ")) {
                    failures.push(format!("{}.{ext}: inserted text missing: {i}", source.name));
                }
                if !recorded(ChangeKind::Insertion, i) {
                    failures.push(format!(
                        "{}.{ext}: insertion not recorded: {i}",
                        source.name
                    ));
                }
            }
            for c in &comments {
                let found = doc.blocks.iter().any(|b| {
                    b.kind == BlockKind::Comment
                        && words(&b.text).join(" ").contains(&words(c).join(" "))
                });
                if !found {
                    failures.push(format!(
                        "{}.{ext}: comment not a comment block: {c}",
                        source.name
                    ));
                }
                if text.contains(&words(c).join(" ")) {
                    failures.push(format!("{}.{ext}: comment text in body: {c}", source.name));
                }
            }
            println!(
                "{:<32} {ext:<5} {} deletions, {} insertions, {} comments checked",
                source.name,
                deleted.len(),
                inserted.len(),
                comments.len()
            );
        }
    }
    assert!(checked >= 4, "fixtures with tracked changes: {checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One table with every figure for every fixture and rendering (run with `--nocapture`); fails
/// only when a rendering cannot be read at all, the per-check tests hold the thresholds.
#[test]
fn quality_table() {
    let has_pdftotext = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    let mut unreadable = Vec::new();
    println!(
        "\n{:<30} {:<5} {:>7} {:>7} {:>7} {:>9} {:>6} {:>9}",
        "fixture", "fmt", "words", "notes", "clauses", "pdftotext", "splits", "furniture"
    );
    for source in load_sources() {
        for ext in ["pdf", "docx", "odt", "fodt"] {
            let doc = match read(&source, ext) {
                Ok(doc) => doc,
                Err(e) => {
                    println!("{:<30} {ext:<5} unreadable: {e}", source.name);
                    unreadable.push(format!("{}.{ext}: {e}", source.name));
                    continue;
                }
            };
            let (body, notes) = word_recall(&source, &doc);
            let (clauses, _) = clause_report(&source, &doc);
            let (reference, splits, furniture) = if ext == "pdf" {
                let reference = if has_pdftotext {
                    pdftotext(&fixtures_dir().join(format!("{}.pdf", source.name)))
                        .map(|t| {
                            let want = words(&t);
                            let all: String =
                                doc.blocks.iter().map(|b| format!("{}\n", b.text)).collect();
                            let got = words(&all);
                            format!("{:.4}", ratio(lcs(&want, &got), want.len()))
                        })
                        .unwrap_or_else(|| "-".into())
                } else {
                    "-".into()
                };
                let splits = hyphenation_splits(&source, &doc.plain_text()).len();
                let header = words(&source.header).join(" ");
                let leaks = doc
                    .body()
                    .filter(|(_, b)| {
                        (!header.is_empty() && words(&b.text).join(" ").contains(&header))
                            || is_footer_line(&source.footer, &b.text)
                    })
                    .count();
                (reference, splits.to_string(), leaks.to_string())
            } else {
                ("-".into(), "-".into(), "-".into())
            };
            println!(
                "{:<30} {ext:<5} {body:>7.4} {notes:>7.4} {clauses:>7.4} {reference:>9} {splits:>6} {furniture:>9}",
                source.name
            );
        }
    }
    println!(
        "words: LCS/source words; pdftotext: LCS of pdftotext words in the reader's blocks (order-sensitive, informative); splits/furniture: counts"
    );
    assert!(unreadable.is_empty(), "{unreadable:?}");
}
