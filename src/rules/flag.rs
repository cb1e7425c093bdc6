//! `kind = "flag"`: one finding per match of `patterns` (or `regex`, or a `near` pair) in scope,
//! unless an `unless` pattern matches in the same scope or the sentence negates the match.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;
use regex_automata::meta;
use regex_automata::nfa::thompson::WhichCaptures;

use super::pattern::LazyPatterns;
use super::{Negation, Pattern, RuleHeader};
use crate::lang::Lang;
use crate::ruleset::compile::Cx;
use crate::ruleset::raw::RawRule;

/// `near = [{ a, b, words }]`: A and B within `words` words of each other in scope.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Near {
    pub a: Pattern,
    pub b: Pattern,
    pub words: usize,
}

/// `regex = [...]`: with more than one, a set that tells in one scan whether any matches, and
/// the single regexes (for match positions) compiled the first time the set matches. Most
/// documents never need them, and each costs as much to compile as the set.
///
/// Design decision: they are built with `regex-automata`'s meta engine directly, without the
/// literal prefilter the `regex` crate adds and, for the set, without capture groups. The gate
/// below already keeps blocks without the literals away, and blocks are short, so the
/// prefilter (an Aho-Corasick DFA over every literal alternative) only cost building: for the
/// four regexes of `lock-in.renewal-trap`, 16.9 M instructions for the set and 11.9 M for the
/// single ones with `regex`, 5.7 M and 6.0 M this way (callgrind). The syntax is the same: the
/// rules' regexes are validated with the `regex` crate, whose error messages point better.
///
/// A gate goes first: literals one of which every match of every regex contains ("notice" in
/// `notice period of [0-9]+ months`), found in a block by one substring search. Blocks without
/// any never reach the regexes.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Regexes {
    sources: Vec<String>,
    /// Built on first use, like `each`: a document whose blocks never pass the gate does not
    /// pay for it. (A snapshot keeps the sources only.)
    #[serde(skip)]
    set: OnceLock<Option<meta::Regex>>,
    #[serde(skip)]
    each: OnceLock<Vec<meta::Regex>>,
    gate: Option<Gate>,
}

/// Literals one of which a text must contain: one SIMD substring search each (an Aho-Corasick
/// automaton over the same few literals measured ten times slower here: its prefilter keys on
/// bytes as common as `c`, `n` and `t`).
#[derive(Debug, Clone)]
pub struct Gate(Vec<memchr::memmem::Finder<'static>>);

impl Gate {
    /// From literals; one that contains another is left out (the shorter one finds it too).
    fn new(mut lits: Vec<Vec<u8>>) -> Gate {
        lits.sort_by_key(Vec::len);
        let mut kept: Vec<Vec<u8>> = Vec::new();
        for l in lits {
            if !kept.iter().any(|k| memchr::memmem::find(&l, k).is_some()) {
                kept.push(l);
            }
        }
        Gate(
            kept.into_iter()
                .map(|l| memchr::memmem::Finder::new(&l).into_owned())
                .collect(),
        )
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.0.iter().any(|f| f.find(text.as_bytes()).is_some())
    }

    /// Byte ranges of every occurrence of every literal in `text` (literal by literal).
    pub fn occurrences<'t>(&'t self, text: &'t str) -> impl Iterator<Item = Range<usize>> + 't {
        self.0.iter().flat_map(move |f| {
            let n = f.needle().len();
            f.find_iter(text.as_bytes()).map(move |at| at..at + n)
        })
    }
}

/// A snapshot keeps the literals; the searchers are built again when it is read.
impl serde::Serialize for Gate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(memchr::memmem::Finder::needle))
    }
}

impl<'de> serde::Deserialize<'de> for Gate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Gate, D::Error> {
        // The literals were kept by `new` already: it keeps them all, in the same order.
        Ok(Gate::new(serde::Deserialize::deserialize(d)?))
    }
}

impl Gate {
    /// False when `gate` is a gate that `text` does not pass (no gate passes everything).
    pub fn admits(gate: Option<&Gate>, text: &str) -> bool {
        gate.is_none_or(|g| g.is_match(text))
    }
}

impl Regexes {
    const SIZE_LIMIT: usize = 1 << 20;

