use super::Rule;
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::numbers::{dur, num, pct};
use mlspec_ir::ServingMode;

pub const RULE: Rule = Rule {
    id: "single-replica",
    step: Step::Serving,
    severity: Severity::Warning,
    triggers: "under an `availability` constraint, a realtime or streaming serving can scale down to one replica",
    question: "What happens to availability during a deploy or when the one replica dies?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let Some(avail) = d.constraints.availability else { return vec![] };
    let mut out = Vec::new();
    for s in &d.servings {
        if !matches!(s.mode, Some(ServingMode::Realtime | ServingMode::Streaming)) || s.replicas.0 >= 2 {
            continue;
        }
        let downtime_min = (1.0 - avail) * 30.0 * 24.0 * 60.0;
        out.push(cx.finding(
            &RULE,
            s.name_span,
            format!("serving `{}` can run on a single replica under an availability constraint of {}", s.name, pct(avail)),
            format!(
                    "{} allows {} minutes of downtime a month; with one replica every deploy, node drain or crash is an outage{}",
                    pct(avail),
                    num((downtime_min * 10.0).round() / 10.0),
                    s.autoscale
                        .as_ref()
                        .and_then(|a| a.warmup_s)
                        .map_or(String::new(), |w| format!(", each lasting at least the {} warmup", dur(w)))
                ),
            format!("keep at least two replicas, in different zones: `replicas 2..{}`", s.replicas.1.max(2)),
        ));
    }
    out
}
