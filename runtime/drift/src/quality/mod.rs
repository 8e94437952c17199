//! Drift and model quality over time: the synthetic data ([`crate::data`])
//! with the scenario's drift, the declared models ([`crate::models`])
//! trained on history before hour 0, and, from hour 0 on, the declared
//! monitors on their schedule, retraining, and the model's true quality.
//!
//! The run is done twice on the same rows: with the declared retraining
//! (`retrain every D`, `action retrain`) and with the first model frozen,
//! so the report shows what retraining changed.
//!
//! **Invariant:** a performance monitor at time `t` reads only rows whose
//! label has arrived (event time + label `delay` ≤ t); drift monitors and
//! the quality timeline read rows with event time < t. The ground truth is
//! used only for the timeline, never by a monitor or a retrain.
//! **Invariant:** the same design, scenario and options give the same
//! report (seeded streams, ordered maps, no clock).

mod attribution;
mod live;
pub mod monitor;
mod report;
mod run;
pub mod statements;
mod training;

pub use report::*;
pub use run::{planned_rows, simulate};

/// Days of labelled history generated before hour 0 for the first training.
pub const HISTORY_DAYS: f64 = 28.0;
/// The drift run lasts until this long after the last drift starts (at
/// least the scenario's duration), so late events can be caught.
pub const TAIL_DAYS: f64 = 7.0;
pub const MAX_DAYS: f64 = 365.0;
/// Drift monitors without `every` check once a day.
pub const DEFAULT_EVERY_S: f64 = 86_400.0;
/// Runs that would draw more rows than this (about 20 GB of columns) are
/// refused; `--rows-per-day` and `--days` bound a run.
pub const MAX_ROWS: f64 = 200e6;
/// A performance check needs this many labelled rows.
pub const MIN_LABELLED_ROWS: usize = 30;

#[derive(Clone, Debug)]
pub struct Options {
    pub rows_per_day: u64,
    pub seed: u64,
    /// Overrides the run's length.
    pub days: Option<f64>,
}
