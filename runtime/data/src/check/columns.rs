//! Each column against its field's own declarations: `range` (E0604),
//! `values` (E0605), `missing` (E0606) and `key` (E0607).
//!
//! **Tolerance:** a declared missing rate p is exceeded when the observed
//! rate is above p + max(0.5 points, 3 standard errors √(p(1−p)/n)), so a
//! sample's noise is not a finding; a field that declares no `missing` and
//! is not `nullable` may have no missing value at all. A label with a
//! `delay` is missing only on rows whose event is older than the delay at
//! `--as-of`: younger labels are not known yet.

use super::{name, Findings, Options, Table};
use crate::query::{count_where, epoch_ms, examples, show_examples, Aggregates, Row};
use crate::tolerance::{EXAMPLES, MISSING_MIN_POINTS, MISSING_SIGMAS};
use mlspec_diag::Diagnostic;
use mlspec_ir::numbers::{count, num, pct};
use mlspec_ir::{Field, FieldType};
use polars::prelude::*;

/// The rows where `f` is missing: any null, but for a label with a delay
/// only those whose label is due by `as_of`.
fn missing_rows(f: &Field, fields: &[&Field], options: &Options) -> Expr {
    let null = col(f.name.as_str()).is_null();
    match (f.label, f.delay_s, fields.iter().find(|e| e.event_time)) {
        (true, Some(delay_s), Some(event)) => {
            let due_before = options.as_of_ms as f64 - delay_s * 1000.0;
            null.and(epoch_ms(&event.name).cast(DataType::Float64).lt_eq(lit(due_before)))
        }
        _ => null,
    }
}

pub fn ask(fields: &[&Field], options: &Options, aggs: &mut Aggregates) {
    for f in fields {
        let c = || col(f.name.as_str());
        aggs.add(name(f, "nulls"), count_where(missing_rows(f, fields, options)));
        if let Some(cond) = out_of_range(f) {
            aggs.add(name(f, "out_of_range"), count_where(cond));
            aggs.add(name(f, "min"), c().min().cast(DataType::Float64));
            aggs.add(name(f, "max"), c().max().cast(DataType::Float64));
        }
        if let Some(cond) = outside_values(f) {
            aggs.add(name(f, "outside_values"), count_where(cond));
        }
        if f.key {
            aggs.add(name(f, "distinct"), c().drop_nulls().n_unique().cast(DataType::UInt64));
        }
    }
}

/// Rows outside `range` (numeric fields only).
fn out_of_range(f: &Field) -> Option<Expr> {
    let (lo, hi) = f.range?;
    matches!(f.ty, FieldType::Int | FieldType::Float).then(|| {
        let x = col(f.name.as_str()).cast(DataType::Float64);
        x.clone().lt(lit(lo)).or(x.gt(lit(hi)))
    })
}

/// Rows whose value is not one of `values`.
fn outside_values(f: &Field) -> Option<Expr> {
    if f.values.is_empty() {
        return None;
    }
    let x = || col(f.name.as_str()).cast(DataType::String);
    let listed = f.values.iter().fold(lit(false), |any, v| any.or(x().eq(lit(v.as_str()))));
    Some(x().is_not_null().and(listed.not()))
}

