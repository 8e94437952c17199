//! `report::run::simulate`: refusals come before any part runs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mlspec_ir::traffic::Parts;
use mlspec_report::run::{simulate, Options, Phase, SimulateError};
use mlspec_sim::Overrides;

fn fraud() -> mlspec_ir::Design {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs/fraud_detection.mlspec")).unwrap();
    mlspec_check::check_source(&src).design().unwrap_or_else(|diags| panic!("{diags:?}"))
}

#[test]
fn a_drift_run_over_the_row_limit_is_refused_before_the_load_part_runs() {
    let d = fraud();
    let read = |_: &str| Err("no files".to_string());
    let request = mlspec_check::simulation::Request {
        serving: None,
        scenario: None,
        requests: Some(1_000),
        only: None,
        drift_length_given: true,
        read: &read,
    };
    let parts = mlspec_check::simulation::parts(&d, &request).ok().unwrap();
    assert!(parts.load.is_some() && parts.drift);
    let options = Options {
        load: Overrides { seed: None, requests: Some(1_000), ..Default::default() },
        rows_per_day: 10_000_000,
        days: Some(365.0),
        replications: 1,
        threads: 0,
    };
    let mut phases = Vec::new();
    let result = simulate(&d, &parts, &options, &mut |p, _| phases.push(matches!(p, Phase::Load { .. })));
    match result {
        Err(SimulateError::TooManyRows { rows }) => assert!(rows > mlspec_drift::quality::MAX_ROWS),
        _ => panic!("expected a refusal"),
    }
    assert!(phases.is_empty(), "a part ran before the refusal");
}

#[test]
fn a_load_only_run_reports_its_load_and_no_drift() {
    let d = fraud();
    let read = |_: &str| Err("no files".to_string());
    let target = mlspec_check::simulation::target(&d, None, None, Some(2_000), &read).ok().unwrap();
    let parts = Parts { scenario: target.scenario, load: Some(target), drift: false };
    let options = Options {
        load: Overrides { seed: Some(3), requests: Some(2_000), ..Default::default() },
        rows_per_day: 1_000,
        days: None,
        replications: 1,
        threads: 0,
    };
    let out = simulate(&d, &parts, &options, &mut |_, _| {}).ok().unwrap();
    assert!(!out.drift_skipped);
    let load = out.simulation.load.as_ref().unwrap();
    assert_eq!(load.seed, 3);
    assert!(out.simulation.quality.is_none());
}

/// Replications: replication 0 is the single run (its timeline is the
/// report's), the figures are means inside their intervals, and the pool's
/// size changes nothing.
#[test]
fn replications_combine_into_means_with_intervals_on_any_pool() {
    let d = fraud();
    let read = |_: &str| Err("no files".to_string());
    let target = mlspec_check::simulation::target(&d, None, None, Some(5_000), &read).ok().unwrap();
    let parts = Parts { scenario: target.scenario, load: Some(target), drift: false };
    let options = |replications, threads| Options {
        load: Overrides { requests: Some(5_000), ..Default::default() },
        rows_per_day: 1_000,
        days: None,
        replications,
        threads,
    };
    let one = simulate(&d, &parts, &options(1, 0), &mut |_, _| {}).ok().unwrap().simulation;
    let mut phases = Vec::new();
    let four = simulate(&d, &parts, &options(4, 1), &mut |p, share| phases.push((p == Phase::Replications { n: 4 }, share)))
        .ok()
        .unwrap()
        .simulation;
    let again = simulate(&d, &parts, &options(4, 2), &mut |_, _| {}).ok().unwrap().simulation;
    assert_eq!(mlspec_report::json(&four), mlspec_report::json(&again), "one thread or two");
    assert!(phases.iter().all(|(replications, _)| *replications), "progress is about the replications");
    assert_eq!(phases.last().map(|p| p.1), Some(1.0), "and ends done");
    assert_eq!((one.replications, four.replications), (1, 4));
    assert!(one.intervals.is_empty());
    let (l1, l4) = (one.load.as_ref().unwrap(), four.load.as_ref().unwrap());
    assert_eq!(l1.timeline, l4.timeline, "the timeline is replication 0's");
    assert_eq!(l1.seed, l4.seed);
    assert_ne!(l1.latency_ms, l4.latency_ms, "the figures are means over other runs too");
    for (path, figure) in [("latency_ms.p99", l4.latency_ms.p99), ("utilization", l4.utilization), ("replicas.mean", l4.replicas.mean)] {
        let [lo, hi] = four.intervals.get(path).unwrap();
        assert!(lo <= figure && figure <= hi, "{path}: {figure} outside [{lo}, {hi}]");
    }
    assert!(l4.replicas.min <= l1.replicas.min && l4.replicas.max >= l1.replicas.max, "min and max over every replication");
    // Counts are rounded means, so the identity holds to within rounding.
    let sum = l4.completed + l4.fallbacks + l4.rejected + l4.errors;
    assert!(sum.abs_diff(l4.requests) <= 2, "{sum} against {}", l4.requests);
}
