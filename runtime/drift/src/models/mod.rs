//! The declared models, trained and scored with linfa on generated rows.
//!
//! | kind | trained as |
//! |---|---|
//! | `logistic_regression` | linfa-logistic (multinomial for multiclass) |
//! | `linear_regression` | linfa-linear (least squares) |
//! | `decision_tree` | linfa-trees CART, leaf frequencies as probabilities (binary tasks) |
//! | `gradient_boosting`, `random_forest`, `isolation_forest` | stand-in: one linfa-trees tree of the declared `depth` (default 6), binary tasks |
//! | every other case | stand-in: linfa-logistic (multinomial for several classes) or linfa-linear on the same inputs |
//! | `rules` | its rules: positive when any rule holds |
//!
//! Trees serve binary tasks only: linfa-trees sums class weights in
//! hash-map order, which is reproducible for two classes and not for more.
//!
//! **Invariant:** training sees at most [`MAX_TRAIN_ROWS`] rows (an even
//! stride over the rows given), so a retrain costs the same at any volume;
//! every model a report names says how it was trained.

pub mod metrics;

use crate::data::stream::{Inputs, Store};
use linfa::prelude::*;
use linfa_linear::{FittedLinearRegression, LinearRegression};
use linfa_logistic::{FittedLogisticRegression, LogisticRegression, MultiFittedLogisticRegression, MultiLogisticRegression};
use linfa_trees::{DecisionTree, TreeNode};
use metrics::Pred;
use mlspec_ir::vocab::{ModelKind, Task};
use mlspec_ir::{Model, ParamValue};
use ndarray::{Array1, Array2};
use std::collections::HashMap;

pub const MAX_TRAIN_ROWS: usize = 20_000;
/// The positive class's extra weight in linfa-trees, so no two classes tie.
const TIE_BREAK: f32 = 1.0 / 4096.0;

enum Fitted {
    Logistic {
        model: FittedLogisticRegression<f64, usize>,
        positive_is_one: bool,
    },
    Multi(MultiFittedLogisticRegression<f64, usize>),
    Linear(FittedLinearRegression<f64>),
    /// Leaf address -> per-class shares (classification) or mean (regression).
    Tree {
        tree: DecisionTree<f64, usize>,
        leaves: HashMap<usize, Vec<f64>>,
        fallback: Vec<f64>,
    },
    Rules(usize),
    /// Too few rows or one class: the training labels' mean.
    Constant(Vec<f64>),
}

pub struct Trained {
    pub name: String,
    pub kind: String,
    /// How it was trained, as the report says it.
    pub method: String,
    cols: Vec<usize>,
    mu: Vec<f64>,
    sd: Vec<f64>,
    task: Task,
    classes: usize,
    fitted: Fitted,
    /// The training sample's odds of a positive over the data's (after
    /// under- or oversampling); probabilities are corrected back.
    odds: f64,
}

fn depth(m: &Model) -> usize {
    match m.params.get("depth").or_else(|| m.params.get("max_depth")) {
        Some(ParamValue::Number(d)) if *d >= 1.0 => (*d as usize).min(16),
        _ => 6,
    }
}

fn is_classification(task: Task) -> bool {
    !matches!(task, Task::Regression | Task::Forecasting)
}

