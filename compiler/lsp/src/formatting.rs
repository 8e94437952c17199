//! Whole-document formatting with the canonical formatter.

use crate::analysis::Analyzed;
use crate::convert::LineMap;
use lsp_types::{Range, TextEdit};

/// The edit that makes the document canonical (none when it already is);
/// an error, and no edit, when the text does not parse: formatting a tree
/// that recovery built would rewrite what the user meant.
pub fn format(doc: &Analyzed) -> Result<Vec<TextEdit>, String> {
    if let Some(d) = doc.analysis.diagnostics.iter().find(|d| is_syntax_error(d.code)) {
        return Err(format!("not formatted: the spec has a syntax error ({}: {})", d.code, d.message));
    }
    let formatted = mlspec_syntax::fmt::format(&doc.file, &doc.text);
    if formatted == doc.text {
        return Ok(Vec::new());
    }
    let map = LineMap::new(&doc.text);
    Ok(vec![TextEdit { range: Range::new(map.position(0), map.position(doc.text.len())), new_text: formatted }])
}

/// E0001–E0004: the text is not UTF-8, a line is not a statement, a
/// bracket is unbalanced, nesting is too deep.
fn is_syntax_error(code: &str) -> bool {
    code.starts_with("E000")
}
