//! mlspec-ir: the validated design: what every backend (simulation, code generation,
//! review, docs) reads. Built by [`mlspec_check`]; never the AST.
//!
//! **Invariant:** quantities are normalised: durations in seconds, rates in
//! requests per second, fractions in 0..=1, money in dollars (per month for
//! budgets, per hour for instances). Names are as declared.
//! The design comes in two [`phase`]s. `mlspec-check` builds a
//! `Design<Draft>`, where a statement the language requires may be missing,
//! and lifts it into a `Design<Checked>` (the default, what backends take)
//! only when it reported no error.
//!
//! **Invariant:** in a `Design<Checked>` every required statement is there
//! (the types say so: `problem.task` is a `Task`, `model.kind` a
//! `ModelKind`), every reference resolves (fields, features, models,
//! stages, metrics) and the feature graph is acyclic. A `Design<Draft>`
//! holds what could be built from a broken spec; no backend takes one.

pub mod capacity;
pub mod cost;
pub mod facts;
pub mod functions;
pub mod graph;
pub mod numbers;
pub mod phase;
pub mod traffic;
pub mod vocab;

pub use functions::{FeatureFunction, WindowFunction};
pub use phase::{Checked, Draft, Phase};

use crate::vocab::{
    AlertChannel, AutoscaleSignal, BinaryOp, DriftStat, Imbalance, MissingStrategy, ModelKind, ModelStage, Moment, Task, TuningSearch,
    UnaryOp,
};
use mlspec_diag::span::Span;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize)]
#[serde(bound = "")]
pub struct Design<P: Phase = Checked> {
    pub name: String,
    pub doc: Vec<String>,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub version: Option<String>,
    pub problem: P::Required<Problem<P>>,
    pub constraints: Constraints,
    pub metrics: Vec<Metric>,
    pub cost_matrix: Option<CostMatrix>,
    pub sources: Vec<Source>,
    pub features: Vec<Feature>,
    pub feature_store: Option<FeatureStore>,
    pub dataset: Option<Dataset>,
    pub models: Vec<Model<P>>,
    pub servings: Vec<Serving>,
    pub monitors: Vec<Monitor>,
    pub experiments: Vec<Experiment>,
    pub scenarios: Vec<Scenario>,
    pub span: Span,
    #[serde(skip)]
    pub index: DesignIndex,
}

/// Name -> position of sources, features and models, for lookups in
/// O(log n). The first declaration of a name wins, as in the checker.
#[derive(Clone, Debug, Default)]
pub struct DesignIndex {
    sources: BTreeMap<String, usize>,
    features: BTreeMap<String, usize>,
    models: BTreeMap<String, usize>,
}

impl Default for Design<Draft> {
    fn default() -> Self {
        Design {
            name: String::new(),
            doc: Vec::new(),
            description: None,
            owner: None,
            version: None,
            problem: None,
            constraints: Constraints::default(),
            metrics: Vec::new(),
            cost_matrix: None,
            sources: Vec::new(),
            features: Vec::new(),
            feature_store: None,
            dataset: None,
            models: Vec::new(),
            servings: Vec::new(),
            monitors: Vec::new(),
            experiments: Vec::new(),
            scenarios: Vec::new(),
            span: Span::default(),
            index: DesignIndex::default(),
        }
    }
}

