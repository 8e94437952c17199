//! The calibration run against a live server: load phases through
//! `mlspec-load`, each between two scrapes of the server's `/metrics`.
//!
//! 1. `light`: Poisson arrivals at the given rate. Its stage histograms give
//!    each declared stage's fitted distribution, and its latencies what a
//!    lone request takes.
//! 2. A ramp of short steps, doubling the rate from the light one: the busy
//!    rate is the first step whose processes are on the CPU
//!    [`BUSY_UTILIZATION`] of the time, or the last before a step whose p50
//!    is [`RAMP_P50_FACTOR`]× the light phase's or that answered more than
//!    1 % by the fallback.
//! 3. `half` and `busy`: Poisson arrivals at half the busy rate and at it.
//!
//! The two busy phases give the interpreter's cost per request and per
//! batch where requests queue (see [`crate::model`]). A short warm-up at the
//! light rate comes first and is not measured; every request sends the next
//! body, so no answer comes from the server's cache.
//!
//! **Invariant:** nothing is written unless every phase ran and the server
//! answered; a server that is not the one generated from the spec (no
//! `mlspec_stage_seconds` for its stages after the light phase) is refused
//! before it is loaded further.

use crate::file::{Calibration, Latency, Phase, StageFit, FORMAT, VERSION};
use crate::fit::{fit, FitError};
use crate::model::{derive, sigma_of, Inputs, ModelError};
use crate::prometheus::{delta, parse, BucketCounts, ParseError, Scrape};
use mlspec_load::{constant, get, run, Config, LoadError, Measured, ScheduleError, ScrapeError, Target};
use mlspec_sim::histogram::Histogram;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// The ramp stops at the first step whose processes are on the CPU this
/// share of the time.
pub const BUSY_UTILIZATION: f64 = 0.9;
/// ... or the step before one whose median latency is this many times the
/// light phase's (the median: one stall in a short step moves the p99).
pub const RAMP_P50_FACTOR: f64 = 3.0;
/// Seconds of each ramp step, and the most steps.
const RAMP_STEP_S: f64 = 3.0;
const RAMP_STEPS: usize = 12;
const SCRAPE_TIMEOUT: Duration = Duration::from_secs(10);
/// The light phase's latencies handed to the model, as equally likely
/// values: fine enough that leaving out its slowest 1 % drops the right ones.
const LIGHT_POINTS: usize = 1000;
/// Connections of the load generator: enough that requests never wait for one.
const CONNECTIONS: usize = 256;

