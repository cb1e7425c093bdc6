//! Segmentation: a [`Document`] cut into the units rules look at — clauses, blocks, sentences and
//! words.
//!
//! A [`Clause`] is a numbered clause ("7.3", "Article 12", "§ 4") or a heading-led section, with
//! its sub-paragraphs, list items and table cells, up to the next clause of the same or a higher
//! level. Blocks before the first clause form a preamble clause. Sentences and words are found in
//! the *normalised* text of a block (see [`crate::normalise`]); their byte ranges index that
//! normalised text, and [`crate::normalise::NormText::to_original`] maps them back.
//!
//! Design decision: segmentation is plain data computed once per document; words are runs of
//! letters, digits and combining marks, so `open-source` is the two words `open source` on both
//! the pattern and the text side, and apostrophes split (`l'auteur` is `l` `auteur`).

use std::ops::Range;

use crate::document::{Block, BlockKind, Document};
use crate::lang::Lang;
use crate::normalise::NormText;
#[cfg(test)]
use crate::normalise::normalise;

/// The largest char boundary of `s` at or below `i` (`s.len()` past its end).
pub fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The longest start of `s` of at most `max` bytes that ends on a char boundary.
pub fn prefix(s: &str, max: usize) -> &str {
    &s[..floor_char_boundary(s, max)]
}

/// A word: a byte range in normalised text. Offsets are 32-bit, which halves the memory of a
/// large document's words: the reading limits keep a whole document's text under 512 MiB by
/// default, and [`tokenize`] stops at 4 GiB should a raised limit let a block get that far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    start: u32,
    end: u32,
}

impl Token {
    /// The word at bytes `start..end`; `None` when an offset does not fit in 32 bits.
    pub fn new(start: usize, end: usize) -> Option<Token> {
        Some(Token {
            start: u32::try_from(start).ok()?,
            end: u32::try_from(end).ok()?,
        })
    }

    pub fn start(&self) -> usize {
        self.start as usize
    }

    pub fn end(&self) -> usize {
        self.end as usize
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start()..self.end()
    }

    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.range()).unwrap_or("")
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
}

/// Whether the character at byte `i` is a word character, and its length (a lone byte that is
/// not a character start counts as one non-word byte).
fn char_at(text: &str, i: usize) -> (bool, usize) {
    // Latin letters with diacritics (U+00C0 to U+017F, two bytes: the most common non-ASCII
    // characters of the languages read) are all letters but × and ÷.
    let bytes = text.as_bytes();
    if let (Some(&lead @ 0xc3..=0xc5), Some(&next)) = (bytes.get(i), bytes.get(i + 1)) {
        return (!(lead == 0xc3 && matches!(next, 0x97 | 0xb7)), 2);
    }
    text.get(i..)
        .and_then(|t| t.chars().next())
        .map_or((false, 1), |c| (is_word_char(c), c.len_utf8()))
}

/// Bytes [`tokenize`] looks at in one step.
const WINDOW: usize = 64;

