//! `update(&mut App, Action) -> Option<Effect>`: the only place review state changes. It does no
//! I/O: saving, exporting and quitting come back as an [`Effect`] for the event loop, whose
//! outcome returns as another action (`Saved`, `Exported`).
//!
//! Mouse positions are resolved here against [`super::view::areas`], the same pure layout the
//! view draws with, so a click lands on the row the user sees.

use ratatui::layout::{Position, Rect};
use tenderlint::review::{Decision, Status};

use super::action::{Action, Effect, ExportFormat, SaveJob, Stage};
use super::app::{App, FindingRef, InputKind, Pane, Row, UndoEntry, filter_items};
use super::export;
use super::keymap::Mode;
use super::view;

/// Lines or rows moved by one wheel notch.
const WHEEL_STEP: usize = 3;

pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    match action {
        // Things from the event loop apply in every mode.
        Action::Tick => {
            app.tick = app.tick.wrapping_add(1);
            None
        }
        Action::Resize { width, height } => {
            app.viewport = (width, height);
            ensure_visible(app);
            None
        }
        Action::Progress { doc, stage } => {
            // A late message from a timed-out document's abandoned thread changes nothing.
            if let Some(d) = app.docs.get_mut(doc)
                && !matches!(d.stage, Stage::Done | Stage::Failed(_))
            {
                d.stage = stage;
            }
            None
        }
        Action::Loaded {
            doc,
            analysis,
            review,
        } => {
            if let Some(d) = app.docs.get_mut(doc) {
                d.analysis = Some(*analysis);
                if let Some(r) = review {
                    d.review = r;
                }
                d.stage = Stage::Done;
            }
            app.rebuild();
            ensure_visible(app);
            None
        }
        Action::Saved(results) => saved(app, results),
        Action::Exported(result) => {
            app.status = Some(match result {
                Ok(p) => format!("exported {}", p.display()),
                Err(e) => format!("export failed: {e}"),
            });
            None
        }
        Action::Wheel { x, y, down } => {
            wheel(app, x, y, down);
            None
        }
        action => match app.mode {
            Mode::Normal => normal(app, action),
            Mode::Search => search(app, action),
            Mode::Filter => filter(app, action),
            Mode::Input => input(app, action),
            Mode::Help => {
                match action {
                    Action::Down => app.help_scroll = app.help_scroll.saturating_add(1),
                    Action::Up => app.help_scroll = app.help_scroll.saturating_sub(1),
                    Action::Cancel => app.mode = Mode::Normal,
                    _ => {}
                }
                None
            }
            Mode::ConfirmQuit => match action {
                Action::QuitDiscard => quit_now(app),
                Action::SaveAndQuit => {
                    app.mode = Mode::Normal;
                    app.quit_after_save = true;
                    save(app)
                }
                Action::Cancel => {
                    app.mode = Mode::Normal;
                    None
                }
                _ => None,
            },
            Mode::ExportMenu => match action {
                Action::ExportMarkdown => export_effect(app, ExportFormat::Markdown),
                Action::ExportHtml => export_effect(app, ExportFormat::Html),
                Action::ExportRedline => redline_effect(app),
                Action::Cancel => {
                    app.mode = Mode::Normal;
                    None
                }
                _ => None,
            },
        },
    }
}

