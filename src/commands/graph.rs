//! `mlspec graph FILE [--format dot|mermaid]`

use crate::failure::{Outcome, Status};
use crate::{io, GraphFormat};
use mlspec_ir::graph;

pub fn run(path: &str, format: GraphFormat) -> Outcome {
    let (design, _) = super::load_design(path, "draw its graph")?;
    let g = graph::build(&design);
    io::print(&match format {
        GraphFormat::Dot => graph::to_dot(&design, &g),
        GraphFormat::Mermaid => graph::to_mermaid(&g),
    });
    Ok(Status::Clean)
}
