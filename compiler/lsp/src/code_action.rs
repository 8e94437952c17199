//! Quick fixes: a diagnostic whose help is "did you mean `X`?" offers to
//! replace what it points at with `X`.

use crate::analysis::Analyzed;
use crate::convert::LineMap;
use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Uri, WorkspaceEdit};
use std::collections::HashMap;

pub fn code_actions(doc: &Analyzed, uri: &Uri, range: Range) -> Vec<CodeActionOrCommand> {
    let map = LineMap::new(&doc.text);
    let wanted = map.span(range);
    let diagnostics = doc.analysis.diagnostics.iter().filter(|d| d.span.start <= wanted.end && wanted.start <= d.span.end);
    let mut out = Vec::new();
    for d in diagnostics {
        let Some(suggestion) = d.help.as_deref().and_then(did_you_mean) else { continue };
        // Only a span that is the one misspelt word (or path) is replaced.
        let written = doc.slice(d.span);
        if written.is_empty() || written.contains(char::is_whitespace) || written == suggestion {
            continue;
        }
        let edit = TextEdit { range: map.range(d.span), new_text: suggestion.to_string() };
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("replace `{written}` with `{suggestion}`"),
            kind: Some(CodeActionKind::QUICKFIX),
            edit: Some(WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), vec![edit])])), ..WorkspaceEdit::default() }),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    out
}

/// `X` of a help text that is "did you mean `X`?".
fn did_you_mean(help: &str) -> Option<&str> {
    let rest = help.split_once("did you mean `")?.1;
    let (word, tail) = rest.split_once('`')?;
    tail.starts_with('?').then_some(word)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn reads_the_suggestion() {
        assert_eq!(did_you_mean("did you mean `latency`?"), Some("latency"));
        assert_eq!(did_you_mean("`x` belongs inside `y`"), None);
    }
}
