//! Numbers as the tool writes them, in every report, review, document and
//! diagnostic: `3.06 ms`, `0.2%`, `637,100`, `$2,920`, `30d`.
//!
//! **Invariant:** one formatter per kind of number; a figure printed by two
//! commands goes through the same function, so they never disagree.

/// Seconds as milliseconds with up to three significant decimals: `3.06 ms`, `0.06 ms`.
pub fn ms(s: f64) -> String {
    let v = s * 1000.0;
    let t = if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else if v >= 0.1 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    format!("{} ms", trim(&t))
}

/// A fraction as a percentage: `0.002` -> `0.2%`, `0.999` -> `99.9%`.
pub fn pct(x: f64) -> String {
    let v = x * 100.0;
    let t = if v.abs() >= 0.1 { format!("{v:.2}") } else { format!("{v:.3}") };
    format!("{}%", trim(&t))
}

/// A count with thousands separators, rounded: `637123.4` -> `637,123`.
pub fn count(x: f64) -> String {
    if !x.is_finite() {
        return "∞".to_string();
    }
    let n = x.round().clamp(0.0, 1e18) as u64;
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rate: whole, with separators, from 10 up (`1,200`); below, with up to
/// three decimals (`2.5`, `0.1`), so a slow trickle does not read as 0.
pub fn rate(x: f64) -> String {
    if x.abs() >= 10.0 {
        count(x)
    } else {
        num(x)
    }
}

/// Money: `$2,920`, `$5`, `$0.20`.
pub fn money(x: f64) -> String {
    if x >= 100.0 {
        format!("${}", count(x))
    } else if (x - x.round()).abs() < 1e-9 {
        format!("${}", x.round())
    } else {
        format!("${x:.2}")
    }
}

/// A plain number with at most three decimals: `0.75`, `25`, `0.055`.
pub fn num(x: f64) -> String {
    if x.abs() >= 10_000.0 {
        return count(x);
    }
    trim(&format!("{x:.3}"))
}

/// Durations as the language writes them: `30d`, `5m`, `80ms`.
pub fn dur(s: f64) -> String {
    if s > 0.0 && s < 1.0 {
        let v = s * 1000.0;
        if (v - v.round()).abs() < 1e-6 {
            return format!("{}ms", v.round());
        }
    }
    human_duration(s)
}

/// `86400` -> `1d`, `0.08` -> `80ms`: the largest unit that divides evenly.
pub fn human_duration(s: f64) -> String {
    for (unit, secs) in [("y", 31_536_000.0), ("d", 86_400.0), ("h", 3600.0), ("m", 60.0), ("s", 1.0), ("ms", 1e-3), ("us", 1e-6)] {
        let n = s / secs;
        if n >= 1.0 && (n - n.round()).abs() < 1e-9 {
            return format!("{}{unit}", n.round());
        }
    }
    format!("{}s", round2(s))
}

/// Rounded to two decimals, for figures inside diagnostic messages.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn trim(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// Rounded to 3 decimals (0 when not finite), as every report figure is.
pub fn round3(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1e3).round() / 1e3
    } else {
        0.0
    }
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Regularised upper incomplete gamma `Q(a, x)` for `a > 0`, in [0, 1]
/// (Numerical Recipes: the series below `a + 1`, Lentz's continued fraction
/// above, both to 1e-16). Both need `O(√a)` terms near `x ≈ a`, so the
/// iteration cap grows with `√a`. The chi-square survival function and the
/// Poisson CDF are both this.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    const EPS: f64 = 1e-16;
    const TINY: f64 = 1e-300;
    if x <= 0.0 {
        return 1.0;
    }
    let max_iter = (20.0 * a.sqrt()) as usize + 10_000;
    let prefactor = (-x + a * x.ln() - ln_gamma(a)).exp();
    if x < a + 1.0 {
        let mut ap = a;
        let mut del = 1.0 / a;
        let mut sum = del;
        for _ in 0..max_iter {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * EPS {
                break;
            }
        }
        (1.0 - sum * prefactor).clamp(0.0, 1.0)
    } else {
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..=max_iter {
            let i = i as f64;
            let an = -i * (i - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < EPS {
                break;
            }
        }
        (prefactor * h).clamp(0.0, 1.0)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(ms(0.00306), "3.06 ms");
        assert_eq!(ms(0.25), "250 ms");
        assert_eq!(pct(0.002), "0.2%");
        assert_eq!(pct(0.999), "99.9%");
        assert_eq!(pct(0.9999), "99.99%");
        assert_eq!(pct(0.1168), "11.68%");
        assert_eq!(count(637_123.4), "637,123");
        assert_eq!(rate(0.1), "0.1");
        assert_eq!(rate(2.5), "2.5");
        assert_eq!(rate(1_200.4), "1,200");
        assert_eq!(count(999.0), "999");
        assert_eq!(money(2920.0), "$2,920");
        assert_eq!(money(0.2), "$0.20");
        assert_eq!(money(5.0), "$5");
        assert_eq!(num(0.750), "0.75");
        assert_eq!(dur(0.08), "80ms");
        assert_eq!(dur(2_592_000.0), "30d");
    }

    #[test]
    fn gamma_functions_match_closed_forms() {
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - 0.5 * std::f64::consts::PI.ln()).abs() < 1e-12);
        // Q(1, x) = e^-x; Q(k + 1, λ) is the Poisson CDF at k.
        assert!((gamma_q(1.0, 2.5) - (-2.5f64).exp()).abs() < 1e-12);
        let poisson_cdf_2 = (-3f64).exp() * (1.0 + 3.0 + 4.5);
        assert!((gamma_q(3.0, 3.0) - poisson_cdf_2).abs() < 1e-12);
        // Chi-square with 1 df at 3.841: the 5% point.
        assert!((gamma_q(0.5, 3.841_458_820_694_124 / 2.0) - 0.05).abs() < 1e-9);
        assert_eq!(gamma_q(2.0, 0.0), 1.0);
    }

    #[test]
    fn normal_quantiles_match_the_tables() {
        for (p, z) in [
            (0.5, 0.0),
            (0.9, 1.281_551_565_5),
            (0.99, 2.326_347_874_0),
            (0.999, 3.090_232_306_2),
            (0.01, -2.326_347_874_0),
            (0.001, -3.090_232_306_2),
        ] {
            assert!((normal_quantile(p) - z).abs() < 1e-8, "{p}: {}", normal_quantile(p));
        }
    }
}
