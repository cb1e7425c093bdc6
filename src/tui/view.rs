//! `view(&App, &mut Frame)`: draws the review screen from state alone, one function per pane.
//!
//! [`areas`] is the layout as a pure function of the screen size and the state; `update` uses
//! it too, to resolve mouse clicks. Wide screens (120x30 and up) show every pane; from 80x16
//! the list sits beside the document text and the detail (or the clause map when it has focus),
//! with the summary folded into the header; below that only the focused pane is drawn.
//!
//! Every piece of document or finding text passes through `sanitize::for_terminal` here, at the
//! last moment, so escape sequences in a hostile PDF never reach the terminal. Only rows and
//! blocks that fit on screen are built, so a 3000-block document costs what one screen costs.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use tenderlint::finding::Position;
use tenderlint::review::Status;
use tenderlint::sanitize::for_terminal;
use tenderlint::{BlockKind, Category, Finding, Severity};

use super::action::Stage;
use super::app::{App, FilterItem, Pane, Row, STATUSES, filter_items};
use super::diff::{self, Op};
use super::keymap::{self, Mode};
use super::theme::{severity_mark, status_mark};

/// Where each pane goes; `None` for panes folded away at this size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub list: Option<Rect>,
    pub text: Option<Rect>,
    pub detail: Option<Rect>,
    pub map: Option<Rect>,
    pub summary: Option<Rect>,
    pub footer: Rect,
}

pub fn areas(area: Rect, app: &App) -> Areas {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let mut a = Areas {
        header,
        list: None,
        text: None,
        detail: None,
        map: None,
        summary: None,
        footer,
    };
    if body.width >= 120 && body.height >= 28 {
        let [top, bottom] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(10)]).areas(body);
        let [list, right] =
            Layout::horizontal([Constraint::Percentage(38), Constraint::Fill(1)]).areas(top);
        let [text, detail] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Fill(1)]).areas(right);
        let [summary, map] =
            Layout::horizontal([Constraint::Percentage(38), Constraint::Fill(1)]).areas(bottom);
        a.list = Some(list);
        a.text = Some(text);
        a.detail = Some(detail);
        a.summary = Some(summary);
        a.map = Some(map);
    } else if body.width >= 80 && body.height >= 14 {
        let [list, right] =
            Layout::horizontal([Constraint::Percentage(40), Constraint::Fill(1)]).areas(body);
        let [text, lower] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Fill(1)]).areas(right);
        a.list = Some(list);
        a.text = Some(text);
        if app.focus == Pane::Map {
            a.map = Some(lower);
        } else {
            a.detail = Some(lower);
        }
    } else {
        match app.focus {
            Pane::List => a.list = Some(body),
            Pane::Text => a.text = Some(body),
            Pane::Detail => a.detail = Some(body),
            Pane::Map => a.map = Some(body),
        }
    }
    a
}

pub fn view(app: &App, frame: &mut Frame) {
    let area = frame.area();
    frame.render_widget(Block::new().style(app.theme.base()), area);
    let a = areas(area, app);
    header(app, frame, a.header, a.summary.is_none());
    if let Some(r) = a.list {
        list(app, frame, r);
    }
    if let Some(r) = a.text {
        text(app, frame, r);
    }
    if let Some(r) = a.detail {
        detail(app, frame, r);
    }
    if let Some(r) = a.map {
        clause_map(app, frame, r);
    }
    if let Some(r) = a.summary {
        summary(app, frame, r);
    }
    footer(app, frame, a.footer);
    match app.mode {
        Mode::Help => help(app, frame, area),
        Mode::Filter => filter_menu(app, frame, area),
        Mode::ConfirmQuit => confirm_quit(app, frame, area),
        Mode::ExportMenu => export_menu(app, frame, area),
        Mode::Normal | Mode::Search | Mode::Input => {}
    }
}

fn clean(s: &str) -> String {
    for_terminal(s, false)
}

fn pane_block(app: &App, pane: Pane, title: String) -> Block<'static> {
    let focused = app.focus == pane && app.mode == Mode::Normal;
    let mark = if focused { "▶ " } else { "" };
    Block::new()
        .borders(Borders::ALL)
        .border_style(app.theme.border(focused))
        .title(Span::styled(
            format!(" {mark}{title} "),
            app.theme.border(focused),
        ))
}

