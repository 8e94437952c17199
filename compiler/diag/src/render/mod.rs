//! Renderers: one per output format, all over the same [`FileReport`]s.
//!
//! **Invariant:** renderers are pure (text in, text out) and deterministic;
//! diagnostics come out in the order given (sorted by the analysis).

mod human;
mod json;
mod sarif;

pub use human::{render_human, Style};
pub use json::render_json;
pub use sarif::render_sarif;

use super::{Diagnostic, Severity};
use crate::span::LineIndex;

/// One checked file: its path as given, its text, its diagnostics.
pub struct FileReport<'a> {
    pub path: &'a str,
    pub source: &'a str,
    pub diagnostics: &'a [Diagnostic],
}

pub fn count(reports: &[FileReport<'_>], sev: Severity) -> usize {
    reports.iter().flat_map(|r| r.diagnostics.iter()).filter(|d| d.severity == sev).count()
}

/// 1-based start and end positions of a span.
pub(crate) fn positions(idx: &LineIndex<'_>, span: crate::span::Span) -> (crate::span::LineCol, crate::span::LineCol) {
    (idx.line_col(span.start), idx.line_col(span.end))
}
