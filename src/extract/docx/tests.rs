//! DOCX reader tests on packages built here, one feature per case, plus hostile inputs and the
//! offsets contract of `Piece`.

use std::path::Path;
use std::time::{Duration, Instant};

use quick_xml::events::Event;

use super::read;
use crate::document::{BlockKind, ChangeKind, Document};
use crate::error::ErrorKind;
use crate::extract::testutil::{R_NS, W_NS, docx, wpart, zip};
use crate::limits::Limits;

fn p(text: &str) -> String {
    format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
}

fn np(num: u32, ilvl: u32, text: &str) -> String {
    format!(
        "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"{ilvl}\"/><w:numId w:val=\"{num}\"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"
    )
}

fn sp(style: &str, text: &str) -> String {
    format!("<w:p><w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>")
}

fn lvl(ilvl: u32, fmt: &str, text: &str, start: u32) -> String {
    format!(
        "<w:lvl w:ilvl=\"{ilvl}\"><w:start w:val=\"{start}\"/><w:numFmt w:val=\"{fmt}\"/><w:lvlText w:val=\"{text}\"/></w:lvl>"
    )
}

fn numbering_xml() -> String {
    let abs1 = format!(
        "<w:abstractNum w:abstractNumId=\"1\">{}{}{}</w:abstractNum>",
        lvl(0, "decimal", "%1.", 7),
        lvl(1, "decimal", "%1.%2.", 1),
        lvl(2, "decimal", "%1.%2.%3", 1)
    );
    let abs2 = format!(
        "<w:abstractNum w:abstractNumId=\"2\">{}{}</w:abstractNum>",
        lvl(0, "lowerLetter", "(%1)", 1),
        lvl(1, "lowerRoman", "%2)", 1)
    );
    let abs3 = format!(
        "<w:abstractNum w:abstractNumId=\"3\">{}</w:abstractNum>",
        lvl(0, "upperRoman", "Article %1", 1)
    );
    let abs4 = format!(
        "<w:abstractNum w:abstractNumId=\"4\">{}{}</w:abstractNum>",
        lvl(0, "decimal", "%1", 1),
        lvl(1, "decimal", "%1.%2", 1)
    );
    let abs5 = format!(
        "<w:abstractNum w:abstractNumId=\"5\">{}</w:abstractNum>",
        lvl(0, "bullet", "\u{2022}", 1)
    );
    let nums = "<w:num w:numId=\"1\"><w:abstractNumId w:val=\"1\"/></w:num>\
        <w:num w:numId=\"2\"><w:abstractNumId w:val=\"2\"/></w:num>\
        <w:num w:numId=\"3\"><w:abstractNumId w:val=\"3\"/></w:num>\
        <w:num w:numId=\"4\"><w:abstractNumId w:val=\"2\"/><w:lvlOverride w:ilvl=\"0\"><w:startOverride w:val=\"4\"/></w:lvlOverride></w:num>\
        <w:num w:numId=\"5\"><w:abstractNumId w:val=\"4\"/></w:num>\
        <w:num w:numId=\"6\"><w:abstractNumId w:val=\"5\"/></w:num>";
    wpart(
        "numbering",
        &format!("{abs1}{abs2}{abs3}{abs4}{abs5}{nums}"),
    )
}

fn styles_xml() -> String {
    wpart(
        "styles",
        r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:numId w:val="5"/></w:numPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Heading1"/><w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Clause"><w:name w:val="Clause"/><w:basedOn w:val="Heading2"/></w:style>
<w:style w:type="paragraph" w:styleId="Titre3"><w:name w:val="heading 3"/></w:style>
<w:style w:type="character" w:styleId="Secret"><w:name w:val="Secret"/><w:rPr><w:vanish/></w:rPr></w:style>"#,
    )
}

fn with_styles(body: &str) -> Vec<u8> {
    let n = numbering_xml();
    let s = styles_xml();
    docx(
        body,
        &[("word/numbering.xml", &n), ("word/styles.xml", &s)],
        &[
            ("rId1", "numbering", "numbering.xml"),
            ("rId2", "styles", "styles.xml"),
        ],
    )
}

fn read_ok(bytes: &[u8]) -> Document {
    let doc = read(Path::new("t.docx"), bytes, &Limits::default()).expect("reads");
    check_offsets(bytes, &doc);
    doc
}

