//! Normalisation for matching, with an offset map back to the original text.
//!
//! Rules match words of the *normalised* text: Unicode NFKC, full case folding (`ß` and `ẞ`
//! become `ss`, so `GRÖSSE` matches `größe`), curly quotes and apostrophes unified to `'`/`"`,
//! dash variants to `-`, every kind of space (no-break, thin, narrow, line breaks) to a plain
//! space, soft hyphens and zero-width characters removed, and line-end hyphenation inside a block
//! ("inter-\nnational") joined. Accents are kept.
//!
//! This module owns only the text transformation and its offset map; it knows nothing about words
//! or rules. The design decision: normalisation works on *units* (an ASCII byte, or a base
//! character with its combining marks), and every output byte remembers the original byte range
//! of the unit that produced it. Mapping a normalised range back is then a lookup that always
//! lands on original character boundaries, so highlights and replacement spans are exact. Rule
//! patterns go through the same function, so both sides fold the same way.

use std::ops::Range;

use caseless::Caseless;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Normalised text and, for each of its bytes, the original byte range of the unit it came from.
///
/// Byte `i` of the normalised text came from the original range `map(i)..end(i)`; both are on
/// char boundaries of the original and non-decreasing. The map is kept as segments, not per
/// byte: most text is plain ASCII that maps one to one (one segment for a whole run), and only
/// characters that change length or fold get a segment of their own. A 10 MB tender needed
/// 160 MB for a per-byte map; the segments of a mostly-ASCII block take a few hundred bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NormText {
    pub text: String,
    /// Sorted by `norm`; each covers the normalised bytes up to the next one's `norm`. Bytes
    /// before the first one (all of them when there is none) came one to one from the same
    /// offsets: a block of plain ASCII text needs no segment, and no allocation.
    segs: Vec<Seg>,
    original_len: usize,
}

/// A stretch of normalised bytes that starts at `norm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seg {
    norm: usize,
    /// The original offset of the first byte.
    orig: usize,
    /// `None`: byte `norm + k` came from original byte `orig + k` alone. `Some(end)`: every
    /// byte came from the unit `orig..end` (a character with its marks, a folded `ß`, ...).
    unit_end: Option<usize>,
}

impl NormText {
    /// The original byte range that produced the normalised range `range`. The result is always
    /// inside the original text and on its char boundaries; an out-of-range input is clamped.
    pub fn to_original(&self, range: Range<usize>) -> Range<usize> {
        let len = self.text.len();
        let start = range.start.min(len);
        let end = range.end.min(len).max(start);
        if start == end {
            let at = self.original_offset(start);
            return at..at;
        }
        let s = self.original_offset(start);
        let e = self.end(end - 1);
        s..e.max(s)
    }

    fn seg(&self, at: usize) -> Option<Seg> {
        if at >= self.text.len() {
            return None;
        }
        let i = self.segs.partition_point(|s| s.norm <= at);
        match i.checked_sub(1) {
            Some(i) => self.segs.get(i).copied(),
            // Before the first segment: byte for byte from the start.
            None => Some(Seg {
                norm: 0,
                orig: 0,
                unit_end: None,
            }),
        }
    }

    /// The original offset of normalised byte `at` (the end of the original for `at == len`).
    pub fn original_offset(&self, at: usize) -> usize {
        match self.seg(at) {
            Some(s) if s.unit_end.is_none() => s.orig + (at - s.norm),
            Some(s) => s.orig,
            None => self.original_len,
        }
    }

    /// The original end offset of the unit that produced normalised byte `at`.
    fn end(&self, at: usize) -> usize {
        match self.seg(at) {
            Some(s) => s.unit_end.unwrap_or(s.orig + (at - s.norm) + 1),
            None => self.original_len,
        }
    }

    /// True when normalised byte offset `at` starts a unit (or is the end): ranges whose ends are
    /// unit boundaries round-trip exactly.
    pub fn is_unit_boundary(&self, at: usize) -> bool {
        at == 0
            || at >= self.text.len()
            || self.original_offset(at) != self.original_offset(at - 1)
            || self.end(at) != self.end(at - 1)
    }

    /// Appends `s`, byte `k` of which came from original byte `orig + k`.
    fn push_one_to_one(&mut self, s: &str, orig: usize) {
        let norm = self.text.len();
        let continues = match self.segs.last() {
            Some(l) => l.unit_end.is_none() && l.orig + (norm - l.norm) == orig,
            // The implicit segment from the start (see `segs`).
            None => norm == orig,
        };
        if !continues {
            self.segs.push(Seg {
                norm,
                orig,
                unit_end: None,
            });
        }
        self.text.push_str(s);
    }

