//! Runs against the in-process server of `common`. Timing assertions are
//! one-sided and generous: a loaded machine can only make latencies longer
//! and runs later, never the reverse.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{above, serve, Reply};
use mlspec_load::{run, run_until, Config, LoadError, Measured, Stop, Target};
use std::net::SocketAddr;
use std::time::Duration;

fn every(gap_s: f64, n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64 * gap_s).collect()
}

fn config(addr: SocketAddr, send_times: Vec<f64>, bodies: &[&str], connections: usize) -> Config {
    let duration_s = send_times.last().copied().unwrap_or(0.0) + 0.05;
    Config {
        target: Target::parse(&format!("http://{addr}/predict"), false).unwrap(),
        send_times,
        bodies: bodies.iter().map(|b| b.as_bytes().to_vec()).collect(),
        headers: vec![("authorization".to_string(), "Bearer t0ken".to_string())],
        connections,
        request_timeout_s: 5.0,
        duration_s,
        step_s: 0.25,
    }
}

/// The invariant of every run.
fn check_accounting(m: &Measured, scheduled: usize) {
    assert_eq!(m.sent + m.unsent, scheduled as u64, "{m:?}");
    let non_2xx: u64 = m.by_status.iter().filter(|(s, _)| !(200..300).contains(*s)).map(|(_, n)| n).sum();
    assert_eq!(m.ok + non_2xx + m.timeouts + m.transport_errors, m.sent, "{m:?}");
    assert_eq!(m.latency.count(), m.ok);
    assert_eq!(m.latency_all.count(), m.by_status.values().sum::<u64>());
    let steps = |f: fn(&mlspec_load::Step) -> u64| m.steps.iter().map(f).sum::<u64>();
    assert_eq!(steps(|s| s.sent), m.sent);
    assert_eq!(steps(|s| s.ok), m.ok);
    assert_eq!(steps(|s| s.timeouts), m.timeouts);
    assert_eq!(steps(|s| s.errors), m.sent - m.ok - m.timeouts);
    assert_eq!(steps(|s| s.latency.count()), m.ok);
}

#[test]
fn statuses_are_counted_by_body() {
    let server = serve(|_, body, headers| {
        let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let framed = h("content-length") == body.len().to_string();
        if h("authorization") != "Bearer t0ken"
            || h("content-type") != "application/json"
            || !h("host").starts_with("127.0.0.1:")
            || !framed
        {
            return Reply::Status(400);
        }
        match body {
            b"{\"x\": 429}" => Reply::Status(429),
            b"{\"x\": 500}" => Reply::Status(500),
            _ => Reply::Status(200),
        }
    });
    let c = config(server.addr, every(0.01, 40), &["{\"x\": 200}", "{\"x\": 429}", "{\"x\": 500}", "{\"x\": 201}"], 4);
    let m = run(&c).unwrap();
    check_accounting(&m, 40);
    assert_eq!((m.sent, m.ok, m.timeouts, m.transport_errors, m.unsent), (40, 20, 0, 0, 0), "{m:?}");
    assert_eq!(m.by_status.into_iter().collect::<Vec<_>>(), vec![(200, 20), (429, 10), (500, 10)]);
    assert_eq!(m.latency_all.count(), 40);
    assert_eq!(m.steps.len(), 2, "40 × 10 ms in 0.25 s steps");
    assert!(m.connections_opened >= 1 && m.connections_opened <= 4);
    assert_eq!(server.received.load(std::sync::atomic::Ordering::SeqCst), 40);
}

#[test]
fn a_stall_shows_in_every_request_scheduled_during_it() {
    // One connection; the server stalls 300 ms on its 20th request (due at
    // 0.1 s) and answers the rest at once. About 60 requests are due during
    // the stall: open loop, each waits for the connection and that wait is
    // its latency. A closed-loop client would have sent them after the
    // stall and seen one slow request.
    let server = serve(|n, _, _| if n == 20 { Reply::After(Duration::from_millis(300), 200) } else { Reply::Status(200) });
    let c = config(server.addr, every(0.005, 300), &["{}"], 1);
    let m = run(&c).unwrap();
    check_accounting(&m, 300);
    assert_eq!(m.ok, 300, "{m:?}");
    assert!(m.latency.max() >= 0.29, "max {}", m.latency.max());
    assert!(m.latency.quantile(0.99) >= 0.25, "p99 {}", m.latency.quantile(0.99));
    let slow = above(&m.latency, 0.1);
    assert!(slow >= 20, "{slow} requests above 100 ms");
    assert_eq!(m.connections_opened, 1);
}

