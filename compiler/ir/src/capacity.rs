//! The one model of a serving's capacity: how many replicas it runs at its
//! peak, and the rule behind each part of the count. `review`, `capacity`,
//! `simulate` and `doc` print [`Sizing::sentence`], so one design reads one
//! replica count everywhere.
//!
//! Each factor is counted once, in one place:
//! - the **answer cache** and **full batches** in the work one request brings
//!   ([`work_per_request_s`]), or in the simulated trials;
//! - **concurrency** in the workers per replica;
//! - the **latency constraints** in the base: the fewest replicas that meet
//!   them all at the peak, simulated (`mlspec_sim::capacity`); without a
//!   simulation, the fewest that keep up at all (stability), said so;
//! - the **availability spare**: one replica more than the base when the
//!   design declares `availability`, so that one replica down (a deploy, a
//!   lost node) still leaves the base;
//! - the **autoscale target**: the replicas at which the autoscaler's signal
//!   sits at its target at the peak, since it scales to hold that.
//!
//! The count is the largest of base + spare, the autoscaler's, and the
//! declared minimum.
//!
//! **Invariant:** the compiler crates size from declared times
//! ([`work_per_request_s`]); the simulator from its trials; both go through
//! [`size`], so the rules and the words are the same.

use crate::numbers::{count, ms, num, pct, rate, round3};
use crate::vocab::AutoscaleSignal;
use crate::{cost, Design, Phase, Serving};
use serde::Serialize;

/// The replica count at a serving's peak and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sizing {
    pub serving: String,
    /// The scenario whose peak is sized for (`default` without scenarios).
    pub scenario: String,
    pub peak_rps: f64,
    /// Where the peak comes from, in words: "scenario `peak_day`", or "the
    /// throughput constraint" when that is higher than the scenario's peak.
    pub peak_from: String,
    /// How the base was found: `simulated` (latency constraints met in
    /// trials) or `stability` (declared times, no queueing model).
    pub basis: Basis,
    /// The fewest replicas that meet every latency constraint at the peak
    /// (simulated), or that keep up with it at all (stability).
    pub base: u32,
    /// Replicas kept spare for the availability target.
    pub spare: u32,
    /// The replicas at which the autoscaler's signal is at its target at the peak.
    pub autoscale: Option<u32>,
    /// The count: the largest of base + spare, the autoscaler's and the declared minimum.
    pub replicas: u32,
    pub declared: (u32, u32),
    /// What the declared maximum fleet serves at the base's load per replica.
    pub fleet_rps: f64,
    /// Each rule applied, in words, in the order above.
    pub rules: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    Simulated,
    Stability,
}

/// What [`size`] needs: the peak, the base and how busy it is, and the
/// design's availability, autoscaling and declared replicas.
#[derive(Clone, Debug)]
pub struct Inputs<'a> {
    pub serving: &'a str,
    pub scenario: &'a str,
    pub peak_rps: f64,
    pub peak_from: String,
    pub basis: Basis,
    pub base: u32,
    /// Why the base is what it is, in words (the caller knows: trial values
    /// or the stability arithmetic).
    pub base_rule: String,
    /// The offered work at the peak, in replicas fully busy (the base's
    /// utilisation × the base).
    pub busy_replicas: f64,
    pub availability: Option<f64>,
    pub autoscale: Option<(AutoscaleSignal, f64)>,
    pub declared: (u32, u32),
}

pub fn size(i: &Inputs<'_>) -> Sizing {
    let base = i.base.max(1);
    let mut rules = vec![i.base_rule.clone()];
    let spare = u32::from(i.availability.is_some());
    if let Some(a) = i.availability {
        rules.push(format!(
            "{} with one spare for `availability {}`: one replica down (a deploy, a lost node) still leaves {base}",
            base + spare,
            pct(a)
        ));
    }
    let autoscale = i.autoscale.map(|(signal, target)| {
        let (n, why) = match signal {
            AutoscaleSignal::Cpu => {
                let t = target.clamp(0.01, 1.0);
                let n = ceil(i.busy_replicas / t);
                (n, format!("{} busy replicas ÷ the `cpu {}` target", num(round2(i.busy_replicas)), pct(t)))
            }
            AutoscaleSignal::Rps => {
                let t = target.max(1e-9);
                (ceil(i.peak_rps / t), format!("{} rps ÷ the `rps {}` target per replica", rate(i.peak_rps), rate(t)))
            }
        };
        rules.push(format!("{n} for the autoscaler: {why}"));
        n
    });
    let mut replicas = (base + spare).max(autoscale.unwrap_or(0));
    if i.declared.0 > replicas {
        replicas = i.declared.0;
        rules.push(format!("{replicas}, the declared minimum (`replicas {}..{}`)", i.declared.0, i.declared.1));
    }
    if replicas > i.declared.1 {
        rules.push(format!("above the declared maximum of {}: raise `replicas` to {}..{replicas} or more", i.declared.1, i.declared.0));
    }
    let fleet_rps = f64::from(i.declared.1) * i.peak_rps / f64::from(base);
    Sizing {
        serving: i.serving.to_string(),
        scenario: i.scenario.to_string(),
        peak_rps: round3(i.peak_rps),
        peak_from: i.peak_from.clone(),
        basis: i.basis,
        base,
        spare,
        autoscale,
        replicas,
        declared: i.declared,
        fleet_rps: round3(fleet_rps),
        rules,
    }
}

