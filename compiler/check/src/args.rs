//! Reading a statement's arguments with types and units, reporting every
//! mismatch as a diagnostic. The lowering pass reads statements only
//! through this cursor, so argument errors look the same everywhere.

use mlspec_diag::span::Span;
use mlspec_diag::{Diagnostic, Fix};
use mlspec_ir::vocab::did_you_mean;
use mlspec_ir::{Cmp, LatencyDist};
use mlspec_syntax::ast::{Call, CmpOp, Ident, Quantity, Stmt, Term, TermKind, Unit};
use mlspec_syntax::literal::duration_suffix_for_word;
use std::collections::BTreeMap;

pub type Diags = Vec<Diagnostic>;

/// What a term is, in words, for "expected X, found Y".
pub fn describe(t: &Term) -> String {
    match &t.kind {
        TermKind::Quantity(q) => match q.unit {
            Unit::None | Unit::Count(_) => format!("the number `{}`", q.raw),
            Unit::Percent => format!("the percentage `{}`", q.raw),
            Unit::Times => format!("the multiplier `{}`", q.raw),
            Unit::Duration(_) => format!("the duration `{}`", q.raw),
            Unit::Size(_) => format!("the size `{}`", q.raw),
        },
        TermKind::Money(q) => format!("the amount `{}`", q.raw),
        TermKind::Str(_) => "a string".into(),
        TermKind::Bool(b) => format!("`{b}`"),
        TermKind::Path(p) => format!("`{}`", mlspec_syntax::ast::path_text(p)),
        TermKind::AtName { name, k } => format!("`{name}@{k}`"),
        TermKind::Call(c) => format!("`{}(..)`", c.name.name),
        TermKind::List(_) => "a list".into(),
        TermKind::Range(..) => "a range".into(),
        TermKind::Block(_) => "a block".into(),
        TermKind::Cmp(c) => format!("`{}`", c.as_str()),
        TermKind::Slash => "`/`".into(),
    }
}

pub fn word(t: &Term) -> Option<&str> {
    match &t.kind {
        TermKind::Path(p) if p.len() == 1 => p.first().map(|i| i.name.as_str()),
        _ => None,
    }
}

/// Seconds in a period word after `/`: `day`, `hour`, `s`, `month`...
pub fn period_seconds(word: &str) -> Option<f64> {
    Some(match word {
        "us" => 1e-6,
        "ms" => 1e-3,
        "s" | "sec" | "second" => 1.0,
        "m" | "min" | "minute" => 60.0,
        "h" | "hour" => 3600.0,
        "d" | "day" => 86_400.0,
        "w" | "week" => 7.0 * 86_400.0,
        "month" => 30.0 * 86_400.0,
        "y" | "year" => 365.0 * 86_400.0,
        _ => return None,
    })
}

pub const PERIOD_WORDS: &[&str] = &["s", "second", "min", "minute", "h", "hour", "d", "day", "w", "week", "month", "y", "year"];

pub struct Args<'a> {
    pub head: &'a Ident,
    args: &'a [Term],
    pos: usize,
    end: usize,
    /// How many diagnostics existed when the statement was started: after an
    /// error in it, leftover arguments are not reported again.
    mark: usize,
}

impl<'a> Args<'a> {
    /// `diags_len` is `diags.len()` before the statement is read.
    pub fn new(stmt: &'a Stmt, diags_len: usize) -> Self {
        Args { head: &stmt.head, args: stmt.args(), pos: 0, end: stmt.span.end, mark: diags_len }
    }

