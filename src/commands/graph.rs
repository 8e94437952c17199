//! `mlspec graph FILE [--format dot|mermaid]`

use crate::{io, GraphFormat};
use mlspec_ir::graph;

pub fn run(path: &str, format: GraphFormat) -> u8 {
    let design = match super::load_design(path, "draw its graph") {
        Ok((d, _)) => d,
        Err(code) => return code,
    };
    let g = graph::build(&design);
    io::print(&match format {
        GraphFormat::Dot => graph::to_dot(&design, &g),
        GraphFormat::Mermaid => graph::to_mermaid(&g),
    });
    0
}
