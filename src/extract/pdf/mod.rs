//! PDF reader: lopdf parses the file (objects, filters, decryption); everything above it is
//! ours: the page-tree walk with limits, content-stream interpretation (`content`), fonts and
//! ToUnicode (`fonts`), layout into lines and columns (`layout`), and blocks with page furniture
//! and hyphenation (`blocks`).
//!
//! Design: pages are interpreted in parallel (rayon) into rows of positioned text; furniture
//! detection needs all pages, so it and block building run once over the rows afterwards. We do
//! not use lopdf's `extract_text`: it loses positions, so it cannot order columns, find headers
//! or undo hyphenation. Every limit in [`Limits`] is enforced here or in `objects`: page count
//! (checked against `/Count` before walking and while walking), page-tree and form-XObject
//! depth, cycles, decompressed bytes per stream and per document, and the wall-clock budget.

mod blocks;
mod content;
mod fonts;
mod layout;
mod lexer;
mod objects;

#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use lopdf::{Dictionary, Object, ObjectId};

use crate::document::{Document, Format};
use crate::error::ErrorKind;
use crate::extract::clause::assign_heading_paths;
use crate::limits::Limits;

pub use blocks::Geometry;
use blocks::PageRows;
use content::{FontCache, Interp};
use layout::Row;
use objects::Objects;

/// What a page yielded, for the document's warnings.
struct PageStats {
    glyphs: usize,
    unmapped: usize,
}

/// A leaf of the page tree with what it inherits.
struct PageRef<'d> {
    dict: &'d Dictionary,
    resources: Option<&'d Dictionary>,
    media: [f32; 4],
}

pub fn read(path: &Path, bytes: &[u8], limits: &Limits) -> Result<Document, ErrorKind> {
    read_with_geometry(path, bytes, limits).map(|(doc, _)| doc)
}

/// [`read`], plus where each block's lines are on its page (parallel to `Document::blocks`),
/// for the PDF annotation export.
pub fn read_with_geometry(
    path: &Path,
    bytes: &[u8],
    limits: &Limits,
) -> Result<(Document, Vec<Geometry>), ErrorKind> {
    let start = Instant::now();
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(usize::try_from(limits.max_entry_bytes).unwrap_or(usize::MAX)),
        ..lopdf::LoadOptions::default()
    };
    let pdf = lopdf::Document::load_mem_with_options(bytes, options).map_err(load_error)?;
    if pdf.trailer.has(b"Encrypt") {
        // lopdf tries the empty user password itself; the dictionary stays only when it failed.
        return Err(ErrorKind::Encrypted("a password is needed".into()));
    }
    let objs = Objects::new(&pdf, limits);
    let pages = walk_pages(&objs)?;
    if let Some(e) = objs.error() {
        return Err(e);
    }
    let fonts: FontCache = Mutex::new(Default::default());
    let numbered: Vec<(u32, &_)> = (1u32..).zip(pages.iter()).collect();
    let results: Vec<Result<(PageRows, PageStats), ErrorKind>> =
        crate::par::map(&numbered, |&(n, p)| read_page(&objs, &fonts, p, n, start));
    let mut page_rows = Vec::with_capacity(results.len());
    let mut glyphs = 0usize;
    let mut unmapped = 0usize;
    let mut empty_pages = Vec::new();
    for r in results {
        let (rows, stats) = r?;
        glyphs += stats.glyphs;
        unmapped += stats.unmapped;
        if stats.glyphs == 0 {
            empty_pages.push(rows.number);
        }
        page_rows.push(rows);
    }
    if let Some(e) = objs.error() {
        return Err(e);
    }
    if glyphs == 0 {
        return Err(ErrorKind::NoTextLayer);
    }
    let mut doc = Document::new(path, Format::Pdf);
    doc.pages = Some(page_rows.len() as u32);
    if !empty_pages.is_empty() {
        let list: Vec<String> = empty_pages.iter().take(20).map(u32::to_string).collect();
        let more = if empty_pages.len() > 20 { ", ..." } else { "" };
        doc.warnings.push(format!(
            "{} of {} pages have no text layer (scanned?): pages {}{more}",
            empty_pages.len(),
            page_rows.len(),
            list.join(", ")
        ));
    }
    if unmapped * 20 > glyphs + unmapped {
        doc.warnings.push(format!(
            "{unmapped} of {} glyphs have no Unicode mapping in their font; text may be missing",
            glyphs + unmapped
        ));
    }
    doc.title = info_title(&pdf);
    let (blocks, geometry) = build_blocks(page_rows);
    doc.blocks = blocks;
    if doc.blocks.iter().all(|b| b.kind.is_furniture()) {
        return Err(ErrorKind::NoTextLayer);
    }
    assign_heading_paths(&mut doc.blocks);
    if start.elapsed() > limits.timeout {
        return Err(ErrorKind::Timeout(limits.timeout.as_secs()));
    }
    Ok((doc, geometry))
}

