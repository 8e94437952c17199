//! rustc-style text: header, location, the source line with a caret under
//! the span, labels, and help.

use super::{count, positions, FileReport};
use crate::span::{LineIndex, Span};
use crate::{Diagnostic, Severity};
use std::fmt::Write;

/// Whether to colour the output (the CLI decides: terminal and no NO_COLOR).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    Color,
}

struct Paint(Style);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        match self.0 {
            Style::Plain => s.to_string(),
            Style::Color => format!("\x1b[{code}m{s}\x1b[0m"),
        }
    }
    fn sev(&self, sev: Severity, s: &str) -> String {
        self.wrap(if sev == Severity::Error { "1;31" } else { "1;33" }, s)
    }
    fn blue(&self, s: &str) -> String {
        self.wrap("1;34", s)
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
}

/// Longest stretch of a line shown; longer lines are cut around the span.
const MAX_SHOWN: usize = 120;

pub fn render_human(reports: &[FileReport<'_>], style: Style) -> String {
    let p = Paint(style);
    let mut out = String::new();
    for r in reports {
        let idx = LineIndex::new(r.source);
        for d in r.diagnostics {
            render_one(&mut out, &p, r.path, &idx, d);
        }
    }
    let (e, w) = (count(reports, Severity::Error), count(reports, Severity::Warning));
    if e + w > 0 {
        let plural = |n: usize, s: &str| {
            if n == 1 {
                format!("1 {s}")
            } else {
                format!("{n} {s}s")
            }
        };
        let _ = writeln!(out, "{}", p.bold(&format!("{}, {}", plural(e, "error"), plural(w, "warning"))));
    }
    out
}

fn render_one(out: &mut String, p: &Paint, path: &str, idx: &LineIndex<'_>, d: &Diagnostic) {
    let (start, end) = positions(idx, d.span);
    let gutter = end
        .line
        .max(start.line)
        .to_string()
        .len()
        .max(d.labels.iter().map(|l| idx.line_col(l.span.start).line.to_string().len()).max().unwrap_or(1));
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{}{}", p.sev(d.severity, &format!("{}[{}]", d.severity.as_str(), d.code)), p.bold(&format!(": {}", d.message)));
    let _ = writeln!(out, "{pad}{} {path}:{}:{}", p.blue("-->"), start.line, start.column);
    let _ = writeln!(out, "{pad} {}", p.blue("|"));
    snippet(out, p, idx, d.span, '^', "", d.severity, gutter, true);
    let mut last_line = start.line;
    for l in &d.labels {
        let line = idx.line_col(l.span.start).line;
        // Elide only a gap: the next line down follows directly.
        if line != last_line && line != last_line + 1 {
            let _ = writeln!(out, "{}", p.blue("..."));
        }
        // A label on the line just shown only adds its marks.
        snippet(out, p, idx, l.span, '-', &l.message, d.severity, gutter, line != last_line);
        last_line = line;
    }
    if let Some(h) = &d.help {
        let _ = writeln!(out, "{pad} {}", p.blue("|"));
        let _ = writeln!(out, "{pad} {} {}", p.blue("="), p.bold(&format!("help: {h}")));
    }
    out.push('\n');
}

#[allow(clippy::too_many_arguments)]
fn snippet(
    out: &mut String,
    p: &Paint,
    idx: &LineIndex<'_>,
    span: Span,
    mark: char,
    msg: &str,
    sev: Severity,
    gutter: usize,
    show_line: bool,
) {
    let start = idx.line_col(span.start);
    let end = idx.line_col(span.end);
    let line: Vec<char> = idx.line_text(start.line).chars().map(|c| if c == '\t' || c.is_control() { ' ' } else { c }).collect();
    let col0 = start.column.saturating_sub(1);
    let width =
        if end.line == start.line { end.column.saturating_sub(start.column).max(1) } else { line.len().saturating_sub(col0).max(1) };
    // Window long lines around the span.
    let (from, prefix) = if line.len() > MAX_SHOWN && col0 > MAX_SHOWN / 2 { (col0 - MAX_SHOWN / 2, "...") } else { (0, "") };
    let to = (from + MAX_SHOWN).min(line.len());
    let suffix = if to < line.len() { "..." } else { "" };
    let shown: String = line.get(from..to).map(|s| s.iter().collect()).unwrap_or_default();
    let caret_col = prefix.len() + col0 - from;
    let width = width.min(MAX_SHOWN);
    let num = format!("{:>gutter$}", start.line);
    if show_line {
        let _ = writeln!(out, "{} {prefix}{shown}{suffix}", p.blue(&format!("{num} |")));
    }
    let marks: String = std::iter::repeat_n(mark, width).collect();
    let under = format!("{}{}", " ".repeat(caret_col), marks);
    let under = if mark == '^' { p.sev(sev, &under) } else { p.blue(&under) };
    let msg = if msg.is_empty() { String::new() } else { format!(" {}", if mark == '^' { p.sev(sev, msg) } else { p.blue(msg) }) };
    let _ = writeln!(out, "{} {} {under}{msg}", " ".repeat(gutter), p.blue("|"));
}
