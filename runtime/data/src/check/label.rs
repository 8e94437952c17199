//! The label: its rate against `positive_rate` (W0604), its arrival
//! against `delay` (W0605), and columns that give it away (W0607).
//!
//! **Tolerances:** the label rate is far when a two-sided binomial test
//! rejects the declared rate at 0.1 % (|z| > 3.29) and the rates differ by
//! more than a tenth of the declared one; labels are late when more than
//! 1 % arrive after `delay` (the arrival time is a column `<label>_at` or
//! `<label>_ts`); a column leaks when, alone, it ranks the rows by label
//! with an AUC of at least 0.99 (or at most 0.01), judged only with at
//! least 30 labelled rows of each class, and for a category only when its
//! values average at least 5 rows each.

use super::schema::label_time_columns;
use super::{name, Findings, Table};
use crate::query::{count_where, counts_by_value, epoch_ms, Aggregates, Row};
use mlspec_diag::Diagnostic;
use mlspec_ir::numbers::{count, human_duration, num, pct};
use mlspec_ir::{Design, Field, FieldType};
use polars::prelude::*;

use crate::tolerance::{LATE_SHARE, LEAK_AUC, LEAK_MIN_CLASS, LEAK_MIN_ROWS_PER_CATEGORY, RATE_RELATIVE, RATE_Z};