fn category_tag(c: Category) -> &'static str {
    match c {
        Category::OpenLicensing => "OPEN",
        Category::VendorLockIn => "LOCK",
        Category::CopyrightOwnership => "COPY",
        Category::ReuseRights => "REUS",
    }
}

fn total_findings(app: &App) -> usize {
    app.docs.iter().map(|d| d.findings().len()).sum()
}

fn header(app: &App, frame: &mut Frame, r: Rect, with_summary: bool) {
    let t = &app.theme;
    let done = app
        .docs
        .iter()
        .filter(|d| matches!(d.stage, Stage::Done | Stage::Failed(_)))
        .count();
    let mut spans = vec![Span::raw(" tenderlint review · ")];
    if done < app.docs.len() {
        spans.push(Span::raw(format!(
            "{done} of {} documents read ",
            app.docs.len()
        )));
        spans.push(Span::raw(progress_bar(done, app.docs.len(), 10)));
        spans.push(Span::raw(format!(" {} · ", spinner(app.tick))));
    } else {
        spans.push(Span::raw(plural(app.docs.len(), "document")));
        spans.push(Span::raw(" · "));
    }
    let total = total_findings(app);
    if app.visible.len() == total {
        spans.push(Span::raw(plural(total, "finding")));
    } else {
        spans.push(Span::raw(format!(
            "{} of {total} findings",
            app.visible.len()
        )));
    }
    if with_summary {
        let (sev, st) = counts(app);
        spans.push(Span::raw(format!(
            " · B{} W{} I{} · {}{} {}{} {}{} {}{}",
            sev[2],
            sev[1],
            sev[0],
            status_mark(Status::Open),
            st[0],
            status_mark(Status::Accepted),
            st[1],
            status_mark(Status::Dismissed),
            st[2],
            status_mark(Status::Escalated),
            st[3],
        )));
    }
    let unsaved = app.unsaved_docs();
    if unsaved > 0 {
        spans.push(Span::raw(" · ● unsaved"));
    }
    if let Some(msg) = &app.status {
        spans.push(Span::raw(" │ "));
        spans.push(Span::raw(clean(msg)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(t.title_bar()), r);
}

/// "1 finding", "3 findings".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// One frame of an ASCII spinner, so it shows in every terminal font.
fn spinner(tick: u32) -> char {
    ['|', '/', '-', '\\'][(tick % 4) as usize]
}

fn progress_bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(0).min(width);
    format!("[{}{}]", "#".repeat(filled), "-".repeat(width - filled))
}

/// Severity counts (info, warning, blocker) and status counts (open, accepted, dismissed,
/// escalated) over all findings of all documents.
fn counts(app: &App) -> ([usize; 3], [usize; 4]) {
    let mut sev = [0; 3];
    let mut st = [0; 4];
    for doc in &app.docs {
        for f in doc.findings() {
            sev[f.severity as usize] += 1;
            let s = doc.status_of(f);
            if let Some(i) = STATUSES.iter().position(|x| *x == s) {
                st[i] += 1;
            }
        }
    }
    (sev, st)
}

fn stage_text(stage: &Stage) -> String {
    match stage {
        Stage::Queued => "waiting".into(),
        Stage::Reading => "reading…".into(),
        Stage::Analysing {
            pages: Some(p),
            blocks,
        } => format!("analysing {p} pages, {blocks} blocks…"),
        Stage::Analysing {
            pages: None,
            blocks,
        } => format!("analysing {blocks} blocks…"),
        Stage::Done => String::new(),
        Stage::Failed(e) => format!("✗ failed: {}", clean(e)),
    }
}

fn list(app: &App, frame: &mut Frame, r: Rect) {
    let t = &app.theme;
    let title = if app.visible.is_empty() {
        "Findings".to_string()
    } else {
        format!("Findings {}/{}", app.selected + 1, app.visible.len())
    };
    let block = pane_block(app, Pane::List, title);
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let height = inner.height as usize;
    let lines: Vec<Line> = app
        .rows
        .iter()
        .skip(app.list_offset)
        .take(height)
        .map(|row| list_row(app, row, inner.width as usize))
        .collect();
    frame.render_widget(Paragraph::new(lines).style(t.base()), inner);
}

fn list_row(app: &App, row: &Row, width: usize) -> Line<'static> {
    let t = &app.theme;
    match row {
        Row::Doc(d) => {
            let Some(doc) = app.docs.get(*d) else {
                return Line::raw("");
            };
            let (extra, style) = match &doc.stage {
                Stage::Done => (plural(doc.findings().len(), "finding"), t.dim()),
                s @ Stage::Failed(_) => (stage_text(s), t.error()),
                s => (stage_text(s), t.dim()),
            };
            let dirty = if doc.dirty { " ●" } else { "" };
            Line::from(vec![
                Span::styled(format!("▼ {}{dirty} ", clean(&doc.name())), t.heading()),
                Span::styled(extra, style),
            ])
        }
        Row::Group { label, .. } => Line::styled(format!("  {}", clean(label)), t.dim()),
        Row::Finding(v) => {
            let Some(r) = app.visible.get(*v).copied() else {
                return Line::raw("");
            };
            let Some(f) = app.finding(r) else {
                return Line::raw("");
            };
            let status = app.status_of(r);
            let note = if app.decision(r).is_some_and(|d| d.note.is_some()) {
                "✎"
            } else {
                " "
            };
            let cursor = if *v == app.selected { " ▶ " } else { "   " };
            let mut line = Line::from(vec![
                Span::raw(cursor),
                Span::styled(severity_mark(f.severity), t.severity(f.severity)),
                Span::raw(" "),
                Span::styled(status_mark(status), t.status(status)),
                Span::raw(note),
                Span::styled(format!("{} ", category_tag(f.category)), t.dim()),
                Span::raw(clean(&f.title)),
            ]);
            // The matched words tell apart findings of one rule in one clause.
            if let Some(x) = &f.excerpt {
                line.spans.push(Span::styled(
                    format!(" «{}»", shorten(&clean(x), 40)),
                    t.dim(),
                ));
            }
            if *v == app.selected {
                // The selection's own colours win, so no mark ends up low-contrast on it.
                for span in &mut line.spans {
                    span.style = Style {
                        fg: None,
                        bg: None,
                        ..span.style
                    };
                }
                let pad = width.saturating_sub(line.width());
                line.spans.push(Span::raw(" ".repeat(pad)));
                line = line.style(t.selected());
            }
            line
        }
        Row::OrphanHeader { count, .. } => Line::styled(
            format!("  Orphaned decisions ({count}): finding no longer found"),
            t.severity(Severity::Warning),
        ),
        Row::Orphan { doc, decision } => {
            let Some(d) = app
                .docs
                .get(*doc)
                .and_then(|x| x.review.decisions.get(*decision))
            else {
                return Line::raw("");
            };
            let excerpt = d.excerpt.as_deref().map(clean).unwrap_or_default();
            Line::from(vec![
                Span::raw("   "),
                Span::styled(status_mark(d.status), t.status(d.status)),
                Span::raw(" "),
                Span::styled(format!("{}: {excerpt}", clean(&d.rule_id)), t.dim()),
            ])
        }
        Row::Note(s) => Line::styled(format!("  ({})", clean(s)), t.dim()),
    }
}

