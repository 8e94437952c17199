use super::{monitors_span, Rule};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::numbers::dur;
use mlspec_ir::{facts, Design, MonitorKind};

pub const RULE: Rule = Rule {
    id: "no-drift-monitor",
    step: Step::Monitoring,
    severity: Severity::Warning,
    triggers: "the spec has models and no `drift` monitor",
    question: "How would you notice that the input data changed, before the labels tell you quality dropped?",
    check,
};

fn served_features(d: &Design) -> Vec<&str> {
    let mut out = Vec::new();
    for s in &d.servings {
        for f in facts::serving_features(d, s) {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    if out.is_empty() {
        out.extend(d.models.iter().flat_map(|m| m.features.iter().map(String::as_str)));
    }
    out
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    if d.models.is_empty() || d.monitors.iter().any(|m| matches!(m.kind, MonitorKind::Drift { .. })) {
        return vec![];
    }
    let delay = facts::label_delay_s(d)
        .map_or(String::new(), |l| format!("; labels arrive {} late, so input drift is the earliest warning there is", dur(l)));
    let feature = served_features(d).first().map_or("FEATURE", |f| f).to_string();
    vec![cx.finding(
        &RULE,
        monitors_span(d),
        "no monitor watches the input distribution for drift".to_string(),
        format!(
            "inputs shift (seasonality, new products or users, an upstream schema change) before quality metrics show the damage{delay}"
        ),
        format!("watch the most important inputs: `drift {feature} using psi > 0.2 every 1d alert slack(\"#ml-alerts\")` in `monitors`"),
    )]
}
