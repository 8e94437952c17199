//! The drift run: generate the rows, train on the history, then walk the
//! checks in time order.

use super::attribution;
use super::live::{metric_parts, Live};
use super::monitor::{record, Reference};
use super::report::*;
use super::statements::monitor_statement;
use super::training::{self, Target};
use super::{Options, DEFAULT_EVERY_S, HISTORY_DAYS, MAX_DAYS, MIN_LABELLED_ROWS, TAIL_DAYS};
use crate::data::drift::DriftPlan;
use crate::data::stream::{block_rows, Generator, Monitored, Store, BLOCK_S};
use crate::data::truth::Shape;
use crate::data::world::{is_table, World};
use crate::models::Trained;
use crate::DriftError;
use mlspec_ir::numbers::human_duration;
use mlspec_ir::vocab::{DriftStat, Task};
use mlspec_ir::{Cmp, Design, Model, MonitorKind, Scenario};

pub(super) const H: f64 = 3600.0;
const DAY: f64 = 86_400.0;
/// Windows longer than this start cold at the history's start.
const WARMUP_MAX_S: f64 = 30.0 * DAY;
/// The hidden truth is fitted (standardised and calibrated) on the last
/// week of history, where every window is warm.
const TRUTH_REFERENCE_S: f64 = 7.0 * DAY;

/// Seconds as hours, rounded to the millisecond's neighbourhood so reports
/// print `168` rather than `167.99999`.
pub fn hours(s: f64) -> f64 {
    (s / H * 1000.0).round() / 1000.0 + 0.0
}

/// How long the run lasts: `--days`, else until `TAIL_DAYS` after the last
/// drift starts (at least the scenario's duration), in whole hours.
fn horizon_s(scenario: Option<&Scenario>, drift: &DriftPlan, o: &Options) -> f64 {
    let duration = scenario.and_then(|s| s.duration_s).unwrap_or(DAY);
    let h = match (o.days, drift.last_start()) {
        (Some(days), _) => days * DAY,
        (None, Some(last)) => duration.max(last + TAIL_DAYS * DAY),
        (None, None) => duration,
    };
    (h.clamp(H, MAX_DAYS * DAY) / H).ceil() * H
}

/// Rows a run draws for the scored source (history, warm-up and horizon),
/// for callers to refuse runs beyond [`super::MAX_ROWS`] before starting.
pub fn planned_rows(scenario: Option<&Scenario>, o: &Options) -> f64 {
    let horizon = horizon_s(scenario, &DriftPlan::new(scenario), o);
    o.rows_per_day as f64 * (horizon + HISTORY_DAYS * DAY + WARMUP_MAX_S) / DAY
}

/// Every row from the history's start to the horizon, labelled. Window
/// state warms up on rows generated before the history and thrown away.
fn generate(gen: &mut Generator, horizon: f64, progress: &mut dyn FnMut(f64)) -> Result<Store, DriftError> {
    let history = HISTORY_DAYS * DAY;
    let warmup = gen.longest_window_s().min(WARMUP_MAX_S);
    let first = -((history + warmup) / BLOCK_S).ceil() as i64;
    let kept = -(history / BLOCK_S) as i64;
    let last = (horizon / BLOCK_S).ceil() as i64;
    let rows_per_day = gen.world.rows_per_day;
    let mut store = Store::default();
    for k in first..last {
        let n = block_rows(rows_per_day, k);
        if k < kept {
            gen.block(k, k as f64 * BLOCK_S, (k + 1) as f64 * BLOCK_S, n, &mut Store::default())?;
            gen.forget_blocks();
        } else {
            gen.block(k, k as f64 * BLOCK_S, (k + 1) as f64 * BLOCK_S, n, &mut store)?;
        }
        progress((k - first + 1) as f64 / (last - first) as f64 * 0.6);
    }
    gen.label(&mut store, -TRUTH_REFERENCE_S.min(history)..0.0);
    Ok(store)
}

/// One check on the schedule, in time order; at equal times monitors
/// come first (they judge the model that was live), then retrains, then
/// the quality timeline.
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

