//! `mlspec simulate FILE [--scenario S] [--serving S] [--seed N] [--requests N] [--rows-per-day N] [--days N] [--only load|drift] [--format F] [--out FILE]`
//!
//! Load and latency through a realtime serving, and drift and model quality
//! over time when the scenario drifts; one report with both sections.

use crate::io;
use crate::{DriftArgs, SimArgs, SimFormat, SimPart};
use mlspec_check::simulation::{self, TargetError};
use mlspec_drift::data::drift::DriftPlan;
use mlspec_drift::quality::{self, Options};
use mlspec_report::{self as report, Simulation};
use mlspec_sim::simulate;

pub fn run(sim: &SimArgs, drift: &DriftArgs, format: SimFormat, out: Option<&str>) -> u8 {
    let requests = match super::requests(sim) {
        Ok(n) => n,
        Err(code) => return code,
    };
    let rows_per_day = match drift.rows_per_day.as_deref().map(mlspec_syntax::parse_count).transpose() {
        Ok(n) if n.is_none_or(|n| (1..=10_000_000).contains(&n)) => n.unwrap_or(mlspec_drift::data::world::DEFAULT_ROWS_PER_DAY),
        Ok(_) => {
            io::error("--rows-per-day: give between 1 and 10M rows");
            return 2;
        }
        Err(e) => {
            io::error(&format!("--rows-per-day: {e}"));
            return 2;
        }
    };
    if drift.days.is_some_and(|d| !(d > 0.0 && d <= quality::MAX_DAYS)) {
        io::error(&format!("--days: give a number of days above 0 and at most {}", quality::MAX_DAYS));
        return 2;
    }
    let path = sim.file.as_str();
    let (design, src) = match super::load_design(path, "simulate it") {
        Ok(d) => d,
        Err(code) => return code,
    };
    let scenario = match simulation::scenario_index(&design, sim.scenario.as_deref()) {
        Ok(i) => i.and_then(|i| design.scenarios.get(i)),
        Err(TargetError::Unknown(u)) => return super::unknown_name(path, &u),
        Err(TargetError::Spec(diags)) => return super::print_spec_problems(path, &src, &diags),
    };
    let drifts = !DriftPlan::new(scenario).events.is_empty() || drift.days.is_some();
    let want_load = drift.only != Some(SimPart::Drift);
    let want_drift = drift.only != Some(SimPart::Load) && (drifts || drift.only == Some(SimPart::Drift));
    let plan = if want_load {
        match super::plan_for(sim, requests, &design) {
            Err(code) => return code,
            Ok(Ok(plan)) => Some(plan),
            // Without a realtime serving, a drifting scenario still has its drift section.
            Ok(Err(diags)) if want_drift && drift.only.is_none() && diags.iter().all(|d| d.code == "E0501") => None,
            Ok(Err(diags)) => return super::print_spec_problems(path, &src, &diags),
        }
    } else {
        None
    };
    let load = plan.map(|plan| {
        let mut bar = io::Progress::new(&format!("simulating load in {}", plan.scenario));
        let result = simulate(&plan, &mut |share| bar.set(share));
        bar.finish();
        result
    });
    let outcome = if want_drift {
        let seed = sim.seed.or(scenario.and_then(|s| s.seed)).unwrap_or(mlspec_ir::traffic::DEFAULT_SEED);
        let options = Options { rows_per_day, seed, days: drift.days };
        let rows = quality::planned_rows(scenario, &options);
        if rows > quality::MAX_ROWS {
            io::error(&format!(
                "the drift part would draw {:.0}M rows, more than the {:.0}M a run may take; lower --rows-per-day or --days",
                rows / 1e6,
                quality::MAX_ROWS / 1e6
            ));
            return 2;
        }
        let mut bar = io::Progress::new("simulating drift and model quality");
        let outcome = quality::simulate(&design, scenario, &options, &mut |share| bar.set(share));
        bar.finish();
        if outcome.is_none() {
            io::error(&format!("`{path}`: no drift simulation: it needs a source with a schema and a model"));
            if load.is_none() {
                return 1;
            }
        }
        outcome
    } else {
        None
    };
    let result = Simulation::new(&design, scenario, load, outcome);
    let text = match format {
        SimFormat::Human => report::human(&result),
        SimFormat::Json => report::json(&result),
        SimFormat::Markdown => report::markdown(&result),
        SimFormat::Html => report::html(&result),
    };
    match out {
        Some(path) => match io::write_atomic(path, &text) {
            Ok(()) => {
                eprintln!("{}\nwrote {path}", report::verdict(&result));
                0
            }
            Err(e) => {
                io::error(&e);
                2
            }
        },
        None => {
            io::print(&text);
            0
        }
    }
}
