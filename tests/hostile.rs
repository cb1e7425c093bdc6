//! Generated hostile and broken documents, through the library (`extract::read_bytes`) and
//! through the real binary (`tenderlint scan --format json` under `/usr/bin/time -v`): each ends
//! in a one-line error naming the file, or in a correct result, within 5 s and 500 MB, and never in
//! a panic. Also: document text never drives the terminal, inputs are never written, outputs are
//! written whole or not at all. Corpus walk through the binary at the end.

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use tenderlint::Limits;
use tenderlint::extract::read_bytes;
use zip::write::SimpleFileOptions;

const MAX_SECS: f64 = 5.0;
const MAX_RSS_KB: u64 = 500 * 1024;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tenderlint"))
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/eval")
            .join(name),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

// ---------------------------------------------------------------- builders

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        let method = if *name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let opts = SimpleFileOptions::default()
            .compression_method(method)
            .large_file(data.len() > u32::MAX as usize / 2);
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn docx_parts(document: &[u8]) -> Vec<u8> {
    let rels = br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let types = br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#;
    zip(&[
        ("[Content_Types].xml", types),
        ("_rels/.rels", rels),
        ("word/document.xml", document),
    ])
}

fn docx(prolog: &str, body: &str) -> Vec<u8> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>{prolog}<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>"#
    );
    docx_parts(document.as_bytes())
}

fn wp(text: &str) -> String {
    format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
}

const ODF_NS: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0""#;

fn odt_content(content: &[u8]) -> Vec<u8> {
    zip(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", content),
    ])
}

fn fodt(prolog: &str, body: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document {ODF_NS} office:mimetype="application/vnd.oasis.opendocument.text"><office:body><office:text>{body}</office:text></office:body></office:document>"#
    )
    .into_bytes()
}

const LAUGHS: &str = r#"<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>"#;

/// A zip-bomb part: `head`, then `n` bytes of spaces (compresses about 1000:1), then `tail`.
fn padded(head: &str, n: usize, tail: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(head.len() + n + tail.len());
    v.extend_from_slice(head.as_bytes());
    v.resize(head.len() + n, b' ');
    v.extend_from_slice(tail.as_bytes());
    v
}

/// A classic PDF from numbered object bodies (object i+1 is `objects[i]`), with a correct xref
/// table; `trailer` is added to the trailer dictionary (which has /Size and /Root 1 0 R).
fn pdf(objects: &[Vec<u8>], trailer: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    let trailer = trailer.replace("XREF", &xref.to_string());
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R {trailer} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut v = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    v.extend_from_slice(data);
    v.extend_from_slice(b"\nendstream");
    v
}

/// A one-page PDF: catalog, pages, page (with `page_extra` in its dictionary), content, font.
fn one_page(content: &[u8], font_extra: &str, page_extra: &str, trailer: &str) -> Vec<u8> {
    pdf(
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> {page_extra} >>").into_bytes(),
            stream("", content),
            format!("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding {font_extra} >>").into_bytes(),
        ],
        trailer,
    )
}

fn text_content(lines: &[&[u8]]) -> Vec<u8> {
    let mut c = b"BT /F1 12 Tf 72 720 Td 14 TL\n".to_vec();
    for l in lines {
        c.extend_from_slice(l);
        c.extend_from_slice(b" '\n");
    }
    c.extend_from_slice(b"ET");
    c
}

/// zlib (RFC 1950) of `n` zero bytes, via the zip writer's deflate.
fn zlib_zeros(n: usize) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    w.start_file("z", opts).unwrap();
    let chunk = vec![0u8; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len());
        w.write_all(&chunk[..k]).unwrap();
        left -= k;
    }
    let bytes = w.finish().unwrap().into_inner();
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut raw = Vec::new();
    archive
        .by_index_raw(0)
        .unwrap()
        .read_to_end(&mut raw)
        .unwrap();
    let mut out = vec![0x78, 0x9c];
    out.extend_from_slice(&raw);
    // Adler-32 of zeros: a stays 1, b is n mod 65521.
    let adler = (((n % 65521) as u32) << 16) | 1;
    out.extend_from_slice(&adler.to_be_bytes());
    out
}

