//! The `mlspec` binary as a user runs it: exit codes, output formats,
//! formatting files in place, graphs, explanations, snapshots of messages.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn mlspec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlspec")).args(args).env("NO_COLOR", "1").output().unwrap()
}

fn mlspec_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlspec"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn temp_spec(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    (dir, p.to_string_lossy().into_owned())
}

const BAD: &str = "system shop {
  problem {
    objective \"Predict churn\"
    task binary_classification
    target orders.churned
  }
  constraints {
    latncy p99 < 100ms
  }
  source orders {
    kind table
    schema {
      order_id: id key
      amount: float
      churned: bool label delay 30d
    }
  }
  features {
    amount_log = log1p(orders.amount)
    leak = orders.churned
  }
  monitors {
    performance recall < 0.7 window 30 days
  }
}
";

#[test]
fn check_exit_codes() {
    assert_eq!(mlspec(&["check", "specs/fraud_detection.mlspec"]).status.code(), Some(0));
    let (_d, bad) = temp_spec("bad.mlspec", BAD);
    assert_eq!(mlspec(&["check", &bad]).status.code(), Some(1));
    assert_eq!(mlspec(&["check", "no/such/file.mlspec"]).status.code(), Some(2));
    assert_eq!(mlspec(&["check", "--format", "yaml", "specs/fraud_detection.mlspec"]).status.code(), Some(2));
    assert_eq!(mlspec(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn every_example_spec_checks_clean_and_is_formatted() {
    let specs: Vec<String> = std::fs::read_dir("specs")
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with(".mlspec"))
        .collect();
    assert!(specs.len() >= 15);
    let mut args = vec!["check"];
    args.extend(specs.iter().map(String::as_str));
    let o = mlspec(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let mut args = vec!["fmt", "--check"];
    args.extend(specs.iter().map(String::as_str));
    let o = mlspec(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn deny_warnings_turns_warnings_into_failure() {
    let spec = std::fs::read_to_string("specs/fraud_detection.mlspec")
        .unwrap()
        .replace("replicas 4..20", "replicas 1")
        .replace("concurrency 8", "concurrency 2")
        .replace("model gbdt; batch 16 wait 2ms", "model gbdt; latency 5ms");
    let (_d, p) = temp_spec("w.mlspec", &spec);
    let o = mlspec(&["check", &p]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("warning[W0102]"), "{}", stdout(&o));
    assert_eq!(mlspec(&["check", "--deny-warnings", &p]).status.code(), Some(1));
}

#[test]
fn human_output_names_code_line_caret_and_help() {
    let (_d, bad) = temp_spec("bad.mlspec", BAD);
    let out = stdout(&mlspec(&["check", &bad]));
    let out = out.replace(&bad, "bad.mlspec");
    assert!(!out.contains('\u{1b}'), "no colour off a terminal");
    insta::assert_snapshot!("human_bad_spec", out);
}

#[test]
fn json_output_has_the_documented_shape() {
    let (_d, bad) = temp_spec("bad.mlspec", BAD);
    let o = mlspec(&["check", "--format", "json", &bad]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], 1);
    let diags = v["files"][0]["diagnostics"].as_array().unwrap();
    let codes: Vec<&str> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["E0102", "E0317", "E0301"]);
    let typo = &diags[0];
    assert_eq!(typo["severity"], "error");
    assert_eq!(typo["span"]["line"], 8);
    assert_eq!(typo["span"]["column"], 5);
    assert_eq!(typo["span"]["end_column"], 11);
    assert_eq!(typo["help"], "did you mean `latency`?");
    assert_eq!(diags[1]["labels"][0]["message"], "this field is a label");
    assert_eq!(v["errors"], 3);
    assert_eq!(v["warnings"], 0);
    let window = &diags[2];
    assert!(window["help"].as_str().unwrap().contains("30d"), "{window}");
}

#[test]
fn sarif_output_has_what_code_scanning_needs() {
    let (_d, bad) = temp_spec("bad.mlspec", BAD);
    let o = mlspec(&["check", "--format", "sarif", &bad]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "mlspec");
    // The package's repository when it declares one, else no address at all.
    assert_eq!(run["tool"]["driver"].get("informationUri").and_then(|u| u.as_str()).unwrap_or(""), env!("CARGO_PKG_REPOSITORY"));
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "E0102");
    let idx = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[idx]["id"], "E0102");
    assert!(result["message"]["text"].as_str().unwrap().contains("latncy"));
    let loc = &result["locations"][0]["physicalLocation"];
    assert!(loc["artifactLocation"]["uri"].as_str().unwrap().ends_with("bad.mlspec"));
    assert_eq!(loc["region"]["startLine"], 8);
    assert_eq!(loc["region"]["startColumn"], 5);
}

#[test]
fn fmt_rewrites_in_place_and_check_reports() {
    let (_d, p) = temp_spec("m.mlspec", "system   x {\n    problem {objective \"o\";task regression}   // why\n}\n");
    assert_eq!(mlspec(&["fmt", "--check", &p]).status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "system   x {\n    problem {objective \"o\";task regression}   // why\n}\n");
    assert_eq!(mlspec(&["fmt", &p]).status.code(), Some(0));
    let formatted = std::fs::read_to_string(&p).unwrap();
    assert_eq!(formatted, "system x {\n  problem { objective \"o\"; task regression }  // why\n}\n");
    assert_eq!(mlspec(&["fmt", "--check", &p]).status.code(), Some(0));
}

/// The fraud example with three mistakes that each have a fix: a block
/// left open, a misspelt field and a unit written apart.
fn fraud_with_fixable_mistakes() -> (String, String) {
    let fraud = std::fs::read_to_string("specs/fraud_detection.mlspec").unwrap();
    let broken = fraud
        .replacen("log1p(transactions.amount)", "log1p(transactions.amout)", 1)
        .replacen("window 30d action", "window 30 days action", 1)
        .replacen(
            "    geo_mismatch = transactions.country != users.country\n  }\n",
            "    geo_mismatch = transactions.country != users.country\n",
            1,
        );
    assert_ne!(broken, fraud);
    (fraud, broken)
}

#[test]
fn check_fix_applies_every_fix_and_reports_what_is_left() {
    let (fraud, broken) = fraud_with_fixable_mistakes();
    let (_d, p) = temp_spec("f.mlspec", &broken);
    let o = mlspec(&["check", "--format", "json", &p]);
    assert_eq!(o.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let fixes: Vec<&str> =
        report["files"][0]["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["fix"]["message"].as_str()).collect();
    assert_eq!(fixes, ["add `}`", "replace with `amount`", "write `30d`"]);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), broken, "check without --fix writes nothing");
    // SARIF carries the same fixes, the `30 days` one as a replacement of its region.
    let o = mlspec(&["check", "--format", "sarif", &p]);
    let sarif: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let unit = results.iter().find(|r| r["fixes"][0]["description"]["text"] == "write `30d`").unwrap();
    let replacement = &unit["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], "30d");
    assert_eq!(replacement["deletedRegion"]["startLine"], unit["locations"][0]["physicalLocation"]["region"]["startLine"]);
    assert_eq!(
        replacement["deletedRegion"]["endColumn"].as_u64().unwrap() - replacement["deletedRegion"]["startColumn"].as_u64().unwrap(),
        7
    );

    let o = mlspec(&["check", "--fix", &p]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains(": applied 3 fixes"));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), fraud);

    // Standard input: the fixed text on stdout, the report on stderr.
    let o =
        mlspec_stdin(&["check", "--fix", "-"], broken.replacen("task binary_classification", "task binary_clasification", 1).as_bytes());
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), fraud);

    // What has no fix is reported, and the file keeps the fixes that applied.
    let (_d, p) = temp_spec("g.mlspec", &broken.replacen("kind gradient_boosting", "kind magic_forest", 1));
    let o = mlspec(&["check", "--fix", &p]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("unknown model kind `magic_forest`"), "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), fraud.replacen("kind gradient_boosting", "kind magic_forest", 1));
}

