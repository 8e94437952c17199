//! The review as human text, Markdown or JSON. Pure: returns strings.

use super::{Review, Severity, Step};
use std::fmt::Write;

fn summary(r: &Review) -> String {
    let c = r.count(Severity::Critical);
    let w = r.count(Severity::Warning);
    let i = r.count(Severity::Info);
    let plural = |n: usize, one: &str, many: &str| if n == 1 { format!("{n} {one}") } else { format!("{n} {many}") };
    format!("{}, {}, {}", plural(c, "critical", "critical"), plural(w, "warning", "warnings"), plural(i, "info", "infos"))
}

/// The text with its first letter capitalised, for prose in Markdown.
fn sentence(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) if first.is_ascii_lowercase() => first.to_ascii_uppercase().to_string() + c.as_str(),
        _ => s.to_string(),
    }
}

fn percent(x: f64) -> String {
    format!("{}%", (x * 100.0).round())
}

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|l| format!("{by}{l}")).collect::<Vec<_>>().join("\n")
}

pub fn human(r: &Review, path: &str, interview: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Design review of `{}` ({path})", r.system);
    let _ = writeln!(out, "score {}/100: {}\n", r.score, summary(r));
    let _ = writeln!(out, "Framework coverage");
    for (i, s) in r.steps.iter().enumerate() {
        let _ = writeln!(out, "  {}. {:<26} {:>4}", i + 1, s.step.title(), percent(s.coverage));
        if !s.covered.is_empty() {
            let _ = writeln!(out, "       covers: {}", s.covered.join(", "));
        }
        if !s.missing.is_empty() {
            let _ = writeln!(out, "       open:   {}", s.missing.join(", "));
        }
    }
    let _ = writeln!(out);
    if r.findings.is_empty() {
        let _ = writeln!(out, "Findings: none");
    } else {
        let _ = writeln!(out, "Findings ({})", summary(r));
        for step in Step::ALL {
            let fs: Vec<_> = r.findings.iter().filter(|f| f.step == step).collect();
            if fs.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n  {}", step.title());
            for f in fs {
                let _ = writeln!(out, "  {}[{}] line {}: {}", f.severity.as_str(), f.id, f.line, f.message);
                let _ = writeln!(out, "{}", indent(&format!("why: {}", f.why), "      "));
                let _ = writeln!(out, "{}", indent(&format!("fix: {}", f.fix), "      "));
            }
        }
    }
    if !r.checks.is_empty() {
        let _ = writeln!(out, "\nNumbers checked");
        for c in &r.checks {
            let _ = writeln!(out, "  line {}: {}", c.line, c.question);
        }
    }
    if interview {
        let _ = writeln!(out, "\nInterview follow-ups");
        for (i, q) in r.questions.iter().enumerate() {
            let _ = writeln!(out, "  {}. [{}, line {}] {}", i + 1, q.step.as_str(), q.line, q.question);
        }
    }
    out
}

pub fn markdown(r: &Review, path: &str, interview: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Design review: `{}`\n", r.system);
    let _ = writeln!(out, "Spec: `{path}`. Score **{}/100**; findings: {}.\n", r.score, summary(r));
    let _ = writeln!(out, "## Framework coverage\n");
    let _ = writeln!(out, "| step | coverage | covers | open |\n|---|---|---|---|");
    for s in &r.steps {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            s.step.title(),
            percent(s.coverage),
            if s.covered.is_empty() { "—".to_string() } else { s.covered.join(", ") },
            if s.missing.is_empty() { "—".to_string() } else { s.missing.join(", ") }
        );
    }
    let _ = writeln!(out, "\n## Findings\n");
    if r.findings.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for f in &r.findings {
        let _ = writeln!(out, "### {} `{}` (line {})\n", f.severity.as_str(), f.id, f.line);
        let _ = writeln!(out, "{} ({}).\n", sentence(&f.message), f.step.title().to_lowercase());
        let _ = writeln!(out, "**Why it matters.** {}.\n", sentence(&f.why));
        if f.fix.contains('\n') {
            let (head, rest) = f.fix.split_once('\n').unwrap_or((&f.fix, ""));
            let _ = writeln!(out, "**Fix.** {}\n\n```mlspec\n{rest}\n```\n", sentence(head));
        } else {
            let _ = writeln!(out, "**Fix.** {}.\n", sentence(&f.fix));
        }
    }
    if !r.checks.is_empty() {
        let _ = writeln!(out, "## Numbers checked\n");
        for c in &r.checks {
            let _ = writeln!(out, "- {} *(line {})*", sentence(&c.question), c.line);
        }
        let _ = writeln!(out);
    }
    if interview {
        let _ = writeln!(out, "## Interview follow-ups\n");
        for (i, q) in r.questions.iter().enumerate() {
            let _ = writeln!(out, "{}. {} *({}, line {})*", i + 1, q.question, q.step.title().to_lowercase(), q.line);
        }
        let _ = writeln!(out);
    }
    out
}

pub fn json(r: &Review, interview: bool) -> String {
    let steps: Vec<serde_json::Value> = r
        .steps
        .iter()
        .map(|s| {
            serde_json::json!({
                "step": s.step.as_str(),
                "coverage": (s.coverage * 1000.0).round() / 1000.0,
                "covered": s.covered,
                "missing": s.missing,
            })
        })
        .collect();
    let findings: Vec<serde_json::Value> = r
        .findings
        .iter()
        .map(|f| {
            serde_json::json!({
                "id": f.id,
                "severity": f.severity.as_str(),
                "step": f.step.as_str(),
                "message": f.message,
                "why": f.why,
                "fix": f.fix,
                "line": f.line,
            })
        })
        .collect();
    let checks: Vec<serde_json::Value> =
        r.checks.iter().map(|c| serde_json::json!({"step": c.step.as_str(), "text": c.question, "line": c.line})).collect();
    // One object per sized serving, by name: `capacity.<serving>.replicas`
    // is `mlspec capacity --format json`'s `simulated.replicas`.
    let capacity: serde_json::Map<String, serde_json::Value> =
        r.capacity.iter().map(|z| (z.serving.clone(), serde_json::to_value(z).unwrap_or_default())).collect();
    let mut v = serde_json::json!({
        "capacity": capacity,
        "checks": checks,
        "system": r.system,
        "score": r.score,
        "steps": steps,
        "findings": findings,
    });
    if interview {
        let qs: Vec<serde_json::Value> =
            r.questions.iter().map(|q| serde_json::json!({"step": q.step.as_str(), "question": q.question, "line": q.line})).collect();
        if let Some(obj) = v.as_object_mut() {
            obj.insert("questions".to_string(), serde_json::Value::Array(qs));
        }
    }
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
