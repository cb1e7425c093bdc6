//! The one integration-test binary; each module is one area.

mod engine;
mod review_tmux;
mod scan;
