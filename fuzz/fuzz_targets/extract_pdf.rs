//! Fuzzes the PDF reader directly (no panic guard), with tight limits so that every input
//! finishes quickly: a panic, a hang or an allocation beyond the limits is a bug.
#![no_main]

use std::path::Path;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use tenderlint::document::Format;
use tenderlint::limits::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_entry_bytes: 8 << 20,
        max_total_bytes: 32 << 20,
        max_pages: 200,
        timeout: Duration::from_secs(5),
        ..Limits::default()
    };
    let _ = tenderlint::extract::read_format(Path::new("fuzz.pdf"), data, Format::Pdf, &limits);
});
