//! Rename a named thing everywhere it is written, refusing a new name the
//! checker would reject (not an identifier, a Python keyword, or the name
//! of another thing of the same kind).

use crate::analysis::Analyzed;
use crate::convert::LineMap;
use crate::words::is_word_char;
use lsp_types::{TextEdit, Uri, WorkspaceEdit};
use mlspec_ir::vocab::is_python_reserved;
use std::collections::HashMap;

pub fn rename(doc: &Analyzed, uri: &Uri, offset: usize, new_name: &str) -> Result<Option<WorkspaceEdit>, String> {
    let Some(id) = doc.index.at(offset) else { return Ok(None) };
    let Some(def) = doc.index.defs.get(id) else { return Ok(None) };
    let starts_well = new_name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !starts_well || !new_name.chars().all(|c| c.is_ascii() && is_word_char(c)) {
        return Err(format!("`{new_name}` is not a name: use letters, digits and `_`, starting with a letter"));
    }
    if is_python_reserved(new_name) {
        return Err(format!("`{new_name}` is a Python keyword; the generated code could not use it as a name"));
    }
    let clash = doc.index.defs.iter().any(|d| d.kind == def.kind && d.parent == def.parent && d.name.eq_ignore_ascii_case(new_name));
    if clash && !def.name.eq_ignore_ascii_case(new_name) {
        return Err(format!("there is already a {} called `{new_name}`", def.kind.word()));
    }
    let map = LineMap::new(&doc.text);
    let edits: Vec<TextEdit> = doc
        .index
        .references(id, true)
        .into_iter()
        .map(|span| TextEdit { range: map.range(span), new_text: new_name.to_string() })
        .collect();
    Ok(Some(WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), edits)])), ..WorkspaceEdit::default() }))
}
