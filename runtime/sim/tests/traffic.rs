//! The traffic generator makes the rate and the randomness the spec says.
//!
//! With n arrivals the relative standard error of a count or a mean gap is
//! 1/√n (Poisson); tolerances are five of those or more, stated per test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mlspec_sim::arrivals::Arrivals;
use mlspec_sim::engine::rng;
use mlspec_sim::plan::Traffic;

fn times(traffic: &Traffic, until: f64, seed: u64) -> Vec<f64> {
    let mut a = Arrivals::new(traffic, rng(seed, 1), Some(until));
    let mut out = Vec::new();
    let mut t = a.next(0.0);
    while t < until {
        out.push(t);
        t = a.next(t);
    }
    out
}

#[test]
fn constant_rate_has_exponential_gaps() {
    let tr = Traffic { base_rps: 1000.0, diurnal: None, bursts: vec![] };
    let t = times(&tr, 1000.0, 3); // about 1M arrivals
    let gaps: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    let n = gaps.len() as f64;
    let mean = gaps.iter().sum::<f64>() / n;
    let sd = (gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    // 1/√n = 0.1%: mean within 0.5%; the CV's standard error is also ~0.1%.
    assert!((mean * 1000.0 - 1.0).abs() < 0.005, "mean gap {mean}");
    assert!((sd / mean - 1.0).abs() < 0.01, "CV {}", sd / mean);
    // Nothing is capped: some gaps are far above the mean (P(gap > 10 mean) = e^-10).
    let long = gaps.iter().filter(|g| **g > 0.010).count() as f64 / n;
    assert!((long / (-10f64).exp() - 1.0).abs() < 0.3, "share of long gaps {long}");
}

#[test]
fn diurnal_rate_follows_the_daily_curve() {
    // 20 rps at the quietest hour, 3x at 19h: the mean over a day is 2x.
    let tr = Traffic { base_rps: 20.0, diurnal: Some((3.0, 19.0 * 3600.0)), bursts: vec![] };
    let t = times(&tr, 86_400.0, 4);
    let want = 20.0 * 2.0 * 86_400.0;
    // 3.46M arrivals: 1/√n = 0.05%; hold to 0.3%.
    assert!((t.len() as f64 / want - 1.0).abs() < 0.003, "{} arrivals, expected {want}", t.len());
    let mut per_hour = [0u64; 24];
    for x in &t {
        per_hour[((x / 3600.0) as usize).min(23)] += 1;
    }
    for (h, n) in per_hour.iter().enumerate() {
        // The rate integrated over the hour, numerically.
        let expect: f64 = (0..3600).map(|s| tr.rate(h as f64 * 3600.0 + s as f64 + 0.5)).sum();
        // ≥ 72k per hour: 1/√n ≤ 0.4%; hold to 2%.
        assert!((*n as f64 / expect - 1.0).abs() < 0.02, "hour {h}: {n} vs {expect}");
    }
    assert!(per_hour[19] > 2 * per_hour[7], "the peak hour is busier than the trough");
}

#[test]
fn bursts_multiply_the_rate_in_their_window() {
    let tr = Traffic { base_rps: 500.0, diurnal: None, bursts: vec![(5.0, 100.0, 160.0)] };
    let t = times(&tr, 300.0, 5);
    let inside = t.iter().filter(|x| (100.0..160.0).contains(*x)).count() as f64;
    let outside = t.len() as f64 - inside;
    // 150k inside, 120k outside: within 2%.
    assert!((inside / (5.0 * 500.0 * 60.0) - 1.0).abs() < 0.02, "{inside}");
    assert!((outside / (500.0 * 240.0) - 1.0).abs() < 0.02, "{outside}");
}

#[test]
fn the_bound_covers_the_rate() {
    let tr = Traffic { base_rps: 10.0, diurnal: Some((4.0, 6.0 * 3600.0)), bursts: vec![(3.0, 7000.0, 7300.0)] };
    let mut t = 0.0;
    while t < 2.0 * 86_400.0 {
        let bound = tr.max_rate_in(t, t + 60.0);
        for k in 0..60 {
            assert!(tr.rate(t + f64::from(k)) <= bound * (1.0 + 1e-12), "at {t}+{k}");
        }
        t += 60.0;
    }
}
