//! Golden specs: every `tests/specs/ok/*.mlspec` and `tests/specs/err/*.mlspec`
//! is one test. A file states what the checker must report in trailing
//! lines, one per diagnostic in the order they are reported:
//!
//! ```text
//! // expect: CODE LINE:COLUMN MESSAGE
//! // expect: E0204 12:5 unknown field `amout` in source `transactions`
//! ```
//!
//! CODE is the diagnostic's code, LINE:COLUMN where its span starts (1-based,
//! columns in characters) and MESSAGE its message verbatim (a line break in
//! a message is written `\n`). Code, position and message must all match,
//! so a changed message fails like a changed code; labels and help are not
//! compared. Files under `ok/` must also have no errors. `specs/*.mlspec`
//! (the examples) are checked the same way.
//!
//! `MLSPEC_BLESS=1 cargo test --test golden` rewrites the expectations from
//! what the checker reports, for review in the diff; the file's line endings
//! are kept. Files that are not UTF-8 are never rewritten: edit them by hand.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use libtest_mimic::{Arguments, Failed, Trial};
use mlspec_check::check_bytes;
use mlspec_diag::span::LineIndex;
use std::path::{Path, PathBuf};

const EXPECT: &str = "// expect: ";

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "mlspec")).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// What the checker reports, as expectation lines.
fn actual(bytes: &[u8]) -> (Vec<String>, usize) {
    let a = check_bytes(bytes);
    let text = String::from_utf8_lossy(bytes);
    let idx = LineIndex::new(&text);
    let errors = a.diagnostics.iter().filter(|d| d.is_error()).count();
    let lines = a
        .diagnostics
        .iter()
        .map(|d| {
            let p = idx.line_col(d.span.start);
            format!("{} {}:{} {}", d.code, p.line, p.column, d.message.replace('\n', "\\n")).trim_end().to_string()
        })
        .collect();
    (lines, errors)
}

fn expected(text: &str) -> Vec<String> {
    text.lines().filter_map(|l| l.trim().strip_prefix(EXPECT.trim_end()).map(|r| r.trim().to_string())).collect()
}

fn run(path: &Path, must_be_clean: bool, must_fail: bool) -> Result<(), Failed> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (got, errors) = actual(&bytes);
    let want = expected(&text);
    // Bless only UTF-8 files whose expectations changed: others stay byte-exact.
    if std::env::var_os("MLSPEC_BLESS").is_some() && got != want && std::str::from_utf8(&bytes).is_ok() {
        let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let kept: Vec<&str> = text.lines().filter(|l| !l.trim().starts_with(EXPECT.trim_end())).collect();
        let mut out = kept.join(eol).trim_end().to_string();
        out.push_str(eol);
        if !got.is_empty() {
            out.push_str(eol);
            for g in &got {
                out.push_str(EXPECT);
                out.push_str(g);
                out.push_str(eol);
            }
        }
        std::fs::write(path, out).map_err(|e| e.to_string())?;
        return Ok(());
    }
    if got != want {
        return Err(
            format!("{}: expected\n  {}\nbut the checker reported\n  {}", path.display(), want.join("\n  "), got.join("\n  ")).into()
        );
    }
    if must_be_clean && errors > 0 {
        return Err(format!("{}: has {errors} errors but must check clean", path.display()).into());
    }
    if must_fail && errors == 0 {
        return Err(format!("{}: an error case that reports no error", path.display()).into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    // The repository root: the corpora are shared by the whole workspace.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut trials = Vec::new();
    for (dir, clean, fail) in [("tests/specs/ok", true, false), ("specs", true, false), ("tests/specs/err", false, true)] {
        for f in files(&root.join(dir)) {
            let name = format!("{dir}/{}", f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
            trials.push(Trial::test(name, move || run(&f, clean, fail)));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
