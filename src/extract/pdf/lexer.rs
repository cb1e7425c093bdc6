//! A content-stream tokenizer for text extraction: operators with their operands, borrowed from
//! the stream where possible.
//!
//! We do not use lopdf's content parser here: it builds an owned `Object` per operand, and on
//! text-heavy pages that allocation was the largest cost of reading a PDF. This lexer keeps only
//! what the interpreter needs (numbers, names, strings, arrays), skips dictionaries and inline
//! image data, and never fails: malformed bytes are skipped.

use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq)]
pub enum Operand<'a> {
    Num(f32),
    Name(&'a [u8]),
    Str(Cow<'a, [u8]>),
    Array(Vec<Operand<'a>>),
    Other,
}

impl Operand<'_> {
    pub fn num(&self) -> f32 {
        match self {
            Operand::Num(v) => *v,
            _ => 0.0,
        }
    }
}

fn is_white(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | 0)
}

fn is_delim(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

pub struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
}

/// Deepest array nesting kept; deeper arrays are skipped.
const MAX_ARRAY_DEPTH: usize = 32;

impl<'a> Lexer<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Lexer { data, pos: 0 }
    }

    /// The next operator, with its operands in `ops` (cleared first); `None` at the end.
    pub fn next_op(&mut self, ops: &mut Vec<Operand<'a>>) -> Option<&'a [u8]> {
        ops.clear();
        loop {
            self.skip_space();
            let c = *self.data.get(self.pos)?;
            match c {
                b'/' | b'(' | b'<' | b'[' | b'+' | b'-' | b'.' | b'0'..=b'9' => {
                    let op = self.operand(0);
                    if ops.len() < 64 {
                        ops.push(op);
                    }
                }
                b']' | b')' | b'>' | b'{' | b'}' => self.pos += 1,
                _ => {
                    let start = self.pos;
                    while self
                        .data
                        .get(self.pos)
                        .is_some_and(|c| !is_white(*c) && !is_delim(*c))
                    {
                        self.pos += 1;
                    }
                    let word = &self.data[start..self.pos];
                    if word == b"BI" {
                        self.skip_inline_image();
                        ops.clear();
                        continue;
                    }
                    if matches!(word, b"true" | b"false" | b"null") {
                        ops.push(Operand::Other);
                        continue;
                    }
                    return Some(word);
                }
            }
        }
    }

    fn skip_space(&mut self) {
        while let Some(&c) = self.data.get(self.pos) {
            if is_white(c) {
                self.pos += 1;
            } else if c == b'%' {
                while self
                    .data
                    .get(self.pos)
                    .is_some_and(|c| *c != b'\n' && *c != b'\r')
                {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn operand(&mut self, depth: usize) -> Operand<'a> {
        self.skip_space();
        let Some(&c) = self.data.get(self.pos) else {
            return Operand::Other;
        };
        match c {
            b'/' => {
                self.pos += 1;
                let start = self.pos;
                while self
                    .data
                    .get(self.pos)
                    .is_some_and(|c| !is_white(*c) && !is_delim(*c))
                {
                    self.pos += 1;
                }
                Operand::Name(&self.data[start..self.pos])
            }
            b'(' => Operand::Str(self.literal()),
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.skip_dict();
                Operand::Other
            }
            b'<' => Operand::Str(Cow::Owned(self.hex())),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    match self.data.get(self.pos) {
                        None => break,
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        Some(c)
                            if !is_delim(*c) && !matches!(c, b'+' | b'-' | b'.' | b'0'..=b'9') =>
                        {
                            // An operator inside an array: malformed; leave it to the caller.
                            break;
                        }
                        Some(_) => {
                            let before = self.pos;
                            let item = if depth < MAX_ARRAY_DEPTH {
                                self.operand(depth + 1)
                            } else {
                                self.pos += 1;
                                Operand::Other
                            };
                            if self.pos == before {
                                self.pos += 1;
                            }
                            if items.len() < 100_000 {
                                items.push(item);
                            }
                        }
                    }
                }
                Operand::Array(items)
            }
            b'+' | b'-' | b'.' | b'0'..=b'9' => self.number(),
            _ => {
                self.pos += 1;
                Operand::Other
            }
        }
    }

    fn number(&mut self) -> Operand<'a> {
        let start = self.pos;
        while self
            .data
            .get(self.pos)
            .is_some_and(|c| matches!(c, b'+' | b'-' | b'.' | b'0'..=b'9'))
        {
            self.pos += 1;
        }
        let s = std::str::from_utf8(&self.data[start..self.pos]).unwrap_or("0");
        // "--5" or "5.3.2" happen in the wild; read what makes sense.
        let v = s.parse::<f32>().ok().or_else(|| {
            let t = s.trim_start_matches(['+', '-']);
            let neg = s.starts_with('-');
            let t: String = t
                .chars()
                .scan(false, |dot, c| {
                    if c == '.' {
                        if *dot {
                            return None;
                        }
                        *dot = true;
                    }
                    Some(c)
                })
                .filter(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            t.parse::<f32>().ok().map(|v| if neg { -v } else { v })
        });
        match v {
            Some(v) if v.is_finite() => Operand::Num(v),
            _ => Operand::Num(0.0),
        }
    }

    fn literal(&mut self) -> Cow<'a, [u8]> {
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escapes and no nested parentheses.
        let mut i = start;
        while let Some(&c) = self.data.get(i) {
            match c {
                b')' => {
                    self.pos = i + 1;
                    return Cow::Borrowed(&self.data[start..i]);
                }
                b'\\' | b'(' => break,
                _ => i += 1,
            }
        }
        let mut out = Vec::new();
        let mut depth = 1usize;
        while let Some(&c) = self.data.get(self.pos) {
            self.pos += 1;
            match c {
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(c);
                }
                b'\\' => {
                    let Some(&e) = self.data.get(self.pos) else {
                        break;
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.data.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.data.get(self.pos) {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xFF) as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(c),
            }
        }
        Cow::Owned(out)
    }

    fn hex(&mut self) -> Vec<u8> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut hi: Option<u8> = None;
        while let Some(&c) = self.data.get(self.pos) {
            self.pos += 1;
            if c == b'>' {
                break;
            }
            let Some(v) = (c as char).to_digit(16) else {
                continue;
            };
            let v = v as u8;
            match hi.take() {
                Some(h) => out.push((h << 4) | v),
                None => hi = Some(v),
            }
        }
        if let Some(h) = hi {
            out.push(h << 4);
        }
        out
    }

    fn skip_dict(&mut self) {
        let mut depth = 0usize;
        while self.pos < self.data.len() {
            if self.data[self.pos..].starts_with(b"<<") {
                depth += 1;
                self.pos += 2;
            } else if self.data[self.pos..].starts_with(b">>") {
                self.pos += 2;
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return;
                }
            } else if self.data[self.pos] == b'(' {
                let _ = self.literal();
            } else {
                self.pos += 1;
            }
        }
    }

    /// Skips `BI <dict> ID <data> EI`: the data ends at "EI" between white space.
    fn skip_inline_image(&mut self) {
        // Find "ID" as a word.
        while self.pos + 1 < self.data.len() {
            if &self.data[self.pos..self.pos + 2] == b"ID"
                && self.pos > 0
                && is_white(self.data[self.pos - 1])
                && self.data.get(self.pos + 2).is_none_or(|c| is_white(*c))
            {
                self.pos += 3;
                break;
            }
            self.pos += 1;
        }
        while self.pos + 1 < self.data.len() {
            if &self.data[self.pos..self.pos + 2] == b"EI"
                && self.pos > 0
                && is_white(self.data[self.pos - 1])
                && self
                    .data
                    .get(self.pos + 2)
                    .is_none_or(|c| is_white(*c) || is_delim(*c))
            {
                self.pos += 2;
                return;
            }
            self.pos += 1;
        }
        self.pos = self.data.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(src: &[u8]) -> Vec<(String, Vec<Operand<'_>>)> {
        let mut lx = Lexer::new(src);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(op) = lx.next_op(&mut buf) {
            out.push((String::from_utf8_lossy(op).into_owned(), buf.clone()));
        }
        out
    }

    #[test]
    fn tokenizes_text_operators() {
        let src =
            b"BT /F1 12 Tf 1 0 0 1 72.5 -.5 Tm (a\\(b\\)\\101\\\nc) Tj [(x) -250 <4142 4>] TJ ET";
        let got = ops(src);
        let names: Vec<&str> = got.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(names, ["BT", "Tf", "Tm", "Tj", "TJ", "ET"]);
        assert_eq!(got[1].1, vec![Operand::Name(b"F1"), Operand::Num(12.0)]);
        assert_eq!(got[2].1[5], Operand::Num(-0.5));
        assert_eq!(got[3].1, vec![Operand::Str(Cow::Owned(b"a(b)Ac".to_vec()))]);
        assert_eq!(
            got[4].1,
            vec![Operand::Array(vec![
                Operand::Str(Cow::Borrowed(b"x")),
                Operand::Num(-250.0),
                Operand::Str(Cow::Owned(vec![0x41, 0x42, 0x40])),
            ])]
        );
    }

    #[test]
    fn skips_dictionaries_inline_images_and_comments() {
        let src = b"/Span <</ActualText (x) /MCID 3>> BDC % comment\nBI /W 2 /H 2 ID \x00EI\xff EI Q (t) Tj EMC";
        let got = ops(src);
        let names: Vec<&str> = got.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(names, ["BDC", "Q", "Tj", "EMC"]);
    }

    #[test]
    fn malformed_input_ends_without_panicking() {
        for src in [
            &b"(unterminated"[..],
            b"<41",
            b"[1 2",
            b"<<",
            b"BI ID",
            b"1.2.3 -- Td",
            b"]]>>)",
        ] {
            let _ = ops(src);
        }
        assert_eq!(
            ops(b"1.2.3 --4 Td")[0].1,
            vec![Operand::Num(1.2), Operand::Num(-4.0)]
        );
    }
}
