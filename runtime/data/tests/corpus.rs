//! Planted anomalies in `specs/customer_churn.mlspec`'s data: clean data
//! with ONE problem planted per case, and `data check` reports exactly it,
//! at the line of the declaration the data breaks, naming the file and the
//! planted rows.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use mlspec_data::Checked;
use mlspec_diag::Diagnostic;
use mlspec_ir::FieldType;
use polars::prelude::*;
use std::path::Path;
use support::{codes_and_lines, design, generate, line_of, options, shown, timestamps, Generated, AS_OF_MS, DAY_MS, HOUR_MS};

const SPEC: &str = include_str!("../../../specs/customer_churn.mlspec");

/// The clean data: 2,000 customers, a few thousand rows of the others.
fn clean(spec: &str) -> Generated {
    let rows = |s: &mlspec_ir::Source| match s.name.as_str() {
        "customers" => 2000,
        "transactions" => 3000,
        "support_tickets" => 1000,
        _ => 4000,
    };
    generate(&design(spec), &rows, 7, AS_OF_MS)
}

/// Checks `spec` against the data in `dir`.
fn check_dir(spec: &str, dir: &Path) -> Checked {
    mlspec_data::check(&design(spec), dir, &options())
}

/// Writes `data` as parquet and checks `spec` against it.
fn check(spec: &str, data: &Generated) -> (tempfile::TempDir, Checked) {
    let dir = tempfile::tempdir().unwrap();
    data.write_parquet(dir.path());
    let checked = check_dir(spec, dir.path());
    (dir, checked)
}

