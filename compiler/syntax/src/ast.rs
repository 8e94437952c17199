//! The syntax tree: what was written, with spans, before any meaning.
//!
//! The surface is uniform (a statement is a name and arguments), so the tree
//! is small; the analysis gives statements their meaning and builds the
//! [`mlspec_ir`]. Literals are already typed here: a quantity knows its unit.
//!
//! **Invariant:** every node has the span of the text it came from; nodes
//! built by recovery (`StmtKind::Error`, `ExprKind::Error`) span the bad text.
//! **Invariant:** expression trees are at most `syntax::MAX_EXPR_DEPTH` deep,
//! so recursive walks over them cannot exhaust the stack.

pub use crate::prescan::Comment;
use mlspec_diag::span::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub stmts: Vec<Stmt>,
    /// Every `//` and `///` comment, in source order.
    pub comments: Vec<Comment>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub head: Ident,
    pub kind: StmtKind,
    pub span: Span,
    /// The `///` lines directly above the statement.
    pub doc: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `name arg arg ...` or `name: arg ...` (an entry of a schema or mix).
    Plain { colon: bool, args: Vec<Term> },
    /// `name = expr`: a feature definition.
    Assign(Expr),
    /// `rule expr`: a rule of a rules model.
    Rule(Expr),
    /// Text that is not a statement; its diagnostic was already reported.
    Error,
}

impl Stmt {
    pub fn args(&self) -> &[Term] {
        match &self.kind {
            StmtKind::Plain { args, .. } => args,
            _ => &[],
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    pub kind: TermKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TermKind {
    Quantity(Quantity),
    Money(Quantity),
    Str(String),
    Bool(bool),
    /// `a` or `a.b.c`.
    Path(Vec<Ident>),
    /// `ndcg@10`.
    AtName {
        name: String,
        k: u32,
    },
    Call(Call),
    List(Vec<Term>),
    Range(Box<Term>, Box<Term>),
    Block(Block),
    Cmp(CmpOp),
    Slash,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub name: Ident,
    pub args: Vec<CallArg>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CallArg {
    pub name: Option<Ident>,
    pub value: Term,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    /// Written with a line break after `{`: `fmt` keeps such blocks expanded.
    pub multiline: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }
}

/// A number with its unit, as written: `-30%` is `{ number: -30, unit: Percent }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    pub number: f64,
    pub unit: Unit,
    /// The source text, so formatting never rewrites a number.
    pub raw: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    None,
    Percent,
    Times,
    Count(CountSuffix),
    Duration(DurationUnit),
    Size(SizeUnit),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CountSuffix {
    K,
    M,
    B,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    Us,
    Ms,
    S,
    Min,
    H,
    D,
    W,
    Y,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SizeUnit {
    Kb,
    Mb,
    Gb,
    Tb,
}

impl CountSuffix {
    pub fn factor(self) -> f64 {
        match self {
            CountSuffix::K => 1e3,
            CountSuffix::M => 1e6,
            CountSuffix::B => 1e9,
        }
    }
}

impl DurationUnit {
    /// Seconds in one unit (a year is 365 days).
    pub fn seconds(self) -> f64 {
        match self {
            DurationUnit::Us => 1e-6,
            DurationUnit::Ms => 1e-3,
            DurationUnit::S => 1.0,
            DurationUnit::Min => 60.0,
            DurationUnit::H => 3600.0,
            DurationUnit::D => 86_400.0,
            DurationUnit::W => 7.0 * 86_400.0,
            DurationUnit::Y => 365.0 * 86_400.0,
        }
    }
}

impl SizeUnit {
    pub fn bytes(self) -> f64 {
        match self {
            SizeUnit::Kb => 1e3,
            SizeUnit::Mb => 1e6,
            SizeUnit::Gb => 1e9,
            SizeUnit::Tb => 1e12,
        }
    }
}

impl Quantity {
    /// A plain count: the number times its count suffix (`86M` -> 86e6).
    pub fn count(&self) -> Option<f64> {
        match self.unit {
            Unit::None => Some(self.number),
            Unit::Count(s) => Some(self.number * s.factor()),
            _ => None,
        }
    }

    pub fn seconds(&self) -> Option<f64> {
        match self.unit {
            Unit::Duration(u) => Some(self.number * u.seconds()),
            _ => None,
        }
    }

    /// A fraction: `20%` -> 0.2. Bare numbers are not fractions here.
    pub fn percent_fraction(&self) -> Option<f64> {
        match self.unit {
            Unit::Percent => Some(self.number / 100.0),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Quantity(Quantity),
    Money(Quantity),
    Str(String),
    Bool(bool),
    Path(Vec<Ident>),
    Call { name: Ident, args: Vec<ExprArg> },
    List(Vec<Expr>),
    Paren(Box<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExprArg {
    pub name: Option<Ident>,
    pub value: Expr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Or,
    And,
    Cmp(CmpOp),
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Cmp(c) => c.as_str(),
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }
}

/// Dotted path as written: `a.b`.
pub fn path_text(parts: &[Ident]) -> String {
    let mut s = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            s.push('.');
        }
        s.push_str(&p.name);
    }
    s
}
