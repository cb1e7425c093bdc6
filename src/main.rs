//! The `tenderlint` binary: parse arguments, dispatch, map errors to exit codes. Everything else
//! lives in the library (the pipeline) and in `cli` (argument types and the subcommands' glue).

mod cli;
mod tui;

use std::process::ExitCode;

/// mimalloc instead of the system allocator: compiling the rules and analysing a document make
/// millions of small allocations, and glibc's malloc and free were a quarter of a DOCX scan's
/// instructions (docs/performance.md). Called through its plain entry points where the alignment
/// allows (crates/alloc: the `mimalloc` crate's aligned calls over-allocated). Built without
/// transparent huge pages (see crates/alloc/Cargo.toml): they halved the page faults but stalled
/// in the kernel's compaction on a busy machine, and doubled the peak memory of the 305-page PDF
/// (99 MB against 42 MB).
#[global_allocator]
static ALLOCATOR: tenderlint_alloc::Allocator = tenderlint_alloc::Allocator;

/// Exit code for usage errors and for batches with unreadable documents.
const EXIT_TROUBLE: u8 = 2;

fn main() {
    let code = run();
    // Everything `run` owned is dropped and every file written: the exit skips only the
    // allocator's teardown (crates/alloc). `ExitCode` keeps its number to itself, hence the
    // search.
    let number = (0..=u8::MAX)
        .find(|&n| ExitCode::from(n) == code)
        .unwrap_or(EXIT_TROUBLE);
    tenderlint_alloc::exit_now(number)
}

fn run() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`tenderlint scan . | head`) is how the reader says "enough".
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("tenderlint: error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(EXIT_TROUBLE)
        }
    }
}
