//! Pass 4: references outside feature expressions: the target, the
//! sources of per-source freshness budgets, schema
//! `references`, dataset fields, model features and baselines, serving
//! stages and fallbacks, monitor features and metrics, experiment models
//! and metrics, scenario fields and stages.

use super::args::Diags;
use super::features::{unknown_field, unknown_source};
use mlspec_diag::span::Span;
use mlspec_diag::Diagnostic;
use mlspec_ir::vocab::did_you_mean;
use mlspec_ir::{Design, Draft, FieldRef, FieldType, MonitorKind, ScenarioEvent, SplitStrategy};

pub fn check(d: &Design<Draft>, diags: &mut Diags) {
    if let Some(t) = d.problem.as_ref().and_then(|p| p.target.as_ref()) {
        if let Some(r) = field(d, t, diags) {
            if d.field(&r).is_some_and(|f| !f.label) {
                let f = d.field(&r);
                let mut diag = Diagnostic::new("E0318", t.span, format!("the target `{t}` is not a `label` field"))
                    .help(format!("mark it as the label in its schema: `{}: ... label`", t.field));
                if let Some(f) = f {
                    diag = diag.label(f.span, "declared here without `label`");
                }
                diags.push(diag);
            }
        }
    }
    for b in &d.constraints.source_freshness {
        if d.source(&b.source).is_none() {
            diags.push(unknown_source(d, &b.source, b.span));
        }
    }
    for s in &d.sources {
        for f in &s.fields {
            if let Some(r) = &f.references {
                field(d, r, diags);
            }
        }
    }
    if let Some(ds) = &d.dataset {
        if let Some(split) = &ds.split {
            match &split.strategy {
                SplitStrategy::Time(r) => {
                    if let Some(f) = field(d, r, diags).and_then(|r| d.field(&r)) {
                        if !matches!(f.ty, FieldType::Timestamp | FieldType::Date) {
                            diags.push(
                                Diagnostic::new(
                                    "E0406",
                                    r.span,
                                    format!("`time({r})` needs a timestamp, but `{}` is a {}", r.field, f.ty.name()),
                                )
                                .label(f.span, "declared here")
                                .help("split on the event time, a `timestamp` or `date` field"),
                            );
                        }
                    }
                }
                SplitStrategy::Group(r) => {
                    field(d, r, diags);
                }
                SplitStrategy::Random => {}
            }
        }
        if let Some(dd) = &ds.dedupe {
            if !d.sources.iter().any(|s| s.field(dd).is_some()) {
                let all: Vec<&str> = d.sources.iter().flat_map(|s| s.fields.iter().map(|f| f.name.as_str())).collect();
                let diag = Diagnostic::new("E0204", ds.dedupe_span, format!("`dedupe {dd}`: no source has a field `{dd}`"));
                diags.push(match did_you_mean(dd, all.iter().copied()) {
                    Some(n) => diag.did_you_mean(n),
                    None => diag.help("dedupe on a key field of the training source"),
                });
            }
        }
    }
    let feature_names: Vec<&str> = d.features.iter().map(|f| f.name.as_str()).collect();
    let model_names: Vec<&str> = d.models.iter().map(|m| m.name.as_str()).collect();
    for m in &d.models {
        for (i, f) in m.features.iter().enumerate() {
            if d.feature(f).is_none() {
                let span = m.feature_spans.get(i).copied().unwrap_or(m.name_span);
                diags.push(unknown("feature", f, span, &feature_names, "declare it in `features`"));
            }
        }
        if let Some(b) = &m.baseline {
            if d.model(b).is_none() {
                diags.push(unknown("model", b, m.baseline_span, &model_names, "declare the baseline with `model NAME { ... }`"));
            }
        }
        if let Some(metric) = m.tuning.as_ref().and_then(|t| t.metric.as_ref()) {
            metric_ref(d, metric, m.tuning_span, "offline", diags);
            if d.metrics.iter().any(|x| x.name == *metric && x.scope != mlspec_ir::Scope::Offline) {
                diags.push(
                    Diagnostic::new("E0401", m.tuning_span, format!("tuning needs an offline metric, but `{metric}` is tracked online"))
                        .help("tune on a metric computed on held-out data, such as the primary offline metric"),
                );
            }
        }
    }
    let stage_names: Vec<&str> = d.servings.iter().flat_map(|s| s.stages.iter().map(|st| st.name.as_str())).collect();
    for s in &d.servings {
        for st in &s.stages {
            if let Some(m) = &st.model {
                if d.model(m).is_none() {
                    diags.push(unknown("model", m, st.model_span, &model_names, "a `model` stage names a declared model"));
                }
            }
        }
        if let Some((_, fb)) = &s.timeout {
            if d.model(fb).is_none() {
                diags.push(unknown("model", fb, s.timeout_span, &model_names, "the fallback must be a declared model"));
            }
        }
    }
    for mon in &d.monitors {
        match &mon.kind {
            MonitorKind::Drift { feature, .. } if d.feature(feature).is_none() => {
                diags.push(unknown("feature", feature, mon.span, &feature_names, "monitor a declared feature"));
            }
            MonitorKind::Performance { metric, .. } => metric_ref(d, metric, mon.span, "offline", diags),
            _ => {}
        }
    }
    for e in &d.experiments {
        for m in [&e.treatment, &e.control] {
            if d.model(m).is_none() {
                diags.push(unknown("model", m, e.span, &model_names, "an experiment compares declared models"));
            }
        }
        metric_ref(d, &e.metric, e.span, "online", diags);
    }
    for sc in &d.scenarios {
        for ev in &sc.events {
            match ev {
                ScenarioEvent::Shift { field: r, .. } => {
                    if let Some(f) = field(d, r, diags).and_then(|r| d.field(&r)) {
                        if !matches!(f.ty, FieldType::Int | FieldType::Float | FieldType::Unknown) {
                            diags.push(
                                Diagnostic::new("E0301", r.span, format!("`shift` moves a number, but `{r}` is a {}", f.ty.name()))
                                    .help("change the shares of a category with `mix { VALUE: P, ... }` instead"),
                            );
                        }
                    }
                }
                ScenarioEvent::Mix { field: r, weights, .. } => {
                    if let Some(f) = field(d, r, diags).and_then(|r| d.field(&r)) {
                        for (value, _) in weights {
                            if !f.values.is_empty() && !f.values.contains(value) {
                                let mut diag = crate::args::unknown_value(
                                    &format!("value of `{r}`"),
                                    value,
                                    r.span,
                                    f.values.iter().map(String::as_str),
                                );
                                diag = diag.label(f.span, "its `values` are declared here");
                                diags.push(diag);
                            }
                        }
                    }
                }
                ScenarioEvent::PriorShift { field: r, .. } => {
                    if let Some(f) = field(d, r, diags).and_then(|r| d.field(&r)) {
                        if !f.label {
                            diags.push(
                                Diagnostic::new(
                                    "E0318",
                                    r.span,
                                    format!("`prior_shift` changes the label rate, but `{r}` is not a `label` field"),
                                )
                                .help("name the label field, the one the problem's `target` names"),
                            );
                        }
                    }
                }
                ScenarioEvent::Outage { stage, span, .. } if !stage_names.contains(&stage.as_str()) => {
                    diags.push(unknown("stage", stage, *span, &stage_names, "an outage names a stage of a serving"));
                }
                _ => {}
            }
        }
    }
}

