//! Review interface tests, no terminal needed: the keymap table, action sequences asserted on
//! state, screens drawn into `TestBackend` and snapshotted, a replayed key script that saves into
//! a temporary folder and reopens, and an ignored measurement of frame times.

use std::collections::HashSet;
use std::path::Path;

use ratatui::style::Color;
use tenderlint::review::{self, Status};

use super::action::{Action, Effect, Stage};
use super::app::{App, Clock, Pane, Row};
use super::keymap::{self, KEYMAP, Key, Mode};
use super::runtime::carry_out;
use super::testkit::*;
use super::theme::{Theme, ThemeKind};
use super::update::update;

// ---- keymap -------------------------------------------------------------------------------

/// Every action a user can trigger by key. The match makes adding an `Action` variant without
/// deciding here a compile error.
fn user_actions() -> Vec<Action> {
    let all = vec![
        Action::Down,
        Action::Up,
        Action::PageDown,
        Action::PageUp,
        Action::Top,
        Action::Bottom,
        Action::NextFinding,
        Action::PrevFinding,
        Action::FocusNext,
        Action::FocusPrev,
        Action::Search,
        Action::Filter,
        Action::Help,
        Action::ExportMenu,
        Action::Quit,
        Action::Accept,
        Action::EditAccept,
        Action::Dismiss,
        Action::Escalate,
        Action::Note,
        Action::Undo,
        Action::Save,
        Action::Backspace,
        Action::Confirm,
        Action::Cancel,
        Action::Toggle,
        Action::ClearFilters,
        Action::ExportMarkdown,
        Action::ExportHtml,
        Action::ExportRedline,
        Action::QuitDiscard,
        Action::SaveAndQuit,
    ];
    for a in &all {
        match a {
            Action::Char(_)
            | Action::Tick
            | Action::Resize { .. }
            | Action::Click { .. }
            | Action::Wheel { .. }
            | Action::Progress { .. }
            | Action::Loaded { .. }
            | Action::Saved(_)
            | Action::Exported(_) => unreachable!("not a key action"),
            _ => {}
        }
    }
    all
}

#[test]
fn keymap_has_no_duplicate_mode_key_pairs() {
    let mut seen = HashSet::new();
    for b in KEYMAP {
        assert!(
            seen.insert((b.mode, b.key)),
            "duplicate binding {:?} {:?}",
            b.mode,
            b.key
        );
        assert!(!b.desc.is_empty());
    }
}

#[test]
fn every_user_action_is_reachable_by_a_key() {
    for action in user_actions() {
        assert!(
            KEYMAP.iter().any(|b| b.action == action),
            "{action:?} has no key"
        );
    }
    // Typing reaches Char in text modes only.
    assert_eq!(
        keymap::lookup(Mode::Search, Key::Char('j')),
        Some(Action::Char('j'))
    );
    assert_eq!(
        keymap::lookup(Mode::Input, Key::Char('q')),
        Some(Action::Char('q'))
    );
    assert_eq!(
        keymap::lookup(Mode::Normal, Key::Char('j')),
        Some(Action::Down)
    );
    assert_eq!(keymap::lookup(Mode::Normal, Key::Char('Z')), None);
    assert_eq!(keymap::lookup(Mode::Filter, Key::Char('Z')), None);
}

#[test]
fn every_mode_can_be_left() {
    for mode in Mode::ALL.into_iter().filter(|m| *m != Mode::Normal) {
        for key in [Key::Esc, Key::Ctrl('c')] {
            assert!(
                KEYMAP.iter().any(|b| b.mode == mode && b.key == key),
                "{mode:?} has no {key:?}"
            );
        }
    }
}

#[test]
fn help_and_footer_are_generated_from_the_table() {
    let app = sample((100, 40));
    let help: Vec<String> = super::view::help_lines(&app)
        .iter()
        .map(|l| l.to_string())
        .collect();
    let text = help.join("\n");
    for b in KEYMAP {
        assert!(text.contains(b.desc), "help lacks {:?}", b.desc);
        assert!(text.contains(&b.key.label()), "help lacks key {:?}", b.key);
    }
    for (mode, footer) in Mode::ALL.map(|m| (m, keymap::footer(m))) {
        for (key, short) in footer {
            assert!(
                KEYMAP
                    .iter()
                    .any(|b| b.mode == mode && b.key.label() == key && b.short == short)
            );
        }
    }
    // Keys with the same description share one help line.
    let normal = keymap::help_lines(Mode::Normal);
    assert!(normal.iter().any(|(k, _)| k == "j ↓"));
}

// ---- action sequences ---------------------------------------------------------------------

fn selected_rule(app: &App) -> String {
    app.selected_finding()
        .map(|(_, f)| f.rule_id.clone())
        .unwrap_or_default()
}