/// Every byte's top bit.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// One bit per byte: the top bit of each byte of `m` (which has no other bits set), gathered
/// into the low eight bits, byte 0 in bit 0.
#[inline]
fn gather_top_bits(m: u64) -> u64 {
    // Byte i's bit, moved down to bit 8i, meets the multiplier's bit 56 - 7i at bit 56 + i; no
    // two other products land on one bit, so nothing carries into the top byte.
    ((m >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// The top bit of each byte of `w` that is an ASCII letter or digit.
#[inline]
fn ascii_alphanumeric(w: u64) -> u64 {
    const fn each(b: u8) -> u64 {
        u64::from_ne_bytes([b; 8])
    }
    // Seven-bit values: no sum below carries into the next byte.
    let x = w & !HIGH;
    // A byte is at least `lo` when `x + 0x80 - lo` has its top bit, more than `hi` when
    // `x + 0x7f - hi` has it. Letters are tested with the case bit set.
    let l = x | each(0x20);
    let letter = (l + each(0x80 - b'a')) & !(l + each(0x7f - b'z'));
    let digit = (x + each(0x80 - b'0')) & !(x + each(0x7f - b'9'));
    (letter | digit) & !w & HIGH
}

/// Where the `WINDOW` bytes from `at` are ASCII letters or digits (bit k for byte `at + k`) and,
/// when some are not ASCII, where those are. Bytes past the text count as separators.
#[inline]
fn window_masks(bytes: &[u8], at: usize) -> (u64, u64) {
    let mut padded = [0u8; WINDOW];
    let window: &[u8] = match bytes.get(at..at + WINDOW) {
        Some(w) => w,
        None => {
            let rest = bytes.get(at..).unwrap_or(&[]);
            if let Some(p) = padded.get_mut(..rest.len()) {
                p.copy_from_slice(rest);
            }
            &padded
        }
    };
    let mut word = 0u64;
    let mut any_high = 0u64;
    let mut high = 0u64;
    for (k, chunk) in window.chunks_exact(8).enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        let w = u64::from_le_bytes(b);
        word |= gather_top_bits(ascii_alphanumeric(w)) << (8 * k);
        any_high |= w & HIGH;
    }
    if any_high != 0 {
        for (k, chunk) in window.chunks_exact(8).enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            high |= gather_top_bits(u64::from_le_bytes(b) & HIGH) << (8 * k);
        }
    }
    (word, high)
}

/// Splits normalised text into words: maximal runs of word characters (letters, digits and
/// combining marks). The text is read 64 bytes at a time as bit masks of its ASCII letters and
/// digits, words found with bit scans; only non-ASCII characters are decoded, one at a time.
pub fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut out = Vec::with_capacity(n / 5);
    // The start of the word being read, if any.
    let mut start: Option<usize> = None;
    let mut base = 0;
    while base < n {
        let (word, high) = window_masks(bytes, base);
        let len = (n - base).min(WINDOW);
        if high == 0 {
            // All ASCII: a word starts at a letter or digit after a byte that is none (or
            // before the window, outside a word) and ends at the first byte after it that is
            // none. Starts and ends alternate.
            let before = (word << 1) | u64::from(start.is_some());
            let mut starts = word & !before;
            let mut ends = !word & before;
            if len < WINDOW {
                // Past the text: a word running to its end is ended below.
                ends &= (1u64 << len) - 1;
            }
            if let Some(s) = start.filter(|_| ends != 0) {
                match Token::new(s, base + ends.trailing_zeros() as usize) {
                    Some(t) => out.push(t),
                    None => return out,
                }
                ends &= ends - 1;
                start = None;
            }
            while starts != 0 {
                let s = base + starts.trailing_zeros() as usize;
                starts &= starts - 1;
                if ends == 0 {
                    // It runs on into the next window.
                    start = Some(s);
                    break;
                }
                match Token::new(s, base + ends.trailing_zeros() as usize) {
                    Some(t) => out.push(t),
                    None => return out,
                }
                ends &= ends - 1;
            }
            base += len;
            continue;
        }
        // Byte `base + k` is next; `k` may end past the window after a character that crosses
        // its end.
        let mut k = 0;
        while k < len {
            // The ASCII bytes up to the next non-ASCII one.
            let ascii = match high >> k {
                0 => len,
                h => (k + h.trailing_zeros() as usize).min(len),
            };
            while k < ascii {
                let rest = word >> k;
                match start {
                    Some(s) => {
                        // The word ends at the first byte that is not a letter or digit,
                        // unless that is the non-ASCII character after the stretch (decoded
                        // below).
                        let end = k + (!rest).trailing_zeros() as usize;
                        if end >= ascii {
                            k = ascii;
                        } else {
                            match Token::new(s, base + end) {
                                Some(t) => out.push(t),
                                None => return out,
                            }
                            start = None;
                            k = end;
                        }
                    }
                    None => {
                        let next = k + rest.trailing_zeros() as usize;
                        if next >= ascii {
                            k = ascii;
                        } else {
                            start = Some(base + next);
                            k = next;
                        }
                    }
                }
            }
            if k < len {
                let at = base + k;
                let (is_word, char_len) = char_at(text, at);
                match (is_word, start) {
                    (true, None) => start = Some(at),
                    (false, Some(s)) => {
                        match Token::new(s, at) {
                            Some(t) => out.push(t),
                            None => return out,
                        }
                        start = None;
                    }
                    _ => {}
                }
                k += char_len;
            }
        }
        base += k;
    }
    if let Some(t) = start.and_then(|s| Token::new(s, n)) {
        out.push(t);
    }
    out
}