pub fn judge(table: &Table<'_>, fields: &[&Field], row: &Row, findings: &mut Findings) -> PolarsResult<()> {
    let rows = row.count(super::ROWS);
    for f in fields {
        let column = format!("`{}` of {}", f.name, table.shown);
        let bad = row.count(&name(f, "out_of_range"));
        if let (Some((lo, hi)), true) = (f.range, bad > 0) {
            let shown = show_examples(&examples(table.frame.clone(), out_of_range(f).unwrap_or(lit(false)), &f.name, EXAMPLES)?);
            let (min, max) = (row.f64(&name(f, "min")).unwrap_or(lo), row.f64(&name(f, "max")).unwrap_or(hi));
            findings.push(
                Diagnostic::new(
                    "E0604",
                    f.modifier_span("range"),
                    format!(
                        "{} of {} rows of {column} are outside `range {}..{}`{shown}",
                        count(bad as f64),
                        count(rows as f64),
                        num(lo),
                        num(hi)
                    ),
                )
                .help(format!(
                    "the data runs from {} to {}: fix the rows, or widen the range (`range {}..{}`) if those values are real",
                    num(min),
                    num(max),
                    num(min.min(lo)),
                    num(max.max(hi))
                )),
            );
        }
        let bad = row.count(&name(f, "outside_values"));
        if bad > 0 {
            let shown = show_examples(&examples(table.frame.clone(), outside_values(f).unwrap_or(lit(false)), &f.name, EXAMPLES)?);
            findings.push(
                Diagnostic::new(
                    "E0605",
                    f.modifier_span("values"),
                    format!(
                        "{} of {} rows of {column} hold a value that `values` does not list{shown}",
                        count(bad as f64),
                        count(rows as f64)
                    ),
                )
                .help("add the values to `values [...]` if they are real categories, or map them to listed ones in the export"),
            );
        }
        missing(f, &column, rows, row.count(&name(f, "nulls")), findings);
        if f.key {
            let present = rows - row.count(&name(f, "nulls"));
            let duplicates = present.saturating_sub(row.count(&name(f, "distinct")));
            if duplicates > 0 {
                let shown = duplicate_examples(table, f)?;
                findings.push(
                    Diagnostic::new(
                        "E0607",
                        f.modifier_span("key"),
                        format!(
                            "{} of {} rows of {column} repeat a key that an earlier row holds{shown}",
                            count(duplicates as f64),
                            count(rows as f64)
                        ),
                    )
                    .help("a `key` identifies one row: deduplicate the export, or drop `key` if the field is not unique"),
                );
            }
        }
    }
    Ok(())
}

fn missing(f: &Field, column: &str, rows: u64, nulls: u64, findings: &mut Findings) {
    if rows == 0 || nulls == 0 || f.nullable {
        return;
    }
    let observed = nulls as f64 / rows as f64;
    let found = format!("{} of {} rows ({}) of {column} are missing", count(nulls as f64), count(rows as f64), pct(observed));
    match f.missing {
        Some(p) => {
            let tolerance = (MISSING_SIGMAS * (p * (1.0 - p) / rows as f64).sqrt()).max(MISSING_MIN_POINTS);
            if observed > p + tolerance {
                findings.push(
                    Diagnostic::new("E0606", f.modifier_span("missing"), format!("{found}, above the declared `missing {}`", pct(p)))
                        .help(format!("declare the rate the data has (`missing {}`), or find why rows lose the value", pct(observed))),
                );
            }
        }
        None => findings.push(Diagnostic::new("E0606", f.span, format!("{found}, but `{}` declares no `missing` rate", f.name)).help(
            if f.key {
                "a key is never missing: drop or repair those rows".to_string()
            } else {
                format!("declare it (`missing {}`) or mark the field `nullable`", pct(observed))
            },
        )),
    }
}

/// `, e.g. key 42 (3 rows), key 7 (2 rows)`: the smallest repeated keys.
fn duplicate_examples(table: &Table<'_>, f: &Field) -> PolarsResult<String> {
    let key = f.name.as_str();
    let repeated = crate::query::collect(
        table
            .frame
            .clone()
            .filter(col(key).is_not_null())
            .group_by([col(key).cast(DataType::String)])
            .agg([len().cast(DataType::UInt64).alias("n")])
            .filter(col("n").gt(lit(1u64)))
            .sort([key], SortMultipleOptions::default())
            .limit(EXAMPLES),
    )?;
    let keys = repeated.column(key)?.str()?.clone();
    let counts = repeated.column("n")?.u64()?.clone();
    let shown: Vec<String> =
        keys.iter().zip(counts.iter()).filter_map(|(k, n)| Some(format!("{} ({} rows)", crate::query::clip(k?), n?))).collect();
    Ok(if shown.is_empty() { String::new() } else { format!(", e.g. {}", shown.join(", ")) })
}
