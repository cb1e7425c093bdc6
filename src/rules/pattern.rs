//! The pattern language of the rule files (see `rulesets/README.md`), compiled to a small token
//! NFA that runs over the words of a scope.
//!
//! Syntax: words (`source code`), prefixes (`licen*`), alternatives with multi-word branches
//! (`(is owned by|belongs to)`), `?` for optional, `*` after a group to make the last word of
//! each branch a prefix, gaps (`...`, `...8`), lexicons (`@supplier`), the brand catalogue
//! (`@brand`) and Snowball stems (`~deliver`). Words are normalised exactly like document text
//! (see [`crate::normalise`]), so case, quotes and dashes never matter.
//!
//! Design decision: a Thompson-style NFA simulated thread-set by thread-set (no backtracking, so
//! no blow-up on gaps), leftmost-longest, with lexicons and the brand catalogue as multi-word
//! "phrase set" instructions rather than expanded alternations, so a catalogue of hundreds of
//! products stays one instruction. [`Pattern::anchor_clauses`] reports the literal words every
//! match must contain (one of each group of one clause); the checker feeds them to its
//! prefilter.

use std::collections::HashMap;
use std::sync::Arc;

use crate::lang::Lang;
use crate::normalise::normalise_str;
use crate::segment::{Token, tokenize};

/// Why a pattern did not compile; lower-case, one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PatternError(pub String);

fn err(msg: impl Into<String>) -> PatternError {
    PatternError(msg.into())
}

/// One word test.
///
/// The words are shared ([`Arc`]): the same word comes back in many patterns of a language and
/// in the phrase sets built from their alternatives, and a clone is then a count, not a copy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum WordTest {
    Exact(#[serde(with = "crate::ruleset::shared")] Arc<str>),
    Prefix(#[serde(with = "crate::ruleset::shared")] Arc<str>),
    /// A Snowball stem, and the prefilter anchor derived from the pattern word.
    Stem {
        #[serde(with = "crate::ruleset::shared")]
        stem: Arc<str>,
        #[serde(with = "crate::ruleset::shared::option")]
        anchor: Option<Arc<str>>,
        /// The anchor's start bucket, when the anchor is long enough to have one.
        bucket: Option<u8>,
    },
}

impl WordTest {
    fn matches(&self, input: &Input<'_>, at: usize) -> bool {
        let word = input.word_bytes(at);
        match self {
            WordTest::Exact(w) => same_word(word, w.as_bytes()),
            WordTest::Prefix(p) => word
                .get(..p.len())
                .is_some_and(|head| same_word(head, p.as_bytes())),
            WordTest::Stem { stem, bucket, .. } => {
                // A word whose stem extends `stem` starts like the anchor (see
                // [`stem_anchor`]); words in another bucket are rejected without stemming.
                bucket.is_none_or(|b| b == input.bucket(at)) && stem_matches(stem, input.stem(at))
            }
        }
    }
}

impl WordTest {
    /// The prefilter anchor of this test: the word itself, its prefix, or a stem's anchor;
    /// `None` for a stem without one.
    fn anchor(&self) -> Option<Anchor> {
        let (text, whole_word) = match self {
            WordTest::Exact(w) => (w, true),
            WordTest::Prefix(p) => (p, false),
            WordTest::Stem { anchor, .. } => (anchor.as_ref()?, false),
        };
        Some(Anchor {
            text: text.clone(),
            whole_word,
        })
    }

    /// The start bucket every word passing this test is in, or `None` when the test cannot
    /// tell (a prefix shorter than [`BUCKET_CHARS`] characters, a stem without an anchor).
    fn start_bucket(&self) -> Option<u8> {
        match self {
            WordTest::Exact(w) => Some(bucket(w)),
            WordTest::Prefix(p) if p.chars().count() >= BUCKET_CHARS => Some(bucket(p)),
            WordTest::Stem { bucket, .. } => *bucket,
            _ => None,
        }
    }
}

/// Characters of a word that decide its start bucket.
const BUCKET_CHARS: usize = 3;

/// A word's start bucket (0..=255): a hash of its first `BUCKET_CHARS` (3) characters with
/// diacritics dropped (Snowball's German stemmer drops umlauts, so "mängel" must land where
/// "mangel" does). A pattern keeps a 256-bit mask of the buckets its first words can be in, so
/// the matcher skips most words with one bit test instead of string comparisons.
pub fn bucket(word: &str) -> u8 {
    use std::hash::Hasher;
    let mut h = FxHasher::default();
    let bytes = word.as_bytes();
    let head = &bytes[..bytes.len().min(BUCKET_CHARS)];
    if head.is_ascii() {
        h.write(head);
        return (h.finish() >> 56) as u8;
    }
    for c in word.chars().take(BUCKET_CHARS) {
        if c.is_ascii() {
            h.write_u8(c as u8);
        } else {
            let mut base = c;
            unicode_normalization::char::decompose_canonical(c, |d| {
                if base == c {
                    base = d;
                }
            });
            let mut buf = [0u8; 4];
            h.write(base.encode_utf8(&mut buf).as_bytes());
        }
    }
    (h.finish() >> 56) as u8
}

/// A set of start buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BucketMask([u64; 4]);

impl BucketMask {
    pub const ALL: BucketMask = BucketMask([u64::MAX; 4]);
    pub const NONE: BucketMask = BucketMask([0; 4]);

    fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1u64 << (b & 63);
    }

    /// Adds `b`, or every bucket when `b` is `None`.
    fn insert_or_all(&mut self, b: Option<u8>) {
        match b {
            Some(b) => self.insert(b),
            None => *self = BucketMask::ALL,
        }
    }

    #[inline]
    pub fn contains(&self, b: u8) -> bool {
        (self.0[usize::from(b >> 6)] >> (b & 63)) & 1 != 0
    }

    /// True when the two sets share a bucket.
    #[inline]
    fn intersects(&self, other: &BucketMask) -> bool {
        self.0.iter().zip(other.0.iter()).any(|(a, b)| a & b != 0)
    }
}

/// What words a text holds, for [`Pattern::may_match`]: their start buckets, and a
/// 1024-bit filter of their hashes (a word sets the bit its hash's top ten bits name).
#[derive(Debug, Clone)]
pub struct Present {
    words: [u64; 16],
    buckets: BucketMask,
}

impl Present {
    /// Of words with start buckets `buckets` and hashes `hashes` ([`bucket`], [`word_hash`]).
    pub fn of(buckets: &[u8], hashes: &[u64]) -> Present {
        let mut p = Present {
            words: [0; 16],
            buckets: BucketMask::NONE,
        };
        for &b in buckets {
            p.buckets.insert(b);
        }
        for &h in hashes {
            let bit = Self::word_bit(h);
            if let Some(w) = p.words.get_mut(usize::from(bit >> 6)) {
                *w |= 1u64 << (bit & 63);
            }
        }
        p
    }

    fn word_bit(hash: u64) -> u16 {
        (hash >> 54) as u16
    }

    /// True when a word of one of `g`'s anchors may be among the words.
    #[inline]
    fn admits(&self, g: &GroupGate) -> bool {
        match g {
            GroupGate::Words(bits) => bits.iter().any(|&bit| {
                self.words
                    .get(usize::from(bit >> 6))
                    .is_some_and(|w| (w >> (bit & 63)) & 1 != 0)
            }),
            GroupGate::Buckets(mask) => mask.intersects(&self.buckets),
        }
    }
}

/// The quick test of one anchor group ([`Pattern::may_match`]).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
enum GroupGate {
    /// The [`Present::word_bit`]s of a few whole words.
    Words(Box<[u16]>),
    /// The start buckets of the words.
    Buckets(BucketMask),
}

impl GroupGate {
    /// Most whole words tested one by one; a larger group is tested by start buckets.
    const MAX_WORDS: usize = 64;
}

/// Stems `word` (normalised) with the Snowball stemmer of `lang`; Czech has none and uses the
/// first five characters.
pub fn stem(lang: Lang, word: &str) -> String {
    use rust_stemmers::{Algorithm, Stemmer};
    let algo = match lang {
        Lang::En => Algorithm::English,
        Lang::Fr => Algorithm::French,
        Lang::De => Algorithm::German,
        Lang::Nl => Algorithm::Dutch,
        Lang::Da => Algorithm::Danish,
        Lang::Sv => Algorithm::Swedish,
        Lang::Cs => return word.chars().take(5).collect(),
    };
    Stemmer::create(algo).stem(word).into_owned()
}

/// A word's stem matches a pattern stem when it is the same or extends it by at most three
/// letters: Snowball gives `deliv` for "deliver" but `deliveri` for "delivery".
fn stem_matches(pattern: &str, word: &str) -> bool {
    const MAX_EXTRA: usize = 3;
    const MIN_STEM: usize = 4;
    word == pattern
        || (pattern.chars().count() >= MIN_STEM
            && word.starts_with(pattern)
            && word.len() - pattern.len() <= MAX_EXTRA)
}

/// The prefilter anchor for `~word`: the part of the word its stem keeps, when that is at least
/// three characters (words sharing the stem then start with it).
fn stem_anchor(word: &str, stem: &str) -> Option<String> {
    let common: String = word
        .chars()
        .zip(stem.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a)
        .collect();
    (common.chars().count() >= 3).then_some(common)
}

/// FxHash: a fast, non-cryptographic hasher for short words (the rule files are trusted and the
/// document's words are only looked up, never inserted).
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

/// `a == b`, without a call to `memcmp` for words of up to 16 bytes (nearly all): two
/// overlapping 8-byte or 4-byte loads, or a byte loop below 4.
#[inline]
pub(crate) fn same_word(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let load = |s: &[u8], at: usize| -> u64 {
        s.get(at..at + 8)
            .and_then(|x| <[u8; 8]>::try_from(x).ok())
            .map_or(0, u64::from_le_bytes)
    };
    let load4 = |s: &[u8], at: usize| -> u32 {
        s.get(at..at + 4)
            .and_then(|x| <[u8; 4]>::try_from(x).ok())
            .map_or(0, u32::from_le_bytes)
    };
    match n {
        0..4 => a.iter().zip(b).all(|(x, y)| x == y),
        4..8 => load4(a, 0) == load4(b, 0) && load4(a, n - 4) == load4(b, n - 4),
        8..=16 => load(a, 0) == load(b, 0) && load(a, n - 8) == load(b, n - 8),
        _ => a == b,
    }
}

