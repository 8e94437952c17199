//! mlspec-calibrate: the simulator's service times measured on a real server.
//!
//! The calibration loop scrapes the server's Prometheus `/metrics` twice
//! around a load run, parses each scrape ([`prometheus::parse`]), takes the
//! difference of each histogram between the two ([`prometheus::delta`]: the
//! observations of the run alone, with their exact sum and count) and fits a
//! service-time distribution to its buckets ([`fit::fit`]). The fitted
//! distributions are the simulator's [`mlspec_sim::dist::Sampler`]s
//! ([`fit::Fitted::sampler`]).
//!
//! [`measure`] runs the load phases against the server (through
//! `mlspec-load`) and [`model`] turns what they measured into the replica
//! the simulator runs; [`file`] is the calibration file between `mlspec
//! calibrate` and `simulate`/`capacity --calibration`.
//!
//! All but `measure` are pure computation: no I/O, and no input (the metrics
//! text comes from a network peer) makes them panic; every failure is an
//! error value with a message for the user.

pub mod file;
pub mod fit;
pub mod measure;
pub mod model;
pub mod prometheus;
