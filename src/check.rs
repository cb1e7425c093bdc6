//! The one loop that runs a compiled [`RuleSet`] over a [`Document`] and produces findings and
//! topic hits.
//!
//! Per body block: normalise and tokenise once, tell the language, walk the trie of the anchor
//! words of every pattern of that language's rules from each word start (the prefilter,
//! [`anchors`]; a per-thread cache keeps the anchors of the words already walked), and only
//! for blocks with a candidate split into sentences and run the candidate rules' NFAs. A rule
//! that looks sentence by sentence is a candidate only in the sentences that hold its anchors
//! (the block's hits are replayed per sentence): anchors spread over a paragraph's sentences
//! made most paragraphs of a tender candidates. `unless`, negation, `near` and `then` are then
//! looked for in the rule's scope around each match (sentence, block, clause or document).
//! `require` rules are decided last, from the topics of the whole document and whether any
//! block has their triggers, and only for the document kinds they apply to (see [`kind`]).
//!
//! The blocks are taken in chunks, each an independent task, on all cores when the thread's
//! budget allows ([`crate::par`]): a chunk's blocks are normalised, prefiltered and checked by
//! every candidate rule, one rule after another, and the chunk's findings sorted, while its
//! words are in the core's cache. A chunk's findings lie in its blocks, so the chunks' lists
//! joined in order are the document's; the result does not depend on the number of threads.
//! Rules with `regex` are candidates only in blocks that hold one of their gate literals
//! ([`crate::rules::flag::Gate`]).
//! [`analyse_lazy`] first tells the languages of the document's blocks and asks a
//! [`LazyRuleSet`] for rules compiled for them.
//!
//! Design decision: rules never see the document; they see words of normalised text, and every
//! match is mapped back to exact byte offsets of the block text, so findings, suggestions and
//! redlines point at what the reader sees. Fingerprints hash the rule id, the normalised excerpt
//! and its sentence, never positions, so review decisions survive edits elsewhere.

pub mod anchors;
pub mod kind;

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use crate::analysis::Analysis;
use crate::document::{Block, Document, Format};
use crate::error::ErrorKind;
use crate::finding::{
    Finding, Location, Position, STABLE_HASH_START, Span, Suggestion, TopicHit, stable_hash_hex,
    stable_hash_part,
};
use crate::lang::Lang;
use crate::normalise::{NormText, normalise};
use crate::rules::pattern::{Input, Pattern, Present};
use crate::rules::{DocKind, Negation, Rule, Scope, fill};
use crate::ruleset::{LazyRuleSet, RuleSet, RulesetError};
use crate::segment::{ClauseMap, Token, sentences, tokenize};

/// A map with small integer keys, hashed with FxHash (no SipHash per look-up).
type FxMap<K, V> = HashMap<K, V, crate::rules::pattern::FxBuild>;

/// A rule's explanation, shared by its findings.
type Explanation = Arc<str>;

/// The prefilter: per language, one automaton over the anchor words of every pattern of every
/// rule in that language. A pattern is a candidate in a block only when the block holds an
/// anchor of *each* group of one of its clauses (see [`Pattern::anchor_clauses`]); a rule is a
/// candidate when one of its trigger patterns is. A block is looked at only with the filter of
/// its own language: the words of the other languages' rules are neither walked nor counted.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Prefilter {
    langs: Vec<(Lang, LangFilter)>,
}

/// The prefilter of one language. Each clause of each pattern is one slot.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct LangFilter {
    trie: anchors::WordTrie,
    /// Per anchor `a`: list `2a`, the groups (of [`LangFilter::other_groups`]) that hold it,
    /// so that a block's anchors mark their groups once instead of every touched slot scanning
    /// its groups' anchors; list `2a + 1`, the pattern slots whose first (rarest) anchor group
    /// holds it. Only these anchors make a slot a candidate; its other groups are checked
    /// afterwards. Side by side, so that marking an anchor reads one place.
    anchor_lists: Lists,
    /// Per pattern slot: rule and the pattern's index among the rule's trigger patterns.
    slots: Vec<(u32, usize)>,
    /// Per pattern slot: the rule looks for its triggers sentence by sentence, so the slot is a
    /// candidate only in the sentences that hold its anchors (see [`Candidate::sentences`]).
    by_sentence: Vec<bool>,
    /// Per pattern slot: its groups after the first (ids of distinct anchor sets).
    other_groups: Lists,
    /// Per anchor: its bit among the [`HEAVY_ANCHORS`] anchors in the most groups (0 for the
    /// others). A heavy anchor ("shall", "the") marks none of its groups: each group keeps the
    /// bits of its heavy anchors instead ([`LangFilter::group_heavy`]), and a block the bits
    /// of the heavy anchors it holds.
    heavy_bit: Vec<u64>,
    /// Per group: the bits of its heavy anchors.
    group_heavy: Vec<u64>,
    /// How many distinct groups there are.
    groups: usize,
    /// Rules with a pattern without anchors: candidates in every block.
    always: Vec<u32>,
    /// Rules with regexes, and the regexes' gate: candidates (with no pattern bit) in every
    /// block the gate passes.
    regex: Vec<(u32, Option<crate::rules::flag::Gate>)>,
}

/// Lists of ids, one after the other in one buffer (a list of lists would cost a load of the
/// inner list's address before its items, and scatter them).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct Lists {
    /// Where each list starts in `items`, and where the last one ends.
    starts: Vec<u32>,
    items: Vec<u32>,
}

impl Lists {
    fn of(lists: impl IntoIterator<Item = Vec<u32>>) -> Lists {
        let mut out = Lists {
            starts: vec![0],
            items: Vec::new(),
        };
        for list in lists {
            out.items.extend(list);
            out.starts
                .push(u32::try_from(out.items.len()).unwrap_or(u32::MAX));
        }
        out
    }

    /// List `i` (empty past the last).
    #[inline]
    fn get(&self, i: usize) -> &[u32] {
        match self.starts.get(i..i + 2) {
            Some(&[a, b]) => self.items.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// Start bucket and hash of each token of a block ([`crate::rules::pattern::bucket`],
/// [`crate::rules::pattern::word_hash`]).
pub type Keys = (Vec<u8>, Vec<u64>);

/// Reusable buffers of [`Prefilter::candidates`], kept per thread (see
/// `with_prefilter_scratch`): the marks are sized by the rules, the hit list by the largest
/// block seen, the word cache is bounded.
#[derive(Debug, Default)]
pub struct PrefilterScratch {
    /// Per anchor: the generation (block) it was last seen in.
    anchor_seen: Vec<u32>,
    /// Per slot: the generation it was last touched in.
    slot_seen: Vec<u32>,
    /// Per group: the generation one of its anchors was last seen in.
    group_seen: Vec<u32>,
    touched: Vec<u32>,
    /// The block's anchor hits in word order: (word, anchor), every occurrence.
    hits: Vec<(u32, u32)>,
    /// The slots complete in the whole block that look sentence by sentence.
    by_sentence: Vec<u32>,
    generation: u32,
    /// The anchors of the words already walked.
    words: anchors::WordCache,
}

impl PrefilterScratch {
    /// A fresh generation: every mark of the previous ones is stale.
    fn next_generation(&mut self) -> u32 {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.anchor_seen.iter_mut().for_each(|g| *g = 0);
            self.slot_seen.iter_mut().for_each(|g| *g = 0);
            self.group_seen.iter_mut().for_each(|g| *g = 0);
            self.generation = 1;
        }
        self.generation
    }
}

thread_local! {
    /// The thread's prefilter buffers, kept from block to block and document to document: the
    /// words already walked stay known.
    static PREFILTER_SCRATCH: std::cell::RefCell<PrefilterScratch> =
        std::cell::RefCell::new(PrefilterScratch::default());
}

/// Runs `f` with the thread's [`PrefilterScratch`] (a fresh one if it is in use).
fn with_prefilter_scratch<T>(f: impl FnOnce(&mut PrefilterScratch) -> T) -> T {
    PREFILTER_SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => f(&mut s),
        Err(_) => f(&mut PrefilterScratch::default()),
    })
}

/// A rule that may match in a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub rule: u32,
    /// Bit i: trigger pattern i may match (patterns past 63 are always included).
    pub patterns: u64,
    /// Bit k: the rule's triggers may match in sentence k of the block (sentences past 63 share
    /// bit 63). All bits for rules that do not look sentence by sentence.
    pub sentences: u64,
}

impl Candidate {
    /// True when sentence `k` may hold a match.
    pub fn in_sentence(sentences: u64, k: usize) -> bool {
        (sentences >> k.min(63)) & 1 != 0
    }
}

impl Prefilter {
    pub fn build(rules: &[Rule]) -> Prefilter {
        let mut langs: Vec<Lang> = rules.iter().flat_map(Rule::languages).collect();
        langs.sort_unstable();
        langs.dedup();
        Prefilter {
            langs: langs
                .into_iter()
                .map(|l| (l, LangFilter::build(rules, l)))
                .collect(),
        }
    }

    /// The rules that may match in normalised `text` (split into `tokens`) in language `lang`,
    /// sorted, without duplicates, each with the trigger patterns and the sentences where they
    /// may match. `sentences` gives the word ranges of the block's sentences (in order, covering
    /// every word); it is asked for only when a rule that looks sentence by sentence is a
    /// candidate in the whole block.
    ///
    /// The walk hashes every word: when it runs, `keys` gets each token's start bucket and hash
    /// ([`crate::rules::pattern::bucket`], [`crate::rules::pattern::word_hash`]), which the
    /// rules' matching needs too, and the result is true.
    #[allow(clippy::too_many_arguments)]
    pub fn candidates<'s>(
        &self,
        text: &str,
        tokens: &[Token],
        sentences: &dyn Fn() -> &'s [Range<usize>],
        lang: Lang,
        scratch: &mut PrefilterScratch,
        out: &mut Vec<Candidate>,
        keys: &mut Keys,
    ) -> bool {
        out.clear();
        match self.langs.iter().find(|(l, _)| *l == lang) {
            Some((_, f)) => f.candidates(text, tokens, sentences, scratch, out, keys),
            None => false,
        }
    }
}

