//! Log-linear histograms of durations: O(1) record with no allocation, and
//! quantiles within a stated relative error, for runs of any length.
//!
//! A value `v` seconds is kept in microseconds; values below 1 µs share bucket
//! 0; above, each power of two is split into 2^P equal sub-buckets, so a
//! quantile is within 2^-P of the true value (relative). Sum, min and max are
//! exact.

/// Powers of two above 1 µs that are kept: up to 2^42 µs ≈ 51 days.
const OCTAVES: usize = 42;

#[derive(Clone, Debug)]
pub struct Histogram {
    precision: u32,
    counts: Vec<u64>,
    count: u64,
    sum: f64,
    min: f64,
    max: f64,
}

impl Histogram {
    /// `precision` bits per octave: 10 gives ≤ 0.1% relative error, 5 ≤ 3.2%.
    pub fn new(precision: u32) -> Histogram {
        let precision = precision.clamp(1, 16);
        Histogram { precision, counts: vec![0; 1 + (OCTAVES << precision)], count: 0, sum: 0.0, min: f64::INFINITY, max: 0.0 }
    }

    #[inline]
    fn index(&self, seconds: f64) -> usize {
        let us = seconds * 1e6;
        if us.is_nan() || us < 1.0 {
            return 0;
        }
        let bits = us.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as usize - 1023;
        let sub = ((bits >> (52 - self.precision)) & ((1 << self.precision) - 1)) as usize;
        (1 + (exp << self.precision) + sub).min(self.counts.len() - 1)
    }

    #[inline]
    pub fn record(&mut self, seconds: f64) {
        let i = self.index(seconds);
        if let Some(c) = self.counts.get_mut(i) {
            *c += 1;
        }
        self.count += 1;
        self.sum += seconds;
        if seconds < self.min {
            self.min = seconds;
        }
        if seconds > self.max {
            self.max = seconds;
        }
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum / self.count as f64
        }
    }

    pub fn max(&self) -> f64 {
        self.max
    }

    /// The lower edge of bucket `i`, seconds.
    fn lower(&self, i: usize) -> f64 {
        if i == 0 {
            return 0.0;
        }
        let k = i - 1;
        let exp = (k >> self.precision) as i32;
        let sub = (k & ((1 << self.precision) - 1)) as f64;
        2f64.powi(exp) * (1.0 + sub / (1u64 << self.precision) as f64) * 1e-6
    }

    /// The `q` quantile (0..=1): the midpoint of the bucket that holds the
    /// ⌈q·n⌉-th smallest value, clamped to the exact min and max.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let mid = if i == 0 { self.min.min(1e-6) / 2.0 } else { (self.lower(i) + self.lower(i + 1)) / 2.0 };
                return mid.clamp(self.min, self.max);
            }
        }
        self.max
    }

    /// (value, cumulative share) at each non-empty bucket's upper edge, for
    /// drawing a CDF.
    pub fn cdf_points(&self) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        let mut seen = 0u64;
        for (i, c) in self.counts.iter().enumerate() {
            if *c > 0 {
                seen += c;
                out.push((self.lower(i + 1).min(self.max), seen as f64 / self.count.max(1) as f64));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_within_stated_error() {
        let mut h = Histogram::new(10);
        // 1..=100_000 µs uniformly
        for i in 1..=100_000u32 {
            h.record(f64::from(i) * 1e-6);
        }
        for q in [0.5, 0.9, 0.99, 0.999] {
            let want = q * 0.1;
            let got = h.quantile(q);
            assert!((got / want - 1.0).abs() < 1.0 / 1024.0, "q{q}: {got} vs {want}");
        }
        assert_eq!(h.quantile(1.0), h.max());
        assert!((h.max() - 0.1).abs() < 1e-12);
        assert!((h.mean() - 0.050_000_5).abs() < 1e-12);
    }

    #[test]
    fn tiny_zero_and_huge_values() {
        let mut h = Histogram::new(5);
        h.record(0.0);
        h.record(1e-9);
        h.record(1e9);
        h.record(f64::NAN);
        assert_eq!(h.count(), 4);
        assert_eq!(h.quantile(0.25), 0.0);
        assert!(h.quantile(1.0) <= 1e9);
    }

    #[test]
    fn cdf_is_monotone_and_ends_at_one() {
        let mut h = Histogram::new(7);
        for i in 0..1000 {
            h.record(f64::from(i % 37) * 1e-4);
        }
        let pts = h.cdf_points();
        assert!(pts.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1));
        assert_eq!(pts.last().map(|p| p.1), Some(1.0));
    }
}