#[test]
fn fmt_reads_stdin_and_refuses_broken_files() {
    let o = mlspec_stdin(&["fmt", "-"], b"system x{problem{objective \"o\"}}");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "system x { problem { objective \"o\" } }\n");
    let (_d, p) = temp_spec("broken.mlspec", "system x {\n  problem { objective \"o }\n");
    let before = std::fs::read_to_string(&p).unwrap();
    let o = mlspec(&["fmt", &p]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), before, "a broken file is left alone");
}

#[test]
fn graph_dot_and_mermaid() {
    let o = mlspec(&["graph", "specs/fraud_detection.mlspec"]);
    assert_eq!(o.status.code(), Some(0));
    let dot = stdout(&o);
    assert!(dot.starts_with("digraph \"fraud_detection\" {"));
    assert!(dot.contains("sources_transactions -> features_amount_log;"));
    assert!(dot.contains("models_gbdt -> serving_online_score;"));
    assert!(dot.contains("features_amount_log -> monitors_0;"));
    let o = mlspec(&["graph", "--format", "mermaid", "specs/fraud_detection.mlspec"]);
    insta::assert_snapshot!("mermaid_fraud_detection", stdout(&o));
    let (_d, bad) = temp_spec("bad.mlspec", BAD);
    assert_eq!(mlspec(&["graph", &bad]).status.code(), Some(1));
}

#[test]
fn explain_prints_the_entry_and_lists_codes() {
    let o = mlspec(&["explain", "E0102"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("# E0102"));
    let o = mlspec(&["explain", "--list"]);
    assert!(stdout(&o).lines().count() >= 40);
    assert_eq!(mlspec(&["explain", "E9999"]).status.code(), Some(2));
}

#[test]
fn hostile_files_never_crash_the_binary() {
    let cases: Vec<Vec<u8>> = vec![
        Vec::new(),
        vec![0xff, 0xfe, 0x00, 0x9f],
        format!("system x {}", "{".repeat(10_000)).into_bytes(),
        format!("system x {{ features {{ f = {}1 }} }}", "(".repeat(10_000)).into_bytes(),
        "x".repeat(2 << 20).into_bytes(),
    ];
    for (i, c) in cases.iter().enumerate() {
        let o = mlspec_stdin(&["check", "-"], c);
        assert_eq!(o.status.code(), Some(1), "case {i}: {}", String::from_utf8_lossy(&o.stderr));
        let o = mlspec_stdin(&["check", "--format", "json", "-"], c);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(v["errors"].as_u64().unwrap() >= 1, "case {i}");
    }
}
