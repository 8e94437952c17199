//! The hidden ground truth that labels generated rows: a seeded function of
//! the models' input columns (which are computed from the fields the
//! features read).
//!
//! - Binary: P(positive) = sigmoid(a + S·(w·z + ½·z_i·z_j)), with `a`
//!   calibrated so the reference rows have the declared `positive_rate`
//!   (10% when none is declared).
//! - Multiclass: softmax over one such score per class.
//! - Regression: center + spread·(w·z + noise), clipped to the label's range.
//!
//! `z` are the columns standardised with the reference rows' moments (fixed
//! afterwards, so a covariate shift moves the labels too); `w·z` has unit
//! variance on the reference rows.
//! `concept_drift strength R` mixes in, with weight R, a second score
//! uncorrelated with `w·z` on the reference (and fades the interaction by
//! 1 − R): at R = 1 the old score carries no signal; `prior_shift P` recalibrates `a` to rate P.
//!
//! **Invariant:** the truth is fixed by (seed, columns); labels are drawn
//! from a stream named by the block, so they are reproducible.

use crate::data::features::mean_sd;
use crate::data::synth::stream_id;
use mlspec_rng::rng;
use rand::Rng;
use rand_distr::StandardNormal;

/// The score's scale: with a unit-variance linear part, a Bayes AUC of
/// about 0.9 to 0.95 for rare positives.
const SIGNAL: f64 = 3.0;
const DEFAULT_POSITIVE_RATE: f64 = 0.1;

#[derive(Clone, Debug)]
pub enum Shape {
    Binary { positive_rate: f64 },
    Multiclass { classes: usize },
    Regression { center: f64, spread: f64, range: Option<(f64, f64)> },
}

#[derive(Clone, Debug)]
pub struct Truth {
    pub shape: Shape,
    mu: Vec<f64>,
    sd: Vec<f64>,
    /// One weight vector per class (one for binary and regression), and
    /// the vectors concept drift moves them toward.
    weights: Vec<Vec<f64>>,
    alternative: Vec<Vec<f64>>,
    pair: Option<(usize, usize)>,
    /// Reference scores (no drift), for calibrating intercepts.
    reference: Vec<f64>,
    intercepts: Vec<(u64, f64)>,
    seed: u64,
}

fn unit(r: &mut rand_pcg::Pcg64, k: usize) -> Vec<f64> {
    let v: Vec<f64> = (0..k).map(|_| r.sample::<f64, _>(StandardNormal)).collect();
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm > 0.0 {
        v.into_iter().map(|x| x / norm).collect()
    } else {
        vec![0.0; k]
    }
}

impl Truth {
    /// `columns` are the reference rows' input columns.
    pub fn new(shape: Shape, columns: &[Vec<f64>], seed: u64) -> Truth {
        let mut r = rng(seed, stream_id(&["#truth"], 0));
        let (mu, sd): (Vec<f64>, Vec<f64>) = columns.iter().map(|c| mean_sd(c)).unzip();
        let k = columns.len();
        let heads = match shape {
            Shape::Multiclass { classes } => classes.max(2),
            _ => 1,
        };
        // Standardised reference rows, for score-space geometry.
        let n = columns.first().map_or(0, Vec::len);
        let z: Vec<Vec<f64>> = columns
            .iter()
            .enumerate()
            .map(|(j, c)| {
                let (m, s) = (mu.get(j).copied().unwrap_or(0.0), sd.get(j).copied().unwrap_or(1.0));
                c.iter().map(|x| if x.is_finite() { ((x - m) / if s > 0.0 { s } else { 1.0 }).clamp(-8.0, 8.0) } else { 0.0 }).collect()
            })
            .collect();
        let scores =
            |w: &[f64]| -> Vec<f64> { (0..n).map(|i| w.iter().zip(&z).map(|(a, c)| a * c.get(i).copied().unwrap_or(0.0)).sum()).collect() };
        let cov = |a: &[f64], b: &[f64]| -> f64 { a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>() / n.max(1) as f64 };
        let scaled = |w: Vec<f64>, s: &[f64]| -> Vec<f64> {
            let var = cov(s, s);
            if var > 0.0 {
                w.into_iter().map(|x| x / var.sqrt()).collect()
            } else {
                w
            }
        };
        // Each head's weights give a unit-variance score on the reference;
        // concept drift moves toward weights whose score is uncorrelated
        // with it (strength 1 leaves the old score no signal).
        let mut weights = Vec::new();
        let mut alternative = Vec::new();
        for _ in 0..heads {
            let w = unit(&mut r, k);
            let sw = scores(&w);
            let w = scaled(w, &sw);
            let sw = scores(&w);
            let v = unit(&mut r, k);
            let sv = scores(&v);
            let along = cov(&sv, &sw);
            let o: Vec<f64> = v.iter().zip(&w).map(|(a, b)| a - along * b).collect();
            let so = scores(&o);
            alternative.push(scaled(o, &so));
            weights.push(w);
        }
        // The interaction: the two columns with the largest weights.
        let pair = weights.first().and_then(|w| {
            let mut idx: Vec<usize> = (0..w.len()).collect();
            idx.sort_by(|a, b| w.get(*b).map(|x| x.abs()).unwrap_or(0.0).total_cmp(&w.get(*a).map(|x| x.abs()).unwrap_or(0.0)));
            match idx.as_slice() {
                [a, b, ..] => Some((*a, *b)),
                _ => None,
            }
        });
        let mut t = Truth { shape, mu, sd, weights, alternative, pair, reference: Vec::new(), intercepts: Vec::new(), seed };
        let n = columns.first().map_or(0, Vec::len);
        t.reference = (0..n).map(|i| t.score(0, &|j| columns.get(j).and_then(|c| c.get(i)).copied().unwrap_or(0.0), 0.0)).collect();
        t
    }