impl LangFilter {
    fn build(rules: &[Rule], lang: Lang) -> LangFilter {
        let mut index: HashMap<(Arc<str>, bool), u32, crate::rules::pattern::FxBuild> =
            HashMap::default();
        let mut pats: Vec<(Arc<str>, bool)> = Vec::new();
        let mut targets: Vec<Vec<u32>> = Vec::new();
        let mut slots = Vec::new();
        let mut by_sentence = Vec::new();
        let mut other_groups = Vec::new();
        // Every distinct anchor set (its sorted anchor ids) gets a group id; a shared group (a
        // lexicon's, used by many clauses) is resolved once, by its address.
        let mut group_index: HashMap<Vec<u32>, u32, crate::rules::pattern::FxBuild> =
            HashMap::default();
        let mut group_anchors: Vec<Vec<u32>> = Vec::new();
        let mut by_address: HashMap<usize, u32, crate::rules::pattern::FxBuild> =
            HashMap::default();
        // Groups some clause requires after its first: only these are marked while checking.
        let mut marked: Vec<bool> = Vec::new();
        let mut always = Vec::new();
        let mut regex = Vec::new();
        let mut group_id = |group: &crate::rules::pattern::AnchorGroup,
                            targets: &mut Vec<Vec<u32>>,
                            group_anchors: &mut Vec<Vec<u32>>|
         -> u32 {
            let address = group.as_ptr() as usize;
            if !group.is_empty()
                && let Some(&g) = by_address.get(&address)
            {
                return g;
            }
            let mut ids: Vec<u32> = group
                .iter()
                .map(|a| {
                    *index
                        .entry((a.text.clone(), a.whole_word))
                        .or_insert_with(|| {
                            pats.push((a.text.clone(), a.whole_word));
                            targets.push(Vec::new());
                            u32::try_from(pats.len() - 1).unwrap_or(u32::MAX)
                        })
                })
                .collect();
            ids.sort_unstable();
            ids.dedup();
            let g = *group_index.entry(ids).or_insert_with_key(|ids| {
                group_anchors.push(ids.clone());
                u32::try_from(group_anchors.len() - 1).unwrap_or(u32::MAX)
            });
            if !group.is_empty() {
                by_address.insert(address, g);
            }
            g
        };
        for (ri, rule) in rules.iter().enumerate() {
            let ri = u32::try_from(ri).unwrap_or(u32::MAX);
            if !rule.languages().contains(&lang) {
                continue;
            }
            let trig = rule.trigger_patterns(lang);
            if trig.iter().any(|p| p.anchor_clauses().is_empty()) {
                always.push(ri);
                continue;
            }
            if let Rule::Flag(f) = rule
                && let Some(sec) = f.langs.get(&lang)
                && !sec.regex.is_empty()
            {
                regex.push((ri, sec.regex.gate().cloned()));
            }
            for (pi, groups) in trig
                .iter()
                .enumerate()
                .flat_map(|(pi, p)| p.anchor_clauses().iter().map(move |c| (pi, c)))
            {
                let slot = u32::try_from(slots.len()).unwrap_or(u32::MAX);
                slots.push((ri, pi));
                // `require` looks for its triggers in whole blocks whatever its scope.
                by_sentence.push(
                    rule.header().scope == Scope::Sentence && !matches!(rule, Rule::Require(_)),
                );
                let mut others = Vec::with_capacity(groups.len().saturating_sub(1));
                for (k, group) in groups.iter().enumerate() {
                    let g = group_id(group, &mut targets, &mut group_anchors);
                    if k == 0 {
                        for &id in group_anchors.get(g as usize).map_or(&[][..], Vec::as_slice) {
                            // Slots come in increasing order: a repeat is the last one.
                            if let Some(t) = targets.get_mut(id as usize)
                                && t.last() != Some(&slot)
                            {
                                t.push(slot);
                            }
                        }
                    } else {
                        if marked.len() <= g as usize {
                            marked.resize(g as usize + 1, false);
                        }
                        marked[g as usize] = true;
                        others.push(g);
                    }
                }
                other_groups.push(others);
            }
        }
        let mut anchor_groups: Vec<Vec<u32>> = vec![Vec::new(); targets.len()];
        for (g, ids) in group_anchors.iter().enumerate() {
            if marked.get(g) != Some(&true) {
                continue;
            }
            let g = u32::try_from(g).unwrap_or(u32::MAX);
            for &a in ids {
                if let Some(list) = anchor_groups.get_mut(a as usize) {
                    list.push(g);
                }
            }
        }
        // The anchors in the most groups stop marking them (see `heavy_bit`).
        let mut heavy_bit = vec![0u64; anchor_groups.len()];
        let mut group_heavy = vec![0u64; group_anchors.len()];
        let mut by_fan_out: Vec<usize> = (0..anchor_groups.len())
            .filter(|&a| anchor_groups[a].len() >= HEAVY_MIN_GROUPS)
            .collect();
        by_fan_out.sort_by_key(|&a| (std::cmp::Reverse(anchor_groups[a].len()), a));
        for (bit, &a) in by_fan_out.iter().take(HEAVY_ANCHORS).enumerate() {
            heavy_bit[a] = 1u64 << bit;
            for g in std::mem::take(&mut anchor_groups[a]) {
                if let Some(m) = group_heavy.get_mut(g as usize) {
                    *m |= 1u64 << bit;
                }
            }
        }
        let mut trie = anchors::WordTrieBuilder::default();
        for (id, (text, whole_word)) in pats.iter().enumerate() {
            if let Ok(id32) = u32::try_from(id) {
                trie.insert(text.clone(), id32, *whole_word);
            }
        }
        LangFilter {
            trie: trie.build(),
            anchor_lists: Lists::of(
                anchor_groups
                    .into_iter()
                    .zip(targets)
                    .flat_map(|(groups, slots)| [groups, slots]),
            ),
            slots,
            by_sentence,
            other_groups: Lists::of(other_groups),
            heavy_bit,
            group_heavy,
            groups: group_anchors.len(),
            always,
            regex,
        }
    }

    /// See [`Prefilter::candidates`]; `out` is empty on entry. True when `keys` were filled.
    fn candidates<'s>(
        &self,
        text: &str,
        tokens: &[Token],
        sentences: &dyn Fn() -> &'s [Range<usize>],
        scratch: &mut PrefilterScratch,
        out: &mut Vec<Candidate>,
        keys: &mut Keys,
    ) -> bool {
        out.extend(self.always.iter().map(|&rule| Candidate {
            rule,
            patterns: u64::MAX,
            sentences: u64::MAX,
        }));
        for (rule, gate) in &self.regex {
            if crate::rules::flag::Gate::admits(gate.as_ref(), text) {
                out.push(Candidate {
                    rule: *rule,
                    patterns: 0,
                    sentences: u64::MAX,
                });
            }
        }
        let walked = !self.heavy_bit.is_empty();
        if walked {
            scratch.anchor_seen.resize(self.heavy_bit.len(), 0);
            scratch.slot_seen.resize(self.slots.len(), 0);
            scratch.group_seen.resize(self.groups, 0);
            scratch.hits.clear();
            let PrefilterScratch { hits, words, .. } = &mut *scratch;
            let (buckets, hashes) = keys;
            buckets.clear();
            hashes.clear();
            buckets.reserve(tokens.len());
            hashes.reserve(tokens.len());
            words.serve(&self.trie);
            let bytes = text.as_bytes();
            for (i, t) in tokens.iter().enumerate() {
                // Tokens lie on char boundaries: the bytes need no check of their own.
                let word = bytes.get(t.start()..t.end()).unwrap_or(&[]);
                let (h, b, ids) = words.lookup(&self.trie, word);
                buckets.push(b);
                hashes.push(h);
                let i = u32::try_from(i).unwrap_or(u32::MAX);
                for &id in ids {
                    hits.push((i, id));
                }
            }
            let (generation, heavy) = self.mark_hits(scratch, 0..scratch.hits.len());
            let PrefilterScratch {
                group_seen,
                touched,
                by_sentence,
                ..
            } = &mut *scratch;
            by_sentence.clear();
            for &slot in touched.iter() {
                if self.complete(slot, generation, group_seen, heavy) {
                    if self.by_sentence.get(slot as usize) == Some(&true) {
                        by_sentence.push(slot);
                    } else {
                        self.emit(slot, u64::MAX, out);
                    }
                }
            }
            if !scratch.by_sentence.is_empty() {
                match sentences() {
                    // One sentence: the block's answer is the sentence's.
                    [_] => {
                        for &slot in &scratch.by_sentence {
                            self.emit(slot, u64::MAX, out);
                        }
                    }
                    many => self.by_sentences(many, scratch, out),
                }
            }
        }
        out.sort_unstable_by_key(|c| c.rule);
        out.dedup_by(|later, first| {
            if later.rule == first.rule {
                first.patterns |= later.patterns;
                first.sentences |= later.sentences;
                true
            } else {
                false
            }
        });
        walked
    }

    /// The slots that look sentence by sentence, each sentence on its own: the block's hits
    /// replayed with a fresh generation per sentence.
    fn by_sentences(
        &self,
        sentences: &[Range<usize>],
        scratch: &mut PrefilterScratch,
        out: &mut Vec<Candidate>,
    ) {
        let mut from = 0;
        for (k, sentence) in sentences.iter().enumerate() {
            // Hits are in word order: the sentence's are the run from its first word on.
            let rest = scratch.hits.get(from..).unwrap_or(&[]);
            let start = from + rest.partition_point(|&(i, _)| (i as usize) < sentence.start);
            let end = from + rest.partition_point(|&(i, _)| (i as usize) < sentence.end);
            from = end;
            let (generation, heavy) = self.mark_hits(scratch, start..end);
            for &slot in &scratch.touched {
                if self.by_sentence.get(slot as usize) == Some(&true)
                    && self.complete(slot, generation, &scratch.group_seen, heavy)
                {
                    self.emit(slot, 1u64 << k.min(63), out);
                }
            }
        }
    }

    /// A fresh generation with the anchors of `scratch.hits[range]` marked, and the bits of the
    /// heavy anchors among them ([`LangFilter::heavy_bit`]); the slots they touched are in
    /// `scratch.touched`.
    fn mark_hits(&self, scratch: &mut PrefilterScratch, range: Range<usize>) -> (u32, u64) {
        let generation = scratch.next_generation();
        let PrefilterScratch {
            anchor_seen,
            slot_seen,
            group_seen,
            touched,
            hits,
            ..
        } = scratch;
        touched.clear();
        let mut heavy = 0;
        for &(_, id) in hits.get(range).unwrap_or(&[]) {
            heavy |= self.heavy_bit.get(id as usize).copied().unwrap_or(0);
            self.mark(id, generation, anchor_seen, group_seen, slot_seen, touched);
        }
        (generation, heavy)
    }

    /// Anchor `id` seen in this generation: marks its groups and touches the slots it starts.
    #[inline]
    fn mark(
        &self,
        id: u32,
        generation: u32,
        anchor_seen: &mut [u32],
        group_seen: &mut [u32],
        slot_seen: &mut [u32],
        touched: &mut Vec<u32>,
    ) {
        let Some(seen) = anchor_seen.get_mut(id as usize) else {
            return;
        };
        if *seen == generation {
            return;
        }
        *seen = generation;
        for &g in self.groups_of(id) {
            if let Some(s) = group_seen.get_mut(g as usize) {
                *s = generation;
            }
        }
        for &slot in self.slots_of(id) {
            if let Some(s) = slot_seen.get_mut(slot as usize)
                && *s != generation
            {
                *s = generation;
                touched.push(slot);
            }
        }
    }

    /// The groups that hold anchor `id` (list `2 * id` of [`LangFilter::anchor_lists`]).
    #[inline]
    fn groups_of(&self, id: u32) -> &[u32] {
        self.anchor_lists.get(2 * id as usize)
    }

    /// The pattern slots anchor `id` starts (list `2 * id + 1`).
    #[inline]
    fn slots_of(&self, id: u32) -> &[u32] {
        self.anchor_lists.get(2 * id as usize + 1)
    }

    /// True when every group of `slot` after the first was seen in this generation.
    fn complete(&self, slot: u32, generation: u32, group_seen: &[u32], heavy: u64) -> bool {
        self.other_groups.get(slot as usize).iter().all(|&g| {
            group_seen.get(g as usize) == Some(&generation)
                || self
                    .group_heavy
                    .get(g as usize)
                    .is_some_and(|m| m & heavy != 0)
        })
    }

    fn emit(&self, slot: u32, sentences: u64, out: &mut Vec<Candidate>) {
        if let Some(&(rule, pi)) = self.slots.get(slot as usize) {
            let patterns = if pi >= 63 { u64::MAX } else { 1u64 << pi };
            out.push(Candidate {
                rule,
                patterns,
                sentences,
            });
        }
    }
}

/// The items whose bit is set in `mask`, counting from bit `offset` (bits past 63 count as set).
fn pick<T>(items: impl IntoIterator<Item = T>, mask: u64, offset: usize) -> Vec<T> {
    items
        .into_iter()
        .enumerate()
        .filter(|(i, _)| {
            let bit = i + offset;
            bit >= 63 || mask & (1u64 << bit) != 0
        })
        .map(|(_, t)| t)
        .collect()
}