    pub fn peek(&self) -> Option<&'a Term> {
        self.args.get(self.pos)
    }

    pub fn peek_word(&self) -> Option<&'a str> {
        self.peek().and_then(word)
    }

    /// How many arguments are left to read.
    pub fn remaining(&self) -> usize {
        self.args.len().saturating_sub(self.pos)
    }

    pub fn next(&mut self) -> Option<&'a Term> {
        let t = self.args.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    /// Where a missing argument would go: just after what was read.
    fn here(&self) -> Span {
        let at = self.pos.checked_sub(1).and_then(|i| self.args.get(i)).map_or(self.head.span.end, |t| t.span.end);
        Span::new(at, at.max(self.end.min(at)))
    }

    pub fn missing(&self, what: &str, example: &str, diags: &mut Diags) {
        diags.push(
            Diagnostic::new("E0302", self.here(), format!("`{}` needs {what}", self.head.name))
                .label(self.head.span, "in this statement")
                .help(format!("write it like `{example}`")),
        );
    }

    pub fn wrong(&self, t: &Term, what: &str, example: &str, diags: &mut Diags) {
        diags.push(
            Diagnostic::new("E0301", t.span, format!("expected {what}, found {}", describe(t))).help(format!("write it like `{example}`")),
        );
    }

    /// Reports arguments left over after a complete statement.
    pub fn finish(&mut self, diags: &mut Diags) {
        let read = self.pos.checked_sub(1).and_then(|i| self.args.get(i));
        if let Some(t) = self.next() {
            self.pos = self.args.len();
            if diags.len() > self.mark {
                return; // the statement's error was already reported
            }
            let last = self.args.last().map_or(t.span, |l| t.span.to(l.span));
            let help = if word(t) == Some("per") {
                "a rate or amount per period is written with `/`, e.g. `50M / day`".to_string()
            } else if let Some(last) = read {
                format!("remove it: `{}` ends after {}", self.head.name, describe(last))
            } else {
                format!("remove it: `{}` takes no arguments", self.head.name)
            };
            diags.push(
                Diagnostic::new("E0303", last, format!("`{}` takes no more arguments, found {}", self.head.name, describe(t))).help(help),
            );
        }
    }

    /// Consumes `kw` if it is next.
    pub fn keyword(&mut self, kw: &str) -> bool {
        if self.peek_word() == Some(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Requires `kw` next; suggests it for a near miss.
    pub fn expect_keyword(&mut self, kw: &str, example: &str, diags: &mut Diags) -> bool {
        if self.keyword(kw) {
            return true;
        }
        match self.peek() {
            Some(t) => {
                let near = word(t).and_then(|w| did_you_mean(w, [kw]));
                let d = Diagnostic::new("E0301", t.span, format!("expected `{kw}`, found {}", describe(t)));
                diags.push(match near {
                    Some(_) => d.help(format!("did you mean `{kw}`? write it like `{example}`")),
                    None => d.help(format!("write it like `{example}`")),
                });
                self.pos += 1;
            }
            None => self.missing(&format!("`{kw}`"), example, diags),
        }
        false
    }

    /// A bare name (any identifier).
    pub fn name(&mut self, what: &str, example: &str, diags: &mut Diags) -> Option<(&'a str, Span)> {
        match self.next() {
            Some(t) => match word(t) {
                Some(w) => Some((w, t.span)),
                None => {
                    self.wrong(t, what, example, diags);
                    None
                }
            },
            None => {
                self.missing(what, example, diags);
                None
            }
        }
    }

    /// One of a fixed set of words; a near miss gets "did you mean".
    pub fn choice(&mut self, what: &str, choices: &[&'static str], diags: &mut Diags) -> Option<(&'static str, Span)> {
        let example = format!("{} {}", self.head.name, choices.first().copied().unwrap_or(""));
        let (w, span) = self.name(&format!("one of: {}", choices.join(", ")), &example, diags)?;
        match choices.iter().find(|c| **c == w) {
            Some(c) => Some((*c, span)),
            None => {
                diags.push(unknown_value(what, w, span, choices.iter().copied()));
                None
            }
        }
    }

    pub fn string(&mut self, what: &str, example: &str, diags: &mut Diags) -> Option<(&'a str, Span)> {
        match self.next() {
            Some(Term { kind: TermKind::Str(s), span }) => Some((s.as_str(), *span)),
            Some(t) => {
                self.wrong(t, what, example, diags);
                None
            }
            None => {
                self.missing(what, example, diags);
                None
            }
        }
    }

    /// A dotted `SOURCE.FIELD` path.
    pub fn field_path(&mut self, example: &str, diags: &mut Diags) -> Option<(&'a [Ident], Span)> {
        match self.next() {
            Some(Term { kind: TermKind::Path(p), span }) if p.len() == 2 => Some((p.as_slice(), *span)),
            Some(t) => {
                self.wrong(t, "a field as `SOURCE.FIELD`", example, diags);
                None
            }
            None => {
                self.missing("a field as `SOURCE.FIELD`", example, diags);
                None
            }
        }
    }

    pub fn cmp(&mut self, example: &str, diags: &mut Diags) -> Option<(Cmp, Span)> {
        match self.next() {
            Some(Term { kind: TermKind::Cmp(c), span }) => match c {
                CmpOp::Lt => Some((Cmp::Lt, *span)),
                CmpOp::Le => Some((Cmp::Le, *span)),
                CmpOp::Gt => Some((Cmp::Gt, *span)),
                CmpOp::Ge => Some((Cmp::Ge, *span)),
                CmpOp::Eq | CmpOp::Ne => {
                    diags.push(
                        Diagnostic::new("E0301", *span, format!("`{}` cannot be a threshold", c.as_str()))
                            .help("use one of `<`, `<=`, `>`, `>=`"),
                    );
                    None
                }
            },
            Some(t) => {
                self.wrong(t, "a comparison (`<`, `<=`, `>`, `>=`)", example, diags);
                None
            }
            None => {
                self.missing("a comparison", example, diags);
                None
            }
        }
    }

    /// A comparison that must point one way: `<`/`<=` for a limit that must
    /// not be exceeded (`below`), `>`/`>=` for an alert threshold.
    pub fn cmp_dir(&mut self, below: bool, example: &str, diags: &mut Diags) -> Option<Cmp> {
        let (c, span) = self.cmp(example, diags)?;
        if matches!(c, Cmp::Lt | Cmp::Le) == below {
            return Some(c);
        }
        let (want, why) = if below {
            ("`<` or `<=`", "this is an upper limit")
        } else {
            ("`>` or `>=`", "this alerts when the value rises above the threshold")
        };
        diags.push(Diagnostic::new("E0301", span, format!("expected {want} here: {why}")).help(format!("write it like `{example}`")));
        None
    }

    fn quantity(&mut self, what: &str, example: &str, diags: &mut Diags) -> Option<(&'a Quantity, Span)> {
        match self.next() {
            Some(Term { kind: TermKind::Quantity(q), span }) => Some((q, *span)),
            Some(t) => {
                self.wrong(t, what, example, diags);
                None
            }
            None => {
                self.missing(what, example, diags);
                None
            }
        }
    }

    /// A positive duration in seconds (`30d`, `80ms`).
    pub fn duration(&mut self, example: &str, diags: &mut Diags) -> Option<f64> {
        let (q, span) = self.quantity("a duration", example, diags)?;
        let s = duration_of(q, span, self.peek(), diags);
        // `30 days`: the unit word is part of the reported mistake; skip it.
        if matches!(q.unit, Unit::None | Unit::Count(_)) && self.peek_word().and_then(duration_suffix_for_word).is_some() {
            self.pos += 1;
        }
        s
    }

    /// A clock time inside a scenario (`6h`, `3d`): a duration that may be 0.
    pub fn time_point(&mut self, example: &str, diags: &mut Diags) -> Option<f64> {
        let (q, span) = self.quantity("a time such as `6h`", example, diags)?;
        match q.seconds() {
            Some(s) if s >= 0.0 => Some(s),
            Some(_) => {
                diags.push(Diagnostic::new("E0304", span, "a time cannot be negative").help("times count from the start of the scenario"));
                None
            }
            None => {
                diags.push(no_duration_unit(q, span, self.peek()));
                None
            }
        }
    }

    /// A fraction in 0..=1, written as a percentage (`20%`) or a bare number.
    pub fn fraction(&mut self, what: &str, example: &str, diags: &mut Diags) -> Option<f64> {
        let (q, span) = self.quantity(what, example, diags)?;
        fraction_of(q, span, what, diags)
    }

    /// A non-negative whole count (`500`, `10k`).
    /// A non-negative whole number (`500`, `10k`).
    pub fn count(&mut self, what: &str, example: &str, diags: &mut Diags) -> Option<f64> {
        let (q, span) = self.quantity(what, example, diags)?;
        whole(count_of(q, span, what, example, diags)?, q, span, what, diags)
    }

    /// A plain number (no unit).
    pub fn number(&mut self, what: &str, example: &str, diags: &mut Diags) -> Option<f64> {
        let (q, span) = self.quantity(what, example, diags)?;
        match q.unit {
            Unit::None => Some(q.number),
            _ => {
                diags.push(
                    Diagnostic::new("E0301", span, format!("expected {what} without a unit, found `{}`", q.raw))
                        .help(format!("write it like `{example}`")),
                );
                None
            }
        }
    }

    /// `1000 rps`, `86M / day`, `5k / s`: requests per second.
    pub fn rate(&mut self, example: &str, diags: &mut Diags) -> Option<f64> {
        let (q, span) = self.quantity("a rate", example, diags)?;
        let n = count_of(q, span, "a rate", example, diags)?;
        if n <= 0.0 {
            diags.push(
                Diagnostic::new("E0304", span, format!("the rate `{}` is not positive", q.raw))
                    .help(format!("a rate must be greater than zero, like `{example}`")),
            );
            return None;
        }
        if self.keyword("rps") || self.keyword("qps") {
            return Some(n);
        }
        match self.peek() {
            Some(Term { kind: TermKind::Slash, .. }) => {
                self.pos += 1;
                self.period(example, diags).map(|p| n / p)
            }
            _ => {
                diags.push(
                    Diagnostic::new("E0301", span, format!("`{}` is a count, not a rate", q.raw))
                        .help(format!("give it a period: `{} rps` or `{} / day`", q.raw, q.raw)),
                );
                None
            }
        }
    }

    /// The period word after `/`, in seconds.
    pub fn period(&mut self, example: &str, diags: &mut Diags) -> Option<f64> {
        let (w, span) = self.name("a period (`s`, `min`, `hour`, `day`, `month`...)", example, diags)?;
        match period_seconds(w) {
            Some(p) => Some(p),
            None => {
                diags.push(unknown_value("period", w, span, PERIOD_WORDS.iter().copied()));
                None
            }
        }
    }

    /// `$25k / month`: dollars per `per` seconds.
    pub fn money_per(&mut self, example: &str, per_s: f64, diags: &mut Diags) -> Option<f64> {
        let amount = match self.next() {
            Some(Term { kind: TermKind::Money(q), .. }) => q.count()?,
            Some(t) => {
                self.wrong(t, "an amount like `$25k`", example, diags);
                return None;
            }
            None => {
                self.missing("an amount like `$25k`", example, diags);
                return None;
            }
        };
        match self.peek() {
            Some(Term { kind: TermKind::Slash, .. }) => {
                self.pos += 1;
                self.period(example, diags).map(|p| amount * per_s / p)
            }
            _ => {
                diags.push(
                    Diagnostic::new("E0302", self.here(), "an amount here needs a period").help(format!("write it like `{example}`")),
                );
                None
            }
        }
    }

    /// A latency distribution: a bare duration, or a call.
    pub fn latency(&mut self, diags: &mut Diags) -> Option<LatencyDist> {
        let example = "latency lognormal(p50: 2ms, p99: 8ms)";
        match self.next() {
            Some(Term { kind: TermKind::Quantity(q), span }) => {
                let s = duration_of(q, *span, self.peek(), diags)?;
                Some(LatencyDist::Fixed { s })
            }
            Some(Term { kind: TermKind::Call(c), span }) => latency_call(c, *span, diags),
            Some(t) => {
                self.wrong(t, "a latency (`5ms` or a distribution)", example, diags);
                None
            }
            None => {
                self.missing("a latency", example, diags);
                None
            }
        }
    }

    /// `MIN..MAX` or a single count.
    pub fn count_range(&mut self, what: &str, example: &str, diags: &mut Diags) -> Option<(f64, f64)> {
        match self.peek() {
            Some(Term { kind: TermKind::Range(a, b), span }) => {
                self.pos += 1;
                let lo = term_count(a, what, example, diags)?;
                let hi = term_count(b, what, example, diags)?;
                if lo > hi {
                    diags.push(
                        Diagnostic::new("E0305", *span, format!("the range {lo}..{hi} is empty: its minimum is above its maximum"))
                            .help(format!("write the smaller bound first: `{hi}..{lo}`")),
                    );
                    return None;
                }
                Some((lo, hi))
            }
            _ => self.count(what, example, diags).map(|n| (n, n)),
        }
    }

    pub fn block(&mut self, example: &str, diags: &mut Diags) -> Option<&'a [Stmt]> {
        match self.next() {
            Some(Term { kind: TermKind::Block(b), .. }) => Some(&b.stmts),
            Some(t) => {
                self.wrong(t, "a block `{ ... }`", example, diags);
                None
            }
            None => {
                diags.push(
                    Diagnostic::new("E0302", self.here(), format!("`{}` needs a block `{{ ... }}`", self.head.name))
                        .label(self.head.span, "in this statement")
                        .help(format!("open it with `{{` on this line and close it with `}}` after its statements, as in `{example}`")),
                );
                None
            }
        }
    }
}

pub fn unknown_value<'c>(what: &str, found: &str, span: Span, choices: impl IntoIterator<Item = &'c str> + Clone) -> Diagnostic {
    let near = did_you_mean(found, choices.clone());
    let list: Vec<&str> = choices.into_iter().collect();
    let d = Diagnostic::new("E0106", span, format!("unknown {what} `{found}`"));
    match near {
        Some(n) => d.did_you_mean(n),
        None => d.help(format!("expected one of: {}", list.join(", "))),
    }
}

