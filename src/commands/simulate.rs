//! `mlspec simulate FILE [--scenario S] [--serving S] [--seed N] [--requests N] [--rate RPS] [--replicas N] [--replications N] [--calibration CAL.json] [--rows-per-day N] [--days N] [--only load|drift] [--format F] [--out FILE]`
//!
//! Load and latency through a realtime serving, and drift and model quality
//! over time when the scenario drifts; one report with both sections.
//! Which parts run is decided by `mlspec_check::simulation::parts`; they
//! run in `mlspec_report::run::simulate`.

use crate::failure::{Failure, Outcome, Status};
use crate::io;
use crate::{DriftArgs, SimArgs, SimFormat, SimPart};
use mlspec_check::simulation::{self, Request};
use mlspec_drift::data::world::DEFAULT_ROWS_PER_DAY;
use mlspec_drift::quality::{MAX_DAYS, MAX_ROWS};
use mlspec_ir::traffic::Only;
use mlspec_report::replications::MAX_REPLICATIONS;
use mlspec_report::run::{Options, Phase, SimulateError};
use mlspec_report::{self as report};

pub fn run(sim: &SimArgs, drift: &DriftArgs, replicas: Option<u32>, replications: u32, format: SimFormat, out: Option<&str>) -> Outcome {
    if !(1..=MAX_REPLICATIONS).contains(&replications) {
        return Err(Failure::Usage(format!("--replications: give 1 to {} replications", report::group(u64::from(MAX_REPLICATIONS)))));
    }
    let requests = super::requests(sim)?;
    let rows_per_day = match drift.rows_per_day.as_deref().map(mlspec_syntax::parse_count).transpose() {
        Ok(n) if n.is_none_or(|n| (1..=10_000_000).contains(&n)) => n.unwrap_or(DEFAULT_ROWS_PER_DAY),
        Ok(_) => return Err(Failure::Usage("--rows-per-day: give between 1 and 10M rows".to_string())),
        Err(e) => return Err(Failure::Usage(format!("--rows-per-day: {e}"))),
    };
    if drift.days.is_some_and(|d| !(d > 0.0 && d <= MAX_DAYS)) {
        return Err(Failure::Usage(format!("--days: give a number of days above 0 and at most {MAX_DAYS}")));
    }
    let path = sim.file.as_str();
    let (design, src) = super::load_design(path, "simulate it")?;
    let read = super::latency_file_reader(path);
    let request = Request {
        serving: sim.serving.as_deref(),
        scenario: sim.scenario.as_deref(),
        requests,
        only: drift.only.map(|p| match p {
            SimPart::Load => Only::Load,
            SimPart::Drift => Only::Drift,
        }),
        drift_length_given: drift.days.is_some(),
        read: &read,
    };
    let parts = simulation::parts(&design, &request).map_err(|e| super::target_failure(path, &src, e))?;
    let serving = parts.load.as_ref().map_or(0, |t| t.serving);
    let options = Options {
        load: super::overrides(sim, &design, serving, requests, replicas)?,
        rows_per_day,
        days: drift.days,
        replications,
        // The pool's default: RAYON_NUM_THREADS, else one thread per core.
        threads: 0,
    };
    let mut bar: Option<(bool, io::Progress)> = None;
    let mut progress = |phase: Phase<'_>, share: f64| {
        let is_load = matches!(phase, Phase::Load { .. });
        if bar.as_ref().is_none_or(|(load, _)| *load != is_load) {
            if let Some((_, b)) = bar.as_mut() {
                b.finish();
            }
            let label = match phase {
                Phase::Load { scenario } => format!("simulating load in {scenario}"),
                Phase::Drift => "simulating drift and model quality".to_string(),
                Phase::Replications { n } => format!("simulating {n} replications"),
            };
            bar = Some((is_load, io::Progress::new(&label)));
        }
        if let Some((_, b)) = bar.as_mut() {
            b.set(share);
        }
    };
    let result = report::run::simulate(&design, &parts, &options, &mut progress);
    if let Some((_, b)) = bar.as_mut() {
        b.finish();
    }
    let no_drift_model = || format!("`{path}`: no drift simulation: it needs a source with a schema and a model");
    let outcome = result.map_err(|e| match e {
        SimulateError::NoPlan => super::no_plan(path),
        SimulateError::TooManyRows { rows } => Failure::Usage(format!(
            "the drift part would draw {:.0}M rows, more than the {:.0}M a run may take; lower --rows-per-day or --days",
            rows / 1e6,
            MAX_ROWS / 1e6
        )),
        SimulateError::NoDriftModel => Failure::refused(no_drift_model()),
        SimulateError::Drift(e) => Failure::refused(format!("`{path}`: the drift simulation failed: {e}")),
        SimulateError::Threads(e) => Failure::Usage(format!("cannot start the replications' threads: {e}")),
    })?;
    if outcome.drift_skipped {
        io::error(&no_drift_model());
    }
    let result = outcome.simulation;
    let text = match format {
        SimFormat::Human => report::human(&result),
        SimFormat::Json => report::json(&result),
        SimFormat::Markdown => report::markdown(&result),
        SimFormat::Html => report::html(&result),
    };
    super::emit(&text, out, |file| eprintln!("{}\nwrote {file}", report::verdict(&result)))?;
    Ok(Status::Clean)
}
