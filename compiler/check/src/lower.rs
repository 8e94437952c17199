//! Pass 1: statements to the design. Every block is a table of its
//! statements (`*_block()`), lowered by [`lower_block`]; each statement's
//! arguments are read through [`Args`] against the statement forms of
//! docs/language.md; unknown blocks, statements and keys are errors with
//! "did you mean".
//!
//! Feature expressions and rules are kept as AST here and resolved by the
//! feature pass, which needs every source first.

use super::args::{self, call_args, term_number, unknown_value, word, Args, Diags};
use super::block::{lower_block, unknown_stmt, Block, Statement};
use mlspec_diag::span::Span;
use mlspec_diag::Diagnostic;
use mlspec_ir::numbers::round2;
use mlspec_ir::vocab::{
    computed_metric, did_you_mean, AlertChannel, AutoscaleSignal, DriftStat, Imbalance, MissingStrategy, ModelKind, ModelStage, Moment,
    Task, TuningSearch,
};
use mlspec_ir::*;
use mlspec_syntax::ast::{Expr, File, Stmt, StmtKind, Term, TermKind};
use std::collections::BTreeMap;

/// What pass 1 leaves for the feature pass.
pub struct Lowered<'a> {
    pub design: Design<Draft>,
    /// Feature definitions; `None` for a line that did not parse.
    pub feature_exprs: Vec<(&'a Stmt, Option<&'a Expr>)>,
    /// (model index, rule expression)
    pub rule_exprs: Vec<(usize, &'a Expr)>,
}

pub fn lower<'a>(file: &'a File, diags: &mut Diags) -> Lowered<'a> {
    let mut out = Lowered { design: Design::default(), feature_exprs: Vec::new(), rule_exprs: Vec::new() };
    let mut system_seen: Option<Span> = None;
    for stmt in &file.stmts {
        match (&stmt.kind, stmt.head.name.as_str()) {
            (StmtKind::Error, _) => {}
            (StmtKind::Plain { .. }, "system") => {
                if let Some(first) = system_seen {
                    diags.push(
                        Diagnostic::new("E0105", stmt.head.span, "a file describes one system; this is a second `system` block")
                            .label(first, "the first one is here")
                            .help("move the second system to a file of its own"),
                    );
                    continue;
                }
                system_seen = Some(stmt.head.span);
                let mut a = Args::new(stmt, diags.len());
                if let Some((name, span)) = a.name("the system's name", "system fraud_detection { ... }", diags) {
                    out.design.name = name.to_string();
                    out.design.span = span;
                }
                out.design.doc = stmt.doc.clone();
                if let Some(body) = a.block("system fraud_detection { ... }", diags) {
                    a.finish(diags);
                    lower_system(body, &mut out, diags);
                }
            }
            _ => {
                let d = Diagnostic::new("E0101", stmt.head.span, format!("unknown top-level item `{}`", stmt.head.name));
                diags.push(if did_you_mean(&stmt.head.name, ["system"]).is_some() {
                    d.did_you_mean("system")
                } else if system_block().names().contains(&stmt.head.name.as_str()) {
                    d.help(format!("`{}` belongs inside `system NAME {{ ... }}`", stmt.head.name))
                } else {
                    d.help("a file holds one `system NAME { ... }` block")
                });
            }
        }
    }
    // A misspelt `system` was already reported with its fix.
    let misspelt = file.stmts.iter().any(|s| s.head.name != "system" && did_you_mean(&s.head.name, ["system"]).is_some());
    if system_seen.is_none() && !misspelt {
        diags.push(
            Diagnostic::new("E0104", Span::new(0, 0), "no `system` block")
                .help("a spec is `system NAME { problem { objective \"...\"; task binary_classification } ... }`"),
        );
    }
    out
}

/// The blocks whose tables have a statement called `name`, as `problem { ... }`.
fn blocks_with_statement(name: &str) -> Vec<String> {
    let blocks: [(&str, Vec<&str>); 10] = [
        ("problem", problem_block().names()),
        ("constraints", constraints_block().names()),
        ("source", source_block().names()),
        ("dataset", dataset_block().names()),
        ("model", model_block().names()),
        ("serving", serving_block().names()),
        ("stage", stage_block().names()),
        ("monitors", monitors_block().names()),
        ("scenario", scenario_block().names()),
        ("experiment", experiment_block().names()),
    ];
    blocks.iter().filter(|(_, st)| st.contains(&name)).map(|(b, _)| format!("`{b} {{ ... }}`")).collect()
}

/// The statement names of the block called `block` (`"system"`, `"serving"`,
/// `"stage"`, ...), read from its table, in the order the docs list them;
/// `None` for a block whose entries the user names (features, metrics,
/// schema, params) or that does not exist. For editors: completion offers
/// exactly what the checker accepts.
pub fn block_statement_names(block: &str) -> Option<Vec<&'static str>> {
    Some(match block {
        "system" => system_block().names(),
        "problem" => problem_block().names(),
        "constraints" => constraints_block().names(),
        "cost_matrix" => cost_matrix_block().names(),
        "source" => source_block().names(),
        "feature_store" => feature_store_block().names(),
        "dataset" => dataset_block().names(),
        "model" => model_block().names(),
        "serving" => serving_block().names(),
        "stage" => stage_block().names(),
        "monitors" => monitors_block().names(),
        "experiment" => experiment_block().names(),
        "scenario" => scenario_block().names(),
        _ => return None,
    })
}

/// Whether a statement of `body` is a misspelling of `name`: then a missing
/// `name` was already reported, as the unknown statement with its fix.
fn near_miss(body: &[Stmt], name: &str) -> bool {
    body.iter().any(|s| {
        if s.head.name == name {
            !matches!(s.kind, StmtKind::Plain { .. }) // `kind = x`: reported with its fix
        } else {
            did_you_mean(&s.head.name, [name]).is_some()
        }
    })
}

/// `KEYWORD NAME { ... }`: the name and the body.
fn named_block<'a>(a: &mut Args<'a>, example: &str, diags: &mut Diags) -> Option<(&'a str, Span, &'a [Stmt])> {
    let (name, span) = a.name(&format!("a name for the {}", a.head.name), example, diags)?;
    let body = a.block(example, diags)?;
    a.finish(diags);
    Some((name, span, body))
}

/// `KEYWORD { ... }`: the body.
fn plain_block<'a>(a: &mut Args<'a>, example: &str, diags: &mut Diags) -> Option<&'a [Stmt]> {
    let body = a.block(example, diags)?;
    a.finish(diags);
    Some(body)
}

fn system_block<'a>() -> Block<'a, Lowered<'a>> {
    Block {
        name: "system",
        statements: const {
            &[
                Statement::once("description", |out, _, a, diags| out.design.description = text_statement(a, diags)),
                Statement::once("owner", |out, _, a, diags| out.design.owner = text_statement(a, diags)),
                Statement::once("version", |out, _, a, diags| out.design.version = text_statement(a, diags)),
                Statement::once("problem", |out, stmt, a, diags| {
                    if let Some(b) = plain_block(a, "problem { objective \"...\"; task regression }", diags) {
                        out.design.problem = Some(lower_problem(stmt, b, diags));
                    }
                }),
                Statement::once("constraints", |out, stmt, a, diags| {
                    if let Some(b) = plain_block(a, "constraints { latency p99 < 100ms }", diags) {
                        out.design.constraints = lower_constraints(b, diags);
                        out.design.constraints.span = Some(stmt.head.span);
                    }
                }),
                Statement::once("metrics", |out, _, a, diags| {
                    if let Some(b) = plain_block(a, "metrics { auc_roc >= 0.9 offline primary }", diags) {
                        lower_metrics(b, &mut out.design, diags);
                    }
                }),
                Statement::many("source", |out, stmt, a, diags| {
                    if let Some((name, span, b)) = named_block(a, "source events { kind stream ... }", diags) {
                        out.design.sources.push(lower_source(name, span, stmt, b, diags));
                    }
                }),
                Statement::once("features", |out, _, a, diags| {
                    if let Some(b) = plain_block(a, "features { amount_log = log1p(txns.amount) }", diags) {
                        for s in b {
                            match &s.kind {
                                StmtKind::Assign(e) => out.feature_exprs.push((s, Some(e))),
                                StmtKind::Error if !s.head.name.is_empty() => out.feature_exprs.push((s, None)),
                                _ => unknown_stmt(s, "features", &["NAME = EXPR"], diags),
                            }
                        }
                    }
                }),
                Statement::once("feature_store", |out, stmt, a, diags| {
                    if let Some(b) = plain_block(a, "feature_store { online redis ttl 1d }", diags) {
                        out.design.feature_store = Some(lower_feature_store(stmt, b, diags));
                    }
                }),
                Statement::once("dataset", |out, stmt, a, diags| {
                    if let Some(b) = plain_block(a, "dataset { split random train 80% validation 10% test 10% }", diags) {
                        out.design.dataset = Some(lower_dataset(stmt, b, diags));
                    }
                }),
                Statement::many("model", |out, stmt, a, diags| {
                    if let Some((name, span, b)) = named_block(a, "model gbdt { kind gradient_boosting ... }", diags) {
                        let idx = out.design.models.len();
                        let (m, rules) = lower_model(name, span, stmt, b, diags);
                        out.design.models.push(m);
                        out.rule_exprs.extend(rules.into_iter().map(|e| (idx, e)));
                    }
                }),
                Statement::many("serving", |out, stmt, a, diags| {
                    if let Some((name, span, b)) = named_block(a, "serving online { mode realtime ... }", diags) {
                        out.design.servings.push(lower_serving(name, span, stmt, b, diags));
                    }
                }),
                Statement::once("monitors", |out, _, a, diags| {
                    if let Some(b) = plain_block(a, "monitors { retrain every 7d }", diags) {
                        out.design.monitors = lower_monitors(b, diags);
                    }
                }),
                Statement::many("experiment", |out, stmt, a, diags| {
                    if let Some((name, span, b)) = named_block(a, "experiment ab { ab_test treatment a control b ... }", diags) {
                        if let Some(e) = lower_experiment(name, span, stmt, b, diags) {
                            out.design.experiments.push(e);
                        }
                    }
                }),
                Statement::many("scenario", |out, stmt, a, diags| {
                    if let Some((name, span, b)) = named_block(a, "scenario peak { duration 24h ... }", diags) {
                        out.design.scenarios.push(lower_scenario(name, span, stmt, b, diags));
                    }
                }),
            ]
        },
        unknown: unknown_in_system,
    }
}

