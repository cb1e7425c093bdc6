//! `kind = "substitute"`: one finding per match of a `replace` pattern, whose suggestion replaces
//! exactly the matched span with `with` (placeholders filled, `{match}` the matched text).

use std::collections::BTreeMap;

use super::pattern::LazyPatterns;
use super::{Pattern, RuleHeader};
use crate::lang::Lang;
use crate::ruleset::compile::Cx;
use crate::ruleset::raw::RawRule;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Replace {
    pub pattern: Pattern,
    pub with: String,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SubLang {
    pub replace: Vec<Replace>,
    pub unless: LazyPatterns,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SubstituteRule {
    pub header: RuleHeader,
    pub langs: BTreeMap<Lang, SubLang>,
}

impl SubLang {
    pub fn compile(raw: &RawRule, cx: &mut Cx<'_>) -> Option<SubLang> {
        let Some(list) = raw.replace.as_ref().filter(|r| !r.get_ref().is_empty()) else {
            cx.error(
                raw.id.span(),
                format!(
                    "rule \"{}\" (kind substitute) needs `replace = [{{ pattern = \"...\", with = \"...\" }}]`",
                    raw.id.get_ref()
                ),
            );
            return None;
        };
        let mut replace = Vec::new();
        for r in list.get_ref() {
            cx.check_placeholders(&r.with);
            if let Some(pattern) = cx.pattern(&r.pattern) {
                replace.push(Replace {
                    pattern,
                    with: r.with.get_ref().clone(),
                });
            }
        }
        Some(SubLang {
            replace,
            unless: cx.lazy_patterns(raw.unless.as_ref()),
        })
    }
}
