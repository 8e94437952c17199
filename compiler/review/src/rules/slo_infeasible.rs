use super::{realtime, stage_breakdown, Rule};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::numbers::{dur, ms};

pub const RULE: Rule = Rule {
    id: "slo-infeasible",
    step: Step::Serving,
    severity: Severity::Critical,
    triggers: "a realtime serving whose stages take, for a typical request, longer than a latency limit (stage times from `cost::stage_service`: declared latencies, or the cost model's estimate from the model's kind and params)",
    question: "Your stages alone take longer than the latency budget. Which stage would you cut or change first, and what does that cost in quality?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let mut out = Vec::new();
    for s in d.servings.iter().filter(|s| realtime(s)) {
        let Some(path) = mlspec_ir::cost::path_typical_s(d, s) else { continue };
        let Some(limit) = d.constraints.latency.iter().filter(|l| l.max_s < path).min_by(|a, b| a.max_s.total_cmp(&b.max_s)) else {
            continue;
        };
        out.push(cx.finding(&RULE, limit.span,
            format!(
                "the {} limit of {} is below what the stages of `{}` take for a typical request ({})",
                limit.label,
                ms(limit.max_s),
                s.name,
                ms(path)
            ),
            format!(
                "{} = {} before any queueing, network or batching wait; a typical request already misses the {} < {} budget, so no amount of replicas meets it",
                stage_breakdown(d, s),
                ms(path),
                limit.label,
                ms(limit.max_s)
            ),
            format!(
                "cut the slowest stage (a smaller model, a cache in front, precomputed features), or if the budget can move, `latency {} < {}` in `constraints` with headroom above {}",
                limit.label,
                dur(((path * 2.0 * 1000.0).ceil()) / 1000.0),
                ms(path)
            ),
        )
        .ask(format!(
            "The stages of `{}` take {} for a typical request against a {} limit of {}. Which stage would you cut or change first, and what does that cost in quality?",
            s.name,
            ms(path),
            limit.label,
            ms(limit.max_s)
        )));
    }
    out
}
