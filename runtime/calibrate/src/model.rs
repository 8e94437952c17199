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
//!    requests, lognormal with σ `batch_sigma` around that mean, then
//!    `handback_ms` of the event loop's work to take the batch back (the
//!    server's batch worker is a task on the loop: its thread takes no new
//!    batch until then).
//!
//! A job that finds its interpreter idle also pays a wake-up cost
//! (`request_wake_ms`, `batch_wake_ms`): what a lone request in the light
//! phase cost beyond the loaded phases' figures.
//!
//! **Why CPU time from the loaded phases.** A process's CPU time per
//! request falls steeply with load (fraud_detection on 2 cores: 3.1 ms at
//! 50 rps, 1.7 ms at 400, 0.9 ms at 1,100): at a light load every request
//! pays for waking the event loop and the batch thread, and the batches are
//! small. Only loaded phases show what a request costs when requests queue,
//! which is when the interpreter's time matters. So the costs are
//! least-squares fits over the `half` and `busy` phases and the ramp's
//! steps at or above the half rate (the largest batches come from the
//! ramp's last step): the event loop's CPU per request against 1 / batch
//! size (a part per request, `request_ms`, and a part per batch,
//! `handback_ms`) and the batch threads' CPU per batch against the batch
//! size (`batch_ms`, `per_item_ms`). The light phase's excess is the
//! wake-up cost, and `outside_ms` is what its latency leaves once those
//! costs and the batch wait are taken out (its slowest 1 % left out: a
//! few requests of a short phase, see [`body`]), so that the model
//! answers a lone request as the server did.
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

/// Derives the model from the `light`, `half` and `busy` phases and the
/// ramp's steps at or above the half rate.
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
    let loaded: Vec<&Phase> =
        phases.iter().filter(|p| p.name != "light" && p.rate_rps >= half.rate_rps && answered(p) > 0.0 && p.batches > 0.0).collect();
    // The event loop's CPU per request against 1 / batch size: a part per
    // request and a part per batch (taking its results back), c + d / n.
    let loop_per_request = |p: &Phase| (p.cpu_s - p.batch_cpu_s).max(0.0) / answered(p);
    let (c, d) = fit_line(&loaded.iter().map(|p| (1.0 / p.mean_batch.max(1.0), loop_per_request(p))).collect::<Vec<_>>());
    // A batch thread's CPU against the batch size: a + b n.
    let (a, b) = fit_line(&loaded.iter().map(|p| (p.mean_batch, p.batch_cpu_s / p.batches)).collect::<Vec<_>>());
    // What a lone request and its lone batch cost beyond that in the light
    // phase: waking an idle interpreter.
    let n1 = light.mean_batch.max(1.0);
    let request_wake_s = (loop_per_request(light) - c - d / n1).max(0.0);
    let batch_wake_s = (light.batch_cpu_s / light.batches - a - b * n1).max(0.0);
    // A lone request: its work, the batch wait, a batch of one and its
    // hand-back; the rest of what the light phase measured happened off
    // the interpreter.
    let alone = c + request_wake_s + inputs.batch_wait_s + a + b + batch_wake_s + d;
    let outside_ms = body(inputs.light_latency_s, OUTSIDE_POINTS).into_iter().map(|s| (s - alone).max(0.0) * 1e3).collect();
    let hit = light.cached / answered(light);
    Ok(Model {
        request_ms: c * 1e3,
        request_wake_ms: request_wake_s * 1e3,
        batch_ms: a * 1e3,
        per_item_ms: b * 1e3,
        batch_wake_ms: batch_wake_s * 1e3,
        handback_ms: d * 1e3,
        batch_sigma: inputs.batch_sigma.clamp(0.0, 3.0),
        batch_threads: inputs.batch_threads.clamp(1, 1024),
        batch_size: inputs.batch_size.max(1),
        batch_wait_ms: inputs.batch_wait_s.max(0.0) * 1e3,
        outside_ms,
        cache_hit: if hit.is_finite() { hit.clamp(0.0, 1.0) } else { 0.0 },
    })
}

/// Intercept and slope (both ≥ 0) of the least-squares line through the
/// points; with the points too close in x to tell a slope, a flat line at
/// their mean.
pub fn fit_line(points: &[(f64, f64)]) -> (f64, f64) {
    let n = points.len() as f64;
    if points.is_empty() {
        return (0.0, 0.0);
    }
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1.max(0.0)).sum::<f64>() / n;
    let (lo, hi) = points.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p.0), hi.max(p.0)));
    if hi - lo < 0.1 * lo.abs().max(hi.abs()).max(1e-12) {
        return (mean_y, 0.0);
    }
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1.max(0.0) - mean_y)).sum();
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_x;
    match (slope >= 0.0, intercept >= 0.0) {
        (true, true) => (intercept, slope),
        // A falling line is noise: a flat one at the mean.
        (false, _) => (mean_y, 0.0),
        // No negative intercept: the least-squares line through the origin.
        (true, false) => {
            let sxx0: f64 = points.iter().map(|p| p.0 * p.0).sum();
            let sxy0: f64 = points.iter().map(|p| p.0 * p.1.max(0.0)).sum();
            (0.0, if sxx0 > 0.0 { sxy0 / sxx0 } else { 0.0 })
        }
    }
}

/// `n` equally likely values from the fastest 99 % of ascending `values`:
/// a phase of a few hundred requests measures its slowest 1 % from a
/// handful of them (a collection, a stall after the warm-up), which the
/// model would otherwise add to every request at every load.
pub fn body(values: &[f64], n: usize) -> Vec<f64> {
    let kept = (values.len() as f64 * 0.99).ceil() as usize;
    spread(values.get(..kept.clamp(1, values.len().max(1))).unwrap_or(values), n)
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
        handback_s: 0.0,
    };
    let mut batch = stage(
        "batch",
        Sampler::Lognormal { mu: batch_mean_s.max(1e-9).ln() - m.batch_sigma * m.batch_sigma / 2.0, sigma: m.batch_sigma },
        true,
        format!(
            "measured: {:.3} ms per batch + {:.3} ms per request (+{:.3} ms waking it), then {:.3} ms handing it back, on the interpreter",
            m.batch_ms, m.per_item_ms, m.batch_wake_ms, m.handback_ms
        ),
    );
    batch.model = true;
    batch.batch_executors = m.batch_threads.saturating_mul(processes).clamp(1, 1024);
    batch.wake_s = m.batch_wake_ms / 1e3;
    batch.handback_s = m.handback_ms / 1e3;
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
