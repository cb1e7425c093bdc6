//! Loads the rule engine once for a `scan`: the configuration (`--config FILE`, else a
//! `tenderlint.toml` found upwards from the first PATH), the embedded packs plus `--rules DIR`,
//! and an [`Analyser`](tenderlint::batch::Analyser) over `check::analyse` shared by the workers.
//! Warnings about the rule files or the configuration are printed once on stderr.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};

use tenderlint::config::Config;
use tenderlint::report::RulesetInfo;
use tenderlint::ruleset::RuleSet;

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
    let rules = RuleSet::load(&config.rule_dirs, &settings).context("cannot load the rules")?;
    if !config.quiet {
        for w in rules.warnings() {
            eprintln!("tenderlint: warning: {w}");
        }
    }
    let rulesets = rules
        .packs()
        .into_iter()
        .map(|p| RulesetInfo {
            name: p.name,
            version: p.version,
        })
        .collect();
    let rules = Arc::new(rules);
    Ok(Engine {
        analyse: analyser(move |document| tenderlint::check::analyse(document, &rules)),
        rulesets,
        limits,
    })
}