fn normal(app: &mut App, action: Action) -> Option<Effect> {
    app.status = None;
    match action {
        Action::Down => move_in_pane(app, 1),
        Action::Up => move_in_pane(app, -1),
        Action::PageDown => {
            let page = pane_height(app, app.focus).max(2) as isize - 1;
            move_in_pane(app, page)
        }
        Action::PageUp => {
            let page = pane_height(app, app.focus).max(2) as isize - 1;
            move_in_pane(app, -page)
        }
        Action::Top => move_in_pane(app, isize::MIN / 2),
        Action::Bottom => move_in_pane(app, isize::MAX / 2),
        Action::NextFinding => select(app, app.selected.saturating_add(1)),
        Action::PrevFinding => select(app, app.selected.saturating_sub(1)),
        Action::FocusNext | Action::FocusPrev => {
            let order = Pane::ORDER;
            let i = order.iter().position(|p| *p == app.focus).unwrap_or(0);
            let n = order.len();
            let next = if action == Action::FocusNext {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            app.focus = order[next];
        }
        Action::Search => {
            app.search_before = app.filters.query.clone();
            app.input = app.filters.query.clone();
            app.mode = Mode::Search;
        }
        Action::Filter => {
            app.filter_cursor = 0;
            app.mode = Mode::Filter;
        }
        Action::Help => {
            app.help_scroll = 0;
            app.mode = Mode::Help;
        }
        Action::ExportMenu => app.mode = Mode::ExportMenu,
        Action::Quit => {
            if app.unsaved_docs() > 0 {
                app.mode = Mode::ConfirmQuit;
            } else {
                return quit_now(app);
            }
        }
        Action::Accept => {
            if let Some((r, f)) = app.selected_finding() {
                let replacement = app
                    .decision(r)
                    .and_then(|d| d.replacement.clone())
                    .or_else(|| f.suggestions.first().map(|s| s.text.clone()));
                decide(app, r, Status::Accepted, |d| {
                    d.replacement = replacement;
                    d.reason = None;
                });
            } else {
                app.status = Some("no finding selected".into());
            }
        }
        Action::Escalate => {
            if let Some(r) = app.selected_ref() {
                decide(app, r, Status::Escalated, |_| {});
            } else {
                app.status = Some("no finding selected".into());
            }
        }
        Action::EditAccept | Action::Dismiss | Action::Note => {
            let Some((r, f)) = app.selected_finding() else {
                app.status = Some("no finding selected".into());
                return None;
            };
            let existing = app.decision(r);
            let (kind, text) = match action {
                Action::Dismiss => (
                    InputKind::DismissReason,
                    existing.and_then(|d| d.reason.clone()),
                ),
                Action::Note => (InputKind::Note, existing.and_then(|d| d.note.clone())),
                _ => (
                    InputKind::EditReplacement,
                    existing
                        .and_then(|d| d.replacement.clone())
                        .or_else(|| f.suggestions.first().map(|s| s.text.clone()))
                        .or_else(|| f.excerpt.clone()),
                ),
            };
            app.input = text.unwrap_or_default();
            app.input_kind = Some(kind);
            app.mode = Mode::Input;
        }
        Action::Undo => undo(app),
        Action::Save => return save(app),
        Action::Click { x, y } => click(app, x, y),
        _ => {}
    }
    None
}

fn search(app: &mut App, action: Action) -> Option<Effect> {
    match action {
        Action::Char(c) => app.input.push(c),
        Action::Backspace => {
            app.input.pop();
        }
        Action::Confirm => {
            app.mode = Mode::Normal;
            app.status = Some(format!("{} findings match", app.visible.len()));
            return None;
        }
        Action::Cancel => {
            app.input = app.search_before.clone();
            app.mode = Mode::Normal;
        }
        _ => return None,
    }
    app.filters.query = app.input.clone();
    app.rebuild();
    ensure_visible(app);
    None
}

fn filter(app: &mut App, action: Action) -> Option<Effect> {
    let items = filter_items();
    match action {
        Action::Down => app.filter_cursor = (app.filter_cursor + 1) % items.len(),
        Action::Up => app.filter_cursor = (app.filter_cursor + items.len() - 1) % items.len(),
        Action::Toggle => {
            if let Some(item) = items.get(app.filter_cursor) {
                app.filters.toggle(*item);
                app.rebuild();
                ensure_visible(app);
            }
        }
        Action::ClearFilters => {
            app.filters = Default::default();
            app.rebuild();
            ensure_visible(app);
        }
        Action::Cancel => app.mode = Mode::Normal,
        _ => {}
    }
    None
}

fn input(app: &mut App, action: Action) -> Option<Effect> {
    match action {
        Action::Char(c) => app.input.push(c),
        Action::Backspace => {
            app.input.pop();
        }
        Action::Cancel => {
            app.mode = Mode::Normal;
            app.input_kind = None;
            app.input.clear();
        }
        Action::Confirm => {
            let text = app.input.trim().to_string();
            let kind = app.input_kind;
            let Some(r) = app.selected_ref() else {
                app.mode = Mode::Normal;
                return None;
            };
            match kind {
                Some(InputKind::DismissReason) if text.is_empty() => {
                    app.status = Some("a reason is needed to dismiss a finding".into());
                    return None;
                }
                Some(InputKind::DismissReason) => decide(app, r, Status::Dismissed, |d| {
                    d.reason = Some(text);
                    d.replacement = None;
                }),
                Some(InputKind::EditReplacement) => decide(app, r, Status::Accepted, |d| {
                    d.replacement = Some(text);
                    d.reason = None;
                }),
                Some(InputKind::Note) => {
                    let status = app.status_of(r);
                    decide(app, r, status, |d| {
                        d.note = (!text.is_empty()).then_some(text);
                    });
                }
                None => {}
            }
            app.mode = Mode::Normal;
            app.input_kind = None;
            app.input.clear();
        }
        _ => {}
    }
    None
}

/// Records a decision for `r` (status plus whatever `edit` changes), remembering the old one.
fn decide(app: &mut App, r: FindingRef, status: Status, edit: impl FnOnce(&mut Decision)) {
    let Some(f) = app.finding(r) else { return };
    let before = app.decision(r).cloned();
    let mut d = before.clone().unwrap_or_else(|| Decision {
        fingerprint: f.fingerprint.clone(),
        rule_id: f.rule_id.clone(),
        excerpt: f.excerpt.clone(),
        status,
        reason: None,
        note: None,
        replacement: None,
        decided_at: String::new(),
    });
    d.status = status;
    d.decided_at = app.clock.now();
    edit(&mut d);
    let fingerprint = d.fingerprint.clone();
    app.undo.push(UndoEntry {
        doc: r.doc,
        fingerprint,
        before,
    });
    if let Some(doc) = app.docs.get_mut(r.doc) {
        doc.review.set(d);
        doc.dirty = true;
    }
    app.status = Some(format!("{} · press u to undo", status.id()));
    app.rebuild();
    ensure_visible(app);
}

fn undo(app: &mut App) {
    let Some(entry) = app.undo.pop() else {
        app.status = Some("nothing to undo".into());
        return;
    };
    if let Some(doc) = app.docs.get_mut(entry.doc) {
        match entry.before {
            Some(d) => doc.review.set(d),
            None => doc
                .review
                .decisions
                .retain(|d| d.fingerprint != entry.fingerprint),
        }
        doc.dirty = true;
    }
    app.rebuild();
    if let Some(v) = app.visible.iter().position(|r| {
        r.doc == entry.doc
            && app
                .finding(*r)
                .is_some_and(|f| f.fingerprint == entry.fingerprint)
    }) {
        select(app, v);
    }
    app.status = Some("undone".into());
}

fn save(app: &mut App) -> Option<Effect> {
    let jobs: Vec<SaveJob> = app
        .docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.dirty)
        .map(|(i, d)| SaveJob {
            doc: i,
            document: d.path.clone(),
            review: d.review.clone(),
        })
        .collect();
    if jobs.is_empty() {
        if app.quit_after_save {
            return quit_now(app);
        }
        app.status = Some("nothing to save".into());
        return None;
    }
    app.status = Some("saving…".into());
    Some(Effect::Save(jobs))
}

