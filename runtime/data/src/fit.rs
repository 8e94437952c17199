//! Maximum-likelihood fits of the spec language's distributions to observed values.
//!
//! `mlspec data infer` uses [`fit_all`] to draft a `dist ...` line for each numeric column and
//! reports the Kolmogorov–Smirnov distance of the chosen fit as its goodness.
//!
//! Invariants:
//! * std only, deterministic, and panic-free for every input (including NaN and infinities);
//! * every [`Fit`] returned by [`fit_all`] holds a valid [`Dist`] (see [`Dist::is_valid`]) and a KS
//!   distance in `[0, 1]`.

use mlspec_ir::numbers::{gamma_q, ln_gamma};
use std::f64::consts::{PI, SQRT_2};

/// Zipf fits are skipped when the largest value exceeds this (computing `H(n, s)` is `O(n)`).
pub const ZIPF_MAX_N: f64 = 1e6;
/// Bounds of the Zipf exponent search; the language asks for `s` in `(0, 50]`.
const ZIPF_S_MIN: f64 = 1e-6;
const ZIPF_S_MAX: f64 = 50.0;
/// Above this lambda the Poisson CDF uses a continuity-corrected normal approximation
/// (absolute error below about `0.07 / sqrt(lambda)`, i.e. < 7e-5); at or below it the exact
/// regularised incomplete gamma function is used.
const POISSON_EXACT_MAX_LAMBDA: f64 = 1e6;

/// One distribution of the language with its parameters.
///
/// `Lognormal`'s `mean` and `sd` are those of `ln x`. `Poisson` lives on the non-negative
/// integers and `Zipf` on the integers `1..=n` with `P(k) ∝ k^(-s)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dist {
    Normal { mean: f64, sd: f64 },
    Lognormal { mean: f64, sd: f64 },
    Uniform { min: f64, max: f64 },
    Poisson { lambda: f64 },
    Zipf { s: f64, n: f64 },
}

impl Dist {
    /// The language's name of the family: "normal", "lognormal", "uniform", "poisson" or "zipf".
    pub fn name(&self) -> &'static str {
        match self {
            Dist::Normal { .. } => "normal",
            Dist::Lognormal { .. } => "lognormal",
            Dist::Uniform { .. } => "uniform",
            Dist::Poisson { .. } => "poisson",
            Dist::Zipf { .. } => "zipf",
        }
    }

    /// The parameters with the language's names, in the language's order.
    pub fn params(&self) -> Vec<(&'static str, f64)> {
        match *self {
            Dist::Normal { mean, sd } | Dist::Lognormal { mean, sd } => vec![("mean", mean), ("sd", sd)],
            Dist::Uniform { min, max } => vec![("min", min), ("max", max)],
            Dist::Poisson { lambda } => vec![("lambda", lambda)],
            Dist::Zipf { s, n } => vec![("s", s), ("n", n)],
        }
    }

    /// Whether the parameters describe a proper distribution: finite, `sd > 0`, `min < max`,
    /// `lambda > 0`, `s > 0` and `n` an integer `>= 1`.
    pub fn is_valid(&self) -> bool {
        match *self {
            Dist::Normal { mean, sd } | Dist::Lognormal { mean, sd } => mean.is_finite() && sd.is_finite() && sd > 0.0,
            Dist::Uniform { min, max } => min.is_finite() && max.is_finite() && min < max,
            Dist::Poisson { lambda } => lambda.is_finite() && lambda > 0.0,
            Dist::Zipf { s, n } => s.is_finite() && s > 0.0 && n.is_finite() && n >= 1.0 && n.fract() == 0.0,
        }
    }

    /// Whether the distribution lives on the integers (its CDF steps at integers).
    fn is_discrete(&self) -> bool {
        matches!(self, Dist::Poisson { .. } | Dist::Zipf { .. })
    }

    /// `P(X <= x)`, in `[0, 1]` and non-decreasing in `x`; discrete families step at integers.
    /// NaN when `x` is NaN or the parameters are invalid. A Zipf CDF costs `O(n)`.
    pub fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() || !self.is_valid() {
            return f64::NAN;
        }
        let p = match *self {
            Dist::Normal { mean, sd } => normal_cdf((x - mean) / sd),
            Dist::Lognormal { mean, sd } => {
                if x <= 0.0 {
                    0.0
                } else {
                    normal_cdf((x.ln() - mean) / sd)
                }
            }
            Dist::Uniform { min, max } => {
                if x <= min {
                    0.0
                } else if x >= max {
                    1.0
                } else {
                    (x - min) / (max - min)
                }
            }
            Dist::Poisson { lambda } => poisson_cdf(lambda, x.floor()),
            Dist::Zipf { s, n } => {
                let k = x.floor();
                if k < 1.0 {
                    0.0
                } else if k >= n {
                    1.0
                } else {
                    zipf_partial_sum(s, k) / zipf_partial_sum(s, n)
                }
            }
        };
        p.clamp(0.0, 1.0)
    }

    /// `P(X < x)`: equals `cdf(x)` for continuous families and `cdf(x - 1)` at an integer `x`
    /// for discrete ones.
    fn cdf_left(&self, x: f64) -> f64 {
        if self.is_discrete() && x.fract() == 0.0 {
            self.cdf(x - 1.0)
        } else {
            self.cdf(x)
        }
    }

    /// Sum of log densities (continuous families) or log probabilities (discrete families) over the
    /// finite values; non-finite values are skipped. `-inf` when a value lies outside the support
    /// or the parameters are invalid.
    pub fn log_likelihood(&self, values: &[f64]) -> f64 {
        if !self.is_valid() {
            return f64::NEG_INFINITY;
        }
        let half_ln_2pi = 0.5 * (2.0 * PI).ln();
        let log_h = match *self {
            Dist::Zipf { s, n } => zipf_partial_sum(s, n).ln(),
            _ => 0.0,
        };
        let mut total = 0.0;
        for &x in values.iter().filter(|v| v.is_finite()) {
            let term = match *self {
                Dist::Normal { mean, sd } => {
                    let z = (x - mean) / sd;
                    -half_ln_2pi - sd.ln() - 0.5 * z * z
                }
                Dist::Lognormal { mean, sd } => {
                    if x <= 0.0 {
                        return f64::NEG_INFINITY;
                    }
                    let z = (x.ln() - mean) / sd;
                    -half_ln_2pi - sd.ln() - x.ln() - 0.5 * z * z
                }
                Dist::Uniform { min, max } => {
                    if x < min || x > max {
                        return f64::NEG_INFINITY;
                    }
                    -(max - min).ln()
                }
                Dist::Poisson { lambda } => {
                    if x < 0.0 || x.fract() != 0.0 {
                        return f64::NEG_INFINITY;
                    }
                    x * lambda.ln() - lambda - ln_gamma(x + 1.0)
                }
                Dist::Zipf { s, n } => {
                    if x < 1.0 || x > n || x.fract() != 0.0 {
                        return f64::NEG_INFINITY;
                    }
                    -s * x.ln() - log_h
                }
            };
            total += term;
        }
        total
    }
}