/// `description "..."`, `owner "..."`, `version "..."`.
fn text_statement(a: &mut Args<'_>, diags: &mut Diags) -> Option<String> {
    let example = format!("{} \"...\"", a.head.name);
    a.string("a string", &example, diags).map(|(s, _)| s.to_string())
}

/// A statement that is not the system's: a misspelling, or one that belongs
/// in one of its blocks.
fn unknown_in_system(stmt: &Stmt, block: &str, known: &[&'static str], diags: &mut Diags) {
    if !matches!(stmt.kind, StmtKind::Plain { .. }) {
        unknown_stmt(stmt, block, known, diags);
        return;
    }
    let head = stmt.head.name.as_str();
    let d = Diagnostic::new("E0101", stmt.head.span, format!("unknown block or statement `{head}` in `{block}`"));
    let homes = blocks_with_statement(head);
    diags.push(match did_you_mean(head, known.iter().copied()) {
        Some(s) => d.did_you_mean(s),
        None if !homes.is_empty() => d.help(format!("`{head}` belongs inside {}", homes.join(" or "))),
        None => d.help(format!("`{block}` takes: {}", known.join(", "))),
    });
}

fn lower_system<'a>(body: &'a [Stmt], out: &mut Lowered<'a>, diags: &mut Diags) {
    let seen = lower_block(&system_block(), body, out, diags);
    if !seen.contains("problem") && !near_miss(body, "problem") {
        diags.push(
            Diagnostic::new("E0104", out.design.span, "the system has no `problem` block")
                .help("add `problem { objective \"...\"; task binary_classification }`"),
        );
    }
}

// ------------------------------------------------------------ problem

fn problem_block<'a>() -> Block<'a, Problem<Draft>> {
    Block {
        name: "problem",
        statements: const {
            &[
                Statement::once("objective", |p, _, a, diags| {
                    p.objective = a.string("a string", "objective \"Reduce churn\"", diags).map(|(s, _)| s.to_string());
                }),
                Statement::once("task", |p, _, a, diags| p.task = a.choice("task", Task::NAMES, diags).and_then(|(t, _)| Task::parse(t))),
                Statement::once("target", |p, _, a, diags| {
                    p.target = a.field_path("target transactions.is_fraud", diags).map(|(f, s)| field_ref(f, s));
                }),
                Statement::once("group", |p, _, a, diags| {
                    p.group = a.field_path("group impressions.request_id", diags).map(|(f, s)| field_ref(f, s));
                }),
                Statement::once("positive_rate", |p, stmt, a, diags| {
                    p.positive_rate = a.fraction("a positive rate", "positive_rate 0.2%", diags);
                    p.positive_rate_span = Some(stmt.span);
                }),
                Statement::once("classes", |p, _, a, diags| match a.next() {
                    Some(Term { kind: TermKind::List(items), .. }) => {
                        p.classes = items
                            .iter()
                            .filter_map(|t| match &t.kind {
                                TermKind::Str(s) => Some(s.clone()),
                                _ => word(t).map(str::to_string),
                            })
                            .collect();
                    }
                    Some(t) => a.wrong(t, "a list of classes", "classes [\"low\", \"high\"]", diags),
                    None => a.missing("a list of classes", "classes [\"low\", \"high\"]", diags),
                }),
                Statement::once("horizon", |p, _, a, diags| p.horizon_s = a.duration("horizon 14d", diags)),
            ]
        },
        unknown: unknown_stmt,
    }
}

fn field_ref(parts: &[mlspec_syntax::ast::Ident], span: Span) -> FieldRef {
    FieldRef {
        source: parts.first().map(|i| i.name.clone()).unwrap_or_default(),
        field: parts.get(1).map(|i| i.name.clone()).unwrap_or_default(),
        span,
    }
}

fn lower_problem(block_stmt: &Stmt, body: &[Stmt], diags: &mut Diags) -> Problem<Draft> {
    let mut p = Problem::new(block_stmt.head.span);
    let seen = lower_block(&problem_block(), body, &mut p, diags);
    for (field, example) in [("objective", "objective \"Reduce fraud losses\""), ("task", "task binary_classification")] {
        if !seen.contains(field) && !near_miss(body, field) {
            diags.push(
                Diagnostic::new("E0104", block_stmt.head.span, format!("`problem` has no `{field}`")).help(format!("add `{example}`")),
            );
        }
    }
    p
}

// ------------------------------------------------------------ constraints

pub const PERCENTILES: &[&str] = &["p50", "p90", "p95", "p99", "p999"];

pub fn percentile_of(label: &str) -> Option<f64> {
    Some(match label {
        "p50" => 50.0,
        "p90" => 90.0,
        "p95" => 95.0,
        "p99" => 99.0,
        "p999" => 99.9,
        _ => return None,
    })
}

fn percentile_arg(a: &mut Args<'_>, diags: &mut Diags) -> Option<(f64, String)> {
    let (w, _) = a.choice("percentile", PERCENTILES, diags)?;
    percentile_of(w).map(|p| (p, w.to_string()))
}

fn constraints_block<'a>() -> Block<'a, Constraints> {
    Block {
        name: "constraints",
        statements: const {
            &[
                Statement::many("latency", |c, stmt, a, diags| {
                    let example = "latency p99 < 100ms";
                    if let Some((percentile, label)) = percentile_arg(a, diags) {
                        if let Some((cmp, span)) = a.cmp(example, diags) {
                            if !matches!(cmp, Cmp::Lt | Cmp::Le) {
                                diags.push(
                                    Diagnostic::new("E0301", span, "a latency constraint is an upper bound")
                                        .help(format!("write it like `{example}`")),
                                );
                            } else if let Some(max_s) = a.duration(example, diags) {
                                c.latency.push(LatencyConstraint { percentile, label, max_s, span: stmt.span });
                            }
                        }
                    }
                }),
                Statement::once("throughput", |c, _, a, diags| c.throughput_rps = a.rate("throughput 1000 rps", diags)),
                Statement::once("availability", |c, _, a, diags| c.availability = a.fraction("availability", "availability 99.9%", diags)),
                Statement::once("budget", |c, _, a, diags| {
                    c.budget_per_month = a.money_per("budget $25k / month", 30.0 * 86_400.0, diags);
                }),
                Statement::many("freshness", lower_freshness),
                Statement::once("training_time", |c, _, a, diags| {
                    let example = "training_time < 4h";
                    if a.cmp_dir(true, example, diags).is_some() {
                        c.training_time_s = a.duration(example, diags);
                    }
                }),
            ]
        },
        unknown: unknown_stmt,
    }
}

/// `freshness D` (the global budget, once) or `freshness SOURCE D` (one
/// source's budget, once per source). Whether SOURCE names a source is
/// checked with the other references (`resolve`).
fn lower_freshness(c: &mut Constraints, stmt: &Stmt, a: &mut Args<'_>, diags: &mut Diags) {
    let per_source = a.peek_word().is_some() && a.remaining() >= 2;
    if !per_source {
        if let Some(prev) = c.freshness_span {
            diags.push(
                Diagnostic::new("E0105", stmt.head.span, "`freshness` is given twice")
                    .label(prev, "first given here")
                    .help("keep one of them; a budget for one source is `freshness SOURCE D`"),
            );
            return;
        }
        c.freshness_span = Some(stmt.head.span);
        c.freshness_s = a.duration("freshness 1h", diags);
        return;
    }
    let Some((source, span)) = a.name("a source", "freshness user_profiles 1d", diags) else { return };
    let Some(max_s) = a.duration("freshness user_profiles 1d", diags) else { return };
    if let Some(prev) = c.source_freshness.iter().find(|b| b.source == source) {
        diags.push(
            Diagnostic::new("E0105", span, format!("the freshness budget of `{source}` is given twice"))
                .label(prev.span, "first given here")
                .help("keep one of them"),
        );
        return;
    }
    c.source_freshness.push(SourceFreshness { source: source.to_string(), max_s, span });
}

fn lower_constraints(body: &[Stmt], diags: &mut Diags) -> Constraints {
    let mut c = Constraints::default();
    lower_block(&constraints_block(), body, &mut c, diags);
    c
}

// ------------------------------------------------------------ metrics

