//! mlspec-syntax: text to syntax tree (prescan, the pest grammar,
//! conversion, recovery), the [`ast`] and the canonical formatter [`fmt`].
//!
//! **Invariant:** `parse` never fails and never panics: it returns the tree it
//! could build and every syntax diagnostic. pest types stay in this crate:
//! the AST is plain data.

// pest_derive without `std` (no per-rule stack probe; depth is bounded by the
// prescan instead) emits paths through `alloc`.
extern crate alloc;

pub mod ast;
mod convert;
pub mod fmt;
pub mod literal;
pub mod prescan;
mod shift;
#[doc(hidden)]
pub mod testing;

use crate::ast::File;
use mlspec_diag::span::Span;
use mlspec_diag::Diagnostic;

/// Deepest expression tree the converter builds; deeper ones become errors.
pub const MAX_EXPR_DEPTH: usize = 128;

#[derive(pest_derive::Parser)]
#[grammar = "mlspec.pest"]
struct MlspecParser;

pub struct Parsed {
    pub file: File,
    pub diagnostics: Vec<Diagnostic>,
}

/// Inputs at least this long are parsed on two threads (see [`parse_split`]).
const PARALLEL_FROM: usize = 128 * 1024;

/// Parses a source text into a syntax tree plus syntax diagnostics.
pub fn parse(src: &str) -> Parsed {
    parse_with(src, true)
}

/// [`parse`] on one thread, whatever the size: the reference the parallel
/// path is tested against.
#[doc(hidden)]
pub fn parse_sequential(src: &str) -> Parsed {
    parse_with(src, false)
}

/// Whether [`parse`] takes the two-thread path for `src` (for tests).
#[doc(hidden)]
pub fn parses_in_parallel(src: &str) -> bool {
    split_of(src, &prescan::prescan(src)).is_some()
}

/// Where to split `src` for the two-thread parse: large, clean (no bracket
/// repairs), one top-level block.
fn split_of(src: &str, pre: &prescan::Prescan) -> Option<((usize, usize), usize)> {
    if src.len() < PARALLEL_FROM || !pre.diagnostics.is_empty() || pre.too_deep {
        return None;
    }
    split_point(&pre.top_groups, &pre.block_lines)
}

fn parse_with(src: &str, parallel: bool) -> Parsed {
    let pre = prescan::prescan(src);
    let split = if parallel { split_of(src, &pre) } else { None };
    let mut diagnostics = pre.diagnostics;
    if pre.too_deep {
        return Parsed { file: File { stmts: Vec::new(), comments: pre.comments }, diagnostics };
    }
    let stmts = match split.and_then(|(group, at)| parse_split(&pre.repaired, src.len(), group, at, &mut diagnostics)) {
        Some(stmts) => stmts,
        None => convert::convert_file(&pre.repaired, src.len(), &mut diagnostics),
    };
    drop_echoes_of_unclosed(&mut diagnostics, src);
    let mut file = File { stmts, comments: pre.comments };
    convert::attach_docs(&mut file, src);
    Parsed { file, diagnostics }
}

/// An unclosed bracket (E0003) makes the rest of its line a syntax error
/// (E0002) too: one mistake, one error, so the echo is dropped.
fn drop_echoes_of_unclosed(diagnostics: &mut Vec<Diagnostic>, src: &str) {
    let unclosed: Vec<usize> =
        diagnostics.iter().filter(|d| d.code == "E0003" && d.message.starts_with("unclosed")).map(|d| d.span.start).collect();
    if unclosed.is_empty() {
        return;
    }
    let same_line_after = |open: usize, at: usize| at > open && src.get(open..at).is_some_and(|gap| !gap.contains('\n'));
    diagnostics.retain(|d| d.code != "E0002" || !unclosed.iter().any(|&open| same_line_after(open, d.span.start)));
}

/// A statement line near the middle of the one top-level block that spans
/// most of the file, if there is such a block.
fn split_point(groups: &[(usize, usize)], lines: &[usize]) -> Option<((usize, usize), usize)> {
    let &[group] = groups else { return None };
    let middle = group.0 + (group.1 - group.0) / 2;
    let at = *lines.get(lines.partition_point(|&l| l < middle))?;
    (at > group.0 && at < group.1).then_some((group, at))
}

