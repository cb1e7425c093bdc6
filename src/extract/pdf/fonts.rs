//! Fonts as far as text extraction needs them: which bytes form one character code, what Unicode
//! text each code stands for, and how far each glyph advances.
//!
//! Owns ToUnicode CMap parsing (bfchar/bfrange, including array targets), the codespace of Type0
//! fonts (Identity-H and embedded CMaps), simple-font encodings with `/Differences`, and glyph
//! widths (`/Widths`, `/W`, `/DW`). Mapping order follows what viewers do: a ToUnicode entry
//! wins, then the encoding, then the raw code read as Latin-1. The base encodings and the
//! Adobe glyph list come from lopdf (queried through its public font-encoding API once per
//! table or name and cached), so there is one copy of those tables in the binary.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use lopdf::{Dictionary, Object};

use super::objects::Objects;

/// A code-to-Unicode map read from a CMap stream, plus the code lengths it declares.
#[derive(Debug, Default, Clone)]
pub struct CMap {
    /// (byte length, low, high) of each codespace range.
    pub codespaces: Vec<(u8, u32, u32)>,
    chars: HashMap<u32, String>,
    /// (low, high, first target as UTF-16) sorted by low.
    ranges: Vec<(u32, u32, Vec<u16>)>,
}

impl CMap {
    /// Appends the text for `code` to `out`; false when the map has no entry.
    pub fn lookup_into(&self, code: u32, out: &mut String) -> bool {
        if let Some(s) = self.chars.get(&code) {
            out.push_str(s);
            return true;
        }
        let i = self.ranges.partition_point(|(lo, _, _)| *lo <= code);
        // Ranges may overlap; search back a few entries for one that covers the code.
        for (lo, hi, dst) in self.ranges[..i].iter().rev().take(8) {
            if code >= *lo && code <= *hi {
                let delta = (code - lo) as u16;
                let n = dst.len();
                let units = dst.iter().enumerate().map(|(k, u)| {
                    if k + 1 == n {
                        u.wrapping_add(delta)
                    } else {
                        *u
                    }
                });
                out.extend(char::decode_utf16(units).map(|c| c.unwrap_or('\u{FFFD}')));
                return true;
            }
        }
        false
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty() && self.ranges.is_empty()
    }

    /// Parses the CMap syntax subset used by ToUnicode and encoding CMaps. Unknown syntax is
    /// skipped, never an error.
    pub fn parse(data: &[u8]) -> CMap {
        let toks = tokenize(data);
        let mut cmap = CMap::default();
        let mut i = 0;
        while i < toks.len() {
            match &toks[i] {
                Tok::Kw(k) if k == b"begincodespacerange" => {
                    i += 1;
                    while i + 1 < toks.len() {
                        match (&toks[i], &toks[i + 1]) {
                            (Tok::Hex(lo), Tok::Hex(hi)) => {
                                let len = lo.len().clamp(1, 4) as u8;
                                cmap.codespaces.push((len, be(lo), be(hi)));
                                i += 2;
                            }
                            _ => break,
                        }
                    }
                }
                Tok::Kw(k) if k == b"beginbfchar" => {
                    i += 1;
                    while i + 1 < toks.len() {
                        match (&toks[i], &toks[i + 1]) {
                            (Tok::Hex(src), Tok::Hex(dst)) => {
                                cmap.chars.insert(be(src), utf16_bytes(dst));
                                i += 2;
                            }
                            (Tok::Hex(src), Tok::Name(n)) => {
                                if let Some(s) = glyph_name_to_unicode(n) {
                                    cmap.chars.insert(be(src), s);
                                }
                                i += 2;
                            }
                            _ => break,
                        }
                    }
                }
                Tok::Kw(k) if k == b"beginbfrange" => {
                    i += 1;
                    while i + 2 < toks.len() {
                        let (Tok::Hex(lo), Tok::Hex(hi)) = (&toks[i], &toks[i + 1]) else {
                            break;
                        };
                        let (lo, hi) = (be(lo), be(hi));
                        match &toks[i + 2] {
                            Tok::Hex(dst) => {
                                if hi >= lo {
                                    let units: Vec<u16> = dst
                                        .chunks(2)
                                        .map(|c| {
                                            u16::from_be_bytes([
                                                c.first().copied().unwrap_or(0),
                                                c.get(1).copied().unwrap_or(0),
                                            ])
                                        })
                                        .collect();
                                    cmap.ranges.push((lo, hi, units));
                                }
                                i += 3;
                            }
                            Tok::Open => {
                                i += 3;
                                let mut code = lo;
                                while i < toks.len() {
                                    match &toks[i] {
                                        Tok::Hex(dst) => {
                                            if code <= hi {
                                                cmap.chars.insert(code, utf16_bytes(dst));
                                            }
                                            code = code.saturating_add(1);
                                            i += 1;
                                        }
                                        Tok::Close => {
                                            i += 1;
                                            break;
                                        }
                                        _ => i += 1,
                                    }
                                }
                            }
                            _ => break,
                        }
                    }
                }
                _ => i += 1,
            }
        }
        cmap.ranges.sort_by_key(|r| r.0);
        cmap
    }
}