/// Asserts the diagnostics are exactly `expected` as `(code, line)`, and
/// returns the one diagnostic of code `code` for its message.
fn exactly<'a>(spec: &str, diagnostics: &'a [Diagnostic], expected: &[(&'static str, usize)]) -> &'a [Diagnostic] {
    let mut expected = expected.to_vec();
    expected.sort();
    assert_eq!(codes_and_lines(spec, diagnostics), expected, "found:\n{}", shown(spec, diagnostics));
    diagnostics
}

fn assert_mentions(d: &Diagnostic, parts: &[&str]) {
    for p in parts {
        assert!(d.message.contains(p), "the message of {} does not name `{p}`: {}", d.code, d.message);
    }
}

/// The line of `needle` in the block that `after` opens.
fn line(after: &str, needle: &str) -> usize {
    line_of(SPEC, after, needle)
}

// ---------------------------------------------------------------- frame edits

fn replace(df: &mut DataFrame, column: &str, series: Series) {
    df.replace(column, Column::from(series)).unwrap();
}

fn f64s(df: &DataFrame, column: &str) -> Vec<Option<f64>> {
    df.column(column).unwrap().as_materialized_series().f64().unwrap().iter().collect()
}

fn strs(df: &DataFrame, column: &str) -> Vec<Option<String>> {
    df.column(column).unwrap().as_materialized_series().str().unwrap().iter().map(|s| s.map(str::to_string)).collect()
}

fn bools(df: &DataFrame, column: &str) -> Vec<Option<bool>> {
    df.column(column).unwrap().as_materialized_series().bool().unwrap().iter().collect()
}

/// A datetime column as epoch milliseconds.
fn millis(df: &DataFrame, column: &str) -> Vec<i64> {
    let s = df.column(column).unwrap().as_materialized_series().cast(&DataType::Int64).unwrap();
    s.i64().unwrap().iter().map(Option::unwrap).collect()
}

fn set_millis(df: &mut DataFrame, column: &str, ms: Vec<i64>) {
    replace(df, column, timestamps(column.into(), ms, &FieldType::Timestamp));
}

fn set_f64(df: &mut DataFrame, column: &str, row: usize, value: Option<f64>) {
    let mut xs = f64s(df, column);
    xs[row] = value;
    replace(df, column, Series::new(column.into(), xs));
}

fn set_str(df: &mut DataFrame, column: &str, row: usize, value: Option<&str>) {
    let mut xs = strs(df, column);
    xs[row] = value.map(str::to_string);
    replace(df, column, Series::new(column.into(), xs));
}

// ---------------------------------------------------------------- cases

#[test]
fn clean_data_gives_no_diagnostics() {
    let (_dir, checked) = check(SPEC, &clean(SPEC));
    exactly(SPEC, &checked.diagnostics, &[]);
    let rows: Vec<(&str, u64)> = checked.sources.iter().map(|r| (r.source.as_str(), r.rows)).collect();
    assert_eq!(rows, [("customers", 2000), ("transactions", 3000), ("support_tickets", 1000), ("usage_events", 4000)]);
}

#[test]
fn charges_outside_the_range() {
    let mut data = clean(SPEC);
    let customers = data.frame_mut("customers");
    set_f64(customers, "monthly_charges", 17, Some(612.3));
    set_f64(customers, "monthly_charges", 402, Some(-1.0));
    let (_dir, checked) = check(SPEC, &data);
    let d = exactly(SPEC, &checked.diagnostics, &[("E0604", line("source customers", "monthly_charges: float range"))]);
    assert_mentions(&d[0], &["customers.parquet", "2 of 2,000 rows", "range 0..500", "row 17: 612.3", "row 402: -1"]);
}

#[test]
fn a_subscription_type_that_values_does_not_list() {
    let mut data = clean(SPEC);
    set_str(data.frame_mut("customers"), "subscription_type", 17, Some("platinum"));
    let (_dir, checked) = check(SPEC, &data);
    let d = exactly(SPEC, &checked.diagnostics, &[("E0605", line("source customers", "subscription_type: category"))]);
    assert_mentions(&d[0], &["customers.parquet", "1 of 2,000 rows", "row 17: platinum"]);
}

#[test]
fn nulls_in_a_field_without_missing() {
    let mut data = clean(SPEC);
    let customers = data.frame_mut("customers");
    set_str(customers, "device_type", 17, None);
    set_str(customers, "device_type", 18, None);
    let (_dir, checked) = check(SPEC, &data);
    let d = exactly(SPEC, &checked.diagnostics, &[("E0606", line("source customers", "device_type: category"))]);
    assert_mentions(&d[0], &["customers.parquet", "2 of 2,000 rows", "`device_type`"]);
}

#[test]
fn a_duplicate_customer_id() {
    let mut data = clean(SPEC);
    let customers = data.frame_mut("customers");
    let copy = customers.slice(16, 1);
    customers.vstack_mut(&copy).unwrap();
    let (_dir, checked) = check(SPEC, &data);
    let d = exactly(SPEC, &checked.diagnostics, &[("E0607", line("source customers", "customer_id: id key"))]);
    assert_mentions(&d[0], &["customers.parquet", "customers-16 (2 rows)"]);
}

#[test]
fn a_transaction_of_an_unknown_customer() {
    let mut data = clean(SPEC);
    set_str(data.frame_mut("transactions"), "customer_id", 17, Some("customers-999999"));
    let (_dir, checked) = check(SPEC, &data);
    let d =
        exactly(SPEC, &checked.diagnostics, &[("E0608", line("source transactions", "customer_id: id references customers.customer_id"))]);
    assert_mentions(&d[0], &["transactions.parquet", "1 of 3,000 rows", "customers-999999"]);
}

#[test]
fn a_snapshot_after_as_of() {
    let mut data = clean(SPEC);
    let customers = data.frame_mut("customers");
    let mut ts = millis(customers, "snapshot_ts");
    ts[17] = AS_OF_MS + DAY_MS;
    set_millis(customers, "snapshot_ts", ts);
    let (_dir, checked) = check(SPEC, &data);
    let d = exactly(SPEC, &checked.diagnostics, &[("E0609", line("source customers", "snapshot_ts: timestamp event_time"))]);
    assert_mentions(&d[0], &["customers.parquet", "1 of 2,000 rows", support::AS_OF_LABEL, "row 17: 2026-12-06"]);
}

#[test]
fn a_declared_column_missing() {
    let mut data = clean(SPEC);
    data.frame_mut("customers").drop_in_place("device_type").unwrap();
    let (_dir, checked) = check(SPEC, &data);
    let d = exactly(SPEC, &checked.diagnostics, &[("E0602", line("source customers", "device_type: category"))]);
    assert_mentions(&d[0], &["customers.parquet", "`device_type`"]);
}

#[test]
fn an_undeclared_column() {
    let mut data = clean(SPEC);
    let customers = data.frame_mut("customers");
    let n = customers.height();
    customers.with_column(Column::new("coupon_code".into(), vec!["SAVE10"; n])).unwrap();
    let (_dir, checked) = check(SPEC, &data);
    let d = exactly(SPEC, &checked.diagnostics, &[("W0601", line("", "source customers"))]);
    assert_mentions(&d[0], &["customers.parquet", "`coupon_code`"]);
}

#[test]
fn charges_written_as_strings() {
    let mut data = clean(SPEC);
    let customers = data.frame_mut("customers");
    let text: Vec<Option<String>> = f64s(customers, "monthly_charges").into_iter().map(|x| x.map(|x| format!("{x:.2}"))).collect();
    replace(customers, "monthly_charges", Series::new("monthly_charges".into(), text));
    let (_dir, checked) = check(SPEC, &data);
    let d = exactly(SPEC, &checked.diagnostics, &[("E0603", line("source customers", "monthly_charges: float range"))]);
    assert_mentions(&d[0], &["customers.parquet", "declared `float`"]);
    // The span is the type word.
    assert_eq!(&SPEC[d[0].span.start..d[0].span.end], "float");
}

#[test]
fn a_churn_rate_far_from_the_declared_rate() {
    let mut data = clean(SPEC);
    let customers = data.frame_mut("customers");
    let n = customers.height();
    replace(customers, "churned_30d", Series::new("churned_30d".into(), (0..n).map(|i| i % 5 == 0).collect::<Vec<bool>>()));
    let (_dir, checked) = check(SPEC, &data);
    let d = exactly(SPEC, &checked.diagnostics, &[("W0604", line("problem", "positive_rate 5%"))]);
    assert_mentions(&d[0], &["customers.parquet", "20%", "2,000"]);
}

#[test]
fn labels_that_arrive_after_their_delay() {
    let mut data = clean(SPEC);
    let customers = data.frame_mut("customers");
    // 10 % of the labels arrive 45 days after the snapshot, the rest after 10.
    let arrived: Vec<i64> =
        millis(customers, "snapshot_ts").iter().enumerate().map(|(i, t)| t + if i % 10 == 3 { 45 * DAY_MS } else { 10 * DAY_MS }).collect();
    customers.with_column(Column::from(timestamps("churned_30d_at".into(), arrived, &FieldType::Timestamp))).unwrap();
    let (_dir, checked) = check(SPEC, &data);
    // `churned_30d_at` is the label's arrival time, not an undeclared column.
    let d = exactly(SPEC, &checked.diagnostics, &[("W0605", line("source customers", "churned_30d: bool label delay 30d"))]);
    assert_mentions(&d[0], &["customers.parquet", "200 of 2,000 labels", "churned_30d_at", "45 days"]);
}

#[test]
fn a_declared_column_that_gives_the_label_away() {
    let spec = SPEC.replace(
        "      churned_30d: bool label delay 30d\n",
        "      churned_30d: bool label delay 30d\n      retention_offer_declined: bool\n",
    );
    let mut data = clean(&spec);
    let customers = data.frame_mut("customers");
    let churned = bools(customers, "churned_30d");
    // Declined the offer: churned, but for 2 rows in 2,000.
    let leak: Vec<Option<bool>> = churned.iter().enumerate().map(|(i, c)| c.map(|c| if i == 5 || i == 6 { !c } else { c })).collect();
    replace(customers, "retention_offer_declined", Series::new("retention_offer_declined".into(), leak));
    let (_dir, checked) = check(&spec, &data);
    let d = exactly(&spec, &checked.diagnostics, &[("W0607", line_of(&spec, "source customers", "retention_offer_declined: bool"))]);
    assert_mentions(&d[0], &["customers.parquet", "`retention_offer_declined`", "`churned_30d`"]);
}

#[test]
fn stale_transactions() {
    let mut data = clean(SPEC);
    let transactions = data.frame_mut("transactions");
    let ts: Vec<i64> = millis(transactions, "ts").iter().map(|t| t - 3 * HOUR_MS).collect();
    set_millis(transactions, "ts", ts);
    let (_dir, checked) = check(SPEC, &data);
    let d = exactly(SPEC, &checked.diagnostics, &[("W0603", line("source transactions", "freshness 1h"))]);
    assert_mentions(&d[0], &["transactions.parquet", "3.5 hours", "1h"]);
}

#[test]
fn transactions_far_below_the_declared_daily_volume() {
    let mut data = clean(SPEC);
    let transactions = data.frame_mut("transactions");
    // 3,000 rows over exactly 3 days, the newest still fresh: 1,000 a day
    // against a declared 3M a day.
    let n = transactions.height() as i64;
    let newest = AS_OF_MS - 10 * 60_000;
    let ts: Vec<i64> = (0..n).map(|i| newest - 3 * DAY_MS + i * 3 * DAY_MS / (n - 1)).collect();
    set_millis(transactions, "ts", ts);
    let (_dir, checked) = check(SPEC, &data);
    let d = exactly(SPEC, &checked.diagnostics, &[("W0606", line("source transactions", "volume 3M / day"))]);
    assert_mentions(&d[0], &["transactions.parquet", "1,000 rows a day", "3 days"]);
}

#[test]
fn a_source_without_data() {
    let mut data = clean(SPEC);
    data.frames.remove("support_tickets");
    let (dir, checked) = check(SPEC, &data);
    let d = exactly(SPEC, &checked.diagnostics, &[("E0601", line("", "source support_tickets"))]);
    assert_mentions(&d[0], &["`support_tickets`", &dir.path().display().to_string()]);
    assert_eq!(checked.sources.len(), 3);
}

#[test]
fn data_that_is_not_parquet() {
    let data = clean(SPEC);
    let dir = tempfile::tempdir().unwrap();
    data.write_parquet(dir.path());
    std::fs::write(dir.path().join("customers.parquet"), "customer_id,churned_30d\n1,true\n").unwrap();
    let checked = check_dir(SPEC, dir.path());
    let d = exactly(SPEC, &checked.diagnostics, &[("E0610", line("", "source customers"))]);
    assert_mentions(&d[0], &["customers.parquet"]);
}

#[test]
fn a_log_out_of_order() {
    let mut data = clean(SPEC);
    let usage = data.frame_mut("usage_events");
    let mut ts = millis(usage, "ts");
    assert!(ts.windows(2).all(|w| w[0] <= w[1]), "a log is generated in order");
    ts[17] = ts[16] - 1000;
    set_millis(usage, "ts", ts);
    let (_dir, checked) = check(SPEC, &data);
    let d = exactly(SPEC, &checked.diagnostics, &[("W0602", line("source usage_events", "ts: timestamp event_time"))]);
    assert_mentions(&d[0], &["usage_events.parquet", "1 of 4,000 rows", "row 17"]);
}

#[test]
fn customers_in_parts_with_a_charge_out_of_range_in_the_second() {
    let mut data = clean(SPEC);
    set_f64(data.frame_mut("customers"), "monthly_charges", 1017, Some(9999.0));
    let customers = data.frames.remove("customers").unwrap();
    let dir = tempfile::tempdir().unwrap();
    data.write_parquet(dir.path());
    std::fs::create_dir(dir.path().join("customers")).unwrap();
    support::write_parquet(&dir.path().join("customers/part-0.parquet"), &customers.slice(0, 1000));
    support::write_parquet(&dir.path().join("customers/part-1.parquet"), &customers.slice(1000, 1000));
    let checked = check_dir(SPEC, dir.path());
    let d = exactly(SPEC, &checked.diagnostics, &[("E0604", line("source customers", "monthly_charges: float range"))]);
    assert_mentions(&d[0], &["customers/*.parquet (2 files)", "1 of 2,000 rows", "row 1017: 9999"]);
    assert_eq!(checked.sources[0].rows, 2000);
}

#[test]
fn customers_as_csv() {
    let mut data = clean(SPEC);
    let customers = data.frames.remove("customers").unwrap();
    let dir = tempfile::tempdir().unwrap();
    data.write_parquet(dir.path());
    support::write_csv(&dir.path().join("customers.csv"), &customers);
    let checked = check_dir(SPEC, dir.path());
    exactly(SPEC, &checked.diagnostics, &[]);

    let mut planted = customers.clone();
    set_str(&mut planted, "subscription_type", 17, Some("platinum"));
    support::write_csv(&dir.path().join("customers.csv"), &planted);
    let checked = check_dir(SPEC, dir.path());
    let d = exactly(SPEC, &checked.diagnostics, &[("E0605", line("source customers", "subscription_type: category"))]);
    assert_mentions(&d[0], &["customers.csv", "1 of 2,000 rows", "row 17: platinum"]);
}

#[test]
fn a_missing_rate_above_the_declared_one() {
    let spec = SPEC.replace(
        r#"device_type: category values ["ios", "android", "web"]"#,
        r#"device_type: category values ["ios", "android", "web"] missing 1%"#,
    );
    let mut data = clean(&spec);
    // 10 % missing against a declared 1 % (the generator leaves 0.5 %).
    let customers = data.frame_mut("customers");
    let mut devices = strs(customers, "device_type");
    for d in devices.iter_mut().step_by(10) {
        *d = None;
    }
    replace(customers, "device_type", Series::new("device_type".into(), devices));
    let (_dir, checked) = check(&spec, &data);
    let d = exactly(&spec, &checked.diagnostics, &[("E0606", line_of(&spec, "source customers", "device_type: category"))]);
    assert_mentions(&d[0], &["customers.parquet", "above the declared `missing 1%`"]);
    assert_eq!(&spec[d[0].span.start..d[0].span.end], "missing 1%");
}

#[test]
fn more_customers_than_twice_a_total_volume() {
    // The same 2,000 customers against a declared total of 500.
    let spec = SPEC.replace("    volume 2M\n", "    volume 500\n");
    let (_dir, checked) = check(&spec, &clean(SPEC));
    let d = exactly(&spec, &checked.diagnostics, &[("W0606", line_of(&spec, "source customers", "volume 500"))]);
    assert_mentions(&d[0], &["customers.parquet", "2,000 rows", "500"]);
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 12, failure_persistence: None, ..Default::default() })]

    /// Any set of rows planted out of range is counted exactly, and the
    /// message shows the first three of them, in row order.
    #[test]
    fn planted_rows_out_of_range_are_counted_and_the_first_three_shown(
        seed in 0u64..1000,
        rows in proptest::collection::btree_set(0usize..300, 1..12),
    ) {
        let sizes = |s: &mlspec_ir::Source| if s.name == "customers" { 300 } else { 100 };
        let mut data = generate(&design(SPEC), &sizes, seed, AS_OF_MS);
        let customers = data.frame_mut("customers");
        let mut charges = f64s(customers, "monthly_charges");
        for &r in &rows {
            charges[r] = Some(500.5 + r as f64);
        }
        replace(customers, "monthly_charges", Series::new("monthly_charges".into(), charges));
        let (_dir, checked) = check(SPEC, &data);
        let d = exactly(SPEC, &checked.diagnostics, &[("E0604", line("source customers", "monthly_charges: float range"))]);
        let shown: Vec<String> = rows.iter().take(3).map(|r| format!("row {r}: {}", 500.5 + *r as f64)).collect();
        let expected = format!("{} of 300 rows", rows.len());
        proptest::prop_assert!(d[0].message.contains(&expected), "{}", d[0].message);
        proptest::prop_assert!(d[0].message.ends_with(&format!("e.g. {}", shown.join(", "))), "{}", d[0].message);
    }
}

