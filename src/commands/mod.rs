pub mod build;
pub mod capacity;
pub mod check;
pub mod doc;
pub mod explain;
pub mod fmt;
pub mod graph;
pub mod new;
pub mod review;
pub mod simulate;

use crate::io;
use mlspec_check::check_bytes;
use mlspec_check::simulation::{self, TargetError};
use mlspec_diag::render::{self, FileReport, Style};
use mlspec_diag::Diagnostic;
use mlspec_ir::Design;
use mlspec_sim::{Overrides, Plan};

/// Reads and checks a spec for a command that needs a valid design; errors
/// are printed (exit code 1), unreadable files too (exit code 2).
pub fn load_design(path: &str, purpose: &str) -> Result<(Design, String), u8> {
    let Some(bytes) = io::load(path) else { return Err(2) };
    let a = check_bytes(&bytes);
    let src = io::as_text(&bytes);
    if a.diagnostics.iter().any(|d| d.is_error()) {
        let report = [FileReport { path, source: &src, diagnostics: &a.diagnostics }];
        eprint!("{}", render::render_human(&report, Style::Plain));
        io::error(&format!("`{path}` has errors; fix them to {purpose}"));
        return Err(1);
    }
    Ok((a.design, src))
}

/// `--requests` as a count (`200k`, `1M`); a bad one is a usage error.
pub fn requests(sim: &crate::SimArgs) -> Result<Option<u64>, u8> {
    let parsed = sim.requests.as_deref().map(mlspec_syntax::parse_count).transpose().and_then(|n| match n {
        Some(n) if n as f64 > mlspec_ir::traffic::MAX_REQUESTS => {
            Err(format!("`{n}` requests is more than the {:.0e} a run may take", mlspec_ir::traffic::MAX_REQUESTS))
        }
        n => Ok(n),
    });
    parsed.map_err(|e| {
        io::error(&format!("--requests: {e}"));
        2
    })
}

/// The simulation plan of a spec: spec errors and problems that stop a
/// simulation are diagnostics (exit 1); unknown names given on the command
/// line are usage errors (exit 2). `requests`, when given, replaces the
/// scenario's end.
pub fn prepare(sim: &crate::SimArgs, requests: Option<u64>) -> Result<Plan, u8> {
    let (design, src) = load_design(&sim.file, "simulate it")?;
    match plan_for(sim, requests, &design)? {
        Ok(plan) => Ok(plan),
        Err(diags) => Err(print_spec_problems(&sim.file, &src, &diags)),
    }
}

/// Prints diagnostics that stop a simulation; the exit code is 1.
pub fn print_spec_problems(path: &str, src: &str, diags: &[Diagnostic]) -> u8 {
    let report = [FileReport { path, source: src, diagnostics: diags }];
    eprint!("{}", render::render_human(&report, Style::Plain));
    1
}

/// The load plan of a checked design, or the diagnostics that say why its
/// load cannot be simulated (for the caller to print or to set aside).
pub fn plan_for(sim: &crate::SimArgs, requests: Option<u64>, design: &Design) -> Result<Result<Plan, Vec<Diagnostic>>, u8> {
    let path = sim.file.as_str();
    let o = Overrides { seed: sim.seed, requests };
    // Latency files are relative to the spec's folder.
    let dir = std::path::Path::new(path).parent().map(std::path::Path::to_path_buf).unwrap_or_default();
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).map_err(|e| format!("cannot read it: {e}"));
    let target = match simulation::target(design, sim.serving.as_deref(), sim.scenario.as_deref(), requests, &read) {
        Ok(t) => t,
        Err(TargetError::Unknown(u)) => return Err(unknown_name(path, &u)),
        Err(TargetError::Spec(diags)) => return Ok(Err(diags)),
    };
    match Plan::new(design, &target, &o) {
        Some(plan) => Ok(Ok(plan)),
        None => {
            io::error(&format!("`{path}`: the serving cannot be simulated (no stage, or no positive arrival rate)"));
            Err(1)
        }
    }
}

/// A name from the command line that the spec does not declare (exit 2).
pub fn unknown_name(path: &str, u: &simulation::UnknownName) -> u8 {
    let hint = match (&u.suggestion, u.known.is_empty()) {
        (Some(s), _) => format!("; did you mean `{s}`?"),
        (None, true) => format!("; the spec declares no {}", u.what),
        (None, false) => format!("; the spec declares: {}", u.known.join(", ")),
    };
    io::error(&format!("no {} named `{}` in `{path}`{hint}", u.what, u.name));
    2
}
