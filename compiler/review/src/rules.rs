//! The review's rules: one function per finding id, each reading the design
//! and returning the findings it makes. The ids and what triggers them are
//! documented in `docs/review.md`; `tests/review/` holds, per rule, a spec
//! that triggers it and a close one that does not.

use super::stats::two_proportion_n;
use super::{Ctx, Finding, Severity, Step};
use mlspec_ir::facts;
use mlspec_ir::numbers::{count, dur, money, ms, num, pct};
use mlspec_ir::vocab::{ModelKind, Task};
use mlspec_ir::{Cmp, Design, FeatureExpr, Metric, Model, MonitorKind, Scope, Serving, ServingMode, SplitStrategy};
use std::collections::BTreeSet;

type Rule = fn(&Ctx<'_>) -> Vec<Finding>;

/// Every rule, with its id, in the order of the framework.
pub const RULES: &[(&str, Rule)] = &[
    ("missing-target", missing_target),
    ("no-business-metric", no_business_metric),
    ("no-online-metric", no_online_metric),
    ("accuracy-on-imbalanced", accuracy_on_imbalanced),
    ("pii-raw-feature", pii_raw_feature),
    ("stale-feature-realtime", stale_feature_realtime),
    ("no-baseline", no_baseline),
    ("tuning-metric-mismatch", tuning_metric_mismatch),
    ("random-split-temporal", random_split_temporal),
    ("imbalance-unhandled", imbalance_unhandled),
    ("slo-infeasible", slo_infeasible),
    ("capacity-short", capacity_short),
    ("no-fallback", no_fallback),
    ("timeout-exceeds-slo", timeout_exceeds_slo),
    ("single-replica", single_replica),
    ("over-budget", over_budget),
    ("no-drift-monitor", no_drift_monitor),
    ("no-performance-monitor", no_performance_monitor),
    ("label-delay-exceeds-window", label_delay_exceeds_window),
    ("no-retraining", no_retraining),
    ("unrouted-monitor", unrouted_monitor),
    ("underpowered-experiment", underpowered_experiment),
    ("experiment-too-short", experiment_too_short),
    ("no-experiment", no_experiment),
];

pub fn run(cx: &Ctx<'_>) -> Vec<Finding> {
    RULES.iter().flat_map(|(_, rule)| rule(cx)).collect()
}

/// Positives rarer than this make accuracy meaningless and need imbalance handling.
pub const RARE_POSITIVES: f64 = 0.10;
/// Utilisation a serving should be sized for at peak (queues grow fast above it).
pub const TARGET_UTILISATION: f64 = 0.7;
/// Hours in a month, for instance costs against a monthly budget.
pub const HOURS_PER_MONTH: f64 = 730.0;

fn supervised(task: Task) -> bool {
    !matches!(task, Task::Clustering | Task::AnomalyDetection)
}

fn is_classification(task: Task) -> bool {
    matches!(task, Task::BinaryClassification | Task::MulticlassClassification | Task::AnomalyDetection)
}

fn positive_rate(d: &Design) -> Option<f64> {
    d.problem.as_ref().and_then(|p| p.positive_rate)
}

fn problem_span(d: &Design) -> mlspec_diag::span::Span {
    d.problem.as_ref().map_or(d.span, |p| p.span)
}

fn learned(kind: Option<ModelKind>) -> bool {
    !matches!(kind, Some(ModelKind::Rules | ModelKind::Heuristic) | None)
}

fn complex(kind: Option<ModelKind>) -> bool {
    matches!(
        kind,
        Some(
            ModelKind::RandomForest
                | ModelKind::GradientBoosting
                | ModelKind::NeuralNetwork
                | ModelKind::Transformer
                | ModelKind::TwoTower
                | ModelKind::MatrixFactorization
        )
    )
}

fn primary_metric(d: &Design) -> Option<&Metric> {
    d.metrics.iter().find(|m| m.primary).or_else(|| d.metrics.iter().find(|m| m.scope == Scope::Offline && m.threshold.is_some()))
}

/// The simplest model of the spec, for fallbacks and baselines.
fn simplest_model(d: &Design) -> Option<&Model> {
    let rank = |m: &&Model| match m.kind {
        Some(ModelKind::Rules | ModelKind::Heuristic) => 0,
        Some(ModelKind::LogisticRegression | ModelKind::LinearRegression | ModelKind::DecisionTree) => 1,
        _ => 9,
    };
    d.models.iter().filter(|m| rank(m) < 9).min_by_key(rank)
}

fn realtime(s: &Serving) -> bool {
    s.mode == Some(ServingMode::Realtime)
}

fn monitors_span(d: &Design) -> mlspec_diag::span::Span {
    d.monitors.first().map_or(d.span, |m| m.span)
}

// ---- requirements -------------------------------------------------------

fn missing_target(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let Some(task) = d.task() else { return vec![] };
    if !supervised(task) || d.problem.as_ref().is_some_and(|p| p.target.is_some()) {
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
    vec![cx.finding(
        "missing-target",
        Severity::Critical,
        Step::Requirements,
        problem_span(d),
        format!("the problem is {task} but names no `target`"),
        format!(
            "{task} learns from labelled outcomes: without a target there is nothing to train on, no offline metric can be computed, and the label's delay, which decides how monitoring works, is unknown"
        ),
        fix,
    )]
}

// ---- metrics ------------------------------------------------------------

fn business_suggestion(task: Option<Task>) -> &'static str {
    match task {
        Some(Task::Ranking | Task::Recommendation) => "revenue_per_session business",
        Some(Task::Forecasting) => "inventory_cost business",
        Some(Task::Regression) => "cost_of_error business",
        _ => "losses_prevented business",
    }
}

fn no_business_metric(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    if d.problem.is_none() || d.metrics.iter().any(|m| m.scope == Scope::Business) {
        return vec![];
    }
    let objective = d.problem.as_ref().and_then(|p| p.objective.as_deref()).unwrap_or("the objective");
    let span = d.metrics.first().map_or(problem_span(d), |m| m.span);
    vec![cx.finding(
        "no-business-metric",
        Severity::Warning,
        Step::Metrics,
        span,
        "no `business` metric ties the model to the objective".to_string(),
        format!(
            "the objective is \"{objective}\", but no metric says how the business will measure it; a model that improves {} without moving a business number is hard to defend and easy to cancel",
            primary_metric(d).map_or("offline metrics".to_string(), |m| format!("`{}`", m.name))
        ),
        format!("track the outcome the objective names, e.g. `{}` in `metrics`", business_suggestion(d.task())),
    )]
}

fn online_suggestion(task: Option<Task>) -> &'static str {
    match task {
        Some(Task::Ranking | Task::Recommendation) => "ctr >= 5% online",
        Some(Task::Forecasting) => "stockout_rate <= 2% online",
        Some(Task::Regression) => "mae <= 5 online",
        _ => "false_positive_rate <= 1% online",
    }
}

