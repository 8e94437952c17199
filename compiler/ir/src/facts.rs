//! Facts about a validated design that more than one backend states: what a
//! serving can handle, which sources a realtime serving reads too stale, and
//! which performance monitors cannot see labels, how a ranking design's rows
//! group into ranked lists. The checker turns them into warnings (W0101,
//! W0102, W0103, W0104), the review into findings with reasons.
//!
//! **Invariant:** one function per fact; the checker and the review call the
//! same function, so they never disagree about the numbers.

use crate::graph::transitive_reads;
use crate::vocab::Task;
use crate::{Design, FieldRef, FieldType, Freshness, Monitor, MonitorKind, Phase, Serving, ServingMode, Source};
use std::collections::BTreeSet;

/// The features a serving computes: those of the models in its stages and of
/// its fallback model (rules read features by name).
pub fn serving_features<'d, P: Phase>(d: &'d Design<P>, s: &'d Serving) -> Vec<&'d str> {
    let mut models: Vec<&str> = s.stages.iter().filter_map(|st| st.model.as_deref()).collect();
    models.extend(s.timeout.as_ref().map(|(_, m)| m.as_str()));
    let mut out = Vec::new();
    for m in models.iter().filter_map(|m| d.model(m)) {
        out.extend(m.features.iter().map(String::as_str));
        for r in &m.rules {
            r.feature_names(&mut out);
        }
    }
    out
}

/// What a serving can handle when every replica is up: `replicas.max ×
/// concurrency` workers, each busy for the typical time of one request
/// through all stages ([`crate::cost::path_typical_s`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Capacity {
    pub replicas: u64,
    pub concurrency: u64,
    pub per_request_s: f64,
    pub rps: f64,
}

impl Capacity {
    /// The fewest replicas that serve `rps` at `utilisation` (0..=1) of every worker.
    pub fn replicas_for(&self, rps: f64, utilisation: f64) -> u64 {
        let per_replica = self.concurrency.max(1) as f64 / self.per_request_s * utilisation.clamp(0.01, 1.0);
        let n = (rps / per_replica).ceil();
        if n.is_finite() && n >= 1.0 {
            n.min(1e9) as u64
        } else {
            1
        }
    }
}

/// Worker processes per replica of the generated service: one per declared
/// CPU core (a Python process uses one core), 1 on a GPU instance (the model
/// runs on the device) or without an instance. Code generation sets it, the
/// review holds each replica's model work to it.
pub fn worker_processes(s: &Serving) -> u64 {
    match s.instance.as_ref() {
        Some(i) if i.kind == "cpu" => i.params.get("cores").map_or(1, |c| c.floor().max(1.0) as u64),
        _ => 1,
    }
}

/// `None` when a stage's time is only known from a file (the simulator
/// decides) or the stages take no time.
pub fn serving_capacity<P: Phase>(d: &Design<P>, s: &Serving) -> Option<Capacity> {
    let per_request_s = crate::cost::path_typical_s(d, s)?;
    if per_request_s <= 0.0 || !per_request_s.is_finite() {
        return None;
    }
    let workers = (s.replicas.1.saturating_mul(s.concurrency)) as f64;
    Some(Capacity { replicas: s.replicas.1, concurrency: s.concurrency, per_request_s, rps: workers / per_request_s })
}

/// The freshness budget that applies to one source.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FreshnessBudget {
    /// Seconds: the stalest data of the source a realtime serving may read.
    pub limit_s: f64,
    /// True for `freshness SOURCE D`, false for the global `freshness D`.
    pub per_source: bool,
}

/// The budget for `source`: its own `freshness SOURCE D` when declared, else
/// the global `freshness D`, else none.
pub fn freshness_budget<P: Phase>(d: &Design<P>, source: &str) -> Option<FreshnessBudget> {
    match d.constraints.source_freshness.iter().find(|b| b.source == source) {
        Some(b) => Some(FreshnessBudget { limit_s: b.max_s, per_source: true }),
        None => d.constraints.freshness_s.map(|limit_s| FreshnessBudget { limit_s, per_source: false }),
    }
}

/// A source that a realtime serving reads (through its features) and that
/// is refreshed less often than its freshness budget allows.
#[derive(Clone, Debug)]
pub struct StaleSource<'d> {
    pub source: &'d Source,
    pub freshness_s: f64,
    pub limit_s: f64,
    /// The budget is the source's own (`freshness SOURCE D`), not the global one.
    pub per_source: bool,
    /// The features of the serving that read the source directly, in declaration order.
    pub features: Vec<&'d str>,
}