#[test]
fn list_is_grouped_by_document_and_clause() {
    let app = sample((100, 40));
    assert_eq!(app.visible.len(), 6);
    let groups: Vec<&str> = app
        .rows
        .iter()
        .filter_map(|r| match r {
            Row::Group { label, .. } => Some(label.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        groups,
        [
            "§ 7.1 · 7 Intellectual property",
            "§ 7.2 · 7 Intellectual property",
            "§ (a) · 8 Technical requirements",
            "§ (b) · 8 Technical requirements",
            "Missing from the document",
            "(no clause number)",
        ]
    );
    assert!(matches!(app.rows[0], Row::Doc(0)));
}

#[test]
fn navigation_moves_the_selection_and_scrolls_panes() {
    let mut app = sample((100, 40));
    replay(&mut app, "jj");
    assert_eq!(selected_rule(&app), "lock-in.brand-name");
    replay(&mut app, "G");
    assert_eq!(selected_rule(&app), "open.no-source-code");
    replay(&mut app, "g");
    assert_eq!(app.selected, 0);
    replay(&mut app, "<pgdn>");
    assert_eq!(app.selected, 5, "page down clamps at the end");
    replay(&mut app, "NN");
    assert_eq!(app.selected, 3);
    // In the text pane j scrolls the document; n still moves between findings.
    replay(&mut app, "<tab>");
    assert_eq!(app.focus, Pane::Text);
    let top = super::view::auto_text_top(&app);
    replay(&mut app, "j");
    assert_eq!(app.text_top, Some(top + 1));
    assert_eq!(app.selected, 3);
    replay(&mut app, "n");
    assert_eq!(app.selected, 4);
    assert_eq!(
        app.text_top, None,
        "a new selection brings the text back to it"
    );
    replay(&mut app, "<tab>jj");
    assert_eq!(app.focus, Pane::Detail);
    assert_eq!(app.detail_scroll, 2);
    replay(&mut app, "<tab><tab>");
    assert_eq!(app.focus, Pane::List);
    replay(&mut app, "<s-tab>");
    assert_eq!(app.focus, Pane::Map);
}

#[test]
fn incremental_search_filters_and_esc_restores() {
    let mut app = sample((100, 40));
    replay(&mut app, "/licen");
    assert_eq!(app.mode, Mode::Search);
    assert_eq!(
        app.visible.len(),
        1,
        "only the licence finding matches 'licen'"
    );
    replay(&mut app, "<bs><bs><bs><bs>");
    assert_eq!(app.filters.query, "l");
    replay(&mut app, "<esc>");
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.filters.query, "");
    assert_eq!(app.visible.len(), 6);
    replay(&mut app, "/source<enter>");
    assert_eq!(app.filters.query, "source");
    assert_eq!(selected_rule(&app), "open.no-source-code");
}

#[test]
fn filter_menu_toggles_categories_severities_and_statuses() {
    let mut app = sample((100, 40));
    // Entries: 4 categories, then blocker, warning, info, then 4 statuses.
    replay(&mut app, "fj<space><esc>");
    assert_eq!(app.visible.len(), 2, "vendor lock-in only");
    assert!(
        app.visible
            .iter()
            .all(|r| app.finding(*r).unwrap().category == tenderlint::Category::VendorLockIn)
    );
    replay(&mut app, "fjjjj<space><esc>");
    assert_eq!(app.visible.len(), 1, "vendor lock-in and blocker");
    replay(&mut app, "fc<esc>");
    assert_eq!(app.visible.len(), 6);
    // Status: accepted only.
    replay(&mut app, "a");
    replay(&mut app, "fjjjjjjjj<space><esc>");
    assert_eq!(app.visible.len(), 1);
    assert_eq!(app.status_of(app.visible[0]), Status::Accepted);
}

#[test]
fn decisions_undo_and_notes() {
    let mut app = sample((100, 40));
    replay(&mut app, "a");
    let r = app.selected_ref().unwrap();
    let d = app.decision(r).unwrap();
    assert_eq!(d.status, Status::Accepted);
    assert_eq!(d.decided_at, NOW);
    assert!(
        d.replacement
            .as_deref()
            .unwrap()
            .contains("pass to the Authority")
    );
    // Dismissing needs a reason; an empty one is refused and the input stays open.
    replay(&mut app, "d<enter>");
    assert_eq!(app.mode, Mode::Input);
    assert!(app.status.as_deref().unwrap().contains("reason"));
    replay(&mut app, "covered by annex B<enter>");
    let d = app.decision(r).unwrap();
    assert_eq!(
        (d.status, d.reason.as_deref()),
        (Status::Dismissed, Some("covered by annex B"))
    );
    assert_eq!(d.replacement, None);
    replay(&mut app, "cask legal<enter>");
    let d = app.decision(r).unwrap();
    assert_eq!(d.status, Status::Dismissed, "a note keeps the status");
    assert_eq!(d.note.as_deref(), Some("ask legal"));
    replay(&mut app, "e");
    assert_eq!(app.decision(r).unwrap().status, Status::Escalated);
    assert_eq!(app.decision(r).unwrap().note.as_deref(), Some("ask legal"));
    replay(&mut app, "uuu");
    assert_eq!(app.decision(r).unwrap().status, Status::Accepted);
    replay(&mut app, "u");
    assert!(app.decision(r).is_none());
    replay(&mut app, "u");
    assert_eq!(app.status.as_deref(), Some("nothing to undo"));
    // E edits the replacement first; Esc leaves everything as it was.
    replay(&mut app, "E<esc>");
    assert!(app.decision(r).is_none());
    replay(&mut app, "j");
    replay(&mut app, "E");
    assert_eq!(app.input, "transferable and perpetual licence");
    replay(
        &mut app,
        "<bs><bs><bs><bs><bs><bs><bs>licence to share<enter>",
    );
    let r2 = app.selected_ref().unwrap();
    assert_eq!(
        app.decision(r2).unwrap().replacement.as_deref(),
        Some("transferable and perpetual licence to share")
    );
}

#[test]
fn quitting_asks_when_decisions_are_unsaved() {
    let mut app = sample((100, 40));
    assert_eq!(replay(&mut app, "q"), vec![Effect::Quit]);
    let mut app = sample((100, 40));
    replay(&mut app, "a");
    assert!(replay(&mut app, "q").is_empty());
    assert_eq!(app.mode, Mode::ConfirmQuit);
    replay(&mut app, "n");
    assert_eq!(app.mode, Mode::Normal);
    assert!(!app.should_quit);
    // Save and quit: save first, quit only once the save reported success.
    let effects = replay(&mut app, "qs");
    assert!(matches!(effects.as_slice(), [Effect::Save(jobs)] if jobs.len() == 1));
    assert!(!app.should_quit);
    let outcome = Action::Saved(vec![(0, Err("disk full".into()))]);
    assert_eq!(update(&mut app, outcome), None);
    assert!(!app.should_quit);
    assert!(app.status.as_deref().unwrap().contains("disk full"));
    let effects = replay(&mut app, "qs");
    assert_eq!(effects.len(), 1);
    let outcome = Action::Saved(vec![(0, Ok("/tenders/tender.pdf.tenderlint.json".into()))]);
    assert_eq!(update(&mut app, outcome), Some(Effect::Quit));
    assert!(app.should_quit);
    // y quits without saving.
    let mut app = sample((100, 40));
    assert_eq!(replay(&mut app, "ayq"), vec![]);
    assert_eq!(replay(&mut app, "y"), vec![Effect::Quit]);
}

#[test]
fn mouse_clicks_select_and_the_wheel_scrolls() {
    let mut app = sample((100, 40));
    // 100x40 is the middle layout: header row 0, list box from row 1, its first inner row is 2.
    // Rows: doc, group 7.1, finding 0, group 7.2, finding 1, group (a), finding 2 ...
    update(&mut app, Action::Click { x: 5, y: 2 + 6 });
    assert_eq!(app.selected, 2);
    assert_eq!(app.focus, Pane::List);
    // A click on a group header selects the finding under it.
    update(&mut app, Action::Click { x: 5, y: 2 + 3 });
    assert_eq!(app.selected, 1);
    // Clicking the detail pane focuses it; the wheel scrolls the pane under the pointer.
    update(&mut app, Action::Click { x: 70, y: 35 });
    assert_eq!(app.focus, Pane::Detail);
    update(
        &mut app,
        Action::Wheel {
            x: 70,
            y: 35,
            down: true,
        },
    );
    assert_eq!(app.detail_scroll, 3);
    update(
        &mut app,
        Action::Wheel {
            x: 70,
            y: 5,
            down: true,
        },
    );
    assert!(app.text_top.is_some());
    assert_eq!(app.focus, Pane::Detail, "the wheel does not move the focus");
}

#[test]
fn list_follows_the_selection_in_a_small_window() {
    let mut app = app_with(
        (0..6)
            .map(|i| tender(Path::new(&format!("/t/{i}.pdf"))))
            .collect(),
        (80, 24),
    );
    replay(&mut app, "G");
    let row = app.selected_row().unwrap();
    let height = 24 - 2 - 2;
    assert!(row >= app.list_offset && row < app.list_offset + height);
    replay(&mut app, "g");
    assert_eq!(app.list_offset, 0);
    update(
        &mut app,
        Action::Resize {
            width: 200,
            height: 60,
        },
    );
    assert_eq!(app.viewport, (200, 60));
}

#[test]
fn progress_and_failures_show_per_document() {
    let mut app = App::new(
        vec!["/t/a.pdf".into(), "/t/b.pdf".into()],
        theme(),
        Clock::Fixed(NOW.into()),
    );
    update(
        &mut app,
        Action::Resize {
            width: 80,
            height: 24,
        },
    );
    update(
        &mut app,
        Action::Progress {
            doc: 0,
            stage: Stage::Analysing {
                pages: Some(300),
                blocks: 3000,
            },
        },
    );
    update(
        &mut app,
        Action::Progress {
            doc: 1,
            stage: Stage::Failed("b.pdf: encrypted PDF".into()),
        },
    );
    let s = screen(&app, 80, 24);
    assert!(s.contains("analysing 300 pages, 3000 blocks"), "{s}");
    assert!(s.contains("failed: b.pdf: encrypted PDF"), "{s}");
    assert!(s.contains("1 of 2 documents read [#####-----] |"), "{s}");
    assert!(app.loading());
    update(&mut app, Action::Tick);
    assert!(screen(&app, 80, 24).contains("[#####-----] /"));
}

// ---- screens ------------------------------------------------------------------------------

#[test]
fn snapshot_main_80x24() {
    let mut app = sample((80, 24));
    replay(&mut app, "j");
    insta::assert_snapshot!("main_80x24", screen(&app, 80, 24));
}

#[test]
fn snapshot_main_160x48() {
    let mut app = sample((160, 48));
    replay(&mut app, "ajd");
    replay(&mut app, "not applicable: framework agreement<enter>n");
    insta::assert_snapshot!("main_160x48", screen(&app, 160, 48));
}

#[test]
fn snapshot_help_overlay() {
    let mut app = sample((80, 24));
    replay(&mut app, "?");
    insta::assert_snapshot!("help_80x24", screen(&app, 80, 24));
    replay(&mut app, "jjjjjjjjjjjj");
    insta::assert_snapshot!("help_80x24_scrolled", screen(&app, 80, 24));
}

#[test]
fn snapshot_filter_menu() {
    let mut app = sample((80, 24));
    replay(&mut app, "fjjjj<space>");
    insta::assert_snapshot!("filter_80x24", screen(&app, 80, 24));
}

#[test]
fn snapshot_dismiss_reason_input() {
    let mut app = sample((80, 24));
    replay(&mut app, "dcovered elsewh");
    insta::assert_snapshot!("dismiss_input_80x24", screen(&app, 80, 24));
}

#[test]
fn snapshot_quit_confirmation() {
    let mut app = sample((80, 24));
    replay(&mut app, "aq");
    insta::assert_snapshot!("quit_confirm_80x24", screen(&app, 80, 24));
}

#[test]
fn snapshot_small_window_shows_the_focused_pane_only() {
    let mut app = sample((60, 20));
    insta::assert_snapshot!("small_60x20_list", screen(&app, 60, 20));
    replay(&mut app, "<tab><tab>");
    insta::assert_snapshot!("small_60x20_detail", screen(&app, 60, 20));
}

#[test]
fn snapshot_clause_map_in_the_middle_layout() {
    let mut app = sample((100, 30));
    replay(&mut app, "<s-tab>");
    insta::assert_snapshot!("map_100x30", screen(&app, 100, 30));
}

#[test]
fn high_contrast_without_colour_uses_no_colour_and_keeps_marks() {
    let mut app = sample((80, 24));
    app.theme = Theme::new(ThemeKind::HighContrast, false);
    replay(&mut app, "jja");
    let term = render(&app, 80, 24);
    let buf = term.backend().buffer();
    for cell in buf.content() {
        assert_eq!(
            cell.fg,
            Color::Reset,
            "a colour leaked at {:?}",
            cell.symbol()
        );
        assert_eq!(cell.bg, Color::Reset);
    }
    // Without colour the selected row is still reversed.
    let selected_row = (0..24u16)
        .find(|y| buf[(0, *y)].symbol() == "│" && buf[(2, *y)].symbol() == "▶")
        .expect("a selected row");
    assert!(
        buf[(10, selected_row)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED)
    );
    let text = term.backend().to_string();
    assert!(
        text.contains("B ·"),
        "severity and status as symbols:\n{text}"
    );
    assert!(text.contains("W ✓"), "accepted mark:\n{text}");
    insta::assert_snapshot!("no_color_high_contrast_80x24", text);
    // High contrast with colour paints the selection, unlike the default reversed style.
    app.theme = Theme::new(ThemeKind::HighContrast, true);
    let term = render(&app, 80, 24);
    assert!(
        term.backend()
            .buffer()
            .content()
            .iter()
            .any(|c| c.bg == Color::LightYellow)
    );
}

#[test]
fn document_text_is_sanitised_before_it_reaches_the_screen() {
    let mut a = annex(Path::new("/t/evil.md"));
    a.document.blocks[0].text =
        "Source code stays with the contractor \u{1b}]0;pwned\u{7}\u{1b}[31mred".into();
    a.findings[0].title = "Title \u{1b}[2J cleared".into();
    let app = app_with(vec![a], (120, 40));
    let s = screen(&app, 120, 40);
    assert!(!s.contains('\u{1b}'));
    assert!(!s.contains("pwned"));
    assert!(s.contains("Title  cleared"));
}

#[test]
fn word_diff_is_shown_in_the_detail_pane() {
    let mut app = sample((120, 40));
    replay(&mut app, "j");
    let s = screen(&app, 120, 40);
    assert!(
        s.contains("[-non-transferable-] {+transferable and perpetual+} licence"),
        "{s}"
    );
}

#[test]
fn any_screen_size_draws_without_panicking() {
    for (w, h) in [
        (1, 1),
        (10, 3),
        (40, 10),
        (79, 23),
        (80, 24),
        (119, 29),
        (120, 30),
        (250, 80),
    ] {
        for script in ["", "?", "f", "aq", "dxyz", "<tab><tab><tab>", "x"] {
            let mut app = sample((w, h));
            replay(&mut app, script);
            let _ = screen(&app, w, h);
        }
    }
}

#[test]
fn a_match_deep_in_a_long_block_is_scrolled_into_view() {
    let mut a = annex(Path::new("/t/long.md"));
    let filler = "The contractor shall keep records of every meeting. ".repeat(40);
    a.document.blocks[0].text = format!("{filler}Source code stays with the contractor.");
    let start = a.document.blocks[0].text.find("Source code").unwrap();
    a.findings[0].location.start = Some(start);
    a.findings[0].location.end = Some(start + "Source code stays with the contractor".len());
    let app = app_with(vec![a], (80, 24));
    let s = screen(&app, 80, 24);
    assert!(s.contains("code stays with the contractor."), "{s}");
    // Scrolled to about the upper third, not to the end.
    let row = s
        .lines()
        .position(|l| l.contains("code stays with"))
        .unwrap();
    assert!(row <= 7, "{s}");
}

#[test]
fn a_long_input_shows_its_end() {
    let mut app = sample((80, 24));
    replay(&mut app, "E");
    let long = "word ".repeat(40);
    for c in long.chars() {
        update(&mut app, Action::Char(c));
    }
    replay(&mut app, "END");
    let s = screen(&app, 80, 24);
    let last = s.lines().last().unwrap();
    assert!(last.contains("Replacement: …"), "{last}");
    assert!(last.contains("word END▏"), "{last}");
}

#[test]
fn the_text_gutter_marks_other_findings_by_severity() {
    let app = sample((160, 48));
    let s = screen(&app, 160, 48);
    assert!(s.contains("▶ 7.1 The Supplier retains"), "{s}");
    assert!(s.contains("W 7.2 The Authority receives"), "{s}");
    assert!(s.contains("I   (b) Documents shall"), "{s}");
}

// ---- saving, reopening, orphans -----------------------------------------------------------

fn carry_out_all(app: &mut App, effects: Vec<Effect>) {
    for e in effects {
        if let Some(outcome) = carry_out(e) {
            let next = update(app, outcome);
            assert!(matches!(next, None | Some(Effect::Quit)));
        }
    }
}

fn reopen(analyses: Vec<tenderlint::Analysis>) -> App {
    let paths = analyses.iter().map(|a| a.document.path.clone()).collect();
    let mut app = App::new(paths, theme(), Clock::Fixed(NOW.into()));
    for (doc, a) in analyses.into_iter().enumerate() {
        let saved = review::load(&a.document.path).unwrap();
        update(
            &mut app,
            Action::Loaded {
                doc,
                analysis: Box::new(a),
                review: saved,
            },
        );
    }
    app
}

#[test]
fn replayed_review_saves_and_reopens_with_decisions_reattached() {
    let dir = tempfile::tempdir().unwrap();
    let tender_path = dir.path().join("tender.pdf");
    let annex_path = dir.path().join("annex.md");
    let mut app = app_with(vec![tender(&tender_path), annex(&annex_path)], (120, 40));

    // Filter to the licence finding, accept it; clear the search; dismiss the brand finding with
    // a reason; escalate the source-code finding; save.
    let mut effects = replay(&mut app, "jj/licen<enter>a");
    assert_eq!(selected_rule(&app), "reuse.non-transferable-licence");
    effects.extend(replay(&mut app, "/<bs><bs><bs><bs><bs><enter>"));
    effects.extend(replay(
        &mut app,
        "gjjdbrand is named in the framework<enter>",
    ));
    effects.extend(replay(&mut app, "Ge"));
    effects.extend(replay(&mut app, "s"));
    assert!(
        matches!(effects.as_slice(), [Effect::Save(jobs)] if jobs.len() == 2),
        "{effects:?}"
    );
    carry_out_all(&mut app, effects);
    assert_eq!(app.unsaved_docs(), 0);
    assert_eq!(app.status.as_deref(), Some("saved 2 review files"));
    assert!(review::sidecar_path(&tender_path).exists());

    let sidecar = std::fs::read_to_string(review::sidecar_path(&tender_path)).unwrap();
    insta::assert_snapshot!("sidecar_after_replay", sidecar);

    // Reopen: decisions come back by fingerprint.
    let app = reopen(vec![tender(&tender_path), annex(&annex_path)]);
    let status = |rule: &str| {
        let r = app
            .visible
            .iter()
            .find(|r| app.finding(**r).unwrap().rule_id == rule)
            .copied()
            .unwrap();
        app.status_of(r)
    };
    assert_eq!(status("reuse.non-transferable-licence"), Status::Accepted);
    assert_eq!(status("lock-in.brand-name"), Status::Dismissed);
    assert_eq!(status("open.no-source-code"), Status::Escalated);
    assert_eq!(status("copyright.supplier-keeps-ip"), Status::Open);
    assert_eq!(app.unsaved_docs(), 0);
}

#[test]
fn decisions_whose_finding_is_gone_are_listed_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tender.pdf");
    let mut app = app_with(vec![tender(&path)], (120, 40));
    let effects = replay(&mut app, "jajas");
    carry_out_all(&mut app, effects);

    // The rules changed: the licence finding is no longer produced, the others move.
    let mut changed = tender(&path);
    changed.findings.remove(1);
    let mut app = reopen(vec![changed.clone()]);
    assert!(
        app.rows
            .iter()
            .any(|r| matches!(r, Row::OrphanHeader { count: 1, .. }))
    );
    let s = screen(&app, 120, 40);
    assert!(s.contains("Orphaned decisions (1)"), "{s}");
    assert!(s.contains("reuse.non-transferable-licence"), "{s}");
    assert_eq!(
        app.status_of(app.visible[1]),
        Status::Accepted,
        "the brand finding kept its decision after moving"
    );
    // A new decision and a save keep the orphan in the file.
    let effects = replay(&mut app, "es");
    carry_out_all(&mut app, effects);
    let saved = review::load(&path).unwrap().unwrap();
    assert_eq!(saved.decisions.len(), 3);
    assert_eq!(saved.orphans(&changed.findings).len(), 1);
    let (md, _) = super::export::render(&app, super::action::ExportFormat::Markdown);
    assert!(md.contains("reuse.non-transferable-licence"), "{md}");
    assert!(md.contains("whose finding is gone"), "{md}");
}

