//! Pass 2: feature expressions. Resolves names to fields and features,
//! types every call against its signature, checks window aggregations,
//! builds the feature graph (petgraph) for cycles and finds label leakage.

use super::args::Diags;
use mlspec_diag::span::Span;
use mlspec_diag::{Diagnostic, Fix};
use mlspec_ir::functions::{NamedKind, Output, Param, Signature, FILL_STRATEGIES};
use mlspec_ir::vocab::{self, did_you_mean};
use mlspec_ir::{Design, Draft, Feature, FeatureExpr, FeatureFunction, Field, FieldRef, FieldType, ValueType, Window, WindowFunction};
use mlspec_syntax::ast::{path_text, BinaryOp, CmpOp, Expr, ExprKind, Ident, Stmt, UnaryOp, Unit};
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, BTreeSet};

/// What one expression reads, collected while resolving it.
#[derive(Default)]
struct Reads {
    features: Vec<String>,
    fields: Vec<FieldRef>,
    windows: Vec<Window>,
    /// Fields read only as the aggregated value of a window (lags).
    windowed: Vec<FieldRef>,
}

struct Resolver<'d> {
    design: &'d Design<Draft>,
    /// Feature name -> declared type (Unknown until resolved).
    types: BTreeMap<String, ValueType>,
    diags: &'d mut Diags,
}

pub fn resolve(design: &mut Design<Draft>, exprs: &[(&Stmt, Option<&Expr>)], rules: &[(usize, &Expr)], diags: &mut Diags) {
    // Declared features, in order; the names pass reports duplicates.
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, (stmt, _)) in exprs.iter().enumerate() {
        index.entry(stmt.head.name.as_str()).or_insert(i);
    }
    // The graph: feature -> the features it reads.
    let mut graph = DiGraph::<usize, ()>::new();
    let nodes: Vec<NodeIndex> = (0..exprs.len()).map(|i| graph.add_node(i)).collect();
    for (i, (_, e)) in exprs.iter().enumerate() {
        let mut names = Vec::new();
        if let Some(e) = e {
            feature_names_in(e, &mut names);
        }
        for n in names {
            if let (Some(&j), Some(&a)) = (index.get(n), nodes.get(i)) {
                if let Some(&b) = nodes.get(j) {
                    graph.update_edge(a, b, ());
                }
            }
        }
    }
    let mut cyclic = vec![false; exprs.len()];
    // Kosaraju's algorithm in petgraph is iterative (Tarjan's recurses per
    // node), so a chain of 100,000 features cannot overflow the stack. SCCs
    // come dependencies first.
    let order = petgraph::algo::kosaraju_scc(&graph);
    for comp in &order {
        let self_loop = comp.len() == 1 && comp.first().is_some_and(|&n| graph.contains_edge(n, n));
        if comp.len() > 1 || self_loop {
            let mut members: Vec<usize> = comp.iter().filter_map(|n| graph.node_weight(*n).copied()).collect();
            members.sort_unstable();
            for &m in &members {
                if let Some(c) = cyclic.get_mut(m) {
                    *c = true;
                }
            }
            let path = cycle_path(&graph, &nodes, &members);
            let mut names: Vec<String> = path.iter().filter_map(|&m| exprs.get(m)).map(|(s, _)| format!("`{}`", s.head.name)).collect();
            names.extend(names.first().cloned());
            if let Some((first, _)) = members.first().and_then(|&m| exprs.get(m)) {
                let mut d = Diagnostic::new("E0316", first.head.span, format!("features form a cycle: {}", names.join(" reads ")))
                    .help("a feature cannot depend on itself, directly or through others: break the cycle");
                for &m in members.iter().skip(1) {
                    if let Some((s, _)) = exprs.get(m) {
                        d = d.label(s.head.span, "part of the cycle");
                    }
                }
                diags.push(d);
            }
        }
    }
    let mut features: Vec<Option<Feature>> = vec![None; exprs.len()];
    let mut r = Resolver { design, types: BTreeMap::new(), diags };
    // Members of a cycle are declared (their type is unknown): reading one
    // is part of the cycle error, not an unknown feature.
    for (i, (stmt, _)) in exprs.iter().enumerate() {
        if cyclic.get(i).copied().unwrap_or(false) {
            r.types.insert(stmt.head.name.clone(), ValueType::Unknown);
        }
    }
    // Per feature: the label it reads directly, or the dependency through
    // which it reaches one. Filled in dependency order, so one pass does.
    let forecasting = r.design.known_task() == Some(mlspec_ir::vocab::Task::Forecasting);
    let mut leaks: BTreeMap<String, (FieldRef, Option<String>)> = BTreeMap::new();
    let mut leak_order: Vec<usize> = Vec::new();
    for comp in &order {
        for n in comp {
            let Some(&i) = graph.node_weight(*n) else {
                continue;
            };
            let Some((stmt, e)) = exprs.get(i) else {
                continue;
            };
            let mut reads = Reads::default();
            let (expr, ty) = match e {
                Some(e) => r.expr(e, &mut reads),
                None => (FeatureExpr::Invalid, ValueType::Unknown),
            };
            let ty = if cyclic.get(i).copied().unwrap_or(false) { ValueType::Unknown } else { ty };
            // Past values of the target are lag features in forecasting.
            let direct = reads.fields.iter().find(|f| {
                r.design.field(f).is_some_and(|x| x.label) && !(forecasting && reads.windowed.contains(f) && !reads_plain(&reads, f))
            });
            let leak = match direct {
                Some(f) => Some((f.clone(), None)),
                None => reads.features.iter().find_map(|d| leaks.get(d).map(|(f, _)| (f.clone(), Some(d.clone())))),
            };
            if let Some(l) = leak {
                leaks.entry(stmt.head.name.clone()).or_insert(l);
                leak_order.push(i);
            }
            if index.get(stmt.head.name.as_str()) == Some(&i) {
                r.types.insert(stmt.head.name.clone(), ty);
            }
            if let Some(slot) = features.get_mut(i) {
                *slot = Some(Feature {
                    name: stmt.head.name.clone(),
                    doc: stmt.doc.clone(),
                    expr,
                    ty,
                    uses_features: dedup(reads.features),
                    reads: reads.fields,
                    windows: reads.windows,
                    span: stmt.span,
                    name_span: stmt.head.span,
                });
            }
        }
    }
    let mut rule_exprs = Vec::new();
    for &(model, e) in rules {
        let mut reads = Reads::default();
        let (expr, ty) = r.expr(e, &mut reads);
        if !matches!(ty, ValueType::Bool | ValueType::Unknown) {
            r.diags.push(
                Diagnostic::new("E0312", e.span, format!("a rule must be a condition, but this is a {}", ty.as_str()))
                    .help("write a comparison or a boolean feature, e.g. `rule amount > 5000`"),
            );
        }
        rule_exprs.push((model, expr, reads, e.span));
    }
    leak_order.sort_unstable();
    for i in leak_order {
        if let Some(Some(f)) = features.get(i) {
            report_leak(r.design, f, &leaks, r.diags);
        }
    }
    for (model, _, reads, span) in &rule_exprs {
        let direct = reads.fields.iter().find(|f| r.design.field(f).is_some_and(|x| x.label)).cloned();
        let through = reads.features.iter().find_map(|n| leaks.get(n).map(|(f, _)| f.clone()));
        if let Some(f) = direct.or(through) {
            let name = r.design.models.get(*model).map_or("?", |m| m.name.as_str());
            r.diags.push(
                Diagnostic::new("E0317", *span, format!("a rule of model `{name}` reads the label `{f}`"))
                    .help("a rule runs at prediction time, before the label is known"),
            );
        }
    }
    let features: Vec<Feature> = features.into_iter().flatten().collect();
    design.features = features;
    for (model, expr, _, _) in rule_exprs {
        if let Some(m) = design.models.get_mut(model) {
            m.rules.push(expr);
        }
    }
}