fn load_error(e: lopdf::Error) -> ErrorKind {
    match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { limit }) => {
            ErrorKind::limit(
                "decompressed bytes per pdf stream",
                limit as u64,
                limit as u64 + 1,
            )
        }
        lopdf::Error::InvalidPassword => ErrorKind::Encrypted("a password is needed".into()),
        e => ErrorKind::corrupt("pdf", e),
    }
}

fn info_title(pdf: &lopdf::Document) -> Option<String> {
    let info = pdf.trailer.get(b"Info").ok()?;
    let info = match info {
        Object::Reference(id) => pdf.get_dictionary(*id).ok()?,
        Object::Dictionary(d) => d,
        _ => return None,
    };
    let title = info.get(b"Title").ok()?;
    let title = match title {
        Object::Reference(id) => pdf.get_object(*id).ok()?,
        o => o,
    };
    let t = lopdf::decode_text_string(title).ok()?;
    let t = blocks::clean(&t);
    (!t.is_empty()).then_some(t)
}

/// Walks the page tree in order, stopping at `max_pages`, `max_pdf_depth` and cycles.
fn walk_pages<'d>(objs: &'d Objects<'d>) -> Result<Vec<PageRef<'d>>, ErrorKind> {
    let limits = objs.limits;
    let doc = objs.doc;
    let root = doc
        .trailer
        .get(b"Root")
        .ok()
        .and_then(|r| objs.dict(Some(r)))
        .ok_or_else(|| ErrorKind::corrupt("pdf", "no document catalog"))?;
    let pages_entry = root
        .get(b"Pages")
        .map_err(|_| ErrorKind::corrupt("pdf", "no page tree"))?;
    let top = objs
        .dict(Some(pages_entry))
        .ok_or_else(|| ErrorKind::corrupt("pdf", "page tree root is not a dictionary"))?;
    if let Some(count) = objs.number(top.get(b"Count").ok())
        && count > limits.max_pages as f32
    {
        return Err(ErrorKind::limit(
            "pages",
            limits.max_pages as u64,
            count as u64,
        ));
    }
    let mut out = Vec::new();
    let mut visited: HashSet<ObjectId> = HashSet::new();
    // (node, depth, inherited resources, inherited media box)
    let default_media = [0.0, 0.0, 612.0, 792.0];
    let mut stack: Vec<(&Object, usize, Option<&Dictionary>, [f32; 4])> =
        vec![(pages_entry, 0, None, default_media)];
    while let Some((node, depth, res, media)) = stack.pop() {
        if depth > limits.max_pdf_depth {
            return Err(ErrorKind::limit(
                "pdf page tree depth",
                limits.max_pdf_depth as u64,
                depth as u64,
            ));
        }
        if let Object::Reference(id) = node
            && !visited.insert(*id)
        {
            return Err(ErrorKind::corrupt(
                "pdf",
                format!("cycle in the page tree at object {} {} R", id.0, id.1),
            ));
        }
        let Some(dict) = objs.dict(Some(node)) else {
            continue;
        };
        let res = objs.dict(dict.get(b"Resources").ok()).or(res);
        let media = objs
            .array(dict.get(b"MediaBox").ok())
            .and_then(|a| {
                let v: Vec<f32> = a.iter().filter_map(|o| objs.number(Some(o))).collect();
                (v.len() == 4).then(|| {
                    [
                        v[0].min(v[2]),
                        v[1].min(v[3]),
                        v[0].max(v[2]),
                        v[1].max(v[3]),
                    ]
                })
            })
            .unwrap_or(media);
        let kids = objs.array(dict.get(b"Kids").ok());
        let is_pages = objs.name(dict.get(b"Type").ok()).as_deref() == Some(b"Pages");
        match kids {
            Some(kids) if is_pages || !dict.has(b"Contents") => {
                for k in kids.iter().rev() {
                    stack.push((k, depth + 1, res, media));
                }
                if stack.len() > limits.max_pages.saturating_mul(4).max(1024) {
                    return Err(ErrorKind::limit(
                        "pages",
                        limits.max_pages as u64,
                        stack.len() as u64,
                    ));
                }
            }
            _ => {
                out.push(PageRef {
                    dict,
                    resources: res,
                    media,
                });
                if out.len() > limits.max_pages {
                    return Err(ErrorKind::limit(
                        "pages",
                        limits.max_pages as u64,
                        out.len() as u64,
                    ));
                }
            }
        }
    }
    Ok(out)
}

