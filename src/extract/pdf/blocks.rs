//! From page lines to document blocks: page furniture (headers, footers, page numbers), then
//! paragraphs, list items and headings in reading order, with line-end hyphenation undone.
//!
//! Furniture is what repeats at the same height on several pages once digits are masked
//! ("Page 3 of 12" and "Page 4 of 12" are the same line), or a lone page number in the outermost
//! rows; only rows at the page's top or bottom edge, taken from the edge inward, qualify.
//!
//! Hyphenation: a line ending in "word-" followed by a lowercase word is joined without the
//! hyphen ("inter-" + "national"), unless the hyphenated compound is attested on a single line
//! elsewhere in the document ("open-source"). Before an uppercase letter or a digit the hyphen
//! stays ("Open-Source-" + "Lizenz" -> "Open-Source-Lizenz"): German compounds with nouns keep it,
//! and nobody breaks a word before a capital.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use super::layout::{Line, Row};
use crate::document::{Anchor, Block, BlockKind};
use crate::extract::clause::leading_clause_number;

/// Where a block's lines are on its page, for annotations: each line as a byte range of the
/// block's text (approximate where normalisation changed lengths) and a rectangle in PDF user
/// space `[x0, y0, x1, y1]`. Furniture and notes have no lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Geometry {
    pub page: u32,
    pub lines: Vec<(std::ops::Range<usize>, [f32; 4])>,
}

fn line_rect(l: &Line) -> [f32; 4] {
    [l.x0, l.y - 0.25 * l.size, l.x1, l.y + 0.85 * l.size]
}

/// One page after layout, before furniture is taken out.
#[derive(Debug)]
pub struct PageRows {
    pub number: u32,
    /// Media box: x0, y0, x1, y1.
    pub media: [f32; 4],
    pub rows: Vec<Row>,
}

static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^
        (?:(?:page|seite|pagina|página|pag\.|p\.|s\.|side|sida|strana|str\.|blz\.?|bladzijde|blad)\s*)?
        [-–—]?\s*(?:\d{1,5}|[ivxlcdm]{1,7})\s*[-–—]?\s*
        (?:(?:of|von|de|van|sur|/|af|av|z|ze|aus)\s*\d{1,5})?$",
    )
    .expect("page number regex compiles")
});

pub fn is_page_number(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && t.len() <= 40 && PAGE_NUMBER.is_match(t)
}

fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else if !c.is_whitespace() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

const EDGE_ROWS: usize = 3;

