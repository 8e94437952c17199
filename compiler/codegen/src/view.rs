//! The typed view model of the python target: what the templates in
//! `templates/python/` read, one struct per thing a template iterates or
//! reads. Field names are the template keys.
//!
//! **Invariant:** every spec string in a [`View`] has been through a literal
//! helper ([`crate::literal`]: `py_str`, `py`, `py_num`, `yaml_str`, `md`, `md_code`, `dns`) before it
//! is stored; fields named `*_lit`, `*_md` and the `k8s` names are those
//! literals, `code` is compiled Python (see `python_expr`). The raw strings of
//! [`Config`] reach a file only as one `py` literal, the view's `config`.
//! **Invariant:** a template key is a field here, never absent: an optional
//! value is an `Option` (rendered `null`, falsy in `{{#if}}`), so handlebars
//! strict mode catches a misspelled key.

use crate::python_expr::WindowUse;
use mlspec_ir::vocab::{AlertChannel, DriftStat, Imbalance, MissingStrategy, ModelStage, TuningSearch};
use mlspec_ir::ParamValue;
use serde::Serialize;
use std::collections::BTreeMap;

/// The root context every template renders.
#[derive(Serialize)]
pub struct View {
    /// `spec_config.py`'s `CONFIG`: the [`Config`] as a Python literal.
    pub config: String,
    pub spec_name_lit: String,
    pub title_md: String,
    pub description_md: Option<String>,
    pub objective_md: String,
    pub owner_md: Option<String>,
    pub endpoint_md: String,
    /// The vendored `mlspec_runtime`'s version.
    pub runtime_version: &'static str,
    /// A vocabulary word (`binary_classification`), not spec text.
    pub task: &'static str,
    pub realtime: bool,
    /// Serving worker processes per replica (`ServingConfig::workers`).
    pub workers: u64,
    /// What the generated tests exercise beyond the common ones: declared
    /// drift monitors, an answer cache, a timeout with its fallback.
    pub drift_monitors: bool,
    pub answer_cache: bool,
    pub timeout_fallback: bool,
    /// The online store is Redis (else in process).
    pub redis: bool,
    /// In dependency order.
    pub features: Vec<FeatureView>,
    pub rules: Vec<RuleView>,
    /// The pydantic request: every column of the scored event the features
    /// and rules read.
    pub request_fields: Vec<SchemaField>,
    /// A ranking request's extra fields: the most candidate ids it may
    /// send and the most items it may ask for.
    pub ranking_request: Option<RankingRequest>,
    /// `spec_config.py`'s comment on where `rank_group` comes from (declared
    /// or guessed), for ranking and recommendation designs: one line of
    /// fixed words and checked identifiers ([`crate::ranking::rank_group_comment`]).
    pub rank_group_comment: Option<String>,
    /// One pydantic record per source.
    pub records: Vec<Record>,
    pub k8s: K8s,
}

/// Bounds of a ranking request's `candidates` and `limit`.
#[derive(Serialize)]
pub struct RankingRequest {
    pub candidates: u64,
    pub limit: u64,
    pub id_max_length: u32,
    /// `source.field` of the query, the candidate, and the candidate's
    /// attributes from the catalogue, as `md_code` spans.
    pub query_md: String,
    /// The query is the spec's `group`, not the schema guess.
    pub query_declared: bool,
    pub item_md: String,
    pub attributes_md: Option<String>,
    /// The retrieval model's name, as an `md_code` span.
    pub retrieval_md: Option<String>,
}

/// A feature's compiled expression in `features.py`.
#[derive(Serialize)]
pub struct FeatureView {
    pub name_lit: String,
    pub code: String,
    pub type_lit: String,
}

/// A rules model's compiled rules, in order.
#[derive(Serialize)]
pub struct RuleView {
    pub model_lit: String,
    pub codes: Vec<String>,
}

/// One field of a pydantic model.
#[derive(Serialize)]
pub struct SchemaField {
    /// A Python identifier (see `py_attr`).
    pub attr: String,
    /// The JSON name; a checked identifier.
    pub name: String,
    pub name_lit: String,
    pub column_lit: String,
    /// Built from `py_str` literals and fixed type names.
    pub annotation: String,
    /// `Field(..)` arguments, built from `py_num` and `py_str` literals.
    pub field_args: String,
}

