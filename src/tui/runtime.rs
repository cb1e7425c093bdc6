//! The event loop: the only code that touches crossterm. It owns the terminal (raw mode, the
//! alternate screen, mouse capture, restored on exit and by a panic hook), starts the worker
//! thread that reads and analyses documents, turns terminal events and worker messages into
//! actions, and carries out the effects `update` asks for.
//!
//! Design: the worker reports over a channel and the loop polls the terminal with a short
//! timeout, so keys are handled while a 300-page PDF is still being read. The screen is redrawn
//! only after something happened.

use std::io::{self, Stdout};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, OnceLock};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyCode, KeyEvent, KeyEventKind,
    KeyModifiers, MouseButton, MouseEventKind,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tenderlint::Limits;
use tenderlint::batch::{self, Input, RunOptions, Source};

use super::action::{Action, Effect, Stage};
use super::app::App;
use super::keymap::{self, Key};
use super::update::update;
use super::view::view;

/// How often the loading spinner turns.
const TICK: Duration = Duration::from_millis(200);

/// What the worker thread runs on each document after reading it, and the reading limits
/// (`limits.timeout` is the per-document deadline).
pub struct Worker {
    pub analyse: batch::Analyser,
    /// See [`RunOptions::prepare`].
    pub prepare: Option<batch::Preparer>,
    pub limits: Limits,
}

/// Runs the review interface until the user quits.
pub fn run(mut app: App, worker: Worker) -> anyhow::Result<()> {
    let paths: Vec<PathBuf> = app.docs.iter().map(|d| d.path.clone()).collect();
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::Builder::new()
        .name("tenderlint-review-worker".into())
        .spawn(move || analyse_all(&paths, &worker, &tx))?;

    install_panic_hook();
    let mut guard = TerminalGuard::enter()?;
    let result = event_loop(&mut app, &mut guard.terminal, &rx);
    drop(guard);
    // The worker may still be reading a large file; it stops on its own when the channel closes.
    drop(rx);
    if worker.is_finished() {
        let _ = worker.join();
    }
    result
}

fn event_loop(
    app: &mut App,
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    rx: &Receiver<Action>,
) -> anyhow::Result<()> {
    let size = terminal.size()?;
    dispatch(
        app,
        Action::Resize {
            width: size.width,
            height: size.height,
        },
    );
    let mut redraw = true;
    let mut last_tick = Instant::now();
    while !app.should_quit {
        if redraw {
            terminal.draw(|f| view(app, f))?;
            redraw = false;
        }
        if event::poll(Duration::from_millis(40))?
            && let Some(action) = translate(event::read()?, app)
        {
            dispatch(app, action);
            redraw = true;
        }
        while let Ok(action) = rx.try_recv() {
            dispatch(app, action);
            redraw = true;
        }
        if app.loading() && last_tick.elapsed() >= TICK {
            last_tick = Instant::now();
            dispatch(app, Action::Tick);
            redraw = true;
        }
    }
    Ok(())
}

/// Runs `action` and every effect it leads to, feeding outcomes back in.
pub fn dispatch(app: &mut App, action: Action) {
    let mut next = Some(action);
    while let Some(a) = next {
        next = update(app, a).and_then(carry_out);
    }
}

/// Carries out one effect in the world and returns its outcome as an action.
pub fn carry_out(effect: Effect) -> Option<Action> {
    match effect {
        Effect::Save(jobs) => Some(Action::Saved(
            jobs.into_iter()
                .map(|job| {
                    let result = tenderlint::review::save(&job.document, &job.review)
                        .map_err(|e| e.to_string());
                    (job.doc, result)
                })
                .collect(),
        )),
        Effect::Export { path, contents } => Some(Action::Exported(
            tenderlint::fsutil::write_atomic(&path, contents.as_bytes())
                .map(|()| path.clone())
                .map_err(|e| format!("{}: {e}", path.display())),
        )),
        Effect::Redline {
            source,
            target,
            analysis,
            review,
        } => Some(Action::Exported(redline(
            &source, &target, &analysis, &review,
        ))),
        Effect::Quit => None,
    }
}

