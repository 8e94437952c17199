//! What each step of the framework covers: a checklist per step, answered
//! from the spec. Items that do not apply (an online store for a design
//! without realtime serving) are left out of the figure.

use super::{Step, StepCoverage};
use mlspec_ir::vocab::{ModelKind, Task};
use mlspec_ir::{Design, MonitorKind, Scope, ServingMode, SplitStrategy};

struct Checklist {
    covered: Vec<String>,
    missing: Vec<String>,
}

impl Checklist {
    fn new() -> Self {
        Checklist { covered: Vec::new(), missing: Vec::new() }
    }
    fn item(&mut self, what: &str, ok: bool) {
        if ok {
            self.covered.push(what.to_string());
        } else {
            self.missing.push(what.to_string());
        }
    }
    fn done(self, step: Step) -> StepCoverage {
        let total = self.covered.len() + self.missing.len();
        let coverage = if total == 0 { 1.0 } else { self.covered.len() as f64 / total as f64 };
        StepCoverage { step, coverage, covered: self.covered, missing: self.missing }
    }
}

pub fn steps(d: &Design) -> Vec<StepCoverage> {
    Step::ALL.iter().map(|&s| step(d, s)).collect()
}

fn step(d: &Design, step: Step) -> StepCoverage {
    let mut c = Checklist::new();
    let task = d.task();
    let supervised = !matches!(task, Task::Clustering | Task::AnomalyDetection);
    let binary = matches!(task, Task::BinaryClassification | Task::AnomalyDetection);
    let realtime = d.servings.iter().any(|s| s.mode == Some(ServingMode::Realtime));
    let online_serving = d.servings.iter().any(|s| matches!(s.mode, Some(ServingMode::Realtime | ServingMode::Streaming)));
    let p = &d.problem;
    match step {
        Step::Requirements => {
            // Required statements: a checked design always has them.
            c.item("objective", true);
            c.item("task", true);
            if supervised {
                c.item("target", p.target.is_some());
            }
            if binary {
                c.item("positive rate", p.positive_rate.is_some());
            }
            if task == Task::Forecasting {
                c.item("forecast horizon", p.horizon_s.is_some());
            }
            if mlspec_ir::facts::task_ranks(task) {
                c.item("query group (what one ranked list is)", p.group.is_some());
            }
            c.item("latency SLO", !d.constraints.latency.is_empty());
            c.item("throughput", d.constraints.throughput_rps.is_some());
            if online_serving {
                c.item("availability", d.constraints.availability.is_some());
            }
            c.item("budget", d.constraints.budget_per_month.is_some());
        }
        Step::Metrics => {
            c.item("offline metric", d.metrics.iter().any(|m| m.scope == Scope::Offline));
            c.item("primary metric", d.metrics.iter().any(|m| m.primary));
            c.item("thresholds to meet", d.metrics.iter().any(|m| m.threshold.is_some()));
            c.item("online metric", d.metrics.iter().any(|m| m.scope == Scope::Online));
            c.item("business metric", d.metrics.iter().any(|m| m.scope == Scope::Business));
            if binary {
                c.item("cost of errors (cost_matrix)", d.cost_matrix.is_some());
            }
        }
        Step::Data => {
            c.item("data sources", !d.sources.is_empty());
            c.item("schemas", !d.sources.is_empty() && d.sources.iter().all(|s| !s.fields.is_empty()));
            if supervised {
                c.item("label field", d.sources.iter().any(|s| s.fields.iter().any(|f| f.label)));
                c.item("label delay", d.sources.iter().any(|s| s.fields.iter().any(|f| f.label && f.delay_s.is_some())));
            }
            c.item("event time", d.sources.iter().any(|s| s.event_time().is_some()));
            c.item("volumes", !d.sources.is_empty() && d.sources.iter().all(|s| s.volume.is_some()));
            c.item("freshness", !d.sources.is_empty() && d.sources.iter().all(|s| s.freshness.is_some()));
            c.item("retention", d.sources.iter().any(|s| s.retention_s.is_some()));
        }
        Step::Features => {
            c.item("features", !d.features.is_empty());
            c.item("aggregates over time windows", d.features.iter().any(|f| !f.windows.is_empty()));
            c.item("offline store", d.feature_store.as_ref().is_some_and(|fs| fs.offline.is_some()));
            if realtime {
                c.item("online store", d.feature_store.as_ref().is_some_and(|fs| fs.online.is_some()));
            }
        }
        Step::Model => {
            c.item("model", !d.models.is_empty());
            c.item(
                "simple baseline",
                d.models.iter().any(|m| {
                    matches!(m.kind, ModelKind::Rules | ModelKind::Heuristic | ModelKind::LogisticRegression | ModelKind::LinearRegression)
                }) && (d.models.len() < 2 || d.models.iter().any(|m| m.baseline.is_some())),
            );
            c.item("hyperparameter tuning", d.models.iter().any(|m| m.tuning.is_some()));
            c.item("features chosen per model", d.models.iter().any(|m| !m.features.is_empty()));
        }
        Step::Training => {
            let ds = d.dataset.as_ref();
            let split = ds.and_then(|ds| ds.split.as_ref());
            c.item("train/validation/test split", split.is_some());
            if d.sources.iter().any(|s| s.event_time().is_some()) || task == Task::Forecasting {
                c.item("split respects time or groups", split.is_some_and(|s| !matches!(s.strategy, SplitStrategy::Random)));
            }
            if binary && p.positive_rate.is_some_and(|r| r < super::rules::RARE_POSITIVES) {
                c.item("imbalance handling", ds.is_some_and(|ds| ds.imbalance.is_some()));
            }
            c.item("cross-validation", d.models.iter().any(|m| m.tuning.as_ref().is_some_and(|t| t.cv.is_some())));
            c.item("missing values or dedupe", ds.is_some_and(|ds| ds.missing.is_some() || ds.dedupe.is_some()));
            c.item("training time budget", d.constraints.training_time_s.is_some());
        }
        Step::Serving => {
            c.item("serving", !d.servings.is_empty());
            if realtime {
                let rt = || d.servings.iter().filter(|s| s.mode == Some(ServingMode::Realtime));
                c.item("timeout and fallback", rt().all(|s| s.timeout.is_some()));
                c.item("autoscaling", rt().all(|s| s.autoscale.is_some()));
                c.item("redundancy (2+ replicas)", rt().all(|s| s.replicas.0 >= 2));
                c.item("caching", rt().any(|s| s.cache.is_some()));
            }
            c.item("instance and cost", !d.servings.is_empty() && d.servings.iter().all(|s| s.instance.is_some()));
        }
        Step::Monitoring => {
            let has = |f: fn(&MonitorKind) -> bool| d.monitors.iter().any(|m| f(&m.kind));
            c.item("drift monitor", has(|k| matches!(k, MonitorKind::Drift { .. })));
            if supervised {
                c.item("performance monitor", has(|k| matches!(k, MonitorKind::Performance { .. })));
            }
            c.item("retraining", has(|k| matches!(k, MonitorKind::Retrain { .. } | MonitorKind::Performance { retrain: true, .. })));
            if online_serving {
                c.item("latency and error monitors", has(|k| matches!(k, MonitorKind::Latency { .. } | MonitorKind::Errors { .. })));
            }
            c.item("alert routing", d.monitors.iter().any(|m| m.alert.is_some()));
            c.item("A/B test", !d.experiments.is_empty());
        }
        Step::Risks => {
            c.item("load scenario", d.scenarios.iter().any(|s| s.traffic.is_some() || s.requests.is_some()));
            c.item(
                "drift scenario",
                d.scenarios.iter().any(|s| {
                    s.events.iter().any(|e| !matches!(e, mlspec_ir::ScenarioEvent::Burst { .. } | mlspec_ir::ScenarioEvent::Outage { .. }))
                }),
            );
            if online_serving {
                c.item(
                    "outage drill",
                    d.scenarios.iter().any(|s| s.events.iter().any(|e| matches!(e, mlspec_ir::ScenarioEvent::Outage { .. }))),
                );
            }
            c.item("personal data marked (pii)", d.sources.iter().any(|s| s.fields.iter().any(|f| f.pii)));
            c.item("owner", d.owner.is_some());
        }
    }
    c.done(step)
}
