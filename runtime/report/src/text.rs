//! The report for a terminal: the verdict, then the figures that back it.

use super::table::{Table, TextLayout};
use super::{duration, group, money, pct, trim1};
use mlspec_sim::summary::Quantiles;
use mlspec_sim::LoadReport;
use std::fmt::Write;

/// `mean … · p50 … · … · max …` (ms).
pub(crate) fn quantiles(l: &Quantiles) -> String {
    format!("mean {} · p50 {} · p90 {} · p99 {} · p99.9 {} · max {}", l.mean, l.p50, l.p90, l.p99, l.p999, l.max)
}

pub fn human(r: &LoadReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} · serving `{}` · scenario `{}` · seed {}", r.system, r.serving, r.scenario, r.seed);
    if let Some(cal) = &r.calibration {
        let _ = writeln!(s, "service times: {cal}");
    }
    if let Some(line) = super::interpreters_line(r) {
        let _ = writeln!(s, "{line}");
    }
    let _ = writeln!(s, "\n{}\n", super::load_verdict(r));
    let _ = writeln!(s, "  traffic      {}", super::traffic_line(r));
    let _ = writeln!(
        s,
        "  requests     {} over {} simulated (arrivals {} rps, answered {} rps)",
        group(r.requests),
        duration(r.simulated_s),
        trim1(r.arrival_rate_rps),
        trim1(r.throughput_rps)
    );
    let _ = writeln!(
        s,
        "  answered     {} by the model, {} by the fallback ({} timed out); {} rejected, {} errors",
        group(r.completed),
        group(r.fallbacks),
        group(r.timed_out),
        group(r.rejected),
        group(r.errors)
    );
    if let Some(causes) = super::loss_causes(r) {
        let _ = writeln!(s, "               {causes}");
    }
    let _ = writeln!(s, "  latency ms   {}", quantiles(&r.latency_ms));
    if let Some(line) = super::load::slo_windows_line(&r.slo) {
        let _ = writeln!(s, "  SLO          {line}");
    }
    let _ = writeln!(
        s,
        "  queueing ms  mean {} · p50 {} · p99 {}; {} of requests waited",
        r.wait_ms.mean,
        r.wait_ms.p50,
        r.wait_ms.p99,
        pct(r.prob_wait * 100.0)
    );
    let busy = if r.interpreters.is_some() { "interpreters" } else { "workers" };
    let _ = writeln!(s, "  utilisation  {} of {busy} busy", pct(r.utilization * 100.0));
    let cost = match (r.cost_per_hour, r.cost_per_month) {
        (Some(h), Some(m)) => format!("; {}/hour, {}/month", money(h), money(m)),
        _ => "; no instance cost declared".to_string(),
    };
    let _ = writeln!(s, "  replicas     min {} · max {} · mean {}{cost}", r.replicas.min, r.replicas.max, trim1(r.replicas.mean));
    s.push('\n');
    s.push_str(&stages(r).text(TextLayout::TERMINAL));
    s
}

/// The stages in fixed-width columns.
fn stages(r: &LoadReport) -> Table {
    let mut t = super::load::stages(r);
    let widths = [(13, None), (5, Some(" ")), (7, None), (7, None)];
    for (c, (w, gap)) in t.columns.iter_mut().zip(widths) {
        c.width = w;
        c.gap = gap;
    }
    if let Some(util) = t.columns.get_mut(1) {
        util.title = "util".into();
    }
    t
}