impl Sizing {
    /// Whether the declared maximum holds the count.
    pub fn within_declared(&self) -> bool {
        self.replicas <= self.declared.1
    }

    /// The count and its rules in one sentence, as every command prints it:
    /// "8 replicas at the peak of 8,897 rps (scenario `peak_day`): 6 meet …; 7 with one spare …; 8 for the autoscaler: …".
    pub fn sentence(&self) -> String {
        format!("{} at the peak of {} rps ({}): {}", replicas(self.replicas), rate(self.peak_rps), self.peak_from, self.rules.join("; "))
    }

    /// The capacity figure, in one clause: "the declared maximum of 20 replicas serves about 29,655 rps at the base's 1,483 rps per replica".
    pub fn fleet(&self) -> String {
        format!(
            "the declared maximum of {} serves about {} rps at the base's {} rps per replica",
            replicas(self.declared.1),
            count(self.fleet_rps),
            rate(self.peak_rps / f64::from(self.base.max(1)))
        )
    }
}

/// Where a peak comes from, in words, for [`Sizing::peak_from`]: "scenario
/// `x`", or "the throughput constraint" for the default scenario
/// ([`crate::traffic::DEFAULT_SCENARIO`]), which runs at it.
pub fn peak_from(scenario: &str) -> String {
    if scenario == crate::traffic::DEFAULT_SCENARIO {
        "the throughput constraint".to_string()
    } else {
        format!("scenario `{scenario}`")
    }
}

/// "1 replica", "8 replicas".
pub fn replicas(n: u32) -> String {
    if n == 1 {
        "1 replica".to_string()
    } else {
        format!("{n} replicas")
    }
}

/// One stage's share of a request's work, for [`work_per_request_s`].
#[derive(Clone, Copy, Debug)]
pub struct StageWork {
    pub mean_s: f64,
    /// Calls a model: skipped on an answer-cache hit.
    pub model: bool,
    /// (largest batch, marginal share of each further item)
    pub batch: Option<(u32, f64)>,
}

/// Worker-seconds one request brings when batches are full and cache hits
/// skip the model stages: the least work per request, so `peak × this ÷
/// concurrency` replicas are the fewest that keep up at all.
pub fn work_per_request_s(stages: impl IntoIterator<Item = StageWork>, cache_hit: f64) -> f64 {
    stages
        .into_iter()
        .map(|s| {
            let share = if s.model { 1.0 - cache_hit.clamp(0.0, 1.0) } else { 1.0 };
            let per = match s.batch {
                Some((n, marginal)) if n > 1 => s.mean_s * (1.0 + marginal * (f64::from(n) - 1.0)) / f64::from(n),
                _ => s.mean_s,
            };
            share * per
        })
        .sum()
}

/// The work of one request through `serving` from its declared or estimated
/// stage times; `None` when a stage's time is only known from a file.
pub fn declared_work_s<P: Phase>(d: &Design<P>, s: &Serving) -> Option<f64> {
    let stages: Option<Vec<StageWork>> = s
        .stages
        .iter()
        .map(|st| {
            let service = cost::stage_service(d, s, st);
            Some(StageWork {
                mean_s: service.dist.mean_s()?,
                model: st.model.is_some(),
                batch: st.batch.map(|(n, _)| (n.clamp(1, 1 << 20) as u32, service.batch_marginal)),
            })
        })
        .collect();
    let cache_hit = s.cache.map_or(0.0, |(_, p)| p);
    let w = work_per_request_s(stages?, cache_hit);
    (w.is_finite() && w > 0.0).then_some(w)
}

/// The sizing from declared times alone, for a design the simulator does
/// not size: the base keeps up with the peak at all (no latency model).
pub fn from_declared<P: Phase>(d: &Design<P>, s: &Serving, scenario: &str, peak_rps: f64) -> Option<Sizing> {
    let work = declared_work_s(d, s)?;
    let concurrency = s.concurrency.max(1) as f64;
    let busy = peak_rps * work / concurrency;
    if !(busy.is_finite() && peak_rps > 0.0) {
        return None;
    }
    let base = (busy.floor() + 1.0).min(1e6) as u32;
    let base_rule = format!(
        "{} keep up at all ({} rps × {} per request ÷ {} concurrency = {} busy replicas; not a latency model: `mlspec capacity` simulates the latency constraints)",
        replicas(base),
        rate(peak_rps),
        ms(work),
        s.concurrency,
        num(round2(busy))
    );
    Some(size(&Inputs {
        serving: &s.name,
        scenario,
        peak_rps,
        peak_from: peak_from(scenario),
        basis: Basis::Stability,
        base,
        base_rule,
        busy_replicas: busy,
        availability: d.constraints.availability,
        autoscale: s.autoscale.as_ref().map(|a| (a.on, a.target)),
        declared: declared_replicas(s),
    }))
}

