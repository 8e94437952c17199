use super::{Rule, HOURS_PER_MONTH};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::numbers::{money, num};
use mlspec_ir::{Serving, ServingMode};

pub const RULE: Rule = Rule {
    id: "over-budget",
    step: Step::Serving,
    severity: Severity::Warning,
    triggers:
        "realtime and streaming servings at their replica ceiling cost more per month (instance cost per hour × 730 hours) than `budget`",
    question: "Your serving costs more than the budget at full scale. Where would you cut: replicas, instance type, or model size?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let Some(budget) = d.constraints.budget_per_month.filter(|b| *b > 0.0) else { return vec![] };
    let priced: Vec<(&Serving, f64)> = d
        .servings
        .iter()
        .filter(|s| matches!(s.mode, Some(ServingMode::Realtime | ServingMode::Streaming)))
        .filter_map(|s| s.instance.as_ref().and_then(|i| i.cost_per_hour).map(|c| (s, c)))
        .collect();
    let total: f64 = priced.iter().map(|(s, c)| s.replicas.1 as f64 * c * HOURS_PER_MONTH).sum();
    let Some((first, _)) = priced.first() else { return vec![] };
    if total <= budget {
        return vec![];
    }
    let parts: Vec<String> = priced
        .iter()
        .map(|(s, c)| format!("`{}` {} replicas × {}/h × {} h", s.name, s.replicas.1, money(*c), num(HOURS_PER_MONTH)))
        .collect();
    let floor: f64 = priced.iter().map(|(s, c)| s.replicas.0 as f64 * c * HOURS_PER_MONTH).sum();
    vec![cx.finding(
        &RULE,
        first.name_span,
        format!("serving at full scale costs {} a month, above the budget of {}", money(total), money(budget)),
        format!(
            "{} = {} a month at the replica ceiling ({} at the floor), before training, storage and the feature store",
            parts.join(" + "),
            money(total),
            money(floor)
        ),
        "lower the replica ceiling, pick a cheaper instance, or raise `budget` in `constraints` with the business case".to_string(),
    )]
}
