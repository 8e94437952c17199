//! Send times: when each request of a run is due, drawn before the run from
//! a scenario's traffic replayed `compress` times faster.
//!
//! The rate at run time u is `traffic.rate(u × compress)`: the scenario's day
//! (diurnal cycle, bursts) goes by `compress` times faster, at the
//! scenario's own rate level. It is drawn with the simulator's [`Arrivals`]
//! (thinning) in scenario time on a copy of the traffic whose `base_rps` is
//! divided by `compress`, over [0, run_s × compress), and every arrival s is
//! sent at s / compress. The two are the same process: scenario-time
//! arrivals at rate rate(s) / compress, with time divided by compress, have
//! rate compress × rate(u × compress) / compress = rate(u × compress) at run
//! time u (a change of time scale multiplies a Poisson intensity by the
//! factor). Thinning in scenario time keeps the simulator's block bounds and
//! burst edges, so a burst starts and ends exactly where the day puts it.
//!
//! **Invariant:** the times are non-decreasing, all in [0, run_s), at most
//! [`MAX_SEND_TIMES`] of them, and depend only on (traffic, seed, run_s,
//! compress). Bad inputs are refused with a [`ScheduleError`], never
//! answered with an empty or truncated schedule.

use mlspec_sim::arrivals::Arrivals;
use mlspec_sim::plan::Traffic;
use std::fmt;

/// The random stream of send times: the simulator's arrival stream, so that
/// at `compress` 1 the same traffic and seed give the arrival times
/// `mlspec simulate` draws (up to `run_s`).
pub const STREAM_SEND_TIMES: u128 = 0xa11;

/// A schedule longer than this is refused (400 MB of times): a typo in the
/// rate or the length cannot allocate without limit.
pub const MAX_SEND_TIMES: usize = 50_000_000;

#[derive(Clone, Debug, PartialEq)]
pub enum ScheduleError {
    /// `what` is a positive finite number and is not.
    NotPositive {
        what: &'static str,
        value: f64,
    },
    /// A diurnal or burst factor is negative or not finite.
    Traffic,
    TooMany {
        expected: f64,
    },
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScheduleError::NotPositive { what, value } => write!(f, "{what} must be a positive number (got {value})"),
            ScheduleError::Traffic => write!(f, "the traffic has a diurnal or burst factor or time that is negative or not a number: check the scenario"),
            ScheduleError::TooMany { expected } => write!(
                f,
                "the run would send about {expected:.0} requests, more than the limit of {MAX_SEND_TIMES}: shorten the run, lower the rate or compress less"
            ),
        }
    }
}

impl std::error::Error for ScheduleError {}

/// The send times of `traffic` replayed `compress` times faster over
/// [0, run_s), seconds from the start of the run.
pub fn send_times(traffic: &Traffic, seed: u64, run_s: f64, compress: f64) -> Result<Vec<f64>, ScheduleError> {
    positive("the run length (seconds)", run_s)?;
    positive("the time compression", compress)?;
    positive("the base rate (requests per second)", traffic.base_rps)?;
    check_shape(traffic)?;
    let horizon = run_s * compress;
    positive("the run length times the compression", horizon)?;
    let scaled = Traffic { base_rps: traffic.base_rps / compress, ..traffic.clone() };
    positive("the base rate divided by the compression", scaled.base_rps)?;

    // ∫ rate(u × compress) du over [0, run_s) = mean scenario rate × run_s.
    let expected = traffic.mean_rate(horizon) * run_s;
    if expected.is_nan() || expected > MAX_SEND_TIMES as f64 {
        return Err(ScheduleError::TooMany { expected });
    }
    let mut arrivals = Arrivals::new(&scaled, mlspec_rng::rng(seed, STREAM_SEND_TIMES), Some(horizon));
    let mut out = Vec::with_capacity((expected * 1.01 + 16.0) as usize);
    let mut s = arrivals.next(0.0);
    while s < horizon {
        let u = s / compress;
        if u >= run_s {
            break;
        }
        if out.len() >= MAX_SEND_TIMES {
            return Err(ScheduleError::TooMany { expected });
        }
        out.push(u);
        s = arrivals.next(s);
    }
    Ok(out)
}

/// Poisson send times at a constant `rate_rps` over [0, run_s).
pub fn constant(rate_rps: f64, seed: u64, run_s: f64) -> Result<Vec<f64>, ScheduleError> {
    send_times(&Traffic { base_rps: rate_rps, diurnal: None, bursts: Vec::new() }, seed, run_s, 1.0)
}

/// Send times `1 / rate_rps` apart over [0, run_s), the first at 0: the
/// spacing of constant-rate tools (`oha -q`, `wrk2 -R`), for comparing
/// with them.
pub fn even(rate_rps: f64, run_s: f64) -> Result<Vec<f64>, ScheduleError> {
    positive("the rate (requests per second)", rate_rps)?;
    positive("the run length (seconds)", run_s)?;
    let expected = rate_rps * run_s;
    if expected > MAX_SEND_TIMES as f64 {
        return Err(ScheduleError::TooMany { expected });
    }
    // Multiplied, not accumulated: no drift over long runs.
    Ok((0..expected.ceil() as usize).map(|i| i as f64 / rate_rps).filter(|&t| t < run_s).collect())
}

fn positive(what: &'static str, value: f64) -> Result<(), ScheduleError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(ScheduleError::NotPositive { what, value })
    }
}

/// Factors finite and non-negative, times not NaN: the thinning loop of
/// [`Arrivals`] never ends on a NaN rate.
fn check_shape(traffic: &Traffic) -> Result<(), ScheduleError> {
    let factor_ok = |m: f64| m.is_finite() && m >= 0.0;
    let diurnal_ok = traffic.diurnal.is_none_or(|(peak, at)| factor_ok(peak) && at.is_finite());
    let bursts_ok = traffic.bursts.iter().all(|&(m, from, to)| factor_ok(m) && !from.is_nan() && !to.is_nan());
    if diurnal_ok && bursts_ok {
        Ok(())
    } else {
        Err(ScheduleError::Traffic)
    }
}
