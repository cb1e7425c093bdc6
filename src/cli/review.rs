//! `tenderlint review PATH...`: the arguments of the interactive review and its start-up (finding
//! documents in folders, choosing the theme, honouring `NO_COLOR`), then hands over to
//! [`crate::tui::runtime::run`].

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::bail;
use tenderlint::batch::{Selection, Source, collect_inputs};
use tenderlint::config::Config;
use tenderlint::report::RulesetInfo;
use tenderlint::ruleset::LazyRuleSet;

use crate::tui::app::{App, Clock};
use crate::tui::runtime::{self, Worker};
use crate::tui::theme::{Theme, ThemeKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ThemeArg {
    Default,
    HighContrast,
}

/// Review findings interactively: accept, dismiss or escalate them, saved beside each document.
#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// Documents or folders to review (PDF, DOCX, ODT, text, Markdown).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Local overrides file (default: a tenderlint.toml found upwards from the documents).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Extra rule packs to load besides the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Colours: `default` or `high-contrast`. NO_COLOR in the environment turns colour off.
    #[arg(long, value_enum, default_value_t = ThemeArg::Default)]
    pub theme: ThemeArg,
}

/// Environment variable that fixes `decided_at` (RFC 3339), for end-to-end tests.
pub const CLOCK_ENV: &str = "TENDERLINT_REVIEW_CLOCK";

pub fn run(args: ReviewArgs) -> anyhow::Result<ExitCode> {
    if !std::io::stdout().is_terminal() {
        bail!("review is interactive and needs a terminal; use `tenderlint scan` for reports");
    }
    let documents = expand(&args.paths)?;
    if documents.is_empty() {
        bail!("no documents found in the given paths");
    }
    let theme = theme(args.theme, std::env::var_os("NO_COLOR"));
    // Tests pin the decision time so the review file they check is byte-stable.
    let clock = match std::env::var(CLOCK_ENV) {
        Ok(t) if !t.is_empty() => Clock::Fixed(t),
        _ => Clock::System,
    };
    let (worker, rulesets) = worker(&args, &documents)?;
    let mut app = App::new(documents, theme, clock);
    app.rulesets = rulesets;
    runtime::run(app, worker)?;
    Ok(ExitCode::SUCCESS)
}

/// The theme asked for; `NO_COLOR` set and not empty turns colour off (no-color.org).
pub fn theme(arg: ThemeArg, no_color: Option<std::ffi::OsString>) -> Theme {
    let kind = match arg {
        ThemeArg::Default => ThemeKind::Default,
        ThemeArg::HighContrast => ThemeKind::HighContrast,
    };
    Theme::new(kind, no_color.is_none_or(|v| v.is_empty()))
}

/// The documents the paths mean, chosen exactly as `scan` chooses them (the batch runner's
/// folder walk: known extensions, sorted, hidden files and links skipped; named files always).
/// Standard input is refused: it is the keyboard here.
pub fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    if paths.iter().any(|p| p.as_os_str() == "-") {
        bail!("review reads documents from files; standard input (-) is not supported");
    }
    let inputs = collect_inputs(paths, &Selection::default(), &mut std::io::empty())?;
    Ok(inputs
        .into_iter()
        .filter_map(|i| match i.source {
            Source::Path(p) => Some(p),
            Source::Bytes(_) => None,
        })
        .collect())
}

/// The rule set (built-in packs, `--rules` packs, the config found or given) and what the worker
/// runs per document. Packs from disk are validated here, so a broken rule file is reported
/// before the screen opens; the embedded ones are compiled per language on first use.
fn worker(args: &ReviewArgs, documents: &[PathBuf]) -> anyhow::Result<(Worker, Vec<RulesetInfo>)> {
    let config = match (&args.config, documents.first()) {
        (Some(file), _) => Config::load(file)?,
        (None, Some(first)) => Config::find(first)?,
        (None, None) => Config::default(),
    };
    let rules = LazyRuleSet::load(&args.rules, &config)?;
    let info = rules
        .base()
        .packs()
        .into_iter()
        .map(|p| RulesetInfo {
            name: p.name,
            version: p.version,
        })
        .collect();
    // Kept until the process exits, like `scan`'s: the compile started while a document is
    // read must be able to outlive the function that starts it.
    let rules: &'static LazyRuleSet = Box::leak(Box::new(rules));
    let worker = Worker {
        analyse: Arc::new(move |document| tenderlint::check::analyse_lazy(document, rules)),
        prepare: rules
            .is_lazy()
            .then(|| Arc::new(|sample| rules.prepare(sample)) as _),
        limits: config.limits.clone(),
    };
    Ok((worker, info))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_turns_colour_off_only_when_set_and_not_empty() {
        let cases = [
            (None, true),
            (Some(""), true),
            (Some("1"), false),
            (Some("yes"), false),
        ];
        for (env, color) in cases {
            let t = theme(ThemeArg::HighContrast, env.map(Into::into));
            assert_eq!(t, Theme::new(ThemeKind::HighContrast, color), "{env:?}");
        }
    }

    #[test]
    fn folders_expand_to_their_documents_sorted_without_sidecars() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("annexes");
        std::fs::create_dir(&sub).unwrap();
        for name in [
            "b.pdf",
            "a.docx",
            "a.docx.tenderlint.json",
            ".hidden.md",
            "notes.xlsx",
            "annexes/c.odt",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let single = dir.path().join("b.pdf");
        let got = expand(&[dir.path().to_path_buf(), single.clone()]).unwrap();
        let want = vec![
            dir.path().join("a.docx"),
            sub.join("c.odt"),
            dir.path().join("b.pdf"),
            single,
        ];
        assert_eq!(got, want);
        assert!(expand(&[PathBuf::from("-")]).is_err());
    }
}
