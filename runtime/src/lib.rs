//! mlspec-runtime: simulation of validated designs ([`mlspec_compiler::ir`]),
//! never of the AST.
//!
//! - [`load`]: discrete-event simulation of a realtime serving block under a
//!   scenario's traffic: latency, queueing, fallbacks, autoscaling and cost.
//! - [`data`], [`models`], [`quality`]: drift and model quality over time:
//!   synthetic rows from the schemas, the declared features and models, the
//!   scenario's drift and the declared monitors on their schedule.
//! - [`monitors`]: the drift statistics; [`report`]: every report format.

pub mod data;
pub mod load;
pub mod models;
pub mod monitors;
pub mod quality;
pub mod report;
