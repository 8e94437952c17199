//! The report as Markdown, for design documents and pull requests.

use super::table::{Cell, Column, Table};
use super::{duration, group, load, money, pct, trim1};
use mlspec_sim::summary::TimelinePoint;
use mlspec_sim::LoadReport;
use std::fmt::Write;

/// At most this many timeline rows; longer timelines are merged evenly.
const TIMELINE_ROWS: usize = 24;

/// How many steps of a timeline of `steps` one row merges.
pub(crate) fn steps_per_row(steps: usize) -> usize {
    steps.div_ceil(TIMELINE_ROWS).max(1)
}

pub fn markdown(r: &LoadReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Load simulation: {} / {}\n", r.system, r.serving);
    let _ = writeln!(s, "**{}**\n", super::load_verdict(r));
    let _ = writeln!(
        s,
        "Scenario `{}`, seed {}: {} requests over {} simulated. Traffic: {}.\n",
        r.scenario,
        r.seed,
        group(r.requests),
        duration(r.simulated_s),
        super::traffic_line(r)
    );
    if let Some(cal) = &r.calibration {
        let _ = writeln!(s, "Service times calibrated on the real server: `{cal}`.\n");
    }
    if let Some(line) = super::interpreters_line(r) {
        let _ = writeln!(s, "{}{}.\n", line[..1].to_uppercase(), &line[1..]);
    }
    let _ = write!(s, "## Service level\n\n{}", load::slo(r).markdown());
    let _ = write!(s, "\n## Latency (ms)\n\n{}", load::latency(&r.latency_ms, None).markdown());
    let _ = writeln!(
        s,
        "\nQueueing before service: mean {} ms, p50 {} ms, p99 {} ms; {} of requests waited.\n",
        r.wait_ms.mean,
        r.wait_ms.p50,
        r.wait_ms.p99,
        pct(r.prob_wait * 100.0)
    );
    let _ = write!(s, "## Requests\n\n{}", load::requests(r).markdown());
    if let Some(causes) = super::loss_causes(r) {
        let _ = write!(s, "\n{causes}.\n");
    }
    let _ = write!(s, "\n## Stages\n\n{}", load::stages(r).markdown());
    let cost = match r.cost_per_month {
        Some(m) => format!(" Cost: {}/month at the mean fleet.", money(m)),
        None => " No instance cost declared.".to_string(),
    };
    let _ = writeln!(
        s,
        "\n## Capacity\n\nWorkers busy {} of the time. Replicas: min {}, max {}, mean {}.{cost}",
        pct(r.utilization * 100.0),
        r.replicas.min,
        r.replicas.max,
        trim1(r.replicas.mean)
    );
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
