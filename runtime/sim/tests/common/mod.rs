//! Shared by the simulator's tests: specs in, reports out.

#![allow(dead_code)]

use mlspec_check::check_source;
use mlspec_check::simulation::{target, TargetError};
use mlspec_sim::{simulate, LoadReport, Overrides, Plan};

/// A spec with one realtime serving (`serving` is its body) and one
/// scenario (`scenario` is its body).
pub fn spec(serving: &str, scenario: &str) -> String {
    format!(
        "system queue_test {{\n  problem {{ objective \"queueing\"; task regression }}\n  constraints {{ latency p99 < 100ms }}\n  serving api {{\n    mode realtime\n{serving}\n  }}\n  scenario load {{\n{scenario}\n  }}\n}}\n"
    )
}

pub fn plan(src: &str, o: &Overrides) -> Plan {
    let design = check_source(src).design().unwrap_or_else(|diags| {
        let errors: Vec<String> = diags.iter().filter(|d| d.is_error()).map(|d| format!("{} {}", d.code, d.message)).collect();
        panic!("spec has errors: {errors:?}\n{src}")
    });
    let t = match target(&design, None, None, o.requests, &|f| Err(format!("no file {f}"))) {
        Ok(t) => t,
        Err(TargetError::Spec(d)) => panic!("cannot simulate: {:?}", d.iter().map(|d| &d.message).collect::<Vec<_>>()),
        Err(TargetError::Unknown(u)) => panic!("unknown {}", u.name),
    };
    Plan::new(&design, &t, o).expect("a plan")
}

/// Runs a spec and checks what must hold in every run: every request is
/// accounted for, and Little's law (L = λW) holds.
pub fn run(src: &str) -> LoadReport {
    let r = simulate(&plan(src, &Overrides::default()), &mut |_| {});
    assert_invariants(&r);
    r
}

pub fn assert_invariants(r: &LoadReport) {
    assert_eq!(r.requests, r.completed + r.fallbacks + r.rejected + r.errors, "every request is answered or counted");
    let l = r.littles_law.mean_in_system;
    let lw = r.littles_law.arrival_rate_times_mean_time;
    // Over a run that starts and ends empty, L = λW exactly; the only slack
    // is the rounding of both figures to 6 decimals.
    assert!((l - lw).abs() <= 1e-5 + 1e-6 * l, "Little's law: L = {l}, λW = {lw}");
    // The time-weighted fleet lies within the fleet's range, and the timeline
    // integrates to it (each step holds its share of the run).
    let (lo, hi, mean) = (f64::from(r.replicas.min), f64::from(r.replicas.max), r.replicas.mean);
    assert!(mean >= lo - 1e-3 && mean <= hi + 1e-3, "mean replicas {mean} outside {lo}..{hi}");
    let step = r.timeline_step_s;
    let covered: f64 = r.timeline.iter().map(|p| p.replicas * step.min(r.simulated_s - p.t_s)).sum();
    assert!((covered / r.simulated_s - mean).abs() <= 1e-3 * mean.max(1.0) + 1e-3, "timeline replicas {covered} vs mean {mean}");
}

/// |a − b| ≤ tol × b
pub fn close(what: &str, got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol * want.abs(), "{what}: simulated {got}, theory {want} (tolerance {:.1}%)", tol * 100.0);
}

// ---- statistical checks ---------------------------------------------------
//
// Every statistical test states, in its file, the distribution of each
// statistic it checks when the simulator is right, the tolerance in standard
// deviations and the resulting false-failure rate, at most 1 in 1,000 per
// test. The default run uses one fixed seed per test. With
// `MLSPEC_SLOW_SEEDS=N` each statistical test instead runs over N other
// seeds and prints how many failed, per check:
//
//     MLSPEC_SLOW_SEEDS=50 cargo test -p mlspec-sim --tests --no-fail-fast -- --nocapture --test-threads 1
//
// (`MLSPEC_STATS=1` also prints every t and interval width.)
//
// and fails only if more seeds failed than a rate of 1 in 1,000 explains
// (more than 1 + N/100: for N ≤ 100 the chance of two or more failures at
// that rate is under N² · 1e-6 / 2 ≤ 0.005).

