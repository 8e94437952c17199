//! The report as Markdown, for design documents and pull requests.

use super::{duration, group, money, pct, trim1};
use mlspec_sim::LoadReport;
use std::fmt::Write;

/// At most this many timeline rows; longer timelines are merged evenly.
const TIMELINE_ROWS: usize = 24;

pub fn markdown(r: &LoadReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Load simulation: {} / {}\n", r.system, r.serving);
    let _ = writeln!(s, "**{}**\n", super::load_verdict(r));
    let _ = writeln!(
        s,
        "Scenario `{}`, seed {}: {} requests over {} simulated.\n",
        r.scenario,
        r.seed,
        group(r.requests),
        duration(r.simulated_s)
    );
    let _ = writeln!(s, "## Service level\n\n| constraint | simulated | limit | met |\n|---|---:|---:|:---:|");
    for slo in &r.slo {
        let _ = writeln!(
            s,
            "| `{}` | {} ms | {} ms | {} |",
            slo.constraint,
            slo.value_ms,
            slo.limit_ms,
            if slo.met { "yes" } else { "**no**" }
        );
    }
    let l = &r.latency_ms;
    let _ = writeln!(s, "\n## Latency (ms)\n\n| mean | p50 | p90 | p95 | p99 | p99.9 | max |\n|---:|---:|---:|---:|---:|---:|---:|");
    let _ = writeln!(s, "| {} | {} | {} | {} | {} | {} | {} |", l.mean, l.p50, l.p90, l.p95, l.p99, l.p999, l.max);
    let _ = writeln!(
        s,
        "\nQueueing before service: mean {} ms, p50 {} ms, p99 {} ms; {} of requests waited.\n",
        r.wait_ms.mean,
        r.wait_ms.p50,
        r.wait_ms.p99,
        pct(r.prob_wait * 100.0)
    );
    let _ = writeln!(
        s,
        "## Requests\n\n| arrived | by the model | fallback | timed out | rejected | errors |\n|---:|---:|---:|---:|---:|---:|"
    );
    let _ = writeln!(
        s,
        "| {} | {} | {} | {} | {} | {} |",
        group(r.requests),
        group(r.completed),
        group(r.fallbacks),
        group(r.timed_out),
        group(r.rejected),
        group(r.errors)
    );
    let _ = writeln!(s, "\n## Stages\n\n| stage | utilisation | p50 ms | p99 ms | service time |\n|---|---:|---:|---:|---|");
    for st in &r.stages {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} | {} |",
            st.name,
            pct(st.utilization * 100.0),
            st.latency_ms.p50,
            st.latency_ms.p99,
            st.service_time
        );
    }
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
    let _ = writeln!(
        s,
        "\n## Timeline\n\n| from | arrivals rps | p50 ms | p99 ms | utilisation | replicas | queue | fallbacks | rejected |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    let k = r.timeline.len().div_ceil(TIMELINE_ROWS).max(1);
    for chunk in r.timeline.chunks(k) {
        let n = chunk.len() as f64;
        let mean = |f: &dyn Fn(&mlspec_sim::summary::TimelinePoint) -> f64| chunk.iter().map(f).sum::<f64>() / n;
        let max = |f: &dyn Fn(&mlspec_sim::summary::TimelinePoint) -> f64| chunk.iter().map(f).fold(0.0, f64::max);
        let t0 = chunk.first().map_or(0.0, |p| p.t_s);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            duration(t0),
            trim1(mean(&|p| p.arrivals_rps)),
            trim1(max(&|p| p.p50_ms)),
            trim1(max(&|p| p.p99_ms)),
            pct(mean(&|p| p.utilization) * 100.0),
            trim1(mean(&|p| p.replicas)),
            trim1(mean(&|p| p.queue_len)),
            group(chunk.iter().map(|p| p.fallbacks).sum()),
            group(chunk.iter().map(|p| p.rejected).sum()),
        );
    }
    if k > 1 {
        let _ = writeln!(
            s,
            "\nEach row merges {k} steps of {}: rates and levels are means, latencies the worst step.",
            duration(r.timeline_step_s)
        );
    }
    s
}
