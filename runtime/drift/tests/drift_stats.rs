//! The drift statistics against reference values computed independently with
//! numpy and scipy (fixtures/drift_stats.py, output in drift_stats.json), to
//! 1e-6 (absolute, or relative for p-values below 1e-6).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mlspec_drift::monitors::stats::{chi2, js, js_counts, ks, psi, psi_counts, wasserstein, DEFAULT_BINS};
use serde_json::Value;

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/drift_stats.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn counts(v: &Value) -> Vec<u64> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect()
}

fn agree(case: &str, what: &str, got: f64, want: f64) {
    let ok = (got - want).abs() <= 1e-6 || (want.abs() < 1e-6 && (got / want - 1.0).abs() < 1e-6);
    assert!(ok, "{case}: {what} = {got}, reference {want}");
}

#[test]
fn numeric_statistics_match_scipy() {
    let f = fixture();
    let cases = f["numeric"].as_array().unwrap();
    assert!(cases.len() >= 7);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let (r, cur) = (floats(&c["reference"]), floats(&c["current"]));
        agree(name, "psi", psi(&r, &cur, DEFAULT_BINS), c["psi"].as_f64().unwrap());
        agree(name, "js", js(&r, &cur, DEFAULT_BINS), c["js"].as_f64().unwrap());
        let (d, p) = ks(&r, &cur);
        agree(name, "ks", d, c["ks"].as_f64().unwrap());
        agree(name, "ks p-value", p, c["ks_p"].as_f64().unwrap());
        agree(name, "wasserstein", wasserstein(&r, &cur), c["wasserstein"].as_f64().unwrap());
    }
}

#[test]
fn categorical_statistics_match_scipy() {
    let f = fixture();
    for c in f["categorical"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let (r, cur) = (counts(&c["reference"]), counts(&c["current"]));
        let (stat, p) = chi2(&r, &cur);
        agree(name, "chi2", stat, c["chi2"].as_f64().unwrap());
        agree(name, "chi2 p-value", p, c["chi2_p"].as_f64().unwrap());
        agree(name, "psi", psi_counts(&r, &cur), c["psi"].as_f64().unwrap());
        agree(name, "js", js_counts(&r, &cur), c["js"].as_f64().unwrap());
    }
}

/// Without drift, PSI over B bins with n rows per side is about
/// (1/n + 1/n) · χ²(B − 1): mean 2(B − 1)/n, 95th percentile 2 χ²₀.₉₅(B − 1)/n.
/// Over 400 pairs the sample mean's standard error is about 3.5%, so the
/// mean is held to 10% and the 95th percentile to 15%.
#[test]
fn psi_without_drift_follows_its_chi_square_null() {
    use rand::Rng;
    use rand_distr::StandardNormal;
    let (n, b, trials) = (2000usize, 10usize, 400);
    let mut rng = mlspec_rng::rng(77, 3);
    let mut values: Vec<f64> = (0..trials)
        .map(|_| {
            let r: Vec<f64> = (0..n).map(|_| rng.sample(StandardNormal)).collect();
            let c: Vec<f64> = (0..n).map(|_| rng.sample(StandardNormal)).collect();
            psi(&r, &c, b)
        })
        .collect();
    values.sort_by(f64::total_cmp);
    let mean = values.iter().sum::<f64>() / trials as f64;
    let want_mean = 2.0 * (b - 1) as f64 / n as f64;
    assert!((mean / want_mean - 1.0).abs() < 0.10, "mean PSI {mean}, null {want_mean}");
    let p95 = values[(trials as f64 * 0.95) as usize];
    let want_p95 = 2.0 * 16.918_977_604_620_45 / n as f64; // χ²₀.₉₅(9)
    assert!((p95 / want_p95 - 1.0).abs() < 0.15, "95th percentile {p95}, null {want_p95}");
}
