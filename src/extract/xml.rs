//! A small, bounded XML tree for the DOCX and ODT readers, built with quick-xml.
//!
//! This module owns turning one untrusted XML part into a tree of [`Element`]s and text nodes:
//! namespaces resolved to a closed [`Ns`] set (so Strict and Transitional OOXML, or any prefix
//! spelling, match alike, and DrawingML's `a:p` is never mistaken for `w:p`), entities and
//! character references resolved, adjacent character data merged into one text node. It does not
//! know what a paragraph is.
//!
//! Design decision: a tree, not a streaming walker. Numbering, fields that span runs, merged
//! table cells and notes placed after their reference are far simpler on a tree, and the tree is
//! bounded by the part's decompressed size (already limited by `zipx`) and by
//! `Limits::max_xml_depth`, checked while building, so recursion over it is bounded too.
//! DOCTYPE declarations are skipped and entity references other than the five predefined ones are
//! dropped, so a billion-laughs document costs its own size and nothing more. A part that ends
//! inside an element is `Corrupt` naming the part, never a hang.

use std::borrow::Cow;
use std::time::Instant;

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::error::ErrorKind;
use crate::limits::Limits;

/// The namespaces the readers look at; everything else is [`Ns::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ns {
    /// WordprocessingML main (Transitional or Strict).
    W,
    /// Office document relationships (`r:id`).
    R,
    /// Markup compatibility (`mc:AlternateContent`).
    Mc,
    /// Package relationships (`_rels/*.rels`).
    Rels,
    /// Dublin Core (`dc:title`).
    Dc,
    OdfOffice,
    OdfText,
    OdfTable,
    OdfStyle,
    OdfDraw,
    OdfFo,
    None,
    Other,
}

fn classify(uri: &str) -> Ns {
    match uri {
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        | "http://purl.oclc.org/ooxml/wordprocessingml/main" => Ns::W,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        | "http://purl.oclc.org/ooxml/officeDocument/relationships" => Ns::R,
        "http://schemas.openxmlformats.org/markup-compatibility/2006" => Ns::Mc,
        "http://schemas.openxmlformats.org/package/2006/relationships" => Ns::Rels,
        "http://purl.org/dc/elements/1.1/" => Ns::Dc,
        "urn:oasis:names:tc:opendocument:xmlns:office:1.0" => Ns::OdfOffice,
        "urn:oasis:names:tc:opendocument:xmlns:text:1.0" => Ns::OdfText,
        "urn:oasis:names:tc:opendocument:xmlns:table:1.0" => Ns::OdfTable,
        "urn:oasis:names:tc:opendocument:xmlns:style:1.0" => Ns::OdfStyle,
        "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" => Ns::OdfDraw,
        "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" => Ns::OdfFo,
        _ => Ns::Other,
    }
}

/// One element: namespace, local name, attributes by local name, children in document order.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub ns: Ns,
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

/// A child of an element. Adjacent character data (text, CDATA, references) is one `Text`.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    /// True when this is `local` in namespace `ns`.
    pub fn is(&self, ns: Ns, local: &str) -> bool {
        self.ns == ns && self.name == local
    }

    /// The value of the attribute with this local name (any namespace).
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == local)
            .map(|(_, v)| v.as_str())
    }

    /// Child elements in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child element `local` in `ns`.
    pub fn child(&self, ns: Ns, local: &str) -> Option<&Element> {
        self.elements().find(|e| e.is(ns, local))
    }

    /// All descendant elements (not self), depth first in document order.
    pub fn descendants(&self) -> Descendants<'_> {
        Descendants {
            stack: vec![self.children.iter()],
        }
    }

    /// The concatenated text of all descendant text nodes.
    pub fn text(&self) -> String {
        let mut out = String::new();
        collect_text(self, &mut out);
        out
    }
}

fn collect_text(e: &Element, out: &mut String) {
    for n in &e.children {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Element(c) => collect_text(c, out),
        }
    }
}

/// Iterator behind [`Element::descendants`]; uses an explicit stack, no recursion.
pub struct Descendants<'a> {
    stack: Vec<std::slice::Iter<'a, Node>>,
}

