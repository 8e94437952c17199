//! The serving and scenario of a design, lowered to what the engine runs:
//! samplers instead of distributions, seconds everywhere, defaults filled in.
//!
//! **Invariant:** a `Plan` is always runnable: at least one stage, at least
//! one replica and one worker per replica, a positive finite base rate, and
//! an end (a request count or a duration).

use super::dist::Sampler;
use mlspec_ir::cost::{self, Basis};
pub use mlspec_ir::traffic::Traffic;
use mlspec_ir::traffic::{run_seed, Target, DEFAULT_REQUESTS};
use mlspec_ir::vocab::AutoscaleSignal;
use mlspec_ir::{Balancer, Design, ScenarioEvent};

/// How often the autoscaler looks at its metric (Kubernetes HPA's default
/// sync period).
pub const AUTOSCALE_PERIOD_S: f64 = 15.0;
/// A scale-down uses the highest recommendation of this window (Kubernetes
/// HPA's default downscale stabilisation), so brief dips do not drop replicas.
pub const SCALE_DOWN_WINDOW_S: f64 = 300.0;
/// The autoscaler ignores metric ratios within this tolerance of 1 (HPA's).
pub const AUTOSCALE_TOLERANCE: f64 = 0.1;
/// Hours in a month, for cost per month (365 × 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;

#[derive(Clone, Debug)]
pub struct StagePlan {
    pub name: String,
    pub sampler: Sampler,
    /// Calls a model: skipped on a cache hit.
    pub model: bool,
    /// (largest batch, longest wait for it, seconds)
    pub batch: Option<(u32, f64)>,
    pub batch_marginal: f64,
    /// Batches one replica runs at once in this stage.
    pub batch_executors: u32,
    /// [from, to) seconds in which the stage is down.
    pub outages: Vec<(f64, f64)>,
    /// Where the service time comes from, for the report.
    pub basis: String,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScaleOn {
    /// Target share of busy workers.
    Cpu(f64),
    /// Target arrivals per second per replica.
    Rps(f64),
}

#[derive(Clone, Debug)]
pub struct AutoscalePlan {
    pub on: ScaleOn,
    pub warmup_s: f64,
    pub period_s: f64,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub system: String,
    pub serving: String,
    pub scenario: String,
    pub seed: u64,
    pub stages: Vec<StagePlan>,
    pub replicas: (u32, u32),
    pub initial_replicas: u32,
    pub concurrency: u32,
    pub balancer: Balancer,
    pub autoscale: Option<AutoscalePlan>,
    pub cache_hit: f64,
    /// (after seconds, fallback service time)
    pub timeout: Option<(f64, Sampler)>,
    pub fallback_model: Option<String>,
    pub queue_limit: Option<u32>,
    pub cost_per_hour: Option<f64>,
    pub traffic: Traffic,
    pub max_requests: Option<u64>,
    pub duration_s: Option<f64>,
    /// (label such as `p99`, quantile 0..1, limit seconds)
    pub slo: Vec<(String, f64, f64)>,
}

/// Command-line overrides of the scenario.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub seed: Option<u64>,
    /// Replaces the scenario's end with this many requests.
    pub requests: Option<u64>,
}

