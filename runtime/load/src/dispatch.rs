//! The dispatcher: hands each request to the connections at its scheduled
//! time, whatever the server and the connections are doing (open loop).
//!
//! It runs on a thread of its own and sleeps with the OS timer (tens of
//! microseconds late), not tokio's, whose 1 ms tick would add up to a
//! millisecond to every latency. Each wake-up is computed from one base
//! `Instant` (base + send time), never from the previous wake-up, so
//! lateness does not accumulate; requests already due are handed over at
//! once.
//!
//! **Invariant:** sent + unsent = the number of send times; a send time at
//! or after the end, and every one after a stop, is unsent. The queue is
//! closed when the dispatcher returns.

use crate::stop::Stop;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// One request due at `due` (= base + `scheduled_s`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Job {
    pub index: usize,
    pub scheduled_s: f64,
    pub due: tokio::time::Instant,
}

pub(crate) struct Dispatched {
    pub sent: u64,
    pub unsent: u64,
    /// Run time at which sending ended: `end_s`, or the stop.
    pub until_s: f64,
}

/// Sends jobs for `times` (non-negative, in order) until `end_s` or a stop.
pub(crate) fn dispatch(times: &[f64], end_s: f64, base: Instant, queue: mpsc::UnboundedSender<Job>, stop: &Stop) -> Dispatched {
    let total = times.len() as u64;
    let stopped =
        |index: usize| Dispatched { sent: index as u64, unsent: total - index as u64, until_s: base.elapsed().as_secs_f64().min(end_s) };
    for (index, &t) in times.iter().enumerate() {
        if t >= end_s {
            return Dispatched { sent: index as u64, unsent: total - index as u64, until_s: end_s };
        }
        let due = at(base, t);
        if !stop.sleep_until(due) {
            return stopped(index);
        }
        let job = Job { index, scheduled_s: t, due: tokio::time::Instant::from_std(due) };
        if queue.send(job).is_err() {
            return stopped(index);
        }
    }
    Dispatched { sent: total, unsent: 0, until_s: end_s }
}

/// base + `s` seconds; `s` is checked finite, non-negative and bounded by
/// the config, so the conversion cannot fail (it saturates if it did).
pub(crate) fn at(base: Instant, s: f64) -> Instant {
    let d = Duration::try_from_secs_f64(s.clamp(0.0, crate::config::MAX_SECONDS)).unwrap_or(Duration::ZERO);
    base.checked_add(d).unwrap_or(base)
}
