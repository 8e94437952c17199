//! Completion: `system` at the top level, the statement names of the
//! enclosing block (from the checker's block tables), vocabulary words for
//! the statement being written, feature functions with their signature,
//! and the names in scope (sources, `source.field`s, features, models,
//! servings, stages, metrics).
//!
//! The context comes from the text before the cursor, not the syntax tree,
//! so completion works on the half-written line the parser rejects.

use crate::analysis::Analyzed;
use crate::index::{Definition, Kind};
use crate::words::is_word_char;
use lsp_types::{CompletionItem, CompletionItemKind};
use mlspec_check::{block_statement_names, FIELD_MODIFIERS, SOURCE_KINDS};
use mlspec_ir::functions::FeatureFunction;
use mlspec_ir::vocab::{
    computed_metric_names, AlertChannel, AutoscaleSignal, DriftStat, Imbalance, MissingStrategy, ModelKind, ModelStage, Task, TuningSearch,
};
use mlspec_ir::FieldType;

/// Where the cursor is, as far as completion cares.
#[derive(Debug, PartialEq, Eq)]
pub struct Context<'a> {
    /// The heads of the enclosing blocks, outermost first (`["system", "serving", "stage"]`).
    pub blocks: Vec<&'a str>,
    /// The statement's first word, when the cursor is past it.
    pub head: Option<&'a str>,
    /// The statement's text up to the cursor.
    pub line: &'a str,
    /// `NAME.` right before the word being typed: NAME.
    pub after_dot: Option<&'a str>,
}

/// Scans `text[..offset]`, skipping strings and `//` comments: each `{`
/// opens a block named by the first word of its statement, `}` closes one;
/// a statement starts after a line break, `;`, `{` or `}`.
pub fn context(text: &str, offset: usize) -> Context<'_> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or("");
    let mut blocks = Vec::new();
    let mut stmt_start = 0;
    let mut chars = before.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let mut escaped = false;
                for (_, s) in chars.by_ref() {
                    match s {
                        '\\' if !escaped => escaped = true,
                        '"' if !escaped => break,
                        '\n' => break,
                        _ => escaped = false,
                    }
                }
            }
            '/' if chars.peek().is_some_and(|&(_, n)| n == '/') => {
                for (j, s) in chars.by_ref() {
                    if s == '\n' {
                        stmt_start = j + 1;
                        break;
                    }
                }
            }
            '{' => {
                blocks.push(first_word(before.get(stmt_start..i).unwrap_or("")));
                stmt_start = i + 1;
            }
            '}' => {
                blocks.pop();
                stmt_start = i + 1;
            }
            '\n' | ';' => stmt_start = i + 1,
            _ => {}
        }
    }
    let line = before.get(stmt_start..).unwrap_or("").trim_start();
    let typing = line.trim_end_matches(is_word_char);
    let head = (!typing.is_empty()).then(|| first_word(line)).filter(|h| !h.is_empty());
    let after_dot = typing.strip_suffix('.').map(|t| {
        let start = t.rfind(|c: char| !is_word_char(c)).map_or(0, |i| i + 1);
        t.get(start..).unwrap_or("")
    });
    Context { blocks, head, line, after_dot: after_dot.filter(|n| !n.is_empty()) }
}

fn first_word(s: &str) -> &str {
    let s = s.trim_start();
    let end = s.find(|c: char| !is_word_char(c)).unwrap_or(s.len());
    s.get(..end).unwrap_or("")
}

pub fn complete(doc: &Analyzed, offset: usize) -> Vec<CompletionItem> {
    let cx = context(&doc.text, offset);
    let mut out = Vec::new();
    if let Some(source) = cx.after_dot {
        let of_source = |f: &&Definition| f.parent.and_then(|p| doc.index.defs.get(p)).is_some_and(|s| s.name == source);
        for field in doc.index.of_kind(Kind::Field).filter(of_source) {
            out.push(item(&field.name, CompletionItemKind::FIELD, Some(doc.first_line(field.span).to_string()), "0"));
        }
        return out;
    }
    let block = cx.blocks.last().copied();
    match cx.head {
        None => statement_names(block, &mut out),
        Some(head) => {
            for word in vocabulary(block, head, cx.line) {
                out.push(item(word, CompletionItemKind::ENUM_MEMBER, None, "0"));
            }
            names_in_scope(doc, &mut out);
            if block == Some("features") || head == "rule" {
                for f in FeatureFunction::ALL {
                    out.push(item(f.as_str(), CompletionItemKind::FUNCTION, Some(f.signature().example.to_string()), "2"));
                }
            }
        }
    }
    out
}

