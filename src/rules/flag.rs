//! `kind = "flag"`: one finding per match of `patterns` (or `regex`, or a `near` pair) in scope,
//! unless an `unless` pattern matches in the same scope or the sentence negates the match.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;

use super::{Negation, Pattern, RuleHeader};
use crate::lang::Lang;
use crate::ruleset::compile::Cx;
use crate::ruleset::raw::RawRule;

/// `near = [{ a, b, words }]`: A and B within `words` words of each other in scope.
#[derive(Debug, Clone)]
pub struct Near {
    pub a: Pattern,
    pub b: Pattern,
    pub words: usize,
}

/// `regex = [...]`: with more than one, a set that tells in one scan whether any matches, and
/// the single regexes (for match positions) compiled the first time the set matches. Most
/// documents never need them, and each costs as much to compile as the set.
#[derive(Debug, Clone, Default)]
pub struct Regexes {
    sources: Vec<String>,
    set: Option<regex::RegexSet>,
    each: OnceLock<Vec<Regex>>,
}

impl Regexes {
    const SIZE_LIMIT: usize = 1 << 20;

    /// One regex with the limits every rule regex gets.
    pub fn compile_one(source: &str) -> Result<Regex, regex::Error> {
        regex::RegexBuilder::new(source)
            .size_limit(Self::SIZE_LIMIT)
            .build()
    }

    /// From the sources, with the single regexes when already compiled.
    pub fn new(sources: Vec<String>, each: Option<Vec<Regex>>) -> Regexes {
        let set = (sources.len() > 1)
            .then(|| {
                regex::RegexSetBuilder::new(&sources)
                    .size_limit(Self::SIZE_LIMIT * 4)
                    .build()
                    .ok()
            })
            .flatten();
        let cell = OnceLock::new();
        if let Some(each) = each {
            let _ = cell.set(each);
        }
        Regexes {
            sources,
            set,
            each: cell,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// All of them in one set (`None` with fewer than two).
    pub fn set(&self) -> Option<&regex::RegexSet> {
        self.set.as_ref()
    }

    /// The single regexes, compiled on first use. A source that does not compile is left out:
    /// that can only happen to a pack that skipped validation, which the shipped packs pass in
    /// the tests.
    pub fn each(&self) -> &[Regex] {
        self.each.get_or_init(|| {
            self.sources
                .iter()
                .filter_map(|s| Self::compile_one(s).ok())
                .collect()
        })
    }
}

#[derive(Debug, Clone)]
pub struct FlagLang {
    pub patterns: Vec<Pattern>,
    pub regex: Regexes,
    pub near: Vec<Near>,
    pub unless: Vec<Pattern>,
    pub negation: Negation,
}

#[derive(Debug, Clone)]
pub struct FlagRule {
    pub header: RuleHeader,
    pub langs: BTreeMap<Lang, FlagLang>,
}

const DEFAULT_NEAR_WORDS: usize = 10;

impl FlagLang {
    /// Compiles one language section; errors go to `cx`.
    pub fn compile(raw: &RawRule, cx: &mut Cx<'_>) -> Option<FlagLang> {
        let patterns = cx.patterns(raw.patterns.as_ref());
        let regex = cx.regexes(raw.regex.as_ref());
        let mut near = Vec::new();
        for n in raw.near.iter().flat_map(|n| n.get_ref()) {
            let a = cx.pattern(&n.a);
            let b = cx.pattern(&n.b);
            let words = match &n.words {
                Some(w) if *w.get_ref() < 1 || *w.get_ref() > 200 => {
                    cx.error(w.span(), "near.words must be 1 to 200");
                    DEFAULT_NEAR_WORDS
                }
                Some(w) => usize::try_from(*w.get_ref()).unwrap_or(DEFAULT_NEAR_WORDS),
                None => DEFAULT_NEAR_WORDS,
            };
            if let (Some(a), Some(b)) = (a, b) {
                near.push(Near { a, b, words });
            }
        }
        let listed = raw
            .patterns
            .as_ref()
            .is_some_and(|p| !p.get_ref().is_empty())
            || raw.regex.as_ref().is_some_and(|p| !p.get_ref().is_empty())
            || raw.near.as_ref().is_some_and(|p| !p.get_ref().is_empty());
        if !listed {
            cx.error(
                raw.id.span(),
                format!(
                    "rule \"{}\" (kind flag) needs `patterns`, `regex` or `near`",
                    raw.id.get_ref()
                ),
            );
        }
        let unless = cx.patterns(raw.unless.as_ref());
        let negation = cx.negation(raw.negation.as_ref());
        Some(FlagLang {
            patterns,
            regex,
            near,
            unless,
            negation,
        })
    }
}