fn lower_metrics(body: &[Stmt], d: &mut Design<Draft>, diags: &mut Diags) {
    for stmt in body {
        if !matches!(stmt.kind, StmtKind::Plain { .. }) {
            unknown_stmt(stmt, "metrics", &["METRIC CMP VALUE [offline|online] [primary]", "METRIC business", "cost_matrix"], diags);
            continue;
        }
        if stmt.head.name == "cost_matrix" {
            if d.cost_matrix.is_some() {
                diags.push(Diagnostic::new("E0105", stmt.head.span, "`cost_matrix` is given twice").help("keep one of them"));
                continue;
            }
            d.cost_matrix = lower_cost_matrix(stmt, diags);
            continue;
        }
        let name = stmt.head.name.clone();
        let (base, k) = match name.split_once('@') {
            Some((b, k)) => (b.to_string(), k.parse::<u32>().ok()),
            None => (name.clone(), None),
        };
        let mut a = Args::new(stmt, diags.len());
        let mut threshold = None;
        if matches!(a.peek().map(|t| &t.kind), Some(TermKind::Cmp(_))) {
            let example = format!("{name} >= 0.9 offline");
            if let Some((cmp, _)) = a.cmp(&example, diags) {
                threshold = match a.next() {
                    Some(t @ Term { kind: TermKind::Quantity(_), .. }) => term_number(t, diags).map(|v| (cmp, v)),
                    Some(t) => {
                        a.wrong(t, "a threshold", &example, diags);
                        None
                    }
                    None => {
                        a.missing("a threshold", &example, diags);
                        None
                    }
                };
            }
        }
        let mut scope = None;
        let mut primary = false;
        while let Some(t) = a.peek() {
            match word(t) {
                Some(w @ ("offline" | "online" | "business")) if scope.is_none() => {
                    scope = Some(match w {
                        "offline" => Scope::Offline,
                        "online" => Scope::Online,
                        _ => Scope::Business,
                    });
                    a.next();
                }
                Some("primary") if !primary => {
                    primary = true;
                    a.next();
                }
                Some(w) if did_you_mean(w, ["offline", "online", "business", "primary"]).is_some() => {
                    diags.push(unknown_value("metric option", w, t.span, ["offline", "online", "business", "primary"]));
                    a.next();
                }
                _ => break,
            }
        }
        a.finish(diags);
        let computed_as = computed_metric(&base, k.is_some());
        let computed = computed_as.is_some();
        if k == Some(0) {
            diags.push(
                Diagnostic::new("E0304", stmt.head.span, format!("`{name}`: the cut-off must be at least 1"))
                    .help(format!("write e.g. `{base}@10`")),
            );
        }
        if let (Some((_, v)), Some(m)) = (threshold, computed_as) {
            let (lo, hi) = m.bounds.range();
            if v < lo || v > hi {
                let range = match (lo.is_finite(), hi.is_finite()) {
                    (true, true) => format!("between {lo} and {hi}"),
                    (true, false) => format!("at least {lo}"),
                    _ => format!("at most {hi}"),
                };
                let pct = if v > 1.0 && v <= 100.0 && hi == 1.0 { format!("; for a percentage write `{v}%`") } else { String::new() };
                diags.push(
                    Diagnostic::new("E0304", stmt.span, format!("`{name}` is {range}, so a threshold of {v} is out of its range"))
                        .help(format!("give a threshold {range}{pct}")),
                );
            }
        }
        let scope = scope.unwrap_or(if computed || threshold.is_some() { Scope::Offline } else { Scope::Online });
        if scope == Scope::Offline && !computed {
            let names = mlspec_ir::vocab::computed_metric_names();
            let near = did_you_mean(&name, names.iter().map(String::as_str)).map(str::to_string);
            let d = Diagnostic::new("E0106", stmt.head.span, format!("unknown offline metric `{name}`"));
            diags.push(match near {
                Some(n) => d.help(format!("did you mean `{n}`? names of your own are tracked, not computed: mark them `online` or `business`")),
                None => d.help("offline metrics are computed: use one of the metrics in docs/language.md, or mark a metric of your own `online` or `business`"),
            });
        }
        if primary && scope != Scope::Offline {
            diags.push(
                Diagnostic::new("E0301", stmt.head.span, "only an offline metric can be `primary`")
                    .help("the primary metric selects models offline: mark it `offline primary`"),
            );
        }
        d.metrics.push(Metric { name, doc: stmt.doc.clone(), base, k, threshold, scope, primary, span: stmt.span });
    }
}

/// The cells given so far; a cell given twice keeps its last value.
type Cells = BTreeMap<&'static str, f64>;

const COST_MATRIX_EXAMPLE: &str = "cost_matrix { tp 5; fp 10; fn 100; tn 0 }";

fn cost_matrix_block<'a>() -> Block<'a, Cells> {
    Block {
        name: "cost_matrix",
        statements: const {
            &[
                Statement::many("tp", |c, s, a, diags| cost_cell(c, "tp", s, a, diags)),
                Statement::many("fp", |c, s, a, diags| cost_cell(c, "fp", s, a, diags)),
                Statement::many("fn", |c, s, a, diags| cost_cell(c, "fn", s, a, diags)),
                Statement::many("tn", |c, s, a, diags| cost_cell(c, "tn", s, a, diags)),
            ]
        },
        unknown: unknown_stmt,
    }
}

/// One cell; a repeat is reported only once its cost has been read.
fn cost_cell(cells: &mut Cells, cell: &'static str, s: &Stmt, a: &mut Args<'_>, diags: &mut Diags) {
    let v = match a.next() {
        Some(t @ Term { kind: TermKind::Quantity(_) | TermKind::Money(_), .. }) => term_money_or_number(t),
        Some(t) => {
            a.wrong(t, "a cost", COST_MATRIX_EXAMPLE, diags);
            None
        }
        None => {
            a.missing("a cost", COST_MATRIX_EXAMPLE, diags);
            None
        }
    };
    a.finish(diags);
    if let Some(v) = v {
        if cells.insert(cell, v).is_some() {
            diags.push(Diagnostic::new("E0105", s.head.span, format!("`{cell}` is given twice")).help("keep one of them"));
        }
    }
}

fn lower_cost_matrix(stmt: &Stmt, diags: &mut Diags) -> Option<CostMatrix> {
    let mut a = Args::new(stmt, diags.len());
    let body = plain_block(&mut a, COST_MATRIX_EXAMPLE, diags)?;
    let mut cells = Cells::new();
    lower_block(&cost_matrix_block(), body, &mut cells, diags);
    for cell in ["tp", "fp", "fn", "tn"] {
        if !cells.contains_key(cell) {
            diags.push(
                Diagnostic::new("E0104", stmt.head.span, format!("`cost_matrix` has no `{cell}` cell"))
                    .help(format!("write all four cells: `{COST_MATRIX_EXAMPLE}`")),
            );
        }
    }
    Some(CostMatrix {
        tp: cells.get("tp").copied().unwrap_or(0.0),
        fp: cells.get("fp").copied().unwrap_or(0.0),
        fn_: cells.get("fn").copied().unwrap_or(0.0),
        tn: cells.get("tn").copied().unwrap_or(0.0),
        span: stmt.span,
    })
}

fn term_money_or_number(t: &Term) -> Option<f64> {
    match &t.kind {
        TermKind::Money(q) | TermKind::Quantity(q) => q.count(),
        _ => None,
    }
}

// ------------------------------------------------------------ sources

/// The words `kind` takes in a source.
pub const SOURCE_KINDS: &[&str] = &["table", "stream", "files", "api", "logs"];
/// The modifiers a schema field takes after its type, in the order help lists them.
pub const FIELD_MODIFIERS: &[&str] =
    &["key", "pii", "label", "nullable", "event_time", "range", "values", "missing", "delay", "references", "dist"];
const DISTS: &[(&str, &[&str])] = &[
    ("normal", &["mean", "sd"]),
    ("lognormal", &["mean", "sd"]),
    ("uniform", &["min", "max"]),
    ("poisson", &["lambda"]),
    ("zipf", &["s", "n"]),
];

fn source_block<'a>() -> Block<'a, Source> {
    Block {
        name: "source",
        statements: const {
            &[
                Statement::once("kind", |s, _, a, diags| {
                    s.kind = a.choice("source kind", SOURCE_KINDS, diags).map(|(k, _)| match k {
                        "table" => SourceKind::Table,
                        "stream" => SourceKind::Stream,
                        "files" => SourceKind::Files,
                        "api" => SourceKind::Api,
                        _ => SourceKind::Logs,
                    });
                }),
                Statement::once("format", |s, _, a, diags| {
                    s.format = a.name("a format", "format parquet", diags).map(|(f, _)| f.to_string())
                }),
                Statement::once("location", |s, _, a, diags| {
                    s.location = a.string("a string", "location \"s3://bucket/path\"", diags).map(|(l, _)| l.to_string());
                }),
                Statement::once("volume", |s, stmt, a, diags| {
                    let example = "volume 86M / day";
                    s.volume_span = Some(stmt.span);
                    s.volume = a.count("a row count", example, diags);
                    if matches!(a.peek().map(|t| &t.kind), Some(TermKind::Slash)) {
                        a.next();
                        s.volume_per_s = a.period(example, diags).and_then(|p| s.volume.map(|v| v / p));
                    }
                }),
                Statement::once("freshness", |s, stmt, a, diags| {
                    s.freshness_span = Some(stmt.span);
                    s.freshness = if a.keyword("realtime") {
                        Some(Freshness::Realtime)
                    } else {
                        a.duration("freshness 1h", diags).map(Freshness::Every)
                    };
                }),
                Statement::once("retention", |s, _, a, diags| s.retention_s = a.duration("retention 2y", diags)),
                Statement::once("schema", |s, _, a, diags| {
                    if let Some(b) = a.block("schema { user_id: id key }", diags) {
                        s.fields = b.iter().filter_map(|f| lower_field(f, diags)).collect();
                    }
                }),
            ]
        },
        unknown: unknown_stmt,
    }
}

