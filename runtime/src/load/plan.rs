//! The serving and scenario of a design, lowered to what the engine runs:
//! samplers instead of distributions, seconds everywhere, defaults filled in.
//!
//! **Invariant:** a `Plan` is always runnable: at least one stage, at least
//! one replica and one worker per replica, a positive finite base rate, and
//! an end (a request count or a duration).

use super::dist::Sampler;
use mlspec_compiler::cost::{self, Basis};
use mlspec_compiler::ir::{Balancer, Design, ScenarioEvent};
use mlspec_compiler::simulation::{Target, DEFAULT_REQUESTS, DEFAULT_SEED};

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
pub struct Traffic {
    pub base_rps: f64,
    /// (peak multiplier, time of day of the peak, seconds)
    pub diurnal: Option<(f64, f64)>,
    /// (multiplier, from, to)
    pub bursts: Vec<(f64, f64, f64)>,
}

impl Traffic {
    /// The arrival rate at time `t`.
    #[inline]
    pub fn rate(&self, t: f64) -> f64 {
        let mut r = self.base_rps;
        if let Some((peak, at)) = self.diurnal {
            let phase = 2.0 * std::f64::consts::PI * (t - at) / 86_400.0;
            r *= 1.0 + (peak - 1.0) * (1.0 + phase.cos()) / 2.0;
        }
        for &(m, from, to) in &self.bursts {
            if t >= from && t < to {
                r *= m;
            }
        }
        r
    }

    /// An upper bound of the rate over [from, to) (for thinning): the
    /// diurnal factor at its highest in the interval, times every burst that
    /// overlaps it.
    pub fn max_rate_in(&self, from: f64, to: f64) -> f64 {
        let mut r = self.base_rps;
        if let Some((peak, at)) = self.diurnal {
            let factor = |t: f64| 1.0 + (peak - 1.0) * (1.0 + (2.0 * std::f64::consts::PI * (t - at) / 86_400.0).cos()) / 2.0;
            let next_peak = at + ((from - at) / 86_400.0).ceil() * 86_400.0;
            let top = if next_peak <= to { peak } else { factor(from).max(factor(to)) };
            r *= top.max(1.0);
        }
        for &(m, a, b) in &self.bursts {
            if a < to && b > from {
                r *= m.max(1.0);
            }
        }
        r
    }

    /// Whether the rate is the same at all times.
    pub fn is_constant(&self) -> bool {
        self.diurnal.is_none_or(|(p, _)| p == 1.0) && self.bursts.iter().all(|b| b.0 == 1.0)
    }

    /// The highest rate reached in [0, until): checked at every burst edge
    /// and on a one-minute grid (the diurnal curve is smooth).
    pub fn peak_rate(&self, until: f64) -> f64 {
        let mut peak = self.rate(0.0);
        let mut t = 0.0;
        while t < until {
            peak = peak.max(self.rate(t));
            t += 60.0;
        }
        for &(_, from, _) in &self.bursts {
            if from < until {
                peak = peak.max(self.rate(from));
            }
        }
        if let Some((_, at)) = self.diurnal {
            let mut day = 0.0;
            while day * 86_400.0 + at < until {
                peak = peak.max(self.rate(day * 86_400.0 + at));
                day += 1.0;
            }
        }
        peak
    }

    /// The mean rate over [0, until) (numerically, on a one-second grid for
    /// runs up to a week, coarser beyond).
    pub fn mean_rate(&self, until: f64) -> f64 {
        if self.is_constant() || until <= 0.0 {
            return self.base_rps;
        }
        let step = (until / 604_800.0).max(1.0);
        let mut sum = 0.0;
        let mut n = 0.0;
        let mut t = step / 2.0;
        while t < until {
            sum += self.rate(t);
            n += 1.0;
            t += step;
        }
        if n == 0.0 {
            self.base_rps
        } else {
            sum / n
        }
    }
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
            on: if a.on == "rps" { ScaleOn::Rps(a.target.max(1e-9)) } else { ScaleOn::Cpu(a.target.clamp(0.01, 1.0)) },
            warmup_s: a.warmup_s.unwrap_or(0.0).max(0.0),
            period_s: AUTOSCALE_PERIOD_S,
        });
        let initial_replicas = if autoscale.is_some() { replicas.0 } else { replicas.1 };
        let timeout = s.timeout.as_ref().map(|(after, fb)| {
            let fallback = d.model(fb).map(|m| cost::model_service(m, s).dist);
            let sampler = fallback.and_then(|f| Sampler::new(&f, |p| t.empirical.get(p).cloned())).unwrap_or(Sampler::Fixed(0.0));
            (after.max(0.0), sampler)
        });
        let traffic = match sc.and_then(|sc| sc.traffic.as_ref()) {
            Some(tr) => Traffic { base_rps: tr.rate_rps, diurnal: tr.diurnal, bursts: Vec::new() },
            None => Traffic { base_rps: t.rate_rps, diurnal: None, bursts: Vec::new() },
        };
        let mut traffic = traffic;
        if let Some(sc) = sc {
            for e in &sc.events {
                if let ScenarioEvent::Burst { factor, at_s, for_s } = e {
                    traffic.bursts.push((*factor, *at_s, at_s + for_s));
                }
            }
        }
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
            seed: o.seed.or(sc.and_then(|sc| sc.seed)).unwrap_or(DEFAULT_SEED),
            stages,
            replicas,
            initial_replicas,
            concurrency: s.concurrency.clamp(1, 100_000) as u32,
            balancer: s.balancer,
            autoscale,
            cache_hit: s.cache.map_or(0.0, |(_, p)| p.clamp(0.0, 1.0)),
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

    /// The mean time one request keeps a worker, if no stage batches, ignoring
    /// the cache: Σ stage means.
    pub fn mean_path_s(&self) -> f64 {
        self.stages.iter().map(|s| s.sampler.mean()).sum()
    }
}
