//! A run: the dispatcher on a thread of its own, and `connections`
//! connection slots and the tally on a current-thread tokio runtime.
//!
//! **Invariant:** `sent + unsent == send_times.len()`, and every sent
//! request is counted exactly once in `ok`, a non-2xx `by_status`,
//! `timeouts` or `transport_errors`. The run ends when the last sent
//! request has its outcome, which is by `duration_s + request_timeout_s`
//! (every outcome comes by its request's deadline, and nothing is sent at
//! or after `duration_s`), or by stop time + `request_timeout_s` after a
//! [`Stop`].

use crate::conn::{self, Shared};
use crate::dispatch::{dispatch, Dispatched};
use crate::request::Requests;
use crate::tally::{Record, Tally};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, Mutex};
use tokio::time::Duration;

pub use crate::config::{Config, LoadError};
pub use crate::stop::Stop;
pub use crate::tally::{Measured, Step};

/// Runs `config` to its end; blocks.
pub fn run(config: &Config) -> Result<Measured, LoadError> {
    run_until(config, &Stop::new())
}

/// Runs `config` until its end or `stop`; blocks.
pub fn run_until(config: &Config, stop: &Stop) -> Result<Measured, LoadError> {
    config.check()?;
    let requests = Requests::new(&config.target, &config.bodies, &config.headers)?;
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| LoadError::Runtime { reason: e.to_string() })?;
    let timeout = Duration::try_from_secs_f64(config.request_timeout_s).unwrap_or(Duration::ZERO);
    let shared = Arc::new(Shared { addr: config.target.addr, requests, timeout, opened: AtomicU64::new(0) });
    let (records, outcomes) = mpsc::unbounded_channel();
    let tally = Tally::new(config.step_s, config.steps());
    let (jobs, queue) = mpsc::unbounded_channel();
    let queue = Arc::new(Mutex::new(queue));
    for _ in 0..config.connections {
        runtime.spawn(conn::serve(Arc::clone(&shared), Arc::clone(&queue), records.clone()));
    }
    drop(records);

    std::thread::scope(|scope| {
        let base = Instant::now();
        let dispatcher = std::thread::Builder::new()
            .name("mlspec-load-dispatch".to_string())
            .spawn_scoped(scope, move || dispatch(&config.send_times, config.duration_s, base, jobs, stop))
            .map_err(|e| LoadError::Runtime { reason: e.to_string() })?;
        let tally = runtime.block_on(collect(tally, outcomes));
        let elapsed_s = base.elapsed().as_secs_f64();
        // The outcomes end only once the queue is closed, i.e. the dispatcher returned.
        let sent = dispatcher.join().unwrap_or(Dispatched { sent: 0, unsent: 0, until_s: 0.0 });
        Ok(tally.finish(sent.sent, sent.unsent, sent.until_s, elapsed_s, shared.opened.load(Ordering::Relaxed)))
    })
}

/// Tallies outcomes until every slot has ended.
async fn collect(mut tally: Tally, mut outcomes: mpsc::UnboundedReceiver<Record>) -> Tally {
    while let Some(record) = outcomes.recv().await {
        tally.record(record);
    }
    tally
}