fn lower_source(name: &str, name_span: Span, stmt: &Stmt, body: &[Stmt], diags: &mut Diags) -> Source {
    let mut s = Source {
        name: name.to_string(),
        doc: stmt.doc.clone(),
        kind: None,
        format: None,
        location: None,
        volume: None,
        volume_per_s: None,
        freshness: None,
        retention_s: None,
        fields: Vec::new(),
        span: stmt.span,
        name_span,
        volume_span: None,
        freshness_span: None,
    };
    lower_block(&source_block(), body, &mut s, diags);
    s
}

fn lower_field(stmt: &Stmt, diags: &mut Diags) -> Option<Field> {
    if !matches!(stmt.kind, StmtKind::Plain { .. }) {
        unknown_stmt(stmt, "schema", &["FIELD: TYPE MODIFIER*"], diags);
        return None;
    }
    let mut a = Args::new(stmt, diags.len());
    // A field whose type is wrong is still declared, so reads of it are not
    // reported as unknown fields too.
    let type_term = a.next();
    let type_span = type_term.map_or(stmt.head.span, |t| t.span);
    let ty = field_type(type_term, &a, diags).unwrap_or(FieldType::Unknown);
    let mut f = Field {
        name: stmt.head.name.clone(),
        doc: stmt.doc.clone(),
        ty,
        key: false,
        pii: false,
        label: false,
        nullable: false,
        event_time: false,
        range: None,
        values: Vec::new(),
        missing: None,
        delay_s: None,
        references: None,
        dist: None,
        span: stmt.head.span,
        type_span,
        modifier_spans: BTreeMap::new(),
    };
    let mut once = BTreeMap::new();
    while let Some(t) = a.next() {
        let Some(m) = word(t) else {
            diags.push(
                Diagnostic::new("E0301", t.span, format!("expected a field modifier, found {}", args::describe(t)))
                    .help(format!("modifiers are: {}", FIELD_MODIFIERS.join(", "))),
            );
            continue;
        };
        if !FIELD_MODIFIERS.contains(&m) {
            diags.push(unknown_value("field modifier", m, t.span, FIELD_MODIFIERS.iter().copied()).with_code("E0103"));
            // Its arguments (`refrences users.id`) belong to the reported mistake.
            while a.peek().is_some_and(|x| word(x).is_none()) {
                a.next();
            }
            continue;
        }
        if once.insert(m, t.span).is_some() {
            diags.push(Diagnostic::new("E0105", t.span, format!("modifier `{m}` is given twice")).help("keep one of them"));
        }
        // The modifier with its argument, when it takes one (every modifier
        // but the flags takes exactly the next term).
        let argument = a.peek().filter(|_| !matches!(m, "key" | "pii" | "label" | "nullable" | "event_time"));
        if let Some(word) = FIELD_MODIFIERS.iter().find(|w| **w == m) {
            f.modifier_spans.insert(word, argument.map_or(t.span, |arg| t.span.to(arg.span)));
        }
        match m {
            "key" => f.key = true,
            "pii" => f.pii = true,
            "label" => f.label = true,
            "nullable" => f.nullable = true,
            "event_time" => f.event_time = true,
            "range" => match a.next() {
                Some(Term { kind: TermKind::Range(lo, hi), span }) => {
                    if let (Some(l), Some(h)) = (term_number(lo, diags), term_number(hi, diags)) {
                        if l > h {
                            diags.push(
                                Diagnostic::new("E0305", *span, format!("the range {l}..{h} is empty: its minimum is above its maximum"))
                                    .help(format!("write the smaller bound first: `{h}..{l}`")),
                            );
                        } else {
                            f.range = Some((l, h));
                        }
                    }
                }
                Some(t) => a.wrong(t, "a range", "range 0..100", diags),
                None => a.missing("a range", "range 0..100", diags),
            },
            "values" => match a.next() {
                Some(Term { kind: TermKind::List(items), .. }) => {
                    f.values = items
                        .iter()
                        .filter_map(|t| match &t.kind {
                            TermKind::Str(s) => Some(s.clone()),
                            TermKind::Quantity(q) => Some(q.raw.clone()),
                            _ => word(t).map(str::to_string),
                        })
                        .collect();
                }
                Some(t) => a.wrong(t, "a list of values", "values [\"a\", \"b\"]", diags),
                None => a.missing("a list of values", "values [\"a\", \"b\"]", diags),
            },
            "missing" => f.missing = a.fraction("a missing rate", "missing 1%", diags),
            "delay" => f.delay_s = a.duration("delay 30d", diags),
            "references" => f.references = a.field_path("references users.user_id", diags).map(|(p, s)| field_ref(p, s)),
            _ => match a.next() {
                Some(Term { kind: TermKind::Call(c), span }) => f.dist = lower_dist(c, *span, diags),
                Some(t) => a.wrong(t, "a distribution", "dist lognormal(mean: 3.5, sd: 1.2)", diags),
                None => a.missing("a distribution", "dist lognormal(mean: 3.5, sd: 1.2)", diags),
            },
        }
    }
    if f.event_time && !matches!(f.ty, FieldType::Timestamp | FieldType::Date | FieldType::Unknown) {
        let at = once.get("event_time").copied().unwrap_or(f.span);
        diags.push(
            Diagnostic::new("E0406", at, format!("`event_time` marks a timestamp, but `{}` is a {}", f.name, f.ty.name()))
                .help("put `event_time` on the field that holds when the event happened (`ts: timestamp event_time`)"),
        );
    }
    Some(f)
}

fn field_type(t: Option<&Term>, a: &Args<'_>, diags: &mut Diags) -> Option<FieldType> {
    let example = "amount: float";
    let Some(t) = t else {
        a.missing("a type", example, diags);
        return None;
    };
    let all = || FieldType::SIMPLE.iter().copied().chain(["embedding", "list"]);
    match &t.kind {
        TermKind::Path(p) if p.len() == 1 => {
            let w = p.first().map_or("", |i| i.name.as_str());
            let ty = match w {
                "id" => FieldType::Id,
                "int" => FieldType::Int,
                "float" => FieldType::Float,
                "bool" => FieldType::Bool,
                "string" => FieldType::String,
                "text" => FieldType::Text,
                "category" => FieldType::Category,
                "timestamp" => FieldType::Timestamp,
                "date" => FieldType::Date,
                "geo" => FieldType::Geo,
                "embedding" | "list" => {
                    let example = if w == "embedding" { "embedding(128)" } else { "list(float)" };
                    diags.push(
                        Diagnostic::new(
                            "E0301",
                            t.span,
                            format!("`{w}` needs {}", if w == "embedding" { "its dimension" } else { "its element type" }),
                        )
                        .help(format!("write it like `{example}`")),
                    );
                    return None;
                }
                _ => {
                    diags.push(unknown_value("field type", w, t.span, all()));
                    return None;
                }
            };
            Some(ty)
        }
        TermKind::Call(c) if c.name.name == "embedding" => {
            let n = c.args.first().and_then(|x| term_number(&x.value, diags));
            match n {
                Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => Some(FieldType::Embedding(n as u32)),
                _ => {
                    diags.push(Diagnostic::new("E0301", t.span, "`embedding` needs its dimension").help("write it like `embedding(64)`"));
                    None
                }
            }
        }
        TermKind::Call(c) if c.name.name == "list" => {
            let inner = c.args.first().map(|x| &x.value);
            if inner.is_some_and(|x| matches!(x.kind, TermKind::Call(_))) {
                diags.push(
                    Diagnostic::new("E0301", t.span, "lists of lists are not supported").help("write `list(float)` or `embedding(N)`"),
                );
                return None;
            }
            let inner = field_type(inner, a, diags)?;
            Some(FieldType::List(Box::new(inner)))
        }
        TermKind::Call(c) => {
            diags.push(unknown_value("field type", &c.name.name, c.name.span, all()));
            None
        }
        _ => {
            a.wrong(t, "a field type", example, diags);
            None
        }
    }
}

fn lower_dist(c: &mlspec_syntax::ast::Call, span: Span, diags: &mut Diags) -> Option<Dist> {
    let Some((_, params)) = DISTS.iter().find(|(n, _)| *n == c.name.name) else {
        diags.push(unknown_value("distribution", &c.name.name, c.name.span, DISTS.iter().map(|(n, _)| *n)));
        return None;
    };
    let a = call_args(c, params, diags);
    if let Some(t) = a.positional.first() {
        diags.push(
            Diagnostic::new("E0301", t.span, format!("`{}` takes named arguments", c.name.name))
                .help(format!("its arguments are: {}", params.iter().map(|p| format!("{p}:")).collect::<Vec<_>>().join(", "))),
        );
    }
    let mut out = BTreeMap::new();
    for p in params.iter() {
        match a.named.get(p) {
            Some(t) => {
                if let Some(v) = term_number(t, diags) {
                    out.insert((*p).to_string(), v);
                }
            }
            None => diags.push(
                Diagnostic::new("E0302", span, format!("`{}` needs `{p}:`", c.name.name))
                    .help(format!("give all of: {}", params.iter().map(|p| format!("{p}:")).collect::<Vec<_>>().join(", "))),
            ),
        }
    }
    if let (Some(sd), true) = (out.get("sd"), c.name.name == "normal" || c.name.name == "lognormal") {
        if *sd <= 0.0 {
            diags.push(Diagnostic::new("E0304", span, "`sd` must be positive").help("a standard deviation is greater than zero"));
        }
    }
    if let (Some(lo), Some(hi)) = (out.get("min"), out.get("max")) {
        if lo > hi {
            diags.push(Diagnostic::new("E0305", span, "`min` is above `max`").help("swap them"));
        }
    }
    Some(Dist { kind: c.name.name.clone(), params: out })
}

// ------------------------------------------------------------ feature store and dataset

