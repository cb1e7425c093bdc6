//! The walker over one ODF XML tree (`content.xml`, `styles.xml`, or a whole flat `.fodt`):
//! paragraphs and headings, lists, tables, notes, annotations, text boxes, master-page headers
//! and footers, tracked changes -> blocks.
//!
//! Owns the ODT half of the offsets contract of [`crate::document::Piece`]: it counts every
//! `text:p`/`text:h` of the tree and every character-data node inside one, in document order,
//! including those it does not show (the deleted paragraphs kept in `text:tracked-changes`, note
//! citations, annotation metadata), so anchors and pieces can be found again.
//!
//! Design decisions: ODF whitespace is collapsed as the specification says (runs of spaces, tabs
//! and newlines in character data become one space; `text:s`, `text:tab` and `text:line-break`
//! are kept); a piece covers only source text copied verbatim. Unknown elements inside a paragraph
//! are read through (fields such as `text:sequence` or `text:user-field-get` show their result as
//! content); unknown elements between paragraphs are read through as containers.

use std::collections::HashMap;

use crate::document::{Anchor, Block, BlockKind, ChangeKind, TrackedChange};
use crate::error::ErrorKind;
use crate::extract::clause::leading_clause_number;
use crate::extract::docx::body::TextAcc;
use crate::extract::xml::{Deadline, Element, Node, Ns};

use super::styles::OdtStyles;

/// Paragraphs gathered into one block (a cell, a note, an annotation, a header).
#[derive(Default)]
struct Collect {
    first: Option<usize>,
    acc: TextAcc,
    clause: Option<String>,
    /// Nested tables are read into this block (notes, headers) instead of becoming blocks of
    /// their own (cells).
    flatten: bool,
}

impl Collect {
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

    fn into_block(self, kind: BlockKind, part: &str) -> Option<Block> {
        let first = self.first?;
        let acc = self.acc.trim();
        if acc.text.is_empty() {
            return None;
        }
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

struct Para {
    index: usize,
    at: usize,
    acc: TextAcc,
    heading: Option<u8>,
    list: Option<u8>,
    label: Option<String>,
}

/// An open `text:list`.
struct ListFrame {
    style: Option<String>,
    key: usize,
}

/// The number waiting for the first paragraph of a list item.
struct PendingItem {
    label: Option<String>,
}

pub(super) struct Walker<'a> {
    styles: &'a OdtStyles,
    deadline: &'a Deadline,
    part: String,
    p_count: usize,
    t_count: usize,
    in_p: u32,
    steps: u32,
    outline: [Option<u32>; 10],
    lists: Vec<ListFrame>,
    list_counters: Vec<[Option<u32>; 10]>,
    /// The counters key of the last top-level list per style, for `text:continue-numbering`.
    last_list: HashMap<String, usize>,
    pending_item: Option<PendingItem>,
    pending_notes: Vec<Block>,
    change_ids: HashMap<String, usize>,
    active_ins: Vec<usize>,
    pub out: Vec<Block>,
    pub comments: Vec<Block>,
    pub furniture: Vec<Block>,
    pub changes: Vec<TrackedChange>,
    next_table: u32,
}

fn is_para(e: &Element) -> bool {
    e.ns == Ns::OdfText && matches!(e.name.as_str(), "p" | "h")
}

impl<'a> Walker<'a> {
    pub fn new(part: &str, styles: &'a OdtStyles, deadline: &'a Deadline) -> Self {
        Walker {
            styles,
            deadline,
            part: part.to_string(),
            p_count: 0,
            t_count: 0,
            in_p: 0,
            steps: 0,
            outline: [None; 10],
            lists: Vec::new(),
            list_counters: Vec::new(),
            last_list: HashMap::new(),
            pending_item: None,
            pending_notes: Vec::new(),
            change_ids: HashMap::new(),
            active_ins: Vec::new(),
            out: Vec::new(),
            comments: Vec::new(),
            furniture: Vec::new(),
            changes: Vec::new(),
            next_table: 0,
        }
    }

