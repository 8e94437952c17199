//! Drift statistics between a reference sample and a current one: PSI, the
//! two-sample Kolmogorov–Smirnov test, the chi-square test of homogeneity,
//! the Wasserstein-1 distance and the Jensen–Shannon distance.
//!
//! Each is checked against independent reference values (scipy and numpy,
//! `runtime/drift/tests/fixtures/drift_stats.py`) to 1e-6, for the formulas
//! chosen here: the KS p-value is the asymptotic Kolmogorov distribution
//! (not `ks_2samp`'s default, exact for small samples), and chi-square has
//! no continuity correction (scipy's `chi2_contingency` applies Yates' by
//! default at one degree of freedom).
//!
//! **Invariant:** every function returns a finite number for any input,
//! empty samples included (0 distance, p-value 1: no evidence of drift).

/// Reference proportions below this are raised to it before PSI and JS, so
/// an empty bin does not make the statistic infinite.
pub const MIN_SHARE: f64 = 1e-4;
/// Bins of PSI and JS on numeric features: deciles of the reference.
pub const DEFAULT_BINS: usize = 10;

/// Bin edges at the reference's quantiles i/B for i = 1..B-1 (linear
/// interpolation between order statistics, numpy's default).
pub fn quantile_edges(reference: &[f64], bins: usize) -> Vec<f64> {
    let mut v: Vec<f64> = reference.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() || bins < 2 {
        return Vec::new();
    }
    v.sort_by(f64::total_cmp);
    (1..bins)
        .map(|i| {
            let pos = (v.len() - 1) as f64 * i as f64 / bins as f64;
            let lo = pos.floor() as usize;
            let hi = (lo + 1).min(v.len() - 1);
            let frac = pos - lo as f64;
            let (a, b) = (v.get(lo).copied().unwrap_or(0.0), v.get(hi).copied().unwrap_or(0.0));
            a + (b - a) * frac
        })
        .collect()
}

/// Counts per bin: bin i holds x with edges[i-1] < x ≤ edges[i].
pub fn bin_counts(sample: &[f64], edges: &[f64]) -> Vec<u64> {
    let mut counts = vec![0u64; edges.len() + 1];
    for &x in sample.iter().filter(|x| x.is_finite()) {
        let i = edges.partition_point(|e| *e < x);
        if let Some(c) = counts.get_mut(i) {
            *c += 1;
        }
    }
    counts
}

fn shares(counts: &[u64]) -> Vec<f64> {
    let n: u64 = counts.iter().sum();
    counts.iter().map(|&c| if n == 0 { 0.0 } else { c as f64 / n as f64 }.max(MIN_SHARE)).collect()
}

/// Population stability index over matching bins: Σ (c − r) ln(c / r).
pub fn psi_counts(reference: &[u64], current: &[u64]) -> f64 {
    if reference.iter().sum::<u64>() == 0 || current.iter().sum::<u64>() == 0 {
        return 0.0;
    }
    let (r, c) = (shares(reference), shares(current));
    r.iter().zip(&c).map(|(r, c)| (c - r) * (c / r).ln()).sum()
}

/// PSI of numeric samples on the reference's quantile bins.
pub fn psi(reference: &[f64], current: &[f64], bins: usize) -> f64 {
    let edges = quantile_edges(reference, bins);
    psi_counts(&bin_counts(reference, &edges), &bin_counts(current, &edges))
}

/// Jensen–Shannon distance (natural log; the square root of the divergence)
/// between the bin shares of two samples.
pub fn js_counts(reference: &[u64], current: &[u64]) -> f64 {
    if reference.iter().sum::<u64>() == 0 || current.iter().sum::<u64>() == 0 {
        return 0.0;
    }
    let (p, q) = (shares(reference), shares(current));
    let (sp, sq): (f64, f64) = (p.iter().sum(), q.iter().sum());
    let mut d = 0.0;
    for (p, q) in p.iter().zip(&q) {
        let (p, q) = (p / sp, q / sq);
        let m = (p + q) / 2.0;
        d += 0.5 * (p * (p / m).ln() + q * (q / m).ln());
    }
    d.max(0.0).sqrt()
}

/// Jensen–Shannon distance of numeric samples on the reference's quantile bins.
pub fn js(reference: &[f64], current: &[f64], bins: usize) -> f64 {
    let edges = quantile_edges(reference, bins);
    js_counts(&bin_counts(reference, &edges), &bin_counts(current, &edges))
}

/// The two-sample Kolmogorov–Smirnov statistic D and its asymptotic p-value
/// (the Kolmogorov distribution at √(nm/(n+m)) · D).
pub fn ks(reference: &[f64], current: &[f64]) -> (f64, f64) {
    let mut a: Vec<f64> = reference.iter().copied().filter(|x| x.is_finite()).collect();
    let mut b: Vec<f64> = current.iter().copied().filter(|x| x.is_finite()).collect();
    if a.is_empty() || b.is_empty() {
        return (0.0, 1.0);
    }
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (n, m) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0usize, 0usize, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / n - j as f64 / m).abs());
    }
    let en = (n * m / (n + m)).sqrt();
    (d, kolmogorov_sf(en * d))
}