/// At most `max` characters of `s`, with "…" when cut.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The first block the text pane shows when it follows the selection.
pub fn auto_text_top(app: &App) -> usize {
    app.selected_finding()
        .and_then(|(_, f)| f.location.block)
        .map_or(0, |b| b.saturating_sub(2))
}

fn location_text(f: &Finding) -> String {
    let mut parts = Vec::new();
    if let Some(p) = f.location.page {
        parts.push(format!("p. {p}"));
    }
    if let Some(c) = &f.location.clause {
        parts.push(format!("§ {}", clean(c)));
    }
    if let Some(h) = &f.location.heading {
        parts.push(clean(h));
    }
    if f.is_document_level() {
        parts.push("whole document".into());
    }
    parts.join(" · ")
}

/// Page and clause only, for the text pane's title.
fn short_location(f: &Finding) -> String {
    let mut parts = Vec::new();
    if let Some(p) = f.location.page {
        parts.push(format!("p. {p}"));
    }
    if let Some(c) = &f.location.clause {
        parts.push(format!("§ {}", clean(c)));
    }
    if f.is_document_level() {
        parts.push("whole document".into());
    }
    parts.join(" · ")
}

fn text(app: &App, frame: &mut Frame, r: Rect) {
    let t = &app.theme;
    let doc = app.current_doc().and_then(|d| app.docs.get(d));
    let sel = app.selected_finding().map(|(_, f)| f);
    let mut title = doc.map_or("Document".to_string(), |d| clean(&d.name()));
    if let Some(f) = sel {
        let loc = short_location(f);
        if !loc.is_empty() {
            title = format!("{title} · {loc}");
        }
    }
    let block = pane_block(app, Pane::Text, title);
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let Some(analysis) = doc.and_then(|d| d.analysis.as_ref()) else {
        let lines: Vec<Line> = app
            .docs
            .iter()
            .map(|d| {
                let style = if matches!(d.stage, Stage::Failed(_)) {
                    t.error()
                } else {
                    t.dim()
                };
                let stage = match &d.stage {
                    Stage::Done => "read".to_string(),
                    s => stage_text(s),
                };
                Line::styled(format!("{}: {stage}", clean(&d.name())), style)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    };
    let blocks = &analysis.document.blocks;
    let doc_findings = &analysis.findings;
    let top = app.text_top.unwrap_or_else(|| auto_text_top(app));
    let mut lines: Vec<Line> = Vec::new();
    let mut last_page = top
        .checked_sub(1)
        .and_then(|i| blocks.get(i))
        .and_then(|b| b.page);
    // Wrapped lines are estimated from widths (words wrap a little earlier than this), enough to
    // know how many blocks fill the pane and to scroll a long block so its match shows.
    let width = usize::from(inner.width.max(1));
    let height = usize::from(inner.height);
    let est = |line: &Line| {
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        wrapped_lines(&text, width).0 + 1
    };
    let mut est_lines = 0usize;
    let mut scroll = 0usize;
    for (i, b) in blocks.iter().enumerate().skip(top) {
        if est_lines >= height + scroll {
            break;
        }
        if b.page.is_some() && b.page != last_page {
            if let Some(p) = b.page {
                lines.push(Line::styled(format!("─── page {p} ───"), t.dim()));
                est_lines += 1;
            }
            last_page = b.page;
        }
        let is_sel = sel.is_some_and(|f| f.location.block == Some(i));
        // The gutter marks the selected match, and other findings by their severity letter.
        let (gutter, gutter_style) = if is_sel {
            ("▶ ", t.key())
        } else {
            match doc_findings
                .iter()
                .filter(|f| f.location.block == Some(i))
                .map(|f| f.severity)
                .max()
            {
                Some(sev) => (severity_gutter(sev), t.severity(sev)),
                None => ("  ", Style::new()),
            }
        };
        let indent = match b.kind {
            BlockKind::ListItem { level } => "  ".repeat(usize::from(level.min(6)) + 1),
            _ => String::new(),
        };
        let mut spans = vec![Span::styled(gutter, gutter_style), Span::raw(indent)];
        if let Some(c) = &b.clause
            && !b.text.starts_with(c.as_str())
        {
            spans.push(Span::styled(format!("{} ", clean(c)), t.dim()));
        }
        let base = if matches!(b.kind, BlockKind::Heading { .. }) {
            t.heading()
        } else if b.kind.is_furniture() {
            t.dim()
        } else {
            Style::new()
        };
        let range = sel
            .filter(|_| is_sel)
            .and_then(|f| Some((f.location.start?, f.location.end?)))
            .filter(|(s, e)| s <= e && b.text.get(*s..*e).is_some());
        match range {
            Some((s, e)) => {
                spans.push(Span::styled(clean(&b.text[..s]), base));
                // Following the selection, a match that would fall below the pane is scrolled
                // up to its upper third.
                let before: String = spans.iter().map(|s| s.content.as_ref()).collect();
                let match_line = est_lines + wrapped_lines(&before, width).0;
                if app.text_top.is_none() && match_line + 2 > height {
                    scroll = match_line.saturating_sub(height / 3);
                }
                spans.push(Span::styled(clean(&b.text[s..e]), t.matched()));
                spans.push(Span::styled(clean(&b.text[e..]), base));
            }
            None => spans.push(Span::styled(clean(&b.text), base)),
        }
        let line = Line::from(spans);
        est_lines += est(&line);
        lines.push(line);
    }
    frame.render_widget(
        Paragraph::new(lines)
            .style(t.base())
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
        inner,
    );
}

/// Greedy word wrap of `text` at `width` columns: (line breaks, column after the last word),
/// the way the paragraph widget wraps closely enough to place a match.
fn wrapped_lines(text: &str, width: usize) -> (usize, usize) {
    let width = width.max(1);
    let (mut breaks, mut col) = (0usize, 0usize);
    for (i, word) in text.split(' ').enumerate() {
        let w = Span::raw(word).width();
        let needed = w + usize::from(i > 0 && col > 0);
        if col > 0 && col + needed > width {
            breaks += 1;
            col = 0;
        }
        col += if col == 0 { w } else { needed };
        while col > width {
            breaks += 1;
            col -= width;
        }
    }
    (breaks, col)
}

fn severity_gutter(s: Severity) -> &'static str {
    match s {
        Severity::Blocker => "B ",
        Severity::Warning => "W ",
        Severity::Info => "I ",
    }
}

/// The end of `text` that fits in `width` columns, with "…" in front when cut.
fn tail_fitting(text: &str, width: usize) -> String {
    let char_width = |c: char| Span::raw(String::from(c)).width();
    if Span::raw(text).width() <= width {
        return text.to_string();
    }
    let mut out: Vec<char> = Vec::new();
    let mut used = 1; // the ellipsis
    for c in text.chars().rev() {
        let w = char_width(c);
        if used + w > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out.into_iter().rev().collect()
}

fn diff_spans(app: &App, old: &str, new: &str) -> Vec<Span<'static>> {
    let t = &app.theme;
    let mut spans = Vec::new();
    for (i, op) in diff::words(&clean(old), &clean(new))
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            spans.push(Span::raw(" "));
        }
        spans.push(match op {
            Op::Same(s) => Span::raw(s),
            Op::Delete(s) => Span::styled(format!("[-{s}-]"), t.deleted()),
            Op::Insert(s) => Span::styled(format!("{{+{s}+}}"), t.inserted()),
        });
    }
    spans
}