/// The pydantic model of one source's rows.
#[derive(Serialize)]
pub struct Record {
    /// `{Camel}Record`: alphanumeric only.
    pub class: String,
    pub source_lit: String,
    pub fields: Vec<SchemaField>,
}

/// The Kubernetes manifests' values: YAML scalars and numbers.
#[derive(Serialize)]
pub struct K8s {
    pub name: String,
    pub label: String,
    pub retrain_name: String,
    pub batch_name: String,
    /// The optional Secret holding `MLSPEC_API_KEY` (YAML literal).
    pub api_key_secret: String,
    /// The Secret holding `REDIS_URL` (YAML literal).
    pub redis_secret: String,
    /// The Secrets' shared prefix, a DNS-1123 name (safe in Markdown as is).
    pub secret_prefix: String,
    pub owner: String,
    pub description: String,
    pub min_replicas: u64,
    pub max_replicas: u64,
    pub cpu: String,
    pub memory: String,
    pub gpus: Option<u64>,
    pub autoscale: Option<Autoscale>,
    pub retrain_cron: String,
    pub batch_cron: String,
}

/// The horizontal pod autoscaler's target.
#[derive(Serialize)]
pub struct Autoscale {
    pub cpu: bool,
    pub cpu_percent: i64,
    pub rps: i64,
    pub warmup_s: Option<i64>,
}

/// `CONFIG` in `spec_config.py`: what the fixed Python code reads at run
/// time. Rendered whole through `literal::py`; its keys are the Python
/// code's `CONFIG[...]` keys.
#[derive(Serialize)]
pub struct Config {
    pub spec_name: String,
    pub spec_hash: String,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub objective: String,
    pub task: &'static str,
    /// `source.field`.
    pub target: String,
    pub base_source: String,
    pub base_time: Option<String>,
    pub positive_rate: Option<f64>,
    pub classes: Vec<String>,
    pub sources: BTreeMap<String, SourceConfig>,
    pub joins: Vec<Join>,
    /// Every window aggregation the features use.
    pub windows: Vec<WindowUse>,
    /// Where serving reads window state and joined rows.
    pub online_store: OnlineStoreConfig,
    pub features: Vec<String>,
    pub models: BTreeMap<String, ModelConfig>,
    pub main_model: String,
    pub fallback_model: Option<String>,
    pub metrics: Vec<MetricConfig>,
    pub cost_matrix: Option<CostMatrixConfig>,
    pub split: Option<SplitConfig>,
    pub imbalance: Option<(Imbalance, Option<f64>)>,
    pub missing: Option<MissingStrategy>,
    pub dedupe: Option<String>,
    pub outliers: Option<(f64, f64)>,
    pub rank_group: Option<String>,
    /// How one query becomes a ranked list (ranking and recommendation).
    pub ranking: Option<RankingConfig>,
    pub serving: ServingConfig,
    pub drift: Vec<DriftConfig>,
}

/// How a ranking or recommendation service answers one query (see
/// `ranking.rs`). Columns are `source.field`.
#[derive(Serialize)]
pub struct RankingConfig {
    /// The query: the retrieval index's key and the ranking metrics' group.
    pub query: String,
    /// The candidate's id in the scored event.
    pub item: String,
    /// The table candidate ids come from, and its key.
    pub catalogue: Option<String>,
    pub catalogue_key: Option<String>,
    /// Event column -> catalogue column: the candidate's own attributes.
    pub from_catalogue: BTreeMap<String, String>,
    /// Candidates ranked per request (the ranking model's `candidates`).
    pub candidates: u64,
    /// Items answered unless the request asks for fewer: the largest `@K`
    /// of the offline metrics.
    pub limit: u64,
    pub retrieval: Option<RetrievalConfig>,
}

/// The declared retrieval stage's model and its index.
#[derive(Serialize)]
pub struct RetrievalConfig {
    pub model: String,
    pub kind: &'static str,
    pub candidates: u64,
    pub factors: u64,
}

