//! Page layout from positioned glyphs: glyphs -> fragments (words and phrases on one baseline)
//! -> rows (fragments sharing a baseline across the page) -> reading-order lines.
//!
//! Spaces come from the glyphs themselves or from gaps wider than a fraction of the font size;
//! runs of spaces collapse, so justified text reads with single spaces. Columns are found band by
//! band: a wide gap in a row is a candidate gutter; following rows narrow it when their text
//! reaches into it from one side and end the band when text sits inside or across it. A band with
//! text on each side in at least three rows is read left column first, then right (recursively,
//! for three columns); a full-width title ends the band, so it stays first. Narrow "columns"
//! (list bullets, table labels) are not split off: both sides must hold at least 15% of the
//! band's width.

use super::content::PageGlyphs;
use crate::extract::clause::leading_clause_number;

/// Text on one baseline without a wide gap, in content order.
#[derive(Debug, Clone)]
pub struct Frag {
    pub x0: f32,
    pub x1: f32,
    pub y: f32,
    pub size: f32,
    pub bold: bool,
    pub text: String,
}

/// Fragments sharing a baseline, sorted left to right.
#[derive(Debug, Clone)]
pub struct Row {
    pub y: f32,
    pub size: f32,
    pub frags: Vec<Frag>,
}

impl Row {
    pub fn x0(&self) -> f32 {
        self.frags.first().map_or(0.0, |f| f.x0)
    }
    pub fn x1(&self) -> f32 {
        self.frags.iter().map(|f| f.x1).fold(f32::MIN, f32::max)
    }
    /// The row's text, fragments joined by single spaces.
    pub fn text(&self) -> String {
        join_frags(&self.frags)
    }
}

/// A line of text in reading order.
#[derive(Debug, Clone)]
pub struct Line {
    pub x0: f32,
    pub x1: f32,
    pub y: f32,
    pub size: f32,
    pub bold: bool,
    pub text: String,
}

/// Gap (in font sizes) above which a new word starts when the PDF has no space glyph.
const SPACE_GAP: f32 = 0.12;
/// Pages with more rows than this are read as one column.
const MAX_ROWS_FOR_COLUMNS: usize = 2000;
/// Gap (in font sizes) above which text on one baseline splits into separate fragments.
const SPLIT_GAP: f32 = 0.9;

pub fn fragments(page: &PageGlyphs) -> Vec<Frag> {
    let mut out: Vec<Frag> = Vec::new();
    let mut cur: Option<Frag> = None;
    let mut bold_chars = 0usize;
    let mut chars = 0usize;
    let mut pending_space = false;
    let finish = |f: Option<Frag>, out: &mut Vec<Frag>, bold_chars: usize, chars: usize| {
        if let Some(mut f) = f {
            let t = f.text.trim_end().len();
            f.text.truncate(t);
            if !f.text.is_empty() {
                f.bold = bold_chars * 2 > chars;
                out.push(f);
            }
        }
    };
    for g in &page.glyphs {
        let text = page.text_of(g);
        let is_space = text.chars().all(char::is_whitespace);
        let size = if g.size > 0.1 { g.size } else { 1.0 };
        if let Some(f) = cur.as_mut() {
            let same_line = (g.y - f.y).abs() <= 0.35 * size.max(f.size);
            let gap = g.x - f.x1;
            let continues = same_line && gap > -0.6 * size && gap < SPLIT_GAP * size.max(f.size);
            if continues || (same_line && is_space && gap >= 0.0) {
                if is_space {
                    pending_space = true;
                    continue;
                }
                if (pending_space || gap > SPACE_GAP * size) && !f.text.ends_with(' ') {
                    f.text.push(' ');
                }
                pending_space = false;
                f.text.push_str(text);
                f.x1 = f.x1.max(g.x + g.w.max(0.0));
                f.size = f.size.max(size);
                chars += 1;
                if g.bold {
                    bold_chars += 1;
                }
                continue;
            }
        }
        if is_space {
            continue;
        }
        finish(cur.take(), &mut out, bold_chars, chars);
        pending_space = false;
        chars = 1;
        bold_chars = usize::from(g.bold);
        cur = Some(Frag {
            x0: g.x,
            x1: g.x + g.w.max(0.0),
            y: g.y,
            size,
            bold: g.bold,
            text: text.to_string(),
        });
    }
    finish(cur, &mut out, bold_chars, chars);
    for f in &mut out {
        if f.text.contains("  ") {
            f.text = f.text.split_whitespace().collect::<Vec<_>>().join(" ");
        }
    }
    out
}