/// The members of a strongly connected component in the order the edges
/// run (`a` reads `b` reads `c`), starting from the first declared.
fn cycle_path(graph: &DiGraph<usize, ()>, nodes: &[NodeIndex], members: &[usize]) -> Vec<usize> {
    let Some(&start) = members.first() else { return Vec::new() };
    let Some(&start_node) = nodes.get(start) else { return Vec::new() };
    let in_comp = |n: NodeIndex| graph.node_weight(n).is_some_and(|i| members.contains(i));
    // Breadth-first search back to the start, within the component.
    let mut prev: BTreeMap<NodeIndex, NodeIndex> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start_node]);
    let mut end = None;
    while let Some(n) = queue.pop_front() {
        let mut next: Vec<NodeIndex> = graph.neighbors(n).filter(|&m| in_comp(m)).collect();
        next.sort_unstable();
        for m in next {
            if m == start_node {
                end = Some(n);
                break;
            }
            if let std::collections::btree_map::Entry::Vacant(e) = prev.entry(m) {
                e.insert(n);
                queue.push_back(m);
            }
        }
        if end.is_some() {
            break;
        }
    }
    let mut path = Vec::new();
    let mut cur = end;
    while let Some(n) = cur {
        path.extend(graph.node_weight(n).copied());
        cur = if n == start_node { None } else { prev.get(&n).copied() };
    }
    path.reverse();
    if path.is_empty() {
        path.push(start);
    }
    path
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    v.into_iter().filter(|x| seen.insert(x.clone())).collect()
}

