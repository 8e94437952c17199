//! Hover: a named thing's declaration line and doc comments, with what the
//! checker knows of it (a feature's type, a model's kind and features, a
//! field's source); a feature function's signature; a statement's entry in
//! the language reference; and the explanation of a diagnostic under the
//! cursor.

use crate::analysis::Analyzed;
use crate::convert::LineMap;
use crate::index::Kind;
use crate::reference;
use crate::words::word_at;
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};
use mlspec_diag::Span;
use mlspec_ir::functions::FeatureFunction;
use mlspec_syntax::ast::{Stmt, TermKind};

pub fn hover(doc: &Analyzed, offset: usize) -> Option<Hover> {
    let (markdown, span) = symbol(doc, offset)
        .or_else(|| function(doc, offset))
        .or_else(|| statement(doc, offset))
        .map(|(text, span)| (text, Some(span)))
        .or_else(|| diagnostic(doc, offset).map(|text| (text, None)))?;
    let map = LineMap::new(&doc.text);
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: markdown }),
        range: span.map(|s| map.range(s)),
    })
}

fn symbol(doc: &Analyzed, offset: usize) -> Option<(String, Span)> {
    let index = &doc.index;
    let id = index.at(offset)?;
    let def = index.defs.get(id)?;
    let on = index.refs.iter().find(|r| r.span.start <= offset && offset <= r.span.end).map_or(def.name_span, |r| r.span);
    let mut out = format!("```mlspec\n{}\n```\n", doc.first_line(def.span));
    out.push_str(&format!("\n{} `{}`", def.kind.word(), def.qualified));
    let draft = &doc.analysis.draft;
    match def.kind {
        Kind::Feature => {
            if let Some(f) = draft.feature(&def.name) {
                out.push_str(&format!(" of type `{}`", f.ty.as_str()));
            }
        }
        Kind::Model => {
            if let Some(m) = draft.model(&def.name) {
                if let Some(kind) = m.known_kind() {
                    out.push_str(&format!(" of kind `{kind}`"));
                }
                if !m.features.is_empty() {
                    let list: Vec<String> = m.features.iter().map(|f| format!("`{f}`")).collect();
                    out.push_str(&format!("\n\nfeatures: {}", list.join(", ")));
                }
            }
        }
        Kind::Source => {
            if let Some(s) = draft.source(&def.name) {
                out.push_str(&format!(" with {} field{}", s.fields.len(), if s.fields.len() == 1 { "" } else { "s" }));
            }
        }
        _ => {}
    }
    if !def.doc.is_empty() {
        out.push_str("\n\n");
        out.push_str(&def.doc.join("\n"));
    }
    Some((out, on))
}

/// A feature function's name in a call: its signature's example call.
fn function(doc: &Analyzed, offset: usize) -> Option<(String, Span)> {
    let span = word_at(&doc.text, offset)?;
    let f = FeatureFunction::parse(doc.slice(span))?;
    doc.text.get(span.end..)?.starts_with('(').then_some(())?;
    let what = if f.window().is_some() { "window aggregation" } else { "feature function" };
    Some((format!("{what} `{}`\n\n```mlspec\n{}\n```", f.as_str(), f.signature().example), span))
}

/// A statement's name: its form and meaning from the language reference.
fn statement(doc: &Analyzed, offset: usize) -> Option<(String, Span)> {
    let (block, stmt) = statement_at(&doc.file.stmts, "", offset)?;
    let entry = reference::entry(block, &stmt.head.name)?;
    Some((format!("statement of `{block}`: {}\n\n{}", entry.form, entry.meaning), stmt.head.span))
}

/// The statement whose name is at `offset`, with the block it is in.
/// Blocks nest at most 64 deep (the prescan's bound), so the recursion is
/// bounded.
fn statement_at<'a>(stmts: &'a [Stmt], block: &'a str, offset: usize) -> Option<(&'a str, &'a Stmt)> {
    let on = |s: Span| s.start <= offset && offset <= s.end;
    for stmt in stmts.iter().filter(|s| on(s.span)) {
        if on(stmt.head.span) {
            return Some((block, stmt));
        }
        for term in stmt.args().iter().filter(|t| on(t.span)) {
            if let TermKind::Block(b) = &term.kind {
                return statement_at(&b.stmts, &stmt.head.name, offset);
            }
        }
    }
    None
}

/// The diagnostics under the cursor, each with its code's explanation.
fn diagnostic(doc: &Analyzed, offset: usize) -> Option<String> {
    let parts: Vec<String> = doc
        .analysis
        .diagnostics
        .iter()
        .filter(|d| d.span.start <= offset && offset <= d.span.end)
        .filter_map(|d| mlspec_diag::codes::lookup(d.code))
        .map(|info| format!("**{}**: {}\n\n{}", info.code, info.title, info.explanation.trim()))
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n\n---\n\n"))
}
