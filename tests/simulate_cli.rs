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
    // The count is the fewest that meet the SLO, one spare for the
    // availability target, and the autoscaler's count, each said.
    let replicas = v["simulated"]["replicas"].as_u64().unwrap();
    let meets = v["simulated"]["meets_slo"].as_u64().unwrap();
    let sizing = &v["sizing"];
    assert_eq!(sizing["replicas"].as_u64(), Some(replicas));
    assert_eq!(sizing["base"].as_u64(), Some(meets));
    assert_eq!(sizing["spare"].as_u64(), Some(1), "fraud declares availability 99.9%");
    let autoscale = sizing["autoscale"].as_u64().unwrap();
    assert_eq!(replicas, (meets + 1).max(autoscale), "{sizing}");
    assert_eq!(sizing["rules"].as_array().map(Vec::len), Some(3), "{sizing}");
    // The fleet one smaller than the SLO's is shown, and it misses.
    let below = &v["simulated"]["below"];
    assert_eq!(below["replicas"].as_u64(), Some(meets - 1), "{below}");
    assert_eq!(below["met"], false);
    let human = run(&["capacity", FRAUD, "--requests", "50k"]);
    let out = text(&human.stdout);
    assert!(out.contains(&format!("{replicas} replicas at the peak of ")), "{out}");
    assert!(out.contains(&format!("{meets} meet every latency constraint (simulated")), "{out}");
    assert!(out.contains(&format!("; {} miss: p", meets - 1)) && out.contains(" ms > "), "{out}");
    // The trials table has its titles, one column per constraint, lined up under them.
    let lines: Vec<&str> = out.lines().skip_while(|l| !l.trim_start().starts_with("trials (")).skip(1).collect();
    let titles = lines.first().copied().unwrap_or_default();
    assert_eq!(titles.split_whitespace().collect::<Vec<_>>(), ["replicas", "verdict", "p99", "p50", "busy"], "{out}");
    assert!(lines.len() > 2 && lines.iter().all(|l| l.len() == titles.len() && !l.ends_with(' ')), "{out}");
    assert!(lines.iter().any(|l| l.contains(&format!(" {meets}  meets "))), "{out}");
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
fn a_calm_month_runs_the_monitors_and_counts_their_false_alarms() {
    let fraud = std::fs::read_to_string(FRAUD).unwrap();
    let calm: String = fraud
        .lines()
        .filter(|l| !["drift transactions.", "concept_drift", "prior_shift"].iter().any(|d| l.trim_start().starts_with(d)))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .replacen("duration 24h", "duration 30d", 1);
    let (_d, path) = temp_spec(&calm);
    // The month's load is too large for one run; the help names the way out.
    let o = run(&["simulate", &path]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("error[E0504]") && text(&o.stderr).contains("`--only drift`"), "{}", text(&o.stderr));
    let o = run(&["simulate", &path, "--only", "drift", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let drift = &report["drift"];
    assert_eq!(drift["events"].as_array().unwrap().len(), 0);
    let monitors = drift["monitors"].as_array().unwrap();
    let checks: u64 = monitors.iter().map(|m| m["values"].as_array().unwrap().len() as u64).sum();
    let alerts: u64 = monitors.iter().map(|m| m["alerts_hours"].as_array().unwrap().len() as u64).sum();
    assert_eq!(drift["checks_before_drift"].as_u64(), Some(checks));
    assert_eq!(drift["false_alarms"].as_u64(), Some(alerts), "every alert of a calm run is a false alarm");
    assert_eq!(
        monitors.iter().find(|m| m["statistic"] == "psi").map(|m| m["values"].as_array().unwrap().len()),
        Some(720),
        "hourly for 30 days"
    );
    // Without `--only`, a calm day watched by monitors runs both parts.
    let (_d, day) = temp_spec(&calm.replacen("duration 30d", "duration 24h", 1));
    let o = run(&["simulate", &day, "--requests", "20k"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("Drift: none declared (a calm run); ") && out.contains(" monitor checks"), "{out}");
    assert!(out.lines().any(|l| l.trim_start().starts_with("monitor ") && l.contains("false alarms")), "{out}");
}

#[test]
fn reports_put_requests_the_model_did_not_answer_down_to_their_causes() {
    let fraud = std::fs::read_to_string(FRAUD).unwrap();
    let early = fraud.replacen("outage lookup at 6h for 5m", "outage lookup at 5m for 2m", 1).replacen(
        "burst 5x at 12h for 10m",
        "burst 2x at 3m for 1m",
        1,
    );
    let (_d, path) = temp_spec(&early);
    let o = run(&["simulate", &path, "--only", "load", "--requests", "1M", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let failed = v["failed_in_outage"].as_u64().unwrap();
    assert!(failed > 0 && failed + v["timed_out"].as_u64().unwrap() == v["fallbacks"].as_u64().unwrap(), "{v}");
    assert_eq!(v["outages"], serde_json::json!([{"stage": "lookup", "from_s": 300.0, "to_s": 420.0}]));
    let cause = format!(
        "Not answered by the model: {} reached a stage while it was down (`lookup` down at 5m for 2m)",
        mlspec_report::group(failed)
    );
    for format in ["human", "markdown", "html"] {
        let o = run(&["simulate", &path, "--only", "load", "--requests", "1M", "--format", format]);
        let out = text(&o.stdout);
        let out = if format == "html" { out.replace("<code>", "`").replace("</code>", "`") } else { out };
        assert!(out.contains(&cause), "{format}: {out}");
        assert!(out.contains("1,000 rps at the trough, 3,000 at the peak (19h); burst 2x at 3m for 1m"), "{format}: {out}");
        // SLO compliance window by window, beside the whole run's figure.
        let windows = if format == "human" { "SLO          per 5s window: p99 met in " } else { "windows met" };
        assert!(out.contains(windows), "{format}: {out}");
        if format == "html" {
            // Every chart over time marks the outage and the burst.
            let charts = out.matches("<svg").count() - 1; // less the latency CDF
            assert_eq!(out.matches("outage of lookup (2m)").count(), charts, "{out}");
            assert_eq!(out.matches("burst 2x (1m)").count(), charts, "{out}");
        }
    }
    // Events after a bounded run's end are not drawn (they would stretch the time axis).
    let o = run(&["simulate", FRAUD, "--only", "load", "--requests", "100k", "--format", "html"]);
    let out = text(&o.stdout);
    assert!(!out.contains("outage of lookup (5m)") && !out.contains("burst 5x (10m)"), "{out}");
}

#[test]
fn doc_with_simulation_adds_the_simulated_capacity_verdict() {
    let o = run(&["doc", FRAUD, "--with-simulation"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let doc = text(&o.stdout);
    // The capacity sentence is the one `capacity` prints, in every document.
    let cap = text(&run(&["capacity", FRAUD]).stdout);
    let sentence = cap.lines().nth(2).and_then(|l| l.split(". The count costs").next()).unwrap_or_default();
    assert!(sentence.contains("replicas at the peak of") && sentence.contains("meet every latency constraint"), "{cap}");
    let verdict = doc.find("**Capacity (simulated).**").expect("the simulated sizing");
    assert!(doc[verdict..].contains(sentence), "{doc}");
    let trials = doc.find("**Capacity trials (simulated, scenario `peak_day`).**").expect("the trials");
    assert!(trials > verdict && doc[trials..].contains(" meet, "), "the trials follow the sizing");
    let plain = text(&run(&["doc", FRAUD]).stdout);
    assert!(plain.contains(sentence), "the same sizing without --with-simulation");
    assert!(!plain.contains("Capacity trials"), "trials only with --with-simulation");
}

/// The drift part of `simulate` on the fraud example: which monitor caught
/// each drift, how late, and the quality with and without retraining.
#[test]
fn drift_part_says_what_was_caught_when_and_by_which_monitor() {
    let o = run(&["simulate", FRAUD, "--only", "drift", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.get("requests").is_none(), "--only drift has no load part");
    let drift = &v["drift"];
    assert_eq!(drift["data"]["entity"], "transactions");
    assert_eq!(drift["data"]["rows_per_day"], 10_000);
    let events = drift["events"].as_array().unwrap();
    assert_eq!(events.len(), 4, "shift, mix, concept drift, prior shift");
    // The merchant mix from 10d is caught by the daily chi-square monitor at its first check after 10d.
    let mix = &events[1];
    assert_eq!(mix["from_hours"], 240.0);
    assert_eq!(mix["detected_by"], "drift merchant using chi2 p < 0.01 every 1d");
    assert_eq!(mix["detection_delay_hours"], 24.0);
    // Labels arrive 30 days late: the concept drift cannot be seen in a 27-day run.
    let concept = &events[2];
    assert!(concept["detected_by"].is_null());
    assert!(concept["note"].as_str().unwrap().contains("labels arrive 30d after the event"), "{concept}");
    // No drift monitor watches the label.
    assert!(events[3]["note"].as_str().unwrap().contains("no drift monitor watches the label transactions.is_fraud"));
    for m in drift["monitors"].as_array().unwrap() {
        for key in ["monitor", "feature", "statistic", "threshold", "values", "alerts_hours"] {
            assert!(m.get(key).is_some(), "monitor field {key}");
        }
    }
    assert!(drift["false_alarms"].is_u64());
    let quality = &v["quality"];
    assert_eq!(quality["model"], "gbdt");
    assert!(quality["method"].as_str().unwrap().contains("stand-in"), "named as a stand-in");
    let timeline = quality["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 27, "one point a day");
    for key in ["hour", "metric", "value", "model", "retrained", "without_retraining", "cost_per_1000"] {
        assert!(timeline[5].get(key).is_some(), "timeline field {key}");
    }
    assert_eq!(quality["retrains"].as_array().unwrap().len(), 3, "retrain every 7d over 27 days");
    assert!(quality["offline"][1]["metrics"][0]["met"].is_boolean());
    assert!(quality["cost"]["per_1000_with_retraining"].is_number());
    let again = run(&["simulate", FRAUD, "--only", "drift", "--format", "json"]);
    assert_eq!(o.stdout, again.stdout, "same seed, same bytes");
}

#[test]
fn one_report_has_both_parts_and_a_drift_only_spec_gets_its_drift_part() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("both.html");
    let o = run(&["simulate", FRAUD, "--requests", "20k", "--format", "html", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let verdict = text(&o.stderr);
    assert!(verdict.contains("SLO met") && verdict.contains("Drift: 1 of 4 drift events caught"), "{verdict}");
    let html = std::fs::read_to_string(&out).unwrap();
    for heading in ["Load and latency", "When each drift was caught", "Model quality over time", "Offline metrics"] {
        assert!(html.contains(heading), "missing {heading}");
    }
    // 6 load charts, one per drift and performance monitor, quality and cost.
    assert!(html.matches("<svg").count() >= 6 + 3 + 2);
    let human = text(&run(&["simulate", FRAUD, "--requests", "20k"]).stdout);
    assert!(human.contains("Drift and model quality") && human.contains("not caught within the run"));
    // Every drift table has its column titles, and no line ends in spaces.
    for titles in ["drift  ", "monitor  ", "model  ", "at  "] {
        assert!(human.lines().any(|l| l.trim_start().starts_with(titles)), "no `{titles}` title row:\n{human}");
    }
    assert!(human.lines().filter(|l| l.contains("first alert")).all(|l| l.contains("before any drift")), "{human}");
    assert!(!human.lines().any(|l| l.ends_with(' ')), "{human}");
    let load_only = run(&["simulate", FRAUD, "--requests", "20k", "--only", "load", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&load_only.stdout).unwrap();
    assert!(v.get("drift").is_none() && v["requests"] == 20_000);

    // No realtime serving: the drift part alone, without an error.
    let spec = "system churn {\n  problem { objective \"churn\"; task binary_classification; target users.churned }\n  source users {\n    kind stream\n    schema {\n      id: id key\n      ts: timestamp event_time\n      spend: float dist normal(mean: 50, sd: 5)\n      churned: bool label\n    }\n  }\n  features { spend_value = users.spend }\n  model lr { kind logistic_regression; features [spend_value] }\n  serving nightly { mode batch; schedule every 1d; stage score { model lr } }\n  monitors { drift spend_value using ks p < 0.01 every 1d }\n  scenario s {\n    duration 3d\n    drift users.spend shift mean +20% from 1d\n  }\n}\n";
    let (_d, path) = temp_spec(spec);
    let o = run(&["simulate", &path, "--format", "json", "--rows-per-day", "2k"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.get("requests").is_none());
    assert_eq!(v["drift"]["data"]["rows_per_day"], 2000);
    assert_eq!(v["drift"]["events"][0]["detection_delay_hours"], 24.0, "+20% of 50 is two sd: caught at the first daily check");
    for bad in [["--rows-per-day", "0"], ["--rows-per-day", "lots"], ["--days", "0"], ["--days", "400"], ["--rows-per-day", "10M"]] {
        let o = run(&["simulate", &path, bad[0], bad[1]]);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
    }
}

/// `simulate` prints the replica count `capacity` finds for the same run, in
/// every format.
#[test]
fn simulate_and_capacity_read_one_replica_count() {
    let spec = "system s {\n  problem { objective \"o\"; task regression }\n  constraints { latency p99 < 60ms; availability 99.9% }\n  serving api {\n    mode realtime\n    stage score { latency exponential(mean: 10ms) }\n    replicas 1..40\n    concurrency 2\n    autoscale cpu 60%\n  }\n  scenario busy {\n    traffic poisson 400 rps\n    requests 40k\n    seed 3\n  }\n}\n";
    let (_d, path) = temp_spec(spec);
    let cap: serde_json::Value = serde_json::from_slice(&run(&["capacity", &path, "--format", "json"]).stdout).unwrap();
    let sim = run(&["simulate", &path, "--format", "json"]);
    assert_eq!(sim.status.code(), Some(0), "{}", text(&sim.stderr));
    let sim: serde_json::Value = serde_json::from_slice(&sim.stdout).unwrap();
    assert_eq!(sim["capacity"], cap["sizing"], "one sizing");
    // 400 rps × 10 ms ÷ 2 = 2 busy replicas: ÷ 60% → 4 for the autoscaler.
    assert_eq!(cap["sizing"]["autoscale"].as_u64(), Some(4), "{}", cap["sizing"]);
    let replicas = cap["simulated"]["replicas"].as_u64().unwrap();
    for format in ["human", "markdown", "html"] {
        let out = text(&run(&["simulate", &path, "--format", format]).stdout);
        let scenario = if format == "html" { "<code>busy</code>" } else { "`busy`" };
        assert!(out.contains(&format!("Capacity: {replicas} replicas at the peak of 400 rps (scenario {scenario})")), "{format}: {out}");
    }
}

const MMC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/replications/mmc.mlspec");
/// The line a single run adds to the text formats.
const ONE_RUN: &str = "One run (seed 7); `--replications N` gives 95% intervals.\n";

fn json(args: &[&str]) -> serde_json::Value {
    let o = run(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// A figure's value at a dotted path (`latency_ms.p99`, `slo.0.value_ms`).
fn at_path<'a>(v: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    path.split('.').fold(v, |v, key| match key.parse::<usize>() {
        Ok(i) => &v[i],
        Err(_) => &v[key],
    })
}

/// A report without the capacity count, which came after the fixtures were
/// written (`simulate_and_capacity_read_one_replica_count` tests it): the
/// JSON's `capacity` key, the text formats' `Capacity:` paragraph.
fn without_capacity(out: &str, format: &str) -> String {
    if format == "json" {
        // The key's lines cut out, from `  "capacity": {` to the `  }` that
        // closes it at the same depth, with the comma that joined it to the
        // key before (it is the last key); serialising again would sort keys.
        let start = out.find(",\n  \"capacity\": {\n").expect("the capacity count is the JSON's last key");
        let end = out[start..].find("\n  }\n}").map(|e| start + e + "\n  }".len()).expect("its end");
        return format!("{}{}", &out[..start], &out[end..]);
    }
    let at = out.find("\n\nCapacity: ").expect("the capacity paragraph");
    let end = out[at + 2..].find('\n').map_or(out.len(), |e| at + 2 + e);
    format!("{}{}", &out[..at], &out[end..])
}

/// `tests/replications/mmc.2k.*` were written by the binary before
/// `--replications` existed: one replication (the default, or given) is
/// that report byte for byte, the text formats with one line more (and
/// without the capacity count, added since).
#[test]
fn one_replication_is_the_report_of_before() {
    for (format, added) in [("json", ""), ("human", ONE_RUN), ("markdown", &format!("{ONE_RUN}\n") as &str)] {
        let before = std::fs::read_to_string(format!("{}/tests/replications/mmc.2k.{format}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        for extra in [&[][..], &["--replications", "1"][..]] {
            let mut args = vec!["simulate", MMC, "--requests", "2k", "--format", format];
            args.extend(extra);
            let o = run(&args);
            assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
            let out = without_capacity(&text(&o.stdout), format);
            if added.is_empty() {
                assert_eq!(out, before, "{format} {extra:?}");
            } else {
                assert_eq!(out.matches(added).count(), 1, "{format}: one line says how to get intervals:\n{out}");
                assert_eq!(out.replacen(added, "", 1), before, "{format} {extra:?}");
            }
        }
    }
    for bad in ["0", "1001", "-1", "many"] {
        let o = run(&["simulate", MMC, &format!("--replications={bad}")]);
        assert_eq!(o.status.code(), Some(2), "--replications {bad}");
    }
    assert!(text(&run(&["simulate", MMC, "--replications", "1001"]).stderr).contains("--replications: give 1 to 1,000 replications"));
}

/// The replications' seeds depend on the seed and the index alone, and
/// they come back in index order: one thread or two, the same bytes, for
/// the load part and for the drift part.
#[test]
fn replications_give_the_same_bytes_on_one_thread_and_on_two() {
    let with_threads = |threads: &str, args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_mlspec")).args(args).env("RAYON_NUM_THREADS", threads).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        o.stdout
    };
    for args in [
        &["simulate", MMC, "--requests", "5k", "--replications", "7", "--format", "json"][..],
        &["simulate", FRAUD, "--requests", "5k", "--replications", "3", "--rows-per-day", "2k", "--format", "json"][..],
    ] {
        let one = with_threads("1", args);
        assert_eq!(one, with_threads("2", args), "{args:?}");
        let v: serde_json::Value = serde_json::from_slice(&one).unwrap();
        assert!(v["replications"].as_u64().unwrap() > 1 && v["intervals"]["latency_ms.p99"].is_array(), "{args:?}");
    }
}

/// Statistics: the half-width of a t interval is t(n − 1) × s / √n. The
/// widths of `latency_ms.mean` averaged over 8 runs of 5 replications and
/// over 8 runs of 20 (other seeds) should then stand in the ratio
/// (t19 × c4(20) / √20) / (t4 × c4(5) / √5) = 0.396, c4 being the bias of
/// s. With each replication's mean latency near normal (20,000 requests of
/// an M/M/4 at ρ = 0.8), the ratio falls outside [0.25, 0.70] with
/// probability 1.9e-4 + 1.9e-4 (two million draws of that model): a
/// false-failure rate of about 4e-4. A √n mistake gives 0.20 (n for √n)
/// or 0.79 (no √n). The seeds were not chosen to pass.
#[test]
fn intervals_bracket_the_figures_and_shrink_with_more_replications() {
    let v = json(&["simulate", MMC, "--replications", "5", "--format", "json"]);
    assert_eq!(v["replications"], 5);
    let intervals = v["intervals"].as_object().unwrap();
    for path in [
        "latency_ms.mean",
        "latency_ms.p50",
        "latency_ms.p99",
        "wait_ms.mean",
        "prob_wait",
        "utilization",
        "throughput_rps",
        "slo.0.value_ms",
        "slo.0.windows.met",
        "replicas.mean",
        "cost_per_month",
        "fallbacks",
        "timed_out",
        "rejected",
    ] {
        let [lo, hi] = [0, 1].map(|i| intervals[path][i].as_f64().unwrap_or_else(|| panic!("{path}: {}", intervals[path])));
        let figure = at_path(&v, path).as_f64().unwrap();
        assert!(lo <= figure && figure <= hi, "{path}: {figure} outside [{lo}, {hi}]");
    }
    let width = |n: &str, seed: u64| {
        let v = json(&["simulate", MMC, "--replications", n, "--seed", &seed.to_string(), "--format", "json"]);
        let i = &v["intervals"]["latency_ms.mean"];
        i[1].as_f64().unwrap() - i[0].as_f64().unwrap()
    };
    let mean = |n: &str, seeds: std::ops::Range<u64>| seeds.clone().map(|s| width(n, s)).sum::<f64>() / seeds.count() as f64;
    let ratio = mean("20", 101..109) / mean("5", 1..9);
    assert!((0.25..=0.70).contains(&ratio), "width at 20 replications / width at 5 = {ratio}, expected about 0.40");
}

/// Every format shows the intervals and says how they were made; a limit
/// inside the interval is not settled.
#[test]
fn every_format_shows_the_intervals() {
    let args = |format: &'static str| ["simulate", MMC, "--requests", "2k", "--replications", "5", "--format", format];
    let v = json(&args("json"));
    let [lo, hi] = [0, 1].map(|i| v["intervals"]["latency_ms.p99"][i].as_f64().unwrap());
    let method = "Means of 5 independent replications (seed 7 and 4 seeds derived from it), each with its 95% Student t interval";
    for format in ["human", "markdown", "html"] {
        let out = text(&run(&args(format)).stdout);
        assert!(out.contains(method), "{format}: {out}");
        assert!(out.contains(&format!("[{lo}, {hi}]")), "{format}: the p99's interval [{lo}, {hi}]:\n{out}");
        assert!(out.contains("SLO met: p99 67.2 ms [56.9, 77.4] ≤ 100 ms"), "{format}: {out}");
        assert!(!out.contains("--replications N"), "{format}");
    }
    // A limit inside the interval: the verdict says it is not settled.
    let spec = std::fs::read_to_string(MMC).unwrap().replace("latency p99 < 100ms", "latency p99 < 70ms");
    let (_d, path) = temp_spec(&spec);
    let out = text(&run(&["simulate", &path, "--requests", "2k", "--replications", "5"]).stdout);
    assert!(
        out.contains(
            "p99 67.2 ms [56.9, 77.4] ≤ 70 ms (2.85 ms to spare; the 95% interval straddles the limit: not settled at 5 replications)"
        ),
        "{out}"
    );
    // The drift part: detection delays, false alarms and the quality at the end.
    let out = text(&run(&["simulate", FRAUD, "--requests", "5k", "--replications", "3", "--rows-per-day", "2k"]).stdout);
    assert!(out.contains("replications)") && out.contains(" false alarms") && out.contains("Means of 3 independent replications"), "{out}");
    let v = json(&["simulate", FRAUD, "--only", "drift", "--replications", "3", "--rows-per-day", "2k", "--format", "json"]);
    let iv = v["intervals"].as_object().unwrap();
    for path in ["drift.false_alarms", "quality.ends.start", "quality.ends.end_with_retraining", "quality.ends.end_without_retraining"] {
        assert!(iv.contains_key(path), "{path}: {iv:?}");
        let figure = at_path(&v, path).as_f64().unwrap();
        assert!(iv[path][0].as_f64().unwrap() <= figure && figure <= iv[path][1].as_f64().unwrap(), "{path}");
    }
    assert_eq!(v["drift"]["events"][1]["caught_in"], 3, "the merchant mix is caught in every replication");
    assert!(iv.contains_key("drift.events.1.detection_delay_hours"));
}
