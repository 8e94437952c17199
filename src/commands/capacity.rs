//! `mlspec capacity FILE [--scenario S] [--serving S] [--seed N] [--requests N] [--format F]`

use crate::failure::{Outcome, Status};
use crate::io;
use crate::{CapacityFormat, SimArgs};
use mlspec_report as report;
use mlspec_sim::capacity::{capacity, Answer, DEFAULT_TRIAL_REQUESTS};

pub fn run(sim: &SimArgs, format: CapacityFormat) -> Outcome {
    // `--requests` sizes each trial here; the scenario's own end is not used.
    let requests = super::requests(sim)?.unwrap_or(DEFAULT_TRIAL_REQUESTS);
    let plan = super::load_plan(sim, None)?;
    let c = capacity(&plan, requests);
    io::print(&match format {
        CapacityFormat::Human => report::capacity_human(&c),
        CapacityFormat::Json => report::json(&c),
        CapacityFormat::Markdown => report::capacity_markdown(&c),
    });
    // An infeasible SLO is a finding about the spec, like a check error.
    Ok(Status::findings_if(matches!(c.simulated, Answer::Infeasible { .. } | Answer::NotFound { .. })))
}
