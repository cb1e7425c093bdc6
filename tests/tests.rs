//! The one integration-test binary; each module is one area.

mod review_tmux;
mod scan;
