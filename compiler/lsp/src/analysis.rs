//! One document's text with everything the requests read: the syntax tree,
//! the checker's analysis (draft design and diagnostics) and the symbol index.

use crate::index::Index;
use mlspec_check::Analysis;
use mlspec_diag::Span;
use mlspec_syntax::ast::File;

pub struct Analyzed {
    pub text: String,
    pub file: File,
    pub analysis: Analysis,
    pub index: Index,
}

impl Analyzed {
    pub fn new(text: String) -> Self {
        let parsed = mlspec_syntax::parse(&text);
        let analysis = mlspec_check::check_parsed(&parsed);
        let index = Index::build(&parsed.file);
        Analyzed { text, file: parsed.file, analysis, index }
    }

    /// The text of `span`, empty when it is not a span of this text.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// The first line of `span`'s text, trimmed: a statement's declaration line.
    pub fn first_line(&self, span: Span) -> &str {
        self.slice(span).lines().next().unwrap_or("").trim()
    }
}
