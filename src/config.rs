//! `tenderlint.toml`: how one administration adapts the shipped rules — rules it disables,
//! severities it changes, extra rule packs, products it has justified, and placeholder values
//! (its name, its preferred licence). Format: the end of `rulesets/README.md`.
//!
//! Found upwards from the scanned path, or given explicitly. Errors point at `file:line:col`
//! like rule-file errors. This module only reads; `crate::ruleset` applies it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::finding::Severity;
use crate::limits::Limits;
use crate::ruleset::{Diagnostic, Level};

pub const FILE_NAME: &str = "tenderlint.toml";

/// The settings, with paths resolved against the config file's folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The file it was read from; `None` for the default config.
    pub path: Option<PathBuf>,
    pub disable: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    pub paths: Vec<PathBuf>,
    pub allow_products: Vec<String>,
    pub authority: Option<String>,
    pub licence: Option<String>,
    /// Resource limits for reading documents (`[limits]`); unset keys keep the defaults.
    pub limits: Limits,
    text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Diagnostic),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    allow: RawAllow,
    #[serde(default)]
    values: RawValues,
    #[serde(default)]
    limits: RawLimits,
}

/// `[limits]`: every [`Limits`] field; sizes in bytes, `timeout` in seconds (0: none).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_input_bytes: Option<u64>,
    max_entry_bytes: Option<u64>,
    max_total_bytes: Option<u64>,
    max_zip_entries: Option<usize>,
    max_xml_depth: Option<usize>,
    max_pdf_depth: Option<usize>,
    max_pages: Option<usize>,
    timeout: Option<u64>,
}

impl RawLimits {
    fn apply(self) -> Limits {
        let d = Limits::default();
        Limits {
            max_input_bytes: self.max_input_bytes.unwrap_or(d.max_input_bytes),
            max_entry_bytes: self.max_entry_bytes.unwrap_or(d.max_entry_bytes),
            max_total_bytes: self.max_total_bytes.unwrap_or(d.max_total_bytes),
            max_zip_entries: self.max_zip_entries.unwrap_or(d.max_zip_entries),
            max_xml_depth: self.max_xml_depth.unwrap_or(d.max_xml_depth),
            max_pdf_depth: self.max_pdf_depth.unwrap_or(d.max_pdf_depth),
            max_pages: self.max_pages.unwrap_or(d.max_pages),
            timeout: self
                .timeout
                .map_or(d.timeout, std::time::Duration::from_secs),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    #[serde(default)]
    products: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawValues {
    #[serde(default)]
    authority: Option<String>,
    #[serde(default)]
    licence: Option<String>,
}

impl Config {
    /// Parses config text; `path` is used for messages and to resolve `rules.paths`.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let off = e.span().map_or(0, |s| s.start);
            let msg = e.message().lines().next().unwrap_or("").trim();
            let msg = match msg.strip_prefix("unknown field `") {
                Some(rest) => format!("unknown key \"{}\"", rest.split('`').next().unwrap_or("")),
                None => msg.to_string(),
            };
            ConfigError::Invalid(Diagnostic::at(&shown, text, off, Level::Error, msg))
        })?;
        let mut severity = BTreeMap::new();
        for (id, s) in raw.rules.severity {
            let Some(sev) = Severity::from_id(s.get_ref()) else {
                return Err(ConfigError::Invalid(Diagnostic::at(
                    &shown,
                    text,
                    s.span().start,
                    Level::Error,
                    format!(
                        "unknown severity \"{}\" (expected info, warning or blocker)",
                        s.get_ref()
                    ),
                )));
            };
            severity.insert(id, sev);
        }
        let base = path.parent().unwrap_or(Path::new(""));
        Ok(Config {
            path: Some(path.to_path_buf()),
            disable: raw.rules.disable,
            severity,
            paths: raw.rules.paths.iter().map(|p| base.join(p)).collect(),
            allow_products: raw.allow.products,
            authority: raw.values.authority,
            licence: raw.values.licence,
            limits: raw.limits.apply(),
            text: text.to_string(),
        })
    }

