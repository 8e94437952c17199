//! `mlspec data check`: a design's sources against their data.
//!
//! Each source's files are scanned lazily; one streaming pass computes
//! every count, minimum and maximum the rules need ([`Aggregates`]), and a
//! rule that finds a problem runs one more query for its example rows.
//! Every finding is a diagnostic with a stable code (E06xx, W06xx) whose
//! span is the spec text that declared the broken property, and whose
//! message names the file, the column and example rows.

mod columns;
mod label;
mod relations;
pub(crate) mod schema;
mod times;

use crate::files::{self, SourceData};
use crate::query::{Aggregates, Row};
use mlspec_diag::Diagnostic;
use mlspec_ir::{Design, Field, Source};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// When the data is checked as of: events after it are in the future, and
/// freshness is measured up to it.
#[derive(Clone, Debug)]
pub struct Options {
    pub as_of_ms: i64,
    /// How messages name it: `2026-12-05T01:02:03Z`.
    pub as_of_label: String,
}

/// What a check found, and what it read.
#[derive(Debug)]
pub struct Checked {
    pub diagnostics: Vec<Diagnostic>,
    pub sources: Vec<Read>,
}

/// A source whose data was read: its files as messages name them and its rows.
#[derive(Clone, Debug)]
pub struct Read {
    pub source: String,
    pub files: String,
    pub rows: u64,
}

pub(crate) type Findings = Vec<Diagnostic>;

/// One source with its scanned data.
pub(crate) struct Table<'a> {
    pub source: &'a Source,
    pub shown: String,
    pub frame: LazyFrame,
    pub schema: SchemaRef,
}

/// The aggregate holding the row count.
pub(crate) const ROWS: &str = "__mlspec_rows";

/// The name of aggregate `what` of field `f`.
pub(crate) fn name(f: &Field, what: &str) -> String {
    format!("{}\u{1f}{what}", f.name)
}

/// Checks every source of `design` against its data in `dir`. Problems
/// with the data are diagnostics; nothing here fails.
pub fn check(design: &Design, dir: &Path, options: &Options) -> Checked {
    let mut diagnostics = Vec::new();
    let mut tables = Vec::new();
    for source in &design.sources {
        if let Some(table) = open(dir, source, &mut diagnostics) {
            tables.push(table);
        }
    }
    let mut reads = Vec::new();
    let mut usable: BTreeMap<&str, Vec<&Field>> = BTreeMap::new();
    for table in &tables {
        let fields = match schema::check(table, &mut diagnostics) {
            Ok(fields) => fields,
            Err(e) => {
                diagnostics.push(unreadable(table.source, &table.shown, &e));
                continue;
            }
        };
        match check_table(design, table, &fields, options, &mut diagnostics) {
            Ok(0) => diagnostics.push(
                Diagnostic::new("E0601", table.source.name_span, format!("{} holds no rows of `{}`", table.shown, table.source.name))
                    .help("export the source's rows: with none, nothing it declares can be checked"),
            ),
            Ok(rows) => reads.push(Read { source: table.source.name.clone(), files: table.shown.clone(), rows }),
            Err(e) => diagnostics.push(unreadable(table.source, &table.shown, &e)),
        }
        usable.insert(table.source.name.as_str(), fields);
    }
    let referenced = |source: &str, field: &str| {
        let table = tables.iter().find(|t| t.source.name == source)?;
        usable.get(source)?.iter().any(|f| f.name == field).then(|| table.frame.clone())
    };
    for table in &tables {
        let fields = usable.get(table.source.name.as_str()).map(Vec::as_slice).unwrap_or_default();
        let rows = reads.iter().find(|r| r.source == table.source.name).map_or(0, |r| r.rows);
        if let Err(e) = relations::check(table, rows, fields, &referenced, &mut diagnostics) {
            diagnostics.push(unreadable(table.source, &table.shown, &e));
        }
    }
    mlspec_diag::sort(&mut diagnostics);
    diagnostics.dedup();
    Checked { diagnostics, sources: reads }
}

/// The source's data, scanned, with its columns' types: `None` (and a
/// finding) when there is none or it cannot be read.
fn open<'a>(dir: &Path, source: &'a Source, diagnostics: &mut Findings) -> Option<Table<'a>> {
    let data: SourceData = match files::locate(dir, &source.name) {
        Ok(Some(data)) => data,
        Ok(None) => {
            diagnostics.push(
                Diagnostic::new("E0601", source.name_span, format!("no data for source `{}` in {}", source.name, dir.display()))
                    .help(format!("put its export at one of {}", files::candidates(dir, &source.name))),
            );
            return None;
        }
        Err(e) => {
            diagnostics.push(unreadable(source, &dir.display().to_string(), &e));
            return None;
        }
    };
    let shown = data.shown(&files::pattern(dir, &source.name, &data));
    let scanned = data.scan().and_then(|mut frame| Ok((frame.collect_schema()?, frame)));
    match scanned {
        Ok((schema, frame)) => Some(Table { source, shown, frame, schema }),
        Err(e) => {
            diagnostics.push(unreadable(source, &shown, &e));
            None
        }
    }
}

/// Every aggregate of one source in one pass, then each rule's judgement;
/// the source's row count.
fn check_table(design: &Design, table: &Table<'_>, fields: &[&Field], options: &Options, findings: &mut Findings) -> PolarsResult<u64> {
    let mut aggs = Aggregates::default();
    aggs.add(ROWS.to_string(), len().cast(DataType::UInt64));
    columns::ask(fields, options, &mut aggs);
    times::ask(table, fields, options, &mut aggs);
    label::ask(design, table, fields, &mut aggs);
    let row: Row = aggs.collect(table.frame.clone())?;
    columns::judge(table, fields, &row, findings)?;
    times::judge(table, fields, options, &row, findings)?;
    label::judge(design, table, fields, &row, findings)?;
    Ok(row.count(ROWS))
}

/// E0610: the data exists but cannot be read (not parquet, a bad CSV line,
/// a column that cannot be parsed). The reader's first line says why.
fn unreadable(source: &Source, shown: &str, error: &dyn std::fmt::Display) -> Diagnostic {
    let why = error.to_string();
    let why = why.lines().next().unwrap_or_default().trim().to_string();
    Diagnostic::new("E0610", source.name_span, format!("cannot read the data of `{}` ({shown}): {why}", source.name))
        .help("export it as parquet, or as CSV with one header line and ISO 8601 times")
}
