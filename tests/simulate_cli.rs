//! `mlspec simulate` and `mlspec capacity` as a user runs them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};

const FRAUD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/specs/fraud_detection.mlspec");

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlspec")).args(args).env("NO_COLOR", "1").output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn temp_spec(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.mlspec");
    std::fs::write(&p, text).unwrap();
    (dir, p.to_string_lossy().into_owned())
}

#[test]
fn json_has_the_documented_fields_and_is_deterministic() {
    let args = ["simulate", FRAUD, "--scenario", "peak_day", "--requests", "50k", "--format", "json"];
    let a = run(&args);
    assert_eq!(a.status.code(), Some(0), "{}", text(&a.stderr));
    assert!(a.stderr.is_empty(), "no progress bar when stderr is not a terminal: {}", text(&a.stderr));
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    for key in [
        "system",
        "serving",
        "scenario",
        "seed",
        "requests",
        "completed",
        "rejected",
        "timed_out",
        "fallbacks",
        "throughput_rps",
        "prob_wait",
        "utilization",
        "cost_per_month",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    for key in ["mean", "p50", "p90", "p95", "p99", "p999", "max"] {
        assert!(v["latency_ms"][key].is_number(), "latency_ms.{key}");
    }
    for key in ["mean", "p50", "p99"] {
        assert!(v["wait_ms"][key].is_number(), "wait_ms.{key}");
    }
    assert_eq!(v["requests"], 50_000);
    assert_eq!(v["seed"], 42, "the scenario's seed");
    assert_eq!(v["stages"].as_array().unwrap().len(), 3);
    assert!(v["stages"][2]["service_time"].as_str().unwrap().contains("cost model"));
    assert!(v["slo"][0]["constraint"].as_str().unwrap().contains("p99"));
    assert!(v["slo"][0]["met"].is_boolean() && v["slo"][0]["value_ms"].is_number());
    for key in ["min", "max", "mean"] {
        assert!(v["replicas"][key].is_number());
    }
    assert!(v["timeline"].as_array().unwrap().len() > 10);
    let b = run(&args);
    assert_eq!(a.stdout, b.stdout, "same seed, same bytes");
    let c = run(&["simulate", FRAUD, "--requests", "50k", "--format", "json", "--seed", "43"]);
    assert_ne!(a.stdout, c.stdout, "another seed, other numbers");
}

#[test]
fn human_report_opens_with_the_verdict() {
    let o = run(&["simulate", FRAUD, "--requests", "20k"]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    let verdict = out.lines().nth(2).unwrap();
    assert!(verdict.starts_with("SLO met: p99"), "{out}");
    assert!(verdict.contains("/month"), "{verdict}");
}

#[test]
fn html_report_is_one_self_contained_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    let o = run(&["simulate", FRAUD, "--requests", "20k", "--format", "html", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("SLO met"), "the verdict is printed when writing a file");
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(html.matches("<svg").count() >= 6, "CDF, percentiles, throughput, utilisation, replicas, queue");
    for banned in ["<script", "<link", " src=", " href=", "url("] {
        assert!(!html.contains(banned), "fetches something: {banned}");
    }
    let md = run(&["simulate", FRAUD, "--requests", "20k", "--format", "markdown"]);
    assert!(text(&md.stdout).starts_with("# Load simulation: fraud_detection / online"));
}

#[test]
fn counts_take_suffixes_and_bad_options_are_usage_errors() {
    let o = run(&["simulate", FRAUD, "--requests", "2k", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["requests"], 2000);
    for bad in ["0", "lots", "1.5", "-4"] {
        let o = run(&["simulate", FRAUD, &format!("--requests={bad}")]);
        assert_eq!(o.status.code(), Some(2), "--requests {bad}");
        assert!(text(&o.stderr).contains("is not a count"), "{}", text(&o.stderr));
    }
    let o = run(&["simulate", FRAUD, "--scenario", "peek_day"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("did you mean `peak_day`?"), "{}", text(&o.stderr));
}

#[test]
fn specs_that_cannot_be_simulated_get_diagnostics() {
    let batch_only = "system churn {\n  problem { objective \"churn\"; task binary_classification }\n  constraints { throughput 10 rps }\n  serving nightly {\n    mode batch\n    schedule every 1d\n    stage score { latency 5ms }\n  }\n}\n";
    let (_d, path) = temp_spec(batch_only);
    let o = run(&["simulate", &path]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("error[E0501]") && err.contains("s.mlspec:4:11"), "{err}");
    let broken = batch_only.replace("throughput 10 rps", "throughput 0 rps");
    let (_d2, path) = temp_spec(&broken);
    let o = run(&["simulate", &path]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("error[E0304]"), "{}", text(&o.stderr));
    let o = run(&["simulate", "no/such/file.mlspec"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn capacity_answers_with_replicas_and_cost() {
    let o = run(&["capacity", FRAUD, "--requests", "50k", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["simulated"]["outcome"], "found");
    assert!(v["simulated"]["replicas"].as_u64().unwrap() >= 1);
    assert!(v["simulated"]["cost_per_month"].as_f64().unwrap() > 0.0);
    assert!(v["peak_rps"].as_f64().unwrap() > 1000.0, "the burst at 12h sets the peak");
    let human = run(&["capacity", FRAUD, "--requests", "50k"]);
    assert!(text(&human.stdout).contains("replicas meet every latency constraint"), "{}", text(&human.stdout));
}

#[test]
fn capacity_reports_an_infeasible_slo() {
    let spec = "system s {\n  problem { objective \"o\"; task regression }\n  constraints { latency p99 < 30ms; throughput 100 rps }\n  serving api {\n    mode realtime\n    stage score { latency lognormal(p50: 20ms, p99: 60ms) }\n    replicas 1..8\n  }\n}\n";
    let (_d, path) = temp_spec(spec);
    let o = run(&["capacity", &path]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert!(out.contains("INFEASIBLE") && out.contains("30 ms limit"), "{out}");
}

#[test]
fn runs_too_long_are_refused_unless_bounded() {
    let year = "system s {\n  problem { objective \"o\"; task regression }\n  serving api {\n    mode realtime\n    stage score { latency 5ms }\n    replicas 4\n  }\n  scenario year {\n    duration 365d\n    traffic poisson 1000 rps\n  }\n}\n";
    let (_d, path) = temp_spec(year);
    let o = run(&["simulate", &path]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("error[E0504]") && err.contains("3.2e10 requests"), "{err}");
    // A part of it, bounded on the command line, runs.
    let o = run(&["simulate", &path, "--requests", "10k", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = run(&["simulate", &path, "--requests", "5B"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("more than the 2e9"), "{}", text(&o.stderr));
}

#[test]
fn doc_with_simulation_adds_the_simulated_capacity_verdict() {
    let o = run(&["doc", FRAUD, "--with-simulation"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let doc = text(&o.stdout);
    let analytic = doc.find("**Capacity (analytic).**").expect("the analytic verdict");
    let simulated = doc.find("**Capacity (simulated, scenario `peak_day`).**").expect("the simulated verdict");
    assert!(simulated > analytic, "the simulated verdict follows the analytic one");
    assert!(doc[simulated..].contains("replicas meet every latency constraint"));
    let plain = text(&run(&["doc", FRAUD]).stdout);
    assert!(!plain.contains("(simulated"), "only with --with-simulation");
}