fn no_online_metric(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    if d.problem.is_none() || d.metrics.iter().any(|m| m.scope == Scope::Online) {
        return vec![];
    }
    let span = d.metrics.first().map_or(problem_span(d), |m| m.span);
    let exp = if d.experiments.is_empty() { String::new() } else { " and the A/B test has nothing to read".to_string() };
    vec![cx.finding(
        "no-online-metric",
        Severity::Warning,
        Step::Metrics,
        span,
        "no `online` metric says how the model does in production".to_string(),
        format!(
            "offline metrics are measured on historical labels; once the model changes what users see, only an online metric shows whether it helps{exp}"
        ),
        format!("add one measured on live traffic, e.g. `{}`", online_suggestion(d.task())),
    )]
}

fn accuracy_on_imbalanced(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let Some(task) = d.task() else { return vec![] };
    if !is_classification(task) {
        return vec![];
    }
    let rate = match (positive_rate(d), task) {
        (Some(p), _) if p < RARE_POSITIVES => p,
        (None, Task::AnomalyDetection) => 0.01,
        _ => return vec![],
    };
    let quality: Vec<&Metric> = d.metrics.iter().filter(|m| m.scope == Scope::Offline && m.name != "false_positive_rate").collect();
    let Some(acc) = d.metrics.iter().find(|m| m.name == "accuracy") else { return vec![] };
    let only = acc.scope == Scope::Offline && quality.iter().all(|m| m.name == "accuracy");
    if !acc.primary && !only {
        return vec![];
    }
    let stated = if positive_rate(d).is_some() { "" } else { " (anomalies are rare; 1% assumed)" };
    vec![cx.finding(
        "accuracy-on-imbalanced",
        Severity::Critical,
        Step::Metrics,
        acc.span,
        format!("`accuracy` is the {} metric, but positives are {}{stated}", if acc.primary { "primary" } else { "only quality" }, pct(rate)),
        format!(
            "a model that always predicts the negative class scores {} accuracy while catching no positive at all{}; accuracy cannot tell a useful model from a useless one here",
            pct(1.0 - rate),
            acc.threshold
                .filter(|(_, v)| 1.0 - rate >= *v)
                .map_or(String::new(), |(_, v)| format!(", which already passes `accuracy >= {}`", num(v)))
        ),
        "select models on a metric that weighs the rare class: `auc_pr >= 0.5 offline primary`, with `recall` and `precision` at the operating point (and a `cost_matrix` if errors have prices)".to_string(),
    )
    .ask(format!(
        "With {} positives, a model that never flags anything scores {} accuracy. Which metric would you select models on instead, and at what operating point?",
        pct(rate),
        pct(1.0 - rate)
    ))]
}

// ---- data and features ----------------------------------------------------

/// Functions whose output does not expose the raw value of their input.
const PROTECTING: &[&str] = &["hash", "embedding", "count", "sum", "mean", "min", "max", "distinct_count", "distance", "bucketize"];