/// P(K > x) for the Kolmogorov distribution: 2 Σ (−1)^(k−1) e^(−2k²x²),
/// or 1 − (√(2π)/x) Σ e^(−(2k−1)²π²/(8x²)) for small x, where it converges
/// faster.
pub fn kolmogorov_sf(x: f64) -> f64 {
    if !x.is_finite() || x <= 0.0 {
        return 1.0;
    }
    if x < 1.0 {
        let pi2 = std::f64::consts::PI * std::f64::consts::PI;
        let mut s = 0.0;
        for k in 1..=20 {
            let t = f64::from(2 * k - 1);
            s += (-t * t * pi2 / (8.0 * x * x)).exp();
        }
        (1.0 - (2.0 * std::f64::consts::PI).sqrt() / x * s).clamp(0.0, 1.0)
    } else {
        let mut s = 0.0;
        for k in 1..=100 {
            let k = f64::from(k);
            let term = (-2.0 * k * k * x * x).exp();
            s += if k as u32 % 2 == 1 { term } else { -term };
            if term < 1e-300 {
                break;
            }
        }
        (2.0 * s).clamp(0.0, 1.0)
    }
}

/// The chi-square test of homogeneity of two count vectors over the same
/// categories (a 2 × K table, no continuity correction): the statistic and
/// its p-value with K' − 1 degrees of freedom, K' the categories seen in
/// either sample.
pub fn chi2(reference: &[u64], current: &[u64]) -> (f64, f64) {
    let (nr, nc) = (reference.iter().sum::<u64>() as f64, current.iter().sum::<u64>() as f64);
    if nr == 0.0 || nc == 0.0 {
        return (0.0, 1.0);
    }
    let total = nr + nc;
    let mut stat = 0.0;
    let mut k = 0u32;
    for (r, c) in reference.iter().zip(current) {
        let col = (r + c) as f64;
        if col == 0.0 {
            continue;
        }
        k += 1;
        for (obs, row) in [(*r as f64, nr), (*c as f64, nc)] {
            let exp = row * col / total;
            stat += (obs - exp) * (obs - exp) / exp;
        }
    }
    if k < 2 {
        return (0.0, 1.0);
    }
    (stat, chi2_sf(stat, f64::from(k - 1)))
}

/// P(X > x) for chi-square with `df` degrees of freedom: the regularised
/// upper incomplete gamma Q(df/2, x/2).
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    if !x.is_finite() || x <= 0.0 {
        return 1.0;
    }
    mlspec_ir::numbers::gamma_q(df / 2.0, x / 2.0)
}

/// The Wasserstein-1 (earth mover's) distance between two samples: the
/// integral of |F_a − F_b|.
pub fn wasserstein(a: &[f64], b: &[f64]) -> f64 {
    let mut a: Vec<f64> = a.iter().copied().filter(|x| x.is_finite()).collect();
    let mut b: Vec<f64> = b.iter().copied().filter(|x| x.is_finite()).collect();
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (n, m) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut x = a[0].min(b[0]);
    let mut total = 0.0;
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(p), Some(q)) => p.min(*q),
            (Some(p), None) => *p,
            (None, Some(q)) => *q,
            (None, None) => break,
        };
        total += (i as f64 / n - j as f64 / m).abs() * (next - x);
        x = next;
        while a.get(i).is_some_and(|v| *v <= x) {
            i += 1;
        }
        while b.get(j).is_some_and(|v| *v <= x) {
            j += 1;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_samples_show_no_drift() {
        let x: Vec<f64> = (0..1000).map(|i| f64::from(i).sin()).collect();
        assert!(psi(&x, &x, 10).abs() < 1e-12);
        assert!(js(&x, &x, 10).abs() < 1e-7);
        assert_eq!(ks(&x, &x), (0.0, 1.0));
        assert_eq!(wasserstein(&x, &x), 0.0);
        let (stat, p) = chi2(&[10, 20, 30], &[10, 20, 30]);
        assert!(stat.abs() < 1e-12 && (p - 1.0).abs() < 1e-12);
    }

    #[test]
    fn empty_samples_are_no_evidence() {
        assert_eq!(psi(&[], &[1.0], 10), 0.0);
        assert_eq!(ks(&[], &[1.0]), (0.0, 1.0));
        assert_eq!(wasserstein(&[1.0], &[]), 0.0);
        assert_eq!(chi2(&[0, 0], &[1, 2]), (0.0, 1.0));
    }

    #[test]
    fn closed_forms() {
        // Wasserstein between point masses is their distance.
        assert!((wasserstein(&[0.0], &[3.5]) - 3.5).abs() < 1e-12);
        // chi-square with 2 df is exponential with mean 2.
        assert!((chi2_sf(3.0, 2.0) - (-1.5f64).exp()).abs() < 1e-12);
        assert!((kolmogorov_sf(1.3580986393225505) - 0.05).abs() < 1e-9);
    }
}
