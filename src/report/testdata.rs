//! A hand-made report used by every format's unit tests and snapshots: one document with three
//! findings (open, dismissed, accepted; one document-level) and an orphaned decision, one clean
//! document with a topic, one unreadable document. Document text contains HTML, CSV and terminal
//! metacharacters on purpose.

use std::path::{Path, PathBuf};

use crate::analysis::Analysis;
use crate::document::{Block, BlockKind, Document, Format};
use crate::error::{ErrorKind, ReadError};
use crate::finding::{
    Category, Finding, Location, Position, Reference, Severity, Span, Suggestion, TopicHit,
};
use crate::lang::Lang;
use crate::review::{Decision, Review, Status};

use super::{DocumentReport, Report, RulesetInfo};

fn block(kind: BlockKind, text: &str, clause: Option<&str>, line: usize) -> Block {
    let mut b = Block::new(kind, text);
    b.clause = clause.map(str::to_string);
    b.anchor.index = line;
    b.pieces = vec![crate::document::Piece {
        range: 0..text.len(),
        run: 0,
        offset: 0,
    }];
    b
}

fn decision(fp: &str, rule: &str, status: Status, reason: Option<&str>) -> Decision {
    Decision {
        fingerprint: fp.into(),
        rule_id: rule.into(),
        excerpt: None,
        status,
        reason: reason.map(str::to_string),
        note: Some("checked with legal, \"ok\"".into()),
        replacement: None,
        decided_at: "2026-01-02T03:04:05Z".into(),
    }
}

