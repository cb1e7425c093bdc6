//! `kind = "flag"`: one finding per match of `patterns` (or `regex`, or a `near` pair) in scope,
//! unless an `unless` pattern matches in the same scope or the sentence negates the match.

use std::collections::BTreeMap;

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

#[derive(Debug, Clone)]
pub struct FlagLang {
    pub patterns: Vec<Pattern>,
    pub regex: Vec<Regex>,
    /// All of `regex` in one set: a text none of them matches is passed over in one scan.
    pub regex_set: Option<regex::RegexSet>,
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
        let regex_set = (regex.len() > 1)
            .then(|| {
                regex::RegexSetBuilder::new(regex.iter().map(Regex::as_str))
                    .size_limit(1 << 22)
                    .build()
                    .ok()
            })
            .flatten();
        Some(FlagLang {
            patterns,
            regex_set,
            regex,
            near,
            unless,
            negation,
        })
    }
}
