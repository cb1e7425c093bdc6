//! ODT and flat ODT reader tests on documents built here, plus hostile inputs and the offsets
//! contract of `Piece` for ODF.

use std::path::Path;
use std::time::{Duration, Instant};

use quick_xml::events::Event;

use super::{read, read_flat};
use crate::document::{BlockKind, ChangeKind, Document};
use crate::extract::testutil::{ODF_NS, OdfParts, fodt, odt, zip};
use crate::limits::Limits;

/// Reads the parts both as a package and as a flat file; both must agree on the text.
fn read_both(parts: OdfParts<'_>) -> Document {
    let packaged = odt(parts);
    let doc = read(Path::new("t.odt"), &packaged, &Limits::default()).expect("odt reads");
    check_offsets(&doc, |part| {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(packaged.as_slice())).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut archive.by_name(part).unwrap(), &mut s).unwrap();
        s
    });
    let flat = fodt(parts);
    let flat_doc = read_flat(Path::new("t.fodt"), &flat, &Limits::default()).expect("fodt reads");
    check_offsets(&flat_doc, |_| String::from_utf8(flat.clone()).unwrap());
    let texts = |d: &Document| d.blocks.iter().map(|b| b.text.clone()).collect::<Vec<_>>();
    let mut a = texts(&doc);
    let mut b = texts(&flat_doc);
    a.sort();
    b.sort();
    assert_eq!(a, b, "flat and packaged reading differ");
    doc
}

fn summary(doc: &Document) -> Vec<(String, Option<String>, String)> {
    doc.blocks
        .iter()
        .map(|b| {
            let kind = match &b.kind {
                BlockKind::Heading { level } => format!("h{level}"),
                BlockKind::ListItem { level } => format!("li{level}"),
                BlockKind::TableCell { table, row, col } => format!("t{table}r{row}c{col}"),
                k => k.name().to_string(),
            };
            (kind, b.clause.clone(), b.text.clone())
        })
        .collect()
}

fn s(kind: &str, clause: Option<&str>, text: &str) -> (String, Option<String>, String) {
    (kind.into(), clause.map(str::to_string), text.into())
}

const OUTLINE: &str = r#"<text:outline-style style:name="Outline">
<text:outline-level-style text:level="1" style:num-format="1" style:num-suffix="." text:start-value="7"/>
<text:outline-level-style text:level="2" style:num-format="1" text:display-levels="2"/>
<text:outline-level-style text:level="3" style:num-format=""/>
</text:outline-style>
<style:style style:name="Heading_20_2" style:family="paragraph" style:default-outline-level="2"/>
<style:style style:name="Heading_20_3" style:family="paragraph" style:default-outline-level="3"/>"#;

const LISTS: &str = r#"<text:list-style style:name="L1">
<text:list-level-style-number text:level="1" style:num-format="1" style:num-suffix=")"/>
<text:list-level-style-number text:level="2" style:num-format="a" style:num-prefix="(" style:num-suffix=")"/>
<text:list-level-style-number text:level="3" style:num-format="i" style:num-suffix="." text:display-levels="1"/>
</text:list-style>
<text:list-style style:name="B1"><text:list-level-style-bullet text:level="1" text:bullet-char="•"/></text:list-style>
<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Heading_20_2"/>"#;