    fn z(&self, j: usize, x: f64) -> f64 {
        let (m, s) = (self.mu.get(j).copied().unwrap_or(0.0), self.sd.get(j).copied().unwrap_or(1.0));
        if x.is_finite() {
            ((x - m) / if s > 0.0 { s } else { 1.0 }).clamp(-8.0, 8.0)
        } else {
            0.0
        }
    }

    /// The linear-plus-interaction score of head `h` for one row.
    fn score(&self, h: usize, x: &dyn Fn(usize) -> f64, concept: f64) -> f64 {
        let (Some(w), Some(alt)) = (self.weights.get(h), self.alternative.get(h)) else { return 0.0 };
        let (mut a, mut b) = (0.0, 0.0);
        for (j, (wj, vj)) in w.iter().zip(alt).enumerate() {
            let z = self.z(j, x(j));
            a += wj * z;
            b += vj * z;
        }
        let norm = ((1.0 - concept).powi(2) + concept.powi(2)).sqrt().max(1e-12);
        let mut s = ((1.0 - concept) * a + concept * b) / norm;
        if let Some((i, j)) = self.pair {
            s += (1.0 - concept) * 0.5 * self.z(i, x(i)) * self.z(j, x(j));
        }
        s
    }

    /// The intercept that gives the reference rows a positive rate `rate`.
    fn intercept(&mut self, rate: f64) -> f64 {
        let rate = rate.clamp(1e-6, 1.0 - 1e-6);
        if let Some((_, a)) = self.intercepts.iter().find(|(b, _)| *b == rate.to_bits()) {
            return *a;
        }
        let mean_p = |a: f64| {
            let n = self.reference.len().max(1) as f64;
            self.reference.iter().map(|s| sigmoid(a + SIGNAL * s)).sum::<f64>() / n
        };
        let (mut lo, mut hi) = (-40.0, 40.0);
        for _ in 0..80 {
            let mid = (lo + hi) / 2.0;
            if mean_p(mid) < rate {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let a = (lo + hi) / 2.0;
        self.intercepts.push((rate.to_bits(), a));
        a
    }

    /// Labels for rows given as columns, under the concept strength and
    /// label rate in force; `block` names the random stream.
    pub fn labels(&mut self, columns: &[Vec<f64>], concept: f64, prior: Option<f64>, block: i64) -> Vec<f64> {
        let n = columns.first().map_or(0, Vec::len);
        let mut r = rng(self.seed, stream_id(&["#labels"], block));
        let at = |i: usize| move |j: usize| columns.get(j).and_then(|c| c.get(i)).copied().unwrap_or(0.0);
        match self.shape.clone() {
            Shape::Binary { positive_rate } => {
                let a = self.intercept(prior.unwrap_or(positive_rate));
                (0..n)
                    .map(|i| {
                        let p = sigmoid(a + SIGNAL * self.score(0, &at(i), concept));
                        if r.gen::<f64>() < p {
                            1.0
                        } else {
                            0.0
                        }
                    })
                    .collect()
            }
            Shape::Multiclass { classes } => (0..n)
                .map(|i| {
                    let logits: Vec<f64> = (0..classes).map(|h| SIGNAL * self.score(h, &at(i), concept)).collect();
                    let top = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let e: Vec<f64> = logits.iter().map(|l| (l - top).exp()).collect();
                    let total: f64 = e.iter().sum();
                    let u = r.gen::<f64>() * total;
                    let mut acc = 0.0;
                    e.iter()
                        .position(|p| {
                            acc += p;
                            acc >= u
                        })
                        .unwrap_or(0) as f64
                })
                .collect(),
            Shape::Regression { center, spread, range } => (0..n)
                .map(|i| {
                    let y = center + spread * (self.score(0, &at(i), concept) + 0.5 * r.sample::<f64, _>(StandardNormal));
                    match range {
                        Some((lo, hi)) => y.clamp(lo, hi),
                        None => y,
                    }
                })
                .collect(),
        }
    }
}

pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

pub fn default_positive_rate() -> f64 {
    DEFAULT_POSITIVE_RATE
}
