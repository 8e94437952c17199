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