impl Trained {
    /// Trains `m` on `rows` of the store. `classes` is 2 for binary tasks.
    pub fn train(m: &Model, task: Task, classes: usize, inputs: &Inputs, store: &Store, rows: &[usize]) -> Trained {
        let kind = m.kind.as_str().to_string();
        let cols = inputs.models.get(&m.name).cloned().unwrap_or_default();
        let stride = rows.len().div_ceil(MAX_TRAIN_ROWS).max(1);
        let rows: Vec<usize> = rows.iter().step_by(stride).copied().collect();
        let (mu, sd): (Vec<f64>, Vec<f64>) = cols
            .iter()
            .map(|c| {
                let v: Vec<f64> = rows.iter().filter_map(|r| store.x.get(*c).and_then(|x| x.get(*r))).copied().collect();
                crate::data::features::mean_sd(&v)
            })
            .unzip();
        let mut t = Trained {
            name: m.name.clone(),
            kind: kind.clone(),
            method: String::new(),
            cols,
            mu,
            sd,
            task,
            classes,
            fitted: Fitted::Constant(vec![]),
            odds: 1.0,
        };
        let y: Vec<f64> = rows.iter().map(|r| store.y.get(*r).copied().unwrap_or(0.0)).collect();
        if m.kind == ModelKind::Rules {
            t.method = "its rules (positive when any rule holds)".into();
            t.fitted = Fitted::Rules(inputs.rules.get(&m.name).copied().unwrap_or(0));
            return t;
        }
        let x = t.matrix(store, &rows);
        let classification = is_classification(task);
        let distinct = {
            let mut v: Vec<u64> = y.iter().map(|v| v.to_bits()).collect();
            v.sort_unstable();
            v.dedup();
            v.len()
        };
        if rows.len() < 10 || t.cols.is_empty() || (classification && distinct < 2) {
            t.method = format!("the training labels' mean (only {} usable rows or one class)", rows.len());
            t.fitted = Fitted::Constant(t.constant(&y));
            return t;
        }
        // linfa-trees sums class weights in hash-map order and breaks
        // modal-class ties the same way: only binary trees, with the two
        // classes weighted apart by 2^-12, are reproducible, so only they
        // are trees here.
        let tree_kind = classification
            && classes == 2
            && matches!(
                m.kind,
                ModelKind::DecisionTree | ModelKind::GradientBoosting | ModelKind::RandomForest | ModelKind::IsolationForest
            );
        let native = match m.kind {
            ModelKind::LogisticRegression => classification,
            ModelKind::LinearRegression => !classification,
            ModelKind::DecisionTree => classification && classes == 2,
            _ => false,
        };
        let fitted = if tree_kind {
            let dp = depth(m);
            t.method = if native {
                format!("linfa-trees decision tree (depth {dp})")
            } else {
                format!("stand-in: one linfa-trees decision tree (depth {dp}) for {kind}")
            };
            t.tree(&x, &y, dp)
        } else if classification && classes > 2 {
            t.method =
                if native { "linfa-logistic (multinomial)".into() } else { format!("stand-in: linfa-logistic (multinomial) for {kind}") };
            let targets: Array1<usize> = y.iter().map(|v| *v as usize).collect();
            MultiLogisticRegression::default().max_iterations(50).fit(&Dataset::new(x, targets)).ok().map(Fitted::Multi)
        } else if classification {
            t.method = if native { "linfa-logistic".into() } else { format!("stand-in: linfa-logistic for {kind}") };
            let targets: Array1<usize> = y.iter().map(|v| usize::from(*v > 0.5)).collect();
            LogisticRegression::default().max_iterations(50).fit(&Dataset::new(x, targets)).ok().map(|model| {
                let positive_is_one = model.labels().pos.class == 1;
                Fitted::Logistic { model, positive_is_one }
            })
        } else {
            t.method = if native { "linfa-linear (least squares)".into() } else { format!("stand-in: linfa-linear for {kind}") };
            LinearRegression::new().fit(&Dataset::new(x, Array1::from(y.clone()))).ok().map(Fitted::Linear)
        };
        t.fitted = match fitted {
            Some(f) => f,
            None => {
                t.method = format!("the training labels' mean ({} did not converge)", t.method);
                Fitted::Constant(t.constant(&y))
            }
        };
        t
    }

    /// Corrects P(positive) for training on a rebalanced sample whose odds
    /// of a positive were `odds` times the data's (rules are left as 0/1).
    pub fn with_odds_correction(mut self, odds: f64) -> Trained {
        if !matches!(self.fitted, Fitted::Rules(_)) && odds.is_finite() && odds > 0.0 {
            self.odds = odds;
        }
        self
    }

    fn constant(&self, y: &[f64]) -> Vec<f64> {
        let n = y.len().max(1) as f64;
        if is_classification(self.task) {
            (0..self.classes.max(2)).map(|c| y.iter().filter(|v| **v as usize == c).count() as f64 / n).collect()
        } else {
            vec![y.iter().sum::<f64>() / n]
        }
    }

    /// Standardised inputs of `rows`; missing values at the training mean (0).
    fn matrix(&self, store: &Store, rows: &[usize]) -> Array2<f64> {
        let k = self.cols.len();
        let mut x = Array2::zeros((rows.len(), k));
        for (j, c) in self.cols.iter().enumerate() {
            let (m, s) = (self.mu.get(j).copied().unwrap_or(0.0), self.sd.get(j).copied().unwrap_or(1.0));
            let s = if s > 0.0 { s } else { 1.0 };
            let Some(col) = store.x.get(*c) else { continue };
            for (i, r) in rows.iter().enumerate() {
                let v = col.get(*r).copied().unwrap_or(f64::NAN);
                if let Some(cell) = x.get_mut((i, j)) {
                    *cell = if v.is_finite() { ((v - m) / s).clamp(-50.0, 50.0) } else { 0.0 };
                }
            }
        }
        x
    }

