//! The last step: a draft that checked without errors becomes a
//! `Design<Checked>`, the type every backend takes.
//!
//! **Invariant:** the lift only moves values; it decides nothing. Lowering
//! reports E0104 for every required statement that is missing, so on a
//! spec without errors the lift finds them all. Should it not (a checker
//! bug), it reports the same E0104 itself rather than invent a value.

use mlspec_diag::Diagnostic;
use mlspec_ir::{Checked, Design, Draft, Model, Problem};

pub fn lift(d: Design<Draft>) -> Result<Design<Checked>, Vec<Diagnostic>> {
    let mut missing = Vec::new();
    let problem = d.problem.and_then(|p| lift_problem(p, &mut missing));
    if problem.is_none() && missing.is_empty() {
        missing.push(Diagnostic::new("E0104", d.span, "the system has no `problem` block"));
    }
    let models: Vec<Model<Checked>> = d.models.into_iter().filter_map(|m| lift_model(m, &mut missing)).collect();
    match problem {
        Some(problem) if missing.is_empty() => {
            let mut design = Design {
                name: d.name,
                doc: d.doc,
                description: d.description,
                owner: d.owner,
                version: d.version,
                problem,
                constraints: d.constraints,
                metrics: d.metrics,
                cost_matrix: d.cost_matrix,
                sources: d.sources,
                features: d.features,
                feature_store: d.feature_store,
                dataset: d.dataset,
                models,
                servings: d.servings,
                monitors: d.monitors,
                experiments: d.experiments,
                scenarios: d.scenarios,
                span: d.span,
                index: Default::default(),
            };
            design.reindex();
            Ok(design)
        }
        _ => Err(missing),
    }
}

fn lift_problem(p: Problem<Draft>, missing: &mut Vec<Diagnostic>) -> Option<Problem<Checked>> {
    let Problem { objective, task, target, group, positive_rate, positive_rate_span, classes, horizon_s, span } = p;
    for (field, absent) in [("objective", objective.is_none()), ("task", task.is_none())] {
        if absent {
            missing.push(Diagnostic::new("E0104", span, format!("`problem` has no `{field}`")));
        }
    }
    Some(Problem { objective: objective?, task: task?, target, group, positive_rate, positive_rate_span, classes, horizon_s, span })
}

fn lift_model(m: Model<Draft>, missing: &mut Vec<Diagnostic>) -> Option<Model<Checked>> {
    let Some(kind) = m.kind else {
        missing.push(Diagnostic::new("E0104", m.name_span, format!("model `{}` has no `kind`", m.name)));
        return None;
    };
    Some(Model {
        name: m.name,
        doc: m.doc,
        kind,
        kind_span: m.kind_span,
        features: m.features,
        feature_spans: m.feature_spans,
        params: m.params,
        tuning: m.tuning,
        tuning_span: m.tuning_span,
        baseline: m.baseline,
        baseline_span: m.baseline_span,
        rules: m.rules,
        stage: m.stage,
        candidates: m.candidates,
        latency: m.latency,
        span: m.span,
        name_span: m.name_span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mlspec_diag::span::Span;

    #[test]
    fn a_draft_without_a_task_does_not_lift_and_says_why() {
        let mut d = Design::<Draft>::default();
        let mut p = Problem::new(Span::new(3, 10));
        p.objective = Some("x".into());
        d.problem = Some(p);
        let Err(diags) = lift(d) else { panic!("a draft without a task lifted") };
        assert_eq!(diags.iter().map(|d| (d.code, d.message.as_str())).collect::<Vec<_>>(), [("E0104", "`problem` has no `task`")]);
    }

    #[test]
    fn a_draft_without_a_problem_does_not_lift() {
        let Err(diags) = lift(Design::<Draft>::default()) else { panic!("a draft without a problem lifted") };
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].message, "the system has no `problem` block");
    }
}
