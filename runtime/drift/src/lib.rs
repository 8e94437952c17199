//! mlspec-drift: drift and model quality of a validated design
//! ([`mlspec_ir`], never the AST) over time.
//!
//! - [`data`]: synthetic rows from the schemas (polars frames), the
//!   scenario's drift, the declared features and windows, the hidden truth;
//! - [`models`]: the declared models trained with linfa (or named
//!   stand-ins), and their metrics;
//! - [`monitors`]: the drift statistics;
//! - [`quality`]: the run: monitors on their schedule, retraining, the
//!   quality timeline, and which monitor caught which drift;
//! - [`DriftError`]: why a run gives no report.
//!
//! **Invariant:** a result depends only on the design, the options and the
//! seed (named streams of [`mlspec_rng`]); no file or console access.

pub mod data;
mod error;
pub mod models;
pub mod monitors;
pub mod quality;

pub use error::DriftError;
