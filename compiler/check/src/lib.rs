//! mlspec-check: AST to validated design, as ordered passes:
//!
//! 1. [`lower`]: statements to the design, with argument types and units;
//! 2. [`features`]: feature expressions resolved and typed, the feature
//!    DAG, window rules and leakage;
//! 3. [`names`]: duplicate and unsafe names (features included);
//! 4. [`resolve`]: every other reference (fields, models, stages, metrics);
//! 5. [`rules`]: cross-block rules (task fit, splits, serving, capacity,
//!    monitors, experiments);
//! 6. [`lift`]: the draft, when it has no error, into the checked design
//!    backends take ([`Analysis::design`]).
//!
//! **Invariant:** every pass runs even after errors in earlier ones, on what
//! could be built, so one mistake does not hide the others; passes skip
//! checks whose inputs are missing rather than report follow-on errors.

mod args;
mod block;
mod features;
mod group;
mod lift;
mod lower;
mod names;
mod resolve;
mod rules;

pub mod simulation;

pub use lower::{block_statement_names, percentile_of, FIELD_MODIFIERS, PERCENTILES, SOURCE_KINDS};

use mlspec_diag::Diagnostic;
use mlspec_ir::{Design, Draft};
use mlspec_syntax::ast::File;

pub struct Analysis {
    /// What could be built, errors or not: for tools that work on broken
    /// specs (an editor). Backends take [`Analysis::design`].
    pub draft: Design<Draft>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The checked design, when the spec has no error; otherwise every
    /// diagnostic, errors first in source order as always.
    pub fn design(self) -> Result<Design, Vec<Diagnostic>> {
        if self.has_errors() {
            return Err(self.diagnostics);
        }
        lift::lift(self.draft).map_err(|mut missing| {
            missing.extend(self.diagnostics);
            mlspec_diag::sort(&mut missing);
            missing
        })
    }
}

pub fn analyze(file: &File) -> Analysis {
    let mut diags = Vec::new();
    let lowered = lower::lower(file, &mut diags);
    let mut design = lowered.design;
    design.reindex();
    features::resolve(&mut design, &lowered.feature_exprs, &lowered.rule_exprs, &mut diags);
    design.reindex();
    names::check(&design, &mut diags);
    resolve::check(&design, &mut diags);
    group::check(&design, &mut diags);
    rules::check(&design, &mut diags);
    mlspec_diag::sort(&mut diags);
    diags.dedup();
    Analysis { draft: design, diagnostics: diags }
}

/// Parse and analyse one source text: all diagnostics, sorted.
pub fn check_source(src: &str) -> Analysis {
    check_parsed(&mlspec_syntax::parse(src))
}

pub fn check_bytes(bytes: &[u8]) -> Analysis {
    check_parsed(&mlspec_syntax::parse_bytes(bytes))
}

/// Analyses an already parsed text: its syntax diagnostics and the
/// analysis's, sorted, as [`check_source`] gives them (for tools that keep
/// the tree too, such as the language server).
pub fn check_parsed(parsed: &mlspec_syntax::Parsed) -> Analysis {
    let mut a = analyze(&parsed.file);
    let mut all = parsed.diagnostics.clone();
    // A file that did not parse at all (not UTF-8, too deep) reports only that.
    if !(parsed.file.stmts.is_empty() && all.iter().any(|d| matches!(d.code, "E0001" | "E0004"))) {
        all.append(&mut a.diagnostics);
    }
    mlspec_diag::sort(&mut all);
    all.dedup();
    a.diagnostics = all;
    a
}