pub fn report() -> Report {
    let mut doc = Document::new(PathBuf::from("tenders/a.txt"), Format::Text);
    doc.language = Some(Lang::En);
    let ip = "7.3 All intellectual property rights in the Deliverables shall remain with the Contractor.";
    let brand = "Bidders must use Microsoft SharePoint <2019> & \"Teams\", nothing else.\u{1b}[31m";
    doc.blocks = vec![
        block(
            BlockKind::Heading { level: 1 },
            "7 Intellectual property",
            Some("7"),
            0,
        ),
        block(BlockKind::Paragraph, ip, Some("7.3"), 2),
        block(BlockKind::Paragraph, brand, None, 4),
    ];
    doc.blocks[1].heading_path = vec!["7 Intellectual property".into()];
    let m_start = ip.find("shall remain").unwrap();
    let m_end = ip.len() - 1;
    let ip_finding = Finding {
        rule_id: "copyright.supplier-keeps-ip".into(),
        category: Category::CopyrightOwnership,
        severity: Severity::Blocker,
        title: "The supplier keeps the rights in work the authority pays for".into(),
        message: "Rights in the deliverables stay with the contractor".into(),
        explanation: "The authority pays for the work but cannot reuse, share or publish it."
            .into(),
        excerpt: Some(ip[m_start..m_end].to_string()),
        context: Some(ip.to_string()),
        location: Location {
            page: None,
            clause: Some("7.3".into()),
            heading: Some("7 Intellectual property".into()),
            block: Some(1),
            start: Some(m_start),
            end: Some(m_end),
        },
        suggestions: vec![
            Suggestion {
                text: "shall vest in the Contracting Authority".into(),
                position: Position::Preferred,
                replaces: Some(Span {
                    block: 1,
                    start: m_start,
                    end: m_end,
                }),
            },
            Suggestion {
                text: "The Contractor grants the Authority a perpetual licence under EUPL-1.2."
                    .into(),
                position: Position::Fallback,
                replaces: None,
            },
        ],
        references: vec![Reference {
            title: "FSFE, Public Money, Public Code".into(),
            url: Some("https://publiccode.eu/".into()),
        }]
        .into(),
        needs_legal_review: true,
        language: Some(Lang::En),
        fingerprint: "1111aaaa2222bbbb".into(),
    };
    let brand_finding = Finding {
        rule_id: "lock-in.brand-without-equivalent".into(),
        category: Category::VendorLockIn,
        severity: Severity::Warning,
        title: "A product is named without \"or equivalent\"".into(),
        message: "'Microsoft SharePoint' named without 'or equivalent'".into(),
        explanation: "Naming a product shuts out equivalent <solutions>, open source ones too."
            .into(),
        excerpt: Some("Microsoft SharePoint <2019> & \"Teams\",\nnothing\u{1b}[2J".into()),
        context: Some(brand.to_string()),
        location: Location {
            page: None,
            clause: None,
            heading: None,
            block: Some(2),
            start: Some(17),
            end: Some(37),
        },
        suggestions: vec![Suggestion {
            text: "a document management system (for example Nextcloud, or equivalent)".into(),
            position: Position::Alternative,
            replaces: None,
        }],
        references: vec![Reference {
            title: "Directive 2014/24/EU, Article 42(4)".into(),
            url: None,
        }]
        .into(),
        needs_legal_review: false,
        language: Some(Lang::En),
        fingerprint: "3333cccc4444dddd".into(),
    };
    let missing = Finding {
        rule_id: "open-licensing.no-source-code-delivery".into(),
        category: Category::OpenLicensing,
        severity: Severity::Info,
        title: "No clause requires delivery of the source code".into(),
        message: "The document never asks for the source code".into(),
        explanation: "Without the source code the authority cannot maintain the software.".into(),
        excerpt: None,
        context: None,
        location: Location::default(),
        suggestions: vec![Suggestion {
            text: "The Contractor shall deliver the complete source code.".into(),
            position: Position::Preferred,
            replaces: None,
        }],
        references: Vec::new().into(),
        needs_legal_review: false,
        language: Some(Lang::En),
        fingerprint: "5555eeee6666ffff".into(),
    };
    let mut review = Review::new(Path::new("tenders/a.txt"));
    review.set(decision(
        "3333cccc4444dddd",
        "lock-in.brand-without-equivalent",
        Status::Dismissed,
        Some("installed base justified"),
    ));
    review.set(decision(
        "5555eeee6666ffff",
        "open-licensing.no-source-code-delivery",
        Status::Accepted,
        None,
    ));
    let mut orphan = decision(
        "9999000099990000",
        "reuse-rights.no-publication",
        Status::Escalated,
        Some("ask legal"),
    );
    orphan.excerpt = Some("may not be published".into());
    review.set(orphan);

    let a = Analysis {
        document: doc,
        findings: vec![ip_finding, brand_finding, missing],
        topics: vec![TopicHit {
            topic: "ip-ownership".into(),
            block: 1,
            clause: Some("7.3".into()),
            page: None,
        }],
    };

    let mut clean = Document::new(PathBuf::from("tenders/clean.md"), Format::Markdown);
    clean.language = Some(Lang::Fr);
    clean.blocks = vec![block(
        BlockKind::Paragraph,
        "Le titulaire livre le code source.",
        Some("4"),
        0,
    )];
    let clean = Analysis {
        document: clean,
        findings: vec![],
        topics: vec![TopicHit {
            topic: "source-code".into(),
            block: 0,
            clause: Some("4".into()),
            page: None,
        }],
    };

    Report {
        tool_name: "tenderlint".into(),
        tool_version: "0.1.0".into(),
        generated_at: Some("2026-01-02T03:04:05Z".into()),
        rulesets: vec![
            RulesetInfo {
                name: "core".into(),
                version: "1.0.0".into(),
            },
            RulesetInfo {
                name: "en".into(),
                version: "1.0.0".into(),
            },
        ],
        documents: vec![
            DocumentReport {
                path: "tenders/a.txt".into(),
                result: Ok(a),
                review: Some(review),
                notes: vec![],
            },
            DocumentReport {
                path: "tenders/clean.md".into(),
                result: Ok(clean),
                review: None,
                notes: vec![],
            },
            DocumentReport {
                path: "tenders/scan.pdf".into(),
                result: Err(ReadError::new(
                    Path::new("tenders/scan.pdf"),
                    ErrorKind::NoTextLayer,
                )),
                review: None,
                notes: vec![],
            },
        ],
    }
}
