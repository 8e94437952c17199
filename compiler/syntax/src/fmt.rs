//! The canonical formatter: two-space indentation, one statement per line,
//! single spaces between arguments, comments kept where they were.
//!
//! Layout choices that carry intent are kept from the source: a block
//! written across lines stays expanded, a one-line block stays on one line
//! (unless a comment lives inside it), and one blank line is kept wherever
//! the source had one or more.
//!
//! **Invariant:** `format(format(x)) == format(x)`, and parsing the output
//! gives the same tree as the input, ignoring spans and layout
//! ([`normalized`]). Comments are never dropped: a comment inside a
//! statement that is printed on one line moves to its own line after it.
//! Callers must not format a file with syntax errors (its broken lines are
//! printed verbatim, which is safe but not canonical).

use crate::ast::*;
use mlspec_diag::span::Span;

pub fn format(file: &File, src: &str) -> String {
    let mut p = Printer { out: String::with_capacity(src.len() + 64), comments: &file.comments, next: 0, src, last_end: 0 };
    p.stmts(&file.stmts, 0, src.len());
    p.flush_comments_before(usize::MAX, 0);
    let mut out = p.out.trim_end().to_string();
    out.push('\n');
    if out.trim().is_empty() {
        return String::new();
    }
    out
}

struct Printer<'a> {
    out: String,
    comments: &'a [Comment],
    next: usize,
    src: &'a str,
    /// End of the last printed item, for blank-line detection.
    last_end: usize,
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

impl Printer<'_> {
    /// Whether the source has an empty line between `self.last_end` and `at`.
    fn blank_before(&self, at: usize) -> bool {
        self.src.get(self.last_end.min(at)..at).is_some_and(|gap| gap.replace("\r\n", "\n").matches(['\n', '\r']).count() >= 2)
    }

    fn at_line_start(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n')
    }

    fn blank_line(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("{\n") && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn flush_comments_before(&mut self, at: usize, level: usize) {
        while let Some(c) = self.comments.get(self.next) {
            if c.span.start >= at {
                break;
            }
            if !self.at_line_start() {
                self.out.push('\n');
            }
            if self.blank_before(c.span.start) {
                self.blank_line();
            }
            indent(&mut self.out, level);
            self.out.push_str(&comment_text(c));
            self.out.push('\n');
            self.last_end = c.span.end;
            self.next += 1;
        }
    }

    fn stmts(&mut self, stmts: &[Stmt], level: usize, block_end: usize) {
        for (i, s) in stmts.iter().enumerate() {
            // A trailing comment belongs to the last statement before it.
            let next_start = stmts.get(i + 1).map_or(block_end, |n| n.span.start);
            self.flush_comments_before(s.span.start, level);
            if self.blank_before(s.span.start) {
                self.blank_line();
            }
            indent(&mut self.out, level);
            self.stmt(s, level);
            self.last_end = s.span.end;
            // Comments inside a statement printed on one line go after it.
            let mut inner = Vec::new();
            while let Some(c) = self.comments.get(self.next).filter(|c| c.span.start < s.span.end) {
                inner.push(c);
                self.next += 1;
            }
            // A comment on the same line as the end of the statement trails it.
            if let Some(c) = self.comments.get(self.next) {
                let same_line = self.src.get(s.span.end..c.span.start).is_some_and(|gap| !gap.contains(['\n', '\r']));
                if same_line && c.span.start < block_end.min(next_start) {
                    self.out.push_str("  ");
                    self.out.push_str(&comment_text(c));
                    self.last_end = c.span.end;
                    self.next += 1;
                }
            }
            self.out.push('\n');
            for c in inner {
                indent(&mut self.out, level);
                self.out.push_str(&comment_text(c));
                self.out.push('\n');
            }
        }
        self.flush_comments_before(block_end, level);
    }

    fn stmt(&mut self, s: &Stmt, level: usize) {
        self.out.push_str(&s.head.name);
        match &s.kind {
            StmtKind::Plain { colon, args } => {
                if *colon {
                    self.out.push(':');
                }
                for a in args {
                    self.out.push(' ');
                    self.term(a, level);
                }
            }
            StmtKind::Assign(e) => {
                self.out.push_str(" = ");
                expr(&mut self.out, e);
            }
            StmtKind::Rule(e) => {
                self.out.push(' ');
                expr(&mut self.out, e);
            }
            StmtKind::Error => {
                self.out.truncate(self.out.len() - s.head.name.len());
                self.out.push_str(self.src.get(s.span.start..s.span.end).unwrap_or("").trim_end());
            }
        }
    }

    fn has_comment_in(&self, span: Span) -> bool {
        self.comments.get(self.next..).unwrap_or_default().iter().any(|c| c.span.start > span.start && c.span.start < span.end)
    }

    fn term(&mut self, t: &Term, level: usize) {
        match &t.kind {
            TermKind::Block(b) => {
                if b.stmts.is_empty() && !self.has_comment_in(t.span) {
                    self.out.push_str("{}");
                } else if b.multiline || self.has_comment_in(t.span) {
                    self.out.push_str("{\n");
                    self.last_end = t.span.start + 1;
                    self.stmts(&b.stmts, level + 1, t.span.end.saturating_sub(1));
                    indent(&mut self.out, level);
                    self.out.push('}');
                } else {
                    let sep = if b.stmts.iter().all(|s| matches!(s.kind, StmtKind::Plain { colon: true, .. })) { ", " } else { "; " };
                    self.out.push_str("{ ");
                    for (i, s) in b.stmts.iter().enumerate() {
                        if i > 0 {
                            self.out.push_str(sep);
                        }
                        self.stmt(s, level);
                    }
                    self.out.push_str(" }");
                }
            }
            _ => inline_term(&mut self.out, t),
        }
    }
}

