use super::{realtime, required_rps, Rule, TARGET_UTILISATION};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::{cost, facts};
use mlspec_ir::numbers::{count, ms, num};

pub const RULE: Rule = Rule {
    id: "replica-cores-short",
    step: Step::Serving,
    severity: Severity::Warning,
    triggers: "a realtime serving on CPU instances with the capacity its declared concurrency needs (no `capacity-short`) whose rate per replica (the peak, as for `capacity-short`, ÷ `replicas.max`) keeps more cores busy with its model stages (their typical time per request from `cost::stage_service`) than its `instance cpu(cores: N)` declares (1 without an instance): the service `mlspec build` generates runs one worker process per declared core, and a Python process uses one core",
    question: "Each replica must run more model work per second than its declared cores can. Would you give it more cores, more replicas, or a faster model, and what does each cost?",
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
        // On a GPU the model stages' work is not the cores' to carry.
        if s.instance.as_ref().is_some_and(|i| i.kind != "cpu") {
            continue;
        }
        let declared = facts::worker_processes(s) as f64;
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
        let cores = per_replica * model_s;
        if cores <= declared {
            continue;
        }
        let replicas_needed = (need * model_s / (declared * TARGET_UTILISATION)).ceil();
        out.push(
            cx.finding(
                &RULE,
                s.name_span,
                format!(
                    "each of the {} replicas of `{}` needs about {} cores of model work for its {} rps, and declares {}",
                    replicas,
                    s.name,
                    num(cores.ceil()),
                    count(per_replica),
                    num(declared)
                ),
                format!(
                    "its model stages take {} of CPU per request ({}); the generated service runs one worker process per declared core, so a replica serves at most {} / {} = {} rps whatever `concurrency {}` allows; {} over {} replicas is {} rps each",
                    ms(model_s),
                    breakdown,
                    num(declared),
                    ms(model_s),
                    count(declared / model_s),
                    s.concurrency,
                    why_need,
                    replicas,
                    count(per_replica)
                ),
                format!(
                    "declare `instance cpu(cores: {})` or more, or raise `replicas` to {}..{} for {}% utilisation of the declared cores, or cut the model stages' time",
                    num((cores / TARGET_UTILISATION).ceil()),
                    s.replicas.0,
                    count(replicas_needed),
                    num(TARGET_UTILISATION * 100.0)
                ),
            )
            .ask(format!(
                "Each replica of `{}` must take {} rps, and its model stages keep its {} declared cores busy at {} rps. Would you give it more cores, more replicas, or a faster model, and what does each cost?",
                s.name,
                count(per_replica),
                num(declared),
                count(declared / model_s)
            )),
        );
    }
    out
}
