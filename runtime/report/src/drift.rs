//! The drift and model-quality sections of a report, in text, Markdown and
//! HTML. The tables are built once ([`events_table`], [`monitors_table`],
//! [`offline_table`], [`retrains_table`]) and laid out by the renderers of
//! [`crate::table`].

use super::charts::{escape, Chart, Marker, Series, BLUE, GREEN, GREY, ORANGE};
use super::replications::Intervals;
use super::table::{Cell, Column, Table, TextLayout};
use super::{group, trim1};
use mlspec_drift::quality::{QualityOutcome, QualityReport};
use std::fmt::Write;

/// `3h`, `2.5d`: hours as a reader wants them.
pub fn at(hours: f64) -> String {
    let hours = if hours == 0.0 { 0.0 } else { hours };
    if hours.abs() >= 48.0 {
        format!("{}d", trim1(hours / 24.0))
    } else {
        format!("{}h", trim1(hours))
    }
}

fn num(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 0.01 {
        format!("{x:.3}")
    } else {
        format!("{x:.2e}")
    }
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), num)
}

/// A table of plain-text cells, all left-aligned.
fn table(header: &[&str], rows: Vec<Vec<String>>) -> Table {
    let mut t = Table::new(header.iter().map(|h| Column::left(*h)).collect());
    for r in rows {
        t.row(r.into_iter().map(Cell::Plain).collect());
    }
    t
}

pub fn events_table(q: &QualityOutcome) -> Table {
    events_table_in(q, &Intervals::default())
}

