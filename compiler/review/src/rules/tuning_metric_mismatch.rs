use super::Rule;
use crate::{Ctx, Finding, Severity, Step};

pub const RULE: Rule = Rule {
    id: "tuning-metric-mismatch",
    step: Step::Model,
    severity: Severity::Info,
    triggers: "a model's `tuning ... metric M` is not the primary metric",
    question: "You tune on one metric and select on another. Which one matters, and what happens when they disagree?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let Some(primary) = d.metrics.iter().find(|m| m.primary) else { return vec![] };
    let mut out = Vec::new();
    for m in &d.models {
        let Some(metric) = m.tuning.as_ref().and_then(|t| t.metric.as_deref()) else { continue };
        if metric == primary.name {
            continue;
        }
        out.push(cx.finding(&RULE, m.tuning_span,
            format!("model `{}` is tuned on `{metric}`, but the primary metric is `{}`", m.name, primary.name),
            format!(
                "hyperparameters chosen for `{metric}` are not the ones that maximise `{}`, the metric that selects the model; the two can disagree (a ranking metric against a calibration metric, recall against precision)",
                primary.name
            ),
            format!("tune on the primary metric (`metric {}` in `tuning`), or make `{metric}` the primary if it is what matters", primary.name),
        ));
    }
    out
}
