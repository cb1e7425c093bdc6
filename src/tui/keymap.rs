//! The one keymap: a table of (mode, key) -> [`Action`] with a one-line description. Key lookup,
//! the help overlay and the footer are all generated from [`KEYMAP`], so they cannot disagree.
//!
//! [`Key`] is our own key type, not crossterm's: the event loop converts, and everything else
//! (tests, the replay helper) stays free of the terminal library.

use super::action::Action;

/// The interaction mode, which decides which part of the keymap applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Normal,
    /// Typing a search query (incremental).
    Search,
    /// The filter menu.
    Filter,
    /// Typing a dismiss reason, a note or an edited replacement.
    Input,
    Help,
    ConfirmQuit,
    ExportMenu,
}

impl Mode {
    pub const ALL: [Mode; 7] = [
        Mode::Normal,
        Mode::Search,
        Mode::Filter,
        Mode::Input,
        Mode::Help,
        Mode::ConfirmQuit,
        Mode::ExportMenu,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Mode::Normal => "Reviewing",
            Mode::Search => "Search line",
            Mode::Filter => "Filter menu",
            Mode::Input => "Input line",
            Mode::Help => "Help",
            Mode::ConfirmQuit => "Quit with unsaved decisions",
            Mode::ExportMenu => "Export menu",
        }
    }

    /// Modes where an unbound printable key is typed into the input line.
    pub fn takes_text(self) -> bool {
        matches!(self, Mode::Search | Mode::Input)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
}

impl Key {
    /// How the key is written in the help and footer ("j", "C-c", "Enter", "PgDn").
    pub fn label(self) -> String {
        match self {
            Key::Char(' ') => "Space".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("C-{c}"),
            Key::Enter => "Enter".into(),
            Key::Esc => "Esc".into(),
            Key::Tab => "Tab".into(),
            Key::BackTab => "S-Tab".into(),
            Key::Backspace => "Bksp".into(),
            Key::Up => "↑".into(),
            Key::Down => "↓".into(),
            Key::Left => "←".into(),
            Key::Right => "→".into(),
            Key::PageUp => "PgUp".into(),
            Key::PageDown => "PgDn".into(),
            Key::Home => "Home".into(),
            Key::End => "End".into(),
        }
    }
}

/// One line of the keymap. `short` is the footer label ("" keeps it out of the footer).
#[derive(Debug, Clone)]
pub struct Binding {
    pub mode: Mode,
    pub key: Key,
    pub action: Action,
    pub desc: &'static str,
    pub short: &'static str,
}

const fn b(
    mode: Mode,
    key: Key,
    action: Action,
    desc: &'static str,
    short: &'static str,
) -> Binding {
    Binding {
        mode,
        key,
        action,
        desc,
        short,
    }
}

use Key::*;
use Mode::*;

