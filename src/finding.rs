//! [`Finding`]: what a rule found, where, why it matters and what to write instead.
//!
//! This is the one type between the rules and every consumer (reports, the review interface, the
//! redline export). A finding carries its fix as data (a [`Suggestion`] with the span it
//! replaces), so every consumer renders the same suggestion. Nothing here knows how rules work.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// The four concerns; these ids are used everywhere (rule files, reports, filters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    OpenLicensing,
    VendorLockIn,
    CopyrightOwnership,
    ReuseRights,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::OpenLicensing,
        Category::VendorLockIn,
        Category::CopyrightOwnership,
        Category::ReuseRights,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Category::OpenLicensing => "open-licensing",
            Category::VendorLockIn => "vendor-lock-in",
            Category::CopyrightOwnership => "copyright-ownership",
            Category::ReuseRights => "reuse-rights",
        }
    }

    pub fn from_id(id: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.id() == id)
    }

    /// Human label for screens and reports.
    pub fn label(self) -> &'static str {
        match self {
            Category::OpenLicensing => "Open licensing",
            Category::VendorLockIn => "Vendor lock-in",
            Category::CopyrightOwnership => "Copyright ownership",
            Category::ReuseRights => "Reuse rights",
        }
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// Ordered: `Info < Warning < Blocker`, so `--fail-on` compares with `>=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Blocker,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Info, Severity::Warning, Severity::Blocker];

    pub fn id(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Blocker => "blocker",
        }
    }

    pub fn from_id(id: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.id() == id)
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// Where a finding is. `block` indexes `Document::blocks`; `start..end` is a byte range in that
/// block's text. All are `None` for a document-level finding (a missing clause).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub page: Option<u32>,
    pub clause: Option<String>,
    pub heading: Option<String>,
    pub block: Option<usize>,
    pub start: Option<usize>,
    pub end: Option<usize>,
}

/// A byte range in one block's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub block: usize,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    /// The position the authority should take.
    Preferred,
    /// Acceptable when the preferred one cannot be had.
    Fallback,
    /// A replacement with no ranking.
    Alternative,
}

/// Replacement text with placeholders already filled in. `replaces` is the exact span it takes
/// the place of (a `substitute` rule); `None` means "replace the clause" or "add this clause".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub text: String,
    pub position: Position,
    pub replaces: Option<Span>,
}

/// The law or guidance behind a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub title: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub category: Category,
    pub severity: Severity,
    pub title: String,
    /// One sentence about this occurrence ("'Microsoft SharePoint' named without 'or equivalent'").
    pub message: String,
    /// Why it matters, in plain words (from the rule; shared with the rule's other findings
    /// unless it names the match).
    pub explanation: Arc<str>,
    /// The matched text; `None` for a document-level finding.
    pub excerpt: Option<String>,
    /// The whole paragraph, list item or table cell that holds the match.
    pub context: Option<String>,
    pub location: Location,
    pub suggestions: Vec<Suggestion>,
    /// The rule's references, shared by all its findings.
    pub references: Arc<[Reference]>,
    pub needs_legal_review: bool,
    pub language: Option<Lang>,
    /// Stable across re-runs and edits elsewhere in the document; review decisions hang on it.
    pub fingerprint: String,
}

impl Finding {
    pub fn is_document_level(&self) -> bool {
        self.location.block.is_none()
    }
}

/// A clause the topic rules recognised ("exit", "escrow"), for the clause map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicHit {
    pub topic: String,
    pub block: usize,
    pub clause: Option<String>,
    pub page: Option<u32>,
}

/// Stable 64-bit FNV-1a over the given parts, as 16 hex digits. Used for fingerprints, which must
/// not change between runs, platforms or Rust versions (so no `DefaultHasher`).
pub fn stable_hash(parts: &[&str]) -> String {
    let h = parts
        .iter()
        .fold(STABLE_HASH_START, |h, p| stable_hash_part(h, p.as_bytes()));
    stable_hash_hex(h)
}

/// The state [`stable_hash`] starts from.
pub const STABLE_HASH_START: u64 = 0xcbf2_9ce4_8422_2325;

/// [`stable_hash`]'s state `h` after one more part: `stable_hash(&[a, b])` is
/// `stable_hash_hex(stable_hash_part(stable_hash_part(STABLE_HASH_START, a), b))`, so a hash
/// can be extended with a part later without keeping the earlier ones.
pub fn stable_hash_part(mut h: u64, part: &[u8]) -> u64 {
    for &b in part.iter().chain(std::iter::once(&0xff)) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A [`stable_hash`] state as the 16 hex digits of a fingerprint.
pub fn stable_hash_hex(h: u64) -> String {
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_are_ordered() {
        assert!(Severity::Info < Severity::Warning);
        assert!(Severity::Warning < Severity::Blocker);
    }

    #[test]
    fn category_ids_round_trip_and_serialise_as_ids() {
        for c in Category::ALL {
            assert_eq!(Category::from_id(c.id()), Some(c));
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.id())
            );
        }
    }

    #[test]
    fn stable_hash_is_stable_and_separates_parts() {
        assert_eq!(stable_hash(&["a", "b"]), stable_hash(&["a", "b"]));
        assert_ne!(stable_hash(&["ab", ""]), stable_hash(&["a", "b"]));
        // Pinned: a change here would orphan every saved review decision.
        assert_eq!(stable_hash(&["tenderlint"]), "1a46161a2fa469b7");
    }

    #[test]
    fn stable_hash_extends_part_by_part() {
        let ab = stable_hash_part(stable_hash_part(STABLE_HASH_START, b"a"), b"b");
        assert_eq!(stable_hash_hex(ab), stable_hash(&["a", "b"]));
        assert_eq!(
            stable_hash_hex(stable_hash_part(ab, b"1")),
            stable_hash(&["a", "b", "1"])
        );
    }
}
