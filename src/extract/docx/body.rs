//! The walker over one WordprocessingML part (`document.xml`, a header, the footnotes, ...):
//! paragraphs, runs, tables, content controls, text boxes, fields and tracked changes -> blocks.
//!
//! Owns the reading rules for text (what is shown, what is hidden or deleted) and the offsets
//! contract of [`crate::document::Piece`]: it counts every `w:p` and `w:r` of the part in document
//! order, including those it does not show (deleted, hidden, the unused branch of
//! `mc:AlternateContent`), so `Anchor::index` and `Piece::run` can be found again by anyone who
//! counts the same elements.
//!
//! Design decisions: a table cell, a note, a comment and a header part each become one block
//! whose paragraphs are joined by "\n" (the anchor is the first `w:p`); a nested table's cells are
//! blocks of their own, after the cell that holds them. Text boxes become blocks after the
//! paragraph that anchors them. Of `mc:AlternateContent` only the first `mc:Choice` is read, so a
//! text box stored twice (DrawingML and VML fallback) is read once.

use std::collections::HashMap;

use crate::document::{Anchor, Block, BlockKind, ChangeKind, Piece, TrackedChange};
use crate::error::ErrorKind;
use crate::extract::clause::leading_clause_number;
use crate::extract::xml::{Deadline, Element, Node, Ns};

use super::numbering::Numbering;
use super::styles::{Styles, on_off};

/// Block text under construction with its pieces. Shared with the ODT reader.
#[derive(Debug, Default, Clone)]
pub(crate) struct TextAcc {
    pub text: String,
    pub pieces: Vec<Piece>,
}

impl TextAcc {
    /// Appends source text that is byte `offset` of run `run`'s own text.
    pub fn push_source(&mut self, s: &str, run: usize, offset: usize) {
        if s.is_empty() {
            return;
        }
        let start = self.text.len();
        self.text.push_str(s);
        // Merge with the previous piece when it continues the same run seamlessly.
        if let Some(last) = self.pieces.last_mut().filter(|last| {
            last.run == run
                && last.range.end == start
                && last.offset + (last.range.end - last.range.start) == offset
        }) {
            last.range.end = self.text.len();
            return;
        }
        self.pieces.push(Piece {
            range: start..self.text.len(),
            run,
            offset,
        });
    }

    /// Appends text the reader made up (tabs, breaks, numbers): no piece.
    pub fn push_synth(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Appends another accumulator's text, shifting its pieces.
    pub fn append(&mut self, other: TextAcc) {
        let shift = self.text.len();
        self.text.push_str(&other.text);
        self.pieces.extend(other.pieces.into_iter().map(|mut p| {
            p.range = p.range.start + shift..p.range.end + shift;
            p
        }));
    }

    /// Removes leading and trailing whitespace, keeping pieces exact.
    pub fn trim(self) -> TextAcc {
        let lead = self.text.len() - self.text.trim_start().len();
        let end = self.text.trim_end().len().max(lead);
        let text = self.text[lead..end].to_string();
        let pieces = self
            .pieces
            .into_iter()
            .filter_map(|p| {
                let s = p.range.start.max(lead);
                let e = p.range.end.min(end);
                (s < e).then(|| Piece {
                    range: s - lead..e - lead,
                    run: p.run,
                    offset: p.offset + (s - p.range.start),
                })
            })
            .collect();
        TextAcc { text, pieces }
    }
}

/// One paragraph as read.
struct Para {
    index: usize,
    /// Where in `Walker::out` the paragraph's own block belongs (before its text boxes).
    at: usize,
    acc: TextAcc,
    heading: Option<u8>,
    list: Option<u8>,
    label: Option<String>,
}

/// Paragraphs gathered into one block (a cell, a note, a comment, a header part).
pub(crate) struct Collect {
    first: Option<usize>,
    acc: TextAcc,
    clause: Option<String>,
    /// Nested tables are read into this block instead of becoming blocks of their own.
    flatten: bool,
}

impl Collect {
    pub fn new(flatten: bool) -> Self {
        Collect {
            first: None,
            acc: TextAcc::default(),
            clause: None,
            flatten,
        }
    }

    fn push(&mut self, p: Para) {
        self.first.get_or_insert(p.index);
        let body = p.acc.trim();
        if body.text.is_empty() {
            return;
        }
        if !self.acc.text.is_empty() {
            self.acc.push_synth("\n");
        }
        if let Some(label) = p.label {
            if self.acc.text.is_empty() && self.clause.is_none() {
                self.clause = Some(label);
            } else {
                self.acc.push_synth(&label);
                self.acc.push_synth(" ");
            }
        }
        self.acc.append(body);
    }

