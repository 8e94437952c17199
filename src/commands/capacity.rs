//! `mlspec capacity FILE [--scenario S] [--serving S] [--seed N] [--requests N] [--format F]`

use crate::io;
use crate::{CapacityFormat, SimArgs};
use mlspec_report as report;
use mlspec_sim::capacity::{capacity, Answer, DEFAULT_TRIAL_REQUESTS};

pub fn run(sim: &SimArgs, format: CapacityFormat) -> u8 {
    // `--requests` sizes each trial here; the scenario's own end is not used.
    let requests = match super::requests(sim) {
        Ok(n) => n.unwrap_or(DEFAULT_TRIAL_REQUESTS),
        Err(code) => return code,
    };
    let plan = match super::prepare(sim, None) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let c = capacity(&plan, requests);
    io::print(&match format {
        CapacityFormat::Human => report::capacity_human(&c),
        CapacityFormat::Json => report::json(&c),
        CapacityFormat::Markdown => report::capacity_markdown(&c),
    });
    // An infeasible SLO is a finding about the spec, like a check error.
    u8::from(matches!(c.simulated, Answer::Infeasible { .. } | Answer::NotFound { .. }))
}
