use super::{experiment_power, Power, Rule};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::numbers::{count, pct};

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
        let Some(Power { effect, base, p2, n, arm, units, how }) = experiment_power(d, e) else { continue };
        if units >= n {
            continue;
        }
        let days_needed = if units > 0.0 { e.duration_s * n / units } else { f64::INFINITY };
        let share_needed = if units > 0.0 { (arm * n / units).min(1.0) } else { 1.0 };
        let longer = if days_needed.is_finite() {
            format!("`duration {}d`", (days_needed / 86_400.0).ceil())
        } else {
            "a longer duration".to_string()
        };
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
                "from a base rate of {} to {} at alpha 0.05 and power 0.8, a two-proportion test needs {} per arm; the smaller arm gets {} = {}, counting each request as an independent unit (users come back, so there are fewer independent units than that)",
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