#[test]
fn export_writes_markdown_and_html_reports() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(vec![tender(&dir.path().join("tender.pdf"))], (120, 40));
    replay(&mut app, "ajdnot relevant<enter>");
    let effects = replay(&mut app, "xm");
    let Some(Effect::Export { path, contents }) = effects.first().cloned() else {
        panic!("{effects:?}")
    };
    assert_eq!(path, dir.path().join("tenderlint-review.md"));
    let dir_text = dir.path().display().to_string();
    insta::assert_snapshot!("export_markdown", contents.replace(&dir_text, "<dir>"));
    carry_out_all(&mut app, effects);
    assert!(path.exists());
    assert!(app.status.as_deref().unwrap().starts_with("exported"));
    let effects = replay(&mut app, "xh");
    let Some(Effect::Export { contents, .. }) = effects.first() else {
        panic!()
    };
    assert!(contents.contains("not relevant"), "{contents}");
    assert!(contents.contains("<html"), "{contents}");
}

#[test]
fn the_worker_reports_stages_and_failures_per_document() {
    use super::runtime::{Worker, analyse_all};
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let good = write("good.md", "The Supplier keeps the source code.\n");
    let corrupt = write("corrupt.pdf", "%PDF-1.7 this is not a PDF");
    let broken_review = write("broken.md", "Text.\n");
    std::fs::write(review::sidecar_path(&broken_review), b"{not json").unwrap();
    let panics = write("panics.md", "PANIC here.\n");
    let slow = write("slow.md", "SLOW here.\n");
    let limits = tenderlint::Limits {
        timeout: std::time::Duration::from_secs(2),
        ..Default::default()
    };
    let worker = Worker {
        analyse: std::sync::Arc::new(|document: tenderlint::Document| {
            let text = document.plain_text();
            if text.contains("PANIC") {
                panic!("rule bug");
            }
            if text.contains("SLOW") {
                std::thread::sleep(std::time::Duration::from_secs(8));
            }
            let mut a = annex(&document.path);
            a.document = document;
            a.findings.clear();
            Ok(a)
        }),
        prepare: None,
        limits,
    };
    let (tx, rx) = std::sync::mpsc::channel();
    analyse_all(&[good, corrupt, broken_review, panics, slow], &worker, &tx);
    drop(tx);
    let got: Vec<String> = rx
        .try_iter()
        .map(|a| match a {
            Action::Progress { doc, stage } => format!("{doc} {stage:?}"),
            Action::Loaded {
                doc,
                analysis,
                review,
            } => format!(
                "{doc} loaded {} blocks, review {}",
                analysis.document.blocks.len(),
                review.is_some()
            ),
            other => format!("{other:?}"),
        })
        .collect();
    let text = got.join("\n");
    let expect_in_order = [
        "0 Reading",
        "0 Analysing { pages: None, blocks: 1 }",
        "0 loaded 1 blocks, review false",
        "1 Reading",
        "1 Failed(",
        "2 Reading",
        "2 Analysing",
        "2 Failed(",
        "3 Reading",
        "3 Analysing",
        "3 Failed(",
        "4 Reading",
        "4 Analysing",
        "4 Failed(",
    ];
    let mut lines = got.iter();
    for want in expect_in_order {
        assert!(
            lines.any(|l| l.starts_with(want)),
            "{want:?} missing or out of order in\n{text}"
        );
    }
    assert!(text.contains("not a tenderlint review file"), "{text}");
    assert!(text.contains("rule bug"), "{text}");
    assert!(text.to_lowercase().contains("time"), "{text}");
}

