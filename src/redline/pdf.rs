//! PDF redline: adds a Highlight annotation over each finding's text and a Text (sticky note)
//! annotation with the finding's title and explanation beside it; document-level findings get a
//! note at the top of page 1.
//!
//! Positions come from the PDF reader's line geometry ([`read_with_geometry`]), re-read from the
//! same bytes so they match `doc.blocks` one to one; when they do not (a document read with other
//! limits, or another reader), findings still get their notes, placed at the top of the block's
//! page, but no highlight. The original objects are kept and only annotations are added, so text,
//! layout and bookmarks survive. Digital signatures do not: lopdf rewrites the file instead of
//! appending an incremental update, which is acceptable for a review copy.

use lopdf::{Object, ObjectId, dictionary};

use crate::document::Document;
use crate::error::ErrorKind;
use crate::extract::pdf::{Geometry, read_with_geometry};
use crate::finding::{Finding, Severity};
use crate::limits::Limits;

/// Who the annotations are from, as PDF viewers show it.
const AUTHOR: &str = "tenderlint";

/// A copy of `input` with one Text note per finding and a Highlight for each finding whose
/// position is known.
pub fn annotate(input: &[u8], findings: &[Finding], doc: &Document) -> Result<Vec<u8>, ErrorKind> {
    let geometry = match read_with_geometry(&doc.path, input, &Limits::default()) {
        Ok((read, geo)) if read.blocks.len() == doc.blocks.len() => Some(geo),
        _ => None,
    };
    let mut pdf = lopdf::Document::load_mem(input).map_err(|e| ErrorKind::corrupt("pdf", e))?;
    if pdf.trailer.has(b"Encrypt") {
        return Err(ErrorKind::Encrypted("a password is needed".into()));
    }
    let pages = pdf.get_pages();
    let Some((_, &first_page)) = pages.iter().next() else {
        return Err(ErrorKind::corrupt("pdf", "no pages"));
    };
    let mut added: Vec<(ObjectId, ObjectId)> = Vec::new();
    for f in findings {
        let block = f
            .location
            .block
            .and_then(|b| doc.blocks.get(b).map(|blk| (b, blk)));
        let page_no = block
            .and_then(|(_, b)| b.page)
            .or(f.location.page)
            .unwrap_or(1);
        let page_id = pages.get(&page_no).copied().unwrap_or(first_page);
        let media = media_box(&pdf, page_id);
        let quads = match (block, &geometry) {
            (Some((i, b)), Some(geo)) => geo
                .get(i)
                .map(|g| {
                    let start = f.location.start.unwrap_or(0);
                    let end = f.location.end.unwrap_or(b.text.len());
                    quads_for(g, start, end)
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let colour = match f.severity {
            Severity::Blocker => vec![1.0.into(), 0.55.into(), 0.55.into()],
            Severity::Warning => vec![1.0.into(), 0.85.into(), 0.3.into()],
            Severity::Info => vec![0.6.into(), 0.8.into(), 1.0.into()],
        };
        let note_text = format!("{}\n\n{}\n\n{}", f.title, f.message, f.explanation);
        let anchor = if let Some(r) = bounds(&quads) {
            [r[0], r[3]]
        } else {
            [media[0] + 20.0, media[3] - 20.0]
        };
        if let Some(r) = bounds(&quads) {
            let points: Vec<Object> = quads
                .iter()
                .flat_map(|q| [q[0], q[3], q[2], q[3], q[0], q[1], q[2], q[1]])
                .map(Object::from)
                .collect();
            let hl = pdf.add_object(dictionary! {
                "Type" => "Annot",
                "Subtype" => "Highlight",
                "Rect" => r.iter().map(|v| Object::from(*v)).collect::<Vec<_>>(),
                "QuadPoints" => points,
                "C" => colour.clone(),
                "F" => 4,
                "T" => lopdf::text_string(AUTHOR),
                "Contents" => lopdf::text_string(&f.title),
                "P" => page_id,
            });
            added.push((page_id, hl));
        }
        let x = (anchor[0] - 22.0).max(media[0] + 2.0);
        let y = anchor[1].min(media[3] - 2.0);
        let note = pdf.add_object(dictionary! {
            "Type" => "Annot",
            "Subtype" => "Text",
            "Rect" => vec![x.into(), (y - 18.0).into(), (x + 18.0).into(), y.into()],
            "Name" => "Comment",
            "Open" => false,
            "C" => colour,
            "F" => 4,
            "T" => lopdf::text_string(AUTHOR),
            "Contents" => lopdf::text_string(&note_text),
            "P" => page_id,
        });
        added.push((page_id, note));
    }
    for (page_id, annot) in added {
        add_annotation(&mut pdf, page_id, annot)?;
    }
    let mut out = Vec::new();
    pdf.save_to(&mut out)
        .map_err(|e| ErrorKind::Io(format!("cannot write the annotated pdf: {e}")))?;
    Ok(out)
}

/// Rectangles `[x0, y0, x1, y1]` over the part of each line that holds bytes `start..end` of
/// the block text, interpolated by byte position within the line.
fn quads_for(g: &Geometry, start: usize, end: usize) -> Vec<[f32; 4]> {
    g.lines
        .iter()
        .filter(|(r, _)| r.start < end && start < r.end.max(r.start + 1))
        .map(|(r, rect)| {
            let len = (r.end - r.start).max(1) as f32;
            let s = (start.max(r.start) - r.start) as f32 / len;
            let e = (end.min(r.end).max(r.start) - r.start) as f32 / len;
            let w = rect[2] - rect[0];
            [
                rect[0] + s.clamp(0.0, 1.0) * w,
                rect[1],
                rect[0] + e.clamp(0.0, 1.0) * w,
                rect[3],
            ]
        })
        .filter(|q| q[2] > q[0])
        .collect()
}

fn bounds(quads: &[[f32; 4]]) -> Option<[f32; 4]> {
    let first = quads.first()?;
    Some(quads.iter().fold(*first, |a, q| {
        [
            a[0].min(q[0]),
            a[1].min(q[1]),
            a[2].max(q[2]),
            a[3].max(q[3]),
        ]
    }))
}

fn media_box(pdf: &lopdf::Document, page: ObjectId) -> [f32; 4] {
    let mut node = pdf.get_dictionary(page).ok();
    for _ in 0..64 {
        let Some(d) = node else { break };
        if let Ok(Object::Array(a)) = d.get(b"MediaBox") {
            let v: Vec<f32> = a.iter().filter_map(|o| o.as_float().ok()).collect();
            if v.len() == 4 {
                return [v[0], v[1], v[2], v[3]];
            }
        }
        node = d
            .get(b"Parent")
            .and_then(Object::as_reference)
            .and_then(|id| pdf.get_dictionary(id))
            .ok();
    }
    [0.0, 0.0, 612.0, 792.0]
}

/// Appends `annot` to the page's `/Annots`, whether that is missing, inline or a reference.
fn add_annotation(
    pdf: &mut lopdf::Document,
    page: ObjectId,
    annot: ObjectId,
) -> Result<(), ErrorKind> {
    let existing = pdf
        .get_dictionary(page)
        .map_err(|e| ErrorKind::corrupt("pdf", e))?
        .get(b"Annots")
        .ok()
        .cloned();
    match existing {
        Some(Object::Reference(id)) => {
            if let Ok(Object::Array(a)) = pdf.get_object_mut(id) {
                a.push(Object::Reference(annot));
                return Ok(());
            }
            set_annots(pdf, page, vec![Object::Reference(annot)])
        }
        Some(Object::Array(mut a)) => {
            a.push(Object::Reference(annot));
            set_annots(pdf, page, a)
        }
        _ => set_annots(pdf, page, vec![Object::Reference(annot)]),
    }
}

fn set_annots(
    pdf: &mut lopdf::Document,
    page: ObjectId,
    annots: Vec<Object>,
) -> Result<(), ErrorKind> {
    pdf.get_dictionary_mut(page)
        .map_err(|e| ErrorKind::corrupt("pdf", e))?
        .set("Annots", annots);
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::process::Command;

    use lopdf::{Dictionary, Stream};

    use super::*;
    use crate::finding::{Category, Location};

    fn sample_pdf() -> Vec<u8> {
        let mut doc = lopdf::Document::with_version("1.7");
        let pages = doc.new_object_id();
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
        });
        let content = "BT /F1 12 Tf 72 720 Td (7.3 Licence) Tj ET\n\
                       BT /F1 10 Tf 72 690 Td (The Contractor keeps all intellectual property rights) Tj ET\n\
                       BT /F1 10 Tf 72 678 Td (in the software written for the Authority.) Tj ET\n";
        let c = doc.add_object(Stream::new(Dictionary::new(), content.as_bytes().to_vec()));
        let page =
            doc.add_object(dictionary! {"Type" => "Page", "Parent" => pages, "Contents" => c});
        doc.objects.insert(
            pages,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
                "Resources" => dictionary! {"Font" => dictionary! {"F1" => font}},
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            }),
        );
        let catalog = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages});
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    fn finding(block: Option<usize>, span: Option<(usize, usize)>) -> Finding {
        Finding {
            rule_id: "copyright-ownership/supplier-keeps-ipr".into(),
            category: Category::CopyrightOwnership,
            severity: Severity::Blocker,
            title: "Supplier keeps the copyright".into(),
            message: "rights in bespoke software stay with the contractor".into(),
            explanation: "The buyer paid for the work but cannot reuse or share it.".into(),
            excerpt: None,
            context: None,
            location: Location {
                block,
                start: span.map(|s| s.0),
                end: span.map(|s| s.1),
                ..Location::default()
            },
            suggestions: Vec::new(),
            references: Vec::new().into(),
            needs_legal_review: false,
            language: None,
            fingerprint: "0".into(),
        }
    }

    fn annotations(pdf: &lopdf::Document) -> Vec<(String, Vec<f32>)> {
        let mut out = Vec::new();
        for (_, id) in pdf.get_pages() {
            for a in pdf.get_page_annotations(id).unwrap_or_default() {
                let kind = a
                    .get(b"Subtype")
                    .and_then(Object::as_name)
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .unwrap_or_default();
                let quads = a
                    .get(b"QuadPoints")
                    .and_then(Object::as_array)
                    .map(|q| q.iter().filter_map(|o| o.as_float().ok()).collect())
                    .unwrap_or_default();
                out.push((kind, quads));
            }
        }
        out
    }

    #[test]
    fn each_finding_gets_a_note_and_located_ones_a_highlight() {
        let input = sample_pdf();
        let doc =
            crate::extract::read_bytes(Path::new("t.pdf"), &input, &Limits::default()).unwrap();
        let body = doc
            .blocks
            .iter()
            .position(|b| b.text.starts_with("The Contractor"))
            .unwrap();
        let at = doc.blocks[body].text.find("intellectual").unwrap();
        let findings = vec![
            finding(
                Some(body),
                Some((at, at + "intellectual property rights".len())),
            ),
            finding(Some(body), None),
            finding(None, None),
        ];
        let out = annotate(&input, &findings, &doc).unwrap();
        let pdf = lopdf::Document::load_mem(&out).unwrap();
        let annots = annotations(&pdf);
        let notes = annots.iter().filter(|(k, _)| k == "Text").count();
        let highlights: Vec<&Vec<f32>> = annots
            .iter()
            .filter(|(k, _)| k == "Highlight")
            .map(|(_, q)| q)
            .collect();
        assert_eq!(notes, findings.len());
        assert_eq!(highlights.len(), 2);
        // The first highlight covers part of the first line only: one quad, inside the line.
        assert_eq!(highlights[0].len(), 8);
        assert!(
            highlights[0][0] > 100.0 && highlights[0][2] < 400.0,
            "{:?}",
            highlights[0]
        );
        // The whole-block highlight covers both lines.
        assert_eq!(highlights[1].len(), 16);
        // The annotated copy still reads the same.
        let again =
            crate::extract::read_bytes(Path::new("t.pdf"), &out, &Limits::default()).unwrap();
        assert_eq!(again.plain_text(), doc.plain_text());
        if Command::new("pdftotext").arg("-v").output().is_err() {
            println!("SKIPPED: pdftotext not installed");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("annotated.pdf");
        std::fs::write(&path, &out).unwrap();
        let text = Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .unwrap();
        assert!(text.status.success());
        assert!(String::from_utf8_lossy(&text.stdout).contains("intellectual property"));
    }

    #[test]
    fn quads_interpolate_within_lines() {
        let g = Geometry {
            page: 1,
            lines: vec![
                (0..10, [0.0, 0.0, 100.0, 10.0]),
                (10..20, [0.0, -12.0, 50.0, -2.0]),
            ],
        };
        assert_eq!(quads_for(&g, 5, 10), vec![[50.0, 0.0, 100.0, 10.0]]);
        assert_eq!(
            quads_for(&g, 5, 15),
            vec![[50.0, 0.0, 100.0, 10.0], [0.0, -12.0, 25.0, -2.0]]
        );
        assert!(quads_for(&g, 30, 40).is_empty());
    }
}