    /// The block, or `None` when nothing visible was collected.
    pub fn into_block(self, kind: BlockKind, part: &str) -> Option<Block> {
        let first = self.first?;
        let acc = self.acc.trim();
        if acc.text.is_empty() {
            return None;
        }
        // A cell that holds only "7" is a value, not clause 7: a literal number counts only when
        // text follows it.
        let clause = self.clause.or_else(|| {
            leading_clause_number(&acc.text)
                .filter(|(_, at)| *at < acc.text.len())
                .map(|(n, _)| n)
        });
        let mut b = Block::new(kind, acc.text);
        b.clause = clause;
        b.pieces = acc.pieces;
        b.anchor = Anchor {
            part: part.to_string(),
            index: first,
        };
        Some(b)
    }
}

/// Notes read from the footnotes and endnotes parts, handed out once each.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    order: Vec<(bool, String)>,
    blocks: HashMap<(bool, String), Block>,
}

impl Notes {
    pub fn insert(&mut self, endnote: bool, id: String, block: Block) {
        self.order.push((endnote, id.clone()));
        self.blocks.insert((endnote, id), block);
    }

    fn take(&mut self, endnote: bool, id: &str) -> Option<Block> {
        self.blocks.remove(&(endnote, id.to_string()))
    }

    /// Notes never referenced from the body, in part order.
    pub fn rest(mut self) -> Vec<Block> {
        let order = std::mem::take(&mut self.order);
        order
            .into_iter()
            .filter_map(|k| self.blocks.remove(&k))
            .collect()
    }
}

/// Walks one part. Create one per part; `tables` continues across parts through `next_table`.
pub(crate) struct Walker<'a> {
    styles: &'a Styles,
    numbering: Numbering,
    deadline: &'a Deadline,
    part: String,
    p_count: usize,
    r_count: usize,
    /// One entry per open complex field: has its `separate` been seen (result showing)?
    fields: Vec<bool>,
    /// Depth of `w:del` / `w:moveFrom` around the current run.
    deleted: u32,
    change_stack: Vec<usize>,
    note_refs: Vec<(bool, String)>,
    steps: u32,
    pub out: Vec<Block>,
    pub next_table: u32,
    pub changes: Vec<TrackedChange>,
    pub notes: Notes,
}

impl<'a> Walker<'a> {
    pub fn new(
        part: &str,
        styles: &'a Styles,
        numbering: Numbering,
        deadline: &'a Deadline,
        next_table: u32,
    ) -> Self {
        Walker {
            styles,
            numbering,
            deadline,
            part: part.to_string(),
            p_count: 0,
            r_count: 0,
            fields: Vec::new(),
            deleted: 0,
            change_stack: Vec::new(),
            note_refs: Vec::new(),
            steps: 0,
            out: Vec::new(),
            next_table,
            changes: Vec::new(),
            notes: Notes::default(),
        }
    }

    fn tick(&mut self) -> Result<(), ErrorKind> {
        self.steps = self.steps.wrapping_add(1);
        if self.steps.is_multiple_of(1024) {
            self.deadline.check()?;
        }
        Ok(())
    }

    /// Counts the `w:p` and `w:r` in a subtree that is not read, keeping indices in step.
    fn skip(&mut self, e: &Element) {
        let count = |e: &Element, p: &mut usize, r: &mut usize| {
            if e.ns == Ns::W {
                match e.name.as_str() {
                    "p" => *p += 1,
                    "r" => *r += 1,
                    _ => {}
                }
            }
        };
        count(e, &mut self.p_count, &mut self.r_count);
        for d in e.descendants() {
            count(d, &mut self.p_count, &mut self.r_count);
        }
    }

