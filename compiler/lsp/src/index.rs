//! The symbol index of one document: every named thing it declares
//! (sources, `source.field`s, features, models, servings and their stages,
//! metrics, experiments, scenarios, the system) and every place a name
//! refers to one of them.
//!
//! Built from the syntax tree, so it exists for a broken spec too: a name
//! resolves when some declaration has it, whatever else is wrong.
//! **Invariant:** spans are byte spans of the document's text, and a
//! declaration's own name is never also one of its references.
//! `source.field` resolves wherever it is written. A one-part name
//! resolves only where the language takes a name of that kind
//! ([`expects`]: `feature_store online` names a store, not a serving
//! called `online`), by kind in the order of [`Kind`]'s declaration, the
//! first declaration of a name winning, as the checker's lookups do. A
//! test holds this against the checker on every example.

use mlspec_diag::Span;
use mlspec_syntax::ast::{Expr, ExprKind, File, Ident, Stmt, StmtKind, Term, TermKind};
use std::collections::{BTreeMap, BTreeSet};

/// What a declaration declares; a one-part name resolves in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Feature,
    Model,
    Source,
    Serving,
    Stage,
    Metric,
    Experiment,
    Scenario,
    Field,
    System,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Feature => "feature",
            Kind::Model => "model",
            Kind::Source => "source",
            Kind::Serving => "serving",
            Kind::Stage => "stage",
            Kind::Metric => "metric",
            Kind::Experiment => "experiment",
            Kind::Scenario => "scenario",
            Kind::Field => "field",
            Kind::System => "system",
        }
    }
}

pub struct Definition {
    pub kind: Kind,
    /// The name as declared (`amount` for a field).
    pub name: String,
    /// `source.field` for a field, `serving.stage` for a stage, else the name.
    pub qualified: String,
    pub name_span: Span,
    /// The whole declaring statement.
    pub span: Span,
    pub doc: Vec<String>,
    /// The source of a field, the serving of a stage.
    pub parent: Option<usize>,
}

pub struct Reference {
    pub span: Span,
    pub target: usize,
}

#[derive(Default)]
pub struct Index {
    pub defs: Vec<Definition>,
    pub refs: Vec<Reference>,
    /// Qualified name -> declarations with that name, in declaration order.
    by_name: BTreeMap<String, Vec<usize>>,
}

impl Index {
    pub fn build(file: &File) -> Index {
        let mut index = Index::default();
        for stmt in file.stmts.iter().filter(|s| s.head.name == "system") {
            index.declare(Kind::System, first_name(stmt), stmt, None);
            for s in body(stmt) {
                index.declare_in_system(s);
            }
        }
        let declared: BTreeSet<Span> = index.defs.iter().map(|d| d.name_span).collect();
        let mut paths = Vec::new();
        for stmt in &file.stmts {
            stmt_paths(stmt, "", &mut paths);
        }
        for (name, expected) in paths {
            match name {
                Written::Path(parts) => index.resolve(parts, expected, &declared),
                Written::AtK(name, span) => index.resolve(&[Ident { name, span }], expected, &declared),
            }
        }
        index
    }

    fn declare(&mut self, kind: Kind, name: Option<&Ident>, stmt: &Stmt, parent: Option<usize>) -> Option<usize> {
        let name = name?;
        let qualified = match parent.and_then(|p| self.defs.get(p)) {
            Some(p) => format!("{}.{}", p.name, name.name),
            None => name.name.clone(),
        };
        let id = self.defs.len();
        // A stage is also found by its own name (`outage lookup at 6h`).
        if kind == Kind::Stage {
            self.by_name.entry(name.name.clone()).or_default().push(id);
        }
        self.by_name.entry(qualified.clone()).or_default().push(id);
        self.defs.push(Definition {
            kind,
            name: name.name.clone(),
            qualified,
            name_span: name.span,
            span: stmt.span,
            doc: stmt.doc.clone(),
            parent,
        });
        Some(id)
    }

