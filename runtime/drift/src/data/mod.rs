//! Synthetic data for the drift simulation: rows drawn from each source's
//! schema (as polars frames), joined by key, with the declared features and
//! a hidden ground truth's labels, hour by hour, with the scenario's drift.

pub mod drift;
pub mod features;
pub mod stream;
pub mod synth;
pub mod table;
pub mod truth;
pub mod windows;
pub mod world;
