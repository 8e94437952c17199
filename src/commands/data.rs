//! `mlspec data check FILE --data DIR [--format human|json|sarif] [--as-of TIME] [--deny-warnings]`
//! and `mlspec data infer FILE... [--name NAME]`.
//!
//! `check` reports in `mlspec check`'s formats and exit codes: the
//! findings are diagnostics on the spec's text. `infer` prints a spec,
//! formatted as `mlspec fmt` would.

use super::load_design;
use crate::failure::{Failure, Outcome, Status};
use crate::io;
use crate::CheckFormat;
use mlspec_data::files::SourceData;
use mlspec_data::infer::Input;
use mlspec_data::time::{format_utc, parse_utc};
use mlspec_diag::render::{self, FileReport};
use mlspec_diag::Severity;
use std::path::Path;

pub fn check(file: &str, data: &str, format: CheckFormat, as_of: Option<&str>, deny_warnings: bool) -> Outcome {
    let (design, src) = load_design(file, "check data against it")?;
    let dir = Path::new(data);
    if !dir.is_dir() {
        return Err(Failure::Usage(format!("--data: `{data}` is not a folder")));
    }
    let as_of_ms = match as_of {
        Some(t) => parse_utc(t).map_err(|e| Failure::Usage(format!("--as-of: {e}")))?,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .map_err(|_| Failure::Usage("the clock is before 1970: pass --as-of".to_string()))?,
    };
    let options = mlspec_data::Options { as_of_ms, as_of_label: format_utc(as_of_ms) };
    let checked = mlspec_data::check(&design, dir, &options);
    let reports = [FileReport { path: file, source: &src, diagnostics: &checked.diagnostics }];
    io::print(&super::check::render_reports(&reports, format));
    if matches!(format, CheckFormat::Human) {
        let rows: u64 = checked.sources.iter().map(|r| r.rows).sum();
        let n = checked.sources.len();
        let verdict = if checked.diagnostics.is_empty() { "no problems found" } else { "see the findings above" };
        eprintln!(
            "read {n} source{} ({} rows) in {data} as of {}: {verdict}",
            if n == 1 { "" } else { "s" },
            mlspec_ir::numbers::count(rows as f64),
            options.as_of_label
        );
    }
    let errors = render::count(&reports, Severity::Error);
    let warnings = render::count(&reports, Severity::Warning);
    Ok(Status::findings_if(errors > 0 || (deny_warnings && warnings > 0)))
}

pub fn infer(files: &[String], name: Option<&str>) -> Outcome {
    if name.is_some() && files.len() > 1 {
        return Err(Failure::Usage("--name names the source of one file; with several, each source is named after its file".to_string()));
    }
    let mut inputs = Vec::new();
    for f in files {
        let path = Path::new(f);
        if !path.is_file() {
            return Err(Failure::Usage(format!("`{f}` is not a file")));
        }
        let data = SourceData::file(path).ok_or_else(|| Failure::Usage(format!("`{f}`: expected a .parquet or .csv file")))?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("source");
        let source = identifier(name.unwrap_or(stem));
        if inputs.iter().any(|i: &Input| i.source == source) {
            return Err(Failure::Usage(format!("two files would both be source `{source}`: rename one")));
        }
        inputs.push(Input { source, data, shown: f.clone() });
    }
    let text = mlspec_data::infer::draft("drafted", &inputs).map_err(Failure::Usage)?;
    let parsed = mlspec_syntax::parse_bytes(text.as_bytes());
    io::print(&mlspec_syntax::fmt::format(&parsed.file, &text));
    Ok(Status::Clean)
}

/// A name the language accepts: letters, digits and `_`, not starting with a digit.
fn identifier(s: &str) -> String {
    let mut out: String = s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 's');
    }
    out
}
