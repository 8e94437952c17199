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
//! `concept_drift strength R` mixes in, with weight R, a second, linear
//! score uncorrelated on the reference with the whole old score (`w·z` and
//! the interaction), and fades the interaction by 1 − R: at R = 1 the old
//! score, and a model fitted to it, carries no signal; `prior_shift P` recalibrates `a` to rate P.
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
        // Each head's weights give a unit-variance score on the reference.
        // Draws in a fixed order (w, then v, head by head), so a run without
        // concept drift does not depend on how the alternative is built.
        let mut drawn = Vec::new();
        for _ in 0..heads {
            let w = unit(&mut r, k);
            let sw = scores(&w);
            let w = scaled(w, &sw);
            let v = unit(&mut r, k);
            drawn.push((w, v));
        }
        let weights: Vec<Vec<f64>> = drawn.iter().map(|(w, _)| w.clone()).collect();
        // The interaction: the two columns with the largest weights.
        let pair = weights.first().and_then(|w| {
            let mut idx: Vec<usize> = (0..w.len()).collect();
            idx.sort_by(|a, b| w.get(*b).map(|x| x.abs()).unwrap_or(0.0).total_cmp(&w.get(*a).map(|x| x.abs()).unwrap_or(0.0)));
            match idx.as_slice() {
                [a, b, ..] => Some((*a, *b)),
                _ => None,
            }
        });
        // Concept drift moves toward a linear score `o·z` that is
        // uncorrelated on the reference with the whole old score
        // (interaction included: o·g = 0 for g = Cov(z, old)) and, among
        // those, one that the old score ranks no better than chance: the
        // labels drawn from `o·z` alone give the old score an expected AUC of
        // exactly 1/2 on the reference. Zero covariance alone is not enough:
        // with a category among the columns and rare positives, the old
        // score's AUC on such labels ranged from 0.23 to 0.62 over 10 seeds.
        let rate = match shape {
            Shape::Binary { positive_rate } => positive_rate,
            _ => 0.5,
        };
        let alternative = drawn
            .iter()
            .enumerate()
            .map(|(h, (w, v))| {
                let mut old = scores(w);
                if let Some((i, j)) = pair {
                    if let (Some(zi), Some(zj)) = (z.get(i), z.get(j)) {
                        for ((s, a), b) in old.iter_mut().zip(zi).zip(zj) {
                            *s += 0.5 * a * b;
                        }
                    }
                }
                let g: Vec<f64> = z.iter().map(|c| cov(c, &old)).collect();
                let off_g = |u: &[f64]| -> Vec<f64> {
                    let gg: f64 = g.iter().map(|x| x * x).sum();
                    let ug: f64 = u.iter().zip(&g).map(|(a, b)| a * b).sum();
                    if gg > 0.0 {
                        u.iter().zip(&g).map(|(a, b)| a - ug / gg * b).collect()
                    } else {
                        u.to_vec()
                    }
                };
                let v1 = off_g(v);
                let s1 = scores(&v1);
                let v1 = scaled(v1, &s1);
                let s1 = scores(&v1);
                // A second direction, off g and uncorrelated with the first,
                // from its own stream (the draws above stay as they were).
                let u = unit(&mut rng(seed, stream_id(&["#truth", "alternative"], h as i64)), k);
                let u = off_g(&u);
                let su = scores(&u);
                let along = if cov(&s1, &s1) > 0.0 { cov(&su, &s1) / cov(&s1, &s1) } else { 0.0 };
                let v2: Vec<f64> = u.iter().zip(&v1).map(|(a, b)| a - along * b).collect();
                let s2 = scores(&v2);
                let v2 = scaled(v2, &s2);
                let s2 = scores(&v2);
                let theta = chance_angle(&old, &s1, &s2, rate);
                v1.iter().zip(&v2).map(|(a, b)| theta.cos() * a + theta.sin() * b).collect::<Vec<f64>>()
            })
            .collect();
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
        let a = calibrated_intercept(&self.reference, rate);
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