fn comment_text(c: &Comment) -> String {
    let body = c.text.trim_end();
    if c.doc {
        format!("///{body}")
    } else {
        format!("//{body}")
    }
}

/// A term that holds no block (blocks inside calls and lists print inline).
fn inline_term(out: &mut String, t: &Term) {
    match &t.kind {
        TermKind::Quantity(q) | TermKind::Money(q) => out.push_str(&q.raw),
        TermKind::Str(s) => string(out, s),
        TermKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        TermKind::Path(p) => out.push_str(&path_text(p)),
        TermKind::AtName { name, k } => {
            out.push_str(name);
            out.push('@');
            out.push_str(&k.to_string());
        }
        TermKind::Call(c) => {
            out.push_str(&c.name.name);
            enclosed(out, "(", &c.args, ")", |out, a| {
                named_arg(out, a.name.as_ref());
                inline_term(out, &a.value);
            });
        }
        TermKind::List(items) => enclosed(out, "[", items, "]", inline_term),
        TermKind::Range(a, b) => {
            inline_term(out, a);
            out.push_str("..");
            inline_term(out, b);
        }
        TermKind::Block(b) => {
            out.push_str("{ ");
            for (i, s) in b.stmts.iter().enumerate() {
                if i > 0 {
                    out.push_str("; ");
                }
                out.push_str(&s.head.name);
                if let StmtKind::Plain { colon, args } = &s.kind {
                    if *colon {
                        out.push(':');
                    }
                    for a in args {
                        out.push(' ');
                        inline_term(out, a);
                    }
                }
            }
            out.push_str(" }");
        }
        TermKind::Cmp(c) => out.push_str(c.as_str()),
        TermKind::Slash => out.push('/'),
    }
}

/// `open` items separated by `, ` `close`: the shape of calls and lists.
fn enclosed<T>(out: &mut String, open: &str, items: &[T], close: &str, mut each: impl FnMut(&mut String, &T)) {
    out.push_str(open);
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        each(out, x);
    }
    out.push_str(close);
}

fn named_arg(out: &mut String, name: Option<&Ident>) {
    if let Some(n) = name {
        out.push_str(&n.name);
        out.push_str(": ");
    }
}

