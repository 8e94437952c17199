//! The simulator against queueing theory, at one million requests a run.
//!
//! Tolerances: the sample mean of a queue's waiting times is autocorrelated;
//! its asymptotic variance for M/M/1 is ρ(2 + 5ρ − 4ρ² + ρ³) / (μ²(1 − ρ)⁴)
//! (Daley, 1968; Whitt, 1989). At ρ = 0.7 and n = 10⁶ that is a relative
//! standard error of 0.8% on the mean wait and about 0.6% on the mean time in
//! system, so 3% is about four standard errors: a correct simulator fails
//! with probability below 1e-4, while a wrong service or routing model (a
//! 10% error in any of these) cannot pass. Medians get the same 3%. The
//! 99th percentile of an autocorrelated queue varies more: over 12 seeds of
//! the M/M/1 below its standard deviation was 0.9% (and the mean's 0.5%), so
//! p99 gets 5% (over five standard deviations). Percentiles come from a
//! histogram with 0.1% buckets. Probabilities of waiting are held to ±0.015
//! absolute (their spread over those seeds: 0.001).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{close, run, spec};
use mlspec_sim::queueing::{md1_mean_wait, Mmc};

const N: &str = "requests 1M";

#[test]
fn mm1_matches_theory() {
    // λ = 70/s, mean service 10 ms: ρ = 0.7.
    let r = run(&spec(
        "    stage work { latency exponential(mean: 10ms) }\n    replicas 1\n    concurrency 1\n    balancer shared_queue",
        &format!("    traffic poisson 70 rps\n    {N}\n    seed 11"),
    ));
    let q = Mmc { c: 1, lambda: 70.0, mu: 100.0 };
    close("mean time in system (ms)", r.latency_ms.mean, q.mean_sojourn() * 1e3, 0.03);
    close("mean wait (ms)", r.wait_ms.mean, q.mean_wait() * 1e3, 0.03);
    assert!((r.prob_wait - q.prob_wait()).abs() < 0.015, "P(wait) {} vs {}", r.prob_wait, q.prob_wait());
    close("p50 (ms)", r.latency_ms.p50, q.sojourn_quantile(0.5) * 1e3, 0.03);
    close("p99 (ms)", r.latency_ms.p99, q.sojourn_quantile(0.99) * 1e3, 0.05);
    close("utilisation", r.utilization, 0.7, 0.01);
    close("arrival rate", r.arrival_rate_rps, 70.0, 0.005);
    assert_eq!(r.requests, 1_000_000);
}

#[test]
fn mmc_matches_erlang_c() {
    // c = 4 workers, λ = 300/s, mean service 10 ms: a = 3, ρ = 0.75.
    let r = run(&spec(
        "    stage work { latency exponential(mean: 10ms) }\n    replicas 4\n    concurrency 1\n    balancer shared_queue",
        &format!("    traffic poisson 300 rps\n    {N}\n    seed 12"),
    ));
    let q = Mmc { c: 4, lambda: 300.0, mu: 100.0 };
    assert!((r.prob_wait - q.prob_wait()).abs() < 0.015, "P(wait) {} vs Erlang C {}", r.prob_wait, q.prob_wait());
    close("mean wait (ms)", r.wait_ms.mean, q.mean_wait() * 1e3, 0.03);
    close("mean time in system (ms)", r.latency_ms.mean, q.mean_sojourn() * 1e3, 0.03);
    close("p50 (ms)", r.latency_ms.p50, q.sojourn_quantile(0.5) * 1e3, 0.03);
    close("p99 (ms)", r.latency_ms.p99, q.sojourn_quantile(0.99) * 1e3, 0.05);
    close("utilisation", r.utilization, 0.75, 0.01);
}

#[test]
fn workers_are_replicas_times_concurrency() {
    // 2 replicas × 2 workers behind one queue is the same M/M/4.
    let r = run(&spec(
        "    stage work { latency exponential(mean: 10ms) }\n    replicas 2\n    concurrency 2\n    balancer shared_queue",
        &format!("    traffic poisson 300 rps\n    {N}\n    seed 13"),
    ));
    let q = Mmc { c: 4, lambda: 300.0, mu: 100.0 };
    assert!((r.prob_wait - q.prob_wait()).abs() < 0.015, "P(wait) {} vs Erlang C {}", r.prob_wait, q.prob_wait());
    close("mean time in system (ms)", r.latency_ms.mean, q.mean_sojourn() * 1e3, 0.03);
}

#[test]
fn random_balancer_is_independent_mm1_queues() {
    // 4 replicas picked uniformly at λ = 280/s: four M/M/1 queues at 70/s.
    let r = run(&spec(
        "    stage work { latency exponential(mean: 10ms) }\n    replicas 4\n    concurrency 1\n    balancer random",
        &format!("    traffic poisson 280 rps\n    {N}\n    seed 14"),
    ));
    let one = Mmc { c: 1, lambda: 70.0, mu: 100.0 };
    close("mean time in system (ms)", r.latency_ms.mean, one.mean_sojourn() * 1e3, 0.03);
    close("p99 (ms)", r.latency_ms.p99, one.sojourn_quantile(0.99) * 1e3, 0.05);
    assert!((r.prob_wait - 0.7).abs() < 0.015, "P(wait) {}", r.prob_wait);
    // The shared queue at the same load waits far less (Erlang C, c = 4).
    let pooled = Mmc { c: 4, lambda: 280.0, mu: 100.0 };
    assert!(r.wait_ms.mean > 3.0 * pooled.mean_wait() * 1e3);
}

#[test]
fn md1_matches_pollaczek_khinchine() {
    let r = run(&spec(
        "    stage work { latency 10ms }\n    replicas 1\n    concurrency 1\n    balancer shared_queue",
        &format!("    traffic poisson 70 rps\n    {N}\n    seed 15"),
    ));
    let wq = md1_mean_wait(70.0, 0.010);
    close("mean wait (ms)", r.wait_ms.mean, wq * 1e3, 0.03);
    close("mean time in system (ms)", r.latency_ms.mean, (wq + 0.010) * 1e3, 0.03);
    // Deterministic service: nothing is faster than 10 ms.
    assert!(r.latency_ms.p50 >= 10.0 && r.latency_ms.max >= r.latency_ms.p999);
}