/// The label field of this source that the problem targets.
fn target<'a>(design: &Design, table: &Table<'a>, fields: &[&'a Field]) -> Option<&'a Field> {
    let t = design.problem.target.as_ref()?;
    (t.source == table.source.name).then(|| fields.iter().copied().find(|f| f.name == t.field))?
}

/// The column holding when the label arrived, when the data has one.
fn arrival(table: &Table<'_>, label: &Field) -> Option<String> {
    label_time_columns(&label.name).into_iter().find(|c| matches!(table.schema.get(c), Some(DataType::Datetime(..) | DataType::Date)))
}

fn late(arrived: &str, event: &Field, delay_s: f64) -> Expr {
    (epoch_ms(arrived) - epoch_ms(&event.name)).gt(lit(delay_s * 1000.0))
}

pub fn ask(design: &Design, table: &Table<'_>, fields: &[&Field], aggs: &mut Aggregates) {
    if let Some(label) = target(design, table, fields) {
        aggs.add(name(label, "labels"), col(label.name.as_str()).count().cast(DataType::UInt64));
        aggs.add(name(label, "positives"), col(label.name.as_str()).cast(DataType::Float64).sum());
    }
    for label in fields.iter().filter(|f| f.label) {
        let (Some(delay_s), Some(arrived), Some(event)) = (label.delay_s, arrival(table, label), fields.iter().find(|f| f.event_time))
        else {
            continue;
        };
        aggs.add(name(label, "arrived"), col(arrived.as_str()).count().cast(DataType::UInt64));
        aggs.add(name(label, "late"), count_where(late(&arrived, event, delay_s)));
        aggs.add(name(label, "longest"), (epoch_ms(&arrived) - epoch_ms(&event.name)).max().cast(DataType::Float64));
    }
}

pub fn judge(design: &Design, table: &Table<'_>, fields: &[&Field], row: &Row, findings: &mut Findings) -> PolarsResult<()> {
    if let Some(label) = target(design, table, fields) {
        rate(design, table, label, row, findings);
        leaks(table, label, fields, findings)?;
    }
    for label in fields.iter().filter(|f| f.label) {
        let arrived = row.count(&name(label, "arrived"));
        let late = row.count(&name(label, "late"));
        let (Some(delay_s), Some(column)) = (label.delay_s, arrival(table, label)) else { continue };
        if arrived == 0 || (late as f64) <= LATE_SHARE * arrived as f64 {
            continue;
        }
        let longest_s = row.f64(&name(label, "longest")).unwrap_or(0.0) / 1000.0;
        findings.push(
            Diagnostic::new(
                "W0605",
                label.modifier_span("delay"),
                format!(
                    "{} of {} labels in {} ({}) arrived more than {} after the event (column `{column}`); the latest took {} days",
                    count(late as f64),
                    count(arrived as f64),
                    table.shown,
                    pct(late as f64 / arrived as f64),
                    human_duration(delay_s),
                    num((longest_s / 86_400.0 * 10.0).round() / 10.0)
                ),
            )
            .help(
                "declare the delay the labels have: monitors and retraining wait for it, and a shorter one trains on labels not yet known",
            ),
        );
    }
    Ok(())
}

fn rate(design: &Design, table: &Table<'_>, label: &Field, row: &Row, findings: &mut Findings) {
    let (Some(p), Some(at)) = (design.problem.positive_rate, design.problem.positive_rate_span) else { return };
    let n = row.count(&name(label, "labels"));
    let Some(positives) = row.f64(&name(label, "positives")) else { return };
    if n == 0 || !(0.0..1.0).contains(&p) || p == 0.0 {
        return;
    }
    let observed = positives / n as f64;
    let z = (observed - p) / (p * (1.0 - p) / n as f64).sqrt();
    if z.abs() > RATE_Z && (observed - p).abs() > p * RATE_RELATIVE {
        findings.push(
            Diagnostic::new(
                "W0604",
                at,
                format!(
                    "`{}` is positive in {} of {} labelled rows of {}, far from the declared `positive_rate {}` (binomial z = {})",
                    label.name,
                    pct(observed),
                    count(n as f64),
                    table.shown,
                    pct(p),
                    num((z * 10.0).round() / 10.0)
                ),
            )
            .help(format!(
                "declare the rate the data has (`positive_rate {}`): imbalance handling, thresholds and the simulation read it",
                pct(observed)
            )),
        );
    }
}

/// Columns that could be features: numbers, flags and categories, not the
/// label, keys, identifiers or times.
fn candidate(f: &Field, label: &Field) -> bool {
    f.name != label.name && !f.key && !f.label && matches!(f.ty, FieldType::Int | FieldType::Float | FieldType::Bool | FieldType::Category)
}

fn leaks(table: &Table<'_>, label: &Field, fields: &[&Field], findings: &mut Findings) -> PolarsResult<()> {
    for f in fields.iter().filter(|f| candidate(f, label)) {
        let groups = counts_by_value(table.frame.clone(), &f.name, Some(&label.name))?;
        let rows: Vec<f64> = groups.column("rows")?.cast(&DataType::Float64)?.f64()?.iter().map(|x| x.unwrap_or(0.0)).collect();
        let pos: Vec<f64> = groups.column("positives")?.f64()?.iter().map(|x| x.unwrap_or(0.0)).collect();
        let mut cells: Vec<(f64, f64)> = pos.iter().zip(&rows).map(|(p, n)| (*p, n - p)).collect();
        let (positives, labelled) = (pos.iter().sum::<f64>(), rows.iter().sum::<f64>());
        if positives.min(labelled - positives) < LEAK_MIN_CLASS {
            continue;
        }
        if f.ty == FieldType::Category {
            if (cells.len() as f64) * LEAK_MIN_ROWS_PER_CATEGORY > labelled {
                continue;
            }
            // A category's score is its label rate: the best a model could do with it alone.
            cells.sort_by(|a, b| (a.0 / (a.0 + a.1)).total_cmp(&(b.0 / (b.0 + b.1))));
        }
        let Some(auc) = auc(&cells) else { continue };
        let separation = auc.max(1.0 - auc);
        if separation >= LEAK_AUC {
            findings.push(
                Diagnostic::new(
                    "W0607",
                    f.span,
                    format!(
                        "`{}` alone separates the label `{}` in {} (AUC {}): a feature that knows the outcome leaks it",
                        f.name,
                        label.name,
                        table.shown,
                        num((separation * 1000.0).round() / 1000.0)
                    ),
                )
                .help("check whether the column is written after the label is known (a status, a refund, a closing date); if so, keep it out of `features`"),
            );
        }
    }
    Ok(())
}

/// The AUC of groups in ascending score order, each `(positives,
/// negatives)` with one score (ties count a half): `None` without both
/// classes.
fn auc(groups: &[(f64, f64)]) -> Option<f64> {
    let (p, n): (f64, f64) = groups.iter().fold((0.0, 0.0), |(p, n), g| (p + g.0, n + g.1));
    if p <= 0.0 || n <= 0.0 {
        return None;
    }
    let mut below = 0.0;
    let mut wins = 0.0;
    for (pos, neg) in groups {
        wins += pos * below + 0.5 * pos * neg;
        below += neg;
    }
    Some(wins / (p * n))
}

#[cfg(test)]
mod tests {
    use super::auc;

    #[test]
    fn auc_counts_pairs_ranked_right_and_ties_as_halves() {
        // Perfect: all negatives score below all positives.
        assert_eq!(auc(&[(0.0, 5.0), (3.0, 0.0)]), Some(1.0));
        assert_eq!(auc(&[(3.0, 0.0), (0.0, 5.0)]), Some(0.0));
        // One score for everything: a coin.
        assert_eq!(auc(&[(3.0, 5.0)]), Some(0.5));
        // 2 positives, 2 negatives: scores n1 < p1 < n2 < p2 → 3 of 4 pairs right.
        assert_eq!(auc(&[(0.0, 1.0), (1.0, 0.0), (0.0, 1.0), (1.0, 0.0)]), Some(0.75));
        assert_eq!(auc(&[(0.0, 4.0)]), None);
    }
}