/// What the spec says about the serving being calibrated.
pub struct Serving {
    pub system: String,
    pub serving: String,
    /// Declared stages: name and what the server times under it (`wait`,
    /// `lookup`, `retrieve`, `score`).
    pub stages: Vec<(String, &'static str)>,
    pub batch_size: u32,
    pub batch_wait_s: f64,
    /// The answer timeout: the load generator waits this long and more.
    pub timeout_s: Option<f64>,
}

pub struct Settings {
    pub target: Target,
    pub url: String,
    pub bodies: Vec<Vec<u8>>,
    pub headers: Vec<(String, String)>,
    pub light_rps: f64,
    /// Seconds of each phase.
    pub seconds: f64,
    pub warmup_s: f64,
    pub processes: u32,
    pub seed: u64,
}

#[derive(Debug)]
pub enum CalibrateError {
    Scrape(ScrapeError),
    Metrics(ParseError),
    NotGenerated { what: String, url: String },
    Load(LoadError),
    Schedule(ScheduleError),
    Unanswered { phase: String, sent: u64, detail: String },
    Fit { stage: String, error: FitError },
    Model(ModelError),
}

impl fmt::Display for CalibrateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalibrateError::Scrape(e) => write!(f, "{e}"),
            CalibrateError::Metrics(e) => write!(f, "the server's /metrics: {e}"),
            CalibrateError::NotGenerated { what, url } => {
                write!(f, "{url} has no {what}: calibrate against the server that this mlspec's `build` generated from the spec")
            }
            CalibrateError::Load(e) => write!(f, "{e}"),
            CalibrateError::Schedule(e) => write!(f, "{e}"),
            CalibrateError::Unanswered { phase, sent, detail } => {
                write!(
                    f,
                    "the {phase} phase got no 2xx answer to {sent} requests ({detail}): check the URL, the bodies and the server's log"
                )
            }
            CalibrateError::Fit { stage, error } => write!(f, "stage `{stage}`: {error}"),
            CalibrateError::Model(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for CalibrateError {}

/// Runs the phases and derives the calibration; `progress` hears what runs.
pub fn calibrate(serving: &Serving, s: &Settings, progress: &mut dyn FnMut(&str)) -> Result<Calibration, CalibrateError> {
    scrape(s)?;
    let timeout_s = serving.timeout_s.map_or(10.0, |t| (t * 20.0).clamp(2.0, 60.0));
    let warm = if s.warmup_s > 0.0 {
        progress(&format!("warming up: {:.0} s at {} rps", s.warmup_s, s.light_rps));
        Some(load(s, 0, open_loop(s, s.light_rps, s.warmup_s, 0)?, timeout_s, s.warmup_s)?)
    } else {
        None
    };
    // Every request of the calibration sends the next body, across phases:
    // a body sent twice could be answered from the server's cache.
    let mut sent = warm.as_ref().map_or(0, |m| m.sent);
    let mut phases = Vec::new();
    // The light phase.
    progress(&format!("light: {:.0} s at {} rps", s.seconds, s.light_rps));
    let (light, m, before, after) = phase(serving, s, "light", s.light_rps, s.seconds, 1, &mut sent, timeout_s)?;
    let mut light_stages = BTreeMap::new();
    for (stage, _) in &serving.stages {
        if after.histogram("mlspec_stage_seconds", &[("stage", stage)]).is_none() {
            let what = format!("`mlspec_stage_seconds` histogram for stage `{stage}`");
            return Err(CalibrateError::NotGenerated { what, url: format!("http://{}/metrics", s.target.authority) });
        }
        light_stages.insert(stage.clone(), stage_delta(&before, &after, stage)?);
    }
    let batch_threads = after.value("mlspec_batch_threads", &[]);
    let light_latency: Vec<f64> = (0..LIGHT_POINTS).map(|k| m.latency.quantile((k as f64 + 0.5) / LIGHT_POINTS as f64)).collect();
    let light_p50 = light.latency_ms.p50;
    phases.push(light);
    // The ramp: the busiest rate that is not yet overloaded.
    let mut busy_rps = s.light_rps;
    for step in 0..RAMP_STEPS {
        let rate = s.light_rps * 2f64.powi(step as i32 + 1);
        progress(&format!("ramp: {RAMP_STEP_S:.0} s at {rate:.0} rps"));
        let (p, _, _, _) = phase(serving, s, "ramp", rate, RAMP_STEP_S, 100 + step as u64, &mut sent, timeout_s)?;
        let busy = p.cpu_s / p.seconds / f64::from(s.processes.max(1));
        // Not the CPU time: a process takes more of it per request the less
        // busy it is, so it reads near 100 % well before requests queue.
        let overloaded = p.latency_ms.p50 > RAMP_P50_FACTOR * light_p50 || p.fallbacks > 0.01 * (p.scored + p.cached + p.fallbacks);
        phases.push(p);
        if overloaded {
            break;
        }
        busy_rps = rate;
        if busy >= BUSY_UTILIZATION {
            break;
        }
    }
    for (name, rate, stream) in [("half", busy_rps / 2.0, 2), ("busy", busy_rps, 3)] {
        progress(&format!("{name}: {:.0} s at {rate:.0} rps", s.seconds));
        let (p, ..) = phase(serving, s, name, rate, s.seconds, stream, &mut sent, timeout_s)?;
        phases.push(p);
    }
    let mut stages = Vec::new();
    for (name, measures) in &serving.stages {
        let Some(counts) = light_stages.get(name) else { continue };
        let f = fit(counts).map_err(|error| CalibrateError::Fit { stage: name.clone(), error })?;
        stages.push(StageFit {
            name: name.clone(),
            measures: (*measures).to_string(),
            count: counts.count,
            mean_ms: counts.mean() * 1e3,
            p50_ms: f.best.quantile_s(0.5) * 1e3,
            p99_ms: f.best.quantile_s(0.99) * 1e3,
            ks: f.ks,
            candidates: f.candidates.iter().map(|c| (c.name.to_string(), c.ks)).collect(),
            fit: f.best,
        });
    }
    // A batch's spread: that of the scoring stage's time in the light
    // phase, where batches rarely wait for the interpreter (the model adds
    // those waits itself).
    let batch_sigma = stages.iter().find(|st| st.measures == "score").map_or(0.0, |st| sigma_of(st.p50_ms, st.p99_ms));
    let Some(batch_threads) = batch_threads.filter(|n| n.is_finite() && *n >= 1.0) else {
        let what = "`mlspec_batch_threads` gauge".to_string();
        return Err(CalibrateError::NotGenerated { what, url: format!("http://{}/metrics", s.target.authority) });
    };
    let inputs = Inputs {
        light_latency_s: &light_latency,
        batch_sigma,
        batch_size: serving.batch_size,
        batch_wait_s: serving.batch_wait_s,
        batch_threads: batch_threads.min(1024.0) as u32,
    };
    let model = derive(&phases, &inputs).map_err(CalibrateError::Model)?;
    Ok(Calibration {
        format: FORMAT.to_string(),
        version: VERSION,
        system: serving.system.clone(),
        serving: serving.serving.clone(),
        url: s.url.clone(),
        processes: s.processes,
        phases,
        stages,
        model,
    })
}

fn scrape(s: &Settings) -> Result<Scrape, CalibrateError> {
    let text = get(&s.target, "/metrics", SCRAPE_TIMEOUT).map_err(CalibrateError::Scrape)?;
    parse(&text).map_err(CalibrateError::Metrics)
}

fn open_loop(s: &Settings, rate: f64, seconds: f64, stream: u64) -> Result<Vec<f64>, CalibrateError> {
    constant(rate, s.seed.wrapping_add(stream), seconds).map_err(CalibrateError::Schedule)
}

/// One phase: Poisson at `rate` for `seconds` between two scrapes; `sent`
/// counts the bodies used so far.
#[allow(clippy::too_many_arguments)]
fn phase(
    serving: &Serving,
    s: &Settings,
    name: &str,
    rate: f64,
    seconds: f64,
    stream: u64,
    sent: &mut u64,
    timeout_s: f64,
) -> Result<(Phase, Measured, Scrape, Scrape), CalibrateError> {
    let before = scrape(s)?;
    let m = load(s, *sent, open_loop(s, rate, seconds, stream)?, timeout_s, seconds)?;
    *sent += m.sent;
    let after = scrape(s)?;
    if m.ok == 0 {
        let detail = m.first_transport_error.clone().unwrap_or_else(|| format!("statuses {:?}", m.by_status));
        return Err(CalibrateError::Unanswered { phase: name.to_string(), sent: m.sent, detail });
    }
    let p = summarize(name, rate, seconds, &m, &before, &after, serving)?;
    Ok((p, m, before, after))
}

/// A load run whose first request sends body `first` (in turn from there).
fn load(s: &Settings, first: u64, send_times: Vec<f64>, timeout_s: f64, seconds: f64) -> Result<Measured, CalibrateError> {
    let mut bodies = s.bodies.clone();
    if !bodies.is_empty() {
        let n = bodies.len();
        bodies.rotate_left((first % n as u64) as usize);
    }
    let config = Config {
        target: s.target.clone(),
        send_times,
        bodies,
        headers: s.headers.clone(),
        connections: CONNECTIONS,
        request_timeout_s: timeout_s,
        duration_s: seconds,
        step_s: seconds.max(1.0),
    };
    run(&config).map_err(CalibrateError::Load)
}

fn stage_delta(before: &Scrape, after: &Scrape, stage: &str) -> Result<BucketCounts, CalibrateError> {
    histogram_delta(before, after, "mlspec_stage_seconds", &[("stage", stage)])
}

fn histogram_delta(before: &Scrape, after: &Scrape, name: &str, filter: &[(&str, &str)]) -> Result<BucketCounts, CalibrateError> {
    match (before.histogram(name, filter), after.histogram(name, filter)) {
        (Some(b), Some(a)) => delta(b, a).map_err(CalibrateError::Metrics),
        // Series appear at their first observation.
        (None, Some(a)) => Ok(a.clone()),
        _ => Ok(BucketCounts { upper: Vec::new(), cumulative: vec![0.0], sum: 0.0, count: 0.0 }),
    }
}

/// The sum of a counter family's series matching `filter`, after minus before.
fn counted(before: &Scrape, after: &Scrape, name: &str, filter: &[(&str, &str)]) -> f64 {
    let total = |s: &Scrape| -> f64 {
        s.values
            .iter()
            .filter(|(series, _)| series.name == name && filter.iter().all(|(k, v)| series.label(k) == Some(*v)))
            .map(|(_, v)| *v)
            .filter(|v| v.is_finite())
            .sum()
    };
    (total(after) - total(before)).max(0.0)
}

fn quantiles(h: &Histogram) -> Latency {
    let ms = |x: f64| (x * 1e6).round() / 1e3;
    Latency { mean: ms(h.mean()), p50: ms(h.quantile(0.5)), p90: ms(h.quantile(0.9)), p99: ms(h.quantile(0.99)) }
}

fn summarize(
    name: &str,
    rate: f64,
    seconds: f64,
    m: &Measured,
    before: &Scrape,
    after: &Scrape,
    serving: &Serving,
) -> Result<Phase, CalibrateError> {
    let batches = histogram_delta(before, after, "mlspec_batch_size", &[])?;
    let mut stage_mean_ms = BTreeMap::new();
    for (stage, _) in &serving.stages {
        let d = stage_delta(before, after, stage)?;
        if d.count > 0.0 {
            stage_mean_ms.insert(stage.clone(), d.mean() * 1e3);
        }
    }
    let requests = |outcome: &str| counted(before, after, "mlspec_requests_total", &[("outcome", outcome)]);
    Ok(Phase {
        name: name.to_string(),
        rate_rps: rate,
        seconds,
        throughput_rps: m.ok as f64 / seconds,
        latency_ms: quantiles(&m.latency),
        scored: requests("ok"),
        cached: requests("cached"),
        fallbacks: requests("fallback"),
        batches: batches.count,
        mean_batch: if batches.count > 0.0 { batches.sum / batches.count } else { 0.0 },
        cpu_s: counted(before, after, "mlspec_cpu_seconds_total", &[]),
        batch_cpu_s: counted(before, after, "mlspec_batch_cpu_seconds_total", &[]),
        stage_mean_ms,
    })
}