#[test]
fn outline_and_list_numbers_are_rebuilt() {
    let body = r#"<text:h text:outline-level="1">Rights</text:h>
<text:h text:outline-level="2">Licence</text:h>
<text:p text:style-name="P1">Styled as heading 2</text:p>
<text:h text:outline-level="1">Exit</text:h>
<text:h text:outline-level="2">Handover</text:h>
<text:h text:style-name="Heading_20_3">Unnumbered level</text:h>
<text:list text:style-name="L1">
 <text:list-header><text:p>Header of the list</text:p></text:list-header>
 <text:list-item><text:p>first</text:p>
  <text:list><text:list-item><text:p>sub a</text:p></text:list-item><text:list-item><text:p>sub b</text:p>
   <text:list><text:list-item><text:p>deep</text:p></text:list-item></text:list></text:list-item></text:list>
 </text:list-item>
 <text:list-item><text:p>second</text:p><text:p>more of second</text:p></text:list-item>
</text:list>
<text:p>between</text:p>
<text:list text:style-name="L1" text:continue-numbering="true"><text:list-item><text:p>continued</text:p></text:list-item></text:list>
<text:list text:style-name="L1"><text:list-item text:start-value="5"><text:p>restarted at five</text:p></text:list-item></text:list>
<text:list text:style-name="B1"><text:list-item><text:p>bullet</text:p></text:list-item></text:list>
<text:p>4.2 Typed by hand</text:p>"#;
    let doc = read_both(OdfParts {
        body,
        automatic_styles: LISTS,
        styles: OUTLINE,
        ..OdfParts::default()
    });
    assert_eq!(
        summary(&doc),
        vec![
            s("h1", Some("7"), "Rights"),
            s("h2", Some("7.1"), "Licence"),
            s("h2", Some("7.2"), "Styled as heading 2"),
            s("h1", Some("8"), "Exit"),
            s("h2", Some("8.1"), "Handover"),
            s("h3", None, "Unnumbered level"),
            s("li0", None, "Header of the list"),
            s("li0", Some("1)"), "first"),
            s("li1", Some("(a)"), "sub a"),
            s("li1", Some("(b)"), "sub b"),
            s("li2", Some("i"), "deep"),
            s("li0", Some("2)"), "second"),
            s("li0", None, "more of second"),
            s("paragraph", None, "between"),
            s("li0", Some("3)"), "continued"),
            s("li0", Some("5)"), "restarted at five"),
            s("li0", None, "bullet"),
            s("paragraph", Some("4.2"), "4.2 Typed by hand"),
        ]
    );
    let licence = &doc.blocks[1];
    assert_eq!(licence.heading_path, vec!["7 Rights"]);
}

#[test]
fn tables_notes_annotations_and_furniture() {
    let body = r#"<text:p>Intro<text:note text:id="n1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>A footnote.</text:p></text:note-body></text:note> text<text:note text:note-class="endnote"><text:note-citation>i</text:note-citation><text:note-body><text:p>An endnote.</text:p></text:note-body></text:note><office:annotation><dc:creator>Reviewer</dc:creator><dc:date>2026-01-01</dc:date><text:p>Is this right?</text:p></office:annotation>.</text:p>
<table:table table:name="T1"><table:table-column table:number-columns-repeated="3"/>
<table:table-header-rows><table:table-row><table:table-cell table:number-columns-spanned="2"><text:p>wide</text:p></table:table-cell><table:covered-table-cell/><table:table-cell><text:p>c</text:p></table:table-cell></table:table-row></table:table-header-rows>
<table:table-row><table:table-cell table:number-columns-repeated="2"/><table:table-cell><text:p>outer</text:p><table:table><table:table-row><table:table-cell><text:p>inner</text:p></table:table-cell></table:table-row></table:table><text:p>after inner</text:p></table:table-cell></table:table-row>
</table:table>
<table:table><table:table-row><table:table-cell><text:p>second table</text:p></table:table-cell></table:table-row></table:table>"#;
    let master = r#"<style:master-page style:name="Standard"><style:header><text:p>Tender 2026/17<draw:frame><draw:text-box><text:p>Logo text</text:p></draw:text-box></draw:frame></text:p></style:header><style:footer><text:p>Page <text:page-number>1</text:page-number></text:p></style:footer></style:master-page>"#;
    let doc = read_both(OdfParts {
        body,
        master,
        ..OdfParts::default()
    });
    assert_eq!(
        summary(&doc),
        vec![
            s("paragraph", None, "Intro text."),
            s("footnote", None, "A footnote."),
            s("endnote", None, "An endnote."),
            s("t0r0c0", None, "wide"),
            s("t0r0c2", None, "c"),
            s("t0r1c2", None, "outer\nafter inner"),
            s("t1r0c0", None, "inner"),
            s("t2r0c0", None, "second table"),
            s("comment", None, "Is this right?"),
            s("header", None, "Tender 2026/17"),
            s("header", None, "Logo text"),
            s("footer", None, "Page 1"),
        ]
    );
    let header = doc
        .blocks
        .iter()
        .find(|b| b.kind == BlockKind::Header)
        .unwrap();
    assert_eq!(header.anchor.part, "styles.xml");
    assert_eq!(header.anchor.index, 0);
    // Paragraphs: intro 0, footnote 1, endnote 2, annotation 3, wide 4, c 5, outer 6.
    assert_eq!(doc.blocks[5].anchor.index, 6);
}