    fn push_char(&mut self, c: char, unit: Range<usize>) {
        let mut buf = [0u8; 4];
        let s = c.encode_utf8(&mut buf);
        if unit.len() == 1 && s.len() == 1 {
            self.push_one_to_one(s, unit.start);
            return;
        }
        self.segs.push(Seg {
            norm: self.text.len(),
            orig: unit.start,
            unit_end: Some(unit.end),
        });
        self.text.push(c);
    }
}

/// What the special-character table does with one character.
enum Special {
    Remove,
    To(char),
    Keep,
}

fn special(c: char) -> Special {
    match c {
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => {
            Special::Remove
        }
        '\t'
        | '\n'
        | '\r'
        | '\u{0B}'
        | '\u{0C}'
        | '\u{85}'
        | '\u{A0}'
        | '\u{1680}'
        | '\u{2000}'..='\u{200A}'
        | '\u{2028}'
        | '\u{2029}'
        | '\u{202F}'
        | '\u{205F}'
        | '\u{3000}' => Special::To(' '),
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{2035}' | '\u{B4}'
        | '\u{2BC}' | '\u{FF07}' | '`' => Special::To('\''),
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{2036}' | '\u{AB}'
        | '\u{BB}' | '\u{2039}' | '\u{203A}' | '\u{FF02}' => Special::To('"'),
        '\u{2010}'..='\u{2015}'
        | '\u{2212}'
        | '\u{2043}'
        | '\u{FE58}'
        | '\u{FE63}'
        | '\u{FF0D}' => Special::To('-'),
        _ => Special::Keep,
    }
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{00AD}' | '\u{2010}' | '\u{2011}')
}

/// If a hyphen at `at` ends a line inside a word ("inter-\nnational"), the offset where the
/// word continues; `None` otherwise. Needs a letter before and a lower-case letter after.
fn hyphenation_join(input: &str, at: usize, prev: Option<char>) -> Option<usize> {
    if !prev.is_some_and(char::is_alphabetic) {
        return None;
    }
    let hyphen = input[at..].chars().next()?;
    let mut i = at + hyphen.len_utf8();
    let rest = &input[i..];
    let mut saw_newline = false;
    for c in rest.chars() {
        match c {
            ' ' | '\t' | '\r' => i += c.len_utf8(),
            '\n' | '\u{2028}' | '\u{85}' if !saw_newline => {
                saw_newline = true;
                i += c.len_utf8();
            }
            c if saw_newline && c.is_lowercase() => return Some(i),
            _ => return None,
        }
    }
    None
}

/// Normalises `input` for matching (see the module docs).
pub fn normalise(input: &str) -> NormText {
    let mut out = NormText {
        text: String::with_capacity(input.len()),
        segs: Vec::new(),
        original_len: input.len(),
    };
    let bytes = input.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Fast path: a run of plain ASCII (no hyphen, no white space other than ' ', no
        // backquote) maps byte for byte, lower-cased. The last byte of a run stays for the slow
        // path when a combining mark follows it.
        let mut j = plain_ascii_run(bytes, i);
        while j < bytes.len() && is_plain_ascii(bytes[j]) {
            j += 1;
        }
        if j < bytes.len() && j > i && bytes[j] >= 0x80 && starts_with_mark(&input[j..]) {
            j -= 1;
        }
        if j > i {
            let at = out.text.len();
            out.push_one_to_one(&input[i..j], i);
            out.text[at..].make_ascii_lowercase();
            i = j;
            continue;
        }
        let b = bytes[i];
        if b.is_ascii() {
            let next_is_mark = bytes
                .get(i + 1)
                .is_some_and(|&n| n >= 0x80 && starts_with_mark(&input[i + 1..]));
            if !next_is_mark {
                if b == b'-'
                    && let Some(j) = hyphenation_join(input, i, out.text.chars().next_back())
                {
                    i = j;
                    continue;
                }
                let c = match special(b as char) {
                    Special::To(c) => c,
                    _ => b.to_ascii_lowercase() as char,
                };
                out.push_char(c, i..i + 1);
                i += 1;
                continue;
            }
        }
        let Some(c) = input[i..].chars().next() else {
            break;
        };
        let mut j = i + c.len_utf8();
        match special(c) {
            Special::Remove => {
                if is_hyphen(c)
                    && let Some(k) = hyphenation_join(input, i, out.text.chars().next_back())
                {
                    i = k;
                } else {
                    i = j;
                }
                continue;
            }
            Special::To(t) => {
                if t == '-'
                    && is_hyphen(c)
                    && let Some(k) = hyphenation_join(input, i, out.text.chars().next_back())
                {
                    i = k;
                    continue;
                }
                out.push_char(t, i..j);
                i = j;
                continue;
            }
            Special::Keep => {}
        }
        while let Some(d) = input[j..].chars().next() {
            if canonical_combining_class(d) != 0 {
                j += d.len_utf8();
            } else {
                break;
            }
        }
        let unit = &input[i..j];
        let simple =
            unit.len() == c.len_utf8() && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes;
        if simple {
            for f in std::iter::once(c).default_case_fold() {
                push_mapped(&mut out, f, i..j);
            }
        } else {
            let folded: String = unit.nfkc().default_case_fold().nfkc().collect();
            for f in folded.chars() {
                push_mapped(&mut out, f, i..j);
            }
        }
        i = j;
    }
    out
}

