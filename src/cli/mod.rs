//! The command line: clap types end here. Each subcommand's arguments are checked and converted
//! into a plain config struct (as fd's `config.rs` does), which the runner takes; nothing past
//! this module sees clap.
//!
//! `tenderlint PATH...` without a subcommand opens the review when stdin and stdout are a
//! terminal and no report option is given; otherwise it acts as `tenderlint scan PATH...`.

mod engine;
pub mod eval;
pub mod extract;
pub mod redline;
pub mod review;
pub mod rules;
pub mod scan;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

use tenderlint::Severity;
use tenderlint::batch::Selection;
use tenderlint::report::ReportFormat;

const EXIT_CODES: &str = "\
Exit codes:
  0  every document was read and no finding is at or above --fail-on
  1  some finding is at or above --fail-on (findings dismissed in review do not count)
  2  usage error, or at least one document could not be read (the others are still reported)";

const ENVIRONMENT: &str = "\
Environment:
  NO_COLOR           no colour in terminal output when set and not empty
  SOURCE_DATE_EPOCH  the run's time in reports (seconds since 1970), for reproducible output";

#[derive(Debug, Parser)]
#[command(
    name = "tenderlint",
    version,
    about = "Finds tender clauses that block open source, lock in vendors or keep rights from the public buyer, and proposes replacement text",
    args_conflicts_with_subcommands = true,
    arg_required_else_help = true,
    after_help = format!("{EXIT_CODES}\n\n{ENVIRONMENT}")
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Without a subcommand: the same as `scan`.
    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check documents and folders of documents; write reports.
    #[command(after_help = format!("{EXIT_CODES}\n\n{ENVIRONMENT}"))]
    Scan(ScanArgs),
    /// Show exactly what the analyser sees: the blocks with kind, page and clause number.
    Extract(ExtractArgs),
    /// Review findings interactively (needs a terminal); decisions are saved beside each
    /// document and appear in every report.
    Review(review::ReviewArgs),
    /// Work with rule packs: list, explain, check, test, schema.
    Rules(rules::RulesArgs),
    /// Measure the rules against a labelled corpus: precision and recall.
    Eval(eval::EvalArgs),
    /// Write a copy of the tender with the review in it: comments and tracked changes (DOCX,
    /// ODT) or highlight and note annotations (PDF).
    Redline(redline::RedlineArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Human,
    Json,
    Jsonl,
    Sarif,
    Csv,
    Markdown,
    Html,
}

impl From<FormatArg> for ReportFormat {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Human => ReportFormat::Human,
            FormatArg::Json => ReportFormat::Json,
            FormatArg::Jsonl => ReportFormat::Jsonl,
            FormatArg::Sarif => ReportFormat::Sarif,
            FormatArg::Csv => ReportFormat::Csv,
            FormatArg::Markdown => ReportFormat::Markdown,
            FormatArg::Html => ReportFormat::Html,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Info,
    Warning,
    Blocker,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// Files and folders to scan (folders recursively); `-` reads one document from stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format for stdout (or --output).
    #[arg(short, long, value_enum, default_value = "human")]
    pub format: FormatArg,
    /// Write the --format report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write a report: FORMAT=FILE, e.g. `sarif=out.sarif` (repeatable).
    #[arg(long = "report", value_name = "FORMAT=FILE")]
    pub reports: Vec<String>,
    /// Exit with 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value = "blocker")]
    pub fail_on: FailOn,
    /// Documents processed in parallel [default: available cores]. With fewer documents than
    /// N, a document's pages and rules use the spare cores; otherwise each document keeps to
    /// one thread, so `--jobs 1` uses one core.
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Seconds allowed per document (reading and analysis); 0 for no limit [default: 60, or
    /// `[limits] timeout` in tenderlint.toml].
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Largest input file read, in bytes [default: 268435456, or `[limits] max_input_bytes`].
    #[arg(long, value_name = "BYTES")]
    pub max_input_size: Option<u64>,
    /// In folders, scan only files matching GLOB (repeatable; replaces the default extensions
    /// .pdf .docx .odt .fodt .txt .text .md .markdown).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// In folders, skip files and folders matching GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Configuration file [default: tenderlint.toml found upwards from the first PATH].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// More rule packs (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// No progress bar and no error lines on stderr; only the report and the exit code.
    #[arg(short, long)]
    pub quiet: bool,
    /// Colour in human output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExtractFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct ExtractArgs {
    /// Documents to read; `-` reads one from stdin.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Configuration file for `[limits]` [default: tenderlint.toml found upwards from the first
    /// FILE].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Largest input file read, in bytes [default: 268435456, or `[limits] max_input_bytes`].
    #[arg(long, value_name = "BYTES")]
    pub max_input_size: Option<u64>,
    /// `text`: one line per block (`[index] p<page> §<clause> <kind>: <text>`); `json`: the
    /// Document (an array of them for several files).
    #[arg(short, long, value_enum, default_value = "text")]
    pub format: ExtractFormat,
}

/// What `scan` was asked to do, as plain data.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    pub paths: Vec<PathBuf>,
    pub selection: Selection,
    pub format: ReportFormat,
    pub output: Option<PathBuf>,
    pub reports: Vec<(ReportFormat, PathBuf)>,
    /// `None`: never fail on findings.
    pub fail_on: Option<Severity>,
    /// 0: one per core.
    pub jobs: usize,
    /// `--timeout`; `None`: the configuration's (default 60 s).
    pub timeout: Option<Duration>,
    /// `--max-input-size`; `None`: the configuration's.
    pub max_input_size: Option<u64>,
    pub config_file: Option<PathBuf>,
    pub rule_dirs: Vec<PathBuf>,
    pub quiet: bool,
    pub color: ColorArg,
}

