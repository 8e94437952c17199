//! Sample sizes for A/B tests on a proportion.

/// z for a two-sided alpha of 0.05.
pub const Z_ALPHA_2: f64 = 1.959_963_984_540_054;
/// z for a power of 0.8.
pub const Z_POWER: f64 = 0.841_621_233_572_914_3;

/// Units needed per arm to detect a change from `p1` to `p2` with a
/// two-sided two-proportion z-test at alpha 0.05 and power 0.8:
/// `n = (z_a·sqrt(2·p̄·(1−p̄)) + z_b·sqrt(p1(1−p1) + p2(1−p2)))² / (p1 − p2)²`.
/// `None` when the rates are not proportions in (0, 1) or do not differ.
pub fn two_proportion_n(p1: f64, p2: f64) -> Option<f64> {
    let ok = |p: f64| p.is_finite() && p > 0.0 && p < 1.0;
    if !ok(p1) || !ok(p2) || (p1 - p2).abs() < 1e-12 {
        return None;
    }
    let pbar = (p1 + p2) / 2.0;
    let a = Z_ALPHA_2 * (2.0 * pbar * (1.0 - pbar)).sqrt();
    let b = Z_POWER * (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
    let n = ((a + b) / (p1 - p2)).powi(2);
    n.is_finite().then(|| n.ceil())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_textbook_figure() {
        // 10% -> 12% at alpha 0.05, power 0.8: 3,841 per arm (Fleiss, without continuity correction).
        assert_eq!(two_proportion_n(0.10, 0.12), Some(3841.0));
        // 1% -> 1.05%: about 637 thousand per arm.
        let n = two_proportion_n(0.01, 0.0105).unwrap_or(0.0);
        assert!((n - 637_000.0).abs() < 3_000.0, "{n}");
        assert_eq!(two_proportion_n(0.0, 0.1), None);
        assert_eq!(two_proportion_n(0.2, 0.2), None);
    }
}
