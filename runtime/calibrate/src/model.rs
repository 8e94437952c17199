//! From measurements to the replica the simulator runs.
//!
//! A Python server process runs one thread at a time: its event loop
//! (HTTP, validation, answers) and its batch threads (store read, features,
//! model) take turns on one interpreter. The simulator models each process
//! as one interpreter (`Plan::interpreters`) with three stages:
//!
//! 1. `request`, on the interpreter: the request's own work, `request_ms`;
//! 2. `outside`, off it: network, the store's round trip, hand-offs between
//!    threads, drawn from `outside_ms`;
//! 3. `batch`, on the interpreter, micro-batched as the server does (size,
//!    wait of the first request, a batch formed when one of the process's
//!    `batch_threads` is free): `batch_ms + n × per_item_ms` for n
//!    requests, lognormal with σ `batch_sigma` around that mean.
//!
//! A job that finds its interpreter idle also pays a wake-up cost
//! (`request_wake_ms`, `batch_wake_ms`): what a lone request in the light
//! phase cost beyond the busy phases' figures.
//!
//! **Why CPU time from the busy phases.** A process's CPU time per request
//! falls steeply with load (fraud_detection on 2 cores: 3.1 ms at 50 rps,
//! 1.7 ms at 400, 0.9 ms at 1,100): at a light load every request pays for
//! waking the event loop and the batch thread, and the batches are small.
//! Only the busy phases show what a request costs when requests queue,
//! which is when the interpreter's time matters. So the costs come from the
//! `half` and `busy` phases: the event loop's CPU per request against
//! 1 / batch size (a part per request, `request_ms`, and a part per batch,
//! in `batch_ms`) and the batch threads' CPU per batch against the batch
//! size (`batch_ms`, `per_item_ms`). The light phase's excess is the
//! wake-up cost, and `outside_ms` is what its latency leaves once those
//! costs and the batch wait are taken out, so that the model answers a lone
//! request as the server did.
//!
//! **Invariant:** [`derive`] gives a [`Model`] that passes the file's checks
//! or an error naming the measurement that was missing.

use crate::file::{Calibration, Model, Phase};
use mlspec_sim::dist::{Sampler, Z99};
use mlspec_sim::plan::{Measured, StagePlan};
use std::fmt;

/// Points of the off-interpreter delay kept in the file.
pub const OUTSIDE_POINTS: usize = 200;

#[derive(Clone, Debug, PartialEq)]
pub enum ModelError {
    NoPhase { name: &'static str },
    Nothing { phase: String, what: &'static str },
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::NoPhase { name } => write!(f, "the `{name}` phase is missing"),
            ModelError::Nothing { phase, what } => {
                write!(f, "the `{phase}` phase measured no {what}: is the server scoring the requests (see its log and /metrics)?")
            }
        }
    }
}

impl std::error::Error for ModelError {}

/// What the phases give besides their summaries.
pub struct Inputs<'a> {
    /// The light phase's client latencies as equally likely values, seconds, ascending.
    pub light_latency_s: &'a [f64],
    /// σ of the declared model stage's fitted lognormal (0 when none fits).
    pub batch_sigma: f64,
    pub batch_size: u32,
    pub batch_wait_s: f64,
    pub batch_threads: u32,
}

/// Derives the model from the `light`, `half` and `busy` phases.
pub fn derive(phases: &[Phase], inputs: &Inputs<'_>) -> Result<Model, ModelError> {
    let phase = |name: &'static str| phases.iter().find(|p| p.name == name).ok_or(ModelError::NoPhase { name });
    let (light, half, busy) = (phase("light")?, phase("half")?, phase("busy")?);
    let answered = |p: &Phase| p.scored + p.cached + p.fallbacks;
    for p in [light, half, busy] {
        if answered(p) <= 0.0 || p.cpu_s <= 0.0 {
            return Err(ModelError::Nothing { phase: p.name.clone(), what: "answered requests or CPU time" });
        }
        if p.batches <= 0.0 {
            return Err(ModelError::Nothing { phase: p.name.clone(), what: "batches" });
        }
    }
    if inputs.light_latency_s.is_empty() {
        return Err(ModelError::Nothing { phase: light.name.clone(), what: "answered requests" });
    }
    // The event loop's CPU per request, and per batch (each batch's
    // hand-off and answers), from the two busy phases: loop = c + d / n.
    let loop_per_request = |p: &Phase| (p.cpu_s - p.batch_cpu_s).max(0.0) / answered(p);
    let (c, d) = line(1.0 / half.mean_batch.max(1.0), loop_per_request(half), 1.0 / busy.mean_batch.max(1.0), loop_per_request(busy));
    // A batch thread's CPU against the batch size: a + b n.
    let (a, b) = line(half.mean_batch, half.batch_cpu_s / half.batches, busy.mean_batch, busy.batch_cpu_s / busy.batches);
    let (request_s, batch_s, per_item_s) = (c, a + d, b);
    // What a lone request and its lone batch cost beyond that in the light
    // phase: waking an idle interpreter.
    let n1 = light.mean_batch.max(1.0);
    let request_wake_s = (loop_per_request(light) - c - d / n1).max(0.0);
    let batch_wake_s = (light.batch_cpu_s / light.batches - a - b * n1).max(0.0);
    // A lone request: its work, the batch wait, a batch of one; the rest of
    // what the light phase measured happened off the interpreter.
    let alone = request_s + request_wake_s + inputs.batch_wait_s + batch_s + per_item_s + batch_wake_s;
    let outside_ms = spread(inputs.light_latency_s, OUTSIDE_POINTS).into_iter().map(|s| (s - alone).max(0.0) * 1e3).collect();
    let hit = light.cached / answered(light);
    Ok(Model {
        request_ms: request_s * 1e3,
        request_wake_ms: request_wake_s * 1e3,
        batch_ms: batch_s * 1e3,
        per_item_ms: per_item_s * 1e3,
        batch_wake_ms: batch_wake_s * 1e3,
        batch_sigma: inputs.batch_sigma.clamp(0.0, 3.0),
        batch_threads: inputs.batch_threads.clamp(1, 1024),
        batch_size: inputs.batch_size.max(1),
        batch_wait_ms: inputs.batch_wait_s.max(0.0) * 1e3,
        outside_ms,
        cache_hit: if hit.is_finite() { hit.clamp(0.0, 1.0) } else { 0.0 },
    })
}