/// Resolves `r` to a declared source's field, else E0203/E0204 with "did you mean".
pub fn field(d: &Design<Draft>, r: &FieldRef, diags: &mut Diags) -> Option<FieldRef> {
    let dot = r.span.start + r.source.len();
    unknown_field(d, &r.source, Span::new(r.span.start, dot), &r.field, Span::new(dot + 1, r.span.end), diags)
}

fn unknown(what: &str, name: &str, span: Span, names: &[&str], fallback: &str) -> Diagnostic {
    let code = match what {
        "feature" => "E0205",
        "model" => "E0206",
        "stage" => "E0207",
        _ => "E0208",
    };
    let d = Diagnostic::new(code, span, format!("unknown {what} `{name}`"));
    match did_you_mean(name, names.iter().copied()) {
        Some(n) => d.did_you_mean(n),
        None => d.help(fallback.to_string()),
    }
}

/// A metric named by a monitor, experiment or tuning must be declared.
/// `scope` is how the help suggests declaring it (`offline` for tuning).
fn metric_ref(d: &Design<Draft>, metric: &str, span: Span, scope: &str, diags: &mut Diags) {
    if d.metrics.iter().any(|m| m.name == metric) {
        return;
    }
    let names: Vec<&str> = d.metrics.iter().map(|m| m.name.as_str()).collect();
    let (base, at_k) = match metric.split_once('@') {
        Some((b, _)) => (b, true),
        None => (metric, false),
    };
    if mlspec_ir::vocab::metric_family(base, at_k).is_some() && did_you_mean(metric, names.iter().copied()).is_none() {
        diags.push(
            Diagnostic::new("E0208", span, format!("the metric `{metric}` is not declared in `metrics`"))
                .help(format!("declare it, e.g. `{metric} {scope}` in `metrics`")),
        );
        return;
    }
    diags.push(unknown("metric", metric, span, &names, &format!("declare it in `metrics`, e.g. `{metric} {scope}`")));
}
