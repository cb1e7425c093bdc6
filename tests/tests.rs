//! The one integration-test binary; each module tests one area.

mod extract_docx;
mod extract_quality;