/// Intercept and slope (both ≥ 0) of the line through two points; with the
/// points too close in x to tell a slope, a flat line at their mean.
pub fn line(x1: f64, y1: f64, x2: f64, y2: f64) -> (f64, f64) {
    let (y1, y2) = (y1.max(0.0), y2.max(0.0));
    if (x2 - x1).abs() < 0.1 * x1.abs().max(x2.abs()).max(1e-12) {
        return ((y1 + y2) / 2.0, 0.0);
    }
    let slope = (y2 - y1) / (x2 - x1);
    let intercept = y1 - slope * x1;
    match (slope >= 0.0, intercept >= 0.0) {
        (true, true) => (intercept, slope),
        // A negative part is noise: keep the other, through the points' mean.
        (false, _) => ((y1 + y2) / 2.0, 0.0),
        (true, false) => (0.0, (y1 + y2) / (x1 + x2)),
    }
}

/// `n` equally likely values from ascending `values` (their quantiles at
/// the midpoints of n equal shares).
pub fn spread(values: &[f64], n: usize) -> Vec<f64> {
    if values.is_empty() {
        return Vec::new();
    }
    (0..n)
        .map(|i| {
            let q = (i as f64 + 0.5) / n as f64;
            let at = ((q * values.len() as f64) as usize).min(values.len() - 1);
            values.get(at).copied().unwrap_or(0.0)
        })
        .collect()
}

/// σ of a lognormal with the fitted distribution's median and 99th percentile.
pub fn sigma_of(p50_s: f64, p99_s: f64) -> f64 {
    if p50_s > 0.0 && p99_s > p50_s {
        (p99_s / p50_s).ln() / Z99
    } else {
        0.0
    }
}

/// The replica of a calibration with `processes` worker processes (one
/// interpreter each), for `Overrides::measured`.
pub fn measured(c: &Calibration, path: &str, processes: u32) -> Measured {
    let m = &c.model;
    let batch_mean_s = (m.batch_ms + m.per_item_ms) / 1e3;
    let stage = |name: &str, sampler: Sampler, interpreter: bool, basis: String| StagePlan {
        name: name.to_string(),
        sampler,
        model: false,
        batch: None,
        batch_marginal: 0.0,
        batch_executors: 1,
        outages: Vec::new(),
        basis,
        interpreter,
        wake_s: 0.0,
    };
    let mut batch = stage(
        "batch",
        Sampler::Lognormal { mu: batch_mean_s.max(1e-9).ln() - m.batch_sigma * m.batch_sigma / 2.0, sigma: m.batch_sigma },
        true,
        format!(
            "measured: {:.3} ms per batch + {:.3} ms per request (+{:.3} ms waking it), on the interpreter",
            m.batch_ms, m.per_item_ms, m.batch_wake_ms
        ),
    );
    batch.model = true;
    batch.batch_executors = m.batch_threads.saturating_mul(processes).clamp(1, 1024);
    batch.wake_s = m.batch_wake_ms / 1e3;
    batch.batch = Some((m.batch_size, m.batch_wait_ms / 1e3));
    batch.batch_marginal = if batch_mean_s > 0.0 { m.per_item_ms / 1e3 / batch_mean_s } else { 0.0 };
    let outside: Vec<f64> = m.outside_ms.iter().map(|x| x / 1e3).collect();
    let outside_median = outside.get(outside.len() / 2).copied().unwrap_or(0.0) * 1e3;
    Measured {
        source: format!(
            "{path}: measured on {} ({} process{}); {processes} process{} per replica",
            c.url,
            c.processes,
            if c.processes == 1 { "" } else { "es" },
            if processes == 1 { "" } else { "es" }
        ),
        stages: vec![
            StagePlan {
                wake_s: m.request_wake_ms / 1e3,
                ..stage(
                    "request",
                    Sampler::Fixed(m.request_ms / 1e3),
                    true,
                    format!("measured: {:.3} ms of the interpreter per request (+{:.3} ms waking it)", m.request_ms, m.request_wake_ms),
                )
            },
            stage(
                "outside",
                Sampler::Empirical(outside.into_boxed_slice()),
                false,
                format!("measured: off the interpreter, median {outside_median:.3} ms"),
            ),
            batch,
        ],
        concurrency: 1_000_000,
        cache_hit: Some(m.cache_hit),
        interpreters: Some(processes.clamp(1, 1024)),
    }
}
