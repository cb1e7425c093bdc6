//! Unit tests on small PDFs written here with lopdf: each builds exactly the structure it tests.

use std::path::Path;
use std::time::{Duration, Instant};

use lopdf::{Dictionary, Object, ObjectId, Stream, dictionary};

use super::blocks::{attested_compounds, is_page_number, join_line};
use super::read;
use crate::document::{BlockKind, Document};
use crate::error::ErrorKind;
use crate::limits::Limits;

/// A PDF under construction: fonts in one shared resource dictionary, one page per content.
struct Pdf {
    doc: lopdf::Document,
    fonts: Dictionary,
    xobjects: Dictionary,
}

impl Pdf {
    fn new() -> Self {
        let mut pdf = Pdf {
            doc: lopdf::Document::with_version("1.7"),
            fonts: Dictionary::new(),
            xobjects: Dictionary::new(),
        };
        pdf.font("F1", helvetica("Helvetica"));
        pdf.font("FB", helvetica("Helvetica-Bold"));
        pdf
    }

    fn font(&mut self, name: &str, dict: Dictionary) -> ObjectId {
        let id = self.doc.add_object(dict);
        self.fonts.set(name, id);
        id
    }

    fn stream(&mut self, dict: Dictionary, data: &[u8]) -> ObjectId {
        self.doc.add_object(Stream::new(dict, data.to_vec()))
    }

    fn build(self, pages: &[String]) -> Vec<u8> {
        let mut doc = self.finish(pages);
        let mut out = Vec::new();
        doc.save_to(&mut out).expect("test pdf saves");
        out
    }

    /// The finished lopdf document, before saving.
    fn finish(mut self, pages: &[String]) -> lopdf::Document {
        let pages_id = self.doc.new_object_id();
        let resources = self.doc.add_object(dictionary! {
            "Font" => Object::Dictionary(self.fonts.clone()),
            "XObject" => Object::Dictionary(self.xobjects.clone()),
        });
        let mut kids = Vec::new();
        for content in pages {
            let c = self.stream(Dictionary::new(), content.as_bytes());
            let page = self.doc.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "Contents" => c,
            });
            kids.push(Object::Reference(page));
        }
        let count = kids.len() as i64;
        self.doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => kids,
                "Count" => count,
                "Resources" => resources,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            }),
        );
        let catalog = self
            .doc
            .add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
        self.doc.trailer.set("Root", catalog);
        self.doc
    }
}

fn helvetica(base: &str) -> Dictionary {
    dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => base,
        "Encoding" => "WinAnsiEncoding",
    }
}

fn esc(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
}

/// One line of text at (x, y) in font `font` of `size`.
fn line(font: &str, size: f32, x: f32, y: f32, text: &str) -> String {
    format!("BT /{font} {size} Tf {x} {y} Td ({}) Tj ET\n", esc(text))
}

fn read_pdf(bytes: &[u8]) -> Result<Document, ErrorKind> {
    read(Path::new("t.pdf"), bytes, &Limits::default())
}

fn body(doc: &Document) -> Vec<String> {
    doc.body().map(|(_, b)| b.text.clone()).collect()
}

fn tounicode(pdf: &mut Pdf, cmap: &str) -> ObjectId {
    pdf.stream(Dictionary::new(), cmap.as_bytes())
}

const CMAP_HEAD: &str = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n";
const CMAP_TAIL: &str = "endcmap CMapName currentdict /CMap defineresource pop end end\n";

#[test]
fn tounicode_bfchar_and_bfrange_with_arrays() {
    let mut pdf = Pdf::new();
    let cmap = format!(
        "{CMAP_HEAD}1 begincodespacerange <00> <FF> endcodespacerange\n\
         2 beginbfchar <01> <0048> <02> <0069> endbfchar\n\
         2 beginbfrange <10> <12> <0061> <30> <31> [<00DF> <00FC>] endbfrange\n{CMAP_TAIL}"
    );
    let tu = tounicode(&mut pdf, &cmap);
    let mut f = helvetica("Custom");
    f.set("ToUnicode", tu);
    f.remove(b"Encoding");
    pdf.font("FU", f);
    let content = "BT /FU 12 Tf 72 700 Td <0102> Tj ( ) Tj <101112> Tj ( ) Tj <3031> Tj ET\n";
    let doc = read_pdf(&pdf.build(&[content.to_string()])).unwrap();
    assert_eq!(body(&doc), vec!["Hi abc ßü"]);
}