impl Plan {
    pub fn new(d: &Design, t: &Target, o: &Overrides) -> Option<Plan> {
        let s = t.serving(d)?;
        let sc = t.scenario(d);
        let mut stages = Vec::with_capacity(s.stages.len());
        for st in &s.stages {
            let service = cost::stage_service(d, s, st);
            let sampler = Sampler::new(&service.dist, |f| t.empirical.get(f).cloned())?;
            let basis = match service.basis {
                Basis::Stage => "declared on the stage".to_string(),
                Basis::Model => "declared on the model".to_string(),
                Basis::CostModel(why) => format!("cost model: {why}"),
                Basis::Instant => "no latency and no model: instant".to_string(),
            };
            let outages = sc
                .map(|sc| {
                    sc.events
                        .iter()
                        .filter_map(|e| match e {
                            ScenarioEvent::Outage { stage, at_s, for_s, .. } if *stage == st.name => Some((*at_s, at_s + for_s)),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            stages.push(StagePlan {
                name: st.name.clone(),
                sampler,
                model: st.model.is_some(),
                batch: st.batch.map(|(n, w)| (n.clamp(1, 1 << 20) as u32, w.max(0.0))),
                batch_marginal: service.batch_marginal,
                batch_executors: cost::batch_executors(s),
                outages,
                basis,
            });
        }
        if stages.is_empty() {
            return None;
        }
        let clamp = |n: u64| n.clamp(1, 100_000) as u32;
        let replicas = (clamp(s.replicas.0), clamp(s.replicas.1.max(s.replicas.0)));
        let autoscale = s.autoscale.as_ref().map(|a| AutoscalePlan {
            on: match a.on {
                AutoscaleSignal::Rps => ScaleOn::Rps(a.target.max(1e-9)),
                AutoscaleSignal::Cpu => ScaleOn::Cpu(a.target.clamp(0.01, 1.0)),
            },
            warmup_s: a.warmup_s.unwrap_or(0.0).max(0.0),
            period_s: AUTOSCALE_PERIOD_S,
        });
        let traffic = Traffic::of(sc, t.rate_rps);
        let cache_hit = s.cache.map_or(0.0, |(_, p)| p.clamp(0.0, 1.0));
        let initial_replicas = match &autoscale {
            // A warm start: the fleet the autoscaler would hold at the opening rate.
            Some(a) => {
                let work: f64 = stages.iter().map(|st| st.sampler.mean() * if st.model { 1.0 - cache_hit } else { 1.0 }).sum();
                let want = match a.on {
                    ScaleOn::Cpu(target) => traffic.rate(0.0) * work / (f64::from(s.concurrency.clamp(1, 100_000) as u32) * target),
                    ScaleOn::Rps(target) => traffic.rate(0.0) / target,
                };
                (want.ceil().min(f64::from(replicas.1)) as u32).clamp(replicas.0, replicas.1)
            }
            None => replicas.1,
        };
        let timeout = s.timeout.as_ref().map(|(after, fb)| {
            let fallback = d.model(fb).map(|m| cost::model_service(m, s).dist);
            let sampler = fallback.and_then(|f| Sampler::new(&f, |p| t.empirical.get(p).cloned())).unwrap_or(Sampler::Fixed(0.0));
            (after.max(0.0), sampler)
        });
        if !(traffic.base_rps.is_finite() && traffic.base_rps > 0.0) {
            return None;
        }
        let (max_requests, duration_s) = match (o.requests, sc) {
            (Some(n), _) => (Some(n.max(1)), None),
            (None, Some(sc)) if sc.requests.is_some() || sc.duration_s.is_some() => {
                (sc.requests.map(|r| r.max(1.0) as u64), sc.duration_s.filter(|d| *d > 0.0))
            }
            _ => (Some(DEFAULT_REQUESTS as u64), None),
        };
        let slo = d.constraints.latency.iter().map(|l| (l.label.clone(), l.percentile / 100.0, l.max_s)).collect();
        Some(Plan {
            system: d.name.clone(),
            serving: s.name.clone(),
            scenario: sc.map_or_else(|| "default".to_string(), |sc| sc.name.clone()),
            seed: run_seed(o.seed, sc),
            stages,
            replicas,
            initial_replicas,
            concurrency: s.concurrency.clamp(1, 100_000) as u32,
            balancer: s.balancer,
            autoscale,
            cache_hit,
            timeout,
            fallback_model: s.timeout.as_ref().map(|(_, m)| m.clone()),
            queue_limit: s.queue.map(|q| q.min(u64::from(u32::MAX)) as u32),
            cost_per_hour: s.instance.as_ref().and_then(|i| i.cost_per_hour),
            traffic,
            max_requests,
            duration_s,
            slo,
        })
    }

    /// The expected length of the run in simulated seconds.
    pub fn expected_duration_s(&self) -> f64 {
        match (self.duration_s, self.max_requests) {
            (Some(d), _) => d,
            (None, Some(n)) => n as f64 / self.traffic.base_rps,
            (None, None) => 0.0,
        }
    }
}
