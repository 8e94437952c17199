//! `mlspec data infer`: a spec drafted from data files, one `source` per
//! file, each column a field with what the data shows of it.
//!
//! What is inferred, and the rule for each:
//! - the type, from the column's type; a string column is a `category`
//!   when it has at most [`MAX_CATEGORIES`] distinct values and each repeats
//!   on average at least [`MIN_REPEATS`] times, an `id` when its name says so
//!   (`id`, `*_id`) or every value is distinct, else a `string`;
//! - `key`: the first identifier column (`id` type) whose values are all
//!   present and distinct;
//! - `event_time`: the first timestamp column;
//! - `range`: the data's minimum and maximum, widened to round numbers;
//! - `values`: a category's distinct values, sorted;
//! - `missing`: the share of nulls, rounded up (so the data checks clean);
//! - `dist`: for numbers, the best maximum-likelihood fit among the
//!   language's distributions on up to [`FIT_SAMPLE`] values spread evenly
//!   through the file, with its Kolmogorov–Smirnov distance (and the
//!   runner-up's) as a comment;
//! - `references S.F`: a column named like another file's key whose every
//!   value is one of that key's;
//! - `volume`: rows per day over the days the event times span, else rows.
//!
//! **Invariant:** the draft, checked against the same files with
//! `mlspec data check`, has no finding: every declaration is one the data
//! meets (a test holds it).

use crate::check::schema::is_text;
use crate::files::SourceData;
use crate::fit::fit_all;
use crate::query::{collect, counts_by_value, epoch_ms, unresolved, Aggregates, Row, ROW};
use mlspec_ir::numbers::{count, num};
use polars::prelude::*;
use std::fmt::Write as _;

use crate::tolerance::{INFER_FIT_SAMPLE as FIT_SAMPLE, INFER_MAX_CATEGORIES as MAX_CATEGORIES, INFER_MIN_REPEATS as MIN_REPEATS};

/// One data file to draft a source from.
pub struct Input {
    pub source: String,
    pub data: SourceData,
    pub shown: String,
}

/// What one column turned out to be.
struct Column {
    name: String,
    ty: String,
    modifiers: Vec<String>,
    comment: Option<String>,
}

/// What one file turned out to be.
struct Drafted {
    input_index: usize,
    columns: Vec<Column>,
    key: Option<String>,
    rows: u64,
    volume: String,
}

/// The drafted spec's text (fmt-canonical), or the first error reading a file.
pub fn draft(system: &str, inputs: &[Input]) -> Result<String, String> {
    let mut drafted = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        drafted.push(draft_source(i, input).map_err(|e| format!("{}: {}", input.shown, first_line(&e)))?);
    }
    link_references(inputs, &mut drafted).map_err(|e| first_line(&e))?;
    let mut out = String::new();
    let files: Vec<&str> = inputs.iter().map(|i| i.shown.as_str()).collect();
    let _ = writeln!(out, "/// Drafted by `mlspec data infer` from {}: review every line.", files.join(", "));
    let _ = writeln!(out, "system {system} {{");
    out.push_str("  // What the system is for: write the objective, the task and the `target SOURCE.FIELD` it learns.\n");
    out.push_str("  problem {\n    objective \"What the model should decide, for whom\"\n    task binary_classification\n  }\n");
    for d in &drafted {
        let input = &inputs[d.input_index];
        let format = match input.data.format {
            crate::files::Format::Parquet => "parquet",
            crate::files::Format::Csv => "csv",
        };
        let _ = write!(
            out,
            "\n  // {} rows in {}\n  source {} {{\n    kind table\n    format {format}\n    volume {}\n    schema {{\n",
            count(d.rows as f64),
            input.shown,
            input.source,
            d.volume
        );
        for c in &d.columns {
            if let Some(comment) = &c.comment {
                let _ = writeln!(out, "      // {comment}");
            }
            let _ = write!(out, "      {}: {}", c.name, c.ty);
            for m in &c.modifiers {
                let _ = write!(out, " {m}");
            }
            out.push('\n');
        }
        out.push_str("    }\n  }\n");
    }
    out.push_str("}\n");
    Ok(out)
}

fn first_line(e: &dyn std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or_default().trim().to_string()
}

const ROWS: &str = "__mlspec_rows";

fn agg(column: &str, what: &str) -> String {
    format!("{column}\u{1f}{what}")
}