/// (kind name, clause, text) of every block.
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

#[test]
fn numbering_is_rebuilt_from_definitions_and_styles() {
    let body = [
        np(1, 0, "Rights"),
        np(1, 1, "Licence"),
        np(1, 1, "Source"),
        np(1, 2, "Escrow"),
        np(1, 0, "Exit"),
        np(1, 1, "Handover"),
        np(2, 0, "first"),
        np(2, 0, "second"),
        np(2, 1, "sub"),
        np(4, 0, "restarted at d"),
        np(3, 0, "Scope"),
        np(3, 0, "Term"),
        sp("Heading1", "Definitions"),
        sp("Heading2", "Terms"),
        sp("Clause", "Inherited through basedOn"),
        sp("Heading1", "Licensing"),
        sp("Titre3", "Named heading"),
        np(6, 0, "a bullet"),
        np(0, 0, "numId zero is no number"),
        p("7.3 Scope typed by hand"),
    ]
    .concat();
    let doc = read_ok(&with_styles(&body));
    assert_eq!(
        summary(&doc),
        vec![
            s("li0", Some("7"), "Rights"),
            s("li1", Some("7.1"), "Licence"),
            s("li1", Some("7.2"), "Source"),
            s("li2", Some("7.2.1"), "Escrow"),
            s("li0", Some("8"), "Exit"),
            s("li1", Some("8.1"), "Handover"),
            s("li0", Some("(a)"), "first"),
            s("li0", Some("(b)"), "second"),
            s("li1", Some("i)"), "sub"),
            s("li0", Some("(d)"), "restarted at d"),
            s("li0", Some("Article I"), "Scope"),
            s("li0", Some("Article II"), "Term"),
            s("h1", Some("1"), "Definitions"),
            s("h2", Some("1.1"), "Terms"),
            s("h2", Some("1.2"), "Inherited through basedOn"),
            s("h1", Some("2"), "Licensing"),
            s("h3", None, "Named heading"),
            s("li0", None, "a bullet"),
            s("paragraph", None, "numId zero is no number"),
            s("paragraph", Some("7.3"), "7.3 Scope typed by hand"),
        ]
    );
    let terms = doc.blocks.iter().find(|b| b.text == "Terms").unwrap();
    assert_eq!(terms.heading_path, vec!["1 Definitions"]);
}

#[test]
fn tables_with_merges_and_nesting() {
    let cell = |text: &str, pr: &str| format!("<w:tc><w:tcPr>{pr}</w:tcPr>{}</w:tc>", p(text));
    let nested = format!(
        "<w:tbl><w:tr>{}{}</w:tr></w:tbl>",
        cell("inner 1", ""),
        cell("inner 2", "")
    );
    let outer = format!(
        "<w:tc>{}{}{}</w:tc>",
        p("outer first"),
        nested,
        p("outer second")
    );
    let body = [
        p("before"),
        "<w:tbl><w:tblPr/><w:tblGrid/>".into(),
        format!(
            "<w:tr>{}{}</w:tr>",
            cell("wide", "<w:gridSpan w:val=\"2\"/>"),
            cell("tall", "<w:vMerge w:val=\"restart\"/>")
        ),
        format!(
            "<w:tr>{}{}{}</w:tr>",
            cell("a", ""),
            outer,
            cell("", "<w:vMerge/>")
        ),
        "</w:tbl>".into(),
        "<w:tbl><w:tr>".into(),
        cell("next table", ""),
        "</w:tr></w:tbl>".into(),
    ]
    .concat();
    let doc = read_ok(&docx(&body, &[], &[]));
    assert_eq!(
        summary(&doc),
        vec![
            s("paragraph", None, "before"),
            s("t0r0c0", None, "wide"),
            s("t0r0c2", None, "tall"),
            s("t0r1c0", None, "a"),
            s("t0r1c1", None, "outer first\nouter second"),
            s("t1r0c0", None, "inner 1"),
            s("t1r0c1", None, "inner 2"),
            s("t2r0c0", None, "next table"),
        ]
    );
    // The cell is anchored at its first paragraph: "before"=0, wide=1, tall=2, a=3, outer=4.
    let outer = &doc.blocks[4];
    assert_eq!(outer.anchor.index, 4);
    assert_eq!(doc.blocks[5].anchor.index, 5);
}

