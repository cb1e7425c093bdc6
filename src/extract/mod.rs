//! Bytes -> [`Document`]: one reader per format (pdf, docx, odt, text), chosen from the content,
//! never from the file name.
//!
//! This module owns format detection, the size limit on the input, and the last line of defence
//! around third-party parsers: a panic inside a reader is caught and reported as that file's
//! error. Readers own their format's details and return an [`ErrorKind`]; [`read_bytes`] adds the
//! file name.

pub mod clause;
pub mod docx;
pub mod odt;
pub mod pdf;
pub mod sample;
pub mod text;
pub mod xml;
pub mod zipx;

#[cfg(test)]
pub(crate) mod testutil;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use crate::document::{Document, Format};
use crate::error::{ErrorKind, ReadError};
use crate::limits::Limits;

/// Detects the format from the first bytes (and, for zip containers, the entry names).
pub fn detect_format(bytes: &[u8]) -> Result<Format, ErrorKind> {
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-").is_some() {
        return Ok(Format::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return zip_format(bytes);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Err(ErrorKind::UnsupportedFormat(
            "legacy OLE2 file (.doc/.xls): save it as DOCX or ODT".into(),
        ));
    }
    let text_head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let lower: Vec<u8> = text_head.iter().map(|b| b.to_ascii_lowercase()).collect();
    if lower.starts_with(b"<?xml") || lower.starts_with(b"<office:document") {
        if find(&lower, b"office:document").is_some() {
            return Ok(Format::Fodt);
        }
        return Err(ErrorKind::UnsupportedFormat(
            "XML that is not flat OpenDocument".into(),
        ));
    }
    if lower.starts_with(b"{\\rtf") {
        return Err(ErrorKind::UnsupportedFormat(
            "RTF: save it as DOCX or ODT".into(),
        ));
    }
    if looks_like_text(bytes) {
        return Ok(if looks_like_markdown(bytes) {
            Format::Markdown
        } else {
            Format::Text
        });
    }
    Err(ErrorKind::UnsupportedFormat(
        "binary data of unknown type".into(),
    ))
}

fn zip_format(bytes: &[u8]) -> Result<Format, ErrorKind> {
    // The ODF mimetype entry is stored first and uncompressed; its name and value follow the
    // local header directly.
    if bytes.len() > 38 && &bytes[30..38] == b"mimetype" {
        let rest = &bytes[38..bytes.len().min(38 + 80)];
        if find(rest, b"application/vnd.oasis.opendocument.text").is_some() {
            return Ok(Format::Odt);
        }
        if find(rest, b"application/vnd.oasis.opendocument").is_some() {
            return Err(ErrorKind::UnsupportedFormat(
                "OpenDocument file that is not a text document".into(),
            ));
        }
    }
    let reader = std::io::Cursor::new(bytes);
    let archive = zip::ZipArchive::new(reader).map_err(|e| ErrorKind::corrupt("zip", e))?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    let has = |name: &str| names.iter().any(|n| n == name);
    if has("word/document.xml") {
        return Ok(Format::Docx);
    }
    if names.iter().any(|n| n.starts_with("word/")) && has("[Content_Types].xml") {
        return Ok(Format::Docx);
    }
    if has("content.xml") {
        return Ok(Format::Odt);
    }
    if names.iter().any(|n| n.starts_with("xl/")) {
        return Err(ErrorKind::UnsupportedFormat("spreadsheet (XLSX)".into()));
    }
    if names.iter().any(|n| n.starts_with("ppt/")) {
        return Err(ErrorKind::UnsupportedFormat("presentation (PPTX)".into()));
    }
    Err(ErrorKind::UnsupportedFormat(
        "zip archive that is neither DOCX nor ODT".into(),
    ))
}

fn looks_like_text(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return false;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => true,
        // A multi-byte character cut at the sample's end is still text.
        Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 >= sample.len(),
    }
}

