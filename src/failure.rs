//! The command line's one error model. Every command returns
//! [`Outcome`]: `Ok(Status)` when it did its job (its findings may still
//! make the exit code 1), or a [`Failure`] that `main` prints and maps to
//! its exit code. Commands print their results; only `main` prints
//! failures.
//!
//! Exit codes: 0 success (warnings allowed), 1 the input has errors or
//! findings (or would change, for `--check`), 2 usage or I/O error.

use crate::io;
use mlspec_diag::render::{self, FileReport, Style};
use mlspec_diag::Diagnostic;

pub type Outcome = Result<Status, Failure>;

/// How a command that did its job ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Exit 0.
    Clean,
    /// Exit 1: the input has errors, or a finding the command reports as a
    /// failure (an infeasible SLO, a file `--check` would change).
    Findings,
}

impl Status {
    pub fn findings_if(cond: bool) -> Status {
        if cond {
            Status::Findings
        } else {
            Status::Clean
        }
    }
}

/// Why a command could not do its job.
#[derive(Debug)]
pub enum Failure {
    /// A usage or I/O problem (exit 2).
    Usage(String),
    /// Diagnostics that stop the command (exit 1), rendered against the
    /// spec's text, then `closing` if there is one.
    Spec { path: String, source: String, diagnostics: Vec<Diagnostic>, closing: Option<String> },
    /// The spec is valid, but the command cannot do what it was asked
    /// (exit 1): one message each.
    Refused(Vec<String>),
}

impl Failure {
    pub fn refused(message: impl Into<String>) -> Failure {
        Failure::Refused(vec![message.into()])
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Spec { .. } | Failure::Refused(_) => 1,
        }
    }

    /// Prints the failure on stderr.
    pub fn report(&self) {
        match self {
            Failure::Usage(message) => io::error(message),
            Failure::Spec { path, source, diagnostics, closing } => {
                let report = [FileReport { path, source, diagnostics }];
                eprint!("{}", render::render_human(&report, Style::Plain));
                if let Some(closing) = closing {
                    io::error(closing);
                }
            }
            Failure::Refused(messages) => messages.iter().for_each(|m| io::error(m)),
        }
    }
}

/// The exit code of an outcome, after printing its failure.
pub fn exit_code(outcome: Outcome) -> u8 {
    match outcome {
        Ok(Status::Clean) => 0,
        Ok(Status::Findings) => 1,
        Err(failure) => {
            failure.report();
            failure.exit_code()
        }
    }
}
