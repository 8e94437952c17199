//! `mlspec doc FILE [--out FILE] [--with-simulation]`

use crate::io;
use crate::SimArgs;
use mlspec_report as report;
use mlspec_review::{self as review, doc as docs};
use mlspec_sim::capacity::{capacity, DEFAULT_TRIAL_REQUESTS};

pub fn run(path: &str, out: Option<&str>, with_simulation: bool) -> u8 {
    let (design, src) = match super::load_design(path, "document it") {
        Ok(x) => x,
        Err(code) => return code,
    };
    let r = review::review(&design, &src);
    let simulated = if with_simulation {
        let sim = SimArgs { file: path.to_string(), scenario: None, serving: None, seed: None, requests: None };
        let plan = match super::prepare(&sim, None) {
            Ok(p) => p,
            Err(code) => return code,
        };
        let c = capacity(&plan, DEFAULT_TRIAL_REQUESTS);
        let markdown = format!(
            "**Capacity (simulated, scenario `{}`).** {}. See `mlspec capacity {path}` for every trial.",
            c.scenario,
            report::capacity_verdict(&c)
        );
        Some((plan.serving, markdown))
    } else {
        None
    };
    let doc = docs::generate_with_simulation(
        &design,
        &src,
        &r,
        simulated.as_ref().map(|(serving, markdown)| docs::Simulated { serving, markdown }).as_ref(),
    );
    match out {
        None | Some("-") => {
            io::print(&doc);
            0
        }
        Some(file) => match io::write_atomic(file, &doc) {
            Ok(()) => {
                eprintln!("wrote {file}");
                0
            }
            Err(e) => {
                io::error(&e);
                2
            }
        },
    }
}
