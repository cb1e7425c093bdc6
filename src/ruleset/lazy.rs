//! Rules compiled per language, on first use.
//!
//! Compiling every language section of every shipped pack costs more than reading and checking
//! a 100-page DOCX; a tender in English needs the `core` definitions and the `en` sections only.
//! [`LazyRuleSet`] keeps the packs, builds the definitions at once (so the configuration is
//! checked and the pack list known before any document is read), and compiles the matching for
//! a set of languages the first time a document needs it, once per process, whichever worker
//! thread asks first.
//!
//! Only packs that need no validation are compiled this way: the embedded packs, which
//! `rules check` validates in the tests. With packs from disk (`--rules DIR`, `rules.paths`),
//! everything is compiled and validated up front, so a broken pack still stops the run before
//! the first document, and the same full set serves every language.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use super::{PackSource, RuleSet, RulesetError, checked, compile, sources};
use crate::config::Config;
use crate::lang::Lang;

/// The rules of a run, compiled per set of languages when first asked for.
#[derive(Debug)]
pub struct LazyRuleSet {
    /// The definitions only (lazy) or the full set (eager).
    base: Arc<RuleSet>,
    lazy: Option<Lazy>,
}

#[derive(Debug)]
struct Lazy {
    packs: Vec<PackSource>,
    /// The packs' files as parsed for the definitions and the languages built so far.
    parsed: compile::ParsedFiles,
    config: Config,
    /// Per set of languages (bit i: `Lang::ALL[i]`).
    sets: Mutex<HashMap<u8, Arc<Slot>>>,
}

type Slot = OnceLock<Result<Arc<RuleSet>, Arc<RulesetError>>>;

/// Bytes of a sample [`LazyRuleSet::prepare`] guesses the language from.
const GUESS_BYTES: usize = 4000;

/// The language of a sample's first [`GUESS_BYTES`], as the check guesses a document's
/// language when its reader did not (the model costs 2 ms on a DOCX's whole 20 KB sample).
fn guess(sample: &str) -> Option<Lang> {
    crate::lang::detect(crate::segment::prefix(sample, GUESS_BYTES))
}

/// The key of a set of languages (bit i: `Lang::ALL[i]`).
fn key(langs: &[Lang]) -> u8 {
    langs.iter().fold(0u8, |key, l| key | 1 << l.index())
}