#[test]
fn identity_h_cid_font_uses_two_byte_codes_and_w_widths() {
    let mut pdf = Pdf::new();
    let cmap = format!(
        "{CMAP_HEAD}1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
         1 beginbfrange <0001> <001A> <0041> endbfrange\n\
         1 beginbfchar <0003> <0020> endbfchar\n{CMAP_TAIL}"
    );
    let tu = tounicode(&mut pdf, &cmap);
    let desc = pdf.doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => "LiberationSerif",
        "DW" => 1000,
        "W" => vec![1.into(), vec![600.into(), 600.into()].into(), 4.into(), 26.into(), 500.into()],
    });
    pdf.font(
        "FC",
        dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => "LiberationSerif",
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![desc.into()],
            "ToUnicode" => tu,
        },
    );
    // Code 3 is a space (bfchar wins over the range). With the W widths (600 for A and B,
    // 500 for D) "AB" ends at x = 84, where the next piece starts: no space. With the default
    // width of 1000 it would end at 92 and overlap.
    let content = "BT /FC 10 Tf 72 700 Td <00010002> Tj ET BT /FC 10 Tf 84 700 Td <0004> Tj ET \
                   BT /FC 10 Tf 95 700 Td <00040003000300040004> Tj ET\n";
    let doc = read_pdf(&pdf.build(&[content.to_string()])).unwrap();
    assert_eq!(body(&doc), vec!["ABD D DD"]);
}

#[test]
fn winansi_with_differences_and_ligatures_through_nfkc() {
    let mut pdf = Pdf::new();
    pdf.font(
        "FD",
        dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => "Times-Roman",
            "Encoding" => dictionary! {
                "Type" => "Encoding",
                "BaseEncoding" => "WinAnsiEncoding",
                "Differences" => vec![1.into(), "fi".into(), "f_f_l".into(), "uni00E9".into(), "germandbls".into()],
            },
        },
    );
    // \x01 = fi ligature, \x02 = ffl, \x03 = é, \x04 = ß, \xe4 = ä (WinAnsi), \x80 = €.
    let content = "BT /FD 12 Tf 72 700 Td (\\001nal \\002 caf\\003 Stra\\004e \\344 \\200) Tj ET\n";
    let doc = read_pdf(&pdf.build(&[content.to_string()])).unwrap();
    assert_eq!(body(&doc), vec!["final ffl café Straße ä €"]);
}

#[test]
fn tounicode_ligature_is_normalised() {
    let mut pdf = Pdf::new();
    let cmap = format!(
        "{CMAP_HEAD}1 begincodespacerange <00> <FF> endcodespacerange\n\
         2 beginbfchar <01> <FB01> <02> <FB02> endbfchar\n{CMAP_TAIL}"
    );
    let tu = tounicode(&mut pdf, &cmap);
    let mut f = helvetica("Lig");
    f.set("ToUnicode", tu);
    pdf.font("FL", f);
    let content = "BT /FL 12 Tf 72 700 Td (\\001rst \\002oor) Tj ET\n";
    let doc = read_pdf(&pdf.build(&[content.to_string()])).unwrap();
    assert_eq!(body(&doc), vec!["first floor"]);
}

#[test]
fn tj_offsets_make_spaces_only_when_wide() {
    let cases = [
        ("[(Hello) -300 (World)] TJ", "Hello World"),
        ("[(Wo) -20 (rld) 15 (s)] TJ", "Worlds"),
        ("[(open) -250 (source) -1200 (code)] TJ", "open source code"),
        ("(one) Tj 30 0 Td (two) Tj", "one two"),
        ("2 Tc (a b) Tj", "a b"),
    ];
    for (ops, want) in cases {
        let pdf = Pdf::new();
        let content = format!("BT /F1 10 Tf 72 700 Td {ops} ET\n");
        let doc = read_pdf(&pdf.build(&[content])).unwrap();
        assert_eq!(body(&doc), vec![want], "{ops}");
    }
}

#[test]
fn graphics_state_and_form_xobjects_position_text() {
    let mut pdf = Pdf::new();
    let form = pdf.stream(
        dictionary! {"Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 500.into(), 500.into()]},
        b"BT /F1 10 Tf 0 0 Td (inside the form) Tj ET",
    );
    pdf.xobjects.set("X1", form);
    // The form is drawn lower on the page than the text after it: reading order follows y.
    let content = "q 1 0 0 1 72 500 cm /X1 Do Q\nBT /F1 10 Tf 72 700 Td (Above the form.) Tj ET\n";
    let doc = read_pdf(&pdf.build(&[content.to_string()])).unwrap();
    assert_eq!(body(&doc), vec!["Above the form.", "inside the form"]);
}

fn para_lines(x: f32, top: f32, texts: &[&str]) -> String {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| line("F1", 10.0, x, top - 12.0 * i as f32, t))
        .collect()
}