/// Single-part names in an expression (feature candidates), skipping the
/// arguments of calls that take a source or a word.
fn feature_names_in<'e>(e: &'e Expr, out: &mut Vec<&'e str>) {
    match &e.kind {
        ExprKind::Path(p) if p.len() == 1 => out.extend(p.first().map(|i| i.name.as_str())),
        ExprKind::Call { args, .. } => {
            for a in args {
                feature_names_in(&a.value, out);
            }
        }
        ExprKind::List(items) => items.iter().for_each(|x| feature_names_in(x, out)),
        ExprKind::Paren(x) | ExprKind::Unary(_, x) => feature_names_in(x, out),
        ExprKind::Binary(_, l, r) => {
            feature_names_in(l, out);
            feature_names_in(r, out);
        }
        _ => {}
    }
}

fn type_name(t: ValueType) -> &'static str {
    t.as_str()
}

impl Resolver<'_> {
    fn err(&mut self, d: Diagnostic) -> (FeatureExpr, ValueType) {
        self.diags.push(d);
        (FeatureExpr::Invalid, ValueType::Unknown)
    }

    /// Resolves a path: a feature (one part) or `SOURCE.FIELD` (two parts).
    fn path(&mut self, parts: &[Ident], span: Span, reads: &mut Reads) -> (FeatureExpr, ValueType) {
        match parts {
            [one] => {
                if let Some(&t) = self.types.get(&one.name) {
                    reads.features.push(one.name.clone());
                    return (FeatureExpr::Feature { name: one.name.clone() }, t);
                }
                if self.design.source(&one.name).is_some() {
                    return self.err(Diagnostic::new("E0301", span, format!("`{}` is a source, not a value", one.name)).help(format!(
                        "name one of its fields, `{}.FIELD`, or count its rows with `count({}, by: KEY, window: 1h)`",
                        one.name, one.name
                    )));
                }
                let names: Vec<&str> = self.types.keys().map(String::as_str).collect();
                let d = Diagnostic::new("E0205", span, format!("unknown feature `{}`", one.name));
                let d = match did_you_mean(&one.name, names.iter().copied()) {
                    Some(n) => d.did_you_mean(n),
                    None => d.help("declare it in `features`, or read a field as `SOURCE.FIELD`"),
                };
                self.err(d)
            }
            [src, field] => match self.field(src, field, span) {
                Some((r, t)) => {
                    reads.fields.push(r.clone());
                    (FeatureExpr::Field { source: r.source, field: r.field }, t)
                }
                None => (FeatureExpr::Invalid, ValueType::Unknown),
            },
            _ => self.err(
                Diagnostic::new("E0301", span, format!("`{}` has too many parts", path_text(parts)))
                    .help("write a field as `SOURCE.FIELD`"),
            ),
        }
    }

    /// `SOURCE.FIELD`, reporting an unknown source or field.
    fn field(&mut self, src: &Ident, field: &Ident, span: Span) -> Option<(FieldRef, ValueType)> {
        let r = unknown_field(self.design, &src.name, src.span, &field.name, field.span, self.diags)?;
        let f = self.design.field(&FieldRef { source: src.name.clone(), field: field.name.clone(), span })?;
        Some((FieldRef { span, ..r }, ValueType::of_field(&f.ty)))
    }

    fn expr(&mut self, e: &Expr, reads: &mut Reads) -> (FeatureExpr, ValueType) {
        match &e.kind {
            ExprKind::Quantity(q) => match q.unit {
                Unit::None | Unit::Count(_) => (FeatureExpr::Number { value: q.count().unwrap_or(q.number) }, ValueType::Number),
                Unit::Percent => (FeatureExpr::Number { value: q.number / 100.0 }, ValueType::Number),
                Unit::Duration(_) => (FeatureExpr::Number { value: q.seconds().unwrap_or(q.number) }, ValueType::Number),
                _ => (FeatureExpr::Number { value: q.number }, ValueType::Number),
            },
            ExprKind::Money(q) => (FeatureExpr::Number { value: q.count().unwrap_or(q.number) }, ValueType::Number),
            ExprKind::Str(s) => (FeatureExpr::Str { value: s.clone() }, ValueType::String),
            ExprKind::Bool(b) => (FeatureExpr::Bool { value: *b }, ValueType::Bool),
            ExprKind::Path(p) => self.path(p, e.span, reads),
            ExprKind::Paren(x) => self.expr(x, reads),
            ExprKind::List(items) => {
                let items = items.iter().map(|x| self.expr(x, reads).0).collect();
                (FeatureExpr::List { items }, ValueType::List)
            }
            ExprKind::Unary(op, x) => {
                let (inner, t) = self.expr(x, reads);
                let (want, op) = match op {
                    UnaryOp::Not => (ValueType::Bool, vocab::UnaryOp::Not),
                    UnaryOp::Neg => (ValueType::Number, vocab::UnaryOp::Neg),
                };
                let name = op.as_str();
                if t != want && t != ValueType::Unknown {
                    self.diags.push(
                        Diagnostic::new("E0312", x.span, format!("`{name}` needs a {}, found a {}", type_name(want), type_name(t)))
                            .help(if want == ValueType::Bool { "negate a condition, e.g. `not (a > 1)`" } else { "negate a number" }),
                    );
                }
                (FeatureExpr::Unary { op, arg: Box::new(inner) }, want)
            }
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, reads),
            ExprKind::Call { name, args } => self.call(name, args, e.span, reads),
            ExprKind::Error => (FeatureExpr::Invalid, ValueType::Unknown),
        }
    }

    fn binary(&mut self, op: BinaryOp, l: &Expr, r: &Expr, reads: &mut Reads) -> (FeatureExpr, ValueType) {
        let (le, lt) = self.expr(l, reads);
        let (re, rt) = self.expr(r, reads);
        let known = lt != ValueType::Unknown && rt != ValueType::Unknown;
        let out = match op {
            BinaryOp::And | BinaryOp::Or => {
                for (t, x) in [(lt, l), (rt, r)] {
                    if t != ValueType::Bool && t != ValueType::Unknown {
                        self.diags.push(
                            Diagnostic::new(
                                "E0312",
                                x.span,
                                format!("`{}` needs conditions on both sides, found a {}", op.as_str(), type_name(t)),
                            )
                            .help("compare it first, e.g. `amount > 100`"),
                        );
                    }
                }
                ValueType::Bool
            }
            BinaryOp::Cmp(CmpOp::Eq | CmpOp::Ne) => {
                let comparable = lt == rt || (text_like(lt) && text_like(rt));
                if known && !comparable {
                    self.diags.push(
                        Diagnostic::new("E0312", l.span.to(r.span), format!("cannot compare a {} with a {}", type_name(lt), type_name(rt)))
                            .help("compare values of the same type"),
                    );
                }
                ValueType::Bool
            }
            BinaryOp::Cmp(_) => {
                for (t, x) in [(lt, l), (rt, r)] {
                    if !matches!(t, ValueType::Number | ValueType::Timestamp | ValueType::Unknown) {
                        self.diags.push(
                            Diagnostic::new("E0312", x.span, format!("`{}` orders numbers, found a {}", op.as_str(), type_name(t)))
                                .help("compare numbers, or use `==`/`!=` for categories"),
                        );
                    }
                }
                ValueType::Bool
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                for (t, x) in [(lt, l), (rt, r)] {
                    if !matches!(t, ValueType::Number | ValueType::Unknown) {
                        self.diags.push(
                            Diagnostic::new("E0312", x.span, format!("`{}` needs numbers, found a {}", op.as_str(), type_name(t)))
                                .help("arithmetic works on int and float values; encode categories first"),
                        );
                    }
                }
                ValueType::Number
            }
        };
        (FeatureExpr::Binary { op: lower_binary(op), left: Box::new(le), right: Box::new(re) }, out)
    }

    fn call(&mut self, name: &Ident, args: &[mlspec_syntax::ast::ExprArg], span: Span, reads: &mut Reads) -> (FeatureExpr, ValueType) {
        let f = name.name.as_str();
        let Some(func) = FeatureFunction::parse(f) else {
            let d = Diagnostic::new("E0311", name.span, format!("unknown function `{f}`"));
            let d = match did_you_mean(f, FeatureFunction::names()) {
                Some(n) => d.did_you_mean(n),
                None => d.help(format!("the feature functions are: {}", FeatureFunction::names().collect::<Vec<_>>().join(", "))),
            };
            return self.err(d);
        };
        if let FeatureFunction::Window(w) = func {
            return self.window(w, name, args, span, reads);
        }
        let sig = func.signature();
        let allowed: Vec<&str> = sig.named.iter().map(|n| n.name).collect();
        let mut positional = Vec::new();
        let mut named = BTreeMap::new();
        for a in args {
            match &a.name {
                Some(n) if !allowed.contains(&n.name.as_str()) => {
                    let near = did_you_mean(&n.name, allowed.iter().copied());
                    let d = Diagnostic::new("E0103", n.span, format!("`{f}` has no argument `{}`", n.name));
                    self.diags.push(match (near, allowed.is_empty()) {
                        (Some(s), _) => d.did_you_mean(s),
                        (None, true) => d.help(format!("`{f}` takes no named arguments")),
                        (None, false) => d.help(format!("its named arguments are: {}", allowed.join(", "))),
                    });
                    // A near miss counts as the argument it was meant to be.
                    if let Some(s) = near.filter(|s| !named.contains_key(*s)) {
                        let v = self.expr(&a.value, reads);
                        named.insert(s.to_string(), (v, a.value.span));
                    }
                }
                Some(n) => {
                    let v = self.expr(&a.value, reads);
                    named.insert(n.name.clone(), (v, a.value.span));
                }
                None => {
                    // `fill(x, median)`: the strategy is a word, not a feature.
                    let fill_slot = sig.params.get(positional.len()) == Some(&Param::FillValue);
                    let is_fill_word = fill_slot
                        && matches!(&a.value.kind, ExprKind::Path(p) if p.len() == 1 && p.first().is_some_and(|i| FILL_STRATEGIES.contains(&i.name.as_str())));
                    // `fill(x, medain)`: a misspelt strategy, not an unknown feature.
                    let misspelt_fill = fill_slot && !is_fill_word && {
                        match &a.value.kind {
                            ExprKind::Path(p) if p.len() == 1 => p.first().is_some_and(|i| {
                                !self.types.contains_key(&i.name) && did_you_mean(&i.name, FILL_STRATEGIES.iter().copied()).is_some()
                            }),
                            _ => false,
                        }
                    };
                    if misspelt_fill {
                        if let ExprKind::Path(p) = &a.value.kind {
                            let w = p.first().map(|i| i.name.as_str()).unwrap_or_default();
                            self.diags.push(crate::args::unknown_value("fill strategy", w, a.value.span, FILL_STRATEGIES.iter().copied()));
                        }
                        positional.push(((FeatureExpr::Invalid, ValueType::Unknown), a.value.span));
                    } else if is_fill_word {
                        let w = match &a.value.kind {
                            ExprKind::Path(p) => p.first().map(|i| i.name.clone()).unwrap_or_default(),
                            _ => String::new(),
                        };
                        positional.push(((FeatureExpr::Word { word: w }, ValueType::Unknown), a.value.span));
                    } else {
                        let v = self.expr(&a.value, reads);
                        positional.push((v, a.value.span));
                    }
                }
            }
        }
        let types: Vec<ValueType> = positional.iter().map(|((_, t), _)| *t).collect();
        let spans: Vec<Span> = positional.iter().map(|(_, s)| *s).collect();
        let ty = self.signature(func, &sig, &types, &spans, &named, &positional, span);
        let call = FeatureExpr::Call {
            func,
            args: positional.into_iter().map(|((e, _), _)| e).collect(),
            named: named.into_iter().map(|(k, ((e, _), _))| (k, e)).collect(),
        };
        (call, ty)
    }

    /// Checks a non-window call against its function's signature; returns its type.
    #[allow(clippy::type_complexity, clippy::too_many_arguments)]
    fn signature(
        &mut self,
        func: FeatureFunction,
        sig: &Signature,
        types: &[ValueType],
        spans: &[Span],
        named: &BTreeMap<String, ((FeatureExpr, ValueType), Span)>,
        positional: &[((FeatureExpr, ValueType), Span)],
        span: Span,
    ) -> ValueType {
        use ValueType as T;
        let f = func.as_str();
        let example = sig.example;
        let first = types.first().copied().unwrap_or(T::Unknown);
        let out = match sig.result {
            Output::Is(t) => t,
            Output::FirstArg => first,
        };
        let arity = sig.required..=sig.params.len();
        if !arity.contains(&types.len()) {
            let want =
                if arity.start() == arity.end() { format!("{}", arity.start()) } else { format!("{} to {}", arity.start(), arity.end()) };
            self.diags.push(
                Diagnostic::new(
                    "E0313",
                    span,
                    format!("`{f}` takes {want} argument{}, found {}", if *arity.end() == 1 { "" } else { "s" }, types.len()),
                )
                .help(format!("write it like `{example}`")),
            );
            return out;
        }
        for (i, (t, param)) in types.iter().zip(sig.params).enumerate() {
            match param {
                Param::Of(allowed) => self.check_type(func, example, *t, allowed, spans.get(i).copied().unwrap_or(span)),
                Param::FillValue => self.check_fill_value(first, positional.get(i), *t, spans.get(i).copied().unwrap_or(span)),
                // What a window aggregates is checked by `window`.
                Param::Any | Param::Aggregated(_) => {}
            }
        }
        for (k, ((_, t), s)) in named {
            let number = sig.named.iter().any(|n| n.name == k && n.kind == NamedKind::Number);
            if number && !matches!(t, T::Number | T::Unknown) {
                self.diags.push(
                    Diagnostic::new("E0312", *s, format!("`{k}:` expects a number, found a {}", type_name(*t)))
                        .help(format!("write it like `{example}`")),
                );
            }
        }
        for n in sig.named.iter().filter(|n| n.required && !named.contains_key(n.name)) {
            self.diags
                .push(Diagnostic::new("E0313", span, format!("`{f}` needs `{}:`", n.name)).help(format!("write it like `{example}`")));
        }
        out
    }

    /// A positional argument of type `t` where the signature allows `allowed`.
    fn check_type(&mut self, func: FeatureFunction, example: &str, t: ValueType, allowed: &[ValueType], span: Span) {
        use ValueType as T;
        if t == T::Unknown || allowed.contains(&t) {
            return;
        }
        let names: Vec<&str> = allowed.iter().map(|a| type_name(*a)).collect();
        let hint = if func == FeatureFunction::Tfidf && t == T::String {
            "tf-idf reads free text: declare the field as `text` in its schema (`body: text`)".to_string()
        } else if allowed.contains(&T::Number) && matches!(t, T::Category | T::String | T::Bool) {
            format!("encode a {} first, with `onehot(..)` or `hash(.., buckets: N)`; for example `{example}`", type_name(t))
        } else {
            format!("write it like `{example}`")
        };
        self.diags.push(
            Diagnostic::new("E0312", span, format!("`{func}` expects a {}, found a {}", names.join(" or "), type_name(t))).help(hint),
        );
    }

    /// `fill(x, median|mean|mode|VALUE)`: the strategy fits `x`'s type `x`.
    fn check_fill_value(&mut self, x: ValueType, arg: Option<&((FeatureExpr, ValueType), Span)>, v: ValueType, span: Span) {
        use ValueType as T;
        if let Some(((FeatureExpr::Word { word }, _), wspan)) = arg {
            if matches!(word.as_str(), "median" | "mean") && !matches!(x, T::Number | T::Unknown) {
                self.diags.push(
                    Diagnostic::new("E0312", *wspan, format!("`{word}` fills numbers, but this is a {}", type_name(x)))
                        .help("fill categories with `mode` or a value"),
                );
            }
        } else if x != T::Unknown {
            let ok = v == x || v == T::Unknown || (text_like(v) && text_like(x));
            if !ok {
                self.diags.push(
                    Diagnostic::new("E0312", span, format!("the fill value is a {}, but the field is a {}", type_name(v), type_name(x)))
                        .help("fill with a value of the field's type, or with median, mean or mode"),
                );
            }
        }
    }

    /// `count(SOURCE|SOURCE.FIELD, by: KEY, window: D)` and friends.
    fn window(
        &mut self,
        func: WindowFunction,
        name: &Ident,
        args: &[mlspec_syntax::ast::ExprArg],
        span: Span,
        reads: &mut Reads,
    ) -> (FeatureExpr, ValueType) {
        let f = func.as_str();
        let sig = func.signature();
        let example = sig.example;
        let aggregated = func.aggregated();
        let keys: Vec<&str> = sig.named.iter().map(|n| n.name).collect();
        let mut positional = Vec::new();
        let mut by = None;
        let mut window = None;
        for a in args {
            match a.name.as_ref().map(|n| n.name.as_str()) {
                None => positional.push(&a.value),
                Some("by") => by = Some(&a.value),
                Some("window") => window = Some(&a.value),
                Some(other) => {
                    let near = did_you_mean(other, keys.iter().copied());
                    let d = Diagnostic::new("E0103", a.name.as_ref().map_or(span, |n| n.span), format!("`{f}` has no argument `{other}`"));
                    self.diags.push(match near {
                        Some(s) => d.did_you_mean(s),
                        None => d.help(format!("write it like `{example}`")),
                    });
                    // A near miss counts as the argument it was meant to be.
                    match near {
                        Some("by") if by.is_none() => by = Some(&a.value),
                        Some("window") if window.is_none() => window = Some(&a.value),
                        _ => {}
                    }
                }
            }
        }
        if positional.len() != 1 {
            return self.err(
                Diagnostic::new("E0313", span, format!("`{f}` takes one source or field, found {} arguments", positional.len()))
                    .help(format!("write it like `{example}`")),
            );
        }
        let Some(target) = positional.first() else {
            return (FeatureExpr::Invalid, ValueType::Unknown);
        };
        // The aggregated thing: a whole source (count only) or SOURCE.FIELD.
        let (source, field_ty, arg_expr) = match &target.kind {
            ExprKind::Path(p)
                if p.len() == 1 && aggregated.whole_source && p.first().is_some_and(|s| self.design.source(&s.name).is_some()) =>
            {
                let s = p.first().map(|i| i.name.clone()).unwrap_or_default();
                (s.clone(), ValueType::Unknown, FeatureExpr::Source { source: s })
            }
            ExprKind::Path(p) if p.len() == 2 => {
                let (e, t) = self.path(p, target.span, reads);
                if let FeatureExpr::Field { source, field } = &e {
                    reads.windowed.push(FieldRef { source: source.clone(), field: field.clone(), span: target.span });
                }
                let s = p.first().map(|i| i.name.clone()).unwrap_or_default();
                if matches!(e, FeatureExpr::Invalid) {
                    return (FeatureExpr::Invalid, ValueType::Unknown);
                }
                (s, t, e)
            }
            _ => {
                let what = if aggregated.whole_source { "a source or `SOURCE.FIELD`" } else { "a field as `SOURCE.FIELD`" };
                let d = Diagnostic::new("E0312", target.span, format!("`{f}` aggregates {what}"));
                let d = if let ExprKind::Path(p) = &target.kind {
                    match p.first().filter(|_| p.len() == 1) {
                        Some(one) if self.design.source(&one.name).is_none() && aggregated.whole_source => {
                            let names: Vec<&str> = self.design.sources.iter().map(|s| s.name.as_str()).collect();
                            match did_you_mean(&one.name, names.iter().copied()) {
                                Some(n) => d.with_code("E0203").help(format!("did you mean the source `{n}`?")),
                                None => d.with_code("E0203").help(format!("write it like `{example}`")),
                            }
                        }
                        _ => d.help(format!("write it like `{example}`")),
                    }
                } else {
                    d.help(format!("write it like `{example}`"))
                };
                return self.err(d);
            }
        };
        if aggregated.numbers_only && !matches!(field_ty, ValueType::Number | ValueType::Unknown) {
            self.diags.push(
                Diagnostic::new("E0312", target.span, format!("`{f}` needs a number, found a {}", type_name(field_ty)))
                    .help("aggregate a numeric field, or use `count`, `distinct_count` or `last`"),
            );
        }
        let src = self.design.source(&source);
        // by: a key field of the same source.
        let by_name = match by {
            None => {
                self.diags.push(
                    Diagnostic::new("E0313", span, format!("`{f}` needs `by:` (the entity to aggregate per)"))
                        .help(format!("write it like `{example}`")),
                );
                None
            }
            Some(b) => match &b.kind {
                ExprKind::Path(p) if p.len() == 1 || p.len() == 2 => {
                    let (bsrc, bfield) = match p.as_slice() {
                        [one] => (source.clone(), one),
                        [s, one] => (s.name.clone(), one),
                        _ => (source.clone(), &name.clone()),
                    };
                    match src {
                        Some(s) if bsrc == s.name && s.field(&bfield.name).is_some() => Some(bfield.name.clone()),
                        Some(s) => {
                            let names: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
                            let d =
                                Diagnostic::new("E0315", b.span, format!("`by: {}` is not a field of source `{}`", path_text(p), s.name))
                                    .label(s.name_span, "the aggregated source");
                            self.diags.push(match did_you_mean(&bfield.name, names.iter().copied()) {
                                Some(n) => d
                                    .help(format!("did you mean `{n}`? the key must be a field of the aggregated source"))
                                    .fix(Fix::replace_word(b.span, n)),
                                None => d.help(format!("group by a field of `{}`: {}", s.name, names.join(", "))),
                            });
                            None
                        }
                        None => None,
                    }
                }
                _ => {
                    self.diags
                        .push(Diagnostic::new("E0312", b.span, "`by:` takes a field name").help(format!("write it like `{example}`")));
                    None
                }
            },
        };
        let window_s = match window {
            None => {
                self.diags.push(
                    Diagnostic::new("E0313", span, format!("`{f}` needs `window:` (how far back to aggregate)"))
                        .help(format!("write it like `{example}`")),
                );
                None
            }
            Some(w) => match &w.kind {
                ExprKind::Quantity(q) if q.seconds().is_some_and(|s| s > 0.0) => q.seconds(),
                ExprKind::Quantity(q) if q.seconds().is_some() => {
                    self.diags.push(
                        Diagnostic::new("E0304", w.span, format!("the window `{}` is not positive", q.raw))
                            .help("windows must be longer than zero"),
                    );
                    None
                }
                _ => {
                    let n = match &w.kind {
                        ExprKind::Quantity(q) => q.raw.clone(),
                        _ => "7".into(),
                    };
                    self.diags.push(
                        Diagnostic::new("E0301", w.span, "`window:` expects a duration")
                            .help(format!("write the unit right after the number, e.g. `window: {n}d`")),
                    );
                    None
                }
            },
        };
        if let Some(s) = src {
            if s.event_time().is_none() {
                let d = Diagnostic::new("E0314", span, format!("`{f}` over a window needs an `event_time` field on source `{}`", s.name))
                    .label(s.name_span, "this source has no `event_time` field")
                    .help(format!("mark the timestamp field of `{}` with `event_time`, e.g. `ts: timestamp event_time`", s.name));
                // With one timestamp field, that is the one to mark.
                let stamps: Vec<&Field> = s.fields.iter().filter(|f| f.ty == FieldType::Timestamp).collect();
                self.diags.push(match stamps.as_slice() {
                    [ts] => d.fix(Fix::insert(format!("mark `{}.{}` as `event_time`", s.name, ts.name), ts.type_span.end, " event_time")),
                    _ => d,
                });
            }
        }
        if let (Some(by), Some(window_s)) = (by_name.clone(), window_s) {
            reads.windows.push(Window { func, source: source.clone(), by, window_s });
        }
        if let Some(s) = src {
            if let Some(b) = by_name.as_ref().and_then(|b| s.field(b)) {
                reads.fields.push(FieldRef { source: s.name.clone(), field: b.name.clone(), span });
            }
        }
        let mut named = BTreeMap::new();
        if let Some(b) = by_name {
            named.insert("by".to_string(), FeatureExpr::Word { word: b });
        }
        if let Some(w) = window_s {
            named.insert("window".to_string(), FeatureExpr::Number { value: w });
        }
        let out = match sig.result {
            Output::Is(t) => t,
            Output::FirstArg => field_ty,
        };
        (FeatureExpr::Call { func: FeatureFunction::Window(func), args: vec![arg_expr], named }, out)
    }
}

