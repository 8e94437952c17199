//! SARIF 2.1.0, with what GitHub code scanning reads: the driver and its
//! rules, and results with ruleId, message and a physical location.

use super::{positions, FileReport};
use crate::codes::CODES;
use crate::span::LineIndex;
use serde_json::{json, Value};

pub fn render_sarif(reports: &[FileReport<'_>], tool_version: &str) -> String {
    let rules: Vec<Value> = CODES
        .iter()
        .map(|c| {
            let level = if c.code.starts_with('W') { "warning" } else { "error" };
            json!({
                "id": c.code,
                "name": c.title,
                "shortDescription": {"text": c.title},
                "fullDescription": {"text": c.title},
                "help": {"text": c.explanation, "markdown": c.explanation},
                "defaultConfiguration": {"level": level},
            })
        })
        .collect();
    let mut results = Vec::new();
    for r in reports {
        let idx = LineIndex::new(r.source);
        for d in r.diagnostics {
            let (s, e) = positions(&idx, d.span);
            let rule_index = CODES.iter().position(|c| c.code == d.code);
            let text = match &d.help {
                Some(h) => format!("{}\nhelp: {h}", d.message),
                None => d.message.clone(),
            };
            let uri = r.path.replace('\\', "/");
            let mut result = json!({
                "ruleId": d.code,
                "ruleIndex": rule_index,
                "level": d.severity.as_str(),
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {"startLine": s.line, "startColumn": s.column, "endLine": e.line, "endColumn": e.column.max(if e.line == s.line { s.column + 1 } else { 1 })},
                    }
                }],
            });
            if let (Some(fix), Some(obj)) = (&d.fix, result.as_object_mut()) {
                // A replacement whose deleted region is empty inserts its text.
                let replacements: Vec<Value> = fix
                    .edits
                    .iter()
                    .map(|edit| {
                        let (s, e) = positions(&idx, edit.span);
                        json!({
                            "deletedRegion": {"startLine": s.line, "startColumn": s.column, "endLine": e.line, "endColumn": e.column},
                            "insertedContent": {"text": edit.replacement},
                        })
                    })
                    .collect();
                obj.insert(
                    "fixes".into(),
                    json!([{"description": {"text": fix.message}, "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": replacements}]}]),
                );
            }
            results.push(result);
        }
    }
    let mut driver = json!({"name": "mlspec", "version": tool_version, "rules": rules});
    // Where the tool is described: the package's declared repository, and
    // nothing (the field is optional) rather than a made-up address.
    let repository = env!("CARGO_PKG_REPOSITORY");
    if let (Some(d), true) = (driver.as_object_mut(), repository.starts_with("https://")) {
        d.insert("informationUri".into(), json!(repository));
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
