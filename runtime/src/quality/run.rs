//! The drift run: generate, train, then walk the checks in time order.

use super::monitor::{fires, Reference};
use super::report::*;
use super::{Options, DEFAULT_EVERY_S, HISTORY_DAYS, MAX_DAYS, MIN_LABELLED_ROWS, TAIL_DAYS};
use crate::data::drift::{drift_start, DriftPlan};
use crate::data::stream::{block_rows, Generator, Store, BLOCK_S};
use crate::data::truth::Shape;
use crate::data::world::{is_table, World};
use crate::models::metrics::{self, Confusion, Pred};
use crate::models::Trained;
use mlspec_compiler::analysis::{human_duration, transitive_reads};
use mlspec_compiler::ir::{Cmp, CostMatrix, Design, MonitorKind, Scenario, ScenarioEvent, Scope};
use mlspec_compiler::vocab::{ModelKind, Task};
use std::collections::BTreeSet;

const H: f64 = 3600.0;
/// Windows longer than this start cold at the history's start.
const WARMUP_MAX_S: f64 = 30.0 * 86_400.0;
/// The hidden truth is fitted (standardised and calibrated) on the last
/// week of history, where every window is warm.
const TRUTH_REFERENCE_S: f64 = 7.0 * 86_400.0;

fn hours(s: f64) -> f64 {
    (s / H * 1000.0).round() / 1000.0
}

