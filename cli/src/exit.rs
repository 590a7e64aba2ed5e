//! Exit codes and the error type every command returns.
//!
//! The codes follow the AWS CLI v2 (`aws help return-codes`), so scripts written for `aws` read ctlake the
//! same way. `1` is the partial-failure code: the command ran to the end but not every record made it.

use std::fmt;

/// The documented exit codes, as printed at the end of `ctlake --help`.
pub(crate) const EXIT_CODES_HELP: &str = "\
Exit codes (as the AWS CLI v2):
  0    Success.
  1    Partial failure: the command ran to the end, but some records were rejected (put-events) or are
       invalid (validate). Details are in the summary and the reject file.
  130  Interrupted (Ctrl-C or SIGTERM). put-events keeps its state: run it again with --resume.
  252  Invalid command line: unknown option, bad value, unreadable input file.
  253  Configuration or credentials problem: no region, no credentials, unknown profile.
  254  AWS (or the local Lake) answered with an error; the message names it.
  255  Any other error: network failure, I/O error.";

/// How a command that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Everything was done: exit code 0.
    Success,
    /// The command ran to the end but some records were rejected or invalid: exit code 1.
    Partial,
}

impl Outcome {
    /// The process exit code.
    pub(crate) fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Partial => 1,
        }
    }
}

/// Why a command failed, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// Bad syntax, a bad option value or an unreadable input: 252.
    Usage,
    /// No region, no credentials, a broken profile: 253.
    Config,
    /// The service answered with an error: 254.
    Service,
    /// Ctrl-C or SIGTERM: 130.
    Interrupted,
    /// Anything else (I/O, network): 255.
    Other,
}

impl ErrorKind {
    /// The process exit code.
    pub(crate) fn code(self) -> u8 {
        match self {
            Self::Usage => 252,
            Self::Config => 253,
            Self::Service => 254,
            Self::Interrupted => 130,
            Self::Other => 255,
        }
    }
}

/// A failed command: the exit-code class plus the error chain printed once by `main`.
#[derive(Debug)]
pub(crate) struct CliError {
    kind: ErrorKind,
    error: anyhow::Error,
}

/// What every command returns.
pub(crate) type CliResult<T = Outcome> = Result<T, CliError>;

impl CliError {
    /// An error of `kind`.
    pub(crate) fn new(kind: ErrorKind, error: impl Into<anyhow::Error>) -> Self {
        Self {
            kind,
            error: error.into(),
        }
    }

    /// A command-line problem (252).
    pub(crate) fn usage(message: impl fmt::Display) -> Self {
        Self::new(ErrorKind::Usage, anyhow::anyhow!("{message}"))
    }

    /// A configuration or credentials problem (253).
    pub(crate) fn config(message: impl fmt::Display) -> Self {
        Self::new(ErrorKind::Config, anyhow::anyhow!("{message}"))
    }

    /// An error answered by the service (254).
    pub(crate) fn service(message: impl fmt::Display) -> Self {
        Self::new(ErrorKind::Service, anyhow::anyhow!("{message}"))
    }

    /// Any other failure (255).
    pub(crate) fn other(message: impl fmt::Display) -> Self {
        Self::new(ErrorKind::Other, anyhow::anyhow!("{message}"))
    }

    /// Interrupted by a signal (130).
    pub(crate) fn interrupted(message: impl fmt::Display) -> Self {
        Self::new(ErrorKind::Interrupted, anyhow::anyhow!("{message}"))
    }

    /// Adds context in front of the message, keeping the kind.
    pub(crate) fn context(self, context: impl fmt::Display + Send + Sync + 'static) -> Self {
        Self {
            kind: self.kind,
            error: self.error.context(context),
        }
    }

    /// The exit-code class.
    #[cfg(test)]
    pub(crate) fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The process exit code.
    pub(crate) fn code(&self) -> u8 {
        self.kind.code()
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The whole chain, once: "outer: inner: root".
        write!(f, "{:#}", self.error)
    }
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        Self::new(ErrorKind::Other, error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_aws_cli() {
        assert_eq!(Outcome::Success.code(), 0);
        assert_eq!(Outcome::Partial.code(), 1);
        assert_eq!(CliError::usage("x").code(), 252);
        assert_eq!(CliError::config("x").code(), 253);
        assert_eq!(CliError::service("x").code(), 254);
        assert_eq!(CliError::other("x").code(), 255);
        assert_eq!(CliError::interrupted("x").code(), 130);
    }

    #[test]
    fn context_keeps_the_kind_and_prints_the_chain() {
        let e = CliError::service("ChannelNotFound: no such channel").context("cannot publish");
        assert_eq!(e.kind(), ErrorKind::Service);
        assert_eq!(e.to_string(), "cannot publish: ChannelNotFound: no such channel");
    }
}