/// A fitted candidate and how well it fits.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    pub dist: Dist,
    /// Kolmogorov–Smirnov distance between the data and the fitted CDF, in `[0, 1]`.
    pub ks: f64,
    /// Log-likelihood of the finite values under `dist`.
    pub log_likelihood: f64,
    /// Number of finite values the fit used.
    pub n: usize,
}

/// Every language distribution applicable to the values, each fitted by maximum likelihood, best
/// first (smallest KS distance; ties in the language order normal, lognormal, uniform, poisson,
/// zipf). Non-finite values are ignored. Empty when fewer than 2 finite values or all equal.
///
/// Applicability: normal and uniform always; lognormal when all values are `> 0`; poisson when all
/// are non-negative integers; zipf when all are integers `>= 1` and the largest is at most
/// [`ZIPF_MAX_N`].
pub fn fit_all(values: &[f64]) -> Vec<Fit> {
    let mut xs: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    xs.sort_by(f64::total_cmp);
    let (Some(&lo), Some(&hi)) = (xs.first(), xs.last()) else {
        return Vec::new();
    };
    if xs.len() < 2 || lo == hi {
        return Vec::new();
    }
    let is_int = xs.iter().all(|v| v.fract() == 0.0);

    let mut candidates = Vec::with_capacity(5);
    let (mean, sd) = mean_and_sd(xs.iter().copied());
    candidates.push(Dist::Normal { mean, sd });
    if lo > 0.0 {
        let (mean, sd) = mean_and_sd(xs.iter().map(|v| v.ln()));
        candidates.push(Dist::Lognormal { mean, sd });
    }
    candidates.push(Dist::Uniform { min: lo, max: hi });
    if is_int && lo >= 0.0 {
        candidates.push(Dist::Poisson { lambda: mean });
    }
    if is_int && lo >= 1.0 && hi <= ZIPF_MAX_N {
        let mean_ln = mean_and_sd(xs.iter().map(|v| v.ln())).0;
        candidates.push(Dist::Zipf { s: zipf_mle_s(mean_ln, hi), n: hi });
    }

    let mut fits: Vec<Fit> = candidates
        .into_iter()
        .filter(Dist::is_valid)
        .map(|dist| Fit { dist, ks: ks_sorted(&xs, &dist), log_likelihood: dist.log_likelihood(&xs), n: xs.len() })
        .filter(|f| f.ks.is_finite())
        .collect();
    // Stable, so equal distances keep the language order in which candidates were pushed.
    fits.sort_by(|a, b| a.ks.total_cmp(&b.ks));
    fits
}

