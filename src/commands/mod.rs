//! One module per command: read the input, call one library function,
//! print the result. Failures go back to `main` as [`Failure`]s.

pub mod build;
pub mod calibrate;
pub mod capacity;
pub mod check;
pub mod data;
pub mod doc;
pub mod explain;
pub mod fmt;
pub mod graph;
pub mod load;
pub mod lsp;
pub mod new;
mod remote;
pub mod review;
pub mod simulate;

use crate::failure::Failure;
use crate::io;
use mlspec_check::check_bytes;
use mlspec_check::simulation::{self, TargetError};
use mlspec_ir::traffic::MAX_REQUESTS;
use mlspec_ir::Design;
use mlspec_sim::capacity::{capacity, CapacityReport, DEFAULT_TRIAL_REQUESTS};
use mlspec_sim::{Overrides, Plan};
use std::collections::BTreeMap;

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
    let overrides = overrides(sim, &design, target.serving, requests, None)?;
    Plan::new(&design, &target, &overrides).ok_or_else(|| no_plan(path))
}

/// Every realtime serving's capacity answer as `mlspec capacity` gives it
/// without flags (its default scenario's peak, that scenario's seed, the
/// default trials), so `review` and `doc` print the replica count
/// `capacity` prints. A serving the simulator cannot plan is left out (the
/// review sizes it from declared times).
pub fn capacities(path: &str, design: &Design) -> BTreeMap<String, CapacityReport> {
    let read = latency_file_reader(path);
    design
        .servings
        .iter()
        .filter(|s| s.mode == Some(mlspec_ir::ServingMode::Realtime))
        .filter_map(|s| {
            let target = simulation::target(design, Some(&s.name), None, None, &read).ok()?;
            let plan = Plan::new(design, &target, &Overrides::default())?;
            Some((s.name.clone(), capacity(&plan, DEFAULT_TRIAL_REQUESTS)))
        })
        .collect()
}

/// What each answer sized, for `review_sized`: `None` where it found no
/// count (an infeasible limit).
pub fn sizings(answers: &BTreeMap<String, CapacityReport>) -> mlspec_review::SimulatedSizings {
    answers.iter().map(|(serving, c)| (serving.clone(), c.sizing.clone())).collect()
}

/// The command line's changes to a plan: seed, end, `--rate`, `--replicas`
/// and `--calibration` (read, and checked to be of this serving).
pub fn overrides(
    sim: &crate::SimArgs,
    design: &Design,
    serving: usize,
    requests: Option<u64>,
    replicas: Option<u32>,
) -> Result<Overrides, Failure> {
    if let Some(rate) = sim.rate {
        if !(rate > 0.0 && rate <= 1e9) {
            return Err(Failure::Usage("--rate: give a rate above 0 requests per second".to_string()));
        }
    }
    if replicas.is_some_and(|n| !(1..=100_000).contains(&n)) {
        return Err(Failure::Usage("--replicas: give 1 to 100,000 replicas".to_string()));
    }
    let measured = match &sim.calibration {
        None => None,
        Some(file) => {
            let text = io::read_input(file).map_err(Failure::Usage)?;
            let c = mlspec_calibrate::file::Calibration::from_json(&io::as_text(&text))
                .map_err(|e| Failure::Usage(format!("--calibration: `{file}`: {e}")))?;
            let name = design.servings.get(serving).map(|s| s.name.as_str()).unwrap_or_default();
            if c.system != design.name || c.serving != name {
                return Err(Failure::Usage(format!(
                    "--calibration: `{file}` measured serving `{}` of `{}`, not serving `{name}` of `{}`",
                    c.serving, c.system, design.name
                )));
            }
            if sim.processes.is_some_and(|n| !(1..=1024).contains(&n)) {
                return Err(Failure::Usage("--processes: give 1 to 1,024 worker processes per replica".to_string()));
            }
            let per_replica = match (sim.processes, design.servings.get(serving)) {
                (Some(n), _) => n,
                (None, Some(s)) => mlspec_ir::facts::worker_processes(s).clamp(1, 1024) as u32,
                (None, None) => 1,
            };
            Some(mlspec_calibrate::model::measured(&c, file, per_replica))
        }
    };
    Ok(Overrides { seed: sim.seed, requests, rate_rps: sim.rate, replicas, measured })
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
