//! A measured run as people and programs read it: counts, rates, latency
//! percentiles, SLO verdicts and a timeline, with the keys of
//! `mlspec simulate`'s report for the same figures (`requests`, `completed`,
//! `errors`, `latency_ms` with `mean`, `p50`, `p99`, …, `slo`, `timeline`).
//!
//! **Invariant:** the JSON has a fixed field order (statuses sorted) and
//! every float is rounded to a fixed number of decimals, as the simulator's
//! report is, so the same measurement gives the same bytes.

use crate::tally::Measured;
use mlspec_sim::summary::{latency_cdf, ms, quantiles, r3, r6, ratio, slo_results, Quantiles, SloResult};
use serde::Serialize;
use std::collections::BTreeMap;

/// What the caller knows about the run beyond the measurement.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Context {
    pub system: String,
    pub serving: String,
    /// `constant`, or the scenario whose traffic was replayed.
    pub scenario: String,
    pub url: String,
    /// How the send times were made, for people: `Poisson at 300 rps`,
    /// ``scenario `peak_day`'s day compressed 1440×``.
    pub arrivals: String,
    pub seed: u64,
    /// The measured window, seconds: the run's duration, or where a stop
    /// ended it. Rates are over this window.
    pub duration_s: f64,
    /// The spec's latency constraints: (label such as `p99`, quantile in
    /// 0..=1, limit in seconds).
    pub slo: Vec<(String, f64, f64)>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Summary {
    pub system: String,
    pub serving: String,
    pub scenario: String,
    pub url: String,
    pub arrivals: String,
    pub seed: u64,
    /// Sent.
    pub requests: u64,
    /// Answered 2xx.
    pub completed: u64,
    /// Non-2xx answers and transport errors.
    pub errors: u64,
    /// `errors` by HTTP status (`"429"`, `"503"`, …) and `"transport"`,
    /// sorted; only the ones that happened.
    pub errors_by_status: BTreeMap<String, u64>,
    /// Transport errors only: the first one, as the system said it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_transport_error: Option<String>,
    pub timed_out: u64,
    /// Scheduled but never sent (at or after the end, or after a stop).
    pub unsent: u64,
    pub measured_s: f64,
    /// Sent per second of the measured window.
    pub arrival_rate_rps: f64,
    /// 2xx answers per second of the measured window.
    pub throughput_rps: f64,
    /// Of 2xx answers, from the scheduled send time.
    pub latency_ms: Quantiles,
    pub slo: Vec<SloResult>,
    pub slo_met: bool,
    pub timeline_step_s: f64,
    pub timeline: Vec<Point>,
    /// (latency ms, share of 2xx answers at or below it), for charts.
    pub latency_cdf: Vec<(f64, f64)>,
}

/// One step of the timeline: the requests scheduled in [t_s, t_s + step).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Point {
    pub t_s: f64,
    pub arrivals_rps: f64,
    pub throughput_rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Non-2xx answers and transport errors.
    pub errors: u64,
    pub timeouts: u64,
}

pub fn summarize(m: &Measured, c: &Context) -> Summary {
    let mut errors_by_status: BTreeMap<String, u64> =
        m.by_status.iter().filter(|(s, _)| !(200..300).contains(*s)).map(|(s, n)| (s.to_string(), *n)).collect();
    if m.transport_errors > 0 {
        errors_by_status.insert("transport".to_string(), m.transport_errors);
    }
    let errors = errors_by_status.values().sum();
    let window = c.duration_s;
    // Steps are k × step from 0; a run of one step has its window as step.
    let step_s = m.steps.get(1).map_or(window, |s| s.t_s);
    let timeline = m
        .steps
        .iter()
        .map(|s| {
            // The last step may be cut short by the end of the window.
            let w = step_s.min(window - s.t_s).max(step_s * 1e-9);
            Point {
                t_s: r3(s.t_s),
                arrivals_rps: r3(ratio(s.sent as f64, w)),
                throughput_rps: r3(ratio(s.ok as f64, w)),
                p50_ms: ms(s.latency.quantile(0.5)),
                p99_ms: ms(s.latency.quantile(0.99)),
                errors: s.errors,
                timeouts: s.timeouts,
            }
        })
        .collect();
    let slo = slo_results(&m.latency, &c.slo);
    Summary {
        system: c.system.clone(),
        serving: c.serving.clone(),
        scenario: c.scenario.clone(),
        url: c.url.clone(),
        arrivals: c.arrivals.clone(),
        seed: c.seed,
        requests: m.sent,
        completed: m.ok,
        errors,
        errors_by_status,
        first_transport_error: m.first_transport_error.clone(),
        timed_out: m.timeouts,
        unsent: m.unsent,
        measured_s: r3(window),
        arrival_rate_rps: r3(ratio(m.sent as f64, window)),
        throughput_rps: r3(ratio(m.ok as f64, window)),
        latency_ms: quantiles(&m.latency),
        slo_met: slo.iter().all(|s| s.met),
        slo,
        timeline_step_s: r6(step_s),
        timeline,
        latency_cdf: latency_cdf(&m.latency),
    }
}
