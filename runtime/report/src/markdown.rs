//! The report as Markdown, for design documents and pull requests.

use super::replications::Intervals;
use super::table::{Cell, Column, Table};
use super::text::{share, wait_line};
use super::{count_bound, duration, group, load, money, pct, trim1};
use mlspec_sim::summary::TimelinePoint;
use mlspec_sim::LoadReport;
use std::fmt::Write;

/// At most this many timeline rows; longer timelines are merged evenly.
const TIMELINE_ROWS: usize = 24;

/// `mean 6.1 ms, p50 0.8 ms, p99 43.9 ms`, with intervals when replicated
/// (`mean 6.1 [5.4, 12] · …`, in ms).
pub(crate) fn queueing(r: &LoadReport, iv: &Intervals) -> String {
    if iv.get("wait_ms.mean").is_some() {
        format!("{} (ms)", wait_line(r, iv))
    } else {
        format!("mean {} ms, p50 {} ms, p99 {} ms", r.wait_ms.mean, r.wait_ms.p50, r.wait_ms.p99)
    }
}

/// The busy share, fleet and cost, with intervals when replicated.
pub(crate) fn capacity_line(r: &LoadReport, iv: &Intervals) -> String {
    let cost = match r.cost_per_month {
        Some(m) => format!(" Cost: {}{}/month at the mean fleet.", money(m), iv.bracket("cost_per_month", money)),
        None => " No instance cost declared.".to_string(),
    };
    format!(
        "Workers busy {}{} of the time. Replicas: min {}, max {}, mean {}{}.{cost}",
        pct(r.utilization * 100.0),
        iv.bracket("utilization", share),
        r.replicas.min,
        r.replicas.max,
        trim1(r.replicas.mean),
        iv.bracket("replicas.mean", |x| format!("{x:.2}"))
    )
}

/// How many steps of a timeline of `steps` one row merges.
pub(crate) fn steps_per_row(steps: usize) -> usize {
    steps.div_ceil(TIMELINE_ROWS).max(1)
}

/// The Markdown report of a load run: `iv` the figures' intervals when
/// replicated, `replications` the line saying how the figures were made.
pub fn markdown(r: &LoadReport, iv: &Intervals, replications: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Load simulation: {} / {}\n", r.system, r.serving);
    let _ = writeln!(s, "**{}**\n", super::load_verdict_in(r, iv));
    let _ = writeln!(
        s,
        "Scenario `{}`, seed {}: {}{} requests over {} simulated. Traffic: {}.\n\n{replications}\n",
        r.scenario,
        r.seed,
        group(r.requests),
        iv.bracket("requests", count_bound),
        duration(r.simulated_s),
        super::traffic_line(r)
    );
    if let Some(cal) = &r.calibration {
        let _ = writeln!(s, "Service times calibrated on the real server: `{cal}`.\n");
    }
    if let Some(line) = super::interpreters_line(r) {
        let _ = writeln!(s, "{}{}.\n", line[..1].to_uppercase(), &line[1..]);
    }
    let _ = write!(s, "## Service level\n\n{}", load::slo(r, iv).markdown());
    let _ = write!(s, "\n## Latency (ms)\n\n{}", load::latency_in(&r.latency_ms, None, iv).markdown());
    let _ = writeln!(
        s,
        "\nQueueing before service: {}; {}{} of requests waited.\n",
        queueing(r, iv),
        pct(r.prob_wait * 100.0),
        iv.bracket("prob_wait", share)
    );
    let _ = write!(s, "## Requests\n\n{}", load::requests(r, iv).markdown());
    if let Some(causes) = super::loss_causes(r) {
        let _ = write!(s, "\n{causes}.\n");
    }
    let _ = write!(s, "\n## Stages\n\n{}", load::stages(r).markdown());
    let _ = writeln!(s, "\n## Capacity\n\n{}", capacity_line(r, iv));
    let mut timeline = Table::new(vec![
        Column::left("from"),
        Column::right("arrivals rps"),
        Column::right("p50 ms"),
        Column::right("p99 ms"),
        Column::right("utilisation"),
        Column::right("replicas"),
        Column::right("queue"),
        Column::right("fallbacks"),
        Column::right("rejected"),
    ]);
    let k = steps_per_row(r.timeline.len());
    for chunk in r.timeline.chunks(k) {
        let n = chunk.len() as f64;
        let mean = |f: &dyn Fn(&TimelinePoint) -> f64| chunk.iter().map(f).sum::<f64>() / n;
        let max = |f: &dyn Fn(&TimelinePoint) -> f64| chunk.iter().map(f).fold(0.0, f64::max);
        let t0 = chunk.first().map_or(0.0, |p| p.t_s);
        timeline.row(
            [
                duration(t0),
                trim1(mean(&|p| p.arrivals_rps)),
                trim1(max(&|p| p.p50_ms)),
                trim1(max(&|p| p.p99_ms)),
                pct(mean(&|p| p.utilization) * 100.0),
                trim1(mean(&|p| p.replicas)),
                trim1(mean(&|p| p.queue_len)),
                group(chunk.iter().map(|p| p.fallbacks).sum()),
                group(chunk.iter().map(|p| p.rejected).sum()),
            ]
            .map(Cell::from)
            .to_vec(),
        );
    }
    let _ = write!(s, "\n## Timeline\n\n{}", timeline.markdown());
    if k > 1 {
        let _ = writeln!(
            s,
            "\nEach row merges {k} steps of {}: rates and levels are means, latencies the worst step.",
            duration(r.timeline_step_s)
        );
    }
    s
}
