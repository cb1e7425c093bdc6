use std::process::ExitCode;

mod cli;
mod tui;

#[derive(clap::Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    Review(cli::review::ReviewArgs),
}

fn main() -> ExitCode {
    let cli = <Cli as clap::Parser>::parse();
    let result = match cli.command {
        Command::Review(args) => cli::review::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tenderlint: {e:#}");
            ExitCode::from(2)
        }
    }
}
