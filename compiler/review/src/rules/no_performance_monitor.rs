use super::{monitors_span, primary_metric, Rule};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::numbers::{dur, num};
use mlspec_ir::{facts, Cmp, MonitorKind};

pub const RULE: Rule = Rule {
    id: "no-performance-monitor",
    step: Step::Monitoring,
    severity: Severity::Warning,
    triggers: "the spec has a target and models and no `performance` monitor",
    question: "How do you know the model is still right a month after launch?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let has_target = d.problem.target.is_some();
    if !has_target || d.models.is_empty() || d.monitors.iter().any(|m| matches!(m.kind, MonitorKind::Performance { .. })) {
        return vec![];
    }
    let window = facts::label_delay_s(d).map_or(7.0 * 86_400.0, |l| l.max(86_400.0));
    let (metric, cmp, value) = match primary_metric(d).and_then(|m| m.threshold.map(|t| (m, t))) {
        Some((m, (Cmp::Ge | Cmp::Gt, v))) => (m.name.clone(), "<", num(v)),
        Some((m, (Cmp::Le | Cmp::Lt, v))) => (m.name.clone(), ">", num(v)),
        None => ("METRIC".to_string(), "<", "THRESHOLD".to_string()),
    };
    vec![cx.finding(&RULE, monitors_span(d),
        "no monitor measures the model's quality on labelled production data".to_string(),
        "drift and latency monitors say the system runs, not that its predictions are still right; only a performance monitor on fresh labels catches concept drift".to_string(),
        format!(
            "`performance {metric} {cmp} {value} window {} action retrain` in `monitors`{}",
            dur(window),
            if facts::label_delay_s(d).is_some() { " (the window covers the label delay)" } else { "" }
        ),
    )]
}
