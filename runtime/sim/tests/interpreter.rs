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
    run_seeded(stages, interpreters, rate, requests, None)
}

fn run_seeded(stages: Vec<StagePlan>, interpreters: u32, rate: f64, requests: u64, seed: Option<u64>) -> mlspec_sim::LoadReport {
    // The spec's own serving (8 workers, one 50 ms stage) is replaced whole.
    let src = spec("    stage s { latency 50ms }\n    concurrency 8", "    traffic poisson 100 rps\n    seed 3");
    let o = Overrides {
        seed,
        requests: Some(requests),
        rate_rps: Some(rate),
        replicas: Some(1),
        measured: Some(measured(stages, interpreters)),
    };
    let r = simulate(&plan(&src, &o), &mut |_| {});
    assert_invariants(&r);
    r
}

/// One exponential stage on c interpreters is an M/M/c. Statistics: the
/// mean time in system over 40 independent runs of 25,000 requests,
/// Student t with 39 degrees of freedom held to 4.5 (P = 6.0e-5; see
/// queueing.rs for why runs and not one long run). The runs start empty:
/// the relative bias of the mean number in system over a run of T seconds
/// is 1 / (μT(1 − ρ)²) for an M/M/1 (Whitt), 1.5e-3 at ρ = 0.85 here, under
/// a tenth of a standard error. Four t-checks (mean time in system and the
/// interpreters' busy share, for each c): false-failure rate ≤ 2.4e-4.
#[test]
fn one_stage_on_c_interpreters_is_m_m_c() {
    common::statistical("one_stage_on_c_interpreters_is_m_m_c", 3, |seed, ch| {
        for (c, rho, guard) in [(1u32, 0.8, 0.1), (2, 0.85, 0.12)] {
            let mean = 0.002;
            let lambda = rho * f64::from(c) / mean;
            let runs: Vec<_> = common::replication_seeds(seed)
                .map(|s| run_seeded(vec![stage("work", Sampler::Exponential { mean }, true, None, 0.0)], c, lambda, 25_000, Some(s)))
                .collect();
            let want = Mmc { c, lambda, mu: 1.0 / mean }.mean_sojourn() * 1e3;
            ch.replicated(&format!("c = {c}: mean time in system (ms)"), &common::each(&runs, |r| r.latency_ms.mean), want, guard * want);
            ch.check("nothing lost", runs.iter().all(|r| r.rejected + r.errors + r.fallbacks == 0), || {
                "rejections, errors or fallbacks".to_string()
            });
            // The interpreters' busy share while requests arrive is ρ.
            ch.replicated(&format!("c = {c}: interpreters busy"), &common::each(&runs, common::busy_while_arriving), rho, 0.02);
            ch.check(
                "the interpreters are reported",
                runs.iter().all(|r| r.interpreters.as_ref().is_some_and(|i| i.per_replica == c && i.batches == 0)),
                || "no interpreters block, or batches where there are none".to_string(),
            );
        }
    });
}

/// Not statistical: both runs draw the same arrivals and interpreter work
/// (same seed; the fixed delay draws nothing and holds no interpreter), so
/// the delay adds exactly 5 ms to every request.
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

/// Not statistical in effect: the light run's p50 is a lone request's
/// 1.3 ms (at 50 rps under 7 % of requests meet another), and the heavy and
/// overloaded runs differ from it by factors, not by percent.
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
