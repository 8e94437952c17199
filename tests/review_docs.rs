//! `mlspec review`, `mlspec doc` and `mlspec new`: snapshots of the review
//! and the design document for two example specs, the examples' review
//! verdicts, and the commands as a user runs them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mlspec_check::check_source;
use mlspec_review::{self as review, Severity};
use std::process::{Command, Output};

fn mlspec_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlspec")).args(args).current_dir(dir).env("NO_COLOR", "1").output().unwrap()
}

fn mlspec(args: &[&str]) -> Output {
    mlspec_in(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn example_specs() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/specs"))
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with(".mlspec"))
        .collect();
    v.sort();
    v
}

fn reviewed(path: &str) -> (mlspec_ir::Design, String, review::Review) {
    let text = std::fs::read_to_string(path).unwrap();
    let design = check_source(&text).design().unwrap_or_else(|_| panic!("{path} has errors"));
    let r = review::review(&design, &text);
    (design, text, r)
}

#[test]
fn review_snapshots() {
    for name in ["fraud_detection", "customer_churn"] {
        let path = format!("specs/{name}.mlspec");
        let out = mlspec(&["review", &path, "--interview"]);
        assert_eq!(out.status.code(), Some(0));
        insta::assert_snapshot!(format!("review_{name}_human"), stdout(&out));
        let md = mlspec(&["review", &path, "--format", "markdown"]);
        insta::assert_snapshot!(format!("review_{name}_markdown"), stdout(&md));
    }
}

#[test]
fn doc_snapshots() {
    for name in ["fraud_detection", "customer_churn"] {
        let out = mlspec(&["doc", &format!("specs/{name}.mlspec")]);
        assert_eq!(out.status.code(), Some(0));
        insta::assert_snapshot!(format!("doc_{name}"), stdout(&out));
    }
}

/// The examples are sound designs: no critical finding, unless the spec says
/// why in a comment `// review: keeps ID because ...`.
#[test]
fn example_specs_have_no_unexplained_critical_finding() {
    let specs = example_specs();
    assert!(specs.len() >= 15);
    for path in specs {
        let (_, text, r) = reviewed(&path);
        for f in r.findings.iter().filter(|f| f.severity == Severity::Critical) {
            let kept = format!("// review: keeps {} because ", f.id);
            assert!(text.contains(&kept), "{path}:{}: critical `{}` ({}) and no `{kept}...` comment", f.line, f.id, f.message);
        }
    }
}

#[test]
fn review_json_has_the_documented_shape() {
    let out = mlspec(&["review", "tests/review/capacity-short.trigger.mlspec", "--format", "json", "--interview"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let score = v["score"].as_u64().unwrap();
    assert!(score <= 100);
    let steps = v["steps"].as_array().unwrap();
    let names: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(names, ["requirements", "metrics", "data", "features", "model", "training", "serving", "monitoring", "risks"]);
    for s in steps {
        let c = s["coverage"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&c));
        assert!(s["covered"].is_array() && s["missing"].is_array());
    }
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["id"] == "capacity-short").unwrap();
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["step"], "serving");
    // The finding points at `serving api` and shows the arithmetic.
    let text = std::fs::read_to_string("tests/review/capacity-short.trigger.mlspec").unwrap();
    let line = f["line"].as_u64().unwrap() as usize;
    assert!(text.lines().nth(line - 1).unwrap().contains("serving api"));
    let why = f["why"].as_str().unwrap();
    // The one capacity model: the simulated base, the spare, the autoscaler.
    for part in [
        "at the peak of 20,000 rps (the throughput constraint",
        "meet every latency constraint (simulated",
        "with one spare for `availability 99.9%`",
        "for the autoscaler",
        "`cpu 70%` target",
    ] {
        assert!(why.contains(part), "{part}: {why}");
    }
    // Review and capacity read one replica count.
    let replicas = v["capacity"]["api"]["replicas"].as_u64().unwrap();
    assert!(replicas > 6, "above the declared 2..6: {replicas}");
    assert!(f["fix"].as_str().unwrap().contains(&format!("replicas 2..{replicas}")));
    let cap = mlspec(&["capacity", "tests/review/capacity-short.trigger.mlspec", "--format", "json"]);
    let cap: serde_json::Value = serde_json::from_slice(&cap.stdout).unwrap();
    assert_eq!(cap["simulated"]["replicas"].as_u64(), Some(replicas));
    assert_eq!(cap["sizing"], v["capacity"]["api"], "the same sizing, rule for rule");
    assert!(!v["questions"].as_array().unwrap().is_empty());
}

