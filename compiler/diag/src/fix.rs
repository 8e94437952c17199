//! Fixes: the one clear edit that mends a diagnostic, machine-applicable.
//!
//! **Invariants:** a fix is attached only where exactly one edit is right
//! (a did-you-mean word, a unit written apart, a missing `event_time`, a
//! missing closer), so tools may apply it without asking. Its edits do not
//! overlap one another. Applying a diagnostic's fix and checking again no
//! longer raises that diagnostic (a test holds every fix to this).

use crate::span::Span;
use crate::Diagnostic;
use serde::Serialize;

/// Replace the text of `span` with `replacement` (an empty span inserts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What the fix does, as a command: "replace `amout` with `amount`".
    pub message: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn replace(message: impl Into<String>, span: Span, replacement: impl Into<String>) -> Fix {
        Fix { message: message.into(), edits: vec![Edit { span, replacement: replacement.into() }] }
    }

    pub fn insert(message: impl Into<String>, at: usize, text: impl Into<String>) -> Fix {
        Fix::replace(message, Span::new(at, at), text)
    }

    /// "replace with `word`": `word` over `span`, which must be exactly the
    /// misspelt word (the fix of every did-you-mean).
    pub fn replace_word(span: Span, word: &str) -> Fix {
        Fix::replace(format!("replace with `{word}`"), span, word)
    }
}

impl Diagnostic {
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// Help "did you mean `word`?" and the fix that writes `word` over the
    /// diagnostic's span, which must be exactly the misspelt word.
    pub fn did_you_mean(self, word: &str) -> Self {
        let fix = Fix::replace_word(self.span, word);
        self.help(format!("did you mean `{word}`?")).fix(fix)
    }
}

/// `text` with the fixes of `diagnostics` applied; a fix that overlaps one
/// applied before it (in the order given), or repeats its edit, is left
/// out, so the result never mixes two edits of the same bytes. Returns the
/// text and how many fixes were applied.
pub fn apply_fixes(text: &str, diagnostics: &[Diagnostic]) -> (String, usize) {
    // Accepted edits, tagged by fix order so inserts at one offset keep it.
    let mut edits: Vec<(usize, &Edit)> = Vec::new();
    let mut applied = 0;
    for (n, fix) in diagnostics.iter().filter_map(|d| d.fix.as_ref()).enumerate() {
        let valid =
            fix.edits.iter().all(|e| e.span.end <= text.len() && text.is_char_boundary(e.span.start) && text.is_char_boundary(e.span.end));
        // The same edit twice (two diagnostics of one cause) is made once.
        let clashes = fix.edits.iter().any(|e| edits.iter().any(|(_, a)| overlaps(a.span, e.span) || *a == e));
        if valid && !clashes {
            edits.extend(fix.edits.iter().map(|e| (n, e)));
            applied += 1;
        }
    }
    edits.sort_by_key(|(n, e)| (e.span.start, e.span.end, *n));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for (_, e) in edits {
        out.push_str(text.get(at..e.span.start).unwrap_or_default());
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    (out, applied)
}

/// Two edits touch the same bytes. Inserts at one offset do not clash (they
/// go in fix order), nor do edits that only meet; an insert strictly inside
/// a replaced range does.
fn overlaps(a: Span, b: Span) -> bool {
    a.start < b.end && b.start < a.end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(fix: Fix) -> Diagnostic {
        Diagnostic::new("E0205", Span::new(0, 0), "x").fix(fix)
    }

    #[test]
    fn applies_in_source_order_and_skips_overlaps() {
        let text = "features { amout_log = log(amout) }";
        let d = vec![
            diag(Fix::replace("a", Span::new(27, 32), "amount")),
            diag(Fix::replace("b", Span::new(11, 20), "amount_log")),
            diag(Fix::replace("c", Span::new(28, 30), "zz")),
            diag(Fix::insert("d", text.len(), "\n")),
        ];
        let (out, applied) = apply_fixes(text, &d);
        assert_eq!(out, "features { amount_log = log(amount) }\n");
        assert_eq!(applied, 3);
    }

    #[test]
    fn inserts_at_one_offset_keep_their_order() {
        let d = vec![diag(Fix::insert("inner", 3, "  }\n")), diag(Fix::insert("outer", 3, "}\n"))];
        assert_eq!(apply_fixes("a {", &d).0, "a {  }\n}\n");
    }

    #[test]
    fn the_same_edit_of_two_diagnostics_is_made_once() {
        let d = vec![diag(Fix::insert("a", 2, " event_time")), diag(Fix::insert("b", 2, " event_time"))];
        assert_eq!(apply_fixes("ts", &d), ("ts event_time".to_string(), 1));
    }

    #[test]
    fn an_edit_outside_the_text_is_not_applied() {
        let d = vec![diag(Fix::replace("x", Span::new(2, 9), "y")), diag(Fix::replace("é", Span::new(1, 2), "e"))];
        assert_eq!(apply_fixes("é", &d), ("é".to_string(), 0));
    }

    #[test]
    fn did_you_mean_sets_help_and_fix() {
        let d = Diagnostic::new("E0205", Span::new(4, 9), "unknown feature `amout`").did_you_mean("amount");
        assert_eq!(d.help.as_deref(), Some("did you mean `amount`?"));
        assert_eq!(d.fix, Some(Fix::replace("replace with `amount`", Span::new(4, 9), "amount")));
    }
}