/// For each page and row, `Some(Header|Footer)` when the row is page furniture.
pub fn furniture(pages: &[PageRows]) -> Vec<Vec<Option<BlockKind>>> {
    let in_top = |p: &PageRows, r: &Row| {
        let h = p.media[3] - p.media[1];
        r.y >= p.media[3] - 0.2 * h
    };
    let in_bottom = |p: &PageRows, r: &Row| {
        let h = p.media[3] - p.media[1];
        r.y <= p.media[1] + 0.2 * h
    };
    // Candidate rows: the outermost rows at either edge.
    let mut seen: HashMap<String, Vec<(usize, f32, String)>> = HashMap::new();
    for (pi, p) in pages.iter().enumerate() {
        let n = p.rows.len();
        let top = p.rows.iter().take(EDGE_ROWS).filter(|r| in_top(p, r));
        let bottom = p
            .rows
            .iter()
            .skip(n.saturating_sub(EDGE_ROWS))
            .filter(|r| in_bottom(p, r));
        for r in top.chain(bottom) {
            let t = r.text();
            seen.entry(mask(&t)).or_default().push((pi, r.y, t));
        }
    }
    // The same text at the same height on a few pages is furniture (a chapter's running
    // header); text equal only once digits are masked ("Page 3 of 12") must recur on half the
    // pages, or numbered headings that happen to open pages would qualify.
    let exact_threshold = if pages.len() <= 8 { 2 } else { 3 };
    let masked_threshold = exact_threshold.max(pages.len().div_ceil(2));
    let repeated = |text: &str, y: f32| -> bool {
        seen.get(&mask(text)).is_some_and(|v| {
            let near = v.iter().filter(|(_, oy, _)| (oy - y).abs() <= 4.0);
            let mut masked: Vec<usize> = near.clone().map(|(p, _, _)| *p).collect();
            masked.dedup();
            let mut exact: Vec<usize> = near
                .filter(|(_, _, t)| t == text)
                .map(|(p, _, _)| *p)
                .collect();
            exact.dedup();
            exact.len() >= exact_threshold || masked.len() >= masked_threshold
        })
    };
    let mut marks: Vec<Vec<Option<BlockKind>>> = pages
        .iter()
        .map(|p| {
            let n = p.rows.len();
            let mut marks = vec![None; n];
            for (i, r) in p.rows.iter().enumerate().take(EDGE_ROWS) {
                if !in_top(p, r) {
                    break;
                }
                let t = r.text();
                if repeated(&t, r.y) || (i == 0 && is_page_number(&t)) {
                    marks[i] = Some(BlockKind::Header);
                } else {
                    break;
                }
            }
            for k in 0..EDGE_ROWS.min(n) {
                let i = n - 1 - k;
                let r = &p.rows[i];
                if marks[i].is_some() || !in_bottom(p, r) {
                    break;
                }
                let t = r.text();
                if repeated(&t, r.y) || (k == 0 && is_page_number(&t)) {
                    marks[i] = Some(BlockKind::Footer);
                } else {
                    break;
                }
            }
            marks
        })
        .collect();
    // Furniture frames body text: a document that would be all furniture (slides, labels, one
    // line per page) keeps its repeated rows as body. A single near-empty page keeps its marks.
    let all_furniture = marks.iter().flatten().all(Option::is_some);
    if all_furniture {
        for (p, page_marks) in pages.iter().zip(marks.iter_mut()) {
            for (m, r) in page_marks.iter_mut().zip(&p.rows) {
                if !is_page_number(&r.text()) {
                    *m = None;
                }
            }
        }
    }
    marks
}

/// Hyphenated words seen inside lines, lowercased: evidence that a compound keeps its hyphen.
pub fn attested_compounds<'a>(texts: impl Iterator<Item = &'a str>) -> HashSet<String> {
    let mut set = HashSet::new();
    for t in texts {
        for w in t.split_whitespace() {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            if w.contains('-') && w.chars().next().is_some_and(char::is_alphabetic) {
                set.insert(w.to_lowercase());
            }
        }
    }
    set
}

/// Joins `next` to a block's text, undoing line-end hyphenation.
pub fn join_line(text: &mut String, next: &str, attested: &HashSet<String>) {
    let next = next.trim();
    if text.is_empty() {
        text.push_str(next);
        return;
    }
    if let Some(stem) = text.strip_suffix('\u{AD}') {
        let l = stem.len();
        text.truncate(l);
        text.push_str(next);
        return;
    }
    let hyphen = ['-', '\u{2010}']
        .iter()
        .find(|h| text.ends_with(**h))
        .copied();
    if let Some(h) = hyphen {
        let stem = &text[..text.len() - h.len_utf8()];
        let before = stem.chars().next_back();
        let first = next.chars().next();
        if before.is_some_and(char::is_alphabetic) && first.is_some() {
            let first = first.unwrap_or(' ');
            if first.is_lowercase() {
                let w1 = stem
                    .rsplit(char::is_whitespace)
                    .next()
                    .unwrap_or("")
                    .trim_start_matches(|c: char| !c.is_alphanumeric());
                let w2: String = next
                    .split(char::is_whitespace)
                    .next()
                    .unwrap_or("")
                    .trim_end_matches(|c: char| !c.is_alphanumeric())
                    .to_string();
                let compound = format!("{w1}-{w2}").to_lowercase();
                if !attested.contains(&compound) {
                    let l = stem.len();
                    text.truncate(l);
                }
            }
            // Before an uppercase letter or a digit the hyphen stays, without a space.
            text.push_str(next);
            return;
        }
    }
    text.push(' ');
    text.push_str(next);
}

