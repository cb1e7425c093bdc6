//! Plain text and Markdown reader.
//!
//! Blocks are paragraphs separated by blank lines; a line that starts with a clause number
//! ("7.3", "(a)", "Article 12") starts a new block even without a blank line. Markdown headings,
//! list items and pipe tables become headings, list items and table cells; in plain text a short
//! numbered line without a final full stop is taken as a heading whose level is the depth of its
//! number. Each block keeps one piece per source line, with `offset` the byte offset of that line
//! in the file, so findings map back to file positions.

use std::path::Path;

use crate::document::{Anchor, Block, BlockKind, Document, Format, Piece};
use crate::error::ErrorKind;
use crate::extract::clause::{assign_heading_paths, leading_clause_number};

pub fn read(path: &Path, bytes: &[u8], format: Format) -> Result<Document, ErrorKind> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let markdown = format == Format::Markdown;
    let mut doc = Document::new(path, format);
    let mut builder = Builder::default();
    let mut offset = 0usize;
    let mut table = 0u32;
    let mut table_row: Option<u32> = None;
    let mut in_fence = false;
    for (line_no, raw_line) in text.split_inclusive('\n').enumerate() {
        let line_start = offset;
        offset += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim();
        let indent = line.len() - line.trim_start().len();
        let start = line_start + indent;
        if markdown && trimmed.starts_with("```") {
            in_fence = !in_fence;
            builder.flush(&mut doc);
            continue;
        }
        if trimmed.is_empty() {
            builder.flush(&mut doc);
            if table_row.is_some() {
                table_row = None;
                table += 1;
            }
            continue;
        }
        if markdown && !in_fence {
            if let Some((level, rest)) = md_heading(trimmed) {
                builder.flush(&mut doc);
                let rest_at = start + (trimmed.len() - rest.len());
                builder.start(BlockKind::Heading { level }, line_no);
                builder.push(rest, rest_at);
                builder.flush(&mut doc);
                continue;
            }
            if trimmed.starts_with('|') {
                builder.flush(&mut doc);
                if is_table_rule(trimmed) {
                    continue;
                }
                let row = table_row.map_or(0, |r| r + 1);
                table_row = Some(row);
                let inner = trimmed.strip_prefix('|').unwrap_or(trimmed);
                let mut cell_start = start + 1;
                for (col, cell) in inner.split('|').enumerate() {
                    let cell_end = cell_start + cell.len();
                    let content = cell.trim();
                    if cell_end > start + trimmed.len() - 1 && content.is_empty() {
                        break;
                    }
                    let lead = cell.len() - cell.trim_start().len();
                    let col = col as u32;
                    builder.start(BlockKind::TableCell { table, row, col }, line_no);
                    builder.push(content, cell_start + lead);
                    builder.flush(&mut doc);
                    cell_start = cell_end + 1;
                }
                continue;
            }
            if let Some((level, rest)) = md_list_item(line) {
                builder.flush(&mut doc);
                let rest_at = line_start + (line.len() - rest.len());
                builder.start(BlockKind::ListItem { level }, line_no);
                builder.push(rest, rest_at);
                continue;
            }
        }
        if table_row.is_some() {
            table_row = None;
            table += 1;
        }
        if leading_clause_number(trimmed).is_some() && !builder.is_empty() {
            builder.flush(&mut doc);
        }
        if builder.is_empty() {
            builder.start(BlockKind::Paragraph, line_no);
        }
        builder.push(trimmed, start);
    }
    builder.flush(&mut doc);
    finish_clauses(&mut doc.blocks, !markdown);
    assign_heading_paths(&mut doc.blocks);
    Ok(doc)
}

/// Sets clause numbers from the leading text; in plain text, promotes short numbered lines to
/// headings.
fn finish_clauses(blocks: &mut [Block], promote_headings: bool) {
    for b in blocks.iter_mut() {
        let Some((number, at)) = leading_clause_number(&b.text) else {
            continue;
        };
        let rest = &b.text[at..];
        if promote_headings
            && matches!(b.kind, BlockKind::Paragraph)
            && !rest.is_empty()
            && rest.chars().count() <= 80
            && !rest.ends_with(['.', ';', ':', ','])
            && rest.chars().next().is_some_and(|c| c.is_uppercase())
            && number
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c.is_uppercase() || c == '§')
        {
            let depth = number.matches('.').count() as u8 + 1;
            b.kind = BlockKind::Heading {
                level: depth.min(9),
            };
        }
        b.clause = Some(number);
    }
}

