use super::Rule;
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::MonitorKind;

pub const RULE: Rule = Rule {
    id: "unrouted-monitor",
    step: Step::Monitoring,
    severity: Severity::Info,
    triggers:
        "drift, performance (without `action retrain`), latency or error monitors without an `alert`; one finding listing their lines",
    question: "Some monitors alert nobody. Who is on call for this model, and which signals wake them up?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let silent: Vec<&mlspec_ir::Monitor> = d
        .monitors
        .iter()
        .filter(|m| m.alert.is_none())
        .filter(|m| !matches!(m.kind, MonitorKind::Retrain { .. } | MonitorKind::Performance { retrain: true, .. }))
        .collect();
    let Some(first) = silent.first() else { return vec![] };
    let lines: Vec<String> = silent.iter().map(|m| cx.line(m.span).to_string()).collect();
    let watched = d.monitors.iter().filter(|m| !matches!(m.kind, MonitorKind::Retrain { .. })).count();
    let stmt = cx.line_text(first.span);
    vec![cx.finding(
        &RULE,
        first.span,
        format!(
            "{} of {} monitors raise no alert and trigger no action (line{} {})",
            silent.len(),
            watched,
            if lines.len() == 1 { "" } else { "s" },
            lines.join(", ")
        ),
        "a threshold that nobody hears about is a dashboard, not a monitor; say who is told when it fires, or which action it takes"
            .to_string(),
        format!("route each one: `{stmt} alert slack(\"#ml-alerts\")`, or `pagerduty(..)` for what needs a human now"),
    )]
}
