//! Content-stream interpretation: the text operators, the graphics state (`q`/`Q`/`cm`) and
//! form XObjects, producing positioned glyphs in device space (PDF user space of the page, y up).
//!
//! Owns nothing about layout: glyphs come out in content order with their origin, advance and
//! size, and `layout` decides lines and reading order. Form XObjects recurse with a depth limit
//! and a stack of object ids, so a cycle is an error instead of a hang.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use lopdf::{Dictionary, Object, ObjectId};

use super::fonts::Font;
use super::lexer::{Lexer, Operand};
use super::objects::Objects;
use crate::error::ErrorKind;

/// A glyph with its text (a range into [`PageGlyphs::text`]), in device space.
#[derive(Debug, Clone, Copy)]
pub struct Glyph {
    pub x: f32,
    pub y: f32,
    /// Advance along the baseline in device units.
    pub w: f32,
    /// Font size in device units.
    pub size: f32,
    pub start: u32,
    pub end: u32,
    pub bold: bool,
    /// Writing direction in quarter turns counter-clockwise (0 = left to right, upright).
    pub dir: u8,
}

#[derive(Debug, Default)]
pub struct PageGlyphs {
    pub glyphs: Vec<Glyph>,
    pub text: String,
    /// Glyphs drawn whose code maps to no text (fonts without a usable encoding).
    pub unmapped: usize,
}

impl PageGlyphs {
    pub fn text_of(&self, g: &Glyph) -> &str {
        self.text
            .get(g.start as usize..g.end as usize)
            .unwrap_or_default()
    }
}

/// Fonts loaded so far, shared by all pages of a document.
pub type FontCache = Mutex<HashMap<ObjectId, Arc<Font>>>;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct M([f32; 6]);

