//! From phases to the replica model, and the calibration file around it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mlspec_calibrate::file::{Calibration, FileError, Latency, Model, Phase, FORMAT, VERSION};
use mlspec_calibrate::model::{body, derive, fit_line, measured, Inputs, ModelError};
use std::collections::BTreeMap;

/// A phase whose server's event loop spent `loop_c + loop_d / n` ms per
/// request and its batch threads `batch_fixed + batch_item × n` ms per batch
/// of `n`, at `rate` for 10 s.
fn phase(name: &str, rate: f64, n: f64, loop_c: f64, loop_d: f64, batch_fixed: f64, batch_item: f64) -> Phase {
    let requests = rate * 10.0;
    let batches = requests / n;
    let batch_cpu = batches * (batch_fixed + batch_item * n) / 1e3;
    let loop_cpu = (requests * loop_c + batches * loop_d) / 1e3;
    Phase {
        name: name.to_string(),
        rate_rps: rate,
        seconds: 10.0,
        throughput_rps: rate,
        latency_ms: Latency { mean: 6.0, p50: 6.0, p90: 8.0, p99: 10.0 },
        scored: requests,
        cached: 0.0,
        fallbacks: 0.0,
        batches,
        mean_batch: n,
        cpu_s: loop_cpu + batch_cpu,
        batch_cpu_s: batch_cpu,
        stage_mean_ms: BTreeMap::new(),
    }
}

fn latencies() -> Vec<f64> {
    (0..200).map(|i| 0.005 + 0.005 * f64::from(i) / 200.0).collect()
}

fn inputs(l: &[f64]) -> Inputs<'_> {
    Inputs { light_latency_s: l, batch_sigma: 0.3, batch_size: 16, batch_wait_s: 0.002, batch_threads: 2 }
}

