//! Which monitors can see each drift event, which one caught it and how
//! late, and why the others did not.

use super::report::{EventOutcome, MonitorSeries};
use super::run::H;
use super::statements::event_statement;
use crate::data::drift::DriftPlan;
use mlspec_ir::graph::transitive_reads;
use mlspec_ir::numbers::human_duration;
use mlspec_ir::{Design, ScenarioEvent};
use std::collections::BTreeSet;

/// The monitors (indices into `series`) that can see an event, and a note
/// when no drift monitor watches a drifted field.
pub fn watchers(d: &Design, e: &ScenarioEvent, series: &[MonitorSeries]) -> (Vec<usize>, Option<String>) {
    let perf: Vec<usize> = series.iter().enumerate().filter(|(_, s)| s.kind == "performance").map(|(i, _)| i).collect();
    let field = match e {
        ScenarioEvent::Shift { field, .. } | ScenarioEvent::Mix { field, .. } => field,
        ScenarioEvent::ConceptDrift { .. } => {
            let note = perf.is_empty().then(|| "only a performance monitor can see a concept drift, and the spec has none".to_string());
            return (perf, note);
        }
        ScenarioEvent::PriorShift { field, .. } => {
            let note = if perf.is_empty() {
                format!("no monitor watches {field}: a label-rate change shows only in a performance monitor, and the spec has none")
            } else {
                format!("no drift monitor watches the label {field}; only performance monitors can see it")
            };
            return (perf, Some(note));
        }
        _ => return (Vec::new(), None),
    };
    let mut readers: BTreeSet<&str> = BTreeSet::new();
    let mut drift_watchers = Vec::new();
    for (i, s) in series.iter().enumerate() {
        let Some(feature) = s.feature.as_deref() else { continue };
        let (_, fields, _) = transitive_reads(d, [feature]);
        if fields.iter().any(|f| f.source == field.source && f.field == field.field) {
            drift_watchers.push(i);
        }
    }
    for f in &d.features {
        let (_, fields, _) = transitive_reads(d, [f.name.as_str()]);
        if fields.iter().any(|r| r.source == field.source && r.field == field.field) {
            readers.insert(f.name.as_str());
        }
    }
    let note = drift_watchers.is_empty().then(|| {
        if readers.is_empty() {
            format!("no monitor watches {field}, and no feature reads it")
        } else {
            let names: Vec<&str> = readers.into_iter().collect();
            format!("no drift monitor watches {field} (read by {})", names.join(", "))
        }
    });
    let mut all = drift_watchers;
    all.extend(perf);
    (all, note)
}

/// Each drift event's outcome: the monitors that can see it, the first
/// alert onset among them at or after its start, and a note when nothing
/// caught it (how close the drift monitors came; when labels arrive).
pub fn outcomes(d: &Design, drift: &DriftPlan, series: &[MonitorSeries], delay_s: f64, horizon_s: f64) -> Vec<EventOutcome> {
    let mut events = Vec::new();
    for e in &drift.events {
        let from = e.drift_start().unwrap_or(0.0);
        let (watching, mut note) = watchers(d, e, series);
        let detected = watching
            .iter()
            .filter_map(|i| series.get(*i).and_then(|s| s.onsets_hours.iter().find(|h| **h * H >= from).map(|h| (*h, s.monitor.clone()))))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if detected.is_none() && !watching.is_empty() {
            let missed = format!(
                "not caught within the run ({}){}{}",
                human_duration(horizon_s),
                closest(&watching, series, from),
                label_lag(&watching, series, delay_s, from)
            );
            note = Some(match note {
                Some(n) => format!("{n}; {missed}"),
                None => missed,
            });
        }
        let from_hours = super::run::hours(from);
        events.push(EventOutcome {
            statement: event_statement(e),
            from_hours,
            watched_by: watching.iter().filter_map(|i| series.get(*i).map(|s| s.monitor.clone())).collect(),
            detected_by: detected.as_ref().map(|d| d.1.clone()),
            detected_at_hours: detected.as_ref().map(|d| d.0),
            detection_delay_hours: detected.as_ref().map(|d| ((d.0 - from_hours) * 1000.0).round() / 1000.0),
            note,
            caught_in: None,
        });
    }
    events
}

/// `; amount_log psi highest 0.171 against > 0.2`: how close each watching
/// drift monitor came after the event started.
fn closest(watching: &[usize], series: &[MonitorSeries], from: f64) -> String {
    let parts: Vec<String> = watching
        .iter()
        .filter_map(|i| series.get(*i))
        .filter(|s| s.kind == "drift")
        .filter_map(|s| {
            let after = s.values.iter().filter(|p| p.hour * H >= from).map(|p| p.value);
            let lower_fires = s.cmp.starts_with('<');
            let extreme = if lower_fires { after.fold(f64::INFINITY, f64::min) } else { after.fold(f64::NEG_INFINITY, f64::max) };
            let what = if s.p_value { format!("{} p-value", s.statistic) } else { s.statistic.clone() };
            let word = if lower_fires { "lowest" } else { "highest" };
            extreme
                .is_finite()
                .then(|| format!("{} {what} {word} {extreme:.3} against {} {}", s.feature.as_deref().unwrap_or(""), s.cmp, s.threshold))
        })
        .collect();
    parts.iter().map(|p| format!("; {p}")).collect()
}

/// `; labels arrive 30d after the event, ...` when a performance monitor
/// watches and labels are late.
fn label_lag(watching: &[usize], series: &[MonitorSeries], delay_s: f64, from: f64) -> String {
    if delay_s > 0.0 && watching.iter().any(|i| series.get(*i).is_some_and(|s| s.kind == "performance")) {
        format!(
            "; labels arrive {} after the event, so the first drifted labels come at {}",
            human_duration(delay_s),
            human_duration(from + delay_s)
        )
    } else {
        String::new()
    }
}
