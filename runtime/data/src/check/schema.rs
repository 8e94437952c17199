//! The columns: each declared field is in the data with a type that can
//! hold it (E0602, E0603), and the data has no column the schema does not
//! declare (W0601).

use super::{Findings, Table};
use mlspec_diag::Diagnostic;
use mlspec_ir::{Field, FieldType};
use polars::prelude::*;

/// The column names a label's arrival time may have (`churned_30d_at`):
/// read by the label-delay check, so never an undeclared column.
pub fn label_time_columns(label: &str) -> [String; 2] {
    [format!("{label}_at"), format!("{label}_ts")]
}

/// Reports missing, mistyped and undeclared columns; returns the declared
/// fields whose column is present with a usable type (every other check
/// reads only those).
pub fn check<'a>(table: &Table<'a>, findings: &mut Findings) -> PolarsResult<Vec<&'a Field>> {
    let source = table.source;
    let mut usable = Vec::new();
    for field in &source.fields {
        match table.schema.get(&field.name) {
            None => findings.push(
                Diagnostic::new(
                    "E0602",
                    field.span,
                    format!("`{}.{}` is declared but {} has no column `{}`", source.name, field.name, table.shown, field.name),
                )
                .help(format!("add the column to the data, or remove `{}` from the schema if the source does not have it", field.name)),
            ),
            // A CSV column with no value at all reads as text: it holds nothing to mistype.
            Some(dtype) if !(holds(&field.ty, dtype) || matches!(dtype, DataType::String) && all_null(table, &field.name)?) => findings
                .push(
                    Diagnostic::new(
                        "E0603",
                        field.type_span,
                        format!(
                            "`{}.{}` is declared `{}` but column `{}` of {} holds {}",
                            source.name,
                            field.name,
                            field.ty.name(),
                            field.name,
                            table.shown,
                            dtype
                        ),
                    )
                    .help(type_help(&field.ty, dtype)),
                ),
            Some(_) => usable.push(field),
        }
    }
    // A label's arrival column is read by the label-delay check only when it holds times.
    let label_times: Vec<String> = source
        .fields
        .iter()
        .filter(|f| f.label)
        .flat_map(|f| label_time_columns(&f.name))
        .filter(|c| matches!(table.schema.get(c), Some(DataType::Datetime(..) | DataType::Date)))
        .collect();
    let extra: Vec<String> =
        table.schema.iter_names().map(|n| n.to_string()).filter(|n| source.field(n).is_none() && !label_times.contains(n)).collect();
    if !extra.is_empty() {
        let names: Vec<String> = extra.iter().map(|n| format!("`{n}`")).collect();
        let s = if extra.len() == 1 { "" } else { "s" };
        findings.push(
            Diagnostic::new(
                "W0601",
                source.name_span,
                format!("{} has column{s} {} that the schema of `{}` does not declare", table.shown, names.join(", "), source.name),
            )
            .help(format!(
                "declare the column{s} in `schema {{ ... }}` (features and checks can then read them), or drop them from the export"
            )),
        );
    }
    Ok(usable)
}

fn all_null(table: &Table<'_>, column: &str) -> PolarsResult<bool> {
    let counted = crate::query::collect(
        table
            .frame
            .clone()
            .select([col(column).null_count().cast(DataType::UInt64).alias("nulls"), len().cast(DataType::UInt64).alias("rows")]),
    )?;
    Ok(counted.column("nulls")?.u64()?.get(0) == counted.column("rows")?.u64()?.get(0))
}

/// Whether a column of type `dtype` can hold the declared type's values.
fn holds(declared: &FieldType, dtype: &DataType) -> bool {
    if matches!(dtype, DataType::Null) {
        return true; // an all-null column: the missing-rate check speaks
    }
    match declared {
        FieldType::Id => dtype.is_integer() || is_text(dtype),
        FieldType::Int => dtype.is_integer(),
        FieldType::Float => dtype.is_primitive_numeric(),
        // 0/1 integers are a common encoding of a flag or label.
        FieldType::Bool => matches!(dtype, DataType::Boolean) || dtype.is_integer(),
        FieldType::String | FieldType::Text | FieldType::Category => is_text(dtype),
        FieldType::Timestamp | FieldType::Date => matches!(dtype, DataType::Datetime(..) | DataType::Date),
        FieldType::Geo => is_text(dtype) || matches!(dtype, DataType::List(_) | DataType::Struct(_)),
        FieldType::Embedding(_) => matches!(dtype, DataType::List(inner) if inner.is_primitive_numeric()),
        FieldType::List(_) => matches!(dtype, DataType::List(_)),
        FieldType::Unknown => true,
    }
}

/// Text columns: strings and categoricals.
pub(crate) fn is_text(dtype: &DataType) -> bool {
    matches!(dtype, DataType::String | DataType::Categorical(..) | DataType::Enum(..))
}

fn type_help(declared: &FieldType, dtype: &DataType) -> String {
    match (declared, dtype) {
        (FieldType::Timestamp | FieldType::Date, DataType::String) => {
            "write the column as ISO 8601 times (`2024-05-01T12:00:00Z`), which CSV reading parses, or as a parquet timestamp".to_string()
        }
        (FieldType::Int, d) if d.is_float() => "declare the field `float`, or write whole numbers as integers".to_string(),
        _ => format!("declare the field with the type the data holds, or convert the column to `{}`", declared.name()),
    }
}