/// Groups fragments into rows, top of the page first.
pub fn rows(mut frags: Vec<Frag>) -> Vec<Row> {
    frags.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x0.total_cmp(&b.x0)));
    let mut rows: Vec<Row> = Vec::new();
    for f in frags {
        if let Some(r) = rows.last_mut()
            && (r.y - f.y).abs() <= 0.4 * r.size.max(f.size).min(2.0 * r.size.min(f.size))
        {
            // A superscript or a smaller fragment keeps the row's baseline.
            if f.size > r.size {
                r.y = f.y;
                r.size = f.size;
            }
            r.frags.push(f);
            continue;
        }
        rows.push(Row {
            y: f.y,
            size: f.size,
            frags: vec![f],
        });
    }
    for r in &mut rows {
        r.frags.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    }
    rows
}

/// Fragments joined left to right: a space between them unless one starts where the other
/// ends (a superscript footnote mark, a change of font within a word).
pub fn join_frags(frags: &[Frag]) -> String {
    let mut s = String::new();
    let mut prev_end: Option<(f32, f32)> = None;
    for f in frags {
        let touching =
            prev_end.is_some_and(|(x1, size)| (f.x0 - x1).abs() < SPACE_GAP * size.min(f.size));
        if !s.is_empty() && !s.ends_with(' ') && !touching {
            s.push(' ');
        }
        s.push_str(&f.text);
        prev_end = Some((f.x1, f.size));
    }
    s
}

/// Rows of one region as lines in reading order. Runs of rows whose fragments fit the column
/// spans of a table header are read cell by cell: each table row's cells left to right, each
/// cell's lines top to bottom, so a wrapped cell reads as one piece of text.
fn order_lines(rows: Vec<Row>) -> Vec<Line> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let rest = &rows[i..];
        match table_run(rest) {
            Some((end, cols)) => {
                emit_table(&rest[..end], &cols, &mut out);
                i += end;
            }
            None => {
                if let Some(r) = rows.get(i) {
                    out.extend(to_lines(r.frags.clone(), r.y));
                }
                i += 1;
            }
        }
    }
    out
}

/// The rows forming a table from the first row on, and its column starts: the first row has
/// two or more fragments, and following rows fit inside the columns they define.
fn table_run(rows: &[Row]) -> Option<(usize, Vec<f32>)> {
    let first = rows.first()?;
    if first.frags.len() < 2 {
        return None;
    }
    let cols: Vec<f32> = first.frags.iter().map(|f| f.x0).collect();
    let fits = |r: &Row| {
        r.frags.iter().all(|f| {
            let Some(c) = cols.iter().rposition(|c| f.x0 >= c - 2.0) else {
                return false;
            };
            // A cell may run over empty cells to its right, but text starting in the first
            // column and running over the next is a paragraph below the table.
            c > 0 || cols.get(c + 1).is_none_or(|next| f.x1 <= next + 2.0)
        })
    };
    let end = rows.iter().take_while(|r| fits(r)).count();
    let multi = rows[..end].iter().filter(|r| r.frags.len() >= 2).count();
    (end >= 2 && multi >= 2).then_some((end, cols))
}

fn emit_table(rows: &[Row], cols: &[f32], out: &mut Vec<Line>) {
    let column = |f: &Frag| cols.iter().rposition(|c| f.x0 >= c - 2.0).unwrap_or(0);
    // Table rows: text rows closer than 1.4 font sizes belong to one table row (lines of a
    // wrapped cell, or a vertically centred cell between them); cell padding and borders put
    // more space between table rows.
    let mut start = 0;
    for k in 1..=rows.len() {
        let boundary =
            k == rows.len() || rows[k - 1].y - rows[k].y > 1.4 * rows[k - 1].size.max(rows[k].size);
        if !boundary {
            continue;
        }
        let group = &rows[start..k];
        for c in 0..cols.len() {
            for r in group {
                let frags: Vec<Frag> = r.frags.iter().filter(|f| column(f) == c).cloned().collect();
                out.extend(to_line(frags, r.y));
            }
        }
        start = k;
    }
}

