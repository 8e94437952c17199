//! A `drift FEATURE using STAT` monitor: its reference (the live model's
//! training rows) and one check of recent rows against it.
//!
//! Numbers are binned at the reference's deciles for PSI, JS and chi-square;
//! categories (and one-hot or hashed features) are compared level by level.
//! KS and Wasserstein read category codes as numbers.
//!
//! **Invariant:** a reference holds at most [`MAX_REFERENCE`] rows (an even
//! stride), so a check costs O(current rows · log) whatever the history.

use super::report::{MonitorSeries, Point};
use crate::monitors::stats;
use mlspec_ir::vocab::DriftStat;
use mlspec_ir::Cmp;

pub const MAX_REFERENCE: usize = 20_000;

#[derive(Clone, Debug)]
pub struct Reference {
    sorted: Vec<f64>,
    edges: Vec<f64>,
    counts: Vec<u64>,
    levels: Option<usize>,
}

fn level_counts(values: &[f64], levels: usize) -> Vec<u64> {
    let mut c = vec![0u64; levels.max(1)];
    for v in values.iter().filter(|v| v.is_finite()) {
        if let Some(x) = c.get_mut(*v as usize) {
            *x += 1;
        }
    }
    c
}

impl Reference {
    pub fn new(values: &[f64], levels: Option<usize>) -> Reference {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let stride = finite.len().div_ceil(MAX_REFERENCE).max(1);
        let mut sorted: Vec<f64> = finite.into_iter().step_by(stride).collect();
        sorted.sort_by(f64::total_cmp);
        let (edges, counts) = match levels {
            Some(k) => (Vec::new(), level_counts(&sorted, k)),
            None => {
                let edges = stats::quantile_edges(&sorted, stats::DEFAULT_BINS);
                let counts = stats::bin_counts(&sorted, &edges);
                (edges, counts)
            }
        };
        Reference { sorted, edges, counts, levels }
    }

    /// The reference's rows (finite values, after thinning).
    pub fn rows(&self) -> usize {
        self.sorted.len()
    }

    fn current_counts(&self, current: &[f64]) -> Vec<u64> {
        match self.levels {
            Some(k) => level_counts(current, k),
            None => stats::bin_counts(current, &self.edges),
        }
    }

    /// The statistic (or its p-value when `p_value`) of `current` against
    /// the reference; `None` when there are no current values.
    pub fn check(&self, statistic: DriftStat, p_value: bool, current: &[f64]) -> Option<f64> {
        if !current.iter().any(|v| v.is_finite()) || self.sorted.is_empty() {
            return None;
        }
        Some(match statistic {
            DriftStat::Psi => stats::psi_counts(&self.counts, &self.current_counts(current)),
            DriftStat::Js => stats::js_counts(&self.counts, &self.current_counts(current)),
            DriftStat::Chi2 => {
                let (s, p) = stats::chi2(&self.counts, &self.current_counts(current));
                if p_value {
                    p
                } else {
                    s
                }
            }
            DriftStat::Ks => {
                let (d, p) = stats::ks(&self.sorted, current);
                if p_value {
                    p
                } else {
                    d
                }
            }
            DriftStat::Wasserstein => stats::wasserstein(&self.sorted, current),
        })
    }
}

pub fn fires(cmp: Cmp, value: f64, threshold: f64) -> bool {
    match cmp {
        Cmp::Lt => value < threshold,
        Cmp::Le => value <= threshold,
        Cmp::Gt => value > threshold,
        Cmp::Ge => value >= threshold,
    }
}

/// Records a check's value in the monitor's series: the value, an alert
/// when it fires (`cmp` against the series' threshold), and an onset when
/// the previous check (`was_firing`) did not. Returns whether it fired.
pub fn record(s: &mut MonitorSeries, cmp: Cmp, was_firing: bool, t: f64, v: f64) -> bool {
    let hour = super::run::hours(t);
    s.values.push(Point { hour, value: v });
    let fired = fires(cmp, v, s.threshold);
    if fired {
        s.alerts_hours.push(hour);
        if !was_firing {
            s.onsets_hours.push(hour);
        }
    }
    fired
}
