use super::{is_classification, positive_rate, Rule, RARE_POSITIVES};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::numbers::{num, pct};
use mlspec_ir::vocab::{computed_metric, Role, Task};
use mlspec_ir::{Metric, Scope};

pub const RULE: Rule = Rule {
    id: "accuracy-on-imbalanced",
    step: Step::Metrics,
    severity: Severity::Critical,
    triggers: "a classification task whose positives are rarer than 10% (`positive_rate`; anomaly detection without one is taken as 1%) has `accuracy` as its primary metric or as its only offline quality metric",
    question: "Positives are rare here: what does 99% accuracy tell you? Which metric would you select models on instead, and why?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let task = d.task();
    if !is_classification(task) {
        return vec![];
    }
    let rate = match (positive_rate(d), task) {
        (Some(p), _) if p < RARE_POSITIVES => p,
        (None, Task::AnomalyDetection) => 0.01,
        _ => return vec![],
    };
    let guardrail = |m: &Metric| computed_metric(&m.base, m.k.is_some()).is_some_and(|c| c.role == Role::Guardrail);
    let quality: Vec<&Metric> = d.metrics.iter().filter(|m| m.scope == Scope::Offline && !guardrail(m)).collect();
    let Some(acc) = d.metrics.iter().find(|m| m.name == "accuracy") else { return vec![] };
    let only = acc.scope == Scope::Offline && quality.iter().all(|m| m.name == "accuracy");
    if !acc.primary && !only {
        return vec![];
    }
    let stated = if positive_rate(d).is_some() { "" } else { " (anomalies are rare; 1% assumed)" };
    vec![cx.finding(&RULE, acc.span,
        format!("`accuracy` is the {} metric, but positives are {}{stated}", if acc.primary { "primary" } else { "only quality" }, pct(rate)),
        format!(
            "a model that always predicts the negative class scores {} accuracy while catching no positive at all{}; accuracy cannot tell a useful model from a useless one here",
            pct(1.0 - rate),
            acc.threshold
                .filter(|(_, v)| 1.0 - rate >= *v)
                .map_or(String::new(), |(_, v)| format!(", which already passes `accuracy >= {}`", num(v)))
        ),
        "select models on a metric that weighs the rare class: `auc_pr >= 0.5 offline primary`, with `recall` and `precision` at the operating point (and a `cost_matrix` if errors have prices)".to_string(),
    )
    .ask(format!(
        "With {} positives, a model that never flags anything scores {} accuracy. Which metric would you select models on instead, and at what operating point?",
        pct(rate),
        pct(1.0 - rate)
    ))]
}
