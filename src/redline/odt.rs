//! ODT and flat ODT redline: `office:annotation` / `office:annotation-end` around each finding and
//! ODF tracked changes (`text:tracked-changes` with a deletion and an insertion region, marked in
//! the body with `text:change` and `text:change-start`/`text:change-end`).
//!
//! `content.xml` (or the single flat-ODT file) is patched as an event stream; the zip's other
//! entries, `mimetype` first and stored, are copied raw. Positions follow the reader's offsets
//! contract ([`crate::document::Piece`]): `run` counts the text nodes (maximal runs of character
//! data, entities included) inside `text:p`/`text:h` elements of the part, `offset` is a byte
//! offset in that node's unescaped text.

use std::collections::HashMap;
use std::io::Cursor;

use quick_xml::events::{BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};

use super::docx::{read_entry, write_zip};
use super::{Edit, Marker, RedlineError, Stamp, escape, floor_char_boundary, run_ranges};
use crate::document::Document;
use crate::limits::Limits;

const CONTENT: &str = "content.xml";
const DC_NS: &str = "http://purl.org/dc/elements/1.1/";

/// Redlines an ODT (zip) or flat ODT (single XML) document.
pub fn redline(
    input: &[u8],
    doc: &Document,
    edits: &[Edit],
    stamp: &Stamp,
    limits: &Limits,
) -> Result<Vec<u8>, RedlineError> {
    if input.starts_with(b"PK") {
        let mut archive = zip::ZipArchive::new(Cursor::new(input))?;
        let content = read_entry(&mut archive, CONTENT, limits)?
            .ok_or_else(|| RedlineError::Corrupt(format!("no {CONTENT}")))?;
        let patched = patch(&content, doc, edits, stamp, CONTENT)?;
        let mut replaced = HashMap::new();
        replaced.insert(CONTENT.to_string(), patched);
        write_zip(&mut archive, replaced, Vec::new())
    } else {
        patch(input, doc, edits, stamp, "")
    }
}

struct Change {
    id: String,
    deletion: Option<String>,
}

