use super::{learned, monitors_span, Rule};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::numbers::dur;
use mlspec_ir::{facts, Model, MonitorKind};

pub const RULE: Rule = Rule {
    id: "no-retraining",
    step: Step::Monitoring,
    severity: Severity::Warning,
    triggers: "a learned model (not rules or heuristic) and neither `retrain every` nor `action retrain`",
    question: "When and how does the model get retrained, and what stops a worse model from being promoted?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let learned_models: Vec<&Model> = d.models.iter().filter(|m| learned(m.kind)).collect();
    let retrains =
        d.monitors.iter().any(|m| matches!(m.kind, MonitorKind::Retrain { .. } | MonitorKind::Performance { retrain: true, .. }));
    let Some(first) = learned_models.first() else { return vec![] };
    if retrains {
        return vec![];
    }
    let names: Vec<String> = learned_models.iter().map(|m| format!("`{}`", m.name)).collect();
    let delay = facts::label_delay_s(d)
        .map_or(String::new(), |l| format!(" (labels arrive after {}, so each retrain learns from outcomes up to then)", dur(l)));
    vec![cx.finding(&RULE, if d.monitors.is_empty() { first.name_span } else { monitors_span(d) },
        format!("nothing retrains {}", names.join(", ")),
        format!("a model trained once decays as the world moves on; without a schedule or a trigger, drift is detected but never acted on{delay}"),
        "retrain on a schedule and on degradation: `retrain every 7d` in `monitors`, and `action retrain` on the performance monitor".to_string(),
    )]
}