/// A monitor as the run keeps it: its report series and what it reads.
struct Watch {
    series: MonitorSeries,
    /// How the value compares with the threshold when the monitor fires.
    cmp: Cmp,
    /// Drift monitors: the statistic, the reference and the store's monitored column.
    statistic: Option<DriftStat>,
    reference: Option<Reference>,
    column: Option<usize>,
    /// Performance monitors: the window over label arrivals.
    window_s: f64,
    in_alert: bool,
    cooldown_until: f64,
}

fn series(m: &MonitorKind, kind: &'static str, feature: Option<String>, statistic: String, every: f64) -> (MonitorSeries, Cmp) {
    let (p_value, cmp, threshold, retrain) = match m {
        MonitorKind::Drift { p_value, cmp, threshold, .. } => (*p_value, *cmp, *threshold, false),
        MonitorKind::Performance { cmp, threshold, retrain, .. } => (false, *cmp, *threshold, *retrain),
        _ => (false, Cmp::Gt, 0.0, false),
    };
    let s = MonitorSeries {
        monitor: monitor_statement(m),
        kind,
        feature,
        statistic,
        p_value,
        cmp: cmp.as_str().into(),
        threshold,
        every_hours: hours(every),
        reference_rows: None,
        values: Vec::new(),
        alerts_hours: Vec::new(),
        onsets_hours: Vec::new(),
        retrain,
        note: None,
    };
    (s, cmp)
}

/// The declared drift and performance monitors, and every check of the run.
fn schedule(d: &Design, horizon: f64, step: f64, store: &Store, train: &[usize], monitored: &[Monitored]) -> (Vec<Watch>, Vec<Check>) {
    let mut watches: Vec<Watch> = Vec::new();
    let mut checks: Vec<Check> = Vec::new();
    let mut column = 0;
    for m in &d.monitors {
        let idx = watches.len();
        match &m.kind {
            MonitorKind::Drift { feature, statistic, every_s, .. } => {
                let every = every_s.unwrap_or(DEFAULT_EVERY_S);
                checks.extend(times(every, horizon).map(|t| Check { t, order: 0, what: Action::Drift(idx) }));
                let (mut s, cmp) = series(&m.kind, "drift", Some(feature.clone()), statistic.to_string(), every);
                s.note = every_s.is_none().then(|| "no `every`: checked daily".to_string());
                let r = reference(store, train, column, monitored);
                s.reference_rows = Some(r.rows() as u64);
                watches.push(Watch {
                    series: s,
                    cmp,
                    statistic: Some(*statistic),
                    reference: Some(r),
                    column: Some(column),
                    window_s: 0.0,
                    in_alert: false,
                    cooldown_until: f64::NEG_INFINITY,
                });
                column += 1;
            }
            MonitorKind::Performance { metric, window_s, .. } => {
                let every = window_s.min(DAY);
                checks.extend(times(every, horizon).map(|t| Check { t, order: 0, what: Action::Perf(idx) }));
                let (s, cmp) = series(&m.kind, "performance", None, metric.clone(), every);
                watches.push(Watch {
                    series: s,
                    cmp,
                    statistic: None,
                    reference: None,
                    column: None,
                    window_s: *window_s,
                    in_alert: false,
                    cooldown_until: f64::NEG_INFINITY,
                });
            }
            MonitorKind::Retrain { every_s } => {
                checks.extend(times(*every_s, horizon).map(|t| Check { t, order: 1, what: Action::Retrain }))
            }
            // Latency and error monitors belong to the load simulation.
            MonitorKind::Latency { .. } | MonitorKind::Errors { .. } => {}
        }
    }
    checks.extend(times(step, horizon).map(|t| Check { t, order: 2, what: Action::Quality }));
    checks.sort_by(|a, b| a.t.total_cmp(&b.t).then(a.order.cmp(&b.order)));
    (watches, checks)
}

/// A drift monitor's reference: its column on the live model's training rows.
fn reference(store: &Store, rows: &[usize], column: usize, monitored: &[Monitored]) -> Reference {
    let values: Vec<f64> = rows.iter().map(|r| store.monitored.get(column).and_then(|c| c.get(*r)).copied().unwrap_or(f64::NAN)).collect();
    Reference::new(&values, monitored.get(column).and_then(|m| m.levels))
}

