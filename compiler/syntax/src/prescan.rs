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

use mlspec_diag::span::Span;
use mlspec_diag::{Diagnostic, Fix};

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
    /// Bracket groups at the top level, as (open, close) offsets.
    pub top_groups: Vec<(usize, usize)>,
    /// Where statements start on their own line directly inside a top-level
    /// block: places the text can be split for parsing in parallel.
    pub block_lines: Vec<usize>,
}

fn closer(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

/// An open bracket and the layout of its line.
struct Open {
    ch: u8,
    at: usize,
    /// Indentation of the line the bracket is on.
    indent: usize,
    /// Nothing but blanks or a comment follows it on its line.
    ends_line: bool,
    /// Indentation of the first statement line inside it.
    content_indent: Option<usize>,
}

impl Open {
    /// A `{ ... }` laid out over lines with its content indented: only such
    /// blocks let the layout say where a missing or stray `}` was.
    fn laid_out(&self) -> bool {
        self.ch == b'{' && self.ends_line && self.content_indent.is_some_and(|c| c > self.indent)
    }
}

pub fn prescan(src: &str) -> Prescan {
    let bytes = src.as_bytes();
    let mut comments = Vec::new();
    let mut diagnostics = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut blanked: Vec<usize> = Vec::new();
    let mut too_deep = false;
    // Bytes of layout (a line break, indentation) rewritten in the repaired
    // text to close blocks left open: same length, so spans are unchanged.
    let mut rewritten: Vec<(usize, u8)> = Vec::new();
    let mut line_start = 0;
    // Start of the run of comment lines since the last statement line: the
    // comments (a doc comment above all) belong to the statement after them.
    let mut comments_from: Option<usize> = None;
    let mut fresh_line = true;
    let mut top_groups = Vec::new();
    let mut block_lines = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes.get(i).copied().unwrap_or(b'\n');
        if fresh_line && !matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            fresh_line = false;
            let is_comment = b == b'/' && bytes.get(i + 1) == Some(&b'/');
            if is_comment {
                comments_from.get_or_insert(line_start);
            } else if !too_deep {
                let mut layout =
                    Layout { stack: &mut stack, diagnostics: &mut diagnostics, blanked: &mut blanked, rewritten: &mut rewritten };
                layout.line(bytes, i, i - line_start, comments_from.take().unwrap_or(line_start));
                if stack.len() == 1 && b != b'}' {
                    block_lines.push(i);
                }
            }
        }
        match b {
            b'\n' => {
                line_start = i + 1;
                fresh_line = true;
                i += 1;
            }
            b'"' => {
                // As in the grammar, a string ends at its line; an unclosed
                // quote is one character and scanning goes on after it.
                let mut j = i + 1;
                let mut closed = false;
                while let Some(&c) = bytes.get(j) {
                    match c {
                        b'\\' if !matches!(bytes.get(j + 1), Some(b'\n' | b'\r') | None) => j += 2,
                        b'"' => {
                            closed = true;
                            break;
                        }
                        b'\n' | b'\r' => break,
                        _ => j += 1,
                    }
                }
                i = if closed { j + 1 } else { i + 1 };
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
                let indent = line_indent_of_line(bytes, i);
                stack.push(Open { ch: open, at: i, indent, ends_line: rest_of_line_is_empty(bytes, i + 1), content_indent: None });
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
                // A closer the layout rules already found stray is skipped.
                if blanked.last() != Some(&i) {
                    match stack.last() {
                        Some(o) if closer(o.ch) == close => {
                            let at = o.at;
                            stack.pop();
                            if stack.is_empty() {
                                top_groups.push((at, i));
                            }
                        }
                        // `[a, b}`: the wrong closer on the opener's own line is a typo.
                        // (Unless a bracket of that kind was also opened on this
                        // line: `f(x }` in a one-line block forgot the `)`.)
                        Some(o)
                            if src.get(o.at..i).is_some_and(|between| !between.contains('\n'))
                                && !stack.iter().any(|x| closer(x.ch) == close && src.get(x.at..i).is_some_and(|b| !b.contains('\n'))) =>
                        {
                            let want = closer(o.ch);
                            diagnostics.push(
                                Diagnostic::new("E0003", Span::new(i, i + 1), format!("`{}` closes a `{}`", close as char, o.ch as char))
                                    .label(Span::new(o.at, o.at + 1), "opened here")
                                    .help(format!("write `{}`", want as char)),
                            );
                            rewritten.push((i, want));
                            stack.pop();
                        }
                        Some(o) if stack.iter().any(|x| closer(x.ch) == close) => {
                            // A closer for an outer bracket: the inner one was never closed.
                            // Its closer goes right before the outer one.
                            let fix = Fix::insert(format!("add `{}`", closer(o.ch) as char), i, (closer(o.ch) as char).to_string());
                            diagnostics.push(unclosed(o.ch, o.at, Some(i)).fix(fix));
                            while let Some(x) = stack.pop() {
                                if closer(x.ch) == close {
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
    if !blanked.is_empty() || !rewritten.is_empty() {
        let mut b = repaired.into_bytes();
        for &at in &blanked {
            if let Some(c) = b.get_mut(at) {
                *c = b' ';
            }
        }
        for &(at, with) in &rewritten {
            if let Some(c) = b.get_mut(at) {
                *c = with;
            }
        }
        // Only ASCII bytes and whole 3-byte BOMs were replaced by ASCII: still UTF-8.
        repaired = String::from_utf8(b).unwrap_or_default();
    }
    if !stack.is_empty() {
        repaired.push('\n');
        for o in stack.iter().rev() {
            diagnostics.push(unclosed(o.ch, o.at, None).fix(closer_line_at_end(src, o)));
            repaired.push(closer(o.ch) as char);
            repaired.push('\n');
        }
    }
    Prescan { comments, repaired, diagnostics, too_deep, top_groups, block_lines }
}

/// The prescan's state that the layout rules update.
struct Layout<'s> {
    stack: &'s mut Vec<Open>,
    diagnostics: &'s mut Vec<Diagnostic>,
    blanked: &'s mut Vec<usize>,
    rewritten: &'s mut Vec<(usize, u8)>,
}

impl Layout<'_> {
    /// What the layout says at the first character `i` of a line, indented
    /// by `here`: a statement at or left of an open block's line means that
    /// block was left open; a `}` left of it closes an outer block, so the
    /// inner one was left open; a `}` right of its block's line while the
    /// block's content goes on after it is stray. Blocks left open are closed
    /// in the repaired text by rewriting the line break and indentation
    /// before the line at `line_start` (`\n    x` becomes `}\n   x`), so at
    /// most as many as there are such bytes: the statement's own line, or the
    /// first of the comment lines right above it, which stay with it.
    fn line(&mut self, bytes: &[u8], i: usize, here: usize, line_start: usize) {
        let is_closer = bytes.get(i) == Some(&b'}');
        if let Some(top) = self.stack.last_mut() {
            if top.content_indent.is_none() && !is_closer && top.ends_line {
                top.content_indent = Some(here);
            }
        }
        // Bytes that may be rewritten: the line break before, then the indentation.
        let mut slots: Vec<usize> = Vec::new();
        if line_start > 0 && bytes.get(line_start - 1) == Some(&b'\n') && bytes.get(line_start.wrapping_sub(2)) != Some(&b'\r') {
            slots.push(line_start - 1);
        }
        let indent_end = line_start + bytes.get(line_start..i).unwrap_or_default().iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
        slots.extend(line_start..indent_end);
        // A statement needs a line break kept after the closers; `}` does not.
        let room = if is_closer { slots.len() } else { slots.len().saturating_sub(1) };
        let mut closed = 0;
        while let Some(top) = self.stack.last() {
            let left_of_block = if is_closer { here < top.indent } else { here <= top.indent };
            if !(top.laid_out() && left_of_block && self.stack.len() >= 2 && closed < room) {
                break;
            }
            let fix = closer_line(bytes, top, line_start);
            self.diagnostics.push(unclosed(top.ch, top.at, Some(i)).fix(fix));
            self.stack.pop();
            closed += 1;
        }
        if closed > 0 {
            self.rewritten.extend(slots.iter().take(closed).map(|&at| (at, b'}')));
            if !is_closer {
                self.rewritten.extend(slots.get(closed).map(|&at| (at, b'\n')));
            }
            return;
        }
        if is_closer {
            if let Some(top) = self.stack.last() {
                let next = next_line_indent(bytes, i);
                if top.laid_out() && here > top.indent && next.is_some_and(|n| n > top.indent) {
                    self.diagnostics.push(
                        Diagnostic::new("E0003", Span::new(i, i + 1), "unmatched `}`: the block around it goes on after it")
                            .label(Span::new(top.at, top.at + 1), "the block it would close")
                            .help("remove it, or add the `{` it was meant to close"),
                    );
                    self.blanked.push(i);
                }
            }
        }
    }
}

/// Only blanks or a comment follow position `from` on its line.
fn rest_of_line_is_empty(bytes: &[u8], from: usize) -> bool {
    let rest = bytes.get(from..).unwrap_or_default();
    let line = rest.split(|&c| c == b'\n').next().unwrap_or_default();
    let start = line.iter().position(|c| !matches!(c, b' ' | b'\t' | b'\r')).unwrap_or(line.len());
    let body = line.get(start..).unwrap_or_default();
    body.is_empty() || body.starts_with(b"//")
}

/// Indentation of the next line after `at` that holds a statement or `}`.
fn next_line_indent(bytes: &[u8], at: usize) -> Option<usize> {
    let mut pos = at + bytes.get(at..)?.iter().position(|&c| c == b'\n')? + 1;
    loop {
        let line = bytes.get(pos..)?;
        let end = line.iter().position(|&c| c == b'\n').unwrap_or(line.len());
        let text = line.get(..end)?;
        let indent = text.iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
        let body = text.get(indent..).unwrap_or_default();
        if !body.is_empty() && body != b"\r" && !body.starts_with(b"//") {
            return Some(indent);
        }
        if end == line.len() {
            return None;
        }
        pos += end + 1;
    }
}

/// The indentation of the line holding `at`.
fn line_indent_of_line(bytes: &[u8], at: usize) -> usize {
    indent_bytes(bytes, at).len()
}

/// The blanks that indent the line holding `at`.
fn indent_bytes(bytes: &[u8], at: usize) -> &[u8] {
    let start = bytes.get(..at).and_then(|b| b.iter().rposition(|&c| c == b'\n')).map_or(0, |p| p + 1);
    let rest = bytes.get(start..).unwrap_or_default();
    rest.get(..rest.iter().take_while(|&&c| c == b' ' || c == b'\t').count()).unwrap_or_default()
}

/// The fix for a block left open before the line at `line_start`: its
/// closer on a line of its own, indented as the line that opened it, right
/// after the block's last line (above the blank lines before `line_start`).
fn closer_line(bytes: &[u8], open: &Open, line_start: usize) -> Fix {
    let want = closer(open.ch) as char;
    let mut at = line_start;
    while let Some(prev_start) = blank_line_before(bytes, at) {
        at = prev_start;
    }
    Fix::insert(format!("add `{want}`"), at, format!("{}{want}\n", indentation(bytes, open.at)))
}

/// The start of the line before the one starting at `line_start`, if that
/// line holds only blanks.
fn blank_line_before(bytes: &[u8], line_start: usize) -> Option<usize> {
    let end = line_start.checked_sub(1).filter(|&e| bytes.get(e) == Some(&b'\n'))?;
    let start = bytes.get(..end)?.iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1);
    let line = bytes.get(start..end)?;
    (start < line_start && line.iter().all(|c| matches!(c, b' ' | b'\t' | b'\r'))).then_some(start)
}

/// The fix for a bracket still open at the end of the text: its closer on a
/// last line of its own. Several such fixes applied together stack in order.
fn closer_line_at_end(src: &str, open: &Open) -> Fix {
    let want = closer(open.ch) as char;
    let indent = indentation(src.as_bytes(), open.at);
    let text = if src.ends_with('\n') { format!("{indent}{want}\n") } else { format!("\n{indent}{want}") };
    Fix::insert(format!("add `{want}`"), src.len(), text)
}

/// The indentation of the line holding `at`, as text (blanks are ASCII).
fn indentation(bytes: &[u8], at: usize) -> String {
    indent_bytes(bytes, at).iter().map(|&c| c as char).collect()
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
        let src = "system x {\n  model m {\n    params {\n      a 1\n  }\n}\n";
        let p = prescan(src);
        assert_eq!(p.diagnostics.len(), 1);
        let d = &p.diagnostics[0];
        assert_eq!(d.span.start, src.find("{\n      a").unwrap());
        assert_eq!(p.repaired, "system x {\n  model m {\n    params {\n      a 1}  }\n}\n");
    }

    #[test]
    fn a_block_left_open_before_its_sibling() {
        let src = "system x {\n  features {\n    a = 1\n  store {\n    b 2\n  }\n}\n";
        let p = prescan(src);
        assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
        assert_eq!(p.diagnostics[0].span.start, src.find("{\n    a").unwrap());
        assert_eq!(p.repaired, "system x {\n  features {\n    a = 1}\n store {\n    b 2\n  }\n}\n");
    }

    #[test]
    fn a_stray_closer_inside_a_block() {
        let src = "system x {\n  problem {\n    task t\n  }\n  }\n  source s {\n    kind k\n  }\n}\n";
        let p = prescan(src);
        assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
        assert_eq!(p.diagnostics[0].span.start, src.find("}\n  source").unwrap());
        // An over-indented closer of a finished block is not stray.
        let ok = "system x {\n  problem {\n    task t\n    }\n  source s {\n    kind k\n  }\n}\n";
        assert!(prescan(ok).diagnostics.is_empty());
        // Nor is anything in a file without indentation.
        let flat = "system x {\nproblem {\ntask t\n}\nsource s {\nkind k\n}\n}\n";
        assert!(prescan(flat).diagnostics.is_empty());
    }

    #[test]
    fn depth_is_bounded() {
        let p = prescan(&"(".repeat(10_000));
        assert!(p.too_deep);
        assert!(p.diagnostics.iter().any(|d| d.code == "E0004"));
    }
}
