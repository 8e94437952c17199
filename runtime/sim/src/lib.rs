//! mlspec-sim: load and latency: the discrete-event simulation of a realtime serving
//! block ([`engine`]), fed by a [`plan`] lowered from the design, measured
//! with [`histogram`]s and summarised as a [`LoadReport`]; the fewest
//! replicas that meet the SLOs ([`capacity`]) beside the closed forms of
//! [`queueing`]; Student t intervals over independent replications
//! ([`interval`]).

pub mod arrivals;
pub mod capacity;
pub mod dist;
pub mod engine;
pub mod events;
pub mod histogram;
pub mod interval;
pub mod plan;
pub mod queueing;
pub mod summary;

pub use plan::{Overrides, Plan};
pub use summary::{simulate, LoadReport};
