//! Command-line glue. (Minimal on the `engine` branch: only `rules`; the `scan` branch owns the
//! full command set and wires `rules::RulesArgs` in as the `rules` subcommand.)

pub mod eval;
pub mod rules;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "tenderlint", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Work with rule packs: list, explain, check, test, schema.
    Rules(rules::RulesArgs),
    /// Measure the rules against a labelled corpus: precision and recall.
    Eval(eval::EvalArgs),
}

pub fn run() -> anyhow::Result<std::process::ExitCode> {
    match Cli::parse().command {
        Command::Rules(args) => rules::run(args),
        Command::Eval(args) => eval::run(args),
    }
}