impl<'a> Iterator for Descendants<'a> {
    type Item = &'a Element;
    fn next(&mut self) -> Option<&'a Element> {
        loop {
            let top = self.stack.last_mut()?;
            match top.next() {
                None => {
                    self.stack.pop();
                }
                Some(Node::Text(_)) => {}
                Some(Node::Element(e)) => {
                    self.stack.push(e.children.iter());
                    return Some(e);
                }
            }
        }
    }
}

/// A wall-clock budget shared by every step of reading one document.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    start: Instant,
    budget: std::time::Duration,
}

impl Deadline {
    pub fn new(limits: &Limits) -> Self {
        Deadline {
            start: Instant::now(),
            budget: limits.timeout,
        }
    }

    /// `Err(Timeout)` once the budget is spent.
    pub fn check(&self) -> Result<(), ErrorKind> {
        if self.start.elapsed() > self.budget {
            Err(ErrorKind::Timeout(self.budget.as_secs()))
        } else {
            Ok(())
        }
    }
}

/// Parses one XML part into its root element. `format` and `part` name the source in errors.
pub fn parse(
    bytes: &[u8],
    format: &str,
    part: &str,
    limits: &Limits,
    deadline: &Deadline,
) -> Result<Element, ErrorKind> {
    let corrupt = |detail: String| ErrorKind::corrupt(format, format!("{part}: {detail}"));
    let text = decode(bytes).map_err(&corrupt)?;
    let mut reader = Reader::from_str(&text);
    {
        let cfg = reader.config_mut();
        cfg.check_end_names = true;
        cfg.trim_text(false);
        cfg.expand_empty_elements = false;
    }
    // The open elements; the root's parent is a synthetic holder.
    let mut stack: Vec<Element> = vec![Element {
        ns: Ns::None,
        name: String::new(),
        attrs: Vec::new(),
        children: Vec::new(),
    }];
    let mut names = Resolver::default();
    let mut events = 0u32;
    loop {
        events = events.wrapping_add(1);
        if events.is_multiple_of(8192) {
            deadline.check()?;
        }
        let event = match reader.read_event() {
            Ok(x) => x,
            Err(e) => return Err(corrupt(format!("{e}"))),
        };
        match event {
            Event::Start(start) => {
                open(&mut stack, element(&mut names, &start, &corrupt)?, limits)?;
            }
            Event::Empty(start) => {
                open(&mut stack, element(&mut names, &start, &corrupt)?, limits)?;
                close(&mut stack);
                names.close();
            }
            Event::End(_) => {
                if stack.len() < 2 {
                    return Err(corrupt("closing tag without opening tag".into()));
                }
                close(&mut stack);
                names.close();
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content()),
            Event::CData(t) => push_text(&mut stack, &t.xml10_content()),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    let mut b = [0u8; 4];
                    push_text(&mut stack, c.encode_utf8(&mut b));
                } else if let Some(s) = predefined(&r.into_inner()) {
                    push_text(&mut stack, s);
                }
                // Other entities (declared in a DOCTYPE or not at all) are dropped: never expanded.
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if stack.len() > 1 {
        let open = stack.last().map(|e| e.name.clone()).unwrap_or_default();
        return Err(corrupt(format!("truncated XML (<{open}> not closed)")));
    }
    let holder = stack.pop().unwrap_or_else(|| Element {
        ns: Ns::None,
        name: String::new(),
        attrs: Vec::new(),
        children: Vec::new(),
    });
    holder
        .children
        .into_iter()
        .find_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
        .ok_or_else(|| corrupt("no root element".into()))
}

/// The namespace declarations in scope, for resolving element names.
///
/// Design decision: resolved here rather than by quick-xml's `NsReader`, which looks every
/// prefix up among all declarations in scope, event by event; a WordprocessingML part declares
/// some thirty namespaces on its root and names nearly every element with the same prefix, so
/// the last answer is kept until a declaration comes or goes (a third of the part's parse).
#[derive(Default)]
struct Resolver {
    /// Prefix (empty for the default namespace) and namespace, innermost last; an undeclared
    /// default namespace (`xmlns=""`) is `None`.
    bindings: Vec<(Box<str>, Option<Ns>)>,
    /// Per open element: how many bindings were in scope before its own.
    scopes: Vec<usize>,
    /// The last prefix resolved and its namespace, while the bindings stay the same.
    last: Option<(Box<str>, Ns)>,
}

impl Resolver {
    /// An element opens: its declarations come next.
    fn open(&mut self) {
        self.scopes.push(self.bindings.len());
    }

    fn declare(&mut self, prefix: &str, uri: &str) {
        let ns = if uri.is_empty() && prefix.is_empty() {
            None
        } else {
            Some(classify(uri))
        };
        self.bindings.push((prefix.into(), ns));
        self.last = None;
    }

    /// The innermost element closes, and its declarations with it.
    fn close(&mut self) {
        if let Some(n) = self.scopes.pop()
            && n < self.bindings.len()
        {
            self.bindings.truncate(n);
            self.last = None;
        }
    }

    /// The namespace of a name with this prefix (empty: none): unbound without a prefix is
    /// [`Ns::None`], an undeclared prefix [`Ns::Other`] (as is `xml:`).
    fn resolve(&mut self, prefix: &str) -> Ns {
        if let Some((p, ns)) = &self.last
            && **p == *prefix
        {
            return *ns;
        }
        let found = self
            .bindings
            .iter()
            .rev()
            .find(|(p, _)| **p == *prefix)
            .map(|(_, ns)| *ns);
        let ns = match found {
            Some(Some(ns)) => ns,
            Some(None) => Ns::None,
            None if prefix.is_empty() => Ns::None,
            None => Ns::Other,
        };
        self.last = Some((prefix.into(), ns));
        ns
    }
}

/// An element from its start tag: namespace, local name, attributes by local name (namespace
/// declarations go to `names` instead), values with the predefined entities resolved.
fn element(
    names: &mut Resolver,
    start: &quick_xml::events::BytesStart<'_>,
    corrupt: &dyn Fn(String) -> ErrorKind,
) -> Result<Element, ErrorKind> {
    names.open();
    let mut attrs = Vec::new();
    for a in start.attributes().with_checks(false) {
        let a = a.map_err(|e| corrupt(format!("bad attribute: {e}")))?;
        let qname = a.key.as_ref();
        if qname == "xmlns" {
            names.declare("", &a.value);
            continue;
        }
        if let Some(prefix) = qname.strip_prefix("xmlns:") {
            names.declare(prefix, &a.value);
            continue;
        }
        let key = a.key.local_name().as_ref().to_string();
        let value = match a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
            Ok(v) => v.into_owned(),
            Err(_) => a.value.into_owned(),
        };
        attrs.push((key, value));
    }
    let name = start.name();
    let ns = names.resolve(name.prefix().map_or("", |p| p.into_inner()));
    Ok(Element {
        ns,
        name: name.local_name().as_ref().to_string(),
        attrs,
        children: Vec::new(),
    })
}