fn be(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .take(4)
        .fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
}

fn utf16_bytes(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|c| {
            if c.len() == 2 {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                u16::from(c[0])
            }
        })
        .collect();
    String::from_utf16_lossy(&units)
        .chars()
        .filter(|c| *c != '\u{0}')
        .collect()
}

#[derive(Debug)]
enum Tok {
    Hex(Vec<u8>),
    Name(Vec<u8>),
    Kw(Vec<u8>),
    Open,
    Close,
    Other,
}

fn tokenize(data: &[u8]) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = data.len();
    while i < n {
        let c = data[i];
        match c {
            b'%' => {
                while i < n && data[i] != b'\n' && data[i] != b'\r' {
                    i += 1;
                }
            }
            b'<' if data.get(i + 1) == Some(&b'<') => {
                out.push(Tok::Other);
                i += 2;
            }
            b'>' if data.get(i + 1) == Some(&b'>') => {
                out.push(Tok::Other);
                i += 2;
            }
            b'<' => {
                i += 1;
                let mut nibbles = Vec::new();
                while i < n && data[i] != b'>' {
                    if let Some(v) = (data[i] as char).to_digit(16) {
                        nibbles.push(v as u8);
                    }
                    i += 1;
                }
                i += 1;
                if nibbles.len() % 2 == 1 {
                    nibbles.push(0);
                }
                out.push(Tok::Hex(
                    nibbles.chunks(2).map(|p| (p[0] << 4) | p[1]).collect(),
                ));
            }
            b'[' => {
                out.push(Tok::Open);
                i += 1;
            }
            b']' => {
                out.push(Tok::Close);
                i += 1;
            }
            b'(' => {
                let mut depth = 0;
                while i < n {
                    match data[i] {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                i += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                out.push(Tok::Other);
            }
            b'/' => {
                let start = i + 1;
                i += 1;
                while i < n && !is_delim(data[i]) {
                    i += 1;
                }
                out.push(Tok::Name(data[start..i].to_vec()));
            }
            c if c.is_ascii_whitespace() || c == 0 => i += 1,
            _ => {
                let start = i;
                while i < n && !is_delim(data[i]) {
                    i += 1;
                }
                if i == start {
                    i += 1;
                    out.push(Tok::Other);
                } else {
                    out.push(Tok::Kw(data[start..i].to_vec()));
                }
            }
        }
    }
    out
}

fn is_delim(c: u8) -> bool {
    c.is_ascii_whitespace()
        || matches!(c, b'/' | b'<' | b'>' | b'[' | b']' | b'(' | b')' | b'%' | 0)
}

/// Unicode text for an Adobe glyph name: `uniXXXX`, `uXXXX[XX]`, ligature names joined with `_`,
/// suffixed names (`a.sc`), and the Adobe glyph list.
pub fn glyph_name_to_unicode(name: &[u8]) -> Option<String> {
    static CACHE: LazyLock<Mutex<HashMap<Vec<u8>, Option<String>>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    if let Ok(cache) = CACHE.lock()
        && let Some(v) = cache.get(name)
    {
        return v.clone();
    }
    let v = glyph_name_uncached(name);
    if let Ok(mut cache) = CACHE.lock()
        && cache.len() < 50_000
    {
        cache.insert(name.to_vec(), v.clone());
    }
    v
}

fn glyph_name_uncached(name: &[u8]) -> Option<String> {
    let name = std::str::from_utf8(name).ok()?;
    let base = name.split('.').next().unwrap_or(name);
    if base.is_empty() {
        return None;
    }
    if base.contains('_') {
        let parts: Option<String> = base
            .split('_')
            .map(|p| glyph_name_uncached(p.as_bytes()))
            .collect();
        return parts;
    }
    if let Some(hex) = base.strip_prefix("uni")
        && hex.len() >= 4
        && hex.len() % 4 == 0
        && hex.chars().all(|c| c.is_ascii_hexdigit())
    {
        let units: Vec<u16> = hex
            .as_bytes()
            .chunks(4)
            .filter_map(|c| u16::from_str_radix(std::str::from_utf8(c).ok()?, 16).ok())
            .collect();
        return Some(String::from_utf16_lossy(&units));
    }
    if let Some(hex) = base.strip_prefix('u')
        && (4..=6).contains(&hex.len())
        && hex.chars().all(|c| c.is_ascii_hexdigit())
    {
        return u32::from_str_radix(hex, 16)
            .ok()
            .and_then(char::from_u32)
            .map(String::from);
    }
    let s = agl_lookup(base.as_bytes());
    if s.is_some() {
        return s;
    }
    // Names such as "g32" / "cid32" / "G32" carry no meaning: no text.
    None
}

/// The Adobe glyph list as lopdf holds it, reached through a one-entry `/Differences` font.
fn agl_lookup(name: &[u8]) -> Option<String> {
    let doc = lopdf::Document::new();
    let mut enc = Dictionary::new();
    enc.set(
        "Differences",
        Object::Array(vec![Object::Integer(0), Object::Name(name.to_vec())]),
    );
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Encoding", Object::Dictionary(enc));
    let encoding = font.get_font_encoding(&doc).ok()?;
    let s = encoding.bytes_to_string(&[0]).ok()?;
    if s.is_empty() { None } else { Some(s) }
}

/// A 256-entry table of a named base encoding, read from lopdf once.
fn base_table(name: &'static [u8]) -> &'static [Option<char>; 256] {
    type Table = (&'static [u8], [Option<char>; 256]);
    static TABLES: LazyLock<Vec<Table>> = LazyLock::new(|| {
        let names: [&'static [u8]; 4] = [
            b"WinAnsiEncoding",
            b"MacRomanEncoding",
            b"StandardEncoding",
            b"MacExpertEncoding",
        ];
        let doc = lopdf::Document::new();
        names
            .iter()
            .map(|n| {
                let mut font = Dictionary::new();
                font.set("Type", Object::Name(b"Font".to_vec()));
                font.set("Encoding", Object::Name(n.to_vec()));
                let mut table = [None; 256];
                if let Ok(enc) = font.get_font_encoding(&doc) {
                    for (b, slot) in table.iter_mut().enumerate() {
                        if let Ok(s) = enc.bytes_to_string(&[b as u8]) {
                            *slot = s.chars().next();
                        }
                    }
                }
                (*n, table)
            })
            .collect()
    });
    TABLES
        .iter()
        .find(|(n, _)| *n == name)
        .or_else(|| TABLES.first())
        .map(|(_, t)| t)
        .unwrap_or(&EMPTY_TABLE)
}

static EMPTY_TABLE: [Option<char>; 256] = [None; 256];

fn named_base(name: &[u8]) -> Option<&'static [u8]> {
    Some(match name {
        b"WinAnsiEncoding" => b"WinAnsiEncoding",
        b"MacRomanEncoding" => b"MacRomanEncoding",
        b"StandardEncoding" => b"StandardEncoding",
        b"MacExpertEncoding" => b"MacExpertEncoding",
        _ => return None,
    })
}

#[derive(Debug, Clone)]
enum Widths {
    Simple {
        first: u32,
        widths: Vec<f32>,
        missing: f32,
    },
    Cid {
        map: HashMap<u32, f32>,
        default: f32,
    },
}

/// One font of a page, ready to turn string bytes into (text, advance) per glyph.
#[derive(Debug, Clone)]
pub struct Font {
    /// Codespace ranges of a Type0 font; empty means one byte per code.
    codespaces: Vec<(u8, u32, u32)>,
    to_unicode: Option<CMap>,
    /// Text for each single-byte code from the encoding (simple fonts).
    simple: Option<Box<[Option<String>]>>,
    /// Predefined UCS-2 CMaps (UniGB-UCS2-H, ...) where the code is the text.
    ucs2: bool,
    widths: Widths,
    /// For CIDFontType2 fonts without ToUnicode: glyph id -> character, read from the embedded
    /// TrueType font's own cmap, and the CID -> glyph id map (`None` = identity).
    gid_unicode: Option<HashMap<u16, char>>,
    cid_to_gid: Option<Vec<u16>>,
    /// Glyph space to text space: 0.001 except for Type3 fonts.
    scale: f32,
    pub bold: bool,
    pub name: String,
}

impl Font {
    /// A font used when the resource is missing or unreadable: one byte per code, Latin-1.
    pub fn fallback() -> Font {
        Font {
            codespaces: Vec::new(),
            to_unicode: None,
            simple: None,
            ucs2: false,
            widths: Widths::Simple {
                first: 0,
                widths: Vec::new(),
                missing: 500.0,
            },
            gid_unicode: None,
            cid_to_gid: None,
            scale: 0.001,
            bold: false,
            name: String::new(),
        }
    }

    pub fn load(dict: &Dictionary, objs: &Objects) -> Font {
        let subtype = objs.name(dict.get(b"Subtype").ok()).unwrap_or_default();
        let base_font = objs.name(dict.get(b"BaseFont").ok()).unwrap_or_default();
        let name = String::from_utf8_lossy(&base_font).into_owned();
        let lname = name.to_ascii_lowercase();
        let mut font = Font::fallback();
        font.bold = lname.contains("bold") || lname.contains("black") || lname.contains("heavy");
        font.name = name;
        font.to_unicode = objs
            .stream_data(dict.get(b"ToUnicode").ok())
            .map(|d| CMap::parse(&d))
            .filter(|c| !c.is_empty());
        if subtype == b"Type0" {
            font.load_type0(dict, objs);
        } else {
            font.load_simple(dict, objs, &subtype);
        }
        font
    }

    fn load_type0(&mut self, dict: &Dictionary, objs: &Objects) {
        match objs.resolve(dict.get(b"Encoding").ok()) {
            Some(Object::Name(n)) => {
                let n = n.as_slice();
                if n.starts_with(b"Uni") && (n.windows(4).any(|w| w == b"UCS2" || w == b"TF16")) {
                    self.ucs2 = true;
                }
                self.codespaces = vec![(2, 0, 0xFFFF)];
            }
            Some(Object::Stream(s)) => {
                let data = objs.decode_stream(s);
                let cmap = data.map(|d| CMap::parse(&d)).unwrap_or_default();
                self.codespaces = if cmap.codespaces.is_empty() {
                    vec![(2, 0, 0xFFFF)]
                } else {
                    cmap.codespaces
                };
            }
            _ => self.codespaces = vec![(2, 0, 0xFFFF)],
        }
        let descendant = objs
            .array(dict.get(b"DescendantFonts").ok())
            .and_then(|a| a.first().and_then(|o| objs.dict(Some(o))));
        let mut map = HashMap::new();
        let mut default = 1000.0;
        if let Some(desc) = descendant {
            if let Some(dw) = objs.number(desc.get(b"DW").ok()) {
                default = dw;
            }
            if let Some(w) = objs.array(desc.get(b"W").ok()) {
                let mut i = 0;
                while i < w.len() {
                    let Some(first) = objs.number(w.get(i)) else {
                        break;
                    };
                    let first = first.max(0.0) as u32;
                    match objs.resolve(w.get(i + 1)) {
                        Some(Object::Array(list)) => {
                            for (k, o) in list.iter().enumerate().take(65536) {
                                if let Some(v) = objs.number(Some(o)) {
                                    map.insert(first.saturating_add(k as u32), v);
                                }
                            }
                            i += 2;
                        }
                        Some(_) => {
                            let (Some(last), Some(v)) =
                                (objs.number(w.get(i + 1)), objs.number(w.get(i + 2)))
                            else {
                                break;
                            };
                            let last = (last.max(0.0) as u32).min(first.saturating_add(65535));
                            for c in first..=last {
                                map.insert(c, v);
                            }
                            i += 3;
                        }
                        None => break,
                    }
                }
            }
            if self.to_unicode.is_none() && !self.ucs2 {
                let file = objs
                    .dict(desc.get(b"FontDescriptor").ok())
                    .and_then(|fd| objs.stream_data(fd.get(b"FontFile2").ok()));
                self.gid_unicode = file.as_deref().and_then(truetype_reverse_cmap);
                if let Some(data) = objs.stream_data(desc.get(b"CIDToGIDMap").ok()) {
                    self.cid_to_gid = Some(
                        data.chunks_exact(2)
                            .map(|c| u16::from_be_bytes([c[0], c[1]]))
                            .collect(),
                    );
                }
            }
            let dname = objs.name(desc.get(b"BaseFont").ok()).unwrap_or_default();
            if String::from_utf8_lossy(&dname)
                .to_ascii_lowercase()
                .contains("bold")
            {
                self.bold = true;
            }
        }
        self.widths = Widths::Cid { map, default };
    }

    fn load_simple(&mut self, dict: &Dictionary, objs: &Objects, subtype: &[u8]) {
        let first = objs.number(dict.get(b"FirstChar").ok()).unwrap_or(0.0);
        let widths: Vec<f32> = objs
            .array(dict.get(b"Widths").ok())
            .map(|a| {
                a.iter()
                    .take(256)
                    .map(|o| objs.number(Some(o)).unwrap_or(0.0))
                    .collect()
            })
            .unwrap_or_default();
        let descriptor = objs.dict(dict.get(b"FontDescriptor").ok());
        let missing = descriptor
            .and_then(|d| objs.number(d.get(b"MissingWidth").ok()))
            .filter(|w| *w > 0.0);
        let missing = missing.unwrap_or(if self.name.contains("Courier") {
            600.0
        } else {
            500.0
        });
        if subtype == b"Type3"
            && let Some(m) = objs.array(dict.get(b"FontMatrix").ok())
            && let Some(a) = objs.number(m.first())
        {
            self.scale = a.abs();
        }
        let symbolic = descriptor
            .and_then(|d| objs.number(d.get(b"Flags").ok()))
            .is_some_and(|f| (f as i64) & 4 != 0);
        let standard_widths = widths.is_empty() && subtype != b"Type3";
        self.widths = Widths::Simple {
            first: first.max(0.0) as u32,
            widths,
            missing,
        };
        if standard_widths {
            self.widths = standard14_widths(&self.name);
        }
        // The encoding table: base encoding, then /Differences.
        let enc = objs.resolve(dict.get(b"Encoding").ok());
        let (base, diffs): (Option<&'static [u8]>, Option<&Vec<Object>>) = match enc {
            Some(Object::Name(n)) => (named_base(n), None),
            Some(Object::Dictionary(d)) => (
                objs.name(d.get(b"BaseEncoding").ok())
                    .and_then(|n| named_base(&n)),
                objs.array(d.get(b"Differences").ok()),
            ),
            _ => (None, None),
        };
        let base = base.unwrap_or(if symbolic || subtype == b"TrueType" {
            b"WinAnsiEncoding"
        } else {
            b"StandardEncoding"
        });
        let table = base_table(base);
        let mut simple: Vec<Option<String>> = table.iter().map(|c| c.map(String::from)).collect();
        if enc.is_none() && self.name.contains("Symbol") {
            // The Symbol font's built-in encoding: Greek letters where ASCII has Latin ones.
            const UPPER: &str = "ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ";
            const LOWER: &str = "αβχδεφγηιϕκλμνοπθρστυϖωξψζ";
            for (i, c) in UPPER.chars().enumerate() {
                simple[0x41 + i] = Some(c.to_string());
            }
            for (i, c) in LOWER.chars().enumerate() {
                simple[0x61 + i] = Some(c.to_string());
            }
        }
        if let Some(diffs) = diffs {
            let mut code: usize = 0;
            for o in diffs.iter().take(4096) {
                match objs.resolve(Some(o)) {
                    Some(Object::Integer(i)) => code = (*i).clamp(0, 255) as usize,
                    Some(Object::Name(n)) => {
                        if let Some(slot) = simple.get_mut(code) {
                            *slot = glyph_name_to_unicode(n);
                        }
                        code += 1;
                    }
                    _ => {}
                }
            }
        }
        self.simple = Some(simple.into_boxed_slice());
    }

    /// Splits `bytes` into codes and calls `f(text, advance in text space / font size,
    /// is_single_byte_space)` per glyph.
    pub fn decode(&self, bytes: &[u8], mut f: impl FnMut(&str, f32, bool)) {
        let mut i = 0;
        let mut buf = String::new();
        while i < bytes.len() {
            let (code, len) = self.next_code(&bytes[i..]);
            i += len;
            buf.clear();
            self.text_for(code, &mut buf);
            let w = self.width(code) * self.scale;
            f(&buf, w, len == 1 && code == 32);
        }
    }

    fn next_code(&self, bytes: &[u8]) -> (u32, usize) {
        if self.codespaces.is_empty() {
            return (u32::from(bytes.first().copied().unwrap_or(0)), 1);
        }
        let mut code = 0u32;
        for len in 1..=4usize {
            let Some(b) = bytes.get(len - 1) else { break };
            code = (code << 8) | u32::from(*b);
            if self
                .codespaces
                .iter()
                .any(|(l, lo, hi)| usize::from(*l) == len && code >= *lo && code <= *hi)
            {
                return (code, len);
            }
        }
        // No range matched: take the shortest declared length.
        let len = self
            .codespaces
            .iter()
            .map(|(l, _, _)| usize::from(*l))
            .min()
            .unwrap_or(1)
            .clamp(1, bytes.len().max(1));
        (be(&bytes[..len.min(bytes.len())]), len.max(1))
    }

    fn text_for(&self, code: u32, out: &mut String) {
        if self
            .to_unicode
            .as_ref()
            .is_some_and(|c| c.lookup_into(code, out))
        {
            return;
        }
        if self.ucs2 {
            if let Some(c) = char::from_u32(code) {
                out.push(c);
            }
            return;
        }
        if let Some(rev) = &self.gid_unicode {
            let gid = match &self.cid_to_gid {
                Some(map) => map.get(code as usize).copied(),
                None => u16::try_from(code).ok(),
            };
            if let Some(c) = gid.and_then(|g| rev.get(&g)) {
                out.push(*c);
            }
            return;
        }
        if let Some(simple) = &self.simple {
            if let Some(Some(s)) = simple.get(code as usize) {
                out.push_str(s);
                return;
            }
            // Codes the encoding leaves empty: read them as Latin-1 printable characters.
            if let Some(c) = char::from_u32(code).filter(|c| !c.is_control())
                && code >= 32
            {
                out.push(c);
            }
        }
    }

    fn width(&self, code: u32) -> f32 {
        match &self.widths {
            Widths::Simple {
                first,
                widths,
                missing,
            } => code
                .checked_sub(*first)
                .and_then(|i| widths.get(i as usize))
                .copied()
                .filter(|w| *w > 0.0)
                .unwrap_or(*missing),
            Widths::Cid { map, default } => map.get(&code).copied().unwrap_or(*default),
        }
    }
}

/// Approximate widths for the standard 14 fonts when a PDF gives none: Helvetica's widths for
/// printable ASCII (close enough for word spacing with Times and Arial too), Courier fixed.
fn standard14_widths(name: &str) -> Widths {
    if name.contains("Courier") {
        return Widths::Simple {
            first: 0,
            widths: Vec::new(),
            missing: 600.0,
        };
    }
    const HELVETICA: [u16; 95] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556,
        556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722,
        722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722,
        667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
        556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500,
        500, 334, 260, 334, 584,
    ];
    Widths::Simple {
        first: 32,
        widths: HELVETICA.iter().map(|w| f32::from(*w)).collect(),
        missing: 556.0,
    }
}

fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(at)?, *d.get(at + 1)?]))
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *d.get(at)?,
        *d.get(at + 1)?,
        *d.get(at + 2)?,
        *d.get(at + 3)?,
    ]))
}

