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
    /// Runs on one of the replica's interpreters (with `Plan::interpreters`):
    /// waits for a free one and holds it for its service time.
    pub interpreter: bool,
    /// Seconds added to an interpreter job that starts the moment it is
    /// queued, on an idle interpreter (waking a process costs more than
    /// going on from the last job).
    pub wake_s: f64,
    /// A batching stage on the interpreters: seconds of the event loop's
    /// work to take a batch's results back once it has run (resolving its
    /// requests' futures). Its executor stays taken until the loop has done
    /// it, as the server's batch worker is a task on that loop.
    pub handback_s: f64,
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
    /// Where measured service times come from, when they replace the design's.
    pub calibration: Option<String>,
    /// Interpreters per replica (processes of a Python server, each running
    /// one thread at a time): the stages marked `interpreter` queue for them
    /// in arrival order, batches as one job each. `None`: every stage runs
    /// on the request's own worker.
    pub interpreters: Option<u32>,
    pub traffic: Traffic,
    pub max_requests: Option<u64>,
    pub duration_s: Option<f64>,
    /// (label such as `p99`, quantile 0..1, limit seconds)
    pub slo: Vec<(String, f64, f64)>,
    /// `constraints availability`: capacity keeps a spare replica for it.
    pub availability: Option<f64>,
    /// `constraints throughput`, unless `--rate` replaced the traffic:
    /// capacity sizes for it when it is above the scenario's peak.
    pub throughput_rps: Option<f64>,
}

/// Command-line overrides of the scenario and the serving.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub seed: Option<u64>,
    /// Replaces the scenario's end with this many requests.
    pub requests: Option<u64>,
    /// Replaces the scenario's traffic with Poisson arrivals at this rate.
    pub rate_rps: Option<f64>,
    /// A fixed fleet of this many replicas, without autoscaling.
    pub replicas: Option<u32>,
    /// Replicas as measured on the real server, instead of the design's
    /// declared or estimated stage times.
    pub measured: Option<Measured>,
}

/// A replica as `mlspec calibrate` measured it on the real server: its
/// stages replace the design's, whose service times were declared or
/// estimated.
#[derive(Clone, Debug)]
pub struct Measured {
    /// Where the figures come from, for the report.
    pub source: String,
    /// At least one stage.
    pub stages: Vec<StagePlan>,
    /// Requests a replica holds at once.
    pub concurrency: u32,
    /// The share of answers from the answer cache; `None` keeps the design's.
    pub cache_hit: Option<f64>,
    /// Interpreters per replica: see [`Plan::interpreters`].
    pub interpreters: Option<u32>,
}

impl Plan {
    pub fn new(d: &Design, t: &Target, o: &Overrides) -> Option<Plan> {
        let s = t.serving(d)?;
        let sc = t.scenario(d);
        let outages_of = |name: &str| -> Vec<(f64, f64)> {
            sc.map(|sc| {
                sc.events
                    .iter()
                    .filter_map(|e| match e {
                        ScenarioEvent::Outage { stage, at_s, for_s, .. } if stage == name => Some((*at_s, at_s + for_s)),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
        };
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
            let outages = outages_of(&st.name);
            stages.push(StagePlan {
                name: st.name.clone(),
                sampler,
                model: st.model.is_some(),
                batch: st.batch.map(|(n, w)| (n.clamp(1, 1 << 20) as u32, w.max(0.0))),
                batch_marginal: service.batch_marginal,
                batch_executors: cost::batch_executors(s),
                outages,
                basis,
                interpreter: false,
                wake_s: 0.0,
                handback_s: 0.0,
            });
        }
        let mut concurrency = s.concurrency.clamp(1, 100_000) as u32;
        let mut cache_hit = s.cache.map_or(0.0, |(_, p)| p.clamp(0.0, 1.0));
        if let Some(m) = &o.measured {
            stages = m.stages.iter().map(|st| StagePlan { outages: outages_of(&st.name), ..st.clone() }).collect();
            concurrency = m.concurrency.clamp(1, 1_000_000);
            cache_hit = m.cache_hit.map_or(cache_hit, |p| p.clamp(0.0, 1.0));
        }
        if stages.is_empty() {
            return None;
        }
        let replicas = match o.replicas {
            Some(n) => {
                let n = u64::from(n).clamp(1, mlspec_ir::capacity::MAX_REPLICAS) as u32;
                (n, n)
            }
            None => mlspec_ir::capacity::declared_replicas(s),
        };
        let autoscale = s.autoscale.as_ref().filter(|_| o.replicas.is_none()).map(|a| AutoscalePlan {
            on: match a.on {
                AutoscaleSignal::Rps => ScaleOn::Rps(a.target.max(1e-9)),
                AutoscaleSignal::Cpu => ScaleOn::Cpu(a.target.clamp(0.01, 1.0)),
            },
            warmup_s: a.warmup_s.unwrap_or(0.0).max(0.0),
            period_s: AUTOSCALE_PERIOD_S,
        });
        let traffic = match o.rate_rps {
            Some(rate) => Traffic { base_rps: rate, diurnal: None, bursts: Vec::new() },
            None => Traffic::of(sc, t.rate_rps),
        };
        let initial_replicas = match &autoscale {
            // A warm start: the fleet the autoscaler would hold at the opening rate.
            Some(a) => {
                let work: f64 = stages.iter().map(|st| st.sampler.mean() * if st.model { 1.0 - cache_hit } else { 1.0 }).sum();
                let want = match a.on {
                    ScaleOn::Cpu(target) => traffic.rate(0.0) * work / (f64::from(concurrency) * target),
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
            scenario: sc.map_or_else(|| mlspec_ir::traffic::DEFAULT_SCENARIO.to_string(), |sc| sc.name.clone()),
            seed: run_seed(o.seed, sc),
            stages,
            replicas,
            initial_replicas,
            concurrency,
            balancer: s.balancer,
            autoscale,
            cache_hit,
            timeout,
            fallback_model: s.timeout.as_ref().map(|(_, m)| m.clone()),
            queue_limit: s.queue.map(|q| q.min(u64::from(u32::MAX)) as u32),
            cost_per_hour: s.instance.as_ref().and_then(|i| i.cost_per_hour),
            calibration: o.measured.as_ref().map(|m| m.source.clone()),
            interpreters: o.measured.as_ref().and_then(|m| m.interpreters).map(|n| n.clamp(1, 1024)),
            traffic,
            max_requests,
            duration_s,
            slo,
            availability: d.constraints.availability,
            throughput_rps: d.constraints.throughput_rps.filter(|r| o.rate_rps.is_none() && r.is_finite() && *r > 0.0),
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