/// Parses the top-level block in two halves on two threads: the first half
/// as the text up to `at` with the block closed right there, the second as
/// the slice `at..close` of statements, whose spans are then moved by `at`.
/// The result is the tree and diagnostics of a single parse; `None` (parse
/// on one thread) when anything is not as expected.
fn parse_split(
    text: &str,
    src_len: usize,
    (_open, close): (usize, usize),
    at: usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<crate::ast::Stmt>> {
    // Only comments may follow the block: the first half drops what follows.
    let tail = text.get(close + 1..)?;
    if !tail.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with("//")) {
        return None;
    }
    let first = format!("{}}}", text.get(..at)?);
    let second = text.get(at..close)?;
    let (mut a_diags, mut b_diags) = (Vec::new(), Vec::new());
    let (mut a, b) = std::thread::scope(|s| {
        let worker =
            std::thread::Builder::new().stack_size(16 << 20).spawn_scoped(s, || convert::convert_block_body(second, &mut b_diags)).ok()?;
        let a = convert::convert_file(&first, src_len, &mut a_diags);
        worker.join().ok()?.map(|b| (a, b))
    })?;
    let [ref mut top] = a.as_mut_slice() else { return None };
    // The first half's block ends at `at`; the real one at `close`.
    top.span.end = close + 1;
    if let crate::ast::StmtKind::Plain { args, .. } = &mut top.kind {
        args.last_mut()?.span.end = close + 1;
    }
    let block = block_of(top)?;
    block.extend(b.into_iter().map(|mut s| {
        shift::stmt(&mut s, at);
        s
    }));
    for d in &mut b_diags {
        shift::diagnostic(d, at);
    }
    a_diags.extend(b_diags);
    mlspec_diag::sort(&mut a_diags);
    diags.extend(a_diags);
    Some(a)
}

fn block_of(stmt: &mut crate::ast::Stmt) -> Option<&mut Vec<crate::ast::Stmt>> {
    match &mut stmt.kind {
        crate::ast::StmtKind::Plain { args, .. } => match args.last_mut().map(|t| &mut t.kind) {
            Some(crate::ast::TermKind::Block(b)) => Some(&mut b.stmts),
            _ => None,
        },
        _ => None,
    }
}

/// Parses raw bytes: input that is not UTF-8 is one diagnostic at the first
/// bad byte, and nothing else is reported.
pub fn parse_bytes(bytes: &[u8]) -> Parsed {
    match std::str::from_utf8(bytes) {
        Ok(src) => parse(src),
        Err(e) => {
            let at = e.valid_up_to();
            let d = Diagnostic::new("E0001", Span::new(at, at + 1), format!("the file is not UTF-8 text (bad byte at offset {at})"))
                .help("save the spec as UTF-8 text; binary files are not specs");
            Parsed { file: File { stmts: Vec::new(), comments: Vec::new() }, diagnostics: vec![d] }
        }
    }
}

/// A whole, positive count as the language writes one (`200k`, `1M`,
/// `1_000`), for command-line options that take the language's suffixes.
pub fn parse_count(text: &str) -> Result<u64, String> {
    let bad = || format!("`{text}` is not a count: write a whole number such as `200000`, `200k` or `1M`");
    let q = literal::quantity(text.trim()).ok_or_else(bad)?;
    match q.count() {
        Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= 9.0e15 => Ok(n as u64),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod count_tests {
    use super::parse_count;

    #[test]
    fn counts_take_suffixes() {
        assert_eq!(parse_count("200k"), Ok(200_000));
        assert_eq!(parse_count("1M"), Ok(1_000_000));
        assert_eq!(parse_count("1_500"), Ok(1500));
        assert_eq!(parse_count("2.5k"), Ok(2500));
        assert!(parse_count("0").is_err());
        assert!(parse_count("1.5").is_err());
        assert!(parse_count("-3").is_err());
        assert!(parse_count("10ms").is_err());
        assert!(parse_count("lots").is_err());
    }
}
