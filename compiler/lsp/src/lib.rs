//! mlspec-lsp: the language server of `mlspec lsp`.
//!
//! [`run`] serves one session on an `lsp_server::Connection` (the CLI's
//! over stdio, the tests' in memory): diagnostics on open and change,
//! document symbols, formatting, definition, references, hover, completion,
//! signature help, folding ranges, workspace symbols, semantic tokens,
//! quick fixes for "did you mean" and rename. Every request reads the
//! document's [`analysis::Analyzed`]: its text, syntax tree, the checker's
//! analysis and the symbol [`index`].
//!
//! **Invariant:** the crate does no I/O of its own: messages come and go
//! through the connection it is given.

mod analysis;
mod code_action;
mod completion;
mod convert;
mod diagnostics;
mod documents;
mod folding;
mod formatting;
mod hover;
mod index;
mod navigation;
mod outline;
mod reference;
mod rename;
mod semantic;
mod server;
mod signature;
mod words;

pub use server::{capabilities, run, Ended, DEFAULT_DIAGNOSTICS_URL};
