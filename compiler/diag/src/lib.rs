//! The one diagnostic model of mlspec, and its renderers.
//!
//! **Invariant:** every diagnostic carries a code registered in [`codes`];
//! errors are `E0xxx`, warnings `W0xxx`, and the severity follows the code.
//! Messages are lowercase without a trailing period; help says what to write.

pub mod codes;
mod fix;
pub mod render;
pub mod span;

pub use fix::{apply_fixes, Edit, Fix};
use serde::Serialize;
pub use span::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// The one clear, machine-applicable fix, when there is one.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A diagnostic whose severity follows its code (`W...` is a warning).
    pub fn new(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        let severity = if code.starts_with('W') { Severity::Warning } else { Severity::Error };
        Diagnostic { code, severity, message: message.into(), span, labels: Vec::new(), help: None, fix: None }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Diagnostics in source order (then by code), the order every renderer uses.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| (a.span.start, a.span.end, a.code, &a.message).cmp(&(b.span.start, b.span.end, b.code, &b.message)));
}

impl Diagnostic {
    /// The same diagnostic under another code (severity follows the code).
    pub fn with_code(self, code: &'static str) -> Self {
        let mut d = Diagnostic::new(code, self.span, self.message);
        d.labels = self.labels;
        d.help = self.help;
        d.fix = self.fix;
        d
    }
}
