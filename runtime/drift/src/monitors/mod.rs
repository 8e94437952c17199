//! Drift monitors: the statistics a `drift FEATURE using STAT` monitor
//! computes between the training reference and recent data.

pub mod stats;
