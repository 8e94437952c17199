//! Service times of serving stages: the declared `latency`, or for a `model`
//! stage without one, an estimate from the model's kind and params. The one
//! place that answers "how long does this stage take", for the checker's
//! capacity arithmetic, the load simulator and the review.
//!
//! Every constant is explained, with where it comes from, in
//! `docs/cost-model.md`; the linfa-calibrated ones are measured by
//! `runtime/drift/benches/cost_calibration.rs`.
//!
//! **Invariant:** every estimate is finite and positive, whatever the params
//! (absurd params are clamped, never turned into NaN or infinity).

use crate::vocab::{ModelKind, ModelStage};
use crate::{Design, LatencyDist, Model, ParamValue, Phase, Serving, Stage};

/// Fixed cost of one in-process predict call of a compiled model runtime
/// (argument marshalling, one dispatch, result allocation). An engineering
/// figure, not calibrated: linfa's own call is 25–100 ns, a one-row
/// scikit-learn `predict_proba` 0.2–0.3 ms (docs/cost-model.md).
pub const CALL_OVERHEAD_S: f64 = 20e-6;
/// Time per node visited in a tree ensemble, single row (calibrated on linfa's
/// decision tree; see docs/cost-model.md). Measured by
/// `runtime/drift/benches/cost_calibration.rs`: 8.3–13.6 ns per node in a
/// 500-tree forest of depth 8, 1.3–1.9 ns in one small tree that stays in cache
/// (2026-11-23, three runs).
pub const TREE_NODE_S: f64 = 10e-9;
/// Time per feature weight in a linear or logistic model, single row
/// (calibrated on linfa-linear / linfa-logistic; see docs/cost-model.md).
/// Measured by `runtime/drift/benches/cost_calibration.rs`: 0.14–0.19 ns per weight in
/// the clean fits (2026-11-23, three runs; 2 ns before the calibration).
pub const LINEAR_WEIGHT_S: f64 = 0.2e-9;
/// Sustained dense arithmetic of one CPU instance on small inference batches.
pub const CPU_FLOPS: f64 = 50e9;
/// Sustained dense arithmetic of one GPU instance on small inference batches.
pub const GPU_FLOPS: f64 = 5e12;
/// Fixed cost of one GPU inference call (kernel launches, host-device copies).
pub const GPU_CALL_OVERHEAD_S: f64 = 300e-6;
/// Time per rule evaluated in a `rules` or `heuristic` model.
pub const RULE_S: f64 = 100e-9;
/// Tail assumed for estimated stages: p99 = this × p50 (lognormal).
pub const ESTIMATE_TAIL_RATIO: f64 = 2.0;
/// For declared latencies on CPU instances: the share of a one-item call that
/// each further item of a batch adds (a batch of k takes S × (1 + m (k − 1))).
pub const DECLARED_BATCH_MARGINAL_CPU: f64 = 0.25;
/// The same on GPU instances, whose batches run in parallel lanes.
pub const DECLARED_BATCH_MARGINAL_GPU: f64 = 0.03;
/// Tokens per request assumed for a transformer without a `seq_len` param.
pub const DEFAULT_SEQ_LEN: f64 = 128.0;

/// Where a stage's service time comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Basis {
    /// `latency` on the stage.
    Stage,
    /// `latency` on the stage's model.
    Model,
    /// Estimated by [`model_estimate`]; the text says how.
    CostModel(String),
    /// Neither a latency nor a model: the stage takes no time.
    Instant,
}

/// How long one stage takes per call.
#[derive(Clone, Debug, PartialEq)]
pub struct StageService {
    /// Service time of a call with one request.
    pub dist: LatencyDist,
    /// A batch of k requests takes `dist × (1 + batch_marginal × (k − 1))`.
    pub batch_marginal: f64,
    pub basis: Basis,
}

/// A cost-model estimate for one model, single request.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// Fixed part of a call.
    pub overhead_s: f64,
    /// Part of a call proportional to the request's work.
    pub work_s: f64,
    /// How the figure was reached, for reports.
    pub explanation: String,
}

impl Estimate {
    pub fn median_s(&self) -> f64 {
        self.overhead_s + self.work_s
    }

    pub fn dist(&self) -> LatencyDist {
        let p50 = self.median_s();
        LatencyDist::Lognormal { p50_s: p50, p99_s: p50 * ESTIMATE_TAIL_RATIO }
    }
}