/// The bullet at the start of a line, as (bullet length in bytes).
fn bullet_len(text: &str) -> Option<usize> {
    let mut chars = text.char_indices();
    let (_, c) = chars.next()?;
    let is_bullet = matches!(
        c,
        '•' | '◦'
            | '▪'
            | '▫'
            | '■'
            | '□'
            | '●'
            | '○'
            | '◆'
            | '◇'
            | '➢'
            | '➤'
            | '►'
            | '▶'
            | '✓'
            | '✔'
            | '❖'
            | '·'
            | '∙'
            | '⁃'
            | '‣'
    ) || ('\u{E000}'..='\u{F8FF}').contains(&c);
    let dash = matches!(c, '-' | '–' | '—' | '*');
    let after = chars.next();
    if is_bullet {
        return Some(c.len_utf8());
    }
    if dash && after.is_some_and(|(_, a)| a == ' ') {
        return Some(c.len_utf8());
    }
    None
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end().ends_with(['.', ':', ';', '!', '?', '。'])
}

struct Cur {
    kind: BlockKind,
    text: String,
    page: u32,
    size: f32,
    bold: bool,
    lines: usize,
    /// The block started with a number or bullet, so continuation lines may hang indented.
    hanging: bool,
    first_x0: f32,
    last: Line,
    region_right: f32,
    /// Byte offset in `text` where each line starts, with its rectangle.
    geo: Vec<(usize, [f32; 4])>,
}

pub struct Builder<'a> {
    attested: &'a HashSet<String>,
    cur: Option<Cur>,
    pub blocks: Vec<Block>,
    /// (size, bold, lines) of each block, parallel to `blocks`.
    styles: Vec<(f32, bool, usize)>,
    /// Parallel to `blocks`.
    pub geometry: Vec<Geometry>,
    /// Furniture and notes met while a block was open: they follow it, so blocks stay in page
    /// order even when a paragraph runs on over a page break.
    pending: Vec<Block>,
}

impl<'a> Builder<'a> {
    pub fn new(attested: &'a HashSet<String>) -> Self {
        Builder {
            attested,
            cur: None,
            blocks: Vec::new(),
            styles: Vec::new(),
            geometry: Vec::new(),
            pending: Vec::new(),
        }
    }

    pub fn furniture(&mut self, kind: BlockKind, text: &str, page: u32) {
        let text = clean(text);
        if text.is_empty() {
            return;
        }
        let mut b = Block::new(kind, text);
        b.page = Some(page);
        b.anchor = Anchor {
            part: String::new(),
            index: page as usize,
        };
        if self.cur.is_some() {
            self.pending.push(b);
        } else {
            self.geometry.push(Geometry {
                page,
                lines: Vec::new(),
            });
            self.blocks.push(b);
            self.styles.push((0.0, false, 0));
        }
    }

    fn push_pending(&mut self) {
        for b in self.pending.drain(..) {
            self.geometry.push(Geometry {
                page: b.page.unwrap_or(0),
                lines: Vec::new(),
            });
            self.blocks.push(b);
            self.styles.push((0.0, false, 0));
        }
    }

