//! Data generated from a spec's own declarations conforms to them: for every
//! spec of `specs/` that checks clean, `data check` finds nothing at all in
//! clean data of any seed and size.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use mlspec_ir::Design;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use support::{generate, options, shown, AS_OF_MS};

/// `(file name, text, design)` of every spec that checks without errors.
fn clean_specs() -> Vec<(String, String, Design)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs");
    let mut paths: Vec<_> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "mlspec")).collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let design = mlspec_check::check_source(&text).design().ok()?;
            Some((p.file_name().unwrap().to_string_lossy().into_owned(), text, design))
        })
        .collect()
}

/// The diagnostics of `data check` on clean data of `rows` rows a source.
fn check_clean(design: &Design, seed: u64, rows: usize) -> Vec<mlspec_diag::Diagnostic> {
    let data = generate(design, &|_| rows, seed, AS_OF_MS);
    let dir = tempfile::tempdir().unwrap();
    data.write_parquet(dir.path());
    let checked = mlspec_data::check(design, dir.path(), &options());
    assert_eq!(checked.sources.len(), design.sources.len(), "every source is read");
    checked.diagnostics
}

#[test]
fn every_spec_checks_clean() {
    let specs = clean_specs();
    assert!(specs.len() >= 10, "the specs of specs/ check: {} do", specs.len());
}

/// The two ends of the size range, for every spec.
#[test]
fn clean_data_of_every_spec_at_50_and_2000_rows_gives_no_diagnostics() {
    for (path, text, design) in clean_specs() {
        for rows in [50, 2000] {
            let found = check_clean(&design, 1, rows);
            assert!(found.is_empty(), "{path}, seed 1, {rows} rows:\n{}", shown(&text, &found));
        }
    }
}

#[test]
fn clean_data_of_any_seed_and_size_gives_no_diagnostics() {
    let specs = clean_specs();
    // PROPTEST_CASES=N runs N cases instead.
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.trim().parse().ok()).unwrap_or(64);
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let result = runner.run(&(0..specs.len(), any::<u64>(), 50usize..=2000), |(i, seed, rows)| {
        let (path, text, design) = &specs[i];
        let found = check_clean(design, seed, rows);
        prop_assert!(found.is_empty(), "{path}, seed {seed}, {rows} rows:\n{}", shown(text, &found));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
