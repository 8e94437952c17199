use super::{problem_span, Rule};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::vocab::Task;
use mlspec_ir::Scope;

pub const RULE: Rule = Rule {
    id: "no-online-metric",
    step: Step::Metrics,
    severity: Severity::Warning,
    triggers: "no metric is `online`",
    question: "How will you know, in the first week after launch, whether the model helps? What do you measure on live traffic?",
    check,
};

fn online_suggestion(task: Task) -> &'static str {
    match task {
        Task::Ranking | Task::Recommendation => "ctr >= 5% online",
        Task::Forecasting => "stockout_rate <= 2% online",
        Task::Regression => "mae <= 5 online",
        _ => "false_positive_rate <= 1% online",
    }
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    if d.metrics.iter().any(|m| m.scope == Scope::Online) {
        return vec![];
    }
    let span = d.metrics.first().map_or(problem_span(d), |m| m.span);
    let exp = if d.experiments.is_empty() { String::new() } else { " and the A/B test has nothing to read".to_string() };
    vec![cx.finding(&RULE, span,
        "no `online` metric says how the model does in production".to_string(),
        format!(
            "offline metrics are measured on historical labels; once the model changes what users see, only an online metric shows whether it helps{exp}"
        ),
        format!("add one measured on live traffic, e.g. `{}`", online_suggestion(d.task())),
    )]
}