fn redline(
    source: &std::path::Path,
    target: &std::path::Path,
    analysis: &tenderlint::Analysis,
    review: &tenderlint::review::Review,
) -> Result<PathBuf, String> {
    use tenderlint::redline::{Mode, Stamp};
    let at = |e: &dyn std::fmt::Display| format!("{}: {e}", target.display());
    let bytes = std::fs::read(source).map_err(|e| format!("{}: {e}", source.display()))?;
    let limits = tenderlint::Limits::default();
    let out = tenderlint::redline::apply(
        &bytes,
        analysis,
        Some(review),
        Mode::Accepted,
        &Stamp::default(),
        &limits,
    )
    .map_err(|e| format!("{}: {e}", source.display()))?;
    tenderlint::fsutil::refuse_same_file(target, &[source]).map_err(|e| at(&e))?;
    tenderlint::fsutil::write_atomic(target, &out).map_err(|e| at(&e))?;
    Ok(target.to_path_buf())
}

/// The worker: every document in turn through the batch runner's `run_one` (so a document
/// that hangs times out and a panic fails only that document, exactly as in `scan`), reporting
/// when reading ends and the rules start, then the analysis with its saved review.
pub fn analyse_all(paths: &[PathBuf], worker: &Worker, tx: &Sender<Action>) {
    let options = RunOptions {
        jobs: 1,
        limits: worker.limits.clone(),
        load_reviews: true,
        prepare: worker.prepare.clone(),
    };
    for (doc, path) in paths.iter().enumerate() {
        if tx
            .send(Action::Progress {
                doc,
                stage: Stage::Reading,
            })
            .is_err()
        {
            return;
        }
        let analyse: batch::Analyser = {
            let tx = tx.clone();
            let inner = Arc::clone(&worker.analyse);
            Arc::new(move |document: tenderlint::Document| {
                let _ = tx.send(Action::Progress {
                    doc,
                    stage: Stage::Analysing {
                        pages: document.pages,
                        blocks: document.blocks.len(),
                    },
                });
                inner(document)
            })
        };
        let input = Input {
            display: path.display().to_string(),
            source: Source::Path(path.clone()),
        };
        let report = batch::run_one(&input, &analyse, &options);
        let msg = match report.result {
            // An unreadable review file fails the document rather than being overwritten.
            Ok(_) if !report.notes.is_empty() => Action::Progress {
                doc,
                stage: Stage::Failed(report.notes.join("; ")),
            },
            Ok(analysis) => Action::Loaded {
                doc,
                analysis: Box::new(analysis),
                review: report.review,
            },
            Err(e) => Action::Progress {
                doc,
                stage: Stage::Failed(e.to_string()),
            },
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
}

/// A terminal event as an action, or `None` for events that mean nothing here.
fn translate(ev: Event, app: &App) -> Option<Action> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => {
            key_of(k).and_then(|key| keymap::lookup(app.mode, key))
        }
        Event::Mouse(m) => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
                x: m.column,
                y: m.row,
            }),
            MouseEventKind::ScrollDown => Some(Action::Wheel {
                x: m.column,
                y: m.row,
                down: true,
            }),
            MouseEventKind::ScrollUp => Some(Action::Wheel {
                x: m.column,
                y: m.row,
                down: false,
            }),
            _ => None,
        },
        Event::Resize(width, height) => Some(Action::Resize { width, height }),
        _ => None,
    }
}

fn key_of(k: KeyEvent) -> Option<Key> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    Some(match k.code {
        KeyCode::Char(c) if ctrl => Key::Ctrl(c.to_ascii_lowercase()),
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        _ => return None,
    })
}

struct TerminalGuard {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    fn enter() -> anyhow::Result<Self> {
        enable_raw_mode()?;
        let mut out = io::stdout();
        if let Err(e) = execute!(out, EnterAlternateScreen, EnableMouseCapture) {
            restore();
            return Err(e.into());
        }
        match Terminal::new(CrosstermBackend::new(out)) {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore();
                Err(e.into())
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = self.terminal.show_cursor();
        restore();
    }
}

/// Leaves raw mode, the alternate screen and mouse capture; safe to call more than once.
fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), DisableMouseCapture, LeaveAlternateScreen);
}

/// The thread that owns the terminal; set when the panic hook is installed.
static UI_THREAD: OnceLock<ThreadId> = OnceLock::new();

/// Restores the terminal before the default hook prints the panic, so the message is readable.
/// Panics on other threads (the worker, the batch runner's per-document threads, readers) are
/// caught there and shown as that document's failure, so they neither restore the terminal under
/// the running interface nor print over it.
fn install_panic_hook() {
    let _ = UI_THREAD.set(std::thread::current().id());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if UI_THREAD.get() != Some(&std::thread::current().id()) {
            return;
        }
        restore();
        previous(info);
    }));
}
