//! Service-time distributions fitted to a histogram's bucketed counts.
//!
//! The input is the [`BucketCounts`] of a run (the [`delta`] of two scrapes):
//! counts per bucket, and the exact sum and count of the observations. Four
//! candidates are fitted, each holding the exact mean where it can:
//!
//! - `fixed`: every request takes the mean;
//! - `exponential`: with the mean;
//! - `lognormal`: binned maximum likelihood constrained to the mean (for a
//!   given σ, μ = ln(mean) − σ²/2; see [`lognormal`]);
//! - `binned`: the empirical distribution, values spread evenly inside each
//!   bucket, as [`BINNED_POINTS`] quantile points (see [`binned`]).
//!
//! Each is judged by the binned Kolmogorov–Smirnov distance, the largest
//! |F_fit(edge) − F_emp(edge)| over the finite bucket edges, and by the binned
//! log-likelihood Σ nᵢ ln(F(hiᵢ) − F(loᵢ)).
//!
//! **Selection rule** (deterministic): the parametric candidates are taken in
//! the order fixed, exponential, lognormal; one whose KS distance exceeds
//! [`KS_THRESHOLD`] is out; a later one replaces the current choice only when
//! its distance is smaller by more than [`KS_TIE`] (a tie goes to the simpler
//! family). With no parametric candidate left, the best is `binned`, which
//! matches the data at every edge by construction.
//!
//! **Invariant:** for a [`Fitted`], `cdf`, `quantile_s` and `mean_s` describe
//! the distribution its [`Sampler`] draws from.
//!
//! [`delta`]: crate::prometheus::delta

pub mod binned;
pub mod lognormal;
#[cfg(test)]
mod tests;

use std::fmt;

use mlspec_sim::dist::{normal_cdf, Sampler};
use serde::{Deserialize, Serialize};

use crate::prometheus::BucketCounts;

/// Fewer observations than this are too few to fit.
pub const MIN_OBSERVATIONS: f64 = 30.0;
/// The largest binned KS distance at which a parametric family is chosen.
pub const KS_THRESHOLD: f64 = 0.05;
/// How much smaller a richer family's KS distance must be to be preferred.
pub const KS_TIE: f64 = 0.001;
/// Quantile points of a `binned` distribution.
pub const BINNED_POINTS: usize = 1000;
/// A probability below this counts as this in a log-likelihood, so a
/// candidate that rules an observed bucket out scores very low, not −∞.
const PROB_FLOOR: f64 = 1e-300;
/// The fixed candidate's value is the mean, moved onto a bucket edge within
/// this relative distance: a value observed exactly on an edge (`le` is ≤)
/// has a float sum whose mean may round just above it.
const SNAP: f64 = 1e-9;

/// A fitted service-time distribution, in seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case")]
pub enum Fitted {
    Fixed {
        s: f64,
    },
    Exponential {
        mean_s: f64,
    },
    /// exp(μ + σ Z).
    Lognormal {
        mu: f64,
        sigma: f64,
    },
    /// Equally likely values, ascending.
    Binned {
        quantiles_s: Vec<f64>,
    },
}

