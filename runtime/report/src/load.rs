//! The tables of a load report, built once for Markdown and HTML (the
//! terminal report shows the stages only); the measured report shares the
//! SLO and latency tables.

use super::replications::Intervals;
use super::table::{Cell, Column, Table};
use super::{duration, group, pct};
use mlspec_sim::summary::{Quantiles, SloResult, SloWindows};
use mlspec_sim::LoadReport;

pub fn slo(r: &LoadReport, iv: &Intervals) -> Table {
    slo_table_in(&r.slo, "simulated", iv)
}

/// The SLO verdicts; `value` names the figure (`simulated`, `measured`).
pub fn slo_table(slos: &[SloResult], value: &str) -> Table {
    slo_table_in(slos, value, &Intervals::default())
}

/// The SLO verdicts with each figure's interval when replicated.
fn slo_table_in(slos: &[SloResult], value: &str, iv: &Intervals) -> Table {
    let mut columns = vec![Column::left("constraint"), Column::right(value), Column::right("limit"), Column::center("met")];
    // Simulated runs also check each window of the timeline.
    let by_window = slos.iter().any(|s| s.windows.is_some());
    if by_window {
        columns.extend([Column::right("windows met"), Column::right("worst window")]);
    }
    let mut t = Table::new(columns);
    for (k, slo) in slos.iter().enumerate() {
        let mut cells = vec![
            Cell::Code(slo.constraint.clone()),
            format!("{} ms{}", slo.value_ms, iv.bracket(&format!("slo.{k}.value_ms"), |x| x.to_string())).into(),
            format!("{} ms", slo.limit_ms).into(),
            if slo.met { "yes".into() } else { Cell::Strong("no".into()) },
        ];
        if by_window {
            let (met, worst) = slo.windows.as_ref().map(|w| window_cells(w, iv, k)).unwrap_or_default();
            cells.extend([met.into(), worst.into()]);
        }
        t.row(cells);
    }
    t
}

/// `287 of 288 (99.7%)`, `120 ms from 12h`; replicated, `287 [285.2,
/// 288.1] of 288 (99.7%)` (the worst window is replication 0's).
fn window_cells(w: &SloWindows, iv: &Intervals, k: usize) -> (String, String) {
    let share = pct(w.met as f64 / w.windows.max(1) as f64 * 100.0);
    let met = iv.bracket(&format!("slo.{k}.windows.met"), super::count_bound);
    (format!("{}{met} of {} ({share})", group(w.met), group(w.windows)), format!("{} ms from {}", w.worst_ms, duration(w.worst_from_s)))
}

/// The windows line of the terminal report: each constraint window by
/// window (the windows met with their interval when replicated), `None`
/// without windows.
pub fn slo_windows_line(slos: &[SloResult], iv: &Intervals) -> Option<String> {
    let parts: Vec<String> = slos
        .iter()
        .enumerate()
        .filter_map(|(k, s)| {
            let w = s.windows.as_ref()?;
            let label = super::percentile_label(&s.constraint);
            let (met, worst) = window_cells(w, iv, k);
            Some(format!("{label} met in {met}, worst {worst}"))
        })
        .collect();
    let window = slos.iter().find_map(|s| s.windows.as_ref())?.window_s;
    Some(format!("per {} window: {}", duration(window), parts.join("; ")))
}

pub fn requests(r: &LoadReport, iv: &Intervals) -> Table {
    let columns = ["arrived", "by the model", "fallback", "timed out", "rejected", "errors"].map(Column::right).to_vec();
    let mut t = Table::new(columns);
    let figures = [
        ("requests", r.requests),
        ("completed", r.completed),
        ("fallbacks", r.fallbacks),
        ("timed_out", r.timed_out),
        ("rejected", r.rejected),
        ("errors", r.errors),
    ];
    t.row(figures.map(|(path, n)| format!("{}{}", group(n), iv.bracket(path, super::count_bound)).into()).to_vec());
    t
}

pub fn stages(r: &LoadReport) -> Table {
    let mut t = Table::new(vec![
        Column::left("stage"),
        Column::right("utilisation"),
        Column::right("p50 ms"),
        Column::right("p99 ms"),
        Column::left("service time"),
    ]);
    for st in &r.stages {
        t.row(vec![
            Cell::Code(st.name.clone()),
            pct(st.utilization * 100.0).into(),
            st.latency_ms.p50.to_string().into(),
            st.latency_ms.p99.to_string().into(),
            st.service_time.clone().into(),
        ]);
    }
    t
}

/// The latency percentiles (ms) in one row, led by `label` in a
/// left-aligned column when there is one.
pub fn latency(l: &Quantiles, label: Option<&str>) -> Table {
    latency_in(l, label, &Intervals::default())
}

/// The same with each percentile's interval (`latency_ms.p99`) when
/// replicated.
pub fn latency_in(l: &Quantiles, label: Option<&str>, iv: &Intervals) -> Table {
    let mut columns: Vec<Column> = label.iter().map(|_| Column::left("ms")).collect();
    columns.extend(["mean", "p50", "p90", "p95", "p99", "p99.9", "max"].map(Column::right));
    let mut t = Table::new(columns);
    let mut cells: Vec<Cell> = label.iter().map(|&l| Cell::from(l)).collect();
    let figures = [("mean", l.mean), ("p50", l.p50), ("p90", l.p90), ("p95", l.p95), ("p99", l.p99), ("p999", l.p999), ("max", l.max)];
    cells.extend(figures.map(|(key, v)| Cell::from(format!("{v}{}", iv.bracket(&format!("latency_ms.{key}"), |x| x.to_string())))));
    t.row(cells);
    t
}