fn position_name(p: Position) -> &'static str {
    match p {
        Position::Preferred => "preferred",
        Position::Fallback => "fallback",
        Position::Alternative => "alternative",
    }
}

fn detail(app: &App, frame: &mut Frame, r: Rect) {
    let t = &app.theme;
    let block = pane_block(app, Pane::Detail, "Detail".into());
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let Some((fr, f)) = app.selected_finding() else {
        frame.render_widget(Paragraph::new("No finding selected.").style(t.dim()), inner);
        return;
    };
    let decision = app.decision(fr);
    let status = decision.map_or(Status::Open, |d| d.status);
    let mut lines: Vec<Line> = vec![
        Line::from(vec![
            Span::styled(
                format!("{} {}", severity_mark(f.severity), f.severity.id()),
                t.severity(f.severity),
            ),
            Span::raw(format!(" · {} · ", f.category.label())),
            Span::styled(clean(&f.rule_id), t.dim()),
        ]),
        Line::styled(clean(&f.title), t.heading()),
    ];
    let loc = location_text(f);
    if !loc.is_empty() {
        lines.push(Line::styled(loc, t.dim()));
    }
    let mut st = vec![
        Span::raw("Decision: "),
        Span::styled(
            format!("{} {}", status_mark(status), status.id()),
            t.status(status),
        ),
    ];
    if let Some(d) = decision.filter(|d| d.status != Status::Open) {
        st.push(Span::styled(
            format!(" ({})", clean(&d.decided_at)),
            t.dim(),
        ));
    }
    if f.needs_legal_review {
        st.push(Span::raw(" · needs legal review"));
    }
    lines.push(Line::from(st));
    if let Some(d) = decision {
        if let Some(reason) = &d.reason {
            lines.push(Line::raw(format!("Reason: {}", clean(reason))));
        }
        if let Some(note) = &d.note {
            lines.push(Line::raw(format!("✎ Note: {}", clean(note))));
        }
    }
    lines.push(Line::raw(""));
    if !f.message.is_empty() {
        lines.push(Line::raw(clean(&f.message)));
    }
    if !f.explanation.is_empty() {
        lines.push(Line::from(vec![
            Span::styled("Why: ", t.heading()),
            Span::raw(clean(&f.explanation)),
        ]));
    }
    let original = f
        .suggestions
        .first()
        .and_then(|s| {
            if s.replaces.is_some() {
                f.excerpt.clone()
            } else {
                f.context.clone()
            }
        })
        .or_else(|| f.excerpt.clone())
        .unwrap_or_default();
    let chosen = decision.and_then(|d| d.replacement.clone());
    if let Some(rep) = &chosen {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Accepted replacement:", t.heading()));
        lines.push(Line::from(diff_spans(app, &original, rep)));
    }
    for (i, s) in f.suggestions.iter().enumerate() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("Suggestion ({}):", position_name(s.position)),
            t.heading(),
        ));
        if i == 0 && chosen.is_none() {
            lines.push(Line::from(diff_spans(app, &original, &s.text)));
        } else {
            lines.push(Line::raw(clean(&s.text)));
        }
    }
    if !f.references.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("References:", t.heading()));
        for reference in f.references.iter() {
            let url = reference
                .url
                .as_deref()
                .map(|u| format!(" <{}>", clean(u)))
                .unwrap_or_default();
            lines.push(Line::raw(format!("• {}{url}", clean(&reference.title))));
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .style(t.base())
            .wrap(Wrap { trim: false })
            .scroll((app.detail_scroll, 0)),
        inner,
    );
}

