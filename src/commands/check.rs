//! `mlspec check FILE... [--format human|json|sarif] [--deny-warnings]`

use crate::failure::{Failure, Outcome, Status};
use crate::io;
use crate::CheckFormat;
use mlspec_check::check_bytes;
use mlspec_diag::render::{self, FileReport, Style};
use mlspec_diag::Severity;

pub fn run(files: &[String], format: CheckFormat, deny_warnings: bool) -> Outcome {
    let mut loaded = Vec::new();
    for f in files {
        let bytes = io::read_input(f).map_err(Failure::Usage)?;
        let diags = check_bytes(&bytes).diagnostics;
        loaded.push((f.as_str(), io::as_text(&bytes), diags));
    }
    let reports: Vec<FileReport<'_>> =
        loaded.iter().map(|(path, src, diags)| FileReport { path, source: src, diagnostics: diags }).collect();
    let out = match format {
        CheckFormat::Human => {
            let style = if io::use_color(io::stdout_is_terminal()) { Style::Color } else { Style::Plain };
            render::render_human(&reports, style)
        }
        CheckFormat::Json => render::render_json(&reports),
        CheckFormat::Sarif => render::render_sarif(&reports, env!("CARGO_PKG_VERSION")),
    };
    io::print(&out);
    if matches!(format, CheckFormat::Human) && reports.iter().all(|r| r.diagnostics.is_empty()) {
        let n = reports.len();
        eprintln!("checked {n} file{}: no problems found", if n == 1 { "" } else { "s" });
    }
    let errors = render::count(&reports, Severity::Error);
    let warnings = render::count(&reports, Severity::Warning);
    Ok(Status::findings_if(errors > 0 || (deny_warnings && warnings > 0)))
}
