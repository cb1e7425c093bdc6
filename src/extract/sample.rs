//! A cheap look at a document's words before it is read: enough of them to guess its language,
//! so that the rules for that language can be compiled on an idle core while the document is
//! read (see [`crate::batch::RunOptions::prepare`]).
//!
//! Design decision: no parsing. The first [`SAMPLE_BYTES`] of the part that holds the body
//! (DOCX `word/document.xml`, ODT `content.xml`, a flat ODT itself) are inflated and their tags
//! dropped; plain text and Markdown are taken as they are. PDF gives no sample: its words need
//! the page content streams decoded, which is the reading itself. The sample is only a hint: a
//! wrong guess costs work on a core that would have waited anyway, because the analysis asks
//! for the languages it finds in the document read in full.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::zipx::Container;
use crate::document::Format;
use crate::limits::Limits;

/// Bytes of the body part (before tags are dropped) a sample is taken from.
pub const SAMPLE_BYTES: usize = 64 * 1024;

/// Some of the document's words, in reading order as far as the markup goes; `None` when the
/// format gives none cheaply (PDF), the bytes are no document tenderlint reads, or the container
/// is broken (reading the document then reports why).
pub fn text_sample(bytes: &[u8], limits: &Limits) -> Option<String> {
    // The zip reader is third-party code over untrusted bytes: a panic is no sample, never a
    // failed document.
    catch_unwind(AssertUnwindSafe(|| sample(bytes, limits)))
        .ok()
        .flatten()
}

fn sample(bytes: &[u8], limits: &Limits) -> Option<String> {
    let head = &bytes[..bytes.len().min(SAMPLE_BYTES)];
    let part = |format: &'static str, name: &str| {
        Container::open(bytes, format, limits)
            .ok()?
            .read_prefix(name, SAMPLE_BYTES as u64)
            .ok()
            .flatten()
    };
    let xml = match super::detect_format(bytes).ok()? {
        Format::Docx => part("docx", "word/document.xml")?,
        Format::Odt => part("odt", "content.xml")?,
        Format::Fodt => head.to_vec(),
        Format::Text | Format::Markdown => return Some(String::from_utf8_lossy(head).into_owned()),
        Format::Pdf => return None,
    };
    Some(without_tags(&xml))
}

/// The character data of (the start of) an XML part, with a space where each tag was, so that
/// paragraphs do not run together. Entities stay as they are: they do not change a language.
fn without_tags(xml: &[u8]) -> String {
    let mut out = Vec::with_capacity(xml.len() / 2);
    let mut in_tag = false;
    for &b in xml {
        match b {
            b'<' => in_tag = true,
            b'>' => {
                in_tag = false;
                if out.last().is_some_and(|&l| l != b' ') {
                    out.push(b' ');
                }
            }
            _ if !in_tag => out.push(b),
            _ => {}
        }
    }
    // The prefix may end inside a character.
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testutil::{self, OdfParts};

    fn docx(paragraphs: &[&str]) -> Vec<u8> {
        let body: String = paragraphs
            .iter()
            .map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>"))
            .collect();
        testutil::docx(&body, &[], &[])
    }

    #[test]
    fn docx_and_odt_give_their_body_words_without_markup() {
        let docx = docx(&[
            "Le titulaire livre le code source.",
            "Les droits sont cédés.",
        ]);
        let s = text_sample(&docx, &Limits::default()).expect("a DOCX has a sample");
        assert!(s.contains("Le titulaire livre le code source."), "{s}");
        assert!(s.contains("Les droits sont cédés."), "{s}");
        assert!(!s.contains('<') && !s.contains("w:t"), "{s}");
        assert_eq!(crate::lang::detect(&s), Some(crate::lang::Lang::Fr));

        let odt = testutil::odt(OdfParts {
            body: "<text:p>Der Auftragnehmer übergibt den Quellcode der Software.</text:p>",
            ..OdfParts::default()
        });
        let s = text_sample(&odt, &Limits::default()).expect("an ODT has a sample");
        assert!(
            s.contains("Der Auftragnehmer übergibt den Quellcode der Software."),
            "{s}"
        );
    }

    #[test]
    fn text_is_its_own_sample_and_pdf_and_junk_have_none() {
        let text = "De opdrachtnemer levert de broncode.\n".repeat(4000);
        let s = text_sample(text.as_bytes(), &Limits::default()).expect("text has a sample");
        assert_eq!(s.len(), SAMPLE_BYTES);
        assert_eq!(text_sample(b"%PDF-1.7\n1 0 obj", &Limits::default()), None);
        assert_eq!(
            text_sample(b"PK\x03\x04 not a zip", &Limits::default()),
            None
        );
        assert_eq!(text_sample(&[0u8; 64], &Limits::default()), None);
    }

    #[test]
    fn a_long_body_part_gives_only_its_start() {
        let paras: Vec<String> = (0..5000)
            .map(|i| format!("Paragraph {i} of the tender."))
            .collect();
        let refs: Vec<&str> = paras.iter().map(String::as_str).collect();
        let docx = docx(&refs);
        let s = text_sample(&docx, &Limits::default()).expect("a DOCX has a sample");
        assert!(s.contains("Paragraph 0 of the tender."));
        assert!(!s.contains("Paragraph 4999 "), "the sample stops early");
        assert!(s.len() < SAMPLE_BYTES);
    }

    #[test]
    fn a_body_over_the_entry_limit_still_gives_its_start() {
        // Reading the document stops at the limit; the sample is only a prefix, within it.
        let mut paras = vec!["The Contractor shall deliver the source code."];
        paras.extend(std::iter::repeat_n(
            "Payment is due within thirty days.",
            200,
        ));
        let docx = docx(&paras);
        let limits = Limits {
            max_entry_bytes: 2000,
            ..Limits::default()
        };
        let read = crate::extract::read_bytes(std::path::Path::new("t.docx"), &docx, &limits);
        assert!(
            matches!(read, Err(ref e) if matches!(e.kind, crate::error::ErrorKind::Limit { .. })),
            "{read:?}"
        );
        let s = text_sample(&docx, &limits).expect("a prefix within the limit");
        assert!(
            s.contains("The Contractor shall deliver the source code."),
            "{s}"
        );
        assert!(s.len() < 2000);
    }
}