fn draft_source(input_index: usize, input: &Input) -> PolarsResult<Drafted> {
    let mut frame = input.data.scan()?;
    let schema = frame.collect_schema()?;
    let mut aggs = Aggregates::default();
    aggs.add(ROWS.to_string(), len().cast(DataType::UInt64));
    for (name, dtype) in schema.iter() {
        let c = || col(name.clone());
        aggs.add(agg(name, "nulls"), c().null_count().cast(DataType::UInt64));
        if is_text(dtype) || dtype.is_integer() {
            aggs.add(agg(name, "distinct"), c().drop_nulls().n_unique().cast(DataType::UInt64));
        }
        if dtype.is_primitive_numeric() {
            aggs.add(agg(name, "min"), c().min().cast(DataType::Float64));
            aggs.add(agg(name, "max"), c().max().cast(DataType::Float64));
        }
        if matches!(dtype, DataType::Datetime(..) | DataType::Date) {
            aggs.add(agg(name, "first"), epoch_ms(name).min().cast(DataType::Float64));
            aggs.add(agg(name, "last"), epoch_ms(name).max().cast(DataType::Float64));
        }
    }
    let row = aggs.collect(frame.clone())?;
    let rows = row.count(ROWS);
    let mut columns = Vec::new();
    let mut key = None;
    let mut event_time = None;
    for (name, dtype) in schema.iter() {
        let column = describe(&frame, name, dtype, &row, rows, &mut key, &mut event_time)?;
        columns.extend(column);
    }
    let volume = event_time
        .and_then(|ts: String| {
            let days = (row.f64(&agg(&ts, "last"))? - row.f64(&agg(&ts, "first"))?) / 86_400_000.0;
            (days >= 1.0).then(|| format!("{} / day", (rows as f64 / days).round().max(1.0)))
        })
        .unwrap_or_else(|| rows.to_string());
    Ok(Drafted { input_index, columns, key, rows, volume })
}

fn id_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "id" || n.ends_with("_id")
}

/// The field for one column, or `None` for a type the language has no
/// field type for (it stays undeclared).
#[allow(clippy::too_many_arguments)]
fn describe(
    frame: &LazyFrame,
    name: &str,
    dtype: &DataType,
    row: &Row,
    rows: u64,
    key: &mut Option<String>,
    event_time: &mut Option<String>,
) -> PolarsResult<Option<Column>> {
    let nulls = row.count(&agg(name, "nulls"));
    let distinct = row.count(&agg(name, "distinct"));
    let unique = rows > 0 && nulls == 0 && distinct == rows;
    let mut modifiers = Vec::new();
    let mut comment = None;
    let ty = if matches!(dtype, DataType::Boolean) {
        "bool".to_string()
    } else if matches!(dtype, DataType::Datetime(..)) || matches!(dtype, DataType::Date) {
        if event_time.is_none() {
            *event_time = Some(name.to_string());
            modifiers.push("event_time".to_string());
        }
        if matches!(dtype, DataType::Date) { "date" } else { "timestamp" }.to_string()
    } else if is_text(dtype) || (dtype.is_integer() && id_like(name)) {
        if id_like(name) || (is_text(dtype) && unique) {
            if unique && key.is_none() {
                *key = Some(name.to_string());
                modifiers.push("key".to_string());
            }
            "id".to_string()
        } else if distinct <= MAX_CATEGORIES && distinct * MIN_REPEATS <= rows - nulls {
            let values = counts_by_value(frame.clone(), name, None)?;
            let listed: Vec<String> =
                values.column(name)?.cast(&DataType::String)?.str()?.iter().flatten().map(|v| format!("{v:?}")).collect();
            modifiers.push(format!("values [{}]", listed.join(", ")));
            "category".to_string()
        } else {
            "string".to_string()
        }
    } else if dtype.is_primitive_numeric() {
        let (lo, hi) = (row.f64(&agg(name, "min")), row.f64(&agg(name, "max")));
        if let (Some(lo), Some(hi)) = (lo, hi) {
            modifiers.push(format!("range {}..{}", round_down(lo), round_up(hi)));
        }
        if let Some((dist, why)) = fit(frame, name, rows - nulls)? {
            modifiers.push(dist);
            comment = Some(why);
        }
        if dtype.is_integer() { "int" } else { "float" }.to_string()
    } else {
        return Ok(None);
    };
    if nulls > 0 {
        modifiers.push(format!("missing {}", missing_rate(nulls, rows)));
    }
    Ok(Some(Column { name: name.to_string(), ty, modifiers, comment }))
}

