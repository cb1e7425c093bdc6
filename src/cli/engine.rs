//! Loads the rule engine once for a `scan`: the configuration (`--config FILE`, else a
//! `tenderlint.toml` found upwards from the first PATH), the embedded packs plus `--rules DIR`,
//! and an [`Analyser`](tenderlint::batch::Analyser) over `check::analyse_lazy` shared by the
//! workers: the embedded packs are compiled per language when a document first needs it.
//! Warnings about the rule files or the configuration are printed once on stderr.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use tenderlint::config::Config;
use tenderlint::report::RulesetInfo;
use tenderlint::ruleset::LazyRuleSet;

use super::ScanConfig;
use super::scan::{Engine, analyser};

/// Where to start looking for `tenderlint.toml`: the first PATH that is not stdin, else `.`,
/// made absolute (a bare file name has an empty parent, which would stop the search).
fn config_start(paths: &[PathBuf]) -> PathBuf {
    let first = paths
        .iter()
        .map(PathBuf::as_path)
        .find(|p| p.as_os_str() != "-")
        .unwrap_or(Path::new("."));
    std::path::absolute(first).unwrap_or_else(|_| first.to_path_buf())
}

pub fn load(config: &ScanConfig) -> Result<Engine> {
    let settings = match &config.config_file {
        Some(file) => Config::load(file)
            .with_context(|| format!("cannot use the configuration {}", file.display()))?,
        None => Config::find(&config_start(&config.paths))
            .context("cannot use the configuration found for the scanned path")?,
    };
    let limits = settings.limits.clone();
    let rules = LazyRuleSet::load(&config.rule_dirs, &settings).context("cannot load the rules")?;
    if !config.quiet {
        for w in rules.base().warnings() {
            eprintln!("tenderlint: warning: {w}");
        }
    }
    let rulesets = rules
        .base()
        .packs()
        .into_iter()
        .map(|p| RulesetInfo {
            name: p.name,
            version: p.version,
        })
        .collect();
    // Kept until the process exits: freeing thousands of compiled patterns at the end of a run
    // costs as much as analysing a short document, and the system reclaims the memory anyway.
    let rules: &'static LazyRuleSet = Box::leak(Box::new(rules));
    let prepare: Option<tenderlint::batch::Preparer> = rules
        .is_lazy()
        .then(|| std::sync::Arc::new(|sample| rules.prepare(sample)) as _);
    Ok(Engine {
        analyse: analyser(move |document| tenderlint::check::analyse_lazy(document, rules)),
        prepare,
        rulesets,
        limits,
    })
}