    fn declare_in_system(&mut self, stmt: &Stmt) {
        match stmt.head.name.as_str() {
            "source" => {
                let source = self.declare(Kind::Source, first_name(stmt), stmt, None);
                let schema = body(stmt).iter().filter(|s| s.head.name == "schema").flat_map(body);
                for field in schema.filter(|f| matches!(f.kind, StmtKind::Plain { .. })) {
                    if source.is_some() {
                        self.declare(Kind::Field, Some(&field.head), field, source);
                    }
                }
            }
            "features" => {
                for feature in body(stmt).iter().filter(|f| matches!(f.kind, StmtKind::Assign(_))) {
                    self.declare(Kind::Feature, Some(&feature.head), feature, None);
                }
            }
            "metrics" => {
                let metrics = body(stmt).iter().filter(|m| matches!(m.kind, StmtKind::Plain { .. }) && m.head.name != "cost_matrix");
                for metric in metrics {
                    self.declare(Kind::Metric, Some(&metric.head), metric, None);
                }
            }
            "model" => {
                self.declare(Kind::Model, first_name(stmt), stmt, None);
            }
            "serving" => {
                let serving = self.declare(Kind::Serving, first_name(stmt), stmt, None);
                for stage in body(stmt).iter().filter(|s| s.head.name == "stage") {
                    if serving.is_some() {
                        self.declare(Kind::Stage, first_name(stage), stage, serving);
                    }
                }
            }
            "experiment" => {
                self.declare(Kind::Experiment, first_name(stmt), stmt, None);
            }
            "scenario" => {
                self.declare(Kind::Scenario, first_name(stmt), stmt, None);
            }
            _ => {}
        }
    }

    /// `source.field` refers to the source and the field; a one-part name
    /// to the first declaration of it of an `expected` kind, by [`Kind`]
    /// order (a stage by its own name too).
    fn resolve(&mut self, parts: &[Ident], expected: &[Kind], declared: &BTreeSet<Span>) {
        match parts {
            [one] => {
                if declared.contains(&one.span) {
                    return;
                }
                let candidates = self.by_name.get(&one.name).map_or(&[][..], Vec::as_slice);
                let target = candidates
                    .iter()
                    .filter_map(|&i| self.defs.get(i).map(|d| (d.kind, i)))
                    .filter(|(kind, _)| expected.contains(kind))
                    .min()
                    .map(|(_, i)| i);
                if let Some(target) = target {
                    self.refs.push(Reference { span: one.span, target });
                }
            }
            [first, second, ..] => {
                if let Some(&source) = self.first(&first.name, Kind::Source) {
                    self.refs.push(Reference { span: first.span, target: source });
                    if let Some(&field) = self.first(&format!("{}.{}", first.name, second.name), Kind::Field) {
                        self.refs.push(Reference { span: second.span, target: field });
                    }
                }
            }
            [] => {}
        }
    }

    fn first(&self, qualified: &str, kind: Kind) -> Option<&usize> {
        self.by_name.get(qualified)?.iter().find(|&&i| self.defs.get(i).is_some_and(|d| d.kind == kind))
    }

    /// The declaration named or referred to at `offset` (a cursor just
    /// after a name is on it).
    pub fn at(&self, offset: usize) -> Option<usize> {
        let on = |s: Span| s.start <= offset && offset <= s.end;
        self.defs.iter().position(|d| on(d.name_span)).or_else(|| self.refs.iter().find(|r| on(r.span)).map(|r| r.target))
    }

    /// Every place that names `target`: its declaration (when asked) first,
    /// then the references in source order.
    pub fn references(&self, target: usize, with_declaration: bool) -> Vec<Span> {
        let declaration = self.defs.get(target).filter(|_| with_declaration).map(|d| d.name_span);
        let mut refs: Vec<Span> = self.refs.iter().filter(|r| r.target == target).map(|r| r.span).collect();
        refs.sort();
        declaration.into_iter().chain(refs).collect()
    }