fn clause_map(app: &App, frame: &mut Frame, r: Rect) {
    let t = &app.theme;
    let analysis = app
        .current_doc()
        .and_then(|d| app.docs.get(d))
        .and_then(|d| d.analysis.as_ref());
    let Some(analysis) = analysis else {
        let block = pane_block(app, Pane::Map, "Clause map".into());
        let inner = block.inner(r);
        frame.render_widget(block, r);
        frame.render_widget(
            Paragraph::new("No document read yet.").style(t.dim()),
            inner,
        );
        return;
    };
    let mut topics: Vec<&str> = app.known_topics.iter().map(String::as_str).collect();
    for hit in &analysis.topics {
        if !topics.contains(&hit.topic.as_str()) {
            topics.push(&hit.topic);
        }
    }
    let covered = topics
        .iter()
        .filter(|tp| analysis.topics.iter().any(|h| h.topic == **tp))
        .count();
    let block = pane_block(
        app,
        Pane::Map,
        format!("Clause map: {covered}/{} topics covered", topics.len()),
    );
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let cells: Vec<Vec<Span>> = topics
        .iter()
        .map(|tp| match analysis.topics.iter().find(|h| h.topic == *tp) {
            Some(hit) => {
                let mut at = String::new();
                if let Some(c) = &hit.clause {
                    at.push_str(&format!(" § {}", clean(c)));
                }
                if let Some(p) = hit.page {
                    at.push_str(&format!(" p.{p}"));
                }
                vec![
                    Span::styled(format!("✓ {}", clean(tp)), t.covered()),
                    Span::styled(at, t.dim()),
                ]
            }
            None => vec![Span::styled(
                format!("✗ {} (missing)", clean(tp)),
                t.severity(Severity::Warning),
            )],
        })
        .collect();
    let col_width = cells
        .iter()
        .map(|c| c.iter().map(|s| s.width()).sum::<usize>())
        .max()
        .unwrap_or(0)
        + 2;
    let cols = (inner.width as usize / col_width).max(1);
    let rows = cells.len().div_ceil(cols);
    let mut lines = Vec::new();
    for row in 0..rows {
        let mut spans = Vec::new();
        for col in 0..cols {
            // Column-major: read down, then across.
            if let Some(cell) = cells.get(col * rows + row) {
                let w: usize = cell.iter().map(|s| s.width()).sum();
                spans.extend(cell.iter().cloned());
                if col + 1 < cols {
                    spans.push(Span::raw(" ".repeat(col_width.saturating_sub(w))));
                }
            }
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .style(t.base())
            .scroll((app.map_scroll, 0)),
        inner,
    );
}

fn summary(app: &App, frame: &mut Frame, r: Rect) {
    let t = &app.theme;
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(t.border(false))
        .title(Span::styled(" Summary, all documents ", t.border(false)));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let mut by_cat = [[0usize; 3]; 4];
    for doc in &app.docs {
        for f in doc.findings() {
            if let Some(c) = Category::ALL.iter().position(|c| *c == f.category) {
                by_cat[c][f.severity as usize] += 1;
            }
        }
    }
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{:<22}", "category"), t.dim()),
        Span::styled(" B", t.severity(Severity::Blocker)),
        Span::styled("   W", t.severity(Severity::Warning)),
        Span::styled("   I", t.severity(Severity::Info)),
    ])];
    for (c, row) in Category::ALL.iter().zip(by_cat) {
        lines.push(Line::raw(format!(
            "{:<22}{:>2}  {:>2}  {:>2}",
            c.label(),
            row[2],
            row[1],
            row[0]
        )));
    }
    let (sev, st) = counts(app);
    lines.push(Line::raw(format!(
        "{:<22}{:>2}  {:>2}  {:>2}",
        "total", sev[2], sev[1], sev[0]
    )));
    for pair in STATUSES.iter().zip(st).collect::<Vec<_>>().chunks(2) {
        let mut spans = vec![Span::styled("status   ", t.dim())];
        for (s, n) in pair {
            spans.push(Span::styled(
                format!("{} {:<10}{n:>3}   ", status_mark(**s), s.id()),
                t.status(**s),
            ));
        }
        lines.push(Line::from(spans));
    }
    let orphans: usize = app.docs.iter().map(|d| d.orphan_indexes().len()).sum();
    if orphans > 0 {
        lines.push(Line::styled(
            format!("orphaned decisions {orphans}"),
            t.severity(Severity::Warning),
        ));
    }
    frame.render_widget(Paragraph::new(lines).style(t.base()), inner);
}

