use super::{realtime, required_rps, stage_breakdown, Rule, TARGET_UTILISATION};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::facts;
use mlspec_ir::numbers::{count, ms, num};

pub const RULE: Rule = Rule {
    id: "capacity-short",
    step: Step::Serving,
    severity: Severity::Critical,
    triggers: "a realtime serving's capacity, `replicas.max × concurrency / time per request` (the fact behind W0102), is below the peak: the throughput constraint, or a scenario's peak rate when that is higher (its daily curve and bursts, computed by `mlspec_ir::traffic::Traffic` as the simulator runs them); the fix sizes replicas for 70% utilisation",
    question: "Walk me through the capacity arithmetic at peak: how many replicas do you need, and what happens to latency at 90% utilisation?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let Some((need, why_need)) = required_rps(d) else { return vec![] };
    let mut out = Vec::new();
    for s in d.servings.iter().filter(|s| realtime(s)) {
        let Some(c) = facts::serving_capacity(d, s) else { continue };
        if c.rps >= need {
            continue;
        }
        let at_target = c.replicas_for(need, TARGET_UTILISATION);
        // Keep two replicas at the floor under an availability constraint.
        let floor = if d.constraints.availability.is_some() { s.replicas.0.max(2) } else { s.replicas.0 };
        let lo = floor.min(at_target);
        out.push(cx.finding(&RULE, s.name_span,
            format!("serving `{}` can handle about {} rps at most, below the {} rps it must serve", s.name, count(c.rps), count(need)),
            format!(
                "{} replicas × {} concurrency / {} per request ({}) = {} rps, short of {}; at peak the queue grows without bound and requests time out",
                c.replicas,
                c.concurrency,
                ms(c.per_request_s),
                stage_breakdown(d, s),
                count(c.rps),
                why_need
            ),
            format!(
                "size for {}% utilisation at peak: `replicas {lo}..{at_target}` ({} at 100%), or raise `concurrency`, or cut the per-request time",
                num(TARGET_UTILISATION * 100.0),
                c.replicas_for(need, 1.0)
            ),
        )
        .ask(format!(
            "At peak you need {} rps and `{}` serves about {}. Walk me through the replica count you would run, and what happens to tail latency at 90% utilisation?",
            count(need),
            s.name,
            count(c.rps)
        )));
    }
    out
}
