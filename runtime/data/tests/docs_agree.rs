//! docs/data.md quotes every tolerance `data check` and `data infer` judge
//! by; each quote is built here from the constant, so changing one without
//! the other fails.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mlspec_data::tolerance::*;
use mlspec_ir::numbers::{count, num};

#[test]
fn docs_data_md_quotes_every_tolerance() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/data.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let quotes = [
        format!("max({} points, {}·√(p(1−p)/n))", num(MISSING_MIN_POINTS * 100.0), num(MISSING_SIGMAS)),
        format!("\\|z\\| > {}", num(RATE_Z)),
        format!("more than p/{}", num(1.0 / RATE_RELATIVE)),
        format!("more than {} % of labels late", num(LATE_SHARE * 100.0)),
        format!("AUC ≥ {} or ≤ {}", num(LEAK_AUC), num(1.0 - LEAK_AUC)),
        format!("at least {} labelled rows of each class", num(LEAK_MIN_CLASS)),
        format!("average at least {} rows each", num(LEAK_MIN_ROWS_PER_CATEGORY)),
        format!("under N/{f} or over {f}N", f = num(VOLUME_FACTOR)),
        format!("may lag {} minutes", num(REALTIME_LAG_S / 60.0)),
        format!("first {} rows", count(CSV_SCHEMA_ROWS as f64)),
        format!("at most {} distinct values each repeated at least {} times", INFER_MAX_CATEGORIES, INFER_MIN_REPEATS),
        format!("up to {} values", count(INFER_FIT_SAMPLE as f64)),
        format!("up to {} example rows", ["zero", "one", "two", "three", "four", "five"][EXAMPLES as usize]),
    ];
    let missing: Vec<&String> = quotes.iter().filter(|q| !doc.contains(q.as_str())).collect();
    assert!(missing.is_empty(), "docs/data.md should say: {missing:#?}");
}
