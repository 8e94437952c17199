//! Pass 5: rules across blocks: metric and model fit to the task, the
//! primary metric, baselines, splits, rules models, the serving rules
//! (online store, windowed features, staleness, capacity), monitors and
//! experiments.

use super::args::Diags;
use mlspec_diag::Diagnostic;
use mlspec_ir::graph::transitive_reads;
use mlspec_ir::numbers::human_duration;
use mlspec_ir::numbers::round2;
use mlspec_ir::vocab::{family_tasks, metric_family, metric_fits, suggested_metric, ModelKind};
use mlspec_ir::{Design, Draft, Serving, ServingMode};
use std::collections::BTreeSet;

pub fn check(d: &Design<Draft>, diags: &mut Diags) {
    latency_limits(d, diags);
    metrics(d, diags);
    models(d, diags);
    split(d, diags);
    for s in &d.servings {
        serving(d, s, diags);
    }
    monitors(d, diags);
    for e in &d.experiments {
        if e.treatment == e.control {
            diags.push(
                Diagnostic::new("E0410", e.span, format!("the experiment `{}` compares `{}` with itself", e.name, e.treatment))
                    .help("the treatment and the control must be different models"),
            );
        }
    }
}

/// A higher percentile cannot have a tighter limit than a lower one.
fn latency_limits(d: &Design<Draft>, diags: &mut Diags) {
    for hi in &d.constraints.latency {
        if let Some(lo) = d.constraints.latency.iter().find(|lo| lo.percentile < hi.percentile && lo.max_s > hi.max_s) {
            diags.push(
                Diagnostic::new(
                    "E0305",
                    hi.span,
                    format!(
                        "the {} limit ({}) is below the {} limit ({})",
                        hi.label,
                        human_duration(hi.max_s),
                        lo.label,
                        human_duration(lo.max_s)
                    ),
                )
                .label(lo.span, "the lower percentile's limit")
                .help(format!("a {} latency is never below the {}: raise this limit or lower the other", hi.label, lo.label)),
            );
        }
    }
}

fn metrics(d: &Design<Draft>, diags: &mut Diags) {
    let task = d.known_task();
    let mut primary = None;
    for m in &d.metrics {
        if m.primary {
            match primary {
                Some(first) => diags.push(
                    Diagnostic::new("E0402", m.span, format!("`{}` is a second `primary` metric", m.name))
                        .label(first, "the first primary metric")
                        .help("one metric selects the model: keep `primary` on one of them"),
                ),
                None => primary = Some(m.span),
            }
        }
        let (Some(task), Some(family)) = (task, metric_family(&m.base, m.k.is_some())) else {
            continue;
        };
        if !metric_fits(&m.base, family, task) {
            diags.push(Diagnostic::new("E0401", m.span, format!("`{}` does not measure {task}", m.name)).help(format!(
                "`{}` is for {}; for {task} use {}",
                m.name,
                family_tasks(family),
                suggested_metric(task)
            )));
        }
    }
    if let (Some(task), Some(_)) = (task, d.cost_matrix.as_ref()) {
        if !matches!(task, mlspec_ir::vocab::Task::BinaryClassification | mlspec_ir::vocab::Task::AnomalyDetection) {
            if let Some(cm) = &d.cost_matrix {
                diags.push(
                    Diagnostic::new("E0401", cm.span, format!("a `cost_matrix` prices binary decisions, but the task is {task}"))
                        .help("use a cost matrix with binary classification or anomaly detection, or track cost as a `business` metric"),
                );
            }
        }
    }
}

fn models(d: &Design<Draft>, diags: &mut Diags) {
    let task = d.known_task();
    for m in &d.models {
        if let (Some(kind), Some(task)) = (m.kind, task) {
            if !kind.fits(task) {
                let fitting: Vec<&str> = ModelKind::ALL.iter().filter(|k| k.fits(task)).map(|k| k.as_str()).collect();
                diags.push(
                    Diagnostic::new(
                        "E0403",
                        m.kind_span,
                        format!(
                            "{} `{kind}` model cannot do {task}",
                            if kind.as_str().starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
                        ),
                    )
                    .help(format!("for {task} use one of: {}", fitting.join(", "))),
                );
            }
        }
        match m.kind {
            Some(ModelKind::Rules) if m.rules.is_empty() => diags.push(
                Diagnostic::new("E0407", m.name_span, format!("the rules model `{}` has no `rule`", m.name))
                    .help("add one or more `rule EXPR` lines, e.g. `rule amount > 5000`"),
            ),
            Some(k) if k != ModelKind::Rules && !m.rules.is_empty() => diags.push(
                Diagnostic::new("E0407", m.name_span, format!("`rule` lines need `kind rules`, but `{}` is a {k} model", m.name))
                    .help("remove the rules, or make the model `kind rules`"),
            ),
            _ => {}
        }
        if let Some(b) = &m.baseline {
            if *b == m.name {
                diags.push(
                    Diagnostic::new("E0404", m.baseline_span, format!("model `{}` is its own baseline", m.name))
                        .help("the baseline is a simpler model to beat: name another model"),
                );
                continue;
            }
            // Follow the chain; a chain that comes back is a cycle.
            let mut seen = BTreeSet::from([m.name.as_str()]);
            let mut cur = d.model(b);
            while let Some(c) = cur {
                if !seen.insert(c.name.as_str()) {
                    if c.name == m.name {
                        diags.push(
                            Diagnostic::new("E0404", m.baseline_span, format!("baselines form a cycle through `{}`", m.name))
                                .help("baselines must lead to a model without a baseline"),
                        );
                    }
                    break;
                }
                cur = c.baseline.as_deref().and_then(|n| d.model(n));
            }
        }
    }
}

