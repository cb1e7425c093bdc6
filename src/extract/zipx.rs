//! Reading parts out of an untrusted zip container (DOCX, ODT) within [`Limits`].
//!
//! This module owns the container side of safety: the entry count, the decompressed size of each
//! entry and of all entries read from one document, encrypted entries, corrupt deflate streams and
//! path resolution between parts. It does not parse XML (see `xml`).
//!
//! Design decision: sizes declared in the zip headers are never trusted. Every entry is read
//! through `take(limit + 1)`, so a 1 MB file declaring 1 kB that inflates to 300 MB stops after
//! `max_entry_bytes + 1` bytes with a `Limit` error, and the running total is kept here so one
//! document cannot spread a bomb over many small entries.

use std::io::{Cursor, Read};

use crate::error::ErrorKind;
use crate::limits::Limits;

/// An opened container with its running decompression budget.
pub struct Container<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    format: &'static str,
    limits: Limits,
    total: u64,
}

impl std::fmt::Debug for Container<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Container")
            .field("format", &self.format)
            .field("entries", &self.archive.len())
            .field("total", &self.total)
            .finish()
    }
}

impl<'a> Container<'a> {
    /// Opens the central directory and checks the entry count. `format` ("docx", "odt") names
    /// the container in errors.
    pub fn open(bytes: &'a [u8], format: &'static str, limits: &Limits) -> Result<Self, ErrorKind> {
        let archive = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| ErrorKind::corrupt(format, format!("zip: {e}")))?;
        if archive.len() > limits.max_zip_entries {
            return Err(ErrorKind::limit(
                "zip entries",
                limits.max_zip_entries as u64,
                archive.len() as u64,
            ));
        }
        Ok(Container {
            archive,
            format,
            limits: limits.clone(),
            total: 0,
        })
    }

    /// True when an entry with exactly this name exists.
    pub fn has(&self, name: &str) -> bool {
        self.archive.index_for_name(name).is_some()
    }

    /// The entry's decompressed bytes, or `Ok(None)` when there is no such entry.
    pub fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, ErrorKind> {
        let max = self.limits.max_entry_bytes;
        let Some(out) = self.read_at_most(name, max.saturating_add(1))? else {
            return Ok(None);
        };
        let len = out.len() as u64;
        if len > max {
            return Err(ErrorKind::limit(
                "decompressed bytes per zip entry",
                max,
                len,
            ));
        }
        self.total = self.total.saturating_add(len);
        if self.total > self.limits.max_total_bytes {
            return Err(ErrorKind::limit(
                "decompressed bytes in total",
                self.limits.max_total_bytes,
                self.total,
            ));
        }
        Ok(Some(out))
    }

    /// The first `max` decompressed bytes of the entry (all of it when shorter), or `Ok(None)`
    /// when there is no such entry. A longer entry is no error: a prefix is what is asked for.
    /// Not counted in the document's total.
    pub fn read_prefix(&mut self, name: &str, max: u64) -> Result<Option<Vec<u8>>, ErrorKind> {
        self.read_at_most(name, max.min(self.limits.max_entry_bytes))
    }

    fn read_at_most(&mut self, name: &str, max: u64) -> Result<Option<Vec<u8>>, ErrorKind> {
        let Some(index) = self.archive.index_for_name(name) else {
            return Ok(None);
        };
        let format = self.format;
        let corrupt =
            |e: &dyn std::fmt::Display| ErrorKind::corrupt(format, format!("{name}: {e}"));
        let file = match self.archive.by_index(index) {
            Ok(f) => f,
            Err(zip::result::ZipError::UnsupportedArchive(m)) if m.contains("ncrypt") => {
                return Err(ErrorKind::Encrypted(format!("{name} is encrypted")));
            }
            Err(e) => return Err(corrupt(&e)),
        };
        if file.encrypted() {
            return Err(ErrorKind::Encrypted(format!("{name} is encrypted")));
        }
        // The declared size (untrusted, so capped) saves the copies of a vector grown by
        // doubling: each copy touched fresh pages, and a page fault costs 4 to 5 µs here.
        let declared = file.size().min(max).min(RESERVE_CAP);
        let mut out = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
        file.take(max)
            .read_to_end(&mut out)
            .map_err(|e| corrupt(&e))?;
        Ok(Some(out))
    }
}

/// Most bytes reserved up front for an entry from its declared size (a larger entry grows).
const RESERVE_CAP: u64 = 16 << 20;

/// Resolves a relationship target against the folder of the part that refers to it:
/// `("word/document.xml", "header1.xml")` -> `word/header1.xml`; absolute targets start at the
/// package root; `..` is applied; `None` when the target leaves the package.
pub fn resolve(source_part: &str, target: &str) -> Option<String> {
    let target = target.split('#').next().unwrap_or("");
    let mut parts: Vec<&str> = Vec::new();
    if let Some(abs) = target.strip_prefix('/') {
        return join(parts, abs);
    }
    if let Some((dir, _)) = source_part.rsplit_once('/') {
        parts.extend(dir.split('/').filter(|s| !s.is_empty()));
    }
    join(parts, target)
}

fn join<'s>(mut parts: Vec<&'s str>, rel: &'s str) -> Option<String> {
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_targets_like_opc() {
        let cases = [
            ("word/document.xml", "header1.xml", Some("word/header1.xml")),
            (
                "word/document.xml",
                "/word/footer2.xml",
                Some("word/footer2.xml"),
            ),
            (
                "word/document.xml",
                "../customXml/item1.xml",
                Some("customXml/item1.xml"),
            ),
            ("word/document.xml", "../../etc/passwd", None),
            ("", "word/document.xml", Some("word/document.xml")),
            (
                "word/document.xml",
                "media/a.png#x",
                Some("word/media/a.png"),
            ),
        ];
        for (src, target, want) in cases {
            assert_eq!(resolve(src, target).as_deref(), want, "{src} + {target}");
        }
    }
}
