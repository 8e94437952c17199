//! The lognormal candidate: binned maximum likelihood constrained to the
//! exact mean, and the standard normal quantile for its quantiles.
//!
//! The mean of a lognormal is exp(μ + σ²/2), so holding it to the histogram's
//! exact mean leaves one parameter: μ = ln(mean) − σ²/2. The binned
//! log-likelihood is maximised over σ from [`SIGMA_MIN`] to [`SIGMA_MAX`] by a
//! grid of step [`GRID_STEP`] (the first highest point wins ties), then a
//! golden-section search within one step of it. The search is deterministic
//! and only keeps a refinement that is at least as likely as the grid point.

use super::{Data, Fitted};

/// The largest σ searched (a p99/p50 ratio of e^(3·2.33) ≈ 1,000).
pub const SIGMA_MAX: f64 = 3.0;
/// The smallest σ searched: a service time all but fixed.
pub const SIGMA_MIN: f64 = 1e-4;
/// The step of the grid over σ.
pub const GRID_STEP: f64 = 0.01;
/// Golden-section iterations: the bracket shrinks by 0.618 each, from 0.02
/// to below 1e-12.
const REFINE: usize = 60;

/// The constrained maximum-likelihood lognormal of `data` (mean > 0).
pub(super) fn fit(data: &Data) -> Fitted {
    let ln_mean = data.mean.ln();
    let at = |sigma: f64| Fitted::Lognormal { mu: ln_mean - sigma * sigma / 2.0, sigma };
    let score = |sigma: f64| data.log_likelihood(&at(sigma));
    let steps = (SIGMA_MAX / GRID_STEP).round() as usize;
    let mut best = (SIGMA_MAX, f64::NEG_INFINITY);
    for k in 1..=steps {
        let sigma = k as f64 * GRID_STEP;
        let ll = score(sigma);
        if ll > best.1 {
            best = (sigma, ll);
        }
    }
    let refined = golden_max(&score, (best.0 - GRID_STEP).max(SIGMA_MIN), (best.0 + GRID_STEP).min(SIGMA_MAX));
    let sigma = if score(refined) >= best.1 { refined } else { best.0 };
    at(sigma)
}

/// The maximiser of a unimodal `f` on [a, b], by golden-section search.
fn golden_max(f: &impl Fn(f64) -> f64, mut a: f64, mut b: f64) -> f64 {
    let r = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - r * (b - a);
    let mut d = a + r * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..REFINE {
        if fc >= fd {
            b = d;
            d = c;
            fd = fc;
            c = b - r * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + r * (b - a);
            fd = f(d);
        }
    }
    (a + b) / 2.0
}

/// The standard normal quantile, shared with the compiler's distributions.
pub use mlspec_ir::numbers::normal_quantile;