#[test]
fn the_loaded_phases_give_the_costs_and_the_light_one_the_wake_up() {
    // Loop: 0.5 ms per request + 0.3 ms per batch handed back; batches
    // 1.0 ms + 0.2 ms per request. The light phase costs 0.8 ms more per
    // request and 0.4 ms more per batch. A ramp step below the half rate
    // (with its own wake-ups) is left out of the fit.
    let phases = [
        phase("light", 50.0, 1.0, 0.5 + 0.8, 0.3, 1.0 + 0.4, 0.2),
        phase("ramp", 100.0, 1.1, 0.5 + 0.6, 0.3, 1.0 + 0.3, 0.2),
        phase("ramp", 1600.0, 8.0, 0.5, 0.3, 1.0, 0.2),
        phase("half", 400.0, 1.5, 0.5, 0.3, 1.0, 0.2),
        phase("busy", 800.0, 4.0, 0.5, 0.3, 1.0, 0.2),
    ];
    let l = latencies();
    let m = derive(&phases, &inputs(&l)).unwrap();
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
    assert!(close(m.request_ms, 0.5), "{m:?}");
    assert!(close(m.handback_ms, 0.3), "{m:?}");
    assert!(close(m.batch_ms, 1.0), "{m:?}");
    assert!(close(m.per_item_ms, 0.2), "{m:?}");
    assert!(close(m.request_wake_ms, 0.8), "{m:?}");
    assert!(close(m.batch_wake_ms, 0.4), "{m:?}");
    // A lone request took 5 to 10 ms: the rest beyond its costs and the
    // 2 ms wait is off the interpreter. The slowest 1 % of the light phase
    // is left out.
    let alone = 0.5 + 0.8 + 2.0 + 1.0 + 0.2 + 0.4 + 0.3;
    assert_eq!(m.outside_ms[0], 0.0, "the fastest lone requests took no longer than their costs");
    let median = body(&l, 200)[100] * 1e3;
    assert!(close(m.outside_ms[100], median - alone), "{}", m.outside_ms[100]);
    assert!(median < 7.5, "the median of the fastest 99 %: {median}");
    assert!(m.outside_ms.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn missing_phases_and_empty_measurements_are_errors() {
    let l = latencies();
    let only_light = [phase("light", 50.0, 1.0, 1.0, 0.0, 1.0, 0.0)];
    assert_eq!(derive(&only_light, &inputs(&l)).unwrap_err(), ModelError::NoPhase { name: "half" });
    let mut idle = phase("busy", 800.0, 4.0, 0.5, 0.3, 1.0, 0.2);
    idle.batches = 0.0;
    let phases = [phase("light", 50.0, 1.0, 1.0, 0.0, 1.0, 0.0), phase("half", 400.0, 1.5, 0.5, 0.3, 1.0, 0.2), idle];
    assert!(matches!(derive(&phases, &inputs(&l)), Err(ModelError::Nothing { .. })));
}

#[test]
fn the_fitted_line_is_least_squares_with_non_negative_parts() {
    let (a, b) = fit_line(&[(1.0, 3.0), (2.0, 5.0), (3.0, 7.0)]);
    assert!((a - 1.0).abs() < 1e-12 && (b - 2.0).abs() < 1e-12, "{a} {b}");
    // Noisy points: the least-squares line, not the one through the ends.
    let (a, b) = fit_line(&[(0.0, 1.0), (1.0, 3.0), (2.0, 3.0)]);
    assert!((a - 4.0 / 3.0).abs() < 1e-12 && (b - 1.0).abs() < 1e-12, "{a} {b}");
    // Falling: noise, a flat line at the mean.
    assert_eq!(fit_line(&[(1.0, 3.0), (3.0, 1.0)]), (2.0, 0.0));
    // It would cross below zero: through the origin instead.
    let (a, b) = fit_line(&[(2.0, 1.0), (4.0, 5.0)]);
    assert_eq!(a, 0.0);
    assert!((b - 22.0 / 20.0).abs() < 1e-12, "{b}");
    // Too close in x to tell, or nothing to fit.
    assert_eq!(fit_line(&[(4.0, 1.0), (4.1, 3.0)]), (2.0, 0.0));
    assert_eq!(fit_line(&[]), (0.0, 0.0));
}

#[test]
fn the_body_leaves_out_the_slowest_one_percent() {
    let values: Vec<f64> = (1..=500).map(f64::from).collect();
    let b = body(&values, 200);
    assert_eq!(b.len(), 200);
    assert_eq!(*b.last().unwrap(), 494.0, "the top 5 of 500 are left out: {:?}", &b[195..]);
    assert_eq!(body(&[3.0], 4), vec![3.0; 4]);
    assert!(body(&[], 4).is_empty());
}

fn file() -> Calibration {
    let phases = vec![
        phase("light", 50.0, 1.0, 1.3, 0.3, 1.4, 0.2),
        phase("half", 400.0, 1.5, 0.5, 0.3, 1.0, 0.2),
        phase("busy", 800.0, 4.0, 0.5, 0.3, 1.0, 0.2),
    ];
    let l = latencies();
    let model = derive(&phases, &inputs(&l)).unwrap();
    Calibration {
        format: FORMAT.to_string(),
        version: VERSION,
        system: "fraud_detection".to_string(),
        serving: "online".to_string(),
        url: "http://127.0.0.1:8000/v1/score".to_string(),
        processes: 1,
        phases,
        stages: Vec::new(),
        model,
    }
}

#[test]
fn the_file_reads_back_what_was_written() {
    let c = file();
    let text = c.to_json();
    let back = Calibration::from_json(&text).unwrap();
    assert_eq!(back.model.request_ms, c.model.request_ms);
    assert_eq!(back.to_json(), text, "the same calibration gives the same bytes");
}

#[test]
fn a_file_that_is_not_a_valid_calibration_says_why() {
    let text = file().to_json();
    let edit = |from: &str, to: &str| Calibration::from_json(&text.replacen(from, to, 1)).unwrap_err();
    assert!(matches!(edit(FORMAT, "something-else"), FileError::Format { .. }));
    assert_eq!(edit("\"version\": 2", "\"version\": 1"), FileError::Version { found: 1 });
    assert!(matches!(edit("\"processes\": 1", "\"processes\": 0"), FileError::Invalid { field: "processes" }));
    assert!(matches!(edit("\"batch_threads\": 2", "\"batch_threads\": 0"), FileError::Invalid { field: "model.batch_threads" }));
    assert!(matches!(edit("\"cache_hit\": 0.0", "\"cache_hit\": 2.0"), FileError::Invalid { field: "model.cache_hit" }));
    assert!(matches!(edit("\"system\"", "\"sistem\""), FileError::Json(_)));
    assert!(matches!(Calibration::from_json("not json"), Err(FileError::Json(_))));
    let msg = edit("\"version\": 2", "\"version\": 7").to_string();
    assert!(msg.contains("calibrate again"), "{msg}");
}

#[test]
fn the_simulated_replica_has_the_measured_parts() {
    let c = file();
    let m = measured(&c, "cal.json", 4);
    assert_eq!(m.interpreters, Some(4));
    let names: Vec<&str> = m.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["request", "outside", "batch"]);
    let batch = &m.stages[2];
    assert_eq!(batch.batch, Some((16, 0.002)));
    assert_eq!(batch.batch_executors, 8, "two batch threads in each of four processes");
    assert!(batch.model && batch.interpreter && m.stages[0].interpreter && !m.stages[1].interpreter);
    // A batch of one takes batch_ms + per_item_ms on average, then the loop
    // hands it back.
    let mean_ms = batch.sampler.mean() * 1e3;
    assert!((mean_ms - (c.model.batch_ms + c.model.per_item_ms)).abs() < 1e-9, "{mean_ms}");
    assert_eq!(batch.handback_s * 1e3, c.model.handback_ms);
    assert!(m.source.contains("cal.json") && m.source.contains("4 processes per replica"), "{}", m.source);
    let _: &Model = &c.model;
}