#[test]
fn two_columns_read_left_then_right_with_title_first() {
    let pdf = Pdf::new();
    let mut c = line("FB", 16.0, 72.0, 760.0, "A title across both columns");
    c += &para_lines(
        72.0,
        700.0,
        &[
            "left one left left left",
            "left two left left left",
            "left three left left",
            "left four left left left",
            "left five.",
        ],
    );
    c += &para_lines(
        320.0,
        700.0,
        &[
            "right one right right",
            "right two right right",
            "right three",
            "right four right right",
            "right five.",
        ],
    );
    // After the columns: a heading on the left, then full-width text.
    c += &line("FB", 12.0, 72.0, 600.0, "2 Next section");
    c += &line(
        "F1",
        10.0,
        72.0,
        580.0,
        "Full-width text below both columns runs from the left margin to the right one.",
    );
    let doc = read_pdf(&pdf.build(&[c])).unwrap();
    assert_eq!(
        body(&doc),
        vec![
            "A title across both columns",
            "left one left left left left two left left left left three left left left four left left left left five.",
            "right one right right right two right right right three right four right right right five.",
            "2 Next section",
            "Full-width text below both columns runs from the left margin to the right one.",
        ]
    );
    assert_eq!(doc.blocks[0].kind, BlockKind::Heading { level: 1 });
}

#[test]
fn hyphenation_is_undone_but_compounds_keep_their_hyphen() {
    let pdf = Pdf::new();
    let mut c = para_lines(
        72.0,
        700.0,
        &[
            "The inter-",
            "national standard applies to open-",
            "source software and die Open-Source-",
            "Lizenz gilt.",
        ],
    );
    c += &para_lines(72.0, 600.0, &["We prefer open-source licences."]);
    let doc = read_pdf(&pdf.build(&[c])).unwrap();
    assert_eq!(
        body(&doc)[0],
        "The international standard applies to open-source software and die Open-Source-Lizenz gilt."
    );
}

#[test]
fn join_line_table() {
    let attested = attested_compounds(["an open-source tool"].into_iter());
    let cases = [
        ("inter-", "national law", "international law"),
        ("open-", "source tool", "open-source tool"),
        ("Open-Source-", "Lizenz", "Open-Source-Lizenz"),
        ("in 2020-", "2024 it", "in 2020- 2024 it"),
        ("a dash -", "then", "a dash - then"),
        ("soft\u{AD}", "ware", "software"),
        ("plain", "text", "plain text"),
    ];
    for (a, b, want) in cases {
        let mut s = a.to_string();
        join_line(&mut s, b, &attested);
        assert_eq!(s, want, "{a} + {b}");
    }
}

#[test]
fn page_numbers_are_recognised() {
    let yes = [
        "3",
        "Page 3 of 12",
        "- 3 -",
        "Seite 3 von 12",
        "3/12",
        "page 12",
        "iv",
        "— 7 —",
        "Pagina 2 van 9",
    ];
    let no = ["3 Scope", "Page layout", "2026 budget", "The end."];
    for t in yes {
        assert!(is_page_number(t), "{t}");
    }
    for t in no {
        assert!(!is_page_number(t), "{t}");
    }
}

#[test]
fn headers_footers_and_page_numbers_become_furniture() {
    let pdf = Pdf::new();
    let pages: Vec<String> = ["one", "two", "three"]
        .iter()
        .enumerate()
        .map(|(i, word)| {
            let n = i + 1;
            let mut c = line("F1", 8.0, 72.0, 800.0, "ACME Tender 2026 - Specifications");
            c += &para_lines(
                72.0,
                700.0,
                &[
                    &format!("Body text of page {word} continues"),
                    &format!("with line {word}."),
                ],
            );
            c += &line("F1", 8.0, 280.0, 40.0, &format!("Page {n} of 3"));
            c
        })
        .collect();
    let doc = read_pdf(&pdf.build(&pages)).unwrap();
    let kinds: Vec<(&str, &str)> = doc
        .blocks
        .iter()
        .map(|b| (b.kind.name(), b.text.as_str()))
        .collect();
    assert_eq!(kinds[0], ("header", "ACME Tender 2026 - Specifications"));
    assert_eq!(kinds[2], ("footer", "Page 1 of 3"));
    assert_eq!(
        doc.blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Header)
            .count(),
        3
    );
    assert_eq!(
        doc.blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Footer)
            .count(),
        3
    );
    for t in body(&doc) {
        assert!(!t.contains("Page") && !t.contains("ACME"), "{t}");
    }
    assert_eq!(doc.blocks[1].page, Some(1));
    assert_eq!(doc.blocks[1].anchor.index, 1);
    assert_eq!(doc.pages, Some(3));
}

