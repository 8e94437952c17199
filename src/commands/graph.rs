//! `mlspec graph FILE [--format dot|mermaid]`

use crate::{io, GraphFormat};
use mlspec_compiler::analysis::check_bytes;
use mlspec_compiler::diagnostics::render::{self, FileReport, Style};
use mlspec_compiler::graph;

pub fn run(path: &str, format: GraphFormat) -> u8 {
    let Some(bytes) = io::load(path) else { return 2 };
    let a = check_bytes(&bytes);
    if a.diagnostics.iter().any(|d| d.is_error()) {
        let src = io::as_text(&bytes);
        let report = [FileReport { path, source: &src, diagnostics: &a.diagnostics }];
        eprint!("{}", render::render_human(&report, Style::Plain));
        io::error(&format!("`{path}` has errors; fix them to draw its graph"));
        return 1;
    }
    let g = graph::build(&a.design);
    io::print(&match format {
        GraphFormat::Dot => graph::to_dot(&a.design, &g),
        GraphFormat::Mermaid => graph::to_mermaid(&g),
    });
    0
}
