//! [`App`]: everything the review screen shows, as plain data. No terminal handle, no channels,
//! no clock reads outside [`Clock`]: tests build an `App`, feed it actions and look at it.
//!
//! The findings list is derived state: [`App::rebuild`] recomputes the visible findings and the
//! list rows (document and clause group headers, findings, orphaned decisions) from the analyses,
//! the filters and the decisions. It runs after anything that could change them and keeps the
//! selection on the same finding when that finding is still visible.

use std::collections::BTreeSet;
use std::path::PathBuf;

use tenderlint::review::{Decision, Review, Status};
use tenderlint::{Analysis, Category, Finding, Severity};

use super::action::Stage;
use super::keymap::Mode;
use super::theme::Theme;

/// The topics the clause map checks, from the rule-file manual (`rulesets/README.md`). Topics an
/// analysis reports that are not listed here are shown too.
pub const KNOWN_TOPICS: &[&str] = &[
    "ip-ownership",
    "licence-grant",
    "licence-transfer",
    "source-code",
    "escrow",
    "exclusivity",
    "exit",
    "data-return",
    "confidentiality",
    "termination",
    "documentation",
    "publication",
    "sbom",
    "bespoke-development",
    "open-formats",
];

/// Where `decided_at` comes from: the system clock, or a fixed time in tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clock {
    System,
    Fixed(String),
}

impl Clock {
    pub fn now(&self) -> String {
        match self {
            Clock::Fixed(t) => t.clone(),
            Clock::System => time::OffsetDateTime::now_utc()
                .replace_nanosecond(0)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    List,
    Text,
    Detail,
    Map,
}

impl Pane {
    pub const ORDER: [Pane; 4] = [Pane::List, Pane::Text, Pane::Detail, Pane::Map];
}

/// What the input line is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    DismissReason,
    Note,
    EditReplacement,
}

impl InputKind {
    pub fn prompt(self) -> &'static str {
        match self {
            InputKind::DismissReason => "Reason for dismissing: ",
            InputKind::Note => "Note: ",
            InputKind::EditReplacement => "Replacement: ",
        }
    }
}

/// One entry of the filter menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterItem {
    Category(Category),
    Severity(Severity),
    Status(Status),
}

pub const STATUSES: [Status; 4] = [
    Status::Open,
    Status::Accepted,
    Status::Dismissed,
    Status::Escalated,
];

/// The filter menu's entries in order.
pub fn filter_items() -> Vec<FilterItem> {
    let mut v: Vec<FilterItem> = Category::ALL
        .into_iter()
        .map(FilterItem::Category)
        .collect();
    v.extend(Severity::ALL.into_iter().rev().map(FilterItem::Severity));
    v.extend(STATUSES.into_iter().map(FilterItem::Status));
    v
}

/// An empty set means "all".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub categories: BTreeSet<Category>,
    pub severities: BTreeSet<Severity>,
    pub statuses: BTreeSet<&'static str>,
    /// Case-insensitive text that must occur in the title, message, excerpt or rule id.
    pub query: String,
}

impl Filters {
    pub fn is_on(&self, item: FilterItem) -> bool {
        match item {
            FilterItem::Category(c) => self.categories.contains(&c),
            FilterItem::Severity(s) => self.severities.contains(&s),
            FilterItem::Status(s) => self.statuses.contains(s.id()),
        }
    }

    pub fn toggle(&mut self, item: FilterItem) {
        fn flip<T: Ord>(set: &mut BTreeSet<T>, v: T) {
            if !set.remove(&v) {
                set.insert(v);
            }
        }
        match item {
            FilterItem::Category(c) => flip(&mut self.categories, c),
            FilterItem::Severity(s) => flip(&mut self.severities, s),
            FilterItem::Status(s) => flip(&mut self.statuses, s.id()),
        }
    }

    pub fn matches(&self, f: &Finding, status: Status) -> bool {
        (self.categories.is_empty() || self.categories.contains(&f.category))
            && (self.severities.is_empty() || self.severities.contains(&f.severity))
            && (self.statuses.is_empty() || self.statuses.contains(status.id()))
            && (self.query.is_empty() || query_matches(&self.query, f))
    }
}

fn query_matches(query: &str, f: &Finding) -> bool {
    let q = query.to_lowercase();
    [
        Some(f.title.as_str()),
        Some(f.message.as_str()),
        Some(f.rule_id.as_str()),
        f.excerpt.as_deref(),
    ]
    .into_iter()
    .flatten()
    .any(|s| s.to_lowercase().contains(&q))
}

