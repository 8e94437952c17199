//! A scenario's traffic: the arrival rate over time (base rate, daily
//! cosine, bursts) and the defaults of a spec that declares no scenario.
//! The simulator draws arrivals from it; capacity, the checker and the
//! review read its peak and its mean.

use crate::{Design, Scenario, ScenarioEvent, Serving};
use std::collections::BTreeMap;

/// Requests in the default scenario of a spec that declares none.
pub const DEFAULT_REQUESTS: f64 = 1_000_000.0;
/// The name a simulation gives the default scenario of a spec that
/// declares none (Poisson at `constraints throughput`).
pub const DEFAULT_SCENARIO: &str = "default";
/// The seed of a scenario that declares none.
pub const DEFAULT_SEED: u64 = 1;
/// Runs longer than this many requests are refused (about ten minutes of
/// simulation); `--requests` bounds a run explicitly.
pub const MAX_REQUESTS: f64 = 2e9;

/// What a load simulation runs on, as `mlspec_check::simulation::target`
/// chose and checked it: the runtime can always build a runnable plan from it.
#[derive(Clone, Debug)]
pub struct Target {
    pub serving: usize,
    /// Index into `design.scenarios`; `None` is the default scenario
    /// (Poisson at `constraints throughput` for
    /// [`DEFAULT_REQUESTS`]).
    pub scenario: Option<usize>,
    /// Arrival rate when the scenario has no `traffic` of its own.
    pub rate_rps: f64,
    /// Empirical latency files: path as written -> values in seconds.
    pub empirical: BTreeMap<String, Vec<f64>>,
}

impl Target {
    pub fn serving<'a>(&self, d: &'a Design) -> Option<&'a Serving> {
        d.servings.get(self.serving)
    }

    pub fn scenario<'a>(&self, d: &'a Design) -> Option<&'a Scenario> {
        self.scenario.and_then(|i| d.scenarios.get(i))
    }
}

/// A part of `mlspec simulate` asked for alone (`--only`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Only {
    Load,
    Drift,
}

/// The parts a simulation runs, as `mlspec_check::simulation::parts`
/// chose them: the scenario, the load run's target (if it runs) and
/// whether the drift run runs.
#[derive(Clone, Debug)]
pub struct Parts {
    /// Index into `design.scenarios`; `None` is the default scenario.
    pub scenario: Option<usize>,
    pub load: Option<Target>,
    pub drift: bool,
}

/// A scenario's arrival rate over time: a base rate, a daily cosine and
/// bursts. The simulator draws arrivals from it; capacity and the review
/// read its peak.
#[derive(Clone, Debug, PartialEq)]
pub struct Traffic {
    pub base_rps: f64,
    /// (peak multiplier, time of day of the peak, seconds)
    pub diurnal: Option<(f64, f64)>,
    /// (multiplier, from, to)
    pub bursts: Vec<(f64, f64, f64)>,
}

/// A scenario's declared rate as people read it. With a daily curve the
/// declared rate is the quietest hour's: `2,000 rps at the trough, 5,000 at
/// the peak (19h)`; without one, `2,000 rps`.
pub fn describe_rate(rate_rps: f64, diurnal: Option<(f64, f64)>) -> String {
    use crate::numbers::{human_duration, rate};
    match diurnal {
        Some((peak, at_s)) if peak > 1.0 => {
            let at = if at_s > 0.0 { human_duration(at_s) } else { "0h".to_string() };
            format!("{} rps at the trough, {} at the peak ({at})", rate(rate_rps), rate(rate_rps * peak))
        }
        _ => format!("{} rps", rate(rate_rps)),
    }
}

impl Traffic {
    /// The traffic of `scenario`, or Poisson at `rate` when it declares none.
    pub fn of(scenario: Option<&Scenario>, rate: f64) -> Traffic {
        let mut t = match scenario.and_then(|sc| sc.traffic.as_ref()) {
            Some(tr) => Traffic { base_rps: tr.rate_rps, diurnal: tr.diurnal, bursts: Vec::new() },
            None => Traffic { base_rps: rate, diurnal: None, bursts: Vec::new() },
        };
        for e in scenario.map_or(&[][..], |sc| &sc.events[..]) {
            if let ScenarioEvent::Burst { factor, at_s, for_s } = e {
                t.bursts.push((*factor, *at_s, at_s + for_s));
            }
        }
        t
    }

