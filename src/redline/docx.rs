//! DOCX redline: a copy of the original with a comment on each finding's range and, for edits
//! with a replacement, a tracked change (`w:del` of the original runs, `w:ins` of the new text)
//! that Word and LibreOffice can accept or reject.
//!
//! `word/document.xml` is patched as an event stream with quick-xml: only the runs that a change or
//! comment touches are split (their run properties copied to every piece); everything else is
//! written back as read. `word/comments.xml`, its relationship and its content type are added or
//! extended; every other zip entry is copied raw, byte for byte. Positions come from the reader's
//! offsets contract ([`crate::document::Piece`]): a piece's `run` is the index of the `w:r` among all
//! `w:r` elements of the part, `offset` a byte offset in that run's `w:t` text.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};

use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};

use super::{Edit, Marker, RedlineError, Stamp, escape, floor_char_boundary, run_ranges};
use crate::document::Document;
use crate::limits::Limits;

const MAIN: &str = "word/document.xml";
const COMMENTS: &str = "word/comments.xml";
const RELS: &str = "word/_rels/document.xml.rels";
const TYPES: &str = "[Content_Types].xml";
const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const COMMENTS_REL: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments";
const COMMENTS_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml";

/// Writes the redlined copy of `input` (a DOCX) and returns its bytes. `doc` must be what the
/// DOCX reader made of the same bytes.
pub fn redline(
    input: &[u8],
    doc: &Document,
    edits: &[Edit],
    stamp: &Stamp,
    limits: &Limits,
) -> Result<Vec<u8>, RedlineError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(input))?;
    let main = read_entry(&mut archive, MAIN, limits)?
        .ok_or_else(|| RedlineError::Corrupt(format!("no {MAIN}")))?;
    let old_comments = read_entry(&mut archive, COMMENTS, limits)?;
    let mut next_id = 1 + max_id(&main).max(old_comments.as_deref().map_or(0, max_id));

    let mut markers: HashMap<usize, Vec<(usize, Marker)>> = HashMap::new();
    let mut para_comments: HashMap<usize, Vec<u32>> = HashMap::new();
    let mut comments: Vec<(u32, String)> = Vec::new();
    for e in edits {
        let id = next_id;
        next_id += 1;
        let block = e.block.and_then(|b| doc.blocks.get(b).map(|bl| (b, bl)));
        let Some((b, bl)) = block else {
            comments.push((id, e.comment.clone()));
            para_comments.entry(0).or_default().push(id);
            continue;
        };
        if bl.anchor.part != MAIN {
            comments.push((id, format!("(in {}) {}", bl.anchor.part, e.comment)));
            para_comments.entry(0).or_default().push(id);
            continue;
        }
        comments.push((id, e.comment.clone()));
        let ranges = run_ranges(doc, b, e.start, e.end);
        let (Some(first), Some(last)) = (ranges.first(), ranges.last()) else {
            para_comments.entry(bl.anchor.index).or_default().push(id);
            continue;
        };
        markers
            .entry(first.0)
            .or_default()
            .push((first.1, Marker::CommentStart(id)));
        markers
            .entry(last.0)
            .or_default()
            .push((last.2, Marker::CommentEnd(id)));
        if let Some(text) = &e.replacement {
            markers
                .entry(first.0)
                .or_default()
                .push((first.1, Marker::DelStart));
            markers
                .entry(last.0)
                .or_default()
                .push((last.2, Marker::DelEnd { ins: text.clone() }));
        }
    }
    for list in markers.values_mut() {
        list.sort_by_key(|(off, m)| (*off, m.rank()));
    }

    let mut patcher = Patcher {
        markers,
        para_comments,
        stamp,
        next_id,
        in_deletion: false,
        last_rpr: Vec::new(),
    };
    let patched_main = patcher.patch(&main)?;
    let comments_xml = comments_part(old_comments.as_deref(), &comments, stamp)?;

    let mut extra: Vec<(String, Vec<u8>)> = Vec::new();
    let mut replaced: HashMap<String, Vec<u8>> = HashMap::new();
    replaced.insert(MAIN.into(), patched_main);
    if old_comments.is_some() {
        replaced.insert(COMMENTS.into(), comments_xml);
    } else if !comments.is_empty() {
        extra.push((COMMENTS.into(), comments_xml));
        let rels = read_entry(&mut archive, RELS, limits)?;
        let rels = add_relationship(rels.as_deref())?;
        if archive.index_for_name(RELS).is_some() {
            replaced.insert(RELS.into(), rels);
        } else {
            extra.push((RELS.into(), rels));
        }
        let types = read_entry(&mut archive, TYPES, limits)?
            .ok_or_else(|| RedlineError::Corrupt(format!("no {TYPES}")))?;
        replaced.insert(TYPES.into(), add_override(&types)?);
    }
    write_zip(&mut archive, replaced, extra)
}