/// The KS distance `sup_x |F_n(x) - F(x)|` of the finite values against `dist`, exact for discrete
/// CDFs too: at each distinct value `v` it compares the empirical CDF just before `v` with
/// `P(X < v)` and at `v` with `P(X <= v)`. Non-finite values are ignored and the values need not
/// be sorted (sorted input costs `O(n)` to check). 0 for no finite values; NaN for an invalid
/// `dist`.
pub fn ks_distance(sorted: &[f64], dist: &Dist) -> f64 {
    let mut xs: Vec<f64> = sorted.iter().copied().filter(|v| v.is_finite()).collect();
    xs.sort_by(f64::total_cmp);
    ks_sorted(&xs, dist)
}

/// [`ks_distance`] for finite values sorted ascending.
fn ks_sorted(xs: &[f64], dist: &Dist) -> f64 {
    if !dist.is_valid() {
        return f64::NAN;
    }
    let n = xs.len() as f64;
    let mut zipf = match *dist {
        Dist::Zipf { s, n } => Some(ZipfCursor { s, n, total: zipf_partial_sum(s, n), k: 0.0, cum: 0.0 }),
        _ => None,
    };
    let mut d: f64 = 0.0;
    let mut i = 0;
    while let Some(&v) = xs.get(i) {
        let j = i + xs[i..].iter().take_while(|&&w| w == v).count();
        let (left, at) = match zipf.as_mut() {
            Some(c) => c.left_and_at(v),
            None => (dist.cdf_left(v), dist.cdf(v)),
        };
        d = d.max((left - i as f64 / n).abs()).max((at - j as f64 / n).abs());
        i = j;
    }
    d
}

/// Walks a Zipf CDF upwards so that a KS pass over sorted values costs `O(n + values)`.
/// Invariant: `cum = Σ_{k'=1..=k} k'^(-s)` and `k` only grows.
struct ZipfCursor {
    s: f64,
    n: f64,
    total: f64,
    k: f64,
    cum: f64,
}

impl ZipfCursor {
    fn cdf_up_to(&mut self, x: f64) -> f64 {
        let target = x.floor().min(self.n);
        if target < 1.0 {
            return 0.0;
        }
        if target >= self.n {
            return 1.0;
        }
        if target < self.k {
            // Only reachable for unsorted input; stay correct at O(n) cost.
            return (zipf_partial_sum(self.s, target) / self.total).clamp(0.0, 1.0);
        }
        while self.k < target {
            self.k += 1.0;
            self.cum += (-self.s * self.k.ln()).exp();
        }
        (self.cum / self.total).clamp(0.0, 1.0)
    }

    /// `(P(X < v), P(X <= v))` for `v` not below any earlier `v`.
    fn left_and_at(&mut self, v: f64) -> (f64, f64) {
        let left = if v.fract() == 0.0 { self.cdf_up_to(v - 1.0) } else { self.cdf_up_to(v) };
        (left, self.cdf_up_to(v))
    }
}

/// Mean and root mean squared deviation (the 1/N maximum-likelihood sd) by two passes; the running
/// mean `m += (x - m) / k` cannot overflow for finite inputs.
fn mean_and_sd<I: Iterator<Item = f64> + Clone>(values: I) -> (f64, f64) {
    let mut mean = 0.0;
    let mut count = 0.0;
    for x in values.clone() {
        count += 1.0;
        mean += (x - mean) / count;
    }
    let mut msd = 0.0;
    let mut k = 0.0;
    for x in values {
        k += 1.0;
        let dev = x - mean;
        msd += (dev * dev - msd) / k;
    }
    (mean, msd.sqrt())
}

/// `H(k, s) = Σ_{j=1..=k} j^(-s)`, summed from the smallest terms up.
fn zipf_partial_sum(s: f64, k: f64) -> f64 {
    let mut sum = 0.0;
    let mut j = k.floor();
    while j >= 1.0 {
        sum += (-s * j.ln()).exp();
        j -= 1.0;
    }
    sum
}