/// One document: where it is on the worker, its analysis once done, and its review decisions.
#[derive(Debug, Clone, PartialEq)]
pub struct DocEntry {
    pub path: PathBuf,
    pub stage: Stage,
    pub analysis: Option<Analysis>,
    pub review: Review,
    /// Decisions changed since the last save.
    pub dirty: bool,
}

impl DocEntry {
    pub fn new(path: PathBuf) -> Self {
        let review = Review::new(&path);
        DocEntry {
            path,
            stage: Stage::Queued,
            analysis: None,
            review,
            dirty: false,
        }
    }

    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path.display().to_string())
    }

    pub fn findings(&self) -> &[Finding] {
        self.analysis.as_ref().map_or(&[], |a| &a.findings)
    }

    pub fn status_of(&self, f: &Finding) -> Status {
        self.review
            .decision(&f.fingerprint)
            .map_or(Status::Open, |d| d.status)
    }

    /// Indexes into `review.decisions` of decisions whose finding is gone.
    pub fn orphan_indexes(&self) -> Vec<usize> {
        if self.analysis.is_none() {
            return Vec::new();
        }
        let findings = self.findings();
        self.review
            .decisions
            .iter()
            .enumerate()
            .filter(|(_, d)| !findings.iter().any(|f| f.fingerprint == d.fingerprint))
            .map(|(i, _)| i)
            .collect()
    }
}

/// A finding by position: document index and index into that analysis's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FindingRef {
    pub doc: usize,
    pub idx: usize,
}

/// One line of the findings list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    Doc(usize),
    Group {
        doc: usize,
        label: String,
    },
    /// Index into [`App::visible`].
    Finding(usize),
    OrphanHeader {
        doc: usize,
        count: usize,
    },
    /// Index into that document's `review.decisions`.
    Orphan {
        doc: usize,
        decision: usize,
    },
    Note(String),
}

/// One undoable change: the decision for `fingerprint` in `doc` before the change.
#[derive(Debug, Clone, PartialEq)]
pub struct UndoEntry {
    pub doc: usize,
    pub fingerprint: String,
    pub before: Option<Decision>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct App {
    pub docs: Vec<DocEntry>,
    pub known_topics: Vec<String>,
    /// Rule sets used, for exported reports.
    pub rulesets: Vec<tenderlint::report::RulesetInfo>,
    pub filters: Filters,
    /// Findings passing the filters, in list order.
    pub visible: Vec<FindingRef>,
    pub rows: Vec<Row>,
    /// Index into `visible`; meaningless when `visible` is empty.
    pub selected: usize,
    pub focus: Pane,
    pub mode: Mode,
    pub input_kind: Option<InputKind>,
    pub input: String,
    /// The search query before `/`, restored by Esc.
    pub search_before: String,
    pub filter_cursor: usize,
    pub undo: Vec<UndoEntry>,
    pub status: Option<String>,
    /// First list row shown.
    pub list_offset: usize,
    /// First document block shown; `None` follows the selection.
    pub text_top: Option<usize>,
    pub detail_scroll: u16,
    pub map_scroll: u16,
    pub help_scroll: u16,
    pub viewport: (u16, u16),
    /// Counts [`super::action::Action::Tick`]s, for the loading spinner.
    pub tick: u32,
    pub theme: Theme,
    pub clock: Clock,
    /// Set by "save and quit": quit once the save succeeded.
    pub quit_after_save: bool,
    pub should_quit: bool,
}

impl App {
    pub fn new(paths: Vec<PathBuf>, theme: Theme, clock: Clock) -> Self {
        let mut app = App {
            docs: paths.into_iter().map(DocEntry::new).collect(),
            known_topics: KNOWN_TOPICS.iter().map(|s| s.to_string()).collect(),
            rulesets: Vec::new(),
            filters: Filters::default(),
            visible: Vec::new(),
            rows: Vec::new(),
            selected: 0,
            focus: Pane::List,
            mode: Mode::Normal,
            input_kind: None,
            input: String::new(),
            search_before: String::new(),
            filter_cursor: 0,
            undo: Vec::new(),
            status: None,
            list_offset: 0,
            text_top: None,
            detail_scroll: 0,
            map_scroll: 0,
            help_scroll: 0,
            viewport: (80, 24),
            tick: 0,
            theme,
            clock,
            quit_after_save: false,
            should_quit: false,
        };
        app.rebuild();
        app
    }

    pub fn selected_ref(&self) -> Option<FindingRef> {
        self.visible.get(self.selected).copied()
    }

