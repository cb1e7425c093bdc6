//! A word-level diff (longest common subsequence) between the original text and a suggested
//! replacement, for the detail pane.
//!
//! Words are split on whitespace and compared exactly; runs of the same kind are merged so the
//! output reads as `kept [-deleted words-] {+inserted words+} kept`. The LCS table is quadratic,
//! so inputs beyond [`MAX_CELLS`] fall back to "delete all, insert all" instead of stalling.

/// Largest LCS table (words x words) computed.
pub const MAX_CELLS: usize = 250_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Same(String),
    Delete(String),
    Insert(String),
}

/// The word diff from `old` to `new`, adjacent words of one kind joined by single spaces.
pub fn words(old: &str, new: &str) -> Vec<Op> {
    let a: Vec<&str> = old.split_whitespace().collect();
    let b: Vec<&str> = new.split_whitespace().collect();
    let mut raw: Vec<(u8, &str)> = Vec::with_capacity(a.len() + b.len());
    if a.len().saturating_mul(b.len()) > MAX_CELLS {
        raw.extend(a.iter().map(|w| (1, *w)));
        raw.extend(b.iter().map(|w| (2, *w)));
    } else {
        // lcs[i][j] = LCS length of a[i..] and b[j..].
        let w = b.len() + 1;
        let mut lcs = vec![0u32; (a.len() + 1) * w];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                lcs[i * w + j] = if a[i] == b[j] {
                    lcs[(i + 1) * w + j + 1] + 1
                } else {
                    lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if a[i] == b[j] {
                raw.push((0, a[i]));
                i += 1;
                j += 1;
            } else if lcs[(i + 1) * w + j] >= lcs[i * w + j + 1] {
                raw.push((1, a[i]));
                i += 1;
            } else {
                raw.push((2, b[j]));
                j += 1;
            }
        }
        raw.extend(a[i..].iter().map(|w| (1, *w)));
        raw.extend(b[j..].iter().map(|w| (2, *w)));
    }
    let mut out: Vec<Op> = Vec::new();
    for (kind, word) in raw {
        let joined = match (out.last_mut(), kind) {
            (Some(Op::Same(s)), 0) | (Some(Op::Delete(s)), 1) | (Some(Op::Insert(s)), 2) => {
                s.push(' ');
                s.push_str(word);
                true
            }
            _ => false,
        };
        if !joined {
            out.push(match kind {
                0 => Op::Same(word.to_string()),
                1 => Op::Delete(word.to_string()),
                _ => Op::Insert(word.to_string()),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The diff as plain text with `[-deleted-]` and `{+inserted+}` markers.
    fn to_marked(ops: &[Op]) -> String {
        ops.iter()
            .map(|op| match op {
                Op::Same(s) => s.clone(),
                Op::Delete(s) => format!("[-{s}-]"),
                Op::Insert(s) => format!("{{+{s}+}}"),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn marked_word_diffs() {
        let cases = [
            ("", "", ""),
            ("a b c", "a b c", "a b c"),
            ("", "new text", "{+new text+}"),
            ("old text", "", "[-old text-]"),
            (
                "the supplier retains all rights",
                "the authority owns all rights",
                "the [-supplier retains-] {+authority owns+} all rights",
            ),
            (
                "use Microsoft SharePoint for documents",
                "use a document management system for documents",
                "use [-Microsoft SharePoint-] {+a document management system+} for documents",
            ),
            ("a  b\n c", "a b c", "a b c"),
            ("x y", "y x", "[-x-] y {+x+}"),
        ];
        for (old, new, want) in cases {
            assert_eq!(to_marked(&words(old, new)), want, "{old:?} -> {new:?}");
        }
    }

    #[test]
    fn huge_inputs_fall_back_without_a_table() {
        let old = "w ".repeat(1000);
        let new = "v ".repeat(1000);
        let ops = words(&old, &new);
        assert_eq!(ops.len(), 2);
        assert!(matches!(&ops[0], Op::Delete(s) if s.split(' ').count() == 1000));
    }
}