fn read_page(
    objs: &Objects,
    fonts: &FontCache,
    page: &PageRef,
    number: u32,
    start: Instant,
) -> Result<(PageRows, PageStats), ErrorKind> {
    if start.elapsed() > objs.limits.timeout {
        return Err(ErrorKind::Timeout(objs.limits.timeout.as_secs()));
    }
    if let Some(e) = objs.error() {
        return Err(e);
    }
    let mut interp = Interp::new(objs, fonts, start);
    let contents = page.dict.get(b"Contents").ok();
    let streams: Vec<&Object> = match objs.resolve(contents) {
        Some(Object::Array(a)) => a.iter().collect(),
        Some(o @ Object::Stream(_)) => vec![o],
        _ => Vec::new(),
    };
    let mut data = Vec::new();
    for s in streams.into_iter().take(10_000) {
        if let Some(d) = objs.stream_data(Some(s)) {
            data.extend_from_slice(&d);
            data.push(b'\n');
        }
        if let Some(e) = objs.error() {
            return Err(e);
        }
    }
    interp.run(&data, page.resources)?;
    let stats = PageStats {
        glyphs: interp.out.glyphs.len(),
        unmapped: interp.out.unmapped,
    };
    let media = interp.out.normalise_direction(page.media);
    let rows = layout::page_rows(&interp.out);
    Ok((
        PageRows {
            number,
            media,
            rows,
        },
        stats,
    ))
}

fn build_blocks(pages: Vec<PageRows>) -> (Vec<crate::document::Block>, Vec<Geometry>) {
    let marks = blocks::furniture(&pages);
    let texts: Vec<String> = pages
        .iter()
        .flat_map(|p| p.rows.iter().map(|r| r.text()))
        .collect();
    let attested = blocks::attested_compounds(texts.iter().map(String::as_str));
    let mut builder = blocks::Builder::new(&attested);
    for (page, marks) in pages.into_iter().zip(marks) {
        let number = page.number;
        let mut body: Vec<Row> = Vec::new();
        let mut footers = Vec::new();
        for (row, mark) in page.rows.into_iter().zip(marks) {
            match mark {
                Some(kind @ crate::document::BlockKind::Header) => {
                    builder.furniture(kind, &row.text(), number)
                }
                Some(kind) => footers.push((kind, row.text())),
                None => body.push(row),
            }
        }
        let notes = footnote_rows(&body, &page.media);
        let notes: Vec<Row> = body.split_off(body.len() - notes);
        for region in layout::regions(body) {
            builder.region(&region, number);
        }
        for note in footnotes(&notes) {
            builder.furniture(crate::document::BlockKind::Footnote, &note, number);
        }
        for (kind, text) in footers {
            builder.furniture(kind, &text, number);
        }
    }
    builder.finish()
}

/// How many rows at the bottom of a page's body are footnotes: smaller type than the page's
/// body text, in the lower half, the first of them starting with a note mark.
fn footnote_rows(rows: &[Row], media: &[f32; 4]) -> usize {
    let mut by_size: std::collections::HashMap<i32, usize> = Default::default();
    for r in rows {
        *by_size.entry((r.size * 2.0).round() as i32).or_default() +=
            r.frags.iter().map(|f| f.text.len()).sum::<usize>();
    }
    let Some(body) = by_size
        .iter()
        .max_by_key(|(s, n)| (**n, -**s))
        .map(|(s, _)| *s as f32 / 2.0)
    else {
        return 0;
    };
    let mid = (media[1] + media[3]) / 2.0;
    let mut count = 0;
    let mut found = 0;
    for (k, r) in rows.iter().enumerate().rev() {
        if r.size > 0.85 * body || r.y > mid || k == 0 {
            break;
        }
        count += 1;
        if starts_with_note_mark(&r.text()) {
            found = count;
        }
    }
    found
}

fn starts_with_note_mark(t: &str) -> bool {
    t.starts_with(|c: char| c.is_ascii_digit() || "*†‡¹²³⁴⁵⁶⁷⁸⁹".contains(c))
}

/// Footnote rows grouped into notes: a row starting with a note mark starts a note.
fn footnotes(rows: &[Row]) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    for r in rows {
        let t = r.text();
        match notes.last_mut() {
            Some(n) if !starts_with_note_mark(&t) => {
                n.push(' ');
                n.push_str(&t);
            }
            _ => {
                // "1See" (a superscript mark touching the text) reads "1 See".
                let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let t = if digits > 0 && t[digits..].starts_with(char::is_alphabetic) {
                    format!("{} {}", &t[..digits], &t[digits..])
                } else {
                    t
                };
                notes.push(t);
            }
        }
    }
    notes
}
