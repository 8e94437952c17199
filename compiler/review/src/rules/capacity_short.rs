use super::{realtime, Rule};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::capacity::{replicas, Basis};
use mlspec_ir::numbers::rate;

pub const RULE: Rule = Rule {
    id: "capacity-short",
    step: Step::Serving,
    severity: Severity::Critical,
    triggers: "a realtime serving whose replica count at the peak (`mlspec_ir::capacity::Sizing`, the one capacity model: the fewest replicas that meet every latency constraint there, simulated as `mlspec capacity` does, or that keep up at all from declared times when it cannot simulate; one spare under `availability`; the autoscaler's count at its target) is above `replicas.max`. The peak is the default scenario's, as `capacity` sizes it, else the higher of the throughput constraint and the scenarios' peaks",
    question: "Walk me through the capacity arithmetic at peak: how many replicas do you need, and what happens to latency at 90% utilisation?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in cx.d.servings.iter().filter(|s| realtime(s)) {
        let Some(z) = cx.sizing(&s.name).filter(|z| !z.within_declared()) else { continue };
        let basis = match z.basis {
            Basis::Simulated => "simulated at the peak",
            Basis::Stability => "from declared stage times, without queueing",
        };
        out.push(
            cx.finding(
                &RULE,
                s.name_span,
                format!(
                    "serving `{}` needs {} at the peak of {} rps, above its declared maximum of {}",
                    s.name,
                    replicas(z.replicas),
                    rate(z.peak_rps),
                    z.declared.1
                ),
                format!("{} ({basis}); at the peak the queue grows and requests time out or fall back", z.sentence()),
                format!(
                    "declare `replicas {}..{}` (or more), or raise `concurrency`, or cut the per-request time",
                    z.declared.0.min(z.replicas),
                    z.replicas
                ),
            )
            .ask(format!(
                "At the peak `{}` needs {} and declares at most {}. Walk me through the replica count you would run, and what happens to tail latency at 90% utilisation?",
                s.name,
                replicas(z.replicas),
                z.declared.1
            )),
        );
    }
    out
}
