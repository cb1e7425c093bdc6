//! `tenderlint eval DIR`: measures the built-in rules against a labelled corpus (see
//! `fixtures/README.md` for the label format) and prints precision and recall per category,
//! language and format, with every miss and false alarm. Exits 1 when a slice is below the
//! floors given with `--min-precision`/`--min-recall`. The metrics live in `tenderlint::eval`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use tenderlint::eval::{evaluate_dir, load_labels};
use tenderlint::limits::Limits;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    Text,
    Json,
}

/// Evaluate the rules on a labelled corpus
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Folder with the documents (NAME.pdf, NAME.docx, NAME.odt) and labels.jsonl
    pub dir: PathBuf,
    /// Labels file [default: DIR/labels.jsonl]
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: EvalFormat,
    /// Fail (exit 1) when precision of a category, language or format is below this
    #[arg(long, value_name = "FLOOR")]
    pub min_precision: Option<f64>,
    /// Fail (exit 1) when recall of a category, language or format is below this
    #[arg(long, value_name = "FLOOR")]
    pub min_recall: Option<f64>,
}

pub fn run(args: EvalArgs) -> Result<ExitCode> {
    let labels_path = args
        .labels
        .clone()
        .unwrap_or_else(|| args.dir.join("labels.jsonl"));
    let labels = load_labels(&labels_path)?;
    let rules = tenderlint::ruleset::RuleSet::builtin().context("loading the built-in rules")?;
    let report = evaluate_dir(&args.dir, &labels, &Limits::default(), |doc| {
        tenderlint::check::analyse(doc, &rules)
    })?;
    match args.format {
        EvalFormat::Text => print!("{}", report.to_text()),
        EvalFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    if args.min_precision.is_none() && args.min_recall.is_none() {
        return Ok(ExitCode::SUCCESS);
    }
    let below = report.below(
        args.min_precision.unwrap_or(0.0),
        args.min_recall.unwrap_or(0.0),
    );
    if below.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("tenderlint eval: below the floor:");
        for b in &below {
            eprintln!("  {b}");
        }
        Ok(ExitCode::from(1))
    }
}