/// Abbreviations (normalised, without the final dot) after which a full stop does not end a
/// sentence, for every language: legal texts mix them.
const ABBREVIATIONS: &[&str] = &[
    // en
    "art", "e.g", "i.e", "etc", "cf", "no", "nos", "vs", "viz", "para", "paras", "sect", "ch",
    "fig", "ref", "approx", "incl", "excl", "mr", "mrs", "ms", "dr", "prof", "st", "ltd", "inc",
    "co", "p", "pp", "vol", "ed", "eds", "al", "op", "cit", "ibid", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "min", "max", "annex",
    // fr
    "n°", "m", "mme", "mlle", "al", "cf", "chap", "éd", "env", "ex", "p.ex", "c.-à-d", "c.à.d",
    "av", "bd", "réf", "suiv", // de
    "z.b", "bzw", "ca", "d.h", "u.a", "usw", "vgl", "ggf", "inkl", "evtl", "abs", "nr", "ziff",
    "lit", "s", "gem", "sog", "u.u", "o.ä", "bspw", "zzgl", "abschn", "kap", "anl", "hrsg",
    // nl
    "bijv", "enz", "o.a", "m.a.w", "resp", "jo", "lid", "t.a.v", "i.p.v", "z.o.z", "blz", "nl",
    "dhr", "mevr", "mw", "o.b.v", "ivm", "i.v.m", "m.b.t",
];

/// No abbreviation is longer than this (a test checks).
const ABBREVIATION_MAX_BYTES: usize = 8;

fn is_abbreviation(word_with_dots: &str) -> bool {
    // Single letters ("A. Smith", "(a.") never end a sentence.
    let mut chars = word_with_dots.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return c.is_alphabetic();
    }
    // Longer words (most) need no look-up.
    if word_with_dots.len() > ABBREVIATION_MAX_BYTES {
        return false;
    }
    static SET: std::sync::LazyLock<
        std::collections::HashSet<&'static str, crate::rules::pattern::FxBuild>,
    > = std::sync::LazyLock::new(|| ABBREVIATIONS.iter().copied().collect());
    SET.contains(word_with_dots)
}

