//! Command-line glue: clap types end here and become plain values for the library and the TUI.

pub mod review;
