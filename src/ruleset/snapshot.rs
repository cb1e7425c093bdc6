//! The compile cache: compiled rule sets of the embedded packs, saved after the first run and
//! read back by later ones.
//!
//! Compiling the English rules costs about 57 M instructions (the TOML files, 455 patterns and
//! their anchors, the prefilter): nearly a third of a scan of a 101-page DOCX, and most of a
//! short document's. A snapshot of the result ([`encode`], postcard with shared values written
//! once, see [`super::shared`]) reads back in about 19 M. Only what [`super::LazyRuleSet`]
//! compiles on demand is cached: the embedded packs with the run's config, for one set of
//! languages; packs from disk are compiled every time.
//!
//! A snapshot is only ever used by the binary that wrote it, for the same config and languages:
//! its [`key`] hashes the crate version, the snapshot format, the executable's size and change
//! time, the languages and the config. Anything else (another build, an edited
//! `tenderlint.toml`, a truncated or foreign file) is a miss: the rules are compiled as without
//! a cache and the file is replaced. Files are written to a temporary name and renamed, so a
//! reader never sees half of one.
//!
//! Where: `$TENDERLINT_CACHE_DIR`, else `$XDG_CACHE_HOME/tenderlint`, else
//! `$HOME/.cache/tenderlint`; `TENDERLINT_CACHE_DIR=` (empty) turns the cache off.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use super::{RuleSet, shared};
use crate::config::Config;
use crate::lang::Lang;

/// The first bytes of a snapshot file; the last one is the format's version.
const MAGIC: &[u8; 8] = b"TLRULES\x03";

/// A snapshot of `set` under `key`.
pub fn encode(set: &RuleSet, key: u64) -> Result<Vec<u8>, postcard::Error> {
    let mut out = Vec::with_capacity(1 << 20);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&key.to_le_bytes());
    shared::scope(|| postcard::to_io(set, &mut out))?;
    Ok(out)
}

/// The rule set in `bytes`, or `None` when they are not a snapshot under `key`.
pub fn decode(bytes: &[u8], key: u64) -> Option<RuleSet> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (k, body) = rest.split_first_chunk::<8>()?;
    if u64::from_le_bytes(*k) != key {
        return None;
    }
    let (set, left) = shared::scope(|| postcard::take_from_bytes::<RuleSet>(body)).ok()?;
    left.is_empty().then_some(set)
}

/// What a snapshot must match: this build, the languages and the config.
pub fn key(langs: &[Lang], config: &Config) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    MAGIC.hash(&mut h);
    env!("CARGO_PKG_VERSION").hash(&mut h);
    if let Some(meta) = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::metadata(p).ok())
    {
        meta.len().hash(&mut h);
        meta.modified().ok().hash(&mut h);
    }
    langs.hash(&mut h);
    // The config's fields are vectors and ordered maps: their debug form is stable.
    format!("{config:?}").hash(&mut h);
    h.finish()
}

/// The cache folder, or `None` when the cache is off or there is no home.
pub fn dir() -> Option<PathBuf> {
    dir_from(|name| std::env::var_os(name))
}

fn dir_from(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    if let Some(d) = var("TENDERLINT_CACHE_DIR") {
        return (!d.is_empty()).then(|| PathBuf::from(d));
    }
    if let Some(d) = var("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("tenderlint"));
    }
    var("HOME")
        .filter(|d| !d.is_empty())
        .map(|h| PathBuf::from(h).join(".cache").join("tenderlint"))
}

/// The file for `langs` in `dir`: one per set of languages, replaced when the key changes.
pub fn path(dir: &Path, langs: &[Lang]) -> PathBuf {
    let codes: Vec<&str> = langs.iter().map(|l| l.code()).collect();
    dir.join(format!("rules-{}.bin", codes.join("-")))
}

/// The cached rule set for `langs` and `config`, if `dir` has a valid one.
pub fn load(dir: &Path, langs: &[Lang], config: &Config) -> Option<RuleSet> {
    let bytes = std::fs::read(path(dir, langs)).ok()?;
    decode(&bytes, key(langs, config))
}