    /// One regex with the limits every rule regex gets.
    pub fn compile_one(source: &str) -> Result<Regex, regex::Error> {
        regex::RegexBuilder::new(source)
            .size_limit(Self::SIZE_LIMIT)
            .build()
    }

    /// From the sources; nothing is compiled until a block passes the gate.
    pub fn new(sources: Vec<String>) -> Regexes {
        let gate = required_literals(&sources).map(Gate::new);
        Regexes {
            sources,
            set: OnceLock::new(),
            each: OnceLock::new(),
            gate,
        }
    }

    /// The meta engine without a prefilter, keeping the captures `captures` asks for.
    fn builder(captures: WhichCaptures, size_limit: usize) -> meta::Builder {
        let mut b = meta::Builder::new();
        b.configure(
            meta::Config::new()
                .auto_prefilter(false)
                .which_captures(captures)
                .nfa_size_limit(Some(size_limit)),
        );
        b
    }

    /// The gate: a search for literals one of which every match contains (`None`: no gate).
    pub fn gate(&self) -> Option<&Gate> {
        self.gate.as_ref()
    }

    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// All of them in one regex that tells whether any matches (`None` with fewer than two).
    pub fn set(&self) -> Option<&meta::Regex> {
        self.set
            .get_or_init(|| {
                (self.sources.len() > 1)
                    .then(|| {
                        Self::builder(WhichCaptures::None, Self::SIZE_LIMIT * 4)
                            .build_many(&self.sources)
                            .ok()
                    })
                    .flatten()
            })
            .as_ref()
    }

    /// The single regexes, compiled on first use. A source that does not compile is left out:
    /// that can only happen to a pack that skipped validation, which the shipped packs pass in
    /// the tests.
    pub fn each(&self) -> &[meta::Regex] {
        self.each.get_or_init(|| {
            self.sources
                .iter()
                .filter_map(|s| {
                    Self::builder(WhichCaptures::Implicit, Self::SIZE_LIMIT)
                        .build(s)
                        .ok()
                })
                .collect()
        })
    }
}

/// Shortest gate literal worth a search: a gate of one- or two-letter literals passes nearly
/// every block.
const MIN_GATE_LITERAL: usize = 3;

/// Literals one of which every match of every regex in `sources` contains, or `None` when some
/// regex has no such set (or only one of very short literals).
fn required_literals(sources: &[String]) -> Option<Vec<Vec<u8>>> {
    let mut all = Vec::new();
    for s in sources {
        let hir = regex_syntax::Parser::new().parse(s).ok()?;
        let lits = required(&hir)?;
        if lits.iter().any(|l| l.len() < MIN_GATE_LITERAL) {
            return None;
        }
        all.extend(lits);
    }
    all.sort();
    all.dedup();
    (!all.is_empty()).then_some(all)
}

/// How good a literal set is as a gate: longer shortest literal first (capped: past a few
/// bytes length buys little), then fewer literals.
fn gate_score(lits: &[Vec<u8>]) -> (usize, std::cmp::Reverse<usize>) {
    let shortest = lits.iter().map(Vec::len).min().unwrap_or(0);
    (shortest.min(8), std::cmp::Reverse(lits.len()))
}