fn no_duration_unit(q: &Quantity, span: Span, next: Option<&Term>) -> Diagnostic {
    let n = q.raw.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%');
    if let Some(unit) = next.and_then(word).and_then(duration_suffix_for_word) {
        let mut d = Diagnostic::new("E0301", span, format!("expected a duration, found `{} {}`", q.raw, next.and_then(word).unwrap_or("")))
            .help(format!("write the unit right after the number: `{n}{unit}`"));
        if let Some(t) = next {
            d.span = span.to(t.span);
        }
        let fixed = format!("{n}{unit}");
        let at = d.span;
        return d.fix(Fix::replace(format!("write `{fixed}`"), at, fixed));
    }
    let help = format!("add a unit: `{n}ms`, `{n}s`, `{n}m` (minutes), `{n}h`, `{n}d`, `{n}w` or `{n}y`");
    // `30 kg`: a short word after the number is a unit, but not one of time.
    if let Some((t, unit)) =
        next.and_then(|t| word(t).map(|w| (t, w))).filter(|(_, w)| w.len() <= 3 && w.chars().all(|c| c.is_ascii_alphabetic()))
    {
        return Diagnostic::new(
            "E0301",
            span.to(t.span),
            format!("expected a duration, found `{} {unit}`: `{unit}` is not a unit of time", q.raw),
        )
        .help(help);
    }
    Diagnostic::new("E0301", span, format!("expected a duration, found `{}`", q.raw)).help(help)
}

