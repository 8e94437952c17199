//! What `mlspec simulate` runs, in one function: the load part on its
//! target, the drift and model-quality part, or both, as
//! `mlspec_check::simulation::parts` chose them, into one [`Simulation`].
//! The CLI only parses options, shows progress and prints. With
//! `replications` above 1 the parts run that many times on a thread pool,
//! with the seeds of [`mlspec_rng::replication_seed`], and
//! [`crate::replications`] combines them.
//!
//! **Invariant:** every refusal is decided before any part runs, so a run
//! that would be refused costs nothing.
//! **Invariant:** replication 0 is the single run (the same seed and
//! bytes), and the replications come back in index order whatever the
//! number of threads.

use crate::replications::{combine_load, combine_quality, Intervals};
use crate::Simulation;
use mlspec_drift::quality::{self, Options as DriftOptions, QualityOutcome};
use mlspec_drift::DriftError;
use mlspec_ir::traffic::{run_seed, Parts};
use mlspec_ir::{Design, Scenario};
use mlspec_sim::capacity::{capacity, CapacityReport, DEFAULT_TRIAL_REQUESTS};
use mlspec_sim::{simulate as simulate_load, LoadReport, Overrides, Plan};
use rayon::iter::{IntoParallelIterator, ParallelIterator};
use std::sync::mpsc;

/// Options of a simulation beyond the parts.
#[derive(Clone, Debug)]
pub struct Options {
    /// The load run's changes: seed, end, rate, fleet, measured replicas.
    pub load: Overrides,
    pub rows_per_day: u64,
    /// The drift run's length in days (default: from the scenario).
    pub days: Option<f64>,
    /// Independent replications, 1 to [`crate::replications::MAX_REPLICATIONS`].
    pub replications: u32,
    /// Threads of the replications' pool; 0: rayon's default (the
    /// `RAYON_NUM_THREADS` environment variable, else one per core).
    pub threads: usize,
}

/// The part a progress report is about.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Phase<'a> {
    Load {
        scenario: &'a str,
    },
    Drift,
    /// All of `n` replications (their mean share done).
    Replications {
        n: u32,
    },
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
    /// The replications' thread pool could not be started.
    Threads(String),
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
    let mut out = if o.replications > 1 {
        replicate(d, scenario, plan.as_ref(), parts.drift.then_some(&drift_options), o, progress)?
    } else {
        single(d, scenario, plan, parts.drift, &drift_options, progress)?
    };
    out.simulation.capacity = capacity;
    Ok(out)
}

