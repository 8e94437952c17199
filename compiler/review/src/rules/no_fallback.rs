use super::{realtime, simplest_model, Rule};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::numbers::{dur, ms};

pub const RULE: Rule = Rule {
    id: "no-fallback",
    step: Step::Serving,
    severity: Severity::Warning,
    triggers: "a realtime serving has no `timeout ... fallback`",
    question: "What does the caller get when the model is slow or down?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let mut out = Vec::new();
    for s in d.servings.iter().filter(|s| realtime(s) && s.timeout.is_none()) {
        let limit = d.constraints.latency.iter().max_by(|a, b| a.percentile.total_cmp(&b.percentile));
        let budget = limit.map_or(String::new(), |l| format!(" with a {} budget of {}", l.label, ms(l.max_s)));
        let after = limit.map_or(0.1, |l| l.max_s * 0.8);
        let fb = simplest_model(d).map_or("a rules model".to_string(), |m| format!("`{}`", m.name));
        let fb_name = simplest_model(d).map_or("rules_fallback", |m| m.name.as_str());
        out.push(cx.finding(&RULE, s.name_span,
            format!("realtime serving `{}` has no timeout and fallback", s.name),
            format!(
                "when a stage stalls (a feature-store timeout, a slow replica, a bad deploy) callers wait{budget} and then fail; a fallback answers every request within the budget, degraded instead of down"
            ),
            format!(
                "answer late requests with a cheap model: `timeout {} fallback {fb_name}` in `serving {}`{}",
                dur(((after * 1000.0).floor() / 1000.0).max(0.001)),
                s.name,
                if simplest_model(d).is_none() { format!(" (declare {fb} first)") } else { String::new() }
            ),
        ));
    }
    out
}
