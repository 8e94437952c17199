//! The one loop that lowers a block's statements. Every block is a table of
//! [`Statement`] rows (name, whether it may repeat, the function that lowers
//! it); [`lower_block`] reports unknown statements (E0102 with "did you
//! mean"), repeats of once-only statements (E0105), and hands each other
//! statement's arguments to its row.
//!
//! **Invariant:** a block's statement names are its table's names, so a
//! name cannot be accepted without the function that lowers it; adding a
//! statement is adding one row.

use super::args::{Args, Diags};
use super::lower::PERCENTILES;
use mlspec_diag::span::Span;
use mlspec_diag::Diagnostic;
use mlspec_ir::vocab::did_you_mean;
use mlspec_syntax::ast::{Stmt, StmtKind};
use std::collections::BTreeMap;

/// Lowers one statement into the block's value `T`. The loop calls
/// [`Args::finish`] afterwards, so leftover arguments are reported once.
pub type Lower<'a, T> = fn(&mut T, &'a Stmt, &mut Args<'a>, &mut Diags);

/// Whether a statement may appear more than once in its block.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// A second one is E0105 and is not lowered.
    Once,
    Many,
}

/// The statement forms a row accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `NAME ARGS...`
    Plain,
    /// `rule EXPR`, or a bare `rule` whose expression is missing.
    Rule,
}

pub struct Statement<'a, T> {
    pub name: &'static str,
    pub repeat: Repeat,
    pub form: Form,
    pub lower: Lower<'a, T>,
}

impl<'a, T> Statement<'a, T> {
    pub const fn once(name: &'static str, lower: Lower<'a, T>) -> Self {
        Statement { name, repeat: Repeat::Once, form: Form::Plain, lower }
    }

    pub const fn many(name: &'static str, lower: Lower<'a, T>) -> Self {
        Statement { name, repeat: Repeat::Many, form: Form::Plain, lower }
    }

    pub const fn rule(lower: Lower<'a, T>) -> Self {
        Statement { name: "rule", repeat: Repeat::Many, form: Form::Rule, lower }
    }

    fn accepts(&self, stmt: &Stmt) -> bool {
        self.name == stmt.head.name
            && match (&stmt.kind, self.form) {
                (StmtKind::Plain { .. }, _) | (StmtKind::Rule(_), Form::Rule) => true,
                (StmtKind::Rule(_) | StmtKind::Assign(_) | StmtKind::Error, _) => false,
            }
    }
}

/// Reports a statement no row accepts: `(statement, block, its statement names, diags)`.
pub type Unknown = fn(&Stmt, &str, &[&'static str], &mut Diags);

/// A block: its keyword, its statements in the order docs list them, and
/// how a statement that is none of them is reported.
pub struct Block<'a, T> {
    pub name: &'static str,
    pub statements: &'a [Statement<'a, T>],
    pub unknown: Unknown,
}

impl<T> Block<'_, T> {
    pub fn names(&self) -> Vec<&'static str> {
        self.statements.iter().map(|s| s.name).collect()
    }
}

/// The statements a block held, by name, each with its first span.
#[derive(Default)]
pub struct Seen(BTreeMap<String, Span>);

impl Seen {
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// Records `stmt`; false (after E0105) for a repeat of a once-only statement.
    fn record(&mut self, stmt: &Stmt, repeat: Repeat, diags: &mut Diags) -> bool {
        match (self.0.get(&stmt.head.name), repeat) {
            (Some(prev), Repeat::Once) => {
                diags.push(
                    Diagnostic::new("E0105", stmt.head.span, format!("`{}` is given twice", stmt.head.name))
                        .label(*prev, "first given here")
                        .help("keep one of them"),
                );
                false
            }
            (Some(_), Repeat::Many) => true,
            (None, _) => {
                self.0.insert(stmt.head.name.clone(), stmt.head.span);
                true
            }
        }
    }
}

/// Lowers `body` into `target` through `block`'s table.
pub fn lower_block<'a, T>(block: &Block<'a, T>, body: &'a [Stmt], target: &mut T, diags: &mut Diags) -> Seen {
    let mut seen = Seen::default();
    for stmt in body {
        let Some(row) = block.statements.iter().find(|row| row.accepts(stmt)) else {
            (block.unknown)(stmt, block.name, &block.names(), diags);
            continue;
        };
        if !seen.record(stmt, row.repeat, diags) {
            continue;
        }
        let mut a = Args::new(stmt, diags.len());
        (row.lower)(target, stmt, &mut a, diags);
        a.finish(diags);
    }
    seen
}

/// Reports `stmt` as unknown in `block`, suggesting the nearest known one.
pub fn unknown_stmt(stmt: &Stmt, block: &str, known: &[&'static str], diags: &mut Diags) {
    if matches!(stmt.kind, StmtKind::Error) {
        return;
    }
    let name = &stmt.head.name;
    let (what, list) = match &stmt.kind {
        StmtKind::Assign(_) => ("`NAME = EXPR` definition", "feature definitions belong in `features { ... }`".to_string()),
        StmtKind::Rule(_) => ("rule", "`rule EXPR` belongs in a `model` block of `kind rules`".to_string()),
        _ => ("statement", format!("`{block}` takes: {}", known.join(", "))),
    };
    let msg = match &stmt.kind {
        StmtKind::Rule(_) => format!("a `rule` cannot appear in `{block}`"),
        _ => format!("unknown {what} `{name}` in `{block}`"),
    };
    let d = Diagnostic::new("E0102", stmt.head.span, msg);
    diags.push(match (&stmt.kind, did_you_mean(name, known.iter().copied())) {
        (StmtKind::Assign(_), _) if known.contains(&name.as_str()) => {
            d.help(format!("`{name}` is a statement, not a definition: write `{name} VALUE` without `=`"))
        }
        (StmtKind::Plain { .. }, _) if PERCENTILES.contains(&name.as_str()) && known.contains(&"latency") => {
            d.help(format!("the percentile comes after the statement name: `latency {name} ...`"))
        }
        (StmtKind::Plain { .. }, Some(s)) => d.did_you_mean(s),
        _ => d.help(list),
    });
}
