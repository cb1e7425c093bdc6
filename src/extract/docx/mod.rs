//! DOCX reader: the package (relationships, parts) -> [`Document`].
//!
//! This module owns finding the parts of a WordprocessingML package through its relationships
//! and putting the blocks of every part in reading order; `body` walks one part, `numbering` and
//! `styles` rebuild list and heading numbers. Container and XML safety live in `zipx` and `xml`.
//!
//! Reading order of the result: body blocks, each footnote or endnote right after the paragraph
//! (or table cell) that first refers to it, then notes nobody refers to, then comments, headers
//! and footers (each header/footer part once, in the order the sections refer to them).
//!
//! Design decisions: docx-rs's reader is not used (it hangs on truncated XML, panics on corrupt
//! deflate and drops footnotes); names are matched by namespace class and local name, so Strict
//! OOXML reads like Transitional; external relationships (`TargetMode="External"`) are never
//! followed. Tracked changes are read as if accepted: insertions and moves-to are shown,
//! deletions and moves-from are not, and each is recorded in [`Document::tracked_changes`].

pub(crate) mod body;
pub(crate) mod numbering;
mod styles;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::document::{BlockKind, Document, Format};
use crate::error::ErrorKind;
use crate::extract::clause::assign_heading_paths;
use crate::extract::xml::{self, Deadline, Element, Ns};
use crate::extract::zipx::{self, Container};
use crate::limits::Limits;

use body::{Collect, Walker};
use numbering::Numbering;
use styles::Styles;

const FORMAT: &str = "docx";

/// One relationship of a part: its type's last path segment ("footnotes"), its resolved target.
#[derive(Debug, Clone)]
struct Rel {
    kind: String,
    target: Option<String>,
}

/// Reads a DOCX package. Errors: `Corrupt` (naming the part), `Limit`, `Encrypted`, `Timeout`.
pub fn read(path: &Path, bytes: &[u8], limits: &Limits) -> Result<Document, ErrorKind> {
    let deadline = Deadline::new(limits);
    let mut zip = Container::open(bytes, FORMAT, limits)?;
    let package_rels = rels(&mut zip, "", limits, &deadline)?;
    let main = find(&package_rels, "officeDocument").unwrap_or_else(|| "word/document.xml".into());
    let Some(main_root) = part(&mut zip, &main, limits, &deadline)? else {
        return Err(ErrorKind::corrupt(FORMAT, format!("{main} is missing")));
    };
    let doc_rels = rels(&mut zip, &main, limits, &deadline)?;
    let locate = |kind: &str, default: &str| -> Option<String> {
        find(&doc_rels, kind).or_else(|| zip.has(default).then(|| default.to_string()))
    };
    let styles_name = locate("styles", "word/styles.xml");
    let numbering_name = locate("numbering", "word/numbering.xml");
    let notes_names = [
        locate("footnotes", "word/footnotes.xml"),
        locate("endnotes", "word/endnotes.xml"),
    ];
    let comments_name = locate("comments", "word/comments.xml");
    let styles = match styles_name {
        Some(p) => part(&mut zip, &p, limits, &deadline)?
            .map(|r| Styles::parse(&r))
            .unwrap_or_default(),
        None => Styles::default(),
    };
    let numbering = match numbering_name {
        Some(p) => part(&mut zip, &p, limits, &deadline)?
            .map(|r| Numbering::parse(&r))
            .unwrap_or_default(),
        None => Numbering::default(),
    };

    let mut doc = Document::new(path, Format::Docx);
    let mut changes = Vec::new();

    // Notes first, so the body walker can place each after its reference.
    let mut notes = body::Notes::default();
    for (name, endnote) in notes_names.into_iter().zip([false, true]) {
        let Some(name) = name else {
            continue;
        };
        let Some(root) = part(&mut zip, &name, limits, &deadline)? else {
            continue;
        };
        let mut w = Walker::new(&name, &styles, numbering.clone(), &deadline, 0);
        let note_tag = if endnote { "endnote" } else { "footnote" };
        for n in root.elements() {
            if !n.is(Ns::W, note_tag) {
                continue;
            }
            let separator = matches!(
                n.attr("type"),
                Some("separator" | "continuationSeparator" | "continuationNotice")
            );
            let mut col = Collect::new(true);
            w.blocks(n, Some(&mut col))?;
            let kind = if endnote {
                BlockKind::Endnote
            } else {
                BlockKind::Footnote
            };
            if let (false, Some(id), Some(b)) =
                (separator, n.attr("id"), col.into_block(kind, &name))
            {
                notes.insert(endnote, id.to_string(), b);
            }
        }
        changes.append(&mut w.changes);
    }

    let body_el = main_root.child(Ns::W, "body");
    let mut w = Walker::new(&main, &styles, numbering.clone(), &deadline, 0);
    w.notes = notes;
    if let Some(b) = body_el {
        w.blocks(b, None)?;
    }
    let notes = std::mem::take(&mut w.notes);
    doc.blocks.append(&mut w.out);
    doc.blocks.extend(notes.rest());
    // Tracked changes in body order first, then those in notes.
    let mut body_changes = std::mem::take(&mut w.changes);
    body_changes.append(&mut changes);
    changes = body_changes;

    let comments = match comments_name {
        Some(name) => part(&mut zip, &name, limits, &deadline)?.map(|root| (name, root)),
        None => None,
    };
    if let Some((name, root)) = comments {
        let mut w = Walker::new(&name, &styles, numbering.clone(), &deadline, 0);
        for c in root.elements().filter(|e| e.is(Ns::W, "comment")) {
            let mut col = Collect::new(true);
            w.blocks(c, Some(&mut col))?;
            let boxes: Vec<_> = w.out.drain(..).collect();
            if let Some(b) = col.into_block(BlockKind::Comment, &name) {
                doc.blocks.push(b);
            }
            for mut b in boxes {
                b.kind = BlockKind::Comment;
                doc.blocks.push(b);
            }
        }
    }

    // Headers and footers, each part once, in the order sections refer to them.
    let mut seen = HashSet::new();
    if let Some(b) = body_el {
        for r in b.descendants() {
            let kind = if r.is(Ns::W, "headerReference") {
                BlockKind::Header
            } else if r.is(Ns::W, "footerReference") {
                BlockKind::Footer
            } else {
                continue;
            };
            let Some(Some(target)) = r
                .attr("id")
                .and_then(|id| doc_rels.get(id))
                .map(|rel| rel.target.clone())
            else {
                continue;
            };
            if !seen.insert(target.clone()) {
                continue;
            }
            let Some(root) = part(&mut zip, &target, limits, &deadline)? else {
                continue;
            };
            let mut w = Walker::new(&target, &styles, numbering.clone(), &deadline, 0);
            let mut col = Collect::new(true);
            w.blocks(&root, Some(&mut col))?;
            let boxes: Vec<_> = w.out.drain(..).collect();
            if let Some(b) = col.into_block(kind.clone(), &target) {
                doc.blocks.push(b);
            }
            // A text box in a header is page furniture too.
            for mut b in boxes {
                b.kind = kind.clone();
                doc.blocks.push(b);
            }
        }
    }

    let core = find(&package_rels, "core-properties").or_else(|| {
        zip.has("docProps/core.xml")
            .then(|| "docProps/core.xml".to_string())
    });
    let core = match core {
        Some(name) => part(&mut zip, &name, limits, &deadline)?,
        None => None,
    };
    if let Some(root) = core {
        doc.title = root
            .elements()
            .find(|e| e.is(Ns::Dc, "title"))
            .map(|t| t.text().trim().to_string())
            .filter(|t| !t.is_empty());
    }

    let n = changes.len();
    doc.tracked_changes = changes;
    if n > 0 {
        doc.warnings.push(format!(
            "document carries {n} unaccepted tracked change{}",
            if n == 1 { "" } else { "s" }
        ));
    }
    assign_heading_paths(&mut doc.blocks);
    Ok(doc)
}

