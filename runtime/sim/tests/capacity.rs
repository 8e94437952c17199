//! `capacity`: the search agrees with Erlang C where it applies, refuses
//! infeasible SLOs, and answers for every example with a realtime serving.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{plan, spec};
use mlspec_check::check_source;
use mlspec_ir::ServingMode;
use mlspec_sim::capacity::{capacity, Answer};
use mlspec_sim::Overrides;

#[test]
fn simulated_fleet_matches_erlang_c() {
    // 900 rps, exponential 10 ms, one worker per replica, p99 under 60 ms
    // (the service alone has a p99 of 46 ms).
    let src = spec(
        "    stage work { latency exponential(mean: 10ms) }\n    replicas 1..40\n    concurrency 1\n    balancer shared_queue",
        "    traffic poisson 900 rps\n    requests 1M\n    seed 21",
    )
    .replace("latency p99 < 100ms", "latency p99 < 60ms");
    let c = capacity(&plan(&src, &Overrides::default()), 200_000);
    let analytic = c.analytic.as_ref().expect("one exponential stage behind a shared queue has a closed form");
    let Answer::Found { replicas, .. } = c.simulated else { panic!("{:?}", c.simulated) };
    // The p99 changes by a few percent per replica near the answer; the
    // simulation's p99 at 200k requests is within ~2%, so ±1 replica.
    assert!(replicas.abs_diff(analytic.replicas) <= 1, "simulated {replicas}, Erlang C {}", analytic.replicas);
    // Stability alone needs 10 workers; the SLO needs more.
    assert!(analytic.replicas > 10);
    // The search's trials are consistent: misses below the answer, meets at it.
    assert!(c.trials.iter().all(|t| t.met == (t.replicas >= replicas)), "{:?}", c.trials);
}

#[test]
fn an_slo_below_the_service_time_is_infeasible() {
    let src = spec(
        "    stage work { latency lognormal(p50: 20ms, p99: 60ms) }\n    replicas 1..10\n    concurrency 4",
        "    traffic poisson 100 rps\n    requests 10k\n    seed 1",
    )
    .replace("latency p99 < 100ms", "latency p99 < 50ms");
    let c = capacity(&plan(&src, &Overrides::default()), 50_000);
    match c.simulated {
        Answer::Infeasible { floor_ms, limit_ms, .. } => {
            assert!((floor_ms / 60.0 - 1.0).abs() < 0.03, "floor {floor_ms}");
            assert_eq!(limit_ms, 50.0);
        }
        other => panic!("expected infeasible, got {other:?}"),
    }
    assert!(c.trials.is_empty(), "no fleet is simulated for an infeasible SLO");
}

#[test]
fn every_example_with_a_realtime_serving_gets_an_answer() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs");
    let mut answered = 0;
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for f in files {
        let src = std::fs::read_to_string(&f).unwrap();
        let Ok(design) = check_source(&src).design() else { continue };
        if !design.servings.iter().any(|s| s.mode == Some(ServingMode::Realtime)) {
            continue;
        }
        let c = capacity(&plan(&src, &Overrides::default()), 20_000);
        match &c.simulated {
            Answer::Found { replicas, .. } => assert!(*replicas >= 1 && c.peak_rps > 0.0, "{}", f.display()),
            other => panic!("{}: {other:?}", f.display()),
        }
        answered += 1;
    }
    assert!(answered >= 10, "only {answered} examples have a realtime serving");
}
