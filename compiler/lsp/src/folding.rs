//! Folding ranges: every block written over several lines, and every run
//! of two or more comment lines.

use crate::analysis::Analyzed;
use crate::convert::LineMap;
use lsp_types::{FoldingRange, FoldingRangeKind};
use mlspec_syntax::ast::{Stmt, TermKind};

pub fn folding_ranges(doc: &Analyzed) -> Vec<FoldingRange> {
    let map = LineMap::new(&doc.text);
    let mut out = Vec::new();
    for stmt in &doc.file.stmts {
        blocks(stmt, &map, &mut out);
    }
    let mut run: Option<(u32, u32)> = None;
    for comment in &doc.file.comments {
        let line = map.position(comment.span.start).line;
        run = match run {
            Some((start, end)) if line == end + 1 => Some((start, line)),
            other => {
                push_comments(other, &mut out);
                Some((line, line))
            }
        };
    }
    push_comments(run, &mut out);
    out
}

fn push_comments(run: Option<(u32, u32)>, out: &mut Vec<FoldingRange>) {
    if let Some((start, end)) = run.filter(|(s, e)| e > s) {
        out.push(range(start, end, Some(FoldingRangeKind::Comment)));
    }
}

/// Blocks nest at most as deep as the prescan allows (64), so this
/// recursion is bounded.
fn blocks(stmt: &Stmt, map: &LineMap<'_>, out: &mut Vec<FoldingRange>) {
    for term in stmt.args() {
        if let TermKind::Block(block) = &term.kind {
            let (start, end) = (map.position(term.span.start).line, map.position(term.span.end).line);
            // Fold up to the line before the closing brace, which stays visible.
            if end > start + 1 {
                out.push(range(start, end - 1, None));
            }
            for inner in &block.stmts {
                blocks(inner, map, out);
            }
        }
    }
}

fn range(start_line: u32, end_line: u32, kind: Option<FoldingRangeKind>) -> FoldingRange {
    FoldingRange { start_line, start_character: None, end_line, end_character: None, kind, collapsed_text: None }
}
