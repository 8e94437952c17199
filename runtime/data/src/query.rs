//! The few shapes of polars query every check is made of, each run by the
//! streaming engine: one row of aggregates, the first rows that break a
//! rule, and counts by value.
//!
//! **Invariant:** every query here is deterministic: rows come back sorted
//! (by row number, or by value), never in the order threads finished.

use polars::prelude::*;

/// The name of the row-number column examples carry; counts from 0, in
/// file order (parts in name order), as pandas and polars number rows.
pub const ROW: &str = "__mlspec_row";

/// Runs `frame` on the streaming engine: a file larger than memory is read
/// in batches.
pub fn collect(frame: LazyFrame) -> PolarsResult<DataFrame> {
    match frame.collect_with_engine(Engine::Streaming)? {
        polars_core::query_result::QueryResult::Single(df) => Ok(df),
        polars_core::query_result::QueryResult::Multiple(_) => Err(polars_err!(ComputeError: "a query gave several results")),
    }
}

/// Aggregates over a whole frame, gathered by name and collected in one
/// pass: every check of a source that needs only sums, counts, minima and
/// maxima shares it.
#[derive(Default)]
pub struct Aggregates {
    exprs: Vec<Expr>,
}

/// The collected row of [`Aggregates`].
pub struct Row(DataFrame);

impl Aggregates {
    /// Adds `expr` (one value over the frame) under `name`.
    pub fn add(&mut self, name: String, expr: Expr) {
        self.exprs.push(expr.alias(name));
    }

    pub fn collect(self, frame: LazyFrame) -> PolarsResult<Row> {
        if self.exprs.is_empty() {
            return Ok(Row(DataFrame::empty()));
        }
        collect(frame.select(self.exprs)).map(Row)
    }
}

impl Row {
    /// The aggregate `name` as a number; `None` when it is null (the min of
    /// an all-null column) or was not asked for.
    pub fn f64(&self, name: &str) -> Option<f64> {
        let value = self.0.column(name).ok()?.get(0).ok()?;
        match value {
            AnyValue::Boolean(b) => Some(f64::from(u8::from(b))),
            other => other.extract::<f64>(),
        }
    }

    /// A count: absent and null read as 0.
    pub fn count(&self, name: &str) -> u64 {
        self.f64(name).map_or(0, |x| x.max(0.0) as u64)
    }
}

/// The count of rows where `condition` holds (nulls count as not).
pub fn count_where(condition: Expr) -> Expr {
    condition.fill_null(lit(false)).cast(DataType::UInt64).sum()
}

/// A column as epoch milliseconds (UTC): datetimes of any unit or zone and
/// dates.
pub fn epoch_ms(column: &str) -> Expr {
    col(column).dt().timestamp(TimeUnit::Milliseconds)
}

/// Up to `n` rows where `condition` holds, as `(row number, value of
/// column)`, the earliest rows first.
pub fn examples(frame: LazyFrame, condition: Expr, column: &str, n: u32) -> PolarsResult<Vec<(u64, String)>> {
    let rows = collect(
        frame
            .with_row_index(ROW, None)
            .filter(condition.fill_null(lit(false)))
            .select([col(ROW), col(column).cast(DataType::String)])
            .sort([ROW], SortMultipleOptions::default())
            .limit(n),
    )?;
    let numbers = rows.column(ROW)?.cast(&DataType::UInt64)?;
    let numbers = numbers.u64()?;
    let values = rows.column(column)?.str()?.clone();
    Ok(numbers.iter().zip(values.iter()).filter_map(|(r, v)| Some((r?, v.unwrap_or("null").to_string()))).collect())
}

/// `e.g. row 17: 612.3, row 402: -1`, or nothing without examples.
pub fn show_examples(examples: &[(u64, String)]) -> String {
    if examples.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = examples.iter().map(|(row, value)| format!("row {row}: {}", clip(value))).collect();
    format!(", e.g. {}", shown.join(", "))
}

/// A value from the data as a message shows it: at most 40 characters.
pub fn clip(value: &str) -> String {
    const MAX: usize = 40;
    if value.chars().count() <= MAX {
        value.to_string()
    } else {
        format!("{}…", value.chars().take(MAX).collect::<String>())
    }
}

/// The non-null values of `column` in `child` that `parent_column` of
/// `parent` does not hold (an anti-join, compared as text), in a column
/// named [`UNRESOLVED`]: what `references` checks and `infer` links by.
pub fn unresolved(child: LazyFrame, column: &str, parent: LazyFrame, parent_column: &str) -> LazyFrame {
    let as_text = |frame: LazyFrame, c: &str| frame.select([col(c).cast(DataType::String).alias(UNRESOLVED)]).drop_nulls(None);
    as_text(child, column).join(as_text(parent, parent_column), [col(UNRESOLVED)], [col(UNRESOLVED)], JoinArgs::new(JoinType::Anti))
}

/// The column [`unresolved`] gives.
pub const UNRESOLVED: &str = "__mlspec_value";

/// `(value, rows, label positives)` for each distinct value of `column`
/// over the rows where `label` is not null, sorted by value: what the
/// leakage check and `infer` read. The label is summed as 0/1.
pub fn counts_by_value(frame: LazyFrame, column: &str, label: Option<&str>) -> PolarsResult<DataFrame> {
    let mut frame = frame;
    let mut aggs = vec![len().cast(DataType::UInt64).alias("rows")];
    if let Some(label) = label {
        frame = frame.filter(col(label).is_not_null());
        aggs.push(col(label).cast(DataType::Float64).sum().alias("positives"));
    }
    collect(frame.filter(col(column).is_not_null()).group_by([col(column)]).agg(aggs).sort([column], SortMultipleOptions::default()))
}