    /// Reads block-level content (`w:body`, a cell, a note, `w:txbxContent`, ...). With
    /// `collect`, paragraphs go into it; without, each paragraph becomes a block.
    pub fn blocks(
        &mut self,
        container: &Element,
        mut collect: Option<&mut Collect>,
    ) -> Result<(), ErrorKind> {
        for c in container.elements() {
            self.tick()?;
            match (c.ns, c.name.as_str()) {
                (Ns::W, "p") => {
                    let para = self.paragraph(c)?;
                    match collect.as_deref_mut() {
                        Some(col) => col.push(para),
                        None => {
                            self.emit(para);
                            self.flush_notes();
                        }
                    }
                }
                (Ns::W, "tbl") => self.table(c, collect.as_deref_mut())?,
                (Ns::W, "sdt") => {
                    for part in c.elements() {
                        if part.is(Ns::W, "sdtContent") {
                            self.blocks(part, collect.as_deref_mut())?;
                        } else {
                            self.skip(part);
                        }
                    }
                }
                (Ns::W, "customXml") | (Ns::W, "ins") | (Ns::W, "moveTo") => {
                    self.blocks(c, collect.as_deref_mut())?
                }
                (Ns::Mc, "AlternateContent") => {
                    let mut chosen = false;
                    for branch in c.elements() {
                        if !chosen && branch.is(Ns::Mc, "Choice") {
                            chosen = true;
                            self.blocks(branch, collect.as_deref_mut())?;
                        } else {
                            self.skip(branch);
                        }
                    }
                }
                _ => self.skip(c),
            }
        }
        Ok(())
    }

    fn emit(&mut self, p: Para) {
        let acc = p.acc.trim();
        if acc.text.is_empty() {
            return;
        }
        let kind = match (p.heading, p.list) {
            (Some(level), _) => BlockKind::Heading { level },
            (None, Some(level)) => BlockKind::ListItem { level },
            (None, None) => BlockKind::Paragraph,
        };
        let clause = p
            .label
            .or_else(|| leading_clause_number(&acc.text).map(|(n, _)| n));
        let mut b = Block::new(kind, acc.text);
        b.clause = clause;
        b.pieces = acc.pieces;
        b.anchor = Anchor {
            part: self.part.clone(),
            index: p.index,
        };
        let at = p.at.min(self.out.len());
        self.out.insert(at, b);
    }

    fn flush_notes(&mut self) {
        for (endnote, id) in std::mem::take(&mut self.note_refs) {
            if let Some(b) = self.notes.take(endnote, &id) {
                self.out.push(b);
            }
        }
    }