#[test]
fn late_progress_from_an_abandoned_document_changes_nothing() {
    let mut app = sample((80, 24));
    let before = app.docs[0].stage.clone();
    update(
        &mut app,
        Action::Progress {
            doc: 0,
            stage: Stage::Reading,
        },
    );
    assert_eq!(app.docs[0].stage, before);
}

/// A one-page PDF with a heading and a two-line clause, in Helvetica.
fn small_pdf() -> Vec<u8> {
    use lopdf::{Dictionary, Object, Stream, dictionary};
    let mut doc = lopdf::Document::with_version("1.7");
    let pages = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let content = "BT /F1 12 Tf 72 720 Td (7 Licence) Tj ET\n\
                   BT /F1 10 Tf 72 690 Td (The Contractor keeps all intellectual property rights) Tj ET\n\
                   BT /F1 10 Tf 72 678 Td (in the software written for the Authority.) Tj ET\n";
    let c = doc.add_object(Stream::new(Dictionary::new(), content.as_bytes().to_vec()));
    let page = doc.add_object(dictionary! {"Type" => "Page", "Parent" => pages, "Contents" => c});
    doc.objects.insert(
        pages,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            "Resources" => dictionary! {"Font" => dictionary! {"F1" => font}},
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages});
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn redline_export_annotates_a_copy_of_the_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tender.pdf");
    std::fs::write(&path, small_pdf()).unwrap();
    let document = tenderlint::extract::read_path(&path, &Default::default()).unwrap();
    let b = document
        .blocks
        .iter()
        .position(|b| b.text.contains("keeps all"))
        .expect("clause block");
    let spec = |rule, excerpt| Spec {
        rule,
        category: tenderlint::Category::CopyrightOwnership,
        severity: tenderlint::Severity::Blocker,
        title: "Supplier keeps the rights",
        at: Some((b, excerpt)),
        suggestion: None,
    };
    let findings = vec![
        finding(
            &document,
            spec("copyright.keeps", "keeps all intellectual property rights"),
        ),
        finding(&document, spec("copyright.other", "The Contractor")),
    ];
    let analysis = tenderlint::Analysis {
        document,
        findings,
        topics: Vec::new(),
    };
    let mut app = app_with(vec![analysis], (120, 40));
    // The dismissed finding is left out of the redlined copy.
    replay(&mut app, "jdnot an issue<enter>");
    let effects = replay(&mut app, "xr");
    let [Effect::Redline { target, review, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(*target, dir.path().join("tender.redline.pdf"));
    // The unsaved dismissal travels with the effect.
    assert_eq!(
        review
            .decisions
            .iter()
            .filter(|d| d.status == Status::Dismissed)
            .count(),
        1
    );
    carry_out_all(&mut app, effects);
    assert_eq!(
        app.status.as_deref(),
        Some(
            format!(
                "exported {}",
                dir.path().join("tender.redline.pdf").display()
            )
            .as_str()
        )
    );
    let out = lopdf::Document::load(dir.path().join("tender.redline.pdf")).unwrap();
    let annots = out
        .objects
        .values()
        .filter(|o| {
            o.as_dict().is_ok_and(|d| {
                d.get(b"Type")
                    .is_ok_and(|t| t.as_name().ok() == Some(b"Annot"))
            })
        })
        .count();
    assert!(annots >= 1, "no annotations in the redlined copy");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        small_pdf(),
        "the original is untouched"
    );

    // Plain text cannot be redlined: a message, no effect.
    let mut app = sample((120, 40));
    app.docs[0].analysis.as_mut().unwrap().document.format = tenderlint::Format::Text;
    assert!(replay(&mut app, "xr").is_empty());
    assert!(
        app.status
            .as_deref()
            .unwrap()
            .contains("made for PDF, DOCX and ODT")
    );
}

