//! The one integration-test binary; each module tests one area.

mod engine;
mod eval;
mod extract_docx;
mod extract_pdf;
mod extract_quality;
