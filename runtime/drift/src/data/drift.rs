//! The scenario's drift statements as a function of time: what each field's
//! distribution, the hidden ground truth and the label rate are at time `t`.
//!
//! **Invariant:** an event applies from its `from` time on, for the rest of
//! the run; when two events change the same thing, the one that started
//! last wins.

use mlspec_ir::vocab::Moment;
use mlspec_ir::{Scenario, ScenarioEvent};

/// How a field's draws are changed at some time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldDrift {
    /// `shift mean +30%` is 0.3.
    pub mean: f64,
    /// `shift sd -20%` is -0.2.
    pub sd: f64,
    /// Replacement category shares, from `mix { .. }`.
    pub mix: Option<Vec<(String, f64)>>,
}

impl FieldDrift {
    pub fn is_none(&self) -> bool {
        self.mean == 0.0 && self.sd == 0.0 && self.mix.is_none()
    }
}

#[derive(Clone, Debug, Default)]
pub struct DriftPlan {
    /// Only the drift-type events (shift, mix, concept, prior), sorted by start.
    pub events: Vec<ScenarioEvent>,
}

impl DriftPlan {
    pub fn new(scenario: Option<&Scenario>) -> DriftPlan {
        let mut events: Vec<ScenarioEvent> =
            scenario.map(|s| s.events.iter().filter(|e| e.drift_start().is_some()).cloned().collect()).unwrap_or_default();
        events.sort_by(|a, b| a.drift_start().unwrap_or(0.0).total_cmp(&b.drift_start().unwrap_or(0.0)));
        DriftPlan { events }
    }

    fn active(&self, t: f64) -> impl Iterator<Item = &ScenarioEvent> {
        self.events.iter().filter(move |e| e.drift_start().is_some_and(|s| s <= t))
    }

    pub fn field(&self, source: &str, field: &str, t: f64) -> FieldDrift {
        let mut d = FieldDrift::default();
        for e in self.active(t) {
            match e {
                ScenarioEvent::Shift { field: f, moment, by, .. } if f.source == source && f.field == field => match moment {
                    Moment::Sd => d.sd = *by,
                    Moment::Mean => d.mean = *by,
                },
                ScenarioEvent::Mix { field: f, weights, .. } if f.source == source && f.field == field => d.mix = Some(weights.clone()),
                _ => {}
            }
        }
        d
    }

    /// The strength of the concept drift in force at `t` (0 = none).
    pub fn concept(&self, t: f64) -> f64 {
        self.active(t).fold(0.0, |acc, e| if let ScenarioEvent::ConceptDrift { strength, .. } = e { *strength } else { acc })
    }

    /// The label rate a `prior_shift` imposes on `source.field` at `t`.
    pub fn prior(&self, source: &str, field: &str, t: f64) -> Option<f64> {
        self.active(t).fold(None, |acc, e| match e {
            ScenarioEvent::PriorShift { field: f, rate, .. } if f.source == source && f.field == field => Some(*rate),
            _ => acc,
        })
    }

    /// How many events have started by `t`: draws only change when this does.
    pub fn epoch(&self, t: f64) -> usize {
        self.active(t).count()
    }

    /// The start of the first drift event.
    pub fn first_start(&self) -> Option<f64> {
        self.events.first().and_then(ScenarioEvent::drift_start)
    }

    pub fn last_start(&self) -> Option<f64> {
        self.events.last().and_then(ScenarioEvent::drift_start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mlspec_ir::FieldRef;

    fn field(source: &str, field: &str) -> FieldRef {
        FieldRef { source: source.into(), field: field.into(), span: Default::default() }
    }

    fn plan(events: Vec<ScenarioEvent>) -> DriftPlan {
        let s = Scenario {
            name: "s".into(),
            doc: Vec::new(),
            duration_s: None,
            requests: None,
            traffic: None,
            events,
            seed: None,
            span: Default::default(),
            name_span: Default::default(),
        };
        DriftPlan::new(Some(&s))
    }

    /// Events apply from their start on; of two that change the same thing,
    /// the later start wins, whatever their order in the scenario; another
    /// field, source or moment is left alone; load events are not drift.
    #[test]
    fn an_event_applies_from_its_start_and_the_latest_start_wins() {
        let p = plan(vec![
            ScenarioEvent::Shift { field: field("e", "x"), moment: Moment::Mean, by: -0.2, from_s: 200.0 },
            ScenarioEvent::Burst { factor: 3.0, at_s: 0.0, for_s: 10.0 },
            ScenarioEvent::Shift { field: field("e", "x"), moment: Moment::Mean, by: 0.3, from_s: 100.0 },
            ScenarioEvent::Shift { field: field("e", "x"), moment: Moment::Sd, by: 0.5, from_s: 150.0 },
            ScenarioEvent::Mix { field: field("e", "k"), weights: vec![("a".into(), 1.0)], from_s: 50.0 },
            ScenarioEvent::ConceptDrift { strength: 0.4, from_s: 120.0 },
            ScenarioEvent::ConceptDrift { strength: 0.9, from_s: 300.0 },
            ScenarioEvent::PriorShift { field: field("e", "y"), rate: 0.5, from_s: 250.0 },
        ]);
        assert_eq!(p.events.len(), 7, "the burst is not a drift event");
        assert_eq!((p.first_start(), p.last_start()), (Some(50.0), Some(300.0)));
        assert!(p.field("e", "x", 99.9).is_none());
        assert_eq!(p.field("e", "x", 100.0), FieldDrift { mean: 0.3, sd: 0.0, mix: None });
        assert_eq!(p.field("e", "x", 150.0), FieldDrift { mean: 0.3, sd: 0.5, mix: None });
        assert_eq!(p.field("e", "x", 1e9), FieldDrift { mean: -0.2, sd: 0.5, mix: None });
        assert!(p.field("other", "x", 1e9).is_none() && p.field("e", "z", 1e9).is_none());
        assert_eq!(p.field("e", "k", 50.0).mix, Some(vec![("a".to_string(), 1.0)]));
        assert_eq!((p.concept(119.0), p.concept(120.0), p.concept(300.0)), (0.0, 0.4, 0.9));
        assert_eq!((p.prior("e", "y", 249.0), p.prior("e", "y", 250.0), p.prior("e", "x", 1e9)), (None, Some(0.5), None));
        assert_eq!((p.epoch(0.0), p.epoch(50.0), p.epoch(150.0), p.epoch(1e9)), (0, 1, 4, 7));
        assert!(plan(Vec::new()).first_start().is_none() && DriftPlan::new(None).events.is_empty());
    }
}
