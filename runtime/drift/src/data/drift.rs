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