fn pct(x: f64) -> String {
    let p = x * 100.0;
    let s = format!("{p:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    s
}

pub fn event_statement(e: &ScenarioEvent) -> String {
    match e {
        ScenarioEvent::Shift { field, moment, by, from_s } => {
            format!("drift {field} shift {moment} {}{}% from {}", if *by >= 0.0 { "+" } else { "" }, pct(*by), human_duration(*from_s))
        }
        ScenarioEvent::Mix { field, weights, from_s } => {
            let w: Vec<String> = weights.iter().map(|(k, v)| format!("{k}: {}%", pct(*v))).collect();
            format!("drift {field} mix {{ {} }} from {}", w.join(", "), human_duration(*from_s))
        }
        ScenarioEvent::ConceptDrift { strength, from_s } => format!("concept_drift strength {strength} from {}", human_duration(*from_s)),
        ScenarioEvent::PriorShift { field, rate, from_s } => {
            format!("prior_shift {field} {}% from {}", pct(*rate), human_duration(*from_s))
        }
        ScenarioEvent::Burst { factor, at_s, for_s } => {
            format!("burst {factor}x at {} for {}", human_duration(*at_s), human_duration(*for_s))
        }
        ScenarioEvent::Outage { stage, at_s, for_s, .. } => {
            format!("outage {stage} at {} for {}", human_duration(*at_s), human_duration(*for_s))
        }
    }
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

pub fn monitor_statement(k: &MonitorKind) -> String {
    match k {
        MonitorKind::Drift { feature, statistic, p_value, cmp, threshold, every_s } => {
            let every = every_s.map(|e| format!(" every {}", human_duration(e))).unwrap_or_default();
            let p = if *p_value { "p " } else { "" };
            format!("drift {feature} using {statistic} {p}{} {}{every}", cmp.as_str(), fmt_num(*threshold))
        }
        MonitorKind::Performance { metric, cmp, threshold, window_s, retrain } => {
            let action = if *retrain { " action retrain" } else { "" };
            format!("performance {metric} {} {} window {}{action}", cmp.as_str(), fmt_num(*threshold), human_duration(*window_s))
        }
        MonitorKind::Latency { label, max_s, window_s, .. } => {
            format!("latency {label} > {} window {}", human_duration(*max_s), human_duration(*window_s))
        }
        MonitorKind::Errors { rate, window_s } => format!("errors rate > {}% window {}", pct(*rate), human_duration(*window_s)),
        MonitorKind::Retrain { every_s } => format!("retrain every {}", human_duration(*every_s)),
    }
}

/// Indices of rows in `range`, split as the dataset declares: train,
/// validation, test.
fn split(d: &Design, store: &Store, rows: std::ops::Range<usize>, seed: u64) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    use mlspec_compiler::ir::SplitStrategy;
    let s = d.dataset.as_ref().and_then(|ds| ds.split.as_ref());
    let (tr, va) = s.map_or((0.8, 0.1), |s| (s.train, s.validation));
    let total = s.map_or(1.0, |s| (s.train + s.validation + s.test).max(1e-9));
    let (tr, va) = (tr / total, va / total);
    let n = rows.len();
    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    match s.map(|s| &s.strategy) {
        Some(SplitStrategy::Time(_)) | None => {
            let (ct, cv) = ((n as f64 * tr) as usize, (n as f64 * (tr + va)) as usize);
            for (i, r) in rows.enumerate() {
                if i < ct {
                    a.push(r);
                } else if i < cv {
                    b.push(r);
                } else {
                    c.push(r);
                }
            }
        }
        Some(strategy) => {
            let by_group = matches!(strategy, SplitStrategy::Group(_));
            for r in rows {
                let key = if by_group { u64::from(store.group.get(r).copied().unwrap_or(0)) } else { r as u64 };
                let mut z = key ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                let u = (z >> 11) as f64 / (1u64 << 53) as f64;
                if u < tr {
                    a.push(r);
                } else if u < tr + va {
                    b.push(r);
                } else {
                    c.push(r);
                }
            }
        }
    }
    (a, b, c)
}

/// Rebalances training rows as `imbalance` declares (binary tasks), and
/// says by how much the sample's odds of a positive exceed the data's.
fn rebalance(d: &Design, store: &Store, rows: Vec<usize>) -> (Vec<usize>, f64) {
    let Some((how, ratio)) = d.dataset.as_ref().and_then(|ds| ds.imbalance.clone()) else { return (rows, 1.0) };
    let (pos, neg): (Vec<usize>, Vec<usize>) = rows.iter().partition(|r| store.y.get(**r).copied().unwrap_or(0.0) > 0.5);
    if pos.is_empty() || neg.is_empty() {
        return (rows, 1.0);
    }
    let is_pos = |r: &usize| store.y.get(*r).copied().unwrap_or(0.0) > 0.5;
    let mut out = match how.as_str() {
        "undersample" => {
            let keep = ((pos.len() as f64 / ratio.unwrap_or(1.0).max(1e-9)) as usize).min(neg.len()).max(1);
            let stride = neg.len() as f64 / keep as f64;
            let mut v = pos.clone();
            v.extend((0..keep).filter_map(|i| neg.get((i as f64 * stride) as usize)));
            v
        }
        // Oversampling, SMOTE and class weights all become repeated positives here.
        _ => {
            let mut v = rows.clone();
            let extra = neg.len().saturating_sub(pos.len());
            v.extend((0..extra).filter_map(|i| pos.get(i % pos.len())));
            v
        }
    };
    out.sort_unstable();
    let kept_pos = out.iter().filter(|r| is_pos(r)).count() as f64;
    let kept_neg = out.len() as f64 - kept_pos;
    let factor = (kept_pos / pos.len() as f64) / (kept_neg / neg.len() as f64).max(1e-12);
    (out, factor)
}

/// The decision threshold on P(positive): the cost matrix's Bayes threshold
/// (flag when p·(fn − tp) > (1 − p)·(fp − tn)), else 0.5; rules decide 0/1.
fn decision_threshold(cm: Option<&CostMatrix>, rules: bool) -> f64 {
    match cm {
        Some(m) if !rules => {
            let (a, b) = (m.fp - m.tn, m.fn_ - m.tp);
            if a >= 0.0 && a + b > 0.0 {
                a / (a + b)
            } else {
                0.5
            }
        }
        _ => 0.5,
    }
}

/// The threshold metrics compare decisions; the rest rank scores.
fn needs_decision(base: &str) -> bool {
    matches!(base, "precision" | "recall" | "f1" | "accuracy" | "false_positive_rate")
}

/// Predictions of a run, one per production row.
#[derive(Clone)]
struct Live {
    pred: Option<Pred>,
    thresholds: Vec<f64>,
}

impl Live {
    fn push(&mut self, p: Pred, threshold: f64) {
        let n = pred_len(&p);
        self.thresholds.extend(std::iter::repeat_n(threshold, n));
        self.pred = Some(match (self.pred.take(), p) {
            (None, p) => p,
            (Some(Pred::Prob(mut a)), Pred::Prob(b)) => {
                a.extend(b);
                Pred::Prob(a)
            }
            (Some(Pred::Value(mut a)), Pred::Value(b)) => {
                a.extend(b);
                Pred::Value(a)
            }
            (Some(Pred::Classes { probs: mut a }), Pred::Classes { probs: b }) => {
                a.extend(b);
                Pred::Classes { probs: a }
            }
            (Some(a), _) => a,
        });
    }

    fn len(&self) -> usize {
        self.pred.as_ref().map_or(0, pred_len)
    }

    /// Metric `base@k` over production rows `r` (offsets from hour 0's first row).
    fn metric(&self, base: &str, k: Option<u32>, r: std::ops::Range<usize>, store: &Store, offset: usize) -> Option<f64> {
        let pred = self.pred.as_ref()?;
        let y: Vec<f64> = r.clone().map(|i| store.y.get(i + offset).copied().unwrap_or(0.0)).collect();
        let group: Vec<u32> = r.clone().map(|i| store.group.get(i + offset).copied().unwrap_or(0)).collect();
        let selected = match pred {
            Pred::Prob(p) if needs_decision(base) && k.is_none() => Pred::Prob(
                r.clone()
                    .map(|i| f64::from(u8::from(p.get(i).copied().unwrap_or(0.0) >= self.thresholds.get(i).copied().unwrap_or(0.5))))
                    .collect(),
            ),
            Pred::Prob(p) => Pred::Prob(r.clone().filter_map(|i| p.get(i).copied()).collect()),
            Pred::Value(v) => Pred::Value(r.clone().filter_map(|i| v.get(i).copied()).collect()),
            Pred::Classes { probs } => Pred::Classes { probs: r.clone().filter_map(|i| probs.get(i).cloned()).collect() },
        };
        metrics::metric(base, k, &selected, &y, &group, 0.5)
    }

    fn confusion(&self, r: std::ops::Range<usize>, store: &Store, offset: usize) -> Option<Confusion> {
        let Some(Pred::Prob(p)) = &self.pred else { return None };
        let mut c = Confusion::default();
        for i in r {
            let flagged = p.get(i).copied().unwrap_or(0.0) >= self.thresholds.get(i).copied().unwrap_or(0.5);
            match (flagged, store.y.get(i + offset).copied().unwrap_or(0.0) > 0.5) {
                (true, true) => c.tp += 1.0,
                (true, false) => c.fp += 1.0,
                (false, true) => c.fn_ += 1.0,
                (false, false) => c.tn += 1.0,
            }
        }
        Some(c)
    }
}

fn pred_len(p: &Pred) -> usize {
    match p {
        Pred::Prob(v) | Pred::Value(v) => v.len(),
        Pred::Classes { probs } => probs.len(),
    }
}

/// The model the serving calls last, else the first learned model.
fn production_model(d: &Design) -> Option<usize> {
    let served = d
        .servings
        .iter()
        .flat_map(|s| s.stages.iter().rev().filter_map(|st| st.model.as_deref()).take(1))
        .find_map(|name| d.models.iter().position(|m| m.name == name));
    served.or_else(|| d.models.iter().position(|m| m.kind != Some(ModelKind::Rules))).or(if d.models.is_empty() { None } else { Some(0) })
}

fn metric_parts(name: &str) -> (String, Option<u32>) {
    match name.split_once('@') {
        Some((b, k)) => (b.to_string(), k.parse().ok()),
        None => (name.to_string(), None),
    }
}

struct Check {
    t: f64,
    order: u8,
    what: Action,
}

#[derive(Clone, Copy)]
enum Action {
    Drift(usize),
    Perf(usize),
    Retrain,
    Quality,
}

fn times(every: f64, horizon: f64) -> impl Iterator<Item = f64> {
    let every = every.max(60.0);
    let n = (horizon / every + 1e-9).floor() as u64;
    (1..=n).map(move |i| i as f64 * every)
}

/// Runs the drift and quality simulation; `None` when the design has no
/// source or no model to simulate.
pub fn simulate(d: &Design, scenario: Option<&Scenario>, o: &Options, progress: &mut dyn FnMut(f64)) -> Option<QualityOutcome> {
    let world = World::new(d, o.rows_per_day)?;
    let model_idx = production_model(d)?;
    let model_decl = d.models.get(model_idx)?;
    let drift = DriftPlan::new(scenario);
    let duration = scenario.and_then(|s| s.duration_s).unwrap_or(86_400.0);
    let horizon = match o.days {
        Some(days) => days * 86_400.0,
        None => match drift.last_start() {
            Some(last) => duration.max(last + TAIL_DAYS * 86_400.0),
            None => duration,
        },
    };
    let horizon = ((horizon.clamp(H, MAX_DAYS * 86_400.0)) / H).ceil() * H;
    let history = HISTORY_DAYS * 86_400.0;
    let entity_name = d.sources.get(world.entity).map(|s| s.name.clone()).unwrap_or_default();
    let sources = d
        .sources
        .iter()
        .zip(&world.rows)
        .map(|(s, r)| SourceRows { source: s.name.clone(), rows: *r, per: if is_table(s) { "total" } else { "day" } })
        .collect();
    let declared_per_day = d.sources.get(world.entity).and_then(|s| s.volume_per_s.map(|v| v * 86_400.0).or(s.volume));
    let rows_per_day = world.rows_per_day;

    // 1. Data, hour by hour, from the start of the history.
    let mut gen = Generator::new(d, world, drift.clone(), o.seed);
    let mut store = Store::default();
    // Windows warm up before the history starts; those rows are not kept.
    let warmup = gen.longest_window_s().min(WARMUP_MAX_S);
    let first = -((history + warmup) / BLOCK_S).ceil() as i64;
    let kept = -(history / BLOCK_S) as i64;
    let last = (horizon / BLOCK_S).ceil() as i64;
    let mut scratch = Store::default();
    for k in first..last {
        let n = block_rows(rows_per_day, k);
        let into = if k < kept { &mut scratch } else { &mut store };
        gen.block(k, k as f64 * BLOCK_S, (k + 1) as f64 * BLOCK_S, n, into);
        if k < kept {
            scratch = Store::default();
            gen.forget_blocks();
        }
        progress((k - first + 1) as f64 / (last - first) as f64 * 0.6);
    }
    gen.label(&mut store, -TRUTH_REFERENCE_S.min(history)..0.0);
    let (task, classes) = match gen.truth.as_ref().map(|t| t.shape.clone()) {
        Some(Shape::Multiclass { classes }) => (Task::MulticlassClassification, classes),
        Some(Shape::Regression { .. }) => (d.task().unwrap_or(Task::Regression), 1),
        _ => (d.task().unwrap_or(Task::BinaryClassification), 2),
    };
    let binary = classes == 2;
    let inputs = gen.inputs.clone();
    let monitored = gen.monitored.clone();
    let history_rows = store.range(-history, 0.0);
    let prod_start = history_rows.end;
    let label_rate_history = binary.then(|| {
        let r = history_rows.clone();
        r.clone().filter(|i| store.y.get(*i).copied().unwrap_or(0.0) > 0.5).count() as f64 / r.len().max(1) as f64
    });

    // 2. Offline: every model on the history's split.
    let cm = d.cost_matrix.as_ref();
    // The validation split is held out, as declared; thresholds come from the cost matrix.
    let (train, _validation, test) = split(d, &store, history_rows.clone(), o.seed);
    let (train_bal, odds) = if binary { rebalance(d, &store, train.clone()) } else { (train.clone(), 1.0) };
    let mut offline = Vec::new();
    let mut production: Option<(Trained, f64)> = None;
    for (mi, m) in d.models.iter().enumerate() {
        let t = Trained::train(m, task, classes, &inputs, &store, &train_bal).with_odds_correction(odds);
        let rules = m.kind == Some(ModelKind::Rules);
        let threshold = decision_threshold(cm, rules);
        let pred = t.predict(&store, &test);
        let y: Vec<f64> = test.iter().map(|r| store.y.get(*r).copied().unwrap_or(0.0)).collect();
        let group: Vec<u32> = test.iter().map(|r| store.group.get(*r).copied().unwrap_or(0)).collect();
        let results = d
            .metrics
            .iter()
            .filter(|m| m.scope == Scope::Offline)
            .map(|metric| {
                let value = metrics::metric(&metric.base, metric.k, &pred, &y, &group, threshold);
                let met = match (value, metric.threshold) {
                    (Some(v), Some((c, th))) => Some(fires(c, v, th)),
                    _ => None,
                };
                MetricResult {
                    metric: metric.name.clone(),
                    value,
                    cmp: metric.threshold.map(|(c, _)| c.as_str().to_string()),
                    threshold: metric.threshold.map(|(_, t)| t),
                    met,
                }
            })
            .collect();
        let (cost, best) = match (&pred, cm) {
            // A rules model decides 0 or 1: it has a cost but no threshold to tune.
            (Pred::Prob(p), Some(m)) => {
                (Confusion::at(p, &y, threshold).cost_per_1000(m), if rules { None } else { metrics::best_threshold(p, &y, m) })
            }
            _ => (None, None),
        };
        offline.push(OfflineModel {
            model: m.name.clone(),
            kind: t.kind.clone(),
            method: t.method.clone(),
            threshold: matches!(pred, Pred::Prob(_)).then_some(threshold),
            metrics: results,
            cost_per_1000: cost,
            best_threshold: best.map(|b| b.0),
            best_cost_per_1000: best.map(|b| b.1),
        });
        if mi == model_idx {
            production = Some((t, threshold));
        }
        progress(0.6 + 0.1 * (mi + 1) as f64 / d.models.len().max(1) as f64);
    }
    let (initial, initial_threshold) = production?;
    let threshold = initial_threshold;
    let production_rows = prod_start..store.len();
    let all_prod: Vec<usize> = production_rows.clone().collect();

    // 3. The frozen run: the first model on every production row.
    let mut frozen = Live { pred: None, thresholds: Vec::new() };
    frozen.push(initial.predict(&store, &all_prod), initial_threshold);

    // 4. The declared run.
    let delay = mlspec_compiler::facts::label_delay_s(d).unwrap_or(0.0);
    let metric_name = d
        .monitors
        .iter()
        .find_map(|m| match &m.kind {
            MonitorKind::Performance { metric, .. } => Some(metric.clone()),
            _ => None,
        })
        .or_else(|| d.metrics.iter().find(|m| m.primary && m.scope == Scope::Offline).map(|m| m.name.clone()))
        .or_else(|| d.metrics.iter().find(|m| m.scope == Scope::Offline).map(|m| m.name.clone()))
        .unwrap_or_else(|| {
            if binary {
                "auc_roc".into()
            } else if classes > 2 {
                "accuracy".into()
            } else {
                "rmse".into()
            }
        });
    let (metric_base, metric_k) = metric_parts(&metric_name);
    let step = if horizon >= 3.0 * 86_400.0 { 86_400.0 } else { H };
    let window = if horizon >= 14.0 * 86_400.0 { 7.0 * 86_400.0 } else { step };

    let mut checks: Vec<Check> = Vec::new();
    let mut series: Vec<MonitorSeries> = Vec::new();
    let mut refs: Vec<Option<Reference>> = Vec::new();
    let mut mon_col: Vec<Option<usize>> = Vec::new();
    let mut perf_window: Vec<f64> = Vec::new();
    let mut drift_i = 0;
    for m in &d.monitors {
        let idx = series.len();
        match &m.kind {
            MonitorKind::Drift { feature, statistic, p_value, cmp, threshold, every_s } => {
                let every = every_s.unwrap_or(DEFAULT_EVERY_S);
                checks.extend(times(every, horizon).map(|t| Check { t, order: 0, what: Action::Drift(idx) }));
                let col = drift_i;
                drift_i += 1;
                let levels = monitored.get(col).and_then(|m| m.levels);
                let values: Vec<f64> =
                    train.iter().map(|r| store.monitored.get(col).and_then(|c| c.get(*r)).copied().unwrap_or(f64::NAN)).collect();
                refs.push(Some(Reference::new(&values, levels)));
                mon_col.push(Some(col));
                perf_window.push(0.0);
                let note = (every_s.is_none()).then(|| "no `every`: checked daily".to_string());
                series.push(MonitorSeries {
                    monitor: monitor_statement(&m.kind),
                    kind: "drift",
                    feature: Some(feature.clone()),
                    statistic: statistic.clone(),
                    p_value: *p_value,
                    cmp: cmp.as_str().into(),
                    threshold: *threshold,
                    every_hours: hours(every),
                    values: Vec::new(),
                    alerts_hours: Vec::new(),
                    onsets_hours: Vec::new(),
                    retrain: false,
                    note,
                });
            }
            MonitorKind::Performance { metric, cmp, threshold, window_s, retrain } => {
                let every = window_s.min(86_400.0);
                checks.extend(times(every, horizon).map(|t| Check { t, order: 0, what: Action::Perf(idx) }));
                refs.push(None);
                mon_col.push(None);
                perf_window.push(*window_s);
                series.push(MonitorSeries {
                    monitor: monitor_statement(&m.kind),
                    kind: "performance",
                    feature: None,
                    statistic: metric.clone(),
                    p_value: false,
                    cmp: cmp.as_str().into(),
                    threshold: *threshold,
                    every_hours: hours(every),
                    values: Vec::new(),
                    alerts_hours: Vec::new(),
                    onsets_hours: Vec::new(),
                    retrain: *retrain,
                    note: None,
                });
            }
            MonitorKind::Retrain { every_s } => {
                checks.extend(times(*every_s, horizon).map(|t| Check { t, order: 1, what: Action::Retrain }));
            }
            MonitorKind::Latency { .. } | MonitorKind::Errors { .. } => {}
        }
    }
    checks.extend(times(step, horizon).map(|t| Check { t, order: 2, what: Action::Quality }));
    checks.sort_by(|a, b| a.t.total_cmp(&b.t).then(a.order.cmp(&b.order)));

    let mut live = Live { pred: None, thresholds: Vec::new() };
    let mut model = initial;
    let mut version = String::from(&model_decl.name);
    let mut in_alert = vec![false; series.len()];
    let mut cooldown_until = vec![f64::NEG_INFINITY; series.len()];
    let mut retrains: Vec<Retrain> = Vec::new();
    let mut timeline: Vec<QualityPoint> = Vec::new();
    let mut retrained_since = false;
    let mut first_labelled: Option<f64> = None;
    let total_checks = checks.len().max(1);
    for (ci, c) in checks.iter().enumerate() {
        // Score every row before `t` with the model live when it arrived.
        let upto = store.range(f64::NEG_INFINITY, c.t).end;
        if upto > prod_start + live.len() {
            let rows: Vec<usize> = (prod_start + live.len()..upto).collect();
            live.push(model.predict(&store, &rows), threshold);
        }
        let mut retrain_reason: Option<String> = None;
        match c.what {
            Action::Drift(i) => {
                let (Some(Some(reference)), Some(Some(col)), Some(s)) = (refs.get(i), mon_col.get(i), series.get_mut(i)) else { continue };
                let r = store.range((c.t - s.every_hours * H).max(0.0), c.t);
                let current: Vec<f64> = store.monitored.get(*col).map(|v| v.get(r).unwrap_or(&[]).to_vec()).unwrap_or_default();
                let stat = s.statistic.clone();
                if let Some(v) = reference.check(&stat, s.p_value, &current) {
                    record(s, &mut in_alert, i, c.t, v);
                }
            }
            Action::Perf(i) => {
                let Some(s) = series.get_mut(i) else { continue };
                let window_s = perf_window.get(i).copied().unwrap_or(0.0);
                // Rows whose label arrived in (t - window, t].
                let r = store.range((c.t - window_s - delay).max(0.0), (c.t - delay).max(0.0));
                let r = r.start.saturating_sub(prod_start)..r.end.saturating_sub(prod_start);
                if r.len() < MIN_LABELLED_ROWS {
                    continue;
                }
                let (base, k) = metric_parts(&s.statistic);
                if let Some(v) = live.metric(&base, k, r, &store, prod_start) {
                    first_labelled.get_or_insert(c.t);
                    let fired = record(s, &mut in_alert, i, c.t, v);
                    if fired && s.retrain && c.t >= cooldown_until.get(i).copied().unwrap_or(0.0) {
                        if let Some(cd) = cooldown_until.get_mut(i) {
                            *cd = c.t + window_s.max(86_400.0);
                        }
                        retrain_reason = Some(s.monitor.clone());
                    }
                }
            }
            Action::Retrain => {
                retrain_reason = Some(
                    d.monitors
                        .iter()
                        .find_map(|m| match m.kind {
                            MonitorKind::Retrain { every_s } => Some(format!("retrain every {}", human_duration(every_s))),
                            _ => None,
                        })
                        .unwrap_or_default(),
                )
            }
            Action::Quality => {
                let r = store.range((c.t - window).max(0.0), c.t);
                let r = r.start.saturating_sub(prod_start)..r.end.saturating_sub(prod_start);
                let value = live.metric(&metric_base, metric_k, r.clone(), &store, prod_start);
                let without = frozen.metric(&metric_base, metric_k, r.clone(), &store, prod_start);
                let cost = cm.and_then(|m| live.confusion(r.clone(), &store, prod_start).and_then(|c| c.cost_per_1000(m)));
                let cost_without = cm.and_then(|m| frozen.confusion(r.clone(), &store, prod_start).and_then(|c| c.cost_per_1000(m)));
                timeline.push(QualityPoint {
                    hour: hours(c.t),
                    metric: metric_name.clone(),
                    value,
                    model: version.clone(),
                    retrained: std::mem::take(&mut retrained_since),
                    without_retraining: without,
                    cost_per_1000: cost,
                    cost_per_1000_without_retraining: cost_without,
                });
            }
        }
        // Two reasons at the same hour make one retrain.
        let retrain_reason = retrain_reason.filter(|_| retrains.last().is_none_or(|r| r.hour != hours(c.t)));
        if let Some(reason) = retrain_reason {
            // Labelled rows: every history row, and production rows whose label arrived.
            let hi = (c.t - delay).max(0.0);
            let r = store.range(hi - history, hi);
            let rows: Vec<usize> = r.clone().collect();
            let tr = rows.as_slice();
            let (balanced, odds) = if binary { rebalance(d, &store, tr.to_vec()) } else { (tr.to_vec(), 1.0) };
            model = Trained::train(model_decl, task, classes, &inputs, &store, &balanced).with_odds_correction(odds);
            version = format!("{} (retrained at {})", model_decl.name, human_duration(c.t));
            retrained_since = true;
            for (i, s) in series.iter().enumerate() {
                if let (Some(Some(col)), "drift") = (mon_col.get(i), s.kind) {
                    let values: Vec<f64> =
                        tr.iter().map(|r| store.monitored.get(*col).and_then(|c| c.get(*r)).copied().unwrap_or(f64::NAN)).collect();
                    if let Some(slot) = refs.get_mut(i) {
                        *slot = Some(Reference::new(&values, monitored.get(*col).and_then(|m| m.levels)));
                    }
                }
            }
            retrains.push(Retrain {
                hour: hours(c.t),
                reason,
                rows: rows.len() as u64,
                data_from_hours: hours(store.t.get(r.start).copied().unwrap_or(0.0)),
                data_to_hours: hours(store.t.get(r.end.saturating_sub(1)).copied().unwrap_or(0.0)),
            });
        }
        progress(0.7 + 0.3 * (ci + 1) as f64 / total_checks as f64);
    }

    // 5. Events: who could see each, who did, how late.
    let first_drift = drift.first_start();
    let mut events = Vec::new();
    for e in &drift.events {
        let from = drift_start(e).unwrap_or(0.0);
        let (watchers, note): (Vec<usize>, Option<String>) = watchers(d, e, &series);
        let detected = watchers
            .iter()
            .filter_map(|i| series.get(*i).and_then(|s| s.onsets_hours.iter().find(|h| **h * H >= from).map(|h| (*h, s.monitor.clone()))))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        let mut note = note;
        if detected.is_none() && !watchers.is_empty() {
            let lag = if delay > 0.0 && watchers.iter().any(|i| series.get(*i).is_some_and(|s| s.kind == "performance")) {
                format!(
                    "; labels arrive {} after the event, so the first drifted labels come at {}",
                    human_duration(delay),
                    human_duration(from + delay)
                )
            } else {
                String::new()
            };
            // How close each watching drift monitor came.
            let closest: Vec<String> =
                watchers
                    .iter()
                    .filter_map(|i| series.get(*i))
                    .filter(|s| s.kind == "drift")
                    .filter_map(|s| {
                        let after = s.values.iter().filter(|p| p.hour * H >= from).map(|p| p.value);
                        let lower_fires = s.cmp.starts_with('<');
                        let extreme =
                            if lower_fires { after.fold(f64::INFINITY, f64::min) } else { after.fold(f64::NEG_INFINITY, f64::max) };
                        let what = if s.p_value { format!("{} p-value", s.statistic) } else { s.statistic.clone() };
                        extreme.is_finite().then(|| {
                            let word = if lower_fires { "lowest" } else { "highest" };
                            format!("{} {word} {:.3} against {} {}", s.feature.as_deref().unwrap_or(""), extreme, s.cmp, s.threshold)
                                .replacen(' ', &format!(" {what} "), 1)
                        })
                    })
                    .collect();
            let closest = if closest.is_empty() { String::new() } else { format!("; {}", closest.join("; ")) };
            let missed = format!("not caught within the run ({}){closest}{lag}", human_duration(horizon));
            note = Some(match note {
                Some(n) => format!("{n}; {missed}"),
                None => missed,
            });
        }
        events.push(EventOutcome {
            statement: event_statement(e),
            from_hours: hours(from),
            watched_by: watchers.iter().filter_map(|i| series.get(*i).map(|s| s.monitor.clone())).collect(),
            detected_by: detected.as_ref().map(|d| d.1.clone()),
            detected_at_hours: detected.as_ref().map(|d| d.0),
            detection_delay_hours: detected.as_ref().map(|d| ((d.0 - hours(from)) * 1000.0).round() / 1000.0),
            note,
        });
    }
    let before = first_drift.unwrap_or(f64::INFINITY);
    let false_alarms = series.iter().map(|s| s.alerts_hours.iter().filter(|h| **h * H < before).count() as u64).sum();
    let checks_before_drift = series.iter().map(|s| s.values.iter().filter(|p| p.hour * H < before).count() as u64).sum();

    let mut notes = Vec::new();
    if delay > 0.0 {
        notes.push(match first_labelled {
            Some(t) => format!(
                "labels arrive {} after each event: the first performance check with labels was at {}",
                human_duration(delay),
                human_duration(t)
            ),
            None => format!("labels arrive {} after each event: no performance check had labels in this run", human_duration(delay)),
        });
    }
    if let Some(first) = first_drift {
        let blind: Vec<String> = retrains.iter().filter(|r| r.data_to_hours * H < first).map(|r| human_duration(r.hour * H)).collect();
        if !blind.is_empty() {
            notes.push(format!(
                "the retrains at {} trained on rows from before the first drift ({}): their labels had not arrived",
                blind.join(", "),
                human_duration(first)
            ));
        }
    }
    let cost = cm.and_then(|m| {
        let r = 0..all_prod.len();
        let a = live.confusion(r.clone(), &store, prod_start)?;
        let b = frozen.confusion(r, &store, prod_start)?;
        let (pa, pb) = (a.cost_per_1000(m)?, b.cost_per_1000(m)?);
        let decisions = declared_per_day.map(|v| v * horizon / 86_400.0);
        Some(CostSummary {
            per_1000_with_retraining: pa,
            per_1000_without_retraining: pb,
            total_with_retraining: decisions.map(|n| pa * n / 1000.0),
            total_without_retraining: decisions.map(|n| pb * n / 1000.0),
        })
    });
    Some(QualityOutcome {
        drift: DriftReport {
            data: DataSummary {
                entity: entity_name,
                rows_per_day,
                declared_per_day,
                history_days: HISTORY_DAYS,
                horizon_hours: hours(horizon),
                rows: store.len() as u64,
                label_rate_history,
                sources,
            },
            monitors: series,
            events,
            false_alarms,
            checks_before_drift,
        },
        quality: QualityReport {
            model: model_decl.name.clone(),
            kind: offline.get(model_idx).map(|o| o.kind.clone()).unwrap_or_default(),
            method: offline.get(model_idx).map(|o| o.method.clone()).unwrap_or_default(),
            metric: metric_name,
            window_hours: hours(window),
            offline,
            timeline,
            retrains,
            cost,
            notes,
        },
    })
}

/// Records a check's value; returns whether the monitor fired.
fn record(s: &mut MonitorSeries, in_alert: &mut [bool], i: usize, t: f64, v: f64) -> bool {
    let cmp = match s.cmp.as_str() {
        "<" => Cmp::Lt,
        "<=" => Cmp::Le,
        ">=" => Cmp::Ge,
        _ => Cmp::Gt,
    };
    s.values.push(Point { hour: hours(t), value: v });
    let fired = fires(cmp, v, s.threshold);
    let was = in_alert.get(i).copied().unwrap_or(false);
    if fired {
        s.alerts_hours.push(hours(t));
        if !was {
            s.onsets_hours.push(hours(t));
        }
    }
    if let Some(a) = in_alert.get_mut(i) {
        *a = fired;
    }
    fired
}

/// The monitors (indices into `series`) that can see an event, and a note
/// when no drift monitor watches a drifted field.
fn watchers(d: &Design, e: &ScenarioEvent, series: &[MonitorSeries]) -> (Vec<usize>, Option<String>) {
    let perf: Vec<usize> = series.iter().enumerate().filter(|(_, s)| s.kind == "performance").map(|(i, _)| i).collect();
    let field = match e {
        ScenarioEvent::Shift { field, .. } | ScenarioEvent::Mix { field, .. } => field,
        ScenarioEvent::ConceptDrift { .. } => {
            let note = perf.is_empty().then(|| "only a performance monitor can see a concept drift, and the spec has none".to_string());
            return (perf, note);
        }
        ScenarioEvent::PriorShift { field, .. } => {
            let note = if perf.is_empty() {
                format!("no monitor watches {field}: a label-rate change shows only in a performance monitor, and the spec has none")
            } else {
                format!("no drift monitor watches the label {field}; only performance monitors can see it")
            };
            return (perf, Some(note));
        }
        _ => return (Vec::new(), None),
    };
    let mut readers: BTreeSet<&str> = BTreeSet::new();
    let mut drift_watchers = Vec::new();
    for (i, s) in series.iter().enumerate() {
        let Some(feature) = s.feature.as_deref() else { continue };
        let (_, fields, _) = transitive_reads(d, [feature]);
        if fields.iter().any(|f| f.source == field.source && f.field == field.field) {
            drift_watchers.push(i);
        }
    }
    for f in &d.features {
        let (_, fields, _) = transitive_reads(d, [f.name.as_str()]);
        if fields.iter().any(|r| r.source == field.source && r.field == field.field) {
            readers.insert(f.name.as_str());
        }
    }
    let note = drift_watchers.is_empty().then(|| {
        if readers.is_empty() {
            format!("no monitor watches {field}, and no feature reads it")
        } else {
            let names: Vec<&str> = readers.into_iter().collect();
            format!("no drift monitor watches {field} (read by {})", names.join(", "))
        }
    });
    let mut all = drift_watchers;
    all.extend(perf);
    (all, note)
}