/// A source's schema and sampling distributions.
#[derive(Serialize)]
pub struct SourceConfig {
    pub kind: Option<String>,
    pub format: Option<String>,
    pub location: Option<String>,
    pub time: Option<String>,
    pub key: Option<String>,
    pub fields: BTreeMap<String, FieldConfig>,
}

/// One field of a source.
#[derive(Serialize)]
pub struct FieldConfig {
    #[serde(rename = "type")]
    pub ty: String,
    pub key: bool,
    pub label: bool,
    pub range: Option<(f64, f64)>,
    pub values: Vec<String>,
    pub missing: f64,
    pub nullable: bool,
    pub dist: Option<DistConfig>,
    pub references: Option<String>,
    pub pii: bool,
}

/// A sampling distribution: its kind and its parameters, in one dict.
#[derive(Serialize)]
pub struct DistConfig {
    pub kind: String,
    #[serde(flatten)]
    pub params: BTreeMap<String, f64>,
}

/// A left join of `source` on `left` (`source.field`) = `right`.
#[derive(Serialize)]
pub struct Join {
    pub source: String,
    pub left: String,
    pub right: String,
}

/// A model: its estimator family (`impl`) and settings.
#[derive(Serialize)]
pub struct ModelConfig {
    pub kind: &'static str,
    #[serde(rename = "impl")]
    pub imp: &'static str,
    pub features: Vec<String>,
    pub params: BTreeMap<String, ParamValue>,
    pub tuning: Option<TuningConfig>,
    pub baseline: Option<String>,
    pub stage: Option<ModelStage>,
}

#[derive(Serialize)]
pub struct TuningConfig {
    pub search: TuningSearch,
    pub trials: Option<u64>,
    pub cv: Option<u64>,
    pub metric: Option<String>,
}

/// An offline metric computed on the test split.
#[derive(Serialize)]
pub struct MetricConfig {
    pub name: String,
    pub base: String,
    pub k: Option<u32>,
    pub cmp: Option<&'static str>,
    pub threshold: Option<f64>,
    pub primary: bool,
}

#[derive(Serialize)]
pub struct CostMatrixConfig {
    pub tp: f64,
    pub fp: f64,
    #[serde(rename = "fn")]
    pub fn_: f64,
    pub tn: f64,
}

#[derive(Serialize)]
pub struct SplitConfig {
    /// `random`, `time` or `group`.
    pub strategy: &'static str,
    /// The time or group field.
    pub field: Option<String>,
    pub train: f64,
    pub validation: f64,
    pub test: f64,
}

#[derive(Serialize)]
pub struct ServingConfig {
    pub name: String,
    /// `realtime` or `batch`.
    pub mode: &'static str,
    pub endpoint: String,
    pub timeout_s: Option<f64>,
    pub cache_ttl_s: Option<f64>,
    pub concurrency: u64,
    /// Worker processes per replica: one per declared CPU core (1 on a GPU
    /// or without an instance); a Python process uses one core.
    pub workers: u64,
    /// Requests waiting beyond this are refused (429 with `Retry-After`).
    pub queue: Option<u64>,
    pub schedule_every_s: Option<f64>,
    pub stages: Vec<StageConfig>,
}

/// A declared serving stage, as the service measures and runs it.
#[derive(Serialize)]
pub struct StageConfig {
    pub name: String,
    pub model: Option<String>,
    pub feature_store: bool,
    pub batch: Option<u64>,
    pub wait_s: Option<f64>,
}

/// The online store: `redis` (the declared engine) or `memory` (in process).
#[derive(Serialize)]
pub struct OnlineStoreConfig {
    pub kind: &'static str,
    pub engine: Option<String>,
    pub ttl_s: Option<f64>,
}

/// A drift monitor.
#[derive(Serialize)]
pub struct DriftConfig {
    pub feature: String,
    pub statistic: DriftStat,
    pub p_value: bool,
    pub cmp: &'static str,
    pub threshold: f64,
    pub every_s: Option<f64>,
    pub alert: Option<AlertConfig>,
}

#[derive(Serialize)]
pub struct AlertConfig {
    pub channel: AlertChannel,
    pub target: String,
}