fn patch(
    xml: &[u8],
    doc: &Document,
    edits: &[Edit],
    stamp: &Stamp,
    part: &str,
) -> Result<Vec<u8>, RedlineError> {
    let mut markers: HashMap<usize, Vec<(usize, Marker)>> = HashMap::new();
    let mut para_comments: HashMap<usize, Vec<u32>> = HashMap::new();
    let mut comments: HashMap<u32, String> = HashMap::new();
    // Document-level comments: a point annotation in the first body paragraph.
    let mut doc_comments: Vec<u32> = Vec::new();
    for (n, e) in edits.iter().enumerate() {
        let id = n as u32 + 1;
        let block = e.block.and_then(|b| doc.blocks.get(b).map(|bl| (b, bl)));
        let in_part = |p: &str| p == part || (part.is_empty() && p == CONTENT);
        match block {
            Some((b, bl)) if in_part(&bl.anchor.part) => {
                comments.insert(id, e.comment.clone());
                let ranges = run_ranges(doc, b, e.start, e.end);
                match (ranges.first(), ranges.last()) {
                    (Some(first), Some(last)) => {
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
                    _ => para_comments.entry(bl.anchor.index).or_default().push(id),
                }
            }
            Some((_, bl)) => {
                comments.insert(id, format!("(in {}) {}", bl.anchor.part, e.comment));
                doc_comments.push(id);
            }
            None => {
                comments.insert(id, e.comment.clone());
                doc_comments.push(id);
            }
        }
    }
    for list in markers.values_mut() {
        list.sort_by_key(|(off, m)| (*off, m.rank()));
    }

    let mut reader = Reader::from_reader(xml);
    reader.config_mut().trim_text(false);
    let mut w = Writer::new(Vec::with_capacity(xml.len() + 4096));
    let mut para_depth = 0usize;
    let mut p_index = 0usize;
    let mut p_stack: Vec<usize> = Vec::new();
    let mut node_index = 0usize;
    let mut pending = String::new();
    let mut pending_raw: Vec<Event<'static>> = Vec::new();
    let mut changes: Vec<Change> = Vec::new();
    let mut deleting: Option<usize> = None;
    // Inside the change log or an annotation: not body text.
    let mut aside = 0usize;
    let mut buf = Vec::new();
    let mut ctx = Ctx {
        stamp,
        comments: &comments,
    };
    loop {
        let ev = reader.read_event_into(&mut buf)?.into_owned();
        buf.clear();
        let is_text = matches!(ev, Event::Text(_) | Event::GeneralRef(_) | Event::CData(_));
        if para_depth > 0 && is_text {
            match &ev {
                Event::Text(t) => pending.push_str(&t.xml10_content()),
                Event::CData(c) => pending.push_str(c.as_ref()),
                Event::GeneralRef(r) => {
                    pending.push_str(&resolve(r.as_ref(), r.resolve_char_ref().ok().flatten()))
                }
                _ => {}
            }
            pending_raw.push(ev);
            continue;
        }
        if !pending_raw.is_empty() {
            let marks = markers.remove(&node_index).unwrap_or_default();
            node_index += 1;
            if marks.is_empty() && deleting.is_none() {
                for e in pending_raw.drain(..) {
                    w.write_event(e)?;
                }
            } else {
                pending_raw.clear();
                emit_text(
                    &mut w,
                    &pending,
                    &marks,
                    &mut deleting,
                    &mut changes,
                    &mut ctx,
                )?;
            }
            pending.clear();
        }
        match ev {
            Event::Eof => break,
            Event::Start(ref e) if is_aside(e.name().as_ref()) => {
                aside += 1;
                w.write_event(ev)?;
            }
            Event::End(ref e) if is_aside(e.name().as_ref()) => {
                aside = aside.saturating_sub(1);
                w.write_event(ev)?;
            }
            Event::Start(ref e) if is_para(e) => {
                para_depth += 1;
                p_stack.push(p_index);
                w.write_event(ev.clone())?;
                if aside == 0 {
                    for id in doc_comments.drain(..) {
                        ctx.annotation(&mut w, id)?;
                    }
                }
                if let Some(ids) = para_comments.get(&p_index) {
                    for id in ids {
                        ctx.annotation(&mut w, *id)?;
                    }
                }
                p_index += 1;
            }
            Event::Empty(ref e) if is_para(e) => {
                let here: Vec<u32> = if aside == 0 {
                    std::mem::take(&mut doc_comments)
                } else {
                    Vec::new()
                };
                if let Some(ids) = para_comments
                    .get(&p_index)
                    .cloned()
                    .or((!here.is_empty()).then(Vec::new))
                {
                    let name = e.name().as_ref().to_string();
                    w.write_event(Event::Start(e.clone()))?;
                    for id in here.iter().chain(ids.iter()) {
                        ctx.annotation(&mut w, *id)?;
                    }
                    w.write_event(Event::End(quick_xml::events::BytesEnd::new(name)))?;
                } else {
                    w.write_event(ev)?;
                }
                p_index += 1;
            }
            Event::End(ref e) if is_para_name(e.name().as_ref()) => {
                para_depth = para_depth.saturating_sub(1);
                if let Some(p) = p_stack.pop()
                    && let Some(ids) = para_comments.get(&p)
                {
                    for id in ids {
                        annotation_end(&mut w, *id)?;
                    }
                }
                w.write_event(ev)?;
            }
            other => w.write_event(other)?,
        }
    }
    let out = w.into_inner();
    if changes.is_empty() {
        return Ok(out);
    }
    insert_tracked_changes(out, &changes, stamp)
}

struct Ctx<'a> {
    stamp: &'a Stamp,
    comments: &'a HashMap<u32, String>,
}

