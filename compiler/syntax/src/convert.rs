//! pest pairs to the syntax tree, one `conv_<construct>` per rule, plus the
//! recovery for lines that are not statements.

use super::{literal, MlspecParser, Rule, MAX_EXPR_DEPTH};
use crate::ast::*;
use mlspec_diag::span::Span;
use mlspec_diag::{Diagnostic, Fix};
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser;
use std::sync::OnceLock;

type Diags = Vec<Diagnostic>;

fn span_of(p: &Pair<'_, Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

pub fn convert_file(text: &str, src_len: usize, diags: &mut Diags) -> Vec<Stmt> {
    match MlspecParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let inner = pairs.next().map(|f| f.into_inner());
            inner.map_or_else(Vec::new, |inner| conv_stmts(inner, text, diags))
        }
        // The prescan balanced the brackets and `bad_stmt` takes any line, so
        // this is unreachable in practice; still, report rather than panic.
        Err(e) => {
            diags.push(syntax_error(&e, text, 0, src_len));
            Vec::new()
        }
    }
}

/// The statements of `text`, a slice of a block's body (no braces).
pub fn convert_block_body(text: &str, diags: &mut Diags) -> Option<Vec<Stmt>> {
    let mut pairs = MlspecParser::parse(Rule::block_body, text).ok()?;
    let inner = pairs.next()?.into_inner();
    Some(conv_stmts(inner, text, diags))
}

fn conv_stmts(pairs: Pairs<'_, Rule>, text: &str, diags: &mut Diags) -> Vec<Stmt> {
    let mut out = Vec::new();
    for p in pairs {
        match p.as_rule() {
            Rule::stmt => {
                if let Some(s) = conv_stmt(p, text, diags) {
                    out.push(s);
                }
            }
            Rule::bad_stmt => {
                let span = span_of(&p);
                diags.push(explain_bad_stmt(p.as_str(), span.start, text.len()));
                // Keep the leading name so later passes know what was meant
                // (a broken feature is still declared: no cascade of errors).
                let text = p.as_str();
                let name_len = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(text.len());
                let name = if text.starts_with(|c: char| c.is_ascii_alphabetic()) { text.get(..name_len).unwrap_or("") } else { "" };
                out.push(Stmt {
                    head: Ident { name: name.to_string(), span: Span::new(span.start, span.start + name.len()) },
                    kind: StmtKind::Error,
                    span,
                    doc: Vec::new(),
                });
            }
            _ => {}
        }
    }
    out
}

fn conv_stmt(p: Pair<'_, Rule>, text: &str, diags: &mut Diags) -> Option<Stmt> {
    let span = span_of(&p);
    let mut parts = p.into_inner();
    let first = parts.next()?;
    let (head, kind) = if first.as_rule() == Rule::rule_stmt {
        let mut inner = first.into_inner();
        let head = conv_ident(inner.next()?);
        (head, StmtKind::Rule(conv_expr(inner.next()?, diags)))
    } else {
        let head = conv_ident(first);
        let tail = parts.next()?;
        let kind = if tail.as_rule() == Rule::assign_tail {
            StmtKind::Assign(conv_expr(tail.into_inner().next()?, diags))
        } else {
            let mut colon = false;
            let mut args = Vec::new();
            for a in tail.into_inner() {
                if a.as_rule() == Rule::colon {
                    colon = true;
                } else if let Some(t) = conv_term(a, text, diags) {
                    args.push(t);
                }
            }
            StmtKind::Plain { colon, args }
        };
        (head, kind)
    };
    // pest may count trailing blanks and comments into the statement; its
    // span ends at its last child, so a trailing comment stays outside.
    let end = match &kind {
        StmtKind::Plain { args, .. } => args.last().map_or(head.span.end, |a| a.span.end),
        StmtKind::Assign(e) | StmtKind::Rule(e) => e.span.end,
        StmtKind::Error => span.end,
    };
    let span = Span::new(span.start, end.max(head.span.end));
    Some(Stmt { head, kind, span, doc: Vec::new() })
}

fn conv_ident(p: Pair<'_, Rule>) -> Ident {
    let span = span_of(&p);
    // `rule_kw` is atomic and includes only the keyword.
    Ident { name: p.as_str().to_string(), span }
}

