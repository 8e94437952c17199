use super::Rule;
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::facts;
use mlspec_ir::numbers::dur;

pub const RULE: Rule = Rule {
    id: "label-delay-exceeds-window",
    step: Step::Monitoring,
    severity: Severity::Critical,
    triggers: "a `performance` monitor's window is shorter than the target's label `delay` (the fact behind W0103)",
    question:
        "Labels arrive later than your monitor's window. What does the monitor actually see, and what would you watch in the meantime?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let target = d.problem.target.as_ref().map_or("the target".to_string(), |t| format!("`{t}`"));
    facts::blind_performance_monitors(d)
        .into_iter()
        .map(|b| {
            let stmt = cx.line_text(b.monitor.span);
            let fixed = stmt.replacen(&format!("window {}", dur(b.window_s)), &format!("window {}", dur(b.delay_s)), 1);
            let fix = if fixed == stmt {
                format!("use a window of at least {}", dur(b.delay_s))
            } else {
                format!("`{fixed}`")
            };
            cx.finding(&RULE, b.monitor.span,
                format!("the `{}` monitor looks at a {} window, but labels for {target} arrive after {}", b.metric, dur(b.window_s), dur(b.delay_s)),
                format!(
                    "no event in the last {} has its label yet, so the monitor computes `{}` over only the few outcomes known early (or none) and cannot fire when quality drops",
                    dur(b.window_s),
                    b.metric
                ),
                format!("{fix}, and for faster warning add a proxy: a `drift` monitor on the score's inputs or an online metric"),
            )
            .ask(format!(
                "Labels arrive after {} but the `{}` monitor looks at {}. What does it actually measure, and what would you watch in the first {} after a bad deploy?",
                dur(b.delay_s),
                b.metric,
                dur(b.window_s),
                dur(b.delay_s)
            ))
        })
        .collect()
}
