use super::{realtime, Rule};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::numbers::{dur, ms};

pub const RULE: Rule = Rule {
    id: "timeout-exceeds-slo",
    step: Step::Serving,
    severity: Severity::Warning,
    triggers:
        "a realtime serving's `timeout` is at or past the highest-percentile latency limit, so the fallback answers after the SLO is missed",
    question:
        "Your fallback fires after the latency budget is already spent. What does the caller see, and where would you set the timeout?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let Some(limit) = d.constraints.latency.iter().max_by(|a, b| a.percentile.total_cmp(&b.percentile)) else { return vec![] };
    let mut out = Vec::new();
    for s in d.servings.iter().filter(|s| realtime(s)) {
        let Some((after, fb)) = &s.timeout else { continue };
        if *after < limit.max_s {
            continue;
        }
        out.push(cx.finding(&RULE, s.timeout_span,
            format!(
                "serving `{}` falls back to `{fb}` after {}, at or past the {} limit of {}",
                s.name,
                ms(*after),
                limit.label,
                ms(limit.max_s)
            ),
            format!(
                "a request that needs the fallback has already missed the SLO when it gets it; the fallback should answer inside the budget, with time left for `{fb}` itself and the network"
            ),
            format!("fire the fallback earlier: `timeout {}` (80% of the limit)", dur(((limit.max_s * 0.8 * 1000.0).floor() / 1000.0).max(0.001))),
        ));
    }
    out
}
