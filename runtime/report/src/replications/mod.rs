//! `simulate --replications N`: N independent runs of the same design
//! combined into one report. Each figure of the report becomes its mean
//! over the replications, with a Student t interval ([`mlspec_sim::interval`])
//! recorded under the figure's dotted JSON path in [`Intervals`]; time
//! series (timelines, the latency CDF, monitor values, retrains, offline
//! metrics) stay replication 0's.
//!
//! **Invariant:** every figure replaced by a mean has an interval, and the
//! combination reads the replications in index order only, so the report
//! depends on the seed and N, never on which thread ran which replication.

mod load;
mod quality;

pub use load::combine as combine_load;
pub use quality::combine as combine_quality;

use indexmap::IndexMap;
use mlspec_sim::interval::{t_interval, CONFIDENCE};
use serde::Serialize;

/// The most replications one `simulate` runs.
pub const MAX_REPLICATIONS: u32 = 1000;

/// The 95% intervals of a replicated report: a figure's dotted JSON path
/// (`latency_ms.p99`, `slo.0.value_ms`, `drift.events.1.detection_delay_hours`)
/// to `[low, high]`, in the order the report lists the figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Intervals {
    map: IndexMap<String, [f64; 2]>,
    /// The replications the intervals are over.
    #[serde(skip)]
    pub replications: u32,
}

impl Intervals {
    pub fn new(replications: u32) -> Intervals {
        Intervals { map: IndexMap::new(), replications }
    }

    pub fn get(&self, path: &str) -> Option<[f64; 2]> {
        self.map.get(path).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// ` [low, high]` after a figure, each bound in the figure's format;
    /// nothing when the figure has no interval, or its bounds print the
    /// same (it did not vary at the printed precision; the JSON keeps it).
    pub fn bracket(&self, path: &str, fmt: impl Fn(f64) -> String) -> String {
        let Some([lo, hi]) = self.get(path) else { return String::new() };
        let (lo, hi) = (fmt(lo), fmt(hi));
        if lo == hi {
            String::new()
        } else {
            format!(" [{lo}, {hi}]")
        }
    }

    fn insert(&mut self, path: String, low: f64, high: f64) {
        self.map.insert(path, [low, high]);
    }
}

/// The figures of replications `reps` (replication 0 first): each call
/// gives a figure's mean, rounded as the report rounds it, and records its
/// interval, rounded the same way.
pub(crate) struct Figures<'a, T> {
    reps: &'a [T],
    intervals: &'a mut Intervals,
}

impl<'a, T> Figures<'a, T> {
    pub fn new(reps: &'a [T], intervals: &'a mut Intervals) -> Self {
        Figures { reps, intervals }
    }

    /// The mean of a figure every replication has; replication 0's value,
    /// with no interval, if one is not finite.
    pub fn mean(&mut self, path: &str, round: fn(f64) -> f64, get: impl Fn(&T) -> f64) -> f64 {
        let values: Vec<f64> = self.reps.iter().map(get).collect();
        self.record(path, round, &values).unwrap_or_else(|| values.first().copied().unwrap_or(0.0))
    }

    /// A count's mean, rounded to a whole number (its interval to 3 decimals).
    pub fn count(&mut self, path: &str, get: impl Fn(&T) -> u64) -> u64 {
        let values: Vec<f64> = self.reps.iter().map(|r| get(r) as f64).collect();
        match self.record(path, mlspec_sim::summary::r3, &values) {
            Some(mean) => mean.round() as u64,
            None => self.reps.first().map_or(0, get),
        }
    }

    /// The mean over the replications where a figure is defined, and how
    /// many those are; `None` where no replication defines it. The
    /// interval needs two of them.
    pub fn some(&mut self, path: &str, round: fn(f64) -> f64, get: impl Fn(&T) -> Option<f64>) -> Option<(f64, usize)> {
        let values: Vec<f64> = self.reps.iter().filter_map(get).filter(|v| v.is_finite()).collect();
        let mean = match values.len() {
            0 => return None,
            1 => values.first().copied().map(round),
            _ => self.record(path, round, &values),
        };
        mean.map(|m| (m, values.len()))
    }

    /// Records the interval of `values`; a figure none of whose values is
    /// negative (a count, a share, a cost) has a mean that cannot be, so
    /// its interval stops at 0.
    fn record(&mut self, path: &str, round: fn(f64) -> f64, values: &[f64]) -> Option<f64> {
        let i = t_interval(values, CONFIDENCE)?;
        let low = if values.iter().all(|v| *v >= 0.0) { i.low.max(0.0) } else { i.low };
        self.intervals.insert(path.to_string(), round(low), round(i.high));
        Some(round(i.mean))
    }
}

/// Rounded to 6 significant decimals for quality figures and costs.
pub(crate) fn r6(x: f64) -> f64 {
    mlspec_sim::summary::r6(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mlspec_sim::summary::r3;

    #[test]
    fn figures_are_rounded_means_with_their_intervals() {
        let reps = [1.0, 2.0, 3.0, 4.0, 5.0];
        let mut iv = Intervals::new(5);
        let mut f = Figures::new(&reps, &mut iv);
        assert_eq!(f.mean("x", r3, |v| *v), 3.0);
        // 3 ± 2.7764451 × √(2.5 / 5)
        assert_eq!(f.count("n", |v| (*v * 10.0) as u64), 30);
        assert_eq!(f.some("one", r3, |v| (*v == 2.0).then_some(7.5)), Some((7.5, 1)), "one value: no interval");
        assert_eq!(f.some("none", r3, |_| None), None);
        assert_eq!(iv.get("x"), Some([1.037, 4.963]));
        assert_eq!(iv.get("n"), Some([10.368, 49.632]));
        assert_eq!(iv.get("one"), None);
        assert_eq!(iv.bracket("x", |v| v.to_string()), " [1.037, 4.963]");
        // A figure that did not vary keeps its (zero-width) interval in
        // the JSON, and no bracket in the text; nor does one whose bounds
        // print the same.
        let mut f = Figures::new(&reps, &mut iv);
        f.mean("same", r3, |_| 4.0);
        assert_eq!(iv.get("same"), Some([4.0, 4.0]));
        assert_eq!(iv.bracket("same", |v| v.to_string()), "");
        assert_eq!(iv.bracket("x", |v| format!("{:.0}", v / 10.0)), "");
        // A figure that cannot be negative: its interval stops at 0.
        let mut f = Figures::new(&reps, &mut iv);
        f.mean("small", r3, |v| if *v == 5.0 { 1.0 } else { 0.0 });
        assert_eq!(iv.get("small"), Some([0.0, 0.755]));
        let keys: Vec<&String> = iv.map.keys().collect();
        assert_eq!(keys, ["x", "n", "same", "small"], "in the order the report lists them");
    }
}
