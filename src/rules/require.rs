//! `kind = "require"`: one document-level finding when a document of a kind listed in
//! `applies_to` contains nothing that matches the rule's `patterns` (any language section) and no
//! clause on one of its `topics`.

use std::collections::BTreeMap;

use super::{DocKind, Pattern, RuleHeader};
use crate::lang::Lang;
use crate::ruleset::compile::Cx;
use crate::ruleset::raw::RawRule;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RequireRule {
    pub header: RuleHeader,
    pub applies_to: Vec<DocKind>,
    pub topics: Vec<String>,
    /// Per language: what satisfies the requirement.
    pub langs: BTreeMap<Lang, Vec<Pattern>>,
}

/// Compiles a `require` language section: only `patterns` (and tests).
pub fn compile_section(raw: &RawRule, cx: &mut Cx<'_>) -> Vec<Pattern> {
    cx.patterns(raw.patterns.as_ref())
}