fn md_heading(line: &str) -> Option<(u8, &str)> {
    let hashes = line.len() - line.trim_start_matches('#').len();
    if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
        Some((hashes as u8, line[hashes..].trim()))
    } else {
        None
    }
}

fn md_list_item(line: &str) -> Option<(u8, &str)> {
    let indent = line.len() - line.trim_start().len();
    let t = line.trim_start();
    let rest = if let Some(r) = t
        .strip_prefix("- ")
        .or_else(|| t.strip_prefix("* "))
        .or_else(|| t.strip_prefix("+ "))
    {
        r
    } else {
        let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 || digits > 3 {
            return None;
        }
        t[digits..]
            .strip_prefix(". ")
            .or_else(|| t[digits..].strip_prefix(") "))?
    };
    Some(((indent / 2) as u8 + 1, rest.trim_start()))
}

fn is_table_rule(line: &str) -> bool {
    line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// Accumulates the lines of one block, joined by single spaces, with one piece per line.
#[derive(Default)]
struct Builder {
    kind: Option<BlockKind>,
    line: usize,
    text: String,
    pieces: Vec<Piece>,
}

impl Builder {
    fn is_empty(&self) -> bool {
        self.kind.is_none()
    }

    fn start(&mut self, kind: BlockKind, line: usize) {
        self.kind = Some(kind);
        self.line = line;
    }

    fn push(&mut self, text: &str, offset: usize) {
        if !self.text.is_empty() {
            self.text.push(' ');
        }
        let start = self.text.len();
        self.text.push_str(text);
        self.pieces.push(Piece {
            range: start..self.text.len(),
            run: 0,
            offset,
        });
    }

    fn flush(&mut self, doc: &mut Document) {
        let Some(kind) = self.kind.take() else {
            return;
        };
        let mut b = Block::new(kind, std::mem::take(&mut self.text));
        b.anchor = Anchor {
            part: String::new(),
            index: self.line,
        };
        b.pieces = std::mem::take(&mut self.pieces);
        if !b.text.is_empty() {
            doc.blocks.push(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(doc: &Document) -> Vec<(String, Option<String>, String)> {
        doc.blocks
            .iter()
            .map(|b| (b.kind.name().to_string(), b.clause.clone(), b.text.clone()))
            .collect()
    }

    #[test]
    fn plain_text_clauses_and_headings() {
        let src = "7 Intellectual property\n\n7.1 The Contractor shall\nassign all rights.\n7.2 Licence terms\n(a) the source code;\n(b) the documentation.\n";
        let doc = read(Path::new("t.txt"), src.as_bytes(), Format::Text).unwrap();
        let got = kinds(&doc);
        assert_eq!(got[0].0, "heading");
        assert_eq!(
            got[1],
            (
                "paragraph".into(),
                Some("7.1".into()),
                "7.1 The Contractor shall assign all rights.".into()
            )
        );
        assert_eq!(got[2].0, "heading");
        assert_eq!(got[3].1.as_deref(), Some("(a)"));
        assert_eq!(
            doc.blocks[3].heading_path,
            vec!["7 Intellectual property", "7.2 Licence terms"]
        );
    }

    #[test]
    fn pieces_point_back_at_the_source_lines() {
        let src = "First line\nsecond line\n";
        let doc = read(Path::new("t.txt"), src.as_bytes(), Format::Text).unwrap();
        let b = &doc.blocks[0];
        for p in &b.pieces {
            let piece = &b.text[p.range.clone()];
            assert_eq!(&src[p.offset..p.offset + piece.len()], piece);
        }
    }

    #[test]
    fn markdown_structures() {
        let src = "# 1 General\n\n## 1.1 Scope\n\nBody text.\n\n- item one\n- item two\n\n| Product | Licence |\n|---|---|\n| Oracle | proprietary |\n";
        let doc = read(Path::new("t.md"), src.as_bytes(), Format::Markdown).unwrap();
        let got = kinds(&doc);
        assert_eq!(got[0].0, "heading");
        assert_eq!(got[1].1.as_deref(), Some("1.1"));
        assert_eq!(got[3], ("list-item".into(), None, "item one".into()));
        let cells: Vec<_> = doc
            .blocks
            .iter()
            .filter_map(|b| match b.kind {
                BlockKind::TableCell { row, col, .. } => Some((row, col, b.text.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(
            cells,
            vec![
                (0, 0, "Product"),
                (0, 1, "Licence"),
                (1, 0, "Oracle"),
                (1, 1, "proprietary")
            ]
        );
    }
}