fn conv_term(p: Pair<'_, Rule>, text: &str, diags: &mut Diags) -> Option<Term> {
    let span = span_of(&p);
    let kind = match p.as_rule() {
        Rule::quantity => TermKind::Quantity(conv_quantity(&p, diags)?),
        Rule::money => TermKind::Money(conv_quantity(&p, diags)?),
        Rule::string => TermKind::Str(conv_string(&p, diags)),
        Rule::boolean => TermKind::Bool(p.as_str() == "true"),
        Rule::cmp_op => TermKind::Cmp(cmp_op(p.as_str())),
        Rule::slash => TermKind::Slash,
        Rule::numeric => {
            let mut parts = p.into_inner();
            let first = conv_term(parts.next()?, text, diags)?;
            match parts.next().and_then(|tail| tail.into_inner().next()) {
                Some(end) => {
                    let end = conv_term(end, text, diags)?;
                    TermKind::Range(Box::new(first), Box::new(end))
                }
                None => return Some(first),
            }
        }
        Rule::named => {
            let mut parts = p.into_inner();
            let name = parts.next()?;
            let Some(tail) = parts.next() else { return Some(conv_name(name, diags)) };
            let Some(func) = single_ident(&name) else {
                diags.push(
                    Diagnostic::new("E0002", span_of(&name), format!("`{}` cannot be called", name.as_str()))
                        .help("a call names a function, as in `lognormal(p50: 2ms, p99: 8ms)`"),
                );
                return None;
            };
            let args = tail
                .into_inner()
                .filter_map(|a| {
                    let mut it = a.into_inner();
                    let first = it.next()?;
                    if first.as_rule() == Rule::arg_name {
                        let name = first.into_inner().next().map(conv_ident);
                        let value = conv_term(it.next()?, text, diags)?;
                        Some(CallArg { name, value })
                    } else {
                        Some(CallArg { name: None, value: conv_term(first, text, diags)? })
                    }
                })
                .collect();
            TermKind::Call(Call { name: func, args })
        }
        Rule::list => TermKind::List(p.into_inner().filter_map(|e| conv_term(e, text, diags)).collect()),
        Rule::block => {
            let multiline = p.as_str().get(1..).is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with(['\n', '\r']));
            TermKind::Block(Block { stmts: conv_stmts(p.into_inner(), text, diags), multiline })
        }
        _ => return None,
    };
    Some(Term { kind, span })
}

/// A `name` pair: a path, or `metric@K`.
fn conv_name(p: Pair<'_, Rule>, diags: &mut Diags) -> Term {
    let span = span_of(&p);
    let s = p.as_str();
    if let Some((name, k)) = s.split_once('@') {
        return match k.parse::<u32>() {
            Ok(k) => Term { kind: TermKind::AtName { name: name.to_string(), k }, span },
            Err(_) => {
                diags.push(
                    Diagnostic::new("E0002", span, format!("`{s}`: the cut-off after `@` is too large"))
                        .help("use a cut-off such as `@10`"),
                );
                Term { kind: TermKind::Path(vec![Ident { name: name.to_string(), span }]), span }
            }
        };
    }
    // `name` is one atomic token: split the dotted parts here.
    let mut parts = Vec::new();
    let mut at = span.start;
    for part in s.split('.') {
        parts.push(Ident { name: part.to_string(), span: Span::new(at, at + part.len()) });
        at += part.len() + 1;
    }
    Term { kind: TermKind::Path(parts), span }
}

/// The identifier of a `name` pair that is one plain identifier.
fn single_ident(p: &Pair<'_, Rule>) -> Option<Ident> {
    let s = p.as_str();
    (!s.contains(['.', '@'])).then(|| Ident { name: s.to_string(), span: span_of(p) })
}

fn cmp_op(s: &str) -> CmpOp {
    match s {
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Le,
        ">" => CmpOp::Gt,
        ">=" => CmpOp::Ge,
        "==" => CmpOp::Eq,
        _ => CmpOp::Ne,
    }
}

