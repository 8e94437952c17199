//! Moving every span of a subtree by an offset: statements parsed from a
//! slice of the text get the spans they have in the whole text.

use crate::ast::{Expr, ExprKind, Ident, Stmt, StmtKind, Term, TermKind};
use mlspec_diag::span::Span;
use mlspec_diag::Diagnostic;

fn span(s: &mut Span, by: usize) {
    *s = Span::new(s.start + by, s.end + by);
}

fn ident(i: &mut Ident, by: usize) {
    span(&mut i.span, by);
}

pub fn stmt(s: &mut Stmt, by: usize) {
    span(&mut s.span, by);
    ident(&mut s.head, by);
    match &mut s.kind {
        StmtKind::Plain { args, .. } => args.iter_mut().for_each(|t| term(t, by)),
        StmtKind::Assign(e) | StmtKind::Rule(e) => expr(e, by),
        StmtKind::Error => {}
    }
}

fn term(t: &mut Term, by: usize) {
    span(&mut t.span, by);
    match &mut t.kind {
        TermKind::Path(p) => p.iter_mut().for_each(|i| ident(i, by)),
        TermKind::Call(c) => {
            ident(&mut c.name, by);
            for a in &mut c.args {
                if let Some(n) = &mut a.name {
                    ident(n, by);
                }
                term(&mut a.value, by);
            }
        }
        TermKind::List(items) => items.iter_mut().for_each(|x| term(x, by)),
        TermKind::Range(a, b) => {
            term(a, by);
            term(b, by);
        }
        TermKind::Block(b) => b.stmts.iter_mut().for_each(|s| stmt(s, by)),
        TermKind::Quantity(_) | TermKind::Money(_) | TermKind::Str(_) | TermKind::Bool(_) | TermKind::AtName { .. } => {}
        TermKind::Cmp(_) | TermKind::Slash => {}
    }
}

fn expr(e: &mut Expr, by: usize) {
    span(&mut e.span, by);
    match &mut e.kind {
        ExprKind::Path(p) => p.iter_mut().for_each(|i| ident(i, by)),
        ExprKind::Call { name, args } => {
            ident(name, by);
            for a in args {
                if let Some(n) = &mut a.name {
                    ident(n, by);
                }
                expr(&mut a.value, by);
            }
        }
        ExprKind::List(items) => items.iter_mut().for_each(|x| expr(x, by)),
        ExprKind::Paren(x) | ExprKind::Unary(_, x) => expr(x, by),
        ExprKind::Binary(_, l, r) => {
            expr(l, by);
            expr(r, by);
        }
        ExprKind::Quantity(_) | ExprKind::Money(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Error => {}
    }
}

pub fn diagnostic(d: &mut Diagnostic, by: usize) {
    span(&mut d.span, by);
    for l in &mut d.labels {
        span(&mut l.span, by);
    }
}