    /// The arrival rate at time `t`.
    #[inline]
    pub fn rate(&self, t: f64) -> f64 {
        let mut r = self.base_rps;
        if let Some((peak, at)) = self.diurnal {
            let phase = 2.0 * std::f64::consts::PI * (t - at) / 86_400.0;
            r *= 1.0 + (peak - 1.0) * (1.0 + phase.cos()) / 2.0;
        }
        for &(m, from, to) in &self.bursts {
            if t >= from && t < to {
                r *= m;
            }
        }
        r
    }

    /// An upper bound of the rate over [from, to) (for thinning): the
    /// diurnal factor at its highest in the interval, times every burst that
    /// overlaps it.
    pub fn max_rate_in(&self, from: f64, to: f64) -> f64 {
        let mut r = self.base_rps;
        if let Some((peak, at)) = self.diurnal {
            let factor = |t: f64| 1.0 + (peak - 1.0) * (1.0 + (2.0 * std::f64::consts::PI * (t - at) / 86_400.0).cos()) / 2.0;
            let next_peak = at + ((from - at) / 86_400.0).ceil() * 86_400.0;
            let top = if next_peak <= to { peak } else { factor(from).max(factor(to)) };
            r *= top.max(1.0);
        }
        for &(m, a, b) in &self.bursts {
            if a < to && b > from {
                r *= m.max(1.0);
            }
        }
        r
    }

    /// Whether the rate is the same at all times.
    pub fn is_constant(&self) -> bool {
        self.diurnal.is_none_or(|(p, _)| p == 1.0) && self.bursts.iter().all(|b| b.0 == 1.0)
    }

    /// The highest rate reached in [0, until): checked at every burst edge
    /// and on a one-minute grid (the diurnal curve is smooth).
    pub fn peak_rate(&self, until: f64) -> f64 {
        let mut peak = self.rate(0.0);
        let mut t = 0.0;
        while t < until {
            peak = peak.max(self.rate(t));
            t += 60.0;
        }
        for &(_, from, _) in &self.bursts {
            if from < until {
                peak = peak.max(self.rate(from));
            }
        }
        if let Some((_, at)) = self.diurnal {
            let mut day = 0.0;
            while day * 86_400.0 + at < until {
                peak = peak.max(self.rate(day * 86_400.0 + at));
                day += 1.0;
            }
        }
        peak
    }

    /// The mean rate over [0, until) (numerically, on a one-second grid for
    /// runs up to a week, coarser beyond).
    pub fn mean_rate(&self, until: f64) -> f64 {
        if self.is_constant() || until <= 0.0 {
            return self.base_rps;
        }
        let step = (until / 604_800.0).max(1.0);
        let mut sum = 0.0;
        let mut n = 0.0;
        let mut t = step / 2.0;
        while t < until {
            sum += self.rate(t);
            n += 1.0;
            t += step;
        }
        if n == 0.0 {
            self.base_rps
        } else {
            sum / n
        }
    }
}

/// The seed of a run: the one given on the command line, else the
/// scenario's `seed`, else [`DEFAULT_SEED`].
pub fn run_seed(given: Option<u64>, scenario: Option<&Scenario>) -> u64 {
    given.or(scenario.and_then(|s| s.seed)).unwrap_or(DEFAULT_SEED)
}

/// About how many requests a scenario brings: `requests`, else the mean
/// rate over `duration`.
pub fn expected_requests(sc: &Scenario, rate: f64) -> f64 {
    let by_duration = sc.duration_s.map(|d| Traffic::of(Some(sc), rate).mean_rate(d) * d);
    match (sc.requests, by_duration) {
        (Some(n), Some(d)) => n.min(d),
        (Some(n), None) => n,
        (None, Some(d)) => d,
        (None, None) => DEFAULT_REQUESTS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_daily_curve_reads_as_trough_and_peak() {
        assert_eq!(describe_rate(2000.0, Some((2.5, 19.0 * 3600.0))), "2,000 rps at the trough, 5,000 at the peak (19h)");
        assert_eq!(describe_rate(0.1, Some((3.0, 0.0))), "0.1 rps at the trough, 0.3 at the peak (0h)");
        assert_eq!(describe_rate(1000.0, Some((1.0, 3600.0))), "1,000 rps");
        assert_eq!(describe_rate(1000.0, None), "1,000 rps");
    }
}
