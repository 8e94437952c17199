//! The drift and quality parts of N replications as one: detection delays
//! (over the replications that caught each drift, with how many did),
//! false alarms, rows, costs and the verdict's quality at the start and
//! the end as means with intervals. Monitor series, the quality timeline,
//! retrains and offline metrics stay replication 0's.

use super::{r6, Figures, Intervals};
use mlspec_drift::quality::{QualityEnds, QualityOutcome};
use mlspec_sim::summary::r3;

/// The combined outcome, `None` without replications.
pub fn combine(reps: &[QualityOutcome], intervals: &mut Intervals) -> Option<QualityOutcome> {
    let mut q = reps.first()?.clone();
    let mut f = Figures::new(reps, intervals);
    let d = &mut q.drift;
    d.data.rows = f.count("drift.data.rows", |x| x.drift.data.rows);
    for (k, e) in d.events.iter_mut().enumerate() {
        let event = |x: &QualityOutcome| x.drift.events.get(k).cloned();
        let delay = f.some(&format!("drift.events.{k}.detection_delay_hours"), r3, |x| event(x).and_then(|e| e.detection_delay_hours));
        let caught: Vec<String> = reps.iter().filter_map(|x| event(x).and_then(|e| e.detected_by)).collect();
        e.caught_in = Some(caught.len() as u64);
        e.detection_delay_hours = delay.map(|(mean, _)| mean);
        e.detected_at_hours = delay.map(|(mean, _)| r3(e.from_hours + mean));
        e.detected_by = most_common(&caught);
        // The note of a replication that agrees: why it was not caught, or
        // what else there is to say about a caught one.
        e.note = reps
            .iter()
            .filter_map(event)
            .find(|x| x.detected_by.is_some() == e.detected_by.is_some())
            .map_or_else(|| e.note.clone(), |x| x.note);
    }
    d.false_alarms = f.count("drift.false_alarms", |x| x.drift.false_alarms);
    d.checks_before_drift = f.count("drift.checks_before_drift", |x| x.drift.checks_before_drift);
    let qr = &mut q.quality;
    let ends: Vec<Option<QualityEnds>> = reps.iter().map(|x| x.quality.timeline_ends()).collect();
    let pick = |k: usize, get: fn(&QualityEnds) -> f64| ends.get(k).and_then(|e| e.as_ref().map(get));
    let index: Vec<usize> = (0..reps.len()).collect();
    let mut g = Figures::new(&index, f.intervals);
    let start = g.some("quality.ends.start", r6, |&k| pick(k, |e| e.start));
    let with = g.some("quality.ends.end_with_retraining", r6, |&k| pick(k, |e| e.end_with_retraining));
    let without = g.some("quality.ends.end_without_retraining", r6, |&k| pick(k, |e| e.end_without_retraining));
    qr.ends = match (start, with, without) {
        (Some(s), Some(w), Some(wo)) => Some(QualityEnds { start: s.0, end_with_retraining: w.0, end_without_retraining: wo.0 }),
        _ => None,
    };
    let mut f = Figures::new(reps, g.intervals);
    if let Some(c) = qr.cost.as_mut() {
        let cost = |x: &QualityOutcome| x.quality.cost.clone();
        c.per_1000_with_retraining =
            f.mean("quality.cost.per_1000_with_retraining", r6, |x| cost(x).map_or(f64::NAN, |c| c.per_1000_with_retraining));
        c.per_1000_without_retraining =
            f.mean("quality.cost.per_1000_without_retraining", r6, |x| cost(x).map_or(f64::NAN, |c| c.per_1000_without_retraining));
        c.total_with_retraining =
            f.some("quality.cost.total_with_retraining", r3, |x| cost(x).and_then(|c| c.total_with_retraining)).map(|m| m.0);
        c.total_without_retraining =
            f.some("quality.cost.total_without_retraining", r3, |x| cost(x).and_then(|c| c.total_without_retraining)).map(|m| m.0);
    }
    Some(q)
}

/// The name given most often; a tie goes to the one met first (the lowest
/// replication).
fn most_common(names: &[String]) -> Option<String> {
    let mut best: Option<(&String, usize)> = None;
    for n in names {
        let count = names.iter().filter(|m| *m == n).count();
        if best.is_none_or(|(_, c)| count > c) {
            best = Some((n, count));
        }
    }
    best.map(|(n, _)| n.clone())
}

#[cfg(test)]
mod tests {
    use super::most_common;

    #[test]
    fn the_most_common_name_wins_and_ties_go_to_the_first() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(most_common(&names(&["a", "b", "b"])), Some("b".into()));
        assert_eq!(most_common(&names(&["b", "a", "a", "b"])), Some("b".into()));
        assert_eq!(most_common(&[]), None);
    }
}