/// A row as lines: one, unless a numbered clause starts after a wide gap ("Article 4 Quality
/// assurance      4.1 The Contractor shall..."), where a side heading and its clause split.
fn to_lines(frags: Vec<Frag>, y: f32) -> Vec<Line> {
    let mut out = Vec::new();
    let mut cur: Vec<Frag> = Vec::new();
    for f in frags {
        let split = cur.last().is_some_and(|p| {
            f.x0 - p.x1 >= 2.0 * f.size.max(p.size)
                && leading_clause_number(&f.text).is_some_and(|(n, at)| {
                    (n.contains('.') || n.starts_with(|c: char| c.is_alphabetic() || c == '§'))
                        && f.text[at..].starts_with(char::is_uppercase)
                })
        });
        if split {
            out.extend(to_line(std::mem::take(&mut cur), y));
        }
        cur.push(f);
    }
    out.extend(to_line(cur, y));
    out
}

fn to_line(frags: Vec<Frag>, y: f32) -> Option<Line> {
    if frags.is_empty() {
        return None;
    }
    let chars: usize = frags.iter().map(|f| f.text.len()).sum();
    let bold: usize = frags.iter().filter(|f| f.bold).map(|f| f.text.len()).sum();
    let size = frags
        .iter()
        .max_by_key(|f| f.text.len())
        .map_or(0.0, |f| f.size);
    Some(Line {
        x0: frags.iter().map(|f| f.x0).fold(f32::MAX, f32::min),
        x1: frags.iter().map(|f| f.x1).fold(f32::MIN, f32::max),
        y,
        size,
        bold: bold * 2 > chars,
        text: join_frags(&frags),
    })
}

/// Reading-order regions of a page: each region is a run of lines read top to bottom; regions
/// follow each other in reading order (a full-width band, then a left column, a right column...).
pub fn regions(rows: Vec<Row>) -> Vec<Vec<Line>> {
    let mut out = Vec::new();
    split_columns(rows, 0, &mut out);
    out.retain(|r: &Vec<Line>| !r.is_empty());
    out
}

fn split_columns(rows: Vec<Row>, depth: usize, out: &mut Vec<Vec<Line>>) {
    let lines = order_lines;
    // Column search is quadratic in rows at worst; pages with thousands of rows are not
    // laid out in columns anyway.
    if depth >= 4 || rows.len() > MAX_ROWS_FOR_COLUMNS {
        out.push(lines(rows));
        return;
    }
    let mut single: Vec<Row> = Vec::new();
    let mut rest: std::collections::VecDeque<Row> = rows.into();
    while !rest.is_empty() {
        if let Some((end, a, b)) = find_band(rest.make_contiguous()) {
            if !single.is_empty() {
                out.push(lines(std::mem::take(&mut single)));
            }
            let mut left = Vec::new();
            let mut right = Vec::new();
            for r in rest.drain(..end) {
                let (l, rt): (Vec<Frag>, Vec<Frag>) = r
                    .frags
                    .into_iter()
                    .partition(|f| f.x1 <= a + 0.5 || f.x0 + f.x1 < a + b);
                if !l.is_empty() {
                    left.push(Row {
                        y: r.y,
                        size: r.size,
                        frags: l,
                    });
                }
                if !rt.is_empty() {
                    right.push(Row {
                        y: r.y,
                        size: r.size,
                        frags: rt,
                    });
                }
            }
            split_columns(left, depth + 1, out);
            split_columns(right, depth + 1, out);
        } else if let Some(r) = rest.pop_front() {
            single.push(r);
        }
    }
    if !single.is_empty() {
        out.push(lines(single));
    }
}

