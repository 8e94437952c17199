use super::Rule;
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::numbers::dur;

pub const RULE: Rule = Rule {
    id: "experiment-too-short",
    step: Step::Monitoring,
    severity: Severity::Info,
    triggers: "an experiment runs less than 7 days (a weekly cycle)",
    question: "Your test runs less than a week. How do you account for weekday effects and novelty?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    const WEEK: f64 = 7.0 * 86_400.0;
    cx.d
        .experiments
        .iter()
        .filter(|e| e.duration_s < WEEK)
        .map(|e| {
            cx.finding(&RULE, e.span,
                format!("experiment `{}` runs for {}, less than a week", e.name, dur(e.duration_s)),
                "behaviour differs by weekday, and users react to anything new for a while: a test shorter than a full weekly cycle measures the novelty and the days it happened to cover".to_string(),
                "run whole weeks: `duration 7d` or `duration 14d`".to_string(),
            )
        })
        .collect()
}