// ---- measurement --------------------------------------------------------------------------

/// A 300-page-sized analysis: 3000 blocks (10 a page), 500 findings spread through it.
fn large() -> tenderlint::Analysis {
    let base = tender(Path::new("/t/large.pdf"));
    let n = base.document.blocks.len();
    let mut a = base.clone();
    a.document.pages = Some(300);
    a.document.blocks = (0..3000usize)
        .map(|i| {
            let mut b = base.document.blocks[i % n].clone();
            b.page = Some(1 + (i / 10) as u32);
            // Appending keeps the base findings' byte offsets valid.
            b.text = format!("{} (paragraph {i})", b.text);
            b
        })
        .collect();
    a.findings = (0..500usize)
        .map(|i| {
            let mut f = base.findings[i % 4].clone();
            let block = (i * 6 / n) * n + f.location.block.unwrap_or(0);
            f.location.block = Some(block);
            f.location.page = a.document.blocks[block].page;
            f.fingerprint = format!("{i:016x}");
            f
        })
        .collect();
    a
}

#[test]
#[ignore = "measurement; run with --ignored --nocapture"]
fn measure_frame_times() {
    use std::time::Instant;
    let analysis = large();
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 60)).unwrap();
    let keys = ["j", "n", "a", "<tab>", "j", "G", "/licen", "<esc>"];
    let mut first = Vec::new();
    let mut redraw: Vec<Vec<std::time::Duration>> = vec![Vec::new(); keys.len()];
    for _ in 0..20 {
        let mut app = App::new(
            vec!["/t/large.pdf".into()],
            theme(),
            Clock::Fixed(NOW.into()),
        );
        update(
            &mut app,
            Action::Resize {
                width: 200,
                height: 60,
            },
        );
        let loaded = Action::Loaded {
            doc: 0,
            analysis: Box::new(analysis.clone()),
            review: None,
        };
        let start = Instant::now();
        update(&mut app, loaded);
        terminal.draw(|f| super::view::view(&app, f)).unwrap();
        first.push(start.elapsed());
        for (i, key) in keys.iter().enumerate() {
            let start = Instant::now();
            replay(&mut app, key);
            terminal.draw(|f| super::view::view(&app, f)).unwrap();
            redraw[i].push(start.elapsed());
        }
    }
    // Minimum = the cost on an idle core; median and max also show what a busy machine adds.
    let stats = |v: &mut Vec<std::time::Duration>| {
        v.sort();
        (v[0], v[v.len() / 2], v[v.len() - 1])
    };
    let (min, m, max) = stats(&mut first);
    println!(
        "first frame after load (3000 blocks, 500 findings, 200x60): min {min:?}, median {m:?}, max {max:?}"
    );
    for (key, times) in keys.iter().zip(redraw.iter_mut()) {
        let (min, m, max) = stats(times);
        println!("keystroke {key:<8} + redraw (200x60): min {min:?}, median {m:?}, max {max:?}");
    }
}