/// Runs the drift and quality simulation. Errors when the design has no
/// source with a schema or no model ([`DriftError::nothing_to_simulate`]),
/// and when an invariant of the simulation breaks (every other variant).
pub fn simulate(d: &Design, scenario: Option<&Scenario>, o: &Options, progress: &mut dyn FnMut(f64)) -> Result<QualityOutcome, DriftError> {
    let world = World::new(d, o.rows_per_day).ok_or(DriftError::NoSourceWithSchema)?;
    let model_idx = training::production_model(d).ok_or(DriftError::NoModel)?;
    let model_decl = d.models.get(model_idx).ok_or(DriftError::NoModel)?;
    let drift = DriftPlan::new(scenario);
    let horizon = horizon_s(scenario, &drift, o);
    let history = HISTORY_DAYS * DAY;
    let data = DataSummary {
        entity: d.sources.get(world.entity).map(|s| s.name.clone()).unwrap_or_default(),
        rows_per_day: world.rows_per_day,
        declared_per_day: d.sources.get(world.entity).and_then(|s| s.volume_per_s.map(|v| v * DAY).or(s.volume)),
        history_days: HISTORY_DAYS,
        horizon_hours: hours(horizon),
        rows: 0,
        label_rate_history: None,
        sources: d
            .sources
            .iter()
            .zip(&world.rows)
            .map(|(s, r)| SourceRows { source: s.name.clone(), rows: *r, per: if is_table(s) { "total" } else { "day" } })
            .collect(),
    };

    // 1. Data, hour by hour.
    let mut gen = Generator::new(d, world, drift.clone(), o.seed);
    let store = generate(&mut gen, horizon, progress)?;
    let target = match gen.truth.as_ref().map(|t| t.shape.clone()) {
        Some(Shape::Multiclass { classes }) => Target { task: Task::MulticlassClassification, classes },
        Some(Shape::Regression { .. }) => Target { task: d.task(), classes: 1 },
        _ => Target { task: d.task(), classes: 2 },
    };
    let history_rows = store.range(-history, 0.0);
    let prod_start = history_rows.end;
    let label_rate_history = target.binary().then(|| {
        let positives = history_rows.clone().filter(|i| store.y.get(*i).copied().unwrap_or(0.0) > 0.5).count();
        positives as f64 / history_rows.len().max(1) as f64
    });
    let data = DataSummary { rows: store.len() as u64, label_rate_history, ..data };

    // 2. Offline: every model on the history's split (the validation rows
    //    are held out, as declared; thresholds come from the cost matrix).
    let (train, _validation, test) = training::split(d, &store, history_rows, o.seed);
    let mut offline = Vec::new();
    let mut initial: Option<Trained> = None;
    for (mi, m) in d.models.iter().enumerate() {
        let t = training::train(d, m, target, &gen.inputs, &store, &train);
        offline.push(training::evaluate(d, m, &t, &store, &test));
        if mi == model_idx {
            initial = Some(t);
        }
        progress(0.6 + 0.1 * (mi + 1) as f64 / d.models.len().max(1) as f64);
    }
    // Set above: `model_idx` is the index of a model of `d.models`.
    let initial = initial.ok_or(DriftError::NoModel)?;
    let threshold = training::decision_threshold(d.cost_matrix.as_ref(), model_decl.kind == mlspec_ir::vocab::ModelKind::Rules);

    // 3. The frozen run: the first model on every production row.
    let mut frozen = Live::new(threshold, prod_start);
    frozen.push(initial.predict(&store, &(prod_start..store.len()).collect::<Vec<_>>()));

    // 4. The declared run.
    let step = if horizon >= 3.0 * DAY { DAY } else { H };
    let window = if horizon >= 14.0 * DAY { 7.0 * DAY } else { step };
    let (watches, checks) = schedule(d, horizon, step, &store, &train, &gen.monitored);
    let run = Declared {
        d,
        model_decl,
        target,
        store: &store,
        gen: &gen,
        prod_start,
        delay: mlspec_ir::facts::label_delay_s(d).unwrap_or(0.0),
        metric: training::followed_metric(d, target),
        window,
    };
    let walked = run.walk(initial, threshold, watches, &checks, &frozen, progress);

    // 5. Who caught what; notes; cost.
    let series: Vec<MonitorSeries> = walked.watches.into_iter().map(|w| w.series).collect();
    let events = attribution::outcomes(d, &drift, &series, run.delay, horizon);
    let before = drift.first_start().unwrap_or(f64::INFINITY);
    let false_alarms = series.iter().map(|s| s.alerts_hours.iter().filter(|h| **h * H < before).count() as u64).sum();
    let checks_before_drift = series.iter().map(|s| s.values.iter().filter(|p| p.hour * H < before).count() as u64).sum();
    let notes = notes(run.delay, walked.first_labelled, drift.first_start(), &walked.retrains);
    let cost = d.cost_matrix.as_ref().and_then(|m| {
        let all = prod_start..store.len();
        let (a, b) = (walked.live.confusion(all.clone(), &store)?, frozen.confusion(all, &store)?);
        let (pa, pb) = (a.cost_per_1000(m)?, b.cost_per_1000(m)?);
        let decisions = data.declared_per_day.map(|v| v * horizon / DAY);
        Some(CostSummary {
            per_1000_with_retraining: pa,
            per_1000_without_retraining: pb,
            total_with_retraining: decisions.map(|n| pa * n / 1000.0),
            total_without_retraining: decisions.map(|n| pb * n / 1000.0),
        })
    });
    Ok(QualityOutcome {
        drift: DriftReport { data, monitors: series, events, false_alarms, checks_before_drift },
        quality: QualityReport {
            model: model_decl.name.clone(),
            kind: offline.get(model_idx).map(|o| o.kind.clone()).unwrap_or_default(),
            method: offline.get(model_idx).map(|o| o.method.clone()).unwrap_or_default(),
            metric: run.metric,
            window_hours: hours(window),
            offline,
            timeline: walked.timeline,
            retrains: walked.retrains,
            cost,
            notes,
            ends: None,
        },
    })
}