fn text_like(t: ValueType) -> bool {
    matches!(t, ValueType::Category | ValueType::String | ValueType::Text | ValueType::Id)
}

/// Reports an unknown source or field with "did you mean"; `Some` when both exist.
/// E0203 for `source`, not a declared source; `span` is exactly its name.
pub fn unknown_source(design: &Design<Draft>, source: &str, span: Span) -> Diagnostic {
    let names: Vec<&str> = design.sources.iter().map(|s| s.name.as_str()).collect();
    let d = Diagnostic::new("E0203", span, format!("unknown source `{source}`"));
    match did_you_mean(source, names.iter().copied()) {
        Some(n) => d.did_you_mean(n),
        None if names.is_empty() => d.help("declare it with `source NAME { ... }`"),
        None => d.help(format!("the sources are: {}", names.join(", "))),
    }
}

pub fn unknown_field(
    design: &Design<Draft>,
    source: &str,
    source_span: Span,
    field: &str,
    field_span: Span,
    diags: &mut Diags,
) -> Option<FieldRef> {
    let Some(s) = design.source(source) else {
        diags.push(unknown_source(design, source, source_span));
        return None;
    };
    if s.field(field).is_none() {
        let names: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
        let d =
            Diagnostic::new("E0204", field_span, format!("source `{source}` has no field `{field}`")).label(s.name_span, "declared here");
        diags.push(match did_you_mean(field, names.iter().copied()) {
            Some(n) => d.did_you_mean(n),
            None => d.help(format!("its fields are: {}", names.join(", "))),
        });
        return None;
    }
    Some(FieldRef { source: source.to_string(), field: field.to_string(), span: source_span.to(field_span) })
}

