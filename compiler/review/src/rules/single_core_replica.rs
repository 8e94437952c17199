use super::{realtime, required_rps, Rule, TARGET_UTILISATION};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::{cost, facts};
use mlspec_ir::numbers::{count, ms, num};

pub const RULE: Rule = Rule {
    id: "single-core-replica",
    step: Step::Serving,
    severity: Severity::Warning,
    triggers: "a realtime serving with the capacity its declared concurrency needs (no `capacity-short`) whose rate per replica (the peak, as for `capacity-short`, ÷ `replicas.max`) keeps more than one core busy with its model stages (their typical time per request from `cost::stage_service`), while the service `mlspec build` generates runs one Python process, so one core's worth of model work, per replica",
    question: "Each replica must run more model work per second than one core can. How would you run it: processes per replica, more replicas, or a faster model, and what does each cost in memory?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let Some((need, why_need)) = required_rps(d) else { return vec![] };
    let mut out = Vec::new();
    for s in d.servings.iter().filter(|s| realtime(s)) {
        // Short of capacity at any concurrency is `capacity-short`'s finding.
        if facts::serving_capacity(d, s).is_none_or(|c| c.rps < need) {
            continue;
        }
        // Model stages are the CPU work; a lookup or gateway stage waits on I/O.
        let stages: Vec<(&str, f64)> = s
            .stages
            .iter()
            .filter(|st| st.model.is_some())
            .filter_map(|st| cost::typical_s(&cost::stage_service(d, s, st)).map(|t| (st.name.as_str(), t)))
            .collect();
        let model_s: f64 = stages.iter().map(|(_, t)| t).sum();
        if model_s <= 0.0 || !model_s.is_finite() {
            continue;
        }
        let breakdown = stages.iter().map(|(name, t)| format!("{name} {}", ms(*t))).collect::<Vec<_>>().join(" + ");
        let replicas = s.replicas.1.max(1);
        let per_replica = need / replicas as f64;
        let one_core = 1.0 / model_s;
        if per_replica <= one_core {
            continue;
        }
        let cores = (per_replica * model_s).ceil();
        let replicas_needed = (need * model_s / TARGET_UTILISATION).ceil();
        out.push(
            cx.finding(
                &RULE,
                s.name_span,
                format!(
                    "one process of the generated service for `{}` serves about {} rps, below the {} rps each of its {} replicas must take",
                    s.name,
                    count(one_core),
                    count(per_replica),
                    replicas
                ),
                format!(
                    "its model stages take {} of CPU per request ({}); one Python process uses one core, so a replica serves at most 1 / {} = {} rps whatever `concurrency {}` allows; {} over {} replicas needs about {} cores of model work per replica",
                    ms(model_s),
                    breakdown,
                    ms(model_s),
                    count(one_core),
                    s.concurrency,
                    why_need,
                    replicas,
                    num(cores)
                ),
                format!(
                    "run {} processes per replica (`uvicorn --workers`, with Prometheus' multiprocess mode for `/metrics`), or raise `replicas` to {}..{} for one process each at {}% utilisation, or cut the model stages' time",
                    num(cores),
                    s.replicas.0,
                    count(replicas_needed),
                    num(TARGET_UTILISATION * 100.0)
                ),
            )
            .ask(format!(
                "Each replica of `{}` must take {} rps, and its model stages keep one core busy at {} rps. How would you run it: processes per replica, more replicas, or a faster model, and what does each cost in memory?",
                s.name,
                count(per_replica),
                count(one_core)
            )),
        );
    }
    out
}
