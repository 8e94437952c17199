//! Text to syntax tree: prescan, the pest grammar, conversion, recovery.
//!
//! **Invariant:** `parse` never fails and never panics: it returns the tree it
//! could build and every syntax diagnostic. pest types stay in this module.

mod convert;
pub(crate) mod literal;
pub mod prescan;

use crate::ast::File;
use crate::diagnostics::{self, Diagnostic};
use crate::span::Span;

/// Deepest expression tree the converter builds; deeper ones become errors.
pub const MAX_EXPR_DEPTH: usize = 128;

#[derive(pest_derive::Parser)]
#[grammar = "syntax/mlspec.pest"]
struct MlspecParser;

pub struct Parsed {
    pub file: File,
    pub diagnostics: Vec<Diagnostic>,
}

/// Inputs at least this long are parsed on two threads (see [`parse_split`]).
const PARALLEL_FROM: usize = 128 * 1024;

/// Parses a source text into a syntax tree plus syntax diagnostics.
pub fn parse(src: &str) -> Parsed {
    parse_with(src, src.len() >= PARALLEL_FROM)
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
    let pre = prescan::prescan(src);
    src.len() >= PARALLEL_FROM && pre.diagnostics.is_empty() && !pre.too_deep && split_point(&pre.top_groups, &pre.block_lines).is_some()
}

fn parse_with(src: &str, parallel: bool) -> Parsed {
    let pre = prescan::prescan(src);
    let mut diagnostics = pre.diagnostics;
    if pre.too_deep {
        return Parsed { file: File { stmts: Vec::new(), comments: pre.comments }, diagnostics };
    }
    let split = if parallel && diagnostics.is_empty() { split_point(&pre.top_groups, &pre.block_lines) } else { None };
    let stmts = match split.and_then(|(group, at)| parse_split(&pre.repaired, src.len(), group, at, &mut diagnostics)) {
        Some(stmts) => stmts,
        None => convert::convert_file(&pre.repaired, src.len(), &mut diagnostics),
    };
    let mut file = File { stmts, comments: pre.comments };
    convert::attach_docs(&mut file, src);
    Parsed { file, diagnostics }
}

/// A statement line near the middle of the one top-level block that spans
/// most of the file, if there is such a block.
fn split_point(groups: &[(usize, usize)], lines: &[usize]) -> Option<((usize, usize), usize)> {
    let &[group] = groups else { return None };
    let middle = group.0 + (group.1 - group.0) / 2;
    let at = *lines.get(lines.partition_point(|&l| l < middle))?;
    (at > group.0 && at < group.1).then_some((group, at))
}

/// Parses the two halves of the top-level block on two threads. Each half
/// is the whole text with the other half's statements blanked to spaces, so
/// every offset, and so every span, is the one a single parse gives; the
/// statements of the second half are then appended to the first's block.
/// `None` (parse on one thread) when anything is not as expected.
fn parse_split(
    text: &str,
    src_len: usize,
    (open, close): (usize, usize),
    at: usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<crate::ast::Stmt>> {
    let blank = |from: usize, to: usize| -> Option<String> {
        let mut b = text.as_bytes().to_vec();
        b.get_mut(from..to)?.fill(b' ');
        String::from_utf8(b).ok()
    };
    let first = blank(at, close)?;
    let second = blank(open + 1, at)?;
    let (mut a_diags, mut b_diags) = (Vec::new(), Vec::new());
    let (mut a, b) = std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .stack_size(16 << 20)
            .spawn_scoped(s, || convert::convert_file(&second, src_len, &mut b_diags))
            .ok()?;
        let a = convert::convert_file(&first, src_len, &mut a_diags);
        worker.join().ok().map(|b| (a, b))
    })?;
    // Both halves hold the text around the block; keep its statements once.
    let [ref mut a_top] = a.as_mut_slice() else { return None };
    let [b_top] = <[crate::ast::Stmt; 1]>::try_from(b).ok()?;
    let (Some(a_block), Some(b_block)) = (block_of(a_top), block_of_owned(b_top)) else { return None };
    a_block.extend(b_block);
    b_diags.retain(|d| d.span.start >= at && d.span.start < close);
    a_diags.extend(b_diags);
    diagnostics::sort(&mut a_diags);
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

fn block_of_owned(mut stmt: crate::ast::Stmt) -> Option<Vec<crate::ast::Stmt>> {
    block_of(&mut stmt).map(std::mem::take)
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