impl Fitted {
    /// The family's name, as in [`Candidate::name`].
    pub fn name(&self) -> &'static str {
        match self {
            Fitted::Fixed { .. } => "fixed",
            Fitted::Exponential { .. } => "exponential",
            Fitted::Lognormal { .. } => "lognormal",
            Fitted::Binned { .. } => "binned",
        }
    }

    /// The simulator's sampler for this distribution (an empty `binned`
    /// draws 0). Its samples are finite and ≥ 0 when [`Fitted::is_valid`].
    pub fn sampler(&self) -> Sampler {
        match self {
            Fitted::Fixed { s } => Sampler::Fixed(s.max(0.0)),
            Fitted::Exponential { mean_s } => Sampler::Exponential { mean: mean_s.max(0.0) },
            Fitted::Lognormal { mu, sigma } => Sampler::Lognormal { mu: *mu, sigma: *sigma },
            Fitted::Binned { quantiles_s } if quantiles_s.is_empty() => Sampler::Fixed(0.0),
            Fitted::Binned { quantiles_s } => Sampler::Empirical(quantiles_s.clone().into_boxed_slice()),
        }
    }

    /// Whether every parameter is finite, scales are ≥ 0 and a `binned`'s
    /// points are non-empty, ≥ 0 and ascending: always so for [`fit`]'s
    /// results; check one read back from a file.
    pub fn is_valid(&self) -> bool {
        let ok = |x: f64| x.is_finite() && x >= 0.0;
        match self {
            Fitted::Fixed { s } => ok(*s),
            Fitted::Exponential { mean_s } => ok(*mean_s),
            Fitted::Lognormal { mu, sigma } => mu.is_finite() && ok(*sigma),
            Fitted::Binned { quantiles_s: q } => !q.is_empty() && q.iter().all(|x| ok(*x)) && q.windows(2).all(|w| w.first() <= w.last()),
        }
    }

    /// The mean, seconds (of the points, for `binned`).
    pub fn mean_s(&self) -> f64 {
        match self {
            Fitted::Fixed { s } => *s,
            Fitted::Exponential { mean_s } => *mean_s,
            Fitted::Lognormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Fitted::Binned { quantiles_s: q } => q.iter().sum::<f64>() / q.len().max(1) as f64,
        }
    }

    /// The `q` quantile (q clamped to 0..=1; q = 1 may be +∞), seconds: the
    /// least x with `cdf(x) ≥ q`.
    pub fn quantile_s(&self, q: f64) -> f64 {
        let q = q.clamp(0.0, 1.0);
        match self {
            Fitted::Fixed { s } => *s,
            Fitted::Exponential { mean_s } => -mean_s * (-q).ln_1p(),
            Fitted::Lognormal { mu, sigma } => (mu + sigma * lognormal::normal_quantile(q)).exp(),
            Fitted::Binned { quantiles_s: v } => {
                let i = ((q * v.len() as f64).ceil() as usize).saturating_sub(1);
                v.get(i).or(v.last()).copied().unwrap_or(0.0)
            }
        }
    }

    /// P(X ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        match self {
            Fitted::Fixed { s } => f64::from(u8::from(x >= *s)),
            Fitted::Exponential { mean_s } => {
                if x <= 0.0 {
                    0.0
                } else if *mean_s <= 0.0 {
                    1.0
                } else {
                    -(-x / mean_s).exp_m1()
                }
            }
            Fitted::Lognormal { mu, sigma } => match lognormal_z(*mu, *sigma, x) {
                Some(z) => normal_cdf(z),
                None => f64::from(u8::from(x >= mu.exp())),
            },
            Fitted::Binned { quantiles_s: v } => v.partition_point(|p| *p <= x) as f64 / v.len().max(1) as f64,
        }
    }

    /// P(X > x), computed directly where `1 − cdf` loses the upper tail.
    fn sf(&self, x: f64) -> f64 {
        match self {
            Fitted::Exponential { mean_s } if x > 0.0 && *mean_s > 0.0 => (-x / mean_s).exp(),
            Fitted::Lognormal { mu, sigma } => match lognormal_z(*mu, *sigma, x) {
                Some(z) => normal_cdf(-z),
                None => f64::from(u8::from(x < mu.exp())),
            },
            _ => 1.0 - self.cdf(x),
        }
    }

    /// P(lo < X ≤ hi), from whichever tail holds `lo` (the more precise).
    fn prob(&self, lo: f64, hi: f64) -> f64 {
        let below = self.cdf(lo);
        let p = if below > 0.5 { self.sf(lo) - self.sf(hi) } else { self.cdf(hi) - below };
        p.max(0.0)
    }
}

/// (ln x − μ) / σ, ±∞ at x = 0 and +∞; None when σ is 0 (a step at e^μ).
fn lognormal_z(mu: f64, sigma: f64, x: f64) -> Option<f64> {
    if sigma <= 0.0 {
        return None;
    }
    Some(if x <= 0.0 {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        f64::INFINITY
    } else {
        (x.ln() - mu) / sigma
    })
}

/// One fitted family and how well it matches the histogram.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    pub name: &'static str,
    pub fitted: Fitted,
    /// Binned Kolmogorov–Smirnov distance over the finite bucket edges.
    pub ks: f64,
    /// Σ nᵢ ln P(bucket i), each P at least 1e-300.
    pub log_likelihood: f64,
}

/// The chosen distribution and every candidate, in the order fixed,
/// exponential, lognormal, binned.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fit {
    pub best: Fitted,
    pub name: &'static str,
    pub ks: f64,
    pub candidates: Vec<Candidate>,
}

