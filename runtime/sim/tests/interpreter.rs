//! Calibrated plans: stages on a replica's interpreters queue for them in
//! one arrival-ordered queue, whatever the worker slots allow.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{assert_invariants, plan, spec};
use mlspec_sim::dist::Sampler;
use mlspec_sim::plan::{Measured, StagePlan};
use mlspec_sim::queueing::Mmc;
use mlspec_sim::{simulate, Overrides};

fn stage(name: &str, sampler: Sampler, interpreter: bool, batch: Option<(u32, f64)>, marginal: f64) -> StagePlan {
    StagePlan {
        name: name.to_string(),
        sampler,
        model: false,
        batch,
        batch_marginal: marginal,
        batch_executors: 2,
        outages: Vec::new(),
        basis: "test".to_string(),
        interpreter,
        wake_s: 0.0,
        handback_s: 0.0,
    }
}

fn measured(stages: Vec<StagePlan>, interpreters: u32) -> Measured {
    Measured { source: "test".to_string(), stages, concurrency: 100_000, cache_hit: Some(0.0), interpreters: Some(interpreters) }
}

fn run(stages: Vec<StagePlan>, interpreters: u32, rate: f64, requests: u64) -> mlspec_sim::LoadReport {
    // The spec's own serving (8 workers, one 50 ms stage) is replaced whole.
    let src = spec("    stage s { latency 50ms }\n    concurrency 8", "    traffic poisson 100 rps\n    seed 3");
    let o = Overrides {
        requests: Some(requests),
        rate_rps: Some(rate),
        replicas: Some(1),
        measured: Some(measured(stages, interpreters)),
        ..Default::default()
    };
    let r = simulate(&plan(&src, &o), &mut |_| {});
    assert_invariants(&r);
    r
}

#[test]
fn one_stage_on_c_interpreters_is_m_m_c() {
    for (c, rho) in [(1u32, 0.8), (2, 0.85)] {
        let mean = 0.002;
        let lambda = rho * f64::from(c) / mean;
        let r = run(vec![stage("work", Sampler::Exponential { mean }, true, None, 0.0)], c, lambda, 400_000);
        let want = Mmc { c, lambda, mu: 1.0 / mean }.mean_sojourn() * 1e3;
        let got = r.latency_ms.mean;
        assert!((got / want - 1.0).abs() < 0.05, "c = {c}: mean {got:.3} ms, M/M/c {want:.3} ms");
        assert_eq!(r.rejected + r.errors + r.fallbacks, 0);
        // The interpreters' busy share is ρ: the work of 400k requests over
        // their span, each known to about 0.2 % (1 / √n), so 0.01 is
        // several times what sampling can move it.
        let i = r.interpreters.as_ref().expect("a calibrated plan reports its interpreters");
        assert_eq!(i.per_replica, c);
        assert!((r.utilization - rho).abs() < 0.01, "c = {c}: utilization {} for ρ {rho}", r.utilization);
        assert_eq!(i.batches, 0);
    }
}

#[test]
fn a_stage_off_the_interpreters_adds_its_time_without_queueing() {
    let mean = 0.002;
    let lambda = 0.8 / mean;
    let alone = run(vec![stage("work", Sampler::Exponential { mean }, true, None, 0.0)], 1, lambda, 200_000);
    let with_delay = run(
        vec![stage("work", Sampler::Exponential { mean }, true, None, 0.0), stage("network", Sampler::Fixed(0.005), false, None, 0.0)],
        1,
        lambda,
        200_000,
    );
    let added = with_delay.latency_ms.mean - alone.latency_ms.mean;
    assert!((added - 5.0).abs() < 0.05, "a 5 ms delay off the interpreter added {added:.3} ms");
}

#[test]
fn batches_share_the_interpreter_with_request_work_and_grow_with_load() {
    // Each request costs 0.2 ms of its own work; a batch 1 ms plus 0.1 ms per
    // request. One interpreter, two batch threads: at load the interpreter
    // alternates between request work and batches, and a batch takes all who
    // gathered while both threads were busy.
    let stages = |wait| {
        vec![
            stage("http", Sampler::Fixed(0.0002), true, None, 0.0),
            stage("model", Sampler::Fixed(0.0011), true, Some((64, wait)), 0.1 / 1.1),
        ]
    };
    let light = run(stages(0.0), 1, 50.0, 20_000);
    let heavy = run(stages(0.0), 1, 2_000.0, 200_000);
    // Alone: 0.2 + 1.1 ms.
    assert!((light.latency_ms.p50 - 1.3).abs() < 0.05, "light p50 {}", light.latency_ms.p50);
    // At 2,000 rps the interpreter spends 0.4 of each second on request work
    // and 0.2 on batch members: the fixed 1 ms per batch fits only in batches
    // of 2.5 requests or more, which gather while it works: all are answered.
    assert_eq!(heavy.completed, heavy.requests);
    assert!(heavy.latency_ms.p50 > light.latency_ms.p50, "queueing for the interpreter shows at load");
    // Beyond what the interpreter can do (0.3 ms per request even in batches
    // of 64: about 3,000 rps), the run cannot keep up.
    let over = run(stages(0.0), 1, 4_000.0, 100_000);
    assert!(over.latency_ms.p50 > 100.0 * heavy.latency_ms.p50, "over capacity: p50 {} ms", over.latency_ms.p50);
}

#[test]
fn the_loop_hands_each_batch_back_before_its_thread_takes_another() {
    // As above, with 0.5 ms of the loop's work per batch after it ran.
    let stages = |handback_s| {
        let mut model = stage("model", Sampler::Fixed(0.0011), true, Some((64, 0.0)), 0.1 / 1.1);
        model.handback_s = handback_s;
        vec![stage("http", Sampler::Fixed(0.0002), true, None, 0.0), model]
    };
    // Alone, a request takes its work, its batch of one and the hand-back.
    let light = run(stages(0.0005), 1, 50.0, 20_000);
    assert!((light.latency_ms.p50 - 1.8).abs() < 0.05, "light p50 {}", light.latency_ms.p50);
    let i = light.interpreters.as_ref().unwrap();
    assert!((i.mean_batch - 1.0).abs() < 0.01, "light batches are of one: {}", i.mean_batch);
    // Every request was in one batch (the mean is rounded to 3 decimals).
    let in_batches = i.batches as f64 * i.mean_batch;
    assert!(
        (in_batches - light.completed as f64).abs() <= i.batches as f64 * 5e-4,
        "{in_batches} in batches, {} answered",
        light.completed
    );
    // At load, a thread waits for the loop to take its batch back, so more
    // requests gather for its next one than without the hand-back.
    let with = run(stages(0.0005), 1, 2_000.0, 100_000);
    let without = run(stages(0.0), 1, 2_000.0, 100_000);
    let (n_with, n_without) = (with.interpreters.unwrap().mean_batch, without.interpreters.unwrap().mean_batch);
    assert!(n_with > n_without, "mean batch {n_with} with the hand-back, {n_without} without");
    assert_eq!(with.completed, with.requests);
}