    fn tick(&mut self) -> Result<(), ErrorKind> {
        self.steps = self.steps.wrapping_add(1);
        if self.steps.is_multiple_of(1024) {
            self.deadline.check()?;
        }
        Ok(())
    }

    /// Counts the paragraphs and in-paragraph text nodes of a subtree that is not read.
    fn skip(&mut self, e: &Element) {
        let inside = self.in_p > 0;
        self.skip_inner(e, inside);
    }

    fn skip_inner(&mut self, e: &Element, inside: bool) {
        let inside = if is_para(e) {
            self.p_count += 1;
            true
        } else {
            inside
        };
        for n in &e.children {
            match n {
                Node::Text(_) => {
                    if inside {
                        self.t_count += 1;
                    }
                }
                Node::Element(c) => self.skip_inner(c, inside),
            }
        }
    }

    /// A character-data node met outside paragraph reading (whitespace between elements).
    fn stray_text(&mut self) {
        if self.in_p > 0 {
            self.t_count += 1;
        }
    }

    /// Walks a whole root: tracked changes, master-page headers and footers, the body text.
    pub fn root(&mut self, root: &Element) -> Result<(), ErrorKind> {
        for n in &root.children {
            let Node::Element(c) = n else {
                self.stray_text();
                continue;
            };
            match (c.ns, c.name.as_str()) {
                (Ns::OdfOffice, "master-styles") => self.master_styles(c)?,
                (Ns::OdfOffice, "body") => {
                    for t in c.elements() {
                        if t.is(Ns::OdfOffice, "text") {
                            self.blocks(t, None)?;
                        } else {
                            self.skip(t);
                        }
                    }
                }
                _ => self.skip(c),
            }
        }
        Ok(())
    }

    fn master_styles(&mut self, ms: &Element) -> Result<(), ErrorKind> {
        for page in ms.elements() {
            for part in page.elements() {
                let kind = match (part.ns, part.name.as_str()) {
                    (Ns::OdfStyle, "header" | "header-left" | "header-first") => BlockKind::Header,
                    (Ns::OdfStyle, "footer" | "footer-left" | "footer-first") => BlockKind::Footer,
                    _ => {
                        self.skip(part);
                        continue;
                    }
                };
                let mut col = Collect {
                    flatten: true,
                    ..Collect::default()
                };
                let at = self.out.len();
                self.blocks(part, Some(&mut col))?;
                // Anything a header produced on its own (a text box) is furniture too.
                let extra: Vec<Block> = self.out.drain(at..).collect();
                if let Some(b) = col.into_block(kind.clone(), &self.part) {
                    self.furniture.push(b);
                }
                self.furniture.extend(extra.into_iter().map(|mut b| {
                    b.kind = kind.clone();
                    b
                }));
                self.pending_notes.clear();
            }
        }
        Ok(())
    }

    fn record_changes(&mut self, tc: &Element) {
        for region in tc
            .elements()
            .filter(|e| e.is(Ns::OdfText, "changed-region"))
        {
            let id = region.attr("id").unwrap_or("").to_string();
            for change in region.elements() {
                let kind = match change.name.as_str() {
                    "insertion" => ChangeKind::Insertion,
                    "deletion" => ChangeKind::Deletion,
                    _ => continue,
                };
                let info = change.child(Ns::OdfOffice, "change-info");
                let meta = |local: &str| {
                    info.and_then(|i| i.elements().find(|e| e.is(Ns::Dc, local)))
                        .map(|e| e.text().trim().to_string())
                };
                let text = if kind == ChangeKind::Deletion {
                    change
                        .elements()
                        .filter(|e| is_para(e))
                        .map(|p| p.text())
                        .collect::<Vec<_>>()
                        .join("\n")
                } else {
                    String::new()
                };
                self.change_ids.insert(id.clone(), self.changes.len());
                self.changes.push(TrackedChange {
                    kind,
                    author: meta("creator"),
                    date: meta("date"),
                    text,
                });
            }
        }
    }

