//! Standard error: notes, warnings, progress bars and spinners, shown according to -q/-v, --no-progress and
//! whether standard error is a terminal.
//!
//! Standard output carries only results; everything here goes to standard error. Notes (what ctlake is doing)
//! appear on a terminal or with -v, so a piped, successful run is quiet; warnings appear unless -q.

use std::io::{IsTerminal as _, Write as _};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::GlobalArgs;

/// How chatty ctlake is on standard error.
#[derive(Debug, Clone)]
pub(crate) struct Ui {
    terminal: bool,
    quiet: bool,
    verbose: u8,
    progress: bool,
}

impl Ui {
    /// From the global options and the real standard error.
    pub(crate) fn new(global: &GlobalArgs) -> Self {
        let terminal = std::io::stderr().is_terminal();
        Self {
            terminal,
            quiet: global.quiet,
            verbose: global.verbose,
            progress: terminal && !global.quiet && !global.no_progress,
        }
    }

    /// Whether notes are shown.
    pub(crate) fn notes_shown(&self) -> bool {
        !self.quiet && (self.terminal || self.verbose > 0)
    }

    /// A note about what is happening (terminal or -v only).
    pub(crate) fn note(&self, message: impl std::fmt::Display) {
        if self.notes_shown() {
            self.line(&message.to_string());
        }
    }

    /// A warning (always, unless -q).
    pub(crate) fn warn(&self, message: impl std::fmt::Display) {
        if !self.quiet {
            self.line(&format!("warning: {message}"));
        }
    }

    /// Something the user must see even when piped (a generated secret), unless -q.
    pub(crate) fn important(&self, message: impl std::fmt::Display) {
        if !self.quiet {
            self.line(&message.to_string());
        }
    }

    fn line(&self, message: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{message}");
    }

    /// A progress bar over `len` units (bytes of input), or a hidden one.
    pub(crate) fn bar(&self, len: Option<u64>, template: &str) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = match len {
            Some(len) => ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr()),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
        };
        let style = ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style.progress_chars("=> "));
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    }

    /// A spinner with a message, or a hidden one.
    pub(crate) fn spinner(&self, message: impl Into<std::borrow::Cow<'static, str>>) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            spinner.set_style(style);
        }
        spinner.set_message(message);
        spinner.enable_steady_tick(Duration::from_millis(120));
        spinner
    }
}