/// A hash of a whole word, eight bytes at a time. The check loop computes it once per word of a
/// block; patterns look first words up by it.
#[inline]
pub fn word_hash(word: &str) -> u64 {
    word_hash_bytes(word.as_bytes())
}

/// [`word_hash`] of a word's bytes.
#[inline]
pub fn word_hash_bytes(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // The last `rest.len()` bytes as a little-endian number: from the word's last eight bytes
        // shifted down when there are eight, else byte by byte (no variable-length copy, which
        // costs a `memcpy` call per word).
        let tail = match bytes.len().checked_sub(8).and_then(|s| bytes.get(s..)) {
            Some(last8) => {
                let mut b = [0u8; 8];
                b.copy_from_slice(last8);
                u64::from_le_bytes(b) >> (8 * (8 - rest.len()))
            }
            // Four to seven bytes (most words): two overlapping 4-byte loads.
            None if rest.len() >= 4 => {
                let load = |at: usize| {
                    rest.get(at..at + 4)
                        .and_then(|x| <[u8; 4]>::try_from(x).ok())
                        .map_or(0, u32::from_le_bytes)
                };
                // The last 4 bytes, shifted down to the 0 to 3 past the first four (in 64 bits:
                // a shift by 32 of a 32-bit number would overflow).
                let high = u64::from(load(rest.len() - 4)) >> (8 * (8 - rest.len()));
                u64::from(load(0)) | (high << 32)
            }
            None => rest
                .iter()
                .rev()
                .fold(0u64, |acc, &x| (acc << 8) | u64::from(x)),
        };
        h = (h.rotate_left(5) ^ tail).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

/// Hashes a `u64` key that is already a good hash ([`word_hash`]) by passing it through.
#[derive(Debug, Default, Clone, Copy)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type IdBuild = std::hash::BuildHasherDefault<IdHasher>;

/// A set of multi-word phrases (a lexicon, the brand catalogue), matched as one instruction.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PhraseSet {
    /// Per phrase: its word tests (a range of `tests`) and its tag.
    phrases: Vec<(u32, u32, Option<u32>)>,
    /// The word tests of every phrase, one after another (one allocation for the set, not one
    /// per phrase: most phrases are a single word).
    tests: Vec<WordTest>,
    /// Phrases by the [`word_hash`] of their first word (when it is an exact word).
    by_first: HashMap<u64, Vec<u32>, IdBuild>,
    /// The distinct exact first words.
    #[serde(with = "crate::ruleset::shared::vec")]
    first_exact: Vec<Arc<str>>,
    /// [`PhraseSet::anchors`], computed once: lexicons and the brand catalogue are shared by
    /// many patterns.
    #[serde(with = "crate::ruleset::shared::once")]
    anchor_cache: std::sync::OnceLock<Option<AnchorGroup>>,
    /// Phrases whose first word is a prefix or a stem, by the start bucket of that word
    /// ([`WordTest::start_bucket`]), sorted by (bucket, phrase); those without a bucket are in
    /// `other_any`, in order. A word is tried only against the phrases that can start with it.
    other_by_bucket: Vec<(u8, u32)>,
    other_any: Vec<u32>,
}

impl PhraseSet {
    /// Parses entries: words, each optionally `word*` or `~word`. `tag` is carried to matches
    /// (the brand index for the catalogue).
    pub fn add(&mut self, entry: &str, lang: Lang, tag: Option<u32>) -> Result<(), PatternError> {
        let mut tests = Vec::new();
        for raw in entry.split_whitespace() {
            if raw.contains(['(', ')', '|', '@', '?']) || raw.starts_with("...") {
                return Err(err(format!(
                    "lexicon entry \"{entry}\" may only hold words, word* and ~word"
                )));
            }
            tests.extend(word_tests(raw, lang)?.iter().cloned());
        }
        if tests.is_empty() {
            return Err(err(format!("lexicon entry \"{entry}\" has no words")));
        }
        if u32::try_from(self.tests.len() + tests.len()).is_err() {
            return Err(err("too many entries"));
        }
        self.push_tests(tests, tag);
        Ok(())
    }

    /// Adds one phrase given as word tests (nothing when the set is full: `u32` phrases or
    /// tests).
    fn push_tests(&mut self, tests: impl IntoIterator<Item = WordTest>, tag: Option<u32>) {
        let (Ok(idx), Ok(start)) = (
            u32::try_from(self.phrases.len()),
            u32::try_from(self.tests.len()),
        ) else {
            return;
        };
        self.tests.extend(tests);
        let Ok(end) = u32::try_from(self.tests.len()) else {
            self.tests.truncate(start as usize);
            return;
        };
        match self
            .tests
            .get(start as usize..end as usize)
            .and_then(<[_]>::first)
        {
            Some(WordTest::Exact(w)) => {
                let w = w.clone();
                self.add_first(&w, idx);
            }
            first => {
                let bucket = first.and_then(WordTest::start_bucket);
                self.add_other(bucket, idx);
            }
        }
        self.phrases.push((start, end, tag));
        self.anchor_cache = std::sync::OnceLock::new();
    }

    /// The word tests and the tag of phrase `i`.
    fn phrase(&self, i: u32) -> Option<(&[WordTest], Option<u32>)> {
        let &(start, end, tag) = self.phrases.get(i as usize)?;
        Some((self.tests.get(start as usize..end as usize)?, tag))
    }

    fn add_other(&mut self, bucket: Option<u8>, idx: u32) {
        match bucket {
            Some(b) => {
                let at = self.other_by_bucket.partition_point(|&e| e < (b, idx));
                self.other_by_bucket.insert(at, (b, idx));
            }
            None => self.other_any.push(idx),
        }
    }

    /// True when some phrase starts with a prefix or a stem.
    fn has_other_first(&self) -> bool {
        !self.other_by_bucket.is_empty() || !self.other_any.is_empty()
    }

    /// The phrases with a prefix or stem first word that word `at` may start, in phrase order
    /// (the bucket's phrases merged with those without a bucket).
    fn others_for(&self, input: &Input<'_>, at: usize) -> impl Iterator<Item = u32> + '_ {
        let b = if self.has_other_first() {
            input.bucket(at)
        } else {
            0
        };
        let from = self.other_by_bucket.partition_point(|&(x, _)| x < b);
        let mut bucketed = self.other_by_bucket[from..]
            .iter()
            .take_while(move |&&(x, _)| x == b)
            .map(|&(_, i)| i)
            .peekable();
        let mut any = self.other_any.iter().copied().peekable();
        std::iter::from_fn(move || match (bucketed.peek(), any.peek()) {
            (Some(&x), Some(&y)) if x < y => bucketed.next(),
            (_, Some(_)) => any.next(),
            (Some(_), None) => bucketed.next(),
            (None, None) => None,
        })
    }

    fn add_first(&mut self, word: &Arc<str>, idx: u32) {
        let list = self.by_first.entry(word_hash(word)).or_default();
        if list.is_empty() || !self.first_exact.iter().any(|w| w == word) {
            self.first_exact.push(word.clone());
        }
        list.push(idx);
    }

    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// Calls `f(end, tag)` for every phrase that matches starting at word `at`, ending before
    /// word `end <= limit`.
    pub fn each_match(
        &self,
        input: &Input<'_>,
        at: usize,
        limit: usize,
        f: &mut dyn FnMut(usize, Option<u32>),
    ) {
        if at >= limit {
            return;
        }
        let exact = self
            .by_first
            .get(&input.hash(at))
            .map(|v| v.as_slice())
            .unwrap_or(&[]);
        for i in exact.iter().copied().chain(self.others_for(input, at)) {
            let Some((tests, tag)) = self.phrase(i) else {
                continue;
            };
            let end = at + tests.len();
            if end > limit {
                continue;
            }
            if tests
                .iter()
                .enumerate()
                .all(|(k, t)| t.matches(input, at + k))
            {
                f(end, tag);
            }
        }
    }

    /// True when some phrase could start at word `at` (its first word test passes).
    pub fn starts_at(&self, input: &Input<'_>, at: usize) -> bool {
        self.by_first.contains_key(&input.hash(at))
            || self.others_for(input, at).any(|i| {
                self.phrase(i)
                    .and_then(|(t, _)| t.first())
                    .is_some_and(|t| t.matches(input, at))
            })
    }

    /// The start buckets of every phrase's first word.
    fn start_buckets(&self, mask: &mut BucketMask) {
        for w in &self.first_exact {
            mask.insert(bucket(w));
        }
        for &(b, _) in &self.other_by_bucket {
            mask.insert(b);
        }
        if !self.other_any.is_empty() {
            *mask = BucketMask::ALL;
        }
    }

    /// One word of each phrase, as a prefilter anchor group (computed once per set: the
    /// patterns that use a lexicon share it). A phrase's match holds every one of its words;
    /// each phrase gives its first word (in a lexicon of product names, the brand) unless that
    /// word is one nearly every block holds: "all rights" anchors on "rights", not on "all".
    fn anchors(&self) -> Option<AnchorGroup> {
        self.anchor_cache
            .get_or_init(|| self.compute_anchors().map(AnchorGroup::new))
            .clone()
    }

    fn compute_anchors(&self) -> Option<Vec<Anchor>> {
        let mut out = Vec::new();
        for &(start, end, _) in &self.phrases {
            let words = self.tests.get(start as usize..end as usize).unwrap_or(&[]);
            let cost = |a: &Anchor| anchor_cost(std::slice::from_ref(a));
            let first = words.first().and_then(WordTest::anchor);
            let chosen = match first {
                Some(a) if !is_everywhere(&a) => Some(a),
                first => words
                    .iter()
                    .filter_map(WordTest::anchor)
                    .min_by(|a, b| cost(a).total_cmp(&cost(b)))
                    .or(first),
            };
            // A phrase with no word that gives an anchor leaves the set without any.
            out.push(chosen?);
        }
        if out.is_empty() { None } else { Some(out) }
    }
}

/// A literal that a match must contain (one of a set): a whole word or a word prefix.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Anchor {
    /// Shared: a pattern's anchor groups copy the anchors of the lexicons it uses.
    #[serde(with = "crate::ruleset::shared")]
    pub text: std::sync::Arc<str>,
    pub whole_word: bool,
}

