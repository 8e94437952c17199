//! `mlspec load`, `mlspec calibrate` and `--calibration` from the command
//! line: what they refuse before sending anything, a run against a small
//! server, and a calibrated simulation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};

const FRAUD: &str = "specs/fraud_detection.mlspec";

fn mlspec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlspec")).args(args).env("NO_COLOR", "1").output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A file in a new temporary folder.
fn file(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path.to_string_lossy().into_owned())
}

/// A keep-alive HTTP server on a free port that answers every POST with a
/// small JSON body and every GET with 404; runs until the test ends.
fn server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Ok(n) = s.read(&mut chunk) else { return };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    // Answer each complete request (head + content-length body).
                    while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                            .unwrap_or(0);
                        if buf.len() < end + 4 + length {
                            break;
                        }
                        buf.drain(..end + 4 + length);
                        let answer: &[u8] = if head.starts_with("post") {
                            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 15\r\n\r\n{\"score\": 0.5}\n"
                        } else {
                            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"
                        };
                        if s.write_all(answer).is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    port
}

#[test]
fn load_refuses_what_it_cannot_send_before_sending_anything() {
    let (_d, bodies) = file("b.jsonl", "{\"amount\": 1}\n");
    let remote = mlspec(&["load", FRAUD, "--url", "http://10.1.2.3:8000/v1/score", "--bodies", &bodies]);
    assert_eq!(remote.status.code(), Some(2));
    assert!(stderr(&remote).contains("--allow-remote"), "{}", stderr(&remote));
    let no_bodies = mlspec(&["load", FRAUD, "--url", "http://127.0.0.1:9/v1/score"]);
    assert_eq!(no_bodies.status.code(), Some(2));
    assert!(stderr(&no_bodies).contains("--bodies"), "{}", stderr(&no_bodies));
    let (_d2, bad) = file("bad.jsonl", "{\"amount\": 1}\nnot json\n");
    let bad_line = mlspec(&["load", FRAUD, "--url", "http://127.0.0.1:9/v1/score", "--bodies", &bad]);
    assert_eq!(bad_line.status.code(), Some(2));
    assert!(stderr(&bad_line).contains("line 2"), "{}", stderr(&bad_line));
    let https = mlspec(&["load", FRAUD, "--url", "https://127.0.0.1/v1/score", "--bodies", &bodies]);
    assert_eq!(https.status.code(), Some(2));
    assert!(stderr(&https).contains("https is not supported"), "{}", stderr(&https));
}

#[test]
fn a_server_that_answers_nothing_is_a_refusal_not_a_report() {
    // Nothing listens on a port just freed.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (_d, bodies) = file("b.jsonl", "{\"amount\": 1}\n");
    let url = format!("http://127.0.0.1:{port}/v1/score");
    let o = mlspec(&["load", FRAUD, "--url", &url, "--bodies", &bodies, "--rate", "50", "--seconds", "0.5", "--timeout", "1"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("no answer"), "{}", stderr(&o));
}

#[test]
fn load_measures_a_server_and_reports_with_simulate_keys() {
    let port = server();
    let (_d, bodies) = file("b.jsonl", "{\"amount\": 1}\n{\"amount\": 2}\n");
    let url = format!("http://127.0.0.1:{port}/v1/score");
    let o = mlspec(&["load", FRAUD, "--url", &url, "--bodies", &bodies, "--rate", "200", "--seconds", "1", "--format", "json"]);
    // The spec's p99 < 100 ms holds against this server.
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["system"], "fraud_detection");
    assert_eq!(r["scenario"], "constant");
    let completed = r["completed"].as_u64().unwrap();
    // Poisson at 200 rps for 1 s: 200 expected; 5 sigma is about 70.
    assert!((130..=270).contains(&completed), "{completed}");
    assert_eq!(r["requests"].as_u64().unwrap(), completed);
    assert_eq!(r["errors"], 0);
    assert!(r["latency_ms"]["p50"].as_f64().unwrap() > 0.0);
    assert!(r["latency_ms"]["p99"].as_f64().unwrap() >= r["latency_ms"]["p50"].as_f64().unwrap());
    assert_eq!(r["slo_met"], true);
    let human = mlspec(&["load", FRAUD, "--url", &url, "--bodies", &bodies, "--rate", "100", "--seconds", "0.5"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("fraud_detection") && text.contains("p99"), "{text}");
    // Evenly spaced, as constant-rate tools send: exactly rate × seconds.
    let even =
        ["load", FRAUD, "--url", &url, "--bodies", &bodies, "--rate", "200", "--spacing", "even", "--seconds", "1", "--format", "json"];
    let o = mlspec(&even);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["requests"], 200);
    assert!(r["arrivals"].as_str().unwrap().contains("evenly spaced at 200 rps"), "{}", r["arrivals"]);
    let o = mlspec(&["load", FRAUD, "--url", &url, "--bodies", &bodies, "--spacing", "even"]);
    assert_eq!(o.status.code(), Some(2), "--spacing needs --rate: {}", stderr(&o));
}

