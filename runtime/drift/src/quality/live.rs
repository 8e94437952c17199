//! The predictions a run made in production, and the metrics and costs
//! over any range of them.

use crate::data::stream::Store;
use crate::models::metrics::{self, Confusion, Pred};
use mlspec_ir::vocab::{computed_metric, Reads};

/// Predictions of a run, one per production row (from hour 0), made by
/// the model live when each row arrived.
#[derive(Clone)]
pub struct Live {
    pred: Option<Pred>,
    /// The decision threshold on P(positive); the same for every model.
    threshold: f64,
    /// The store's index of the first production row.
    offset: usize,
}

impl Live {
    pub fn new(threshold: f64, offset: usize) -> Live {
        Live { pred: None, threshold, offset }
    }

    /// Appends the predictions of the next production rows.
    pub fn push(&mut self, p: Pred) {
        self.pred = Some(match (self.pred.take(), p) {
            (None, p) => p,
            (Some(Pred::Prob(mut a)), Pred::Prob(b)) => {
                a.extend(b);
                Pred::Prob(a)
            }
            (Some(Pred::Value(mut a)), Pred::Value(b)) => {
                a.extend(b);
                Pred::Value(a)
            }
            (Some(Pred::Classes { probs: mut a }), Pred::Classes { probs: b }) => {
                a.extend(b);
                Pred::Classes { probs: a }
            }
            (Some(a), _) => a,
        });
    }

    pub fn len(&self) -> usize {
        self.pred.as_ref().map_or(0, pred_len)
    }

    /// Metric `base@k` over the production rows `r` (store indices).
    pub fn metric(&self, base: &str, k: Option<u32>, r: std::ops::Range<usize>, store: &Store) -> Option<f64> {
        let offset = self.offset;
        let r = r.start.saturating_sub(offset)..r.end.saturating_sub(offset);
        let pred = self.pred.as_ref()?;
        let y: Vec<f64> = r.clone().map(|i| store.y.get(i + offset).copied().unwrap_or(0.0)).collect();
        let group: Vec<u32> = r.clone().map(|i| store.group.get(i + offset).copied().unwrap_or(0)).collect();
        let selected = match pred {
            Pred::Prob(p) if computed_metric(base, k.is_some()).is_some_and(|m| m.reads == Reads::Decisions) => {
                Pred::Prob(r.clone().map(|i| f64::from(u8::from(p.get(i).copied().unwrap_or(0.0) >= self.threshold))).collect())
            }
            Pred::Prob(p) => Pred::Prob(r.clone().filter_map(|i| p.get(i).copied()).collect()),
            Pred::Value(v) => Pred::Value(r.clone().filter_map(|i| v.get(i).copied()).collect()),
            Pred::Classes { probs } => Pred::Classes { probs: r.clone().filter_map(|i| probs.get(i).cloned()).collect() },
        };
        metrics::metric(base, k, &selected, &y, &group, 0.5)
    }

    /// Decisions against labels over the production rows `r` (store indices).
    pub fn confusion(&self, r: std::ops::Range<usize>, store: &Store) -> Option<Confusion> {
        let Some(Pred::Prob(p)) = &self.pred else { return None };
        let scores = p.get(r.start.saturating_sub(self.offset)..r.end.saturating_sub(self.offset))?;
        Some(Confusion::at(scores, store.y.get(r)?, self.threshold))
    }
}

fn pred_len(p: &Pred) -> usize {
    match p {
        Pred::Prob(v) | Pred::Value(v) => v.len(),
        Pred::Classes { probs } => probs.len(),
    }
}

pub fn metric_parts(name: &str) -> (String, Option<u32>) {
    match name.split_once('@') {
        Some((b, k)) => (b.to_string(), k.parse().ok()),
        None => (name.to_string(), None),
    }
}