    /// Adds one reading-order region of a page.
    pub fn region(&mut self, lines: &[Line], page: u32) {
        if lines.is_empty() {
            return;
        }
        let left = lines.iter().map(|l| l.x0).fold(f32::MAX, f32::min);
        let right = lines.iter().map(|l| l.x1).fold(f32::MIN, f32::max);
        let width = (right - left).max(1.0);
        let mut pitches: Vec<f32> = lines
            .windows(2)
            .filter_map(|w| {
                let dy = w[0].y - w[1].y;
                (dy > 0.5 * w[1].size && dy < 2.5 * w[1].size).then_some(dy / w[1].size.max(0.1))
            })
            .collect();
        pitches.sort_by(f32::total_cmp);
        let pitch = pitches.get(pitches.len() / 2).copied().unwrap_or(1.2);
        for (k, line) in lines.iter().enumerate() {
            let text = line.text.trim();
            if text.is_empty() {
                continue;
            }
            let item = self.item_start(text, k > 0);
            let is_item = item.is_some();
            let new_block = match &self.cur {
                None => true,
                Some(cur) => {
                    let prev = &cur.last;
                    if k == 0 {
                        // Crossing a column or a page: continue only a sentence cut mid-way.
                        item.is_some()
                            || ends_sentence(&cur.text)
                            || !text.chars().next().is_some_and(char::is_lowercase)
                            || (line.size - cur.size).abs() > 0.15 * cur.size
                    } else {
                        let size = line.size.max(0.1);
                        let dy = prev.y - line.y;
                        let short_prev = prev.x1 < right - 0.25 * width;
                        item.is_some()
                            || dy < -0.5 * size
                            || dy > (pitch * 1.3 + 0.25) * size
                            || (line.size - prev.size).abs() > 0.15 * prev.size.max(line.size)
                            || (line.bold != prev.bold && (short_prev || cur.lines == 1))
                            || (short_prev && ends_sentence(&prev.text))
                            || (!cur.hanging
                                && line.x0 > cur.first_x0 + 1.0 * size
                                && line.x0 > prev.x0 + 1.0 * size
                                && cur.lines >= 1
                                && prev.x0 <= left + 0.5 * size)
                    }
                }
            };
            if new_block {
                self.flush();
                let (kind, body) = match item {
                    Some((kind, skip)) => {
                        let level = (((line.x0 - left) / (3.0 * line.size.max(1.0))).max(0.0)
                            as u8)
                            .saturating_add(1);
                        let kind = match kind {
                            BlockKind::ListItem { .. } => BlockKind::ListItem {
                                level: level.min(4),
                            },
                            k => k,
                        };
                        (kind, text[skip..].trim_start())
                    }
                    None => (BlockKind::Paragraph, text),
                };
                self.cur = Some(Cur {
                    hanging: is_item || leading_clause_number(text).is_some(),
                    kind,
                    text: body.to_string(),
                    page,
                    size: line.size,
                    bold: line.bold,
                    lines: 1,
                    first_x0: line.x0,
                    last: line.clone(),
                    region_right: right,
                    geo: vec![(0, line_rect(line))],
                });
            } else if let Some(cur) = self.cur.as_mut() {
                let before = cur.text.len();
                join_line(&mut cur.text, text, self.attested);
                let start = (before + 1).min(cur.text.len());
                cur.geo.push((start, line_rect(line)));
                cur.lines += 1;
                cur.last = line.clone();
                cur.region_right = right;
            }
        }
    }