/// The drift events; replicated, the monitor that caught each most often
/// and in how many replications, the mean delay over those with its
/// interval.
pub fn events_table_in(q: &QualityOutcome, iv: &Intervals) -> Table {
    let rows = q
        .drift
        .events
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let caught_in = match e.caught_in {
                Some(c) if iv.replications > 1 => format!(" (in {c} of {} replications)", iv.replications),
                _ => String::new(),
            };
            let delay =
                e.detection_delay_hours.map(|d| format!("{}{}", at(d), iv.bracket(&format!("drift.events.{k}.detection_delay_hours"), at)));
            vec![
                e.statement.clone(),
                at(e.from_hours),
                e.detected_by.as_ref().map_or_else(|| format!("not caught{caught_in}"), |m| format!("{m}{caught_in}")),
                e.detected_at_hours.map(at).unwrap_or_else(|| "–".into()),
                delay.unwrap_or_else(|| "–".into()),
                e.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(&["drift", "from", "caught by", "at", "delay", "note"], rows)
}

pub fn monitors_table(q: &QualityOutcome) -> Table {
    let first_drift = q.drift.events.iter().map(|e| e.from_hours).fold(f64::INFINITY, f64::min);
    let rows = q
        .drift
        .monitors
        .iter()
        .map(|m| {
            let false_alarms = m.alerts_hours.iter().filter(|h| **h < first_drift).count();
            vec![
                m.monitor.clone(),
                group(m.values.len() as u64),
                group(m.alerts_hours.len() as u64),
                m.alerts_hours.first().map(|h| at(*h)).unwrap_or_else(|| "–".into()),
                group(false_alarms as u64),
                m.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    // In a calm run every alert is a false alarm.
    let before = if q.drift.events.is_empty() { "false alarms" } else { "before any drift" };
    table(&["monitor", "checks", "alerts", "first alert", before, "note"], rows)
}

pub fn offline_table(q: &QualityReport) -> Table {
    let mut rows = Vec::new();
    for m in &q.offline {
        for r in &m.metrics {
            let target = match (&r.cmp, r.threshold) {
                (Some(c), Some(t)) => format!("{c} {}", num(t)),
                _ => "–".into(),
            };
            let verdict = match (r.met, r.value) {
                (Some(true), _) => "met",
                (Some(false), _) => "MISSED",
                (None, None) => "not computed",
                (None, Some(_)) => "",
            };
            rows.push(vec![m.model.clone(), r.metric.clone(), opt(r.value), target, verdict.into()]);
        }
        if let Some(c) = m.cost_per_1000 {
            let best = match (m.best_threshold, m.best_cost_per_1000) {
                (Some(t), Some(b)) => format!("best {} at threshold {}", num(b), num(t)),
                _ => String::new(),
            };
            let at_threshold = m.threshold.map(|t| format!(" (threshold {})", num(t))).unwrap_or_default();
            rows.push(vec![m.model.clone(), format!("cost per 1,000 decisions{at_threshold}"), num(c), "–".into(), best]);
        }
    }
    table(&["model", "metric", "test value", "declared", "verdict"], rows)
}

pub fn retrains_table(q: &QualityReport) -> Table {
    let rows = q
        .retrains
        .iter()
        .map(|r| vec![at(r.hour), r.reason.clone(), group(r.rows), format!("{} to {}", at(r.data_from_hours), at(r.data_to_hours))])
        .collect();
    table(&["at", "why", "labelled rows", "event times"], rows)
}

/// The first and last timeline values, with and without retraining (the
/// means over replications, with their intervals, when replicated).
fn quality_change(q: &QualityReport, iv: &Intervals) -> Option<String> {
    let e = q.verdict_ends()?;
    let f = |key: &str, v: f64| format!("{}{}", num(v), iv.bracket(&format!("quality.ends.{key}"), num));
    Some(format!(
        "{} {} at the start, {} at the end with the declared retraining, {} without",
        q.metric,
        f("start", e.start),
        f("end_with_retraining", e.end_with_retraining),
        f("end_without_retraining", e.end_without_retraining)
    ))
}

/// One line on the drift part, for the top of every report.
pub fn drift_verdict(q: &QualityOutcome) -> String {
    drift_verdict_in(q, &Intervals::default())
}

/// The drift verdict with its figures' intervals when replicated.
pub fn drift_verdict_in(q: &QualityOutcome, iv: &Intervals) -> String {
    let events = &q.drift.events;
    if events.is_empty() {
        return calm_verdict(q, iv);
    }
    let caught = events.iter().filter(|e| e.detected_by.is_some()).count();
    let mut parts = vec![format!("Drift: {caught} of {} drift events caught", events.len())];
    if iv.replications > 1 {
        if let Some(p) = parts.first_mut() {
            p.push_str(&format!(" (in at least one of {} replications)", iv.replications));
        }
    }
    if let Some((k, e)) = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.detection_delay_hours.is_some())
        .min_by(|a, b| a.1.from_hours.total_cmp(&b.1.from_hours))
    {
        let delay = e.detection_delay_hours.unwrap_or(0.0);
        let path = format!("drift.events.{k}.detection_delay_hours");
        let within = match e.caught_in {
            Some(c) if iv.replications > 1 => format!(" in {c} of {}", iv.replications),
            _ => String::new(),
        };
        parts.push(format!("the first, {}{} after `{}` began{within}", at(delay), iv.bracket(&path, at), e.statement));
    }
    parts.push(format!("{}{} false alarms", q.drift.false_alarms, iv.bracket("drift.false_alarms", super::count_bound)));
    if let Some(c) = quality_change(&q.quality, iv) {
        parts.push(c);
    }
    parts.join("; ")
}

/// A run without drift shows how often the monitors fire by chance.
fn calm_verdict(q: &QualityOutcome, iv: &Intervals) -> String {
    let d = &q.drift;
    let mut line = format!(
        "Drift: none declared (a calm run); {}{} false alarm{} in {} monitor checks",
        group(d.false_alarms),
        iv.bracket("drift.false_alarms", super::count_bound),
        if d.false_alarms == 1 { "" } else { "s" },
        group(d.checks_before_drift)
    );
    let by: Vec<String> = d
        .monitors
        .iter()
        .filter(|m| !m.alerts_hours.is_empty())
        .map(|m| format!("{} by `{}`", group(m.alerts_hours.len() as u64), m.monitor))
        .collect();
    if !by.is_empty() {
        let whose = if iv.replications > 1 { " in replication 0" } else { "" };
        line.push_str(&format!(" ({}{whose})", by.join(", ")));
    }
    if let Some(c) = quality_change(&q.quality, iv) {
        line.push_str("; ");
        line.push_str(&c);
    }
    line
}

fn data_line(q: &QualityOutcome) -> String {
    let d = &q.drift.data;
    let stands = match d.declared_per_day {
        Some(v) if v > 0.0 => {
            format!(" standing for {} a day (1 in {})", group(v as u64), group((v / d.rows_per_day as f64).round().max(1.0) as u64))
        }
        _ => String::new(),
    };
    format!(
        "Synthetic `{}` rows: {} a day{stands}; {} days of labelled history before hour 0 train the models; the run covers {} ({} rows in all).",
        d.entity,
        group(d.rows_per_day),
        trim1(d.history_days),
        at(d.horizon_hours),
        group(d.rows)
    )
}

fn model_line(q: &QualityReport) -> String {
    format!("Production model `{}` ({}), trained as: {}.", q.model, q.kind, q.method)
}

pub fn text(q: &QualityOutcome, iv: &Intervals) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "\nDrift and model quality\n\n{}\n{}\n", data_line(q), model_line(&q.quality));
    for (title, t) in [
        ("Drift events", events_table_in(q, iv)),
        ("Monitors", monitors_table(q)),
        ("Offline metrics (test split of the history)", offline_table(&q.quality)),
        ("Retrains", retrains_table(&q.quality)),
    ] {
        if t.rows.is_empty() {
            continue;
        }
        s.push_str(&t.fitted().caption(title).text(TextLayout::TERMINAL));
        s.push('\n');
    }
    if let Some(c) = quality_change(&q.quality, iv) {
        let _ = writeln!(s, "  Quality: {c} ({} over a trailing {}).", q.quality.metric, at(q.quality.window_hours));
    }
    if let Some(c) = cost_line(&q.quality, iv) {
        let _ = writeln!(s, "  {c}");
    }
    for n in &q.quality.notes {
        let _ = writeln!(s, "  Note: {n}");
    }
    s
}

pub fn markdown(q: &QualityOutcome, iv: &Intervals) -> String {
    let mut s = String::new();
    let _ =
        writeln!(s, "\n## Drift and model quality\n\n**{}**\n\n{}\n\n{}\n", drift_verdict_in(q, iv), data_line(q), model_line(&q.quality));
    for (title, t) in [
        ("Drift events", events_table_in(q, iv)),
        ("Monitors", monitors_table(q)),
        ("Offline metrics", offline_table(&q.quality)),
        ("Retrains", retrains_table(&q.quality)),
    ] {
        if !t.rows.is_empty() {
            let _ = writeln!(s, "### {title}\n\n{}", t.markdown());
        }
    }
    if let Some(c) = cost_line(&q.quality, iv) {
        let _ = writeln!(s, "{c}\n");
    }
    for n in &q.quality.notes {
        let _ = writeln!(s, "- {n}");
    }
    s
}

/// `Expected cost per 1,000 decisions over the run: 1.23 with retraining,
/// 1.56 without.`, with intervals when replicated.
fn cost_line(q: &QualityReport, iv: &Intervals) -> Option<String> {
    let c = q.cost.as_ref()?;
    Some(format!(
        "Expected cost per 1,000 decisions over the run: {}{} with retraining, {}{} without.",
        num(c.per_1000_with_retraining),
        iv.bracket("quality.cost.per_1000_with_retraining", num),
        num(c.per_1000_without_retraining),
        iv.bracket("quality.cost.per_1000_without_retraining", num)
    ))
}

/// The x axis of drift charts: days when the run is long, else hours.
fn axis(q: &QualityOutcome) -> (&'static str, f64) {
    if q.drift.data.horizon_hours >= 72.0 {
        ("time (days)", 24.0)
    } else {
        ("time (hours)", 1.0)
    }
}

pub fn html(q: &QualityOutcome, iv: &Intervals) -> String {
    let mut s = String::new();
    let verdict_class = if q.drift.events.iter().all(|e| e.detected_by.is_some()) { "ok" } else { "bad" };
    let _ =
        writeln!(s, "<h2>Drift and model quality</h2>\n<div class=\"verdict {verdict_class}\">{}</div>", escape(&drift_verdict_in(q, iv)));
    let _ = writeln!(s, "<p>{}</p>\n<p>{}</p>", escape(&data_line(q)), escape(&model_line(&q.quality)));
    let _ = writeln!(s, "<h2>When each drift was caught</h2>\n{}", events_table_in(q, iv).html());
    let (unit, scale) = axis(q);
    let when: Vec<String> = q.drift.events.iter().map(|e| at(e.from_hours)).collect();
    let starts_label = format!("drift starts ({})", when.join(", "));
    let starts: Vec<(&str, f64)> = q.drift.events.iter().map(|e| (starts_label.as_str(), e.from_hours / scale)).collect();
    let _ = writeln!(s, "<h2>Monitors</h2>\n{}", monitors_table(q).html());
    for m in &q.drift.monitors {
        let what = if m.p_value { format!("{} p-value", m.statistic) } else { m.statistic.clone() };
        let points: Vec<(f64, f64)> = m.values.iter().map(|p| (p.hour / scale, p.value)).collect();
        let threshold = format!("threshold {} {}", m.cmp, num(m.threshold));
        let mut markers = vec![Marker::Y(&threshold, m.threshold)];
        markers.extend(starts.iter().map(|(l, x)| Marker::Event(l, *x, GREY)));
        let title = m.monitor.clone();
        let chart = Chart::new(&title, unit, &what, vec![Series { name: &what, color: BLUE, points }]).markers(markers);
        s.push_str(&chart.svg());
        if m.values.is_empty() {
            let _ = writeln!(s, "<p class=\"note\">No check of <code>{}</code> had data in this run.</p>", escape(&m.monitor));
        }
    }
    let qr = &q.quality;
    let _ = writeln!(s, "<h2>Model quality over time</h2>");
    if let Some(c) = quality_change(qr, iv) {
        let _ = writeln!(s, "<p>{}</p>", escape(&c));
    }
    let _ = writeln!(
        s,
        "<p class=\"note\">True {} of the live model on each trailing {} of rows (from the hidden ground truth, which no monitor sees), with the declared retraining and with the first model frozen.</p>",
        escape(&qr.metric),
        at(qr.window_hours)
    );
    let with: Vec<(f64, f64)> = qr.timeline.iter().filter_map(|p| p.value.map(|v| (p.hour / scale, v))).collect();
    let without: Vec<(f64, f64)> = qr.timeline.iter().filter_map(|p| p.without_retraining.map(|v| (p.hour / scale, v))).collect();
    let retrain_when: Vec<String> = qr.retrains.iter().map(|r| at(r.hour)).collect();
    let retrain_label = format!("retrains ({})", retrain_when.join(", "));
    let retrain_labels: Vec<(&str, f64)> = qr.retrains.iter().map(|r| (retrain_label.as_str(), r.hour / scale)).collect();
    let mut markers: Vec<Marker> = starts.iter().map(|(l, x)| Marker::Event(l, *x, GREY)).collect();
    markers.extend(retrain_labels.iter().map(|(l, x)| Marker::Event(l, *x, GREEN)));
    let chart = Chart::new(
        &qr.metric,
        unit,
        &qr.metric,
        vec![
            Series { name: "with the declared retraining", color: BLUE, points: with },
            Series { name: "first model, never retrained", color: ORANGE, points: without },
        ],
    )
    .markers(markers);
    s.push_str(&chart.svg());
    if let Some(c) = &qr.cost {
        let with: Vec<(f64, f64)> = qr.timeline.iter().filter_map(|p| p.cost_per_1000.map(|v| (p.hour / scale, v))).collect();
        let without: Vec<(f64, f64)> =
            qr.timeline.iter().filter_map(|p| p.cost_per_1000_without_retraining.map(|v| (p.hour / scale, v))).collect();
        let chart = Chart::new(
            "Expected cost per 1,000 decisions (cost matrix)",
            unit,
            "cost per 1,000",
            vec![
                Series { name: "with the declared retraining", color: BLUE, points: with },
                Series { name: "first model, never retrained", color: ORANGE, points: without },
            ],
        )
        .markers(starts.iter().map(|(l, x)| Marker::Event(l, *x, GREY)).collect());
        s.push_str(&chart.svg());
        let totals = match (c.total_with_retraining, c.total_without_retraining) {
            (Some(a), Some(b)) => {
                format!(" At the declared volume that is {} against {} over the run.", group(a.round() as u64), group(b.round() as u64))
            }
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "<p>Over the run: {}{} per 1,000 decisions with retraining, {}{} without.{}</p>",
            num(c.per_1000_with_retraining),
            iv.bracket("quality.cost.per_1000_with_retraining", num),
            num(c.per_1000_without_retraining),
            iv.bracket("quality.cost.per_1000_without_retraining", num),
            escape(&totals)
        );
    }
    let retrains = retrains_table(qr);
    if !retrains.rows.is_empty() {
        let _ = writeln!(s, "<h2>Retrains</h2>\n{}", retrains.html());
    }
    let _ = writeln!(s, "<h2>Offline metrics</h2>\n<p class=\"note\">Every model trained on the history's training split, measured on its test split.</p>\n{}", offline_table(qr).html());
    if !qr.notes.is_empty() {
        s.push_str("<ul>\n");
        for n in &qr.notes {
            let _ = writeln!(s, "<li>{}</li>", escape(n));
        }
        s.push_str("</ul>\n");
    }
    s
}