/// A positive duration.
fn duration_of(q: &Quantity, span: Span, next: Option<&Term>, diags: &mut Diags) -> Option<f64> {
    match q.seconds() {
        Some(s) if s > 0.0 => Some(s),
        Some(_) => {
            diags.push(
                Diagnostic::new("E0304", span, format!("the duration `{}` is not positive", q.raw))
                    .help("durations must be greater than zero"),
            );
            None
        }
        None => {
            diags.push(no_duration_unit(q, span, next));
            None
        }
    }
}

pub fn fraction_of(q: &Quantity, span: Span, what: &str, diags: &mut Diags) -> Option<f64> {
    let v = match q.unit {
        Unit::Percent => q.number / 100.0,
        Unit::None => q.number,
        _ => {
            diags.push(
                Diagnostic::new("E0301", span, format!("expected {what} as a percentage, found `{}`", q.raw))
                    .help("write a percentage like `20%` or a fraction like `0.2`"),
            );
            return None;
        }
    };
    if !(0.0..=1.0).contains(&v) {
        let help = if q.unit == Unit::None && v > 1.0 && v <= 100.0 {
            format!("a bare number is a fraction from 0 to 1; for a percentage write `{}%`", q.raw)
        } else if q.unit == Unit::Percent {
            "it must be between 0% and 100%".to_string()
        } else {
            "it must be between 0 and 1 (or 0% and 100%)".to_string()
        };
        let d = Diagnostic::new("E0304", span, format!("{what} `{}` is out of range", q.raw)).help(help);
        // A bare number between 1 and 100 is a percentage written without `%`.
        let percent = format!("{}%", q.raw);
        diags.push(if q.unit == Unit::None && v > 1.0 && v <= 100.0 {
            d.fix(Fix::replace(format!("write `{percent}`"), span, percent))
        } else {
            d
        });
        return None;
    }
    Some(v)
}