fn conv_quantity(p: &Pair<'_, Rule>, diags: &mut Diags) -> Option<Quantity> {
    let q = literal::quantity(p.as_str());
    if q.is_none() {
        diags.push(Diagnostic::new("E0002", span_of(p), format!("`{}` is not a valid number", p.as_str())));
    }
    q
}

fn conv_string(p: &Pair<'_, Rule>, diags: &mut Diags) -> String {
    let s = p.as_str();
    let raw = s.get(1..s.len().saturating_sub(1)).unwrap_or("");
    match literal::unescape(raw) {
        Ok(v) => v,
        Err(bad) => {
            diags.push(
                Diagnostic::new("E0002", span_of(p), format!("invalid escape {bad} in string"))
                    .help("strings use JSON escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"),
            );
            raw.to_string()
        }
    }
}

// ------------------------------------------------------------ expressions

fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::op_or, Assoc::Left))
            .op(Op::infix(Rule::op_and, Assoc::Left))
            .op(Op::prefix(Rule::op_not))
            .op(Op::infix(Rule::op_lt, Assoc::Left)
                | Op::infix(Rule::op_le, Assoc::Left)
                | Op::infix(Rule::op_gt, Assoc::Left)
                | Op::infix(Rule::op_ge, Assoc::Left)
                | Op::infix(Rule::op_eq, Assoc::Left)
                | Op::infix(Rule::op_ne, Assoc::Left))
            .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
            .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
            .op(Op::prefix(Rule::op_neg))
    })
}

/// An expression with the depth of its tree, so depth is checked while
/// building instead of by a recursive walk afterwards.
struct Sized(Expr, usize);

fn too_deep(span: Span, diags: &mut Diags) -> Sized {
    diags.push(
        Diagnostic::new("E0004", span, format!("expression nests more than {MAX_EXPR_DEPTH} deep"))
            .help("split it into several features that refer to each other"),
    );
    Sized(Expr { kind: ExprKind::Error, span }, 1)
}

fn conv_expr(p: Pair<'_, Rule>, diags: &mut Diags) -> Expr {
    conv_expr_sized(p, diags).0
}

fn conv_expr_sized(p: Pair<'_, Rule>, diags: &mut Diags) -> Sized {
    let span = span_of(&p);
    let pairs = p.into_inner();
    // pest's Pratt parser recurses once per prefix operator: bound the runs.
    let mut run = 0usize;
    for q in pairs.clone() {
        if matches!(q.as_rule(), Rule::op_not | Rule::op_neg) {
            run += 1;
            if run > MAX_EXPR_DEPTH {
                return too_deep(span, diags);
            }
        } else {
            run = 0;
        }
    }
    let diags = std::cell::RefCell::new(diags);
    let deep = std::cell::Cell::new(false);
    let wrap = |kind: ExprKind, span: Span, depth: usize| -> Sized {
        if depth > MAX_EXPR_DEPTH {
            if !deep.replace(true) {
                return too_deep(span, &mut diags.borrow_mut());
            }
            return Sized(Expr { kind: ExprKind::Error, span }, 1);
        }
        Sized(Expr { kind, span }, depth)
    };
    let result = pratt()
        .map_primary(|q| conv_primary(q, &mut diags.borrow_mut()))
        .map_prefix(|op, Sized(rhs, d)| {
            let span = span_of(&op).to(rhs.span);
            let u = if op.as_rule() == Rule::op_not { UnaryOp::Not } else { UnaryOp::Neg };
            wrap(ExprKind::Unary(u, Box::new(rhs)), span, d + 1)
        })
        .map_infix(|Sized(l, dl), op, Sized(r, dr)| {
            let span = l.span.to(r.span);
            let b = match op.as_rule() {
                Rule::op_or => BinaryOp::Or,
                Rule::op_and => BinaryOp::And,
                Rule::op_add => BinaryOp::Add,
                Rule::op_sub => BinaryOp::Sub,
                Rule::op_mul => BinaryOp::Mul,
                Rule::op_div => BinaryOp::Div,
                _ => BinaryOp::Cmp(cmp_op(op.as_str())),
            };
            wrap(ExprKind::Binary(b, Box::new(l), Box::new(r)), span, dl.max(dr) + 1)
        })
        .parse(pairs);
    result
}

