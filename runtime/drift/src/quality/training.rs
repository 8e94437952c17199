//! How the simulation trains: the declared split and rebalancing, the
//! decision threshold, the production model, the offline evaluation of
//! every model and retraining on labelled rows.

use super::monitor::fires;
use super::report::{MetricResult, OfflineModel};
use crate::data::stream::{Inputs, Store};
use crate::models::metrics::{self, Confusion, Pred};
use crate::models::Trained;
use mlspec_ir::vocab::{Imbalance, ModelKind, Task};
use mlspec_ir::{CostMatrix, Design, Model, Scope};

/// Indices of rows in `range`, split as the dataset declares: train,
/// validation, test.
pub fn split(d: &Design, store: &Store, rows: std::ops::Range<usize>, seed: u64) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    use mlspec_ir::SplitStrategy;
    let s = d.dataset.as_ref().and_then(|ds| ds.split.as_ref());
    let (tr, va) = s.map_or((0.8, 0.1), |s| (s.train, s.validation));
    let total = s.map_or(1.0, |s| (s.train + s.validation + s.test).max(1e-9));
    let (tr, va) = (tr / total, va / total);
    let n = rows.len();
    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    match s.map(|s| &s.strategy) {
        Some(SplitStrategy::Time(_)) | None => {
            let (ct, cv) = ((n as f64 * tr) as usize, (n as f64 * (tr + va)) as usize);
            for (i, r) in rows.enumerate() {
                if i < ct {
                    a.push(r);
                } else if i < cv {
                    b.push(r);
                } else {
                    c.push(r);
                }
            }
        }
        Some(strategy) => {
            let by_group = matches!(strategy, SplitStrategy::Group(_));
            for r in rows {
                let key = if by_group { u64::from(store.group.get(r).copied().unwrap_or(0)) } else { r as u64 };
                let mut z = key ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                let u = (z >> 11) as f64 / (1u64 << 53) as f64;
                if u < tr {
                    a.push(r);
                } else if u < tr + va {
                    b.push(r);
                } else {
                    c.push(r);
                }
            }
        }
    }
    (a, b, c)
}

/// Rebalances training rows as `imbalance` declares (binary tasks), and
/// says by how much the sample's odds of a positive exceed the data's.
pub fn rebalance(d: &Design, store: &Store, rows: Vec<usize>) -> (Vec<usize>, f64) {
    let Some((how, ratio)) = d.dataset.as_ref().and_then(|ds| ds.imbalance) else { return (rows, 1.0) };
    let (pos, neg): (Vec<usize>, Vec<usize>) = rows.iter().partition(|r| store.y.get(**r).copied().unwrap_or(0.0) > 0.5);
    if pos.is_empty() || neg.is_empty() {
        return (rows, 1.0);
    }
    let is_pos = |r: &usize| store.y.get(*r).copied().unwrap_or(0.0) > 0.5;
    let mut out = match how {
        Imbalance::Undersample => {
            let keep = ((pos.len() as f64 / ratio.unwrap_or(1.0).max(1e-9)) as usize).min(neg.len()).max(1);
            let stride = neg.len() as f64 / keep as f64;
            let mut v = pos.clone();
            v.extend((0..keep).filter_map(|i| neg.get((i as f64 * stride) as usize)));
            v
        }
        // Oversampling, SMOTE and class weights all become repeated positives here.
        Imbalance::Oversample | Imbalance::Smote | Imbalance::ClassWeight => {
            let mut v = rows.clone();
            let extra = neg.len().saturating_sub(pos.len());
            v.extend((0..extra).filter_map(|i| pos.get(i % pos.len())));
            v
        }
    };
    out.sort_unstable();
    let kept_pos = out.iter().filter(|r| is_pos(r)).count() as f64;
    let kept_neg = out.len() as f64 - kept_pos;
    let factor = (kept_pos / pos.len() as f64) / (kept_neg / neg.len() as f64).max(1e-12);
    (out, factor)
}

/// The decision threshold on P(positive): the cost matrix's Bayes threshold
/// (flag when p·(fn − tp) > (1 − p)·(fp − tn)), else 0.5; rules decide 0/1.
pub fn decision_threshold(cm: Option<&CostMatrix>, rules: bool) -> f64 {
    match cm {
        Some(m) if !rules => {
            let (a, b) = (m.fp - m.tn, m.fn_ - m.tp);
            if a >= 0.0 && a + b > 0.0 {
                a / (a + b)
            } else {
                0.5
            }
        }
        _ => 0.5,
    }
}

