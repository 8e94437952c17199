//! mlspec-compiler: the `.mlspec` language, pure and without I/O.
//!
//! Pipeline: [`syntax::parse`] (text -> [`ast`] + diagnostics), then
//! [`analysis::analyze`] (ast -> validated [`ir::Design`] + diagnostics).
//! Renderers, the formatter and the graph work on those results.

// pest_derive without `std` (no per-rule stack probe; depth is bounded by the
// prescan instead) emits paths through `alloc`.
extern crate alloc;

pub mod analysis;
pub mod ast;
pub mod codegen;
pub mod cost;
pub mod diagnostics;
pub mod docs;
pub mod facts;
pub mod fmt;
pub mod graph;
pub mod ir;
pub mod review;
pub mod simulation;
pub mod span;
pub mod syntax;
#[doc(hidden)]
pub mod testing;
pub mod vocab;

pub use diagnostics::{Diagnostic, Severity};
pub use span::Span;