fn count_of(q: &Quantity, span: Span, what: &str, example: &str, diags: &mut Diags) -> Option<f64> {
    match q.count() {
        Some(n) if n >= 0.0 => Some(n),
        Some(_) => {
            diags.push(
                Diagnostic::new("E0304", span, format!("{what} cannot be negative, found `{}`", q.raw))
                    .help(format!("write it like `{example}`")),
            );
            None
        }
        None => {
            diags.push(
                Diagnostic::new("E0301", span, format!("expected {what}, found `{}`", q.raw)).help(format!("write it like `{example}`")),
            );
            None
        }
    }
}

/// `n` when it is whole; otherwise an error saying so.
fn whole(n: f64, q: &Quantity, span: Span, what: &str, diags: &mut Diags) -> Option<f64> {
    if n.fract() == 0.0 && n <= 9.0e15 {
        return Some(n);
    }
    let d = Diagnostic::new("E0301", span, format!("{what} must be a whole number, found `{}`", q.raw));
    diags.push(if n > 9.0e15 { d.help("the number is too large") } else { d.help(format!("round it, e.g. `{}`", n.round())) });
    None
}

fn term_count(t: &Term, what: &str, example: &str, diags: &mut Diags) -> Option<f64> {
    match &t.kind {
        TermKind::Quantity(q) => whole(count_of(q, t.span, what, example, diags)?, q, t.span, what, diags),
        _ => {
            diags.push(
                Diagnostic::new("E0301", t.span, format!("expected {what}, found {}", describe(t)))
                    .help(format!("write it like `{example}`")),
            );
            None
        }
    }
}