/// The model the serving calls last, else the first learned model.
pub fn production_model(d: &Design) -> Option<usize> {
    let served = d
        .servings
        .iter()
        .flat_map(|s| s.stages.iter().rev().filter_map(|st| st.model.as_deref()).take(1))
        .find_map(|name| d.models.iter().position(|m| m.name == name));
    served.or_else(|| d.models.iter().position(|m| m.kind != ModelKind::Rules)).or(if d.models.is_empty() { None } else { Some(0) })
}

/// What the models are trained for.
#[derive(Clone, Copy)]
pub struct Target {
    pub task: Task,
    pub classes: usize,
}

impl Target {
    pub fn binary(self) -> bool {
        self.classes == 2
    }
}

/// Trains `m` on `rows`, rebalanced as declared for binary tasks, with
/// probabilities corrected back to the data's odds.
pub fn train(d: &Design, m: &Model, target: Target, inputs: &Inputs, store: &Store, rows: &[usize]) -> Trained {
    let (rows, odds) = if target.binary() { rebalance(d, store, rows.to_vec()) } else { (rows.to_vec(), 1.0) };
    Trained::train(m, target.task, target.classes, inputs, store, &rows).with_odds_correction(odds)
}

/// A trained model's declared offline metrics on the test rows, each met or
/// missed, and with a cost matrix its cost per 1,000 decisions and the
/// threshold that minimises it.
pub fn evaluate(d: &Design, m: &Model, t: &Trained, store: &Store, test: &[usize]) -> OfflineModel {
    let cm = d.cost_matrix.as_ref();
    let rules = m.kind == ModelKind::Rules;
    let threshold = decision_threshold(cm, rules);
    let pred = t.predict(store, test);
    let y: Vec<f64> = test.iter().map(|r| store.y.get(*r).copied().unwrap_or(0.0)).collect();
    let group: Vec<u32> = test.iter().map(|r| store.group.get(*r).copied().unwrap_or(0)).collect();
    let results = d
        .metrics
        .iter()
        .filter(|m| m.scope == Scope::Offline)
        .map(|metric| {
            let value = metrics::metric(&metric.base, metric.k, &pred, &y, &group, threshold);
            let met = match (value, metric.threshold) {
                (Some(v), Some((c, th))) => Some(fires(c, v, th)),
                _ => None,
            };
            MetricResult {
                metric: metric.name.clone(),
                value,
                cmp: metric.threshold.map(|(c, _)| c.as_str().to_string()),
                threshold: metric.threshold.map(|(_, t)| t),
                met,
            }
        })
        .collect();
    let (cost, best) = match (&pred, cm) {
        // A rules model decides 0 or 1: it has a cost but no threshold to tune.
        (Pred::Prob(p), Some(m)) => {
            (Confusion::at(p, &y, threshold).cost_per_1000(m), if rules { None } else { metrics::best_threshold(p, &y, m) })
        }
        _ => (None, None),
    };
    OfflineModel {
        model: m.name.clone(),
        kind: t.kind.clone(),
        method: t.method.clone(),
        threshold: matches!(pred, Pred::Prob(_)).then_some(threshold),
        metrics: results,
        cost_per_1000: cost,
        best_threshold: best.map(|b| b.0),
        best_cost_per_1000: best.map(|b| b.1),
    }
}

