//! The shared vocabulary between the document side and the rules: a [`Document`] is the text a
//! reader sees, in reading order, cut into [`Block`]s, each with its page or position, the clause
//! number a reader would cite, its heading path and a way back into the source file.
//!
//! Extractors (`crate::extract`) produce it; segmentation, rules, reports, the review interface and
//! the redline export consume it. It is plain data: no parser state, no file handles. Offsets are
//! byte offsets into `Block::text` (UTF-8), and `start <= end` always holds.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// The container or markup a document was read from, detected from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    Docx,
    Odt,
    /// Flat (single XML file) OpenDocument text.
    Fodt,
    Text,
    Markdown,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Odt => "odt",
            Format::Fodt => "fodt",
            Format::Text => "text",
            Format::Markdown => "markdown",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a block is on the page. Table cells carry their table, row and column (0-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum BlockKind {
    Heading { level: u8 },
    Paragraph,
    ListItem { level: u8 },
    TableCell { table: u32, row: u32, col: u32 },
    Footnote,
    Endnote,
    Header,
    Footer,
    Comment,
}

impl BlockKind {
    /// Short lower-case name used in `extract` output and reports.
    pub fn name(&self) -> &'static str {
        match self {
            BlockKind::Heading { .. } => "heading",
            BlockKind::Paragraph => "paragraph",
            BlockKind::ListItem { .. } => "list-item",
            BlockKind::TableCell { .. } => "table-cell",
            BlockKind::Footnote => "footnote",
            BlockKind::Endnote => "endnote",
            BlockKind::Header => "header",
            BlockKind::Footer => "footer",
            BlockKind::Comment => "comment",
        }
    }

    /// Page furniture and annotations: kept in the document, but not part of the clause text.
    pub fn is_furniture(&self) -> bool {
        matches!(
            self,
            BlockKind::Header | BlockKind::Footer | BlockKind::Comment
        )
    }
}

/// Where a block sits in its source file, precise enough to patch the original.
///
/// `part` is the zip part (`word/document.xml`, `word/footnotes.xml`, `word/header1.xml`,
/// `content.xml`, `styles.xml`) or empty for PDF and text; `index` is the block's element index
/// within that part in document order (0-based: the n-th `w:p`, or the n-th of all `text:p` and
/// `text:h` together, counting nested ones in tables, text boxes, notes and content controls),
/// or the page object number for PDF. A block made of several paragraphs (a table cell, a note,
/// a comment, a header) is anchored at its first paragraph.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub part: String,
    pub index: usize,
}

/// A piece of a block's text and the source run it came from, for highlighting and redlining.
///
/// `range` is a byte range in `Block::text`. Pieces are sorted by `range.start` and do not
/// overlap. Text the extractor synthesised (list numbers, tabs, breaks, symbols, the "\n" that
/// joins the paragraphs of a cell or note) has no piece. `run` and `offset` count within the part
/// named by the block's [`Anchor::part`]:
///
/// - DOCX: `run` is the index of the `w:r` element among ALL `w:r` elements of the part in
///   document order (0-based; runs that are hidden, deleted, inside fields or text boxes count
///   too). `offset` is a byte offset into that run's own text, which is the concatenation of
///   the unescaped character data of the run's `w:t` children, in order (`w:tab`, `w:br`,
///   `w:sym`, `w:delText`, ... contribute nothing to it).
/// - ODT/FODT: `run` is the index of the text node among all character-data nodes that lie
///   inside a `text:p` or `text:h` element of the part, in document order (0-based; adjacent
///   character data and entity references form one node). `offset` is a byte offset into that
///   node's unescaped text (`text:s`, `text:tab`, `text:line-break` are synthesised).
/// - Plain text: `run` is 0 and `offset` is the byte offset in the file. PDF: see `extract::pdf`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Piece {
    pub range: std::ops::Range<usize>,
    pub run: usize,
    pub offset: usize,
}

/// One unit of reading-order text: a paragraph, heading, list item, table cell, note, ...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    /// The text as a reader sees it, without the clause number prefix when that number was
    /// generated (DOCX/ODT numbering); with it when it is literally part of the text (PDF, text).
    pub text: String,
    /// 1-based page for PDF; `None` where the format has no fixed pages.
    pub page: Option<u32>,
    /// The clause number as a reader cites it: "7.3", "7.3.1", "(a)", "Article 12", "§ 4".
    pub clause: Option<String>,
    /// Headings above this block, outermost first, each as shown ("7 Intellectual property").
    pub heading_path: Vec<String>,
    pub anchor: Anchor,
    pub pieces: Vec<Piece>,
}

impl Block {
    pub fn new(kind: BlockKind, text: impl Into<String>) -> Self {
        Block {
            kind,
            text: text.into(),
            page: None,
            clause: None,
            heading_path: Vec::new(),
            anchor: Anchor::default(),
            pieces: Vec::new(),
        }
    }

    /// The heading path joined the way reports show it: "7 Intellectual property > 7.3".
    pub fn heading(&self) -> Option<String> {
        if self.heading_path.is_empty() {
            None
        } else {
            Some(self.heading_path.join(" > "))
        }
    }
}

/// A tracked change found in the source (DOCX `w:ins`/`w:del`, ODT `text:changed-region`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackedChange {
    pub kind: ChangeKind,
    pub author: Option<String>,
    pub date: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Insertion,
    Deletion,
}

/// A whole document as read: blocks in reading order plus what the reader noticed on the way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub path: PathBuf,
    pub format: Format,
    /// Page count for PDF; `None` for flowing formats.
    pub pages: Option<u32>,
    /// The dominant language of the body text, when it could be told.
    pub language: Option<Lang>,
    pub title: Option<String>,
    pub blocks: Vec<Block>,
    /// Unaccepted tracked changes. Analysis sees insertions accepted and deletions removed.
    pub tracked_changes: Vec<TrackedChange>,
    /// Things a reviewer should know about the reading itself ("unaccepted tracked changes").
    pub warnings: Vec<String>,
}

impl Document {
    pub fn new(path: impl Into<PathBuf>, format: Format) -> Self {
        Document {
            path: path.into(),
            format,
            pages: None,
            language: None,
            title: None,
            blocks: Vec::new(),
            tracked_changes: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Body blocks, without headers, footers and comments.
    pub fn body(&self) -> impl Iterator<Item = (usize, &Block)> {
        self.blocks
            .iter()
            .enumerate()
            .filter(|(_, b)| !b.kind.is_furniture())
    }

    /// All body text joined by blank lines, as `extract --format text` prints it.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for (_, b) in self.body() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            if let (Some(c), false) = (
                &b.clause,
                b.text.starts_with(b.clause.as_deref().unwrap_or("\u{0}")),
            ) {
                out.push_str(c);
                out.push(' ');
            }
            out.push_str(&b.text);
        }
        out
    }
}