/// The service time of `stage` in `serving`.
pub fn stage_service<P: Phase>(design: &Design<P>, serving: &Serving, stage: &Stage) -> StageService {
    let model = stage.model.as_deref().and_then(|m| design.model(m));
    if let Some(dist) = &stage.latency {
        return StageService { dist: dist.clone(), batch_marginal: declared_batch_marginal(serving), basis: Basis::Stage };
    }
    match model {
        Some(m) => model_service(m, serving),
        None => StageService { dist: LatencyDist::Fixed { s: 0.0 }, batch_marginal: 0.0, basis: Basis::Instant },
    }
}

/// The service time of `model` when `serving` calls it (declared or estimated).
pub fn model_service<P: Phase>(model: &Model<P>, serving: &Serving) -> StageService {
    if let Some(dist) = &model.latency {
        return StageService { dist: dist.clone(), batch_marginal: declared_batch_marginal(serving), basis: Basis::Model };
    }
    let gpu = on_gpu(serving);
    let e = model_estimate(model, gpu);
    let marginal = (e.work_s / e.median_s()).clamp(0.0, 1.0);
    StageService { dist: e.dist(), batch_marginal: marginal, basis: Basis::CostModel(e.explanation.clone()) }
}

fn on_gpu(serving: &Serving) -> bool {
    serving.instance.as_ref().is_some_and(|i| i.kind == "gpu")
}

fn declared_batch_marginal(serving: &Serving) -> f64 {
    if on_gpu(serving) {
        DECLARED_BATCH_MARGINAL_GPU
    } else {
        DECLARED_BATCH_MARGINAL_CPU
    }
}

/// Batches a replica runs at once in a batching stage: one per core of a CPU
/// instance (`cpu(cores: N)`), one per GPU of a GPU instance (`gpu(count: N)`),
/// else one.
pub fn batch_executors(serving: &Serving) -> u32 {
    let Some(i) = &serving.instance else { return 1 };
    let key = if i.kind == "gpu" { "count" } else { "cores" };
    i.params.get(key).map_or(1, |n| n.clamp(1.0, 1024.0) as u32)
}

/// The typical (median-ish) time of one call with one request, as used for
/// quick capacity arithmetic; `None` for empirical files.
pub fn typical_s(service: &StageService) -> Option<f64> {
    service.dist.typical_s()
}

fn num<P: Phase>(model: &Model<P>, key: &str) -> Option<f64> {
    match model.params.get(key) {
        Some(ParamValue::Number(n)) if n.is_finite() && *n > 0.0 => Some(n.min(1e12)),
        _ => None,
    }
}

fn layers<P: Phase>(model: &Model<P>) -> Option<Vec<f64>> {
    match model.params.get("layers") {
        Some(ParamValue::List(l)) if !l.is_empty() => Some(l.iter().map(|w| w.clamp(1.0, 1e6)).collect()),
        _ => None,
    }
}