#[test]
fn lone_page_number_on_a_single_page_is_a_footer() {
    let pdf = Pdf::new();
    let mut c = para_lines(72.0, 700.0, &["Only body text here."]);
    c += &line("F1", 9.0, 290.0, 30.0, "- 1 -");
    let doc = read_pdf(&pdf.build(&[c])).unwrap();
    assert_eq!(
        doc.blocks.last().map(|b| b.kind.clone()),
        Some(BlockKind::Footer)
    );
    assert_eq!(body(&doc), vec!["Only body text here."]);
}

#[test]
fn clause_numbers_headings_and_list_items() {
    let pdf = Pdf::new();
    let mut c = line("FB", 12.0, 72.0, 760.0, "7 Intellectual property");
    c += &line("FB", 10.0, 72.0, 730.0, "7.3 Licence");
    c += &para_lines(
        72.0,
        710.0,
        &[
            "7.3.1 The Contractor shall grant the Authority",
            "a perpetual licence.",
        ],
    );
    c += &para_lines(
        72.0,
        680.0,
        &["(a) the source code;", "(b) the documentation."],
    );
    c += "BT /F1 10 Tf 72 656 Td (\\225 a bullet point) Tj ET\n";
    let doc = read_pdf(&pdf.build(&[c])).unwrap();
    let got: Vec<(String, Option<String>, String)> = doc
        .blocks
        .iter()
        .map(|b| (b.kind.name().to_string(), b.clause.clone(), b.text.clone()))
        .collect();
    let want = [
        ("heading", Some("7"), "7 Intellectual property"),
        ("heading", Some("7.3"), "7.3 Licence"),
        (
            "paragraph",
            Some("7.3.1"),
            "7.3.1 The Contractor shall grant the Authority a perpetual licence.",
        ),
        ("list-item", Some("(a)"), "(a) the source code;"),
        ("list-item", Some("(b)"), "(b) the documentation."),
        ("list-item", None, "a bullet point"),
    ];
    let want: Vec<(String, Option<String>, String)> = want
        .iter()
        .map(|(k, c, t)| (k.to_string(), c.map(String::from), t.to_string()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(doc.blocks[0].kind, BlockKind::Heading { level: 1 });
    assert_eq!(doc.blocks[1].kind, BlockKind::Heading { level: 2 });
    assert_eq!(
        doc.blocks[2].heading_path,
        vec!["7 Intellectual property", "7.3 Licence"]
    );
}

#[test]
fn pages_without_text_are_no_text_layer() {
    let pdf = Pdf::new();
    let c = "q 100 0 0 100 72 600 cm 0 0 m 1 1 l S Q\n".to_string();
    assert_eq!(
        read_pdf(&pdf.build(&[c.clone(), c])),
        Err(ErrorKind::NoTextLayer)
    );
}

#[test]
fn cyclic_form_xobjects_are_an_error_fast() {
    let mut pdf = Pdf::new();
    let id = pdf.doc.new_object_id();
    let res = dictionary! {"XObject" => dictionary! {"Me" => id}};
    let s = Stream::new(
        dictionary! {"Type" => "XObject", "Subtype" => "Form", "Resources" => res},
        b"BT /F1 10 Tf 0 0 Td (loop) Tj ET /Me Do".to_vec(),
    );
    pdf.doc.objects.insert(id, Object::Stream(s));
    pdf.xobjects.set("Me", id);
    let t = Instant::now();
    let e = read_pdf(&pdf.build(&["/Me Do".to_string()])).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(&e, ErrorKind::Corrupt { detail, .. } if detail.contains("cycle")),
        "{e}"
    );
}

#[test]
fn deep_form_xobject_nesting_hits_the_depth_limit() {
    let mut pdf = Pdf::new();
    let mut next: Option<ObjectId> = None;
    for _ in 0..100 {
        let (res, body) = match next {
            Some(n) => (
                dictionary! {"XObject" => dictionary! {"N" => n}},
                b"/N Do".to_vec(),
            ),
            None => (
                Dictionary::new(),
                b"BT /F1 10 Tf 0 0 Td (deep) Tj ET".to_vec(),
            ),
        };
        let s = Stream::new(
            dictionary! {"Type" => "XObject", "Subtype" => "Form", "Resources" => res},
            body,
        );
        next = Some(pdf.doc.add_object(s));
    }
    pdf.xobjects.set("N", next.unwrap());
    let e = read_pdf(&pdf.build(&["/N Do".to_string()])).unwrap_err();
    assert!(
        matches!(&e, ErrorKind::Limit { limit, .. } if limit.contains("depth")),
        "{e}"
    );
}

/// A document whose page tree is written by `tree`, given the catalog's /Pages id.
fn with_tree(tree: impl FnOnce(&mut lopdf::Document, ObjectId)) -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.7");
    let pages = doc.new_object_id();
    tree(&mut doc, pages);
    let catalog = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages});
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn cyclic_page_tree_is_an_error_fast() {
    let bytes = with_tree(|doc, pages| {
        doc.objects.insert(
            pages,
            Object::Dictionary(
                dictionary! {"Type" => "Pages", "Kids" => vec![pages.into()], "Count" => 1},
            ),
        );
    });
    let t = Instant::now();
    let e = read_pdf(&bytes).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(&e, ErrorKind::Corrupt { detail, .. } if detail.contains("cycle")),
        "{e}"
    );
}

