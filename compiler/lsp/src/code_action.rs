//! Quick fixes: each diagnostic under the cursor that has a fix (the
//! checker's machine-applicable edit, the same one `check --fix` applies
//! and `check --format json` lists) offers it as a code action.

use crate::analysis::Analyzed;
use crate::convert::LineMap;
use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Uri, WorkspaceEdit};
use std::collections::HashMap;

pub fn code_actions(doc: &Analyzed, uri: &Uri, range: Range) -> Vec<CodeActionOrCommand> {
    let map = LineMap::new(&doc.text);
    let wanted = map.span(range);
    let diagnostics = doc.analysis.diagnostics.iter().filter(|d| d.span.start <= wanted.end && wanted.start <= d.span.end);
    let mut out = Vec::new();
    let mut offered = Vec::new();
    for d in diagnostics {
        let Some(fix) = &d.fix else { continue };
        // Two diagnostics of one cause (two window features, one missing
        // `event_time`) offer their one fix once.
        if offered.contains(&&fix.edits) {
            continue;
        }
        offered.push(&fix.edits);
        let edits: Vec<TextEdit> =
            fix.edits.iter().map(|e| TextEdit { range: map.range(e.span), new_text: e.replacement.clone() }).collect();
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: fix.message.clone(),
            kind: Some(CodeActionKind::QUICKFIX),
            edit: Some(WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), edits)])), ..WorkspaceEdit::default() }),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    out
}
