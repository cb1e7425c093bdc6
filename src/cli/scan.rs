//! `tenderlint scan`: expand the paths, run the batch (with a progress bar when stderr is a
//! terminal), build the [`Report`], write every requested report atomically, pick the exit code.
//!
//! The only nondeterminism a report could pick up is injected here: the clock
//! (`SOURCE_DATE_EPOCH`), the colour choice and the thread count (which the batch makes
//! irrelevant to the output order).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use tenderlint::batch::{self, Analyser, Input, RunOptions, Source};
use tenderlint::report::{self, RenderOptions, Report, ReportFormat, RulesetInfo};
use tenderlint::sanitize::for_terminal;
use tenderlint::{Limits, fsutil};

use super::{ColorArg, ScanConfig, UsageError};

/// The rule engine, loaded once for the batch.
pub struct Engine {
    pub analyse: Analyser,
    /// Compiles the rules for a document's language while it is read (see
    /// [`RunOptions::prepare`]).
    pub prepare: Option<batch::Preparer>,
    pub rulesets: Vec<RulesetInfo>,
    /// `[limits]` of the configuration in use (defaults when it has none).
    pub limits: Limits,
}

/// The configuration's limits with the command-line flags applied over them.
pub fn with_flags(mut limits: Limits, timeout: Option<Duration>, max_input: Option<u64>) -> Limits {
    if let Some(t) = timeout {
        limits.timeout = t;
    }
    if let Some(m) = max_input {
        limits.max_input_bytes = m;
    }
    limits
}

/// The time reports carry: `SOURCE_DATE_EPOCH` when set (reproducible builds' convention), else
/// now; RFC 3339 in UTC, whole seconds.
pub fn generated_at() -> Result<String> {
    let t = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) if !s.trim().is_empty() => {
            let secs: i64 = s
                .trim()
                .parse()
                .map_err(|_| UsageError(format!("SOURCE_DATE_EPOCH={s:?} is not a number")))?;
            time::OffsetDateTime::from_unix_timestamp(secs)
                .map_err(|e| UsageError(format!("SOURCE_DATE_EPOCH={s:?}: {e}")))?
        }
        _ => time::OffsetDateTime::now_utc(),
    };
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .context("formatting the time")
}

/// Colour for a stream: `always`, `never`, or (auto) a terminal with `NO_COLOR` unset or empty.
pub fn use_color(choice: ColorArg, is_terminal: bool) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

fn progress_bar(len: usize, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{spinner} scanning [{bar:30}] {pos}/{len} {elapsed_precise} {wide_msg}",
    )
    .map(|s| s.progress_chars("=> "))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    pb.set_style(style);
    pb.tick();
    pb
}

fn input_paths(inputs: &[Input]) -> Vec<&Path> {
    inputs
        .iter()
        .filter_map(|i| match &i.source {
            Source::Path(p) => Some(p.as_path()),
            Source::Bytes(_) => None,
        })
        .collect()
}

/// Panics inside a document's worker are caught and reported as that document's error, so the
/// default hook's message on stderr would only say it twice; other panics keep the default hook.
fn quiet_document_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_document_worker = std::thread::current()
            .name()
            .is_some_and(|n| n.starts_with(batch::WORKER_THREAD_PREFIX));
        if !in_document_worker {
            default(info);
        }
    }));
}

pub fn run(config: ScanConfig) -> Result<ExitCode> {
    quiet_document_panics();
    let generated_at = generated_at()?;
    let mut stdin = std::io::stdin().lock();
    let inputs = batch::collect_inputs(&config.paths, &config.selection, &mut stdin)
        .map_err(|e| UsageError(e.to_string()))?;
    drop(stdin);

    // Refuse to write over an input before doing any work.
    let inputs_on_disk = input_paths(&inputs);
    let outputs: Vec<&PathBuf> = config
        .reports
        .iter()
        .map(|(_, p)| p)
        .chain(config.output.as_ref())
        .collect();
    for out in &outputs {
        fsutil::refuse_same_file(out, &inputs_on_disk)
            .with_context(|| format!("cannot write {}", out.display()))?;
    }

    let engine = super::engine::load(&config)?;
    let options = RunOptions {
        jobs: config.jobs,
        limits: with_flags(engine.limits.clone(), config.timeout, config.max_input_size),
        load_reviews: true,
        prepare: engine.prepare.clone(),
    };
    let pb = progress_bar(inputs.len(), config.quiet);
    let documents = {
        let pb = pb.clone();
        batch::run(&inputs, &engine.analyse, &options, &move |name: &str| {
            pb.set_message(for_terminal(name, false));
            pb.inc(1);
        })?
    };
    pb.finish_and_clear();

    let report = Report {
        tool_name: "tenderlint".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        generated_at: Some(generated_at),
        rulesets: engine.rulesets,
        documents,
    };

    for (format, path) in &config.reports {
        write_report(&report, *format, path, config.color)?;
    }
    let human_on_stdout = config.output.is_none() && config.format == ReportFormat::Human;
    match &config.output {
        Some(path) => write_report(&report, config.format, path, config.color)?,
        None => {
            let color = use_color(config.color, std::io::stdout().is_terminal());
            let bytes = report::render(&report, config.format, RenderOptions { color });
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .context("writing the report to stdout")?;
            out.flush().context("writing the report to stdout")?;
        }
    }

    let unreadable: Vec<_> = report
        .documents
        .iter()
        .filter_map(|d| d.result.as_ref().err().map(|e| (&d.path, e)))
        .collect();
    if !config.quiet && !human_on_stdout {
        let color = use_color(config.color, std::io::stderr().is_terminal());
        for (path, e) in &unreadable {
            let label = if color {
                "\u{1b}[1;31merror:\u{1b}[0m"
            } else {
                "error:"
            };
            eprintln!(
                "tenderlint: {label} {}: {}",
                for_terminal(path, false),
                e.kind
            );
        }
    }
    Ok(if !unreadable.is_empty() {
        ExitCode::from(2)
    } else if config
        .fail_on
        .is_some_and(|s| report.has_finding_at_or_above(s))
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Files always get colourless output; `--color always` is for pipes into pagers.
fn write_report(report: &Report, format: ReportFormat, path: &Path, color: ColorArg) -> Result<()> {
    let color = color == ColorArg::Always && format == ReportFormat::Human;
    let bytes = report::render(report, format, RenderOptions { color });
    fsutil::write_atomic(path, &bytes)
        .map_err(|e| anyhow!(e))
        .with_context(|| format!("cannot write the {format} report to {}", path.display()))
}

/// For the engine loader: shared ownership of an analysis function.
pub fn analyser(
    f: impl Fn(tenderlint::Document) -> Result<tenderlint::Analysis, tenderlint::error::ErrorKind>
    + Send
    + Sync
    + 'static,
) -> Analyser {
    Arc::new(f)
}