    pub fn finding(&self, r: FindingRef) -> Option<&Finding> {
        self.docs.get(r.doc)?.findings().get(r.idx)
    }

    pub fn selected_finding(&self) -> Option<(FindingRef, &Finding)> {
        let r = self.selected_ref()?;
        Some((r, self.finding(r)?))
    }

    /// The document the screen is about: the selected finding's, else the first one read.
    pub fn current_doc(&self) -> Option<usize> {
        self.selected_ref()
            .map(|r| r.doc)
            .or_else(|| self.docs.iter().position(|d| d.analysis.is_some()))
    }

    pub fn decision(&self, r: FindingRef) -> Option<&Decision> {
        let f = self.finding(r)?;
        self.docs.get(r.doc)?.review.decision(&f.fingerprint)
    }

    pub fn status_of(&self, r: FindingRef) -> Status {
        self.decision(r).map_or(Status::Open, |d| d.status)
    }

    /// True while some document is still queued, being read or analysed.
    pub fn loading(&self) -> bool {
        self.docs.iter().any(|d| {
            matches!(
                d.stage,
                Stage::Queued | Stage::Reading | Stage::Analysing { .. }
            )
        })
    }

    pub fn unsaved_docs(&self) -> usize {
        self.docs.iter().filter(|d| d.dirty).count()
    }

    /// Recomputes `visible` and `rows`, keeping the selection on the same finding if it is still
    /// visible (else on the nearest one before it).
    pub fn rebuild(&mut self) {
        let keep = self.selected_ref();
        let mut visible = Vec::new();
        let mut rows = Vec::new();
        for (d, doc) in self.docs.iter().enumerate() {
            rows.push(Row::Doc(d));
            let Some(analysis) = &doc.analysis else {
                continue;
            };
            let mut last_group: Option<String> = None;
            let mut shown = 0;
            for (i, f) in analysis.findings.iter().enumerate() {
                if !self.filters.matches(f, doc.status_of(f)) {
                    continue;
                }
                let label = group_label(f);
                if last_group.as_deref() != Some(label.as_str()) {
                    rows.push(Row::Group {
                        doc: d,
                        label: label.clone(),
                    });
                    last_group = Some(label);
                }
                rows.push(Row::Finding(visible.len()));
                visible.push(FindingRef { doc: d, idx: i });
                shown += 1;
            }
            if shown == 0 {
                rows.push(Row::Note(if analysis.findings.is_empty() {
                    "no findings".into()
                } else {
                    format!("{} findings hidden by filters", analysis.findings.len())
                }));
            }
            let orphans = doc.orphan_indexes();
            if !orphans.is_empty() {
                rows.push(Row::OrphanHeader {
                    doc: d,
                    count: orphans.len(),
                });
                rows.extend(
                    orphans
                        .into_iter()
                        .map(|decision| Row::Orphan { doc: d, decision }),
                );
            }
        }
        let new_sel = match keep {
            Some(k) => visible
                .iter()
                .position(|r| *r == k)
                .or_else(|| {
                    visible
                        .iter()
                        .rposition(|r| (r.doc, r.idx) < (k.doc, k.idx))
                })
                .unwrap_or(0),
            None => 0,
        };
        self.visible = visible;
        self.rows = rows;
        if self.selected_ref() != keep || new_sel != self.selected {
            self.selected = new_sel;
            if self.selected_ref() != keep {
                self.text_top = None;
                self.detail_scroll = 0;
            }
        }
    }

    /// The list row showing the selected finding.
    pub fn selected_row(&self) -> Option<usize> {
        if self.visible.is_empty() {
            return None;
        }
        self.rows
            .iter()
            .position(|r| *r == Row::Finding(self.selected))
    }
}

/// The clause group a finding is listed under: "§ 7.3 Intellectual property", "p. 4", or
/// "Missing from the document" for document-level findings.
pub fn group_label(f: &Finding) -> String {
    if f.is_document_level() {
        return "Missing from the document".into();
    }
    let loc = &f.location;
    let heading = loc
        .heading
        .as_deref()
        .and_then(|h| h.rsplit(" > ").next())
        .unwrap_or("");
    match (&loc.clause, heading.is_empty(), loc.page) {
        (Some(c), false, _) if heading.starts_with(c.as_str()) => format!("§ {heading}"),
        (Some(c), false, _) => format!("§ {c} · {heading}"),
        (Some(c), true, _) => format!("§ {c}"),
        (None, false, _) => heading.to_string(),
        (None, true, Some(p)) => format!("p. {p}"),
        (None, true, None) => "(no clause number)".into(),
    }
}
