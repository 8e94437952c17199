//! The capacity answer, for a terminal and as Markdown.

use super::{group, money, pct};
use mlspec_sim::capacity::{Answer, CapacityReport};
use std::fmt::Write;

fn values(c: &CapacityReport, v: &[f64]) -> String {
    c.constraints
        .iter()
        .zip(v)
        .map(|(k, v)| format!("{} {v} ms", k.constraint.split_whitespace().nth(1).unwrap_or("")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The answer in one sentence.
pub fn capacity_verdict(c: &CapacityReport) -> String {
    let cost = |m: Option<f64>| m.map(|m| format!(" at {}/month", money(m))).unwrap_or_default();
    match &c.simulated {
        Answer::Found { replicas, cost_per_month, values_ms, utilization } => format!(
            "{replicas} replicas meet every latency constraint at the peak of {} rps{} ({}; {} busy)",
            group(c.peak_rps.round() as u64),
            cost(*cost_per_month),
            values(c, values_ms),
            pct(utilization * 100.0)
        ),
        Answer::Infeasible { constraint, floor_ms, limit_ms } => format!(
            "INFEASIBLE: the stages alone take {floor_ms} ms at the {} quantile, above the {limit_ms} ms limit; no number of replicas can meet `{constraint}`; cut stage latency",
            constraint.trim_start_matches("latency ")
        ),
        Answer::NotFound { up_to, reason } => format!("NOT FOUND up to {up_to} replicas: {reason}"),
        Answer::NoConstraint { stable_from } => format!(
            "no latency constraint declared: {stable_from} replicas are the fewest that keep up with {} rps at all (declare `latency p99 < ...` to size for an SLO)",
            group(c.peak_rps.round() as u64)
        ),
    }
}

pub fn capacity_human(c: &CapacityReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} · serving `{}` · scenario `{}` · peak {} rps", c.system, c.serving, c.scenario, c.peak_rps);
    let _ = writeln!(s, "\n{}\n", capacity_verdict(c));
    let _ = writeln!(s, "  declared     replicas {}..{} × concurrency {}", c.declared_replicas.0, c.declared_replicas.1, c.concurrency);
    for k in &c.constraints {
        let _ = writeln!(s, "  constraint   {} (the stages alone: {} ms)", k.constraint, k.floor_ms);
    }
    match &c.analytic {
        Some(a) => {
            let cost = a.cost_per_month.map(|m| format!(", {}/month", money(m))).unwrap_or_default();
            let _ = writeln!(
                s,
                "  closed form  {} replicas ({} workers, P(wait) {}; {}){cost} by {}",
                a.replicas,
                a.workers,
                a.prob_wait,
                values(c, &a.values_ms),
                a.model
            );
        }
        None => {
            let _ = writeln!(s, "  closed form  none for this serving (only one exponential stage behind a shared queue has one)");
        }
    }
    let _ = writeln!(s, "\n  trials ({} requests each, seed {}):", group(c.trial_requests), c.seed);
    for t in &c.trials {
        let _ = writeln!(
            s,
            "    {:>6} replicas  {}  {}  ({} busy)",
            t.replicas,
            if t.met { "meets " } else { "misses" },
            values(c, &t.values_ms),
            pct(t.utilization * 100.0)
        );
    }
    s
}

pub fn capacity_markdown(c: &CapacityReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Capacity: {} / {}\n\n**{}**\n", c.system, c.serving, capacity_verdict(c));
    let _ = writeln!(s, "Peak {} rps (scenario `{}`); concurrency {} per replica.\n", c.peak_rps, c.scenario, c.concurrency);
    let _ = writeln!(
        s,
        "| replicas | meets | {} | busy |\n|---:|:---:|{}---:|",
        c.constraints.iter().map(|k| k.constraint.clone()).collect::<Vec<_>>().join(" | "),
        "---:|".repeat(c.constraints.len())
    );
    for t in &c.trials {
        let v: Vec<String> = t.values_ms.iter().map(|v| format!("{v} ms")).collect();
        let _ =
            writeln!(s, "| {} | {} | {} | {} |", t.replicas, if t.met { "yes" } else { "no" }, v.join(" | "), pct(t.utilization * 100.0));
    }
    if let Some(a) = &c.analytic {
        let _ = writeln!(s, "\nClosed form ({}): {} replicas.", a.model, a.replicas);
    }
    s
}
