//! The report for a terminal: the verdict, then the figures that back it.

use super::replications::Intervals;
use super::table::{Table, TextLayout};
use super::{count_bound, duration, group, money, pct, trim1};
use mlspec_sim::summary::Quantiles;
use mlspec_sim::LoadReport;
use std::fmt::Write;

/// `mean … · p50 … · … · max …` (ms).
pub(crate) fn quantiles(l: &Quantiles) -> String {
    quantiles_in(l, &Intervals::default(), "")
}

/// The same with each figure's interval under `prefix` (`latency_ms`):
/// `p50 12.1 [11.9, 12.4]`.
pub(crate) fn quantiles_in(l: &Quantiles, iv: &Intervals, prefix: &str) -> String {
    let f = |name: &str, key: &str, v: f64| format!("{name} {v}{}", iv.bracket(&format!("{prefix}.{key}"), |x| x.to_string()));
    [
        f("mean", "mean", l.mean),
        f("p50", "p50", l.p50),
        f("p90", "p90", l.p90),
        f("p99", "p99", l.p99),
        f("p99.9", "p999", l.p999),
        f("max", "max", l.max),
    ]
    .join(" · ")
}

/// The terminal report of a load run: `iv` the figures' intervals when
/// replicated, `replications` the line saying how the figures were made.
pub fn human(r: &LoadReport, iv: &Intervals, replications: &str) -> String {
    let b = |path: &str, fmt: fn(f64) -> String| iv.bracket(path, fmt);
    let mut s = String::new();
    let _ = writeln!(s, "{} · serving `{}` · scenario `{}` · seed {}", r.system, r.serving, r.scenario, r.seed);
    if let Some(cal) = &r.calibration {
        let _ = writeln!(s, "service times: {cal}");
    }
    if let Some(line) = super::interpreters_line(r) {
        let _ = writeln!(s, "{line}");
    }
    let _ = writeln!(s, "\n{}\n{replications}\n", super::load_verdict_in(r, iv));
    let _ = writeln!(s, "  traffic      {}", super::traffic_line(r));
    let _ = writeln!(
        s,
        "  requests     {}{} over {} simulated (arrivals {}{} rps, answered {}{} rps)",
        group(r.requests),
        b("requests", count_bound),
        duration(r.simulated_s),
        trim1(r.arrival_rate_rps),
        b("arrival_rate_rps", trim1),
        trim1(r.throughput_rps),
        b("throughput_rps", trim1)
    );
    let _ = writeln!(
        s,
        "  answered     {}{} by the model, {}{} by the fallback ({}{} timed out); {}{} rejected, {}{} errors",
        group(r.completed),
        b("completed", count_bound),
        group(r.fallbacks),
        b("fallbacks", count_bound),
        group(r.timed_out),
        b("timed_out", count_bound),
        group(r.rejected),
        b("rejected", count_bound),
        group(r.errors),
        b("errors", count_bound)
    );
    if let Some(causes) = super::loss_causes(r) {
        let _ = writeln!(s, "               {causes}");
    }
    let _ = writeln!(s, "  latency ms   {}", quantiles_in(&r.latency_ms, iv, "latency_ms"));
    if let Some(line) = super::load::slo_windows_line(&r.slo, iv) {
        let _ = writeln!(s, "  SLO          {line}");
    }
    let _ = writeln!(s, "  queueing ms  {}; {}{} of requests waited", wait_line(r, iv), pct(r.prob_wait * 100.0), b("prob_wait", share));
    let busy = if r.interpreters.is_some() { "interpreters" } else { "workers" };
    let _ = writeln!(s, "  utilisation  {}{} of {busy} busy", pct(r.utilization * 100.0), b("utilization", share));
    let cost = match (r.cost_per_hour, r.cost_per_month) {
        (Some(h), Some(m)) => format!("; {}{}/hour, {}{}/month", money(h), b("cost_per_hour", money), money(m), b("cost_per_month", money)),
        _ => "; no instance cost declared".to_string(),
    };
    let _ = writeln!(
        s,
        "  replicas     min {} · max {} · mean {}{}{cost}",
        r.replicas.min,
        r.replicas.max,
        trim1(r.replicas.mean),
        b("replicas.mean", |x| format!("{x:.2}"))
    );
    s.push('\n');
    s.push_str(&stages(r).text(TextLayout::TERMINAL));
    s
}

/// A share (0–1) as a percentage, for interval bounds.
pub(crate) fn share(x: f64) -> String {
    pct(x * 100.0)
}

/// `mean 6.1 · p50 0.8 · p99 43.9` (ms) of the queueing before service,
/// with intervals when replicated.
pub(crate) fn wait_line(r: &LoadReport, iv: &Intervals) -> String {
    let f = |name: &str, v: f64| format!("{name} {v}{}", iv.bracket(&format!("wait_ms.{name}"), |x| x.to_string()));
    format!("{} · {} · {}", f("mean", r.wait_ms.mean), f("p50", r.wait_ms.p50), f("p99", r.wait_ms.p99))
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
