//! `tenderlint rules ...`: list, explain, check, test and the JSON Schema of rule files.
//!
//! Glue only: clap types converted into calls of `tenderlint::ruleset`. Output goes to stdout;
//! problems in rule files are printed as `file:line:col: message` and give exit code 1.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use tenderlint::config::Config;
use tenderlint::finding::Category;
use tenderlint::lang::Lang;
use tenderlint::ruleset::{self, RuleSet};

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: RulesCommand,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the loaded rules.
    List {
        /// Only rules of this category (open-licensing, vendor-lock-in, copyright-ownership, reuse-rights).
        #[arg(long)]
        category: Option<String>,
        /// Only rules with matching for this language (en, fr, de, nl, ...).
        #[arg(long)]
        lang: Option<String>,
        /// More rule packs (a pack folder or a folder of packs).
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Explain one rule: what it finds, why it matters, what to write instead.
    Explain {
        id: String,
        /// Show texts in this language where the rule has them.
        #[arg(long)]
        lang: Option<String>,
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
    /// Validate rule files: the shipped packs plus DIR; prints file:line:col: message.
    Check {
        dirs: Vec<PathBuf>,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
    },
    /// Run every rule's own examples (tests.flag, tests.clean, tests.fix).
    Test { dirs: Vec<PathBuf> },
    /// Print the JSON Schema of a rule file, for editors.
    Schema,
}

fn parse_lang(s: Option<&str>) -> anyhow::Result<Option<Lang>> {
    match s {
        None => Ok(None),
        Some(code) => Lang::from_code(code)
            .map(Some)
            .ok_or_else(|| anyhow::anyhow!("unknown language \"{code}\"")),
    }
}

fn load(dirs: &[PathBuf]) -> anyhow::Result<RuleSet> {
    let config = Config::find(&std::env::current_dir()?)?;
    Ok(RuleSet::load(dirs, &config)?)
}

pub fn run(args: RulesArgs) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.command {
        RulesCommand::List {
            category,
            lang,
            rules,
            json,
        } => {
            let category = match category.as_deref() {
                None => None,
                Some(c) => Some(
                    Category::from_id(c)
                        .ok_or_else(|| anyhow::anyhow!("unknown category \"{c}\""))?,
                ),
            };
            let lang = parse_lang(lang.as_deref())?;
            let set = load(&rules)?;
            let list = ruleset::list(&set, category, lang);
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
            } else {
                for r in list {
                    writeln!(
                        out,
                        "{:<44} {:<11} {:<20} {:<8} {:<12} {}",
                        r.id,
                        r.kind,
                        r.category,
                        r.severity,
                        r.languages.join(","),
                        tenderlint::sanitize::for_terminal(&r.title, false)
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Explain { id, lang, rules } => {
            let lang = parse_lang(lang.as_deref())?;
            let set = load(&rules)?;
            match ruleset::explain(&set, &id, lang) {
                Some(text) => {
                    write!(out, "{}", tenderlint::sanitize::for_terminal(&text, true))?;
                    Ok(ExitCode::SUCCESS)
                }
                None => anyhow::bail!("no rule with id \"{id}\" (see `tenderlint rules list`)"),
            }
        }
        RulesCommand::Check { dirs, strict } => {
            let diags = ruleset::validate(&dirs);
            for d in &diags {
                writeln!(out, "{d}")?;
            }
            let errors = diags.iter().filter(|d| d.is_error()).count();
            let warnings = diags.len() - errors;
            if errors > 0 || (strict && warnings > 0) {
                writeln!(out, "{errors} error(s), {warnings} warning(s)")?;
                Ok(ExitCode::from(1))
            } else {
                writeln!(out, "ok: {warnings} warning(s)")?;
                Ok(ExitCode::SUCCESS)
            }
        }
        RulesCommand::Test { dirs } => {
            let set = match RuleSet::load(&dirs, &Config::default()) {
                Ok(s) => s,
                Err(e) => {
                    writeln!(out, "{e}")?;
                    return Ok(ExitCode::from(1));
                }
            };
            let report = ruleset::run_tests(&set);
            for f in &report.failures {
                writeln!(out, "FAIL {f}")?;
            }
            writeln!(
                out,
                "{} passed, {} failed ({} rules)",
                report.passed,
                report.failures.len(),
                set.rules().len()
            )?;
            Ok(if report.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        RulesCommand::Schema => {
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&ruleset::json_schema())?
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