/// Sentences of a block as byte ranges in its normalised text. `original` is the block text
/// (used to see the case of the next word, which normalisation folded away).
///
/// A sentence ends at `.`, `!` or `?` followed by white space and an upper-case letter, a digit
/// or an opening quote or bracket, unless the word before the dot is an abbreviation
/// ("Art.", "z.B.", "e.g.", "n°", "Nr.") or the dot sits inside a number ("7.3").
pub fn sentences(norm: &NormText, original: &str, _lang: Lang) -> Vec<Range<usize>> {
    let text = &norm.text;
    let bytes = text.as_bytes();
    // Room for a sentence per 60 bytes, twice over: the checks add each sentence's word range
    // to the list, without a second allocation.
    let mut out = Vec::with_capacity(2 * (text.len() / 60 + 1));
    let mut start = 0;
    let mut i = 0;
    // From one sentence mark to the next (memchr: most bytes are none).
    while let Some(at) = bytes
        .get(i..)
        .and_then(|rest| memchr::memchr3(b'.', b'!', b'?', rest))
    {
        i += at;
        // Skip runs of closing punctuation ("etc.)", "end.\"").
        let mut end = i + 1;
        while end < bytes.len() && matches!(bytes[end], b'.' | b'!' | b'?' | b')' | b'"' | b'\'') {
            end += 1;
        }
        let followed_by_space = end < bytes.len() && bytes[end] == b' ';
        if followed_by_space && ends_sentence(norm, original, text, start, i, end) {
            out.push(start..end);
            start = end;
        }
        i = end;
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    if out.is_empty() {
        out.push(0..text.len());
    }
    out
}

fn ends_sentence(
    norm: &NormText,
    original: &str,
    text: &str,
    sent_start: usize,
    dot: usize,
    after: usize,
) -> bool {
    let bytes = text.as_bytes();
    if bytes[dot] == b'.' {
        // The word before the dot, with inner dots ("z.b", "e.g", "7.3").
        let before = &text[sent_start..dot];
        let word_start = before
            .rfind(|c: char| c.is_whitespace() || c == '(' || c == '"')
            .map_or(0, |p| p + 1);
        let word = &before[word_start..];
        if word.is_empty() {
            return false;
        }
        if is_abbreviation(word) {
            return false;
        }
        if word.chars().all(|c| c.is_ascii_digit() || c == '.') && word.len() <= 8 {
            // "Article 7. The" ends; "see 7.3. The" ends; but a lone clause number "7." at the
            // start of a block does not.
            if sent_start + word_start == 0 {
                return false;
            }
        }
    }
    // The next non-space character must look like a sentence start.
    let rest = &text[after..];
    let skip = rest.len() - rest.trim_start().len();
    let next_at = after + skip;
    if next_at >= text.len() {
        return false;
    }
    let orig_at = norm.original_offset(next_at);
    match original.get(orig_at..).and_then(|s| s.chars().next()) {
        Some(c) => {
            c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“' | '«' | '(' | '„')
        }
        None => false,
    }
}

/// A numbered clause or heading-led section: blocks `blocks` (indices into `Document::blocks`,
/// body blocks only, in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub number: Option<String>,
    /// 1 for "7" or a top heading, 2 for "7.3", ...; 0 for the preamble.
    pub level: u8,
    pub heading: Option<String>,
    pub blocks: Vec<usize>,
}

/// The level of a clause that starts at this block, or `None` when the block continues the
/// current clause (sub-paragraphs "(a)", "iv.", list items, table cells, plain paragraphs).
fn clause_level(kind: &BlockKind, number: Option<&str>) -> Option<u8> {
    let numeric = number.and_then(|n| {
        let n = n.trim();
        let digits =
            n.trim_start_matches(|c: char| c.is_alphabetic() || c == '.' || c == '§' || c == ' ');
        if digits.is_empty() || !digits.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let word_led = digits.len() != n.len();
        if word_led {
            return Some(1u8);
        }
        let depth = digits.split('.').filter(|p| !p.is_empty()).count();
        u8::try_from(depth).ok()
    });
    match kind {
        BlockKind::Heading { level } => Some(numeric.unwrap_or((*level).max(1))),
        BlockKind::Paragraph => numeric,
        _ => None,
    }
}

/// The clauses of a run of body blocks, as positions in that run: where each starts and which
/// one each block is in. Every block belongs to the clause started last before it (or at it), so
/// a clause is a run of consecutive blocks and so is its extent; nothing is kept per block
/// beyond its clause's number (a long tender has tens of thousands of numbered paragraphs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClauseMap<'a> {
    /// Per clause: the position of its first block, its level (0 for the preamble) and its
    /// number.
    pub starts: Vec<(usize, u8, Option<&'a str>)>,
    /// Per block: its clause.
    pub of_block: Vec<usize>,
}

impl<'a> ClauseMap<'a> {
    pub fn new(blocks: impl IntoIterator<Item = &'a Block>) -> Self {
        let mut map = ClauseMap::default();
        for (pos, b) in blocks.into_iter().enumerate() {
            match clause_level(&b.kind, b.clause.as_deref()) {
                Some(level) => map.starts.push((pos, level, b.clause.as_deref())),
                None if map.starts.is_empty() => map.starts.push((pos, 0, None)),
                None => {}
            }
            map.of_block.push(map.starts.len().saturating_sub(1));
        }
        map
    }

    /// The positions of clause `c`'s own blocks (up to the next clause).
    pub fn own(&self, c: usize) -> Range<usize> {
        self.span(c, c + 1)
    }

    /// The positions of clause `c` *with* its sub-clauses, up to the next clause of the same or
    /// a higher level: the unit `scope = "clause"` looks at.
    pub fn extent(&self, c: usize) -> Range<usize> {
        let mut next = c + 1;
        if let Some(&(_, level, _)) = self.starts.get(c)
            && level > 0
        {
            while self.starts.get(next).is_some_and(|s| s.1 > level) {
                next += 1;
            }
        }
        self.span(c, next)
    }

    /// From clause `c`'s first block to clause `next`'s (or the end).
    fn span(&self, c: usize, next: usize) -> Range<usize> {
        let start = self.starts.get(c).map_or(self.of_block.len(), |s| s.0);
        start..self.starts.get(next).map_or(self.of_block.len(), |s| s.0)
    }
}

/// The clauses of a document, in order; every body block belongs to exactly one (its innermost).
pub fn clauses(doc: &Document) -> Vec<Clause> {
    let body: Vec<(usize, &Block)> = doc.body().collect();
    let map = ClauseMap::new(body.iter().map(|(_, b)| *b));
    map.starts
        .iter()
        .enumerate()
        .map(|(c, &(at, level, number))| Clause {
            number: number.map(str::to_owned),
            level,
            heading: body
                .get(at)
                .filter(|(_, b)| level > 0 && matches!(b.kind, BlockKind::Heading { .. }))
                .map(|(_, b)| b.text.clone()),
            blocks: map
                .own(c)
                .filter_map(|p| body.get(p).map(|(i, _)| *i))
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Block, Format};

    fn words(s: &str) -> Vec<String> {
        let n = normalise(s);
        tokenize(&n.text)
            .iter()
            .map(|t| t.text(&n.text).to_string())
            .collect()
    }

    #[test]
    fn prefixes_end_on_char_boundaries() {
        assert_eq!(floor_char_boundary("aé", 2), 1);
        assert_eq!(floor_char_boundary("aé", 3), 3);
        assert_eq!(floor_char_boundary("aé", 99), 3);
        assert_eq!(prefix("aéb", 2), "a");
        assert_eq!(prefix("aéb", 3), "aé");
        assert_eq!(prefix("aéb", 0), "");
        assert_eq!(prefix("aéb", 99), "aéb");
    }

    #[test]
    fn token_offsets_are_32_bit() {
        let t = Token::new(3, 9).expect("small offsets fit");
        assert_eq!((t.start(), t.end(), t.range()), (3, 9, 3..9));
        assert_eq!(t.text("an example"), "exampl");
        assert_eq!(Token::new(0, 1 << 32), None);
        assert_eq!(std::mem::size_of::<Token>(), 8);
    }

    /// The definition, one character at a time: words are maximal runs of word characters.
    fn tokenize_by_chars(text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            match (is_word_char(c), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    out.extend(Token::new(s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.extend(Token::new(s, text.len()));
        }
        out
    }

    #[test]
    fn tokenizer_agrees_with_the_character_definition() {
        // Every mix of ASCII words, separators, accented letters, combining marks, CJK, symbols
        // and punctuation outside ASCII, at every position of the word.
        let pieces = [
            "a", "Z9", " ", ".", "-", "é", "\u{301}", "œuvre", "日本", "—", "€", "ß", "\u{a0}",
            "x", "ǅ", "٣", "’", "\n", "×", "÷", "č", "ſ", "À", "ÿ", "ƀ", "¿",
        ];
        let long_word = "w".repeat(70);
        let long_gap = " ".repeat(70);
        let pieces: Vec<&str> = pieces
            .iter()
            .copied()
            .chain([long_word.as_str(), long_gap.as_str(), "été", "0123456789"])
            .collect();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        // Every third text is ASCII only (windows without a character to decode).
        let ascii: Vec<&str> = pieces.iter().copied().filter(|p| p.is_ascii()).collect();
        for round in 0..6000 {
            let from = if round % 3 == 0 { &ascii } else { &pieces };
            let mut text = String::new();
            // Short texts, and texts across several of the tokenizer's 64-byte windows.
            for _ in 0..if round % 2 == 0 { 12 } else { 60 } {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(from[(seed % from.len() as u64) as usize]);
            }
            assert_eq!(tokenize(&text), tokenize_by_chars(&text), "{text:?}");
        }
    }

    #[test]
    fn the_window_masks_agree_with_a_byte_by_byte_test() {
        // Every byte value at every place of a window, among neighbours of every kind (a carry
        // from one byte into the next would show as a wrong bit beside it).
        let neighbours = [0u8, b' ', b'a', b'z', b'Z', b'9', 0x7f, 0x80, 0xc3, 0xff];
        let mut bytes = [0u8; WINDOW];
        for value in 0..=255u8 {
            for place in 0..WINDOW {
                for (i, b) in bytes.iter_mut().enumerate() {
                    *b = neighbours[(i + usize::from(value)) % neighbours.len()];
                }
                bytes[place] = value;
                let (word, high) = window_masks(&bytes, 0);
                for (i, &b) in bytes.iter().enumerate() {
                    assert_eq!(
                        word >> i & 1 == 1,
                        b.is_ascii_alphanumeric(),
                        "{value} at {place}, {i}"
                    );
                    assert_eq!(high >> i & 1 == 1, b >= 0x80, "{value} at {place}, {i}");
                }
            }
        }
        // A window past the end of the text: the missing bytes are separators.
        let (word, high) = window_masks(b"ab\xc3", 1);
        assert_eq!((word, high), (0b01, 0b10));
    }

    #[test]
    fn tokenizes_words() {
        let cases: &[(&str, &[&str])] = &[
            ("The open-source code", &["the", "open", "source", "code"]),
            ("l’auteur n’est", &["l", "auteur", "n", "est"]),
            ("Größe 7.3", &["grösse", "7", "3"]),
            ("E\u{301}tat", &["état"]),
            ("", &[]),
        ];
        for (input, want) in cases {
            assert_eq!(words(input), *want, "{input}");
        }
    }

    fn sents(s: &str) -> Vec<String> {
        let n = normalise(s);
        sentences(&n, s, Lang::En)
            .into_iter()
            .map(|r| n.text[r].trim().to_string())
            .collect()
    }

    #[test]
    fn abbreviations_fit_the_length_the_look_up_checks_first() {
        for a in ABBREVIATIONS {
            assert!(a.len() <= ABBREVIATION_MAX_BYTES, "{a}");
            assert!(is_abbreviation(a), "{a}");
        }
        assert!(!is_abbreviation("contractor"));
    }

    #[test]
    fn splits_sentences_around_abbreviations() {
        let cases: &[(&str, &[&str])] = &[
            ("One here. Two there.", &["one here.", "two there."]),
            (
                "See Art. 7 of the contract. Then stop.",
                &["see art. 7 of the contract.", "then stop."],
            ),
            ("Formats, e.g. ODF. Next.", &["formats, e.g. odf.", "next."]),
            (
                "Die Rechte, z.B. Nutzungsrechte, bzw. Lizenzen. Neu.",
                &["die rechte, z.b. nutzungsrechte, bzw. lizenzen.", "neu."],
            ),
            (
                "As per clause 7.3 the rule applies.",
                &["as per clause 7.3 the rule applies."],
            ),
            ("Voir n° 4. Puis.", &["voir n° 4.", "puis."]),
            ("Gemäß Nr. 5 gilt. Ende.", &["gemäss nr. 5 gilt.", "ende."]),
            ("lower case. continues", &["lower case. continues"]),
            ("Software etc. Are fine", &["software etc. are fine"]),
            ("7. The first clause.", &["7. the first clause."]),
            ("Is it? Yes!", &["is it?", "yes!"]),
        ];
        for (input, want) in cases {
            assert_eq!(sents(input), *want, "{input}");
        }
    }

    #[test]
    fn clauses_run_to_the_next_clause_of_same_or_higher_level() {
        let mut doc = Document::new("t.txt", Format::Text);
        let mk = |kind, text: &str, clause: Option<&str>| {
            let mut b = Block::new(kind, text);
            b.clause = clause.map(str::to_string);
            b
        };
        doc.blocks = vec![
            mk(BlockKind::Paragraph, "Preamble", None),
            mk(BlockKind::Heading { level: 1 }, "7 Rights", Some("7")),
            mk(BlockKind::Paragraph, "7.1 First", Some("7.1")),
            mk(BlockKind::ListItem { level: 0 }, "(a) item", Some("(a)")),
            mk(BlockKind::Paragraph, "7.2 Second", Some("7.2")),
            mk(
                BlockKind::TableCell {
                    table: 0,
                    row: 0,
                    col: 0,
                },
                "cell",
                None,
            ),
            mk(BlockKind::Footer, "page 3", None),
            mk(BlockKind::Paragraph, "Article 8 Exit", Some("Article 8")),
        ];
        let cs = clauses(&doc);
        let summary: Vec<(Option<&str>, u8, Vec<usize>)> = cs
            .iter()
            .map(|c| (c.number.as_deref(), c.level, c.blocks.clone()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (None, 0, vec![0]),
                (Some("7"), 1, vec![1]),
                (Some("7.1"), 2, vec![2, 3]),
                (Some("7.2"), 2, vec![4, 5]),
                (Some("Article 8"), 1, vec![7]),
            ]
        );
        // Extents in body positions (the footer, block 6, is not in the body).
        let body: Vec<&Block> = doc.body().map(|(_, b)| b).collect();
        let map = ClauseMap::new(body.iter().copied());
        assert_eq!(map.of_block, vec![0, 1, 2, 2, 3, 3, 4]);
        assert_eq!(map.extent(1), 1..6);
        assert_eq!(map.extent(2), 2..4);
        assert_eq!(map.extent(0), 0..1);
        assert_eq!(map.extent(4), 6..7);
        assert_eq!(map.own(1), 1..2);
        assert_eq!(cs[1].heading.as_deref(), Some("7 Rights"));
        assert_eq!(cs[2].heading, None);
    }
}
