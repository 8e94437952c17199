//! The report of `mlspec load`, a measured run of a real server: the
//! simulate report's look and wording, tables and charts, over
//! [`mlspec_load::Summary`]. JSON is [`super::json`] of the summary.
//!
//! Latencies are of 2xx answers, from each request's scheduled send time;
//! errors are non-2xx answers and transport errors, by status.

use super::charts::escape;
use super::html::{cdf_chart, head, percentiles_chart, slo_marks, throughput_chart, time_axis};
use super::markdown::steps_per_row;
use super::table::{Align, Cell, Column, Table, TextLayout};
use super::{duration, group, load, pct, slo_verdict, trim1};
use mlspec_load::{Point, Summary};
use std::fmt::Write;

const LATENCY_NOTE: &str = "Latency of 2xx answers, from each request's scheduled send time (the wait for a free connection counts).";

/// `10 HTTP 429`, `2 transport errors`: the errors by status.
fn errors_by_status(s: &Summary) -> Vec<String> {
    let say = |(k, n): (&String, &u64)| {
        if k == "transport" {
            format!("{} transport errors", group(*n))
        } else {
            format!("{} HTTP {k}", group(*n))
        }
    };
    s.errors_by_status.iter().map(say).collect()
}

/// The one-line verdict of a measured run: the SLOs as `load_verdict`
/// words them, the rates, and what was not answered 2xx.
pub fn measured_verdict(s: &Summary) -> String {
    let mut v = if s.completed == 0 && !s.slo.is_empty() {
        "SLO MISSED: no 2xx answer to measure latency on".to_string()
    } else {
        slo_verdict(&s.slo, s.slo_met)
    };
    v.push_str(&format!("; {} rps answered 2xx of {} rps sent", trim1(s.throughput_rps), trim1(s.arrival_rate_rps)));
    let lost = s.errors + s.timed_out;
    if lost > 0 {
        let share = lost as f64 / s.requests.max(1) as f64 * 100.0;
        let mut why = errors_by_status(s);
        if s.timed_out > 0 {
            why.push(format!("{} timed out", group(s.timed_out)));
        }
        v.push_str(&format!("; {} of requests not answered 2xx ({})", pct(share), why.join(", ")));
    }
    if s.unsent > 0 {
        v.push_str(&format!("; {} scheduled requests not sent", group(s.unsent)));
    }
    v
}

/// The report for a terminal.
pub fn measured_human(s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} · serving `{}` · {} · {} · seed {} · {} measured",
        s.system,
        s.serving,
        s.url,
        s.arrivals,
        s.seed,
        duration(s.measured_s)
    );
    let _ = writeln!(out, "\n{}\n", measured_verdict(s));
    let _ = writeln!(
        out,
        "  requests     {} sent over {} measured (arrivals {} rps, answered 2xx {} rps); {} unsent",
        group(s.requests),
        duration(s.measured_s),
        trim1(s.arrival_rate_rps),
        trim1(s.throughput_rps),
        group(s.unsent)
    );
    let by_status = errors_by_status(s);
    let by_status = if by_status.is_empty() { String::new() } else { format!(" ({})", by_status.join(", ")) };
    let _ =
        writeln!(out, "  answered     {} 2xx; {} errors{by_status}; {} timed out", group(s.completed), group(s.errors), group(s.timed_out));
    let _ = writeln!(out, "  latency ms   {} (2xx, from the scheduled send time)", super::text::quantiles(&s.latency_ms));
    if let Some(e) = &s.first_transport_error {
        let _ = writeln!(out, "  transport    first error: {e}");
    }
    if !s.slo.is_empty() {
        out.push('\n');
        out.push_str(&load::slo_table(&s.slo, "measured").fitted().text(TextLayout::TERMINAL));
    }
    out
}

/// Sent, 2xx, errors and each status, timed out, unsent.
fn requests(s: &Summary) -> Table {
    let mut columns = vec![Column::right("sent"), Column::right("2xx"), Column::right("errors")];
    let mut cells = vec![group(s.requests), group(s.completed), group(s.errors)];
    for (k, n) in &s.errors_by_status {
        columns.push(Column::right(if k == "transport" { k.clone() } else { format!("HTTP {k}") }));
        cells.push(group(*n));
    }
    columns.extend([Column::right("timed out"), Column::right("unsent")]);
    cells.extend([group(s.timed_out), group(s.unsent)]);
    let mut t = Table::new(columns);
    t.row(cells.into_iter().map(Cell::from).collect());
    t
}

