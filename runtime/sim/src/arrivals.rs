//! Arrival times: a Poisson process at the scenario's rate, made
//! non-homogeneous (diurnal cycle, bursts) by thinning.
//!
//! Thinning uses a piecewise-constant bound: time is cut into blocks of
//! [`BLOCK_S`], each with the highest rate reached in it, and candidates
//! are drawn at the block's bound (restarting at a block's edge is exact: the
//! exponential gap is memoryless). The diurnal curve moves by under 0.4% in
//! a block, so almost every candidate is kept.
//!
//! **Invariant:** gaps are never capped or rounded, so the arrival rate and
//! the gaps' coefficient of variation are those of the spec (1 for a
//! constant rate).

use super::plan::Traffic;
use rand::Rng;
use rand_distr::Exp1;
use rand_pcg::Pcg64;

pub const BLOCK_S: f64 = 60.0;

pub struct Arrivals<'t> {
    traffic: &'t Traffic,
    rng: Pcg64,
    constant: bool,
    /// Thinning stops looking past this time (the end of the run).
    horizon: f64,
    block_end: f64,
    bound: f64,
}

impl<'t> Arrivals<'t> {
    pub fn new(traffic: &'t Traffic, rng: Pcg64, horizon: Option<f64>) -> Arrivals<'t> {
        Arrivals { traffic, rng, constant: traffic.is_constant(), horizon: horizon.unwrap_or(f64::INFINITY), block_end: 0.0, bound: 0.0 }
    }

    /// The first arrival after `t` (calls come with non-decreasing `t`).
    #[inline]
    pub fn next(&mut self, mut t: f64) -> f64 {
        if self.constant {
            return t + self.rng.sample::<f64, _>(Exp1) / self.traffic.base_rps;
        }
        loop {
            if t >= self.block_end {
                let start = (t / BLOCK_S).floor() * BLOCK_S;
                self.block_end = start + BLOCK_S;
                self.bound = self.traffic.max_rate_in(start, self.block_end);
            }
            if self.bound <= 0.0 {
                t = self.block_end;
                continue;
            }
            let candidate = t + self.rng.sample::<f64, _>(Exp1) / self.bound;
            if candidate >= self.block_end {
                t = self.block_end;
                if t > self.horizon {
                    return t;
                }
                continue;
            }
            t = candidate;
            let u: f64 = self.rng.gen();
            if u * self.bound <= self.traffic.rate(t) || t > self.horizon {
                return t;
            }
        }
    }
}