fn feature_store_block<'a>() -> Block<'a, FeatureStore> {
    Block {
        name: "feature_store",
        statements: const {
            &[
                Statement::once("online", |fs, _, a, diags| {
                    let engine = a.name("a store", "online redis", diags).map(|(e, _)| e.to_string());
                    let ttl_s = if a.keyword("ttl") { a.duration("online redis ttl 1d", diags) } else { None };
                    fs.online = engine.map(|engine| Store { engine, ttl_s });
                }),
                Statement::once("offline", |fs, _, a, diags| {
                    fs.offline = a.name("a store", "offline redis", diags).map(|(e, _)| e.to_string());
                }),
            ]
        },
        unknown: unknown_stmt,
    }
}

fn lower_feature_store(stmt: &Stmt, body: &[Stmt], diags: &mut Diags) -> FeatureStore {
    let mut fs = FeatureStore { online: None, offline: None, span: stmt.head.span };
    lower_block(&feature_store_block(), body, &mut fs, diags);
    fs
}

fn dataset_block<'a>() -> Block<'a, Dataset> {
    Block {
        name: "dataset",
        statements: const {
            &[
                Statement::once("split", |ds, s, a, diags| ds.split = lower_split(s, a, diags)),
                Statement::once("imbalance", |ds, _, a, diags| ds.imbalance = lower_imbalance(a, diags)),
                Statement::once("missing", |ds, _, a, diags| {
                    ds.missing =
                        a.choice("missing-value strategy", MissingStrategy::NAMES, diags).and_then(|(w, _)| MissingStrategy::parse(w));
                }),
                Statement::once("dedupe", |ds, _, a, diags| {
                    if let Some((w, span)) = a.name("a field", "dedupe txn_id", diags) {
                        ds.dedupe = Some(w.to_string());
                        ds.dedupe_span = span;
                    }
                }),
                Statement::once("outliers", |ds, _, a, diags| {
                    let example = "outliers clip(1%, 99%)";
                    match a.next() {
                        Some(Term { kind: TermKind::Call(c), span }) if c.name.name == "clip" => {
                            let ca = call_args(c, &[], diags);
                            let q: Vec<f64> = ca
                                .positional
                                .iter()
                                .filter_map(|t| match &t.kind {
                                    TermKind::Quantity(q) => args::fraction_of(q, t.span, "a percentile", diags),
                                    _ => None,
                                })
                                .collect();
                            match q.as_slice() {
                                [lo, hi] if lo <= hi => ds.outliers = Some((*lo, *hi)),
                                [_, _] => {
                                    diags.push(Diagnostic::new("E0305", *span, "the lower clip is above the upper clip").help(example))
                                }
                                _ => diags.push(
                                    Diagnostic::new("E0302", *span, "`clip` needs two percentiles")
                                        .help(format!("write it like `{example}`")),
                                ),
                            }
                        }
                        Some(t) => a.wrong(t, "`clip(P, P)`", example, diags),
                        None => a.missing("`clip(P, P)`", example, diags),
                    }
                }),
            ]
        },
        unknown: unknown_stmt,
    }
}

fn lower_dataset(stmt: &Stmt, body: &[Stmt], diags: &mut Diags) -> Dataset {
    let mut ds = Dataset { span: stmt.head.span, ..Dataset::default() };
    lower_block(&dataset_block(), body, &mut ds, diags);
    ds
}

fn lower_imbalance(a: &mut Args<'_>, diags: &mut Diags) -> Option<(Imbalance, Option<f64>)> {
    let example = "imbalance undersample(0.1)";
    match a.next() {
        Some(t @ Term { kind: TermKind::Call(c), span }) => match Imbalance::parse(&c.name.name) {
            Some(Imbalance::Undersample) => {
                let ca = call_args(c, &[], diags);
                let ratio = match ca.positional.first() {
                    Some(Term { kind: TermKind::Quantity(q), span }) => args::fraction_of(q, *span, "an undersampling ratio", diags),
                    _ => None,
                };
                Some((Imbalance::Undersample, ratio))
            }
            Some(how @ (Imbalance::Oversample | Imbalance::ClassWeight | Imbalance::Smote)) => {
                diags.push(
                    Diagnostic::new("E0301", *span, format!("`{how}` takes no arguments"))
                        .help(format!("write `imbalance {how}`; only `undersample(R)` takes a ratio")),
                );
                Some((how, None))
            }
            None => {
                a.wrong(t, "an imbalance strategy", example, diags);
                None
            }
        },
        Some(t) => match word(t) {
            Some(w) => match Imbalance::parse(w) {
                Some(how) => Some((how, None)),
                None => {
                    diags.push(unknown_value("imbalance strategy", w, t.span, Imbalance::NAMES.iter().copied()));
                    None
                }
            },
            None => {
                a.wrong(t, "an imbalance strategy", example, diags);
                None
            }
        },
        None => {
            a.missing("a strategy", example, diags);
            None
        }
    }
}

fn lower_split(stmt: &Stmt, a: &mut Args<'_>, diags: &mut Diags) -> Option<Split> {
    let example = "split time(events.ts) train 80% validation 10% test 10%";
    let strategy = match a.next() {
        Some(t) if word(t) == Some("random") => SplitStrategy::Random,
        Some(Term { kind: TermKind::Call(c), span }) if c.name.name == "time" || c.name.name == "group" => {
            let ca = call_args(c, &[], diags);
            let r = match ca.positional.first() {
                Some(Term { kind: TermKind::Path(p), span }) if p.len() == 2 => field_ref(p, *span),
                _ => {
                    diags.push(
                        Diagnostic::new("E0301", *span, format!("`{}` needs a field as `SOURCE.FIELD`", c.name.name))
                            .help(format!("write it like `{}(events.ts)`", c.name.name)),
                    );
                    return None;
                }
            };
            if c.name.name == "time" {
                SplitStrategy::Time(r)
            } else {
                SplitStrategy::Group(r)
            }
        }
        Some(t) => {
            let near = word(t).and_then(|w| did_you_mean(w, ["random", "time", "group"]));
            let d = Diagnostic::new(
                "E0301",
                t.span,
                format!("expected `random`, `time(FIELD)` or `group(FIELD)`, found {}", args::describe(t)),
            );
            diags.push(match near {
                Some(n) => d.did_you_mean(n),
                None => d.help(format!("write it like `{example}`")),
            });
            return None;
        }
        None => {
            a.missing("a split strategy", example, diags);
            return None;
        }
    };
    let mut shares = [None; 3];
    for (i, part) in ["train", "validation", "test"].iter().enumerate() {
        if a.expect_keyword(part, example, diags) {
            shares[i] = a.fraction(&format!("the {part} share"), example, diags);
        }
    }
    let [Some(train), Some(validation), Some(test)] = shares else {
        return None;
    };
    Some(Split { strategy, train, validation, test, span: stmt.span })
}

// ------------------------------------------------------------ models

/// A model being lowered, with its rules' expressions for the feature pass.
struct ModelParts<'a> {
    model: Model<Draft>,
    rules: Vec<&'a Expr>,
}

fn model_block<'a>() -> Block<'a, ModelParts<'a>> {
    Block {
        name: "model",
        statements: const {
            &[
                Statement::once("kind", |m, s, a, diags| {
                    m.model.kind_span = s.span;
                    m.model.kind = a.choice("model kind", ModelKind::NAMES, diags).and_then(|(k, _)| ModelKind::parse(k));
                }),
                Statement::once("features", |m, _, a, diags| match a.next() {
                    Some(Term { kind: TermKind::List(items), .. }) => {
                        for t in items {
                            match word(t) {
                                Some(w) => {
                                    m.model.features.push(w.to_string());
                                    m.model.feature_spans.push(t.span);
                                }
                                None => a.wrong(t, "a feature name", "features [amount_log, merchant]", diags),
                            }
                        }
                    }
                    Some(t) => a.wrong(t, "a list of features", "features [amount_log, merchant]", diags),
                    None => a.missing("a list of features", "features [amount_log, merchant]", diags),
                }),
                Statement::once("params", |m, _, a, diags| {
                    if let Some(b) = a.block("params { trees 500; depth 8 }", diags) {
                        lower_params(b, &mut m.model.params, diags);
                    }
                }),
                Statement::once("tuning", |m, s, a, diags| {
                    m.model.tuning = lower_tuning(a, diags);
                    m.model.tuning_span = s.span;
                }),
                Statement::once("baseline", |m, _, a, diags| {
                    if let Some((w, span)) = a.name("a model", "baseline rules_baseline", diags) {
                        m.model.baseline = Some(w.to_string());
                        m.model.baseline_span = span;
                    }
                }),
                Statement::rule(|m, s, a, diags| match &s.kind {
                    StmtKind::Rule(e) => m.rules.push(e),
                    _ => a.missing("an expression", "rule amount > 5000", diags),
                }),
                Statement::once("stage", |m, _, a, diags| {
                    m.model.stage = a.choice("model stage", ModelStage::NAMES, diags).and_then(|(w, _)| ModelStage::parse(w));
                }),
                Statement::once("candidates", |m, _, a, diags| m.model.candidates = a.count("a candidate count", "candidates 1000", diags)),
                Statement::once("latency", |m, _, a, diags| m.model.latency = a.latency(diags)),
            ]
        },
        unknown: unknown_stmt,
    }
}

