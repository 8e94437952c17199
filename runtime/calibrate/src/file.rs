//! The calibration file `mlspec calibrate` writes and `simulate`/`capacity
//! --calibration` read: what was measured (the phases, each stage's fit) and
//! the replica model derived from it. Documented in docs/simulation.md.
//!
//! **Invariant:** a file that [`Calibration::from_json`] accepts has the
//! current format and version, finite non-negative figures and a model the
//! simulator can run; anything else is an error that says what is wrong.

use crate::fit::Fitted;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

pub const FORMAT: &str = "mlspec-calibration";
/// Raised when a field changes meaning; readers refuse other versions.
pub const VERSION: u32 = 2;
/// Files larger than this are not calibration files.
pub const MAX_FILE_BYTES: usize = 4 << 20;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calibration {
    pub format: String,
    pub version: u32,
    pub system: String,
    pub serving: String,
    /// The scoring URL the phases loaded.
    pub url: String,
    /// Worker processes of the measured server (`WEB_CONCURRENCY`).
    pub processes: u32,
    pub phases: Vec<Phase>,
    pub stages: Vec<StageFit>,
    pub model: Model,
}

/// One load phase and what the server's `/metrics` counted during it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub name: String,
    /// Poisson arrivals per second.
    pub rate_rps: f64,
    pub seconds: f64,
    /// Answers with status 2xx, per second, as the load generator saw them.
    pub throughput_rps: f64,
    /// The load generator's latency of 2xx answers, from each request's
    /// scheduled time.
    pub latency_ms: Latency,
    /// Server counts: requests scored by a model, answered from the cache,
    /// answered by the fallback.
    pub scored: f64,
    pub cached: f64,
    pub fallbacks: f64,
    pub batches: f64,
    pub mean_batch: f64,
    /// CPU seconds of the server's processes, and of the threads running batches.
    pub cpu_s: f64,
    pub batch_cpu_s: f64,
    /// Mean seconds per request in each declared stage, ms.
    pub stage_mean_ms: BTreeMap<String, f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
}

/// One declared stage's latency in the light phase and its fitted distribution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageFit {
    pub name: String,
    /// What the server times under this stage's name: `wait` (arrival to
    /// batch start), `lookup` (the online store read of a batch), `retrieve`
    /// or `score` (features and the model call of a batch).
    pub measures: String,
    pub count: f64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub fit: Fitted,
    /// Binned Kolmogorov–Smirnov distance of the chosen fit.
    pub ks: f64,
    /// Every family tried: name and KS distance.
    pub candidates: Vec<(String, f64)>,
}

/// The replica model the simulator runs (see `model::measured`): each
/// process is one interpreter that does every request's own work and every
/// batch's, one at a time; the rest of a request's time is spent off it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Interpreter time of a request's own work (HTTP, validation, the answer), ms.
    pub request_ms: f64,
    /// Added to a request's work when it wakes an idle interpreter, ms.
    pub request_wake_ms: f64,
    /// Interpreter time of a batch of n requests: `batch_ms + n × per_item_ms`.
    pub batch_ms: f64,
    pub per_item_ms: f64,
    /// Added to a batch that wakes an idle interpreter, ms.
    pub batch_wake_ms: f64,
    /// The event loop's work to take a batch's results back, ms; the
    /// batch's thread is not free for another batch until it is done.
    pub handback_ms: f64,
    /// Spread of a batch's time: σ of a lognormal around its mean.
    pub batch_sigma: f64,
    /// Batches a process runs at once (its batch threads): a batch takes
    /// its requests when one is free.
    pub batch_threads: u32,
    /// The micro-batch: largest size and longest wait of its first request.
    pub batch_size: u32,
    pub batch_wait_ms: f64,
    /// Time off the interpreter (network, the store's round trip, hand-offs),
    /// as equally likely values, ms, ascending.
    pub outside_ms: Vec<f64>,
    /// Share of answers from the answer cache in the light phase.
    pub cache_hit: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FileError {
    TooBig,
    Json(String),
    Format { found: String },
    Version { found: u32 },
    Invalid { field: &'static str },
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::TooBig => write!(f, "the file is over {} MiB: not a calibration file", MAX_FILE_BYTES >> 20),
            FileError::Json(e) => write!(f, "not a calibration file ({e}): write one with `mlspec calibrate`"),
            FileError::Format { found } => write!(f, "the file's format is `{found}`, not `{FORMAT}`: write one with `mlspec calibrate`"),
            FileError::Version { found } => {
                write!(f, "calibration version {found} is not read by this mlspec (it reads version {VERSION}): calibrate again")
            }
            FileError::Invalid { field } => {
                write!(f, "`{field}` is not a finite, non-negative figure the simulator can use: calibrate again")
            }
        }
    }
}

impl std::error::Error for FileError {}

impl Calibration {
    pub fn from_json(text: &str) -> Result<Calibration, FileError> {
        if text.len() > MAX_FILE_BYTES {
            return Err(FileError::TooBig);
        }
        let header: serde_json::Value = serde_json::from_str(text).map_err(|e| FileError::Json(e.to_string()))?;
        let format = header.get("format").and_then(|f| f.as_str()).unwrap_or_default();
        if format != FORMAT {
            return Err(FileError::Format { found: format.chars().take(64).collect() });
        }
        let version = header.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
        if version != u64::from(VERSION) {
            return Err(FileError::Version { found: version.min(u64::from(u32::MAX)) as u32 });
        }
        let c: Calibration = serde_json::from_value(header).map_err(|e| FileError::Json(e.to_string()))?;
        c.model.check()?;
        if c.processes == 0 || c.processes > 1024 {
            return Err(FileError::Invalid { field: "processes" });
        }
        Ok(c)
    }

    /// Pretty JSON, fixed field order, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

impl Model {
    fn check(&self) -> Result<(), FileError> {
        let ok = |x: f64| x.is_finite() && x >= 0.0;
        for (field, x) in [
            ("model.request_ms", self.request_ms),
            ("model.request_wake_ms", self.request_wake_ms),
            ("model.batch_wake_ms", self.batch_wake_ms),
            ("model.handback_ms", self.handback_ms),
            ("model.batch_ms", self.batch_ms),
            ("model.per_item_ms", self.per_item_ms),
            ("model.batch_sigma", self.batch_sigma),
            ("model.batch_wait_ms", self.batch_wait_ms),
        ] {
            if !ok(x) || x > 3.6e6 {
                return Err(FileError::Invalid { field });
            }
        }
        if !(0.0..=1.0).contains(&self.cache_hit) {
            return Err(FileError::Invalid { field: "model.cache_hit" });
        }
        if self.batch_threads == 0 || self.batch_threads > 1024 {
            return Err(FileError::Invalid { field: "model.batch_threads" });
        }
        if self.batch_size == 0 || self.batch_size > 1 << 20 {
            return Err(FileError::Invalid { field: "model.batch_size" });
        }
        if self.outside_ms.is_empty() || self.outside_ms.len() > 100_000 || !self.outside_ms.iter().all(|x| ok(*x) && *x < 3.6e6) {
            return Err(FileError::Invalid { field: "model.outside_ms" });
        }
        if self.request_ms + self.batch_ms + self.per_item_ms <= 0.0 {
            return Err(FileError::Invalid { field: "model.request_ms" });
        }
        Ok(())
    }
}
