//! What `mlspec simulate` runs, in one function: the load part on its
//! target, the drift and model-quality part, or both, as
//! `mlspec_check::simulation::parts` chose them, into one [`Simulation`].
//! The CLI only parses options, shows progress and prints.
//!
//! **Invariant:** every refusal is decided before any part runs, so a run
//! that would be refused costs nothing.

use crate::Simulation;
use mlspec_drift::quality::{self, Options as DriftOptions};
use mlspec_drift::DriftError;
use mlspec_ir::traffic::{run_seed, Parts};
use mlspec_ir::Design;
use mlspec_sim::capacity::{capacity, DEFAULT_TRIAL_REQUESTS};
use mlspec_sim::{simulate as simulate_load, Overrides, Plan};

/// Options of a simulation beyond the parts.
#[derive(Clone, Debug)]
pub struct Options {
    /// The load run's changes: seed, end, rate, fleet, measured replicas.
    pub load: Overrides,
    pub rows_per_day: u64,
    /// The drift run's length in days (default: from the scenario).
    pub days: Option<f64>,
}

/// The part a progress report is about.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Phase<'a> {
    Load { scenario: &'a str },
    Drift,
}

/// Why a simulation cannot run.
#[derive(Clone, Debug, PartialEq)]
pub enum SimulateError {
    /// The load target gave no runnable plan (no stage, or no positive
    /// arrival rate); the checks in `mlspec_check::simulation` should have
    /// said so first.
    NoPlan,
    /// The drift part would draw more rows than a run may take.
    TooManyRows { rows: f64 },
    /// The drift part has nothing to run on and there is no load part.
    NoDriftModel,
    /// The drift part failed: an invariant of the simulation broke.
    Drift(DriftError),
}

/// What a simulation gives: the report, and whether the drift part was
/// asked for but had nothing to run on (the load part ran alone).
pub struct Outcome {
    pub simulation: Simulation,
    pub drift_skipped: bool,
}

/// Runs the chosen parts of a simulation.
pub fn simulate(d: &Design, parts: &Parts, o: &Options, progress: &mut dyn FnMut(Phase<'_>, f64)) -> Result<Outcome, SimulateError> {
    let scenario = parts.scenario.and_then(|i| d.scenarios.get(i));
    let plan = match &parts.load {
        Some(target) => Some(Plan::new(d, target, &o.load).ok_or(SimulateError::NoPlan)?),
        None => None,
    };
    let drift_options = DriftOptions { rows_per_day: o.rows_per_day, seed: run_seed(o.load.seed, scenario), days: o.days };
    if parts.drift {
        let rows = quality::planned_rows(scenario, &drift_options);
        if rows > quality::MAX_ROWS {
            return Err(SimulateError::TooManyRows { rows });
        }
    }
    let capacity = plan.as_ref().and_then(sizing);
    let load = plan.map(|plan| simulate_load(&plan, &mut |share| progress(Phase::Load { scenario: &plan.scenario }, share)));
    let quality = if parts.drift {
        match quality::simulate(d, scenario, &drift_options, &mut |share| progress(Phase::Drift, share)) {
            Ok(q) => Some(q),
            Err(e) if e.nothing_to_simulate() => None,
            Err(e) => return Err(SimulateError::Drift(e)),
        }
    } else {
        None
    };
    let drift_skipped = parts.drift && quality.is_none();
    if drift_skipped && load.is_none() {
        return Err(SimulateError::NoDriftModel);
    }
    let mut simulation = Simulation::new(d, scenario, load, quality);
    simulation.capacity = capacity;
    Ok(Outcome { simulation, drift_skipped })
}

/// What `mlspec doc --with-simulation` writes under a serving, after the
/// capacity sentence: the trials behind it, as a Markdown paragraph that
/// points at `mlspec capacity` for their figures.
pub fn capacity_paragraph(plan: &Plan, spec_path: &str) -> String {
    let c = capacity(plan, DEFAULT_TRIAL_REQUESTS);
    let trials: Vec<String> = c.trials.iter().map(|t| format!("{} {}", t.replicas, if t.met { "meet" } else { "miss" })).collect();
    let what = if trials.is_empty() {
        crate::capacity_verdict(&c)
    } else {
        format!(
            "{} (fixed fleets of {} requests at the peak of {} rps, seed {})",
            trials.join(", "),
            crate::group(c.trial_requests),
            crate::group(c.peak_rps.round() as u64),
            c.seed
        )
    };
    format!("**Capacity trials (simulated, scenario `{}`).** {what}. See `mlspec capacity {spec_path}` for every trial.", c.scenario)
}

/// The replica count at the plan's peak, as `mlspec capacity` finds it;
/// `None` when it finds none (an infeasible limit, or none up to its bound).
pub fn sizing(plan: &Plan) -> Option<mlspec_ir::capacity::Sizing> {
    capacity(plan, DEFAULT_TRIAL_REQUESTS).sizing
}
