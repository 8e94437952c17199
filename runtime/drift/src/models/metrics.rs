//! Offline metrics of predictions against labels, the cost matrix's
//! expected cost per 1,000 decisions, and the threshold that minimises it.
//!
//! **Invariant:** every function returns `None` rather than a made-up
//! number when the metric is undefined on the rows (no positives for
//! recall, one class for AUC, no groups for ranking metrics).

use mlspec_ir::CostMatrix;
use std::collections::BTreeMap;

/// What a model predicted for each row.
#[derive(Clone, Debug)]
pub enum Pred {
    /// P(positive) for binary tasks (rules give 0 or 1).
    Prob(Vec<f64>),
    /// One probability per class, row-major.
    Classes { probs: Vec<Vec<f64>> },
    /// A number for regression and forecasting.
    Value(Vec<f64>),
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Confusion {
    pub tp: f64,
    pub fp: f64,
    pub fn_: f64,
    pub tn: f64,
}

impl Confusion {
    pub fn at(scores: &[f64], y: &[f64], threshold: f64) -> Confusion {
        let mut c = Confusion::default();
        for (s, l) in scores.iter().zip(y) {
            match (*s >= threshold, *l > 0.5) {
                (true, true) => c.tp += 1.0,
                (true, false) => c.fp += 1.0,
                (false, true) => c.fn_ += 1.0,
                (false, false) => c.tn += 1.0,
            }
        }
        c
    }
    fn ratio(a: f64, b: f64) -> Option<f64> {
        (b > 0.0).then(|| a / b)
    }
    pub fn precision(&self) -> Option<f64> {
        Self::ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> Option<f64> {
        Self::ratio(self.tp, self.tp + self.fn_)
    }
    pub fn fpr(&self) -> Option<f64> {
        Self::ratio(self.fp, self.fp + self.tn)
    }
    pub fn accuracy(&self) -> Option<f64> {
        Self::ratio(self.tp + self.tn, self.tp + self.tn + self.fp + self.fn_)
    }
    pub fn f1(&self) -> Option<f64> {
        Self::ratio(2.0 * self.tp, 2.0 * self.tp + self.fp + self.fn_)
    }
    /// Expected cost per 1,000 decisions under the cost matrix.
    pub fn cost_per_1000(&self, m: &CostMatrix) -> Option<f64> {
        let n = self.tp + self.fp + self.fn_ + self.tn;
        Self::ratio(1000.0 * (m.tp * self.tp + m.fp * self.fp + m.fn_ * self.fn_ + m.tn * self.tn), n)
    }
}

/// The threshold with the lowest expected cost (ties: the higher threshold),
/// searched over the distinct scores; with its cost per 1,000 decisions.
pub fn best_threshold(scores: &[f64], y: &[f64], m: &CostMatrix) -> Option<(f64, f64)> {
    if scores.is_empty() {
        return None;
    }
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_unstable_by(|a, b| scores.get(*b).unwrap_or(&0.0).total_cmp(scores.get(*a).unwrap_or(&0.0)));
    let positives = y.iter().filter(|l| **l > 0.5).count() as f64;
    let n = scores.len() as f64;
    // Start with nothing flagged (threshold above every score), then lower it.
    let mut c = Confusion { tp: 0.0, fp: 0.0, fn_: positives, tn: n - positives };
    let above = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut best = (next_up(above), c.cost_per_1000(m)?);
    let mut i = 0;
    while i < idx.len() {
        let s = idx.get(i).and_then(|j| scores.get(*j)).copied().unwrap_or(0.0);
        while let Some(j) = idx.get(i).copied().filter(|j| scores.get(*j).copied() == Some(s)) {
            if y.get(j).copied().unwrap_or(0.0) > 0.5 {
                c.tp += 1.0;
                c.fn_ -= 1.0;
            } else {
                c.fp += 1.0;
                c.tn -= 1.0;
            }
            i += 1;
        }
        let cost = c.cost_per_1000(m)?;
        if cost < best.1 - 1e-12 {
            best = (s, cost);
        }
    }
    Some(best)
}

fn next_up(x: f64) -> f64 {
    if x.is_finite() {
        x + x.abs().max(1.0) * 1e-9
    } else {
        1.0
    }
}

/// Area under the ROC curve (ties count half).
pub fn auc_roc(scores: &[f64], y: &[f64]) -> Option<f64> {
    let mut idx: Vec<usize> = (0..scores.len().min(y.len())).collect();
    idx.sort_unstable_by(|a, b| scores.get(*a).unwrap_or(&0.0).total_cmp(scores.get(*b).unwrap_or(&0.0)));
    let (mut rank_sum, mut pos) = (0.0, 0.0);
    let mut i = 0;
    while i < idx.len() {
        let s = idx.get(i).and_then(|j| scores.get(*j)).copied();
        let mut k = i;
        while k < idx.len() && idx.get(k).and_then(|j| scores.get(*j)).copied() == s {
            k += 1;
        }
        let avg_rank = (i + k + 1) as f64 / 2.0;
        for j in i..k {
            if idx.get(j).and_then(|r| y.get(*r)).copied().unwrap_or(0.0) > 0.5 {
                rank_sum += avg_rank;
                pos += 1.0;
            }
        }
        i = k;
    }
    let neg = idx.len() as f64 - pos;
    (pos > 0.0 && neg > 0.0).then(|| (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg))
}

/// Average precision (the area under the precision-recall curve, step-wise).
pub fn auc_pr(scores: &[f64], y: &[f64]) -> Option<f64> {
    let mut idx: Vec<usize> = (0..scores.len().min(y.len())).collect();
    idx.sort_unstable_by(|a, b| scores.get(*b).unwrap_or(&0.0).total_cmp(scores.get(*a).unwrap_or(&0.0)));
    let positives = y.iter().filter(|l| **l > 0.5).count() as f64;
    if positives == 0.0 {
        return None;
    }
    let (mut tp, mut seen, mut ap) = (0.0, 0.0, 0.0);
    let mut i = 0;
    while i < idx.len() {
        let s = idx.get(i).and_then(|j| scores.get(*j)).copied();
        let mut new_tp = 0.0;
        while let Some(j) = idx.get(i).copied().filter(|j| scores.get(*j).copied() == s) {
            seen += 1.0;
            if y.get(j).copied().unwrap_or(0.0) > 0.5 {
                new_tp += 1.0;
            }
            i += 1;
        }
        tp += new_tp;
        ap += (new_tp / positives) * (tp / seen);
    }
    Some(ap)
}

pub fn log_loss(p: &[f64], y: &[f64]) -> Option<f64> {
    let n = p.len().min(y.len());
    (n > 0).then(|| {
        p.iter()
            .zip(y)
            .map(|(p, y)| {
                let p = p.clamp(1e-15, 1.0 - 1e-15);
                if *y > 0.5 {
                    -p.ln()
                } else {
                    -(1.0 - p).ln()
                }
            })
            .sum::<f64>()
            / n as f64
    })
}

fn regression(name: &str, pred: &[f64], y: &[f64]) -> Option<f64> {
    let n = pred.len().min(y.len()) as f64;
    if n == 0.0 {
        return None;
    }
    let pairs = || pred.iter().zip(y);
    match name {
        "rmse" => Some((pairs().map(|(p, y)| (p - y).powi(2)).sum::<f64>() / n).sqrt()),
        "mae" => Some(pairs().map(|(p, y)| (p - y).abs()).sum::<f64>() / n),
        "mape" => {
            let terms: Vec<f64> = pairs().filter(|(_, y)| y.abs() > 1e-9).map(|(p, y)| ((p - y) / y).abs()).collect();
            (!terms.is_empty()).then(|| terms.iter().sum::<f64>() / terms.len() as f64)
        }
        "r2" => {
            let mean = y.iter().sum::<f64>() / n;
            let tot: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
            let res: f64 = pairs().map(|(p, y)| (p - y).powi(2)).sum();
            (tot > 0.0).then(|| 1.0 - res / tot)
        }
        _ => None,
    }
}

/// Ranking metrics over groups (queries or users): rows sorted by score
/// within each group, binary relevance.
fn ranking(base: &str, k: usize, scores: &[f64], y: &[f64], group: &[u32]) -> Option<f64> {
    let mut groups: BTreeMap<u32, Vec<(f64, f64)>> = BTreeMap::new();
    for ((s, l), g) in scores.iter().zip(y).zip(group) {
        groups.entry(*g).or_default().push((*s, *l));
    }
    let mut values = Vec::new();
    for rows in groups.values_mut() {
        let relevant = rows.iter().filter(|r| r.1 > 0.5).count();
        if relevant == 0 {
            continue;
        }
        rows.sort_by(|a, b| b.0.total_cmp(&a.0));
        let top: Vec<bool> = rows.iter().take(k).map(|r| r.1 > 0.5).collect();
        let hits = top.iter().filter(|h| **h).count() as f64;
        let v = match base {
            "ndcg" => {
                let dcg: f64 = top.iter().enumerate().filter(|(_, h)| **h).map(|(i, _)| 1.0 / (i as f64 + 2.0).log2()).sum();
                let ideal: f64 = (0..relevant.min(k)).map(|i| 1.0 / (i as f64 + 2.0).log2()).sum();
                dcg / ideal
            }
            "precision" => hits / k as f64,
            "recall" => hits / relevant as f64,
            "hit_rate" => f64::from(u8::from(hits > 0.0)),
            "map" => {
                let mut seen = 0.0;
                let mut sum = 0.0;
                for (i, h) in top.iter().enumerate() {
                    if *h {
                        seen += 1.0;
                        sum += seen / (i as f64 + 1.0);
                    }
                }
                sum / relevant.min(k) as f64
            }
            "mrr" => rows.iter().position(|r| r.1 > 0.5).map_or(0.0, |p| 1.0 / (p as f64 + 1.0)),
            _ => return None,
        };
        values.push(v);
    }
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The metric `base` (with `@k`) of the predictions, at `threshold` for
/// the metrics that need a decision. `None` when the simulator does not
/// compute it (online and business names) or it is undefined here.
pub fn metric(base: &str, k: Option<u32>, pred: &Pred, y: &[f64], group: &[u32], threshold: f64) -> Option<f64> {
    match pred {
        Pred::Prob(p) => {
            if let Some(k) = k {
                return ranking(base, k as usize, p, y, group);
            }
            let c = || Confusion::at(p, y, threshold);
            match base {
                "auc_roc" => auc_roc(p, y),
                "auc_pr" => auc_pr(p, y),
                "log_loss" => log_loss(p, y),
                "precision" => c().precision(),
                "recall" => c().recall(),
                "f1" => c().f1(),
                "accuracy" => c().accuracy(),
                "false_positive_rate" => c().fpr(),
                "mrr" => ranking("mrr", usize::MAX, p, y, group),
                _ => None,
            }
        }
        Pred::Classes { probs } => {
            let predicted: Vec<usize> =
                probs.iter().map(|r| r.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i)).collect();
            let classes = probs.first().map_or(0, Vec::len);
            let per_class = |c: usize| {
                let truth: Vec<f64> = y.iter().map(|l| f64::from(u8::from(*l as usize == c))).collect();
                let flagged: Vec<f64> = predicted.iter().map(|p| f64::from(u8::from(*p == c))).collect();
                Confusion::at(&flagged, &truth, 0.5)
            };
            let macro_avg = |f: &dyn Fn(&Confusion) -> Option<f64>| {
                let v: Vec<f64> = (0..classes).filter_map(|c| f(&per_class(c))).collect();
                (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
            };
            match base {
                "accuracy" => {
                    let n = y.len().min(predicted.len());
                    (n > 0).then(|| predicted.iter().zip(y).filter(|(p, l)| **p == **l as usize).count() as f64 / n as f64)
                }
                "precision" => macro_avg(&Confusion::precision),
                "recall" => macro_avg(&Confusion::recall),
                "f1" => macro_avg(&Confusion::f1),
                "false_positive_rate" => macro_avg(&Confusion::fpr),
                "log_loss" => {
                    let n = y.len().min(probs.len());
                    (n > 0).then(|| {
                        probs.iter().zip(y).map(|(r, l)| -r.get(*l as usize).copied().unwrap_or(0.0).clamp(1e-15, 1.0).ln()).sum::<f64>()
                            / n as f64
                    })
                }
                _ => None,
            }
        }
        Pred::Value(v) => regression(base, v, y),
    }
}

/// Whether a larger value of the metric is better: the metric table's direction.
pub use mlspec_ir::vocab::higher_is_better;
