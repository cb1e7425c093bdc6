//! The one integration-test binary: each module below is a file beside this one.
mod extract_quality;