/// What may start a statement in `block` (`None`: the top level).
fn statement_names(block: Option<&str>, out: &mut Vec<CompletionItem>) {
    match block {
        None => out.push(item("system", CompletionItemKind::KEYWORD, Some("system NAME { ... }".to_string()), "0")),
        Some("metrics") => {
            for name in computed_metric_names() {
                out.push(item(&name, CompletionItemKind::ENUM_MEMBER, Some("computed metric".to_string()), "0"));
            }
            out.push(item("cost_matrix", CompletionItemKind::KEYWORD, None, "1"));
        }
        Some(block) => {
            for name in block_statement_names(block).unwrap_or_default() {
                out.push(item(name, CompletionItemKind::KEYWORD, Some(format!("statement of `{block}`")), "0"));
            }
        }
    }
}

/// The closed vocabulary a statement's arguments take, by its block and head.
fn vocabulary(block: Option<&str>, head: &str, line: &str) -> Vec<&'static str> {
    let mut words: Vec<&'static str> = match (block, head) {
        (Some("schema"), _) => FieldType::SIMPLE.iter().chain(&["embedding", "list"]).chain(FIELD_MODIFIERS).copied().collect(),
        (_, "task") => Task::NAMES.to_vec(),
        (Some("model"), "kind") => ModelKind::NAMES.to_vec(),
        (Some("model"), "stage") => ModelStage::NAMES.to_vec(),
        (Some("model"), "tuning") => TuningSearch::NAMES.to_vec(),
        (Some("source"), "kind") => SOURCE_KINDS.to_vec(),
        (_, "imbalance") => Imbalance::NAMES.to_vec(),
        (Some("dataset"), "missing") => MissingStrategy::NAMES.to_vec(),
        (_, "autoscale") => AutoscaleSignal::NAMES.to_vec(),
        (Some("monitors"), "drift") => DriftStat::NAMES.to_vec(),
        _ => Vec::new(),
    };
    if block == Some("monitors") && line.split_whitespace().any(|w| w == "alert") {
        words.extend(AlertChannel::NAMES);
    }
    words
}

fn names_in_scope(doc: &Analyzed, out: &mut Vec<CompletionItem>) {
    let draft = &doc.analysis.draft;
    for def in &doc.index.defs {
        let (kind, detail) = match def.kind {
            Kind::Feature => (CompletionItemKind::VARIABLE, draft.feature(&def.name).map(|f| format!("feature: {}", f.ty.as_str()))),
            Kind::Model => (CompletionItemKind::CLASS, draft.model(&def.name).and_then(|m| m.known_kind()).map(|k| format!("model: {k}"))),
            Kind::Source => (CompletionItemKind::STRUCT, Some("source".to_string())),
            Kind::Field => (CompletionItemKind::FIELD, Some(doc.first_line(def.span).to_string())),
            Kind::Serving => (CompletionItemKind::MODULE, Some("serving".to_string())),
            Kind::Stage => (CompletionItemKind::METHOD, Some(format!("stage of `{}`", def.qualified))),
            Kind::Metric => (CompletionItemKind::PROPERTY, Some("metric".to_string())),
            Kind::Experiment | Kind::Scenario | Kind::System => continue,
        };
        // A field is written with its source; a stage by its own name.
        let label = if def.kind == Kind::Field { &def.qualified } else { &def.name };
        out.push(item(label, kind, detail, "1"));
    }
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>, group: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        sort_text: Some(format!("{group}{label}")),
        ..CompletionItem::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_come_from_the_text_before_the_cursor() {
        let text = "system s {\n  serving online {\n    stage a { model m; lat";
        let cx = context(text, text.len());
        assert_eq!(cx.blocks, ["system", "serving", "stage"]);
        assert_eq!(cx.head, None);
        let text = "system s {\n  // a { comment\n  problem {\n    task bin";
        let cx = context(text, text.len());
        assert_eq!(cx.blocks, ["system", "problem"]);
        assert_eq!(cx.head, Some("task"));
        let text = "system s {\n  source x { location \"{\" }\n  features {\n    f = log1p(x.am";
        let cx = context(text, text.len());
        assert_eq!(cx.blocks, ["system", "features"]);
        assert_eq!(cx.after_dot, Some("x"));
    }
}
