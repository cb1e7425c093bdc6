//! ODF styles as the ODT walker needs them: paragraph styles (parent chain, default outline
//! level, list style), list styles and the outline style, each level's number format.
//!
//! Automatic styles (content.xml) and common styles (styles.xml) share one name space here;
//! `style:parent-style-name` chains are followed at most 32 steps.

use std::collections::HashMap;

use crate::extract::docx::numbering::{NumFmt, clean_label, format_number};
use crate::extract::xml::{Element, Ns};

#[derive(Debug, Clone, Default)]
struct ParaStyle {
    parent: Option<String>,
    outline: Option<u8>,
    list_style: Option<String>,
}

/// How one level of a list or of the outline is numbered.
#[derive(Debug, Clone)]
pub struct LevelFmt {
    pub fmt: NumFmt,
    pub prefix: String,
    pub suffix: String,
    pub display: u8,
    pub start: u32,
}

/// A list style or the outline style: levels 1..=10 at indices 0..10.
#[derive(Debug, Clone, Default)]
pub struct ListStyle {
    levels: Vec<Option<LevelFmt>>,
}

impl ListStyle {
    fn parse(e: &Element) -> ListStyle {
        let mut levels = vec![None; 10];
        for l in e.elements() {
            let Some(level) = l
                .attr("level")
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|l| (1..=10).contains(l))
            else {
                continue;
            };
            let fmt = match l.name.as_str() {
                "list-level-style-number" | "outline-level-style" => {
                    NumFmt::from_odf(l.attr("num-format").unwrap_or(""))
                }
                _ => NumFmt::Bullet,
            };
            levels[level - 1] = Some(LevelFmt {
                fmt,
                prefix: l.attr("num-prefix").unwrap_or("").to_string(),
                suffix: l.attr("num-suffix").unwrap_or("").to_string(),
                display: l
                    .attr("display-levels")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1),
                start: l
                    .attr("start-value")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1),
            });
        }
        ListStyle { levels }
    }

    /// The start value of a level (1-based `level`).
    pub fn start(&self, level: usize) -> u32 {
        self.level(level).map_or(1, |l| l.start)
    }

    fn level(&self, level: usize) -> Option<&LevelFmt> {
        self.levels.get(level.checked_sub(1)?)?.as_ref()
    }

    /// The rendered label of `level` (1-based) given the counters of levels 1..=level; `None`
    /// for bullets and unnumbered levels.
    pub fn render(&self, level: usize, counters: &[Option<u32>]) -> Option<String> {
        let own = self.level(level)?;
        if matches!(own.fmt, NumFmt::Bullet | NumFmt::None) {
            return None;
        }
        let display = usize::from(own.display.max(1)).min(level);
        let mut parts = Vec::new();
        for l in level + 1 - display..=level {
            let n = counters
                .get(l.saturating_sub(1))
                .copied()
                .flatten()
                .unwrap_or_else(|| self.start(l));
            let fmt = self.level(l).map_or(NumFmt::Decimal, |f| f.fmt);
            let fmt = if fmt == NumFmt::Bullet {
                NumFmt::Decimal
            } else {
                fmt
            };
            let s = format_number(n, fmt);
            if !s.is_empty() {
                parts.push(s);
            }
        }
        clean_label(&format!("{}{}{}", own.prefix, parts.join("."), own.suffix))
    }
}

/// All styles of one document.
#[derive(Debug, Default)]
pub struct OdtStyles {
    para: HashMap<String, ParaStyle>,
    lists: HashMap<String, ListStyle>,
    pub outline: ListStyle,
}

impl OdtStyles {
    /// Reads the style sections (`office:styles`, `office:automatic-styles`) of each root.
    pub fn parse(roots: &[&Element]) -> OdtStyles {
        let mut out = OdtStyles::default();
        for root in roots {
            for section in root.elements().filter(|e| {
                e.ns == Ns::OdfOffice && matches!(e.name.as_str(), "styles" | "automatic-styles")
            }) {
                for s in section.elements() {
                    match (s.ns, s.name.as_str()) {
                        (Ns::OdfStyle, "style") if s.attr("family") == Some("paragraph") => {
                            let Some(name) = s.attr("name") else { continue };
                            out.para.insert(
                                name.to_string(),
                                ParaStyle {
                                    parent: s.attr("parent-style-name").map(str::to_string),
                                    outline: s
                                        .attr("default-outline-level")
                                        .and_then(|v| v.parse().ok()),
                                    list_style: s.attr("list-style-name").map(str::to_string),
                                },
                            );
                        }
                        (Ns::OdfText, "list-style") => {
                            if let Some(name) = s.attr("name") {
                                out.lists.insert(name.to_string(), ListStyle::parse(s));
                            }
                        }
                        (Ns::OdfText, "outline-style") => out.outline = ListStyle::parse(s),
                        _ => {}
                    }
                }
            }
        }
        out
    }

    fn chain<'s>(&'s self, name: Option<&'s str>) -> impl Iterator<Item = &'s ParaStyle> + 's {
        let mut next = name;
        let mut steps = 0;
        std::iter::from_fn(move || {
            if steps >= 32 {
                return None;
            }
            steps += 1;
            let s = self.para.get(next?)?;
            next = s.parent.as_deref();
            Some(s)
        })
    }

    /// The outline level (1-based) a paragraph style gives its paragraphs, if any.
    pub fn outline_level(&self, style: Option<&str>) -> Option<u8> {
        self.chain(style)
            .find_map(|s| s.outline)
            .filter(|l| (1..=10).contains(l))
    }

    /// The list style named by a paragraph style chain.
    pub fn para_list_style(&self, style: Option<&str>) -> Option<String> {
        self.chain(style)
            .find_map(|s| s.list_style.clone())
            .filter(|s| !s.is_empty())
    }

    pub fn list(&self, name: &str) -> Option<&ListStyle> {
        self.lists.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(fmt: &str, prefix: &str, suffix: &str, display: u8) -> Option<LevelFmt> {
        Some(LevelFmt {
            fmt: NumFmt::from_odf(fmt),
            prefix: prefix.into(),
            suffix: suffix.into(),
            display,
            start: 1,
        })
    }

    #[test]
    fn renders_levels_with_display_levels_prefix_and_suffix() {
        let style = ListStyle {
            levels: vec![
                level("1", "", ".", 1),
                level("1", "", ".", 2),
                level("a", "(", ")", 1),
                level("", "", "", 1),
            ],
        };
        let cases = [
            (1, vec![Some(7)], Some("7")),
            (2, vec![Some(7), Some(3)], Some("7.3")),
            (2, vec![None, Some(3)], Some("1.3")),
            (3, vec![Some(7), Some(3), Some(2)], Some("(b)")),
            (4, vec![Some(1), Some(1), Some(1), Some(1)], None),
            (5, vec![], None),
        ];
        for (lvl, counters, want) in cases {
            assert_eq!(style.render(lvl, &counters).as_deref(), want, "level {lvl}");
        }
    }
}