/// The Zipf exponent maximising `-s·Σ ln k − N·ln H(n, s)` over `[ZIPF_S_MIN, ZIPF_S_MAX]`.
///
/// The derivative divided by N is `g(s) = E_s[ln K] − mean_ln`, strictly decreasing
/// (`g'(s) = −Var_s[ln K]`), so the log-likelihood is concave: safeguarded Newton on `g` inside a
/// shrinking bracket, falling back to bisection, finds the unique maximiser or the bound it
/// presses against.
fn zipf_mle_s(mean_ln: f64, n: f64) -> f64 {
    let count = n.floor().max(1.0) as usize;
    let ln_k: Vec<f64> = (1..=count).map(|k| (k as f64).ln()).collect();
    // (g(s), g'(s))
    let eval = |s: f64| {
        let (mut h, mut m1, mut m2) = (0.0, 0.0, 0.0);
        for &l in ln_k.iter().rev() {
            let w = (-s * l).exp();
            h += w;
            m1 += w * l;
            m2 += w * l * l;
        }
        let e = m1 / h;
        (e - mean_ln, -(m2 / h - e * e).max(0.0))
    };
    let (mut lo, mut hi) = (ZIPF_S_MIN, ZIPF_S_MAX);
    if eval(lo).0 <= 0.0 {
        return lo;
    }
    if eval(hi).0 >= 0.0 {
        return hi;
    }
    let mut s = 1.0;
    for _ in 0..200 {
        let (g, dg) = eval(s);
        if g == 0.0 {
            return s;
        }
        if g > 0.0 {
            lo = s;
        } else {
            hi = s;
        }
        let newton = if dg < 0.0 { s - g / dg } else { f64::NAN };
        let next = if newton > lo && newton < hi { newton } else { 0.5 * (lo + hi) };
        if (next - s).abs() <= 1e-13 * (1.0 + s) || hi - lo <= 1e-13 * (1.0 + s) {
            return next;
        }
        s = next;
    }
    s
}

/// Standard normal CDF `Φ(z) = erfc(−z/√2)/2`.
fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / SQRT_2)
}

/// Complementary error function, Numerical Recipes' Chebyshev fit: relative error < 1.2e-7
/// everywhere.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07 + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let ans = t * poly.exp();
    if x >= 0.0 {
        ans
    } else {
        2.0 - ans
    }
}