/// Glyph id -> character from an embedded TrueType font's Unicode `cmap` subtable (format 4
/// or 12), for CID fonts that come without a ToUnicode map.
pub fn truetype_reverse_cmap(font: &[u8]) -> Option<HashMap<u16, char>> {
    let tables = usize::from(be16(font, 4)?);
    let mut cmap = None;
    for i in 0..tables.min(256) {
        let rec = 12 + 16 * i;
        if font.get(rec..rec + 4)? == b"cmap" {
            cmap = Some(be32(font, rec + 8)? as usize);
        }
    }
    let cmap = cmap?;
    let subtables = usize::from(be16(font, cmap + 2)?);
    let mut best: Option<(u8, usize)> = None;
    for i in 0..subtables.min(64) {
        let rec = cmap + 4 + 8 * i;
        let (platform, encoding) = (be16(font, rec)?, be16(font, rec + 2)?);
        let offset = cmap + be32(font, rec + 4)? as usize;
        let rank = match (platform, encoding) {
            (3, 10) | (0, 4) | (0, 6) => 3,
            (3, 1) | (0, _) => 2,
            _ => continue,
        };
        if best.is_none_or(|(r, _)| rank > r) {
            best = Some((rank, offset));
        }
    }
    let (_, sub) = best?;
    let mut rev: HashMap<u16, char> = HashMap::new();
    let mut add = |cp: u32, gid: u32| {
        if let (Some(c), Ok(g)) = (char::from_u32(cp), u16::try_from(gid))
            && g != 0
        {
            rev.entry(g).or_insert(c);
        }
    };
    match be16(font, sub)? {
        4 => {
            let segs = usize::from(be16(font, sub + 6)? / 2);
            let ends = sub + 14;
            let starts = ends + 2 * segs + 2;
            let deltas = starts + 2 * segs;
            let ranges = deltas + 2 * segs;
            for k in 0..segs {
                let end = u32::from(be16(font, ends + 2 * k)?);
                let start = u32::from(be16(font, starts + 2 * k)?);
                let delta = be16(font, deltas + 2 * k)?;
                let range = usize::from(be16(font, ranges + 2 * k)?);
                if start > end || end == 0xFFFF && start == 0xFFFF {
                    continue;
                }
                for cp in start..=end {
                    let gid = if range == 0 {
                        (cp as u16).wrapping_add(delta)
                    } else {
                        let at = ranges + 2 * k + range + 2 * (cp - start) as usize;
                        match be16(font, at) {
                            Some(0) | None => 0,
                            Some(g) => g.wrapping_add(delta),
                        }
                    };
                    add(cp, u32::from(gid));
                }
            }
        }
        12 => {
            let groups = be32(font, sub + 12)? as usize;
            for k in 0..groups.min(100_000) {
                let g = sub + 16 + 12 * k;
                let (start, end, gid) = (be32(font, g)?, be32(font, g + 4)?, be32(font, g + 8)?);
                for cp in start..=end.min(start.saturating_add(0xFFFF)) {
                    add(cp, gid.wrapping_add(cp - start));
                }
            }
        }
        _ => return None,
    }
    (!rev.is_empty()).then_some(rev)
}