#[test]
fn inline_content_spaces_fields_boxes_and_tracked_changes() {
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "spaces, tabs, breaks, page breaks",
            r#"<text:p>a<text:s text:c="3"/>b<text:tab/>c<text:line-break/>d<text:soft-page-break/>e   f
  g</text:p>"#
                .into(),
            vec!["a   b\tc\nde f g"],
        ),
        (
            "spans, links, fields show their results",
            r#"<text:p><text:span>Lot </text:span><text:sequence text:name="Table">3</text:sequence>: see <text:a xlink:href="http://x" xmlns:xlink="http://www.w3.org/1999/xlink">the annex</text:a>, buyer <text:user-field-get text:name="buyer">City of Gent</text:user-field-get></text:p>"#.into(),
            vec!["Lot 3: see the annex, buyer City of Gent"],
        ),
        (
            "text box read once, after its paragraph",
            r#"<text:p>Anchor<draw:frame><draw:text-box><text:p>Boxed</text:p></draw:text-box></draw:frame></text:p><text:p>After</text:p>"#.into(),
            vec!["Anchor", "Boxed", "After"],
        ),
        (
            "hidden text",
            r#"<text:p>Shown<text:hidden-text text:is-hidden="true" text:string-value="x"> hidden</text:hidden-text></text:p>"#.into(),
            vec!["Shown"],
        ),
    ];
    for (name, body, want) in cases {
        let doc = read_both(OdfParts {
            body: &body,
            ..OdfParts::default()
        });
        let got: Vec<&str> = doc.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn tracked_changes_accept_insertions_and_drop_deletions() {
    let body = r#"<text:tracked-changes>
<text:changed-region text:id="c1"><text:deletion><office:change-info><dc:creator>Buyer</dc:creator><dc:date>2026-01-02T00:00:00</dc:date></office:change-info><text:p>retains</text:p></text:deletion></text:changed-region>
<text:changed-region text:id="c2"><text:insertion><office:change-info><dc:creator>Buyer</dc:creator></office:change-info></text:insertion></text:changed-region>
</text:tracked-changes>
<text:p>The supplier <text:change text:change-id="c1"/><text:change-start text:change-id="c2"/>assigns<text:change-end text:change-id="c2"/> all rights.</text:p>"#;
    let doc = read_both(OdfParts {
        body,
        title: "Framework agreement",
        ..OdfParts::default()
    });
    assert_eq!(
        summary(&doc),
        vec![s("paragraph", None, "The supplier assigns all rights.")]
    );
    assert_eq!(
        doc.blocks[0].anchor.index, 1,
        "the deleted paragraph counts"
    );
    let changes: Vec<(ChangeKind, &str, Option<&str>)> = doc
        .tracked_changes
        .iter()
        .map(|c| (c.kind, c.text.as_str(), c.author.as_deref()))
        .collect();
    assert_eq!(
        changes,
        vec![
            (ChangeKind::Deletion, "retains", Some("Buyer")),
            (ChangeKind::Insertion, "assigns", Some("Buyer")),
        ]
    );
    assert_eq!(
        doc.warnings,
        vec!["document carries 2 unaccepted tracked changes"]
    );
    assert_eq!(doc.title.as_deref(), Some("Framework agreement"));
}

#[test]
fn hostile_odf_fails_typed_and_fast() {
    let content = format!(
        "<office:document-content {ODF_NS}><office:body><office:text><text:p>fine</text:p></office:text></office:body></office:document-content>"
    );
    let truncated = &content[..content.len() - 25];
    let deep = format!(
        "<office:document-content {ODF_NS}><office:body><office:text>{}{}</office:text></office:body></office:document-content>",
        "<text:section>".repeat(10_000),
        "</text:section>".repeat(10_000)
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated content.xml",
            zip(&[("content.xml", truncated.as_bytes())]),
            "corrupt",
        ),
        (
            "deep nesting",
            zip(&[("content.xml", deep.as_bytes())]),
            "limit",
        ),
        ("no content.xml", zip(&[("styles.xml", b"<x/>")]), "corrupt"),
        (
            "encrypted package",
            zip(&[
                (
                    "META-INF/manifest.xml",
                    b"<manifest:manifest><manifest:encryption-data/></manifest:manifest>",
                ),
                ("content.xml", content.as_bytes()),
            ]),
            "encrypted",
        ),
    ];
    for (name, bytes, want) in cases {
        let start = Instant::now();
        let e = read(Path::new("h.odt"), &bytes, &Limits::default()).expect_err(name);
        assert_eq!(e.id(), want, "{name}: {e}");
        assert!(start.elapsed() < Duration::from_secs(2), "{name}");
    }
    let flat_cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated flat",
            fodt(OdfParts::default())[..200].to_vec(),
            "corrupt",
        ),
        (
            "not office:document",
            b"<?xml version=\"1.0\"?><x/>".to_vec(),
            "corrupt",
        ),
    ];
    for (name, bytes, want) in flat_cases {
        let e = read_flat(Path::new("h.fodt"), &bytes, &Limits::default()).expect_err(name);
        assert_eq!(e.id(), want, "{name}: {e}");
    }
}

