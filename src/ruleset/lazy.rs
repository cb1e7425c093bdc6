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
    config: Config,
    /// Per set of languages (bit i: `Lang::ALL[i]`).
    sets: Mutex<HashMap<u8, Arc<Slot>>>,
}

type Slot = OnceLock<Result<Arc<RuleSet>, Arc<RulesetError>>>;

impl LazyRuleSet {
    /// Embedded packs plus `extra_dirs` and `config.paths`, as [`RuleSet::load`]; lazy when
    /// there are no packs from disk.
    pub fn load(extra_dirs: &[PathBuf], config: &Config) -> Result<LazyRuleSet, RulesetError> {
        if !extra_dirs.is_empty() || !config.paths.is_empty() {
            return Ok(LazyRuleSet::eager(RuleSet::load(extra_dirs, config)?));
        }
        let loaded = sources::embedded();
        let (set, diags) = compile::build_for(&loaded.packs, config, loaded.diagnostics, Some(&[]));
        let base = checked(set, diags)?;
        Ok(LazyRuleSet {
            base: Arc::new(base),
            lazy: Some(Lazy {
                packs: loaded.packs,
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

    /// The rules with matching compiled for (at least) `langs`.
    pub fn for_langs(&self, langs: &[Lang]) -> Result<Arc<RuleSet>, Arc<RulesetError>> {
        let Some(lazy) = &self.lazy else {
            return Ok(Arc::clone(&self.base));
        };
        let mut key = 0u8;
        for l in langs {
            if let Some(i) = Lang::ALL.iter().position(|x| x == l) {
                key |= 1 << i;
            }
        }
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
            let (set, diags) =
                compile::build_for(&lazy.packs, &lazy.config, Vec::new(), Some(&only));
            checked(set, diags).map(Arc::new).map_err(Arc::new)
        })
        .clone()
    }
}