fn lower_model<'a>(name: &str, name_span: Span, stmt: &Stmt, body: &'a [Stmt], diags: &mut Diags) -> (Model<Draft>, Vec<&'a Expr>) {
    let model = Model::<Draft> {
        name: name.to_string(),
        doc: stmt.doc.clone(),
        kind: None,
        kind_span: name_span,
        features: Vec::new(),
        feature_spans: Vec::new(),
        params: BTreeMap::new(),
        tuning: None,
        tuning_span: Span::default(),
        baseline: None,
        baseline_span: Span::default(),
        rules: Vec::new(),
        stage: None,
        candidates: None,
        latency: None,
        span: stmt.span,
        name_span,
    };
    let mut parts = ModelParts { model, rules: Vec::new() };
    let seen = lower_block(&model_block(), body, &mut parts, diags);
    if !seen.contains("kind") && !near_miss(body, "kind") {
        diags.push(
            Diagnostic::new("E0104", name_span, format!("model `{name}` has no `kind`"))
                .help("add `kind gradient_boosting` (or another model kind)"),
        );
    }
    (parts.model, parts.rules)
}

/// `params { NAME VALUE ... }`: names are the model library's, not checked here.
fn lower_params(body: &[Stmt], params: &mut BTreeMap<String, ParamValue>, diags: &mut Diags) {
    for p in body {
        let mut pa = Args::new(p, diags.len());
        let v = match pa.next() {
            Some(t @ Term { kind: TermKind::Quantity(_), .. }) => term_number(t, diags).map(ParamValue::Number),
            Some(Term { kind: TermKind::Str(s), .. }) => Some(ParamValue::Text(s.clone())),
            Some(Term { kind: TermKind::List(items), .. }) => {
                let n: Vec<f64> = items.iter().filter_map(|t| term_number(t, diags)).collect();
                (n.len() == items.len()).then_some(ParamValue::List(n))
            }
            Some(t) if word(t).is_some() => word(t).map(|w| ParamValue::Text(w.to_string())),
            Some(t) => {
                pa.wrong(t, "a number or a name", "depth 8", diags);
                None
            }
            None => {
                pa.missing("a value", "depth 8", diags);
                None
            }
        };
        pa.finish(diags);
        if let Some(v) = v {
            if params.insert(p.head.name.clone(), v).is_some() {
                diags.push(
                    Diagnostic::new("E0105", p.head.span, format!("parameter `{}` is given twice", p.head.name)).help("keep one of them"),
                );
            }
        }
    }
}

fn lower_tuning(a: &mut Args<'_>, diags: &mut Diags) -> Option<Tuning> {
    let example = "tuning random_search(trials: 50) cv 5 metric auc_roc";
    let Some(term) = a.next() else {
        a.missing("a search", example, diags);
        return None;
    };
    let call = match &term.kind {
        TermKind::Call(c) => Some(c),
        _ => None,
    };
    let Some(name) = word(term).or(call.map(|c| c.name.name.as_str())) else {
        a.wrong(term, "a search", example, diags);
        return None;
    };
    let Some(search) = TuningSearch::parse(name) else {
        diags.push(unknown_value("tuning search", name, term.span, TuningSearch::NAMES.iter().copied()));
        return None;
    };
    let trials = call.and_then(|c| {
        let ca = call_args(c, &["trials"], diags);
        ca.named.get("trials").and_then(|t| term_number(t, diags)).map(|n| n.max(0.0) as u64)
    });
    let mut t = Tuning { search, trials, cv: None, metric: None };
    loop {
        if a.keyword("cv") {
            t.cv = a.count("a fold count", example, diags).map(|n| n as u64);
        } else if a.keyword("metric") {
            t.metric = match a.next() {
                Some(Term { kind: TermKind::AtName { name, k }, .. }) => Some(format!("{name}@{k}")),
                Some(x) if word(x).is_some() => word(x).map(str::to_string),
                Some(x) => {
                    a.wrong(x, "a metric", example, diags);
                    None
                }
                None => {
                    a.missing("a metric", example, diags);
                    None
                }
            };
        } else {
            break;
        }
    }
    Some(t)
}

// ------------------------------------------------------------ serving

fn serving_block<'a>() -> Block<'a, Serving> {
    Block {
        name: "serving",
        statements: const {
            &[
                Statement::once("mode", |sv, _, a, diags| {
                    sv.mode = a.choice("serving mode", &["realtime", "batch", "streaming", "edge"], diags).map(|(w, _)| match w {
                        "realtime" => ServingMode::Realtime,
                        "batch" => ServingMode::Batch,
                        "streaming" => ServingMode::Streaming,
                        _ => ServingMode::Edge,
                    });
                }),
                Statement::once("endpoint", |sv, _, a, diags| {
                    sv.endpoint = a.string("a path", "endpoint \"/v1/score\"", diags).map(|(e, _)| e.to_string());
                }),
                Statement::many("stage", |sv, s, a, diags| {
                    let example = "stage score { model gbdt }";
                    if let Some((sname, sspan)) = a.name("a stage name", example, diags) {
                        if let Some(b) = a.block(example, diags) {
                            let mut st = lower_stage(sname, sspan, b, diags);
                            st.doc = s.doc.clone();
                            sv.stages.push(st);
                        }
                    }
                }),
                Statement::once("replicas", |sv, s, a, diags| {
                    if let Some((lo, hi)) = a.count_range("a replica count", "replicas 4..20", diags) {
                        if lo < 1.0 {
                            diags.push(
                                Diagnostic::new("E0304", s.span, "a serving needs at least one replica").help("write `replicas 1..N`"),
                            );
                        }
                        sv.replicas = (lo.max(1.0) as u64, hi.max(1.0) as u64);
                    }
                }),
                Statement::once("concurrency", |sv, s, a, diags| {
                    if let Some(n) = a.count("a concurrency", "concurrency 8", diags) {
                        if n < 1.0 {
                            diags.push(
                                Diagnostic::new("E0304", s.span, "concurrency must be at least 1").help("write `concurrency 1` or more"),
                            );
                        }
                        sv.concurrency = n.max(1.0) as u64;
                    }
                }),
                Statement::once("balancer", |sv, _, a, diags| {
                    if let Some((w, _)) = a.choice("balancer", &["shared_queue", "least_loaded", "round_robin", "random"], diags) {
                        sv.balancer = match w {
                            "least_loaded" => Balancer::LeastLoaded,
                            "round_robin" => Balancer::RoundRobin,
                            "random" => Balancer::Random,
                            _ => Balancer::SharedQueue,
                        };
                    }
                }),
                Statement::once("autoscale", |sv, _, a, diags| {
                    let example = "autoscale cpu 70% warmup 60s";
                    if let Some(on) =
                        a.choice("autoscale signal", AutoscaleSignal::NAMES, diags).and_then(|(w, _)| AutoscaleSignal::parse(w))
                    {
                        let target = match on {
                            AutoscaleSignal::Cpu => a.fraction("a target utilisation", example, diags),
                            AutoscaleSignal::Rps => a.count("a target rps per replica", "autoscale rps 200", diags),
                        };
                        let warmup_s = if a.keyword("warmup") { a.duration(example, diags) } else { None };
                        sv.autoscale = target.map(|target| Autoscale { on, target, warmup_s });
                    }
                }),
                Statement::once("cache", |sv, _, a, diags| {
                    let example = "cache ttl 5m hit_rate 20%";
                    if a.expect_keyword("ttl", example, diags) {
                        let ttl = a.duration(example, diags);
                        if a.expect_keyword("hit_rate", example, diags) {
                            let hit = a.fraction("a hit rate", example, diags);
                            if let (Some(t), Some(h)) = (ttl, hit) {
                                sv.cache = Some((t, h));
                            }
                        }
                    }
                }),
                Statement::once("timeout", |sv, s, a, diags| {
                    let example = "timeout 80ms fallback rules_baseline";
                    let after = a.duration(example, diags);
                    if a.expect_keyword("fallback", example, diags) {
                        let model = a.name("a fallback model", example, diags).map(|(w, _)| w.to_string());
                        if let (Some(t), Some(m)) = (after, model) {
                            sv.timeout = Some((t, m));
                            sv.timeout_span = s.span;
                        }
                    }
                }),
                Statement::once("queue", |sv, _, a, diags| sv.queue = a.count("a queue length", "queue 1000", diags).map(|n| n as u64)),
                Statement::once("instance", |sv, _, a, diags| sv.instance = lower_instance(a, diags)),
                Statement::once("schedule", |sv, _, a, diags| {
                    if a.expect_keyword("every", "schedule every 1d", diags) {
                        sv.schedule_every_s = a.duration("schedule every 1d", diags);
                    }
                }),
            ]
        },
        unknown: unknown_stmt,
    }
}

fn lower_serving(name: &str, name_span: Span, stmt: &Stmt, body: &[Stmt], diags: &mut Diags) -> Serving {
    let mut sv = Serving {
        name: name.to_string(),
        doc: stmt.doc.clone(),
        mode: None,
        endpoint: None,
        stages: Vec::new(),
        replicas: (1, 1),
        concurrency: 1,
        balancer: Balancer::SharedQueue,
        autoscale: None,
        cache: None,
        timeout: None,
        timeout_span: Span::default(),
        queue: None,
        instance: None,
        schedule_every_s: None,
        span: stmt.span,
        name_span,
    };
    lower_block(&serving_block(), body, &mut sv, diags);
    sv
}

fn stage_block<'a>() -> Block<'a, Stage> {
    Block {
        name: "stage",
        statements: const {
            &[
                Statement::once("model", |st, _, a, diags| {
                    if let Some((w, span)) = a.name("a model", "model gbdt", diags) {
                        st.model = Some(w.to_string());
                        st.model_span = span;
                    }
                }),
                Statement::once("feature_store", |st, _, a, diags| {
                    st.feature_store_online = a.choice("feature store", &["online"], diags).is_some();
                }),
                Statement::once("latency", |st, _, a, diags| st.latency = a.latency(diags)),
                Statement::once("batch", |st, s, a, diags| {
                    let example = "batch 16 wait 2ms";
                    let n = a.count("a batch size", example, diags);
                    if a.expect_keyword("wait", example, diags) {
                        if let (Some(n), Some(w)) = (n, a.duration(example, diags)) {
                            if n < 1.0 {
                                diags.push(Diagnostic::new("E0304", s.span, "a batch holds at least one request").help(example));
                            } else {
                                st.batch = Some((n as u64, w));
                            }
                        }
                    }
                }),
            ]
        },
        unknown: unknown_stmt,
    }
}