/// Replications per statistic: a run of n requests is made as `REPLICATIONS`
/// independent runs of n / `REPLICATIONS` (their own seeds, each starting
/// empty), so the autocorrelation of queue waits stays inside each run and
/// the runs' statistics are independent: their spread estimates the
/// standard error without a model of that autocorrelation.
pub const REPLICATIONS: u64 = 40;

/// The Student t bound for [`Checks::replicated`]: with 40 replications
/// (39 degrees of freedom), P(|t| > 4.5) = 6.0e-5 two-sided.
pub const T_BOUND: f64 = 4.5;
pub const T_BOUND_RATE: f64 = 6.0e-5;

/// `MLSPEC_SLOW_SEEDS`, if set to a positive count.
pub fn slow_seeds() -> Option<u64> {
    std::env::var("MLSPEC_SLOW_SEEDS").ok().and_then(|s| s.trim().parse().ok()).filter(|&n| n > 0)
}

/// The seeds of the `REPLICATIONS` runs of one statistical test run.
pub fn replication_seeds(seed: u64) -> impl Iterator<Item = u64> {
    (0..REPLICATIONS).map(move |k| seed * 1000 + k)
}

/// Checks that record their failures instead of panicking, so that the slow
/// mode can count them per check.
#[derive(Default)]
pub struct Checks {
    pub failures: Vec<(String, String)>,
}

impl Checks {
    pub fn check(&mut self, name: &str, ok: bool, detail: impl FnOnce() -> String) {
        if !ok {
            self.failures.push((name.to_string(), detail()));
        }
    }

    /// |got − want| ≤ tol (absolute).
    pub fn within(&mut self, name: &str, got: f64, want: f64, tol: f64) {
        self.check(name, (got - want).abs() <= tol, || format!("got {got}, want {want} ± {tol}"));
    }

    /// A normal statistic with known standard deviation `sd`: |got − want| ≤ z × sd.
    pub fn normal(&mut self, name: &str, got: f64, want: f64, sd: f64, z: f64) {
        self.check(name, (got - want).abs() <= z * sd, || format!("got {got}, want {want} ± {z} × {sd} ({:.2} sd)", (got - want) / sd));
    }

    /// The mean of independent replications' values against `want`:
    /// |t| = |x̄ − want| / (s / √k) ≤ [`T_BOUND`]. Also fails when the
    /// bound's half-width is above `max_half_width` (absolute), so that a
    /// simulator whose runs spread much more than they should cannot pass by
    /// widening its own interval.
    pub fn replicated(&mut self, name: &str, xs: &[f64], want: f64, max_half_width: f64) {
        let k = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / k;
        let s = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (k - 1.0)).sqrt();
        let se = s / k.sqrt();
        let half = T_BOUND * se;
        if std::env::var_os("MLSPEC_STATS").is_some() {
            eprintln!(
                "stats: {name}: mean {mean:.6} theory {want:.6} t {:.2} half-width {half:.6} ({:.3}% of theory) guard {max_half_width}",
                (mean - want) / se,
                100.0 * half / want.abs()
            );
        }
        self.check(name, (mean - want).abs() <= half && half <= max_half_width, || {
            format!(
                "mean of {k} runs {mean:.6}, theory {want:.6}, t = {:.2}, half-width {half:.6} (at most {max_half_width})",
                (mean - want) / se
            )
        });
    }

    /// A count that is Poisson with mean `mean` when the simulator is right:
    /// fails when either tail at `k` is below `alpha / 2` (exact tails).
    pub fn poisson(&mut self, name: &str, k: u64, mean: f64, alpha: f64) {
        let (lower, upper) = poisson_tails(k, mean);
        self.check(name, lower > alpha / 2.0 && upper > alpha / 2.0, || {
            format!("count {k}, Poisson mean {mean:.1}: P(X ≤ k) = {lower:.2e}, P(X ≥ k) = {upper:.2e}, two-sided alpha {alpha}")
        });
    }
}