#[test]
fn calibrate_refuses_a_server_that_is_not_the_generated_one() {
    let port = server();
    let (dir, bodies) = file("b.jsonl", "{\"amount\": 1}\n");
    let out = dir.path().join("cal.json");
    let url = format!("http://127.0.0.1:{port}/v1/score");
    let o = mlspec(&["calibrate", FRAUD, "--url", &url, "--bodies", &bodies, "--out", out.to_str().unwrap(), "--seconds", "2"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("/metrics"), "{}", stderr(&o));
    assert!(!out.exists(), "nothing is written when the calibration fails");
}

/// A calibration file of the fraud example's serving, as `calibrate` writes it.
fn calibration(system: &str) -> String {
    let outside: Vec<String> = (0..200).map(|i| format!("{:.3}", 1.0 + f64::from(i) / 100.0)).collect();
    format!(
        r#"{{
  "format": "mlspec-calibration",
  "version": 2,
  "system": "{system}",
  "serving": "online",
  "url": "http://127.0.0.1:8000/v1/score",
  "processes": 1,
  "phases": [],
  "stages": [],
  "model": {{
    "request_ms": 0.5,
    "request_wake_ms": 0.7,
    "batch_ms": 1.5,
    "per_item_ms": 0.15,
    "batch_wake_ms": 0.3,
    "handback_ms": 0.3,
    "batch_sigma": 0.4,
    "batch_threads": 2,
    "batch_size": 16,
    "batch_wait_ms": 2.0,
    "outside_ms": [{}],
    "cache_hit": 0.0
  }}
}}
"#,
        outside.join(", ")
    )
}

#[test]
fn simulate_and_capacity_run_on_a_calibration() {
    let (_d, cal) = file("cal.json", &calibration("fraud_detection"));
    let args = [
        "simulate",
        FRAUD,
        "--calibration",
        &cal,
        "--rate",
        "300",
        "--replicas",
        "1",
        "--processes",
        "1",
        "--requests",
        "20k",
        "--only",
        "load",
    ];
    let o = mlspec(&[&args[..], &["--format", "json"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(r["calibration"].as_str().unwrap().contains("cal.json"), "{}", r["calibration"]);
    let stages: Vec<&str> = r["stages"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(stages, ["request", "outside", "batch"]);
    assert_eq!(r["replicas"]["max"], 1);
    // 300 rps on one process of these costs: well below its capacity, so a
    // request takes about its own costs, the batch wait and the outside time.
    let p50 = r["latency_ms"]["p50"].as_f64().unwrap();
    assert!(p50 > 5.0 && p50 < 15.0, "p50 {p50}");
    // The interpreter's busy share and batches, to read beside the server's
    // CPU time and batch sizes: 300 rps of at least 0.5 + 0.15 ms each.
    assert_eq!(r["interpreters"]["per_replica"], 1);
    let busy = r["utilization"].as_f64().unwrap();
    assert!(busy > 0.3 * 0.65 && busy < 1.0, "interpreter busy {busy}");
    assert!(r["interpreters"]["mean_batch"].as_f64().unwrap() >= 1.0, "{}", r["interpreters"]);
    let human = mlspec(&args);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("service times: "), "the report says the times are measured");
    assert!(text.contains("interpreters: 1 per replica, busy "), "{text}");
    let c = mlspec(&["capacity", FRAUD, "--calibration", &cal, "--requests", "20k", "--format", "json"]);
    let r: serde_json::Value = serde_json::from_slice(&c.stdout).unwrap_or_else(|_| panic!("{}", stderr(&c)));
    assert!(r["calibration"].as_str().unwrap().contains("4 processes per replica"), "{}", r["calibration"]);
    assert_eq!(r["interpreters"], 4, "a calibrated replica's limit is its processes");
}

#[test]
fn a_calibration_of_another_system_or_a_bad_file_is_refused() {
    let (_d, other) = file("cal.json", &calibration("ride_pricing"));
    let o = mlspec(&["simulate", FRAUD, "--calibration", &other, "--only", "load"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("measured serving `online` of `ride_pricing`"), "{}", stderr(&o));
    let (_d2, bad) = file("bad.json", "{\"format\": \"mlspec-calibration\", \"version\": 9}");
    let o = mlspec(&["capacity", FRAUD, "--calibration", &bad]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("calibrate again"), "{}", stderr(&o));
    let o = mlspec(&["simulate", FRAUD, "--processes", "2"]);
    assert_eq!(o.status.code(), Some(2), "--processes needs --calibration");
}