fn notes_part(root: &str, tag: &str, notes: &[(&str, &str)]) -> String {
    let mut inner = format!(
        "<w:{tag} w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>"
    );
    for (id, text) in notes {
        inner.push_str(&format!(
            "<w:{tag} w:id=\"{id}\"><w:p><w:r><w:{tag}Ref/></w:r><w:r><w:t xml:space=\"preserve\"> {text}</w:t></w:r></w:p></w:{tag}>"
        ));
    }
    wpart(root, &inner)
}

#[test]
fn notes_follow_their_reference_and_comments_headers_footers_are_furniture() {
    let footnotes = notes_part(
        "footnotes",
        "footnote",
        &[("1", "Footnote one."), ("2", "Never referenced.")],
    );
    let endnotes = notes_part("endnotes", "endnote", &[("1", "Endnote one.")]);
    let comments = wpart(
        "comments",
        "<w:comment w:id=\"0\" w:author=\"A\"><w:p><w:r><w:t>Check this</w:t></w:r></w:p><w:p><w:r><w:t>twice</w:t></w:r></w:p></w:comment>",
    );
    let header = wpart(
        "hdr",
        &format!(
            "{}<w:p><w:r><w:pict><v:shape xmlns:v=\"urn:schemas-microsoft-com:vml\"><v:textbox><w:txbxContent>{}</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>",
            p("Tender 2026/17"),
            p("Boxed header")
        ),
    );
    let footer = wpart("ftr", &p("Page footer"));
    let body = [
        "<w:p><w:r><w:t>Body</w:t></w:r><w:r><w:footnoteReference w:id=\"1\"/></w:r><w:commentRangeStart w:id=\"0\"/><w:r><w:t> text</w:t></w:r><w:r><w:endnoteReference w:id=\"1\"/></w:r></w:p>".to_string(),
        p("Second"),
        "<w:p><w:pPr><w:sectPr><w:headerReference w:type=\"default\" r:id=\"rH\"/></w:sectPr></w:pPr></w:p>".into(),
        "<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rH\"/><w:footerReference w:type=\"default\" r:id=\"rF\"/><w:footerReference w:type=\"first\" r:id=\"rX\"/></w:sectPr>".into(),
    ]
    .concat();
    let bytes = docx(
        &body,
        &[
            ("word/footnotes.xml", &footnotes),
            ("word/endnotes.xml", &endnotes),
            ("word/comments.xml", &comments),
            ("word/header1.xml", &header),
            ("word/footer1.xml", &footer),
        ],
        &[
            ("rId1", "footnotes", "footnotes.xml"),
            ("rId2", "endnotes", "endnotes.xml"),
            ("rId3", "comments", "comments.xml"),
            ("rH", "header", "header1.xml"),
            ("rF", "footer", "footer1.xml"),
            ("rX", "footer", "https://example.org/footer.xml"),
        ],
    );
    let doc = read_ok(&bytes);
    assert_eq!(
        summary(&doc),
        vec![
            s("paragraph", None, "Body text"),
            s("footnote", None, "Footnote one."),
            s("endnote", None, "Endnote one."),
            s("paragraph", None, "Second"),
            s("footnote", None, "Never referenced."),
            s("comment", None, "Check this\ntwice"),
            s("header", None, "Tender 2026/17"),
            s("header", None, "Boxed header"),
            s("footer", None, "Page footer"),
        ]
    );
    assert_eq!(doc.blocks[1].anchor.part, "word/footnotes.xml");
    assert_eq!(doc.blocks[1].anchor.index, 1, "after the separator's w:p");
    assert_eq!(doc.blocks[6].anchor.part, "word/header1.xml");
    let body: Vec<&str> = doc.body().map(|(_, b)| b.text.as_str()).collect();
    assert!(!body.contains(&"Tender 2026/17"));
}