/// Writes `data` as parquet, with `source` as two part files of `first`
/// and the rest of its rows, and checks `SPEC` against it.
fn check_in_parts(mut data: Generated, source: &str, first: usize) -> (tempfile::TempDir, Checked) {
    let frame = data.frames.remove(source).unwrap();
    let dir = tempfile::tempdir().unwrap();
    data.write_parquet(dir.path());
    std::fs::create_dir(dir.path().join(source)).unwrap();
    support::write_parquet(&dir.path().join(format!("{source}/part-0.parquet")), &frame.slice(0, first));
    support::write_parquet(&dir.path().join(format!("{source}/part-1.parquet")), &frame.slice(first as i64, frame.height() - first));
    let checked = check_dir(SPEC, dir.path());
    (dir, checked)
}

#[test]
fn a_log_in_parts_is_in_order_across_them() {
    let (_dir, checked) = check_in_parts(clean(SPEC), "usage_events", 2500);
    exactly(SPEC, &checked.diagnostics, &[]);
}

#[test]
fn a_log_whose_second_part_starts_before_the_first_ends() {
    let mut data = clean(SPEC);
    let usage = data.frame_mut("usage_events");
    let mut ts = millis(usage, "ts");
    ts[2500] = ts[2499] - 1000;
    set_millis(usage, "ts", ts);
    let (_dir, checked) = check_in_parts(data, "usage_events", 2500);
    let d = exactly(SPEC, &checked.diagnostics, &[("W0602", line("source usage_events", "ts: timestamp event_time"))]);
    assert_mentions(&d[0], &["usage_events/*.parquet (2 files)", "1 of 4,000 rows", "row 2500"]);
}

