//! The one integration-test binary; each module tests one area through the public surface.

mod docs;
mod engine;
mod eval;
mod extract_docx;
mod extract_pdf;
mod extract_quality;
mod hostile;
mod redline;
mod review_tmux;
mod scan;