#[test]
fn inline_features_read_as_shown() {
    let textbox = |text: &str| {
        format!(
            "<w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wp:anchor><a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent>{}</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>",
            p(text),
            p(text)
        )
    };
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "text box read once, after its paragraph",
            format!("<w:p><w:r><w:t>Anchor</w:t></w:r>{}</w:p>{}", textbox("Boxed"), p("After")),
            vec!["Anchor", "Boxed", "After"],
        ),
        (
            "content controls, block and inline",
            format!(
                "<w:sdt><w:sdtPr><w:alias w:val=\"x\"/></w:sdtPr><w:sdtContent>{}</w:sdtContent></w:sdt><w:p><w:sdt><w:sdtPr/><w:sdtContent><w:r><w:t>inline</w:t></w:r></w:sdtContent></w:sdt><w:r><w:t> control</w:t></w:r></w:p>",
                p("In control")
            ),
            vec!["In control", "inline control"],
        ),
        (
            "complex and simple fields show results, never instructions",
            "<w:p><w:r><w:t>See </w:t></w:r><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>HYPERLINK \"http://x\"</w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>the annex</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r><w:r><w:t> on page </w:t></w:r><w:fldSimple w:instr=\" PAGE \"><w:r><w:t>4</w:t></w:r></w:fldSimple></w:p>".into(),
            vec!["See the annex on page 4"],
        ),
        (
            "nested field: the inner result sits in the outer instruction",
            "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>IF </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>9</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>shown</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>".into(),
            vec!["shown"],
        ),
        (
            "a field left open in its instruction does not hide what follows",
            format!(
                "<w:p><w:r><w:t>Before</w:t></w:r><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r></w:p>{}",
                p("Next paragraph")
            ),
            vec!["Before", "Next paragraph"],
        ),
        (
            "ruby: the base text is read, the annotation is not",
            "<w:p><w:r><w:ruby><w:rt><w:r><w:t>とうきょう</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>東京</w:t></w:r></w:rubyBase></w:ruby></w:r><w:r><w:t>都</w:t></w:r></w:p>".into(),
            vec!["東京都"],
        ),
        (
            "hyperlinks",
            "<w:p><w:r><w:t xml:space=\"preserve\">Visit </w:t></w:r><w:hyperlink r:id=\"rL\"><w:r><w:t>the portal</w:t></w:r></w:hyperlink></w:p>".into(),
            vec!["Visit the portal"],
        ),
        (
            "hidden text is left out, explicit vanish off is kept",
            "<w:p><w:r><w:t>Shown</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t> hidden</w:t></w:r><w:r><w:rPr><w:vanish w:val=\"0\"/></w:rPr><w:t> kept</w:t></w:r></w:p>".into(),
            vec!["Shown kept"],
        ),
        (
            "tabs, breaks, hyphens and symbols",
            "<w:p><w:r><w:t>a</w:t><w:tab/><w:t>b</w:t><w:br/><w:t>c</w:t><w:cr/><w:t>non</w:t><w:noBreakHyphen/><w:t>breaking</w:t><w:softHyphen/><w:t>word</w:t><w:sym w:font=\"Symbol\" w:char=\"00A9\"/></w:r></w:p>".into(),
            vec!["a\tb\nc\nnon-breakingword\u{a9}"],
        ),
    ];
    for (name, body, want) in cases {
        let doc = read_ok(&docx(&body, &[], &[("rL", "hyperlink", "http://x")]));
        let got: Vec<&str> = doc.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn hidden_text_through_character_style() {
    let body = "<w:p><w:r><w:t>Open</w:t></w:r><w:r><w:rPr><w:rStyle w:val=\"Secret\"/></w:rPr><w:t> secret</w:t></w:r></w:p>";
    let doc = read_ok(&with_styles(body));
    assert_eq!(doc.blocks[0].text, "Open");
}

#[test]
fn tracked_changes_are_accepted_recorded_and_warned() {
    let body = "<w:p><w:r><w:t xml:space=\"preserve\">The supplier </w:t></w:r>\
        <w:del w:id=\"1\" w:author=\"Buyer\" w:date=\"2026-01-02T00:00:00Z\"><w:r><w:delText>retains</w:delText></w:r></w:del>\
        <w:ins w:id=\"2\" w:author=\"Buyer\"><w:r><w:t>assigns</w:t></w:r></w:ins>\
        <w:r><w:t xml:space=\"preserve\"> all rights</w:t></w:r>\
        <w:moveFrom w:id=\"3\"><w:r><w:t> moved away</w:t></w:r></w:moveFrom>\
        <w:moveTo w:id=\"4\"><w:r><w:t>.</w:t></w:r></w:moveTo></w:p>";
    let doc = read_ok(&docx(body, &[], &[]));
    assert_eq!(doc.blocks[0].text, "The supplier assigns all rights.");
    let changes: Vec<(ChangeKind, &str)> = doc
        .tracked_changes
        .iter()
        .map(|c| (c.kind, c.text.as_str()))
        .collect();
    assert_eq!(
        changes,
        vec![
            (ChangeKind::Deletion, "retains"),
            (ChangeKind::Insertion, "assigns"),
            (ChangeKind::Deletion, " moved away"),
            (ChangeKind::Insertion, "."),
        ]
    );
    assert_eq!(doc.tracked_changes[0].author.as_deref(), Some("Buyer"));
    assert_eq!(
        doc.warnings,
        vec!["document carries 4 unaccepted tracked changes"]
    );
}

#[test]
fn strict_namespaces_and_title() {
    let strict = "http://purl.oclc.org/ooxml/wordprocessingml/main";
    let document = format!(
        "<?xml version=\"1.0\"?><x:document xmlns:x=\"{strict}\"><x:body><x:p><x:pPr><x:numPr><x:ilvl x:val=\"0\"/><x:numId x:val=\"1\"/></x:numPr></x:pPr><x:r><x:t>Strict text</x:t></x:r></x:p></x:body></x:document>"
    );
    let numbering = format!(
        "<x:numbering xmlns:x=\"{strict}\"><x:abstractNum x:abstractNumId=\"0\"><x:lvl x:ilvl=\"0\"><x:start x:val=\"3\"/><x:numFmt x:val=\"decimal\"/><x:lvlText x:val=\"%1.\"/></x:lvl></x:abstractNum><x:num x:numId=\"1\"><x:abstractNumId x:val=\"0\"/></x:num></x:numbering>"
    );
    let rels = "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"r1\" Type=\"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument\" Target=\"word/document.xml\"/><Relationship Id=\"r2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/></Relationships>";
    let doc_rels = "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"r1\" Type=\"http://purl.oclc.org/ooxml/officeDocument/relationships/numbering\" Target=\"numbering.xml\"/></Relationships>";
    let core = "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>Framework agreement</dc:title></cp:coreProperties>";
    let bytes = zip(&[
        ("_rels/.rels", rels.as_bytes()),
        ("word/document.xml", document.as_bytes()),
        ("word/_rels/document.xml.rels", doc_rels.as_bytes()),
        ("word/numbering.xml", numbering.as_bytes()),
        ("docProps/core.xml", core.as_bytes()),
    ]);
    let doc = read_ok(&bytes);
    assert_eq!(summary(&doc), vec![s("li0", Some("3"), "Strict text")]);
    assert_eq!(doc.title.as_deref(), Some("Framework agreement"));
}

#[test]
fn drawingml_paragraphs_are_not_word_paragraphs() {
    // a:p inside a drawing is another namespace: it must not shift w:p indices.
    let body = format!(
        "<w:p><w:r><w:drawing><a:graphic><a:p><a:r><a:t>chart</a:t></a:r></a:p></a:graphic></w:drawing></w:r><w:r><w:t>one</w:t></w:r></w:p>{}",
        p("two")
    );
    let doc = read_ok(&docx(&body, &[], &[]));
    assert_eq!(
        summary(&doc),
        vec![s("paragraph", None, "one"), s("paragraph", None, "two")]
    );
    assert_eq!(doc.blocks[1].anchor.index, 1);
    assert_eq!(doc.blocks[1].pieces[0].run, 2);
}

// ---- hostile input ----

fn read_err(bytes: &[u8], limits: &Limits) -> (ErrorKind, Duration) {
    let start = Instant::now();
    let e = read(Path::new("h.docx"), bytes, limits).expect_err("must fail");
    (e, start.elapsed())
}

#[test]
fn zip_bomb_stops_at_the_entry_limit() {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    w.start_file("word/document.xml", opts).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..300 {
        w.write_all(&zeros).unwrap();
    }
    let bytes = w.finish().unwrap().into_inner();
    assert!(bytes.len() < 2 << 20, "bomb is {} bytes", bytes.len());
    let (e, took) = read_err(&bytes, &Limits::default());
    assert!(
        matches!(&e, ErrorKind::Limit { limit, .. } if limit == "decompressed bytes per zip entry"),
        "{e}"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[test]
fn hostile_containers_and_xml_fail_typed_and_fast() {
    let doc_xml = |inner: &str| {
        format!(
            "<w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:body>{inner}</w:body></w:document>"
        )
    };
    let good = doc_xml(&p("fine"));
    let truncated = &good[..good.len() - 30];
    let deep = format!(
        "<w:document xmlns:w=\"{W_NS}\">{}{}</w:document>",
        "<w:sdt>".repeat(10_000),
        "</w:sdt>".repeat(10_000)
    );
    let many: Vec<(String, Vec<u8>)> = (0..40)
        .map(|i| (format!("word/x{i}.xml"), b"<x/>".to_vec()))
        .collect();
    let mut many_refs: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(n, c)| (n.as_str(), c.as_slice()))
        .collect();
    many_refs.push(("word/document.xml", good.as_bytes()));
    let few = Limits {
        max_zip_entries: 20,
        ..Limits::default()
    };
    let cases: Vec<(&str, Vec<u8>, Limits, &str)> = vec![
        (
            "truncated document.xml",
            zip(&[("word/document.xml", truncated.as_bytes())]),
            Limits::default(),
            "corrupt",
        ),
        (
            "10,000-deep nesting",
            zip(&[("word/document.xml", deep.as_bytes())]),
            Limits::default(),
            "limit",
        ),
        ("too many entries", zip(&many_refs), few, "limit"),
        (
            "total decompressed bytes",
            docx(&p(&"x".repeat(4000)), &[], &[]),
            Limits {
                max_total_bytes: 3000,
                ..Limits::default()
            },
            "limit",
        ),
        (
            "not XML at all",
            zip(&[("word/document.xml", b"\x00\x01binary")]),
            Limits::default(),
            "corrupt",
        ),
        (
            "missing main part",
            zip(&[("word/styles.xml", b"<x/>")]),
            Limits::default(),
            "corrupt",
        ),
        (
            "no time left",
            zip(&[("word/document.xml", good.as_bytes())]),
            Limits {
                timeout: Duration::ZERO,
                ..Limits::default()
            },
            "timeout",
        ),
    ];
    for (name, bytes, limits, want) in cases {
        let (e, took) = read_err(&bytes, &limits);
        assert_eq!(e.id(), want, "{name}: {e}");
        assert!(took < Duration::from_secs(2), "{name} took {took:?}");
        if name.starts_with("truncated") {
            assert!(e.to_string().contains("word/document.xml"), "{e}");
        }
        if name.starts_with("10,000") {
            assert!(e.to_string().contains("xml nesting depth"), "{e}");
        }
        if name.starts_with("total") {
            assert!(e.to_string().contains("decompressed bytes in total"), "{e}");
        }
        if name.starts_with("too many") {
            assert!(e.to_string().contains("zip entries"), "{e}");
        }
    }
}

#[test]
fn corrupt_deflate_is_corrupt() {
    let text = "<w:p><w:r><w:t>Lorem ipsum dolor sit amet</w:t></w:r></w:p>".repeat(200);
    let mut bytes = docx(&text, &[], &[]);
    // Damage the compressed data of word/document.xml, just after its local header.
    let name = b"word/document.xml";
    let at = bytes
        .windows(name.len())
        .position(|w| w == name)
        .expect("entry name");
    for b in bytes.iter_mut().skip(at + name.len() + 40).take(64) {
        *b ^= 0x5A;
    }
    let (e, took) = read_err(&bytes, &Limits::default());
    assert_eq!(e.id(), "corrupt", "{e}");
    assert!(took < Duration::from_secs(2));
}

#[test]
fn billion_laughs_doctype_is_bounded() {
    let mut dtd = String::from("<!DOCTYPE w:document [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        dtd.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
    }
    dtd.push_str("]>");
    let xml = format!(
        "<?xml version=\"1.0\"?>{dtd}<w:document xmlns:w=\"{W_NS}\"><w:body><w:p><w:r><w:t>a&lol9;b</w:t></w:r></w:p></w:body></w:document>"
    );
    let bytes = zip(&[("word/document.xml", xml.as_bytes())]);
    let start = Instant::now();
    let result = read(Path::new("lol.docx"), &bytes, &Limits::default());
    assert!(start.elapsed() < Duration::from_secs(2));
    match result {
        Ok(doc) => {
            let total: usize = doc.blocks.iter().map(|b| b.text.len()).sum();
            assert!(total < 100, "entities were expanded: {total} bytes");
        }
        Err(e) => assert_ne!(e.id(), "panic"),
    }
}

// ---- the offsets contract ----

/// Re-reads each part named by a block with a plain quick-xml pass (no code shared with the
/// reader): run `i` is the i-th `w:r` start tag of the part, its text the concatenation of its
/// `w:t` children. Every piece must point at the same text, and each block's first piece must
/// lie in a paragraph at or after the block's anchor.
fn check_offsets(bytes: &[u8], doc: &Document) {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut parts: std::collections::HashMap<String, (Vec<String>, Vec<usize>)> =
        Default::default();
    for b in &doc.blocks {
        if b.pieces.is_empty() {
            continue;
        }
        let (runs, run_para) = parts.entry(b.anchor.part.clone()).or_insert_with(|| {
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut archive.by_name(&b.anchor.part).unwrap(), &mut xml)
                .unwrap();
            runs_of(&xml)
        });
        for piece in &b.pieces {
            let run = &runs[piece.run];
            let want = &b.text[piece.range.clone()];
            let got = run.get(piece.offset..piece.offset + want.len());
            assert_eq!(got, Some(want), "piece {piece:?} of {:?}", b.text);
        }
        assert!(run_para[b.pieces[0].run] >= b.anchor.index, "{b:?}");
        if matches!(b.kind, BlockKind::Paragraph | BlockKind::Heading { .. }) {
            assert_eq!(run_para[b.pieces[0].run], b.anchor.index, "{b:?}");
        }
    }
}

/// True for `w:{local}` or `x:{local}` (the prefixes the tests use for WordprocessingML).
fn wname(name: quick_xml::name::QName<'_>, local: &str) -> bool {
    let n = name.as_ref();
    n.strip_prefix("w:").or_else(|| n.strip_prefix("x:")) == Some(local)
}

fn runs_of(xml: &str) -> (Vec<String>, Vec<usize>) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut runs, mut paras) = (Vec::new(), Vec::new());
    let mut p_count = 0usize;
    let mut in_t = false;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) if wname(e.name(), "p") => p_count += 1,
            Event::Start(e) if wname(e.name(), "r") => {
                runs.push(String::new());
                paras.push(p_count - 1);
            }
            Event::Empty(e) if wname(e.name(), "r") => {
                runs.push(String::new());
                paras.push(p_count - 1);
            }
            Event::Start(e) if wname(e.name(), "t") => in_t = true,
            Event::End(e) if wname(e.name(), "t") => in_t = false,
            Event::Text(t) if in_t => runs.last_mut().unwrap().push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_t => {
                let s = match r.into_inner().as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                };
                runs.last_mut().unwrap().push_str(s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (runs, paras)
}