/// The share of nulls as a percentage rounded up to two significant
/// digits, so the declaration is never below the data.
fn missing_rate(nulls: u64, rows: u64) -> String {
    let pct = 100.0 * nulls as f64 / rows.max(1) as f64;
    let digits = 10f64.powf(pct.log10().floor() - 1.0);
    let up = ((pct / digits).ceil() * digits).min(100.0);
    format!("{}%", trim_float(up))
}

fn trim_float(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A round number at or below `x` (two significant digits).
fn round_down(x: f64) -> String {
    round_to(x, f64::floor)
}

fn round_up(x: f64) -> String {
    round_to(x, f64::ceil)
}

fn round_to(x: f64, f: fn(f64) -> f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return "0".to_string();
    }
    let step = 10f64.powf(x.abs().log10().floor() - 1.0).max(1e-6);
    let r = f(x / step) * step;
    // Whole numbers print without a fraction; others with what the step needs.
    trim_float((r * 1e6).round() / 1e6)
}

/// `dist ...` fitted on up to [`FIT_SAMPLE`] values spread through the
/// column, and the comment saying how well it fits.
fn fit(frame: &LazyFrame, name: &str, present: u64) -> PolarsResult<Option<(String, String)>> {
    if present < 2 {
        return Ok(None);
    }
    let every = present.div_ceil(FIT_SAMPLE).max(1);
    let sample = collect(
        frame
            .clone()
            .select([col(name).cast(DataType::Float64)])
            .drop_nulls(None)
            .with_row_index(ROW, None)
            .filter((col(ROW).cast(DataType::UInt64) % lit(every)).eq(lit(0u64)))
            .select([col(name)]),
    )?;
    let values: Vec<f64> = sample.column(name)?.f64()?.iter().flatten().collect();
    let fits = fit_all(&values);
    let Some(best) = fits.first() else { return Ok(None) };
    let params: Vec<String> = best.dist.params().iter().map(|(k, v)| format!("{k}: {}", param(*v))).collect();
    let mut why = format!("dist: the best of {} fits, KS distance {} over {} values", fits.len(), num(best.ks), count(best.n as f64));
    if let Some(next) = fits.get(1) {
        let _ = write!(why, " ({} {})", next.dist.name(), num(next.ks));
    }
    Ok(Some((format!("dist {}({})", best.dist.name(), params.join(", ")), why)))
}

/// A parameter to four significant digits.
fn param(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".to_string();
    }
    let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 8) as usize;
    trim_float(format!("{v:.digits$}").parse::<f64>().unwrap_or(v))
}

/// Marks `references OTHER.KEY` on each column named like another file's
/// key whose every value is one of that key's.
fn link_references(inputs: &[Input], drafted: &mut [Drafted]) -> PolarsResult<()> {
    let keys: Vec<(usize, String)> = drafted.iter().filter_map(|d| Some((d.input_index, d.key.clone()?))).collect();
    for d in drafted.iter_mut() {
        for c in d.columns.iter_mut().filter(|c| c.ty == "id" && !c.modifiers.iter().any(|m| m == "key")) {
            let Some((other, key)) = keys.iter().find(|(i, k)| *i != d.input_index && *k == c.name) else { continue };
            let unresolved = unresolved(inputs[d.input_index].data.scan()?, &c.name, inputs[*other].data.scan()?, key);
            let n = collect(unresolved.select([len().cast(DataType::UInt64).alias("n")]))?;
            if n.column("n")?.u64()?.get(0) == Some(0) {
                c.modifiers.push(format!("references {}.{key}", inputs[*other].source));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_outward_and_short() {
        assert_eq!(round_down(3.271_8), "3.2");
        assert_eq!(round_up(3.271_8), "3.3");
        assert_eq!(round_down(-12.5), "-13");
        assert_eq!(round_up(487.2), "490");
        assert_eq!(round_down(0.0), "0");
        assert_eq!(round_up(20000.0), "20000");
    }

    #[test]
    fn missing_rates_round_up() {
        assert_eq!(missing_rate(1, 3), "34%");
        assert_eq!(missing_rate(3, 1000), "0.3%");
        assert_eq!(missing_rate(1234, 100_000), "1.3%");
        assert_eq!(missing_rate(5, 5), "100%");
    }

    #[test]
    fn identifier_names() {
        for yes in ["id", "customer_id", "ID", "user_id"] {
            assert!(id_like(yes), "{yes}");
        }
        for no in ["paid", "valid", "amount"] {
            assert!(!id_like(no), "{no}");
        }
    }
}