/// The notes under the quality part: when labels arrived, and retrains
/// that could not see drifted rows.
fn notes(delay: f64, first_labelled: Option<f64>, first_drift: Option<f64>, retrains: &[Retrain]) -> Vec<String> {
    let mut notes = Vec::new();
    if delay > 0.0 {
        notes.push(match first_labelled {
            Some(t) => {
                format!(
                    "labels arrive {} after each event: the first performance check with labels was at {}",
                    human_duration(delay),
                    human_duration(t)
                )
            }
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
    notes
}

/// What the declared run reads.
struct Declared<'a> {
    d: &'a Design,
    model_decl: &'a Model,
    target: Target,
    store: &'a Store,
    gen: &'a Generator<'a>,
    prod_start: usize,
    delay: f64,
    metric: String,
    window: f64,
}

/// What the declared run produced.
struct Walked {
    live: Live,
    watches: Vec<Watch>,
    timeline: Vec<QualityPoint>,
    retrains: Vec<Retrain>,
    first_labelled: Option<f64>,
}

impl Declared<'_> {
    fn walk(
        &self,
        initial: Trained,
        threshold: f64,
        mut watches: Vec<Watch>,
        checks: &[Check],
        frozen: &Live,
        progress: &mut dyn FnMut(f64),
    ) -> Walked {
        let store = self.store;
        let (metric_base, metric_k) = metric_parts(&self.metric);
        let mut live = Live::new(threshold, self.prod_start);
        let mut model = initial;
        let mut version = self.model_decl.name.clone();
        let mut retrains: Vec<Retrain> = Vec::new();
        let mut timeline: Vec<QualityPoint> = Vec::new();
        let mut retrained_since = false;
        let mut first_labelled: Option<f64> = None;
        let retrain_every = self.d.monitors.iter().find_map(|m| match m.kind {
            MonitorKind::Retrain { every_s } => Some(format!("retrain every {}", human_duration(every_s))),
            _ => None,
        });
        for (ci, c) in checks.iter().enumerate() {
            // Score every row before `t` with the model live when it arrived.
            let upto = store.range(f64::NEG_INFINITY, c.t).end;
            if upto > self.prod_start + live.len() {
                let rows: Vec<usize> = (self.prod_start + live.len()..upto).collect();
                live.push(model.predict(store, &rows));
            }
            let mut retrain_reason: Option<String> = None;
            match c.what {
                Action::Drift(i) => {
                    let Some(w) = watches.get_mut(i) else { continue };
                    let (Some(statistic), Some(reference), Some(col)) = (w.statistic, &w.reference, w.column) else { continue };
                    let r = store.range((c.t - w.series.every_hours * H).max(0.0), c.t);
                    let current = store.monitored.get(col).and_then(|v| v.get(r)).unwrap_or(&[]);
                    if let Some(v) = reference.check(statistic, w.series.p_value, current) {
                        w.in_alert = record(&mut w.series, w.cmp, w.in_alert, c.t, v);
                    }
                }
                Action::Perf(i) => {
                    let Some(w) = watches.get_mut(i) else { continue };
                    // Rows whose label arrived in (t - window, t], production only.
                    let r = store.range((c.t - w.window_s - self.delay).max(0.0), (c.t - self.delay).max(0.0));
                    if r.len() < MIN_LABELLED_ROWS {
                        continue;
                    }
                    let (base, k) = metric_parts(&w.series.statistic);
                    if let Some(v) = live.metric(&base, k, r, store) {
                        first_labelled.get_or_insert(c.t);
                        w.in_alert = record(&mut w.series, w.cmp, w.in_alert, c.t, v);
                        if w.in_alert && w.series.retrain && c.t >= w.cooldown_until {
                            w.cooldown_until = c.t + w.window_s.max(DAY);
                            retrain_reason = Some(w.series.monitor.clone());
                        }
                    }
                }
                Action::Retrain => retrain_reason = retrain_every.clone(),
                Action::Quality => {
                    let r = store.range((c.t - self.window).max(0.0), c.t);
                    let cost =
                        |l: &Live| self.d.cost_matrix.as_ref().and_then(|m| l.confusion(r.clone(), store).and_then(|c| c.cost_per_1000(m)));
                    timeline.push(QualityPoint {
                        hour: hours(c.t),
                        metric: self.metric.clone(),
                        value: live.metric(&metric_base, metric_k, r.clone(), store),
                        model: version.clone(),
                        retrained: std::mem::take(&mut retrained_since),
                        without_retraining: frozen.metric(&metric_base, metric_k, r.clone(), store),
                        cost_per_1000: cost(&live),
                        cost_per_1000_without_retraining: cost(frozen),
                    });
                }
            }
            // Two reasons at the same hour make one retrain.
            let retrain_reason = retrain_reason.filter(|_| retrains.last().is_none_or(|r| r.hour != hours(c.t)));
            if let Some(reason) = retrain_reason {
                // Labelled rows: history rows, and production rows whose label arrived.
                let hi = (c.t - self.delay).max(0.0);
                let r = store.range(hi - HISTORY_DAYS * DAY, hi);
                let rows: Vec<usize> = r.clone().collect();
                model = training::train(self.d, self.model_decl, self.target, &self.gen.inputs, store, &rows);
                version = format!("{} (retrained at {})", self.model_decl.name, human_duration(c.t));
                retrained_since = true;
                for w in &mut watches {
                    if let Some(col) = w.column {
                        let r = reference(store, &rows, col, &self.gen.monitored);
                        w.series.reference_rows = Some(r.rows() as u64);
                        w.reference = Some(r);
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
            progress(0.7 + 0.3 * (ci + 1) as f64 / checks.len().max(1) as f64);
        }
        // Rows after the last check (a run not a whole number of steps) are scored too.
        if store.len() > self.prod_start + live.len() {
            let rows: Vec<usize> = (self.prod_start + live.len()..store.len()).collect();
            live.push(model.predict(store, &rows));
        }
        Walked { live, watches, timeline, retrains, first_labelled }
    }
}
