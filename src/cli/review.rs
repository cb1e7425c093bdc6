//! `tenderlint review PATH...`: the arguments of the interactive review and its start-up (finding
//! documents in folders, choosing the theme, honouring `NO_COLOR`), then hands over to
//! [`crate::tui::runtime::run`].

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use tenderlint::config::Config;
use tenderlint::report::RulesetInfo;
use tenderlint::ruleset::RuleSet;

use crate::tui::action::Stage;
use crate::tui::app::{App, Clock};
use crate::tui::runtime::{self, Analyser};
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

/// File extensions picked up when a folder is given.
const DOCUMENT_EXTENSIONS: &[&str] = &["pdf", "docx", "odt", "fodt", "txt", "text", "md"];

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
    let (analyse, rulesets) = analyser(&args, &documents)?;
    let mut app = App::new(documents, theme, clock);
    app.rulesets = rulesets;
    runtime::run(app, analyse)?;
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

/// Files given directly, plus the documents inside given folders (sorted, sidecars skipped).
pub fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).with_context(|| format!("{}", p.display()))?;
        if !meta.is_dir() {
            out.push(p.clone());
            continue;
        }
        let mut found = Vec::new();
        for entry in walkdir::WalkDir::new(p).follow_links(false) {
            let entry = entry.with_context(|| format!("{}", p.display()))?;
            if entry.file_type().is_file() && is_document(entry.path()) {
                found.push(entry.into_path());
            }
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

fn is_document(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if name.starts_with('.') || name.ends_with(".tenderlint.json") {
        return false;
    }
    p.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .is_some_and(|e| DOCUMENT_EXTENSIONS.contains(&e.as_str()))
}

/// The rule set (built-in packs, `--rules` packs, the config found or given) and the function
/// the worker runs per document: read it, then check it. The rule set is built once, here, so a
/// broken rule file is reported before the screen opens.
fn analyser(
    args: &ReviewArgs,
    documents: &[PathBuf],
) -> anyhow::Result<(Analyser, Vec<RulesetInfo>)> {
    let config = match (&args.config, documents.first()) {
        (Some(file), _) => Config::load(file)?,
        (None, Some(first)) => Config::find(first)?,
        (None, None) => Config::default(),
    };
    let rules = RuleSet::load(&args.rules, &config)?;
    let info = rules
        .packs()
        .into_iter()
        .map(|p| RulesetInfo {
            name: p.name,
            version: p.version,
        })
        .collect();
    let limits = tenderlint::Limits::default();
    let analyse = Box::new(move |path: &Path, progress: &mut dyn FnMut(Stage)| {
        let document = tenderlint::extract::read_path(path, &limits).map_err(|e| e.to_string())?;
        progress(Stage::Analysing {
            pages: document.pages,
            blocks: document.blocks.len(),
        });
        Ok(tenderlint::check::analyse(document, &rules))
    });
    Ok((analyse, info))
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
        assert!(expand(&[dir.path().join("missing.pdf")]).is_err());
    }
}