/// Estimates one request through `model` from its kind and params.
pub fn model_estimate<P: Phase>(model: &Model<P>, gpu: bool) -> Estimate {
    let features = (model.features.len() as f64).max(1.0);
    // Items scored per request: a ranking model scores its candidates.
    let items = if model.stage == Some(ModelStage::Ranking) { model.candidates.unwrap_or(1.0).clamp(1.0, 1e7) } else { 1.0 };
    let flops = if gpu { GPU_FLOPS } else { CPU_FLOPS };
    let dense_overhead = if gpu { GPU_CALL_OVERHEAD_S } else { CALL_OVERHEAD_S };
    let per_item = |what: String, each_s: f64| -> (f64, String) {
        if items > 1.0 {
            (each_s * items, format!("{what} × {} candidates", fmt_num(items)))
        } else {
            (each_s, what)
        }
    };
    let (overhead, (work, what)) = match model.known_kind() {
        Some(ModelKind::Rules | ModelKind::Heuristic) => {
            let rules = (model.rules.len() as f64).max(1.0);
            (CALL_OVERHEAD_S, per_item(format!("{} rules × {} ns", fmt_num(rules), RULE_S * 1e9), rules * RULE_S))
        }
        Some(ModelKind::LogisticRegression | ModelKind::LinearRegression) => (
            CALL_OVERHEAD_S,
            per_item(format!("{} features × {} ns", fmt_num(features), LINEAR_WEIGHT_S * 1e9), features * LINEAR_WEIGHT_S),
        ),
        Some(ModelKind::DecisionTree) => {
            let depth = num(model, "depth").unwrap_or(10.0).min(64.0);
            (CALL_OVERHEAD_S, per_item(format!("1 tree × depth {} × {} ns", fmt_num(depth), TREE_NODE_S * 1e9), depth * TREE_NODE_S))
        }
        Some(ModelKind::RandomForest | ModelKind::GradientBoosting | ModelKind::IsolationForest) => {
            let trees = num(model, "trees").unwrap_or(100.0);
            // Isolation trees grow to log2(256) = 8 on their default subsample.
            let default_depth = if model.known_kind() == Some(ModelKind::IsolationForest) { 8.0 } else { 6.0 };
            let depth = num(model, "depth").unwrap_or(default_depth).min(64.0);
            (
                CALL_OVERHEAD_S,
                per_item(
                    format!("{} trees × depth {} × {} ns", fmt_num(trees), fmt_num(depth), TREE_NODE_S * 1e9),
                    trees * depth * TREE_NODE_S,
                ),
            )
        }
        Some(ModelKind::NeuralNetwork) => {
            let widths = layers(model).unwrap_or_else(|| vec![128.0, 64.0]);
            let mut prev = features;
            let mut macs = 0.0;
            for w in widths.iter().chain(std::iter::once(&1.0)) {
                macs += prev * w;
                prev = *w;
            }
            let f = 2.0 * macs;
            (dense_overhead, per_item(format!("MLP {} FLOPs / {} FLOP/s", fmt_num(f), fmt_num(flops)), f / flops))
        }
        Some(ModelKind::Transformer) => {
            let layers_n = num(model, "layers").unwrap_or(12.0).min(1000.0);
            let d = num(model, "embedding_dim").or_else(|| num(model, "heads").map(|h| h * 64.0)).unwrap_or(768.0).min(1e5);
            let seq = num(model, "seq_len").unwrap_or(DEFAULT_SEQ_LEN).min(1e6);
            let params = 12.0 * layers_n * d * d;
            let f = 2.0 * params * seq;
            (
                dense_overhead,
                per_item(
                    format!("transformer {} params × {} tokens × 2 FLOPs / {} FLOP/s", fmt_num(params), fmt_num(seq), fmt_num(flops)),
                    f / flops,
                ),
            )
        }
        Some(ModelKind::TwoTower | ModelKind::MatrixFactorization | ModelKind::Knn) => {
            // Retrieval: embed the query, then score candidates by dot product.
            let dim = num(model, "embedding_dim").unwrap_or(64.0).min(1e5);
            let cands = model.candidates.or_else(|| num(model, "k")).unwrap_or(100.0).clamp(1.0, 1e9);
            let f = 2.0 * dim * (cands + features * dim);
            (
                dense_overhead,
                (f / flops, format!("{} candidates × dim {} dot products / {} FLOP/s", fmt_num(cands), fmt_num(dim), fmt_num(flops))),
            )
        }
        Some(ModelKind::Kmeans) => {
            let k = num(model, "clusters").or_else(|| num(model, "k")).unwrap_or(8.0).min(1e7);
            (
                CALL_OVERHEAD_S,
                per_item(format!("{} centroids × {} features", fmt_num(k), fmt_num(features)), k * features * LINEAR_WEIGHT_S),
            )
        }
        Some(ModelKind::Arima) => {
            let order = num(model, "p").unwrap_or(2.0) + num(model, "q").unwrap_or(2.0);
            (CALL_OVERHEAD_S, (order * LINEAR_WEIGHT_S * 10.0, format!("ARIMA order {}", fmt_num(order))))
        }
        None => (CALL_OVERHEAD_S, (0.0, "unknown kind: call overhead only".to_string())),
    };
    let overhead_s = overhead;
    let work_s = if work.is_finite() { work.clamp(0.0, 3600.0) } else { 3600.0 };
    let explanation = format!("{what} + {} µs call", fmt_num(overhead_s * 1e6));
    Estimate { overhead_s, work_s, explanation }
}