fn conv_primary(p: Pair<'_, Rule>, diags: &mut Diags) -> Sized {
    let span = span_of(&p);
    let leaf = |kind| Sized(Expr { kind, span }, 1);
    match p.as_rule() {
        Rule::quantity | Rule::money => match literal::quantity(p.as_str()) {
            Some(q) if p.as_rule() == Rule::money => leaf(ExprKind::Money(q)),
            Some(q) => leaf(ExprKind::Quantity(q)),
            None => leaf(ExprKind::Error),
        },
        Rule::string => leaf(ExprKind::Str(conv_string(&p, diags))),
        Rule::boolean => leaf(ExprKind::Bool(p.as_str() == "true")),
        Rule::paren => match p.into_inner().next() {
            Some(e) => {
                let Sized(inner, d) = conv_expr_sized(e, diags);
                Sized(Expr { kind: ExprKind::Paren(Box::new(inner)), span }, d + 1)
            }
            None => leaf(ExprKind::Error),
        },
        Rule::expr_list => {
            let mut depth = 1;
            let items = p
                .into_inner()
                .map(|e| {
                    let Sized(x, d) = conv_expr_sized(e, diags);
                    depth = depth.max(d + 1);
                    x
                })
                .collect();
            Sized(Expr { kind: ExprKind::List(items), span }, depth)
        }
        Rule::expr_named => {
            let mut parts = p.into_inner();
            let Some(name) = parts.next() else { return leaf(ExprKind::Error) };
            let Some(tail) = parts.next() else {
                // The name's own span: `expr_named`'s runs on over the blanks
                // after it, where a call's `(` could have followed.
                let span = span_of(&name);
                let kind = match conv_name(name, diags).kind {
                    TermKind::Path(path) => ExprKind::Path(path),
                    _ => ExprKind::Error,
                };
                return Sized(Expr { kind, span }, 1);
            };
            let Some(func) = single_ident(&name) else {
                diags.push(
                    Diagnostic::new("E0002", span_of(&name), format!("`{}` cannot be called", name.as_str()))
                        .help("a call names a function, as in `log1p(events.amount)`"),
                );
                return leaf(ExprKind::Error);
            };
            let mut depth = 1;
            let args = tail
                .into_inner()
                .filter_map(|a| {
                    let mut it = a.into_inner();
                    let first = it.next()?;
                    let (name, value) = if first.as_rule() == Rule::arg_name {
                        (first.into_inner().next().map(conv_ident), it.next()?)
                    } else {
                        (None, first)
                    };
                    let Sized(value, d) = conv_expr_sized(value, diags);
                    depth = depth.max(d + 1);
                    Some(ExprArg { name, value })
                })
                .collect();
            Sized(Expr { kind: ExprKind::Call { name: func, args }, span }, depth)
        }
        _ => leaf(ExprKind::Error),
    }
}

// ------------------------------------------------------------ recovery

/// Re-parses one bad statement alone to say what was expected where.
fn explain_bad_stmt(stmt_text: &str, offset: usize, text_len: usize) -> Diagnostic {
    match MlspecParser::parse(Rule::stmt_only, stmt_text) {
        Err(e) => syntax_error(&e, stmt_text, offset, text_len),
        Ok(_) => Diagnostic::new("E0002", Span::new(offset, offset + stmt_text.len()), "this is not a statement")
            .help("a statement is a name followed by arguments, ending at a line break, `;` or `,`"),
    }
}