fn saved(
    app: &mut App,
    results: Vec<(usize, Result<std::path::PathBuf, String>)>,
) -> Option<Effect> {
    let mut ok = 0;
    let mut errors = Vec::new();
    for (doc, result) in results {
        match result {
            Ok(_) => {
                ok += 1;
                if let Some(d) = app.docs.get_mut(doc) {
                    d.dirty = false;
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        app.status = Some(format!(
            "saved {ok} review file{}",
            if ok == 1 { "" } else { "s" }
        ));
        if app.quit_after_save {
            return quit_now(app);
        }
    } else {
        app.quit_after_save = false;
        app.status = Some(format!("save failed: {}", errors.join("; ")));
    }
    None
}

fn quit_now(app: &mut App) -> Option<Effect> {
    app.mode = Mode::Normal;
    app.should_quit = true;
    Some(Effect::Quit)
}

fn export_effect(app: &mut App, format: ExportFormat) -> Option<Effect> {
    app.mode = Mode::Normal;
    let Some(first) = app.docs.first() else {
        app.status = Some("nothing to export".into());
        return None;
    };
    let dir = first
        .path
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let path = dir.join(format!("tenderlint-review.{}", format.extension()));
    let (contents, left_out) = export::render(app, format);
    if left_out > 0 {
        app.status = Some(format!(
            "{} not read yet or unreadable, left out of the report",
            view::plural(left_out, "document")
        ));
    }
    Some(Effect::Export { path, contents })
}

/// A redlined copy of the current document with the review as it stands: a comment on every
/// finding not dismissed and, in DOCX and ODT, a tracked change for every accepted suggestion
/// (PDF gets highlight and note annotations instead).
fn redline_effect(app: &mut App) -> Option<Effect> {
    app.mode = Mode::Normal;
    let Some(doc) = app.current_doc().and_then(|d| app.docs.get(d)) else {
        app.status = Some("no document read yet".into());
        return None;
    };
    let Some(analysis) = &doc.analysis else {
        app.status = Some("no document read yet".into());
        return None;
    };
    if !matches!(
        analysis.document.format,
        tenderlint::Format::Pdf
            | tenderlint::Format::Docx
            | tenderlint::Format::Odt
            | tenderlint::Format::Fodt
    ) {
        app.status = Some(format!(
            "redlined copies are made for PDF, DOCX and ODT; {} is {}",
            doc.name(),
            analysis.document.format
        ));
        return None;
    }
    Some(Effect::Redline {
        source: doc.path.clone(),
        target: redline_path(&doc.path),
        analysis: Box::new(analysis.clone()),
        review: Box::new(doc.review.clone()),
    })
}

/// `tender.pdf` -> `tender.redline.pdf`, beside it.
pub fn redline_path(document: &std::path::Path) -> std::path::PathBuf {
    let stem = document
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document".into());
    let ext = document
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "pdf".into());
    document.with_file_name(format!("{stem}.redline.{ext}"))
}

/// Selects visible finding `i` (clamped) and brings it into view everywhere.
pub fn select(app: &mut App, i: usize) {
    if app.visible.is_empty() {
        return;
    }
    let i = i.min(app.visible.len() - 1);
    if i != app.selected {
        app.selected = i;
        app.text_top = None;
        app.detail_scroll = 0;
    }
    ensure_visible(app);
}

fn move_in_pane(app: &mut App, delta: isize) {
    match app.focus {
        Pane::List => {
            let target = (app.selected as isize).saturating_add(delta).max(0) as usize;
            select(app, target);
        }
        Pane::Text => {
            let blocks = current_blocks(app);
            let top = app.text_top.unwrap_or_else(|| view::auto_text_top(app));
            let new = (top as isize)
                .saturating_add(delta)
                .clamp(0, blocks.saturating_sub(1) as isize);
            app.text_top = Some(new as usize);
        }
        Pane::Detail => app.detail_scroll = scroll(app.detail_scroll, delta),
        Pane::Map => app.map_scroll = scroll(app.map_scroll, delta),
    }
}

fn scroll(v: u16, delta: isize) -> u16 {
    (v as isize).saturating_add(delta).clamp(0, 2000) as u16
}

fn current_blocks(app: &App) -> usize {
    app.current_doc()
        .and_then(|d| app.docs.get(d))
        .and_then(|d| d.analysis.as_ref())
        .map_or(0, |a| a.document.blocks.len())
}

fn pane_rect(app: &App, pane: Pane) -> Option<Rect> {
    let a = view::areas(Rect::new(0, 0, app.viewport.0, app.viewport.1), app);
    match pane {
        Pane::List => a.list,
        Pane::Text => a.text,
        Pane::Detail => a.detail,
        Pane::Map => a.map,
    }
}

/// Inner height (without borders) of a pane as laid out now; 0 when hidden.
fn pane_height(app: &App, pane: Pane) -> usize {
    pane_rect(app, pane).map_or(0, |r| r.height.saturating_sub(2) as usize)
}

/// Scrolls the list so the selected row (and its group header when it fits) is shown.
pub fn ensure_visible(app: &mut App) {
    let height = pane_height(app, Pane::List).max(1);
    let Some(row) = app.selected_row() else {
        app.list_offset = app.list_offset.min(app.rows.len().saturating_sub(1));
        return;
    };
    if row < app.list_offset {
        // Show the headers just above when the selection moves up to a group's first finding.
        let mut top = row;
        while top > 0 && row - top < 2 && !matches!(app.rows.get(top - 1), Some(Row::Finding(_))) {
            top -= 1;
        }
        app.list_offset = top;
    } else if row >= app.list_offset + height {
        app.list_offset = row + 1 - height;
    }
}

fn pane_at(app: &App, x: u16, y: u16) -> Option<(Pane, Rect)> {
    let pos = Position { x, y };
    Pane::ORDER
        .into_iter()
        .filter_map(|p| pane_rect(app, p).map(|r| (p, r)))
        .find(|(_, r)| r.contains(pos))
}

fn click(app: &mut App, x: u16, y: u16) {
    let Some((pane, rect)) = pane_at(app, x, y) else {
        return;
    };
    app.focus = pane;
    if pane != Pane::List || y <= rect.y || y + 1 >= rect.y + rect.height {
        return;
    }
    let row = app.list_offset + (y - rect.y - 1) as usize;
    // A header selects the first finding under it (within the same document).
    let mut target = None;
    for (i, r) in app.rows.iter().enumerate().skip(row) {
        match r {
            Row::Finding(v) => {
                target = Some(*v);
                break;
            }
            Row::Doc(_) if i > row => break,
            _ => {}
        }
    }
    if let Some(v) = target {
        let offset = app.list_offset;
        select(app, v);
        // A click never scrolls the list under the pointer unless it has to.
        if app.selected_row().is_some_and(|r| r >= offset) {
            app.list_offset = offset;
            ensure_visible(app);
        }
    }
}

fn wheel(app: &mut App, x: u16, y: u16, down: bool) {
    let delta = if down {
        WHEEL_STEP as isize
    } else {
        -(WHEEL_STEP as isize)
    };
    if app.mode == Mode::Help {
        app.help_scroll = scroll(app.help_scroll, delta);
        return;
    }
    let Some((pane, _)) = pane_at(app, x, y) else {
        return;
    };
    match pane {
        Pane::List => {
            let max = app.rows.len().saturating_sub(pane_height(app, Pane::List));
            app.list_offset = (app.list_offset as isize + delta).clamp(0, max as isize) as usize;
        }
        other => {
            let focus = app.focus;
            app.focus = other;
            move_in_pane(app, delta);
            app.focus = focus;
        }
    }
}