fn footer(app: &App, frame: &mut Frame, r: Rect) {
    let t = &app.theme;
    let line = match app.mode {
        Mode::Search => {
            let hint = format!("  {} matches · Enter keep · Esc cancel", app.visible.len());
            input_line(app, "/", &hint, r.width)
        }
        Mode::Input => input_line(
            app,
            app.input_kind.map_or("", |k| k.prompt()),
            "  Enter confirm · Esc cancel",
            r.width,
        ),
        mode => {
            let mut spans = Vec::new();
            for (i, (key, label)) in keymap::footer(mode).into_iter().enumerate() {
                if i > 0 {
                    spans.push(Span::styled(" · ", t.dim()));
                }
                spans.push(Span::styled(key, t.key()));
                spans.push(Span::raw(format!(" {label}")));
            }
            Line::from(spans)
        }
    };
    frame.render_widget(Paragraph::new(line).style(t.base()), r);
}

/// The input line: prompt, the end of the text that fits, a cursor, and a hint when room is left.
fn input_line(app: &App, prompt: &str, hint: &str, width: u16) -> Line<'static> {
    let t = &app.theme;
    let text = clean(&app.input);
    let room = (width as usize).saturating_sub(Span::raw(prompt).width() + 1);
    let shown = tail_fitting(&text, room);
    let mut spans = vec![
        Span::styled(prompt.to_string(), t.key()),
        Span::raw(shown.clone()),
        Span::styled("▏", t.key()),
    ];
    if shown == text {
        spans.push(Span::styled(hint.to_string(), t.dim()));
    }
    Line::from(spans)
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn popup(app: &App, frame: &mut Frame, r: Rect, title: &str, lines: Vec<Line>, scroll: u16) {
    let t = &app.theme;
    frame.render_widget(Clear, r);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(t.border(true))
        .title(Span::styled(format!(" {title} "), t.border(true)))
        .style(t.base());
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        r,
    );
}