fn looks_like_markdown(bytes: &[u8]) -> bool {
    let sample = String::from_utf8_lossy(&bytes[..bytes.len().min(8192)]);
    sample.lines().any(|l| {
        let t = l.trim_start();
        (t.starts_with('#') && t.trim_start_matches('#').starts_with(' '))
            || t.starts_with("```")
            || t.starts_with("| ")
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads a file from disk, enforcing the input size limit before reading it.
pub fn read_path(path: &Path, limits: &Limits) -> Result<Document, ReadError> {
    read_bytes(path, &read_file(path, limits)?, limits)
}

/// A file's bytes, after checking that it is a regular file within the input size limit.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>, ReadError> {
    let err = |kind| ReadError::new(path, kind);
    let meta = std::fs::metadata(path).map_err(|e| err(ErrorKind::Io(e.to_string())))?;
    if !meta.is_file() {
        return Err(err(ErrorKind::Io("not a regular file".into())));
    }
    if meta.len() > limits.max_input_bytes {
        return Err(err(ErrorKind::limit(
            "input size in bytes",
            limits.max_input_bytes,
            meta.len(),
        )));
    }
    std::fs::read(path).map_err(|e| err(ErrorKind::Io(e.to_string())))
}

/// Detects the format of `bytes` and reads them; `path` names the document in the result and in
/// errors. Panics inside readers become [`ErrorKind::Panic`].
pub fn read_bytes(path: &Path, bytes: &[u8], limits: &Limits) -> Result<Document, ReadError> {
    let err = |kind| ReadError::new(path, kind);
    if bytes.len() as u64 > limits.max_input_bytes {
        return Err(err(ErrorKind::limit(
            "input size in bytes",
            limits.max_input_bytes,
            bytes.len() as u64,
        )));
    }
    if bytes.is_empty() {
        return Err(err(ErrorKind::UnsupportedFormat("empty file".into())));
    }
    let format = detect_format(bytes).map_err(err)?;
    let result = catch_unwind(AssertUnwindSafe(|| {
        read_format(path, bytes, format, limits)
    }));
    let mut doc = match result {
        Ok(r) => r.map_err(err)?,
        Err(payload) => return Err(err(ErrorKind::Panic(panic_message(&*payload)))),
    };
    if doc.language.is_none() {
        doc.language = detect_document_language(&doc);
    }
    Ok(doc)
}

/// Reads `bytes` with the reader for `format`, without the panic guard: fuzz targets call this so
/// that a panic is seen as the bug it is.
pub fn read_format(
    path: &Path,
    bytes: &[u8],
    format: Format,
    limits: &Limits,
) -> Result<Document, ErrorKind> {
    match format {
        Format::Pdf => pdf::read(path, bytes, limits),
        Format::Docx => docx::read(path, bytes, limits),
        Format::Odt => odt::read(path, bytes, limits),
        Format::Fodt => odt::read_flat(path, bytes, limits),
        Format::Text | Format::Markdown => text::read(path, bytes, format),
    }
}

/// Text of a caught panic payload, for the error line.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// The language of the body text, from up to 20 kB of it.
fn detect_document_language(doc: &Document) -> Option<crate::lang::Lang> {
    let mut sample = String::new();
    for (_, b) in doc.body() {
        sample.push_str(&b.text);
        sample.push('\n');
        if sample.len() > 20_000 {
            break;
        }
    }
    crate::lang::detect_long(&sample)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats_from_content() {
        assert_eq!(detect_format(b"%PDF-1.7\n...").unwrap(), Format::Pdf);
        assert_eq!(detect_format(b"Plain tender text\n").unwrap(), Format::Text);
        assert_eq!(
            detect_format(b"# Tender\n\nText\n").unwrap(),
            Format::Markdown
        );
        assert_eq!(
            detect_format(b"<?xml version=\"1.0\"?><office:document xmlns:office=\"x\">").unwrap(),
            Format::Fodt
        );
        assert!(matches!(
            detect_format(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]),
            Err(ErrorKind::UnsupportedFormat(_))
        ));
        assert!(matches!(
            detect_format(b"\x00\x01\x02binary"),
            Err(ErrorKind::UnsupportedFormat(_))
        ));
        assert!(matches!(
            detect_format(b"PK\x03\x04garbage"),
            Err(ErrorKind::Corrupt { .. })
        ));
    }

    #[test]
    fn empty_and_oversized_inputs_are_errors_naming_the_file() {
        let limits = Limits {
            max_input_bytes: 4,
            ..Limits::default()
        };
        let e = read_bytes(Path::new("x.txt"), b"", &limits).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.txt: unknown or unsupported format (empty file)"
        );
        let e = read_bytes(Path::new("big.txt"), b"hello", &limits).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("big.txt: limit exceeded: input size")
        );
    }
}
