//! The review's rules: one file per finding id, holding the rule's check
//! (a function from the design to the findings it makes) and its metadata
//! (id, framework step, severity, the interviewer's follow-up question, and
//! what triggers it, from which `docs/review.md`'s table of findings is
//! generated). This module holds the registry and what several rules share.
//!
//! To add a rule: one file, one registry line, a trigger and a near-miss
//! spec in `tests/review/`. The file is `rules/ID_WITH_UNDERSCORES.rs`, with
//! a `pub const RULE: Rule` and the `check` it names (copy `no_fallback.rs`);
//! the line goes in `registry!` below, where the rule's findings belong in
//! the framework's order; the specs are `tests/review/ID.trigger.mlspec`
//! and `ID.near.mlspec`. `MLSPEC_BLESS=1 cargo test -p mlspec-review --test
//! review` then adds the rule's row to the table in `docs/review.md`.
//!
//! **Invariant:** every finding a rule makes carries the id, step and
//! severity of its `RULE` (`Ctx::finding` takes them from it), so the
//! generated docs cannot disagree with the review's output.

use super::stats::two_proportion_n;
use super::{Ctx, Finding, Severity, Step};
use mlspec_ir::numbers::{count, dur, ms, num, pct, rate};
use mlspec_ir::vocab::{ModelKind, Task};
use mlspec_ir::{Cmp, Design, Metric, Model, Scope, Serving, ServingMode};
use std::collections::BTreeSet;

/// A review rule: its check and the metadata the docs and the interview use.
pub struct Rule {
    /// Stable id, kebab-case: `capacity-short`; the rule's file is named after it.
    pub id: &'static str,
    /// The framework step its findings belong to.
    pub step: Step,
    /// The severity of every finding it makes.
    pub severity: Severity,
    /// What triggers it, one Markdown sentence for the table in `docs/review.md`.
    pub triggers: &'static str,
    /// The interviewer's follow-up for its findings, unless a finding asks
    /// one with the design's numbers ([`Finding::ask`]).
    pub question: &'static str,
    /// Reads the design and returns the findings the rule makes.
    pub check: fn(&Ctx<'_>) -> Vec<Finding>,
}

/// Declares each rule's module and lists its `RULE` in [`RULES`], in the
/// order given: one line per rule.
macro_rules! registry {
    ($($rule:ident,)*) => {
        $(mod $rule;)*

        /// Every rule, in the order of the framework (findings are made in
        /// this order, and the docs list them in it).
        pub const RULES: &[Rule] = &[$($rule::RULE),*];

        /// The module of each rule in [`RULES`], for the test that they are named after its id.
        #[cfg(test)]
        const MODULES: &[&str] = &[$(stringify!($rule)),*];
    };
}

registry! {
    missing_target,
    no_business_metric,
    no_online_metric,
    accuracy_on_imbalanced,
    pii_raw_feature,
    stale_feature_realtime,
    no_baseline,
    tuning_metric_mismatch,
    random_split_temporal,
    imbalance_unhandled,
    slo_infeasible,
    capacity_short,
    replica_cores_short,
    no_fallback,
    timeout_exceeds_slo,
    single_replica,
    over_budget,
    no_drift_monitor,
    no_performance_monitor,
    label_delay_exceeds_window,
    no_retraining,
    unrouted_monitor,
    underpowered_experiment,
    experiment_too_short,
    no_experiment,
}

pub fn run(cx: &Ctx<'_>) -> Vec<Finding> {
    RULES.iter().flat_map(|rule| (rule.check)(cx)).collect()
}

/// The ids of every rule, for docs and tests.
pub fn ids() -> BTreeSet<&'static str> {
    RULES.iter().map(|rule| rule.id).collect()
}

/// The table of findings in `docs/review.md`, one row per rule.
pub fn markdown_table() -> String {
    let mut out = String::from("| id | severity | step | triggers when |\n|---|---|---|---|\n");
    for rule in RULES {
        let triggers = rule.triggers.replace('|', "\\|");
        out.push_str(&format!("| `{}` | {} | {} | {triggers} |\n", rule.id, rule.severity.as_str(), rule.step.as_str()));
    }
    out
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
    d.problem.positive_rate
}

fn problem_span(d: &Design) -> mlspec_diag::span::Span {
    d.problem.span
}

fn learned(kind: ModelKind) -> bool {
    !matches!(kind, ModelKind::Rules | ModelKind::Heuristic)
}