/// Literals one of which every match of `hir` contains, or `None`.
fn required(hir: &regex_syntax::hir::Hir) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Literal(l) => Some(vec![l.0.to_vec()]),
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub),
        HirKind::Alternation(alts) => {
            let mut out = Vec::new();
            for a in alts {
                out.extend(required(a)?);
            }
            out.sort();
            out.dedup();
            Some(out)
        }
        HirKind::Concat(items) => {
            // Adjacent literals form one longer literal; otherwise the best item's set.
            let mut best: Option<Vec<Vec<u8>>> = None;
            let mut consider = |set: Vec<Vec<u8>>| {
                if best
                    .as_ref()
                    .is_none_or(|b| gate_score(&set) > gate_score(b))
                {
                    best = Some(set);
                }
            };
            let mut run: Vec<u8> = Vec::new();
            for item in items {
                if let HirKind::Literal(l) = item.kind() {
                    run.extend_from_slice(&l.0);
                    continue;
                }
                if !run.is_empty() {
                    consider(vec![std::mem::take(&mut run)]);
                }
                if let Some(set) = required(item) {
                    consider(set);
                }
            }
            if !run.is_empty() {
                consider(vec![run]);
            }
            best
        }
        _ => None,
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FlagLang {
    pub patterns: Vec<Pattern>,
    pub regex: Regexes,
    pub near: Vec<Near>,
    pub unless: LazyPatterns,
    pub negation: Negation,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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
        let unless = cx.lazy_patterns(raw.unless.as_ref());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(sources: &[&str]) -> Option<Vec<String>> {
        let sources: Vec<String> = sources.iter().map(|s| s.to_string()).collect();
        required_literals(&sources).map(|v| {
            v.into_iter()
                .map(|l| String::from_utf8(l).unwrap())
                .collect()
        })
    }

    #[test]
    fn regexes_are_compiled_on_first_use() {
        let r = Regexes::new(vec![
            r"notice period of [0-9]+ months".to_string(),
            r"renewed for [0-9]+ years".to_string(),
        ]);
        assert!(r.set.get().is_none() && r.each.get().is_none());
        let text = "with a notice period of 12 months";
        assert!(r.gate().is_some_and(|g| g.is_match(text)));
        let set = r.set().expect("two sources make a set");
        assert!(set.is_match(text));
        assert!(set.is_match("it is renewed for 2 years"));
        assert!(!set.is_match("a notice period of twelve months"));
        let spans: Vec<Vec<(usize, usize)>> = r
            .each()
            .iter()
            .map(|re| re.find_iter(text).map(|m| (m.start(), m.end())).collect())
            .collect();
        assert_eq!(spans, vec![vec![(7, 33)], vec![]]);
        assert!(Regexes::new(vec!["only one".to_string()]).set().is_none());
        assert_eq!(Regexes::new(vec!["(".to_string()]).each().len(), 0);
        // Unicode classes and word boundaries mean what they mean in the `regex` crate.
        let u = Regexes::new(vec![r"\bœuvre\w*".to_string(), r"(?-u:\b)ß\b".to_string()]);
        let found: Vec<(usize, usize)> = u.each()[0]
            .find_iter("les œuvres")
            .map(|m| (m.start(), m.end()))
            .collect();
        assert_eq!(found, vec![(4, 11)]);
        assert!(u.set().is_some_and(|s| s.is_match("x œuvre")));
    }

    #[test]
    fn gate_literals_are_in_every_match() {
        assert_eq!(
            gate(&["(?-u:\\b)notice period of [0-9]+ months"]),
            Some(vec!["notice period of ".to_string()])
        );
        // An optional part gives nothing; the best remaining literal is taken.
        assert_eq!(
            gate(&["[0-9]+ (calendar )?days'? (prior )?notice"]),
            Some(vec!["notice".to_string()])
        );
        // Alternatives: one literal from each, and `[a-z]*` after a literal keeps the literal.
        assert_eq!(
            gate(&["(notice|cancel[a-z]*|terminat[a-z]*) [0-9]+"]),
            Some(vec![
                "cancel".to_string(),
                "notice".to_string(),
                "terminat".to_string()
            ])
        );
        // Two regexes: the union.
        assert_eq!(
            gate(&["renewal", "tacit extension"]),
            Some(vec!["renewal".to_string(), "tacit extension".to_string()])
        );
        // No gate when a regex has no literal, or only very short ones.
        assert_eq!(gate(&["renewal", "[0-9]+ [a-z]+"]), None);
        assert_eq!(gate(&["(a|b)[0-9]"]), None);
        assert_eq!(gate(&["(?i)notice"]), None);
    }

    #[test]
    fn gate_never_hides_a_match() {
        let sources = vec![
            "(?-u:\\b)notice period(?-u:\\b)[^a-z0-9_]{1,6}([6-9]|1[0-9]) months".to_string(),
            "(six|twelve) months'? (prior )?notice".to_string(),
        ];
        let r = Regexes::new(sources.clone());
        for text in [
            "the notice period: 12 months",
            "twelve months' prior notice",
            "six months notice",
        ] {
            assert!(
                sources
                    .iter()
                    .any(|s| Regex::new(s).unwrap().is_match(text))
            );
            assert!(Gate::admits(r.gate(), text), "{text}");
        }
        assert!(!Gate::admits(
            r.gate(),
            "invoices are payable within thirty days"
        ));
    }
}
