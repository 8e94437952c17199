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