#[test]
fn a_page_tree_claiming_50000_pages_is_a_limit_error_fast() {
    let bytes = with_tree(|doc, pages| {
        let page = doc.add_object(dictionary! {"Type" => "Page", "Parent" => pages});
        let kids: Vec<Object> = (0..50_000).map(|_| page.into()).collect();
        doc.objects.insert(
            pages,
            Object::Dictionary(dictionary! {"Type" => "Pages", "Kids" => kids, "Count" => 50_000}),
        );
    });
    let t = Instant::now();
    let e = read_pdf(&bytes).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert_eq!(e, ErrorKind::limit("pages", 10_000, 50_000));
}

#[test]
fn page_walk_stops_at_max_pages_even_when_count_lies() {
    let bytes = with_tree(|doc, pages| {
        let kids: Vec<Object> = (0..150)
            .map(|_| {
                let c = doc.add_object(Stream::new(Dictionary::new(), b"".to_vec()));
                doc.add_object(dictionary! {"Type" => "Page", "Parent" => pages, "Contents" => c})
                    .into()
            })
            .collect();
        doc.objects.insert(
            pages,
            Object::Dictionary(dictionary! {"Type" => "Pages", "Kids" => kids, "Count" => 1}),
        );
    });
    let limits = Limits {
        max_pages: 100,
        ..Limits::default()
    };
    let e = read(Path::new("t.pdf"), &bytes, &limits).unwrap_err();
    assert!(
        matches!(&e, ErrorKind::Limit { limit, .. } if limit == "pages"),
        "{e}"
    );
}

#[test]
fn deep_page_tree_hits_the_depth_limit() {
    let bytes = with_tree(|doc, pages| {
        let mut child = doc.add_object(dictionary! {"Type" => "Page"});
        for _ in 0..200 {
            child = doc.add_object(
                dictionary! {"Type" => "Pages", "Kids" => vec![child.into()], "Count" => 1},
            );
        }
        doc.objects.insert(
            pages,
            Object::Dictionary(
                dictionary! {"Type" => "Pages", "Kids" => vec![child.into()], "Count" => 1},
            ),
        );
    });
    let e = read_pdf(&bytes).unwrap_err();
    assert!(
        matches!(&e, ErrorKind::Limit { limit, .. } if limit.contains("depth")),
        "{e}"
    );
}

#[test]
fn stream_size_limits_apply_after_decompression() {
    let mut pdf = Pdf::new();
    let text: String = (0..200)
        .map(|i| line("F1", 10.0, 72.0, 800.0 - 3.0 * i as f32, "repeated text"))
        .collect();
    let mut s = Stream::new(Dictionary::new(), text.into_bytes());
    s.compress().unwrap();
    let c = pdf.doc.add_object(s);
    // Swap in the compressed stream as the page content.
    let mut bytes_pdf = pdf;
    bytes_pdf.xobjects = Dictionary::new();
    let pages_id = bytes_pdf.doc.new_object_id();
    let page = bytes_pdf
        .doc
        .add_object(dictionary! {"Type" => "Page", "Parent" => pages_id, "Contents" => c});
    let fonts = bytes_pdf.fonts.clone();
    bytes_pdf.doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {"Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1, "Resources" => dictionary! {"Font" => fonts}}),
    );
    let catalog = bytes_pdf
        .doc
        .add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
    bytes_pdf.doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    bytes_pdf.doc.save_to(&mut bytes).unwrap();
    let small = Limits {
        max_entry_bytes: 1000,
        ..Limits::default()
    };
    let e = read(Path::new("t.pdf"), &bytes, &small).unwrap_err();
    assert!(
        matches!(&e, ErrorKind::Limit { limit, .. } if limit.contains("per pdf stream")),
        "{e}"
    );
    let total = Limits {
        max_total_bytes: 1000,
        ..Limits::default()
    };
    let e = read(Path::new("t.pdf"), &bytes, &total).unwrap_err();
    assert!(
        matches!(&e, ErrorKind::Limit { limit, .. } if limit.contains("per document")),
        "{e}"
    );
    assert!(read_pdf(&bytes).is_ok());
}

#[test]
fn garbage_and_truncated_input_is_an_error_not_a_panic() {
    let pdf = Pdf::new();
    let good = pdf.build(&[line("F1", 10.0, 72.0, 700.0, "hello")]);
    for cut in [10, good.len() / 3, good.len() / 2, good.len() - 20] {
        let _ = read_pdf(&good[..cut]);
    }
    assert!(read_pdf(b"%PDF-1.7\n garbage").is_err());
}

