//! `mlspec check FILE... [--format human|json|sarif] [--deny-warnings] [--fix]`
//!
//! With `--fix`, every machine-applicable fix is applied and the file is
//! checked again (a fix can uncover another: a closed brace lets a misspelt
//! name inside be seen), a few rounds at most; the file is written only if
//! it changed, and the report is of what is left.

use crate::failure::{Failure, Outcome, Status};
use crate::io;
use crate::CheckFormat;
use mlspec_check::check_bytes;
use mlspec_diag::render::{self, FileReport, Style};
use mlspec_diag::{apply_fixes, Diagnostic, Severity};

/// Rounds of fixing and checking again; each applies at least one fix.
const FIX_ROUNDS: usize = 4;

pub fn run(files: &[String], format: CheckFormat, deny_warnings: bool, fix: bool) -> Outcome {
    let mut loaded = Vec::new();
    for f in files {
        let bytes = io::read_input(f).map_err(Failure::Usage)?;
        let mut diags = check_bytes(&bytes).diagnostics;
        let mut text = io::as_text(&bytes);
        // Text that is not UTF-8 is never rewritten (it would lose bytes).
        if fix && std::str::from_utf8(&bytes).is_ok() {
            let (fixed, fixed_diags, applied) = fix_text(&text, diags);
            diags = fixed_diags;
            // Standard input's text always goes back out; a file is written only when it changed.
            if f == "-" {
                io::print(&fixed);
            } else if applied > 0 {
                io::write_atomic(f, &fixed).map_err(Failure::Usage)?;
            }
            if applied > 0 {
                eprintln!("{}: applied {applied} fix{}", if f == "-" { "<stdin>" } else { f }, if applied == 1 { "" } else { "es" });
            }
            text = fixed;
        }
        loaded.push((f.as_str(), text, diags));
    }
    let reports: Vec<FileReport<'_>> =
        loaded.iter().map(|(path, src, diags)| FileReport { path, source: src, diagnostics: diags }).collect();
    let out = render_reports(&reports, format);
    if fix && files.iter().any(|f| f == "-") {
        // Standard output carries the fixed text; the report goes to stderr.
        eprint!("{out}");
    } else {
        io::print(&out);
    }
    if matches!(format, CheckFormat::Human) && reports.iter().all(|r| r.diagnostics.is_empty()) {
        let n = reports.len();
        eprintln!("checked {n} file{}: no problems found", if n == 1 { "" } else { "s" });
    }
    let errors = render::count(&reports, Severity::Error);
    let warnings = render::count(&reports, Severity::Warning);
    Ok(Status::findings_if(errors > 0 || (deny_warnings && warnings > 0)))
}

/// The reports in `format`, as `check` and `data check` print them.
pub fn render_reports(reports: &[FileReport<'_>], format: CheckFormat) -> String {
    match format {
        CheckFormat::Human => {
            let style = if io::use_color(io::stdout_is_terminal()) { Style::Color } else { Style::Plain };
            render::render_human(reports, style)
        }
        CheckFormat::Json => render::render_json(reports),
        CheckFormat::Sarif => render::render_sarif(reports, env!("CARGO_PKG_VERSION")),
    }
}

/// `text` with its fixes applied, round after round, its diagnostics then,
/// and how many fixes were applied in all.
fn fix_text(text: &str, mut diags: Vec<Diagnostic>) -> (String, Vec<Diagnostic>, usize) {
    let mut text = text.to_string();
    let mut total = 0;
    for _ in 0..FIX_ROUNDS {
        let (fixed, applied) = apply_fixes(&text, &diags);
        if applied == 0 {
            break;
        }
        total += applied;
        diags = mlspec_check::check_source(&fixed).diagnostics;
        text = fixed;
    }
    (text, diags, total)
}
