//! The one integration-test binary: each module tests one area end to end.

mod extract_pdf;