/// Byte ranges (normalised) of a block's sentences, then their token ranges, in one buffer (a
/// long tender has tens of thousands of blocks: one allocation each instead of two).
type SentenceData = Vec<Range<usize>>;

/// One body block, prepared lazily.
struct PBlock<'d> {
    idx: usize,
    block: &'d Block,
    /// The normalised text, made where the block is first looked at: in the check of its chunk,
    /// on the core that then walks its words.
    norm: OnceLock<NormText>,
    tokens: OnceLock<Vec<Token>>,
    /// Start bucket and hash of each token, from the prefilter's walk or computed when a rule
    /// first asks.
    keys: OnceLock<Keys>,
    /// What words the block holds ([`Pattern::may_match`]), for the few blocks that a rule's
    /// `unless` or `near` list looks at (boxed: 160 bytes).
    present: OnceLock<Box<Present>>,
    /// Byte ranges (normalised) of the sentences, and their token ranges.
    sents: OnceLock<SentenceData>,
    lang: OnceLock<Option<Lang>>,
    /// Stems of the words, shared by every rule's input, in the language of the first input
    /// that asks ([`Run::input`]; all of a run's rules look at a block in its one language).
    stems: crate::rules::pattern::StemCache,
    stems_lang: OnceLock<Lang>,
    clause: usize,
}

impl PBlock<'_> {
    fn norm(&self) -> &NormText {
        self.norm.get_or_init(|| normalise(&self.block.text))
    }

    fn tokens(&self) -> &[Token] {
        self.tokens.get_or_init(|| tokenize(&self.norm().text))
    }

    fn keys(&self) -> (&[u8], &[u64]) {
        let (b, h) = self.keys.get_or_init(|| {
            let toks = self.tokens();
            let mut buckets = Vec::with_capacity(toks.len());
            let mut hashes = Vec::with_capacity(toks.len());
            for t in toks {
                let w = t.text(&self.norm().text);
                buckets.push(crate::rules::pattern::bucket(w));
                hashes.push(crate::rules::pattern::word_hash(w));
            }
            (buckets, hashes)
        });
        (b, h)
    }

    /// What words the block holds (made on first use).
    fn present(&self) -> &Present {
        self.present.get_or_init(|| {
            let (buckets, hashes) = self.keys();
            Box::new(Present::of(buckets, hashes))
        })
    }

    fn sentences(&self) -> &[Range<usize>] {
        let d = self.sentence_data();
        d.get(d.len() / 2..).unwrap_or(&[])
    }

    fn sentence_bytes(&self) -> &[Range<usize>] {
        let d = self.sentence_data();
        d.get(..d.len() / 2).unwrap_or(&[])
    }

    fn sentence_data(&self) -> &SentenceData {
        self.sents.get_or_init(|| {
            let toks = self.tokens();
            let mut all = sentences(self.norm(), &self.block.text, Lang::En);
            let n = all.len();
            all.reserve_exact(n);
            let mut t = 0;
            for k in 0..n {
                let end = all.get(k).map_or(0, |s| s.end);
                let start = t;
                while t < toks.len() && toks[t].start() < end {
                    t += 1;
                }
                all.push(start..t);
            }
            // The last sentence takes any words after the last sentence end.
            if n > 0
                && let Some(last) = all.last_mut()
            {
                last.end = toks.len();
            }
            all
        })
    }

    fn sentence_of(&self, tok: usize) -> Range<usize> {
        self.sentences()
            .iter()
            .find(|r| r.contains(&tok) || (r.start == tok && r.is_empty()))
            .cloned()
            .unwrap_or(0..self.tokens().len())
    }

    /// Normalised byte range of words `r`.
    fn byte_range(&self, r: &Range<usize>) -> Range<usize> {
        let toks = self.tokens();
        match (
            toks.get(r.start),
            r.end.checked_sub(1).and_then(|e| toks.get(e)),
        ) {
            (Some(a), Some(b)) => a.start()..b.end(),
            _ => 0..0,
        }
    }
}

/// Forced settings for rule tests and `check_text`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Options {
    pub lang: Option<Lang>,
    pub kind: Option<DocKind>,
}

/// A match of a trigger: block, words, brand.
#[derive(Debug, Clone)]
struct Hit {
    block: usize,
    words: Range<usize>,
    /// Normalised bytes (for regex hits that do not align with words).
    bytes: Range<usize>,
    brand: Option<u32>,
}

struct Run<'d, 'r> {
    doc: &'d Document,
    rules: &'r RuleSet,
    blocks: Vec<PBlock<'d>>,
    /// Per clause: the blocks of its extent ([`ClauseMap::extent`]), consecutive in `blocks`.
    extents: Vec<Range<usize>>,
    clause_numbers: Vec<Option<&'d str>>,
    opts: Options,
    doc_lang: OnceLock<Option<Lang>>,
    memo: Mutex<FxMap<(usize, u8, usize), bool>>,
    /// Rule texts filled once ([`Run::filled`]): (template address and length, language) to
    /// the text, or `None` when the text depends on the match.
    fills: Mutex<FxMap<(usize, usize, Lang), Option<String>>>,
    /// Explanations filled once per rule and language, as [`Run::fills`] (keyed by the
    /// explanation's address).
    explanations: Mutex<FxMap<(usize, Lang), Option<Explanation>>>,
    /// The document's kind, counted once when a rule asks ([`Run::kind`]).
    kind: OnceLock<DocKind>,
}

const ENOUGH_LETTERS_TO_DETECT: usize = 60;
const DETECT_SAMPLE: usize = 600;

impl<'d, 'r> Run<'d, 'r> {
    fn new(doc: &'d Document, rules: &'r RuleSet, opts: Options) -> Self {
        let body: Vec<(usize, &Block)> = doc.body().collect();
        // The clause map on one core while the blocks are made on the others (a long tender
        // has tens of thousands). Their text is normalised where their chunk is checked.
        let (clauses, mut blocks) = crate::par::join(
            || ClauseMap::new(body.iter().map(|(_, b)| *b)),
            || {
                crate::par::map(&body, |&(i, b)| PBlock {
                    idx: i,
                    block: b,
                    norm: OnceLock::new(),
                    tokens: OnceLock::new(),
                    keys: OnceLock::new(),
                    present: OnceLock::new(),
                    sents: OnceLock::new(),
                    lang: OnceLock::new(),
                    stems: Default::default(),
                    stems_lang: OnceLock::new(),
                    clause: 0,
                })
            },
        );
        for (b, &clause) in blocks.iter_mut().zip(&clauses.of_block) {
            b.clause = clause;
        }
        let extents = (0..clauses.starts.len())
            .map(|c| clauses.extent(c))
            .collect();
        Run {
            doc,
            rules,
            blocks,
            extents,
            clause_numbers: clauses.starts.iter().map(|s| s.2).collect(),
            opts,
            doc_lang: OnceLock::new(),
            memo: Mutex::new(FxMap::default()),
            fills: Mutex::new(FxMap::default()),
            explanations: Mutex::new(FxMap::default()),
            kind: OnceLock::new(),
        }
    }

    fn doc_lang(&self) -> Option<Lang> {
        if let Some(l) = self.opts.lang {
            return Some(l);
        }
        *self.doc_lang.get_or_init(|| {
            self.doc.language.or_else(|| {
                let mut text = String::new();
                for b in &self.blocks {
                    if text.len() > 4000 {
                        break;
                    }
                    text.push_str(&b.block.text);
                    text.push('\n');
                }
                crate::lang::detect(&text)
            })
        })
    }

    /// Every language a block of the document may be checked in: the document's and each
    /// block's own.
    fn languages(&self) -> Vec<Lang> {
        if let Some(l) = self.opts.lang {
            return vec![l];
        }
        let mut out: Vec<Lang> = self.doc_lang().into_iter().collect();
        for b in &self.blocks {
            if let Some(l) = self.lang_of(b)
                && !out.contains(&l)
            {
                out.push(l);
            }
        }
        out
    }

    fn lang_of(&self, b: &PBlock<'_>) -> Option<Lang> {
        if let Some(l) = self.opts.lang {
            return Some(l);
        }
        let own = *b.lang.get_or_init(|| {
            let s = crate::segment::prefix(&b.block.text, DETECT_SAMPLE);
            // Counted only as far as needed: most blocks have enough letters in their first
            // line.
            let letters = s.chars().filter(|c| c.is_alphabetic());
            if letters.take(ENOUGH_LETTERS_TO_DETECT).count() < ENOUGH_LETTERS_TO_DETECT {
                return None;
            }
            quick_lang(&b.norm().text, b.tokens()).or_else(|| crate::lang::detect(s))
        });
        own.or_else(|| self.doc_lang())
    }

    fn input<'a>(&self, b: &'a PBlock<'_>, lang: Lang) -> Input<'a> {
        if *b.stems_lang.get_or_init(|| lang) == lang {
            Input::with_stem_cache(&b.norm().text, b.tokens(), lang, &b.stems)
        } else {
            Input::new(&b.norm().text, b.tokens(), lang)
        }
        .with_keys(b.keys().0, b.keys().1)
    }

    /// The units a scope looks at around block `bi`, words `words`: (block, word range) pairs.
    fn unit(&self, scope: Scope, bi: usize, words: &Range<usize>) -> Vec<(usize, Range<usize>)> {
        let Some(b) = self.blocks.get(bi) else {
            return Vec::new();
        };
        match scope {
            Scope::Sentence => vec![(bi, b.sentence_of(words.start))],
            Scope::Block => vec![(bi, 0..b.tokens().len())],
            Scope::Clause => self
                .extents
                .get(b.clause)
                .map(|e| {
                    e.clone()
                        .map(|x| (x, 0..self.blocks.get(x).map_or(0, |y| y.tokens().len())))
                        .collect()
                })
                .unwrap_or_default(),
            Scope::Document => (0..self.blocks.len())
                .map(|x| (x, 0..self.blocks[x].tokens().len()))
                .collect(),
        }
    }

    fn unit_key(&self, scope: Scope, bi: usize) -> Option<usize> {
        match scope {
            Scope::Clause => self.blocks.get(bi).map(|b| b.clause),
            Scope::Document => Some(0),
            _ => None,
        }
    }