impl Ctx<'_> {
    fn annotation(&mut self, w: &mut Writer<Vec<u8>>, id: u32) -> Result<(), RedlineError> {
        let text = self.comments.get(&id).cloned().unwrap_or_default();
        let mut s = BytesStart::new("office:annotation");
        s.push_attribute(("office:name", format!("tenderlint-{id}").as_str()));
        w.write_event(Event::Start(s))?;
        for (tag, value) in [
            ("dc:creator", &self.stamp.author),
            ("dc:date", &self.stamp.date),
        ] {
            let mut e = BytesStart::new(tag);
            e.push_attribute(("xmlns:dc", DC_NS));
            w.write_event(Event::Start(e))?;
            w.write_event(Event::Text(BytesText::new(value)))?;
            w.write_event(Event::End(quick_xml::events::BytesEnd::new(tag)))?;
        }
        for line in text.split('\n') {
            w.write_event(Event::Start(BytesStart::new("text:p")))?;
            w.write_event(Event::Text(BytesText::new(line)))?;
            w.write_event(Event::End(quick_xml::events::BytesEnd::new("text:p")))?;
        }
        w.write_event(Event::End(quick_xml::events::BytesEnd::new(
            "office:annotation",
        )))?;
        Ok(())
    }
}

fn annotation_end(w: &mut Writer<Vec<u8>>, id: u32) -> Result<(), RedlineError> {
    let mut s = BytesStart::new("office:annotation-end");
    s.push_attribute(("office:name", format!("tenderlint-{id}").as_str()));
    w.write_event(Event::Empty(s))?;
    Ok(())
}

/// Writes one text node split at its markers; deleted text is collected into its change.
fn emit_text(
    w: &mut Writer<Vec<u8>>,
    text: &str,
    marks: &[(usize, Marker)],
    deleting: &mut Option<usize>,
    changes: &mut Vec<Change>,
    ctx: &mut Ctx<'_>,
) -> Result<(), RedlineError> {
    let mut at = 0usize;
    let put = |w: &mut Writer<Vec<u8>>,
               piece: &str,
               deleting: &Option<usize>,
               changes: &mut Vec<Change>|
     -> Result<(), RedlineError> {
        if piece.is_empty() {
            return Ok(());
        }
        match deleting {
            Some(i) => {
                if let Some(Change {
                    deletion: Some(d), ..
                }) = changes.get_mut(*i)
                {
                    d.push_str(piece);
                }
            }
            None => w.write_event(Event::Text(BytesText::new(piece)))?,
        }
        Ok(())
    };
    for (off, m) in marks {
        let cut = floor_char_boundary(text, (*off).max(at));
        put(w, &text[at..cut], deleting, changes)?;
        at = cut;
        match m {
            Marker::CommentStart(id) => ctx.annotation(w, *id)?,
            Marker::CommentEnd(id) => annotation_end(w, *id)?,
            Marker::DelStart => {
                let id = format!("tenderlint-ct{}", changes.len() + 1);
                let mut e = BytesStart::new("text:change");
                e.push_attribute(("text:change-id", id.as_str()));
                w.write_event(Event::Empty(e))?;
                changes.push(Change {
                    id,
                    deletion: Some(String::new()),
                });
                *deleting = Some(changes.len() - 1);
            }
            Marker::DelEnd { ins } => {
                *deleting = None;
                let id = format!("tenderlint-ct{}", changes.len() + 1);
                let mut e = BytesStart::new("text:change-start");
                e.push_attribute(("text:change-id", id.as_str()));
                w.write_event(Event::Empty(e))?;
                w.write_event(Event::Text(BytesText::new(ins)))?;
                let mut e = BytesStart::new("text:change-end");
                e.push_attribute(("text:change-id", id.as_str()));
                w.write_event(Event::Empty(e))?;
                changes.push(Change { id, deletion: None });
            }
        }
    }
    put(w, &text[at..], deleting, changes)?;
    Ok(())
}

