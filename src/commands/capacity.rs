//! `mlspec capacity FILE [--scenario S] [--serving S] [--seed N] [--requests N] [--format F]`

use crate::io;
use crate::CapacityFormat;
use mlspec_runtime::load::capacity::{capacity, Answer, DEFAULT_TRIAL_REQUESTS};
use mlspec_runtime::load::Overrides;
use mlspec_runtime::report;

pub struct Options<'a> {
    pub file: &'a str,
    pub scenario: Option<&'a str>,
    pub serving: Option<&'a str>,
    pub seed: Option<u64>,
    pub requests: Option<&'a str>,
    pub format: CapacityFormat,
}

pub fn run(o: &Options<'_>) -> u8 {
    let requests = match o.requests.map(mlspec_compiler::syntax::parse_count).transpose() {
        Ok(n) => n.unwrap_or(DEFAULT_TRIAL_REQUESTS),
        Err(e) => {
            io::error(&format!("--requests: {e}"));
            return 2;
        }
    };
    let prepared = match super::prepare(o.file, o.serving, o.scenario, &Overrides { seed: o.seed, requests: None }) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let c = capacity(&prepared.plan, requests);
    io::print(&match o.format {
        CapacityFormat::Human => report::capacity_human(&c),
        CapacityFormat::Json => report::json(&c),
        CapacityFormat::Markdown => report::capacity_markdown(&c),
    });
    // An infeasible SLO is a finding about the spec, like a check error.
    u8::from(matches!(c.simulated, Answer::Infeasible { .. } | Answer::NotFound { .. }))
}