#[test]
fn an_unanswered_request_is_a_timeout_and_the_run_still_ends() {
    // Requests 3 and 19 (the last, due at 0.95 s) never get an answer: the
    // run waits for the last one's deadline, 0.95 + 1 s, and no longer.
    let mut bodies = vec!["{}"; 20];
    bodies[3] = "hang";
    bodies[19] = "hang";
    let server = serve(|_, body, _| if body == b"hang" { Reply::Never } else { Reply::Status(200) });
    let mut c = config(server.addr, every(0.05, 20), &bodies, 2);
    c.request_timeout_s = 1.0;
    c.duration_s = 1.0;
    let m = run(&c).unwrap();
    check_accounting(&m, 20);
    assert!(m.timeouts >= 2, "{m:?}");
    assert_eq!(m.ok + m.timeouts, 20, "{m:?}");
    assert!(m.elapsed_s >= 1.95, "ended before the last deadline: {}", m.elapsed_s);
    assert!(m.elapsed_s < 2.0 + 3.0, "ran past duration + timeout: {}", m.elapsed_s);
    assert!(m.latency.max() < 1.0);
}

#[test]
fn a_refused_connection_is_a_transport_error() {
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let m = run(&config(addr, every(0.01, 20), &["{}"], 4)).unwrap();
    check_accounting(&m, 20);
    assert_eq!((m.transport_errors, m.ok, m.connections_opened), (20, 0, 0), "{m:?}");
    assert!(m.first_transport_error.as_deref().unwrap().contains("could not connect"), "{m:?}");
}

#[test]
fn connection_close_opens_a_new_connection() {
    let server = serve(|n, _, _| if n % 5 == 4 { Reply::Close(200) } else { Reply::Status(200) });
    let m = run(&config(server.addr, every(0.01, 30), &["{}"], 1)).unwrap();
    check_accounting(&m, 30);
    assert_eq!((m.ok, m.transport_errors), (30, 0), "{m:?}");
    assert!(m.connections_opened >= 6, "{m:?}");
}

#[test]
fn nothing_is_sent_at_or_after_the_end() {
    let server = serve(|_, _, _| Reply::Status(200));
    let mut c = config(server.addr, every(0.05, 20), &["{}"], 2);
    c.duration_s = 0.5;
    let m = run(&c).unwrap();
    check_accounting(&m, 20);
    assert_eq!((m.sent, m.unsent), (10, 10));
    assert_eq!(m.steps.len(), 2);
}

#[test]
fn a_stop_ends_sending() {
    let server = serve(|_, _, _| Reply::Status(200));
    let c = config(server.addr, every(0.01, 1000), &["{}"], 2);
    let stop = Stop::new();
    stop.stop();
    let m = run_until(&c, &stop).unwrap();
    assert_eq!((m.sent, m.unsent), (0, 1000));

    let stop = Stop::new();
    let stopper = stop.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        stopper.stop();
    });
    let m = run_until(&c, &stop).unwrap();
    t.join().unwrap();
    check_accounting(&m, 1000);
    assert!(m.sent >= 10 && m.unsent >= 100, "{m:?}");
    assert!(m.elapsed_s < 9.0, "{m:?}");
}

#[test]
fn configs_that_cannot_run_are_errors() {
    let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let base = config(addr, every(0.1, 3), &["{}"], 1);
    let err = |f: &dyn Fn(&mut Config)| {
        let mut c = base.clone();
        f(&mut c);
        run(&c).unwrap_err()
    };
    assert_eq!(err(&|c| c.bodies.clear()), LoadError::NoBodies);
    assert!(matches!(err(&|c| c.headers.push(("bad name".into(), "v".into()))), LoadError::Header { .. }));
    assert!(matches!(err(&|c| c.headers.push(("x-a".into(), "line\nbreak".into()))), LoadError::Header { .. }));
    assert!(matches!(err(&|c| c.headers.push(("Host".into(), "x".into()))), LoadError::ReservedHeader { .. }));
    assert!(matches!(err(&|c| c.connections = 0), LoadError::Connections { got: 0 }));
    assert!(matches!(err(&|c| c.request_timeout_s = f64::NAN), LoadError::Seconds { .. }));
    assert!(matches!(err(&|c| c.duration_s = -1.0), LoadError::Seconds { .. }));
    assert!(matches!(err(&|c| c.step_s = 1e-9), LoadError::TooManySteps { .. }));
    assert!(matches!(err(&|c| c.send_times = vec![0.2, 0.1]), LoadError::SendTimes { index: 1 }));
    assert!(matches!(err(&|c| c.send_times = vec![-0.1]), LoadError::SendTimes { index: 0 }));
    assert!(matches!(err(&|c| c.target.path_and_query = "no path".into()), LoadError::Path { .. }));
    let msg = err(&|c| c.headers.push(("content-length".into(), "3".into()))).to_string();
    assert!(msg.contains("content-length") && msg.contains("remove it"), "{msg}");
}
