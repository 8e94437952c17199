//! The reports of a measured run (`mlspec load`), from a hand-built summary.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mlspec_load::{Point, Summary};
use mlspec_report::{json, measured_html, measured_human, measured_markdown, measured_verdict};
use mlspec_sim::summary::{Quantiles, SloResult};
use std::collections::BTreeMap;

fn summary() -> Summary {
    let timeline = (0..60)
        .map(|i| Point {
            t_s: f64::from(i),
            arrivals_rps: 300.0,
            throughput_rps: 290.0,
            p50_ms: 11.0 + f64::from(i % 3),
            p99_ms: if i == 42 { 77.5 } else { 40.0 },
            errors: 2,
            timeouts: u64::from(i == 42),
        })
        .collect();
    Summary {
        system: "fraud_detection".into(),
        serving: "online".into(),
        scenario: "constant".into(),
        url: "http://127.0.0.1:8080/predict?a=1&b=<2>".into(),
        arrivals: "Poisson at 300 rps".into(),
        seed: 7,
        requests: 18_000,
        completed: 17_879,
        errors: 120,
        errors_by_status: BTreeMap::from([("429".to_string(), 100), ("503".to_string(), 15), ("transport".to_string(), 5)]),
        first_transport_error: Some("could not connect: connection refused".into()),
        timed_out: 1,
        unsent: 0,
        measured_s: 60.0,
        arrival_rate_rps: 300.0,
        throughput_rps: 297.983,
        latency_ms: Quantiles { mean: 13.2, p50: 12.345, p90: 20.1, p95: 25.0, p99: 41.875, p999: 70.5, max: 77.5 },
        slo: vec![
            SloResult { constraint: "latency p99 < 50 ms".into(), value_ms: 41.875, limit_ms: 50.0, met: true, windows: None },
            SloResult { constraint: "latency p50 < 10 ms".into(), value_ms: 12.345, limit_ms: 10.0, met: false, windows: None },
        ],
        slo_met: false,
        timeline_step_s: 1.0,
        timeline,
        latency_cdf: vec![(5.0, 0.1), (12.345, 0.5), (41.875, 0.99), (77.5, 1.0)],
    }
}

#[test]
fn the_verdict_words_slos_rates_and_errors() {
    let v = measured_verdict(&summary());
    assert!(v.starts_with("SLO MISSED: p99 41.9 ms ≤ 50 ms (8.12 ms to spare), p50 12.3 ms > 10 ms (over by 2.35 ms)"), "{v}");
    assert!(v.contains("298 rps answered 2xx of 300 rps sent"), "{v}");
    assert!(v.contains("0.7% of requests not answered 2xx (100 HTTP 429, 15 HTTP 503, 5 transport errors, 1 timed out)"), "{v}");
    let mut met = summary();
    met.slo.truncate(1);
    met.slo_met = true;
    assert!(measured_verdict(&met).starts_with("SLO met: p99 41.9 ms ≤ 50 ms"));
    let mut none = summary();
    none.completed = 0;
    assert!(measured_verdict(&none).starts_with("SLO MISSED: no 2xx answer"));
}