/// Parses `FORMAT=FILE`.
fn parse_report(spec: &str) -> Result<(ReportFormat, PathBuf)> {
    let (format, file) = spec
        .split_once('=')
        .with_context(|| format!("--report {spec:?}: expected FORMAT=FILE"))?;
    let format = ReportFormat::from_id(format).with_context(|| {
        let known: Vec<&str> = ReportFormat::ALL.iter().map(|f| f.id()).collect();
        format!(
            "--report {spec:?}: unknown format {format:?} (one of {})",
            known.join(", ")
        )
    })?;
    if file.is_empty() {
        bail!("--report {spec:?}: no file name");
    }
    Ok((format, PathBuf::from(file)))
}

impl ScanArgs {
    pub fn into_config(self) -> Result<ScanConfig> {
        if self.paths.is_empty() {
            bail!("no PATH given (try `tenderlint scan --help`)");
        }
        if self.jobs == Some(0) {
            bail!("--jobs must be at least 1");
        }
        let reports = self
            .reports
            .iter()
            .map(|r| parse_report(r))
            .collect::<Result<Vec<_>>>()?;
        let mut outputs: Vec<&PathBuf> = reports.iter().map(|(_, p)| p).collect();
        outputs.extend(self.output.as_ref());
        for (i, a) in outputs.iter().enumerate() {
            if outputs[..i].contains(a) {
                bail!("{} is given as output twice", a.display());
            }
        }
        Ok(ScanConfig {
            paths: self.paths,
            selection: Selection {
                include: self.include,
                exclude: self.exclude,
            },
            format: self.format.into(),
            output: self.output,
            reports,
            fail_on: match self.fail_on {
                FailOn::Info => Some(Severity::Info),
                FailOn::Warning => Some(Severity::Warning),
                FailOn::Blocker => Some(Severity::Blocker),
                FailOn::Never => None,
            },
            jobs: self.jobs.unwrap_or(0),
            timeout: self.timeout.map(Duration::from_secs),
            max_input_size: self.max_input_size,
            config_file: self.config,
            rule_dirs: self.rule_dirs,
            quiet: self.quiet,
            color: self.color,
        })
    }
}

/// A usage error: printed like clap's own, exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Parses the command line and runs it.
pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Scan(args)) => scan::run(into_config(args)?),
        Some(Command::Extract(args)) => extract::run(args),
        Some(Command::Review(args)) => review::run(args),
        Some(Command::Rules(args)) => rules::run(args),
        Some(Command::Eval(args)) => eval::run(args),
        Some(Command::Redline(args)) => redline::run(args),
        None if wants_review(&cli.scan) => review::run(review::ReviewArgs {
            paths: cli.scan.paths,
            config: cli.scan.config,
            rules: cli.scan.rule_dirs,
            theme: review::ThemeArg::Default,
        }),
        None => scan::run(into_config(cli.scan)?),
    }
}

/// `tenderlint PATH...` on a terminal, with nothing that only makes sense for a report.
fn wants_review(args: &ScanArgs) -> bool {
    use std::io::IsTerminal;
    !args.paths.is_empty()
        && !args.paths.iter().any(|p| p.as_os_str() == "-")
        && args.format == FormatArg::Human
        && args.output.is_none()
        && args.reports.is_empty()
        && !args.quiet
        && std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal()
}

fn into_config(args: ScanArgs) -> Result<ScanConfig> {
    args.into_config()
        .map_err(|e| UsageError(format!("{e:#}")).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_specs() {
        let ok = [
            ("sarif=out.sarif", ReportFormat::Sarif, "out.sarif"),
            ("md=r/report.md", ReportFormat::Markdown, "r/report.md"),
            ("html=a=b.html", ReportFormat::Html, "a=b.html"),
        ];
        for (spec, format, file) in ok {
            assert_eq!(
                parse_report(spec).unwrap(),
                (format, PathBuf::from(file)),
                "{spec}"
            );
        }
        for bad in ["sarif", "pdf=x.pdf", "json="] {
            assert!(parse_report(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_same_output_twice_is_a_usage_error() {
        let cli = Cli::try_parse_from([
            "tenderlint",
            "scan",
            "x.txt",
            "-o",
            "r.json",
            "--report",
            "json=r.json",
        ])
        .unwrap();
        let Some(Command::Scan(args)) = cli.command else {
            panic!("scan expected")
        };
        assert!(args.into_config().is_err());
    }

    #[test]
    fn bare_paths_mean_scan() {
        let cli = Cli::try_parse_from(["tenderlint", "a.pdf", "--fail-on", "never"]).unwrap();
        assert!(cli.command.is_none());
        let config = cli.scan.into_config().unwrap();
        assert_eq!(config.paths, [PathBuf::from("a.pdf")]);
        assert_eq!(config.fail_on, None);
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