/// The timeline, at most `TIMELINE_ROWS` rows, and the steps per row.
fn timeline(s: &Summary) -> (Table, usize) {
    let mut t = Table::new(vec![
        Column::left("from"),
        Column::right("arrivals rps"),
        Column::right("2xx rps"),
        Column::right("p50 ms"),
        Column::right("p99 ms"),
        Column::right("errors"),
        Column::right("timed out"),
    ]);
    let k = steps_per_row(s.timeline.len());
    for chunk in s.timeline.chunks(k) {
        let n = chunk.len() as f64;
        let mean = |f: &dyn Fn(&Point) -> f64| chunk.iter().map(f).sum::<f64>() / n;
        let max = |f: &dyn Fn(&Point) -> f64| chunk.iter().map(f).fold(0.0, f64::max);
        let t0 = chunk.first().map_or(0.0, |p| p.t_s);
        t.row(
            [
                duration(t0),
                trim1(mean(&|p| p.arrivals_rps)),
                trim1(mean(&|p| p.throughput_rps)),
                trim1(max(&|p| p.p50_ms)),
                trim1(max(&|p| p.p99_ms)),
                group(chunk.iter().map(|p| p.errors).sum()),
                group(chunk.iter().map(|p| p.timeouts).sum()),
            ]
            .map(Cell::from)
            .to_vec(),
        );
    }
    (t, k)
}

fn merged_note(s: &Summary, k: usize) -> Option<String> {
    (k > 1).then(|| {
        format!("Each row merges {k} steps of {}: rates are means, latencies the worst step, counts sums.", duration(s.timeline_step_s))
    })
}

pub fn measured_markdown(s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Load measurement: {} / {}\n", s.system, s.serving);
    let _ = writeln!(out, "**{}**\n", measured_verdict(s));
    let _ = writeln!(
        out,
        "`{}`, {}, seed {}: {} requests sent over {} measured.\n",
        s.url,
        s.arrivals,
        s.seed,
        group(s.requests),
        duration(s.measured_s)
    );
    let _ = write!(out, "## Service level\n\n{}", load::slo_table(&s.slo, "measured").markdown());
    let _ = write!(out, "\n## Latency (ms)\n\n{}", load::latency(&s.latency_ms, None).markdown());
    let _ = writeln!(out, "\n{LATENCY_NOTE}\n");
    let _ = write!(out, "## Requests\n\n{}", requests(s).markdown());
    if let Some(e) = &s.first_transport_error {
        let _ = writeln!(out, "\nFirst transport error: {e}");
    }
    let (t, k) = timeline(s);
    let _ = write!(out, "\n## Timeline\n\n{}", t.markdown());
    if let Some(note) = merged_note(s, k) {
        let _ = writeln!(out, "\n{note}");
    }
    out
}

/// One self-contained page, like the simulate report's.
pub fn measured_html(s: &Summary) -> String {
    let mut out = head(&format!("Load measurement: {} / {}", s.system, s.serving));
    let _ = writeln!(
        out,
        "<p class=\"meta\"><code>{}</code> · {} · seed {} · generated by mlspec</p>",
        escape(&s.url),
        escape(&s.arrivals),
        s.seed
    );
    let _ =
        writeln!(out, "<h2>Load and latency</h2>\n<p>{} requests sent over {} measured.</p>", group(s.requests), duration(s.measured_s));
    let class = if s.slo_met { "ok" } else { "bad" };
    let _ = writeln!(out, "<div class=\"verdict {class}\">{}</div>", escape(&measured_verdict(s)));
    let _ = write!(out, "<h2>Service level</h2>\n{}", load::slo_table(&s.slo, "measured").html());
    let _ = write!(out, "<h2>Latency</h2>\n{}", load::latency(&s.latency_ms, Some("2xx answers")).html());
    let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(LATENCY_NOTE));
    let slo_marks = slo_marks(&s.slo);
    out.push_str(&cdf_chart(&s.latency_cdf, s.latency_ms.p999, &slo_marks));

    let step = s.timeline_step_s;
    let (unit, scale) = time_axis(s.measured_s);
    let at = |t: f64| (t + step / 2.0) / scale;
    let series = |f: &dyn Fn(&Point) -> f64| -> Vec<(f64, f64)> { s.timeline.iter().map(|p| (at(p.t_s), f(p))).collect() };
    // Percentiles only where something was answered 2xx.
    let answered = |f: &dyn Fn(&Point) -> f64| -> Vec<(f64, f64)> {
        s.timeline.iter().filter(|p| p.throughput_rps > 0.0).map(|p| (at(p.t_s), f(p))).collect()
    };
    let _ = writeln!(out, "<h2>Over time</h2>\n<p class=\"note\">Each point is a step of {}.</p>", duration(step));
    out.push_str(&percentiles_chart(unit, answered(&|p| p.p50_ms), answered(&|p| p.p99_ms), &slo_marks).svg());
    out.push_str(&throughput_chart(unit, series(&|p| p.arrivals_rps), series(&|p| p.throughput_rps)).svg());

    let mut requests = requests(s);
    // The page's tables lead with a row label, left-aligned.
    if let Some(first) = requests.columns.first_mut() {
        first.align = Align::Left;
    }
    let _ = write!(out, "<h2>Requests</h2>\n{}", requests.html());
    if let Some(e) = &s.first_transport_error {
        let _ = writeln!(out, "<p>First transport error: {}</p>", escape(e));
    }
    let (t, k) = timeline(s);
    let _ = write!(out, "<h2>Timeline</h2>\n{}", t.html());
    if let Some(note) = merged_note(s, k) {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(&note));
    }
    out.push_str("</body>\n</html>\n");
    out
}