/// (P(X ≤ k), P(X ≥ k)) for X Poisson with mean `mean`, summed in logs.
pub fn poisson_tails(k: u64, mean: f64) -> (f64, f64) {
    let log_pmf = |i: u64| -mean + i as f64 * mean.ln() - ln_factorial(i);
    let sum = |range: &mut dyn Iterator<Item = u64>| range.map(|i| log_pmf(i).exp()).sum::<f64>();
    let top = (mean + 40.0 * mean.sqrt() + 40.0) as u64;
    let lower = sum(&mut (0..=k));
    let upper = sum(&mut (k..=top.max(k)));
    (lower.min(1.0), upper.min(1.0))
}

fn ln_factorial(n: u64) -> f64 {
    if n < 20 {
        (1..=n).map(|i| (i as f64).ln()).sum()
    } else {
        // Stirling with two correction terms: error below 1e-10 for n ≥ 20.
        let x = n as f64;
        x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x) - 1.0 / (360.0 * x.powi(3))
    }
}

/// The reports of the [`REPLICATIONS`] runs of `src(seed)`, each checked
/// for the invariants (conservation of requests, Little's law).
pub fn replicate(seed: u64, src: impl Fn(u64) -> String) -> Vec<LoadReport> {
    replication_seeds(seed).map(|s| run(&src(s))).collect()
}

/// One figure of every report.
/// Busy worker-seconds (interpreter-seconds in a calibrated plan) over
/// those available while arrivals came: the drain after the last arrival
/// left out.
pub fn busy_while_arriving(r: &LoadReport) -> f64 {
    r.utilization * r.simulated_s / (r.requests as f64 / r.arrival_rate_rps)
}

pub fn each(reports: &[LoadReport], f: impl Fn(&LoadReport) -> f64) -> Vec<f64> {
    reports.iter().map(f).collect()
}

/// Runs a statistical test: once at `seed` by default, or over
/// `MLSPEC_SLOW_SEEDS` other seeds, reporting the failures per check.
pub fn statistical(test: &str, seed: u64, body: impl Fn(u64, &mut Checks)) {
    let Some(n) = slow_seeds() else {
        let mut c = Checks::default();
        body(seed, &mut c);
        assert!(c.failures.is_empty(), "{test} (seed {seed}): {:#?}", c.failures);
        return;
    };
    let mut failed_seeds = Vec::new();
    let mut per_check: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for i in 0..n {
        // Seeds far from the default ones and from each other's replications.
        let s = 1_000_000 + seed * 10_000 + i;
        let mut c = Checks::default();
        body(s, &mut c);
        if !c.failures.is_empty() {
            for (name, detail) in &c.failures {
                *per_check.entry(name.clone()).or_default() += 1;
                eprintln!("slow mode: {test}: seed {s}: {name}: {detail}");
            }
            failed_seeds.push(s);
        }
    }
    eprintln!("slow mode: {test}: {} of {n} seeds failed {per_check:?}", failed_seeds.len());
    assert!(failed_seeds.len() as u64 <= 1 + n / 100, "{test}: {} of {n} seeds failed: {failed_seeds:?}", failed_seeds.len());
}

// ---- closed forms beyond `mlspec_sim::queueing` -----------------------------

