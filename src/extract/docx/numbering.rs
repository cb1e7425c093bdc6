//! `word/numbering.xml`: list and heading numbers rebuilt the way Word renders them.
//!
//! Owns the definitions (`w:abstractNum` levels with `w:start`, `w:numFmt`, `w:lvlText`,
//! `w:isLgl`; `w:num` instances with `w:lvlOverride`/`w:startOverride`) and the counters that
//! advance as numbered paragraphs are met in document order. Also owns number formatting
//! (decimal, letters, roman), which the ODT reader shares.
//!
//! Design decision: counters belong to the abstract definition, not to the `w:num` instance, as
//! in Word: two instances of one definition continue each other unless an instance overrides a
//! start value, which restarts that level the first time the instance is used. Advancing a level
//! resets every deeper level.

use std::collections::{HashMap, HashSet};

use crate::extract::xml::{Element, Ns};

/// How one level's counter is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumFmt {
    Decimal,
    DecimalZero,
    LowerLetter,
    UpperLetter,
    LowerRoman,
    UpperRoman,
    Bullet,
    None,
}

impl NumFmt {
    /// From a `w:numFmt` value; unknown formats fall back to decimal.
    pub fn from_ooxml(v: &str) -> NumFmt {
        match v {
            "decimalZero" => NumFmt::DecimalZero,
            "lowerLetter" => NumFmt::LowerLetter,
            "upperLetter" => NumFmt::UpperLetter,
            "lowerRoman" => NumFmt::LowerRoman,
            "upperRoman" => NumFmt::UpperRoman,
            "bullet" => NumFmt::Bullet,
            "none" => NumFmt::None,
            _ => NumFmt::Decimal,
        }
    }

    /// From an ODF `style:num-format` value ("1", "a", "A", "i", "I", "").
    pub fn from_odf(v: &str) -> NumFmt {
        match v {
            "a" => NumFmt::LowerLetter,
            "A" => NumFmt::UpperLetter,
            "i" => NumFmt::LowerRoman,
            "I" => NumFmt::UpperRoman,
            "" => NumFmt::None,
            _ => NumFmt::Decimal,
        }
    }
}

/// `n` in format `fmt`: 28 as lowerLetter is "bb" (Word repeats the letter), as upperRoman
/// "XXVIII". Bullets and `None` render empty.
pub fn format_number(n: u32, fmt: NumFmt) -> String {
    match fmt {
        NumFmt::Decimal => n.to_string(),
        NumFmt::DecimalZero => format!("{n:02}"),
        NumFmt::LowerLetter | NumFmt::UpperLetter => {
            if n == 0 {
                return "0".into();
            }
            let base = if fmt == NumFmt::LowerLetter {
                b'a'
            } else {
                b'A'
            };
            let letter = (base + ((n - 1) % 26) as u8) as char;
            let times = ((n - 1) / 26 + 1).min(50) as usize;
            std::iter::repeat_n(letter, times).collect()
        }
        NumFmt::LowerRoman => roman(n).to_ascii_lowercase(),
        NumFmt::UpperRoman => roman(n),
        NumFmt::Bullet | NumFmt::None => String::new(),
    }
}