/// Positional and named arguments of a call, with unknown names reported.
pub struct CallArgs<'a> {
    pub positional: Vec<&'a Term>,
    pub named: BTreeMap<&'a str, &'a Term>,
}

pub fn call_args<'a>(call: &'a Call, allowed: &[&'static str], diags: &mut Diags) -> CallArgs<'a> {
    let mut out = CallArgs { positional: Vec::new(), named: BTreeMap::new() };
    for a in &call.args {
        let Some(n) = &a.name else {
            out.positional.push(&a.value);
            continue;
        };
        let key = match allowed.iter().find(|k| **k == n.name) {
            Some(k) => *k,
            None => {
                let near = did_you_mean(&n.name, allowed.iter().copied());
                let d = Diagnostic::new("E0103", n.span, format!("`{}` has no argument `{}`", call.name.name, n.name));
                diags.push(match near {
                    Some(s) => d.did_you_mean(s),
                    None if allowed.is_empty() => d.help(format!("`{}` takes no named arguments", call.name.name)),
                    None => d.help(format!("its arguments are: {}", allowed.join(", "))),
                });
                // Read a near miss as what it was meant to be, so it is not
                // also reported as missing.
                match near.and_then(|s| allowed.iter().find(|k| **k == s)) {
                    Some(k) if !out.named.contains_key(k) => *k,
                    _ => continue,
                }
            }
        };
        if out.named.insert(key, &a.value).is_some() {
            diags.push(Diagnostic::new("E0105", n.span, format!("argument `{}` is given twice", n.name)).help("keep one"));
        }
    }
    out
}

/// A duration inside a call argument.
pub fn term_duration(t: &Term, diags: &mut Diags) -> Option<f64> {
    match &t.kind {
        TermKind::Quantity(q) => duration_of(q, t.span, None, diags),
        _ => {
            diags.push(Diagnostic::new("E0301", t.span, format!("expected a duration, found {}", describe(t))).help("write it like `5ms`"));
            None
        }
    }
}

/// A clock time inside a day: `0h` to `23h` (any duration below 24h).
pub fn term_time_of_day(t: &Term, diags: &mut Diags) -> Option<f64> {
    match &t.kind {
        TermKind::Quantity(q) => match q.seconds() {
            Some(s) if (0.0..86_400.0).contains(&s) => Some(s),
            Some(_) => {
                diags.push(
                    Diagnostic::new("E0304", t.span, format!("`{}` is not a time of day", q.raw))
                        .help("write an hour of the day from `0h` to `23h`"),
                );
                None
            }
            None => {
                diags.push(no_duration_unit(q, t.span, None));
                None
            }
        },
        _ => {
            diags.push(
                Diagnostic::new("E0301", t.span, format!("expected a time of day, found {}", describe(t)))
                    .help("write an hour of the day such as `19h`"),
            );
            None
        }
    }
}

pub fn term_number(t: &Term, diags: &mut Diags) -> Option<f64> {
    match &t.kind {
        TermKind::Quantity(q) => match q.unit {
            Unit::None | Unit::Count(_) => q.count(),
            Unit::Percent => q.percent_fraction(),
            Unit::Times => Some(q.number),
            Unit::Duration(_) => q.seconds(),
            Unit::Size(s) => Some(q.number * s.bytes()),
        },
        _ => {
            diags.push(
                Diagnostic::new("E0301", t.span, format!("expected a number, found {}", describe(t))).help("write a number such as `3.5`"),
            );
            None
        }
    }
}

fn latency_call(c: &Call, span: Span, diags: &mut Diags) -> Option<LatencyDist> {
    let need = |a: &CallArgs<'_>, k: &str, diags: &mut Diags| -> Option<f64> {
        match a.named.get(k) {
            Some(t) => term_duration(t, diags),
            None => {
                diags.push(
                    Diagnostic::new("E0302", span, format!("`{}` needs `{k}:`", c.name.name))
                        .help(format!("write it like `{}`", latency_example(&c.name.name))),
                );
                None
            }
        }
    };
    let positional_err = |a: &CallArgs<'_>, diags: &mut Diags| {
        if let Some(t) = a.positional.first() {
            diags.push(
                Diagnostic::new("E0301", t.span, format!("`{}` takes named arguments", c.name.name))
                    .help(format!("write it like `{}`", latency_example(&c.name.name))),
            );
        }
    };
    match c.name.name.as_str() {
        "exponential" => {
            let a = call_args(c, &["mean"], diags);
            positional_err(&a, diags);
            Some(LatencyDist::Exponential { mean_s: need(&a, "mean", diags)? })
        }
        "lognormal" => {
            let a = call_args(c, &["p50", "p99"], diags);
            positional_err(&a, diags);
            let (p50_s, p99_s) = (need(&a, "p50", diags)?, need(&a, "p99", diags)?);
            if p99_s < p50_s {
                diags.push(Diagnostic::new("E0305", span, "p99 is below p50").help("the 99th percentile cannot be faster than the median"));
                return None;
            }
            Some(LatencyDist::Lognormal { p50_s, p99_s })
        }
        "normal" => {
            let a = call_args(c, &["mean", "sd"], diags);
            positional_err(&a, diags);
            Some(LatencyDist::Normal { mean_s: need(&a, "mean", diags)?, sd_s: need(&a, "sd", diags)? })
        }
        "empirical" => {
            let a = call_args(c, &[], diags);
            match a.positional.first() {
                Some(Term { kind: TermKind::Str(f), .. }) => Some(LatencyDist::Empirical { file: f.clone() }),
                _ => {
                    diags.push(
                        Diagnostic::new("E0302", span, "`empirical` needs a file name").help("write it like `empirical(\"latency.csv\")`"),
                    );
                    None
                }
            }
        }
        other => {
            diags.push(unknown_value("latency distribution", other, c.name.span, ["exponential", "lognormal", "normal", "empirical"]));
            None
        }
    }
}

fn latency_example(name: &str) -> &'static str {
    match name {
        "exponential" => "exponential(mean: 5ms)",
        "normal" => "normal(mean: 5ms, sd: 1ms)",
        _ => "lognormal(p50: 2ms, p99: 8ms)",
    }
}
