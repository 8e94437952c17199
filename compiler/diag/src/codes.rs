//! The registry of diagnostic codes: one entry per code, with the long
//! explanation `mlspec explain` prints and docs/diagnostics.md lists.
//!
//! **Invariant:** codes are stable: never renumber or reuse one. Every code
//! the analysis raises is here (a test checks it), and every explanation
//! holds a failing example that really raises its code (a test checks that).

pub struct CodeInfo {
    pub code: &'static str,
    pub title: &'static str,
    /// Markdown: what it means, a failing example in an `mlspec` fence, the fix.
    pub explanation: &'static str,
}

pub static CODES: &[CodeInfo] = &[
    CodeInfo { code: "E0001", title: "the file is not UTF-8 text", explanation: include_str!("explain/E0001.md") },
    CodeInfo { code: "E0002", title: "syntax error", explanation: include_str!("explain/E0002.md") },
    CodeInfo { code: "E0003", title: "unbalanced bracket", explanation: include_str!("explain/E0003.md") },
    CodeInfo { code: "E0004", title: "nesting too deep", explanation: include_str!("explain/E0004.md") },
    CodeInfo { code: "E0101", title: "unknown block or top-level item", explanation: include_str!("explain/E0101.md") },
    CodeInfo { code: "E0102", title: "unknown statement in a block", explanation: include_str!("explain/E0102.md") },
    CodeInfo { code: "E0103", title: "unknown named argument or field modifier", explanation: include_str!("explain/E0103.md") },
    CodeInfo { code: "E0104", title: "a required block or statement is missing", explanation: include_str!("explain/E0104.md") },
    CodeInfo { code: "E0105", title: "given twice where one is allowed", explanation: include_str!("explain/E0105.md") },
    CodeInfo { code: "E0106", title: "unknown value (not in the vocabulary)", explanation: include_str!("explain/E0106.md") },
    CodeInfo { code: "E0201", title: "duplicate name", explanation: include_str!("explain/E0201.md") },
    CodeInfo { code: "E0202", title: "name is a Python keyword", explanation: include_str!("explain/E0202.md") },
    CodeInfo { code: "E0203", title: "unknown source", explanation: include_str!("explain/E0203.md") },
    CodeInfo { code: "E0204", title: "unknown field", explanation: include_str!("explain/E0204.md") },
    CodeInfo { code: "E0205", title: "unknown feature", explanation: include_str!("explain/E0205.md") },
    CodeInfo { code: "E0206", title: "unknown model", explanation: include_str!("explain/E0206.md") },
    CodeInfo { code: "E0207", title: "unknown stage", explanation: include_str!("explain/E0207.md") },
    CodeInfo { code: "E0208", title: "unknown metric", explanation: include_str!("explain/E0208.md") },
    CodeInfo { code: "E0301", title: "wrong argument type or unit", explanation: include_str!("explain/E0301.md") },
    CodeInfo { code: "E0302", title: "missing argument", explanation: include_str!("explain/E0302.md") },
    CodeInfo { code: "E0303", title: "unexpected extra argument", explanation: include_str!("explain/E0303.md") },
    CodeInfo { code: "E0304", title: "value out of range", explanation: include_str!("explain/E0304.md") },
    CodeInfo { code: "E0305", title: "empty range (minimum above maximum)", explanation: include_str!("explain/E0305.md") },
    CodeInfo { code: "E0311", title: "unknown feature function", explanation: include_str!("explain/E0311.md") },
    CodeInfo { code: "E0312", title: "type mismatch in a feature expression", explanation: include_str!("explain/E0312.md") },
    CodeInfo { code: "E0313", title: "wrong arguments to a feature function", explanation: include_str!("explain/E0313.md") },
    CodeInfo { code: "E0314", title: "window aggregation without an event_time field", explanation: include_str!("explain/E0314.md") },
    CodeInfo { code: "E0315", title: "window `by:` key is not a field of the source", explanation: include_str!("explain/E0315.md") },
    CodeInfo { code: "E0316", title: "features form a cycle", explanation: include_str!("explain/E0316.md") },
    CodeInfo { code: "E0317", title: "label leakage", explanation: include_str!("explain/E0317.md") },
    CodeInfo { code: "E0318", title: "the target is not a label field", explanation: include_str!("explain/E0318.md") },
    CodeInfo {
        code: "E0319",
        title: "the query group is not an id field of the target's source",
        explanation: include_str!("explain/E0319.md"),
    },
    CodeInfo { code: "E0401", title: "metric does not fit the task", explanation: include_str!("explain/E0401.md") },
    CodeInfo { code: "E0402", title: "more than one primary metric", explanation: include_str!("explain/E0402.md") },
    CodeInfo { code: "E0403", title: "model kind does not fit the task", explanation: include_str!("explain/E0403.md") },
    CodeInfo { code: "E0404", title: "baseline is the model itself or forms a cycle", explanation: include_str!("explain/E0404.md") },
    CodeInfo { code: "E0405", title: "shares do not add up to 100%", explanation: include_str!("explain/E0405.md") },
    CodeInfo { code: "E0406", title: "time split on a field that is not a timestamp", explanation: include_str!("explain/E0406.md") },
    CodeInfo { code: "E0407", title: "rules and model kind disagree", explanation: include_str!("explain/E0407.md") },
    CodeInfo { code: "E0408", title: "online feature store read but not declared", explanation: include_str!("explain/E0408.md") },
    CodeInfo {
        code: "E0409",
        title: "realtime serving needs windowed features without an online store",
        explanation: include_str!("explain/E0409.md"),
    },
    CodeInfo { code: "E0410", title: "experiment compares a model with itself", explanation: include_str!("explain/E0410.md") },
    CodeInfo { code: "E0411", title: "query group given for a task that does not rank", explanation: include_str!("explain/E0411.md") },
    CodeInfo {
        code: "E0501",
        title: "nothing to simulate (no realtime serving with stages)",
        explanation: include_str!("explain/E0501.md"),
    },
    CodeInfo { code: "E0502", title: "no arrival rate to simulate", explanation: include_str!("explain/E0502.md") },
    CodeInfo { code: "E0503", title: "an empirical latency file cannot be used", explanation: include_str!("explain/E0503.md") },
    CodeInfo { code: "E0504", title: "the scenario is too long to simulate", explanation: include_str!("explain/E0504.md") },
    CodeInfo { code: "E0601", title: "no data for a source", explanation: include_str!("explain/E0601.md") },
    CodeInfo { code: "E0602", title: "a declared field has no column in the data", explanation: include_str!("explain/E0602.md") },
    CodeInfo { code: "E0603", title: "a column's type cannot hold the declared type", explanation: include_str!("explain/E0603.md") },
    CodeInfo { code: "E0604", title: "values outside the declared range", explanation: include_str!("explain/E0604.md") },
    CodeInfo { code: "E0605", title: "a category value the schema does not list", explanation: include_str!("explain/E0605.md") },
    CodeInfo { code: "E0606", title: "more missing values than declared", explanation: include_str!("explain/E0606.md") },
    CodeInfo { code: "E0607", title: "a key that repeats", explanation: include_str!("explain/E0607.md") },
    CodeInfo { code: "E0608", title: "a reference that does not resolve", explanation: include_str!("explain/E0608.md") },
    CodeInfo {
        code: "E0609",
        title: "events later than the time the data is checked as of",
        explanation: include_str!("explain/E0609.md"),
    },
    CodeInfo { code: "E0610", title: "the data cannot be read", explanation: include_str!("explain/E0610.md") },
    CodeInfo {
        code: "W0101",
        title: "realtime serving reads a source staler than the freshness constraint",
        explanation: include_str!("explain/W0101.md"),
    },
    CodeInfo { code: "W0102", title: "serving capacity below the required throughput", explanation: include_str!("explain/W0102.md") },
    CodeInfo {
        code: "W0103",
        title: "label delay longer than the performance monitor's window",
        explanation: include_str!("explain/W0103.md"),
    },
    CodeInfo { code: "W0104", title: "a ranking task declares no query group", explanation: include_str!("explain/W0104.md") },
    CodeInfo { code: "W0601", title: "a column the schema does not declare", explanation: include_str!("explain/W0601.md") },
    CodeInfo { code: "W0602", title: "event times out of order in a stream", explanation: include_str!("explain/W0602.md") },
    CodeInfo { code: "W0603", title: "data older than the declared freshness", explanation: include_str!("explain/W0603.md") },
    CodeInfo { code: "W0604", title: "a label rate far from positive_rate", explanation: include_str!("explain/W0604.md") },
    CodeInfo { code: "W0605", title: "labels that arrive later than the declared delay", explanation: include_str!("explain/W0605.md") },
    CodeInfo { code: "W0606", title: "a volume far from the declared one", explanation: include_str!("explain/W0606.md") },
    CodeInfo { code: "W0607", title: "a column that gives the label away", explanation: include_str!("explain/W0607.md") },
];

pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    let code = code.trim().to_ascii_uppercase();
    CODES.iter().find(|c| c.code == code)
}

/// docs/diagnostics.md: every code's explanation, in code order.
pub fn markdown_reference() -> String {
    let mut out = String::from(
        "# Diagnostics\n\n<!-- Generated from compiler/diag/src/explain/*.md by `MLSPEC_BLESS=1 cargo test -p mlspec-check --test codes`; do not edit. -->\n\n\
         Every problem `mlspec check` reports has a stable code: `E0xxx` for errors, `W0xxx` for warnings. \
         `mlspec explain CODE` prints the entry below.\n\n| code | meaning |\n|---|---|\n",
    );
    for c in CODES {
        out.push_str(&format!("| [{}](#{}) | {} |\n", c.code, c.code.to_ascii_lowercase(), c.title));
    }
    for c in CODES {
        out.push('\n');
        // Demote headings one level under the page title.
        for line in c.explanation.trim_end().lines() {
            if line.starts_with('#') {
                out.push('#');
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