fn utf16_hex(units: &[u16]) -> String {
    let mut s = String::from("<FEFF");
    for u in units {
        s.push_str(&format!("{u:04X}"));
    }
    s.push('>');
    s
}

// ---------------------------------------------------------------- the cases

/// What a case must end in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// A document (possibly with no findings).
    Read,
    /// An error of this kind id (`limit`, `corrupt`, ...).
    Error(&'static str),
    /// Either a document or one of these error kinds.
    ReadOr(&'static [&'static str]),
}

struct Case {
    name: &'static str,
    file: &'static str,
    bytes: Vec<u8>,
    expect: Expect,
}

const ESC_TEXT: &str = "The supplier retains \x1b[31mall intellectual property\x1b]0;owned\x07 rights \u{9b}2J in the software.\x1b[2J\x08\x7f";

fn cases() -> Vec<Case> {
    let deep_xml = format!("{}x{}", "<w:sdt>".repeat(10_000), "</w:sdt>".repeat(10_000));
    let deep_odf = format!(
        "{}x{}",
        "<text:span>".repeat(10_000),
        "</text:span>".repeat(10_000)
    );
    let deep_array = format!("/Deep {}0{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_dict = format!("/Deep {}0{}", "<< /A ".repeat(10_000), " >>".repeat(10_000));
    let mut fifty_k_kids = String::from("<< /Type /Pages /Count 50000 /Kids [");
    for _ in 0..50_000 {
        fifty_k_kids.push_str("3 0 R ");
    }
    fifty_k_kids.push_str("] >>");
    let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange <00> <FF> endcodespacerange\n2 beginbfchar <41> <D800> <42> <DC00D800> endbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end";
    let pdf_fixture = fixture("en-01-cloud-platform.pdf");
    let docx_fixture = fixture("en-01-cloud-platform.docx");
    let odt_fixture = fixture("en-01-cloud-platform.odt");
    let fodt_fixture = fixture("en-01-cloud-platform.fodt");
    let half = |v: &[u8]| v[..v.len() / 2].to_vec();
    let esc_xml = ESC_TEXT
        .replace('\x1b', "&#x1b;")
        .replace('\x07', "&#7;")
        .replace('\x08', "&#8;");
    vec![
        Case {
            name: "zip bomb docx",
            file: "bomb.docx",
            bytes: docx_parts(&padded(
                &format!(r#"<?xml version="1.0"?><w:document xmlns:w="{W_NS}"><w:body>"#),
                200 << 20,
                "</w:body></w:document>",
            )),
            expect: Expect::Error("limit"),
        },
        Case {
            name: "zip bomb odt",
            file: "bomb.odt",
            bytes: odt_content(&padded(
                &format!(r#"<?xml version="1.0"?><office:document-content {ODF_NS}><office:body><office:text>"#),
                200 << 20,
                "</office:text></office:body></office:document-content>",
            )),
            expect: Expect::Error("limit"),
        },
        Case {
            name: "billion laughs docx",
            file: "laughs.docx",
            bytes: docx(LAUGHS, &wp("a &lol9; b &xxe; c")),
            expect: Expect::Read,
        },
        Case {
            name: "billion laughs fodt",
            file: "laughs.fodt",
            bytes: fodt(LAUGHS, "<text:p>a &lol9; b &xxe; c</text:p>"),
            expect: Expect::Read,
        },
        Case {
            name: "10000-deep xml docx",
            file: "deep.docx",
            bytes: docx("", &wp(&deep_xml).replace("<w:t xml:space=\"preserve\">", "<w:t>")),
            expect: Expect::Error("limit"),
        },
        Case {
            name: "10000-deep xml fodt",
            file: "deep.fodt",
            bytes: fodt("", &format!("<text:p>{deep_odf}</text:p>")),
            expect: Expect::Error("limit"),
        },
        Case {
            name: "10000-deep pdf array",
            file: "deep-array.pdf",
            bytes: one_page(&text_content(&[b"(Deep arrays.)"]), "", &deep_array, ""),
            // lopdf gives up on the page object; the page then has no text.
            expect: Expect::ReadOr(&["corrupt", "limit", "no-text-layer"]),
        },
        Case {
            name: "10000-deep pdf dictionary",
            file: "deep-dict.pdf",
            bytes: one_page(&text_content(&[b"(Deep dictionaries.)"]), "", &deep_dict, ""),
            expect: Expect::ReadOr(&["corrupt", "limit", "no-text-layer"]),
        },
        Case {
            name: "10000-deep pdf array in a content stream",
            file: "deep-content.pdf",
            bytes: one_page(
                format!("BT /F1 12 Tf 72 720 Td {}(x){} TJ ET", "[".repeat(10_000), "]".repeat(10_000)).as_bytes(),
                "",
                "",
                "",
            ),
            expect: Expect::ReadOr(&["corrupt", "limit", "no-text-layer"]),
        },
        Case {
            name: "cyclic xref prev",
            file: "cyclic-xref.pdf",
            bytes: one_page(&text_content(&[b"(Cyclic xref.)"]), "", "", "/Prev XREF"),
            expect: Expect::ReadOr(&["corrupt"]),
        },
        Case {
            name: "cyclic object graph",
            file: "cyclic-objects.pdf",
            bytes: pdf(
                &[
                    b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
                    b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>".to_vec(),
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources 5 0 R >>".to_vec(),
                    b"6 0 R".to_vec(),
                    b"4 0 R".to_vec(),
                    b"5 0 R".to_vec(),
                ],
                "",
            ),
            expect: Expect::ReadOr(&["corrupt", "limit", "no-text-layer"]),
        },
        Case {
            name: "pdf claiming 50000 pages",
            file: "fifty-thousand.pdf",
            bytes: pdf(
                &[
                    b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
                    fifty_k_kids.into_bytes(),
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
                    stream("", &text_content(&[b"(One page, many times.)"])),
                    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
                ],
                "",
            ),
            expect: Expect::Error("limit"),
        },
        Case {
            name: "huge declared stream length",
            file: "huge-declared.pdf",
            bytes: {
                let mut b = one_page(&text_content(&[b"(Declared.)"]), "", "", "");
                let s = String::from_utf8_lossy(&b).replace("/Length 47", "/Length 99999999999");
                b = s.into_bytes();
                b
            },
            expect: Expect::ReadOr(&["corrupt"]),
        },
        Case {
            name: "huge actual stream (200 MB inflated)",
            file: "huge-actual.pdf",
            bytes: pdf(
                &[
                    b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_vec(),
                    stream("/Filter /FlateDecode", &zlib_zeros(200 << 20)),
                ],
                "",
            ),
            expect: Expect::Error("limit"),
        },
        Case {
            name: "control characters and escapes in text",
            file: "escapes.txt",
            bytes: format!("{ESC_TEXT}\n\nThe \x1b[1mbuyer\x1b[0m must use proprietary formats.\n").into_bytes(),
            expect: Expect::Read,
        },
        Case {
            name: "control characters and escapes in docx",
            file: "escapes.docx",
            bytes: docx("", &format!("{}{}", wp(&esc_xml), wp("Raw \x1b[31m escape \x1b]2;x\x07 here."))),
            expect: Expect::ReadOr(&["corrupt"]),
        },
        Case {
            name: "control characters and escapes in pdf",
            file: "escapes.pdf",
            bytes: one_page(
                &text_content(&[
                    b"(The supplier retains \x1b[31mall intellectual property\x1b]0;owned\x07 rights.)",
                    b"(\x9b2J in the \x08software\x7f.)",
                ]),
                "",
                "",
                "",
            ),
            expect: Expect::Read,
        },
        Case {
            name: "lone surrogates in tounicode and title",
            file: "surrogates.pdf",
            bytes: {
                let mut objs = vec![
                    b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
                    stream("", &text_content(&[b"(Surrogates ABAB in text.)"])),
                    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>".to_vec(),
                    stream("", cmap),
                ];
                objs.push(format!("<< /Title {} /Author {} >>", utf16_hex(&[0x0054, 0xD800, 0x0041]), utf16_hex(&[0xDC00])).into_bytes());
                pdf(&objs, "/Info 7 0 R")
            },
            expect: Expect::Read,
        },
        Case {
            name: "truncated pdf",
            file: "truncated.pdf",
            bytes: half(&pdf_fixture),
            expect: Expect::ReadOr(&["corrupt", "no-text-layer"]),
        },
        Case {
            name: "truncated docx",
            file: "truncated.docx",
            bytes: half(&docx_fixture),
            expect: Expect::ReadOr(&["corrupt", "unsupported-format"]),
        },
        Case {
            name: "truncated odt",
            file: "truncated.odt",
            bytes: half(&odt_fixture),
            expect: Expect::ReadOr(&["corrupt", "unsupported-format"]),
        },
        Case {
            name: "truncated fodt",
            file: "truncated.fodt",
            bytes: half(&fodt_fixture),
            expect: Expect::Error("corrupt"),
        },
        Case {
            name: "truncated text (cut inside a UTF-8 sequence)",
            file: "truncated.txt",
            bytes: "Le titulaire cède les droits d'exploitation à l'acheteur é".as_bytes()
                [.."Le titulaire cède les droits d'exploitation à l'acheteur é".len() - 1]
                .to_vec(),
            expect: Expect::ReadOr(&["corrupt"]),
        },
        Case {
            name: "pdf named .docx",
            file: "really-a-pdf.docx",
            bytes: pdf_fixture.clone(),
            expect: Expect::ReadOr(&["unsupported-format", "corrupt"]),
        },
        Case {
            name: "encrypted pdf",
            file: "encrypted.pdf",
            bytes: one_page(
                &text_content(&[b"(Secret.)"]),
                "",
                "",
                "/Encrypt << /Filter /Standard /V 1 /R 2 /O <0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF> /U <0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF> /P -4 >> /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>]",
            ),
            expect: Expect::ReadOr(&["encrypted", "corrupt"]),
        },
    ]
}

fn check(name: &str, expect: Expect, outcome: Result<(), &str>) {
    match (expect, outcome) {
        (_, Err("panic")) => panic!("{name}: the reader panicked"),
        (Expect::Read, Ok(())) | (Expect::ReadOr(_), Ok(())) => {}
        (Expect::Error(want), Err(got)) if want == got => {}
        (Expect::ReadOr(allowed), Err(got)) if allowed.contains(&got) => {}
        (want, got) => panic!("{name}: expected {want:?}, got {got:?}"),
    }
}

// ---------------------------------------------------------------- through the library

#[test]
fn hostile_inputs_through_the_library() {
    let mut slow = Vec::new();
    for case in cases() {
        let start = Instant::now();
        let result = read_bytes(Path::new(case.file), &case.bytes, &Limits::default());
        let secs = start.elapsed().as_secs_f64();
        println!(
            "library {:<45} {:>7.3} s  {}",
            case.name,
            secs,
            match &result {
                Ok(d) => format!("read, {} blocks", d.blocks.len()),
                Err(e) => e.to_string(),
            }
        );
        if let Err(e) = &result {
            let msg = e.to_string();
            assert!(msg.starts_with(case.file), "{}: {msg}", case.name);
            assert!(!msg.contains('\n'), "{}: {msg}", case.name);
        }
        if let Ok(doc) = &result {
            for b in &doc.blocks {
                assert!(!b.text.contains("lollol"), "{}: entity expanded", case.name);
                assert!(
                    !b.text.contains("root:"),
                    "{}: external entity read",
                    case.name
                );
            }
        }
        check(
            case.name,
            case.expect,
            result.as_ref().map(|_| ()).map_err(|e| e.kind.id()),
        );
        if secs > MAX_SECS {
            slow.push(format!("{}: {secs:.1} s", case.name));
        }
    }
    assert!(slow.is_empty(), "slower than {MAX_SECS} s: {slow:?}");
}

// ---------------------------------------------------------------- through the binary

/// Wall seconds and peak RSS (kB) of a command run under `/usr/bin/time -v`; `None` for the
/// memory when GNU time is not there.
struct Measured {
    out: std::process::Output,
    secs: f64,
    rss_kb: Option<u64>,
}

fn time_v_available() -> bool {
    Command::new("/usr/bin/time")
        .args(["-v", "true"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn measured(args: &[&std::ffi::OsStr], dir: &Path) -> Measured {
    let timed = time_v_available();
    let mut cmd = if timed {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-v").arg(bin());
        c
    } else {
        Command::new(bin())
    };
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    let start = Instant::now();
    let out = cmd.output().unwrap();
    let secs = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let rss_kb = timed
        .then(|| {
            stderr
                .lines()
                .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
                .and_then(|v| v.trim().parse().ok())
        })
        .flatten();
    Measured { out, secs, rss_kb }
}

fn is_clean_for_terminal(s: &str) -> bool {
    !s.chars().any(|c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

#[test]
fn hostile_inputs_through_the_binary() {
    if !time_v_available() {
        println!("NOTE: /usr/bin/time -v not available; peak memory is not measured");
    }
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in cases() {
        let path = dir.path().join(case.file);
        std::fs::write(&path, &case.bytes).unwrap();
        let m = measured(
            &[
                "scan".as_ref(),
                "--format".as_ref(),
                "json".as_ref(),
                path.as_os_str(),
            ],
            dir.path(),
        );
        let report: serde_json::Value = serde_json::from_slice(&m.out.stdout)
            .unwrap_or_else(|e| panic!("{}: no JSON report ({e}): {:?}", case.name, m.out));
        let doc = &report["documents"][0];
        let error = doc["error"]["kind"].as_str();
        let message = doc["error"]["message"].as_str().unwrap_or("");
        println!(
            "binary  {:<45} {:>7.3} s {:>8} kB  {}",
            case.name,
            m.secs,
            m.rss_kb.map_or("-".into(), |k| k.to_string()),
            error.map_or("read".to_string(), |k| format!("{k}: {message}"))
        );
        let code = m.out.status.code();
        assert!(
            matches!(code, Some(0..=2)),
            "{}: exit {code:?} (crash?)",
            case.name
        );
        check(case.name, case.expect, error.map_or(Ok(()), Err));
        if error.is_some() {
            let stderr = String::from_utf8_lossy(&m.out.stderr);
            let line = stderr
                .lines()
                .find(|l| l.starts_with("tenderlint: error:"))
                .unwrap_or_else(|| panic!("{}: no error line: {stderr}", case.name));
            assert!(line.contains(case.file), "{}: {line}", case.name);
        }
        if m.secs > MAX_SECS {
            failures.push(format!("{}: {:.1} s", case.name, m.secs));
        }
        if let Some(kb) = m.rss_kb
            && kb > MAX_RSS_KB
        {
            failures.push(format!("{}: {kb} kB", case.name));
        }
    }
    assert!(failures.is_empty(), "over budget: {failures:?}");
}

#[test]
fn escapes_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["escapes.txt", "escapes.docx", "escapes.pdf"];
    for case in cases().into_iter().filter(|c| names.contains(&c.file)) {
        std::fs::write(dir.path().join(case.file), &case.bytes).unwrap();
    }
    let sgr = regex::Regex::new("\x1b\\[[0-9;]*m").unwrap();
    for name in names {
        for args in [
            vec!["scan", "--color", "never", name],
            vec!["scan", "--color", "always", name],
            vec!["extract", name],
        ] {
            let out = Command::new(bin())
                .args(&args)
                .current_dir(dir.path())
                .output()
                .unwrap();
            let stdout = String::from_utf8(out.stdout).unwrap();
            // Our own colours (with --color always) are SGR sequences; remove exactly those,
            // then nothing control-like may remain.
            let without_sgr = sgr.replace_all(&stdout, "");
            assert!(
                is_clean_for_terminal(&without_sgr),
                "{args:?}: control characters in output:\n{without_sgr:?}"
            );
            if args[0] == "extract" {
                assert!(
                    stdout.contains("intellectual property")
                        || name == "escapes.docx" && stdout.contains("escape"),
                    "{args:?}: {stdout}"
                );
            }
        }
    }
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>, SystemTime)> {
    let mut v: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let m = e.metadata().unwrap();
            (
                e.path().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
                m.modified().unwrap(),
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[test]
fn inputs_are_never_written_and_outputs_are_whole_or_absent() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    for case in cases().into_iter().filter(|c| c.bytes.len() < 5 << 20) {
        std::fs::write(docs.join(case.file), &case.bytes).unwrap();
    }
    std::fs::write(
        docs.join("en-01.docx"),
        fixture("en-01-cloud-platform.docx"),
    )
    .unwrap();
    let before = snapshot(&docs);
    std::thread::sleep(Duration::from_millis(20));

    // A scan with unreadable documents still writes its reports whole.
    let out = Command::new(bin())
        .args([
            "scan",
            "docs",
            "-f",
            "json",
            "-o",
            "report.json",
            "--report",
            "sarif=report.sarif",
            "-q",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    assert!(report["summary"]["unreadable"].as_u64().unwrap() > 0);
    let _: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.sarif")).unwrap()).unwrap();

    // An output that is an input is refused before any work; nothing is written.
    let out = Command::new(bin())
        .args(["scan", "docs", "-f", "json", "-o", "docs/en-01.docx"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");

    // An output in a folder that does not exist fails without leaving anything behind.
    let out = Command::new(bin())
        .args(["scan", "docs", "-f", "json", "-o", "missing/report.json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0), "{out:?}");
    assert!(!dir.path().join("missing").exists());

    assert_eq!(snapshot(&docs), before, "scan changed its inputs");
    let mut top: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(
        top,
        ["docs", "report.json", "report.sarif"],
        "stray or temporary files"
    );
}

#[test]
fn limits_from_the_command_line_and_the_config_name_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.txt"),
        "The supplier keeps all rights. ".repeat(100),
    )
    .unwrap();
    let out = Command::new(bin())
        .args(["scan", "t.txt", "-f", "json", "--max-input-size", "100"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["documents"][0]["error"]["message"],
        "limit exceeded: input size in bytes (limit 100, found 3100)"
    );
    std::fs::write(
        dir.path().join("tenderlint.toml"),
        "[limits]\nmax_input_bytes = 200\n",
    )
    .unwrap();
    let out = Command::new(bin())
        .args(["extract", "t.txt"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("t.txt: limit exceeded: input size in bytes (limit 200, found 3100)"),
        "{out:?}"
    );
    // The flag wins over the file.
    let out = Command::new(bin())
        .args(["scan", "t.txt", "-f", "json", "--max-input-size", "10000"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["documents"][0]["error"].is_null(), "{report}");
    std::fs::write(
        dir.path().join("tenderlint.toml"),
        "[limits]\nmax_pagez = 1\n",
    )
    .unwrap();
    let out = Command::new(bin())
        .args(["scan", "t.txt"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown key \"max_pagez\""),
        "{out:?}"
    );
}

/// Every file of `../shared/corpus` (both folders) through `tenderlint scan --format json`, one
/// process per file: no panic (exit 0-2, no `panic` error), under 10 s and 500 MB each.
#[test]
fn corpus_through_the_binary_within_time_and_memory() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !root.is_dir() {
        println!("SKIPPED: corpus not found at {}", root.display());
        return;
    }
    if !time_v_available() {
        println!("NOTE: /usr/bin/time -v not available; peak memory is not measured");
    }
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    let (mut read, mut errors, mut max_secs, mut max_kb) = (0, 0, 0f64, 0u64);
    let mut failures = Vec::new();
    for f in &files {
        let m = measured(
            &[
                "scan".as_ref(),
                "--format".as_ref(),
                "json".as_ref(),
                f.as_os_str(),
            ],
            &root,
        );
        let name = f.strip_prefix(&root).unwrap_or(f).display().to_string();
        let report: serde_json::Value = match serde_json::from_slice(&m.out.stdout) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!(
                    "{name}: no JSON report ({e}), exit {:?}",
                    m.out.status.code()
                ));
                continue;
            }
        };
        match report["documents"][0]["error"]["kind"].as_str() {
            None => read += 1,
            Some("panic") => failures.push(format!(
                "{name}: panic: {}",
                report["documents"][0]["error"]
            )),
            Some(_) => errors += 1,
        }
        if !matches!(m.out.status.code(), Some(0..=2)) {
            failures.push(format!("{name}: exit {:?}", m.out.status.code()));
        }
        if m.secs > 10.0 {
            failures.push(format!("{name}: {:.1} s", m.secs));
        }
        if let Some(kb) = m.rss_kb {
            max_kb = max_kb.max(kb);
            if kb > MAX_RSS_KB {
                failures.push(format!("{name}: {kb} kB"));
            }
        }
        max_secs = max_secs.max(m.secs);
    }
    println!(
        "corpus: {} files, {read} read, {errors} typed errors, slowest {max_secs:.2} s, peak RSS {max_kb} kB",
        files.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