impl Anchor {
    /// The start bucket of the words that hold the anchor, as [`WordTest::start_bucket`] gives
    /// it for a word or a prefix: `None` for a prefix too short to decide one.
    fn start_bucket(&self) -> Option<u8> {
        (self.whole_word || self.text.chars().count() >= BUCKET_CHARS).then(|| bucket(&self.text))
    }
}

/// Lazily computed stems of an input's words: owned, or a cache the caller keeps across inputs
/// over the same words (the check loop keeps one per block and language, so a block is stemmed
/// once, not once per rule).
enum Stems<'a> {
    Own(StemCache),
    Shared(&'a StemCache),
}

/// Stems of an input's words, each computed when first asked for (most words are never
/// stemmed: stem tests reject words outside their anchor's bucket first).
pub type StemCache = std::sync::OnceLock<Vec<std::sync::OnceLock<String>>>;

/// The words of one block or sentence a pattern runs over, with lazily computed stems.
pub struct Input<'a> {
    pub text: &'a str,
    pub tokens: &'a [Token],
    lang: Lang,
    stems: Stems<'a>,
    /// Start buckets of the words ([`bucket`]), when the caller keeps them.
    buckets: Option<&'a [u8]>,
    /// [`word_hash`] of the words, when the caller keeps them.
    hashes: Option<&'a [u64]>,
}

impl<'a> Input<'a> {
    pub fn new(text: &'a str, tokens: &'a [Token], lang: Lang) -> Self {
        Input {
            text,
            tokens,
            lang,
            stems: Stems::Own(std::sync::OnceLock::new()),
            buckets: None,
            hashes: None,
        }
    }

    /// Like [`Input::new`], with stems kept in `cache`; the cache must only ever be used with
    /// these `tokens` of this `text` and this `lang`.
    pub fn with_stem_cache(
        text: &'a str,
        tokens: &'a [Token],
        lang: Lang,
        cache: &'a StemCache,
    ) -> Self {
        Input {
            text,
            tokens,
            lang,
            stems: Stems::Shared(cache),
            buckets: None,
            hashes: None,
        }
    }

    /// Uses `buckets` and `hashes` (one per token: [`bucket`] and [`word_hash`] of its text)
    /// instead of hashing words again.
    pub fn with_keys(mut self, buckets: &'a [u8], hashes: &'a [u64]) -> Self {
        if buckets.len() == self.tokens.len() && hashes.len() == self.tokens.len() {
            self.buckets = Some(buckets);
            self.hashes = Some(hashes);
        }
        self
    }

    #[inline]
    fn hash(&self, at: usize) -> u64 {
        match self.hashes {
            Some(h) => h.get(at).copied().unwrap_or(0),
            None => word_hash(self.word(at)),
        }
    }

    #[inline]
    fn bucket(&self, at: usize) -> u8 {
        match self.buckets {
            Some(b) => b.get(at).copied().unwrap_or(0),
            None => bucket(self.word(at)),
        }
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    pub fn word(&self, at: usize) -> &'a str {
        self.tokens.get(at).map_or("", |t| t.text(self.text))
    }

    /// The bytes of word `at` (tokens lie on char boundaries: no check of its own).
    #[inline]
    fn word_bytes(&self, at: usize) -> &'a [u8] {
        self.tokens
            .get(at)
            .and_then(|t| self.text.as_bytes().get(t.start()..t.end()))
            .unwrap_or(&[])
    }

    fn stem(&self, at: usize) -> &str {
        let cell = match &self.stems {
            Stems::Own(c) => c,
            Stems::Shared(c) => *c,
        };
        let stems = cell.get_or_init(|| vec![std::sync::OnceLock::new(); self.tokens.len()]);
        stems
            .get(at)
            .map_or("", |c| c.get_or_init(|| stem(self.lang, self.word(at))))
    }
}

#[derive(Debug, Clone)]
enum Node {
    Word(WordTest),
    Set(Arc<PhraseSet>, bool),
    Gap(usize),
    Group(Vec<Vec<(Node, bool)>>),
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
enum Inst {
    Test(WordTest),
    Any,
    Set(usize, bool),
    Split(usize, usize),
    Jmp(usize),
    Match,
}

/// Where lexicons and brands come from while compiling a pattern.
pub struct Context<'a> {
    pub lang: Lang,
    pub lexicons: &'a HashMap<String, Arc<PhraseSet>>,
    pub brands: &'a Arc<PhraseSet>,
}

/// A compiled pattern.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Pattern {
    source: String,
    prog: Vec<Inst>,
    #[serde(with = "crate::ruleset::shared::vec")]
    sets: Vec<Arc<PhraseSet>>,
    /// [`Pattern::anchor_clauses`].
    clauses: Vec<Clause>,
    uses_brand: bool,
    /// The consuming instructions reachable from the start that are not plain words, and the
    /// plain words (and phrase-set first words) that can start a match: a word where none of them
    /// matches cannot start a match, which saves running the NFA there.
    first: Vec<usize>,
    /// [`word_hash`] of the plain words (and phrase-set first words) that can start a match
    /// (a hit is then confirmed by the NFA, so a hash collision costs time, never a result).
    first_words: std::collections::HashSet<u64, IdBuild>,
    first_any: bool,
    /// Start buckets of the words that can start a match (a quick reject before `first`).
    start_mask: BucketMask,
    /// Per anchor clause, a quick test for each of its groups (see [`Pattern::may_match`]);
    /// empty when the pattern has no anchors.
    gate: Vec<Vec<GroupGate>>,
}

/// Reusable buffers of the NFA simulation (one per input, so no allocation per start word).
#[derive(Debug, Default)]
pub struct Scratch {
    /// Per instruction, the stamp of the step that last visited it (see `stamp`).
    seen: Vec<u64>,
    /// Stamp of the current step: unique across calls, so `seen` never needs clearing.
    stamp: u64,
    cur: Vec<(usize, Option<u32>)>,
    next: Vec<(usize, Option<u32>)>,
    pending: Vec<(usize, usize, Option<u32>)>,
    stack: Vec<(usize, Option<u32>)>,
}

thread_local! {
    /// The NFA buffers of this thread, reused by every match attempt (no allocation per call).
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// One match: words `start..end` of the input; `brand` is the catalogue entry that matched
/// `@brand`, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub start: usize,
    pub end: usize,
    pub brand: Option<u32>,
}

const DEFAULT_GAP: usize = 5;
const MAX_GAP: usize = 50;

/// Most entries a per-thread compile cache ([`thread_cached`]) keeps in one map; past it, the
/// map starts again (it only saves work: the rule files of a run repeat a few thousand words
/// many times over).
const WORD_CACHE_MAX: usize = 50_000;

/// Compiled word tests by raw word, one map per language ([`Lang::index`]), looked up by `&str`
/// without building a key.
type WordCache = ThreadCache<Box<str>, Arc<[WordTest]>, { Lang::ALL.len() }>;

thread_local! {
    /// The tests of the pattern words this thread has compiled, by language and raw word: a
    /// language's patterns use about 2 000 distinct words 14 000 times (the shipped English
    /// sections), and each one costs a normalisation, a tokenisation and, for `~word`, a stem.
    static WORD_TESTS: WordCache = std::cell::RefCell::new(Default::default());
}

/// The tests for one raw pattern or lexicon word (`word`, `word*`, `~word`; a word the
/// normaliser splits gives several), from the thread's cache when it was compiled before.
fn word_tests(raw: &str, lang: Lang) -> Result<Arc<[WordTest]>, PatternError> {
    thread_cached(&WORD_TESTS, lang.index(), raw, || {
        Ok((Box::from(raw), word_tests_uncached(raw, lang)?.into()))
    })
}

/// A per-thread compile cache: `N` maps (one per language, one per anchor kind).
type ThreadCache<K, V, const N: usize> = std::cell::RefCell<[HashMap<K, V, FxBuild>; N]>;

/// The value for `key` in map `slot` of a per-thread cache, made by `make` (which also gives
/// the owned key) the first time. A map past [`WORD_CACHE_MAX`] entries starts again, so the
/// cache stays bounded whatever rule files a run loads. An error is returned, never kept.
fn thread_cached<K, Q, V, E, const N: usize>(
    cache: &'static std::thread::LocalKey<ThreadCache<K, V, N>>,
    slot: usize,
    key: &Q,
    make: impl FnOnce() -> Result<(K, V), E>,
) -> Result<V, E>
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: std::hash::Hash + Eq + ?Sized,
    V: Clone,
{
    if let Some(v) = cache.with(|c| c.borrow().get(slot).and_then(|m| m.get(key)).cloned()) {
        return Ok(v);
    }
    let (owned, v) = make()?;
    cache.with(|c| {
        if let Some(m) = c.borrow_mut().get_mut(slot) {
            if m.len() >= WORD_CACHE_MAX {
                m.clear();
            }
            m.insert(owned, v.clone());
        }
    });
    Ok(v)
}

fn word_tests_uncached(raw: &str, lang: Lang) -> Result<Vec<WordTest>, PatternError> {
    let (body, kind) = if let Some(s) = raw.strip_prefix('~') {
        (s, 2)
    } else if let Some(s) = raw.strip_suffix('*') {
        (s, 1)
    } else {
        (raw, 0)
    };
    if body.contains('*') || body.contains('~') {
        return Err(err(format!(
            "\"{raw}\": `*` goes at the end of a word, `~` at its start"
        )));
    }
    let norm = normalise_str(body);
    let toks = tokenize(&norm);
    if toks.is_empty() {
        return Err(err(format!("\"{raw}\" has no letters or digits")));
    }
    let n = toks.len();
    Ok(toks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let w: Arc<str> = t.text(&norm).into();
            match kind {
                1 if i == n - 1 => WordTest::Prefix(w),
                2 => {
                    let st = stem(lang, &w);
                    let anchor: Option<Arc<str>> = stem_anchor(&w, &st).map(Arc::from);
                    let bucket = anchor
                        .as_deref()
                        .filter(|a: &&str| a.chars().count() >= BUCKET_CHARS)
                        .map(bucket);
                    WordTest::Stem {
                        stem: st.into(),
                        anchor,
                        bucket,
                    }
                }
                _ => WordTest::Exact(w),
            }
        })
        .collect())
}

