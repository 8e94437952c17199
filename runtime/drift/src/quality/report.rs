//! The drift and quality sections of a simulation report (serde: the JSON
//! `drift` and `quality` objects).

use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct Point {
    pub hour: f64,
    pub value: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct SourceRows {
    pub source: String,
    /// `per day` for streams, `total` for tables (drawn once, joined by key).
    pub rows: u64,
    pub per: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct DataSummary {
    /// The source whose rows are scored and labelled.
    pub entity: String,
    pub rows_per_day: u64,
    /// The declared daily volume those rows stand for, when declared.
    pub declared_per_day: Option<f64>,
    pub history_days: f64,
    pub horizon_hours: f64,
    pub rows: u64,
    pub label_rate_history: Option<f64>,
    pub sources: Vec<SourceRows>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MonitorSeries {
    /// The statement as written in the spec.
    pub monitor: String,
    /// `drift` or `performance`.
    pub kind: &'static str,
    pub feature: Option<String>,
    /// `psi`, `ks`, ... or the metric of a performance monitor.
    pub statistic: String,
    pub p_value: bool,
    pub cmp: String,
    pub threshold: f64,
    pub every_hours: f64,
    /// Drift monitors: the rows of the reference in force at the last
    /// check (the live model's training rows, thinned by an even stride
    /// to at most 20,000).
    pub reference_rows: Option<u64>,
    pub values: Vec<Point>,
    pub alerts_hours: Vec<f64>,
    /// Hours at which an alert started (the previous check was quiet).
    pub onsets_hours: Vec<f64>,
    pub retrain: bool,
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct EventOutcome {
    pub statement: String,
    pub from_hours: f64,
    /// Monitors that can see this change.
    pub watched_by: Vec<String>,
    pub detected_by: Option<String>,
    pub detected_at_hours: Option<f64>,
    pub detection_delay_hours: Option<f64>,
    pub note: Option<String>,
    /// Replicated reports only: in how many replications a monitor caught
    /// it (the delay is then the mean over those).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caught_in: Option<u64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DriftReport {
    pub data: DataSummary,
    pub monitors: Vec<MonitorSeries>,
    pub events: Vec<EventOutcome>,
    /// Alerts before the first drift starts (all alerts when nothing drifts).
    pub false_alarms: u64,
    pub checks_before_drift: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct MetricResult {
    pub metric: String,
    pub value: Option<f64>,
    pub cmp: Option<String>,
    pub threshold: Option<f64>,
    /// `None` when there is no threshold or no value.
    pub met: Option<bool>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OfflineModel {
    pub model: String,
    pub kind: String,
    pub method: String,
    /// The decision threshold (cost-optimal on the validation rows with a
    /// cost matrix, else 0.5).
    pub threshold: Option<f64>,
    pub metrics: Vec<MetricResult>,
    /// Expected cost per 1,000 decisions at `threshold`, on the test rows.
    pub cost_per_1000: Option<f64>,
    /// The threshold that minimises that cost on the test rows, and the cost there.
    pub best_threshold: Option<f64>,
    pub best_cost_per_1000: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct QualityPoint {
    pub hour: f64,
    pub metric: String,
    pub value: Option<f64>,
    /// The live model: `NAME` or `NAME (retrained at 168h)`.
    pub model: String,
    /// A retrain happened since the previous point.
    pub retrained: bool,
    pub without_retraining: Option<f64>,
    pub cost_per_1000: Option<f64>,
    pub cost_per_1000_without_retraining: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Retrain {
    pub hour: f64,
    /// `every 7d` or the monitor that asked for it.
    pub reason: String,
    pub rows: u64,
    /// Event times of the labelled rows it trained on.
    pub data_from_hours: f64,
    pub data_to_hours: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct CostSummary {
    /// Expected cost per 1,000 decisions over the whole run.
    pub per_1000_with_retraining: f64,
    pub per_1000_without_retraining: f64,
    /// At the declared volume over the run, when the volume is declared.
    pub total_with_retraining: Option<f64>,
    pub total_without_retraining: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct QualityReport {
    pub model: String,
    pub kind: String,
    pub method: String,
    pub metric: String,
    /// The trailing window each timeline value is computed over.
    pub window_hours: f64,
    pub offline: Vec<OfflineModel>,
    pub timeline: Vec<QualityPoint>,
    pub retrains: Vec<Retrain>,
    pub cost: Option<CostSummary>,
    pub notes: Vec<String>,
    /// Replicated reports only: the verdict's quality figures, means over
    /// the replications (the timeline is replication 0's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends: Option<QualityEnds>,
}

/// The live model's quality on the first and last timeline points: the
/// figures of the drift verdict.
#[derive(Clone, Debug, Serialize)]
pub struct QualityEnds {
    pub start: f64,
    pub end_with_retraining: f64,
    pub end_without_retraining: f64,
}

impl QualityReport {
    /// The first value of the timeline, and its last with and without the
    /// declared retraining; `None` when any is missing.
    pub fn timeline_ends(&self) -> Option<QualityEnds> {
        Some(QualityEnds {
            start: self.timeline.iter().find_map(|p| p.value)?,
            end_with_retraining: self.timeline.iter().rev().find_map(|p| p.value)?,
            end_without_retraining: self.timeline.iter().rev().find_map(|p| p.without_retraining)?,
        })
    }

    /// The verdict's quality figures: the replicated means when there are
    /// any, else this run's timeline.
    pub fn verdict_ends(&self) -> Option<QualityEnds> {
        self.ends.clone().or_else(|| self.timeline_ends())
    }
}

/// Both sections, as one simulation produces them.
#[derive(Clone, Debug, Serialize)]
pub struct QualityOutcome {
    pub drift: DriftReport,
    pub quality: QualityReport,
}