#[test]
fn a_key_repeated_across_parts() {
    let mut data = clean(SPEC);
    let customers = data.frame_mut("customers");
    let mut ids = strs(customers, "customer_id");
    // Row 1500 (in the second part) repeats row 3's key; row 1500's own key
    // goes unreferenced, so nothing else changes.
    let lost = ids[1500].clone().unwrap();
    ids[1500] = ids[3].clone();
    replace(customers, "customer_id", Series::new("customer_id".into(), ids));
    for child in ["transactions", "support_tickets", "usage_events"] {
        let frame = data.frame_mut(child);
        let refs: Vec<Option<String>> =
            strs(frame, "customer_id").into_iter().map(|c| c.map(|c| if c == lost { "customers-3".to_string() } else { c })).collect();
        replace(frame, "customer_id", Series::new("customer_id".into(), refs));
    }
    let (_dir, checked) = check_in_parts(data, "customers", 1000);
    let d = exactly(SPEC, &checked.diagnostics, &[("E0607", line("source customers", "customer_id: id key"))]);
    assert_mentions(&d[0], &["customers/*.parquet (2 files)", "customers-3 (2 rows)"]);
}

// ---------------------------------------------------------------- tolerances

/// The codes found when `transactions` (3,000 rows) spans exactly 3 days
/// ending 10 minutes before as-of, against `volume {declared} / day`.
fn volume_codes(declared: &str) -> Vec<&'static str> {
    let spec = SPEC.replace("    volume 3M / day\n", &format!("    volume {declared} / day\n"));
    let mut data = clean(&spec);
    let transactions = data.frame_mut("transactions");
    let n = transactions.height() as i64;
    let newest = AS_OF_MS - 10 * 60_000;
    set_millis(transactions, "ts", (0..n).map(|i| newest - 3 * DAY_MS + i * 3 * DAY_MS / (n - 1)).collect());
    let (_dir, checked) = check(&spec, &data);
    checked.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn a_daily_volume_is_far_outside_half_to_twice_the_declared() {
    // 1,000 rows a day observed.
    assert_eq!(volume_codes("1000"), Vec::<&str>::new());
    assert_eq!(volume_codes("1900"), Vec::<&str>::new());
    assert_eq!(volume_codes("2100"), ["W0606"]);
    assert_eq!(volume_codes("520"), Vec::<&str>::new());
    assert_eq!(volume_codes("480"), ["W0606"]);
}

