//! `mlspec review FILE [--format human|markdown|json] [--interview]`

use crate::{io, ReviewFormat};
use mlspec_review as review;

pub fn run(path: &str, format: ReviewFormat, interview: bool) -> u8 {
    let (design, src) = match super::load_design(path, "review it") {
        Ok(x) => x,
        Err(code) => return code,
    };
    let r = review::review(&design, &src);
    let shown = if path == "-" { "<stdin>" } else { path };
    io::print(&match format {
        ReviewFormat::Human => review::render::human(&r, shown, interview),
        ReviewFormat::Markdown => review::render::markdown(&r, shown, interview),
        ReviewFormat::Json => review::render::json(&r, interview),
    });
    0
}