impl StaleSource<'_> {
    /// Which budget applied, for messages: "the 1d budget for `user_profiles`"
    /// or "the freshness constraint of 1h".
    pub fn budget_phrase(&self) -> String {
        let limit = crate::numbers::dur(self.limit_s);
        if self.per_source {
            format!("the {limit} budget for `{}`", self.source.name)
        } else {
            format!("the freshness constraint of {limit}")
        }
    }
}

/// Stale sources of a realtime serving, in the order its features read them;
/// empty for other modes or without any freshness constraint. Each source is
/// held to [`freshness_budget`].
pub fn stale_sources<'d, P: Phase>(d: &'d Design<P>, s: &'d Serving) -> Vec<StaleSource<'d>> {
    let constrained = d.constraints.freshness_s.is_some() || !d.constraints.source_freshness.is_empty();
    if !constrained || s.mode != Some(ServingMode::Realtime) {
        return Vec::new();
    }
    let (seen, fields, _) = transitive_reads(d, serving_features(d, s));
    let mut reported = BTreeSet::new();
    let mut out = Vec::new();
    for r in fields {
        let Some(src) = d.source(&r.source) else { continue };
        let Some(Freshness::Every(fresh)) = src.freshness else { continue };
        let Some(budget) = freshness_budget(d, &src.name) else { continue };
        if fresh > budget.limit_s && reported.insert(src.name.as_str()) {
            let features = d
                .features
                .iter()
                .filter(|f| seen.contains(f.name.as_str()) && f.reads.iter().any(|x| x.source == src.name))
                .map(|f| f.name.as_str())
                .collect();
            out.push(StaleSource { source: src, freshness_s: fresh, limit_s: budget.limit_s, per_source: budget.per_source, features });
        }
    }
    out
}

/// Whether `task` evaluates ranked lists, so its rows need a query group.
pub fn task_ranks(task: Task) -> bool {
    matches!(task, Task::Ranking | Task::Recommendation)
}

/// How a ranking or recommendation design's rows group into ranked lists.
#[derive(Clone, Debug, PartialEq)]
pub enum QueryGroup {
    /// `problem { group SOURCE.FIELD }`.
    Declared(FieldRef),
    /// No `group`: the old guess, [`guessed_query_group`].
    Guessed(FieldRef),
}

impl QueryGroup {
    pub fn field(&self) -> &FieldRef {
        match self {
            QueryGroup::Declared(f) | QueryGroup::Guessed(f) => f,
        }
    }

    pub fn declared(&self) -> bool {
        matches!(self, QueryGroup::Declared(_))
    }
}

/// The query group of a ranking or recommendation design: the declared
/// `group`, else the guess. `None` for other tasks, or with neither.
pub fn query_group<P: Phase>(d: &Design<P>) -> Option<QueryGroup> {
    if !d.known_task().is_some_and(task_ranks) {
        return None;
    }
    match d.known_problem().and_then(|p| p.group.clone()) {
        Some(g) => Some(QueryGroup::Declared(g)),
        None => guessed_query_group(d).map(QueryGroup::Guessed),
    }
}

/// What mlspec took as the query group before `group` existed, and still
/// takes without it: the first `id` field of the target's source that is
/// not its key. Depends on the order of the schema, hence W0104.
pub fn guessed_query_group<P: Phase>(d: &Design<P>) -> Option<FieldRef> {
    let t = d.target()?;
    let src = d.source(&t.source)?;
    let f = src.fields.iter().find(|f| f.ty == FieldType::Id && !f.key)?;
    Some(FieldRef { source: src.name.clone(), field: f.name.clone(), span: f.span })
}

/// How long after the event the target's label arrives (`delay` on the label field).
pub fn label_delay_s<P: Phase>(d: &Design<P>) -> Option<f64> {
    d.target().and_then(|t| d.field(t)).and_then(|f| f.delay_s)
}

/// A performance monitor whose window is shorter than the label delay.
#[derive(Clone, Debug)]
pub struct BlindMonitor<'d> {
    pub monitor: &'d Monitor,
    pub metric: &'d str,
    pub window_s: f64,
    pub delay_s: f64,
}

pub fn blind_performance_monitors<P: Phase>(d: &Design<P>) -> Vec<BlindMonitor<'_>> {
    let Some(delay_s) = label_delay_s(d) else { return Vec::new() };
    d.monitors
        .iter()
        .filter_map(|m| match &m.kind {
            MonitorKind::Performance { metric, window_s, .. } if *window_s < delay_s => {
                Some(BlindMonitor { monitor: m, metric, window_s: *window_s, delay_s })
            }
            _ => None,
        })
        .collect()
}
