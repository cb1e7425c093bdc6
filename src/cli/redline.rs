//! `tenderlint redline IN -o OUT`: the review put back into the tender. DOCX and ODT get a comment
//! on each finding and tracked changes for accepted suggestions (all suggestions with `--all`);
//! PDF gets highlight and note annotations. The input is never written; the output is written
//! atomically and may not be the input.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;

use tenderlint::config::Config;
use tenderlint::limits::Limits;
use tenderlint::redline::{self, Mode, Stamp};
use tenderlint::ruleset::RuleSet;

#[derive(Debug, Args)]
pub struct RedlineArgs {
    /// The tender to annotate: DOCX, ODT, flat ODT or PDF.
    pub input: PathBuf,
    /// Where to write the annotated copy (never the input).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Review decisions to apply; default: the sidecar beside the input
    /// (`<input>.tenderlint.json`), if there is one.
    #[arg(long, value_name = "SIDECAR")]
    pub review: Option<PathBuf>,
    /// Tracked changes only for suggestions accepted in the review (the default).
    #[arg(long, conflicts_with = "all")]
    pub accepted: bool,
    /// A tracked change for every finding that has a suggestion.
    #[arg(long)]
    pub all: bool,
    /// Configuration file (default: `tenderlint.toml` found upwards from the input).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// More rule packs.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
}

pub fn run(args: RedlineArgs) -> Result<ExitCode> {
    tenderlint::fsutil::refuse_same_file(&args.output, &[args.input.as_path()])?;
    if args.output == args.input {
        bail!("refusing to overwrite the input {}", args.input.display());
    }
    let settings = match &args.config {
        Some(f) => Config::load(f)
            .with_context(|| format!("cannot use the configuration {}", f.display()))?,
        None => {
            Config::find(&std::path::absolute(&args.input).unwrap_or_else(|_| args.input.clone()))
                .context("cannot use the configuration found for the input")?
        }
    };
    let rules = RuleSet::load(&args.rules, &settings).context("cannot load the rules")?;
    let limits = Limits::default();
    let bytes = std::fs::read(&args.input)
        .with_context(|| format!("cannot read {}", args.input.display()))?;
    let document = tenderlint::extract::read_bytes(&args.input, &bytes, &limits)?;
    let analysis = tenderlint::check::analyse(document, &rules);
    let review = match &args.review {
        Some(path) => {
            let text =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            Some(
                serde_json::from_slice(&text)
                    .with_context(|| format!("{}: not a tenderlint review file", path.display()))?,
            )
        }
        None => tenderlint::review::load(&args.input)?,
    };
    let mode = if args.all { Mode::All } else { Mode::Accepted };
    let out = redline::apply(
        &bytes,
        &analysis,
        review.as_ref(),
        mode,
        &Stamp::default(),
        &limits,
    )
    .with_context(|| format!("cannot redline {}", args.input.display()))?;
    tenderlint::fsutil::write_atomic(&args.output, &out)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    let edits = redline::plan(&analysis, review.as_ref(), mode);
    let changes = edits.iter().filter(|e| e.replacement.is_some()).count();
    eprintln!(
        "{}: {} comment{}, {} tracked change{} -> {}",
        args.input.display(),
        edits.len(),
        if edits.len() == 1 { "" } else { "s" },
        changes,
        if changes == 1 { "" } else { "s" },
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}