/// One run of the parts.
fn single(
    d: &Design,
    scenario: Option<&Scenario>,
    plan: Option<Plan>,
    drift: bool,
    drift_options: &DriftOptions,
    progress: &mut dyn FnMut(Phase<'_>, f64),
) -> Result<Outcome, SimulateError> {
    let load = plan.map(|plan| simulate_load(&plan, &mut |share| progress(Phase::Load { scenario: &plan.scenario }, share)));
    let quality = if drift { drift_part(d, scenario, drift_options, &mut |share| progress(Phase::Drift, share))? } else { None };
    outcome(d, scenario, drift, load, quality)
}

/// The drift and quality part: `None` when the design has nothing for it
/// to run on, an error when it broke.
fn drift_part(
    d: &Design,
    scenario: Option<&Scenario>,
    options: &DriftOptions,
    progress: &mut dyn FnMut(f64),
) -> Result<Option<QualityOutcome>, SimulateError> {
    match quality::simulate(d, scenario, options, progress) {
        Ok(q) => Ok(Some(q)),
        Err(e) if e.nothing_to_simulate() => Ok(None),
        Err(e) => Err(SimulateError::Drift(e)),
    }
}

/// The report of the parts that ran; the drift part was skipped when it
/// was asked for and had nothing to run on.
fn outcome(
    d: &Design,
    scenario: Option<&Scenario>,
    drift_asked: bool,
    load: Option<LoadReport>,
    quality: Option<QualityOutcome>,
) -> Result<Outcome, SimulateError> {
    let drift_skipped = drift_asked && quality.is_none();
    if drift_skipped && load.is_none() {
        return Err(SimulateError::NoDriftModel);
    }
    Ok(Outcome { simulation: Simulation::new(d, scenario, load, quality), drift_skipped })
}

/// One replication's parts.
type Parts1 = (Option<LoadReport>, Option<QualityOutcome>);

/// `o.replications` runs of the parts on a pool of `o.threads`, seeded by
/// [`mlspec_rng::replication_seed`] from the run's seed, combined into one
/// report. Progress comes to this thread over a channel, so `progress`
/// need not be shared with the pool.
fn replicate(
    d: &Design,
    scenario: Option<&Scenario>,
    plan: Option<&Plan>,
    drift: Option<&DriftOptions>,
    o: &Options,
    progress: &mut dyn FnMut(Phase<'_>, f64),
) -> Result<Outcome, SimulateError> {
    let n = o.replications;
    let seed = run_seed(o.load.seed, scenario);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(o.threads).build().map_err(|e| SimulateError::Threads(e.to_string()))?;
    let parts = usize::from(plan.is_some()) + usize::from(drift.is_some());
    let one = |i: u32, tell: &mut dyn FnMut(f64)| -> Result<Parts1, SimulateError> {
        let seed = mlspec_rng::replication_seed(seed, i);
        let load = plan.map(|p| {
            let mut p = p.clone();
            p.seed = seed;
            let mut r = simulate_load(&p, &mut |share| tell(share / parts as f64));
            // Only replication 0's time series are reported: a thousand
            // replications keep a thousand small reports, not their series.
            if i > 0 {
                r.timeline = Vec::new();
                r.latency_cdf = Vec::new();
            }
            r
        });
        let done = usize::from(load.is_some()) as f64 / parts as f64;
        let quality = match drift {
            None => None,
            Some(options) => {
                let options = DriftOptions { seed, ..options.clone() };
                drift_part(d, scenario, &options, &mut |share| tell(done + share / parts as f64))?
            }
        };
        tell(1.0);
        Ok((load, quality))
    };
    let (tx, rx) = mpsc::channel::<(u32, f64)>();
    let runs: Vec<Result<Parts1, SimulateError>> = std::thread::scope(|s| {
        let worker = s.spawn(|| {
            pool.install(|| {
                (0..n)
                    .into_par_iter()
                    .map_with(tx, |tx, i| {
                        // A send fails only once this thread stopped listening.
                        one(i, &mut |share| {
                            let _ = tx.send((i, share));
                        })
                    })
                    .collect()
            })
        });
        let mut shares = vec![0.0; n as usize];
        for (i, share) in rx {
            if let Some(slot) = shares.get_mut(i as usize) {
                *slot = share;
            }
            progress(Phase::Replications { n }, shares.iter().sum::<f64>() / f64::from(n));
        }
        worker.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
    });
    let (loads, qualities): (Vec<_>, Vec<_>) = runs.into_iter().collect::<Result<Vec<Parts1>, _>>()?.into_iter().unzip();
    let loads: Vec<LoadReport> = loads.into_iter().flatten().collect();
    let qualities: Vec<QualityOutcome> = qualities.into_iter().flatten().collect();
    let mut intervals = Intervals::new(n);
    let load = combine_load(&loads, &mut intervals);
    let quality = combine_quality(&qualities, &mut intervals);
    let mut out = outcome(d, scenario, drift.is_some(), load, quality)?;
    out.simulation.replications = n;
    out.simulation.intervals = intervals;
    Ok(out)
}

/// What `mlspec doc --with-simulation` writes under a serving, after the
/// capacity sentence: the trials behind `c`, as a Markdown paragraph that
/// points at `mlspec capacity` for their figures.
pub fn capacity_paragraph(c: &CapacityReport, spec_path: &str) -> String {
    let trials: Vec<String> = c.trials.iter().map(|t| format!("{} {}", t.replicas, if t.met { "meet" } else { "miss" })).collect();
    let what = if trials.is_empty() {
        crate::capacity_verdict(c)
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