/// Whether `f` is also read other than as a window's aggregated value.
fn reads_plain(reads: &Reads, f: &FieldRef) -> bool {
    reads.fields.iter().filter(|x| *x == f).count() > reads.windowed.iter().filter(|x| *x == f).count()
}

/// E0317 for one feature, naming the chain of features to the label.
fn report_leak(design: &Design<Draft>, f: &Feature, leaks: &BTreeMap<String, (FieldRef, Option<String>)>, diags: &mut Diags) {
    let Some((label, first)) = leaks.get(&f.name) else { return };
    let mut chain: Vec<&str> = Vec::new();
    let mut next = first.as_deref();
    // Follow the chain, bounded by the number of features (cycles end it).
    while let Some(n) = next {
        if chain.len() > leaks.len() || chain.contains(&n) {
            break;
        }
        chain.push(n);
        next = leaks.get(n).and_then(|(_, d)| d.as_deref());
    }
    let via = match chain.len() {
        0 => String::new(),
        1..=4 => format!(" through `{}`", chain.join("` -> `")),
        n => format!(" through `{}` -> `{}` and {} more", chain[0], chain[1], n - 2),
    };
    let mut d = Diagnostic::new("E0317", f.name_span, format!("feature `{}` reads the label `{label}`{via}", f.name))
        .help(format!(
            "a label is not known at prediction time: compute the feature from other fields, or from past outcomes kept in a source of their own, dated when each label arrived (e.g. `mean(outcomes.{}, by: user_id, window: 30d)`)",
            label.field
        ));
    if let Some(field) = design.field(label) {
        d = d.label(field.span, "this field is a label");
    }
    diags.push(d);
}

/// The design's form of an operator as written.
fn lower_binary(op: BinaryOp) -> vocab::BinaryOp {
    use vocab::BinaryOp as Ir;
    match op {
        BinaryOp::Or => Ir::Or,
        BinaryOp::And => Ir::And,
        BinaryOp::Add => Ir::Add,
        BinaryOp::Sub => Ir::Sub,
        BinaryOp::Mul => Ir::Mul,
        BinaryOp::Div => Ir::Div,
        BinaryOp::Cmp(c) => match c {
            CmpOp::Lt => Ir::Lt,
            CmpOp::Le => Ir::Le,
            CmpOp::Gt => Ir::Gt,
            CmpOp::Ge => Ir::Ge,
            CmpOp::Eq => Ir::Eq,
            CmpOp::Ne => Ir::Ne,
        },
    }
}
