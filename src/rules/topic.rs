//! `kind = "topic"`: no finding; marks the blocks whose text matches `patterns` as being about
//! `topic` ("exit", "escrow"), for the clause map and for `require` rules that ask for a topic.

use std::collections::BTreeMap;

use super::{Pattern, RuleHeader};
use crate::lang::Lang;
use crate::ruleset::compile::Cx;
use crate::ruleset::raw::RawRule;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TopicRule {
    pub header: RuleHeader,
    pub topic: String,
    pub langs: BTreeMap<Lang, Vec<Pattern>>,
}

/// Compiles a `topic` language section: `patterns` are required.
pub fn compile_section(raw: &RawRule, cx: &mut Cx<'_>) -> Vec<Pattern> {
    if raw.patterns.as_ref().is_none_or(|p| p.get_ref().is_empty()) {
        cx.error(
            raw.id.span(),
            format!(
                "rule \"{}\" (kind topic) needs `patterns`",
                raw.id.get_ref()
            ),
        );
    }
    cx.patterns(raw.patterns.as_ref())
}