#[test]
fn zero_timeout_is_a_timeout_error() {
    let pdf = Pdf::new();
    let bytes = pdf.build(&[line("F1", 10.0, 72.0, 700.0, "hello")]);
    let limits = Limits {
        timeout: Duration::ZERO,
        ..Limits::default()
    };
    assert_eq!(
        read(Path::new("t.pdf"), &bytes, &limits),
        Err(ErrorKind::Timeout(0))
    );
}

#[test]
fn rotated_pages_read_in_their_writing_direction() {
    let pdf = Pdf::new();
    // Text running upwards: each line is a column of glyphs; the next line lies to the right.
    let c = "BT /F1 10 Tf 0 1 -1 0 300 100 Tm (Rotated line one) Tj ET\n\
             BT /F1 10 Tf 0 1 -1 0 312 100 Tm (and line two.) Tj ET\n";
    let doc = read_pdf(&pdf.build(&[c.to_string()])).unwrap();
    assert_eq!(body(&doc), vec!["Rotated line one and line two."]);
}

#[test]
fn clean_normalises_compatibility_characters_but_keeps_meaningful_ones() {
    let cases = [
        ("\u{FB01}nal \u{FB02}oor", "final floor"),
        ("ﬀ  ligature\u{A0}space", "ff ligature space"),
        ("10 m² and ½ share", "10 m² and ½ share"),
        ("soft\u{AD}hyphen", "softhyphen"),
        ("e\u{301}te\u{301}", "été"),
    ];
    for (input, want) in cases {
        assert_eq!(super::blocks::clean(input), want, "{input}");
    }
}

/// A TrueType font holding only a format 4 cmap that maps 'A'..='C' to glyphs 5..=7.
fn tiny_truetype() -> Vec<u8> {
    let mut sub = Vec::new();
    let seg = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_be_bytes());
    for x in [4u16, 32, 0, 4, 4, 1, 0] {
        seg(&mut sub, x); // format, length, language, segCountX2, searchRange, entrySelector, rangeShift
    }
    for x in [
        0x43u16,
        0xFFFF,
        0,
        0x41,
        0xFFFF,
        5u16.wrapping_sub(0x41),
        1,
        0,
        0,
    ] {
        seg(&mut sub, x); // ends, pad, starts, deltas, range offsets
    }
    let mut cmap = Vec::new();
    for x in [0u16, 1, 3, 1] {
        seg(&mut cmap, x);
    }
    cmap.extend_from_slice(&12u32.to_be_bytes());
    cmap.extend_from_slice(&sub);
    let mut font = Vec::new();
    font.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    for x in [1u16, 16, 0, 0] {
        seg(&mut font, x);
    }
    font.extend_from_slice(b"cmap");
    font.extend_from_slice(&0u32.to_be_bytes());
    font.extend_from_slice(&28u32.to_be_bytes());
    font.extend_from_slice(&(cmap.len() as u32).to_be_bytes());
    font.extend_from_slice(&cmap);
    font
}

#[test]
fn cid_truetype_without_tounicode_uses_the_embedded_cmap() {
    let rev = super::fonts::truetype_reverse_cmap(&tiny_truetype()).unwrap();
    assert_eq!(rev.get(&5), Some(&'A'));
    assert_eq!(rev.get(&7), Some(&'C'));
    let mut pdf = Pdf::new();
    let file = pdf.stream(Dictionary::new(), &tiny_truetype());
    let fd = pdf
        .doc
        .add_object(dictionary! {"Type" => "FontDescriptor", "FontFile2" => file});
    let desc = pdf.doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "Tiny", "FontDescriptor" => fd,
    });
    pdf.font(
        "FT",
        dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "Tiny",
            "Encoding" => "Identity-H", "DescendantFonts" => vec![desc.into()],
        },
    );
    let content = "BT /FT 10 Tf 72 700 Td <000700050006> Tj ET\n";
    let doc = read_pdf(&pdf.build(&[content.to_string()])).unwrap();
    assert_eq!(body(&doc), vec!["CAB"]);
}