    /// True when any of `patterns` matches in the unit of `scope` around the hit (with
    /// `affirmed`, only a match that its sentence does not negate counts: "may not publish" is
    /// no right to publish). Memoised per clause and document unit.
    #[allow(clippy::too_many_arguments)]
    fn in_unit(
        &self,
        rule: usize,
        which: u8,
        scope: Scope,
        hit: &Hit,
        lang: Lang,
        patterns: &[Pattern],
        affirmed: bool,
    ) -> bool {
        if patterns.is_empty() {
            return false;
        }
        let key = self.unit_key(scope, hit.block).map(|u| (rule, which, u));
        if let Some(k) = key
            && let Some(v) = self
                .memo
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&k)
                .copied()
        {
            return v;
        }
        let found = self
            .unit(scope, hit.block, &hit.words)
            .into_iter()
            .any(|(bi, r)| {
                let b = &self.blocks[bi];
                let input = self.input(b, lang);
                patterns.iter().any(|p| {
                    if !p.may_match(b.present()) {
                        return false;
                    }
                    if !affirmed {
                        return p.is_match(&input, r.clone());
                    }
                    p.find_iter(&input, r.clone()).into_iter().any(|m| {
                        let words = m.start..m.end;
                        let at = Hit {
                            block: bi,
                            bytes: b.byte_range(&words),
                            words,
                            brand: None,
                        };
                        !self.negated(&at, lang)
                    })
                })
            });
        if let Some(k) = key {
            self.memo
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(k, found);
        }
        found
    }

    /// Non-overlapping matches of `patterns` in block `bi` (within sentences for sentence scope).
    /// Matches of `patterns` in block `bi`, each within one unit of `scope`; with sentence scope,
    /// only in the sentences whose bit is set in `sentences` (see [`Candidate::sentences`]).
    fn matches(
        &self,
        bi: usize,
        lang: Lang,
        scope: Scope,
        patterns: &[&Pattern],
        sentences: u64,
    ) -> Vec<Hit> {
        let b = &self.blocks[bi];
        let input = self.input(b, lang);
        let ranges = Self::scope_ranges(b, scope, sentences);
        let mut all = Vec::new();
        for p in patterns {
            for r in &ranges {
                for m in p.find_iter(&input, r.clone()) {
                    let words = m.start..m.end;
                    all.push(Hit {
                        block: bi,
                        bytes: b.byte_range(&words),
                        words,
                        brand: m.brand,
                    });
                }
            }
        }
        all.sort_by(|a, b| {
            a.words
                .start
                .cmp(&b.words.start)
                .then(b.words.end.cmp(&a.words.end))
        });
        let mut out: Vec<Hit> = Vec::with_capacity(all.len());
        for h in all {
            if out.last().is_none_or(|l| h.words.start >= l.words.end) {
                out.push(h);
            }
        }
        out
    }

    /// True when one of `rule`'s trigger patterns that candidate `cand` names matches in block
    /// `bi`, in units of `scope` (with sentence scope, in the sentences `cand` names).
    fn triggers_match(
        &self,
        rule: &Rule,
        bi: usize,
        lang: Lang,
        scope: Scope,
        cand: Candidate,
    ) -> bool {
        let pats = pick(rule.trigger_patterns(lang), cand.patterns, 0);
        self.any_match(bi, lang, scope, &pats, cand.sentences)
    }

    /// True when one of `patterns` matches in block `bi` (with sentence scope, in a sentence
    /// whose bit is set in `sentences`): [`Run::matches`] without collecting the matches.
    fn any_match(
        &self,
        bi: usize,
        lang: Lang,
        scope: Scope,
        patterns: &[&Pattern],
        sentences: u64,
    ) -> bool {
        let b = &self.blocks[bi];
        let input = self.input(b, lang);
        Self::scope_ranges(b, scope, sentences)
            .into_iter()
            .any(|r| patterns.iter().any(|p| p.is_match(&input, r.clone())))
    }

    /// The word ranges of block `b` that [`Run::matches`] looks in: its sentences whose bit is
    /// set in `sentences` for sentence scope, the whole block otherwise.
    fn scope_ranges(b: &PBlock<'_>, scope: Scope, sentences: u64) -> Vec<Range<usize>> {
        if scope != Scope::Sentence {
            return std::iter::once(0..b.tokens().len()).collect();
        }
        b.sentences()
            .iter()
            .enumerate()
            .filter(|(k, _)| Candidate::in_sentence(sentences, *k))
            .map(|(_, r)| r.clone())
            .collect()
    }

    fn regex_matches(
        &self,
        bi: usize,
        scope: Scope,
        regexes: &crate::rules::flag::Regexes,
    ) -> Vec<Hit> {
        if regexes.is_empty() {
            return Vec::new();
        }
        let set = regexes.set();
        let b = &self.blocks[bi];
        let toks = b.tokens();
        let text = &b.norm().text;
        let all_bytes = 0..text.len();
        let whole = std::slice::from_ref(&all_bytes);
        let scopes: &[Range<usize>] = if scope == Scope::Sentence {
            b.sentence_bytes()
        } else {
            whole
        };
        // Sentences that hold one of the gate's literals: every match holds one (a block
        // passes the gate when any sentence does, and most of its sentences do not).
        let mut gated = vec![regexes.gate().is_none(); scopes.len()];
        if let Some(gate) = regexes.gate() {
            for at in gate.occurrences(text) {
                let k = scopes.partition_point(|s| s.end <= at.start);
                if let Some(s) = scopes.get(k)
                    && s.start <= at.start
                    && at.end <= s.end
                    && let Some(g) = gated.get_mut(k)
                {
                    *g = true;
                }
            }
        }
        // Only the ranges where one of the regexes matches (one scan of the set each).
        let ranges: Vec<&Range<usize>> = scopes
            .iter()
            .zip(gated)
            .filter(|(_, g)| *g)
            .map(|(r, _)| r)
            .filter(|r| {
                set.is_none_or(|set| text.get((*r).clone()).is_some_and(|h| set.is_match(h)))
            })
            .collect();
        let mut out = Vec::new();
        if ranges.is_empty() {
            return out;
        }
        for re in regexes.each() {
            for &r in &ranges {
                let Some(hay) = text.get(r.clone()) else {
                    continue;
                };
                for m in re.find_iter(hay) {
                    if m.start() == m.end() {
                        continue;
                    }
                    let bytes = r.start + m.start()..r.start + m.end();
                    let ws = toks.partition_point(|t| t.end() <= bytes.start);
                    let we = toks.partition_point(|t| t.start() < bytes.end).max(ws);
                    out.push(Hit {
                        block: bi,
                        words: ws..we,
                        bytes,
                        brand: None,
                    });
                }
            }
        }
        out
    }

    fn negated(&self, hit: &Hit, lang: Lang) -> bool {
        let b = &self.blocks[hit.block];
        let sent = b.sentence_of(hit.words.start);
        let from = hit
            .words
            .start
            .saturating_sub(NEGATION_WINDOW)
            .max(sent.start);
        let to = hit.words.end.min(sent.end).max(from);
        let input = self.input(b, lang);
        let extra = self.rules.negation.get(&lang);
        (from..to).any(|i| {
            is_negation_cue(&input, i, sent.end, lang)
                || extra.is_some_and(|set| {
                    let mut found = false;
                    set.each_match(&input, i, to, &mut |_, _| found = true);
                    found
                })
        })
    }

    fn finding(&self, rule: &Rule, lang: Lang, hit: &Hit) -> Option<(Finding, u64)> {
        let b = &self.blocks[hit.block];
        let orig = b.norm().to_original(hit.bytes.clone());
        let excerpt = b.block.text.get(orig.clone()).unwrap_or("").to_string();
        let brand = hit.brand.and_then(|i| self.rules.brands.get(i as usize));
        if let Some(br) = brand {
            let allowed = std::iter::once(&br.name).chain(br.aliases.iter()).any(|n| {
                self.rules
                    .allowed_products
                    .contains(&crate::normalise::normalise_str(n))
            });
            if allowed {
                return None;
            }
        }
        let values = |name: &str| -> Option<String> {
            match name {
                "product" => Some(brand.map_or_else(|| excerpt.clone(), |br| br.name.clone())),
                "alternatives" => {
                    Some(brand.map_or_else(String::new, |br| br.alternatives.join(", ")))
                }
                "match" => Some(excerpt.clone()),
                other => static_value(self.rules, Some(lang), other),
            }
        };
        let h = rule.header();
        let title = self.filled(h.title(Some(lang)), lang, &values);
        let message = match h.message(Some(lang)) {
            Some(m) => fill(m, &values),
            None => format!("{title}: \"{}\"", short(&excerpt, 80)),
        };
        let suggestions = h
            .suggestions(Some(lang))
            .iter()
            .map(|s| Suggestion {
                text: self.filled(&s.text, lang, &values),
                position: s.position,
                replaces: None,
            })
            .collect();
        let sent = b.sentence_of(hit.words.start);
        // The fingerprint: rule, excerpt and sentence, each single-spaced (see [`counted`]).
        let excerpt_norm = b.norm().text.get(hit.bytes.clone()).unwrap_or("");
        let context_norm = b.norm().text.get(b.byte_range(&sent)).unwrap_or("");
        let base = stable_hash_part(STABLE_HASH_START, h.id.as_bytes());
        let base = hash_single_spaced(hash_single_spaced(base, excerpt_norm), context_norm);
        let clause = self.clause_number(b);
        let finding = Finding {
            rule_id: h.id.clone(),
            category: h.category,
            severity: h.severity,
            title,
            message,
            explanation: self.explained(h, lang, &values),
            excerpt: Some(excerpt),
            context: Some(b.block.text.clone()),
            location: Location {
                page: b.block.page,
                clause,
                heading: b.block.heading(),
                block: Some(b.idx),
                start: Some(orig.start),
                end: Some(orig.end),
            },
            suggestions,
            references: h.references.clone(),
            needs_legal_review: h.needs_legal_review,
            language: Some(lang),
            // The base of the fingerprint (see [`counted`]), hashed here, on the task's core.
            fingerprint: stable_hash_hex(base),
        };
        Some((finding, base))
    }

    /// The number of the clause block `b` is in: its own, else its clause's.
    fn clause_number(&self, b: &PBlock<'_>) -> Option<String> {
        b.block.clause.clone().or_else(|| {
            self.clause_numbers
                .get(b.clause)
                .copied()
                .flatten()
                .map(str::to_owned)
        })
    }

    /// `template` of a rule filled from `values`: once per run and language when it names only
    /// values that do not depend on the match (the authority, the licence), at every call when
    /// it names the match, the product or its alternatives.
    fn filled(
        &self,
        template: &str,
        lang: Lang,
        values: &dyn Fn(&str) -> Option<String>,
    ) -> String {
        // Templates live in the rule set as long as the run: the address names one.
        let key = (template.as_ptr() as usize, template.len(), lang);
        memoised(&self.fills, key, template, || fill(template, values))
    }

    /// The explanation as [`explained`] fills it, for a finding in `lang`: once per run and
    /// language unless the explanation names the match, the product or its alternatives.
    fn explained(
        &self,
        h: &crate::rules::RuleHeader,
        lang: Lang,
        values: &dyn Fn(&str) -> Option<String>,
    ) -> Arc<str> {
        let text = h.explanation_shared(Some(lang));
        if !text.contains('{') {
            return text.clone();
        }
        let key = (text.as_ptr() as usize, lang);
        memoised(&self.explanations, key, text, || fill(text, values).into())
    }

    fn document_finding(&self, rule: &Rule, lang: Option<Lang>) -> (Finding, u64) {
        let h = rule.header();
        // stable_hash(rule, "document", "").
        let base = [h.id.as_bytes(), b"document", b""]
            .iter()
            .fold(STABLE_HASH_START, |acc, part| stable_hash_part(acc, part));
        let values = |name: &str| static_value(self.rules, lang, name);
        let title = fill(h.title(lang), &values);
        let finding = Finding {
            rule_id: h.id.clone(),
            category: h.category,
            severity: h.severity,
            message: match h.message(lang) {
                Some(m) => fill(m, &values),
                None => title.clone(),
            },
            title,
            explanation: explained(h, lang, &values),
            excerpt: None,
            context: None,
            location: Location::default(),
            suggestions: h
                .suggestions(lang)
                .iter()
                .map(|s| Suggestion {
                    text: fill(&s.text, &values),
                    position: s.position,
                    replaces: None,
                })
                .collect(),
            references: h.references.clone(),
            needs_legal_review: h.needs_legal_review,
            language: lang,
            fingerprint: stable_hash_hex(base),
        };
        (finding, base)
    }

    fn kind(&self) -> DocKind {
        if let Some(k) = self.opts.kind {
            return k;
        }
        *self
            .kind
            .get_or_init(|| kind::classify(self.blocks.iter().map(|b| b.norm().text.as_str())))
    }

    /// True when some rule asks for the document's kind (`require` and `conditional` rules).
    fn needs_kind(&self) -> bool {
        self.rules
            .rules
            .iter()
            .any(|x| matches!(x, Rule::Require(_) | Rule::Conditional(_)))
    }

    /// The work on the document that needs no compiled matching, done ahead: every block's
    /// words (the prefilter walks them all) and the document's kind.
    fn prepare(&self) {
        for b in &self.blocks {
            b.tokens();
        }
        if self.needs_kind() {
            self.kind();
        }
    }
}