    /// Reads block-level content; with `collect`, paragraphs go into it.
    fn blocks(
        &mut self,
        container: &Element,
        mut collect: Option<&mut Collect>,
    ) -> Result<(), ErrorKind> {
        for n in &container.children {
            let Node::Element(c) = n else {
                self.stray_text();
                continue;
            };
            self.tick()?;
            match (c.ns, c.name.as_str()) {
                (Ns::OdfText, "p" | "h") => {
                    let para = self.paragraph(c)?;
                    match collect.as_deref_mut() {
                        Some(col) => col.push(para),
                        None => {
                            self.emit(para);
                            self.flush_notes();
                        }
                    }
                }
                (Ns::OdfText, "list") => self.list(c, collect.as_deref_mut())?,
                (Ns::OdfTable, "table") => self.table(c, collect.as_deref_mut())?,
                (Ns::OdfText, "tracked-changes") => {
                    self.record_changes(c);
                    self.skip(c);
                }
                (Ns::OdfText, name)
                    if name.ends_with("-decls")
                        || name.ends_with("-source")
                        || name == "soft-page-break" =>
                {
                    self.skip(c)
                }
                (Ns::OdfOffice, "forms" | "annotation" | "annotation-end") => self.skip(c),
                (Ns::OdfTable, "table-columns" | "table-column" | "table-column-group") => {
                    self.skip(c)
                }
                _ => self.blocks(c, collect.as_deref_mut())?,
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
        let notes = std::mem::take(&mut self.pending_notes);
        self.out.extend(notes);
    }

    fn list(&mut self, list: &Element, collect: Option<&mut Collect>) -> Result<(), ErrorKind> {
        if self.lists.len() >= 10 {
            // Deeper than ODF's ten levels: read the content without numbering.
            return self.blocks(list, collect);
        }
        let style = list
            .attr("style-name")
            .map(str::to_string)
            .or_else(|| self.lists.last().and_then(|f| f.style.clone()));
        let key = match self.lists.last() {
            Some(parent) => parent.key,
            None => {
                // `text:continue-list` names the list to continue by id; it is read as "the
                // last list with this style", which is what writers produce in practice.
                let continues = list.attr("continue-numbering") == Some("true")
                    || list.attr("continue-list").is_some();
                let style_key = style.clone().unwrap_or_default();
                match (continues, self.last_list.get(&style_key)) {
                    (true, Some(k)) => *k,
                    _ => {
                        self.list_counters.push([None; 10]);
                        let k = self.list_counters.len() - 1;
                        self.last_list.insert(style_key, k);
                        k
                    }
                }
            }
        };
        self.lists.push(ListFrame { style, key });
        let result = self.list_items(list, collect);
        self.lists.pop();
        result
    }

    fn list_items(
        &mut self,
        list: &Element,
        mut collect: Option<&mut Collect>,
    ) -> Result<(), ErrorKind> {
        let level = self.lists.len();
        for n in &list.children {
            let Node::Element(item) = n else {
                self.stray_text();
                continue;
            };
            match (item.ns, item.name.as_str()) {
                (Ns::OdfText, "list-item") => {
                    let label = self.advance_list(level, item);
                    self.pending_item = Some(PendingItem { label });
                    self.blocks(item, collect.as_deref_mut())?;
                    self.pending_item = None;
                }
                (Ns::OdfText, "list-header") => {
                    self.pending_item = Some(PendingItem { label: None });
                    self.blocks(item, collect.as_deref_mut())?;
                    self.pending_item = None;
                }
                _ => self.skip(item),
            }
        }
        Ok(())
    }

    /// Advances the counter of `level` (1-based) for a list item and renders its number.
    fn advance_list(&mut self, level: usize, item: &Element) -> Option<String> {
        let frame = self.lists.last()?;
        let key = frame.key;
        // A list without a style takes the list style of its item's paragraph style.
        let style_name = frame.style.clone().or_else(|| {
            item.elements()
                .find(|e| is_para(e))
                .and_then(|p| self.styles.para_list_style(p.attr("style-name")))
        });
        let style = style_name.as_deref().and_then(|s| self.styles.list(s));
        let start = style.map_or(1, |s| s.start(level));
        let counters = self.list_counters.get_mut(key)?;
        let idx = level.checked_sub(1)?.min(9);
        let value = match item.attr("start-value").and_then(|v| v.parse().ok()) {
            Some(v) => v,
            None => counters[idx].map_or(start, |c| c.saturating_add(1)),
        };
        counters[idx] = Some(value);
        for deeper in counters.iter_mut().skip(idx + 1) {
            *deeper = None;
        }
        let snapshot = *counters;
        style.and_then(|s| s.render(level, &snapshot))
    }

    fn table(&mut self, tbl: &Element, mut collect: Option<&mut Collect>) -> Result<(), ErrorKind> {
        let flatten = collect.as_ref().is_some_and(|c| c.flatten);
        let table = self.next_table;
        self.next_table += 1;
        let mut rows = Vec::new();
        self.rows(tbl, &mut rows, 0);
        let mut row = 0u32;
        for tr in rows {
            let repeat: u32 = tr
                .attr("number-rows-repeated")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1)
                .max(1);
            let mut col = 0u32;
            for n in &tr.children {
                let Node::Element(tc) = n else {
                    self.stray_text();
                    continue;
                };
                self.tick()?;
                let span: u32 = tc
                    .attr("number-columns-repeated")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1)
                    .clamp(1, 1 << 20);
                match (tc.ns, tc.name.as_str()) {
                    (Ns::OdfTable, "table-cell") if flatten => {
                        self.blocks(tc, collect.as_deref_mut())?;
                    }
                    (Ns::OdfTable, "table-cell") => {
                        let at = self.out.len();
                        let mut cell = Collect::default();
                        self.blocks(tc, Some(&mut cell))?;
                        if let Some(b) =
                            cell.into_block(BlockKind::TableCell { table, row, col }, &self.part)
                        {
                            self.out.insert(at.min(self.out.len()), b);
                        }
                        self.flush_notes();
                    }
                    _ => self.skip(tc),
                }
                col = col.saturating_add(span);
            }
            row = row.saturating_add(repeat.min(1 << 20));
        }
        Ok(())
    }