fn syntax_error(e: &pest::error::Error<Rule>, text: &str, offset: usize, text_len: usize) -> Diagnostic {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let rest = text.get(pos..).unwrap_or("");
    let token = found_token(rest);
    let start = (offset + pos).min(text_len.max(offset + pos));
    let span = Span::new(start, start + token.len().max(1));
    let expected = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => expected_phrases(positives),
        pest::error::ErrorVariant::CustomError { .. } => String::new(),
    };
    // `1 hours`, `100 ms`: a number, a space, then a unit word.
    let before = text.get(..pos).unwrap_or("").trim_end_matches([' ', '\t']);
    let number: String =
        before.chars().rev().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '_').collect::<Vec<_>>().into_iter().rev().collect();
    if !number.is_empty() && before.len() < text.get(..pos).unwrap_or("").len() {
        if let Some(unit) = unit_suffix(token) {
            let start = (offset + pos - (text.get(..pos).unwrap_or("").len() - before.len()) - number.len()).min(span.start);
            return Diagnostic::new("E0002", Span::new(start, span.end), format!("`{number} {token}` is not a number with a unit"))
                .help(format!("write the unit right after the number: `{number}{unit}`"));
        }
    }
    if token.starts_with('\'') {
        return Diagnostic::new("E0002", span, "strings are written in double quotes").help("write `\"...\"` instead of `'...'`");
    }
    if token.starts_with(|c: char| !c.is_ascii()) {
        return Diagnostic::new("E0002", span, format!("unexpected `{token}`: names and keywords are ASCII letters, digits and `_`"))
            .help("use ASCII in names; any text may go inside a \"string\"");
    }
    if rest.get(token.len()..).is_some_and(|r| r.trim_start_matches([' ', '\t']).starts_with(':'))
        && token.starts_with(|c: char| c.is_ascii_alphabetic())
        && !before.ends_with(['(', ','])
    {
        return Diagnostic::new("E0002", span, format!("a `,` is missing before `{token}:`"))
            .help("separate the arguments of a call with `,`");
    }
    let after = rest.get(token.len()..).unwrap_or("");
    if token == "-" && before.ends_with(|c: char| c.is_ascii_alphabetic()) && after.starts_with(|c: char| c.is_ascii_alphabetic()) {
        let left: String =
            before.chars().rev().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<Vec<_>>().into_iter().rev().collect();
        let right: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        return Diagnostic::new("E0002", span, format!("`{left}-{right}`: names cannot contain `-`"))
            .help(format!("join the words with `_` (`{left}_{right}`), or check the keyword's spelling (`{left}{right}`?)"));
    }
    if token == ">" && before.ends_with('=') {
        // `span` is the `>`; the fix rewrites the `=` before it too.
        return Diagnostic::new("E0002", span, "`=>` is not an operator").help("did you mean `>=`?").fix(Fix::replace(
            "write `>=`",
            Span::new(span.start.saturating_sub(1), span.end),
            ">=",
        ));
    }
    if token == ":" && before.ends_with(|c: char| c.is_ascii_digit()) {
        return Diagnostic::new("E0002", span, "clock times are written in hours")
            .help("write `18h` for 18:00 (times of day and offsets use duration units)");
    }
    if token.starts_with('"') {
        return Diagnostic::new("E0002", span, "unterminated string").help("close the string with `\"` on the same line");
    }
    if token.starts_with(|c: char| c.is_ascii_digit()) && token.contains(|c: char| c.is_ascii_alphabetic()) {
        let digits = token.trim_end_matches(|c: char| !(c.is_ascii_digit() || c == '.'));
        let suffix = &token[digits.len()..];
        let fixed = if ["KB", "MB", "GB", "TB"].contains(&suffix.to_ascii_uppercase().as_str()) {
            Some(suffix.to_ascii_uppercase())
        } else {
            unit_suffix(suffix).map(str::to_string)
        };
        if let Some(f) = fixed {
            return Diagnostic::new("E0002", span, format!("`{token}` is not a number with a known unit"))
                .did_you_mean(&format!("{digits}{f}"));
        }
        return Diagnostic::new("E0002", span, format!("`{token}` is not a number with a known unit")).help(
            "units are written right after the number: durations `us ms s m h d w y` (`5m` is five minutes), \
             sizes `KB MB GB TB`, counts `k M B`, `%` and `x`",
        );
    }
    let found = if token.is_empty() {
        "end of statement".to_string()
    } else if token.starts_with(['\n', '\r']) {
        "line break".to_string()
    } else {
        format!("`{}`", token.escape_debug())
    };
    let d = Diagnostic::new("E0002", span, format!("unexpected {found}"));
    if expected.is_empty() {
        d.help("a statement is a name followed by arguments, ending at a line break, `;` or `,`")
    } else {
        d.help(format!("expected {expected}"))
    }
}

