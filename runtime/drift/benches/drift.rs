//! Drift simulation speed. Aim (issue 4, docs/performance.md): 30 simulated
//! days at 100,000 rows a day with five drift monitors in under 10 seconds
//! on the project's 2-core machine. The design is `drift.mlspec` beside this
//! file: a stream joined to a table, a window, a tree, five monitors (one
//! per statistic, hourly) and a weekly retrain. The 28 days of history
//! before hour 0 are generated too, so a run draws 5.8M rows.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mlspec_check::check_source;
use mlspec_drift::quality::{simulate, Options};
use std::time::Duration;

const SPEC: &str = include_str!("drift.mlspec");

fn bench(c: &mut Criterion) {
    let d = check_source(SPEC).design().expect("the bench spec checks clean");
    let o = Options { rows_per_day: 100_000, seed: 1, days: Some(30.0) };
    let mut g = c.benchmark_group("drift");
    g.sample_size(10).measurement_time(Duration::from_secs(60)).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(100_000 * 30));
    g.bench_function("30d_x_100k_rows_per_day_5_monitors", |b| {
        b.iter(|| {
            let q = simulate(&d, d.scenarios.first(), &o, &mut |_| {}).unwrap();
            assert_eq!(q.drift.monitors.len(), 5);
            q
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