struct Parser<'s, 'c> {
    src: &'s str,
    pos: usize,
    ctx: &'c Context<'c>,
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
    }

    /// seq := item*; stops at `|`, `)` or the end.
    fn seq(&mut self) -> Result<Vec<(Node, bool)>, PatternError> {
        let mut out = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                None | Some('|') | Some(')') => return Ok(out),
                Some('(') => {
                    self.pos += 1;
                    let mut alts = vec![self.seq()?];
                    loop {
                        match self.peek() {
                            Some('|') => {
                                self.pos += 1;
                                alts.push(self.seq()?);
                            }
                            Some(')') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(err("unbalanced parentheses: missing `)`")),
                        }
                    }
                    if alts.iter().any(Vec::is_empty) {
                        return Err(err("empty alternative in `( | )`"));
                    }
                    if self.peek() == Some('*') {
                        self.pos += 1;
                        for alt in &mut alts {
                            prefixify_last(alt)?;
                        }
                    }
                    let optional = self.eat('?');
                    out.push((Node::Group(alts), optional));
                }
                Some(_) => {
                    let start = self.pos;
                    while let Some(c) = self.peek() {
                        if c.is_whitespace() || matches!(c, '(' | ')' | '|') {
                            break;
                        }
                        self.pos += c.len_utf8();
                    }
                    let raw = &self.src[start..self.pos];
                    let (raw, optional) = match raw.strip_suffix('?') {
                        Some(r) => (r, true),
                        None => (raw, false),
                    };
                    if raw.is_empty() {
                        return Err(err("`?` must follow a word or a group"));
                    }
                    out.push((self.atom(raw)?, optional));
                }
            }
        }
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn atom(&self, raw: &str) -> Result<Node, PatternError> {
        if let Some(n) = raw.strip_prefix("...") {
            let n = if n.is_empty() {
                DEFAULT_GAP
            } else {
                n.parse::<usize>()
                    .map_err(|_| err(format!("bad gap \"{raw}\": write `...` or `...8`")))?
            };
            if n == 0 || n > MAX_GAP {
                return Err(err(format!("gap \"{raw}\" must be 1 to {MAX_GAP} words")));
            }
            return Ok(Node::Gap(n));
        }
        if let Some(name) = raw.strip_prefix('@') {
            if name == "brand" {
                return Ok(Node::Set(self.ctx.brands.clone(), true));
            }
            let set = self.ctx.lexicons.get(name).ok_or_else(|| {
                err(format!(
                    "unknown lexicon @{name} for language {}",
                    self.ctx.lang
                ))
            })?;
            return Ok(Node::Set(set.clone(), false));
        }
        let tests = word_tests(raw, self.ctx.lang)?;
        match &*tests {
            [] => Err(err("empty word")),
            [t] => Ok(Node::Word(t.clone())),
            many => Ok(Node::Group(vec![
                many.iter()
                    .map(|t| (Node::Word(t.clone()), false))
                    .collect(),
            ])),
        }
    }
}

fn prefixify_last(alt: &mut [(Node, bool)]) -> Result<(), PatternError> {
    match alt.last_mut() {
        Some((Node::Word(t), _)) => {
            if let WordTest::Exact(w) = t {
                *t = WordTest::Prefix(w.clone());
            }
            Ok(())
        }
        Some((Node::Group(alts), _)) => {
            for a in alts {
                prefixify_last(a)?;
            }
            Ok(())
        }
        _ => Err(err("`*` after a group needs each branch to end in a word")),
    }
}

fn can_be_empty(seq: &[(Node, bool)]) -> bool {
    seq.iter().all(|(n, opt)| {
        *opt || match n {
            Node::Gap(_) => true,
            Node::Group(alts) => alts.iter().any(|a| can_be_empty(a)),
            _ => false,
        }
    })
}

struct Compiler {
    prog: Vec<Inst>,
    sets: Vec<Arc<PhraseSet>>,
    uses_brand: bool,
}

impl Compiler {
    /// `(a|b c|d*)`: one phrase-set instruction, looked up by the first word, instead of a chain
    /// of splits that tries every alternative at every word. False (nothing emitted) when an
    /// alternative is not a plain word sequence.
    fn phrase_set(&mut self, alts: &[Vec<(Node, bool)>]) -> bool {
        let Some((tests, lens)) = plain_phrases(alts) else {
            return false;
        };
        let mut set = PhraseSet::default();
        set.phrases.reserve_exact(lens.len());
        set.tests.reserve_exact(tests.len());
        let mut tests = tests.into_iter();
        for n in lens {
            set.push_tests(tests.by_ref().take(n), None);
        }
        let idx = self.sets.len();
        self.sets.push(Arc::new(set));
        self.prog.push(Inst::Set(idx, false));
        true
    }

    fn seq(&mut self, seq: &[(Node, bool)]) {
        for (node, optional) in seq {
            if *optional {
                let split = self.prog.len();
                self.prog.push(Inst::Split(split + 1, 0));
                self.node(node);
                let after = self.prog.len();
                self.prog[split] = Inst::Split(split + 1, after);
            } else {
                self.node(node);
            }
        }
    }

    fn node(&mut self, node: &Node) {
        match node {
            Node::Word(t) => self.prog.push(Inst::Test(t.clone())),
            Node::Set(s, brand) => {
                self.uses_brand |= *brand;
                let idx = self.sets.len();
                self.sets.push(s.clone());
                self.prog.push(Inst::Set(idx, *brand));
            }
            Node::Gap(n) => {
                // n optional "any word" steps; each split can jump past the whole gap.
                let mut splits = Vec::with_capacity(*n);
                for _ in 0..*n {
                    splits.push(self.prog.len());
                    self.prog.push(Inst::Split(0, 0));
                    self.prog.push(Inst::Any);
                }
                let end = self.prog.len();
                for s in splits {
                    self.prog[s] = Inst::Split(s + 1, end);
                }
            }
            Node::Group(alts) if alts.len() > 1 && self.phrase_set(alts) => {}
            Node::Group(alts) => {
                let mut jumps = Vec::new();
                for (i, alt) in alts.iter().enumerate() {
                    if i + 1 < alts.len() {
                        let split = self.prog.len();
                        self.prog.push(Inst::Split(split + 1, 0));
                        self.seq(alt);
                        jumps.push(self.prog.len());
                        self.prog.push(Inst::Jmp(0));
                        let next = self.prog.len();
                        self.prog[split] = Inst::Split(split + 1, next);
                    } else {
                        self.seq(alt);
                    }
                }
                let end = self.prog.len();
                for j in jumps {
                    self.prog[j] = Inst::Jmp(end);
                }
            }
        }
    }
}

/// The alternatives of a group as plain word sequences (no optional part, gap, set or nested
/// alternation), or `None`: the word tests of all of them one after another, and the number of
/// words of each.
fn plain_phrases(alts: &[Vec<(Node, bool)>]) -> Option<(Vec<WordTest>, Vec<usize>)> {
    fn flatten(seq: &[(Node, bool)], out: &mut Vec<WordTest>) -> Option<()> {
        for (node, optional) in seq {
            if *optional {
                return None;
            }
            match node {
                Node::Word(t) => out.push(t.clone()),
                Node::Group(inner) if inner.len() == 1 => flatten(&inner[0], out)?,
                _ => return None,
            }
        }
        Some(())
    }
    let mut tests = Vec::with_capacity(alts.len());
    let mut lens = Vec::with_capacity(alts.len());
    for alt in alts {
        let before = tests.len();
        flatten(alt, &mut tests)?;
        let n = tests.len() - before;
        if n == 0 {
            return None;
        }
        lens.push(n);
    }
    Some((tests, lens))
}

/// Cost of an anchor set for the prefilter: common short words make every block a candidate.
const COMMON: &[&str] = &[
    "the", "a", "an", "of", "to", "in", "and", "or", "be", "is", "are", "by", "for", "with",
    "shall", "will", "may", "must", "all", "any", "this", "that", "le", "la", "les", "de", "des",
    "du", "et", "ou", "un", "une", "est", "sont", "à", "en", "par", "pour", "der", "die", "das",
    "den", "dem", "und", "oder", "ist", "sind", "ein", "eine", "zu", "von", "het", "een", "van",
    "en", "of", "is", "zijn", "te", "op", "voor", "met",
];

