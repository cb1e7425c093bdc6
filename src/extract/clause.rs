//! Clause numbers as a reader cites them, recognised at the start of a line of text:
//! "7.3", "7.3.1", "12)", "(a)", "a)", "iv.", "Article 12", "Art. 12", "§ 4", "Artikel 4",
//! "Artikel 4a", "Clause 5". Used by the PDF and plain-text readers, where numbers are part of the
//! text; DOCX and ODT numbers are rebuilt from the numbering definitions instead.
//!
//! Also assigns heading paths, which every reader needs once blocks are in reading order.

use std::sync::LazyLock;

use regex::Regex;

use crate::document::{Block, BlockKind};

/// Digits are ASCII `[0-9]`: with `\d` (every Unicode digit) the regex took four times as long to
/// build, 1.2 ms of the first document a run reads, and the numbers are parsed as ASCII anyway.
static CLAUSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)^(?:
            (?P<word>(?i:article|art\.|artikel|art|clause|section|chapitre|kapitel|hoofdstuk|paragraph|paragraaf|§§?)\s*[0-9]+[a-z]?(?:\.[0-9]+)*\.?)
          | (?P<num>[0-9]{1,3}(?:\.[0-9]{1,3}){0,5}\.?)(?:\s|$)
          | (?P<paren>\((?:[a-z]|[ivxlc]{1,6}|[0-9]{1,3})\))
          | (?P<close>(?:[a-z]|[ivxlc]{1,6}|[0-9]{1,3})\))
        )",
    )
    .expect("clause regex compiles")
});

/// The clause number at the start of `text` and the byte offset where the clause's own text
/// begins (after the number and following separators), or `None`.
///
/// A bare number must be followed by whitespace or end the text ("7.3 Scope"), so amounts such as
/// "12,5" or years inside sentences are not clause numbers. A trailing dot is dropped ("7." ->
/// "7").
pub fn leading_clause_number(text: &str) -> Option<(String, usize)> {
    let caps = CLAUSE.captures(text)?;
    let (m, is_num) = if let Some(m) = caps.name("word") {
        (m, false)
    } else if let Some(m) = caps.name("num") {
        (m, true)
    } else if let Some(m) = caps.name("paren") {
        (m, false)
    } else {
        (caps.name("close")?, false)
    };
    let raw = m.as_str();
    if is_num {
        // "2026 budget" is not clause 2026: top-level bare numbers stay small.
        let first: u32 = raw.split('.').next()?.parse().ok()?;
        if first > 199 && !raw.contains('.') {
            return None;
        }
    }
    let number = raw.trim_end_matches('.').trim().to_string();
    let number = normalise_spaces(&number);
    let rest = &text[m.end()..];
    let skip = rest.len()
        - rest
            .trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, '-' | '–' | '—' | ':' | '.')
            })
            .len();
    Some((number, m.end() + skip))
}

fn normalise_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Fills `heading_path` of every block from the headings before it: a heading of level `n`
/// replaces the path from depth `n` on; body blocks inherit the path of the last heading.
pub fn assign_heading_paths(blocks: &mut [Block]) {
    let mut stack: Vec<(u8, String)> = Vec::new();
    for b in blocks.iter_mut() {
        if b.kind.is_furniture() {
            continue;
        }
        if let BlockKind::Heading { level } = b.kind {
            while stack.last().is_some_and(|(l, _)| *l >= level) {
                stack.pop();
            }
            let shown = match &b.clause {
                Some(c) if !b.text.starts_with(c.as_str()) => format!("{c} {}", b.text),
                _ => b.text.clone(),
            };
            let shown: String = shown.chars().take(80).collect();
            b.heading_path = stack.iter().map(|(_, s)| s.clone()).collect();
            stack.push((level, shown));
            continue;
        }
        b.heading_path = stack.iter().map(|(_, s)| s.clone()).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_clause_numbers() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            (
                "7.3 Intellectual property",
                Some(("7.3", "Intellectual property")),
            ),
            ("7.3.1 The Contractor", Some(("7.3.1", "The Contractor"))),
            ("7. Scope", Some(("7", "Scope"))),
            ("12) Termination", Some(("12)", "Termination"))),
            ("(a) the source code", Some(("(a)", "the source code"))),
            ("b) die Dokumentation", Some(("b)", "die Dokumentation"))),
            ("(iv) any update", Some(("(iv)", "any update"))),
            ("Article 12 - Propriété", Some(("Article 12", "Propriété"))),
            ("Art. 12 Rights", Some(("Art. 12", "Rights"))),
            ("§ 4 Nutzungsrechte", Some(("§ 4", "Nutzungsrechte"))),
            ("§4 Nutzungsrechte", Some(("§4", "Nutzungsrechte"))),
            ("Artikel 4a: Eigendom", Some(("Artikel 4a", "Eigendom"))),
            ("Clause 5.2 Exit", Some(("Clause 5.2", "Exit"))),
            ("2026 budget is fixed", None),
            ("12,5 % of the price", None),
            ("The Contractor shall", None),
            ("7.3", Some(("7.3", ""))),
        ];
        for (input, want) in cases {
            let got = leading_clause_number(input).map(|(n, at)| (n, input[at..].to_string()));
            let want = want.map(|(n, r)| (n.to_string(), r.to_string()));
            assert_eq!(got, want, "{input}");
        }
    }

    #[test]
    fn heading_paths_follow_levels() {
        let mut blocks = vec![
            Block::new(BlockKind::Heading { level: 1 }, "7 Intellectual property"),
            Block::new(BlockKind::Heading { level: 2 }, "7.3 Licence"),
            Block::new(BlockKind::Paragraph, "text"),
            Block::new(BlockKind::Heading { level: 1 }, "8 Exit"),
            Block::new(BlockKind::Paragraph, "more"),
        ];
        assign_heading_paths(&mut blocks);
        assert_eq!(
            blocks[2].heading_path,
            vec!["7 Intellectual property", "7.3 Licence"]
        );
        assert_eq!(blocks[4].heading(), Some("8 Exit".to_string()));
    }
}