fn split(d: &Design<Draft>, diags: &mut Diags) {
    let Some(s) = d.dataset.as_ref().and_then(|ds| ds.split.as_ref()) else {
        return;
    };
    let total = s.train + s.validation + s.test;
    if (total - 1.0).abs() > 1e-6 {
        diags.push(
            Diagnostic::new("E0405", s.span, format!("the split shares add up to {}%, not 100%", round2(total * 100.0)))
                .help("make train, validation and test sum to 100%, e.g. `train 80% validation 10% test 10%`"),
        );
    }
}

fn serving(d: &Design<Draft>, s: &Serving, diags: &mut Diags) {
    let online_store = d.feature_store.as_ref().and_then(|fs| fs.online.as_ref());
    for st in &s.stages {
        if st.feature_store_online && online_store.is_none() {
            diags.push(
                Diagnostic::new("E0408", st.span, format!("stage `{}` reads the online feature store, but none is declared", st.name))
                    .help("declare one: `feature_store { online redis ttl 1d }`"),
            );
        }
    }
    if s.mode != Some(ServingMode::Realtime) {
        return;
    }
    let (_, _, windows) = transitive_reads(d, mlspec_ir::facts::serving_features(d, s));
    if online_store.is_none() {
        // Name the feature that holds the window, not just the function.
        let windowed =
            d.features.iter().find(|f| !f.windows.is_empty() && windows.iter().any(|w| f.windows.iter().any(|x| std::ptr::eq(x, *w))));
        if let (Some(w), Some(f)) = (windows.first(), windowed) {
            diags.push(
                Diagnostic::new(
                    "E0409",
                    s.name_span,
                    format!(
                        "realtime serving `{}` needs the windowed feature `{}` (`{}` over a window) but there is no online store",
                        s.name, f.name, w.func
                    ),
                )
                .label(f.name_span, "aggregates over a window")
                .help("window aggregations are precomputed: declare `feature_store { online redis }` and read it in a stage"),
            );
        }
    }
    // Staleness against `constraints freshness`, per source where declared.
    for st in mlspec_ir::facts::stale_sources(d, s) {
        let (src, fresh, limit) = (st.source, st.freshness_s, st.limit_s);
        let relax = if st.per_source {
            format!("relax `freshness {} {}` in `constraints`", src.name, human_duration(limit))
        } else {
            "relax `constraints freshness`".to_string()
        };
        diags.push(
            Diagnostic::new(
                "W0101",
                s.name_span,
                format!(
                    "realtime serving `{}` reads source `{}`, refreshed every {}, staler than {}",
                    s.name,
                    src.name,
                    human_duration(fresh),
                    st.budget_phrase()
                ),
            )
            .label(src.name_span, "this source")
            .help(format!(
                "refresh `{}` at least every {} (`freshness {}`), or {relax}",
                src.name,
                human_duration(limit),
                human_duration(limit)
            )),
        );
    }
    capacity(d, s, diags);
}

fn capacity(d: &Design<Draft>, s: &Serving, diags: &mut Diags) {
    let Some(need) = d.constraints.throughput_rps else {
        return;
    };
    // Stages known only from an empirical file: the simulator decides.
    let Some(c) = mlspec_ir::facts::serving_capacity(d, s) else {
        return;
    };
    if c.rps < need {
        diags.push(
            Diagnostic::new(
                "W0102",
                s.name_span,
                format!("serving `{}` can handle about {} rps, below the required {} rps", s.name, round2(c.rps), round2(need)),
            )
            .help(format!(
                "{} replicas x {} concurrency / {} ms per request = {} rps; raise replicas to at least {} or cut stage latency",
                c.replicas,
                c.concurrency,
                round2(c.per_request_s * 1000.0),
                round2(c.rps),
                c.replicas_for(need, 1.0)
            )),
        );
    }
}

fn monitors(d: &Design<Draft>, diags: &mut Diags) {
    for b in mlspec_ir::facts::blind_performance_monitors(d) {
        diags.push(
            Diagnostic::new(
                "W0103",
                b.monitor.span,
                format!(
                    "labels arrive after {}, longer than the {} window of this `{}` monitor",
                    human_duration(b.delay_s),
                    human_duration(b.window_s),
                    b.metric
                ),
            )
            .help(format!(
                "use a window of at least {} so labelled outcomes fall inside it, or add a proxy monitor",
                human_duration(b.delay_s)
            )),
        );
    }
}
