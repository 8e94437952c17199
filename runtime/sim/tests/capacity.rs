//! `capacity`: the search agrees with Erlang C where it applies, refuses
//! infeasible SLOs, and answers for every example with a realtime serving.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{plan, spec};
use mlspec_check::check_source;
use mlspec_ir::ServingMode;
use mlspec_sim::capacity::{capacity, Answer};
use mlspec_sim::Overrides;

/// Statistics: Erlang C puts the p99 at 62.5 ms with 10 replicas (ρ = 0.9)
/// and 49.6 ms with 11, so the analytic answer is 11 and the simulated one
/// can only be 10 (if the simulated p99 at 10 comes out under 60 ms, 4 %
/// below its true value) or 11: both pass. A 12 would need the simulated
/// p99 at 11 replicas 21 % above its true value. Its standard deviation,
/// from the quantile estimator's √(p(1 − p) / n_eff) / f(p99) with the
/// M/M/c's tail density f(p99) ≈ 0.01 × 100/s (its slowest decay is the
/// service rate) and n_eff ≈ 200,000 / 20 for the autocorrelation at
/// ρ = 0.82, is about 1 ms (2 %): 10 standard deviations away, a
/// false-failure rate below 1e-20. The trials' consistency follows: every
/// count below 10 is unstable (ρ ≥ 1) and every count from 11 has a true
/// p99 at least 17 % under the limit.
#[test]
fn simulated_fleet_matches_erlang_c() {
    // 900 rps, exponential 10 ms, one worker per replica, p99 under 60 ms
    // (the service alone has a p99 of 46 ms).
    let src = spec(
        "    stage work { latency exponential(mean: 10ms) }\n    replicas 1..40\n    concurrency 1\n    balancer shared_queue",
        "    traffic poisson 900 rps\n    requests 1M\n    seed 21",
    )
    .replace("latency p99 < 100ms", "latency p99 < 60ms");
    common::statistical("simulated_fleet_matches_erlang_c", 21, |seed, ch| {
        let mut p = plan(&src, &Overrides::default());
        p.seed = seed;
        let c = capacity(&p, 200_000);
        let analytic = c.analytic.as_ref().expect("one exponential stage behind a shared queue has a closed form");
        let Answer::Found { meets_slo: replicas, .. } = c.simulated else { panic!("{:?}", c.simulated) };
        ch.check("within one replica of Erlang C", replicas.abs_diff(analytic.replicas) <= 1, || {
            format!("simulated {replicas}, Erlang C {}", analytic.replicas)
        });
        // Stability alone needs 10 workers; the SLO needs more.
        ch.check("Erlang C answer", analytic.replicas == 11, || format!("Erlang C {}", analytic.replicas));
        // The search's trials are consistent: misses below the answer, meets at it.
        ch.check("consistent trials", c.trials.iter().all(|t| t.met == (t.replicas >= replicas)), || format!("{:?}", c.trials));
    });
}

/// Statistics: the floor is the p99 of 200,000 independent draws of the
/// lognormal (σ of its log = ln 3 / 2.326 = 0.472). The sample quantile's
/// log has standard deviation √(0.99 × 0.01 / 200,000) / φ(2.326) × 0.472
/// = 0.39 %, so ±3 % is 7.6 σ: a false-failure rate of 3e-14.
#[test]
fn an_slo_below_the_service_time_is_infeasible() {
    let src = spec(
        "    stage work { latency lognormal(p50: 20ms, p99: 60ms) }\n    replicas 1..10\n    concurrency 4",
        "    traffic poisson 100 rps\n    requests 10k\n    seed 1",
    )
    .replace("latency p99 < 100ms", "latency p99 < 50ms");
    common::statistical("an_slo_below_the_service_time_is_infeasible", 1, |seed, ch| {
        let mut p = plan(&src, &Overrides::default());
        p.seed = seed;
        let c = capacity(&p, 50_000);
        match c.simulated {
            Answer::Infeasible { floor_ms, limit_ms, .. } => {
                ch.normal("floor (relative)", floor_ms / 60.0, 1.0, 0.0039, 7.6);
                ch.within("limit", limit_ms, 50.0, 0.0);
            }
            other => ch.check("infeasible", false, || format!("{other:?}")),
        }
        ch.check("no trials", c.trials.is_empty(), || "no fleet is simulated for an infeasible SLO".to_string());
    });
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