/// A band of two or more columns starting at the first row: the number of rows in it and the
/// gutter (a, b). The gutter comes from a wide gap in the first row, narrowed by each following
/// row with text on both sides; the band ends at the first row that crosses it.
fn find_band(rows: &[Row]) -> Option<(usize, f32, f32)> {
    let first = rows.first()?;
    let size = first.size.max(1.0);
    let mut gaps: Vec<(f32, f32)> = first
        .frags
        .windows(2)
        .map(|w| (w[0].x1, w[1].x0))
        .filter(|(a, b)| b - a >= SPLIT_GAP * size)
        .collect();
    gaps.sort_by(|x, y| (y.1 - y.0).total_cmp(&(x.1 - x.0)));
    for (mut a, mut b) in gaps {
        let mut end = 0;
        let (mut left_rows, mut right_rows) = (0, 0);
        let (mut minx, mut maxx) = (f32::MAX, f32::MIN);
        let mut prev_y: Option<f32> = None;
        for (j, r) in rows.iter().enumerate() {
            let Some((na, nb)) = narrow(r, a, b, size) else {
                break;
            };
            let has_l = r.frags.iter().any(|f| f.x1 <= na + 0.5);
            let has_r = r.frags.iter().any(|f| f.x0 >= nb - 0.5);
            // A one-sided row well below the band, soon followed by full-width text, opens that
            // text (a heading after a two-column section) rather than continuing a column.
            if prev_y.is_some_and(|py| py - r.y > 2.5 * size)
                && !(has_l && has_r)
                && rows
                    .iter()
                    .skip(j)
                    .take(4)
                    .any(|r2| narrow(r2, na, nb, size).is_none())
            {
                break;
            }
            a = na;
            b = nb;
            left_rows += usize::from(has_l);
            right_rows += usize::from(has_r);
            minx = minx.min(r.x0());
            maxx = maxx.max(r.x1());
            prev_y = Some(r.y);
            end += 1;
        }
        let width = maxx - minx;
        if left_rows >= 3
            && right_rows >= 3
            && a - minx >= 0.15 * width
            && maxx - b >= 0.15 * width
            && fills(&rows[..end], minx, a, true)
            && fills(&rows[..end], b, maxx, false)
        {
            return Some((end, a, b));
        }
    }
    None
}

/// Whether the text on one side of a gutter reads like a column of running text: most of its
/// lines span most of the side's width without a wide gap inside. Table cells ("99.8 %", "four hours") do not, so a table
/// stays one region and is read row by row.
fn fills(rows: &[Row], lo: f32, hi: f32, left: bool) -> bool {
    let width = (hi - lo).max(1.0);
    let (mut lines, mut full) = (0, 0);
    for r in rows {
        let side: Vec<&Frag> = r
            .frags
            .iter()
            .filter(|f| {
                if left {
                    f.x1 <= hi + 0.5
                } else {
                    f.x0 >= lo - 0.5
                }
            })
            .collect();
        let (x0, x1) = side
            .iter()
            .fold((f32::MAX, f32::MIN), |(a, b), f| (a.min(f.x0), b.max(f.x1)));
        // Cells of a table row sit apart; the words of a line do not.
        let widest_gap = side
            .windows(2)
            .map(|w| w[1].x0 - w[0].x1)
            .fold(0.0f32, f32::max);
        if x1 > x0 {
            lines += 1;
            if x1 - x0 >= 0.6 * width && widest_gap < 2.0 * r.size.max(1.0) {
                full += 1;
            }
        }
    }
    lines > 0 && full * 2 >= lines
}

/// The gap (a, b) after row `r`: text reaching into it from one side narrows it; `None` when
/// text sits inside or across it, or too little of it is left.
fn narrow(r: &Row, a: f32, b: f32, size: f32) -> Option<(f32, f32)> {
    let (mut na, mut nb) = (a, b);
    for f in &r.frags {
        if f.x1 <= na + 0.5 || f.x0 >= nb - 0.5 {
            continue;
        }
        if f.x0 <= na + 0.5 && f.x1 < nb {
            na = f.x1;
        } else if f.x1 >= nb - 0.5 && f.x0 > na {
            nb = f.x0;
        } else {
            return None;
        }
    }
    (nb - na >= 0.5 * size).then_some((na, nb))
}

/// Glyphs of a page straight to rows (used by the reader and by tests).
pub fn page_rows(page: &PageGlyphs) -> Vec<Row> {
    rows(fragments(page))
}