/// Copies every entry raw except those in `replaced`, then appends `extra`.
pub(crate) fn write_zip<R: Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    mut replaced: HashMap<String, Vec<u8>>,
    extra: Vec<(String, Vec<u8>)>,
) -> Result<Vec<u8>, RedlineError> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflate = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let name = archive.by_index_raw(i)?.name()?.into_owned();
        if let Some(bytes) = replaced.remove(&name) {
            let stored = archive.by_index_raw(i)?.compression() == zip::CompressionMethod::Stored;
            let opts = if stored {
                deflate.compression_method(zip::CompressionMethod::Stored)
            } else {
                deflate
            };
            out.start_file(name, opts)?;
            out.write_all(&bytes)?;
        } else {
            out.raw_copy_file(archive.by_index_raw(i)?)?;
        }
    }
    for (name, bytes) in extra {
        out.start_file(name, deflate)?;
        out.write_all(&bytes)?;
    }
    Ok(out.finish()?.into_inner())
}

/// Reads one entry, refusing more than the per-entry limit.
pub(crate) fn read_entry<R: Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
    limits: &Limits,
) -> Result<Option<Vec<u8>>, RedlineError> {
    let Some(i) = archive.index_for_name(name) else {
        return Ok(None);
    };
    let entry = archive.by_index(i)?;
    let mut buf = Vec::new();
    entry
        .take(limits.max_entry_bytes + 1)
        .read_to_end(&mut buf)?;
    if buf.len() as u64 > limits.max_entry_bytes {
        return Err(RedlineError::Corrupt(format!(
            "{name} is larger than {} bytes",
            limits.max_entry_bytes
        )));
    }
    Ok(Some(buf))
}

/// The largest `w:id="N"` in a part, so new ids never collide with existing annotations.
fn max_id(xml: &[u8]) -> u32 {
    let needle = b"w:id=\"";
    let mut max = 0;
    let mut i = 0;
    while let Some(pos) = xml[i..].windows(needle.len()).position(|w| w == needle) {
        let start = i + pos + needle.len();
        let digits: Vec<u8> = xml[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .copied()
            .collect();
        if let Some(n) = std::str::from_utf8(&digits)
            .ok()
            .and_then(|s| s.parse::<u32>().ok())
        {
            max = max.max(n.min(u32::MAX / 2));
        }
        i = start;
    }
    max
}

struct Patcher<'a> {
    markers: HashMap<usize, Vec<(usize, Marker)>>,
    para_comments: HashMap<usize, Vec<u32>>,
    stamp: &'a Stamp,
    next_id: u32,
    in_deletion: bool,
    /// Run properties of the last run written inside a deletion, reused for the insertion.
    last_rpr: Vec<Event<'static>>,
}

type W = Writer<Vec<u8>>;

