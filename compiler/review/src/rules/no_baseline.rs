use super::{complex, simplest_model, Rule};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::numbers::ms;
use mlspec_ir::vocab::{ModelStage, Task};

pub const RULE: Rule = Rule {
    id: "no-baseline",
    step: Step::Model,
    severity: Severity::Warning,
    triggers: "a complex model (random forest, gradient boosting, neural network, transformer, two-tower, matrix factorisation) has no `baseline`; a `stage retrieval` model is exempt when another model has one",
    question: "What is the simplest thing that could work here, and how much better must the complex model be to justify its cost?",
    check,
};

fn baseline_kind(task: Task) -> &'static str {
    match task {
        Task::Regression => "linear_regression",
        Task::Forecasting | Task::Ranking | Task::Recommendation => "heuristic",
        _ => "logistic_regression",
    }
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let any_baseline = d.models.iter().any(|m| m.baseline.is_some());
    let mut out = Vec::new();
    for m in &d.models {
        if !complex(m.kind) || m.baseline.is_some() {
            continue;
        }
        // A candidate generator is judged with the ranker it feeds.
        if m.stage == Some(ModelStage::Retrieval) && any_baseline {
            continue;
        }
        let kind = m.kind.as_str();
        let est = d.servings.iter().find(|s| s.stages.iter().any(|st| st.model.as_deref() == Some(m.name.as_str())));
        let cost = est
            .and_then(|s| s.stages.iter().find(|st| st.model.as_deref() == Some(m.name.as_str())).map(|st| (s, st)))
            .and_then(|(s, st)| mlspec_ir::cost::typical_s(&mlspec_ir::cost::stage_service(d, s, st)))
            .map_or(String::new(), |t| format!(" and {} per request", ms(t)));
        let existing = simplest_model(d).filter(|b| b.name != m.name);
        let fix = match existing {
            Some(b) => {
                format!("`{}` is already in the spec: add `baseline {}` to model `{}` and report the lift over it", b.name, b.name, m.name)
            }
            None => {
                let feats: Vec<&str> = m.features.iter().take(4).map(String::as_str).collect();
                format!(
                    "start from a simple model and make `{}` beat it:\n  model {}_baseline {{\n    kind {}\n    features [{}]\n  }}\nthen `baseline {}_baseline` in model `{}`",
                    m.name,
                    m.name,
                    baseline_kind(d.task()),
                    feats.join(", "),
                    m.name,
                    m.name
                )
            }
        };
        out.push(cx.finding(&RULE, m.name_span,
            format!("model `{}` ({kind}) has no simpler baseline to beat", m.name),
            format!(
                "without a baseline there is no evidence that the complexity pays for itself: a {kind} model costs training time{cost}, and is harder to debug and explain; a logistic regression or a heuristic often gets most of the way"
            ),
            fix,
        ));
    }
    out
}
