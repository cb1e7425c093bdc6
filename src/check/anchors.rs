//! The prefilter's automaton: every anchor word and word prefix of every pattern of one
//! language's rules in one trie, walked from the first byte of each word of a block.
//!
//! Anchors never start inside a word, so the search is anchored at word starts and needs no
//! failure links: this is the goto function of an Aho-Corasick automaton without the rest.
//! Measured on the 10 MB matching benchmark with callgrind: the `aho-corasick` crate's
//! overlapping search over the block text took 770 M instructions (855 M for the whole candidate
//! step), one anchored overlapping search per word 965 M for the step, and a walk over sorted
//! edge lists 128 M (674 M for the step; the rest is the per-pattern bookkeeping).
//!
//! The trie is frozen into one dense row of transitions per node over byte classes (each byte
//! that occurs in an anchor, plus one class for all others), so each byte of a word is one table
//! look-up; a flag in the transition tells whether anchors end at the node.
//!
//! Most words of a tender are anchors of some rule ("contractor", "shall", "on"), so most walks
//! go to the end of the word: about 200 instructions a word. A [`WordCache`] keeps each distinct
//! word's anchors, found by the word's hash: a tender's words repeat (Zipf), and one look-up
//! costs a fraction of a walk.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::rules::pattern::{bucket, same_word, word_hash_bytes};

/// Source of [`WordTrie::uid`].
static NEXT_UID: AtomicU64 = AtomicU64::new(1);

/// A uid no trie has had.
fn next_uid() -> u64 {
    NEXT_UID.fetch_add(1, Ordering::Relaxed)
}

/// The anchors of a trie under construction.
#[derive(Debug, Clone, Default)]
pub struct WordTrieBuilder {
    /// (text, id, whole word)
    anchors: Vec<(std::sync::Arc<str>, u32, bool)>,
}

impl WordTrieBuilder {
    /// Adds anchor `id`: the word `text`, matched as a whole word or as a word prefix. An empty
    /// text is ignored: it would match every word.
    pub fn insert(&mut self, text: std::sync::Arc<str>, id: u32, whole_word: bool) {
        if !text.is_empty() {
            self.anchors.push((text, id, whole_word));
        }
    }

    /// The dense automaton.
    pub fn build(&self) -> WordTrie {
        // Byte classes: every byte that occurs in an anchor gets a class of its own; class 0 is
        // every other byte, and its transitions are all dead.
        let mut classes = [0u8; 256];
        let mut used = [false; 256];
        for (text, _, _) in &self.anchors {
            for &b in text.as_bytes() {
                used[usize::from(b)] = true;
            }
        }
        let mut stride = 1usize;
        for (b, u) in used.iter().enumerate() {
            if *u {
                // Anchors are UTF-8, which uses at most 243 byte values: every class fits.
                classes[b] = u8::try_from(stride).unwrap_or(u8::MAX);
                stride += 1;
            }
        }
        // At most one node per anchor byte (and the root): reserving that much keeps the table
        // from being copied as it grows; the pages never written are never touched.
        let bound = 1 + self.anchors.iter().map(|(t, _, _)| t.len()).sum::<usize>();
        let mut trans = Vec::with_capacity(bound.saturating_mul(stride));
        trans.resize(stride, 0u32);
        // (node, prefix anchors before word anchors, id)
        let mut ends: Vec<(u32, bool, u32)> = Vec::with_capacity(self.anchors.len());
        for (text, id, whole_word) in &self.anchors {
            let mut node = 0usize;
            for &b in text.as_bytes() {
                let at = node * stride + usize::from(classes[usize::from(b)]);
                let next = trans[at];
                node = if next != 0 {
                    next as usize
                } else {
                    let new = trans.len() / stride;
                    // Offsets must stay below the flag bit. Stopping early only makes the anchor
                    // a shorter prefix: more candidates, never fewer.
                    let Some(new32) = u32::try_from(new)
                        .ok()
                        .filter(|_| (new + 1) * stride < HAS_IDS as usize)
                    else {
                        break;
                    };
                    trans[at] = new32;
                    trans.resize(trans.len() + stride, 0);
                    new
                };
            }
            if let Ok(node) = u32::try_from(node) {
                ends.push((node, *whole_word, *id));
            }
        }
        ends.sort_unstable();
        ends.dedup();
        let nodes = trans.len() / stride;
        let mut flat = Vec::with_capacity(ends.len());
        let mut ids = Vec::with_capacity(nodes);
        let mut has_ids = vec![false; nodes];
        let mut e = 0;
        for (node, has) in has_ids.iter_mut().enumerate() {
            let start = u32::try_from(flat.len()).unwrap_or(u32::MAX);
            let mut prefixes = 0u32;
            while let Some(&(n, whole_word, id)) = ends.get(e) {
                if n as usize != node {
                    break;
                }
                if !whole_word {
                    prefixes += 1;
                }
                flat.push(id);
                *has = true;
                e += 1;
            }
            ids.push((start, prefixes));
        }
        // Transitions hold the target row's offset (node times stride), with a flag for nodes
        // where anchors end: most steps need neither a multiplication nor a look at `ids`.
        for t in &mut trans {
            if *t != 0 {
                let node = *t as usize;
                let off = u32::try_from(node * stride).unwrap_or(0) & !HAS_IDS;
                *t = if has_ids[node] { off | HAS_IDS } else { off };
            }
        }
        WordTrie {
            uid: next_uid(),
            classes,
            recip: (1u64 << RECIP_SHIFT).div_ceil(stride as u64),
            trans,
            ids,
            flat,
        }
    }
}

