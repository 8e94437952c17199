use super::{primary_metric, problem_span, Rule};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::vocab::Task;
use mlspec_ir::Scope;

pub const RULE: Rule = Rule {
    id: "no-business-metric",
    step: Step::Metrics,
    severity: Severity::Warning,
    triggers: "no metric is `business`",
    question:
        "If this model ships and the offline metric improves, which business number moves, and by how much would you call it a success?",
    check,
};

fn business_suggestion(task: Task) -> &'static str {
    match task {
        Task::Ranking | Task::Recommendation => "revenue_per_session business",
        Task::Forecasting => "inventory_cost business",
        Task::Regression => "cost_of_error business",
        _ => "losses_prevented business",
    }
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    if d.metrics.iter().any(|m| m.scope == Scope::Business) {
        return vec![];
    }
    let objective = d.problem.objective.as_str();
    let span = d.metrics.first().map_or(problem_span(d), |m| m.span);
    vec![cx.finding(&RULE, span,
        "no `business` metric ties the model to the objective".to_string(),
        format!(
            "the objective is \"{objective}\", but no metric says how the business will measure it; a model that improves {} without moving a business number is hard to defend and easy to cancel",
            primary_metric(d).map_or("offline metrics".to_string(), |m| format!("`{}`", m.name))
        ),
        format!("track the outcome the objective names, e.g. `{}` in `metrics`", business_suggestion(d.task())),
    )]
}