    /// Reads and parses one config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// The nearest `tenderlint.toml` in `start` (a file's folder, or the folder itself) or above.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let start = if start.is_file() {
            start.parent()?
        } else {
            start
        };
        let start = std::path::absolute(start).ok()?;
        start
            .ancestors()
            .map(|d| d.join(FILE_NAME))
            .find(|p| p.is_file())
    }

    /// The config for `start` found upwards, or the default when there is none.
    pub fn find(start: &Path) -> Result<Config, ConfigError> {
        match Config::discover(start) {
            Some(p) => Config::load(&p),
            None => Ok(Config::default()),
        }
    }

    /// A diagnostic pointing at the first quoted occurrence of `needle` in the config file.
    pub(crate) fn diagnostic_for(&self, needle: &str, level: Level, msg: String) -> Diagnostic {
        let shown = self
            .path
            .as_ref()
            .map_or_else(|| FILE_NAME.to_string(), |p| p.display().to_string());
        let off = self.text.find(&format!("\"{needle}\"")).unwrap_or(0);
        Diagnostic::at(&shown, &self.text, off, level, msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_manual_example() {
        let text = r#"
[rules]
disable = ["lock-in.brand-without-equivalent"]
paths = ["../our-rules"]

[rules.severity]
"open-licensing.no-sbom" = "info"

[allow]
products = ["SAP S/4HANA"]

[values]
authority = "the City of Ghent"
licence = "EUPL-1.2"
"#;
        let c = Config::parse(text, Path::new("/x/y/tenderlint.toml")).unwrap();
        assert_eq!(c.disable, vec!["lock-in.brand-without-equivalent"]);
        assert_eq!(c.paths, vec![PathBuf::from("/x/y/../our-rules")]);
        assert_eq!(c.severity["open-licensing.no-sbom"], Severity::Info);
        assert_eq!(c.allow_products, vec!["SAP S/4HANA"]);
        assert_eq!(c.authority.as_deref(), Some("the City of Ghent"));
    }

    #[test]
    fn errors_point_at_file_line_col() {
        let cases: &[(&str, &str)] = &[
            (
                "[rules]\ndisabel = []\n",
                "t.toml:2:1: unknown key \"disabel\"",
            ),
            (
                "[rules.severity]\n\"a.b\" = \"fatal\"\n",
                "t.toml:2:9: unknown severity \"fatal\" (expected info, warning or blocker)",
            ),
        ];
        for (text, want) in cases {
            let e = Config::parse(text, Path::new("t.toml")).unwrap_err();
            assert_eq!(e.to_string(), *want);
        }
    }

    #[test]
    fn limits_table_sets_every_field_and_rejects_unknown_keys() {
        let text = "[limits]\nmax_input_bytes = 1\nmax_entry_bytes = 2\nmax_total_bytes = 3\n\
max_zip_entries = 4\nmax_xml_depth = 5\nmax_pdf_depth = 6\nmax_pages = 7\ntimeout = 8\n";
        let c = Config::parse(text, Path::new("t.toml")).unwrap();
        assert_eq!(
            c.limits,
            Limits {
                max_input_bytes: 1,
                max_entry_bytes: 2,
                max_total_bytes: 3,
                max_zip_entries: 4,
                max_xml_depth: 5,
                max_pdf_depth: 6,
                max_pages: 7,
                timeout: std::time::Duration::from_secs(8),
            }
        );
        let c = Config::parse("[limits]\nmax_pages = 9\n", Path::new("t.toml")).unwrap();
        assert_eq!(c.limits.max_pages, 9);
        assert_eq!(c.limits.max_xml_depth, Limits::default().max_xml_depth);
        let e = Config::parse("[limits]\nmax_page = 9\n", Path::new("t.toml")).unwrap_err();
        assert_eq!(e.to_string(), "t.toml:2:1: unknown key \"max_page\"");
    }

    #[test]
    fn discovers_upwards() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "[values]\nauthority = \"X\"\n").unwrap();
        std::fs::write(sub.join("t.txt"), "x").unwrap();
        let c = Config::find(&sub.join("t.txt")).unwrap();
        assert_eq!(c.authority.as_deref(), Some("X"));
    }
}
