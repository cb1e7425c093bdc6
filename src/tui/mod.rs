//! The interactive review: `tenderlint review PATH...` in the terminal.
//!
//! Built as state -> action -> update -> view (see `STYLE.md`): [`app::App`] is plain data;
//! [`keymap`] turns (mode, key) into an [`action::Action`]; [`update::update`] changes the state
//! and returns an [`action::Effect`] instead of doing I/O; [`view::view`] draws from the state
//! alone; [`runtime`] is the only code that touches the terminal, runs the worker thread and
//! carries out effects. This module lives in the binary, not the library: the pipeline does not
//! know there is a screen.

pub mod action;
pub mod app;
pub mod diff;
pub mod export;
pub mod keymap;
pub mod runtime;
pub mod theme;
pub mod update;
pub mod view;

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;