fn roman(mut n: u32) -> String {
    if n == 0 || n >= 4000 {
        return n.to_string();
    }
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (v, s) in TABLE {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

#[derive(Debug, Clone)]
struct Level {
    start: u32,
    fmt: NumFmt,
    text: String,
    legal: bool,
    style: Option<String>,
}

impl Default for Level {
    fn default() -> Self {
        Level {
            start: 1,
            fmt: NumFmt::Decimal,
            text: String::new(),
            legal: false,
            style: None,
        }
    }
}

fn parse_level(l: &Element) -> Level {
    let val = |name: &str| l.child(Ns::W, name).and_then(|e| e.attr("val"));
    Level {
        start: val("start").and_then(|v| v.parse().ok()).unwrap_or(1),
        fmt: val("numFmt")
            .map(NumFmt::from_ooxml)
            .unwrap_or(NumFmt::Decimal),
        text: val("lvlText").unwrap_or("").to_string(),
        legal: l
            .child(Ns::W, "isLgl")
            .is_some_and(crate::extract::docx::styles::on_off),
        style: val("pStyle").map(str::to_string),
    }
}

#[derive(Debug, Clone, Default)]
struct Abstract {
    levels: [Option<Level>; 9],
    /// `w:numStyleLink`: the definition lives in the numbering of that style.
    style_link: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct Instance {
    abstract_id: String,
    start_overrides: Vec<(usize, u32)>,
    level_overrides: Vec<(usize, Level)>,
}

/// The numbering part plus the running counters.
#[derive(Debug, Default, Clone)]
pub struct Numbering {
    abstracts: HashMap<String, Abstract>,
    nums: HashMap<String, Instance>,
    counters: HashMap<String, [Option<u32>; 9]>,
    used: HashSet<String>,
}

/// A rendered number and the level (0-based) it was rendered at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The number as shown, without a trailing dot ("7.3", "(a)", "Article 4"); `None` for
    /// bullets and empty level texts.
    pub label: Option<String>,
    pub level: u8,
}

impl Numbering {
    pub fn parse(root: &Element) -> Numbering {
        let mut out = Numbering::default();
        for a in root.elements() {
            if a.is(Ns::W, "abstractNum") {
                let Some(id) = a.attr("abstractNumId") else {
                    continue;
                };
                let mut abs = Abstract {
                    style_link: a
                        .child(Ns::W, "numStyleLink")
                        .and_then(|e| e.attr("val"))
                        .map(str::to_string),
                    ..Abstract::default()
                };
                for l in a.elements().filter(|e| e.is(Ns::W, "lvl")) {
                    let ilvl: usize = l.attr("ilvl").and_then(|v| v.parse().ok()).unwrap_or(0);
                    if let Some(slot) = abs.levels.get_mut(ilvl) {
                        *slot = Some(parse_level(l));
                    }
                }
                out.abstracts.insert(id.to_string(), abs);
            } else if a.is(Ns::W, "num") {
                let Some(id) = a.attr("numId") else {
                    continue;
                };
                let mut inst = Instance {
                    abstract_id: a
                        .child(Ns::W, "abstractNumId")
                        .and_then(|e| e.attr("val"))
                        .unwrap_or("")
                        .to_string(),
                    ..Instance::default()
                };
                for o in a.elements().filter(|e| e.is(Ns::W, "lvlOverride")) {
                    let ilvl: usize = o.attr("ilvl").and_then(|v| v.parse().ok()).unwrap_or(0);
                    if ilvl > 8 {
                        continue;
                    }
                    if let Some(s) = o
                        .child(Ns::W, "startOverride")
                        .and_then(|e| e.attr("val"))
                        .and_then(|v| v.parse().ok())
                    {
                        inst.start_overrides.push((ilvl, s));
                    }
                    if let Some(l) = o.child(Ns::W, "lvl") {
                        inst.level_overrides.push((ilvl, parse_level(l)));
                    }
                }
                out.nums.insert(id.to_string(), inst);
            }
        }
        out
    }

    /// The abstract definition id behind `num_id`, following one `numStyleLink` through the
    /// styles (the linked style's own numId).
    fn abstract_of(&self, num_id: &str, styles: &super::styles::Styles) -> Option<String> {
        let inst = self.nums.get(num_id)?;
        let abs = self.abstracts.get(&inst.abstract_id)?;
        let linked = abs
            .style_link
            .as_deref()
            .and_then(|link| styles.numbering(Some(link)))
            .and_then(|(num, _)| self.nums.get(&num))
            .filter(|linked| self.abstracts.contains_key(&linked.abstract_id));
        if let Some(linked) = linked {
            return Some(linked.abstract_id.clone());
        }
        Some(inst.abstract_id.clone())
    }

    fn level(&self, num_id: &str, abs_id: &str, ilvl: usize) -> Option<Level> {
        if let Some((_, l)) = self
            .nums
            .get(num_id)
            .and_then(|inst| inst.level_overrides.iter().find(|(i, _)| *i == ilvl))
        {
            return Some(l.clone());
        }
        self.abstracts.get(abs_id)?.levels.get(ilvl)?.clone()
    }

    /// The level whose `w:pStyle` names this paragraph style (how heading styles attach to a
    /// multi-level list without an `ilvl`).
    pub fn level_for_style(&self, num_id: &str, style: &str) -> Option<u8> {
        let inst = self.nums.get(num_id)?;
        let abs = self.abstracts.get(&inst.abstract_id)?;
        abs.levels
            .iter()
            .position(|l| {
                l.as_ref()
                    .is_some_and(|l| l.style.as_deref() == Some(style))
            })
            .map(|p| p as u8)
    }

    /// Advances the counter of (`num_id`, `ilvl`) and renders the paragraph's number. `None`
    /// when the instance or level is undefined (the paragraph is then not numbered).
    pub fn next(
        &mut self,
        num_id: &str,
        ilvl: u8,
        styles: &super::styles::Styles,
    ) -> Option<Rendered> {
        let ilvl = usize::from(ilvl.min(8));
        let abs_id = self.abstract_of(num_id, styles)?;
        let level = self.level(num_id, &abs_id, ilvl)?;
        let starts: Vec<u32> = (0..9)
            .map(|i| self.level(num_id, &abs_id, i).map(|l| l.start).unwrap_or(1))
            .collect();
        let counters = self.counters.entry(abs_id.clone()).or_insert([None; 9]);
        let first_use = self.used.insert(num_id.to_string());
        if let Some(inst) = self.nums.get(num_id).filter(|_| first_use) {
            for (i, s) in &inst.start_overrides {
                if let Some(c) = counters.get_mut(*i) {
                    *c = Some(s.saturating_sub(1));
                }
                for deeper in counters.iter_mut().skip(i + 1) {
                    *deeper = None;
                }
            }
        }
        let value = match counters[ilvl] {
            Some(c) => c.saturating_add(1),
            None => starts[ilvl],
        };
        counters[ilvl] = Some(value);
        for deeper in counters.iter_mut().skip(ilvl + 1) {
            *deeper = None;
        }
        let snapshot = *counters;
        if level.fmt == NumFmt::Bullet {
            return Some(Rendered {
                label: None,
                level: ilvl as u8,
            });
        }
        let mut label = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            let digit = if c == '%' {
                chars.peek().and_then(|d| d.to_digit(10))
            } else {
                None
            };
            if let Some(d) = digit {
                chars.next();
                let i = (d as usize).saturating_sub(1).min(8);
                let n = snapshot[i].unwrap_or(starts[i]);
                let fmt = if i == ilvl {
                    level.fmt
                } else {
                    self.level(num_id, &abs_id, i)
                        .map(|l| l.fmt)
                        .unwrap_or(NumFmt::Decimal)
                };
                let fmt = if level.legal && fmt != NumFmt::None {
                    NumFmt::Decimal
                } else {
                    fmt
                };
                label.push_str(&format_number(n, fmt));
            } else {
                label.push(c);
            }
        }
        Some(Rendered {
            label: clean_label(&label),
            level: ilvl as u8,
        })
    }
}

/// Trims a rendered number for `Block::clause`: surrounding spaces and trailing dots, colons and
/// dashes go ("7.3." -> "7.3", "ARTICLE I —" -> "ARTICLE I"); an empty result is `None`.
pub fn clean_label(label: &str) -> Option<String> {
    let t = label
        .trim()
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '.' | ':' | '-' | '–' | '—'));
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        let cases = [
            (3, NumFmt::Decimal, "3"),
            (3, NumFmt::DecimalZero, "03"),
            (1, NumFmt::LowerLetter, "a"),
            (26, NumFmt::LowerLetter, "z"),
            (28, NumFmt::LowerLetter, "bb"),
            (2, NumFmt::UpperLetter, "B"),
            (4, NumFmt::LowerRoman, "iv"),
            (1994, NumFmt::UpperRoman, "MCMXCIV"),
            (5, NumFmt::Bullet, ""),
        ];
        for (n, f, want) in cases {
            assert_eq!(format_number(n, f), want, "{n} {f:?}");
        }
    }

    #[test]
    fn cleans_labels() {
        for (raw, want) in [
            ("7.3.", Some("7.3")),
            ("(a)", Some("(a)")),
            ("Article 4", Some("Article 4")),
            ("ARTICLE I —", Some("ARTICLE I")),
            ("4:", Some("4")),
            (" ", None),
            ("", None),
        ] {
            assert_eq!(clean_label(raw).as_deref(), want, "{raw:?}");
        }
    }
}
