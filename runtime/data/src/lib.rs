//! Real data against an mlspec design.
//!
//! - [`check`]: `mlspec data check`, every source's data against what the
//!   spec declares of it, as diagnostics pointing at the declarations;
//! - [`infer`]: `mlspec data infer`, `source` blocks drafted from data;
//! - [`files`]: where a source's data is, and its lazy polars scan;
//! - [`fit`]: the language's distributions fitted by maximum likelihood.
//!
//! **Invariant:** data is read only through polars' lazy scans run by the
//! streaming engine ([`query::collect`]), so a file larger than memory is
//! checked in bounded memory; results are sorted, so the same data gives
//! the same bytes.

pub mod check;
pub mod files;
pub mod fit;
pub mod infer;
mod query;
pub mod time;
pub mod tolerance;

pub use check::{check, Checked, Options, Read};