/// ASCII bytes that normalise to themselves lower-cased, whatever surrounds them.
#[inline]
fn is_plain_ascii(b: u8) -> bool {
    (b.is_ascii_graphic() || b == b' ') && b != b'-' && b != b'`'
}

/// Skips plain ASCII ([`is_plain_ascii`]) from `i` eight bytes at a time and returns where the
/// first block of eight that is not all plain starts (the caller finishes byte by byte).
fn plain_ascii_run(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Exact for "is some byte zero" (borrows only ever run past a zero byte).
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH != 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        let x = u64::from_le_bytes(b);
        // Bytes of 0x80 and above, and below 0x20: with the high bits clear, adding 0x60 to
        // each byte sets the high bit exactly for 0x20 and above (no carries across bytes).
        if x & HIGH != 0 || (x + ONES * 0x60) & HIGH != HIGH {
            break;
        }
        if has_zero(x ^ (ONES * 0x7f)) || has_zero(x ^ (ONES * u64::from(b'-'))) {
            break;
        }
        if has_zero(x ^ (ONES * u64::from(b'`'))) {
            break;
        }
        i += 8;
    }
    i
}

fn starts_with_mark(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| canonical_combining_class(c) != 0)
}

fn push_mapped(out: &mut NormText, c: char, unit: Range<usize>) {
    match special(c) {
        Special::Remove => {}
        Special::To(t) => out.push_char(t, unit),
        Special::Keep => out.push_char(c, unit),
    }
}

