//! `mlspec doc FILE [--out FILE] [--with-simulation]`

use crate::failure::{Outcome, Status};
use crate::SimArgs;
use mlspec_report::run::capacity_paragraph;
use mlspec_review::{self as review, doc};

pub fn run(path: &str, out: Option<&str>, with_simulation: bool) -> Outcome {
    let (design, src) = super::load_design(path, "document it")?;
    let answers = super::capacities(path, &design);
    let r = review::review_sized(&design, &src, super::sizings(&answers));
    let simulated = if with_simulation {
        let sim = SimArgs {
            file: path.to_string(),
            scenario: None,
            serving: None,
            seed: None,
            requests: None,
            rate: None,
            calibration: None,
            processes: None,
        };
        // The plan `capacity` would run without flags, answered above.
        let plan = super::load_plan(&sim, None)?;
        let answer = answers.get(&plan.serving).ok_or_else(|| super::no_plan(path))?;
        Some((capacity_paragraph(answer, path), plan.serving))
    } else {
        None
    };
    let document = doc::generate_with_simulation(
        &design,
        &src,
        &r,
        simulated.as_ref().map(|(markdown, serving)| doc::Simulated { serving, markdown }).as_ref(),
    );
    super::emit(&document, out, |file| eprintln!("wrote {file}"))?;
    Ok(Status::Clean)
}
