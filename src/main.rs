mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("tenderlint: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