/// The intercept that gives `scores` a mean P(positive) = sigmoid(a + S·s)
/// of `rate` (the truth calibrates on the old reference scores, so labels
/// under any concept use it).
fn calibrated_intercept(scores: &[f64], rate: f64) -> f64 {
    let rate = rate.clamp(1e-6, 1.0 - 1e-6);
    let n = scores.len().max(1) as f64;
    let (mut lo, mut hi) = (-40.0, 40.0);
    for _ in 0..80 {
        let mid = (lo + hi) / 2.0;
        if scores.iter().map(|s| sigmoid(mid + SIGNAL * s)).sum::<f64>() / n < rate {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

/// The expected AUC of `old` on labels drawn with P(positive) =
/// sigmoid(a + S·new); ties in `old` count half. `order` sorts the rows by
/// `old`.
fn expected_auc(old: &[f64], order: &[usize], new: &[f64], a: f64) -> f64 {
    let p: Vec<f64> = new.iter().map(|s| sigmoid(a + SIGNAL * s)).collect();
    let (pos, neg) = (p.iter().sum::<f64>(), p.iter().map(|x| 1.0 - x).sum::<f64>());
    if pos <= 0.0 || neg <= 0.0 {
        return 0.5;
    }
    let (mut below, mut won, mut at) = (0.0, 0.0, 0);
    while at < order.len() {
        // A run of equal old scores.
        let tie = old.get(order[at]).copied().unwrap_or(0.0);
        let mut end = at;
        while end < order.len() && old.get(order[end]).copied().unwrap_or(0.0) == tie {
            end += 1;
        }
        let group = &order[at..end];
        let (gp, gn) = group.iter().fold((0.0, 0.0), |(a, b), i| (a + p[*i], b + 1.0 - p[*i]));
        won += gp * (below + 0.5 * gn);
        below += gn;
        at = end;
    }
    won / (pos * neg)
}

/// The angle θ at which `cos θ·s1 + sin θ·s2` gives labels that `old` ranks
/// with an expected AUC of 1/2: the first sign change of AUC − 1/2 over 16
/// steps of the circle, then bisection; the closest step if there is none.
fn chance_angle(old: &[f64], s1: &[f64], s2: &[f64], rate: f64) -> f64 {
    let a = calibrated_intercept(old, rate);
    let mut order: Vec<usize> = (0..old.len()).collect();
    order.sort_by(|a, b| old.get(*a).unwrap_or(&0.0).total_cmp(old.get(*b).unwrap_or(&0.0)));
    let f = |theta: f64| -> f64 {
        let new: Vec<f64> = s1.iter().zip(s2).map(|(a, b)| theta.cos() * a + theta.sin() * b).collect();
        expected_auc(old, &order, &new, a) - 0.5
    };
    let steps: Vec<(f64, f64)> = (0..=16).map(|k| f64::from(k) * std::f64::consts::TAU / 16.0).map(|t| (t, f(t))).collect();
    let Some(w) = steps.windows(2).find(|w| w[0].1 == 0.0 || w[0].1.signum() != w[1].1.signum()) else {
        return steps.iter().min_by(|a, b| a.1.abs().total_cmp(&b.1.abs())).map_or(0.0, |s| s.0);
    };
    let ((mut lo, mut flo), mut hi) = (w[0], w[1].0);
    for _ in 0..40 {
        let mid = (lo + hi) / 2.0;
        let fm = f(mid);
        if fm == 0.0 {
            return mid;
        }
        if fm.signum() == flo.signum() {
            lo = mid;
            flo = fm;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

pub fn default_positive_rate() -> f64 {
    DEFAULT_POSITIVE_RATE
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Reference rows like a design's: a normal number and a three-level
    /// one-hot, the shape with which zero covariance alone left the old
    /// score an AUC of 0.23 to 0.62 on the new labels.
    fn reference(seed: u64, n: usize) -> Vec<Vec<f64>> {
        let mut r = rng(seed, 7);
        let x: Vec<f64> = (0..n).map(|_| 100.0 + 10.0 * r.sample::<f64, _>(StandardNormal)).collect();
        let cat: Vec<usize> = (0..n).map(|_| (r.gen::<f64>() * 3.0) as usize).collect();
        let mut cols = vec![x];
        for c in 0..3 {
            cols.push(cat.iter().map(|k| f64::from(u8::from(*k == c))).collect());
        }
        cols
    }

    fn scores(t: &Truth, cols: &[Vec<f64>], concept: f64) -> Vec<f64> {
        (0..cols[0].len()).map(|i| t.score(0, &|j| cols[j][i], concept)).collect()
    }

    /// Exact on the reference rows: at strength 1 the new score is
    /// uncorrelated with the whole old score, and the labels it draws give
    /// the old score an expected AUC of 1/2 (computed, not sampled).
    #[test]
    fn a_full_concept_drift_leaves_the_old_score_no_signal() {
        for seed in 1..=10 {
            let cols = reference(seed + 100, 20_000);
            let t = Truth::new(Shape::Binary { positive_rate: 0.2 }, &cols, seed);
            let (old, new) = (scores(&t, &cols, 0.0), scores(&t, &cols, 1.0));
            let m = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            let (mo, mn) = (m(&old), m(&new));
            let c = old.iter().zip(&new).map(|(a, b)| (a - mo) * (b - mn)).sum::<f64>() / old.len() as f64;
            assert!(c.abs() < 1e-9, "seed {seed}: covariance {c}");
            let mut order: Vec<usize> = (0..old.len()).collect();
            order.sort_by(|a, b| old[*a].total_cmp(&old[*b]));
            let auc = expected_auc(&old, &order, &new, calibrated_intercept(&old, 0.2));
            assert!((auc - 0.5).abs() < 1e-6, "seed {seed}: expected AUC {auc}");
            // The old score itself still ranks its own labels well.
            assert!(expected_auc(&old, &order, &old, calibrated_intercept(&old, 0.2)) > 0.75, "seed {seed}");
        }
    }

    /// Labels drawn at strength 1 on 40,000 fresh rows of the same kind.
    /// Statistics: the old score's sample AUC on them has, under an expected
    /// AUC of 1/2, a standard deviation of √((P + N + 1) / (12·P·N)) = 0.0036
    /// at 8,000 positives (Hanley and McNeil's null variance); the fresh rows
    /// add the reference's own sampling error, at most as much again, so
    /// ±0.03 is at least 5.9 σ: a false-failure rate below 4e-9.
    #[test]
    fn sampled_labels_after_a_full_concept_drift_are_ranked_at_chance() {
        mlspec_rng::testing::over_seeds("sampled_labels_after_a_full_concept_drift_are_ranked_at_chance", 3, |seed| {
            let mut t = Truth::new(Shape::Binary { positive_rate: 0.2 }, &reference(seed + 100, 20_000), seed);
            let fresh = reference(seed + 200, 40_000);
            let old = scores(&t, &fresh, 0.0);
            let labels = t.labels(&fresh, 1.0, None, 0);
            let mut order: Vec<usize> = (0..old.len()).collect();
            order.sort_by(|a, b| old[*a].total_cmp(&old[*b]));
            // The drawn labels as certain probabilities: the sample AUC.
            let certain: Vec<f64> = labels.iter().map(|y| if *y == 1.0 { 40.0 } else { -40.0 }).collect();
            let auc = expected_auc(&old, &order, &certain, 0.0);
            assert!((auc - 0.5).abs() < 0.03, "seed {seed}: sampled AUC {auc}");
        });
    }
}