/// The pii fields an expression reads as they are (outside hashing or
/// aggregation), following other features it reads unprotected.
fn raw_pii<'d>(d: &'d Design, e: &'d FeatureExpr, depth: usize, out: &mut Vec<(String, String)>) {
    if depth > 64 {
        return;
    }
    match e {
        FeatureExpr::Field { source, field } if d.source(source).and_then(|s| s.field(field)).is_some_and(|f| f.pii) => {
            let pair = (source.clone(), field.clone());
            if !out.contains(&pair) {
                out.push(pair);
            }
        }
        FeatureExpr::Feature { name } => {
            if let Some(f) = d.feature(name) {
                raw_pii(d, &f.expr, depth + 1, out);
            }
        }
        FeatureExpr::Call { func, args, named } => {
            if PROTECTING.contains(&func.as_str()) {
                return;
            }
            args.iter().for_each(|a| raw_pii(d, a, depth + 1, out));
            named.values().for_each(|a| raw_pii(d, a, depth + 1, out));
        }
        FeatureExpr::Unary { arg, .. } => raw_pii(d, arg, depth + 1, out),
        // A comparison yields one bit, not the value.
        FeatureExpr::Binary { op, .. } if matches!(op.as_str(), "<" | "<=" | ">" | ">=" | "==" | "!=") => {}
        FeatureExpr::Binary { left, right, .. } => {
            raw_pii(d, left, depth + 1, out);
            raw_pii(d, right, depth + 1, out);
        }
        FeatureExpr::List { items } => items.iter().for_each(|a| raw_pii(d, a, depth + 1, out)),
        _ => {}
    }
}

fn pii_raw_feature(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let mut out = Vec::new();
    for f in &d.features {
        let users: Vec<&str> = d.models.iter().filter(|m| m.features.contains(&f.name)).map(|m| m.name.as_str()).collect();
        let mut rule_users = Vec::new();
        for m in &d.models {
            let mut names = Vec::new();
            m.rules.iter().for_each(|r| r.feature_names(&mut names));
            if names.contains(&f.name.as_str()) {
                rule_users.push(m.name.as_str());
            }
        }
        if users.is_empty() && rule_users.is_empty() {
            continue;
        }
        let mut raw = Vec::new();
        raw_pii(d, &f.expr, 0, &mut raw);
        let Some((source, field)) = raw.first() else { continue };
        let models: Vec<String> = users.iter().chain(rule_users.iter()).map(|m| format!("`{m}`")).collect();
        out.push(cx.finding(
            "pii-raw-feature",
            Severity::Critical,
            Step::Features,
            f.span,
            format!("feature `{}` passes the pii field `{source}.{field}` to {} as it is", f.name, models.join(", ")),
            format!(
                "`{source}.{field}` is marked `pii`: used raw, personal data ends up in training sets, model files and feature-store rows that need consent, retention limits and deletion on request, and identifying values let the model memorise individuals instead of patterns"
            ),
            format!(
                "hash it or aggregate over it, e.g. `{} = hash({source}.{field}, buckets: 100000)`, or a windowed count/mean `by: {field}`; drop it if it carries no signal",
                f.name
            ),
        )
        .ask(format!(
            "`{}` feeds `{source}.{field}`, personal data, to the model as it is. Do you need the raw value, and what happens to the model and the feature store when a user asks to be deleted?",
            f.name
        )));
    }
    out
}