fn string(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string()));
}

fn expr(out: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Quantity(q) | ExprKind::Money(q) => out.push_str(&q.raw),
        ExprKind::Str(s) => string(out, s),
        ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ExprKind::Path(p) => out.push_str(&path_text(p)),
        ExprKind::Call { name, args } => {
            out.push_str(&name.name);
            enclosed(out, "(", args, ")", |out, a| {
                named_arg(out, a.name.as_ref());
                expr(out, &a.value);
            });
        }
        ExprKind::List(items) => enclosed(out, "[", items, "]", expr),
        ExprKind::Paren(x) => {
            out.push('(');
            expr(out, x);
            out.push(')');
        }
        ExprKind::Unary(UnaryOp::Not, x) => {
            out.push_str("not ");
            expr(out, x);
        }
        ExprKind::Unary(UnaryOp::Neg, x) => {
            out.push('-');
            expr(out, x);
        }
        ExprKind::Binary(op, l, r) => {
            expr(out, l);
            out.push(' ');
            out.push_str(op.as_str());
            out.push(' ');
            expr(out, r);
        }
        ExprKind::Error => {}
    }
}

/// The tree with spans zeroed and layout flags cleared: what `fmt` must
/// preserve. Comments compare by text and kind.
pub fn normalized(file: &File) -> File {
    fn span0() -> Span {
        Span::default()
    }
    fn ident(i: &Ident) -> Ident {
        Ident { name: i.name.clone(), span: span0() }
    }
    fn term(t: &Term) -> Term {
        let kind = match &t.kind {
            TermKind::Path(p) => TermKind::Path(p.iter().map(ident).collect()),
            TermKind::Call(c) => TermKind::Call(Call {
                name: ident(&c.name),
                args: c.args.iter().map(|a| CallArg { name: a.name.as_ref().map(ident), value: term(&a.value) }).collect(),
            }),
            TermKind::List(items) => TermKind::List(items.iter().map(term).collect()),
            TermKind::Range(a, b) => TermKind::Range(Box::new(term(a)), Box::new(term(b))),
            TermKind::Block(b) => TermKind::Block(Block { stmts: b.stmts.iter().map(stmt).collect(), multiline: false }),
            other => other.clone(),
        };
        Term { kind, span: span0() }
    }
    fn ex(e: &Expr) -> Expr {
        let kind = match &e.kind {
            ExprKind::Path(p) => ExprKind::Path(p.iter().map(ident).collect()),
            ExprKind::Call { name, args } => ExprKind::Call {
                name: ident(name),
                args: args.iter().map(|a| ExprArg { name: a.name.as_ref().map(ident), value: ex(&a.value) }).collect(),
            },
            ExprKind::List(items) => ExprKind::List(items.iter().map(ex).collect()),
            ExprKind::Paren(x) => ExprKind::Paren(Box::new(ex(x))),
            ExprKind::Unary(op, x) => ExprKind::Unary(*op, Box::new(ex(x))),
            ExprKind::Binary(op, l, r) => ExprKind::Binary(*op, Box::new(ex(l)), Box::new(ex(r))),
            other => other.clone(),
        };
        Expr { kind, span: span0() }
    }
    fn stmt(s: &Stmt) -> Stmt {
        let kind = match &s.kind {
            StmtKind::Plain { colon, args } => StmtKind::Plain { colon: *colon, args: args.iter().map(term).collect() },
            StmtKind::Assign(e) => StmtKind::Assign(ex(e)),
            StmtKind::Rule(e) => StmtKind::Rule(ex(e)),
            StmtKind::Error => StmtKind::Error,
        };
        Stmt { head: ident(&s.head), kind, span: span0(), doc: s.doc.clone() }
    }
    File {
        stmts: file.stmts.iter().map(stmt).collect(),
        comments: file.comments.iter().map(|c| Comment { span: span0(), text: c.text.trim_end().to_string(), doc: c.doc }).collect(),
    }
}
