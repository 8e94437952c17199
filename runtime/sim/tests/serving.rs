//! The serving features behave as LANGUAGE.md says, each against a
//! counterfactual run without the feature.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{plan, run, spec};
use mlspec_sim::{simulate, Overrides};
fn report_json(r: &mlspec_sim::LoadReport) -> String {
    serde_json::to_string_pretty(r).unwrap()
}

const ONE_STAGE: &str = "    stage work { latency exponential(mean: 10ms) }";

#[test]
fn queue_limit_rejects_arrivals_beyond_it() {
    // λ = 150/s into one worker at 100/s: overloaded.
    let body = format!("{ONE_STAGE}\n    replicas 1\n    concurrency 1\n    balancer shared_queue");
    let limited = run(&spec(&format!("{body}\n    queue 20"), "    traffic poisson 150 rps\n    requests 100k\n    seed 3"));
    // At most 1 in service + 20 waiting: time in system stays bounded.
    assert!(limited.rejected > 25_000, "rejected {}", limited.rejected);
    assert!(limited.latency_ms.max < 21.0 * 10.0 * 5.0, "max {}", limited.latency_ms.max);
    let unlimited = run(&spec(&body, "    traffic poisson 150 rps\n    requests 100k\n    seed 3"));
    assert_eq!(unlimited.rejected, 0);
    assert!(unlimited.latency_ms.p99 > 10.0 * limited.latency_ms.p99);
}

#[test]
fn timeout_answers_with_the_fallback() {
    let src = |timeout: &str| {
        format!(
            "system t {{\n  problem {{ objective \"o\"; task regression }}\n  model main {{ kind linear_regression }}\n  model fallback_rules {{ kind linear_regression; latency 1ms }}\n  serving api {{\n    mode realtime\n    stage work {{ model main; latency exponential(mean: 10ms) }}\n    replicas 1\n    concurrency 1\n{timeout}\n  }}\n  scenario s {{ traffic poisson 95 rps; requests 200k; seed 9 }}\n}}\n"
        )
    };
    let r = run(&src("    timeout 50ms fallback fallback_rules"));
    assert!(r.timed_out > 1000 && r.fallbacks == r.timed_out, "timed out {} fallbacks {}", r.timed_out, r.fallbacks);
    // Every answer comes within the timeout plus the 1 ms fallback.
    assert!(r.latency_ms.max <= 51.0 + 1e-6, "max {}", r.latency_ms.max);
    let without = run(&src(""));
    assert_eq!(without.fallbacks, 0);
    assert!(without.latency_ms.max > 100.0);
}

#[test]
fn cache_hits_skip_model_stages() {
    let src = |cache: &str| {
        format!(
            "system c {{\n  problem {{ objective \"o\"; task regression }}\n  model m {{ kind linear_regression }}\n  serving api {{\n    mode realtime\n    stage gateway {{ latency 1ms }}\n    stage score {{ model m; latency 9ms }}\n    replicas 50\n{cache}\n  }}\n  scenario s {{ traffic poisson 100 rps; requests 100k; seed 5 }}\n}}\n"
        )
    };
    let cached = run(&src("    cache ttl 5m hit_rate 40%"));
    // Hits take 1 ms, misses 10 ms: the mean is 0.4 × 1 + 0.6 × 10 = 6.4 ms.
    assert!((cached.latency_ms.mean - 6.4).abs() < 0.1, "mean {}", cached.latency_ms.mean);
    assert!((cached.latency_ms.p50 - 10.0).abs() < 0.1);
    let plain = run(&src(""));
    assert!((plain.latency_ms.mean - 10.0).abs() < 0.01);
}

#[test]
fn outage_sends_requests_to_the_fallback_only_during_it() {
    let src = |fallback: &str| {
        format!(
            "system o {{\n  problem {{ objective \"o\"; task regression }}\n  model m {{ kind linear_regression }}\n  model backup {{ kind linear_regression; latency 1ms }}\n  serving api {{\n    mode realtime\n    stage lookup {{ latency 2ms }}\n    stage score {{ model m; latency 3ms }}\n    replicas 10\n{fallback}\n  }}\n  scenario s {{ traffic poisson 100 rps; duration 10m; outage lookup at 2m for 1m; seed 4 }}\n}}\n"
        )
    };
    let r = run(&src("    timeout 100ms fallback backup"));
    // One minute of ten at 100 rps: about 6,000 requests hit the outage.
    assert!((r.fallbacks as f64 / 6000.0 - 1.0).abs() < 0.1, "fallbacks {}", r.fallbacks);
    assert_eq!(r.timed_out, 0);
    assert_eq!(r.errors, 0);
    // Answers come 1 ms (the fallback) after the failure: allow one step more.
    let step = r.timeline_step_s;
    let in_window: u64 = r.timeline.iter().filter(|p| p.t_s >= 120.0 && p.t_s < 180.0 + step).map(|p| p.fallbacks).sum();
    assert_eq!(in_window, r.fallbacks, "fallbacks only inside the outage");
    // Without a fallback, the same requests are errors.
    let bare = run(&src(""));
    assert_eq!(bare.fallbacks, 0);
    assert!((bare.errors as f64 / 6000.0 - 1.0).abs() < 0.1, "errors {}", bare.errors);
}

