//! DOCX reader (zip + quick-xml). Being written: see issue 2.

use std::path::Path;

use crate::document::Document;
use crate::error::ErrorKind;
use crate::limits::Limits;

pub fn read(_path: &Path, _bytes: &[u8], _limits: &Limits) -> Result<Document, ErrorKind> {
    Err(ErrorKind::UnsupportedFormat(
        "DOCX reading is not built yet".into(),
    ))
}