fn local(name: &str) -> &str {
    match name.find(':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

impl Patcher<'_> {
    fn patch(&mut self, xml: &[u8]) -> Result<Vec<u8>, RedlineError> {
        let mut reader = Reader::from_reader(xml);
        reader.config_mut().trim_text(false);
        let mut w = Writer::new(Vec::with_capacity(xml.len() + 4096));
        let mut p_index = 0usize;
        let mut r_index = 0usize;
        let mut p_stack: Vec<usize> = Vec::new();
        let mut del_depth = 0usize;
        // Paragraph whose comment markers wait for the end of its w:pPr.
        let mut awaiting: Option<usize> = None;
        let mut in_ppr = 0usize;
        let mut buf = Vec::new();
        loop {
            let ev = reader.read_event_into(&mut buf)?.into_owned();
            buf.clear();
            if let Some(p) = awaiting {
                let is_ppr_start =
                    matches!(&ev, Event::Start(e) if local(e.name().as_ref()) == "pPr");
                let is_ppr_empty =
                    matches!(&ev, Event::Empty(e) if local(e.name().as_ref()) == "pPr");
                let is_ppr_end = matches!(&ev, Event::End(e) if local(e.name().as_ref()) == "pPr");
                if is_ppr_start {
                    in_ppr += 1;
                } else if in_ppr > 0 {
                    if is_ppr_end {
                        in_ppr -= 1;
                        if in_ppr == 0 {
                            w.write_event(ev)?;
                            self.para_starts(&mut w, p)?;
                            awaiting = None;
                            continue;
                        }
                    }
                } else if is_ppr_empty {
                    w.write_event(ev)?;
                    self.para_starts(&mut w, p)?;
                    awaiting = None;
                    continue;
                } else {
                    self.para_starts(&mut w, p)?;
                    awaiting = None;
                }
            }
            match ev {
                Event::Eof => break,
                Event::Start(ref e) if local(e.name().as_ref()) == "p" => {
                    p_stack.push(p_index);
                    if self.para_comments.contains_key(&p_index) {
                        awaiting = Some(p_index);
                    }
                    p_index += 1;
                    w.write_event(ev)?;
                }
                Event::Empty(ref e) if local(e.name().as_ref()) == "p" => {
                    if let Some(ids) = self.para_comments.get(&p_index).cloned() {
                        // An empty paragraph: expand it so it can hold the comment.
                        w.write_event(Event::Start(e.clone()))?;
                        self.para_starts(&mut w, p_index)?;
                        self.para_ends(&mut w, &ids)?;
                        w.write_event(Event::End(BytesEnd::new(e.name().as_ref().to_string())))?;
                    } else {
                        w.write_event(ev)?;
                    }
                    p_index += 1;
                }
                Event::End(ref e) if local(e.name().as_ref()) == "p" => {
                    if let Some(p) = p_stack.pop()
                        && let Some(ids) = self.para_comments.get(&p).cloned()
                    {
                        self.para_ends(&mut w, &ids)?;
                    }
                    w.write_event(ev)?;
                }
                Event::Start(ref e) if local(e.name().as_ref()) == "del" => {
                    del_depth += 1;
                    w.write_event(ev)?;
                }
                Event::End(ref e) if local(e.name().as_ref()) == "del" => {
                    del_depth = del_depth.saturating_sub(1);
                    w.write_event(ev)?;
                }
                Event::Start(ref e) if local(e.name().as_ref()) == "r" => {
                    let idx = r_index;
                    r_index += 1;
                    let marks = self.markers.remove(&idx);
                    if del_depth == 0 && (marks.is_some() || self.in_deletion) {
                        let run = capture(&mut reader, ev)?;
                        self.rewrite_run(&mut w, run, marks.unwrap_or_default())?;
                    } else {
                        w.write_event(ev)?;
                    }
                }
                Event::Empty(ref e) if local(e.name().as_ref()) == "r" => {
                    r_index += 1;
                    w.write_event(ev)?;
                }
                other => w.write_event(other)?,
            }
        }
        Ok(w.into_inner())
    }

    fn para_starts(&mut self, w: &mut W, p: usize) -> Result<(), RedlineError> {
        if let Some(ids) = self.para_comments.get(&p) {
            for id in ids {
                empty(w, "w:commentRangeStart", &[("w:id", &id.to_string())])?;
            }
        }
        Ok(())
    }

    fn para_ends(&mut self, w: &mut W, ids: &[u32]) -> Result<(), RedlineError> {
        for id in ids {
            comment_end(w, *id)?;
        }
        Ok(())
    }

    /// Splits one captured run at its markers; text inside a deletion becomes `w:delText` in a
    /// `w:del`, and each deletion is followed by its `w:ins`.
    fn rewrite_run(
        &mut self,
        w: &mut W,
        run: Vec<Event<'static>>,
        marks: Vec<(usize, Marker)>,
    ) -> Result<(), RedlineError> {
        let Some(Event::Start(run_start)) = run.first().cloned() else {
            return Ok(());
        };
        let (rpr, children) = split_children(&run);
        let complex = children.iter().any(|c| {
            c.iter().any(|e| {
                matches!(e, Event::Start(s) | Event::Empty(s)
                    if matches!(local(s.name().as_ref()), "p" | "fldChar" | "instrText" | "drawing" | "pict" | "object"))
            })
        });
        if complex {
            // Fields, drawings and text boxes are not split: comments go around the run and a
            // change that would cut through it is left to the reader of the comment.
            for (_, m) in marks
                .iter()
                .filter(|(_, m)| matches!(m, Marker::CommentStart(_)))
            {
                self.marker(w, m)?;
            }
            for e in run {
                w.write_event(e)?;
            }
            for (_, m) in marks
                .iter()
                .filter(|(_, m)| matches!(m, Marker::CommentEnd(_)))
            {
                self.marker(w, m)?;
            }
            for (_, m) in &marks {
                match m {
                    Marker::DelStart => self.in_deletion = true,
                    Marker::DelEnd { .. } => self.marker(w, m)?,
                    _ => {}
                }
            }
            return Ok(());
        }

        enum Atom {
            Text(String),
            Other(Vec<Event<'static>>),
            Mark(Marker),
        }
        let mut atoms = Vec::new();
        let mut pos = 0usize;
        let mut mi = 0usize;
        for child in children {
            if is_text_child(&child) {
                let text = child_text(&child);
                let mut local_at = 0usize;
                while mi < marks.len() && marks[mi].0 < pos + text.len() {
                    let cut = marks[mi].0.saturating_sub(pos).max(local_at);
                    let cut = floor_char_boundary(&text, cut);
                    if cut > local_at {
                        atoms.push(Atom::Text(text[local_at..cut].to_string()));
                    }
                    atoms.push(Atom::Mark(marks[mi].1.clone()));
                    local_at = cut;
                    mi += 1;
                }
                if local_at < text.len() {
                    atoms.push(Atom::Text(text[local_at..].to_string()));
                }
                pos += text.len();
            } else {
                while mi < marks.len() && marks[mi].0 <= pos {
                    atoms.push(Atom::Mark(marks[mi].1.clone()));
                    mi += 1;
                }
                atoms.push(Atom::Other(child));
            }
        }
        while mi < marks.len() {
            atoms.push(Atom::Mark(marks[mi].1.clone()));
            mi += 1;
        }

        let mut open = false;
        for atom in atoms {
            match atom {
                Atom::Mark(m) => {
                    if open {
                        self.close_run(w)?;
                        open = false;
                    }
                    self.marker(w, &m)?;
                }
                Atom::Text(t) => {
                    if !open {
                        self.open_run(w, &run_start, &rpr)?;
                        open = true;
                    }
                    let tag = if self.in_deletion { "w:delText" } else { "w:t" };
                    let mut s = BytesStart::new(tag);
                    s.push_attribute(("xml:space", "preserve"));
                    w.write_event(Event::Start(s))?;
                    w.write_event(Event::Text(BytesText::new(&t)))?;
                    w.write_event(Event::End(BytesEnd::new(tag)))?;
                }
                Atom::Other(events) => {
                    if !open {
                        self.open_run(w, &run_start, &rpr)?;
                        open = true;
                    }
                    for e in events {
                        w.write_event(e)?;
                    }
                }
            }
        }
        if open {
            self.close_run(w)?;
        }
        Ok(())
    }

    fn open_run(
        &mut self,
        w: &mut W,
        start: &BytesStart<'static>,
        rpr: &[Event<'static>],
    ) -> Result<(), RedlineError> {
        if self.in_deletion {
            let id = self.take_id();
            self.change_start(w, "w:del", id)?;
            self.last_rpr = rpr.to_vec();
        }
        w.write_event(Event::Start(start.clone()))?;
        for e in rpr {
            w.write_event(e.clone())?;
        }
        Ok(())
    }

    fn close_run(&mut self, w: &mut W) -> Result<(), RedlineError> {
        w.write_event(Event::End(BytesEnd::new("w:r")))?;
        if self.in_deletion {
            w.write_event(Event::End(BytesEnd::new("w:del")))?;
        }
        Ok(())
    }

    fn marker(&mut self, w: &mut W, m: &Marker) -> Result<(), RedlineError> {
        match m {
            Marker::CommentStart(id) => {
                empty(w, "w:commentRangeStart", &[("w:id", &id.to_string())])
            }
            Marker::CommentEnd(id) => comment_end(w, *id),
            Marker::DelStart => {
                self.in_deletion = true;
                Ok(())
            }
            Marker::DelEnd { ins } => {
                self.in_deletion = false;
                let id = self.take_id();
                self.change_start(w, "w:ins", id)?;
                w.write_event(Event::Start(BytesStart::new("w:r")))?;
                for e in std::mem::take(&mut self.last_rpr) {
                    w.write_event(e)?;
                }
                let mut s = BytesStart::new("w:t");
                s.push_attribute(("xml:space", "preserve"));
                w.write_event(Event::Start(s))?;
                w.write_event(Event::Text(BytesText::new(ins)))?;
                w.write_event(Event::End(BytesEnd::new("w:t")))?;
                w.write_event(Event::End(BytesEnd::new("w:r")))?;
                w.write_event(Event::End(BytesEnd::new("w:ins")))?;
                Ok(())
            }
        }
    }

    fn take_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn change_start(&self, w: &mut W, tag: &str, id: u32) -> Result<(), RedlineError> {
        let mut s = BytesStart::new(tag);
        s.push_attribute(("w:id", id.to_string().as_str()));
        s.push_attribute(("w:author", self.stamp.author.as_str()));
        s.push_attribute(("w:date", self.stamp.date.as_str()));
        w.write_event(Event::Start(s))?;
        Ok(())
    }
}

fn empty(w: &mut W, tag: &str, attrs: &[(&str, &str)]) -> Result<(), RedlineError> {
    let mut s = BytesStart::new(tag);
    for a in attrs {
        s.push_attribute(*a);
    }
    w.write_event(Event::Empty(s))?;
    Ok(())
}

fn comment_end(w: &mut W, id: u32) -> Result<(), RedlineError> {
    let id = id.to_string();
    empty(w, "w:commentRangeEnd", &[("w:id", &id)])?;
    w.write_event(Event::Start(BytesStart::new("w:r")))?;
    empty(w, "w:commentReference", &[("w:id", &id)])?;
    w.write_event(Event::End(BytesEnd::new("w:r")))?;
    Ok(())
}

/// Reads events up to and including the end of the element whose start is `start`.
fn capture(
    reader: &mut Reader<&[u8]>,
    start: Event<'static>,
) -> Result<Vec<Event<'static>>, RedlineError> {
    let mut out = vec![start];
    let mut depth = 1usize;
    let mut buf = Vec::new();
    while depth > 0 {
        let ev = reader.read_event_into(&mut buf)?.into_owned();
        buf.clear();
        match &ev {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth -= 1,
            Event::Eof => return Err(RedlineError::Corrupt("unterminated w:r".into())),
            _ => {}
        }
        out.push(ev);
    }
    Ok(out)
}

/// Splits a captured run into its `w:rPr` events and its other children (each a complete
/// element, or a lone text/whitespace event).
fn split_children(run: &[Event<'static>]) -> (Vec<Event<'static>>, Vec<Vec<Event<'static>>>) {
    let inner = &run[1..run.len().saturating_sub(1)];
    let mut rpr = Vec::new();
    let mut children = Vec::new();
    let mut i = 0;
    while i < inner.len() {
        let mut end = i + 1;
        if let Event::Start(_) = inner[i] {
            let mut depth = 1;
            while end < inner.len() && depth > 0 {
                match inner[end] {
                    Event::Start(_) => depth += 1,
                    Event::End(_) => depth -= 1,
                    _ => {}
                }
                end += 1;
            }
        }
        let child = inner[i..end].to_vec();
        let is_rpr = matches!(&child[0], Event::Start(s) | Event::Empty(s) if local(s.name().as_ref()) == "rPr");
        if is_rpr {
            rpr = child;
        } else if !matches!(child[0], Event::Text(_)) {
            children.push(child);
        }
        i = end;
    }
    (rpr, children)
}

fn is_text_child(child: &[Event<'static>]) -> bool {
    matches!(&child[0], Event::Start(s) | Event::Empty(s) if local(s.name().as_ref()) == "t")
}

fn child_text(child: &[Event<'static>]) -> String {
    let mut s = String::new();
    for e in child {
        match e {
            Event::Text(t) => s.push_str(&t.xml10_content()),
            Event::CData(c) => s.push_str(c.as_ref()),
            Event::GeneralRef(r) => {
                if let Ok(Some(ch)) = r.resolve_char_ref() {
                    s.push(ch);
                } else {
                    match r.as_ref() {
                        "amp" => s.push('&'),
                        "lt" => s.push('<'),
                        "gt" => s.push('>'),
                        "quot" => s.push('"'),
                        "apos" => s.push('\''),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    s
}

/// The comments part: the old one with the new comments appended, or a new one.
fn comments_part(
    old: Option<&[u8]>,
    comments: &[(u32, String)],
    stamp: &Stamp,
) -> Result<Vec<u8>, RedlineError> {
    let mut body = String::new();
    for (id, text) in comments {
        body.push_str(&format!(
            "<w:comment w:id=\"{id}\" w:author=\"{}\" w:date=\"{}\" w:initials=\"TL\">",
            escape(&stamp.author),
            escape(&stamp.date)
        ));
        for line in text.split('\n') {
            body.push_str("<w:p><w:r><w:t xml:space=\"preserve\">");
            body.push_str(&escape(line));
            body.push_str("</w:t></w:r></w:p>");
        }
        body.push_str("</w:comment>");
    }
    match old {
        Some(old) => {
            let s = String::from_utf8_lossy(old);
            if let Some(close) = s.rfind("</w:comments>") {
                return Ok(format!("{}{}{}", &s[..close], body, &s[close..]).into_bytes());
            }
            // An empty part written as `<w:comments .../>`.
            let start = s
                .find("<w:comments")
                .ok_or_else(|| RedlineError::Corrupt(format!("{COMMENTS} has no w:comments")))?;
            let end = s[start..]
                .find("/>")
                .map(|i| start + i)
                .ok_or_else(|| RedlineError::Corrupt(format!("{COMMENTS} is cut short")))?;
            Ok(format!("{}>{}</w:comments>{}", &s[..end], body, &s[end + 2..]).into_bytes())
        }
        None => Ok(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:comments xmlns:w=\"{W_NS}\">{body}</w:comments>"
        )
        .into_bytes()),
    }
}

fn add_relationship(rels: Option<&[u8]>) -> Result<Vec<u8>, RedlineError> {
    let s = rels.map(|r| String::from_utf8_lossy(r).into_owned()).unwrap_or_else(|| {
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"></Relationships>".into()
    });
    let mut n = 1;
    while s.contains(&format!("Id=\"rIdTL{n}\"")) {
        n += 1;
    }
    let rel =
        format!("<Relationship Id=\"rIdTL{n}\" Type=\"{COMMENTS_REL}\" Target=\"comments.xml\"/>");
    let close = s
        .rfind("</Relationships>")
        .ok_or_else(|| RedlineError::Corrupt(format!("{RELS} has no closing tag")))?;
    Ok(format!("{}{}{}", &s[..close], rel, &s[close..]).into_bytes())
}

fn add_override(types: &[u8]) -> Result<Vec<u8>, RedlineError> {
    let s = String::from_utf8_lossy(types);
    if s.contains("/word/comments.xml") {
        return Ok(types.to_vec());
    }
    let o = format!("<Override PartName=\"/word/comments.xml\" ContentType=\"{COMMENTS_TYPE}\"/>");
    let close = s
        .rfind("</Types>")
        .ok_or_else(|| RedlineError::Corrupt(format!("{TYPES} has no closing tag")))?;
    Ok(format!("{}{}{}", &s[..close], o, &s[close..]).into_bytes())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::document::{Anchor, Block, BlockKind, Format, Piece};

    pub(crate) fn build_docx(document_xml: &str) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default();
        let parts = [
            (
                TYPES,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>".to_string(),
            ),
            (
                "_rels/.rels",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>".to_string(),
            ),
            (MAIN, document_xml.to_string()),
            (
                "word/styles.xml",
                format!("<?xml version=\"1.0\"?><w:styles xmlns:w=\"{W_NS}\"/>"),
            ),
        ];
        for (name, body) in parts {
            w.start_file(name, o).unwrap();
            w.write_all(body.as_bytes()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    pub(crate) fn body(paragraphs: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"{W_NS}\"><w:body>{paragraphs}<w:sectPr/></w:body></w:document>"
        )
    }

    /// A document whose second paragraph is split over three runs, the middle one bold:
    /// "All rights shall " + "remain with" + " the Contractor."
    fn sample() -> (Vec<u8>, Document) {
        let xml = body(
            "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr><w:r><w:t>Intellectual property</w:t></w:r></w:p>\
             <w:p><w:r w:rsidR=\"00A1\"><w:t xml:space=\"preserve\">All rights shall </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>remain with</w:t></w:r><w:r><w:t xml:space=\"preserve\"> the Contractor &amp; its affiliates.</w:t></w:r></w:p>",
        );
        let mut doc = Document::new("t.docx", Format::Docx);
        let mut h = Block::new(BlockKind::Heading { level: 1 }, "Intellectual property");
        h.anchor = Anchor {
            part: MAIN.into(),
            index: 0,
        };
        h.pieces = vec![Piece {
            range: 0..21,
            run: 0,
            offset: 0,
        }];
        let text = "All rights shall remain with the Contractor & its affiliates.";
        let mut p = Block::new(BlockKind::Paragraph, text);
        p.anchor = Anchor {
            part: MAIN.into(),
            index: 1,
        };
        p.pieces = vec![
            Piece {
                range: 0..17,
                run: 1,
                offset: 0,
            },
            Piece {
                range: 17..28,
                run: 2,
                offset: 0,
            },
            Piece {
                range: 28..text.len(),
                run: 3,
                offset: 0,
            },
        ];
        doc.blocks = vec![h, p];
        (build_docx(&xml), doc)
    }

    fn stamp() -> Stamp {
        Stamp {
            author: "tenderlint".into(),
            date: "2026-01-01T00:00:00Z".into(),
        }
    }

    fn part(bytes: &[u8], name: &str) -> String {
        let mut a = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        a.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    /// Accepts all changes in document.xml text the simple way: drop w:del elements, keep w:ins
    /// content, then collect w:t text per paragraph.
    fn accepted_text(xml: &str) -> Vec<String> {
        let mut reader = Reader::from_str(xml);
        let mut out = Vec::new();
        let mut cur = String::new();
        let mut in_del = 0;
        let mut in_t = false;
        loop {
            match reader.read_event().unwrap() {
                Event::Eof => break,
                Event::Start(e) if local(e.name().as_ref()) == "del" => in_del += 1,
                Event::End(e) if local(e.name().as_ref()) == "del" => in_del -= 1,
                Event::Start(e) if local(e.name().as_ref()) == "t" => in_t = true,
                Event::End(e) if local(e.name().as_ref()) == "t" => in_t = false,
                Event::End(e) if local(e.name().as_ref()) == "p" => {
                    out.push(std::mem::take(&mut cur))
                }
                Event::Text(t) if in_t && in_del == 0 => cur.push_str(&t.xml10_content()),
                Event::GeneralRef(r) if in_t && in_del == 0 && r.as_ref() == "amp" => cur.push('&'),
                _ => {}
            }
        }
        out
    }

    #[test]
    fn tracked_change_across_runs_keeps_formatting_and_other_parts() {
        let (input, doc) = sample();
        // Replace "remain with the Contractor" (17..43) with new text.
        let edits = vec![Edit {
            block: Some(1),
            start: 17,
            end: 43,
            comment: "[blocker] Supplier keeps the rights\nWhy it matters.".into(),
            replacement: Some("vest in the Authority".into()),
        }];
        let out = redline(&input, &doc, &edits, &stamp(), &Limits::default()).unwrap();
        let xml = part(&out, MAIN);
        assert_eq!(xml.matches("<w:del ").count(), 2, "{xml}");
        assert_eq!(xml.matches("<w:ins ").count(), 1);
        assert!(xml.contains("<w:delText xml:space=\"preserve\">remain with</w:delText>"));
        assert!(xml.contains("<w:delText xml:space=\"preserve\"> the Contractor</w:delText>"));
        assert!(xml.contains("w:author=\"tenderlint\""));
        // The bold run's properties travel with its deleted piece.
        assert!(xml.contains("<w:del w:id=\"2\" w:author=\"tenderlint\" w:date=\"2026-01-01T00:00:00Z\"><w:r><w:rPr><w:b/></w:rPr><w:delText"));
        let paras = accepted_text(&xml);
        assert_eq!(
            paras[1],
            "All rights shall vest in the Authority & its affiliates."
        );
        assert_eq!(xml.matches("<w:commentRangeStart").count(), 1);
        assert_eq!(xml.matches("<w:commentReference").count(), 1);
        let comments = part(&out, COMMENTS);
        assert!(comments.contains("Supplier keeps the rights"));
        assert!(part(&out, RELS).contains("comments.xml"));
        assert!(part(&out, TYPES).contains("/word/comments.xml"));
        // Untouched parts are identical.
        assert_eq!(
            part(&out, "word/styles.xml"),
            part(&input, "word/styles.xml")
        );
        assert_eq!(part(&out, "_rels/.rels"), part(&input, "_rels/.rels"));
    }

    #[test]
    fn comment_only_and_document_level_findings() {
        let (input, doc) = sample();
        let edits = vec![
            Edit {
                block: Some(1),
                start: 4,
                end: 10,
                comment: "on rights".into(),
                replacement: None,
            },
            Edit {
                block: None,
                start: 0,
                end: 0,
                comment: "missing exit clause".into(),
                replacement: None,
            },
        ];
        let out = redline(&input, &doc, &edits, &stamp(), &Limits::default()).unwrap();
        let xml = part(&out, MAIN);
        assert_eq!(xml.matches("<w:commentRangeStart").count(), 2);
        assert_eq!(xml.matches("<w:commentRangeEnd").count(), 2);
        assert!(!xml.contains("<w:del "));
        // The document-level comment sits after the first paragraph's properties.
        assert!(
            xml.contains("</w:pPr><w:commentRangeStart w:id=\"2\"/>"),
            "{xml}"
        );
        // The text itself is unchanged.
        let paras = accepted_text(&xml);
        assert_eq!(
            paras[1],
            "All rights shall remain with the Contractor & its affiliates."
        );
        assert_eq!(part(&out, COMMENTS).matches("<w:comment ").count(), 2);
    }

    #[test]
    fn libreoffice_opens_the_redlined_copy() {
        if std::process::Command::new("soffice")
            .arg("--version")
            .output()
            .is_err()
        {
            println!("SKIPPED: soffice (LibreOffice) not installed");
            return;
        }
        let (input, doc) = sample();
        let edits = vec![Edit {
            block: Some(1),
            start: 17,
            end: 43,
            comment: "c".into(),
            replacement: Some("vest in the Authority".into()),
        }];
        let out = redline(&input, &doc, &edits, &stamp(), &Limits::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("red.docx");
        std::fs::write(&path, out).unwrap();
        let status = std::process::Command::new("soffice")
            .args([
                "--headless",
                "--convert-to",
                "txt:Text (encoded):UTF8",
                "--outdir",
            ])
            .arg(dir.path())
            .arg(&path)
            .env("HOME", dir.path())
            .output()
            .unwrap();
        assert!(status.status.success());
        let txt = std::fs::read_to_string(dir.path().join("red.txt")).unwrap();
        assert!(txt.contains("vest in the Authority"), "{txt}");
    }

    #[test]
    fn ids_do_not_collide_with_existing_annotations() {
        assert_eq!(
            max_id(b"<w:ins w:id=\"41\"/><w:bookmarkStart w:id=\"7\"/>"),
            41
        );
        assert_eq!(max_id(b"no ids"), 0);
    }

    #[test]
    fn the_input_bytes_are_untouched() {
        let (input, doc) = sample();
        let copy = input.clone();
        let edits = vec![Edit {
            block: Some(1),
            start: 0,
            end: 3,
            comment: "c".into(),
            replacement: Some("Every".into()),
        }];
        let out = redline(&input, &doc, &edits, &stamp(), &Limits::default()).unwrap();
        assert_eq!(input, copy);
        assert_eq!(
            accepted_text(&part(&out, MAIN))[1],
            "Every rights shall remain with the Contractor & its affiliates."
        );
    }
}