/// Parses a part, or `Ok(None)` when the package has no such entry.
fn part(
    zip: &mut Container<'_>,
    name: &str,
    limits: &Limits,
    deadline: &Deadline,
) -> Result<Option<Element>, ErrorKind> {
    deadline.check()?;
    match zip.read(name)? {
        None => Ok(None),
        Some(bytes) => xml::parse(&bytes, FORMAT, name, limits, deadline).map(Some),
    }
}

/// The relationships of `source` ("" for the package), by id. External targets have no target.
fn rels(
    zip: &mut Container<'_>,
    source: &str,
    limits: &Limits,
    deadline: &Deadline,
) -> Result<HashMap<String, Rel>, ErrorKind> {
    let rels_name = match source.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None if source.is_empty() => "_rels/.rels".to_string(),
        None => format!("_rels/{source}.rels"),
    };
    let mut out = HashMap::new();
    let Some(root) = part(zip, &rels_name, limits, deadline)? else {
        return Ok(out);
    };
    for r in root.elements().filter(|e| e.name == "Relationship") {
        let (Some(id), Some(kind), Some(target)) = (r.attr("Id"), r.attr("Type"), r.attr("Target"))
        else {
            continue;
        };
        let external = r
            .attr("TargetMode")
            .is_some_and(|m| m.eq_ignore_ascii_case("external"));
        let kind = kind.rsplit('/').next().unwrap_or(kind).to_string();
        let target = if external {
            None
        } else {
            zipx::resolve(source, target)
        };
        out.insert(id.to_string(), Rel { kind, target });
    }
    Ok(out)
}

/// The target of the first relationship of this kind, in id order for stable results.
fn find(rels: &HashMap<String, Rel>, kind: &str) -> Option<String> {
    let mut ids: Vec<&String> = rels.keys().collect();
    ids.sort();
    ids.into_iter()
        .filter_map(|id| rels.get(id))
        .find(|r| r.kind == kind && r.target.is_some())
        .and_then(|r| r.target.clone())
}