/// The most replicas a fleet is planned with.
pub const MAX_REPLICAS: u64 = 100_000;

/// A serving's declared replica range as fleets are planned: each end in
/// 1..=[`MAX_REPLICAS`], the maximum at least the minimum.
pub fn declared_replicas(s: &Serving) -> (u32, u32) {
    let clamp = |n: u64| n.clamp(1, MAX_REPLICAS) as u32;
    (clamp(s.replicas.0), clamp(s.replicas.1.max(s.replicas.0)))
}

fn ceil(x: f64) -> u32 {
    if x.is_finite() && x > 0.0 {
        x.ceil().min(1e6) as u32
    } else {
        1
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(availability: Option<f64>, autoscale: Option<(AutoscaleSignal, f64)>) -> Inputs<'static> {
        Inputs {
            serving: "api",
            scenario: "peak",
            peak_rps: 1000.0,
            peak_from: "scenario `peak`".into(),
            basis: Basis::Simulated,
            base: 6,
            base_rule: "6 meet every latency constraint".into(),
            busy_replicas: 5.1,
            availability,
            autoscale,
            declared: (2, 20),
        }
    }

    #[test]
    fn each_rule_counts_once_and_the_largest_wins() {
        let bare = size(&inputs(None, None));
        assert_eq!((bare.base, bare.spare, bare.autoscale, bare.replicas), (6, 0, None, 6));
        let spare = size(&inputs(Some(0.999), None));
        assert_eq!((spare.spare, spare.replicas), (1, 7));
        // 5.1 busy ÷ 70% = 7.3 → 8, above 6 + 1: the autoscaler decides.
        let both = size(&inputs(Some(0.999), Some((AutoscaleSignal::Cpu, 0.7))));
        assert_eq!((both.autoscale, both.replicas), (Some(8), 8));
        assert_eq!(both.rules.len(), 3, "{:?}", both.rules);
        // 5.1 ÷ 90% = 5.7 → 6, below 6 + 1: the spare decides.
        let loose = size(&inputs(Some(0.999), Some((AutoscaleSignal::Cpu, 0.9))));
        assert_eq!((loose.autoscale, loose.replicas), (Some(6), 7));
        let per_replica = size(&inputs(None, Some((AutoscaleSignal::Rps, 120.0))));
        assert_eq!(per_replica.replicas, 9, "1,000 rps ÷ 120 per replica");
    }

    #[test]
    fn the_declared_range_is_said() {
        let mut i = inputs(None, None);
        i.declared = (10, 40);
        let s = size(&i);
        assert_eq!(s.replicas, 10);
        assert!(s.rules.last().unwrap().contains("declared minimum"), "{:?}", s.rules);
        i.declared = (1, 4);
        let s = size(&i);
        assert!(!s.within_declared() && s.rules.last().unwrap().contains("above the declared maximum of 4"), "{:?}", s.rules);
        assert_eq!(s.sentence().matches("6 replicas at the peak of 1,000 rps (scenario `peak`)").count(), 1, "{}", s.sentence());
        assert!((s.fleet_rps - 666.667).abs() < 1e-9, "4 × 1,000 ÷ 6: {}", s.fleet_rps);
    }

    #[test]
    fn work_counts_cache_hits_and_full_batches() {
        let stages =
            [StageWork { mean_s: 0.001, model: false, batch: None }, StageWork { mean_s: 0.008, model: true, batch: Some((4, 0.25)) }];
        // 1 ms + 80% × 8 ms × (1 + 0.25 × 3) / 4 = 1 + 2.8 ms.
        assert!((work_per_request_s(stages, 0.2) - 0.0038).abs() < 1e-12);
    }

    #[test]
    fn declared_distributions_have_their_mean_and_quantiles() {
        use crate::LatencyDist;
        let l = LatencyDist::Lognormal { p50_s: 0.035, p99_s: 0.35 };
        assert!((l.quantile_s(0.99).unwrap() - 0.35).abs() < 1e-9);
        assert!((l.quantile_s(0.5).unwrap() - 0.035).abs() < 1e-12);
        // σ = ln 10 / 2.326 = 0.9898; mean = 35 ms × e^(σ²/2) = 57.2 ms.
        assert!((l.mean_s().unwrap() - 0.035 * (0.989_8_f64.powi(2) / 2.0).exp()).abs() < 1e-4);
        let e = LatencyDist::Exponential { mean_s: 0.01 };
        assert!((e.quantile_s(0.99).unwrap() - 0.046_051_7).abs() < 1e-6);
        assert_eq!(LatencyDist::Empirical { file: "x".into() }.quantile_s(0.99), None);
    }
}
