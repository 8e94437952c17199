use super::{learned, positive_rate, problem_span, Rule, RARE_POSITIVES};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::numbers::{count, pct};
use mlspec_ir::vocab::Task;

pub const RULE: Rule = Rule {
    id: "imbalance-unhandled",
    step: Step::Training,
    severity: Severity::Warning,
    triggers: "a binary or anomaly task with a target and positives rarer than 10%, a learned model, and no `dataset imbalance`",
    question: "How does training deal with so few positives: weighting, resampling, or a different loss? How do you re-calibrate scores afterwards?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let task = d.task();
    if !matches!(task, Task::BinaryClassification | Task::AnomalyDetection) {
        return vec![];
    }
    let Some(rate) = positive_rate(d).filter(|p| *p < RARE_POSITIVES) else { return vec![] };
    // Without a target (unsupervised anomaly detection) there are no labels to balance.
    let has_target = d.problem.target.is_some();
    if !has_target || d.dataset.as_ref().is_some_and(|ds| ds.imbalance.is_some()) || !d.models.iter().any(|m| learned(m.kind)) {
        return vec![];
    }
    let span = d.dataset.as_ref().map_or(problem_span(d), |ds| ds.span);
    vec![cx.finding(&RULE, span,
        format!("positives are {} of examples and the dataset does not handle the imbalance", pct(rate)),
        format!(
            "with {} positives per million examples an unweighted loss is dominated by the {} negatives: the model learns to predict the majority class, and probability thresholds tuned on balanced intuition are off",
            count(rate * 1e6),
            count((1.0 - rate) * 1e6)
        ),
        "declare how training treats the rare class: `imbalance class_weight` in `dataset` (or `undersample(0.1)` when negatives are plentiful, re-calibrating afterwards)".to_string(),
    )]
}
