use super::{realtime, stage_breakdown, Rule};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::numbers::{dur, ms};
use mlspec_ir::{LatencyDist, Serving};

pub const RULE: Rule = Rule {
    id: "slo-infeasible",
    step: Step::Serving,
    severity: Severity::Critical,
    triggers: "a realtime serving whose stages take, for a typical request, longer than a latency limit, or one of whose stages alone has its own quantile at the limit's percentile above the limit, as the simulator draws it (stage times from `cost::stage_service`: declared latencies or distributions, or the cost model's estimate from the model's kind and params; a model stage's quantile discounts the answer cache's hits; a serving whose `timeout` cuts requests before the limit answers them by its fallback instead)",
    question: "Your stages alone take longer than the latency budget. Which stage would you cut or change first, and what does that cost in quality?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let mut out = Vec::new();
    for s in d.servings.iter().filter(|s| realtime(s)) {
        let Some(path) = mlspec_ir::cost::path_typical_s(d, s) else { continue };
        let Some(limit) = d.constraints.latency.iter().filter(|l| l.max_s < path).min_by(|a, b| a.max_s.total_cmp(&b.max_s)) else {
            out.extend(stage_tail(cx, s));
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

/// A stage whose own tail is above a limit: every request passes through it,
/// so the path's quantile is at least the stage's and no fleet meets the
/// limit. A model stage runs only on cache misses, so its quantile is taken
/// at the level that leaves the same share of all requests above it.
fn stage_tail(cx: &Ctx<'_>, s: &Serving) -> Option<Finding> {
    let d = cx.d;
    let cache_hit = s.cache.map_or(0.0, |(_, p)| p.clamp(0.0, 1.0));
    for l in &d.constraints.latency {
        // A timeout before the limit answers the slow requests by the fallback.
        if s.timeout.as_ref().is_some_and(|(after, _)| *after < l.max_s) {
            continue;
        }
        let tail = 1.0 - l.percentile / 100.0;
        for st in &s.stages {
            let miss = if st.model.is_some() { 1.0 - cache_hit } else { 1.0 };
            if miss <= tail {
                continue;
            }
            let service = mlspec_ir::cost::stage_service(d, s, st);
            let Some(q) = service.dist.quantile_s(1.0 - tail / miss) else { continue };
            if q <= l.max_s {
                continue;
            }
            return Some(
                cx.finding(
                    &RULE,
                    l.span,
                    format!("stage `{}` of `{}` alone takes {} at its {}, above the {} limit of {}", st.name, s.name, ms(q), l.label, l.label, ms(l.max_s)),
                    format!(
                        "its service time is {}; every request{} passes through it, so the {} of the whole path is at least {} whatever the fleet: the simulator draws the same distribution",
                        describe(&service.dist),
                        if miss < 1.0 { " that misses the cache" } else { "" },
                        l.label,
                        ms(q)
                    ),
                    format!(
                        "cut the stage's tail (a cache in front, a faster store, a `timeout` below {} with a fallback), or if the budget can move, `latency {} < {}`",
                        dur(l.max_s),
                        l.label,
                        dur(((q * 1.25 * 1000.0).ceil()) / 1000.0)
                    ),
                )
                .ask(format!(
                    "Stage `{}` alone takes {} at its {}, against a limit of {}. How would you cut its tail, and what would a timeout with a fallback cost in quality?",
                    st.name,
                    ms(q),
                    l.label,
                    ms(l.max_s)
                )),
            );
        }
    }
    None
}

/// `lognormal(p50: 35 ms, p99: 350 ms)`.
fn describe(dist: &LatencyDist) -> String {
    match dist {
        LatencyDist::Fixed { s } => format!("fixed at {}", ms(*s)),
        LatencyDist::Exponential { mean_s } => format!("exponential(mean: {})", ms(*mean_s)),
        LatencyDist::Lognormal { p50_s, p99_s } => format!("lognormal(p50: {}, p99: {})", ms(*p50_s), ms(*p99_s)),
        LatencyDist::Normal { mean_s, sd_s } => format!("normal(mean: {}, sd: {})", ms(*mean_s), ms(*sd_s)),
        LatencyDist::Empirical { file } => format!("empirical(`{file}`)"),
    }
}