/// The codes found when the newest transaction is `lag_ms` old at as-of and
/// transactions declare `freshness {freshness}`.
fn freshness_codes(freshness: &str, lag_ms: i64) -> Vec<&'static str> {
    let spec = SPEC.replacen("    volume 3M / day\n    freshness 1h\n", &format!("    volume 3M / day\n    freshness {freshness}\n"), 1);
    let mut data = clean(&spec);
    let transactions = data.frame_mut("transactions");
    let ts = millis(transactions, "ts");
    let newest = *ts.iter().max().unwrap();
    set_millis(transactions, "ts", ts.iter().map(|t| t - newest + AS_OF_MS - lag_ms).collect());
    let (_dir, checked) = check(&spec, &data);
    checked.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn freshness_is_the_declared_age_and_five_minutes_for_realtime() {
    assert_eq!(freshness_codes("1h", 59 * 60_000), Vec::<&str>::new());
    assert_eq!(freshness_codes("1h", 61 * 60_000), ["W0603"]);
    assert_eq!(freshness_codes("realtime", 4 * 60_000), Vec::<&str>::new());
    assert_eq!(freshness_codes("realtime", 6 * 60_000), ["W0603"]);
}

/// The codes found when 2,000 customers declare `device_type ... missing
/// {declared}` and `nulls` of them are null.
fn missing_codes(declared: &str, nulls: usize) -> Vec<&'static str> {
    let spec = SPEC.replace(r#"values ["ios", "android", "web"]"#, &format!(r#"values ["ios", "android", "web"] missing {declared}"#));
    let mut data = clean(&spec);
    let customers = data.frame_mut("customers");
    let devices: Vec<Option<String>> = strs(customers, "device_type")
        .into_iter()
        .enumerate()
        .map(|(i, d)| if i < nulls { None } else { d.or(Some("web".into())) })
        .collect();
    replace(customers, "device_type", Series::new("device_type".into(), devices));
    let (_dir, checked) = check(&spec, &data);
    checked.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn a_missing_rate_is_exceeded_beyond_three_standard_errors_or_half_a_point() {
    // 10 % of 2,000: 3 standard errors are 2 points, so up to 12 % passes.
    assert_eq!(missing_codes("10%", 230), Vec::<&str>::new());
    assert_eq!(missing_codes("10%", 250), ["E0606"]);
    // 0.1 %: half a point is wider than 3 standard errors (0.2 points).
    assert_eq!(missing_codes("0.1%", 11), Vec::<&str>::new());
    assert_eq!(missing_codes("0.1%", 14), ["E0606"]);
}

/// The codes found when `positives` of 2,000 customers churned against
/// `positive_rate {declared}`.
fn rate_codes(declared: &str, positives: usize) -> Vec<&'static str> {
    let spec = SPEC.replace("    positive_rate 5%\n", &format!("    positive_rate {declared}\n"));
    let mut data = clean(&spec);
    let customers = data.frame_mut("customers");
    let n = customers.height();
    // Spread the churners evenly so no column sorts them apart.
    replace(
        customers,
        "churned_30d",
        Series::new("churned_30d".into(), (0..n).map(|i| i * positives / n != (i + 1) * positives / n).collect::<Vec<bool>>()),
    );
    let (_dir, checked) = check(&spec, &data);
    checked.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn a_label_rate_is_far_when_both_the_binomial_test_and_a_tenth_of_the_rate_say_so() {
    // 5 % of 2,000: 3.29 standard errors are 1.6 points.
    assert_eq!(rate_codes("5%", 130), Vec::<&str>::new());
    assert_eq!(rate_codes("5%", 140), ["W0604"]);
    assert_eq!(rate_codes("5%", 70), Vec::<&str>::new());
    assert_eq!(rate_codes("5%", 60), ["W0604"]);
    // 45 %: a tenth of the rate (4.5 points) is wider than 3.29 standard
    // errors (3.7 points): 49 % has z = 3.6 and passes.
    assert_eq!(rate_codes("45%", 980), Vec::<&str>::new());
    assert_eq!(rate_codes("45%", 1000), ["W0604"]);
}

/// The codes found when `late` of 2,000 labels arrive 31 days after the
/// snapshot (`delay 30d`) and the rest after 10.
fn delay_codes(late: usize) -> Vec<&'static str> {
    let mut data = clean(SPEC);
    let customers = data.frame_mut("customers");
    let arrived: Vec<i64> =
        millis(customers, "snapshot_ts").iter().enumerate().map(|(i, t)| t + if i < late { 31 * DAY_MS } else { 10 * DAY_MS }).collect();
    customers.with_column(Column::from(timestamps("churned_30d_at".into(), arrived, &FieldType::Timestamp))).unwrap();
    let (_dir, checked) = check(SPEC, &data);
    checked.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn labels_are_late_when_more_than_one_percent_arrive_after_the_delay() {
    assert_eq!(delay_codes(20), Vec::<&str>::new());
    assert_eq!(delay_codes(21), ["W0605"]);
}