/// Flag of a transition into a node where anchors end.
const HAS_IDS: u32 = 1 << 31;

const RECIP_SHIFT: u32 = 32;

/// A frozen byte trie over anchors, one dense row of transitions per node. Node 0 is the root;
/// transition 0 is dead (no node points back at the root).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct WordTrie {
    /// Tells tries apart for [`WordCache`] (a clone keeps it: it finds the same anchors; a
    /// trie read from a snapshot gets a new one).
    #[serde(skip, default = "next_uid")]
    uid: u64,
    #[serde(with = "crate::ruleset::shared::bytes256")]
    classes: [u8; 256],
    /// `ceil(2^RECIP_SHIFT / stride)`, `stride` being the number of byte classes. A node's
    /// offset times this, shifted down, is the node's index: offsets are exact multiples of the
    /// stride below 2^31, so the product fits in 64 bits and is off by less than one. This
    /// spares a division at every node where anchors end.
    recip: u64,
    #[serde(with = "sparse")]
    trans: Vec<u32>,
    /// Per node: where its anchors start in `flat`, and how many of them are prefix anchors
    /// (the word anchors follow up to the next node's start).
    ids: Vec<(u32, u32)>,
    flat: Vec<u32>,
}

/// The transition table in a snapshot: its length and the non-zero entries, each after the run
/// of zeros before it (most rows are nearly all dead transitions: the English rules' table has
/// 179 K entries, 5.4 K of them not dead).
mod sparse {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Longest table a snapshot may ask for (far above any real one: 217 K entries for the
    /// German rules, the largest), so that a damaged file cannot ask for gigabytes.
    const MAX_LEN: usize = 1 << 26;

    pub fn serialize<S: Serializer>(v: &[u32], s: S) -> Result<S::Ok, S::Error> {
        let mut runs: Vec<(u32, u32)> = Vec::new();
        let mut zeros = 0u32;
        for &x in v {
            if x == 0 {
                zeros += 1;
            } else {
                runs.push((zeros, x));
                zeros = 0;
            }
        }
        (v.len(), runs).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u32>, D::Error> {
        let (len, runs): (usize, Vec<(u32, u32)>) = Deserialize::deserialize(d)?;
        if len > MAX_LEN {
            return Err(D::Error::custom(format!("a table of {len} entries")));
        }
        let mut v = vec![0u32; len];
        let mut at = 0usize;
        for (zeros, x) in runs {
            at += zeros as usize;
            *v.get_mut(at)
                .ok_or_else(|| D::Error::custom("a table entry past its end"))? = x;
            at += 1;
        }
        Ok(v)
    }
}

impl Default for WordTrie {
    fn default() -> Self {
        WordTrieBuilder::default().build()
    }
}

impl WordTrie {
    /// Calls `f` with every anchor that `word` starts with (prefix anchors) or equals (word
    /// anchors).
    #[inline]
    pub fn walk(&self, word: &[u8], mut f: impl FnMut(u32)) {
        let mut off = 0usize;
        for (i, &b) in word.iter().enumerate() {
            let class = usize::from(self.classes[usize::from(b)]);
            let next = self.trans.get(off + class).copied().unwrap_or(0);
            if next == 0 {
                return;
            }
            off = (next & !HAS_IDS) as usize;
            if next & HAS_IDS == 0 {
                continue;
            }
            let node = ((off as u64 * self.recip) >> RECIP_SHIFT) as usize;
            let (start, prefixes) = self.ids.get(node).copied().unwrap_or((0, 0));
            let end = self
                .ids
                .get(node + 1)
                .map_or(self.flat.len(), |r| r.0 as usize);
            let start = start as usize;
            let upto = if i + 1 == word.len() {
                end
            } else {
                start + prefixes as usize
            };
            for &id in self.flat.get(start..upto).unwrap_or(&[]) {
                f(id);
            }
        }
    }

    /// Nodes and byte classes.
    #[cfg(test)]
    fn size(&self) -> (usize, usize) {
        let stride = self.classes.iter().max().map_or(1, |&c| usize::from(c) + 1);
        (self.ids.len(), stride)
    }
}

/// The anchors of words already walked in one trie, in a direct-mapped table indexed by the
/// word's hash: a word replaces the one in its slot. A slot holds all a look-up needs in 32
/// bytes (half a cache line): the hash, the word (up to `Slot::INLINE` bytes, longer ones in
/// a side buffer), its start bucket and where its anchors are; so a word without anchors
/// costs one memory access, and its bytes are compared only when the hashes agree. Bounded:
/// the table has `WordCache::SLOTS` slots, and the long words and anchors it keeps start
/// again empty past `WordCache::MAX_BYTES` bytes. Kept per thread and reused across blocks
/// and documents.
#[derive(Debug, Default)]
pub struct WordCache {
    /// The trie the entries were walked in; 0 (no trie's uid) for a new cache, whose table is
    /// not allocated yet.
    owner: u64,
    slots: Vec<Slot>,
    /// The bytes of the words longer than [`Slot::INLINE`].
    long: Vec<u8>,
    ids: Vec<u32>,
}

/// One word of a [`WordCache`].
#[derive(Debug, Clone, Copy)]
#[repr(C, align(32))]
struct Slot {
    hash: u64,
    /// The word's bytes, zero-padded; for a longer word, its start in [`WordCache::long`]
    /// (the first four bytes, little-endian).
    word: [u8; Slot::INLINE],
    /// Start of its anchors in [`WordCache::ids`].
    ids: u32,
    /// How many anchors.
    n_ids: u8,
    bucket: u8,
    /// The word's length in bytes; [`Slot::EMPTY`] for no word.
    len: u16,
}

impl Slot {
    const INLINE: usize = 16;
    const EMPTY: u16 = u16::MAX;
    const NONE: Slot = Slot {
        hash: 0,
        word: [0; Slot::INLINE],
        ids: 0,
        n_ids: 0,
        bucket: 0,
        len: Slot::EMPTY,
    };

    /// A longer word's start in [`WordCache::long`], kept in the first bytes of `word`.
    #[inline]
    fn long_at(&self) -> usize {
        let [a, b, c, d, ..] = self.word;
        u32::from_le_bytes([a, b, c, d]) as usize
    }

    fn set_long_at(&mut self, at: u32) {
        self.word[..4].copy_from_slice(&at.to_le_bytes());
    }
}

impl WordCache {
    const SLOT_BITS: u32 = 13;
    const SLOTS: usize = 1 << Self::SLOT_BITS;
    const MAX_BYTES: usize = 1 << 20;

    /// The [`crate::rules::pattern::word_hash`] and [`bucket`] of `word` (which the rules'
    /// matching needs too) and its anchors in `trie`, in the order [`WordTrie::walk`] gives
    /// them.
    ///
    /// The cache must be [`WordCache::serve`]d for `trie` first; `word` is whole characters.
    #[inline]
    pub fn lookup(&mut self, trie: &WordTrie, word: &[u8]) -> (u64, u8, &[u32]) {
        let h = word_hash_bytes(word);
        // The top bits: the low bits of a multiplicative hash depend only on the low bytes.
        let slot = (h >> (64 - Self::SLOT_BITS)) as usize;
        if let Some(s) = self.slots.get(slot)
            && s.hash == h
            && usize::from(s.len) == word.len()
            && self.holds(s, word)
        {
            let (at, n) = (s.ids as usize, usize::from(s.n_ids));
            return (h, s.bucket, self.ids.get(at..at + n).unwrap_or(&[]));
        }
        self.insert(trie, word, h, slot)
    }

    /// True when slot `s`, of `word`'s length, holds `word`.
    #[inline]
    fn holds(&self, s: &Slot, word: &[u8]) -> bool {
        match s.word.get(..word.len()) {
            Some(inline) => same_word(inline, word),
            None => {
                let at = s.long_at();
                self.long
                    .get(at..at + word.len())
                    .is_some_and(|w| same_word(w, word))
            }
        }
    }

    /// Makes the cache serve look-ups in `trie` (emptied if it kept another trie's words).
    #[inline]
    pub fn serve(&mut self, trie: &WordTrie) {
        if self.owner != trie.uid {
            self.clear();
            self.owner = trie.uid;
        }
    }

    /// Walks `word` and keeps it in `slot` (unless it is longer than a slot can say, or has
    /// more anchors: it is then walked at every look-up).
    #[cold]
    fn insert(&mut self, trie: &WordTrie, bytes: &[u8], h: u64, slot: usize) -> (u64, u8, &[u32]) {
        let b = bucket(std::str::from_utf8(bytes).unwrap_or(""));
        if self.long.len() + bytes.len() > Self::MAX_BYTES || self.ids.len() >= Self::MAX_BYTES {
            self.clear();
        }
        let is = self.ids.len();
        let ids = &mut self.ids;
        trie.walk(bytes, |id| ids.push(id));
        let n_ids = self.ids.len() - is;
        // The bounds above keep every offset far below `u32::MAX`.
        let fits = |x: usize| u32::try_from(x).ok();
        let mut s = Slot {
            hash: h,
            word: [0; Slot::INLINE],
            ids: fits(is).unwrap_or(0),
            n_ids: u8::try_from(n_ids).unwrap_or(0),
            bucket: b,
            len: u16::try_from(bytes.len()).unwrap_or(Slot::EMPTY),
        };
        let keep = s.len != Slot::EMPTY && usize::from(s.n_ids) == n_ids;
        if let Some(inline) = s.word.get_mut(..bytes.len()) {
            inline.copy_from_slice(bytes);
        } else if keep && let Some(at) = fits(self.long.len()) {
            s.set_long_at(at);
            self.long.extend_from_slice(bytes);
        }
        if keep && let Some(place) = self.slots.get_mut(slot) {
            *place = s;
        }
        (h, b, self.ids.get(is..).unwrap_or(&[]))
    }

    fn clear(&mut self) {
        self.slots.clear();
        self.slots.resize(Self::SLOTS, Slot::NONE);
        self.long.clear();
        self.ids.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pattern::word_hash;

    /// A trie of `(text, id, whole word)` anchors.
    fn trie(anchors: &[(&str, u32, bool)]) -> WordTrie {
        let mut b = WordTrieBuilder::default();
        for &(text, id, whole_word) in anchors {
            b.insert(text.into(), id, whole_word);
        }
        b.build()
    }

    /// The anchors `cache` gives for `word` in `t`.
    fn cached(cache: &mut WordCache, t: &WordTrie, word: &str) -> Vec<u32> {
        cache.serve(t);
        cache.lookup(t, word.as_bytes()).2.to_vec()
    }

    fn found(t: &WordTrie, word: &str) -> Vec<u32> {
        let mut v = Vec::new();
        t.walk(word.as_bytes(), |id| v.push(id));
        v.sort_unstable();
        v
    }

    #[test]
    fn finds_word_and_prefix_anchors() {
        let t = trie(&[
            ("licen", 1, false),
            ("licence", 2, true),
            ("lic", 3, false),
            ("source", 4, true),
            ("œuvre", 5, true),
            ("licence", 6, false),
            ("", 7, false),
            ("licence", 2, true),
        ]);
        assert_eq!(found(&t, "licence"), vec![1, 2, 3, 6]);
        assert_eq!(found(&t, "licences"), vec![1, 3, 6]);
        assert_eq!(found(&t, "lice"), vec![3]);
        assert_eq!(found(&t, "li"), Vec::<u32>::new());
        assert_eq!(found(&t, "sources"), Vec::<u32>::new());
        assert_eq!(found(&t, "source"), vec![4]);
        assert_eq!(found(&t, "œuvre"), vec![5]);
        assert_eq!(found(&t, "xyz"), Vec::<u32>::new());
        assert_eq!(found(&t, ""), Vec::<u32>::new());
        // Bytes that no anchor uses fall into the dead class.
        assert_eq!(found(&t, "l\u{e9}"), Vec::<u32>::new());
        // The dead class and one per byte used: l i c e n s o u r v and the two bytes of œ.
        assert_eq!(t.size().1, 13);
    }

    #[test]
    fn node_index_by_reciprocal_is_exact() {
        for stride in 1u64..=257 {
            let recip = (1u64 << RECIP_SHIFT).div_ceil(stride);
            let max = (u64::from(HAS_IDS) - 1) / stride;
            for k in (0..64).chain(max - 64..=max).chain((0..max).step_by(9973)) {
                assert_eq!((k * stride * recip) >> RECIP_SHIFT, k, "stride {stride}");
            }
        }
    }

    #[test]
    fn the_word_cache_gives_what_the_walk_gives() {
        let t = trie(&[
            ("licen", 1, false),
            ("licence", 2, true),
            ("source", 4, true),
            ("œuvre", 5, true),
        ]);
        let other = trie(&[("source", 9, false)]);
        let mut cache = WordCache::default();
        // Far more distinct words than slots: words share slots and replace each other, and
        // the table is looked at again after each replacement.
        // Some longer than a slot holds (kept apart), across the boundary.
        let words: Vec<String> = (0..3 * WordCache::SLOTS)
            .map(|i| match i % 5 {
                0 => format!("licence{i}"),
                1 => "licence".to_string(),
                2 => format!("w{i}"),
                3 => format!("licence{}{i}", "x".repeat(i % 24)),
                _ => "œuvre".to_string(),
            })
            .collect();
        for round in 0..2 {
            for w in &words {
                let expected = found(&t, w);
                cache.serve(&t);
                let (h, b, got) = cache.lookup(&t, w.as_bytes());
                assert_eq!((h, b), (word_hash(w), bucket(w)), "{w}");
                let mut got = got.to_vec();
                got.sort_unstable();
                assert_eq!(got, expected, "{w} in round {round}");
            }
        }
        // Another trie: nothing of the first one is reused.
        assert_eq!(cached(&mut cache, &other, "sources"), [9]);
        assert_eq!(cached(&mut cache, &t, "sources"), [] as [u32; 0]);
        assert_eq!(cached(&mut cache, &t, "source"), [4]);
    }

    #[test]
    fn words_compare_equal_only_when_equal() {
        let words = [
            "",
            "a",
            "ab",
            "abcdefg",
            "abcdefgh",
            "abcdefgi",
            "abcdefghi",
            "bbcdefghi",
            "abcdefghijklmnop",
            "abcdefghijklmnoq",
            "xbcdefghijklmnop",
            "abcdefghijklmnopq",
            "abcdefghijklmnopr",
            "œuvre",
            "œuvres",
        ];
        for a in words {
            for b in words {
                assert_eq!(same_word(a.as_bytes(), b.as_bytes()), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn the_word_cache_stays_bounded() {
        let t = trie(&[("w", 1, false)]);
        let mut cache = WordCache::default();
        let long = "w".repeat(1000);
        for i in 0..3000 {
            let w = format!("{long}{i}");
            assert_eq!(cached(&mut cache, &t, &w), [1]);
            assert!(cache.long.len() <= WordCache::MAX_BYTES);
            assert!(cache.ids.len() <= WordCache::MAX_BYTES);
        }
        assert_eq!(cache.slots.len(), WordCache::SLOTS);
        // A word longer than a slot can say is walked at every look-up, and answers the same.
        let huge = "w".repeat(70_000);
        assert_eq!(cached(&mut cache, &t, &huge), [1]);
        assert_eq!(cached(&mut cache, &t, &huge), [1]);
        assert!(cache.slots.iter().all(|s| usize::from(s.len) != huge.len()));
    }

    #[test]
    fn empty_trie_finds_nothing() {
        let t = WordTrie::default();
        assert_eq!(found(&t, "anything"), Vec::<u32>::new());
    }
}