/// `P(X <= k)` for `X ~ Poisson(lambda)` and an integer `k`: `Q(k + 1, lambda)`, the regularised
/// upper incomplete gamma function, for `lambda <= POISSON_EXACT_MAX_LAMBDA`; a
/// continuity-corrected normal approximation above.
fn poisson_cdf(lambda: f64, k: f64) -> f64 {
    if k < 0.0 {
        return 0.0;
    }
    // Beyond 50 sd (plus a margin for small lambda) the upper tail is below 1e-300.
    if k > lambda + 50.0 * lambda.sqrt() + 50.0 {
        return 1.0;
    }
    if lambda > POISSON_EXACT_MAX_LAMBDA {
        return normal_cdf((k + 0.5 - lambda) / lambda.sqrt());
    }
    gamma_q(k + 1.0, lambda)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const N: usize = 20_000;
    /// A sample of n drawn from its own CDF has KS distance below 1.36/sqrt(n) with probability
    /// about 0.95; 1.5 times that leaves room for discreteness-free luck either way.
    fn ks_bound(n: usize) -> f64 {
        1.5 * 1.36 / (n as f64).sqrt()
    }

    /// splitmix64: a tiny deterministic generator, enough for these tests.
    struct Rng(u64);
    impl Rng {
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        /// Uniform in the open interval (0, 1).
        fn uniform(&mut self) -> f64 {
            ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }
        /// Box–Muller.
        fn normal(&mut self, mean: f64, sd: f64) -> f64 {
            let (u1, u2) = (self.uniform(), self.uniform());
            mean + sd * (-2.0 * u1.ln()).sqrt() * (2.0 * PI * u2).cos()
        }
        /// Knuth's product of uniforms (fine for small lambda).
        fn poisson(&mut self, lambda: f64) -> f64 {
            let limit = (-lambda).exp();
            let (mut k, mut p) = (0.0, self.uniform());
            while p > limit {
                k += 1.0;
                p *= self.uniform();
            }
            k
        }
        /// Inversion on the cumulative table of Zipf(s, n).
        fn zipf(&mut self, cumulative: &[f64]) -> f64 {
            let u = self.uniform();
            (cumulative.partition_point(|&c| c < u).min(cumulative.len() - 1) + 1) as f64
        }
    }

    fn zipf_table(s: f64, n: usize) -> Vec<f64> {
        let weights: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-s)).collect();
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        weights
            .iter()
            .map(|w| {
                acc += w / total;
                acc
            })
            .collect()
    }

    fn sample(seed: u64, draw: impl FnMut(&mut Rng) -> f64) -> Vec<f64> {
        let mut rng = Rng(seed);
        let mut draw = draw;
        (0..N).map(|_| draw(&mut rng)).collect()
    }

    fn names(fits: &[Fit]) -> Vec<&'static str> {
        fits.iter().map(|f| f.dist.name()).collect()
    }

    fn fit_of<'a>(fits: &'a [Fit], name: &str) -> &'a Fit {
        fits.iter().find(|f| f.dist.name() == name).unwrap()
    }

    /// The winner is `name`, fits within `ks_bound`, and every other candidate is clearly worse.
    fn assert_wins(fits: &[Fit], name: &str) {
        assert_eq!(fits[0].dist.name(), name, "ranking {:?}", fits.iter().map(|f| (f.dist.name(), f.ks)).collect::<Vec<_>>());
        assert!(fits[0].ks < ks_bound(N), "{name} ks {}", fits[0].ks);
        for f in &fits[1..] {
            assert!(f.ks > 0.03, "{} ks {} is not clearly wrong", f.dist.name(), f.ks);
        }
        assert!(fits.iter().all(|f| f.n == N));
    }

    // Tolerances are 5 standard errors of the MLE at N = 20,000: for normal (and lognormal on
    // ln x) se(mean) = sd/sqrt(N) and se(sd) = sd/sqrt(2N); for poisson se(lambda) = sqrt(lambda/N);
    // for zipf se(s) = 1/sqrt(N·I(s)) with Fisher information I(s) = Var_s[ln K].

    #[test]
    fn normal_is_recovered_and_ranked_first() {
        let xs = sample(1, |r| r.normal(5.0, 2.0));
        let fits = fit_all(&xs);
        assert_eq!(names(&fits).len(), 2, "negatives leave normal and uniform only");
        assert_wins(&fits, "normal");
        let Dist::Normal { mean, sd } = fits[0].dist else { panic!() };
        let n = N as f64;
        assert!((mean - 5.0).abs() < 5.0 * 2.0 / n.sqrt(), "mean {mean}");
        assert!((sd - 2.0).abs() < 5.0 * 2.0 / (2.0 * n).sqrt(), "sd {sd}");
    }

    #[test]
    fn lognormal_is_recovered_and_ranked_first() {
        let xs = sample(2, |r| r.normal(1.0, 0.5).exp());
        let fits = fit_all(&xs);
        assert_eq!(names(&fits).len(), 3);
        assert_wins(&fits, "lognormal");
        let Dist::Lognormal { mean, sd } = fits[0].dist else { panic!() };
        let n = N as f64;
        assert!((mean - 1.0).abs() < 5.0 * 0.5 / n.sqrt(), "mean {mean}");
        assert!((sd - 0.5).abs() < 5.0 * 0.5 / (2.0 * n).sqrt(), "sd {sd}");
    }

    #[test]
    fn uniform_is_recovered_and_ranked_first() {
        let xs = sample(3, |r| 2.0 + 5.0 * r.uniform());
        let fits = fit_all(&xs);
        assert_wins(&fits, "uniform");
        let Dist::Uniform { min, max } = fits[0].dist else { panic!() };
        // min − 2 and 7 − max are about Exponential(mean = 5/(N+1)); 10 means leave e^-10 to luck.
        let tol = 10.0 * 5.0 / N as f64;
        assert!(min >= 2.0 && min - 2.0 < tol, "min {min}");
        assert!(max <= 7.0 && 7.0 - max < tol, "max {max}");
    }

    #[test]
    fn poisson_is_recovered_and_ranked_first() {
        let xs = sample(4, |r| r.poisson(3.0));
        let fits = fit_all(&xs);
        // Zeros in the sample rule out lognormal and zipf.
        assert_eq!(fits.len(), 3);
        assert_wins(&fits, "poisson");
        let Dist::Poisson { lambda } = fits[0].dist else { panic!() };
        assert!((lambda - 3.0).abs() < 5.0 * (3.0 / N as f64).sqrt(), "lambda {lambda}");
    }

    #[test]
    fn zipf_is_recovered_and_ranked_first() {
        let table = zipf_table(1.5, 50);
        let xs = sample(5, |r| r.zipf(&table));
        let fits = fit_all(&xs);
        assert_eq!(fits.len(), 5);
        assert_wins(&fits, "zipf");
        let Dist::Zipf { s, n } = fits[0].dist else { panic!() };
        assert_eq!(n, 50.0);
        let p: Vec<f64> = (0..50).map(|i| table[i] - if i == 0 { 0.0 } else { table[i - 1] }).collect();
        let e: f64 = p.iter().enumerate().map(|(i, q)| q * ((i + 1) as f64).ln()).sum();
        let var: f64 = p.iter().enumerate().map(|(i, q)| q * (((i + 1) as f64).ln() - e).powi(2)).sum();
        let se = 1.0 / (N as f64 * var).sqrt();
        assert!((s - 1.5).abs() < 5.0 * se, "s {s}, se {se}");
        // The MLE is a stationary point: nudging s lowers the likelihood.
        let ll = |s| Dist::Zipf { s, n }.log_likelihood(&xs);
        assert!(ll(s) >= ll(s + 1e-4) && ll(s) >= ll(s - 1e-4));
    }

    #[test]
    fn ks_of_samples_against_their_true_distributions_is_small() {
        let table = zipf_table(1.5, 50);
        let cases: Vec<(Vec<f64>, Dist)> = vec![
            (sample(11, |r| r.normal(5.0, 2.0)), Dist::Normal { mean: 5.0, sd: 2.0 }),
            (sample(12, |r| r.normal(1.0, 0.5).exp()), Dist::Lognormal { mean: 1.0, sd: 0.5 }),
            (sample(13, |r| 2.0 + 5.0 * r.uniform()), Dist::Uniform { min: 2.0, max: 7.0 }),
            (sample(14, |r| r.poisson(3.0)), Dist::Poisson { lambda: 3.0 }),
            (sample(15, |r| r.zipf(&table)), Dist::Zipf { s: 1.5, n: 50.0 }),
        ];
        for (xs, dist) in &cases {
            let d = ks_distance(xs, dist);
            assert!(d < ks_bound(N), "{} ks {d}", dist.name());
        }
        // Wrong families are far off.
        let (uniform, normal, poisson) = (&cases[2].0, &cases[0].0, &cases[3].0);
        assert!(ks_distance(uniform, &Dist::Normal { mean: 4.5, sd: 5.0 / 12f64.sqrt() }) > 0.04);
        assert!(ks_distance(normal, &Dist::Uniform { min: -3.0, max: 13.0 }) > 0.1);
        assert!(ks_distance(poisson, &Dist::Normal { mean: 3.0, sd: 3f64.sqrt() }) > 0.1);
        assert!(ks_distance(poisson, &Dist::Poisson { lambda: 4.0 }) > 0.1);
    }

    #[test]
    fn ks_is_exact_for_discrete_cdfs() {
        // Zipf(1, 2): P(1) = 2/3, P(2) = 1/3 — exactly the data's frequencies.
        let d = ks_distance(&[1.0, 1.0, 2.0], &Dist::Zipf { s: 1.0, n: 2.0 });
        assert!(d < 1e-12, "{d}");
        let lambda: f64 = 0.7;
        let f0 = (-lambda).exp();
        let f1 = f0 * (1.0 + lambda);
        // Empirical CDF: 0 below 0, 1/2 on [0, 1), 1 from 1; F(-1) = 0 so only F(0) and F(1) can differ.
        let want = (f0 - 0.5).abs().max((f1 - 1.0).abs());
        let d = ks_distance(&[1.0, 0.0], &Dist::Poisson { lambda });
        assert!((d - want).abs() < 1e-12, "{d} vs {want}");
        assert!((ks_distance(&[0.5], &Dist::Uniform { min: 0.0, max: 1.0 }) - 0.5).abs() < 1e-15);
        assert_eq!(ks_distance(&[], &Dist::Uniform { min: 0.0, max: 1.0 }), 0.0);
        assert!(ks_distance(&[1.0], &Dist::Uniform { min: 1.0, max: 1.0 }).is_nan());
        // Unsorted input and non-finite values give the same distance as sorted finite input.
        let dist = Dist::Zipf { s: 1.2, n: 9.0 };
        let sorted = [1.0, 1.0, 2.0, 3.0, 3.0, 5.0, 9.0];
        let messy = [9.0, 3.0, f64::NAN, 1.0, 5.0, 1.0, f64::INFINITY, 3.0, 2.0];
        assert_eq!(ks_distance(&sorted, &dist), ks_distance(&messy, &dist));
    }

    #[test]
    fn edge_cases_give_no_fits() {
        assert!(fit_all(&[]).is_empty());
        assert!(fit_all(&[3.0]).is_empty());
        assert!(fit_all(&[2.5, 2.5, 2.5]).is_empty());
        assert!(fit_all(&[f64::NAN, 1.0, f64::INFINITY, f64::NEG_INFINITY]).is_empty());
        // Extreme magnitudes: the normal's sd overflows and is dropped; nothing panics.
        assert_eq!(names(&fit_all(&[1e308, -1e308])), vec!["uniform"]);
        assert!(fit_all(&[0.0, 1e300, 5.0]).iter().all(|f| f.dist.is_valid() && (0.0..=1.0).contains(&f.ks)));
    }

    #[test]
    fn non_finite_values_are_ignored() {
        let clean = fit_all(&[1.0, 2.0, 2.0, 3.0, 7.0]);
        let dirty = fit_all(&[f64::NAN, 1.0, 2.0, f64::INFINITY, 2.0, 3.0, f64::NEG_INFINITY, 7.0]);
        assert_eq!(clean, dirty);
        assert!(clean.iter().all(|f| f.n == 5));
    }

    #[test]
    fn support_decides_which_families_apply() {
        let sorted = |xs: &[f64]| {
            let mut v = names(&fit_all(xs));
            v.sort_unstable();
            v
        };
        assert_eq!(sorted(&[-1.0, 2.0, 3.0]), vec!["normal", "uniform"]);
        assert_eq!(sorted(&[0.5, 2.0, 3.0]), vec!["lognormal", "normal", "uniform"]);
        assert_eq!(sorted(&[0.0, 2.0, 3.0]), vec!["normal", "poisson", "uniform"]);
        assert_eq!(sorted(&[1.0, 2.0, 3.0]), vec!["lognormal", "normal", "poisson", "uniform", "zipf"]);
        assert_eq!(sorted(&[-2.0, 2.0, 3.0]), vec!["normal", "uniform"]);
        // Zipf's H(n, s) is O(n): skipped above ZIPF_MAX_N.
        assert_eq!(sorted(&[1.0, 2.0, 2e6]), vec!["lognormal", "normal", "poisson", "uniform"]);
    }

    #[test]
    fn fits_are_sorted_with_valid_parameters() {
        let fits = fit_all(&[1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 5.0, 8.0]);
        assert_eq!(fits.len(), 5);
        for w in fits.windows(2) {
            assert!(w[0].ks <= w[1].ks);
        }
        for f in &fits {
            assert!(f.dist.is_valid() && (0.0..=1.0).contains(&f.ks) && f.log_likelihood.is_finite());
        }
        let Dist::Poisson { lambda } = fit_of(&fits, "poisson").dist else { panic!() };
        assert!((lambda - 23.0 / 8.0).abs() < 1e-12);
        let Dist::Normal { mean, sd } = fit_of(&fits, "normal").dist else { panic!() };
        let msd = [1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 5.0, 8.0].iter().map(|x: &f64| (x - mean).powi(2)).sum::<f64>() / 8.0;
        assert!((mean - 23.0 / 8.0).abs() < 1e-12 && (sd - msd.sqrt()).abs() < 1e-12);
    }

    fn families() -> Vec<Dist> {
        vec![
            Dist::Normal { mean: 1.0, sd: 2.0 },
            Dist::Lognormal { mean: 0.5, sd: 0.8 },
            Dist::Uniform { min: -1.0, max: 4.0 },
            Dist::Poisson { lambda: 3.5 },
            Dist::Poisson { lambda: 5e5 },
            Dist::Poisson { lambda: 3e6 },
            Dist::Zipf { s: 1.1, n: 20.0 },
        ]
    }

    #[test]
    fn cdf_is_monotone_and_within_unit_interval() {
        for dist in families() {
            let center = match dist {
                Dist::Poisson { lambda } => lambda,
                _ => 1.0,
            };
            let scale = match dist {
                Dist::Poisson { lambda } => lambda.sqrt(),
                _ => 1.0,
            };
            let mut prev = 0.0;
            for i in -4000..=4000 {
                let x = center + scale * i as f64 * 0.01;
                let p = dist.cdf(x);
                assert!((0.0..=1.0).contains(&p) && p >= prev - 1e-12, "{} at {x}: {p} after {prev}", dist.name());
                prev = p;
            }
            assert!(dist.cdf(-1e300) == 0.0 && dist.cdf(1e300) == 1.0, "{}", dist.name());
            assert!(dist.cdf(f64::NAN).is_nan());
        }
    }

    #[test]
    fn discrete_cdfs_step_at_integers() {
        for dist in [Dist::Poisson { lambda: 3.5 }, Dist::Zipf { s: 1.1, n: 20.0 }] {
            for k in 1..10 {
                let k = k as f64;
                assert_eq!(dist.cdf(k), dist.cdf(k + 0.5));
                assert_eq!(dist.cdf(k), dist.cdf(k + 0.999));
                assert!(dist.cdf(k - 1e-9) < dist.cdf(k), "{} at {k}", dist.name());
                assert_eq!(dist.cdf(k - 1e-9), dist.cdf(k - 1.0));
            }
        }
        assert_eq!(Dist::Poisson { lambda: 2.0 }.cdf(-0.5), 0.0);
        assert_eq!(Dist::Zipf { s: 2.0, n: 5.0 }.cdf(0.99), 0.0);
        assert_eq!(Dist::Zipf { s: 2.0, n: 5.0 }.cdf(5.0), 1.0);
    }

    #[test]
    fn cdfs_match_known_values() {
        let std_normal = Dist::Normal { mean: 0.0, sd: 1.0 };
        for (x, want) in [(0.0, 0.5), (1.959_963_984_540_054, 0.975), (-3.0, 0.001_349_898_031_630_094_5), (1.0, 0.841_344_746_068_542_9)] {
            assert!((std_normal.cdf(x) - want).abs() < 2e-7 * want, "Φ({x})");
        }
        assert!((Dist::Lognormal { mean: 0.0, sd: 1.0 }.cdf(1.0) - 0.5).abs() < 1e-7);
        // Small lambda: against the summed pmf.
        let lambda: f64 = 3.0;
        let mut term = (-lambda).exp();
        let mut acc = 0.0;
        for k in 0..30 {
            acc += term;
            let got = Dist::Poisson { lambda }.cdf(k as f64);
            assert!((got - acc).abs() < 1e-13, "k {k}: {got} vs {acc}");
            term *= lambda / (k + 1) as f64;
        }
        // Large lambda: P(X <= lambda) = 1/2 + (2/3)·φ(0)/sqrt(lambda) + O(1/lambda) (Edgeworth).
        let lambda = 1e6;
        let want = 0.5 + (2.0 / 3.0) / (2.0 * PI * lambda).sqrt();
        let got = Dist::Poisson { lambda }.cdf(lambda);
        assert!((got - want).abs() < 5e-6, "{got} vs {want}");
        assert!((ln_gamma(10.0) - 362_880f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - 0.5 * PI.ln()).abs() < 1e-12);
    }

    #[test]
    fn log_likelihood_matches_formulas_and_support() {
        let n = Dist::Normal { mean: 1.0, sd: 2.0 };
        let want = -0.5 * (2.0 * PI).ln() - 2f64.ln() - 0.5 * 0.25;
        assert!((n.log_likelihood(&[2.0, f64::NAN]) - want).abs() < 1e-12);
        assert!((Dist::Uniform { min: 0.0, max: 4.0 }.log_likelihood(&[1.0, 3.0]) + 2.0 * 4f64.ln()).abs() < 1e-12);
        assert!((Dist::Poisson { lambda: 2.0 }.log_likelihood(&[3.0]) - (8.0 / 6.0 * (-2f64).exp()).ln()).abs() < 1e-12);
        assert!((Dist::Zipf { s: 1.0, n: 2.0 }.log_likelihood(&[2.0]) - (1.0f64 / 3.0).ln()).abs() < 1e-12);
        assert_eq!(Dist::Lognormal { mean: 0.0, sd: 1.0 }.log_likelihood(&[0.0]), f64::NEG_INFINITY);
        assert_eq!(Dist::Uniform { min: 0.0, max: 1.0 }.log_likelihood(&[1.5]), f64::NEG_INFINITY);
        assert_eq!(Dist::Poisson { lambda: 1.0 }.log_likelihood(&[1.5]), f64::NEG_INFINITY);
        assert_eq!(Dist::Zipf { s: 1.0, n: 3.0 }.log_likelihood(&[4.0]), f64::NEG_INFINITY);
        assert_eq!(Dist::Normal { mean: 0.0, sd: 0.0 }.log_likelihood(&[0.0]), f64::NEG_INFINITY);
    }

    #[test]
    fn names_params_and_validity() {
        let all = [
            (Dist::Normal { mean: 1.0, sd: 2.0 }, "normal", vec![("mean", 1.0), ("sd", 2.0)]),
            (Dist::Lognormal { mean: 1.0, sd: 2.0 }, "lognormal", vec![("mean", 1.0), ("sd", 2.0)]),
            (Dist::Uniform { min: 1.0, max: 2.0 }, "uniform", vec![("min", 1.0), ("max", 2.0)]),
            (Dist::Poisson { lambda: 3.0 }, "poisson", vec![("lambda", 3.0)]),
            (Dist::Zipf { s: 1.5, n: 9.0 }, "zipf", vec![("s", 1.5), ("n", 9.0)]),
        ];
        for (dist, name, params) in all {
            assert_eq!(dist.name(), name);
            assert_eq!(dist.params(), params);
            assert!(dist.is_valid());
        }
        for bad in [
            Dist::Normal { mean: 0.0, sd: 0.0 },
            Dist::Lognormal { mean: f64::NAN, sd: 1.0 },
            Dist::Uniform { min: 2.0, max: 2.0 },
            Dist::Poisson { lambda: 0.0 },
            Dist::Zipf { s: 1.0, n: 2.5 },
            Dist::Zipf { s: 0.0, n: 3.0 },
        ] {
            assert!(!bad.is_valid() && bad.cdf(1.0).is_nan(), "{bad:?}");
        }
    }

    #[test]
    fn zipf_exponent_presses_against_its_bounds() {
        // All mass at 1 except one value: the likelihood keeps rising with s, up to the cap of 50.
        let mut xs = vec![1.0; 1000];
        xs.push(2.0);
        let Dist::Zipf { s, .. } = fit_of(&fit_all(&xs), "zipf").dist else { panic!() };
        assert!(s > 9.0 && s <= 50.0, "{s}");
        // Data heavier at the top than uniform: the optimum is at the lower bound.
        let Dist::Zipf { s, .. } = fit_of(&fit_all(&[1.0, 10.0, 10.0, 10.0]), "zipf").dist else { panic!() };
        assert_eq!(s, ZIPF_S_MIN);
    }
}
