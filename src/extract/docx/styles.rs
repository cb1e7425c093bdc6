//! `word/styles.xml`: what the body walker needs from styles, resolved through `w:basedOn`.
//!
//! Owns: a paragraph style's numbering (`w:numPr`), its outline level (`w:outlineLvl`, or the
//! built-in "heading N" names), and hidden text (`w:vanish`) set by paragraph or character
//! styles. Formatting is not read. `basedOn` chains are followed at most 32 steps, so a cycle in a
//! hostile file ends quietly.

use std::collections::HashMap;

use crate::extract::xml::{Element, Ns};

/// One style's own settings (not inherited).
#[derive(Debug, Clone, Default)]
struct Style {
    based_on: Option<String>,
    num_id: Option<String>,
    ilvl: Option<u8>,
    outline: Option<u8>,
    vanish: Option<bool>,
}

/// The styles part, by style id.
#[derive(Debug, Default)]
pub struct Styles {
    styles: HashMap<String, Style>,
    default_paragraph: Option<String>,
}

const MAX_CHAIN: usize = 32;

/// `w:val` read as an OOXML boolean toggle: absent value means on.
pub fn on_off(e: &Element) -> bool {
    !matches!(
        e.attr("val"),
        Some("0") | Some("false") | Some("off") | Some("none")
    )
}

impl Styles {
    pub fn parse(root: &Element) -> Styles {
        let mut out = Styles::default();
        for s in root.elements().filter(|e| e.is(Ns::W, "style")) {
            let Some(id) = s.attr("styleId") else {
                continue;
            };
            let mut st = Style {
                based_on: s
                    .child(Ns::W, "basedOn")
                    .and_then(|b| b.attr("val"))
                    .map(str::to_string),
                ..Style::default()
            };
            if s.attr("type") == Some("paragraph") && s.attr("default").is_some_and(is_true) {
                out.default_paragraph = Some(id.to_string());
            }
            if let Some(ppr) = s.child(Ns::W, "pPr") {
                if let Some(num) = ppr.child(Ns::W, "numPr") {
                    st.num_id = num
                        .child(Ns::W, "numId")
                        .and_then(|n| n.attr("val"))
                        .map(str::to_string);
                    st.ilvl = num
                        .child(Ns::W, "ilvl")
                        .and_then(|n| n.attr("val"))
                        .and_then(|v| v.parse().ok());
                }
                st.outline = ppr
                    .child(Ns::W, "outlineLvl")
                    .and_then(|o| o.attr("val"))
                    .and_then(|v| v.parse().ok());
            }
            if st.outline.is_none() {
                // The built-in name ("heading 2") is stored in English whatever the UI
                // language; the id ("Heading2", "berschrift2") is the fallback.
                st.outline = s
                    .child(Ns::W, "name")
                    .and_then(|n| n.attr("val"))
                    .and_then(heading_name_level)
                    .or_else(|| heading_name_level(id));
            }
            if let Some(v) = s.child(Ns::W, "rPr").and_then(|r| r.child(Ns::W, "vanish")) {
                st.vanish = Some(on_off(v));
            }
            out.styles.insert(id.to_string(), st);
        }
        out
    }

    fn chain<'s>(&'s self, id: Option<&'s str>) -> impl Iterator<Item = &'s Style> + 's {
        let mut next = id.or(self.default_paragraph.as_deref());
        let mut steps = 0;
        std::iter::from_fn(move || {
            if steps >= MAX_CHAIN {
                return None;
            }
            steps += 1;
            let s = self.styles.get(next?)?;
            next = s.based_on.as_deref();
            Some(s)
        })
    }

    /// Numbering set by the paragraph style or a style it is based on: (numId, ilvl if given),
    /// each taken from the nearest style in the chain that sets it.
    pub fn numbering(&self, style: Option<&str>) -> Option<(String, Option<u8>)> {
        let num = self.chain(style).find_map(|s| s.num_id.clone())?;
        Some((num, self.chain(style).find_map(|s| s.ilvl)))
    }

    /// Outline level (0-based; 9 means body text) from the style chain.
    pub fn outline_level(&self, style: Option<&str>) -> Option<u8> {
        self.chain(style).find_map(|s| s.outline)
    }

    /// Hidden text set by the style chain (paragraph or character style).
    pub fn vanish(&self, style: Option<&str>) -> bool {
        style.is_some() && self.chain(style).find_map(|s| s.vanish).unwrap_or(false)
    }
}

fn is_true(v: &str) -> bool {
    matches!(v, "1" | "true" | "on")
}

/// "heading 3" (the built-in name Word stores whatever the UI language) -> outline level 2.
fn heading_name_level(name: &str) -> Option<u8> {
    let lower = name.to_ascii_lowercase();
    let rest = lower.strip_prefix("heading")?.trim();
    let n: u8 = rest.parse().ok()?;
    (1..=9).contains(&n).then(|| n - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_names_map_to_outline_levels() {
        for (name, want) in [
            ("heading 1", Some(0)),
            ("Heading2", Some(1)),
            ("Heading 9", Some(8)),
            ("heading 10", None),
            ("Title", None),
            ("heading", None),
        ] {
            assert_eq!(heading_name_level(name), want, "{name}");
        }
    }
}
