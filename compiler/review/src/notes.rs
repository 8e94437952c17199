//! The numbers a reviewer checks even when they pass: latency against the
//! SLO, capacity against the peak, cost against the budget, experiment power,
//! monitor windows against the label delay. Findings say what fails; notes
//! show the arithmetic for what holds, with the same functions.

use super::rules::{experiment_power, stage_breakdown, HOURS_PER_MONTH};
use super::{Ctx, Question, Step};
use mlspec_ir::facts;
use mlspec_ir::numbers::{count, dur, money, ms, pct};
use mlspec_ir::{MonitorKind, ServingMode};

/// A checked figure; the same shape as a question (step, text, line).
pub type Note = Question;

pub fn notes(cx: &Ctx<'_>) -> Vec<Note> {
    let d = cx.d;
    let mut out = Vec::new();
    let mut note = |step: Step, span: mlspec_diag::span::Span, text: String| out.push(Note { step, question: text, line: cx.line(span) });
    for s in &d.servings {
        let Some(c) = facts::serving_capacity(d, s) else { continue };
        match s.mode {
            Some(ServingMode::Realtime) => {
                // The limit the typical request uses most of, if it is met.
                let tightest =
                    d.constraints.latency.iter().max_by(|a, b| (c.per_request_s / a.max_s).total_cmp(&(c.per_request_s / b.max_s)));
                if let Some(l) = tightest.filter(|l| l.max_s >= c.per_request_s) {
                    note(
                        Step::Serving,
                        l.span,
                        format!(
                            "latency: `{}` stages take {} for a typical request ({}), {} of the {} < {} budget (the tightest) before queueing",
                            s.name,
                            ms(c.per_request_s),
                            stage_breakdown(d, s),
                            pct(c.per_request_s / l.max_s),
                            l.label,
                            dur(l.max_s)
                        ),
                    );
                }
                if let Some(z) = cx.sizing(&s.name).filter(|z| z.within_declared()) {
                    note(Step::Serving, s.name_span, format!("capacity: {}; {}", z.sentence(), z.fleet()));
                }
            }
            Some(ServingMode::Batch) => {
                let rows = d
                    .problem
                    .target
                    .as_ref()
                    .and_then(|t| d.source(&t.source))
                    .filter(|src| src.volume_per_s.is_none())
                    .and_then(|src| src.volume.map(|v| (v, src.name.as_str())));
                let run = rows.map_or(String::new(), |(v, name)| {
                    format!("; the {} rows of `{name}` take about {} per run", count(v), dur_rounded(v / c.rps))
                });
                note(
                    Step::Serving,
                    s.name_span,
                    format!(
                        "batch throughput: {} replicas × {} concurrency / {} per row = {} rows/s{run}",
                        c.replicas,
                        c.concurrency,
                        ms(c.per_request_s),
                        count(c.rps)
                    ),
                );
            }
            _ => {}
        }
    }
    if let Some(budget) = d.constraints.budget_per_month.filter(|b| *b > 0.0) {
        let priced: Vec<(String, f64)> = d
            .servings
            .iter()
            .filter(|s| matches!(s.mode, Some(ServingMode::Realtime | ServingMode::Streaming)))
            .filter_map(|s| {
                s.instance.as_ref().and_then(|i| i.cost_per_hour).map(|c| (s.name.clone(), s.replicas.1 as f64 * c * HOURS_PER_MONTH))
            })
            .collect();
        let total: f64 = priced.iter().map(|(_, c)| c).sum();
        if !priced.is_empty() && total <= budget {
            if let Some(span) = d.constraints.span {
                note(
                    Step::Serving,
                    span,
                    format!(
                        "cost: serving at the replica ceiling costs {} a month, {} of the {} budget",
                        money(total),
                        pct(total / budget),
                        money(budget)
                    ),
                );
            }
        }
    }
    for e in &d.experiments {
        let Some(p) = experiment_power(d, e) else { continue };
        if p.units >= p.n {
            note(
                Step::Monitoring,
                e.span,
                format!(
                    "power: `{}` needs {} units per arm to see {} → {} at alpha 0.05 and power 0.8; the smaller arm ({} of traffic) gets about {} ({})",
                    e.name,
                    count(p.n),
                    pct(p.base),
                    pct(p.p2),
                    pct(p.arm),
                    count(p.units),
                    p.how
                ),
            );
        }
    }
    if let Some(delay) = facts::label_delay_s(d) {
        for m in &d.monitors {
            if let MonitorKind::Performance { metric, window_s, .. } = &m.kind {
                if *window_s >= delay {
                    note(
                        Step::Monitoring,
                        m.span,
                        format!("labels: the `{metric}` monitor's {} window covers the {} label delay", dur(*window_s), dur(delay)),
                    );
                }
            }
        }
    }
    out.sort_by_key(|n| (n.step, n.line));
    out
}

/// A duration rounded to a whole number of its largest unit: `4m`, `2h`.
fn dur_rounded(s: f64) -> String {
    for (unit, secs) in [("d", 86_400.0), ("h", 3600.0), ("m", 60.0)] {
        if s >= secs {
            return format!("{}{unit}", (s / secs).round());
        }
    }
    format!("{}s", s.round().max(1.0))
}