/// Why a histogram gives no fit.
#[derive(Clone, Debug, PartialEq)]
pub enum FitError {
    /// Fewer than [`MIN_OBSERVATIONS`] observations.
    TooFew { count: f64 },
    /// Every observation is 0 s (the sum is 0).
    AllZero,
    /// The counts, bounds or sum are not a histogram of durations.
    BadNumbers { message: String },
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitError::TooFew { count } => {
                write!(f, "only {count} observations; a fit needs at least {MIN_OBSERVATIONS} (run the load for longer)")
            }
            FitError::AllZero => write!(f, "every observation is 0 s, so there is no service time to fit"),
            FitError::BadNumbers { message } => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for FitError {}

/// A histogram checked for fitting.
struct Data {
    /// `(lo, hi, n)` per bucket: the first lo is 0, the last hi +∞.
    buckets: Vec<(f64, f64, f64)>,
    /// `(edge, F_emp(edge))` at each finite upper bound.
    edges: Vec<(f64, f64)>,
    count: f64,
    sum: f64,
    mean: f64,
}

impl Data {
    fn new(counts: &BucketCounts) -> Result<Data, FitError> {
        let bad = |message: &str| Err(FitError::BadNumbers { message: message.to_string() });
        let up = &counts.upper;
        if up.iter().any(|b| !b.is_finite() || *b <= 0.0) || up.windows(2).any(|w| w.first() >= w.last()) {
            return bad("the bucket bounds of a duration histogram must be positive, finite and ascending");
        }
        if counts.cumulative.len() != up.len() + 1 {
            return bad("the histogram has a count for each bucket bound and one for +Inf");
        }
        let buckets = counts.per_bucket();
        if buckets.iter().any(|(_, _, n)| !(n.is_finite() && *n >= 0.0)) {
            return bad("the histogram's bucket counts must be finite, non-negative and cumulative");
        }
        let count = counts.cumulative.last().copied().unwrap_or(0.0);
        let agrees = (count - counts.count).abs() <= 1e-9 * count.max(1.0);
        if !agrees {
            return bad("the histogram's count differs from its +Inf bucket");
        }
        if count < MIN_OBSERVATIONS {
            return Err(FitError::TooFew { count });
        }
        let sum = counts.sum;
        if !(sum.is_finite() && sum >= 0.0) {
            return bad("the histogram has no finite, non-negative sum of observations, so its mean is unknown");
        }
        if sum == 0.0 {
            return Err(FitError::AllZero);
        }
        let least: f64 = buckets.iter().map(|(lo, _, n)| lo * n).sum();
        let most: f64 = buckets.iter().map(|(_, hi, n)| if *n > 0.0 { hi * n } else { 0.0 }).sum();
        if sum < least * (1.0 - 1e-6) || sum > most * (1.0 + 1e-6) {
            return bad("the histogram's sum does not fit its buckets (sum and buckets from different runs?)");
        }
        let edges = up.iter().zip(&counts.cumulative).map(|(e, c)| (*e, c / count)).collect();
        Ok(Data { buckets, edges, count, sum, mean: sum / count })
    }

    fn ks(&self, f: &Fitted) -> f64 {
        self.edges.iter().map(|(e, emp)| (f.cdf(*e) - emp).abs()).fold(0.0, f64::max)
    }

    fn log_likelihood(&self, f: &Fitted) -> f64 {
        self.buckets.iter().filter(|(_, _, n)| *n > 0.0).map(|(lo, hi, n)| n * f.prob(*lo, *hi).max(PROB_FLOOR).ln()).sum()
    }

    fn candidate(&self, fitted: Fitted) -> Candidate {
        Candidate { name: fitted.name(), ks: self.ks(&fitted), log_likelihood: self.log_likelihood(&fitted), fitted }
    }
}

/// Fits the four candidates to `counts` and chooses one by the module's rule.
pub fn fit(counts: &BucketCounts) -> Result<Fit, FitError> {
    let data = Data::new(counts)?;
    let snapped = data.edges.iter().map(|(e, _)| *e).find(|e| (data.mean - e).abs() <= SNAP * e);
    let mut candidates = vec![
        data.candidate(Fitted::Fixed { s: snapped.unwrap_or(data.mean) }),
        data.candidate(Fitted::Exponential { mean_s: data.mean }),
        data.candidate(lognormal::fit(&data)),
    ];
    let mut best: Option<&Candidate> = None;
    for c in candidates.iter().filter(|c| c.ks <= KS_THRESHOLD) {
        if best.is_none_or(|b| c.ks < b.ks - KS_TIE) {
            best = Some(c);
        }
    }
    let chosen = best.map(|c| (c.fitted.clone(), c.ks));
    candidates.push(binned::candidate(&data));
    let (best, ks) = match chosen {
        Some(chosen) => chosen,
        None => candidates.last().map(|c| (c.fitted.clone(), c.ks)).unwrap_or((Fitted::Fixed { s: data.mean }, f64::NAN)),
    };
    Ok(Fit { name: best.name(), best, ks, candidates })
}