#[test]
fn billion_laughs_in_flat_odt_is_bounded() {
    let mut dtd = String::from("<!DOCTYPE office:document [<!ENTITY a \"aaaaaaaaaa\">");
    let mut prev = "a".to_string();
    for i in 0..9 {
        let name = format!("e{i}");
        dtd.push_str(&format!(
            "<!ENTITY {name} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
        prev = name;
    }
    dtd.push_str("]>");
    let xml = format!(
        "<?xml version=\"1.0\"?>{dtd}<office:document {ODF_NS}><office:body><office:text><text:p>x&{prev};y</text:p></office:text></office:body></office:document>"
    );
    let start = Instant::now();
    let doc = read_flat(Path::new("lol.fodt"), xml.as_bytes(), &Limits::default()).unwrap();
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(doc.blocks[0].text, "xy");
}

// ---- the offsets contract ----

/// Re-reads each part with a plain quick-xml pass: paragraph `i` is the i-th `text:p`/`text:h`
/// start tag; text node `j` is the j-th stretch of character data (text, references, CDATA,
/// with comments ignored) that lies inside a paragraph.
fn check_offsets(doc: &Document, source: impl Fn(&str) -> String) {
    let mut cache: std::collections::HashMap<String, (Vec<String>, Vec<usize>)> =
        Default::default();
    for b in &doc.blocks {
        if b.pieces.is_empty() {
            continue;
        }
        let (nodes, node_para) = cache
            .entry(b.anchor.part.clone())
            .or_insert_with(|| text_nodes(&source(&b.anchor.part)));
        for piece in &b.pieces {
            let want = &b.text[piece.range.clone()];
            let got = nodes[piece.run].get(piece.offset..piece.offset + want.len());
            assert_eq!(got, Some(want), "piece {piece:?} of {:?}", b.text);
        }
        assert!(node_para[b.pieces[0].run] >= b.anchor.index, "{b:?}");
        if matches!(b.kind, BlockKind::Paragraph | BlockKind::Heading { .. }) {
            assert_eq!(node_para[b.pieces[0].run], b.anchor.index, "{b:?}");
        }
    }
}

fn text_nodes(xml: &str) -> (Vec<String>, Vec<usize>) {
    #[derive(Default)]
    struct State {
        nodes: Vec<String>,
        paras: Vec<usize>,
        /// For each open element inside a paragraph, the index of the innermost paragraph.
        stack: Vec<usize>,
        p_count: usize,
        open: bool,
    }
    impl State {
        fn chars(&mut self, s: &str) {
            if let Some(&p) = self.stack.last() {
                if !self.open {
                    self.nodes.push(String::new());
                    self.paras.push(p);
                    self.open = true;
                }
                self.nodes.last_mut().unwrap().push_str(s);
            }
        }
    }
    let is_p = |n: &[u8]| n == b"text:p" || n == b"text:h";
    let mut st = State::default();
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                if is_p(e.name().as_ref().as_bytes()) {
                    st.stack.push(st.p_count);
                    st.p_count += 1;
                } else if let Some(&p) = st.stack.last() {
                    st.stack.push(p);
                }
                st.open = false;
            }
            Event::Empty(e) => {
                if is_p(e.name().as_ref().as_bytes()) {
                    st.p_count += 1;
                }
                st.open = false;
            }
            Event::End(_) => {
                st.stack.pop();
                st.open = false;
            }
            Event::Text(t) => st.chars(&t.xml10_content()),
            Event::CData(t) => st.chars(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let v = match r.into_inner().as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                };
                st.chars(v)
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (st.nodes, st.paras)
}
