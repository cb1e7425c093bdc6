//! Resource limits for reading untrusted documents. Every extractor takes a [`Limits`] and turns
//! a breach into [`crate::error::ErrorKind::Limit`] naming the limit, so a zip bomb, a billion
//! laughs or a cyclic PDF ends in a one-line error instead of exhausting the machine.

use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Largest input file read at all.
    pub max_input_bytes: u64,
    /// Largest decompressed size of one zip entry or one PDF stream.
    pub max_entry_bytes: u64,
    /// Largest decompressed total across one document.
    pub max_total_bytes: u64,
    /// Most entries in one zip container.
    pub max_zip_entries: usize,
    /// Deepest XML element nesting.
    pub max_xml_depth: usize,
    /// Deepest recursion through PDF objects (page tree, form XObjects, reference chains).
    pub max_pdf_depth: usize,
    /// Most pages read from one PDF.
    pub max_pages: usize,
    /// Wall-clock budget for reading and analysing one document.
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 256 << 20,
            max_entry_bytes: 128 << 20,
            max_total_bytes: 512 << 20,
            max_zip_entries: 10_000,
            max_xml_depth: 256,
            max_pdf_depth: 64,
            max_pages: 10_000,
            timeout: Duration::from_secs(60),
        }
    }
}