/// Placeholders whose values depend on the match: a text that names one is filled per finding.
const PER_MATCH: [&str; 3] = ["{match}", "{product}", "{alternatives}"];

/// `template` filled by `fill`, kept in `memo` under `key` after the first call unless the
/// template names a [`PER_MATCH`] placeholder (then filled at every call).
fn memoised<K: std::hash::Hash + Eq, T: Clone>(
    memo: &Mutex<FxMap<K, Option<T>>>,
    key: K,
    template: &str,
    fill: impl FnOnce() -> T,
) -> T {
    let known = memo
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key)
        .cloned();
    match known {
        Some(Some(text)) => text,
        Some(None) => fill(),
        None => {
            let text = fill();
            let per_match = PER_MATCH.iter().any(|p| template.contains(p));
            memo.lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key, (!per_match).then(|| text.clone()));
            text
        }
    }
}

/// The words of `s` joined by single spaces (what fingerprints hash). Normalised text has only
/// plain spaces, mostly single: such a text is copied as it is.
fn single_spaced(s: &str) -> String {
    if is_single_spaced(s) {
        return s.to_string();
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True when [`single_spaced`] would give `s` back as it is.
fn is_single_spaced(s: &str) -> bool {
    let b = s.as_bytes();
    s.is_ascii()
        && b.first() != Some(&b' ')
        && b.last() != Some(&b' ')
        && !b
            .iter()
            .any(|&c| (c.is_ascii_whitespace() && c != b' ') || c == 0x0b)
        && memchr::memmem::find(b, b"  ").is_none()
}

/// [`stable_hash_part`] of [`single_spaced`]`(s)`, without copying `s` when it is single-spaced
/// already (nearly always).
fn hash_single_spaced(h: u64, s: &str) -> u64 {
    if is_single_spaced(s) {
        stable_hash_part(h, s.as_bytes())
    } else {
        stable_hash_part(h, single_spaced(s).as_bytes())
    }
}

/// A fast guess from function words ("the", "le", "der", "het", ...): the language with at
/// least three of them among the first words and twice as many as any other; `None` otherwise
/// (then the trigram model decides).
fn quick_lang(text: &str, tokens: &[Token]) -> Option<Lang> {
    let mut words = crate::lang::FunctionWords::default();
    for t in tokens.iter().take(80) {
        words.add(t.text(text));
    }
    words.verdict(3)
}

/// Most anchors that keep their groups' bits instead of marking them ([`LangFilter::heavy_bit`]).
const HEAVY_ANCHORS: usize = 64;

/// Fewest groups an anchor is in to be one of the heavy ones.
const HEAVY_MIN_GROUPS: usize = 2;

/// Blocks per task: the prefilter and every rule over one chunk.
const BLOCK_CHUNK: usize = 64;

/// Words before a match that may negate it, within the same sentence.
const NEGATION_WINDOW: usize = 4;

fn is_negation_cue(input: &Input<'_>, i: usize, sent_end: usize, lang: Lang) -> bool {
    let w = input.word(i);
    let next_is_apostrophe = input
        .tokens
        .get(i)
        .and_then(|t| input.text.get(t.end()..t.end() + 1))
        == Some("'");
    let prev_is_apostrophe = input
        .tokens
        .get(i)
        .and_then(|t| t.start().checked_sub(1))
        .and_then(|s| input.text.get(s..s + 1))
        == Some("'");
    match lang {
        Lang::En => {
            matches!(
                w,
                "not"
                    | "no"
                    | "never"
                    | "nor"
                    | "neither"
                    | "without"
                    | "none"
                    | "cannot"
                    | "nothing"
            ) || (w == "t" && prev_is_apostrophe && i > 0 && input.word(i - 1).ends_with('n'))
        }
        Lang::Fr => {
            if matches!(
                w,
                "pas"
                    | "jamais"
                    | "aucun"
                    | "aucune"
                    | "sans"
                    | "nullement"
                    | "rien"
                    | "ni"
                    | "guère"
            ) {
                return true;
            }
            // "ne"/"n'" negates unless it is the restrictive "ne ... que" (only).
            if w == "ne" || (w == "n" && next_is_apostrophe) {
                let end = (i + 7).min(sent_end);
                for j in i + 1..end {
                    match input.word(j) {
                        "que" | "qu" => return false,
                        "pas" | "jamais" | "plus" | "aucun" | "aucune" | "rien" | "point" => {
                            return true;
                        }
                        _ => {}
                    }
                }
                return true;
            }
            false
        }
        Lang::De => matches!(
            w,
            "nicht"
                | "kein"
                | "keine"
                | "keinen"
                | "keinem"
                | "keiner"
                | "keines"
                | "nie"
                | "niemals"
                | "ohne"
                | "weder"
                | "nichts"
        ),
        Lang::Nl => matches!(
            w,
            "niet" | "geen" | "nooit" | "zonder" | "noch" | "niets" | "geenszins"
        ),
        Lang::Da => matches!(
            w,
            "ikke" | "ingen" | "intet" | "aldrig" | "uden" | "hverken"
        ),
        Lang::Sv => matches!(
            w,
            "inte" | "ej" | "ingen" | "inget" | "inga" | "aldrig" | "utan" | "varken"
        ),
        Lang::Cs => matches!(
            w,
            "ne" | "nikdy"
                | "žádný"
                | "žádná"
                | "žádné"
                | "bez"
                | "nesmí"
                | "nemá"
                | "není"
                | "nebude"
                | "nejsou"
        ),
    }
}

/// "the Contracting Authority" in each language, for `{authority}` when the config has none.
pub fn default_authority(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "the Contracting Authority",
        Lang::Fr => "le pouvoir adjudicateur",
        Lang::De => "der öffentliche Auftraggeber",
        Lang::Nl => "de aanbestedende dienst",
        Lang::Da => "den ordregivende myndighed",
        Lang::Sv => "den upphandlande myndigheten",
        Lang::Cs => "zadavatel",
    }
}

/// The statutory "or equivalent" in each language, for `{equivalent}`.
pub fn equivalent(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "or equivalent",
        Lang::Fr => "ou équivalent",
        Lang::De => "oder gleichwertig",
        Lang::Nl => "of gelijkwaardig",
        Lang::Da => "eller tilsvarende",
        Lang::Sv => "eller likvärdigt",
        Lang::Cs => "nebo rovnocenný",
    }
}

pub const DEFAULT_LICENCE: &str = "EUPL-1.2";

fn static_value(rules: &RuleSet, lang: Option<Lang>, name: &str) -> Option<String> {
    let lang = lang.unwrap_or(Lang::En);
    match name {
        "authority" => Some(
            rules
                .values
                .authority
                .clone()
                .unwrap_or_else(|| default_authority(lang).to_string()),
        ),
        "licence" => Some(
            rules
                .values
                .licence
                .clone()
                .unwrap_or_else(|| DEFAULT_LICENCE.to_string()),
        ),
        "equivalent" => Some(equivalent(lang).to_string()),
        _ => None,
    }
}

/// Fills the placeholders that do not depend on a match (`{authority}`, `{licence}`,
/// `{equivalent}`), for `rules explain`.
pub fn fill_static(text: &str, rules: &RuleSet, lang: Option<Lang>) -> String {
    fill(text, &|n| static_value(rules, lang, n))
}

