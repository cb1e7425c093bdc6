//! ODT and flat ODT (`.fodt`) reader: the package or single XML file -> [`Document`].
//!
//! This module owns which XML trees are read and in what order; `walker` reads one tree and
//! `styles` rebuilds list and outline numbers. Container and XML safety live in `zipx` and `xml`.
//!
//! Reading order of the result: body blocks, each note (`text:note`) right after the paragraph or
//! table cell that holds it, then annotations (`office:annotation`, as comments), then the
//! headers and footers of the master pages. Anchors: `content.xml` for the body and
//! `styles.xml` for headers and footers in a package; in a flat file the part is empty and
//! indices count over the whole file.
//!
//! Design decision: tracked changes are read as if accepted. Inserted text is already in the body
//! and is kept; deleted text lives only in `text:tracked-changes` and is not shown; both are
//! recorded in [`Document::tracked_changes`] with a warning.

mod styles;
mod walker;

#[cfg(test)]
mod tests;

use std::path::Path;

use crate::document::{Document, Format};
use crate::error::ErrorKind;
use crate::extract::clause::assign_heading_paths;
use crate::extract::xml::{self, Deadline, Element, Ns};
use crate::extract::zipx::Container;
use crate::limits::Limits;

use styles::OdtStyles;
use walker::Walker;

/// Reads an ODT package. Errors: `Corrupt` (naming the part), `Limit`, `Encrypted`, `Timeout`.
pub fn read(path: &Path, bytes: &[u8], limits: &Limits) -> Result<Document, ErrorKind> {
    let deadline = Deadline::new(limits);
    let mut zip = Container::open(bytes, "odt", limits)?;
    let manifest = zip.read("META-INF/manifest.xml")?;
    if manifest.is_some_and(|m| contains(&m, b"encryption-data")) {
        return Err(ErrorKind::Encrypted(
            "OpenDocument package is password protected".into(),
        ));
    }
    let mut part = |name: &str| -> Result<Option<Element>, ErrorKind> {
        deadline.check()?;
        match zip.read(name)? {
            None => Ok(None),
            Some(b) => xml::parse(&b, "odt", name, limits, &deadline).map(Some),
        }
    };
    let Some(content) = part("content.xml")? else {
        return Err(ErrorKind::corrupt("odt", "content.xml is missing"));
    };
    let styles_root = part("styles.xml")?;
    let meta = part("meta.xml")?;

    let mut roots = vec![&content];
    roots.extend(styles_root.as_ref());
    let styles = OdtStyles::parse(&roots);

    let mut body = Walker::new("content.xml", &styles, &deadline);
    body.root(&content)?;
    let mut furniture = Vec::new();
    if let Some(root) = &styles_root {
        let mut w = Walker::new("styles.xml", &styles, &deadline);
        w.root(root)?;
        furniture.append(&mut w.out);
        furniture.append(&mut w.furniture);
    }
    let mut doc = Document::new(path, Format::Odt);
    doc.title = meta.as_ref().and_then(title);
    finish(&mut doc, body, furniture);
    Ok(doc)
}

/// Reads a flat ODT: one `office:document` holding meta, styles, master pages and body.
pub fn read_flat(path: &Path, bytes: &[u8], limits: &Limits) -> Result<Document, ErrorKind> {
    let deadline = Deadline::new(limits);
    if bytes.len() as u64 > limits.max_entry_bytes {
        return Err(ErrorKind::limit(
            "decompressed bytes per zip entry",
            limits.max_entry_bytes,
            bytes.len() as u64,
        ));
    }
    let root = xml::parse(bytes, "fodt", "document", limits, &deadline)?;
    if !root.is(Ns::OdfOffice, "document") {
        return Err(ErrorKind::corrupt(
            "fodt",
            format!("root element is <{}>, not <office:document>", root.name),
        ));
    }
    let styles = OdtStyles::parse(&[&root]);
    let mut w = Walker::new("", &styles, &deadline);
    w.root(&root)?;
    let furniture = std::mem::take(&mut w.furniture);
    let mut doc = Document::new(path, Format::Fodt);
    doc.title = title(&root);
    finish(&mut doc, w, furniture);
    Ok(doc)
}

/// Body, annotations, furniture, tracked changes and the warning, in that order.
fn finish(doc: &mut Document, mut body: Walker<'_>, furniture: Vec<crate::document::Block>) {
    doc.blocks.append(&mut body.out);
    doc.blocks.append(&mut body.comments);
    doc.blocks.append(&mut body.furniture);
    doc.blocks.extend(furniture);
    let n = body.changes.len();
    doc.tracked_changes = std::mem::take(&mut body.changes);
    if n > 0 {
        doc.warnings.push(format!(
            "document carries {n} unaccepted tracked change{}",
            if n == 1 { "" } else { "s" }
        ));
    }
    assign_heading_paths(&mut doc.blocks);
}

/// `dc:title` from `office:meta` (in meta.xml's root or a flat document).
fn title(root: &Element) -> Option<String> {
    let meta = root.elements().find(|e| e.is(Ns::OdfOffice, "meta"))?;
    meta.elements()
        .find(|e| e.is(Ns::Dc, "title"))
        .map(|t| t.text().trim().to_string())
        .filter(|t| !t.is_empty())
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
