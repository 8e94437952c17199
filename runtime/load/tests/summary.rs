//! `summarize`: a run against the in-process server of `common`, read back
//! as the report's figures and JSON keys.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{serve, Reply};
use mlspec_load::{run, summarize, Config, Context, Measured, Target};

/// 40 requests, 10 ms apart, over a 0.5 s window in 0.25 s steps; of the
/// eight bodies, two are answered 429, one 503 and the rest 200.
fn measured() -> Measured {
    let server = serve(|_, body, _| match body {
        b"{\"x\": 429}" => Reply::Status(429),
        b"{\"x\": 503}" => Reply::Status(503),
        _ => Reply::Status(200),
    });
    let bodies = ["{\"x\": 1}", "{\"x\": 429}", "{\"x\": 2}", "{\"x\": 3}", "{\"x\": 4}", "{\"x\": 429}", "{\"x\": 503}", "{\"x\": 5}"];
    let c = Config {
        target: Target::parse(&format!("http://{}/predict", server.addr), false).unwrap(),
        send_times: (0..40).map(|i| f64::from(i) / 100.0).collect(),
        bodies: bodies.iter().map(|b| b.as_bytes().to_vec()).collect(),
        headers: Vec::new(),
        connections: 4,
        request_timeout_s: 5.0,
        duration_s: 0.5,
        step_s: 0.25,
    };
    run(&c).unwrap()
}

fn context(limits_s: (f64, f64)) -> Context {
    Context {
        system: "fraud_detection".into(),
        serving: "online".into(),
        scenario: "constant".into(),
        url: "http://127.0.0.1/predict".into(),
        arrivals: "evenly at 80 rps".into(),
        seed: 7,
        duration_s: 0.5,
        slo: vec![("p99".into(), 0.99, limits_s.0), ("p50".into(), 0.5, limits_s.1)],
    }
}

#[test]
fn counts_rates_and_statuses_come_from_the_run() {
    let m = measured();
    let s = summarize(&m, &context((5.0, 5.0)));
    assert_eq!((s.requests, s.completed, s.errors, s.timed_out, s.unsent), (40, 25, 15, 0, 0), "{s:?}");
    assert_eq!(s.errors_by_status.iter().map(|(k, v)| (k.as_str(), *v)).collect::<Vec<_>>(), vec![("429", 10), ("503", 5)]);
    assert_eq!(s.first_transport_error, None);
    assert_eq!((s.measured_s, s.arrival_rate_rps, s.throughput_rps), (0.5, 80.0, 50.0));
    assert!(s.latency_ms.p50 > 0.0 && s.latency_ms.p50 <= s.latency_ms.p99 && s.latency_ms.p99 <= s.latency_ms.max, "{:?}", s.latency_ms);
    assert_eq!(s.timeline_step_s, 0.25);
    assert_eq!(s.timeline.len(), 2);
    assert_eq!(s.timeline.iter().map(|p| p.t_s).collect::<Vec<_>>(), vec![0.0, 0.25]);
    // 25 sent in the first step, 15 in the second (at 0.25 … 0.39 s).
    assert_eq!(s.timeline.iter().map(|p| p.arrivals_rps).collect::<Vec<_>>(), vec![100.0, 60.0]);
    assert_eq!(s.timeline.iter().map(|p| p.errors).sum::<u64>(), 15);
    let last = s.latency_cdf.last().copied().unwrap();
    assert_eq!((last.0, last.1), (s.latency_ms.max, 1.0));
    assert_eq!(s, summarize(&m, &context((5.0, 5.0))), "the same measurement, the same summary");
}

#[test]
fn json_has_simulate_keys() {
    let s = summarize(&measured(), &context((5.0, 5.0)));
    let v: serde_json::Value = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    for key in ["requests", "completed", "errors", "timed_out", "throughput_rps", "arrival_rate_rps", "slo_met"] {
        assert!(v.get(key).is_some(), "no `{key}` in {v}");
    }
    for key in ["mean", "p50", "p90", "p95", "p99", "p999", "max"] {
        assert!(v["latency_ms"][key].is_f64(), "no `latency_ms.{key}`");
    }
    assert_eq!(v["completed"], 25);
    assert_eq!(v["errors"], 15);
    assert_eq!(v["errors_by_status"]["429"], 10);
    assert_eq!(v["slo"][0]["constraint"], "latency p99 < 5 s");
    assert!(v.get("first_transport_error").is_none(), "absent when there was none");
    assert!(v["timeline"][0]["p99_ms"].is_f64());
}

#[test]
fn slo_verdicts_flip_with_the_limit() {
    let m = measured();
    let loose = summarize(&m, &context((5.0, 5.0)));
    assert!(loose.slo_met && loose.slo.iter().all(|r| r.met), "{:?}", loose.slo);
    assert_eq!(loose.slo[0].limit_ms, 5000.0);
    assert_eq!(loose.slo[0].value_ms, loose.latency_ms.p99);
    assert_eq!(loose.slo[1].value_ms, loose.latency_ms.p50);
    // p99 over a limit below any latency, p50 still met.
    let tight = summarize(&m, &context((1e-7, 5.0)));
    assert!(!tight.slo_met);
    assert_eq!(tight.slo.iter().map(|r| r.met).collect::<Vec<_>>(), vec![false, true]);
    assert_eq!(tight.slo[0].constraint, "latency p99 < 0 ms");
}

#[test]
fn no_2xx_answer_meets_no_slo() {
    let server = serve(|_, _, _| Reply::Status(503));
    let c = Config {
        target: Target::parse(&format!("http://{}/predict", server.addr), false).unwrap(),
        send_times: vec![0.0, 0.01, 0.02],
        bodies: vec![b"{}".to_vec()],
        headers: Vec::new(),
        connections: 1,
        request_timeout_s: 5.0,
        duration_s: 0.1,
        step_s: 0.1,
    };
    let s = summarize(&run(&c).unwrap(), &Context { duration_s: c.duration_s, ..context((5.0, 5.0)) });
    assert_eq!((s.requests, s.completed, s.errors), (3, 0, 3));
    assert!(!s.slo_met && s.slo.iter().all(|r| !r.met && r.value_ms == 0.0), "{:?}", s.slo);
    assert_eq!(s.timeline_step_s, 0.1, "one step: the window");
    assert!(s.latency_cdf.is_empty());
}

#[test]
fn transport_errors_are_errors_under_their_own_key() {
    // A port nothing listens on: bind, read the port, close.
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let c = Config {
        target: Target::parse(&format!("http://{addr}/predict"), false).unwrap(),
        send_times: vec![0.0, 0.01],
        bodies: vec![b"{}".to_vec()],
        headers: Vec::new(),
        connections: 1,
        request_timeout_s: 2.0,
        duration_s: 0.1,
        step_s: 0.1,
    };
    let s = summarize(&run(&c).unwrap(), &Context { duration_s: c.duration_s, ..context((5.0, 5.0)) });
    assert_eq!((s.requests, s.completed, s.errors), (2, 0, 2), "{s:?}");
    assert_eq!(s.errors_by_status.get("transport"), Some(&2));
    assert!(s.first_transport_error.is_some());
}