    fn table(&mut self, tbl: &Element, mut collect: Option<&mut Collect>) -> Result<(), ErrorKind> {
        let flatten = collect.as_ref().is_some_and(|c| c.flatten);
        let table = self.next_table;
        self.next_table += 1;
        for (row, tr) in self.wrapped(tbl, "tr").into_iter().enumerate() {
            let row = u32::try_from(row).unwrap_or(u32::MAX);
            let mut col = 0u32;
            for tc in self.wrapped(tr, "tc") {
                self.tick()?;
                let pr = tc.child(Ns::W, "tcPr");
                let span: u32 = pr
                    .and_then(|p| p.child(Ns::W, "gridSpan"))
                    .and_then(|g| g.attr("val"))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1)
                    .clamp(1, 1000);
                let continued = pr.is_some_and(|p| {
                    ["vMerge", "hMerge"].iter().any(|m| {
                        p.child(Ns::W, m)
                            .is_some_and(|v| v.attr("val") != Some("restart"))
                    })
                });
                if continued {
                    self.skip(tc);
                } else if flatten {
                    self.blocks(tc, collect.as_deref_mut())?;
                } else {
                    let at = self.out.len();
                    let mut cell = Collect::new(false);
                    self.blocks(tc, Some(&mut cell))?;
                    if let Some(b) =
                        cell.into_block(BlockKind::TableCell { table, row, col }, &self.part)
                    {
                        self.out.insert(at.min(self.out.len()), b);
                    }
                    self.flush_notes();
                }
                col = col.saturating_add(span);
            }
        }
        Ok(())
    }

    /// Children named `local` (rows of a table, cells of a row), looking through content
    /// controls and custom XML wrappers; other children are counted and skipped.
    fn wrapped<'e>(&mut self, e: &'e Element, local: &str) -> Vec<&'e Element> {
        let mut out = Vec::new();
        let mut stack = vec![e.elements().collect::<Vec<_>>().into_iter()];
        while let Some(top) = stack.last_mut() {
            let Some(c) = top.next() else {
                stack.pop();
                continue;
            };
            if c.is(Ns::W, local) {
                out.push(c);
            } else if c.is(Ns::W, "sdt") || c.is(Ns::W, "sdtContent") || c.is(Ns::W, "customXml") {
                if stack.len() < 16 {
                    stack.push(c.elements().collect::<Vec<_>>().into_iter());
                }
            } else {
                self.skip(c);
            }
        }
        out
    }

    fn paragraph(&mut self, p: &Element) -> Result<Para, ErrorKind> {
        let index = self.p_count;
        self.p_count += 1;
        let at = self.out.len();
        let ppr = p.child(Ns::W, "pPr");
        let style = ppr
            .and_then(|pp| pp.child(Ns::W, "pStyle"))
            .and_then(|s| s.attr("val"));
        let direct_num = ppr.and_then(|pp| pp.child(Ns::W, "numPr")).map(|n| {
            (
                n.child(Ns::W, "numId")
                    .and_then(|e| e.attr("val"))
                    .map(str::to_string),
                n.child(Ns::W, "ilvl")
                    .and_then(|e| e.attr("val"))
                    .and_then(|v| v.parse::<u8>().ok()),
            )
        });
        let styled_num = self.styles.numbering(style);
        let (num_id, ilvl) = match direct_num {
            Some((Some(id), ilvl)) => (Some(id), ilvl),
            Some((None, ilvl)) => (styled_num.as_ref().map(|s| s.0.clone()), ilvl),
            None => (
                styled_num.as_ref().map(|s| s.0.clone()),
                styled_num.as_ref().and_then(|s| s.1),
            ),
        };
        let num_id = num_id.filter(|id| id != "0");
        let outline = ppr
            .and_then(|pp| pp.child(Ns::W, "outlineLvl"))
            .and_then(|o| o.attr("val"))
            .and_then(|v| v.parse::<u8>().ok())
            .or_else(|| self.styles.outline_level(style))
            .filter(|l| *l < 9);
        let mut label = None;
        let mut list = None;
        if let Some(id) = &num_id {
            let ilvl = ilvl
                .or_else(|| style.and_then(|s| self.numbering.level_for_style(id, s)))
                .unwrap_or(0);
            if let Some(r) = self.numbering.next(id, ilvl, self.styles) {
                label = r.label;
                list = Some(r.level);
            }
        }
        let para_vanish = self.styles.vanish(style);
        let mut acc = TextAcc::default();
        for c in p.elements() {
            if c.is(Ns::W, "pPr") {
                self.skip(c);
            } else {
                self.inline(c, &mut acc, para_vanish)?;
            }
        }
        // A field result may run over several paragraphs (a table of contents), its instruction
        // may not: a field still in its instruction at the paragraph's end is broken and is
        // dropped, so it cannot hide the rest of the document.
        self.fields.retain(|showing| *showing);
        Ok(Para {
            index,
            at,
            acc,
            heading: outline.map(|l| l + 1),
            list,
            label,
        })
    }

    fn inline(&mut self, e: &Element, acc: &mut TextAcc, vanish: bool) -> Result<(), ErrorKind> {
        self.tick()?;
        match (e.ns, e.name.as_str()) {
            (Ns::W, "r") => self.run(e, acc, vanish)?,
            (Ns::W, "hyperlink")
            | (Ns::W, "smartTag")
            | (Ns::W, "customXml")
            | (Ns::W, "fldSimple")
            | (Ns::W, "dir")
            | (Ns::W, "bdo")
            | (Ns::W, "sdtContent") => {
                for c in e.elements() {
                    self.inline(c, acc, vanish)?;
                }
            }
            (Ns::W, "sdt") => {
                for c in e.elements() {
                    if c.is(Ns::W, "sdtContent") {
                        self.inline(c, acc, vanish)?;
                    } else {
                        self.skip(c);
                    }
                }
            }
            (Ns::W, name @ ("ins" | "moveTo" | "del" | "moveFrom")) => {
                let removed = matches!(name, "del" | "moveFrom");
                self.changes.push(TrackedChange {
                    kind: if removed {
                        ChangeKind::Deletion
                    } else {
                        ChangeKind::Insertion
                    },
                    author: e.attr("author").map(str::to_string),
                    date: e.attr("date").map(str::to_string),
                    text: String::new(),
                });
                self.change_stack.push(self.changes.len() - 1);
                if removed {
                    self.deleted += 1;
                }
                let mut result = Ok(());
                for c in e.elements() {
                    result = self.inline(c, acc, vanish);
                    if result.is_err() {
                        break;
                    }
                }
                if removed {
                    self.deleted -= 1;
                }
                self.change_stack.pop();
                result?;
            }
            (Ns::Mc, "AlternateContent") => {
                let mut chosen = false;
                for branch in e.elements() {
                    if !chosen && branch.is(Ns::Mc, "Choice") {
                        chosen = true;
                        for c in branch.elements() {
                            self.inline(c, acc, vanish)?;
                        }
                    } else {
                        self.skip(branch);
                    }
                }
            }
            _ => self.skip(e),
        }
        Ok(())
    }

    fn change_text(&mut self, s: &str) {
        if let Some(c) = self
            .change_stack
            .last()
            .copied()
            .and_then(|i| self.changes.get_mut(i))
        {
            c.text.push_str(s);
        }
    }

    fn run(&mut self, r: &Element, acc: &mut TextAcc, para_vanish: bool) -> Result<(), ErrorKind> {
        let run = self.r_count;
        self.r_count += 1;
        let rpr = r.child(Ns::W, "rPr");
        let hidden = match rpr.and_then(|p| p.child(Ns::W, "vanish")) {
            Some(v) => on_off(v),
            None => {
                let rstyle = rpr
                    .and_then(|p| p.child(Ns::W, "rStyle"))
                    .and_then(|s| s.attr("val"));
                (rstyle.is_some() && self.styles.vanish(rstyle)) || para_vanish
            }
        };
        let mut offset = 0usize;
        for c in r.elements() {
            let shown = !hidden && self.deleted == 0 && self.fields.iter().all(|f| *f);
            if c.ns != Ns::W {
                if c.is(Ns::Mc, "AlternateContent") {
                    self.embedded(c)?;
                } else {
                    self.skip(c);
                }
                continue;
            }
            match c.name.as_str() {
                "t" => {
                    let t = text_of(c);
                    if shown {
                        acc.push_source(&t, run, offset);
                    }
                    self.change_text(&t);
                    offset += t.len();
                }
                "delText" => {
                    let t = text_of(c);
                    self.change_text(&t);
                }
                "tab" | "ptab" if shown => acc.push_synth("\t"),
                "br" | "cr" if shown => acc.push_synth("\n"),
                "noBreakHyphen" if shown => acc.push_synth("-"),
                "sym" if shown => {
                    if let Some(ch) = c
                        .attr("char")
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .and_then(char::from_u32)
                    {
                        let mut b = [0u8; 4];
                        acc.push_synth(ch.encode_utf8(&mut b));
                    }
                }
                "fldChar" => match c.attr("fldCharType") {
                    Some("begin") => self.fields.push(false),
                    Some("separate") => {
                        if let Some(top) = self.fields.last_mut() {
                            *top = true;
                        }
                    }
                    Some("end") => {
                        self.fields.pop();
                    }
                    _ => {}
                },
                "footnoteReference" | "endnoteReference" => {
                    if let Some(id) = c.attr("id") {
                        self.note_refs
                            .push((c.name == "endnoteReference", id.to_string()));
                    }
                }
                "drawing" | "pict" | "object" => self.embedded(c)?,
                "ruby" => {
                    // The base text is what a reader reads; the phonetic guide (`w:rt`) is not.
                    for part in c.elements() {
                        if part.is(Ns::W, "rubyBase") {
                            for inner in part.elements() {
                                self.inline(inner, acc, para_vanish)?;
                            }
                        } else {
                            self.skip(part);
                        }
                    }
                }
                _ => self.skip(c),
            }
        }
        Ok(())
    }

    /// Looks inside a drawing or picture for text boxes; each box's paragraphs become blocks.
    fn embedded(&mut self, e: &Element) -> Result<(), ErrorKind> {
        self.tick()?;
        if e.is(Ns::Mc, "AlternateContent") {
            let mut chosen = false;
            for branch in e.elements() {
                if !chosen && branch.is(Ns::Mc, "Choice") {
                    chosen = true;
                    self.embedded(branch)?;
                } else {
                    self.skip(branch);
                }
            }
            return Ok(());
        }
        for c in e.elements() {
            if c.is(Ns::W, "txbxContent") {
                let saved = std::mem::take(&mut self.fields);
                let result = self.blocks(c, None);
                self.fields = saved;
                result?;
            } else if c.ns == Ns::W && matches!(c.name.as_str(), "p" | "r") {
                self.skip(c);
            } else {
                self.embedded(c)?;
            }
        }
        Ok(())
    }
}

/// The character data of a `w:t`/`w:delText` element.
fn text_of(e: &Element) -> String {
    let mut s = String::new();
    for n in &e.children {
        if let Node::Text(t) = n {
            s.push_str(t);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_keeps_pieces_exact() {
        let mut acc = TextAcc::default();
        acc.push_synth("  ");
        acc.push_source("  ab", 3, 0);
        acc.push_synth("\t");
        acc.push_source("cd  ", 4, 2);
        let t = acc.trim();
        assert_eq!(t.text, "ab\tcd");
        assert_eq!(
            t.pieces,
            vec![
                Piece {
                    range: 0..2,
                    run: 3,
                    offset: 2
                },
                Piece {
                    range: 3..5,
                    run: 4,
                    offset: 2
                }
            ]
        );
    }
}