fn short(s: &str, max: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let mut out: String = flat.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

/// Runs `rules` over `document`: findings in document order (document-level ones last) and the
/// topic hits of the clause map.
pub fn analyse(document: Document, rules: &RuleSet) -> Analysis {
    let (findings, topics) = run(&document, rules, Options::default());
    Analysis {
        document,
        findings,
        topics,
    }
}

/// Like [`analyse`], with the rules compiled for the document's languages when first needed
/// (see [`LazyRuleSet`]); fails only when they cannot be compiled ([`ErrorKind::Rules`], the
/// diagnostics on one line).
pub fn analyse_lazy(document: Document, rules: &LazyRuleSet) -> Result<Analysis, ErrorKind> {
    let (findings, topics) = run_lazy(&document, rules, Options::default())
        .map_err(|e| ErrorKind::Rules(e.to_string().replace('\n', "; ")))?;
    Ok(Analysis {
        document,
        findings,
        topics,
    })
}

/// Like [`analyse`], with every block taken to be in `lang` (no language detection).
pub fn analyse_as(document: Document, lang: Lang, rules: &RuleSet) -> Analysis {
    let (findings, topics) = run(
        &document,
        rules,
        Options {
            lang: Some(lang),
            kind: None,
        },
    );
    Analysis {
        document,
        findings,
        topics,
    }
}

/// Checks one text in one language (split into blocks like a plain-text file); for tests and
/// rule tests.
pub fn check_text(text: &str, lang: Lang, rules: &RuleSet) -> Vec<Finding> {
    run(
        &text_document(text, lang),
        rules,
        Options {
            lang: Some(lang),
            kind: None,
        },
    )
    .0
}

pub(crate) fn text_document(text: &str, lang: Lang) -> Document {
    let path = Path::new("text");
    let mut doc = crate::extract::text::read(path, text.as_bytes(), Format::Text)
        .unwrap_or_else(|_| Document::new(path, Format::Text));
    doc.language = Some(lang);
    doc
}

/// The document kind `applies_to` is checked against.
pub fn document_kind(document: &Document) -> DocKind {
    let texts: Vec<String> = document
        .body()
        .map(|(_, b)| crate::normalise::normalise_str(&b.text))
        .collect();
    kind::classify(texts.iter().map(String::as_str))
}

pub(crate) fn run(doc: &Document, rules: &RuleSet, opts: Options) -> (Vec<Finding>, Vec<TopicHit>) {
    run_on(Run::new(doc, rules, opts))
}

/// [`run`] with the rules compiled for the languages `doc`'s blocks are in.
fn run_lazy(
    doc: &Document,
    rules: &LazyRuleSet,
    opts: Options,
) -> Result<(Vec<Finding>, Vec<TopicHit>), Arc<RulesetError>> {
    let mut r = Run::new(doc, rules.base(), opts);
    if !rules.is_lazy() {
        return Ok(run_on(r));
    }
    let langs = r.languages();
    // While another thread still compiles the rules (started from a sample before the document
    // was read), this one would only wait: it does the work that needs no rules instead.
    if !rules.is_compiled(&langs) {
        r.prepare();
    }
    let set = rules.for_langs(&langs)?;
    r.rules = &set;
    Ok(run_on(r))
}

/// Findings, each with the hash its fingerprint starts from (see [`counted`]); `None` for a
/// finding that could not be made, and for each one [`sorted`] has moved out.
type Found = Vec<Option<(Finding, u64)>>;

/// What one rule finds in one chunk of blocks ([`check_rule`]): findings and topics.
type TaskResult = (Found, Vec<TopicHit>);

/// A candidate rule of a block: (block, language, candidate).
type BlockCandidate = (usize, Lang, Candidate);

/// What one chunk of blocks gives: its findings in order ([`sorted`]), each with the hash its
/// fingerprint starts from; its topic hits, each with its rule; and the `require` rules whose
/// triggers match in one of its blocks (the document-level check needs only whether some block
/// has them).
type ChunkResult = (Vec<(Finding, u64)>, Vec<(usize, TopicHit)>, Vec<usize>);

fn run_on(mut r: Run<'_, '_>) -> (Vec<Finding>, Vec<TopicHit>) {
    let rules = r.rules;

    let chunks: Vec<Range<usize>> = (0..r.blocks.len())
        .step_by(BLOCK_CHUNK)
        .map(|s| s..(s + BLOCK_CHUNK).min(r.blocks.len()))
        .collect();
    // The document's kind (`require` and `conditional` rules ask for it) is a count over up to
    // 300 KB of text on one thread: it runs beside the checks, and a `conditional` rule that
    // needs it first waits for it or counts it itself. Each block's text is normalised once,
    // by the count or by its chunk, whichever reaches it first.
    let needs_kind = r.needs_kind();
    // Chunk by chunk (on all cores when the budget allows): the prefilter over the chunk's
    // blocks, then each rule over its candidates there, while the blocks' words, word hashes
    // and sentences are still in the core's cache. Taken rule by rule over the whole document,
    // every rule read them back from memory (a 10 MB text's words, hashes and sentences are
    // several times the size of the last-level cache).
    // Every chunk a task of its own: split into a few long runs of chunks, as rayon splits a
    // list by default, one core was left with a run of chunks while the other had none (40 ms
    // of a 120 ms analysis on two cores, measured).
    let check = || {
        crate::par::map_each(&chunks, |range| -> ChunkResult {
            let mut cands = Vec::new();
            let mut in_chunk: Vec<BlockCandidate> = Vec::new();
            with_prefilter_scratch(|scratch| {
                for bi in range.clone() {
                    let b = &r.blocks[bi];
                    let Some(lang) = r.lang_of(b) else {
                        continue;
                    };
                    let mut keys = Keys::default();
                    if rules.prefilter.candidates(
                        &b.norm().text,
                        b.tokens(),
                        &|| b.sentences(),
                        lang,
                        scratch,
                        &mut cands,
                        &mut keys,
                    ) {
                        // Set unless a rule's check already computed them.
                        let _ = b.keys.set(keys);
                    }
                    in_chunk.extend(cands.iter().map(|&c| (bi, lang, c)));
                }
            });
            // By rule, each rule's blocks staying in block order (the sort is stable).
            in_chunk.sort_by_key(|&(_, _, c)| c.rule);
            let mut found: Vec<Found> = Vec::new();
            let mut topic_hits = Vec::new();
            let mut required = Vec::new();
            for group in in_chunk.chunk_by(|a, b| a.2.rule == b.2.rule) {
                let ri = group.first().map_or(0, |g| g.2.rule as usize);
                match rules.rules.get(ri) {
                    // Checked here, on this core while the chunk's words are in its cache,
                    // rather than on one core after every chunk: up to the first block that
                    // has the triggers.
                    Some(rule @ Rule::Require(_)) => {
                        // Whole blocks, whatever the rule's scope.
                        if group.iter().any(|&(bi, lang, c)| {
                            let whole = Candidate {
                                sentences: u64::MAX,
                                ..c
                            };
                            r.triggers_match(rule, bi, lang, Scope::Block, whole)
                        }) {
                            required.push(ri);
                        }
                    }
                    _ => {
                        let (f, hits) = check_rule(&r, ri, group);
                        found.push(f);
                        topic_hits.extend(hits.into_iter().map(|h| (ri, h)));
                    }
                }
            }
            // Ordered here, on this core while they are in its cache: a chunk's findings lie
            // in its blocks, so the chunks' lists one after the other are in order too.
            (sorted(found), topic_hits, required)
        })
    };
    let (per_chunk, _) = crate::par::join(check, || {
        if needs_kind {
            r.kind();
        }
    });

    // What the document-level steps need of the blocks, taken before the blocks are freed.
    let (kind, doc_lang) = if needs_kind {
        (Some(r.kind()), r.doc_lang())
    } else {
        (None, None)
    };
    // The topics, the `require` rules and the fingerprints, while another core frees the
    // blocks' text, words and sentences: tens of thousands of buffers in a long document, most
    // made on other threads.
    let blocks = std::mem::take(&mut r.blocks);
    let ((), out) = crate::par::join(
        move || drop(blocks),
        || finish(&r, per_chunk, kind, doc_lang),
    );
    out
}

/// The document's findings and topics from what its chunks gave: the chunks' findings joined in
/// order, with the `require` rules' document-level findings (for a document of kind `kind`, in
/// language `doc_lang`) last.
fn finish(
    r: &Run<'_, '_>,
    per_chunk: Vec<ChunkResult>,
    kind: Option<DocKind>,
    doc_lang: Option<Lang>,
) -> (Vec<Finding>, Vec<TopicHit>) {
    let rules = r.rules;
    // Each chunk's findings, in order; the document-level ones are added last.
    let mut found: Vec<Vec<(Finding, u64)>> = Vec::with_capacity(per_chunk.len() + 1);
    // The `require` rules whose triggers some block has.
    let mut required: Vec<usize> = Vec::new();
    // Topic hits by rule, then block (as checking rule by rule gives them); two rules of one
    // topic may both find it in a block: it is listed once.
    let mut topic_hits: Vec<(usize, TopicHit)> = Vec::new();
    for (f, hits, require) in per_chunk {
        found.push(f);
        topic_hits.extend(hits);
        required.extend(require);
    }
    topic_hits.sort_by_key(|(ri, _)| *ri);
    let mut topic_seen: HashSet<(&str, usize), crate::rules::pattern::FxBuild> = HashSet::default();
    let mut topics: Vec<TopicHit> = Vec::new();
    for (ri, hit) in topic_hits {
        let Some(Rule::Topic(t)) = rules.rules.get(ri) else {
            continue;
        };
        if topic_seen.insert((t.topic.as_str(), hit.block)) {
            topics.push(hit);
        }
    }

    // Require rules: document level.
    let mut document_level: Found = Vec::new();
    for (ri, rule) in rules.rules.iter().enumerate() {
        let Rule::Require(q) = rule else { continue };
        if !kind.is_some_and(|k| q.applies_to.contains(&k)) {
            continue;
        }
        let by_topic = topics.iter().any(|t| q.topics.contains(&t.topic));
        if !by_topic && !required.contains(&ri) {
            document_level.push(Some(r.document_finding(rule, doc_lang)));
        }
    }
    found.push(sorted(vec![document_level]));
    // Fingerprints, with a counter for identical excerpts in identical sentences.
    (counted(found), topics)
}

/// Rule `ri` over its candidates in some blocks (in block order): its findings and, for a
/// topic rule, its topic hits.
fn check_rule(r: &Run<'_, '_>, ri: usize, cands: &[BlockCandidate]) -> TaskResult {
    let rules = r.rules;
    let rule = &rules.rules[ri];
    let mut found: Found = Vec::new();
    let scope = rule.header().scope;
    let mut topic_hits = Vec::new();
    match rule {
        // One hit per topic rule and block.
        Rule::Topic(t) => {
            for &(bi, lang, cand) in cands {
                if r.triggers_match(rule, bi, lang, scope, cand) {
                    let b = &r.blocks[bi];
                    topic_hits.push(TopicHit {
                        topic: t.topic.clone(),
                        block: b.idx,
                        clause: r.clause_number(b),
                        page: b.block.page,
                    });
                }
            }
        }
        Rule::Flag(f) => {
            for &(bi, lang, cand) in cands {
                let (mask, sents) = (cand.patterns, cand.sentences);
                let Some(sec) = f.langs.get(&lang) else {
                    continue;
                };
                let pats: Vec<&Pattern> = pick(&sec.patterns, mask, 0);
                let mut hits = r.matches(bi, lang, scope, &pats, sents);
                hits.extend(r.regex_matches(bi, scope, &sec.regex));
                for near in pick(&sec.near, mask, sec.patterns.len()) {
                    for h in r.matches(bi, lang, scope, &[&near.a], sents) {
                        if near_ok(r, &h, lang, scope, &near.b, near.words) {
                            hits.push(h);
                        }
                    }
                }
                hits.sort_by_key(|h| (h.bytes.start, std::cmp::Reverse(h.bytes.end)));
                let mut last_end = 0;
                for h in hits {
                    if h.bytes.start < last_end {
                        continue;
                    }
                    if sec.negation == Negation::Cancels && r.negated(&h, lang) {
                        continue;
                    }
                    if r.in_unit(ri, 0, scope, &h, lang, sec.unless.get(), false) {
                        continue;
                    }
                    last_end = h.bytes.end;
                    found.push(r.finding(rule, lang, &h));
                }
            }
        }
        Rule::Substitute(s) => {
            for &(bi, lang, cand) in cands {
                let (mask, sents) = (cand.patterns, cand.sentences);
                let Some(sec) = s.langs.get(&lang) else {
                    continue;
                };
                let mut last_end = 0;
                let mut hits: Vec<(Hit, &str)> = Vec::new();
                for rep in pick(&sec.replace, mask, 0) {
                    for h in r.matches(bi, lang, scope, &[&rep.pattern], sents) {
                        hits.push((h, rep.with.as_str()));
                    }
                }
                hits.sort_by_key(|(h, _)| (h.bytes.start, std::cmp::Reverse(h.bytes.end)));
                for (h, with) in hits {
                    if h.bytes.start < last_end
                        || r.in_unit(ri, 0, scope, &h, lang, sec.unless.get(), false)
                    {
                        continue;
                    }
                    last_end = h.bytes.end;
                    if let Some((mut f, fp)) = r.finding(rule, lang, &h) {
                        let (Some(start), Some(end), Some(block)) =
                            (f.location.start, f.location.end, f.location.block)
                        else {
                            continue;
                        };
                        let excerpt = f.excerpt.clone().unwrap_or_default();
                        let brand = h.brand.and_then(|i| rules.brands.get(i as usize));
                        let values = |name: &str| match name {
                            "match" => Some(excerpt.clone()),
                            "product" => {
                                Some(brand.map_or_else(|| excerpt.clone(), |b| b.name.clone()))
                            }
                            "alternatives" => {
                                Some(brand.map_or_else(String::new, |b| b.alternatives.join(", ")))
                            }
                            other => static_value(rules, Some(lang), other),
                        };
                        f.suggestions.insert(
                            0,
                            Suggestion {
                                text: fill(with, &values),
                                position: Position::Preferred,
                                replaces: Some(Span { block, start, end }),
                            },
                        );
                        found.push(Some((f, fp)));
                    }
                }
            }
        }
        Rule::Conditional(c) => {
            if cands.is_empty() || !c.applies_to.contains(&r.kind()) {
                return (found, topic_hits);
            }
            for &(bi, lang, cand) in cands {
                let (mask, sents) = (cand.patterns, cand.sentences);
                let Some(sec) = c.langs.get(&lang) else {
                    continue;
                };
                let pats: Vec<&Pattern> = pick(&sec.when, mask, 0);
                for h in r.matches(bi, lang, scope, &pats, sents) {
                    if sec.negation == Negation::Cancels && r.negated(&h, lang) {
                        continue;
                    }
                    if r.in_unit(ri, 0, scope, &h, lang, sec.unless.get(), false)
                        || r.in_unit(
                            ri,
                            1,
                            scope,
                            &h,
                            lang,
                            sec.then.get(),
                            sec.negation == Negation::Cancels,
                        )
                    {
                        continue;
                    }
                    found.push(r.finding(rule, lang, &h));
                }
            }
        }
        Rule::Require(_) => {}
    }
    (found, topic_hits)
}

/// The rule's explanation in `lang` with its placeholders filled: the rule's own text, shared
/// by all its findings, when it has none (nearly every rule).
fn explained(
    h: &crate::rules::RuleHeader,
    lang: Option<Lang>,
    values: &dyn Fn(&str) -> Option<String>,
) -> Arc<str> {
    let text = h.explanation_shared(lang);
    if text.contains('{') {
        fill(text, values).into()
    } else {
        text.clone()
    }
}

/// Where a finding sorts: document-level findings last, the others by block, start and end.
type Place = (bool, usize, usize, usize);

fn place(f: &Finding) -> Place {
    (
        f.location.block.is_none(),
        f.location.block.unwrap_or(0),
        f.location.start.unwrap_or(0),
        f.location.end.unwrap_or(0),
    )
}

/// The findings of `parts` in order: by place, then rule, then arrival (the part, then the
/// place in it), each with the hash its fingerprint starts from.
fn sorted(mut parts: Vec<Found>) -> Vec<(Finding, u64)> {
    // Sorted through their keys and places: a finding is a few hundred bytes, which a sort
    // would move many times over. Each is then moved once, from its part into the result.
    let mut order: Vec<_> = parts
        .iter()
        .enumerate()
        .flat_map(|(p, part)| {
            part.iter()
                .enumerate()
                .filter_map(move |(i, f)| f.as_ref().map(|(f, _)| (place(f), p, i)))
        })
        .collect();
    let rule_id = |p: usize, i: usize| {
        parts
            .get(p)
            .and_then(|part| part.get(i))
            .and_then(Option::as_ref)
            .map_or("", |(f, _)| f.rule_id.as_str())
    };
    // Ties keep the order the findings came in, as a stable sort would.
    order.sort_unstable_by(|&(ka, pa, ia), &(kb, pb, ib)| {
        ka.cmp(&kb)
            .then_with(|| rule_id(pa, ia).cmp(rule_id(pb, ib)))
            .then((pa, ia).cmp(&(pb, ib)))
    });
    order
        .into_iter()
        .filter_map(|(_, p, i)| parts.get_mut(p).and_then(|part| part.get_mut(i))?.take())
        .collect()
}

/// Lists that are each [`sorted`], one after the other, as one list in order: each finding
/// comes with the hash of its rule, excerpt and sentence as its fingerprint (computed where it
/// was found); the second and later findings with the same one get the hash with their count
/// instead.
///
/// The lists of a document's chunks are in order one after the other (a chunk's findings lie
/// in its blocks): each list's last finding sorts before the next list's first. Should they
/// not be, they are sorted again as parts, in the order given.
fn counted(lists: Vec<Vec<(Finding, u64)>>) -> Vec<Finding> {
    let ends: Vec<(Place, Place)> = lists
        .iter()
        .filter_map(|l| Some((place(&l.first()?.0), place(&l.last()?.0))))
        .collect();
    let in_order = ends.windows(2).all(|w| w[0].1 < w[1].0);
    let all: Vec<(Finding, u64)> = if in_order {
        let mut all = Vec::with_capacity(lists.iter().map(Vec::len).sum());
        for list in lists {
            all.extend(list);
        }
        all
    } else {
        sorted(
            lists
                .into_iter()
                .map(|l| l.into_iter().map(Some).collect())
                .collect(),
        )
    };
    let mut seen: HashMap<u64, usize, crate::rules::pattern::FxBuild> =
        HashMap::with_capacity_and_hasher(all.len(), Default::default());
    all.into_iter()
        .map(|(mut f, base)| {
            let n = seen.entry(base).or_insert(0);
            if *n > 0 {
                // stable_hash(rule, excerpt, sentence, n), from the hash of the first three.
                f.fingerprint = stable_hash_hex(stable_hash_part(base, n.to_string().as_bytes()));
            }
            *n += 1;
            f
        })
        .collect()
}

/// [`sorted`], then [`counted`]: the findings of `parts` in order with their fingerprints.
#[cfg(test)]
fn ordered(parts: Vec<Found>) -> Vec<Finding> {
    counted(vec![sorted(parts)])
}

/// True when `b` matches within `words` words of hit `h`, in the unit of `scope`.
fn near_ok(r: &Run<'_, '_>, h: &Hit, lang: Lang, scope: Scope, b: &Pattern, words: usize) -> bool {
    let unit = r.unit(scope, h.block, &h.words);
    // Word offsets of each block of the unit, counted from the start of the unit.
    let mut base = 0usize;
    let mut hit_at: Option<(usize, usize)> = None;
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (bi, range) in &unit {
        let blk = &r.blocks[*bi];
        if *bi == h.block {
            hit_at = Some((base + h.words.start, base + h.words.end));
        }
        if b.may_match(blk.present()) {
            let input = r.input(blk, lang);
            for m in b.find_iter(&input, range.clone()) {
                spans.push((base + m.start, base + m.end));
            }
        }
        base += blk.tokens().len();
    }
    let Some((hs, he)) = hit_at else { return false };
    spans.iter().any(|&(s, e)| {
        if s >= he {
            s - he <= words
        } else if e <= hs {
            hs - e <= words
        } else {
            true
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A finding of `rule` at `start` in `block` (document level for `None`), with fingerprint
    /// base `base`.
    fn at(rule: &str, block: Option<usize>, start: usize, base: u64) -> Option<(Finding, u64)> {
        let finding = Finding {
            rule_id: rule.into(),
            category: crate::finding::Category::VendorLockIn,
            severity: crate::finding::Severity::Warning,
            title: String::new(),
            message: String::new(),
            explanation: "".into(),
            excerpt: None,
            context: None,
            location: Location {
                block,
                start: block.map(|_| start),
                end: block.map(|_| start + 3),
                ..Location::default()
            },
            suggestions: vec![],
            references: Vec::new().into(),
            needs_legal_review: false,
            language: None,
            fingerprint: stable_hash_hex(base),
        };
        Some((finding, base))
    }

    /// Rule, block and fingerprint of each finding.
    fn summary(out: &[Finding]) -> Vec<(&str, Option<usize>, String)> {
        out.iter()
            .map(|f| (f.rule_id.as_str(), f.location.block, f.fingerprint.clone()))
            .collect()
    }

    #[test]
    fn ordered_sorts_by_place_then_rule_then_arrival_and_counts_repeated_fingerprints() {
        let parts = vec![
            // A task of rule "b": its findings in block order.
            vec![at("b", Some(0), 5, 1), None, at("b", Some(2), 0, 2)],
            // A task of rule "a", then one of rule "b" again, each with a tie on place.
            vec![at("a", Some(0), 5, 3), at("a", Some(1), 0, 1)],
            vec![at("b", Some(0), 5, 4)],
            // Document-level findings come last whatever their rule.
            vec![at("a", None, 0, 5)],
        ];
        let out = ordered(parts);
        let got = summary(&out);
        // Same place: rule "a" before "b"; two of "b" in the order they came in. The second
        // finding with base hash 1 (in block 1, after block 0's) gets its count in the hash.
        let second_of_1 = stable_hash_hex(stable_hash_part(1, b"1"));
        assert_eq!(
            got,
            vec![
                ("a", Some(0), stable_hash_hex(3)),
                ("b", Some(0), stable_hash_hex(1)),
                ("b", Some(0), stable_hash_hex(4)),
                ("a", Some(1), second_of_1),
                ("b", Some(2), stable_hash_hex(2)),
                ("a", None, stable_hash_hex(5)),
            ]
        );
    }

    #[test]
    fn chunk_lists_in_order_are_joined_and_lists_out_of_order_are_sorted_again() {
        // Two chunks' parts (blocks 0 to 1, then 2 to 3) and the document-level part, with
        // ties on place inside a chunk and a fingerprint base found in both chunks.
        let chunks = || {
            vec![
                vec![
                    vec![at("b", Some(0), 5, 1), at("b", Some(1), 0, 2)],
                    vec![at("a", Some(0), 5, 3)],
                ],
                vec![
                    vec![at("b", Some(2), 0, 1)],
                    vec![at("a", Some(3), 4, 4), at("a", Some(2), 0, 5)],
                ],
                vec![vec![at("c", None, 0, 6)]],
            ]
        };
        let whole = ordered(chunks().into_iter().flatten().collect());
        let joined = counted(chunks().into_iter().map(sorted).collect());
        assert_eq!(summary(&joined), summary(&whole));
        assert_eq!(
            summary(&whole)
                .iter()
                .map(|(r, b, _)| (*r, *b))
                .collect::<Vec<_>>(),
            [
                ("a", Some(0)),
                ("b", Some(0)),
                ("b", Some(1)),
                ("a", Some(2)),
                ("b", Some(2)),
                ("a", Some(3)),
                ("c", None)
            ]
        );
        // The base found again in the second chunk gets its count there.
        assert_eq!(
            whole[4].fingerprint,
            stable_hash_hex(stable_hash_part(1, b"1"))
        );
        // Lists given out of order (the second chunk first) come out in order all the same.
        let mut lists: Vec<Vec<(Finding, u64)>> = chunks().into_iter().map(sorted).collect();
        lists.swap(0, 1);
        assert_eq!(summary(&counted(lists)), summary(&whole));
    }

    #[test]
    fn texts_that_name_the_product_are_filled_per_finding_the_others_once() {
        // Two findings of one rule in one run: the texts naming the product differ, the texts
        // without it are the same (filled once and kept for the run). (The fingerprints, now
        // hashed where each finding is made, are pinned by the scan snapshots.)
        let set = RuleSet::builtin().unwrap();
        // The findings of rule `id` in `text`.
        let findings_of = |text: &str, id: &str| -> Vec<Finding> {
            let f = check_text(text, Lang::En, &set);
            f.into_iter().filter(|f| f.rule_id == id).collect()
        };
        let brand = findings_of(
            "The intranet shall be based on Microsoft SharePoint.\n\nThe database shall be Oracle Database 19c.",
            "lock-in.brand-without-equivalent",
        );
        assert_eq!(brand.len(), 2, "{brand:#?}");
        let [a, b] = [&brand[0], &brand[1]];
        assert!(
            a.explanation.contains("Microsoft SharePoint"),
            "{}",
            a.explanation
        );
        assert!(
            b.explanation.contains("Oracle Database"),
            "{}",
            b.explanation
        );
        let naming = |f: &Finding, name: &str| f.suggestions.iter().any(|s| s.text.contains(name));
        assert!(naming(a, "Microsoft SharePoint") && !naming(a, "Oracle"));
        assert!(naming(b, "Oracle Database") && !naming(b, "SharePoint"));
        assert_eq!(a.suggestions[0].text, b.suggestions[0].text);
        assert_eq!(a.title, b.title);
        assert!(Arc::ptr_eq(&a.references, &b.references));
        assert_ne!(a.fingerprint, b.fingerprint);
        // An explanation that names only a value of the rule set ("{equivalent}") is filled
        // once and shared by the rule's findings.
        let weak = findings_of(
            "The collaboration platform shall be of type Microsoft SharePoint.\n\nThe dashboards must be comparable to Power BI.",
            "lock-in.weak-equivalence",
        );
        assert_eq!(weak.len(), 2, "{weak:#?}");
        assert!(
            weak[0].explanation.contains("or equivalent") && !weak[0].explanation.contains('{'),
            "{}",
            weak[0].explanation
        );
        assert!(Arc::ptr_eq(&weak[0].explanation, &weak[1].explanation));
    }

    #[test]
    fn the_anchors_in_the_most_groups_keep_bits_instead_of_marking_groups() {
        let rules = RuleSet::builtin().expect("shipped rules load");
        let (_, en) = rules
            .prefilter
            .langs
            .iter()
            .find(|(l, _)| *l == Lang::En)
            .expect("an English filter");
        let heavy = en.heavy_bit.iter().filter(|&&b| b != 0).count();
        assert_eq!(heavy, HEAVY_ANCHORS);
        // "shall" is in many groups ("shall|will|must", "shall not", ...): a heavy anchor,
        // which marks none of them, and the groups know it by its bit.
        let mut ids = Vec::new();
        en.trie.walk(b"shall", |id| ids.push(id as usize));
        let bit = ids
            .iter()
            .map(|&id| en.heavy_bit[id])
            .find(|&b| b != 0)
            .expect("\"shall\" is heavy");
        assert!(
            ids.iter()
                .all(|&id| en.heavy_bit[id] == 0 || en.groups_of(id as u32).is_empty())
        );
        assert!(en.group_heavy.iter().filter(|&&m| m & bit != 0).count() >= HEAVY_MIN_GROUPS);
    }

    #[test]
    fn lists_give_each_list_back_and_nothing_past_the_last() {
        let lists = Lists::of([vec![1, 2], vec![], vec![3], vec![4, 5, 6]]);
        let got: Vec<&[u32]> = (0..5).map(|i| lists.get(i)).collect();
        assert_eq!(got, [&[1, 2][..], &[], &[3], &[4, 5, 6], &[]]);
        assert_eq!(Lists::default().get(0), &[] as &[u32]);
    }

    /// The ids of the rules the prefilter lets through for `text` in `lang`.
    fn candidate_ids(rules: &RuleSet, text: &str, lang: Lang) -> Vec<String> {
        let n = normalise(text);
        let toks = tokenize(&n.text);
        let mut out = Vec::new();
        let whole = 0..toks.len();
        let mut keys = Keys::default();
        let walked = rules.prefilter.candidates(
            &n.text,
            &toks,
            &|| std::slice::from_ref(&whole),
            lang,
            &mut PrefilterScratch::default(),
            &mut out,
            &mut keys,
        );
        // The keys the walk leaves are the ones the matching would compute.
        assert!(walked, "the shipped rules have anchors in {lang:?}");
        {
            let words = || toks.iter().map(|t| t.text(&n.text));
            assert_eq!(
                keys.0,
                words()
                    .map(crate::rules::pattern::bucket)
                    .collect::<Vec<_>>()
            );
            assert_eq!(
                keys.1,
                words()
                    .map(crate::rules::pattern::word_hash)
                    .collect::<Vec<_>>()
            );
        }
        out.iter()
            .map(|c| rules.rules[c.rule as usize].header().id.clone())
            .collect()
    }

    #[test]
    fn single_spacing_is_the_words_joined_by_one_space() {
        for s in [
            "",
            " ",
            "a",
            "a b",
            " a b",
            "a b ",
            "a  b",
            "a\tb",
            "a\nb",
            "a\u{b}b",
            "a\u{c}b",
            "a\rb",
            "a\u{a0}b",
            "a\u{2003}b",
            "œuvre d'art",
            "the licence shall remain with the contractor.",
        ] {
            assert_eq!(
                single_spaced(s),
                s.split_whitespace().collect::<Vec<_>>().join(" "),
                "{s:?}"
            );
            // Fingerprints hash the single-spaced text, copied or not.
            assert_eq!(
                hash_single_spaced(STABLE_HASH_START, s),
                stable_hash_part(STABLE_HASH_START, single_spaced(s).as_bytes()),
                "{s:?}"
            );
        }
    }

    #[test]
    fn work_done_while_the_rules_compile_changes_nothing() {
        let text = "1. Scope\n\nThe Contractor shall deliver the portal and its documentation.\n\n\
                    2. Rights\n\nAll intellectual property rights in the deliverables shall remain \
                    with the Contractor. Reports shall be delivered in Microsoft Word format.\n\n\
                    3. Payment\n\nInvoices are payable within thirty days.";
        let rules = LazyRuleSet::load(&[], &crate::config::Config::default()).expect("rules load");
        // First document: the English rules are not compiled yet, so the check reads the words
        // and counts the document's kind first (`Run::prepare`), then compiles.
        assert!(!rules.is_compiled(&[Lang::En]));
        let first = analyse_lazy(text_document(text, Lang::En), &rules).expect("analysed");
        assert!(rules.is_compiled(&[Lang::En]));
        // Second: compiled already, nothing done ahead.
        let second = analyse_lazy(text_document(text, Lang::En), &rules).expect("analysed");
        let ids = |a: &Analysis| {
            a.findings
                .iter()
                .map(|f| (f.rule_id.clone(), f.location.start, f.fingerprint.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&first), ids(&second));
        assert_eq!(first.topics, second.topics);
        let found: Vec<_> = first.findings.iter().map(|f| f.rule_id.as_str()).collect();
        assert!(found.contains(&"copyright.supplier-keeps-ip"), "{found:?}");
        // Document-level findings need the kind, counted ahead in the first run.
        assert!(
            first.findings.iter().any(|f| f.location.block.is_none()),
            "{found:?}"
        );
    }

    #[test]
    fn unless_lists_of_the_embedded_packs_compile_when_their_rule_first_fires() {
        let id = "copyright.supplier-keeps-ip";
        // A copy of the rule's English section, its `unless` list as compiled so far.
        let section = |rules: &RuleSet| {
            rules
                .rules()
                .iter()
                .find_map(|r| match r {
                    Rule::Flag(f) if f.header.id == id => f.langs.get(&Lang::En).cloned(),
                    _ => None,
                })
                .expect("the rule has an English section")
        };
        let pending = |rules: &RuleSet| section(rules).unless.is_pending();
        let eager = RuleSet::builtin().expect("shipped rules load");
        assert!(!pending(&eager), "validated packs compile at once");
        assert!(!section(&eager).unless.get().is_empty());
        let lazy = LazyRuleSet::load(&[], &crate::config::Config::default()).expect("rules load");
        let set = lazy.for_langs(&[Lang::En]).expect("compiled");
        assert!(pending(&set));
        // A text the rule does not look at leaves them alone.
        check_text("Invoices are payable within thirty days.", Lang::En, &set);
        assert!(pending(&set));
        // The rule's own examples give the same findings either way, and compile them.
        let tests = eager
            .rules()
            .iter()
            .find(|r| r.header().id == id)
            .map(|r| r.header().tests.clone())
            .unwrap_or_default();
        let en = tests
            .iter()
            .find(|t| t.lang == Lang::En)
            .expect("English tests");
        assert!(!en.clean.is_empty());
        for text in en.flag.iter().chain(&en.clean) {
            let ids = |rules: &RuleSet| {
                check_text(text, Lang::En, rules)
                    .into_iter()
                    .map(|f| (f.rule_id, f.location.start))
                    .collect::<Vec<_>>()
            };
            assert_eq!(ids(&set), ids(&eager), "{text}");
        }
        assert!(!pending(&set));
    }

    #[test]
    fn prefilter_needs_every_group_and_looks_only_at_the_blocks_language() {
        let rules = RuleSet::builtin().expect("shipped rules load");
        let keeps = "All intellectual property rights in the deliverables shall remain with the Contractor.";
        let en = candidate_ids(&rules, keeps, Lang::En);
        assert!(
            en.iter().any(|id| id == "copyright.supplier-keeps-ip"),
            "{en:?}"
        );
        // The same words are no French or German clause.
        for lang in [Lang::Fr, Lang::De] {
            let other = candidate_ids(&rules, keeps, lang);
            assert!(
                !other.iter().any(|id| id == "copyright.supplier-keeps-ip"),
                "{other:?}"
            );
        }
        // "provide ... services" without any "may not" / "shall not": the negation lexicon's
        // group is required although its words are short and common.
        let plain =
            "The Contractor shall provide the services described in Annex 2 from the start date.";
        let ids = candidate_ids(&rules, plain, Lang::En);
        assert!(!ids.iter().any(|id| id == "reuse.own-use-only"), "{ids:?}");
        let forbids = "The Authority may not make the software available to other public bodies.";
        let ids = candidate_ids(&rules, forbids, Lang::En);
        assert!(ids.iter().any(|id| id == "reuse.own-use-only"), "{ids:?}");
    }

    /// Candidates of `text` as one block split into its sentences: (rule id, sentence mask).
    fn sentence_candidates(rules: &RuleSet, text: &str) -> Vec<(String, u64)> {
        let n = normalise(text);
        let toks = tokenize(&n.text);
        let mut words = Vec::new();
        let mut t = 0;
        for s in sentences(&n, text, Lang::En) {
            let start = t;
            while t < toks.len() && toks[t].start() < s.end {
                t += 1;
            }
            words.push(start..t);
        }
        let mut out = Vec::new();
        rules.prefilter.candidates(
            &n.text,
            &toks,
            &|| &words[..],
            Lang::En,
            &mut PrefilterScratch::default(),
            &mut out,
            &mut Keys::default(),
        );
        out.iter()
            .map(|c| {
                (
                    rules.rules[c.rule as usize].header().id.clone(),
                    c.sentences,
                )
            })
            .collect()
    }

    #[test]
    fn sentence_rules_are_candidates_only_in_sentences_that_hold_their_anchors() {
        let rules = RuleSet::builtin().expect("shipped rules load");
        let id = "copyright.supplier-keeps-ip";
        let mask = |text: &str| {
            sentence_candidates(&rules, text)
                .into_iter()
                .find(|(r, _)| r == id)
                .map(|(_, m)| m)
        };
        // The anchors of one trigger, all in one sentence: the third.
        let keeps = "Invoices are paid in thirty days. Meetings take place monthly. \
                     All intellectual property rights in the deliverables shall remain with the Contractor.";
        assert_eq!(mask(keeps), Some(0b100));
        // The same words spread over two sentences: no sentence holds them all.
        let spread = "All intellectual property rights in the deliverables are listed in Annex 3. \
                      The tools shall remain with the Contractor.";
        assert_eq!(mask(spread), None);
        // A single sentence needs no second look: every bit is set.
        let one = "All intellectual property rights in the deliverables shall remain with the Contractor.";
        assert_eq!(mask(one), Some(u64::MAX));
        // A block-scope rule is told for the whole block (the topic rules look at blocks).
        let topic = sentence_candidates(&rules, spread)
            .into_iter()
            .find(|(r, _)| r == "topic.ip-ownership");
        assert_eq!(topic, Some(("topic.ip-ownership".to_string(), u64::MAX)));
        // Sentences past the 63rd share the last bit.
        assert!(Candidate::in_sentence(1 << 63, 70));
        assert!(!Candidate::in_sentence(1, 70));
    }

    #[test]
    fn regexes_look_only_at_the_sentences_that_hold_a_gate_literal() {
        let rules = RuleSet::builtin().expect("shipped rules load");
        let renewal = |text: &str| -> Vec<String> {
            check_text(text, Lang::En, &rules)
                .into_iter()
                .filter(|f| f.rule_id == "lock-in.renewal-trap")
                .filter_map(|f| f.excerpt)
                .collect()
        };
        // The literal ("notice") and the match in the second sentence of the block.
        assert_eq!(
            renewal(
                "Meetings take place monthly. Either party may end the contract with a notice period of 12 months."
            ),
            ["notice period of 12 months"]
        );
        // In the first of two, and in both.
        assert_eq!(
            renewal("A notice period of 12 months applies. Meetings take place monthly."),
            ["notice period of 12 months"]
        );
        assert_eq!(
            renewal(
                "A notice period of 12 months applies. The same notice period of 12 months applies to the annex."
            )
            .len(),
            2
        );
        // The literal in one sentence, the rest of the phrase in the next: no match.
        assert!(renewal("Send the notice. Of 12 months the term is.").is_empty());
    }

    #[test]
    fn quick_language_guess_needs_a_clear_margin() {
        let cases: &[(&str, Option<Lang>)] = &[
            (
                "The Contractor shall deliver the source code of the software with this contract and by the end of the year.",
                Some(Lang::En),
            ),
            (
                "Le titulaire livre le code source des logiciels dans le cadre du marché pour la durée.",
                Some(Lang::Fr),
            ),
            (
                "Der Auftragnehmer übergibt den Quellcode und die Dokumentation der Software mit dem Vertrag.",
                Some(Lang::De),
            ),
            (
                "De opdrachtnemer levert de broncode van het systeem en een handleiding voor de gebruikers.",
                Some(Lang::Nl),
            ),
            ("Microsoft SharePoint Oracle Database SAP", None),
        ];
        for (text, want) in cases {
            let n = normalise(text);
            let toks = tokenize(&n.text);
            assert_eq!(quick_lang(&n.text, &toks), *want, "{text}");
        }
    }
}