    /// The rows of a table in order, looking through header rows, row groups and `table:rows`.
    fn rows<'e>(&mut self, e: &'e Element, out: &mut Vec<&'e Element>, depth: usize) {
        for n in &e.children {
            let Node::Element(c) = n else {
                self.stray_text();
                continue;
            };
            match (c.ns, c.name.as_str()) {
                (Ns::OdfTable, "table-row") => out.push(c),
                (Ns::OdfTable, "table-header-rows" | "table-rows" | "table-row-group")
                    if depth < 16 =>
                {
                    self.rows(c, out, depth + 1)
                }
                _ => self.skip(c),
            }
        }
    }

    fn paragraph(&mut self, p: &Element) -> Result<Para, ErrorKind> {
        let index = self.p_count;
        self.p_count += 1;
        let at = self.out.len();
        let style = p.attr("style-name");
        let is_h = p.name == "h";
        let heading = if is_h {
            Some(
                p.attr("outline-level")
                    .and_then(|v| v.parse::<u8>().ok())
                    .or_else(|| self.styles.outline_level(style))
                    .unwrap_or(1)
                    .clamp(1, 10),
            )
        } else {
            self.styles.outline_level(style)
        };
        // Headings are numbered by the outline style, even when written inside a list (as older
        // LibreOffice versions do); other paragraphs by their list.
        let item = self.pending_item.take();
        let list = (!self.lists.is_empty()).then(|| self.lists.len().saturating_sub(1) as u8);
        let label = match heading {
            Some(level) if is_h || list.is_none() => self.advance_outline(usize::from(level), p),
            _ => item.and_then(|i| i.label),
        };
        self.in_p += 1;
        let mut acc = TextAcc::default();
        let result = self.inline(p, &mut acc);
        self.in_p -= 1;
        result?;
        Ok(Para {
            index,
            at,
            acc,
            heading,
            list: if heading.is_some() { None } else { list },
            label,
        })
    }

