//! `mlspec review FILE [--format human|markdown|json] [--interview]`

use crate::failure::{Outcome, Status};
use crate::{io, ReviewFormat};
use mlspec_review as review;

pub fn run(path: &str, format: ReviewFormat, interview: bool) -> Outcome {
    let (design, src) = super::load_design(path, "review it")?;
    let r = review::review_sized(&design, &src, super::sizings(&super::capacities(path, &design)));
    let shown = if path == "-" { "<stdin>" } else { path };
    io::print(&match format {
        ReviewFormat::Human => review::render::human(&r, shown, interview),
        ReviewFormat::Markdown => review::render::markdown(&r, shown, interview),
        ReviewFormat::Json => review::render::json(&r, interview),
    });
    Ok(Status::Clean)
}
