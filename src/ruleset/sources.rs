//! Where rule files come from: the packs embedded at build time and pack directories on disk.
//! Only reading and grouping happens here; parsing is `compile`'s job.

use std::path::{Path, PathBuf};

use super::{Diagnostic, Level};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rulesets.rs"));
}

/// One file's content and the path diagnostics show for it. Embedded files borrow the text
/// the binary holds (the shipped packs are about 600 KB: copying them cost every run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub text: std::borrow::Cow<'static, str>,
}

/// A pack: its `pack.toml` and its rule files in load order (sorted by file name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackSource {
    /// Display path of the pack folder (`rulesets/core`).
    pub dir: String,
    pub pack: SourceFile,
    pub files: Vec<SourceFile>,
}

pub struct Loaded {
    pub packs: Vec<PackSource>,
    pub diagnostics: Vec<Diagnostic>,
}

fn order_key(p: &PackSource) -> (bool, String) {
    let name = p.dir.rsplit('/').next().unwrap_or("").to_string();
    (name != "core", name)
}

/// The embedded packs (core first, then by folder name).
pub fn embedded() -> Loaded {
    let mut packs: Vec<PackSource> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut dirs: Vec<&str> = embedded::EMBEDDED
        .iter()
        .map(|(rel, _)| rel.rsplit_once('/').map_or("", |(d, _)| d))
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    for dir in dirs {
        let shown = if dir.is_empty() {
            "rulesets".to_string()
        } else {
            format!("rulesets/{dir}")
        };
        let in_dir = |rel: &str| rel.rsplit_once('/').map_or("", |(d, _)| d) == dir;
        let pack_file = embedded::EMBEDDED.iter().find(|(rel, _)| {
            in_dir(rel) && rel.ends_with("pack.toml") && rel.rsplit('/').next() == Some("pack.toml")
        });
        let mut files: Vec<SourceFile> = embedded::EMBEDDED
            .iter()
            .filter(|(rel, _)| in_dir(rel) && rel.rsplit('/').next() != Some("pack.toml"))
            .map(|(rel, text)| SourceFile {
                path: format!("rulesets/{rel}"),
                text: std::borrow::Cow::Borrowed(*text),
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        match pack_file {
            Some((rel, text)) => packs.push(PackSource {
                dir: shown,
                pack: SourceFile {
                    path: format!("rulesets/{rel}"),
                    text: std::borrow::Cow::Borrowed(*text),
                },
                files,
            }),
            None => {
                for f in files {
                    diagnostics.push(Diagnostic {
                        path: f.path,
                        line: 1,
                        col: 1,
                        level: Level::Error,
                        message: "rule file is not inside a pack (no pack.toml beside it)".into(),
                    });
                }
            }
        }
    }
    packs.sort_by_key(order_key);
    Loaded { packs, diagnostics }
}

fn read_pack(dir: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<PackSource> {
    let shown = dir.display().to_string();
    let pack_path = dir.join("pack.toml");
    let pack_text = match std::fs::read_to_string(&pack_path) {
        Ok(t) => t,
        Err(e) => {
            diagnostics.push(Diagnostic {
                path: pack_path.display().to_string(),
                line: 1,
                col: 1,
                level: Level::Error,
                message: format!("cannot read: {e}"),
            });
            return None;
        }
    };
    let mut names: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.is_file()
                    && p.extension().is_some_and(|x| x == "toml")
                    && p.file_name().is_some_and(|n| n != "pack.toml")
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    let mut files = Vec::new();
    for p in names {
        match std::fs::read_to_string(&p) {
            Ok(text) => files.push(SourceFile {
                path: p.display().to_string(),
                text: text.into(),
            }),
            Err(e) => diagnostics.push(Diagnostic {
                path: p.display().to_string(),
                line: 1,
                col: 1,
                level: Level::Error,
                message: format!("cannot read: {e}"),
            }),
        }
    }
    Some(PackSource {
        dir: shown,
        pack: SourceFile {
            path: pack_path.display().to_string(),
            text: pack_text.into(),
        },
        files,
    })
}

/// Packs from directories: a directory with a `pack.toml` is one pack; otherwise each
/// subdirectory with a `pack.toml` is one (sorted, `core` first).
pub fn from_dirs(dirs: &[PathBuf]) -> Loaded {
    let mut packs = Vec::new();
    let mut diagnostics = Vec::new();
    for dir in dirs {
        if dir.join("pack.toml").is_file() {
            packs.extend(read_pack(dir, &mut diagnostics));
            continue;
        }
        let mut subs: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.join("pack.toml").is_file())
                .collect(),
            Err(e) => {
                diagnostics.push(Diagnostic {
                    path: dir.display().to_string(),
                    line: 1,
                    col: 1,
                    level: Level::Error,
                    message: format!("cannot read rule directory: {e}"),
                });
                continue;
            }
        };
        subs.sort();
        if subs.is_empty() {
            diagnostics.push(Diagnostic {
                path: dir.display().to_string(),
                line: 1,
                col: 1,
                level: Level::Error,
                message: "no pack here: expected a pack.toml in it or in its subfolders".into(),
            });
        }
        let mut found: Vec<PackSource> = subs
            .iter()
            .filter_map(|s| read_pack(s, &mut diagnostics))
            .collect();
        found.sort_by_key(order_key);
        packs.extend(found);
    }
    Loaded { packs, diagnostics }
}

/// Embedded packs followed by the packs in `dirs`.
pub fn embedded_and(dirs: &[PathBuf]) -> Loaded {
    let mut all = embedded();
    let more = from_dirs(dirs);
    all.packs.extend(more.packs);
    all.diagnostics.extend(more.diagnostics);
    all
}