/// Words most paragraphs of a tender hold, in each language, beside the [`COMMON`] ones: the
/// parties, the contract, the services, time, price, data, and the frequent short words of
/// ordinary prose. They are poor first anchors (a slot of the prefilter is touched by its first
/// group's anchors: anchored on "contractor" or "not", a rule is looked at in nearly every
/// block), so they cost more than their length says; they stay anchors, required with the
/// others.
#[rustfmt::skip]
const FREQUENT: &[&str] = &[
    // en
    "contract", "contracts", "contractor", "contractors", "contracting", "authority",
    "authorities", "service", "services", "supplier", "suppliers", "tender", "tenders", "tenderer",
    "tenderers", "bidder", "bidders", "data", "software", "system", "systems", "solution", "price",
    "prices", "party", "parties", "available", "provide", "provided", "time", "public", "work",
    "works", "requirements", "requirement", "not", "no", "other", "from", "per", "every", "each",
    "within", "such", "including", "information", "project", "support", "date", "days", "period",
    "agreement", "document", "documents", "delivery", "management", "user", "users", "on", "at",
    "as", "it", "its", "if", "can", "has", "have", "been", "was", "were", "which", "who", "their",
    "they", "there", "these", "those", "than", "also", "into", "out", "up", "about", "after",
    "before", "under", "over", "between", "during", "without", "through", "only", "more", "some",
    "new", "made", "make", "take", "place", "part", "case", "same", "where", "when", "should",
    "would", "following", "least", "once", "month", "months", "year", "years", "day", "working",
    "written", "request", "required", "require", "changes", "change", "carried", "carry", "keep",
    "personal", "number", "report", "appoint", "accordance", "comply", "rules", "training",
    "included", "costs", "cost", "quality", "level", "access", "based", "both",
    // fr
    "contrat", "marché", "titulaire", "pouvoir", "adjudicateur", "acheteur", "prestataire",
    "service", "prestations", "données", "logiciel", "système", "prix", "parties", "partie",
    "disponible", "fournir", "délai", "public", "travaux", "exigences", "pas", "ne", "autres",
    "chaque", "dans", "conformément", "utilisation", "document", "documents", "livraison",
    "gestion", "utilisateurs", "candidat", "soumissionnaire", "offre", "sur", "au", "aux", "qui",
    "que", "dont", "ce", "cette", "ces", "son", "sa", "ses", "leur", "leurs", "il", "elle", "ils",
    "se", "sous", "avec", "sans", "entre", "après", "avant", "lors", "selon", "ainsi", "être",
    "doit", "doivent", "peut", "peuvent", "sera", "seront", "fait", "mois", "jours", "jour",
    "année", "ans", "date", "demande", "modifications", "personnel", "personnelles", "conditions",
    "cadre", "ensemble", "dispositions",
    // de
    "vertrag", "auftragnehmer", "auftraggeber", "leistung", "leistungen", "dienstleistungen",
    "daten", "system", "preis", "parteien", "vertragsparteien", "verfügbar", "bereitstellen",
    "zeit", "öffentlich", "anforderungen", "nicht", "keine", "andere", "jede", "jeder",
    "innerhalb", "gemäß", "nutzung", "dokumente", "lieferung", "bieter", "angebot", "des", "im",
    "mit", "auf", "für", "an", "bei", "nach", "aus", "als", "auch", "wird", "werden", "kann",
    "können", "muss", "müssen", "hat", "haben", "sich", "dass", "wie", "so", "nur", "über",
    "unter", "vor", "bis", "durch", "ohne", "zwischen", "während", "sowie", "alle", "seine",
    "ihre", "diese", "dieser", "dieses", "einer", "einem", "eines", "monate", "tage", "jahr",
    "jahre", "änderungen", "personenbezogene", "rahmen", "bestimmungen",
    // nl
    "overeenkomst", "opdrachtnemer", "opdrachtgever", "aanbestedende", "dienst", "diensten",
    "leverancier", "gegevens", "systeem", "prijs", "partijen", "beschikbaar", "leveren", "tijd",
    "openbare", "eisen", "niet", "geen", "andere", "elke", "binnen", "conform", "gebruik",
    "documenten", "levering", "inschrijver", "inschrijving", "in", "de", "dat", "die", "deze",
    "dit", "aan", "bij", "door", "naar", "om", "uit", "als", "ook", "wordt", "worden", "kan",
    "kunnen", "moet", "moeten", "zal", "zullen", "heeft", "hebben", "zich", "zoals", "alleen",
    "over", "onder", "voor", "tot", "zonder", "tussen", "tijdens", "alle", "zijn", "haar", "hun",
    "maanden", "dagen", "jaar", "wijzigingen", "persoonsgegevens", "kader", "bepalingen",
    // da
    "kontrakt", "kontrakten", "leverandør", "leverandøren", "ordregiver", "ordregiveren",
    "ydelser", "tjenester", "pris", "parter", "tilgængelig", "levere", "tid", "offentlig", "krav",
    "ikke", "anden", "hver", "inden", "brug", "dokumenter",
    // sv
    "avtal", "avtalet", "leverantör", "leverantören", "upphandlande", "myndighet", "myndigheten",
    "tjänster", "programvara", "parterna", "tillgänglig", "leverera", "inte", "annan", "varje",
    "inom", "användning", "dokument", "leverans", "anbudsgivare",
    // cs
    "smlouva", "smlouvy", "dodavatel", "dodavatele", "zadavatel", "zadavatele", "služby", "systém",
    "cena", "strany", "dostupné", "dodat", "čas", "veřejné", "požadavky", "jiné", "každý", "během",
    "užití", "dokumenty", "dodávka", "uchazeč",
];

/// True when anchor `text` is, or (as a word prefix) starts, one of the [`FREQUENT`] words.
fn is_frequent(text: &str, whole_word: bool) -> bool {
    // Sorted: the words a prefix starts follow the first one not below it.
    static SORTED: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        let mut v = FREQUENT.to_vec();
        v.sort_unstable();
        v.dedup();
        v
    });
    let at = SORTED.partition_point(|w| *w < text);
    SORTED.get(at).is_some_and(|w| {
        if whole_word {
            *w == text
        } else {
            w.starts_with(text)
        }
    })
}

fn is_common(word: &str) -> bool {
    static SET: std::sync::LazyLock<std::collections::HashSet<&'static str, FxBuild>> =
        std::sync::LazyLock::new(|| COMMON.iter().copied().collect());
    // Every common word is short; longer words skip the lookup.
    word.len() <= 6 && SET.contains(word)
}

/// True for an anchor nearly every block of a tender holds (a common or frequent word).
fn is_everywhere(a: &Anchor) -> bool {
    is_common(&a.text) || is_frequent(&a.text, a.whole_word)
}

fn anchor_cost(set: &[Anchor]) -> f64 {
    set.iter()
        .map(|a| {
            let len = a.text.chars().count().max(1) as f64;
            let base = if is_common(&a.text) {
                50.0
            } else if is_frequent(&a.text, a.whole_word) {
                20.0
            } else {
                8.0 / len
            };
            if a.whole_word { base } else { base * 1.5 }
        })
        .sum()
}

/// An anchor set (sorted, without duplicates) and its cost, shared when it comes from a lexicon.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AnchorGroup {
    #[serde(with = "crate::ruleset::shared")]
    anchors: std::sync::Arc<[Anchor]>,
    cost: f64,
}

impl AnchorGroup {
    /// The quick test for words that hold one of the anchors: a few whole words by their
    /// hashes, else by their start buckets (every bucket when a prefix anchor is too short to
    /// decide one).
    fn gate(&self) -> GroupGate {
        if self.anchors.len() <= GroupGate::MAX_WORDS && self.anchors.iter().all(|a| a.whole_word) {
            let mut bits: Vec<u16> = self
                .anchors
                .iter()
                .map(|a| Present::word_bit(word_hash(&a.text)))
                .collect();
            bits.sort_unstable();
            bits.dedup();
            return GroupGate::Words(bits.into());
        }
        let mut mask = BucketMask::NONE;
        for a in self.anchors.iter() {
            mask.insert_or_all(a.start_bucket());
        }
        GroupGate::Buckets(mask)
    }

    fn new(mut v: Vec<Anchor>) -> AnchorGroup {
        v.sort();
        v.dedup();
        let cost = anchor_cost(&v);
        AnchorGroup {
            anchors: v.into(),
            cost,
        }
    }
}

impl std::ops::Deref for AnchorGroup {
    type Target = [Anchor];

    fn deref(&self) -> &[Anchor] {
        &self.anchors
    }
}

/// One-anchor groups this thread made, whole words and word prefixes: every word of every
/// pattern needs one, and the same words come back thousands of times. A word's group is then
/// one shared allocation, which the prefilter's build also resolves once (by address).
type OneAnchorCache = ThreadCache<Arc<str>, AnchorGroup, 2>;

thread_local! {
    static ONE_ANCHOR: OneAnchorCache = std::cell::RefCell::new(Default::default());
}

/// The group of the one anchor `text` (a whole word or a prefix), from the thread's cache.
fn one_anchor(text: &Arc<str>, whole_word: bool) -> AnchorGroup {
    let made = thread_cached(&ONE_ANCHOR, usize::from(whole_word), &**text, || {
        let group = AnchorGroup::new(vec![Anchor {
            text: text.clone(),
            whole_word,
        }]);
        Ok::<_, std::convert::Infallible>((text.clone(), group))
    });
    match made {
        Ok(group) => group,
        Err(never) => match never {},
    }
}

/// The anchors one of which every match of `node` contains, or `None`.
fn node_anchors(node: &Node) -> Option<AnchorGroup> {
    let one = |text: &Arc<str>, whole_word: bool| Some(one_anchor(text, whole_word));
    match node {
        Node::Word(WordTest::Exact(w)) => one(w, true),
        Node::Word(WordTest::Prefix(p)) => one(p, false),
        Node::Word(WordTest::Stem { anchor, .. }) => anchor.as_ref().and_then(|a| one(a, false)),
        Node::Gap(_) => None,
        Node::Set(s, _) => s.anchors(),
        Node::Group(alts) => {
            if let [only] = alts.as_slice() {
                return seq_anchors(only);
            }
            let mut all = Vec::new();
            for a in alts {
                all.extend(seq_anchors(a)?.iter().cloned());
            }
            Some(AnchorGroup::new(all))
        }
    }
}

/// The cheapest anchor set among the mandatory elements of `seq` (the first of equals).
fn seq_anchors(seq: &[(Node, bool)]) -> Option<AnchorGroup> {
    seq.iter()
        .filter(|(_, optional)| !optional)
        .filter_map(|(node, _)| node_anchors(node))
        .min_by(|a, b| a.cost.total_cmp(&b.cost))
}

/// Anchor groups every match of one alternative contains an anchor of each of (see
/// [`Pattern::anchor_clauses`]).
pub type Clause = Vec<AnchorGroup>;

/// Most clauses kept for one element or pattern; past it, alternatives are merged into one
/// group of their cheapest anchors, as if they were one word.
const MAX_CLAUSES: usize = 16;

/// One clause of a single group.
fn single(g: AnchorGroup) -> Vec<Clause> {
    vec![vec![g]]
}

/// One group for alternatives `parts`: the cheapest group of each (a match through one of them
/// holds an anchor of that group).
fn merge(parts: &[Clause]) -> AnchorGroup {
    let words: Vec<Anchor> = parts
        .iter()
        .filter_map(|c| c.iter().min_by(|a, b| a.cost.total_cmp(&b.cost)))
        .flat_map(|g| g.iter().cloned())
        .collect();
    AnchorGroup::new(words)
}

/// Clauses of the alternatives `parts` (each a clause of one way through an element): the
/// one-group alternatives merged into one group (nothing is gained by keeping them apart), the
/// others kept; everything merged into one group when that leaves too many.
fn alternatives(parts: Vec<Clause>) -> Vec<Clause> {
    let (singles, mut multi): (Vec<Clause>, Vec<Clause>) =
        parts.into_iter().partition(|c| c.len() <= 1);
    if multi.len() + 1 > MAX_CLAUSES {
        multi.extend(singles);
        return single(merge(&multi));
    }
    if !singles.is_empty() {
        multi.push(vec![merge(&singles)]);
    }
    multi
}