    /// The declarations of `kind`, in declaration order.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Definition> {
        self.defs.iter().filter(move |d| d.kind == kind)
    }
}

/// The statements of a statement's block (its last argument), if it has one.
pub fn body(stmt: &Stmt) -> &[Stmt] {
    match stmt.args().last().map(|t| &t.kind) {
        Some(TermKind::Block(b)) => &b.stmts,
        _ => &[],
    }
}

/// The name of `KEYWORD NAME ...`: its first argument when that is one word.
pub fn first_name(stmt: &Stmt) -> Option<&Ident> {
    match stmt.args().first().map(|t| &t.kind) {
        Some(TermKind::Path(parts)) => match parts.as_slice() {
            [one] => Some(one),
            _ => None,
        },
        _ => None,
    }
}

/// The kinds a one-part name in the arguments of statement `head` of
/// `block` refers to (where the checker resolves one); none elsewhere.
fn expects(block: &str, head: &str) -> &'static [Kind] {
    match (block, head) {
        ("model", "features") | ("monitors", "drift") => &[Kind::Feature],
        ("model", "baseline") | ("stage", "model") | ("serving", "timeout") => &[Kind::Model],
        ("model", "tuning") | ("monitors", "performance") => &[Kind::Metric],
        ("experiment", "ab_test") => &[Kind::Model, Kind::Metric],
        ("scenario", "outage") => &[Kind::Stage],
        _ => &[],
    }
}

/// What a one-part name in a feature expression or a rule refers to: a
/// feature, or the source a window aggregation counts.
const IN_EXPRESSIONS: &[Kind] = &[Kind::Feature, Kind::Source];

/// A name as written: a dotted path, or a metric at K (`ndcg@10`).
enum Written<'a> {
    Path(&'a [Ident]),
    AtK(String, Span),
}

type Found<'a> = Vec<(Written<'a>, &'static [Kind])>;

/// Every dotted name written in `stmt` (a statement of `block`), its
/// blocks and expressions included, with the kinds a one-part name there
/// refers to. Blocks nest at most 64 deep (the prescan's bound), so the
/// recursion is bounded.
fn stmt_paths<'a>(stmt: &'a Stmt, block: &str, out: &mut Found<'a>) {
    match &stmt.kind {
        StmtKind::Plain { args, .. } => {
            let expected = expects(block, &stmt.head.name);
            for term in args {
                term_paths(term, &stmt.head.name, expected, out);
            }
        }
        StmtKind::Assign(e) | StmtKind::Rule(e) => expr_paths(e, out),
        StmtKind::Error => {}
    }
}

/// `head` names the blocks among the terms (`serving x { ... }` is the block `serving`).
fn term_paths<'a>(term: &'a Term, head: &str, expected: &'static [Kind], out: &mut Found<'a>) {
    match &term.kind {
        TermKind::Path(parts) => out.push((Written::Path(parts), expected)),
        TermKind::AtName { name, k } => out.push((Written::AtK(format!("{name}@{k}"), term.span), expected)),
        TermKind::Call(call) => call.args.iter().for_each(|a| term_paths(&a.value, head, expected, out)),
        TermKind::List(items) => items.iter().for_each(|t| term_paths(t, head, expected, out)),
        TermKind::Range(lo, hi) => {
            term_paths(lo, head, expected, out);
            term_paths(hi, head, expected, out);
        }
        TermKind::Block(b) => b.stmts.iter().for_each(|s| stmt_paths(s, head, out)),
        TermKind::Quantity(_) | TermKind::Money(_) | TermKind::Str(_) | TermKind::Bool(_) | TermKind::Cmp(_) | TermKind::Slash => {}
    }
}