/// M/M/c/K: c servers, room for K requests in all (K − c waiting), Poisson
/// arrivals at `lambda`, exponential service at `mu` per server. With
/// a = λ/μ, p_n ∝ aⁿ/n! for n ≤ c and a^c/c! · (a/c)^(n−c) for c < n ≤ K.
/// Returns (P(an arrival is blocked) = p_K by PASTA, mean time in system of
/// an admitted request = L / (λ (1 − p_K)) by Little's law).
pub fn mmck(c: u32, k: u32, lambda: f64, mu: f64) -> (f64, f64) {
    let a = lambda / mu;
    let mut w = Vec::with_capacity(k as usize + 1);
    let mut term = 1.0;
    for n in 0..=k {
        if n > 0 {
            term *= a / f64::from(n.min(c));
        }
        w.push(term);
    }
    let total: f64 = w.iter().sum();
    let blocked = w[k as usize] / total;
    let l: f64 = w.iter().enumerate().map(|(n, p)| n as f64 * p / total).sum();
    (blocked, l / (lambda * (1.0 - blocked)))
}

/// Round robin over `r` single-server replicas fed by Poisson arrivals at
/// `lambda` in all: each replica sees every r-th arrival, so Erlang-r gaps
/// (r phases of rate λ), and is an E_r/M/1 queue. As for every GI/M/1, an
/// arrival finds the server busy with probability σ, the root in (0, 1) of
/// σ = A*(μ(1 − σ)) with A*(s) = (λ / (λ + s))^r, and its time in system is
/// exponential with rate μ(1 − σ). Returns σ.
pub fn erlang_r_sigma(r: u32, lambda: f64, mu: f64) -> f64 {
    let mut s: f64 = lambda / (f64::from(r) * mu);
    for _ in 0..10_000 {
        let next = (lambda / (lambda + mu * (1.0 - s))).powi(r as i32);
        if (next - s).abs() < 1e-15 {
            return next;
        }
        s = next;
    }
    s
}

/// Join the shortest queue over two single-server replicas (ties to the
/// first), Poisson arrivals at `lambda`, exponential service at `mu`: the
/// Markov chain of (n₁, n₂) solved numerically (Gauss–Seidel), truncated at
/// `m` per replica. Returns (mean time in system W = L / λ, P(an arrival
/// waits) = P(both busy) by PASTA).
pub fn jsq2(lambda: f64, mu: f64, m: usize) -> (f64, f64) {
    let idx = |i: usize, j: usize| i * (m + 1) + j;
    // An arrival in state (i, j) joins the first replica when i ≤ j.
    let to_first = |i: usize, j: usize| i <= j;
    let states = (m + 1) * (m + 1);
    let mut p = vec![1.0 / states as f64; states];
    for _ in 0..200_000 {
        let mut change: f64 = 0.0;
        for i in 0..=m {
            for j in 0..=m {
                let arrival_out = if to_first(i, j) { i < m } else { j < m };
                let out = if arrival_out { lambda } else { 0.0 } + if i > 0 { mu } else { 0.0 } + if j > 0 { mu } else { 0.0 };
                let mut inflow = 0.0;
                if i > 0 && to_first(i - 1, j) {
                    inflow += p[idx(i - 1, j)] * lambda;
                }
                if j > 0 && !to_first(i, j - 1) {
                    inflow += p[idx(i, j - 1)] * lambda;
                }
                if i < m {
                    inflow += p[idx(i + 1, j)] * mu;
                }
                if j < m {
                    inflow += p[idx(i, j + 1)] * mu;
                }
                let new = inflow / out;
                change = change.max((new - p[idx(i, j)]).abs());
                p[idx(i, j)] = new;
            }
        }
        let total: f64 = p.iter().sum();
        p.iter_mut().for_each(|x| *x /= total);
        if change < 1e-14 {
            break;
        }
    }
    let l: f64 = (0..=m).flat_map(|i| (0..=m).map(move |j| (i, j))).map(|(i, j)| (i + j) as f64 * p[idx(i, j)]).sum();
    let both: f64 = (1..=m).flat_map(|i| (1..=m).map(move |j| (i, j))).map(|(i, j)| p[idx(i, j)]).sum();
    (l / lambda, both)
}