fn complex(kind: ModelKind) -> bool {
    matches!(
        kind,
        ModelKind::RandomForest
            | ModelKind::GradientBoosting
            | ModelKind::NeuralNetwork
            | ModelKind::Transformer
            | ModelKind::TwoTower
            | ModelKind::MatrixFactorization
    )
}

fn primary_metric(d: &Design) -> Option<&Metric> {
    d.metrics.iter().find(|m| m.primary).or_else(|| d.metrics.iter().find(|m| m.scope == Scope::Offline && m.threshold.is_some()))
}

/// The simplest model of the spec, for fallbacks and baselines.
fn simplest_model(d: &Design) -> Option<&Model> {
    let rank = |m: &&Model| match m.kind {
        ModelKind::Rules | ModelKind::Heuristic => 0,
        ModelKind::LogisticRegression | ModelKind::LinearRegression | ModelKind::DecisionTree => 1,
        _ => 9,
    };
    d.models.iter().filter(|m| rank(m) < 9).min_by_key(rank)
}

pub(crate) fn realtime(s: &Serving) -> bool {
    s.mode == Some(ServingMode::Realtime)
}

fn monitors_span(d: &Design) -> mlspec_diag::span::Span {
    d.monitors.first().map_or(d.span, |m| m.span)
}

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

/// The peak a serving must handle: the throughput constraint, or a
/// scenario's peak (its daily cosine and bursts, as the simulator runs it)
/// when that is higher.
pub(super) fn required_rps(d: &Design) -> Option<(f64, String)> {
    peak(d).map(|p| (p.rps, p.why))
}

/// [`required_rps`] with the scenario it comes from
/// ([`mlspec_ir::traffic::DEFAULT_SCENARIO`]: the throughput constraint, as
/// the simulator names a spec's default scenario).
pub(crate) struct Peak {
    pub rps: f64,
    pub why: String,
    pub scenario: String,
}

pub(crate) fn peak(d: &Design) -> Option<Peak> {
    let stated = d.constraints.throughput_rps.map(|r| Peak {
        rps: r,
        why: format!("the throughput constraint of {} rps", rate(r)),
        scenario: mlspec_ir::traffic::DEFAULT_SCENARIO.to_string(),
    });
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
            Some(Peak {
                rps: peak,
                why: format!("the peak of scenario `{}` ({} rps{when})", sc.name, rate(peak)),
                scenario: sc.name.clone(),
            })
        })
        .max_by(|a, b| a.rps.total_cmp(&b.rps));
    let need = match (stated, scenario) {
        (Some(a), Some(b)) => Some(if b.rps > a.rps { b } else { a }),
        (a, b) => a.or(b),
    };
    need.filter(|p| p.rps.is_finite() && p.rps > 0.0)
}