    fn advance_outline(&mut self, level: usize, h: &Element) -> Option<String> {
        if h.attr("is-list-header") == Some("true") {
            return None;
        }
        let idx = level.checked_sub(1)?.min(9);
        let start = self.styles.outline.start(level);
        let value = match h.attr("start-value").and_then(|v| v.parse().ok()) {
            Some(v) => v,
            None if h.attr("restart-numbering") == Some("true") => start,
            None => self.outline[idx].map_or(start, |c| c.saturating_add(1)),
        };
        self.outline[idx] = Some(value);
        for deeper in self.outline.iter_mut().skip(idx + 1) {
            *deeper = None;
        }
        self.styles.outline.render(level, &self.outline)
    }

    fn inline(&mut self, e: &Element, acc: &mut TextAcc) -> Result<(), ErrorKind> {
        self.tick()?;
        for n in &e.children {
            let c = match n {
                Node::Text(t) => {
                    let node = self.t_count;
                    self.t_count += 1;
                    if let Some(ch) = self
                        .active_ins
                        .last()
                        .copied()
                        .and_then(|i| self.changes.get_mut(i))
                    {
                        ch.text.push_str(t);
                    }
                    push_collapsed(acc, t, node);
                    continue;
                }
                Node::Element(c) => c,
            };
            match (c.ns, c.name.as_str()) {
                (Ns::OdfText, "s") => {
                    // Capped: `text:c="1000000"` in 20 bytes must not become a megabyte of text.
                    let count: usize = c
                        .attr("c")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(1)
                        .clamp(1, 100);
                    acc.push_synth(&" ".repeat(count));
                }
                (Ns::OdfText, "tab") => acc.push_synth("\t"),
                (Ns::OdfText, "line-break") => acc.push_synth("\n"),
                (Ns::OdfText, "note") => self.note(c)?,
                (Ns::OdfOffice, "annotation") => self.annotation(c)?,
                (Ns::OdfText, "number" | "soft-page-break" | "change")
                | (Ns::OdfOffice, "annotation-end") => self.skip(c),
                (Ns::OdfText, "hidden-text") if c.attr("is-hidden") == Some("true") => self.skip(c),
                (Ns::OdfText, "change-start") => {
                    let insertion = c
                        .attr("change-id")
                        .and_then(|id| self.change_ids.get(id))
                        .copied()
                        .filter(|&i| {
                            self.changes
                                .get(i)
                                .is_some_and(|ch| ch.kind == ChangeKind::Insertion)
                        });
                    if let Some(i) = insertion {
                        self.active_ins.push(i);
                    }
                }
                (Ns::OdfText, "change-end") => {
                    if let Some(&i) = c.attr("change-id").and_then(|id| self.change_ids.get(id)) {
                        self.active_ins.retain(|x| *x != i);
                    }
                }
                (Ns::OdfText, "p" | "h") => {
                    // A paragraph nested in a paragraph (through an unknown wrapper): a block.
                    let para = self.paragraph(c)?;
                    self.emit(para);
                }
                (Ns::OdfDraw, _) => self.drawing(c)?,
                _ => self.inline(c, acc)?,
            }
        }
        Ok(())
    }

    /// Text boxes inside a drawing become blocks of their own; the rest is counted and skipped.
    fn drawing(&mut self, e: &Element) -> Result<(), ErrorKind> {
        self.tick()?;
        if e.is(Ns::OdfDraw, "text-box") {
            let pending = self.pending_item.take();
            let result = self.blocks(e, None);
            self.pending_item = pending;
            return result;
        }
        for n in &e.children {
            match n {
                Node::Text(_) => self.stray_text(),
                Node::Element(c) if c.ns == Ns::OdfDraw => self.drawing(c)?,
                Node::Element(c) => self.skip(c),
            }
        }
        Ok(())
    }