/// The clauses of a group `(a|b c|...)`: for each way through it, the groups that way needs.
/// `None` when some way through it needs no literal word at all.
fn group_clauses(alts: &[Vec<(Node, bool)>]) -> Option<Vec<Clause>> {
    if let [only] = alts {
        return seq_clauses(only);
    }
    let mut parts = Vec::new();
    for a in alts {
        parts.extend(seq_clauses(a)?);
    }
    Some(alternatives(parts))
}

/// The clauses of a sequence: the cross product of its mandatory elements' clauses (an
/// element with alternatives is merged into one group when the product would grow past
/// [`MAX_CLAUSES`]). `None` when no mandatory element has an anchor.
fn seq_clauses(seq: &[(Node, bool)]) -> Option<Vec<Clause>> {
    let mut acc: Vec<Clause> = vec![Vec::new()];
    let mut anchored = false;
    for (node, optional) in seq {
        if *optional {
            continue;
        }
        // The one group this element adds to every clause, unless it splits them.
        let group = match node {
            Node::Group(alts) => {
                let Some(parts) = group_clauses(alts) else {
                    continue;
                };
                anchored = true;
                if let [only] = parts.as_slice() {
                    for c in &mut acc {
                        c.extend(only.iter().cloned());
                    }
                    continue;
                }
                if acc.len() * parts.len() <= MAX_CLAUSES {
                    acc = cross(&acc, &parts);
                    continue;
                }
                merge(&parts)
            }
            // Most elements are one word (or a lexicon): their group, without clause lists.
            other => {
                let Some(g) = node_anchors(other) else {
                    continue;
                };
                anchored = true;
                g
            }
        };
        for c in &mut acc {
            c.push(group.clone());
        }
    }
    anchored.then_some(acc)
}

/// Every clause of `acc` joined with every clause of `parts`.
fn cross(acc: &[Clause], parts: &[Clause]) -> Vec<Clause> {
    acc.iter()
        .flat_map(|c| {
            parts.iter().map(move |p| {
                let mut c = c.clone();
                c.extend(p.iter().cloned());
                c
            })
        })
        .collect()
}

/// A clause as the prefilter uses it: groups cheapest first, without repeats, at most
/// [`MAX_GROUPS`]. Groups of common words stay: the prefilter marks a group once per block when
/// one of its anchors is seen, so requiring it costs next to nothing, and a block without it is
/// not a candidate. A 2-letter word ("ip", "vm") in a lexicon used to drop its whole group.
fn tidy(mut clause: Clause) -> Clause {
    clause.sort_by(|a, b| a.cost.total_cmp(&b.cost));
    clause.dedup_by(|a, b| a.anchors == b.anchors);
    clause.truncate(MAX_GROUPS);
    clause
}

/// Most anchor sets the prefilter requires of one pattern (the cheapest ones).
const MAX_GROUPS: usize = 6;

/// Consuming instructions in the epsilon closure of instruction 0.
fn first_insts(prog: &[Inst]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut seen = vec![false; prog.len()];
    let mut stack = vec![0usize];
    while let Some(pc) = stack.pop() {
        if seen.get(pc).copied().unwrap_or(true) {
            continue;
        }
        seen[pc] = true;
        match prog.get(pc) {
            Some(Inst::Split(a, b)) => {
                stack.push(*b);
                stack.push(*a);
            }
            Some(Inst::Jmp(a)) => stack.push(*a),
            Some(Inst::Match) | None => {}
            Some(_) => out.push(pc),
        }
    }
    out
}

impl Pattern {
    /// True when some first instruction accepts word `at`.
    #[inline]
    fn can_start(&self, input: &Input<'_>, at: usize) -> bool {
        if !self.start_mask.contains(input.bucket(at)) {
            return false;
        }
        self.first_any
            || self.first_words.contains(&input.hash(at))
            || self.first.iter().any(|&pc| match self.prog.get(pc) {
                Some(Inst::Test(t)) => t.matches(input, at),
                Some(Inst::Set(i, _)) => self.sets.get(*i).is_some_and(|s| s.starts_at(input, at)),
                _ => false,
            })
    }

    /// Parses and compiles `source` for one language.
    pub fn compile(source: &str, ctx: &Context<'_>) -> Result<Pattern, PatternError> {
        let mut p = Parser {
            src: source,
            pos: 0,
            ctx,
        };
        let seq = p.seq()?;
        match p.peek() {
            Some(')') => return Err(err("unbalanced parentheses: unexpected `)`")),
            Some('|') => return Err(err("`|` outside parentheses")),
            _ => {}
        }
        if seq.is_empty() {
            return Err(err("empty pattern"));
        }
        if can_be_empty(&seq) {
            return Err(err(
                "pattern can match no words at all (everything is optional)",
            ));
        }
        let mut clauses: Vec<Clause> = seq_clauses(&seq)
            .unwrap_or_default()
            .into_iter()
            .map(tidy)
            .collect();
        clauses.sort_by(|a, b| {
            a.iter()
                .map(|g| &*g.anchors)
                .cmp(b.iter().map(|g| &*g.anchors))
        });
        clauses.dedup_by(|a, b| {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.anchors == y.anchors)
        });
        let mut c = Compiler {
            prog: Vec::new(),
            sets: Vec::new(),
            uses_brand: false,
        };
        c.seq(&seq);
        c.prog.push(Inst::Match);
        let mut first = Vec::new();
        let mut first_words = std::collections::HashSet::default();
        let mut first_any = false;
        let mut start_mask = BucketMask::NONE;
        for pc in first_insts(&c.prog) {
            match c.prog.get(pc) {
                Some(Inst::Test(WordTest::Exact(w))) => {
                    start_mask.insert(bucket(w));
                    first_words.insert(word_hash(w));
                }
                Some(Inst::Any) => {
                    start_mask = BucketMask::ALL;
                    first_any = true;
                }
                Some(Inst::Set(i, _)) => {
                    if let Some(set) = c.sets.get(*i) {
                        set.start_buckets(&mut start_mask);
                        first_words.extend(set.by_first.keys().copied());
                        if set.has_other_first() {
                            first.push(pc);
                        }
                    }
                }
                Some(Inst::Test(t)) => {
                    start_mask.insert_or_all(t.start_bucket());
                    first.push(pc);
                }
                _ => {
                    start_mask = BucketMask::ALL;
                    first.push(pc);
                }
            }
        }
        let gate = clauses
            .iter()
            .map(|c| c.iter().map(AnchorGroup::gate).collect())
            .collect();
        Ok(Pattern {
            source: source.to_string(),
            prog: c.prog,
            sets: c.sets,
            gate,
            clauses,
            uses_brand: c.uses_brand,
            first,
            first_words,
            first_any,
            start_mask,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The prefilter's view of the pattern, one clause per way through it: every match
    /// contains, for one of the clauses, an anchor of each of the clause's groups (cheapest group
    /// first). "(exit plan|reversibility)" has the clauses {exit} {plan} and {reversibility}, so
    /// a block with "plan" alone is not a candidate. Empty when the pattern has no anchors (it
    /// must then run on every scope).
    pub fn anchor_clauses(&self) -> &[Clause] {
        &self.clauses
    }

    /// False when no match can lie among the words of `present`: every anchor clause has a
    /// group none of whose anchors can be among them (by the hash filter or the start buckets,
    /// see [`Present`]). A quick reject before looking for the pattern in a block.
    #[inline]
    pub fn may_match(&self, present: &Present) -> bool {
        self.gate.is_empty()
            || self
                .gate
                .iter()
                .any(|clause| clause.iter().all(|g| present.admits(g)))
    }

    pub fn uses_brand(&self) -> bool {
        self.uses_brand
    }

    /// The longest match starting at word `start` and ending at or before word `limit`.
    pub fn match_at(&self, input: &Input<'_>, start: usize, limit: usize) -> Option<Match> {
        let limit = limit.min(input.len());
        if start >= limit || !self.can_start(input, start) {
            return None;
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut guard) => self.match_at_with(input, start, limit, &mut guard),
            Err(_) => self.match_at_with(input, start, limit, &mut Scratch::default()),
        })
    }

    fn match_at_with(
        &self,
        input: &Input<'_>,
        start: usize,
        limit: usize,
        scratch: &mut Scratch,
    ) -> Option<Match> {
        let n = self.prog.len();
        let Scratch {
            seen,
            stamp,
            cur,
            next,
            pending,
            stack,
        } = scratch;
        if seen.len() < n {
            seen.resize(n, 0);
        }
        cur.clear();
        cur.push((0, None));
        next.clear();
        pending.clear();
        stack.clear();
        let mut best: Option<Match> = None;
        let mut pos = start;
        loop {
            // Threads that arrive here from multi-word phrase matches (most steps have none).
            if !pending.is_empty() {
                pending.retain(|&(p, pc, b)| {
                    if p == pos {
                        cur.push((pc, b));
                        false
                    } else {
                        true
                    }
                });
            }
            if cur.is_empty() && pending.is_empty() {
                break;
            }
            stack.clear();
            stack.extend(cur.drain(..).rev());
            *stamp += 1;
            let step = *stamp;
            while let Some((pc, brand)) = stack.pop() {
                match seen.get_mut(pc) {
                    Some(s) if *s == step => continue,
                    Some(s) => *s = step,
                    None => {}
                }
                match self.prog.get(pc) {
                    Some(Inst::Split(a, b)) => {
                        stack.push((*b, brand));
                        stack.push((*a, brand));
                    }
                    Some(Inst::Jmp(a)) => stack.push((*a, brand)),
                    Some(Inst::Match) if pos > start && best.is_none_or(|m| pos > m.end) => {
                        best = Some(Match {
                            start,
                            end: pos,
                            brand,
                        });
                    }
                    Some(Inst::Test(t)) if pos < limit && t.matches(input, pos) => {
                        next.push((pc + 1, brand));
                    }
                    Some(Inst::Any) if pos < limit => {
                        next.push((pc + 1, brand));
                    }
                    Some(Inst::Set(i, is_brand)) => {
                        if let Some(set) = self.sets.get(*i) {
                            set.each_match(input, pos, limit, &mut |end, tag| {
                                let b = if *is_brand { tag.or(brand) } else { brand };
                                if end == pos + 1 {
                                    next.push((pc + 1, b));
                                } else {
                                    pending.push((end, pc + 1, b));
                                }
                            });
                        }
                    }
                    _ => {}
                }
            }
            if pos >= limit && pending.is_empty() {
                break;
            }
            std::mem::swap(cur, next);
            pos += 1;
            if pos > limit {
                break;
            }
        }
        best
    }

