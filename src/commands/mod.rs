//! One module per command: read the input, call one library function,
//! print the result. Failures go back to `main` as [`Failure`]s.

pub mod build;
pub mod capacity;
pub mod check;
pub mod doc;
pub mod explain;
pub mod fmt;
pub mod graph;
pub mod lsp;
pub mod new;
pub mod review;
pub mod simulate;

use crate::failure::Failure;
use crate::io;
use mlspec_check::check_bytes;
use mlspec_check::simulation::{self, TargetError};
use mlspec_ir::traffic::MAX_REQUESTS;
use mlspec_ir::Design;
use mlspec_sim::{Overrides, Plan};

/// Reads and checks a spec for a command that needs a valid design: check
/// errors and unreadable files are failures.
pub fn load_design(path: &str, purpose: &str) -> Result<(Design, String), Failure> {
    let bytes = io::read_input(path).map_err(Failure::Usage)?;
    let src = io::as_text(&bytes);
    match check_bytes(&bytes).design() {
        Ok(design) => Ok((design, src)),
        Err(diagnostics) => Err(Failure::Spec {
            path: path.to_string(),
            source: src,
            diagnostics,
            closing: Some(format!("`{path}` has errors; fix them to {purpose}")),
        }),
    }
}

/// `--requests` as a count (`200k`, `1M`).
pub fn requests(sim: &crate::SimArgs) -> Result<Option<u64>, Failure> {
    sim.requests
        .as_deref()
        .map(mlspec_syntax::parse_count)
        .transpose()
        .and_then(|n| match n {
            Some(n) if n as f64 > MAX_REQUESTS => Err(format!("`{n}` requests is more than the {MAX_REQUESTS:.0e} a run may take")),
            n => Ok(n),
        })
        .map_err(|e| Failure::Usage(format!("--requests: {e}")))
}

/// Reads the `empirical` latency files a spec names, relative to its folder.
pub fn latency_file_reader(spec_path: &str) -> impl Fn(&str) -> Result<String, String> {
    let dir = std::path::Path::new(spec_path).parent().map(std::path::Path::to_path_buf).unwrap_or_default();
    move |f: &str| std::fs::read_to_string(dir.join(f)).map_err(|e| format!("cannot read it: {e}"))
}

/// A target error as a failure: unknown names are usage errors, problems
/// of the spec are its diagnostics.
pub fn target_failure(path: &str, src: &str, e: TargetError) -> Failure {
    match e {
        TargetError::Unknown(u) => unknown_name(path, &u),
        TargetError::Spec(diagnostics) => Failure::Spec { path: path.to_string(), source: src.to_string(), diagnostics, closing: None },
    }
}

/// The load plan of the serving and scenario named on the command line.
/// `requests`, when given, replaces the scenario's end.
pub fn load_plan(sim: &crate::SimArgs, requests: Option<u64>) -> Result<Plan, Failure> {
    let path = sim.file.as_str();
    let (design, src) = load_design(path, "simulate it")?;
    let read = latency_file_reader(path);
    let target = simulation::target(&design, sim.serving.as_deref(), sim.scenario.as_deref(), requests, &read)
        .map_err(|e| target_failure(path, &src, e))?;
    Plan::new(&design, &target, &Overrides { seed: sim.seed, requests }).ok_or_else(|| no_plan(path))
}

pub fn no_plan(path: &str) -> Failure {
    Failure::refused(format!("`{path}`: the serving cannot be simulated (no stage, or no positive arrival rate)"))
}

/// A name from the command line that the spec does not declare.
fn unknown_name(path: &str, u: &simulation::UnknownName) -> Failure {
    let hint = match (&u.suggestion, u.known.is_empty()) {
        (Some(s), _) => format!("; did you mean `{s}`?"),
        (None, true) => format!("; the spec declares no {}", u.what),
        (None, false) => format!("; the spec declares: {}", u.known.join(", ")),
    };
    Failure::Usage(format!("no {} named `{}` in `{path}`{hint}", u.what, u.name))
}

/// Writes a report to `out`, or prints it when there is none or it is `-`.
pub fn emit(text: &str, out: Option<&str>, wrote: impl FnOnce(&str)) -> Result<(), Failure> {
    match out {
        None | Some("-") => {
            io::print(text);
            Ok(())
        }
        Some(file) => {
            io::write_atomic(file, text).map_err(Failure::Usage)?;
            wrote(file);
            Ok(())
        }
    }
}
