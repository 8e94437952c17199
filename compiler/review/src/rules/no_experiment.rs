use super::{learned, realtime, Rule};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::Scope;

pub const RULE: Rule = Rule {
    id: "no-experiment",
    step: Step::Monitoring,
    severity: Severity::Info,
    triggers: "a realtime design with a learned model that has a baseline, and no experiment",
    question: "How do you decide to launch: what online test, on which metric, for how long?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    if !d.experiments.is_empty() || !d.servings.iter().any(realtime) {
        return vec![];
    }
    let Some(m) = d.models.iter().find(|m| m.baseline.is_some() && learned(m.kind)) else { return vec![] };
    let base = m.baseline.as_deref().unwrap_or("BASELINE");
    let online = d.metrics.iter().find(|x| x.scope == Scope::Online).map_or("ONLINE_METRIC", |x| x.name.as_str());
    vec![cx.finding(
        &RULE,
        m.name_span,
        format!("no A/B test compares `{}` with `{base}` on live traffic", m.name),
        "offline lift does not always survive contact with users; an A/B test is how a launch decision is made on evidence".to_string(),
        format!(
            "`experiment {}_vs_{base} {{ ab_test treatment {} control {base} traffic 10% metric {online} duration 14d min_effect 5% }}`",
            m.name, m.name
        ),
    )]
}
