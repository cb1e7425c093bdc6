//! What can happen to the review state ([`Action`]) and what the event loop must do in the world
//! because of it ([`Effect`]).
//!
//! Keys become actions through the keymap; the event loop turns mouse events, resizes, worker
//! progress and the outcome of effects into actions too, so `update` is the only place state
//! changes. Effects are plain data: the loop carries them out and reports back with an action.

use std::path::PathBuf;

use tenderlint::Analysis;
use tenderlint::review::Review;

/// How far a document has come on the worker thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    Queued,
    Reading,
    /// Read; the rules are running. `pages` is the page count for paged formats.
    Analysing {
        pages: Option<u32>,
        blocks: usize,
    },
    Done,
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Markdown,
    Html,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Markdown => "md",
            ExportFormat::Html => "html",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    // Moving around.
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    NextFinding,
    PrevFinding,
    FocusNext,
    FocusPrev,
    // Opening modes.
    Search,
    Filter,
    Help,
    ExportMenu,
    Quit,
    // Decisions.
    Accept,
    EditAccept,
    Dismiss,
    Escalate,
    Note,
    Undo,
    Save,
    // Input line and menus.
    Char(char),
    Backspace,
    Confirm,
    Cancel,
    Toggle,
    ClearFilters,
    ExportMarkdown,
    ExportHtml,
    ExportRedline,
    QuitDiscard,
    SaveAndQuit,
    // From the event loop.
    /// Time passes while documents load (drives the spinner).
    Tick,
    Resize {
        width: u16,
        height: u16,
    },
    Click {
        x: u16,
        y: u16,
    },
    Wheel {
        x: u16,
        y: u16,
        down: bool,
    },
    Progress {
        doc: usize,
        stage: Stage,
    },
    Loaded {
        doc: usize,
        analysis: Box<Analysis>,
        review: Option<Review>,
    },
    /// Outcome of [`Effect::Save`]: per document index, the sidecar written or the error.
    Saved(Vec<(usize, Result<PathBuf, String>)>),
    /// Outcome of [`Effect::Export`].
    Exported(Result<PathBuf, String>),
}

/// One review file to write: the document it belongs to and its decisions.
#[derive(Debug, Clone, PartialEq)]
pub struct SaveJob {
    pub doc: usize,
    pub document: PathBuf,
    pub review: Review,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Save(Vec<SaveJob>),
    /// Write `contents` to `path` (atomically).
    Export {
        path: PathBuf,
        contents: String,
    },
    /// Read `source`, annotate `findings` on it and write the copy to `target` (atomically,
    /// never over an input).
    /// A redlined copy of `source`: comments and tracked changes for accepted suggestions
    /// (DOCX, ODT) or annotations (PDF), from the review as it stands, saved or not.
    Redline {
        source: PathBuf,
        target: PathBuf,
        analysis: Box<tenderlint::Analysis>,
        review: Box<tenderlint::review::Review>,
    },
    Quit,
}
