//! `mlspec fmt FILE... [--check]`; `-` reads stdin and writes stdout.
//!
//! A file with syntax errors is reported and left as it is; the others are
//! still formatted (exit 1 at the end).

use crate::failure::{Failure, Outcome, Status};
use crate::io;
use mlspec_diag::render::{self, FileReport, Style};
use mlspec_syntax::parse_bytes;

pub fn run(files: &[String], check: bool) -> Outcome {
    let mut status = Status::Clean;
    for path in files {
        let bytes = io::read_input(path).map_err(Failure::Usage)?;
        let parsed = parse_bytes(&bytes);
        let src = io::as_text(&bytes);
        if parsed.diagnostics.iter().any(|d| d.is_error()) {
            let report = [FileReport { path, source: &src, diagnostics: &parsed.diagnostics }];
            eprint!("{}", render::render_human(&report, Style::Plain));
            io::error(&format!("`{path}` has syntax errors; it was not formatted"));
            status = Status::Findings;
            continue;
        }
        let formatted = mlspec_syntax::fmt::format(&parsed.file, &src);
        if path == "-" {
            if check {
                if formatted != src {
                    eprintln!("would reformat: <stdin>");
                    status = Status::Findings;
                }
            } else {
                io::print(&formatted);
            }
            continue;
        }
        if formatted == src {
            continue;
        }
        if check {
            println!("would reformat: {path}");
            status = Status::Findings;
        } else {
            io::write_atomic(path, &formatted).map_err(Failure::Usage)?;
        }
    }
    Ok(status)
}