/// A number for explanations: integers without decimals, large ones with
/// k/M/G suffixes.
fn fmt_num(x: f64) -> String {
    let (v, suffix) = if x >= 1e12 {
        (x / 1e12, "T")
    } else if x >= 1e9 {
        (x / 1e9, "G")
    } else if x >= 1e6 {
        (x / 1e6, "M")
    } else if x >= 1e4 {
        (x / 1e3, "k")
    } else {
        (x, "")
    };
    if (v - v.round()).abs() < 1e-9 {
        format!("{}{suffix}", v.round())
    } else {
        let digits = format!("{v:.3}");
        format!("{}{suffix}", digits.trim_end_matches('0').trim_end_matches('.'))
    }
}

/// The typical time of one request through all stages of `serving`, or
/// `None` when a stage's time is only known from a file.
pub fn path_typical_s<P: Phase>(design: &Design<P>, serving: &Serving) -> Option<f64> {
    serving.stages.iter().map(|st| typical_s(&stage_service(design, serving, st))).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn model(kind: ModelKind, params: &[(&str, ParamValue)]) -> Model {
        let mut p = BTreeMap::new();
        for (k, v) in params {
            p.insert(k.to_string(), v.clone());
        }
        Model {
            name: "m".into(),
            doc: vec![],
            kind,
            kind_span: Default::default(),
            features: vec!["a".into(), "b".into(), "c".into()],
            feature_spans: vec![],
            params: p,
            tuning: None,
            tuning_span: Default::default(),
            baseline: None,
            baseline_span: Default::default(),
            rules: vec![],
            stage: None,
            candidates: None,
            latency: None,
            span: Default::default(),
            name_span: Default::default(),
        }
    }

    #[test]
    fn gradient_boosting_scales_with_trees_and_depth() {
        let small = model_estimate(&model(ModelKind::GradientBoosting, &[("trees", ParamValue::Number(100.0))]), false);
        let big = model_estimate(
            &model(ModelKind::GradientBoosting, &[("trees", ParamValue::Number(500.0)), ("depth", ParamValue::Number(8.0))]),
            false,
        );
        // 500 × 8 × 10 ns = 40 µs of work on top of the 20 µs call.
        assert!((big.median_s() - 60e-6).abs() < 1e-12, "{}", big.median_s());
        assert!(big.work_s > small.work_s * 6.0);
        assert!(big.explanation.contains("500 trees × depth 8"), "{}", big.explanation);
    }

    #[test]
    fn linear_models_pay_per_weight() {
        let e = model_estimate(&model(ModelKind::LogisticRegression, &[]), false);
        // 3 features × 0.2 ns on top of the 20 µs call.
        assert!((e.work_s - 0.6e-9).abs() < 1e-15, "{}", e.work_s);
        assert!((e.median_s() - (20e-6 + 0.6e-9)).abs() < 1e-15);
        assert_eq!(e.explanation, "3 features × 0.2 ns + 20 µs call");
    }

    #[test]
    fn ranking_models_pay_per_candidate() {
        let mut m = model(ModelKind::NeuralNetwork, &[("layers", ParamValue::List(vec![64.0, 32.0]))]);
        let one = model_estimate(&m, false).work_s;
        m.stage = Some(ModelStage::Ranking);
        m.candidates = Some(500.0);
        let many = model_estimate(&m, false).work_s;
        assert!((many / one - 500.0).abs() < 1e-6);
    }

    #[test]
    fn gpu_is_faster_for_large_networks() {
        let m = model(ModelKind::Transformer, &[("layers", ParamValue::Number(12.0)), ("heads", ParamValue::Number(12.0))]);
        assert!(model_estimate(&m, true).median_s() < model_estimate(&m, false).median_s() / 10.0);
    }

    #[test]
    fn absurd_params_stay_finite() {
        let m = model(ModelKind::GradientBoosting, &[("trees", ParamValue::Number(1e300)), ("depth", ParamValue::Number(f64::MAX))]);
        let e = model_estimate(&m, false);
        assert!(e.median_s().is_finite() && e.median_s() > 0.0);
        let t = model(ModelKind::Transformer, &[("layers", ParamValue::Number(1e300)), ("seq_len", ParamValue::Number(1e300))]);
        assert!(model_estimate(&t, true).median_s().is_finite());
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(500.0), "500");
        assert_eq!(fmt_num(50e9), "50G");
        assert_eq!(fmt_num(2.5), "2.5");
        assert_eq!(fmt_num(12_500.0), "12.5k");
    }
}