#[test]
fn geometry_gives_each_block_its_line_rectangles() {
    let pdf = Pdf::new();
    let mut c = line("F1", 8.0, 72.0, 800.0, "- 1 -");
    c += &para_lines(72.0, 700.0, &["First line of text", "second line."]);
    let bytes = pdf.build(&[c]);
    let (doc, geo) =
        super::read_with_geometry(Path::new("t.pdf"), &bytes, &Limits::default()).unwrap();
    assert_eq!(doc.blocks.len(), geo.len());
    let i = doc
        .blocks
        .iter()
        .position(|b| b.kind == BlockKind::Paragraph)
        .unwrap();
    let g = &geo[i];
    assert_eq!(g.page, 1);
    assert_eq!(g.lines.len(), 2);
    let (r0, rect0) = &g.lines[0];
    assert_eq!(&doc.blocks[i].text[r0.clone()], "First line of text ");
    assert!((rect0[0] - 72.0).abs() < 0.01 && rect0[1] < 700.0 && rect0[3] > 700.0);
    assert!(g.lines[1].1[3] < rect0[1] + 10.0);
    assert!(geo[0].lines.is_empty(), "furniture has no lines");
}

#[test]
fn numbered_headings_opening_several_pages_are_not_headers() {
    // Regression: masking digits made "4.1 Scope" and "7.1 Scope" at the top of pages look
    // like a running header.
    let pdf = Pdf::new();
    let pages: Vec<String> = (1..=9)
        .map(|n| {
            let mut c = line("F1", 8.0, 72.0, 800.0, "ACME Tender");
            if n % 2 == 0 {
                c += &line("FB", 12.0, 72.0, 760.0, &format!("{n}.1 Scope"));
            }
            let words = [
                "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
            ];
            let w = words[n - 1];
            c += &para_lines(
                72.0,
                700.0,
                &[
                    &format!("Body text {w} that differs"),
                    &format!("here {w}."),
                ],
            );
            c += &line("F1", 8.0, 280.0, 40.0, &format!("Page {n} of 9"));
            c
        })
        .collect();
    let doc = read_pdf(&pdf.build(&pages)).unwrap();
    let headings: Vec<&str> = doc
        .blocks
        .iter()
        .filter(|b| matches!(b.kind, BlockKind::Heading { .. }))
        .map(|b| b.text.as_str())
        .collect();
    assert_eq!(
        headings,
        vec!["2.1 Scope", "4.1 Scope", "6.1 Scope", "8.1 Scope"]
    );
    assert_eq!(
        doc.blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Header)
            .count(),
        9
    );
    assert_eq!(
        doc.blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Footer)
            .count(),
        9
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Arbitrary operators and operands in a content stream never panic the interpreter,
    /// layout or block building.
    #[test]
    fn arbitrary_content_streams_do_not_panic(noise in proptest::collection::vec(
        proptest::prop_oneof![
            proptest::prelude::Just("BT ".to_string()),
            proptest::prelude::Just("ET ".to_string()),
            proptest::prelude::Just("q ".to_string()),
            proptest::prelude::Just("Q ".to_string()),
            proptest::prelude::Just("/F1 ".to_string()),
            proptest::prelude::Just("/FB ".to_string()),
            proptest::prelude::Just("[(a) -9e30 (b)] TJ ".to_string()),
            proptest::prelude::Just("<00ff01> Tj ".to_string()),
            proptest::prelude::Just("(x) ' ".to_string()),
            "[A-Za-z*'\"]{1,3} ",
            "-?[0-9]{1,6}(\\.[0-9]{1,3})? ",
        ],
        0..80,
    )) {
        let pdf = Pdf::new();
        let content = format!("BT /F1 10 Tf 72 700 Td (seed) Tj ET {}", noise.concat());
        let _ = read_pdf(&pdf.build(&[content]));
    }
}

fn encrypted(user_password: &str) -> Vec<u8> {
    let pdf = Pdf::new();
    let mut doc = pdf.finish(&[line("F1", 10.0, 72.0, 700.0, "Secret tender text.")]);
    let id = Object::String(
        b"0123456789abcdef".to_vec(),
        lopdf::StringFormat::Hexadecimal,
    );
    doc.trailer.set("ID", vec![id.clone(), id]);
    let version = lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password,
        key_length: 128,
        permissions: lopdf::Permissions::all(),
    };
    let state = lopdf::EncryptionState::try_from(version).unwrap();
    doc.encrypt(&state).unwrap();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn encrypted_with_the_empty_user_password_reads() {
    let doc = read_pdf(&encrypted("")).unwrap();
    assert_eq!(body(&doc), vec!["Secret tender text."]);
}

#[test]
fn encrypted_with_a_user_password_is_an_encrypted_error() {
    assert_eq!(
        read_pdf(&encrypted("secret")),
        Err(ErrorKind::Encrypted("a password is needed".into()))
    );
}

#[test]
fn a_page_with_thousands_of_rows_reads_quickly() {
    let pdf = Pdf::new();
    let mut c = String::new();
    for i in 0..1900 {
        let y = 800.0 - 0.25 * i as f32;
        c += &format!(
            "BT /F1 1 Tf 72 {y} Td (left {i}) Tj ET BT /F1 1 Tf 300 {y} Td (right {i}) Tj ET\n"
        );
    }
    let t = Instant::now();
    let doc = read_pdf(&pdf.build(&[c])).unwrap();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert!(doc.plain_text().contains("right 1899"));
}

