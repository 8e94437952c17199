pub mod check;
pub mod doc;
pub mod explain;
pub mod fmt;
pub mod graph;
pub mod new;
pub mod review;
