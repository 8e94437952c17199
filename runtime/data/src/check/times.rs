//! The source's event time and volume: events after `--as-of` (E0609),
//! events out of order in a stream or log (W0602), the newest event older
//! than `freshness` (W0603), and the daily volume against `volume` (W0606).
//!
//! **Tolerances:** a volume per period is compared over the whole days the
//! event times span and is far when it is under half or over twice the
//! declared rate; a total volume is far only when the data has more than
//! twice as many rows (a sample may hold fewer). A `freshness realtime`
//! source may lag five minutes.

use super::{name, Findings, Options, Table, ROWS};
use crate::query::{count_where, epoch_ms, examples, show_examples, Aggregates, Row};
use crate::tolerance::{EXAMPLES, REALTIME_LAG_S, VOLUME_FACTOR};
use mlspec_diag::Diagnostic;
use mlspec_ir::numbers::{count, human_duration, num, pct};
use mlspec_ir::{Field, Freshness, SourceKind};
use polars::prelude::*;

const DAY_MS: f64 = 86_400_000.0;

/// The event-time field, when the data has it with a time type.
fn event_time<'a>(fields: &[&'a Field]) -> Option<&'a Field> {
    fields.iter().copied().find(|f| f.event_time)
}

fn in_order(table: &Table<'_>) -> bool {
    matches!(table.source.kind, Some(SourceKind::Stream | SourceKind::Logs))
}

fn later_than_previous(f: &Field) -> Expr {
    let t = epoch_ms(&f.name);
    t.clone().lt(t.shift(lit(1)))
}

pub fn ask(table: &Table<'_>, fields: &[&Field], options: &Options, aggs: &mut Aggregates) {
    let Some(f) = event_time(fields) else { return };
    aggs.add(name(f, "first"), epoch_ms(&f.name).min().cast(DataType::Float64));
    aggs.add(name(f, "last"), epoch_ms(&f.name).max().cast(DataType::Float64));
    aggs.add(name(f, "future"), count_where(epoch_ms(&f.name).gt(lit(options.as_of_ms))));
    if in_order(table) {
        aggs.add(name(f, "inversions"), count_where(later_than_previous(f)));
    }
}

pub fn judge(table: &Table<'_>, fields: &[&Field], options: &Options, row: &Row, findings: &mut Findings) -> PolarsResult<()> {
    let source = table.source;
    let rows = row.count(ROWS);
    let ts = event_time(fields);
    if let Some(f) = ts {
        let column = format!("`{}` of {}", f.name, table.shown);
        let future = row.count(&name(f, "future"));
        if future > 0 {
            let cond = epoch_ms(&f.name).gt(lit(options.as_of_ms));
            let shown = show_examples(&examples(table.frame.clone(), cond, &f.name, EXAMPLES)?);
            findings.push(
                Diagnostic::new(
                    "E0609",
                    f.modifier_span("event_time"),
                    format!(
                        "{} of {} rows of {column} are later than {}, the time the data is checked as of{shown}",
                        count(future as f64),
                        count(rows as f64),
                        options.as_of_label
                    ),
                )
                .help("event times are when the event happened: fix the clock or time zone that wrote them, or pass `--as-of` the export's time"),
            );
        }
        let inversions = row.count(&name(f, "inversions"));
        if inversions > 0 {
            let shown = show_examples(&examples(table.frame.clone(), later_than_previous(f), &f.name, EXAMPLES)?);
            findings.push(
                Diagnostic::new(
                    "W0602",
                    f.modifier_span("event_time"),
                    format!(
                        "{} of {} rows of {column} are earlier than the row before them ({}){shown}",
                        count(inversions as f64),
                        count(rows as f64),
                        pct(inversions as f64 / rows.max(1) as f64)
                    ),
                )
                .help("a stream's consumers window by event time: order the export by it, or state the lateness consumers must allow"),
            );
        }
        if let (Some(freshness), Some(last)) = (source.freshness, row.f64(&name(f, "last"))) {
            let budget_s = match freshness {
                Freshness::Realtime => REALTIME_LAG_S,
                Freshness::Every(s) => s,
            };
            let age_s = (options.as_of_ms as f64 - last) / 1000.0;
            if age_s > budget_s {
                findings.push(
                    Diagnostic::new(
                        "W0603",
                        source.freshness_span.unwrap_or(source.name_span),
                        format!(
                            "the newest event in {} is {} old at {}, older than the declared freshness of {}",
                            table.shown,
                            days(age_s),
                            options.as_of_label,
                            human_duration(budget_s)
                        ),
                    )
                    .help("pass `--as-of` the time the export was taken, or check the pipeline that refreshes the source"),
                );
            }
        }
    }
    volume(table, ts.and_then(|f| Some((row.f64(&name(f, "first"))?, row.f64(&name(f, "last"))?))), rows, findings);
    Ok(())
}

/// `3.2 days`, `5h`, for ages that are rarely whole units.
fn days(s: f64) -> String {
    if s >= 86_400.0 {
        format!("{} days", num((s / 86_400.0 * 10.0).round() / 10.0))
    } else if s >= 3600.0 {
        format!("{} hours", num((s / 3600.0 * 10.0).round() / 10.0))
    } else {
        format!("{} minutes", num((s / 60.0).round()))
    }
}

fn volume(table: &Table<'_>, span_ms: Option<(f64, f64)>, rows: u64, findings: &mut Findings) {
    let source = table.source;
    let at = source.volume_span.unwrap_or(source.name_span);
    match (source.volume_per_s, source.volume) {
        (Some(per_s), _) => {
            let Some((first, last)) = span_ms else { return };
            let whole_days = ((last - first) / DAY_MS).floor();
            if whole_days < 1.0 || per_s <= 0.0 {
                return;
            }
            let observed = rows as f64 / ((last - first) / DAY_MS);
            let declared = per_s * 86_400.0;
            if observed < declared / VOLUME_FACTOR || observed > declared * VOLUME_FACTOR {
                findings.push(
                    Diagnostic::new(
                        "W0606",
                        at,
                        format!(
                            "{} holds {} rows a day over {} days of events, far from the declared {} a day",
                            table.shown,
                            count(observed),
                            num(((last - first) / DAY_MS * 10.0).round() / 10.0),
                            count(declared)
                        ),
                    )
                    .help("declare the volume the source has (capacity, cost and the simulation read it); a sampled export is far by its sampling rate"),
                );
            }
        }
        (None, Some(total)) if rows as f64 > VOLUME_FACTOR * total => findings.push(
            Diagnostic::new(
                "W0606",
                at,
                format!("{} holds {} rows, more than twice the declared volume of {}", table.shown, count(rows as f64), count(total)),
            )
            .help(format!("declare the volume the source has (`volume {rows}`)")),
        ),
        _ => {}
    }
}