#[test]
fn pages_without_text_and_unmapped_glyphs_are_warned_about() {
    let mut pdf = Pdf::new();
    pdf.font(
        "FG",
        dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Subset",
            "Encoding" => dictionary! {"Differences" => vec![1.into(), "g17".into(), "g18".into()]},
        },
    );
    let text = line("F1", 10.0, 72.0, 700.0, "Readable text.")
        + "BT /FG 10 Tf 72 680 Td (\\001\\002\\001\\002) Tj ET\n";
    let blank = "q 1 0 0 1 0 0 cm Q\n".to_string();
    let doc = read_pdf(&pdf.build(&[text, blank])).unwrap();
    assert_eq!(body(&doc), vec!["Readable text."]);
    assert_eq!(
        doc.warnings,
        vec![
            "1 of 2 pages have no text layer (scanned?): pages 2".to_string(),
            "4 of 18 glyphs have no Unicode mapping in their font; text may be missing".to_string(),
        ]
    );
}

#[test]
fn a_side_heading_and_its_first_clause_on_one_row_split() {
    // Regression (en-02 fixture): "Article 4 Quality assurance   4.1 The Contractor ..." was
    // one block, so clause 4.1 was lost.
    let pdf = Pdf::new();
    let mut c = line("FB", 11.0, 72.0, 700.0, "Article 4 Quality assurance");
    c += &para_lines(
        300.0,
        700.0,
        &[
            "4.1 The Contractor shall maintain",
            "automated tests for each release.",
        ],
    );
    let doc = read_pdf(&pdf.build(&[c])).unwrap();
    let got: Vec<(&str, Option<&str>)> = doc
        .blocks
        .iter()
        .map(|b| (b.kind.name(), b.clause.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![("heading", Some("Article 4")), ("paragraph", Some("4.1"))]
    );
    assert_eq!(
        doc.blocks[1].text,
        "4.1 The Contractor shall maintain automated tests for each release."
    );
}

#[test]
fn a_page_with_only_header_and_footer_keeps_them_as_furniture() {
    // Regression (de-02 fixture): an empty page's header leaked into the body.
    let pdf = Pdf::new();
    let pages: Vec<String> = ["one", "", "three"]
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let mut c = line("F1", 8.0, 72.0, 800.0, "Senatsverwaltung - Rahmenvertrag");
            if !w.is_empty() {
                c += &para_lines(72.0, 700.0, &[&format!("Body text {w}.")]);
            }
            c += &line("F1", 8.0, 280.0, 40.0, &format!("Seite {} von 3", i + 1));
            c
        })
        .collect();
    let doc = read_pdf(&pdf.build(&pages)).unwrap();
    assert_eq!(body(&doc), vec!["Body text one.", "Body text three."]);
    assert_eq!(
        doc.blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Header)
            .count(),
        3
    );
}

#[test]
fn tables_read_cell_by_cell_with_wrapped_cells_whole() {
    // Regression (fixtures fr-01, de-01): wrapped cells were read line by line across the row,
    // and tables were split into "columns".
    let pdf = Pdf::new();
    let mut c = String::new();
    let row = |y: f32, cells: &[(f32, &str)]| -> String {
        cells
            .iter()
            .map(|(x, t)| line("F1", 10.0, *x, y, t))
            .collect()
    };
    c += &row(
        700.0,
        &[(72.0, "Requirement"), (230.0, "Level"), (380.0, "Evidence")],
    );
    c += &row(
        682.0,
        &[
            (72.0, "Availability"),
            (230.0, "99.5 % in office"),
            (380.0, "Monthly report"),
        ],
    );
    c += &row(670.0, &[(230.0, "hours")]);
    c += &row(
        652.0,
        &[
            (72.0, "Backups"),
            (230.0, "Daily, kept for"),
            (380.0, "Written procedure"),
        ],
    );
    c += &row(640.0, &[(230.0, "thirty days")]);
    c += &line(
        "F1",
        10.0,
        72.0,
        610.0,
        "A paragraph below the table runs across all of its columns and ends here.",
    );
    let doc = read_pdf(&pdf.build(&[c])).unwrap();
    let text = doc.plain_text().replace("\n\n", " | ");
    assert!(
        text.contains("Availability | 99.5 % in office hours | Monthly report"),
        "{text}"
    );
    assert!(
        text.contains("Daily, kept for thirty days | Written procedure"),
        "{text}"
    );
    assert!(
        text.ends_with("A paragraph below the table runs across all of its columns and ends here.")
    );
    assert!(
        doc.blocks.iter().all(|b| b.clause.is_none()),
        "99.5 is a figure"
    );
}