fn lower_stage(name: &str, span: Span, body: &[Stmt], diags: &mut Diags) -> Stage {
    let mut st = Stage {
        name: name.to_string(),
        doc: Vec::new(),
        model: None,
        model_span: span,
        feature_store_online: false,
        latency: None,
        batch: None,
        span,
    };
    lower_block(&stage_block(), body, &mut st, diags);
    st
}

fn lower_instance(a: &mut Args<'_>, diags: &mut Diags) -> Option<Instance> {
    let example = "instance cpu(cores: 4, memory: 8GB) cost $0.20 / hour";
    let (kind, params) = match a.next() {
        Some(Term { kind: TermKind::Call(c), .. }) if c.name.name == "cpu" || c.name.name == "gpu" => {
            let allowed: &[&str] = if c.name.name == "gpu" { &["count", "memory", "cores", "type"] } else { &["cores", "memory"] };
            let ca = call_args(c, allowed, diags);
            let mut params = BTreeMap::new();
            for (k, t) in ca.named {
                if k != "type" {
                    if let Some(v) = term_number(t, diags) {
                        params.insert(k.to_string(), v);
                    }
                }
            }
            (c.name.name.clone(), params)
        }
        Some(t) => {
            a.wrong(t, "`cpu(..)` or `gpu(..)`", example, diags);
            return None;
        }
        None => {
            a.missing("`cpu(..)` or `gpu(..)`", example, diags);
            return None;
        }
    };
    let cost_per_hour = if a.keyword("cost") { a.money_per(example, 3600.0, diags) } else { None };
    Some(Instance { kind, params, cost_per_hour })
}

// ------------------------------------------------------------ monitors

fn monitors_block<'a>() -> Block<'a, Vec<Monitor>> {
    Block {
        name: "monitors",
        statements: const {
            &[
                Statement::many("drift", |out, s, a, diags| {
                    let kind = lower_drift_monitor(a, diags);
                    push_monitor(out, kind, s, a, diags);
                }),
                Statement::many("performance", |out, s, a, diags| {
                    let kind = lower_performance_monitor(a, diags);
                    push_monitor(out, kind, s, a, diags);
                }),
                Statement::many("latency", |out, s, a, diags| {
                    let example = "latency p99 > 100ms window 5m";
                    let kind = (|| {
                        let (percentile, label) = percentile_arg(a, diags)?;
                        a.cmp_dir(false, example, diags)?;
                        let max_s = a.duration(example, diags)?;
                        a.expect_keyword("window", example, diags).then_some(())?;
                        let window_s = a.duration(example, diags)?;
                        Some(MonitorKind::Latency { percentile, label, max_s, window_s })
                    })();
                    push_monitor(out, kind, s, a, diags);
                }),
                Statement::many("errors", |out, s, a, diags| {
                    let example = "errors rate > 1% window 5m";
                    let kind = (|| {
                        a.expect_keyword("rate", example, diags).then_some(())?;
                        a.cmp_dir(false, example, diags)?;
                        let rate = a.fraction("an error rate", example, diags)?;
                        a.expect_keyword("window", example, diags).then_some(())?;
                        let window_s = a.duration(example, diags)?;
                        Some(MonitorKind::Errors { rate, window_s })
                    })();
                    push_monitor(out, kind, s, a, diags);
                }),
                Statement::many("retrain", |out, s, a, diags| {
                    let example = "retrain every 7d";
                    let kind = (|| {
                        a.expect_keyword("every", example, diags).then_some(())?;
                        Some(MonitorKind::Retrain { every_s: a.duration(example, diags)? })
                    })();
                    push_monitor(out, kind, s, a, diags);
                }),
            ]
        },
        unknown: unknown_stmt,
    }
}

fn lower_monitors(body: &[Stmt], diags: &mut Diags) -> Vec<Monitor> {
    let mut out = Vec::new();
    lower_block(&monitors_block(), body, &mut out, diags);
    out
}

/// Reads the monitor's `alert` (even after its kind failed, so the alert's
/// errors still show) and keeps the monitor if its kind was read.
fn push_monitor(out: &mut Vec<Monitor>, kind: Option<MonitorKind>, s: &Stmt, a: &mut Args<'_>, diags: &mut Diags) {
    let alert = lower_alert(a, diags);
    a.finish(diags);
    if let Some(kind) = kind {
        out.push(Monitor { kind, alert, span: s.span });
    }
}

fn lower_drift_monitor(a: &mut Args<'_>, diags: &mut Diags) -> Option<MonitorKind> {
    let example = "drift amount_log using psi > 0.2 every 1h";
    let (feature, _) = a.name("a feature", example, diags)?;
    a.expect_keyword("using", example, diags).then_some(())?;
    let statistic = a.choice("drift statistic", DriftStat::NAMES, diags).and_then(|(w, _)| DriftStat::parse(w))?;
    let p_value = a.keyword("p");
    let (cmp, _) = a.cmp(example, diags)?;
    let threshold = a.number("a threshold", example, diags)?;
    let every_s = if a.keyword("every") { Some(a.duration(example, diags)?) } else { None };
    Some(MonitorKind::Drift { feature: feature.to_string(), statistic, p_value, cmp, threshold, every_s })
}

fn lower_performance_monitor(a: &mut Args<'_>, diags: &mut Diags) -> Option<MonitorKind> {
    let example = "performance recall < 0.75 window 30d action retrain";
    let metric = metric_arg(a, example, diags)?;
    let (cmp, _) = a.cmp(example, diags)?;
    let threshold = match a.next() {
        Some(t) => term_number(t, diags)?,
        None => {
            a.missing("a threshold", example, diags);
            return None;
        }
    };
    a.expect_keyword("window", example, diags).then_some(())?;
    let window_s = a.duration(example, diags)?;
    let retrain = a.keyword("action") && a.expect_keyword("retrain", example, diags);
    Some(MonitorKind::Performance { metric, cmp, threshold, window_s, retrain })
}

fn lower_alert(a: &mut Args<'_>, diags: &mut Diags) -> Option<Alert> {
    // Skip to `alert` if earlier arguments failed, so its errors still show.
    if !a.keyword("alert") {
        return None;
    }
    let example = "alert slack(\"#ml-alerts\")";
    match a.next() {
        Some(Term { kind: TermKind::Call(c), span }) => {
            let Some(channel) = AlertChannel::parse(&c.name.name) else {
                diags.push(unknown_value("alert channel", &c.name.name, c.name.span, AlertChannel::NAMES.iter().copied()));
                return None;
            };
            let ca = call_args(c, &[], diags);
            match ca.positional.first() {
                Some(Term { kind: TermKind::Str(s), .. }) => Some(Alert { channel, target: s.clone() }),
                _ => {
                    diags.push(
                        Diagnostic::new("E0302", *span, format!("`{}` needs a target string", c.name.name))
                            .help(format!("write it like `{example}`")),
                    );
                    None
                }
            }
        }
        Some(t) => {
            a.wrong(t, "an alert channel", example, diags);
            None
        }
        None => {
            a.missing("an alert channel", example, diags);
            None
        }
    }
}

// ------------------------------------------------------------ experiments and scenarios

const AB_TEST_EXAMPLE: &str = "ab_test treatment gbdt control rules traffic 10% metric ctr duration 14d";

/// An experiment being lowered: its block's name and the `ab_test` read.
struct ExperimentParts<'a> {
    block: &'a Stmt,
    name: &'a str,
    name_span: Span,
    found: Option<Experiment>,
}

fn experiment_block<'a>() -> Block<'a, ExperimentParts<'a>> {
    Block {
        name: "experiment",
        statements: const {
            &[Statement::many("ab_test", |e, s, a, diags| {
                // Repeats are many-statements so that one after an unreadable
                // first `ab_test` is still read.
                if e.found.is_some() {
                    diags.push(
                        Diagnostic::new("E0105", s.head.span, "an experiment holds one `ab_test`")
                            .help("declare another `experiment` block"),
                    );
                    return;
                }
                e.found = lower_ab_test(e, s, a, diags);
            })]
        },
        unknown: unknown_stmt,
    }
}

fn lower_ab_test(e: &ExperimentParts<'_>, s: &Stmt, a: &mut Args<'_>, diags: &mut Diags) -> Option<Experiment> {
    let example = AB_TEST_EXAMPLE;
    a.expect_keyword("treatment", example, diags).then_some(())?;
    let (treatment, _) = a.name("a model", example, diags)?;
    a.expect_keyword("control", example, diags).then_some(())?;
    let (control, _) = a.name("a model", example, diags)?;
    a.expect_keyword("traffic", example, diags).then_some(())?;
    let traffic = a.fraction("a traffic share", example, diags)?;
    a.expect_keyword("metric", example, diags).then_some(())?;
    let metric = metric_arg(a, example, diags)?;
    a.expect_keyword("duration", example, diags).then_some(())?;
    let duration_s = a.duration(example, diags)?;
    let min_effect = if a.keyword("min_effect") { Some(a.fraction("a minimum effect", example, diags)?) } else { None };
    Some(Experiment {
        name: e.name.to_string(),
        doc: e.block.doc.clone(),
        treatment: treatment.to_string(),
        control: control.to_string(),
        traffic,
        metric,
        duration_s,
        min_effect,
        span: s.span,
        name_span: e.name_span,
    })
}

