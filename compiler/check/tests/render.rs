//! Snapshots of rendered diagnostics (human and JSON) for representative
//! error specs: what a user reads must not change by accident.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mlspec_check::check_bytes;
use mlspec_diag::render::{render_human, render_json, FileReport, Style};

fn render(name: &str) -> (String, String) {
    // Shown as the user runs `check` from the repository root.
    let path = format!("tests/specs/err/{name}.mlspec");
    let bytes = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(&path)).unwrap();
    let diags = check_bytes(&bytes).diagnostics;
    let src = String::from_utf8_lossy(&bytes).into_owned();
    let report = [FileReport { path: &path, source: &src, diagnostics: &diags }];
    (render_human(&report, Style::Plain), render_json(&report))
}

macro_rules! snapshot_cases {
    ($($name:ident),+ $(,)?) => {$(
        #[test]
        fn $name() {
            let (human, json) = render(stringify!($name));
            insta::assert_snapshot!(concat!(stringify!($name), "_human"), human);
            insta::assert_snapshot!(concat!(stringify!($name), "_json"), json);
        }
    )+};
}

snapshot_cases!(
    many_errors_in_one_file,
    extra_argument_after_task,
    constraint_latency_in_kilograms,
    brace_left_open_before_doc_comment,
    brace_block_left_open_before_sibling,
    brace_stray_inside_serving,
    feature_window_1_hours,
    monitor_window_30_days,
    latency_p99_below_p50,
    mix_value_not_in_values,
    feature_cycle_three,
    leakage_through_feature,
);