/// Expression trees are at most `MAX_EXPR_DEPTH` deep (a syntax
/// invariant), so this recursion is bounded.
fn expr_paths<'a>(expr: &'a Expr, out: &mut Found<'a>) {
    match &expr.kind {
        ExprKind::Path(parts) => out.push((Written::Path(parts), IN_EXPRESSIONS)),
        ExprKind::Call { args, .. } => args.iter().for_each(|a| expr_paths(&a.value, out)),
        ExprKind::List(items) => items.iter().for_each(|e| expr_paths(e, out)),
        ExprKind::Paren(e) | ExprKind::Unary(_, e) => expr_paths(e, out),
        ExprKind::Binary(_, a, b) => {
            expr_paths(a, out);
            expr_paths(b, out);
        }
        ExprKind::Quantity(_) | ExprKind::Money(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Error => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_at(text: &str, word: &str) -> Vec<Option<Kind>> {
        let index = Index::build(&mlspec_syntax::parse(text).file);
        text.match_indices(word).map(|(at, _)| index.at(at).and_then(|i| index.defs.get(i)).map(|d| d.kind)).collect()
    }

    #[test]
    fn a_vocabulary_word_is_not_a_reference_to_a_name_it_shares() {
        let text = "system s {\n  serving online {\n    stage lookup { feature_store online }\n  }\n  scenario p { outage lookup at 1h for 1m }\n}\n";
        // The serving's declaration, then `feature_store online`: a store, not the serving.
        assert_eq!(names_at(text, "online"), [Some(Kind::Serving), None]);
        assert_eq!(names_at(text, "lookup"), [Some(Kind::Stage), Some(Kind::Stage)]);
    }

    macro_rules! examples {
        ($($name:literal),+) => { [$(($name, include_str!(concat!("../../../specs/", $name)))),+] };
    }

    /// Against the checker, on every example: misspell one declaration
    /// (same length, so no span moves); the checker's unknown-name errors
    /// must be exactly at the index's references to it.
    #[test]
    fn references_are_where_the_checker_resolves_names() {
        let examples = examples!(
            "ad_click_prediction.mlspec",
            "customer_churn.mlspec",
            "demand_forecasting.mlspec",
            "feed_ranking.mlspec",
            "food_delivery_eta.mlspec",
            "fraud_detection.mlspec",
            "predictive_maintenance.mlspec",
            "product_recommendation.mlspec",
            "realtime_fraud_detection.mlspec",
            "rental_search_ranking.mlspec",
            "ride_pricing.mlspec",
            "spam_filter.mlspec",
            "streaming_content_recommendation.mlspec",
            "toxic_comment_detection.mlspec",
            "video_recommendation.mlspec"
        );
        let mut problems = Vec::new();
        for (name, text) in examples {
            let index = Index::build(&mlspec_syntax::parse(text).file);
            for (id, def) in index.defs.iter().enumerate() {
                if !matches!(def.kind, Kind::Feature | Kind::Model | Kind::Stage | Kind::Source | Kind::Metric) {
                    continue;
                }
                let mut broken = text.to_string();
                broken.replace_range(def.name_span.start..def.name_span.start + 1, "Q");
                let unknown: Vec<Span> = mlspec_check::check_source(&broken)
                    .diagnostics
                    .iter()
                    .filter(|d| matches!(d.code, "E0203" | "E0204" | "E0205" | "E0206" | "E0207" | "E0208"))
                    .map(|d| d.span)
                    .collect();
                let refs: Vec<Span> = index.references(id, false);
                let inside = |r: &Span, d: &Span| d.start <= r.start && r.end <= d.end;
                for d in unknown.iter().filter(|d| !refs.iter().any(|r| inside(r, d))) {
                    let written = &text[d.start..d.end];
                    problems.push(format!("{name}: {} `{}`: the checker resolves it at {d:?} `{written}`", def.kind.word(), def.qualified));
                }
                for r in refs.iter().filter(|r| !unknown.iter().any(|d| inside(r, d))) {
                    problems.push(format!(
                        "{name}: {} `{}`: the index refers to it at {r:?}, the checker does not",
                        def.kind.word(),
                        def.qualified
                    ));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
