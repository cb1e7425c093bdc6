//! End to end: the real `tenderlint review` in a tmux pane of 120x40, driven with `send-keys` and
//! read with `capture-pane`. Skipped (with a message) where tmux is not installed.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of our own (`-L`), so the test never touches the user's sessions.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn available() -> bool {
        Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    fn start(name: &str, width: u16, height: u16, command: &str) -> Tmux {
        let socket = format!("tenderlint-{name}-{}", std::process::id());
        let tmux = Tmux { socket };
        let status = tmux
            .cmd()
            .args(["new-session", "-d", "-s", "t", "-x"])
            .arg(width.to_string())
            .arg("-y")
            .arg(height.to_string())
            .arg(command)
            .status()
            .expect("tmux runs");
        assert!(status.success(), "tmux new-session failed");
        tmux
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    fn send(&self, keys: &[&str]) {
        let status = self
            .cmd()
            .args(["send-keys", "-t", "t"])
            .args(keys)
            .status()
            .expect("tmux send-keys");
        assert!(status.success());
    }

    fn capture(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "t"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn resize(&self, width: u16, height: u16) {
        let status = self
            .cmd()
            .args(["resize-window", "-t", "t", "-x"])
            .arg(width.to_string())
            .arg("-y")
            .arg(height.to_string())
            .status()
            .expect("tmux resize-window");
        assert!(status.success());
    }

    /// Waits until the pane's screen satisfies `done` (a redraw can show a blank screen for a
    /// moment, so ask for what should be there, not only for what should be gone); panics with
    /// the screen and `what` after 20 s.
    fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture();
            if done(&screen) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("timed out waiting for {what}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the pane shows `needle`; panics with the screen after 20 s.
    fn wait_for(&self, needle: &str) -> String {
        self.wait_until(&format!("{needle:?}"), |s| s.contains(needle))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

fn start_review(name: &str, doc: &Path) -> Tmux {
    let bin = Path::new(env!("CARGO_BIN_EXE_tenderlint"));
    let command = format!(
        "env TENDERLINT_REVIEW_CLOCK=2026-03-01T10:00:00Z {} review {}; echo EXIT:$?; sleep 60",
        shell_quote(bin),
        shell_quote(doc)
    );
    Tmux::start(name, 120, 40, &command)
}

/// Opens the fixture, accepts the first finding with `a`, saves with `s`, quits with `q`, checks
/// the review file beside the document, then reopens it and sees the decision reattached.
#[test]
fn review_in_tmux_accepts_saves_quits_and_reopens() {
    if !Tmux::available() {
        println!("SKIPPED: tmux not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("tender.md");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/review/tender.md"),
        &doc,
    )
    .unwrap();

    let tmux = start_review("review", &doc);
    let screen = tmux.wait_for("1 document ·");
    assert!(screen.contains("tender.md"), "{screen}");
    assert!(
        screen.contains("Findings 1/"),
        "no findings on the fixture:\n{screen}"
    );
    assert!(screen.contains("? help"), "{screen}");
    tmux.send(&["?"]);
    tmux.wait_for("Help · Esc closes");
    tmux.send(&["Escape"]);

    // The layout follows the window: at 80x24 the summary pane folds into the header.
    assert!(screen.contains("Summary, all documents"), "{screen}");
    tmux.resize(80, 24);
    let small = tmux.wait_until("the 80x24 layout", |s| {
        !s.contains("Summary, all documents") && s.contains("Findings 1/")
    });
    assert!(small.contains("Findings 1/"), "{small}");
    tmux.resize(120, 40);
    tmux.wait_for("Summary, all documents");

    tmux.send(&["a"]);
    tmux.wait_for("accepted · press u to undo");
    tmux.send(&["s"]);
    tmux.wait_for("saved 1 review file");
    tmux.send(&["q"]);
    let screen = tmux.wait_for("EXIT:0");
    // The alternate screen is gone: the interface no longer shows.
    assert!(!screen.contains("Findings 1/"), "{screen}");
    drop(tmux);

    let sidecar = dir.path().join("tender.md.tenderlint.json");
    let review: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sidecar).expect("review file written")).unwrap();
    assert_eq!(review["document"], "tender.md");
    let decisions = review["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 1, "{review}");
    assert_eq!(decisions[0]["status"], "accepted");
    assert_eq!(decisions[0]["decided_at"], "2026-03-01T10:00:00Z");
    assert!(
        decisions[0]["replacement"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );

    // Reopened: the first finding shows as accepted, nothing is unsaved, q quits at once.
    let tmux = start_review("reopen", &doc);
    let screen = tmux.wait_for("1 document ·");
    assert!(
        screen.contains("▶ B ✓") || screen.contains("▶ W ✓") || screen.contains("▶ I ✓"),
        "{screen}"
    );
    assert!(
        screen.contains("✓ accepted (2026-03-01T10:00:00Z)"),
        "{screen}"
    );
    tmux.send(&["q"]);
    tmux.wait_for("EXIT:0");
}

/// Off a terminal the review refuses to start (exit 2) and points at `scan`, instead of drawing
/// escape sequences into a pipe.
#[test]
fn review_needs_a_terminal() {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/review/tender.md");
    let out = Command::new(env!("CARGO_BIN_EXE_tenderlint"))
        .arg("review")
        .arg(&doc)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal"), "{err}");
    assert!(err.contains("tenderlint scan"), "{err}");
    assert!(out.stdout.is_empty());
}
