//! mlspec-runtime: simulation of validated designs ([`mlspec_compiler::ir`]),
//! never of the AST.
//!
//! - [`load`]: discrete-event simulation of a realtime serving block under a
//!   scenario's traffic: latency, queueing, fallbacks, autoscaling and cost.

pub mod data;
pub mod load;
pub mod models;
pub mod monitors;
pub mod quality;
pub mod report;
