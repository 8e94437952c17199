//! Confidence intervals over independent replications: Student's t over
//! the replications' figures (each replication is one draw of the figure,
//! independent of the others, so their mean is the estimate and their
//! spread its uncertainty).
//!
//! **Invariant:** pure arithmetic over the values in the order given; no
//! interval from fewer than two values or from a value that is not finite.

/// Confidence of every interval the reports print.
pub const CONFIDENCE: f64 = 0.95;

/// A mean and its two-sided confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

/// The `confidence` Student t interval of the mean of `values`:
/// mean ± t(1 − (1 − confidence)/2, n − 1) × s / √n, with s the sample
/// standard deviation. `None` for fewer than two values, a value that is
/// not finite, or a confidence outside (0, 1).
pub fn t_interval(values: &[f64], confidence: f64) -> Option<Interval> {
    let n = values.len();
    if n < 2 || values.iter().any(|v| !v.is_finite()) || !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
    let half = t_quantile(0.5 + confidence / 2.0, (n - 1) as u32)? * (var / n as f64).sqrt();
    Some(Interval { mean, low: mean - half, high: mean + half })
}

/// The `p` quantile of Student's t with `df` degrees of freedom, for
/// p in [0.5, 1): the t with P(|T| ≤ t) = 2p − 1, by bisection on the
/// exact distribution function of integer degrees of freedom.
pub fn t_quantile(p: f64, df: u32) -> Option<f64> {
    if df == 0 || !(0.5..1.0).contains(&p) {
        return None;
    }
    let target = 2.0 * p - 1.0;
    let mut high = 1.0;
    while central_probability(high, df) < target {
        high *= 2.0;
        if high > 1e12 {
            return None;
        }
    }
    let mut low = 0.0;
    // 200 halvings reach the spacing of doubles below 1e12 many times over.
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if mid <= low || mid >= high {
            break;
        }
        if central_probability(mid, df) < target {
            low = mid;
        } else {
            high = mid;
        }
    }
    Some(0.5 * (low + high))
}

/// P(|T| ≤ t) for Student's t with `df` ≥ 1 degrees of freedom and t ≥ 0
/// (Abramowitz and Stegun 26.7.3 and 26.7.4: finite sums in powers of
/// cos² θ, θ = atan(t / √df)), exact up to rounding.
fn central_probability(t: f64, df: u32) -> f64 {
    let theta = (t / f64::from(df).sqrt()).atan();
    let (sin, cos) = theta.sin_cos();
    let c2 = cos * cos;
    if df % 2 == 1 {
        // 2/π (θ + sin θ cos θ (1 + 2/3 cos² θ + 2·4/(3·5) cos⁴ θ + …)),
        // the sum running to the power df − 3.
        let mut sum = 0.0;
        if df > 1 {
            let (mut term, mut k) = (1.0, 1);
            sum = 1.0;
            while 2 * k + 1 < df {
                term *= c2 * f64::from(2 * k) / f64::from(2 * k + 1);
                sum += term;
                k += 1;
            }
        }
        2.0 / std::f64::consts::PI * (theta + sin * cos * sum)
    } else {
        // sin θ (1 + 1/2 cos² θ + 1·3/(2·4) cos⁴ θ + …), to the power df − 2.
        let (mut term, mut sum, mut k) = (1.0, 1.0, 1);
        while 2 * k < df {
            term *= c2 * f64::from(2 * k - 1) / f64::from(2 * k);
            sum += term;
            k += 1;
        }
        sin * sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// t(0.975, df) from R's `qt(0.975, df)` (and tables), to 7 digits.
    #[test]
    fn t_quantiles_match_the_tables() {
        for (df, want) in [
            (1, 12.706_204_7),
            (2, 4.302_652_7),
            (3, 3.182_446_3),
            (4, 2.776_445_1),
            (9, 2.262_157_2),
            (19, 2.093_024_1),
            (39, 2.022_690_9),
            (99, 1.984_216_9),
            (999, 1.962_341_5),
        ] {
            let got = t_quantile(0.975, df).unwrap();
            assert!((got - want).abs() < 1e-6, "df {df}: {got} against {want}");
        }
        // Other levels: qt(0.995, 10), qt(0.9, 5), and the median.
        assert!((t_quantile(0.995, 10).unwrap() - 3.169_272_7).abs() < 1e-6);
        assert!((t_quantile(0.9, 5).unwrap() - 1.475_884_0).abs() < 1e-6);
        assert!(t_quantile(0.5, 3).unwrap().abs() < 1e-9);
        assert_eq!(t_quantile(0.975, 0), None);
        assert_eq!(t_quantile(1.0, 3), None);
    }

    #[test]
    fn intervals_of_known_samples() {
        // 1..5: mean 3, s = √2.5, t(0.975, 4) = 2.7764451.
        let i = t_interval(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95).unwrap();
        let half = 2.776_445_1 * (2.5f64 / 5.0).sqrt();
        assert!((i.mean - 3.0).abs() < 1e-12);
        assert!((i.low - (3.0 - half)).abs() < 1e-6 && (i.high - (3.0 + half)).abs() < 1e-6, "{i:?}");
        // Two values 10 and 12: 11 ± 12.7062 × 1 = [−1.706, 23.706].
        let i = t_interval(&[10.0, 12.0], 0.95).unwrap();
        assert!((i.low + 1.706_204_7).abs() < 1e-6 && (i.high - 23.706_204_7).abs() < 1e-6, "{i:?}");
        // Equal values: a point.
        assert_eq!(t_interval(&[4.0; 3], 0.95), Some(Interval { mean: 4.0, low: 4.0, high: 4.0 }));
        assert_eq!(t_interval(&[4.0], 0.95), None);
        assert_eq!(t_interval(&[4.0, f64::NAN], 0.95), None);
    }
}
