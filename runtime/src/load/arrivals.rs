//! Arrival times: a Poisson process at the scenario's rate, made
//! non-homogeneous (diurnal cycle, bursts) by thinning.
//!
//! **Invariant:** gaps are never capped or rounded, so the arrival rate and
//! the gaps' coefficient of variation are those of the spec (1 for a
//! constant rate).

use super::plan::Traffic;
use rand::Rng;
use rand_distr::Exp1;
use rand_pcg::Pcg64;

pub struct Arrivals<'t> {
    traffic: &'t Traffic,
    rng: Pcg64,
    max_rate: f64,
    constant: bool,
    /// Thinning stops looking past this time (the end of the run).
    horizon: f64,
}

impl<'t> Arrivals<'t> {
    pub fn new(traffic: &'t Traffic, rng: Pcg64, horizon: Option<f64>) -> Arrivals<'t> {
        Arrivals { traffic, rng, max_rate: traffic.max_rate(), constant: traffic.is_constant(), horizon: horizon.unwrap_or(f64::INFINITY) }
    }

    /// The first arrival after `t`.
    #[inline]
    pub fn next(&mut self, mut t: f64) -> f64 {
        if self.constant {
            return t + self.rng.sample::<f64, _>(Exp1) / self.traffic.base_rps;
        }
        loop {
            t += self.rng.sample::<f64, _>(Exp1) / self.max_rate;
            let u: f64 = self.rng.gen();
            if u * self.max_rate <= self.traffic.rate(t) || t > self.horizon {
                return t;
            }
        }
    }
}