/// The help text, generated from the keymap plus the legend of marks.
pub fn help_lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    for mode in Mode::ALL {
        lines.push(Line::styled(mode.title().to_string(), t.heading()));
        for (keys, desc) in keymap::help_lines(mode) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<14}"), t.key()),
                Span::raw(desc),
            ]));
        }
    }
    lines.push(Line::styled("Marks", t.heading()));
    for s in [Severity::Blocker, Severity::Warning, Severity::Info] {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<14}", severity_mark(s)), t.severity(s)),
            Span::raw(s.id()),
        ]));
    }
    for s in STATUSES {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<14}", status_mark(s)), t.status(s)),
            Span::raw(s.id()),
        ]));
    }
    lines.push(Line::raw("  ✎             has a note"));
    lines.push(Line::raw("  [-old-] {+new+}  words deleted and inserted"));
    lines
}

fn help(app: &App, frame: &mut Frame, area: Rect) {
    let r = centered(area, 76, area.height.saturating_sub(2));
    popup(
        app,
        frame,
        r,
        "Help · Esc closes",
        help_lines(app),
        app.help_scroll,
    );
}

fn filter_menu(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let items = filter_items();
    let mut lines = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let on = if app.filters.is_on(*item) {
            "[x]"
        } else {
            "[ ]"
        };
        let (group, label, style) = match item {
            FilterItem::Category(c) => ("category", c.label().to_string(), Style::new()),
            FilterItem::Severity(s) => (
                "severity",
                format!("{} {}", severity_mark(*s), s.id()),
                t.severity(*s),
            ),
            FilterItem::Status(s) => (
                "status",
                format!("{} {}", status_mark(*s), s.id()),
                t.status(*s),
            ),
        };
        let cursor = if i == app.filter_cursor { "▶" } else { " " };
        let mut line = Line::from(vec![
            Span::raw(format!("{cursor} {on} ")),
            Span::styled(format!("{group:<9}"), t.dim()),
            Span::styled(label, style),
        ]);
        if i == app.filter_cursor {
            line = line.style(t.selected());
        }
        lines.push(line);
    }
    lines.push(Line::styled(
        "nothing ticked in a group = show all",
        t.dim(),
    ));
    if !app.filters.query.is_empty() {
        lines.push(Line::raw(format!("search: {}", clean(&app.filters.query))));
    }
    let keys: Vec<String> = keymap::footer(Mode::Filter)
        .into_iter()
        .map(|(k, l)| format!("{k} {l}"))
        .collect();
    lines.push(Line::styled(keys.join(" · "), t.key()));
    let h = lines.len() as u16 + 2;
    let r = centered(area, 48, h);
    popup(app, frame, r, "Filter", lines, 0);
}

