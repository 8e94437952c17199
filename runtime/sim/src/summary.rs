//! The result of a load simulation as people and programs read it: counts,
//! latency percentiles, SLO verdicts, cost and a timeline.
//!
//! **Invariant:** the JSON has a fixed field order and every float is rounded
//! to a fixed number of decimals, so one seed gives the same bytes.

use super::engine::{Engine, Raw};
use super::histogram::Histogram;
use super::plan::{Plan, HOURS_PER_MONTH};
use serde::Serialize;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Quantiles {
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

/// A calibrated replica's interpreters over the run, to hold against what
/// the server's `/metrics` counted (its CPU time and batches).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Interpreters {
    /// Interpreters per replica (worker processes); their busy share is the
    /// report's `utilization`.
    pub per_replica: u32,
    pub batches: u64,
    pub mean_batch: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct WaitQuantiles {
    pub mean: f64,
    pub p50: f64,
    pub p99: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct StageSummary {
    pub name: String,
    /// Where the service time comes from (declared, or the cost model's reasoning).
    pub service_time: String,
    pub utilization: f64,
    pub latency_ms: Quantiles,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SloResult {
    pub constraint: String,
    pub value_ms: f64,
    pub limit_ms: f64,
    pub met: bool,
    /// The same constraint over each step of the timeline, as an SRE reads
    /// it window by window (simulated runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub windows: Option<SloWindows>,
}

/// A latency constraint checked in every window of `window_s` that
/// answered something.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SloWindows {
    pub window_s: f64,
    pub windows: u64,
    pub met: u64,
    /// The highest value of a window, and where that window starts.
    pub worst_ms: f64,
    pub worst_from_s: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Replicas {
    pub min: u32,
    pub max: u32,
    pub mean: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LittlesLaw {
    /// Time-average number of requests in the system (L).
    pub mean_in_system: f64,
    /// Arrival rate × mean time in the system (λW).
    pub arrival_rate_times_mean_time: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TimelinePoint {
    pub t_s: f64,
    pub arrivals_rps: f64,
    pub throughput_rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub utilization: f64,
    pub replicas: f64,
    pub queue_len: f64,
    pub fallbacks: u64,
    pub rejected: u64,
    pub errors: u64,
}

/// A stage down over `[from_s, to_s)` (`outage STAGE at T for D`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct OutageWindow {
    pub stage: String,
    pub from_s: f64,
    pub to_s: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DailyCurve {
    pub factor: f64,
    pub peak_at_s: f64,
}

/// Traffic `factor` times its rate over `[from_s, to_s)` (`burst Kx at T for D`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct BurstWindow {
    pub factor: f64,
    pub from_s: f64,
    pub to_s: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LoadReport {
    pub system: String,
    pub serving: String,
    pub scenario: String,
    /// Where measured service times come from (`mlspec calibrate`), when
    /// they replaced the design's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration: Option<String>,
    pub seed: u64,
    pub requests: u64,
    pub completed: u64,
    pub rejected: u64,
    pub timed_out: u64,
    pub fallbacks: u64,
    pub errors: u64,
    /// Requests that reached a stage while it was down (and had not timed
    /// out): among the fallbacks, or the errors when there is no fallback.
    pub failed_in_outage: u64,
    /// The declared outages, in time order.
    pub outages: Vec<OutageWindow>,
    /// The declared rate: with a daily curve, the quietest hour's.
    pub base_rps: f64,
    /// The daily curve: `factor` × `base_rps` at `peak_at_s` into the day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_curve: Option<DailyCurve>,
    /// The declared bursts, in time order.
    pub bursts: Vec<BurstWindow>,
    pub simulated_s: f64,
    /// Arrivals over the arrival period: the rate the traffic generator made.
    pub arrival_rate_rps: f64,
    pub throughput_rps: f64,
    pub latency_ms: Quantiles,
    pub wait_ms: WaitQuantiles,
    pub prob_wait: f64,
    /// Share of the workers' time busy, or of the interpreters' in a
    /// calibrated plan.
    pub utilization: f64,
    /// Calibrated plans only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interpreters: Option<Interpreters>,
    pub stages: Vec<StageSummary>,
    pub slo: Vec<SloResult>,
    pub slo_met: bool,
    pub replicas: Replicas,
    pub cost_per_hour: Option<f64>,
    pub cost_per_month: Option<f64>,
    pub littles_law: LittlesLaw,
    pub timeline_step_s: f64,
    pub timeline: Vec<TimelinePoint>,
    /// (latency ms, share of answered requests at or below it), for charts.
    pub latency_cdf: Vec<(f64, f64)>,
    pub events: u64,
}

/// The latency constraints `(label, quantile, limit s)` against a histogram
/// of seconds: met when the quantile is at or below the limit, and there
/// is at least one latency to measure.
pub fn slo_results(latency: &Histogram, constraints: &[(String, f64, f64)]) -> Vec<SloResult> {
    constraints
        .iter()
        .map(|(label, q, limit)| {
            let v = latency.quantile(*q);
            SloResult {
                constraint: format!("latency {label} < {}", fmt_ms(limit * 1e3)),
                value_ms: ms(v),
                limit_ms: ms(*limit),
                met: latency.count() > 0 && v <= *limit,
                windows: None,
            }
        })
        .collect()
}

/// Each constraint `(label, quantile, limit s)` in each window of
/// `window_s` (one histogram per window) that answered something.
pub fn slo_windows(windows: &[&Histogram], window_s: f64, constraints: &[(String, f64, f64)]) -> Vec<SloWindows> {
    constraints
        .iter()
        .map(|(_, q, limit)| {
            let mut w = SloWindows { window_s, windows: 0, met: 0, worst_ms: 0.0, worst_from_s: 0.0 };
            for (i, h) in windows.iter().enumerate().filter(|(_, h)| h.count() > 0) {
                let v = h.quantile(*q);
                w.windows += 1;
                w.met += u64::from(v <= *limit);
                if ms(v) > w.worst_ms {
                    w.worst_ms = ms(v);
                    w.worst_from_s = r3(i as f64 * window_s);
                }
            }
            w
        })
        .collect()
}

/// The CDF of a histogram of seconds for charts, in ms: at most about 400
/// points (every k-th, and the last).
pub fn latency_cdf(h: &Histogram) -> Vec<(f64, f64)> {
    let all = h.cdf_points();
    let k = all.len().div_ceil(400).max(1);
    let last = all.last().copied();
    let mut kept: Vec<(f64, f64)> = all.into_iter().step_by(k).collect();
    if let (Some(l), Some(end)) = (last, kept.last()) {
        if *end != l {
            kept.push(l);
        }
    }
    kept.into_iter().map(|(v, p)| (ms(v), r6(p))).collect()
}

/// Runs the plan and summarises it.
pub fn simulate(plan: &Plan, progress: &mut dyn FnMut(f64)) -> LoadReport {
    let raw = Engine::new(plan).run(progress);
    summarize(plan, &raw)
}

/// Rounded to 3 decimals (0 when not finite), as every report figure is.
pub use mlspec_ir::numbers::round3 as r3;

/// Rounded to 6 decimals (0 when not finite).
pub fn r6(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1e6).round() / 1e6
    } else {
        0.0
    }
}

/// Seconds as milliseconds, rounded to 3 decimals.
pub fn ms(x: f64) -> f64 {
    r3(x * 1e3)
}

/// The report's latency quantiles of a histogram of seconds.
pub fn quantiles(h: &Histogram) -> Quantiles {
    Quantiles {
        mean: ms(h.mean()),
        p50: ms(h.quantile(0.5)),
        p90: ms(h.quantile(0.9)),
        p95: ms(h.quantile(0.95)),
        p99: ms(h.quantile(0.99)),
        p999: ms(h.quantile(0.999)),
        max: ms(h.max()),
    }
}

/// a / b, or 0 when b is not positive.
pub fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

fn outage_windows(plan: &Plan) -> Vec<OutageWindow> {
    let mut out: Vec<OutageWindow> = plan
        .stages
        .iter()
        .flat_map(|st| st.outages.iter().map(|&(from_s, to_s)| OutageWindow { stage: st.name.clone(), from_s, to_s }))
        .collect();
    out.sort_by(|a, b| a.from_s.total_cmp(&b.from_s).then_with(|| a.stage.cmp(&b.stage)));
    out
}

fn burst_windows(plan: &Plan) -> Vec<BurstWindow> {
    let mut out: Vec<BurstWindow> =
        plan.traffic.bursts.iter().map(|&(factor, from_s, to_s)| BurstWindow { factor, from_s, to_s }).collect();
    out.sort_by(|a, b| a.from_s.total_cmp(&b.from_s));
    out
}

pub fn summarize(plan: &Plan, raw: &Raw) -> LoadReport {
    let answered = raw.completed + raw.fallbacks;
    let mut slo = slo_results(&raw.latency, &plan.slo);
    let windows: Vec<&Histogram> = raw.buckets.iter().map(|b| &b.latency).collect();
    for (s, w) in slo.iter_mut().zip(slo_windows(&windows, raw.bucket_s, &plan.slo)) {
        s.windows = Some(w);
    }
    let stages = plan
        .stages
        .iter()
        .zip(raw.stage_latency.iter().zip(&raw.stage_time).zip(&raw.stage_work))
        .map(|(st, ((h, time), work))| StageSummary {
            name: st.name.clone(),
            service_time: st.basis.clone(),
            // The share of the workers' time in the stage, or of the
            // interpreters' spent on its work.
            utilization: r6(ratio(if plan.interpreters.is_some() { *work } else { *time }, raw.capacity_area)),
            latency_ms: quantiles(h),
        })
        .collect();
    let timeline = raw
        .buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            // The last step may be cut short by the end of the run.
            let w = raw.bucket_s.min(raw.end_s - i as f64 * raw.bucket_s).max(raw.bucket_s * 1e-9);
            TimelinePoint {
                t_s: r3(i as f64 * raw.bucket_s),
                arrivals_rps: r3(b.arrivals as f64 / w),
                throughput_rps: r3(b.answered as f64 / w),
                p50_ms: ms(b.latency.quantile(0.5)),
                p99_ms: ms(b.latency.quantile(0.99)),
                utilization: r6(ratio(b.busy, b.capacity)),
                replicas: r3(b.active / w),
                queue_len: r3(b.queued / w),
                fallbacks: b.fallbacks,
                rejected: b.rejected,
                errors: b.errors,
            }
        })
        .collect();

    let mean_replicas = ratio(raw.active_area, raw.end_s);
    let billed_mean = ratio(raw.billed_area, raw.end_s);
    let arrival_window = raw.last_arrival_s.max(f64::MIN_POSITIVE);
    let interpreters = plan.interpreters.map(|n| Interpreters {
        per_replica: n,
        batches: raw.batches,
        mean_batch: r3(ratio(raw.batched as f64, raw.batches as f64)),
    });
    LoadReport {
        system: plan.system.clone(),
        serving: plan.serving.clone(),
        scenario: plan.scenario.clone(),
        calibration: plan.calibration.clone(),
        seed: plan.seed,
        requests: raw.arrivals,
        completed: raw.completed,
        rejected: raw.rejected,
        timed_out: raw.timed_out,
        fallbacks: raw.fallbacks,
        errors: raw.errors,
        failed_in_outage: raw.failed_in_outage,
        outages: outage_windows(plan),
        base_rps: r3(plan.traffic.base_rps),
        daily_curve: plan.traffic.diurnal.map(|(factor, peak_at_s)| DailyCurve { factor, peak_at_s }),
        bursts: burst_windows(plan),
        simulated_s: r3(raw.end_s),
        arrival_rate_rps: r3(raw.arrivals as f64 / arrival_window),
        throughput_rps: r3(ratio(answered as f64, raw.end_s)),
        latency_ms: quantiles(&raw.latency),
        wait_ms: WaitQuantiles { mean: ms(raw.wait.mean()), p50: ms(raw.wait.quantile(0.5)), p99: ms(raw.wait.quantile(0.99)) },
        prob_wait: r6(ratio(raw.waited as f64, raw.wait.count() as f64)),
        utilization: r6(ratio(raw.busy_area, raw.capacity_area)),
        interpreters,
        stages,
        slo_met: slo.iter().all(|s| s.met),
        slo,
        replicas: Replicas { min: raw.active_min, max: raw.active_max, mean: r3(mean_replicas) },
        cost_per_hour: plan.cost_per_hour.map(|c| r3(c * billed_mean)),
        cost_per_month: plan.cost_per_hour.map(|c| r3(c * billed_mean * HOURS_PER_MONTH)),
        littles_law: LittlesLaw {
            mean_in_system: r6(ratio(raw.in_system_area, raw.end_s)),
            arrival_rate_times_mean_time: r6(ratio(raw.released as f64, raw.end_s) * ratio(raw.sojourn_sum, raw.released as f64)),
        },
        timeline_step_s: raw.bucket_s,
        timeline,
        latency_cdf: latency_cdf(&raw.latency),
        events: raw.events,
    }
}

/// `12 ms`, `0.5 ms`, `1.2 s`.
pub fn fmt_ms(v: f64) -> String {
    if v >= 1000.0 {
        format!("{} s", trim(v / 1000.0))
    } else {
        format!("{} ms", trim(v))
    }
}

fn trim(v: f64) -> String {
    let s = if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}
