//! Behaviours of `data check` that were wrong once (found while writing the
//! corpus), each held by the test that failed then.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use polars::prelude::*;
use support::{design, generate, options, shown, write_csv, write_parquet, Generated, AS_OF_MS};

const SPEC: &str = include_str!("../../../specs/customer_churn.mlspec");

/// Clean customer_churn data: 300 customers, 500 rows of each other source.
fn clean(spec: &str) -> Generated {
    generate(&design(spec), &|s| if s.name == "customers" { 300 } else { 500 }, 3, AS_OF_MS)
}

fn check(spec: &str, data: &Generated) -> Vec<mlspec_diag::Diagnostic> {
    let dir = tempfile::tempdir().unwrap();
    data.write_parquet(dir.path());
    mlspec_data::check(&design(spec), dir.path(), &options()).diagnostics
}

fn replace(df: &mut DataFrame, column: &str, series: Series) {
    df.replace(column, Column::from(series)).unwrap();
}

/// With one positive label, any numeric column "separates" it with an AUC
/// of at least 0.99 whenever that row's value is among the top (or bottom)
/// 1 % — 2 % of clean samples per column: the leak check needs 30 labelled
/// rows of each class (before it, the generator's clean data of
/// `specs/fraud_detection.mlspec` at 500 rows, one positive, got a W0607 on
/// `transactions.amount` for 4 seeds of 100).
#[test]
fn one_positive_label_is_not_a_leak() {
    let mut data = clean(SPEC);
    let customers = data.frame_mut("customers");
    let n = customers.height();
    // One churner, who happens to pay the most.
    replace(customers, "churned_30d", Series::new("churned_30d".into(), (0..n).map(|i| i == 0).collect::<Vec<bool>>()));
    replace(customers, "monthly_charges", Series::new("monthly_charges".into(), (0..n).map(|i| 400.0 - i as f64).collect::<Vec<f64>>()));
    let found = check(SPEC, &data);
    assert!(found.iter().all(|d| d.code != "W0607"), "{}", shown(SPEC, &found));
}

/// A category whose values are (nearly) unique in a sample ranks every row
/// by its own label, so its in-sample AUC is 1: a category is judged only
/// when its values average 5 rows each.
#[test]
fn a_category_with_a_value_per_row_is_not_a_leak() {
    let spec =
        SPEC.replace("      churned_30d: bool label delay 30d\n", "      churned_30d: bool label delay 30d\n      postcode: category\n");
    let mut data = clean(&spec);
    let customers = data.frame_mut("customers");
    let n = customers.height();
    replace(customers, "postcode", Series::new("postcode".into(), (0..n).map(|i| format!("P{i:04}")).collect::<Vec<String>>()));
    let found = check(&spec, &data);
    assert!(found.iter().all(|d| d.code != "W0607"), "{}", shown(&spec, &found));
}

/// `churned_30d: bool label delay 30d`: the label of a snapshot younger
/// than 30 days is not known yet, so an export taken today has nulls
/// there; they are not missing values (E0606 counts only labels that are due).
#[test]
fn labels_not_yet_due_may_be_null() {
    let mut data = clean(SPEC);
    let customers = data.frame_mut("customers");
    // Every snapshot is within the last 7 days: no label is due yet.
    let n = customers.height();
    replace(customers, "churned_30d", Series::new("churned_30d".into(), vec![None::<bool>; n]).cast(&DataType::Boolean).unwrap());
    let found = check(SPEC, &data);
    assert!(found.is_empty(), "{}", shown(SPEC, &found));
}

/// Parts named `DIR/<source>-*.parquet` are shown by that pattern even when
/// DIR itself is named like the source (it once read `DIR/<source>/*.parquet`).
#[test]
fn parts_beside_each_other_are_shown_by_their_pattern() {
    let mut data = clean(SPEC);
    let top = tempfile::tempdir().unwrap();
    let dir = top.path().join("customers");
    std::fs::create_dir(&dir).unwrap();
    let mut customers = data.frames.remove("customers").unwrap();
    let mut charges: Vec<Option<f64>> =
        customers.column("monthly_charges").unwrap().as_materialized_series().f64().unwrap().iter().collect();
    charges[200] = Some(9999.0);
    replace(&mut customers, "monthly_charges", Series::new("monthly_charges".into(), charges));
    data.write_parquet(&dir);
    write_parquet(&dir.join("customers-0.parquet"), &customers.slice(0, 150));
    write_parquet(&dir.join("customers-1.parquet"), &customers.slice(150, 150));
    let found = mlspec_data::check(&design(SPEC), &dir, &options()).diagnostics;
    assert_eq!(found.len(), 1, "{}", shown(SPEC, &found));
    let expected = format!("{}/customers-*.parquet (2 files)", dir.display());
    assert!(found[0].message.contains(&expected), "{}", found[0].message);
}

/// An all-empty CSV column is read as strings; like an all-null parquet
/// column (type Null) it holds nothing to mistype, so a `nullable` float
/// whose export has no value at all is not E0603.
#[test]
fn an_empty_csv_column_of_a_nullable_field_is_not_mistyped() {
    let spec = SPEC.replace("dist lognormal(mean: 3.4, sd: 0.5)", "dist lognormal(mean: 3.4, sd: 0.5) nullable");
    let mut data = clean(&spec);
    let mut customers = data.frames.remove("customers").unwrap();
    let n = customers.height();
    replace(&mut customers, "monthly_charges", Series::new("monthly_charges".into(), vec![None::<f64>; n]));
    let dir = tempfile::tempdir().unwrap();
    data.write_parquet(dir.path());
    write_csv(&dir.path().join("customers.csv"), &customers);
    let found = mlspec_data::check(&design(&spec), dir.path(), &options()).diagnostics;
    assert!(found.is_empty(), "{}", shown(&spec, &found));
}

/// A `churned_30d_at` column that is not a time (ISO strings in parquet)
/// cannot be read as the label's arrival, so it is an undeclared column
/// (W0601) rather than silently skipped.
#[test]
fn a_label_arrival_column_that_is_not_a_time_is_reported() {
    let mut data = clean(SPEC);
    let customers = data.frame_mut("customers");
    let n = customers.height();
    customers.with_column(Column::new("churned_30d_at".into(), vec!["2027-03-01T00:00:00Z"; n])).unwrap();
    let found = check(SPEC, &data);
    assert!(!found.is_empty(), "labels arriving ~3 months after a 30d delay, as strings, give no diagnostic");
}
