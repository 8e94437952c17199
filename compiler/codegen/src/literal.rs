//! Literals for generated code: the only way a spec string enters a file.
//!
//! **Invariant:** `py` returns a valid Python expression that evaluates to the
//! value (strings as JSON string literals, which Python reads the same way);
//! `yaml_str` returns a YAML double-quoted scalar; `dns` a DNS-1123 label.

use serde_json::Value;

/// A Python string literal: JSON's escaping is a subset of Python's.
pub fn py_str(s: &str) -> String {
    // serde_json escapes `"`, `\` and control characters; Python reads
    // `\uXXXX` and the short escapes the same way.
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// A Python float or int literal for a finite number; `float("nan")` and
/// friends never appear because the IR holds finite numbers, but are
/// rendered safely if they do.
pub fn py_num(x: f64) -> String {
    if x.is_nan() {
        "float(\"nan\")".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "float(\"inf\")" } else { "float(\"-inf\")" }.to_string()
    } else if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.1}")
    } else {
        format!("{x:?}")
    }
}

/// Any JSON value as a Python literal (`True`, `None`, dicts and lists),
/// indented by four spaces per level when it does not fit on one line.
pub fn py(v: &Value) -> String {
    let mut out = String::new();
    write_py(v, 0, &mut out);
    out
}

fn one_line(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => py_num(f),
            _ => n.to_string(),
        },
        Value::String(s) => py_str(s),
        Value::Array(a) => format!("[{}]", a.iter().map(one_line).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => {
            format!("{{{}}}", o.iter().map(|(k, v)| format!("{}: {}", py_str(k), one_line(v))).collect::<Vec<_>>().join(", "))
        }
    }
}

fn write_py(v: &Value, indent: usize, out: &mut String) {
    let flat = one_line(v);
    if flat.len() + indent <= 100 || !matches!(v, Value::Array(_) | Value::Object(_)) {
        out.push_str(&flat);
        return;
    }
    let pad = " ".repeat(indent + 4);
    match v {
        Value::Array(a) => {
            out.push_str("[\n");
            for item in a {
                out.push_str(&pad);
                write_py(item, indent + 4, out);
                out.push_str(",\n");
            }
            out.push_str(&" ".repeat(indent));
            out.push(']');
        }
        Value::Object(o) => {
            out.push_str("{\n");
            for (k, item) in o {
                out.push_str(&pad);
                out.push_str(&py_str(k));
                out.push_str(": ");
                write_py(item, indent + 4, out);
                out.push_str(",\n");
            }
            out.push_str(&" ".repeat(indent));
            out.push('}');
        }
        _ => out.push_str(&flat),
    }
}

/// A string as a YAML double-quoted scalar: a JSON string is one.
pub fn yaml_str(s: &str) -> String {
    py_str(s)
}

/// A Markdown code span of a checked name (`source.field`): the name in
/// backticks, with anything but letters, digits, `_` and `.` dropped, so it
/// cannot close the span.
pub fn md_code(s: &str) -> String {
    let name: String = s.chars().filter(|c| c.is_alphanumeric() || *c == '_' || *c == '.').collect();
    format!("`{name}`")
}

/// Text for Markdown prose: one line, with HTML and Markdown control
/// characters escaped so a description cannot open a tag or a code span.
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '{' | '}' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A DNS-1123 label: lowercase letters, digits and `-`, starting and ending
/// with an alphanumeric, at most 63 characters; `mlspec` if nothing is left.
pub fn dns(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut t: String = out.trim_matches('-').chars().take(63).collect();
    while t.ends_with('-') {
        t.pop();
    }
    if t.is_empty() {
        "mlspec".to_string()
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_for_python() {
        assert_eq!(py_str("a\"b\\c\n'''"), "\"a\\\"b\\\\c\\n'''\"");
        assert_eq!(py(&serde_json::json!({"a": [1, true, null, 0.5]})), "{\"a\": [1, True, None, 0.5]}");
        assert_eq!(py_num(3.0), "3.0");
    }

    #[test]
    fn dns_labels() {
        assert_eq!(dns("fraud_detection"), "fraud-detection");
        assert_eq!(dns("__X__"), "x");
        assert_eq!(dns("!!!"), "mlspec");
        assert_eq!(dns(&"a".repeat(80)).len(), 63);
    }

    #[test]
    fn markdown_cannot_open_tags() {
        assert_eq!(md("</script>`x`"), "&lt;/script&gt;\\`x\\`");
    }
}
