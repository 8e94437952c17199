//! Text to syntax tree: prescan, the pest grammar, conversion, recovery.
//!
//! **Invariant:** `parse` never fails and never panics: it returns the tree it
//! could build and every syntax diagnostic. pest types stay in this module.

mod convert;
pub(crate) mod literal;
pub mod prescan;

use crate::ast::File;
use crate::diagnostics::Diagnostic;
use crate::span::Span;

/// Deepest expression tree the converter builds; deeper ones become errors.
pub const MAX_EXPR_DEPTH: usize = 128;

#[derive(pest_derive::Parser)]
#[grammar = "syntax/mlspec.pest"]
struct MlspecParser;

pub struct Parsed {
    pub file: File,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses a source text into a syntax tree plus syntax diagnostics.
pub fn parse(src: &str) -> Parsed {
    let pre = prescan::prescan(src);
    let mut diagnostics = pre.diagnostics;
    if pre.too_deep {
        return Parsed { file: File { stmts: Vec::new(), comments: pre.comments }, diagnostics };
    }
    let stmts = convert::convert_file(&pre.repaired, src.len(), &mut diagnostics);
    let mut file = File { stmts, comments: pre.comments };
    convert::attach_docs(&mut file, src);
    Parsed { file, diagnostics }
}

/// Parses raw bytes: input that is not UTF-8 is one diagnostic at the first
/// bad byte, and nothing else is reported.
pub fn parse_bytes(bytes: &[u8]) -> Parsed {
    match std::str::from_utf8(bytes) {
        Ok(src) => parse(src),
        Err(e) => {
            let at = e.valid_up_to();
            let d = Diagnostic::new("E0001", Span::new(at, at + 1), format!("the file is not UTF-8 text (bad byte at offset {at})"))
                .help("save the spec as UTF-8 text; binary files are not specs");
            Parsed { file: File { stmts: Vec::new(), comments: Vec::new() }, diagnostics: vec![d] }
        }
    }
}