/// Adds the change regions to `text:tracked-changes` at the start of `office:text`.
fn insert_tracked_changes(
    out: Vec<u8>,
    changes: &[Change],
    stamp: &Stamp,
) -> Result<Vec<u8>, RedlineError> {
    let s = String::from_utf8(out).map_err(|e| RedlineError::Corrupt(e.to_string()))?;
    let info = format!(
        "<office:change-info><dc:creator xmlns:dc=\"{DC_NS}\">{}</dc:creator><dc:date xmlns:dc=\"{DC_NS}\">{}</dc:date></office:change-info>",
        escape(&stamp.author),
        escape(&stamp.date)
    );
    let mut regions = String::new();
    for c in changes {
        regions.push_str(&format!("<text:changed-region text:id=\"{}\">", c.id));
        match &c.deletion {
            Some(d) => regions.push_str(&format!(
                "<text:deletion>{info}<text:p>{}</text:p></text:deletion>",
                escape(d)
            )),
            None => regions.push_str(&format!("<text:insertion>{info}</text:insertion>")),
        }
        regions.push_str("</text:changed-region>");
    }
    if let Some(pos) = s.find("</text:tracked-changes>") {
        return Ok(format!("{}{}{}", &s[..pos], regions, &s[pos..]).into_bytes());
    }
    let start = s
        .find("<office:text")
        .ok_or_else(|| RedlineError::Corrupt("no office:text element".into()))?;
    let close = s[start..]
        .find('>')
        .map(|i| start + i + 1)
        .ok_or_else(|| RedlineError::Corrupt("unterminated office:text".into()))?;
    if s[..close].ends_with("/>") {
        return Err(RedlineError::Corrupt("empty office:text".into()));
    }
    Ok(format!(
        "{}<text:tracked-changes>{regions}</text:tracked-changes>{}",
        &s[..close],
        &s[close..]
    )
    .into_bytes())
}

fn is_aside(name: &str) -> bool {
    name == "text:tracked-changes" || name == "office:annotation"
}

fn is_para(e: &BytesStart<'_>) -> bool {
    is_para_name(e.name().as_ref())
}

fn is_para_name(name: &str) -> bool {
    name == "text:p" || name == "text:h"
}

