//! `capacity`: the fewest replicas that meet every latency constraint at the
//! scenario's peak rate, found by simulation, with the closed form beside it
//! where one exists (one exponential stage behind a shared queue: M/M/c).
//!
//! A trial holds the fleet fixed (no autoscaling), serves Poisson arrivals at
//! the peak rate with every stage up, and has no timeout and no queue limit,
//! so that fallbacks and rejections cannot hide a fleet that is too small.
//! Every trial uses the same seed (common random numbers), which makes the
//! answer stable from one replica count to the next.
//!
//! **Invariant:** an SLO tighter than the service time's own quantile (no
//! queueing at all) is answered as infeasible, never with a huge fleet.

use super::dist::Sampler;
use super::engine::rng;
use super::plan::ScaleOn;
use super::plan::{Plan, Traffic, HOURS_PER_MONTH};
use super::queueing::Mmc;
use super::summary::{r3, simulate, LoadReport};
use mlspec_ir::capacity::{peak_from, replicas as n_replicas, size, work_per_request_s, Basis, Inputs, Sizing, StageWork};
use mlspec_ir::numbers::ms;
use mlspec_ir::vocab::AutoscaleSignal;
use mlspec_ir::Balancer;
use serde::Serialize;

/// Requests per trial unless the caller says otherwise.
pub const DEFAULT_TRIAL_REQUESTS: u64 = 200_000;
/// The search gives up above this many replicas.
pub const MAX_REPLICAS: u32 = 10_000;
/// Samples of the no-queueing path used for the infeasibility floor.
const FLOOR_SAMPLES: usize = 200_000;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Constraint {
    pub constraint: String,
    pub limit_ms: f64,
    /// The quantile of the service path alone (no queueing, batches of one).
    pub floor_ms: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Trial {
    pub replicas: u32,
    pub met: bool,
    /// The simulated value of each constraint, in the order of `constraints`.
    pub values_ms: Vec<f64>,
    pub utilization: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Analytic {
    pub model: String,
    pub replicas: u32,
    pub workers: u32,
    pub prob_wait: f64,
    pub values_ms: Vec<f64>,
    pub cost_per_month: Option<f64>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Answer {
    Found {
        /// The replicas to run at the peak: [`CapacityReport::sizing`]'s count
        /// (the latency constraints, the availability spare, the autoscaler).
        replicas: u32,
        /// The fewest replicas that meet every latency constraint; the
        /// trials and `values_ms`, `utilization` are of this fleet.
        meets_slo: u32,
        /// Of `replicas`.
        cost_per_month: Option<f64>,
        values_ms: Vec<f64>,
        utilization: f64,
        /// The fleet one replica smaller, simulated the same way, and what
        /// it misses (absent when the answer is one replica).
        below: Option<Trial>,
    },
    Infeasible {
        constraint: String,
        floor_ms: f64,
        limit_ms: f64,
    },
    NotFound {
        up_to: u32,
        reason: String,
    },
    /// No latency constraint: only stability (utilisation below 1) bounds the fleet.
    NoConstraint {
        stable_from: u32,
    },
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CapacityReport {
    pub system: String,
    pub serving: String,
    pub scenario: String,
    /// Where measured service times come from (`--calibration`), when they
    /// replaced the design's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration: Option<String>,
    pub seed: u64,
    pub peak_rps: f64,
    /// Where the peak comes from: "scenario `x`", or "the throughput
    /// constraint" when that is higher than the scenario's peak.
    pub peak_from: String,
    pub concurrency: u32,
    /// A calibrated replica's interpreters (worker processes), its limit in
    /// place of `concurrency`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interpreters: Option<u32>,
    pub declared_replicas: (u32, u32),
    pub trial_requests: u64,
    pub constraints: Vec<Constraint>,
    pub simulated: Answer,
    pub analytic: Option<Analytic>,
    /// The replica count at the peak and the rule behind each part, as
    /// `review`, `simulate` and `doc` print it (absent when the answer is
    /// infeasible or not found).
    pub sizing: Option<Sizing>,
    /// Every trial of the search, by replica count.
    pub trials: Vec<Trial>,
}

/// The plan of one trial: `replicas` fixed, peak Poisson traffic, all stages
/// up, no timeout or queue limit, `requests` requests.
fn trial_plan(base: &Plan, peak: f64, replicas: u32, requests: u64) -> Plan {
    let mut p = base.clone();
    p.traffic = Traffic { base_rps: peak, diurnal: None, bursts: Vec::new() };
    p.autoscale = None;
    p.replicas = (replicas, replicas);
    p.initial_replicas = replicas;
    p.timeout = None;
    p.queue_limit = None;
    p.max_requests = Some(requests);
    p.duration_s = None;
    for s in &mut p.stages {
        s.outages.clear();
    }
    p
}

/// Quantiles of the service path alone: each stage drawn once (model stages
/// skipped on a cache hit), no queueing, batches of one.
fn service_floor(plan: &Plan, quantiles: &[f64]) -> Vec<f64> {
    let mut r = rng(plan.seed, 0xf100);
    let mut v: Vec<f64> = (0..FLOOR_SAMPLES)
        .map(|_| {
            let hit = plan.cache_hit > 0.0 && rand::Rng::gen::<f64>(&mut r) < plan.cache_hit;
            plan.stages.iter().filter(|s| !(s.model && hit)).map(|s| s.sampler.sample(&mut r)).sum()
        })
        .collect();
    v.sort_by(f64::total_cmp);
    quantiles
        .iter()
        .map(|q| {
            let i = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len().max(1)) - 1;
            v.get(i).copied().unwrap_or(0.0)
        })
        .collect()
}

/// Work one request brings, in worker-seconds, when batches are full: a lower
/// bound that no fleet can beat.
fn min_work_per_request(plan: &Plan) -> f64 {
    let stages = plan.stages.iter().map(|s| StageWork {
        mean_s: s.sampler.mean(),
        model: s.model,
        batch: s.batch.map(|(n, _)| (n, s.batch_marginal)),
    });
    work_per_request_s(stages, plan.cache_hit)
}

pub fn capacity(base: &Plan, trial_requests: u64) -> CapacityReport {
    let horizon = base.expected_duration_s().max(1.0);
    let scenario_peak = base.traffic.peak_rate(horizon);
    let (peak, peak_from) = match base.throughput_rps {
        Some(t) if t > scenario_peak * 1.0001 => (
            t,
            format!(
                "the throughput constraint, above the {} rps peak of scenario `{}`",
                mlspec_ir::numbers::rate(scenario_peak),
                base.scenario
            ),
        ),
        _ => (scenario_peak, peak_from(&base.scenario)),
    };
    let qs: Vec<f64> = base.slo.iter().map(|s| s.1).collect();
    let floor = service_floor(base, &qs);
    let constraints: Vec<Constraint> = base
        .slo
        .iter()
        .zip(&floor)
        .map(|((label, _, limit), f)| Constraint {
            constraint: format!("latency {label} < {} ms", r3(limit * 1e3)),
            limit_ms: r3(limit * 1e3),
            floor_ms: r3(f * 1e3),
        })
        .collect();
    let cost = |n: u32| base.cost_per_hour.map(|c| r3(c * f64::from(n) * HOURS_PER_MONTH));
    let mut report = CapacityReport {
        system: base.system.clone(),
        serving: base.serving.clone(),
        scenario: base.scenario.clone(),
        calibration: base.calibration.clone(),
        seed: base.seed,
        peak_rps: r3(peak),
        peak_from: peak_from.clone(),
        concurrency: base.concurrency,
        interpreters: base.interpreters,
        declared_replicas: base.replicas,
        trial_requests,
        constraints,
        simulated: Answer::NotFound { up_to: 0, reason: String::new() },
        analytic: analytic(base, peak, &cost),
        sizing: None,
        trials: Vec::new(),
    };
    if let Some(((label, _, limit), f)) = base.slo.iter().zip(&floor).find(|((_, _, limit), f)| **f > *limit) {
        report.simulated = Answer::Infeasible { constraint: format!("latency {label}"), floor_ms: r3(f * 1e3), limit_ms: r3(limit * 1e3) };
        return report;
    }
    // Stability: workers must at least cover the offered work.
    let work = peak * min_work_per_request(base);
    let busy = work / f64::from(base.concurrency);
    let lower = (busy.floor() as u32 + 1).max(1);
    if base.slo.is_empty() {
        report.simulated = Answer::NoConstraint { stable_from: lower };
        let why = format!(
            "{} keep up at all ({} busy replicas of work; no latency constraint to size for)",
            n_replicas(lower),
            mlspec_ir::numbers::num((busy * 100.0).round() / 100.0)
        );
        report.sizing = Some(sizing(base, peak, &peak_from, Basis::Stability, lower, why, busy));
        return report;
    }
    let run = |n: u32, trials: &mut Vec<Trial>| -> bool {
        if let Some(t) = trials.iter().find(|t| t.replicas == n) {
            return t.met;
        }
        let r: LoadReport = simulate(&trial_plan(base, peak, n, trial_requests), &mut |_| {});
        let met = r.slo.iter().all(|s| s.met);
        trials.push(Trial { replicas: n, met, values_ms: r.slo.iter().map(|s| s.value_ms).collect(), utilization: r.utilization });
        met
    };
    let mut trials = Vec::new();
    // Grow until met, then bisect between the last miss and the first hit.
    let (mut miss, mut hit) = (lower.saturating_sub(1), lower);
    while !run(hit, &mut trials) {
        miss = hit;
        if hit >= MAX_REPLICAS {
            trials.sort_by_key(|t| t.replicas);
            report.trials = trials;
            report.simulated = Answer::NotFound {
                up_to: MAX_REPLICAS,
                reason: "the latency limit is not met at any fleet size tried: look at batching waits and the slowest stage".into(),
            };
            return report;
        }
        hit = (hit.saturating_mul(2)).min(MAX_REPLICAS);
    }
    while hit - miss > 1 {
        let mid = miss + (hit - miss) / 2;
        if run(mid, &mut trials) {
            hit = mid;
        } else {
            miss = mid;
        }
    }
    // The fleet below the answer: a trial already when the search bisected
    // down to it, else (the stability bound met at once) one more.
    if hit > 1 {
        run(hit - 1, &mut trials);
    }
    trials.sort_by_key(|t| t.replicas);
    if let Some(t) = trials.iter().find(|t| t.replicas == hit) {
        let below = trials.iter().find(|t| t.replicas + 1 == hit).cloned();
        let why = format!(
            "{hit} meet every latency constraint (simulated: {}, {} busy{})",
            slo_values(base, &t.values_ms, false),
            whole_pct(t.utilization),
            below.as_ref().map(|b| format!("; {} miss: {}", b.replicas, slo_values(base, &b.values_ms, true))).unwrap_or_default()
        );
        let sized = sizing(base, peak, &peak_from, Basis::Simulated, hit, why, t.utilization * f64::from(hit));
        report.simulated = Answer::Found {
            replicas: sized.replicas,
            meets_slo: hit,
            cost_per_month: cost(sized.replicas),
            values_ms: t.values_ms.clone(),
            utilization: t.utilization,
            below,
        };
        report.sizing = Some(sized);
    }
    report.trials = trials;
    report
}

/// `p99 10.6 ms, p50 4.49 ms`; with `missed`, only the constraints missed,
/// against their limits: `p99 229 ms > 100 ms`.
fn slo_values(plan: &Plan, values_ms: &[f64], missed: bool) -> String {
    plan.slo
        .iter()
        .zip(values_ms)
        .filter(|((_, _, limit), v)| !missed || **v > limit * 1e3)
        .map(
            |((label, _, limit), v)| {
                if missed {
                    format!("{label} {} > {}", ms(v / 1e3), ms(*limit))
                } else {
                    format!("{label} {}", ms(v / 1e3))
                }
            },
        )
        .collect::<Vec<_>>()
        .join(", ")
}

/// A utilisation as a whole percentage: `85%`.
fn whole_pct(u: f64) -> String {
    format!("{}%", (u * 100.0).round())
}

/// The one sizing model ([`mlspec_ir::capacity::size`]) over the simulated base.
fn sizing(plan: &Plan, peak: f64, peak_from: &str, basis: Basis, base: u32, base_rule: String, busy_replicas: f64) -> Sizing {
    let autoscale = plan.autoscale.as_ref().map(|a| match a.on {
        ScaleOn::Cpu(t) => (AutoscaleSignal::Cpu, t),
        ScaleOn::Rps(t) => (AutoscaleSignal::Rps, t),
    });
    size(&Inputs {
        serving: &plan.serving,
        scenario: &plan.scenario,
        peak_rps: peak,
        peak_from: peak_from.to_string(),
        basis,
        base,
        base_rule,
        busy_replicas,
        availability: plan.availability,
        autoscale,
        declared: plan.replicas,
    })
}

/// M/M/c by Erlang C, when the serving is one exponential stage behind a
/// shared queue with no cache and no batching.
fn analytic(plan: &Plan, peak: f64, cost: &dyn Fn(u32) -> Option<f64>) -> Option<Analytic> {
    let busy: Vec<_> = plan.stages.iter().filter(|s| s.sampler != Sampler::Fixed(0.0)).collect();
    let [only] = busy.as_slice() else { return None };
    let mean = only.sampler.exponential_mean()?;
    if plan.balancer != Balancer::SharedQueue || plan.cache_hit > 0.0 || only.batch.is_some() || mean <= 0.0 {
        return None;
    }
    // The exponential service alone must fit under every limit.
    if plan.slo.iter().any(|(_, p, limit)| -(1.0 - p).ln() * mean > *limit) {
        return None;
    }
    let first = ((peak * mean / f64::from(plan.concurrency)).floor() as u32 + 1).max(1);
    for replicas in first..=MAX_REPLICAS {
        let workers = replicas.saturating_mul(plan.concurrency);
        let q = Mmc { c: workers, lambda: peak, mu: 1.0 / mean };
        let values: Vec<f64> = plan.slo.iter().map(|(_, p, _)| q.sojourn_quantile(*p)).collect();
        if values.iter().zip(&plan.slo).all(|(v, (_, _, limit))| v <= limit) {
            return Some(Analytic {
                model: format!("M/M/c (Erlang C), c = replicas × {} workers, mean service {} ms", plan.concurrency, r3(mean * 1e3)),
                replicas,
                workers,
                prob_wait: r3(q.prob_wait() * 1e3) / 1e3,
                values_ms: values.iter().map(|v| r3(v * 1e3)).collect(),
                cost_per_month: cost(replicas),
            });
        }
    }
    None
}
