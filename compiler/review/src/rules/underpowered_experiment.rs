use super::{experiment_power, Power, Rule};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::numbers::{count, dur, pct};

pub const RULE: Rule = Rule {
    id: "underpowered-experiment",
    step: Step::Monitoring,
    severity: Severity::Warning,
    triggers: "an A/B test cannot detect `min_effect` at alpha 0.05 and power 0.8 (see below)",
    question: "How did you size this A/B test? What is the smallest effect it can detect, and what do you do if the result is flat?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let mut out = Vec::new();
    for e in &d.experiments {
        let Some(Power { effect, base, p2, n, arm, units, how, labels }) = experiment_power(d, e) else { continue };
        if units >= n {
            continue;
        }
        // With late labels the test must outlast the delay as well.
        let days_needed = match &labels {
            Some(l) => l.duration_needed_s,
            None if units > 0.0 => e.duration_s * n / units,
            None => f64::INFINITY,
        };
        let longer = if days_needed.is_finite() {
            format!("`duration {}d`", (days_needed / 86_400.0).ceil())
        } else {
            "a longer duration".to_string()
        };
        if let Some(l) = labels.as_ref().filter(|l| l.in_time <= 0.0) {
            out.push(cx.finding(&RULE, e.span,
                format!(
                    "experiment `{}` measures nothing: `{}` is read from the labels of `{}`, which arrive {} after each event, after the {} test has ended",
                    e.name, e.metric, l.field, dur(l.delay_s), dur(e.duration_s)
                ),
                format!(
                    "every unit of the test is labelled only after it ends, so the comparison has no outcomes at all; to see {} → {} it needs {} labelled units per arm",
                    pct(base), pct(p2), count(n)
                ),
                format!(
                    "run it for the label delay plus the time the arm takes to collect them at this traffic ({longer}), or decide on a metric whose outcome is known at once"
                ),
            )
            .ask(format!(
                "The labels of `{}` take {}; `{}` lasts {}. What does it measure, and on which metric would you decide?",
                l.field, dur(l.delay_s), e.name, dur(e.duration_s)
            )));
            continue;
        }
        let share_needed = if units > 0.0 { (arm * n / units).min(1.0) } else { 1.0 };
        let share_fix =
            if share_needed <= 0.5 { format!(", or `traffic {}`", pct((share_needed * 100.0).ceil() / 100.0)) } else { String::new() };
        out.push(cx.finding(&RULE, e.span,
            format!(
                "experiment `{}` cannot detect a {} relative change in `{}` ({} to {}): it needs {} units per arm and gets about {}",
                e.name,
                pct(effect),
                e.metric,
                pct(base),
                pct(p2),
                count(n),
                count(units)
            ),
            format!(
                "from a base rate of {} to {} at alpha 0.05 and power 0.8, a two-proportion test needs {} per arm; the smaller arm gets {} = {} units of the metric's own population with labels by the end of the test, counting each as independent (users come back, so there are fewer independent units than that)",
                pct(base),
                pct(p2),
                count(n),
                how,
                count(units)
            ),
            format!("run it longer ({longer} at this traffic){share_fix}, or accept a larger `min_effect`"),
        )
        .ask(format!(
            "`{}` needs about {} units per arm to see a {} change and gets {}. How did you size it, what is the smallest effect it can detect, and what do you do with a flat result?",
            e.name,
            count(n),
            pct(effect),
            count(units)
        )));
    }
    out
}
