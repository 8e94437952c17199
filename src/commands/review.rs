//! `mlspec review FILE [--format human|markdown|json] [--interview]`

use crate::{io, ReviewFormat};
use mlspec_compiler::analysis::check_bytes;
use mlspec_compiler::diagnostics::render::{self, FileReport, Style};
use mlspec_compiler::review;

/// Loads and checks a spec; on check errors prints them and returns the exit code.
pub fn load_design(path: &str, what: &str) -> Result<(mlspec_compiler::ir::Design, String), u8> {
    let bytes = io::load(path).ok_or(2u8)?;
    let a = check_bytes(&bytes);
    let src = io::as_text(&bytes);
    if a.diagnostics.iter().any(|d| d.is_error()) {
        let report = [FileReport { path, source: &src, diagnostics: &a.diagnostics }];
        eprint!("{}", render::render_human(&report, Style::Plain));
        io::error(&format!("`{path}` has errors; fix them to {what}"));
        return Err(1);
    }
    Ok((a.design, src))
}

pub fn run(path: &str, format: ReviewFormat, interview: bool) -> u8 {
    let (design, src) = match load_design(path, "review it") {
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