impl<P: Phase> Design<P> {
    /// Rebuilds the lookup index; call after changing the lists.
    pub fn reindex(&mut self) {
        fn index<'a>(names: impl Iterator<Item = &'a str>) -> BTreeMap<String, usize> {
            let mut m = BTreeMap::new();
            for (i, n) in names.enumerate() {
                m.entry(n.to_string()).or_insert(i);
            }
            m
        }
        self.index = DesignIndex {
            sources: index(self.sources.iter().map(|s| s.name.as_str())),
            features: index(self.features.iter().map(|f| f.name.as_str())),
            models: index(self.models.iter().map(|m| m.name.as_str())),
        };
    }

    pub fn source(&self, name: &str) -> Option<&Source> {
        match self.index.sources.get(name) {
            Some(&i) => self.sources.get(i),
            None if self.index.sources.len() == self.sources.len() => None,
            None => self.sources.iter().find(|s| s.name == name),
        }
    }
    pub fn field(&self, r: &FieldRef) -> Option<&Field> {
        self.source(&r.source).and_then(|s| s.field(&r.field))
    }
    pub fn feature(&self, name: &str) -> Option<&Feature> {
        match self.index.features.get(name) {
            Some(&i) => self.features.get(i),
            None if self.index.features.len() == self.features.len() => None,
            None => self.features.iter().find(|f| f.name == name),
        }
    }
    pub fn model(&self, name: &str) -> Option<&Model<P>> {
        match self.index.models.get(name) {
            Some(&i) => self.models.get(i),
            None if self.index.models.len() == self.models.len() => None,
            None => self.models.iter().find(|m| m.name == name),
        }
    }
    /// The problem, when there is one (always, once checked).
    pub fn known_problem(&self) -> Option<&Problem<P>> {
        P::known(&self.problem)
    }
    /// The task, when it is known (always, once checked).
    pub fn known_task(&self) -> Option<Task> {
        self.known_problem().and_then(|p| P::known(&p.task)).copied()
    }
    /// The target field, when the problem names one.
    pub fn target(&self) -> Option<&FieldRef> {
        self.known_problem().and_then(|p| p.target.as_ref())
    }
}

impl Design<Checked> {
    pub fn task(&self) -> Task {
        self.problem.task
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldRef {
    pub source: String,
    pub field: String,
    pub span: Span,
}

impl std::fmt::Display for FieldRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.source, self.field)
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(bound = "")]
pub struct Problem<P: Phase = Checked> {
    pub objective: P::Required<String>,
    pub task: P::Required<Task>,
    pub target: Option<FieldRef>,
    /// `group SOURCE.FIELD`: the id that groups rows into one ranked list
    /// (a request, a search) for a ranking or recommendation task. In a
    /// checked design it is an `id` field of the target's source and the
    /// task ranks (E0319, E0411); [`facts::query_group`] is the one reader.
    pub group: Option<FieldRef>,
    pub positive_rate: Option<f64>,
    /// Where `positive_rate` is written. Not serialised.
    #[serde(skip)]
    pub positive_rate_span: Option<Span>,
    pub classes: Vec<String>,
    pub horizon_s: Option<f64>,
    pub span: Span,
}