    fn note(&mut self, note: &Element) -> Result<(), ErrorKind> {
        let kind = if note.attr("note-class") == Some("endnote") {
            BlockKind::Endnote
        } else {
            BlockKind::Footnote
        };
        let pending = self.pending_item.take();
        let mut col = Collect {
            flatten: true,
            ..Collect::default()
        };
        let at = self.out.len();
        for n in &note.children {
            match n {
                Node::Text(_) => self.stray_text(),
                Node::Element(c) if c.is(Ns::OdfText, "note-body") => {
                    self.blocks(c, Some(&mut col))?
                }
                Node::Element(c) => self.skip(c),
            }
        }
        self.pending_item = pending;
        let extra: Vec<Block> = self.out.drain(at..).collect();
        if let Some(b) = col.into_block(kind, &self.part) {
            self.pending_notes.push(b);
        }
        self.pending_notes.extend(extra);
        Ok(())
    }

    fn annotation(&mut self, a: &Element) -> Result<(), ErrorKind> {
        let pending = self.pending_item.take();
        let notes = std::mem::take(&mut self.pending_notes);
        let mut col = Collect {
            flatten: true,
            ..Collect::default()
        };
        for n in &a.children {
            match n {
                Node::Text(_) => self.stray_text(),
                Node::Element(c) if is_para(c) || c.is(Ns::OdfText, "list") => {
                    let mut holder = Element {
                        ns: Ns::Other,
                        name: String::new(),
                        attrs: Vec::new(),
                        children: Vec::new(),
                    };
                    holder.children.push(Node::Element(c.clone()));
                    self.blocks(&holder, Some(&mut col))?;
                }
                Node::Element(c) => self.skip(c),
            }
        }
        self.pending_item = pending;
        self.pending_notes = notes;
        if let Some(b) = col.into_block(BlockKind::Comment, &self.part) {
            self.comments.push(b);
        }
        Ok(())
    }
}

/// Appends ODF character data with whitespace collapsed: a run of spaces, tabs and newlines
/// becomes one space, dropped at the start of the block or after another space. Pieces cover
/// only the bytes copied unchanged.
fn push_collapsed(acc: &mut TextAcc, s: &str, node: usize) {
    // Start of the stretch of `s` being copied verbatim; it never holds a tab or newline.
    let mut seg: Option<usize> = None;
    let flush = |acc: &mut TextAcc, seg: &mut Option<usize>, to: usize| {
        if let Some(from) = seg.take().filter(|from| *from < to) {
            acc.push_source(&s[from..to], node, from);
        }
    };
    for (i, ch) in s.char_indices() {
        if !matches!(ch, ' ' | '\t' | '\n' | '\r') {
            seg.get_or_insert(i);
            continue;
        }
        let after_space = match seg {
            Some(_) => s[..i].ends_with(' '),
            None => acc.text.is_empty() || acc.text.ends_with(' '),
        };
        if after_space {
            flush(acc, &mut seg, i);
        } else if ch == ' ' {
            seg.get_or_insert(i);
        } else {
            flush(acc, &mut seg, i);
            acc.push_synth(" ");
        }
    }
    flush(acc, &mut seg, s.len());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_collapses_and_pieces_stay_exact() {
        let cases = [
            ("a b", "", "a b"),
            ("  a  b ", "", "a b "),
            ("a\n   b", "", "a b"),
            ("x", "end ", "end x"),
            (" x", "end ", "end x"),
            ("\t\tx", "", "x"),
        ];
        for (src, before, want) in cases {
            let mut acc = TextAcc::default();
            acc.push_synth(before);
            push_collapsed(&mut acc, src, 5);
            assert_eq!(acc.text, want, "{src:?}");
            for p in &acc.pieces {
                assert_eq!(
                    &acc.text[p.range.clone()],
                    &src[p.offset..p.offset + p.range.len()],
                    "{src:?}"
                );
            }
        }
    }
}