    /// `Some((kind, bytes to strip))` when the line starts a list item or numbered clause.
    fn item_start(&self, text: &str, mid_region: bool) -> Option<(BlockKind, usize)> {
        if let Some(len) = bullet_len(text) {
            return Some((BlockKind::ListItem { level: 1 }, len));
        }
        let (num, at) = leading_clause_number(text)?;
        let rest = &text[at..];
        let prev_ends = self.cur.as_ref().is_none_or(|c| {
            ends_sentence(&c.text)
                || c.last.x1 < c.region_right - 0.25 * (c.region_right - c.first_x0).max(1.0)
        });
        let strong = num.contains('.')
            || num
                .chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() && c.is_uppercase())
            || num.starts_with('§');
        let rest_upper = rest
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c == '(');
        if mid_region && !prev_ends && !(strong && rest_upper) {
            return None;
        }
        if !strong && !prev_ends && !rest_upper {
            return None;
        }
        let paren = num.starts_with('(') || num.ends_with(')');
        if paren {
            Some((BlockKind::ListItem { level: 1 }, 0))
        } else {
            Some((BlockKind::Paragraph, 0))
        }
    }

    pub fn flush(&mut self) {
        let Some(cur) = self.cur.take() else { return };
        let text = clean(&cur.text);
        if text.is_empty() {
            self.push_pending();
            return;
        }
        let mut b = Block::new(cur.kind, text);
        b.page = Some(cur.page);
        b.anchor = Anchor {
            part: String::new(),
            index: cur.page as usize,
        };
        let scale = b.text.len() as f32 / cur.text.len().max(1) as f32;
        let n = b.text.len();
        let starts: Vec<usize> = cur
            .geo
            .iter()
            .map(|(s, _)| ((*s as f32 * scale) as usize).min(n))
            .collect();
        let lines = cur
            .geo
            .iter()
            .enumerate()
            .map(|(i, (_, r))| {
                let end = starts.get(i + 1).copied().unwrap_or(n);
                (starts[i]..end.max(starts[i]), *r)
            })
            .collect();
        self.geometry.push(Geometry {
            page: cur.page,
            lines,
        });
        self.blocks.push(b);
        self.styles.push((cur.size, cur.bold, cur.lines));
        self.push_pending();
    }

    /// Sets clause numbers and promotes headings; returns the blocks.
    pub fn finish(mut self) -> (Vec<Block>, Vec<Geometry>) {
        self.flush();
        // The body font size: the size carrying the most text.
        let mut by_size: HashMap<i32, usize> = HashMap::new();
        for (b, (size, _, _)) in self.blocks.iter().zip(&self.styles) {
            if !b.kind.is_furniture() {
                *by_size.entry((size * 2.0).round() as i32).or_default() += b.text.len();
            }
        }
        let body = by_size
            .iter()
            .max_by_key(|(s, n)| (**n, -**s))
            .map_or(10.0, |(s, _)| *s as f32 / 2.0);
        for (b, (size, bold, lines)) in self.blocks.iter_mut().zip(&self.styles) {
            if b.kind.is_furniture() || b.kind == BlockKind::Footnote {
                continue;
            }
            // "99.5 %" in a table is a figure, not clause 99.5.
            let clause = leading_clause_number(&b.text)
                .filter(|(_, at)| !b.text[*at..].starts_with(['%', '‰']));
            if let Some((num, _)) = &clause {
                b.clause = Some(num.clone());
            }
            if b.kind != BlockKind::Paragraph {
                continue;
            }
            let short = b.text.chars().count() <= 120
                && *lines <= 2
                && !b.text.ends_with(['.', ';', ':', ',']);
            if !short {
                continue;
            }
            let bigger = *size >= 1.15 * body;
            if let Some((num, at)) = clause {
                let rest = &b.text[at..];
                let numbered_title = !rest.is_empty()
                    && rest.chars().count() <= 80
                    && rest.chars().next().is_some_and(|c| c.is_uppercase())
                    && num
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_digit() || c.is_uppercase() || c == '§');
                if numbered_title {
                    let depth = if num.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                        num.matches('.').count() as u8 + 1
                    } else {
                        1
                    };
                    b.kind = BlockKind::Heading {
                        level: depth.min(9),
                    };
                }
            } else if (bigger || (*bold && *lines == 1 && b.text.chars().count() <= 80))
                && b.text.chars().next().is_some_and(|c| !c.is_lowercase())
            {
                b.kind = BlockKind::Heading {
                    level: if *size >= 1.4 * body { 1 } else { 2 },
                };
            }
        }
        (self.blocks, self.geometry)
    }
}

/// Compatibility characters that carry meaning NFKC would lose: superscript and subscript
/// digits ("m²"), vulgar fractions, ordinal indicators and the micro sign.
fn keep_compat(c: char) -> bool {
    matches!(
        c,
        '\u{B2}' | '\u{B3}' | '\u{B9}' | '\u{AA}' | '\u{BA}' | '\u{B5}' | '\u{BC}'..='\u{BE}'
    ) || ('\u{2070}'..='\u{209F}').contains(&c)
        || ('\u{2150}'..='\u{215F}').contains(&c)
}

/// NFKC (ligatures, compatibility forms) except [`keep_compat`] characters, without soft hyphens
/// or control characters, with single spaces.
pub fn clean(text: &str) -> String {
    let normalised: String = if unicode_normalization::is_nfkc_quick(text.chars())
        == unicode_normalization::IsNormalized::Yes
    {
        text.to_string()
    } else {
        let mut out = String::with_capacity(text.len());
        let mut run = String::new();
        for c in text.chars() {
            if keep_compat(c) {
                out.extend(run.nfkc());
                run.clear();
                out.push(c);
            } else {
                run.push(c);
            }
        }
        out.extend(run.nfkc());
        out
    };
    let mut out = String::with_capacity(normalised.len());
    for c in normalised.chars() {
        if c == '\u{AD}' || c == '\u{200B}' || c == '\u{FEFF}' || (c.is_control() && c != '\t') {
            continue;
        }
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    let l = out.trim_end().len();
    out.truncate(l);
    out
}
