//! The one integration-test binary; each module tests one area through the public surface.

mod engine;
mod extract_docx;
mod review_tmux;
mod scan;