/// Normalises a short phrase (a pattern word, a lexicon entry, a product name) to a plain string.
pub fn normalise_str(s: &str) -> String {
    if s.bytes().all(is_plain_ascii) {
        return s.to_ascii_lowercase();
    }
    normalise(s).text
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_ascii_run_stops_at_the_first_block_of_eight_with_any_other_byte() {
        let reference = |bytes: &[u8], mut i: usize| {
            while bytes
                .get(i..i + 8)
                .is_some_and(|c| c.iter().all(|&b| is_plain_ascii(b)))
            {
                i += 8;
            }
            i
        };
        for v in 0..=255u8 {
            for at in 0..24 {
                let mut buf = b"abcdefgh ijklmno pqr.,;:".to_vec();
                buf[at] = v;
                for from in 0..9 {
                    assert_eq!(
                        plain_ascii_run(&buf, from),
                        reference(&buf, from),
                        "byte {v:#x} at {at}, from {from}"
                    );
                }
            }
        }
        assert_eq!(plain_ascii_run(b"short", 0), 0);
    }

    #[test]
    fn normalises_table() {
        let cases: &[(&str, &str)] = &[
            ("GRÖSSE", "grösse"),
            ("Größe", "grösse"),
            ("GRÖẞE", "grösse"),
            ("ŒUVRE", "œuvre"),
            ("Œuvre", "œuvre"),
            ("ÉTAT", "état"),
            ("E\u{301}tat", "état"),
            ("ﬁle", "file"),
            ("l’auteur", "l'auteur"),
            ("“quoted”", "\"quoted\""),
            ("«\u{a0}guillemets\u{a0}»", "\" guillemets \""),
            ("a\u{202F}b\u{2009}c", "a b c"),
            ("long–dash—em", "long-dash-em"),
            ("soft\u{AD}ware", "software"),
            ("inter-\nnational", "international"),
            ("inter-\r\n  national", "international"),
            ("soft\u{AD}\nware", "software"),
            ("Microsoft-\nWord", "microsoft- word"),
            ("end -\nnext", "end - next"),
            ("zero\u{200B}width", "zerowidth"),
            ("cession", "cession"),
            ("cessión", "cessión"),
        ];
        for (input, want) in cases {
            assert_eq!(normalise(input).text, *want, "{input:?}");
        }
    }

    #[test]
    fn maps_back_to_exact_original_spans() {
        let original = "Die GRÖSSE der inter-\nnationalen Lösung";
        let n = normalise(original);
        let at = n.text.find("grösse").unwrap();
        let r = n.to_original(at..at + "grösse".len());
        assert_eq!(&original[r], "GRÖSSE");
        let at = n.text.find("internationalen").unwrap();
        let r = n.to_original(at..at + "internationalen".len());
        assert_eq!(&original[r], "inter-\nnationalen");
        let n = normalise("Maß");
        // "ß" became "ss": any part of it maps back to the whole character.
        assert_eq!(n.to_original(3..4), 2..4);
    }

    fn alphabet() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "a", "B", "ß", "ẞ", "Ö", "ö", "É", "e\u{301}", "Œ", "œ", "ﬁ", " ", "\u{a0}",
            "\u{202f}", "\u{ad}", "-", "-\n", "\n", "’", "“", "”", "–", ".", "7", "x", "İ", "Σ",
            "ς", "\u{200b}", "\r\n", "ǅ", "K",
        ]);
        prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
    }

    fn words(text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            let w = c.is_alphanumeric() || canonical_combining_class(c) != 0;
            match (w, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    out.push(s..i);
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push(s..text.len());
        }
        out
    }

    proptest! {
        #[test]
        fn offsets_stay_inside_and_are_monotonic(s in alphabet()) {
            let n = normalise(&s);
            let mut last = 0;
            let mut last_end = 0;
            for i in 0..n.text.len() {
                let m = n.original_offset(i);
                prop_assert!(m < s.len());
                prop_assert!(s.is_char_boundary(m));
                prop_assert!(m >= last);
                last = m;
                let e = n.end(i);
                prop_assert!(e <= s.len() && e > m && s.is_char_boundary(e));
                prop_assert!(e >= last_end);
                last_end = e;
            }
            for a in 0..=n.text.len() {
                for b in a..=n.text.len() {
                    let r = n.to_original(a..b);
                    prop_assert!(r.start <= r.end && r.end <= s.len());
                    prop_assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
                }
            }
        }

        #[test]
        fn highlighting_round_trips(s in alphabet()) {
            let n = normalise(&s);
            for w in words(&n.text) {
                if !(n.is_unit_boundary(w.start) && n.is_unit_boundary(w.end)) {
                    continue;
                }
                let r = n.to_original(w.clone());
                prop_assert_eq!(normalise(&s[r]).text, &n.text[w]);
            }
        }

        /// Any Unicode at all (controls, escapes, combining marks, astral characters), mixed
        /// with the tricky pieces: offsets stay inside on char boundaries and highlights
        /// round-trip.
        #[test]
        fn any_text_maps_back_inside_and_round_trips(
            v in prop::collection::vec(
                prop_oneof![any::<char>().prop_map(String::from), alphabet()],
                0..24,
            )
        ) {
            let s = v.concat();
            let n = normalise(&s);
            for i in 0..n.text.len() {
                let m = n.original_offset(i);
                prop_assert!(m < s.len() && s.is_char_boundary(m));
                prop_assert!(n.end(i) <= s.len() && s.is_char_boundary(n.end(i)));
            }
            for a in (0..=n.text.len()).filter(|&a| n.text.is_char_boundary(a)) {
                for b in (a..=n.text.len()).filter(|&b| n.text.is_char_boundary(b)) {
                    let r = n.to_original(a..b);
                    prop_assert!(r.start <= r.end && r.end <= s.len());
                    prop_assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
                }
            }
            for w in words(&n.text) {
                if n.is_unit_boundary(w.start) && n.is_unit_boundary(w.end) {
                    let r = n.to_original(w.clone());
                    prop_assert_eq!(normalise(&s[r]).text, &n.text[w]);
                }
            }
        }

        #[test]
        fn normalising_is_idempotent(s in alphabet()) {
            let once = normalise(&s).text;
            prop_assert_eq!(normalise(&once).text, once.clone());
        }
    }
}