/// A metric name, `recall` or `ndcg@10`.
fn metric_arg(a: &mut Args<'_>, example: &str, diags: &mut Diags) -> Option<String> {
    match a.next() {
        Some(Term { kind: TermKind::AtName { name, k }, .. }) => Some(format!("{name}@{k}")),
        Some(t) if word(t).is_some() => word(t).map(str::to_string),
        Some(t) => {
            a.wrong(t, "a metric", example, diags);
            None
        }
        None => {
            a.missing("a metric", example, diags);
            None
        }
    }
}

fn lower_experiment(name: &str, name_span: Span, stmt: &Stmt, body: &[Stmt], diags: &mut Diags) -> Option<Experiment> {
    let mut e = ExperimentParts { block: stmt, name, name_span, found: None };
    lower_block(&experiment_block(), body, &mut e, diags);
    if e.found.is_none() && !body.iter().any(|s| s.head.name == "ab_test") {
        diags.push(
            Diagnostic::new("E0104", stmt.head.span, format!("experiment `{name}` has no `ab_test`"))
                .help(format!("add `{AB_TEST_EXAMPLE}`")),
        );
    }
    e.found
}

fn scenario_block<'a>() -> Block<'a, Scenario> {
    Block {
        name: "scenario",
        statements: const {
            &[
                Statement::once("duration", |sc, _, a, diags| sc.duration_s = a.duration("duration 24h", diags)),
                Statement::once("requests", |sc, _, a, diags| sc.requests = a.count("a request count", "requests 1M", diags)),
                Statement::once("traffic", |sc, _, a, diags| sc.traffic = lower_traffic(a, diags)),
                Statement::many("burst", |sc, _, a, diags| sc.events.extend(lower_burst(a, diags))),
                Statement::many("drift", |sc, _, a, diags| sc.events.extend(lower_drift_event(a, diags))),
                Statement::once("concept_drift", |sc, _, a, diags| sc.events.extend(lower_concept_drift(a, diags))),
                Statement::many("prior_shift", |sc, _, a, diags| sc.events.extend(lower_prior_shift(a, diags))),
                Statement::many("outage", |sc, s, a, diags| sc.events.extend(lower_outage(s, a, diags))),
                Statement::once("seed", |sc, _, a, diags| sc.seed = a.count("a seed", "seed 42", diags).map(|n| n as u64)),
            ]
        },
        unknown: unknown_stmt,
    }
}

fn lower_scenario(name: &str, name_span: Span, stmt: &Stmt, body: &[Stmt], diags: &mut Diags) -> Scenario {
    let mut sc = Scenario {
        name: name.to_string(),
        doc: stmt.doc.clone(),
        duration_s: None,
        requests: None,
        traffic: None,
        events: Vec::new(),
        seed: None,
        span: stmt.span,
        name_span,
    };
    lower_block(&scenario_block(), body, &mut sc, diags);
    sc
}

/// `traffic poisson RATE [diurnal(peak: Nx, at: H)]`
fn lower_traffic(a: &mut Args<'_>, diags: &mut Diags) -> Option<Traffic> {
    let example = "traffic poisson 1000 rps diurnal(peak: 3x, at: 19h)";
    a.expect_keyword("poisson", example, diags).then_some(())?;
    let rate_rps = a.rate(example, diags)?;
    let mut diurnal = None;
    if let Some(Term { kind: TermKind::Call(c), span }) = a.peek() {
        if c.name.name == "diurnal" {
            a.next();
            let ca = call_args(c, &["peak", "at"], diags);
            let peak = ca.named.get("peak").map(|t| term_number(t, diags));
            let at = ca.named.get("at").map(|t| args::term_time_of_day(t, diags));
            match (peak, at) {
                (Some(Some(p)), Some(Some(h))) if p >= 1.0 => diurnal = Some((p, h)),
                // An invalid value was reported where it was read.
                (Some(None), Some(_)) | (Some(_), Some(None)) => {}
                (Some(_), Some(_)) => diags.push(Diagnostic::new("E0304", *span, "a diurnal peak is at least 1x").help(example)),
                _ => diags
                    .push(Diagnostic::new("E0302", *span, "`diurnal` needs `peak:` and `at:`").help(format!("write it like `{example}`"))),
            }
        }
    }
    Some(Traffic { rate_rps, diurnal })
}

/// `burst 5x at 12h for 10m`
fn lower_burst(a: &mut Args<'_>, diags: &mut Diags) -> Option<ScenarioEvent> {
    let example = "burst 5x at 12h for 10m";
    let factor = match a.next() {
        Some(Term { kind: TermKind::Quantity(q), .. }) if q.unit == mlspec_syntax::ast::Unit::Times => q.number,
        Some(t) => {
            a.wrong(t, "a multiplier like `5x`", example, diags);
            return None;
        }
        None => {
            a.missing("a multiplier like `5x`", example, diags);
            return None;
        }
    };
    a.expect_keyword("at", example, diags).then_some(())?;
    let at_s = a.time_point(example, diags)?;
    a.expect_keyword("for", example, diags).then_some(())?;
    let for_s = a.duration(example, diags)?;
    Some(ScenarioEvent::Burst { factor, at_s, for_s })
}

/// `drift SOURCE.FIELD shift MOMENT +P% from T` or `... mix { VALUE: P%, ... } from T`
fn lower_drift_event(a: &mut Args<'_>, diags: &mut Diags) -> Option<ScenarioEvent> {
    let example = "drift events.amount shift mean +30% from 3d";
    let (p, span) = a.field_path(example, diags)?;
    let field = field_ref(p, span);
    if a.keyword("shift") {
        let moment = a.choice("moment", Moment::NAMES, diags).and_then(|(w, _)| Moment::parse(w))?;
        let by = match a.next() {
            Some(Term { kind: TermKind::Quantity(q), .. }) if q.unit == mlspec_syntax::ast::Unit::Percent => q.number / 100.0,
            Some(t) => {
                a.wrong(t, "a signed percentage like `+30%`", example, diags);
                return None;
            }
            None => {
                a.missing("a percentage", example, diags);
                return None;
            }
        };
        a.expect_keyword("from", example, diags).then_some(())?;
        let from_s = a.time_point(example, diags)?;
        Some(ScenarioEvent::Shift { field, moment, by, from_s })
    } else if a.keyword("mix") {
        let mix_example = "drift events.kind mix { a: 60%, b: 40% } from 10d";
        let b = a.block(mix_example, diags)?;
        let mut weights = Vec::new();
        let shares = b.len();
        for e in b {
            let mut ea = Args::new(e, diags.len());
            if let Some(w) = ea.fraction("a share", mix_example, diags) {
                weights.push((e.head.name.clone(), w));
            }
            ea.finish(diags);
        }
        a.expect_keyword("from", mix_example, diags).then_some(())?;
        let from_s = a.time_point(mix_example, diags)?;
        let total: f64 = weights.iter().map(|(_, w)| w).sum();
        // A share that could not be read is its own error: no sum to check.
        if weights.len() == shares && (total - 1.0).abs() > 1e-6 {
            diags.push(
                Diagnostic::new("E0405", span, format!("the mix shares add up to {}%, not 100%", round2(total * 100.0)))
                    .help("make the shares of the mix sum to 100%"),
            );
        }
        Some(ScenarioEvent::Mix { field, weights, from_s })
    } else {
        match a.next() {
            Some(t) => {
                let d = Diagnostic::new("E0301", t.span, format!("expected `shift` or `mix`, found {}", args::describe(t)));
                diags.push(match word(t).and_then(|w| did_you_mean(w, ["shift", "mix"])) {
                    Some(n) => d.did_you_mean(n),
                    None => d.help(format!("write it like `{example}`")),
                });
            }
            None => a.missing("`shift` or `mix`", example, diags),
        }
        None
    }
}

/// `concept_drift strength S from T`
fn lower_concept_drift(a: &mut Args<'_>, diags: &mut Diags) -> Option<ScenarioEvent> {
    let example = "concept_drift strength 0.3 from 14d";
    a.expect_keyword("strength", example, diags).then_some(())?;
    let strength = a.fraction("a strength", example, diags)?;
    a.expect_keyword("from", example, diags).then_some(())?;
    let from_s = a.time_point(example, diags)?;
    Some(ScenarioEvent::ConceptDrift { strength, from_s })
}

/// `prior_shift SOURCE.FIELD RATE from T`
fn lower_prior_shift(a: &mut Args<'_>, diags: &mut Diags) -> Option<ScenarioEvent> {
    let example = "prior_shift events.label 0.5% from 20d";
    let (p, span) = a.field_path(example, diags)?;
    let rate = a.fraction("a positive rate", example, diags)?;
    a.expect_keyword("from", example, diags).then_some(())?;
    let from_s = a.time_point(example, diags)?;
    Some(ScenarioEvent::PriorShift { field: field_ref(p, span), rate, from_s })
}

/// `outage STAGE at T for D`
fn lower_outage(s: &Stmt, a: &mut Args<'_>, diags: &mut Diags) -> Option<ScenarioEvent> {
    let example = "outage lookup at 6h for 5m";
    let (stage, _) = a.name("a stage", example, diags)?;
    a.expect_keyword("at", example, diags).then_some(())?;
    let at_s = a.time_point(example, diags)?;
    a.expect_keyword("for", example, diags).then_some(())?;
    let for_s = a.duration(example, diags)?;
    Some(ScenarioEvent::Outage { stage: stage.to_string(), at_s, for_s, span: s.span })
}