#[test]
fn autoscaler_adds_replicas_after_warmup_within_its_range() {
    let body = "    stage work { latency 10ms }\n    replicas 2..12\n    concurrency 1\n    balancer least_loaded\n    autoscale cpu 60% warmup 60s";
    // 100 rps, then a 6x burst for 10 minutes: 600 rps needs 6+ workers at 10 ms.
    let r = run(&spec(body, "    traffic poisson 100 rps\n    duration 30m\n    burst 6x at 10m for 10m\n    seed 8"));
    assert_eq!(r.replicas.min, 2);
    assert!(r.replicas.max > 6 && r.replicas.max <= 12, "max {}", r.replicas.max);
    // No replica serves before the burst has lasted the warmup.
    let before: f64 = r.timeline.iter().filter(|p| p.t_s < 600.0 + 60.0).map(|p| p.replicas).fold(0.0, f64::max);
    assert!(before <= 2.0 + 1e-9, "replicas before warmup {before}");
    let during: f64 = r.timeline.iter().filter(|p| p.t_s >= 780.0 && p.t_s < 1200.0).map(|p| p.replicas).fold(f64::MAX, f64::min);
    assert!(during >= 6.0, "replicas during the burst {during}");
    // After the burst the fleet shrinks back (after the 5-minute stabilisation).
    let last = r.timeline.last().map_or(0.0, |p| p.replicas);
    assert!(last < 4.0, "replicas at the end {last}");
}

#[test]
fn batching_waits_for_a_full_batch_or_the_deadline() {
    let stage = |batch: &str| format!("    stage score {{ latency 4ms{batch} }}\n    replicas 1\n    concurrency 64");
    // 50 rps: a batch of 8 fills in ~160 ms, so the 5 ms deadline starts it.
    let quiet = run(&spec(&stage("; batch 8 wait 5ms"), "    traffic poisson 50 rps\n    requests 50k\n    seed 2"));
    assert!(quiet.latency_ms.p50 > 4.0 + 4.0 && quiet.latency_ms.max < 4.0 * 1.25 * 3.0 + 5.0 + 1.0, "{:?}", quiet.latency_ms);
    // 5,000 rps: one executor, batches of 8 at 4 ms × (1 + 0.25 × 7) = 11 ms,
    // 727 rps of capacity per executor: without enough, it saturates; the
    // same stage unbatched on one executor-free path has no such limit.
    let busy = run(&spec(&stage("; batch 8 wait 5ms"), "    traffic poisson 600 rps\n    requests 100k\n    seed 2"));
    assert!(busy.stages[0].latency_ms.p50 > 11.0, "batches run whole: {:?}", busy.stages[0].latency_ms);
    let unbatched = run(&spec(&stage(""), "    traffic poisson 600 rps\n    requests 100k\n    seed 2"));
    assert!((unbatched.latency_ms.mean - 4.0).abs() < 0.01);
}

#[test]
fn same_seed_same_bytes_other_seed_other_numbers() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs/fraud_detection.mlspec")).unwrap();
    let o = |seed| Overrides { seed: Some(seed), requests: Some(100_000), ..Default::default() };
    let a = report_json(&simulate(&plan(&src, &o(7)), &mut |_| {}));
    let b = report_json(&simulate(&plan(&src, &o(7)), &mut |_| {}));
    let c = report_json(&simulate(&plan(&src, &o(8)), &mut |_| {}));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn cost_counts_billed_replica_hours() {
    let body = format!("{ONE_STAGE}\n    replicas 3\n    instance cpu(cores: 2) cost $0.50 / hour");
    let r = run(&spec(&body, "    traffic poisson 10 rps\n    requests 10k\n    seed 1"));
    // Three replicas all the time: 3 × $0.50 × 730 h.
    assert_eq!(r.cost_per_month, Some(1095.0));
    assert_eq!(r.replicas.mean, 3.0);
}

#[test]
fn an_overloaded_start_keeps_its_fleet_accounting() {
    // Regression: a run that closes arrivals while overloaded, with replicas
    // still warming, ends when the last request leaves, and its timeline
    // covers the whole run (no step lost to rounding at step edges).
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs/ad_click_prediction.mlspec")).unwrap();
    let r = simulate(&plan(&src, &Overrides { seed: None, requests: Some(50_000), ..Default::default() }), &mut |_| {});
    common::assert_invariants(&r);
    assert!(r.replicas.mean >= 8.0, "min 8 replicas serve throughout: {}", r.replicas.mean);
    assert!(r.simulated_s < 10.0, "the run ends when the last request leaves, not at a pending warm-up: {}", r.simulated_s);
}
