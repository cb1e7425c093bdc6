//! Redline export: a copy of the reviewed document with every finding marked where it occurs,
//! so the buyer's lawyers see the issues in the file they already work on. One module per output
//! format; each takes the original bytes, the findings and the [`crate::Document`] they refer
//! to, and never changes the document's own text.

pub mod pdf;