/// Units the experiment's smaller arm gets, and how that was reckoned.
fn experiment_units(d: &Design, arm_share: f64, duration_s: f64, treatment: &str) -> Option<(f64, String)> {
    let served_by: Vec<&Serving> = d.servings.iter().filter(|s| s.stages.iter().any(|st| st.model.as_deref() == Some(treatment))).collect();
    let batch = !served_by.is_empty() && served_by.iter().all(|s| s.mode == Some(ServingMode::Batch));
    if batch {
        let src = d.problem.target.as_ref().and_then(|t| d.source(&t.source))?;
        if src.volume_per_s.is_some() {
            return None;
        }
        let v = src.volume?;
        return Some((v * arm_share, format!("{} of the {} `{}` rows scored in batch", pct(arm_share), count(v), src.name)));
    }
    let (rate, from) = match d.scenarios.iter().find_map(|sc| sc.traffic.as_ref().map(|t| (t.rate_rps, sc.name.as_str()))) {
        Some((r, sc)) => (r, format!("scenario `{sc}`'s {} rps", rate(r))),
        None => {
            let r = d.constraints.throughput_rps?;
            (r, format!("the {} rps throughput constraint", rate(r)))
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
    /// Units the smaller arm gets (in the metric's population, with labels
    /// by the end of the test), and how that was reckoned.
    pub units: f64,
    pub how: String,
    /// A metric read from labels: how late they come, and the share of the
    /// test's units whose labels arrive before it ends.
    pub labels: Option<LabelTiming>,
}

pub(super) struct LabelTiming {
    pub field: String,
    pub delay_s: f64,
    pub in_time: f64,
    /// The test's length that gives the smaller arm enough labelled units:
    /// the delay plus the time to collect them at this traffic.
    pub duration_needed_s: f64,
}

/// `None` when the experiment has no `min_effect`, its metric no base rate
/// in (0, 1), the spec no traffic to count units from, or no
/// `positive_rate` when the metric is measured on the positives or the
/// negatives.
pub(super) fn experiment_power(d: &Design, e: &mlspec_ir::Experiment) -> Option<Power> {
    let effect = e.min_effect?;
    let metric = d.metrics.iter().find(|m| m.name == e.metric)?;
    let (_, base) = metric.threshold.filter(|(_, v)| *v > 0.0 && *v < 1.0)?;
    // Lower-is-better metrics must go down; others up.
    let down = matches!(metric.threshold, Some((Cmp::Le | Cmp::Lt, _)));
    let p2 = if down { base * (1.0 - effect) } else { base * (1.0 + effect) };
    let n = two_proportion_n(base, p2)?;
    let arm = e.traffic.min(1.0 - e.traffic);
    let (requests, mut how) = experiment_units(d, arm, e.duration_s, &e.treatment)?;
    let computed = mlspec_ir::vocab::computed_metric(&metric.base, metric.k.is_some());
    let (share, population) = match computed {
        Some(m) => population_share(d, m.population)?,
        None => (1.0, None),
    };
    if let Some(p) = population {
        how.push_str(&format!(" × {} ({p})", pct(share)));
    }
    // A computed metric needs the target's labels; a test counts only
    // the units whose labels arrive before it ends (arrivals spread evenly).
    let per_s = requests * share / e.duration_s;
    let labels = computed.and_then(|_| label_timing(d, e.duration_s, n / per_s));
    let in_time = labels.as_ref().map_or(1.0, |l| l.in_time);
    if let Some(l) = &labels {
        how.push_str(&format!(" × {} (labels of `{}` arrive {} after each event)", pct(l.in_time), l.field, dur(l.delay_s)));
    }
    Some(Power { effect, base, p2, n, arm, units: requests * share * in_time, how, labels })
}

/// The share of requests a metric's population is, and what it is; `None`
/// for a share the spec does not give (no `positive_rate`).
fn population_share(d: &Design, population: mlspec_ir::vocab::Population) -> Option<(f64, Option<String>)> {
    use mlspec_ir::vocab::Population::*;
    let positives = || d.problem.positive_rate.filter(|p| *p > 0.0 && *p < 1.0);
    Some(match population {
        AllExamples | ShownItems | RankedLists => (1.0, None),
        ActualPositives => {
            let p = positives()?;
            (p, Some("the positives, at `positive_rate`".to_string()))
        }
        ActualNegatives => {
            let p = positives()?;
            (1.0 - p, Some("the negatives, 1 − `positive_rate`".to_string()))
        }
        // Flagged examples: at least about the positives (a model that
        // flags fewer than it should misses some of them).
        PredictedPositives | PredictedOrActualPositives => {
            let p = positives()?;
            (p, Some("the flagged examples, about `positive_rate`".to_string()))
        }
    })
}

/// When the target's labels come `delay` after each event, the share of a
/// test of `duration_s` whose labels arrive before it ends.
/// `collect_s` is how long the arm takes to see enough units.
fn label_timing(d: &Design, duration_s: f64, collect_s: f64) -> Option<LabelTiming> {
    let target = d.problem.target.as_ref()?;
    let delay_s = d.field(target)?.delay_s.filter(|s| *s > 0.0)?;
    let in_time = ((duration_s - delay_s) / duration_s).clamp(0.0, 1.0);
    let field = format!("{}.{}", target.source, target.field);
    Some(LabelTiming { field, delay_s, in_time, duration_needed_s: delay_s + collect_s })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_is_the_file_named_after_its_id_and_each_file_a_rule() {
        let named: Vec<String> = RULES.iter().map(|r| r.id.replace('-', "_")).collect();
        assert_eq!(named, MODULES);
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".rs").to_string())
            .filter(|f| f != "mod")
            .collect();
        files.sort();
        let mut modules: Vec<&str> = MODULES.to_vec();
        modules.sort_unstable();
        assert_eq!(files, modules, "every file in src/rules/ but mod.rs is registered");
    }

    #[test]
    fn metadata_is_complete() {
        assert_eq!(ids().len(), RULES.len(), "ids are unique");
        for r in RULES {
            assert!(r.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{} is kebab-case", r.id);
            assert!(r.question.ends_with('?'), "{}: the question asks", r.id);
            assert!(!r.triggers.is_empty() && !r.triggers.contains('\n'), "{}: one sentence of triggers", r.id);
        }
    }
}