#[test]
fn underpowered_experiment_shows_the_sample_size() {
    let out = mlspec(&["review", "tests/review/underpowered-experiment.trigger.mlspec"]);
    let s = stdout(&out);
    // 2% -> 2.02% at alpha 0.05, power 0.8: 7,729,572 per arm; 50 rps × 20% × 7d = 6,048,000.
    assert!(s.contains("7,729,572") && s.contains("6,048,000"), "{s}");
}

#[test]
fn a_sound_design_scores_higher_than_a_flawed_one() {
    let (_, _, sound) = reviewed("tests/review/capacity-short.near.mlspec");
    let (_, _, flawed) = reviewed("tests/review/capacity-short.trigger.mlspec");
    assert_eq!(sound.count(Severity::Critical), 0);
    assert!(sound.score > flawed.score, "{} vs {}", sound.score, flawed.score);
}

#[test]
fn review_and_doc_refuse_specs_with_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.mlspec"), "system s {\n  problem {\n    task binary_classificaton\n  }\n}\n").unwrap();
    for cmd in ["review", "doc"] {
        let out = mlspec_in(dir.path(), &[cmd, "bad.mlspec"]);
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("E0"), "{cmd}");
        assert!(out.stdout.is_empty());
        assert_eq!(mlspec_in(dir.path(), &[cmd, "missing.mlspec"]).status.code(), Some(2));
    }
    assert_eq!(mlspec(&["review", "specs/fraud_detection.mlspec", "--format", "yaml"]).status.code(), Some(2));
}