impl M {
    pub const ID: M = M([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self × other` (row-vector convention, as in the PDF specification).
    fn mul(&self, o: &M) -> M {
        let [a, b, c, d, e, f] = self.0;
        let [oa, ob, oc, od, oe, of] = o.0;
        M([
            a * oa + b * oc,
            a * ob + b * od,
            c * oa + d * oc,
            c * ob + d * od,
            e * oa + f * oc + oe,
            e * ob + f * od + of,
        ])
    }

    fn translate(tx: f32, ty: f32) -> M {
        M([1.0, 0.0, 0.0, 1.0, tx, ty])
    }
}

#[derive(Clone)]
struct GState {
    ctm: M,
    font: Option<Arc<Font>>,
    size: f32,
    tc: f32,
    tw: f32,
    th: f32,
    tl: f32,
    rise: f32,
}

pub struct Interp<'a, 'o> {
    objs: &'o Objects<'a>,
    fonts: &'o FontCache,
    start: Instant,
    pub out: PageGlyphs,
    ops: u64,
    stack: Vec<ObjectId>,
    gs: GState,
    gstack: Vec<GState>,
    tm: M,
    tlm: M,
}

/// Glyphs kept per page; a dense real page has a few thousand. Bounds memory on crafted input.
const MAX_GLYPHS_PER_PAGE: usize = 500_000;

impl<'a, 'o> Interp<'a, 'o> {
    pub fn new(objs: &'o Objects<'a>, fonts: &'o FontCache, start: Instant) -> Self {
        Interp {
            objs,
            fonts,
            start,
            out: PageGlyphs::default(),
            ops: 0,
            stack: Vec::new(),
            gs: GState {
                ctm: M::ID,
                font: None,
                size: 0.0,
                tc: 0.0,
                tw: 0.0,
                th: 1.0,
                tl: 0.0,
                rise: 0.0,
            },
            gstack: Vec::new(),
            tm: M::ID,
            tlm: M::ID,
        }
    }

    /// Interprets one content stream with its resources.
    pub fn run(&mut self, data: &[u8], resources: Option<&Dictionary>) -> Result<(), ErrorKind> {
        let mut local_fonts: HashMap<Vec<u8>, Arc<Font>> = HashMap::new();
        let mut lexer = Lexer::new(data);
        let mut args: Vec<Operand> = Vec::new();
        while let Some(op) = lexer.next_op(&mut args) {
            self.ops += 1;
            if self.ops.is_multiple_of(4096) {
                self.check_time()?;
                if let Some(e) = self.objs.error() {
                    return Err(e);
                }
            }
            let num = |i: usize| -> f32 { args.get(i).map_or(0.0, Operand::num) };
            match op {
                b"q" if self.gstack.len() < 4096 => self.gstack.push(self.gs.clone()),
                b"Q" => {
                    if let Some(g) = self.gstack.pop() {
                        self.gs = g;
                    }
                }
                b"cm" => {
                    let m = M([num(0), num(1), num(2), num(3), num(4), num(5)]);
                    self.gs.ctm = m.mul(&self.gs.ctm);
                }
                b"BT" => {
                    self.tm = M::ID;
                    self.tlm = M::ID;
                }
                b"Tf" => {
                    self.gs.size = num(1);
                    if let Some(Operand::Name(name)) = args.first() {
                        self.gs.font = Some(self.font(name, resources, &mut local_fonts));
                    }
                }
                b"Tc" => self.gs.tc = num(0),
                b"Tw" => self.gs.tw = num(0),
                b"Tz" => self.gs.th = num(0) / 100.0,
                b"TL" => self.gs.tl = num(0),
                b"Ts" => self.gs.rise = num(0),
                b"Td" => self.next_line(num(0), num(1)),
                b"TD" => {
                    self.gs.tl = -num(1);
                    self.next_line(num(0), num(1));
                }
                b"Tm" => {
                    self.tm = M([num(0), num(1), num(2), num(3), num(4), num(5)]);
                    self.tlm = self.tm;
                }
                b"T*" => self.next_line(0.0, -self.gs.tl),
                b"Tj" => {
                    if let Some(Operand::Str(s)) = args.first() {
                        self.show(s);
                    }
                }
                b"'" => {
                    self.next_line(0.0, -self.gs.tl);
                    if let Some(Operand::Str(s)) = args.first() {
                        self.show(s);
                    }
                }
                b"\"" => {
                    self.gs.tw = num(0);
                    self.gs.tc = num(1);
                    self.next_line(0.0, -self.gs.tl);
                    if let Some(Operand::Str(s)) = args.get(2) {
                        self.show(s);
                    }
                }
                b"TJ" => {
                    if let Some(Operand::Array(items)) = args.first() {
                        for item in items {
                            match item {
                                Operand::Str(s) => self.show(s),
                                Operand::Num(n) => {
                                    let tx = -n / 1000.0 * self.gs.size * self.gs.th;
                                    self.tm = M::translate(tx, 0.0).mul(&self.tm);
                                }
                                _ => {}
                            }
                        }
                    }
                }
                b"Do" => {
                    if let Some(Operand::Name(name)) = args.first() {
                        self.do_xobject(name, resources)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn check_time(&self) -> Result<(), ErrorKind> {
        if self.start.elapsed() > self.objs.limits.timeout {
            return Err(ErrorKind::Timeout(self.objs.limits.timeout.as_secs()));
        }
        Ok(())
    }

    fn next_line(&mut self, tx: f32, ty: f32) {
        self.tlm = M::translate(tx, ty).mul(&self.tlm);
        self.tm = self.tlm;
    }

    fn font(
        &self,
        name: &[u8],
        resources: Option<&Dictionary>,
        local: &mut HashMap<Vec<u8>, Arc<Font>>,
    ) -> Arc<Font> {
        if let Some(f) = local.get(name) {
            return f.clone();
        }
        let objs = self.objs;
        let fonts_dict = resources.and_then(|r| objs.dict(r.get(b"Font").ok()));
        let entry = fonts_dict.and_then(|d| d.get(name).ok());
        let font = match entry {
            Some(Object::Reference(id)) => {
                let cached = self.fonts.lock().ok().and_then(|c| c.get(id).cloned());
                match cached {
                    Some(f) => f,
                    None => {
                        let f = Arc::new(
                            objs.dict(entry)
                                .map(|d| Font::load(d, objs))
                                .unwrap_or_else(Font::fallback),
                        );
                        if let Ok(mut c) = self.fonts.lock() {
                            c.insert(*id, f.clone());
                        }
                        f
                    }
                }
            }
            Some(Object::Dictionary(d)) => Arc::new(Font::load(d, objs)),
            _ => Arc::new(Font::fallback()),
        };
        local.insert(name.to_vec(), font.clone());
        font
    }

    fn show(&mut self, bytes: &[u8]) {
        let Some(font) = self.gs.font.clone() else {
            return;
        };
        let gs = &self.gs;
        let (size, th, tc, tw, rise) = (gs.size, gs.th, gs.tc, gs.tw, gs.rise);
        let ctm = gs.ctm;
        let bold = font.bold;
        let mut tm = self.tm;
        let out = &mut self.out;
        font.decode(bytes, |text, w, is_space| {
            let trm = M([size * th, 0.0, 0.0, size, 0.0, rise]).mul(&tm.mul(&ctm));
            let full = tm.mul(&ctm);
            let tx = (w * size + tc + if is_space { tw } else { 0.0 }) * th;
            let scale_x = (full.0[0] * full.0[0] + full.0[1] * full.0[1]).sqrt();
            let dev_size = (trm.0[2] * trm.0[2] + trm.0[3] * trm.0[3]).sqrt();
            let (ax, ay) = (full.0[0], full.0[1]);
            let dir = if ax.abs() >= ay.abs() {
                if ax >= 0.0 { 0 } else { 2 }
            } else if ay > 0.0 {
                1
            } else {
                3
            };
            if text.is_empty() {
                out.unmapped += 1;
            } else if out.glyphs.len() < MAX_GLYPHS_PER_PAGE {
                let start = out.text.len() as u32;
                out.text.push_str(text);
                out.glyphs.push(Glyph {
                    x: trm.0[4],
                    y: trm.0[5],
                    w: tx * scale_x,
                    size: dev_size,
                    start,
                    end: out.text.len() as u32,
                    bold,
                    dir,
                });
            }
            tm = M::translate(tx, 0.0).mul(&tm);
        });
        self.tm = tm;
    }

    fn do_xobject(&mut self, name: &[u8], resources: Option<&Dictionary>) -> Result<(), ErrorKind> {
        let objs = self.objs;
        let Some(xobjects) = resources.and_then(|r| objs.dict(r.get(b"XObject").ok())) else {
            return Ok(());
        };
        let entry = xobjects.get(name).ok();
        let id = match entry {
            Some(Object::Reference(id)) => *id,
            _ => return Ok(()),
        };
        let Some(Object::Stream(stream)) = objs.resolve(entry) else {
            return Ok(());
        };
        if objs.name(stream.dict.get(b"Subtype").ok()).as_deref() != Some(b"Form") {
            return Ok(());
        }
        if self.stack.contains(&id) {
            return Err(ErrorKind::corrupt(
                "pdf",
                format!("cycle in form XObjects at object {} {} R", id.0, id.1),
            ));
        }
        if self.stack.len() >= objs.limits.max_pdf_depth {
            return Err(ErrorKind::limit(
                "pdf form XObject nesting depth",
                objs.limits.max_pdf_depth as u64,
                self.stack.len() as u64 + 1,
            ));
        }
        self.check_time()?;
        let Some(data) = objs.decode_stream(stream) else {
            return match objs.error() {
                Some(e) => Err(e),
                None => Ok(()),
            };
        };
        let saved = (self.gs.clone(), self.tm, self.tlm, self.gstack.len());
        if let Some(m) = objs.array(stream.dict.get(b"Matrix").ok())
            && m.len() == 6
        {
            let v: Vec<f32> = m
                .iter()
                .map(|o| objs.number(Some(o)).unwrap_or(0.0))
                .collect();
            let m = M([v[0], v[1], v[2], v[3], v[4], v[5]]);
            self.gs.ctm = m.mul(&self.gs.ctm);
        }
        let own = objs.dict(stream.dict.get(b"Resources").ok());
        self.stack.push(id);
        let r = self.run(&data, own.or(resources));
        self.stack.pop();
        self.gs = saved.0;
        self.tm = saved.1;
        self.tlm = saved.2;
        self.gstack.truncate(saved.3);
        r
    }
}

impl PageGlyphs {
    /// Turns the page so that its dominant writing direction reads left to right, and returns
    /// the media box in the turned coordinates (landscape printouts with rotated text).
    pub fn normalise_direction(&mut self, media: [f32; 4]) -> [f32; 4] {
        let mut counts = [0usize; 4];
        for g in &self.glyphs {
            counts[usize::from(g.dir & 3)] += 1;
        }
        let dir = (0..4).max_by_key(|d| counts[*d]).unwrap_or(0);
        if dir == 0 {
            return media;
        }
        let turn = |x: f32, y: f32| -> (f32, f32) {
            match dir {
                1 => (y, -x),
                2 => (-x, -y),
                _ => (-y, x),
            }
        };
        for g in &mut self.glyphs {
            let (x, y) = turn(g.x, g.y);
            g.x = x;
            g.y = y;
        }
        let (ax, ay) = turn(media[0], media[1]);
        let (bx, by) = turn(media[2], media[3]);
        [ax.min(bx), ay.min(by), ax.max(bx), ay.max(by)]
    }
}
