//! `kind = "conditional"`: when an `if` pattern matches and no `then` pattern matches in the
//! rule's scope around it, one finding at the `if` match ("source code is delivered, but no
//! licence for it is granted").

use std::collections::BTreeMap;

use super::pattern::LazyPatterns;
use super::{DocKind, Negation, Pattern, RuleHeader};
use crate::lang::Lang;
use crate::ruleset::compile::Cx;
use crate::ruleset::raw::RawRule;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CondLang {
    pub when: Vec<Pattern>,
    pub then: LazyPatterns,
    pub unless: LazyPatterns,
    pub negation: Negation,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ConditionalRule {
    pub header: RuleHeader,
    pub applies_to: Vec<DocKind>,
    pub langs: BTreeMap<Lang, CondLang>,
}

impl CondLang {
    pub fn compile(raw: &RawRule, cx: &mut Cx<'_>) -> Option<CondLang> {
        let id = raw.id.get_ref();
        if raw.when.as_ref().is_none_or(|w| w.get_ref().is_empty()) {
            cx.error(
                raw.id.span(),
                format!("rule \"{id}\" (kind conditional) needs `if`"),
            );
        }
        if raw.then.as_ref().is_none_or(|w| w.get_ref().is_empty()) {
            cx.error(
                raw.id.span(),
                format!("rule \"{id}\" (kind conditional) needs `then`"),
            );
        }
        Some(CondLang {
            when: cx.patterns(raw.when.as_ref()),
            then: cx.lazy_patterns(raw.then.as_ref()),
            unless: cx.lazy_patterns(raw.unless.as_ref()),
            negation: cx.negation(raw.negation.as_ref()),
        })
    }
}