/// Saves `set` for `langs` and `config` in `dir`. Errors (a read-only home, a full disk) only
/// cost the next run a compile, so they are returned for tests and otherwise ignored.
pub fn save(dir: &Path, langs: &[Lang], config: &Config, set: &RuleSet) -> std::io::Result<()> {
    let bytes = encode(set, key(langs, config)).map_err(std::io::Error::other)?;
    std::fs::create_dir_all(dir)?;
    crate::fsutil::write_atomic_unsynced(&path(dir, langs), &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::analyse_as;
    use crate::document::{Block, BlockKind, Document, Format};

    fn doc(lang: Lang, texts: &[&str]) -> Document {
        let mut d = Document::new("t.txt", Format::Text);
        d.language = Some(lang);
        for t in texts {
            d.blocks
                .push(Block::new(BlockKind::Paragraph, (*t).to_string()));
        }
        d
    }

    /// Every rule's own examples in `lang`, as one document per example.
    fn examples(set: &RuleSet, lang: Lang) -> Vec<String> {
        set.rules
            .iter()
            .flat_map(|r| r.header().tests.iter())
            .filter(|t| t.lang == lang)
            .flat_map(|t| t.flag.iter().chain(&t.clean).cloned())
            .collect()
    }

    #[test]
    fn a_snapshot_reads_back_as_the_same_rules() {
        let config = Config::default();
        for lang in [Lang::En, Lang::De] {
            let packs = super::super::sources::embedded();
            let (set, diags) = super::super::compile::build_for(
                &packs.packs,
                &config,
                Vec::new(),
                Some(&[lang]),
                None,
            );
            let set = set.unwrap_or_else(|| panic!("{lang} compiles: {diags:?}"));
            let bytes = encode(&set, 7).expect("encodes");
            assert!(decode(&bytes, 8).is_none(), "another key is a miss");
            assert!(
                decode(&bytes[..bytes.len() - 1], 7).is_none(),
                "a cut file is a miss"
            );
            let back = decode(&bytes, 7).expect("decodes");
            assert_eq!(back.rules.len(), set.rules.len());
            let texts = examples(&set, lang);
            assert!(texts.len() > 50, "{lang}: {} examples", texts.len());
            let text_refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let a = analyse_as(doc(lang, &text_refs), lang, &set);
            let b = analyse_as(doc(lang, &text_refs), lang, &back);
            assert!(!a.findings.is_empty());
            assert_eq!(
                serde_json::to_string(&a.findings).expect("json"),
                serde_json::to_string(&b.findings).expect("json"),
                "{lang}: findings differ"
            );
            assert_eq!(
                serde_json::to_string(&a.topics).expect("json"),
                serde_json::to_string(&b.topics).expect("json")
            );
        }
    }

    #[test]
    fn the_cache_dir_follows_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        assert_eq!(
            dir_from(env(&[("TENDERLINT_CACHE_DIR", "/c"), ("HOME", "/h")])),
            Some(PathBuf::from("/c"))
        );
        assert_eq!(
            dir_from(env(&[("TENDERLINT_CACHE_DIR", ""), ("HOME", "/h")])),
            None
        );
        assert_eq!(
            dir_from(env(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")])),
            Some(PathBuf::from("/x/tenderlint"))
        );
        assert_eq!(
            dir_from(env(&[("HOME", "/h")])),
            Some(PathBuf::from("/h/.cache/tenderlint"))
        );
        assert_eq!(dir_from(env(&[])), None);
    }

    #[test]
    fn save_and_load_go_through_the_file_and_check_the_config() {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = Config::default();
        let packs = super::super::sources::embedded();
        let (set, _) = super::super::compile::build_for(
            &packs.packs,
            &config,
            Vec::new(),
            Some(&[Lang::Fr]),
            None,
        );
        let set = set.expect("compiles");
        assert!(load(dir.path(), &[Lang::Fr], &config).is_none());
        save(dir.path(), &[Lang::Fr], &config, &set).expect("saves");
        let back = load(dir.path(), &[Lang::Fr], &config).expect("loads");
        assert_eq!(back.rules.len(), set.rules.len());
        // Another config, or other languages, do not take it.
        let mut other = Config::default();
        other.authority = Some("the Municipality".into());
        assert!(load(dir.path(), &[Lang::Fr], &other).is_none());
        assert!(load(dir.path(), &[Lang::Nl], &config).is_none());
        // A damaged file is a miss, not an error.
        std::fs::write(path(dir.path(), &[Lang::Fr]), b"TLRULES\x02garbage").expect("write");
        assert!(load(dir.path(), &[Lang::Fr], &config).is_none());
    }
}
