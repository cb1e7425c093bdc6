//! Styles for the review screen. Three looks: the default colours, a high-contrast theme (bold,
//! bright, reversed selections) and no colour at all (`NO_COLOR`), where only modifiers remain.
//!
//! Colour never carries meaning alone: severities and statuses have letters and symbols
//! ([`severity_mark`], [`status_mark`]), deletions and insertions have `[-` `-]` and `{+` `+}`.

use ratatui::style::{Color, Modifier, Style};
use tenderlint::Severity;
use tenderlint::review::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeKind {
    Default,
    HighContrast,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub kind: ThemeKind,
    /// False under `NO_COLOR`: styles keep only their modifiers.
    pub color: bool,
}

/// "B" blocker, "W" warning, "I" info.
pub fn severity_mark(s: Severity) -> &'static str {
    match s {
        Severity::Blocker => "B",
        Severity::Warning => "W",
        Severity::Info => "I",
    }
}

/// A symbol per status: "·" open, "✓" accepted, "✗" dismissed, "!" escalated.
pub fn status_mark(s: Status) -> &'static str {
    match s {
        Status::Open => "·",
        Status::Accepted => "✓",
        Status::Dismissed => "✗",
        Status::Escalated => "!",
    }
}

impl Theme {
    pub fn new(kind: ThemeKind, color: bool) -> Self {
        Theme { kind, color }
    }

    fn paint(&self, style: Style) -> Style {
        if self.color {
            style
        } else {
            Style {
                fg: None,
                bg: None,
                underline_color: None,
                ..style
            }
        }
    }

    fn hc(&self) -> bool {
        self.kind == ThemeKind::HighContrast
    }

    pub fn base(&self) -> Style {
        if self.hc() {
            self.paint(Style::new().fg(Color::White).bg(Color::Black))
        } else {
            Style::new()
        }
    }

    pub fn severity(&self, s: Severity) -> Style {
        let style = match (s, self.hc()) {
            (Severity::Blocker, false) => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            (Severity::Warning, false) => Style::new().fg(Color::Yellow),
            (Severity::Info, false) => Style::new().fg(Color::Cyan),
            (Severity::Blocker, true) => Style::new()
                .fg(Color::LightRed)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            (Severity::Warning, true) => Style::new()
                .fg(Color::LightYellow)
                .add_modifier(Modifier::BOLD),
            (Severity::Info, true) => Style::new().fg(Color::White),
        };
        self.paint(style)
    }

    pub fn status(&self, s: Status) -> Style {
        let style = match (s, self.hc()) {
            (Status::Open, _) => Style::new(),
            (Status::Accepted, false) => Style::new().fg(Color::Green),
            (Status::Dismissed, false) => Style::new().fg(Color::DarkGray),
            (Status::Escalated, false) => Style::new().fg(Color::Magenta),
            (Status::Accepted, true) => Style::new()
                .fg(Color::LightGreen)
                .add_modifier(Modifier::BOLD),
            (Status::Dismissed, true) => Style::new().fg(Color::Gray),
            (Status::Escalated, true) => Style::new()
                .fg(Color::LightMagenta)
                .add_modifier(Modifier::BOLD),
        };
        self.paint(style)
    }

    pub fn border(&self, focused: bool) -> Style {
        let style = match (focused, self.hc()) {
            (true, false) => Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            (false, false) => Style::new().fg(Color::DarkGray),
            (true, true) => Style::new()
                .fg(Color::LightYellow)
                .add_modifier(Modifier::BOLD),
            (false, true) => Style::new().fg(Color::White),
        };
        self.paint(style)
    }

    /// The selected list row; reversed so it shows without colour.
    pub fn selected(&self) -> Style {
        let style = if self.hc() {
            Style::new()
                .fg(Color::Black)
                .bg(Color::LightYellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        };
        if self.color {
            style
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// The matched text in the document pane.
    pub fn matched(&self) -> Style {
        let style = if self.hc() {
            Style::new()
                .fg(Color::Black)
                .bg(Color::White)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::UNDERLINED)
        };
        if self.color {
            style
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::UNDERLINED)
        }
    }

    pub fn deleted(&self) -> Style {
        let c = if self.hc() {
            Color::LightRed
        } else {
            Color::Red
        };
        self.paint(Style::new().fg(c).add_modifier(Modifier::CROSSED_OUT))
    }

    pub fn inserted(&self) -> Style {
        let c = if self.hc() {
            Color::LightGreen
        } else {
            Color::Green
        };
        self.paint(Style::new().fg(c).add_modifier(Modifier::UNDERLINED))
    }

    pub fn dim(&self) -> Style {
        if self.hc() {
            self.paint(Style::new().fg(Color::Gray))
        } else {
            self.paint(Style::new().fg(Color::DarkGray))
        }
    }

    pub fn heading(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn title_bar(&self) -> Style {
        let style = if self.hc() {
            Style::new()
                .fg(Color::Black)
                .bg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new()
                .fg(Color::White)
                .bg(Color::Blue)
                .add_modifier(Modifier::BOLD)
        };
        if self.color {
            style
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    pub fn key(&self) -> Style {
        let c = if self.hc() {
            Color::LightYellow
        } else {
            Color::Cyan
        };
        self.paint(Style::new().fg(c).add_modifier(Modifier::BOLD))
    }

    pub fn error(&self) -> Style {
        self.paint(
            Style::new()
                .fg(if self.hc() {
                    Color::LightRed
                } else {
                    Color::Red
                })
                .add_modifier(Modifier::BOLD),
        )
    }

    pub fn covered(&self) -> Style {
        self.paint(Style::new().fg(if self.hc() {
            Color::LightGreen
        } else {
            Color::Green
        }))
    }
}