impl LazyRuleSet {
    /// Embedded packs plus `extra_dirs` and `config.paths`, as [`RuleSet::load`]; lazy when
    /// there are no packs from disk.
    pub fn load(extra_dirs: &[PathBuf], config: &Config) -> Result<LazyRuleSet, RulesetError> {
        if !extra_dirs.is_empty() || !config.paths.is_empty() {
            return Ok(LazyRuleSet::eager(RuleSet::load(extra_dirs, config)?));
        }
        let loaded = sources::embedded();
        let parsed = compile::ParsedFiles::default();
        let (set, diags) = compile::build_for(
            &loaded.packs,
            config,
            loaded.diagnostics,
            Some(&[]),
            Some(&parsed),
        );
        let base = checked(set, diags)?;
        Ok(LazyRuleSet {
            base: Arc::new(base),
            lazy: Some(Lazy {
                packs: loaded.packs,
                parsed,
                config: config.clone(),
                sets: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// A set compiled already, used for every language.
    pub fn eager(set: RuleSet) -> LazyRuleSet {
        LazyRuleSet {
            base: Arc::new(set),
            lazy: None,
        }
    }

    /// Every rule with its header, for pack lists, warnings and rule texts; matching only for
    /// the languages compiled up front (none when lazy).
    pub fn base(&self) -> &RuleSet {
        &self.base
    }

    /// True when languages are compiled on demand (false: [`LazyRuleSet::base`] has them all).
    pub fn is_lazy(&self) -> bool {
        self.lazy.is_some()
    }

    /// Starts compiling, on the thread pool, the rules for the language of `sample` (some of a
    /// document's words, read before the document), and returns at once. When the document,
    /// read in full, is in that language, [`LazyRuleSet::for_langs`] then finds its rules
    /// compiled or being compiled instead of starting only then. Nothing happens for an eager
    /// set or an unclear language; a wrong guess only compiles a language no document asks for.
    pub fn prepare(&'static self, sample: String) {
        if self.lazy.is_none() {
            return;
        }
        rayon::spawn(move || {
            if let Some(lang) = guess(&sample) {
                // An error is kept in the slot and reported when the document asks.
                let _ = self.for_langs(&[lang]);
            }
        });
    }

    /// True when the rules for exactly `langs` are compiled (or failed to compile).
    pub fn is_compiled(&self, langs: &[Lang]) -> bool {
        let Some(lazy) = &self.lazy else {
            return true;
        };
        let sets = lazy.sets.lock().unwrap_or_else(|p| p.into_inner());
        sets.get(&key(langs))
            .is_some_and(|slot| slot.get().is_some())
    }

    /// The rules with matching compiled for (at least) `langs`.
    pub fn for_langs(&self, langs: &[Lang]) -> Result<Arc<RuleSet>, Arc<RulesetError>> {
        let Some(lazy) = &self.lazy else {
            return Ok(Arc::clone(&self.base));
        };
        let key = key(langs);
        let slot = {
            let mut sets = lazy.sets.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(sets.entry(key).or_default())
        };
        // Compiled outside the map's lock: another thread asking for other languages goes on.
        slot.get_or_init(|| {
            let only: Vec<Lang> = Lang::ALL
                .into_iter()
                .enumerate()
                .filter(|(i, _)| key & (1 << i) != 0)
                .map(|(_, l)| l)
                .collect();
            let cache = super::snapshot::dir();
            if let Some(set) = cache
                .as_deref()
                .and_then(|d| super::snapshot::load(d, &only, &lazy.config))
            {
                return Ok(Arc::new(set));
            }
            let (set, diags) = compile::build_for(
                &lazy.packs,
                &lazy.config,
                Vec::new(),
                Some(&only),
                Some(&lazy.parsed),
            );
            let set = checked(set, diags).map_err(Arc::new)?;
            if let Some(d) = &cache {
                // A cache that cannot be written only costs the next run a compile.
                let _ = super::snapshot::save(d, &only, &lazy.config, &set);
            }
            Ok(Arc::new(set))
        })
        .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guess_reads_the_start_of_the_sample_only() {
        assert_eq!(
            guess("Le titulaire livre le code source de tous les logiciels développés."),
            Some(Lang::Fr)
        );
        assert_eq!(guess("7.3 | 12 | 1 200,00"), None);
        // Past the first bytes nothing counts, and a character cut there is no panic.
        let late = format!(
            "x{}{}",
            "\u{b7}".repeat(GUESS_BYTES / 2),
            "The Contractor shall deliver the source code of the software."
        );
        assert!(!late.is_char_boundary(GUESS_BYTES));
        assert_eq!(guess(&late), None);
        assert_eq!(guess(&late[GUESS_BYTES + 1..]), Some(Lang::En));
    }

    #[test]
    fn prepare_compiles_the_samples_language_in_the_background() {
        let rules: &'static LazyRuleSet = Box::leak(Box::new(
            LazyRuleSet::load(&[], &Config::default()).expect("embedded packs load"),
        ));
        assert!(!rules.is_compiled(&[Lang::De]));
        rules.prepare(
            "Der Auftragnehmer übergibt den Quellcode aller entwickelten Software.".into(),
        );
        let start = std::time::Instant::now();
        while !rules.is_compiled(&[Lang::De]) {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(60),
                "German never compiled"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        // What the document then asks for is that set, not a second compile.
        let a = rules.for_langs(&[Lang::De]).expect("compiled");
        let b = rules.for_langs(&[Lang::De]).expect("compiled");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!rules.is_compiled(&[Lang::En]));
    }
}
