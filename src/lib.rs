//! tenderlint reads public-sector tender documents and finds the clauses that block open source,
//! lock the buyer in to one vendor, leave copyright in bespoke work with the supplier, or stop the
//! administration from reusing and sharing what it paid for, and proposes replacement text.
//!
//! The pipeline, each stage talking to the next through plain data:
//!
//! ```text
//! bytes --extract--> Document --segment--> clauses --check(ruleset)--> Vec<Finding>
//!                                                                        |
//!                         reports (json, sarif, csv, md, html) <---------+--> review (TUI)
//!                                                                        +--> redline (docx, odt, pdf)
//! ```
//!
//! The library knows nothing about terminals or command lines; `src/main.rs` and `src/cli` are
//! glue around it.

pub mod analysis;
pub mod batch;
pub mod check;
pub mod config;
pub mod document;
pub mod error;
pub mod eval;
pub mod extract;
pub mod finding;
pub mod fsutil;
pub mod lang;
pub mod limits;
pub mod normalise;
pub mod par;
pub mod redline;
pub mod report;
pub mod review;
pub mod rules;
pub mod ruleset;
pub mod sanitize;
pub mod segment;

pub use analysis::Analysis;
pub use document::{Block, BlockKind, Document, Format};
pub use error::{ErrorKind, ReadError};
pub use finding::{Category, Finding, Severity};
pub use lang::Lang;
pub use limits::Limits;