#[test]
fn redline_export_puts_accepted_suggestions_into_a_docx_as_tracked_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tender.docx");
    std::fs::copy("fixtures/example/tender.docx", &path).unwrap();
    let original = std::fs::read(&path).unwrap();
    let document = tenderlint::extract::read_path(&path, &Default::default()).unwrap();
    let rules = tenderlint::ruleset::RuleSet::builtin().unwrap();
    let analysis = tenderlint::check::analyse(document, &rules);
    let with_text = analysis
        .findings
        .iter()
        .filter(|f| f.location.block.is_some() && !f.suggestions.is_empty())
        .count();
    assert!(
        with_text >= 3,
        "the example tender has findings with suggestions"
    );
    let total = analysis.findings.len();
    let mut app = app_with(vec![analysis], (120, 40));
    // Accept the first three findings.
    replay(&mut app, "ajajaj");
    let effects = replay(&mut app, "xr");
    assert!(
        matches!(effects.as_slice(), [Effect::Redline { .. }]),
        "{effects:?}"
    );
    carry_out_all(&mut app, effects);
    let out = dir.path().join("tender.redline.docx");
    let again = tenderlint::extract::read_path(&out, &Default::default()).unwrap();
    let ours = again
        .tracked_changes
        .iter()
        .filter(|c| c.author.as_deref() == Some("tenderlint"))
        .count();
    assert!(
        ours >= 2,
        "accepted suggestions are tracked changes: {ours}"
    );
    let comments = again
        .blocks
        .iter()
        .filter(|b| b.kind == tenderlint::BlockKind::Comment)
        .count();
    assert_eq!(comments, total, "one comment per finding");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        original,
        "the original is untouched"
    );
}
