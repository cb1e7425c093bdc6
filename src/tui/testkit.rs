//! Test helpers: hand-made analyses (a small tender with one finding of each kind), an `App`
//! with them loaded, a key-script replayer and a renderer into ratatui's `TestBackend`.

use std::path::{Path, PathBuf};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tenderlint::document::Document;
use tenderlint::finding::{Location, Position, Reference, Span, Suggestion, TopicHit, stable_hash};
use tenderlint::{Analysis, Block, BlockKind, Category, Finding, Format, Severity};

use super::action::{Action, Effect};
use super::app::{App, Clock};
use super::keymap::{self, Key};
use super::theme::{Theme, ThemeKind};
use super::update::update;
use super::view::view;

pub const NOW: &str = "2026-03-01T10:00:00Z";

pub struct Spec<'a> {
    pub rule: &'a str,
    pub category: Category,
    pub severity: Severity,
    pub title: &'a str,
    /// (block, excerpt) or `None` for a document-level finding.
    pub at: Option<(usize, &'a str)>,
    pub suggestion: Option<(&'a str, bool)>,
}

pub fn finding(doc: &Document, s: Spec) -> Finding {
    let mut location = Location::default();
    let mut excerpt = None;
    let mut context = None;
    let mut replaces = None;
    if let Some((b, text)) = s.at {
        let block = &doc.blocks[b];
        let start = block.text.find(text).expect("excerpt in block");
        let end = start + text.len();
        location = Location {
            page: block.page,
            clause: block.clause.clone(),
            heading: block.heading(),
            block: Some(b),
            start: Some(start),
            end: Some(end),
        };
        excerpt = Some(text.to_string());
        context = Some(block.text.clone());
        replaces = Some(Span {
            block: b,
            start,
            end,
        });
    }
    let suggestions = s
        .suggestion
        .map(|(text, exact)| Suggestion {
            text: text.into(),
            position: Position::Preferred,
            replaces: if exact { replaces } else { None },
        })
        .into_iter()
        .collect();
    Finding {
        rule_id: s.rule.into(),
        category: s.category,
        severity: s.severity,
        title: s.title.into(),
        message: format!("{} ({})", s.title, s.rule),
        explanation: "Plain words on why this hurts the buyer: it cannot reuse, share or hand \
                      over what it paid for."
            .into(),
        excerpt: excerpt.clone(),
        context,
        location,
        suggestions,
        references: vec![Reference {
            title: "Directive 2014/24/EU, Article 42".into(),
            url: Some("https://eur-lex.europa.eu/eli/dir/2014/24/oj".into()),
        }]
        .into(),
        needs_legal_review: false,
        language: None,
        fingerprint: stable_hash(&[s.rule, excerpt.as_deref().unwrap_or("")]),
    }
}

fn block(kind: BlockKind, text: &str, clause: Option<&str>, page: u32, heading: &[&str]) -> Block {
    let mut b = Block::new(kind, text);
    b.clause = clause.map(Into::into);
    b.page = Some(page);
    b.heading_path = heading.iter().map(|s| s.to_string()).collect();
    b
}

/// A small tender: two IP clauses, two technical requirements, a termination clause; five
/// findings (one document-level) and three topics.
pub fn tender(path: &Path) -> Analysis {
    let ip = ["7 Intellectual property"];
    let tech = ["8 Technical requirements"];
    let term = ["9 Termination"];
    let mut doc = Document::new(path, Format::Pdf);
    doc.pages = Some(3);
    doc.blocks = vec![
        block(
            BlockKind::Heading { level: 1 },
            "7 Intellectual property",
            Some("7"),
            1,
            &[],
        ),
        block(
            BlockKind::Paragraph,
            "7.1 The Supplier retains all intellectual property rights in the software developed under this contract.",
            Some("7.1"),
            1,
            &ip,
        ),
        block(
            BlockKind::Paragraph,
            "7.2 The Authority receives a non-transferable licence to use the software.",
            Some("7.2"),
            1,
            &ip,
        ),
        block(
            BlockKind::Heading { level: 1 },
            "8 Technical requirements",
            Some("8"),
            2,
            &[],
        ),
        block(
            BlockKind::ListItem { level: 0 },
            "The solution must be based on Microsoft SharePoint.",
            Some("(a)"),
            2,
            &tech,
        ),
        block(
            BlockKind::ListItem { level: 0 },
            "Documents shall be exchanged in proprietary formats chosen by the Supplier.",
            Some("(b)"),
            2,
            &tech,
        ),
        block(
            BlockKind::Heading { level: 1 },
            "9 Termination",
            Some("9"),
            3,
            &[],
        ),
        block(
            BlockKind::Paragraph,
            "9.1 Either party may terminate this contract with three months' notice.",
            Some("9.1"),
            3,
            &term,
        ),
    ];
    let findings = vec![
        finding(
            &doc,
            Spec {
                rule: "copyright.supplier-keeps-ip",
                category: Category::CopyrightOwnership,
                severity: Severity::Blocker,
                title: "The supplier keeps the rights in paid work",
                at: Some((1, "The Supplier retains all intellectual property rights")),
                suggestion: Some((
                    "7.1 All intellectual property rights in the software developed under this contract pass to the Authority on delivery.",
                    false,
                )),
            },
        ),
        finding(
            &doc,
            Spec {
                rule: "reuse.non-transferable-licence",
                category: Category::ReuseRights,
                severity: Severity::Warning,
                title: "Licence cannot be shared with other bodies",
                at: Some((2, "non-transferable licence")),
                suggestion: Some(("transferable and perpetual licence", true)),
            },
        ),
        finding(
            &doc,
            Spec {
                rule: "lock-in.brand-name",
                category: Category::VendorLockIn,
                severity: Severity::Warning,
                title: "Product named without 'or equivalent'",
                at: Some((4, "Microsoft SharePoint")),
                suggestion: Some(("Microsoft SharePoint or equivalent", true)),
            },
        ),
        finding(
            &doc,
            Spec {
                rule: "open.proprietary-formats",
                category: Category::OpenLicensing,
                severity: Severity::Info,
                title: "Proprietary formats required",
                at: Some((5, "proprietary formats")),
                suggestion: Some(("open standard formats", true)),
            },
        ),
        finding(
            &doc,
            Spec {
                rule: "lock-in.missing-exit",
                category: Category::VendorLockIn,
                severity: Severity::Blocker,
                title: "No exit and data-return clause",
                at: None,
                suggestion: Some((
                    "On termination the Supplier returns all data in an open format.",
                    false,
                )),
            },
        ),
    ];
    let topics = vec![
        TopicHit {
            topic: "ip-ownership".into(),
            block: 1,
            clause: Some("7.1".into()),
            page: Some(1),
        },
        TopicHit {
            topic: "licence-grant".into(),
            block: 2,
            clause: Some("7.2".into()),
            page: Some(1),
        },
        TopicHit {
            topic: "termination".into(),
            block: 7,
            clause: Some("9.1".into()),
            page: Some(3),
        },
    ];
    Analysis {
        document: doc,
        findings,
        topics,
    }
}

/// A one-finding annex, so the list shows two document groups.
pub fn annex(path: &Path) -> Analysis {
    let mut doc = Document::new(path, Format::Markdown);
    doc.blocks = vec![Block::new(
        BlockKind::Paragraph,
        "Source code stays with the contractor and is not delivered.",
    )];
    let findings = vec![finding(
        &doc,
        Spec {
            rule: "open.no-source-code",
            category: Category::OpenLicensing,
            severity: Severity::Blocker,
            title: "Source code not delivered",
            at: Some((0, "Source code stays with the contractor")),
            suggestion: Some(("The source code is delivered to the Authority", true)),
        },
    )];
    Analysis {
        document: doc,
        findings,
        topics: Vec::new(),
    }
}

pub fn theme() -> Theme {
    Theme::new(ThemeKind::Default, true)
}

/// An `App` with the given analyses loaded (no saved reviews), at `size`.
pub fn app_with(analyses: Vec<Analysis>, size: (u16, u16)) -> App {
    let paths: Vec<PathBuf> = analyses.iter().map(|a| a.document.path.clone()).collect();
    let mut app = App::new(paths, theme(), Clock::Fixed(NOW.into()));
    update(
        &mut app,
        Action::Resize {
            width: size.0,
            height: size.1,
        },
    );
    for (doc, a) in analyses.into_iter().enumerate() {
        update(
            &mut app,
            Action::Loaded {
                doc,
                analysis: Box::new(a),
                review: None,
            },
        );
    }
    app
}

/// The standard two-document app at `size`.
pub fn sample(size: (u16, u16)) -> App {
    app_with(
        vec![
            tender(Path::new("/tenders/tender.pdf")),
            annex(Path::new("/tenders/annex.md")),
        ],
        size,
    )
}

/// Parses a key script: characters stand for themselves, `<enter>`, `<esc>`, `<tab>`,
/// `<s-tab>`, `<bs>`, `<space>`, `<up>`, `<down>`, `<pgup>`, `<pgdn>`, `<home>`, `<end>`, `<c-x>`, `<lt>`.
pub fn parse_keys(script: &str) -> Vec<Key> {
    let mut keys = Vec::new();
    let mut rest = script;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(end) = rest.find('>')
        {
            let name = &rest[1..end];
            let key = match name {
                "enter" => Key::Enter,
                "esc" => Key::Esc,
                "tab" => Key::Tab,
                "s-tab" => Key::BackTab,
                "bs" => Key::Backspace,
                "up" => Key::Up,
                "down" => Key::Down,
                "pgup" => Key::PageUp,
                "pgdn" => Key::PageDown,
                "home" => Key::Home,
                "end" => Key::End,
                "lt" => Key::Char('<'),
                "space" => Key::Char(' '),
                n if n.starts_with("c-") && n.len() == 3 => Key::Ctrl(n.chars().nth(2).unwrap()),
                other => panic!("unknown key <{other}> in script"),
            };
            keys.push(key);
            rest = &rest[end + 1..];
            continue;
        }
        keys.push(Key::Char(c));
        rest = &rest[c.len_utf8()..];
    }
    keys
}

/// Replays a key script through the keymap and `update`, returning the effects asked for
/// (not carried out).
pub fn replay(app: &mut App, script: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for key in parse_keys(script) {
        if let Some(action) = keymap::lookup(app.mode, key) {
            effects.extend(update(app, action));
        }
    }
    effects
}

pub fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|f| view(app, f)).expect("draw");
    terminal
}

/// The screen as text, one line per row, trailing spaces kept (as insta shows it).
pub fn screen(app: &App, width: u16, height: u16) -> String {
    render(app, width, height).backend().to_string()
}