impl Problem<Draft> {
    pub fn new(span: Span) -> Self {
        Problem {
            objective: None,
            task: None,
            target: None,
            group: None,
            positive_rate: None,
            positive_rate_span: None,
            classes: Vec::new(),
            horizon_s: None,
            span,
        }
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Constraints {
    pub latency: Vec<LatencyConstraint>,
    pub throughput_rps: Option<f64>,
    pub availability: Option<f64>,
    pub budget_per_month: Option<f64>,
    /// `freshness D`: the stalest data a realtime serving may read, for
    /// every source without a budget of its own.
    pub freshness_s: Option<f64>,
    /// The global `freshness` statement's name, when given.
    pub freshness_span: Option<Span>,
    /// `freshness SOURCE D`, in declaration order, at most one per source;
    /// each overrides `freshness_s` for its source ([`facts::freshness_budget`]).
    pub source_freshness: Vec<SourceFreshness>,
    pub training_time_s: Option<f64>,
    pub span: Option<Span>,
}

/// `freshness SOURCE D` in `constraints`.
#[derive(Clone, Debug, Serialize)]
pub struct SourceFreshness {
    pub source: String,
    pub max_s: f64,
    /// The source's name in the statement.
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct LatencyConstraint {
    /// `p99` is 99.0, `p999` is 99.9.
    pub percentile: f64,
    pub label: String,
    pub max_s: f64,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Offline,
    Online,
    Business,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Cmp {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
}

impl Cmp {
    pub fn as_str(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Metric {
    /// As written, including `@K`: `ndcg@10`.
    pub name: String,
    pub doc: Vec<String>,
    pub base: String,
    pub k: Option<u32>,
    pub threshold: Option<(Cmp, f64)>,
    pub scope: Scope,
    pub primary: bool,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct CostMatrix {
    pub tp: f64,
    pub fp: f64,
    #[serde(rename = "fn")]
    pub fn_: f64,
    pub tn: f64,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Table,
    Stream,
    Files,
    Api,
    Logs,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Freshness {
    Realtime,
    Every(f64),
}

impl Freshness {
    pub fn seconds(self) -> f64 {
        match self {
            Freshness::Realtime => 0.0,
            Freshness::Every(s) => s,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Source {
    pub name: String,
    pub doc: Vec<String>,
    pub kind: Option<SourceKind>,
    pub format: Option<String>,
    pub location: Option<String>,
    pub volume: Option<f64>,
    /// `Some(period)` when the volume is a rate (`86M / day`).
    pub volume_per_s: Option<f64>,
    pub freshness: Option<Freshness>,
    pub retention_s: Option<f64>,
    pub fields: Vec<Field>,
    pub span: Span,
    pub name_span: Span,
    /// Where the `volume` and `freshness` statements are written: what a
    /// finding about them (`mlspec data check`) points at. Not serialised.
    #[serde(skip)]
    pub volume_span: Option<Span>,
    #[serde(skip)]
    pub freshness_span: Option<Span>,
}

impl Source {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
    pub fn event_time(&self) -> Option<&Field> {
        self.fields.iter().find(|f| f.event_time)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Id,
    Int,
    Float,
    Bool,
    String,
    Text,
    Category,
    Timestamp,
    Date,
    Geo,
    Embedding(u32),
    List(Box<FieldType>),
    /// A type that did not check; reads of the field are not type-checked.
    Unknown,
}

impl FieldType {
    pub const SIMPLE: &'static [&'static str] = &["id", "int", "float", "bool", "string", "text", "category", "timestamp", "date", "geo"];
    pub fn name(&self) -> String {
        match self {
            FieldType::Embedding(n) => format!("embedding({n})"),
            FieldType::List(t) => format!("list({})", t.name()),
            other => format!("{other:?}").to_ascii_lowercase(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Field {
    pub name: String,
    pub doc: Vec<String>,
    pub ty: FieldType,
    pub key: bool,
    pub pii: bool,
    pub label: bool,
    pub nullable: bool,
    pub event_time: bool,
    pub range: Option<(f64, f64)>,
    pub values: Vec<String>,
    pub missing: Option<f64>,
    pub delay_s: Option<f64>,
    pub references: Option<FieldRef>,
    pub dist: Option<Dist>,
    pub span: Span,
    /// Where the type is written (`timestamp` of `ts: timestamp`); where a
    /// fix adds a modifier. Not part of the design, so not serialised.
    #[serde(skip)]
    pub type_span: Span,
    /// Where each modifier is written, with its argument (`range 0..500`),
    /// keyed by the modifier's word: what a finding about that property
    /// (`mlspec data check`) points at. Not serialised.
    #[serde(skip)]
    pub modifier_spans: BTreeMap<&'static str, Span>,
}

impl Field {
    /// Where the modifier `word` is written, or the field's head when the
    /// field does not declare it.
    pub fn modifier_span(&self, word: &str) -> Span {
        self.modifier_spans.get(word).copied().unwrap_or(self.span)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Dist {
    pub kind: String,
    pub params: BTreeMap<String, f64>,
}

/// The value type of a feature expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    Number,
    Bool,
    Category,
    Text,
    String,
    Id,
    Timestamp,
    Geo,
    /// A vector of numbers: one-hot, hashed, tf-idf, embedding.
    Vector,
    List,
    /// Unknown because of an earlier error; checks against it are skipped.
    Unknown,
}

impl ValueType {
    pub fn of_field(t: &FieldType) -> ValueType {
        match t {
            FieldType::Id => ValueType::Id,
            FieldType::Int | FieldType::Float => ValueType::Number,
            FieldType::Bool => ValueType::Bool,
            FieldType::String => ValueType::String,
            FieldType::Text => ValueType::Text,
            FieldType::Category => ValueType::Category,
            FieldType::Timestamp | FieldType::Date => ValueType::Timestamp,
            FieldType::Geo => ValueType::Geo,
            FieldType::Embedding(_) => ValueType::Vector,
            FieldType::List(_) => ValueType::List,
            FieldType::Unknown => ValueType::Unknown,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::Number => "number",
            ValueType::Bool => "bool",
            ValueType::Category => "category",
            ValueType::Text => "text",
            ValueType::String => "string",
            ValueType::Id => "id",
            ValueType::Timestamp => "timestamp",
            ValueType::Geo => "geo",
            ValueType::Vector => "vector",
            ValueType::List => "list",
            ValueType::Unknown => "unknown",
        }
    }
}

/// A feature expression with references resolved.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FeatureExpr {
    Field {
        source: String,
        field: String,
    },
    /// A whole source, as the first argument of `count`.
    Source {
        source: String,
    },
    Feature {
        name: String,
    },
    Number {
        value: f64,
    },
    Str {
        value: String,
    },
    Bool {
        value: bool,
    },
    /// A bare word argument such as `median` in `fill(x, median)`.
    Word {
        word: String,
    },
    List {
        items: Vec<FeatureExpr>,
    },
    Call {
        func: FeatureFunction,
        args: Vec<FeatureExpr>,
        named: BTreeMap<String, FeatureExpr>,
    },
    Unary {
        op: UnaryOp,
        arg: Box<FeatureExpr>,
    },
    Binary {
        op: BinaryOp,
        left: Box<FeatureExpr>,
        right: Box<FeatureExpr>,
    },
    Invalid,
}

impl FeatureExpr {
    /// The features this expression reads, in order of appearance.
    pub fn feature_names<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            FeatureExpr::Feature { name } => out.push(name),
            FeatureExpr::Call { args, named, .. } => {
                args.iter().for_each(|a| a.feature_names(out));
                named.values().for_each(|a| a.feature_names(out));
            }
            FeatureExpr::Unary { arg, .. } => arg.feature_names(out),
            FeatureExpr::Binary { left, right, .. } => {
                left.feature_names(out);
                right.feature_names(out);
            }
            FeatureExpr::List { items } => items.iter().for_each(|a| a.feature_names(out)),
            _ => {}
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Window {
    pub func: WindowFunction,
    pub source: String,
    pub by: String,
    pub window_s: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Feature {
    pub name: String,
    pub doc: Vec<String>,
    pub expr: FeatureExpr,
    pub ty: ValueType,
    /// Features this one reads, in order of first use.
    pub uses_features: Vec<String>,
    /// Fields this one reads directly.
    pub reads: Vec<FieldRef>,
    pub windows: Vec<Window>,
    pub span: Span,
    pub name_span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct FeatureStore {
    pub online: Option<Store>,
    pub offline: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct Store {
    pub engine: String,
    pub ttl_s: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case", tag = "strategy", content = "field")]
pub enum SplitStrategy {
    Random,
    Time(FieldRef),
    Group(FieldRef),
}

#[derive(Clone, Debug, Serialize)]
pub struct Split {
    pub strategy: SplitStrategy,
    pub train: f64,
    pub validation: f64,
    pub test: f64,
    pub span: Span,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Dataset {
    pub split: Option<Split>,
    /// The strategy, with a ratio for undersample.
    pub imbalance: Option<(Imbalance, Option<f64>)>,
    pub missing: Option<MissingStrategy>,
    pub dedupe: Option<String>,
    #[serde(skip)]
    pub dedupe_span: Span,
    pub outliers: Option<(f64, f64)>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    Number(f64),
    Text(String),
    List(Vec<f64>),
}

#[derive(Clone, Debug, Serialize)]
pub struct Tuning {
    pub search: TuningSearch,
    pub trials: Option<u64>,
    pub cv: Option<u64>,
    pub metric: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(bound = "")]
pub struct Model<P: Phase = Checked> {
    pub name: String,
    pub doc: Vec<String>,
    pub kind: P::Required<ModelKind>,
    #[serde(skip)]
    pub kind_span: Span,
    pub features: Vec<String>,
    #[serde(skip)]
    pub feature_spans: Vec<Span>,
    pub params: BTreeMap<String, ParamValue>,
    pub tuning: Option<Tuning>,
    #[serde(skip)]
    pub tuning_span: Span,
    pub baseline: Option<String>,
    #[serde(skip)]
    pub baseline_span: Span,
    pub rules: Vec<FeatureExpr>,
    pub stage: Option<ModelStage>,
    pub candidates: Option<f64>,
    pub latency: Option<LatencyDist>,
    pub span: Span,
    pub name_span: Span,
}

impl<P: Phase> Model<P> {
    /// The kind, when it is known (always, once checked).
    pub fn known_kind(&self) -> Option<ModelKind> {
        P::known(&self.kind).copied()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "dist")]
pub enum LatencyDist {
    Fixed { s: f64 },
    Exponential { mean_s: f64 },
    Lognormal { p50_s: f64, p99_s: f64 },
    Normal { mean_s: f64, sd_s: f64 },
    Empirical { file: String },
}

impl LatencyDist {
    /// A typical service time for quick capacity arithmetic: the median for
    /// lognormal, the mean otherwise; `None` for empirical files.
    pub fn typical_s(&self) -> Option<f64> {
        match *self {
            LatencyDist::Fixed { s } => Some(s),
            LatencyDist::Exponential { mean_s } => Some(mean_s),
            LatencyDist::Lognormal { p50_s, .. } => Some(p50_s),
            LatencyDist::Normal { mean_s, .. } => Some(mean_s),
            LatencyDist::Empirical { .. } => None,
        }
    }

    /// The mean service time, as the simulator's sampler has it (a normal is
    /// taken untruncated: its truncation at 0 moves the mean by less than
    /// 1e-4 of itself while `sd ≤ mean / 4`); `None` for empirical files.
    pub fn mean_s(&self) -> Option<f64> {
        match *self {
            LatencyDist::Fixed { s } => Some(s),
            LatencyDist::Exponential { mean_s } => Some(mean_s),
            LatencyDist::Lognormal { p50_s, p99_s } => {
                let sigma = lognormal_sigma(p50_s, p99_s);
                Some(p50_s * (sigma * sigma / 2.0).exp())
            }
            LatencyDist::Normal { mean_s, .. } => Some(mean_s),
            LatencyDist::Empirical { .. } => None,
        }
    }

    /// The `q` quantile (0 < q < 1) of one call's service time; `None` for
    /// empirical files, whose quantiles only the simulator reads.
    pub fn quantile_s(&self, q: f64) -> Option<f64> {
        let q = q.clamp(1e-9, 1.0 - 1e-9);
        match *self {
            LatencyDist::Fixed { s } => Some(s),
            LatencyDist::Exponential { mean_s } => Some(-(1.0 - q).ln() * mean_s),
            LatencyDist::Lognormal { p50_s, p99_s } => Some(p50_s * (lognormal_sigma(p50_s, p99_s) * numbers::normal_quantile(q)).exp()),
            LatencyDist::Normal { mean_s, sd_s } => Some((mean_s + sd_s.max(0.0) * numbers::normal_quantile(q)).max(0.0)),
            LatencyDist::Empirical { .. } => None,
        }
    }
}

/// σ of the log of a lognormal given by its median and 99th percentile, as
/// the simulator draws it (0 when the p99 is not above the median).
fn lognormal_sigma(p50_s: f64, p99_s: f64) -> f64 {
    if p99_s > p50_s && p50_s > 0.0 {
        (p99_s / p50_s).ln() / numbers::normal_quantile(0.99)
    } else {
        0.0
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Stage {
    pub name: String,
    pub doc: Vec<String>,
    pub model: Option<String>,
    #[serde(skip)]
    pub model_span: Span,
    pub feature_store_online: bool,
    pub latency: Option<LatencyDist>,
    pub batch: Option<(u64, f64)>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServingMode {
    Realtime,
    Batch,
    Streaming,
    Edge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Balancer {
    SharedQueue,
    LeastLoaded,
    RoundRobin,
    Random,
}

#[derive(Clone, Debug, Serialize)]
pub struct Autoscale {
    /// CPU (target utilisation) or rps (target per replica).
    pub on: AutoscaleSignal,
    pub target: f64,
    pub warmup_s: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Instance {
    /// `cpu` or `gpu`.
    pub kind: String,
    pub params: BTreeMap<String, f64>,
    pub cost_per_hour: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Serving {
    pub name: String,
    pub doc: Vec<String>,
    pub mode: Option<ServingMode>,
    pub endpoint: Option<String>,
    pub stages: Vec<Stage>,
    pub replicas: (u64, u64),
    pub concurrency: u64,
    pub balancer: Balancer,
    pub autoscale: Option<Autoscale>,
    /// (ttl seconds, hit rate)
    pub cache: Option<(f64, f64)>,
    /// (after seconds, fallback model)
    pub timeout: Option<(f64, String)>,
    #[serde(skip)]
    pub timeout_span: Span,
    pub queue: Option<u64>,
    pub instance: Option<Instance>,
    pub schedule_every_s: Option<f64>,
    pub span: Span,
    pub name_span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct Alert {
    pub channel: AlertChannel,
    pub target: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case", tag = "monitor")]
pub enum MonitorKind {
    Drift { feature: String, statistic: DriftStat, p_value: bool, cmp: Cmp, threshold: f64, every_s: Option<f64> },
    Performance { metric: String, cmp: Cmp, threshold: f64, window_s: f64, retrain: bool },
    Latency { percentile: f64, label: String, max_s: f64, window_s: f64 },
    Errors { rate: f64, window_s: f64 },
    Retrain { every_s: f64 },
}

#[derive(Clone, Debug, Serialize)]
pub struct Monitor {
    #[serde(flatten)]
    pub kind: MonitorKind,
    pub alert: Option<Alert>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct Experiment {
    pub name: String,
    pub doc: Vec<String>,
    pub treatment: String,
    pub control: String,
    pub traffic: f64,
    pub metric: String,
    pub duration_s: f64,
    pub min_effect: Option<f64>,
    pub span: Span,
    pub name_span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct Traffic {
    pub rate_rps: f64,
    /// (peak multiplier, hour of the peak in seconds)
    pub diurnal: Option<(f64, f64)>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum ScenarioEvent {
    Burst {
        factor: f64,
        at_s: f64,
        for_s: f64,
    },
    Shift {
        field: FieldRef,
        moment: Moment,
        by: f64,
        from_s: f64,
    },
    Mix {
        field: FieldRef,
        weights: Vec<(String, f64)>,
        from_s: f64,
    },
    ConceptDrift {
        strength: f64,
        from_s: f64,
    },
    PriorShift {
        field: FieldRef,
        rate: f64,
        from_s: f64,
    },
    Outage {
        stage: String,
        at_s: f64,
        for_s: f64,
        #[serde(skip)]
        span: Span,
    },
}

impl ScenarioEvent {
    /// When a drift-type event (shift, mix, concept drift, prior shift)
    /// starts; `None` for load events (bursts, outages).
    pub fn drift_start(&self) -> Option<f64> {
        match self {
            ScenarioEvent::Shift { from_s, .. }
            | ScenarioEvent::Mix { from_s, .. }
            | ScenarioEvent::ConceptDrift { from_s, .. }
            | ScenarioEvent::PriorShift { from_s, .. } => Some(*from_s),
            ScenarioEvent::Burst { .. } | ScenarioEvent::Outage { .. } => None,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Scenario {
    pub name: String,
    pub doc: Vec<String>,
    pub duration_s: Option<f64>,
    pub requests: Option<f64>,
    pub traffic: Option<Traffic>,
    pub events: Vec<ScenarioEvent>,
    pub seed: Option<u64>,
    pub span: Span,
    pub name_span: Span,
}

impl Scenario {
    /// Whether any statement of the scenario drifts the data or the labels.
    pub fn drifts(&self) -> bool {
        self.events.iter().any(|e| e.drift_start().is_some())
    }
}