/// Pushes an opened element, enforcing the depth limit.
fn open(stack: &mut Vec<Element>, e: Element, limits: &Limits) -> Result<(), ErrorKind> {
    stack.push(e);
    let depth = stack.len() - 1;
    if depth > limits.max_xml_depth {
        return Err(ErrorKind::limit(
            "xml nesting depth",
            limits.max_xml_depth as u64,
            depth as u64,
        ));
    }
    Ok(())
}

fn close(stack: &mut Vec<Element>) {
    if stack.len() < 2 {
        return;
    }
    if let Some(done) = stack.pop()
        && let Some(parent) = stack.last_mut()
    {
        parent.children.push(Node::Element(done));
    }
}

fn push_text(stack: &mut [Element], s: &str) {
    if s.is_empty() {
        return;
    }
    // Text outside the root element (whitespace between prolog items) is not kept.
    if stack.len() < 2 {
        return;
    }
    if let Some(top) = stack.last_mut() {
        if let Some(Node::Text(prev)) = top.children.last_mut() {
            prev.push_str(s);
        } else {
            top.children.push(Node::Text(s.to_string()));
        }
    }
}

fn predefined(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => return None,
    })
}

/// The part as UTF-8 text: a UTF-8 BOM is dropped, UTF-16 (with BOM) is converted.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(Cow::Borrowed)
            .map_err(|e| format!("invalid UTF-8: {e}"));
    }
    let utf16 = |rest: &[u8], le: bool| -> Result<Cow<'_, str>, String> {
        let units = rest.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map(|s| Cow::Owned(s.replacen("encoding=\"UTF-16\"", "", 1)))
            .map_err(|e| format!("invalid UTF-16: {e}"))
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, false);
    }
    std::str::from_utf8(bytes)
        .map(Cow::Borrowed)
        .map_err(|e| format!("invalid UTF-8: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(xml: &[u8]) -> Result<Element, ErrorKind> {
        let limits = Limits::default();
        parse(xml, "docx", "p.xml", &limits, &Deadline::new(&limits))
    }

    #[test]
    fn builds_trees_with_namespaces_merged_text_and_no_entities() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"<x:a xmlns:x=\"http://purl.oclc.org/ooxml/wordprocessingml/main\">A &amp; B&#x21;<![CDATA[<c>]]></x:a>",
                "A & B!<c>",
            ),
            (b"\xEF\xBB\xBF<a>bom</a>", "bom"),
            (b"<!DOCTYPE a [<!ENTITY e \"boom\">]><a>x&e;y</a>", "xy"),
            (b"\xFF\xFE<\0a\0>\0u\0t\0f\0<\0/\0a\0>\0", "utf"),
        ];
        for (xml, want) in cases {
            let root = parse_str(xml).expect("parses");
            assert_eq!(root.text(), *want);
            assert_eq!(root.children.len(), 1, "one merged text node");
        }
        let root = parse_str(
            b"<w:p xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" w:rsid=\"1\"><a:p/><w:r/></w:p>",
        )
        .unwrap();
        assert!(root.is(Ns::W, "p"));
        assert_eq!(root.attr("rsid"), Some("1"));
        let kids: Vec<(Ns, &str)> = root.elements().map(|e| (e.ns, e.name.as_str())).collect();
        assert_eq!(kids, vec![(Ns::Other, "p"), (Ns::W, "r")]);
    }

    #[test]
    fn namespaces_follow_their_scopes_whatever_the_prefix() {
        const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
        const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let xml = format!(
            "<doc xmlns=\"{W}\" xmlns:x=\"{R}\">\
               <p/><x:p/>\
               <q xmlns:x=\"{W}\"><x:p/></q><x:p/>\
               <e xmlns:y=\"{R}\"/><y:p/>\
               <u xmlns=\"\"><p/></u><p/>\
               <xml:p/><z:p/>\
             </doc>"
        );
        let root = parse_str(xml.as_bytes()).unwrap();
        assert_eq!(root.ns, Ns::W, "default namespace");
        let got: Vec<(Ns, &str)> = root
            .descendants()
            .map(|e| (e.ns, e.name.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Ns::W, "p"),
                (Ns::R, "p"),
                (Ns::W, "q"),
                (Ns::W, "p"),
                (Ns::R, "p"),
                (Ns::W, "e"),
                (Ns::Other, "p"),
                (Ns::None, "u"),
                (Ns::None, "p"),
                (Ns::W, "p"),
                (Ns::Other, "p"),
                (Ns::Other, "p"),
            ],
            "a redeclared prefix holds inside its element only; an empty element's declarations \
             end with it; xmlns=\"\" undeclares the default; unknown prefixes are Other"
        );
        assert!(root.attrs.is_empty(), "declarations are no attributes");
    }

    #[test]
    fn malformed_xml_is_corrupt_naming_the_part() {
        for xml in [&b"<a><b></a>"[..], b"<a>", b"</a>", b"", b"<a \xFF/>"] {
            let e = parse_str(xml).expect_err("malformed");
            assert_eq!(e.id(), "corrupt", "{xml:?}");
            assert!(e.to_string().contains("p.xml"), "{e}");
        }
    }
}
