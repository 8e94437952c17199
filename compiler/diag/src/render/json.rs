//! The JSON report (`--format json`), version 1.

use super::{count, positions, FileReport};
use crate::span::{LineIndex, Span};
use crate::Severity;
use serde_json::{json, Value};

fn span_json(idx: &LineIndex<'_>, span: Span) -> Value {
    let (s, e) = positions(idx, span);
    json!({
        "start": idx.clamp(span.start),
        "end": idx.clamp(span.end),
        "line": s.line,
        "column": s.column,
        "end_line": e.line,
        "end_column": e.column,
    })
}

pub fn render_json(reports: &[FileReport<'_>]) -> String {
    let files: Vec<Value> = reports
        .iter()
        .map(|r| {
            let idx = LineIndex::new(r.source);
            let diags: Vec<Value> = r
                .diagnostics
                .iter()
                .map(|d| {
                    json!({
                        "code": d.code,
                        "severity": d.severity.as_str(),
                        "message": d.message,
                        "span": span_json(&idx, d.span),
                        "labels": d.labels.iter().map(|l| json!({"span": span_json(&idx, l.span), "message": l.message})).collect::<Vec<_>>(),
                        "help": d.help,
                        "fix": d.fix.as_ref().map(|f| json!({
                            "message": f.message,
                            "applicability": "machine-applicable",
                            "edits": f.edits.iter().map(|e| json!({"span": span_json(&idx, e.span), "replacement": e.replacement})).collect::<Vec<_>>(),
                        })),
                    })
                })
                .collect();
            json!({"path": r.path, "diagnostics": diags})
        })
        .collect();
    let doc = json!({
        "version": 1,
        "files": files,
        "errors": count(reports, Severity::Error),
        "warnings": count(reports, Severity::Warning),
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