/// The suffix for a unit written as a word (`hours` -> `h`, `percent` -> `%`).
fn unit_suffix(word: &str) -> Option<&'static str> {
    match word.to_ascii_lowercase().as_str() {
        "%" | "pct" | "percent" => Some("%"),
        _ => literal::duration_suffix_for_word(word),
    }
}

/// The word or symbol at the error position, for the message.
fn found_token(rest: &str) -> &str {
    let mut chars = rest.char_indices();
    let Some((_, first)) = chars.next() else {
        return "";
    };
    if first == '"' {
        return rest.split(['\n', '\r']).next().unwrap_or(rest);
    }
    if first.is_ascii_alphanumeric() || first == '_' || first == '$' {
        let end = rest
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '%' || c == '$'))
            .map_or(rest.len(), |(i, _)| i);
        return rest.get(..end).unwrap_or(rest).trim_end_matches('.');
    }
    rest.get(..first.len_utf8()).unwrap_or(rest)
}

fn expected_phrases(rules: &[Rule]) -> String {
    let mut phrases: Vec<&str> = rules.iter().filter_map(|r| rule_phrase(*r)).collect();
    phrases.sort_unstable();
    phrases.dedup();
    match phrases.len() {
        0 => String::new(),
        1 => phrases.concat(),
        n => format!("{} or {}", phrases[..n - 1].join(", "), phrases[n - 1]),
    }
}

/// Every rule a user can meet in an error message, as a phrase.
fn rule_phrase(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => "the end of the statement",
        Rule::ident | Rule::name | Rule::named | Rule::expr_named | Rule::arg_name | Rule::head => "a name",
        Rule::quantity | Rule::numeric => "a number",
        Rule::range_tail => "`..`",
        Rule::money => "an amount like `$10`",
        Rule::string => "a string",
        Rule::boolean => "`true` or `false`",
        Rule::list | Rule::expr_list => "a list `[...]`",
        Rule::block => "a block `{ ... }`",
        Rule::call_tail | Rule::expr_call_tail => "a call `f(...)`",
        Rule::cmp_op => "a comparison such as `<`",
        Rule::slash => "`/`",
        Rule::colon => "`:`",
        Rule::expr | Rule::paren => "an expression",
        Rule::stmt | Rule::plain_tail | Rule::assign_tail | Rule::rule_stmt => "a statement",
        Rule::op_or | Rule::op_and | Rule::op_add | Rule::op_sub | Rule::op_mul | Rule::op_div => "an operator",
        Rule::op_lt | Rule::op_le | Rule::op_gt | Rule::op_ge | Rule::op_eq | Rule::op_ne => "an operator",
        _ => return None,
    })
}

// ------------------------------------------------------------ doc comments

/// Attaches each run of `///` lines to the statement right below it: the
/// run is contiguous lines with nothing but indentation between them.
pub fn attach_docs(file: &mut File, text: &str) {
    let docs: Vec<&Comment> = file.comments.iter().filter(|c| c.doc).collect();
    if docs.is_empty() {
        return;
    }
    // A doc comment documents the statement on the next line; separators
    // before that statement (`,` `;`) do not part them, as `fmt`, which
    // drops them, would not.
    let adjacent = |end: usize, start: usize| {
        text.get(end..start).is_some_and(|gap| {
            gap.chars().all(|c| c.is_whitespace() || c == ',' || c == ';') && gap.replace("\r\n", "\n").matches(['\n', '\r']).count() == 1
        })
    };
    let mut stack: Vec<&mut Stmt> = file.stmts.iter_mut().collect();
    while let Some(stmt) = stack.pop() {
        let i = docs.partition_point(|c| c.span.end <= stmt.span.start);
        let mut j = i;
        let mut next_start = stmt.span.start;
        while let Some(c) = j.checked_sub(1).and_then(|k| docs.get(k)) {
            if !adjacent(c.span.end, next_start) {
                break;
            }
            next_start = c.span.start;
            j -= 1;
        }
        stmt.doc = docs.get(j..i).unwrap_or_default().iter().map(|c| c.text.trim().to_string()).collect();
        if let StmtKind::Plain { args, .. } = &mut stmt.kind {
            for a in args.iter_mut() {
                if let TermKind::Block(b) = &mut a.kind {
                    stack.extend(b.stmts.iter_mut());
                }
            }
        }
    }
}
