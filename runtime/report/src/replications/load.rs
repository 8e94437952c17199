//! The load reports of N replications as one: each figure the mean over
//! the replications (counts rounded to whole requests), with its interval.
//! Replication 0 keeps the time series (timeline, latency CDF) and each
//! SLO's worst window; replicas' min and max are over every replication.

use super::{Figures, Intervals};
use mlspec_sim::summary::{r3, r6, Quantiles};
use mlspec_sim::LoadReport;

/// The combined report, `None` without replications.
pub fn combine(reps: &[LoadReport], intervals: &mut Intervals) -> Option<LoadReport> {
    let mut r = reps.first()?.clone();
    let mut f = Figures::new(reps, intervals);
    r.requests = f.count("requests", |x| x.requests);
    r.completed = f.count("completed", |x| x.completed);
    r.rejected = f.count("rejected", |x| x.rejected);
    r.timed_out = f.count("timed_out", |x| x.timed_out);
    r.fallbacks = f.count("fallbacks", |x| x.fallbacks);
    r.errors = f.count("errors", |x| x.errors);
    r.failed_in_outage = f.count("failed_in_outage", |x| x.failed_in_outage);
    r.simulated_s = f.mean("simulated_s", r3, |x| x.simulated_s);
    r.arrival_rate_rps = f.mean("arrival_rate_rps", r3, |x| x.arrival_rate_rps);
    r.throughput_rps = f.mean("throughput_rps", r3, |x| x.throughput_rps);
    r.latency_ms = quantiles(&mut f, "latency_ms", |x| &x.latency_ms);
    r.wait_ms.mean = f.mean("wait_ms.mean", r3, |x| x.wait_ms.mean);
    r.wait_ms.p50 = f.mean("wait_ms.p50", r3, |x| x.wait_ms.p50);
    r.wait_ms.p99 = f.mean("wait_ms.p99", r3, |x| x.wait_ms.p99);
    r.prob_wait = f.mean("prob_wait", r6, |x| x.prob_wait);
    r.utilization = f.mean("utilization", r6, |x| x.utilization);
    if let Some(i) = r.interpreters.as_mut() {
        i.batches = f.count("interpreters.batches", |x| x.interpreters.as_ref().map_or(0, |i| i.batches));
        i.mean_batch = f.mean("interpreters.mean_batch", r3, |x| x.interpreters.as_ref().map_or(0.0, |i| i.mean_batch));
    }
    for (k, st) in r.stages.iter_mut().enumerate() {
        st.utilization = f.mean(&format!("stages.{k}.utilization"), r6, |x| x.stages.get(k).map_or(f64::NAN, |s| s.utilization));
        st.latency_ms = quantiles(&mut f, &format!("stages.{k}.latency_ms"), |x| x.stages.get(k).map_or(&NAN_QUANTILES, |s| &s.latency_ms));
    }
    let answered = r.completed + r.fallbacks > 0;
    for (k, slo) in r.slo.iter_mut().enumerate() {
        slo.value_ms = f.mean(&format!("slo.{k}.value_ms"), r3, |x| x.slo.get(k).map_or(f64::NAN, |s| s.value_ms));
        slo.met = answered && slo.value_ms <= slo.limit_ms;
        if let Some(w) = slo.windows.as_mut() {
            let windows = |x: &LoadReport| x.slo.get(k).and_then(|s| s.windows.clone());
            w.windows = f.count(&format!("slo.{k}.windows.windows"), |x| windows(x).map_or(0, |w| w.windows));
            w.met = f.count(&format!("slo.{k}.windows.met"), |x| windows(x).map_or(0, |w| w.met));
        }
    }
    r.slo_met = r.slo.iter().all(|s| s.met);
    r.replicas.min = reps.iter().map(|x| x.replicas.min).min().unwrap_or(r.replicas.min);
    r.replicas.max = reps.iter().map(|x| x.replicas.max).max().unwrap_or(r.replicas.max);
    r.replicas.mean = f.mean("replicas.mean", r3, |x| x.replicas.mean);
    if r.cost_per_hour.is_some() {
        r.cost_per_hour = Some(f.mean("cost_per_hour", r3, |x| x.cost_per_hour.unwrap_or(f64::NAN)));
        r.cost_per_month = Some(f.mean("cost_per_month", r3, |x| x.cost_per_month.unwrap_or(f64::NAN)));
    }
    r.littles_law.mean_in_system = f.mean("littles_law.mean_in_system", r6, |x| x.littles_law.mean_in_system);
    r.littles_law.arrival_rate_times_mean_time =
        f.mean("littles_law.arrival_rate_times_mean_time", r6, |x| x.littles_law.arrival_rate_times_mean_time);
    r.events = f.count("events", |x| x.events);
    Some(r)
}

const NAN_QUANTILES: Quantiles =
    Quantiles { mean: f64::NAN, p50: f64::NAN, p90: f64::NAN, p95: f64::NAN, p99: f64::NAN, p999: f64::NAN, max: f64::NAN };

/// Latency quantiles (ms) under `prefix`: `prefix.mean`, `prefix.p50`, ….
fn quantiles(f: &mut Figures<'_, LoadReport>, prefix: &str, get: impl Fn(&LoadReport) -> &Quantiles) -> Quantiles {
    let mut q = |name: &str, pick: fn(&Quantiles) -> f64| f.mean(&format!("{prefix}.{name}"), r3, |x| pick(get(x)));
    Quantiles {
        mean: q("mean", |l| l.mean),
        p50: q("p50", |l| l.p50),
        p90: q("p90", |l| l.p90),
        p95: q("p95", |l| l.p95),
        p99: q("p99", |l| l.p99),
        p999: q("p999", |l| l.p999),
        max: q("max", |l| l.max),
    }
}