#[test]
fn doc_writes_the_out_file() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("design.md");
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/specs/video_recommendation.mlspec");
    let out = mlspec(&["doc", spec, "--out", out_path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let doc = std::fs::read_to_string(&out_path).unwrap();
    assert!(doc.contains("# video_recommendation") && doc.contains("```mermaid") && doc.contains("## 9. Risks and open questions"));
}

#[test]
fn new_lists_every_example_and_the_skeleton() {
    let out = mlspec(&["new", "--list"]);
    assert_eq!(out.status.code(), Some(0));
    let listed: Vec<String> = stdout(&out).lines().map(|l| l.split_whitespace().next().unwrap().to_string()).collect();
    let mut want: Vec<String> =
        example_specs().iter().map(|p| std::path::Path::new(p).file_stem().unwrap().to_string_lossy().into_owned()).collect();
    want.insert(0, "skeleton".to_string());
    assert_eq!(listed, want);
}

#[test]
fn new_writes_specs_that_check_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let mut templates: Vec<String> =
        stdout(&mlspec(&["new", "--list"])).lines().map(|l| l.split_whitespace().next().unwrap().to_string()).collect();
    templates.truncate(16);
    for (i, t) in templates.iter().enumerate() {
        let name = format!("sys_{i}");
        let out = mlspec_in(dir.path(), &["new", &name, "--template", t]);
        assert_eq!(out.status.code(), Some(0), "{t}: {}", String::from_utf8_lossy(&out.stderr));
        let file = format!("{name}.mlspec");
        let text = std::fs::read_to_string(dir.path().join(&file)).unwrap();
        assert!(text.contains(&format!("system {name} {{")), "{t}");
        let check = mlspec_in(dir.path(), &["check", "--deny-warnings", &file]);
        assert_eq!(check.status.code(), Some(0), "{t}: {}", stdout(&check));
        assert_eq!(mlspec_in(dir.path(), &["fmt", "--check", &file]).status.code(), Some(0), "{t}");
    }
    // The skeleton is the default, and a second `new` leaves the file alone.
    let path = dir.path().join("shop.mlspec");
    assert_eq!(mlspec_in(dir.path(), &["new", "shop"]).status.code(), Some(0));
    assert!(std::fs::read_to_string(&path).unwrap().contains("// 1. Clarify requirements"));
    std::fs::write(&path, "mine").unwrap();
    let again = mlspec_in(dir.path(), &["new", "shop", "--template", "fraud_detection"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
    // Bad names and templates are usage errors.
    assert_eq!(mlspec_in(dir.path(), &["new", "class"]).status.code(), Some(2));
    assert_eq!(mlspec_in(dir.path(), &["new", "../escape"]).status.code(), Some(2));
    assert_eq!(mlspec_in(dir.path(), &["new", "x", "--template", "nope"]).status.code(), Some(2));
    let near = mlspec_in(dir.path(), &["new", "x", "--template", "search_ranking"]);
    assert_eq!(near.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&near.stderr).contains("did you mean `rental_search_ranking`?"));
    let typo = mlspec_in(dir.path(), &["new", "x", "--template", "fraud_detecton"]);
    assert!(String::from_utf8_lossy(&typo.stderr).contains("did you mean `fraud_detection`?"));
    assert_eq!(mlspec_in(dir.path(), &["new"]).status.code(), Some(2));
}

/// A deliberately flawed copy of the fraud example gets the finding that
/// names each flaw, with the numbers that prove it.
#[test]
fn a_flawed_spec_gets_the_findings_that_name_its_flaws() {
    let path = "tests/review/flawed/fraud.mlspec";
    let (_, _, r) = reviewed(path);
    let ids: Vec<&str> = r.findings.iter().map(|f| f.id).collect();
    for want in [
        "accuracy-on-imbalanced",
        "pii-raw-feature",
        "no-baseline",
        "imbalance-unhandled",
        "random-split-temporal",
        "capacity-short",
        "no-fallback",
        "single-replica",
        "label-delay-exceeds-window",
        "underpowered-experiment",
    ] {
        assert!(ids.contains(&want), "{want} missing from {ids:?}");
    }
    let out = mlspec(&["review", path, "--interview"]);
    let s = stdout(&out);
    assert!(s.contains("99.8% accuracy"), "{s}");
    assert!(s.contains("replicas at the peak of 8,897 rps, above its declared maximum of 3"), "{s}");
    assert!(s.contains("15,463,858"), "{s}");
    insta::assert_snapshot!("review_flawed_fraud_human", s);
}

/// Review and doc never fail on a spec that checks, and give the same bytes twice.
#[test]
fn review_and_doc_run_on_every_clean_spec_deterministically() {
    let mut paths = example_specs();
    for dir in ["tests/specs/ok", "tests/review"] {
        let mut more: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path().to_string_lossy().into_owned())
            .filter(|p| p.ends_with(".mlspec"))
            .collect();
        more.sort();
        paths.extend(more);
    }
    for path in paths {
        let (design, text, r) = reviewed(&path);
        let again = review::review(&design, &text);
        for interview in [false, true] {
            assert_eq!(review::render::human(&r, &path, interview), review::render::human(&again, &path, interview), "{path}");
            assert_eq!(review::render::json(&r, interview), review::render::json(&again, interview), "{path}");
        }
        assert_eq!(mlspec_review::doc::generate(&design, &text, &r), mlspec_review::doc::generate(&design, &text, &again), "{path}");
        assert!(r.score <= 100);
        for f in &r.findings {
            assert!(f.line >= 1 && f.line <= text.lines().count(), "{path}: {f:?}");
        }
    }
}

/// A ranking design's review and doc speak of its declared query group:
/// the coverage item, the interview question on its `@K` metric, the
/// problem table of the design document.
#[test]
fn a_ranking_review_and_doc_name_the_declared_query_group() {
    let path = "specs/rental_search_ranking.mlspec";
    let review = stdout(&mlspec(&["review", path, "--interview"]));
    assert!(review.contains("query group (what one ranked list is)"), "{review}");
    assert!(review.contains("`ndcg@10` averages over the lists grouped by `search_results.search_id`"), "{review}");
    let doc = stdout(&mlspec(&["doc", path]));
    assert!(doc.contains("| query group | `search_results.search_id`: ranking metrics are computed per value |"), "{doc}");
}

/// A per-source freshness budget: the review's finding and the design
/// document name the budget that applied.
#[test]
fn a_per_source_freshness_budget_is_named_where_it_applies() {
    let path = "tests/review/stale-feature-realtime.source-budget.trigger.mlspec";
    let review = stdout(&mlspec(&["review", path]));
    assert!(review.contains("staler than the 12h budget for `users`"), "{review}");
    let doc = stdout(&mlspec(&["doc", path]));
    assert!(doc.contains("| freshness | 1h |") && doc.contains("| freshness of `users` | 12h (this source's own budget) |"), "{doc}");
    assert!(doc.contains("| 1d (budget 12h) |"), "{doc}");
}
