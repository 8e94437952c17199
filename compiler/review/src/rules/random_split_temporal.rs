use super::Rule;
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::numbers::{dur, pct};
use mlspec_ir::vocab::Task;
use mlspec_ir::SplitStrategy;

pub const RULE: Rule = Rule {
    id: "random-split-temporal",
    step: Step::Training,
    severity: Severity::Critical,
    triggers: "`split random` when the task is forecasting or the target's source has an `event_time` field",
    question: "Your split is random over time-ordered data. What leaks from the future into training, and how would the offline number change with a time split?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let Some(split) = d.dataset.as_ref().and_then(|ds| ds.split.as_ref()) else { return vec![] };
    if !matches!(split.strategy, SplitStrategy::Random) {
        return vec![];
    }
    let forecasting = d.task() == Task::Forecasting;
    let target_src = d.problem.target.as_ref().and_then(|t| d.source(&t.source));
    let ts = target_src.and_then(|s| s.event_time().map(|f| (s.name.as_str(), f.name.as_str())));
    let windowed: Vec<&str> = d.features.iter().filter(|f| !f.windows.is_empty()).map(|f| f.name.as_str()).take(3).collect();
    if !forecasting && ts.is_none() {
        return vec![];
    }
    let what = if forecasting {
        let h = d.problem.horizon_s.map_or(String::new(), |h| format!(" {} ahead", dur(h)));
        format!("a forecast is judged on the future{h}, but a random split trains on days after the ones it tests")
    } else if let Some((s, f)) = ts {
        format!("`{s}` is time-ordered (`{f}` is its event time): a random split puts later rows in training and earlier ones in test")
    } else {
        String::new()
    };
    let leak = if windowed.is_empty() {
        String::new()
    } else {
        let w: Vec<String> = windowed.iter().map(|w| format!("`{w}`")).collect();
        format!(", and windowed features such as {} are computed over periods that overlap the test rows", w.join(", "))
    };
    let field = ts.map_or("SOURCE.ts".to_string(), |(s, f)| format!("{s}.{f}"));
    vec![cx.finding(
        &RULE,
        split.span,
        format!("the split is random, but the {}", if forecasting { "task is forecasting" } else { "data is time-ordered" }),
        format!("{what}{leak}; offline scores come out better than production will see, because production only ever predicts the future"),
        format!(
            "split by time with the same shares: `split time({field}) train {} validation {} test {}`",
            pct(split.train),
            pct(split.validation),
            pct(split.test)
        ),
    )]
}