/// The keymap. Kept one binding per line (rustfmt would spread each over seven) so it reads as
/// the table it is.
#[rustfmt::skip]
pub const KEYMAP: &[Binding] = &[
    b(Normal, Char('?'), Action::Help, "show this help", "help"),
    b(Normal, Char('j'), Action::Down, "move down in the focused pane", "move"),
    b(Normal, Down, Action::Down, "move down in the focused pane", ""),
    b(Normal, Char('k'), Action::Up, "move up in the focused pane", ""),
    b(Normal, Up, Action::Up, "move up in the focused pane", ""),
    b(Normal, PageDown, Action::PageDown, "page down in the focused pane", ""),
    b(Normal, PageUp, Action::PageUp, "page up in the focused pane", ""),
    b(Normal, Char('g'), Action::Top, "go to the first finding (top of the pane)", ""),
    b(Normal, Home, Action::Top, "go to the first finding (top of the pane)", ""),
    b(Normal, Char('G'), Action::Bottom, "go to the last finding (bottom of the pane)", ""),
    b(Normal, End, Action::Bottom, "go to the last finding (bottom of the pane)", ""),
    b(Normal, Char('n'), Action::NextFinding, "next finding, whatever pane has focus", ""),
    b(Normal, Char('N'), Action::PrevFinding, "previous finding, whatever pane has focus", ""),
    b(Normal, Tab, Action::FocusNext, "focus the next pane (list, text, detail, clause map)", "pane"),
    b(Normal, BackTab, Action::FocusPrev, "focus the previous pane", ""),
    b(Normal, Char('/'), Action::Search, "search findings (incremental)", "search"),
    b(Normal, Char('f'), Action::Filter, "filter by category, severity or status", "filter"),
    b(Normal, Char('a'), Action::Accept, "accept the suggested replacement", "accept"),
    b(Normal, Char('E'), Action::EditAccept, "edit the replacement, then accept it", ""),
    b(Normal, Char('d'), Action::Dismiss, "dismiss the finding (asks for a reason)", "dismiss"),
    b(Normal, Char('e'), Action::Escalate, "escalate to legal review", "escalate"),
    b(Normal, Char('c'), Action::Note, "add or edit a note on the finding", ""),
    b(Normal, Char('u'), Action::Undo, "undo the last decision change", "undo"),
    b(Normal, Char('s'), Action::Save, "save decisions beside each document", "save"),
    b(Normal, Char('x'), Action::ExportMenu, "export a report (Markdown, HTML) or a redlined copy", ""),
    b(Normal, Char('q'), Action::Quit, "quit (asks when decisions are unsaved)", "quit"),
    b(Normal, Ctrl('c'), Action::Quit, "quit (asks when decisions are unsaved)", ""),
    b(Search, Enter, Action::Confirm, "keep the search and return to the list", "keep"),
    b(Search, Esc, Action::Cancel, "cancel the search", "cancel"),
    b(Search, Ctrl('c'), Action::Cancel, "cancel the search", ""),
    b(Search, Backspace, Action::Backspace, "delete the last character", ""),
    b(Filter, Char('j'), Action::Down, "next menu entry", "move"),
    b(Filter, Down, Action::Down, "next menu entry", ""),
    b(Filter, Char('k'), Action::Up, "previous menu entry", ""),
    b(Filter, Up, Action::Up, "previous menu entry", ""),
    b(Filter, Char(' '), Action::Toggle, "switch the entry on or off", "toggle"),
    b(Filter, Enter, Action::Toggle, "switch the entry on or off", ""),
    b(Filter, Char('c'), Action::ClearFilters, "clear all filters and the search", "clear"),
    b(Filter, Esc, Action::Cancel, "close the menu", "close"),
    b(Filter, Char('f'), Action::Cancel, "close the menu", ""),
    b(Filter, Char('q'), Action::Cancel, "close the menu", ""),
    b(Filter, Ctrl('c'), Action::Cancel, "close the menu", ""),
    b(Input, Enter, Action::Confirm, "confirm", "confirm"),
    b(Input, Esc, Action::Cancel, "cancel", "cancel"),
    b(Input, Ctrl('c'), Action::Cancel, "cancel", ""),
    b(Input, Backspace, Action::Backspace, "delete the last character", ""),
    b(Help, Char('j'), Action::Down, "scroll the help down", ""),
    b(Help, Down, Action::Down, "scroll the help down", ""),
    b(Help, Char('k'), Action::Up, "scroll the help up", ""),
    b(Help, Up, Action::Up, "scroll the help up", ""),
    b(Help, Esc, Action::Cancel, "close the help", "close"),
    b(Help, Char('?'), Action::Cancel, "close the help", ""),
    b(Help, Char('q'), Action::Cancel, "close the help", ""),
    b(Help, Ctrl('c'), Action::Cancel, "close the help", ""),
    b(ConfirmQuit, Char('s'), Action::SaveAndQuit, "save, then quit", "save and quit"),
    b(ConfirmQuit, Char('y'), Action::QuitDiscard, "quit without saving", "quit, discard"),
    b(ConfirmQuit, Char('n'), Action::Cancel, "keep reviewing", "cancel"),
    b(ConfirmQuit, Esc, Action::Cancel, "keep reviewing", ""),
    b(ConfirmQuit, Ctrl('c'), Action::Cancel, "keep reviewing", ""),
    b(ExportMenu, Char('m'), Action::ExportMarkdown, "export a Markdown report", "markdown"),
    b(ExportMenu, Char('h'), Action::ExportHtml, "export an HTML report", "html"),
    b(ExportMenu, Char('r'), Action::ExportRedline, "redlined copy: comments, accepted changes tracked", "redline"),
    b(ExportMenu, Esc, Action::Cancel, "close the menu", "cancel"),
    b(ExportMenu, Ctrl('c'), Action::Cancel, "close the menu", ""),
];

/// The action for `key` in `mode`: the table first, then (in text modes) typing.
pub fn lookup(mode: Mode, key: Key) -> Option<Action> {
    if let Some(binding) = KEYMAP.iter().find(|b| b.mode == mode && b.key == key) {
        return Some(binding.action.clone());
    }
    match key {
        Key::Char(c) if mode.takes_text() => Some(Action::Char(c)),
        _ => None,
    }
}

/// Help lines for one mode: keys with the same description are merged ("j ↓  move down ...").
pub fn help_lines(mode: Mode) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    for binding in KEYMAP.iter().filter(|b| b.mode == mode) {
        match out.iter_mut().find(|(_, d)| *d == binding.desc) {
            Some((keys, _)) => {
                keys.push(' ');
                keys.push_str(&binding.key.label());
            }
            None => out.push((binding.key.label(), binding.desc)),
        }
    }
    if mode.takes_text() {
        out.push(("any".into(), "type text"));
    }
    out
}

/// Footer entries for one mode: (key, short label) for bindings that have a short label.
pub fn footer(mode: Mode) -> Vec<(String, &'static str)> {
    KEYMAP
        .iter()
        .filter(|b| b.mode == mode && !b.short.is_empty())
        .map(|b| (b.key.label(), b.short))
        .collect()
}
