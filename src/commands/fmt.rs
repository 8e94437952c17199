//! `mlspec fmt FILE... [--check]`; `-` reads stdin and writes stdout.

use crate::io;
use mlspec_diag::render::{self, FileReport, Style};
use mlspec_syntax::parse_bytes;

pub fn run(files: &[String], check: bool) -> u8 {
    let mut status = 0;
    for path in files {
        let Some(bytes) = io::load(path) else { return 2 };
        let parsed = parse_bytes(&bytes);
        let src = io::as_text(&bytes);
        if parsed.diagnostics.iter().any(|d| d.is_error()) {
            let report = [FileReport { path, source: &src, diagnostics: &parsed.diagnostics }];
            eprint!("{}", render::render_human(&report, Style::Plain));
            io::error(&format!("`{path}` has syntax errors; it was not formatted"));
            status = 1;
            continue;
        }
        let formatted = mlspec_syntax::fmt::format(&parsed.file, &src);
        if path == "-" {
            if check {
                if formatted != src {
                    eprintln!("would reformat: <stdin>");
                    status = 1;
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
            status = 1;
        } else if let Err(e) = io::write_atomic(path, &formatted) {
            io::error(&e);
            return 2;
        }
    }
    status
}