fn menu_lines(app: &App, mode: Mode) -> Vec<Line<'static>> {
    keymap::help_lines(mode)
        .into_iter()
        .map(|(k, d)| {
            Line::from(vec![
                Span::styled(format!("{k:<6}"), app.theme.key()),
                Span::raw(d),
            ])
        })
        .collect()
}

fn confirm_quit(app: &App, frame: &mut Frame, area: Rect) {
    let n = app.unsaved_docs();
    let mut lines = vec![
        Line::raw(format!(
            "Decisions in {n} document{} are not saved.",
            if n == 1 { "" } else { "s" }
        ))
        .style(Style::new().add_modifier(Modifier::BOLD)),
        Line::raw(""),
    ];
    lines.extend(menu_lines(app, Mode::ConfirmQuit));
    let r = centered(area, 50, lines.len() as u16 + 2);
    popup(app, frame, r, "Quit?", lines, 0);
}

fn export_menu(app: &App, frame: &mut Frame, area: Rect) {
    let mut lines = vec![
        Line::raw("Write a report of all findings and decisions:"),
        Line::raw(""),
    ];
    lines.extend(menu_lines(app, Mode::ExportMenu));
    let r = centered(area, 50, lines.len() as u16 + 2);
    popup(app, frame, r, "Export", lines, 0);
}
