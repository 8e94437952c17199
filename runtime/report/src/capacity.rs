//! The capacity answer, for a terminal and as Markdown.

use super::table::{Cell, Column, Table, TextLayout};
use super::{group, money, pct, percentile_label};
use mlspec_sim::capacity::{Answer, CapacityReport};
use std::fmt::Write;

fn values(c: &CapacityReport, v: &[f64]) -> String {
    c.constraints.iter().zip(v).map(|(k, v)| format!("{} {v} ms", percentile_label(&k.constraint))).collect::<Vec<_>>().join(", ")
}

/// What one replica runs at once: its declared concurrency, or a calibrated
/// replica's processes.
fn per_replica(c: &CapacityReport) -> String {
    match c.interpreters {
        Some(n) => format!("{n} process{} (interpreters)", if n == 1 { "" } else { "es" }),
        None => format!("concurrency {}", c.concurrency),
    }
}

/// The answer in one sentence.
pub fn capacity_verdict(c: &CapacityReport) -> String {
    match &c.simulated {
        Answer::Found { replicas, cost_per_month, .. } => {
            let sentence = c.sizing.as_ref().map_or_else(|| format!("{replicas} replicas"), |z| format!("{}; {}", z.sentence(), z.fleet()));
            let cost = cost_per_month.map(|m| format!(". The count costs {}/month", money(m))).unwrap_or_default();
            format!("{sentence}{cost}")
        }
        Answer::Infeasible { constraint, floor_ms, limit_ms } => format!(
            "INFEASIBLE: the stages alone take {floor_ms} ms at the {} quantile, above the {limit_ms} ms limit; no number of replicas can meet `{constraint}`; cut stage latency",
            constraint.trim_start_matches("latency ")
        ),
        Answer::NotFound { up_to, reason } => format!("NOT FOUND up to {up_to} replicas: {reason}"),
        Answer::NoConstraint { stable_from } => format!(
            "no latency constraint declared: {stable_from} replicas are the fewest that keep up with {} rps at all (declare `latency p99 < ...` to size for an SLO){}",
            group(c.peak_rps.round() as u64),
            c.sizing.as_ref().filter(|z| z.replicas != *stable_from).map(|z| format!("; {}", z.sentence())).unwrap_or_default()
        ),
    }
}

pub fn capacity_human(c: &CapacityReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} · serving `{}` · scenario `{}` · peak {} rps", c.system, c.serving, c.scenario, c.peak_rps);
    if let Some(cal) = &c.calibration {
        let _ = writeln!(s, "service times: {cal}");
    }
    let _ = writeln!(s, "\n{}\n", capacity_verdict(c));
    let per_replica = per_replica(c);
    let _ = writeln!(s, "  declared     replicas {}..{} × {per_replica}", c.declared_replicas.0, c.declared_replicas.1);
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
    // One column per constraint, titled by its percentile, as in Markdown.
    let mut columns = vec![Column::right("replicas"), Column::left("verdict")];
    columns.extend(c.constraints.iter().map(|k| Column::right(percentile_label(&k.constraint).to_string())));
    // The last column is not fitted: `100%` is its widest cell.
    columns.push(Column::right("busy").width(4));
    let mut trials = Table::new(columns).caption(format!("trials ({} requests each, seed {}):", group(c.trial_requests), c.seed));
    for t in &c.trials {
        let mut cells = vec![Cell::from(t.replicas.to_string()), if t.met { "meets" } else { "misses" }.into()];
        cells.extend(t.values_ms.iter().map(|v| Cell::from(format!("{v} ms"))));
        cells.push(pct(t.utilization * 100.0).into());
        trials.row(cells);
    }
    let trials = trials.fitted();
    s.push('\n');
    s.push_str(&trials.text(TextLayout::TERMINAL));
    s
}

pub fn capacity_markdown(c: &CapacityReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Capacity: {} / {}\n\n**{}**\n", c.system, c.serving, capacity_verdict(c));
    let per_replica = per_replica(c);
    let _ = writeln!(s, "Peak {} rps (scenario `{}`); {per_replica} per replica.\n", c.peak_rps, c.scenario);
    if let Some(cal) = &c.calibration {
        let _ = writeln!(s, "Service times calibrated on the real server: `{cal}`.\n");
    }
    s.push_str(&trials_markdown(c));
    if let Some(a) = &c.analytic {
        let _ = writeln!(s, "\nClosed form ({}): {} replicas.", a.model, a.replicas);
    }
    s
}

fn trials_markdown(c: &CapacityReport) -> String {
    if c.constraints.is_empty() {
        // No constraint, no trials. Kept as it has always been printed (a
        // title with no alignment, so not a well-formed table) for
        // byte-identical reports; a [`Table`] would have three columns.
        return "| replicas | meets |  | busy |\n|---:|:---:|---:|\n".to_string();
    }
    let mut columns = vec![Column::right("replicas"), Column::center("meets")];
    columns.extend(c.constraints.iter().map(|k| Column::right(k.constraint.clone())));
    columns.push(Column::right("busy"));
    let mut t = Table::new(columns);
    for trial in &c.trials {
        let mut cells = vec![Cell::from(trial.replicas.to_string()), if trial.met { "yes" } else { "no" }.into()];
        cells.extend(trial.values_ms.iter().map(|v| Cell::from(format!("{v} ms"))));
        cells.push(pct(trial.utilization * 100.0).into());
        t.row(cells);
    }
    t.markdown()
}
