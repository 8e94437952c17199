//! What a run measured: every sent request's outcome, counted once, in the
//! totals and in the step of its scheduled time.
//!
//! **Invariant:** `sent == ok + (non-2xx answers in by_status) + timeouts +
//! transport_errors`, and the same per step, where `errors` holds both the
//! non-2xx answers and the transport errors. Latencies are from the
//! scheduled send time and are below the request timeout (a later answer is
//! a timeout).

use mlspec_sim::histogram::Histogram;
use std::collections::BTreeMap;

/// Bits per octave of the run's histograms (≤ 0.1% relative error).
const RUN_PRECISION: u32 = 10;
/// Bits per octave of a step's histograms (≤ 3.2%), like the simulator's.
const STEP_PRECISION: u32 = 5;

/// How one sent request ended.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Outcome {
    /// An HTTP answer, body read, `latency_s` after the scheduled time.
    Answer { status: u16, latency_s: f64 },
    /// Not answered within the timeout; `queued` if it waited for a
    /// connection past its deadline and never reached the server.
    Timeout { queued: bool },
    /// Could not connect, reset, protocol error or an oversized body.
    Transport { reason: String },
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Record {
    pub scheduled_s: f64,
    pub outcome: Outcome,
}

/// The requests scheduled in [t_s, t_s + step).
#[derive(Clone, Debug)]
pub struct Step {
    pub t_s: f64,
    pub sent: u64,
    /// 2xx answers.
    pub ok: u64,
    /// Non-2xx answers and transport errors.
    pub errors: u64,
    pub timeouts: u64,
    /// Of 2xx answers, seconds from the scheduled send time.
    pub latency: Histogram,
}

#[derive(Clone, Debug)]
pub struct Measured {
    /// Requests due before the end and handed to the connections.
    pub sent: u64,
    /// 2xx answers.
    pub ok: u64,
    /// Every HTTP status received, 2xx included.
    pub by_status: BTreeMap<u16, u64>,
    pub timeouts: u64,
    /// The part of `timeouts` that waited for a free connection past the
    /// deadline and never reached the server: the connections, not the
    /// server, were the limit.
    pub timeouts_queued: u64,
    /// Connect, reset and protocol errors, and bodies over the size limit.
    pub transport_errors: u64,
    /// The first transport error, as the system said it.
    pub first_transport_error: Option<String>,
    /// Scheduled but never sent: at or after `duration_s`, or after a stop.
    pub unsent: u64,
    /// Of 2xx answers, seconds from the scheduled send time.
    pub latency: Histogram,
    /// Of every HTTP answer, seconds from the scheduled send time.
    pub latency_all: Histogram,
    /// From 0 to the last step the run reached (its end or its stop).
    pub steps: Vec<Step>,
    /// From the start of the run to the last outcome.
    pub elapsed_s: f64,
    pub connections_opened: u64,
}

pub(crate) struct Tally {
    step_s: f64,
    m: Measured,
}

impl Tally {
    pub(crate) fn new(step_s: f64, steps: usize) -> Tally {
        let step =
            |k: usize| Step { t_s: k as f64 * step_s, sent: 0, ok: 0, errors: 0, timeouts: 0, latency: Histogram::new(STEP_PRECISION) };
        let m = Measured {
            sent: 0,
            ok: 0,
            by_status: BTreeMap::new(),
            timeouts: 0,
            timeouts_queued: 0,
            transport_errors: 0,
            first_transport_error: None,
            unsent: 0,
            latency: Histogram::new(RUN_PRECISION),
            latency_all: Histogram::new(RUN_PRECISION),
            steps: (0..steps.max(1)).map(step).collect(),
            elapsed_s: 0.0,
            connections_opened: 0,
        };
        Tally { step_s, m }
    }

    pub(crate) fn record(&mut self, r: Record) {
        let m = &mut self.m;
        let last = m.steps.len().saturating_sub(1);
        let k = ((r.scheduled_s / self.step_s).max(0.0) as usize).min(last);
        let Some(step) = m.steps.get_mut(k) else { return };
        step.sent += 1;
        match r.outcome {
            Outcome::Answer { status, latency_s } => {
                *m.by_status.entry(status).or_insert(0) += 1;
                m.latency_all.record(latency_s);
                if (200..300).contains(&status) {
                    m.ok += 1;
                    m.latency.record(latency_s);
                    step.ok += 1;
                    step.latency.record(latency_s);
                } else {
                    step.errors += 1;
                }
            }
            Outcome::Timeout { queued } => {
                m.timeouts += 1;
                m.timeouts_queued += u64::from(queued);
                step.timeouts += 1;
            }
            Outcome::Transport { reason } => {
                m.transport_errors += 1;
                m.first_transport_error.get_or_insert(reason);
                step.errors += 1;
            }
        }
    }

    /// `sent` and `unsent` are the dispatcher's counts; `until_s` is where
    /// sending ended (the duration, or the stop): steps after it are dropped.
    pub(crate) fn finish(mut self, sent: u64, unsent: u64, until_s: f64, elapsed_s: f64, connections_opened: u64) -> Measured {
        let reached = ((until_s / self.step_s).ceil().max(1.0) as usize).min(self.m.steps.len());
        self.m.steps.truncate(reached);
        self.m.sent = sent;
        self.m.unsent = unsent;
        self.m.elapsed_s = elapsed_s;
        self.m.connections_opened = connections_opened;
        self.m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(t: f64, status: u16) -> Record {
        Record { scheduled_s: t, outcome: Outcome::Answer { status, latency_s: 0.01 } }
    }

    #[test]
    fn every_outcome_is_counted_once_in_its_step() {
        let mut t = Tally::new(1.0, 3);
        t.record(answer(0.2, 200));
        t.record(answer(0.9, 503));
        t.record(answer(1.0, 204));
        t.record(Record { scheduled_s: 1.5, outcome: Outcome::Timeout { queued: true } });
        t.record(Record { scheduled_s: 2.5, outcome: Outcome::Transport { reason: "refused".into() } });
        t.record(Record { scheduled_s: 2.6, outcome: Outcome::Transport { reason: "reset".into() } });
        let m = t.finish(6, 4, 3.0, 3.1, 1);
        assert_eq!((m.sent, m.ok, m.timeouts, m.timeouts_queued, m.transport_errors, m.unsent), (6, 2, 1, 1, 2, 4));
        assert_eq!(m.by_status.get(&503), Some(&1));
        assert_eq!(m.first_transport_error.as_deref(), Some("refused"));
        assert_eq!((m.latency.count(), m.latency_all.count()), (2, 3));
        let per: Vec<(u64, u64, u64, u64)> = m.steps.iter().map(|s| (s.sent, s.ok, s.errors, s.timeouts)).collect();
        assert_eq!(per, vec![(2, 1, 1, 0), (2, 1, 0, 1), (2, 0, 2, 0)]);
        assert_eq!(m.steps[1].t_s, 1.0);
    }

    #[test]
    fn steps_after_a_stop_are_dropped() {
        let t = Tally::new(0.5, 10);
        let m = t.finish(0, 0, 1.2, 1.3, 0);
        assert_eq!(m.steps.len(), 3);
    }
}