    /// Leftmost-longest, non-overlapping matches within words `range`.
    pub fn find_iter(&self, input: &Input<'_>, range: std::ops::Range<usize>) -> Vec<Match> {
        let mut out = Vec::new();
        let mut at = range.start;
        while at < range.end {
            at = self.next_start(input, at, range.end);
            if at >= range.end {
                break;
            }
            match self.match_at(input, at, range.end) {
                Some(m) => {
                    out.push(m);
                    at = m.end.max(at + 1);
                }
                None => at += 1,
            }
        }
        out
    }

    /// True when the pattern matches anywhere within words `range`.
    pub fn is_match(&self, input: &Input<'_>, range: std::ops::Range<usize>) -> bool {
        let mut at = range.start;
        while at < range.end {
            at = self.next_start(input, at, range.end);
            if at >= range.end {
                break;
            }
            if self.match_at(input, at, range.end).is_some() {
                return true;
            }
            at += 1;
        }
        false
    }

    /// The first word at or after `at` (before `end`) whose start bucket this pattern can start
    /// in; `end` when there is none. A tight loop over the caller's bucket array.
    #[inline]
    fn next_start(&self, input: &Input<'_>, mut at: usize, end: usize) -> usize {
        if let Some(b) = input.buckets {
            let stop = end.min(b.len());
            while at < stop && !self.start_mask.contains(b[at]) {
                at += 1;
            }
            return if at < stop { at } else { end.max(at) };
        }
        at
    }
}

/// A list of patterns needed only where a rule has already matched (`unless`, `then`), compiled
/// on first use when the packs were validated beforehand (the embedded packs, which `rules check`
/// validates in the tests), and at once otherwise, so that a pack from disk reports a bad pattern
/// at its line. A rule that never fires in a document never pays for them: they are about a
/// sixth of the English pattern text.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct LazyPatterns {
    #[serde(with = "crate::ruleset::shared::once")]
    compiled: std::sync::OnceLock<Vec<Pattern>>,
    #[serde(with = "crate::ruleset::shared::option")]
    deferred: Option<Arc<Deferred>>,
}

/// What compiling a deferred list needs: its sources and the language's lexicons and brands.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Deferred {
    sources: Vec<String>,
    lang: Lang,
    #[serde(with = "crate::ruleset::shared::lexicons")]
    lexicons: Arc<HashMap<String, Arc<PhraseSet>>>,
    #[serde(with = "crate::ruleset::shared")]
    brands: Arc<PhraseSet>,
}

impl LazyPatterns {
    /// Patterns compiled already.
    pub fn compiled(patterns: Vec<Pattern>) -> LazyPatterns {
        LazyPatterns {
            compiled: std::sync::OnceLock::from(patterns),
            deferred: None,
        }
    }

    /// Patterns compiled the first time [`LazyPatterns::get`] is called. A source that does not
    /// compile is left out then: only a pack that skipped validation can have one.
    pub fn deferred(
        sources: Vec<String>,
        lang: Lang,
        lexicons: Arc<HashMap<String, Arc<PhraseSet>>>,
        brands: Arc<PhraseSet>,
    ) -> LazyPatterns {
        LazyPatterns {
            compiled: std::sync::OnceLock::new(),
            deferred: Some(Arc::new(Deferred {
                sources,
                lang,
                lexicons,
                brands,
            })),
        }
    }

    /// The patterns, compiled now if they were not.
    pub fn get(&self) -> &[Pattern] {
        self.compiled.get_or_init(|| {
            self.deferred.as_ref().map_or_else(Vec::new, |d| {
                let ctx = Context {
                    lang: d.lang,
                    lexicons: &d.lexicons,
                    brands: &d.brands,
                };
                d.sources
                    .iter()
                    .filter_map(|s| Pattern::compile(s, &ctx).ok())
                    .collect()
            })
        })
    }