#[test]
fn every_format_has_the_figures() {
    let s = summary();
    let human = measured_human(&s);
    let md = measured_markdown(&s);
    let html = measured_html(&s);
    let verdict = measured_verdict(&s);
    assert_eq!(
        human.lines().next(),
        Some("fraud_detection · serving `online` · http://127.0.0.1:8080/predict?a=1&b=<2> · Poisson at 300 rps · seed 7 · 1m measured")
    );
    assert_eq!(human.lines().nth(2), Some(verdict.as_str()));
    assert!(md.starts_with("# Load measurement: fraud_detection / online\n"), "{md}");
    assert!(md.contains(&format!("**{verdict}**")));
    for page in [&human, &md, &html] {
        for figure in ["12.345", "41.875", "17,879", "18,000", "429", "503", "transport"] {
            assert!(page.contains(figure), "no {figure} in\n{page}");
        }
    }
    // The SLO table: measured against the limit, met or not.
    assert!(human.contains("latency p50 < 10 ms") && human.contains("12.345 ms"), "{human}");
    assert!(md.contains("| constraint | measured | limit | met |"), "{md}");
    assert!(md.contains("| `latency p50 < 10 ms` | 12.345 ms | 10 ms | **no** |"), "{md}");
    assert!(md.contains("| `latency p99 < 50 ms` | 41.875 ms | 50 ms | yes |"), "{md}");
    assert!(md.contains("| sent | 2xx | errors | HTTP 429 | HTTP 503 | transport | timed out | unsent |"), "{md}");
    assert!(md.contains("| 18,000 | 17,879 | 120 | 100 | 15 | 5 | 1 | 0 |"), "{md}");
    assert!(md.contains("| mean | p50 | p90 | p95 | p99 | p99.9 | max |"), "{md}");
    // 60 steps merge 3 to a row: the worst p99 of a row shows, and its timeout.
    assert!(md.contains("| 42s | 300 | 290 | 13 | 77.5 | 6 | 1 |"), "{md}");
    assert!(md.contains("Each row merges 3 steps of 1s"), "{md}");
    assert!(md.contains("First transport error: could not connect"), "{md}");
    assert!(html.contains("<div class=\"verdict bad\">SLO MISSED"), "{html}");
    assert!(html.contains("<h2>Timeline</h2>") && html.contains("<h2>Requests</h2>"));
}

#[test]
fn the_page_is_self_contained_and_escaped() {
    let html = measured_html(&summary());
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    assert_eq!(html.matches("<html").count(), 1);
    assert!(html.contains("<title>Load measurement: fraud_detection / online</title>"));
    assert!(html.matches("<svg").count() >= 3, "CDF, percentiles, throughput");
    assert!(html.contains("Latency CDF") && html.contains("Latency percentiles"));
    for banned in ["<script", "<link", " src=", " href=", "url(", "<2>"] {
        assert!(!html.contains(banned), "fetches or leaks something: {banned}");
    }
    assert!(html.contains("<code>http://127.0.0.1:8080/predict?a=1&amp;b=&lt;2&gt;</code>"));
}

#[test]
fn the_same_summary_gives_the_same_bytes() {
    let (a, b) = (summary(), summary());
    assert_eq!(measured_human(&a), measured_human(&b));
    assert_eq!(measured_markdown(&a), measured_markdown(&b));
    assert_eq!(measured_html(&a), measured_html(&b));
    assert_eq!(json(&a), json(&b));
}

#[test]
fn json_uses_simulate_keys() {
    let v: serde_json::Value = serde_json::from_str(&json(&summary())).unwrap();
    assert_eq!(v["latency_ms"]["p50"], 12.345);
    assert_eq!(v["latency_ms"]["p99"], 41.875);
    assert_eq!((v["completed"].as_u64(), v["errors"].as_u64(), v["requests"].as_u64()), (Some(17_879), Some(120), Some(18_000)));
    assert_eq!(v["errors_by_status"]["429"], 100);
    assert_eq!(v["slo"][1]["met"], false);
}

#[test]
fn a_run_without_slo_or_errors_reads_cleanly() {
    let mut s = summary();
    s.slo.clear();
    s.slo_met = true;
    s.errors = 0;
    s.errors_by_status.clear();
    s.first_transport_error = None;
    s.timed_out = 0;
    s.completed = s.requests;
    let v = measured_verdict(&s);
    assert_eq!(v, "No latency SLO declared; 298 rps answered 2xx of 300 rps sent");
    let human = measured_human(&s);
    assert!(human.contains("  answered     18,000 2xx; 0 errors; 0 timed out\n"), "{human}");
    assert!(!human.contains("transport"));
    assert!(measured_html(&s).contains("<div class=\"verdict ok\">"));
}
