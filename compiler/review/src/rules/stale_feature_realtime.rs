use super::Rule;
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::facts;
use mlspec_ir::numbers::{dur, num};

pub const RULE: Rule = Rule {
    id: "stale-feature-realtime",
    step: Step::Features,
    severity: Severity::Warning,
    triggers:
        "a realtime serving's features read a source whose `freshness` is longer than its budget: `constraints freshness SOURCE D` for that source, else `constraints freshness D` (the fact behind W0101)",
    question:
        "This realtime path reads data refreshed less often than the freshness you promised. Does the model still work on stale values?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let mut out = Vec::new();
    for s in &d.servings {
        for st in facts::stale_sources(d, s) {
            let feats: Vec<String> = st.features.iter().map(|f| format!("`{f}`")).collect();
            out.push(cx.finding(&RULE, st.source.name_span,
                format!(
                    "realtime serving `{}` reads `{}` (refreshed every {}) through {}, staler than {}",
                    s.name,
                    st.source.name,
                    dur(st.freshness_s),
                    if feats.is_empty() { "its features".to_string() } else { feats.join(", ") },
                    st.budget_phrase()
                ),
                format!(
                    "a request can be scored with data up to {} old, {}× {}; events since the last refresh are invisible to the model online although training saw them in full",
                    dur(st.freshness_s),
                    num(st.freshness_s / st.limit_s.max(1e-9)),
                    if st.per_source {
                        format!("its own {} budget", dur(st.limit_s))
                    } else {
                        format!("the {} the constraint allows", dur(st.limit_s))
                    }
                ),
                if st.per_source {
                    format!(
                        "refresh the source at least as often as its budget (`freshness {}` in `source {}`), stream it into the online store, or relax `freshness {} {}` in `constraints` if the staleness is acceptable",
                        dur(st.limit_s),
                        st.source.name,
                        st.source.name,
                        dur(st.limit_s)
                    )
                } else {
                    format!(
                        "refresh the source at least as often as the constraint (`freshness {}` in `source {}`), stream it into the online store, or, if this source may be older, give it a budget of its own (`freshness {} {}` in `constraints`) rather than relaxing the constraint for every source",
                        dur(st.limit_s),
                        st.source.name,
                        st.source.name,
                        dur(st.freshness_s)
                    )
                },
            )
            .ask(format!(
                "`{}` is refreshed every {} but you promised {} freshness. Does the model still work on a value {} old, and what would streaming it cost?",
                st.source.name,
                dur(st.freshness_s),
                dur(st.limit_s),
                dur(st.freshness_s)
            )));
        }
    }
    out
}