#[test]
fn offsets_contract_on_a_mixed_part() {
    let body = [
        p("Tom &amp; Jerry"),
        "<w:p><w:r><w:t xml:space=\"preserve\">  lead</w:t><w:tab/><w:t>tail </w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>gone</w:t></w:r><w:r><w:t>end</w:t></w:r></w:p>".into(),
        "<w:tbl><w:tr><w:tc>".into(),
        p("cell one"),
        p("cell two"),
        "</w:tc></w:tr></w:tbl>".into(),
        "<w:p><w:del><w:r><w:delText>old</w:delText></w:r></w:del><w:ins><w:r><w:t>new</w:t></w:r></w:ins></w:p>".into(),
    ]
    .concat();
    let doc = read_ok(&docx(&body, &[], &[]));
    assert_eq!(
        summary(&doc),
        vec![
            s("paragraph", None, "Tom & Jerry"),
            s("paragraph", None, "lead\ttail end"),
            s("t0r0c0", None, "cell one\ncell two"),
            s("paragraph", None, "new"),
        ]
    );
    // "lead" is run 1 at offset 2 (after the two trimmed spaces); "end" is run 3.
    let b = &doc.blocks[1];
    assert_eq!((b.pieces[0].run, b.pieces[0].offset), (1, 2));
    assert_eq!(b.pieces.last().map(|p| p.run), Some(3));
    assert_eq!(doc.blocks[3].pieces[0].run, 7);
}