    /// True before a deferred list was compiled (for tests).
    pub fn is_pending(&self) -> bool {
        self.compiled.get().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::normalise;

    /// `word_hash` as first written: each eight-byte chunk, the last one zero-padded by a copy.
    fn word_hash_by_copy(word: &str) -> u64 {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let bytes = word.as_bytes();
        let mut h = bytes.len() as u64;
        for c in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..c.len()].copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
        }
        h ^ (h >> 29)
    }

    #[test]
    fn word_hash_reads_the_tail_as_a_zero_padded_chunk() {
        let alphabet = ["a", "z", "9", "é", "ß", "œ", "ž", "-"];
        let mut word = String::new();
        for n in 0..40 {
            assert_eq!(word_hash(&word), word_hash_by_copy(&word), "{word:?}");
            word.push_str(alphabet[n % alphabet.len()]);
        }
        assert_ne!(word_hash("licence"), word_hash("license"));
    }

    fn ctx_sets() -> (HashMap<String, Arc<PhraseSet>>, Arc<PhraseSet>) {
        let mut lex = HashMap::new();
        let mut supplier = PhraseSet::default();
        for e in ["contractor", "supplier", "service provider", "vendor*"] {
            supplier.add(e, Lang::En, None).unwrap();
        }
        lex.insert("supplier".to_string(), Arc::new(supplier));
        let mut brands = PhraseSet::default();
        brands
            .add("microsoft sharepoint", Lang::En, Some(0))
            .unwrap();
        brands.add("sharepoint", Lang::En, Some(0)).unwrap();
        brands.add("oracle database", Lang::En, Some(1)).unwrap();
        (lex, Arc::new(brands))
    }

    /// `pattern` compiled for English against the test lexicons and brands.
    fn compile_en(pattern: &str) -> Result<Pattern, PatternError> {
        let (lex, brands) = ctx_sets();
        let ctx = Context {
            lang: Lang::En,
            lexicons: &lex,
            brands: &brands,
        };
        Pattern::compile(pattern, &ctx)
    }

    #[test]
    fn word_tests_are_cached_per_language_and_shared() {
        // The same raw word in two languages: the cache key holds the language, so each gets its
        // own stemmer's stem.
        let stem_of = |lang| match &*word_tests("~lieferungen", lang).unwrap() {
            [WordTest::Stem { stem, .. }] => stem.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(&*stem_of(Lang::De), stem(Lang::De, "lieferungen"));
        assert_eq!(&*stem_of(Lang::En), stem(Lang::En, "lieferungen"));
        assert_ne!(stem_of(Lang::De), stem_of(Lang::En));
        // A second compile of a word hands out the same shared text, not a copy.
        let (a, b) = (
            word_tests("Licence", Lang::En).unwrap(),
            word_tests("Licence", Lang::En).unwrap(),
        );
        match (&*a, &*b) {
            ([WordTest::Exact(x)], [WordTest::Exact(y)]) => {
                assert_eq!(&**x, "licence");
                assert!(Arc::ptr_eq(x, y));
            }
            other => panic!("{other:?}"),
        }
        // Errors are not cached as results: a bad word fails every time.
        assert!(word_tests("li*ce", Lang::En).is_err());
        assert!(word_tests("li*ce", Lang::En).is_err());
        // A word the normaliser splits gives one test per part, the last a prefix with `*`.
        let parts = word_tests("open-source*", Lang::En).unwrap();
        assert!(
            matches!(&*parts, [WordTest::Exact(a), WordTest::Prefix(b)] if &**a == "open" && &**b == "source")
        );
    }

    #[test]
    fn lexicon_phrases_starting_with_a_prefix_or_stem_match_in_phrase_order() {
        let mut set = PhraseSet::default();
        // Tags tell the entries apart: bucketed prefixes and stems, a short prefix without a
        // bucket, and an exact word, mixed.
        for (i, entry) in [
            "licen* fee",
            "li*",
            "~deliver",
            "licen*",
            "fee",
            "~deliver fee",
        ]
        .iter()
        .enumerate()
        {
            set.add(entry, Lang::En, Some(i as u32)).unwrap();
        }
        let matches = |text: &str| {
            let n = normalise(text);
            let toks = tokenize(&n.text);
            let input = Input::new(&n.text, &toks, Lang::En);
            let mut out = Vec::new();
            set.each_match(&input, 0, toks.len(), &mut |end, tag| out.push((end, tag)));
            (out, set.starts_at(&input, 0))
        };
        assert_eq!(
            matches("licence fee"),
            (vec![(2, Some(0)), (1, Some(1)), (1, Some(3))], true)
        );
        assert_eq!(
            matches("delivered fee"),
            (vec![(1, Some(2)), (2, Some(5))], true)
        );
        assert_eq!(matches("fee"), (vec![(1, Some(4))], true));
        assert_eq!(matches("contract fee"), (vec![], false));
    }

    /// [`Present`] of a text's words.
    fn present_in(text: &str) -> Present {
        let n = normalise(text);
        let toks = tokenize(&n.text);
        let words: Vec<&str> = toks.iter().map(|t| t.text(&n.text)).collect();
        let buckets: Vec<u8> = words.iter().map(|w| bucket(w)).collect();
        let hashes: Vec<u64> = words.iter().map(|w| word_hash(w)).collect();
        Present::of(&buckets, &hashes)
    }

    #[test]
    fn the_quick_reject_never_rejects_a_text_the_pattern_matches() {
        // Whole words, prefixes (long and too short for a bucket), stems, lexicons, brands,
        // alternatives that split clauses, optional words, gaps, a lexicon of more words than
        // the gate tests one by one.
        let many: String = (0..80).map(|i| format!("w{i}|")).collect::<String>() + "licence";
        let patterns = [
            "source code",
            "(shall|will) not retain ...3 rights",
            "@supplier (shall|may)? keep* ...2 (copyright|ip)",
            "li* fee",
            "~deliver ...4 source code",
            "@brand (format|formats|file)",
            "(escrow|deposit) ...3 not (required|needed)",
            "(exit plan|reversibility)",
            &format!("({many}) fee"),
        ];
        let texts = [
            "The source code is delivered.",
            "The Contractor shall not retain any rights.",
            "The vendors may keep all copyright.",
            "The Supplier keeps the IP.",
            "A licence fee applies.",
            "It delivered the complete source code.",
            "Files in SharePoint format.",
            "Escrow is not required.",
            "A deposit of the code is not needed at all.",
            "The exit plan and reversibility.",
            "A w17 fee and a licence fee.",
            "Plain text about meetings.",
        ];
        let mut matched = 0;
        let mut rejected = 0;
        for pat in &patterns {
            let p = compile_en(pat).unwrap();
            for text in &texts {
                let n = normalise(text);
                let toks = tokenize(&n.text);
                let input = Input::new(&n.text, &toks, Lang::En);
                let is = p.is_match(&input, 0..toks.len());
                let may = p.may_match(&present_in(text));
                assert!(
                    may || !is,
                    "{pat:?} matches {text:?} but the gate rejects it"
                );
                matched += usize::from(is);
                rejected += usize::from(!may);
            }
        }
        // The table holds matches, and texts the gate turns away.
        assert!(matched >= 9, "{matched}");
        assert!(rejected >= 40, "{rejected}");
    }

    #[test]
    fn the_quick_reject_turns_away_texts_without_a_word_each_match_needs() {
        let p = compile_en("@supplier ...2 (extension|extensions|dialect)").unwrap();
        assert!(!p.may_match(&present_in("The Contractor delivers documents.")));
        assert!(p.may_match(&present_in("The Contractor delivers an extension.")));
        // Either alternative of a split clause will do.
        let p = compile_en("(exit plan|reversibility)").unwrap();
        assert!(p.may_match(&present_in("Reversibility is ensured.")));
        assert!(p.may_match(&present_in("An exit plan is delivered.")));
        assert!(!p.may_match(&present_in("A plan is delivered.")));
        // A prefix too short for a start bucket lets every word through; the other word of
        // the pattern still decides.
        let p = compile_en("li* fee").unwrap();
        assert!(p.may_match(&present_in("A lump sum fee.")));
        assert!(!p.may_match(&present_in("A licence is granted.")));
    }

    fn find(pattern: &str, text: &str) -> Vec<String> {
        let p = compile_en(pattern).unwrap();
        let n = normalise(text);
        let toks = tokenize(&n.text);
        let input = Input::new(&n.text, &toks, Lang::En);
        p.find_iter(&input, 0..toks.len())
            .into_iter()
            .map(|m| {
                let s = toks[m.start].start();
                let e = toks[m.end - 1].end();
                let mut t = n.text[s..e].to_string();
                if let Some(b) = m.brand {
                    t.push_str(&format!(" #{b}"));
                }
                t
            })
            .collect()
    }

    #[test]
    fn pattern_table() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "source code",
                "deliver the Source Code now",
                &["source code"],
            ),
            ("source code", "source of code", &[]),
            (
                "licen*",
                "a licence, licensed, LICENCES",
                &["licence", "licensed", "licences"],
            ),
            (
                "(shall|will|must) deliver",
                "it will deliver",
                &["will deliver"],
            ),
            (
                "(is owned by|belongs to) the",
                "it belongs to the Council",
                &["belongs to the"],
            ),
            (
                "the? supplier",
                "the supplier and supplier",
                &["the supplier", "supplier"],
            ),
            (
                "rights ... supplier",
                "rights remain with the supplier",
                &["rights remain with the supplier"],
            ),
            (
                "rights ...2 supplier",
                "rights remain with the supplier",
                &[],
            ),
            (
                "rights ...3 supplier",
                "rights remain with the supplier",
                &["rights remain with the supplier"],
            ),
            (
                "@supplier (retain*|keep*)",
                "the Service Provider retains",
                &["service provider retains"],
            ),
            ("@supplier keeps", "the vendors keeps", &["vendors keeps"]),
            (
                "~deliver",
                "delivered deliveries delivery",
                &["delivered", "deliveries", "delivery"],
            ),
            (
                "(remain|stay)* with",
                "remains with, stays with",
                &["remains with", "stays with"],
            ),
            (
                "@brand",
                "use Microsoft SharePoint or Oracle Database",
                &["microsoft sharepoint #0", "oracle database #1"],
            ),
            (
                "open-source",
                "open source and open-source",
                &["open source", "open-source"],
            ),
            ("d'auteur", "droits d’auteur", &["d'auteur"]),
            ("GRÖSSE", "die größe", &["grösse"]),
        ];
        for (pat, text, want) in cases {
            assert_eq!(find(pat, text), *want, "{pat} on {text}");
        }
    }

    #[test]
    fn bad_patterns_are_rejected() {
        let cases: &[(&str, &str)] = &[
            ("(a|b", "unbalanced parentheses: missing `)`"),
            ("a)", "unbalanced parentheses: unexpected `)`"),
            ("@nothing here", "unknown lexicon @nothing for language en"),
            ("a ...0 b", "gap \"...0\" must be 1 to 50 words"),
            ("(a|) b", "empty alternative in `( | )`"),
            (
                "a? ...",
                "pattern can match no words at all (everything is optional)",
            ),
            ("", "empty pattern"),
            ("a|b", "`|` outside parentheses"),
        ];
        for (pat, msg) in cases {
            let e = compile_en(pat).unwrap_err();
            assert_eq!(e.0, *msg, "{pat}");
        }
    }

    /// The clauses of `pattern`, each as its groups' anchor texts, sorted.
    fn clauses_of(pattern: &str) -> Vec<Vec<Vec<String>>> {
        let p = compile_en(pattern).unwrap();
        let mut out: Vec<Vec<Vec<String>>> = p
            .anchor_clauses()
            .iter()
            .map(|c| {
                let mut groups: Vec<Vec<String>> = c
                    .iter()
                    .map(|g| g.iter().map(|a| a.text.to_string()).collect())
                    .collect();
                groups.sort();
                groups
            })
            .collect();
        out.sort();
        out
    }

    fn owned(clauses: &[&[&[&str]]]) -> Vec<Vec<Vec<String>>> {
        clauses
            .iter()
            .map(|c| {
                c.iter()
                    .map(|g| g.iter().map(|a| a.to_string()).collect())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn frequent_words_are_not_first_anchors() {
        // "contractor" and "available" are longer than "escrow" and "sole" (length alone would
        // put them first) but in nearly every paragraph of a tender: the rarer word leads, the
        // frequent one is still required.
        let first = |pattern: &str| {
            let p = compile_en(pattern).unwrap();
            let clause = &p.anchor_clauses()[0];
            let texts = |k: usize| -> Vec<String> {
                clause[k].iter().map(|a| a.text.to_string()).collect()
            };
            (texts(0), clause.len())
        };
        assert_eq!(
            first("contractor ... escrow"),
            (vec!["escrow".to_string()], 2)
        );
        assert_eq!(first("available ... sole"), (vec!["sole".to_string()], 2));
        // A stem's prefix anchor that starts a frequent word is frequent too.
        assert!(is_frequent("contract", false) && is_frequent("servic", false));
        assert!(!is_frequent("escrow", true) && !is_frequent("escr", false));
    }

    #[test]
    fn anchors_prefer_rare_words() {
        // The cheapest group comes first: the prefilter indexes only its anchors.
        let p = compile_en("the (shall|will)? retain* ... copyright").unwrap();
        let first = &p.anchor_clauses()[0][0];
        assert_eq!(
            &**first,
            &[Anchor {
                text: "copyright".into(),
                whole_word: true
            }]
        );
        assert_eq!(clauses_of("~deliver"), owned(&[&[&["deliv"]]]));
        assert_eq!(clauses_of("source ..."), owned(&[&[&["source"]]]));
        // Every mandatory element's group ("shall" is optional); a lexicon is one group of one
        // word per phrase (lexicons are shared by many patterns: clauses per phrase would
        // multiply the prefilter's slots): its first, unless nearly every block holds that one
        // ("service provider" gives "provider"; first words alone let "service" through).
        assert_eq!(
            clauses_of("@supplier shall? (retain*|keep*) ... copyright"),
            owned(&[&[
                &["contractor", "provider", "supplier", "vendor"],
                &["copyright"],
                &["keep", "retain"],
            ]])
        );
    }

    #[test]
    fn alternatives_of_phrases_are_clauses() {
        // A block with "plan" but no "exit" is no candidate for "exit plan".
        assert_eq!(
            clauses_of("(exit plan|exit strategy|reversibility)"),
            owned(&[
                &[&["exit"], &["plan"]],
                &[&["exit"], &["strategy"]],
                &[&["reversibility"]],
            ])
        );
        // One-word alternatives stay one group: as precise, and one slot.
        assert_eq!(
            clauses_of("(source|object) code"),
            owned(&[&[&["code"], &["object", "source"]]])
        );
        // The cross product of two phrase groups. Common words ("of") are required too: the
        // prefilter marks their groups once per block, so they cost next to nothing.
        assert_eq!(
            clauses_of("(end of contract|contract expiry) ...8 (exit plan|handover)"),
            owned(&[
                &[&["contract"], &["end"], &["exit"], &["of"], &["plan"]],
                &[&["contract"], &["end"], &["handover"], &["of"]],
                &[&["contract"], &["exit"], &["expiry"], &["plan"]],
                &[&["contract"], &["expiry"], &["handover"]],
            ])
        );
        // An alternative without any literal word leaves the element without anchors.
        assert_eq!(
            clauses_of("(exit plan|...) handover"),
            owned(&[&[&["handover"]]])
        );
        // One-word alternatives are one clause; the phrases keep theirs.
        assert_eq!(
            clauses_of("(offboarding|exit plan|handback|reversibility)"),
            owned(&[
                &[&["exit"], &["plan"]],
                &[&["handback", "offboarding", "reversibility"]],
            ])
        );
        // Too many phrases: merged into one group of each one's cheapest anchor.
        let many: Vec<String> = (0..20).map(|i| format!("alpha{i:02} beta{i:02}")).collect();
        let merged = clauses_of(&format!("({})", many.join("|")));
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].len(), 1);
        assert_eq!(merged[0][0].len(), 20);
    }
}