fn stale_feature_realtime(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let mut out = Vec::new();
    for s in &d.servings {
        for st in facts::stale_sources(d, s) {
            let feats: Vec<String> = st.features.iter().map(|f| format!("`{f}`")).collect();
            out.push(cx.finding(
                "stale-feature-realtime",
                Severity::Warning,
                Step::Features,
                st.source.name_span,
                format!(
                    "realtime serving `{}` reads `{}` (refreshed every {}) through {}, staler than the freshness constraint of {}",
                    s.name,
                    st.source.name,
                    dur(st.freshness_s),
                    if feats.is_empty() { "its features".to_string() } else { feats.join(", ") },
                    dur(st.limit_s)
                ),
                format!(
                    "a request can be scored with data up to {} old, {}× the {} the constraint allows; events since the last refresh are invisible to the model online although training saw them in full",
                    dur(st.freshness_s),
                    num(st.freshness_s / st.limit_s.max(1e-9)),
                    dur(st.limit_s)
                ),
                format!(
                    "refresh the source at least as often as the constraint (`freshness {}` in `source {}`), stream it into the online store, or relax `constraints freshness` if the staleness is acceptable",
                    dur(st.limit_s),
                    st.source.name
                ),
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

// ---- model ----------------------------------------------------------------

fn baseline_kind(task: Option<Task>) -> &'static str {
    match task {
        Some(Task::Regression) => "linear_regression",
        Some(Task::Forecasting | Task::Ranking | Task::Recommendation) => "heuristic",
        _ => "logistic_regression",
    }
}

fn no_baseline(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let any_baseline = d.models.iter().any(|m| m.baseline.is_some());
    let mut out = Vec::new();
    for m in &d.models {
        if !complex(m.kind) || m.baseline.is_some() {
            continue;
        }
        // A candidate generator is judged with the ranker it feeds.
        if m.stage.as_deref() == Some("retrieval") && any_baseline {
            continue;
        }
        let kind = m.kind.map_or("", |k| k.as_str());
        let est = d.servings.iter().find(|s| s.stages.iter().any(|st| st.model.as_deref() == Some(m.name.as_str())));
        let cost = est
            .and_then(|s| s.stages.iter().find(|st| st.model.as_deref() == Some(m.name.as_str())).map(|st| (s, st)))
            .and_then(|(s, st)| mlspec_ir::cost::typical_s(&mlspec_ir::cost::stage_service(d, s, st)))
            .map_or(String::new(), |t| format!(" and {} per request", ms(t)));
        let existing = simplest_model(d).filter(|b| b.name != m.name);
        let fix = match existing {
            Some(b) => {
                format!("`{}` is already in the spec: add `baseline {}` to model `{}` and report the lift over it", b.name, b.name, m.name)
            }
            None => {
                let feats: Vec<&str> = m.features.iter().take(4).map(String::as_str).collect();
                format!(
                    "start from a simple model and make `{}` beat it:\n  model {}_baseline {{\n    kind {}\n    features [{}]\n  }}\nthen `baseline {}_baseline` in model `{}`",
                    m.name,
                    m.name,
                    baseline_kind(d.task()),
                    feats.join(", "),
                    m.name,
                    m.name
                )
            }
        };
        out.push(cx.finding(
            "no-baseline",
            Severity::Warning,
            Step::Model,
            m.name_span,
            format!("model `{}` ({kind}) has no simpler baseline to beat", m.name),
            format!(
                "without a baseline there is no evidence that the complexity pays for itself: a {kind} model costs training time{cost}, and is harder to debug and explain; a logistic regression or a heuristic often gets most of the way"
            ),
            fix,
        ));
    }
    out
}

fn tuning_metric_mismatch(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let Some(primary) = d.metrics.iter().find(|m| m.primary) else { return vec![] };
    let mut out = Vec::new();
    for m in &d.models {
        let Some(metric) = m.tuning.as_ref().and_then(|t| t.metric.as_deref()) else { continue };
        if metric == primary.name {
            continue;
        }
        out.push(cx.finding(
            "tuning-metric-mismatch",
            Severity::Info,
            Step::Model,
            m.tuning_span,
            format!("model `{}` is tuned on `{metric}`, but the primary metric is `{}`", m.name, primary.name),
            format!(
                "hyperparameters chosen for `{metric}` are not the ones that maximise `{}`, the metric that selects the model; the two can disagree (a ranking metric against a calibration metric, recall against precision)",
                primary.name
            ),
            format!("tune on the primary metric (`metric {}` in `tuning`), or make `{metric}` the primary if it is what matters", primary.name),
        ));
    }
    out
}

// ---- training and evaluation ------------------------------------------------

fn random_split_temporal(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let Some(split) = d.dataset.as_ref().and_then(|ds| ds.split.as_ref()) else { return vec![] };
    if !matches!(split.strategy, SplitStrategy::Random) {
        return vec![];
    }
    let forecasting = d.task() == Some(Task::Forecasting);
    let target_src = d.problem.as_ref().and_then(|p| p.target.as_ref()).and_then(|t| d.source(&t.source));
    let ts = target_src.and_then(|s| s.event_time().map(|f| (s.name.as_str(), f.name.as_str())));
    let windowed: Vec<&str> = d.features.iter().filter(|f| !f.windows.is_empty()).map(|f| f.name.as_str()).take(3).collect();
    if !forecasting && ts.is_none() {
        return vec![];
    }
    let what = if forecasting {
        let h = d.problem.as_ref().and_then(|p| p.horizon_s).map_or(String::new(), |h| format!(" {} ahead", dur(h)));
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
        "random-split-temporal",
        Severity::Critical,
        Step::Training,
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

fn imbalance_unhandled(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let Some(task) = d.task() else { return vec![] };
    if !matches!(task, Task::BinaryClassification | Task::AnomalyDetection) {
        return vec![];
    }
    let Some(rate) = positive_rate(d).filter(|p| *p < RARE_POSITIVES) else { return vec![] };
    // Without a target (unsupervised anomaly detection) there are no labels to balance.
    let has_target = d.problem.as_ref().is_some_and(|p| p.target.is_some());
    if !has_target || d.dataset.as_ref().is_some_and(|ds| ds.imbalance.is_some()) || !d.models.iter().any(|m| learned(m.kind)) {
        return vec![];
    }
    let span = d.dataset.as_ref().map_or(problem_span(d), |ds| ds.span);
    vec![cx.finding(
        "imbalance-unhandled",
        Severity::Warning,
        Step::Training,
        span,
        format!("positives are {} of examples and the dataset does not handle the imbalance", pct(rate)),
        format!(
            "with {} positives per million examples an unweighted loss is dominated by the {} negatives: the model learns to predict the majority class, and probability thresholds tuned on balanced intuition are off",
            count(rate * 1e6),
            count((1.0 - rate) * 1e6)
        ),
        "declare how training treats the rare class: `imbalance class_weight` in `dataset` (or `undersample(0.1)` when negatives are plentiful, re-calibrating afterwards)".to_string(),
    )]
}

// ---- serving ----------------------------------------------------------------

/// `gateway 1 ms + lookup 2 ms + score 0.06 ms (estimated: ...)`.
pub(super) fn stage_breakdown(d: &Design, s: &Serving) -> String {
    let parts: Vec<String> = s
        .stages
        .iter()
        .map(|st| {
            let svc = mlspec_ir::cost::stage_service(d, s, st);
            let t = mlspec_ir::cost::typical_s(&svc).map_or("?".to_string(), ms);
            match svc.basis {
                mlspec_ir::cost::Basis::CostModel(how) => format!("{} {t} (estimated: {how})", st.name),
                _ => format!("{} {t}", st.name),
            }
        })
        .collect();
    parts.join(" + ")
}

fn slo_infeasible(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let mut out = Vec::new();
    for s in d.servings.iter().filter(|s| realtime(s)) {
        let Some(path) = mlspec_ir::cost::path_typical_s(d, s) else { continue };
        let Some(limit) = d.constraints.latency.iter().filter(|l| l.max_s < path).min_by(|a, b| a.max_s.total_cmp(&b.max_s)) else {
            continue;
        };
        out.push(cx.finding(
            "slo-infeasible",
            Severity::Critical,
            Step::Serving,
            limit.span,
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

/// The peak a serving must handle: the throughput constraint, or a
/// scenario's peak (its daily cosine and bursts, as the simulator runs it)
/// when that is higher.
pub(super) fn required_rps(d: &Design) -> Option<(f64, String)> {
    let stated = d.constraints.throughput_rps.map(|r| (r, format!("the throughput constraint of {} rps", count(r))));
    let scenario = d
        .scenarios
        .iter()
        .filter_map(|sc| {
            let t = sc.traffic.as_ref()?;
            let traffic = mlspec_ir::traffic::Traffic::of(Some(sc), t.rate_rps);
            let horizon = sc.duration_s.unwrap_or_else(|| mlspec_ir::traffic::expected_requests(sc, t.rate_rps) / t.rate_rps);
            let peak = traffic.peak_rate(horizon);
            let daily = t.rate_rps * t.diurnal.map_or(1.0, |(p, _)| p);
            let when = if peak > daily * 1.0001 {
                let burst = traffic.bursts.iter().map(|b| b.0).fold(1.0, f64::max);
                format!(" during its {}x burst", num(burst))
            } else if t.diurnal.is_some() {
                " at its daily peak".to_string()
            } else {
                String::new()
            };
            Some((peak, format!("the peak of scenario `{}` ({} rps{when})", sc.name, count(peak.round()))))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let need = match (stated, scenario) {
        (Some(a), Some(b)) => Some(if b.0 > a.0 { b } else { a }),
        (a, b) => a.or(b),
    };
    need.filter(|(r, _)| r.is_finite() && *r > 0.0)
}

fn capacity_short(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let Some((need, why_need)) = required_rps(d) else { return vec![] };
    let mut out = Vec::new();
    for s in d.servings.iter().filter(|s| realtime(s)) {
        let Some(c) = facts::serving_capacity(d, s) else { continue };
        if c.rps >= need {
            continue;
        }
        let at_target = c.replicas_for(need, TARGET_UTILISATION);
        // Keep two replicas at the floor under an availability constraint.
        let floor = if d.constraints.availability.is_some() { s.replicas.0.max(2) } else { s.replicas.0 };
        let lo = floor.min(at_target);
        out.push(cx.finding(
            "capacity-short",
            Severity::Critical,
            Step::Serving,
            s.name_span,
            format!("serving `{}` can handle about {} rps at most, below the {} rps it must serve", s.name, count(c.rps), count(need)),
            format!(
                "{} replicas × {} concurrency / {} per request ({}) = {} rps, short of {}; at peak the queue grows without bound and requests time out",
                c.replicas,
                c.concurrency,
                ms(c.per_request_s),
                stage_breakdown(d, s),
                count(c.rps),
                why_need
            ),
            format!(
                "size for {}% utilisation at peak: `replicas {lo}..{at_target}` ({} at 100%), or raise `concurrency`, or cut the per-request time",
                num(TARGET_UTILISATION * 100.0),
                c.replicas_for(need, 1.0)
            ),
        )
        .ask(format!(
            "At peak you need {} rps and `{}` serves about {}. Walk me through the replica count you would run, and what happens to tail latency at 90% utilisation?",
            count(need),
            s.name,
            count(c.rps)
        )));
    }
    out
}

fn no_fallback(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let mut out = Vec::new();
    for s in d.servings.iter().filter(|s| realtime(s) && s.timeout.is_none()) {
        let limit = d.constraints.latency.iter().max_by(|a, b| a.percentile.total_cmp(&b.percentile));
        let budget = limit.map_or(String::new(), |l| format!(" with a {} budget of {}", l.label, ms(l.max_s)));
        let after = limit.map_or(0.1, |l| l.max_s * 0.8);
        let fb = simplest_model(d).map_or("a rules model".to_string(), |m| format!("`{}`", m.name));
        let fb_name = simplest_model(d).map_or("rules_fallback", |m| m.name.as_str());
        out.push(cx.finding(
            "no-fallback",
            Severity::Warning,
            Step::Serving,
            s.name_span,
            format!("realtime serving `{}` has no timeout and fallback", s.name),
            format!(
                "when a stage stalls (a feature-store timeout, a slow replica, a bad deploy) callers wait{budget} and then fail; a fallback answers every request within the budget, degraded instead of down"
            ),
            format!(
                "answer late requests with a cheap model: `timeout {} fallback {fb_name}` in `serving {}`{}",
                dur(((after * 1000.0).floor() / 1000.0).max(0.001)),
                s.name,
                if simplest_model(d).is_none() { format!(" (declare {fb} first)") } else { String::new() }
            ),
        ));
    }
    out
}

fn timeout_exceeds_slo(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let Some(limit) = d.constraints.latency.iter().max_by(|a, b| a.percentile.total_cmp(&b.percentile)) else { return vec![] };
    let mut out = Vec::new();
    for s in d.servings.iter().filter(|s| realtime(s)) {
        let Some((after, fb)) = &s.timeout else { continue };
        if *after < limit.max_s {
            continue;
        }
        out.push(cx.finding(
            "timeout-exceeds-slo",
            Severity::Warning,
            Step::Serving,
            s.timeout_span,
            format!(
                "serving `{}` falls back to `{fb}` after {}, at or past the {} limit of {}",
                s.name,
                ms(*after),
                limit.label,
                ms(limit.max_s)
            ),
            format!(
                "a request that needs the fallback has already missed the SLO when it gets it; the fallback should answer inside the budget, with time left for `{fb}` itself and the network"
            ),
            format!("fire the fallback earlier: `timeout {}` (80% of the limit)", dur(((limit.max_s * 0.8 * 1000.0).floor() / 1000.0).max(0.001))),
        ));
    }
    out
}

fn single_replica(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let Some(avail) = d.constraints.availability else { return vec![] };
    let mut out = Vec::new();
    for s in &d.servings {
        if !matches!(s.mode, Some(ServingMode::Realtime | ServingMode::Streaming)) || s.replicas.0 >= 2 {
            continue;
        }
        let downtime_min = (1.0 - avail) * 30.0 * 24.0 * 60.0;
        out.push(cx.finding(
            "single-replica",
            Severity::Warning,
            Step::Serving,
            s.name_span,
            format!("serving `{}` can run on a single replica under an availability constraint of {}", s.name, pct(avail)),
            format!(
                    "{} allows {} minutes of downtime a month; with one replica every deploy, node drain or crash is an outage{}",
                    pct(avail),
                    num((downtime_min * 10.0).round() / 10.0),
                    s.autoscale
                        .as_ref()
                        .and_then(|a| a.warmup_s)
                        .map_or(String::new(), |w| format!(", each lasting at least the {} warmup", dur(w)))
                ),
            format!("keep at least two replicas, in different zones: `replicas 2..{}`", s.replicas.1.max(2)),
        ));
    }
    out
}

fn over_budget(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let Some(budget) = d.constraints.budget_per_month.filter(|b| *b > 0.0) else { return vec![] };
    let priced: Vec<(&Serving, f64)> = d
        .servings
        .iter()
        .filter(|s| matches!(s.mode, Some(ServingMode::Realtime | ServingMode::Streaming)))
        .filter_map(|s| s.instance.as_ref().and_then(|i| i.cost_per_hour).map(|c| (s, c)))
        .collect();
    let total: f64 = priced.iter().map(|(s, c)| s.replicas.1 as f64 * c * HOURS_PER_MONTH).sum();
    let Some((first, _)) = priced.first() else { return vec![] };
    if total <= budget {
        return vec![];
    }
    let parts: Vec<String> = priced
        .iter()
        .map(|(s, c)| format!("`{}` {} replicas × {}/h × {} h", s.name, s.replicas.1, money(*c), num(HOURS_PER_MONTH)))
        .collect();
    let floor: f64 = priced.iter().map(|(s, c)| s.replicas.0 as f64 * c * HOURS_PER_MONTH).sum();
    vec![cx.finding(
        "over-budget",
        Severity::Warning,
        Step::Serving,
        first.name_span,
        format!("serving at full scale costs {} a month, above the budget of {}", money(total), money(budget)),
        format!(
            "{} = {} a month at the replica ceiling ({} at the floor), before training, storage and the feature store",
            parts.join(" + "),
            money(total),
            money(floor)
        ),
        "lower the replica ceiling, pick a cheaper instance, or raise `budget` in `constraints` with the business case".to_string(),
    )]
}

// ---- monitoring and iteration ------------------------------------------------

fn served_features(d: &Design) -> Vec<&str> {
    let mut out = Vec::new();
    for s in &d.servings {
        for f in facts::serving_features(d, s) {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    if out.is_empty() {
        out.extend(d.models.iter().flat_map(|m| m.features.iter().map(String::as_str)));
    }
    out
}

fn no_drift_monitor(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    if d.models.is_empty() || d.monitors.iter().any(|m| matches!(m.kind, MonitorKind::Drift { .. })) {
        return vec![];
    }
    let delay = facts::label_delay_s(d)
        .map_or(String::new(), |l| format!("; labels arrive {} late, so input drift is the earliest warning there is", dur(l)));
    let feature = served_features(d).first().map_or("FEATURE", |f| f).to_string();
    vec![cx.finding(
        "no-drift-monitor",
        Severity::Warning,
        Step::Monitoring,
        monitors_span(d),
        "no monitor watches the input distribution for drift".to_string(),
        format!(
            "inputs shift (seasonality, new products or users, an upstream schema change) before quality metrics show the damage{delay}"
        ),
        format!("watch the most important inputs: `drift {feature} using psi > 0.2 every 1d alert slack(\"#ml-alerts\")` in `monitors`"),
    )]
}

fn no_performance_monitor(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let has_target = d.problem.as_ref().is_some_and(|p| p.target.is_some());
    if !has_target || d.models.is_empty() || d.monitors.iter().any(|m| matches!(m.kind, MonitorKind::Performance { .. })) {
        return vec![];
    }
    let window = facts::label_delay_s(d).map_or(7.0 * 86_400.0, |l| l.max(86_400.0));
    let (metric, cmp, value) = match primary_metric(d).and_then(|m| m.threshold.map(|t| (m, t))) {
        Some((m, (Cmp::Ge | Cmp::Gt, v))) => (m.name.clone(), "<", num(v)),
        Some((m, (Cmp::Le | Cmp::Lt, v))) => (m.name.clone(), ">", num(v)),
        None => ("METRIC".to_string(), "<", "THRESHOLD".to_string()),
    };
    vec![cx.finding(
        "no-performance-monitor",
        Severity::Warning,
        Step::Monitoring,
        monitors_span(d),
        "no monitor measures the model's quality on labelled production data".to_string(),
        "drift and latency monitors say the system runs, not that its predictions are still right; only a performance monitor on fresh labels catches concept drift".to_string(),
        format!(
            "`performance {metric} {cmp} {value} window {} action retrain` in `monitors`{}",
            dur(window),
            if facts::label_delay_s(d).is_some() { " (the window covers the label delay)" } else { "" }
        ),
    )]
}

fn label_delay_exceeds_window(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let target = d.problem.as_ref().and_then(|p| p.target.as_ref()).map_or("the target".to_string(), |t| format!("`{t}`"));
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
            cx.finding(
                "label-delay-exceeds-window",
                Severity::Critical,
                Step::Monitoring,
                b.monitor.span,
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

fn no_retraining(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let learned_models: Vec<&Model> = d.models.iter().filter(|m| learned(m.kind)).collect();
    let retrains =
        d.monitors.iter().any(|m| matches!(m.kind, MonitorKind::Retrain { .. } | MonitorKind::Performance { retrain: true, .. }));
    let Some(first) = learned_models.first() else { return vec![] };
    if retrains {
        return vec![];
    }
    let names: Vec<String> = learned_models.iter().map(|m| format!("`{}`", m.name)).collect();
    let delay = facts::label_delay_s(d)
        .map_or(String::new(), |l| format!(" (labels arrive after {}, so each retrain learns from outcomes up to then)", dur(l)));
    vec![cx.finding(
        "no-retraining",
        Severity::Warning,
        Step::Monitoring,
        if d.monitors.is_empty() { first.name_span } else { monitors_span(d) },
        format!("nothing retrains {}", names.join(", ")),
        format!("a model trained once decays as the world moves on; without a schedule or a trigger, drift is detected but never acted on{delay}"),
        "retrain on a schedule and on degradation: `retrain every 7d` in `monitors`, and `action retrain` on the performance monitor".to_string(),
    )]
}

fn unrouted_monitor(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    let silent: Vec<&mlspec_ir::Monitor> = d
        .monitors
        .iter()
        .filter(|m| m.alert.is_none())
        .filter(|m| !matches!(m.kind, MonitorKind::Retrain { .. } | MonitorKind::Performance { retrain: true, .. }))
        .collect();
    let Some(first) = silent.first() else { return vec![] };
    let lines: Vec<String> = silent.iter().map(|m| cx.line(m.span).to_string()).collect();
    let watched = d.monitors.iter().filter(|m| !matches!(m.kind, MonitorKind::Retrain { .. })).count();
    let stmt = cx.line_text(first.span);
    vec![cx.finding(
        "unrouted-monitor",
        Severity::Info,
        Step::Monitoring,
        first.span,
        format!(
            "{} of {} monitors raise no alert and trigger no action (line{} {})",
            silent.len(),
            watched,
            if lines.len() == 1 { "" } else { "s" },
            lines.join(", ")
        ),
        "a threshold that nobody hears about is a dashboard, not a monitor; say who is told when it fires, or which action it takes"
            .to_string(),
        format!("route each one: `{stmt} alert slack(\"#ml-alerts\")`, or `pagerduty(..)` for what needs a human now"),
    )]
}

fn experiment_too_short(cx: &Ctx<'_>) -> Vec<Finding> {
    const WEEK: f64 = 7.0 * 86_400.0;
    cx.d
        .experiments
        .iter()
        .filter(|e| e.duration_s < WEEK)
        .map(|e| {
            cx.finding(
                "experiment-too-short",
                Severity::Info,
                Step::Monitoring,
                e.span,
                format!("experiment `{}` runs for {}, less than a week", e.name, dur(e.duration_s)),
                "behaviour differs by weekday, and users react to anything new for a while: a test shorter than a full weekly cycle measures the novelty and the days it happened to cover".to_string(),
                "run whole weeks: `duration 7d` or `duration 14d`".to_string(),
            )
        })
        .collect()
}

/// Units the experiment's smaller arm gets, and how that was reckoned.
fn experiment_units(d: &Design, arm_share: f64, duration_s: f64, treatment: &str) -> Option<(f64, String)> {
    let served_by: Vec<&Serving> = d.servings.iter().filter(|s| s.stages.iter().any(|st| st.model.as_deref() == Some(treatment))).collect();
    let batch = !served_by.is_empty() && served_by.iter().all(|s| s.mode == Some(ServingMode::Batch));
    if batch {
        let src = d.problem.as_ref().and_then(|p| p.target.as_ref()).and_then(|t| d.source(&t.source))?;
        if src.volume_per_s.is_some() {
            return None;
        }
        let v = src.volume?;
        return Some((v * arm_share, format!("{} of the {} `{}` rows scored in batch", pct(arm_share), count(v), src.name)));
    }
    let (rate, from) = match d.scenarios.iter().find_map(|sc| sc.traffic.as_ref().map(|t| (t.rate_rps, sc.name.as_str()))) {
        Some((r, sc)) => (r, format!("scenario `{sc}`'s {} rps", count(r))),
        None => {
            let r = d.constraints.throughput_rps?;
            (r, format!("the {} rps throughput constraint", count(r)))
        }
    };
    let units = rate * arm_share * duration_s;
    Some((units, format!("{} × {} of traffic × {}", from, pct(arm_share), dur(duration_s))))
}

/// The power arithmetic of an A/B test on a proportion.
pub(super) struct Power {
    /// Relative change to detect.
    pub effect: f64,
    pub base: f64,
    pub p2: f64,
    /// Units needed per arm at alpha 0.05, power 0.8.
    pub n: f64,
    /// Share of traffic of the smaller arm.
    pub arm: f64,
    /// Units the smaller arm gets, and how that was reckoned.
    pub units: f64,
    pub how: String,
}

/// `None` when the experiment has no `min_effect`, its metric no base rate
/// in (0, 1), or the spec no traffic to count units from.
pub(super) fn experiment_power(d: &Design, e: &mlspec_ir::Experiment) -> Option<Power> {
    let effect = e.min_effect?;
    let metric = d.metrics.iter().find(|m| m.name == e.metric)?;
    let (_, base) = metric.threshold.filter(|(_, v)| *v > 0.0 && *v < 1.0)?;
    // Lower-is-better metrics must go down; others up.
    let down = matches!(metric.threshold, Some((Cmp::Le | Cmp::Lt, _)));
    let p2 = if down { base * (1.0 - effect) } else { base * (1.0 + effect) };
    let n = two_proportion_n(base, p2)?;
    let arm = e.traffic.min(1.0 - e.traffic);
    let (units, how) = experiment_units(d, arm, e.duration_s, &e.treatment)?;
    Some(Power { effect, base, p2, n, arm, units, how })
}

fn underpowered_experiment(cx: &Ctx<'_>) -> Vec<Finding> {
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
        out.push(cx.finding(
            "underpowered-experiment",
            Severity::Warning,
            Step::Monitoring,
            e.span,
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

fn no_experiment(cx: &Ctx<'_>) -> Vec<Finding> {
    let d = cx.d;
    if !d.experiments.is_empty() || !d.servings.iter().any(realtime) {
        return vec![];
    }
    let Some(m) = d.models.iter().find(|m| m.baseline.is_some() && learned(m.kind)) else { return vec![] };
    let base = m.baseline.as_deref().unwrap_or("BASELINE");
    let online = d.metrics.iter().find(|x| x.scope == Scope::Online).map_or("ONLINE_METRIC", |x| x.name.as_str());
    vec![cx.finding(
        "no-experiment",
        Severity::Info,
        Step::Monitoring,
        m.name_span,
        format!("no A/B test compares `{}` with `{base}` on live traffic", m.name),
        "offline lift does not always survive contact with users; an A/B test is how a launch decision is made on evidence".to_string(),
        format!(
            "`experiment {}_vs_{base} {{ ab_test treatment {} control {base} traffic 10% metric {online} duration 14d min_effect 5% }}`",
            m.name, m.name
        ),
    )]
}

/// The ids of every rule, for docs and tests.
pub fn ids() -> BTreeSet<&'static str> {
    RULES.iter().map(|(id, _)| *id).collect()
}