    /// A binary CART tree; P(positive) per leaf from the training rows,
    /// shrunk toward the overall rate so tiny leaves are not 0 or 1.
    fn tree(&self, x: &Array2<f64>, y: &[f64], depth: usize) -> Option<Fitted> {
        let targets: Array1<usize> = y.iter().map(|v| usize::from(*v > 0.5)).collect();
        let weights: Array1<f32> = targets.iter().map(|c| if *c == 1 { 1.0 + TIE_BREAK } else { 1.0 }).collect();
        let data = Dataset::new(x.clone(), targets).with_weights(weights);
        let tree = DecisionTree::params().max_depth(Some(depth)).min_weight_leaf(5.0).fit(&data).ok()?;
        let mut acc: HashMap<usize, (f64, f64)> = HashMap::new();
        for (i, row) in x.rows().into_iter().enumerate() {
            let leaf = leaf_of(tree.root_node(), &|j| row.get(j).copied().unwrap_or(0.0));
            let e = acc.entry(leaf).or_insert((0.0, 0.0));
            e.0 += f64::from(u8::from(y.get(i).copied().unwrap_or(0.0) > 0.5));
            e.1 += 1.0;
        }
        let fallback = self.constant(y);
        let rate = fallback.get(1).copied().unwrap_or(0.0);
        let leaves = acc
            .into_iter()
            .map(|(leaf, (pos, n))| (leaf, vec![1.0 - (pos + 2.0 * rate) / (n + 2.0), (pos + 2.0 * rate) / (n + 2.0)]))
            .collect();
        Some(Fitted::Tree { tree, leaves, fallback })
    }

    /// Predictions for `rows` of the store.
    pub fn predict(&self, store: &Store, rows: &[usize]) -> Pred {
        let classification = is_classification(self.task);
        let multi = classification && self.classes > 2;
        let out_of = |shares: &[f64]| -> Vec<f64> { shares.to_vec() };
        let rows_probs = |f: &dyn Fn(usize) -> Vec<f64>| -> Vec<Vec<f64>> { (0..rows.len()).map(f).collect() };
        let per_row: Vec<Vec<f64>> = match &self.fitted {
            Fitted::Rules(i) => {
                let col = store.rules.get(*i);
                rows.iter().map(|r| vec![col.and_then(|c| c.get(*r)).copied().unwrap_or(0.0)]).collect()
            }
            Fitted::Constant(v) => rows_probs(&|_| out_of(v)),
            Fitted::Logistic { model, positive_is_one } => {
                let p = model.predict_probabilities(&self.matrix(store, rows));
                p.iter().map(|p| vec![if *positive_is_one { *p } else { 1.0 - p }]).collect()
            }
            Fitted::Multi(model) => {
                let p = model.predict_probabilities(&self.matrix(store, rows));
                let classes = model.classes().to_vec();
                p.rows()
                    .into_iter()
                    .map(|r| {
                        let mut v = vec![0.0; self.classes];
                        for (c, p) in classes.iter().zip(r.iter()) {
                            if let Some(x) = v.get_mut(*c) {
                                *x = *p;
                            }
                        }
                        v
                    })
                    .collect()
            }
            Fitted::Linear(model) => model.predict(&self.matrix(store, rows)).iter().map(|v| vec![*v]).collect(),
            Fitted::Tree { tree, leaves, fallback } => {
                let x = self.matrix(store, rows);
                x.rows()
                    .into_iter()
                    .map(|row| {
                        let leaf = leaf_of(tree.root_node(), &|j| row.get(j).copied().unwrap_or(0.0));
                        leaves.get(&leaf).cloned().unwrap_or_else(|| fallback.clone())
                    })
                    .collect()
            }
        };
        if multi {
            return Pred::Classes { probs: per_row };
        }
        if !classification {
            return Pred::Value(per_row.iter().map(|r| r.first().copied().unwrap_or(0.0)).collect());
        }
        // Binary: P(positive) is the last share of a two-class vector, or the one number.
        let odds = self.odds;
        Pred::Prob(
            per_row
                .iter()
                .map(|r| if r.len() >= 2 { r.get(1).copied().unwrap_or(0.0) } else { r.first().copied().unwrap_or(0.0) })
                .map(|p| corrected(p, odds))
                .collect(),
        )
    }
}

/// The leaf a row reaches, identified by its node's address (stable while the tree lives).
fn leaf_of(root: &TreeNode<f64, usize>, x: &dyn Fn(usize) -> f64) -> usize {
    let mut node = root;
    for _ in 0..64 {
        if node.is_leaf() {
            break;
        }
        let (feature, split, _) = node.split();
        let children = node.children();
        let next = if x(feature) < split { children.first() } else { children.get(1) };
        match next.and_then(|c| c.as_deref()) {
            Some(n) => node = n,
            None => break,
        }
    }
    node as *const TreeNode<f64, usize> as usize
}

/// P(positive) of a model trained on a sample whose odds of a positive were
/// `odds` times the data's, brought back to the data: the odds divided by
/// `odds` (Bayes' rule with the class priors changed, likelihoods kept).
pub fn corrected(p: f64, odds: f64) -> f64 {
    if odds == 1.0 {
        p
    } else {
        p / (p + odds * (1.0 - p))
    }
}
