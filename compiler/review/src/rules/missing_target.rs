use super::{problem_span, supervised, Rule};
use crate::{Ctx, Finding, Severity, Step};
use mlspec_ir::vocab::Task;

pub const RULE: Rule = Rule {
    id: "missing-target",
    step: Step::Requirements,
    severity: Severity::Critical,
    triggers: "a supervised task (everything but clustering and anomaly detection) has no `target`",
    question: "What exactly is the label, where does it come from, and how long after the prediction do you know it?",
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let task = d.task();
    if !supervised(task) || d.problem.target.is_some() {
        return vec![];
    }
    let label = d.sources.iter().find_map(|s| s.fields.iter().find(|f| f.label).map(|f| format!("{}.{}", s.name, f.name)));
    let fix = match &label {
        Some(l) => format!("name the label the models learn: `target {l}` in `problem`"),
        None => {
            let ty = match task {
                Task::Regression | Task::Forecasting => "float",
                Task::MulticlassClassification => "category",
                _ => "bool",
            };
            format!("add the outcome to a source's schema and name it: `outcome: {ty} label delay 7d` in the schema, `target SOURCE.outcome` in `problem`")
        }
    };
    vec![cx.finding(&RULE, problem_span(d),
        format!("the problem is {task} but names no `target`"),
        format!(
            "{task} learns from labelled outcomes: without a target there is nothing to train on, no offline metric can be computed, and the label's delay, which decides how monitoring works, is unknown"
        ),
        fix,
    )]
}