/// The metric the quality timeline follows: the first performance
/// monitor's, else the primary offline metric, else a default for the task.
pub fn followed_metric(d: &Design, target: Target) -> String {
    use mlspec_ir::MonitorKind;
    d.monitors
        .iter()
        .find_map(|m| match &m.kind {
            MonitorKind::Performance { metric, .. } => Some(metric.clone()),
            _ => None,
        })
        .or_else(|| d.metrics.iter().find(|m| m.primary && m.scope == Scope::Offline).map(|m| m.name.clone()))
        .or_else(|| d.metrics.iter().find(|m| m.scope == Scope::Offline).map(|m| m.name.clone()))
        .unwrap_or_else(|| {
            if target.binary() {
                "auc_roc".into()
            } else if target.classes > 2 {
                "accuracy".into()
            } else {
                "rmse".into()
            }
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::models::corrected;

    fn design(dataset: &str) -> Design {
        let src = format!(
            r#"system t {{
  problem {{ objective "o"; task binary_classification; target e.y }}
  metrics {{ auc_roc >= 0.7 offline primary }}
  source e {{
    kind stream
    volume 1k / day
    schema {{
      id: id key
      ts: timestamp event_time
      x: float
      y: bool label
    }}
  }}
  features {{
    f = e.x
  }}
  dataset {{
    {dataset}
  }}
  model m {{
    kind logistic_regression
    features [f]
  }}
}}
"#
        );
        mlspec_check::check_source(&src).design().expect("a valid spec")
    }

    /// 100 positives, then 900 negatives.
    fn store() -> Store {
        Store { y: (0..1000).map(|i| if i < 100 { 1.0 } else { 0.0 }).collect(), ..Store::default() }
    }

    fn counts(s: &Store, rows: &[usize]) -> (usize, usize) {
        let pos = rows.iter().filter(|r| s.y[**r] > 0.5).count();
        (pos, rows.len() - pos)
    }

    /// Undersampling to `ratio` keeps pos/ratio negatives; oversampling
    /// repeats positives up to the negatives' count. The factor is the
    /// sample's odds of a positive over the data's (1/9 here): 100/400 over
    /// 100/900 = 2.25; 900/900 over 100/900 = 9. The correction divides the
    /// model's odds by it, so a model that learned the sample's base rate
    /// gives back the data's 10 %.
    #[test]
    fn rebalancing_and_its_correction_follow_the_odds() {
        let s = store();
        let rows: Vec<usize> = (0..1000).collect();
        for (dataset, kept, factor) in [
            ("imbalance undersample(0.25)", (100, 400), 2.25),
            ("imbalance oversample", (900, 900), 9.0),
            ("imbalance class_weight", (900, 900), 9.0),
        ] {
            let (out, f) = rebalance(&design(dataset), &s, rows.clone());
            assert_eq!(counts(&s, &out), kept, "{dataset}");
            assert!((f - factor).abs() < 1e-12, "{dataset}: factor {f}, want {factor}");
            let sample_rate = kept.0 as f64 / (kept.0 + kept.1) as f64;
            assert!((corrected(sample_rate, f) - 0.1).abs() < 1e-12, "{dataset}: corrected {}", corrected(sample_rate, f));
        }
        let (out, f) = rebalance(&design("split random train 80% validation 10% test 10%"), &s, rows.clone());
        assert_eq!((out, f), (rows, 1.0), "no imbalance declared: the rows as they are");
        // The correction is the identity at 1 and keeps 0 and 1.
        assert_eq!(corrected(0.3, 1.0), 0.3);
        assert_eq!((corrected(0.0, 4.0), corrected(1.0, 4.0)), (0.0, 1.0));
    }

    /// The Bayes threshold t is where flagging and passing cost the same in
    /// expectation: t·tp + (1−t)·fp = t·fn + (1−t)·tn; above it flagging is
    /// cheaper, below it passing is.
    #[test]
    fn the_decision_threshold_is_where_both_decisions_cost_the_same() {
        for (tp, fp, fn_, tn) in [(0.0, 1.0, 1.0, 0.0), (1.0, 3.0, 20.0, 0.0), (-5.0, 2.0, 50.0, 0.5), (0.0, 10.0, 1.0, 0.0)] {
            let m = CostMatrix { tp, fp, fn_, tn, span: Default::default() };
            let t = decision_threshold(Some(&m), false);
            let flag = |p: f64| p * tp + (1.0 - p) * fp;
            let pass = |p: f64| p * fn_ + (1.0 - p) * tn;
            assert!((flag(t) - pass(t)).abs() < 1e-12, "{m:?}: t = {t}");
            assert!(flag(t + 0.01) < pass(t + 0.01) && flag(t - 0.01) > pass(t - 0.01), "{m:?}: t = {t}");
            assert_eq!(decision_threshold(Some(&m), true), 0.5, "rules decide 0/1");
        }
        assert_eq!(decision_threshold(None, false), 0.5);
    }
}
