//! `references SOURCE.FIELD`: every value resolves to a row of the
//! referenced source (E0608). An anti-join on the two scans; the referenced
//! source must have been read with that column.

use super::{Findings, Table};
use crate::query::{clip, collect, unresolved, UNRESOLVED as VALUE};
use mlspec_diag::Diagnostic;
use mlspec_ir::numbers::count;
use mlspec_ir::Field;
use polars::prelude::*;

pub fn check(
    table: &Table<'_>,
    rows: u64,
    fields: &[&Field],
    referenced: &dyn Fn(&str, &str) -> Option<LazyFrame>,
    findings: &mut Findings,
) -> PolarsResult<()> {
    for f in fields {
        let Some(r) = &f.references else { continue };
        let Some(parent) = referenced(&r.source, &r.field) else { continue };
        let unresolved = unresolved(table.frame.clone(), &f.name, parent, &r.field);
        let counted = collect(unresolved.clone().select([len().cast(DataType::UInt64).alias("n")]))?;
        let missing = counted.column("n")?.u64()?.get(0).unwrap_or(0);
        if missing == 0 {
            continue;
        }
        let values = collect(
            unresolved
                .unique(None, UniqueKeepStrategy::Any)
                .sort([VALUE], SortMultipleOptions::default())
                .limit(crate::tolerance::EXAMPLES),
        )?;
        let shown: Vec<String> = values.column(VALUE)?.str()?.iter().flatten().map(clip).collect();
        findings.push(
            Diagnostic::new(
                "E0608",
                f.modifier_span("references"),
                format!(
                    "{} of {} rows of `{}` in {} reference a `{}` that `{}` does not hold, e.g. {}",
                    count(missing as f64),
                    count(rows as f64),
                    f.name,
                    table.shown,
                    r.field,
                    r.source,
                    shown.join(", ")
                ),
            )
            .help(format!("export `{}` with every row these reference (a join on it drops the rest), or fix the references", r.source)),
        );
    }
    Ok(())
}
