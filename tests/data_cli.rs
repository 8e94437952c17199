//! `mlspec data check` and `mlspec data infer` as a user runs them: exit
//! codes, formats, usage errors, and the infer → check round trip.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

fn mlspec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlspec")).args(args).env("NO_COLOR", "1").output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A small, clean shop: customers and their orders, as CSV, deterministic.
fn write_shop(dir: &Path) {
    let plans = ["basic", "premium", "standard"];
    let mut customers = String::from("customer_id,signup_ts,plan,monthly_charges,tenure_months,churned\n");
    for i in 0..400u64 {
        // A fixed pseudo-random walk, so values are spread but reproducible.
        let x = (i * 7919 % 997) as f64 / 997.0;
        let charges = (3.0 + 0.6 * (x - 0.5)).exp();
        let day = 1 + i % 28;
        customers.push_str(&format!(
            "c{i},2026-10-{day:02}T{:02}:00:00Z,{},{charges:.2},{},{}\n",
            i % 24,
            plans[(i % 3) as usize],
            i * 13 % 60,
            i % 5 == 0
        ));
    }
    let mut orders = String::from("order_id,customer_id,amount,ordered_at\n");
    for i in 0..900u64 {
        let day = 1 + i % 28;
        orders.push_str(&format!("o{i},c{},{}.5,2026-10-{day:02}T{:02}:30:00Z\n", i * 31 % 400, 5 + i * 17 % 200, i % 24));
    }
    std::fs::write(dir.join("customers.csv"), customers).unwrap();
    std::fs::write(dir.join("orders.csv"), orders).unwrap();
}

#[test]
fn infer_drafts_a_canonical_spec_that_checks_clean_and_that_the_data_meets() {
    let dir = tempfile::tempdir().unwrap();
    write_shop(dir.path());
    let files: Vec<String> = ["customers.csv", "orders.csv"].iter().map(|f| dir.path().join(f).to_string_lossy().into_owned()).collect();
    let out = mlspec(&["data", "infer", &files[0], &files[1]]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let draft = text(&out.stdout);
    for want in [
        "customer_id: id key",
        "signup_ts: timestamp event_time",
        "plan: category values [\"basic\", \"premium\", \"standard\"]",
        "churned: bool",
        "customer_id: id references customers.customer_id",
        "monthly_charges: float range",
        "dist ",
    ] {
        assert!(draft.contains(want), "the draft lacks `{want}`:\n{draft}");
    }
    let spec = dir.path().join("drafted.mlspec");
    std::fs::write(&spec, &draft).unwrap();
    let spec = spec.to_string_lossy().into_owned();

    // fmt-canonical, and no diagnostic at all from `check`.
    assert!(mlspec(&["fmt", "--check", &spec]).status.success(), "the draft is not fmt-canonical:\n{draft}");
    let checked = mlspec(&["check", "--deny-warnings", &spec]);
    assert!(checked.status.success(), "{}\n{draft}", text(&checked.stdout));

    // The data meets every declaration the draft makes.
    let data = dir.path().to_string_lossy().into_owned();
    let out = mlspec(&["data", "check", &spec, "--data", &data, "--as-of", "2026-11-01", "--deny-warnings"]);
    assert!(out.status.success(), "{}\n{}\n{draft}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stderr).contains("read 2 sources (1,300 rows)"), "{}", text(&out.stderr));
}

const SHOP: &str = "system shop {
  problem {
    objective \"Find customers likely to cancel\"
    task binary_classification
    target customers.churned
    positive_rate 20%
  }
  source customers {
    kind table
    schema {
      customer_id: id key
      signup_ts: timestamp event_time
      plan: category values [\"basic\", \"premium\"]
      monthly_charges: float range 0..100
      tenure_months: int
      churned: bool label
    }
  }
  source orders {
    kind table
    schema {
      order_id: id key
      customer_id: id references customers.customer_id
      amount: float
      ordered_at: timestamp event_time
    }
  }
}
";

#[test]
fn check_reports_planted_problems_in_every_format_with_check_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    write_shop(dir.path());
    let spec = dir.path().join("shop.mlspec");
    std::fs::write(&spec, SHOP).unwrap();
    let (spec, data) = (spec.to_string_lossy().into_owned(), dir.path().to_string_lossy().into_owned());
    let line_of = |needle: &str| SHOP.lines().position(|l| l.contains(needle)).unwrap() + 1;

    let out = mlspec(&["data", "check", &spec, "--data", &data, "--as-of", "2026-11-01", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, u64)> = json["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_string(), d["span"]["line"].as_u64().unwrap()))
        .collect();
    // The one planted problem: every third customer is on `standard`, which
    // `values` does not list. Charges (e^(3 ± 0.3)) are inside 0..100, every
    // order's customer exists, and a fifth of customers churned, as declared.
    assert_eq!(found, vec![("E0605".to_string(), line_of("plan: category") as u64)], "{}", text(&out.stdout));

    let sarif = mlspec(&["data", "check", &spec, "--data", &data, "--as-of", "2026-11-01", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "E0605");

    let human = mlspec(&["data", "check", &spec, "--data", &data, "--as-of", "2026-11-01"]);
    let shown = text(&human.stdout);
    assert!(shown.contains("customers.csv") && shown.contains("row 2: standard"), "{shown}");
}

#[test]
fn usage_errors_exit_2_and_say_what_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("shop.mlspec");
    std::fs::write(&spec, SHOP).unwrap();
    let spec = spec.to_string_lossy().into_owned();
    let data = dir.path().to_string_lossy().into_owned();
    let missing = dir.path().join("nowhere").to_string_lossy().into_owned();
    for (args, says) in [
        (vec!["data", "check", spec.as_str(), "--data", missing.as_str()], "is not a folder"),
        (vec!["data", "check", spec.as_str(), "--data", data.as_str(), "--as-of", "yesterday"], "2026-12-05T13:45:00Z"),
        (vec!["data", "infer", missing.as_str()], "is not a file"),
        (vec!["data", "infer", spec.as_str()], "expected a .parquet or .csv file"),
    ] {
        let out = mlspec(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains(says), "{args:?}: {}", text(&out.stderr));
    }
    // A spec with errors is not checked against data.
    std::fs::write(&spec, "system x { problem { task nonsense } }").unwrap();
    assert_eq!(mlspec(&["data", "check", &spec, "--data", &data]).status.code(), Some(1));
}

#[test]
fn no_data_for_any_source_is_one_finding_per_source() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("shop.mlspec");
    std::fs::write(&spec, SHOP).unwrap();
    let out = mlspec(&["data", "check", &spec.to_string_lossy(), "--data", &dir.path().to_string_lossy(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = json["files"][0]["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["E0601", "E0601"]);
}