fn resolve(name: &str, ch: Option<char>) -> String {
    if let Some(c) = ch {
        return c.to_string();
    }
    match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => "",
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;
    use crate::document::{Anchor, Block, BlockKind, Format, Piece};

    const NS: &str = "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.3\"";

    fn content(paras: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content {NS}><office:body><office:text>{paras}</office:text></office:body></office:document-content>"
        )
    }

    fn build_odt(content_xml: &str) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let o = zip::write::SimpleFileOptions::default();
        w.start_file("mimetype", stored).unwrap();
        w.write_all(b"application/vnd.oasis.opendocument.text")
            .unwrap();
        w.start_file("content.xml", o).unwrap();
        w.write_all(content_xml.as_bytes()).unwrap();
        w.start_file("META-INF/manifest.xml", o).unwrap();
        w.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.3\"><manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.text\"/><manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/></manifest:manifest>").unwrap();
        w.finish().unwrap().into_inner()
    }

    /// "All rights shall " + span("remain with") + " the Contractor &amp; co."
    fn sample() -> (Vec<u8>, Document) {
        let xml = content(
            "<text:h text:outline-level=\"1\">Intellectual property</text:h><text:p>All rights shall <text:span text:style-name=\"B\">remain with</text:span> the Contractor &amp; co.</text:p>",
        );
        let mut doc = Document::new("t.odt", Format::Odt);
        let mut h = Block::new(BlockKind::Heading { level: 1 }, "Intellectual property");
        h.anchor = Anchor {
            part: CONTENT.into(),
            index: 0,
        };
        h.pieces = vec![Piece {
            range: 0..21,
            run: 0,
            offset: 0,
        }];
        let text = "All rights shall remain with the Contractor & co.";
        let mut p = Block::new(BlockKind::Paragraph, text);
        p.anchor = Anchor {
            part: CONTENT.into(),
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
        (build_odt(&xml), doc)
    }

    fn stamp() -> Stamp {
        Stamp {
            author: "tenderlint".into(),
            date: "2026-01-01T00:00:00Z".into(),
        }
    }

    fn part(bytes: &[u8], name: &str) -> Vec<u8> {
        let mut a = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut s = Vec::new();
        a.by_name(name).unwrap().read_to_end(&mut s).unwrap();
        s
    }

    /// Body text per paragraph with all changes accepted: annotations and the change log skipped.
    fn accepted_text(xml: &str) -> Vec<String> {
        let mut reader = Reader::from_str(xml);
        let (mut out, mut cur, mut skip) = (Vec::new(), String::new(), 0);
        loop {
            match reader.read_event().unwrap() {
                Event::Eof => break,
                Event::Start(e)
                    if matches!(
                        e.name().as_ref(),
                        "office:annotation" | "text:tracked-changes"
                    ) =>
                {
                    skip += 1
                }
                Event::End(e)
                    if matches!(
                        e.name().as_ref(),
                        "office:annotation" | "text:tracked-changes"
                    ) =>
                {
                    skip -= 1
                }
                Event::End(e) if skip == 0 && is_para_name(e.name().as_ref()) => {
                    out.push(std::mem::take(&mut cur))
                }
                Event::Text(t) if skip == 0 => cur.push_str(&t.xml10_content()),
                Event::GeneralRef(r) if skip == 0 => cur.push_str(&resolve(r.as_ref(), None)),
                _ => {}
            }
        }
        out
    }

    #[test]
    fn change_across_spans_with_comment() {
        let (input, doc) = sample();
        let edits = vec![Edit {
            block: Some(1),
            start: 17,
            end: 43,
            comment: "[blocker] keeps rights".into(),
            replacement: Some("vest in the Authority".into()),
        }];
        let out = redline(&input, &doc, &edits, &stamp(), &Limits::default()).unwrap();
        let xml = String::from_utf8(part(&out, "content.xml")).unwrap();
        assert_eq!(xml.matches("<office:annotation ").count(), 1, "{xml}");
        assert_eq!(xml.matches("<office:annotation-end").count(), 1);
        assert_eq!(xml.matches("<text:changed-region").count(), 2);
        assert!(xml.contains("<text:deletion><office:change-info>"));
        assert!(
            xml.contains("<text:p>remain with the Contractor</text:p></text:deletion>"),
            "{xml}"
        );
        assert_eq!(
            accepted_text(&xml)[1],
            "All rights shall vest in the Authority & co."
        );
        // mimetype first and stored, manifest untouched.
        let mut a = zip::ZipArchive::new(Cursor::new(&out[..])).unwrap();
        assert_eq!(a.by_index(0).unwrap().name().unwrap(), "mimetype");
        assert_eq!(
            a.by_index(0).unwrap().compression(),
            zip::CompressionMethod::Stored
        );
        assert_eq!(
            part(&out, "META-INF/manifest.xml"),
            part(&input, "META-INF/manifest.xml")
        );
    }

    #[test]
    fn document_level_and_flat_odt() {
        let (_, doc) = sample();
        let flat = format!(
            "<?xml version=\"1.0\"?><office:document {NS}><office:body><office:text><text:h>Intellectual property</text:h><text:p>All rights shall <text:span>remain with</text:span> the Contractor &amp; co.</text:p></office:text></office:body></office:document>"
        );
        let mut doc = doc;
        for b in &mut doc.blocks {
            b.anchor.part = String::new();
        }
        let edits = vec![
            Edit {
                block: None,
                start: 0,
                end: 0,
                comment: "no exit plan".into(),
                replacement: None,
            },
            Edit {
                block: Some(1),
                start: 0,
                end: 3,
                comment: "c".into(),
                replacement: Some("Every".into()),
            },
        ];
        let out = redline(flat.as_bytes(), &doc, &edits, &stamp(), &Limits::default()).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert_eq!(xml.matches("<office:annotation ").count(), 2);
        assert_eq!(
            accepted_text(&xml)[1],
            "Every rights shall remain with the Contractor & co."
        );
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
        let path = dir.path().join("red.odt");
        std::fs::write(&path, out).unwrap();
        let o = std::process::Command::new("soffice")
            .args(["--headless", "--convert-to", "docx", "--outdir"])
            .arg(dir.path())
            .arg(&path)
            .env("HOME", dir.path())
            .output()
            .unwrap();
        assert!(o.status.success());
        let docx = std::fs::read(dir.path().join("red.docx")).unwrap();
        let xml = String::from_utf8(part(&docx, "word/document.xml")).unwrap();
        assert!(
            xml.contains("<w:ins"),
            "LibreOffice kept the insertion as a tracked change"
        );
        assert!(
            xml.contains("<w:del"),
            "LibreOffice kept the deletion as a tracked change"
        );
    }
}
