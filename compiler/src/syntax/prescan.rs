//! A linear pass over the raw text before pest sees it.
//!
//! It finds comments (for `fmt` and doc comments), checks that brackets
//! balance and do not nest too deeply, and repairs the text so that the
//! grammar's per-statement recovery works: an unmatched closer becomes a
//! blank, a missing closer is appended at the end.
//!
//! **Invariant:** the repaired text has the original as a prefix up to
//! byte-for-byte replacement of unmatched closers by spaces, so every span
//! into it is a span into the original (spans past the end are clamped).
//! **Invariant:** when `too_deep` is set, nothing recursive may run on the
//! text: the parser's stack use is bounded by `MAX_DEPTH`.

use crate::diagnostics::Diagnostic;
use crate::span::Span;

/// Deepest bracket nesting the parser accepts. Real specs nest about 4 deep.
pub const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    /// The text after `//` (or `///`), without the line break.
    pub text: String,
    pub doc: bool,
}

pub struct Prescan {
    pub comments: Vec<Comment>,
    pub repaired: String,
    pub diagnostics: Vec<Diagnostic>,
    pub too_deep: bool,
}

fn closer(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

pub fn prescan(src: &str) -> Prescan {
    let bytes = src.as_bytes();
    let mut comments = Vec::new();
    let mut diagnostics = Vec::new();
    let mut stack: Vec<(u8, usize)> = Vec::new();
    let mut blanked: Vec<usize> = Vec::new();
    let mut too_deep = false;
    // Blanks of indentation that become `}` in the repaired text.
    let mut closed_early: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes.get(i).copied().unwrap_or(b'\n') {
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    match c {
                        b'\\' => i += 2,
                        b'"' => break,
                        b'\n' => {
                            i -= 1; // leave the newline to the outer loop
                            break;
                        }
                        _ => i += 1,
                    }
                }
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                // A comment ends at any line break the grammar knows (`\n`, `\r`).
                let end = src.get(i..).and_then(|rest| rest.find(['\n', '\r'])).map_or(src.len(), |n| i + n);
                let doc = bytes.get(i + 2) == Some(&b'/') && bytes.get(i + 3) != Some(&b'/');
                let body_start = if doc { i + 3 } else { i + 2 };
                let text = src.get(body_start..end).unwrap_or("").trim_end_matches('\r').to_string();
                comments.push(Comment { span: Span::new(i, end), text, doc });
                i = end;
            }
            open @ (b'(' | b'[' | b'{') => {
                stack.push((open, i));
                if stack.len() > MAX_DEPTH && !too_deep {
                    too_deep = true;
                    diagnostics.push(
                        Diagnostic::new("E0004", Span::new(i, i + 1), format!("brackets nest more than {MAX_DEPTH} deep"))
                            .help("flatten the structure: no mlspec construct needs this depth"),
                    );
                }
                i += 1;
            }
            close @ (b')' | b']' | b'}') => {
                // A `}` that starts its line, indented less than the line of
                // the innermost open `{`, closes an outer block: that `{` was
                // left open. Close it in the repaired text by turning a blank
                // of the indentation into `}` (same length, spans unchanged).
                if close == b'}' {
                    if let Some(here) = line_indent(bytes, i) {
                        let mut k = 0;
                        while let Some(&(b'{', at)) = stack.last() {
                            if stack.len() < 2 || k >= here || line_indent_of_line(bytes, at) <= here {
                                break;
                            }
                            diagnostics.push(unclosed(b'{', at, Some(i)));
                            stack.pop();
                            k += 1;
                            closed_early.push(i - k);
                        }
                    }
                }
                match stack.last() {
                    Some(&(open, _)) if closer(open) == close => {
                        stack.pop();
                    }
                    Some(&(open, at)) if stack.iter().any(|&(o, _)| closer(o) == close) => {
                        // A closer for an outer bracket: the inner one was never closed.
                        diagnostics.push(unclosed(open, at, Some(i)));
                        while let Some((o, _)) = stack.pop() {
                            if closer(o) == close {
                                break;
                            }
                        }
                    }
                    _ => {
                        diagnostics.push(
                            Diagnostic::new("E0003", Span::new(i, i + 1), format!("unmatched `{}`", close as char))
                                .help("remove it, or add the opening bracket it belongs to"),
                        );
                        blanked.push(i);
                    }
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    let mut repaired = String::with_capacity(src.len() + stack.len() + 1);
    repaired.push_str(src);
    // Byte-order marks become blanks (three bytes, three spaces).
    let mut start = 0;
    while let Some(i) = src.get(start..).and_then(|r| r.find('\u{FEFF}')) {
        blanked.extend([start + i, start + i + 1, start + i + 2]);
        start += i + 3;
    }
    if !blanked.is_empty() || !closed_early.is_empty() {
        let mut b = repaired.into_bytes();
        for &at in &blanked {
            if let Some(c) = b.get_mut(at) {
                *c = b' ';
            }
        }
        for &at in &closed_early {
            if let Some(c) = b.get_mut(at) {
                *c = b'}';
            }
        }
        // Whole characters (ASCII closers, 3-byte BOMs) became spaces: still UTF-8.
        repaired = String::from_utf8(b).unwrap_or_default();
    }
    if !stack.is_empty() {
        repaired.push('\n');
        for &(open, at) in stack.iter().rev() {
            diagnostics.push(unclosed(open, at, None));
            repaired.push(closer(open) as char);
            repaired.push('\n');
        }
    }
    Prescan { comments, repaired, diagnostics, too_deep }
}

/// The indentation of the line holding `at`, if `at` is its first non-blank.
fn line_indent(bytes: &[u8], at: usize) -> Option<usize> {
    let start = bytes.get(..at)?.iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1);
    let before = bytes.get(start..at)?;
    before.iter().all(|&c| c == b' ' || c == b'\t').then_some(before.len())
}

/// The indentation of the line holding `at`.
fn line_indent_of_line(bytes: &[u8], at: usize) -> usize {
    let start = bytes.get(..at).and_then(|b| b.iter().rposition(|&c| c == b'\n')).map_or(0, |p| p + 1);
    bytes.get(start..).map_or(0, |rest| rest.iter().take_while(|&&c| c == b' ' || c == b'\t').count())
}

fn unclosed(open: u8, at: usize, found: Option<usize>) -> Diagnostic {
    let want = closer(open) as char;
    let d =
        Diagnostic::new("E0003", Span::new(at, at + 1), format!("unclosed `{}`", open as char)).help(format!("add the matching `{want}`"));
    match found {
        Some(f) => d.label(Span::new(f, f + 1), format!("expected `{want}` before this")),
        None => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_comments_outside_strings() {
        let p = prescan("/// doc\na \"//no\" // yes\n");
        let texts: Vec<_> = p.comments.iter().map(|c| (c.text.as_str(), c.doc)).collect();
        assert_eq!(texts, vec![(" doc", true), (" yes", false)]);
    }

    #[test]
    fn repairs_unbalanced_brackets() {
        let p = prescan("a { b ( }\n)");
        assert_eq!(p.diagnostics.len(), 2);
        assert!(p.repaired.starts_with("a { b ( }\n "));
        let p = prescan("a {\n");
        assert_eq!(p.repaired, "a {\n\n}\n");
    }

    #[test]
    fn indentation_finds_the_block_left_open() {
        let src = "system x {\n  model m {\n    params { a 1\n  }\n}\n";
        let p = prescan(src);
        assert_eq!(p.diagnostics.len(), 1);
        let d = &p.diagnostics[0];
        assert_eq!(d.span.start, src.find("{ a").unwrap());
        assert_eq!(p.repaired, "system x {\n  model m {\n    params { a 1\n }}\n}\n");
    }

    #[test]
    fn depth_is_bounded() {
        let p = prescan(&"(".repeat(10_000));
        assert!(p.too_deep);
        assert!(p.diagnostics.iter().any(|d| d.code == "E0004"));
    }
}
