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

/// The standard normal quantile Φ⁻¹(p), by Acklam's rational approximation
/// (relative error < 1.2e-9); −∞ at 0, +∞ at 1, NaN outside.
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] =
        [-5.447_609_879_822_406e1, 1.615_858_368_580_409e2, -1.556_989_798_598_866e2, 6.680_131_188_771_972e1, -1.328_068_155_288_572e1];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [7.784_695_709_041_462e-3, 3.224_671_290_700_398e-1, 2.445_134_137_142_996, 3.754_408_661_907_416];
    const LOW: f64 = 0.024_25;
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let tail = |q: f64| {
        let num = ((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5];
        let den = (((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0;
        num / den
    };
    if p < LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - LOW {
        -tail((-2.0 * (-p).ln_1p()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        let num = (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q;
        let den = ((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0;
        num / den
    }
}
