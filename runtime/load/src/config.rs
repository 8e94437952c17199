//! What a run is asked to do, and the checks that make it runnable.
//!
//! **Invariant:** a config that passes [`Config::check`] runs to the end
//! without an error: every duration converts to a `Duration` and every
//! deadline to an `Instant`, the steps fit in [`MAX_STEPS`], and the send
//! times are finite, non-negative and in order.

use crate::target::Target;
use std::fmt;

/// The most connections a run opens at once.
pub const MAX_CONNECTIONS: usize = 10_000;
/// The most steps a run keeps statistics for (each holds a latency
/// histogram of about 11 kB).
pub const MAX_STEPS: usize = 10_000;
/// The longest run, and the longest request timeout (a week).
pub const MAX_SECONDS: f64 = 604_800.0;

#[derive(Clone, Debug)]
pub struct Config {
    pub target: Target,
    /// Seconds from the start of the run, non-decreasing (see
    /// [`crate::schedule`]).
    pub send_times: Vec<f64>,
    /// JSON request bodies: request i sends `bodies[i % bodies.len()]`.
    pub bodies: Vec<Vec<u8>>,
    /// Extra request headers (e.g. authorization). `content-type` replaces
    /// the default `application/json`; `host`, `content-length`,
    /// `transfer-encoding` and `connection` are the generator's own.
    pub headers: Vec<(String, String)>,
    /// The most connections open at once (keep-alive HTTP/1.1).
    pub connections: usize,
    /// A request not answered this long after its scheduled time is a
    /// timeout, and its connection is dropped.
    pub request_timeout_s: f64,
    /// Nothing is sent at or after this time; the run ends by
    /// `duration_s + request_timeout_s`.
    pub duration_s: f64,
    /// Width of the per-step statistics.
    pub step_s: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LoadError {
    NoBodies,
    Header { name: String, reason: &'static str },
    ReservedHeader { name: String },
    Path { path: String },
    Connections { got: usize },
    Seconds { what: &'static str, value: f64 },
    TooManySteps { steps: f64 },
    SendTimes { index: usize },
    Runtime { reason: String },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NoBodies => write!(f, "no request bodies: give at least one JSON body to send"),
            LoadError::Header { name, reason } => write!(f, "header `{name}` is not valid ({reason}): write it as name: value"),
            LoadError::ReservedHeader { name } => write!(f, "header `{name}` is set by the load generator: remove it"),
            LoadError::Path { path } => write!(f, "`{path}` is not a valid request path: give a path such as /predict"),
            LoadError::Connections { got } => write!(f, "connections must be between 1 and {MAX_CONNECTIONS} (got {got})"),
            LoadError::Seconds { what, value } => {
                write!(f, "{what} must be a positive number of seconds, at most {MAX_SECONDS} (got {value})")
            }
            LoadError::TooManySteps { steps } => {
                write!(f, "the run would have {steps:.0} statistics steps, more than {MAX_STEPS}: make the step longer")
            }
            LoadError::SendTimes { index } => {
                write!(f, "send time {index} is negative, not a number or earlier than the one before it: send times must be in order")
            }
            LoadError::Runtime { reason } => write!(f, "could not start the load generator's runtime: {reason}"),
        }
    }
}

impl std::error::Error for LoadError {}

impl Config {
    /// Checks the numbers, the send times and that there is a body; the
    /// headers and the path are checked when the requests are built, before
    /// anything is sent.
    pub fn check(&self) -> Result<(), LoadError> {
        if self.bodies.is_empty() {
            return Err(LoadError::NoBodies);
        }
        if !(1..=MAX_CONNECTIONS).contains(&self.connections) {
            return Err(LoadError::Connections { got: self.connections });
        }
        seconds("the run duration", self.duration_s)?;
        seconds("the request timeout", self.request_timeout_s)?;
        seconds("the step", self.step_s)?;
        let steps = (self.duration_s / self.step_s).ceil();
        if steps > MAX_STEPS as f64 {
            return Err(LoadError::TooManySteps { steps });
        }
        let mut last = 0.0;
        for (index, &t) in self.send_times.iter().enumerate() {
            if !(t.is_finite() && t >= last) {
                return Err(LoadError::SendTimes { index });
            }
            last = t;
        }
        Ok(())
    }

    /// Steps covering [0, duration_s): at least one.
    pub(crate) fn steps(&self) -> usize {
        ((self.duration_s / self.step_s).ceil() as usize).clamp(1, MAX_STEPS)
    }
}

fn seconds(what: &'static str, value: f64) -> Result<(), LoadError> {
    if value.is_finite() && value > 0.0 && value <= MAX_SECONDS {
        Ok(())
    } else {
        Err(LoadError::Seconds { what, value })
    }
}
